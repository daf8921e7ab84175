"""Tests of Module/Parameter/Sequential and the layers of course_utils.nn."""

import math

import numpy as np
import pytest

from course_utils import nn

try:
    from gradcheck import check_module, numerical_gradient, assert_close
except ImportError:  # tests/ imported as a package
    from tests.gradcheck import check_module, numerical_gradient, assert_close


def normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


# ------------------------------------------------------------------------ Parameter


def test_parameter_holds_data_and_zero_grad():
    p = nn.Parameter([[1, 2], [3, 4]])
    assert p.data.dtype == np.float64 and p.shape == (2, 2)
    np.testing.assert_array_equal(p.grad, np.zeros((2, 2)))
    p.grad += 1.0
    grad_array = p.grad
    p.zero_grad()
    assert grad_array is p.grad and not p.grad.any()   # zeroed in place


def test_parameter_copies_its_data():
    source = np.ones(3)
    p = nn.Parameter(source)
    p.data[0] = 5.0
    assert source[0] == 1.0


# --------------------------------------------------------------------------- Module


class TwoLayer(nn.Module):
    def __init__(self):
        self.scale = nn.Parameter(np.ones(2))
        self.first = nn.Linear(2, 3, rng=0)
        self.blocks = [nn.Tanh(), nn.Linear(3, 1, rng=1)]


def test_parameters_are_found_recursively_in_definition_order():
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["scale", "first.weight", "first.bias", "blocks.1.weight",
                     "blocks.1.bias"]
    params = list(model.parameters())
    assert params[1] is model.first.weight and params[4] is model.blocks[1].bias
    assert model.num_parameters() == 2 + 6 + 3 + 3 + 1


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2, rng=0)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2


def test_sequential_names_indexing_and_len():
    model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.Tanh(), nn.Linear(8, 1, rng=1))
    assert len(model) == 3
    assert isinstance(model[1], nn.Tanh)
    assert isinstance(model[-1], nn.Linear) and model[-1].out_features == 1
    assert isinstance(model[1:], nn.Sequential) and len(model[1:]) == 2
    assert [type(m) for m in model] == [nn.Linear, nn.Tanh, nn.Linear]
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                        "2.bias"]
    with pytest.raises(TypeError, match="argument 1"):
        nn.Sequential(nn.ReLU(), "relu")


def test_repr_is_like_pytorch():
    model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.ReLU(), nn.Linear(8, 1, bias=False))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=8, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=8, out_features=1, bias=False)\n"
        ")")
    nested = nn.Sequential(nn.Sequential(nn.Tanh()))
    assert repr(nested) == "Sequential(\n  (0): Sequential(\n    (0): Tanh()\n  )\n)"
    assert repr(nn.Conv2d(1, 8, 3)) == "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))"


def test_train_eval_recursive():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    assert model.training and model[1][0].training
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_call_is_forward_and_gradients_accumulate():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1))
    x = normal(5, 3)
    np.testing.assert_array_equal(model(x), model.forward(x))
    g = normal(5, 2, seed=1)
    model.zero_grad()
    model(x)
    model.backward(g)
    once = [p.grad.copy() for p in model.parameters()]
    model(x)
    model.backward(g)
    for p, first in zip(model.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * first)
    model.zero_grad()
    assert not any(p.grad.any() for p in model.parameters())


def test_state_dict_round_trip():
    a, b = nn.Linear(3, 2, rng=0), nn.Linear(3, 2, rng=1)
    state = a.state_dict()
    original = a.weight.data.copy()
    a.weight.data[...] = 0.0                  # the state is a copy
    b.load_state_dict(state)
    np.testing.assert_array_equal(b.weight.data, original)
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        nn.Linear(2, 2).load_state_dict(state)


def test_sequential_gradients():
    model = nn.Sequential(nn.Linear(3, 5, rng=0), nn.Tanh(), nn.Linear(5, 4, rng=1),
                          nn.Sigmoid(), nn.Linear(4, 2, rng=2))
    check_module(model, normal(6, 3))


