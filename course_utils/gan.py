"""Generative adversarial networks on 2-D points: the data, the two networks, the training
loop, and the measures of how well the fake points match the real ones.

A GAN (Goodfellow et al., "Generative Adversarial Nets", 2014) is two networks trained
against each other:

* the **generator** ``G`` turns noise ``z`` (1 or 2 random numbers per point, drawn from
  a fixed distribution) into a point ``G(z)`` of the plane: a *fake* point;
* the **discriminator** ``D`` looks at a point ``x`` and gives one number, a logit
  ``s = D(x)``; ``sigmoid(s)`` is its probability that ``x`` is *real* (drawn from the
  data) rather than fake.

Each **update** (:meth:`Trainer.update`) makes ``d_steps`` discriminator steps, then one
generator step. With ``B`` the batch size and ``sigma`` the sigmoid:

**Discriminator step** (:meth:`Trainer.step_discriminator`): draw ``B`` real points
``x_i`` and ``B`` fresh noises ``z_i``; with ``s_r = D(x_i)`` and ``s_f = D(G(z_i))``,
minimise the binary cross-entropy of "real = 1, fake = 0" (``nn.BCEWithLogitsLoss``)::

    L_D = mean_i -log sigma(s_r)  +  mean_i -log(1 - sigma(s_f))

and update ``D`` alone. **Generator step** (:meth:`Trainer.step_generator`): draw ``B``
fresh noises, ``s_f = D(G(z_i))``, and minimise one of three generator losses:

=================  ==========================================  ================================
``loss``           generator's loss ``L_G``                    ``dL_G / ds_f`` (per point)
=================  ==========================================  ================================
"minimax"          ``mean log(1 - sigma(s_f))``                ``-sigma(s_f) / B``
"non-saturating"   ``mean -log sigma(s_f)``                    ``(sigma(s_f) - 1) / B``
"least squares"    ``mean (s_f - 1)^2 / 2``                    ``(s_f - 1) / B``
=================  ==========================================  ================================

"minimax" is the game of the 2014 paper, ``min_G max_D E log D(x) + E log(1 - D(G(z)))``;
the same paper proposes "non-saturating": when ``D`` confidently rejects the fakes
(``sigma(s_f)`` near 0) the minimax gradient vanishes, while ``-log sigma(s_f)`` still
pushes hard. "least squares" is LSGAN (Mao et al., "Least Squares Generative Adversarial
Networks", 2017), with its 0-1 coding: ``D``'s raw output ``s`` (no sigmoid) is fitted
to 1 for real and 0 for fake points, ``L_D = mean (s_r - 1)^2 / 2 + mean (s_f - 0)^2 / 2``
(``nn.MSELoss`` halved), and ``G`` wants its points scored 1: the targets are ``a = 0``
(fake, for ``D``), ``b = 1`` (real, for ``D``), ``c = 1`` (fake, for ``G``).

The generator's gradient flows **through** ``D``: ``D.backward(dL_G/ds_f)`` returns
``dL_G/dx`` at each fake point (the arrows a picture draws on them), and
``G.backward(dL_G/dx)`` fills ``G``'s gradients. ``D``'s backward also adds into ``D``'s
own ``.grad``: the generator step zeroes those again and never steps ``D``'s optimizer,
so a generator step leaves ``D`` exactly as it was.

Both networks live in one :class:`GAN` module, so one ``state_dict`` holds both; a run
(:func:`train`) is recorded with :class:`runs.Recorder` counted in updates, with the
losses ``d_loss`` and ``g_loss`` after every update, and cached by :data:`runs.cache`.

**Measures** of the fake points against the data: :func:`coverage` (how many of the
data's modes hold fake points in proportion) and :func:`js_divergence` (Jensen-Shannon
divergence between histograms on a grid). They and the data sets live in
:mod:`course_utils.point_sets`; this module re-exports them.

**Defaults** (:data:`DEFAULTS`): generator 2 -> 32 -> 32 -> 2 and discriminator
2 -> 32 -> 32 -> 1, LeakyReLU(0.2), Gaussian noise of dimension 2, Adam with
``betas = (0.5, 0.999)`` for both (``lr`` 2e-3 for ``D``, 1e-3 for ``G``), one D-step per
G-step, batch 64, the non-saturating loss, 1,500 updates. :data:`GAN_LAB` is GAN Lab's
interface defaults (Kahng et al., 2018): two ReLU layers of 8 in each network, uniform
noise, SGD with ``lr`` 0.1 for both, 2 D-steps per G-step, batch 150, its "Log loss"
(the non-saturating generator loss; see :data:`GAN_LAB`), 5,000 updates.

Measured on 2026-12-01 (``OPENBLAS_NUM_THREADS=1 python benchmarks/bench_gan.py``: seeds 0
to 19, each from a cold start, on this project's 2-core machine), on the ring, counting
the seeds whose generator covers 11 or more of the 12 sectors after the run's last update:

========  ==============  ==============  ============  ===============================
settings  seeds >= 11/12  mean JS (nats)  time per run  one update
========  ==============  ==============  ============  ===============================
DEFAULTS  20 of 20        0.146           1.2 s         0.60 ms (batch 64; 0.83 at 128)
GAN_LAB   8 of 20         0.439           3.0 s         0.49 ms (batch 150, 2 D-steps)
========  ==============  ==============  ============  ===============================

(The times are the whole run, with its 61 snapshots and measures; with other work
sharing the machine they were up to 1.7 times longer: 1.8 s and 1.0 ms for the defaults.)

Two samples of 2,000 real ring points differ by JS 0.025: no generator gets much below
that. With the defaults every seed covered all 12 sectors (seeds 20 to 39 too), and all
20 seeds cover 11 or more from about 700 updates on; "minimax" and "least squares" in
place of "non-saturating" did as well (20 of 20 after 2,000 updates). GAN Lab's
defaults: 8 of 20 at 5,000 updates, 4 to 6 of 20 at the moments between 1,800 and 4,300
(its seeds keep collapsing and recovering); with 1 D-step instead of 2, 5 of 20; with
Adam at lr 1e-3 (betas 0.5, 0.999), 15 of 20; with layers of 32, 17 of 20 at 450 updates,
then all but one collapse to a point (1 of 20 at 5,000).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from . import nn, point_sets, runs
from .nn import optim
from .point_sets import *  # noqa: F401,F403 (the data sets and measures are part of gan's API)
from .point_sets import _count, _rng

__all__ = point_sets.__all__ + [
    "noise", "generator", "discriminator", "GAN",
    "LOSSES", "discriminator_loss", "generator_loss", "make_optimizer", "Settings",
    "DEFAULTS", "GAN_LAB", "Trainer", "train", "record", "evaluate", "verdict",
    "fake_gradients",
]

# ------------------------------------------------------------------------------ networks

NOISES = ("gaussian", "uniform")
ACTIVATIONS = ("leaky_relu", "relu", "tanh")
#: The slope of LeakyReLU for negative inputs (Radford et al.'s DCGAN uses 0.2).
LEAKY_SLOPE = 0.2


def noise(n: int, dim: int = 2, kind: str = "gaussian", rng=None) -> np.ndarray:
    """The generator's input: ``n`` rows of ``dim`` numbers, standard normal
    ("gaussian") or uniform on [-1, 1] ("uniform"). Shape (n, dim)."""
    if kind not in NOISES:
        raise ValueError(f"noise kind must be one of {list(NOISES)}, got {kind!r}")
    gen = _rng(rng)
    if kind == "gaussian":
        return gen.standard_normal((_count(n), dim))
    return gen.uniform(-1.0, 1.0, size=(_count(n), dim))


def _activation(name: str) -> nn.Module:
    if name == "leaky_relu":
        return nn.LeakyReLU(LEAKY_SLOPE)
    if name == "relu":
        return nn.ReLU()
    if name == "tanh":
        return nn.Tanh()
    raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {name!r}")


def _mlp(sizes, activation: str, rng) -> nn.Sequential:
    gen = _rng(rng)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b, rng=gen))
        if i < len(sizes) - 2:
            layers.append(_activation(activation))
    return nn.Sequential(*layers)


def _hidden(hidden) -> tuple:
    try:
        sizes = tuple(hidden)
    except TypeError:
        raise ValueError(f"hidden must be a list of layer sizes, e.g. (64, 64); got "
                         f"{hidden!r}") from None
    for size in sizes:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)) \
                or size < 1:
            raise ValueError(f"hidden layer sizes must be whole numbers >= 1; got {hidden!r}")
    return tuple(int(s) for s in sizes)


def generator(noise_dim: int = 2, hidden=(32, 32), activation: str = "leaky_relu",
              rng=None) -> nn.Sequential:
    """``noise_dim -> hidden[0] -> ... -> 2``: Linear layers with ``activation`` between
    them and none at the end (a point can land anywhere in the plane)."""
    if noise_dim not in (1, 2):
        raise ValueError(f"noise_dim must be 1 or 2, got {noise_dim!r}")
    return _mlp((noise_dim, *_hidden(hidden), 2), activation, rng)


def discriminator(hidden=(32, 32), activation: str = "leaky_relu", rng=None) -> nn.Sequential:
    """``2 -> hidden[0] -> ... -> 1``: Linear layers with ``activation`` between them; the
    output is a logit ``s`` (``sigmoid(s)`` = the probability of "real")."""
    return _mlp((2, *_hidden(hidden), 1), activation, rng)


class GAN(nn.Module):
    """The pair, in one module: ``gan.generator`` and ``gan.discriminator``, so that
    ``state_dict()`` holds both (names ``generator.0.weight`` ...). ``gan(z)`` is
    ``generator(z)``, the fake points, shape (n, 2)."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module):
        self.generator = generator
        self.discriminator = discriminator

    def forward(self, z):
        return self.generator(z)

    def backward(self, grad_output):
        return self.generator.backward(grad_output)


