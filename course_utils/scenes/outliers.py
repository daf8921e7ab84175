"""Outliers: one far-off point, and what it does to a line fitted by MSE, MAE or Huber.

Fifteen points lie near the line ``y = 0.5 x + 1`` (``x`` evenly spaced from 0 to 10,
``y`` with a little noise drawn with a fixed seed); a sixteenth, at ``x = 9``, is an
outlier whose height is a slider. A line ``y = w x + b`` (``nn.Linear(1, 1)``) is fitted to all sixteen points
three times, each time by minimising one of the engine's losses of the residuals
``r_i = y_i - (w x_i + b)``:

* ``nn.MSELoss``: the mean of ``r²``;
* ``nn.L1Loss``: the mean of ``|r|`` (the mean absolute error, MAE);
* ``nn.HuberLoss(delta=δ)``: ``r²/2`` while ``|r| <= δ``, ``δ (|r| - δ/2)`` beyond
  (Huber, "Robust Estimation of a Location Parameter", 1964).

Why they differ is in the gradient. Each point pulls on the line with the size of
``dL/dŷ_i`` (what ``criterion.backward()`` returns, here times the 16 points): ``2 |r_i|``
for MSE, which grows with the distance, so one far point pulls as hard as many near ones
together; ``1`` for MAE, whatever the distance, so the outlier is one vote among
sixteen; ``min(|r_i|, δ)`` for Huber, capped at ``δ``. So a small ``δ`` makes Huber
behave like MAE and a large one like MSE (for ``δ`` above every residual it is MSE
halved, with the same minimum).

:class:`OutliersScene` (GIF ``imgs/outliers.gif``) draws, left, the points and the
three lines; right, each point's share of the pull on each line,
``|dL/dŷ_i| / Σ_j |dL/dŷ_j|``, from the engine's backward at the fitted line.
Parameters: ``outlier`` (its height) and ``delta`` (Huber's δ).

Each fit is a real run: :data:`STEPS` full-batch updates of ``nn.optim.Adam`` whose
learning rate falls linearly to 0 (``optim.lr_scheduler.LinearLR``), from ``w = b = 0``.
The model sees ``x`` standardised (mean 0, standard deviation 1), as one would prepare
any network's input; the slope and intercept are then given back in the units of ``x``.
Every fit is cached, so a setting seen once answers at once.
"""

from __future__ import annotations

import functools
from typing import Iterator, NamedTuple

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from .. import nn, style
from ..nn import optim
from ..scene import Param, Scene
from ..stamps import stamped

SEED = 4
SLOPE, INTERCEPT, NOISE = 0.5, 1.0, 0.3  # the fifteen points: y = 0.5 x + 1 + N(0, 0.3²)
N_POINTS = 15
OUTLIER_X = 9.0
IN_LINE = SLOPE * OUTLIER_X + INTERCEPT  # the outlier's height on the points' own line: 5.5
OUTLIER_RANGE = (-10.0, 30.0)
DELTA_RANGE = (0.1, 10.0)
STEPS, LR = 400, 0.2  # each fit: Adam, learning rate falling linearly from LR to 0
LOSSES = ("MSE", "MAE", "Huber")
COLOURS = {"MSE": style.VERMILLION, "MAE": style.BLUE, "Huber": style.GREEN}
LOOKS = {"MSE": dict(lw=3.2, ls="-"), "MAE": dict(lw=2.0, ls="--"), "Huber": dict(lw=2.0, ls="-")}
TEXT_COLOURS = {"MSE": style.TEXT_VERMILLION, "MAE": style.BLUE, "Huber": style.TEXT_GREEN}
CLASSES = {"MSE": "nn.MSELoss", "MAE": "nn.L1Loss", "Huber": "nn.HuberLoss"}
AGREE = 0.02  # slopes this close count as the same line in the caption


class Line(NamedTuple):
    """A fitted line ``y = slope x + intercept``."""

    slope: float
    intercept: float

    def __call__(self, x):
        return self.slope * np.asarray(x, dtype=float) + self.intercept


