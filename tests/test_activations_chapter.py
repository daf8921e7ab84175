"""The Activation functions chapter: its exercise checkers, the numbers its activation
scene shows and the numbers its prose states. (Its scene on why a network needs
non-linearity is tested in test_nonlinearity_scene.py, its softmax scene in
test_softmax_scene.py.)"""

import json
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from course_utils.exercises import activations as ex
from course_utils.exercises.check import check_function
from course_utils.scenes import activations as act
from course_utils.nn.functional import ACTIVATIONS
from course_utils.scenes.activations import ActivationScene
from course_utils.scenes.nonlinearity import NonlinearityScene
from course_utils.widgets import interactive


# --- reference formulas written out here, independent of course_utils.nn ------------------

def logistic(x):
    return 0.5 * (1.0 + np.tanh(np.asarray(x, dtype=float) / 2.0))  # = 1 / (1 + e^-x), stable


def logistic_slope(x):
    s = logistic(x)
    return s * (1.0 - s)


def normal_cdf(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def normal_pdf(x):
    return math.exp(-x * x / 2.0) / math.sqrt(2.0 * math.pi)


# --- students' answers -----------------------------------------------------------------

def naive_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def safe_sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def where_sigmoid(x):  # np.where evaluates both branches: overflows on one side or the other
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))


def math_sigmoid(x):  # Python's math.exp raises OverflowError instead of warning
    return np.vectorize(lambda v: 1.0 / (1.0 + math.exp(-v)))(x)


def flipped_sigmoid(x):
    return safe_sigmoid(-np.asarray(x, dtype=float))


def unfinished(x):
    ...


def not_implemented(x):
    raise NotImplementedError


def typo(x):
    return np.exq(x)


@pytest.mark.parametrize("student", [safe_sigmoid, logistic])
def test_sigmoid_checker_accepts_stable_answers(student):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ex.check_sigmoid(student)
    assert result.passed is True, result.message


def test_sigmoid_checker_catches_the_overflow_of_the_naive_formula():
    # the naive formula gives the right *values* (0 at -1000, after an overflow) ...
    with np.errstate(over="ignore"):
        assert naive_sigmoid(-1000.0) == 0.0 and naive_sigmoid(0.0) == 0.5
    # ... so only the warning gives it away: the checker must report it, not print it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ex.check_sigmoid(naive_sigmoid)
    assert result.passed is False
    assert "sigmoid(-1000.0)" in result.message
    assert "overflow" in result.message and "np.exp(-np.abs(x))" in result.message


@pytest.mark.parametrize("student, where", [(where_sigmoid, "sigmoid(1000.0)"),
                                            (math_sigmoid, "sigmoid(-1000.0)")])
def test_sigmoid_checker_catches_other_unsafe_answers(student, where):
    result = ex.check_sigmoid(student)
    assert result.passed is False and where in result.message
    assert "not numerically safe" in result.message


def test_sigmoid_checker_rejects_a_wrong_formula_with_the_input_and_a_hint():
    result = ex.check_sigmoid(flipped_sigmoid)
    assert result.passed is False
    assert "sigmoid(2.0)" in result.message and "0.1192" in result.message and "0.8808" in result.message
    assert "1 / (1 + e^(-x))" in result.message


@pytest.mark.parametrize("student", [unfinished, not_implemented, lambda x: None])
def test_unattempted_sigmoid_is_not_attempted(student):
    assert ex.check_sigmoid(student).passed is None
    assert ex.check_sigmoid_derivative(student).passed is None


def test_an_error_in_the_students_code_is_reported():
    result = ex.check_sigmoid(typo)
    assert result.passed is False and "AttributeError" in result.message and "sigmoid(0.0)" in result.message


def test_sigmoid_derivative_checker():
    assert ex.check_sigmoid_derivative(logistic_slope).passed is True
    assert ex.check_sigmoid_derivative(lambda x: safe_sigmoid(x) * (1 - safe_sigmoid(x))).passed is True
    naive = ex.check_sigmoid_derivative(lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2)
    assert naive.passed is False and "sigmoid_derivative(-1000.0)" in naive.message
    assert "s * (1 - s)" in naive.message
    forgot_the_product = ex.check_sigmoid_derivative(safe_sigmoid)
    assert forgot_the_product.passed is False and "sigmoid_derivative(0.0)" in forgot_the_product.message
    assert "expected 0.25" in forgot_the_product.message


