"""Exercises of the Autoencoders chapter: the compression ratio of a code, the
reconstruction error of an image, and which of two inputs the autoencoder finds unusual.

Each checker compares with the right answer (the engine's :func:`autoencoders.errors`, and
the chapter's trained 2-number autoencoder, ``autoencoders.train(2)``) and, for a wrong
one, looks for the common mistake it matches, so the hint names what went wrong.
"""

from __future__ import annotations

import math

import numpy as np

from .. import autoencoders as ae
from .check import (Feedback, agrees, as_numbers, brief, call_outcome, call_quietly, mismatch,
                    not_a_function, show, unattempted)

__all__ = ["DIGIT_IMAGE", "DIGIT_CODE", "LARGE_IMAGE", "LARGE_CODE", "X", "REBUILT", "PAIRS",
           "SIDES", "REASONS", "unusual_pair", "check_compression_ratio",
           "check_reconstruction_error", "check_unusual"]


# ----------------------------------------------------------------------------- compression ratio

#: Exercise 1: an 8 x 8 digit squeezed into a code of 2 numbers ...
DIGIT_IMAGE, DIGIT_CODE = (8, 8), 2
#: ... and a 28 x 28 image (the size of MNIST's digits) into a code of 16.
LARGE_IMAGE, LARGE_CODE = (28, 28), 16


def _sizes(image, code) -> tuple[int, int, int]:
    """``(height, width, code)``, checked: the notebook's own arguments, so a bad one is a bug."""
    ok = (isinstance(image, (tuple, list)) and len(image) == 2 and isinstance(code, int)
          and all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in (*image, code)))
    if not ok:
        raise ValueError(f"image must be (height, width) and code a whole number, all >= 1; got "
                         f"image={brief(image)}, code={brief(code)}")
    return image[0], image[1], code


def check_compression_ratio(answer, image: tuple = DIGIT_IMAGE, code: int = DIGIT_CODE) -> Feedback:
    """``answer``: the compression ratio of squeezing an ``image`` of height x width
    pixels into a code of ``code`` numbers, the size of the input over the size of the code::

        ratio = (height * width) / code        8 x 8 into 2: 64 / 2 = 32;  28 x 28 into 16: 49

    The code is ``ratio`` times smaller than the image it stands for.
    """
    h, w, c = _sizes(image, code)
    n = h * w
    right = n / c
    if unattempted(answer):
        return Feedback(None, "put your compression ratio in place of None and run this cell again.")
    number, problem = as_numbers(answer, ())
    if problem:
        return Feedback(False, f"your answer {problem}. Hint: the ratio is one number, "
                               "the size of the image over the size of the code.")
    got, shown = float(number), show(answer)
    rule = (f"the image holds {h} x {w} = {n} numbers and the code {c}: the ratio is "
            f"input size / code size = {n} / {c}.")
    if math.isclose(got, right, rel_tol=1e-3):
        return Feedback(True, f"{shown} is right: {n} numbers in, {c} kept, so the code is "
                              f"{n} / {c} = {right:g} times smaller than the image.")
    mistakes = [
        (c / n, f"that is code / image = {c}/{n}, the inverse: the ratio puts the input on top, "
                "so it says how many times smaller the code is."),
        (n - c, f"that is the difference, {n} - {c}: how many numbers are dropped. The ratio divides."),
        (h / c, f"{h} is only one side of the image: it holds {h} x {w} = {n} numbers."),
        ((h + w) / c, f"{h} + {w} adds the sides: the image holds {h} x {w} = {n} numbers."),
        (c / h, f"that is {c}/{h}: upside down, and with one side of the image instead of all "
                f"{n} pixels."),
        (100 * c / n, f"that is the code's size as a percentage of the image's ({c}/{n} * 100); "
                      "the ratio is how many times smaller the code is, image / code."),
        (1 - c / n, "that is the share of the numbers that is dropped; the ratio is image / code."),
        (100 * (1 - c / n), "that is the percentage of the numbers that is dropped; the ratio "
                            "is image / code."),
        (n * c, f"that multiplies, {n} * {c}; the ratio divides: image / code."),
        (n, f"{n} is the size of the image alone: divide it by the size of the code, {c}."),
        (c, f"{c} is the size of the code alone: the ratio is the image's size, {n}, over it."),
    ]
    hint = next((said for value, said in mistakes if math.isclose(got, value, rel_tol=2e-2)), rule)
    return Feedback(False, f"{shown} is not the compression ratio. Hint: {hint}")


