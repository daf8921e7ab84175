"""Exercise of the Optimizers chapter: a learning rate that makes gradient descent
converge on a valley.

Runs use the course's own optimizer (:mod:`course_utils.nn.optim`), so what passes
here is what ``optim.SGD`` (and PyTorch's) computes.
"""

from __future__ import annotations

import math

import numpy as np

from ..nn import optim
from ..nn.module import Parameter
from .check import Feedback, as_numbers, unattempted

__all__ = [
    "CURVATURES",
    "DIVERGED_LOSS",
    "MAX_STEPS",
    "START",
    "TARGET_LOSS",
    "check_learning_rate",
    "gradient",
    "learning_rate_run",
    "loss",
]


#: The loss is f(x, y) = 0.5 * (CURVATURES[0] * x**2 + CURVATURES[1] * y**2): a valley that
#: is gentle along x and ten times steeper along y.
CURVATURES = (1.0, 10.0)
#: Where gradient descent starts; the loss there is 0.5 * (4 + 10) = 7.
START = (2.0, 1.0)
#: The loss must drop below this ...
TARGET_LOSS = 1e-3
#: ... within this many steps.
MAX_STEPS = 30
#: A run whose loss grows past this has diverged and is stopped.
DIVERGED_LOSS = 1e6

_C = np.array(CURVATURES)


def loss(point) -> float:
    """f(x, y) = 0.5 * (x**2 + 10 * y**2) at ``point = (x, y)``."""
    point = np.asarray(point, dtype=float)
    return float(0.5 * np.sum(_C * point * point))


def gradient(point) -> np.ndarray:
    """The gradient of :func:`loss`: (x, 10 * y)."""
    return _C * np.asarray(point, dtype=float)


def _lr_problem(lr):
    """``(None, lr as a float)`` for a usable learning rate, else ``(message, None)``."""
    number, problem = as_numbers(lr, ())
    if problem:
        return f"lr {problem}. A learning rate is a positive number such as 0.01.", None
    value = float(number)
    if math.isnan(value):
        return "lr is nan (not a number): give a positive number such as 0.01.", None
    if math.isinf(value):
        return "lr is infinite: a step size must be a finite positive number.", None
    if value < 0:
        return (f"lr = {value:g} is negative: w - lr * grad would then move along the gradient, "
                "uphill, and the loss would grow. A learning rate is a positive step size."), None
    if value == 0:
        return (f"with lr = 0 the point never moves and the loss stays at {loss(START):g}. "
                "Give a positive number."), None
    return None, value


