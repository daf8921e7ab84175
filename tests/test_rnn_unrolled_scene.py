"""The unrolled-RNN scene against plain numpy: the bars it draws are the states h_t of its
nn.RNN (recomputed here from the layer's weights), the caption names the step and its
numbers, the orange frame sits on the copy at work, and every step of every length renders
and changes the picture."""

import re
import warnings

import numpy as np
import pytest

from course_utils import nn, style
from course_utils.scenes import rnn_unrolled as ru
from course_utils.scenes.rnn_unrolled import RNNUnrolledScene
from course_utils.sequences import sine_windows
from course_utils.stamps import StampedText

LENGTHS = range(ru.MIN_LENGTH, ru.MAX_LENGTH + 1)


def numpy_states(rnn, x):
    """h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) from h_0 = 0, one step at a time."""
    h, out = np.zeros(rnn.hidden_size), []
    for x_t in x:
        h = np.tanh(rnn.weight_ih.data[:, 0] * x_t + rnn.bias_ih.data + rnn.weight_hh.data @ h
                    + rnn.bias_hh.data)
        out.append(h)
    return np.array(out)


def written(step, length):
    """How many states h_1 .. are on show at ``step``: none before reading starts at step 8;
    then reading copy t takes a step and writing h_t another; the last step shows all."""
    return 0 if step < 8 else min(length, (step - 7) // 2)


def drawn_bars(scene):
    """The bars on show, per copy: {copy index: [(height in units of h, colour), ...]}."""
    bars = {}
    for path, colour in zip(scene.bars.get_paths(), scene.bars.get_facecolor()):
        xy = path.vertices
        centre_x = xy[:, 0].mean()
        copy = int(np.argmin(np.abs(scene.centres - centre_x)))
        assert abs(scene.centres[copy] - centre_x) < ru.BOX_W / 2, "a bar outside every copy"
        assert np.isclose(xy[:, 1].min(), ru.YC) or np.isclose(xy[:, 1].max(), ru.YC), "a bar off the middle line"
        height = (xy[:, 1].max() - xy[:, 1].min()) / ru.BAR_SCALE
        sign = 1.0 if xy[:, 1].max() > ru.YC + 1e-12 else -1.0
        bars.setdefault(copy, []).append((sign * height, tuple(np.round(colour[:3], 3))))
    return bars


def numbers_in(text):
    return [float(t.replace("\u2212", "-")) for t in re.findall(r"\u2212?\d+\.\d+", text)]


def rgb(hex_colour):
    return tuple(np.round([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)], 3))


def test_the_network_and_the_sequence_are_the_engines():
    scene = RNNUnrolledScene()
    assert isinstance(scene.rnn, nn.RNN) and scene.rnn.input_size == 1 and scene.rnn.hidden_size == 3
    fresh = nn.RNN(1, 3, rng=ru.RNN_SEED)
    assert np.array_equal(scene.rnn.weight_hh.data, fresh.weight_hh.data)
    x, _ = sine_windows(1, ru.MAX_LENGTH, rng=ru.DATA_SEED, periods=ru.PERIODS)
    np.testing.assert_array_equal(scene.x, x[0, :, 0])
    np.testing.assert_allclose(scene.h, numpy_states(scene.rnn, scene.x), atol=1e-12)
    # a sine wave: it goes up and down, and the states are not all of one sign
    assert scene.x.max() > 0.5 and scene.x.min() < -0.5
    assert (scene.h > 0.05).any() and (scene.h < -0.05).any()


@pytest.mark.parametrize("length", LENGTHS)
def test_the_bars_at_every_step_are_the_states_h_t(length):
    scene = RNNUnrolledScene(length=length)
    want = numpy_states(nn.RNN(1, 3, rng=ru.RNN_SEED), scene.x)
    for step in range(ru.LAST + 1):
        scene.set(step=step)
        bars = drawn_bars(scene)
        assert sorted(bars) == list(range(written(step, length))), step
        for copy, shown in bars.items():
            heights = [h for h, _ in shown]
            np.testing.assert_allclose(heights, want[copy], atol=1e-9, err_msg=f"step {step}, copy {copy}")
            for h, colour in shown:
                assert colour == rgb(style.POSITIVE if h > 0 else style.NEGATIVE)


@pytest.mark.parametrize("length", LENGTHS)
def test_the_caption_names_the_step_and_its_numbers(length):
    scene = RNNUnrolledScene(length=length)
    want = numpy_states(scene.rnn, scene.x)
    for step in range(8, 8 + 2 * length):
        t = (step - 8) // 2 + 1
        text = scene.set(step=step).caption.get_text()
        assert text.startswith(f"Step {t}:"), (step, text)
        if step % 2 == 0:  # reading x_t and h_{t-1}
            assert f"x{style.subscript(t)} = " in text and numbers_in(text) == [round(scene.x[t - 1], 2)]
            assert ("h\u2080 = 0" if t == 1 else f"h{style.subscript(t - 1)} from step {t - 1}") in text
        else:  # writing h_t
            assert f"h{style.subscript(t)} = (" in text
            np.testing.assert_allclose(numbers_in(text), np.round(want[t - 1], 2), atol=1e-9)
    assert scene.set(step=0).caption.get_text().startswith("One cell reads")
    end = scene.set(step=8 + 2 * length).caption.get_text()
    assert end.startswith(f"After {length} steps, h{style.subscript(length)}")


