"""The character-level toy: the text and its alphabet, the hand-written training loop (its
gradient checked by finite differences), what the trained LSTM says, and the scene that
shows it."""

import warnings

import numpy as np
import pytest

from course_utils import characters, nn, sequences
from course_utils.characters import ALPHABET, TEXT, V
from course_utils.scenes import next_character
from course_utils.scenes.next_character import NextCharacterScene


@pytest.fixture(scope="module")
def run():
    return characters.train()


# ------------------------------------------------------------------ text and alphabet

def test_the_text_is_short_and_written_in_the_alphabet():
    assert 300 <= len(TEXT) <= 600
    assert set(TEXT) <= set(ALPHABET) and len(set(ALPHABET)) == V == 28
    assert characters.STREAM == TEXT + " "


def test_encode_and_decode_are_inverse():
    codes = characters.encode(TEXT)
    assert codes.shape == (len(TEXT),) and codes.dtype.kind == "i"
    assert characters.decode(codes) == TEXT
    assert characters.decode(characters.encode("")) == ""
    assert list(characters.encode(" .az")) == [0, 1, 2, V - 1]


def test_one_hot_has_a_single_one_at_the_index():
    x = characters.one_hot("the cat")
    assert x.shape == (7, V) and np.all(x.sum(axis=1) == 1)
    assert list(np.argmax(x, axis=1)) == list(characters.encode("the cat"))
    assert characters.one_hot(np.zeros((2, 3), int)).shape == (2, 3, V)


@pytest.mark.parametrize("text, named", [("The cat", "'T'"), ("a, b", "','"), ("x\ny", "\\n"), ("42", "'4', '2'")])
def test_encode_names_the_characters_it_does_not_know(text, named):
    with pytest.raises(ValueError, match="lowercase letters") as info:
        characters.encode(text)
    assert named in str(info.value)


def test_decode_and_encode_refuse_what_they_cannot_read():
    with pytest.raises(ValueError, match="0 to 27"):
        characters.decode([0, 28])
    with pytest.raises(TypeError, match="text"):
        characters.encode(123)


def test_stretches_are_seeded_and_targets_are_the_next_characters():
    x, y = characters.stretches(5, rng=3)
    x2, y2 = characters.stretches(5, rng=3)
    assert x.shape == y.shape == (5, characters.LENGTH)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert np.array_equal(x[:, 1:], y[:, :-1])
    stream = characters.STREAM * 2
    for row_x, row_y in zip(x, y):
        text = characters.decode(row_x) + characters.decode(row_y[-1:])
        assert text in stream                       # a real stretch of the text, read round


def test_followers_counts_what_comes_after_a_prompt():
    assert characters.followers("the cat") == {" ": 3}
    follow = characters.followers("the ")
    assert sum(follow.values()) == TEXT.count("the ") and follow["c"] == 3
    assert characters.followers("that.") == {" ": 1}   # the text read round: then "the cat"
    assert characters.followers("a dog") == {}


# ------------------------------------------------------------------ the training loop

def finite_difference_gradients(model, x, y, eps=1e-6):
    """d(mean cross-entropy over every step)/d(each parameter), by central differences;
    the loss computed by hand, not by the engine's loss."""
    def loss():
        z = model(characters.one_hot(x))                        # (N, L, V)
        z = z - z.max(axis=2, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=2, keepdims=True))
        return -np.mean(np.take_along_axis(log_p, y[..., None], axis=2))

    grads = []
    for p in model.parameters():
        g = np.zeros_like(p.data)
        for i in np.ndindex(p.data.shape):
            old = p.data[i]
            p.data[i] = old + eps
            up = loss()
            p.data[i] = old - eps
            down = loss()
            p.data[i] = old
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def test_the_hand_written_loop_has_the_right_gradient():
    model = characters.character_model(hidden=3)
    x, y = characters.stretches(2, length=5, rng=1)
    for p in model.parameters():
        p.grad += 1.0                                  # stale gradients must be cleared
    loss = characters.batch_loss(model, nn.CrossEntropyLoss(), x, y)
    expected = finite_difference_gradients(model, x, y)
    assert 2.5 < loss < 4.5
    for p, g in zip(model.parameters(), expected):
        assert np.allclose(p.grad, g, rtol=1e-5, atol=1e-8), p


