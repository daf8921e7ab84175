"""Learning-rate schedulers: change the optimizer's learning rate as training goes on.

The classes have the names, argument orders and defaults of
``torch.optim.lr_scheduler`` (``StepLR``, ``CosineAnnealingLR``, ``LinearLR``) and
are reached the same way, as ``optim.lr_scheduler``::

    from course_utils.nn import optim
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        ...                      # one epoch: many optimizer.step() calls
        scheduler.step()         # then one scheduler step: the lr of the next epoch

With :func:`course_utils.nn.training.fit`, step once per epoch from a callback
(fit calls each callback as ``callback(epoch, history, model)`` after every epoch;
this one returns None, so training goes on)::

    history = training.fit(model, loss_fn, optimizer, x, y, epochs=20,
                           callbacks=[lambda epoch, history, model: scheduler.step()])

The ``History`` has no record of the learning rate: read ``optimizer.lr`` (or
``scheduler.get_last_lr()``) in a callback of your own to keep one.

Notation in the docstrings: ``t`` is ``scheduler.last_epoch``, the number of
``step()`` calls so far (0 just after the scheduler is made); ``base`` is the
learning rate the optimizer had when its first scheduler was made, which is kept
as ``optimizer.initial_lr`` (as PyTorch keeps ``group["initial_lr"]``). Making a
scheduler already sets ``optimizer.lr`` to the schedule's value at ``t = 0``.

Simplifications compared with PyTorch: no parameter groups, so ``get_last_lr()``
returns a list with one entry (PyTorch's has one per group). Every schedule is
computed from ``t`` by its closed-form formula; PyTorch updates some of them step
by step from the current lr, which gives the same numbers (to 1e-14, relative)
but also builds on changes made to the lr from outside, and lets two schedulers
on one optimizer multiply: here the last one to step sets the lr. No
``step(epoch)`` (deprecated in PyTorch). The arguments are checked more strictly:
PyTorch accepts ``step_size=0`` and ``T_max=0`` (then fails at the first step with
a ZeroDivisionError), negative or fractional ``step_size`` and ``T_max``,
``gamma <= 0``, a negative or NaN ``eta_min``, ``total_iters <= 0`` and a NaN
``start_factor``; the course refuses them when the scheduler is made.
"""

import math

from .optim import Optimizer, _check_number
from .training import _check_int

__all__ = ["LRScheduler", "StepLR", "CosineAnnealingLR", "LinearLR"]


def _check_positive(name, value, why, *, high=None):
    """Like ``optim._check_number``, for ``0 < value (<= high)``: 0 is refused too."""
    try:
        ok = math.isfinite(value) and value > 0 and (high is None or value <= high)
    except TypeError:
        raise TypeError(f"{name} must be a number; got {value!r}") from None
    if not ok:
        upper = "" if high is None else f" and <= {high}"
        raise ValueError(f"{name} must be > 0{upper} ({why}); got {value!r}")


