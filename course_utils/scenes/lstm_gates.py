"""Inside a trained LSTM: every gate at every step, and what happens when you clamp one.

The network is :func:`course_utils.sequences.train_memory`'s LSTM (16 units) trained on
"remember the first bit" with T = 50 steps: step 1 carries the bit (+1 or -1), the 49
steps after it only noise, and at the end the network must say what the bit was. It reads
one held-out sequence; :func:`course_utils.sequences.lstm_trace` runs it step by step::

    i, f, o = sigmoid(.),  g = tanh(.)      (from x_t and h_{t-1})
    c_t = f * c_{t-1} + i * g                (the cell state: the memory)
    h_t = o * tanh(c_t)                      (what the cell shows)

Left: the input (the bit, then noise), then i, f, g, o, c and h as heat strips, one row per
unit and one column per step. Gates go from 0 (white) to 1 (blue); g, c and h are signed
(blue +, vermillion -; c on its own scale, written in its title). The unit whose cell
state follows the bit most closely (:func:`course_utils.sequences.memory_unit`) is marked;
nearly every unit follows it.

**Clamp** a gate: its computed value is replaced by a fixed one at every step (or from
step 2 on). Right: what the read-out would answer at every step, clamped (blue; with no clamp it is
the grey line, as trained), and the accuracy over the 500 held-out sequences with the clamp.

Parameters: ``clamp`` (see :data:`CLAMPS`) and ``example`` (which held-out sequence).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import sequences, style
from ..nn.functional import sigmoid
from ..scene import Param, Scene
from ..stamps import stamped

LENGTH = 50
EXAMPLES = 10
#: key -> (dropdown label, the clamp for lstm_trace, the first step it applies to)
CLAMPS = {
    "none": ("no clamp (as trained)", None, 1),
    "forget 0": ("forget gate f = 0 (forget at every step)", {"forget": 0.0}, 1),
    "forget 1": ("forget gate f = 1 (never forget)", {"forget": 1.0}, 1),
    "input 0": ("input gate i = 0 from step 2 (write only once)", {"input": 0.0}, 2),
    "hold": ("i = 0 and f = 1 from step 2 (hold exactly)", {"input": 0.0, "forget": 1.0}, 2),
    "input 1": ("input gate i = 1 (always write)", {"input": 1.0}, 1),
    "output 0": ("output gate o = 0 (hide the memory)", {"output": 0.0}, 1),
}
STRIPS = (("input", "input gate i", "gate"), ("forget", "forget gate f", "gate"),
          ("cell", "candidate g", "signed"), ("output", "output gate o", "gate"),
          ("c", "cell state c", "cell"), ("h", "hidden state h", "signed"))


def run():
    """The trained run the scene shows (cached by :func:`sequences.train_memory`)."""
    return sequences.train_memory("lstm", LENGTH)


@lru_cache(maxsize=len(CLAMPS))
def clamped_accuracy(key: str) -> float:
    """Held-out accuracy of the trained LSTM with clamp ``key`` (500 sequences)."""
    _, clamp, start = CLAMPS[key]
    return sequences.clamped_accuracy(run(), clamp, start)


@lru_cache(maxsize=64)
def reading(key: str, example: int) -> dict:
    """The trace of held-out sequence ``example`` with clamp ``key`` (arrays (L, 16)), the
    input ``x`` (L, 2), its bit, and ``p``: the read-out's P(bit = +1) after every step."""
    model = run().at(-1)
    x = run().data["x_val"][example]
    _, clamp, start = CLAMPS[key]
    trace = sequences.lstm_trace(model.recurrent, x, clamp, start)
    trace["p"] = sigmoid(model.head(trace["h"])[:, 0])
    trace["x"], trace["bit"] = x, int(run().data["y_val"][example, 0])
    return trace


