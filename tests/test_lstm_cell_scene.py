"""The LSTM cell scene against the trained network: the trace it shows is the layer's own
forward pass, the unit is the one that carries the bit, the numbers on the picture are the
trace's, and what the docstring and captions say the gates do is what they do."""

import re

import numpy as np
import pytest
from matplotlib.text import Text

from course_utils import nn, sequences
from course_utils.scenes import lstm_cell
from course_utils.scenes.lstm_cell import LENGTH, LSTMCellScene, story
from course_utils.stamps import StampedText


def numbers_in(text):
    return [float(t.replace("\u2212", "-")) for t in re.findall(r"[\u2212+-]?\d+(?:\.\d+)?", text)]


@pytest.fixture(scope="module")
def trained():
    run = sequences.train_memory("lstm", LENGTH)
    lstm = run.at(-1).recurrent
    x_val = run.data["x_val"]
    traces = [sequences.lstm_trace(lstm, seq) for seq in x_val]
    return lstm, x_val, x_val[:, 0, 0], traces


@pytest.fixture(scope="module")
def scene():
    return LSTMCellScene()


def test_the_trace_without_a_clamp_is_the_layers_own_forward_pass(trained):
    lstm, x_val, _, traces = trained
    layer = nn.LSTM(2, 16)  # a fresh layer with the trained weights, time first
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(layer, name).data = getattr(lstm, name).data.copy()
    out, (h_n, c_n) = layer(x_val[:40].swapaxes(0, 1))
    for n in range(40):
        np.testing.assert_allclose(traces[n]["h"], out[:, n], atol=1e-12)
        np.testing.assert_allclose(traces[n]["c"][-1], c_n[0, n], atol=1e-12)
    # and the gates are the equations: c_t = f c_{t-1} + i g, h_t = o tanh(c_t)
    t = traces[0]
    c_before = np.vstack([np.zeros(16), t["c"][:-1]])
    np.testing.assert_allclose(t["c"], t["forget"] * c_before + t["input"] * t["cell"], atol=1e-12)
    np.testing.assert_allclose(t["h"], t["output"] * np.tanh(t["c"]), atol=1e-12)


def test_the_unit_shown_is_the_one_whose_last_cell_state_goes_with_the_bit_most(trained):
    _, _, bits, traces = trained
    c_last = np.array([t["c"][-1] for t in traces])
    link = np.abs([np.corrcoef(c_last[:, u], bits)[0, 1] for u in range(16)])
    data = story()
    assert data.unit == int(np.argmax(link)) == 5
    np.testing.assert_allclose(data.link, link, atol=1e-9)
    assert link[data.unit] > 0.999
    assert np.sum(link > 0.99) == 15  # the docstring: 15 of the 16 units reach |r| > 0.99


def test_each_bit_reads_the_first_held_out_sequence_with_that_bit(trained):
    lstm, x_val, bits, traces = trained
    data = story()
    for bit in (1, -1):
        k = data.index[bit]
        assert bits[k] == bit and np.all(bits[:k] != bit)
        np.testing.assert_array_equal(data.x[bit], x_val[k])
        for name, values in traces[k].items():
            np.testing.assert_allclose(data.trace[bit][name], values[:, data.unit], atol=1e-12)


@pytest.mark.parametrize("bit", [1, -1])
@pytest.mark.parametrize("step", [1, 2, 7, 20])
def test_the_numbers_on_the_cell_are_the_traces(scene, trained, bit, step):
    _, _, _, traces = trained
    data = story()
    t = {name: v[:, data.unit] for name, v in traces[data.index[bit]].items()}
    k = step - 1
    scene.set(bit=bit, step=step)
    for name, (fill, value) in scene.valves.items():
        assert float(value.get_text().replace("\u2212", "-")) == pytest.approx(t[name][k], abs=0.005)
        height = fill.get_height()
        if name == "cell":  # a bar up or down from the middle, as far as g goes
            assert height == pytest.approx(t["cell"][k] * scene.g_half)
        else:  # filled as far as the gate is open
            lo, hi = scene.geometry["valve_lo"], scene.geometry["valve_hi"]
            assert height == pytest.approx(t[name][k] * (hi - lo - 0.06))
    c_before = t["c"][k - 1] if k else 0.0
    assert numbers_in(scene.c_in.get_text())[-1] == pytest.approx(c_before, abs=0.005)
    assert numbers_in(scene.c_out.get_text())[-1] == pytest.approx(t["c"][k], abs=0.005)
    assert numbers_in(scene.h_out.get_text())[-1] == pytest.approx(t["h"][k], abs=0.005)
    assert numbers_in(scene.ig.get_text())[-1] == pytest.approx(t["input"][k] * t["cell"][k], abs=0.005)
    # the caption's numbers: the input, the gates, and c before and after
    said = numbers_in(scene.caption.get_text())
    x = data.x[bit][k, 0]
    assert said[1] == pytest.approx(x, abs=0.005)
    assert said[-1] == pytest.approx(t["c"][k], abs=0.005)
    if step > 1:
        assert said[-2] == pytest.approx(c_before, abs=0.005)
        assert said[2] == pytest.approx(t["forget"][k], abs=0.005)
    # the strip: the input so far and c so far
    seen = scene.x_seen.get_segments()
    assert len(seen) == step
    np.testing.assert_allclose([s[1][1] for s in seen], data.x[bit][:step, 0])
    np.testing.assert_allclose(scene.c_line.get_ydata(), t["c"][:step])
    for name, line in scene.gate_lines.items():
        np.testing.assert_allclose(line.get_ydata(), t[name][:step])


