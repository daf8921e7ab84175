"""The Backpropagation chapter's checkers: right answers pass, the usual slips get their
own hint, and nothing a student types makes a checker raise."""

import math

import numpy as np
import pytest

from course_utils.exercises import backprop as ex


@pytest.mark.parametrize("op, right", [("add", (1, 1)), ("mul", (-3, 2)), ("tanh", 1 - math.tanh(0.5) ** 2)])
def test_local_gradients_accept_the_right_ones(op, right):
    assert ex.check_local_gradients(op, right).passed is True
    assert ex.check_local_gradients(op, np.array(right, dtype=float)).passed is True


def test_local_gradients_name_the_slips():
    swapped = ex.check_local_gradients("mul", (2, -3))
    assert swapped.passed is False and "swapped" in swapped.message
    assert ex.check_local_gradients("mul", (1, 1)).passed is False
    tanh = ex.check_local_gradients("tanh", math.tanh(0.5))  # the value, not the slope
    assert tanh.passed is False and "1 - tanh(a)**2" in tanh.message
    for answer in (None, ...):
        assert ex.check_local_gradients("add", answer).passed is None
    for answer in ("1, 1", (1, 2, 3), True, [None, 1]):
        assert ex.check_local_gradients("add", answer).passed is False
    with pytest.raises(ValueError, match="op must be one of"):
        ex.check_local_gradients("divide", (1, 1))


def test_cube_backward():
    assert ex.check_cube_backward(lambda x, g: 3 * x ** 2 * g).passed is True
    local = ex.check_cube_backward(lambda x, g: 3 * x ** 2)
    assert local.passed is False and "multiply it by grad_out" in local.message
    wrong = ex.check_cube_backward(lambda x, g: 2 * x * g)
    assert wrong.passed is False and "3 x**2" in wrong.message and "finite differences" in wrong.message
    assert ex.check_cube_backward(lambda x, g: ...).passed is None
    assert ex.check_cube_backward(None).passed is None
    assert ex.check_cube_backward(3.0).passed is False

    def crashes(x, g):
        return 1 / x * g
    result = ex.check_cube_backward(crashes)  # x = 0 first: ZeroDivisionError, reported
    assert result.passed is False and "ZeroDivisionError" in result.message

    def not_yet(x, g):
        raise NotImplementedError
    assert ex.check_cube_backward(not_yet).passed is None
    assert ex.check_cube_backward(lambda x, g: "12").passed is False


def test_neuron_gradient_is_two_errors_times_x():
    n = ex.NEURON
    y = n["w"] * n["x"] + n["b"]
    right = 2 * (y - n["t"]) * n["x"]
    assert right == 6.0
    assert ex.check_neuron_gradient(right).passed is True
    dl_dy = ex.check_neuron_gradient(2 * (y - n["t"]))
    assert dl_dy.passed is False and "dy/dw = x" in dl_dy.message
    no_two = ex.check_neuron_gradient((y - n["t"]) * n["x"])
    assert no_two.passed is False and "the 2" in no_two.message
    assert ex.check_neuron_gradient(None).passed is None
    assert ex.check_neuron_gradient("6").passed is False
