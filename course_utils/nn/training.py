"""A small training loop: ``fit`` a model on arrays and get back a ``History``.

One training step is the five lines every PyTorch loop has::

    output = model(x_batch)                 # forward pass
    loss = loss_fn(output, y_batch)         # a float
    optimizer.zero_grad()                   # forget the last step's gradients
    model.backward(loss_fn.backward())      # backward pass: fills every p.grad
    optimizer.step()                        # update the weights

(In PyTorch the backward line is ``loss.backward()``: autograd finds the layers for
you; our numpy engine passes the gradient back through the model explicitly.)

``fit`` repeats that over shuffled mini-batches for some epochs, measures the
loss (and accuracy) on the training and validation data, prints one short line
per epoch, calls callbacks such as ``EarlyStopping``, and stops with a plain
explanation if training blows up (see :func:`fit`).
"""

import math

import numpy as np

from .history import History, TrainingDiverged, four_digits
from .metrics import accuracy_from_outputs, batch_accuracy, resolve_accuracy

__all__ = ["History", "TrainingDiverged", "fit", "evaluate", "accuracy_from_outputs",
           "LOSS_GROWTH_LIMIT", "WEIGHT_LIMIT"]

#: ``fit`` stops a run whose training loss (averaged over an epoch, without the penalty)
#: is more than this many times its best and worse than before training: such a run has
#: blown up. A healthy run ends far below where it started and never climbs back above it
#: (no run of the course's notebooks and scenes comes near).
LOSS_GROWTH_LIMIT = 100.0

#: ``fit`` stops a run in which a weight grows beyond this size. Trained weights are
#: usually below 100; 1e10 is far beyond any sane size (and float64 overflows at 1e308).
WEIGHT_LIMIT = 1e10


# --------------------------------------------------------------------------
# Evaluation and training
# --------------------------------------------------------------------------

def _compute_loss(loss_fn, output, target):
    return float(loss_fn(output, target))


def evaluate(model, loss_fn, x, y, *, accuracy="auto"):
    """Loss (and accuracy) of ``model`` on ``(x, y)`` in one forward pass, in eval mode.

    Returns ``(loss, accuracy)``; accuracy is None when not measured (see
    :func:`fit` for the ``accuracy`` argument), and NaN when the loss is NaN (outputs
    that are not numbers are neither right nor wrong). The model's train/eval mode is
    restored afterwards.
    """
    kind = resolve_accuracy(accuracy, loss_fn)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    try:
        output = model(x)
        loss = _compute_loss(loss_fn, output, y)
        acc = None
        if kind is not None:
            correct, counted = batch_accuracy(kind, output, y)
            acc = math.nan if math.isnan(loss) else correct / counted
    finally:
        if was_training and hasattr(model, "train"):
            model.train()
    return loss, acc


def _check_int(name, value, low, why):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low} ({why}); got {value!r}")


def _examples(name, values):
    """``values`` as an array with one example per row, or a ValueError saying so."""
    values = np.asarray(values)
    if values.ndim == 0:
        raise ValueError(f"{name} must be an array with one example per row; got a single "
                         f"value {values.item()!r}")
    return values


def _check_finite(name, values):
    """A ValueError naming ``name`` and the rows where it holds NaN or inf, if it does:
    one NaN in the data makes every weight NaN after the first update."""
    if values.dtype.kind not in "fc" or np.isfinite(values).all():
        return
    bad = ~np.isfinite(values)
    nans = int(np.isnan(values).sum())
    counts = [f"{k} {kind} value{'s' if k > 1 else ''}"
              for k, kind in ((nans, "NaN"), (int(bad.sum()) - nans, "inf")) if k]
    rows = np.flatnonzero(bad.reshape(len(values), -1).any(axis=1))
    shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
    raise ValueError(f"{name} has {' and '.join(counts)} (row{'s' if len(rows) > 1 else ''} "
                     f"{shown}): training needs finite numbers; remove or replace "
                     f"{'them' if len(rows) > 1 else 'it'}")


