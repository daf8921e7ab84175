"""The GAN, trained live: real and fake points, the discriminator's verdict behind them,
the noise grid as the generator bends it, the arrows along which the generator moves its
points, and the losses, the mode coverage and the Jensen-Shannon divergence over training.

The picture GAN Lab (Kahng et al., "GAN Lab: Understanding Complex Deep Generative Models
using Interactive Visual Experimentation", 2018) made famous, with two differences: every
run starts from scratch (no tuned checkpoint), and its defaults are ones measured to
train (:data:`course_utils.gan.DEFAULTS`: all of 20 seeds cover 11 or more of the 12
sectors of the ring by update 1,500).

The run is *live*: it is trained as far as the ``step`` slider asks, one move at a time
(an update, or one network's step from the Step D and Step G buttons), by a
:class:`course_utils.live_gan.LiveRun`, which can also go back.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import data, gan, style
from ..live import KeptRuns
from ..live_gan import LiveRun
from ..scene import Param, Scene, step_indices
from ..stamps import StampedLine

__all__ = ["GANScene", "BUDGET", "example_points"]

#: The length of a run, in moves: the training budget the defaults were measured with.
BUDGET = gan.DEFAULTS.updates
#: How many runs (settings) a scene keeps, so that coming back to one does not retrain.
RUNS_KEPT = 4
#: Points drawn of each kind, arrows drawn, the verdict's grid, the plane's half width.
SHOWN, ARROWS, HEAT_RES, PLANE = 400, 40, 60, gan.HALF_WIDTH
#: The longest arrow, in the plane's units (arrows show directions, scaled together).
ARROW_LONGEST = 0.3
#: Where the noise grid is drawn: noise values in [-NOISE_SPAN, NOISE_SPAN] (each number of
#: Gaussian noise falls there 95 % of the time, a pair 91 %), GRID_LINES lines each way; 1-D
#: noise is drawn as one line over [-NOISE_SPAN - 0.5, NOISE_SPAN + 0.5].
NOISE_SPAN, GRID_LINES = 2.0, 9
#: The learning rates a slider offers, and the hidden layers a dropdown offers.
LRS = (1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
HIDDEN = (("16", (16,)), ("8-8", (8, 8)), ("16-16", (16, 16)), ("32-32", (32, 32)),
          ("64-64", (64, 64)), ("32-32-32", (32, 32, 32)))
#: Every parameter that changes the run (the rest only change what is shown).
RUN_PARAMS = ("data", "seed", "loss", "noise_dim", "d_optimizer", "d_lr", "g_optimizer", "g_lr",
              "d_hidden", "g_hidden", "d_steps")
#: The losses' y-range and where they settle when D cannot tell real from fake
#: (D says 0.5 everywhere: D's loss 2 ln 2 and G's ln 2 or -ln 2 for the log losses;
#: for least squares D's output 0.5 gives 1/8 + 1/8 and 1/8).
LOSS_VIEW = {"non-saturating": ((0, 3), 2 * math.log(2), math.log(2)),
             "minimax": ((-2, 3), 2 * math.log(2), -math.log(2)),
             "least squares": ((0, 1), 0.25, 0.125)}


def example_points(n: int = 300) -> np.ndarray:
    """The "your points" data set until you give your own: a spiral of ``n`` points (one
    and a half turns, radius 0.2 to 1.2, a little noise), seeded. Shape (n, 2)."""
    rng = np.random.default_rng(7)
    t = np.linspace(0, 3 * np.pi, n)
    r = 0.2 + t / (3 * np.pi)
    return np.column_stack([r * np.cos(t), r * np.sin(t)]) + 0.03 * rng.standard_normal((n, 2))


class GANScene(Scene):
    """A GAN on 2-D points, trained live. ``GANScene(points=my_array)`` trains on your own
    (N, 2) points when ``data`` is "your points" (a spiral until you give some).

    Parameters: ``data``; ``seed`` (the starting weights and every batch); ``step``, the
    moves made (an update each, or one network's step from a button); the loss; the noise
    dimension (1 or 2); for each network its optimizer, learning rate and hidden layers;
    ``d_steps`` (D-steps per G-step); and what is shown (real and fake points, D's
    verdict, the noise grid, the arrows). A change to the run starts it again from update
    0 (press Play); each run is trained once and kept.
    """

    params = (
        Param("data", "ring", options=tuple(gan.DATASETS) + (("your points", "own"),), label="data"),
        Param("seed", 0, 0, 19, 1, integer=True, label="seed"),
        Param("step", 0, 0, BUDGET, 1, integer=True, label="moves"),
        Param("loss", gan.DEFAULTS.loss, options=gan.LOSSES, label="G's loss"),
        Param("noise_dim", gan.DEFAULTS.noise_dim, options=(1, 2), label="noise dimension"),
        Param("d_optimizer", "adam", options=(("Adam", "adam"), ("SGD", "sgd")), label="D optimizer"),
        Param("d_lr", gan.DEFAULTS.d_lr, options=LRS, slider=True, label="D learning rate"),
        Param("g_optimizer", "adam", options=(("Adam", "adam"), ("SGD", "sgd")), label="G optimizer"),
        Param("g_lr", gan.DEFAULTS.g_lr, options=LRS, slider=True, label="G learning rate"),
        Param("d_hidden", (32, 32), options=HIDDEN, label="D hidden layers"),
        Param("g_hidden", (32, 32), options=HIDDEN, label="G hidden layers"),
        Param("d_steps", 1, 1, 5, 1, integer=True, label="D-steps per G-step"),
        Param("show_real", True, options=(False, True), label="real"),
        Param("show_fake", True, options=(False, True), label="fake"),
        Param("show_verdict", True, options=(False, True), label="D's verdict"),
        Param("show_grid", True, options=(False, True), label="noise grid"),
        Param("show_arrows", True, options=(False, True), label="arrows"),
    )
    actions = (("Step D", "step_d"), ("Step G", "step_g"), ("Step both", "step_both"))
    control_rows = (("data", "seed"), ("loss", "noise_dim"), ("d_optimizer", "d_lr"),
                    ("g_optimizer", "g_lr"), ("d_hidden", "g_hidden"), ("d_steps",),
                    ("show_real", "show_fake", "show_verdict", "show_grid", "show_arrows"))
    size = (10.5, 4.6)
    gif_name = "gan_training"
    gif_one_palette = True  # the verdict's levels, two kinds of points and text: many colours
    background_params = ("data", "loss", "noise_dim")

    def __init__(self, points=None, **values):
        self.points = example_points() if points is None else gan.own_points(points)
        self._runs = KeptRuns(RUNS_KEPT)
        super().__init__(**values)

    # ------------------------------------------------------------------ the run
    def settings(self) -> gan.Settings:
        v = self.values
        return dataclasses.replace(gan.DEFAULTS, noise_dim=v["noise_dim"], loss=v["loss"],
                                   d_optimizer=v["d_optimizer"], d_lr=v["d_lr"],
                                   g_optimizer=v["g_optimizer"], g_lr=v["g_lr"],
                                   d_hidden=v["d_hidden"], g_hidden=v["g_hidden"],
                                   d_steps=v["d_steps"], updates=BUDGET)

    def _data(self):
        return self.points if self.values["data"] == "own" else self.values["data"]

    @property
    def run(self) -> LiveRun:
        """The live run of the current setting, at the current step."""
        key = (self.values["data"], self.values["seed"], self.settings())
        run = self._runs.get(key, lambda: LiveRun(self._data(), key[2], key[1]))
        run.go(self.values["step"])
        return run

    def linked(self, changes: dict) -> dict:
        """A change to the run starts it again (step 0), unless a step is given with it."""
        if "step" in changes or not any(name in changes for name in RUN_PARAMS):
            return {}
        return {"step": 0}

    def _hand(self, move: str) -> None:
        if self.values["step"] >= BUDGET:
            raise ValueError(f"the run is at its end ({BUDGET:,} moves): move the moves slider "
                             "back to step from an earlier point")
        run = self.run
        run.hand(move)
        self.values["step"] = run.at

    def step_d(self) -> None:
        """One discriminator step by hand (the generator stays as it is)."""
        self._hand("d")

    def step_g(self) -> None:
        """One generator step by hand (the discriminator stays as it is)."""
        self._hand("g")

    def step_both(self) -> None:
        """One update by hand: ``d_steps`` D-steps, then one G-step."""
        self._hand("u")

    @classmethod
    def corner_values(cls):
        """Each parameter at each of its corners (both ends of a learning rate's slider),
        one at a time with the others at their defaults, at update 0 and at update 43
        (between two kept copies); then the whole run at the defaults, with the largest
        learning rates and SGD (it diverges), and with every view off.

        The full product (about 10^9 combinations, each a run to train) is not needed:
        the views only change what is drawn, and every setting of the run is reached."""
        defaults = {p.name: p.default for p in cls.params}
        for p in cls.params:
            if p.name == "step":
                continue
            ends = (p.values()[0], p.values()[-1]) if p.slider else p.corners()
            for value in ends:
                for step in (0, 43):
                    yield dict(defaults, **{p.name: value, "step": step})
        views = {p.name: False for p in cls.params if p.name.startswith("show_")}
        for changes in ({}, dict(d_optimizer="sgd", g_optimizer="sgd", d_lr=1.0, g_lr=1.0), views):
            yield dict(defaults, step=BUDGET, **changes)

    # ------------------------------------------------------------------ the picture
    def build(self) -> None:
        fig, moving = self.fig, self.moving
        self.heading = moving(StampedLine(fig, 0.012, 0.955, pieces=6, fontsize=11.5, weight="bold",
                                          va="center"))
        self.subheading = moving(StampedLine(fig, 0.012, 0.895, pieces=6, fontsize=9, va="center",
                                             color=style.TEXT_VERMILLION))
        fw, fh = fig.get_size_inches()
        side = 0.76
        ax = self.ax = fig.add_axes([0.05, 0.08, side * fh / fw, side])
        self.verdict = moving(ax.imshow(np.zeros((HEAT_RES, HEAT_RES, 4), np.uint8), origin="lower",
                                        extent=(-PLANE, PLANE, -PLANE, PLANE), interpolation="nearest"))
        self.grid = moving(ax.add_collection(LineCollection([], colors=style.GREY, linewidths=0.7,
                                                            alpha=0.8)))
        # a darker rim keeps each kind of point visible on the verdict's own colour
        self.real = moving(ax.plot([], [], "o", ls="none", ms=2.8, color=style.GREEN, mec="#00513B",
                                   mew=0.4)[0])
        self.fake = moving(ax.plot([], [], "o", ls="none", ms=2.8, color=style.PURPLE, mec="#6E2F55",
                                   mew=0.4)[0])
        self.arrows = moving(ax.quiver(np.zeros(ARROWS), np.zeros(ARROWS), np.zeros(ARROWS),
                                       np.zeros(ARROWS), angles="xy", scale_units="xy", scale=1,
                                       color=style.BLACK, width=0.004, headwidth=4, zorder=4))
        style.plane_axes(ax, PLANE, ticks=(-1, 0, 1))
        handles = [Line2D([], [], marker="o", ls="none", color=style.GREEN, label="real points"),
                   Line2D([], [], marker="o", ls="none", color=style.PURPLE, label="fake points, G(z)"),
                   Patch(color=style.VERDICT(0.99), label="D says real"),
                   Patch(facecolor="white", edgecolor=style.GREY, lw=0.5, label="D cannot tell"),
                   Patch(color=style.VERDICT(0.0), label="D says fake"),
                   Line2D([], [], color=style.GREY, lw=0.8, label="noise grid, through G"),
                   Line2D([], [], marker=r"$\rightarrow$", ms=10, ls="none", color=style.BLACK,
                          label="−∂ℓ/∂x: where G's loss\npulls each fake point")]
        left = 0.05 + side * fh / fw + 0.01
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(left, 0.84), frameon=False,
                   fontsize=8.5, handlelength=1.4, borderaxespad=0)
        # the arrows show directions (the longest is drawn ARROW_LONGEST long): their size here
        fig.text(left + 0.005, 0.3, "the arrows' true size, mean\n|∂ℓ/∂x| at a fake point:",
                 fontsize=8.5, va="bottom")
        self.push_text = moving(StampedLine(fig, left + 0.005, 0.27, pieces=0, fontsize=9, va="top"))

        x0, width = 0.625, 0.355
        self.ax_loss = fig.add_axes([x0, 0.62, width, 0.22])
        self.ax_cover = fig.add_axes([x0, 0.35, width, 0.17])
        self.ax_js = fig.add_axes([x0, 0.08, width, 0.17])
        for a in (self.ax_loss, self.ax_cover, self.ax_js):
            a.set_xlim(0, BUDGET)
            a.tick_params(labelsize=8)
        for a in (self.ax_loss, self.ax_cover):
            a.set_xticklabels([])
        self.ax_js.set_xlabel("move (an update, or a step by hand)", fontsize=9, labelpad=1)
        self.d_curve = moving(self.ax_loss.plot([], [], color=style.BLUE, lw=1.0, label="D's loss")[0])
        self.g_curve = moving(self.ax_loss.plot([], [], color=style.ORANGE, lw=1.0, label="G's loss")[0])
        self.d_rest = self.ax_loss.axhline(0, color=style.BLUE, lw=0.8, ls=":")  # where D cannot tell
        self.g_rest = self.ax_loss.axhline(0, color=style.ORANGE, lw=0.8, ls=":")
        # above the panel, where the moving "now" line does not cross it
        self.ax_loss.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
                            ncol=2, borderaxespad=0.1, handlelength=1.5)
        self.cover_curve = moving(self.ax_cover.plot([], [], color=style.GREEN, lw=1.4,
                                                     drawstyle="steps-post")[0])
        self.js_curve = moving(self.ax_js.plot([], [], color=style.PURPLE, lw=1.4)[0])
        self.ax_js.set_ylim(0, math.log(2))
        self.ax_js.set_yticks([0, 0.3, math.log(2)], ["0", "0.3", "ln 2"])  # ln 2: nothing in common
        self.ax_js.axhline(math.log(2), color=style.GREY, lw=0.8, ls=":")

        self.now = [moving(a.axvline(0, color=style.BLACK, lw=0.8)) for a in
                    (self.ax_loss, self.ax_cover, self.ax_js)]
        small = dict(fontsize=9, va="bottom", pieces=2)
        self.loss_text = moving(StampedLine(fig, x0, 0.855, **small))
        self.cover_text = moving(StampedLine(fig, x0, 0.535, **small))
        self.js_text = moving(StampedLine(fig, x0, 0.265, **small))
        self._heat_points = data.grid(HEAT_RES, PLANE)

    def draw_background(self) -> None:
        v = self.values
        (low, high), d_rest, g_rest = LOSS_VIEW[v["loss"]]
        self.ax_loss.set_ylim(low, high)
        self.d_rest.set_ydata([d_rest, d_rest])
        self.g_rest.set_ydata([g_rest, g_rest])
        modes = len(gan.modes(self._data()))
        self.ax_cover.set_ylim(0, modes + 0.5)
        self.ax_cover.set_yticks([0, modes // 2, modes] if modes >= 6 else [0, modes])
        real = gan.sample(self._data(), SHOWN, 1)
        self.real.set_data(real[:, 0], real[:, 1])
        self.fixed_noise = gan.noise(SHOWN, v["noise_dim"], gan.DEFAULTS.noise, gan.EVAL_SEED)
        if v["noise_dim"] == 2:
            ticks = np.linspace(-NOISE_SPAN, NOISE_SPAN, GRID_LINES)
            along = np.linspace(-NOISE_SPAN, NOISE_SPAN, 40)
            fixed, run = np.meshgrid(ticks, along, indexing="ij")
            lines = np.stack([fixed, run], axis=-1)
            self._grid_noise = np.concatenate([lines, lines[..., ::-1]])  # (lines, samples, 2)
        else:
            self._grid_noise = np.linspace(-NOISE_SPAN - 0.5, NOISE_SPAN + 0.5, 200)[None, :, None]
        self.redraw_background()

    def draw(self) -> None:
        v, run = self.values, self.run
        pair = run.trainer.gan
        k, bad = run.at, run.diverged()
        with np.errstate(all="ignore"):  # a diverged run's NaN and inf are drawn as nothing
            fake = pair.generator(self.fixed_noise)
            self.fake.set_data(fake[:, 0], fake[:, 1])
            verdict = gan.verdict(pair, self._heat_points, v["loss"]).reshape(HEAT_RES, HEAT_RES)
            colours = style.VERDICT(np.nan_to_num(verdict, nan=0.5), bytes=True)
            colours[np.isnan(verdict)] = (235, 235, 235, 255)  # a diverged D says nothing: grey
            self.verdict.set_data(colours)
            shape = self._grid_noise.shape
            bent = pair.generator(self._grid_noise.reshape(-1, shape[-1])).reshape(shape[0], shape[1], 2)
            self.grid.set_segments(list(np.nan_to_num(bent, nan=0.0, posinf=9.0, neginf=-9.0)))
            at = fake[:ARROWS]
            step = -gan.fake_gradients(pair, at, v["loss"])
            longest = np.nanmax(np.hypot(step[:, 0], step[:, 1])) if np.isfinite(step).any() else 0.0
            scale = ARROW_LONGEST / longest if np.isfinite(longest) and longest > 0 else 0.0
            self.push = float(np.mean(np.hypot(step[:, 0], step[:, 1])))
            self.push_text.set("{}", _number(self.push))
            self.arrows.set_offsets(np.nan_to_num(at))
            self.arrows.set_UVC(np.nan_to_num(step[:, 0] * scale), np.nan_to_num(step[:, 1] * scale))
        for artist, name in ((self.real, "show_real"), (self.fake, "show_fake"),
                             (self.verdict, "show_verdict"), (self.grid, "show_grid"),
                             (self.arrows, "show_arrows")):
            artist.set_visible(v[name])
        self.arrows.set_visible(v["show_arrows"] and scale > 0)  # no arrows of NaN
        self._draw_curves(run, bad)
        made = run.moves[:k]
        if made.count("u") == k:
            self.heading.set("update {} of {}", str(k), str(BUDGET))
        else:
            u, d, g = (made.count(m) for m in "udg")
            self.heading.set(f"move {{}} of {{}}: {{}} update{_s(u)}, and by hand {{}} D-step{_s(d)} "
                             f"and {{}} G-step{_s(g)}", *map(str, (k, BUDGET, u, d, g)))
        self.subheading.set_visible(bad is not None)
        if bad is not None:
            self.subheading.set("training diverged at update {}: the losses are no longer numbers. "
                                "Try smaller learning rates", str(bad))

    def _draw_curves(self, run: LiveRun, diverged: int | None) -> None:
        k = run.at
        moves = np.arange(1, k + 1)
        losses = np.array(run.losses[:k], dtype=float).reshape(-1, 2)
        self.d_curve.set_data(moves, losses[:, 0])
        self.g_curve.set_data(moves, losses[:, 1])
        upto = k if diverged is None else min(k, diverged)  # a diverged run is not measured on
        kept = sorted(m for m in run.measures if m <= upto)
        covered, modes, js = self.measures = run.measure()
        when = np.array(kept + [upto])
        self.cover_curve.set_data(when, [run.measures[m][0] for m in kept] + [covered])
        self.js_curve.set_data(when, [run.measures[m][2] for m in kept] + [js])
        for line in self.now:
            line.set_xdata([k, k])
        last = losses[-1] if k else (math.nan, math.nan)
        self.loss_text.set("losses now: D {}, G {}", *(_number(x) for x in last))
        self.cover_text.set("modes covered: {} of {}", str(covered), str(modes))
        self.js_text.set("Jensen-Shannon divergence, real vs fake: {} nats", _number(js))

    def storyboard(self):
        """The defaults on the ring from update 0 to the end: the fakes leave their
        starting clump, spread along the ring and cover it."""
        steps = sorted(set(step_indices(200, 6)) | set(step_indices(BUDGET, 16)))
        for k in steps:
            yield {"step": k}, 1500 if k == 0 else 3000 if k == BUDGET else 300


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _number(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{x:.3f}"
