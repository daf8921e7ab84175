"""The Optimizers chapter's exercise checkers: one step of SGD with momentum, and a learning
rate that makes gradient descent converge. Right answers pass, each common mistake fails
with its own hint, and nothing a student types makes a checker raise."""

import math
import warnings

import numpy as np
import pytest

from course_utils.exercises import optimizers as ex
from course_utils.exercises.momentum import _MOMENTUM_CASES

# ----------------------------------------------------------------------------- momentum


def momentum_step(w, grad, velocity, lr, momentum):
    """Written here from the formula, independently of the checker."""
    new_velocity = momentum * np.asarray(velocity) + np.asarray(grad)
    return np.asarray(w) - lr * new_velocity, new_velocity


def momentum_step_in_place(w, grad, velocity, lr, momentum):
    velocity *= momentum
    velocity += grad
    w -= lr * velocity
    return w, velocity


def momentum_step_as_list(w, grad, velocity, lr, momentum):
    v = [momentum * vi + gi for vi, gi in zip(np.ravel(velocity), np.ravel(grad))]
    v = np.reshape(v, np.shape(w))
    return [w - lr * v, v]


@pytest.mark.parametrize("student", [momentum_step, momentum_step_in_place, momentum_step_as_list])
def test_right_momentum_steps_pass(student):
    result = ex.check_momentum_step(student)
    assert result.passed is True, result.message
    assert "optim.SGD" in result.message


def test_the_independent_step_agrees_with_the_numbers_worked_by_hand():
    # v = 0.9 * 0.8 + 0.5 = 1.22;  w = 2 - 0.2 * 1.22 = 1.756
    w, v = momentum_step(np.array([2.0]), np.array([0.5]), np.array([0.8]), 0.2, 0.9)
    np.testing.assert_allclose(w, [1.756])
    np.testing.assert_allclose(v, [1.22])


def other_convention(w, grad, velocity, lr, momentum):
    velocity = momentum * velocity - lr * grad
    return w + velocity, velocity


def lr_inside_velocity(w, grad, velocity, lr, momentum):
    velocity = momentum * velocity + lr * grad
    return w - velocity, velocity


def returns_only_w(w, grad, velocity, lr, momentum):
    return w - lr * (momentum * velocity + grad)


def returns_old_velocity(w, grad, velocity, lr, momentum):
    return w - lr * (momentum * velocity + grad), velocity


def returns_no_velocity(w, grad, velocity, lr, momentum):
    return w - lr * (momentum * velocity + grad), None


def steps_with_old_velocity(w, grad, velocity, lr, momentum):
    return w - lr * velocity, momentum * velocity + grad


def steps_uphill(w, grad, velocity, lr, momentum):
    velocity = momentum * velocity + grad
    return w + lr * velocity, velocity


def velocity_sign(w, grad, velocity, lr, momentum):
    velocity = momentum * velocity - grad
    return w - lr * velocity, velocity


def averages_the_gradient(w, grad, velocity, lr, momentum):
    velocity = momentum * velocity + (1 - momentum) * grad
    return w - lr * velocity, velocity


def forgets_the_velocity(w, grad, velocity, lr, momentum):
    return w - lr * grad, grad


def swapped(w, grad, velocity, lr, momentum):
    velocity = momentum * velocity + grad
    return velocity, w - lr * velocity


@pytest.mark.parametrize("student, words", [
    (other_convention, ["learning rate inside the velocity", "same path", "keep lr out"]),
    (lr_inside_velocity, ["learning rate inside the velocity", "keep lr out"]),
    (returns_only_w, ["single value", "return new_w, new_velocity"]),
    (returns_old_velocity, ["velocity you return is the one you were given"]),
    (returns_no_velocity, ["no new velocity"]),
    (steps_with_old_velocity, ["old velocity", "new one"]),
    (steps_uphill, ["uphill", "minus"]),
    (velocity_sign, ["signs"]),
    (averages_the_gradient, ["average", "whole gradient"]),
    (forgets_the_velocity, ["just the gradient", "forgets the old velocity"]),
    (swapped, ["wrong order"]),
])
def test_each_mistake_gets_its_own_hint(student, words):
    result = ex.check_momentum_step(student)
    assert result.passed is False
    for word in words:
        assert word in result.message, (word, result.message)
    assert "Hint: " in result.message


def test_a_wrong_answer_names_the_input_and_both_results():
    result = ex.check_momentum_step(steps_uphill)
    assert "momentum_step(w=[2.0], grad=[0.5], velocity=[0.8], lr=0.2, momentum=0.9)" in result.message
    assert "new_w = [2.244]" in result.message and "new_w = [1.756]" in result.message


