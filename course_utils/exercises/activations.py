"""Exercises of the Activation functions chapter."""

from __future__ import annotations

import numpy as np

from ..nn import functional as F
from .check import Feedback, brief, check_choice, check_function, check_value

# Ordinary inputs first (a wrong formula is reported before a numerical problem), then
# inputs large enough to overflow a naive np.exp.
_CASES = [
    (0.0,),
    (2.0,),
    (-3.0,),
    (np.array([-1.5, -0.5, 0.0, 0.5, 1.5]),),
    (np.array([-30.0, 30.0]),),
    (1000.0,),
    (-1000.0,),
    (np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]),),
]

_OVERFLOW_HINT = (
    "e^1000 is far larger than the biggest float (about 1.8e308), so np.exp overflows to inf. "
    "Call np.exp only on numbers <= 0: with e = np.exp(-np.abs(x)), sigmoid is 1 / (1 + e) "
    "where x >= 0 and e / (1 + e) where x < 0. Careful: np.where computes both of its "
    "branches for every element, so each branch must be safe on its own."
)


def check_sigmoid(sigmoid) -> Feedback:
    """``sigmoid(x)`` must return 1 / (1 + e^-x) elementwise, for numbers and arrays,
    without overflow warnings, even at x = +-1000."""
    return check_function(
        sigmoid, F.sigmoid, _CASES, name="sigmoid",
        hint="sigmoid(x) = 1 / (1 + e^(-x)): sigmoid(0) is 0.5, large x give almost 1, "
             "very negative x give almost 0. Use np.exp, which works on whole arrays.",
        warning_hint=_OVERFLOW_HINT)


def check_sigmoid_derivative(sigmoid_derivative) -> Feedback:
    """``sigmoid_derivative(x)`` must return sigmoid(x) * (1 - sigmoid(x)) elementwise,
    without overflow warnings, even at x = +-1000."""
    return check_function(
        sigmoid_derivative, F.sigmoid_derivative, _CASES, name="sigmoid_derivative",
        hint="the slope of the sigmoid is s * (1 - s) with s = sigmoid(x): 0.25 at x = 0 "
             "and close to 0 far from 0.",
        warning_hint="np.exp(-x) overflows when x is -1000. Compute s = sigmoid(x) with your "
                     "safe sigmoid from above and return s * (1 - s): then no exponential of a "
                     "large number is needed.")


def check_vanishing(answer) -> Feedback:
    """``answer``: the largest fraction of a gradient that can be left after flowing back
    through 10 sigmoid layers (every weight 1), that is 0.25**10."""
    return check_value(answer, 0.25 ** 10, name="the gradient left after 10 sigmoid layers",
                       hint="each layer multiplies the gradient by the sigmoid's slope, and that "
                            "slope is at most 0.25 (at x = 0). Multiply ten of them.", rtol=1e-2)


#: The output-layer tasks: task -> (what the network must output, right activation, hint).
OUTPUT_TASKS = {
    "spam": ("the probability that an e-mail is spam", "sigmoid",
             "a probability lies between 0 and 1; which activation's outputs do too? (A softmax "
             "over two outputs, spam and not spam, would also work: with one output, its "
             "equivalent is the sigmoid.)"),
    "temperature": ("tomorrow's temperature in degrees Celsius, which can be any number",
                    "identity", "any squashing would forbid some temperatures: the output must be "
                                "able to reach every number, negative ones too."),
    "digit": ("ten probabilities, one for each digit 0-9 a picture may show, that add up to 1",
              "softmax", "you need ten numbers between 0 and 1 whose sum is 1: one activation "
                         "looks at all ten outputs together."),
}
OUTPUT_OPTIONS = ("identity", "sigmoid", "tanh", "relu", "softmax")


def check_output_activation(task: str, answer) -> Feedback:
    """Which activation fits the output layer of ``task`` (a key of :data:`OUTPUT_TASKS`)?
    ``answer`` is one of :data:`OUTPUT_OPTIONS` (``"linear"`` counts as ``"identity"``)."""
    if not isinstance(task, str) or task not in OUTPUT_TASKS:  # the notebook's own argument: a bug
        raise ValueError(f"task must be one of {sorted(OUTPUT_TASKS)}, got {brief(task)}")
    what, correct, hint = OUTPUT_TASKS[task]
    if isinstance(answer, str):
        answer = answer.strip().lower()
        answer = "identity" if answer == "linear" else answer
    return check_choice(answer, correct, OUTPUT_OPTIONS, name=f"an output layer that gives {what}", hint=hint)
