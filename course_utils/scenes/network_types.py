"""The six families of networks, each drawn as what flows where.

``family`` picks the diagram; ``step`` (0 to ``LAST``) moves the signal through it: orange
dots travel along the connections, and what the signal has reached lights up (blue fill or
orange outline). Above: the family's name; below: what happens now, and what it is good for.

* feedforward: layers of neurons (3-5-5-2), each feeding every neuron of the next; one way only.
* convolutional: an 8 x 8 image of a 7. A 3 x 3 window slides over it and fills three
  6 x 6 feature maps (computed by ``nn.Conv2d`` with three filters: vertical edges,
  horizontal edges, blur); the maps, flattened to a vector, feed ten class neurons, and
  the 7 lights up.
* recurrent: the cell with its loop (left) and the same cell unrolled over four time
  steps (right). Each step reads ``x_t`` and the hidden state ``h_{t-1}`` and writes
  ``h_t``, drawn as bars in the cell (blue positive, vermillion negative: the states of
  an ``nn.RNN(1, 4)`` with seeded weights); ``h_t`` gives the output ``y_t``.
* lstm: the same plus a line carrying the cell state ``c``; gates f, i, o; bars from ``nn.LSTM(1, 4)``.
* gan: noise -> generator -> fake -> discriminator <- real sample; verdict; dashed: it trains both.
* autoencoder: input -> encoder (6, 4 neurons) -> a code of 2 -> decoder (4, 6) ->
  reconstruction. The reconstruction is the input blurred: an illustration of the detail
  a narrow code loses, not a trained network's output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle

from .. import nn, style
from ..scene import Param, Scene, step_indices

LAST = 32  # the step at which the signal has gone all the way through
H = 6.0  # every diagram spans y in [0, H]; x in [0, width], with equal aspect
NODE, DOT = 15, 7  # marker sizes in points: neurons, travelling signals

#: key -> (dropdown label, title, what it is good for)
FAMILIES = {
    "feedforward": ("Feedforward (MLP)", "Feedforward network (multilayer perceptron)",
                    "Good for: a fixed set of numbers in, an answer out (tables of measurements)."),
    "convolutional": ("Convolutional (CNN)", "Convolutional network (CNN)",
                      "Good for: images and other grids, where the same pattern can appear anywhere."),
    "recurrent": ("Recurrent (RNN)", "Recurrent network (RNN)",
                  "Good for: sequences (text, sound, sensor readings) where order matters."),
    "lstm": ("LSTM", "Long short-term memory (LSTM)",
             "Good for: long sequences: its gated cell state keeps information over many steps."),
    "gan": ("Generative adversarial (GAN)", "Generative adversarial network (GAN)",
            "Good for: making new samples that look like the data, such as images."),
    "autoencoder": ("Autoencoder", "Autoencoder",
                    "Good for: compression, denoising, and spotting inputs unlike the training data."),
}

SEVEN = np.array([[c == "#" for c in row] for row in ("........", ".######.", ".....##.", "....##..",
                                                       "...##...", "...##...", "..##....", "........")], float)
KERNEL = 3
FILTERS = (np.array([[1.0, 0, -1]] * 3), np.array([[1.0, 0, -1]] * 3).T, np.full((3, 3), 1 / 9))
SEQUENCE = np.array([[1.0], [-1.0], [0.5], [1.0]])  # x_1 .. x_4, for the RNN and the LSTM
SUB = "\u2080\u2081\u2082\u2083\u2084"  # subscripts 0-4
RNN_CAPTIONS = (
    f"Time step 1: the cell reads x{SUB[1]} and the start state h{SUB[0]} = 0; it writes h{SUB[1]}, the bars.",
    f"Time step 2: the same cell, with the same weights, reads x{SUB[2]} and h{SUB[1]} from the step before.",
    f"Time step 3: h{SUB[2]} carries what the cell has seen so far into this step: the loop.",
    f"Time step 4: y{SUB[4]} can depend on all of x{SUB[1]} ... x{SUB[4]}, through the hidden states.",
)
LSTM_CAPTIONS = (
    f"Time step 1: the cell reads x{SUB[1]}, h{SUB[0]} and c{SUB[0]}; gates f, i, o choose what to "
    "forget, write, show.",
    "Time step 2: a second line carries the cell state c (top) next to the hidden state h.",
    "Time step 3: with f near 1 and i near 0, c passes on almost unchanged: a long memory.",
    f"Time step 4: the output gate o decides how much of the cell state shows in h{SUB[4]} and y{SUB[4]}.",
)


def feature_maps(image: np.ndarray = SEVEN) -> np.ndarray:
    """The image (H, W) through ``nn.Conv2d(1, 3, 3, bias=False)`` whose filters are ``FILTERS``
    (cross-correlation, stride 1, no padding): shape (3, H - 2, W - 2)."""
    conv = nn.Conv2d(1, len(FILTERS), KERNEL, bias=False)
    conv.weight.data[:] = np.stack(FILTERS)[:, None]
    return conv(image[None, None])[0]


def hidden_states(kind: str) -> np.ndarray:
    """h_1 .. h_4 of a one-layer ``nn.RNN(1, 4)`` (``kind`` "recurrent") or ``nn.LSTM(1, 4)``
    (weights from seed 0) reading ``SEQUENCE``: shape (4, 4)."""
    layer = (nn.RNN if kind == "recurrent" else nn.LSTM)(1, 4, rng=0)
    return layer(SEQUENCE)[0]


def progress(weights, step: int) -> tuple[int, float]:
    """Which leg of the journey ``step`` is on, and how far along it (0 to 1). Leg k takes
    a share ``weights[k] / sum(weights)`` of the steps 0..LAST."""
    edges = np.cumsum([0.0, *weights]) / sum(weights) * LAST
    leg = min(int(np.searchsorted(edges, step, side="right")) - 1, len(weights) - 1)
    return leg, float(min(1.0, (step - edges[leg]) / (edges[leg + 1] - edges[leg])))


def along(path: np.ndarray, t: float) -> np.ndarray:
    """The point a fraction ``t`` of the way along a polyline ``path`` (k, 2), by length."""
    where = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(path, axis=0).T))])
    return np.array([np.interp(t * where[-1], where, path[:, i]) for i in (0, 1)])


@dataclass
class Family:
    """One family's diagram: its axes, the legs of the signal's journey (weight, paths the
    dots follow, caption), and what lights up when the signal gets somewhere."""

    ax: object
    legs: list = field(default_factory=list)
    lights: list = field(default_factory=list)  # (Line2D, [(x, y, leg, at)])
    reveals: list = field(default_factory=list)  # (artist, leg, at): shown once reached
    movers: list = field(default_factory=list)
    dots: Line2D | None = None
    update: Callable[[int, float], None] | None = None  # extra drawing for (leg, t)

    def leg(self, caption: str, paths=(), weight: float = 1.0) -> None:
        self.legs.append((weight, [np.asarray(p, dtype=float) for p in paths], caption))


def _fan(a, b) -> list:
    """Every connection from the points ``a`` to the points ``b``, as 2-point paths."""
    return [np.array([p, q]) for p in a for q in b]


def _column(x: float, n: int, gap: float = 1.0, mid: float = 3.2) -> list:
    return [(x, mid + (n - 1) / 2 * gap - j * gap) for j in range(n)]


def _arrow(ax, p, q, **kw):
    props = dict(arrowstyle="-|>", color=style.GREY, lw=1.5, shrinkA=0, shrinkB=0, mutation_scale=12)
    ax.annotate("", xy=q, xytext=p, arrowprops={**props, **kw}, zorder=2)


def _text(ax, x, y, text, size=9, **kw):
    ax.text(x, y, text, ha=kw.pop("ha", "center"), va="center", fontsize=size, **kw)


def _image(ax, image, centre, side, cmap="Greys", **kw):
    """``image`` as a square of ``side`` centred at ``centre``, framed in grey."""
    (x, y), r = centre, side / 2
    ax.add_patch(Rectangle((x - r, y - r), side, side, fc="none", ec=style.GREY, lw=1, zorder=3))
    return ax.imshow(image, cmap=cmap, extent=(x - r, x + r, y - r, y + r), interpolation="nearest",
                     zorder=2, **kw)


def _box(ax, centre, w, h, text, colour):
    (x, y) = centre
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05", fc="white",
                                ec=colour, lw=2.5, zorder=2))
    ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=3)


class NetworkTypesScene(Scene):
    """One family's data flow at a time (``family``), the signal at ``step``; see above."""
    params = (
        Param("family", "feedforward", options=tuple((v[0], k) for k, v in FAMILIES.items()),
              label="family"),
        Param("step", LAST, 0, LAST, 1, integer=True, label="signal flow"),
    )
    size = (8.0, 4.0)
    gif_name = "network_types"
    background_params = ("family",)
    _RECT = (0.01, 0.2, 0.98, 0.68)

    def build(self) -> None:
        fig = self.fig
        self.width = H * (self._RECT[2] * fig.get_figwidth()) / (self._RECT[3] * fig.get_figheight())
        self.title = fig.text(0.015, 0.935, "", fontsize=13, fontweight="bold", va="center")
        self.good_for = fig.text(0.015, 0.04, "", fontsize=10, color=style.BLACK)
        self.caption = self.moving(fig.text(0.015, 0.12, "", fontsize=10, color=style.BLUE))
        self.families = {}
        for key in FAMILIES:
            ax = fig.add_axes(self._RECT, xlim=(0, self.width), ylim=(0, H))
            ax.set_axis_off()
            self._fam = self.families[key] = Family(ax)
            getattr(self, f"_build_{key}")(ax)
            self._fam.dots = self._mv(ax.plot([], [], "o", ms=DOT, color=style.ORANGE, mec=style.BLACK,
                                              mew=0.8, zorder=6)[0])

    def _mv(self, artist):
        """Mark ``artist`` as moving, and as belonging to the family being built."""
        self._fam.movers.append(self.moving(artist))
        return artist

    def _nodes(self, ax, points, marker="o", ms=NODE, leg=None, at=1.0, lit=style.SKY):
        """Neurons as markers. With ``leg`` (one for all, or one per point), a lit copy
        (filled with ``lit``, or outlined in orange if ``lit`` is None) shows once the
        signal is ``at`` that far along that leg."""
        ax.plot(*np.transpose(points), marker, ms=ms, mfc="white", mec=style.BLACK, mew=1.2, ls="none",
                zorder=3)
        if leg is not None:
            look = dict(mfc=lit, mec=style.BLACK, mew=1.2) if lit else dict(mfc="none", mec=style.ORANGE, mew=3)
            line = self._mv(ax.plot([], [], marker, ms=ms, ls="none", zorder=4, **look)[0])
            legs = [leg] * len(points) if isinstance(leg, int) else list(leg)
            self._fam.lights.append((line, [(x, y, k, at) for (x, y), k in zip(points, legs)]))

    # --- the six diagrams (x from 0 to 17.3, y from 0 to 6) -----------------------------
    def _build_feedforward(self, ax) -> None:
        xs, sizes = (2.2, 6.4, 10.6, 14.8), (3, 5, 5, 2)
        cols = [_column(x, n, gap=1.05) for x, n in zip(xs, sizes)]
        captions = ("The inputs go to every neuron of the first hidden layer.",
                    "Each neuron adds its weighted inputs and a bias, applies its activation, passes it on.",
                    "The output layer gives the answer. Nothing flows back: no loops, no memory.")
        for caption, a, b in zip(captions, cols, cols[1:]):
            ax.add_collection(LineCollection(_fan(a, b), colors=style.GREY, linewidths=0.7, zorder=1))
            self._fam.leg(caption, _fan(a, b))
        for k, (col, x) in enumerate(zip(cols, xs)):
            self._nodes(ax, col, leg=max(k - 1, 0), at=1.0 if k else 0.0)
            _text(ax, x, 0.25, ("input", "hidden layer 1", "hidden layer 2", "output")[k])

    def _build_convolutional(self, ax) -> None:
        fam, maps, centres = self._fam, feature_maps(), [(6.6, 5.0), (6.6, 3.2), (6.6, 1.4)]
        _image(ax, SEVEN, (2.2, 3.4), 3.2)
        _text(ax, 2.2, 1.3, "image (8 \u00d7 8)")
        self.window = self._mv(ax.add_patch(Rectangle((0, 0), 1.2, 1.2, fc="none", ec=style.ORANGE,
                                                      lw=2.5, zorder=5)))
        self.map_images = [self._mv(_image(ax, np.full(m.shape, np.nan), c, 1.5, cmap=style.DIVERGING,
                                           vmin=-np.abs(m).max(), vmax=np.abs(m).max()))
                           for m, c in zip(maps, centres)]
        self._maps, self._map_centres = maps, centres
        self.reach = self._mv(ax.add_collection(LineCollection([], colors=style.ORANGE, linewidths=1.2, zorder=5)))
        vector, classes = _column(10.6, 8, gap=0.6), _column(14.0, 10, gap=0.5, mid=3.3)
        starts = [(7.4, y) for _, y in centres]
        ax.add_collection(LineCollection(_fan(vector, classes), colors=style.GREY, linewidths=0.3, zorder=1))
        ax.add_collection(LineCollection(_fan(starts, vector), colors=style.GREY, linewidths=0.5, zorder=1))
        fam.leg("A 3 \u00d7 3 window slides over the image; each position gives one number per filter.",
                weight=3)
        fam.leg("The feature maps are flattened into one long vector of numbers.", _fan(starts, vector))
        fam.leg("Class neurons score the vector; the highest score, 7, is the answer.", _fan(vector, classes))
        self._nodes(ax, vector, marker="s", ms=10, leg=1)
        self._nodes(ax, classes, ms=9)
        self._nodes(ax, [classes[7]], ms=9, leg=2)  # the answer
        for d, (x, y) in enumerate(classes):
            _text(ax, x + 0.4, y, str(d), size=8)
        for x, name in ((6.6, "3 feature maps (6 \u00d7 6)"), (10.6, "vector"), (14.2, "10 classes")):
            _text(ax, x, 0.25, name)
        fam.update = self._update_convolutional

    def _update_convolutional(self, leg: int, t: float) -> None:
        """The window at the position the slide has reached, the feature maps filled up to
        it, and lines from the window to the cells it fills."""
        side = self._maps.shape[1]
        done = side * side if leg > 0 else min(side * side - 1, int(t * side * side))
        row, col = divmod(min(done, side * side - 1), side)
        shown = np.where(np.arange(side * side).reshape(side, side) <= done, self._maps, np.nan)
        for image, values in zip(self.map_images, shown):
            image.set_data(values)
        pixel = 3.2 / 8
        self.window.set_xy((0.6 + col * pixel, 5.0 - (row + KERNEL) * pixel))
        window = (0.6 + (col + 1.5) * pixel, 5.0 - (row + 1.5) * pixel)
        self.reach.set_segments([[window, (cx - 0.75 + (col + 0.5) * 0.25, cy + 0.75 - (row + 0.5) * 0.25)]
                                 for cx, cy in self._map_centres])
        for artist in (self.window, self.reach):
            artist.set_visible(leg == 0)

    def _build_recurrent(self, ax, lstm: bool = False) -> None:
        fam, ms, y0, xs = self._fam, 42 if lstm else 34, 3.2, (6.4, 9.2, 12.0, 14.8)
        half = ms / 72 * style.DPI / (ax.get_position().width * self.fig.bbox.width) * self.width / 2
        lines = (y0 + 0.3, y0 - 0.3) if lstm else (y0,)
        # folded: the cell and its loop
        self._nodes(ax, [(1.4, y0)], marker="s", ms=ms)
        self._nodes(ax, [(1.4, 0.9), (1.4, 5.5)])
        _arrow(ax, (1.4, 1.15), (1.4, y0 - half))
        _arrow(ax, (1.4, y0 + half), (1.4, 5.25))
        angle = np.linspace(0.8 * np.pi, -0.8 * np.pi, 40)
        loop = np.c_[1.4 + half + 0.45 + 0.55 * np.cos(angle), y0 + 0.55 * np.sin(angle)]
        ax.plot(*loop[:-3].T, color=style.GREY, lw=1.5, zorder=2)
        _arrow(ax, loop[-4], loop[-1])
        for x, y, text, size in ((2.9, y0 + 0.85, "c, h" if lstm else "h", 10), (0.9, 0.9, "x", 10),
                                 (0.9, 5.5, "y", 10), (4.2, y0, "=", 16), (1.8, 0.25, "folded: a loop", 9),
                                 (10.6, 0.25, "unrolled: the same cell at every time step", 9)):
            _text(ax, x, y, text, size)
        for y, name in zip(lines[::-1], "hc"):
            _text(ax, 5.05, y + (0.3 if name == "c" else -0.3), f"{name}{SUB[0]} = 0", size=8)
        # unrolled, with the hidden states as bars
        states = hidden_states("lstm" if lstm else "recurrent")
        scale, base = 0.8 * half / np.abs(states).max(), y0 - 0.25 * lstm
        self._nodes(ax, [(x, y0) for x in xs], marker="s", ms=ms, leg=range(4), at=0.5, lit=None)
        self._nodes(ax, [(x, 0.9) for x in xs], leg=0, at=0.0)
        self._nodes(ax, [(x, 5.5) for x in xs], leg=range(4))
        for t, x in enumerate(xs):
            _text(ax, x - 0.45, 0.9, f"x{SUB[t + 1]}", size=10)
            _text(ax, x - 0.45, 5.5, f"y{SUB[t + 1]}", size=10)
            _arrow(ax, (x, 1.15), (x, y0 - half))
            _arrow(ax, (x, y0 + half), (x, 5.25))
            if lstm:
                _text(ax, x, y0 + half - 0.2, "f  i  o", size=8)
            bars = LineCollection([[(x + d, base), (x + d, base + h * scale)]
                                   for d, h in zip(np.linspace(-0.6, 0.6, 4) * half, states[t])],
                                  colors=[style.sign_color(h) for h in states[t]], linewidths=5, zorder=5)
            fam.reveals.append((self._mv(ax.add_collection(bars)), t, 0.5))
            start = xs[t - 1] + half if t else 4.7
            carried = [[(start, y), (x - half, y)] for y in lines]
            for path in carried:
                _arrow(ax, *path)
            paths = [[(x, 0.9), (x, y0), (x, 5.5)], *carried]
            if t:
                paths += [loop, [(1.4, 0.9), (1.4, y0), (1.4, 5.5)]]
            fam.leg((LSTM_CAPTIONS if lstm else RNN_CAPTIONS)[t], paths)

    def _build_lstm(self, ax) -> None:
        self._build_recurrent(ax, lstm=True)

    def _build_gan(self, ax) -> None:
        fam, rng, row = self._fam, np.random.default_rng(0), 2.9
        _image(ax, rng.random((8, 8)), (1.2, row), 1.5)  # the noise
        fake = np.clip(0.7 * np.roll(SEVEN, 1, axis=1) + 0.4 * rng.random((8, 8)) - 0.1, 0, 1)
        _box(ax, (4.2, row), 2.0, 1.3, "generator\nG", style.GREEN)
        fam.reveals.append((self._mv(_image(ax, fake, (7.4, row), 1.5)), 1, 1.0))
        _box(ax, (10.9, row), 2.4, 1.3, "discriminator\nD", style.PURPLE)
        _image(ax, SEVEN, (10.9, 5.1), 1.3)
        _box(ax, (14.9, row), 2.1, 1.3, "verdict:\nreal or fake?", style.GREY)
        verdict = FancyBboxPatch((13.85, row - 0.65), 2.1, 1.3, boxstyle="round,pad=0.05", fc="none",
                                 ec=style.ORANGE, lw=3.5, zorder=4)
        fam.reveals.append((self._mv(ax.add_patch(verdict)), 3, 1.0))
        for x, y, text in ((1.2, row - 1.1, "random noise"), (7.4, row - 1.1, "fake sample"),
                           (7.55, 0.35, "the verdict trains both"), (9.9, 5.1, "real sample\n(from the data)")):
            _text(ax, x, y, text, ha="right" if x == 9.9 else "center")
        hops = [[(1.95, row), (3.2, row)], [(5.2, row), (6.65, row)], [(8.15, row), (9.7, row)],
                [(10.9, 4.45), (10.9, row + 0.65)], [(12.1, row), (13.85, row)]]
        for p, q in hops:
            _arrow(ax, p, q)
        back = [(10.9, row - 0.65), (10.9, 0.7), (4.2, 0.7), (4.2, row - 0.65)]
        ax.plot(*np.transpose(back[:-1]), color=style.GREY, lw=1.5, ls="--", zorder=1)
        _arrow(ax, back[-2], back[-1], ls="--")
        fam.leg("The generator G turns random noise ...", hops[:1])
        fam.leg("... into a fake sample. G never sees the real data.", hops[1:2])
        fam.leg("The discriminator D gets fake samples and real ones from the data set.", hops[2:4])
        fam.leg("D gives its verdict: how likely is it that this sample is real?", hops[4:])
        fam.leg("Both learn from it: D to tell real from fake, G to make fakes that D calls real.", [back])

    def _build_autoencoder(self, ax) -> None:
        fam, padded = self._fam, np.pad(SEVEN, 1, mode="edge")
        blurred = 0.5 * SEVEN + sum(padded[i:i + 8, j:j + 8] for i in range(3) for j in range(3)) / 18
        cols = [_column(x, n, gap=0.85) for x, n in zip((4.3, 6.35, 8.4, 10.45, 12.5), (6, 4, 2, 4, 6))]
        for wide, narrow in ((3.9, 8.8), (12.9, 8.0)):  # the encoder's and the decoder's funnel
            ax.add_patch(Polygon([(wide, 5.9), (narrow, 4.1), (narrow, 2.3), (wide, 0.5)], fc=style.LIGHT,
                                 ec="none", zorder=0))
        _image(ax, SEVEN, (1.5, 3.2), 2.2)
        fam.reveals.append((self._mv(_image(ax, blurred, (15.4, 3.2), 2.2, vmin=0, vmax=1)), 5, 1.0))
        for x, y, name in ((1.5, 1.75, "input"), (15.4, 1.75, "reconstruction"), (5.3, 0.2, "encoder"),
                           (8.4, 0.2, "code"), (11.5, 0.2, "decoder")):
            _text(ax, x, y, name, fontweight="bold" if name == "code" else "normal")
        captions = ("The encoder reads the input image ...",
                    "... and squeezes it through narrower and narrower layers ...",
                    "... into a code of just 2 numbers: the narrow middle.",
                    "The decoder starts from the code alone ...", "... and widens it, layer by layer ...",
                    "... into a reconstruction, trained to match the input as closely as it can.")
        ends = [[(2.6, 3.2)], *cols, [(14.3, 3.2)]]
        for caption, a, b in zip(captions, ends, ends[1:]):
            ax.add_collection(LineCollection(_fan(a, b), colors=style.GREY, linewidths=0.7, zorder=1))
            fam.leg(caption, _fan(a, b))
        for k, col in enumerate(cols):
            self._nodes(ax, col, leg=k)

    # --- drawing -----------------------------------------------------------------------
    def draw_background(self) -> None:
        """Show the chosen family's diagram and texts; hide the others (and their movers)."""
        key = self.values["family"]
        for name, fam in self.families.items():
            fam.ax.set_visible(name == key)
            for artist in fam.movers:
                artist.set_visible(name == key)
        self.title.set_text(FAMILIES[key][1])
        self.good_for.set_text(FAMILIES[key][2])

    def draw(self) -> None:
        fam = self.families[self.values["family"]]
        leg, t = progress([w for w, _, _ in fam.legs], self.values["step"])

        def reached(at_leg, at):
            return leg > at_leg or (leg == at_leg and t >= at)

        dots = [along(p, t) for p in fam.legs[leg][1]] if t < 1 else []  # arrived: gone
        fam.dots.set_data([d[0] for d in dots], [d[1] for d in dots])
        for line, points in fam.lights:
            lit = [(x, y) for x, y, at_leg, at in points if reached(at_leg, at)]
            line.set_data([p[0] for p in lit], [p[1] for p in lit])
        for artist, at_leg, at in fam.reveals:
            artist.set_visible(reached(at_leg, at))
        if fam.update:
            fam.update(leg, t)
        self.caption.set_text(fam.legs[leg][2])

    def storyboard(self):
        """Every family in turn, the signal moving through it in 17 frames; the whole
        picture stays up for a moment at the end."""
        for key in FAMILIES:
            for k in step_indices(LAST, 17):
                yield dict(family=key, step=k), 1800 if k == LAST else (500 if k == 0 else 90)

    def picture(self, family: str, step: int = LAST):
        """The picture at ``family`` and ``step``, as an image a notebook shows."""
        from IPython.display import Image

        return Image(self.set(family=family, step=step).to_png())
