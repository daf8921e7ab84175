"""The autoencoder scene: one digit squeezed to 2 numbers and rebuilt, and the code map
of the held-out digits over training.

Expected values come from a forward pass written here from the recorded weights (tanh
hidden layers, a sigmoid output), the digits taken from ``course_utils.digits.split``,
and the mean squared error from its formula; not from the code under test.
"""

import warnings

import numpy as np
import pytest
from matplotlib.path import Path

from course_utils import autoencoders, digits, gif
from course_utils.scenes import autoencoder as S
from course_utils.scenes.autoencoder import AutoencoderScene

# --------------------------------------------------------------------------------------
# the network, from its recorded weights
# --------------------------------------------------------------------------------------


def encoder(snapshot, x):
    """64 -> 32 (tanh) -> 2: returns the hidden outputs and the code."""
    hidden = np.tanh(x @ snapshot["0.0.weight"].T + snapshot["0.0.bias"])
    return hidden, hidden @ snapshot["0.2.weight"].T + snapshot["0.2.bias"]


def decoder(snapshot, z):
    """2 -> 32 (tanh) -> 64 (sigmoid): returns the hidden outputs and the pixels."""
    hidden = np.tanh(z @ snapshot["1.0.weight"].T + snapshot["1.0.bias"])
    return hidden, 1 / (1 + np.exp(-(hidden @ snapshot["1.2.weight"].T + snapshot["1.2.bias"])))


def held_out():
    """The 400 held-out digits as rows of 64 pixels, and their labels."""
    _, _, x_test, y_test = digits.split()
    return x_test.reshape(len(x_test), 64), y_test


def training_digits():
    x, y, _, _ = digits.split()
    return x.reshape(len(x), 64), y


def signed2(v):
    return f"{round(float(v), 2) + 0.0:+.2f}".replace("-", "\u2212")


@pytest.fixture(scope="module")
def run():
    return autoencoders.train(code=2)


# --------------------------------------------------------------------------------------
# the squeeze and the rebuild
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("digit, step", [(3, 30), (0, 0), (8, 7), (4, 30), (9, 15)])
def test_columns_are_the_networks_own_activations(run, digit, step):
    scene = AutoencoderScene(digit=digit, step=step)
    x, y = held_out()
    pixels = x[list(y).index(digit)]
    snapshot = run.snapshots[step]
    hidden, code = encoder(snapshot, pixels[None])
    unfolded, rebuilt = decoder(snapshot, code)
    np.testing.assert_array_equal(scene.original.get_array(), pixels.reshape(8, 8))
    np.testing.assert_array_equal(scene.pixel_cells.get_array()[:, 0], pixels)
    np.testing.assert_allclose(scene.hidden_cells.get_array()[:, 0], hidden[0], atol=1e-12)
    np.testing.assert_allclose(scene.unfolded_cells.get_array()[:, 0], unfolded[0], atol=1e-12)
    np.testing.assert_allclose(scene.rebuilt_cells.get_array()[:, 0], rebuilt[0], atol=1e-12)
    np.testing.assert_allclose(scene.rebuilt.get_array(), rebuilt[0].reshape(8, 8), atol=1e-12)
    assert scene.pixel_cells.get_array().shape == (64, 1) and scene.hidden_cells.get_array().shape == (32, 1)
    assert [t.get_text() for t in scene.code_text] == [f"z\u2081 = {signed2(code[0, 0])}",
                                                       f"z\u2082 = {signed2(code[0, 1])}"]
    error = np.mean((rebuilt[0] - pixels) ** 2)
    assert scene.error_text.get_text() == f"error {error:.4f}"
    # the code cells are coloured by the code (pale: divided by twice the map's reach)
    cells = scene.code_cells.get_array()[:, 0]
    assert np.all(np.sign(cells) == np.sign(code[0])) and np.all(np.abs(cells) <= 0.5)
    assert scene.original_title.get_text() == f"a held-out {digit}"


