"""The Recurrent networks chapter's checkers: right answers pass, each common mistake gets
its own hint, and anything else gets an answer, never an exception."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils import nn, sequences
from course_utils.exercises import recurrent as ex
from test_exercises_bad_input import BIG, CHECK, answers, functions, values

# ----------------------------------------------------------------------------- one RNN step


def step_right(x, h, W_ih, W_hh, b):
    return np.tanh(W_ih @ x + W_hh @ h + b)


def step_loops(x, h, W_ih, W_hh, b):
    """Plain Python, one unit at a time."""
    out = []
    for j in range(len(b)):
        a = b[j] + sum(W_ih[j][k] * x[k] for k in range(len(x))) + sum(W_hh[j][k] * h[k] for k in range(len(h)))
        out.append(float(np.tanh(a)))
    return out


def step_stacked(x, h, W_ih, W_hh, b):
    """One matrix [W_ih W_hh] times the stacked vector [x; h]."""
    return np.tanh(np.hstack([W_ih, W_hh]) @ np.concatenate([x, h]) + b)


@pytest.mark.parametrize("student", [
    step_right, step_loops, step_stacked,
    lambda x, h, W_ih, W_hh, b: np.tanh(x @ W_ih.T + h @ W_hh.T + b),
    lambda x, h, W_ih, W_hh, b: np.tanh(np.dot(W_ih, x) + np.dot(W_hh, h) + b).tolist(),
    lambda x, h, W_ih, W_hh, b: 2 / (1 + np.exp(-2 * (W_ih @ x + W_hh @ h + b))) - 1,  # tanh by hand
])
def test_rnn_step_right_answers_pass(student):
    result = ex.check_rnn_step(student)
    assert result.passed is True, result.message


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


@pytest.mark.parametrize("student, words", [
    (lambda x, h, W_ih, W_hh, b: W_ih @ x + W_hh @ h + b, "apply tanh: you returned the pre-activation"),
    (lambda x, h, W_ih, W_hh, b: sigmoid(W_ih @ x + W_hh @ h + b), "use tanh, not the sigmoid"),
    (lambda x, h, W_ih, W_hh, b: np.tanh(W_ih @ x + W_hh @ h), "the bias is missing"),
    (lambda x, h, W_ih, W_hh, b: np.tanh(W_ih @ x + W_hh @ h) + b, "the bias goes inside the tanh"),
    (lambda x, h, W_ih, W_hh, b: np.tanh(W_ih @ x + b), "the previous state is missing"),
    (lambda x, h, W_ih, W_hh, b: np.tanh(W_hh @ x + W_ih @ h + b), "the weights are swapped"),
    (lambda x, h, W_ih, W_hh, b: np.tanh(x @ W_ih + W_hh @ h + b), "a weight is transposed"),
    (lambda x, h, W_ih, W_hh, b: np.tanh(W_ih @ x + h @ W_hh + b), "a weight is transposed"),
    (lambda x, h, W_ih, W_hh, b: np.tanh(x @ W_ih + h @ W_hh + b), "a weight is transposed"),
    (lambda x, h, W_ih, W_hh, b: np.tanh(W_ih.T @ x + W_hh @ h + b), "a weight is transposed"),
    (lambda x, h, W_ih, W_hh, b: step_right(x, h, W_ih, W_hh, b)[None], "shape (H,) like h"),
    (lambda x, h, W_ih, W_hh, b: (step_right(x, h, W_ih, W_hh, b),) * 2, "shape (H,) like h"),  # like nn.RNN
    (lambda x, h, W_ih, W_hh, b: h + step_right(x, h, W_ih, W_hh, b), "all inside the tanh"),  # no known mistake
])
def test_rnn_step_mistakes_get_their_hints(student, words):
    result = ex.check_rnn_step(student)
    assert result.passed is False and words in result.message, result.message
    assert "rnn_step(" in result.message  # names the input


def test_rnn_step_a_swap_that_only_fits_square_cases_is_still_named():
    # W_hh @ x fails on the cases with I != H; the first (square) case shows the wrong value
    result = ex.check_rnn_step(lambda x, h, W_ih, W_hh, b: np.tanh(W_hh @ x + W_ih @ h + b))
    assert "returned" in result.message and "expected" in result.message


def test_rnn_step_reference_is_the_formula_on_several_shapes():
    cases = ex._rnn_cases()
    shapes = [(len(x), len(h)) for x, h, *_ in cases]
    assert len(set(shapes)) == len(shapes) >= 5
    assert any(i == h for i, h in shapes) and any(i != h for i, h in shapes) and any(h == 1 for _, h in shapes)
    assert any(W_ih.shape[0] != W_ih.shape[1] for _, _, W_ih, _, _ in cases)
    for x, h, W_ih, W_hh, b in cases:
        a = np.array([b[j] + W_ih[j] @ x + W_hh[j] @ h for j in range(len(h))])
        np.testing.assert_allclose(ex._rnn_step(x, h, W_ih, W_hh, b), np.tanh(a), atol=1e-12)
    # the first case by hand: a = W_ih x + W_hh h + b = (1.5 + 0.5 + 0.1, 0.75 - 0.25 - 0.2)
    np.testing.assert_allclose(ex._rnn_step(*cases[0]), np.tanh([2.1, 0.3]), atol=1e-12)


def test_rnn_step_every_mistake_differs_from_the_right_answer_on_the_first_case():
    case = ex._rnn_cases()[0]
    for wrong, hint in ex._STEP_MISTAKES:
        assert not np.allclose(wrong(*case), step_right(*case), atol=1e-3), hint


def test_rnn_step_crash_and_not_attempted():
    def todo(x, h, W_ih, W_hh, b):
        raise NotImplementedError

    def crash(x, h, W_ih, W_hh, b):
        return np.tanh(W_ih @ np.concatenate([x, h]) + b)  # W_ih alone does not fit [x; h]

    assert ex.check_rnn_step(todo).passed is None
    assert ex.check_rnn_step(lambda *args: None).passed is None
    assert ex.check_rnn_step(None).passed is None and ex.check_rnn_step(...).passed is None
    assert "rnn_step should be a function" in ex.check_rnn_step(42).message
    result = ex.check_rnn_step(crash)
    assert result.passed is False and "raised ValueError" in result.message and "wrong side" in result.message


# ----------------------------------------------------------------------------- LSTM parameters


def test_lstm_parameters_textbook_count_passes():
    assert ex.lstm_parameters(8, 32) == 4 * 32 * 8 + 4 * 32 * 32 + 4 * 32 == 5248
    for answer in (5248, 5248.0, np.int64(5248), np.array(5248.0)):
        result = ex.check_lstm_parameters(answer)
        assert result.passed is True and "4 gates" in result.message, result.message
    assert ex.check_lstm_parameters(4 * 3 * (2 + 3) + 4 * 3, input_size=2, hidden_size=3)


def test_lstm_parameters_pytorchs_count_passes_and_is_explained():
    assert nn.LSTM(8, 32).num_parameters() == ex.lstm_parameters(8, 32, bias_vectors=2) == 5376
    assert nn.LSTM(2, 3).num_parameters() == ex.lstm_parameters(2, 3, bias_vectors=2)
    result = ex.check_lstm_parameters(5376)
    assert result.passed is True
    for words in ("PyTorch", "two bias vectors", "bias_ih", "bias_hh", "cuDNN", "act as one bias", "5248"):
        assert words in result.message, (words, result.message)
    assert ex.check_lstm_parameters(nn.LSTM(2, 3).num_parameters(), input_size=2, hidden_size=3)


@pytest.mark.parametrize("answer, words", [
    (32 * 40 + 32, "that is one gate"),
    (32 * 40 + 64, "that is one gate"),            # PyTorch's biases, one gate
    (4 * 32 * 8 + 4 * 32, "recurrent weights are missing"),
    (4 * 32 * 8 + 8 * 32, "recurrent weights are missing"),
    (4 * 32 * 40, "weights only"),
    (4 * 32 * 40 + 4, "one bias per hidden unit, a vector of 32"),
    (32 * 8, "input weights of one gate only"),
    (4 * 32 * 8, "input weights only"),
    (3 * 32 * 40 + 3 * 32, "3 gates, as in a GRU"),
    (3 * 32 * 40 + 6 * 32, "3 gates, as in a GRU"),
    (5000, "4 x (H x (I + H) + H)"),
])
def test_lstm_parameters_mistakes_get_their_hints(answer, words):
    result = ex.check_lstm_parameters(answer)
    assert result.passed is False and words in result.message, result.message


@pytest.mark.parametrize("answer, words", [
    (True, "truth value"), ("5248", "the text"), ([5248], "single number"), (BIG, "too large"),
    (float("nan"), "not right"), (1 + 2j, "complex"),
])
def test_lstm_parameters_answers_that_are_not_a_count_are_named(answer, words):
    result = answers(ex.check_lstm_parameters, answer)
    assert result.passed is False and words in result.message, result.message


def test_lstm_parameters_wrong_sizes_are_the_notebooks_bug():
    for sizes in ({"input_size": 0}, {"hidden_size": 2.5}, {"input_size": True}):
        with pytest.raises(ValueError, match="must be whole numbers"):
            ex.check_lstm_parameters(5248, **sizes)


def test_lstm_parameters_a_mistake_equal_to_a_right_count_is_right():
    # I = 1, H = 1: 4 H I + 8 H (no recurrent weights, PyTorch's biases) = 12, and 4 H (I + H) + 4 H = 12
    assert ex.check_lstm_parameters(12, input_size=1, hidden_size=1).passed is True


# ----------------------------------------------------------------------------- keeping the memory


@pytest.mark.parametrize("clamp", [
    {"forget": 1, "input": 0},
    {"forget": 1.0, "input": 0.0},
    {"input": np.float64(0), "forget": np.int64(1)},
    {"forget": 1, "input": 0, "cell": 0.7},
    {"forget": 1, "input": 0, "cell": -1},
    {"forget": 1, "input": 0, "output": 0.3},
    {"forget": 1, "input": 0, "cell": 0.5, "output": 1},
])
def test_keep_memory_right_clamps_pass(clamp):
    result = ex.check_keep_memory(clamp)
    assert result.passed is True and "stayed exactly the same" in result.message, result.message


def test_keep_memory_right_clamps_say_what_did_not_matter():
    assert "cell candidate does not matter" in ex.check_keep_memory({"forget": 1, "input": 0, "cell": 0.7}).message
    assert "output gate does not matter" in ex.check_keep_memory({"forget": 1, "input": 0, "output": 0}).message
    # a cell candidate of 0 writes nothing either: right, with a word on the usual way
    result = ex.check_keep_memory({"forget": 1, "cell": 0})
    assert result.passed is True and "That works too" in result.message and "input = 0" in result.message


@pytest.mark.parametrize("clamp, words", [
    ({"forget": 0}, "a forget gate of 0 erases the memory at every step"),
    ({"forget": 0, "input": 0}, "erases the memory"),
    ({"forget": 1}, "the input gate still adds i * g"),
    ({"forget": 1, "input": 1}, "an input gate of 1 still adds i * g"),
    ({"forget": 1, "cell": 0.5}, "still adds i * g"),
    ({"input": 0}, "nothing new is written, but the forget gate is not clamped"),
    ({"input": 0, "cell": 0.2}, "f < 1 shrinks c a little every step"),
    ({"output": 1}, "the output gate decides what h shows of c, not what c keeps"),
    ({"output": 0, "forget": 1, "input": 0.5}, "the output gate decides"),
    ({"forget": 0.9, "input": 0}, "close, but"),
    ({"forget": 0.9, "input": 0}, "c shrinks by 10% a step, and after 50 steps 0.9^50 = 0.005 of it is left"),
    ({"forget": 0.5, "input": 0}, "0.5^50 = 9e-16"),
    ({"forget": 0.99999999, "input": 0}, "close, but"),
])
def test_keep_memory_mistakes_get_their_hints(clamp, words):
    result = ex.check_keep_memory(clamp)
    assert result.passed is False and words in result.message, result.message
    assert "50 steps later c is" in result.message  # shows the effect


def test_keep_memory_a_wrong_clamp_gets_every_hint_it_needs():
    message = ex.check_keep_memory({"output": 1}).message
    assert "output gate decides" in message and "forget gate is not clamped" in message
    assert "The input gate still adds" in message  # a sentence of its own


def test_keep_memory_a_nearly_kept_memory_never_looks_kept():
    message = ex.check_keep_memory({"forget": 0.99999999, "input": 0}).message
    begin, end = message.split("wrote c = ")[1].split(" in 10 steps")[0], message.split("later c is ")[1].split(".")[0]
    assert begin != end


@pytest.mark.parametrize("clamp, words", [
    ({"Forget": 1}, "no gate named 'Forget'"),
    ({"forget": 1, "memory": 0}, "no gate named 'memory'"),
    ({1: 1}, "no gate named 1"),
    ({"forget": 1.5, "input": 0}, "the forget gate is a sigmoid: its values lie between 0 and 1"),
    ({"forget": 1, "input": -0.1}, "the input gate is a sigmoid"),
    ({"forget": 1, "input": 0, "cell": 2}, "the cell candidate g is a tanh: its values lie between -1 and 1"),
    ({"forget": float("nan"), "input": 0}, "between 0 and 1"),
    ({"forget": "1", "input": 0}, "the value for 'forget' is the text '1'"),
    ({"forget": True, "input": False}, "truth value"),
    ({"forget": [1], "input": 0}, "single number"),
    ({"forget": BIG, "input": 0}, "too large"),
    ({}, "your clamp is empty"),
    ({"forget", "input"}, "not a dict"),
    ("forget", "not a dict"),
    ([("forget", 1), ("input", 0)], "not a dict"),
])
def test_keep_memory_clamps_that_are_not_clamps_are_named(clamp, words):
    result = answers(ex.check_keep_memory, clamp)
    assert result.passed is False and words in result.message, result.message


def test_keep_memory_a_change_too_small_to_see_is_still_a_change():
    # c + 1e-300 == c in floating point, but the input gate still writes at every step
    result = ex.check_keep_memory({"forget": 1, "input": 1, "cell": 1e-300})
    assert result.passed is False and "only looks unchanged" in result.message and "still adds" in result.message


def test_keep_memory_not_attempted():
    assert ex.check_keep_memory(None).passed is None and ex.check_keep_memory(...).passed is None


def test_keep_memory_is_checked_on_the_engines_lstm():
    lstm = nn.LSTM(2, 4, rng=0)
    x = 2.0 * np.random.default_rng(5).normal(size=(ex.WARMUP + ex.STEPS, 2))
    trace = sequences.lstm_trace(lstm, x)
    c0, cs = ex.clamped_cell({})
    # unclamped, the check's cell states are the LSTM's own, computed here by hand from its gates
    c, by_hand = np.zeros(4), []
    for i, f, g in zip(trace["input"], trace["forget"], trace["cell"]):
        c = f * c + i * g
        by_hand.append(c)
    np.testing.assert_allclose(c0, by_hand[ex.WARMUP - 1], atol=1e-12)
    np.testing.assert_allclose(cs, by_hand[ex.WARMUP:], atol=1e-12)
    np.testing.assert_allclose(cs, trace["c"][ex.WARMUP:], atol=1e-12)
    # the memory to keep is there, and the gates really vary with the input
    assert np.all(np.abs(c0) > 0.1)
    assert np.ptp(trace["forget"]) > 0.5 and np.all(trace["forget"] < 1)
    assert np.all(np.abs(trace["input"] * trace["cell"]) > 0)
    # clamped: exactly c0 for forget = 1 and input = 0; by hand, c_t = f c_{t-1} + i g
    c0, cs = ex.clamped_cell({"forget": 1.0, "input": 0.0})
    assert np.array_equal(cs, np.tile(c0, (ex.STEPS, 1)))
    _, cs = ex.clamped_cell({"forget": 0.9, "input": 0.0})
    np.testing.assert_allclose(cs[-1], 0.9 ** ex.STEPS * c0, rtol=1e-12)


def test_keep_memory_clamped_trace_from_zero_agrees():
    # lstm_trace starts from c = 0: with the right clamp c stays 0, and with forget = 1 alone it fills up
    x = np.random.default_rng(1).normal(size=(20, 2))
    assert np.all(sequences.lstm_trace(nn.LSTM(2, 4, rng=0), x, {"forget": 1.0, "input": 0.0})["c"] == 0)
    assert np.all(np.diff(sequences.lstm_trace(nn.LSTM(2, 4, rng=0), x, {"forget": 1.0})["c"], axis=0) != 0)


# ----------------------------------------------------------------------------- any Python value


@pytest.mark.parametrize("checker", [ex.check_rnn_step, ex.check_lstm_parameters, ex.check_keep_memory])
@pytest.mark.parametrize("nothing", [None, ...])
def test_none_means_not_attempted(checker, nothing):
    result = answers(checker, nothing)
    assert result.passed is None and "run this cell again" in result.message


@pytest.mark.parametrize("checker", [ex.check_rnn_step, ex.check_lstm_parameters, ex.check_keep_memory])
@CHECK
@given(value=values)
def test_every_checker_answers_any_value(checker, value):
    answers(checker, value)


@CHECK
@given(student=functions)
def test_rnn_step_answers_any_function(student):
    answers(ex.check_rnn_step, student)


@CHECK
@given(clamp=st.dictionaries(st.sampled_from([*ex.GATES, "Forget", ""]), values, min_size=1, max_size=5))
def test_keep_memory_answers_any_values_for_the_gates(clamp):
    answers(ex.check_keep_memory, clamp)


@CHECK
@given(clamp=st.dictionaries(st.sampled_from(ex.GATES),
                             st.sampled_from([0, 0.0, -0.0, 1, 1.0, 0.5, -1]) | st.floats(-2, 2), min_size=1, max_size=4))
def test_keep_memory_passes_exactly_when_c_is_kept(clamp):
    result = answers(ex.check_keep_memory, clamp)
    in_range = all(-1 <= v <= 1 if g == "cell" else 0 <= v <= 1 for g, v in clamp.items())
    kept = clamp.get("forget") == 1 and (clamp.get("input") == 0 or clamp.get("cell") == 0)
    assert result.passed is (in_range and kept), (clamp, result.message)
