"""Gradients through depth: how big each layer's weight gradient is, from the output
back to the input, for sigmoid, tanh and ReLU networks.

The network is an MLP for 2-D points: ``Linear(2, 16)``, then ``depth - 1`` times
``Linear(16, 16)``, then ``Linear(16, 1)``, with the activation after every layer but the
last (so ``depth`` hidden layers and ``L = depth + 1`` weight matrices). The three
networks share their starting weights: drawn by ``init`` (``nn.Linear``'s default,
Glorot or He, as in :mod:`course_utils.scenes.initialisation`), biases 0, the same seed.
They are given ``N_POINTS`` points of :func:`course_utils.data.moons` and make one forward
and one backward pass with ``nn.BCEWithLogitsLoss``; the picture plots, on a log scale::

    || dL/dW_l ||   (the Frobenius norm of the engine's ``weight.grad``), l = 1 .. L

Why it shrinks. Going back one layer, the gradient is multiplied by the activation's
slope and by the layer's weights: ``dL/da_{l-1} = (dL/da_l * f'(z_l)) W_l``. Sigmoid's
slope ``s (1 - s)`` is at most 1/4, so with weights of a usual size each layer back makes
the gradient smaller (on average 0.15 of the layer after with the default weights, 0.24
with Glorot's, 0.32 with He's, at 20 layers): the layers near the input hardly learn (the
vanishing gradient; Glorot & Bengio, 2010, "Understanding the difficulty of training deep
feedforward neural networks"). Tanh's slope is 1 at 0, and with Glorot's weights its
gradient stays about level. ReLU's slope is 1 where a unit is on and 0 where it is off;
He's weights (``Var(W) = 2 / n_in``, He et al., 2015, "Delving deep into rectifiers")
make up for the half that are off, and the gradient stays about level through 20 layers.
(The first layer has only 2 inputs, 32 weights against the others' 256, so its norm sits
a little lower in every network.) With ``nn.Linear``'s default weights (``Var(W) = 1 / (3
n_in)``) the signal shrinks on its way forward, and so does every gradient: tanh's and
ReLU's stay level, but a thousand to a billion times smaller than with Glorot or He.

Parameters: ``init`` (default, glorot, he) and ``depth`` (2 to 20 hidden layers). Each
setting is computed once (a millisecond or two) and kept.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.ticker import FixedLocator, NullLocator

from .. import data, nn, style
from ..nn.functional import ACTIVATIONS
from ..scene import Param, Scene
from ..stamps import stamped
from .gradient_through_time import decade_ticks, power, readable
from .initialisation import INIT_CHOICES, INIT_NAMES

ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu")
COLOURS = {"sigmoid": style.VERMILLION, "tanh": style.ORANGE, "relu": style.BLUE}
TEXT_COLOURS = {"sigmoid": style.TEXT_VERMILLION, "tanh": style.TEXT_ORANGE, "relu": style.BLUE}
DEPTH_MIN, DEPTH_MAX = 2, 20
WIDTH = 16
N_POINTS = 100
SEED = 0
#: the log axis, the same for every setting (a test checks that every curve fits)
Y_LIMITS = (1e-19, 10.0)


def gradient_network(activation: str, init: str, depth: int, width: int = WIDTH, rng=SEED) -> nn.Sequential:
    """``Linear(2, width)``, ``depth - 1`` times ``Linear(width, width)``, ``Linear(width, 1)``,
    with ``activation`` after every layer but the last. The weights are drawn by ``init``
    ("default": ``nn.Linear``'s own; "glorot": ``nn.init.xavier_uniform_``; "he":
    ``nn.init.kaiming_uniform_(nonlinearity="relu")``), the biases are 0. The same ``rng``
    gives the same weights for every activation."""
    if activation not in ACTIVATION_CHOICES:
        raise ValueError(f"activation must be one of {list(ACTIVATION_CHOICES)}, got {activation!r}")
    if init not in INIT_NAMES:
        raise ValueError(f"init must be one of {list(INIT_NAMES)}, got {init!r}")
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"depth must be a whole number of hidden layers, 1 or more; got {depth!r}")
    gen = np.random.default_rng(rng)
    sizes = [2] + [width] * depth + [1]
    modules = []
    for i in range(depth + 1):
        layer = nn.Linear(sizes[i], sizes[i + 1], rng=gen)
        if init == "glorot":
            nn.init.xavier_uniform_(layer.weight, rng=gen)
        elif init == "he":
            nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu", rng=gen)
        nn.init.zeros_(layer.bias)
        modules.append(layer)
        if i < depth:
            modules.append(ACTIVATIONS[activation].make())
    return nn.Sequential(*modules)


@functools.lru_cache(maxsize=1)
def batch() -> tuple[np.ndarray, np.ndarray]:
    """The inputs ``(N_POINTS, 2)`` and float labels ``(N_POINTS, 1)``: ``data.moons(N_POINTS,
    0.1, rng=SEED)``. Read only."""
    x, y = data.moons(N_POINTS, 0.1, rng=SEED)
    y = y[:, None].astype(float)
    for array in (x, y):
        array.setflags(write=False)
    return x, y


def backward_once(activation: str, init: str, depth: int) -> nn.Sequential:
    """:func:`gradient_network` after one forward and backward pass on :func:`batch` with
    ``nn.BCEWithLogitsLoss``: every ``weight.grad`` holds ``dL/dW``."""
    model = gradient_network(activation, init, depth)
    x, y = batch()
    criterion = nn.BCEWithLogitsLoss()
    criterion(model(x), y)
    model.zero_grad()
    model.backward(criterion.backward())
    return model


@functools.lru_cache(maxsize=None)
def gradient_norms(activation: str, init: str, depth: int) -> np.ndarray:
    """``||dL/dW_l||`` for the ``depth + 1`` weight matrices, input side first (read only). Cached."""
    model = backward_once(activation, init, depth)
    norms = np.array([np.linalg.norm(m.weight.grad) for m in model if isinstance(m, nn.Linear)])
    norms.setflags(write=False)
    return norms


def first_over_last(activation: str, init: str, depth: int) -> float:
    """``||dL/dW_1|| / ||dL/dW_L||``: how much of the last layer's gradient the first gets."""
    g = gradient_norms(activation, init, depth)
    return float(g[0] / g[-1])


