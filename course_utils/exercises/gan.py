"""Exercises of the Generative adversarial networks chapter: the optimal discriminator,
the losses at the equilibrium where D says 0.5 everywhere, and reading mode collapse
from a picture of generated points. D(x) is, as in the chapter, the discriminator's
probability that x is real: the sigmoid of its logit.

Each checker compares with the right answer (the formula of Goodfellow et al., 2014;
``gan.generator_loss`` and ``gan.discriminator_loss``; ``gan.coverage`` of the very
points drawn) and, for a wrong one, looks for the common mistake it matches, so the hint
names what went wrong.
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np

from .. import gan, style
from ..scenes import mode_collapse as lab
from .check import Feedback, agrees, as_numbers, brief, call_outcome, call_quietly, mismatch, \
    not_a_function, show, unattempted

__all__ = ["PANELS", "POINTS", "PICTURE_SEED", "LIMIT", "Panel", "panel_points", "panel_coverage",
           "panel_window", "draw_panels", "panels_figure", "check_optimal_discriminator",
           "check_equilibrium_losses", "check_collapsed", "check_modes_covered"]


# ----------------------------------------------------------------------------- the optimal D

def _d_star(p_data, p_g):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)), for densities at the same points."""
    p_data, p_g = np.asarray(p_data, dtype=float), np.asarray(p_g, dtype=float)
    return p_data / (p_data + p_g)


#: (p_data, p_g): plain numbers first (Python floats, then ints), among them a point only
#: real data reaches (p_g = 0), one only fakes reach (p_data = 0) and equal densities;
#: then arrays of one shape, an array with a single number, and a grid with a row.
_D_CASES = [
    (0.3, 0.1), (2.0, 0.0), (0.0, 1.5), (0.4, 0.4), (1, 3),
    (np.array([0.5, 1.0, 0.0, 2.0, 0.05]), np.array([0.5, 0.0, 3.0, 6.0, 0.2])),
    (np.array([0.0, 0.5, 1.5]), 0.5),
    (np.array([[0.2, 0.8, 1.0], [0.0, 0.1, 0.6]]), np.array([0.2, 0.0, 3.0])),
]
_SAME_SHAPES = 5  # the case of two arrays of one shape
_D_RULE = ("D*(x) = p_data(x) / (p_data(x) + p_g(x)): the share of the points found near x "
           "that are real, when real and fake points come in equal numbers.")
_D_MISTAKES = [
    (lambda d, g: g / (d + g), "that is p_g / (p_data + p_g), the share of fakes: D gives the "
                               "probability that x is real, so p_data goes on top."),
    (lambda d, g: d / g, "that is the ratio p_data / p_g, which has no upper limit; a probability "
                         "stays between 0 and 1. Divide by the sum, p_data + p_g."),
    (lambda d, g: g / d, "that is p_g / p_data, upside down and not a probability: divide p_data "
                         "by the sum of the two densities."),
    (lambda d, g: (d + g) / d, "that is upside down: p_data over the sum, not the sum over p_data."),
    (lambda d, g: d - g, "that is the difference p_data - p_g; D* is a share: p_data / (p_data + p_g)."),
    (lambda d, g: g - d, "that is the difference p_g - p_data; D* is a share: p_data / (p_data + p_g)."),
    (lambda d, g: 0.5 + 0 * (d + g), "0.5 is D* only where p_data = p_g, as when the generator "
                                     "is perfect. Elsewhere it depends on the two densities."),
    (lambda d, g: d + 0 * g, "that is p_data alone: D* compares it with p_g, p_data / (p_data + p_g)."),
]
_ARRAYS = ("it works on single numbers but not on arrays. Numpy's arithmetic works element by "
           "element, so p_data / (p_data + p_g) needs no loop; an `if` on an array, math.* "
           "functions and float() do not work element by element (np.where and np.* do).")
_BROADCAST = ("it fails when one density is an array and the other a single number (or a "
              "row): a loop over zip(...) needs equal lengths, while p_data / (p_data + p_g) "
              "broadcasts, as numpy does.")
_SCALARS = ("it works on arrays but not on single numbers: len(), zip() or a loop over a "
            "number fails. p_data / (p_data + p_g), with no loop, works on both.")
