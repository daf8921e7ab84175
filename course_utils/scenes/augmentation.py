"""Data augmentation: more training digits made from the few there are.

:class:`AugmentationScene`, left: one held-out digit and a grid of copies of it, each
moved, turned and scaled by its own random amount and given noise
(:func:`course_utils.data.augment`); the four strengths are sliders, and with all of
them at 0 every copy is the digit itself. A copy keeps its label: a 3 turned by 10
degrees is still a 3, so it is one more example to learn from, for free.

Right: what that buys, recorded (:func:`course_utils.digits.augmentation_accuracy`).
The 64-28-10 MLP of :mod:`course_utils.digits` is trained on 1, 2, 5, 10 or 20 digits
per class, once on those digits alone and once with 19 augmented copies of each (the
strengths the sliders start at), for the same number of updates; the chart shows the
accuracy on the 400 held-out digits, each point the mean of 3 seeded draws of the few
digits. With few examples the copies help (most with 2 per class, about 5 points); with
20 per class they no longer do. Stronger is not better: these digits are centred, and
copies moved by up to 1.5 pixels lower the accuracy at every size.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from .. import data, digits, style
from ..scene import Param, Scene
from ..stamps import stamped

#: The held-out digits the gallery can show (the first of each of these classes).
GALLERY_DIGITS = (3, 4, 7)
ROWS, COLUMNS = 3, 4  # the grid of copies
COPIES_SHOWN = ROWS * COLUMNS
#: The strengths of the recorded runs, as the sliders name them (their defaults).
RUN_STRENGTHS = {"shift": digits.AUGMENTATION["max_shift"], "degrees": digits.AUGMENTATION["max_degrees"],
                 "scale": round(digits.AUGMENTATION["scale_range"][1] - 1, 6),
                 "noise": digits.AUGMENTATION["noise"]}
_WITHOUT, _WITH = style.VERMILLION, style.BLUE
_INK = style.INK.with_extremes(bad="#CFE3F2")  # the gaps between the copies: pale blue, no ink colour


def gallery_digit(digit: int) -> np.ndarray:
    """The first held-out digit of class ``digit``, shape (8, 8)."""
    x_test, y_test = digits.split()[2:]
    return x_test[int(np.flatnonzero(y_test == digit)[0]), 0]


def gallery_copies(digit: int, shift: float, degrees: float, scale: float, noise: float,
                   draw: int) -> np.ndarray:
    """The ``COPIES_SHOWN`` augmented copies of :func:`gallery_digit`, shape (12, 8, 8):
    ``data.augment`` with ``max_shift=shift``, ``max_degrees=degrees``,
    ``scale_range=(1 - scale, 1 + scale)`` and ``noise``, seeded by ``draw``."""
    image = gallery_digit(digit)
    return data.augment(np.repeat(image[None], COPIES_SHOWN, axis=0), draw, max_shift=shift,
                        max_degrees=degrees, scale_range=(1 - scale, 1 + scale), noise=noise)


def strengths_text(shift: float, degrees: float, scale: float, noise: float) -> str:
    """The strengths in words: ``"shift ±0.5 px, turn ±10°, scale ±5%, noise 0"``."""
    return (f"shift \u00b1{shift:g} px, turn \u00b1{degrees:g}\u00b0, scale \u00b1{100 * scale:.1f}%, "
            f"noise {noise:g}").replace(".0%", "%")


class AugmentationScene(Scene):
    """One digit and its augmented copies; held-out accuracy with and without copies.

    Parameters: ``digit`` (which held-out digit), the strengths ``shift`` (pixels),
    ``degrees``, ``scale`` (the factor lies in ``1 ± scale``) and ``noise`` (its standard
    deviation), ``draw`` (another seed: new copies) and ``per_class`` (the training-set
    size highlighted on the chart).
    """

    params = (
        Param("digit", 3, options=tuple((f"a {d}", d) for d in GALLERY_DIGITS), label="held-out digit"),
        Param("shift", RUN_STRENGTHS["shift"], 0.0, 2.0, 0.25, label="shift (pixels)"),
        Param("degrees", RUN_STRENGTHS["degrees"], 0.0, 45.0, 5.0, label="turn (degrees)"),
        Param("scale", RUN_STRENGTHS["scale"], 0.0, 0.3, 0.05, label="scale \u00b1"),
        Param("noise", RUN_STRENGTHS["noise"], 0.0, 0.3, 0.05, label="noise"),
        Param("draw", 0, 0, 9, 1, integer=True, label="new copies"),
        Param("per_class", digits.PER_CLASS[1], options=digits.PER_CLASS, slider=True,
              label="examples per class"),
    )
    size = (10.0, 4.0)
    gif_name = "augmentation"
    gif_one_palette = True  # grey ink levels, two curve colours and anti-aliased text
    control_rows = (("digit", "draw"), ("shift", "degrees"), ("scale", "noise"), ("per_class",))

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        fig.text(0.012, 0.94, "Data augmentation: new training digits from old ones, the label kept",
                 fontsize=12, fontweight="bold", va="center")

        # (a) the gallery: the digit, and its copies as one mosaic
        side = 1.25  # inches
        ax = self.ax_digit = fig.add_axes([0.02, 0.34, side / fw, side / fh])
        self.image = moving(ax.imshow(np.zeros((8, 8)), cmap=style.INK, vmin=0, vmax=1))
        style.picture_axes(ax)
        moving(ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, lw=1,
                                      ec=style.GREY, clip_on=False)))  # the frame, over the image
        self.digit_title = moving(stamped(fig, 0.02 + side / fw / 2, 0.34 + side / fh + 0.03, "",
                                          fontsize=10, ha="center", va="bottom"))
        mosaic_h = 2.3
        mosaic_w = mosaic_h * (COLUMNS * 9 - 1) / (ROWS * 9 - 1)
        left = 0.02 + side / fw + 0.025
        ax = self.ax_copies = fig.add_axes([left, 0.2, mosaic_w / fw, mosaic_h / fh])
        blank = style.mosaic(np.zeros((COPIES_SHOWN, 8, 8)), COLUMNS)
        self.copies = moving(ax.imshow(blank, cmap=_INK, vmin=0, vmax=1, interpolation="nearest"))
        style.picture_axes(ax)
        self.copies_title = moving(stamped(fig, left + mosaic_w / fw / 2, 0.2 + mosaic_h / fh + 0.03, "",
                                           fontsize=10, ha="center", va="bottom"))
        self.strengths = moving(stamped(fig, left + mosaic_w / fw / 2, 0.13, "", fontsize=9,
                                        ha="center", va="center"))
        self.same_as_runs = moving(stamped(fig, left + mosaic_w / fw / 2, 0.06, "", fontsize=9,
                                           ha="center", va="center", style="italic"))

        # (b) held-out accuracy against examples per class, recorded
        acc = self.accuracy = digits.augmentation_accuracy()
        ks = np.array(digits.PER_CLASS)
        ax = self.ax_acc = fig.add_axes([0.62, 0.2, 0.355, 0.6])
        ax.set_xscale("log")
        ax.set_xlim(0.8, 25)
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.minorticks_off()
        ax.set_xlabel("training digits per class", labelpad=1)
        ax.set_ylabel("held-out accuracy (%)")
        low = min(acc.values())
        ax.set_ylim(10 * np.floor(10 * low) - 5, 100)
        for augmented, colour, label in ((False, _WITHOUT, "the digits alone"),
                                         (True, _WITH, f"+ {digits.COPIES} copies of each")):
            ys = [100 * acc[k, augmented] for k in ks]
            ax.plot(ks, ys, "o-", color=colour, ms=4, lw=1.8, label=label)
        ax.legend(loc="lower right", frameon=False, fontsize=9)
        self.now_line = moving(ax.axvline(1, color=style.GREY, lw=1.0, ls="--", zorder=0))
        self.now_dots = moving(ax.plot([], [], "o", ms=9, mfc="none", mec=style.BLACK, mew=1.5)[0])
        self.now_text = moving(stamped(fig, 0.555, 0.86, "", fontsize=10, va="center"))
        fig.text(0.975, 0.045, f"MLP 64-28-10, as many updates with copies as without; "
                 f"mean of {digits.DRAWS} draws", fontsize=8, color=style.GREY, ha="right", va="center")

    def draw(self) -> None:
        v = self.values
        self.image.set_data(gallery_digit(v["digit"]))
        self.digit_title.set_text(f"a held-out {v['digit']}")
        copies = gallery_copies(v["digit"], v["shift"], v["degrees"], v["scale"], v["noise"], v["draw"])
        self.copies.set_data(style.mosaic(copies, COLUMNS))
        self.copies_title.set_text(f"{COPIES_SHOWN} augmented copies (draw {v['draw']})")
        self.strengths.set_text(strengths_text(v["shift"], v["degrees"], v["scale"], v["noise"]))
        same = all(np.isclose(v[name], value) for name, value in RUN_STRENGTHS.items())
        self.same_as_runs.set_text("(the strengths of the runs on the right)" if same else "")

        k = v["per_class"]
        without, with_copies = (self.accuracy[k, a] for a in (False, True))
        self.now_line.set_xdata([k, k])
        self.now_dots.set_data([k, k], [100 * without, 100 * with_copies])
        gain = 100 * (with_copies - without)
        self.now_text.set_text(f"{k} per class: {100 * without:.1f}% \u2192 {100 * with_copies:.1f}% "
                               f"with copies ({style.signed(gain)} points)")

    def storyboard(self):
        # the strengths grow from 0 (every copy is the digit) to those of the runs and
        # beyond (copies that stop looking like the digit), two draws of copies each; then
        # the chart, size by size, with the runs' strengths
        digit, k = self.param("digit").default, self.param("per_class").default
        half = {name: value / 2 for name, value in RUN_STRENGTHS.items()}
        strong = {"shift": 1.0, "degrees": 20.0, "scale": 0.1, "noise": 0.1}
        strongest = {p: self.param(p).high for p in RUN_STRENGTHS}
        yield {"digit": digit, "draw": 0, "per_class": k, **{p: 0.0 for p in RUN_STRENGTHS}}, 1600
        for strengths, hold in ((half, 900), (RUN_STRENGTHS, 1600), (strong, 900), (strongest, 900)):
            for draw in (0, 1):
                yield {"digit": digit, "draw": draw, "per_class": k, **strengths}, hold
        for k in digits.PER_CLASS:
            yield {"digit": digit, "draw": 0, "per_class": k, **RUN_STRENGTHS}, 2000 if k == 20 else 1300