# --------------------------------------------------------------------------- Linear


def test_linear_forward_by_hand():
    layer = nn.Linear(2, 3)
    layer.weight.data[...] = [[1, 2], [3, 4], [5, 6]]
    layer.bias.data[...] = [0.5, -1, 0]
    out = layer(np.array([[1.0, -1.0], [2.0, 0.5]]))
    np.testing.assert_allclose(out, [[-0.5, -2, -1], [3.5, 7, 13]])


def test_linear_shapes_and_init_bounds():
    layer = nn.Linear(100, 300, rng=0)
    assert layer.weight.shape == (300, 100) and layer.bias.shape == (300,)
    bound = 1 / math.sqrt(100)
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.95 * bound          # uses the whole range
    assert abs(layer.weight.data.mean()) < 0.01
    # uniform on [-k, k] has standard deviation k / sqrt(3)
    assert layer.weight.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert nn.Linear(4, 2, bias=False).bias is None
    assert len(list(nn.Linear(4, 2, bias=False).parameters())) == 1


def test_linear_rng_seed_and_generator():
    a, b = nn.Linear(4, 3, rng=7), nn.Linear(4, 3, rng=7)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    c = nn.Linear(4, 3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.weight.data, c.weight.data)
    assert not np.array_equal(a.weight.data, nn.Linear(4, 3, rng=8).weight.data)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradients(bias):
    check_module(nn.Linear(4, 3, bias=bias, rng=0), normal(5, 4))


def test_linear_gradients_with_extra_leading_dims():
    check_module(nn.Linear(4, 3, rng=0), normal(2, 5, 4))
    layer = nn.Linear(4, 3, rng=0)
    assert layer(normal(4)).shape == (3,)
    check_module(layer, normal(4))


def test_linear_shape_mismatch_names_both_shapes():
    layer = nn.Linear(2, 8)
    with pytest.raises(ValueError, match=r"\(10, 3\).*\(8, 2\)"):
        layer(np.zeros((10, 3)))
    layer(np.zeros((10, 2)))
    with pytest.raises(ValueError, match=r"\(10, 7\).*\(10, 8\)"):
        layer.backward(np.zeros((10, 7)))


@pytest.mark.parametrize("args", [(0, 3), (2, -1), (2.5, 3)])
def test_linear_bad_arguments(args):
    with pytest.raises(ValueError, match="features"):
        nn.Linear(*args)


# -------------------------------------------------------------------------- Dropout


def test_dropout_training_statistics():
    layer = nn.Dropout(0.25, rng=0)
    x = np.ones((200, 500))
    y = layer(x)
    dropped = (y == 0).mean()
    assert dropped == pytest.approx(0.25, abs=0.01)
    np.testing.assert_allclose(y[y != 0], 1 / 0.75)       # inverted scaling
    assert y.mean() == pytest.approx(1.0, abs=0.01)       # expectation preserved
    np.testing.assert_array_equal(layer.mask, y != 0)
    np.testing.assert_array_equal(layer.backward(np.full(x.shape, 2.0)), 2.0 * y)


def test_dropout_eval_is_identity_and_p_edges():
    layer = nn.Dropout(0.5, rng=0).eval()
    x = normal(4, 5)
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)
    np.testing.assert_array_equal(nn.Dropout(0.0)(x), x)
    np.testing.assert_array_equal(nn.Dropout(1.0)(x), np.zeros_like(x))
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="probability"):
            nn.Dropout(p)


def test_dropout_rng_reproducible():
    x = np.ones((10, 10))
    np.testing.assert_array_equal(nn.Dropout(0.5, rng=3)(x), nn.Dropout(0.5, rng=3)(x))


def test_dropout_gradient_with_fixed_mask():
    x = normal(4, 6)
    mask = np.random.default_rng(1).random(x.shape) > 0.4
    layer = nn.Dropout(0.4)
    out = layer(x, mask=mask)
    np.testing.assert_allclose(out, np.where(mask, x / 0.6, 0.0))
    check_module(layer, x, forward_kwargs={"mask": mask})
    with pytest.raises(ValueError, match=r"\(2, 2\).*\(4, 6\)"):
        layer(x, mask=np.ones((2, 2)))