_ZERO = ("one of the densities is 0 here, and your code divides by it. p_data / (p_data + "
         "p_g) only divides by the sum, which is > 0 wherever points (real or fake) occur.")
_SHAPE = ("D* has one value per point: the shape of p_data and p_g broadcast together "
          "(np.broadcast(p_data, p_g).shape), not one number for all of them.")


def _raised_hint(i: int, outputs: list) -> str:
    """The hint for a function that raised on case ``i``, from how it did on the others."""
    ok = [not isinstance(got, Exception) and agrees(got, _d_star(*case))
          for got, case in zip(outputs, _D_CASES)]
    scalar = [np.ndim(d) == 0 and np.ndim(g) == 0 for d, g in _D_CASES]
    p_data, p_g = _D_CASES[i]
    if scalar[i]:
        if isinstance(outputs[i], ZeroDivisionError):
            return _ZERO
        return _SCALARS if ok[_SAME_SHAPES] else _D_RULE
    if all(o for o, s in zip(ok, scalar) if s):
        return _BROADCAST if np.shape(p_data) != np.shape(p_g) and ok[_SAME_SHAPES] else _ARRAYS
    return _D_RULE


def _wrong_hint(got, case) -> str:
    """The hint for a function that returned ``got``, a wrong answer, on ``case``."""
    with np.errstate(all="ignore"):
        for wrong, said in _D_MISTAKES:
            if agrees(got, wrong(*map(np.asarray, case))):
                return said
    arr = as_numbers(got)[0]
    if arr is not None and arr.shape != _d_star(*case).shape:
        return _SHAPE if np.ndim(_d_star(*case)) else ("two single numbers give a single number, "
                                                       "not a list or an array of one.")
    if arr is not None and min(np.min(case[0]), np.min(case[1])) == 0 and not np.isfinite(arr).all():
        return _ZERO
    return _D_RULE


def check_optimal_discriminator(optimal_discriminator) -> Feedback:
    """``optimal_discriminator(p_data, p_g)``: the best discriminator for a fixed generator
    (Goodfellow et al., "Generative Adversarial Nets", 2014, Proposition 1), at points where
    the data's density is ``p_data`` and the generator's ``p_g``::

        D*(x) = p_data(x) / (p_data(x) + p_g(x))

    1 where only real points occur (p_g = 0), 0 where only fakes do, 0.5 where the two
    densities are equal. ``p_data`` and ``p_g`` are numbers or numpy arrays that broadcast
    together; where both are 0 no point ever lands and D* is not defined (no case asks).
    """
    name = "optimal_discriminator"
    problem = not_a_function(optimal_discriminator, name, "p_data, p_g")
    if problem is not None:
        return problem
    outputs = [call_quietly(optimal_discriminator, case) for case in _D_CASES]
    for i, (case, got) in enumerate(zip(_D_CASES, outputs)):
        where = f"{name}({show(case[0])}, {show(case[1])})"
        hint = _raised_hint(i, outputs) if isinstance(got, Exception) else _D_RULE
        problem, got = call_outcome(got, where, name, hint)
        if problem is not None:
            return problem
        reason = mismatch(got, _d_star(*case), 1e-6, 1e-9)
        if reason is not None:
            return Feedback(False, f"for {where} your code {reason}. Hint: {_wrong_hint(got, case)}")
    return Feedback(True, f"{name} gives D* on all {len(_D_CASES)} inputs: 1 where only real "
                          "points occur (p_g = 0), 0 where only fakes do, 0.5 where the "
                          "densities are equal, and one value per point for arrays.")


# ----------------------------------------------------------------------------- at the equilibrium

_LN2, _LG2 = math.log(2), math.log10(2)


def _equilibrium() -> dict:
    """The engine's losses when D says 0.5 everywhere: every logit is 0, sigmoid(0) = 0.5."""
    zero = np.zeros((4, 1))
    return {"minimax": float(gan.generator_loss(zero, "minimax")[0]),
            "non-saturating": float(gan.generator_loss(zero, "non-saturating")[0]),
            "discriminator": float(gan.discriminator_loss(zero, zero, "non-saturating")[0])}


_LOG10, _LOG2 = "that is log base 10: the losses use the natural log, ln (np.log).", \
    "that is log base 2 (bits): the losses use the natural log, ln (np.log)."
