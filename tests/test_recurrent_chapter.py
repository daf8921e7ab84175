"""The Recurrent networks chapter: its data, its model, the two ways it looks inside a
recurrent layer, the scenes it adds, and every number the notebook states."""

import json
from pathlib import Path

import numpy as np
import pytest

from course_utils import nn, sequences
from course_utils.scenes import lstm_gates, memory, rnn_steps
from course_utils.scenes.lstm_gates import LSTMGatesScene
from course_utils.scenes.memory import MemoryScene
from course_utils.scenes.rnn_steps import RNNStepsScene

try:
    from gradcheck import assert_close, check_module, numerical_gradient
except ImportError:  # tests/ imported as a package
    from tests.gradcheck import assert_close, check_module, numerical_gradient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04b_recurrent_networks.ipynb"


def notebook_cells():
    return json.loads(NOTEBOOK.read_text())["cells"]


def notebook_markdown() -> str:
    return "\n".join("".join(c["source"]) for c in notebook_cells() if c["cell_type"] == "markdown")


# ------------------------------------------------------------------------------ data

def test_the_memory_task_has_the_bit_and_the_marker_at_step_one_then_only_noise():
    x, y = sequences.memory_task(4000, 12, rng=3)
    assert x.shape == (4000, 12, 2) and y.shape == (4000, 1)
    assert set(np.unique(x[:, 0, 0])) == {-1.0, 1.0}
    np.testing.assert_array_equal(x[:, 0, 0] > 0, y[:, 0] == 1)
    assert np.all(x[:, 0, 1] == 1) and np.all(x[:, 1:, 1] == 0)
    noise = x[:, 1:, 0]
    assert abs(noise.std() - sequences.NOISE) < 0.05 and abs(noise.mean()) < 0.05
    # the noise says nothing about the bit
    assert abs(np.corrcoef(noise.sum(axis=1), y[:, 0])[0, 1]) < 0.05
    assert 0.45 < y.mean() < 0.55


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "5"])
def test_the_memory_task_refuses_a_length_that_is_not_a_whole_number(bad):
    with pytest.raises(ValueError, match="length"):
        sequences.memory_task(3, bad)


def test_the_same_length_gives_the_same_data_and_others_differ():
    a, b = sequences.memory_data(20), sequences.memory_data(20)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert [len(part) for part in a] == [1024, 1024, 500, 500]
    assert not np.array_equal(sequences.memory_data(10)[0][:, :10], a[0][:, :10])


def test_sine_windows_predict_the_next_value_of_a_sine():
    x, y = sequences.sine_windows(50, 30, rng=1)
    assert x.shape == y.shape == (50, 30, 1)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])  # the target is the next input
    # each row is sin(w t + phase) with a period between 8 and 24 steps
    for row in np.concatenate([x[:, :1, 0], y[:, :, 0]], axis=1):
        spectrum = np.abs(np.fft.rfft(row, n=4096))
        period = 4096 / np.argmax(spectrum)
        assert 7.5 < period < 25
    assert np.allclose(sequences.sine_wave(8, 8)[[0, 2, 4, 6, 8]], [0, 1, 0, -1, 0])


# ---------------------------------------------------------------------------- model

@pytest.mark.parametrize("kind", ["rnn", "lstm"])
@pytest.mark.parametrize("every_step", [False, True])
def test_sequence_model_backward_matches_finite_differences(kind, every_step):
    model = sequences.SequenceModel(kind, 2, 3, 2, every_step=every_step, rng=1)
    x = np.random.default_rng(2).normal(size=(4, 5, 2))
    out = model(x)
    assert out.shape == ((4, 5, 2) if every_step else (4, 2))
    check_module(model, x)


def test_sequence_model_reads_the_last_hidden_state():
    model = sequences.SequenceModel("lstm", 2, 3, 1, rng=0)
    x = np.random.default_rng(0).normal(size=(2, 6, 2))
    hidden = model.recurrent(x)[0]
    np.testing.assert_allclose(model(x), hidden[:, -1] @ model.head.weight.data.T + model.head.bias.data)


def test_forget_bias_sets_the_forget_gates_total_bias_and_only_for_an_lstm():
    model = sequences.SequenceModel("lstm", 2, 4, forget_bias=3.0, rng=0)
    layer = model.recurrent
    total = layer.bias_ih.data + layer.bias_hh.data
    np.testing.assert_array_equal(total[4:8], 3.0)
    gates = sequences.lstm_trace(layer, np.zeros((1, 2)))
    np.testing.assert_allclose(gates["forget"][0], 1 / (1 + np.exp(-3.0)))
    with pytest.raises(ValueError, match="no gates"):
        sequences.SequenceModel("rnn", 2, 4, forget_bias=1.0)
    with pytest.raises(ValueError, match="kind"):
        sequences.SequenceModel("gru", 2, 4)


