"""Anomaly detection by reconstruction error: what an autoencoder cannot rebuild is odd.

An autoencoder trained on digits learned to rebuild digits, and only those: shown
something else, it rebuilds a digit-like picture, far from what it was shown. So the
reconstruction error (the mean over the 64 pixels of the squared difference,
:func:`course_utils.autoencoders.errors`) is a score of how unlike the training data an
image is, learned without a single label or example of an anomaly. Flag every image
whose error lies above a threshold.

:class:`AnomalyScene`, left: the histograms of the errors of the 400 held-out digits
and of 36 made-up non-digits (:func:`course_utils.autoencoders.non_digits`: bars, a cross,
a diagonal, an edge and a square, each also inverted, and pixel noise), on a logarithmic
error axis, and the threshold. Above: the non-digits caught and missed, and the digits
flagged by mistake (false alarms). Right: the digits the autoencoder rebuilds worst, and
the non-digits that pass. Lowering the threshold catches more non-digits and flags more
digits: the choice is a trade. At the default (0.05) it catches 35 of the 36 and flags
1 digit of 400. The one that passes is a vertical bar, rebuilt better than most digits
are: to this autoencoder it is a 1.

The default is the autoencoder with a code of 8 numbers: with it the worst-rebuilt digit
and the non-digits (but for the bar) lie furthest apart, a factor of 3.2 in error. With
a smaller code digits are rebuilt worse (a code of 2: a factor of 1.6); with a code of
16 the non-digits start to be rebuilt too (2.7).
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from .. import autoencoders as ae, style
from ..scene import Param, Scene
from ..stamps import StampedLine, stamped

#: The error axis: from, to, and the histogram bins (12 to a factor of 10).
LOW, HIGH = 1e-3, 1.0
BINS = np.geomspace(LOW, HIGH, 37)
#: How many of the worst digits, and at most how many passing non-digits, are shown.
SHOWN = 6
#: Above this threshold its label goes left of the line (there is no room on the right).
SWAP_LABEL = 0.07
DIGIT_COLOUR, ODD_COLOUR = style.BLUE, style.VERMILLION
#: Grey frames around the pictures (NaN), white where there is no picture (above 1).
_INK = style.INK.with_extremes(bad="#C4C4C4", over="white")


@functools.lru_cache(maxsize=len(ae.CODE_SIZES))
def scores(code: int) -> tuple[np.ndarray, np.ndarray]:
    """``(digits, non_digits)``: the reconstruction errors of the 400 held-out digits and
    of :func:`autoencoders.non_digits`, by the autoencoder ``train(code)`` at its last
    snapshot; shapes (400,) and (36,)."""
    x_test = ae.images()[2]
    odd = ae.non_digits()[0]
    model = ae.train(code).at(-1)
    with np.errstate(under="ignore"):  # a sigmoid of a very negative number rounds to 0
        found = ae.errors(model(x_test), x_test), ae.errors(model(odd), odd)
    for a in found:
        a.setflags(write=False)
    return found


def counts(code: int, threshold: float) -> dict[str, int]:
    """Flagged means an error above ``threshold``: ``caught`` (non-digits flagged),
    ``missed`` (non-digits not flagged) and ``false_alarms`` (digits flagged)."""
    digits, odd = scores(code)
    caught = int(np.sum(odd > threshold))
    return {"caught": caught, "missed": len(odd) - caught, "false_alarms": int(np.sum(digits > threshold))}


def worst_digits(code: int) -> np.ndarray:
    """Positions among the held-out digits of the ``SHOWN`` highest errors, highest first."""
    return np.argsort(-scores(code)[0], kind="stable")[:SHOWN]


def passing(code: int, threshold: float) -> np.ndarray:
    """Positions among the non-digits of those not flagged (error <= ``threshold``),
    lowest error first."""
    odd = scores(code)[1]
    order = np.argsort(odd, kind="stable")
    return order[odd[order] <= threshold]


def _short(kind: str) -> str:
    """A non-digit's name under its picture, short enough for it: the pattern's name
    ("vert. bar", "cross" ...), or "inverted" / "noise"."""
    if kind.startswith("pattern: "):
        return kind.removeprefix("pattern: ").replace("vertical", "vert.").replace("horizontal", "horiz.")
    return kind.split()[0]


def _error_label(e: float) -> str:
    return f"{e:.3f}" if e >= 0.001 else f"{e:.1e}"


class AnomalyScene(Scene):
    """Histograms of the reconstruction errors of digits and non-digits, a threshold,
    what it catches and misses; the worst digits and the non-digits that pass.

    Parameters: ``threshold`` (an error, 0.002 to 0.5, on a logarithmic slider) and
    ``code`` (the code size of the autoencoder).
    """

    params = (
        Param("threshold", 0.05, 0.002, 0.5, log=True, label="threshold"),
        Param("code", 8, options=ae.CODE_OPTIONS,
              label="code size"),
    )
    size = (10.0, 4.4)
    background_params = ("code",)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        fig.text(0.012, 0.945, "Anomalies: flag what the autoencoder rebuilds badly", fontsize=12,
                 fontweight="bold", va="center")
        self.summary = moving(StampedLine(fig, 0.012, 0.875, pieces=5, va="center", fontsize=10))

        # (a) the two histograms, one error axis
        self.hist_axes, self.stairs = [], []
        for k, colour in enumerate((DIGIT_COLOUR, ODD_COLOUR)):
            ax = fig.add_axes([0.065, 0.5 - 0.35 * k, 0.42, 0.27])
            ax.set_xscale("log")
            ax.set_xlim(LOW, HIGH)
            self.stairs.append(ax.stairs(np.zeros(len(BINS) - 1), BINS, fill=True, color=colour, alpha=0.8))
            ax.set_ylabel("images", labelpad=2)
            self.hist_axes.append(ax)
        top, bottom = self.hist_axes
        top.tick_params(labelbottom=False)
        ticks = [0.001, 0.01, 0.1, 1]
        for ax in self.hist_axes:
            ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        bottom.set_xlabel("reconstruction error (mean squared, per pixel; log scale)", labelpad=1)
        self.hist_titles = [ax.text(0, 1.03, "", transform=ax.transAxes, fontsize=9, va="bottom", color=c)
                            for ax, c in zip(self.hist_axes, (DIGIT_COLOUR, style.TEXT_VERMILLION))]
        self.shades, self.cuts = [], []
        for ax in self.hist_axes:
            where = blended_transform_factory(ax.transData, ax.transAxes)
            self.shades.append(moving(ax.add_patch(Rectangle((1, 0), 1, 1, transform=where, lw=0,
                                                             color=ODD_COLOUR, alpha=0.12))))
            self.cuts.append(moving(ax.axvline(1, color=style.BLACK, lw=1.5)))
        # the threshold's value, inside the top histogram: right of the line, or left of it
        # near the right end
        where = blended_transform_factory(top.transData, top.transAxes)
        self.cut_labels = {ha: moving(StampedLine(top, 1, 0.96, pieces=2, ha=ha, va="top", fontsize=9,
                                                  transform=where)) for ha in ("left", "right")}

        # (b) the pictures: worst digits, passing non-digits
        px = 6 / style.DPI  # inches per image pixel
        width, tall = (9 * SHOWN + 1) * px, 10 * px
        left = 5.55
        self.galleries = []
        for k, name in enumerate(("worst", "pass")):
            y = 2.55 - k * 1.75  # inches from the bottom
            ax = fig.add_axes([left / fw, y / fh, width / fw, tall / fh])
            image = moving(ax.imshow(self._mosaic(np.zeros((0, 64))), cmap=_INK, vmin=0, vmax=1,
                                     interpolation="nearest"))
            style.picture_axes(ax)
            title = moving(stamped(fig, left / fw, (y + tall + 0.08) / fh, "", fontsize=9, va="bottom"))
            names = [moving(stamped(fig, (left + (5 + 9 * i) * px) / fw, (y - 0.03) / fh, "", fontsize=8,
                                    ha="center", va="top")) for i in range(SHOWN)]
            numbers = [moving(StampedLine(fig, (left + (5 + 9 * i) * px) / fw, (y - 0.2) / fh, pieces=0,
                                          ha="center", va="top", fontsize=8)) for i in range(SHOWN)]
            frames = [moving(ax.add_patch(Rectangle((0.5 + 9 * i, 0.5), 8, 8, fill=False, lw=2.5,
                                                    ec=ODD_COLOUR, visible=False))) for i in range(SHOWN)]
            self.galleries.append((image, title, names, numbers, frames))

    @staticmethod
    def _mosaic(images) -> np.ndarray:
        """Room for ``SHOWN`` 8 x 8 pictures in a row: the pictures given, each framed, and
        white after them (values above ``vmax``)."""
        found = np.full((10, 9 * SHOWN + 1), 2.0)
        if len(images):
            row = np.pad(style.mosaic(np.asarray(images).reshape(-1, 8, 8), len(images)), 1,
                         constant_values=np.nan)
            found[:, :row.shape[1]] = row
        return found

    def draw_background(self) -> None:
        code = self.values["code"]
        for k, (errors, stairs) in enumerate(zip(scores(code), self.stairs)):
            heights = np.histogram(np.clip(errors, LOW, HIGH), BINS)[0]
            stairs.set_data(heights, BINS)
            self.hist_axes[k].set_ylim(0, 1.45 * max(int(heights.max()), 4))
        self.hist_titles[0].set_text(f"the 400 held-out digits (autoencoder with a code of {code})")
        self.hist_titles[1].set_text(f"{len(scores(code)[1])} non-digits: patterns (also inverted) and "
                                     "pixel noise")

    def draw(self) -> None:
        code, threshold = self.values["code"], self.values["threshold"]
        digits, odd = scores(code)
        found = counts(code, threshold)
        self.summary.set("caught {} of {} non-digits, missed {}; false alarms: {} of 400 digits",
                         *map(str, (found["caught"], len(odd), found["missed"], found["false_alarms"])))
        for shade, cut in zip(self.shades, self.cuts):
            shade.set_x(threshold)
            shade.set_width(HIGH - threshold)
            cut.set_xdata([threshold, threshold])
        for ha, label in self.cut_labels.items():
            label.set_visible((ha == "left") == (threshold <= SWAP_LABEL))
            label.set_position((threshold * (1.06 if ha == "left" else 1 / 1.06), 0.96))
            label.set("threshold {}, flagged \u2192" if ha == "left" else "threshold {}", f"{threshold:g}")

        x_test, y_test = ae.images()[2:]
        images, kinds = ae.non_digits()
        worst, ok = worst_digits(code), passing(code, threshold)
        image, title, names, numbers, frames = self.galleries[0]
        image.set_data(self._mosaic(x_test[worst]))
        title.set_text("the digits it rebuilds worst (framed: flagged)")
        for i in range(SHOWN):
            names[i].set_text(f"a {y_test[worst[i]]}")
            numbers[i].set("{}", _error_label(digits[worst[i]]))
            frames[i].set_visible(bool(digits[worst[i]] > threshold))
        image, title, names, numbers, frames = self.galleries[1]
        image.set_data(self._mosaic(images[ok[:SHOWN]]))
        title.set_text("non-digits that pass: none" if not len(ok) else
                       f"non-digits that pass: {len(ok)}" + (f" (the {SHOWN} lowest errors)"
                                                             if len(ok) > SHOWN else ""))
        for i in range(SHOWN):
            here = i < len(ok)
            names[i].set_text(_short(kinds[ok[i]]) if here else "")
            numbers[i].set("{}", _error_label(odd[ok[i]]) if here else "")

    def storyboard(self):
        code = self.param("code").default
        for threshold in (0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.05):
            yield {"threshold": threshold, "code": code}, 1400 if threshold == 0.05 else 900
