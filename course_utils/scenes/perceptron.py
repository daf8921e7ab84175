"""The perceptron learning rule: a step neuron that learns a logic gate from its four examples.

The neuron says ``ŷ = step(w·x + b)`` (1 if ``w·x + b > 0``, else 0). Rosenblatt's
perceptron (1958) learns ``w`` and ``b`` from examples ``(x, y)``, ``y`` in {0, 1}, one at
a time; in today's notation its rule is::

    w <- w + η (y - ŷ) x
    b <- b + η (y - ŷ)

A right answer (``y = ŷ``) changes nothing. A wrong one moves the line ``w·x + b = 0``
towards the point and past it: ``w·x + b`` grows by ``η (|x|² + 1)`` when the point should
have been 1, and shrinks by as much when it should have been 0.

Left: the four inputs of the gate, coloured by the answer they should get (blue 1,
vermillion 0), the line ``w·x + b = 0`` with the side the neuron calls 1 shaded, the weight
vector ``w`` drawn from the line (it is perpendicular to it and points to the side called
1), the line before the update dashed, and the example the update looked at ringed.
Right: ``w₁``, ``w₂`` and ``b`` after every update. Under them, the update in numbers.

Parameters: ``gate`` (AND, OR, XOR), ``lr`` (η) and ``step`` (the update number: the
examples are visited in a fixed order, (0, 0), (0, 1), (1, 0), (1, 1), once per epoch).
AND and OR are learnt: a line separates their classes, so the perceptron convergence
theorem (Novikoff, 1962) says the mistakes stop. XOR never is: no line separates its
classes, so every epoch makes a mistake, and here the weights go round a cycle.

The start ``W0``, ``B0`` is the same for every setting. At the start none of ``w₁``, ``w₂``
and the four sums ``w·x + b`` is a multiple of 0.25, and an update changes each of them by
a whole multiple of η, itself a multiple of 0.25; so none of them is ever 0 (the sums stay
at least 0.05 from 0): floating-point rounding cannot decide a prediction, and ``w`` never
vanishes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.patches import FancyArrowPatch, Polygon

from .. import style
from ..nn import functional as F
from ..scene import Param, Scene
from ..stamps import stamped

#: The four inputs of a two-input logic gate, in the order the perceptron visits them.
INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
#: The answers each gate gives on :data:`INPUTS`.
GATES = {"AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "XOR": (0, 1, 1, 0)}
RATES = (0.25, 0.5, 1.0)
W0, B0 = (-0.4, 0.6), -0.15  # where every run starts (see the module's docstring)
EPOCHS = 8
STEPS = EPOCHS * len(INPUTS)
VIEW = (-0.5, 1.5)  # the plane shown, in both directions
ARROW = 0.4  # the length the weight vector is drawn with (only its direction is to scale)


@dataclass(frozen=True)
class PerceptronRun:
    """Every state of a perceptron's training, for ``n`` updates.

    ``weights`` (n + 1, d) and ``biases`` (n + 1,): the state before the first update and
    after each one. ``examples`` (n,): the index of the example update ``k + 1`` looked at;
    ``sums`` (n,): its ``w·x + b`` before the update; ``predictions`` (n,): its ``ŷ``;
    ``errors`` (n,): ``y - ŷ`` (0 when right, +1 or -1 when wrong).
    """

    weights: np.ndarray
    biases: np.ndarray
    examples: np.ndarray
    sums: np.ndarray
    predictions: np.ndarray
    errors: np.ndarray

    @property
    def corrections(self) -> int:
        """How many updates changed the weights (the mistakes)."""
        return int(np.count_nonzero(self.errors))


def perceptron_updates(x, y, lr: float, epochs: int, w0, b0: float) -> PerceptronRun:
    """Rosenblatt's rule on the examples ``x`` (n, d) with answers ``y`` (n,) in {0, 1},
    visited in order, ``epochs`` times, from ``w0`` (d,) and ``b0``. For each example::

        ŷ = step(w·x + b)            (1 if w·x + b > 0, else 0)
        w <- w + lr (y - ŷ) x
        b <- b + lr (y - ŷ)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    w, b = np.array(w0, dtype=float), float(b0)
    weights, biases, examples, sums, predictions, errors = [w.copy()], [b], [], [], [], []
    for _ in range(epochs):
        for i in range(len(x)):
            z = float(w @ x[i] + b)
            y_hat = float(F.step(z))
            error = y[i] - y_hat
            w = w + lr * error * x[i]
            b = b + lr * error
            weights.append(w.copy())
            biases.append(b)
            examples.append(i)
            sums.append(z)
            predictions.append(y_hat)
            errors.append(error)
    return PerceptronRun(np.array(weights), np.array(biases), np.array(examples, dtype=int),
                         np.array(sums), np.array(predictions), np.array(errors))


