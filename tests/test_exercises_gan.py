"""The GAN chapter's checkers: right answers pass, the usual slips get their own hint, the
right answers are computed here again (fractions by hand, a grid search for the best D,
the log losses from their formulas, the modes of the drawn points counted point by
point), and nothing a student types makes a checker raise."""

import math

import numpy as np
import pytest
from hypothesis import given

from course_utils import gan, style
from course_utils.exercises import gan as ex
from course_utils.scenes import mode_collapse as lab

from test_exercises_bad_input import BIG, CHECK, answers, functions, values

LN2 = math.log(2)

# ----------------------------------------------------------------------------- the optimal D

#: D* for each of the checker's cases, worked out by hand: p_data / (p_data + p_g).
BY_HAND = [0.3 / 0.4, 1.0, 0.0, 0.5, 1 / 4, [0.5, 1.0, 0.0, 2 / 8, 0.05 / 0.25],
           [0.0, 0.5, 1.5 / 2.0], [[0.5, 1.0, 1 / 4], [0.0, 1.0, 0.6 / 3.6]]]


def right_d(p_data, p_g):
    return p_data / (p_data + p_g)


def test_the_cases_and_their_answers():
    assert len(ex._D_CASES) == len(BY_HAND)
    for (p_data, p_g), want in zip(ex._D_CASES, BY_HAND):
        np.testing.assert_allclose(ex._d_star(p_data, p_g), want, rtol=1e-12)
    kinds = [(np.ndim(d), np.ndim(g)) for d, g in ex._D_CASES]
    assert kinds[:5] == [(0, 0)] * 5 and (1, 0) in kinds and (2, 1) in kinds
    assert {0.0} <= {float(np.min(d)) for d, _ in ex._D_CASES} and any(g == 0.0 for _, g in ex._D_CASES[:5])
    assert isinstance(ex._D_CASES[4][0], int)  # integers too
    assert np.ndim(ex._D_CASES[ex._SAME_SHAPES][0]) == 1
    assert np.shape(ex._D_CASES[ex._SAME_SHAPES][0]) == np.shape(ex._D_CASES[ex._SAME_SHAPES][1])


@pytest.mark.parametrize("p_data, p_g", [c for c in ex._D_CASES[:5]])
def test_d_star_maximises_what_the_discriminator_maximises(p_data, p_g):
    # at one point x, D's objective is p_data log D + p_g log(1 - D) (Goodfellow et al. 2014)
    d = np.linspace(0, 1, 100001)
    with np.errstate(divide="ignore", invalid="ignore"):
        objective = np.nan_to_num(p_data * np.log(d), nan=0.0, neginf=-1e300) + \
            np.nan_to_num(p_g * np.log(1 - d), nan=0.0, neginf=-1e300)
    assert d[np.argmax(objective)] == pytest.approx(float(ex._d_star(p_data, p_g)), abs=1e-5)


@pytest.mark.parametrize("student", [
    right_d,
    lambda p_data, p_g: np.asarray(p_data) / (np.asarray(p_data) + p_g),
    lambda p_data, p_g: 1 / (1 + np.asarray(p_g, dtype=float) / np.asarray(p_data, dtype=float)),
    lambda p_data, p_g: np.divide(p_data, np.add(p_data, p_g)).tolist(),
    lambda p_data, p_g: np.where(np.add(p_data, p_g) > 0, p_data, 0.5) / np.add(p_data, p_g),
    lambda p_data, p_g: np.float32(1) * p_data / (p_data + p_g + 1e-12),
])
def test_the_optimal_discriminator_accepts_the_right_formula(student):
    result = ex.check_optimal_discriminator(student)
    assert result.passed is True and "all 8 inputs" in result.message


def divides_by_p_data(p_data, p_g):
    return 1 / (1 + p_g / p_data)  # right, except that Python floats cannot divide by 0


def with_an_if(p_data, p_g):
    if p_data + p_g == 0:
        return 0.5
    return p_data / (p_data + p_g)