# -------------------------------------------------------------------------- Flatten


def test_flatten_shapes_and_gradient():
    x = normal(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0)(x).shape == (120,)
    assert nn.Flatten(1, 2)(x).shape == (2, 12, 5)
    np.testing.assert_array_equal(nn.Flatten()(x)[1], x[1].ravel())
    check_module(nn.Flatten(), x)
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        nn.Flatten(2)(np.zeros((2, 3)))


# --------------------------------------------------------------------------- Conv2d


def naive_conv2d(x, w, b, stride, padding):
    """Direct loops over the definition (independent of the layer's im2col)."""
    n, c, h, width = x.shape
    o, _, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * padding, width + 2 * padding))
    xp[:, :, padding:padding + h, padding:padding + width] = x
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (width + 2 * padding - kw) // stride + 1
    out = np.zeros((n, o, ho, wo))
    for i in range(n):
        for j in range(o):
            for r in range(ho):
                for s in range(wo):
                    patch = xp[i, :, r * stride:r * stride + kh, s * stride:s * stride + kw]
                    out[i, j, r, s] = np.sum(patch * w[j]) + (b[j] if b is not None else 0)
    return out


def test_conv2d_tiny_example_by_hand():
    layer = nn.Conv2d(1, 1, 2)
    layer.weight.data[...] = [[[[1, 2], [3, 4]]]]
    layer.bias.data[...] = [0.5]
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    np.testing.assert_allclose(layer(x), [[[[37.5, 47.5], [67.5, 77.5]]]])
    strided = nn.Conv2d(1, 1, 2, stride=2, padding=1, bias=False)
    strided.weight.data[...] = [[[[1, 2], [3, 4]]]]
    np.testing.assert_allclose(strided(x), [[[[4, 18], [36, 77]]]])


