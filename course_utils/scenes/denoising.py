"""Denoising: an autoencoder trained to give back clean digits from noisy ones.

:class:`DenoisingScene` adds Gaussian noise (standard deviation ``noise``, clipped to
[0, 1]) to held-out digits and shows, for a few of them, side by side: the clean digit,
the noisy input, what the plain autoencoder makes of it (trained on clean digits) and
what the denoising autoencoder makes of it (trained on digits with noise of std 0.4 and
asked for the clean ones: Vincent et al., "Extracting and composing robust features
with denoising autoencoders", 2008). Under each picture: its error against the clean
digit (the mean over the 64 pixels of the squared difference). Right: the mean error
over all 400 held-out digits against the noise level.

With a large code (16 numbers, the default) the plain autoencoder rebuilds almost
anything it is shown, noise included: at every noise level up to 0.55 its output is
further from the clean digits than the noisy input itself (at 0.4, a mean error of 0.096
against the input's 0.084). The denoising autoencoder had to learn what a digit looks like, so its
error grows slowly with the noise (0.034 at 0.4). The price: without noise it rebuilds
digits less sharply than the plain one (0.023 against 0.008). With smaller codes both
rebuild digits more blurrily and the difference shrinks. Both runs are recorded once
(:func:`course_utils.autoencoders.train`).
"""

from __future__ import annotations

import functools

import numpy as np

from .. import autoencoders as ae, style
from ..scene import Param, Scene
from ..stamps import StampedLine, stamped

#: The held-out digits shown: the first one of each of these classes.
SHOWN_CLASSES = (0, 2, 3, 5, 7, 9)
#: The noise the denoising autoencoder was trained at.
TRAINED_AT = 0.4
#: The seed of the held-out noise: the draws of the runs' validation inputs, so at noise
#: 0.4 the denoising autoencoder's mean error is its recorded final validation loss.
NOISE_SEED = ae.NOISE_SEED + 1
#: The noise levels of the curves on the right.
CURVE_NOISES = tuple(round(0.05 * k, 2) for k in range(13))
ROWS = (("clean", "the clean digit", style.BLACK),
        ("noisy", "the noisy input", style.BLACK),
        ("plain", "plain autoencoder\n(trained on clean digits)", style.TEXT_VERMILLION),
        ("denoising", f"denoising autoencoder\n(trained at noise {TRAINED_AT:g})", style.BLUE))
#: The curves: colour, line style, name.
LINES = {"noisy": (style.GREY, "--", "the noisy input"),
         "plain": (style.VERMILLION, "-", "plain autoencoder"),
         "denoising": (style.BLUE, "-", "denoising autoencoder")}
_INK = style.INK.with_extremes(bad="#C4C4C4")  # the frame and gaps around the digits


def shown_indices() -> np.ndarray:
    """Positions among the held-out digits of the first of each class in ``SHOWN_CLASSES``."""
    y_test = ae.images()[3]
    return np.array([int(np.flatnonzero(y_test == c)[0]) for c in SHOWN_CLASSES])


def pictures(code: int, noise: float, which=None) -> dict[str, np.ndarray]:
    """The held-out digits as every row shows them, ``{row: images (n, 64)}``: ``clean``,
    ``noisy`` (``autoencoders.noisy`` of all 400 with ``NOISE_SEED``), and the outputs of
    the plain (``train(code)``) and denoising (``train(code, noise=0.4)``) autoencoders
    given the noisy digits, at their last snapshot. ``which``: positions of the digits
    wanted (all 400 if None)."""
    clean = ae.images()[2]
    noisy = ae.noisy(clean, noise, NOISE_SEED)  # all 400 drawn, so a digit's noise is its own
    if which is not None:
        clean, noisy = clean[which], noisy[which]
    with np.errstate(under="ignore"):  # a sigmoid of a very negative number rounds to 0
        plain = ae.train(code).at(-1)(noisy)
        denoising = ae.train(code, noise=TRAINED_AT).at(-1)(noisy)
    return {"clean": np.asarray(clean), "noisy": noisy, "plain": plain, "denoising": denoising}


@functools.lru_cache(maxsize=256)
def mean_errors(code: int, noise: float) -> dict[str, float]:
    """The mean over all 400 held-out digits of each row's error against the clean digit."""
    found = pictures(code, noise)
    return {row: float(ae.errors(found[row], found["clean"]).mean()) for row in LINES}


@functools.lru_cache(maxsize=len(ae.CODE_SIZES))
def curves(code: int) -> dict[str, np.ndarray]:
    """:func:`mean_errors` at every ``CURVE_NOISES`` level, per row: shape (13,) each."""
    found = {row: np.array([mean_errors(code, s)[row] for s in CURVE_NOISES]) for row in LINES}
    for a in found.values():
        a.setflags(write=False)
    return found


def verdict(means: dict[str, float]) -> str:
    """Which row is closest to the clean digits on average, in words."""
    if means["noisy"] == 0:
        better = "plain" if means["plain"] <= means["denoising"] else "denoising"
        return f"no noise: the input is the clean digit; the {better} autoencoder rebuilds it better"
    best = min(means, key=means.get)
    if best == "noisy":
        return "closest to the clean digits on average: the noisy input itself (too little noise to remove)"
    return f"closest to the clean digits on average: the {LINES[best][2]}'s output"


def _row_mosaic(images: np.ndarray) -> np.ndarray:
    """One row of 8 x 8 pictures with a 1-pixel frame around each."""
    return np.pad(style.mosaic(images.reshape(-1, 8, 8), len(images)), 1, constant_values=np.nan)


