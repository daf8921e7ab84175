"""Sequences the course makes itself, the recurrent networks it trains on them, and two ways
to look inside a recurrent layer.

Data (every function takes ``rng``, a seed or a ``numpy.random.Generator``):

* :func:`sine_windows`: stretches of sine waves of different speeds; the task is to
  predict the next value at every step.
* :func:`memory_task`: "remember the first bit". Step 1 carries a bit (+1 or -1) and a
  marker; the next ``length - 1`` steps carry only noise. At the end the network must say
  what the bit was. Nothing but memory can solve it: the noise says nothing about the bit.

Networks: :class:`SequenceModel` is a recurrent layer (``nn.RNN`` or ``nn.LSTM``) with a
linear read-out, the way PyTorch users write one. :func:`train_memory` and
:func:`train_sine` train them, seeded and recorded (:mod:`course_utils.runs`).

Looking inside: :func:`lstm_trace` runs an LSTM step by step and returns every gate,
optionally with a gate **clamped** to a fixed value; :func:`state_gradients` gives
``dL/dh_t`` for every step ``t``, the gradient that vanishes (or not) through time.
"""

from __future__ import annotations

import copy

import numpy as np

from . import data, nn, runs
from .nn import optim
from .nn.functional import sigmoid

__all__ = ["memory_task", "sine_wave", "sine_windows", "SequenceModel", "memory_model", "memory_data",
           "train_memory", "train_sine", "lstm_trace", "state_gradients",
           "loss_gradients_through_time", "accuracy_of", "clamped_answers", "clamped_accuracy", "clamped_confidence", "bit_links", "memory_unit", "steps_to_fall"]

#: The memory task: noise of this standard deviation after the first step.
NOISE = 1.5
#: The lengths T the chapter trains both networks on.
LENGTHS = (5, 10, 20, 50)
HIDDEN = 16
#: The forget gates' bias an LSTM starts with (PyTorch's default is about 0: f = 0.5).
FORGET_BIAS = 3.0
TRAIN, TEST = 1024, 500
EPOCHS, BATCH_SIZE, LEARNING_RATE = 8, 32, 0.01  # Adam; 8 epochs of 32 batches: 256 updates
DATA_SEED, INIT_SEED, SHUFFLE_SEED = 0, 0, 1

#: The four gates of an LSTM in PyTorch's order, and what clamping each is called here.
GATES = ("input", "forget", "cell", "output")