@functools.lru_cache(maxsize=None)
def gate_run(gate: str, lr: float, epochs: int = EPOCHS) -> PerceptronRun:
    """The perceptron learning ``gate`` on its four inputs from the course's start
    (:data:`W0`, :data:`B0`). Cached: the arrays are read only."""
    run = perceptron_updates(INPUTS, GATES[gate], lr, epochs, W0, B0)
    for array in vars(run).values():
        array.flags.writeable = False
    return run


def learnt_at(run: PerceptronRun, n_examples: int = len(INPUTS)) -> int | None:
    """The update after which the run makes no more mistakes: its last correction, when a
    whole epoch without a mistake follows it (so every example is then right, and nothing
    can change again); None if the run never gets there."""
    wrong = np.flatnonzero(run.errors)
    last = int(wrong[-1]) + 1 if len(wrong) else 0
    return last if len(run.errors) - last >= n_examples else None


def cycle(run: PerceptronRun, n_examples: int = len(INPUTS)) -> tuple[int, int] | None:
    """``(start, period)`` when the weights go round a cycle that keeps making mistakes:
    the state after update ``start`` (a multiple of ``n_examples``, the start of an epoch)
    comes back after ``period`` updates, and the epochs in between made a mistake. The
    order of the examples is fixed, so from then on the run repeats itself for ever.
    None if no state comes back within the run, or only a state that makes no mistakes."""
    starts = {}
    for k in range(0, len(run.errors) + 1, n_examples):
        state = tuple(np.round(np.append(run.weights[k], run.biases[k]), 9))
        if state in starts:
            first = starts[state]
            return (first, k - first) if np.any(run.errors[first:k]) else None
        starts[state] = k
    return None


def half_plane(w, b: float, low: float = VIEW[0], high: float = VIEW[1]) -> tuple[np.ndarray, np.ndarray]:
    """The square [low, high]² cut by the line w·x + b = 0: the corners of the part where
    ``w·x + b > 0`` (a convex polygon, shape (m, 2), empty when there is none) and the
    points where the line crosses the square's edges (shape (2, 2), or (0, 2) when it
    misses the square)."""
    square = [(low, low), (high, low), (high, high), (low, high)]
    side = [w[0] * px + w[1] * py + b for px, py in square]
    corners, crossings = [], []
    for k in range(4):
        p, q, sp, sq = square[k], square[(k + 1) % 4], side[k], side[(k + 1) % 4]
        if sp > 0:
            corners.append(p)
        if (sp > 0) != (sq > 0):  # the line crosses this edge
            t = sp / (sp - sq)
            crossings.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
            corners.append(crossings[-1])
    return np.array(corners).reshape(-1, 2), np.array(crossings).reshape(-1, 2)


def _line_ends(w, b: float) -> tuple[list[float], list[float]]:
    """Two points of the line w·x + b = 0, far enough apart to cross the whole view."""
    norm2 = float(w @ w)
    foot = -b * np.asarray(w) / norm2
    along = np.array([-w[1], w[0]]) / np.sqrt(norm2) * 10.0
    return [foot[0] - along[0], foot[0] + along[0]], [foot[1] - along[1], foot[1] + along[1]]


