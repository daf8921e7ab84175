"""Softmax: how a network's output layer turns scores for classes into probabilities.

:class:`SoftmaxScene` (GIF ``imgs/softmax.gif``) takes four logits ``z_k`` (the raw
scores of the classes cat, dog, bird and fish), a number ``shift`` added to every one of
them, and a temperature ``T``, and shows softmax in its two steps:

* left, the logits ``z_k + shift`` as bars;
* middle, the weights ``w_k = exp((z_k - max_j z_j) / T)``: the largest logit always
  gets weight 1, each other one ``exp(-gap / T)``, where ``gap`` is how far it lies
  below the largest;
* right, the probabilities ``p_k = w_k / sum_j w_j``, which add up to 1. This is
  ``softmax(z / T)`` (:func:`course_utils.nn.functional.softmax`), and the weights are
  its output divided by its largest entry.

So the largest logit gets the largest probability, but not all of it: a class 1 below
it keeps ``e^-1``, about 37 %, of its weight at ``T = 1``. Adding the same number to
every logit leaves every gap, and so every probability, as it was. As ``T`` goes to 0
every gap is magnified and the largest logit takes (almost) everything: the argmax; as
``T`` grows every weight tends to 1 and the probabilities to ``1/4`` each.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from .. import style
from ..nn.functional import softmax
from ..scene import Param, Scene
from ..stamps import stamped

#: The classes, and one colour each (the same in all three panels).
CLASSES = ("cat", "dog", "bird", "fish")
COLOURS = (style.BLUE, style.ORANGE, style.GREEN, style.PURPLE)
LOGIT_MAX = 3.0  # each logit slider spans [-LOGIT_MAX, LOGIT_MAX]
SHIFT_MAX = 3.0  # and so does the shift added to all of them
T_MIN, T_MAX = 0.05, 50.0  # the temperature's range (a logarithmic slider)
DEFAULT_LOGITS = (2.0, 1.0, 0.5, -1.0)
COLD, HOT = 0.2, 10.0  # at or below COLD the caption speaks of the argmax, at or above HOT of uniform
_BAR = 0.62  # bar width
_Z_LIMIT = LOGIT_MAX + SHIFT_MAX + 1.2  # the logit panel's y-range, room for the labels


def probabilities(logits, temperature: float = 1.0) -> np.ndarray:
    """``softmax(z / T)``: shape (K,) for K logits, positive, adding up to 1."""
    return softmax(np.asarray(logits, dtype=float) / temperature)


def weights(logits, temperature: float = 1.0) -> np.ndarray:
    """``exp((z_k - max z) / T)``: the probabilities before they are divided by their sum,
    scaled so that the largest is 1 (it is the probabilities over the largest one)."""
    p = probabilities(logits, temperature)
    return p / p.max()



def largest(logits) -> np.ndarray:
    """The indices of the largest logit (more than one when they tie)."""
    z = np.asarray(logits, dtype=float)
    return np.flatnonzero(np.isclose(z, z.max(), rtol=0, atol=1e-9))



class SoftmaxScene(Scene):
    """Four logits, a shift added to all of them and a temperature: the weights and the
    probabilities softmax makes of them."""

    params = (
        *(Param(f"z{k}", DEFAULT_LOGITS[k], -LOGIT_MAX, LOGIT_MAX, 0.1, label=f"logit {name}")
          for k, name in enumerate(CLASSES)),
        Param("shift", 0.0, -SHIFT_MAX, SHIFT_MAX, 0.1, label="add to every logit"),
        Param("temperature", 1.0, T_MIN, T_MAX, log=True, label="temperature T"),
    )
    gif_name = "softmax"
    gif_one_palette = True  # the still parts stay exact: each frame stores only what moved
    size = (8.0, 4.0)
    control_rows = (("z0", "z1"), ("z2", "z3"), ("shift", "temperature"))

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fig.text(0.015, 0.955, "softmax:  p\u2096 = e^(z\u2096/T) / \u03a3\u2c7c e^(z\u2c7c/T)",
                 fontsize=11, weight="bold", va="top")
        self.caption = moving(stamped(fig, 0.015, 0.875, "", fontsize=10, va="top"))
        xs = np.arange(len(CLASSES))
        boxes = ([0.065, 0.1, 0.25, 0.64], [0.39, 0.1, 0.25, 0.64], [0.715, 0.1, 0.27, 0.64])
        self.ax_z, self.ax_w, self.ax_p = (fig.add_axes(box) for box in boxes)
        titles = ("logits z\u2096 + shift", "weights e^((z\u2096 \u2212 max z)/T)", "probabilities p\u2096")
        for ax, title in zip((self.ax_z, self.ax_w, self.ax_p), titles):
            ax.set_xlim(-0.6, len(CLASSES) - 0.4)
            ax.set_xticks(xs, labels=CLASSES)
            ax.tick_params(axis="x", length=0)
            ax.set_title(title, fontsize=10, loc="left")

        ax = self.ax_z
        ax.set_ylim(-_Z_LIMIT, _Z_LIMIT)
        ax.set_yticks([-6, -3, 0, 3, 6], labels=["\u22126", "\u22123", "0", "3", "6"])
        ax.axhline(0, color=style.GREY, lw=0.8, zorder=0)
        self.gap_line = moving(ax.plot([], [], color=style.BLACK, lw=0.9, ls="--", zorder=1)[0])
        ax = self.ax_w
        ax.set_ylim(0, 1.22)
        ax.set_yticks([0, 0.5, 1])
        ax = self.ax_p
        ax.set_ylim(0, 1.22)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1], labels=["0", "25%", "50%", "75%", "100%"])
        ax.axhline(1 / len(CLASSES), color=style.GREY, lw=0.9, ls=":", zorder=0)
        ax.text(1.0, -0.1, f"dotted: 1/{len(CLASSES)} each", transform=ax.transAxes, color=style.GREY,
                fontsize=8, ha="right", va="top")
        self.sum_text = moving(stamped(fig, 0.985, 0.755, "", ha="right", va="bottom", fontsize=10))

        # the numbers: one row at the top of each panel, in fixed places, so that each
        # string is drawn once and then pasted (stamps)
        self.bars, self.labels = {}, {}
        for ax, key, row in ((self.ax_z, "z", _Z_LIMIT - 0.5), (self.ax_w, "w", 1.1), (self.ax_p, "p", 1.1)):
            self.bars[key] = [moving(ax.add_patch(Rectangle((x - _BAR / 2, 0), _BAR, 0, color=c, lw=0)))
                              for x, c in zip(xs, COLOURS)]
            self.labels[key] = [moving(stamped(ax, x, row, "", ha="center", va="center", fontsize=9))
                                for x in xs]

    def logits(self) -> np.ndarray:
        """The logits as the scene uses them: the four sliders plus the shift, shape (4,)."""
        v = self.values
        return np.array([v[f"z{k}"] for k in range(len(CLASSES))]) + v["shift"]

    def draw(self) -> None:
        z, t, shift = self.logits(), self.values["temperature"], self.values["shift"]
        p = probabilities(z, t)
        w = p / p.max()
        tops = largest(z)

        for k, (bar, label) in enumerate(zip(self.bars["z"], self.labels["z"])):
            bar.set_y(min(z[k], 0.0))
            bar.set_height(abs(z[k]))
            label.set_text(style.signed(z[k]))
        self.gap_line.set_data([-0.6, len(CLASSES) - 0.4], [z.max()] * 2)
        for bars, labels, values, text in ((self.bars["w"], self.labels["w"], w, lambda x: f"{x:.2f}"),
                                           (self.bars["p"], self.labels["p"], p, style.percent)):
            for k, (bar, label) in enumerate(zip(bars, labels)):
                bar.set_height(values[k])
                label.set_text(text(values[k]))
        for key in "zwp":
            for k, bar in enumerate(self.bars[key]):
                bar.set_edgecolor(style.BLACK)
                bar.set_linewidth(1.6 if k in tops else 0.0)
        self.sum_text.set_text(f"sum = {p.sum():.3f}")
        self.caption.set_text(self._caption(z, t, shift, tops))

    @staticmethod
    def _caption(z, t: float, shift: float, tops) -> str:
        """One line on what the picture shows now, from the state alone (so the widget says
        the same as the GIF)."""
        temp = f"T = {t:g}"
        if len(tops) == len(CLASSES):
            return f"{temp}: all logits are equal, so every class gets 1/{len(CLASSES)}, whatever T is"
        if len(tops) == 1:
            who, takes, gets = CLASSES[tops[0]], "takes", f"{CLASSES[tops[0]]}, the largest logit, gets"
        else:
            who = " and ".join(CLASSES[k] for k in tops)
            takes, gets = "share", f"{who} tie for the largest logit and get"
        if t <= COLD:
            return f"{temp}, cold: small T magnifies every gap, so {who} {takes} almost everything (the argmax)"
        if t >= HOT:
            return f"{temp}, hot: large T shrinks every gap, so every class gets close to 1/{len(CLASSES)}"
        words = f"{temp}: {gets} the most, but not all"
        if shift != 0:
            words += f"; {style.signed(shift)} on every logit changes no probability"
        return words

    def storyboard(self):
        base = dict(zip((f"z{k}" for k in range(len(CLASSES))), DEFAULT_LOGITS), shift=0.0, temperature=1.0)
        state = dict(base)

        def frame(ms: int = 140, **changes):
            state.update(changes)
            return dict(state), ms

        yield frame(1400)
        for z2 in (0.8, 1.1, 1.4, 1.7, 2.0, 2.3, 2.6):  # bird's logit rises past dog's and cat's
            yield frame(z2=z2, ms=1200 if z2 == 2.6 else 140)
        for z2 in (2.0, 1.4, 0.8, 0.5):
            yield frame(z2=z2, ms=900 if z2 == 0.5 else 140)
        for s in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 2.0, 1.0, 0.0, -1.0, -2.0, -3.0, -2.0, -1.0, 0.0):
            yield frame(shift=s, ms={3.0: 1000, -3.0: 1000, 0.0: 700}.get(s, 140))  # nothing changes
        for t in (0.7, 0.5, 0.35, 0.2, 0.1, 0.05):  # cold: the argmax
            yield frame(temperature=t, ms=1400 if t == 0.05 else 250)
        for t in (0.1, 0.2, 0.5, 1.0):
            yield frame(temperature=t, ms=900 if t == 1.0 else 200)
        for t in (2.0, 3.0, 5.0, 10.0, 20.0, 50.0):  # hot: uniform
            yield frame(temperature=t, ms=1400 if t == 50.0 else 250)
        for t in (20.0, 5.0, 2.0):
            yield frame(temperature=t, ms=200)