def with_zip(p_data, p_g):
    return [a / (a + b) for a, b in zip(p_data, p_g)]


def with_math(p_data, p_g):
    return float(p_data) / (float(p_data) + float(p_g))


def equal_lengths_only(p_data, p_g):
    if np.ndim(p_data) == 0:
        return p_data / (p_data + p_g)
    return np.array([a / (a + b) for a, b in zip(p_data, p_g)])  # a single p_g cannot be zipped


D_SLIPS = [
    (lambda d, g: g / (d + g), "the share of fakes", "returned 0.25, expected 0.75"),
    (lambda d, g: d / g, "the ratio p_data / p_g", "returned 3.0, expected 0.75"),
    (lambda d, g: g / d, "upside down and not a probability", "returned 0.3333"),
    (lambda d, g: (d + g) / d, "the sum over p_data", "returned 1.3333"),
    (lambda d, g: d - g, "the difference p_data - p_g", "returned 0.2, expected 0.75"),
    (lambda d, g: g - d, "the difference p_g - p_data", "returned -0.2, expected 0.75"),
    (lambda d, g: 0.5, "only where p_data = p_g", "returned 0.5, expected 0.75"),
    (lambda d, g: d, "p_data alone", "returned 0.3, expected 0.75"),
    (divides_by_p_data, "your code divides by it", "(0.0, 1.5) raised ZeroDivisionError"),
    (with_an_if, "not on arrays", "raised ValueError"),
    (with_math, "not on arrays", "raised TypeError"),
    (with_zip, "not on single numbers", "(0.3, 0.1) raised TypeError"),
    (equal_lengths_only, "a loop over zip(...) needs equal lengths", "([0.0, 0.5, 1.5], 0.5) raised"),
    (lambda d, g: np.mean(right_d(np.asarray(d), np.asarray(g))), "one value per point",
     "a single number, but shape (5,) is expected"),
    (lambda d, g: [right_d(d, g)] if np.ndim(d) == 0 else right_d(d, g), "not a list or an array of one",
     "has shape (1,), but a single number is expected"),
    (lambda d, g: np.asarray(d) / np.asarray(g) / (1 + np.asarray(d) / np.asarray(g)),
     "your code divides by it", "which is not finite where 1.0 is"),
    (lambda d, g: np.round(right_d(np.asarray(d), np.asarray(g)), 1), "D*(x) = p_data(x) / (p_data(x) + p_g(x))",
     "returned 0.7, expected 0.75"),  # 0.3 / 0.4 is 0.7499999999999999
]


@pytest.mark.parametrize("slip, words, shown", D_SLIPS)
def test_the_optimal_discriminator_names_each_slip(slip, words, shown):
    result = answers(ex.check_optimal_discriminator, slip)
    assert result.passed is False and words in result.message, result.message
    assert shown in result.message, result.message


def test_each_optimal_discriminator_slip_has_its_own_hint():
    hints = [ex.check_optimal_discriminator(s).message.split("Hint: ")[-1] for s, _, _ in D_SLIPS]
    # the two "not on arrays" slips share a hint, and so do the two divisions by a 0 density
    assert len(set(hints)) == len(hints) - 2


def test_the_optimal_discriminator_with_bad_functions():
    assert ex.check_optimal_discriminator(None).passed is None
    assert ex.check_optimal_discriminator(lambda d, g: None).passed is None

    def not_yet(p_data, p_g):
        raise NotImplementedError
    assert ex.check_optimal_discriminator(not_yet).passed is None
    text = ex.check_optimal_discriminator("p_data / (p_data + p_g)")
    assert text.passed is False and "should be a function" in text.message
    assert ex.check_optimal_discriminator(lambda: 0.5).passed is False  # takes no arguments
    assert "too large" in ex.check_optimal_discriminator(lambda d, g: BIG).message
    assert "the text" in ex.check_optimal_discriminator(lambda d, g: "0.75").message
    assert "truth value" in ex.check_optimal_discriminator(lambda d, g: d > g).message


