"""A recurrent network, rolled up and unrolled through time, reading a short sine wave.

The picture tells one story in ``step`` (0 to :data:`LAST`):

1. **Rolled up** (steps 0-1): one cell, its input ``xₜ`` from below and a loop that feeds
   its own state back in: ``hₜ`` comes back at the next step as ``hₜ₋₁`` (step 1
   lights the loop up in orange).
2. **Unrolling** (steps 2-7): copies of the cell slide out of it, one per time step,
   until ``T`` copies stand side by side; the loop becomes the arrows from copy to copy.
   Every copy is drawn in the same green, with the label "same Wᵢₕ, Wₕₕ, bᵢₕ, bₕₕ in
   every copy": it is one cell, used ``T`` times.
3. **Reading** (two steps per time step ``t = 1 .. T``): copy ``t`` is framed in orange;
   first ``xₜ`` comes up from the sequence below and ``hₜ₋₁`` comes along the arrow
   from copy ``t − 1`` (from ``h₀ = 0`` at ``t = 1``), then the new state ``hₜ``
   appears as bars in the copy (blue positive, vermillion negative; a bar of 1 would
   almost reach the copy's edge: tanh keeps every unit between −1 and 1). The last
   step, ``8 + 2T``, sums it up.

Under the picture, one line says what happens at this step, with the numbers.

The math, computed by the engine's own ``nn.RNN(1, 3)`` (weights from seed
:data:`RNN_SEED`, not trained), for ``t = 1 .. T`` from ``h₀ = 0``::

    h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)

with ``x_t`` a number (input_size 1), ``h_t`` 3 numbers (hidden_size 3), ``W_ih`` of
shape (3, 1), ``W_hh`` (3, 3), ``b_ih`` and ``b_hh`` (3,). The sequence is the first
``T`` values of one stretch of :func:`course_utils.sequences.sine_windows` (seed
:data:`DATA_SEED`, a period of 6 to 8 steps).

Parameters: ``step``, the moment of the story (the widget's Play runs through it; a step
past the end of a short sequence shows its end), and ``length``, the number of time
steps ``T`` (3 to 6) the cell is unrolled over. ``length`` and the part of the story
(rolled up, unrolling, unrolled) change the background; within a part only the
highlights, bars, travelling dots and the caption are drawn anew.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from .. import nn, style
from ..cells import number
from ..scene import Param, Scene
from ..stamps import stamped
from ..sequences import sine_windows

MIN_LENGTH, MAX_LENGTH, DEFAULT_LENGTH = 3, 6, 5
HIDDEN = 3
RNN_SEED, DATA_SEED, PERIODS = 3, 0, (6.0, 8.0)

ROLLED_STEPS = 2  # step 0: the cell; step 1: its loop lit up
SLIDE_STEPS = 5  # frames of the copies sliding out
UNROLLED = ROLLED_STEPS + SLIDE_STEPS  # the step at which the copies stand still (7)
FIRST_READ = UNROLLED + 1  # then two steps per time step, and one to end with


def last_step(length: int) -> int:
    """The last step of the story of ``length`` time steps: ``8 + 2 T``."""
    return FIRST_READ + 2 * length


LAST = last_step(MAX_LENGTH)

# Geometry, in data units (1 unit = 0.684 inch; the axes has equal aspect).
H = 4.0
BOX_W, BOX_H, BOX_Y = 1.2, 1.3, 1.65  # a cell: its width, height and bottom
YC = BOX_Y + BOX_H / 2  # the height of the arrows from cell to cell
ROLLED_X = 1.25  # the rolled-up cell's centre
FIRST_X, GAP = 4.4, 1.75  # centre of copy 1, distance between copies
H0_X = FIRST_X - BOX_W / 2 - 0.9  # where h₀ = 0 comes from
X_BASE, X_AMP, X_TOP = 0.6, 0.4, 1.1  # the sequence: zero line, size of 1, start of the arrows
BAR_W, BAR_SCALE = 0.22, 0.6  # bars of h: width, height of 1 (the box's half height is 0.65)
BAR_OFFSETS = (-0.3, 0.0, 0.3)

CELL_FILL, CELL_EDGE = "#E3F4EE", style.GREEN  # one colour for one set of weights
W_IH, W_HH, B_IH, B_HH = "W\u1d62\u2095", "W\u2095\u2095", "b\u1d62\u2095", "b\u2095\u2095"
X_T, H_T, H_PREV = "x\u209c", "h\u209c", "h\u209c\u208b\u2081"


def sequence() -> np.ndarray:
    """The input sequence x₁ .. x₆: one stretch of ``sine_windows``, shape (MAX_LENGTH,)."""
    x, _ = sine_windows(1, MAX_LENGTH, rng=DATA_SEED, periods=PERIODS)
    return x[0, :, 0]


def layer() -> nn.RNN:
    """The recurrent layer the picture shows: ``nn.RNN(1, 3)``, weights from ``RNN_SEED``."""
    return nn.RNN(1, HIDDEN, rng=RNN_SEED)


def hidden_states(rnn: nn.RNN, x: np.ndarray) -> np.ndarray:
    """h₁ .. h_L of ``rnn`` reading ``x`` (L,) from h₀ = 0, by the engine: shape (L, 3)."""
    output, _ = rnn(np.asarray(x, dtype=float)[:, None])  # unbatched: (L, 1) -> (L, 3)
    return output


def moment(step: int, length: int) -> tuple[str, int, float]:
    """What ``step`` shows for a sequence of ``length``: ``(kind, t, s)``.

    ``kind`` is "rolled", "loop", "slide" (``s``, 0 to 1, is how far the copies have slid),
    "unrolled", "read" (copy ``t`` takes in ``x_t`` and ``h_{t-1}``), "written" (``h_t``
    appears) or "done"; ``t`` is the time step (0 before reading, ``length`` at the end).
    """
    step = min(step, last_step(length))
    if step < ROLLED_STEPS:
        return ("rolled", "loop")[step], 0, 0.0
    if step < UNROLLED:
        k = step - ROLLED_STEPS + 1
        return "slide", 0, float(0.5 - 0.5 * np.cos(np.pi * k / (SLIDE_STEPS + 1)))
    if step == UNROLLED:
        return "unrolled", 0, 1.0
    if step == last_step(length):
        return "done", length, 1.0
    t, written = divmod(step - FIRST_READ, 2)
    return ("written" if written else "read"), t + 1, 1.0


def stage(kind: str) -> str:
    """The part of the story a kind of moment belongs to (each has its own background)."""
    return {"rolled": "rolled", "loop": "rolled", "slide": "slide"}.get(kind, "unrolled")


def _box(x: float) -> FancyBboxPatch:
    """A cell centred at ``x``, in the colour of the shared weights."""
    return FancyBboxPatch((x - BOX_W / 2, BOX_Y), BOX_W, BOX_H, boxstyle="round,pad=0,rounding_size=0.14",
                          fc=CELL_FILL, ec=CELL_EDGE, lw=2.2, zorder=2)


def _arrow(p, q, colour=style.GREY, lw=1.5, zorder=3, path=None) -> FancyArrowPatch:
    kw = dict(path=path) if path is not None else dict(posA=p, posB=q)
    return FancyArrowPatch(**kw, arrowstyle="-|>", mutation_scale=13, shrinkA=0, shrinkB=0, color=colour,
                           lw=lw, zorder=zorder, joinstyle="round", capstyle="round")


def loop_path() -> Path:
    """The rolled-up cell's loop: out on the right, over the top, back in on the left."""
    right, left, top, r = ROLLED_X + BOX_W / 2 + 0.32, ROLLED_X - BOX_W / 2 - 0.32, BOX_Y + BOX_H + 0.42, 0.2
    points = [(ROLLED_X + BOX_W / 2, YC), (right - r, YC), (right, YC), (right, YC + r),  # out, corner
              (right, top - r), (right, top), (right - r, top),  # up, corner
              (left + r, top), (left, top), (left, top - r),  # over the top, corner
              (left, YC + r), (left, YC), (left + r, YC), (ROLLED_X - BOX_W / 2, YC)]  # down, corner, in
    codes = [Path.MOVETO, Path.LINETO, Path.CURVE3, Path.CURVE3, Path.LINETO, Path.CURVE3, Path.CURVE3,
             Path.LINETO, Path.CURVE3, Path.CURVE3, Path.LINETO, Path.CURVE3, Path.CURVE3, Path.LINETO]
    return Path(points, codes)


