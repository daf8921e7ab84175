"""One visual identity for every picture in the course.

Colours come from the Okabe-Ito palette (Okabe and Ito, "Color Universal Design",
2008), which stays distinguishable for the common kinds of colour blindness. Positive
values are blue and negative values are vermillion everywhere: weights, heatmaps,
gradients.
"""

from __future__ import annotations

import contextlib
import os

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

# Okabe-Ito colours, by name.
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#8C8C8C"
LIGHT = "#F2F2F2"
#: The palette's orange, green and vermillion darkened (each channel times 0.62, 0.77 and
#: 0.83) to a contrast of at least 4.5:1 on white (WCAG AA), for small text and thin
#: lines: the palette's own orange has only 2.2:1, its green 3.3:1.
TEXT_ORANGE, TEXT_GREEN, TEXT_VERMILLION = "#8F6300", "#007A59", "#B14E00"

#: Colours for a sequence of lines (curves, optimizers, classes), in order.
CYCLE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK)
POSITIVE = BLUE
NEGATIVE = VERMILLION

#: Diverging map for signed values: vermillion (negative), white (zero), blue (positive).
DIVERGING = LinearSegmentedColormap.from_list("course_diverging", [NEGATIVE, "#FFFFFF", POSITIVE])
#: Two-class map for predicted probabilities: vermillion (class 0) to blue (class 1).
CLASSES = LinearSegmentedColormap.from_list("course_classes", ["#F4B48A", "#FFFFFF", "#8CC3E6"])

#: The two-class map in ten flat steps, for a decision region: clear levels (the 0.5 level
#: reads as a white band) and few colours, so frames stay small.
REGION = CLASSES.resampled(10)

#: A discriminator's verdict, in eleven flat steps: light purple where it says "fake" (0),
#: white where it cannot tell (the middle step, 0.45 to 0.55), light green where it says
#: "real" (1); the GAN's fake points are purple and its real points green (GAN Lab's
#: colours, in the palette's).
VERDICT = LinearSegmentedColormap.from_list("course_verdict", ["#E3C1D6", "#FFFFFF", "#A6DCC9"]).resampled(11)

#: Ink on paper, for images of digits: 0 is white, 1 is black.
INK = LinearSegmentedColormap.from_list("course_ink", ["#FFFFFF", BLACK])
#: How strongly a unit responds (0 and up): white to blue. The gaps of a mosaic are light grey.
ACTIVITY = LinearSegmentedColormap.from_list("course_activity", ["#FFFFFF", POSITIVE]).with_extremes(bad=LIGHT)

#: Light sequential map for the height of a loss surface: low is darker.
CONTOUR = LinearSegmentedColormap.from_list("course_contour", ["#7E9AB0", "#FFFFFF"])

#: Figure sizes in inches and the dots per inch used for every frame.
DPI = 80
SIZE_WIDE = (8.0, 3.6)
SIZE_SQUARE = (4.5, 4.0)

#: How much larger than DPI a live picture is drawn: 1, or more for a projector in a big
#: room (``python -m course_utils voila --projector`` sets ``COURSE_PICTURE_SCALE=1.5`` for
#: its kernels). Layouts are in inches or in units of ``DPI`` dots, so all of a picture
#: grows alike, sharp; GIFs are always built at scale 1.
PICTURE_SCALE = float(os.environ.get("COURSE_PICTURE_SCALE", "1"))


@contextlib.contextmanager
def picture_scale(scale: float):
    """Draw the figures made inside the ``with`` block at ``scale`` (see :data:`PICTURE_SCALE`)."""
    global PICTURE_SCALE
    before, PICTURE_SCALE = PICTURE_SCALE, scale
    try:
        yield
    finally:
        PICTURE_SCALE = before

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "lines.linewidth": 2.0,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    # SVG output embeds a random id and a date unless told otherwise.
    "svg.hashsalt": "course",
}