# ----------------------------------------------------------------------------- at the equilibrium


def sigmoid(s):
    return 1 / (1 + math.exp(-s))


def test_the_losses_at_d_one_half_by_formula_and_by_the_engine():
    d = sigmoid(0.0)
    assert d == 0.5
    minimax, non_saturating = math.log(1 - d), -math.log(d)
    discriminator = -math.log(d) - math.log(1 - d)
    assert minimax == pytest.approx(-LN2, rel=1e-15) and non_saturating == pytest.approx(LN2, rel=1e-15)
    assert discriminator == pytest.approx(math.log(4), rel=1e-15)
    zeros = np.zeros((6, 1))
    assert gan.generator_loss(zeros, "minimax")[0] == pytest.approx(minimax, rel=1e-12)
    assert gan.generator_loss(zeros, "non-saturating")[0] == pytest.approx(non_saturating, rel=1e-12)
    for loss in ("minimax", "non-saturating"):  # both train D with the same cross-entropy
        assert gan.discriminator_loss(zeros, zeros, loss)[0] == pytest.approx(discriminator, rel=1e-12)
    assert ex._equilibrium() == pytest.approx({"minimax": minimax, "non-saturating": non_saturating,
                                               "discriminator": discriminator}, rel=1e-12)
    # the least-squares hint's numbers: a raw score (logit) of 0.5, (0.5 - 1)^2 / 2 and twice that
    half = np.full((6, 1), 0.5)
    assert gan.generator_loss(half, "least squares")[0] == pytest.approx((0.5 - 1) ** 2 / 2) == 0.125
    assert gan.discriminator_loss(half, half, "least squares")[0] == pytest.approx(0.25)


@pytest.mark.parametrize("three", [
    (-LN2, LN2, 2 * LN2), (np.log(0.5), -np.log(0.5), np.log(4)), (-0.693, 0.693, 1.386),
    (-0.693, 0.693, 1.39), (np.float32(-0.6931), np.float16(0.6931), np.array(1.3863)),
    (-0.6932, 0.6931, 1.3863), (-0.69315, 0.69315, 1.3863),
])
def test_the_equilibrium_losses_pass(three):
    result = ex.check_equilibrium_losses(*three)
    assert result.passed is True
    assert "-0.6931" in result.message and "1.3863" in result.message and "-log 4" in result.message


#: The three answers rounded by hand to 3 significant digits (ln 2 = 0.693147..., ln 4 =
#: 1.386294...), with the place of their last digit.
ROUNDED = {"minimax": (-0.693, 1e-3), "non-saturating": (0.693, 1e-3), "discriminator": (1.39, 1e-2)}


@pytest.mark.parametrize("which, value", [
    ("minimax", -0.693), ("non-saturating", 0.693), ("discriminator", 1.39), ("discriminator", 1.386),
    ("minimax", -0.6931), ("non-saturating", 0.69315), ("discriminator", 1.3863)])
def test_an_answer_right_to_three_significant_digits_passes(which, value):
    rounded, unit = ROUNDED[which]
    assert abs(RIGHT[which] - rounded) < unit / 2 and abs(value - rounded) <= unit / 2 + 1e-12
    result = with_one(which, value)
    assert result.passed is True, result.message


def test_what_does_not_round_to_three_right_digits_is_close():
    for which, value in [("discriminator", 1.4), ("discriminator", 1.38), ("minimax", -0.69),
                         ("non-saturating", 0.694), ("minimax", -0.692)]:
        rounded, unit = ROUNDED[which]
        assert abs(value - rounded) > unit / 2  # by hand: it does not round to the answer
        result = with_one(which, value)
        assert result.passed is False and "Hint: close" in result.message, result.message


