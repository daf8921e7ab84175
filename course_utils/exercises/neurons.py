"""Exercises of the Neurons chapter."""

from __future__ import annotations

import itertools

import numpy as np

from .check import Feedback, as_numbers, brief, check_function, unattempted


def _weighted_sum(x, w, b):
    return float(np.dot(w, x) + b)


def check_weighted_sum(weighted_sum) -> Feedback:
    """``weighted_sum(x, w, b)`` must return the number w . x + b for 1-D arrays x and w."""

    rng = np.random.default_rng(7)
    cases = [
        (np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.25),
        (np.array([0.0, 0.0]), np.array([3.0, 4.0]), -2.0),
        (np.array([-1.5, 2.0, 0.5]), np.array([2.0, 0.0, -4.0]), 1.0),
        (rng.normal(size=5).round(2), rng.normal(size=5).round(2), 0.0),
    ]
    return check_function(weighted_sum, _weighted_sum, cases, name="weighted_sum",
                          hint="multiply each input by its own weight, add the products up, "
                               "then add the bias once (np.dot(w, x) + b).")


GATES = {"AND": lambda a, b: a and b, "OR": lambda a, b: a or b, "NAND": lambda a, b: not (a and b)}


def check_gate(w1, w2, b, gate: str = "AND") -> Feedback:
    """A step neuron, output 1 if w1*x1 + w2*x2 + b > 0 else 0, must compute ``gate``
    on the four inputs (0, 0), (0, 1), (1, 0), (1, 1)."""
    if not isinstance(gate, str) or gate not in GATES:  # the notebook's own argument: a bug
        raise ValueError(f"gate must be one of {sorted(GATES)}, got {brief(gate)}")
    if any(unattempted(v) for v in (w1, w2, b)):
        return Feedback(None, "set w1, w2 and b to numbers and run this cell again.")
    weights = []
    for name, value in (("w1", w1), ("w2", w2), ("b", b)):
        number, problem = as_numbers(value, ())
        if problem:
            return Feedback(False, f"{name} {problem}. Hint: a weight and a bias are single numbers, "
                                   "such as 1 or -1.5.")
        weights.append(float(number))  # Python floats: inf * 0 is nan, quietly
    w1, w2, b = weights
    for x1, x2 in itertools.product((0, 1), repeat=2):
        out = int(w1 * x1 + w2 * x2 + b > 0)
        want = int(GATES[gate](x1, x2))
        if out != want:
            return Feedback(False, f"for inputs ({x1}, {x2}) your neuron outputs {out}, but {gate} gives "
                                   f"{want}. Hint: z = w1*x1 + w2*x2 + b must be above 0 exactly when "
                                   f"{gate} is 1; the bias sets how much input it takes.")
    return Feedback(True, f"your neuron computes {gate} on all four inputs.")
