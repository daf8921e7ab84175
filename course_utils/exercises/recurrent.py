"""Exercises of the Recurrent networks chapter: one step of an RNN in numpy, the parameter
count of an LSTM layer, and the gates that keep an LSTM's memory.

Each checker compares with the right answer (the step with the engine's own ``nn.RNN``;
the cell state of the engine's ``nn.LSTM`` with the gates clamped) and, for a wrong one,
looks for the common mistake it matches, so the hint names what went wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Callable, Sequence

import numpy as np

from .. import nn, sequences
from .check import (Feedback, agrees, as_numbers, brief, call_quietly, check_function, check_value, show,
                    show_pair, unattempted)


# ----------------------------------------------------------------------------- one RNN step


def _rnn_step(x, h, W_ih, W_hh, b):
    """The engine's answer: one step of ``nn.RNN(I, H)`` from ``h0 = h``, with these
    weights, ``bias_ih = b`` and ``bias_hh = 0`` (the layer adds the two biases)."""
    x, h = np.asarray(x, dtype=float), np.asarray(h, dtype=float)
    layer = nn.RNN(x.size, h.size, rng=0)
    layer.weight_ih.data[...] = W_ih
    layer.weight_hh.data[...] = W_hh
    layer.bias_ih.data[...] = b
    layer.bias_hh.data[...] = 0.0
    output, _ = layer(x[None], h[None])  # one step of an unbatched sequence: (L, I) = (1, I)
    return output[0]


def _rnn_cases() -> list[tuple[np.ndarray, ...]]:
    """``(x, h, W_ih, W_hh, b)`` for (I, H) = (2, 2), (3, 3), (2, 4), (3, 2), (4, 1), (1, 3):
    square cases first (where swapped or transposed weights still compute), then I != H."""
    rng = np.random.default_rng(4)

    def case(i, h):
        return tuple(rng.normal(size=shape).round(2) for shape in ((i,), (h,), (h, i), (h, h), (h,)))

    first = (np.array([1.0, -1.0]), np.array([0.5, 0.0]), np.array([[0.5, -1.0], [1.0, 0.25]]),
             np.array([[1.0, 0.5], [-0.5, 1.0]]), np.array([0.1, -0.2]))
    return [first, case(3, 3), case(2, 4), case(3, 2), case(4, 1), case(1, 3)]


def _pre(x, h, W_ih, W_hh, b):
    return W_ih @ x + W_hh @ h + b


_TRANSPOSED = ("a weight is transposed: W_ih is (H, I) and W_hh is (H, H), so the step is "
               "W_ih @ x + W_hh @ h (or x @ W_ih.T + h @ W_hh.T); x @ W_ih or h @ W_hh "
               "multiplies by the transposed matrix.")
_STEP_MISTAKES: list[tuple[Callable, str]] = [
    (_pre, "apply tanh: you returned the pre-activation a = W_ih @ x + W_hh @ h + b. The new "
           "state is h_new = np.tanh(a), which keeps every unit between -1 and 1."),
    (lambda *args: 1 / (1 + np.exp(-_pre(*args))),
     "use tanh, not the sigmoid: an RNN's state is tanh(a), between -1 and 1 and centred on 0; "
     "a sigmoid would keep it between 0 and 1."),
    (lambda x, h, W_ih, W_hh, b: np.tanh(W_ih @ x + W_hh @ h),
     "the bias is missing: h_new = np.tanh(W_ih @ x + W_hh @ h + b)."),
    (lambda x, h, W_ih, W_hh, b: np.tanh(W_ih @ x + W_hh @ h) + b,
     "the bias goes inside the tanh: h_new = np.tanh(W_ih @ x + W_hh @ h + b)."),
    (lambda x, h, W_ih, W_hh, b: np.tanh(W_ih @ x + b),
     "the previous state is missing: W_hh @ h carries what the network remembers from step to "
     "step. Without it, the RNN forgets everything at every step."),
    (lambda x, h, W_ih, W_hh, b: np.tanh(W_hh @ x + W_ih @ h + b),
     "the weights are swapped: W_ih (H, I) multiplies the input x, W_hh (H, H) the previous "
     "state h."),
    (lambda x, h, W_ih, W_hh, b: np.tanh(x @ W_ih + W_hh @ h + b), _TRANSPOSED),
    (lambda x, h, W_ih, W_hh, b: np.tanh(W_ih @ x + h @ W_hh + b), _TRANSPOSED),
    (lambda x, h, W_ih, W_hh, b: np.tanh(x @ W_ih + h @ W_hh + b), _TRANSPOSED),
]
_STEP_HINT = ("h_new = np.tanh(W_ih @ x + W_hh @ h + b): W_ih (H, I) times the input, W_hh "
              "(H, H) times the previous state, plus the bias, all inside the tanh. A shape "
              "error often means a matrix is multiplied from the wrong side.")
_SHAPE_HINT = ("the new state has one number per hidden unit, shape (H,) like h: with x and h "
               "1-D, W_ih @ x and W_hh @ h are both (H,). Return h_new alone, with no extra axis.")


def _matches(outputs: Sequence, wrong: Callable, cases: Sequence[tuple]) -> bool:
    """True when the student's ``outputs`` are what ``wrong`` gives, on every case where
    ``wrong`` can be computed at all (swapped weights fit square cases only)."""
    compared = 0
    for got, case in zip(outputs, cases):
        try:
            with np.errstate(all="ignore"):
                want = wrong(*case)
        except ValueError:  # the shapes do not fit this mistake
            continue
        if not agrees(got, want):
            return False
        compared += 1
    return compared > 0


def _step_hint(outputs: Sequence, cases: Sequence[tuple]) -> str:
    """The hint for a student whose answers on ``cases`` were ``outputs``."""
    for wrong, hint in _STEP_MISTAKES:
        if _matches(outputs, wrong, cases):
            return hint
    for got, case in zip(outputs, cases):
        if isinstance(got, Exception) or agrees(got, _rnn_step(*case)):
            continue
        arr = as_numbers(got)[0]
        return _SHAPE_HINT if arr is not None and arr.shape != case[1].shape else _STEP_HINT
    return _STEP_HINT


def check_rnn_step(rnn_step) -> Feedback:
    """``rnn_step(x, h, W_ih, W_hh, b)``: one step of a plain (Elman) RNN, unbatched:
    ``h_new = tanh(W_ih @ x + W_hh @ h + b)`` with ``x`` (I,), ``h`` (H,), ``W_ih`` (H, I),
    ``W_hh`` (H, H) and ``b`` (H,) (``bias_ih + bias_hh`` of the engine's layer); returns
    ``h_new``, shape (H,). Checked against one step of ``nn.RNN(I, H)``."""
    cases = _rnn_cases()
    hint = _step_hint([call_quietly(rnn_step, case) for case in cases], cases) if callable(rnn_step) else _STEP_HINT
    return check_function(rnn_step, _rnn_step, cases, name="rnn_step", hint=hint)


# ----------------------------------------------------------------------------- LSTM parameters


def lstm_parameters(input_size: int, hidden_size: int, bias_vectors: int = 1) -> int:
    """Weights and biases of one LSTM layer: each of its 4 gates (input, forget, cell
    candidate, output) has ``H x I`` input weights, ``H x H`` recurrent weights and
    ``bias_vectors`` biases of ``H``: ``4 H (I + H) + 4 H bias_vectors``. The textbook
    equations have one bias per gate; PyTorch (and ``nn.LSTM``) keep two, ``bias_ih`` and
    ``bias_hh``."""
    return 4 * hidden_size * (input_size + hidden_size) + 4 * bias_vectors * hidden_size


def check_lstm_parameters(answer, input_size: int = 8, hidden_size: int = 32) -> Feedback:
    """``answer``: the number of weights and biases of one LSTM layer, as the textbook
    equations write it (one bias per gate): ``4 H (I + H) + 4 H``, 5,248 for I = 8 and
    H = 32. PyTorch's count, ``4 H (I + H) + 8 H`` (5,376, two bias vectors per gate, what
    ``nn.LSTM(8, 32).num_parameters()`` gives), is right too, and the message says why
    the two differ."""
    sizes = (input_size, hidden_size)
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes):
        raise ValueError(f"the layer's sizes must be whole numbers >= 1, got {brief(sizes)}")  # the notebook's: a bug
    i, h = sizes
    right, torch = lstm_parameters(i, h), lstm_parameters(i, h, bias_vectors=2)
    why = f"4 gates x ({h} x ({i} + {h}) weights + {h} biases) = {right}"
    number = as_numbers(answer, ())[0]
    value = None if number is None else float(number)
    if value == right:
        return Feedback(True, f"{show(answer)} is right: {why}. (PyTorch's nn.LSTM reports {torch}: "
                              f"it keeps two bias vectors per gate.)")
    if value == torch:
        return Feedback(True, f"{show(answer)} is right too: it is PyTorch's count, and the engine's "
                              f"(nn.LSTM({i}, {h}).num_parameters()). The textbook equations have one "
                              f"bias per gate, {why}; PyTorch keeps two bias vectors, bias_ih and "
                              f"bias_hh, as cuDNN does. Only their sum enters the gates, so they act "
                              f"as one bias: the extra {4 * h} numbers add nothing the network could "
                              f"not do without them.")
    gates_4 = "an LSTM has 4 gates (input, forget, cell candidate, output), each with its own weights and biases"
    mistakes: dict[float, str] = {}
    for count, hint in [
        (h * (i + h) + h, f"that is one gate; {gates_4}: multiply by 4."),
        (h * (i + h) + 2 * h, f"that is one gate; {gates_4}: multiply by 4."),
        (4 * h * i + 4 * h, f"the recurrent weights are missing: each gate also reads the previous "
                            f"state h through {h} x {h} weights (W_hh), 4 x {h} x {h} = {4 * h * h} in all."),
        (4 * h * i + 8 * h, f"the recurrent weights are missing: each gate also reads the previous "
                            f"state h through {h} x {h} weights (W_hh), 4 x {h} x {h} = {4 * h * h} in all."),
        (4 * h * (i + h), f"that counts the weights only: each gate also has one bias per hidden "
                          f"unit, 4 x {h} = {4 * h} biases."),
        (4 * h * (i + h) + 4, f"each gate has one bias per hidden unit, a vector of {h}: 4 x {h} = "
                              f"{4 * h} biases, not 4."),
        (h * i, f"{h} x {i} are the input weights of one gate only: {gates_4}, and each gate also "
                f"reads the previous state through {h} x {h} recurrent weights."),
        (4 * h * i, f"those are the input weights only: each gate also has {h} x {h} recurrent "
                    f"weights and {h} biases."),
        (3 * h * (i + h) + 3 * h, f"that counts 3 gates, as in a GRU; {gates_4}."),
        (3 * h * (i + h) + 6 * h, f"that counts 3 gates, as in a GRU; {gates_4}."),
    ]:
        if count not in (right, torch):
            mistakes.setdefault(float(count), hint)
    if value in mistakes:
        return Feedback(False, f"{show(answer)} is not right. Hint: {mistakes[value]}")
    return check_value(answer, right, name=f"the parameter count of an LSTM layer ({i} inputs, {h} hidden units)",
                       hint="each of the 4 gates (input, forget, cell candidate, output) is a small "
                            "layer that reads x_t and h_{t-1}: H x I input weights, H x H recurrent "
                            "weights and H biases. So 4 x (H x (I + H) + H).")


# ----------------------------------------------------------------------------- keeping the memory

GATES = sequences.GATES
#: What each gate's activation can give: sigmoids for input, forget and output, tanh for the cell.
_RANGES = {"input": (0.0, 1.0), "forget": (0.0, 1.0), "cell": (-1.0, 1.0), "output": (0.0, 1.0)}
#: The check: an LSTM reads WARMUP steps of random input, unclamped, and writes something
#: into c; then the clamp holds for STEPS more steps.
WARMUP, STEPS = 10, 50


@functools.lru_cache(maxsize=1)
def _unclamped_trace() -> dict:
    lstm = nn.LSTM(2, 4, rng=0)
    x = 2.0 * np.random.default_rng(5).normal(size=(WARMUP + STEPS, 2))
    return sequences.lstm_trace(lstm, x)


def clamped_cell(clamp: dict) -> tuple[np.ndarray, np.ndarray]:
    """The cell state of ``nn.LSTM(2, 4, rng=0)`` reading random input, with ``clamp``
    (gate names to values) from step ``WARMUP`` on: ``c_t = f_t c_{t-1} + i_t g_t``, with
    the gates of :func:`course_utils.sequences.lstm_trace` and the clamped ones replaced
    by their values. Returns ``(c0, c)``: ``c0`` (4,), what the LSTM wrote in its first
    ``WARMUP`` steps, and ``c`` (STEPS, 4), the cell state at each of the next ``STEPS``."""
    trace = _unclamped_trace()
    gates = {name: trace[name][WARMUP:] for name in GATES}
    for name, value in clamp.items():
        gates[name] = np.full_like(gates[name], float(value))
    c = c0 = trace["c"][WARMUP - 1].copy()
    cs = []
    for f, i, g in zip(gates["forget"], gates["input"], gates["cell"]):
        c = f * c + i * g
        cs.append(c)
    return c0, np.array(cs)


def _clamp_values(clamp: Any) -> tuple[dict[str, float] | None, str | None]:
    """``clamp`` as ``{gate name: float}``, or ``(None, what is wrong)``."""
    example = "e.g. {'output': 0.5} clamps the output gate to 0.5"
    try:
        items = list(clamp.items()) if isinstance(clamp, Mapping) else None
    except Exception:  # noqa: BLE001 - a mapping that cannot be read
        items = None
    if items is None:
        return None, f"your clamp is {brief(clamp)}, not a dict: give each gate you clamp with its value, {example}."
    if not items:
        return None, ("your clamp is empty: with no gate clamped, every gate follows the input and c "
                      "changes at every step. Clamp one or more of the gates 'input', 'forget', 'cell', 'output'.")
    values = {}
    for name, value in items:
        if not isinstance(name, str) or name not in GATES:
            return None, (f"there is no gate named {brief(name)}: the gates are 'input', 'forget', "
                          f"'cell' (the cell candidate g) and 'output'.")
        number, problem = as_numbers(value, ())
        if problem:
            return None, f"the value for {name!r} {problem}."
        low, high = _RANGES[name]
        if not low <= float(number) <= high:
            gate = "the cell candidate g is a tanh" if name == "cell" else f"the {name} gate is a sigmoid"
            return None, f"{gate}: its values lie between {low:g} and {high:g}, and {show(value)} is not."
        values[name] = number.item()  # an int stays an int, for the messages
    return values, None


def _number(x: float) -> str:
    """``x`` with the fewest digits that do not round it to 0 or 1."""
    for digits in range(1, 16):
        text = f"{x:.{digits}g}"
        if float(text) not in (0.0, 1.0) or x in (0.0, 1.0):
            return text
    return repr(x)


def _memory_hints(clamp: dict[str, float]) -> list[str]:
    """Why ``clamp`` changes c, read from ``c_t = f * c_{t-1} + i * g``; [] if it keeps c."""
    f, i, g = clamp.get("forget"), clamp.get("input"), clamp.get("cell")
    writes_nothing = i == 0 or g == 0
    hints = []
    if f is None:
        hints.append(("nothing new is written, but " if writes_nothing else "")
                     + "the forget gate is not clamped: it follows the input, and f < 1 shrinks c a "
                       "little every step. Clamp it: forget = 1.")
    elif f == 0:
        hints.append("a forget gate of 0 erases the memory at every step: c_t = 0 * c_{t-1} + i * g "
                     "keeps nothing of c_{t-1}. Keep it all: forget = 1.")
    elif f < 1:
        hints.append(("close, but " if f >= 0.9 else "") + f"a forget gate of {show(f)} keeps only that "
                     f"much of c at each step: c shrinks by {100 * (1 - f):.3g}% a step, and after "
                     f"{STEPS} steps {show(f)}^{STEPS} = {_number(f ** STEPS)} of it is left. Keep it "
                     f"all: forget = 1.")
    if not writes_nothing:
        gate = "the input gate" if i is None else f"an input gate of {show(i)}"
        hints.append(f"{gate} still adds i * g to c each step (c_t = f * c_{{t-1}} + i * g): close it, "
                     f"input = 0, and nothing is written.")
    return hints


def check_keep_memory(clamp) -> Feedback:
    """``clamp``: a dict from gate names ("input", "forget", "cell", "output") to fixed
    values, e.g. ``{"output": 0.5}``, that keeps an LSTM's cell state exactly as it is,
    step after step, whatever the input. The cell state follows
    ``c_t = f * c_{t-1} + i * g``, so ``c_t = c_{t-1}`` needs ``f = 1`` and ``i * g = 0``:
    forget = 1 and input = 0 (or, less usual, cell = 0). The output gate plays no part.

    Checked by running it: :func:`clamped_cell` from a non-zero ``c`` (what ``nn.LSTM``
    wrote in its first steps) over 50 steps of random input; ``c`` must not change at all.
    """
    if unattempted(clamp):
        return Feedback(None, "put your clamp, a dict such as {'output': 0.5}, in place of None and "
                              "run this cell again.")
    values, problem = _clamp_values(clamp)
    if problem:
        return Feedback(False, problem)
    c0, cs = clamped_cell(values)
    kept = np.array_equal(cs, np.broadcast_to(c0, cs.shape))
    hints = _memory_hints(values)
    if hints or not kept:
        hints = hints or ["c_t = f * c_{t-1} + i * g stays c_{t-1} when f = 1 and i * g = 0."]
        if "output" in values:
            hints.insert(0, "the output gate decides what h shows of c, not what c keeps: there is "
                            "no o in c_t = f * c_{t-1} + i * g.")
        hints = hints[:1] + [hint[0].upper() + hint[1:] for hint in hints[1:]]
        end, begin = show_pair(cs[-1], c0, 0.0, 0.0)
        effect = (f"with your clamp, c does not stay as it was: an LSTM, nn.LSTM(2, 4), wrote "
                  f"c = {begin} in {WARMUP} steps of random input, and {STEPS} steps later c is {end}"
                  if not kept else  # e.g. cell = 1e-300: lost in rounding, but added at every step
                  "c only looks unchanged: the change your clamp makes is too small for floating "
                  "point to show, but it is made at every step")
        return Feedback(False, f"{effect}. Hint: {' '.join(hints)}")
    notes = []
    if values.get("input") != 0:  # c was kept with the input gate open: the cell is clamped to 0
        notes.append("That works too: with g = 0 the input gate has nothing to write. The usual "
                     "switch is input = 0: the input gate decides what is written.")
    elif "cell" in values:
        notes.append("The cell candidate does not matter here: with input = 0, i * g = 0 whatever g is.")
    if "output" in values:
        notes.append("The output gate does not matter for c: it only decides what h shows of it.")
    return Feedback(True, " ".join([f"right: with f = 1 and i * g = 0, c_t = f * c_{{t-1}} + i * g = "
                                    f"c_{{t-1}}: the forget gate keeps all of c and nothing new is "
                                    f"written. nn.LSTM(2, 4) wrote "
                                    f"c = {show(c0, 3)} in {WARMUP} steps of random input, and it "
                                    f"stayed exactly the same for {STEPS} more steps.", *notes]))