def _check_weights(params):
    """A ValueError if a weight of the untrained model is NaN or inf."""
    for i, p in enumerate(params):
        if not np.isfinite(p.data).all():
            raise ValueError(f"the model's parameter {i} (shape {p.data.shape}) holds NaN or "
                             "inf before training: give the model finite weights")


def _divergence_message(where, what, lr, epoch):
    advice = (f"The learning rate (lr={four_digits(lr)}) is probably too high; try a smaller one."
              if lr is not None else "The learning rate is probably too high; try a smaller one.")
    kept = (f"The model keeps its weights from the end of epoch {epoch - 1}, the last finished "
            "one." if epoch > 1 else "The model keeps the weights it had before training.")
    return f"Training stopped at {where}: {what}. {advice} {kept}"


def _became(value):
    """``became nan (not a number)``, ``became inf`` or ``blew up to 3.5e+12``."""
    if math.isnan(value):
        return "became nan (not a number)"
    if math.isinf(value):
        return f"became {'inf' if value > 0 else '-inf'}"
    return f"blew up to {four_digits(value)}"


def _blown_weight(params):
    """The first weight that is NaN, inf or beyond ``WEIGHT_LIMIT`` in size (else None)."""
    for p in params:
        size = np.abs(p.data)
        if not size.max(initial=0.0) <= WEIGHT_LIMIT:  # a NaN fails this test too
            return float(p.data.flat[np.argmax(~(size <= WEIGHT_LIMIT))])
    return None


