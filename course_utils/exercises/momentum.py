"""Exercise of the Optimizers chapter: one step of SGD with momentum.

The checker uses the course's own optimizer (:mod:`course_utils.nn.optim`) as the
reference, so what passes here is what ``optim.SGD`` (and PyTorch's) computes.
"""

from __future__ import annotations

import copy

import numpy as np

from ..nn import optim
from ..nn.module import Parameter
from .check import (Feedback, as_numbers, error_message, mismatch, not_a_function, show, show_pair,
                    unattempted)

__all__ = ["check_momentum_step"]

_RTOL, _ATOL = 1e-6, 1e-9


def _reference_step(w, grad, velocity, lr, momentum):
    """One step of ``optim.SGD(lr=lr, momentum=momentum)`` whose momentum buffer holds
    ``velocity``: returns ``(new_w, new_velocity)``.

    With ``momentum = 0`` SGD keeps no buffer; the formula
    ``velocity = momentum * velocity + grad`` then gives ``velocity = grad``.
    """
    param = Parameter(np.array(w, dtype=float))
    optimizer = optim.SGD([param], lr=lr, momentum=momentum)
    if momentum != 0:
        optimizer.state[0]["momentum_buffer"] = np.array(velocity, dtype=float)
        optimizer.state[0]["step"] = 1
    param.grad = np.array(grad, dtype=float)
    optimizer.step()
    new_velocity = optimizer.state[0].get("momentum_buffer", np.array(grad, dtype=float))
    return param.data.copy(), np.array(new_velocity, dtype=float)


def _show_call(w, grad, velocity, lr, momentum) -> str:
    return (f"momentum_step(w={show(w, 4)}, grad={show(grad, 4)}, velocity={show(velocity, 4)}, "
            f"lr={lr!r}, momentum={momentum!r})")


def _near(got, want) -> bool:
    return np.allclose(got, want, rtol=_RTOL, atol=_ATOL)


_OTHER_CONVENTION = (
    "you put the learning rate inside the velocity. Some books write v = momentum * v - lr * grad "
    "and w = w + v (or v = momentum * v + lr * grad and w = w - v). With a constant lr that "
    "traces the same path, but its velocity is ours multiplied by -lr (or lr), so the two "
    "don't mix. The course and PyTorch keep lr out of the velocity: "
    "velocity = momentum * velocity + grad, then w = w - lr * velocity.")
_GENERIC = ("first the velocity remembers the gradients, velocity = momentum * velocity + grad; "
            "then the weights step against it, w = w - lr * velocity. Return both: "
            "return new_w, new_velocity.")


def _diagnose(w, grad, velocity, lr, momentum, got_w, got_v, ref_w, ref_v) -> str:
    """The hint for a wrong ``(got_w, got_v)``: the first common mistake it matches."""
    m = momentum
    w_right, v_right = _near(got_w, ref_w), _near(got_v, ref_v)
    if not w_right and not v_right and _near(got_w, ref_v) and _near(got_v, ref_w):
        return "both numbers are right but in the wrong order: return new_w first, then new_velocity."
    if not v_right and (_near(got_v, m * velocity - lr * grad) or _near(got_v, m * velocity + lr * grad)):
        return _OTHER_CONVENTION
    if not v_right and 0 < m < 1 and _near(got_v, m * velocity + (1 - m) * grad):
        return ("your velocity is an average, momentum * velocity + (1 - momentum) * grad. The course "
                "and PyTorch add the whole gradient: velocity = momentum * velocity + grad (so steps "
                "grow up to 1 / (1 - momentum) times longer on a steady slope).")
    if not v_right and _near(got_v, velocity):
        return ("the velocity you return is the one you were given: return the new one too, "
                "return new_w, new_velocity, with new_velocity = momentum * velocity + grad.")
    if not v_right and _near(got_v, grad):
        return ("your new velocity is just the gradient: it forgets the old velocity. Momentum keeps "
                "a fraction of it: velocity = momentum * velocity + grad.")
    if not v_right and (_near(got_v, m * velocity - grad) or _near(got_v, -ref_v)):
        return ("check the signs. The velocity adds up gradients, velocity = momentum * velocity + grad "
                "(it points uphill, like the gradient), and the step goes against it: "
                "w = w - lr * velocity.")
    if v_right and _near(got_w, w - lr * velocity):
        return ("your step uses the old velocity. Update the velocity first, then step with the new "
                "one: w = w - lr * new_velocity.")
    if v_right and _near(got_w, w + lr * ref_v):
        return ("your step goes uphill: the velocity points along the gradient, so the weights must "
                "move against it: w = w - lr * velocity (minus, not plus).")
    if v_right:
        return ("your new velocity is right but new_w is not: step against the new velocity, "
                "w = w - lr * velocity.")
    if w_right:
        return ("new_w is right but the velocity you return is not: return the same velocity you "
                "stepped with, momentum * velocity + grad.")
    if _near(np.asarray(got_w) - w, -(ref_w - w)):
        return "your step has the right size but goes uphill: check the signs. " + _GENERIC
    return _GENERIC


