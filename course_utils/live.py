"""Training that a widget drives one move at a time, and that can go back.

A live widget trains as far as its slider asks. Dragging the slider back must show the
network as it was then, and dragging it forward again must give the very same weights.
:class:`LiveRun` does both: it keeps a copy of the whole training state (the networks,
the optimizers' averages, the random numbers) every :attr:`LiveRun.check_every` moves.
Going back to move ``k`` restores the copy before it and replays at most
``check_every - 1`` moves, which were recorded, so the same moves always give the same
weights.

A subclass says what a move is (:meth:`LiveRun.play`: an update of a GAN, or one step of
one of its networks by hand; an epoch of the playground) and what is measured at each
kept copy (:meth:`LiveRun.measure`). A run may end by itself (stopped early, or blown
up): :meth:`LiveRun.play` then sets :attr:`LiveRun.end`, and ``go`` goes no further.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Callable

__all__ = ["LiveRun", "KeptRuns"]


class LiveRun:
    """A run trained move by move. ``trainer`` is the object holding the whole training
    state (deep-copied at every kept moment); ``shared`` are objects inside it that the
    copies share because training never changes them (the data).

    ``go(k)`` brings the run to move ``k`` (training the default move past the moves made
    so far, or going back through a kept copy); ``hand(move)`` makes one move by hand at
    the current place, forgetting the moves that came after it. ``moves[i]`` and
    ``records[i]`` are move ``i + 1`` and what :meth:`play` returned for it; ``measures[k]``
    is :meth:`measure` after ``k`` moves, for every ``k`` a copy was kept at.
    """

    #: A copy of the training state is kept every ``check_every`` moves.
    check_every = 20
    #: The move ``go`` makes past the moves recorded so far.
    default_move = "u"
    #: The last move the run can reach, once it is known to end there (None: no end yet).
    end = None

    def __init__(self, trainer, shared=()):
        self.trainer = trainer
        self._shared = {id(obj): obj for obj in shared}
        self.moves: list = []
        self.records: list = []
        self.at = 0
        self.copies = {0: self._copy()}
        self.measures = {0: self.measure()}

    # --- what a subclass writes
    def play(self, move):
        """Make ``move`` on ``self.trainer`` and return what it recorded (its losses).
        A move that cannot be made (training blew up in it) sets :attr:`end` to the moves
        made so far and returns None: it is not counted."""
        raise NotImplementedError

    def measure(self):
        """What is measured at every kept copy (None by default)."""
        return None

    # --- moving
    def _copy(self):
        return copy.deepcopy(self.trainer, dict(self._shared))  # deepcopy adds to its memo

    def go(self, k: int) -> None:
        if self.end is not None:
            k = min(k, self.end)
        base = max(c for c in self.copies if c <= k)
        if k < self.at or base > self.at:
            self.trainer, self.at = copy.deepcopy(self.copies[base], dict(self._shared)), base
        while self.at < k and (self.end is None or self.at < self.end):
            if not self._play(self.moves[self.at] if self.at < len(self.moves) else self.default_move):
                break

    def hand(self, move) -> None:
        del self.moves[self.at:], self.records[self.at:]
        for k in [k for k in self.copies if k > self.at]:
            del self.copies[k], self.measures[k]
        self.end = None  # the run's future is forgotten with its moves
        self._play(move)

    def _play(self, move) -> bool:
        record = self.play(move)
        if record is None:
            return False
        if self.at == len(self.moves):
            self.moves.append(move)
            self.records.append(record)
        self.at += 1
        if self.at % self.check_every == 0 and self.at not in self.copies:
            self.copies[self.at] = self._copy()
            self.measures[self.at] = self.measure()
        return True


class KeptRuns:
    """The live runs of the last ``size`` settings a widget showed, so that coming back to a
    setting finds its run as it was left, without training it again."""

    def __init__(self, size: int):
        self.size = size
        self._runs: OrderedDict = OrderedDict()

    def get(self, key, make: Callable[[], LiveRun]) -> LiveRun:
        """The run kept for ``key`` (any hashable description of the setting), or
        ``make()``'s new run, kept in place of the one used longest ago."""
        if key not in self._runs:
            self._runs[key] = make()
            while len(self._runs) > self.size:
                self._runs.popitem(last=False)
        self._runs.move_to_end(key)
        return self._runs[key]
