"""Exercises of the Layers chapter: counting parameters, a forward pass, and XOR."""

from __future__ import annotations

import numpy as np

from .check import Feedback, as_numbers, brief, check_choice, check_function, check_value, show


def _count(sizes) -> int:
    """Weights and biases of a fully connected network: sum of n_in * n_out + n_out."""
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def _weights_only(sizes) -> int:
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def check_parameter_count(answer, sizes=(2, 4, 4, 1)) -> Feedback:
    """``answer``: the number of weights and biases in a fully connected network whose
    layers have ``sizes`` neurons (input first), e.g. 37 for 2-4-4-1."""
    layers = as_numbers(sizes)[0]
    if layers is None or layers.ndim != 1 or layers.dtype.kind not in "iu":  # the notebook's own: a bug
        raise ValueError(f"sizes must be whole numbers of neurons such as (2, 4, 4, 1), "
                         f"got {brief(sizes)}")
    sizes = tuple(int(s) for s in layers)
    name = f"the parameter count of a {'-'.join(map(str, sizes))} network"
    number = as_numbers(answer, ())[0]
    if number is not None and number == _weights_only(sizes):
        return Feedback(False, f"{show(answer)} counts the weights only. Hint: every neuron after the "
                               "input layer also has one bias of its own.")
    if number is not None and number == _count(sizes) + sizes[0]:
        return Feedback(False, f"{show(answer)} gives the inputs a bias too. Hint: the input layer just "
                               "holds the numbers x1, x2; only neurons that compute have a bias.")
    return check_value(answer, _count(sizes), name=name,
                       hint="go layer by layer: between a layer of n_in neurons and the next one of "
                            "n_out there are n_in * n_out weights (every pair is connected) and "
                            "n_out biases. Add up the pairs of neighbouring layers.")


def check_count_parameters(count_parameters) -> Feedback:
    """``count_parameters(sizes)`` must return the number of weights and biases of a fully
    connected network with ``sizes`` neurons per layer (a list, input first)."""
    cases = [([2, 1],), ([2, 4, 4, 1],), ([3, 5, 2],), ([2, 8, 8, 8, 1],), ([784, 128, 10],), ([5],)]
    return check_function(count_parameters, _count, cases, name="count_parameters",
                          hint="loop over neighbouring pairs, zip(sizes[:-1], sizes[1:]), and add "
                               "n_in * n_out + n_out for each pair. A network with a single layer "
                               "has no connections: 0.")


def _forward(x, params):
    a = np.asarray(x, dtype=float)
    for i, (w, b) in enumerate(params):
        z = a @ np.asarray(w).T + b
        a = z if i == len(params) - 1 else np.tanh(z)
    return a


def check_forward(forward) -> Feedback:
    """``forward(x, params)``: ``x`` is (n, n_in); ``params`` a list of ``(W, b)`` with
    ``W`` shaped (n_out, n_in) as in ``nn.Linear``. Every layer computes
    ``z = a @ W.T + b``; hidden layers then apply tanh, the last layer does not.
    Returns the last ``z``, shaped (n, n_out)."""
    rng = np.random.default_rng(3)

    def params(sizes):
        return [(rng.normal(size=(b, a)).round(2), rng.normal(size=b).round(2))
                for a, b in zip(sizes[:-1], sizes[1:])]

    cases = [
        (np.array([[1.0, 2.0]]), [(np.array([[0.5, -1.0]]), np.array([0.25]))]),  # one neuron, no hidden layer
        (np.array([[1.0, -1.0], [0.0, 2.0]]), params([2, 3, 1])),
        (rng.normal(size=(4, 2)).round(2), params([2, 4, 4, 1])),
        (rng.normal(size=(3, 3)).round(2), params([3, 2, 5, 2])),
    ]
    return check_function(forward, _forward, cases, name="forward",
                          hint="start with a = x; for each (W, b) compute z = a @ W.T + b, then "
                               "a = np.tanh(z) for every layer except the last, whose z is the "
                               "answer (no activation after the output layer).")


def check_xor_depth(answer) -> Feedback:
    """``answer``: the fewest hidden layers a network needs to classify XOR (1)."""
    return check_choice(answer, 1, [0, 1, 2, 3], name="the fewest hidden layers for XOR",
                        hint="with no hidden layer the output neuron sees the plane itself and can "
                             "only draw one straight line; XOR needs two. Try both in the widget.")
