"""Exercises of the Backpropagation chapter."""

from __future__ import annotations

import math

import numpy as np

from ..nn.autograd import Value
from .check import Feedback, as_numbers, brief, call_outcome, call_quietly, check_value, not_a_function, show

#: The operations of exercise 1: name -> (the expression, its inputs, d out / d input for each).
LOCAL = {
    "add": ("out = a + b at a = 2, b = -3", (2.0, -3.0), lambda a, b: (1.0, 1.0)),
    "mul": ("out = a * b at a = 2, b = -3", (2.0, -3.0), lambda a, b: (b, a)),
    "tanh": ("out = tanh(a) at a = 0.5", (0.5,), lambda a: (1.0 - math.tanh(a) ** 2,)),
}
_LOCAL_HINTS = {
    "add": "a sum changes one for one with each of its inputs: nudge a by 0.001 and out moves by 0.001.",
    "mul": "d(a*b)/da is b and d(a*b)/db is a: each input's derivative is the other input.",
    "tanh": "d tanh(a)/da = 1 - tanh(a)**2. Compute tanh(0.5) first (np.tanh).",
}


def check_local_gradients(op: str, answer) -> Feedback:
    """``answer``: the local derivatives of ``LOCAL[op]``'s output with respect to each of
    its inputs, as a number (one input) or a pair (two), checked against ``Value``."""
    if not isinstance(op, str) or op not in LOCAL:  # the notebook's own argument: a bug
        raise ValueError(f"op must be one of {sorted(LOCAL)}, got {brief(op)}")
    what, inputs, _ = LOCAL[op]
    values = [Value(x) for x in inputs]
    out = values[0] + values[1] if op == "add" else values[0] * values[1] if op == "mul" else values[0].tanh()
    out.backward()
    want = np.array([v.grad for v in values])
    if len(want) == 1:
        return check_value(answer, float(want[0]), name=f"d out/da for {what}", hint=_LOCAL_HINTS[op],
                           rtol=1e-3)
    got, problem = as_numbers(answer, (2,))
    if problem:
        if answer is None or answer is Ellipsis:
            return check_value(answer, 0.0, name=f"the pair (d out/da, d out/db) for {what}", hint="")
        return Feedback(False, f"give two numbers, (d out/da, d out/db), for {what}: your answer {problem}.")
    if np.allclose(got, want, rtol=1e-3, atol=1e-9):
        return Feedback(True, f"(d out/da, d out/db) = ({show(want[0])}, {show(want[1])}) for {what}.")
    if np.allclose(got, want[::-1], rtol=1e-3, atol=1e-9):
        return Feedback(False, f"{show(got)} has the two derivatives swapped: the first is d out/da.")
    return Feedback(False, f"{show(got)} is not (d out/da, d out/db) for {what}. Hint: {_LOCAL_HINTS[op]}")


# Exercise 2: the backward rule of x ** 3 (a cube node), checked by finite differences.
_CUBE_POINTS = (0.0, 0.5, -1.5, 2.0, 3.0)


def check_cube_backward(cube_backward) -> Feedback:
    """``cube_backward(x, grad_out)`` must return dL/dx for a node ``out = x ** 3``, given
    ``grad_out = dL/d out``: ``3 x**2 * grad_out``, checked against central finite
    differences of ``x ** 3`` (not against the engine)."""
    name = "cube_backward"
    wrong = not_a_function(cube_backward, name, "x, grad_out")
    if wrong is not None:
        return wrong
    hint = ("the chain rule multiplies the local derivative, d(x**3)/dx = 3 x**2, by the gradient "
            "that arrives from above, grad_out.")
    for x in _CUBE_POINTS:
        for grad_out in (1.0, -2.0):
            h = 1e-5
            want = grad_out * ((x + h) ** 3 - (x - h) ** 3) / (2 * h)  # finite differences
            where = f"{name}({x}, {grad_out})"
            feedback, got = call_outcome(call_quietly(cube_backward, (x, grad_out)), where, name, hint)
            if feedback is not None:  # (a Feedback is truthy only when it passed)
                return feedback
            number, problem = as_numbers(got, ())
            if problem:
                return Feedback(False, f"{where} should return one number; your answer {problem}.")
            if not math.isclose(float(number), want, rel_tol=1e-4, abs_tol=1e-6):
                said = hint
                if math.isclose(float(number), want / grad_out, rel_tol=1e-4, abs_tol=1e-6):
                    said = "you returned the local derivative alone: multiply it by grad_out (the chain rule)."
                return Feedback(False, f"{where} returned {show(number)}; finite differences give "
                                       f"{show(want)}. Hint: {said}")
    return Feedback(True, f"{name} agrees with finite differences at {len(_CUBE_POINTS) * 2} points.")


#: Exercise 3: one neuron, y = w * x + b, loss L = (y - t)**2.
NEURON = dict(w=0.5, x=3.0, b=0.5, t=1.0)


def check_neuron_gradient(answer) -> Feedback:
    """``answer``: dL/dw for L = (w x + b − t)² at ``NEURON``, worked out by hand:
    ``2 (w x + b − t) x``, checked against ``Value``."""
    w, x, b, t = (Value(NEURON[k]) for k in "wxbt")
    loss = (w * x + b - t) ** 2
    loss.backward()
    result = check_value(answer, w.grad, name="dL/dw", rtol=1e-6,
                         hint="L = (y - t)**2 with y = w x + b: dL/dy = 2 (y - t), and dy/dw = x. "
                              "Multiply them.")
    number = as_numbers(answer, ())[0]
    y = NEURON["w"] * NEURON["x"] + NEURON["b"]
    if result.passed is False and number is not None:
        if math.isclose(float(number), 2 * (y - NEURON["t"]), rel_tol=1e-6):
            return Feedback(False, f"{show(answer)} is dL/dy. One more factor: dy/dw = x = {NEURON['x']:g}.")
        if math.isclose(float(number), (y - NEURON["t"]) * NEURON["x"], rel_tol=1e-6):
            return Feedback(False, f"{show(answer)} misses the 2 that comes from the square.")
    return result
