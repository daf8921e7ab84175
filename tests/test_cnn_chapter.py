"""The CNN chapter's networks: the digit split, the CNN and MLP, what the scenes show,
and every number the chapter states (accuracy, parameter counts, the shift test)."""

import numpy as np
import pytest

from course_utils import digits, nn
from course_utils.scenes import cnn as cnn_scene
from course_utils.scenes import shifted_digits
from course_utils.scenes.cnn import CNNScene
from course_utils.scenes.shifted_digits import ShiftedDigitsScene


def test_the_split_holds_out_400_digits_never_trained_on():
    x, y, x_test, y_test = digits.split()
    assert x.shape == (1397, 1, 8, 8) and x_test.shape == (400, 1, 8, 8)
    assert len(y) == 1397 and len(y_test) == 400
    train_rows = {row.tobytes() for row in x.reshape(len(x), -1)}
    # the UCI file has a handful of duplicate images; the split itself is by row, disjoint
    overlap = sum(row.tobytes() in train_rows for row in x_test.reshape(400, -1))
    assert overlap <= 5
    assert digits.split()[0] is x  # the same split every time


@pytest.mark.parametrize("filters", [4, 8, 16])
def test_cnn_shapes_and_parameter_count(filters):
    model = digits.cnn(filters)
    assert model(np.zeros((3, 1, 8, 8))).shape == (3, 10)
    f = filters
    expected = (1 * 9 * f + f) + (f * 9 * 2 * f + 2 * f) + (2 * f * 2 * 2 * 10 + 10)
    assert model.num_parameters() == expected


def test_the_mlp_and_the_cnn_are_about_the_same_size():
    assert digits.cnn(8).num_parameters() == 1898
    assert digits.mlp(28).num_parameters() == 64 * 28 + 28 + 28 * 10 + 10 == 2110


def test_the_cnn_reaches_97_percent_on_held_out_digits():
    run = digits.train("cnn", 8)
    x_test, y_test = digits.split()[2:]
    by_hand = np.mean(run.at(-1)(x_test).argmax(axis=1) == y_test)
    assert by_hand >= 0.97
    assert run.curves["val_accuracy"][-1] == pytest.approx(by_hand)
    assert run.curves["val_accuracy"][0] < 0.2  # untrained: about one in ten


def _conv_by_hand(image, weight, bias):
    """Cross-correlation with padding 1, written as loops: (f, 8, 8)."""
    padded = np.pad(image, 1)
    out = np.zeros((len(weight), 8, 8))
    for f in range(len(weight)):
        for i in range(8):
            for j in range(8):
                out[f, i, j] = np.sum(padded[i:i + 3, j:j + 3] * weight[f]) + bias[f]
    return out


@pytest.mark.parametrize("step", [0, 7, cnn_scene.STEPS])
def test_the_scene_shows_the_filters_and_maps_of_its_snapshot(step):
    scene = CNNScene(filters=4, digit=5, step=step)
    model = scene.run.at(step)
    weight, bias = model[0].weight.data[:, 0], model[0].bias.data
    maps = np.maximum(_conv_by_hand(scene.x[0], weight, bias), 0)
    shown = scene.mosaics["maps1"].get_array()
    for f in range(4):  # 4 columns of 8 x 8 tiles with gaps of 1
        r, c = divmod(f, 4)
        np.testing.assert_allclose(shown[r * 9:r * 9 + 8, c * 9:c * 9 + 8], maps[f], atol=1e-12)
    x_test, y_test = digits.split()[2:]
    logits = model(x_test)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose([bar.get_width() for bar in scene.bars], p[scene.index], atol=1e-12)
    wrong = int(np.sum(p.argmax(axis=1) != y_test))
    assert scene.wrong_title.get_text().startswith(f"still wrong: {wrong} of 400")


def test_the_shown_digits_are_one_of_each_class():
    y_test = digits.split()[3]
    assert [int(y_test[i]) for i in cnn_scene.shown_digits()] == list(range(10))


def test_shift_moves_pixels_and_blanks_what_comes_in():
    image = np.arange(64.0).reshape(8, 8)
    moved = digits.shift(image, 2, -1)
    for i in range(8):
        for j in range(8):
            source = (i + 1, j - 2)
            inside = 0 <= source[0] < 8 and 0 <= source[1] < 8
            assert moved[i, j] == (image[source] if inside else 0.0)
    assert np.array_equal(digits.shift(image, 0, 0), image)
    assert not digits.shift(image, 8, 0).any()


def test_the_cnn_loses_less_than_the_mlp_to_a_one_pixel_shift():
    cnn_acc = shifted_digits.shift_accuracy("cnn", 8)
    mlp_acc = shifted_digits.shift_accuracy("mlp", 28)
    centre = shifted_digits.MAX_SHIFT
    assert cnn_acc[centre, centre] == pytest.approx(digits.train("cnn", 8).curves["val_accuracy"][-1])
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        assert cnn_acc[centre + dy, centre + dx] > mlp_acc[centre + dy, centre + dx]
    # ... but neither is immune: two pixels cost both most of their accuracy
    assert cnn_acc[centre, centre + 2] < 0.5 and mlp_acc[centre, centre + 2] < 0.5


def test_shift_scene_says_what_each_network_guesses():
    scene = ShiftedDigitsScene(dx=0, dy=0, digit=3)
    assert scene.guesses.get_text().count("(right)") >= 1
    scene.set(dx=2, dy=2)
    x = digits.shift(digits.split()[2][scene_index(3):scene_index(3) + 1], 2, 2)
    guess = int(digits.train("cnn", 8).at(-1)(x).argmax())
    assert f"CNN, 8 filters: {guess}" in scene.guesses.get_text()


def scene_index(digit):
    return int(np.flatnonzero(digits.split()[3] == digit)[0])


def test_the_numbers_the_chapter_states():
    """The prose says: 80, 1,168 and 650 weights per layer; about 10 % untrained, over
    70 % after one epoch, about 98 % at the end; the MLP within a point of the CNN."""
    model = digits.cnn(8)
    counts = [sum(p.size for p in layer.parameters()) for layer in model if list(layer.parameters())]
    assert counts == [80, 1168, 650]
    acc = digits.train("cnn", 8).curves["val_accuracy"]
    assert abs(acc[0] - 0.1) < 0.1 and acc[1] > 0.7
    assert round(100 * acc[-1]) == 98
    mlp = digits.train("mlp", 28).curves["val_accuracy"][-1]
    assert abs(acc[-1] - mlp) < 0.02
