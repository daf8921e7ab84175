"""The optimizer race: seven optimizers start from the same point of a loss surface.

Left: the surface as a contour map (darker is lower; the star marks the minimum) with
each optimizer's path as a coloured trail. Right: each optimizer's loss over the updates,
on a log scale, as its distance above the lowest value the surface has, with a grid line
every two decades (a factor of 100, on every surface). Every path is
computed by the course's own optimizers (:mod:`course_utils.nn.optim`) through
:func:`course_utils.trajectory.descend`: the point is an ``nn.Parameter``, and each
step sets its gradient and calls ``optimizer.step()``.

Parameters: ``surface``; the start point as ``start_x``/``start_y``, each from -1
(left or bottom edge of the picture) to 1 (right or top edge); ``steps``, the updates in
the race (one update is one ``optimizer.step()``); ``step``, the update shown (a Play
button in the widget, labelled "update", as the picture says "update 40 of 200"); and for each optimizer
``show_<name>``, ``lr_<name>`` (a log-scale slider) and its main hyperparameter:
``momentum`` (momentum), ``nesterov_momentum``, ``alpha`` (RMSprop), ``rho`` (Adadelta)
and ``beta1`` (Adam). Choosing a surface moves the start and every learning rate to
values that suit it (:meth:`OptimizerRaceScene.linked`). A run that leaves the picture
far behind is stopped and named "diverged" in the legend.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
from matplotlib.lines import Line2D

from .. import style
from ..nn import optim
from ..scene import Param, Scene, step_indices
from ..surfaces import SURFACES
from ..trajectory import Trajectory, descend

MAX_STEPS = 500
GRID = 161  # contour map resolution, points per side
FLOOR = 1e-8  # loss gaps below this are drawn at this height (log scale)
GRID_DECADES = 2  # the loss plot has a grid line every 2 decades: a factor of 100
_LEVELS = style.CONTOUR.resampled(14)


@dataclass(frozen=True)
class Racer:
    """One optimizer of the race: how to make it from a learning rate and one knob."""

    key: str
    label: str
    colour: str
    make: Callable[[float, float | None], Callable]  # (lr, knob) -> params -> Optimizer
    lr_range: tuple[float, float]
    knob: Param | None = None  # the main hyperparameter, if it has one


RACERS = (
    Racer("sgd", "SGD", style.BLACK, lambda lr, _: functools.partial(optim.SGD, lr=lr), (1e-5, 1.0)),
    Racer("momentum", "Momentum", style.SKY,
          lambda lr, m: functools.partial(optim.SGD, lr=lr, momentum=m), (1e-5, 1.0),
          Param("momentum", 0.9, 0.0, 0.99, 0.01, label="momentum")),
    Racer("nesterov", "Nesterov", style.BLUE,
          lambda lr, m: functools.partial(optim.SGD, lr=lr, momentum=m, nesterov=True), (1e-5, 1.0),
          Param("nesterov_momentum", 0.9, 0.05, 0.99, 0.01, label="momentum")),
    Racer("adagrad", "Adagrad", style.GREEN, lambda lr, _: functools.partial(optim.Adagrad, lr=lr),
          (1e-3, 10.0)),
    Racer("rmsprop", "RMSprop", style.PURPLE,
          lambda lr, a: functools.partial(optim.RMSprop, lr=lr, alpha=a), (1e-4, 1.0),
          Param("alpha", 0.99, 0.5, 0.999, 0.001, label="alpha")),
    Racer("adadelta", "Adadelta", style.ORANGE,
          lambda lr, r: functools.partial(optim.Adadelta, lr=lr, rho=r), (1e-2, 1000.0),
          Param("rho", 0.9, 0.5, 0.99, 0.01, label="rho")),
    Racer("adam", "Adam", style.VERMILLION,
          lambda lr, b: functools.partial(optim.Adam, lr=lr, betas=(b, 0.999)), (1e-4, 1.0),
          Param("beta1", 0.9, 0.0, 0.99, 0.01, label="beta1")),
)
RACER = {r.key: r for r in RACERS}
DEFAULT_SURFACE = "beale"


def absolute_start(surface: str, start_x: float, start_y: float) -> tuple[float, float]:
    """The start point from slider positions in [-1, 1] across the drawn region."""
    s = SURFACES[surface]
    return (float(np.mean(s.xlim) + start_x * np.ptp(s.xlim) / 2),
            float(np.mean(s.ylim) + start_y * np.ptp(s.ylim) / 2))


def relative_start(surface: str) -> tuple[float, float]:
    """The surface's suggested start as slider positions in [-1, 1] (rounded to 0.01)."""
    s = SURFACES[surface]
    return (round((s.start[0] - np.mean(s.xlim)) / (np.ptp(s.xlim) / 2), 2),
            round((s.start[1] - np.mean(s.ylim)) / (np.ptp(s.ylim) / 2), 2))


