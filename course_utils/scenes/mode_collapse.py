"""The mode-collapse lab: one GAN setting trained with 8 seeds, side by side.

A generator *collapses* when it puts its points on a few modes of the data, or on one
spot, and leaves the rest uncovered. Goodfellow et al. ("Generative Adversarial Nets",
2014) call it "the Helvetica scenario" and warn that G must not be trained too much
without updating D; Metz et al. ("Unrolled Generative Adversarial Networks", 2017) show
it on a ring of Gaussians. Whether it happens depends on the seed as much as on the setting, so
:class:`ModeCollapseScene` trains one setting with seeds 0 to 7 (:func:`seed_runs`, each
run by :func:`course_utils.gan.train`, so cached) and shows each seed's fake points
over the faint real points, with that seed's :func:`~course_utils.gan.coverage`:
green when it covers :data:`ENOUGH` modes or more, vermillion otherwise. ``step``
walks the runs' snapshots, so collapse and recovery can be watched with Play.

Every setting starts from :data:`BASE`: :data:`course_utils.gan.DEFAULTS` with
narrower networks (two hidden layers of 16), equal learning rates and 1,000 updates,
so that 8 runs take about 5 s (see benchmarks/bench_mode_collapse.py). The controls
change one thing each: the data, D-steps per G-step, either learning rate, the
generator's loss and the width of both networks.

Measured (seeds 0-7, tests/test_mode_collapse_scene.py), on the ring after 1,000
updates: at the base setting 3 of 8 seeds cover 11 or more of the 12 sectors; with 2
D-steps per G-step, 8 of 8; with D's learning rate 0.005, 8 of 8; with G's learning
rate 0.005 (G learning faster than D), 0 of 8. A discriminator that keeps up with the
generator keeps it spread out. Giving the two networks learning rates of their own is
Heusel et al.'s two time-scale update rule ("GANs Trained by a Two Time-Scale Update
Rule Converge to a Local Nash Equilibrium", 2017).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable, Iterator

import numpy as np

from .. import gan, style
from ..scene import Param, Scene
from ..stamps import StampedLine, stamped

#: The seeds every setting is trained with.
SEEDS = 8
#: Snapshots a run keeps (plus the untrained one): the steps of the slider.
SNAPSHOTS = 20
#: The lab's base setting: the chapter's defaults, with two hidden layers of 16 in each
#: network, both learning rates 0.002 and 1,000 updates.
BASE = dataclasses.replace(gan.DEFAULTS, g_hidden=(16, 16), d_hidden=(16, 16), d_lr=2e-3,
                           g_lr=2e-3, updates=1000)
DATA = ("ring", "eight gaussians")
D_STEPS = (1, 2)
LEARNING_RATES = (0.001, 0.002, 0.005)
WIDTHS = (8, 16, 32)
#: A seed counts as covering its data when it covers this many modes or more: all but
#: one (one thin sector of the ring, or one Gaussian a little short of points, is not
#: a collapse).
ENOUGH = {"ring": gan.RING_SECTORS - 1, "eight gaussians": 7}
MODE_WORDS = {"ring": "sectors", "eight gaussians": "modes"}
#: Fake points drawn in each panel: the first of the EVAL_POINTS the coverage counts.
DRAWN = 500
REAL_DRAWN = 600
DIAL = 1.32  # the radius of the marks of the ring's sectors


def settings(d_steps: int = 1, d_lr: float = BASE.d_lr, g_lr: float = BASE.g_lr,
             loss: str = BASE.loss, width: int = 16) -> gan.Settings:
    """:data:`BASE` with the lab's five choices: ``gan.Settings`` (which checks them)."""
    return dataclasses.replace(BASE, d_steps=d_steps, d_lr=d_lr, g_lr=g_lr, loss=loss,
                               g_hidden=(width, width), d_hidden=(width, width))


def seed_runs(data: str, setting: gan.Settings,
              progress: Callable[[str], None] | None = None) -> tuple:
    """The runs of seeds 0 to ``SEEDS - 1``, each ``gan.train(data, setting, seed,
    snapshots=SNAPSHOTS)`` (cached). ``progress``, if given, hears "training seed 3 of
    8 ..." before each run is fetched (a cached one comes back at once)."""
    found = []
    for seed in range(SEEDS):
        if progress:
            progress(f"training seed {seed + 1} of {SEEDS} ...")
        found.append(gan.train(data, setting, seed, snapshots=SNAPSHOTS))
    return tuple(found)


def eval_noise(setting: gan.Settings) -> np.ndarray:
    """The fixed noise :func:`gan.evaluate` measures every snapshot with, (EVAL_POINTS, dim)."""
    return gan.noise(gan.EVAL_POINTS, setting.noise_dim, setting.noise, gan.EVAL_SEED)


