"""Convolution: a 3 x 3 kernel slides over an image, and each place gives one number.

The math (cross-correlation, as in PyTorch and the engine: the kernel is not flipped)::

    out[i, j] = sum over u, v = 0, 1, 2 of  x_pad[i*s + u, j*s + v] * K[u, v]

``x_pad`` is the image (H x W = 8 x 8, values 0 to 1) with ``p`` rows and columns of
zeros around it, ``K`` the kernel (k x k = 3 x 3) and ``s`` the stride. The feature map
``out`` has ``H_out = ⌊(H + 2p − k) / s⌋ + 1`` rows, and as many columns. The scene
computes it with the engine's own ``nn.Conv2d`` (one channel in, one out, the weight set
to ``K``, no bias), shapes (1, 1, H, W) -> (1, 1, H_out, W_out).

Left: the padded input, with the window of the chosen output cell. Middle: the kernel,
and the nine products pixel × weight of that window with their sum. Right: the feature
map in colours, filled in up to the chosen cell (boxed; its number is the sum), a map of
fewer than 6 cells a side drawn at the scale of 6, so that it looks as small as it is.
Underneath: the output size, with the numbers filled in.

Parameters: ``image`` (three handwritten digits of :func:`course_utils.data.digits`
and the patterns of :func:`course_utils.data.pattern`); ``kernel`` (identity, blur,
sharpen, edges in x or y, or ``"custom"``); ``custom``, nine numbers the student types,
row by row (typing one picks ``"custom"``); ``stride`` (1-3); ``padding`` (0-2); and
``step``, the output cell, counted row by row from 0 (the widget's Play slides the
window; a number past the last cell shows the last one). Only ``step`` changes the
moving artists; the others redraw the background.

The kernels, images and feature map are :mod:`course_utils.kernels`; the grids of cells
are drawn by :mod:`course_utils.cells`, which the pooling scene shares.
"""

from __future__ import annotations

import numpy as np

from .. import style
from ..cells import SIGNED, Cells, cell_of, number, window_text
from ..kernels import (H, IMAGE_CHOICES, K, KERNEL_CHOICES, KERNELS, feature_map, image, output_size,
                       parse_kernel)
from ..scene import Param, Scene

MAX_PADDING, MAX_STRIDE = 2, 3
MAX_SIDE = H + 2 * MAX_PADDING - K + 1  # the largest feature map's side (10)
SMALLEST_FRAME = 6  # a feature map of fewer cells a side is drawn at the scale of 6


def _limit(values: np.ndarray) -> float:
    """The colour range of signed values: their largest size (1 if all are 0)."""
    return float(np.max(np.abs(values))) or 1.0