def _arrow(crossings: np.ndarray, unit: np.ndarray) -> tuple[np.ndarray, float]:
    """Where on the line's part in view the weight vector starts, and how long it is drawn:
    from the point nearest the middle of that part from which the arrow (``ARROW`` long)
    and its label stay in view; when there is none, from the point with the most room, as
    long as the room allows."""
    (p, q), margin, room = crossings, 0.06, []
    for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9):
        foot = p + t * (q - p)
        # how far one can go from foot along unit before leaving the view (less a margin)
        with np.errstate(divide="ignore"):
            limits = np.where(unit > 0, (VIEW[1] - margin - foot) / unit,
                              np.where(unit < 0, (VIEW[0] + margin - foot) / unit, np.inf))
        free = float(limits.min())
        if free >= ARROW + 0.1:
            return foot, ARROW
        room.append((free, foot))
    free, foot = max(room, key=lambda r: r[0])
    return foot, max(free - 0.1, 0.1)


def _num(v: float) -> str:
    """Two decimals, a real minus sign, negatives in brackets (for products)."""
    text = f"{v:.2f}".replace("-", "\u2212")
    return f"({text})" if text.startswith("\u2212") else text


def _plain(v: float) -> str:
    return f"{v:.2f}".replace("-", "\u2212")


def _pair(v) -> str:
    return f"({_plain(v[0])}, {_plain(v[1])})"


def _bit(v: float) -> str:
    return str(int(v))


LIGHT_BLUE = "#D3E6F4"
W_COLOUR, B_COLOUR = style.GREEN, style.GREY