_SIGN = " The sign is off too."
_HALF = "0.5 is D's output itself; the loss takes its log."
_LSQ = ("that is the least-squares (LSGAN) loss of a raw score of 0.5; these losses are logs "
        "of the probability D = 0.5.")
#: For each loss: (a wrong value, what it is). The right ones: -ln 2, ln 2, 2 ln 2 = ln 4.
_LOSS_MISTAKES = {
    "minimax": [
        (_LN2, "the sign: log(1 - 0.5) = log 0.5 is negative, the log of a number below 1. "
               "+ln 2 is the non-saturating loss, -log D(G(z))."),
        (-_LG2, _LOG10), (_LG2, _LOG10 + _SIGN), (-1.0, _LOG2), (1.0, _LOG2 + _SIGN),
        (-2 * _LN2, "-ln 4 is the value of the whole game, E log D(x) + E log(1 - D(G(z))) "
                    "(the 2014 paper's -log 4); G controls only its second term, log(1 - D(G(z)))."),
        (0.5, _HALF), (-0.5, _HALF), (0.125, _LSQ)],
    "non-saturating": [
        (-_LN2, "the sign: -log 0.5 = +ln 2; a cross-entropy is never negative. -ln 2 is the "
                "minimax loss, log(1 - D(G(z)))."),
        (_LG2, _LOG10), (-_LG2, _LOG10 + _SIGN), (1.0, _LOG2), (-1.0, _LOG2 + _SIGN),
        (2 * _LN2, "ln 4 is D's loss, with a real and a fake term; G's non-saturating loss has "
                   "one, -log D(G(z))."),
        (0.5, _HALF), (-0.5, _HALF), (0.125, _LSQ)],
    "discriminator": [
        (_LN2, "that is one of the two terms (or their average). L_D = -log D(x) - log(1 - D(G(z))) "
               "adds the real term and the fake term, ln 2 each."),
        (-_LN2, "that is one term, with the wrong sign: L_D = -log D(x) - log(1 - D(G(z))), "
                "ln 2 + ln 2."),
        (-2 * _LN2, "the sign: a cross-entropy, -log p, is never negative. -ln 4 is the value "
                    "of the game, minus L_D."),
        (2 * _LG2, _LOG10), (-2 * _LG2, _LOG10 + _SIGN), (2.0, _LOG2), (-2.0, _LOG2 + _SIGN),
        (1.0, "that adds D's outputs, 0.5 + 0.5; the loss adds their logs, -log 0.5 - log 0.5."),
        (0.25, _LSQ)],
}
#: For each loss: (its name, how to work it out).
_LOSS_RULES = {
    "minimax": ("the minimax generator loss", "L_G = log(1 - D(G(z))) with D = 0.5: log 0.5."),
    "non-saturating": ("the non-saturating generator loss",
                       "L_G = -log D(G(z)) with D = 0.5: -log 0.5."),
    "discriminator": ("the discriminator's loss",
                      "L_D = -log D(x) - log(1 - D(G(z))), D = 0.5 for both."),
}


def _three_digits(x: float) -> float:
    return float(f"{x:.3g}")


def _judge_loss(key: str, answer, right: float) -> str | None:
    """None when ``answer`` is right (it rounds to the right value at 3 significant digits,
    or is within 0.1 % of it), else a sentence for the student."""
    what, rule = _LOSS_RULES[key]
    number, problem = as_numbers(answer, ())
    if problem:
        return f"Your value for {what} {problem}."
    got = float(number)
    if math.isclose(got, right, rel_tol=1e-3) or _three_digits(got) == _three_digits(right):
        return None
    said = next((s for value, s in _LOSS_MISTAKES[key] if math.isclose(got, value, rel_tol=1e-2)), None)
    if said is None and math.isclose(got, right, rel_tol=3e-2):
        said = "close, but not right to 3 significant digits: compute it with np.log."
    return f"{show(answer)} is not {what}. Hint: {said or rule}"


