"""PCA beside an autoencoder: two ways of keeping 2 numbers per digit.

:class:`PCACodesScene` puts the 400 held-out digits on two maps. Left: each digit's two
PCA numbers, its coordinates along the two directions in which the training digits vary
most (:func:`course_utils.autoencoders.pca`). Right: the two numbers the encoder of a
trained 2-code autoencoder gives it (:func:`course_utils.autoencoders.train`), the
non-linear one (64-32-2-32-64, tanh) or the linear one (64-2-64). Each point is drawn as
its digit, in the chapter's class colours (:data:`course_utils.scenes.autoencoder.DIGIT_COLOURS`);
neither method ever saw a label, so where the classes fall apart they did so on their own.

Under each map: its held-out reconstruction error (mean squared pixel difference). The
linear autoencoder ends within 1 % of PCA, not below it: a linear encoder and decoder
can only project the digits onto a flat 2-D plane and rebuild them from there, and PCA's
plane is the best such plane (Baldi & Hornik, 1989; the Eckart-Young theorem). So its map
is nearly PCA's map turned and stretched: a linear function of PCA's two numbers explains
at least 96 % of the variance of each of its codes, against about 75 % for the non-linear
one. The non-linear autoencoder can bend its surface through the digits, and rebuilds
them better (0.035 against PCA's 0.053).

Right column: one held-out digit (the first of its class, ringed on both maps) and how
each of the three rebuilds it from its 2 numbers.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.patches import Rectangle

from .. import autoencoders, style
from ..scene import Param, Scene
from ..stamps import stamped
from .autoencoder import digit_markers

CODE = 2
METHODS = (("non-linear autoencoder", "nonlinear"), ("linear autoencoder", "linear"))
_NAMES = {"pca": "PCA", "linear": "linear autoencoder 64-2-64",
          "nonlinear": "non-linear autoencoder 64-32-2-32-64"}
_INK = style.INK.with_extremes(bad="#C4C4C4")


def model(method: str):
    """The trained 2-code autoencoder, ``"linear"`` or ``"nonlinear"`` (recorded once)."""
    return autoencoders.train(code=CODE, linear=method == "linear").at(-1)


@functools.lru_cache(maxsize=1)
def measured() -> dict:
    """For ``"pca"``, ``"linear"`` and ``"nonlinear"``: ``(codes, rebuilt, error, train_error)``,
    the 2 numbers of each held-out digit (400, 2), its reconstruction (400, 64), the mean
    held-out reconstruction error and the mean error on the training digits."""
    x, _, x_test, _ = autoencoders.images()
    out = {"pca": (autoencoders.pca_codes(x_test, CODE), autoencoders.pca_rebuild(x_test, CODE),
                   autoencoders.pca_rebuild(x, CODE))}
    for _, method in METHODS:
        ae = model(method)
        out[method] = (autoencoders.encode(ae, x_test), ae(x_test), ae(x))
    found = {}
    for name, (codes, rebuilt, train_rebuilt) in out.items():
        for a in (codes, rebuilt):
            a.setflags(write=False)
        found[name] = (codes, rebuilt, float(autoencoders.errors(rebuilt, x_test).mean()),
                       float(autoencoders.errors(train_rebuilt, x).mean()))
    return found


def digit_index(digit: int) -> int:
    """Where the first held-out digit of class ``digit`` is in the held-out set."""
    return int(np.flatnonzero(autoencoders.images()[3] == digit)[0])


def limits(codes: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis ranges that hold every point, with a margin of 6 % each side."""
    low, high = codes.min(axis=0), codes.max(axis=0)
    pad = 0.06 * (high - low)
    return (low[0] - pad[0], high[0] + pad[0]), (low[1] - pad[1], high[1] + pad[1])


