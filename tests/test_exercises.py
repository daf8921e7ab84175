"""Exercise checkers: accept right answers, reject wrong ones with a hint naming the input,
and never raise at a student who has not started."""

import numpy as np
import pytest

from course_utils.exercises import Feedback, check_choice, check_function, check_value
from course_utils.exercises import neurons


def square(x):
    return x * x


@pytest.mark.parametrize("student, passed", [
    (lambda x: x ** 2, True),
    (lambda x: x * 2, False),
    (lambda x: None, None),
    (lambda x: ..., None),
])
def test_check_function_outcomes(student, passed):
    result = check_function(student, square, [(1.0,), (3.0,)], name="f", hint="multiply x by itself")
    assert result.passed is passed
    assert bool(result) is (passed is True)


def test_wrong_answer_names_the_input_and_the_hint():
    result = check_function(lambda x: x * 2, square, [(2.0,), (3.0,)], name="f", hint="use x*x")
    assert "f(3.0)" in result.message and "use x*x" in result.message
    assert "returned 6.0" in result.message and "expected 9.0" in result.message


def test_not_implemented_is_not_attempted():
    def student(x):
        raise NotImplementedError
    assert check_function(student, square, [(1.0,)], name="f", hint="").passed is None


def test_student_exception_is_reported_not_raised():
    def student(x):
        return undefined_name  # noqa: F821
    result = check_function(student, square, [(1.0,)], name="f", hint="h")
    assert result.passed is False and "NameError" in result.message and "f(1.0)" in result.message


def test_shape_mismatch_is_explained():
    result = check_function(lambda x: np.array([x, x]), square, [(np.array(2.0),)], name="f", hint="h")
    assert result.passed is False and "shape (2,)" in result.message


def test_check_value_and_choice():
    assert check_value(17, 17, name="n", hint="").passed is True
    assert check_value(None, 17, name="n", hint="").passed is None
    wrong = check_value(16, 17, name="n", hint="count the biases")
    assert wrong.passed is False and "count the biases" in wrong.message
    assert check_choice("b", "b", ["a", "b"], name="c", hint="").passed is True
    assert "not one of the options" in check_choice("z", "b", ["a", "b"], name="c", hint="").message
    assert check_choice("a", "b", ["a", "b"], name="c", hint="h").passed is False


def test_feedback_shows_in_text_and_html():
    fb = Feedback(False, "x < y")
    assert repr(fb).startswith("\u2718 Not yet")
    assert "x &lt; y" in fb._repr_html_()


def test_weighted_sum_checker():
    assert neurons.check_weighted_sum(lambda x, w, b: np.dot(w, x) + b)
    forgot_bias = neurons.check_weighted_sum(lambda x, w, b: np.dot(w, x))
    assert forgot_bias.passed is False and "weighted_sum(" in forgot_bias.message
    bias_per_input = neurons.check_weighted_sum(lambda x, w, b: np.sum(w * x + b))
    assert bias_per_input.passed is False


@pytest.mark.parametrize("gate, right, wrong", [
    ("AND", (1, 1, -1.5), (1, 1, -0.5)),
    ("OR", (1, 1, -0.5), (1, 1, -1.5)),
    ("NAND", (-1, -1, 1.5), (1, 1, -1.5)),
])
def test_gate_checker(gate, right, wrong):
    assert neurons.check_gate(*right, gate=gate)
    result = neurons.check_gate(*wrong, gate=gate)
    assert result.passed is False and "for inputs (" in result.message


def test_gate_checker_unattempted_and_unknown_gate():
    assert neurons.check_gate(None, None, None).passed is None
    with pytest.raises(ValueError, match="gate must be one of"):
        neurons.check_gate(1, 1, 1, gate="XOR")


def test_a_student_changing_the_input_in_place_changes_neither_cases_nor_reference():
    cases = [(np.array([-3.0, 2.0]),)]

    def clips_in_place(x):
        x[x < 0] = 0.0
        return x

    result = check_function(clips_in_place, np.abs, cases, name="f", hint="h")
    assert result.passed is False  # |x| is not max(x, 0): the reference saw the real input
    np.testing.assert_array_equal(cases[0][0], [-3.0, 2.0])
    assert "f([-3.0, 2.0])" in result.message


def test_text_is_not_a_number():
    result = check_value("37", 37, name="n", hint="h")
    assert result.passed is False and "the text '37'" in result.message and "without quotes" in result.message
    assert check_function(lambda x: "4", square, [(2.0,)], name="f", hint="h").passed is False


def test_non_finite_messages_say_which_side():
    inf = check_function(lambda x: np.inf, square, [(2.0,)], name="f", hint="h")
    assert inf.passed is False and "not finite" in inf.message
    finite = check_function(lambda x: 1.0, lambda x: np.inf, [(2.0,)], name="f", hint="h")
    assert finite.passed is False and "expected inf" in finite.message
