"""What dropout does to the overfitting network, and dropout as an average of many networks.

:class:`DropoutEffectScene` shows :func:`overfitting.train(dropout=p)
<course_utils.overfitting.train>`, the chapter's too-big network trained for 1,000 epochs
with an ``nn.Dropout(p)`` after each hidden layer. Left: its training and validation
loss over the epochs, with those of the same network without dropout (p = 0) faint
behind. Middle: its prediction at the end, in evaluation mode (no dropout). Right: the
average prediction of ``n_masks`` thinned networks, each the trained network in training
mode with one keep-mask (one draw of which neurons to drop, the same for every point).

Every mask picks one of the ``2^64`` sub-networks of the two hidden layers, so a network
trained with dropout is trained as a huge ensemble that shares its weights. Srivastava
et al. ("Dropout: a simple way to prevent neural networks from overfitting", JMLR 2014)
use the network in evaluation mode as a cheap stand-in for the average of that
ensemble (the "weight scaling rule"; with inverted dropout the scaling is done during
training). It is exact only for a network without non-linearities; here the
average of many masks settles a little way from the evaluation-mode prediction (the
numbers are on the picture, and in tests/test_dropout_scene.py).
"""

from __future__ import annotations

import functools

import contourpy
import numpy as np

from .. import data, nn, overfitting, style
from ..nn.functional import sigmoid
from ..scene import Param, Scene
from ..stamps import StampedLine, stamped
from .dropout import P_OPTIONS, WIDTH

EFFECT_P = (0.0, *P_OPTIONS)
N_MASKS = (1, 2, 5, 10, 100)
ENSEMBLE_SEED = 6  # the masks of the ensemble (the first n of one seeded sequence)
PLANE = 3.0  # the regions are drawn over [-PLANE, PLANE]^2
REGION_RES = 51


def _check(p, n_masks=1) -> None:
    if isinstance(p, bool) or p not in EFFECT_P:
        raise ValueError(f"the dropout probability p must be one of {list(EFFECT_P)}, got {p!r}")
    if isinstance(n_masks, bool) or n_masks not in N_MASKS:
        raise ValueError(f"n_masks must be one of {list(N_MASKS)}, got {n_masks!r}")


@functools.lru_cache(maxsize=1)
def points() -> np.ndarray:
    """The points every prediction is computed at: the 400 validation points, then the
    ``REGION_RES x REGION_RES`` grid of the pictures; shape (400 + 51 * 51, 2)."""
    found = np.concatenate([overfitting.problem()[2], data.grid(REGION_RES, PLANE)])
    found.setflags(write=False)
    return found


@functools.lru_cache(maxsize=len(EFFECT_P))
def evaluation_prediction(p: float) -> np.ndarray:
    """P(class 1) of ``overfitting.train(dropout=p)`` after its last epoch, in evaluation
    mode, at :func:`points`. Read only; cached."""
    _check(p)
    with np.errstate(under="ignore"):  # exp of a very negative logit rounds to 0: harmless
        found = sigmoid(overfitting.train(dropout=p).at(-1)(points())[:, 0])
    found.setflags(write=False)
    return found


def ensemble_masks(p: float, n: int) -> list[np.ndarray]:
    """``n`` keep-masks per hidden layer, each (n, 32), drawn by the engine's ``nn.Dropout``
    (a fresh one per layer, seeded ``ENSEMBLE_SEED + layer``), one row per mask. The masks
    for ``n`` are the first ``n`` rows of those for any larger number."""
    drawn = []
    for layer in range(overfitting.HIDDEN_LAYERS):
        dropout = nn.Dropout(p, rng=ENSEMBLE_SEED + layer)
        dropout(np.ones((n, WIDTH)))
        drawn.append(dropout.mask)
    return drawn


@functools.lru_cache(maxsize=64)
def ensemble_prediction(p: float, n: int) -> np.ndarray:
    """The average P(class 1) at :func:`points` of ``n`` thinned networks: the network of
    ``overfitting.train(dropout=p)`` after its last epoch in training mode, once per mask
    of :func:`ensemble_masks` (the same mask for every point). With p = 0 nothing is
    dropped and every member is the network itself. Read only; cached per (p, n)."""
    _check(p, n)
    if p == 0:
        return evaluation_prediction(0.0)
    model = overfitting.network(p)
    model.load_state_dict(overfitting.train(dropout=p).snapshots[-1])
    model.train()
    masks, x = ensemble_masks(p, n), points()
    total = np.zeros(len(x))
    for k in range(n):
        h, layer = x, 0
        for module in model:
            if isinstance(module, nn.Dropout):
                h = module(h, mask=np.broadcast_to(masks[layer][k], h.shape))
                layer += 1
            else:
                h = module(h)
        with np.errstate(under="ignore"):
            total += sigmoid(h[:, 0])
    mean = total / n
    mean.setflags(write=False)
    return mean


