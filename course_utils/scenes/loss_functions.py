"""Loss functions: how much a prediction costs, and which way its gradient pushes it.

:class:`LossFunctionsScene` (GIF ``imgs/loss_functions.gif``) draws the six losses of the
chapter side by side, each against its own kind of prediction, with its gradient
``dL/d(prediction)`` dashed on the same scale. ``sweep`` moves a dot across all six at
once; ``target`` picks each panel's target (1 or 0; the hinge's labels are +1 or −1):

* mean squared error ``(ŷ − y)²`` (``nn.MSELoss``): gradient ``2 (ŷ − y)``, which grows
  with the error;
* binary cross-entropy ``−[y ln p + (1 − y) ln(1 − p)]`` on a probability p
  (``nn.BCELoss``): gradient ``(p − y) / (p (1 − p))``, without bound near the wrong end;
* categorical cross-entropy over 3 classes (``nn.CrossEntropyLoss``), against the logit
  ``z₁`` of class 1 with ``z₀ = z₂ = 0``: class 1 is the true class for target 1, class 0
  for target 0. Gradient ``softmax(z)₁ − [true class is 1]``, between −1 and 1;
* hinge ``max(0, 1 − y s)`` of a score s and a label y = ±1 (``nn.HingeLoss``): gradient
  ``−y`` until the margin ``y s`` reaches 1, then 0;
* Kullback–Leibler divergence ``Σ p ln(p / q)`` between a fixed target ``p = (0.8, 0.2)``
  (or ``(0.2, 0.8)``) and ``q = (q₁, 1 − q₁)``. As in PyTorch, ``nn.KLDivLoss`` takes
  ``ln q`` and returns ``dL/d ln q = −p``; the chain rule makes that
  ``dL/dq₁ = −p₁/q₁ + p₂/(1 − q₁)``;
* Huber with δ = 1 (``nn.HuberLoss``): ``½ d²`` within δ of the target, ``δ (|d| − δ/2)``
  beyond (Huber, "Robust estimation of a location parameter", 1964). Its gradient is the
  error ``d`` capped at ±δ.

The explorer of one loss at a time is :mod:`course_utils.scenes.loss_explorer`.

Every point of every curve is a call of the engine's criterion and its ``backward()``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .. import nn, style
from ..scene import Param, Scene
from ..stamps import StampedLine

POINTS = 201  # points per curve
KL_TARGETS = {1: 0.8, 0: 0.2}  # p₁ of the KL panel's target p = (p₁, 1 − p₁)
LOSS_COLOUR, GRAD_COLOUR = style.BLUE, style.ORANGE


def _engine(criterion, input, target) -> tuple[float, np.ndarray]:
    """``(criterion(input, target), criterion.backward())``."""
    return criterion(input, target), criterion.backward()


def _one(criterion, x, y) -> tuple[float, float]:
    """The loss and ``dL/dx`` of ``criterion`` for one prediction ``x`` and target ``y``."""
    loss, grad = _engine(criterion, np.array([float(x)]), np.array([float(y)]))
    return loss, float(grad[0])


# Each loss at one prediction: (loss, dL/d prediction), from the engine.
def mse_at(yhat, y, delta=None):
    return _one(nn.MSELoss(), yhat, y)


def mae_at(yhat, y, delta=None):
    return _one(nn.L1Loss(), yhat, y)


def huber_at(yhat, y, delta=1.0):
    return _one(nn.HuberLoss(delta=delta), yhat, y)


def bce_at(p, y):
    return _one(nn.BCELoss(), p, y)


def bce_logit_at(z, y):
    return _one(nn.BCEWithLogitsLoss(), z, y)


def hinge_at(s, target):
    """The hinge's labels are ±1: target 1 is +1, target 0 is −1."""
    return _one(nn.HingeLoss(), s, 1.0 if target else -1.0)


def ce_at(z1, target):
    """Three classes, logits ``(0, z₁, 0)``; the true class is 1 for target 1, else 0."""
    loss, g = _engine(nn.CrossEntropyLoss(), np.array([[0.0, float(z1), 0.0]]), np.array([1 if target else 0]))
    return loss, float(g[0, 1])


