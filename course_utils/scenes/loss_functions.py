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

:class:`LossExplorerScene` (GIF ``imgs/loss_explorer.gif``) takes one loss at a time
(MSE, mean absolute error ``|ŷ − y|`` from ``nn.L1Loss``, Huber with a δ slider, BCE,
hinge), a target and a prediction, and says in words what the numbers at the dot mean.
Regression losses are drawn against ŷ, the other two beside them in grey; the
classification losses against the logit z (``nn.BCEWithLogitsLoss``, ``nn.HingeLoss``)
and against the probability ``p = σ(z)`` (``nn.BCELoss``; for hinge ``dL/dp`` is the
chain rule ``dL/dz / (p (1 − p))``).

Every point of every curve is a call of the engine's criterion and its ``backward()``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .. import nn, style
from ..nn.functional import sigmoid
from ..scene import Param, Scene
from ..stamps import StampedLine, stamped

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


def _num(v: float, digits: int = 2) -> str:
    """``0.69``, ``−2.00``; never ``−0.00``."""
    return f"{round(float(v), digits) + 0.0:.{digits}f}".replace("-", "\u2212")


def _place(dot, x: float, y: float, ylim) -> None:
    """Put ``dot`` at ``(x, y)``; a value off the scale becomes a triangle on its edge."""
    low, high = ylim
    marker = "^" if y > high else "v" if y < low else "o"
    dot.set_data([x], [min(max(y, low), high)])
    dot.set_marker(marker)


def _dot(ax, colour, ms=7.0):
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
            self.dots[panel.key] = (moving(_dot(ax, LOSS_COLOUR)), moving(_dot(ax, GRAD_COLOUR, ms=5.0)))
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
            _place(self.dots[panel.key][0], x, loss, panel.ylim)
            _place(self.dots[panel.key][1], x, grad, panel.ylim)
            self.texts[panel.key][0].set("L = {}", _num(loss, 2 if abs(loss) < 9.995 else 1))
            self.texts[panel.key][1].set(f"{panel.grad} = {{}}", _num(grad, 2 if abs(grad) < 9.995 else 1))

    def storyboard(self) -> Iterator[tuple[dict, int]]:
        ends = {0.0: 900, 1.0: 900}
        there = [round(s, 3) for s in np.linspace(0, 1, 15)]
        for target in (1, 0):
            for s in there + there[-2:0:-1]:
                yield dict(sweep=s, target=target), ends.get(s, 140)


# ----------------------------------------------------------------------------- explorer

REGRESSION = ("mse", "mae", "huber")
NAMES = {"mse": "MSE", "mae": "MAE", "huber": "Huber", "bce": "BCE", "hinge": "hinge"}
X_MAX = 4.0  # the prediction (ŷ or z) spans [−X_MAX, X_MAX]
_YLIM = {"regression": ((-0.4, 10.5), (-10.5, 10.5)), "classification": ((-1.5, 5.5), (-6.0, 6.0)),
         # MAE's and Huber's gradients never leave [-δ, δ] (δ <= 2): a scale where δ shows
         "bounded": ((-0.4, 10.5), (-2.6, 2.6))}


def explorer_point(loss: str, target: int, delta: float, x: float) -> dict:
    """What the explorer shows at prediction ``x`` (ŷ, or the logit z), from the engine:
    ``loss`` and ``grad`` (dL/dŷ or dL/dz); for BCE and hinge also ``p = σ(z)``,
    ``loss_p`` (BCE: from ``nn.BCELoss`` on p) and ``grad_p = dL/dp``."""
    if loss in REGRESSION:
        value, grad = {"mse": mse_at, "mae": mae_at, "huber": huber_at}[loss](x, target, delta)
        return dict(loss=value, grad=grad)
    if loss not in ("bce", "hinge"):
        raise ValueError(f"unknown loss {loss!r}; the losses are {list(NAMES)}")
    p = float(sigmoid(x))
    if loss == "bce":
        value, grad = _one(nn.BCEWithLogitsLoss(), x, target)
        loss_p, grad_p = bce_at(p, target)
    else:
        value, grad = hinge_at(x, target)
        loss_p, grad_p = value, grad / (p * (1.0 - p))  # dz/dp = 1 / (p (1 − p))
    return dict(loss=value, grad=grad, p=p, loss_p=loss_p, grad_p=grad_p)


@functools.lru_cache(maxsize=128)
def explorer_curves(loss: str, target: int, delta: float = 1.0) -> dict:
    """:func:`explorer_point` at ``2 POINTS − 1`` values of ``x`` from −X_MAX to X_MAX: a dict
    of arrays, ``x`` among them."""
    if loss != "huber":
        delta = 1.0  # only Huber has a δ: one cached curve for every δ
    x = np.linspace(-X_MAX, X_MAX, 2 * POINTS - 1)
    rows = [explorer_point(loss, target, delta, v) for v in x]
    out = {name: np.array([r[name] for r in rows]) for name in rows[0]}
    out["x"] = x
    for a in out.values():
        a.flags.writeable = False
    return out


