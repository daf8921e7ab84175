"""Regularization: weight penalties and early stopping.

Weight penalties are added to the data loss to keep weights small::

    L1:  penalty = strength * sum_i |w_i|          gradient  strength * sign(w)
    L2:  penalty = strength / 2 * sum_i w_i**2     gradient  strength * w

The ``1/2`` in L2 makes its gradient exactly ``strength * w``, which is what the
optimizers' ``weight_decay`` adds to every gradient. So for plain SGD::

    loss + l2_penalty(params, lam)   with SGD(params, lr)
    loss                             with SGD(params, lr, weight_decay=lam)

take identical steps. (With Adam, RMSprop ... the two are the same as well, since
``weight_decay`` in those classes is also added to the gradient; it is *decoupled*
weight decay, PyTorch's ``AdamW``, that differs.) Use ``weight_decay`` for L2 and
``l1_penalty`` for L1, or call the penalty functions to see and plot the penalty.

:class:`EarlyStopping` is a callback for :func:`course_utils.nn.training.fit` (or any
loop): it watches the validation loss, remembers the best weights, and asks to
stop when the loss has not improved for ``patience`` epochs.
"""

import math

import numpy as np

__all__ = ["l1_penalty", "l2_penalty", "EarlyStopping"]


def _parameter_list(params, strength):
    if not isinstance(strength, (int, float, np.number)) or not strength >= 0:
        raise ValueError(f"strength must be a number >= 0 (how strongly weights are pulled "
                         f"towards zero); got {strength!r}")
    params = list(params)
    for i, p in enumerate(params):
        if not (hasattr(p, "data") and hasattr(p, "grad")):
            raise TypeError(f"params[{i}] is a {type(p).__name__}, not a Parameter "
                            "(an object with .data and .grad)")
    return params


def _add_grad(p, g):
    if p.grad is None:
        p.grad = g
    else:
        p.grad += g


def l1_penalty(params, strength, *, add_grad=True):
    """Return ``strength * sum |w|`` over all ``params``; add its gradient to ``.grad``.

    The gradient of ``|w|`` is ``sign(w)``; at exactly ``w = 0`` we use 0 (the
    same subgradient PyTorch's autograd gives).

    Parameters
    ----------
    params : iterable of Parameter, e.g. ``model.parameters()`` (you may leave
        biases out by passing only the weights).
    strength : float >= 0, the lambda in front of the penalty.
    add_grad : if True (default), ``p.grad += strength * sign(p.data)`` for each
        parameter, so call it after ``backward()`` and before ``optimizer.step()``.

    Returns the penalty as a float, to add to the reported loss.
    """
    params = _parameter_list(params, strength)
    total = 0.0
    for p in params:
        total += float(np.abs(p.data).sum())
        if add_grad:
            _add_grad(p, strength * np.sign(p.data))
    return strength * total


def l2_penalty(params, strength, *, add_grad=True):
    """Return ``strength / 2 * sum w**2`` over all ``params``; add its gradient to ``.grad``.

    The gradient is ``strength * w``: the same term that ``weight_decay=strength``
    adds inside the optimizers (see the module docstring).

    Parameters and return value as in :func:`l1_penalty`.
    """
    params = _parameter_list(params, strength)
    total = 0.0
    for p in params:
        total += float(np.sum(p.data * p.data))
        if add_grad:
            _add_grad(p, strength * p.data)
    return 0.5 * strength * total