def test_momentum_zero_must_be_plain_sgd():
    def skips_when_zero(w, grad, velocity, lr, momentum):
        if momentum == 0:
            return w - lr * grad, velocity  # forgets that the velocity is now the gradient
        return momentum_step(w, grad, velocity, lr, momentum)

    result = ex.check_momentum_step(skips_when_zero)
    assert result.passed is False and "momentum=0.0" in result.message


def test_the_run_of_several_steps_catches_a_late_mistake():
    calls = []

    def drifts(w, grad, velocity, lr, momentum):
        calls.append(1)
        new_w, new_v = momentum_step(w, grad, velocity, lr, momentum)
        return new_w, (new_v if len(calls) <= len(_MOMENTUM_CASES) + 2 else new_v * 1.01)

    result = ex.check_momentum_step(drifts)
    assert result.passed is False
    assert "in a run of" in result.message and "step 3" in result.message
    assert "new_w is right" in result.message


@pytest.mark.parametrize("student", [None, ...])
def test_no_function_yet_is_not_attempted(student):
    assert ex.check_momentum_step(student).passed is None


def test_unfinished_bodies_are_not_attempted():
    def ellipsis_body(w, grad, velocity, lr, momentum):
        ...

    def not_implemented(w, grad, velocity, lr, momentum):
        raise NotImplementedError

    assert ex.check_momentum_step(ellipsis_body).passed is None
    assert ex.check_momentum_step(not_implemented).passed is None


def test_errors_in_student_code_are_reported_not_raised():
    def broken(w, grad, velocity, lr, momentum):
        return w - lr * undefined_velocity  # noqa: F821

    result = ex.check_momentum_step(broken)
    assert result.passed is False and "NameError" in result.message and "momentum_step(" in result.message

    def wrong_shape(w, grad, velocity, lr, momentum):
        return np.zeros(7), np.zeros(7)

    result = ex.check_momentum_step(wrong_shape)
    assert result.passed is False and "shape" in result.message

    result = ex.check_momentum_step(lambda *args: ("a", "b"))
    assert result.passed is False and "text" in result.message
    result = ex.check_momentum_step(42)
    assert result.passed is False and "function" in result.message


def test_a_student_changing_inputs_in_place_changes_no_test_case():
    before = [tuple(np.copy(a) for a in case) for case in _MOMENTUM_CASES]

    def scribbles(w, grad, velocity, lr, momentum):
        grad *= -1.0  # a wrong step, and it changes its inputs
        velocity *= momentum
        velocity += grad
        w -= lr * velocity
        return w, velocity

    assert ex.check_momentum_step(scribbles).passed is False
    assert ex.check_momentum_step(momentum_step_in_place).passed is True
    for case, old in zip(_MOMENTUM_CASES, before):
        for a, b in zip(case, old):
            np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- learning rate
# f = 0.5 * sum(c_i * x_i**2): gradient descent multiplies x_i by (1 - lr * c_i) every step,
# so the loss after k steps is 0.5 * sum(c_i * x0_i**2 * (1 - lr * c_i)**(2k)).

C = np.array([1.0, 10.0])
X0 = np.array([2.0, 1.0])


def closed_form_losses(lr, steps=30):
    k = np.arange(steps + 1)[:, None]
    return 0.5 * np.sum(C * X0 ** 2 * (1 - lr * C) ** (2 * k), axis=1)


def works(lr):
    return bool(np.any(closed_form_losses(lr) < 1e-3))


def boundary(inside, outside):
    for _ in range(60):
        mid = (inside + outside) / 2
        inside, outside = (mid, outside) if works(mid) else (inside, mid)
    return inside


@pytest.fixture(scope="module")
def interval():
    grid = np.linspace(1e-3, 0.3, 3000)
    good = grid[[works(lr) for lr in grid]]
    assert good.size and np.all(np.diff(good) < 2 * (grid[1] - grid[0]))  # one interval
    low = boundary(good[0], good[0] - (grid[1] - grid[0]))
    high = boundary(good[-1], good[-1] + (grid[1] - grid[0]))
    return low, high


def test_the_problem_is_the_one_the_test_solves():
    assert ex.CURVATURES == tuple(C) and ex.START == tuple(X0)
    assert ex.TARGET_LOSS == 1e-3 and ex.MAX_STEPS == 30
    assert ex.loss(ex.START) == 7.0
    np.testing.assert_allclose(ex.gradient((2.0, 1.0)), [2.0, 10.0])


def test_the_interval_is_what_the_docstring_says(interval):
    low, high = interval
    assert 0.118 < low < 0.120 and 0.186 < high < 0.188
    assert low < 2 / 11 < high < 2 / 10  # the best step for curvatures 1 and 10 is inside


