"""Initialisation: how the starting weights set the size of the signal, layer by layer.

A deep stack of ``DEPTH`` layers of ``WIDTH`` neurons (``Linear`` then tanh or ReLU;
biases 0, so the weights alone decide) is given ``N_POINTS`` random inputs, each number
drawn from N(0, 1). Left: the spread of each layer's outputs (each neuron's standard
deviation over the inputs, root-mean-squared over the neurons; layer 0 is the input), for three ways of drawing the starting
weights, the chosen one drawn bold:

* ``nn.Linear``'s default (PyTorch's): ``U(-a, a)``, ``a = 1 / sqrt(n_in)``, so
  ``Var(W) = 1 / (3 n_in)``;
* Glorot (Xavier) uniform, Glorot & Bengio (2010): ``a = sqrt(6 / (n_in + n_out))``,
  ``Var(W) = 2 / (n_in + n_out)``;
* He (Kaiming) uniform for ReLU, He et al. (2015): ``a = sqrt(6 / n_in)``,
  ``Var(W) = 2 / n_in``.

A layer adds up ``n_in`` products, so ``Var(z) = n_in Var(W) Var(a)``: with
``n_in Var(W) < 1`` the spread shrinks layer after layer, with ``> 1`` it grows (until
tanh saturates). ReLU sets half its inputs to 0, which He's factor 2 makes up for.
Right: a histogram of all outputs of layer ``layer`` (every neuron, every input), in %
of the values on a log scale.

Parameters: ``activation`` (tanh or ReLU), ``init`` (default, glorot, he) and ``layer``
(1 to ``DEPTH``). Every network is computed once (a few ms) and kept.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import nn, style
from ..nn.functional import ACTIVATIONS
from ..runs import layer_outputs
from ..scene import Param, Scene
from ..stamps import stamped

DEPTH = 10
WIDTH = 100
N_POINTS = 500
SEED = 0
INIT_CHOICES = (("nn.Linear's default", "default"), ("Glorot (Xavier)", "glorot"), ("He (Kaiming)", "he"))
INIT_NAMES = {value: label for label, value in INIT_CHOICES}
#: the bound ``a`` of each init's U(-a, a), as the legend writes it
INIT_FORMULAS = {"default": "a = \u221a(1/n\u1d62\u2099)",
                 "glorot": "a = \u221a(6/(n\u1d62\u2099+n\u2092\u1d64\u209c))",
                 "he": "a = \u221a(6/n\u1d62\u2099)"}
INIT_COLOURS = {"default": style.VERMILLION, "glorot": style.BLUE, "he": style.GREEN}
ACTIVATION_CHOICES = ("tanh", "relu")
BINS = 41  # odd: 0 (the middle of tanh's range) falls inside a bin
#: the histogram's range for each activation (ReLU outputs above 4 are counted at 4)
RANGES = {"tanh": (-1.0, 1.0), "relu": (0.0, 4.0)}
STD_LIMITS = (2e-5, 3.0)
SHARE_LIMITS = (0.05, 100.0)  # % of the values in one bin, log scale


def deep_network(activation: str, init: str, depth: int = DEPTH, width: int = WIDTH, rng=SEED) -> nn.Sequential:
    """``depth`` times ``Linear(width, width)`` and ``activation``, the weights drawn by
    ``init`` ("default": ``nn.Linear``'s own; "glorot": ``nn.init.xavier_uniform_``; "he":
    ``nn.init.kaiming_uniform_(nonlinearity="relu")``), the biases 0."""
    if init not in INIT_NAMES:
        raise ValueError(f"init must be one of {list(INIT_NAMES)}, got {init!r}")
    gen = np.random.default_rng(rng)
    modules = []
    for _ in range(depth):
        layer = nn.Linear(width, width, rng=gen)
        if init == "glorot":
            nn.init.xavier_uniform_(layer.weight, rng=gen)
        elif init == "he":
            nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu", rng=gen)
        nn.init.zeros_(layer.bias)
        modules += [layer, ACTIVATIONS[activation].make()]
    return nn.Sequential(*modules)


@functools.lru_cache(maxsize=None)
def spread(activation: str, init: str) -> tuple[np.ndarray, np.ndarray]:
    """``(stds, shares)``: the spread of the outputs of every layer of :func:`deep_network`
    for ``N_POINTS`` inputs drawn from N(0, 1) (index 0: the inputs themselves): each
    neuron's standard deviation over the inputs, root-mean-squared over the neurons (how
    much a neuron's output changes from one input to another: what carries the input's
    information on), and for every layer 1..DEPTH the % of its outputs in each of ``BINS``
    bins over ``RANGES[activation]``, shape (DEPTH, BINS). Read only."""
    x = np.random.default_rng(SEED + 1).normal(size=(N_POINTS, WIDTH))
    model = deep_network(activation, init)
    outputs = [x] + [out for module, out in zip(model, layer_outputs(model, x))
                     if not isinstance(module, nn.Linear)]
    stds = np.array([np.sqrt(np.mean(a.var(axis=0))) for a in outputs])
    low, high = RANGES[activation]
    shares = np.array([np.histogram(np.clip(a, low, high), bins=BINS, range=(low, high))[0]
                       for a in outputs[1:]]) * 100.0 / outputs[1].size
    for array in (stds, shares):
        array.setflags(write=False)
    return stds, shares


class InitialisationScene(Scene):
    params = (
        Param("init", "glorot", options=INIT_CHOICES, label="starting weights"),
        Param("activation", "tanh",
              options=tuple((ACTIVATIONS[a].label, a) for a in ACTIVATION_CHOICES), label="activation"),
        Param("layer", DEPTH, 1, DEPTH, 1, integer=True, label="histogram of layer"),
    )
    size = (9.0, 3.6)
    gif_name = "initialisation"
    background_params = ("activation",)

    def build(self) -> None:
        fig = self.fig
        ax = self.ax_std = fig.add_axes([0.075, 0.14, 0.47, 0.7])
        ax.set_yscale("log")
        ax.set_xlim(-0.3, DEPTH + 0.3)
        ax.set_ylim(*STD_LIMITS)
        ax.set_xticks(range(0, DEPTH + 1))
        ax.set_xlabel("layer (0: the input)", labelpad=1)
        ax.set_ylabel("spread (std) of the outputs", labelpad=1)
        ax.grid(True, which="major", color=style.LIGHT, lw=0.8)
        self.lines = {}
        for label, init in INIT_CHOICES:
            self.lines[init] = self.moving(ax.plot([], [], color=INIT_COLOURS[init], marker="o", ms=3,
                                                   label=f"{label}: U(\u2212a, a), {INIT_FORMULAS[init]}")[0])
        ax.legend(loc="lower left", fontsize=8.5, frameon=False, handlelength=1.5)
        self.marker = self.moving(ax.plot([], [], "o", ms=9, mfc="none", mec=style.BLACK, mew=1.5)[0])
        self.title = ax.set_title("", fontsize=10)

        ah = self.ax_hist = fig.add_axes([0.64, 0.14, 0.32, 0.7])
        ah.set_yscale("log")
        ah.set_ylim(*SHARE_LIMITS)
        ah.set_ylabel("% of the outputs", labelpad=1)
        self.bars = self.moving(ah.stairs(np.full(BINS, SHARE_LIMITS[0]), np.linspace(0, 1, BINS + 1),
                                          fill=True, baseline=SHARE_LIMITS[0]))
        self.hist_title = self.moving(stamped(fig, 0.80, 0.865, "", ha="center", va="bottom", fontsize=10))

    def draw_background(self) -> None:
        act = self.values["activation"]
        low, high = RANGES[act]
        self.ax_hist.set_xlim(low, high)
        self.ax_hist.set_xlabel(f"output of a {ACTIVATIONS[act].label} neuron"
                                + (" (4 or more: at 4)" if act == "relu" else ""), labelpad=1)
        self.title.set_text(f"{DEPTH} layers of {WIDTH} {ACTIVATIONS[act].label} neurons, "
                            f"inputs N(0, 1), biases 0")
        for init, line in self.lines.items():
            line.set_data(np.arange(DEPTH + 1), np.maximum(spread(act, init)[0], STD_LIMITS[0]))

    def draw(self) -> None:
        v = self.values
        act, init, k = v["activation"], v["init"], v["layer"]
        for name, line in self.lines.items():
            chosen = name == init
            line.set_linewidth(2.6 if chosen else 1.0)
            line.set_alpha(1.0 if chosen else 0.45)
            line.set_zorder(3 if chosen else 2)
        stds, shares = spread(act, init)
        self.marker.set_data([k], [max(stds[k], STD_LIMITS[0])])
        low, high = RANGES[act]
        self.bars.set_data(np.maximum(shares[k - 1], SHARE_LIMITS[0]), np.linspace(low, high, BINS + 1))
        self.bars.set_facecolor(INIT_COLOURS[init])
        self.bars.set_edgecolor(INIT_COLOURS[init])
        self.hist_title.set_text(f"layer {k}, {INIT_NAMES[init]}: spread {stds[k]:.2g}")

    def storyboard(self):
        for act in ACTIVATION_CHOICES:
            for _, init in INIT_CHOICES:
                yield dict(activation=act, init=init, layer=2), 900
                yield dict(activation=act, init=init, layer=DEPTH), 1800
