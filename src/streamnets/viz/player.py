"""The book's animations as self-contained HTML players that work offline.

Matplotlib's HTML player (:class:`matplotlib.animation.HTMLWriter`, also behind
``Animation.to_jshtml``) embeds every frame in the page, which is what a static book needs,
but draws its buttons with Font Awesome icons loaded from a CDN: opened without a network,
the buttons are blank. :func:`animation_html` writes the same player with the icons
replaced by plain Unicode symbols and the stylesheet link removed, so the page loads
nothing from outside. :func:`animation_gif` writes the same animation as a GIF that plays
by itself, for the book's landing page. No TensorFlow here.
"""

from __future__ import annotations

import re
from pathlib import Path
from tempfile import TemporaryDirectory

from matplotlib import rc_context
from matplotlib.animation import FuncAnimation, HTMLWriter, PillowWriter

#: Matplotlib's Font Awesome icon of each player button, and the symbol that replaces it:
#: ASCII and geometric shapes (U+25xx), which every common font has; the media-control
#: symbols (U+23Ex) are missing from many Linux fonts and showed as empty boxes.
BUTTON_SYMBOLS = {
    "fa-minus": "&minus;", "fa-plus": "+",
    "fa-fast-backward": "|&#x25C0;", "fa-step-backward": "&#x25C1;",
    "fa-play": "&#x25B6;", "fa-play fa-flip-horizontal": "&#x25C0;", "fa-pause": "||",
    "fa-step-forward": "&#x25B7;", "fa-fast-forward": "&#x25B6;|",
}
_ICON = re.compile(r'<i class="fa (fa-[a-z- ]+)"></i>')
_ICON_STYLESHEET = re.compile(r"<link[^>]*font-awesome[^>]*>\s*", re.IGNORECASE)
#: JPEG quality of the embedded frames when the caller does not choose (Pillow's default).
DEFAULT_QUALITY = 75


def offline_player(html: str) -> str:
    """``html`` from Matplotlib's player, with its CDN stylesheet gone and its icons as text.

    Args:
        html: the player's HTML, as :class:`~matplotlib.animation.HTMLWriter` wrote it.

    Raises:
        ValueError: a button icon this function does not know (a newer Matplotlib): add it
            to :data:`BUTTON_SYMBOLS`, or the button would be blank offline.
    """
    unknown = sorted(set(_ICON.findall(html)) - set(BUTTON_SYMBOLS))
    if unknown:
        raise ValueError(f"the player uses icons {unknown} that have no offline symbol; add "
                         "them to streamnets.viz.player.BUTTON_SYMBOLS.")
    html = _ICON_STYLESHEET.sub("", html)
    return _ICON.sub(lambda m: BUTTON_SYMBOLS[m[1]], html)


def animation_html(animation: FuncAnimation, quality: int = DEFAULT_QUALITY,
                   default_mode: str = "loop") -> str:
    """The animation as a self-contained, offline HTML player with JPEG frames (several
    times smaller than PNG for camera-like frames); show it with ``IPython.display.HTML``.

    Args:
        animation: an animation of this package (e.g.
            :func:`streamnets.viz.streaming.animate_predictions`); every frame is rendered
            now, so this takes a while for long animations. It plays at its own interval.
        quality: JPEG quality of the frames, 1 to 95 (lower: a smaller page).
        default_mode: what the player does at the last frame: ``"loop"``, ``"once"`` or
            ``"reflect"``.
    """
    if not 1 <= int(quality) <= 95:
        raise ValueError(f"quality must be in [1, 95], got {quality!r}.")
    with TemporaryDirectory() as folder, rc_context({"animation.frame_format": "jpeg"}):
        path = Path(folder, "animation.html")
        writer = HTMLWriter(fps=1000.0 / animation._interval, embed_frames=True,
                            default_mode=default_mode)
        animation.save(str(path), writer=writer,
                       savefig_kwargs={"pil_kwargs": {"quality": int(quality)}})
        return offline_player(path.read_text(encoding="utf-8"))


def animation_gif(animation: FuncAnimation, dpi: float | None = None) -> bytes:
    """The animation as an animated GIF that starts by itself and loops for ever.

    For a page that should show the result at once (the book's landing page), where a
    player with buttons is one click too many; show it with
    ``IPython.display.Image(data=..., format="gif")``. GIF stores 256 colours per frame,
    plenty for plots and synthetic frames.

    Args:
        animation: an animation of this package (e.g.
            :func:`streamnets.viz.continuous.animate_stream`); every frame is rendered now.
            It plays at its own interval.
        dpi: resolution of the frames; ``None`` keeps the figure's own.
    """
    if dpi is not None and not dpi > 0:
        raise ValueError(f"dpi must be positive, got {dpi!r}.")
    with TemporaryDirectory() as folder:
        path = Path(folder, "animation.gif")
        animation.save(str(path), writer=PillowWriter(fps=1000.0 / animation._interval),
                       dpi=dpi)
        return path.read_bytes()