def test_learning_rates_inside_the_interval_pass(interval):
    low, high = interval
    for lr in [low * 1.001, (low + high) / 2, 2 / 11, 0.15, high * 0.999]:
        result = ex.check_learning_rate(lr)
        assert result.passed is True, (lr, result.message)
        assert "works" in result.message


def test_too_small_learning_rates_fail_with_take_bigger_steps(interval):
    low, _ = interval
    for lr in [1e-6, 0.001, 0.05, 0.1, low * 0.999]:
        result = ex.check_learning_rate(lr)
        assert result.passed is False, lr
        assert "bigger steps" in result.message and "still" in result.message
        final = closed_form_losses(lr)[-1]
        assert f"the loss is still {final:.2g}" in result.message


def test_too_large_learning_rates_fail_with_oscillation_or_divergence(interval):
    _, high = interval
    for lr in [high * 1.001, 0.19, 0.2, 0.2005]:
        result = ex.check_learning_rate(lr)
        assert result.passed is False, lr
        assert "oscillated without converging" in result.message
        assert "2 / 10 = 0.2" in result.message and "smaller" in result.message
    for lr in [0.201, 0.21, 0.3, 1.0, 5.0, 1e10, 1e300]:
        result = ex.check_learning_rate(lr)
        assert result.passed is False, lr
        assert "diverged" in result.message and "2 / 10 = 0.2" in result.message
        assert "nan" not in result.message and "inf" not in result.message


def test_divergence_names_the_steps(interval):
    # lr = 0.3: y is multiplied by -2 each step; 5 * 4**k passes 7 at k = 1 and 1e6 at k = 9
    result = ex.check_learning_rate(0.3)
    assert "passed its starting value 7 at step 1" in result.message
    assert "past 1,000,000 at step 9" in result.message
    # lr = 0.201: y is multiplied by -1.01; the loss passes 7 late and does not blow up
    losses = closed_form_losses(0.201)
    first = int(np.argmax(losses > 7))
    result = ex.check_learning_rate(0.201)
    assert f"at step {first}" in result.message and "1,000,000" not in result.message


def test_no_numpy_warnings_even_for_absurd_learning_rates():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lr in [1e300, 1.7e308, 3.0]:
            assert ex.check_learning_rate(lr).passed is False
            assert np.all(np.isfinite(ex.learning_rate_run(lr)))


@pytest.mark.parametrize("lr, words", [
    ("0.1", ["text", "without quotes"]),
    (b"0.1", ["text"]),
    (-0.1, ["negative", "uphill"]),
    (0, ["never moves"]),
    (0.0, ["never moves"]),
    (float("nan"), ["nan"]),
    (float("inf"), ["infinite"]),
    (-float("inf"), ["infinite"]),
    (True, ["truth value"]),
    ([0.1], ["single number"]),
    (1 + 2j, ["complex"]),
    (10 ** 400, ["too large"]),
])
def test_bad_learning_rates_are_rejected_cleanly(lr, words):
    result = ex.check_learning_rate(lr)
    assert result.passed is False
    for word in words:
        assert word in result.message, (word, result.message)


@pytest.mark.parametrize("lr", [None, ...])
def test_no_learning_rate_yet_is_not_attempted(lr):
    assert ex.check_learning_rate(lr).passed is None


def test_numpy_numbers_are_accepted():
    assert ex.check_learning_rate(np.float32(0.15)).passed is True
    assert ex.check_learning_rate(np.float64(0.15)).passed is True
    assert ex.check_learning_rate(np.array(0.15)).passed is True


@pytest.mark.parametrize("lr", [0.01, 0.15, 0.19, 0.2])
def test_learning_rate_run_is_the_closed_form(lr):
    run = ex.learning_rate_run(lr)
    assert isinstance(run, np.ndarray) and run.shape == (ex.MAX_STEPS + 1,)
    np.testing.assert_allclose(run, closed_form_losses(lr), rtol=1e-9, atol=1e-12)


def test_a_diverging_run_stops_when_it_blows_up():
    run = ex.learning_rate_run(0.3)
    np.testing.assert_allclose(run, closed_form_losses(0.3)[:10], rtol=1e-9)
    assert run[-1] > ex.DIVERGED_LOSS and np.all(run[:-1] <= ex.DIVERGED_LOSS)


@pytest.mark.parametrize("lr", ["0.1", -1.0, 0, math.nan, None])
def test_learning_rate_run_rejects_bad_values(lr):
    with pytest.raises(ValueError):
        ex.learning_rate_run(lr)
