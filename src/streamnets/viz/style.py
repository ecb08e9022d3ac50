"""The book's one figure style, and the few rules every plot follows.

Every plotting function of :mod:`streamnets.viz` draws inside :func:`styled` (as a
decorator), so fonts, colours and grid look the same in every chapter. The rules that
rcParams cannot express are small helpers here:

- :func:`legend_outside` puts a legend beside or above the axes, never on the data;
- :func:`zoom_axis` narrows an axis to the range the values span and says so in its
  label, so that differences of a few points are visible;
- :func:`frame_numbers` numbers frames from 1, as the prose counts them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Literal, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.legend import Legend

#: rcParams of every figure in the book (Matplotlib's defaults otherwise).
STYLE: dict[str, object] = {
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.6,
}

P = ParamSpec("P")
R = TypeVar("R")


def styled(function: Callable[P, R]) -> Callable[P, R]:
    """Draw ``function``'s figure in the book's :data:`STYLE`.

    Artists take their fonts and colours when they are created, so drawing inside the
    style is enough: the figure keeps its look when it is saved or shown later.

    Args:
        function: a function that draws and returns a figure (or anything else); it runs
            inside :data:`STYLE`, and Matplotlib's settings are restored afterwards.
    """

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context(STYLE):
            return function(*args, **kwargs)

    return wrapper


def legend_outside(ax: Axes, where: Literal["right", "above", "below"] = "right",
                   ncols: int | None = None, **kwargs: object) -> Legend | None:
    """Place ``ax``'s legend outside the axes, so it never hides a curve.

    Args:
        ax: the axes whose labelled artists make the legend.
        where: ``"right"`` (one column beside the axes), ``"above"`` or ``"below"`` (one
            row, as many columns as entries unless ``ncols`` is given).
        ncols: columns of the legend; by default 1 on the right, all entries in one row
            above or below.
        **kwargs: passed to :meth:`matplotlib.axes.Axes.legend` (e.g. ``title``).

    Returns:
        The legend, or ``None`` when ``ax`` has no labelled artist.
    """
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    if where == "right":
        placement = {"loc": "center left", "bbox_to_anchor": (1.01, 0.5)}
        columns = ncols or 1
    elif where == "above":
        placement = {"loc": "lower left", "bbox_to_anchor": (0.0, 1.01)}
        columns = ncols or len(handles)
    elif where == "below":
        placement = {"loc": "upper left", "bbox_to_anchor": (0.0, -0.18)}
        columns = ncols or len(handles)
    else:
        raise ValueError(f"where must be 'right', 'above' or 'below', not {where!r}")
    return ax.legend(handles, labels, ncols=columns, borderaxespad=0.0,
                     **placement, **kwargs)


def zoom_axis(ax: Axes, values: Sequence[float] | np.ndarray, axis: Literal["x", "y"] = "y",
              label: str = "accuracy", floor: float = 0.0, ceiling: float = 1.0,
              margin: float = 0.1) -> tuple[float, float]:
    """Limit ``ax``'s axis to the span of ``values``, and say in the label that it is zoomed.

    An accuracy axis from 0 to 1 hides differences of a few points; the zoomed axis shows
    them, and its label ends in "(axis zoomed)" so nobody reads the bars' heights as
    absolute.

    Args:
        ax: the axes to zoom.
        values: every value the axis shows (NaN are ignored).
        axis: ``"y"`` or ``"x"``.
        label: the quantity on the axis; " (axis zoomed)" is added when it is zoomed.
        floor: the lowest limit that makes sense (0 for an accuracy).
        ceiling: the highest limit that makes sense (1 for an accuracy).
        margin: space left below and above the values, as a share of their span.

    Returns:
        The limits set, ``(low, high)``.
    """
    data = np.asarray(values, dtype=float).ravel()
    data = data[np.isfinite(data)]
    if data.size == 0:
        raise ValueError("zoom_axis needs at least one finite value")
    low, high = float(data.min()), float(data.max())
    span = max(high - low, 0.02 * (ceiling - floor))
    limits = (max(floor, low - margin * span), min(ceiling, high + margin * span))
    zoomed = limits != (floor, ceiling)
    text = f"{label} (axis zoomed)" if zoomed else label
    if axis == "y":
        ax.set_ylim(*limits)
        ax.set_ylabel(text)
    elif axis == "x":
        ax.set_xlim(*limits)
        ax.set_xlabel(text)
    else:
        raise ValueError(f"axis must be 'x' or 'y', not {axis!r}")
    return limits


def frame_numbers(count: int, first: int = 0) -> np.ndarray:
    """Frame numbers as the prose counts them: from ``first + 1`` to ``first + count``.

    Plot per-frame values against these, never against Python's 0-based indices, so the
    axis, the caption and the text agree on which frame is "frame 1".

    Args:
        count: how many frames.
        first: 0-based index of the first frame shown (for a window inside a stream).
    """
    if count < 0 or first < 0:
        raise ValueError(f"count and first must be >= 0, got {count} and {first}")
    return np.arange(first + 1, first + count + 1)