def check_equilibrium_losses(minimax=None, non_saturating=None, discriminator=None) -> Feedback:
    """The losses when the discriminator says 0.5 for every point, real or fake: the
    equilibrium of Goodfellow et al. (2014), where ``p_g = p_data`` and ``D* = 1/2``.
    Natural logs (nats); any value that rounds to the right one at 3 significant digits
    passes (1.39 and 1.386 for ln 4)::

        minimax        L_G = log(1 - D(G(z)))             = log(1/2)  = -ln 2 = -0.693
        non-saturating L_G = -log D(G(z))                 = -log(1/2) =  ln 2 =  0.693
        discriminator  L_D = -log D(x) - log(1 - D(G(z))) = 2 ln 2    =  ln 4 =  1.386

    The right values are the engine's ``gan.generator_loss`` and ``gan.discriminator_loss``
    at logits 0 (sigmoid(0) = 0.5).
    """
    given = {"minimax": minimax, "non-saturating": non_saturating, "discriminator": discriminator}
    right = _equilibrium()
    missing = [key for key, value in given.items() if unattempted(value)]
    if len(missing) == 3:
        return Feedback(None, "put your three losses in place of None and run this cell again.")
    wrong = [said for key, value in given.items() if key not in missing
             for said in [_judge_loss(key, value, right[key])] if said]
    if wrong:
        return Feedback(False, " ".join(wrong))
    if missing:
        names = " and ".join(_LOSS_RULES[key][0] for key in missing)
        return Feedback(None, f"right so far; now fill in {names} and run this cell again.")
    return Feedback(True, f"-ln 2 = {right['minimax']:.4f}, ln 2 = {right['non-saturating']:.4f}"
                          f" and ln 4 = {right['discriminator']:.4f}. At the equilibrium D can only "
                          "guess; the value of the game, -L_D = -log 4, is the minimum of the "
                          "2014 paper's Theorem 1, reached only when p_g = p_data.")


# ----------------------------------------------------------------------------- reading collapse

@dataclasses.dataclass(frozen=True)
class Panel:
    """A trained generator, drawn: ``gan.train(data, settings, seed, snapshots)``'s last
    snapshot, and what happened in it (``story``, for the solution)."""

    data: str
    settings: gan.Settings
    seed: int
    snapshots: int
    story: str


_R = dataclasses.replace
#: The four panels of exercise 3, each a real training run (2 to 4 s for all four). P is
#: the chapter's default run, ``gan.train("ring")``, and R seed 3 of the mode-collapse
#: lab's base setting, trained by the very call the lab makes: both come from the cache,
#: so a notebook that shows the run and the lab trains only Q and S (under 1 s).
PANELS = {
    "P": Panel("ring", gan.DEFAULTS, 0, gan.SNAPSHOTS, "the chapter's defaults, 1,500 updates"),
    "Q": Panel("eight gaussians", _R(gan.GAN_LAB, updates=100), 0, 1,
               "GAN Lab's settings, 100 updates: nearly all its points on one Gaussian"),
    "R": Panel("ring", lab.BASE, 3, lab.SNAPSHOTS,
               "the mode-collapse lab's base setting, seed 3, 1,000 updates: a band across the "
               "ring, on 4 of its 12 sectors at the end and never on more than 4 at any of "
               "its 21 snapshots"),
    "S": Panel("ring", _R(gan.DEFAULTS, g_lr=1e-2, updates=683), 1, 1,
               "the defaults with the generator's learning rate 10 times larger, 683 updates: one spot"),
}
#: Each panel shows POINTS generated points, made from noise drawn with PICTURE_SEED, in
#: a square of side 2 LIMIT (:func:`panel_window`), all four at the same scale.
POINTS, PICTURE_SEED, LIMIT = 1000, 2024, 1.95
_TICKS = np.array([[1.22], [1.38]]) * gan.RING_RADIUS  # the radii the ring's ticks run between


def _panel(letter) -> Panel:
    if not isinstance(letter, str) or letter not in PANELS:  # the notebook's own argument: a bug
        raise ValueError(f"panel must be one of {list(PANELS)}, got {brief(letter)}")
    return PANELS[letter]


def panel_points(letter: str) -> np.ndarray:
    """The generated points panel ``letter`` draws, shape (POINTS, 2)."""
    p = _panel(letter)
    model = gan.train(p.data, p.settings, p.seed, p.snapshots).at(-1)
    return model(gan.noise(POINTS, p.settings.noise_dim, p.settings.noise, PICTURE_SEED))


def panel_coverage(letter: str) -> gan.Coverage:
    """``gan.coverage`` of exactly the points panel ``letter`` draws."""
    return gan.coverage(panel_points(letter), _panel(letter).data)


