"""The Regularization chapter's checkers: right answers pass, the usual slips get their own
hint, the right answers agree with the engine (finite differences, a model trained with
fit, EarlyStopping restoring weights), and nothing a student types makes a checker raise."""

import math

import numpy as np
import pytest
from hypothesis import given

from course_utils import nn
from course_utils.exercises import regularization as ex
from course_utils.nn import optim, training
from course_utils.nn.module import Parameter
from course_utils.nn.regularization import EarlyStopping, l1_penalty, l2_penalty

from test_exercises_bad_input import BIG, CHECK, answers, functions, values

# ----------------------------------------------------------------------------- the L2 gradient


def test_the_l2_reference_is_the_finite_difference_gradient_of_the_penalty():
    h = 1e-6
    for w, lam in ex._L2_CASES:
        penalty = lambda v: lam / 2 * np.sum(v ** 2)  # noqa: E731 - the formula, written out
        numeric = np.zeros_like(w)
        for i in np.ndindex(w.shape):
            step = np.zeros_like(w)
            step[i] = h
            numeric[i] = (penalty(w + step) - penalty(w - step)) / (2 * h)
        np.testing.assert_allclose(ex._l2_gradient(w, lam), numeric, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(numeric, lam * w, rtol=1e-6, atol=1e-9)


def test_the_l2_gradient_is_the_term_weight_decay_adds():
    # the pass message says so: an SGD step with lr=1 on a zero gradient moves w by -lam * w
    w, lam = ex._L2_CASES[0]
    p = Parameter(w)
    optim.SGD([p], lr=1.0, weight_decay=lam).step()
    np.testing.assert_allclose(w - p.data, ex._l2_gradient(w, lam), rtol=1e-12)


def test_l2_gradient_accepts_lam_times_w():
    assert ex.check_l2_gradient(lambda w, lam: lam * w).passed is True
    assert ex.check_l2_gradient(lambda w, lam: np.multiply(w, lam).tolist()).passed is True

    def in_place(w, lam):
        w *= lam
        return w
    assert ex.check_l2_gradient(in_place).passed is True

    def through_the_engine(w, lam):
        p = Parameter(w)
        l2_penalty([p], lam)
        return p.grad
    result = ex.check_l2_gradient(through_the_engine)
    assert result.passed is True and "weight_decay" in result.message


@pytest.mark.parametrize("slip, words", [
    (lambda w, lam: w, "lam is missing"),
    (lambda w, lam: 2 * lam * w, "without the 1/2"),
    (lambda w, lam: lam * w / 2, "the 1/2 cancels with the 2"),
    (lambda w, lam: -lam * w, "the sign is wrong"),
    (lambda w, lam: lam * np.sign(w), "gradient of L1"),
    (lambda w, lam: lam / 2 * np.sum(w ** 2), "the penalty itself"),
    (lambda w, lam: lam * np.sum(w ** 2), "the penalty itself"),
    (lambda w, lam: lam / 2 * w ** 2, "each weight's share of the penalty"),
    (lambda w, lam: lam * w ** 2, "not a derivative yet"),
])
def test_l2_gradient_names_each_slip(slip, words):
    result = ex.check_l2_gradient(slip)
    assert result.passed is False and words in result.message, result.message
    assert "l2_gradient([0.5, -2.0, 1.5], 0.1)" in result.message  # names the input


def test_each_l2_slip_has_its_own_message():
    slips = [lambda w, lam: w, lambda w, lam: 2 * lam * w, lambda w, lam: lam * w / 2,
             lambda w, lam: -lam * w, lambda w, lam: lam * np.sign(w), lambda w, lam: lam / 2 * w ** 2,
             lambda w, lam: lam * w ** 2, lambda w, lam: lam / 2 * np.sum(w ** 2)]
    hints = [ex.check_l2_gradient(s).message.split("Hint: ")[-1] for s in slips]
    assert len(set(hints[:-1])) == len(hints) - 1  # the penalty's message ends in the rule


def test_l2_gradient_on_a_matrix_and_bad_functions():
    flat = ex.check_l2_gradient(lambda w, lam: lam * w.ravel())  # right on vectors, not on the matrix
    assert flat.passed is False and "shape (6,)" in flat.message and "(2, 3)" in flat.message
    assert ex.check_l2_gradient(None).passed is None
    assert ex.check_l2_gradient(...).passed is None
    assert ex.check_l2_gradient(lambda w, lam: ...).passed is None
    assert ex.check_l2_gradient(lambda w, lam: None).passed is None
    assert ex.check_l2_gradient("lam * w").passed is False
    assert "too large" in ex.check_l2_gradient(lambda w, lam: BIG).message
    assert "the text" in ex.check_l2_gradient(lambda w, lam: "lam * w").message

    def not_yet(w, lam):
        raise NotImplementedError
    assert ex.check_l2_gradient(not_yet).passed is None

    def fails_without_a_penalty(w, lam):
        if lam == 0:
            raise ZeroDivisionError("no lam")
        return lam * w
    result = ex.check_l2_gradient(fails_without_a_penalty)
    assert result.passed is False and "l2_gradient([1.0, -1.0, 2.5], 0.0) raised ZeroDivisionError" in result.message
    crash = ex.check_l2_gradient(lambda w, lam: 1 // 0)
    assert crash.passed is False and "ZeroDivisionError" in crash.message


# ----------------------------------------------------------------------------- L1's zeros

LR, EPOCHS = 0.01, 3000


def _train(penalty=None, weight_decay=0.0):
    x, y = ex.orthonormal_problem()
    model = nn.Linear(len(ex.U), 1, bias=False, rng=0)
    training.fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=LR, weight_decay=weight_decay),
                 x, y, epochs=EPOCHS, batch_size=len(x), shuffle=False, verbose=0, accuracy=None,
                 penalty=penalty)
    return model.weight.data.ravel()