class ConvolutionScene(Scene):
    """A kernel slides over an image; the window, its arithmetic and the feature map."""

    params = (
        Param("image", "digit 2", options=IMAGE_CHOICES, label="image"),
        Param("kernel", "edges in x", options=KERNEL_CHOICES, label="kernel"),
        Param("custom", "0 0 0 0 1 0 0 0 0", text=True, parse=parse_kernel, label="your kernel"),
        Param("stride", 1, 1, MAX_STRIDE, integer=True, label="stride s"),
        Param("padding", 0, 0, MAX_PADDING, integer=True, label="padding p"),
        Param("step", 9, 0, MAX_SIDE ** 2 - 1, integer=True, label="output cell"),
    )
    size = (10.5, 4.3)
    gif_name = "convolution"
    gif_one_palette = True  # greys, colours and the edges of text: thousands of colours
    control_rows = (("image", "kernel"), ("stride", "padding"), ("custom",))
    background_params = ("image", "kernel", "custom", "stride", "padding")

    def build(self) -> None:
        fig, square = self.fig, 4.3 / 10.5  # width of a square axes per unit of height
        self.inputs = Cells(self, fig.add_axes([0.02, 0.14, 0.74 * square, 0.74]), style.INK)
        ax_in = self.inputs.ax
        self.tint = ax_in.imshow(np.zeros((1, 1, 4)), interpolation="nearest", zorder=1.5)
        self.title_in = ax_in.set_title("")
        self.kernel_cells = Cells(self, fig.add_axes([0.5 - 0.165 * square, 0.54, 0.33 * square, 0.33]),
                                  SIGNED, numbers=True, fontsize=9)
        self.kernel_cells.frame_box.set_visible(False)
        self.title_k = self.kernel_cells.ax.set_title("")
        self.outputs = Cells(self, fig.add_axes([0.98 - 0.74 * square, 0.14, 0.74 * square, 0.74]),
                             SIGNED, fills_in=True)
        self.title_out = self.outputs.ax.set_title("")
        fig.text(0.5, 0.49, "window \u00d7 kernel, added up:", ha="center", fontsize=10, color=style.GREY)
        self.sums = self.moving(fig.text(0.5, 0.46, "", ha="center", va="top", fontsize=10,
                                         family="DejaVu Sans Mono", linespacing=1.35,
                                         multialignment="left"))
        self.formula = fig.text(0.5, 0.03, "", ha="center", fontsize=10)

    def kernel(self) -> np.ndarray:
        """The chosen kernel, 3 x 3."""
        name = self.values["kernel"]
        return parse_kernel(self.values["custom"]) if name == "custom" else np.array(KERNELS[name], float)

    def side(self) -> int:
        """The feature map's side for the current stride and padding."""
        return output_size(H, K, self.values["stride"], self.values["padding"])

    def step_max(self) -> int:
        return self.side() ** 2 - 1

    def linked(self, changes: dict) -> dict:
        """Typing a kernel picks it; a new stride or padding keeps the cell on the map."""
        follow = {"kernel": "custom"} if "custom" in changes else {}
        if "stride" in changes or "padding" in changes:
            follow["step"] = min(self.values["step"], self.step_max())
        return follow

    def draw_background(self) -> None:
        v = self.values
        s, p = v["stride"], v["padding"]
        img, self.weights = image(v["image"]), self.kernel()
        self.padded = np.pad(img, p)
        self.map = feature_map(img, self.weights, s, p)
        hp, side = H + 2 * p, self.side()
        self.inputs.show(self.padded, 0.0, 1.0)
        tint = np.zeros((hp, hp, 4))
        tint[:, :] = (0.94, 0.89, 0.26, 0.35)  # style.YELLOW, see-through: the padding
        tint[p:p + H, p:p + H, 3] = 0.0
        self.tint.set_data(tint)
        self.tint.set_extent((-0.5, hp - 0.5, hp - 0.5, -0.5))
        self.kernel_cells.show(self.weights, -_limit(self.weights), _limit(self.weights))
        self.outputs.show(self.map, -_limit(self.map), _limit(self.map), frame=max(side, SMALLEST_FRAME))
        name = "yours" if v["kernel"] == "custom" else v["kernel"]
        self.title_in.set_text(f"input {H} \u00d7 {H}" + (f", padded by {p} (yellow: zeros)" if p else ""))
        self.title_k.set_text(f"kernel ({name})")
        self.title_out.set_text(f"feature map {side} \u00d7 {side}")
        self.formula.set_text(
            f"output size = \u230a(H + 2p \u2212 k) / s\u230b + 1 = \u230a({H} + 2\u00b7{p} \u2212 {K}) / {s}\u230b + 1"
            f" = \u230a{H + 2 * p - K} / {s}\u230b + 1 = {side}, so the feature map is {side} \u00d7 {side}")

    def draw(self) -> None:
        s = self.values["stride"]
        i, j = cell_of(self.values["step"], self.map.shape[0])
        self.inputs.box(i * s, j * s, K)
        self.outputs.cover((i, j))
        self.outputs.box(i, j)
        window = self.padded[i * s:i * s + K, j * s:j * s + K]
        self.sums.set_text(f"{window_text(window, self.weights)}\n= {number(self.map[i, j])}")

    def storyboard(self):
        """The kernel slides over a digit one cell at a time; then stride 2, then padding 1."""
        for stride, padding, ms in ((1, 0, 220), (2, 0, 450), (1, 1, 130)):
            last = output_size(H, K, stride, padding) ** 2 - 1
            for step in range(last + 1):
                yield (dict(image="digit 2", kernel="edges in x", stride=stride, padding=padding, step=step),
                       1800 if step == last else ms)
