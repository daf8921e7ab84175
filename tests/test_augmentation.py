"""Data augmentation: the transforms of course_utils.data, the recorded runs with few
digits per class (course_utils.digits), and the AugmentationScene.

Expected values are computed here: closed forms (a quarter turn is np.rot90, a centred
dot scaled by 2), a bilinear sampler written pixel by pixel from the formula, and the
networks' accuracy from their recorded weights with a forward pass written here.
"""

import warnings

import numpy as np
import pytest

from course_utils import data, digits, gif, style
from course_utils.scenes import augmentation as A
from course_utils.scenes.augmentation import AugmentationScene

RNG = np.random.default_rng(12345)
IMAGES = RNG.random((5, 8, 8))  # random pixels: any mistake in a transform shows


# --------------------------------------------------------------------------------------
# an independent bilinear sampler, pixel by pixel
# --------------------------------------------------------------------------------------


def sample(image, row, col):
    """Bilinear value of ``image`` at (row, col) in pixel indices; 0 outside."""
    h, w = image.shape
    r0, c0 = int(np.floor(row)), int(np.floor(col))
    total = 0.0
    for r, wr in ((r0, 1 - (row - r0)), (r0 + 1, row - r0)):
        for c, wc in ((c0, 1 - (col - c0)), (c0 + 1, col - c0)):
            if 0 <= r < h and 0 <= c < w:
                total += wr * wc * image[r, c]
    return total


def warp_reference(image, degrees=0.0, factor=1.0, dx=0.0, dy=0.0):
    """Output pixel at offset p = (x, y) from the centre (y down) reads the input at
    R(-degrees) (p - (dx, dy)) / factor, as the docstrings say; clipped to [0, 1]."""
    h, w = image.shape
    t = np.radians(degrees)
    out = np.zeros_like(image)
    for r in range(h):
        for c in range(w):
            x, y = c - (w - 1) / 2 - dx, r - (h - 1) / 2 - dy
            sx = (np.cos(t) * x - np.sin(t) * y) / factor
            sy = (np.sin(t) * x + np.cos(t) * y) / factor
            out[r, c] = sample(image, sy + (h - 1) / 2, sx + (w - 1) / 2)
    return np.clip(out, 0, 1)


# --------------------------------------------------------------------------------------
# the transforms
# --------------------------------------------------------------------------------------


def test_shift_matches_index_arithmetic_and_lives_in_data():
    assert digits.shift is data.shift  # moved, not copied: the convolution chapter's name still works
    for dx, dy in ((2, -1), (-3, 0), (0, 5), (1, 1)):
        moved = data.shift(IMAGES, dx, dy)
        for i in range(8):
            for j in range(8):
                source = (i - dy, j - dx)
                inside = 0 <= source[0] < 8 and 0 <= source[1] < 8
                expected = IMAGES[:, source[0], source[1]] if inside else 0.0
                np.testing.assert_array_equal(moved[:, i, j], expected)
    assert not data.shift(IMAGES, 0, -8).any()


def test_a_quarter_turn_is_rot90():
    # counter-clockwise about the image's centre (3.5, 3.5), so exactly np.rot90 of each
    # picture; turning about pixel (4, 4), or the other way round, would differ everywhere
    stack = IMAGES[:, None]  # (n, 1, 8, 8), as digits.split() gives
    np.testing.assert_allclose(data.rotate(stack, 90), np.rot90(stack, 1, axes=(-2, -1)), atol=1e-12)
    np.testing.assert_allclose(data.rotate(stack, -90), np.rot90(stack, -1, axes=(-2, -1)), atol=1e-12)
    np.testing.assert_allclose(data.rotate(stack, 180), stack[..., ::-1, ::-1], atol=1e-12)
    assert not np.allclose(data.rotate(stack, 90), np.rot90(stack, -1, axes=(-2, -1)))


def test_zero_strength_is_the_identity():
    np.testing.assert_array_equal(data.rotate(IMAGES, 0), IMAGES)
    np.testing.assert_array_equal(data.scale(IMAGES, 1), IMAGES)
    np.testing.assert_array_equal(data.rotate(IMAGES, 360), IMAGES)
    np.testing.assert_array_equal(data.add_noise(IMAGES, 0.0, rng=1), IMAGES)
    same = data.augment(IMAGES, 3, max_shift=0, max_degrees=0, scale_range=(1, 1), noise=0)
    np.testing.assert_array_equal(same, IMAGES)