def test_the_equilibrium_losses_one_at_a_time():
    partial = ex.check_equilibrium_losses(-LN2)
    assert partial.passed is None and "right so far" in partial.message
    assert "the non-saturating generator loss and the discriminator's loss" in partial.message
    assert ex.check_equilibrium_losses(discriminator=2 * LN2).passed is None
    assert ex.check_equilibrium_losses(None, None, None).passed is None
    wrong = ex.check_equilibrium_losses(LN2)
    assert wrong.passed is False and "the sign" in wrong.message  # a wrong one counts at once


L10 = math.log10(2)
LOSS_SLIPS = [  # (which, value, words)
    ("minimax", LN2, "+ln 2 is the non-saturating loss"), ("minimax", -L10, "log base 10"),
    ("minimax", L10, "log base 10: the losses use the natural log, ln (np.log). The sign"),
    ("minimax", -1.0, "log base 2"), ("minimax", 1, "log base 2 (bits): the losses use the natural log, ln (np.log). The sign"),
    ("minimax", -2 * LN2, "value of the whole game"), ("minimax", 0.5, "D's output itself"),
    ("minimax", -0.5, "D's output itself"), ("minimax", 0.125, "least-squares"),
    ("minimax", -0.69, "close"), ("minimax", -0.7, "close"), ("minimax", -0.6, "log 0.5"),
    ("non-saturating", -LN2, "a cross-entropy is never negative"), ("non-saturating", L10, "log base 10"),
    ("non-saturating", -L10, "The sign is off too"), ("non-saturating", 1.0, "log base 2"),
    ("non-saturating", 2 * LN2, "ln 4 is D's loss"), ("non-saturating", 0.5, "D's output itself"),
    ("non-saturating", 0.125, "least-squares"), ("non-saturating", 0.69, "close"),
    ("non-saturating", 2.0, "-log 0.5"),
    ("discriminator", LN2, "one of the two terms"), ("discriminator", -LN2, "one term, with the wrong sign"),
    ("discriminator", -2 * LN2, "minus L_D"), ("discriminator", 2 * L10, "log base 10"),
    ("discriminator", -2 * L10, "The sign is off too"), ("discriminator", 2, "log base 2"),
    ("discriminator", 1.0, "adds D's outputs"), ("discriminator", 0.25, "least-squares"),
    ("discriminator", 1.4, "close, but not right to 3 significant digits"),
    ("discriminator", 1.38, "close"), ("discriminator", 3.0, "D = 0.5 for both"),
]
RIGHT = {"minimax": -LN2, "non-saturating": LN2, "discriminator": 2 * LN2}


def with_one(which, value):
    three = dict(RIGHT, **{which: value})
    return ex.check_equilibrium_losses(three["minimax"], three["non-saturating"], three["discriminator"])


@pytest.mark.parametrize("which, value, words", LOSS_SLIPS)
def test_the_equilibrium_losses_name_each_slip(which, value, words):
    result = answers(lambda v: with_one(which, v), value)
    assert result.passed is False and words in result.message, result.message
    assert result.message.startswith(f"{ex.show(value)} is not {ex._LOSS_RULES[which][0]}")
    assert result.message.count("Hint:") == 1  # the other two are right and not mentioned


def test_each_loss_slip_has_its_own_hint_per_loss():
    for which in RIGHT:
        slips = [value for w, value, _ in LOSS_SLIPS if w == which]
        hints = [with_one(which, v).message.split("Hint: ")[-1] for v in slips]
        shared = {"minimax": 2, "non-saturating": 0, "discriminator": 1}[which]  # +-0.5; the "close" ones
        assert len(set(hints)) == len(hints) - shared, hints


def test_every_wrong_loss_is_named():
    result = ex.check_equilibrium_losses(LN2, -LN2, LN2)
    assert result.passed is False and result.message.count("Hint:") == 3
    result = ex.check_equilibrium_losses("-0.69", [LN2], BIG)
    assert "the text '-0.69'" in result.message and "shape (1,)" in result.message
    assert "too large" in result.message and len(result.message) < 600