def memory_task(n: int, length: int, noise: float = NOISE, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of ``length`` steps for "remember the first bit".

    Returns ``x`` of shape (n, length, 2), batch first: at step 1, ``x[:, 0] = (bit, 1)``
    with the bit as +1 or -1 and the marker 1; at every later step ``(noise * N(0, 1), 0)``.
    ``y`` of shape (n, 1) holds the bit as 1.0 (for +1) or 0.0 (for -1).
    """
    if not isinstance(length, (int, np.integer)) or isinstance(length, bool) or length < 1:
        raise ValueError(f"length must be a whole number >= 1, got {length!r}")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    gen = data.as_rng(rng)
    bits = gen.integers(0, 2, size=n)
    x = np.zeros((n, length, 2))
    x[:, 0, 0] = 2.0 * bits - 1.0
    x[:, 0, 1] = 1.0
    x[:, 1:, 0] = noise * gen.normal(size=(n, length - 1))
    return x, bits[:, None].astype(float)


def sine_wave(period, length: int, phase=0.0) -> np.ndarray:
    """``sin(2 pi t / period + phase)`` at the steps ``t = 0 .. length``: shape
    ``(length + 1,)``, or ``(n, length + 1)`` for ``period`` and ``phase`` of shape (n, 1)."""
    return np.sin(2 * np.pi * np.arange(length + 1) / period + phase)


def sine_windows(n: int, length: int, rng=None, periods: tuple[float, float] = (8.0, 24.0)):
    """``n`` stretches of :func:`sine_wave`, ``length + 1`` steps each, with the period (in
    steps) uniform in ``periods`` and the phase uniform in [0, 2 pi).

    Returns ``x`` (n, length, 1), the values at steps 0 .. length - 1, and ``y``
    (n, length, 1), the values one step later: at every step, the next value is the target.
    """
    gen = data.as_rng(rng)
    period = gen.uniform(*periods, size=(n, 1))
    phase = gen.uniform(0, 2 * np.pi, size=(n, 1))
    wave = sine_wave(period, length, phase)[..., None]
    return wave[:, :-1], wave[:, 1:]


class SequenceModel(nn.Module):
    """A recurrent layer and a linear read-out: ``kind`` is ``"rnn"`` (``nn.RNN``, tanh)
    or ``"lstm"`` (``nn.LSTM``). Input ``(N, L, input_size)``, batch first.

    ``every_step=False``: one output per sequence, from the last hidden state:
    ``head(h_L)``, shape (N, output_size). ``every_step=True``: an output at every step,
    ``head(h_t)``, shape (N, L, output_size).

    ``forget_bias`` (LSTM only) sets the forget gates' total bias (``bias_ih + bias_hh``)
    at the start, so that ``f = sigmoid(forget_bias + ...)``: 3 gives f near 0.95, a memory
    that fades slowly until training says otherwise. (PyTorch users do the same by hand,
    ``lstm.bias_hh_l0.data[H:2*H] = ...``.)

    Backward: the read-out's gradient goes to the hidden states it read (only the last
    one when ``every_step`` is False), then back through time in the recurrent layer.
    """

    def __init__(self, kind: str, input_size: int, hidden_size: int, output_size: int = 1,
                 every_step: bool = False, forget_bias: float | None = None, rng=None):
        layers = {"rnn": nn.RNN, "lstm": nn.LSTM}
        if kind not in layers:
            raise ValueError(f"kind must be 'rnn' or 'lstm', got {kind!r}")
        if forget_bias is not None and kind != "lstm":
            raise ValueError("forget_bias is for an LSTM: an RNN has no gates")
        gen = data.as_rng(rng)
        self.kind, self.every_step = kind, bool(every_step)
        self.recurrent = layers[kind](input_size, hidden_size, batch_first=True, rng=gen)
        self.head = nn.Linear(hidden_size, output_size, rng=gen)
        if forget_bias is not None:
            forget = slice(hidden_size, 2 * hidden_size)  # rows i, f, g, o: f is the second
            self.recurrent.bias_ih.data[forget] = forget_bias
            self.recurrent.bias_hh.data[forget] = 0.0

    def forward(self, x):
        hidden, _ = self.recurrent(x)            # (N, L, H): h_1 .. h_L
        self._hidden_shape = hidden.shape
        return self.head(hidden if self.every_step else hidden[:, -1])

    def backward(self, grad_output, input_grad=True):
        shape = self._saved("_hidden_shape")
        grad_read = self.head.backward(grad_output)
        if self.every_step:
            grad_hidden = grad_read
        else:
            grad_hidden = np.zeros(shape)
            grad_hidden[:, -1] = grad_read       # only h_L was read
        grad_x = self.recurrent.backward(grad_hidden)
        return grad_x if input_grad else None

    def extra_repr(self):
        return "every step" if self.every_step else "reads the last step"


def memory_model(kind: str, forget_bias: float = FORGET_BIAS, hidden: int = HIDDEN) -> SequenceModel:
    """The network of the memory task: 2 inputs, ``hidden`` units, one logit."""
    return SequenceModel(kind, 2, hidden, 1, forget_bias=forget_bias if kind == "lstm" else None,
                         rng=INIT_SEED)


def memory_data(length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x, y, x_test, y_test)`` of the memory task of ``length`` steps: 1,024 sequences to
    train on and 500 held out; the same for every call."""
    gen = np.random.default_rng((DATA_SEED, length))
    return (*memory_task(TRAIN, length, rng=gen), *memory_task(TEST, length, rng=gen))


@runs.cache
def train_memory(kind: str, length: int, forget_bias: float = FORGET_BIAS, hidden: int = HIDDEN,
                 verbose: int = 0) -> runs.Run:
    """Train ``memory_model(kind, forget_bias, hidden)`` on the memory task of ``length`` steps:
    binary cross-entropy on the logit, Adam (lr 0.01), batches of 32, 8 epochs (256
    updates, the same budget for both kinds), seeded; measured on the held-out sequences
    after every epoch, a snapshot after every epoch. Cached."""
    x, y, x_test, y_test = memory_data(length)
    model = memory_model(kind, forget_bias, hidden)
    return runs.record(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=LEARNING_RATE),
                       x, y, epochs=EPOCHS, at=range(EPOCHS + 1), batch_size=BATCH_SIZE, shuffle=True,
                       rng=SHUFFLE_SEED, validation_data=(x_test, y_test), verbose=verbose)


SINE_HIDDEN, SINE_LENGTH, SINE_EPOCHS = 4, 40, 300


@runs.cache
def train_sine(verbose: int = 0) -> runs.Run:
    """A small RNN (1 input, 4 hidden units, tanh) learns to predict the next value of a
    sine wave at every step: 256 stretches of 40 steps, MSE, Adam (lr 0.02), full batch,
    300 epochs, seeded; snapshots spread over training. Cached."""
    x, y = sine_windows(256, SINE_LENGTH, rng=DATA_SEED)
    model = SequenceModel("rnn", 1, SINE_HIDDEN, 1, every_step=True, rng=INIT_SEED)
    return runs.record(model, nn.MSELoss(), optim.Adam(model.parameters(), lr=0.02), x, y,
                       epochs=SINE_EPOCHS, at=runs.schedule(SINE_EPOCHS, 12), verbose=verbose)