class DenoisingScene(Scene):
    """Clean, noisy, plain-rebuilt and denoised held-out digits; mean errors per noise level.

    Parameters: ``noise`` (the standard deviation of the pixel noise added to the
    held-out digits, 0 to 0.6) and ``code`` (the code size of both autoencoders).
    """

    params = (
        Param("noise", TRAINED_AT, 0.0, 0.6, 0.05, label="noise (std)"),
        Param("code", 16, options=ae.CODE_OPTIONS,
              label="code size"),
    )
    size = (10.0, 4.4)
    background_params = ("code",)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        self.title = moving(stamped(fig, 0.012, 0.945, "", fontsize=12, fontweight="bold", va="center"))
        self.verdict = moving(stamped(fig, 0.012, 0.875, "", fontsize=10, va="center"))
        n = len(SHOWN_CLASSES)
        px = 5 / style.DPI  # inches per digit pixel: each shown 5 x 5 screen pixels
        width, tall = (9 * n + 1) * px, 10 * px  # a row of pictures with its frame
        left, top, pitch = 1.75, 3.7, tall + 0.2
        self.tiles, self.numbers, self.means = {}, {}, {}
        for r, (row, label, colour) in enumerate(ROWS):
            y = top - r * pitch - tall  # inches from the bottom
            ax = fig.add_axes([left / fw, y / fh, width / fw, tall / fh])
            image = ax.imshow(_row_mosaic(np.zeros((n, 64))), cmap=_INK, vmin=0, vmax=1,
                              interpolation="nearest")
            style.picture_axes(ax)
            self.tiles[row] = moving(image) if row != "clean" else image
            fig.text((left - 0.12) / fw, (y + tall / 2) / fh, label, fontsize=9, color=colour,
                     ha="right", va="center", linespacing=1.2)
            if row == "clean":
                continue
            self.numbers[row] = [moving(StampedLine(fig, (left + (5 + 9 * k) * px) / fw, (y - 0.03) / fh,
                                                    pieces=0, ha="center", va="top", fontsize=8,
                                                    color=colour))
                                 for k in range(n)]
            self.means[row] = moving(StampedLine(fig, (left + width + 0.15) / fw, (y + tall / 2) / fh,
                                                 pieces=0, va="center", fontsize=10, color=colour))
        fig.text((left + width + 0.15) / fw, (top - pitch + 0.05) / fh, "mean of\nall 400", fontsize=8,
                 va="bottom", color=style.GREY, linespacing=1.1)
        fig.text(left / fw, 0.02, "under each picture: its error against the clean digit "
                 "(mean squared difference per pixel)", fontsize=8, color=style.GREY, va="bottom")

        ax = self.ax_curve = fig.add_axes([0.685, 0.14, 0.3, 0.62])
        ax.set_xlim(0, CURVE_NOISES[-1])
        ax.set_xticks([0, 0.2, 0.4, 0.6], ["0", "0.2", "0.4", "0.6"])
        ax.set_xlabel("noise (std)", labelpad=1)
        ax.set_ylabel("mean error, 400 held-out digits", fontsize=9)
        self.curve_lines = {row: ax.plot([], [], color=c, ls=ls, lw=1.8, label=label)[0]
                            for row, (c, ls, label) in LINES.items()}
        ax.axvline(TRAINED_AT, color=style.BLUE, lw=1.0, ls=":", label="the denoising one's training noise")
        ax.legend(loc="upper left", frameon=False, fontsize=8, handlelength=1.6, borderaxespad=0.2)
        self.now_line = moving(ax.plot([], [], color=style.BLACK, lw=1.0)[0])  # up to the highest dot
        self.now_dots = {row: moving(ax.plot([], [], "o", ms=5, color=c, zorder=5, clip_on=False)[0])
                         for row, (c, _, _) in LINES.items()}

    def draw_background(self) -> None:
        code = self.values["code"]
        found = curves(code)
        for row, line in self.curve_lines.items():
            line.set_data(CURVE_NOISES, found[row])
        top = max(float(a.max()) for a in found.values())
        self.ax_curve.set_ylim(0, 1.3 * top)  # room for the legend
        self.ax_curve.set_yticks(*style.round_ticks(0, 1.25 * top))
        self.ax_curve.set_title(f"code of {code}: error against the noise", fontsize=10)
        self.tiles["clean"].set_data(_row_mosaic(ae.images()[2][shown_indices()]))

    def draw(self) -> None:
        # to 3 decimals: a slider's 0.35000000000000003 is 0.35 (and its means are cached)
        noise, code = round(self.values["noise"], 3), self.values["code"]
        found = pictures(code, noise, shown_indices())
        means = mean_errors(code, noise)
        for row in LINES:
            self.tiles[row].set_data(_row_mosaic(found[row]))
            for line, e in zip(self.numbers[row], ae.errors(found[row], found["clean"])):
                line.set("{}", f"{e:.3f}")
            self.means[row].set("{}", f"{means[row]:.3f}")
            self.now_dots[row].set_data([noise], [means[row]])
        self.now_line.set_data([noise, noise], [0, max(means.values())])
        self.title.set_text("Denoising: held-out digits, no noise added" if noise == 0 else
                            f"Denoising: held-out digits with noise of std {noise:.2f} added")
        self.verdict.set_text(verdict(means))

    def storyboard(self):
        code = self.param("code").default
        for noise in CURVE_NOISES:
            hold = 1400 if noise in (0.0, TRAINED_AT, CURVE_NOISES[-1]) else 500
            yield {"noise": noise, "code": code}, hold
