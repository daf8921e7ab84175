"""Dropout, one update at a time: which neurons a training example loses, and why the
survivors are scaled up.

:class:`DropoutScene` draws the chapter's too-big network (:mod:`course_utils.overfitting`,
2-32-32-1 with tanh and an ``nn.Dropout(p)`` after each hidden activation) as it was at one
update of its training. Left: the diagram, with the neurons that the keep-mask of one
training example drops greyed out and their connections left out. Right, for that
example and each hidden layer: the activations ``a`` before dropout, ``a * m`` (the mask
``m`` applied: dropped ones set to 0) and ``a * m / (1 - p)``, what the next layer really
receives; below, the network's output with this mask (training mode) and without
dropout (evaluation mode).

Dropout comes from Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov, "Dropout:
a simple way to prevent neural networks from overfitting" (JMLR, 2014). The engine's
``nn.Dropout`` is *inverted* dropout: it scales in training, so evaluation mode is the
identity.

The masks are the engine's own: :func:`record_masks` trains the network as
:func:`overfitting.train` does (same seeds, full-batch Adam, binary cross-entropy) for
:data:`STEPS` updates, and a ``fit`` callback copies each ``nn.Dropout``'s ``.mask``
after every update. :func:`replay` pushes the training points through the engine's
modules again with the weights of that moment and those masks.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import nn, overfitting, runs, style
from ..nn import optim
from ..nn.functional import sigmoid
from ..scene import Param, Scene
from ..stamps import StampedLine, stamped
from .network_types import _column, _fan

P_OPTIONS = (0.1, 0.2, 0.3, 0.5, 0.7)
STEPS = 40  # the updates recorded (full batch: one update per epoch)
EXAMPLE = 0  # the training example whose mask is drawn
WIDTH = overfitting.WIDTH
MODES = ("training", "evaluation")
_X = (1.0, 4.0, 7.0, 9.4)  # x of the input, hidden 1, hidden 2 and output columns
_MID = 16.5  # the diagram's middle height (the hidden columns go from 1 to 32)


class _MaskReader:
    """A ``fit`` callback: after every update, a copy of each ``nn.Dropout``'s keep-mask
    (the one its last forward pass used, shape (examples, units))."""

    def __init__(self, model: nn.Sequential):
        self.dropouts = [m for m in model if isinstance(m, nn.Dropout)]
        self.masks: list[list] = [[] for _ in self.dropouts]

    def on_batch_end(self, update, indices, model):
        for kept, layer in zip(self.masks, self.dropouts):
            kept.append(layer.mask.copy())

    def __call__(self, epoch, history, model):
        return None  # never stops training


def _polyline(segments) -> tuple[np.ndarray, np.ndarray]:
    """Segments ``[(a, b), ...]`` as the x and y of one line broken by NaN: matplotlib
    draws one long path far faster than a collection of a thousand short ones."""
    points = np.asarray(segments, dtype=float).reshape(-1, 2, 2)
    broken = np.concatenate([points, np.full((len(points), 1, 2), np.nan)], axis=1).reshape(-1, 2)
    return broken[:, 0], broken[:, 1]


def _check_p(p) -> None:
    if isinstance(p, bool) or p not in P_OPTIONS:
        raise ValueError(f"the dropout probability p must be one of {list(P_OPTIONS)}, got {p!r}")


@runs.cache
def record_masks(p: float) -> runs.Run:
    """The first :data:`STEPS` updates of ``overfitting.train(dropout=p)``, recorded: the
    weights after every update (moments 0 to ``STEPS``, unit "update") and, in
    ``run.data["mask_1"]`` and ``["mask_2"]``, the keep-masks of the two Dropout layers,
    shape (STEPS, 40, 32), boolean; row ``k - 1`` is the mask of update ``k``, which the
    forward pass used with the weights of moment ``k - 1``."""
    _check_p(p)
    x, y = overfitting.problem()[:2]
    model = overfitting.network(p)
    reader = _MaskReader(model)
    run = runs.record(model, nn.BCEWithLogitsLoss(),
                      optim.Adam(model.parameters(), lr=overfitting.LEARNING_RATE), x, y,
                      epochs=STEPS, at=range(STEPS + 1), unit="update", callbacks=[reader])
    masks = {}
    for i, kept in enumerate(reader.masks, start=1):
        masks[f"mask_{i}"] = np.array(kept)
        masks[f"mask_{i}"].setflags(write=False)
    return dataclasses.replace(run, data={**run.data, **masks})


@dataclasses.dataclass(frozen=True)
class Replay:
    """One forward pass of the 40 training points at one update: per hidden layer the
    activations before dropout (``before``), the keep-mask (``masks``, None in evaluation
    mode) and the Dropout's output (``after``), each (40, 32); the output ``logit`` (40,)."""

    before: tuple
    masks: tuple
    after: tuple
    logit: np.ndarray

    @property
    def probability(self) -> np.ndarray:
        with np.errstate(under="ignore"):
            return sigmoid(self.logit)


