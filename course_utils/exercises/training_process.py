"""Exercises of the Optimizers and the training process chapter: Adam's first step with
and without bias correction, the batches of one epoch, and the epoch early stopping picks.

Every checker takes the student's function and compares it with the course's engine:
``optim.Adam`` for the first step, ``training.fit`` for the batches it really makes, and
``regularization.EarlyStopping`` for where training stops. So what passes here is what
the engine (and PyTorch, and Keras's callback) does.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .. import nn
from ..nn import optim, training
from ..nn.module import Parameter
from ..nn.regularization import EarlyStopping
from .check import (Feedback, as_numbers, call_outcome, call_quietly, mismatch, not_a_function,
                    number_pair, show)

__all__ = ["check_adam_first_step", "check_epoch_batches", "check_early_stopping"]

_RTOL, _ATOL = 1e-6, 1e-12


def _whole(x: float) -> bool:
    return math.isfinite(x) and x == int(x)


# ------------------------------------------------------------------------ Adam's first step

def _adam_reference(w, grad, lr, beta1, beta2, eps):
    """``(corrected, uncorrected)``: the weights after ``optim.Adam``'s first step from
    ``w`` with gradient ``grad``, and after the same step without bias correction,
    ``w - lr * m / (sqrt(v) + eps)`` with the ``m`` and ``v`` the engine's Adam holds
    after that step."""
    param = Parameter(np.array(w, dtype=float))
    adam = optim.Adam([param], lr=lr, betas=(beta1, beta2), eps=eps)
    param.grad = np.array(grad, dtype=float)
    adam.step()
    m, v = adam.state[0]["exp_avg"], adam.state[0]["exp_avg_sq"]
    return param.data.copy(), np.asarray(w, dtype=float) - lr * m / (np.sqrt(v) + eps)


def _adam_variant(w, g, lr, b1, b2, eps, *, fix_m, fix_v, eps_inside=False, root=True,
                  sign=-1.0, swap=False, use_eps=True):
    """The first Adam step as a student might write it, right or wrong (for the hints)."""
    w, g = np.asarray(w, dtype=float), np.asarray(g, dtype=float)
    m = (b1 if swap else 1 - b1) * g
    v = (b2 if swap else 1 - b2) * g * g
    if fix_m:
        m = m / (1 - b1)
    if fix_v:
        v = v / (1 - b2)
    if eps_inside:
        denominator = np.sqrt(v + eps)
    else:
        denominator = (np.sqrt(v) if root else v) + (eps if use_eps else 0.0)
    return w + sign * lr * m / denominator


_ADAM_RULE = ("on the first step m = (1 - beta1) * grad and v = (1 - beta2) * grad**2 (both "
              "start at 0); with corrected=True divide them by 1 - beta1 and 1 - beta2 "
              "(1 - beta**t with t = 1); then w - lr * m / (sqrt(v) + eps).")


def _adam_hint(case, corrected, got, right, other):
    w, g, lr, b1, b2, eps = case
    near = lambda x: np.allclose(got, x, rtol=_RTOL, atol=_ATOL)  # noqa: E731
    step = np.asarray(w, dtype=float) - right
    if np.any(~np.isfinite(got)):
        if np.any(~np.isfinite(got) & (np.asarray(g) == 0)):
            return ("your step is not a number where the gradient is 0: there m and v are 0, "
                    "and only eps keeps 0 / 0 away. Add eps after the square root: "
                    "m / (sqrt(v) + eps).")
        return ("your step is not finite: did you divide by 1 - beta**0 = 0? Adam counts its "
                "steps from t = 1, so the first correction divides by 1 - beta1 and 1 - beta2.")
    if near(other):
        if corrected:
            return ("that is the step without bias correction. With corrected=True divide m by "
                    "1 - beta1 and v by 1 - beta2 (1 - beta**t at t = 1) before the step.")
        return ("that is the bias-corrected step, but corrected=False asks for the step without "
                "the correction: w - lr * m / (sqrt(v) + eps) with m = (1 - beta1) * grad and "
                "v = (1 - beta2) * grad**2 as they are.")
    for fix_m, fix_v in ((True, False), (False, True)):
        if near(_adam_variant(*case, fix_m=fix_m, fix_v=fix_v)):
            done, missing = ("m", "v") if fix_m else ("v", "m")
            return (f"you corrected {done} but not {missing}. "
                    + ("Correct both: m / (1 - beta1) and v / (1 - beta2)." if corrected else
                       "With corrected=False correct neither."))
    kw = dict(fix_m=corrected, fix_v=corrected)
    if near(_adam_variant(*case, **kw, eps_inside=True)):
        return ("eps goes after the square root, as in PyTorch: m / (sqrt(v) + eps), not "
                "m / sqrt(v + eps). It matters when the gradient is tiny.")
    if near(_adam_variant(*case, **kw, use_eps=False)) or (corrected and near(w - lr * np.sign(g))):
        return ("your step leaves out eps. It is lr in every weight only while |grad| is much "
                "larger than eps; for a tiny gradient eps in m / (sqrt(v) + eps) makes the step "
                "smaller.")
    if near(_adam_variant(*case, **kw, sign=1.0)):
        return "your step goes uphill: subtract it, w - lr * m / (sqrt(v) + eps)."
    if near(_adam_variant(*case, **kw, swap=True)):
        return ("m and v start at 0 and keep beta1 (beta2) of their old value: the gradient "
                "enters with the weight 1 - beta1 (1 - beta2), so m = (1 - beta1) * grad.")
    if near(_adam_variant(*case, **kw, root=False)):
        return ("v averages squared gradients: divide by its square root, sqrt(v) + eps, to get "
                "back to the size of a gradient.")
    if near(step) or near(-step):
        return "return the new weights, w minus the step, not the step itself."
    return _ADAM_RULE


#: (w, grad, lr, beta1, beta2, eps): a vector, a gradient much smaller than eps would
#: be ignored next to, and a matrix with other betas and a zero gradient.
_ADAM_CASES = [
    (np.array([1.0, -2.0, 0.5]), np.array([0.5, -4.0, 0.01]), 0.01, 0.9, 0.999, 1e-8),
    (np.array([0.3]), np.array([1e-7]), 0.1, 0.9, 0.999, 1e-8),
    (np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([[0.2, -0.1], [3.0, 0.0]]), 0.001, 0.5, 0.99, 1e-8),
]


def _show_adam(case, corrected) -> str:
    w, g, lr, b1, b2, eps = case
    return (f"adam_first_step(w={show(w, 4)}, grad={show(g)}, lr={lr!r}, corrected={corrected}, "
            f"beta1={b1!r}, beta2={b2!r}, eps={eps!r})")


def check_adam_first_step(adam_first_step) -> Feedback:
    """``adam_first_step(w, grad, lr, corrected, beta1, beta2, eps)`` must return the
    weights after Adam's very first step (``m`` and ``v`` start at 0, ``t = 1``)::

        m = (1 - beta1) * grad,   v = (1 - beta2) * grad**2
        corrected:  m = m / (1 - beta1),   v = v / (1 - beta2)
        new_w = w - lr * m / (sqrt(v) + eps)

    With the correction the step is about ``lr`` in every weight; without it about
    ``(1 - beta1) / sqrt(1 - beta2) * lr`` (3.16 lr with the defaults). Checked against
    ``optim.Adam`` (corrected) and against the engine's ``m`` and ``v`` (uncorrected)
    on a vector, a tiny gradient and a matrix with other betas and a zero gradient.
    """
    name = "adam_first_step"
    problem = not_a_function(adam_first_step, name, "w, grad, lr, corrected, beta1, beta2, eps")
    if problem is not None:
        return problem
    for case in _ADAM_CASES:
        w, g, lr, b1, b2, eps = case
        right, plain = _adam_reference(*case)
        for corrected, want, other in ((True, right, plain), (False, plain, right)):
            where = _show_adam(case, corrected)
            got = call_quietly(adam_first_step, (w, g, lr, corrected, b1, b2, eps))
            problem, got = call_outcome(got, where, name, _ADAM_RULE)
            if problem is not None:
                return problem
            reason = mismatch(got, want, _RTOL, _ATOL)
            if reason is None:
                continue
            arr, shape_problem = as_numbers(got, np.shape(w))
            if shape_problem:
                return Feedback(False, f"{where}: your answer {shape_problem}. Hint: return the new "
                                       "weights, an array with the shape of w.")
            with np.errstate(all="ignore"):
                hint = _adam_hint(case, corrected, arr.astype(float), want, other)
            return Feedback(False, f"{where}: your code {reason}. Hint: {hint}")
    w, g, lr, b1, b2, eps = _ADAM_CASES[0]
    right, plain = _adam_reference(*_ADAM_CASES[0])
    ratio = float(np.abs(w - plain)[0] / np.abs(w - right)[0])
    return Feedback(True, f"adam_first_step matches optim.Adam on all {len(_ADAM_CASES)} inputs, "
                          f"with and without bias correction. Without it the first step is "
                          f"{ratio:.2f} times too large with the default betas.")


# ------------------------------------------------------------------------ the batches of an epoch

@lru_cache(maxsize=32)
def _fit_batches(n: int, batch_size: int) -> tuple[int, ...]:
    """The sizes of the batches ``training.fit`` makes in one epoch over ``n`` examples."""
    sizes = []

    class Count:
        def __call__(self, epoch, history, model):
            return False

        def on_batch_end(self, update, indices, model):
            sizes.append(len(indices))

    model = nn.Linear(1, 1, rng=0)
    x = np.zeros((n, 1))
    training.fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), x, x, epochs=1,
                 batch_size=batch_size, shuffle=False, verbose=0, accuracy=None, callbacks=[Count()])
    return tuple(sizes)


#: (n, batch_size): a batch that does not divide n, one that does, one larger than the data,
#: single examples, and a data set of 50,000.
_BATCH_CASES = [(100, 32), (64, 8), (64, 10), (30, 64), (90, 32), (1000, 1), (1, 1), (50_000, 128)]
_BATCH_RULE = ("fit slices the examples [0:B], [B:2B], ... until they run out, so an epoch makes "
               "ceil(n / batch_size) updates, and the last batch holds what is left: "
               "n - (updates - 1) * batch_size examples.")


def _batch_hint(n, b, updates, last, want_updates, want_last) -> str:
    if updates != want_updates:
        if updates == n / b and not _whole(updates):
            return (f"{show(updates)} is not a whole number of updates: the examples left over "
                    f"after the full batches make one more, smaller batch. Round up: "
                    f"math.ceil(n / batch_size).")
        if updates == n // b:
            return ("you rounded down (n // batch_size): fit does not drop the last, smaller "
                    "batch; it makes one more update with the examples left over. Round up: "
                    "math.ceil(n / batch_size).")
        if updates == n // b + 1:
            return (f"when batch_size divides n there are no examples left over ({n} / {b} = "
                    f"{n // b}), so there is no extra batch: math.ceil(n / batch_size), not "
                    "n // batch_size + 1.")
        if updates == math.ceil(b / n) or updates == b // n:
            return "you swapped n and batch_size: it is n / batch_size, rounded up."
        if updates == n:
            return "every update uses batch_size examples, not one: ceil(n / batch_size) updates."
        return _BATCH_RULE
    if last == b and want_last != b:
        return (f"the last batch cannot be full: after {want_updates - 1} full batches only "
                f"{want_last} of the {n} examples are left.")
    if last == n % b:
        return ("when batch_size divides n the last batch is a full one, of batch_size "
                "examples, not n % batch_size = 0.")
    if last == n and n > b:
        return "the last batch holds only the examples left after the full ones, not all n."
    return _BATCH_RULE


def check_epoch_batches(epoch_batches) -> Feedback:
    """``epoch_batches(n, batch_size)`` must return ``(updates, last)``: how many updates
    one epoch over ``n`` examples makes with mini-batches of ``batch_size``, and how many
    examples its last batch holds::

        updates = ceil(n / batch_size),   last = n - (updates - 1) * batch_size

    Checked against the batches ``training.fit`` really makes (counted by a callback).
    """
    name = "epoch_batches"
    problem = not_a_function(epoch_batches, name, "n, batch_size")
    if problem is not None:
        return problem
    what = "the number of updates and the size of the last batch: return updates, last"
    for n, b in _BATCH_CASES:
        sizes = _fit_batches(n, b)
        want_updates, want_last = len(sizes), sizes[-1]
        where = f"epoch_batches(n={n}, batch_size={b})"
        problem, got = call_outcome(call_quietly(epoch_batches, (n, b)), where, name, _BATCH_RULE)
        if problem is None:
            problem, got = number_pair(got, where, what)
        if problem is not None:
            return problem
        updates, last = got
        if (updates, last) != (want_updates, want_last):
            hint = _batch_hint(n, b, updates, last, want_updates, want_last)
            return Feedback(False, f"{where} returned ({show(updates)}, {show(last)}); fit makes "
                                   f"{want_updates} update{'s' if want_updates > 1 else ''}, the "
                                   f"last with {want_last} example{'s' if want_last > 1 else ''}. "
                                   f"Hint: {hint}")
    return Feedback(True, f"epoch_batches agrees with the batches training.fit makes on all "
                          f"{len(_BATCH_CASES)} inputs.")


# ------------------------------------------------------------------------ where to stop

def _stopper(val_losses, patience, strict=True, reset=True):
    """``(best_epoch, stopped_epoch)`` of a stopper fed ``val_losses`` one epoch at a time:
    ``EarlyStopping``'s own rule, or (for the hints) one that takes a tie for an
    improvement (``strict=False``) or never resets its count (``reset=False``)."""
    if strict and reset:
        stopper = EarlyStopping(patience=patience, restore_best_weights=False)
        for loss in val_losses:
            if stopper.update(loss):
                break
        return stopper.best_epoch, stopper.stopped_epoch
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best or not strict and loss <= best:
            best, best_epoch = loss, epoch
            if reset:
                wait = 0
            continue
        wait += 1
        if wait >= patience:
            return best_epoch, epoch
    return best_epoch, 0


#: (validation losses of epochs 1, 2, ..., patience)
_STOP_CASES = [
    ([0.9, 0.7, 0.6, 0.62, 0.58, 0.6, 0.61, 0.63, 0.65, 0.7, 0.72], 3),
    ([0.9, 0.7, 0.6, 0.62, 0.58, 0.6, 0.61, 0.63, 0.65, 0.7, 0.72], 1),
    ([1.0, 0.8, 0.7, 0.72, 0.74, 0.73, 0.71, 0.69, 0.6, 0.55], 3),
    ([0.5, 0.4, 0.4, 0.4, 0.45, 0.3], 3),
    ([1.0, 0.8, 0.7, 0.72, 0.69, 0.71, 0.68, 0.7, 0.73, 0.75], 3),
    ([0.9, 0.8, 0.85, 0.7, 0.6], 2),
    ([0.5, 0.6, 0.7, 0.8], 2),
    (np.array([0.69, 0.52, 0.47, 0.45, 0.46, 0.44, 0.47, 0.5, 0.55, 0.61, 0.68, 0.74]), 5),
]
_STOP_RULE = ("go through the losses from epoch 1; an epoch improves when its loss is lower than "
              "the best so far (it becomes the best epoch, and the count of epochs without "
              "improvement starts again at 0); any other epoch adds 1 to the count, and training "
              "stops at the epoch where the count reaches patience. Return best_epoch, "
              "stopped_epoch (0 if it never stops).")


def _stop_hint(losses, patience, best, stop, want_best, want_stop) -> str:
    n = len(losses)
    if (best, stop) == (want_best - 1, max(want_stop - 1, 0)) or (best == want_best - 1 and stop == want_stop):
        return ("EarlyStopping counts epochs from 1: the first loss is epoch 1, so add 1 to a "
                "Python index (np.argmin(losses) + 1).")
    if (best, stop) == _stopper(losses, patience, strict=False):
        return ("a loss equal to the best so far is no improvement: the loss must be lower "
                "(loss < best), so a tie keeps the earlier epoch and counts as waiting.")
    if (best, stop) == _stopper(losses, patience, reset=False):
        return ("the count of epochs without improvement starts again at 0 at every "
                "improvement: patience is how many epochs *in a row* may pass without one.")
    global_best = int(np.argmin(losses)) + 1
    if best == global_best != want_best:
        return (f"epoch {global_best} has the lowest loss of the whole list, but training has "
                f"stopped before it, at epoch {want_stop}: early stopping never sees the later "
                "epochs, so it keeps the best one it has seen.")
    if patience > 1 and (best, stop) == _stopper(losses, 1):
        return (f"you stop at the first epoch without improvement; with patience {patience} it "
                f"waits {patience} epochs in a row for the loss to improve again.")
    if best == want_best and want_stop == 0 and stop != 0:
        return (f"with patience {patience} the list ends (after {n} epochs) before the count "
                "reaches patience, so training never stops early: return 0 for stopped_epoch, "
                "as EarlyStopping.stopped_epoch.")
    if best == want_best and want_stop and stop == 0:
        return (f"training does stop here: after epoch {want_best} the loss does not improve "
                f"for {patience} epochs in a row, so it stops at epoch {want_best} + {patience} "
                f"= {want_stop}. Return 0 only when the list ends first.")
    if best == want_best and want_stop and stop in (want_stop - 1, want_stop + 1):
        return (f"training stops at the epoch where the count reaches patience, best_epoch + "
                f"patience = {want_best} + {patience} = {want_stop} here.")
    return _STOP_RULE


def check_early_stopping(early_stopping) -> Feedback:
    """``early_stopping(val_losses, patience)`` must return ``(best_epoch, stopped_epoch)``
    as ``EarlyStopping(patience)`` finds them, given the validation loss of epochs
    1, 2, ... (a list or an array), epochs counted from 1:

    - an epoch improves when its loss is lower than the best so far (a tie does not);
    - after ``patience`` epochs in a row without improvement training stops:
      ``stopped_epoch = best_epoch + patience``;
    - ``stopped_epoch`` is 0 when the losses end first.

    Checked against ``regularization.EarlyStopping`` on curves with a second, lower
    minimum before and after the stop, ties, a run that never stops and one that only rises.
    """
    name = "early_stopping"
    problem = not_a_function(early_stopping, name, "val_losses, patience")
    if problem is not None:
        return problem
    what = "the best epoch and the epoch training stops at: return best_epoch, stopped_epoch"
    for losses, patience in _STOP_CASES:
        want_best, want_stop = _stopper(losses, patience)
        where = f"early_stopping({show(losses)}, patience={patience})"
        problem, got = call_outcome(call_quietly(early_stopping, (losses, patience)), where, name, _STOP_RULE)
        if problem is None:
            problem, got = number_pair(got, where, what)
        if problem is not None:
            return problem
        best, stop = got
        if (best, stop) != (want_best, want_stop):
            hint = _stop_hint(list(losses), patience, best, stop, want_best, want_stop)
            stops = (f"stops at epoch {want_stop}" if want_stop else "never stops early")
            return Feedback(False, f"{where} returned ({show(best)}, {show(stop)}); EarlyStopping "
                                   f"keeps epoch {want_best} and {stops}, so ({want_best}, "
                                   f"{want_stop}). Hint: {hint}")
    return Feedback(True, f"early_stopping agrees with EarlyStopping on all {len(_STOP_CASES)} "
                          "curves.")
