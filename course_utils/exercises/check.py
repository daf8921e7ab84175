"""The checking machinery every exercise uses.

A checker never raises at the student, whatever Python value it is given: an unfinished
exercise (``...``, ``None`` or ``raise NotImplementedError``) is reported as not attempted
yet, an error in the student's code is reported with the input that caused it, a value
that is not what was asked for (text, a truth value, the wrong shape ...) is named as such
(:func:`as_numbers`), and a wrong answer names the input where it went wrong and gives a
hint. Numbers are shown with as many digits as it takes to tell a wrong answer from the
right one (:func:`show_pair`), integers as integers.
"""

from __future__ import annotations

import copy
import decimal
import html
import numbers
import reprlib
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


_REPR = reprlib.Repr()
_REPR.maxstring, _REPR.maxother = 60, 200


def brief(value: Any) -> str:
    """A short repr of any value, even of one whose ``__repr__`` raises."""
    try:
        return _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not break the message
        return f"a {type(value).__name__} object"


def error_message(exc: BaseException) -> str:
    """``str(exc)``, kept short, even for an exception whose ``__str__`` raises."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ must not break the message
        return "(its message could not be shown)"
    return text if len(text) <= 300 else text[:300] + " ..."


def as_numbers(value: Any, shape: tuple | None = None) -> tuple[np.ndarray | None, str | None]:
    """Is ``value`` a number, or an array of numbers (shaped ``shape`` when given)?

    ``(array, None)`` when it is: the array holds integers when ``value`` does, float64
    otherwise. Else ``(None, what is wrong)``, a phrase that follows "your answer ...".
    Text, truth values and complex numbers are not numbers here, nor is anything numpy
    cannot turn into an array of real numbers. Never raises, whatever ``value`` is.
    """
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - a ragged list, an object whose __array__ raises ...
        arr = np.asarray(None)
    one, kind = arr.ndim == 0, arr.dtype.kind
    a_number, verb = ("a number", "is") if one else ("numbers", "holds")
    if kind in "US":
        return None, f"{verb} the text {brief(value)}: give {a_number} without quotes"
    if kind == "b":
        what = "a truth value" if one else "truth values"
        return None, f"is {brief(value)}, {what}: give {a_number}, not True or False"
    if kind == "c":
        what = "a complex number" if one else "complex numbers"
        return None, f"is {brief(value)}, {what}: give {a_number} with no imaginary part"
    if kind == "f" or kind == "O" and all(isinstance(x, (numbers.Real, decimal.Decimal))
                                          and not isinstance(x, bool) for x in arr.flat):
        try:  # objects: Python ints beyond int64, Fractions ...
            with np.errstate(all="ignore"):  # a longdouble beyond float64's range becomes inf
                arr = arr.astype(float)
        except OverflowError:
            return None, f"{verb} a number too large to compute with (floats end near 1.8e308)"
        except Exception:  # noqa: BLE001 - a number type that will not become a float
            pass
    if arr.dtype.kind not in "iuf":
        return None, f"is {brief(value)}, which is not a number or an array of numbers"
    if shape is not None and arr.shape != tuple(shape):
        got = "is a single number" if one else f"has shape {arr.shape}"
        want = "a single number" if tuple(shape) == () else f"shape {tuple(shape)}"
        return None, f"{got}, but {want} is expected"
    return arr, None


def _rounded(x, decimals: int | None):
    """An element as shown: an integer as it is, a float rounded to ``decimals`` (None: exact)."""
    if isinstance(x, (int, np.integer)):
        return int(x)
    return float(x) if decimals is None else round(float(x), decimals)


def _text(arr: np.ndarray, decimals: int | None) -> str:
    text = np.array2string(arr, separator=", ",
                           formatter={"all": lambda x: repr(_rounded(x, decimals))})
    return " ".join(text.split())  # the rows of a matrix on one line


def show(value: Any, decimals: int | None = None) -> str:
    """Numbers as a student reads them (integers as integers, floats exactly or rounded to
    ``decimals``); anything else as a short repr."""
    arr, problem = as_numbers(value)
    return brief(value) if problem else _text(arr, decimals)


def show_pair(got, want, rtol: float, atol: float) -> tuple[str, str]:
    """``got`` and ``want``, numbers of one shape, as text: rounded to 4 decimals, or to
    as many more as it takes for every element where they differ (beyond ``rtol`` and
    ``atol``) to look different too."""
    got, want = as_numbers(got)[0], as_numbers(want)[0]
    with np.errstate(all="ignore"):
        differ = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    pairs = list(zip(got[differ], want[differ]))
    for decimals in (*range(4, 18), None):
        if all(_rounded(g, decimals) != _rounded(w, decimals) for g, w in pairs):
            break
    return _text(got, decimals), _text(want, decimals)


def _show(args: Sequence) -> str:
    return ", ".join(show(a) for a in args)


def mismatch(got, want, rtol: float, atol: float) -> str | None:
    """None when ``got`` matches ``want``, else a short reason."""
    want_arr = as_numbers(want)[0]
    got_arr, problem = as_numbers(got, want_arr.shape)
    if problem:
        return f"returned a value that {problem}"
    got_f, want_f = got_arr.astype(float), want_arr.astype(float)
    with np.errstate(all="ignore"):
        if np.allclose(got_f, want_f, rtol=rtol, atol=atol, equal_nan=True):
            return None
    got_text, want_text = show_pair(got_arr, want_arr, rtol, atol)
    if np.any(np.isfinite(want_f) & ~np.isfinite(got_f)):
        return f"returned {got_text}, which is not finite where {want_text} is"
    return f"returned {got_text}, expected {want_text}"


def call_quietly(student: Callable, case: tuple):
    """``student(*case)`` on a copy of ``case``, with numpy's warnings silenced; an exception
    is returned, not raised (the checkers look at what a student's code gives, or how it
    fails, to pick a hint)."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return student(*copy.deepcopy(case))
    except Exception as exc:  # noqa: BLE001 - the student's code failed: the checker says so
        return exc