class LRScheduler:
    """Base class: holds the optimizer, ``base_lrs`` and the step count ``last_epoch``.

    ``LRScheduler(optimizer, last_epoch=-1)``, as ``torch.optim.lr_scheduler``'s.
    ``optimizer`` is an optimizer of :mod:`course_utils.nn.optim`. ``last_epoch=-1``
    starts a new schedule; a value ``k >= 0`` resumes one that had reached ``t = k``
    (the optimizer must then have ``initial_lr``, set by an earlier scheduler).
    Construction does PyTorch's first step: ``last_epoch`` becomes ``k + 1`` (0 for a
    new schedule) and ``optimizer.lr`` is set to the schedule's value there.

    A subclass checks its arguments and writes its formula in ``get_lr()``, which
    returns ``[lr at t = last_epoch]``.
    """

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError("optimizer must be an optimizer of course_utils.nn.optim, e.g. "
                            "optim.SGD(model.parameters(), lr=0.1); "
                            f"got {type(optimizer).__name__}")
        _check_int("last_epoch", last_epoch, -1, "-1 starts a new schedule")
        if not hasattr(optimizer, "initial_lr"):
            if last_epoch != -1:
                raise ValueError(f"last_epoch={last_epoch} resumes a schedule, but the optimizer "
                                 "has no initial_lr (set by its first scheduler): use -1")
            optimizer.initial_lr = optimizer.lr
        self.optimizer = optimizer
        self.base_lrs = [optimizer.initial_lr]
        self.last_epoch = last_epoch
        self.step()

    def get_lr(self):
        """``[lr at t = last_epoch]``: the schedule's formula (one entry, one group)."""
        raise NotImplementedError

    def step(self):
        """Count one more step and set ``optimizer.lr`` to the schedule's value there.

        Call it after ``optimizer.step()``, usually once per epoch.
        """
        self.last_epoch += 1
        self._last_lr = self.get_lr()
        self.optimizer.lr = self._last_lr[0]

    def get_last_lr(self):
        """The learning rate set by the last step, as a one-element list (PyTorch's
        list has one entry per parameter group; the course's optimizers have one)."""
        return list(self._last_lr)

    def state_dict(self):
        """Everything but the optimizer, as in PyTorch."""
        return {key: value for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore what :meth:`state_dict` returned (the optimizer's lr is not changed)."""
        self.__dict__.update(state_dict)

    def __repr__(self):
        settings = ", ".join(f"{k}={v!r}" for k, v in vars(self).items()
                             if k not in ("optimizer", "base_lrs", "_last_lr"))
        return f"{type(self).__name__}({settings})"


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps.

    ``StepLR(optimizer, step_size, gamma=0.1, last_epoch=-1)``, as PyTorch's::

        lr = base * gamma ** floor(t / step_size)

    ``step_size`` is a whole number >= 1; ``gamma > 0`` (below 1 it decays).
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        _check_int("step_size", step_size, 1, "the number of steps between two decays")
        _check_positive("gamma", gamma, "the lr is multiplied by it")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t = self.last_epoch
        return [base * self.gamma ** (t // self.step_size) for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Lower the learning rate from ``base`` to ``eta_min`` along half a cosine wave.

    ``CosineAnnealingLR(optimizer, T_max, eta_min=0.0, last_epoch=-1)``, as PyTorch's::

        lr = eta_min + (base - eta_min) * (1 + cos(pi * t / T_max)) / 2

    ``lr`` is ``base`` at t = 0, halfway ``(base + eta_min) / 2`` at t = T_max / 2 and
    ``eta_min`` at t = T_max. Stepping on past ``T_max`` follows the same cosine back
    up (``base`` again at t = 2 T_max), as PyTorch does. ``T_max`` is a whole
    number >= 1; ``eta_min`` a number >= 0.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        _check_int("T_max", T_max, 1, "the number of steps from base down to eta_min")
        _check_number("eta_min", eta_min, "it is the lowest learning rate of the schedule")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, eta_min = self.last_epoch, self.eta_min
        return [eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Change the learning rate in a straight line from ``base * start_factor`` to
    ``base * end_factor`` over ``total_iters`` steps, then keep it (a warm-up when
    ``start_factor < end_factor``, a decay otherwise).

    ``LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5, last_epoch=-1)``,
    as PyTorch's::

        f  = min(t, total_iters) / total_iters         from 0 up to 1, then stays at 1
        lr = base * (start_factor + (end_factor - start_factor) * f)

    ``start_factor`` is in (0, 1] and ``end_factor`` in [0, 1] (PyTorch refuses
    numbers outside these ranges too); ``total_iters`` is a whole number >= 1.
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        _check_positive("start_factor", start_factor, "it multiplies the lr at the start",
                        high=1)
        _check_number("end_factor", end_factor, "it multiplies the lr at the end", high=1,
                      high_inclusive=True)
        _check_int("total_iters", total_iters, 1, "the number of steps from start to end")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        start, end, total = self.start_factor, self.end_factor, self.total_iters
        fraction = min(self.last_epoch, total) / total
        return [base * (start + (end - start) * fraction) for base in self.base_lrs]
