"""Exercises of the Regularization chapter: the gradient of the L2 penalty, the weights L1
sets to exactly zero, and the epoch early stopping stops at and the one it restores.

Each checker compares with the engine (``l2_penalty``'s gradient, ``EarlyStopping``) or
with a closed form that the tests check against the engine's own training, and looks for
the common mistake a wrong answer matches, so the hint names what went wrong.
"""

from __future__ import annotations

import math

import numpy as np

from ..nn.module import Parameter
from ..nn.regularization import EarlyStopping, l2_penalty
from .check import (Feedback, agrees, as_numbers, brief, call_outcome, call_quietly, mismatch,
                    not_a_function, show, unattempted)

__all__ = ["U", "LAM", "VAL_LOSSES", "PATIENCE", "orthonormal_problem", "check_l2_gradient",
           "check_l1_zeros", "check_stopping_epoch"]


# ----------------------------------------------------------------------------- the L2 gradient

def _l2_gradient(w, lam):
    """The engine's answer: the gradient ``l2_penalty`` adds to a zeroed ``.grad``."""
    param = Parameter(np.asarray(w, dtype=float))  # .grad starts at zeros
    l2_penalty([param], lam)
    return param.grad


#: (w, lam): a vector on which every mistake below gives another answer, a matrix, a single
#: weight, all-zero weights, and no penalty at all (lam = 0).
_L2_CASES = [
    (np.array([0.5, -2.0, 1.5]), 0.1),
    (np.array([[1.0, -0.25, 3.0], [-4.0, 0.0, 0.5]]), 0.01),
    (np.array([-3.0]), 2.0),
    (np.zeros((2, 2)), 0.3),
    (np.array([1.0, -1.0, 2.5]), 0.0),
]
_L2_RULE = ("the penalty is lam/2 * sum(w**2); the derivative of w_i**2 is 2 w_i, and the 1/2 "
            "cancels the 2, so the gradient is lam * w: one number per weight, the shape of w.")
_L2_MISTAKES = [
    (lambda w, lam: w, "lam is missing: every weight's gradient is scaled by the strength, lam * w."),
    (lambda w, lam: 2 * lam * w, "that is the gradient of lam * sum(w**2), without the 1/2. The "
                                 "course's penalty is lam/2 * sum(w**2), whose gradient is lam * w."),
    (lambda w, lam: lam * w / 2, "the 1/2 cancels with the 2 that comes from the square: "
                                 "d/dw (lam/2 * w**2) = lam * w."),
    (lambda w, lam: -lam * w, "the sign is wrong: the gradient points uphill, away from 0 (lam * w); "
                              "the optimizer subtracts it, which pulls every weight towards 0."),
    (lambda w, lam: lam * np.sign(w), "lam * sign(w) is the gradient of L1, lam * sum(|w|). L2's "
                                      "gradient grows with the weight: lam * w."),
    (lambda w, lam: lam / 2 * w ** 2, "that is each weight's share of the penalty, lam/2 * w**2, not "
                                      "its derivative, lam * w."),
    (lambda w, lam: lam * w ** 2, "that is not a derivative yet: differentiate lam/2 * w**2 with "
                                  "respect to w."),
]


def check_l2_gradient(l2_gradient) -> Feedback:
    """``l2_gradient(w, lam)`` must return the gradient of the L2 penalty
    ``lam/2 * sum(w**2)`` with respect to every weight::

        d/dw_i  lam/2 * sum_j w_j**2  =  lam * w_i        (an array shaped like w)

    the term ``l2_penalty`` adds to ``.grad`` and ``weight_decay=lam`` adds inside the
    optimizers. Checked against ``l2_penalty`` on a vector, a matrix, a single weight,
    zero weights and ``lam = 0``; the tests also check it by finite differences.
    """
    name = "l2_gradient"
    problem = not_a_function(l2_gradient, name, "w, lam")
    if problem is not None:
        return problem
    for w, lam in _L2_CASES:
        want = _l2_gradient(w, lam)
        where = f"{name}({show(w)}, {lam!r})"
        problem, got = call_outcome(call_quietly(l2_gradient, (w, lam)), where, name, _L2_RULE)
        if problem is not None:
            return problem
        reason = mismatch(got, want, 1e-6, 1e-12)
        if reason is None:
            continue
        number = as_numbers(got, ())[0]
        if number is not None and any(
                math.isclose(float(number), k * lam * float(np.sum(w * w)), rel_tol=1e-6) for k in (0.5, 1.0)):
            return Feedback(False, f"{where} returned {show(number)}, the penalty itself: one "
                                       f"number. The gradient has one entry per weight, the shape "
                                       f"of w. Hint: {_L2_RULE}")
        hint = next((said for mistake, said in _L2_MISTAKES
                     if agrees(got, mistake(w, lam), 1e-6, 1e-12)), _L2_RULE)
        return Feedback(False, f"for {where} your code {reason}. Hint: {hint}")
    return Feedback(True, f"{name} agrees with l2_penalty's gradient on all {len(_L2_CASES)} "
                          "inputs: lam * w, the same term weight_decay adds.")