@functools.lru_cache(maxsize=1)
def inliers() -> tuple[np.ndarray, np.ndarray]:
    """The fifteen points near ``y = 0.5 x + 1``: ``(x, y)``, each shape (15,), by ``x``."""
    x = np.linspace(0.0, 10.0, N_POINTS)
    return x, SLOPE * x + INTERCEPT + np.random.default_rng(SEED).normal(0.0, NOISE, N_POINTS)


def data(outlier: float) -> tuple[np.ndarray, np.ndarray]:
    """All sixteen points, the outlier last: ``(x, y)``, each shape (16,)."""
    if not np.isfinite(outlier):
        raise ValueError(f"the outlier's height must be a finite number, got {outlier!r}")
    x, y = inliers()
    return np.append(x, OUTLIER_X), np.append(y, float(outlier))


def criterion(loss: str, delta: float = 1.0):
    """The engine's loss module for ``"MSE"``, ``"MAE"`` or ``"Huber"`` (with ``delta``)."""
    if loss == "MSE":
        return nn.MSELoss()
    if loss == "MAE":
        return nn.L1Loss()
    if loss == "Huber":
        return nn.HuberLoss(delta=delta)
    raise ValueError(f"the loss must be one of {LOSSES}, got {loss!r}")


@functools.lru_cache(maxsize=512)
def fit(loss: str, outlier: float, delta: float = 1.0) -> Line:
    """The line that minimises ``loss`` over the sixteen points: a real training run of
    ``nn.Linear(1, 1)`` (``STEPS`` full-batch Adam updates, cached per argument)."""
    x, y = data(outlier)
    mean, std = x.mean(), x.std()
    inputs, targets = ((x - mean) / std)[:, None], y[:, None]  # shapes (16, 1)
    model, loss_fn = nn.Linear(1, 1), criterion(loss, delta)
    model.weight.data[:] = 0.0
    model.bias.data[:] = 0.0
    optimizer = optim.Adam(model.parameters(), lr=LR)
    schedule = optim.lr_scheduler.LinearLR(optimizer, start_factor=1.0, end_factor=0.0, total_iters=STEPS)
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss_fn(model(inputs), targets)
        model.backward(loss_fn.backward())
        optimizer.step()
        schedule.step()
    w, b = float(model.weight.data[0, 0]), float(model.bias.data[0])
    return Line(w / std, b - w * mean / std)  # w (x - mean) / std + b, in the units of x


def pull(loss: str, line: Line, outlier: float, delta: float = 1.0) -> np.ndarray:
    """How hard each point pulls on ``line``: ``|dL/dŷ_i|`` from the engine's backward,
    shape (16,), the outlier last."""
    x, y = data(outlier)
    loss_fn = criterion(loss, delta)
    loss_fn(line(x), y)
    return np.abs(loss_fn.backward())


def shares(loss: str, line: Line, outlier: float, delta: float = 1.0) -> np.ndarray:
    """Each point's share of the pull, ``|dL/dŷ_i| / Σ_j |dL/dŷ_j|``: shape (16,), adds to 1."""
    p = pull(loss, line, outlier, delta)
    return p / p.sum() if p.sum() > 0 else np.full(p.shape, 1.0 / p.size)


def _number(v: float, digits: int = 2) -> str:
    return f"{round(float(v), digits) + 0.0:.{digits}f}".replace("-", "\u2212")