def panel_window(letter: str) -> tuple:
    """Panel ``letter``'s ``(x limits, y limits)``: [-LIMIT, LIMIT] around the data, shifted
    (along x, y or both) to the middle of the data and points together when some point
    lies beyond, so that no point is cut off."""
    reach = _TICKS[-1, 0]
    points = np.vstack([panel_points(letter), [(-reach, -reach), (reach, reach)]])
    low, high = points.min(axis=0), points.max(axis=0)
    centre = np.where((low < -LIMIT) | (high > LIMIT), (low + high) / 2, 0.0)
    return tuple((float(c) - LIMIT, float(c) + LIMIT) for c in centre)


def _modes_word(letter: str) -> str:
    return lab.MODE_WORDS[_panel(letter).data]  # the ring's modes are its sectors


def draw_panels(reveal: bool = False):
    """The picture of exercise 3 (:func:`panels_figure`), as a notebook cell shows it."""
    return style.picture(panels_figure(reveal))


def panels_figure(reveal: bool = False):
    """The figure of exercise 3, 9.6 x 3 in: one panel per entry of :data:`PANELS`, its
    generated points (purple) over 1,000 real points (grey); on the ring, grey ticks mark
    the borders of its 12 sectors. ``reveal=True`` adds each panel's coverage (the solution)."""
    width, height = 9.6, 3.0
    fig = style.new_figure((width, height))
    side, left = 2.2, 0.1  # inches: square panels, and the margin left and right
    gap = (width - 2 * left - len(PANELS) * side) / (len(PANELS) - 1)
    for i, letter in enumerate(PANELS):
        p = PANELS[letter]
        ax = fig.add_axes(((left + i * (side + gap)) / width, 0.3 / height, side / width, side / height))
        real = gan.sample(p.data, 1000, PICTURE_SEED)
        ax.scatter(*real.T, s=5, color=style.GREY, alpha=0.5, linewidths=0)
        ax.scatter(*panel_points(letter).T, s=5, color=style.PURPLE, alpha=0.6, linewidths=0)
        if p.data == "ring":
            angle = np.arange(gan.RING_SECTORS) * 2 * np.pi / gan.RING_SECTORS
            ax.plot(_TICKS * np.cos(angle), _TICKS * np.sin(angle), color=style.GREY, lw=1)
        (x0, x1), (y0, y1) = panel_window(letter)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        style.picture_axes(ax, border=style.LIGHT)
        title = f"{letter}: {p.data.replace('gaussians', 'Gaussians')}"
        ax.set_title(title, fontsize=10, weight="bold", pad=3)
        if reveal:
            c = panel_coverage(letter)
            colour = style.TEXT_GREEN if c.covered >= lab.ENOUGH[p.data] else style.TEXT_VERMILLION
            ax.set_xlabel(f"{c.covered} of {c.modes} {_modes_word(letter)}", fontsize=9,
                          color=colour, labelpad=2)
    fig.text(0.5, 0.98, "purple: the generator's points      grey: real points", fontsize=9,
             ha="center", va="top")
    return fig


def _letters(answer):
    """``(set of panel letters, None)``, else ``(None, what is wrong)``."""
    if isinstance(answer, np.ndarray) and answer.dtype.kind == "U":
        answer = answer.tolist()
    items = [answer] if isinstance(answer, str) else answer
    if not isinstance(items, (list, tuple, set, frozenset)) or \
            not all(isinstance(item, str) for item in items):
        return None, f"{brief(answer)} is not a set of panel letters: give them as text, e.g. \"Q, S\"."
    letters = set()
    for item in items:
        for word in re.findall(r"[A-Za-z]+", item):
            word = word.upper()
            if word in ("AND", "NONE", "PANEL", "PANELS"):
                continue
            if not set(word) <= set(PANELS):
                return None, (f"{brief(answer)} names {word!r}, which is not a panel: choose "
                              f"from {list(PANELS)}.")
            letters |= set(word)
    return letters, None


