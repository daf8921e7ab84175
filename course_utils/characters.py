"""A character-level toy: an LSTM learns a short text the course wrote, one character at a time.

The text (:data:`TEXT`) is a little rhyme about a cat, a rat and a network that reads.
Its alphabet (:data:`ALPHABET`) is the 26 lowercase letters, the space and the full stop:
``V = 28`` characters, so a student may type any lowercase words.

A character is fed to the network as a **one-hot** vector of length ``V``
(:func:`one_hot`): all zeros but a 1 at the character's index (:func:`encode`). At every
step ``t`` the network (:class:`course_utils.sequences.SequenceModel`: an ``nn.LSTM`` and
a linear read-out) gives ``V`` logits ``z_t``, and a softmax over the alphabet turns
them into the probability of each next character::

    p(next = c | x_1 .. x_t) = softmax(z_t)_c = exp(z_t,c) / sum_k exp(z_t,k)

Training (:func:`train`) minimises the cross-entropy of the true next character at
every step of random 24-character stretches of the text::

    L = -(1 / (N L)) sum_n sum_t log p(next = x_{n, t+1} | x_{n, 1} .. x_{n, t})

written by hand the way PyTorch users write it: the logits ``(N, L, V)`` are flattened
to ``(N L, V)`` for ``nn.CrossEntropyLoss``, and its gradient reshaped back.

The text is read round and round: after its last full stop come a space and its first
word again (:data:`STREAM`). :func:`continue_text` lets the trained network write on from
a prompt; :func:`next_probabilities` gives its probabilities after every prefix.
"""

from __future__ import annotations

import numpy as np

from . import data, nn, runs
from .nn import optim
from .nn.functional import softmax
from .sequences import SequenceModel

__all__ = ["TEXT", "STREAM", "ALPHABET", "V", "unknown_characters", "encode", "decode", "one_hot",
           "character_model", "stretches", "batch_loss", "train", "text_scores", "accuracy",
           "last_character_accuracy", "next_probabilities", "continue_text", "followers"]

#: The course's own text, a few lines joined by spaces.
TEXT = " ".join("""
the cat sat on the mat. the rat sat on the hat.
the cat saw the rat on the hat. the rat ran to the mat.
a net reads the text one letter at a time.
it keeps a memory of what it read.
it guesses the next letter and then the next.
when the guess is wrong the loss goes up.
when the guess is right the loss goes down.
the cat sat on the mat and the net learned that.
""".split())

#: The text as it is read in training, round and round: one more space closes the circle.
STREAM = TEXT + " "

#: Every character the network knows: space, full stop, then a to z.
ALPHABET = " ." + "abcdefghijklmnopqrstuvwxyz"
V = len(ALPHABET)
_INDEX = {c: i for i, c in enumerate(ALPHABET)}

HIDDEN = 32
LENGTH = 24          # characters per training stretch
BATCH = 16           # stretches per update: 384 characters, about the text's length
UPDATES = 400
LEARNING_RATE = 0.02
SNAPSHOTS = 12       # snapshots 0 (untrained) .. 12, spread by runs.schedule
DATA_SEED, INIT_SEED = 0, 0


def unknown_characters(text: str) -> list[str]:
    """The distinct characters of ``text`` outside :data:`ALPHABET`, in order of appearance."""
    return list(dict.fromkeys(c for c in text if c not in _INDEX))


def encode(text: str) -> np.ndarray:
    """The index of each character of ``text`` in :data:`ALPHABET`: shape (len(text),), int.

    A character outside the alphabet raises a ValueError that names it (capitals,
    digits and commas are not in it: the network has never seen them).
    """
    if not isinstance(text, str):
        raise TypeError(f"give a text (str), got {type(text).__name__}")
    unknown = unknown_characters(text)
    if unknown:
        shown = ", ".join(repr(c) for c in unknown)
        raise ValueError(f"the network knows only lowercase letters, spaces and full stops; "
                         f"not {shown}")
    return np.array([_INDEX[c] for c in text], dtype=np.int64)


def decode(indices) -> str:
    """The text of a sequence of indices into :data:`ALPHABET` (the inverse of :func:`encode`)."""
    indices = np.asarray(indices)
    if indices.size and (indices.dtype.kind not in "iu" or indices.min() < 0 or indices.max() >= V):
        raise ValueError(f"indices must be whole numbers from 0 to {V - 1}")
    return "".join(ALPHABET[i] for i in indices.reshape(-1))