def _percent(q: float) -> str:
    return f"{100 * q:.0f} %" if q >= 0.095 else f"{100 * q:.1f} %"


#: The third caption line: how each loss's gradient behaves, in words.
NOTES = {"mse": "MSE's gradient 2·(ŷ − y) grows with the error: far-off predictions pull hardest",
         "mae": "MAE's gradient sign(ŷ − y) is ±1 however far off: every error pulls the same",
         "huber": "Huber's gradient is the error ŷ − y capped at ±δ: like MSE near the target, like MAE far away",
         "bce": "BCE's gradient on the logit is dL/dz = σ(z) − y: never more than 1 in size, near 0 once "
                "p is near y",
         "hinge": "the hinge's gradient is −y while the margin y·z falls short of 1, then exactly 0"}


def explain(loss: str, target: int, delta: float, x: float) -> tuple[str, str, str]:
    """Three lines in plain words: what the loss at ``x`` means, what its gradient says,
    and (:data:`NOTES`) how this loss's gradient behaves."""
    v = explorer_point(loss, target, delta, x)
    value, grad = v["loss"], v["grad"]
    if loss in REGRESSION:
        a, what, sym, tail = abs(x - target), "the prediction", "dL/dŷ", ""
        if loss == "mse":
            first = f"MSE {_num(value)}: the prediction is {a:.2f} away, squared"
        elif loss == "mae":
            first = f"MAE {_num(value)}: the prediction is {a:.2f} away"
        elif a <= delta:
            first = f"Huber {_num(value)} = ½·{a:.2f}²: within δ = {delta:.1f} of the target, half the square"
        else:
            first = (f"Huber {_num(value)} = {delta:.1f}·({a:.2f} − {delta / 2:.2f}): beyond δ = {delta:.1f} "
                     "it grows linearly")
    else:
        what, sym, tail = "z", "dL/dz", f"; against p, dL/dp = {_num(v['grad_p'])}"
        if loss == "bce":
            q = v["p"] if target else 1.0 - v["p"]
            first = f"BCE {_num(value)} = −ln {q:.3g}: the model gave the true class {_percent(q)}"
        else:
            m = (1 if target else -1) * x
            if m >= 1:
                first = f"hinge 0: the margin y·z = {_num(m)} is {'past' if m > 1 else 'exactly'} 1, nothing to learn"
            else:
                first = f"hinge {_num(value)} = 1 − y·z: the margin y·z = {_num(m)} falls short of 1"
    if grad == 0:
        second = f"gradient 0: a small change of {what} changes nothing" if loss not in REGRESSION else \
            "gradient 0: the prediction is on target"
    else:
        second = f"gradient {sym} = {_num(grad)}: {'raising' if grad < 0 else 'lowering'} {what} lowers the loss"
    return first, second + tail, NOTES[loss]