def test_quiet_check_allows_underflow_but_not_divide_or_invalid():
    def reference(x):
        return np.zeros_like(x)

    cases = [(np.array([1000.0]),)]
    assert check_function(lambda x: np.exp(-x), reference, cases, name="f", hint="h",
                                  warning_hint="w").passed is True  # exp(-1000) underflows to 0: fine
    log0 = check_function(lambda x: np.log(x - x) * 0, reference, cases, name="f", hint="h",
                                  warning_hint="careful")
    assert log0.passed is False and "divide" in log0.message and "careful" in log0.message
    nan = check_function(lambda x: (x - x) / (x - x), reference, cases, name="f", hint="h",
                                 warning_hint="w")
    assert nan.passed is False and "invalid" in nan.message


def test_quiet_check_restores_numpy_error_state():
    before = np.geterr()
    ex.check_sigmoid(naive_sigmoid)
    assert np.geterr() == before


def test_vanishing_checker():
    assert ex.check_vanishing(0.25 ** 10).passed is True
    assert ex.check_vanishing(9.5e-7).passed is True  # rounded is fine
    assert ex.check_vanishing(None).passed is None
    wrong = ex.check_vanishing(0.25)
    assert wrong.passed is False and "0.25" in wrong.message and "Multiply ten" in wrong.message


@pytest.mark.parametrize("task, right, wrong", [("spam", "sigmoid", "relu"),
                                                ("temperature", "identity", "sigmoid"),
                                                ("digit", "softmax", "sigmoid")])
def test_output_activation_checker(task, right, wrong):
    assert ex.check_output_activation(task, right).passed is True
    result = ex.check_output_activation(task, wrong)
    assert result.passed is False and "Hint" in result.message
    assert ex.check_output_activation(task, None).passed is None
    assert ex.check_output_activation(task, ...).passed is None


def test_output_activation_checker_accepts_linear_and_explains_unknown_answers():
    assert ex.check_output_activation("temperature", "Linear").passed is True
    result = ex.check_output_activation("spam", "logistic")
    assert result.passed is False and "not one of the options" in result.message
    with pytest.raises(ValueError, match="task must be one of"):
        ex.check_output_activation("weather", "sigmoid")


# --- the activation scene's numbers ------------------------------------------------------

@pytest.mark.parametrize("depth", [1, 5, 10, 20])
def test_sigmoid_at_zero_keeps_a_quarter_per_layer(depth):
    got = act.gradient_through_layers("sigmoid", 0.0, depth)
    np.testing.assert_allclose(got, 0.25 ** np.arange(1, depth + 1), rtol=1e-12)


def test_relu_passes_everything_for_positive_inputs_and_nothing_for_negative():
    assert np.all(act.gradient_through_layers("relu", 1.3, 20) == 1.0)
    assert np.all(act.gradient_through_layers("relu", -0.5, 20) == 0.0)
    assert np.all(act.gradient_through_layers("step", 2.0, 20) == 0.0)  # no slope anywhere


@pytest.mark.parametrize("name, x, slope", [
    ("identity", -3.0, 1.0),
    ("tanh", 0.0, 1.0),
    ("tanh", 2.0, 1.0 / math.cosh(2.0) ** 2),
    ("sigmoid", 3.0, float(logistic_slope(3.0))),
    ("leaky_relu", -1.0, 0.01),
    ("elu", -2.0, math.exp(-2.0)),
    ("gelu", 1.5, normal_cdf(1.5) + 1.5 * normal_pdf(1.5)),  # > 1: the gradient grows
    ("silu", 1.0, float(logistic(1.0) * (1 + 1.0 * (1 - logistic(1.0))))),
])
def test_gradient_is_the_slope_to_the_power_of_the_depth(name, x, slope):
    got = act.gradient_through_layers(name, x, 12)
    np.testing.assert_allclose(got, slope ** np.arange(1, 13), rtol=1e-9)


