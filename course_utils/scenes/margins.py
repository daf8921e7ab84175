"""Three losses for one classifier: where each one puts the boundary, and how sure it gets.

:class:`MarginsScene` (GIF ``imgs/margins.gif``) trains the same small network (a
2-8-1 tanh network, the same starting weights) on the same 30 points (two moons, a
little noise, separable by the network) with full-batch Adam, three times: once for each
loss, all from the engine.

* ``nn.MSELoss`` on the output ``o`` against targets 0 and 1 (class 1 where ``o > 0.5``);
* ``nn.BCEWithLogitsLoss`` on the logit ``s`` against targets 0 and 1 (class 1 where
  ``s > 0``);
* ``nn.HingeLoss`` on the score ``s`` against targets -1 and +1: ``max(0, 1 - y s)``.

To draw the three on one scale, each panel uses a **score** ``s``: the logit for BCE,
the output for hinge, and ``s = 2 o - 1`` for MSE (its targets 0 and 1 become -1 and
+1). Each panel shades the side of the **boundary** ``s = 0`` (black line) the network
puts a point on, and paler the **band** ``|s| < 1`` between the dashed lines
``s = -1`` and ``s = +1``. For hinge this band is the margin: a point pays until it is
outside it, on its own side. For BCE it is where ``P(class 1) = sigmoid(s)`` lies
between 0.27 and 0.73. For MSE it is where the output lies between the two targets.

Below, the scores of the training points, class 1 up and class 0 down, show what each
loss does once every point is right:

* hinge **stops**: a point outside the band costs nothing, so when all are outside the
  gradient is 0 and the network no longer changes (the margin idea of support vector
  machines: Cortes & Vapnik, "Support-vector networks", 1995);
* cross-entropy **never stops** on separable data: ``-ln sigmoid(y s)`` gets smaller
  for every larger ``y s``, so the scores grow without bound and the network grows
  ever more sure (Soudry et al., "The implicit bias of gradient descent on separable
  data", 2018). Its probabilities head for 0 and 1, too sure to be calibrated;
* MSE pulls every output **to its target**, and punishes an output beyond it: a point
  that is "too right" (``o > 1`` for class 1) costs as much as one that falls short.

Hinge gives no probability at all, only a side and a distance; BCE's ``sigmoid(s)`` is
one; MSE's output, clipped to [0, 1], can be read as one.

Each loss is trained once (:func:`train`, cached in :data:`course_utils.runs.cache`) and
recorded after every epoch; ``step`` replays the epochs.
"""

from __future__ import annotations

from functools import lru_cache

import contourpy
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.image import AxesImage
from matplotlib.transforms import Bbox, IdentityTransform

from .. import data, nn, runs, style
from ..nn import optim
from ..nn.functional import sigmoid
from ..scene import Param, Scene
from ..stamps import StampedLine

#: The losses, in the order of the panels (see :func:`criterion`).
LOSSES = ("mse", "bce", "hinge")
TITLES = {"mse": "MSELoss, targets 0 and 1", "bce": "BCEWithLogitsLoss, targets 0 and 1",
          "hinge": "HingeLoss, targets \u22121 and +1"}
SCORE_NAMES = {"mse": "s = 2\u00b7output \u2212 1", "bce": "s = the logit", "hinge": "s = the output"}
N_POINTS, NOISE, DATA_SEED = 30, 0.15, 0
INIT_SEEDS = (1, 2)  # of the two Linear layers: every loss starts from the same network
HIDDEN = 8
LR = 0.03
EPOCHS = 500
#: The input plane drawn, and the grid the scores are computed on.
X_RANGE, Y_RANGE = (-2.5, 2.5), (-1.75, 1.75)
GRID = (101, 71)
#: The histogram of scores: bins of SCORE_BIN over [-SCORE_MAX, SCORE_MAX]; scores beyond
#: are counted in the end bins.
SCORE_MAX, SCORE_BIN = 12.0, 0.5
#: What the line above each histogram says the network's probability is; its mean follows.
NOTES = {"mse": "as P: clip(output, 0, 1); mean", "bce": "as P: sigmoid(s); mean",
         "hinge": "no P (sigmoid(s) would say"}
