"""Early stopping: stop training when the validation loss has stopped improving.

:class:`EarlyStoppingScene` shows the chapter's overfitting problem
(:mod:`course_utils.overfitting`: a 2-32-32-1 network on 40 noisy points) trained twice
with the same seeds: once for all 1,000 epochs, and once with the engine's
``EarlyStopping(patience=k)`` as a callback of ``fit``. After every epoch the callback
compares the validation loss ``v`` with the best seen so far::

    if v < best:  best, best_epoch, wait = v, epoch, 0      # an improvement: keep the weights
    else:         wait += 1                                 # one more epoch without one
    if wait == patience:  stop (and, with restore, load the weights of best_epoch)

So it stops ``patience`` epochs after the best epoch, and what it hands back is the model
of the best epoch (restore) or of the stop epoch (no restore). Training is deterministic:
up to the stop, the two runs are the same run. Prechelt ("Early stopping - but when?",
1998) compares rules of this kind; "patience" is the name Keras and PyTorch Lightning use.

Left: the training and validation loss over the epochs, on a square-root scale (the
snapshots, spaced quadratically, are evenly spaced on it, and the first few hundred
epochs, where early stopping acts, get room). The shaded band is the patience window: from the
best epoch so far, ``patience`` epochs long; its darker part is the epochs waited.
Right: the decision region with early stopping (while training, then the model it
leaves) and without it, with each model's validation loss and accuracy.

``step`` walks the snapshots: the recorded moments plus the best and the stop epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data, overfitting as O, runs, style
from ..nn.regularization import EarlyStopping
from ..scene import Param, Scene
from ..stamps import StampedLine
from .epochs import PLANE, REGION_RES, probability

PATIENCES = (5, 10, 20, 50, 100, 200)
PATIENCE = 20
#: The largest snapshot index: the run's moments plus the best and the stop epoch.
STEPS = O.SNAPSHOTS + 2
EPOCH_TICKS = (0, 10, 50, 100, 250, 500, 1000)
LOSS_TOP = 1.6  # the loss axis goes from 0 to here
ROOM = 26  # from this epoch on, the patience window's label fits left of the best line


@dataclass(frozen=True)
class Stopping:
    """Where the engine's early stopping stopped the problem's training, and what it left.

    ``best`` and ``stop`` are the stopper's ``best_epoch`` and ``stopped_epoch``; ``run``
    is the run stopped early (its curves end at ``stop``; its last snapshot is the model
    it leaves, from epoch ``left``); ``frames`` the epochs the scene's snapshots show.
    """

    patience: int
    restore: bool
    best: int
    stop: int
    run: runs.Run
    frames: tuple

    @property
    def left(self) -> int:
        return self.best if self.restore else self.stop


def stopping(patience: int, restore: bool = True) -> Stopping:
    """Train (once: cached) with ``EarlyStopping(patience)`` and read where it stopped."""
    if patience not in PATIENCES or restore not in (True, False):
        raise ValueError(f"patience must be one of {list(PATIENCES)} and restore True or False; "
                         f"got {patience!r} and {restore!r}")
    restored, kept = O.train(patience=patience, restore=True), O.train(patience=patience, restore=False)
    if not kept.message:
        raise ValueError(f"with patience {patience}, training never stopped early")
    best, stop = restored.moments[-1], kept.moments[-1]  # the epochs of the models they leave
    frames = tuple(sorted(set(O.MOMENTS) | {best, stop}))
    return Stopping(patience, restore, best, stop, restored if restore else kept, frames)


def snapshot_at(patience: int, epoch: int) -> tuple[runs.Run, int]:
    """``(run, k)``: recorded weights after ``epoch`` epochs of training, the plain run's at
    its moments, the runs stopped early at their best and stop epochs (up to the stop,
    all runs are the same run)."""
    plain = O.train()
    if epoch in plain.moments:
        return plain, plain.moments.index(epoch)
    for restore in (True, False):
        run = O.train(patience=patience, restore=restore)
        if run.moments[-1] == epoch:
            return run, len(run.snapshots) - 1
    raise ValueError(f"no weights were kept after epoch {epoch}")


def counter(val_loss: np.ndarray, patience: int, epoch: int) -> EarlyStopping:
    """The engine's ``EarlyStopping`` after it was given the validation losses of epochs
    1 to ``epoch`` (it never sees epoch 0, the untrained model), or until it asked to
    stop: read its ``best_epoch``, ``wait`` and ``stopped_epoch``."""
    stopper = EarlyStopping(patience=patience)
    for loss in val_loss[1:epoch + 1]:
        if stopper.update(loss):
            break
    return stopper


def _sqrt(e):
    return np.sqrt(np.maximum(e, 0.0))


class EarlyStoppingScene(Scene):
    """The losses of the overfitting problem, where early stopping stops, and the model it
    leaves against the one trained for all the epochs.

    Parameters: ``patience`` (epochs without improvement before stopping), ``restore``
    (restore the best weights at the stop, or keep the last) and ``step``: snapshot 0 to
    ``K`` (the moments of the run, the best and the stop epoch; ``K`` is 41 or 42).
    """

    params = (
        Param("patience", PATIENCE, options=PATIENCES, slider=True, label="patience (epochs)"),
        Param("restore", True, options=(("yes", True), ("no", False)), label="restore best weights"),
        Param("step", STEPS, 0, STEPS, 1, integer=True, label="snapshot"),
    )
    size = (11.0, 4.6)
    gif_name = "early_stopping"
    gif_one_palette = True  # the shaded regions and anti-aliased text: many colours

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        # the heading, one line per colour (only one shows): numbers stamped digit by digit
        self.headings = {colour: moving(StampedLine(fig, 0.012, 0.955, pieces=7, fontsize=12, weight="bold",
                                                    va="center", color=colour))
                         for colour in (style.BLACK, style.TEXT_GREEN, style.TEXT_ORANGE, style.TEXT_VERMILLION)}
        sizes = "-".join(map(str, O.SIZES))
        fig.text(0.012, 0.89, f"a {sizes} network ({O.ACTIVATION}) on {O.N_TRAIN} noisy points of the two "
                 f"moons (\u25cf), validated on {O.N_VAL} new points (\u25cb); full-batch Adam, lr "
                 f"{O.LEARNING_RATE}", fontsize=9.5, va="center")

        # (a) the losses over the epochs
        ax = self.ax_loss = fig.add_axes([0.055, 0.12, 0.45, 0.6])
        ax.set_xscale("function", functions=(_sqrt, np.square))
        ax.set_xlim(0, O.EPOCHS)
        ax.set_ylim(0, LOSS_TOP)
        ax.set_xticks(EPOCH_TICKS)
        ax.set_xlabel("epoch (square-root scale)")
        ax.set_ylabel("loss (binary cross-entropy)")
        plain = O.train()
        epochs = np.arange(O.EPOCHS + 1)
        self.train_faint = ax.plot(epochs, plain.curves["train_loss"], color=style.BLUE, lw=1.2, alpha=0.25)[0]
        self.val_faint = ax.plot(epochs, plain.curves["val_loss"], color=style.ORANGE, lw=1.2, alpha=0.35)[0]
        self.window = moving(ax.axvspan(0, 1, color=style.ORANGE, alpha=0.13, lw=0))
        self.waited = moving(ax.axvspan(0, 1, color=style.ORANGE, alpha=0.3, lw=0))
        top = ax.get_xaxis_transform()  # x in epochs, y in fractions of the axes' height
        small = {"transform": top, "fontsize": 9, "va": "center", "pieces": 2}
        self.window_texts = moving(*(StampedLine(fig, 0, y, color=style.TEXT_ORANGE, **small) for y in (0.69, 0.62)))
        self.best_line = moving(ax.axvline(0, color=style.GREEN, lw=1.2, ls="--"))
        self.best_text = moving(StampedLine(fig, 0, 1.035, color=style.TEXT_GREEN, **small))
        self.stop_line = moving(ax.axvline(0, color=style.VERMILLION, lw=1.4))
        self.stop_text = moving(StampedLine(fig, 0, 1.035, color=style.TEXT_VERMILLION, **small))
        self.train_curve = moving(ax.plot([], [], color=style.BLUE, lw=2, label="training loss")[0])
        self.val_curve = moving(ax.plot([], [], color=style.ORANGE, lw=2, label="validation loss")[0])
        self.train_after, self.val_after = (
            moving(ax.plot([], [], color=c, lw=1.4, ls=(0, (4, 2)))[0]) for c in (style.BLUE, style.ORANGE))
        ax.plot([], [], color=style.GREY, lw=1.4, ls=(0, (4, 2)), label="without early stopping")
        self.best_dot = moving(ax.plot([], [], "o", ms=6, mfc="white", mec=style.GREEN, mew=1.5)[0])
        self.now_line = moving(ax.axvline(0, color=style.BLACK, lw=0.8))
        self.now_dots = moving(ax.plot([], [], "o", ms=5, color=style.BLACK, zorder=5, clip_on=False)[0])
        ax.legend(loc="upper left", bbox_to_anchor=(0.5, 1.02), frameon=False, fontsize=9)

        # (b) the two decision regions: with early stopping, and without
        fw, fh = fig.get_size_inches()
        side, width = 0.5, 0.5 * fh / fw
        x, y, x_val, y_val = O.problem()
        self.panels = []
        for i, (left, name) in enumerate(((0.575, "with early stopping"), (0.79, "without early stopping"))):
            axr = fig.add_axes([left, 0.2, width, side])
            image = moving(axr.imshow(np.zeros((REGION_RES, REGION_RES, 4), np.uint8), origin="lower",
                                      extent=(-PLANE, PLANE, -PLANE, PLANE), interpolation="nearest"))
            # the points as markers of lines, one per class (much faster to draw than scatters)
            for points, labels, look in ((x_val, y_val, dict(ms=3.0, mew=0.5, mfc="none")),
                                         (x, y, dict(ms=5.5, mew=0.8, mec=style.BLACK))):
                for label, colour in ((0, style.VERMILLION), (1, style.BLUE)):
                    mine = points[labels[:, 0] == label]
                    moving(axr.plot(mine[:, 0], mine[:, 1], "o", ls="none", color=colour, **look)[0])
            style.plane_axes(axr, PLANE)
            if i:
                axr.set_yticklabels([])
                axr.set_ylabel("")
            centre = left + width / 2
            fig.text(centre, 0.8, name, fontsize=10, weight="bold", ha="center", va="center")
            lines = moving(*(StampedLine(fig, centre, y, pieces=2, ha="center", fontsize=9, va="center")
                             for y in (0.745, 0.075, 0.035)))
            self.panels.append((image, *lines))
        self._grid = data.grid(REGION_RES, PLANE)
        self._grids: dict = {}  # what was drawn -> (P(class 1) over the grid, its colours)

    def step_max(self) -> int:
        return len(stopping(self.values["patience"]).frames) - 1

    def limits(self) -> dict:
        return {"step": self.step_max()}

    def linked(self, changes: dict) -> dict:
        """A new patience keeps the snapshot nearest the epoch shown (the end stays the end)."""
        if "patience" not in changes or "step" in changes:
            return {}
        before = self.values_before
        epoch = stopping(before["patience"]).frames[before["step"]]
        frames = np.array(stopping(self.values["patience"]).frames)
        return {"step": int(np.argmin(np.abs(frames - epoch)))}

    def draw(self) -> None:
        v = self.values
        s = stopping(v["patience"], v["restore"])
        k = v["step"]
        epoch = s.frames[k]
        upto = min(epoch, s.stop)  # the run stopped early is over at the stop
        stopper = counter(s.run.curves["val_loss"], s.patience, upto)
        self._draw_curves(s, epoch)
        self._draw_window(s, epoch, stopper)
        self._draw_heading(s, k, epoch, stopper)
        self._draw_regions(s, epoch)

    def _draw_curves(self, s: Stopping, epoch: int) -> None:
        plain = O.train().curves
        upto = min(epoch, s.stop)
        epochs = np.arange(upto + 1)
        self.train_curve.set_data(epochs, s.run.curves["train_loss"][:upto + 1])
        self.val_curve.set_data(epochs, s.run.curves["val_loss"][:upto + 1])
        after = np.arange(s.stop, epoch + 1) if epoch > s.stop else np.arange(0)
        self.train_after.set_data(after, plain["train_loss"][after])
        self.val_after.set_data(after, plain["val_loss"][after])
        self.now_line.set_xdata([epoch, epoch])
        self.now_dots.set_data([epoch, epoch], [plain["train_loss"][epoch], plain["val_loss"][epoch]])

    def _draw_window(self, s: Stopping, epoch: int, stopper: EarlyStopping) -> None:
        best, wait, stopped = stopper.best_epoch, stopper.wait, stopper.stopped_epoch
        for artist in (self.best_line, self.best_dot, self.best_text, self.window, self.waited, *self.window_texts):
            artist.set_visible(epoch > 0)
        self.best_line.set_xdata([best, best])
        self.best_dot.set_data([best], [s.run.curves["val_loss"][best]])
        self.window.set_x(best)
        self.window.set_width(s.patience)
        self.waited.set_x(best)
        self.waited.set_width(wait)
        # "best" left of its line once "stop" is right of its own; the window's label left
        # of the best line where there is room, else right of the window
        self.best_text.ha = "right" if stopped else "left"
        self.best_text.set_position((best, 1.035))
        self.best_text.set("best: epoch {} " if stopped else " best so far: epoch {}", str(best))
        room = best >= ROOM
        for line, (template, number) in zip(self.window_texts, (("patience {}", s.patience), ("waited {}", wait))):
            line.ha = "right" if room else "left"
            line.set_position((best if room else best + s.patience, line.position[1]))
            line.set(template + " " if room else " " + template, str(number))
        for artist in (self.stop_line, self.stop_text):
            artist.set_visible(bool(stopped))
        self.stop_line.set_xdata([s.stop, s.stop])
        self.stop_text.set_position((s.stop, 1.035))
        self.stop_text.set(" stop: epoch {}", str(s.stop))

    def _draw_heading(self, s: Stopping, k: int, epoch: int, stopper: EarlyStopping) -> None:
        best, wait, stopped = stopper.best_epoch, stopper.wait, stopper.stopped_epoch
        if epoch == 0:
            text, more, colour = "before training", (), style.BLACK
        elif not stopped and wait == 0:
            text = "the validation loss improved: the best so far (its weights are kept)"
            more, colour = (), style.TEXT_GREEN
        elif not stopped:
            text = "no improvement for {} of {} epochs (best: epoch {})"
            more, colour = (wait, s.patience, best), style.TEXT_ORANGE
        elif epoch == s.stop:
            then = "restore the weights of epoch {}" if s.restore else "keep the last weights"
            text = "{} epochs without improvement: stop, " + then
            more, colour = (s.patience, best)[:1 + s.restore], style.TEXT_VERMILLION
        else:
            text = "stopped at epoch {}; without early stopping, training goes on"
            more, colour = (s.stop,), style.BLACK
        for key, line in self.headings.items():
            line.set_visible(key == colour)
        numbers = (k, len(s.frames) - 1, epoch, *more)
        self.headings[colour].set("snapshot {} of {}, epoch {}: " + text, *map(str, numbers))

    def _region(self, key, run: runs.Run, k: int) -> np.ndarray:
        if key not in self._grids:
            p = probability(run, k, self._grid).reshape(REGION_RES, REGION_RES)
            self._grids[key] = p, style.REGION(p, bytes=True)  # coloured once: faster to draw
        return self._grids[key]

    def _draw_regions(self, s: Stopping, epoch: int) -> None:
        """With early stopping: training, then the model it leaves; without: training on."""
        shown = snapshot_at(s.patience, epoch)
        state = "untrained" if epoch == 0 else "the end" if epoch == O.EPOCHS else "training"
        right = shown, ("at", epoch), ("epoch {}: " + state, epoch)
        if epoch < s.stop:
            left = right
        else:
            why = "the best, restored" if s.restore else "where it stopped"
            left = (s.run, -1), ("left", s.patience, s.restore), ("epoch {}: " + why, s.left)
        self.probabilities = []  # P(class 1) over the grid, as drawn in each panel
        for (image, when, loss, accuracy), ((run, i), key, (template, number)) in zip(self.panels, (left, right)):
            p, colours = self._region(key, run, i)
            self.probabilities.append(p)
            image.set_data(colours)
            when.set(template, str(number))
            loss.set("validation loss {}", f"{run.curve_at('val_loss', i):.3f}")
            accuracy.set("accuracy {}%", f"{100 * run.curve_at('val_accuracy', i):.1f}")

    def storyboard(self):
        # the default setting, snapshot by snapshot up to the stop, then every third one
        # to the end; it pauses at the start, at the best epoch, at the stop and at the end
        patience, restore = PATIENCE, self.param("restore").default
        s = stopping(patience, restore)
        last, at_stop = len(s.frames) - 1, s.frames.index(s.stop)
        for k, epoch in enumerate(s.frames):
            if k > at_stop and (k - at_stop) % 3 and k != last:
                continue
            hold = (1500 if k == 0 else 2200 if epoch == s.best else 3000 if epoch == s.stop
                    else 3000 if k == last else 250)
            yield {"patience": patience, "restore": restore, "step": k}, hold
