"""Exercises of the Convolutional networks chapter: the output size, a convolution in
numpy, and the parameter count of a convolutional layer.

Each checker compares with the right answer (the convolution with the engine's own
``nn.Conv2d``) and, for a wrong one, looks for the common mistake it matches, so the hint
names what went wrong.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from .. import nn
from .check import Feedback, agrees, as_numbers, brief, call_quietly, check_function, check_value, show



def _output_size(h, k, s, p):
    return (h + 2 * p - k) // s + 1


#: (h, k, s, p): several where the floor matters, and two famous first layers,
#: AlexNet's (227, 11, 4, 0) and ResNet's (224, 7, 2, 3).
_SIZE_CASES = [(8, 3, 1, 0), (8, 3, 1, 1), (8, 3, 2, 0), (7, 3, 2, 0), (6, 3, 3, 1), (10, 3, 3, 2),
               (28, 5, 1, 2), (28, 3, 2, 1), (5, 5, 1, 0), (32, 3, 2, 1), (227, 11, 4, 0), (224, 7, 2, 3)]
_SIZE_HINT = ("the window fits in (h + 2p - k) // s + 1 places along a side: the padded side is "
              "h + 2p; the window's first place is at 0 and its last at h + 2p - k; counting "
              "every s-th place from 0 to there gives (h + 2p - k) // s + 1.")
_SIZE_MISTAKES = [
    (lambda h, k, s, p: (h + 2 * p - k) / s + 1,
     "round down: a window that would hang over the edge is not a place, so use // (floor "
     "division), not /. (8 - 3) / 2 = 2.5, and 2.5 places is 2 places plus a half that does not fit."),
    (lambda h, k, s, p: math.ceil((h + 2 * p - k) / s) + 1,
     "round down, not up: the last window must fit entirely inside the padded image, so use //."),
    (lambda h, k, s, p: (h + 2 * p - k) // s,
     "add 1: (h + 2p - k) // s counts the steps between the first place and the last, and the "
     "first place (at 0) counts too."),
    (lambda h, k, s, p: (h + 2 * p - k + 1) // s,
     "add the 1 after dividing: (h + 2p - k) // s + 1, not (h + 2p - k + 1) // s."),
    (lambda h, k, s, p: (h + p - k) // s + 1,
     "padding goes on both sides: p rows above and p below, so the padded side is h + 2p."),
    (lambda h, k, s, p: (h - k) // s + 1,
     "the padding is missing: the window slides over the padded image, h + 2p pixels a side."),
    (lambda h, k, s, p: h + 2 * p - k + 1,
     "divide by the stride: the window moves s pixels at a time, so it visits only every s-th place."),
]


def _behaves_like(student: Callable, wrong: Callable, cases: Sequence[tuple]) -> bool:
    """True when ``student`` gives what ``wrong`` gives on every case."""
    return all(agrees(call_quietly(student, case), wrong(*case)) for case in cases)


def _first_wrong(student: Callable, reference: Callable, cases: Sequence[tuple]):
    """``(case, what the student returned)`` for the first case where ``student`` disagrees
    with ``reference``; ``None`` when it agrees everywhere or raises first (check_function
    reports that)."""
    for case in cases:
        got = call_quietly(student, case)
        if isinstance(got, Exception):
            return None
        if not agrees(got, reference(*case)):
            return case, got
    return None


def check_output_size(output_size) -> Feedback:
    """``output_size(h, k, s, p)``: how many cells a side of a convolution's output has,
    for a side of ``h`` pixels, a ``k`` x ``k`` kernel, stride ``s`` and padding ``p``:
    ``(h + 2p - k) // s + 1``."""
    hint = _SIZE_HINT
    if callable(output_size):
        hint = next((h for mistake, h in _SIZE_MISTAKES if _behaves_like(output_size, mistake, _SIZE_CASES)),
                    hint)
    return check_function(output_size, _output_size, _SIZE_CASES, name="output_size", hint=hint)


def _conv2d(image, kernel):
    """The engine's answer: ``nn.Conv2d`` with one channel in and out, the weight set to
    ``kernel``, no bias, stride 1, no padding."""
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    layer = nn.Conv2d(1, 1, kernel.shape, bias=False, rng=0)
    layer.weight.data[0, 0] = kernel
    return layer(image[None, None])[0, 0]


def _conv2d_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(12)
    sobel = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    digit = np.zeros((8, 8))
    digit[1:7, 2:4] = 1.0
    digit[1, 2:6] = 1.0
    return [
        (rng.integers(0, 5, size=(4, 4)).astype(float), np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [3.0, 0.0, 0.0]])),
        (rng.normal(size=(5, 7)).round(2), rng.normal(size=(3, 3)).round(2)),  # wider than tall
        (rng.normal(size=(6, 5)).round(2), np.array([[1.0, -1.0, 2.0], [0.5, 0.0, -2.0]])),  # a 2 x 3 kernel
        (digit, sobel),
        (rng.normal(size=(3, 3)).round(2), rng.normal(size=(3, 3)).round(2)),  # one place: 1 x 1
        (rng.normal(size=(3, 4)).round(2), np.array([[2.0]])),
    ]


