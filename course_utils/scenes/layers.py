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
``step`` (0 to ``STEPS``) is the training progress, with a Play button in the widget.

Changing the structure trains a new network with the course's engine (full-batch Adam,
seeded: about 0.05-0.2 s), keeping ``STEPS + 1`` snapshots of the weights. Trained
networks are cached, so coming back to a setting is instant, and moving ``step`` or
``layer`` only redraws.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from .. import data, nn, style
from ..nn import optim, training
from ..nn.functional import ACTIVATION_LABELS, ACTIVATIONS
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
EPOCH_AT = tuple(int(round(EPOCHS * (k / STEPS) ** 2)) for k in range(STEPS + 1))
PLANE = 2.5  # the input plane is [-PLANE, PLANE]^2
HEAT_RES = 31  # pixels per side of a neuron's small heatmap
OUT_RES = 81  # pixels per side of the output panel
GRID_LINES = 11  # lines per direction in the grid that the layers transform
GRID_SAMPLES = 61  # points along each grid line

_MODULES = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}
# The style's colour maps in a few flat steps: a frame then has few colours, which keeps
# the GIF small, and the steps read like contour lines.
_HEAT_CMAP = style.DIVERGING.resampled(11)
_OUT_CMAP = style.CLASSES.resampled(10)


def layer_sizes(hidden_layers: int, neurons: int) -> list[int]:
    """Neurons in each layer, input first: ``[2, neurons, ..., neurons, 1]``."""
    return [2] + [neurons] * hidden_layers + [1]