def one_hot(indices) -> np.ndarray:
    """One-hot vectors: shape ``indices.shape + (V,)``, a 1.0 at each index and 0.0 elsewhere.
    ``indices`` may also be a text (encoded first)."""
    if isinstance(indices, str):
        indices = encode(indices)
    return np.eye(V)[np.asarray(indices)]


def character_model(hidden: int = HIDDEN) -> SequenceModel:
    """The untrained network: ``SequenceModel("lstm", V, hidden, V, every_step=True)``, seeded."""
    return SequenceModel("lstm", V, hidden, V, every_step=True, rng=INIT_SEED)


def stretches(n: int, length: int = LENGTH, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """``n`` stretches of :data:`STREAM` (read round and round), each at a random start:
    the inputs ``x`` (n, length) and targets ``y`` (n, length), the characters one step
    later, as indices."""
    gen = data.as_rng(rng)
    codes = encode(STREAM)
    starts = gen.integers(0, len(codes), size=n)
    positions = (starts[:, None] + np.arange(length + 1)) % len(codes)
    window = codes[positions]
    return window[:, :-1], window[:, 1:]


def _whole_text() -> tuple[np.ndarray, np.ndarray]:
    """The whole text once as inputs and its next characters as targets (the last target
    is the space that closes the circle)."""
    codes = encode(STREAM)
    return codes[:-1], codes[1:]


def text_scores(model) -> tuple[float, float]:
    """``(loss, accuracy)`` of ``model`` reading the whole text once from the start: the mean
    cross-entropy of every next character, and the fraction of them it gives the highest
    probability to (each after the characters before it)."""
    x, y = _whole_text()
    logits = model(one_hot(x)[None])[0]
    return float(nn.CrossEntropyLoss()(logits, y)), float(np.mean(np.argmax(logits, axis=1) == y))


def accuracy(model) -> float:
    """The next-character accuracy of ``model`` on the whole text (see :func:`text_scores`)."""
    return text_scores(model)[1]


def last_character_accuracy() -> float:
    """The best next-character accuracy on the text of any rule that sees only the current
    character (for each character, guess what follows it most often): what a network
    without memory could reach at most."""
    x, y = _whole_text()
    counts = np.zeros((V, V))
    np.add.at(counts, (x, y), 1)
    return float(counts.max(axis=1).sum() / len(y))


def batch_loss(model, loss_fn, x, y) -> float:
    """One forward and backward pass on a batch of stretches: ``x`` and ``y`` (N, L) are
    indices (the characters and the ones after them). Returns the mean cross-entropy over
    all ``N L`` steps and leaves its gradient in the parameters' ``.grad`` (set to zero
    first), the way a PyTorch user writes it::

        out = model(one_hot(x))                            # (N, L, V) logits
        loss = loss_fn(out.reshape(-1, V), y.reshape(-1))  # CrossEntropyLoss takes (N L, V)
        model.backward(loss_fn.backward().reshape(out.shape))
    """
    x, y = np.asarray(x), np.asarray(y)
    out = model(one_hot(x))
    loss = loss_fn(out.reshape(-1, V), y.reshape(-1))
    model.zero_grad()
    model.backward(loss_fn.backward().reshape(out.shape))
    return float(loss)


@runs.cache
def train(verbose: int = 0, updates: int = UPDATES, hidden: int = HIDDEN) -> runs.Run:
    """Train :func:`character_model` to predict the next character at every step.

    Each update draws :data:`BATCH` random stretches of :data:`LENGTH` characters (seeded),
    feeds them one-hot, and minimises the cross-entropy of every next character with Adam
    (lr 0.02), :data:`UPDATES` times: the loop is written by hand, PyTorch-style
    (:func:`batch_loss`, then ``optimizer.step()``).

    The run's curves (one value per update, index 0 before training): ``train_loss``, the
    loss of that update's batch; snapshots at ``runs.schedule(updates, SNAPSHOTS)``, and
    ``text_loss`` and ``text_accuracy`` (see :func:`text_scores`) at each of them, in
    ``run.data``. ``verbose=1`` prints a few lines of progress. Cached.
    """
    model = character_model(hidden)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=LEARNING_RATE)
    moments = runs.schedule(updates, SNAPSHOTS)
    recorder = runs.Recorder(model, moments, unit="update")
    gen = np.random.default_rng(DATA_SEED)
    measured = {}

    def measure(update):
        if update in moments and update not in measured:
            measured[update] = text_scores(model)

    shown = {1, *runs.schedule(updates, 4, power=1)[1:]}
    if verbose:
        print(f"training an LSTM ({hidden} units) on a text of {len(TEXT)} characters: {updates} "
              f"updates of {BATCH} stretches of {LENGTH}")
    with np.errstate(under="ignore"):  # a tiny number rounded to 0 is harmless here
        x, y = stretches(BATCH, rng=gen)
        first = model(one_hot(x))
        recorder.log(train_loss=loss_fn(first.reshape(-1, V), y.reshape(-1)))
        recorder.snapshot(0)
        measure(0)
        for update in range(1, updates + 1):
            x, y = stretches(BATCH, rng=gen)
            loss = batch_loss(model, loss_fn, x, y)           # forward, loss, backward
            optimizer.step()
            recorder.snapshot(update)
            recorder.log(train_loss=loss)
            measure(update)
            if verbose and update in shown:
                print(f"update {update:4d}: batch loss {loss:.3g}, next characters right on the "
                      f"text: {100 * accuracy(model):.1f} %")
    table = np.array([measured[m] for m in recorder.wanted])
    return recorder.run(text_loss=table[:, 0], text_accuracy=table[:, 1])