#: The four shades: class 0 beyond the band, class 0 in it, class 1 in it, class 1 beyond.
SHADES = ListedColormap(["#F5C3A1", "#FCE8DA", "#DDEBF5", "#A8CDE8"])


@lru_cache(maxsize=1)
def points() -> tuple[np.ndarray, np.ndarray]:
    """The training points ``x`` (30, 2) and their classes ``y`` (30,), 0 or 1 (read only)."""
    x, y = data.moons(N_POINTS, NOISE, rng=DATA_SEED)
    x.flags.writeable = y.flags.writeable = False
    return x, y


def network() -> nn.Sequential:
    """The 2-8-1 tanh network, the same starting weights every time."""
    return nn.Sequential(nn.Linear(2, HIDDEN, rng=INIT_SEEDS[0]), nn.Tanh(),
                         nn.Linear(HIDDEN, 1, rng=INIT_SEEDS[1]))


def criterion(loss: str):
    """The engine's loss module for ``loss`` ("mse", "bce" or "hinge")."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {list(LOSSES)}, got {loss!r}")
    return {"mse": nn.MSELoss, "bce": nn.BCEWithLogitsLoss, "hinge": nn.HingeLoss}[loss]()


def targets(loss: str, y) -> np.ndarray:
    """The targets ``loss`` is trained on, shape (n, 1): 0/1 for MSE and BCE, -1/+1 for hinge."""
    y = np.asarray(y, dtype=float)[:, None]
    return 2.0 * y - 1.0 if loss == "hinge" else y


@runs.cache
def train(loss: str) -> runs.Run:
    """Train :func:`network` on :func:`points` with ``loss`` and full-batch Adam (lr
    ``LR``) for ``EPOCHS`` epochs; keep the weights after every epoch."""
    fn = criterion(loss)
    x, y = points()
    model = network()
    return runs.record(model, fn, optim.Adam(model.parameters(), lr=LR), x, targets(loss, y),
                       epochs=EPOCHS, at=range(EPOCHS + 1))


def score(loss: str, epoch: int, x) -> np.ndarray:
    """The score ``s`` at the points ``x`` (n, 2) after ``epoch`` epochs: the network's
    output (logit) for BCE and hinge, ``2 output - 1`` for MSE. Shape (n,)."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"give points as an array of shape (n, 2), got shape {x.shape}")
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or not 0 <= epoch <= EPOCHS:
        raise ValueError(f"epoch must be a whole number from 0 to {EPOCHS}, got {epoch!r}")
    out = train(loss).at(int(epoch))(x)[:, 0]
    return 2.0 * out - 1.0 if loss == "mse" else out


def margins(loss: str, epoch: int) -> np.ndarray:
    """``y s`` of each training point (``y`` = -1 or +1): above 0 right, above 1 outside the band."""
    x, y = points()
    return (2.0 * y - 1.0) * score(loss, epoch, x)


def confidence(loss: str, epoch: int) -> float:
    """The mean probability each network gives its training points' own classes:
    ``sigmoid(y s)`` for BCE (and for hinge, though nothing fitted it there), the output
    clipped to [0, 1] for MSE."""
    return _confidence(loss, margins(loss, epoch))


def _confidence(loss: str, m: np.ndarray) -> float:
    if loss == "mse":
        return float(np.mean(np.clip((1.0 + m) / 2.0, 0.0, 1.0)))
    return float(np.mean(sigmoid(m)))


def level_lines(grid_x, grid_y, values, *levels: float) -> np.ndarray:
    """The lines where ``values`` (shape (len(grid_y), len(grid_x))) crosses each of
    ``levels``, as one array of points (m, 2) with a row of NaN between lines (for one
    ``Line2D``)."""
    return _joined(contourpy.contour_generator(grid_x, grid_y, values, line_type=contourpy.LineType.Separate),
                   levels)