def fake_points(run, k: int, noise: np.ndarray) -> np.ndarray:
    """The generator of snapshot ``k`` (the last one, if the run stopped before it) on
    ``noise``: fake points, (len(noise), 2)."""
    with np.errstate(all="ignore"):  # a diverged generator gives inf and NaN: in no mode
        return run.at(min(k, len(run.snapshots) - 1)).generator(noise)


def _arcs(mask: np.ndarray) -> np.ndarray:
    """The dial marks of the ring's sectors where ``mask`` is True, as one polyline with
    rows of NaN between the marks."""
    pieces = []
    width = 2 * math.pi / len(mask)
    for k in np.flatnonzero(mask):
        t = np.linspace(k * width + 0.06, (k + 1) * width - 0.06, 8)
        pieces += [np.column_stack([DIAL * np.cos(t), DIAL * np.sin(t)]), np.full((1, 2), np.nan)]
    return np.concatenate(pieces) if pieces else np.full((1, 2), np.nan)


def _circles(mask: np.ndarray, data: str) -> np.ndarray:
    """Circles of ``MODE_RADIUS`` standard deviations around the Gaussians where ``mask``
    is True (the region whose points count for that mode), one polyline."""
    pieces = []
    t = np.linspace(0, 2 * math.pi, 25)
    for (_, centre, std), keep in zip(gan.MIXTURES[data], mask):
        if keep:
            r = gan.MODE_RADIUS * np.array(std)
            pieces += [np.column_stack([centre[0] + r[0] * np.cos(t), centre[1] + r[1] * np.sin(t)]),
                       np.full((1, 2), np.nan)]
    return np.concatenate(pieces) if pieces else np.full((1, 2), np.nan)


def mode_marks(mask: np.ndarray, data: str) -> np.ndarray:
    """Where the modes in ``mask`` are marked: arcs outside the ring, circles around the
    Gaussians."""
    return _arcs(mask) if data == "ring" else _circles(mask, data)