def _label(activation: str) -> str:
    return ACTIVATIONS[activation].label


class GradientDepthScene(Scene):
    """||dL/dW_l|| against the layer l for sigmoid, tanh and ReLU; see the module docstring."""

    params = (
        Param("init", "he", options=INIT_CHOICES, label="starting weights"),
        Param("depth", 10, DEPTH_MIN, DEPTH_MAX, 1, integer=True, label="hidden layers"),
    )
    size = (9.0, 3.8)
    gif_name = "gradient_depth"
    gif_one_palette = True

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        self.title = moving(stamped(fig, 0.012, 0.95, "", fontsize=12, weight="bold", va="center"))
        fig.text(0.012, 0.88, "\u2016\u2202L/\u2202W\u2097\u2016 after one backward pass of BCE on "
                 f"{N_POINTS} moons points; biases 0, the same weights for all three", fontsize=10, va="center")
        ax = self.ax = fig.add_axes((0.08, 0.14, 0.5, 0.64))
        ax.set_yscale("log")
        ax.set_ylim(*Y_LIMITS)
        exponents = decade_ticks(*Y_LIMITS)
        ax.yaxis.set_major_locator(FixedLocator([10.0 ** e for e in exponents]))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_yticklabels([power(e) for e in exponents])
        ax.grid(True, axis="y", color=style.LIGHT, lw=0.8)
        ax.set_xlabel("layer l (1: next to the input, L: the output layer)", labelpad=1)
        ax.set_ylabel("gradient of W\u2097 (norm)", labelpad=2)
        ax.annotate("", xy=(0.0, 1.04), xytext=(0.4, 1.04), xycoords="axes fraction",
                    arrowprops=dict(arrowstyle="-|>", color=style.GREY, lw=1.0, shrinkA=0, shrinkB=0))
        ax.text(1.0, 1.04, "backward: from the loss to the input", transform=ax.transAxes,
                ha="right", va="center", fontsize=9, color=style.GREY)
        # one x axis for every depth (nothing static changes, so every change redraws fast)
        ax.set_xlim(0.3, DEPTH_MAX + 1.7)
        ax.set_xticks([1, 5, 10, 15, 20])
        self.output_line = moving(ax.axvline(DEPTH_MAX + 1, color=style.GREY, lw=1.0, ls=":", zorder=1))
        self.output_text = moving(stamped(ax, DEPTH_MAX + 1, 2e-18, "", fontsize=9, color=style.GREY,
                                          ha="right", va="bottom", rotation=90))
        self._stamped = False
        self.curves, self.numbers = {}, {}
        x0, column = 0.62, 0.785
        for k, act in enumerate(ACTIVATION_CHOICES):
            self.curves[act] = moving(ax.plot([], [], color=COLOURS[act], lw=2.2, marker="o", ms=3.5)[0])
            y = 0.78 - 0.155 * k
            fig.text(x0, y, _label(act), fontsize=10, weight="bold", color=TEXT_COLOURS[act], va="top")
            fig.text(x0 + 0.012, y - 0.055, "last layer L:", fontsize=10, va="top")
            fig.text(x0 + 0.012, y - 0.105, "layer 1 / layer L:", fontsize=10, va="top")
            self.numbers[act] = tuple(moving(stamped(fig, column, y - dy, "", fontsize=10, va="top"))
                                      for dy in (0.055, 0.105))
        fig.text(x0, 0.29, "Each layer back multiplies the gradient by W\u2097 and\n"
                 "by the slope f\u2032. Sigmoid\u2019s is at most 1/4: its gradient\n"
                 "shrinks layer by layer. ReLU\u2019s is 1 where a unit is on,\n"
                 "and He\u2019s weights make up for the half that are off.",
                 fontsize=9, va="top", linespacing=1.35)
        fig.text(x0, 0.085, "Glorot & Bengio (2010); He et al. (2015)", fontsize=9, va="top", color=style.GREY)

    def _texts(self, init: str, depth: int) -> dict:
        """The moving texts and what they say for this setting."""
        texts = {self.title: f"The gradient each layer\u2019s weights get, with {INIT_NAMES[init]} starting weights",
                 self.output_text: f"L = {depth + 1}"}
        for act in ACTIVATION_CHOICES:
            last, first = self.numbers[act]
            texts[last] = readable(gradient_norms(act, init, depth)[-1])
            texts[first] = readable(first_over_last(act, init, depth))
        return texts

    def _stamp_titles(self) -> None:
        """Stamp the 3 titles and 19 labels of L once, so most changes draw only numbers."""
        renderer = self.fig.canvas.get_renderer()
        for init in INIT_NAMES:
            self.title.set_text(self._texts(init, DEPTH_MIN)[self.title])
            self.title.stamp(renderer)
        for depth in range(DEPTH_MIN, DEPTH_MAX + 1):
            self.output_text.set_position((depth + 1 - 0.15, 2e-18))
            self.output_text.set_text(f"L = {depth + 1}")
            self.output_text.stamp(renderer)

    def draw(self) -> None:
        init, depth = self.values["init"], self.values["depth"]
        if not self._stamped:
            self._stamped = True
            self._stamp_titles()
        layers = np.arange(1, depth + 2)
        self.output_line.set_xdata([depth + 1, depth + 1])
        self.output_text.set_position((depth + 1 - 0.15, 2e-18))
        for act in ACTIVATION_CHOICES:
            self.curves[act].set_data(layers, gradient_norms(act, init, depth))
        for artist, text in self._texts(init, depth).items():
            artist.set_text(text)

    def storyboard(self):
        """He's weights from 2 to 20 hidden layers; then at 20, Glorot's and the default."""
        for depth in (2, 5, 10, 15, 20):
            yield dict(init="he", depth=depth), 2400 if depth in (2, 20) else 1500
        for init in ("glorot", "default"):
            yield dict(init=init, depth=DEPTH_MAX), 2600