class PCACodesScene(Scene):
    """The held-out digits on PCA's 2-number map and on a 2-code autoencoder's; one digit
    rebuilt by PCA, the linear and the non-linear autoencoder.

    Parameters: ``right`` (the autoencoder on the right-hand map: non-linear or linear)
    and ``digit`` (the class whose first held-out digit is ringed and rebuilt).
    """

    params = (
        Param("right", "nonlinear", options=METHODS, label="right-hand map"),
        Param("digit", 3, options=tuple((f"a {d}", d) for d in range(10)), label="held-out digit"),
    )
    size = (10.0, 4.6)
    background_params = ("right",)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        self.m = measured()
        y_test = autoencoders.images()[3]
        fig.text(0.012, 0.955, "Two numbers per digit: PCA beside an autoencoder, neither told the labels",
                 fontsize=12, fontweight="bold", va="center")
        fig.text(0.012, 0.885, "Each point is a held-out digit, drawn as its label in its class colour: "
                 "the labels only colour the picture.", fontsize=9, color=style.GREY, va="center")
        side = 2.5  # inches: the maps are square
        self.maps, self.points, self.rings, self.error_texts = [], [], [], []
        for n, left in enumerate((0.06, 0.365)):
            ax = fig.add_axes([left, 0.16, side / fw, side / fh])
            ax.tick_params(labelsize=8)
            self.maps.append(ax)
            self.points.append(digit_markers(ax))
            self.rings.append(moving(ax.plot([], [], "o", ms=15, mfc="none", mec=style.BLACK, mew=1.6)[0]))
            self.error_texts.append(fig.text(left + side / fw / 2, 0.035, "", fontsize=9, ha="center",
                                             va="center"))
        self._classes = [y_test == d for d in range(10)]
        self._fill(0, "pca")
        self.maps[0].set_title("PCA: the 2 directions of largest variance", fontsize=10)
        self.maps[0].set_xlabel("PCA number 1", labelpad=1)
        self.maps[0].set_ylabel("PCA number 2", labelpad=1)
        self.maps[1].set_xlabel("code 1", labelpad=1)
        self.maps[1].set_ylabel("code 2", labelpad=1)

        # the chosen digit, rebuilt three ways
        left, tile, gap = 0.665, 0.56, 0.12  # tile and gap in inches
        ax = self.ax_tiles = fig.add_axes([left, 0.54, (4 * tile + 3 * gap) / fw, tile / fh])
        ax.set_xlim(0, 4 * tile + 3 * gap)
        ax.set_ylim(0, tile)
        ax.set_aspect("equal")
        style.picture_axes(ax)
        self.tiles = []
        for i, name in enumerate(("the digit", "PCA", "linear AE", "non-linear\nAE")):
            x0 = i * (tile + gap)
            self.tiles.append(moving(ax.imshow(np.zeros((8, 8)), cmap=_INK, vmin=0, vmax=1,
                                               extent=(x0, x0 + tile, 0, tile), interpolation="nearest")))
            ax.text(x0 + tile / 2, tile + 0.05, name, ha="center", va="bottom", fontsize=9)
        for i in range(4):  # frames over the pictures, so drawn after them
            moving(ax.add_patch(Rectangle((i * (tile + gap), 0), tile, tile, fill=False, lw=0.8, ec=style.GREY,
                                          clip_on=False)))
        self.tile_errors = [moving(stamped(ax, (i + 0.5) * tile + i * gap, -0.06, "", ha="center", va="top",
                                           fontsize=9, clip_on=False)) for i in range(4)]
        for text in self.tile_errors:
            text.set_clip_path(None)
        self.tiles_title = moving(stamped(fig, left, 0.79, "", fontsize=10, va="center", fontweight="bold"))
        pca, linear = self.m["pca"], self.m["linear"]
        gap_percent = 100 * (linear[2] / pca[2] - 1)
        fig.text(left, 0.38, "Why the linear autoencoder only ties with PCA\n"
                 f"(held-out error {linear[2]:.4f} against {pca[2]:.4f}, {gap_percent:+.1f} %):\n"
                 "a linear encoder and decoder can only project\nthe digits onto a flat plane and back, and\n"
                 "PCA's plane is the best one (Baldi & Hornik,\n1989). The non-linear one can bend its surface.",
                 fontsize=9, va="top", linespacing=1.35)

    def _fill(self, n: int, method: str) -> None:
        codes, _, error, _ = self.m[method]
        for points, members in zip(self.points[n], self._classes):
            points.set_offsets(codes[members])
        ax = self.maps[n]
        (x0, x1), (y0, y1) = limits(codes)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xticks(*style.round_ticks(x0, x1))
        ax.set_yticks(*style.round_ticks(y0, y1))
        self.error_texts[n].set_text(f"held-out reconstruction error {error:.4f}")

    def draw_background(self) -> None:
        method = self.values["right"]
        self._fill(1, method)
        self.maps[1].set_title(_NAMES[method], fontsize=10)

    def draw(self) -> None:
        digit = self.values["digit"]
        i = digit_index(digit)
        x_test = autoencoders.images()[2]
        for ring, method in zip(self.rings, ("pca", self.values["right"])):
            ring.set_data(self.m[method][0][i:i + 1].T)
        self.tiles[0].set_data(x_test[i].reshape(8, 8))
        self.tile_errors[0].set_text("error:")
        for tile, text, method in zip(self.tiles[1:], self.tile_errors[1:], ("pca", "linear", "nonlinear")):
            rebuilt = self.m[method][1][i]
            tile.set_data(rebuilt.reshape(8, 8))
            text.set_text(f"{autoencoders.errors(rebuilt[None], x_test[i:i + 1])[0]:.3f}")
        self.tiles_title.set_text(f"A held-out {digit}, rebuilt from 2 numbers")
