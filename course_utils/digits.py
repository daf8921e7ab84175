"""The handwritten digits the course trains on: one held-out split, the small CNN and the
MLP it compares with, trained once per setting and recorded (:mod:`course_utils.runs`).

The images are :func:`course_utils.data.digits` (1,797 of them, 8 x 8, values in [0, 1]).
``TEST`` of them, drawn once with a fixed seed, are held out: no network ever trains on
them, so the accuracy on them says how well a network does on digits it has never seen.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from . import data, models, nn, runs
from .nn import optim

TEST = 400  # held-out digits; the other 1,397 are for training
SPLIT_SEED, INIT_SEED, SHUFFLE_SEED = 0, 0, 1
EPOCHS = 12
BATCH_SIZE = 32
LEARNING_RATE = 0.01  # Adam
#: Snapshots of the weights: counted in updates, crowded at the start where most changes.
UPDATES = EPOCHS * math.ceil((1797 - TEST) / BATCH_SIZE)
SNAPSHOT_AT = runs.schedule(UPDATES, 30)


@functools.lru_cache(maxsize=1)
def split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_test, y_test)``: images shaped (n, 1, 8, 8) (one channel, as
    ``nn.Conv2d`` wants) and their labels; the same split on every call, read only."""
    images, labels = data.digits()
    order = np.random.default_rng(SPLIT_SEED).permutation(len(images))
    test, train = order[:TEST], order[TEST:]
    parts = (images[train, None], labels[train], images[test, None], labels[test])
    for a in parts:
        a.setflags(write=False)
    return parts


def cnn(filters: int = 8, rng=INIT_SEED) -> nn.Sequential:
    """``Conv(1 -> f, 3x3, padding 1), ReLU, MaxPool 2, Conv(f -> 2f, 3x3, padding 1), ReLU,
    MaxPool 2, Flatten, Linear(2f * 2 * 2 -> 10)``: an 8 x 8 digit becomes ``f`` maps of
    8 x 8, then ``f`` of 4 x 4, ``2f`` of 4 x 4, ``2f`` of 2 x 2, then 10 scores (logits).
    The layout of LeCun et al.'s LeNet (1989, 1998), in miniature."""
    gen = data.as_rng(rng)
    return nn.Sequential(
        nn.Conv2d(1, filters, 3, padding=1, rng=gen), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(filters, 2 * filters, 3, padding=1, rng=gen), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2 * filters * 4, 10, rng=gen))


def mlp(hidden: int = 28, rng=INIT_SEED) -> nn.Sequential:
    """``Flatten``, then ``64 -> hidden -> 10`` with ReLU: the same images as rows of 64
    pixels, with no idea which pixels are neighbours. With 28 hidden neurons it has 2,110
    weights and biases, about as many as the 8-filter CNN's 1,898."""
    return nn.Sequential(nn.Flatten(), *models.mlp([64, hidden, 10], "relu", rng=rng))


@runs.cache
def train(kind: str = "cnn", size: int = 8, epochs: int = EPOCHS, verbose: int = 0) -> runs.Run:
    """Train ``cnn(size)`` (``kind="cnn"``) or ``mlp(size)`` (``kind="mlp"``) on the
    training digits with cross-entropy and Adam (lr 0.01), batches of 32, seeded;
    measured on the held-out digits after every epoch; snapshots at ``SNAPSHOT_AT``
    updates. ``verbose=1`` prints the progress of training (when it trains: a run
    already in the cache is returned at once). Cached: a few seconds the first time,
    then instant."""
    builders = {"cnn": cnn, "mlp": mlp}
    if kind not in builders:
        raise ValueError(f"kind must be 'cnn' or 'mlp', got {kind!r}")
    x, y, x_test, y_test = split()
    model = builders[kind](size)
    at = SNAPSHOT_AT if epochs == EPOCHS else runs.schedule(epochs * math.ceil(len(x) / BATCH_SIZE), 30)
    return runs.record(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=LEARNING_RATE),
                       x, y, epochs=epochs, at=at, unit="update", batch_size=BATCH_SIZE, shuffle=True,
                       rng=SHUFFLE_SEED, validation_data=(x_test, y_test), verbose=verbose)


def shift(images: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """The images moved ``dx`` pixels right and ``dy`` pixels down (negative: left, up);
    what moves out is lost, what comes in is blank (0). Any shape (..., H, W)."""
    out = np.zeros_like(images)
    h, w = images.shape[-2:]
    if abs(dx) >= w or abs(dy) >= h:
        return out
    out[..., max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        images[..., max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out