def new_figure(size: tuple[float, float] = SIZE_WIDE, scale: float | None = None) -> Figure:
    """Return a pyplot-free Figure with an Agg canvas attached, in the course style, drawn
    at ``DPI * scale`` dots per inch (``scale``: :data:`PICTURE_SCALE` unless given).

    Not using pyplot keeps figures out of the notebook's output unless a presenter
    shows them, and lets many scenes live side by side.
    """
    scale = PICTURE_SCALE if scale is None else scale
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=size, dpi=DPI * scale, layout=None)
    FigureCanvasAgg(fig)
    return fig


def picture(fig: Figure):
    """``fig`` as a picture a notebook cell shows: an ``IPython.display.Image`` of its PNG
    (a pyplot-free Figure has no picture of its own to show). For still figures; scenes
    have their widgets."""
    import io

    from IPython.display import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    return Image(data=buffer.getvalue(), format="png")


def sign_color(value: float) -> str:
    """Blue for a positive number, vermillion for a negative one, grey for zero."""
    if value > 0:
        return POSITIVE
    if value < 0:
        return NEGATIVE
    return GREY


def plane_axes(ax, half_width: float, ticks=(-2, 0, 2)) -> None:
    """Frame ``ax`` as the input plane of a 2-D data set: ``[-half_width, half_width]^2``,
    ``ticks`` on both axes, axes named x₁ and x₂."""
    ax.set_xlim(-half_width, half_width)
    ax.set_ylim(-half_width, half_width)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("x\u2081", labelpad=1)
    ax.set_ylabel("x\u2082", labelpad=-2)


def class_colours(y) -> list[str]:
    """One colour per label of a two-class data set: blue for class 1, vermillion for 0."""
    return [BLUE if label == 1 else VERMILLION for label in y]


def round_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Three round tick positions inside [low, high] (steps of 1, 2, 2.5 or 5 times a
    power of ten), and their labels, for ``ax.set_xticks(*round_ticks(low, high))``."""
    step = (high - low) / 2
    mag = 10 ** np.floor(np.log10(step))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= step * 0.6), default=step)
    first = np.ceil(low / step) * step
    ticks = [round(float(first + i * step), 6) for i in range(4) if first + i * step <= high + 1e-9]
    return ticks, [f"{t:g}".replace("-", "\u2212") for t in ticks]


def mosaic(images, columns: int, gap: int = 1) -> np.ndarray:
    """Tile equal-sized 2-D images (shape (n, h, w)) into one array, ``columns`` to a row,
    with ``gap`` pixels of NaN between them (drawn in a colour map's "bad" colour). One
    ``imshow`` of a mosaic is much faster to draw than ``n`` small ones."""
    images = np.asarray(images, dtype=float)
    n, h, w = images.shape
    rows = -(-n // columns)
    out = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = image
    return out


def picture_axes(ax, border: str | None = None) -> None:
    """Axes that only frame a picture: no ticks; no frame, or a frame in ``border``."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(border is not None)
        if border is not None:
            spine.set_color(border)


_SUBSCRIPTS = str.maketrans("0123456789+-t", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089\u208a\u208b\u209c")


def subscript(text) -> str:
    """``text`` (a number, or digits with ``+``, ``-`` and ``t``) as subscript characters:
    ``subscript(12)`` is ``"₁₂"`` and ``subscript("t-1")`` is ``"ₜ₋₁"``, for labels like ``h₁₂``."""
    return str(text).translate(_SUBSCRIPTS)


def signed(v: float, digits: int = 1) -> str:
    """A number with its sign, for a label: ``+2.0``, ``−1.5`` (a true minus); never ``−0.0``."""
    return f"{round(float(v), digits) + 0.0:+.{digits}f}".replace("-", "\u2212")


def percent(p: float) -> str:
    """A probability as a label: ``62%``, ``0.4%`` or ``<0.1%``."""
    if p >= 0.095:
        return f"{100 * p:.0f}%"
    if p >= 0.001:
        return f"{100 * p:.1f}%"
    return "<0.1%"


def png(fig: Figure) -> bytes:
    """``fig`` as PNG bytes, to show a figure made here in a notebook:
    ``IPython.display.Image(style.png(fig))``."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
