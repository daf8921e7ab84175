"""The Loss functions chapter's checkers: right answers pass, the usual slips get their
own hint, and nothing a student types makes a checker raise."""

import math

import numpy as np
import pytest

from course_utils.exercises import losses as ex


def test_bce_accepts_minus_ln_of_the_true_class_probability():
    assert ex.check_bce(-math.log(0.8)).passed is True
    assert ex.check_bce(0.2231).passed is True          # rounded to 4 digits is fine
    assert ex.check_bce(np.float32(0.22314355)).passed is True


@pytest.mark.parametrize("slip, words", [
    (-math.log(0.2), "label 0"),
    (-math.log10(0.8), "np.log, not np.log10"),
    (math.log(0.8), "never below 0"),
])
def test_bce_names_the_usual_slips(slip, words):
    result = ex.check_bce(slip)
    assert result.passed is False and words in result.message


@pytest.mark.parametrize("answer, passed", [(None, None), (..., None), ("0.22", False), (True, False),
                                            (np.array([0.1, 0.2]), False), (1.0, False)])
def test_bce_never_raises(answer, passed):
    assert ex.check_bce(answer).passed is passed


def test_mse_gradient_is_two_errors_over_n():
    assert ex.check_mse_gradient(lambda p, y: 2 * (p - y) / p.size).passed is True
    no_mean = ex.check_mse_gradient(lambda p, y: 2 * (p - y))
    assert no_mean.passed is False and "1/n from the mean" in no_mean.message
    assert "[1. 3.]" in no_mean.message or "1.0, 3.0" in no_mean.message  # names the case it failed on
    assert ex.check_mse_gradient(lambda p, y: (p - y) / p.size).passed is False  # forgot the 2
    assert ex.check_mse_gradient(lambda p, y: 2 * (y - p) / p.size).passed is False  # sign
    assert ex.check_mse_gradient(lambda p, y: ...).passed is None

    def crashes(p, y):
        raise ZeroDivisionError("oops")
    assert ex.check_mse_gradient(crashes).passed is False
    assert ex.check_mse_gradient("2 (p - y) / n").passed is False


def test_the_mse_reference_is_the_closed_form():
    """The checker's cases and their expected gradients, computed by hand."""
    p, y = np.array([0.5, -1.0, 2.0, 4.0]), np.array([0.0, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(ex._mse_gradient(p, y), [0.25, -0.5, 0.5, 1.5], rtol=1e-12)


@pytest.mark.parametrize("task, right", [("house prices", "huber"), ("digits", "cross-entropy"),
                                         ("margin", "hinge"), ("distributions", "kl divergence")])
def test_loss_choice(task, right):
    assert ex.check_loss_choice(task, right).passed is True
    assert ex.check_loss_choice(task, right.upper() + " ").passed is True
    wrong = next(o for o in ex.LOSS_OPTIONS if o != right)
    result = ex.check_loss_choice(task, wrong)
    assert result.passed is False and "Hint" in result.message
    assert ex.check_loss_choice(task, None).passed is None
    assert ex.check_loss_choice(task, "least squares").passed is False  # not an option: says which are


def test_loss_choice_understands_other_names():
    assert ex.check_loss_choice("distributions", "KL").passed is True
    assert ex.check_loss_choice("digits", "categorical cross-entropy").passed is True
    assert ex.check_loss_choice("house prices", "smooth_l1").passed is True


def test_an_unknown_task_is_the_notebooks_bug_and_raises():
    with pytest.raises(ValueError, match="task must be one of"):
        ex.check_loss_choice("weather", "mse")