# ----------------------------------------------------------------------------- reconstruction error

#: Exercise 2: two 2 x 2 images, each flattened to a row of 4 pixels ...
X = np.array([[0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0]])
#: ... and what an autoencoder rebuilt of them.
REBUILT = np.array([[0.1, 0.7, 0.9, 0.4], [0.8, 0.6, 0.2, 0.0]])
for _a in (X, REBUILT):
    _a.setflags(write=False)


def _error_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """``(x, rebuilt)`` pairs: the printed pair; one 3 x 3 image (a batch of one); three
    held-out digits and the 2-number autoencoder's rebuilt versions; a perfect copy."""
    one = np.array([[0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0]])
    one_rebuilt = np.array([[0.2, 0.9, 0.1, 0.6, 0.8, 0.7, 0.0, 0.3, 0.1]])
    digits = np.array(ae.images()[2][:3])
    return [(np.array(X), np.array(REBUILT)), (one, one_rebuilt),
            (digits, ae.train(2).at(-1)(digits)), (np.array(X), np.array(X))]


_ERROR_RULE = ("an image's error is the mean over its pixels of the squared difference; with "
               "one image per row, np.mean((x - rebuilt) ** 2, axis=1): one number per row, "
               "shape (n,).")
_PER_ROW = "one number per image: average over each row, axis=1."
_ERROR_MISTAKES = [
    (lambda x, r: np.sum((x - r) ** 2, axis=1),
     "that is the sum over the pixels: divide by their number, i.e. take the mean (np.mean)."),
    (lambda x, r: np.mean(x - r, axis=1),
     "square the differences: without the square, pixels rebuilt too dark and too light cancel out."),
    (lambda x, r: np.mean(r - x, axis=1),
     "square the differences: without the square, pixels rebuilt too dark and too light cancel out."),
    (lambda x, r: np.mean(np.abs(x - r), axis=1),
     "that is the mean absolute error; the autoencoder's loss, and its error, squares the "
     "differences: np.mean((x - rebuilt) ** 2, axis=1)."),
    (lambda x, r: np.sqrt(np.mean((x - r) ** 2, axis=1)),
     "that is the root of the mean squared error: leave out the square root."),
    (lambda x, r: np.mean(x - r, axis=1) ** 2,
     "that squares the mean difference: square each pixel's difference first, then average."),
    (lambda x, r: np.mean((x - r) ** 2),
     "that is one number for the whole batch; the error is " + _PER_ROW),
    (lambda x, r: np.sum((x - r) ** 2),
     "that is one sum for the whole batch; the error is the mean of each image: " + _PER_ROW),
    (lambda x, r: np.mean((x - r) ** 2, axis=0),
     "that averages over the images, one number per pixel; the error is " + _PER_ROW),
    (lambda x, r: (x - r) ** 2,
     "those are the squared differences of every pixel: average them, " + _PER_ROW),
    (lambda x, r: np.mean((x - r) ** 2, axis=1, keepdims=True),
     "those are the right numbers, but shaped (n, 1): return a flat array of shape (n,) "
     "(drop keepdims=True, or .ravel() it)."),
]


def _matches(got, want) -> bool:
    """``got`` agrees with ``want``; a single number in any shape ((), (1,), (1, 1)) counts as one."""
    if agrees(got, want):
        return True
    arr = as_numbers(got)[0]
    return arr is not None and arr.size == 1 == np.size(want) and agrees(arr.ravel(), np.ravel(want))