# ----------------------------------------------------------------------------- L1's zeros

#: The least-squares weights u of exercise 2 (the fit without a penalty) ...
U = (2.0, -0.3, 0.8, 0.05, -1.2)
#: ... and the strength of the L1 penalty, LAM * sum(|w|).
LAM = 1.0


def orthonormal_problem(n: int = 40, rng=0) -> tuple[np.ndarray, np.ndarray]:
    """Data ``(x, y)`` of exercise 2: ``x`` of shape ``(n, 5)`` with ``x.T @ x / n = I``
    and ``y`` of shape ``(n, 1)`` whose least-squares weights (no bias) are exactly
    :data:`U`; ``y`` holds noise too, at right angles to every column of ``x``."""
    d = len(U)
    q, _ = np.linalg.qr(np.random.default_rng(rng).normal(size=(n, d + 1)))
    x = math.sqrt(n) * q[:, :d]
    return x, (x @ np.array(U) + 0.5 * math.sqrt(n) * q[:, d])[:, None]


def _l1_weights(u, lam):
    """The L1 optimum in closed form: soft thresholding at lam/2."""
    u = np.asarray(u, dtype=float)
    return np.sign(u) * np.maximum(np.abs(u) - lam / 2, 0.0)


def _zeros(threshold) -> frozenset:
    return frozenset(int(i) for i in np.flatnonzero(np.abs(np.array(U)) <= threshold))


def _as_indices(answer):
    """``(indices, None)``: the answer as a set of whole numbers, else ``(None, feedback)``."""
    what = "give the positions of the weights that become 0, counted from 0, e.g. [0, 4]"
    try:
        arr = np.asarray(list(answer) if isinstance(answer, (set, frozenset)) else answer)
    except Exception:  # noqa: BLE001 - as_numbers below says what it is
        arr = None
    ones_and_zeros = (arr is not None and arr.dtype.kind in "iu" and set(arr.ravel().tolist()) <= {0, 1}
                      and len(set(arr.ravel().tolist())) < len(U))  # [0, 1, 0, 1, 0]: a mask, not positions
    if arr is not None and arr.shape == (len(U),) and (arr.dtype == bool or ones_and_zeros):
        return None, Feedback(False, f"{brief(answer)} looks like a yes/no for every weight; {what} "
                                     "(np.flatnonzero(mask) turns a mask into positions).")
    items = list(answer) if isinstance(answer, (set, frozenset, list, tuple)) else []
    if any(isinstance(v, (bool, np.bool_)) for v in items):
        return None, Feedback(False, f"{brief(answer)} holds True or False; {what}: whole numbers only.")
    arr, problem = as_numbers(list(answer) if isinstance(answer, (set, frozenset)) else answer)
    if problem:
        return None, Feedback(False, f"your answer {problem}. Hint: {what}.")
    if arr.ndim > 1:
        return None, Feedback(False, f"your answer has shape {arr.shape}; {what}: a flat list.")
    values = arr.astype(float).ravel()
    if not all(math.isfinite(v) and v == int(v) for v in values):
        if values.size == len(U):
            return None, Feedback(False, f"{show(arr)} are weights, not positions: {what}.")
        if all(np.isclose(v, U).any() for v in values):
            return None, Feedback(False, f"{show(arr)} are weights from u; {what}.")
        return None, Feedback(False, f"{show(arr)} are not whole numbers; {what}.")
    return frozenset(int(v) for v in values), None


