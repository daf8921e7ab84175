"""One LSTM cell reading a sequence, step by step: its gates, its candidate, and the cell
state carried along the top like a conveyor belt.

The numbers are real. The network is the LSTM that
:func:`course_utils.sequences.train_memory` trains on "remember the first bit" with
``T = 20`` steps (16 units; step 1 carries the bit, +1 or -1, and a marker; steps 2 to 20
carry only noise; the read-out sees ``h_20``). It reads one held-out sequence (the first
of :func:`~course_utils.sequences.memory_data`'s held-out sequences whose bit is ``bit``),
and the picture follows **one unit** of the 16: the one whose ``c_20`` correlates most
strongly with the bit over the 500 held-out sequences (:func:`course_utils.sequences.memory_unit`): unit 5, with
|r| = 0.9997. It is not alone: 15 of the 16 units reach |r| > 0.99 (unit 0 is a close second,
0.9996), so the network keeps the bit in many units at once. Every value shown comes from
:func:`course_utils.sequences.lstm_trace`.

The math of one step, for every unit at once (``h_{t-1}`` holds all 16 units, so each
gate of this unit depends on what every unit showed one step before)::

    f = sigmoid(W_f [x_t, h_{t-1}] + b_f)   forget gate: how much of c to keep
    i = sigmoid(W_i [x_t, h_{t-1}] + b_i)   input gate: how much of g to add
    g = tanh(W_g [x_t, h_{t-1}] + b_g)      candidate: what could be added, in (-1, 1)
    o = sigmoid(W_o [x_t, h_{t-1}] + b_o)   output gate: how much of c to show
    c_t = f * c_{t-1} + i * g               the belt: kept part plus new part
    h_t = o * tanh(c_t)                     what the cell shows (to the next step, the read-out)

The picture, from top to bottom: the cell state ``c`` runs along the top (``c_{t-1}`` in on
the left, ``c_t`` out on the right), through the forget gate's × and the + where ``i·g``
comes in. Below it the four gates are drawn as valves, filled as far as they are open
(0 to 1, with the number); the candidate ``g`` is a bar up (blue, positive) or down
(vermillion, negative) from its middle. ``x_t`` and ``h_{t-1}`` come in along the bottom;
``h_t = o · tanh(c_t)`` leaves on the right. Right of the cell: the gates so far. Along the
bottom: the input sequence (the bit at step 1, then noise; steps still to come are pale)
and ``c_t`` so far (the other bit's sequence faint, for comparison). One line of caption
says what this step does, with its numbers; a second says what the unit does over the
whole sequence.

What the trained network really does (measured on all 500 held-out sequences, over steps
2 to 20; checked by ``tests/test_lstm_cell_scene.py``): **not** the textbook way of holding a
value still, with the input gate shut (``i = 0``) and the forget gate open (``f = 1``).
Unit 5's forget gate does stay high (between 0.90 and 0.99 in 90 % of the steps; on average
0.98 when the bit was +1 and 0.94 when it was -1), so the belt carries ``c`` on. But its input
gate never closes (between 0.26 and 0.90 in 90 % of the steps, never below 0.09), and each
step's noise moves it. Instead, the bit decides the sign of the candidate: over the first
few steps the units push each other, through ``h``, into one of two patterns: from step 6
on ``g`` has the sign opposite to the bit in every held-out sequence, and from step 10 on it
is pinned near -1 or +1 (|g| > 0.86 in every one). So ``c`` is a counter, not a box: at
every step it keeps most of what it had and adds the same sign again, falling to between -12.7 and -11.2 by step 20 when the bit was +1 and
rising to between 3.0 and 4.2 when it was -1. The noise changes how much is added (through
``i``), not which way ``c`` moves; ``h_20 = o · tanh(c_20)`` carries the bit to the read-out.

Parameters: ``step`` (1 to 20, with Play) and ``bit`` (+1 or -1: which held-out sequence).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

from .. import sequences, style
from ..cells import number
from ..scene import Param, Scene
from ..stamps import stamped

LENGTH = 20  # T: the trained network reads 20 steps
BITS = (1, -1)
#: Colours of the gates, the same in the cell and in the panel of the gates so far.
GATE_COLOURS = {"forget": style.GREEN, "input": style.ORANGE, "output": style.PURPLE, "cell": style.BLACK}
_LETTERS = {"forget": "f", "input": "i", "cell": "g", "output": "o"}


@dataclass(frozen=True)
class Story:
    """What the scene shows: the unit followed, how strongly each unit's ``c_T`` goes with
    the bit (``link``: |correlation| over the held-out sequences), and per bit the index of
    the held-out sequence read, the sequence (L, 2) and its :func:`lstm_trace` (arrays of
    shape (L,) for the unit followed, keys ``input``, ``forget``, ``cell``, ``output``,
    ``c``, ``h``)."""

    unit: int
    link: np.ndarray
    index: dict
    x: dict
    trace: dict


@functools.lru_cache(maxsize=1)
def story() -> Story:
    """The trained LSTM of ``train_memory("lstm", 20)``, the unit it keeps the bit in, and
    the two held-out sequences the scene reads (computed once)."""
    run = sequences.train_memory("lstm", LENGTH)
    lstm = run.at(-1).recurrent
    x_val = run.data["x_val"]
    bits = x_val[:, 0, 0]
    link = sequences.bit_links(run)
    unit = int(np.argmax(link))
    index, xs, traces = {}, {}, {}
    for bit in BITS:
        k = int(np.flatnonzero(bits == bit)[0])
        full = sequences.lstm_trace(lstm, x_val[k])
        index[bit], xs[bit] = k, np.array(x_val[k])
        traces[bit] = {name: value[:, unit].copy() for name, value in full.items()}
    return Story(unit, link, index, xs, traces)


def with_sign(value: float, digits: int = 2) -> str:
    text = number(value, digits)
    return text if text.startswith("\u2212") else "+" + text


def caption(trace: dict, x: np.ndarray, step: int) -> str:
    """One line: what step ``step`` (1 to L) does to this unit, with its numbers."""
    k = step - 1
    f, i, g = trace["forget"][k], trace["input"][k], trace["cell"][k]
    before = trace["c"][k - 1] if k else 0.0
    after = trace["c"][k]
    g_text = f"({number(g)})" if number(g).startswith("\u2212") else number(g)
    if step == 1:
        return (f"Step 1: the bit {with_sign(x[0, 0], 0)} comes in with the marker. i = {number(i)} lets in "
                f"g = {number(g)}, so c goes from 0 to {number(after)}.")
    return (f"Step {step}: noise {with_sign(x[k, 0])} comes in. f = {number(f)} keeps {100 * f:.0f} % of c; "
            f"i\u00b7g = {number(i)} \u00d7 {g_text} = {number(i * g)} is added: c goes from "
            f"{number(before)} to {number(after)}.")


#: The candidate counts as pinned at -1 or +1 once |g| stays above this.
PINNED = 0.9


def settled_from(trace: dict) -> int | None:
    """The first step from which the candidate g stays beyond ``PINNED`` (with one sign)
    to the end, or None if it is not there at the end."""
    g = trace["cell"]
    beyond = np.abs(g) > PINNED
    if not beyond[-1]:
        return None
    k = len(g) - 1
    while k > 0 and beyond[k - 1] and np.sign(g[k - 1]) == np.sign(g[-1]):
        k -= 1
    return k + 1


def summary(trace: dict) -> str:
    """One line: what this unit does over the whole sequence (steps 2 to L), from its numbers."""
    rest = slice(1, None)
    f, i = trace["forget"][rest], trace["input"][rest]
    start = settled_from(trace)
    kept = (f"f stays high ({number(f.min())}\u2013{number(f.max())})" if f.min() > 0.8 else
            f"f goes from {number(f.min())} to {number(f.max())}")
    opened = (f"i never closes ({number(i.min())}\u2013{number(i.max())})" if i.min() > 0.1 else
              f"i goes from {number(i.min())} to {number(i.max())}")
    if start is None:
        return f"Over steps 2\u2013{len(f) + 1}: {kept} and {opened}."
    pinned = f"below \u2212{PINNED}" if trace["cell"][-1] < 0 else f"above {PINNED}"
    way = "falling" if trace["c"][-1] < trace["c"][start - 1] else "rising"
    return (f"Over steps 2\u2013{len(f) + 1}: {kept} and {opened}; from step {start} on g stays {pinned}, "
            f"so c keeps {way}.")


class LSTMCellScene(Scene):
    """One unit of the trained LSTM reading a held-out sequence; see the module docstring."""

    params = (
        Param("step", LENGTH, 1, LENGTH, 1, integer=True, label="time step"),
        Param("bit", 1, options=(("+1", 1), ("\u22121", -1)), label="first bit"),
    )
    size = (10.0, 4.6)
    gif_name = "lstm"
    background_params = ("bit",)
    gif_one_palette = True

    # the cell diagram: axes rectangle in figure fractions, data height H (x from 0 to W)
    _CELL = (0.0, 0.30, 0.645, 0.515)
    H = 4.0

    def build(self) -> None:
        fig = self.fig
        self.data = story()
        fig.text(0.012, 0.958, f"One LSTM cell at work: unit {self.data.unit} of 16 (trained to remember the "
                 "first bit) reads a held-out sequence", fontsize=12, weight="bold", va="center")
        self.caption = self.moving(stamped(fig, 0.012, 0.9, "", fontsize=10, color=style.BLUE, va="center"))
        self.summary = fig.text(0.012, 0.852, "", fontsize=10, color=style.BLACK, va="center")
        self._build_cell()
        self._build_gates_panel()
        self._build_strip()

    # --- the cell ------------------------------------------------------------------------
    def _build_cell(self) -> None:
        fig, H = self.fig, self.H
        rect = self._CELL
        W = H * (rect[2] * fig.get_figwidth()) / (rect[3] * fig.get_figheight())
        ax = self.ax = fig.add_axes(rect, xlim=(0, W), ylim=(0, H))
        ax.set_axis_off()
        self.W = W
        belt_y, bus_y, valve_lo, valve_hi, out_y = 3.15, 0.45, 1.05, 2.15, 1.6
        self.geometry = dict(belt_y=belt_y, valve_lo=valve_lo, valve_hi=valve_hi)
        xf, xi, xg, xo, xh = 2.9, 4.55, 6.05, 7.75, 9.35
        xplus, ig_y = (xi + xg) / 2, 2.62
        belt = (0.35, W - 0.55)
        ax.add_patch(FancyBboxPatch((1.55, 0.66), xh + 0.6 - 1.55, 2.91, boxstyle="round,pad=0,rounding_size=0.3",
                                    fc="#FAFAFA", ec=style.GREY, lw=1.0, zorder=0))

        # the conveyor belt: a band with chevrons that move on at every step
        ax.add_patch(Rectangle((belt[0], belt_y - 0.19), belt[1] - belt[0], 0.38, fc=style.LIGHT,
                               ec=style.GREY, lw=1.0, zorder=1))
        ax.annotate("", xy=(W - 0.1, belt_y), xytext=(belt[1], belt_y),
                    arrowprops=dict(arrowstyle="-|>", color=style.GREY, lw=1.6, mutation_scale=14))
        self.chevrons = self.moving(ax.plot([], [], ">", ms=5, color=style.GREY, ls="none", zorder=2)[0])
        self._chevron_x = [(belt[0] + 0.05, xf - 0.3), (xf + 0.3, xplus - 0.3), (xplus + 0.3, belt[1] - 0.05)]
        ax.text((xf + xh) / 2, belt_y + 0.3, "cell state c: the conveyor belt", ha="center", va="bottom",
                fontsize=10)
        # c, h and x labels sit outside the cell's box, clear of its edge and wires
        self.c_in = self.moving(stamped(ax, belt[0], belt_y + 0.47, "", ha="left", va="bottom", fontsize=10))
        self.c_out = self.moving(stamped(ax, W - 0.1, belt_y + 0.47, "", ha="right", va="bottom", fontsize=10))

        def node(x, y, glyph):
            ax.add_patch(Circle((x, y), 0.21, fc="white", ec=style.BLACK, lw=1.3, zorder=4))
            ax.text(x, y, glyph, ha="center", va="center", fontsize=12, zorder=5)

        node(xf, belt_y, "\u00d7")
        node(xplus, belt_y, "+")
        node(xplus, ig_y, "\u00d7")
        node(xh, out_y, "\u00d7")

        # wires: gates up to the belt, the candidate, the output path, the inputs along the bottom
        wires = [[(xf, valve_hi), (xf, belt_y - 0.21)],
                 [(xi, valve_hi), (xi, ig_y), (xplus - 0.21, ig_y)],
                 [(xg, valve_hi), (xg, ig_y), (xplus + 0.21, ig_y)],
                 [(xplus, ig_y + 0.21), (xplus, belt_y - 0.21)],
                 [(xh, belt_y - 0.19), (xh, 2.68)], [(xh, 2.28), (xh, out_y + 0.21)],
                 [(xo + 0.25, out_y), (xh - 0.21, out_y)], [(xh + 0.21, out_y), (W - 0.5, out_y)],
                 [(0.35, bus_y), (xo, bus_y)], [(1.9, 0.0), (1.9, bus_y)]]
        wires += [[(x, bus_y), (x, valve_lo)] for x in (xf, xi, xg, xo)]
        ax.add_collection(LineCollection(wires, colors=style.GREY, linewidths=1.6, zorder=1))
        ax.annotate("", xy=(W - 0.1, out_y), xytext=(W - 0.55, out_y),
                    arrowprops=dict(arrowstyle="-|>", color=style.GREY, lw=1.6, mutation_scale=14))
        ax.add_patch(FancyBboxPatch((xh - 0.38, 2.3), 0.76, 0.36, boxstyle="round,pad=0.02", fc="white",
                                    ec=style.BLACK, lw=1.0, zorder=3))
        ax.text(xh, 2.48, "tanh", ha="center", va="center", fontsize=9, zorder=4)
        self.ig = self.moving(stamped(ax, xplus + 0.22, (ig_y + belt_y) / 2, "", ha="left", va="center",
                                      fontsize=9, zorder=6))

        # the valves (f, i, o) and the candidate's box (g)
        self.valves = {}
        mid = (valve_lo + valve_hi) / 2
        for name, x in (("forget", xf), ("input", xi), ("cell", xg), ("output", xo)):
            ax.add_patch(Rectangle((x - 0.25, valve_lo), 0.5, valve_hi - valve_lo, fc="white",
                                   ec=style.BLACK, lw=1.2, zorder=3))
            ax.text(x + 0.34, mid + 0.26, _LETTERS[name], ha="left", va="center", fontsize=12,
                    style="italic", weight="bold", color=GATE_COLOURS[name])
            value = self.moving(stamped(ax, x + 0.34, mid - 0.2, "", ha="left", va="center", fontsize=10))
            word = "candidate" if name == "cell" else name
            ax.text(x + 0.08, valve_lo - 0.07, word, ha="left", va="top", fontsize=9, color=style.GREY)
            if name == "cell":  # a bar up or down from the middle of its box
                ax.plot([x - 0.25, x + 0.25], [mid, mid], color=style.GREY, lw=0.8, zorder=5)
                fill = self.moving(ax.add_patch(Rectangle((x - 0.22, mid), 0.44, 0, ec="none", zorder=4)))
            else:  # filled from the bottom as far as the gate is open
                fill = self.moving(ax.add_patch(Rectangle((x - 0.22, valve_lo + 0.03), 0.44, 0,
                                                          fc=GATE_COLOURS[name], ec="none", zorder=4)))
            self.valves[name] = (fill, value)
        self.g_half = (valve_hi - valve_lo) / 2 - 0.03

        # what comes in and goes out
        self.x_in = self.moving(stamped(ax, 2.05, 0.22, "", ha="left", va="center", fontsize=10))
        self.h_in = self.moving(stamped(ax, 0.35, bus_y - 0.08, "", ha="left", va="top", fontsize=10))
        self.h_out = self.moving(stamped(ax, xh + 0.66, out_y - 0.1, "", ha="left", va="top", fontsize=10,
                                         linespacing=1.1))

    # --- the gates so far -----------------------------------------------------------------
    def _build_gates_panel(self) -> None:
        ax = self.ax_gates = self.fig.add_axes((0.69, 0.42, 0.265, 0.35))
        ax.set_xlim(0.5, LENGTH + 0.5)
        ax.set_ylim(-1.1, 1.1)
        ax.set_xticks([1, 10, 20])
        ax.set_yticks([-1, 0, 1])
        ax.axhline(0, color=style.GREY, lw=0.6, zorder=0)
        ax.axhline(1, color=style.GREY, lw=0.6, ls=":", zorder=0)
        ax.set_title("the gates so far", fontsize=10, loc="left", pad=3)
        self.gate_lines = {}
        for name in ("forget", "input", "output", "cell"):
            ls = "--" if name == "cell" else "-"
            line = self.moving(ax.plot([], [], ls, color=GATE_COLOURS[name], lw=1.8, marker="o", ms=2.5)[0])
            self.gate_lines[name] = line
        for k, name in enumerate(("forget", "input", "output", "cell")):
            ax.text(1.03, 0.92 - 0.26 * k, _LETTERS[name], transform=ax.transAxes, color=GATE_COLOURS[name],
                    fontsize=11, style="italic", weight="bold", va="center")

    # --- the strip: the input sequence and c so far --------------------------------------
    def _build_strip(self) -> None:
        fig, data = self.fig, self.data
        steps = np.arange(1, LENGTH + 1)
        ax = self.ax_x = fig.add_axes((0.055, 0.08, 0.40, 0.17))
        ax.set_xlim(0.4, LENGTH + 0.6)
        reach = max(np.abs(x[:, 0]).max() for x in data.x.values())
        ax.set_ylim(-reach * 1.1, reach * 1.1)
        ticks, labels = style.round_ticks(-reach, reach)
        ax.set_yticks(ticks, labels)
        ax.set_xticks([1, 5, 10, 15, 20])
        ax.axhline(0, color=style.GREY, lw=0.6, zorder=0)
        ax.set_xlabel("time step t", labelpad=1)
        ax.set_title("input x\u209c: the bit, then noise", fontsize=10, loc="left", pad=3)
        self.x_pale = ax.vlines(steps, 0, np.zeros(LENGTH), color="#D9D9D9", lw=7)
        self.x_seen = self.moving(ax.vlines([], 0, [], lw=7))

        ax = self.ax_c = fig.add_axes((0.555, 0.08, 0.43, 0.17))
        ax.set_xlim(0.4, LENGTH + 0.6)
        cs = np.concatenate([t["c"] for t in data.trace.values()])
        low, high = min(cs.min(), 0), max(cs.max(), 0)
        pad = 0.08 * (high - low)
        ax.set_ylim(low - pad, high + pad)
        ax.set_yticks(*style.round_ticks(low, high))
        ax.set_xticks([1, 5, 10, 15, 20])
        ax.axhline(0, color=style.GREY, lw=0.6, zorder=0)
        ax.set_xlabel("time step t", labelpad=1)
        ax.set_title("cell state c\u209c so far", fontsize=10, loc="left", pad=3)
        self.c_other = ax.plot([], [], color=style.GREY, lw=1.2, ls=":")[0]
        self.c_other_label = ax.text(1.0, 1.04, "", fontsize=9, color=style.GREY, ha="right", va="bottom",
                                     transform=ax.transAxes)
        self.c_line = self.moving(ax.plot([], [], color=style.BLACK, lw=1.8)[0])
        self.c_dot = self.moving(ax.plot([], [], "o", ms=6, mec=style.BLACK, mew=0.8)[0])

    # --- drawing ---------------------------------------------------------------------------
    def draw_background(self) -> None:
        """What depends on the bit only: the whole input sequence (pale), the other bit's
        c, and the summary line."""
        bit = self.values["bit"]
        x, trace = self.data.x[bit], self.data.trace[bit]
        segments = [[(t, 0), (t, v)] for t, v in zip(range(1, LENGTH + 1), x[:, 0])]
        self.x_pale.set_segments(segments)
        other = self.data.trace[-bit]["c"]
        self.c_other.set_data(np.arange(1, LENGTH + 1), other)
        self.c_other_label.set_text(f"dotted: the sequence whose bit is {with_sign(-bit, 0)}")
        self.summary.set_text(summary(trace))
        self._stamp_every_step(bit)

    def _texts(self, bit: int, step: int) -> dict:
        """The moving texts and what they say at ``bit`` and ``step``."""
        k = step - 1
        x, trace = self.data.x[bit], self.data.trace[bit]
        c_before = trace["c"][k - 1] if k else 0.0
        h_before = trace["h"][k - 1] if k else 0.0
        what = f"bit {with_sign(x[0, 0], 0)}" if step == 1 else f"noise {with_sign(x[k, 0])}"
        texts = {self.caption: caption(trace, x, step),
                 self.ig: f"i\u00b7g = {number(trace['input'][k] * trace['cell'][k])}",
                 self.c_in: f"c{style.subscript(step - 1)} = {number(c_before)}",
                 self.c_out: f"c{style.subscript(step)} = {number(trace['c'][k])}",
                 self.h_in: f"h{style.subscript(step - 1)} = {number(h_before)}",
                 self.h_out: f"h{style.subscript(step)} =\n{number(trace['h'][k])}",
                 self.x_in: f"x{style.subscript(step)}: {what}, marker {int(x[k, 1])}"}
        texts.update({value: number(trace[name][k]) for name, (_, value) in self.valves.items()})
        return texts

    def _stamp_every_step(self, bit: int) -> None:
        """Make the stamps of every step's texts now, so that stepping through is quick."""
        renderer = self.fig.canvas.get_renderer()
        for step in range(1, LENGTH + 1):
            for artist, text in self._texts(bit, step).items():
                artist.set_text(text)
                artist.stamp(renderer)

    def draw(self) -> None:
        bit, step = self.values["bit"], self.values["step"]
        k = step - 1
        x, trace = self.data.x[bit], self.data.trace[bit]
        lo, hi = self.geometry["valve_lo"], self.geometry["valve_hi"]
        for name, (fill, _) in self.valves.items():
            v = trace[name][k]
            if name == "cell":
                fill.set_height(v * self.g_half)
                fill.set_facecolor(style.sign_color(v))
            else:
                fill.set_height(max(0.0, v * (hi - lo - 0.06)))
        for artist, text in self._texts(bit, step).items():
            artist.set_text(text)
        offset = (step % 3) / 3 * 0.45
        chev = np.concatenate([np.arange(a + offset, b, 0.45) for a, b in self._chevron_x])
        self.chevrons.set_data(chev, np.full(len(chev), self.geometry["belt_y"]))

        steps = np.arange(1, step + 1)
        for name, line in self.gate_lines.items():
            line.set_data(steps, trace[name][:step])
        self.x_seen.set_segments([[(t, 0), (t, v)] for t, v in zip(steps, x[:step, 0])])
        self.x_seen.set_colors([style.sign_color(x[0, 0])] + [style.BLACK] * (step - 1))
        self.c_line.set_data(steps, trace["c"][:step])
        self.c_dot.set_data([step], [trace["c"][k]])
        self.c_dot.set_color(style.sign_color(trace["c"][k]))

    def storyboard(self):
        """The 20 steps of the sequence whose bit is +1, then of the one whose bit is -1."""
        for bit in BITS:
            for step in range(1, LENGTH + 1):
                pause = 2600 if step == 1 else (3000 if step == LENGTH else 850)
                yield dict(bit=bit, step=step), pause