def kl_at(q1, target):
    """``KL(p ‖ q)`` and ``dL/dq₁``, from the engine's ``dL/d ln q`` and the chain rule."""
    p1 = KL_TARGETS[target]
    loss, g = _engine(nn.KLDivLoss(), np.log([[q1, 1.0 - q1]]), np.array([[p1, 1.0 - p1]]))
    return loss, float(g[0, 0] / q1 - g[0, 1] / (1.0 - q1))


@dataclass(frozen=True)
class Panel:
    """One panel of :class:`LossFunctionsScene`: a loss against its prediction on [low, high]."""

    key: str
    title: str
    at: Callable  # (prediction, target) -> (loss, gradient)
    low: float
    high: float
    ylim: tuple
    xlabel: Callable  # target -> the x-axis label
    grad: str  # how the gradient is written
    mark: Callable  # target -> the x where the picture draws a dotted line


PANELS = (
    Panel("mse", "mean squared error  (nn.MSELoss)", mse_at, -1.5, 2.5, (-5.6, 7.0),
          lambda t: f"prediction ŷ   (target y = {t})", "dL/dŷ", lambda t: t),
    Panel("bce", "binary cross-entropy  (nn.BCELoss)", bce_at, 0.01, 0.99, (-5.6, 5.6),
          lambda t: f"probability p of class 1   (y = {t})", "dL/dp", lambda t: None),
    Panel("ce", "categorical CE  (nn.CrossEntropyLoss)", ce_at, -4.0, 4.0, (-1.5, 5.3),
          lambda t: f"logit z₁, z₀ = z₂ = 0   (true class {1 if t else 0})", "dL/dz₁", lambda t: None),
    Panel("hinge", "hinge  (nn.HingeLoss)", hinge_at, -2.5, 2.5, (-1.5, 4.0),
          lambda t: f"score s   (label y = {'+1' if t else '−1'}; dotted: y·s = 1)", "dL/ds",
          lambda t: 1.0 if t else -1.0),
    Panel("kl", "KL divergence  (nn.KLDivLoss)", kl_at, 0.01, 0.99, (-4.6, 4.6),
          lambda t: f"q₁ of q = (q₁, 1−q₁)   (p = ({KL_TARGETS[t]}, {1 - KL_TARGETS[t]:.1f}))", "dL/dq₁",
          lambda t: KL_TARGETS[t]),
    Panel("huber", "Huber, δ = 1  (nn.HuberLoss)", huber_at, -1.5, 2.5, (-1.5, 2.6),
          lambda t: f"prediction ŷ   (target y = {t})", "dL/dŷ", lambda t: t),
)
PANEL = {p.key: p for p in PANELS}


@functools.lru_cache(maxsize=16)
def curve(key: str, target: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x, loss, gradient)`` of panel ``key`` over its range, ``POINTS`` points, each one
    a call of the engine's criterion and its ``backward()``."""
    panel = PANEL[key]
    x = np.linspace(panel.low, panel.high, POINTS)
    values = np.array([panel.at(v, target) for v in x])
    for a in (x, values):
        a.flags.writeable = False
    return x, values[:, 0], values[:, 1]


def value_text(v: float, digits: int = 2) -> str:
    """``0.69``, ``−2.00``; never ``−0.00``."""
    return f"{round(float(v), digits) + 0.0:.{digits}f}".replace("-", "\u2212")


def place_dot(dot, x: float, y: float, ylim) -> None:
    """Put ``dot`` at ``(x, y)``; a value off the scale becomes a triangle on its edge."""
    low, high = ylim
    marker = "^" if y > high else "v" if y < low else "o"
    dot.set_data([x], [min(max(y, low), high)])
    dot.set_marker(marker)


def curve_dot(ax, colour, ms=7.0):
    """A dot on a curve. The gradient's dot is the smaller one, drawn on top, so that where
    the loss and its gradient meet (both 0, say) both stay in sight."""
    return ax.plot([], [], "o", color=colour, ms=ms, mec="white", mew=1.2, zorder=5 + 7 / ms,
                   clip_on=False)[0]


