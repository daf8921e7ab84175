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
explanation if the loss blows up to infinity or NaN.
"""

import math

import numpy as np

__all__ = ["History", "TrainingDiverged", "fit", "evaluate", "accuracy_from_outputs"]


class TrainingDiverged(RuntimeError):
    """Raised by ``fit(..., on_divergence="raise")`` when the loss stops being finite.

    Attributes: ``epoch`` and ``batch`` (counted from 1; ``batch`` is None when the
    problem showed up on the validation data or in the weights), ``loss`` (the
    offending value), ``lr`` (the optimizer's learning rate, if it has one) and
    ``history`` (the epochs completed before it happened, all finite).
    """

    def __init__(self, message, *, epoch, batch=None, loss=None, lr=None, history=None):
        super().__init__(message)
        self.epoch, self.batch, self.loss, self.lr, self.history = epoch, batch, loss, lr, history


class History:
    """What happened during ``fit``, one entry per completed epoch.

    Attributes
    ----------
    train_loss : list of float, mean loss over the epoch's mini-batches (the weights
        change during the epoch, so this is a running average, as in Keras).
    val_loss : list of float, loss on the validation data after the epoch (empty
        without validation data).
    train_accuracy, val_accuracy : lists of float in [0, 1] (empty when accuracy
        is not measured). Training accuracy is counted on the mini-batches as they
        are trained, like the training loss.
    batch_loss : list of float, the loss of every mini-batch, in order (including
        the finite ones of an epoch that was cut short).
    diverged : True if training stopped because the loss or weights became inf/NaN.
    stopped_early : True if a callback asked to stop.
    message : why training stopped before the last epoch ("" if it did not).

    Only finished epochs are recorded, so the lists never contain inf or NaN.
    """

    def __init__(self):
        self.train_loss = []
        self.val_loss = []
        self.train_accuracy = []
        self.val_accuracy = []
        self.batch_loss = []
        self.diverged = False
        self.stopped_early = False
        self.message = ""

    @property
    def epochs(self):
        """Number of completed epochs."""
        return len(self.train_loss)

    def as_dict(self):
        """The per-epoch lists as a dict (only the non-empty ones)."""
        names = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
        return {name: list(getattr(self, name)) for name in names if getattr(self, name)}

    def __repr__(self):
        parts = [f"epochs={self.epochs}"]
        for name, values in self.as_dict().items():
            parts.append(f"{name}=[{', '.join(_fmt(v) for v in values)}]")
        if self.diverged:
            parts.append("diverged=True")
        if self.stopped_early:
            parts.append("stopped_early=True")
        return f"History({', '.join(parts)})"


def _fmt(value):
    """A float with 4 significant digits, so printed outputs are the same everywhere."""
    return f"{value:.4g}"


# --------------------------------------------------------------------------
# Accuracy
# --------------------------------------------------------------------------

_ACCURACY_KINDS = ("binary_logits", "binary_probs", "multiclass")

#: Which accuracy ``accuracy="auto"`` uses for each loss (by class name).
_AUTO_ACCURACY = {
    "BCEWithLogitsLoss": "binary_logits",
    "BCELoss": "binary_probs",
    "CrossEntropyLoss": "multiclass",
    "NLLLoss": "multiclass",
}


def accuracy_from_outputs(output, target, kind):
    """Return ``(number correct, number counted)`` for one batch of model outputs.

    kind
        ``"binary_logits"``: one output per example is a logit; predict class 1
        when it is > 0 (that is, sigmoid(output) > 0.5). Targets are 0/1.
        ``"binary_probs"``: outputs are probabilities; predict 1 when > 0.5.
        ``"multiclass"``: ``output`` has shape (N, C) (class scores or
        probabilities); the prediction is the argmax over axis 1. ``target`` is
        either class indices of shape (N,) or one-hot/probabilities of shape (N, C).
    """
    output = np.asarray(output)
    target = np.asarray(target)
    if kind in ("binary_logits", "binary_probs"):
        threshold = 0.0 if kind == "binary_logits" else 0.5
        if target.size != output.size:
            raise ValueError(f"binary accuracy needs one output per target; got outputs of "
                             f"shape {output.shape} and targets of shape {target.shape}")
        predicted = output.reshape(-1) > threshold
        truth = target.reshape(-1) > 0.5
    elif kind == "multiclass":
        if output.ndim < 2:
            raise ValueError("multiclass accuracy needs outputs of shape (N, C); "
                             f"got shape {output.shape}")
        predicted = output.argmax(axis=1)
        truth = target.argmax(axis=1) if target.shape == output.shape else target
        if truth.shape != predicted.shape:
            raise ValueError(f"multiclass accuracy: targets of shape {target.shape} do not fit "
                             f"outputs of shape {output.shape} (expected class indices of "
                             f"shape {predicted.shape})")
    else:
        raise ValueError(f"accuracy kind must be one of {_ACCURACY_KINDS}; got {kind!r}")
    return int(np.count_nonzero(predicted == truth)), int(predicted.size)


def _resolve_accuracy(accuracy, loss_fn):
    if accuracy == "auto":
        return _AUTO_ACCURACY.get(type(loss_fn).__name__)
    if accuracy is None or callable(accuracy) or accuracy in _ACCURACY_KINDS:
        return accuracy
    raise ValueError(f"accuracy must be 'auto', None, a function (output, target) -> fraction, "
                     f"or one of {_ACCURACY_KINDS}; got {accuracy!r}")


def _batch_accuracy(kind, output, target):
    """(correct, counted) for a batch; a function metric counts as fraction * batch size."""
    if callable(kind):
        n = len(target)
        return float(kind(output, target)) * n, n
    return accuracy_from_outputs(output, target, kind)


# --------------------------------------------------------------------------
# Evaluation and training
# --------------------------------------------------------------------------

def _compute_loss(loss_fn, output, target):
    return float(loss_fn(output, target))


def evaluate(model, loss_fn, x, y, *, accuracy="auto"):
    """Loss (and accuracy) of ``model`` on ``(x, y)`` in one forward pass, in eval mode.

    Returns ``(loss, accuracy)``; accuracy is None when not measured (see
    :func:`fit` for the ``accuracy`` argument). The model's train/eval mode is
    restored afterwards.
    """
    kind = _resolve_accuracy(accuracy, loss_fn)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    try:
        output = model(x)
        loss = _compute_loss(loss_fn, output, y)
        acc = None
        if kind is not None:
            correct, counted = _batch_accuracy(kind, output, y)
            acc = correct / counted
    finally:
        if was_training and hasattr(model, "train"):
            model.train()
    return loss, acc


def _check_int(name, value, low, why):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low} ({why}); got {value!r}")


def _divergence_message(where, what, value, lr):
    became = "nan (not a number)" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    advice = (f"The learning rate (lr={_fmt(lr)}) is probably too high; try a smaller one."
              if lr is not None else "The learning rate is probably too high; try a smaller one.")
    return f"Training stopped at {where}: {what} became {became}. {advice}"


def fit(model, loss_fn, optimizer, x, y, *, epochs=10, batch_size=32, shuffle=True, rng=None,
        validation_data=None, callbacks=(), verbose=1, print_every=None, accuracy="auto",
        penalty=None, on_divergence="stop"):
    """Train ``model`` on ``(x, y)`` with mini-batches; return a :class:`History`.

    Parameters
    ----------
    model : a Module: ``model(x) -> output``, ``model.backward(grad_output)``,
        ``model.parameters()``, optionally ``train()`` / ``eval()``.
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
        :class:`TrainingDiverged`. Either way the non-finite epoch is not recorded.

    The loss becoming inf or NaN is checked after every batch (and the weights and
    validation loss after every epoch). Numpy's overflow/invalid-value warnings
    are silenced inside the loop, since those checks report the problem in words.
    """
    x, y = np.asarray(x), np.asarray(y)
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
    if validation_data is not None:
        if len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (x_val, y_val)")
        x_val, y_val = (np.asarray(a) for a in validation_data)
        if len(x_val) != len(y_val):
            raise ValueError(f"x_val and y_val must have the same number of examples; "
                             f"got {len(x_val)} and {len(y_val)}")
    callbacks = list(callbacks) if not callable(callbacks) else [callbacks]
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"a callback must be callable as callback(epoch, history, model); "
                            f"got {type(cb).__name__}")
    kind = _resolve_accuracy(accuracy, loss_fn)
    rng = np.random.default_rng(rng)
    params = list(model.parameters())
    history = History()
    n = len(x)
    width = len(str(epochs))

    def stop(where, what, value, **info):
        lr = getattr(optimizer, "lr", None)  # read now: a callback may have changed it
        message = _divergence_message(where, what, value, lr)
        history.message, history.diverged = message, True
        if on_divergence == "raise":
            raise TrainingDiverged(message, history=history, lr=lr, **info)
        if verbose:
            print(message)
        return history

    for cb in callbacks:
        if hasattr(cb, "on_train_begin"):
            cb.on_train_begin(model)
    batch_hooks = [cb.on_batch_end for cb in callbacks if hasattr(cb, "on_batch_end")]
    updates = 0
    if hasattr(model, "train"):
        model.train()

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n) if shuffle else np.arange(n)
            loss_sum, correct, counted = 0.0, 0.0, 0
            for batch, start in enumerate(range(0, n, batch_size), start=1):
                idx = order[start:start + batch_size]
                xb, yb = x[idx], y[idx]
                output = model(xb)
                loss = _compute_loss(loss_fn, output, yb)
                optimizer.zero_grad()
                model.backward(loss_fn.backward())
                if penalty is not None:
                    loss += float(penalty(params))
                if not math.isfinite(loss):
                    return stop(f"epoch {epoch}, batch {batch}", "the loss", loss,
                                epoch=epoch, batch=batch, loss=loss)
                optimizer.step()
                updates += 1
                for hook in batch_hooks:
                    hook(updates, idx, model)
                history.batch_loss.append(loss)
                loss_sum += loss * len(idx)
                if kind is not None:
                    c, k = _batch_accuracy(kind, output, yb)
                    correct, counted = correct + c, counted + k

            for p in params:
                if not np.isfinite(p.data).all():
                    bad = float(p.data[~np.isfinite(p.data)].flat[0])
                    return stop(f"the end of epoch {epoch}", "a weight", bad, epoch=epoch)
            if validation_data is not None:
                val_loss, val_acc = evaluate(model, loss_fn, x_val, y_val, accuracy=kind)
                if not math.isfinite(val_loss):
                    return stop(f"the end of epoch {epoch}", "the validation loss", val_loss,
                                epoch=epoch, loss=val_loss)

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
    return history


def _progress_line(epoch, epochs, width, history):
    parts = [f"epoch {epoch:>{width}}/{epochs}", f"loss {_fmt(history.train_loss[-1])}"]
    if history.train_accuracy:
        parts.append(f"accuracy {_fmt(history.train_accuracy[-1])}")
    if history.val_loss:
        parts.append(f"val_loss {_fmt(history.val_loss[-1])}")
    if history.val_accuracy:
        parts.append(f"val_accuracy {_fmt(history.val_accuracy[-1])}")
    return "  ".join(parts)