def test_scene_shows_the_numbers_of_its_input():
    scene = ActivationScene(activation="sigmoid", x=0.0, depth=10)
    assert scene.value_text.get_text() == "f(0.00) = 0.500"
    assert scene.slope_text.get_text() == "f\u2032(0.00) = 0.250"
    assert scene.gradient_text.get_text() == "after 10 layers: 9.5\u00d710\u207b\u2077"  # 0.25**10
    assert scene.range_text.get_text() == "outputs: (0, 1)"
    assert scene.header.get_text() == "Sigmoid:  f(x) = 1 / (1 + e\u207b\u02e3)"
    heights = np.array([bar.get_height() + act.FLOOR for bar in scene.bars])
    np.testing.assert_allclose(heights[:10], 0.25 ** np.arange(1, 11), rtol=1e-9)
    assert all(bar.get_height() == 0 for bar in scene.bars[10:])

    scene.set(activation="relu", x=-2.0, depth=7)
    assert scene.gradient_text.get_text() == "after 7 layers: 0, nothing left"
    assert all(bar.get_height() == 0 for bar in scene.bars)
    assert len(scene.lost.get_xdata()) == 7  # seven marks on the floor


def test_tangent_touches_the_curve_with_the_right_slope():
    x = 1.0
    scene = ActivationScene(activation="sigmoid", x=x)
    (x0, x1), (y0, y1) = scene.tangent.get_data()
    assert (y1 - y0) / (x1 - x0) == pytest.approx(float(logistic_slope(x)), rel=1e-9)
    mid = ((x0 + x1) / 2, (y0 + y1) / 2)
    assert mid == pytest.approx((x, float(logistic(x))), rel=1e-9)


def test_compare_draws_a_second_activation_and_none_removes_it():
    scene = ActivationScene(activation="relu", compare="sigmoid", x=0.0, depth=3)
    assert scene.header_cmp.get_text().startswith("vs Sigmoid")
    from test_widgets import contrast_with_white  # the words: legible orange, not the palette's 2.2:1
    assert min(contrast_with_white(t.get_color()) for t in (scene.header_cmp, scene.range_cmp)) >= 4.5
    cx, cy = scene.cmp_curve.get_data()
    np.testing.assert_allclose(cy, logistic(cx), atol=1e-12)
    assert scene.cmp_gradient_text.get_text() == "after 3 layers: 0.0156"  # 0.25**3
    scene.set(compare="none")
    assert scene.header_cmp.get_text() == "" and len(scene.cmp_curve.get_xdata()) == 0
    assert all(bar.get_height() == 0 for bar in scene.cmp_bars)


def test_readable_numbers():
    assert act.readable(0.0) == "0"
    assert act.readable(0.0625) == "0.0625"
    assert act.readable(11.52) == "11.5"
    assert act.readable(0.25 ** 10) == "9.5\u00d710\u207b\u2077"
    assert act.readable(3.0e-37) == "3.0\u00d710\u207b\u00b3\u2077"
    assert act.readable(2.0e5) == "2.0\u00d710\u2075"


@pytest.mark.parametrize("name, low", [("gelu", "[\u22120.17"), ("silu", "[\u22120.28")])
def test_stated_lowest_outputs_are_right(name, low):
    xs = np.linspace(-5, 5, 100001)
    lowest = float(ACTIVATIONS[name].function(xs).min())
    assert ACTIVATIONS[name].outputs.startswith(low)
    assert f"[\u2212{-lowest:.2f}" == low


def test_every_activation_is_in_the_gif_and_the_widget():
    frames = list(ActivationScene().storyboard())
    assert {changes["activation"] for changes, _ in frames} == set(act.CHOICES)
    assert all(duration > 0 for _, duration in frames)
    ui = interactive(ActivationScene())
    assert ui.controls["x"].description == "input x"
    before = ui.image.value
    ui.controls["x"].value = -2.0
    assert ui.image.value != before


# --- what the notebook says about the slopes (issue 11) ----------------------------------

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "02_activation_functions.ipynb"


def markdown() -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def tanh_slope(x):
    return 1.0 / math.cosh(x) ** 2


def tanh_sigmoid_crossing() -> float:
    """The x > 0 where tanh's slope falls to the sigmoid's, by bisection on [0.5, 4]."""
    low, high = 0.5, 4.0  # tanh's slope is larger at 0.5, smaller at 4
    for _ in range(200):
        middle = (low + high) / 2
        if tanh_slope(middle) > float(logistic_slope(middle)):
            low = middle
        else:
            high = middle
    return low