def check_l1_zeros(answer) -> Feedback:
    """Which weights does L1 set to exactly 0? ``answer``: their indices (a list or set
    of whole numbers, counted from 0; ``[]`` for none).

    The problem: a linear model without bias, ``y_hat = x @ w``, trained with the
    engine's ``MSELoss`` (the mean of the squared errors, no 1/2 in front) plus
    ``l1_penalty(w, LAM) = LAM * sum(|w|)``, on inputs with ``x.T @ x / n = I``
    (:func:`orthonormal_problem`). Then the mean squared error is
    ``sum_i (w_i - u_i)**2`` plus a constant, ``u`` being the least-squares weights
    :data:`U`, and the loss splits into one problem per weight,
    ``(w_i - u_i)**2 + LAM |w_i|``, solved by soft thresholding (as in the lasso of
    Tibshirani, 1996)::

        L1:  w_i = sign(u_i) * max(|u_i| - LAM/2, 0)   exactly 0 when |u_i| <= LAM/2
        L2:  w_i = u_i / (1 + LAM/2)                   (penalty LAM/2 * sum w**2): never 0

    The threshold is LAM/2 because the MSE has no 1/2 (with a loss of half the mean
    squared error it would be LAM). The tests train the model with ``fit`` and check.
    """
    if unattempted(answer):
        return Feedback(None, "put the indices of the weights that become 0 in place of None "
                              "and run this cell again.")
    got, problem = _as_indices(answer)
    if problem is not None:
        return problem
    right, threshold = _zeros(LAM / 2), LAM / 2
    rule = (f"the loss splits into (w_i - u_i)**2 + lam |w_i| for each weight; its minimum is "
            f"w_i = sign(u_i) * max(|u_i| - lam/2, 0), so w_i is exactly 0 when |u_i| <= lam/2 "
            f"= {threshold:g}.")
    shown = sorted(got)
    if got == right:
        kept = ", ".join(f"{u:g} -> {w:g}" for u, w in zip(U, _l1_weights(U, LAM)) if w != 0)
        return Feedback(True, f"{shown} is right: |u_i| <= lam/2 = {threshold:g} there, so L1 "
                              f"sets those weights to exactly 0 and moves the others "
                              f"{threshold:g} towards 0 ({kept}). L2 would only shrink them all.")
    if not got:
        return Feedback(False, "no zeros is L2's answer: its pull lam * w fades as a weight "
                               "shrinks, so it never reaches 0. L1 pulls with the same force "
                               "lam * sign(w) however small the weight is. Hint: " + rule)
    if got == frozenset(i + 1 for i in right):
        return Feedback(False, f"{shown} counts from 1: Python's (and numpy's) indices start at "
                               "0, so u[0] is the first weight.")
    if got == frozenset(range(len(U))) - right:
        return Feedback(False, f"{shown} are the weights that stay: the question asks for the "
                               "ones that become 0.")
    if got == _zeros(LAM):
        return Feedback(False, f"{shown} is what a threshold of lam = {LAM:g} gives, right for a "
                               "loss of half the squared error. The engine's MSELoss has no 1/2, "
                               f"so the threshold is lam/2 = {threshold:g}.")
    if any(i < 0 or i >= len(U) for i in got):
        return Feedback(False, f"{shown}: u has {len(U)} weights, at positions 0 to {len(U) - 1}.")
    return Feedback(False, f"{shown} is not the set of weights L1 sets to 0. Hint: {rule}")


# ----------------------------------------------------------------------------- early stopping

#: The validation loss of epochs 1, 2, ... of exercise 3 ...
VAL_LOSSES = (0.92, 0.71, 0.58, 0.51, 0.53, 0.52, 0.55, 0.50, 0.47, 0.44, 0.46, 0.50)
#: ... and EarlyStopping's patience.
PATIENCE = 3


def _early_stopping(losses=VAL_LOSSES, patience=PATIENCE) -> tuple[int, int]:
    """``(stopped_epoch, best_epoch)`` of ``EarlyStopping`` fed ``losses`` one by one."""
    stopper = EarlyStopping(patience=patience, restore_best_weights=False)
    for loss in losses:
        if stopper.update(loss):
            break
    return stopper.stopped_epoch, stopper.best_epoch