# ------------------------------------------------------------------------------ losses

LOSSES = ("minimax", "non-saturating", "least squares")


def _check_loss(loss: str) -> None:
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {list(LOSSES)}, got {loss!r}")


def discriminator_loss(real_logits, fake_logits, loss: str = "non-saturating"):
    """``(L_D, dL_D/ds_r, dL_D/ds_f)`` for the discriminator's outputs on a real batch and
    a fake batch (each (B, 1)): binary cross-entropy of real = 1, fake = 0 (minimax and
    non-saturating), or LSGAN's ``mean (s_r - 1)^2 / 2 + mean s_f^2 / 2``."""
    _check_loss(loss)
    ones, zeros = np.ones_like(real_logits), np.zeros_like(fake_logits)
    if loss == "least squares":
        criterion, half = nn.MSELoss(), 0.5
    else:
        criterion, half = nn.BCEWithLogitsLoss(), 1.0
    real_loss = half * criterion(real_logits, ones)
    real_grad = half * criterion.backward()
    fake_loss = half * criterion(fake_logits, zeros)
    fake_grad = half * criterion.backward()
    return real_loss + fake_loss, real_grad, fake_grad


def generator_loss(fake_logits, loss: str = "non-saturating"):
    """``(L_G, dL_G/ds_f)`` for the discriminator's logits on fake points, (B, 1):
    minimax ``mean log(1 - sigmoid(s))`` (that is minus the cross-entropy with target
    0), non-saturating ``mean -log sigmoid(s)`` (the cross-entropy with target 1), least
    squares ``mean (s - 1)^2 / 2``."""
    _check_loss(loss)
    if loss == "least squares":
        criterion = nn.MSELoss()
        return 0.5 * criterion(fake_logits, np.ones_like(fake_logits)), 0.5 * criterion.backward()
    criterion = nn.BCEWithLogitsLoss()
    if loss == "minimax":
        value = criterion(fake_logits, np.zeros_like(fake_logits))
        return -value, -criterion.backward()
    return criterion(fake_logits, np.ones_like(fake_logits)), criterion.backward()