def _call_one(student, w, grad, velocity, lr, momentum, where: str):
    """Call the student's function on copies; return ``(feedback, None)`` when something
    other than a pair of numbers came back, else ``(None, (new_w, new_velocity))``."""
    args = copy.deepcopy((w, grad, velocity, lr, momentum))
    try:
        result = student(*args)
    except NotImplementedError:
        return Feedback(None, "fill in momentum_step and run this cell again."), None
    except Exception as exc:  # noqa: BLE001 - the student's code failed: say where, don't crash
        return Feedback(False, f"{where}{_show_call(w, grad, velocity, lr, momentum)} raised "
                               f"{type(exc).__name__}: {error_message(exc)}. Hint: {_GENERIC}"), None
    if unattempted(result):
        return Feedback(None, "momentum_step returns nothing yet: fill it in and run this cell "
                              "again."), None
    shape = np.shape(w)
    if isinstance(result, np.ndarray) and result.shape == (2,) + shape and shape:
        result = tuple(result)
    if not isinstance(result, (tuple, list)):
        return Feedback(False, f"{where}{_show_call(w, grad, velocity, lr, momentum)} returned a "
                               f"single value, {show(result)}. Hint: return two things, the new "
                               "weights and the new velocity: return new_w, new_velocity (the "
                               "velocity must be handed back for the next step)."), None
    if len(result) != 2:
        return Feedback(False, f"{where}{_show_call(w, grad, velocity, lr, momentum)} returned "
                               f"{len(result)} values; it must return exactly two: "
                               "return new_w, new_velocity."), None
    got_w, got_v = result
    if unattempted(got_v):
        return Feedback(False, f"{where}{_show_call(w, grad, velocity, lr, momentum)} returned no "
                               "new velocity. Hint: the next step needs it: compute "
                               "new_velocity = momentum * velocity + grad and return "
                               "new_w, new_velocity."), None
    for what, got in (("new_w", got_w), ("new_velocity", got_v)):
        reason = as_numbers(got, shape)[1]
        if reason:
            return Feedback(False, f"{where}{_show_call(w, grad, velocity, lr, momentum)}: your "
                                   f"{what} {reason}. Hint: new_w and new_velocity are arrays with "
                                   "the shape of w."), None
    return None, (np.asarray(got_w, dtype=float), np.asarray(got_v, dtype=float))


