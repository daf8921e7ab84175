"""The gradient-through-time scene and the gradients it draws: the curves are
loss_gradients_through_time's, those are right (the RNN's against the chain rule written out
in numpy, the LSTM's against finite differences), the RNN's vanishes and the LSTM's
survives, and every "steps back" the picture states is steps_to_fall's."""

import re

import numpy as np
import pytest

from course_utils import sequences
from course_utils.scenes import gradient_through_time as gtt
from course_utils.scenes.gradient_through_time import (FORGET_BIASES, LENGTHS, RADII, GradientThroughTimeScene,
                                                       y_limits)


def numbers_in(text):
    return [float(t.replace("\u2212", "-")) for t in re.findall(r"\u2212?\d+(?:\.\d+)?", text)]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.fixture(scope="module")
def scene():
    return GradientThroughTimeScene()


def setup(kind, length, radius=1.0, forget_bias=0.0):
    """The untrained network and the 32 sequences loss_gradients_through_time documents:
    16 units from seed 0, the RNN's W_hh rescaled to ``radius``; the memory task, time first."""
    model = sequences.SequenceModel(kind, 2, 16, 1, forget_bias=forget_bias if kind == "lstm" else None, rng=0)
    layer = model.recurrent
    if kind == "rnn":
        w = layer.weight_hh.data
        layer.weight_hh.data = w * (radius / np.max(np.abs(np.linalg.eigvals(w))))
    x, _ = sequences.memory_task(32, length, rng=np.random.default_rng((0, length)))
    params = {n: getattr(layer, n).data for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    return params, model.head.weight.data[0], model.head.bias.data[0], x.swapaxes(0, 1)


def per_sequence_loss(h_last, w, b):
    """BCE with logits against target 1 for each sequence: log(1 + exp(-z))."""
    return np.logaddexp(0, -(h_last @ w + b))


@pytest.mark.parametrize("radius", [0.6, 3.0])
def test_the_rnn_gradients_follow_the_chain_rule_written_out(radius):
    length = 12
    p, w, b, x = setup("rnn", length, radius=radius)
    hs, h = [], np.zeros((x.shape[1], 16))
    for x_t in x:  # h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)
        h = np.tanh(x_t @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"])
        hs.append(h)
    z = hs[-1] @ w + b
    grad = np.outer((sigmoid(z) - 1) / len(z), w)  # dL/dh_T for the mean loss over the batch
    expected = [grad]
    for t in range(length - 1, 0, -1):  # dL/dh_{t-1} = (dL/dh_t * (1 - h_t^2)) @ W_hh
        grad = (grad * (1 - hs[t] ** 2)) @ p["weight_hh"]
        expected.append(grad)
    norms = np.array([np.linalg.norm(g, axis=1).mean() for g in expected[::-1]])
    np.testing.assert_allclose(sequences.loss_gradients_through_time("rnn", length, radius), norms, rtol=1e-10)


def lstm_from(p, x, start, h, c, w, b):
    """Run the LSTM (PyTorch's equations) over x[start:] from (h, c); per-sequence losses."""
    hidden = h.shape[1]
    for x_t in x[start:]:
        z = x_t @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
        i, f = sigmoid(z[:, :hidden]), sigmoid(z[:, hidden:2 * hidden])
        g, o = np.tanh(z[:, 2 * hidden:3 * hidden]), sigmoid(z[:, 3 * hidden:])
        c = f * c + i * g
        h = o * np.tanh(c)
    return per_sequence_loss(h, w, b), h, c


@pytest.mark.parametrize("forget_bias", [0.0, 3.0])
def test_the_lstm_gradients_match_finite_differences(forget_bias):
    length, eps = 8, 1e-6
    p, w, b, x = setup("lstm", length, forget_bias=forget_bias)
    n = x.shape[1]
    states = [(np.zeros((n, 16)), np.zeros((n, 16)))]
    for t in range(length):
        _, h, c = lstm_from(p, x[t:t + 1], 0, *states[-1], w, b)
        states.append((h, c))
    numeric = []
    for t in range(1, length + 1):  # dL/dh_t, with c_t held: perturb h_t, run the rest again
        h, c = states[t]
        grad = np.zeros((n, 16))
        for j in range(16):
            bump = np.zeros_like(h)
            bump[:, j] = eps
            plus = lstm_from(p, x, t, h + bump, c, w, b)[0]
            minus = lstm_from(p, x, t, h - bump, c, w, b)[0]
            grad[:, j] = (plus - minus) / (2 * eps) / n  # the loss is the mean over the batch
        numeric.append(np.linalg.norm(grad, axis=1).mean())
    got = sequences.loss_gradients_through_time("lstm", length, forget_bias=forget_bias)
    np.testing.assert_allclose(got, numeric, rtol=1e-6)


def test_the_rnns_gradient_vanishes_and_the_lstms_survives():
    rnn = sequences.loss_gradients_through_time("rnn", 50, radius=0.6)
    lstm = sequences.loss_gradients_through_time("lstm", 50, forget_bias=3.0)
    assert rnn[0] / rnn[-1] < 1e-6  # falls by more than a million over 50 steps (measured: 9e-15)
    assert lstm.min() / lstm[-1] > 1e-2  # falls by less than 100 (measured: never below 0.04)
    grows = sequences.loss_gradients_through_time("rnn", 50, radius=3.0)
    assert grows[0] / grows[-1] > 10  # large recurrent weights: it grows (measured: about 120 times)
    gateless = sequences.loss_gradients_through_time("lstm", 50, forget_bias=0.0)
    assert gateless[0] / gateless[-1] < 1e-6  # forget bias 0: the LSTM's vanishes too


def test_a_forget_bias_b_starts_the_forget_gates_near_sigmoid_b():
    """The picture says f is about sigmoid(bias) at the start."""
    for bias in FORGET_BIASES:
        model = sequences.SequenceModel("lstm", 2, 16, 1, forget_bias=bias, rng=0)
        x, _ = sequences.memory_task(32, 50, rng=np.random.default_rng((0, 50)))
        f = np.array([sequences.lstm_trace(model.recurrent, seq)["forget"] for seq in x])
        assert f.mean() == pytest.approx(sigmoid(bias), abs=0.02)


@pytest.mark.parametrize("length", [20, 100])
@pytest.mark.parametrize("radius", [0.6, 3.0])
@pytest.mark.parametrize("forget_bias", [0.0, 3.0])
def test_the_curves_are_the_gradients_relative_to_the_last_step(scene, length, radius, forget_bias):
    scene.set(length=length, radius=radius, forget_bias=forget_bias)
    for kind, kw in (("rnn", dict(radius=radius)), ("lstm", dict(forget_bias=forget_bias))):
        g = sequences.loss_gradients_through_time(kind, length, **kw)
        line = scene.curves[kind]
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, length + 1))
        np.testing.assert_allclose(line.get_ydata(), g / g[-1], rtol=1e-12)


