"""Autoencoders on the 8 x 8 handwritten digits, trained once each and recorded; PCA beside them.

An autoencoder is two networks in a row: an **encoder** that squeezes each 64-pixel
digit into a short **code** (2 numbers, say), and a **decoder** that rebuilds the 64
pixels from the code alone. It is trained to give back its own input (the loss is the
mean squared error between the rebuilt and the real pixels), so it needs no labels:
whatever the code keeps is what the network found most worth keeping.

:func:`train` records such a run (:mod:`course_utils.runs`); the model is
``nn.Sequential(encoder, decoder)``, so ``model[0]`` encodes and ``model[1]`` decodes.
With ``linear=True`` both halves are a single linear layer: that autoencoder can do no
better than principal component analysis (:func:`pca`), and trained well it does as well
(Baldi & Hornik, 1989). With ``noise > 0`` it is a **denoising** autoencoder (Vincent et
al., 2008): it sees noisy digits and must give back the clean ones.

The digits and their split are :func:`course_utils.digits.split`'s: 1,397 for training,
400 held out. Images are rows of 64 pixels here, values in [0, 1].
"""

from __future__ import annotations

import functools

import numpy as np

from . import data, digits, nn, runs
from .nn import optim

CODE_SIZES = (1, 2, 4, 8, 16)
#: The code sizes as a dropdown's options: ("2 numbers", 2) ...
CODE_OPTIONS = tuple((f"{c} number{'s' * (c > 1)}", c) for c in CODE_SIZES)
HIDDEN = 32
EPOCHS = 60
BATCH_SIZE = 64
LEARNING_RATE = 0.01  # Adam
#: The linear autoencoder needs smaller batches, a larger rate and a cosine schedule to
#: get as close to PCA as it can in the same number of epochs.
LINEAR_BATCH_SIZE, LINEAR_LEARNING_RATE = 32, 0.02
INIT_SEED, SHUFFLE_SEED, NOISE_SEED = 0, 1, 2
#: Noise levels (the standard deviation of Gaussian noise added to every pixel, then
#: clipped to [0, 1]) a denoising autoencoder can be trained at.
NOISES = (0.0, 0.2, 0.4)
UPDATES = EPOCHS * -(-(1797 - digits.TEST) // BATCH_SIZE)
#: Snapshots of the weights, counted in updates, crowded at the start.
SNAPSHOT_AT = runs.schedule(UPDATES, 30)


@functools.lru_cache(maxsize=1)
def images() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x, y, x_test, y_test)``: the training and held-out digits as rows of 64 pixels,
    shapes (1397, 64) and (400, 64), with their labels; read only. The labels are never
    used in training: they only colour the pictures."""
    x, y, x_test, y_test = digits.split()
    parts = (x.reshape(len(x), 64), y, x_test.reshape(len(x_test), 64), y_test)
    for a in parts:
        a.setflags(write=False)
    return parts


def autoencoder(code: int = 2, linear: bool = False, rng=INIT_SEED) -> nn.Sequential:
    """``Sequential(encoder, decoder)``. Non-linear: ``64 -> 32 (tanh) -> code`` and
    ``code -> 32 (tanh) -> 64 (sigmoid)``, so the rebuilt pixels lie in (0, 1). Linear:
    ``Linear(64, code)`` and ``Linear(code, 64)``."""
    gen = data.as_rng(rng)
    if linear:
        return nn.Sequential(nn.Sequential(nn.Linear(64, code, rng=gen)),
                             nn.Sequential(nn.Linear(code, 64, rng=gen)))
    encoder = nn.Sequential(nn.Linear(64, HIDDEN, rng=gen), nn.Tanh(), nn.Linear(HIDDEN, code, rng=gen))
    decoder = nn.Sequential(nn.Linear(code, HIDDEN, rng=gen), nn.Tanh(), nn.Linear(HIDDEN, 64, rng=gen),
                            nn.Sigmoid())
    return nn.Sequential(encoder, decoder)


def noisy(x: np.ndarray, std: float, rng=NOISE_SEED) -> np.ndarray:
    """``clip(x + std * N(0, 1), 0, 1)``, one draw per pixel (:func:`data.add_noise`)."""
    return data.add_noise(x, std, rng) if std > 0 else np.array(x)


@runs.cache
def train(code: int = 2, linear: bool = False, noise: float = 0.0, verbose: int = 0) -> runs.Run:
    """Train :func:`autoencoder` on the training digits to give back its input, with
    ``nn.MSELoss`` and Adam for ``EPOCHS`` epochs (seeded); ``noise > 0``: the inputs are
    the digits with noise of that standard deviation (drawn once), the targets the clean
    digits. The curves ``train_loss`` and ``val_loss`` are the mean squared error per
    pixel (on the noisy inputs, when there is noise); snapshots at ``SNAPSHOT_AT`` updates.
    Cached: about a second the first time."""
    if code not in CODE_SIZES:
        raise ValueError(f"code must be one of {list(CODE_SIZES)}, got {code!r}")
    if not isinstance(linear, bool):
        raise ValueError(f"linear must be True or False, got {linear!r}")
    if noise not in NOISES:
        raise ValueError(f"noise must be one of {list(NOISES)}, got {noise!r}")
    x, _, x_test, _ = images()
    model = autoencoder(code, linear)
    lr, batch = (LINEAR_LEARNING_RATE, LINEAR_BATCH_SIZE) if linear else (LEARNING_RATE, BATCH_SIZE)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    options = {}
    if linear:
        schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
        options["callbacks"] = [lambda epoch, history, model: schedule.step()]
    at = SNAPSHOT_AT if batch == BATCH_SIZE else runs.schedule(EPOCHS * -(-len(x) // batch), 30)
    return runs.record(model, nn.MSELoss(), optimizer, noisy(x, noise), x, epochs=EPOCHS, at=at,
                       unit="update", batch_size=batch, shuffle=True, rng=SHUFFLE_SEED,
                       validation_data=(noisy(x_test, noise, NOISE_SEED + 1), x_test),
                       verbose=verbose, **options)


def encode(model: nn.Sequential, x) -> np.ndarray:
    """The codes of the rows of ``x``: ``model[0](x)``, shape (n, code)."""
    return model[0](np.asarray(x, dtype=float))


def decode(model: nn.Sequential, z) -> np.ndarray:
    """The images the decoder makes of the codes ``z``: ``model[1](z)``, shape (n, 64)."""
    return model[1](np.atleast_2d(np.asarray(z, dtype=float)))


def errors(rebuilt, x) -> np.ndarray:
    """The reconstruction error of each image: the mean over its pixels of the squared
    difference, shape (n,)."""
    return np.mean((np.asarray(rebuilt) - np.asarray(x)) ** 2, axis=1)


@functools.lru_cache(maxsize=1)
def _svd() -> tuple[np.ndarray, np.ndarray]:
    x = images()[0]
    mean = x.mean(axis=0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    return mean, vt


def pca(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Principal component analysis of the training digits with numpy's SVD:
    ``(mean, components)``, the mean image (64,) and the ``k`` directions of largest
    variance as rows (k, 64), orthonormal. A digit's PCA code is
    ``(x - mean) @ components.T`` and its reconstruction ``mean + code @ components``:
    of all ways to keep ``k`` numbers with a linear map and rebuild linearly, this one
    has the smallest mean squared error (the Eckart-Young theorem)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= 64:
        raise ValueError(f"k must be a whole number from 1 to 64, got {k!r}")
    mean, vt = _svd()
    return mean, vt[:k]


def pca_codes(x, k: int) -> np.ndarray:
    """The PCA codes of the rows of ``x``: ``(x - mean) @ components.T``, shape (n, k)."""
    mean, components = pca(k)
    return (np.asarray(x) - mean) @ components.T


def pca_rebuild(x, k: int) -> np.ndarray:
    """The rows of ``x`` rebuilt from their ``k`` PCA numbers: ``mean + codes @ components``,
    shape (n, 64). Nothing keeps these pixels in [0, 1]: a few fall a little outside."""
    mean, components = pca(k)
    return mean + pca_codes(x, k) @ components


#: Made-up 8 x 8 images that are not digits, for the anomaly detector: the patterns of
#: :func:`data.pattern`, and pixel noise.
NON_DIGIT_NOISE = 24


@functools.lru_cache(maxsize=1)
def non_digits() -> tuple[np.ndarray, tuple[str, ...]]:
    """``(images, kinds)``: the six patterns of :func:`data.pattern` (bars, a cross, a
    diagonal, an edge, a square), then the same six inverted (``1 - image``: ink where
    they are blank), then ``NON_DIGIT_NOISE`` images of uniform noise in [0, 1] (seeded);
    rows of 64 pixels, and what each one is. All different."""
    shapes = [data.pattern(name) for name in data.PATTERNS]
    shapes += [1.0 - s for s in shapes]
    noise = np.random.default_rng(NOISE_SEED).uniform(0, 1, size=(NON_DIGIT_NOISE, 8, 8))
    found = np.concatenate([np.array(shapes), noise]).reshape(-1, 64)
    found.setflags(write=False)
    kinds = (tuple(f"pattern: {n}" for n in data.PATTERNS) + tuple(f"inverted {n}" for n in data.PATTERNS)
             + ("noise",) * NON_DIGIT_NOISE)
    return found, kinds