def test_training_is_recorded_and_the_loss_falls(run):
    loss, right = run.data["text_loss"], run.data["text_accuracy"]
    assert run.unit == "update" and run.moments[0] == 0 and run.moments[-1] == characters.UPDATES
    assert len(run.snapshots) == characters.SNAPSHOTS + 1 == len(loss) == len(right)
    assert run.curves["train_loss"].shape == (characters.UPDATES + 1,)
    assert loss[-1] < loss[0] / 20
    untrained, trained = characters.text_scores(run.at(0)), characters.text_scores(run.at(-1))
    assert (untrained[0], untrained[1]) == pytest.approx((loss[0], right[0]))
    assert (trained[0], trained[1]) == pytest.approx((loss[-1], right[-1]))
    assert untrained[0] == pytest.approx(np.log(V), abs=0.1)   # it starts knowing nothing
    # far above chance, and above anything that looks only at the current character
    memoryless = characters.last_character_accuracy()
    assert right[0] < 0.1 and 0.4 < memoryless < 0.6
    assert right[-1] > 0.95 and right[-1] > memoryless + 0.4


def test_training_is_seeded(run):
    assert characters.train() is run                   # cached
    characters.train.cache_clear()
    again = characters.train()
    assert np.array_equal(again.curves["train_loss"], run.curves["train_loss"])
    for a, b in zip(again.snapshots[-1].values(), run.snapshots[-1].values()):
        assert np.array_equal(a, b)


def test_verbose_prints_a_few_rounded_lines(capsys):
    characters.train(verbose=1, updates=8, hidden=4)
    lines = capsys.readouterr().out.splitlines()
    assert 3 <= len(lines) <= 8
    assert lines[-1].startswith("update    8: batch loss ") and lines[-1].endswith(" %")
    assert not any(word in " ".join(lines) for word in ("second", " s,", "ms"))


# ------------------------------------------------------------------ what the network says

def test_next_probabilities_are_a_softmax_of_the_logits(run):
    model = run.at(-1)
    prompt = "the rat ran"
    p = characters.next_probabilities(model, prompt)
    assert p.shape == (len(prompt), V)
    assert np.allclose(p.sum(axis=1), 1) and np.all(p >= 0)
    # by hand: the LSTM written out step by step (sequences.lstm_trace), the read-out, a softmax
    h = sequences.lstm_trace(model.recurrent, characters.one_hot(prompt))["h"]
    z = h @ model.head.weight.data.T + model.head.bias.data
    by_hand = np.exp(z - z.max(axis=1, keepdims=True))
    by_hand /= by_hand.sum(axis=1, keepdims=True)
    assert np.allclose(p, by_hand, atol=1e-12)
    # after "the rat ra" it is sure of the "n"
    assert ALPHABET[np.argmax(p[-2])] == "n"


def test_continue_text_at_temperature_zero_follows_the_likeliest(run):
    model = run.at(-1)
    text = characters.continue_text(model, "the cat", 40)
    assert text == characters.continue_text(model, "the cat", 40)
    assert text.startswith("the cat") and len(text) == 47 and set(text) <= set(ALPHABET)
    for k in range(len("the cat"), len(text)):         # each character the likeliest after the ones before
        assert ALPHABET[np.argmax(characters.next_probabilities(model, text[:k])[-1])] == text[k]
    assert text[7:] in characters.STREAM * 2            # the trained network writes its text


def test_continue_text_samples_with_a_seed(run):
    model = run.at(-1)
    a = characters.continue_text(model, "when", 60, temperature=1.0, rng=5)
    assert a == characters.continue_text(model, "when", 60, temperature=1.0, rng=5)
    assert set(a) <= set(ALPHABET) and len(a) == 64
    others = {characters.continue_text(run.at(0), "when", 30, temperature=1.0, rng=s) for s in range(3)}
    assert len(others) == 3                              # the untrained network: a different text each seed


@pytest.mark.parametrize("call, message", [
    (lambda m: characters.continue_text(m, "", 5), "at least one character"),
    (lambda m: characters.continue_text(m, "Cat", 5), "'C'"),
    (lambda m: characters.continue_text(m, "cat", -1), "n must be"),
    (lambda m: characters.continue_text(m, "cat", 5, temperature=-1), "temperature"),
    (lambda m: characters.next_probabilities(m, ""), "at least one character"),
])
def test_bad_requests_say_what_is_wrong(run, call, message):
    with pytest.raises(ValueError, match=message):
        call(run.at(-1))