def replay(p: float, step: int, mode: str = "training") -> Replay:
    """The forward pass of update ``step`` (1 to ``STEPS``) through the engine's modules,
    with the weights it used (moment ``step - 1``): in training mode with the recorded
    masks, in evaluation mode without dropout."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {list(MODES)}, got {mode!r}")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= STEPS:
        raise ValueError(f"step must be a whole number from 1 to {STEPS}, got {step!r}")
    run = record_masks(p)
    model = run.at(step - 1).train(mode == "training")
    masks = [run.data[f"mask_{i}"][step - 1] for i in (1, 2)]
    h, before, after = run.data["x"], [], []
    for module in model:
        if isinstance(module, nn.Dropout):
            before.append(h)
            h = module(h, mask=masks[len(after)]) if mode == "training" else module(h)
            after.append(h)
        else:
            h = module(h)
    return Replay(tuple(before), tuple(masks) if mode == "training" else (None, None),
                  tuple(after), h[:, 0])


class DropoutScene(Scene):
    """The keep-mask of one training example at one update, and what it does.

    Parameters: ``p`` (the dropout probability of both Dropout layers), ``step`` (the
    update, 1 to ``STEPS``: a new mask every update) and ``mode`` (training: the mask
    and the scaling; evaluation: neither).
    """

    params = (
        Param("p", 0.5, options=P_OPTIONS, label="dropout p"),
        Param("step", 1, 1, STEPS, 1, integer=True, label="update"),
        Param("mode", "training", options=MODES, label="mode"),
    )
    size = (10.0, 6.0)
    gif_name = "dropout"
    gif_one_palette = True  # anti-aliased lines and shaded neurons: many colours
    background_params = ("p", "mode")
    backgrounds_kept = 2 * len(P_OPTIONS)
    control_rows = (("p", "mode"), ("step",))
    _STRIP_X, _STRIP_W = 0.47, 0.515
    _ROWS = ("a = tanh(z)", "a \u00b7 m", "a \u00b7 m / (1 \u2212 p)")
    _EVAL_ROWS = ("a = tanh(z)", "not dropped: a", "not scaled: a")

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        self.title = moving(stamped(fig, 0.012, 0.962, "", fontsize=12, fontweight="bold", va="center"))
        x = overfitting.problem()[0][EXAMPLE]
        label = int(overfitting.problem()[1][EXAMPLE, 0])
        fig.text(0.012, 0.918, f"The chapter's {'-'.join(map(str, overfitting.SIZES))} tanh network, "
                 f"trained with full-batch Adam on {overfitting.N_TRAIN} points; every training "
                 "example gets a mask of its own.", fontsize=9.5, va="center")

        # the diagram
        ax = self.ax_net = fig.add_axes([0.005, 0.2, 0.345, 0.67], xlim=(0, 10.2), ylim=(-1.6, 34.2))
        ax.set_axis_off()
        self.cols = [_column(_X[0], 2, 4.0, _MID), _column(_X[1], WIDTH, 1.0, _MID),
                     _column(_X[2], WIDTH, 1.0, _MID), _column(_X[3], 1, 1.0, _MID)]
        # faint and thin (thin lines draw fastest); in evaluation mode every connection is there, drawn once
        # into the background (see background_key)
        look = dict(color="#C4C4C4", lw=0.25, zorder=1)
        self.all_edges = ax.plot(*_polyline(_fan(self.cols[0], self.cols[1]) + _fan(self.cols[1], self.cols[2])
                                            + _fan(self.cols[2], self.cols[3])), **look)[0]
        self.edges = moving(ax.plot([], [], **look)[0])
        self.nodes = moving(ax.scatter(*np.transpose([q for col in self.cols for q in col]), s=34,
                                       linewidths=0.8, zorder=3))
        self.crosses = moving(ax.plot([], [], "x", ms=4.5, mew=1.0, color=style.GREY, zorder=4)[0])
        for xc, name in zip(_X, ("input", "hidden 1", "hidden 2", "output")):
            ax.text(xc, 33.3, name, ha="center", va="bottom", fontsize=9)
        for (xi, yi), name in zip(self.cols[0], ("x\u2081", "x\u2082")):
            ax.text(xi - 0.45, yi, name, ha="right", va="center", fontsize=10)
        ax.text(_X[3], _MID - 1.6, "logit z", ha="center", va="top", fontsize=9, zorder=5)
        self.counts = [moving(StampedLine(ax, xc, -0.4, pieces=2, ha="center", fontsize=9, va="top"))
                       for xc in _X[1:3]]

        # the strips: per hidden layer, three rows of bars
        self.bars, self.strip_crosses, self.strip_axes, self.row_names = [], [], [], []
        where = f"x = ({style.signed(x[0], 2)}, {style.signed(x[1], 2)}), class {label}"
        h, gap = 0.075, 0.012
        for layer in range(2):
            y0 = 0.86 - layer * 0.295
            fig.text(self._STRIP_X, y0 + 0.008, f"hidden layer {layer + 1}, for training example "
                     f"{EXAMPLE + 1} ({where})", fontsize=9.5, fontweight="bold", va="bottom")
            for row, name in enumerate(self._ROWS):
                axs = fig.add_axes([self._STRIP_X, y0 - (row + 1) * h - row * gap, self._STRIP_W, h],
                                   xlim=(-0.8, WIDTH - 0.2))
                axs.axhline(0, color=style.GREY, lw=0.6, zorder=1)
                for level in (-1, 1):
                    axs.axhline(level, color=style.GREY, lw=0.6, ls=":", zorder=1)
                axs.set_xticks([0, 15, 31], ["1", "16", "32"] if row == 2 and layer == 1 else [])
                axs.tick_params(labelsize=8, length=2, pad=1)
                axs.spines["bottom"].set_visible(False)
                self.row_names.append(moving(stamped(fig, self._STRIP_X - 0.04, y0 - (row + 0.5) * h - row * gap,
                                                     name, fontsize=9, ha="right", va="center")))
                self.bars.append(moving(*(axs.plot([], [], color=colour, lw=6.5, solid_capstyle="butt",
                                                   zorder=2)[0] for colour in (style.POSITIVE, style.NEGATIVE))))
                self.strip_crosses.append(moving(axs.plot([], [], "x", ms=4, mew=1.0, color=style.GREY)[0]))
                self.strip_axes.append(axs)
        fig.text(self._STRIP_X + self._STRIP_W / 2, 0.277, "neuron (top to bottom in the diagram); "
                 "dotted: \u00b11, the range of tanh; \u00d7: dropped", fontsize=8, ha="center", va="top")

        # the output, and why the scaling
        self.output_lines = [moving(StampedLine(fig, self._STRIP_X - 0.1, y, pieces=2, fontsize=9.5, va="center"))
                             for y in (0.215, 0.175)]
        self.why = fig.text(0.012, 0.075, "", fontsize=9.5, va="center", linespacing=1.4, color=style.BLACK)

    def draw_background(self) -> None:
        p = self.values["p"]
        self.all_edges.set_visible(self.values["mode"] == "evaluation")
        scale = 1 / (1 - p)
        for axs in self.strip_axes:
            axs.set_ylim(-1.1 * scale, 1.1 * scale)
            ticks = [-scale, 0, scale]
            axs.set_yticks(ticks, [f"{t:.3g}".replace("-", "\u2212") for t in ticks])
        self.why.set_text(
            f"Why multiply by 1/(1 \u2212 p) = {scale:.3g}? A neuron is kept with probability 1 \u2212 p = "
            f"{1 - p:.1f} and then sends a/(1 \u2212 p);\ndropped, it sends 0. On average it sends "
            "(1 \u2212 p) \u00b7 a/(1 \u2212 p) + p \u00b7 0 = a: what it sends in evaluation mode,\n"
            "where nothing is dropped or scaled. So the next layer gets the same input on average in both modes.")

    def draw(self) -> None:
        v = self.values
        p, step, mode = v["p"], v["step"], v["mode"]
        training = mode == "training"
        passes = {m: replay(p, step, m) for m in MODES}
        shown = passes[mode]
        masks = [m[EXAMPLE] if m is not None else np.ones(WIDTH, bool) for m in shown.masks]
        self.title.set_text(f"Dropout p = {p}, training mode: the forward pass of update {step} of {STEPS}"
                            if training else f"Dropout p = {p}, evaluation mode (at update {step} of "
                            f"{STEPS}): nothing dropped, nothing scaled")
        for r, name in enumerate(self.row_names):
            name.set_text((self._ROWS if training else self._EVAL_ROWS)[r % 3])

        # the diagram: kept neurons coloured by their activation, dropped ones greyed out
        inputs = self.cols[0]
        h1 = [q for q, k in zip(self.cols[1], masks[0]) if k]
        h2 = [q for q, k in zip(self.cols[2], masks[1]) if k]
        if training:
            self.edges.set_data(*_polyline(_fan(inputs, h1) + _fan(h1, h2) + _fan(h2, self.cols[3])))
        else:
            self.edges.set_data([], [])  # the background has them all
        a = [shown.before[i][EXAMPLE] for i in range(2)]
        faces = ["white", "white"]
        edges = [style.BLACK] * 2
        for i in range(2):
            colours = style.DIVERGING(0.5 + 0.5 * a[i])
            faces += [colours[j] if masks[i][j] else style.LIGHT for j in range(WIDTH)]
            edges += [style.BLACK if masks[i][j] else style.GREY for j in range(WIDTH)]
        faces.append(style.CLASSES(float(shown.probability[EXAMPLE])))
        edges.append(style.BLACK)
        self.nodes.set_facecolor(faces)
        self.nodes.set_edgecolor(edges)
        dropped = [q for i in range(2) for q, k in zip(self.cols[i + 1], masks[i]) if not k]
        self.crosses.set_data(*(np.transpose(dropped) if dropped else ([], [])))
        for count, kept in zip(self.counts, masks):
            count.set(f"{{}} of {WIDTH} kept" if training else f"{{}} of {WIDTH} used", str(int(kept.sum())))

        # the strips
        for i in range(2):
            rows = (a[i], a[i] * masks[i], shown.after[i][EXAMPLE])
            for r, values in enumerate(rows):
                for line, sign in zip(self.bars[3 * i + r], (values > 0, values < 0)):
                    j = np.flatnonzero(sign)
                    line.set_data(*_polyline([((k, 0.0), (k, values[k])) for k in j]))
                off = np.flatnonzero(~masks[i]) if r else []
                self.strip_crosses[3 * i + r].set_data(off, np.zeros(len(off)))

        q_train, q_eval = (passes[m].probability[EXAMPLE] for m in MODES)
        self.output_lines[0].set("output P(class 1) = {} in training mode, with this update's mask and the "
                                 "scaling;", f"{q_train:.3f}")
        self.output_lines[1].set("output P(class 1) = {} in evaluation mode (no dropout, no "
                                 "scaling).", f"{q_eval:.3f}")

    def storyboard(self):
        # the default p: a new mask at each of the first updates, then evaluation mode;
        # then a small and a large p
        for step in range(1, 6):
            yield {"p": 0.5, "step": step, "mode": "training"}, 1400
        yield {"p": 0.5, "step": 5, "mode": "evaluation"}, 2800
        for p in (0.2, 0.7):
            yield {"p": p, "step": 1, "mode": "training"}, 2000