_CONV_HINT = ("slide the kernel over every place where it fits entirely: out[i, j] = "
              "np.sum(image[i:i+kh, j:j+kw] * kernel) for i in range(H - kh + 1) and j in "
              "range(W - kw + 1), with (H, W) = image.shape and (kh, kw) = kernel.shape. "
              "An IndexError or a shape error often means rows and columns are mixed up.")


def _conv_hint(image: np.ndarray, kernel: np.ndarray, got: Any) -> str:
    """The hint for ``got``, a wrong answer for ``conv2d(image, kernel)``."""
    want = _conv2d(image, kernel)
    (h, w), (kh, kw) = image.shape, kernel.shape
    arr = as_numbers(got)[0]
    shape = None if arr is None else arr.shape
    if shape == want.shape and agrees(arr, _conv2d(image, kernel[::-1, ::-1])):
        return ("your kernel is flipped (turned by 180 degrees): that is convolution as "
                "mathematicians define it. Deep-learning libraries, PyTorch and our engine, "
                "slide the kernel as it is (cross-correlation): out[i, j] = "
                "np.sum(image[i:i+kh, j:j+kw] * kernel), with no flipping.")
    if shape != want.shape and shape == want.shape[::-1] or shape == want.shape and (
            agrees(arr, want.T) or kh == kw and agrees(arr, _conv2d(image, kernel.T))):
        return ("rows and columns are swapped somewhere: image[i, j] is row i (going down) and "
                "column j (going across); out[i, j] uses image[i:i+kh, j:j+kw] and kernel "
                "as it is, with (kh, kw) = kernel.shape and rows first.")
    if shape == (h, w):
        return (f"your output is as large as the image, {h} x {w}: with no padding the kernel "
                f"fits in only {h} - {kh} + 1 = {h - kh + 1} places down and {w - kw + 1} "
                "across, so the output is (H - kh + 1) x (W - kw + 1).")
    if shape == (h - kh, w - kw):
        return (f"one row and one column are missing: the kernel's last place starts at row "
                f"{h - kh}, so loop over range(H - kh + 1), not range(H - kh).")
    if shape is not None and shape != want.shape:
        return (f"the output should be (H - kh + 1) x (W - kw + 1) = {want.shape[0]} x "
                f"{want.shape[1]} here, one number for every place the kernel fits. " + _CONV_HINT)
    return _CONV_HINT


def check_conv2d(conv2d) -> Feedback:
    """``conv2d(image, kernel)``: the 2-D convolution of a one-channel ``image`` (H, W)
    with ``kernel`` (kh, kw) as deep-learning libraries compute it (cross-correlation: the
    kernel is not flipped), stride 1, no padding: an array (H - kh + 1, W - kw + 1) with
    ``out[i, j] = sum(image[i:i+kh, j:j+kw] * kernel)``. Checked against ``nn.Conv2d``."""
    cases = _conv2d_cases()
    hint = _CONV_HINT
    wrong = _first_wrong(conv2d, _conv2d, cases) if callable(conv2d) else None
    if wrong is not None:
        (image, kernel), got = wrong
        hint = _conv_hint(image, kernel, got)
    return check_function(conv2d, _conv2d, cases, name="conv2d", hint=hint)


def conv_parameters(in_channels: int, out_channels: int, kernel_size: int) -> int:
    """Weights and biases of ``nn.Conv2d(in_channels, out_channels, kernel_size)``: each of
    the ``out_channels`` filters has ``in_channels * k * k`` weights and one bias."""
    return in_channels * out_channels * kernel_size ** 2 + out_channels


def check_conv_parameters(answer, in_channels: int = 8, out_channels: int = 16,
                          kernel_size: int = 3) -> Feedback:
    """``answer``: the number of weights and biases of ``nn.Conv2d(in_channels,
    out_channels, kernel_size)`` (1,168 for 8, 16 and 3: the second layer of the chapter's
    CNN)."""
    sizes = (in_channels, out_channels, kernel_size)
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes):
        raise ValueError(f"the layer's sizes must be whole numbers >= 1, got {brief(sizes)}")  # the notebook's: a bug
    c_in, c_out, k = sizes
    right = conv_parameters(c_in, c_out, k)
    mistakes = {
        c_in * c_out * k * k: "that counts the weights only: each filter also has one bias.",
        c_in * c_out * k * k + 1: f"each of the {c_out} filters has a bias of its own, not one for the layer.",
        c_in * c_out * k * k + c_in: f"there is one bias per filter, so {c_out} biases (one per output "
                                     f"channel), not one per input channel.",
        c_out * k * k + c_out: f"each filter looks at all {c_in} input channels at once: it has "
                               f"{c_in} x {k} x {k} weights, not {k} x {k}.",
        c_in * c_out * k + c_out: f"a kernel of size {k} is {k} x {k} = {k * k} weights for each pair of "
                                  f"input and output channels, not {k}.",
        c_in * k * k + 1: f"that is one filter; the layer has {c_out} of them (one per output channel).",
    }
    number = as_numbers(answer, ())[0]
    if number is not None and np.isfinite(number) and number != right and float(number) in mistakes:
        return Feedback(False, f"{show(answer)} is not right. Hint: {mistakes[float(number)]}")
    return check_value(answer, right, name=f"the parameter count of nn.Conv2d({c_in}, {c_out}, {k})",
                       hint="each of the out_channels filters has in_channels x k x k weights and "
                            "one bias: in_channels * out_channels * k * k + out_channels.")