class LossExplorerScene(Scene):
    """One loss at a time, against the prediction, with words for the numbers at the dot."""

    params = (
        Param("loss", "mse", options=(("mean squared error (MSE)", "mse"), ("mean absolute error (MAE)", "mae"),
                                      ("Huber", "huber"), ("binary cross-entropy (BCE)", "bce"),
                                      ("hinge", "hinge")), label="loss"),
        Param("target", 1, options=(("1 (hinge: +1)", 1), ("0 (hinge: −1)", 0)), label="target y"),
        Param("prediction", 3.0, -X_MAX, X_MAX, 0.05, label="prediction ŷ or logit z"),
        Param("delta", 1.0, 0.1, 2.0, 0.1, label="Huber δ"),
    )
    gif_name = "loss_explorer"
    gif_one_palette = True
    size = (10.4, 5.1)
    control_rows = (("loss", "target"), ("prediction", "delta"))

    def background_key(self) -> tuple:
        loss = self.values["loss"]
        return ("classification" if loss not in REGRESSION else "regression" if loss == "mse" else "bounded",)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        self.lines_text = (moving(stamped(fig, 0.012, 0.975, "", fontsize=11, weight="bold", va="top")),
                           moving(stamped(fig, 0.012, 0.92, "", fontsize=10, va="top")),
                           moving(stamped(fig, 0.012, 0.87, "", fontsize=9, va="top", color="#555555")))
        self.ax = (fig.add_axes((0.06, 0.11, 0.41, 0.6)), fig.add_axes((0.57, 0.11, 0.41, 0.6)))
        self.titles, self.keys, self.main, self.grey, self.dots = [], [], [], [], []
        for ax in self.ax:
            ax.axhline(0, color=style.GREY, lw=0.7, zorder=0)
            self.titles.append(moving(stamped(ax, 0.0, 1.09, "", transform=ax.transAxes, fontsize=10)))
            self.keys.append(moving(stamped(ax, 0.0, 1.02, "", transform=ax.transAxes, fontsize=8.5,
                                            color="#555555")))
            self.grey.append(moving(ax.plot([], [], color=style.GREY, lw=1.1)[0],
                                    ax.plot([], [], color=style.GREY, lw=1.3, ls=":")[0]))
            self.main.append(moving(ax.plot([], [], color=LOSS_COLOUR, lw=2.2)[0],
                                    ax.plot([], [], color=GRAD_COLOUR, lw=2.0, ls="--")[0]))
            self.dots.append(moving(_dot(ax, LOSS_COLOUR), _dot(ax, GRAD_COLOUR, ms=5.0)))
        for t in (*self.titles, *self.keys):
            t.set_clip_on(False)
        self.target_line = moving(self.ax[0].axvline(0, color=style.GREY, lw=0.9, ls="--", zorder=0))

    def draw_background(self) -> None:
        kind = self.background_key()[0]
        for ax, ylim in zip(self.ax, _YLIM[kind]):
            ax.set_ylim(*ylim)
        self.ax[1].set_yticks({"regression": [-10, -5, 0, 5, 10], "bounded": [-2, -1, 0, 1, 2],
                               "classification": [-6, -4, -2, 0, 2, 4, 6]}[kind])
        self.ax[0].set_xlim(-X_MAX, X_MAX)
        if kind != "classification":
            self.ax[1].set_xlim(-X_MAX, X_MAX)
            self.ax[0].set_xlabel("prediction ŷ")
            self.ax[1].set_xlabel("prediction ŷ")
        else:
            self.ax[1].set_xlim(0, 1)
            self.ax[0].set_xlabel("logit z")
            self.ax[1].set_xlabel("probability p = σ(z)")

    def draw(self) -> None:
        loss, target, x, delta = (self.values[k] for k in ("loss", "target", "prediction", "delta"))
        c, v = explorer_curves(loss, target, delta), explorer_point(loss, target, delta, x)
        for line in (*self.main[0], *self.main[1], *self.grey[0], *self.grey[1]):
            line.set_data([], [])
        ylim = _YLIM[self.background_key()[0]]
        name = NAMES[loss]
        if loss in REGRESSION:
            others = [k for k in REGRESSION if k != loss]
            for k, a, b in zip(others, self.grey[0], self.grey[1]):
                other = explorer_curves(k, target, delta)
                a.set_data(other["x"], other["loss"])
                b.set_data(other["x"], other["grad"])
            self.main[0][0].set_data(c["x"], c["loss"])
            self.main[1][1].set_data(c["x"], c["grad"])
            _place(self.dots[0][0], x, v["loss"], ylim[0])
            _place(self.dots[1][1], x, v["grad"], ylim[1])
            self.dots[0][1].set_data([], [])
            self.dots[1][0].set_data([], [])
            huber = f"Huber δ = {delta:.1f}"
            grey = " and ".join(f"{huber if k == 'huber' else NAMES[k]} ({s})"
                                for k, s in zip(others, ("solid", "dotted")))
            self.keys[0].set_text(f"grey, for contrast: {grey}")
            self.keys[1].set_text("grey: their gradients, drawn the same way")
            shown = huber if loss == "huber" else name
            self.titles[0].set_text(f"{shown} loss against ŷ   (target y = {target})")
            self.titles[1].set_text("its gradient dL/dŷ (dashed)")
            self.target_line.set_xdata([target] * 2)
            self.target_line.set_visible(True)
        else:
            other = explorer_curves("hinge" if loss == "bce" else "bce", target, delta)
            self.grey[0][0].set_data(other["x"], other["loss"])
            self.keys[0].set_text(f"grey, for contrast: {'hinge' if loss == 'bce' else 'BCE'} loss")
            self.keys[1].set_text("")
            self.main[0][0].set_data(c["x"], c["loss"])
            self.main[0][1].set_data(c["x"], c["grad"])
            self.main[1][0].set_data(c["p"], c["loss_p"])
            self.main[1][1].set_data(c["p"], c["grad_p"])
            for (dot_l, dot_g), xx, yl, yg, lim in ((self.dots[0], x, v["loss"], v["grad"], ylim[0]),
                                                   (self.dots[1], v["p"], v["loss_p"], v["grad_p"], ylim[1])):
                _place(dot_l, xx, yl, lim)
                _place(dot_g, xx, yg, lim)
            label = f"{'+1' if target else '−1'}" if loss == "hinge" else str(target)
            self.titles[0].set_text(f"{name} against the logit z (y = {label}): loss, dL/dz dashed")
            self.titles[1].set_text("against p = σ(z): loss, dL/dp dashed")
            self.target_line.set_visible(False)
        for line, text in zip(self.lines_text, explain(loss, target, delta, x)):
            line.set_text(text)

    def storyboard(self) -> Iterator[tuple[dict, int]]:
        sweep = [round(v, 2) for v in np.arange(-3.0, 4.01, 0.5)]
        visits = (dict(loss="mse", target=1), dict(loss="mae", target=1), dict(loss="huber", target=1, delta=1.0),
                  dict(loss="bce", target=1), dict(loss="hinge", target=1))
        for i, visit in enumerate(visits):
            for x in (sweep if i % 2 == 0 else sweep[::-1]):
                yield dict(visit, prediction=x), 1000 if x in (sweep[0], sweep[-1]) else 160