def _joined(generator, levels) -> np.ndarray:
    """The lines of a contourpy generator at ``levels``, joined with rows of NaN."""
    pieces = []
    for level in levels:
        for line in generator.lines(level):
            pieces += [line, np.full((1, 2), np.nan)]
    return np.concatenate(pieces) if pieces else np.empty((0, 2))


class Shading(AxesImage):
    """An image of a few flat shades (small whole numbers through a colormap) that fills
    its axes, resampled nearest-neighbour with numpy: what ``imshow(...,
    interpolation="nearest")`` draws, pixel for pixel, without the general resampling
    (measured: 3 ms a frame for each image there, 0.5 ms here).

    For Agg at magnification 1; anything else is drawn by :class:`AxesImage` itself.
    """

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        if unsampled or magnification != 1.0 or not isinstance(renderer, RendererAgg):
            return super().make_image(renderer, magnification, unsampled)
        codes = np.asarray(self.get_array())
        whole = self.get_window_extent(renderer)  # the extent, in pixels
        box = Bbox.intersection(whole, self.get_clip_box() or self.axes.bbox)
        if box is None or box.width < 1 or box.height < 1:
            return None, 0, 0, None
        # the cell under the centre of each pixel, as Agg's nearest-neighbour filter picks it
        # (the same pixels), rows bottom up as Agg pastes them
        x0, y0 = np.floor(box.x0), np.floor(box.y0)
        width, height = int(np.ceil(box.width)), int(np.ceil(box.height))
        cols = np.floor((x0 + np.arange(width) + 0.5 - whole.x0) * (codes.shape[1] / whole.width)).astype(int)
        rows = np.floor((y0 + np.arange(height) + 0.5 - whole.y0) * (codes.shape[0] / whole.height)).astype(int)
        rows = np.clip(rows, 0, codes.shape[0] - 1)
        if self.origin == "upper":
            rows = codes.shape[0] - 1 - rows
        cols = np.clip(cols, 0, codes.shape[1] - 1)
        # each shade's RGBA as one 32-bit number: picking them is one gather per pixel
        shades = np.ascontiguousarray(self.to_rgba(np.arange(codes.max() + 1), bytes=True)).view(np.uint32)[:, 0]
        pixels = shades[codes].take(rows, axis=0).take(cols, axis=1)
        return pixels.view(np.uint8).reshape(height, width, 4), x0, y0, IdentityTransform()


class Pasted(Artist):
    """A still artist that is drawn over moving ones (the training points over a shading
    that changes every frame): drawn once alone on a transparent canvas, then pasted as
    pixels (measured: about 1 ms a frame for a scatter of 30 points drawn, 0.05 ms pasted).
    The artist itself is left out of the background (``animated``); mark this one with
    ``scene.moving``."""

    def __init__(self, artist):
        super().__init__()
        artist.set_animated(True)
        self.artist = artist
        self._pixels: dict = {}  # (width, height, dpi) -> (rgba rows bottom up, left, bottom)

    def draw(self, renderer) -> None:
        if not isinstance(renderer, RendererAgg):
            return self.artist.draw(renderer)
        key = (renderer.width, renderer.height, renderer.dpi)
        if key not in self._pixels:
            width, height = int(renderer.width), int(renderer.height)
            alone = RendererAgg(width, height, renderer.dpi)
            self.artist.draw(alone)
            rgba = np.asarray(alone.buffer_rgba())
            rows, cols = np.nonzero(rgba[..., 3])
            if not len(rows):
                self._pixels[key] = None
            else:
                top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
                self._pixels[key] = (rgba[top:bottom, left:right][::-1].copy(), left, height - bottom)
        if self._pixels[key] is not None:
            pixels, left, bottom = self._pixels[key]
            gc = renderer.new_gc()
            renderer.draw_image(gc, left, bottom, pixels)
            gc.restore()
        self.stale = False