# ----------------------------------------------------------------------------- reading collapse


def modes_by_hand(points, data):
    """The mode of each point, worked out here: ring sectors of 30 degrees between radius
    0.85 and 1.15; the Gaussians within 3 standard deviations of their centres."""
    x, y = np.asarray(points).T
    if data == "ring":
        r = np.hypot(x, y)
        sector = np.floor(np.degrees(np.arctan2(y, x)) % 360 / 30).astype(int)
        return np.where(np.abs(r - 1.0) <= 0.15, sector, -1)
    centres = [(math.cos(k * math.pi / 4), math.sin(k * math.pi / 4)) for k in range(8)]
    found = np.full(len(x), -1)
    for k, (cx, cy) in enumerate(centres):
        found[np.hypot(x - cx, y - cy) / 0.05 <= 3] = k
    return found


def counted_by_hand(letter):
    data = ex.PANELS[letter].data
    n_modes = 12 if data == "ring" else 8
    index = modes_by_hand(ex.panel_points(letter), data)
    counts = np.array([np.sum(index == k) for k in range(n_modes)])
    needed = math.ceil(ex.POINTS / n_modes / 3)  # a third of a mode's share of the points
    return counts, needed, index


def collapsed_by_hand(covered, n_modes):
    return covered < n_modes - 1  # the lab's rule: all the modes but one are enough


def test_the_panels_coverage_counted_by_hand():
    covered = {}
    for letter in ex.PANELS:
        counts, needed, _ = counted_by_hand(letter)
        c = ex.panel_coverage(letter)
        np.testing.assert_array_equal(c.counts, counts)
        assert c.covered == np.sum(counts >= needed)
        covered[letter] = (int(np.sum(counts >= needed)), len(counts))
    # numbers the notebook may quote, and the answers of exercise 3
    assert covered == {"P": (12, 12), "Q": (1, 8), "R": (4, 12), "S": (1, 12)}
    assert {k for k, (c, n) in covered.items() if collapsed_by_hand(c, n)} == {"Q", "R", "S"}
    assert ex.check_collapsed("Q, R, S").passed is True
    assert ex.check_modes_covered(4).passed is True and ex.check_modes_covered(1, "Q").passed is True


def test_the_panels_are_clear_cases():
    for letter in ex.PANELS:
        counts, needed, index = counted_by_hand(letter)
        full = counts >= needed
        assert full.all() or full.sum() <= len(counts) // 2  # all the modes, or half of them at most
        assert np.all((counts == 0) | (counts >= 1.5 * needed))  # no mode only just covered, or not
    # what the stories say: P, R and S on their data; Q nearly all on one Gaussian; S one spot
    share_on = {k: np.mean(counted_by_hand(k)[2] >= 0) for k in ex.PANELS}
    assert share_on["P"] > 0.9 and share_on["S"] > 0.9 and share_on["Q"] > 0.75
    spot = ex.panel_points("S")
    assert np.mean(np.linalg.norm(spot - np.median(spot, axis=0), axis=1) < 0.2) > 0.9
    band = np.hypot(*ex.panel_points("R").T)  # R: a band across the ring, inside and out
    assert np.mean(band < 0.85) > 0.1 and np.mean(band > 1.15) > 0.1 and share_on["R"] > 0.3
    for letter, p in ex.PANELS.items():
        assert f"{p.settings.updates:,} updates" in p.story
    assert ex.PANELS["P"].settings is gan.DEFAULTS and ex.PANELS["Q"].settings.d_lr == gan.GAN_LAB.d_lr