def bar_rectangles(centre: float, h: np.ndarray) -> list[np.ndarray]:
    """The bars of one state ``h`` (3,) in the copy centred at ``centre``: rectangles from
    the copy's middle line up (positive) or down (negative), ``BAR_SCALE`` per unit."""
    bars = []
    for offset, value in zip(BAR_OFFSETS, h):
        x0, x1, top = centre + offset - BAR_W / 2, centre + offset + BAR_W / 2, YC + BAR_SCALE * value
        bars.append(np.array([(x0, YC), (x1, YC), (x1, top), (x0, top)]))
    return bars


def state_text(h: np.ndarray) -> str:
    """A state as the caption writes it, to 2 decimals: ``(0.50, −0.08, 0.21)``."""
    return "(" + ", ".join(number(v) for v in h) + ")"


FORMULA = f"{H_T} = tanh({W_IH} {X_T} + {B_IH} + {W_HH} {H_PREV} + {B_HH})"


def caption(kind: str, t: int, length: int, x: np.ndarray, h: np.ndarray) -> str:
    """The line under the picture: what happens at this moment, with the numbers (short:
    a frame's text costs about 0.1 ms a character; :data:`FORMULA` stands beside it)."""
    T = style.subscript(length)
    if kind == "rolled":
        return f"One cell reads an input {X_T} and its own last state {H_PREV} at every step."
    if kind == "loop":
        return f"The loop: the state {H_T} the cell writes comes back in at the next step."
    if kind == "slide":
        return f"Unrolled in time: one copy of the cell for each of the T = {length} steps ..."
    if kind == "unrolled":
        return f"... {length} copies of one cell; the loop became the arrows between them."
    if kind == "done":
        return f"After {length} steps, h{T} depends on all of x{style.subscript(1)} ... x{T}, through one set of weights."
    s, p = style.subscript(t), style.subscript(t - 1)
    if kind == "read":
        came = "the start state h\u2080 = 0" if t == 1 else f"h{p} from step {t - 1}"
        return f"Step {t}: the cell reads x{s} = {number(x[t - 1])} from below, and {came}."
    passes = ", and passes it on." if t < length else ": the last state."
    return f"Step {t}: it writes h{s} = {state_text(h[t - 1])}, the bars{passes}"


