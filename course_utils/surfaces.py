"""Loss surfaces of two weights: small landscapes on which optimizers can be watched.

A real network's loss depends on thousands of weights and cannot be drawn. These
functions of two numbers ``(x, y)`` each have one feature that makes training hard,
so we can see what an optimizer does about it:

* ``rosenbrock``: a long, curved, flat-bottomed valley (Rosenbrock, 1960);
* ``beale``: flat plateaus next to steep walls (Beale, 1958);
* ``saddle``: a point where the ground is flat but which is not a minimum;
* ``valley``: a quadratic bowl with curvature 10 across and 1 along ("ill-conditioned"),
  lying along the axes;
* ``rotated_valley``: the same valley turned by 45°, so that its steep and gentle
  directions each mix both weights.

Every surface gives its value and its gradient (worked out by hand; the tests check
them against finite differences) for numbers or numpy arrays of points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Surface:
    """A loss surface ``f(x, y)`` with its gradient and a region worth drawing.

    ``f(x, y)`` and ``grad(x, y) -> (df/dx, df/dy)`` work element-wise on numbers or
    arrays. ``xlim``/``ylim`` frame the picture, ``start`` is a start point that shows
    the surface's difficulty, ``minimum`` is where ``f`` is lowest (one of them, if
    several), and ``lowest`` is that value. ``learning_rates`` maps each optimizer
    of the race (see :mod:`course_utils.scenes.optimizers`) to a learning rate that
    works here: good to start experimenting from.
    """

    name: str
    label: str
    formula: str
    f: Callable
    grad: Callable
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: tuple[float, float]
    minimum: tuple[float, float]
    lowest: float
    learning_rates: dict = field(default_factory=dict)

    def loss(self, p: np.ndarray) -> float:
        """``f`` at the point ``p = (x, y)``."""
        return float(self.f(p[0], p[1]))

    def gradient(self, p: np.ndarray) -> np.ndarray:
        """The gradient at ``p = (x, y)``, shape (2,)."""
        return np.array(self.grad(p[0], p[1]), dtype=float)

    @property
    def bound(self) -> float:
        """A point farther than this from the origin (in x or y) has diverged: ten
        times the drawn region."""
        return 10.0 * max(abs(v) for v in (*self.xlim, *self.ylim))


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosenbrock_grad(x, y):
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def _beale_grad(x, y):
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3
    dx = 2 * a * (y - 1) + 2 * b * (y ** 2 - 1) + 2 * c * (y ** 3 - 1)
    dy = 2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y ** 2
    return dx, dy


def _saddle(x, y):
    return x * x + 0.25 * y ** 4 - 0.5 * y * y


def _saddle_grad(x, y):
    return 2 * x, y ** 3 - y


def _valley(x, y):
    return 0.5 * (x * x + 10 * y * y)


def _valley_grad(x, y):
    return x, 10 * y


# The valley turned 45° anticlockwise: with u = (x + y)/√2 along the floor (the line y = x)
# and w = (y - x)/√2 across it, f = (u² + 10 w²)/2 = ((x + y)² + 10 (y - x)²)/4.
def _rotated_valley(x, y):
    return 0.25 * ((x + y) ** 2 + 10 * (y - x) ** 2)


def _rotated_valley_grad(x, y):
    return 0.5 * (x + y) - 5 * (y - x), 0.5 * (x + y) + 5 * (y - x)


_VALLEY_RATES = {"sgd": 0.1, "momentum": 0.005, "nesterov": 0.01, "adagrad": 0.3, "rmsprop": 0.03,
                 "adadelta": 10.0, "adam": 0.05}

SURFACES = {
    s.name: s for s in (
        Surface("rosenbrock", "Rosenbrock's valley", "(1 - x)² + 100 (y - x²)²",
                _rosenbrock, _rosenbrock_grad, (-2.0, 2.0), (-1.0, 3.0), (-1.5, 2.5), (1.0, 1.0), 0.0,
                {"sgd": 1e-3, "momentum": 1e-3, "nesterov": 1e-3, "adagrad": 0.3, "rmsprop": 0.01,
                 "adadelta": 10.0, "adam": 0.1}),
        Surface("beale", "Beale's plateaus", "(1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²",
                _beale, _beale_grad, (-1.0, 4.0), (-1.5, 2.5), (1.0, 1.5), (3.0, 0.5), 0.0,
                {"sgd": 0.02, "momentum": 2e-3, "nesterov": 2e-3, "adagrad": 1.0, "rmsprop": 0.1,
                 "adadelta": 5.0, "adam": 0.3}),
        Surface("saddle", "a saddle point", "x² + y⁴/4 - y²/2",
                _saddle, _saddle_grad, (-2.0, 2.0), (-2.0, 2.0), (-1.8, 0.02), (0.0, 1.0), -0.25,
                {"sgd": 0.05, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.3, "rmsprop": 0.03,
                 "adadelta": 10.0, "adam": 0.05}),
        Surface("valley", "a narrow valley", "(x² + 10 y²) / 2",
                _valley, _valley_grad, (-2.0, 2.0), (-2.0, 2.0), (-1.8, 1.2), (0.0, 0.0), 0.0,
                _VALLEY_RATES),
        # The valley's start (-1.8, 1.2) turned by 45° is (-2.121, -0.424): outside the
        # valley's square, so the square grows to ±2.5, where (-2.125, -0.425) is a point
        # of the start sliders' grid. Same learning rates, to compare like with like.
        Surface("rotated_valley", "the valley turned 45°", "((x + y)² + 10 (y - x)²) / 4",
                _rotated_valley, _rotated_valley_grad, (-2.5, 2.5), (-2.5, 2.5), (-2.125, -0.425),
                (0.0, 0.0), 0.0, _VALLEY_RATES),
    )
}