# ------------------------------------------------------------------ looking inside

def test_lstm_trace_follows_the_engine_for_one_sequence_and_a_batch():
    lstm = nn.LSTM(3, 5, rng=4)
    x = np.random.default_rng(1).normal(size=(7, 4, 3))
    trace = sequences.lstm_trace(lstm, x)
    out, (h_n, c_n) = lstm(x)
    np.testing.assert_allclose(trace["h"], out, atol=1e-12)
    np.testing.assert_allclose(trace["c"][-1], c_n[0], atol=1e-12)
    one = sequences.lstm_trace(lstm, x[:, 2])
    np.testing.assert_allclose(one["h"], out[:, 2], atol=1e-12)
    for name in sequences.GATES[:2] + sequences.GATES[3:]:
        assert np.all((one[name] > 0) & (one[name] < 1))
    assert np.all(np.abs(one["cell"]) < 1)


def test_a_clamp_replaces_the_gate_from_its_first_step_on():
    lstm = nn.LSTM(2, 4, rng=0)
    x = np.random.default_rng(0).normal(size=(9, 2))
    free = sequences.lstm_trace(lstm, x)
    held = sequences.lstm_trace(lstm, x, {"input": 0.0, "forget": 1.0}, clamp_from=3)
    np.testing.assert_array_equal(held["c"][:2], free["c"][:2])   # steps 1 and 2 as before
    for t in range(2, 9):
        np.testing.assert_array_equal(held["c"][t], free["c"][1])  # then exactly kept
    erased = sequences.lstm_trace(lstm, x, {"forget": 0.0})
    np.testing.assert_allclose(erased["c"], erased["input"] * erased["cell"])
    with pytest.raises(ValueError, match="no gate named"):
        sequences.lstm_trace(lstm, x, {"remember": 1.0})


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_state_gradients_match_finite_differences_of_the_hidden_state(kind):
    """dL/dh_t by perturbing h_t itself: run the rest of the sequence from the perturbed
    state (for the LSTM with the same c_t), with L = sum(R * output)."""
    layer = (nn.RNN if kind == "rnn" else nn.LSTM)(2, 3, rng=1)
    x = np.random.default_rng(1).normal(size=(6, 2, 2))
    weights = np.random.default_rng(2).normal(size=(6, 2, 3))
    grads = sequences.state_gradients(layer, x, weights)
    trace = [sequences.lstm_trace(layer, x[:, n]) for n in range(2)] if kind == "lstm" else None
    out = layer(x)[0]
    for t in range(5):
        h_t = out[t][None].copy()

        def loss():
            if kind == "rnn":
                rest = layer(x[t + 1:], h_t)[0]
            else:
                c_t = np.array([trace[n]["c"][t] for n in range(2)])[None]
                rest = layer(x[t + 1:], (h_t, c_t))[0]
            return float(np.sum(weights[t] * h_t[0]) + np.sum(weights[t + 1:] * rest))
        assert_close(grads[t], numerical_gradient(loss, h_t)[0], f"{kind} dL/dh at step {t + 1}")
    np.testing.assert_array_equal(grads[-1], weights[-1])


def test_the_gradient_through_time_vanishes_for_the_rnn_and_survives_for_the_lstm():
    """The notebook prints these four ratios |dL/dh_1| / |dL/dh_50|."""
    ratio = {name: g[0] / g[-1] for name, g in (
        ("rnn 0.6", sequences.loss_gradients_through_time("rnn", 50, radius=0.6)),
        ("rnn 3", sequences.loss_gradients_through_time("rnn", 50, radius=3.0)),
        ("lstm 0", sequences.loss_gradients_through_time("lstm", 50, forget_bias=0.0)),
        ("lstm 3", sequences.loss_gradients_through_time("lstm", 50, forget_bias=3.0)))}
    assert ratio["rnn 0.6"] < 1e-10 and ratio["lstm 0"] < 1e-6
    assert ratio["rnn 3"] > 10 and ratio["lstm 3"] > 0.05


def test_pytorchs_initial_recurrent_radius_is_about_the_scenes_default():
    radii = [np.max(np.abs(np.linalg.eigvals(nn.RNN(2, 16, rng=s).weight_hh.data))) for s in range(20)]
    assert 0.5 < np.median(radii) < 0.7


# ------------------------------------------------------------------------ training