class RNNUnrolledScene(Scene):
    """An ``nn.RNN(1, 3)`` rolled up, unrolled into ``length`` copies, then reading a sine wave."""

    params = (
        Param("step", last_step(DEFAULT_LENGTH), 0, LAST, 1, integer=True, label="time step"),
        Param("length", DEFAULT_LENGTH, MIN_LENGTH, MAX_LENGTH, 1, integer=True, label="length T"),
    )
    size = (10.0, 3.6)
    gif_name = "rnn_unrolled"
    gif_one_palette = True  # text edges on green cells and orange frames: many colours
    background_params = ("length",)
    backgrounds_kept = 3 * (MAX_LENGTH - MIN_LENGTH + 1)  # every (length, stage)
    _RECT = (0.0, 0.12, 1.0, 0.76)

    def build(self) -> None:
        fig = self.fig
        self.rnn = layer()
        self.x = sequence()
        self.h = hidden_states(self.rnn, self.x)
        width = H * (self._RECT[2] * fig.get_figwidth()) / (self._RECT[3] * fig.get_figheight())
        ax = self.ax = fig.add_axes(self._RECT, xlim=(0, width), ylim=(0, H))
        ax.set_axis_off()
        self.centres = FIRST_X + GAP * np.arange(MAX_LENGTH)
        self.title = fig.text(0.012, 0.935, "", fontsize=12, fontweight="bold", va="center")
        self.legend = fig.text(0.988, 0.935, "", fontsize=11, color=CELL_EDGE, ha="right", va="center")

        # --- always there: the rolled-up cell, and the sequence to read -------------------
        ax.add_patch(_box(ROLLED_X))
        ax.text(ROLLED_X, YC, "h", fontsize=15, ha="center", va="center", zorder=4)
        ax.add_patch(_arrow((ROLLED_X, X_TOP), (ROLLED_X, BOX_Y)))
        ax.text(ROLLED_X, X_TOP - 0.22, X_T, fontsize=11, ha="center", va="center")
        ax.add_patch(_arrow(None, None, path=loop_path()))
        ax.text(ROLLED_X, BOX_Y + BOX_H + 0.68, H_PREV, fontsize=11, ha="center", va="center")
        self.baseline = ax.plot([], [], color=style.GREY, lw=0.8, zorder=1)[0]
        self.stems = ax.add_collection(LineCollection([], colors=style.GREY, linewidths=1.2, zorder=1))
        self.unread = ax.plot([], [], "o", ms=7, mfc="white", mec=style.GREY, mew=1.5, zorder=2)[0]
        self.x_values = [ax.text(c + 0.16, 0, "", fontsize=9, ha="left", va="center", color=style.BLACK)
                         for c in self.centres]
        ax.text(FIRST_X - 0.65, X_BASE, "input sequence", fontsize=9, ha="right", va="center", color=style.GREY)

        # --- unrolled: copies at rest, arrows, labels ------------------------------------
        self.unrolled = []  # (artist, copy index or -1 for all) shown when unrolled
        self.unrolled.append((ax.text(2.52, YC, "=", fontsize=18, ha="center", va="center"), -1))
        self.unrolled.append((ax.add_patch(_arrow((H0_X, YC), (FIRST_X - BOX_W / 2, YC))), -1))
        self.unrolled.append((ax.text((H0_X + FIRST_X - BOX_W / 2) / 2, YC + 0.34, "h\u2080 = 0", fontsize=9,
                                      ha="center", va="center"), -1))
        for k, c in enumerate(self.centres):
            self.unrolled.append((ax.add_patch(_box(c)), k))
            self.unrolled.append((ax.plot([c - 0.46, c + 0.46], [YC, YC], color=style.GREY, lw=0.8,
                                          zorder=3)[0], k))
            self.unrolled.append((ax.add_patch(_arrow((c, X_TOP), (c, BOX_Y))), k))
            self.unrolled.append((ax.text(c, BOX_Y + BOX_H + 0.25, f"h{style.subscript(k + 1)}", fontsize=10,
                                          ha="center", va="center"), k))
            if k:
                self.unrolled.append((ax.add_patch(_arrow((c - GAP + BOX_W / 2, YC), (c - BOX_W / 2, YC))), k))

        # --- what moves ------------------------------------------------------------------
        mv = self.moving
        self.loop_lit = mv(ax.add_patch(_arrow(None, None, path=loop_path(), colour=style.ORANGE, lw=2.8,
                                               zorder=5)))
        self.links = mv(ax.add_collection(LineCollection([], colors=style.GREY, linewidths=1.5, zorder=1.5)))
        self.sliders = [mv(ax.add_patch(_box(ROLLED_X))) for _ in range(MAX_LENGTH)]
        self.frame = mv(ax.add_patch(FancyBboxPatch((0, BOX_Y), BOX_W, BOX_H, boxstyle="round,pad=0.06,"
                                                    "rounding_size=0.18", fc="none", ec=style.ORANGE, lw=3.2,
                                                    zorder=4)))
        self.x_in = mv(ax.add_patch(_arrow((0, X_TOP), (0, BOX_Y), colour=style.ORANGE, lw=2.6, zorder=5)))
        self.h_in = mv(ax.add_patch(_arrow((0, YC), (1, YC), colour=style.ORANGE, lw=2.6, zorder=5)))
        self.dots = mv(ax.plot([], [], "o", ms=8, color=style.ORANGE, mec=style.BLACK, mew=0.8, zorder=6)[0])
        self.bars = mv(ax.add_collection(PolyCollection([], edgecolors="none", zorder=4)))
        self.read = mv(ax.plot([], [], "o", ms=7, color=style.BLACK, zorder=3)[0])
        self.reading = mv(ax.plot([], [], "o", ms=10, color=style.ORANGE, mec=style.BLACK, mew=0.8,
                                  zorder=4)[0])
        self.caption = mv(stamped(fig, 0.012, 0.05, "", fontsize=10.5, va="center"))
        fig.text(0.988, 0.05, FORMULA, fontsize=10.5, ha="right", va="center")

    # --- the parts of the story ------------------------------------------------------------
    def step_max(self) -> int:
        return last_step(self.values["length"])

    def linked(self, changes: dict) -> dict:
        """A shorter sequence keeps ``step`` inside its story."""
        if "length" in changes:
            return {"step": min(self.values["step"], self.step_max())}
        return {}

    def moment(self) -> tuple[str, int, float]:
        """``(kind, t, s)`` of the current step; see :func:`moment`."""
        return moment(self.values["step"], self.values["length"])

    def background_key(self) -> tuple:
        return self.values["length"], stage(self.moment()[0])

    def dot_y(self, k: int) -> float:
        """Height of x_k's dot in the sequence below copy ``k`` (0-based)."""
        return X_BASE + X_AMP * self.x[k]

    def draw_background(self) -> None:
        length, part = self.background_key()
        self.title.set_text(f"An RNN cell, rolled up (left) and unrolled over T = {length} time steps")
        self.legend.set_text(f"\u25a0 the cell's weights: {W_IH}, {W_HH}, {B_IH}, {B_HH}" if part == "rolled"
                             else f"\u25a0 same {W_IH}, {W_HH}, {B_IH}, {B_HH} in every copy")
        c = self.centres[:length]
        ys = [self.dot_y(k) for k in range(length)]
        self.baseline.set_data([c[0] - 0.5, c[-1] + 0.5], [X_BASE, X_BASE])
        self.stems.set_segments([[(x, X_BASE), (x, y)] for x, y in zip(c, ys)])
        self.unread.set_data(c, ys)
        for k, label in enumerate(self.x_values):
            label.set_visible(k < length)
            if k < length:
                label.set_text(f"x{style.subscript(k + 1)} = {number(self.x[k])}")
                label.set_y(ys[k])
        for artist, k in self.unrolled:
            artist.set_visible(part == "unrolled" and k < length)

    def draw(self) -> None:
        length = self.values["length"]
        kind, t, s = self.moment()
        c = self.centres
        self.loop_lit.set_visible(kind == "loop")
        # the copies sliding out of the rolled-up cell, and the links that stretch between them
        sliding = kind == "slide"
        at = ROLLED_X + s * (c[:length] - ROLLED_X)
        for k, box in enumerate(self.sliders):
            box.set_visible(sliding and k < length)
            if k < length:
                box.set_x(at[k] - BOX_W / 2)
        self.links.set_segments([[(a + BOX_W / 2, YC), (b - BOX_W / 2, YC)] for a, b in zip(at, at[1:])
                                 if b - a > BOX_W + 0.05] if sliding else [])
        # the copy at work: framed; what comes in (orange, with dots on the way) or what it wrote
        working = kind in ("read", "written")
        for artist in (self.frame, self.reading):
            artist.set_visible(working)
        self.x_in.set_visible(kind == "read")
        self.h_in.set_visible(kind == "read" or (kind == "written" and t < length))
        if working:
            here = c[t - 1]
            start = H0_X if t == 1 else c[t - 2] + BOX_W / 2
            self.frame.set_x(here - BOX_W / 2)
            self.x_in.set_positions((here, X_TOP), (here, BOX_Y))
            if kind == "read":  # h_{t-1} comes in from the left
                self.h_in.set_positions((start, YC), (here - BOX_W / 2, YC))
            else:  # h_t goes out to the next copy
                self.h_in.set_positions((here + BOX_W / 2, YC), (here + GAP - BOX_W / 2, YC))
            self.reading.set_data([here], [self.dot_y(t - 1)])
        if kind == "read":
            self.dots.set_data([here, (start + here - BOX_W / 2) / 2], [(X_TOP + BOX_Y) / 2, YC])
        else:
            self.dots.set_data([], [])
        # the states written so far, and the inputs read so far
        written = t if kind in ("written", "done") else t - 1 if kind == "read" else 0
        rectangles, colours = [], []
        for k in range(written):
            rectangles += bar_rectangles(c[k], self.h[k])
            colours += [style.sign_color(v) for v in self.h[k]]
        self.bars.set_verts(rectangles)
        self.bars.set_facecolor(colours)
        done_reading = t - 1 if working else t
        self.read.set_data(c[:done_reading], [self.dot_y(k) for k in range(done_reading)])
        self.caption.set_text(caption(kind, t, length, self.x, self.h))

    def storyboard(self):
        """The whole story for T = 5: rolled up, unrolled, read step by step; the end stays up."""
        length = DEFAULT_LENGTH
        hold = {"rolled": 2200, "loop": 2000, "slide": 160, "unrolled": 2400, "read": 900,
                "written": 1400, "done": 3000}
        for step in range(last_step(length) + 1):
            yield dict(length=length, step=step), hold[moment(step, length)[0]]

    def picture(self, step: int | None = None, length: int = DEFAULT_LENGTH):
        """The picture at ``step`` (the end by default) and ``length``, as an image a notebook shows."""
        from IPython.display import Image

        return Image(self.set(length=length, step=last_step(length) if step is None else step).to_png())
