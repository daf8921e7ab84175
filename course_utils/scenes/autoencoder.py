"""An autoencoder squeezes a digit into two numbers and rebuilds it; the map of those codes.

:class:`AutoencoderScene`, left: one held-out digit going through the trained
``64-32-2-32-64`` autoencoder of :mod:`course_utils.autoencoders`. Its 64 pixels, the
encoder's 32 hidden units and the 2 numbers of its code are drawn as columns of cells
coloured by the real activations (:func:`course_utils.runs.layer_outputs`), narrowing;
then the decoder's 32 units and its 64 pixels, widening, and the rebuilt digit beside the
original, with its reconstruction error (the mean squared difference per pixel).

Right: the code of every one of the 400 held-out digits, a point in the plane, drawn as
the digit's own character in the colour of its class. The labels are never used in
training: the network only learned to give back its input. Yet digits of one class end
up near each other: the encoder is a smooth function, so images that look alike get
codes that lie close, and the decoder needs codes far apart to rebuild images that
differ. Giving each held-out digit the class whose centre (the mean code of that class's
training digits) is nearest its code gets 277 of the 400 right (69 %); the first two
principal components of the pixels get 247, the untrained codes 126, guessing about 40.

``step`` walks the recorded snapshots of training (``autoencoders.train(code=2)``); both
halves of the picture show the network as it was then. The map's axes stay fixed, so
one sees the untrained codes (a small blob: the random weights give every digit a code
near the same point) spread out into regions.

Class colours: Okabe-Ito's seven colours other than its yellow (too pale on white), Paul
Tol's wine and olive, and a grey (:data:`DIGIT_COLOURS`). Ten colours cannot all stay apart
for every kind of colour vision, so every point is also drawn as its digit.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Polygon, Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextPath

from .. import autoencoders, runs, style
from ..scene import Param, Scene, step_indices
from ..stamps import StampedLine, stamped

#: One colour per digit class, 0 to 9 (see the module's docstring).
DIGIT_COLOURS = (style.BLUE, style.VERMILLION, style.GREEN, style.PURPLE, style.ORANGE,
                 style.SKY, style.BLACK, "#882255", "#999933", style.GREY)
CODE = 2
SNAPSHOTS = len(autoencoders.SNAPSHOT_AT) - 1
_INK = style.INK.with_extremes(bad="#C4C4C4")  # the gaps of a mosaic


def trained() -> runs.Run:
    """The recorded run of the 2-number autoencoder (cached: trained once)."""
    return autoencoders.train(code=CODE)


def held_out() -> tuple[np.ndarray, np.ndarray]:
    """The 400 held-out digits as rows of 64 pixels, and their labels."""
    return autoencoders.images()[2:]


def first_of(digit: int) -> int:
    """Index of the first held-out digit of class ``digit``."""
    return int(np.flatnonzero(held_out()[1] == digit)[0])


@functools.lru_cache(maxsize=SNAPSHOTS + 2)
def codes_at(k: int) -> np.ndarray:
    """The codes of the held-out digits with the weights of snapshot ``k``: (400, 2)."""
    out = autoencoders.encode(trained().at(k), held_out()[0])
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=1)
def map_limits() -> tuple[tuple[float, float], tuple[float, float]]:
    """Fixed axes for the code map over all snapshots: ``((z1 low, high), (z2 low, high))``,
    the smallest and largest code over every snapshot, widened by 5 % of the span and
    rounded out to whole numbers."""
    every = np.concatenate([codes_at(k) for k in range(SNAPSHOTS + 1)])
    low, high = every.min(axis=0), every.max(axis=0)
    pad = 0.05 * (high - low)
    return tuple((float(np.floor(a)), float(np.ceil(b))) for a, b in zip(low - pad, high + pad))


def squeeze(k: int, digit: int) -> dict:
    """What the picture shows of the first held-out ``digit`` at snapshot ``k``: the
    ``pixels`` (64), the encoder's ``hidden`` tanh outputs (32), the ``code`` (2), the
    decoder's ``unfolded`` tanh outputs (32), the ``rebuilt`` pixels (64) and their
    ``error`` (mean squared difference from the pixels)."""
    x = held_out()[0][first_of(digit)][None]
    with np.errstate(under="ignore"):
        outs = runs.layer_outputs(trained().at(k), x)
    # encoder: Linear, Tanh, Linear; decoder: Linear, Tanh, Linear, Sigmoid
    hidden, code, unfolded, rebuilt = outs[1][0], outs[2][0], outs[4][0], outs[6][0]
    return {"pixels": x[0], "hidden": hidden, "code": code, "unfolded": unfolded,
            "rebuilt": rebuilt, "error": float(autoencoders.errors(rebuilt[None], x)[0])}


@functools.lru_cache(maxsize=1)
def held_out_errors() -> np.ndarray:
    """Mean reconstruction error of the 400 held-out digits at every snapshot: (SNAPSHOTS + 1,).
    (Computed all at once, when the scene is built: moving ``step`` then only draws.)"""
    x, run = held_out()[0], trained()
    with np.errstate(under="ignore"):
        out = np.array([autoencoders.errors(run.at(k)(x), x).mean() for k in range(SNAPSHOTS + 1)])
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=10)
def glyph(d: int) -> Path:
    """The outline of the character ``d`` as straight segments, centred: a scatter marker.
    (Matplotlib measures a marker's curves on every draw, which costs milliseconds; four
    straight segments per curve look the same at this size.)"""
    outline = TextPath((0, 0), str(d), size=1, prop=FontProperties(family="DejaVu Sans"))
    pieces, ts = [], np.linspace(0, 1, 5)[1:]
    for curve, code in outline.iter_bezier():
        if code == Path.MOVETO:
            pieces.append([curve.control_points[0]])
        else:
            pieces[-1].extend(curve(ts))
    box = outline.get_extents()
    middle = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
    return Path.make_compound_path(*(Path(np.array(p) - middle, closed=True) for p in pieces))


def digit_markers(ax, size: float = 32.0) -> list:
    """Ten empty scatters on ``ax``, one per class, each drawing its points as the
    class's digit in its colour."""
    return [ax.scatter([], [], s=size, marker=glyph(d), color=DIGIT_COLOURS[d], linewidths=0.2)
            for d in range(10)]