# ------------------------------------------------------------------------ looking inside

def lstm_trace(lstm: nn.LSTM, x, clamp: dict | None = None, clamp_from: int = 1) -> dict:
    """Run ``lstm`` over ``x`` step by step, written out:

    ``z = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh``, split into four;
    ``i, f, o = sigmoid(.)``, ``g = tanh(.)``; ``c_t = f c_{t-1} + i g``;
    ``h_t = o tanh(c_t)``, from ``h_0 = c_0 = 0``.

    ``x`` is one sequence (L, input_size) or a batch of them, time first (L, N, input_size).
    ``clamp`` maps gate names (:data:`GATES`: "input", "forget", "cell", "output") to
    values that replace the computed gate at every step from step ``clamp_from`` on (1 is
    the first step), e.g. ``{"forget": 1.0}``.

    Returns a dict of arrays (L, H), or (L, N, H) for a batch: ``input``, ``forget``,
    ``cell`` (the candidate g), ``output``, ``c`` and ``h``. With no clamp, ``h`` equals
    the output of ``lstm(x)``.
    """
    clamp = dict(clamp or {})
    unknown = set(clamp) - set(GATES)
    if unknown:
        raise ValueError(f"no gate named {sorted(unknown)}; the gates are {list(GATES)}")
    x = np.asarray(x, dtype=float)
    one = x.ndim == 2
    if one:
        x = x[:, None]
    if x.ndim != 3 or x.shape[2] != lstm.input_size:
        raise ValueError(f"x must have shape (L, {lstm.input_size}) or (L, N, {lstm.input_size}), "
                         f"got {x.shape}")
    length, batch, hidden = x.shape[0], x.shape[1], lstm.hidden_size
    w_ih, w_hh = lstm.weight_ih.data, lstm.weight_hh.data
    b = lstm.bias_ih.data + lstm.bias_hh.data
    h, c = np.zeros((batch, hidden)), np.zeros((batch, hidden))
    trace = {name: np.empty((length, batch, hidden)) for name in (*GATES, "c", "h")}
    for t in range(length):
        z = x[t] @ w_ih.T + h @ w_hh.T + b
        gates = {"input": sigmoid(z[:, :hidden]), "forget": sigmoid(z[:, hidden:2 * hidden]),
                 "cell": np.tanh(z[:, 2 * hidden:3 * hidden]), "output": sigmoid(z[:, 3 * hidden:])}
        if t + 1 >= clamp_from:
            for name, value in clamp.items():
                gates[name] = np.full((batch, hidden), float(value))
        c = gates["forget"] * c + gates["input"] * gates["cell"]
        h = gates["output"] * np.tanh(c)
        for name, value in (*gates.items(), ("c", c), ("h", h)):
            trace[name][t] = value
    return {name: a[:, 0] if one else a for name, a in trace.items()}


def state_gradients(layer, x, grad_output) -> np.ndarray:
    """``dL/dh_t`` for every step ``t = 1 .. L`` of ``layer`` (an ``nn.RNN`` or ``nn.LSTM``)
    reading ``x`` (L, N, input_size), when ``dL/d output`` is ``grad_output`` (L, N, H).
    Returns an array (L, N, H). For the LSTM it is the gradient along ``h`` (with ``c``
    carrying its own).

    How, with the engine's own backward pass: ``backward`` returns ``dL/dx_t = dz_t W_ih``
    for every step, where ``dz_t`` is the gradient of step ``t``'s pre-activations. And
    ``h_{t-1}`` enters step ``t`` only through ``dz_t W_hh``. So a copy of the layer that
    reads ``[x_t, 0]`` with input weights ``[W_ih, W_hh]`` computes the same forward pass,
    and its ``dL/dx_t`` ends in ``dz_t W_hh``: the part of ``dL/dh_{t-1}`` that flows back
    through step ``t``. Adding what the output at ``t - 1`` receives directly gives all of it.
    """
    x, g = np.asarray(x, dtype=float), np.asarray(grad_output, dtype=float)
    wide = copy.deepcopy(layer)
    wide.batch_first = False
    wide.input_size = layer.input_size + layer.hidden_size
    wide.weight_ih.data = np.concatenate([layer.weight_ih.data, layer.weight_hh.data], axis=1)
    wide.weight_ih.grad = np.zeros_like(wide.weight_ih.data)
    wide(np.concatenate([x, np.zeros(x.shape[:2] + (layer.hidden_size,))], axis=2))
    through_next = wide.backward(g)[..., layer.input_size:]  # dz_t W_hh = part of dL/dh_{t-1}
    grads = g.copy()
    grads[:-1] += through_next[1:]
    return grads


