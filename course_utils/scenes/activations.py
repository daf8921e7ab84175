"""Activation functions: their shape, their slope, and why a network needs them.

:class:`ActivationScene` (GIF ``imgs/activation.gif``) shows one activation ``f`` at a
time, with an optional second one to compare:

* left, the curve ``f(x)`` with the point ``(x, f(x))`` and its tangent line;
* middle, the slope ``f'(x)``, the number backpropagation multiplies a gradient by;
* right, what is left of a gradient after it flows back through ``k = 1 .. N`` layers
  of that activation, ``|f'(x)|**k``, on a log scale. The model is deliberately
  simple: every layer's neuron receives the same input ``x`` and every weight is 1,
  so each layer multiplies the gradient by the same ``f'(x)``. Sigmoid's slope is at
  most 1/4, so after N layers at most ``0.25**N`` is left (vanishing gradients);
  ReLU's slope is 1 for positive inputs (the gradient survives) and exactly 0 for
  negative ones (a "dead" unit passes back nothing).

Why a network needs them at all is :mod:`course_utils.scenes.nonlinearity`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, NullLocator

from .. import style
from ..nn.functional import ACTIVATIONS
from ..scene import Param, Scene

#: The activations the main scene offers, in the order the GIF shows them.
CHOICES = ("identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
           "gelu", "silu")
#: What the "compare with" dropdown offers: nothing, or one of the classic activations.
COMPARE_CHOICES = ("none", "sigmoid", "tanh", "relu", "gelu")

X_RANGE = 4.0  # the input slider and the curves span [-X_RANGE, X_RANGE]
DEPTH_MAX = 20  # most layers the gradient panel shows
FLOOR = 1e-16  # bottom of the log-scale gradient panel
TOP = 1e5  # top of the log-scale gradient panel: room for growing gradients and the labels
_F_LIMITS = (-1.6, 3.6)  # y-range of the f(x) panel, shared by every activation
_D_LIMITS = (-0.15, 1.25)  # y-range of the slope panel: every slope here lies in [-0.13, 1.13]
_TANGENT_HALF = 1.4  # the tangent line reaches this far either side of the point

_SUPERSCRIPT = str.maketrans("0123456789-", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078"
                                             "\u2079\u207b")


def value_and_slope(activation: str, x: float) -> tuple[float, float]:
    """Return ``(f(x), f'(x))`` for the named activation of :mod:`course_utils.nn.functional`."""
    a = ACTIVATIONS[activation]
    return float(a.function(np.array(x))), float(a.derivative(np.array(x)))


def gradient_through_layers(activation: str, x: float, depth: int) -> np.ndarray:
    """How much of a gradient is left after flowing back through 1, 2, ..., ``depth`` layers.

    Each layer multiplies the gradient by the activation's slope at its input. With every
    layer's input equal to ``x`` (and weights of 1) that is ``|f'(x)|**k`` after ``k``
    layers. Returns an array of shape ``(depth,)``.
    """
    slope = abs(value_and_slope(activation, x)[1])
    return slope ** np.arange(1, depth + 1, dtype=float)


def readable(value: float) -> str:
    """A positive number for a label: ``0``, ``0.0625``, ``1.13`` or ``9.5\u00d710\u207b\u2077``."""
    if value == 0:
        return "0"
    if 1e-3 <= value < 1e3:
        return f"{value:.3g}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}\u00d710{str(int(exponent)).translate(_SUPERSCRIPT)}"


def _label(activation: str) -> str:
    return ACTIVATIONS[activation].label


class ActivationScene(Scene):
    """An activation's curve, its slope and the gradient left after N layers of it."""

    params = (
        Param("activation", "sigmoid", options=tuple((_label(a), a) for a in CHOICES),
              label="activation"),
        Param("compare", "none",
              options=tuple(("none" if a == "none" else _label(a), a) for a in COMPARE_CHOICES),
              label="compare with"),
        Param("x", 1.0, -X_RANGE, X_RANGE, 0.05, label="input x"),
        Param("depth", 10, 1, DEPTH_MAX, 1, integer=True, label="layers N"),
    )
    gif_name = "activation"
    size = (8.0, 4.0)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        self.ax_f = fig.add_axes([0.055, 0.13, 0.27, 0.62])
        self.ax_d = fig.add_axes([0.395, 0.13, 0.22, 0.62])
        self.ax_g = fig.add_axes([0.695, 0.13, 0.285, 0.62])
        self.xs = np.linspace(-X_RANGE, X_RANGE, 321)
        self._curves = {}  # activation -> (f(xs), f'(xs)), computed once

        # what changes is registered with self.moving, in drawing order
        bold = dict(fontsize=11, weight="bold")
        self.header = moving(fig.text(0.015, 0.935, "", color=style.BLUE, **bold))
        self.header_cmp = moving(fig.text(0.52, 0.935, "", color=style.TEXT_ORANGE, **bold))
        self.range_text = moving(fig.text(0.015, 0.875, "", fontsize=10, color=style.BLUE))
        self.range_cmp = moving(fig.text(0.52, 0.875, "", fontsize=10, color=style.TEXT_ORANGE))

        for ax in (self.ax_f, self.ax_d):
            ax.axhline(0, color=style.GREY, lw=0.6, zorder=0)
            ax.axvline(0, color=style.GREY, lw=0.6, zorder=0)
            ax.set_xlim(-X_RANGE - 0.3, X_RANGE + 0.3)  # room for the dot at the ends
            ax.set_xticks([-X_RANGE, 0, X_RANGE])
            ax.set_xlabel("input x", labelpad=1)

        # f(x): the curves, the tangent at x and the point (x, f(x))
        ax = self.ax_f
        ax.set_ylim(*_F_LIMITS)
        ax.set_yticks([-1, 0, 1, 2, 3])
        ax.set_title("f(x): value", fontsize=10, loc="left")
        self.cmp_curve = moving(ax.plot([], [], color=style.ORANGE, lw=1.8)[0])
        self.curve = moving(ax.plot([], [], color=style.BLUE, lw=2.2)[0])
        self.tangent = moving(ax.plot([], [], color=style.BLACK, lw=1.2, ls="--")[0])
        self.cmp_dot = moving(_dot(ax, style.ORANGE, 6))
        self.dot = moving(_dot(ax, style.BLUE, 8))
        self.value_text = moving(_readout(ax, 0.03, 0.97, "left"))

        # f'(x): the slope curves and the point (x, f'(x))
        ax = self.ax_d
        ax.set_ylim(*_D_LIMITS)
        ax.set_yticks([0, 0.25, 1])
        ax.set_yticklabels(["0", "0.25", "1"])
        ax.axhline(1, color=style.GREY, lw=0.8, ls=":", zorder=0)
        ax.set_title("f\u2032(x): slope", fontsize=10, loc="left")
        self.cmp_slope = moving(ax.plot([], [], color=style.ORANGE, lw=1.8)[0])
        self.slope = moving(ax.plot([], [], color=style.BLUE, lw=2.2)[0])
        self.cmp_slope_dot = moving(_dot(ax, style.ORANGE, 6))
        self.slope_dot = moving(_dot(ax, style.BLUE, 8))
        self.slope_text = moving(_readout(ax, 0.03, 0.97, "left"))

        # the gradient left after k layers: one bar per layer on a log scale
        ax = self.ax_g
        ax.set_yscale("log")
        ax.set_ylim(FLOOR, TOP)
        ax.set_xlim(0.4, DEPTH_MAX + 0.6)
        ax.yaxis.set_major_locator(FixedLocator([1e-15, 1e-10, 1e-5, 1]))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_yticklabels(["10\u207b\u00b9\u2075", "10\u207b\u00b9\u2070", "10\u207b\u2075", "1"])
        ax.set_xticks([1, 10, 20])
        ax.set_xlabel("layers k", labelpad=1)
        ax.axhline(1, color=style.GREY, lw=0.8, ls=":", zorder=0)
        ax.set_title("gradient left: |f\u2032(x)|\u1d4f", fontsize=10, loc="left")
        self.bars = [moving(ax.add_patch(Rectangle((k - 0.35, FLOOR), 0.7, 0, color=style.BLUE, lw=0)))
                     for k in range(1, DEPTH_MAX + 1)]
        self.cmp_bars = [moving(ax.add_patch(Rectangle((k, FLOOR), 0.35, 0, color=style.ORANGE, lw=0)))
                         for k in range(1, DEPTH_MAX + 1)]
        # a mark on the floor for layers whose gradient is too small to show (or exactly 0)
        self.lost = moving(ax.plot([], [], "v", color=style.BLUE, ms=4)[0])
        self.cmp_lost = moving(ax.plot([], [], "v", color=style.ORANGE, ms=4)[0])
        self.gradient_text = moving(_readout(ax, 0.97, 0.97, "right"))
        self.cmp_gradient_text = moving(_readout(ax, 0.97, 0.86, "right", style.ORANGE))

    def _curve(self, activation: str) -> tuple[np.ndarray, np.ndarray]:
        if activation not in self._curves:
            a = ACTIVATIONS[activation]
            self._curves[activation] = (a.function(self.xs), a.derivative(self.xs))
        return self._curves[activation]

    def draw(self) -> None:
        v = self.values
        act, cmp, x, depth = v["activation"], v["compare"], v["x"], v["depth"]
        comparing = cmp != "none"
        fx, dfx = value_and_slope(act, x)

        self.header.set_text(f"{_label(act)}:  {ACTIVATIONS[act].formula}")
        self.header_cmp.set_text(f"vs {_label(cmp)}:  {ACTIVATIONS[cmp].formula}" if comparing else "")
        self.range_text.set_text(f"outputs: {ACTIVATIONS[act].outputs}")
        self.range_cmp.set_text(f"outputs: {ACTIVATIONS[cmp].outputs}" if comparing else "")

        ys, dys = self._curve(act)
        self.curve.set_data(self.xs, ys)
        self.slope.set_data(self.xs, dys)
        self.dot.set_data([x], [fx])
        self.slope_dot.set_data([x], [dfx])
        self.tangent.set_data([x - _TANGENT_HALF, x + _TANGENT_HALF],
                              [fx - _TANGENT_HALF * dfx, fx + _TANGENT_HALF * dfx])
        self.value_text.set_text(f"f({x:.2f}) = {fx:.3f}")
        self.slope_text.set_text(f"f\u2032({x:.2f}) = {dfx:.3f}")

        grads = gradient_through_layers(act, x, DEPTH_MAX)
        self._set_bars(self.bars, self.lost, grads, depth, -0.175 if comparing else 0.0)
        self.gradient_text.set_text(_gradient_words(depth, grads[depth - 1]))
        for bar in self.bars:  # side by side when comparing, else one wide bar per layer
            bar.set_width(0.35 if comparing else 0.7)

        if comparing:
            cys, cdys = self._curve(cmp)
            cfx, cdfx = value_and_slope(cmp, x)
            self.cmp_curve.set_data(self.xs, cys)
            self.cmp_slope.set_data(self.xs, cdys)
            self.cmp_dot.set_data([x], [cfx])
            self.cmp_slope_dot.set_data([x], [cdfx])
            cgrads = gradient_through_layers(cmp, x, DEPTH_MAX)
            self._set_bars(self.cmp_bars, self.cmp_lost, cgrads, depth, 0.175)
            self.cmp_gradient_text.set_text(_gradient_words(depth, cgrads[depth - 1]))
        else:
            for line in (self.cmp_curve, self.cmp_slope, self.cmp_dot, self.cmp_slope_dot):
                line.set_data([], [])
            self._set_bars(self.cmp_bars, self.cmp_lost, np.ones(DEPTH_MAX), 0, 0.175)
            self.cmp_gradient_text.set_text("")

    @staticmethod
    def _set_bars(bars, lost, values: np.ndarray, depth: int, offset: float) -> None:
        """Bars from the floor up to each value, for the first ``depth`` layers only; a mark
        on the floor (at ``k + offset``) for the values too small to show."""
        for k, (bar, value) in enumerate(zip(bars, values), start=1):
            top = min(max(float(value), FLOOR), TOP)
            bar.set_height(top - FLOOR if k <= depth else 0.0)
        gone = np.flatnonzero(values[:depth] < FLOOR) + 1
        lost.set_data(gone + offset, np.full(len(gone), 2.5 * FLOOR))

    def storyboard(self):
        # (activation, compare): first the classics alone, then the newer ones next to ReLU
        tour = [("identity", "none"), ("step", "none"), ("sigmoid", "none"), ("tanh", "sigmoid"),
                ("relu", "none"), ("leaky_relu", "relu"), ("elu", "relu"), ("softplus", "relu"),
                ("gelu", "relu"), ("silu", "gelu")]
        xs = (-3.0, -2.0, -1.2, -0.4, 0.4, 1.2, 2.0, 3.0)  # not 0: there ReLUs take slope 0 by convention
        pauses = {0: 1000, len(xs) - 1: 1200}  # ms: hold the first and last frame of each
        for act, cmp in tour:
            for i, x in enumerate(xs):
                yield dict(activation=act, compare=cmp, x=x, depth=10), pauses.get(i, 160)


def _dot(ax, colour: str, size: float):
    return ax.plot([], [], "o", color=colour, mec=style.BLACK, ms=size)[0]


def _readout(ax, x: float, y: float, ha: str, colour: str = style.BLUE):
    """A number shown at (x, y) in axes coordinates, on a white box so lines don't cross it."""
    return ax.text(x, y, "", transform=ax.transAxes, ha=ha, va="top", fontsize=10, color=colour,
                   bbox=dict(fc="white", ec="none", pad=1, alpha=0.85))


def _gradient_words(depth: int, value: float) -> str:
    layers = "layer" if depth == 1 else "layers"
    if value == 0:
        return f"after {depth} {layers}: 0, nothing left"
    return f"after {depth} {layers}: {readable(value)}"
