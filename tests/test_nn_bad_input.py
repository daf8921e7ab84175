"""Bad input never passes silently in the engine (issue 10): NaN propagates, integers are
computed in float64, and every misuse gets a message that names the argument."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils import nn
from course_utils.nn import functional as F
from course_utils.nn.training import evaluate

NAMES = list(F.ACTIVATIONS)
LOSSES = {  # name -> (loss, a valid target for an input of shape (4, 3))
    "mse": (nn.MSELoss, lambda: np.zeros((4, 3))),
    "l1": (nn.L1Loss, lambda: np.zeros((4, 3))),
    "huber": (nn.HuberLoss, lambda: np.zeros((4, 3))),
    "bce_logits": (nn.BCEWithLogitsLoss, lambda: np.ones((4, 3))),
    "hinge": (nn.HingeLoss, lambda: np.ones((4, 3))),
    "kl": (nn.KLDivLoss, lambda: np.full((4, 3), 1 / 3)),
    "ce": (nn.CrossEntropyLoss, lambda: np.array([0, 2, 1, 0])),
    "ce_probs": (nn.CrossEntropyLoss, lambda: np.full((4, 3), 1 / 3)),
}


def mlp(rng=0):
    return nn.Sequential(nn.Linear(3, 5, rng=rng), nn.Tanh(), nn.Linear(5, 4, rng=rng + 1),
                         nn.ReLU(), nn.Linear(4, 2, rng=rng + 2))


# ----------------------------------------------------------------------------- NaN

def test_sigmoid_of_nan_is_nan():
    x = np.array([np.nan, 0.0])
    for y in (F.sigmoid(x), F.sigmoid_derivative(x), nn.Sigmoid()(x), F.safe_exp(x)):
        assert np.isnan(y[0]) and not np.isnan(y[1])


@pytest.mark.parametrize("name", NAMES)
def test_every_activation_and_its_derivative_keep_nan(name):
    x = np.array([1.0, np.nan, -2.0])
    a = F.ACTIVATIONS[name]
    layer = a.make()
    out = layer(x)
    for y in (a.function(x), a.derivative(x), out):
        assert np.isnan(y[1]) and np.all(np.isfinite(y[[0, 2]])), (name, y)


def test_softmax_and_log_softmax_keep_nan_in_its_row():
    x = np.array([[1.0, np.nan, 0.0], [1.0, 2.0, 3.0]])
    for y in (F.softmax(x), F.log_softmax(x), nn.Softmax()(x)):
        assert np.all(np.isnan(y[0])) and np.all(np.isfinite(y[1]))


@pytest.mark.parametrize("name", list(LOSSES))
def test_a_nan_in_the_input_gives_a_nan_loss(name):
    make, target = LOSSES[name]
    x = np.full((4, 3), 0.2)
    if name == "kl":
        x = np.log(x)
    x[2, 1] = np.nan
    assert math.isnan(make()(x, target()))


def test_a_network_with_one_nan_weight_reports_a_nan_loss_and_accuracy():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 3)), rng.integers(0, 2, size=50)
    model = mlp()
    assert math.isfinite(evaluate(model, nn.CrossEntropyLoss(), x, y)[0])
    model[2].weight.data[1, 3] = np.nan
    loss, accuracy = evaluate(model, nn.CrossEntropyLoss(), x, y)
    assert math.isnan(loss) and math.isnan(accuracy)


# ------------------------------------------------------------------------- integers

def test_integer_inputs_to_losses_are_computed_in_float64_never_wrapped():
    a, b = np.array([10], np.uint8), np.array([20], np.uint8)
    mse = nn.MSELoss()
    assert mse(a, b) == 100.0
    np.testing.assert_array_equal(mse.backward(), [-20.0])
    assert nn.L1Loss()(a, b) == 10.0
    assert nn.HuberLoss()(a, b) == 9.5
    big = nn.MSELoss()
    assert big(np.array([4_000_000_000]), np.array([0])) == pytest.approx(1.6e19, rel=1e-15)
    assert big.backward().dtype == np.float64
    # booleans are numbers too: 0/1 labels
    assert nn.BCEWithLogitsLoss()(np.zeros(2), np.array([True, False])) == pytest.approx(
        math.log(2))


def test_integer_inputs_to_activations_and_linear_give_the_float_result():
    x = np.array([-128, -1, 0, 3, 127], dtype=np.int8)
    for name in NAMES:
        a = F.ACTIVATIONS[name]
        np.testing.assert_array_equal(a.function(x), a.function(x.astype(float)), err_msg=name)
        assert a.function(x).dtype == np.float64, name
    layer = nn.Linear(5, 2, rng=0)
    pixels = np.array([[0, 255, 128, 3, 200]], dtype=np.uint8)
    np.testing.assert_array_equal(layer(pixels), layer(pixels.astype(float)))


# ----------------------------------------------------------- backward before forward

@pytest.mark.parametrize("module", [
    nn.Linear(2, 3), nn.Identity(), nn.Step(), nn.Sigmoid(), nn.Tanh(), nn.ReLU(),
    nn.LeakyReLU(), nn.ELU(), nn.GELU(), nn.Softplus(), nn.SiLU(), nn.Softmax(),
    nn.Dropout(0.5), nn.Flatten(), nn.Conv2d(1, 2, 3), nn.MaxPool2d(2), nn.RNN(2, 3),
    nn.LSTM(2, 3), nn.MSELoss(), nn.L1Loss(), nn.BCELoss(), nn.BCEWithLogitsLoss(),
    nn.CrossEntropyLoss(), nn.HingeLoss(), nn.KLDivLoss(), nn.HuberLoss(),
], ids=lambda m: type(m).__name__)
def test_backward_before_forward_says_so(module):
    with pytest.raises(RuntimeError, match=rf"{type(module).__name__}\.backward\(\) was "
                                           r"called before forward\(\)"):
        module.backward(np.ones((2, 3)))


def test_sequential_backward_before_forward_names_the_module():
    with pytest.raises(RuntimeError, match=r"Linear\.backward\(\) was called before"):
        mlp().backward(np.ones((2, 2)))


# ------------------------------------------------------------------------- empty

@pytest.mark.parametrize("x", [np.array([]), np.zeros((3, 0))], ids=["(0,)", "(3, 0)"])
def test_softmax_of_nothing_says_what_it_needs(x):
    for f in (F.softmax, F.log_softmax, nn.Softmax()):
        with pytest.raises(ValueError, match=r"at least one number along dim=-1"):
            f(x)


def test_softmax_of_an_empty_batch_is_an_empty_batch_and_a_bad_dim_is_named():
    assert F.softmax(np.zeros((0, 3))).shape == (0, 3)
    with pytest.raises(ValueError, match=r"dim=2 does not fit x of shape \(2, 3\)"):
        F.softmax(np.zeros((2, 3)), dim=2)


@pytest.mark.parametrize("name", list(LOSSES))
def test_a_loss_of_nothing_says_so(name):
    make, _ = LOSSES[name]
    target = np.zeros(0, dtype=int) if name == "ce" else np.zeros((0, 3))
    with pytest.raises(ValueError, match=r"input is empty \(shape \(0, 3\)\)"):
        make()(np.zeros((0, 3)), target)


# ----------------------------------------------------------------- wrong arguments

def test_lstm_hx_must_be_a_pair():
    lstm, x = nn.LSTM(3, 4), np.zeros((5, 2, 3))
    h0 = np.zeros((1, 2, 4))
    for hx, got in ((h0, r"an array of shape \(1, 2, 4\)"), ((h0,), "a tuple of length 1")):
        with pytest.raises(TypeError, match=r"hx must be a pair \(h0, c0\).*got " + got):
            lstm(x, hx)
    assert lstm(x, (h0, h0))[0].shape == (5, 2, 4)


@pytest.mark.parametrize("make, name", [
    (lambda: nn.Linear(True, 2), "in_features"), (lambda: nn.Linear(2, True), "out_features"),
    (lambda: nn.Conv2d(True, 2, 3), "in_channels"), (lambda: nn.RNN(2, True), "hidden_size"),
    (lambda: nn.LSTM(True, 2), "input_size"), (lambda: nn.Linear(np.bool_(True), 2),
                                               "in_features"),
])
def test_a_boolean_is_not_a_size(make, name):
    with pytest.raises(ValueError, match=rf"{name} must be a positive integer, got "):
        make()


@pytest.mark.parametrize("call, name", [
    (lambda x: nn.Linear(1, 2)(x), "Linear: the input"),
    (lambda x: nn.Tanh()(x), "Tanh: the input"),
    (lambda x: F.sigmoid(x), "x"),
    (lambda x: nn.MSELoss()(x, x), "MSELoss: input"),
    (lambda x: nn.MSELoss()(np.zeros((2, 1)), x), "MSELoss: target"),
    (lambda x: nn.CrossEntropyLoss()(x, np.array([0, 0])), "CrossEntropyLoss: input"),
    (lambda x: nn.Conv2d(1, 1, 1)(x), "Conv2d: the input"),
    (lambda x: nn.LSTM(1, 2)(x), "LSTM: the input"),
])
def test_text_is_not_numbers(call, name):
    with pytest.raises(TypeError, match=rf"{name} must be numbers .*got an array of dtype "
                                        r"<U1, e\.g\. 'a'"):
        call(np.array([["a"], ["b"]]))


def test_integer_one_hot_targets_get_the_real_reason():
    with pytest.raises(TypeError) as info:
        nn.CrossEntropyLoss()(np.zeros((2, 3)), np.eye(3, dtype=int)[[0, 1]])
    message = str(info.value)
    assert "integer one-hot targets" in message and "does not fit" not in message
    assert "class indices of shape (2,)" in message
    assert "float probabilities of shape (2, 3)" in message
    # what it says to do works
    onehot = np.eye(3, dtype=int)[[0, 1]]
    ce = nn.CrossEntropyLoss()
    assert ce(np.zeros((2, 3)), onehot.argmax(axis=1)) == pytest.approx(math.log(3))
    assert ce(np.zeros((2, 3)), onehot.astype(float)) == pytest.approx(math.log(3))


# --------------------------------------------------------- no warnings, right answers

@pytest.mark.filterwarnings("error")
def test_finite_extremes_give_the_right_answer_without_warnings():
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(F.gelu_derivative(np.array([-1e300, 1e300])), [0, 1])
        assert nn.GELU()(np.array([1e300])) == 1e300
        for x in (np.array([-3e38, 3e38], np.float32), np.array([1e308, -1e308])):
            big = int(np.argmax(x))
            expected = np.zeros(2)
            expected[big] = 1.0
            np.testing.assert_array_equal(F.softmax(x), expected)
            np.testing.assert_array_equal(nn.Softmax()(x), expected)
            log_p = F.log_softmax(x)
            assert log_p[big] == 0.0 and log_p[1 - big] == -np.inf


# ------------------------------------------------------------------- properties

floats = st.floats(-1e4, 1e4, allow_nan=False, allow_subnormal=False)
poison = st.sampled_from([np.nan, np.inf, -np.inf])


def _poisoned(draw_array, where, value):
    x = draw_array.copy()
    x.flat[where % x.size] = value
    return x


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=5),
                  elements=floats), st.integers(0, 100))
def test_nan_anywhere_in_an_activation_input_is_nan_at_that_place(x, where):
    x = _poisoned(x, where, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in NAMES:
            a = F.ACTIVATIONS[name]
            for y in (a.function(x), a.derivative(x), a.make()(x)):
                np.testing.assert_array_equal(np.isnan(y), np.isnan(x), err_msg=name)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.just(3)), elements=floats),
       st.integers(0, 100), poison)
def test_nan_or_inf_in_an_example_reaches_its_output_in_linear_and_an_mlp(x, where, value):
    x = _poisoned(x, where, value)
    bad_rows = ~np.isfinite(x).all(axis=1)
    with np.errstate(all="ignore"):
        out_linear = nn.Linear(3, 2, rng=0)(x)
        out_mlp = mlp()(x)
    assert not np.isfinite(out_linear[bad_rows]).any()  # all weights are non-zero
    np.testing.assert_array_equal(np.isfinite(out_linear).all(axis=1), ~bad_rows)
    if np.isnan(value):
        np.testing.assert_array_equal(np.isnan(out_mlp).all(axis=1), bad_rows)
    np.testing.assert_array_equal(np.isfinite(out_mlp[~bad_rows]), True)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, (4, 3), elements=st.floats(-30, 30, allow_subnormal=False)),
       st.integers(0, 11), st.sampled_from(sorted(LOSSES)), st.booleans())
def test_nan_anywhere_in_a_loss_input_or_target_gives_nan(x, where, name, in_target):
    make, target = LOSSES[name]
    target = target()
    if name == "kl":
        x = F.log_softmax(x)
    if in_target and target.dtype.kind == "f":
        target = _poisoned(target, where, np.nan)
    else:
        x = _poisoned(x, where, np.nan)
    with np.errstate(all="ignore"):
        assert math.isnan(make()(x, target))


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.int64, st.tuples(st.integers(1, 4), st.just(3)),
                  elements=st.integers(-10**6, 10**6)),
       hnp.arrays(np.int64, 3, elements=st.integers(-10**6, 10**6)),
       st.sampled_from([np.int8, np.uint8, np.int32, np.int64, np.uint64, bool]))
def test_integer_inputs_give_the_float_result(x, shift, dtype):
    x = (x + shift).astype(dtype) if dtype is not bool else x > 0
    xf = x.astype(np.float64)
    for name in NAMES:
        f = F.ACTIVATIONS[name].function
        np.testing.assert_array_equal(f(x), f(xf), err_msg=name)
    np.testing.assert_array_equal(nn.Linear(3, 2, rng=0)(x), nn.Linear(3, 2, rng=0)(xf))
    y = x[::-1]
    for make in (nn.MSELoss, nn.L1Loss, nn.HuberLoss):
        a, b = make(), make()
        assert a(x, y) == b(xf, y.astype(np.float64))
        np.testing.assert_array_equal(a.backward(), b.backward())