def _check_model(model) -> None:
    if not isinstance(model, SequenceModel) or model.recurrent.input_size != V or \
            model.head.out_features != V or not model.every_step:
        raise TypeError("give a character model: a SequenceModel with V inputs and V outputs at "
                        "every step, e.g. train().at(-1)")


def next_probabilities(model, prompt: str) -> np.ndarray:
    """The probability of each next character after every prefix of ``prompt``:
    shape (len(prompt), V), row ``t`` is ``softmax(z_t)`` after ``prompt[:t + 1]``."""
    _check_model(model)
    codes = encode(prompt)
    if not len(codes):
        raise ValueError("give a prompt of at least one character")
    return softmax(model(one_hot(codes)[None])[0], dim=-1)


def continue_text(model, prompt: str, n: int, temperature: float = 0.0, rng=0) -> str:
    """``prompt`` continued by ``n`` characters the network writes, one at a time: each is
    fed back in as the next input.

    Temperature 0 takes the likeliest character every time (the same text on every run);
    a temperature ``T > 0`` draws each character from ``softmax(z_t / T)`` with the
    seeded ``rng`` (a low T keeps to the likeliest characters, a high T takes more chances). Returns the prompt and the ``n``
    new characters.
    """
    _check_model(model)
    codes = encode(prompt)
    if not len(codes):
        raise ValueError("give a prompt of at least one character")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a whole number >= 0, got {n!r}")
    if not (isinstance(temperature, (int, float, np.integer, np.floating)) and temperature >= 0):
        raise ValueError(f"temperature must be a number >= 0, got {temperature!r}")
    gen = data.as_rng(rng)
    lstm, head = model.recurrent, model.head
    out, state = lstm(one_hot(codes)[None])                 # read the prompt
    logits = head(out[0, -1])
    written = []
    for _ in range(n):
        if temperature == 0:
            c = int(np.argmax(logits))
        else:
            c = int(gen.choice(V, p=softmax(logits / temperature)))
        written.append(c)
        out, state = lstm(one_hot([c])[None], state)       # one more step from the state
        logits = head(out[0, -1])
    return prompt + decode(written)


def followers(prompt: str) -> dict[str, int]:
    """What follows ``prompt`` in the text read round and round: each next character and
    how many times (empty if the prompt is not in the text)."""
    encode(prompt)
    circle = STREAM + STREAM[:len(prompt)]
    counts: dict[str, int] = {}
    start = circle.find(prompt)
    while 0 <= start < len(STREAM):
        nxt = circle[start + len(prompt)]
        counts[nxt] = counts.get(nxt, 0) + 1
        start = circle.find(prompt, start + 1)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