def place_markers(markers: list, codes: np.ndarray, labels: np.ndarray) -> None:
    """Put each code (rows of ``codes``) on the scatter of its label."""
    for d, marker in enumerate(markers):
        marker.set_offsets(codes[labels == d])


class AutoencoderScene(Scene):
    """One digit squeezed to its 2-number code and rebuilt; every held-out digit's code.

    Parameters: ``digit`` (the first held-out digit of that class) and ``step`` (the
    snapshot of training shown, 0 = untrained to ``SNAPSHOTS``).
    """

    params = (
        Param("digit", 3, options=tuple((f"a {d}", d) for d in range(10)), label="held-out digit"),
        Param("step", SNAPSHOTS, 0, SNAPSHOTS, 1, integer=True, label="snapshot"),
    )
    size = (10.0, 4.4)
    gif_name = "autoencoder"
    gif_one_palette = True  # ten class colours, grey ink and anti-aliased text

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        fig.text(0.012, 0.945, "An autoencoder squeezes each digit into 2 numbers, then rebuilds it "
                 "from them", fontsize=12, fontweight="bold", va="center")
        self.caption = moving(StampedLine(fig, 0.012, 0.875, pieces=4, fontsize=10, va="center"))
        mid = 1.95  # inches from the bottom: the middle of the network

        def box(x, width, height):  # inches -> figure fractions, centred on mid
            return [x / fw, (mid - height / 2) / fh, width / fw, height / fh]

        def frame(ax, colour=style.GREY):  # drawn over the (moving) picture in ax
            moving(ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, lw=1,
                                          ec=colour, clip_on=False)))

        def column(x, n, cmap, vmin, vmax, cell=0.04, width=0.15):
            ax = fig.add_axes(box(x, width, n * cell))
            style.picture_axes(ax)
            image = moving(ax.imshow(np.zeros((n, 1)), cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto",
                                     interpolation="nearest"))
            frame(ax)
            return ax, image

        rebuilt_x, code_w = 4.95, 1.0  # where the rebuilt digit begins; the code's width
        # the original and the rebuilt digit
        self.ax_original = fig.add_axes(box(0.15, 1.1, 1.1))
        self.ax_rebuilt = fig.add_axes(box(rebuilt_x, 1.1, 1.1))
        self.original, self.rebuilt = (
            moving(ax.imshow(np.zeros((8, 8)), cmap=style.INK, vmin=0, vmax=1, interpolation="nearest"))
            for ax in (self.ax_original, self.ax_rebuilt))
        for ax in (self.ax_original, self.ax_rebuilt):
            style.picture_axes(ax)
            frame(ax)
        self.original_title = moving(stamped(fig, 0.7 / fw, (mid + 0.65) / fh, "", fontsize=10,
                                             ha="center", va="bottom"))
        centre = (rebuilt_x + 0.55) / fw
        fig.text(centre, (mid + 0.65) / fh, "rebuilt", fontsize=10, ha="center", va="bottom")
        self.error_text = moving(StampedLine(fig, centre, (mid - 0.7) / fh, pieces=1, ha="center",
                                             fontsize=10, va="top"))

        # the network: columns of cells, narrowing to the code and widening again
        xs = {"pixels": 1.5, "hidden": 2.15, "code": 2.65, "unfolded": 4.0, "rebuilt": 4.55}
        _, self.pixel_cells = column(xs["pixels"], 64, style.INK, 0, 1)
        _, self.hidden_cells = column(xs["hidden"], 32, style.DIVERGING, -1, 1)
        _, self.unfolded_cells = column(xs["unfolded"], 32, style.DIVERGING, -1, 1)
        _, self.rebuilt_cells = column(xs["rebuilt"], 64, style.INK, 0, 1)
        self.ax_code = fig.add_axes(box(xs["code"], code_w, 0.64))
        style.picture_axes(self.ax_code)
        self.code_cells = moving(self.ax_code.imshow(np.zeros((2, 1)), cmap=style.DIVERGING, vmin=-1,
                                                     vmax=1, aspect="auto", extent=(0, 1, 2, 0),
                                                     interpolation="nearest"))
        frame(self.ax_code, style.BLACK)
        moving(self.ax_code.axhline(1, color=style.BLACK, lw=0.8))
        self.code_text = [moving(StampedLine(self.ax_code, 0.5, i + 0.5, pieces=1, ha="center",
                                             va="center", fontsize=10, transform=self.ax_code.transData))
                          for i in range(2)]
        # grey funnels between the columns, drawn under them
        edges = [(1.25, 1.1), (xs["pixels"], 2.56), (xs["pixels"] + 0.15, 2.56), (xs["hidden"], 1.28),
                 (xs["hidden"] + 0.15, 1.28), (xs["code"], 0.64), (xs["code"] + code_w, 0.64),
                 (xs["unfolded"], 1.28), (xs["unfolded"] + 0.15, 1.28), (xs["rebuilt"], 2.56),
                 (xs["rebuilt"] + 0.15, 2.56), (rebuilt_x, 1.1)]
        for (x0, h0), (x1, h1) in zip(edges[::2], edges[1::2]):
            corners = [(x0, mid - h0 / 2), (x1, mid - h1 / 2), (x1, mid + h1 / 2), (x0, mid + h0 / 2)]
            fig.patches.append(Polygon([(x / fw, y / fh) for x, y in corners], closed=True,
                                       transform=fig.transFigure, fc="#E6E6E6", ec="none", zorder=-1))
        below = (mid - 1.28 - 0.08) / fh
        for key, label in (("pixels", "64\npixels"), ("hidden", "32\ntanh"), ("unfolded", "32\ntanh"),
                           ("rebuilt", "64\nsigmoid")):
            fig.text((xs[key] + 0.075) / fw, below, label, fontsize=8, ha="center", va="top")
        fig.text((xs["code"] + code_w / 2) / fw, (mid - 0.4) / fh, "the code:\n2 numbers", fontsize=9,
                 ha="center", va="top", fontweight="bold")
        above = (mid + 1.28 + 0.1) / fh
        fig.text((xs["pixels"] + xs["code"] + code_w) / 2 / fw, above, "encoder", fontsize=10, ha="center",
                 va="bottom", color=style.TEXT_GREEN, fontweight="bold")
        fig.text((xs["code"] + xs["rebuilt"] + 0.15) / 2 / fw, above, "decoder", fontsize=10,
                 ha="center", va="bottom", color=style.BLUE, fontweight="bold")
        fig.text(0.012, 0.04, "cells: pixels white 0 to black 1; tanh units vermillion \u22121 to blue +1",
                 fontsize=8, color=style.GREY, va="center")

        # the code map of the held-out digits
        ax = self.ax_map = fig.add_axes([6.75 / fw, 0.5 / fh, 2.95 / fw, 2.95 / fh])
        (x0, x1), (y0, y1) = map_limits()  # encodes the digits with every snapshot, once
        held_out_errors()  # and rebuilds them
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xticks(*style.round_ticks(x0, x1))
        ax.set_yticks(*style.round_ticks(y0, y1))
        ax.set_xlabel("z\u2081 (first number of the code)", labelpad=1, fontsize=9)
        ax.set_ylabel("z\u2082", labelpad=1)
        ax.tick_params(labelsize=8)
        ax.set_title("codes of the 400 held-out digits", fontsize=10, pad=14)
        ax.text(0.5, 1.01, "(labels only colour them: training never sees a label)", fontsize=8,
                ha="center", va="bottom", transform=ax.transAxes, color=style.GREY)
        self.markers = [moving(m) for m in digit_markers(ax)]
        self.ring = moving(ax.plot([], [], "o", ms=13, mfc="none", mec=style.BLACK, mew=1.6)[0])

    def draw(self) -> None:
        k, digit = self.values["step"], self.values["digit"]
        seen = squeeze(k, digit)
        self.original.set_data(seen["pixels"].reshape(8, 8))
        self.rebuilt.set_data(seen["rebuilt"].reshape(8, 8))
        self.original_title.set_text(f"a held-out {digit}")
        self.error_text.set("error {}", f"{seen['error']:.4f}")
        self.pixel_cells.set_data(seen["pixels"][:, None])
        self.hidden_cells.set_data(seen["hidden"][:, None])
        self.unfolded_cells.set_data(seen["unfolded"][:, None])
        self.rebuilt_cells.set_data(seen["rebuilt"][:, None])
        # the code cells are coloured pale (scaled by twice the map's reach), so the
        # numbers written on them stay readable
        reach = 2 * max(abs(v) for pair in map_limits() for v in pair)
        self.code_cells.set_data(seen["code"][:, None] / reach)
        for i, text in enumerate(self.code_text):
            text.set(f"z{style.subscript(i + 1)} = {{}}", style.signed(seen["code"][i], 2))
        update = autoencoders.SNAPSHOT_AT[k]
        self.caption.set("snapshot {} of {}, update {}: mean error of the 400 held-out digits {}",
                         str(k), str(SNAPSHOTS), str(update), f"{held_out_errors()[k]:.4f}")
        codes = codes_at(k)
        place_markers(self.markers, codes, held_out()[1])
        self.ring.set_data([seen["code"][0]], [seen["code"][1]])

    def storyboard(self):
        # the trained network squeezes and rebuilds two digits; then training from the
        # untrained start to the end: the codes spread out into regions
        for digit in (3, 0):
            yield {"digit": digit, "step": SNAPSHOTS}, 2600
        for k in step_indices(SNAPSHOTS, 16):
            yield {"digit": 0, "step": k}, 1800 if k == 0 else 2800 if k == SNAPSHOTS else 350
