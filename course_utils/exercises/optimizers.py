"""Exercises of the Optimizers and the training process chapter: one step of SGD with
momentum (:mod:`.momentum`), and a learning rate that makes gradient descent converge
(:mod:`.learning_rate`).

Both checkers use the course's own optimizers (:mod:`course_utils.nn.optim`) as the
reference, so what passes here is what ``optim.SGD`` (and PyTorch's) computes.
"""

from . import learning_rate
from .learning_rate import (CURVATURES, DIVERGED_LOSS, MAX_STEPS, START, TARGET_LOSS,
                            check_learning_rate, gradient, learning_rate_run, loss)
from .momentum import check_momentum_step

__all__ = ["check_momentum_step", *learning_rate.__all__]
