"""The chapter's exercises on the training process: Adam's first step with and without bias
correction, the batches of one epoch, and the epoch early stopping picks. Right answers
pass, each common mistake gets its own hint, and no Python value makes a checker raise.

The right answers are written here from the formulas, independently of the checkers (which
compare with the engine)."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_utils.exercises import Feedback
from course_utils.exercises import optimizers as ex
from course_utils.exercises import training_process

# ----------------------------------------------------------------------------- Adam's first step


def adam_first_step(w, grad, lr, corrected, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = (1 - beta1) * grad, (1 - beta2) * grad * grad
    if corrected:
        m, v = m / (1 - beta1), v / (1 - beta2)
    return w - lr * m / (np.sqrt(v) + eps)


def adam_with_t(w, grad, lr, corrected, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v, t = np.zeros_like(w), np.zeros_like(w), 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    if corrected:
        m, v = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m / (v ** 0.5 + eps)


@pytest.mark.parametrize("student", [adam_first_step, adam_with_t])
def test_right_adam_steps_pass(student):
    result = ex.check_adam_first_step(student)
    assert result.passed is True, result.message
    assert "3.16 times" in result.message


def test_the_uncorrected_first_step_is_3_16_lr_as_the_notebook_says():
    lr, g = 0.01, np.array([0.5, -4.0, 123.0])
    step = -(adam_first_step(np.zeros(3), g, lr, False)) / np.sign(g)
    np.testing.assert_allclose(step, (1 - 0.9) / math.sqrt(1 - 0.999) * lr, rtol=1e-6)
    assert round((1 - 0.9) / math.sqrt(1 - 0.999) / 1, 2) == 3.16
    np.testing.assert_allclose(-adam_first_step(np.zeros(3), g, lr, True) / np.sign(g), lr, rtol=1e-6)


def ignores_flag_never(w, grad, lr, corrected, b1, b2, eps):
    return adam_first_step(w, grad, lr, False, b1, b2, eps)


def ignores_flag_always(w, grad, lr, corrected, b1, b2, eps):
    return adam_first_step(w, grad, lr, True, b1, b2, eps)


def corrects_m_only(w, grad, lr, corrected, b1, b2, eps):
    m, v = (1 - b1) * grad, (1 - b2) * grad * grad
    return w - lr * (m / (1 - b1) if corrected else m) / (np.sqrt(v) + eps)


def corrects_v_only(w, grad, lr, corrected, b1, b2, eps):
    m, v = (1 - b1) * grad, (1 - b2) * grad * grad
    return w - lr * m / (np.sqrt(v / (1 - b2) if corrected else v) + eps)


def eps_inside(w, grad, lr, corrected, b1, b2, eps):
    m, v = (1 - b1) * grad, (1 - b2) * grad * grad
    if corrected:
        m, v = m / (1 - b1), v / (1 - b2)
    return w - lr * m / np.sqrt(v + eps)


def sign_step(w, grad, lr, corrected, b1, b2, eps):
    if corrected:
        return w - lr * np.sign(grad)
    return adam_first_step(w, grad, lr, False, b1, b2, eps)


def no_eps(w, grad, lr, corrected, b1, b2, eps):
    m, v = (1 - b1) * grad, (1 - b2) * grad * grad
    if corrected:
        m, v = m / (1 - b1), v / (1 - b2)
    return w - lr * m / np.sqrt(v)


def nan_at_zero_gradient(w, grad, lr, corrected, b1, b2, eps):
    step = w - adam_first_step(w, grad, lr, corrected, b1, b2, eps)
    return w - step * np.abs(grad) / np.abs(grad)  # 0 / 0 where the gradient is 0


def uphill(w, grad, lr, corrected, b1, b2, eps):
    return 2 * w - adam_first_step(w, grad, lr, corrected, b1, b2, eps)


def swapped_betas(w, grad, lr, corrected, b1, b2, eps):
    m, v = b1 * grad, b2 * grad * grad
    if corrected:
        m, v = m / (1 - b1), v / (1 - b2)
    return w - lr * m / (np.sqrt(v) + eps)


def no_root(w, grad, lr, corrected, b1, b2, eps):
    m, v = (1 - b1) * grad, (1 - b2) * grad * grad
    if corrected:
        m, v = m / (1 - b1), v / (1 - b2)
    return w - lr * m / (v + eps)


def returns_the_step(w, grad, lr, corrected, b1, b2, eps):
    return w - adam_first_step(w, grad, lr, corrected, b1, b2, eps)


def t_from_zero(w, grad, lr, corrected, b1, b2, eps):
    m, v = (1 - b1) * grad, (1 - b2) * grad * grad
    if corrected:
        m, v = m / (1 - b1 ** 0), v / (1 - b2 ** 0)
    return w - lr * m / (np.sqrt(v) + eps)


def returns_nothing(w, grad, lr, corrected, b1, b2, eps):
    ...


@pytest.mark.parametrize("student, words", [
    (ignores_flag_never, ["without bias correction", "corrected=True"]),
    (ignores_flag_always, ["bias-corrected step", "corrected=False"]),
    (corrects_m_only, ["corrected m but not v"]),
    (corrects_v_only, ["corrected v but not m"]),
    (eps_inside, ["after the square root", "sqrt(v + eps)"]),
    (sign_step, ["leaves out eps", "tiny gradient"]),
    (no_eps, ["leaves out eps"]),
    (nan_at_zero_gradient, ["not a number where the gradient is 0", "sqrt(v) + eps"]),
    (uphill, ["uphill"]),
    (swapped_betas, ["1 - beta1", "start at 0"]),
    (no_root, ["square root"]),
    (returns_the_step, ["new weights", "not the step"]),
    (t_from_zero, ["1 - beta**0 = 0", "t = 1"]),
])
def test_each_adam_mistake_gets_its_own_hint(student, words):
    result = ex.check_adam_first_step(student)
    assert result.passed is False, result.message
    assert "Hint: " in result.message
    for word in words:
        assert word in result.message, (word, result.message)


def test_an_adam_answer_of_the_wrong_shape_or_kind_is_named():
    assert "shape" in ex.check_adam_first_step(lambda *a: np.zeros(7)).message
    assert "text" in ex.check_adam_first_step(lambda *a: "0.99").message
    result = ex.check_adam_first_step(lambda *a: undefined)  # noqa: F821
    assert result.passed is False and "NameError" in result.message
    assert ex.check_adam_first_step(returns_nothing).passed is None


# ----------------------------------------------------------------------------- the batches of an epoch


def epoch_batches(n, batch_size):
    updates = math.ceil(n / batch_size)
    return updates, n - (updates - 1) * batch_size


def epoch_batches_by_slicing(n, batch_size):
    sizes = [len(range(n)[s:s + batch_size]) for s in range(0, n, batch_size)]
    return len(sizes), sizes[-1]


@pytest.mark.parametrize("student", [epoch_batches, epoch_batches_by_slicing,
                                     lambda n, b: np.array(epoch_batches(n, b)),
                                     lambda n, b: [float(x) for x in epoch_batches(n, b)]])
def test_right_batch_counts_pass(student):
    result = ex.check_epoch_batches(student)
    assert result.passed is True, result.message
    assert "training.fit" in result.message


def test_the_counts_are_what_the_notebook_says():
    assert epoch_batches(200, 20) == (10, 20) and epoch_batches(200, 1) == (200, 1)
    assert epoch_batches(64, 8) == (8, 8) and epoch_batches(100, 32) == (4, 4)


@pytest.mark.parametrize("student, words", [
    (lambda n, b: (n // b, n - (n // b - 1) * b), ["rounded down"]),
    (lambda n, b: (round(n / b), 4), ["rounded down"]),
    (lambda n, b: (n / b, 4), ["not a whole number", "Round up"]),
    (lambda n, b: (n // b + 1, n - (n // b) * b), ["no extra batch", "n // batch_size + 1"]),
    (lambda n, b: (math.ceil(b / n), 1), ["swapped n and batch_size"]),
    (lambda n, b: (n, 1), ["not one"]),
    (lambda n, b: (math.ceil(n / b), b), ["cannot be full"]),
    (lambda n, b: (math.ceil(n / b), n % b), ["full one", "n % batch_size = 0"]),
    (lambda n, b: (math.ceil(n / b), n), ["not all n"]),
    (lambda n, b: math.ceil(n / b), ["single value", "return updates, last"]),
    (lambda n, b: (1, 2, 3), ["3 values"]),
    (lambda n, b: (math.ceil(n / b), None), ["both values"]),
])
def test_each_batch_mistake_gets_its_own_hint(student, words):
    result = ex.check_epoch_batches(student)
    assert result.passed is False
    for word in words:
        assert word in result.message, (word, result.message)


def test_a_wrong_count_names_the_input_and_both_answers():
    result = ex.check_epoch_batches(lambda n, b: (n // b, n % b))
    assert result.message.startswith("epoch_batches(n=100, batch_size=32) returned (3, 4); "
                                     "fit makes 4 updates, the last with 4 examples.")


# ----------------------------------------------------------------------------- where to stop


def early_stopping(val_losses, patience):
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
            continue
        wait += 1
        if wait == patience:
            return best_epoch, epoch
    return best_epoch, 0


def test_the_right_early_stopping_passes():
    result = ex.check_early_stopping(early_stopping)
    assert result.passed is True, result.message
    assert ex.check_early_stopping(lambda l, p: np.array(early_stopping(l, p))).passed is True


def test_the_independent_rule_on_a_curve_worked_by_hand():
    # lowest at epoch 5 (0.58); epochs 6, 7, 8 do not improve: with patience 3 it stops at 8
    assert early_stopping([0.9, 0.7, 0.6, 0.62, 0.58, 0.6, 0.61, 0.63, 0.65], 3) == (5, 8)


def zero_based(losses, patience):
    best, stop = early_stopping(losses, patience)
    return best - 1, max(stop - 1, 0)


def ties_improve(losses, patience):
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss <= best:
            best, best_epoch, wait = loss, epoch, 0
            continue
        wait += 1
        if wait == patience:
            return best_epoch, epoch
    return best_epoch, 0


def never_resets(losses, patience):
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best, best_epoch = loss, epoch
            continue
        wait += 1
        if wait == patience:
            return best_epoch, epoch
    return best_epoch, 0


def sees_the_future(losses, patience):
    best = int(np.argmin(losses)) + 1
    return best, (best + patience if best + patience <= len(losses) else 0)


def no_patience(losses, patience):
    return early_stopping(losses, 1)


def last_epoch_when_not_stopped(losses, patience):
    best, stop = early_stopping(losses, patience)
    return best, stop or len(losses)


def stops_one_late(losses, patience):
    best, stop = early_stopping(losses, patience)
    return best, stop + 1 if stop else 0


def never_stops(losses, patience):
    return early_stopping(losses, patience)[0], 0


@pytest.mark.parametrize("student, words", [
    (zero_based, ["counts epochs from 1", "argmin"]),
    (ties_improve, ["equal to the best", "no improvement"]),
    (never_resets, ["starts again at 0", "in a row"]),
    (sees_the_future, ["lowest loss of the whole list", "never sees the later"]),
    (no_patience, ["first epoch without improvement", "waits 3"]),
    (last_epoch_when_not_stopped, ["never stops early", "return 0"]),
    (stops_one_late, ["best_epoch + patience"]),
    (never_stops, ["does stop here", "Return 0 only"]),
])
def test_each_stopping_mistake_gets_its_own_hint(student, words):
    result = ex.check_early_stopping(student)
    assert result.passed is False
    assert "Hint: " in result.message
    for word in words:
        assert word in result.message, (word, result.message)


def test_a_wrong_stop_names_the_curve_and_both_answers():
    result = ex.check_early_stopping(zero_based)
    assert "patience=3) returned (4, 7); EarlyStopping keeps epoch 5 and stops at epoch 8" in result.message


# ----------------------------------------------------------------------------- not attempted, bad input

CHECKERS = {"check_adam_first_step": ex.check_adam_first_step,
            "check_epoch_batches": ex.check_epoch_batches,
            "check_early_stopping": ex.check_early_stopping}


def answers(checker, value) -> Feedback:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = checker(value)
    assert isinstance(result, Feedback) and result.passed in (True, False, None)
    assert isinstance(result.message, str) and result.message.strip()
    assert repr(result) and result._repr_html_()
    assert not caught, [str(w.message) for w in caught]
    return result


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("nothing", [None, ...])
def test_none_is_not_attempted(name, nothing):
    result = answers(CHECKERS[name], nothing)
    assert result.passed is None and "run this cell again" in result.message


@pytest.mark.parametrize("name", CHECKERS)
def test_unfinished_bodies_are_not_attempted(name):
    def not_implemented(*args):
        raise NotImplementedError

    assert answers(CHECKERS[name], not_implemented).passed is None
    assert answers(CHECKERS[name], lambda *args: None).passed is None


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("value", [42, "f", [1, 2]])
def test_something_that_is_no_function_is_named(name, value):
    result = answers(CHECKERS[name], value)
    assert result.passed is False and "should be a function" in result.message


class Hostile:
    def _raise(self, *args, **kwargs):
        raise RuntimeError("hostile")

    __repr__ = __str__ = __eq__ = __ne__ = __lt__ = __gt__ = __bool__ = __float__ = __int__ = _raise
    __len__ = __iter__ = __getitem__ = __array__ = __index__ = _raise
    __hash__ = object.__hash__


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no message")


def recursing(*args):
    return recursing(*args)


def _raising(exc):
    def student(*args):
        raise exc
    return student


scalars = st.one_of(
    st.none(), st.just(...), st.booleans(), st.integers(), st.just(10 ** 400), st.floats(),
    st.complex_numbers(), st.text(max_size=3), st.binary(max_size=3), st.fractions(),
    st.builds(Hostile), st.builds(object), st.sampled_from([print, np.float64, range(2), {1}]),
)
results = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.tuples(inner, inner),
    st.lists(st.floats(), min_size=1, max_size=6).map(np.array),
    st.dictionaries(st.text(max_size=2), inner, max_size=2)), max_leaves=5)
students = st.one_of(
    results.map(lambda value: lambda *args: value),
    st.sampled_from([ValueError("v"), ZeroDivisionError("z"), RecursionError("r"), KeyError("k"),
                     MemoryError(), StopIteration(), Unprintable()]).map(_raising),
    st.just(recursing),
)


@pytest.mark.parametrize("name", CHECKERS)
@settings(deadline=None, max_examples=150,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(student=students)
def test_every_checker_answers_any_function(name, student):
    answers(CHECKERS[name], student)


@pytest.mark.parametrize("name", CHECKERS)
@settings(deadline=None, max_examples=60)
@given(value=results)
def test_every_checker_answers_any_value(name, value):
    answers(CHECKERS[name], value)


@settings(deadline=None, max_examples=100)
@given(first=st.integers(0, 7), then=results)
def test_a_function_right_at_first_and_then_anything(first, then):
    calls = []

    def student(n, b):
        calls.append(1)
        return epoch_batches(n, b) if len(calls) <= first else then

    answers(ex.check_epoch_batches, student)

    def stopper(losses, patience):
        calls.append(1)
        return early_stopping(losses, patience) if len(calls) <= first else then

    calls.clear()
    answers(ex.check_early_stopping, stopper)


def test_the_notebooks_numbers_are_the_engines():
    from course_utils.nn.regularization import EarlyStopping
    from course_utils.scenes import epochs as E

    losses = [0.9, 0.7, 0.6, 0.62, 0.58, 0.6, 0.61, 0.63, 0.65, 0.7, 0.72]  # Exercise 5's curve
    for patience, expected in ((3, (5, 8)), (1, (3, 4))):
        stopper = EarlyStopping(patience=patience, restore_best_weights=False)
        for loss in losses:
            if stopper.update(loss):
                break
        assert (stopper.best_epoch, stopper.stopped_epoch) == expected == early_stopping(losses, patience)
    assert training_process._fit_batches(100, 32) == (32, 32, 32, 4)  # "4 updates, the last with 4"
    assert E.best_epoch(E.train_epochs("circle", 32)) == 125  # "lowest near epoch 125" (the GIF's alt text)
