"""Exercises of the Loss functions chapter."""

from __future__ import annotations

import math

import numpy as np

from .. import nn
from .check import Feedback, as_numbers, brief, check_choice, check_function, check_value, show


def check_bce(answer) -> Feedback:
    """``answer``: the binary cross-entropy of predicting p = 0.8 for an example whose
    label is 1, i.e. -ln 0.8 (about 0.223), computed here with ``nn.BCELoss``."""
    want = nn.BCELoss()(np.array([0.8]), np.array([1.0]))
    result = check_value(answer, want, name="the binary cross-entropy of p = 0.8 for label 1",
                         hint="with label y = 1 only the first term of -[y ln p + (1 - y) ln(1 - p)] "
                              "is left: -ln p, with the natural logarithm (np.log).", rtol=1e-3)
    number = as_numbers(answer, ())[0]
    if result.passed is False and number is not None:
        got = float(number)
        if math.isclose(got, -math.log(0.2), rel_tol=1e-3):
            return Feedback(False, f"{show(answer)} is -ln 0.2: the loss of label 0. With label 1 the "
                                   "loss uses the probability given to class 1, which is 0.8.")
        if math.isclose(got, -math.log10(0.8), rel_tol=1e-3):
            return Feedback(False, f"{show(answer)} is -log10(0.8). Cross-entropy uses the natural "
                                   "logarithm: np.log, not np.log10.")
        if math.isclose(got, math.log(0.8), rel_tol=1e-3):
            return Feedback(False, f"{show(answer)} is ln 0.8, which is negative: a loss is never "
                                   "below 0. Cross-entropy is minus the log of the probability.")
    return result


def _mse_gradient(prediction, target):
    criterion = nn.MSELoss()
    criterion(np.asarray(prediction, dtype=float), np.asarray(target, dtype=float))
    return criterion.backward()


#: Small arrays first, then a single number, then a longer batch (the mean's 1/n shows).
_MSE_CASES = [
    (np.array([2.0]), np.array([0.0])),
    (np.array([1.0, 3.0]), np.array([1.0, 1.0])),
    (np.array([0.5, -1.0, 2.0, 4.0]), np.array([0.0, 0.0, 1.0, 1.0])),
    (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 0.0], [0.0, 0.0]])),
]


def check_mse_gradient(mse_gradient) -> Feedback:
    """``mse_gradient(prediction, target)`` must return d/d prediction of
    mean((prediction - target)**2): ``2 (prediction - target) / n`` for n elements, as
    ``nn.MSELoss().backward()`` does."""
    return check_function(
        mse_gradient, _mse_gradient, _MSE_CASES, name="mse_gradient",
        hint="the loss is the mean of (p_i - y_i)^2 over all n elements, so each element's "
             "derivative is 2 (p_i - y_i) / n: the 2 from the square, the 1/n from the mean. "
             "prediction.size is n.")


#: Which loss fits which task: task -> (described task, right loss, hint).
LOSS_TASKS = {
    "house prices": ("predicting house prices, where a few listings have absurd prices typed in "
                     "by mistake", "huber",
                     "a squared error lets a few huge errors pull the whole fit towards them; which "
                     "loss is squared for small errors but grows only linearly for large ones?"),
    "digits": ("recognising which of the 10 digits a picture shows", "cross-entropy",
               "ten classes, one right answer: the loss should be small when the network gives the "
               "true class a high probability, after a softmax over all ten."),
    "margin": ("a classifier that should stop caring about examples once they are on the right "
               "side with room to spare", "hinge",
               "one loss is exactly 0 once y·z is at least 1, so examples that are safely right "
               "give no gradient at all."),
    "distributions": ("measuring how far a model's distribution over words is from a reference "
                      "distribution, with 0 exactly when the two are the same", "kl divergence",
                      "the target is itself a distribution, not one class: which loss measures how "
                      "far one distribution is from another?"),
}
LOSS_OPTIONS = ("mse", "huber", "binary cross-entropy", "cross-entropy", "hinge", "kl divergence")
_SYNONYMS = {"mean squared error": "mse", "l2": "mse", "smooth l1": "huber", "bce": "binary cross-entropy",
             "categorical cross-entropy": "cross-entropy", "ce": "cross-entropy",
             "kl": "kl divergence", "kullback-leibler": "kl divergence", "kldiv": "kl divergence"}


def check_loss_choice(task: str, answer) -> Feedback:
    """Which loss fits ``task`` (a key of :data:`LOSS_TASKS`)? ``answer`` is one of
    :data:`LOSS_OPTIONS` (a few common other names are understood)."""
    if not isinstance(task, str) or task not in LOSS_TASKS:  # the notebook's own argument: a bug
        raise ValueError(f"task must be one of {sorted(LOSS_TASKS)}, got {brief(task)}")
    what, correct, hint = LOSS_TASKS[task]
    if isinstance(answer, str):
        answer = answer.strip().lower().replace("_", " ")
        answer = _SYNONYMS.get(answer, answer)
    return check_choice(answer, correct, LOSS_OPTIONS, name=what, hint=hint)