@pytest.mark.parametrize("stride,padding,kernel", [(1, 0, 3), (2, 1, 3), (1, 2, 2), (3, 1, 2)])
def test_conv2d_matches_naive_loops(stride, padding, kernel):
    layer = nn.Conv2d(3, 4, kernel, stride=stride, padding=padding, rng=0)
    x = normal(2, 3, 7, 6)
    out = layer(x)
    expected = naive_conv2d(x, layer.weight.data, layer.bias.data, stride, padding)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_conv2d_output_shape_and_init():
    layer = nn.Conv2d(3, 16, (5, 3), stride=(2, 1), padding=(1, 0), rng=0)
    assert layer.weight.shape == (16, 3, 5, 3) and layer.bias.shape == (16,)
    assert layer(np.zeros((4, 3, 28, 20))).shape == (4, 16, (28 + 2 - 5) // 2 + 1, 18)
    bound = 1 / math.sqrt(3 * 5 * 3)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.9 * bound


def test_conv2d_gradients_stride2_padding1():
    check_module(nn.Conv2d(2, 3, 3, stride=2, padding=1, rng=0), normal(2, 2, 5, 6))


@pytest.mark.parametrize("kwargs", [{"kernel_size": 2}, {"kernel_size": (2, 3), "padding": (0, 1)},
                                    {"kernel_size": 3, "bias": False}])
def test_conv2d_gradients_other_settings(kwargs):
    check_module(nn.Conv2d(2, 2, rng=1, **kwargs), normal(1, 2, 5, 5, seed=1))


def test_conv2d_errors_name_shapes():
    layer = nn.Conv2d(3, 8, 3)
    with pytest.raises(ValueError, match=r"\(2, 1, 8, 8\).*\(8, 3, 3, 3\)"):
        layer(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"\(3, 8, 8\)"):
        layer(np.zeros((3, 8, 8)))
    with pytest.raises(ValueError, match="larger"):
        layer(np.zeros((1, 3, 2, 2)))
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2d(1, 1, 0)
    with pytest.raises(ValueError, match="stride"):
        nn.Conv2d(1, 1, 3, stride=(1, 0))


# ------------------------------------------------------------------------ MaxPool2d


def test_maxpool_by_hand():
    x = np.array([[1, 5, 2, 0],
                  [3, 4, 8, 1],
                  [0, -1, 6, 7],
                  [2, 9, 3, 3]], dtype=float).reshape(1, 1, 4, 4)
    pool = nn.MaxPool2d(2)
    np.testing.assert_array_equal(pool(x), [[[[5, 8], [9, 7]]]])
    grad = pool.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
    expected = np.zeros((4, 4))
    expected[0, 1], expected[1, 2], expected[3, 1], expected[2, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(grad[0, 0], expected)
    overlapping = nn.MaxPool2d(3, stride=1)
    np.testing.assert_array_equal(overlapping(x), [[[[8, 8], [9, 9]]]])
    grad = overlapping.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    # the 8 is the max of two windows, the 9 of two others: their gradients add up
    assert grad[0, 0, 1, 2] == 3 and grad[0, 0, 3, 1] == 7 and grad.sum() == 10


def test_maxpool_ties_go_to_the_first_maximum():
    """Like PyTorch: on a tie the gradient goes to the first maximum (row-major)."""
    x = np.array([[2.0, 2.0, 0.0, 1.0],
                  [2.0, 2.0, 1.0, 1.0]]).reshape(1, 1, 2, 4)
    pool = nn.MaxPool2d(2)
    pool(x)
    grad = pool.backward(np.array([[[[5.0, 7.0]]]]))
    np.testing.assert_array_equal(grad[0, 0], [[5, 0, 0, 7], [0, 0, 0, 0]])


def test_maxpool_shapes_and_padding():
    assert nn.MaxPool2d(2)(np.zeros((2, 3, 7, 9))).shape == (2, 3, 3, 4)
    assert nn.MaxPool2d(3, stride=2, padding=1)(np.zeros((1, 1, 8, 8))).shape == (1, 1, 4, 4)
    x = -np.ones((1, 1, 2, 2))           # padding is -inf, never the max
    np.testing.assert_array_equal(nn.MaxPool2d(2, padding=1)(x), -np.ones((1, 1, 2, 2)))


@pytest.mark.parametrize("kwargs", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2},
                                    {"kernel_size": 2, "stride": 1},
                                    {"kernel_size": 3, "stride": 2, "padding": 1}])
def test_maxpool_gradients(kwargs):
    x = np.random.default_rng(3).permutation(2 * 2 * 6 * 7).reshape(2, 2, 6, 7) * 0.1
    check_module(nn.MaxPool2d(**kwargs), x)  # distinct values: no ties within eps


def test_cnn_pipeline_gradients():
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(2 * 3 * 3, 3, rng=1))
    x = normal(2, 1, 6, 6, seed=4)
    assert model(x).shape == (2, 3)
    check_module(model, x)


# ------------------------------------------------------------------------ RNN, LSTM


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def naive_rnn(x, w_ih, w_hh, b_ih, b_hh, h, f=np.tanh):
    outputs = []
    for x_t in x:
        h = f(w_ih @ x_t + b_ih + w_hh @ h + b_hh)  # one sample: column-vector form
        outputs.append(h)
    return np.array(outputs), h