def boundary(q: np.ndarray) -> np.ndarray:
    """The 0.5 level of ``q`` (REGION_RES x REGION_RES over the plane) as one polyline:
    its pieces, shape (k, 2), separated by rows of NaN (contourpy, matplotlib's own)."""
    g = np.linspace(-PLANE, PLANE, REGION_RES)
    pieces = contourpy.contour_generator(g, g, q).lines(0.5)
    gap = np.full((1, 2), np.nan)
    return np.concatenate([row for piece in pieces for row in (piece, gap)]) if pieces else gap


def validation_loss(probability: np.ndarray) -> float:
    """Binary cross-entropy of P(class 1) at the validation points (the first 400 of
    :func:`points`), by the engine's ``nn.BCELoss``."""
    y_val = overfitting.problem()[3]
    return float(nn.BCELoss()(probability[:len(y_val), None], y_val))


def ensemble_numbers(p: float, n: int) -> dict:
    """On the 400 validation points: ``eval_loss`` and ``ensemble_loss`` (binary
    cross-entropy of the evaluation-mode and the ensemble's prediction), ``gap`` (the
    mean of |P_ensemble - P_eval|) and ``disagree`` (how many points the two put on
    different sides of 0.5)."""
    n_val = overfitting.N_VAL
    q_eval, q_ens = evaluation_prediction(p)[:n_val], ensemble_prediction(p, n)[:n_val]
    return {"eval_loss": validation_loss(q_eval), "ensemble_loss": validation_loss(q_ens),
            "gap": float(np.mean(np.abs(q_ens - q_eval))),
            "disagree": int(np.sum((q_ens > 0.5) != (q_eval > 0.5)))}


