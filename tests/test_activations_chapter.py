"""The Activation functions chapter: its exercise checkers and the numbers its activation
scene shows. (Its second scene, on why a network needs non-linearity, is tested in
test_nonlinearity_scene.py.)"""

import math
import warnings

import numpy as np
import pytest

from course_utils.exercises import activations as ex
from course_utils.exercises.check import check_function
from course_utils.scenes import activations as act
from course_utils.nn.functional import ACTIVATIONS
from course_utils.scenes.activations import ActivationScene
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
