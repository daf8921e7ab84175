"""The 3 x 3 kernels and 8 x 8 images the convolution pictures use, and the feature map
of an image computed by the engine's own ``nn.Conv2d``.

The math (cross-correlation, as in PyTorch and the engine: the kernel is not flipped)::

    out[i, j] = sum over u, v < k of  x_pad[i*s + u, j*s + v] * K[u, v]

with ``x_pad`` the image with ``p`` rows and columns of zeros around it and ``s`` the
stride; the map has ``⌊(H + 2p − k) / s⌋ + 1`` rows and as many columns.
"""

from __future__ import annotations

import math

import numpy as np

from . import data, nn

K = 3  # the kernel's side
H = 8  # the images' side
#: Three handwritten digits, by their index in data.digits().
DIGITS = {"digit 0": 812, "digit 2": 600, "digit 7": 689}
IMAGE_CHOICES = tuple(DIGITS) + data.PATTERNS
KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "blur": [[1 / 9] * 3] * 3,  # the average of the nine pixels
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "edges in x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],  # Sobel: large where it gets brighter to the right
    "edges in y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],  # ... brighter downwards
}
KERNEL_CHOICES = tuple(KERNELS) + (("yours (typed below)", "custom"),)
LIMIT = 100.0  # the largest number a typed kernel may hold


def image(name: str) -> np.ndarray:
    """The 8 x 8 image called ``name`` (one of :data:`IMAGE_CHOICES`), values 0 to 1."""
    if name in DIGITS:
        return np.array(data.digits()[0][DIGITS[name]])
    return data.pattern(name, H)


def parse_kernel(text: str) -> np.ndarray:
    """Nine numbers, row by row, as a 3 x 3 kernel. Spaces, commas and brackets may
    separate them (``"1 0 -1 2 0 -2 1 0 -1"``, ``"[[1, 0, -1], ...]"``). Raises a
    ValueError in plain words for anything else."""
    for sign in "[](),;":
        text = text.replace(sign, " ")
    parts = text.replace("\u2212", "-").split()
    if len(parts) != K * K:
        raise ValueError(f"give nine numbers separated by spaces; got {len(parts) or 'none'}")
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"{part!r} is not a number; give nine numbers separated by spaces") from None
        if not math.isfinite(value):
            raise ValueError(f"{part!r} is not a number you can compute with; give nine numbers")
        if abs(value) > LIMIT:
            raise ValueError(f"{part} is out of range: keep each number between "
                             f"\u2212{LIMIT:g} and {LIMIT:g}")
        values.append(value)
    return np.array(values).reshape(K, K)


def output_size(h: int, k: int, stride: int, padding: int) -> int:
    """Cells along one side of the output: ``⌊(h + 2 padding − k) / stride⌋ + 1``."""
    return (h + 2 * padding - k) // stride + 1


def feature_map(img: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """``img`` (H, W) convolved with ``kernel`` (k, k) by the engine's ``nn.Conv2d``
    (weight = kernel, no bias): the feature map, shape (H_out, W_out)."""
    kernel = np.asarray(kernel, dtype=float)
    conv = nn.Conv2d(1, 1, kernel.shape, stride=stride, padding=padding, bias=False, rng=0)
    conv.weight.data[0, 0] = kernel
    return conv(np.asarray(img, dtype=float)[None, None])[0, 0]
