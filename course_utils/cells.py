"""Small matrices drawn as grids of cells, with their numbers: what the convolution and
pooling pictures share (a window framed on an image, a map that fills in cell by cell,
the arithmetic of one window as text).
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from . import style

WINDOW_COLOUR = style.ORANGE
#: Signed values in a few flat steps: a frame then has few colours, which keeps the GIF small.
SIGNED = style.DIVERGING.resampled(11)
LINES = "#D0D0D0"  # between cells: seen on white, on colour and on the light grey cover


def cell_of(step: int, side: int) -> tuple[int, int]:
    """Row and column of output cell ``step`` (row by row) of a ``side`` x ``side``
    map; a step past the last cell is the last cell."""
    return divmod(min(step, side * side - 1), side)


def number(v: float, decimals: int = 2) -> str:
    """A number as the pictures write it: rounded, with a real minus sign, no "−0.00"."""
    return f"{round(float(v), decimals) + 0.0:.{decimals}f}".replace("-", "\u2212")


def short(v: float, chars: int = 5) -> str:
    """A number in at most ``chars`` characters if it can be: 2 decimals, or fewer."""
    for decimals in (2, 1, 0):
        if len(text := number(v, decimals)) <= chars:
            return text
    return text


def compact(v: float) -> str:
    """A number rounded to 2 decimals, without the zeros at its end: ``1``, ``0.5``, ``0.11``."""
    text = number(v)
    return text.rstrip("0").rstrip(".")


def signed(v: float) -> str:
    """A number as a product shows it: compact, in brackets when negative."""
    return compact(v) if v >= 0 else f"({compact(v)})"


def window_text(values: np.ndarray, weights: np.ndarray | None = None) -> str:
    """The numbers of a window as rows of text, laid out like the window: the products
    ``0.19×(−1) + ...`` with ``+`` between them (a convolution), or, with
    ``weights=None``, just the numbers (pooling). Text is what a frame costs (about
    0.15 ms a character): the numbers are :func:`compact`."""
    if weights is None:
        rows = [[number(x) for x in row] for row in values]
        joint, leads = "  ", ("", "")
    else:
        xs, ws = [[signed(v) for v in row] for row in values], [[signed(v) for v in row] for row in weights]
        wide_x = [max(len(row[c]) for row in xs) for c in range(len(xs[0]))]
        wide_w = [max(len(row[c]) for row in ws) for c in range(len(ws[0]))]
        rows = [[x.rjust(a) + "\u00d7" + w.ljust(b) for x, w, a, b in zip(rx, rw, wide_x, wide_w)]
                for rx, rw in zip(xs, ws)]  # the times signs line up
        joint, leads = " + ", ("  ", "+ ")
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return "\n".join(leads[r > 0] + joint.join(t.rjust(w) for t, w in zip(row, widths))
                     for r, row in enumerate(rows))


class Cells:
    """A matrix drawn on ``ax`` as square cells (row 0 on top), with thin lines between
    them and, with ``numbers=True``, each value written in its cell (for small matrices:
    text is what a picture costs, about 1 ms a number, so maps show colours only).

    :meth:`show` sets the values (in the background). :meth:`box` frames a block of
    cells; with ``fills_in=True``, :meth:`cover` hides the cells after a given one, for a
    map that fills in cell by cell. Both are movers (the lines too, with ``fills_in``,
    so that they stay over the cover). ``show(..., frame=n)`` makes the axes span ``n``
    cells, so a smaller matrix is drawn centred, at the scale of a larger one.
    """

    def __init__(self, scene, ax, cmap, numbers: bool = False, fills_in: bool = False,
                 fontsize: float = 8):
        self.ax, self.fontsize, self.shape = ax, fontsize, (1, 1)
        style.picture_axes(ax)
        self.image = ax.imshow(np.zeros((1, 1)), cmap=cmap, interpolation="nearest")
        self.numbers, self.texts = numbers, []
        self.covering = ()
        if fills_in:  # the rest of the current row, and the rows below it
            self.covering = scene.moving(*(ax.add_patch(Rectangle((0, 0), 0, 0, fc=style.LIGHT, ec="none"))
                                           for _ in range(2)))
        self.lines = ax.add_collection(LineCollection([], colors=LINES, linewidths=0.6))
        if fills_in:
            scene.moving(self.lines)
        self.frame_box = scene.moving(ax.add_patch(Rectangle((0, 0), 1, 1, fill=False,
                                                             ec=WINDOW_COLOUR, lw=2.5, clip_on=False)))

    def show(self, values: np.ndarray, vmin: float, vmax: float, frame: int | None = None) -> None:
        """Draw ``values`` (h, w) coloured from ``vmin`` to ``vmax``, numbers in the cells."""
        h, w = self.shape = values.shape
        frame = frame or max(h, w)
        extent = (-0.5, w - 0.5, h - 0.5, -0.5)
        self.image.set_data(values)
        self.image.set_clim(vmin, vmax)
        self.image.set_extent(extent)
        margin = (frame - h) / 2
        self.ax.set_xlim(-0.5 - margin, w - 0.5 + margin)
        self.ax.set_ylim(h - 0.5 + margin, -0.5 - margin)
        self.lines.set_segments([[(c - 0.5, -0.5), (c - 0.5, h - 0.5)] for c in range(w + 1)] +
                                [[(-0.5, r - 0.5), (w - 0.5, r - 0.5)] for r in range(h + 1)])
        cell = self.ax.get_position().width * self.ax.figure.get_figwidth() * 72 / frame  # points
        size = min(self.fontsize, cell / 3.2)
        chars = int(cell / (0.7 * size))  # characters that fit in a cell, at about 0.7 em each
        dark = max(abs(vmin), abs(vmax)) * 0.6  # white numbers on dark cells
        while self.numbers and len(self.texts) < h * w:
            self.texts.append(self.ax.text(0, 0, "", ha="center", va="center"))
        for t in self.texts:
            t.set_text("")
        for t, (r, c) in zip(self.texts, np.ndindex(h, w)):
            t.set_position((c, r))
            t.set_text(short(values[r, c], chars))
            t.set_fontsize(size)
            t.set_color("white" if abs(values[r, c]) > dark else style.BLACK)

    def cover(self, last: tuple[int, int]) -> None:
        """Hide, in light grey, every cell after ``last`` (row, column), row by row."""
        h, w = self.shape
        (r, c), (row, below) = last, self.covering
        row.set_bounds(c + 0.5, r - 0.5, w - 1 - c, 1)
        below.set_bounds(-0.5, r + 0.5, w, h - 1 - r)

    def box(self, row: int, col: int, size: int = 1) -> None:
        """Frame the ``size`` x ``size`` block of cells whose top left is (row, col)."""
        self.frame_box.set_bounds(col - 0.5, row - 0.5, size, size)