def test_the_rebuilt_digit_is_the_whole_models_output(run):
    scene = AutoencoderScene(digit=7, step=30)
    x, y = held_out()
    pixels = x[list(y).index(7)][None]
    np.testing.assert_allclose(scene.rebuilt.get_array().ravel(), run.at(30)(pixels)[0], atol=1e-12)
    m = run.at(30)
    np.testing.assert_allclose(scene.rebuilt.get_array().ravel(),
                               autoencoders.decode(m, autoencoders.encode(m, pixels))[0], atol=1e-12)


def test_reconstruction_errors_the_notebook_quotes(run):
    """The trained network rebuilds the GIF's two digits, the first held-out 3 and 0, with
    errors 0.0347 and 0.0349 (mean squared difference per pixel); all 400 held-out digits
    0.0345 on average. Untrained, the mean is 0.1779."""
    x, y = held_out()
    def rebuilt(k, pixels):
        return decoder(run.snapshots[k], encoder(run.snapshots[k], pixels)[1])[1]

    found = {}
    for digit in (3, 0):
        pixels = x[list(y).index(digit)][None]
        found[digit] = np.mean((rebuilt(-1, pixels) - pixels) ** 2)
    assert (f"{found[3]:.4f}", f"{found[0]:.4f}") == ("0.0347", "0.0349")
    means = [np.mean((rebuilt(k, x) - x) ** 2) for k in (0, -1)]
    assert [f"{m:.4f}" for m in means] == ["0.1779", "0.0345"]
    scene = AutoencoderScene(step=0)
    assert scene.caption.get_text() == (f"snapshot 0 of 30, update 0: mean error of the 400 held-out "
                                        f"digits {means[0]:.4f}")
    scene.set(step=30)
    assert scene.caption.get_text() == (f"snapshot 30 of 30, update {run.moments[30]}: mean error of "
                                        f"the 400 held-out digits {means[1]:.4f}")


def test_labels_are_never_used_in_training(run):
    # the targets are the inputs themselves: pixels, not labels
    np.testing.assert_array_equal(run.data["y"], run.data["x"])
    np.testing.assert_array_equal(run.data["x"], training_digits()[0])
    assert run.data["y"].shape == (len(training_digits()[0]), 64)
    np.testing.assert_array_equal(run.data["y_val"], held_out()[0])


# --------------------------------------------------------------------------------------
# the code map
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", [0, 5, 30])
def test_map_points_are_the_held_out_codes_by_class(run, step):
    scene = AutoencoderScene(step=step, digit=6)
    x, y = held_out()
    codes = encoder(run.snapshots[step], x)[1]
    assert len(scene.markers) == 10
    assert sum(len(m.get_offsets()) for m in scene.markers) == 400
    for d, marker in enumerate(scene.markers):
        np.testing.assert_allclose(marker.get_offsets(), codes[y == d], atol=1e-12)
    np.testing.assert_allclose(np.column_stack(scene.ring.get_data())[0], codes[list(y).index(6)], atol=1e-12)
    assert run.moments[step] == autoencoders.SNAPSHOT_AT[step]


def test_map_axes_are_fixed_and_hold_every_snapshot(run):
    x, _ = held_out()
    every = np.concatenate([encoder(s, x)[1] for s in run.snapshots])
    low, high = every.min(axis=0), every.max(axis=0)
    pad = 0.05 * (high - low)
    expected = [(np.floor(lo), np.ceil(hi)) for lo, hi in zip(low - pad, high + pad)]
    scene = AutoencoderScene(step=0)
    limits = [scene.ax_map.get_xlim(), scene.ax_map.get_ylim()]
    scene.set(step=30)
    assert [scene.ax_map.get_xlim(), scene.ax_map.get_ylim()] == limits == expected
    for k in (0, 30):  # every point inside
        codes = encoder(run.snapshots[k], x)[1]
        assert np.all(codes > np.array(expected)[:, 0]) and np.all(codes < np.array(expected)[:, 1])
    # the untrained codes are a blob: under a tenth of the trained spread
    first, last = encoder(run.snapshots[0], x)[1], encoder(run.snapshots[-1], x)[1]
    assert np.all(first.std(axis=0) < 0.1 * last.std(axis=0))