class EarlyStopping:
    """Stop training when the monitored loss stops improving; keep the best weights.

    An epoch *improves* when ``loss < best - min_delta``. After ``patience``
    epochs in a row without improvement the callback asks to stop and, if
    ``restore_best_weights``, copies the best weights back into the model.

    Use it with ``fit(..., validation_data=..., callbacks=[EarlyStopping()])``, or
    in your own loop::

        stopper = EarlyStopping(patience=3)
        for epoch in range(100):
            ...train one epoch, compute val_loss...
            if stopper.update(val_loss, model):
                break

    Parameters
    ----------
    patience : int >= 1, epochs without improvement before stopping.
    min_delta : float >= 0, how much lower the loss must be to count as better.
    restore_best_weights : copy the best weights back when stopping.
    monitor : ``"val_loss"`` (default) or ``"train_loss"``: the ``History`` list
        read when used as a ``fit`` callback.

    The weights are restored only when it stops training; if the last epoch
    comes first, call ``stopper.restore(model)`` to get the best ones back.

    Attributes after training: ``best_loss``, ``best_epoch`` (counted from 1),
    ``stopped_epoch`` (0 if it never stopped), ``wait`` and ``message``.
    Simplification compared with Keras: only losses (lower is better) are watched.
    """

    def __init__(self, patience=5, min_delta=0.0, restore_best_weights=True, monitor="val_loss"):
        if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) or patience < 1:
            raise ValueError(f"patience must be a whole number >= 1 (epochs to wait); got {patience!r}")
        if not isinstance(min_delta, (int, float, np.number)) or not min_delta >= 0:
            raise ValueError(f"min_delta must be a number >= 0 (the smallest improvement that "
                             f"counts); got {min_delta!r}")
        if monitor not in ("val_loss", "train_loss"):
            raise ValueError(f"monitor must be 'val_loss' or 'train_loss'; got {monitor!r}")
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.restore_best_weights = bool(restore_best_weights)
        self.monitor = monitor
        self.reset()

    def reset(self):
        """Forget everything seen so far (``fit`` calls this when training starts)."""
        self.best_loss = math.inf
        self.best_epoch = 0
        self.best_weights = None
        self.epochs_seen = 0
        self.wait = 0
        self.stopped_epoch = 0
        self.message = ""

    def on_train_begin(self, model=None):
        self.reset()

    def update(self, loss, model=None):
        """Record one epoch's ``loss``; return True when training should stop.

        ``model`` (anything with ``parameters()``) is needed to save and restore
        weights; without it only the bookkeeping is done.
        """
        self.epochs_seen += 1
        loss = float(loss)
        if loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.wait = loss, self.epochs_seen, 0
            if model is not None and self.restore_best_weights:
                self.best_weights = [np.array(p.data, copy=True) for p in model.parameters()]
            return False
        self.wait += 1
        if self.wait < self.patience:
            return False
        self.stopped_epoch = self.epochs_seen
        self.message = (f"Early stopping at epoch {self.stopped_epoch}: {self.monitor} has not "
                        f"improved for {self.patience} epochs (best {self.best_loss:.4g} at "
                        f"epoch {self.best_epoch})")
        if self.restore_best_weights and self.best_weights is not None:
            self.restore(model)
            self.message += "; restored the weights of that epoch."
        else:
            self.message += "."
        return True

    def restore(self, model):
        """Copy the best weights seen so far back into ``model`` (in place)."""
        if self.best_weights is None:
            raise RuntimeError("EarlyStopping has no saved weights yet")
        params = list(model.parameters())
        if len(params) != len(self.best_weights):
            raise ValueError("the model has a different number of parameters than when its "
                             "best weights were saved")
        for p, w in zip(params, self.best_weights):
            p.data[...] = w

    def __call__(self, epoch, history, model):
        """``fit`` callback: read the last ``history.<monitor>`` value; True means stop."""
        values = getattr(history, self.monitor)
        if not values:
            hint = (" pass validation_data=(x_val, y_val) to fit, or use "
                    "EarlyStopping(monitor='train_loss')") if self.monitor == "val_loss" else ""
            raise ValueError(f"EarlyStopping watches {self.monitor!r} but the history has no "
                             f"such values;{hint}")
        return self.update(values[-1], model)

    def __repr__(self):
        return (f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
                f"restore_best_weights={self.restore_best_weights}, monitor={self.monitor!r})")