@pytest.mark.parametrize("length", LENGTHS)
def test_the_stated_steps_back_are_steps_to_fall(scene, length):
    for radius in RADII:
        for bias in FORGET_BIASES:
            scene.set(length=length, radius=radius, forget_bias=bias)
            for kind, setting in (("rnn", radius), ("lstm", bias)):
                g = sequences.loss_gradients_through_time(kind, length, radius=radius, forget_bias=bias)
                ratio = g / g[-1]
                text = scene.texts[kind][1].get_text()
                back = sequences.steps_to_fall(g, 1e-6)
                marks = scene.marks[kind]
                if back is not None:
                    assert numbers_in(text)[-2:] == [back, length - back], text
                    assert ratio[length - back - 1] < 1e-6 <= ratio[length - back:].min()
                    assert list(marks.get_xdata()) == [length - back]
                else:
                    assert "never falls below" in text and len(marks.get_xdata()) == 0
                    assert ratio.min() >= 1e-6
                    assert ("it grows" in text) == (ratio[:-1].max() > 1), text


def test_the_text_names_the_settings_and_the_forget_gate(scene):
    scene.set(length=50, radius=1.5, forget_bias=1.0)
    assert "radius 1.5" in scene.texts["rnn"][0].get_text()
    assert "bias 1" in scene.texts["lstm"][0].get_text()
    assert f"{sigmoid(1.0):.2f}" in scene.why.get_text()


@pytest.mark.parametrize("length", LENGTHS)
def test_every_setting_fits_the_y_limits_of_its_length(length):
    low, high = y_limits(length)
    curves = [gtt.relative("rnn", length, r) for r in RADII] + [gtt.relative("lstm", length, b)
                                                                for b in FORGET_BIASES]
    assert low < 1e-6 and all(low < c.min() and c.max() < high for c in curves)
    lowest = min(min(c.min() for c in curves), 1e-6)
    assert high / max(c.max() for c in curves) <= 100 and lowest / low <= 100  # no more than 2 decades spare
    ticks = gtt.decade_ticks(low, high)
    assert 2 <= len(ticks) <= 6 and all(low <= 10.0 ** e <= high for e in ticks)
    assert len(set(np.diff(ticks))) == 1 and ticks[0] % np.diff(ticks)[0] == 0  # every 1, 2, 5, 10 ... decades


def test_the_x_ticks_are_round_and_end_at_the_length():
    for length in LENGTHS:
        ticks = gtt.time_ticks(length)
        assert ticks[0] == 1 and ticks[-1] == length and ticks == sorted(set(ticks))


def test_the_gif_sweeps_the_radius_then_the_forget_bias_then_the_length():
    board = [c for c, _ in GradientThroughTimeScene().storyboard()]
    assert [c["radius"] for c in board[:len(RADII)]] == list(RADII)
    assert [c["forget_bias"] for c in board[len(RADII):len(RADII) + 2]] == [1.0, 0.0]
    assert [c["length"] for c in board[-len(LENGTHS):]] == list(LENGTHS)
