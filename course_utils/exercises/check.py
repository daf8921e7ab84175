"""The checking machinery every exercise uses.

A checker never raises at the student: an unfinished exercise (``...``, ``None`` or
``raise NotImplementedError``) is reported as not attempted yet, an error in the
student's code is reported with the input that caused it, and a wrong answer names
the input where it went wrong and gives a hint.
"""

from __future__ import annotations

import copy
import html
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

_MARKS = {True: ("\u2714 Correct", "#009E73"), False: ("\u2718 Not yet", "#D55E00"),
          None: ("\u2026 Not attempted yet", "#8C8C8C")}


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``passed`` is True, False, or None (not attempted)."""

    passed: bool | None
    message: str

    def __bool__(self) -> bool:
        return self.passed is True

    def __repr__(self) -> str:
        return f"{_MARKS[self.passed][0]}: {self.message}"

    def _repr_html_(self) -> str:
        title, colour = _MARKS[self.passed]
        return (f'<div style="border-left: 4px solid {colour}; padding: 4px 8px">'
                f'<b style="color: {colour}">{title}</b>: {html.escape(self.message)}</div>')


def unattempted(value: Any) -> bool:
    return value is None or value is Ellipsis


def _show(args: Sequence) -> str:
    def one(a):
        if isinstance(a, np.ndarray):
            return np.array2string(a, precision=3, separator=", ")
        return repr(a)
    return ", ".join(one(a) for a in args)


def not_numbers(got, shape: tuple) -> str | None:
    """None when ``got`` is numbers shaped ``shape``, else what is wrong with it, as a
    phrase that follows "your answer ..."."""
    if isinstance(got, (str, bytes)):
        return f"is the text {got!r}: give a number, not a string"
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"is {got!r}, which is not a number or an array of numbers"
    if got_arr.shape != tuple(shape):
        return f"has shape {got_arr.shape}, expected shape {tuple(shape)}"
    return None


def mismatch(got, want, rtol: float, atol: float) -> str | None:
    """None when ``got`` matches ``want``, else a short reason."""
    want_arr = np.asarray(want, dtype=float)
    problem = not_numbers(got, want_arr.shape)
    if problem:
        return f"returned a value that {problem}"
    got_arr = np.asarray(got, dtype=float)
    got_finite, want_finite = np.isfinite(got_arr), np.isfinite(want_arr)
    if np.any(want_finite & ~got_finite):
        return f"returned {np.round(got_arr, 4)}, which is not finite where {np.round(want_arr, 4)} is"
    if np.any(~want_finite & got_finite):
        return f"returned {np.round(got_arr, 4)}, expected {np.round(want_arr, 4)}"
    if not np.allclose(got_arr, want_arr, rtol=rtol, atol=atol, equal_nan=True):
        return f"returned {np.round(got_arr, 4)}, expected {np.round(want_arr, 4)}"
    return None


def check_function(student: Callable, reference: Callable, cases: Sequence[tuple], *, name: str,
                   hint: str, rtol: float = 1e-6, atol: float = 1e-9,
                   warning_hint: str | None = None) -> Feedback:
    """Call ``student(*args)`` and ``reference(*args)`` for each case and compare.

    Passes when every result agrees within ``rtol``/``atol``; otherwise names the first
    input where it went wrong and adds ``hint``.

    With ``warning_hint``, the student's code must also run without numpy's overflow,
    invalid-value or divide-by-zero warnings: ``1 / (1 + np.exp(1000))`` is the right 0,
    but only after an overflow. Such a warning (or Python's OverflowError) then fails
    the check, names the input, quotes the warning and adds ``warning_hint``. Underflow
    (a tiny number rounded to 0) is allowed.
    """
    strict = dict(over="raise", divide="raise", invalid="raise") if warning_hint else {}
    for case in cases:
        # fresh copies each time: a student's code that changes its input in place must
        # neither change the test cases nor the reference answer
        args, expected = copy.deepcopy(case), reference(*copy.deepcopy(case))
        try:
            with warnings.catch_warnings(), np.errstate(**strict):
                if warning_hint:
                    warnings.simplefilter("error", RuntimeWarning)
                got = student(*args)
        except NotImplementedError:
            return Feedback(None, f"fill in {name} and run this cell again.")
        except Exception as exc:  # the student's code failed: say where, don't crash the cell
            if warning_hint and isinstance(exc, (FloatingPointError, RuntimeWarning, OverflowError)):
                return Feedback(False, f"{name}({_show(case)}) is not numerically safe: {exc}. "
                                       f"Hint: {warning_hint}")
            return Feedback(False, f"{name}({_show(case)}) raised {type(exc).__name__}: {exc}. Hint: {hint}")
        if unattempted(got):
            return Feedback(None, f"{name} returns nothing yet: fill it in and run this cell again.")
        reason = mismatch(got, expected, rtol, atol)
        if reason:
            return Feedback(False, f"for {name}({_show(case)}) your code {reason}. Hint: {hint}")
    quiet = ", with no numpy warnings" if warning_hint else ""
    return Feedback(True, f"{name} gives the right answer on all {len(cases)} test inputs{quiet}.")


def check_value(answer: Any, expected: Any, *, name: str, hint: str, rtol: float = 1e-6) -> Feedback:
    """Compare a single number (or array) the student worked out with the right one."""
    if unattempted(answer):
        return Feedback(None, f"put your value for {name} in place of None and run this cell again.")
    reason = mismatch(answer, expected, rtol, 1e-9)
    if reason and isinstance(answer, (str, bytes)):
        return Feedback(False, f"{name} is the text {answer!r}: give a number, not a string.")
    if reason:
        return Feedback(False, f"{name} is {answer!r}, which is not right. Hint: {hint}")
    return Feedback(True, f"{name} = {answer!r} is right.")


def check_choice(answer: Any, correct: Any, options: Sequence, *, name: str, hint: str) -> Feedback:
    """Check a choice among ``options``; an answer outside them says what the options are."""
    if unattempted(answer):
        return Feedback(None, f"choose {name} from {list(options)} and run this cell again.")
    if answer not in options:
        return Feedback(False, f"{answer!r} is not one of the options {list(options)}.")
    if answer != correct:
        return Feedback(False, f"{answer!r} is not the best choice for {name}. Hint: {hint}")
    return Feedback(True, f"{answer!r} is the right choice for {name}.")