def test_scale_two_of_a_centred_dot():
    # a 2 x 2 dot at the centre, read bilinearly, is 1 within half a pixel of the centre and
    # falls to 0 at 1.5 pixels; drawn twice as large, pixel offsets +-0.5, 1.5, 2.5, 3.5
    # read it at +-0.25, 0.75, 1.25, 1.75: 1, 0.75, 0.25, 0 along each axis
    dot = np.zeros((8, 8))
    dot[3:5, 3:5] = 1.0
    profile = np.array([0, 0.25, 0.75, 1, 1, 0.75, 0.25, 0])
    np.testing.assert_allclose(data.scale(dot, 2.0), np.outer(profile, profile), atol=1e-12)
    # all ink, half as large: offsets up to 1.5 read inside (|2 x| <= 3), 2.5 reads 5 (outside)
    half = np.array([0, 0, 1, 1, 1, 1, 0, 0.0])
    np.testing.assert_allclose(data.scale(np.ones((8, 8)), 0.5), np.outer(half, half), atol=1e-12)


@pytest.mark.parametrize("degrees", [30, -12.5, 45, 100])
def test_rotate_is_the_bilinear_formula(degrees):
    for image in IMAGES[:2]:
        np.testing.assert_allclose(data.rotate(image, degrees), warp_reference(image, degrees=degrees),
                                   atol=1e-12)


@pytest.mark.parametrize("factor", [1.3, 0.8, 0.25, 3.0])
def test_scale_is_the_bilinear_formula(factor):
    for image in IMAGES[:2]:
        np.testing.assert_allclose(data.scale(image, factor), warp_reference(image, factor=factor), atol=1e-12)


def test_augment_gives_each_picture_its_own_combination():
    strengths = dict(max_shift=1.5, max_degrees=20, scale_range=(0.8, 1.2), noise=0.1)
    copies = data.augment(np.repeat(IMAGES[:1], 6, axis=0), 7, **strengths)
    # the documented draws: (dx, dy), degrees, factor per picture, then the noise per pixel
    gen = np.random.default_rng(7)
    move = gen.uniform(-1.5, 1.5, size=(6, 2))
    degrees = gen.uniform(-20, 20, size=6)
    factor = gen.uniform(0.8, 1.2, size=6)
    noise = gen.normal(size=(6, 8, 8))
    for i in range(6):
        warped = warp_reference(IMAGES[0], degrees[i], factor[i], *move[i])
        np.testing.assert_allclose(copies[i], np.clip(warped + 0.1 * noise[i], 0, 1), atol=1e-12)
    flat = copies.reshape(6, -1)
    assert all(not np.allclose(flat[i], flat[j]) for i in range(6) for j in range(i))
    assert copies.min() >= 0 and copies.max() <= 1


def test_augment_works_on_both_shapes_and_reproduces_its_seed():
    flat = data.augment(IMAGES, 11)
    stacked = data.augment(IMAGES[:, None], 11)
    assert stacked.shape == (5, 1, 8, 8)
    np.testing.assert_array_equal(stacked[:, 0], flat)
    assert data.augment(IMAGES, 11).tobytes() == flat.tobytes()
    assert data.augment(IMAGES, np.random.default_rng(11)).tobytes() == flat.tobytes()
    assert not np.array_equal(data.augment(IMAGES, 12), flat)
    assert data.add_noise(IMAGES, 0.1, 4).tobytes() == data.add_noise(IMAGES, 0.1, 4).tobytes()


def test_noise_has_the_asked_standard_deviation():
    grey = np.full((500, 8, 8), 0.5)  # far from 0 and 1 (5 std away): the clip does not bite
    noisy = data.add_noise(grey, 0.1, rng=0)
    change = noisy - grey
    assert change.std() == pytest.approx(0.1, rel=0.02)  # 32,000 pixels: about 0.4 % spread
    assert abs(change.mean()) < 0.002
    blank = data.add_noise(np.zeros((10, 8, 8)), 0.2, rng=0)
    assert blank.min() == 0.0 and blank.max() <= 1.0  # clipped: ink stays in [0, 1]


