"""The overfitting problem of the regularization chapter, and its fixes, trained once each.

One problem for every technique, so that their effects can be compared: a network far
too big (2-32-32-1, 1,185 weights and biases) for 40 noisy points of the two moons.
Trained long enough, it learns every training point by heart, noise included: the
training loss goes to zero while the loss on 400 new points of the same kind (the
validation set) turns up after a few dozen epochs and keeps rising.

:func:`train` records a run of that network (:mod:`course_utils.runs`) with one fix
switched on:

* ``penalty="l1"`` or ``"l2"`` with a ``strength``: a weight penalty (on the weights,
  not the biases), added by :func:`nn.regularization.l1_penalty` / ``l2_penalty``;
* ``dropout=p``: an ``nn.Dropout(p)`` after each hidden layer's activation;
* ``patience=k``: the engine's own ``nn.regularization.EarlyStopping(patience=k)``,
  which stops and restores the weights of the best validation epoch (``restore=False``:
  keeps those of the epoch it stopped at);
* ``augment=k``: ``k`` jittered copies of every training point (each coordinate moved
  by Gaussian noise of standard deviation :data:`JITTER`), drawn once, seeded.

Full-batch Adam, no shuffling, fixed seeds: the same call gives the same run, bit for bit.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from . import data, models, nn, runs
from .nn import optim
from .nn.regularization import EarlyStopping, l1_penalty, l2_penalty

DATASET = "moons"
N_TRAIN, N_VAL = 40, 400
NOISE = 0.5
TRAIN_SEED, VAL_SEED, INIT_SEED, DROPOUT_SEED, JITTER_SEED = 1, 2, 3, 4, 5
HIDDEN_LAYERS, WIDTH, ACTIVATION = 2, 32, "tanh"
SIZES = models.layer_sizes(HIDDEN_LAYERS, WIDTH)
LEARNING_RATE = 0.003  # Adam, full batch
EPOCHS = 1000
SNAPSHOTS = 40
#: The epochs after which the weights are kept (crowded at the start, where most changes).
MOMENTS = runs.schedule(EPOCHS, SNAPSHOTS)
#: Standard deviation of the jitter added to each coordinate of a copied training point.
JITTER = 0.3
PENALTIES = ("none", "l1", "l2")


@functools.lru_cache(maxsize=1)
def problem() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x, y, x_val, y_val)``: 40 training and 400 validation points of the noisy moons,
    ``x`` shaped (n, 2), labels ``y`` shaped (n, 1) as floats 0 and 1 (what
    ``BCEWithLogitsLoss`` wants); read only."""
    make = data.DATASETS[DATASET]
    x, y = make(N_TRAIN, NOISE, rng=TRAIN_SEED)
    x_val, y_val = make(N_VAL, NOISE, rng=VAL_SEED)
    parts = (x, y[:, None].astype(float), x_val, y_val[:, None].astype(float))
    for a in parts:
        a.setflags(write=False)
    return parts


def network(dropout: float = 0.0) -> nn.Sequential:
    """The too-big network, ``2-32-32-1`` with tanh, seeded; with ``dropout > 0`` an
    ``nn.Dropout(dropout)`` follows each hidden activation (the same start weights)."""
    modules = []
    masks = np.random.default_rng(DROPOUT_SEED)  # one stream: each layer its own masks
    for module in models.mlp(SIZES, ACTIVATION, rng=INIT_SEED):
        modules.append(module)
        if dropout > 0 and not isinstance(module, nn.Linear):
            modules.append(nn.Dropout(dropout, rng=masks))
    return nn.Sequential(*modules)


def weights(model: nn.Sequential) -> list:
    """The weight matrices of ``model``'s linear layers (the biases are left out: a
    penalty on them would only move the boundary, not simplify it)."""
    return [m.weight for m in model if isinstance(m, nn.Linear)]


def jittered(k: int) -> tuple[np.ndarray, np.ndarray]:
    """The training points followed by ``k`` copies of them, each coordinate of each copy
    moved by ``N(0, JITTER**2)``; the labels repeated to match. Shapes ``(40 (k + 1), 2)``
    and ``(40 (k + 1), 1)``."""
    x, y = problem()[:2]
    gen = np.random.default_rng(JITTER_SEED)
    copies = [x + JITTER * gen.normal(size=x.shape) for _ in range(k)]
    return np.concatenate([x, *copies]), np.tile(y, (k + 1, 1))


def _check(penalty, strength, dropout, patience, augment):
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {list(PENALTIES)}, got {penalty!r}")
    if not (isinstance(strength, (int, float)) and strength >= 0):
        raise ValueError(f"strength must be a number >= 0, got {strength!r}")
    if (penalty == "none") != (strength == 0):
        raise ValueError("give a strength > 0 with penalty 'l1' or 'l2', and none without")
    if not (isinstance(dropout, (int, float)) and 0 <= dropout < 1):
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    for name, value in (("patience", patience), ("augment", augment)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"{name} must be a whole number >= 0 or None, got {value!r}")


@runs.cache
def train(penalty: str = "none", strength: float = 0.0, dropout: float = 0.0,
          patience: int | None = None, restore: bool = True, augment: int = 0,
          verbose: int = 0) -> runs.Run:
    """Train the too-big network on the problem with one fix (see the module docstring)
    and return the recorded run: ``train_loss``, ``val_loss``, ``train_accuracy`` and
    ``val_accuracy`` after every epoch (measured in evaluation mode, without the penalty;
    with ``augment``, the training loss is measured on the training points with their
    copies), the weights at :data:`MOMENTS`. A run stopped early has shorter curves and
    its ``message`` says where it stopped; its last snapshot is then the model early
    stopping leaves: with ``restore`` (the default) the weights of the best epoch, its
    moment that epoch (so the moments go back once); without, the weights of the epoch
    it stopped at."""
    _check(penalty, strength, dropout, patience, augment)
    x, y = jittered(augment) if augment else problem()[:2]
    model = network(dropout)
    kept = weights(model)
    add = {"l1": l1_penalty, "l2": l2_penalty}.get(penalty)
    options = {"penalty": (lambda params: add(kept, strength))} if add else {}
    stopper = EarlyStopping(patience=patience, restore_best_weights=restore) if patience else None
    if stopper:
        options["callbacks"] = [stopper]
    run = runs.record(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=LEARNING_RATE),
                      x, y, epochs=EPOCHS, at=MOMENTS, validation_data=problem()[2:],
                      verbose=verbose, **options)
    if stopper and stopper.stopped_epoch:  # keep the model it leaves, as the last snapshot
        left = stopper.best_epoch if restore else stopper.stopped_epoch
        run = dataclasses.replace(run, moments=run.moments + (left,),
                                  snapshots=run.snapshots + (model.state_dict(),))
    return run


def flat_weights(model: nn.Sequential) -> np.ndarray:
    """Every weight of ``model`` (no biases) in one flat array."""
    return np.concatenate([w.data.ravel() for w in weights(model)])