class MarginsScene(Scene):
    """The same network trained under MSE, cross-entropy and hinge: boundaries, bands and
    the scores of the training points, epoch by epoch.

    Parameter: ``step``, the epoch shown (0 to ``EPOCHS``).
    """

    params = (Param("step", EPOCHS, 0, EPOCHS, 1, integer=True, label="epoch"),)
    size = (10.0, 5.6)
    gif_name = "margins"
    gif_one_palette = True  # four flat shades, two point colours and text

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        # the epoch: words from one template, the number monospaced (see StampedLine)
        self.header = moving(StampedLine(fig, 0.012, 0.975, pieces=2, fontsize=12, weight="bold", va="top"))
        fig.text(0.988, 0.972, f"one 2-{HIDDEN}-1 tanh network, one start, {N_POINTS} points (two moons), "
                 f"full-batch Adam (lr {LR}): only the loss differs", fontsize=10, va="top", ha="right")
        fig.text(0.012, 0.925, "shaded: the class the network picks (blue 1, vermillion 0); paler: the band "
                 "|s| < 1 between the dashed lines s = \u00b11; black: the boundary s = 0",
                 fontsize=9, va="top", color="#404040")
        fig.text(0.5, 0.008, "below: the score s of each training point, class 1 up and class 0 down, and the "
                 "mean probability each network gives the points' own classes", fontsize=9, va="bottom",
                 ha="center", color="#404040")
        self.grid_x, self.grid_y = np.linspace(*X_RANGE, GRID[0]), np.linspace(*Y_RANGE, GRID[1])
        gx, gy = np.meshgrid(self.grid_x, self.grid_y)
        x, y = points()
        self._grid_and_points = np.concatenate([np.column_stack([gx.ravel(), gy.ravel()]), x])
        self.edges = np.arange(-SCORE_MAX, SCORE_MAX + SCORE_BIN / 2, SCORE_BIN)
        renderer = fig.canvas.get_renderer()
        width = 0.276
        self.panels = {}
        for i, loss in enumerate(LOSSES):
            left = 0.045 + i * 0.325
            panel = self.panels[loss] = {}
            fig.text(left, 0.868, TITLES[loss], fontsize=10, weight="bold", va="top")
            # a small table: static headings, moving numbers (monospaced: see StampedLine)
            panel["stats"] = []
            for column, heading in zip((0.0, 0.24, 0.43, 0.72), ("loss", "right", "in the band", "smallest y\u00b7s")):
                fig.text(left + column * width, 0.822, heading, fontsize=8, va="top", color=style.GREY)
                panel["stats"].append(moving(StampedLine(fig, left + column * width, 0.79, pieces=0, fontsize=9, va="top")))
            ax = panel["ax"] = fig.add_axes((left, 0.40, width, 0.345))
            image = panel["image"] = moving(Shading(ax, cmap=SHADES, norm=Normalize(-0.5, 3.5), origin="lower",
                                                    extent=(*X_RANGE, *Y_RANGE), interpolation="nearest"))
            image.set_data(np.zeros(GRID[::-1], dtype=int))
            image.set_clip_path(ax.patch)
            ax.add_image(image)
            panel["band"] = moving(ax.plot([], [], color="#505050", lw=1.0, ls="--")[0])
            panel["boundary"] = moving(ax.plot([], [], color=style.BLACK, lw=1.8)[0])
            moving(Pasted(ax.scatter(x[:, 0], x[:, 1], s=26, c=style.class_colours(y), edgecolors=style.BLACK,
                                     linewidths=0.7, zorder=4)))
            ax.set_xlim(*X_RANGE)
            ax.set_ylim(*Y_RANGE)
            ax.set_xticks([-2, 0, 2], labels=["\u22122", "0", "2"])
            ax.set_yticks([-1, 0, 1], labels=["\u22121", "0", "1"])
            ax.tick_params(labelsize=8, pad=2)

            # the scores of the training points: class 1 up, class 0 down
            colour = style.GREY if loss == "hinge" else style.BLACK
            note = fig.text(left, 0.335, NOTES[loss], fontsize=9, va="top", color=colour)
            end = fig.transFigure.inverted().transform(note.get_window_extent(renderer).p1)[0]
            panel["note"] = moving(StampedLine(fig, end + 0.004, 0.335, pieces=0, fontsize=9, va="top", color=colour))
            hx = panel["hist_ax"] = fig.add_axes((left, 0.125, width, 0.165))
            for at in (-1, 1):
                hx.axvline(at, color="#505050", lw=0.9, ls="--", zorder=0)
            hx.axvline(0, color=style.BLACK, lw=1.2, zorder=0)
            hx.axhline(0, color=style.GREY, lw=0.6, zorder=0)
            zeros = np.zeros(len(self.edges) - 1)
            panel["up"] = moving(hx.stairs(zeros, self.edges, fill=True, color=style.BLUE, lw=0))
            panel["down"] = moving(hx.stairs(zeros, self.edges, fill=True, color=style.VERMILLION, lw=0))
            hx.set_xlim(-SCORE_MAX, SCORE_MAX)
            hx.set_ylim(-N_POINTS // 2 - 1, N_POINTS // 2 + 1)
            ticks = (-12, -8, -4, -1, 1, 4, 8, 12)
            hx.set_xticks(ticks, labels=[f"{t}".replace("-", "\u2212") for t in ticks])
            hx.set_yticks([-10, 0, 10], labels=["10", "0", "10"])
            hx.tick_params(labelsize=8, pad=2)
            hx.set_xlabel(f"score {SCORE_NAMES[loss]}", fontsize=9, labelpad=1)
        self.panels["mse"]["hist_ax"].set_ylabel("points", fontsize=9, labelpad=0)
        self.panels["mse"]["ax"].set_ylabel("x\u2082", labelpad=0)

    def draw(self) -> None:
        epoch = self.values["step"]
        self.header.set("epoch {} of {}", str(epoch), str(EPOCHS))
        x, y = points()
        cells = GRID[0] * GRID[1]
        for loss, panel in self.panels.items():
            run = train(loss)
            both = score(loss, epoch, self._grid_and_points)  # one forward pass: the grid, then the points
            s, at_points = both[:cells].reshape(GRID[::-1]), both[cells:]
            panel["image"].set_data((s >= -1).astype(int) + (s >= 0) + (s >= 1))
            generator = contourpy.contour_generator(self.grid_x, self.grid_y, s,
                                                    line_type=contourpy.LineType.Separate)
            panel["boundary"].set_data(*_joined(generator, (0.0,)).T)
            panel["band"].set_data(*_joined(generator, (-1.0, 1.0)).T)
            m = (2.0 * y - 1.0) * at_points
            numbers = (f"{run.curves['train_loss'][epoch]:.3g}", f"{np.mean(m > 0):.0%}",
                       f"{np.sum(np.abs(m) < 1)}", f"{m.min():.2f}".replace("-", "\u2212"))
            for text, number in zip(panel["stats"], numbers):
                text.set("{}", number)
            shown = np.clip(at_points, -SCORE_MAX + 1e-9, SCORE_MAX - 1e-9)
            panel["up"].set_data(np.histogram(shown[y == 1], self.edges)[0])
            panel["down"].set_data(-np.histogram(shown[y == 0], self.edges)[0])
            sure = _confidence(loss, m)
            panel["note"].set("{}", f"{sure:.3f}" if loss == "bce" else f"{sure:.2f})" if loss == "hinge"
                              else f"{sure:.2f}")

    def storyboard(self):
        # 21 epochs, crowded at the start where the networks change most
        for epoch in sorted(set(runs.schedule(EPOCHS, 20))):
            yield {"step": epoch}, 1500 if epoch == 0 else 3500 if epoch == EPOCHS else 250
