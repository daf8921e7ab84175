"""The bottleneck: how many numbers does a digit need?

:class:`BottleneckScene` trains the autoencoder of :mod:`course_utils.autoencoders` once
for every code size ``k`` in ``CODE_SIZES`` (1, 2, 4, 8 and 16 numbers per digit, each
run recorded and cached) and compares it with principal component analysis keeping the
same ``k`` numbers.

Left: eight held-out digits (the first of each class 0 to 7, never trained on), and
below them what the trained autoencoder rebuilds from their codes at every size; the
chosen size is framed, and the last row is PCA's reconstruction at that size. Right:
the reconstruction error (the squared pixel difference, averaged over the 64 pixels and
the 400 held-out digits) against the code size, for both. A digit of 64 pixels kept as
``k`` numbers is compressed ``64 / k`` times.

The squeeze is the whole point: with 1 or 2 numbers only the rough shape survives, and
every extra number buys back detail. The non-linear autoencoder rebuilds better than
PCA at every size here, since its decoder can bend where PCA can only add fixed images
(the components) in proportions.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.patches import Rectangle

from .. import autoencoders, style
from ..scene import Param, Scene
from ..stamps import stamped

CODE_SIZES = autoencoders.CODE_SIZES
#: The digits shown: the first held-out digit of each of these classes.
SHOWN_CLASSES = tuple(range(8))
PIXELS = 64
_AE, _PCA = style.BLUE, style.VERMILLION
_INK = style.INK.with_extremes(bad="#C4C4C4")  # the gaps between the digits


def shown_indices() -> np.ndarray:
    """Where in the held-out set the shown digits are: the first of each class in
    ``SHOWN_CLASSES``, shape (8,)."""
    y_test = autoencoders.images()[3]
    return np.array([int(np.flatnonzero(y_test == d)[0]) for d in SHOWN_CLASSES])


def compression(k: int) -> float:
    """How many times fewer numbers the code holds than the image: ``64 / k``."""
    return PIXELS / k


@functools.lru_cache(maxsize=1)
def measured() -> dict:
    """Everything the scene draws, computed once (and the runs cached):

    ``"ae"`` and ``"pca"``: the mean held-out reconstruction error at each code size,
    arrays of shape (5,); ``"ae_rebuilt"`` and ``"pca_rebuilt"``: the shown digits
    rebuilt at each size, shape (5, 8, 64)."""
    x_test = autoencoders.images()[2]
    shown = shown_indices()
    out = {"ae": [], "pca": [], "ae_rebuilt": [], "pca_rebuilt": []}
    for k in CODE_SIZES:
        model = autoencoders.train(code=k).at(-1)
        rebuilt = model(x_test)
        pca = autoencoders.pca_rebuild(x_test, k)
        out["ae"].append(autoencoders.errors(rebuilt, x_test).mean())
        out["pca"].append(autoencoders.errors(pca, x_test).mean())
        out["ae_rebuilt"].append(rebuilt[shown])
        out["pca_rebuilt"].append(pca[shown])
    out = {name: np.array(values) for name, values in out.items()}
    for values in out.values():
        values.setflags(write=False)
    return out


def row_label(k: int) -> str:
    return f"{k} number" if k == 1 else f"{k} numbers"


class BottleneckScene(Scene):
    """Reconstructions of eight held-out digits at every code size; the held-out error
    of the autoencoder and of PCA against the code size.

    Parameter: ``code``, the code size ``k`` highlighted (1, 2, 4, 8 or 16).
    """

    params = (Param("code", 2, options=CODE_SIZES, slider=True, label="code size"),)
    size = (10.0, 4.3)
    gif_name = "bottleneck"

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        m = self.measured = measured()
        x_test = autoencoders.images()[2]
        fig.text(0.012, 0.95, "The bottleneck: each digit squeezed into k numbers, then rebuilt from them",
                 fontsize=12, fontweight="bold", va="center")

        # (a) the digits and their reconstructions: original, then one row per code size
        columns, rows = len(SHOWN_CLASSES), 1 + len(CODE_SIZES)
        cell = 0.42  # inches per digit
        width, height = cell * (columns * 9 - 1) / 9, cell * (rows * 9 - 1) / 9
        left, top = 0.095, 0.86
        ax = self.ax_grid = fig.add_axes([left, top - height / fh, width / fw, height / fh])
        images = np.concatenate([x_test[shown_indices()][None], m["ae_rebuilt"]]).reshape(-1, 8, 8)
        self.grid = ax.imshow(style.mosaic(images, columns), cmap=_INK, vmin=0, vmax=1,
                              interpolation="nearest")
        style.picture_axes(ax)
        for r, name in enumerate(["original"] + [row_label(k) for k in CODE_SIZES]):
            ax.text(-1.5, r * 9 + 3.5, name, ha="right", va="center", fontsize=9)
        ax.text(columns * 9 / 2 - 0.5, -1.5, "8 held-out digits, rebuilt by the autoencoder",
                ha="center", va="bottom", fontsize=9)
        self.frame = moving(ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, lw=2.2, ec=_AE,
                                                   clip_on=False)))
        # PCA's reconstructions at the chosen size, in a row of their own
        gap = 0.12
        bottom = top - height / fh - (gap + cell) / fh
        ax = self.ax_pca = fig.add_axes([left, bottom, width / fw, cell * 8 / 9 / fh])
        self.pca_row = moving(ax.imshow(style.mosaic(np.zeros((columns, 8, 8)), columns), cmap=_INK,
                                        vmin=0, vmax=1, interpolation="nearest"))
        style.picture_axes(ax)
        ax.add_patch(Rectangle((-1, -1), columns * 9 + 1, 9, fill=False, lw=2.2, ec=_PCA,
                               clip_on=False))
        self.pca_label = moving(stamped(fig, left - 0.005, bottom + cell * 4 / 9 / fh, "", ha="right",
                                        va="center", fontsize=9, color=style.TEXT_VERMILLION))
        fig.text(left + width / fw / 2, bottom - 0.02, "PCA with as many numbers (pixels outside [0, 1] "
                 "drawn as 0 or 1)", ha="center", va="top", fontsize=8, color=style.GREY)

        # (b) held-out error against code size
        ax = self.ax_error = fig.add_axes([0.57, 0.14, 0.40, 0.62])
        ax.set_xscale("log", base=2)
        ax.set_xticks(CODE_SIZES, [str(k) for k in CODE_SIZES])
        ax.minorticks_off()
        ax.set_xlim(0.8, 20)
        ax.set_ylim(0, 1.12 * max(m["pca"].max(), m["ae"].max()))
        ax.set_xlabel("code size k (numbers per digit)", labelpad=1)
        ax.set_ylabel("held-out error (MSE per pixel)")
        self.ae_line = ax.plot(CODE_SIZES, m["ae"], "o-", color=_AE, ms=4, lw=1.8,
                               label="autoencoder 64-32-k-32-64")[0]
        self.pca_line = ax.plot(CODE_SIZES, m["pca"], "s--", color=_PCA, ms=4, lw=1.8,
                                label="PCA, k components")[0]
        ax.legend(loc="upper right", frameon=False, fontsize=9)
        self.now_line = moving(ax.axvline(1, color=style.GREY, lw=1.0, ls=":", zorder=0))
        self.now_dots = moving(ax.plot([], [], "o", ms=10, mfc="none", mec=style.BLACK, mew=1.5)[0])
        self.ratio_text = moving(stamped(fig, 0.57, 0.855, "", fontsize=10, va="center"))
        self.error_text = moving(stamped(fig, 0.57, 0.795, "", fontsize=10, va="center"))
        fig.text(0.97, 0.025, f"mean over the {len(x_test)} held-out digits; each size trained once "
                 f"({autoencoders.EPOCHS} epochs, Adam)", fontsize=8, color=style.GREY, ha="right",
                 va="center")

    def draw(self) -> None:
        k = self.values["code"]
        i = CODE_SIZES.index(k)
        m = self.measured
        # in the middle of the gaps round the row (1 pixel wide, between -1.5 and -0.5 of a digit)
        self.frame.set_bounds(-1, (i + 1) * 9 - 1, len(SHOWN_CLASSES) * 9 + 1, 9)
        self.pca_row.set_data(style.mosaic(m["pca_rebuilt"][i].reshape(-1, 8, 8), len(SHOWN_CLASSES)))
        self.pca_label.set_text(f"PCA, {row_label(k)}")
        self.now_line.set_xdata([k, k])
        self.now_dots.set_data([k, k], [m["ae"][i], m["pca"][i]])
        self.ratio_text.set_text(f"k = {k}: 64 pixels \u2192 {k} number{'s' if k > 1 else ''}, "
                                 f"{compression(k):g}\u00d7 fewer")
        self.error_text.set_text(f"held-out error: autoencoder {m['ae'][i]:.4f}, PCA {m['pca'][i]:.4f}")

    def storyboard(self):
        # from the tightest squeeze to the loosest, pausing at each end
        for k in CODE_SIZES:
            yield {"code": k}, 1800 if k in (CODE_SIZES[0], CODE_SIZES[-1]) else 1200
