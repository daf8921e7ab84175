"""A recurrent network reads a sine wave one step at a time and predicts the next value.

The network is :func:`course_utils.sequences.train_sine`'s: an ``nn.RNN(1, 4)`` (tanh) and
a linear read-out, trained to predict, at every step, the value one step later, on waves
whose speed it is not told. Its only way to know how fast this wave goes is to remember
the last few values: that is what the hidden state is for.

At step ``t`` the layer computes (with ``b = b_ih + b_hh``)::

    a_t = W_ih x_t + W_hh h_{t-1} + b        (4 numbers)
    h_t = tanh(a_t)                          (the new hidden state)
    y_t = W_out h_t + b_out                  (the prediction of x_{t+1})

Top: the wave (grey) and the predictions up to step ``t`` (blue), each drawn at the step
it predicts. Bottom: the four hidden units at every step so far, as a heat strip (blue
positive, vermillion negative); step ``t`` is boxed. Right: the update at step ``t`` with
its real numbers, computed from the layer's weights and checked against the engine.

Parameters: ``period`` (how many steps one wave takes), ``step`` (the time step t: Play
reads the wave) and ``snapshot`` (0 is the untrained network, the last one the end of training).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.patches import Rectangle

from .. import sequences, style
from ..cells import number
from ..scene import Param, Scene
from ..stamps import stamped

LENGTH = sequences.SINE_LENGTH
PERIODS = (8, 12, 16, 24)
SNAPSHOTS = 12  # train_sine keeps 13 snapshots: 0 .. 12


@lru_cache(maxsize=64)
def reading(period: int, snapshot: int) -> dict:
    """What the network of ``snapshot`` computes on the wave of ``period`` (phase 0): the
    input ``x`` (L,), the pre-activations ``a`` and states ``h`` (L, 4) with ``h_prev``
    (L, 4, starting from 0), the parts ``w_x`` = W_ih x_t, ``w_h`` = W_hh h_{t-1}, the bias,
    and the predictions ``y`` (L,). ``h`` is the engine's own output."""
    model = sequences.train_sine().at(snapshot)
    layer, head = model.recurrent, model.head
    wave = sequences.sine_wave(period, LENGTH)
    x = wave[:-1]
    h = layer(x[:, None])[0]                          # the engine: (L, 4)
    h_prev = np.vstack([np.zeros(layer.hidden_size), h[:-1]])
    w_x = np.outer(x, layer.weight_ih.data[:, 0])
    w_h = h_prev @ layer.weight_hh.data.T
    bias = layer.bias_ih.data + layer.bias_hh.data
    return dict(x=x, target=wave[1:], h=h, h_prev=h_prev, w_x=w_x, w_h=w_h, bias=bias,
                a=w_x + w_h + bias, y=head(h)[:, 0], w_out=head.weight.data[0].copy(),
                b_out=float(head.bias.data[0]))


def vector(values) -> str:
    """``[ 0.12 −0.40  0.05]``: a short vector, two decimals, aligned, true minus signs
    (and no "−0.00")."""
    return "[" + " ".join(f"{number(v):>5}" for v in values) + "]"