def test_what_the_docstring_says_the_gates_do_is_what_they_do(trained):
    _, _, bits, traces = trained
    u = story().unit
    later = {name: np.array([t[name][1:, u] for t in traces]) for name in ("forget", "input", "cell")}
    f, i, g = later["forget"], later["input"], later["cell"]
    # the forget gate stays high: 90 % of the steps between 0.90 and 0.99
    assert 0.895 <= np.percentile(f, 5) and np.percentile(f, 95) <= 0.995
    assert f[bits > 0].mean() == pytest.approx(0.98, abs=0.005)
    assert f[bits < 0].mean() == pytest.approx(0.94, abs=0.005)
    # the input gate never closes: 90 % between 0.26 and 0.90, never below 0.09
    assert np.percentile(i, 5) == pytest.approx(0.26, abs=0.005)
    assert np.percentile(i, 95) == pytest.approx(0.90, abs=0.005)
    assert i.min() > 0.09
    # from step 6 on g has the sign opposite to the bit, in every sequence; from step 10 |g| > 0.86
    assert np.all(np.sign(g[:, 4:]) == -bits[:, None])
    assert not np.all(np.sign(g[:, 3:]) == -bits[:, None])  # step 5 is not yet settled everywhere
    assert np.abs(g[:, 8:]).min() > 0.86
    # so c ramps: down for bit +1, up for bit -1, to these ranges at step 20
    c_last = np.array([t["c"][-1, u] for t in traces])
    assert -12.7 <= c_last[bits > 0].min() and c_last[bits > 0].max() <= -11.2
    assert 3.0 <= c_last[bits < 0].min() and c_last[bits < 0].max() <= 4.2


@pytest.mark.parametrize("bit", [1, -1])
def test_the_summary_line_states_the_sequences_own_numbers(scene, bit):
    scene.set(bit=bit, step=1)
    t = story().trace[bit]
    said = numbers_in(scene.summary.get_text())
    f, i = t["forget"][1:], t["input"][1:]
    # "Over steps 2-20: f stays high (a-b) and i never closes (c-d); from step k on g stays below -0.9 ..."
    assert said[:2] == [2, 20]
    assert said[2:6] == pytest.approx([f.min(), f.max(), i.min(), i.max()], abs=0.005)
    start = int(said[6])
    g = t["cell"]
    assert np.all(np.abs(g[start - 1:]) > lstm_cell.PINNED) and abs(g[start - 2]) <= lstm_cell.PINNED
    assert np.all(np.sign(g[start - 1:]) == -bit)
    assert ("falling" if bit > 0 else "rising") in scene.summary.get_text()
    assert np.sign(t["c"][-1] - t["c"][start - 1]) == -bit


def test_the_stamped_texts_look_like_plain_text(monkeypatch):
    stamped = LSTMCellScene(step=7).render()
    monkeypatch.setattr(StampedText, "draw", Text.draw)
    plain = LSTMCellScene(step=7).render()
    assert np.abs(stamped.astype(int) - plain).max() <= 2


def test_the_gif_walks_both_sequences_step_by_step():
    board = list(LSTMCellScene().storyboard())
    assert [c for c, _ in board] == [dict(bit=b, step=s) for b in (1, -1) for s in range(1, LENGTH + 1)]
    assert all(ms > 0 for _, ms in board)