class OutliersScene(Scene):
    """Sixteen points, one of them an outlier of adjustable height, and the lines that
    MSE, MAE and Huber fit to them."""

    params = (
        Param("outlier", 25.0, *OUTLIER_RANGE, 0.5, label="outlier's height"),
        Param("delta", 1.0, *DELTA_RANGE, log=True, label="Huber's δ"),
    )
    gif_name = "outliers"
    gif_one_palette = True
    size = (8.0, 4.4)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fig.text(0.015, 0.965, "One outlier, three losses: the line y = w x + b each one fits",
                 fontsize=11, weight="bold", va="top")
        self.captions = [moving(stamped(fig, 0.015, y, "", fontsize=10, va="top")) for y in (0.9, 0.845, 0.79)]

        ax = self.ax_fit = fig.add_axes((0.07, 0.11, 0.46, 0.58))
        ax.set_xlim(-0.3, 10.3)
        ax.set_ylim(OUTLIER_RANGE[0] - 2, OUTLIER_RANGE[1] + 2)
        ax.set_xticks([0, 5, 10])
        ax.set_yticks([-10, 0, 10, 20, 30], labels=["\u221210", "0", "10", "20", "30"])
        ax.set_xlabel("x", labelpad=1)
        ax.set_ylabel("y", labelpad=0)
        x, y = inliers()
        ax.plot(x, y, "o", color=style.BLACK, ms=5, zorder=3)
        ends = np.array([-0.3, 10.3])
        # drawn in this order, so that a line on top of another leaves both visible
        self.lines = {name: moving(ax.plot(ends, ends * 0, color=COLOURS[name], zorder=2, **LOOKS[name])[0])
                      for name in ("MSE", "Huber", "MAE")}
        self.outlier_mark = moving(ax.plot([], [], "o", ms=9, mfc="white", mec=style.BLACK, mew=2.0,
                                           zorder=4)[0])
        self.outlier_label = moving(stamped(ax, OUTLIER_X - 0.45, 0, "outlier", fontsize=9, ha="right",
                                            va="center"))
        handles = [Line2D([], [], color=COLOURS[n], **LOOKS[n]) for n in LOSSES]
        handles.append(Line2D([], [], ls="none", marker="o", ms=9, mfc="white", mec=style.BLACK, mew=2))
        ax.legend(handles, [f"{n} ({CLASSES[n]})" for n in LOSSES] + ["the outlier"], loc="upper left",
                  fontsize=8, framealpha=0.9, borderpad=0.3, handlelength=2.2)

        ax = self.ax_pull = fig.add_axes((0.65, 0.11, 0.33, 0.58))
        n = N_POINTS + 1
        self.slots = np.append(np.arange(N_POINTS), N_POINTS + 0.6)  # a gap before the outlier
        ax.set_xlim(-0.7, self.slots[-1] + 0.7)
        ax.set_ylim(0, 0.62)
        ax.set_yticks([0, 0.25, 0.5], labels=["0", "25%", "50%"])
        ax.set_xticks([(N_POINTS - 1) / 2, self.slots[-1]], labels=["the 15 points", "outlier"])
        ax.tick_params(axis="x", length=0)
        ax.set_title("each point's share of the pull on each line", fontsize=9, loc="left")
        ax.axhline(1 / n, color=style.GREY, lw=0.9, ls=":", zorder=0)
        ax.text(-0.5, 0.6, "dotted: equal, 1/16", fontsize=8, color=style.GREY, va="top")
        ax.set_ylabel("|∂L/∂ŷᵢ| / Σⱼ |∂L/∂ŷⱼ|", fontsize=8, labelpad=1)
        width = 0.28
        self.bars = {name: [moving(ax.add_patch(Rectangle((s + (k - 1) * width - width / 2, 0), width, 0,
                                                          color=COLOURS[name], lw=0)))
                            for s in self.slots] for k, name in enumerate(LOSSES)}
        self.share_labels = {name: moving(stamped(ax, self.slots[-1] - 1.0, 0, "", fontsize=8, ha="right",
                                                  va="center", color=TEXT_COLOURS[name]))
                             for name in LOSSES}

    def key(self) -> tuple[float, float]:
        """The slider values, rounded as the fits' cache knows them."""
        return round(self.values["outlier"], 3), round(self.values["delta"], 4)

    def fits(self) -> dict[str, Line]:
        """The three fitted lines at the current setting (cached runs)."""
        outlier, delta = self.key()
        return {"MSE": fit("MSE", outlier), "MAE": fit("MAE", outlier), "Huber": fit("Huber", outlier, delta)}

    def draw(self) -> None:
        outlier, delta = self.key()
        lines = self.fits()
        ends = np.array([-0.3, 10.3])
        for name, line in lines.items():
            self.lines[name].set_data(ends, line(ends))
        self.outlier_mark.set_data([OUTLIER_X], [outlier])
        self.outlier_label.set_y(outlier)
        # close to the other points the word would sit on them: the legend names the ring
        self.outlier_label.set_visible(abs(outlier - IN_LINE) > 3)
        outlier_shares = {}
        for name, line in lines.items():
            share = shares(name, line, outlier, delta)
            for bar, h in zip(self.bars[name], share):
                bar.set_height(h)
            outlier_shares[name] = share[-1]
        # the outlier's three shares, written left of its bars, top to bottom in order
        order = sorted(LOSSES, key=lambda n: -outlier_shares[n])
        for k, name in enumerate(order):
            self.share_labels[name].set_y(0.56 - 0.065 * k)
            self.share_labels[name].set_text(f"{name} {100 * outlier_shares[name]:.0f}%")
        texts = (self._slopes(lines, delta), *self._words(lines, outlier, delta))
        for caption, text in zip(self.captions, texts):
            caption.set_text(text)

    @staticmethod
    def _slopes(lines: dict[str, Line], delta: float) -> str:
        return (f"slopes: MSE {_number(lines['MSE'].slope)}, MAE {_number(lines['MAE'].slope)}, "
                f"Huber (δ = {delta:g}) {_number(lines['Huber'].slope)};  "
                f"the 15 points lie near slope {SLOPE:g}")

    @staticmethod
    def _words(lines: dict[str, Line], outlier: float, delta: float) -> tuple[str, str]:
        """Two lines on what the picture shows, from the state alone: MSE against MAE, then
        Huber."""
        mse, mae, huber = (lines[n].slope for n in LOSSES)
        if abs(mse - mae) < AGREE:
            first = "the outlier is nearly in line with the others: MSE and MAE fit the same line"
        else:
            first = ("MSE's pull grows with distance, so its line tilts toward the outlier; "
                     "MAE's is the same for every point")
        x, y = data(outlier)
        beyond = int(np.sum(np.abs(y - lines["Huber"](x)) > delta))
        if beyond == 0:
            return first, (f"Huber (δ = {delta:g}): every residual is within δ, where Huber is MSE halved: "
                           "MSE's line")
        outlier_beyond = abs(outlier - lines["Huber"](OUTLIER_X)) > delta
        who = "only the outlier lies" if beyond == 1 and outlier_beyond else f"{beyond} of the 16 points lie"
        second = f"Huber (δ = {delta:g}): {who} beyond δ, where its pull is capped at δ"
        if abs(huber - mae) < AGREE:
            second += ": nearly MAE's line"
        elif abs(huber - mse) < AGREE:
            second += ": nearly MSE's line"
        return first, second

    def storyboard(self) -> Iterator[tuple[dict, int]]:
        state = dict(outlier=IN_LINE, delta=1.0)

        def frame(ms: int = 160, **changes):
            state.update(changes)
            return dict(state), ms

        yield frame(1400)
        for h in (7.0, 9.0, 11.0, 13.0, 15.0, 17.5, 20.0, 22.5, 25.0, 27.5, 30.0):  # the outlier rises
            yield frame(outlier=h, ms=1800 if h == 30.0 else 160)
        for h in (25.0, 20.0, 15.0):  # at 15 every residual of MSE's line is below 10
            yield frame(outlier=h, ms=900 if h == 15.0 else 200)
        for d in (0.7, 0.5, 0.3, 0.2, 0.1):  # small δ: Huber ≈ MAE
            yield frame(delta=d, ms=1800 if d == 0.1 else 200)
        for d in (0.2, 0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0):  # large δ: Huber = MSE
            yield frame(delta=d, ms=1800 if d == 10.0 else 200)
        yield frame(delta=1.0, ms=900)
        for h in (12.0, 9.0, 7.0, IN_LINE):  # back in line
            yield frame(outlier=h, ms=1000 if h == IN_LINE else 200)