class LossFunctionsScene(Scene):
    """Six losses and their gradients, one dot sweeping across all of them."""

    params = (
        Param("sweep", 0.25, 0.0, 1.0, 0.01, label="prediction (sweep)"),
        Param("target", 1, options=(("1 (hinge +1, KL p₁ = 0.8)", 1), ("0 (hinge −1, KL p₁ = 0.2)", 0)),
              label="target"),
    )
    background_params = ("target",)
    gif_name = "loss_functions"
    gif_one_palette = True  # flat curves on white: the still parts stay exact
    size = (10.8, 6.9)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fig.text(0.012, 0.975, "Six losses against their predictions:  solid = loss L,  dashed = gradient "
                 "dL/d(prediction), on the same scale", fontsize=11, weight="bold", va="top")
        fig.text(0.012, 0.935, "Each point is the engine's  loss = criterion(input, target)  and  "
                 "criterion.backward();  the dots are the current prediction", fontsize=9, va="top",
                 color="#444444")
        self.axes, self.lines, self.dots, self.texts, self.marks = {}, {}, {}, {}, {}
        for i, panel in enumerate(PANELS):
            row, col = divmod(i, 3)
            ax = self.axes[panel.key] = fig.add_axes((0.05 + 0.33 * col, 0.52 - 0.435 * row, 0.27, 0.265))
            ax.set_title(panel.title, fontsize=9.5, loc="left", pad=17)
            ax.set_xlim(*((0, 1) if panel.low > 0 else (panel.low, panel.high)))
            ax.set_ylim(*panel.ylim)
            ax.tick_params(labelsize=8)
            ax.axhline(0, color=style.GREY, lw=0.7, zorder=0)
            self.marks[panel.key] = ax.axvline(0, color=style.GREY, lw=0.9, ls=":", zorder=0)
            self.lines[panel.key] = (ax.plot([], [], color=LOSS_COLOUR, lw=2)[0],
                                     ax.plot([], [], color=GRAD_COLOUR, lw=1.8, ls="--")[0])
            self.dots[panel.key] = (moving(curve_dot(ax, LOSS_COLOUR)), moving(curve_dot(ax, GRAD_COLOUR, ms=5.0)))
            # the values: monospaced numbers, each character drawn once (StampedLine)
            self.texts[panel.key] = (
                moving(StampedLine(ax, 0.0, 1.03, transform=ax.transAxes, fontsize=9, color=LOSS_COLOUR)),
                moving(StampedLine(ax, 1.0, 1.03, ha="right", transform=ax.transAxes, fontsize=9,
                                   color=style.TEXT_ORANGE)))

    def draw_background(self) -> None:
        target = self.values["target"]
        for panel in PANELS:
            x, loss, grad = curve(panel.key, target)
            self.lines[panel.key][0].set_data(x, loss)
            self.lines[panel.key][1].set_data(x, grad)
            self.axes[panel.key].set_xlabel(panel.xlabel(target), fontsize=8.5, labelpad=1)
            mark = panel.mark(target)
            self.marks[panel.key].set_visible(mark is not None)
            self.marks[panel.key].set_xdata([mark or 0.0] * 2)

    def prediction(self, key: str) -> float:
        """Where ``sweep`` puts panel ``key``'s prediction: ``low + sweep (high − low)``."""
        panel = PANEL[key]
        return panel.low + self.values["sweep"] * (panel.high - panel.low)

    def draw(self) -> None:
        target = self.values["target"]
        for panel in PANELS:
            x = self.prediction(panel.key)
            loss, grad = panel.at(x, target)
            place_dot(self.dots[panel.key][0], x, loss, panel.ylim)
            place_dot(self.dots[panel.key][1], x, grad, panel.ylim)
            self.texts[panel.key][0].set("L = {}", value_text(loss, 2 if abs(loss) < 9.995 else 1))
            self.texts[panel.key][1].set(f"{panel.grad} = {{}}", value_text(grad, 2 if abs(grad) < 9.995 else 1))

    def storyboard(self) -> Iterator[tuple[dict, int]]:
        ends = {0.0: 900, 1.0: 900}
        there = [round(s, 3) for s in np.linspace(0, 1, 15)]
        for target in (1, 0):
            for s in there + there[-2:0:-1]:
                yield dict(sweep=s, target=target), ends.get(s, 140)


# ----------------------------------------------------------------------------- explorer