def count_parameters(sizes) -> int:
    """Weights and biases of a fully connected network: sum of ``n_in * n_out + n_out``."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def build_network(sizes, activation: str, rng=INIT_SEED) -> nn.Sequential:
    """``Linear, activation, Linear, activation, ..., Linear``: no activation after the
    last layer, whose single output is a logit (``BCEWithLogitsLoss`` adds the sigmoid).

    The weights start as Glorot & Bengio (2010) suggest for tanh and sigmoid,
    ``U(-a, a)`` with ``a = sqrt(6 / (n_in + n_out))``, and as He et al. (2015) suggest
    for ReLU, ``a = sqrt(6 / n_in)``: with these, even six layers start out able to
    learn. (PyTorch's default, which ``nn.Linear`` uses, is ``a = 1 / sqrt(n_in)``.)
    The biases keep ``nn.Linear``'s start.
    """
    gen = data.as_rng(rng)
    modules = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layer = nn.Linear(n_in, n_out, rng=gen)
        a = np.sqrt(6.0 / n_in) if activation == "relu" else np.sqrt(6.0 / (n_in + n_out))
        layer.weight.data[...] = gen.uniform(-a, a, size=(n_out, n_in))
        modules.append(layer)
        if i < len(sizes) - 2:
            modules.append(_MODULES[activation]())
    return nn.Sequential(*modules)


def layer_outputs(weights, x, activation: str, layers: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Push points ``x`` (shape (n, 2)) through the network layer by layer.

    ``weights`` is the whole network's list of ``(W, b)``, ``W`` shaped (n_out, n_in).
    Returns one pair ``(z, a)`` per layer, for the first ``layers`` layers (all by
    default): the pre-activation ``z = a_prev @ W.T + b`` and the layer's output
    ``a = f(z)``, each shaped (n, n_out). The last layer of the network has no
    activation (``a = z``, the logit).
    """
    f = ACTIVATIONS[activation][0]
    last = len(weights) - 1
    out, a = [], np.asarray(x, dtype=float)
    for i, (w, b) in enumerate(weights[:layers]):
        z = a @ w.T + b
        a = z if i == last else f(z)
        out.append((z, a))
    return out


@dataclass
class Trained:
    """A network trained on one data set, with its weights at every snapshot."""

    sizes: list
    activation: str
    x: np.ndarray
    y: np.ndarray
    snapshots: list  # snapshots[k] is a list of (W, b) after EPOCH_AT[k] epochs
    loss: list  # loss on all the data at each snapshot
    accuracy: list  # fraction classified right at each snapshot
    model: nn.Sequential  # the network, with the final weights
    shown_neurons: list  # shown_neurons[l]: the (at most 2) neurons of layer l drawn in its space


def linear_weights(model: nn.Sequential) -> list:
    """A copy of every ``nn.Linear`` layer's ``(W, b)``, input side first."""
    return [(m.weight.data.copy(), m.bias.data.copy()) for m in model if isinstance(m, nn.Linear)]


def train(dataset: str, hidden_layers: int, neurons: int, activation: str) -> Trained:
    """Train a ``layer_sizes(hidden_layers, neurons)`` network on ``dataset`` (200 points,
    seeded) with full-batch Adam, keeping a snapshot of the weights at each ``EPOCH_AT``."""
    x, y = data.DATASETS[dataset](N_POINTS, NOISE, rng=DATA_SEED)
    target = y[:, None].astype(float)
    sizes = layer_sizes(hidden_layers, neurons)
    model = build_network(sizes, activation)
    loss_fn = nn.BCEWithLogitsLoss()
    snapshots, losses, accuracies = [], [], []
    wanted = set(EPOCH_AT)

    def snapshot(epoch, history=None, model=model):
        if epoch in wanted:
            snapshots.append(linear_weights(model))
            loss, acc = training.evaluate(model, loss_fn, x, target)
            losses.append(loss)
            accuracies.append(acc)

    with np.errstate(under="ignore"):  # a tiny number rounded to 0 is harmless here
        snapshot(0)
        training.fit(model, loss_fn, optim.Adam(model.parameters(), lr=LEARNING_RATE), x, target,
                     epochs=EPOCHS, batch_size=N_POINTS, shuffle=False, verbose=0,
                     callbacks=[snapshot])
    return Trained(sizes, activation, x, y, snapshots, losses, accuracies, model,
                   most_varied_neurons(snapshots[-1], x, activation))


def most_varied_neurons(weights, x, activation: str) -> list[tuple[int, ...]]:
    """For each layer (input first), the two neurons whose outputs vary most over the
    data points ``x`` (largest standard deviation), in increasing order; all of them
    when the layer has one or two. The layer's space is drawn through these two: a
    neuron that stays constant (a "dead" ReLU, say) would show nothing."""
    chosen = [(0, 1)]
    for _, a in layer_outputs(weights, x, activation)[:-1]:
        if a.shape[1] <= 2:
            chosen.append(tuple(range(a.shape[1])))
        else:
            spread = a.std(axis=0)
            chosen.append(tuple(sorted(int(i) for i in np.argsort(-spread, kind="stable")[:2])))
    return chosen


@functools.lru_cache(maxsize=128)
def trained(dataset: str, hidden_layers: int, neurons: int, activation: str) -> Trained:
    """:func:`train`, remembered: the same structure twice trains once."""
    return train(dataset, hidden_layers, neurons, activation)


def _grid_lines() -> np.ndarray:
    """The grid of the input plane as points, shape (2 * GRID_LINES * GRID_SAMPLES, 2):
    first the vertical lines (x1 fixed), then the horizontal ones."""
    ticks = np.linspace(-PLANE, PLANE, GRID_LINES)
    along = np.linspace(-PLANE, PLANE, GRID_SAMPLES)
    fixed, moving = np.meshgrid(ticks, along, indexing="ij")
    vertical = np.stack([fixed, moving], axis=-1)
    horizontal = vertical[..., ::-1]
    return np.concatenate([vertical, horizontal]).reshape(-1, 2)


class LayersScene(Scene):
    params = (
        Param("dataset", "circle", options=DATASET_CHOICES, label="data set"),
        Param("hidden_layers", 2, 0, MAX_HIDDEN, 1, integer=True, label="hidden layers"),
        Param("neurons", 4, 1, MAX_WIDTH, 1, integer=True, label="neurons per layer"),
        Param("activation", "tanh",
              options=tuple((ACTIVATION_LABELS[a], a) for a in ACTIVATION_CHOICES), label="activation"),
        Param("layer", 2, 0, MAX_HIDDEN, 1, integer=True, label="space of layer"),
        Param("step", STEPS, 0, STEPS, 1, integer=True, label="training step"),
    )
    size = (11.5, 4.4)
    gif_name = "layers"

    # the network diagram's coordinates: x in [0, _W], y in [0, _H] (equal aspect)
    _NET_RECT = (0.0, 0.015, 0.5, 0.885)
    _NODE = 0.8  # side of a neuron's square
    _OUT_NODE = 1.2  # side of the output neuron's square
    _GAP = 1.1  # distance between neighbouring neurons of a column
    _TITLES = 0.8  # height of the row of column titles, at the top

    def build(self) -> None:
        fig = self.fig
        fw, fh = fig.get_size_inches()
        left, bottom, width, height = self._NET_RECT
        self._H = MAX_WIDTH * self._GAP + self._TITLES + 0.1
        self._W = self._H * (width * fw) / (height * fh)
        ax = self.ax_net = fig.add_axes(self._NET_RECT)
        ax.set_xlim(0, self._W)
        ax.set_ylim(0, self._H)
        ax.set_axis_off()

        n_cols = MAX_HIDDEN + 2
        self.band = ax.add_patch(Rectangle((0, 0), 1, 1, fc=style.LIGHT, ec=style.GREY, lw=1.0,
                                           ls="--", zorder=0))
        self.edges = LineCollection([], zorder=1, capstyle="round")
        ax.add_collection(self.edges)
        self.outlines = ax.plot([], [], color=style.GREY, lw=0.8, zorder=3)[0]
        self.marked = ax.plot([], [], color=style.BLACK, lw=2.0, zorder=4)[0]  # the neurons drawn at right
        # one small image per possible neuron: column 0 is the input, the last the output
        blank = np.zeros((HEAT_RES, HEAT_RES))
        self.node_images = []
        for c in range(n_cols):
            rows = 2 if c == 0 else (1 if c == n_cols - 1 else MAX_WIDTH)
            cmap = _OUT_CMAP if c == n_cols - 1 else _HEAT_CMAP
            self.node_images.append([ax.imshow(blank, cmap=cmap, origin="lower", extent=(0, 1, 0, 1),
                                               interpolation="nearest", zorder=2, visible=False)
                                     for _ in range(rows)])
        self.col_titles = [ax.text(0, 0, "", ha="center", va="bottom", fontsize=9) for _ in range(n_cols)]
        self.input_names = [ax.text(0, 0, name, ha="right", va="center", fontsize=10)
                            for name in ("x\u2081", "x\u2082")]
        self.info = fig.text(0.01, 0.955, "", fontsize=10, va="center")
        self.progress = fig.text(0.99, 0.955, "", fontsize=10, va="center", ha="right")

        # the output over the plane, with the data
        side = 0.2
        ax_o = self.ax_out = fig.add_axes([0.535, 0.12, side, side * fw / fh])
        self.out_image = ax_o.imshow(np.zeros((OUT_RES, OUT_RES)), cmap=_OUT_CMAP, origin="lower",
                                     extent=(-PLANE, PLANE, -PLANE, PLANE), vmin=0, vmax=1,
                                     interpolation="nearest")
        ax_o.add_collection(LineCollection(_grid_lines().reshape(2 * GRID_LINES, GRID_SAMPLES, 2),
                                           colors=style.GREY, linewidths=0.4, alpha=0.35))
        self.out_points = ax_o.scatter([], [], s=14, linewidths=0.5, edgecolors="white", zorder=3)
        style.plane_axes(ax_o, PLANE)
        self.out_title = ax_o.set_title("", fontsize=10)

        # the plane as one layer sees it
        ax_s = self.ax_space = fig.add_axes([0.787, 0.12, side, side * fw / fh])
        self.space_grid = LineCollection([], colors=style.GREY, linewidths=0.6)
        ax_s.add_collection(self.space_grid)
        self.space_points = ax_s.scatter([], [], s=14, linewidths=0.5, edgecolors="white", zorder=3)
        self.space_title = ax_s.set_title("", fontsize=10)
        self.space_x = ax_s.set_xlabel("", labelpad=1)
        self.space_y = ax_s.set_ylabel("", labelpad=-2)

        self._heat_points = data.grid(HEAT_RES, PLANE)
        self._out_points = data.grid(OUT_RES, PLANE)
        self._lines = _grid_lines()
        self.trained = None
        self.weights = None

    # --- geometry of the diagram -------------------------------------------------
    def _columns(self, sizes):
        """x of each column, y of each neuron (top to bottom), and the half side of each
        layer's squares in the diagram. Narrow networks get bigger squares."""
        n = len(sizes)
        scale = min(MAX_WIDTH / max(max(sizes), 3), 1.6)
        gap = self._GAP * scale
        margin = 0.6 + self._NODE * scale / 2
        xs = np.linspace(margin, self._W - margin * 0.8, n)
        mid = (self._H - self._TITLES) / 2
        ys = [mid + (np.arange(m)[::-1] - (m - 1) / 2) * gap for m in sizes]
        half = [self._NODE * scale / 2] * (n - 1) + [self._OUT_NODE * scale / 2]
        return xs, ys, half

    def draw(self) -> None:
        v = self.values
        t = trained(v["dataset"], v["hidden_layers"], v["neurons"], v["activation"])
        self.trained = t
        step = v["step"]
        self.weights = t.snapshots[step]
        act = v["activation"]
        sizes = t.sizes
        hidden = len(sizes) - 2
        shown = min(v["layer"], hidden)  # 0 is the input plane itself
        with np.errstate(under="ignore"):
            self._draw_network(t, sizes, act, shown)
            self._draw_output(t, act)
            self._draw_space(t, sizes, act, shown)
        how = f"({ACTIVATION_LABELS[act]})" if hidden else "(no hidden layer)"
        self.info.set_text(f"a {'-'.join(map(str, sizes))} network {how} on "
                           f"{_DATASET_NAMES[v['dataset']]}: "
                           f"{count_parameters(sizes)} weights and biases")
        self.progress.set_text(f"training step {step}/{STEPS}: epoch {EPOCH_AT[step]}, "
                               f"loss {t.loss[step]:.3f}")

    def _draw_network(self, t, sizes, act, shown):
        xs, ys, half = self._columns(sizes)
        last = len(sizes) - 1
        outs = layer_outputs(self.weights, self._heat_points, act)
        maps = [self._heat_points] + [a for _, a in outs]
        maps[-1] = ACTIVATIONS["sigmoid"][0](maps[-1])  # the output neuron shows a probability
        n_cols = len(self.node_images)
        for c, images in enumerate(self.node_images):
            layer = last if c == n_cols - 1 else c  # the last column of images is the output
            used = c == n_cols - 1 or c < last
            for j, image in enumerate(images):
                if not used or j >= sizes[layer]:
                    image.set_visible(False)
                    continue
                values = maps[layer][:, j].reshape(HEAT_RES, HEAT_RES)
                image.set_data(values)
                kind = "input" if layer == 0 else ("output" if layer == last else act)
                image.set_clim(*_colour_range(values, kind))
                x, y, h = xs[layer], ys[layer][j], half[layer]
                image.set_extent((x - h, x + h, y - h, y + h))
                image.set_visible(True)

        # connections from the right side of each neuron to the left side of the next
        segments, colours, widths = [], [], []
        for layer, (w, _) in enumerate(self.weights):
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

        # outlines of the neurons, as one line with breaks
        ox, oy = [], []
        for x, col, h in zip(xs, ys, half):
            for y in col:
                ox += [x - h, x + h, x + h, x - h, x - h, np.nan]
                oy += [y - h, y - h, y + h, y + h, y - h, np.nan]
        self.outlines.set_data(ox, oy)
        mx, my = [], []
        if shown > 0:
            h, x = half[shown], xs[shown]
            for j in t.shown_neurons[shown]:
                y = ys[shown][j]
                mx += [x - h, x + h, x + h, x - h, x - h, np.nan]
                my += [y - h, y - h, y + h, y + h, y - h, np.nan]
        self.marked.set_data(mx, my)

        top = max(col[0] + h for col, h in zip(ys, half)) + 0.3  # just above the tallest column
        for c, text in enumerate(self.col_titles):
            if c < len(sizes):
                text.set_position((xs[c], top))
                text.set_text("input" if c == 0 else ("output" if c == last else f"layer {c}"))
                text.set_fontweight("bold" if c == shown else "normal")
            else:
                text.set_text("")
        for name, y in zip(self.input_names, ys[0]):
            name.set_position((xs[0] - half[0] - 0.12, y))
        pad = 0.18
        top_y, bottom_y = ys[shown][0] + half[shown] + pad, ys[shown][-1] - half[shown] - pad
        self.band.set_bounds(xs[shown] - half[shown] - pad, bottom_y, 2 * (half[shown] + pad), top_y - bottom_y)

    def _draw_output(self, t, act):
        logit = layer_outputs(self.weights, self._out_points, act)[-1][1]
        self.out_image.set_data(ACTIVATIONS["sigmoid"][0](logit).reshape(OUT_RES, OUT_RES))
        self.out_points.set_offsets(t.x)
        self.out_points.set_facecolor(_class_colours(t.y))
        self.out_title.set_text(f"output: P(blue)\naccuracy {100 * t.accuracy[self.values['step']]:.0f}%")

    def _draw_space(self, t, sizes, act, shown):
        ax = self.ax_space
        if shown == 0:
            lines, points = self._lines, t.x
            xlabel, ylabel = "x\u2081", "x\u2082"
            title = "the input plane\n(no hidden layer yet)" if len(sizes) == 2 else "the input plane\n"
            low, high = (-PLANE, -PLANE), (PLANE, PLANE)
        else:
            pick = list(t.shown_neurons[shown])
            lines = layer_outputs(self.weights, self._lines, act, shown)[-1][1][:, pick]
            points = layer_outputs(self.weights, t.x, act, shown)[-1][1][:, pick]
            width = sizes[shown]
            if width == 1:  # one neuron squashes the plane onto a line
                lines = np.column_stack([lines[:, 0], np.zeros(len(lines))])
                points = np.column_stack([points[:, 0], np.zeros(len(points))])
            xlabel = f"neuron {pick[0] + 1} of layer {shown}"
            ylabel = f"neuron {pick[1] + 1} of layer {shown}" if width > 1 else "(only 1 neuron)"
            title = f"the plane as layer {shown} sees it\n" + \
                (f"(2 of {width} neurons, boxed in black)" if width > 2 else "")
            low, high = _space_limits(act, points)
        self.space_grid.set_segments(lines[:, :2].reshape(2 * GRID_LINES, GRID_SAMPLES, 2))
        self.space_points.set_offsets(points[:, :2])
        self.space_points.set_facecolor(_class_colours(t.y))
        self.space_title.set_text(title)
        self.space_x.set_text(xlabel)
        self.space_y.set_text(ylabel)
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.set_xticks(_ticks(low[0], high[0]))
        ax.set_yticks(_ticks(low[1], high[1]))

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
    """Colour limits of a heatmap, with white at the activation's middle value."""
    if kind == "tanh":
        return -1.0, 1.0
    if kind in ("sigmoid", "output"):
        return 0.0, 1.0
    if kind == "input":
        return -PLANE, PLANE
    top = max(float(np.max(np.abs(values))), 1e-6)  # relu: white at 0, blue up to the top
    return -top, top


def _class_colours(y: np.ndarray) -> np.ndarray:
    return np.where(y[:, None] == 1, np.array([_rgb(style.BLUE)]), np.array([_rgb(style.VERMILLION)]))


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def _space_limits(activation: str, points: np.ndarray) -> tuple[tuple, tuple]:
    """Axis limits of a layer's space: the activation's whole range when it is bounded,
    else (ReLU) the range of the data, with a margin (the grid may leave the picture)."""
    if activation == "tanh":
        return (-1.1, -1.1), (1.1, 1.1)
    if activation == "sigmoid":
        return (-0.1, -0.1), (1.1, 1.1)
    low, high = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    span = np.maximum(high - low, 1e-3)
    return tuple(low - 0.1 * span), tuple(high + 0.1 * span)


def _ticks(low: float, high: float) -> list[float]:
    """Three round tick positions inside [low, high]."""
    step = (high - low) / 2
    mag = 10 ** np.floor(np.log10(step))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= step * 0.6), default=step)
    first = np.ceil(low / step) * step
    ticks = [first + i * step for i in range(4) if first + i * step <= high + 1e-9]
    return [round(float(v), 6) for v in ticks]