class PerceptronScene(Scene):
    """The perceptron learning AND, OR or XOR, one update at a time."""

    params = (
        Param("gate", "AND", options=tuple(GATES), label="gate"),
        Param("lr", 0.5, options=RATES, label="learning rate \u03b7"),
        Param("step", 0, 0, STEPS, 1, integer=True, label="update"),
    )
    size = (9.0, 5.0)
    gif_name = "perceptron"
    gif_one_palette = True  # light shading and bands: keep the still parts exact from frame to frame
    control_rows = (("gate", "lr"),)
    background_params = ("gate", "lr")
    backgrounds_kept = len(GATES) * len(RATES)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        self.status = moving(stamped(fig, 0.015, 0.965, "", fontsize=11, fontweight="bold", va="top"))

        ax = self.ax = fig.add_axes([0.055, 0.31, 0.33, 0.57])
        ax.set_xlim(*VIEW)
        ax.set_ylim(*VIEW)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.set_xlabel("x\u2081", labelpad=0)
        ax.set_ylabel("x\u2082", labelpad=-2)
        self.shade = moving(ax.add_patch(Polygon(np.zeros((0, 2)), closed=True, fc=LIGHT_BLUE, ec="none",
                                                 zorder=0)))
        self.before = moving(ax.plot([], [], "--", color=style.GREY, lw=1.5, zorder=1)[0])
        self.line = moving(ax.plot([], [], color=style.BLACK, lw=2, zorder=2)[0])
        self.arrow = moving(ax.add_patch(FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=16,
                                                         shrinkA=0, shrinkB=0, color=W_COLOUR, lw=2.5,
                                                         zorder=3)))
        self.arrow_label = moving(stamped(ax, 0, 0, "w", color=W_COLOUR, fontsize=12, fontweight="bold",
                                          ha="center", va="center", zorder=3))
        self.ring = moving(ax.plot([], [], "o", ms=27, mfc="none", mec=style.ORANGE, mew=3, zorder=4)[0])
        # drawn over the moving shade and lines, so moving too (see Scene.moving)
        self.points = moving(ax.scatter(INPUTS[:, 0], INPUTS[:, 1], s=330, edgecolors=style.BLACK, zorder=5))
        self.point_labels = [moving(stamped(ax, px, py, "", color="white", fontsize=11, fontweight="bold",
                                            ha="center", va="center", zorder=6)) for px, py in INPUTS]
        self.verdict = moving(stamped(fig, 0.215, 0.895, "", fontsize=10.5, ha="center", va="bottom"))
        self.off_view = moving(stamped(ax, 0.5, 0.5, "", transform=ax.transAxes, fontsize=9.5, ha="center",
                                       va="center", color=style.BLACK, linespacing=1.3))
        for side, text in ((LIGHT_BLUE, "called 1"), ("white", "called 0")):
            ax.plot([], [], "s", ms=10, mfc=side, mec=style.GREY, label=text)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, frameon=False,
                  handletextpad=0.3, borderaxespad=0.2)

        ax = self.ax_w = fig.add_axes([0.585, 0.31, 0.395, 0.57])
        self.curves = {name: moving(ax.plot([], [], "-", color=colour, lw=2, label=label,
                                            marker="o", ms=3)[0])
                       for name, colour, label in (("w1", style.BLUE, "w\u2081"), ("w2", style.PURPLE, "w\u2082"),
                                                   ("b", style.BLACK, "b"))}
        self.now = moving(ax.axvline(0, color=style.ORANGE, lw=1.5, zorder=0))
        for e in range(0, EPOCHS, 2):
            ax.axvspan(e * 4, e * 4 + 4, color=style.LIGHT, lw=0, zorder=-1)
        ax.axhline(0, color=style.GREY, lw=0.8, zorder=0)
        ax.set_xlim(-0.5, STEPS + 0.5)
        ax.set_xticks(range(0, STEPS + 1, 4))
        ax.set_xlabel("update (each band is an epoch: the 4 points once)", labelpad=1)
        ax.set_title("after each update", fontsize=10, loc="left")
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, fontsize=10, frameon=False,
                  handlelength=1.5, borderaxespad=0.1, columnspacing=1.0)
        self.mark = ax.axvline(0, color=style.GREY, lw=1.2, ls=":")
        self.mark_text = ax.text(0, 0, "", fontsize=9, color=style.BLACK, va="top")

        mono = dict(fontsize=10, family="DejaVu Sans Mono")
        self.lines = [moving(stamped(fig, 0.015, 0.165 - 0.05 * k, "", va="baseline", **mono)) for k in range(4)]

    def draw_background(self) -> None:
        gate, lr = self.values["gate"], self.values["lr"]
        answers = GATES[gate]
        self.points.set_facecolor(style.class_colours(answers))
        for label, answer in zip(self.point_labels, answers):
            label.set_text(str(answer))
        run = gate_run(gate, lr)
        ax = self.ax_w
        values = np.concatenate([run.weights.ravel(), run.biases])
        low, high = min(values.min(), 0.0), max(values.max(), 0.0)
        pad = 0.12 * (high - low)
        ax.set_ylim(low - pad, high + 3.2 * pad)  # room for the note at the top
        learnt, loop = learnt_at(run), cycle(run)
        top = high + 3.0 * pad
        if learnt is not None:
            self.mark.set_xdata([learnt, learnt])
            self.mark.set_visible(True)
            self._place_note(learnt, top)
            self.mark_text.set_text(f"learnt after update {learnt}:\nno mistakes from here on")
        elif loop is not None:
            start, period = loop
            self.mark.set_xdata([start, start])
            self.mark.set_visible(True)
            self._place_note(start, top)
            every = "every epoch" if period == len(INPUTS) else f"every {period} updates"
            self.mark_text.set_text(f"from update {start} on: the same\nvalues {every}, for ever")
        else:  # not reached with the settings offered
            self.mark.set_visible(False)
            self.mark_text.set_text("")

    def _place_note(self, at: int, top: float) -> None:
        """The note beside its dotted line: to the right of it, or to the left late in the run."""
        right = at <= STEPS / 2
        self.mark_text.set_position((at + (0.5 if right else -0.5), top))
        self.mark_text.set_horizontalalignment("left" if right else "right")

    def draw(self) -> None:
        gate, lr, step = self.values["gate"], self.values["lr"], self.values["step"]
        run = gate_run(gate, lr)
        w, b = run.weights[step], float(run.biases[step])

        shaded, crossings = half_plane(w, b)
        self.shade.set_xy(shaded if len(shaded) else np.zeros((1, 2)))
        self.line.set_data(*_line_ends(w, b))
        # the weight vector, drawn from the middle of the part of the line in view
        inside = len(crossings) == 2
        if inside:
            unit = w / np.linalg.norm(w)
            foot, length = _arrow(crossings, unit)
            self.arrow.set_positions(tuple(foot), tuple(foot + length * unit))
            self.arrow_label.set_position(tuple(foot + (length + 0.1) * unit))
        self.arrow.set_visible(inside)
        self.arrow_label.set_visible(inside)
        called = "1" if len(shaded) else "0"
        self.off_view.set_text("" if inside else f"the line is off the picture:\nevery point here is called {called}")

        for name, curve in self.curves.items():
            values = {"w1": run.weights[:, 0], "w2": run.weights[:, 1], "b": run.biases}[name]
            curve.set_data(np.arange(step + 1), values[:step + 1])
        self.now.set_xdata([step, step])

        learnt = learnt_at(run)
        if learnt is not None:
            status = (f"{gate}, \u03b7 = {lr:g}: learnt after {learnt} updates ({run.corrections} of them "
                      f"corrected a mistake)")
        else:
            status = (f"{gate}, \u03b7 = {lr:g}: never learnt. No line separates the 1s from the 0s, "
                      f"so some point is always wrong")
        self.status.set_text(status)

        if step == 0:
            self.before.set_data([], [])
            self.ring.set_data([], [])
            self.verdict.set_text("the start, before any update")
            self.verdict.set_color(style.BLACK)
            texts = (f"start: w = {_pair(w)}, b = {_plain(b)}",
                     "each update looks at one point x and its answer y, and predicts \u0177 = step(w\u00b7x + b)",
                     "w \u2190 w + \u03b7(y \u2212 \u0177)x",
                     "b \u2190 b + \u03b7(y \u2212 \u0177)")
        else:
            k = step - 1
            i = int(run.examples[k])
            x, y = INPUTS[i], GATES[gate][i]
            w_old, b_old = run.weights[k], float(run.biases[k])
            z, y_hat, error = float(run.sums[k]), run.predictions[k], run.errors[k]
            self.before.set_data(*_line_ends(w_old, b_old) if error else ([], []))
            self.ring.set_data([x[0]], [x[1]])
            epoch, which = divmod(k, len(INPUTS))
            if error:
                self.verdict.set_text(f"\u2718 x = ({_bit(x[0])}, {_bit(x[1])}) should be {y}, "
                                      f"got {_bit(y_hat)}: move the line")
                self.verdict.set_color(style.VERMILLION)
            else:
                self.verdict.set_text(f"\u2714 x = ({_bit(x[0])}, {_bit(x[1])}) is right: no change")
                self.verdict.set_color(style.BLACK)
            factor = f"{lr:g}\u00b7({y} \u2212 {_bit(y_hat)})"
            texts = (f"update {step}, epoch {epoch + 1}, point {which + 1} of 4: x = ({_bit(x[0])}, {_bit(x[1])}), "
                     f"y = {y}",
                     f"w\u00b7x + b = {_num(w_old[0])}\u00b7{_bit(x[0])} + {_num(w_old[1])}\u00b7{_bit(x[1])} + "
                     f"{_num(b_old)} = {_plain(z)}   \u2192   \u0177 = step({_plain(z)}) = {_bit(y_hat)}",
                     f"w \u2190 w + \u03b7(y \u2212 \u0177)x = {_pair(w_old)} + {factor}\u00b7({_bit(x[0])}, "
                     f"{_bit(x[1])}) = {_pair(w)}",
                     f"b \u2190 b + \u03b7(y \u2212 \u0177)  = {_plain(b_old)} + {factor} = {_plain(b)}")
        for artist, text in zip(self.lines, texts):
            artist.set_text(text)

    def storyboard(self):
        """Each gate at η = 0.5: AND and OR until one epoch after they are learnt, XOR for
        five epochs of its cycle."""
        for gate in GATES:
            run = gate_run(gate, 0.5)
            learnt = learnt_at(run)
            last = min(STEPS, learnt + len(INPUTS)) if learnt is not None else 5 * len(INPUTS)
            for step in range(last + 1):
                yield dict(gate=gate, lr=0.5, step=step), 2200 if step == last else (1400 if step == 0 else 600)
