"""The handwritten digits the course trains on: one held-out split, the small CNN and the
MLP it compares with, trained once per setting and recorded (:mod:`course_utils.runs`);
and the MLP trained on a few digits per class, with and without augmented copies.

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
from .nn.training import evaluate, fit

#: ``digits.shift`` is :func:`course_utils.data.shift` (it lives there with the other
#: augmentations); the name stays for the convolution chapter.
shift = data.shift

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


# --------------------------------------------------------------------------------------
# Data augmentation with few examples (the regularization chapter): the MLP trained on
# a few digits per class, with and without augmented copies of them.
# --------------------------------------------------------------------------------------

#: Training digits per class of the recorded runs.
PER_CLASS = (1, 2, 5, 10, 20)
#: Augmented copies made of each training digit (drawn once, seeded), and how strong.
#: The shifts are small: these digits are centred and a pixel is an eighth of the
#: picture; copies moved by up to 1.5 pixels lower the held-out accuracy at every size.
COPIES = 19
AUGMENTATION = {"max_shift": 0.5, "max_degrees": 10.0, "scale_range": (0.95, 1.05), "noise": 0.0}
#: Every run takes at least this many updates of Adam (whole epochs), batches of FEW_BATCH:
#: with or without copies, the same amount of training.
FEW_UPDATES = 150
FEW_BATCH = 200
#: Seeded draws of the few digits; the accuracies reported are the mean over the draws
#: (with one digit per class, which digit it is matters a lot).
DRAWS = 3
AUGMENT_SEED = 100


def few_per_class(per_class: int, draw: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``per_class`` training digits of each class, ``(x, y)`` shaped (10 k, 1, 8, 8) and
    (10 k,): the first of each class in a permutation of the training split seeded by
    ``draw``, so a larger set holds the smaller ones of the same draw."""
    k, draw = data.whole_number("per_class", per_class, 1), data.whole_number("draw", draw, 0)
    x, y = split()[:2]
    if k > np.bincount(y).min():
        raise ValueError(f"per_class must be at most {np.bincount(y).min()}, got {k}")
    order = np.random.default_rng(draw).permutation(len(y))
    chosen = np.concatenate([order[y[order] == c][:k] for c in range(10)])
    return x[chosen], y[chosen]


def with_copies(x: np.ndarray, y: np.ndarray, copies: int = COPIES, rng=AUGMENT_SEED,
                **strengths) -> tuple[np.ndarray, np.ndarray]:
    """``x`` followed by ``copies`` augmented copies of every image (:func:`data.augment`
    with ``AUGMENTATION``, any of its strengths changed by keywords), and the labels to
    match, unchanged: ``(1 + copies) n`` examples. Copy ``j`` of image ``i`` is row
    ``n + i * copies + j``."""
    copies = data.whole_number("copies", copies, 0)
    made = data.augment(np.repeat(x, copies, axis=0), rng, **{**AUGMENTATION, **strengths})
    return np.concatenate([x, made]), np.concatenate([y, np.repeat(y, copies)])


@runs.cache
def train_few(per_class: int, augmented: bool, draw: int = 0, strengths: tuple = ()) -> runs.Run:
    """``mlp()`` trained on ``few_per_class(per_class, draw)``, plus ``COPIES`` augmented
    copies of each digit when ``augmented`` (seeded by ``AUGMENT_SEED + draw``, with
    ``AUGMENTATION`` changed by the ``(name, value)`` pairs of ``strengths``), with
    :func:`nn.training.fit`: cross-entropy, Adam (lr 0.01), batches of ``FEW_BATCH``,
    whole epochs until at least ``FEW_UPDATES`` updates. Both runs of a draw start from
    the same weights. The run keeps the weights before and after training (no curves:
    measuring every epoch would cost more than the training); :func:`held_out_accuracy`
    measures the last. Cached."""
    if not isinstance(augmented, bool):
        raise ValueError(f"augmented must be True or False, got {augmented!r}")
    changed = dict(strengths)
    if not set(changed) <= set(AUGMENTATION):
        raise ValueError(f"strengths can change {sorted(AUGMENTATION)}, got {sorted(changed)}")
    x, y = few_per_class(per_class, draw)
    if augmented:
        x, y = with_copies(x, y, rng=AUGMENT_SEED + draw, **changed)
    batch = min(FEW_BATCH, len(x))
    per_epoch = math.ceil(len(x) / batch)
    epochs = math.ceil(FEW_UPDATES / per_epoch)
    model = mlp(rng=INIT_SEED + draw)
    recorder = runs.Recorder(model, at=(0, epochs * per_epoch), unit="update")
    recorder.snapshot(0)
    with np.errstate(under="ignore"):  # a tiny probability rounded to 0 is harmless
        history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=LEARNING_RATE),
                      x, y, epochs=epochs, batch_size=batch, shuffle=True, rng=SHUFFLE_SEED, verbose=0)
    recorder.snapshot(epochs * per_epoch)
    return recorder.run(history.message, x=x, y=y)


def held_out_accuracy(run: runs.Run) -> float:
    """The fraction of the held-out digits the run's trained model classifies right
    (``nn.training.evaluate`` on ``split()``'s test set)."""
    x_test, y_test = split()[2:]
    with np.errstate(under="ignore"):
        return float(evaluate(run.at(-1), nn.CrossEntropyLoss(), x_test, y_test)[1])


def augmentation_accuracy(verbose: int = 0) -> dict:
    """``{(per_class, augmented): held-out accuracy}`` for every size in ``PER_CLASS``,
    ``augmented`` False or True: the mean over ``DRAWS`` draws of
    :func:`held_out_accuracy` of :func:`train_few`. Trains 2 x 5 x ``DRAWS`` (30) small
    runs the first time (a few seconds; the runs are cached), then instant.
    ``verbose=1`` prints one line per size as it is done."""
    found = {}
    for k in PER_CLASS:
        for aug in (False, True):
            found[k, aug] = float(np.mean([held_out_accuracy(train_few(k, aug, d)) for d in range(DRAWS)]))
        if verbose:
            print(f"{k:2d} per class: alone {found[k, False]:.1%}, with copies {found[k, True]:.1%}")
    return found
