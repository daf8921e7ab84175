"""Learning-rate schedules: a large learning rate to travel, a small one to settle.

:class:`ScheduleScene` (GIF ``imgs/lr_schedules.gif``) fits the line of the batch-size
scene (64 noisy points, ``y = w x + b``) with SGD in mini-batches of 4, once with a
constant learning rate and once with a scheduler of ``nn.optim.lr_scheduler``, which
changes the learning rate after every epoch:

* ``StepLR``: divide it by 10 every 10 epochs (step decay);
* ``CosineAnnealingLR``: lower it along half a cosine, to almost 0 in the last epoch;
* ``LinearLR``: warm up, from a tenth of it to all of it over the first 5 epochs.

Left: the learning rate of each epoch. Middle: the weights ``(w, b)`` near the best line,
update by update: with a constant learning rate each mini-batch's noisy gradient keeps
them jumping around in a cloud whose size grows with the learning rate; as a schedule
lowers it, the cloud shrinks. Right: how far the loss on all the data is above the
lowest possible, per update, on a log scale.

Parameters: ``schedule``, ``lr`` (the base learning rate) and ``step`` (epochs done).
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from .. import nn, runs, style
from ..nn import optim
from ..scene import Param, Scene
from ..stamps import stamped
from .batch_size import LR_RANGE, SHUFFLE_SEED, START, least_squares, line_data, line_loss

EPOCHS = 30
BATCH = 4
UPDATES = 64 // BATCH  # per epoch
ZOOM = 0.3  # the middle panel shows (w, b) within this distance of the best line
#: name -> (the scheduler as the code that makes it, that code as a function of the optimizer)
SCHEDULES = {
    "constant": ("no scheduler: the same lr every epoch", None),
    "step": ("StepLR(optimizer, step_size=10, gamma=0.1)",
             lambda opt: optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.1)),
    "cosine": (f"CosineAnnealingLR(optimizer, T_max={EPOCHS})",
               lambda opt: optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)),
    "warmup": ("LinearLR(optimizer, start_factor=0.1, total_iters=5)",
               lambda opt: optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5)),
}
CHOICES = (("constant", "constant"), ("step decay (StepLR)", "step"), ("cosine (CosineAnnealingLR)", "cosine"),
           ("warm-up (LinearLR)", "warmup"))


@runs.cache
def train(schedule: str, lr: float) -> runs.Run:
    """Fit ``nn.Linear(1, 1)`` to the line data from ``START`` with ``optim.SGD(lr)`` in
    shuffled mini-batches of ``BATCH`` for ``EPOCHS`` epochs, the scheduler ``schedule``
    stepping after every epoch, and record the weights after every update. The batches
    are the same for every schedule (one shuffling seed)."""
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {list(SCHEDULES)}, got {schedule!r}")
    x, y = line_data()
    model = nn.Linear(1, 1, rng=0)
    model.weight.data[...] = START[0]
    model.bias.data[...] = START[1]
    optimizer = optim.SGD(model.parameters(), lr=lr)
    make = SCHEDULES[schedule][1]
    scheduler = make(optimizer) if make else None
    callbacks = [lambda epoch, history, model: scheduler.step()] if scheduler else []
    return runs.record(model, nn.MSELoss(), optimizer, x, y, epochs=EPOCHS, at=range(EPOCHS * UPDATES + 1),
                       unit="update", batch_size=BATCH, shuffle=True, rng=SHUFFLE_SEED, callbacks=callbacks)


def learning_rates(schedule: str, lr: float) -> np.ndarray:
    """The learning rate of each epoch (shape (EPOCHS,)), from the scheduler itself."""
    optimizer = optim.SGD([nn.Parameter(np.zeros(1))], lr=lr)
    make = SCHEDULES[schedule][1]
    scheduler = make(optimizer) if make else None
    rates = []
    for _ in range(EPOCHS):
        rates.append(optimizer.lr)
        if scheduler:
            scheduler.step()
    return np.array(rates)


def excess_loss(schedule: str, lr: float) -> tuple[np.ndarray, np.ndarray]:
    """``(path, excess)``: ``(w, b)`` after each update (shape (EPOCHS * UPDATES + 1, 2))
    and the loss on all the data there minus the lowest possible."""
    run = train(schedule, lr)
    path = np.array([(s["weight"][0, 0], s["bias"][0]) for s in run.snapshots])
    return path, line_loss(path[:, 0], path[:, 1]) - float(line_loss(*least_squares()))


class ScheduleScene(Scene):
    """SGD on one line with a constant learning rate and with a schedule."""

    params = (
        Param("schedule", "step", options=CHOICES, label="schedule"),
        Param("lr", 0.1, LR_RANGE[0], LR_RANGE[1], log=True, label="base lr"),
        Param("step", EPOCHS, 0, EPOCHS, 1, integer=True, label="epoch"),
    )
    control_rows = (("schedule", "lr"),)
    background_params = ("schedule", "lr")
    size = (11.0, 4.0)
    gif_name = "lr_schedules"
    gif_one_palette = True  # few colours, and most of the picture stays still

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        self.header = moving(stamped(fig, 0.012, 0.965, "", fontsize=11, weight="bold", va="top"))
        self.caption = moving(stamped(fig, 0.012, 0.895, "", fontsize=10, va="top"))
        epochs = np.arange(EPOCHS + 1)

        ax = self.ax_lr = fig.add_axes((0.06, 0.13, 0.25, 0.6))
        ax.set_xlim(0, EPOCHS)
        ax.set_xlabel("epoch")
        ax.set_title("learning rate of each epoch", fontsize=10, loc="left")
        self.lr_constant = ax.plot([], [], color=style.GREY, lw=1.5, ls="--", drawstyle="steps-post")[0]
        self.lr_line = ax.plot([], [], color=style.BLUE, lw=2.0, drawstyle="steps-post")[0]
        self.lr_now = moving(ax.axvline(0, color=style.BLACK, lw=0.8, alpha=0.6))
        self.epochs = epochs

        ax = self.ax_path = fig.add_axes((0.39, 0.13, 0.6 * 4.0 / 11.0, 0.6))
        w_best, b_best = least_squares()
        ww, bb = np.meshgrid(np.linspace(w_best - ZOOM, w_best + ZOOM, 121),
                             np.linspace(b_best - ZOOM, b_best + ZOOM, 121))
        ax.contour(ww, bb, line_loss(ww, bb), levels=8, colors=style.GREY, linewidths=0.5, alpha=0.5)
        ax.plot([w_best], [b_best], "*", ms=12, color=style.BLACK, zorder=2)  # under the clouds
        self.cloud_constant = moving(ax.plot([], [], "o", ms=3, color=style.GREY, mew=0, zorder=3)[0])
        self.cloud = moving(ax.plot([], [], "o", ms=3, color=style.BLUE, mew=0, zorder=4)[0])
        self.far = moving(stamped(ax, w_best, b_best + 0.8 * ZOOM, "", fontsize=8.5, ha="center", va="center"))
        ax.set_xlim(w_best - ZOOM, w_best + ZOOM)
        ax.set_ylim(b_best - ZOOM, b_best + ZOOM)
        ax.set_xlabel("weight w")
        ax.set_ylabel("bias b", labelpad=0)
        ax.set_title("(w, b) near the best line (★),\nthis epoch's updates", fontsize=10, loc="left")

        ax = self.ax_loss = fig.add_axes((0.67, 0.13, 0.31, 0.6))
        ax.set_yscale("log")
        ax.set_xlim(0, EPOCHS)
        ax.set_ylim(1e-8, 10)
        ax.set_yticks([1e-8, 1e-6, 1e-4, 1e-2, 1])
        ax.set_xlabel("epoch")
        ax.set_title("loss above the lowest possible", fontsize=10, loc="left")
        ax.grid(True, which="major", axis="y", color=style.LIGHT, lw=0.8)
        ax.set_axisbelow(True)
        self.loss_constant = moving(ax.plot([], [], color=style.GREY, lw=1.0)[0])
        self.loss_line = moving(ax.plot([], [], color=style.BLUE, lw=1.2)[0])
        ax.text(0.03, 0.11, "— with the schedule", transform=ax.transAxes, color=style.BLUE, fontsize=8.5,
                ha="left", va="bottom")  # bottom left: no curve goes there
        ax.text(0.03, 0.03, "— constant lr", transform=ax.transAxes, color="#666666", fontsize=8.5,
                ha="left", va="bottom")

    def draw_background(self) -> None:
        schedule, lr = self.values["schedule"], self.values["lr"]
        ax = self.ax_lr
        constant, rates = learning_rates("constant", lr), learning_rates(schedule, lr)
        self.lr_constant.set_data(self.epochs, np.append(constant, constant[-1]))
        self.lr_line.set_data(self.epochs, np.append(rates, rates[-1]))
        ax.set_ylim(0, 1.15 * max(rates.max(), lr))

    def draw(self) -> None:
        schedule, lr, epoch = self.values["schedule"], self.values["lr"], self.values["step"]
        last = epoch * UPDATES
        first = max(last - UPDATES, 0)  # this epoch's updates: the cloud
        t = np.arange(last + 1) / UPDATES
        for kind, cloud, curve in (("constant", self.cloud_constant, self.loss_constant),
                                   (schedule, self.cloud, self.loss_line)):
            path, excess = excess_loss(kind, lr)
            cloud.set_data(path[first:last + 1, 0], path[first:last + 1, 1])
            inside = np.all(np.abs(path[first:last + 1] - least_squares()) <= ZOOM, axis=1)
            if kind == schedule:
                self.far.set_text("" if inside.any() or epoch == 0 else
                                  "(w, b) is still outside\nthis window")
            curve.set_data(t, np.maximum(excess[:last + 1], 1e-12))
        self.lr_now.set_xdata([epoch, epoch])
        code, _ = SCHEDULES[schedule]
        rates = learning_rates(schedule, lr)
        _, mine = excess_loss(schedule, lr)
        _, theirs = excess_loss("constant", lr)
        self.header.set_text(f"{code}, base lr {lr:.3g}")
        when = f"epoch {epoch} of {EPOCHS}, its lr {rates[epoch - 1]:.3g}" if epoch else \
            f"before training (first lr {rates[0]:.3g})"
        self.caption.set_text(f"{when}: loss above the lowest {mine[last]:.1e} "
                              f"(constant lr: {theirs[last]:.1e})")

    def storyboard(self) -> Iterator[tuple[dict, int]]:
        # the constant learning rate is in every frame, in grey
        for schedule in ("step", "cosine", "warmup"):
            for epoch in range(0, EPOCHS + 1, 2):
                yield dict(schedule=schedule, lr=0.1, step=epoch), 2000 if epoch == EPOCHS else 180