def test_panel_r_is_the_labs_run_and_stays_collapsed():
    run = gan.train("ring", lab.BASE, 3, snapshots=lab.SNAPSHOTS)  # the lab's own call
    p = ex.PANELS["R"]
    assert gan.train(p.data, p.settings, p.seed, p.snapshots) is run and 3 < lab.SEEDS
    z = gan.noise(ex.POINTS, lab.BASE.noise_dim, lab.BASE.noise, ex.PICTURE_SEED)
    np.testing.assert_array_equal(run.at(-1)(z), ex.panel_points("R"))
    # its story: 4 of the 12 sectors at the end, never more than 4 at any of its 21 snapshots
    covered = [int(c) for c in run.data["coverage"]]
    assert len(covered) == len(run.moments) == 21 and run.moments[-1] == 1000
    assert covered[-1] == 4 and max(covered) == 4
    assert all(collapsed_by_hand(c, 12) for c in covered)
    assert "4 of its 12 sectors" in p.story and "never on more than 4" in p.story
    assert "21 snapshots" in p.story and "seed 3" in p.story


def test_the_panels_are_real_runs_seeded_and_repeatable():
    for letter, p in ex.PANELS.items():
        fresh = gan.record(p.data, p.settings, p.seed, p.snapshots)  # uncached: trained again
        z = gan.noise(ex.POINTS, p.settings.noise_dim, p.settings.noise, ex.PICTURE_SEED)
        np.testing.assert_array_equal(fresh.at(-1)(z), ex.panel_points(letter))
        assert fresh.moments[-1] == p.settings.updates
    # panel P is the chapter's default run, so the notebook trains it only once
    run = gan.train("ring")
    z = gan.noise(ex.POINTS, 2, "gaussian", ex.PICTURE_SEED)
    np.testing.assert_array_equal(run.at(-1)(z), ex.panel_points("P"))
    assert gan.train("ring", gan.DEFAULTS, 0, gan.SNAPSHOTS) is run


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("reveal", [False, True])
def test_the_picture_draws_exactly_the_points_checked_and_is_legible(reveal):
    fig = ex.panels_figure(reveal=reveal)
    assert ex.draw_panels(reveal).data.startswith(b'\x89PNG')  # what a notebook shows
    assert tuple(fig.get_size_inches()) == (9.6, 3.0) and fig.dpi == 80
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    axes = fig.axes
    assert len(axes) == len(ex.PANELS)
    sides = set()
    for ax, letter in zip(axes, ex.PANELS):
        assert ax.get_title().startswith(f"{letter}: ")
        real, fake = ax.collections
        np.testing.assert_array_equal(np.asarray(fake.get_offsets()), ex.panel_points(letter))
        assert real.get_alpha() >= 0.4 and real.get_sizes()[0] >= 4  # real points clearly seen
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        assert x1 - x0 == pytest.approx(2 * ex.LIMIT) and y1 - y0 == pytest.approx(2 * ex.LIMIT)
        for drawn in (fake.get_offsets(), real.get_offsets(), *(np.c_[line.get_xdata(), line.get_ydata()]
                                                                for line in ax.lines)):
            drawn = np.asarray(drawn)  # no point (and no tick of the ring) cut off
            assert np.all((x0 < drawn[:, 0]) & (drawn[:, 0] < x1) & (y0 < drawn[:, 1]) & (drawn[:, 1] < y1))
        if letter != "R":  # the points of P, Q and S fit around the data, which stays in the middle
            assert (x0, x1) == (y0, y1) == (-ex.LIMIT, ex.LIMIT)
        box = ax.get_window_extent(renderer)
        sides.add((round(box.width), round(box.height)))
        shown = ax.get_xlabel()
        if reveal:
            c = ex.panel_coverage(letter)
            assert shown.startswith(f"{c.covered} of {c.modes} ")
            green = not collapsed_by_hand(c.covered, c.modes)
            assert ax.xaxis.label.get_color() == (style.TEXT_GREEN if green else style.TEXT_VERMILLION)
        else:
            assert shown == ""
    assert len(sides) == 1 and sides.pop()[0] >= 160  # four squares of one size, 2 in or more
    texts = [t for t in fig.findobj(lambda o: hasattr(o, "get_text") and hasattr(o, "get_fontsize"))
             if t.get_text() and t.get_visible()]
    assert len(texts) == 1 + len(ex.PANELS) * (2 if reveal else 1)
    boxes = [t.get_window_extent(renderer) for t in texts]
    frame = fig.bbox
    for t, box in zip(texts, boxes):
        assert t.get_fontsize() >= 8
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    for i in range(len(boxes)):
        for j in range(i):
            assert not _overlap(boxes[i], boxes[j]), (texts[i].get_text(), texts[j].get_text())
    for box in boxes:  # no text over a panel's points
        assert not any(_overlap(box, ax.get_window_extent(renderer)) for ax in axes)