def check_reconstruction_error(reconstruction_error) -> Feedback:
    """``reconstruction_error(x, rebuilt)``: the reconstruction error of each image, for
    ``x`` and ``rebuilt`` of shape (n, pixels), one image per row::

        error[i] = (1 / pixels) * sum_j (x[i, j] - rebuilt[i, j]) ** 2        shape (n,)

    the mean over pixels of the squared difference, as ``autoencoders.errors`` computes
    (the same mean squared error the autoencoder is trained to make small). Checked on
    :data:`X` and :data:`REBUILT`, a single 3 x 3 image, three held-out digits with the
    2-number autoencoder's reconstructions, and a perfect copy (error 0).
    """
    name = "reconstruction_error"
    problem = not_a_function(reconstruction_error, name, "x, rebuilt")
    if problem is not None:
        return problem
    cases = _error_cases()
    for x, rebuilt in cases:
        want = ae.errors(rebuilt, x)
        where = f"{name}({show(x, 4)}, {show(rebuilt, 4)})" if x.size <= 9 else \
            f"{name}(x, rebuilt) on {len(x)} held-out digits (rows of {x.shape[1]} pixels)"
        got = call_quietly(reconstruction_error, (x, rebuilt))
        problem, got = call_outcome(got, where, name, _ERROR_RULE)
        if problem is not None:
            return problem
        reason = mismatch(got, want, 1e-6, 1e-12)
        if reason is None:
            continue
        hint = next((said for mistake, said in _ERROR_MISTAKES if _matches(got, mistake(x, rebuilt))),
                    _ERROR_RULE)
        return Feedback(False, f"for {where} your code {reason}. Hint: {hint}")
    return Feedback(True, f"{name} agrees with autoencoders.errors on all {len(cases)} inputs: "
                          "the mean over each image's pixels of the squared difference.")


# ----------------------------------------------------------------------------- unusual inputs

#: Exercise 3's pairs of images (a, b): ``("held-out", i)`` is row ``i`` of the held-out
#: digits, ``("non-digit", j)`` row ``j`` of ``autoencoders.non_digits()``. "noise": a
#: typical 7 and an image of pixel noise; "bar": a 2 the autoencoder rebuilds badly, and a
#: vertical bar (not a digit, but close to a 1).
PAIRS = {"noise": (("held-out", 345), ("non-digit", 12)),
         "bar": (("held-out", 377), ("non-digit", 0))}
SIDES = ("a", "b")
REASONS = ("higher reconstruction error", "lower reconstruction error", "it is not a digit",
           "more ink")
_SAID = {"higher error": REASONS[0], "larger reconstruction error": REASONS[0],
         "high reconstruction error": REASONS[0], "larger error": REASONS[0],
         "lower error": REASONS[1], "smaller reconstruction error": REASONS[1],
         "low reconstruction error": REASONS[1], "not a digit": REASONS[2]}


def _pair(pair) -> str:
    if not isinstance(pair, str) or pair not in PAIRS:  # the notebook's own argument: a bug
        raise ValueError(f"pair must be one of {sorted(PAIRS)}, got {brief(pair)}")
    return pair


def unusual_pair(pair: str = "bar") -> np.ndarray:
    """The two images of ``PAIRS[pair]``, rows a and b: shape (2, 64), pixels in [0, 1]."""
    rows = []
    for where, i in PAIRS[_pair(pair)]:
        rows.append((ae.images()[2] if where == "held-out" else ae.non_digits()[0])[i])
    return np.array(rows)


def _what(pair: str, side: int) -> str:
    """What image ``side`` (0: a, 1: b) of ``pair`` shows: "held-out 7", "vertical bar", "noise"."""
    where, i = PAIRS[pair][side]
    if where == "held-out":
        return f"held-out {ae.images()[3][i]}"
    return ae.non_digits()[1][i].replace("pattern: ", "")


def _worse(pair: str, side: int, error: float, held_out: np.ndarray) -> str:
    """"k of the 400 held-out digits are rebuilt worse than", the image itself left out when
    it is one of them (its own error, computed in another batch, may differ in the last bit)."""
    where, i = PAIRS[pair][side]
    others = np.delete(held_out, i) if where == "held-out" else held_out
    k = int(np.sum(others > error))
    of = f"of the {'other ' if where == 'held-out' else ''}{len(others)} held-out digits"
    return f"{k or 'None'} {of} {'is' if k <= 1 else 'are'} rebuilt worse than"