def _compare(w, grad, velocity, lr, momentum, got, ref, where: str) -> Feedback | None:
    (got_w, got_v), (ref_w, ref_v) = got, ref
    if mismatch(got_w, ref_w, _RTOL, _ATOL) or mismatch(got_v, ref_v, _RTOL, _ATOL):
        with np.errstate(all="ignore"):  # a student's inf or 1e308 in the arithmetic of the hints
            hint = _diagnose(w, grad, velocity, lr, momentum, got_w, got_v, ref_w, ref_v)
        (got_w, ref_w), (got_v, ref_v) = (show_pair(got_w, ref_w, _RTOL, _ATOL),
                                          show_pair(got_v, ref_v, _RTOL, _ATOL))
        return Feedback(False, f"{where}{_show_call(w, grad, velocity, lr, momentum)} returned "
                               f"new_w = {got_w}, new_velocity = {got_v}; expected "
                               f"new_w = {ref_w}, new_velocity = {ref_v}. Hint: {hint}")
    return None


#: Single steps: (w, grad, velocity, lr, momentum). A scalar, vectors, a matrix, momentum 0.
_MOMENTUM_CASES = [
    (np.array([2.0]), np.array([0.5]), np.array([0.8]), 0.2, 0.9),
    (np.array([1.0, -2.0, 0.5]), np.array([0.3, -0.4, 1.2]), np.zeros(3), 0.05, 0.9),
    (np.array([1.0, -2.0, 0.5]), np.array([0.3, -0.4, 1.2]), np.array([-0.2, 0.6, 0.1]), 0.05, 0.5),
    (np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([[0.1, 0.2], [-0.3, 0.4]]),
     np.array([[1.0, -0.5], [0.25, 0.3]]), 0.2, 0.8),
    (np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([3.0, -3.0]), 0.1, 0.0),
]
#: The run: start, curvatures c of the loss 0.5 * sum(c * w**2), lr, momentum, steps.
_MOMENTUM_RUN = (np.array([1.5, -2.0]), np.array([1.0, 5.0]), 0.1, 0.9, 6)


def check_momentum_step(momentum_step) -> Feedback:
    """``momentum_step(w, grad, velocity, lr, momentum)`` must return
    ``(new_w, new_velocity)`` for one step of SGD with momentum, in PyTorch's convention::

        new_velocity = momentum * velocity + grad
        new_w        = w - lr * new_velocity

    ``w``, ``grad`` and ``velocity`` are arrays of the same shape; the velocity starts
    at zeros, so the first step is plain SGD (PyTorch sets its buffer to the gradient
    on the first step: the same thing). With ``momentum = 0`` it is plain SGD.

    Checked against ``optim.SGD`` on single steps (a 1-element array, vectors, a 2x2
    matrix, momentum 0) and on a run of several steps from zero velocity.
    """
    problem = not_a_function(momentum_step, "momentum_step", "w, grad, velocity, lr, momentum")
    if problem is not None:
        return problem
    for w, grad, velocity, lr, momentum in _MOMENTUM_CASES:
        ref = _reference_step(w, grad, velocity, lr, momentum)
        problem, got = _call_one(momentum_step, w, grad, velocity, lr, momentum, "")
        if problem is None:
            problem = _compare(w, grad, velocity, lr, momentum, got, ref, "")
        if problem is not None:
            return problem

    start, curvatures, lr, momentum, steps = _MOMENTUM_RUN
    param = Parameter(start)
    optimizer = optim.SGD([param], lr=lr, momentum=momentum)
    w, velocity = start.copy(), np.zeros_like(start)
    for step in range(1, steps + 1):
        grad = curvatures * w
        param.grad = curvatures * param.data
        optimizer.step()
        ref = param.data.copy(), optimizer.state[0]["momentum_buffer"].copy()
        where = (f"in a run of {steps} steps from velocity 0 on the loss 0.5 * sum(c * w**2), "
                 f"c = {show(curvatures)} (grad = c * w), step {step}, ")
        problem, got = _call_one(momentum_step, w, grad, velocity, lr, momentum, where)
        if problem is None:
            problem = _compare(w, grad, velocity, lr, momentum, got, ref, where)
        if problem is not None:
            return problem
        w, velocity = got
    return Feedback(True, f"momentum_step matches optim.SGD on all {len(_MOMENTUM_CASES)} single "
                          f"steps and on a run of {steps} steps.")