def test_collapse_is_the_labs_all_modes_but_one(monkeypatch):
    # a panel one mode short is not collapsed, two short is: the checker decides by coverage
    found = {k: ex.panel_coverage(k) for k in ex.PANELS}

    def pretend(covered):
        w = found["P"]
        fake = {**found, "P": gan.Coverage(covered, w.modes, w.counts, w.needed)}
        monkeypatch.setattr(ex, "panel_coverage", lambda letter: fake[letter])
    pretend(11)
    assert ex.check_collapsed("Q, R, S").passed is True
    result = ex.check_collapsed("P, Q, R, S")
    assert result.passed is False and "P is not collapsed: its points cover 11 of the 12 sectors, " \
        "all but one" in result.message, result.message
    pretend(10)
    assert ex.check_collapsed("P, Q, R, S").passed is True
    result = ex.check_collapsed("Q, R, S")
    assert "P has collapsed: its points lie in only 10 of the 12 sectors" in result.message
    assert lab.ENOUGH == {"ring": 12 - 1, "eight gaussians": 8 - 1}
    assert "fewer than all of its data's modes but one" in ex.check_collapsed.__doc__


COLLAPSED_RIGHT = ["Q, R, S", "qrs", "Q R S", " q and r and s ", ["Q", "R", "S"], ("S", "R", "Q"),
                   {"Q", "R", "S"}, frozenset("QRS"), np.array(["Q", "R", "S"]), ["panel Q", "R", "S"],
                   "Q,R,S,S"]


@pytest.mark.parametrize("answer", COLLAPSED_RIGHT)
def test_the_collapsed_panels_accept_any_spelling(answer):
    result = ex.check_collapsed(answer)
    assert result.passed is True and "Q, R, S is right" in result.message
    assert "P 12 of 12 sectors; Q 1 of 8 modes; R 4 of 12 sectors; S 1 of 12 sectors" in result.message


@pytest.mark.parametrize("answer, words, absent", [
    ("Q, S", ["R has collapsed: its points lie in only 4 of the 12 sectors"], ["P is", "Q has", "S has"]),
    ("P, Q, R, S", ["P is not collapsed: its points cover all 12 sectors"], ["has collapsed"]),
    ("R, S", ["Q has collapsed: its points lie in only 1 of the 8 modes"], ["R has", "S has"]),
    ("Q, R", ["S has collapsed: its points lie in only 1 of the 12 sectors"], ["Q has", "R has"]),
    ("P", ["P is not collapsed", "Q has collapsed", "R has collapsed", "S has collapsed"], []),
    ([], ["none is not the set", "Q has collapsed", "R has collapsed", "S has collapsed"], ["P is"]),
    ("none", ["none is not the set"], []),
])
def test_the_collapsed_panels_name_each_wrong_panel(answer, words, absent):
    result = answers(ex.check_collapsed, answer)
    assert result.passed is False
    for word in words:
        assert word in result.message, result.message
    for word in absent:
        assert word not in result.message, result.message


