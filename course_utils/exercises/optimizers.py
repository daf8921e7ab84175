"""Exercises of the Optimizers and the training process chapter: one step of SGD with
momentum (:mod:`.momentum`), a learning rate that makes gradient descent converge
(:mod:`.learning_rate`), and Adam's first step, the batches of an epoch and the epoch
early stopping picks (:mod:`.training_process`).

Every checker uses the course's own engine as the reference (:mod:`course_utils.nn.optim`,
``training.fit``, ``EarlyStopping``), so what passes here is what the engine (and
PyTorch's) computes.
"""

from . import learning_rate
from .learning_rate import (CURVATURES, DIVERGED_LOSS, MAX_STEPS, START, TARGET_LOSS,
                            check_learning_rate, gradient, learning_rate_run, loss)
from .momentum import check_momentum_step
from .training_process import check_adam_first_step, check_early_stopping, check_epoch_batches

__all__ = ["check_momentum_step", *learning_rate.__all__, "check_adam_first_step",
           "check_epoch_batches", "check_early_stopping"]