def nearest_centre_right(codes, labels, train_codes, train_labels):
    """How many codes lie nearest the centre (mean code) of their own class, the
    centres taken from the training digits."""
    centres = np.array([train_codes[train_labels == d].mean(axis=0) for d in range(10)])
    guess = np.argmin(((codes[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    return int(np.sum(guess == labels))


def test_classes_separate_on_the_code_map(run):
    """A rule that only measures distances on the map, "each held-out digit belongs to the
    class whose centre (the mean code of its training digits) is nearest", gets 277 of the
    400 held-out digits right (69.25 %) on the trained codes; on the untrained codes 126
    (31.5 %), and on the first 2 principal components of the pixels 247 (61.75 %). Chance is
    10 %. The network never saw a label."""
    x, y = held_out()
    x_train, y_train = training_digits()
    right = {k: nearest_centre_right(encoder(run.snapshots[k], x)[1], y,
                                     encoder(run.snapshots[k], x_train)[1], y_train) for k in (0, -1)}
    mean = x_train.mean(axis=0)
    _, _, vt = np.linalg.svd(x_train - mean, full_matrices=False)
    pca = nearest_centre_right((x - mean) @ vt[:2].T, y, (x_train - mean) @ vt[:2].T, y_train)
    assert (right[0], right[-1], pca) == (126, 277, 247)


def test_digit_markers_are_characters_in_ten_colours():
    assert len(set(S.DIGIT_COLOURS)) == 10
    scene = AutoencoderScene()
    from matplotlib.colors import to_hex
    for d, marker in enumerate(scene.markers):
        assert to_hex(marker.get_facecolor()[0]) == S.DIGIT_COLOURS[d].lower()
        path = marker.get_paths()[0]
        assert set(np.unique(path.codes)) <= {Path.MOVETO, Path.LINETO, Path.CLOSEPOLY}  # no curves left
    # the outline of an 8 has three closed pieces (the outside and two holes), a 1 one
    assert [int(np.sum(S.glyph(d).codes == Path.MOVETO)) for d in (8, 1, 0)] == [3, 1, 2]
    box = S.glyph(5).get_extents()
    assert abs(box.x0 + box.x1) < 1e-3 and abs(box.y0 + box.y1) < 1e-3  # centred


# --------------------------------------------------------------------------------------
# corners, bad input, the GIF
# --------------------------------------------------------------------------------------


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = AutoencoderScene()
        for corner in AutoencoderScene.corner_values():
            scene.set(**corner)
            assert scene.render().std() > 0
    corners = list(AutoencoderScene.corner_values())
    for target in (corners[0], corners[-1]):
        assert np.array_equal(scene.set(**target).render(), AutoencoderScene(**target).render())


@pytest.mark.parametrize("bad", [dict(digit=11), dict(digit="3"), dict(step=31), dict(step=-1),
                                 dict(step=2.5), dict(colour="red")])
def test_bad_input_keeps_the_picture(bad):
    scene = AutoencoderScene(digit=5, step=12)
    before = scene.render()
    with pytest.raises((ValueError, TypeError, KeyError)):
        scene.set(**bad)
    assert scene.values == {"digit": 5, "step": 12}
    assert np.array_equal(scene.render(), before)


def test_storyboard_squeezes_two_digits_then_trains():
    board = list(AutoencoderScene().storyboard())
    for changes, duration in board:
        assert duration > 0
        for name, value in changes.items():
            AutoencoderScene.param(name).validate(value)
    first = [c for c, _ in board[:2]]
    assert [c["step"] for c in first] == [S.SNAPSHOTS] * 2 and first[0]["digit"] != first[1]["digit"]
    steps = [c["step"] for c, _ in board[2:]]
    assert steps[0] == 0 and steps[-1] == S.SNAPSHOTS and steps == sorted(set(steps))


def test_gif_is_fresh_small_and_loops():
    from PIL import Image

    assert AutoencoderScene.gif_name == "autoencoder"
    path = gif.IMGS / "autoencoder.gif"
    assert not gif.is_stale(AutoencoderScene), "run gif.build(AutoencoderScene)"
    assert path.stat().st_size < 300_000
    image = Image.open(path)
    assert image.info.get("loop") == 0 and image.n_frames == len(list(AutoencoderScene().storyboard()))