class LSTMGatesScene(Scene):
    """The gates of a trained LSTM, step by step; clamp one and watch the memory hold or fail."""

    params = (
        Param("clamp", "none", options=tuple((label, key) for key, (label, _, _) in CLAMPS.items()),
                  label="clamp"),
        Param("example", 0, 0, EXAMPLES - 1, 1, integer=True, label="held-out sequence"),
    )
    size = (10.5, 5.6)
    control_rows = (("clamp", "example"),)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        self.memory = sequences.memory_unit(run())
        hidden = run().model.recurrent.hidden_size
        left, width, top, height, gap = 0.13, 0.5, 0.83, 0.093, 0.035
        ax = fig.add_axes([left, top + 0.035, width, 0.03])
        self.input_strip = moving(ax.imshow(np.zeros((1, LENGTH)), cmap=style.DIVERGING, vmin=-3, vmax=3,
                                            aspect="auto", interpolation="nearest"))
        style.picture_axes(ax)
        ax.set_title("input x\u209c: the bit at step 1, then noise", fontsize=9, loc="left", pad=2)
        self.images, self.titles = {}, {}
        for k, (name, label, kind) in enumerate(STRIPS):
            ax = fig.add_axes([left, top - (k + 1) * (height + gap) + gap, width, height])
            cmap, low = (style.ACTIVITY, 0.0) if kind == "gate" else (style.DIVERGING, -1.0)
            self.images[name] = moving(ax.imshow(np.zeros((hidden, LENGTH)), cmap=cmap, vmin=low, vmax=1,
                                                 aspect="auto", interpolation="nearest",
                                                 extent=(0.5, LENGTH + 0.5, hidden - 0.5, -0.5)))
            ax.set_yticks([self.memory], labels=[f"unit {self.memory} \u25b6"], fontsize=8)
            ax.tick_params(length=0)
            ax.set_xticks([1, 10, 20, 30, 40, 50] if k == len(STRIPS) - 1 else [])
            for spine in ax.spines.values():
                spine.set_visible(False)
            # the titles change with the clamp ("... clamped to 0") and the scale of c: few
            # strings, each drawn once and then pasted
            bottom = top - (k + 1) * (height + gap) + gap
            self.titles[name] = moving(stamped(fig, left, bottom + height + 0.006, label, fontsize=9,
                                               va="bottom"))
        ax.set_xlabel("time step t", labelpad=1)
        fig.text(0.01, 0.97, "Inside a trained LSTM: 16 units, 50 steps", fontsize=11, fontweight="bold", va="top")

        ax = self.ax_p = fig.add_axes([0.72, 0.42, 0.26, 0.43])
        steps = np.arange(1, LENGTH + 1)
        self.p_trained = moving(ax.plot(steps, np.zeros(LENGTH), color=style.GREY, lw=1.5, ls="--",
                                        label="as trained")[0])
        self.p_clamped = moving(ax.plot(steps, np.zeros(LENGTH), color=style.BLUE, lw=2, label="clamped")[0])
        ax.axhline(0.5, color=style.LIGHT, lw=1, zorder=0)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlim(1, LENGTH)
        ax.set_yticks([0, 0.5, 1], labels=["0", "0.5", "1"])
        ax.set_xticks([1, 25, 50])
        ax.set_xlabel("time step t", labelpad=1)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, fontsize=9, frameon=False)
        ax.set_title("P(first bit = +1), if the read-out\nwere asked at step t", fontsize=10)
        self.verdict = moving(fig.text(0.72, 0.24, "", fontsize=10, va="top", linespacing=1.6))
        # colour keys: gates from 0 (shut) to 1 (open); g and h from -1 to 1
        for k, (cmap, low, label) in enumerate(((style.ACTIVITY, 0, "gates i, f, o"),
                                                (style.DIVERGING, -1, "g and h"))):
            key = fig.add_axes([0.64, 0.6 - 0.3 * k, 0.012, 0.2])
            key.imshow(np.linspace(1, low, 50)[:, None], cmap=cmap, vmin=low, vmax=1, aspect="auto",
                       extent=(0, 1, low, 1))
            key.set_xticks([])
            key.yaxis.tick_right()
            key.set_yticks([low, 1], labels=["\u22121" if low else "0", "1"], fontsize=8)
            key.yaxis.set_label_position("right")
            key.set_ylabel(label, fontsize=8, labelpad=-2)

    def draw(self) -> None:
        v = self.values
        r, trained = reading(v["clamp"], v["example"]), reading("none", v["example"])
        self.input_strip.set_data(r["x"][None, :, 0])
        for name, _, kind in STRIPS:
            self.images[name].set_data(r[name].T)
        _, clamp, start = CLAMPS[v["clamp"]]
        for name, label, _ in STRIPS:
            if name in (clamp or {}):
                label += f": clamped to {clamp[name]:g}" + (f" from step {start}" if start > 1 else "")
            self.titles[name].set_text(label)
        limit = float(np.max(np.abs(r["c"]))) or 1.0
        self.images["c"].set_clim(-limit, limit)
        self.titles["c"].set_text(f"cell state c (colours up to \u00b1{limit:.3g})")
        self.p_trained.set_ydata(trained["p"])
        self.p_clamped.set_ydata(r["p"])
        sign = "+1" if r["bit"] else "\u22121"
        right = (r["p"][-1] > 0.5) == bool(r["bit"])
        self.verdict.set_text(
            f"bit {sign}; at the end P = {r['p'][-1]:.2f}: {'right' if right else 'wrong'}\n"
            f"500 held-out sequences: {clamped_accuracy(v['clamp']):.0%} right\n"
            f"(as trained: {clamped_accuracy('none'):.0%})")
