"""Tests of the loss functions of course_utils.nn."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils import nn
from course_utils.nn import functional as F

try:
    from gradcheck import assert_close, check_loss, numerical_gradient
except ImportError:  # tests/ imported as a package
    from tests.gradcheck import assert_close, check_loss, numerical_gradient

RNG = np.random.default_rng(0)


def normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def probabilities(n, c, seed=0):
    p = np.random.default_rng(seed).random((n, c)) + 0.1
    return p / p.sum(axis=1, keepdims=True)


def away_from(x, kinks, gap=1e-3):
    """Move entries of ``x`` that are within ``gap`` of a kink (finite differences
    would straddle it)."""
    x = x.copy()
    for k in kinks:
        x = np.where(np.abs(x - k) < gap, k + 0.1, x)
    return x


# --------------------------------------------------------------------- closed forms


def test_mse_by_hand():
    loss = nn.MSELoss()
    assert loss(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 6.0])) == pytest.approx(13 / 3)
    np.testing.assert_allclose(loss.backward(), [0, 4 / 3, -2])
    assert nn.MSELoss(reduction="sum")(np.array([1.0, 2.0]), np.zeros(2)) == 5.0


def test_l1_by_hand():
    loss = nn.L1Loss()
    assert loss(np.array([1.0, -2.0]), np.array([0.0, 0.0])) == 1.5
    np.testing.assert_allclose(loss.backward(), [0.5, -0.5])


def test_bce_by_hand():
    loss = nn.BCELoss()
    p, y = np.array([0.8, 0.25]), np.array([1.0, 0.0])
    assert loss(p, y) == pytest.approx(-(math.log(0.8) + math.log(0.75)) / 2)
    np.testing.assert_allclose(loss.backward(), [-1 / 0.8 / 2, 1 / 0.75 / 2])
    # log clamped at -100, like PyTorch
    assert nn.BCELoss()(np.array([0.0]), np.array([1.0])) == pytest.approx(100.0)
    assert nn.BCELoss()(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0


def test_bce_with_logits_equals_bce_of_sigmoid():
    s, y = normal(10), RNG.random(10)
    assert nn.BCEWithLogitsLoss()(s, y) == pytest.approx(nn.BCELoss()(F.sigmoid(s), y),
                                                         rel=1e-12)
    assert nn.BCEWithLogitsLoss()(np.zeros(4), np.ones(4)) == pytest.approx(math.log(2))


def test_cross_entropy_closed_forms():
    loss = nn.CrossEntropyLoss()
    for classes in (2, 5, 10):
        assert loss(np.zeros((3, classes)), np.array([0, 1, 1])) == pytest.approx(
            math.log(classes), rel=1e-14)
    z = np.array([[0.0, math.log(3)]])          # softmax = [1/4, 3/4]
    assert loss(z, np.array([1])) == pytest.approx(-math.log(0.75))
    np.testing.assert_allclose(loss.backward(), [[0.25, -0.25]])
    # probability targets: same as indices for one-hot targets
    logits, labels = normal(4, 3), np.array([2, 0, 1, 2])
    onehot = np.eye(3)[labels]
    assert loss(logits, onehot) == pytest.approx(loss(logits, labels), rel=1e-14)
    grad_onehot = loss.backward()
    loss(logits, labels)
    np.testing.assert_allclose(grad_onehot, loss.backward())
    assert nn.CrossEntropyLoss(reduction="sum")(np.zeros((3, 4)), np.zeros(3, int)) == \
        pytest.approx(3 * math.log(4))


def test_hinge_by_hand():
    loss = nn.HingeLoss()
    s, y = np.array([2.0, 0.5, -0.5, 0.3]), np.array([1.0, 1.0, 1.0, -1.0])
    assert loss(s, y) == pytest.approx((0 + 0.5 + 1.5 + 1.3) / 4)
    np.testing.assert_allclose(loss.backward(), [0, -0.25, -0.25, 0.25])


def test_kl_closed_forms():
    loss = nn.KLDivLoss()
    p = probabilities(3, 4)
    assert loss(np.log(p), p) == pytest.approx(0.0, abs=1e-15)   # KL(p || p) = 0
    q = np.array([[0.5, 0.5]])
    t = np.array([[1.0, 0.0]])                                    # 0 log 0 = 0
    assert loss(np.log(q), t) == pytest.approx(math.log(2))
    t2 = np.array([[0.25, 0.75], [0.5, 0.5]])
    expected = (0.25 * math.log(0.5) + 0.75 * math.log(1.5)) / 2  # batchmean
    assert loss(np.log(np.full((2, 2), 0.5)), t2) == pytest.approx(expected)
    assert nn.KLDivLoss(reduction="sum")(np.log(np.full((2, 2), 0.5)), t2) == \
        pytest.approx(2 * expected)
    assert nn.KLDivLoss(reduction="mean")(np.log(np.full((2, 2), 0.5)), t2) == \
        pytest.approx(expected / 2)


def test_huber_closed_forms():
    loss = nn.HuberLoss()
    d = np.array([0.3, -0.9, 0.0])
    assert loss(d, np.zeros(3)) == pytest.approx(np.mean(0.5 * d ** 2))   # inside delta
    assert loss(np.array([3.0, -5.0]), np.zeros(2)) == pytest.approx((2.5 + 4.5) / 2)
    big = nn.HuberLoss(delta=2.0)
    assert big(np.array([3.0]), np.zeros(1)) == pytest.approx(2 * (3 - 1))
    np.testing.assert_allclose(big.backward(), [2.0])
    assert repr(big) == "HuberLoss(delta=2.0)"


# ------------------------------------------------------------------------ gradients

GRADIENT_CASES = {
    "mse": (nn.MSELoss(), normal(4, 3), normal(4, 3, seed=1)),
    "mse_sum": (nn.MSELoss(reduction="sum"), normal(5), normal(5, seed=1)),
    "l1": (nn.L1Loss(), normal(4, 3), normal(4, 3, seed=1)),
    "bce": (nn.BCELoss(), RNG.uniform(0.05, 0.95, (6,)), RNG.random(6)),
    "bce_logits": (nn.BCEWithLogitsLoss(), 3 * normal(6), RNG.random(6)),
    "ce": (nn.CrossEntropyLoss(), normal(5, 4), np.array([0, 3, 1, 1, 2])),
    "ce_probs": (nn.CrossEntropyLoss(), normal(5, 4), probabilities(5, 4)),
    "ce_sum": (nn.CrossEntropyLoss(reduction="sum"), normal(3, 2), np.array([1, 0, 1])),
    "hinge": (nn.HingeLoss(), normal(8), np.array([1.0, -1] * 4)),
    "kl": (nn.KLDivLoss(), np.log(probabilities(3, 4, seed=1)), probabilities(3, 4)),
    "huber": (nn.HuberLoss(delta=0.7), 2 * normal(10), normal(10, seed=1)),
}


@pytest.mark.parametrize("case", GRADIENT_CASES)
def test_loss_gradient_matches_finite_differences(case):
    criterion, x, target = GRADIENT_CASES[case]
    if case == "hinge":
        x = away_from(x * target, [1.0]) * target    # margin y*s away from 1
    elif case == "huber":
        x = target + away_from(x - target, [-0.7, 0.7])
    elif case == "l1":
        x = target + away_from(x - target, [0.0])
    check_loss(criterion, x, target)


def test_backward_grad_output_scales():
    loss = nn.MSELoss()
    loss(np.array([1.0, 2.0]), np.zeros(2))
    np.testing.assert_allclose(loss.backward(3.0), 3 * loss.backward())


def test_loss_then_network_backward():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 3, rng=1))
    x, labels = normal(5, 3), np.array([0, 2, 1, 1, 0])
    criterion = nn.CrossEntropyLoss()

    def loss():
        return criterion(model(x), labels)

    loss()
    model.zero_grad()
    model.backward(criterion.backward())
    for name, p in model.named_parameters():
        assert_close(p.grad, numerical_gradient(loss, p.data), name)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("criterion", [nn.MSELoss(), nn.L1Loss(), nn.BCELoss(),
                                       nn.BCEWithLogitsLoss(), nn.HingeLoss(),
                                       nn.KLDivLoss(), nn.HuberLoss()], ids=repr)
def test_shape_mismatch_names_both_shapes(criterion):
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        criterion(np.full((4, 1), 0.5), np.full(4, 0.5))


def test_cross_entropy_errors():
    loss = nn.CrossEntropyLoss()
    with pytest.raises(ValueError, match=r"\(4,\)"):
        loss(np.zeros(4), np.zeros(4, int))
    with pytest.raises(ValueError, match=r"\(3,\).*\(4, 5\)"):
        loss(np.zeros((4, 5)), np.zeros(3, int))
    with pytest.raises(ValueError, match=r"\[0, 5\)"):
        loss(np.zeros((2, 5)), np.array([0, 5]))
    with pytest.raises(ValueError, match=r"\[0, 5\)"):
        loss(np.zeros((2, 5)), np.array([-1, 0]))
    with pytest.raises(TypeError, match="integers"):
        loss(np.zeros((2, 5)), np.array([0.0, 1.0]))


def test_target_value_errors():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        nn.BCELoss()(np.array([1.5, 0.5]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="-1 or \\+1"):
        nn.HingeLoss()(np.array([1.0, 0.5]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=">= 0"):
        nn.KLDivLoss()(np.zeros(2), np.array([-0.5, 1.5]))
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="none")
    with pytest.raises(ValueError, match="delta"):
        nn.HuberLoss(delta=0)


# ------------------------------------------------------------------------ stability

BIG = np.array([-1e4, -1e3, -50.0, 0.0, 50.0, 1e3, 1e4])


def extreme_cases():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [1e4, 1e4, 1e4]])
    return {
        "mse": (nn.MSELoss(), BIG, -BIG),
        "l1": (nn.L1Loss(), BIG, -BIG),
        "bce": (nn.BCELoss(), np.array([0.0, 1.0, 0.0, 1.0, 0.5]),
                np.array([1.0, 0.0, 0.0, 1.0, 0.3])),
        "bce_logits_1": (nn.BCEWithLogitsLoss(), BIG, np.ones(7)),
        "bce_logits_0": (nn.BCEWithLogitsLoss(), BIG, np.zeros(7)),
        "ce": (nn.CrossEntropyLoss(), logits, np.array([1, 0, 2])),
        "ce_probs": (nn.CrossEntropyLoss(), logits, np.full((3, 3), 1 / 3)),
        "hinge": (nn.HingeLoss(), BIG, np.ones(7)),
        "kl": (nn.KLDivLoss(), F.log_softmax(logits), np.array([[0.0, 1.0, 0.0]] * 3)),
        "huber": (nn.HuberLoss(), BIG, -BIG),
    }


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("case", list(extreme_cases()))
def test_extreme_inputs_are_finite_without_warnings(case):
    criterion, x, target = extreme_cases()[case]
    with np.errstate(all="raise"):
        value = criterion(x, target)
        grad = criterion.backward()
    assert math.isfinite(value) and value >= 0
    assert np.all(np.isfinite(grad))


@pytest.mark.filterwarnings("error")
def test_extreme_values_are_right():
    with np.errstate(all="raise"):
        # confidently right: loss 0; confidently wrong by 1e4: loss 1e4
        assert nn.BCEWithLogitsLoss()(np.array([1e4]), np.array([1.0])) == 0.0
        assert nn.BCEWithLogitsLoss()(np.array([-1e4]), np.array([1.0])) == 1e4
        ce = nn.CrossEntropyLoss()
        assert ce(np.array([[1e4, -1e4]]), np.array([0])) == 0.0
        assert ce(np.array([[1e4, -1e4]]), np.array([1])) == 2e4
        np.testing.assert_allclose(ce.backward(), [[1.0, -1.0]])


# ----------------------------------------------------------------------- properties

values = st.floats(-1e4, 1e4, allow_nan=False, allow_subnormal=False)
vectors = st.integers(1, 12).flatmap(
    lambda n: st.tuples(hnp.arrays(np.float64, n, elements=values),
                        hnp.arrays(np.float64, n, elements=values)))


@settings(max_examples=50, deadline=None)
@given(vectors)
def test_regression_losses_are_non_negative_and_zero_at_target(pair):
    x, y = pair
    for criterion in (nn.MSELoss(), nn.L1Loss(), nn.HuberLoss()):
        assert criterion(x, y) >= 0
        assert criterion(y, y) == 0
    assert nn.HuberLoss()(x, y) <= nn.MSELoss()(x, y) / 2 + 1e-9 * (1 + np.abs(x - y).max())


@settings(max_examples=50, deadline=None)
@given(vectors)
def test_classification_losses_are_non_negative(pair):
    s, t = pair
    y01 = (t > 0).astype(float)
    assert nn.BCEWithLogitsLoss()(s, y01) >= 0
    assert nn.BCELoss()(F.sigmoid(s), y01) >= 0
    assert nn.HingeLoss()(s, 2 * y01 - 1) >= 0
    logits = np.stack([s, t], axis=1)
    labels = (t > s).astype(int)
    assert nn.CrossEntropyLoss()(logits, labels) >= 0
    assert nn.CrossEntropyLoss()(logits, F.softmax(np.stack([t, s], 1))) >= 0


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 5)),
                  elements=st.floats(-30, 30, allow_subnormal=False)),
       st.integers(0, 2 ** 32 - 1))
def test_kl_is_non_negative(logits, seed):
    target = probabilities(*logits.shape, seed=seed)
    assert nn.KLDivLoss()(F.log_softmax(logits), target) >= -1e-12


# Every loss with a PyTorch equivalent is also checked against values recorded from
# PyTorch, in tests/test_nn_torch_reference.py. HingeLoss has none; it is checked by
# hand and by finite differences above.