def test_copies_keep_their_labels():
    x, y = digits.few_per_class(2)
    xs, ys = digits.with_copies(x, y, copies=3, rng=5, max_shift=0, max_degrees=0,
                                scale_range=(1, 1), noise=0)
    n = len(x)
    assert xs.shape == (4 * n, 1, 8, 8) and ys.shape == (4 * n,)
    np.testing.assert_array_equal(xs[:n], x)
    for i in range(n):
        for j in range(3):
            assert ys[n + 3 * i + j] == y[i]
            np.testing.assert_array_equal(xs[n + 3 * i + j], x[i])  # strength 0: the same image


@pytest.mark.parametrize("call, words", [
    (lambda: data.rotate(np.zeros(8), 10), "shape"),
    (lambda: data.scale(np.full((2, 8, 8), np.nan), 2), "NaN"),
    (lambda: data.augment(np.full((8, 8), np.inf), 0), "NaN or inf"),
    (lambda: data.add_noise(IMAGES, -0.1), "std must be >= 0"),
    (lambda: data.add_noise(IMAGES, float("nan")), "finite"),
    (lambda: data.scale(IMAGES, 0), "factor must be > 0"),
    (lambda: data.rotate(IMAGES, "ten"), "degrees must be a number"),
    (lambda: data.rotate([["a"]], 10), "numbers"),
    (lambda: data.shift(IMAGES, 0.5, 0), "dx must be a whole number"),
    (lambda: data.augment(IMAGES, max_shift=-1), "max_shift must be >= 0"),
    (lambda: data.augment(IMAGES, scale_range=(1.2, 0.8)), "low <= high"),
    (lambda: data.augment(IMAGES, scale_range=0.9), "pair"),
    (lambda: digits.few_per_class(0), "per_class"),
    (lambda: digits.train_few(2, "yes"), "augmented"),
    (lambda: digits.train_few(2, True, 0, (("shift", 1.0),)), "strengths can change"),
])
def test_bad_input_says_so_plainly(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# --------------------------------------------------------------------------------------
# the recorded runs
# --------------------------------------------------------------------------------------


def mlp_logits(snapshot, x):
    """Flatten, Linear, ReLU, Linear from a recorded state_dict (keys 1.* and 3.*)."""
    a = x.reshape(len(x), -1)
    hidden = np.maximum(a @ snapshot["1.weight"].T + snapshot["1.bias"], 0)
    return hidden @ snapshot["3.weight"].T + snapshot["3.bias"]


def accuracy(snapshot, x, y):
    return float(np.mean(mlp_logits(snapshot, x).argmax(axis=1) == y))


@pytest.fixture(scope="module")
def recorded():
    return digits.augmentation_accuracy()


def test_few_digits_are_training_digits_nested_and_balanced():
    x_train, y_train, x_test, _ = digits.split()
    previous = None
    for k in digits.PER_CLASS:
        x, y = digits.few_per_class(k)
        assert np.array_equal(np.bincount(y, minlength=10), np.full(10, k))
        rows = {row.tobytes() for row in x}
        assert rows <= {row.tobytes() for row in x_train}
        assert not rows & {row.tobytes() for row in x_test}
        if previous is not None:
            assert previous <= rows  # a larger set holds the smaller one
        previous = rows
    assert not np.array_equal(digits.few_per_class(2, 0)[0], digits.few_per_class(2, 1)[0])


def test_runs_are_paired_and_cached():
    for k in (1, 20):
        alone, copied = digits.train_few(k, False), digits.train_few(k, True)
        assert copied is digits.train_few(k, True)
        for name in alone.snapshots[0]:  # the same start
            np.testing.assert_array_equal(alone.snapshots[0][name], copied.snapshots[0][name])
        # as many updates with copies as without, at least FEW_UPDATES, in whole epochs
        n, m = len(alone.data["x"]), len(copied.data["x"])
        assert m == (1 + digits.COPIES) * n == (1 + digits.COPIES) * 10 * k
        for run, size in ((alone, n), (copied, m)):
            per_epoch = -(-size // min(digits.FEW_BATCH, size))
            assert run.moments[-1] == per_epoch * -(-digits.FEW_UPDATES // per_epoch)
            assert digits.FEW_UPDATES <= run.moments[-1] < digits.FEW_UPDATES + per_epoch
        # the copies are data.augment's, with the recorded strengths
        x, _ = digits.few_per_class(k)
        made = data.augment(np.repeat(x, digits.COPIES, axis=0), digits.AUGMENT_SEED, **digits.AUGMENTATION)
        np.testing.assert_array_equal(copied.data["x"][n:], made)


def test_recorded_accuracy_is_the_networks_own(recorded):
    x_test, y_test = digits.split()[2:]
    assert set(recorded) == {(k, a) for k in digits.PER_CLASS for a in (False, True)}
    for (k, augmented), value in recorded.items():
        mine = [accuracy(digits.train_few(k, augmented, d).snapshots[-1], x_test, y_test)
                for d in range(digits.DRAWS)]
        assert value == pytest.approx(np.mean(mine), abs=1e-12)


def test_the_few_digits_are_learned_by_heart():
    """Without copies the network fits its few digits perfectly: what it lacks is examples."""
    for k in digits.PER_CLASS:
        run = digits.train_few(k, False)
        assert accuracy(run.snapshots[-1], run.data["x"], run.data["y"]) == 1.0


def test_augmentation_helps_most_when_examples_are_fewest(recorded):
    """The chapter's claim, on the recorded runs (mean of DRAWS = 3 draws): the copies
    raise the held-out accuracy with 1, 2, 5 and 10 digits per class, most with 2; with
    20 per class they no longer do (the same accuracy). Recorded, alone -> with copies:
    58.00 -> 61.42 % (1 per class), 74.25 -> 79.58 % (2), 84.33 -> 87.25 % (5),
    89.42 -> 91.58 % (10), 93.67 -> 93.67 % (20)."""
    gain = {k: recorded[k, True] - recorded[k, False] for k in digits.PER_CLASS}
    for k in (1, 2, 5, 10):
        assert gain[k] > 0.02, (k, gain[k])
    assert max(gain, key=gain.get) == 2 and gain[2] > 0.05  # about 5 points
    assert abs(gain[20]) < 0.005
    # the accuracy grows with the examples, with or without copies
    for augmented in (False, True):
        values = [recorded[k, augmented] for k in digits.PER_CLASS]
        assert values == sorted(values)
    # held-out digits right, out of 3 draws x 400 (exact, unlike rounded percentages)
    right = {key: 1200 * v for key, v in recorded.items()}
    assert all(abs(r - round(r)) < 1e-9 for r in right.values())
    assert {key: round(r) for key, r in right.items()} == {
        (1, False): 696, (1, True): 737, (2, False): 891, (2, True): 955, (5, False): 1012,
        (5, True): 1047, (10, False): 1073, (10, True): 1099, (20, False): 1124, (20, True): 1124}


def test_strong_shifts_cost_accuracy(recorded):
    """Copies moved by up to 1.5 pixels (the other strengths as recorded) give a lower
    held-out accuracy than no copies at all, at every size: the held-out digits are centred."""
    for k in digits.PER_CLASS:
        strong = np.mean([digits.held_out_accuracy(digits.train_few(k, True, d, (("max_shift", 1.5),)))
                          for d in range(digits.DRAWS)])
        assert strong < recorded[k, False] - 0.01, (k, strong, recorded[k, False])


# --------------------------------------------------------------------------------------
# the scene
# --------------------------------------------------------------------------------------


def tiles(mosaic):
    """The 8 x 8 tiles of a 3 x 4 mosaic with 1-pixel gaps, row by row."""
    return np.array([mosaic[r * 9:r * 9 + 8, c * 9:c * 9 + 8]
                     for r in range(A.ROWS) for c in range(A.COLUMNS)])


@pytest.mark.parametrize("values", [
    dict(),
    dict(digit=7, shift=1.25, degrees=30.0, scale=0.2, noise=0.15, draw=4),
    dict(digit=4, shift=2.0, degrees=45.0, scale=0.3, noise=0.3, draw=9),
])
def test_gallery_shows_exactly_augments_copies(values):
    scene = AugmentationScene(**values)
    v = scene.values
    x_test, y_test = digits.split()[2:]
    original = x_test[list(y_test).index(v["digit"]), 0]
    np.testing.assert_array_equal(scene.image.get_array(), original)
    expected = data.augment(np.stack([original] * 12), v["draw"], max_shift=v["shift"],
                            max_degrees=v["degrees"], scale_range=(1 - v["scale"], 1 + v["scale"]),
                            noise=v["noise"])
    shown = np.ma.getdata(scene.copies.get_array())
    assert shown.shape == (3 * 9 - 1, 4 * 9 - 1)
    np.testing.assert_array_equal(tiles(shown), expected)
    gaps = np.ones(shown.shape, bool)
    for r in range(3):
        for c in range(4):
            gaps[r * 9:r * 9 + 8, c * 9:c * 9 + 8] = False
    assert np.isnan(shown[gaps]).all()


def test_at_strength_zero_every_copy_is_the_digit():
    scene = AugmentationScene(shift=0.0, degrees=0.0, scale=0.0, noise=0.0, draw=5, digit=4)
    for tile in tiles(np.ma.getdata(scene.copies.get_array())):
        np.testing.assert_array_equal(tile, scene.image.get_array())
    assert scene.strengths.get_text() == "shift \u00b10 px, turn \u00b10\u00b0, scale \u00b10%, noise 0"
    assert scene.same_as_runs.get_text() == ""
    assert AugmentationScene().same_as_runs.get_text() != ""  # the defaults are the runs' strengths


def test_chart_draws_the_recorded_accuracies(recorded):
    scene = AugmentationScene(per_class=5)
    lines = [line for line in scene.ax_acc.get_lines() if len(line.get_xdata()) == len(digits.PER_CLASS)]
    assert len(lines) == 2
    for line, augmented in zip(lines, (False, True)):
        np.testing.assert_array_equal(line.get_xdata(), digits.PER_CLASS)
        np.testing.assert_allclose(line.get_ydata(), [100 * recorded[k, augmented] for k in digits.PER_CLASS])
    assert list(scene.now_dots.get_xdata()) == [5, 5]
    np.testing.assert_allclose(scene.now_dots.get_ydata(), [100 * recorded[5, False], 100 * recorded[5, True]])
    a, b = 100 * recorded[5, False], 100 * recorded[5, True]
    gain = round(b - a, 1) + 0.0
    assert scene.now_text.get_text() == (f"5 per class: {a:.1f}% \u2192 {b:.1f}% with copies "
                                         f"({gain:+.1f} points)".replace("-", "\u2212"))


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = AugmentationScene()
        for corner in AugmentationScene.corner_values():
            scene.set(**corner)
            assert scene.render().std() > 0
    for target in (next(AugmentationScene.corner_values()), list(AugmentationScene.corner_values())[-1]):
        assert np.array_equal(scene.set(**target).render(), AugmentationScene(**target).render())


@pytest.mark.parametrize("bad", [dict(shift=2.5), dict(degrees=-5.0), dict(noise="lots"),
                                 dict(per_class=3), dict(digit=5), dict(draw=1.5)])
def test_bad_input_keeps_the_picture(bad):
    scene = AugmentationScene(digit=7, draw=2)
    before = scene.render()
    with pytest.raises((ValueError, TypeError)):
        scene.set(**bad)
    assert scene.values["digit"] == 7 and scene.values["draw"] == 2
    assert np.array_equal(scene.render(), before)


def test_storyboard_grows_the_strengths_then_walks_the_sizes():
    board = list(AugmentationScene().storyboard())
    first = board[0][0]
    assert (first["shift"], first["degrees"], first["scale"], first["noise"]) == (0, 0, 0, 0)
    strengths = [c["shift"] + c["degrees"] + c["scale"] + c["noise"] for c, _ in board]
    gallery = len(board) - len(digits.PER_CLASS)
    assert strengths[:gallery] == sorted(strengths[:gallery])
    assert len({c["draw"] for c, _ in board[:gallery]}) > 1  # new copies along the way
    assert [c["per_class"] for c, _ in board[gallery:]] == list(digits.PER_CLASS)
    assert all(duration > 0 for _, duration in board)
    AugmentationScene.param("per_class")  # every name the storyboard uses is a parameter
    for changes, _ in board:
        for name, value in changes.items():
            AugmentationScene.param(name).validate(value)


def test_gif_is_fresh_small_and_loops():
    from PIL import Image

    path = gif.IMGS / "augmentation.gif"
    assert not gif.is_stale(AugmentationScene), "run gif.build(AugmentationScene)"
    assert path.stat().st_size < 300_000
    image = Image.open(path)
    assert image.info.get("loop") == 0 and image.n_frames == len(list(AugmentationScene().storyboard()))


def test_mosaic_gap_colour_is_not_white():
    # the copies have white backgrounds: the gaps between them must show
    assert tuple(A._INK.get_bad()[:3]) != (1.0, 1.0, 1.0)
    assert tuple(style.INK(0.0)[:3]) == (1.0, 1.0, 1.0)
