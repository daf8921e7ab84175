"""Exercises of the Types of networks chapter: which family fits a problem, what one
convolution filter gives on an image, and which families carry something from one time
step to the next.

Families are named as in the chapter's dropdown: "feedforward", "convolutional",
"recurrent", "lstm", "gan", "autoencoder" (upper or lower case; the short names "mlp",
"cnn" and "rnn" work too).
"""

from __future__ import annotations

import numbers
from typing import Any

from .check import Feedback, check_value, unattempted

FAMILIES = ("feedforward", "convolutional", "recurrent", "lstm", "gan", "autoencoder")
_ALIASES = {"mlp": "feedforward", "cnn": "convolutional", "rnn": "recurrent", "autoencoders": "autoencoder",
            "generative adversarial": "gan", "generative adversarial network": "gan"}

#: letter -> (problem, the families that fit it, hint for a wrong answer)
PROBLEMS = {
    "A": ("Tell from a photo whether it shows a cat or a dog.", {"convolutional"},
          "a photo is a grid of pixels, and an ear looks the same wherever it is in the picture: "
          "which family slides the same small filter over a grid?"),
    "B": ("Estimate a flat's price from its floor area, its age and its number of rooms.", {"feedforward"},
          "three numbers in, one number out: no grid, no order in time, nothing to generate. "
          "The simplest family does it."),
    "C": ("Suggest the next word while someone types a message, from all the words so far.",
          {"recurrent", "lstm"},
          "the input is a sequence of any length, and order matters: which families read one "
          "step at a time and carry a state along?"),
    "D": ("Answer a question about a long story, when the answer is in its first sentence.", {"lstm"},
          "the information has to survive hundreds of steps. A plain RNN forgets over long gaps; "
          "which family has a gated memory line for that?"),
    "E": ("Make new, realistic pictures of faces that belong to no real person.", {"gan"},
          "the task is to invent new samples that look real: which family trains a generator "
          "against a judge?"),
    "F": ("Flag unusual card payments, having seen only examples of normal ones (none marked as fraud).",
          {"autoencoder"},
          "there are no labels to learn from. A network trained to rebuild normal payments rebuilds "
          "an unusual one badly: which family rebuilds its input?"),
}


def family_name(value: Any) -> str | None:
    """The family ``value`` names (see the module docstring), or None if it names none."""
    if not isinstance(value, str):
        return None
    name = " ".join(value.lower().replace("-", " ").split())
    name = _ALIASES.get(name, name)
    return name if name in FAMILIES else None


def _not_a_family(value: Any) -> str:
    what = repr(value[:40]) if isinstance(value, str) else f"a value of type {type(value).__name__}"
    return f"{what} is not one of the family names {list(FAMILIES)}."


def check_families(answers: Any) -> Feedback:
    """``answers``: a dict from each problem's letter in :data:`PROBLEMS` to the family that
    fits it best, e.g. ``{"A": "convolutional", ...}``; None for a problem not answered yet."""
    if unattempted(answers):
        return Feedback(None, "fill in the dict of answers and run this cell again.")
    if not isinstance(answers, dict):
        return Feedback(False, f"give a dict like {{'A': 'convolutional', 'B': ...}}, not a value of "
                               f"type {type(answers).__name__}.")
    unknown = [k for k in answers if k not in PROBLEMS]
    if unknown:
        first = unknown[0]
        key = repr(first[:40]) if isinstance(first, str) else f"of type {type(first).__name__}"
        return Feedback(False, f"there is no problem {key}; the problems are {', '.join(PROBLEMS)}.")
    right, open_ = [], []
    for letter, (_, fits, hint) in PROBLEMS.items():
        answer = answers.get(letter)
        if unattempted(answer):
            open_.append(letter)
            continue
        name = family_name(answer)
        if name is None:
            return Feedback(False, f"problem {letter}: {_not_a_family(answer)}")
        if name not in fits:
            return Feedback(False, f"{name} is not the best fit for problem {letter}. Hint: {hint}")
        right.append(letter)
    if not right:
        return Feedback(None, "put a family's name in place of each None and run this cell again.")
    if open_:
        return Feedback(None, f"{', '.join(right)} right so far; now fill in {', '.join(open_)}.")
    return Feedback(True, f"all {len(PROBLEMS)} problems matched to a family that fits them.")


def feature_map_cells(image: int = 8, window: int = 3) -> int:
    """How many numbers one filter gives on an ``image`` x ``image`` input, stride 1, no
    padding: the window fits in ``image - window + 1`` places along each side."""
    return (image - window + 1) ** 2


def check_feature_map_size(answer: Any, image: int = 8, window: int = 3) -> Feedback:
    """``answer``: how many numbers one ``window`` x ``window`` filter gives on an ``image`` x
    ``image`` picture, sliding one pixel at a time with no padding (36 for 8 and 3)."""
    side, cells = image - window + 1, feature_map_cells(image, window)
    hints = {side: f"{side} is one side of the feature map; it is square.",
             image * image: f"{image * image} is the number of pixels, but near the border the "
                            "window would stick out, so it stops earlier.",
             (image - window) ** 2: f"count again along one row: the window's left edge can be at "
                                    f"pixel 0, 1, ..., {image - window}: that is {side} places, not "
                                    f"{image - window}."}
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        if abs(answer) > 10 ** 12:  # (and far too large for a float, whatever check_value does)
            return Feedback(False, f"a feature map of a picture of {image} x {image} pixels holds at most "
                                   f"{image * image} numbers; your answer is far outside that.")
        for wrong, hint in hints.items():
            if answer == wrong and wrong != cells:
                return Feedback(False, f"{answer!r} is not right. Hint: {hint}")
    return check_value(answer, cells, name="the number of cells in the feature map",
                       hint=f"along each side, count the places where a {window}-pixel window fits "
                            f"inside {image} pixels; the map is that number squared.")


def check_carries_state(answer: Any) -> Feedback:
    """``answer``: a list (or set) of the families whose networks pass something computed
    at one time step on to the next: ``["recurrent", "lstm"]``."""
    if unattempted(answer):
        return Feedback(None, "put a list of family names in place of None and run this cell again.")
    if isinstance(answer, str) or not isinstance(answer, (list, tuple, set, frozenset)):
        return Feedback(False, f"give a list of family names, like ['feedforward'], not a value of "
                               f"type {type(answer).__name__}.")
    names = set()
    for value in answer:
        name = family_name(value)
        if name is None:
            return Feedback(False, _not_a_family(value))
        names.add(name)
    extra = sorted(names - {"recurrent", "lstm"}, key=FAMILIES.index)
    if extra:
        return Feedback(False, f"{extra[0]} carries nothing from one step to the next: each input goes "
                               "through it on its own, and the next input starts afresh. Hint: look for "
                               "a loop in the diagrams.")
    if names != {"recurrent", "lstm"}:
        missing = ({"recurrent", "lstm"} - names).pop()
        return Feedback(False, f"one is missing: {missing}. Hint: an LSTM is a recurrent network too; "
                               "both draw a loop that carries a state to the next step.")
    return Feedback(True, "the RNN carries its hidden state h, the LSTM h and its cell state c.")
