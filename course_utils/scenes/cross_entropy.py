"""Cross-entropy: the loss of a softmax classifier, and the gradient it sends back.

:class:`CrossEntropyScene` (GIF ``imgs/cross_entropy.gif``) takes three logits ``z_k``
(the scores of the classes cat, dog and bird) and the true class ``t``, and shows

* the logits as bars;
* the probabilities ``p = softmax(z)`` (:func:`course_utils.nn.functional.softmax`);
* the loss ``L = -ln p_t``, computed by the engine:
  ``nn.CrossEntropyLoss()(z[None], [t])``. It is 0 only when ``p_t = 1``, and grows
  without bound as ``p_t`` goes to 0;
* the gradient ``dL/dz``, from the same criterion's ``backward()``. It is
  ``softmax(z) - onehot(t)``: negative for the true class (a step of gradient descent
  raises its logit), positive for every other class (lowered), and its entries add up
  to 0.

Two numbers to remember:

* **Equal logits give** ``L = ln C``: with ``C = 3`` classes every ``p_k = 1/3`` and
  ``L = ln 3 ≈ 1.10``. An untrained classifier's logits are nearly equal, so the first
  loss of a training run should be close to ``ln C``: if it is far off, look for a bug
  before training.
* **Confidently wrong costs about the gap.** ``L = ln(1 + sum_{j != t} e^(z_j - z_t))``,
  so when a wrong class leads the true one by a gap ``g``, ``g <= L <= g + ln 3``: the
  loss grows about linearly with the gap, while the gradient stays near its largest
  (``-1`` for the true class). A confident right answer gets ``L`` near 0 and a gradient
  near 0: there is little left to learn from it.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.patches import Rectangle

from .. import nn, style
from ..nn.functional import softmax
from ..scene import Param, Scene
from ..stamps import StampedLine

#: The classes, and one colour each (as in the softmax scene).
CLASSES = ("cat", "dog", "bird")
COLOURS = (style.BLUE, style.ORANGE, style.GREEN)
LOGIT_MAX = 4.0  # each logit slider spans [-LOGIT_MAX, LOGIT_MAX]
DEFAULT_LOGITS = (1.0, 0.0, -1.0)
DEFAULT_TARGET = 1  # dog
LN_C = math.log(len(CLASSES))  # the loss of equal logits: ln 3
#: A wrong class at least this far ahead of the true one is "confidently wrong".
CONFIDENT_GAP = 2.0
#: The largest loss the sliders can make: the true logit at -4, both others at +4.
LOSS_MAX = math.log(1 + 2 * math.exp(2 * LOGIT_MAX))
_BAR = 0.62




def _probability(p: float) -> str:
    """A probability as a number in a formula: ``0.24``, ``0.0034``, ``3.4e-05``, ``0.9993``."""
    if p > 0.99:
        return f"{p:.4f}"
    return f"{p:.2f}" if p >= 0.01 else f"{p:.2g}" if p >= 1e-4 else f"{p:.1e}"


def _number(v: float, sign: bool = False) -> str:
    """A loss or gradient in a formula: two decimals, or two digits of a small one."""
    text = f"{v:{'+' if sign else ''}.2f}" if abs(v) >= 0.01 or v == 0 else f"{v:{'+' if sign else ''}.1e}"
    return text.replace("-", "\u2212")


def loss_and_gradient(logits, target: int) -> tuple[float, np.ndarray, np.ndarray]:
    """``(L, dL/dz, p)`` for one example, all from the engine: ``L`` and ``dL/dz`` (shape
    (C,)) from ``nn.CrossEntropyLoss`` and its ``backward()``, ``p = softmax(z)``."""
    z = np.asarray(logits, dtype=float)
    if z.ndim != 1 or z.size < 2 or not np.all(np.isfinite(z)):
        raise ValueError(f"give at least two finite logits in a flat list; got {logits!r}")
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or not 0 <= target < z.size:
        raise ValueError(f"the true class must be a class index from 0 to {z.size - 1}; got {target!r}")
    criterion = nn.CrossEntropyLoss()
    loss = criterion(z[None, :], np.array([target]))
    return loss, criterion.backward()[0], softmax(z)


class CrossEntropyScene(Scene):
    """Three logits and the true class: probabilities, the loss ``-ln p_true`` and its
    gradient ``softmax(z) - onehot(true)``."""

    params = (
        *(Param(f"z{k}", DEFAULT_LOGITS[k], -LOGIT_MAX, LOGIT_MAX, 0.1, label=f"logit {name}")
          for k, name in enumerate(CLASSES)),
        Param("target", DEFAULT_TARGET, options=tuple((name, k) for k, name in enumerate(CLASSES)),
              label="true class"),
    )
    gif_name = "cross_entropy"
    gif_one_palette = True  # flat bars and text: the still parts stay exact
    size = (9.0, 4.0)
    control_rows = (("z0", "z1"), ("z2", "target"))
    background_params = ("target",)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fig.text(0.012, 0.955, "cross-entropy:  L = \u2212ln p_true,  where p = softmax(z)",
                 fontsize=11, weight="bold", va="top")
        # the lines of words and numbers: words from a few templates, numbers monospaced
        self.formula = moving(StampedLine(fig, 0.012, 0.885, pieces=4, fontsize=10, va="top"))
        self.caption = moving(StampedLine(fig, 0.012, 0.82, pieces=3, fontsize=10, va="top"))
        xs = np.arange(len(CLASSES))
        boxes = {"z": (0.055, 0.15, 0.2, 0.5), "p": (0.31, 0.15, 0.2, 0.5),
                 "L": (0.57, 0.15, 0.15, 0.5), "g": (0.775, 0.15, 0.21, 0.5)}
        self.axes = {key: fig.add_axes(box) for key, box in boxes.items()}
        titles = {"z": "logits z", "p": "probabilities p", "L": "loss L",
                  "g": "gradient \u2202L/\u2202z = p \u2212 onehot"}
        for key, ax in self.axes.items():
            ax.set_title(titles[key], fontsize=10, loc="left")
            if key != "L":
                ax.set_xlim(-0.6, len(CLASSES) - 0.4)
                ax.set_xticks(xs, labels=CLASSES)
                ax.tick_params(axis="x", length=0)
        rows = {"z": LOGIT_MAX + 1.0, "p": 1.12, "g": 1.22}
        limits = {"z": (-LOGIT_MAX - 0.5, LOGIT_MAX + 1.6), "p": (0, 1.24), "g": (-1.1, 1.42)}
        ticks = {"z": [-4, -2, 0, 2, 4], "p": [0, 0.5, 1], "g": [-1, 0, 1]}
        for key in "zpg":
            ax = self.axes[key]
            ax.set_ylim(*limits[key])
            ax.set_yticks(ticks[key], labels=[f"{t:g}".replace("-", "\u2212") for t in ticks[key]])
            if key != "p":
                ax.axhline(0, color=style.GREY, lw=0.8, zorder=0)
        self.axes["p"].axhline(1 / 3, color=style.GREY, lw=0.9, ls=":", zorder=0)
        self.axes["p"].text(len(CLASSES) - 0.35, 1 / 3, "1/3", color=style.GREY, fontsize=8,
                            ha="left", va="center")
        fig.text(0.985, 0.015, "gradient descent moves each logit against its gradient bar",
                 fontsize=8, color=style.GREY, ha="right", va="bottom")

        # the loss: one bar on a scale from 0 to the largest loss the sliders make
        ax = self.axes["L"]
        ax.set_xlim(-0.45, 1.9)
        ax.set_xticks([])
        ax.set_ylim(0, 10.4)
        ax.set_yticks([0, 2, 4, 6, 8])
        ax.axhline(LN_C, color=style.BLACK, lw=1.0, ls=":", zorder=3)
        ax.text(0.4, LN_C + 0.3, "ln 3 \u2248 1.10:\nequal logits,\nan untrained\nclassifier",
                fontsize=8, va="bottom", ha="left")
        self.loss_bar = moving(ax.add_patch(Rectangle((-0.3, 0), 0.6, 0, color=style.PURPLE, lw=0)))
        self.loss_label = moving(StampedLine(ax, 0.0, 0.0, pieces=0, ha="center", va="bottom", fontsize=9))

        # the numbers: one row at the top of each panel, each number centred over its bar (StampedLine)
        self.bars, self.labels = {}, {}
        for key in "zpg":
            ax = self.axes[key]
            self.bars[key] = [moving(ax.add_patch(Rectangle((x - _BAR / 2, 0), _BAR, 0, color=c, lw=0)))
                              for x, c in zip(xs, COLOURS)]
            self.labels[key] = [moving(StampedLine(ax, x, rows[key], pieces=0, ha="center", va="center", fontsize=9))
                                for x in xs]

    def draw_background(self) -> None:
        t = self.values["target"]
        for key in "zpg":
            ax = self.axes[key]
            ax.set_xticks(range(len(CLASSES)), labels=[f"{name}\n(true)" if k == t else name
                                                       for k, name in enumerate(CLASSES)])
            for k, label in enumerate(ax.get_xticklabels()):
                label.set_fontweight("bold" if k == t else "normal")

    def logits(self) -> np.ndarray:
        """The three logits from the sliders, shape (3,)."""
        return np.array([self.values[f"z{k}"] for k in range(len(CLASSES))])

    def draw(self) -> None:
        z, t = self.logits(), self.values["target"]
        loss, grad, p = loss_and_gradient(z, t)
        labels = (("z", z, style.signed), ("p", p, style.percent), ("g", grad, lambda v: style.signed(v, 2)))
        for key, values, text in labels:
            for k, (bar, label) in enumerate(zip(self.bars[key], self.labels[key])):
                bar.set_y(min(values[k], 0.0))
                bar.set_height(abs(values[k]))
                bar.set_edgecolor(style.BLACK)
                bar.set_linewidth(1.6 if k == t else 0.0)
                label.set("{}", text(values[k]))
        self.loss_bar.set_height(loss)
        self.loss_label.set_position((0.0, loss + 0.15))
        self.loss_label.set("{}", f"{loss:.2f}")
        name = CLASSES[t]
        self.formula.set(f"L = \u2212ln p_{name} = \u2212ln {{}} = {{}}        gradient: p \u2212 1 = {{}} for "
                         f"{name}, p for the others; they add up to 0",
                         _probability(p[t]), _number(loss), _number(grad[t], True))
        self.caption.set(*self._caption(z, t, loss))

    @staticmethod
    def _caption(z, t: int, loss: float) -> tuple[str, ...]:
        """One line on what the picture shows, from the state alone: a template (``{}``
        where a number goes) and its numbers."""
        if np.allclose(z, z[0], rtol=0, atol=1e-9):
            return ("all logits equal: every p = 1/3 and L = ln 3 \u2248 1.10, the first loss to expect "
                    "from an untrained 3-class network",)
        others = [k for k in range(len(z)) if k != t]
        rival = max(others, key=lambda k: z[k])
        gap = z[rival] - z[t]
        if gap < -1e-9:
            return (f"right: {CLASSES[t]} leads by {{}}; the larger the lead, the closer L "
                    f"and the gradient get to 0", f"{-gap:.1f}")
        if gap <= 1e-9:
            return (f"a tie: {CLASSES[t]} and {CLASSES[rival]} share the largest logit",)
        if gap >= CONFIDENT_GAP:
            return (f"confidently wrong: {CLASSES[rival]} leads {CLASSES[t]} by {{}}, and L = "
                    f"{{}} grows about as fast as that gap", f"{gap:.1f}", f"{loss:.2f}")
        return f"wrong: {CLASSES[rival]} leads {CLASSES[t]} by {{}}", f"{gap:.1f}"

    def storyboard(self):
        state = dict(z0=DEFAULT_LOGITS[0], z1=DEFAULT_LOGITS[1], z2=DEFAULT_LOGITS[2], target=DEFAULT_TARGET)

        def frame(ms: int = 160, **changes):
            state.update(changes)
            return dict(state), ms

        yield frame(1600)
        for z1 in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0):  # the true class rises: L towards 0
            yield frame(z1=z1, ms=2000 if z1 == 4.0 else 200)
        for z1 in (2.0, 0.0):
            yield frame(z1=z1, ms=200)
        for z0 in (1.5, 2.0, 2.5, 3.0, 3.5, 4.0):  # a wrong class rises
            yield frame(z0=z0, ms=250)
        for z1 in (-1.0, -2.0, -3.0, -4.0):  # and leads by ever more: L grows with the gap
            yield frame(z1=z1, ms=2000 if z1 == -4.0 else 300)
        for z0, z1, z2 in ((2.7, -2.7, -0.7), (1.3, -1.3, -0.3), (0.0, 0.0, 0.0)):  # all equal: ln 3
            yield frame(z0=z0, z1=z1, z2=z2, ms=2400 if z0 == 0.0 else 250)