@functools.lru_cache(maxsize=2048)
def race(surface: str, start: tuple[float, float], steps: int, key: str, lr: float,
         knob: float | None) -> Trajectory:
    """One optimizer's run: ``steps`` steps of ``RACER[key]`` on ``SURFACES[surface]``
    from ``start``, with learning rate ``lr`` and main hyperparameter ``knob``
    (remembered, so each setting is computed once)."""
    s = SURFACES[surface]
    with np.errstate(under="ignore"):  # a tiny number rounding to 0 is harmless
        return descend(s.loss, s.gradient, start, RACER[key].make(lr, knob), steps, bound=s.bound)


def _params() -> tuple[Param, ...]:
    s = SURFACES[DEFAULT_SURFACE]
    sx, sy = relative_start(DEFAULT_SURFACE)
    params = [
        Param("surface", DEFAULT_SURFACE, options=tuple((v.label, k) for k, v in SURFACES.items()),
              label="loss surface"),
        Param("start_x", sx, -1.0, 1.0, 0.01, label="start x"),
        Param("start_y", sy, -1.0, 1.0, 0.01, label="start y"),
        Param("steps", 200, 10, MAX_STEPS, 10, integer=True, label="updates in the race"),
        Param("step", 200, 0, MAX_STEPS, 1, integer=True, label="update"),
    ]
    for r in RACERS:
        params.append(Param(f"show_{r.key}", True, options=(False, True), label=r.label))
        params.append(Param(f"lr_{r.key}", s.learning_rates[r.key], *r.lr_range, log=True,
                            label="learning rate"))
        if r.knob:
            params.append(r.knob)
    return tuple(params)


