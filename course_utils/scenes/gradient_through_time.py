"""The gradient through time: how much of the loss's gradient reaches each earlier step,
in a plain RNN and in an LSTM reading the same long sequences.

The task is "remember the first bit" (:func:`course_utils.sequences.memory_task`): the bit
comes at step 1, the loss reads only the last hidden state ``h_T``, so whatever the network
should learn about step 1 must flow back through all ``T - 1`` steps. Both networks are
untrained (16 units, seeded), as at the start of training, when it matters most: a
gradient that does not reach step 1 cannot teach the network to keep the bit.

The picture plots, on a log scale, for every step ``t = 1 .. T``::

    |dL/dh_t| / |dL/dh_T|

the size of the gradient at step ``t`` (the norm over the 16 units, averaged over 32
sequences: :func:`course_utils.sequences.loss_gradients_through_time`) as a fraction of
its size at the last step, so both curves end at 1 on the right and the eye follows the
gradient back to the left. The dotted line is 10^-6 of the end value; a dot marks where a
curve first falls below it, and the text on the right says how many steps back that is
(:func:`course_utils.sequences.steps_to_fall`, computed for the settings shown), or that it
never does, or that the gradient grows.

Why. A plain RNN, ``h_t = tanh(W_ih x_t + W_hh h_{t-1} + b)``, passes the gradient back one
step as ``dL/dh_{t-1} = (dL/dh_t * (1 - h_t^2)) W_hh``: a product of ``T - t`` such factors
reaches step ``t``. When ``W_hh``'s largest eigenvalue (its spectral radius, ``radius``) is
below 1, and ``1 - h^2 <= 1`` makes every factor smaller still, the product shrinks
geometrically: the gradient vanishes. With large recurrent weights it can grow instead
(explode), until the tanh saturates. (Bengio, Simard and Frasconi, 1994, "Learning long-term
dependencies with gradient descent is difficult", IEEE Transactions on Neural Networks 5(2).)
The LSTM (Hochreiter and Schmidhuber, 1997, "Long short-term memory", Neural Computation
9(8)) adds the cell state ``c_t = f * c_{t-1} + i * g``, whose gradient passes back one step
as ``dL/dc_{t-1} = dL/dc_t * f`` plus the paths through the gates: with the forget gate near 1
the product of ``f`` s hardly shrinks. The 1997 LSTM had no forget gate at all (its cell kept
``c`` exactly, f = 1 in today's terms; the forget gate came with Gers, Schmidhuber and
Cummins, 2000); a large forget-gate bias at the start (``forget_bias``, so that ``f =
sigmoid(forget_bias + ...)``, 0.95 for a bias of 3) makes today's LSTM start out like it.
With a bias of 0 (f near 0.5) the LSTM's gradient vanishes like the RNN's.

Parameters: ``length`` (T, 10 to 100 steps), ``radius`` (the RNN's recurrent weights
rescaled to this spectral radius; its initialisation gives about 0.7) and ``forget_bias``
(the LSTM's: 0, 1 or 3).
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, NullLocator

from .. import sequences, style
from ..nn.functional import sigmoid
from ..scene import Param, Scene
from ..stamps import stamped

LENGTHS = (10, 20, 30, 50, 75, 100)
RADII = (0.5, 0.6, 0.75, 1.0, 1.5, 2.0, 3.0)
FORGET_BIASES = (0.0, 1.0, 3.0)
#: A gradient has "vanished" here once it is below this fraction of its value at the last step.
BELOW = 1e-6
RNN_COLOUR, LSTM_COLOUR = style.ORANGE, style.BLUE
_SUPERSCRIPT = str.maketrans("0123456789-", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078"
                                             "\u2079\u207b")


@functools.lru_cache(maxsize=None)
def gradients(kind: str, length: int, setting: float) -> np.ndarray:
    """``|dL/dh_t|`` for ``t = 1 .. length`` (read only): the RNN with recurrent radius
    ``setting``, or the LSTM with forget bias ``setting``. Cached."""
    if kind == "rnn":
        g = sequences.loss_gradients_through_time("rnn", length, radius=setting)
    else:
        g = sequences.loss_gradients_through_time("lstm", length, forget_bias=setting)
    g.setflags(write=False)
    return g


def relative(kind: str, length: int, setting: float) -> np.ndarray:
    """``|dL/dh_t| / |dL/dh_T|``, what the picture plots."""
    g = gradients(kind, length, setting)
    return g / g[-1]


@functools.lru_cache(maxsize=None)
def y_limits(length: int) -> tuple[float, float]:
    """The log-axis limits for ``length``: every curve of every radius and forget bias at this
    length fits, with the 10^-6 line and a decade to spare at each end."""
    curves = [relative("rnn", length, r) for r in RADII] + [relative("lstm", length, b) for b in FORGET_BIASES]
    low = min(min(c.min() for c in curves), BELOW)
    high = max(max(c.max() for c in curves), 1.0)
    return 10.0 ** (np.floor(np.log10(low)) - 1), 10.0 ** (np.ceil(np.log10(high)) + 1)


def decade_ticks(low: float, high: float) -> list[int]:
    """Round exponents for a log axis from ``low`` to ``high``: every 1, 2, 5, 10 or 20
    decades, the finest that gives at most 6 ticks."""
    lo, hi = np.log10(low), np.log10(high)
    for step in (1, 2, 5, 10, 20, 50):
        ticks = list(range(int(np.ceil(lo / step) * step), int(np.floor(hi)) + 1, step))
        if len(ticks) <= 6:
            return ticks
    return ticks


def time_ticks(length: int) -> list[int]:
    """Ticks for t = 1 .. length: 1, the round ticks inside (style.round_ticks) and length."""
    inside = [int(t) for t in style.round_ticks(0, length)[0] if 0.15 * length <= t <= 0.85 * length]
    return [1, *inside, length]


def power(exponent: int) -> str:
    """``10`` to a whole power, as a label: ``1``, ``10``, ``10⁻⁶``."""
    return {0: "1", 1: "10"}.get(exponent, "10" + str(exponent).translate(_SUPERSCRIPT))


def readable(value: float) -> str:
    """A positive number for the text: ``0.04``, ``2.4``, ``430`` or ``6.0×10³``."""
    if 1e-3 <= value < 1e3:
        return f"{value:.2g}" if value < 100 else f"{value:.0f}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}\u00d7{power(int(exponent))}"


def verdict(g: np.ndarray) -> tuple[str, int | None]:
    """What happens to gradients ``g`` (t = 1 .. T) going back, in words, and the step ``t``
    to mark (where it falls below ``BELOW`` of its end value; None if it never does)."""
    length = len(g)
    back = sequences.steps_to_fall(g, BELOW)
    ratio = g / g[-1]
    if back is not None:
        steps = "step" if back == 1 else "steps"
        return (f"falls below 10\u207b\u2076 of its end value\n{back} {steps} back from the end, "
                f"at t = {length - back}."), length - back
    if ratio[:-1].max() > 1:
        t = int(np.argmax(ratio)) + 1
        return (f"never falls below 10\u207b\u2076 of its end value:\nit grows, to {readable(ratio.max())} "
                f"times it at t = {t}."), None
    t = int(np.argmin(ratio)) + 1
    return (f"never falls below 10\u207b\u2076 of its end value:\nits smallest, at t = {t}, is "
            f"{readable(ratio.min())} times it."), None


class GradientThroughTimeScene(Scene):
    """|dL/dh_t| / |dL/dh_T| against t for a plain RNN and an LSTM; see the module docstring."""

    params = (
        Param("length", 50, options=LENGTHS, label="sequence length T"),
        Param("radius", 0.6, options=RADII, label="RNN radius"),
        Param("forget_bias", 3.0, options=FORGET_BIASES, label="LSTM forget bias"),
    )
    size = (10.0, 4.0)
    gif_name = "gradient_through_time"
    background_params = ("length",)

    def build(self) -> None:
        fig = self.fig
        self.title = fig.text(0.012, 0.95, "", fontsize=12, weight="bold", va="center")
        fig.text(0.012, 0.88, r"$|\partial L/\partial h_t|\ /\ |\partial L/\partial h_T|$ on a log scale, "
                 "for untrained networks of 16 units on 32 sequences of \u201cremember the first bit\u201d",
                 fontsize=10, va="center")
        ax = self.ax = fig.add_axes((0.085, 0.13, 0.49, 0.65))
        ax.set_yscale("log")
        ax.set_ylim(1e-10, 10)  # for now: draw_background sets the limits of the length
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("time step t", labelpad=1)
        ax.set_ylabel("gradient reaching step t", labelpad=2)
        ax.axhline(BELOW, color=style.GREY, lw=1.0, ls=":", zorder=0)
        ax.axhline(1.0, color=style.GREY, lw=0.6, zorder=0)
        keys = [Line2D([], [], color=style.GREY, lw=1.0, ls=":"),
                Line2D([], [], ls="none", marker="o", ms=7, mfc="white", mec=style.BLACK, mew=0.8)]
        ax.legend(keys, ["10\u207b\u2076 of the end value", "where a curve first falls below it"],
                  loc="lower right", fontsize=9, frameon=False, handlelength=1.6, borderaxespad=0.3)
        ax.annotate("", xy=(0.0, 1.04), xytext=(0.42, 1.04), xycoords="axes fraction",
                    arrowprops=dict(arrowstyle="-|>", color=style.GREY, lw=1.0, shrinkA=0, shrinkB=0))
        ax.text(1.0, 1.04, "the gradient flows back from the loss at t = T", transform=ax.transAxes,
                ha="right", va="center", fontsize=9, color=style.GREY)
        self.curves, self.marks, self.texts = {}, {}, {}
        for kind, colour in (("rnn", RNN_COLOUR), ("lstm", LSTM_COLOUR)):
            self.curves[kind] = self.moving(ax.plot([], [], color=colour, lw=2.2)[0])
            self.marks[kind] = self.moving(ax.plot([], [], "o", ms=8, color=colour, mec=style.BLACK,
                                                   mew=0.8, zorder=5)[0])
        x0 = 0.61
        for kind, y in (("rnn", 0.74), ("lstm", 0.5)):
            colour = RNN_COLOUR if kind == "rnn" else LSTM_COLOUR
            self.texts[kind] = (self.moving(stamped(fig, x0, y, "", fontsize=10, weight="bold", color=colour,
                                                    va="top")),
                                self.moving(stamped(fig, x0, y - 0.065, "", fontsize=10, va="top",
                                                    linespacing=1.3)))
        self.why = self.moving(stamped(fig, x0, 0.255, "", fontsize=9, va="top", linespacing=1.35))
        fig.text(x0, 0.085, "Bengio, Simard & Frasconi (1994);\nHochreiter & Schmidhuber (1997)", fontsize=9,
                 va="top", color=style.GREY, linespacing=1.2)

    def draw_background(self) -> None:
        """Axes for the current length: t from 1 to T, and y limits that every setting fits."""
        length = self.values["length"]
        ax = self.ax
        ax.set_xlim(0, length + 1)
        ax.set_xticks(time_ticks(length))
        low, high = y_limits(length)
        ax.set_ylim(low, high)
        exponents = decade_ticks(low, high)
        ax.yaxis.set_major_locator(FixedLocator([10.0 ** e for e in exponents]))
        ax.set_yticklabels([power(e) for e in exponents])
        self._stamp_every_setting(length)
        self.title.set_text(f"How much of the loss\u2019s gradient reaches step t, back from T = {length}: "
                            "a plain RNN and an LSTM")

    def _texts(self, length: int, radius: float, forget_bias: float) -> dict:
        """The moving texts and what they say for these settings."""
        settings = {"rnn": radius, "lstm": forget_bias}
        names = {"rnn": f"Plain RNN, recurrent radius {radius:g}:",
                 "lstm": f"LSTM, forget-gate bias {forget_bias:g}:"}
        texts = {self.why: (f"Each step back, the RNN multiplies by W\u2095\u2095 (radius {radius:g})\n"
                            f"and tanh\u2032 \u2264 1; along c, the LSTM by f \u2248 \u03c3({forget_bias:g}) = "
                            f"{sigmoid(forget_bias):.2f}.")}
        for kind, setting in settings.items():
            head, body = self.texts[kind]
            texts[head] = names[kind]
            texts[body] = f"its gradient {verdict(gradients(kind, length, setting))[0]}"
        return texts

    def _stamp_every_setting(self, length: int) -> None:
        """Make the stamps of the texts of every radius and forget bias at ``length`` now."""
        renderer = self.fig.canvas.get_renderer()
        for radius in RADII:
            for bias in FORGET_BIASES:
                for artist, text in self._texts(length, radius, bias).items():
                    artist.set_text(text)
                    artist.stamp(renderer)

    def draw(self) -> None:
        v = self.values
        length = v["length"]
        steps = np.arange(1, length + 1)
        for kind, setting in (("rnn", v["radius"]), ("lstm", v["forget_bias"])):
            g = gradients(kind, length, setting)
            self.curves[kind].set_data(steps, g / g[-1])
            t = verdict(g)[1]
            self.marks[kind].set_data(([t], [g[t - 1] / g[-1]]) if t else ([], []))
        for artist, text in self._texts(length, v["radius"], v["forget_bias"]).items():
            artist.set_text(text)

    def storyboard(self):
        """At T = 100: the RNN's radius from 0.5 to 3 (the LSTM's bias 3); then the LSTM's
        forget bias from 3 down to 0 (radius 0.6); then the length from 10 to 100."""
        for k, radius in enumerate(RADII):
            yield dict(length=100, radius=radius, forget_bias=3.0), 2600 if k in (0, len(RADII) - 1) else 1700
        for bias in (1.0, 0.0):
            yield dict(radius=0.6, forget_bias=bias), 2600
        for k, length in enumerate(LENGTHS):
            yield dict(length=length, radius=0.6, forget_bias=3.0), 2600 if k == len(LENGTHS) - 1 else 1700
