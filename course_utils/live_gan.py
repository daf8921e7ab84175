"""A GAN trained as a widget asks, one move at a time, and able to go back: the run behind
the live GAN widget (:class:`course_utils.scenes.gan.GANScene`).

A move is an update (``d_steps`` discriminator steps, then one generator step) or one
step of one network, by hand. Going back works as :mod:`course_utils.live` says: the
same data, settings, seed and moves always give the same weights, and with no hand
steps the run is the one :func:`course_utils.gan.record` records.
"""

from __future__ import annotations

import math

import numpy as np

from . import gan, live

__all__ = ["LiveRun", "CHECK_EVERY"]

#: A copy of the training state is kept every CHECK_EVERY moves (and the measures taken).
CHECK_EVERY = 20


class LiveRun(live.LiveRun):
    """A GAN trained move by move: ``"u"`` (an update), ``"d"`` (one D-step) or ``"g"``
    (one G-step), with the going back of :class:`course_utils.live.LiveRun`.

    ``losses[i]`` is ``(L_D, L_G)`` of move ``i`` (NaN for the network a move did not
    step); ``measures[k]`` is ``(modes covered, modes, JS)`` after ``k`` moves, for every
    ``k`` a copy was kept at."""

    check_every = CHECK_EVERY

    def __init__(self, data, settings: gan.Settings, seed: int):
        self.data = data
        real = gan.sample(data, gan.POOL, gan.DATA_SEED) if isinstance(data, str) else gan.own_points(data)
        trainer = gan.Trainer(real, settings, seed)
        super().__init__(trainer, shared=(trainer.real,))  # the real points are never changed

    @property
    def losses(self) -> list[tuple[float, float]]:
        return self.records

    def measure(self) -> tuple[int, int, float]:
        """``(covered, modes, JS)`` of the generator as it is now (:func:`gan.evaluate`)."""
        c, js = gan.evaluate(self.trainer.gan, self.data, self.trainer.settings)
        return c.covered, c.modes, js

    def play(self, move: str) -> tuple[float, float]:
        t = self.trainer
        with np.errstate(all="ignore"):  # far too large learning rates overflow: shown as diverged
            if move == "u":
                return t.update()
            if move == "d":
                return t.step_discriminator(), math.nan
            return math.nan, t.step_generator()

    def diverged(self) -> int | None:
        """The first move (1-based) whose losses are not finite numbers, up to now; or None."""
        for i, (move, (d, g)) in enumerate(zip(self.moves[:self.at], self.losses)):
            stepped = (d, g) if move == "u" else (d,) if move == "d" else (g,)
            if not all(math.isfinite(x) for x in stepped):
                return i + 1
        return None