class DropoutEffectScene(Scene):
    """Dropout's effect on the overfitting network (``p``), and the average of
    ``n_masks`` thinned networks against evaluation mode."""

    params = (
        Param("p", 0.5, options=EFFECT_P, label="dropout p"),
        Param("n_masks", 10, options=N_MASKS, label="masks averaged"),
    )
    size = (10.0, 4.5)
    background_params = ("p",)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        self.title = fig.text(0.012, 0.955, "", fontsize=12, fontweight="bold", va="center")
        self.numbers, self.numbers_2, self.numbers_3 = (
            moving(StampedLine(fig, 0.012, y, pieces=4, fontsize=9.5, va="center")) for y in (0.89, 0.845, 0.8))

        ax = self.ax_loss = fig.add_axes([0.06, 0.12, 0.29, 0.54], xlim=(0, overfitting.EPOCHS))
        ax.set_xlabel("epoch", labelpad=1)
        ax.set_ylabel("loss (binary cross-entropy)")
        epochs = np.arange(overfitting.EPOCHS + 1)
        plain = overfitting.train(dropout=0.0).curves
        ax.plot(epochs, plain["train_loss"], color=style.BLUE, lw=1.2, alpha=0.3)
        ax.plot(epochs, plain["val_loss"], color=style.ORANGE, lw=1.2, alpha=0.35)
        self.train_curve = ax.plot([], [], color=style.BLUE, lw=2, label="training")[0]
        self.val_curve = ax.plot([], [], color=style.ORANGE, lw=2, label="validation")[0]
        ax.plot([], [], color=style.GREY, lw=1.2, alpha=0.5, label="faint: p = 0")
        ax.set_ylim(0, 1.1 * max(plain["val_loss"].max(), plain["train_loss"].max()))
        ax.legend(loc="upper left", frameon=False, fontsize=9)

        side = 0.54 * fh / fw
        x, y, x_val, y_val = overfitting.problem()
        self.region_axes, self.images = [], []
        for i, left in enumerate((0.43, 0.71)):
            axr = fig.add_axes([left, 0.12, side, 0.54])
            image = axr.imshow(np.zeros((REGION_RES, REGION_RES)), cmap=style.REGION, origin="lower",
                               extent=(-PLANE, PLANE, -PLANE, PLANE), vmin=0, vmax=1,
                               interpolation="nearest")
            shown = [image]
            if i == 1:  # drawn above the moving region, so moving too
                shown.append(axr.plot([], [], color=style.BLACK, lw=1.2, ls="--")[0])
            # the points as markers of lines, one per class: far faster to draw than a scatter
            for label, colour in ((0, style.NEGATIVE), (1, style.POSITIVE)):
                shown += axr.plot(*x_val[y_val[:, 0] == label].T, "o", ms=2.6, mfc="none", mec=colour, mew=0.5)
            for label, colour in ((0, style.NEGATIVE), (1, style.POSITIVE)):
                shown += axr.plot(*x[y[:, 0] == label].T, "o", ms=5.5, mfc=colour, mec=style.BLACK, mew=0.7,
                                  zorder=3)
            if i == 1:
                moving(*shown)
                self.boundary = shown[1]
            style.plane_axes(axr, PLANE)
            self.region_axes.append(axr)
            self.images.append(image)
        self.region_axes[1].set_ylabel("")
        self.region_axes[0].set_title("evaluation mode, after 1000 epochs", fontsize=9.5)
        self.ens_title = moving(stamped(fig, 0.71 + side / 2, 0.672, "", fontsize=9.5, ha="center",
                                        va="bottom"))
        fig.text(0.012, 0.752, "P(class 1) over the plane, blue: class 1; \u25cf training points, "
                 "\u25cb validation points; dashed: the boundary (P = 0.5) in evaluation mode",
                 fontsize=9, va="center")

    def draw_background(self) -> None:
        p = self.values["p"]
        run = overfitting.train(dropout=p)
        epochs = np.arange(overfitting.EPOCHS + 1)
        self.train_curve.set_data(epochs, run.curves["train_loss"])
        self.val_curve.set_data(epochs, run.curves["val_loss"])
        q = evaluation_prediction(p)[overfitting.N_VAL:].reshape(REGION_RES, REGION_RES)
        self.images[0].set_data(q)
        self.boundary.set_data(*boundary(q).T)
        self.title.set_text(f"Dropout p = {p} on the overfitting network "
                            f"({'-'.join(map(str, overfitting.SIZES))} tanh, {overfitting.N_TRAIN} "
                            "training points, full-batch Adam)" if p else
                            "No dropout (p = 0): the overfitting network as it is "
                            f"({'-'.join(map(str, overfitting.SIZES))} tanh, {overfitting.N_TRAIN} "
                            "training points)")

    def draw(self) -> None:
        p, n = self.values["p"], self.values["n_masks"]
        q = ensemble_prediction(p, n)[overfitting.N_VAL:].reshape(REGION_RES, REGION_RES)
        self.images[1].set_data(q)
        val_loss = overfitting.train(dropout=p).curves["val_loss"]
        lowest = f"{val_loss.min():.3f}", str(int(np.argmin(val_loss)))
        if p == 0:
            self.numbers.set("final validation loss {}; lowest {} at epoch {}", f"{val_loss[-1]:.3f}", *lowest)
            self.ens_title.set_text("p = 0: every mask keeps every neuron")
            self.numbers_2.set("with p = 0 nothing is dropped: every mask gives the network itself, "
                               "and so does their average")
            self.numbers_3.set("")
            return
        plain = overfitting.train(dropout=0.0).curves["val_loss"][-1]
        self.numbers.set("final validation loss {} (p = 0: {}); lowest {} at epoch {}",
                         f"{val_loss[-1]:.3f}", f"{plain:.3f}", *lowest)
        numbers = ensemble_numbers(p, n)
        masks = "1 mask" if n == 1 else f"{n} masks"
        self.ens_title.set_text(f"average of {masks} (training mode)")
        self.numbers_2.set(f"validation loss of the average of {masks} {{}} (evaluation mode {{}}); "
                           "mean |P(average) \u2212 P(evaluation)| on them {}",
                           f"{numbers['ensemble_loss']:.3f}", f"{numbers['eval_loss']:.3f}",
                           f"{numbers['gap']:.3f}")
        self.numbers_3.set(f"the average of {masks} and evaluation mode put {{}} of the {overfitting.N_VAL} "
                           "validation points on different sides of P = 0.5", str(numbers["disagree"]))