class ModeCollapseScene(Scene):
    """Eight seeds of one GAN setting: each one's fake points and coverage at the
    snapshot ``step``, and how many of the eight cover their data.

    Parameters: ``data``, ``d_steps`` (discriminator steps per generator step), ``d_lr``
    and ``g_lr`` (Adam's learning rates), ``loss`` (the generator's), ``width`` (the
    two hidden layers of both networks) and ``step`` (snapshot 0 to ``SNAPSHOTS``).

    A new setting trains 8 runs (about 5 s; cached after). Set ``scene.on_progress`` to a
    callable to hear "training seed 3 of 8 ..." meanwhile (see :func:`seed_runs`).
    """

    params = (
        Param("data", "ring", options=DATA, label="data"),
        Param("d_steps", 1, options=D_STEPS, label="D-steps per G-step"),
        Param("d_lr", BASE.d_lr, options=LEARNING_RATES, label="D's learning rate"),
        Param("g_lr", BASE.g_lr, options=LEARNING_RATES, label="G's learning rate"),
        Param("loss", BASE.loss, options=gan.LOSSES, label="generator's loss"),
        Param("width", 16, options=WIDTHS, label="hidden units"),
        Param("step", SNAPSHOTS, 0, SNAPSHOTS, 1, integer=True, label="snapshot"),
    )
    size = (10.0, 6.0)
    gif_name = ""
    background_params = ("data", "d_steps", "d_lr", "g_lr", "loss", "width")
    control_rows = (("data", "loss"), ("d_lr", "g_lr"), ("d_steps", "width"))

    @classmethod
    def corner_values(cls) -> Iterator[dict]:
        """Three settings, each at its first and last snapshot, that together reach every
        option of every parameter (the defaults; then the eight Gaussians, D slow and G
        fast, minimax, width 8; then the ring, 2 D-steps, D fast and G slow, least
        squares, width 32). Every setting trains 8 runs (about 5 s), so the full product
        of the options (324 settings) would take half an hour; each option is drawn by
        the same code, and each is reached here at least once."""
        chosen = (
            {p.name: p.default for p in cls.params if p.name != "step"},
            dict(data="eight gaussians", d_steps=1, d_lr=0.001, g_lr=0.005, loss="minimax", width=8),
            dict(data="ring", d_steps=2, d_lr=0.005, g_lr=0.001, loss="least squares", width=32),
        )
        for values in chosen:
            for step in (0, SNAPSHOTS):
                yield dict(values, step=step)

    def setting(self) -> gan.Settings:
        """The ``gan.Settings`` the current values stand for."""
        v = self.values
        return settings(v["d_steps"], v["d_lr"], v["g_lr"], v["loss"], v["width"])

    # --- the picture -----------------------------------------------------------
    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fig.text(0.012, 0.962, "Mode collapse: one setting, eight seeds", fontsize=12,
                 weight="bold", va="center")
        self.caption = fig.text(0.012, 0.918, "", fontsize=9, va="center")
        self.summary = moving(StampedLine(fig, 0.012, 0.872, pieces=5, fontsize=10.5,
                                          weight="bold", va="center"))
        self.when = moving(StampedLine(fig, 0.988, 0.962, pieces=5, ha="right", fontsize=10,
                                       va="center"))
        fig.text(0.5, 0.022, f"grey: real points; purple: {DRAWN} of the {gan.EVAL_POINTS:,} "
                 "fake points the coverage counts; marks: modes covered (green) or not "
                 "(vermillion)", fontsize=9, ha="center", va="center")
        fw, fh = fig.get_size_inches()
        side = 0.335  # of the figure's height
        width = side * fh / fw
        gap = (1 - 4 * width) / 5
        self.axes, self.fakes, self.covered, self.missed, self.scores = [], [], [], [], []
        for seed in range(SEEDS):
            row, col = divmod(seed, 4)
            left, bottom = gap + col * (width + gap), 0.455 - row * (side + 0.065)
            ax = fig.add_axes([left, bottom, width, side])
            style.picture_axes(ax, border=style.GREY)
            ax.set_xlim(-gan.HALF_WIDTH, gan.HALF_WIDTH)
            ax.set_ylim(-gan.HALF_WIDTH, gan.HALF_WIDTH)
            ax.set_aspect("equal")
            fig.text(left, bottom + side + 0.012, f"seed {seed}", fontsize=10, va="bottom")
            real = ax.plot([], [], ".", ms=2.5, mew=0, color=style.GREY, alpha=0.55)[0]
            self.axes.append((ax, real))
            self.fakes.append(moving(ax.plot([], [], ".", ms=3, mew=0, color=style.PURPLE)[0]))
            self.covered.append(moving(ax.plot([], [], color=style.GREEN, lw=2)[0]))
            self.missed.append(moving(ax.plot([], [], color=style.VERMILLION, lw=2)[0]))
            self.scores.append(moving(stamped(fig, left + width, bottom + side + 0.012, "",
                                              fontsize=10, weight="bold", ha="right",
                                              va="bottom")))
        self._noise = eval_noise(BASE)
        self._runs_for = None  # the setting whose runs self.runs holds
        self.runs: tuple = ()
        self.coverages: list = []  # what each panel shows: gan.Coverage per seed

    def draw_background(self) -> None:
        v = self.values
        real = gan.sample(v["data"], REAL_DRAWN, gan.DATA_SEED)
        for _, line in self.axes:
            line.set_data(*real.T)
        s = self.setting()
        d_steps = "1 D-step" if s.d_steps == 1 else f"{s.d_steps} D-steps"
        self.caption.set_text(
            f"{v['data']}; G 2-{v['width']}-{v['width']}-2, D 2-{v['width']}-{v['width']}-1 "
            f"(LeakyReLU); Adam, D's lr {s.d_lr:g}, G's lr {s.g_lr:g}; {d_steps} "
            f"per G-step; {s.loss} loss; batch {s.batch_size}; {s.updates:,} updates")

    def _fetch_runs(self) -> None:
        key = (self.values["data"], self.setting())
        if key != self._runs_for:
            self.runs = seed_runs(*key, progress=self.on_progress)
            self._runs_for = key

    def draw(self) -> None:
        self._fetch_runs()
        data, k = self.values["data"], self.values["step"]
        enough, modes = ENOUGH[data], len(gan.modes(data))
        self.coverages = []
        for seed, run in enumerate(self.runs):
            fake = fake_points(run, k, self._noise)
            c = gan.coverage(fake, data)
            self.coverages.append(c)
            self.fakes[seed].set_data(*fake[:DRAWN].T)
            self.covered[seed].set_data(*mode_marks(c.mask, data).T)
            self.missed[seed].set_data(*mode_marks(~c.mask, data).T)
            stopped = k >= len(run.snapshots)
            score = self.scores[seed]
            score.set_text("diverged" if stopped else f"{c.covered} / {modes}")
            score.set_color(style.TEXT_GREEN if c.covered >= enough and not stopped
                            else style.TEXT_VERMILLION)
        good = self.good()
        self.summary.set("{} of {} seeds cover {} or more of {} " + MODE_WORDS[data],
                         str(good), str(SEEDS), str(enough), str(modes))
        moments = max((run.moments for run in self.runs), key=len)  # a diverged run has fewer
        moment = moments[min(k, len(moments) - 1)]
        self.when.set("update {} of {} (snapshot {} of {})", f"{moment:,}",
                      f"{BASE.updates:,}", str(k), str(SNAPSHOTS))

    def good(self) -> int:
        """How many seeds the picture shows covering :data:`ENOUGH` modes or more."""
        enough = ENOUGH[self.values["data"]]
        return sum(c.covered >= enough and self.values["step"] < len(run.snapshots)
                   for c, run in zip(self.coverages, self.runs))
