"""Why a network needs non-linearity: the same layers without and with an activation.

:class:`NonlinearityScene` trains two networks of the same size on the same 1-D data
(:func:`course_utils.data.wave`): a stack of ``Linear`` layers alone, and the same
stack with an activation between the layers. However deep, the first stays a straight
line, because a product of linear maps is one linear map; the second bends to the data.
Each network is trained once per (activation, depth) and recorded
(:mod:`course_utils.runs`) every 10 epochs; the parameter ``step`` (the slider
labelled "snapshot") picks one of these recorded moments, and each panel says which
epoch it is ("snapshot 12 of 30: epoch 120, MSE 0.321").
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import data, nn, runs, style
from ..nn import optim
from ..nn.functional import ACTIVATIONS
from ..scene import Param, Scene
from ..stamps import stamped

#: Activations the non-linearity scene offers (each trains in well under a second).
STACK_ACTIVATIONS = ("relu", "tanh", "sigmoid")
HIDDEN_MAX = 3  # at most this many hidden layers
WIDTH = 16  # neurons per hidden layer
EPOCHS = 300  # full-batch Adam steps
SNAPSHOTS = 30  # the training is replayed in this many steps (plus the start)
EPOCH_AT = runs.schedule(EPOCHS, SNAPSHOTS, power=1)  # every 10 epochs
LEARNING_RATE = 0.03
GRID = np.linspace(-2.4, 2.4, 121)  # where the networks' predictions are drawn
GRID.setflags(write=False)


def build_stack(hidden_layers: int, activation: str | None, width: int = WIDTH) -> nn.Sequential:
    """``Linear(1, width)``, then ``hidden_layers - 1`` times ``Linear(width, width)``, then
    ``Linear(width, 1)``; with ``activation`` (a name, or None for none) after every
    layer but the last. Layer ``i`` is seeded with ``i``, so the same ``hidden_layers``
    gives the same initial weights with or without an activation."""
    sizes = [1] + [width] * hidden_layers + [1]
    modules = []
    for i in range(hidden_layers + 1):
        modules.append(nn.Linear(sizes[i], sizes[i + 1], rng=i))
        if activation is not None and i < hidden_layers:
            modules.append(ACTIVATIONS[activation].make())
    return nn.Sequential(*modules)


def collapse_linear(model: nn.Sequential) -> tuple[np.ndarray, np.ndarray]:
    """Multiply out a stack of Linear layers: return ``(W, b)`` with ``model(x) = x W^T + b``.

    Layer by layer, ``x W1^T + b1`` followed by ``W2`` gives ``x (W2 W1)^T + (W2 b1 + b2)``.
    """
    weight, bias = None, None
    for layer in model:
        w, b = layer.weight.data, layer.bias.data
        weight = w if weight is None else w @ weight
        bias = b if bias is None else w @ bias + b
    return weight, bias


@runs.cache
def fit_stack(activation: str | None, hidden_layers: int, seed: int = 0) -> runs.Run:
    """Train :func:`build_stack` on ``data.wave(40, 0.1, seed)`` with MSE and full-batch
    ``Adam(lr=LEARNING_RATE)`` for ``EPOCHS`` epochs, keeping the weights every 10 epochs.
    ``activation`` None trains the plain linear stack. Cached."""
    if activation is not None and activation not in STACK_ACTIVATIONS:
        raise ValueError(f"activation must be None or one of {STACK_ACTIVATIONS}, got {activation!r}")
    x, y = data.wave(40, 0.1, rng=seed)
    model = build_stack(hidden_layers, activation)
    return runs.record(model, nn.MSELoss(), optim.Adam(model.parameters(), lr=LEARNING_RATE), x, y,
                       epochs=EPOCHS, at=EPOCH_AT)


def snapshot_text(k: int) -> str:
    """What the picture says of snapshot ``k``: ``"snapshot 12 of 30: epoch 120"``."""
    return f"snapshot {k} of {SNAPSHOTS}: epoch {EPOCH_AT[k]}"


@lru_cache(maxsize=32)
def predictions(run: runs.Run) -> np.ndarray:
    """The run's prediction on :data:`GRID` at every snapshot: shape (SNAPSHOTS + 1, len(GRID))."""
    out = np.array([run.at(k)(GRID[:, None])[:, 0] for k in range(len(run.snapshots))])
    out.setflags(write=False)
    return out