class RNNStepsScene(Scene):
    """An RNN predicting a sine wave, step by step, with the update's real numbers."""

    params = (
        Param("period", 12, options=PERIODS, label="wave period (steps)"),
        Param("step", 10, 1, LENGTH, 1, integer=True, label="time step"),
        Param("snapshot", SNAPSHOTS, 0, SNAPSHOTS, 1, integer=True, label="snapshot"),
    )
    size = (10.5, 4.4)
    control_rows = (("period", "snapshot"),)
    background_params = ("period",)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        ax = self.ax_wave = fig.add_axes([0.06, 0.55, 0.48, 0.3])
        steps = np.arange(1, LENGTH + 1)
        self.truth = ax.plot(steps, np.zeros(LENGTH), "o-", color=style.GREY, lw=1.2, ms=3,
                             label="the wave: x\u209c")[0]
        self.predicted = moving(ax.plot([], [], "o-", color=style.BLUE, lw=1.5, ms=4,
                                        label="prediction of x\u209c\u208a\u2081, drawn at t + 1")[0])
        self.now = moving(ax.axvline(1, color=style.ORANGE, lw=1.5))
        ax.set_xlim(0.5, LENGTH + 1.5)
        ax.set_ylim(-1.6, 1.6)
        ax.set_yticks([-1, 0, 1], labels=["\u22121", "0", "1"])
        ax.set_xticks([1, 10, 20, 30, 40])
        ax.legend(loc="upper left", fontsize=9, ncols=2, frameon=False, bbox_to_anchor=(0, 1.25))
        # the same few titles come back again and again: drawn once each, then pasted
        self.title = moving(stamped(fig, 0.06, 0.955, "", fontsize=11, fontweight="bold"))

        ax = self.ax_strip = fig.add_axes([0.06, 0.12, 0.48, 0.3], sharex=self.ax_wave)
        self.strip = moving(ax.imshow(np.zeros((4, LENGTH)), cmap=style.DIVERGING.with_extremes(bad="white"),
                                      vmin=-1, vmax=1, aspect="auto", interpolation="nearest",
                                      extent=(0.5, LENGTH + 0.5, 3.5, -0.5)))
        self.box = moving(ax.add_patch(Rectangle((0.5, -0.5), 1, 4, fill=False, ec=style.ORANGE, lw=2)))
        ax.set_yticks(range(4), labels=[f"h[{k}]" for k in range(4)])
        ax.set_xlabel("time step t", labelpad=1)
        ax.set_title("the hidden state h\u209c at every step (blue +, vermillion \u2212)", fontsize=10, loc="left")

        # The update at step t: the labels in the background, the numbers in one moving text
        # (text is what costs most per frame).
        t, t1 = "\u209c", "\u209c\u208b\u2081"
        labels = ["", f"h{t1}", f"W_ih x{t}", f"W_hh h{t1}", "b = b_ih + b_hh", f"a{t} (the sum)",
                  f"h{t} = tanh(a{t})", "", f"y{t} (prediction)", f"next value x{t}\u208a\u2081"]
        mono = dict(fontsize=10, va="top", family="DejaVu Sans Mono", linespacing=1.45)
        fig.text(0.575, 0.84, "\n".join(f"{label:<16}{'=' if label else ''}" for label in labels), **mono)
        self.numbers = moving(fig.text(0.72, 0.84, "", **mono))
        self.step_title = moving(stamped(fig, 0.575, 0.9, "", fontsize=11, va="top"))
        fig.text(0.575, 0.2, "a\u209c = W_ih x\u209c + W_hh h\u209c\u208b\u2081 + b,   h\u209c = tanh(a\u209c)\n"
                 "y\u209c = W_out h\u209c + b_out predicts x\u209c\u208a\u2081", fontsize=10, va="top", color=style.GREY,
                 linespacing=1.5)

    def draw_background(self) -> None:
        self.truth.set_ydata(sequences.sine_wave(self.values["period"], LENGTH)[:-1])

    def draw(self) -> None:
        v = self.values
        r, t = reading(v["period"], v["snapshot"]), v["step"]
        epoch = sequences.train_sine().moments[v["snapshot"]]
        state = f"snapshot {v['snapshot']} of {SNAPSHOTS}: " + ("untrained" if epoch == 0 else f"epoch {epoch}")
        self.title.set_text(f"An RNN with 4 hidden units reads a wave of period {v['period']} ({state})")
        k = t - 1                                    # row of step t in the arrays
        self.predicted.set_data(np.arange(2, t + 2), r["y"][:t])
        self.now.set_xdata([t, t])
        shown = np.full((4, LENGTH), np.nan)
        shown[:, :t] = r["h"][:t].T
        self.strip.set_data(shown)
        self.box.set_x(t - 0.5)
        rows = ["", vector(r["h_prev"][k]), vector(r["w_x"][k]), vector(r["w_h"][k]), vector(r["bias"]),
                vector(r["a"][k]), vector(r["h"][k]), "", number(r["y"][k]), number(r["target"][k])]
        self.numbers.set_text("\n".join(rows))
        self.step_title.set_text(f"step t = {t}:   x\u209c = {number(r['x'][k])}")

    def storyboard(self):
        """Not a GIF of its own: the unrolled-RNN GIF shows the idea; this is the widget."""
        raise NotImplementedError
