"""A tiny MLP made of scalar :class:`~course_utils.nn.autograd.Value` objects, trained
micrograd-style, and the same network trained with the engine's layers.

This is what ``loss.backward()`` does, one number at a time: every weight is a
``Value``, the forward pass builds a graph of thousands of ``+``, ``*`` and ``tanh``
nodes, and ``loss.backward()`` walks it back with the chain rule. The idea and the
shape of the code (``Neuron``, ``Layer``, ``MLP``, ``parameters()``) come from Andrej
Karpathy's *micrograd*.

:func:`train_value_mlp` trains a :class:`ValueMLP` (tanh hidden layers, a linear output
giving a score ``s``) on a few moons points with the logistic loss, written with Values::

    L = mean_i log(1 + exp(-m_i)),   m_i = s_i if y_i = 1 else -s_i

(the same as ``nn.BCEWithLogitsLoss``), and plain gradient descent ``w <- w - lr dL/dw``
on the whole set each step. :func:`train_engine_mlp` trains the same architecture from the
same starting weights (copied into ``nn.Linear`` layers) on the same data with
``nn.BCEWithLogitsLoss`` and ``optim.SGD``: both end with the same weights, up to float
rounding. The engine does each layer as one matrix product, so it is hundreds of times
faster (``benchmarks/bench_backprop.py``).
"""

from __future__ import annotations

import math

import numpy as np

from . import data, nn
from .nn import optim
from .nn.autograd import Value

__all__ = ["Neuron", "Layer", "ValueMLP", "moons_set", "value_bce_with_logits", "to_engine",
           "train_value_mlp", "train_engine_mlp"]

SIZES = (2, 8, 1)
N_POINTS, NOISE, SEED = 40, 0.1, 0
STEPS, LR = 50, 0.5


class Neuron:
    """``f(w . x + b)`` with Value weights, ``f`` tanh or nothing (``linear=True``).
    The weights and bias are drawn like ``nn.Linear``'s: ``U(-k, k)``, ``k = 1 / sqrt(n_in)``."""

    def __init__(self, n_in: int, linear: bool = False, *, rng=None):
        gen = np.random.default_rng(rng)
        k = 1.0 / math.sqrt(n_in)
        self.w = [Value(v, label="w") for v in gen.uniform(-k, k, size=n_in)]
        self.b = Value(gen.uniform(-k, k), label="b")
        self.linear = linear

    def __call__(self, x):
        z = self.b
        for wi, xi in zip(self.w, x):
            z = z + wi * xi
        return z if self.linear else z.tanh()

    def parameters(self) -> list[Value]:
        return self.w + [self.b]


class Layer:
    """``n_out`` neurons reading the same ``n_in`` inputs."""

    def __init__(self, n_in: int, n_out: int, linear: bool = False, *, rng=None):
        gen = np.random.default_rng(rng)
        self.neurons = [Neuron(n_in, linear, rng=gen) for _ in range(n_out)]

    def __call__(self, x):
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]


class ValueMLP:
    """Layers of Value neurons of ``sizes`` (e.g. ``(2, 8, 1)``): tanh after every layer but
    the last, which is linear. ``model(x)`` takes one point (a sequence of numbers) and
    returns a Value (one output) or a list of Values."""

    def __init__(self, sizes=SIZES, *, rng=SEED):
        sizes = tuple(sizes)
        if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1
                                 for s in sizes):
            raise ValueError(f"sizes must be two or more whole numbers of 1 or more, e.g. (2, 8, 1); got {sizes!r}")
        gen = np.random.default_rng(rng)
        self.sizes = sizes
        self.layers = [Layer(sizes[i], sizes[i + 1], linear=i == len(sizes) - 2, rng=gen)
                       for i in range(len(sizes) - 1)]

    def __call__(self, x):
        if len(x) != self.sizes[0]:
            raise ValueError(f"the network reads {self.sizes[0]} numbers per point, got {len(x)}")
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def scores(self, points) -> np.ndarray:
        """The output for every point of ``points`` (shape (N, n_in)) as floats, shape (N,)."""
        return np.array([self(list(p)).data for p in np.asarray(points, dtype=float)])


def moons_set(n: int = N_POINTS, noise: float = NOISE, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """``data.moons(n, noise, rng=seed)``: points (n, 2) and labels 0/1 (n,)."""
    return data.moons(n, noise, rng=seed)


def _softplus(v: Value) -> Value:
    """``log(1 + exp(v))`` from Values, never overflowing: ``v + log(1 + exp(-v))`` for v > 0."""
    if v.data > 0:
        return v + (1.0 + (-v).exp()).log()
    return (1.0 + v.exp()).log()


def value_bce_with_logits(scores, labels) -> Value:
    """The mean logistic loss of Value scores ``s_i`` for labels ``y_i`` in {0, 1}:
    ``mean log(1 + exp(-m_i))``, ``m_i = s_i`` if ``y_i = 1`` else ``-s_i``."""
    terms = [_softplus(-s if y == 1 else s) for s, y in zip(scores, labels)]
    return sum(terms, Value(0.0)) * (1.0 / len(terms))


def to_engine(model: ValueMLP) -> nn.Sequential:
    """The same network with the engine's layers: ``nn.Linear`` (weights copied from the
    Values), ``nn.Tanh`` between them."""
    modules = []
    for i, layer in enumerate(model.layers):
        linear = nn.Linear(len(layer.neurons[0].w), len(layer.neurons), rng=0)  # then overwritten
        linear.weight.data[...] = [[w.data for w in n.w] for n in layer.neurons]
        linear.bias.data[...] = [n.b.data for n in layer.neurons]
        modules.append(linear)
        if i < len(model.layers) - 1:
            modules.append(nn.Tanh())
    return nn.Sequential(*modules)


def _check(steps, lr):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number, 0 or more; got {steps!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a positive number; got {lr!r}")


def train_value_mlp(sizes=SIZES, steps: int = STEPS, lr: float = LR, n: int = N_POINTS,
                    seed: int = SEED) -> tuple[ValueMLP, list[float]]:
    """Train ``ValueMLP(sizes, rng=seed)`` on ``moons_set(n, seed=seed)`` for ``steps`` full-batch
    steps of ``w <- w - lr dL/dw``. Returns the model and the loss before each step and after
    the last (``steps + 1`` numbers)."""
    _check(steps, lr)
    x, y = moons_set(n, seed=seed)
    points = [list(p) for p in x]
    model = ValueMLP(sizes, rng=seed)
    params = model.parameters()
    losses = []
    for _ in range(steps + 1):
        loss = value_bce_with_logits([model(p) for p in points], y)
        losses.append(loss.data)
        if len(losses) > steps:
            break
        model.zero_grad()
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
    return model, losses


def train_engine_mlp(sizes=SIZES, steps: int = STEPS, lr: float = LR, n: int = N_POINTS,
                     seed: int = SEED) -> tuple[nn.Sequential, list[float]]:
    """The same training as :func:`train_value_mlp` (same network, starting weights, data,
    loss and steps) with ``nn.Linear`` layers, ``nn.BCEWithLogitsLoss`` and ``optim.SGD(lr)``."""
    _check(steps, lr)
    x, y = moons_set(n, seed=seed)
    target = y[:, None].astype(float)
    model = to_engine(ValueMLP(sizes, rng=seed))
    criterion, optimizer = nn.BCEWithLogitsLoss(), optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps + 1):
        losses.append(criterion(model(x), target))
        if len(losses) > steps:
            break
        optimizer.zero_grad()
        model.backward(criterion.backward())
        optimizer.step()
    return model, losses