def _run(lr: float):
    """Plain gradient descent with ``optim.SGD``: ``(losses, points)`` from the start
    (index 0) to step MAX_STEPS, or to the first step whose loss passes DIVERGED_LOSS
    (included when it is a finite number; the run stops there)."""
    param = Parameter(np.array(START, dtype=float))
    optimizer = optim.SGD([param], lr=lr)
    losses, points = [loss(param.data)], [param.data.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(MAX_STEPS):
            param.grad = gradient(param.data)
            optimizer.step()
            value = 0.5 * float(np.sum(_C * param.data * param.data))
            if math.isfinite(value):
                losses.append(value)
                points.append(param.data.copy())
            if not value <= DIVERGED_LOSS:  # also true for inf and nan
                break
    return np.array(losses), np.array(points)


def learning_rate_run(lr) -> np.ndarray:
    """The loss of plain gradient descent with learning rate ``lr`` on
    f(x, y) = 0.5 * (x**2 + 10 * y**2) from START: entry k is the loss after k steps
    (entry 0 is the starting loss, 7), up to MAX_STEPS steps.

    A run that diverges stops at the first step whose loss passes DIVERGED_LOSS, so the
    array is then shorter (it holds finite numbers only). Raises ValueError for an
    ``lr`` that is not a positive finite number.
    """
    message, value = _lr_problem(lr)
    if message:
        raise ValueError(message)
    return _run(value)[0]


def _sig(x: float) -> str:
    return f"{x:.2g}"


_DIVERGED_TEXT = f"{DIVERGED_LOSS:,.0f}"


def check_learning_rate(lr) -> Feedback:
    """Choose ``lr`` so that plain gradient descent, ``w = w - lr * grad``, brings the loss

        f(x, y) = 0.5 * (x**2 + 10 * y**2)

    from START = (2, 1) (loss 7) below TARGET_LOSS = 1e-3 within MAX_STEPS = 30 steps.

    Closed form: each step multiplies x by (1 - lr) and y by (1 - 10 * lr), so after k
    steps the loss is 2 * (1 - lr)**(2k) + 5 * (1 - 10 * lr)**(2k). Too small an lr
    crawls along the gentle x direction; above 2 / 10 = 0.2 the steep y direction
    diverges. The learning rates that work form one interval, about 0.119 to 0.187.
    """
    if unattempted(lr):
        return Feedback(None, "put your learning rate in place of None and run this cell again.")
    message, value = _lr_problem(lr)
    if message:
        return Feedback(False, message)
    losses, points = _run(value)
    shown = f"{value:.6g}"
    below = np.flatnonzero(losses < TARGET_LOSS)
    if below.size:
        later = (f" (after {MAX_STEPS} steps it is {_sig(losses[-1])})"
                 if below[0] < MAX_STEPS else "")
        return Feedback(True, f"lr = {shown} works: the loss drops below {TARGET_LOSS:g} at step "
                              f"{below[0]}{later}.")

    c_gentle, c_steep = min(CURVATURES), max(CURVATURES)
    limit = 2 / c_steep
    if value < 2 / (c_gentle + c_steep):  # below the best lr: the gentle direction is too slow
        factor = 1 - value * c_gentle
        return Feedback(False, f"with lr = {shown}, after {MAX_STEPS} steps the loss is still "
                               f"{_sig(losses[-1])} (target: below {TARGET_LOSS:g}). Hint: take "
                               f"bigger steps. Along the gentle x direction each step only "
                               f"multiplies x by 1 - lr = {factor:.4g}, so x creeps towards 0.")

    limit_text = (f"along y the curvature is {c_steep:g}, and gradient descent only settles there "
                  f"when lr < 2 / {c_steep:g} = {limit:g}")
    start = losses[0]
    over = np.flatnonzero(losses > start)
    stopped = len(losses) <= MAX_STEPS  # the loss passed DIVERGED_LOSS before the last step
    if stopped or over.size:
        events = []
        if over.size:
            events.append(f"passed its starting value {start:g} at step {over[0]}")
        if stopped:
            # the step that passed DIVERGED_LOSS is kept when its loss is a finite number
            step = len(losses) - 1 if losses[-1] > DIVERGED_LOSS else len(losses)
            events.append(f"grew past {_DIVERGED_TEXT} at step {step}, where the run was stopped")
        else:
            events.append(f"is {_sig(losses[-1])} after {MAX_STEPS} steps")
        return Feedback(False, f"with lr = {shown} gradient descent diverged: y flips sign and "
                               f"grows at every step, and the loss {' and '.join(events)}. Hint: "
                               f"each step overshoots the valley in its steep direction; "
                               f"{limit_text}. Take smaller steps.")
    ys = points[:, 1]
    if abs(ys[-1]) >= abs(ys[0]) * (1 - 1e-9):
        how = "keeps swinging from one side of the valley to the other without getting closer"
    else:
        how = "swings from one side of the valley to the other and closes in only slowly"
    return Feedback(False, f"with lr = {shown} gradient descent oscillated without converging: "
                           f"y {how}, and after {MAX_STEPS} steps the loss is still "
                           f"{_sig(losses[-1])} (target: below {TARGET_LOSS:g}). Hint: {limit_text}; "
                           f"the closer lr is to {limit:g}, the longer the zig-zag lasts. Take a "
                           "slightly smaller step.")
