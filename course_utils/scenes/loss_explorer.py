"""One loss at a time: the loss explorer.

:class:`LossExplorerScene` (GIF ``imgs/loss_explorer.gif``) takes one loss at a time
(MSE, mean absolute error ``|ŷ − y|`` from ``nn.L1Loss``, Huber with a δ slider, BCE,
hinge), a target and a prediction, and says in words what the numbers at the dot mean.
Regression losses are drawn against ŷ, the other two beside them in grey; the
classification losses against the logit z (``nn.BCEWithLogitsLoss``, ``nn.HingeLoss``)
and against the probability ``p = σ(z)`` (``nn.BCELoss``; for hinge ``dL/dp`` is the
chain rule ``dL/dz / (p (1 − p))``).

Every point of every curve is a call of the engine's criterion and its ``backward()``
(the functions of :mod:`course_utils.scenes.loss_functions`).
"""

from __future__ import annotations

import functools
from typing import Iterator

import numpy as np

from .. import style
from ..nn.functional import sigmoid
from ..scene import Param, Scene
from ..stamps import stamped
from .loss_functions import (GRAD_COLOUR, LOSS_COLOUR, POINTS, bce_at, bce_logit_at, curve_dot, hinge_at,
                             huber_at, mae_at, mse_at, place_dot, value_text)

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
        value, grad = bce_logit_at(x, target)
        loss_p, grad_p = bce_at(p, target)
    else:
        value, grad = hinge_at(x, target)
        loss_p, grad_p = value, grad / (p * (1.0 - p))  # dz/dp = 1 / (p (1 − p))
    return dict(loss=value, grad=grad, p=p, loss_p=loss_p, grad_p=grad_p)


def explorer_curves(loss: str, target: int, delta: float = 1.0) -> dict:
    """:func:`explorer_point` at ``2 POINTS − 1`` values of ``x`` from −X_MAX to X_MAX: a dict
    of arrays, ``x`` among them (read only; cached)."""
    return _curves(loss, target, delta if loss == "huber" else 1.0)  # only Huber has a δ


@functools.lru_cache(maxsize=128)
def _curves(loss: str, target: int, delta: float) -> dict:
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
            first = f"MSE {value_text(value)}: the prediction is {a:.2f} away, squared"
        elif loss == "mae":
            first = f"MAE {value_text(value)}: the prediction is {a:.2f} away"
        elif a <= delta:
            first = f"Huber {value_text(value)} = ½·{a:.2f}²: within δ = {delta:.1f} of the target, half the square"
        else:
            first = (f"Huber {value_text(value)} = {delta:.1f}·({a:.2f} − {delta / 2:.2f}): beyond δ = {delta:.1f} "
                     "it grows linearly")
    else:
        what, sym, tail = "z", "dL/dz", f"; against p, dL/dp = {value_text(v['grad_p'])}"
        if loss == "bce":
            q = v["p"] if target else 1.0 - v["p"]
            first = f"BCE {value_text(value)} = −ln {q:.3g}: the model gave the true class {_percent(q)}"
        else:
            m = (1 if target else -1) * x
            if m >= 1:
                first = f"hinge 0: the margin y·z = {value_text(m)} is {'past' if m > 1 else 'exactly'} 1, nothing to learn"
            else:
                first = f"hinge {value_text(value)} = 1 − y·z: the margin y·z = {value_text(m)} falls short of 1"
    if grad == 0:
        second = f"gradient 0: a small change of {what} changes nothing" if loss not in REGRESSION else \
            "gradient 0: the prediction is on target"
    else:
        second = f"gradient {sym} = {value_text(grad)}: {'raising' if grad < 0 else 'lowering'} {what} lowers the loss"
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
            self.dots.append(moving(curve_dot(ax, LOSS_COLOUR), curve_dot(ax, GRAD_COLOUR, ms=5.0)))
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
            place_dot(self.dots[0][0], x, v["loss"], ylim[0])
            place_dot(self.dots[1][1], x, v["grad"], ylim[1])
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
                place_dot(dot_l, xx, yl, lim)
                place_dot(dot_g, xx, yg, lim)
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
