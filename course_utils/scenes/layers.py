"""Layers: a small network learns a 2-D data set, and every neuron shows what it computes.

Left: the network as a diagram, input layer (x1, x2), hidden layers, output neuron.
Each connection is drawn in the colour of its weight's sign (blue positive, vermillion
negative) and as thick as the weight is large. Each neuron is drawn as a small heatmap:
its own output for every point of the input plane, as TensorFlow Playground does
(Smilkov & Carter, 2016). Middle: the output neuron's probability of class 1 over the
plane, with the data. Right: the plane as one layer sees it: the image of a grid of
lines under the map from the input to that layer's outputs (Olah, "Neural Networks,
Manifolds, and Topology", 2014). A layer of more than two neurons is shown through the
two of its neurons whose outputs vary most over the data at the end of training; the
diagram boxes them in black and the axes name them.

Parameters: ``dataset``, ``hidden_layers`` (0-6), ``neurons`` per hidden layer (1-8)
and ``activation`` fix the network; ``layer`` picks the layer whose view of the plane is
drawn (0 is the input plane; a number past the last hidden layer shows the last one);
``step`` (0 to ``STEPS``, the slider labelled "snapshot", with a Play button in the
widget) picks a recorded moment of the training: snapshot ``k`` is the network after
``EPOCH_AT[k]`` epochs, and the picture says so ("snapshot 12 of 20: epoch 180").

Changing the structure trains a new network with the course's engine (full-batch Adam,
seeded: about 0.05-0.2 s) and records the run (:mod:`course_utils.runs`): ``STEPS + 1``
snapshots of the weights, replayed through the model itself. Runs are cached, so coming
back to a setting is instant, and moving the snapshot only redraws what moves.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from .. import data, models, nn, runs, style
from ..nn import optim
from ..nn.functional import ACTIVATIONS
from ..scene import Param, Scene

ACTIVATION_CHOICES = ("tanh", "relu", "sigmoid")
DATASET_CHOICES = (("circle", "circle"), ("XOR", "xor"), ("two blobs", "gaussian"),
                   ("spiral", "spiral"), ("two moons", "moons"))
_DATASET_NAMES = {value: label for label, value in DATASET_CHOICES}
MAX_HIDDEN = 6
MAX_WIDTH = 8
N_POINTS = 200  # points per data set
NOISE = 0.1  # noise of every data set (see course_utils.data)
DATA_SEED = 0
INIT_SEED = 1
LEARNING_RATE = 0.02
EPOCHS = 500  # full-batch Adam steps
STEPS = 20  # snapshots 0..STEPS; snapshot k is taken after EPOCH_AT[k] epochs
#: Epoch of each snapshot: spaced quadratically, since a network changes most early on.
EPOCH_AT = runs.schedule(EPOCHS, STEPS)
PLANE = 2.5  # the input plane is [-PLANE, PLANE]^2
HEAT_RES = 31  # pixels per side of a neuron's small heatmap
OUT_RES = 81  # pixels per side of the output panel
GRID_LINES = 11  # lines per direction in the grid that the layers transform
GRID_SAMPLES = 61  # points along each grid line

# The style's colour maps in a few flat steps: a frame then has few colours, which keeps
# the GIF small, and the steps read like contour lines.
_HEAT_CMAP = style.DIVERGING.resampled(11)

_sigmoid = ACTIVATIONS["sigmoid"].function


@runs.cache
def train(dataset: str, hidden_layers: int, neurons: int, activation: str) -> runs.Run:
    """Train a ``models.layer_sizes(hidden_layers, neurons)`` network on ``dataset`` (200
    points, seeded) with full-batch Adam, keeping its weights at each ``EPOCH_AT``.
    Cached: the same structure twice trains once."""
    x, y = data.DATASETS[dataset](N_POINTS, NOISE, rng=DATA_SEED)
    model = models.mlp(models.layer_sizes(hidden_layers, neurons), activation, rng=INIT_SEED)
    return runs.record(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=LEARNING_RATE),
                       x, y[:, None].astype(float), epochs=EPOCHS, at=EPOCH_AT)


def snapshot_text(k: int) -> str:
    """What the picture says of snapshot ``k``: ``"snapshot 12 of 20: epoch 180"``."""
    return f"snapshot {k} of {STEPS}: epoch {EPOCH_AT[k]}"


class LayersScene(Scene):
    params = (
        Param("dataset", "circle", options=DATASET_CHOICES, label="data set"),
        Param("hidden_layers", 2, 0, MAX_HIDDEN, 1, integer=True, label="hidden layers"),
        Param("neurons", 4, 1, MAX_WIDTH, 1, integer=True, label="neurons per layer"),
        Param("activation", "tanh",
              options=tuple((ACTIVATIONS[a].label, a) for a in ACTIVATION_CHOICES), label="activation"),
        Param("layer", 2, 0, MAX_HIDDEN, 1, integer=True, label="space of layer"),
        Param("step", STEPS, 0, STEPS, 1, integer=True, label="snapshot"),
    )
    size = (11.5, 3.9)
    gif_name = "layers"
    #: changing one of these changes the diagram's layout and titles, drawn once as background
    background_params = ("dataset", "hidden_layers", "neurons", "activation")

    def background_key(self) -> tuple:
        # the structure, and the layer whose space is drawn
        return super().background_key() + (self.values["layer"],)

    def limits(self) -> dict:
        """``layer`` stops at the last hidden layer: a layer past it shows the last."""
        return {"layer": self.values["hidden_layers"]}

    def linked(self, changes: dict) -> dict:
        """A network made deeper or shallower while its last layer was shown shows its new
        last layer."""
        before = self.values_before
        if "hidden_layers" in changes and before["layer"] >= before["hidden_layers"]:
            return {"layer": self.values["hidden_layers"]}
        return {}

    # the network diagram's coordinates: x in [0, _W], y in [0, _H] (equal aspect)
    _NET_RECT = (0.0, 0.01, 0.5, 0.9)
    _NODE = 0.8  # side of a neuron's square
    _OUT_NODE = 1.2  # side of the output neuron's square
    _GAP = 1.1  # distance between neighbouring neurons of a column
    _TITLES = 0.8  # height of the row of column titles, at the top
    _MAX_SCALE = 2.2  # the largest squares, for narrow networks, relative to _NODE

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        left, bottom, width, height = self._NET_RECT
        self._H = MAX_WIDTH * self._GAP + self._TITLES + 0.1
        self._W = self._H * (width * fw) / (height * fh)
        ax = self.ax_net = fig.add_axes(self._NET_RECT)
        ax.set_xlim(0, self._W)
        ax.set_ylim(0, self._H)
        ax.set_axis_off()

        # What changes with the training step is marked as moving, in the order of its
        # zorder, so that it is drawn over the background exactly as a full draw would.
        n_cols = MAX_HIDDEN + 2
        self.band = ax.add_patch(Rectangle((0, 0), 1, 1, fc=style.LIGHT, ec=style.GREY, lw=1.0,
                                           ls="--", zorder=0))
        self.edges = moving(LineCollection([], zorder=1, capstyle="round"))
        ax.add_collection(self.edges)
        # one small image per possible neuron: column 0 is the input, the last the output
        blank = np.zeros((HEAT_RES, HEAT_RES))
        self.node_images = []
        for c in range(n_cols):
            rows = 2 if c == 0 else (1 if c == n_cols - 1 else MAX_WIDTH)
            cmap = style.REGION if c == n_cols - 1 else _HEAT_CMAP
            self.node_images.append([moving(ax.imshow(blank, cmap=cmap, origin="lower", extent=(0, 1, 0, 1),
                                                      interpolation="nearest", zorder=2, visible=False))
                                     for _ in range(rows)])
        self.outlines = moving(ax.plot([], [], color=style.GREY, lw=0.8, zorder=3)[0])
        self.marked = moving(ax.plot([], [], color=style.BLACK, lw=2.0, zorder=4)[0])  # drawn at right
        self.col_titles = [ax.text(0, 0, "", ha="center", va="bottom", fontsize=9) for _ in range(n_cols)]
        self.input_names = [ax.text(0, 0, name, ha="right", va="center", fontsize=10)
                            for name in ("x\u2081", "x\u2082")]
        self.info = fig.text(0.01, 0.955, "", fontsize=10, va="center")
        self.progress = moving(fig.text(0.99, 0.955, "", fontsize=10, va="center", ha="right"))

        # the output over the plane, with the data
        side = 0.205
        ax_o = self.ax_out = fig.add_axes([0.537, 0.11, side, side * fw / fh])
        self.out_image = moving(ax_o.imshow(np.zeros((OUT_RES, OUT_RES)), cmap=style.REGION, origin="lower",
                                            extent=(-PLANE, PLANE, -PLANE, PLANE), vmin=0, vmax=1,
                                            interpolation="nearest"))
        moving(ax_o.add_collection(LineCollection(data.grid_lines(GRID_LINES, GRID_SAMPLES, PLANE).reshape(2 * GRID_LINES, GRID_SAMPLES, 2),
                                                  colors=style.GREY, linewidths=0.4, alpha=0.35)))
        moving(*ax_o.spines.values())
        self.out_points = moving(ax_o.scatter([], [], s=14, linewidths=0.5, edgecolors="white", zorder=3))
        style.plane_axes(ax_o, PLANE)
        self.out_title = moving(ax_o.set_title("", fontsize=10))

        # the plane as one layer sees it
        ax_s = self.ax_space = fig.add_axes([0.789, 0.11, side, side * fw / fh])
        self.space_grid = moving(LineCollection([], colors=style.GREY, linewidths=0.6))
        ax_s.add_collection(self.space_grid)
        moving(*ax_s.spines.values())
        self.space_points = moving(ax_s.scatter([], [], s=14, linewidths=0.5, edgecolors="white", zorder=3))
        self.space_title = ax_s.set_title("", fontsize=10)
        self.space_x = ax_s.set_xlabel("", labelpad=1)
        self.space_y = ax_s.set_ylabel("", labelpad=-2)

        # every point the network is asked about, in one array: one forward pass per frame
        parts = (data.grid(HEAT_RES, PLANE), data.grid(OUT_RES, PLANE), data.grid_lines(GRID_LINES, GRID_SAMPLES, PLANE))
        self._queries = np.concatenate(parts)
        self._slices = np.cumsum([0] + [len(p) for p in parts])
        self._lines = parts[2]

    def draw_background(self) -> None:
        v = self.values
        run = self.run = train(v["dataset"], v["hidden_layers"], v["neurons"], v["activation"])
        self.sizes = sizes = models.layer_sizes(v["hidden_layers"], v["neurons"])
        self.x, self.y = run.data["x"], run.data["y"][:, 0].astype(int)
        hidden = len(sizes) - 2
        self.shown = min(v["layer"], hidden)  # the layer whose space is drawn; 0: the input plane
        self.shown_neurons = models.most_varied_neurons(run.at(-1), self.x)
        self._draw_layout()
        self._mark_layer()
        self._draw_space_labels()
        self.out_points.set_offsets(self.x)
        self.out_points.set_facecolor(style.class_colours(self.y))
        self.space_points.set_facecolor(style.class_colours(self.y))
        act = v["activation"]
        how = f"({ACTIVATIONS[act].label})" if hidden else "(no hidden layer)"
        self.info.set_text(f"a {'-'.join(map(str, sizes))} network {how} on "
                           f"{_DATASET_NAMES[v['dataset']]}: "
                           f"{models.count_parameters(sizes)} weights and biases")

    # --- geometry of the diagram -------------------------------------------------
    def _columns(self, sizes):
        """x of each column, y of each neuron (top to bottom), and the half side of each
        layer's squares in the diagram. Narrow networks get bigger squares, as big as the
        height allows (up to ``_MAX_SCALE`` times the normal size) while the squares of
        neighbouring columns stay apart; the diagram with its titles is centred in height."""
        n, m = len(sizes), max(sizes)
        room = self._H - self._TITLES - 0.15  # height for the tallest column
        scale = min(room / ((m - 1) * self._GAP + (self._OUT_NODE if m == 1 else self._NODE)),
                    self._MAX_SCALE)
        if n > 1:  # squares at most 60% of the distance between two columns
            spacing = (self._W - 0.85 - (self._NODE / 2 + self._OUT_NODE / 2) * scale) / (n - 1)
            scale = min(scale, 0.6 * spacing / self._NODE)
        gap = self._GAP * scale
        margin = 0.6 + self._NODE * scale / 2
        half = [self._NODE * scale / 2] * (n - 1) + [self._OUT_NODE * scale / 2]
        xs = np.linspace(margin, self._W - 0.25 - half[-1], n)
        # the block from the lowest square to the top of the titles (0.3 above the tallest
        # column, about 0.45 high) is centred in the height
        mid = (self._H - 0.75) / 2
        ys = [mid + (np.arange(k)[::-1] - (k - 1) / 2) * gap for k in sizes]
        return xs, ys, half

    def _draw_layout(self) -> None:
        """Where every neuron sits, for this structure; which images show; the titles."""
        sizes = self.sizes
        xs, ys, half = self._geometry = self._columns(sizes)
        last = len(sizes) - 1
        n_cols = len(self.node_images)
        for c, images in enumerate(self.node_images):
            layer = last if c == n_cols - 1 else c  # the last column of images is the output
            used = c == n_cols - 1 or c < last
            for j, image in enumerate(images):
                image.set_visible(used and j < sizes[layer])
                if image.get_visible():
                    x, y, h = xs[layer], ys[layer][j], half[layer]
                    image.set_extent((x - h, x + h, y - h, y + h))

        # outlines of the neurons, as one line with breaks
        ox, oy = [], []
        for x, col, h in zip(xs, ys, half):
            for y in col:
                ox += [x - h, x + h, x + h, x - h, x - h, np.nan]
                oy += [y - h, y - h, y + h, y + h, y - h, np.nan]
        self.outlines.set_data(ox, oy)
        top = max(col[0] + h for col, h in zip(ys, half)) + 0.3  # just above the tallest column
        for c, text in enumerate(self.col_titles):
            text.set_position((xs[c], top) if c < len(sizes) else (0, 0))
            text.set_text("" if c >= len(sizes) else
                          "input" if c == 0 else ("output" if c == last else f"layer {c}"))
        for name, y in zip(self.input_names, ys[0]):
            name.set_position((xs[0] - half[0] - 0.12, y))

    def _mark_layer(self) -> None:
        """Box the layer whose space is drawn, and its two neurons the space shows."""
        shown, (xs, ys, half) = self.shown, self._geometry
        mx, my = [], []
        if shown > 0:
            h, x = half[shown], xs[shown]
            for j in self.shown_neurons[shown]:
                y = ys[shown][j]
                mx += [x - h, x + h, x + h, x - h, x - h, np.nan]
                my += [y - h, y - h, y + h, y + h, y - h, np.nan]
        self.marked.set_data(mx, my)

        for c, text in enumerate(self.col_titles):
            text.set_fontweight("bold" if c == shown else "normal")
        pad = 0.18
        top_y, bottom_y = ys[shown][0] + half[shown] + pad, ys[shown][-1] - half[shown] - pad
        self.band.set_bounds(xs[shown] - half[shown] - pad, bottom_y, 2 * (half[shown] + pad), top_y - bottom_y)

    def _draw_space_labels(self) -> None:
        shown, sizes = self.shown, self.sizes
        if shown == 0:
            xlabel, ylabel = "x\u2081", "x\u2082"
            title = "the input plane\n(no hidden layer yet)" if len(sizes) == 2 else "the input plane\n"
        else:
            pick, width = self.shown_neurons[shown], sizes[shown]
            xlabel = f"neuron {pick[0] + 1} of layer {shown}"
            ylabel = f"neuron {pick[1] + 1} of layer {shown}" if width > 1 else "(only 1 neuron)"
            title = f"the plane as layer {shown} sees it\n" + \
                (f"(2 of {width} neurons, boxed in black)" if width > 2 else "")
        self.space_title.set_text(title)
        self.space_x.set_text(xlabel)
        self.space_y.set_text(ylabel)
        low, high = self._space_limits()
        ax = self.ax_space
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.set_xticks(style.round_ticks(low[0], high[0])[0])
        ax.set_yticks(style.round_ticks(low[1], high[1])[0])

    def _space_limits(self) -> tuple[tuple, tuple]:
        """Axis limits of the space panel: the input plane; a bounded activation's whole
        range with a margin of 0.1; else (ReLU) the range the two neurons drawn take over
        the data during the whole run, with a margin of 10%, so that the axes stay put
        while training plays (the grid may leave the picture)."""
        if self.shown == 0:
            return (-PLANE, -PLANE), (PLANE, PLANE)
        a = ACTIVATIONS[self.values["activation"]]
        if a.bounded:
            low, high = a.bounds
            return (low - 0.1, low - 0.1), (high + 0.1, high + 0.1)
        pick = list(self.shown_neurons[self.shown])
        points = np.concatenate([models.layer_activations(self.run.at(k), self.x)[self.shown - 1][:, pick]
                                 for k in range(len(self.run.snapshots))])
        if points.shape[1] == 1:  # one neuron: its space is a line at y = 0, as _draw_space draws it
            points = np.column_stack([points[:, 0], np.zeros(len(points))])
        low, high = points.min(axis=0), points.max(axis=0)
        span = np.maximum(high - low, 1e-3)
        return tuple(low - 0.1 * span), tuple(high + 0.1 * span)

    def draw(self) -> None:
        v = self.values
        step, act = v["step"], v["activation"]
        model = self.run.at(step)
        with np.errstate(under="ignore"):
            outs = models.layer_activations(model, np.concatenate([self._queries, self.x]))
            outs[-1] = _sigmoid(outs[-1])  # the output neuron shows a probability
        heat, out, lines, points = (slice(a, b) for a, b in zip(self._slices, [*self._slices[1:], None]))
        self._draw_network(model, [self._queries[heat]] + [a[heat] for a in outs], act)
        self.out_image.set_data(outs[-1][out].reshape(OUT_RES, OUT_RES))
        accuracy = self.run.curve_at("train_accuracy", step)
        self.out_title.set_text(f"output: P(blue)\naccuracy {100 * accuracy:.0f}%")
        if self.shown == 0:
            self._draw_space(self._lines, self.x)
        else:
            pick = list(self.shown_neurons[self.shown])
            layer = outs[self.shown - 1]
            self._draw_space(layer[lines][:, pick], layer[points][:, pick])
        self.progress.set_text(f"{snapshot_text(step)}, loss {self.run.curve_at('train_loss', step):.3f}")

    def _draw_network(self, model, maps, act) -> None:
        """The neurons' heatmaps (``maps[l]``: layer ``l``'s outputs over the small grid) and
        the connections, coloured and sized by this step's weights."""
        sizes, (xs, ys, half) = self.sizes, self._geometry
        last = len(sizes) - 1
        n_cols = len(self.node_images)
        for c, images in enumerate(self.node_images):
            layer = last if c == n_cols - 1 else c
            kind = "input" if layer == 0 else ("output" if layer == last else act)
            for j, image in enumerate(images):
                if image.get_visible():
                    values = maps[layer][:, j].reshape(HEAT_RES, HEAT_RES)
                    image.set_data(values)
                    image.set_clim(*_colour_range(values, kind))

        # connections from the right side of each neuron to the left side of the next
        segments, colours, widths = [], [], []
        weights = [m.weight.data for m in model if isinstance(m, nn.Linear)]
        for layer, w in enumerate(weights):
            x0, x1 = xs[layer] + half[layer], xs[layer + 1] - half[layer + 1]
            for i, y0 in enumerate(ys[layer]):
                for j, y1 in enumerate(ys[layer + 1]):
                    segments.append(((x0, y0), (x1, y1)))
                    colours.append(style.sign_color(w[j, i]))
                    widths.append(0.3 + 3.5 * abs(w[j, i]) / (abs(w[j, i]) + 1.5))
        self.edges.set_segments(segments)
        self.edges.set_color(colours)
        self.edges.set_linewidth(widths)
        self.edges.set_alpha(0.75)

    def _draw_space(self, lines, points) -> None:
        if self.sizes[self.shown] == 1:  # one neuron squashes the plane onto a line
            lines = np.column_stack([lines[:, 0], np.zeros(len(lines))])
            points = np.column_stack([points[:, 0], np.zeros(len(points))])
        self.space_grid.set_segments(lines[:, :2].reshape(2 * GRID_LINES, GRID_SAMPLES, 2))
        self.space_points.set_offsets(points[:, :2])

    def storyboard(self):
        # a 2-4-4-1 network learns the circle: watch every neuron take its shape
        circle = dict(dataset="circle", hidden_layers=2, neurons=4, activation="tanh", layer=2)
        for k in (0, 2, 4, 7, 10, 14, 20):
            yield dict(circle, step=k), 2200 if k == STEPS else 450
        # the data flowing through the layers: the plane as each layer sees it
        for layer in (0, 1, 2):
            yield dict(circle, step=STEPS, layer=layer), 1600
        # XOR: without a hidden layer the output can only draw a straight line ...
        yield dict(dataset="xor", hidden_layers=0, neurons=4, activation="tanh", layer=0, step=STEPS), 2200
        # ... one hidden layer of four neurons solves it
        xor = dict(dataset="xor", hidden_layers=1, neurons=4, activation="tanh", layer=1)
        for k in (0, 8, 20):
            yield dict(xor, step=k), 2200 if k == STEPS else 600
        # a spiral takes more: three layers of eight ReLU neurons
        spiral = dict(dataset="spiral", hidden_layers=3, neurons=8, activation="relu", layer=3)
        for k in (0, 8, 20):
            yield dict(spiral, step=k), 2600 if k == STEPS else 600


def _colour_range(values: np.ndarray, kind: str) -> tuple[float, float]:
    """Colour limits of a heatmap: an activation's own output range when it is bounded,
    else (ReLU) symmetric about 0 up to the largest value, so white is always 0 or the
    middle of the range."""
    if kind == "input":
        return -PLANE, PLANE
    if kind == "output":
        return 0.0, 1.0
    if ACTIVATIONS[kind].bounded:
        return ACTIVATIONS[kind].bounds
    top = max(float(np.max(np.abs(values))), 1e-6)
    return -top, top