class NonlinearityScene(Scene):
    """The same stack of layers without and with an activation, fitted to curved data."""

    params = (
        Param("activation", "relu", options=tuple((ACTIVATIONS[a].label, a) for a in STACK_ACTIVATIONS),
              label="activation"),
        Param("layers", 2, 1, HIDDEN_MAX, 1, integer=True, label="hidden layers"),
        Param("step", SNAPSHOTS, 0, SNAPSHOTS, 1, integer=True, label="snapshot"),
    )

    def build(self) -> None:
        fig, moving = self.fig, self.moving  # what draw() changes is marked moving; the rest is drawn once
        self.axes = (fig.add_axes([0.065, 0.14, 0.41, 0.66]), fig.add_axes([0.565, 0.14, 0.41, 0.66]))
        self.fits, self.point_sets, self.loss_texts = [], [], []
        for ax in self.axes:
            ax.set_xlim(GRID[0], GRID[-1])
            ax.set_ylim(-2.6, 2.6)
            ax.set_xticks([-2, 0, 2])
            ax.set_yticks([-2, 0, 2])
            ax.set_xlabel("x", labelpad=1)
            ax.axhline(0, color=style.GREY, lw=0.6, zorder=0)
            self.point_sets.append(moving(ax.plot([], [], "o", color=style.GREY, ms=4, zorder=2)[0]))
            self.fits.append(moving(ax.plot([], [], color=style.BLUE, lw=2.4, zorder=3)[0]))
            self.loss_texts.append(moving(ax.text(0.97, 0.04, "", transform=ax.transAxes, ha="right", fontsize=10,
                                                  bbox=dict(fc="white", ec="none", pad=1, alpha=0.85))))
        self.axes[0].set_ylabel("y", labelpad=0)
        # titles come back with every setting: drawn once per string, then pasted (stamps)
        self.titles = [moving(stamped(fig, x, 0.93, "", fontsize=11, weight="bold", color=style.BLACK))
                       for x in (0.065, 0.565)]
        self.subtitles = [moving(stamped(fig, x, 0.85, "", fontsize=10.5, color=style.BLACK))
                          for x in (0.065, 0.565)]
        self.formula = moving(self.axes[0].text(0.03, 0.96, "", transform=self.axes[0].transAxes, va="top",
                                                fontsize=10, bbox=dict(fc="white", ec="none", pad=1, alpha=0.85)))

    def draw(self) -> None:
        act, hidden, step = self.values["activation"], self.values["layers"], self.values["step"]
        stacks = fit_stack(None, hidden), fit_stack(act, hidden)
        name = ACTIVATIONS[act].label
        for points in self.point_sets:
            points.set_data(stacks[0].data["x"][:, 0], stacks[0].data["y"][:, 0])
        for line, run, text in zip(self.fits, stacks, self.loss_texts):
            line.set_data(GRID, predictions(run)[step])
            text.set_text(f"{snapshot_text(step)}, MSE {run.curve_at('train_loss', step):.3f}")
        linears = hidden + 1
        self.titles[0].set_text(f"{linears} Linear layers, no activation")
        self.titles[1].set_text(f"the same {linears}, with {name} between")
        self.subtitles[0].set_text(f"Linear \u00d7 {linears}")
        self.subtitles[1].set_text(f"(Linear \u2192 {name}) \u00d7 {hidden} \u2192 Linear")
        # the linear stack, multiplied out, at this step: a line through two of its points
        preds = predictions(stacks[0])[step]
        slope = (preds[-1] - preds[0]) / (GRID[-1] - GRID[0])
        intercept = preds[0] - slope * GRID[0]
        sign = "+" if intercept >= 0 else "\u2212"
        self.formula.set_text(f"= one line: y = {slope:.2f}x {sign} {abs(intercept):.2f}")
