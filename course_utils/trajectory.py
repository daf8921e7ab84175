"""Runs through time: where an optimizer went, step by step, and the loss on the way.

A scene that moves through time computes its whole run once per setting and then
draws it up to its ``step`` parameter (see :mod:`course_utils.scene`). This module
holds what such runs have in common:

* :class:`Trajectory`: the parameters at every step (start first), the loss at every
  step, and the step where the run diverged, if it did;
* :func:`descend`: run an optimizer of :mod:`course_utils.nn.optim` on a function of a
  few numbers (a loss surface) and record its trajectory. It stops, and says so, when
  the point flies away, instead of filling the picture with overflow and NaN.

Scenes cache runs with :func:`functools.lru_cache`, so coming back to a setting costs
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .nn.module import Parameter


@dataclass(frozen=True, eq=False)
class Trajectory:
    """A run of ``steps`` optimizer steps.

    ``points[k]`` (shape (d,)) is where the parameters were after ``k`` steps and
    ``loss[k]`` the loss there; ``points[0]`` is the start. A run that diverged stops
    early: it then has fewer than ``steps + 1`` points, and ``diverged_at`` is the
    step that took it out of bounds (its point is the last one kept, if the loss there
    is still a finite number).
    """

    points: np.ndarray  # (n + 1, d), n <= steps
    loss: np.ndarray  # (n + 1,)
    steps: int
    diverged_at: int | None = None

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def index(self, step: int) -> int:
        """The last recorded step at or before ``step`` (a diverged run ends early)."""
        return min(int(step), len(self.points) - 1)

    def upto(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """``(points, loss)`` from the start up to ``step``, both ends included."""
        k = self.index(step) + 1
        return self.points[:k], self.loss[:k]


def descend(loss: Callable[[np.ndarray], float], grad: Callable[[np.ndarray], np.ndarray],
            start, optimizer: Callable, steps: int, *, bound: float) -> Trajectory:
    """Minimise ``loss`` from ``start`` with ``steps`` steps of an optimizer.

    Parameters
    ----------
    loss, grad : functions of a point ``p`` (shape (d,)): the loss (a float) and its
        gradient (shape (d,)).
    start : the first point, shape (d,).
    optimizer : makes the optimizer from a list of parameters, e.g. ``optim.Adam`` or
        ``functools.partial(optim.SGD, lr=0.01, momentum=0.9)``. The point is one
        :class:`~course_utils.nn.Parameter`; each step sets its ``.grad`` and calls
        ``optimizer.step()``, exactly as a training loop does.
    steps : how many steps to take.
    bound : the run counts as diverged (and stops) once any coordinate of the point
        is larger than this in absolute value, or the loss is no longer finite.
    """
    if steps < 0 or int(steps) != steps:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    start = np.array(start, dtype=float)
    if start.ndim != 1 or not np.all(np.abs(start) <= bound):
        raise ValueError(f"start must be a point (1-D) inside the bound {bound}, got {start}")
    point = Parameter(start.copy())
    opt = optimizer([point])
    points = np.empty((steps + 1, start.size))
    losses = np.empty(steps + 1)
    points[0], losses[0] = start, loss(start)
    for k in range(1, steps + 1):
        point.grad = grad(point.data)
        opt.step()
        if np.all(np.abs(point.data) <= bound):
            points[k], losses[k] = point.data, loss(point.data)
            if np.isfinite(losses[k]):
                continue
            return Trajectory(points[:k], losses[:k], steps, diverged_at=k)
        # out of bounds: keep the escaping point only while its loss is a finite number
        with np.errstate(over="ignore", invalid="ignore"):
            value = loss(point.data) if np.all(np.isfinite(point.data)) else np.inf
        kept = k + 1 if np.isfinite(value) else k
        points[k], losses[k] = point.data, value
        return Trajectory(points[:kept], losses[:kept], steps, diverged_at=k)
    return Trajectory(points, losses, steps)
