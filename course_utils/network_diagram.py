"""A network drawn as columns of small pictures, one per neuron, joined by a line per
weight: the playground's diagram (:class:`course_utils.scenes.playground.PlaygroundScene`).

The pictures (``side`` x ``side`` RGBA each) are pasted into one image, shown by one
``imshow``, and the lines are one ``LineCollection``: two artists however large the
network, so a frame stays fast. Positions are in *cells*, the pixels of the pasted image.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba

from . import style

__all__ = ["NetworkDiagram"]

#: The distance of two rows and of two columns, in cells, and the room left for the labels
#: on the left (feature names), on the right (class names) and at the top.
ROW, COLUMN, LEFT, RIGHT, TOP = 21, 44, 40, 34, 12
#: A link's width in points per unit of its weight, up to MAX_WIDTH (a weight of 2 or more).
WIDTH_PER_WEIGHT, MAX_WIDTH = 1.4, 2.8
_FRAME = np.array(to_rgba("#C8C8C8"))
_POSITIVE, _NEGATIVE = np.array(to_rgba(style.POSITIVE)), np.array(to_rgba(style.NEGATIVE))


class NetworkDiagram:
    """Columns of neuron pictures on ``ax`` (whose axis it switches off); ``moving`` marks
    the two artists that change (:meth:`course_utils.scene.Scene.moving`)."""

    def __init__(self, ax, moving, side: int):
        self.ax, self.side = ax, side
        ax.set_axis_off()
        self.links = moving(ax.add_collection(LineCollection([], capstyle="butt")))
        self.pictures = moving(ax.imshow(np.zeros((2, 2, 4), np.uint8), interpolation="nearest",
                                         origin="upper", zorder=3))
        self.columns: list[int] = []
        self.centres: list[list[tuple[float, float]]] = []

    def layout(self, columns: list[int], heads: list[str], left: list[str] = (), right: list[str] = ()) -> None:
        """Place ``columns[c]`` neurons in column ``c``, each column centred in height,
        ``heads[c]`` above it, ``left`` beside the first column's neurons and ``right``
        beside the last's. (Static: call it when the network changes.)"""
        self.columns, cell = list(columns), self.side
        tallest = max(max(columns), 4)
        height = tallest * ROW + TOP
        width = (len(columns) - 1) * COLUMN + cell + LEFT + RIGHT
        self.canvas = np.zeros((height, width, 4))
        self.centres = [[(LEFT + c * COLUMN + cell / 2, TOP + ((tallest - count) / 2 + r) * ROW + cell / 2)
                         for r in range(count)] for c, count in enumerate(columns)]
        ax = self.ax
        for text in list(ax.texts):
            text.remove()
        self.pictures.set_extent((0, width, height, 0))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        for column, head in zip(self.centres, heads):
            ax.text(column[0][0], TOP / 2, head, ha="center", va="center", fontsize=8)
        for name, (x, y) in zip(left, self.centres[0]):
            ax.text(x - cell / 2 - 2, y, name, ha="right", va="center", fontsize=8.5)
        for name, (x, y) in zip(right, self.centres[-1]):
            ax.text(x + cell / 2 + 2, y, name, ha="left", va="center", fontsize=8)

    def draw(self, pictures: list[np.ndarray], weights: list[np.ndarray]) -> None:
        """``pictures[c]`` holds column ``c``'s neurons, shape (neurons, side * side, 4), RGBA
        in [0, 1], row by row from the bottom (as ``data.grid`` orders points);
        ``weights[c]`` the weights from column ``c`` to column ``c + 1``, shape (to, from).
        A line per weight: blue for a positive weight, orange for a negative one, as thick
        as the weight is large, on one scale for all layers (:data:`WIDTH_PER_WEIGHT`), so
        that weights a penalty shrinks look thin."""
        cell = self.side
        self.canvas[...] = 0
        for column, centres in zip(pictures, self.centres):
            for picture, (x, y) in zip(column, centres):
                top, left = int(y - cell / 2), int(x - cell / 2)
                # a grey frame one cell wide, so that a neuron that is all white still shows
                self.canvas[top - 1:top + cell + 1, left - 1:left + cell + 1] = _FRAME
                self.canvas[top:top + cell, left:left + cell] = picture.reshape(cell, cell, 4)[::-1]
        self.pictures.set_data((self.canvas * 255 + 0.5).astype(np.uint8))  # bytes resample fast
        segments, signs, widths = [], [], []
        for c, w in enumerate(weights):
            w = np.nan_to_num(w, nan=0.0, posinf=0.0, neginf=0.0)
            start = np.array(self.centres[c]) + (cell / 2, 0)
            end = np.array(self.centres[c + 1]) - (cell / 2, 0)
            pairs = np.broadcast_arrays(start[None, :, :], end[:, None, :])  # (to, from, 2) each
            segments.append(np.stack(pairs, axis=2).reshape(-1, 2, 2))
            signs.append(w.ravel() > 0)
            widths.append(np.minimum(np.abs(w.ravel()) * WIDTH_PER_WEIGHT, MAX_WIDTH))
        self.links.set_segments(np.concatenate(segments))
        self.links.set_color(np.where(np.concatenate(signs)[:, None], _POSITIVE, _NEGATIVE))
        self.links.set_linewidth(np.concatenate(widths))