class OptimizerRaceScene(Scene):
    params = _params()
    background_params = ("surface", "steps")  # the map, and the loss axes' range
    control_rows = (("surface", "steps"), ("start_x", "start_y")) + tuple(
        (f"show_{r.key}", f"lr_{r.key}") + ((r.knob.name,) if r.knob else ()) for r in RACERS)
    size = (10.5, 4.2)
    gif_name = "optimizers"

    # --- the run ---------------------------------------------------------------
    def start(self) -> tuple[float, float]:
        v = self.values
        return absolute_start(v["surface"], v["start_x"], v["start_y"])

    def trajectory(self, key: str) -> Trajectory:
        """The current run of one optimizer (see :func:`race`)."""
        v, r = self.values, RACER[key]
        knob = v[r.knob.name] if r.knob else None
        return race(v["surface"], self.start(), v["steps"], key, v[f"lr_{key}"], knob)

    def shown(self) -> list[Racer]:
        return [r for r in RACERS if self.values[f"show_{r.key}"]]

    def linked(self, changes: dict) -> dict:
        """A new surface brings its own start and learning rates; a new number of steps
        shows the race to its end."""
        follow = {}
        if "surface" in changes:
            s = SURFACES[changes["surface"]]
            follow["start_x"], follow["start_y"] = relative_start(s.name)
            follow.update({f"lr_{k}": lr for k, lr in s.learning_rates.items()})
        if "steps" in changes:
            follow["step"] = changes["steps"]
        elif self.values["step"] > self.values["steps"]:
            follow["step"] = self.values["steps"]
        return follow

    def step_max(self) -> int:
        return self.values["steps"]

    @classmethod
    def corner_values(cls) -> Iterator[dict]:
        """Every surface, start corner, run length and shown step, with every optimizer's
        learning rate and hyperparameter at their low or high ends together, and with all
        optimizers shown or none.

        The full product of all 25 parameters (some 10^8 combinations) is not needed:
        each optimizer's run depends only on the surface, start, length and its own two
        settings, so these combinations reach every optimizer at every corner of its own
        settings.
        """
        ends = {p.name: p.corners() for p in cls.params}
        per_racer = [p.name for p in cls.params if p.name.startswith("lr_")] + [
            r.knob.name for r in RACERS if r.knob]
        for surface in ends["surface"]:
            for sx in (-1.0, 1.0):
                for sy in (-1.0, 1.0):
                    for steps in ends["steps"]:
                        for end in (0, 1):
                            for step in (0, steps):
                                values = dict(surface=surface, start_x=sx, start_y=sy, steps=steps,
                                              step=step)
                                values.update({n: ends[n][end] for n in per_racer})
                                values.update({f"show_{r.key}": end == 0 or step > 0 for r in RACERS})
                                yield values

    # --- the picture -----------------------------------------------------------
    def build(self) -> None:
        fig = self.fig
        self.ax_map = ax = fig.add_axes((0.065, 0.12, 0.35, 0.78))
        self.ax_loss = bx = fig.add_axes((0.5, 0.12, 0.3, 0.78))
        self.heat = ax.imshow(np.zeros((2, 2)), cmap=_LEVELS, origin="lower", aspect="auto",
                              interpolation="nearest", zorder=0)
        self.goal = ax.plot([], [], marker="*", ms=14, color=style.YELLOW, mec=style.BLACK,
                            ls="none", zorder=5)[0]
        ax.set_xlabel("x")
        ax.set_ylabel("y", rotation=0, labelpad=8)
        self.start_dot = self.moving(ax.plot([], [], "o", ms=8, mfc="white", mec=style.BLACK,
                                             mew=1.5, zorder=4)[0])
        self.trails, self.heads, self.curves, self.curve_heads = {}, {}, {}, {}
        for r in RACERS:
            self.trails[r.key] = self.moving(ax.plot([], [], color=r.colour, lw=1.6, zorder=3)[0])
            self.heads[r.key] = self.moving(ax.plot([], [], "o", color=r.colour, mec="white",
                                                    ms=7, zorder=6)[0])
            self.curves[r.key] = self.moving(bx.plot([], [], color=r.colour, lw=1.6)[0])
            self.curve_heads[r.key] = self.moving(bx.plot([], [], "o", color=r.colour, ms=5)[0])
        bx.set_yscale("log")
        bx.set_xlabel("update")
        bx.set_title("loss above the lowest point", loc="left")
        bx.grid(True, which="major", color=style.LIGHT)
        handles = [Line2D([], [], color=r.colour, lw=3) for r in RACERS]
        self.legend = self.moving(fig.legend(handles, [r.label for r in RACERS], loc="upper left",
                                             bbox_to_anchor=(0.815, 0.92), frameon=False,
                                             handlelength=1.4, fontsize=9.5, title="loss now",
                                             alignment="left", title_fontsize=9.5))
        self.clock = self.moving(fig.text(0.815, 0.13, "", fontsize=10, va="bottom"))
        self.map_title = ax.set_title("", loc="left")

    def draw_background(self) -> None:
        v = self.values
        s = SURFACES[v["surface"]]
        xs, ys = np.linspace(*s.xlim, GRID), np.linspace(*s.ylim, GRID)
        gx, gy = np.meshgrid(xs, ys)
        height = s.f(gx, gy) - s.lowest
        gap = np.log10(np.maximum(height, 0) + 1e-2)  # log: the interesting part is low
        self.heat.set_data(gap)
        self.heat.set_extent((*s.xlim, *s.ylim))
        self.heat.set_clim(gap.min(), gap.max())
        self.ax_map.set_xlim(*s.xlim)
        self.ax_map.set_ylim(*s.ylim)
        self.goal.set_data([s.minimum[0]], [s.minimum[1]])
        self.map_title.set_text(f"{s.label}:  {s.formula}" if len(s.formula) < 30 else s.label)
        top = int(np.ceil(np.log10(height.max())))
        self.ax_loss.set_ylim(FLOOR, 10.0 ** top)
        self.ax_loss.set_yticks(10.0 ** np.arange(np.log10(FLOOR), top + 1, GRID_DECADES))
        self.ax_loss.set_xlim(0, v["steps"])

    def draw(self) -> None:
        v = self.values
        s = SURFACES[v["surface"]]
        start = self.start()
        self.start_dot.set_data([start[0]], [start[1]])
        step = v["step"]
        texts = self.legend.get_texts()
        for r, text in zip(RACERS, texts):
            artists = (self.trails[r.key], self.heads[r.key], self.curves[r.key], self.curve_heads[r.key])
            shown = v[f"show_{r.key}"]
            for a in artists:
                a.set_visible(shown)
            if not shown:
                text.set_text(f"{r.label} (hidden)")
                text.set_color(style.GREY)
                continue
            t = self.trajectory(r.key)
            points, loss = t.upto(step)
            self.trails[r.key].set_data(points[:, 0], points[:, 1])
            self.heads[r.key].set_data(points[-1:, 0], points[-1:, 1])
            gap = np.maximum(loss - s.lowest, FLOOR)
            self.curves[r.key].set_data(np.arange(len(gap)), gap)
            self.curve_heads[r.key].set_data([len(gap) - 1], gap[-1:])
            if t.diverged and step >= t.diverged_at:
                text.set_text(f"{r.label}: diverged\n  at update {t.diverged_at}")
                text.set_color(style.VERMILLION)
            else:
                text.set_text(f"{r.label}  {gap[-1]:.0e}" if gap[-1] > FLOOR else f"{r.label}  < {FLOOR:.0e}")
                text.set_color(style.BLACK)
        shown = self.shown()
        self.clock.set_text(f"update {step} of {v['steps']}" if shown
                            else "tick at least one\noptimizer to race")

    def storyboard(self) -> Iterator[tuple[dict, int]]:
        steps = 200
        yield dict(surface=DEFAULT_SURFACE, steps=steps, step=0), 900
        for k in step_indices(steps, 40)[1:]:
            yield dict(step=k), 2500 if k == steps else 120