def naive_lstm(x, w_ih, w_hh, b_ih, b_hh, h, c):
    """PyTorch's documented LSTM equations, one sample at a time."""
    hidden = len(h)
    outputs = []
    for x_t in x:
        z = w_ih @ x_t + b_ih + w_hh @ h + b_hh
        i, f = sigmoid(z[:hidden]), sigmoid(z[hidden:2 * hidden])
        g, o = np.tanh(z[2 * hidden:3 * hidden]), sigmoid(z[3 * hidden:])
        c = f * c + i * g
        h = o * np.tanh(c)
        outputs.append(h)
    return np.array(outputs), h, c


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_matches_naive_loop(nonlinearity):
    rnn = nn.RNN(3, 4, nonlinearity=nonlinearity, rng=0)
    assert rnn.weight_ih.shape == (4, 3) and rnn.weight_hh.shape == (4, 4)
    assert rnn.bias_ih.shape == (4,) and rnn.bias_hh.shape == (4,)
    assert [n for n, _ in rnn.named_parameters()] == ["weight_ih", "weight_hh", "bias_ih",
                                                      "bias_hh"]
    x, h0 = normal(5, 2, 3), normal(1, 2, 4, seed=1)
    out, h_n = rnn(x, h0)
    assert out.shape == (5, 2, 4) and h_n.shape == (1, 2, 4)
    f = np.tanh if nonlinearity == "tanh" else (lambda z: np.maximum(z, 0))
    params = [p.data for p in rnn.parameters()]
    for b in range(2):
        expected, last = naive_rnn(x[:, b], *params, h0[0, b], f)
        np.testing.assert_allclose(out[:, b], expected, atol=1e-12)
        np.testing.assert_allclose(h_n[0, b], last, atol=1e-12)


def test_rnn_batch_first_unbatched_and_default_state():
    rnn = nn.RNN(3, 4, batch_first=True, rng=0)
    x = normal(2, 5, 3)                               # (N, L, features)
    out, h_n = rnn(x)
    assert out.shape == (2, 5, 4) and h_n.shape == (1, 2, 4)
    np.testing.assert_allclose(out[:, -1], h_n[0])
    time_major = nn.RNN(3, 4, rng=0)
    np.testing.assert_allclose(time_major(x.swapaxes(0, 1))[0], out.swapaxes(0, 1))
    single, h1 = time_major(x[0])                     # (L, features), unbatched
    assert single.shape == (5, 4) and h1.shape == (1, 4)
    np.testing.assert_allclose(single, out[0])


def test_rnn_init_bounds():
    rnn = nn.LSTM(10, 25, rng=0)
    assert rnn.weight_ih.shape == (100, 10) and rnn.weight_hh.shape == (100, 25)
    for p in rnn.parameters():
        assert np.abs(p.data).max() <= 1 / 5 and np.abs(p.data).max() > 0.9 / 5


def test_lstm_matches_naive_loop():
    lstm = nn.LSTM(3, 4, rng=0)
    x, h0, c0 = normal(6, 2, 3), normal(1, 2, 4, seed=1), normal(1, 2, 4, seed=2)
    out, (h_n, c_n) = lstm(x, (h0, c0))
    assert out.shape == (6, 2, 4) and h_n.shape == c_n.shape == (1, 2, 4)
    params = [p.data for p in lstm.parameters()]
    for b in range(2):
        expected, last_h, last_c = naive_lstm(x[:, b], *params, h0[0, b], c0[0, b])
        np.testing.assert_allclose(out[:, b], expected, atol=1e-12)
        np.testing.assert_allclose(h_n[0, b], last_h, atol=1e-12)
        np.testing.assert_allclose(c_n[0, b], last_c, atol=1e-12)


def test_lstm_forget_gate_order():
    """A huge forget-gate bias and a closed input gate keep the cell state."""
    lstm = nn.LSTM(1, 1)
    for p in lstm.parameters():
        p.data[...] = 0.0
    lstm.bias_ih.data[...] = [-50, 50, 0, 50]  # i closed, f open, g = 0, o open
    c0 = np.full((1, 1, 1), 0.7)
    _, (h_n, c_n) = lstm(np.ones((4, 1, 1)), (np.zeros((1, 1, 1)), c0))
    np.testing.assert_allclose(c_n, c0)
    np.testing.assert_allclose(h_n, np.tanh(c0))


