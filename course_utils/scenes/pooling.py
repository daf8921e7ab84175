"""Pooling: a window slides over a feature map and keeps one number of each place.

The math, for a window of ``size`` x ``size`` moved by the stride ``s`` (no padding)::

    max pooling:      out[i, j] = max  over u, v < size of  x[i*s + u, j*s + v]
    average pooling:  out[i, j] = mean over u, v < size of  x[i*s + u, j*s + v]

``x`` is a feature map of the convolution scene: a handwritten digit through the kernel
"edges in x", padding 1, so 8 x 8 like the digit. The pooled map has
``⌊(8 − size) / s⌋ + 1`` rows, and as many columns. Max pooling is the engine's own
``nn.MaxPool2d(size, stride)``, shapes (1, 1, 8, 8) -> (1, 1, H_out, W_out); the engine
has no average pooling, so the scene computes the means with numpy (one
``sliding_window_view``).

Left: the feature map, its numbers, the window of the chosen output cell and, for max
pooling, the number that wins (boxed in black). Middle: the window's numbers and the one
kept. Right: the pooled map at the same scale, filled in up to the chosen cell (boxed).
Underneath: the output size, with the numbers filled in.

Parameters: ``image`` (three digits), ``mode`` (max or average), ``size`` (2-3),
``stride`` (1-3) and ``step``, the output cell, counted row by row from 0 (Play slides
the window; a number past the last cell shows the last one).
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle
from numpy.lib.stride_tricks import sliding_window_view

from .. import nn, style
from ..scene import Param, Scene
from ..cells import SIGNED, Cells, cell_of, number, window_text
from ..kernels import DIGITS, H, KERNELS, feature_map, image

MAX_SIZE, MAX_STRIDE = 3, 3
MAX_SIDE = H - 2 + 1  # the largest pooled map's side (size 2, stride 1): 7


def edge_map(name: str) -> np.ndarray:
    """The digit ``name`` through the kernel "edges in x" (stride 1, padding 1): 8 x 8."""
    return feature_map(image(name), np.array(KERNELS["edges in x"], float), 1, 1)


def pool(x: np.ndarray, mode: str, size: int, stride: int) -> np.ndarray:
    """``x`` (H, W) pooled by ``size`` x ``size`` windows every ``stride`` cells:
    ``"max"`` by the engine's ``nn.MaxPool2d``, ``"average"`` by numpy's mean of each
    window. Shape (⌊(H − size) / stride⌋ + 1, same for W)."""
    if mode == "max":
        return nn.MaxPool2d(size, stride)(x[None, None])[0, 0]
    if mode == "average":
        return sliding_window_view(x, (size, size))[::stride, ::stride].mean(axis=(2, 3))
    raise ValueError(f"mode must be 'max' or 'average', got {mode!r}")


def pooled_size(h: int, size: int, stride: int) -> int:
    """Cells along one side of the pooled map: ``⌊(h − size) / stride⌋ + 1``."""
    return (h - size) // stride + 1


class PoolingScene(Scene):
    """A pooling window slides over a feature map; what it keeps, and the pooled map."""

    params = (
        Param("image", "digit 2", options=tuple(DIGITS), label="digit"),
        Param("mode", "max", options=(("max pooling", "max"), ("average pooling", "average")),
              label="pooling"),
        Param("size", 2, 2, MAX_SIZE, integer=True, label="window size"),
        Param("stride", 2, 1, MAX_STRIDE, integer=True, label="stride s"),
        Param("step", 5, 0, MAX_SIDE ** 2 - 1, integer=True, label="output cell"),
    )
    size = (10.5, 4.3)
    gif_name = "pooling"
    gif_one_palette = True  # greys, colours and the edges of text: thousands of colours
    control_rows = (("image", "mode"), ("size", "stride"))
    background_params = ("image", "mode", "size", "stride")

    def build(self) -> None:
        fig, square = self.fig, 4.3 / 10.5  # width of a square axes per unit of height
        self.inputs = Cells(self, fig.add_axes([0.02, 0.14, 0.74 * square, 0.74]), SIGNED)
        self.title_in = self.inputs.ax.set_title("")
        # the number max pooling keeps, boxed in black inside the window
        self.winner = self.moving(self.inputs.ax.add_patch(
            Rectangle((0, 0), 1, 1, fill=False, ec=style.BLACK, lw=2, clip_on=False)))
        self.outputs = Cells(self, fig.add_axes([0.98 - 0.74 * square, 0.14, 0.74 * square, 0.74]), SIGNED,
                             fills_in=True)
        self.title_out = self.outputs.ax.set_title("")
        self.header = fig.text(0.5, 0.8, "", ha="center", fontsize=10, color=style.GREY)
        self.kept = self.moving(fig.text(0.5, 0.74, "", ha="center", va="top", fontsize=11,
                                         family="DejaVu Sans Mono", linespacing=1.35, multialignment="left"))
        self.formula = fig.text(0.5, 0.03, "", ha="center", fontsize=10)

    def side(self) -> int:
        """The pooled map's side for the current size and stride."""
        return pooled_size(H, self.values["size"], self.values["stride"])

    def step_max(self) -> int:
        return self.side() ** 2 - 1

    def linked(self, changes: dict) -> dict:
        """A new size or stride keeps the cell on the map."""
        if "size" in changes or "stride" in changes:
            return {"step": min(self.values["step"], self.step_max())}
        return {}

    def draw_background(self) -> None:
        v = self.values
        k, s, side = v["size"], v["stride"], self.side()
        self.x = edge_map(v["image"])
        self.pooled = pool(self.x, v["mode"], k, s)
        limit = float(np.max(np.abs(self.x))) or 1.0  # one colour scale for both maps
        self.inputs.show(self.x, -limit, limit)
        self.outputs.show(self.pooled, -limit, limit, frame=H)
        self.title_in.set_text(f"feature map {H} \u00d7 {H} ({v['image']}, edges in x)")
        self.title_out.set_text(f"after {v['mode']} pooling: {side} \u00d7 {side}")
        self.header.set_text(f"the {k} \u00d7 {k} window, and what it keeps:")
        self.formula.set_text(
            f"output size = \u230a(H \u2212 size) / s\u230b + 1 = \u230a({H} \u2212 {k}) / {s}\u230b + 1"
            f" = \u230a{H - k} / {s}\u230b + 1 = {side}, so the pooled map is {side} \u00d7 {side}")

    def draw(self) -> None:
        v = self.values
        k, s = v["size"], v["stride"]
        i, j = cell_of(v["step"], self.pooled.shape[0])
        window = self.x[i * s:i * s + k, j * s:j * s + k]
        self.inputs.box(i * s, j * s, k)
        self.outputs.cover((i, j))
        self.outputs.box(i, j)
        kept = number(self.pooled[i, j])
        if v["mode"] == "max":
            u, w = np.unravel_index(np.argmax(window), window.shape)  # the first, on ties
            self.winner.set_bounds(j * s + w - 0.5, i * s + u - 0.5, 1, 1)
            line = f"max = {kept}"
        else:
            line = f"sum {number(window.sum())} / {k * k} = {kept}"
        self.winner.set_visible(v["mode"] == "max")
        self.kept.set_text(f"{window_text(window)}\n\n{line}")

    def storyboard(self):
        """Max pooling 2 x 2, stride 2, cell by cell; then average pooling the same way."""
        for mode in ("max", "average"):
            for step in range(16):
                yield dict(image="digit 2", mode=mode, size=2, stride=2, step=step), 1500 if step == 15 else 350