def fit(model, loss_fn, optimizer, x, y, *, epochs=10, batch_size=32, shuffle=True, rng=None,
        validation_data=None, callbacks=(), verbose=1, print_every=None, accuracy="auto",
        penalty=None, on_divergence="stop"):
    """Train ``model`` on ``(x, y)`` with mini-batches; return a :class:`History`.

    Parameters
    ----------
    model : a Module: ``model(x) -> output``, ``model.backward(grad_output)``,
        ``model.parameters()``, optionally ``train()`` / ``eval()``. Nothing needs the
        gradient of the data, so a model that can skip it (``can_skip_input_grad``:
        Sequential, Linear, Conv2d) is called as ``backward(grad_output, input_grad=False)``.
    loss_fn : a loss: ``loss_fn(output, target) -> float`` and
        ``loss_fn.backward() -> d loss / d output``.
    optimizer : e.g. ``SGD(model.parameters(), lr=0.1)``.
    x, y : arrays whose first axis is the example axis (``len(x) == len(y)``).
    epochs : passes over the data. batch_size : examples per step (the last
        batch of an epoch may be smaller).
    shuffle : new random order every epoch, drawn from ``rng`` (a seed or a
        ``numpy.random.Generator``): the same seed gives the same training.
    validation_data : ``(x_val, y_val)``, evaluated after every epoch in eval mode.
    callbacks : functions or objects called as ``callback(epoch, history, model)``
        after every epoch (``epoch`` counted from 1, so ``history.train_loss[epoch-1]``
        is that epoch's loss). Returning True stops training; an optional
        ``message`` attribute says why. An optional ``on_train_begin(model)``
        method is called first, and an optional ``on_batch_end(update, indices,
        model)`` after every update (``update`` counted from 1 over the whole run,
        ``indices`` the examples of that batch). Use them for EarlyStopping, live
        plots and recording a run (:mod:`course_utils.runs`).
    verbose : 0 prints nothing; 1 prints one line every ``print_every`` epochs
        (default: about 10 lines in all, always the first and last epoch) and
        the reason for stopping early. Values have 4 significant digits and no
        timings, so the text is the same on every run and machine.
    accuracy : ``"auto"`` (default) picks one from the loss: BCEWithLogitsLoss ->
        ``"binary_logits"`` (output > 0), BCELoss -> ``"binary_probs"`` (output > 0.5),
        CrossEntropyLoss / NLLLoss -> ``"multiclass"`` (argmax), any other loss ->
        no accuracy. Pass one of those names, None, or a function
        ``(output, target) -> fraction correct`` to choose yourself.
    penalty : optional ``penalty(params) -> float`` called after each backward
        pass, e.g. ``lambda ps: l1_penalty(ps, 1e-3)``; it adds its gradient and
        its value is included in the training loss.
    on_divergence : ``"stop"`` (default) ends training with a message in
        ``history.message`` (printed when verbose); ``"raise"`` raises
        :class:`TrainingDiverged`. Either way the epoch that blew up is not recorded.

    Before training, ``x``, ``y`` and the validation data are checked for NaN and inf
    (a ValueError names the rows), and the weights too. Training *blows up* when the
    loss becomes inf or NaN (checked after every batch), when a weight becomes inf,
    NaN or larger than ``WEIGHT_LIMIT`` (1e10), when the validation loss becomes inf
    or NaN, or when an epoch's training loss is more than ``LOSS_GROWTH_LIMIT`` (100)
    times its best and worse than before training (all checked after every epoch;
    the loss before training is measured on the first 256 examples, in eval mode).
    Training then stops with a plain message, and the model is given back the weights
    it had at the end of the last good epoch (or before training). The optimizer's
    state (momentum, Adam's averages) is not: make a new optimizer to train again.
    Numpy's overflow/invalid-value warnings are silenced inside the loop, since those
    checks report the problem in words.
    """
    x, y = _examples("x", x), _examples("y", y)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same number of examples; got {len(x)} and {len(y)}")
    if len(x) == 0:
        raise ValueError("x is empty: there is nothing to train on")
    _check_int("epochs", epochs, 0, "the number of passes over the data")
    _check_int("batch_size", batch_size, 1, "examples per step")
    verbose = int(verbose) if isinstance(verbose, bool) else verbose  # True/False work too
    _check_int("verbose", verbose, 0, "0 is silent, 1 prints progress")
    if print_every is None:
        print_every = max(1, math.ceil(epochs / 10))
    _check_int("print_every", print_every, 1, "epochs between progress lines")
    if on_divergence not in ("stop", "raise"):
        raise ValueError(f"on_divergence must be 'stop' or 'raise'; got {on_divergence!r}")
    data = [("x", x), ("y", y)]
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (x_val, y_val)")
        x_val, y_val = _examples("x_val", validation_data[0]), _examples("y_val", validation_data[1])
        if len(x_val) != len(y_val):
            raise ValueError(f"x_val and y_val must have the same number of examples; "
                             f"got {len(x_val)} and {len(y_val)}")
        data += [("x_val", x_val), ("y_val", y_val)]
    for name, values in data:
        _check_finite(name, values)
    callbacks = list(callbacks) if not callable(callbacks) else [callbacks]
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"a callback must be callable as callback(epoch, history, model); "
                            f"got {type(cb).__name__}")
    kind = resolve_accuracy(accuracy, loss_fn)
    rng = np.random.default_rng(rng)
    params = list(model.parameters())
    _check_weights(params)
    good_weights = [p.data.copy() for p in params]  # at the end of the last finished epoch
    # Nothing needs dL/dx (x is the data): say so to a model that can skip computing it.
    backward_options = {"input_grad": False} if getattr(model, "can_skip_input_grad", False) else {}
    history = History()
    n = len(x)
    width = len(str(epochs))

    def stop(where, what, epoch, **info):
        for p, good in zip(params, good_weights):
            p.data[...] = good
        lr = getattr(optimizer, "lr", None)  # read now: a callback may have changed it
        message = _divergence_message(where, what, lr, epoch)
        history.message, history.diverged = message, True
        if on_divergence == "raise":
            raise TrainingDiverged(message, history=history, lr=lr, epoch=epoch, **info)
        if verbose:
            print(message)
        return history

    for cb in callbacks:
        if hasattr(cb, "on_train_begin"):
            cb.on_train_begin(model)
    batch_hooks = [cb.on_batch_end for cb in callbacks if hasattr(cb, "on_batch_end")]
    updates = 0

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        start_loss = evaluate(model, loss_fn, x[:256], y[:256], accuracy=None)[0]
        best_loss = start_loss
        if hasattr(model, "train"):
            model.train()
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n) if shuffle else np.arange(n)
            loss_sum, data_loss_sum, correct, counted = 0.0, 0.0, 0.0, 0
            for batch, start in enumerate(range(0, n, batch_size), start=1):
                idx = order[start:start + batch_size]
                xb, yb = x[idx], y[idx]
                output = model(xb)
                data_loss = loss = _compute_loss(loss_fn, output, yb)
                optimizer.zero_grad()
                model.backward(loss_fn.backward(), **backward_options)
                if penalty is not None:
                    loss += float(penalty(params))
                if not math.isfinite(loss):
                    return stop(f"epoch {epoch}, batch {batch}", f"the loss {_became(loss)}",
                                epoch, batch=batch, loss=loss)
                optimizer.step()
                updates += 1
                for hook in batch_hooks:
                    hook(updates, idx, model)
                history.batch_loss.append(loss)
                loss_sum += loss * len(idx)
                data_loss_sum += data_loss * len(idx)
                if kind is not None:
                    c, k = batch_accuracy(kind, output, yb)
                    correct, counted = correct + c, counted + k

            where = f"the end of epoch {epoch}"
            weight = _blown_weight(params)
            if weight is not None:
                return stop(where, f"a weight {_became(weight)}", epoch)
            epoch_loss = data_loss_sum / n
            if start_loss > 0 and epoch_loss > max(start_loss, LOSS_GROWTH_LIMIT * best_loss):
                best = f", {four_digits(best_loss)} at best" if best_loss < start_loss else ""
                return stop(where, f"the loss {_became(epoch_loss)} (it was "
                            f"{four_digits(start_loss)} before training{best})", epoch,
                            loss=epoch_loss)
            best_loss = min(best_loss, epoch_loss)
            if validation_data is not None:
                val_loss, val_acc = evaluate(model, loss_fn, x_val, y_val, accuracy=kind)
                if not math.isfinite(val_loss):
                    return stop(where, f"the validation loss {_became(val_loss)}", epoch,
                                loss=val_loss)

            history.train_loss.append(loss_sum / n)
            if kind is not None:
                history.train_accuracy.append(correct / counted)
            if validation_data is not None:
                history.val_loss.append(val_loss)
                if val_acc is not None:
                    history.val_accuracy.append(val_acc)

            printed = verbose and (epoch == 1 or epoch % print_every == 0 or epoch == epochs)
            if printed:
                print(_progress_line(epoch, epochs, width, history))

            for cb in callbacks:
                if cb(epoch, history, model):
                    history.stopped_early = True
                    history.message = (getattr(cb, "message", "") or
                                       f"Training stopped at epoch {epoch} by "
                                       f"{getattr(cb, '__name__', type(cb).__name__)}.")
                    break
            if history.stopped_early:
                if verbose:
                    if not printed:
                        print(_progress_line(epoch, epochs, width, history))
                    print(history.message)
                break
            for p, good in zip(params, good_weights):
                np.copyto(good, p.data)
    return history


def _progress_line(epoch, epochs, width, history):
    parts = [f"epoch {epoch:>{width}}/{epochs}", f"loss {four_digits(history.train_loss[-1])}"]
    if history.train_accuracy:
        parts.append(f"accuracy {four_digits(history.train_accuracy[-1])}")
    if history.val_loss:
        parts.append(f"val_loss {four_digits(history.val_loss[-1])}")
    if history.val_accuracy:
        parts.append(f"val_accuracy {four_digits(history.val_accuracy[-1])}")
    return "  ".join(parts)
