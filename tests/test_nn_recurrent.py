"""Tests of RNN and LSTM (course_utils/nn/recurrent.py)."""

import numpy as np
import pytest

from course_utils import nn

try:
    from gradcheck import check_module, numerical_gradient, assert_close, normal
except ImportError:  # tests/ imported as a package
    from tests.gradcheck import check_module, numerical_gradient, assert_close, normal


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