def test_the_frame_and_the_orange_arrows_follow_the_copy_at_work():
    scene = RNNUnrolledScene(length=5)
    for step in range(ru.last_step(5) + 1):
        scene.set(step=step)
        t = (step - 8) // 2 + 1 if 8 <= step < 18 else None
        assert scene.frame.get_visible() == (t is not None)
        assert scene.x_in.get_visible() == (t is not None and step % 2 == 0)
        if t is not None:
            assert np.isclose(scene.frame.get_x() + ru.BOX_W / 2, scene.centres[t - 1])
            assert scene.reading.get_xdata()[0] == scene.centres[t - 1]
            assert len(scene.read.get_xdata()) == t - 1  # the inputs read before this one
    assert scene.set(step=1).loop_lit.get_visible() and not scene.set(step=0).loop_lit.get_visible()


def test_the_copies_slide_out_of_the_rolled_up_cell():
    scene = RNNUnrolledScene(length=4)
    xs = []
    for step in range(ru.ROLLED_STEPS, ru.UNROLLED):
        scene.set(step=step)
        shown = [b for b in scene.sliders if b.get_visible()]
        assert len(shown) == 4
        xs.append([b.get_x() + ru.BOX_W / 2 for b in shown])
    xs = np.array(xs)
    assert (np.diff(xs[:, -1]) > 0).all(), "the last copy moves right at every step"
    assert xs[0, -1] - ru.ROLLED_X < 0.2 * (scene.centres[3] - ru.ROLLED_X) < xs[-1, -1] - ru.ROLLED_X
    scene.set(step=ru.UNROLLED)
    assert not any(b.get_visible() for b in scene.sliders)
    assert scene.legend.get_text().startswith("\u25a0 same W")


@pytest.mark.parametrize("length", [ru.MIN_LENGTH, ru.MAX_LENGTH])
def test_every_step_renders_and_changes_the_picture(length):
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = RNNUnrolledScene(length=length)
        frames = [scene.set(step=step).render() for step in range(ru.LAST + 1)]
    last = ru.last_step(length)
    for step in range(last):
        assert not np.array_equal(frames[step], frames[step + 1]), f"step {step} -> {step + 1} shows nothing new"
    for step in range(last + 1, ru.LAST + 1):  # past the end of a short sequence: its end
        assert np.array_equal(frames[step], frames[last])


def test_length_changes_the_picture_and_keeps_step_inside_the_story():
    scene = RNNUnrolledScene(length=6, step=ru.LAST)
    pictures = {}
    for length in reversed(LENGTHS):  # each shorter than the one before: step comes down with it
        scene.set(length=length)
        assert scene.values["step"] == min(ru.LAST, ru.last_step(length)) == scene.step_max()
        pictures[length] = scene.render()
        assert sum(b.get_visible() for b, k in scene.unrolled if k >= 0 and hasattr(b, "get_boxstyle")) == length
    assert len({p.tobytes() for p in pictures.values()}) == len(pictures)
    assert scene.title.get_text().endswith("T = 3 time steps")
    assert scene.set(length=6).values["step"] == ru.last_step(3)  # a longer one: the same step


def test_bad_values_are_refused_and_the_picture_stays():
    scene = RNNUnrolledScene(step=11)
    before = scene.render()
    for bad in (dict(step=ru.LAST + 1), dict(length=2), dict(length=7), dict(step=1.5), dict(step="3")):
        with pytest.raises((ValueError, TypeError)):
            scene.set(**bad)
        assert np.array_equal(scene.render(), before)


def test_the_storyboard_tells_the_whole_story_and_holds_the_end():
    board = list(RNNUnrolledScene().storyboard())
    steps = [changes["step"] for changes, _ in board]
    assert steps == list(range(ru.last_step(ru.DEFAULT_LENGTH) + 1))
    assert all(changes["length"] == ru.DEFAULT_LENGTH for changes, _ in board)
    durations = [ms for _, ms in board]
    assert min(durations) > 0 and durations[-1] >= 1500


def test_kept_backgrounds_and_pasted_captions_give_the_pixels_of_a_fresh_scene():
    """The caption is drawn once per string and then pasted, the background kept per part
    of the story: coming back to a step must look exactly as drawing it afresh."""
    scene = RNNUnrolledScene()
    visits = [(5, 13), (3, 0), (6, 20), (5, 4), (5, 13), (3, 9), (6, 1), (5, 13), (3, 0), (6, 20)]
    for length, step in visits:
        shown = scene.set(length=length, step=step).render()
        assert np.array_equal(shown, RNNUnrolledScene(length=length, step=step).render()), (length, step)
    assert isinstance(scene.caption, StampedText)  # drawn once per string, then pasted