def verdict(gan: GAN, points, loss: str = "non-saturating") -> np.ndarray:
    """What the discriminator says of each point, shape (n,): ``sigmoid(s)``, its
    probability of "real", for the log losses; for least squares its raw output ``s``
    (fitted to 1 for real and 0 for fake), clipped to [0, 1]."""
    _check_loss(loss)
    s = gan.discriminator(np.asarray(points, dtype=float))[:, 0]
    if loss == "least squares":
        return np.clip(s, 0.0, 1.0)
    return nn.functional.sigmoid(s)


def fake_gradients(gan: GAN, points, loss: str = "non-saturating") -> np.ndarray:
    """``dl/dx`` at each point ``x`` of ``points`` ((n, 2)), where ``l`` is the generator's
    loss of that one point: the generator moves its points along ``-dl/dx``. Leaves no
    gradient in the discriminator."""
    x = np.asarray(points, dtype=float)
    _, grad = generator_loss(gan.discriminator(x), loss)
    g = gan.discriminator.backward(grad * len(x))  # per point: undo the mean's 1 / n
    gan.discriminator.zero_grad()
    return g


# ------------------------------------------------------------------------------ settings

OPTIMIZERS = ("adam", "sgd")


def make_optimizer(name: str, params, lr: float, betas=(0.9, 0.999)):
    """``optim.Adam(params, lr, betas)`` for "adam", ``optim.SGD(params, lr)`` for "sgd"."""
    if name == "adam":
        return optim.Adam(params, lr=lr, betas=betas)
    if name == "sgd":
        return optim.SGD(params, lr=lr)
    raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {name!r}")


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything a run depends on besides the data and the seed. Frozen and hashable,
    so runs are cached by it; change one thing with
    ``dataclasses.replace(DEFAULTS, d_steps=2)``.

    ``noise_dim`` (1 or 2) and ``noise`` ("gaussian" or "uniform") are the generator's
    input; ``g_hidden`` and ``d_hidden`` the hidden layer sizes; ``activation`` between
    layers; ``d_optimizer``/``g_optimizer`` ("adam" or "sgd") with ``d_lr``/``g_lr``
    and ``betas`` (Adam's, for both); ``d_steps`` discriminator steps per generator
    step; ``batch_size`` real and as many fake points per step; ``loss`` one of
    :data:`LOSSES`; ``updates`` the length of a run (one update = ``d_steps`` D-steps
    and one G-step)."""

    noise_dim: int = 2
    noise: str = "gaussian"
    g_hidden: tuple = (32, 32)
    d_hidden: tuple = (32, 32)
    activation: str = "leaky_relu"
    d_optimizer: str = "adam"
    g_optimizer: str = "adam"
    d_lr: float = 2e-3
    g_lr: float = 1e-3
    betas: tuple = (0.5, 0.999)
    d_steps: int = 1
    batch_size: int = 64
    loss: str = "non-saturating"
    updates: int = 1500

    def __post_init__(self):
        def whole(name, low):
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
                    or value < low:
                raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")

        if self.noise_dim not in (1, 2):
            raise ValueError(f"noise_dim must be 1 or 2, got {self.noise_dim!r}")
        if self.noise not in NOISES:
            raise ValueError(f"noise must be one of {list(NOISES)}, got {self.noise!r}")
        object.__setattr__(self, "g_hidden", _hidden(self.g_hidden))
        object.__setattr__(self, "d_hidden", _hidden(self.d_hidden))
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got "
                             f"{self.activation!r}")
        for name in ("d_optimizer", "g_optimizer"):
            if getattr(self, name) not in OPTIMIZERS:
                raise ValueError(f"{name} must be one of {list(OPTIMIZERS)}, got "
                                 f"{getattr(self, name)!r}")
        for name in ("d_lr", "g_lr"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                    or not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        betas = tuple(self.betas)
        if len(betas) != 2 or not all(isinstance(b, (int, float)) and 0 <= b < 1 for b in betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        object.__setattr__(self, "betas", betas)
        whole("d_steps", 1)
        whole("batch_size", 1)
        whole("updates", 0)
        _check_loss(self.loss)


#: Defaults that train: see the module's docstring for what was measured with them.
DEFAULTS = Settings()
#: GAN Lab's interface defaults (poloclub/ganlab: two ReLU hidden layers of 8 neurons in
#: each network, SGD with learning rate 0.1 for both, 2 discriminator updates per
#: generator update, batch 150, 2-D uniform noise, its default "Log loss"). That loss is
#: the non-saturating one for G (``-mean log D(G(z))``); for D it is the cross-entropy
#: with the real term weighted 0.95, which the course does not copy (weight 1 here). Also
#: unlike GAN Lab: its data lie in [0, 1]^2 (the ring has radius 0.3) and its generator
#: ends in tanh, its noise is uniform on [0, 1] and its weights start normal with
#: ``std = 1 / sqrt(fan_in)``, biases 0; here they start as every ``nn.Linear`` does.
GAN_LAB = Settings(g_hidden=(8, 8), d_hidden=(8, 8), activation="relu", noise="uniform",
                   d_optimizer="sgd", g_optimizer="sgd", d_lr=0.1, g_lr=0.1, d_steps=2,
                   batch_size=150, loss="non-saturating", updates=5000)


# ------------------------------------------------------------------------------ training

#: The real points a run trains on are a fixed sample of this many (the same for every
#: seed), drawn with DATA_SEED; a batch is drawn from them with replacement.
POOL, DATA_SEED = 2000, 12345
#: Coverage and JS are measured on EVAL_POINTS fake points from fixed noise (EVAL_SEED),
#: JS against EVAL_POINTS real points drawn afresh (REFERENCE_SEED).
EVAL_POINTS, EVAL_SEED, REFERENCE_SEED = 2000, 777, 778
#: How many snapshots a run keeps (plus the untrained one).
SNAPSHOTS = 60


class Trainer:
    """A GAN being trained: the pair, its two optimizers, the real points, and the random
    numbers for batches and noise. ``step_discriminator()``, ``step_generator()`` and
    ``update()`` (``d_steps`` of the first, then one of the second) return the loss
    they minimised; the widget's Step buttons call them directly.

    ``seed`` sets the initial weights and every batch and noise drawn; ``real`` is the
    (N, 2) array of real points batches are drawn from."""

    def __init__(self, real, settings: Settings = None, seed: int = 0):
        self.settings = s = DEFAULTS if settings is None else settings
        self.real = np.asarray(real, dtype=float)
        init, batches = (np.random.default_rng(c) for c in np.random.SeedSequence(seed).spawn(2))
        self.gan = GAN(generator(s.noise_dim, s.g_hidden, s.activation, rng=init),
                       discriminator(s.d_hidden, s.activation, rng=init))
        self.d_optimizer = make_optimizer(s.d_optimizer, self.gan.discriminator.parameters(),
                                          s.d_lr, s.betas)
        self.g_optimizer = make_optimizer(s.g_optimizer, self.gan.generator.parameters(),
                                          s.g_lr, s.betas)
        self.rng = batches
        self.updates = 0

    def noise(self) -> np.ndarray:
        """A fresh batch of noise, (B, noise_dim)."""
        s = self.settings
        return noise(s.batch_size, s.noise_dim, s.noise, self.rng)

    def step_discriminator(self) -> float:
        """One step of D on a real batch (target 1) and a fake batch (target 0). G only
        makes the fakes: it is not changed."""
        D = self.gan.discriminator
        real = self.real[self.rng.integers(0, len(self.real), size=self.settings.batch_size)]
        fake = self.gan.generator(self.noise())
        logits = D(np.concatenate([real, fake]))      # one pass over both batches
        b = len(real)
        value, real_grad, fake_grad = discriminator_loss(logits[:b], logits[b:],
                                                         self.settings.loss)
        self.d_optimizer.zero_grad()
        D.backward(np.concatenate([real_grad, fake_grad]), input_grad=False)
        self.d_optimizer.step()
        return value

    def step_generator(self) -> float:
        """One step of G: its fakes are judged by D, and the gradient of G's loss flows
        back through D (``D.backward`` returns ``dL_G/dx``) into G. D is not changed."""
        G, D = self.gan.generator, self.gan.discriminator
        fake = G(self.noise())
        value, logit_grad = generator_loss(D(fake), self.settings.loss)
        point_grad = D.backward(logit_grad)   # dL_G/dx for each fake point, (B, 2)
        D.zero_grad()                         # D's backward filled D's .grad too: not for this step
        self.g_optimizer.zero_grad()
        G.backward(point_grad, input_grad=False)
        self.g_optimizer.step()
        return value

    def update(self) -> tuple[float, float]:
        """``d_steps`` discriminator steps, then one generator step: ``(L_D, L_G)``, with
        ``L_D`` averaged over the D-steps. Learning rates far too large make the weights
        overflow: numpy's warnings are silenced here, and the losses come back inf or NaN
        (check them with ``math.isfinite``)."""
        with np.errstate(all="ignore"):
            d = [self.step_discriminator() for _ in range(self.settings.d_steps)]
            g = self.step_generator()
        self.updates += 1
        return sum(d) / len(d), g


def evaluate(gan: GAN, data, settings: Settings = None) -> tuple[Coverage, float]:
    """``(coverage, JS)`` of ``EVAL_POINTS`` fake points made from fixed noise: the
    :func:`coverage` of ``data``'s modes, and the :func:`js_divergence` against
    ``EVAL_POINTS`` real points (a fixed sample; own points: the points themselves)."""
    s = DEFAULTS if settings is None else settings
    fake = gan.generator(noise(EVAL_POINTS, s.noise_dim, s.noise, EVAL_SEED))
    reference = own_points(data) if not isinstance(data, str) else sample(data, EVAL_POINTS,
                                                                         REFERENCE_SEED)
    return coverage(fake, data), js_divergence(reference, fake)


def _data_key(data):
    """A name stays a name; own points become a tuple of (x1, x2) pairs (hashable)."""
    if isinstance(data, str):
        sample(data, 1)  # the plain error for an unknown name
        return data
    return tuple(map(tuple, own_points(data).tolist()))


def record(data="ring", settings: Settings = None, seed: int = 0,
           snapshots: int = SNAPSHOTS) -> runs.Run:
    """Train a GAN on ``data`` from scratch (uncached; :func:`train` caches) and return
    the :class:`runs.Run`, counted in updates: ``snapshots + 1`` snapshots of both
    networks (``runs.schedule(updates, snapshots, 1.5)``), curves ``d_loss`` and
    ``g_loss`` (one value per update), and data ``x`` (the real points),
    ``coverage`` and ``js`` (one value per snapshot, by :func:`evaluate`). A run whose
    losses stop being finite numbers stops there: ``run.message`` says so, and the
    snapshots it never reached are left out."""
    s = DEFAULTS if settings is None else settings
    if not isinstance(s, Settings):
        raise ValueError(f"settings must be a gan.Settings, got {type(s).__name__}")
    real = sample(data, POOL, DATA_SEED) if isinstance(data, str) else own_points(data)
    trainer = Trainer(real, s, seed)
    moments = tuple(sorted(set(runs.schedule(s.updates, snapshots, 1.5)))) if s.updates else (0,)
    recorder = runs.Recorder(trainer.gan, at=moments, unit="update")
    wanted = set(moments)
    covered, js = [], []

    def measure():
        c, j = evaluate(trainer.gan, data, s)
        covered.append(c.covered)
        js.append(j)

    message = ""
    with np.errstate(all="ignore"):  # a diverging run makes inf and NaN: it is stopped below
        recorder.snapshot(0)
        measure()
        for update in range(1, s.updates + 1):
            d_loss, g_loss = trainer.update()
            recorder.log(d_loss=d_loss, g_loss=g_loss)
            if not (math.isfinite(d_loss) and math.isfinite(g_loss)):
                message = (f"training diverged at update {update}: the losses are no longer "
                           f"finite numbers (try smaller learning rates)")
                break
            recorder.snapshot(update)
            if update in wanted:
                measure()
    return recorder.run(message, x=real, coverage=covered, js=js)


_record = runs.cache(record)


def train(data="ring", settings: Settings = None, seed: int = 0,
          snapshots: int = SNAPSHOTS) -> runs.Run:
    """:func:`record`, cached (:data:`runs.cache`): the same data, settings, seed and
    number of snapshots give the same run, trained once. ``data`` is a name from
    :data:`DATASETS` or the student's own (N, 2) array."""
    return _record(_data_key(data), DEFAULTS if settings is None else settings, seed, snapshots)