def _as_pair(answer):
    """``(two numbers, None)``, else ``(None, feedback)`` saying what was given instead."""
    what = "give two numbers, (the epoch training stops at, the epoch whose weights are restored)"
    if isinstance(answer, np.ndarray) and answer.shape == (2,):
        answer = tuple(answer)
    if not isinstance(answer, (tuple, list)):
        return None, Feedback(False, f"your answer is a single value, {brief(answer)}: {what}.")
    if len(answer) != 2:
        return None, Feedback(False, f"your answer holds {len(answer)} values: {what}.")
    numbers = []
    for item in answer:
        if unattempted(item):
            return None, Feedback(None, "put both epochs in place of None and run this cell again.")
        number, problem = as_numbers(item, ())
        if problem:
            return None, Feedback(False, f"a value of your answer {problem}. Hint: {what}.")
        numbers.append(number.item())
    return tuple(numbers), None


def check_stopping_epoch(answer) -> Feedback:
    """``answer``: ``(stopped, restored)``, the epoch at which ``EarlyStopping(patience=
    PATIENCE)`` stops training on the validation losses :data:`VAL_LOSSES` and the epoch
    whose weights it restores, both counted from 1 (the first loss is epoch 1).

    An epoch improves when its loss is lower than the best so far; after ``PATIENCE``
    epochs in a row without improvement training stops, so
    ``stopped = restored + PATIENCE``, and the restored epoch is the best one seen until
    then. The lowest loss of the whole curve comes later, and is never seen.
    Checked against ``EarlyStopping`` itself.
    """
    if unattempted(answer):
        return Feedback(None, "put your two epochs, (stopped, restored), in place of None and run "
                              "this cell again.")
    got, problem = _as_pair(answer)
    if problem is not None:
        return problem
    stop, best = _early_stopping()
    n, low = len(VAL_LOSSES), int(np.argmin(VAL_LOSSES)) + 1
    s, r = got
    shown = f"({show(s)}, {show(r)})"
    rule = (f"go through the losses from epoch 1; an epoch improves when its loss is below the best "
            f"so far, and training stops at the epoch where {PATIENCE} epochs in a row have not "
            f"improved. The weights restored are those of the best epoch before the stop.")
    if (s, r) == (stop, best):
        return Feedback(True, f"{shown} is right: epoch {best} ({VAL_LOSSES[best - 1]:g}) is the best "
                              f"until epoch {stop}, when {PATIENCE} epochs in a row have not beaten "
                              f"it. Epoch {low} ({VAL_LOSSES[low - 1]:g}) would have been better, but "
                              "early stopping never sees it.")
    if (s, r) == (best, stop):
        return Feedback(False, f"{shown} is in the other order: first the epoch training stops at, "
                               "then the epoch whose weights are restored.")
    if (s, r) in ((stop - 1, best - 1), (stop, best - 1)):
        which = f"{shown} counts" if s == stop - 1 else f"the restored epoch, {show(r)}, is counted"
        return Feedback(False, f"{which} from 0. EarlyStopping counts epochs from 1: the first "
                               f"loss, {VAL_LOSSES[0]:g}, is epoch 1.")
    if r == low != best:
        return Feedback(False, f"epoch {low} has the lowest loss of the whole curve, but training "
                               f"stops before it: early stopping sees one epoch at a time and "
                               "never the ones after it stops. An epoch improves only when it is "
                               "below the best so far, not merely below the epoch before it. "
                               f"Hint: {rule}")
    if r == best and s == r:
        return Feedback(False, f"{shown} gives the best epoch twice. Training does not stop there: "
                               f"it goes on for {PATIENCE} more epochs, waiting for an improvement "
                               "that does not come.")
    if r == best and s in (stop - 1, stop + 1):
        return Feedback(False, f"the restored epoch is right, but not the stop: training stops "
                               f"at the epoch where the count of epochs in a row without "
                               f"improvement reaches the patience, {PATIENCE}, so at the best "
                               f"epoch + {PATIENCE}.")
    if r == best and s == best + 1:
        return Feedback(False, f"you stop at the first epoch without improvement; with patience "
                               f"{PATIENCE} it waits for {PATIENCE} epochs in a row.")
    if r == best and s in (0, n, n + 1):
        return Feedback(False, f"training does stop before the curve ends. Hint: {rule}")
    if r == s:
        return Feedback(False, f"{shown} restores the weights of the last epoch; EarlyStopping "
                               "keeps a copy of the best ones and gives those back.")
    return Feedback(False, f"{shown} is not what EarlyStopping does here. Hint: {rule}")
