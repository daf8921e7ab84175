"""Exercises of the Activation functions chapter."""

from __future__ import annotations

import numpy as np

from ..nn import functional as F
from .check import Feedback, as_numbers, brief, check_choice, check_function, check_value, show

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


#: An answer within this factor of 0.25**10 (but not within 1 %) is "close": rounded too far.
_CLOSE = 0.25


def check_vanishing(answer) -> Feedback:
    """``answer``: the largest fraction of a gradient that can be left after flowing back
    through 10 sigmoid layers (every weight 1), that is 0.25**10 (about 9.5e-7). Rounded
    to 1 % it passes; an answer within 25 % of it (1e-6, say) is told it is close, but
    rounded too far."""
    want = 0.25 ** 10
    result = check_value(answer, want, name="the gradient left after 10 sigmoid layers",
                         hint="each layer multiplies the gradient by the sigmoid's slope, and that "
                              "slope is at most 0.25 (at x = 0). Multiply ten of them.", rtol=1e-2)
    number = as_numbers(answer, ())[0]
    if result.passed is False and number is not None and abs(float(number) - want) <= _CLOSE * want:
        return Feedback(False, f"the gradient left after 10 sigmoid layers is {show(answer)}, which is not "
                               "right, but close: it is rounded too far. Compute it exactly: a Python "
                               "expression is fine.")
    return result


def check_softmax(softmax) -> Feedback:
    """``softmax(z, temperature)`` must return exp(z_k / T) / sum_j exp(z_j / T) for a 1-D
    array ``z``, without overflow warnings, even for logits of 1000."""
    return check_function(
        softmax, lambda z, t: F.softmax(np.asarray(z) / t), _SOFTMAX_CASES, name="softmax",
        hint="divide the logits by the temperature, take np.exp of them and divide by the sum "
             "of those exponentials, so that the results add up to 1. softmax([0, 0], 1) is "
             "[0.5, 0.5].",
        warning_hint="np.exp(1000) overflows to inf. Adding the same number to every logit changes "
                     "no probability, so subtract the largest one first: then every exponent is "
                     "0 or below.")


# Small logits first (a wrong formula is reported before a numerical problem), then
# logits whose exponentials overflow.
_SOFTMAX_CASES = [
    (np.array([0.0, 0.0]), 1.0),
    (np.array([2.0, 1.0, 0.5, -1.0]), 1.0),
    (np.array([2.0, 1.0, 0.5, -1.0]), 0.5),
    (np.array([2.0, 1.0, 0.5, -1.0]), 10.0),
    (np.array([1000.0, 999.0, 990.0]), 1.0),
    (np.array([3.0, 1.0, -2.0]), 0.01),
]


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