def agrees(got, want, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """True when ``got`` (what :func:`call_quietly` returned) matches ``want`` within the
    tolerances; never for an exception, and never raising."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return not isinstance(got, Exception) and mismatch(got, want, rtol, atol) is None


def call_outcome(got, where: str, name: str, hint: str):
    """What :func:`call_quietly` gave, ``got``, sorted out: ``(feedback, None)`` when the
    student's call raised (NotImplementedError: not attempted) or returned nothing, else
    ``(None, got)``. ``where`` names the call, ``hint`` goes with an error."""
    if isinstance(got, NotImplementedError):
        return Feedback(None, f"fill in {name} and run this cell again."), None
    if isinstance(got, Exception):
        return Feedback(False, f"{where} raised {type(got).__name__}: {error_message(got)}. "
                               f"Hint: {hint}"), None
    if unattempted(got):
        return Feedback(None, f"{name} returns nothing yet: fill it in and run this cell again."), None
    return None, got


def number_pair(got, where: str, what: str):
    """Two whole numbers from a student's result, as ``(None, (a, b))``, else
    ``(feedback, None)`` saying what came back instead. ``what`` names the two."""
    if isinstance(got, np.ndarray) and got.shape == (2,):
        got = tuple(got)
    if not isinstance(got, (tuple, list)):
        return Feedback(False, f"{where} returned a single value, {show(got)}. Hint: return two "
                               f"numbers, {what}."), None
    if len(got) != 2:
        return Feedback(False, f"{where} returned {len(got)} values; return exactly two, "
                               f"{what}."), None
    numbers = []
    for item in got:
        if unattempted(item):
            return Feedback(False, f"{where} returned {brief(got)}: both values are needed, "
                                   f"{what}."), None
        number, problem = as_numbers(item, ())
        if problem:
            return Feedback(False, f"{where}: a value you return {problem}. Hint: return "
                                   f"{what}."), None
        numbers.append(number.item())  # an int stays an int, and is shown as one
    return None, tuple(numbers)


def not_a_function(student: Any, name: str, args: str = "...") -> Feedback | None:
    """None when ``student`` can be called; else not attempted (None, ``...``), or a wrong type."""
    if unattempted(student):
        return Feedback(None, f"define {name} and run this cell again.")
    if not callable(student):
        return Feedback(False, f"{name} should be a function (def {name}({args}): ...), "
                               f"not {type(student).__name__}.")
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
    problem = not_a_function(student, name)
    if problem is not None:
        return problem
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
                return Feedback(False, f"{name}({_show(case)}) is not numerically safe: "
                                       f"{error_message(exc)}. Hint: {warning_hint}")
            return Feedback(False, f"{name}({_show(case)}) raised {type(exc).__name__}: "
                                   f"{error_message(exc)}. Hint: {hint}")
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
    problem = as_numbers(answer, np.shape(expected))[1]
    if problem:
        return Feedback(False, f"{name} {problem}.")
    if mismatch(answer, expected, rtol, 1e-9):
        return Feedback(False, f"{name} is {show(answer)}, which is not right. Hint: {hint}")
    return Feedback(True, f"{name} = {show(answer)} is right.")


def _is_option(answer: Any, option: Any) -> bool:
    """``answer`` is ``option``: the same text, or the same number (never a truth value)."""
    if isinstance(option, str):
        return isinstance(answer, str) and answer == option
    number = as_numbers(answer, ())[0]
    return number is not None and bool(number == option)


def check_choice(answer: Any, correct: Any, options: Sequence, *, name: str, hint: str) -> Feedback:
    """Check a choice among ``options`` (text, or numbers); an answer outside them says what
    the options are. An answer matches an option of its own kind only: ``True`` is not 1."""
    if unattempted(answer):
        return Feedback(None, f"choose {name} from {list(options)} and run this cell again.")
    chosen = [option for option in options if _is_option(answer, option)]
    if not chosen:
        return Feedback(False, f"{brief(answer)} is not one of the options {list(options)}.")
    if chosen[0] != correct:
        return Feedback(False, f"{chosen[0]!r} is not the best choice for {name}. Hint: {hint}")
    return Feedback(True, f"{chosen[0]!r} is the right choice for {name}.")