def _said(value):
    """A text answer as compared: lower case, no spaces around, 'image a' is 'a'."""
    if not isinstance(value, str):
        return value
    text = " ".join(value.strip().lower().replace("_", " ").split())
    text = text[len("image "):] if text.startswith("image ") else text
    return _SAID.get(text, text)


def check_unusual(answer, reason=None, pair: str = "bar") -> Feedback:
    """Which of the two images of :func:`unusual_pair` does the autoencoder find unusual,
    and why? ``answer`` is ``"a"`` or ``"b"``; ``reason`` one of :data:`REASONS`.

    An autoencoder trained on digits rebuilds digit-like inputs well and others badly, so
    it flags the input with the **higher** reconstruction error, ``mean((x - rebuilt)**2)``
    (the idea behind anomaly detection with autoencoders). It never saw a label: what is
    unusual to it is what it cannot rebuild, not what a person would call "not a digit".
    The right answer is computed with the chapter's 2-number autoencoder,
    ``autoencoders.train(2)``, and ``autoencoders.errors``.
    """
    pair = _pair(pair)
    if unattempted(answer):
        return Feedback(None, "put 'a' or 'b' in place of None and run this cell again.")
    side, why = _said(answer), _said(reason)
    if isinstance(side, str) and side in REASONS and isinstance(why, str) and why in SIDES:
        return Feedback(False, "the two are swapped: first the image, 'a' or 'b', then the reason.")
    if not isinstance(side, str) or side not in SIDES:
        return Feedback(False, f"{brief(answer)} is not one of the options {list(SIDES)}.")
    images = unusual_pair(pair)
    model = ae.train(2).at(-1)
    err = ae.errors(model(images), images)
    x_test = ae.images()[2]
    held_out = ae.errors(model(x_test), x_test)
    high = int(np.argmax(err))
    right, other = SIDES[high], SIDES[1 - high]
    shown = f"a ({_what(pair, 0)}) {err[0]:.4f}, b ({_what(pair, 1)}) {err[1]:.4f}"
    if side != right:
        looks = ""
        if PAIRS[pair][1 - high][0] == "non-digit":
            looks = (f" To your eye {other} is no digit, but the autoencoder was never told what a "
                     f"digit is: it rebuilds {other} much better than {right}, so {other} is more familiar to it.")
        return Feedback(False, f"'{side}' is the one the autoencoder rebuilds better, the errors "
                               f"being {shown}. A low error means the input looks like what it "
                               f"was trained on; it flags the one it cannot rebuild.{looks}")
    if unattempted(why):
        return Feedback(None, f"'{right}' is right; now choose the reason from {list(REASONS)} "
                              "and run this cell again.")
    if not isinstance(why, str) or why not in REASONS:
        return Feedback(False, f"'{right}' is right, but the reason {brief(reason)} is not one of "
                               f"the options {list(REASONS)}.")
    if why == REASONS[1]:
        return Feedback(False, f"'{right}' is right, but its error is the higher one ({shown}): a "
                               "low error would mean it is rebuilt well, like the digits the "
                               "autoencoder was trained on.")
    if why == REASONS[2]:
        return Feedback(False, f"'{right}' is right, but not because of what it shows ({shown}): "
                               "the autoencoder was trained without labels and has no idea what a "
                               "digit is. It only knows how well it rebuilds an input.")
    if why == REASONS[3]:
        return Feedback(False, f"'{right}' is right, but ink is not what the autoencoder measures: "
                               "it compares the input with its own rebuilt version, pixel by pixel. "
                               f"The errors are {shown}.")
    return Feedback(True, f"'{right}', because of its higher reconstruction error, is right: the "
                          f"errors are {shown}. {_worse(pair, high, err[high], held_out)} {right}; "
                          f"{_worse(pair, 1 - high, err[1 - high], held_out)} {other}. The "
                          "autoencoder flags what it cannot rebuild.")
