"""The small networks the course trains, built from :mod:`course_utils.nn`.

``mlp([2, 4, 4, 1], "tanh")`` is ``Linear(2, 4), Tanh(), Linear(4, 4), Tanh(),
Linear(4, 1)``: a fully connected network (a multi-layer perceptron) with an activation
after every layer but the last.
"""

from __future__ import annotations

import numpy as np

from . import data, nn
from .runs import layer_outputs


def layer_sizes(hidden_layers: int, neurons: int, inputs: int = 2, outputs: int = 1) -> list[int]:
    """Neurons in each layer, input first: ``[inputs, neurons, ..., neurons, outputs]``."""
    return [inputs] + [neurons] * hidden_layers + [outputs]


def count_parameters(sizes) -> int:
    """Weights and biases of a fully connected network: sum of ``n_in * n_out + n_out``."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def mlp(sizes, activation: str | None, rng=None, init: str = "glorot") -> nn.Sequential:
    """``Linear, activation, Linear, activation, ..., Linear`` through the layer ``sizes``.

    The last layer has no activation: its outputs are logits (``BCEWithLogitsLoss`` or
    ``CrossEntropyLoss`` add the sigmoid or softmax) or, for regression, the prediction.
    ``activation`` is a name of :data:`nn.functional.ACTIVATIONS`, or None for none.

    ``init="glorot"`` (the default) starts the weights as Glorot & Bengio (2010) suggest
    for tanh and sigmoid, ``nn.init.xavier_uniform_``: ``U(-a, a)`` with
    ``a = sqrt(6 / (n_in + n_out))``; for ReLU as He et al. (2015) suggest,
    ``nn.init.kaiming_uniform_(nonlinearity="relu")``: ``a = sqrt(6 / n_in)``. With these,
    even six layers start out able to learn. ``init="default"`` keeps ``nn.Linear``'s own
    start (PyTorch's: ``a = 1 / sqrt(n_in)``). The biases always keep ``nn.Linear``'s start.
    ``rng`` is a seed or a ``numpy.random.Generator``.
    """
    if init not in ("glorot", "default"):
        raise ValueError(f"init must be 'glorot' or 'default', got {init!r}")
    if activation is not None and activation not in nn.functional.ACTIVATIONS:
        raise ValueError(f"activation must be None or one of {list(nn.functional.ACTIVATIONS)}, "
                         f"got {activation!r}")
    gen = data.as_rng(rng)
    modules = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layer = nn.Linear(n_in, n_out, rng=gen)
        if init == "glorot" and activation == "relu":
            nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu", rng=gen)
        elif init == "glorot":
            nn.init.xavier_uniform_(layer.weight, rng=gen)
        modules.append(layer)
        if activation is not None and i < len(sizes) - 2:
            modules.append(nn.functional.ACTIVATIONS[activation].make())
    return nn.Sequential(*modules)


def layer_activations(model: nn.Sequential, x: np.ndarray) -> list[np.ndarray]:
    """The output of every layer of an :func:`models.mlp` for points ``x`` (shape (n, 2)):
    each hidden layer's activations, then the output layer's logits; each (n, width)."""
    outputs = layer_outputs(model, x)
    return [out for module, out in zip(model, outputs) if not isinstance(module, nn.Linear)] + outputs[-1:]


def most_varied_neurons(model: nn.Sequential, x: np.ndarray) -> list[tuple[int, ...]]:
    """For each layer (input first), the two neurons whose outputs vary most over the
    data points ``x`` (largest standard deviation), in increasing order; all of them
    when the layer has one or two. The layer's space is drawn through these two: a
    neuron that stays constant (a "dead" ReLU, say) would show nothing."""
    chosen = [(0, 1)]
    for a in layer_activations(model, x)[:-1]:
        if a.shape[1] <= 2:
            chosen.append(tuple(range(a.shape[1])))
        else:
            spread = a.std(axis=0)
            chosen.append(tuple(sorted(int(i) for i in np.argsort(-spread, kind="stable")[:2])))
    return chosen