@pytest.mark.parametrize("answer, words", [
    ("Q, E", "'E', which is not a panel"), ("all", "'ALL', which is not a panel"),
    ("B, C, D", "'B', which is not a panel"), (3, "not a set of panel letters"),
    (["Q", 3], "not a set of panel letters"), ({"Q": True}, "not a set of panel letters"),
    (b"QRS", "not a set of panel letters"), (True, "not a set of panel letters"),
    (BIG, "not a set of panel letters"),
])
def test_the_collapsed_panels_name_answers_that_are_no_letters(answer, words):
    result = answers(ex.check_collapsed, answer)
    assert result.passed is False and words in result.message, result.message


@pytest.mark.parametrize("answer", [4, 4.0, np.int64(4), np.float32(4), np.array(4)])
def test_the_sectors_of_panel_r(answer):
    result = ex.check_modes_covered(answer)
    assert result.passed is True and "panel R's points fill 4 of the 12 sectors and leave 8 empty" \
        in result.message


@pytest.mark.parametrize("answer, words", [
    (5, "at least a third of its share of the 1,000 points (28 here)"), (3, "grey ticks mark the borders"),
    (8, "counts the empty sectors"), (12, "that is all of them"), (4 / 12, "the share"),
    (33.3, "the share"), (2.5, "a whole number"), (float("nan"), "a whole number"),
    (-1, "between 0 and 12"), (13, "between 0 and 12"), (9, "count the sectors that hold purple points"),
    ("4", "the text"), (True, "truth value"), ([4], "shape (1,)"), (BIG, "too large"),
])
def test_the_sectors_of_panel_r_name_each_slip(answer, words):
    result = answers(ex.check_modes_covered, answer)
    assert result.passed is False and words in result.message, result.message
    if isinstance(answer, (int, float)) and not isinstance(answer, bool) and answer != BIG \
            and math.isfinite(answer):
        assert result.message.startswith(f"{ex.show(answer)} is not the number of sectors panel R covers")


def test_the_modes_of_panel_x():
    assert "fill 1 of the 8 modes and leave 7 empty" in ex.check_modes_covered(1, "Q").message
    assert "counts the empty modes" in ex.check_modes_covered(7, "Q").message
    assert "(42 here)" in ex.check_modes_covered(2, "Q").message  # ceil(1000 / 8 / 3)
    assert "grey ticks" not in ex.check_modes_covered(2, "Q").message


def test_an_unknown_panel_is_the_notebooks_bug_and_raises():
    for panel in ("E", "A", "D", "w", None, 1):
        with pytest.raises(ValueError, match="panel must be one of"):
            ex.check_modes_covered(4, panel)
        with pytest.raises(ValueError, match="panel must be one of"):
            ex.panel_points(panel)


# ----------------------------------------------------------------------------- any Python value

CHECKERS = {
    "optimal_discriminator": ex.check_optimal_discriminator,
    "equilibrium(minimax)": lambda v: ex.check_equilibrium_losses(v, LN2, 2 * LN2),
    "equilibrium(all three)": lambda v: ex.check_equilibrium_losses(v, v, v),
    "collapsed": ex.check_collapsed,
    "modes_covered": ex.check_modes_covered,
    "modes_covered(Q)": lambda v: ex.check_modes_covered(v, "Q"),
}


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("nothing", [None, ...])
def test_none_means_not_attempted(name, nothing):
    result = answers(CHECKERS[name], nothing)
    assert result.passed is None and "run this cell again" in result.message


@pytest.mark.parametrize("name", CHECKERS)
def test_a_huge_integer_gets_an_answer(name):
    for value in (BIG, (BIG, BIG), lambda *args: BIG, np.zeros((3, 3)), np.zeros(0)):
        result = answers(CHECKERS[name], value)
        assert result.passed is False and len(result.message) < 600


@pytest.mark.parametrize("name", CHECKERS)
@CHECK
@given(value=values)
def test_every_checker_answers_any_value(name, value):
    answers(CHECKERS[name], value)


@CHECK
@given(student=functions)
def test_the_optimal_discriminator_answers_any_function(student):
    answers(ex.check_optimal_discriminator, student)