def test_the_problem_is_least_squares_with_orthonormal_inputs():
    x, y = ex.orthonormal_problem()
    np.testing.assert_allclose(x.T @ x / len(x), np.eye(len(ex.U)), atol=1e-12)
    np.testing.assert_allclose(np.linalg.lstsq(x, y, rcond=None)[0].ravel(), ex.U, atol=1e-12)
    assert np.linalg.norm(y - x @ np.array(ex.U)[:, None]) > 1  # noise the model cannot fit
    assert ex.U == (2.0, -0.3, 0.8, 0.05, -1.2) and ex.LAM == 1.0


def test_l1_trained_with_fit_zeroes_weights_1_and_3_as_soft_thresholding_says():
    w = _train(penalty=lambda ps: l1_penalty(ps, ex.LAM))
    # Full-batch gradient descent on (w_i - u_i)**2 + lam |w_i| (curvature 2): a weight
    # whose optimum is not 0, once it has that optimum's sign, converges like
    # (1 - 2 lr)**epochs = e**-60 to the closed form; a weight whose optimum is 0 steps
    # over 0 again and again (sign(w) flips), each step at most lr * (lam + 2 |u_i|), so
    # it stays within 2 lr lam = 0.02 of 0, since |u_i| < lam / 2 there.
    near_zero = np.abs(w) <= 2 * LR * ex.LAM
    zeros = sorted(int(i) for i in np.flatnonzero(near_zero))
    assert zeros == [1, 3]
    assert ex.check_l1_zeros(zeros).passed is True
    u = np.array(ex.U)
    soft = np.sign(u) * np.maximum(np.abs(u) - ex.LAM / 2, 0)  # threshold lam/2: MSE has no 1/2
    np.testing.assert_allclose(w[~near_zero], soft[~near_zero], rtol=1e-9)
    np.testing.assert_allclose(soft, [1.5, 0, 0.3, 0, -0.7], atol=1e-15)
    np.testing.assert_allclose(ex._l1_weights(ex.U, ex.LAM), soft, atol=1e-15)
    assert np.all(np.abs(w[~near_zero]) >= 0.3 - 1e-9)  # far from the band around 0


def test_l2_trained_with_fit_shrinks_every_weight_and_zeroes_none():
    for kwargs in (dict(weight_decay=ex.LAM), dict(penalty=lambda ps: l2_penalty(ps, ex.LAM))):
        w = _train(**kwargs)
        np.testing.assert_allclose(w, np.array(ex.U) / (1 + ex.LAM / 2), rtol=1e-9)
        assert np.min(np.abs(w)) > 0.03
    assert ex.check_l1_zeros([]).passed is False  # what L2 would answer


@pytest.mark.parametrize("answer", [[1, 3], [3, 1], {1, 3}, (1, 3), np.array([1, 3]), [1.0, 3.0],
                                    np.array([1, 3], dtype=np.int8), [1, 3, 3], frozenset({3, 1})])
def test_l1_zeros_accepts_the_indices_in_any_form(answer):
    result = ex.check_l1_zeros(answer)
    assert result.passed is True and "[1, 3] is right" in result.message


@pytest.mark.parametrize("answer, words", [
    ([], "L2's answer"),
    (set(), "L2's answer"),
    ([2, 4], "counts from 1"),
    ([0, 2, 4], "the weights that stay"),
    ([1, 2, 3], "threshold is lam/2 = 0.5"),
    ([-0.3, 0.05], "are weights from u"),
    ([1.5, 0.0, 0.3, 0.0, -0.7], "are weights, not positions"),
    ([False, True, False, True, False], "looks like a yes/no"),
    ([0, 1, 0, 1, 0], "looks like a yes/no"),
    ([1, 7], "positions 0 to 4"),
    ([3], "|u_i| <= lam/2"),
    (3, "|u_i| <= lam/2"),
    ([1, 2.5], "not whole numbers"),
    ([[1, 3]], "a flat list"),
    ("1, 3", "the text"),
    ([1, float("nan")], "not whole numbers"),
    (BIG, "too large"),
    ([1, BIG], "too large"),
    ({"zeros": [1, 3]}, "not a number"),
])
def test_l1_zeros_names_each_slip(answer, words):
    result = answers(ex.check_l1_zeros, answer)
    assert result.passed is False and words in result.message, result.message


