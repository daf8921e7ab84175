"""A GAN trained as a widget asks, one move at a time, and able to go back: the run behind
the live GAN widget (:class:`course_utils.scenes.gan.GANScene`).

A move is an update (``d_steps`` discriminator steps, then one generator step) or one
step of one network, by hand. A copy of the whole training state (both networks, both
optimizers, the random numbers) is kept every ``CHECK_EVERY`` moves, so going back to
move ``k`` restores the copy before it and replays at most ``CHECK_EVERY - 1`` moves: the
same data, settings, seed and moves always give the same weights, and with no hand
steps the run is the one :func:`course_utils.gan.record` records.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from . import gan

__all__ = ["LiveRun", "CHECK_EVERY"]

#: A copy of the training state is kept every CHECK_EVERY moves (and the measures taken).
CHECK_EVERY = 20


class LiveRun:
    """A GAN trained move by move: ``"u"`` (an update), ``"d"`` (one D-step) or ``"g"``
    (one G-step). ``go(k)`` brings it to move ``k`` (training updates past the moves made
    so far, or going back through a kept copy); ``hand(move)`` makes one move by hand at
    the current place, forgetting any moves that came after it.

    ``losses[i]`` is ``(L_D, L_G)`` of move ``i`` (NaN for the network a move did not
    step); ``measures[k]`` is ``(modes covered, modes, JS)`` after ``k`` moves, for every
    ``k`` a copy was kept at."""

    def __init__(self, data, settings: gan.Settings, seed: int):
        self.data = data
        real = gan.sample(data, gan.POOL, gan.DATA_SEED) if isinstance(data, str) else gan.own_points(data)
        self.trainer = gan.Trainer(real, settings, seed)
        self.moves: list[str] = []
        self.losses: list[tuple[float, float]] = []
        self.at = 0
        self.copies = {0: self._copy()}
        self.measures = {0: self.measure()}

    def _copy(self) -> gan.Trainer:
        t = self.trainer
        return copy.deepcopy(t, {id(t.real): t.real})  # the real points are shared, never changed

    def measure(self) -> tuple[int, int, float]:
        """``(covered, modes, JS)`` of the generator as it is now (:func:`gan.evaluate`)."""
        c, js = gan.evaluate(self.trainer.gan, self.data, self.trainer.settings)
        return c.covered, c.modes, js

    def go(self, k: int) -> None:
        base = max(c for c in self.copies if c <= k)
        if k < self.at or base > self.at:
            self.trainer, self.at = copy.deepcopy(self.copies[base], {id(self.trainer.real): self.trainer.real}), base
        while self.at < k:
            self._play(self.moves[self.at] if self.at < len(self.moves) else "u")

    def hand(self, move: str) -> None:
        del self.moves[self.at:], self.losses[self.at:]
        for k in [k for k in self.copies if k > self.at]:
            del self.copies[k], self.measures[k]
        self._play(move)

    def _play(self, move: str) -> None:
        t = self.trainer
        with np.errstate(all="ignore"):  # far too large learning rates overflow: shown as diverged
            if move == "u":
                losses = t.update()
            elif move == "d":
                losses = (t.step_discriminator(), math.nan)
            else:
                losses = (math.nan, t.step_generator())
            if self.at == len(self.moves):
                self.moves.append(move)
                self.losses.append(losses)
            self.at += 1
            if self.at % CHECK_EVERY == 0 and self.at not in self.copies:
                self.copies[self.at] = self._copy()
                self.measures[self.at] = self.measure()

    def diverged(self) -> int | None:
        """The first move (1-based) whose losses are not finite numbers, up to now; or None."""
        for i, (move, (d, g)) in enumerate(zip(self.moves[:self.at], self.losses)):
            stepped = (d, g) if move == "u" else (d,) if move == "d" else (g,)
            if not all(math.isfinite(x) for x in stepped):
                return i + 1
        return None
