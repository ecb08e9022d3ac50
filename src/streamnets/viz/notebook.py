"""Small helpers every chapter notebook uses."""

from __future__ import annotations

from typing import Any


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` for the book's prose (myst-nb ``{glue}`` roles).

    The book is built with myst-nb, which reads the glued outputs of the executed
    notebook, so no number in the prose is typed by hand. In Colab or a plain Jupyter
    install without myst-nb the value is simply shown (when ``display`` is true).
    """
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        # numpy scalars: their repr ("np.float64(0.97)") would reach the page and break
        # format specs such as {glue:text}`acc:.1%`.
        value = value.item()
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # Colab: the book tooling is not installed, nothing to store.
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