def recurrent_loss_check(layer, x, state, seed=0):
    """Check BPTT: L = sum(R * output) + sum(S * h_n) [+ sum(T * c_n)], wrt the input,
    every parameter and the initial state(s)."""
    rng = np.random.default_rng(seed)
    lstm = isinstance(layer, nn.LSTM)
    out, final = layer(x, state)
    r = rng.normal(size=out.shape)
    finals = final if lstm else (final,)
    weights = [rng.normal(size=f.shape) for f in finals]

    def loss():
        out, final = layer(x, state)
        finals = final if lstm else (final,)
        return float(np.sum(r * out) + sum(np.sum(w * f) for w, f in zip(weights, finals)))

    layer.zero_grad()
    layer(x, state)
    grad_x = layer.backward(r, *weights)
    assert_close(grad_x, numerical_gradient(loss, x), "input")
    for name, p in layer.named_parameters():
        assert_close(p.grad, numerical_gradient(loss, p.data), name)
    states = state if lstm else (state,)
    grads = (layer.grad_h0, layer.grad_c0) if lstm else (layer.grad_h0,)
    for s, g in zip(states, grads):
        assert_close(g, numerical_gradient(loss, s), "initial state")


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_gradients(nonlinearity):
    rnn = nn.RNN(3, 4, nonlinearity=nonlinearity, rng=0)
    recurrent_loss_check(rnn, normal(5, 2, 3), normal(1, 2, 4, seed=1))
    check_module(_OutputOnly(nn.RNN(3, 4, batch_first=True, rng=1)), normal(2, 5, 3))


def test_lstm_gradients():
    lstm = nn.LSTM(3, 4, rng=0)
    recurrent_loss_check(lstm, normal(5, 2, 3), (normal(1, 2, 4, seed=1),
                                                  normal(1, 2, 4, seed=2)))
    check_module(_OutputOnly(nn.LSTM(3, 4, batch_first=True, rng=1)), normal(2, 5, 3))
    check_module(_OutputOnly(nn.LSTM(3, 4, rng=2)), normal(5, 3))  # unbatched


class _OutputOnly(nn.Module):
    """Wraps a recurrent layer so that it returns only ``output``."""

    def __init__(self, layer):
        self.layer = layer

    def forward(self, x):
        return self.layer(x)[0]

    def backward(self, grad_output):
        return self.layer.backward(grad_output)


def test_recurrent_errors_name_shapes():
    rnn = nn.RNN(3, 4)
    with pytest.raises(ValueError, match=r"\(5, 2, 6\).*\(4, 3\)"):
        rnn(np.zeros((5, 2, 6)))
    with pytest.raises(ValueError, match=r"\(2, 4\).*\(1, 2, 4\)"):
        rnn(np.zeros((5, 2, 3)), np.zeros((2, 4)))
    out, _ = rnn(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=r"\(5, 2, 3\).*\(5, 2, 4\)"):
        rnn.backward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="hidden_size"):
        nn.LSTM(3, 0)


def test_changing_an_output_in_place_does_not_change_the_gradient():
    """Forward outputs are the caller's to change: backward must use its own copy."""
    from course_utils import nn

    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 3, 2))
    for layer in (nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=-1), nn.RNN(2, 3, rng=0), nn.LSTM(2, 3, rng=0)):
        out = layer(x)
        out = out[0] if isinstance(out, tuple) else out
        g = rng.normal(size=out.shape)
        expected = layer.backward(g.copy())
        layer.zero_grad()
        out2 = layer(x)
        out2 = out2[0] if isinstance(out2, tuple) else out2
        out2 -= 100.0  # e.g. out -= target, done in place
        np.testing.assert_allclose(layer.backward(g.copy()), expected, err_msg=type(layer).__name__)


def test_maxpool_takes_integer_images_with_padding():
    from course_utils import nn

    x = np.arange(16).reshape(1, 1, 4, 4)
    with np.errstate(all="raise"):
        y = nn.MaxPool2d(2, stride=2, padding=1)(x)
    assert y.dtype.kind == "f"
    np.testing.assert_array_equal(y[0, 0], [[0, 2, 3], [8, 10, 11], [12, 14, 15]])


def test_dropout_mask_is_cleared_when_nothing_is_dropped():
    from course_utils import nn

    drop = nn.Dropout(0.5, rng=0)
    drop(np.ones((2, 3)))
    assert drop.mask is not None
    drop.eval()
    drop(np.ones((2, 3)))
    assert drop.mask is None