def loss_gradients_through_time(kind: str, length: int, radius: float = 1.0,
                                forget_bias: float = 0.0, hidden: int = HIDDEN, rng=0) -> np.ndarray:
    """``|dL/dh_t|`` (the norm over units, averaged over 32 sequences of the memory task)
    for ``t = 1 .. length``, for an untrained network of ``kind`` whose loss reads only the
    last step (binary cross-entropy of a linear read-out of ``h_L``, bit 1).

    ``radius`` rescales the RNN's recurrent weights so that their largest eigenvalue has
    that size (0.5 to 0.7 at PyTorch's initialisation for 16 units): below 1 the gradient
    shrinks step by step, above it can grow. ``forget_bias`` is the LSTM's (see
    :class:`SequenceModel`).
    """
    model = SequenceModel(kind, 2, hidden, 1, forget_bias=forget_bias if kind == "lstm" else None, rng=rng)
    layer = model.recurrent
    layer.batch_first = False                              # this function works time first
    if kind == "rnn":
        w = layer.weight_hh.data
        layer.weight_hh.data = w * (radius / np.max(np.abs(np.linalg.eigvals(w))))
    x, _ = memory_task(32, length, rng=np.random.default_rng((rng, length)))
    x = x.swapaxes(0, 1)                                   # time first: (L, N, 2)
    out, _ = layer(x)
    logit = model.head(out[-1])
    loss_fn = nn.BCEWithLogitsLoss()
    loss_fn(logit, np.ones_like(logit))
    grad_out = np.zeros_like(out)
    grad_out[-1] = model.head.backward(loss_fn.backward())
    grads = state_gradients(layer, x, grad_out)
    return np.linalg.norm(grads, axis=2).mean(axis=1)


def accuracy_of(logits, y) -> float:
    """The fraction of sequences whose bit the ``logits`` get right (> 0 means bit 1)."""
    return float(np.mean((np.asarray(logits) > 0) == (np.asarray(y) > 0.5)))


def clamped_answers(run: runs.Run, clamp: dict | None, clamp_from: int = 1,
                    count: int = TEST) -> tuple[np.ndarray, np.ndarray]:
    """``(p, y)``: the probability ``p`` that the bit was +1 which the trained LSTM of ``run``
    (from :func:`train_memory`) gives for each of its first ``count`` held-out sequences,
    each read by :func:`lstm_trace` with ``clamp`` from step ``clamp_from`` on (the read-out
    sees the last ``h``), and the true bits ``y`` (1.0 for +1)."""
    model = run.at(-1)
    x_test, y_test = run.data["x_val"][:count], run.data["y_val"][:count, 0]
    last = lstm_trace(model.recurrent, x_test.swapaxes(0, 1), clamp, clamp_from)["h"][-1]
    return sigmoid(model.head(last)[:, 0]), y_test


def clamped_accuracy(run: runs.Run, clamp: dict | None, clamp_from: int = 1, count: int = TEST) -> float:
    """The fraction of the held-out sequences the clamped LSTM gets right (see
    :func:`clamped_answers`)."""
    p, y = clamped_answers(run, clamp, clamp_from, count)
    return accuracy_of(p - 0.5, y)


def clamped_confidence(run: runs.Run, clamp: dict | None, clamp_from: int = 1, count: int = TEST) -> float:
    """How sure the clamped LSTM is of the right answer: the mean probability it gives the
    true bit (0.5 is a guess, 1 certainty; see :func:`clamped_answers`)."""
    p, y = clamped_answers(run, clamp, clamp_from, count)
    return float(np.mean(np.where(y > 0.5, p, 1 - p)))


def bit_links(run: runs.Run) -> np.ndarray:
    """For every unit of the trained LSTM of ``run``: how closely its cell state at the last
    step follows the bit, |correlation| over the held-out sequences (H,)."""
    model = run.at(-1)
    c_last = lstm_trace(model.recurrent, run.data["x_val"].swapaxes(0, 1))["c"][-1]   # (N, H)
    bit = run.data["y_val"][:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num([abs(np.corrcoef(c_last[:, k], bit)[0, 1]) for k in range(c_last.shape[1])])


def memory_unit(run: runs.Run) -> int:
    """The unit of the trained LSTM of ``run`` that carries the bit: the one whose cell state
    at the last step follows it most closely (:func:`bit_links`)."""
    return int(np.argmax(bit_links(run)))


def steps_to_fall(gradients: np.ndarray, below: float) -> int | None:
    """How many steps back from the end until ``gradients`` (from :func:`loss_gradients_through_time`)
    first fall below ``below`` times their value at the last step; None if they never do."""
    ratio = gradients[::-1] / gradients[-1]
    under = np.flatnonzero(ratio < below)
    return int(under[0]) if len(under) else None