def latex_power(value: float) -> str:
    """``9.5 \\times 10^{-7}`` for 9.54e-7: two significant digits, as the notebook writes them."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def test_tanh_slope_drops_below_the_sigmoids_where_the_notebook_says():
    crossing = tanh_sigmoid_crossing()
    assert crossing == pytest.approx(1.6629, abs=1e-4)
    text = markdown()
    stated = re.findall(r"once \$\|x\|\$ is above about\s+(\d\.\d+)", text)
    assert len(stated) == 2 and all(s == f"{crossing:.2f}" for s in stated), stated  # 1.66, twice
    # below the crossing tanh passes back more per layer, beyond it less, on both sides of 0
    for x in (0.0, 0.8, 1.5, 1.65):
        for sign in (1, -1):
            assert tanh_slope(sign * x) > float(logistic_slope(sign * x))
    for x in (1.67, 2.0, 3.0, 4.0):
        for sign in (1, -1):
            assert tanh_slope(sign * x) < float(logistic_slope(sign * x))


def test_ten_saturated_tanh_layers_leave_less_than_ten_sigmoid_layers():
    tanh10, sigmoid10 = tanh_slope(2.0) ** 10, float(logistic_slope(2.0)) ** 10
    assert tanh10 < sigmoid10
    assert (latex_power(tanh10), latex_power(sigmoid10)) == ("3.1 \\times 10^{-12}", "1.6 \\times 10^{-10}")
    text = " ".join(markdown().split())
    assert (f"ten tanh layers leave ${latex_power(tanh10)}$ of the gradient, ten sigmoid layers "
            f"${latex_power(sigmoid10)}$") in text
    # the same numbers from the engine, as the notebook's code cell prints them
    for name, want in (("tanh", tanh10), ("sigmoid", sigmoid10)):
        got = act.gradient_through_layers(name, -2.0, 10)[-1]
        assert got == pytest.approx(want, rel=1e-9)


def test_the_stated_bound_after_ten_sigmoid_layers_is_the_exact_power():
    assert latex_power(0.25 ** 10) == "9.5 \\times 10^{-7}"
    text = markdown()
    assert f"$0.25^{{10}} \\approx {latex_power(0.25 ** 10)}$" in text
    assert "\\approx 10^{-6}" not in text


def test_the_summary_says_what_is_true_of_sigmoid_and_tanh():
    summary = " ".join(markdown().split("## Summary", 1)[1].split())
    assert "Sigmoid and tanh **saturate**" in summary and "gradients **vanish**" in summary
    assert "Sigmoid's slope of at most $1/4$ makes gradients" not in summary


def test_vanishing_checker_says_close_for_one_millionth():
    close = ex.check_vanishing(1e-6)
    assert close.passed is False and "close" in close.message and "exactly" in close.message
    far = ex.check_vanishing(1e-5)
    assert far.passed is False and "close" not in far.message and "Multiply ten" in far.message
    assert ex.check_vanishing(-9.5e-7).passed is False
    assert "close" not in ex.check_vanishing(-9.5e-7).message
    assert ex.check_vanishing("1e-6").passed is False  # text is named as text, not "close"
    assert "text" in ex.check_vanishing("1e-6").message


# --- the answers to "negative outputs? smooth?", checked against the catalogue ------------

XS = np.linspace(-6.0, 6.0, 120_001)  # steps of 1e-4, 0 included


def by_label() -> dict:
    """``"SiLU"`` -> ``"silu"``: the notebook names activations by their labels."""
    return {a.label.split(" (")[0].lower(): name for name, a in ACTIVATIONS.items()}


def stated_answer(heading: str) -> set:
    block = re.search(r"<details><summary>Answers: negative outputs, and smooth curves</summary>(.*?)</details>",
                      markdown(), flags=re.S)
    assert block, "the answers block is missing"
    names = re.search(rf"\*\*{re.escape(heading)}:\*\*(.*?)\.", " ".join(block.group(1).split())).group(1)
    labels = by_label()
    return {labels[n.strip().lower()] for n in names.split(",")}


def can_be_negative(name: str) -> bool:
    f = ACTIVATIONS[name].function
    return float(np.min(f(np.concatenate([XS, [-100.0, -1000.0]])))) < 0


def has_no_kink(name: str) -> bool:
    """Continuous, with a slope (from differences of f, not the catalogue's derivative) that
    changes by less than 0.01 between neighbouring steps of 1e-4."""
    f = ACTIVATIONS[name].function(XS)
    slope = np.diff(f) / np.diff(XS)
    return float(np.max(np.abs(np.diff(f)))) < 1e-2 and float(np.max(np.abs(np.diff(slope)))) < 1e-2


def test_the_answer_on_negative_outputs_is_the_catalogues():
    gallery = set(act.CHOICES)
    negative = {name for name in gallery if can_be_negative(name)}
    assert negative == {"identity", "tanh", "leaky_relu", "elu", "gelu", "silu"}
    assert stated_answer("Negative outputs") == negative
    for name in gallery:  # and the catalogue's bounds say the same
        assert (ACTIVATIONS[name].bounds[0] < 0) == (name in negative), name


def test_the_answer_on_smoothness_is_the_catalogues():
    smooth = {name for name in act.CHOICES if has_no_kink(name)}
    assert smooth == {"identity", "sigmoid", "tanh", "elu", "softplus", "gelu", "silu"}
    assert stated_answer("Smooth (no kink)") == smooth
    # ReLU's and Leaky ReLU's slopes jump at 0, the step jumps in value
    relu_slope = np.diff(ACTIVATIONS["relu"].function(XS)) / np.diff(XS)
    assert float(np.max(np.abs(np.diff(relu_slope)))) == pytest.approx(1.0, abs=1e-6)


# --- softmax with a temperature: exercise 5 ----------------------------------------------

def reference_softmax(z, t):
    z = [v / t for v in z]
    top = max(z)
    e = [math.exp(v - top) for v in z]
    return np.array([v / sum(e) for v in e])


def stable_softmax(z, temperature=1.0):
    z = np.asarray(z, dtype=float) / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def naive_softmax(z, temperature=1.0):
    e = np.exp(np.asarray(z, dtype=float) / temperature)
    return e / e.sum()


def no_temperature(z, temperature=1.0):
    return stable_softmax(z)


def test_softmax_checker_accepts_a_stable_softmax():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ex.check_softmax(stable_softmax)
    assert result.passed is True, result.message
    np.testing.assert_allclose(stable_softmax([2.0, 1.0, 0.5, -1.0], 0.5),
                               reference_softmax([2.0, 1.0, 0.5, -1.0], 0.5), rtol=1e-12)


def test_softmax_checker_catches_overflow_and_a_forgotten_temperature():
    naive = ex.check_softmax(naive_softmax)
    assert naive.passed is False and "softmax([1000.0, 999.0, 990.0], 1.0)" in naive.message
    assert "subtract the largest" in naive.message
    forgot = ex.check_softmax(no_temperature)
    assert forgot.passed is False and ", 0.5)" in forgot.message and "temperature" in forgot.message
    unnormalised = ex.check_softmax(lambda z, t=1.0: np.exp(np.asarray(z) / t))
    assert unnormalised.passed is False and "softmax([0.0, 0.0], 1.0)" in unnormalised.message
    assert ex.check_softmax(None).passed is None
    assert ex.check_softmax(lambda z, t=1.0: ...).passed is None


# --- the pictures: ticks and legible subtitles --------------------------------------------

def test_value_axis_has_a_tick_at_every_whole_number_it_shows():
    scene = ActivationScene()
    low, high = scene.ax_f.get_ylim()
    assert list(scene.ax_f.get_yticks()) == list(range(math.ceil(low), math.floor(high) + 1))  # -1 .. 3


def contrast_with_white(colour) -> float:
    """The WCAG contrast ratio of a colour against white (21 for black, 1 for white)."""
    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in to_rgb(colour))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_nonlinearity_subtitles_are_legible():
    scene = NonlinearityScene()
    assert scene.subtitles[0].get_text() == "Linear \u00d7 3"
    for text in scene.subtitles:
        assert text.get_fontsize() >= 10
        assert contrast_with_white(text.get_color()) >= 7  # WCAG AAA for normal text
    assert contrast_with_white("#8C8C8C") < 4.5  # the old grey was not


@pytest.mark.parametrize("student, words", [
    (lambda z, t=1.0: "probabilities", "text"),
    (lambda z, t=1.0: stable_softmax(z, t)[:1], "shape"),
    (lambda z, t=1.0: 1 / 0, "ZeroDivisionError"),
    (42, "should be a function"),
])
def test_softmax_checker_names_nonsense_plainly(student, words):
    result = ex.check_softmax(student)
    assert result.passed is False and words in result.message


@pytest.mark.parametrize("answer", [10 ** 400, float("nan"), True, np.array([1e-6, 1e-6]), "close"])
def test_vanishing_checker_never_calls_nonsense_close(answer):
    result = ex.check_vanishing(answer)
    assert result.passed is False and "close" not in result.message.replace("'close'", "")
