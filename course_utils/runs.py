"""Training runs, recorded once and replayed: what every scene of a network learning uses.

A scene that shows a network learning needs the same three things, whatever the network:

1. **train it once per setting**, seeded, with the engine's own :func:`nn.training.fit`;
2. **keep its weights** (``state_dict``) at chosen moments, and the loss and accuracy
   after every epoch;
3. **replay** any moment later: load those weights back into the model
   (``load_state_dict``) and push any points through the model's own ``forward``,
   layer by layer if the picture wants to look inside.

:func:`record` does 1 and 2 and returns a :class:`Run`; ``run.at(k)`` and
:func:`layer_outputs` do 3. A loop that is not ``fit`` (a GAN trains two models in
turns) keeps its moments with a :class:`Recorder` and gets the same :class:`Run`: put
the two models in one :class:`nn.Module` and its ``state_dict`` holds both.

:func:`schedule` chooses the moments; :data:`cache` remembers finished runs for every
training scene, within a fixed memory budget.

    >>> run = record(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters()), x, y,
    ...              epochs=500, at=schedule(500, 20))          # doctest: +SKIP
    >>> run.curves["train_loss"][run.moments[5]]                # loss at the 6th moment
    >>> probabilities = run.at(5)(points)                       # the model as it was then
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from .nn import Module, Sequential
from .nn.training import evaluate, fit

__all__ = ["schedule", "Run", "Recorder", "record", "layer_outputs", "RunCache", "cache"]


def schedule(last: int, count: int, power: float = 2.0) -> tuple[int, ...]:
    """``count + 1`` moments from 0 to ``last`` (both included), spaced by a power law:
    moment ``k`` is ``round(last * (k / count) ** power)``.

    With ``power = 2`` (the default) the moments crowd at the start, where a network
    changes most; ``power = 1`` spaces them evenly. Moments may repeat when ``count``
    is close to ``last``; they never decrease.
    """
    for name, value in (("last", last), ("count", count)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    if not power > 0:
        raise ValueError(f"power must be positive, got {power!r}")
    return tuple(int(round(last * (k / count) ** power)) for k in range(count + 1))


@dataclass(frozen=True, eq=False)
class Run:
    """One recorded run of a model.

    ``moments[k]`` is the epoch (or update, see ``unit``) after which ``snapshots[k]``,
    a ``state_dict``, was taken; moment 0 is the untrained model. ``curves`` maps a name
    (``train_loss``, ``val_loss``, ``train_accuracy``, ``val_accuracy``, or whatever a
    :class:`Recorder` logged) to an array with one value per epoch, index 0 before
    training. ``data`` holds the arrays the model was trained (and validated) on, read
    only; ``orders[e]`` is the order of the examples in epoch ``e + 1`` when they were
    shuffled (None otherwise). ``message`` says why training stopped early ("" if not).

    ``run.at(k)`` is ``model`` with ``snapshots[k]`` loaded: the one model object is
    reused, so it holds the snapshot loaded last.
    """

    model: Module
    unit: str
    moments: tuple
    snapshots: tuple
    curves: dict
    data: dict
    orders: np.ndarray | None = None
    message: str = ""

    def at(self, k: int) -> Module:
        """The model with the weights of snapshot ``k`` (``-1``: the last), in eval mode."""
        if not -len(self.snapshots) <= k < len(self.snapshots):
            raise IndexError(f"snapshot {k} does not exist: this run has snapshots 0 to "
                             f"{len(self.snapshots) - 1}")
        self.model.load_state_dict(self.snapshots[k])  # always: the model may have changed since
        return self.model.eval()

    def curve_at(self, name: str, k: int) -> float:
        """The value of curve ``name`` at the moment of snapshot ``k``, for a run whose
        moments count epochs (the curves have one value per epoch). A run recorded by
        update raises: its moments do not index the curves."""
        if self.unit != "epoch":
            raise ValueError(f"curve_at needs a run recorded by epoch; this one's moments count "
                             f"{self.unit}s, and its curves have one value per epoch: measure "
                             f"the snapshot itself (run.at({k})) instead")
        return float(self.curves[name][self.moments[k]])

    @property
    def nbytes(self) -> int:
        """Memory this record holds: its arrays (snapshots, curves, data, orders, the
        model's weights) with their headers, and the snapshot dicts."""
        snapshots = list({id(s): s for s in self.snapshots}.values())  # a moment may repeat
        arrays = [a for s in snapshots for a in s.values()]
        arrays += list(self.curves.values()) + list(self.data.values())
        arrays += [p.data for p in self.model.parameters()]
        if self.orders is not None:
            arrays.append(self.orders)
        return (sum(sys.getsizeof(a) + a.nbytes * (a.base is not None) for a in arrays)
                + sum(sys.getsizeof(s) for s in snapshots))


def _frozen(values) -> np.ndarray:
    array = np.array(values)
    array.setflags(write=False)  # shared by every scene through the cache
    return array


class Recorder:
    """Keeps ``model.state_dict()`` at the chosen moments, and numbers logged along the way.

    For a training loop of your own (``record`` uses one inside ``fit``)::

        recorder = Recorder(pair, at=schedule(5000, 50), unit="update")
        recorder.snapshot(0)
        for update in range(1, 5001):
            ...                                  # train both models of the pair
            recorder.snapshot(update)            # kept only at the chosen moments
            recorder.log(d_loss=d, g_loss=g)     # one value per call, per name
        run = recorder.run(x=real_points)
    """

    def __init__(self, model: Module, at: Iterable[int], unit: str = "epoch"):
        if unit not in ("epoch", "update"):
            raise ValueError(f"unit must be 'epoch' or 'update', got {unit!r}")
        self.model, self.unit = model, unit
        self.wanted = tuple(at)
        self._todo = sorted(set(self.wanted))
        self._kept: dict[int, dict] = {}
        self.curves: dict[str, list] = {}
        self.orders: list = []

    def snapshot(self, moment: int) -> None:
        """Keep the model's weights if ``moment`` is one of the chosen moments."""
        if self._todo and moment == self._todo[0]:
            self._kept[self._todo.pop(0)] = self.model.state_dict()

    def log(self, **values) -> None:
        """Append each value to the curve of its name (None is skipped)."""
        for name, value in values.items():
            if value is not None:
                self.curves.setdefault(name, []).append(float(value))

    def run(self, message: str = "", **data) -> Run:
        """The finished record. Moments training never reached are left out."""
        moments = tuple(m for m in self.wanted if m in self._kept)
        return Run(model=self.model, unit=self.unit, moments=moments,
                   snapshots=tuple(self._kept[m] for m in moments),
                   curves={k: _frozen(v) for k, v in self.curves.items()},
                   data={k: _frozen(v) for k, v in data.items()},
                   orders=_frozen(self.orders) if self.orders else None, message=message)


class _FitHook:
    """The callbacks ``record`` gives ``fit``: measure after every epoch, snapshot at the moments."""

    def __init__(self, recorder: Recorder, measure: Callable[[], None], shuffled: bool):
        self.recorder, self.measure, self.shuffled = recorder, measure, shuffled
        self._epoch_order: list = []

    def on_batch_end(self, update, indices, model):
        if self.shuffled:
            self._epoch_order.append(indices)
        if self.recorder.unit == "update":
            self.recorder.snapshot(update)

    def __call__(self, epoch, history, model):
        self.measure()
        if self.shuffled:
            self.recorder.orders.append(np.concatenate(self._epoch_order))
            self._epoch_order = []
        if self.recorder.unit == "epoch":
            self.recorder.snapshot(epoch)


def record(model: Module, loss_fn, optimizer, x, y, *, epochs: int, at: Iterable[int],
           unit: str = "epoch", batch_size: int | None = None, shuffle: bool = False, rng=None,
           validation_data=None, verbose: int = 0, **fit_options) -> Run:
    """Train ``model`` with :func:`nn.training.fit` and return the :class:`Run`.

    ``at`` lists the moments to keep the weights at, counted in epochs (or in updates
    with ``unit="update"``; 0 is before training). After every epoch the model is
    measured with :func:`nn.training.evaluate` on ``(x, y)`` and, if given, on
    ``validation_data``: the curves ``train_loss`` and ``val_loss`` (and the accuracies,
    for the losses ``fit`` measures accuracy for). ``batch_size`` defaults to the whole
    data set (full-batch training); ``verbose=1`` prints ``fit``'s progress lines (with
    the validation loss and accuracy when there is validation data); the other options
    go to ``fit``. Callbacks given (``callbacks=[EarlyStopping()]``, say) are called after
    the recording, and ``fit`` then measures the validation data too, for them to read.
    """
    x, y = np.asarray(x), np.asarray(y)
    recorder = Recorder(model, at, unit)
    sets = [("train", x, y)]
    if validation_data is not None:
        sets.append(("val", *(np.asarray(a) for a in validation_data)))

    def measure():
        for name, xs, ys in sets:
            loss, accuracy = evaluate(model, loss_fn, xs, ys)
            recorder.log(**{f"{name}_loss": loss, f"{name}_accuracy": accuracy})

    extra = fit_options.pop("callbacks", ())
    extra = [extra] if callable(extra) else list(extra)  # e.g. EarlyStopping, after the recording
    with np.errstate(under="ignore"):  # a tiny number rounded to 0 is harmless here
        measure()
        recorder.snapshot(0)
        history = fit(model, loss_fn, optimizer, x, y, epochs=epochs,
                      batch_size=len(x) if batch_size is None else batch_size, shuffle=shuffle,
                      rng=rng, verbose=verbose,
                      validation_data=validation_data if verbose or extra else None,
                      callbacks=[_FitHook(recorder, measure, shuffle), *extra], **fit_options)
    data = {"x": x, "y": y}
    if validation_data is not None:
        data.update(x_val=sets[1][1], y_val=sets[1][2])
    return recorder.run(history.message, **data)


def layer_outputs(model: Module, x) -> list:
    """Push ``x`` through a :class:`nn.Sequential` and return every module's output, in order.

    A Sequential inside (an encoder followed by a decoder, say) is opened up, so its
    modules' outputs are listed one by one. A recurrent layer returns ``(output, state)``:
    that pair is listed, and its ``output`` (the sequence of hidden states) flows on to
    the next module. Any other model gives one output, its own ``model(x)``.
    """
    if not isinstance(model, Sequential):
        return [model(x)]
    outputs = []
    for module in model:
        if isinstance(module, Sequential):
            inner = layer_outputs(module, x)
            outputs += inner
            if inner:
                x = inner[-1][0] if isinstance(inner[-1], tuple) else inner[-1]
            continue
        out = module(x)
        outputs.append(out)
        x = out[0] if isinstance(out, tuple) else out
    return outputs


class RunCache:
    """Remembers the results of run-making functions, within ``max_bytes`` in all.

    Used as a decorator (``@cache``); the function's arguments must be hashable and its
    result a :class:`Run` or a tuple of them. A call is known by its arguments' values,
    defaults filled in, however they are written (``train(2)`` is ``train(code=2)``). A ``verbose`` argument only changes what is
    printed while training, so it is not part of the key. When a new run would take the total past
    ``max_bytes``, the runs used least recently are forgotten first. Every training scene
    shares one cache (:data:`cache`), so the budget bounds them all together.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._runs: OrderedDict = OrderedDict()
        self.nbytes = 0

    def __call__(self, fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def cached(*args, **kwargs):
            # keyed by the arguments' values however they are written: train(2) is train(code=2)
            # (and by their types: True == 1 in Python, but a bad 1 must still be checked)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            key = (fn.__module__, fn.__qualname__,
                   tuple((k, type(v), v) for k, v in bound.arguments.items() if k != "verbose"))
            if key in self._runs:
                self._runs.move_to_end(key)
                return self._runs[key][0]
            result = fn(*args, **kwargs)
            self._store(key, result)
            return result

        cached.cache_clear = self.clear
        return cached

    def _store(self, key, result) -> None:
        size = sum(r.nbytes for r in (result if isinstance(result, tuple) else (result,)))
        self._runs[key] = (result, size)
        self.nbytes += size
        while self.nbytes > self.max_bytes and len(self._runs) > 1:
            _, (_, dropped) = self._runs.popitem(last=False)
            self.nbytes -= dropped

    def clear(self) -> None:
        """Forget every run."""
        self._runs.clear()
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._runs)


#: The cache every training scene shares: at most 64 MB of recorded runs, as measured by
#: :attr:`Run.nbytes` (a Layers run takes 40-130 kB, an Epochs run 110-470 kB, a
#: batch-size run 20-600 kB, a non-linearity run 30-200 kB: some hundreds of runs).
cache = RunCache(64 * 2 ** 20)