def test_at_fifty_steps_the_lstm_remembers_and_the_rnn_guesses_with_the_same_budget():
    rnn, lstm = (sequences.train_memory(kind, 50) for kind in ("rnn", "lstm"))
    assert lstm.curves["val_accuracy"][-1] >= 0.95
    assert rnn.curves["val_accuracy"][-1] <= 0.6
    # the same budget: 8 epochs of the same 1,024 sequences in batches of 32
    for run in (rnn, lstm):
        assert len(run.orders) == sequences.EPOCHS == 8
        assert all(sorted(order) == list(range(1024)) for order in run.orders)
    assert sequences.EPOCHS * (sequences.TRAIN // sequences.BATCH_SIZE) == 256


def test_the_rnn_learns_the_short_memories():
    for length in (5, 10, 20):
        assert sequences.train_memory("rnn", length).curves["val_accuracy"][-1] >= 0.95
        assert sequences.train_memory("lstm", length).curves["val_accuracy"][-1] >= 0.95


def test_size_alone_does_not_explain_it_but_a_much_wider_rnn_gets_there():
    lstm_size = sequences.memory_model("lstm").num_parameters()
    rnn32 = sequences.train_memory("rnn", 50, hidden=32)
    assert abs(rnn32.model.num_parameters() - lstm_size) < 0.1 * lstm_size
    assert rnn32.curves["val_accuracy"][-1] <= 0.6
    rnn64 = sequences.train_memory("rnn", 50, hidden=64)
    assert rnn64.model.num_parameters() > 3 * lstm_size
    assert rnn64.curves["val_accuracy"][-1] >= 0.95


def test_with_pytorchs_forget_bias_the_lstm_fails_at_fifty_steps():
    assert sequences.train_memory("lstm", 50, forget_bias=0.0).curves["val_accuracy"][-1] <= 0.6


def test_clamped_accuracies_say_what_the_notebook_says():
    run = sequences.train_memory("lstm", 50)
    acc = {key: sequences.clamped_accuracy(run, clamp, start)
           for key, (_, clamp, start) in lstm_gates.CLAMPS.items()}
    assert acc["none"] == pytest.approx(run.curves["val_accuracy"][-1])  # the trace is the network
    assert acc["forget 0"] <= 0.6 and acc["output 0"] <= 0.6
    assert acc["input 0"] >= 0.95 and acc["hold"] >= 0.95 and acc["forget 1"] >= 0.95


def test_the_memory_unit_carries_the_bit():
    run = sequences.train_memory("lstm", 50)
    unit = sequences.memory_unit(run)
    c_last = sequences.lstm_trace(run.at(-1).recurrent, run.data["x_val"].swapaxes(0, 1))["c"][-1]
    bit = run.data["y_val"][:, 0] > 0.5
    # its sign alone tells the bit for nearly every held-out sequence
    agree = np.mean((c_last[:, unit] > np.median(c_last[:, unit])) == bit)
    assert max(agree, 1 - agree) > 0.95


def test_the_sine_rnn_learns_to_predict_the_next_value():
    loss = sequences.train_sine().curves["train_loss"]
    assert loss[0] > 0.3 and loss[-1] < 0.02


# -------------------------------------------------------------------------- scenes

@pytest.mark.parametrize("t", [1, 7, rnn_steps.LENGTH])
def test_rnn_steps_scene_shows_the_engines_update_with_its_numbers(t):
    scene = RNNStepsScene(step=t, period=16)
    r = rnn_steps.reading(16, scene.values["snapshot"])
    model = sequences.train_sine().at(-1)
    layer = model.recurrent
    x = np.sin(2 * np.pi * np.arange(rnn_steps.LENGTH) / 16)
    h = np.zeros(4)
    for step in range(t):   # the update by hand
        h_prev = h
        h = np.tanh(layer.weight_ih.data[:, 0] * x[step] + layer.bias_ih.data + layer.weight_hh.data @ h
                    + layer.bias_hh.data)
    np.testing.assert_allclose(r["h"][t - 1], h, atol=1e-12)
    np.testing.assert_allclose(r["h_prev"][t - 1], h_prev, atol=1e-12)
    text = scene.numbers.get_text()
    assert rnn_steps.vector(h) in text and rnn_steps.vector(h_prev) in text
    assert rnn_steps.number(model.head.weight.data[0] @ h + model.head.bias.data[0]) in text
    shown = scene.strip.get_array()
    assert np.ma.count(shown) == 4 * t      # the strip is filled up to step t


def test_rnn_steps_scene_untrained_and_trained_differ():
    a, b = (RNNStepsScene(snapshot=s).render() for s in (0, rnn_steps.SNAPSHOTS))
    assert not np.array_equal(a, b)


def test_lstm_gates_scene_shows_the_trace_of_its_clamp():
    scene = LSTMGatesScene(clamp="forget 0", example=3)
    run = lstm_gates.run()
    trace = sequences.lstm_trace(run.at(-1).recurrent, run.data["x_val"][3], {"forget": 0.0})
    np.testing.assert_array_equal(scene.images["forget"].get_array(), trace["forget"].T)
    np.testing.assert_allclose(scene.images["c"].get_array(), trace["c"].T)
    assert f"500 held-out sequences: {lstm_gates.clamped_accuracy('forget 0'):.0%} right" in scene.verdict.get_text()
    free = LSTMGatesScene()   # no clamp: the clamped line is the trained one
    np.testing.assert_array_equal(free.p_clamped.get_ydata(), free.p_trained.get_ydata())


def test_memory_scene_draws_the_recorded_accuracies():
    scene = MemoryScene(length=20, step=3)
    for kind, line in scene.final.items():
        expected = [sequences.train_memory(kind, n).curves["val_accuracy"][-1] for n in sequences.LENGTHS]
        np.testing.assert_allclose(line.get_ydata(), expected)
        assert len(scene.lines[kind].get_xdata()) == 4
    assert "T = 20" in scene.epochs_title.get_text()
    assert memory.curve("lstm", 20, 3.0)[3] == pytest.approx(scene.lines["lstm"].get_ydata()[-1])


# ------------------------------------------------------------------------ notebook

def test_the_numbers_the_chapter_states():
    text = notebook_markdown()
    assert "1,024 such sequences" in text and sequences.TRAIN == 1024
    assert "500 sequences it has never seen" in text and sequences.TEST == 500
    assert "256\nupdates" in text or "256 updates" in text
    assert "Both have 16 hidden units" in text and sequences.HIDDEN == 16
    assert "$T$ = 5, 10, 20 and 50" in text and sequences.LENGTHS == (5, 10, 20, 50)
    assert "between 8 and 24 steps" in text
    assert "$f = \\sigma(3) \\approx 0.95$" in text and round(1 / (1 + np.exp(-3)), 2) == 0.95
    assert "$0.5^{50} \\approx 10^{-15}$" in text and round(np.log10(0.5 ** 50)) == -15
    assert "5{,}248" in text and "5,376" in text and nn.LSTM(8, 32).num_parameters() == 5376
    assert 4 * 32 * (8 + 32) + 4 * 32 == 5248


def test_the_notebook_shows_every_scene_of_the_chapter_and_its_gifs():
    source = "\n".join("".join(c["source"]) for c in notebook_cells())
    from course_utils import chapters
    for cls in chapters.scene_classes([chapters.chapter("04b_recurrent_networks")]):
        if cls.gif_name:
            assert f"../imgs/{cls.gif_name}.gif" in source, cls.gif_name
    for name in ("RNNStepsScene", "MemoryScene", "GradientThroughTimeScene", "LSTMCellScene", "LSTMGatesScene"):
        assert f"interactive({name}())" in source


def test_the_text_toy_is_what_the_chapter_says():
    from course_utils import characters
    text = notebook_markdown()
    assert "an LSTM with 32 units" in text and characters.HIDDEN == 32
    assert "28 numbers" in text and characters.V == 28
    untrained = characters.next_probabilities(characters.train().at(0), "the cat sat on the")
    assert untrained.max() < 3 / 28   # "about the same chance, 1 in 28"
    trained = characters.next_probabilities(characters.train().at(-1), "the cat sat on the")
    assert trained.max() > 0.9


def test_written_once_the_memory_holds_but_fades_and_hidden_it_is_a_guess():
    run = sequences.train_memory("lstm", 50)
    sure = {key: sequences.clamped_confidence(run, clamp, start)
            for key, (_, clamp, start) in lstm_gates.CLAMPS.items()}
    assert sure["none"] > 0.95                      # as trained: sure of the right bit
    assert 0.5 < sure["input 0"] < 0.8 and sequences.clamped_accuracy(run, {"input": 0.0}, 2) >= 0.95
    assert abs(sure["output 0"] - 0.5) < 0.05       # h = 0: the read-out always says the same
    assert sure["forget 0"] < 0.6


def test_the_radius_sentences_of_the_gradient_section():
    """'Try 1: it still vanishes ... At 2 it roughly holds. At 3 it grows at every step back.'"""
    def ratio(radius, length=50):
        g = sequences.loss_gradients_through_time("rnn", length, radius=radius)
        return g[0] / g[-1]
    assert ratio(1.0) < 1e-6 and ratio(1.5) < 1e-2
    assert 0.01 < ratio(2.0) < 1 and 0.01 < ratio(2.0, 100) < 1
    assert ratio(3.0) > 10 and ratio(3.0, 100) > ratio(3.0)


def test_a_forget_bias_of_one_is_not_enough_here():
    assert sequences.train_memory("lstm", 50, forget_bias=1.0).curves["val_accuracy"][-1] <= 0.6