def test_a_model_that_does_not_fit_is_refused():
    with pytest.raises(TypeError, match="character model"):
        characters.next_probabilities(sequences.SequenceModel("lstm", 2, 4, 1), "cat")


# ------------------------------------------------------------------ the scene

def test_the_scene_shows_the_probabilities_it_computes(run):
    prompt = "the net sees"
    scene = NextCharacterScene(prompt=prompt, snapshot=9)
    p = characters.next_probabilities(run.at(9), prompt)
    assert np.allclose(scene.probabilities, p)
    top = np.argsort(-p, axis=1)[:, :3]
    assert scene.shown_guesses == ["".join(ALPHABET[c] for c in row) for row in top]
    assert np.allclose(scene.shown_probabilities, np.take_along_axis(p, top, axis=1))
    # the grid on screen: one pixel per pixel, each cell in the colour of its probability
    frame = scene.render()
    grid, cw = next_character.grid_pixels(scene.now_reading, prompt)
    h, w = grid.shape[:2]
    top_px, left = next_character.GRID_TOP, next_character.GRID_LEFT
    assert np.array_equal(frame[top_px:top_px + h, left:left + w], grid)
    for t in range(len(prompt)):
        for k in range(3):
            corner = frame[top_px + k * next_character.ROW + 4, left + t * cw + 4]
            shade = next_character.SHADES(next_character.shade(p[t, top[t, k]]))[:3]
            assert np.allclose(corner, np.array(shade) * 255, atol=1), (t, k)
    # and it writes on as continue_text does
    assert prompt + scene.continuation == characters.continue_text(run.at(9), prompt, next_character.WRITTEN)


def test_true_next_characters_and_right_guesses(run):
    scene = NextCharacterScene(prompt="the cat sat")
    truth = scene.now_reading["truth"]
    assert characters.decode(truth[:-1]) == "he cat sat"
    assert ALPHABET[truth[-1]] == " "                  # "the cat sat" goes on with a space
    assert NextCharacterScene(prompt="a dog").now_reading["truth"][-1] == -1


def test_snapshot_and_temperature_change_the_picture(run):
    scene = NextCharacterScene(prompt="the cat")
    trained = scene.render()
    scene.set(snapshot=0)
    assert not np.array_equal(scene.render(), trained)
    assert set(scene.shown_probabilities.ravel()) and scene.shown_probabilities.max() < 0.2
    scene.set(snapshot=next_character.SNAPSHOTS, temperature=1.0)
    assert scene.continuation == characters.continue_text(run.at(-1), "the cat", 60, 1.0, rng=0)[7:]


@pytest.mark.parametrize("bad, message", [
    ("The Cat!", "not 'T' 'C' '!' (try lowercase)"),
    ("", "type at least one character"),
    ("the cat sat on the mat and", "at most 24 characters"),
    ("tab\there", "not '\\t'"),
])
def test_a_bad_prompt_says_so_and_leaves_the_scene_as_it_was(bad, message):
    scene = NextCharacterScene(prompt="the rat", snapshot=5)
    before, values = scene.render(), dict(scene.values)
    with pytest.raises(ValueError) as info:
        scene.set(prompt=bad)
    assert str(info.value).startswith("prompt: ") and message in str(info.value)
    assert "numpy" not in str(info.value) and "Traceback" not in str(info.value)
    assert scene.values == values and np.array_equal(scene.render(), before)


def test_a_prompt_that_is_not_text_is_refused():
    with pytest.raises(TypeError, match="must be text"):
        NextCharacterScene().set(prompt=42)


def test_every_corner_renders_and_an_update_equals_a_fresh_scene():
    prompts = ("t", ".", "x" * 24, "the cat sat on the mat.", "  ")
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = NextCharacterScene()
        assert scene.render().std() > 0
        for corner in NextCharacterScene.corner_values():
            for prompt in prompts:
                scene.set(**{**corner, "prompt": prompt})
                assert np.array_equal(scene.render(), NextCharacterScene(**{**corner, "prompt": prompt}).render())