def check_collapsed(answer) -> Feedback:
    """Which panels of :func:`draw_panels` show mode collapse? ``answer``: their letters
    (``"Q, S"``, ``["Q", "S"]`` or ``{"Q", "S"}``; ``[]`` for none).

    A generator has collapsed, fully or in part, when its points crowd onto a few places
    (an arc, a spot) and leave modes of the data empty: every point may look real, but only
    some kinds of real point are made. Every panel here is a run that stays so (the notebook
    says which), and the count uses the lab's line (:data:`course_utils.scenes.mode_collapse.ENOUGH`):
    a panel shows collapse when it covers fewer than all of its data's modes but one,
    fewer than 11 of the ring's 12 sectors or 7 of the 8 Gaussians (one thin mode is a
    flaw, not a collapse). What it covers is ``gan.coverage`` of exactly the points drawn.
    """
    if unattempted(answer):
        return Feedback(None, "put the letters of the collapsed panels in place of None and run "
                              "this cell again.")
    got, problem = _letters(answer)
    if problem:
        return Feedback(False, problem)
    found = {letter: panel_coverage(letter) for letter in PANELS}
    right = {k for k, c in found.items() if c.covered < lab.ENOUGH[PANELS[k].data]}
    shown = ", ".join(sorted(got)) or "none"
    if got == right:
        told = "; ".join(f"{k} {c.covered} of {c.modes} {_modes_word(k)}" for k, c in found.items())
        return Feedback(True, f"{shown} is right ({told}): a collapsed generator makes only some "
                              "kinds of real point, however real each one looks.")
    said = []
    for letter in sorted(got - right):
        c, word = found[letter], _modes_word(letter)
        said.append(f"{letter} is not collapsed: its points cover all {c.modes} {word}; a few "
                    "points off the data are a flaw, but not collapse." if c.covered == c.modes else
                    f"{letter} is not collapsed: its points cover {c.covered} of the {c.modes} {word}, "
                    "all but one; one thin mode is a flaw, but not collapse.")
    for letter in sorted(right - got):
        c = found[letter]
        said.append(f"{letter} has collapsed: its points lie in only {c.covered} of the {c.modes} "
                    f"{_modes_word(letter)}, and leave the rest of the real points without fakes.")
    return Feedback(False, f"{shown} is not the set of collapsed panels. Hint: " + " ".join(said))


def check_modes_covered(answer, panel: str = "R") -> Feedback:
    """How many of its data's modes does ``panel`` cover? ``answer``: a whole number. On the
    ring a mode is one of the 12 sectors between the grey ticks; the right count is
    ``gan.coverage`` of the points drawn (a mode holds at least a third of its share)."""
    c, word = panel_coverage(panel), _modes_word(panel)
    if unattempted(answer):
        return Feedback(None, f"put the number of {word} panel {panel} covers in place of None and "
                              "run this cell again.")
    number, problem = as_numbers(answer, ())
    if problem:
        return Feedback(False, f"your answer {problem}. Hint: count the {word} that hold purple points.")
    got, shown = float(number), show(answer)
    if got == c.covered:
        return Feedback(True, f"{shown} is right: panel {panel}'s points fill {c.covered} of the "
                              f"{c.modes} {word} and leave {c.modes - c.covered} empty.")
    if 0 < got < 1 and math.isclose(got, c.covered / c.modes, rel_tol=2e-2) or \
            math.isclose(got, 100 * c.covered / c.modes, rel_tol=2e-2):
        hint = f"that is the share of the {word}; give how many, a whole number."
    elif not math.isfinite(got) or got != int(got):
        hint = f"the count is a whole number: how many {word} hold purple points."
    elif got == c.modes - c.covered and got != c.covered:
        hint = f"that counts the empty {word}; the question asks for those with points."
    elif got < 0 or got > c.modes:
        hint = f"panel {panel}'s data has {c.modes} {word}: the answer is between 0 and {c.modes}."
    elif got == c.modes:
        hint = "that is all of them; look where the purple points are, and where they are not."
    elif abs(got - c.covered) == 1:
        hint = (f"close. A {word[:-1]} counts when it holds at least a third of its share of the "
                f"{POINTS:,} points ({c.needed[0]} here) on the data; a few stray points "
                "off the data do not count.")
        if word == "sectors":
            hint += f" The grey ticks mark the borders of the {c.modes} sectors, every 30 degrees."
    else:
        hint = f"count the {word} that hold purple points."
    return Feedback(False, f"{shown} is not the number of {word} panel {panel} covers. Hint: {hint}")