def test_l1_zeros_not_attempted():
    for nothing in (None, ...):
        assert ex.check_l1_zeros(nothing).passed is None


# ----------------------------------------------------------------------------- early stopping


def _by_hand(losses, patience):
    """EarlyStopping's rule written out: (stopped, best), epochs from 1."""
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return epoch, best_epoch
    return 0, best_epoch


class _EpochModel:
    """A model whose one weight is the number of the epoch it was trained for."""

    def __init__(self):
        self.weight = Parameter(np.zeros(1))

    def parameters(self):
        return [self.weight]


def test_early_stopping_stops_at_7_and_restores_epoch_4():
    assert _by_hand(ex.VAL_LOSSES, ex.PATIENCE) == (7, 4) == ex._early_stopping()
    # the restored weights are really epoch 4's: EarlyStopping with a model
    model, stopper = _EpochModel(), EarlyStopping(patience=ex.PATIENCE)
    for epoch, loss in enumerate(ex.VAL_LOSSES, start=1):
        model.weight.data[...] = epoch  # "training" epoch `epoch`
        if stopper.update(loss, model):
            break
    assert stopper.stopped_epoch == 7 and model.weight.data[0] == 4
    # the lesson of the curve: its lowest loss comes after the stop, never seen
    assert int(np.argmin(ex.VAL_LOSSES)) + 1 == 10 and min(ex.VAL_LOSSES) == 0.44
    assert ex.VAL_LOSSES[5] < ex.VAL_LOSSES[4] and ex.VAL_LOSSES[5] > ex.VAL_LOSSES[3]  # the trap
    assert len(ex.VAL_LOSSES) == 12 and ex.PATIENCE == 3


@pytest.mark.parametrize("answer", [(7, 4), [7, 4], np.array([7, 4]), (7.0, 4.0), (np.int64(7), 4)])
def test_stopping_epoch_accepts_7_and_4(answer):
    result = ex.check_stopping_epoch(answer)
    assert result.passed is True and "never sees it" in result.message


@pytest.mark.parametrize("answer, words", [
    ((4, 7), "other order"),
    ((6, 3), "(6, 3) counts from 0"),
    ((7, 3), "the restored epoch, 3, is counted from 0"),
    ((6, 4), "best epoch + 3"),
    ((8, 4), "best epoch + 3"),
    ((5, 4), "first epoch without improvement"),
    ((4, 4), "best epoch twice"),
    ((7, 10), "lowest loss of the whole curve"),
    ((13, 10), "lowest loss of the whole curve"),
    ((0, 10), "not merely below the epoch before"),
    ((12, 4), "does stop before the curve ends"),
    ((0, 4), "does stop before the curve ends"),
    ((7, 7), "weights of the last epoch"),
    ((2, 1), "not what EarlyStopping does"),
    ((7.5, 4), "not what EarlyStopping does"),
    (7, "a single value"),
    ((7, 4, 3), "holds 3 values"),
    (("7", 4), "the text"),
    ((True, 4), "truth value"),
    ((BIG, 4), "too large"),
    (BIG, "a single value"),
    ({"stopped": 7, "restored": 4}, "a single value"),
])
def test_stopping_epoch_names_each_slip(answer, words):
    result = answers(ex.check_stopping_epoch, answer)
    assert result.passed is False and words in result.message, result.message


@pytest.mark.parametrize("nothing", [None, ..., (None, None), (7, None), [..., 4]])
def test_stopping_epoch_not_attempted(nothing):
    assert ex.check_stopping_epoch(nothing).passed is None


# ----------------------------------------------------------------------------- any Python value

CHECKERS = [ex.check_l2_gradient, ex.check_l1_zeros, ex.check_stopping_epoch]


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("nothing", [None, ...])
def test_none_means_not_attempted(checker, nothing):
    result = answers(checker, nothing)
    assert result.passed is None and "run this cell again" in result.message


@pytest.mark.parametrize("checker", CHECKERS)
def test_a_huge_integer_gets_an_answer(checker):
    for value in (BIG, (BIG, BIG), lambda *args: BIG):
        result = answers(checker, value)
        assert result.passed is False and len(result.message) < 600


@pytest.mark.parametrize("checker", CHECKERS)
@CHECK
@given(value=values)
def test_every_checker_answers_any_value(checker, value):
    answers(checker, value)


@CHECK
@given(student=functions)
def test_l2_gradient_answers_any_function(student):
    answers(ex.check_l2_gradient, student)


def test_a_truth_value_is_not_a_position():
    result = ex.check_l1_zeros([True, 3])
    assert result.passed is False and "True or False" in result.message
