"""The 2-D data sets: shapes, balance, seeds, and at noise 0 the exact geometry each
docstring promises (checked with closed forms, not with the generating code)."""

import numpy as np
import pytest

from course_utils import data

NAMES = ["circle", "xor", "gaussian", "spiral", "moons"]


def test_registry_names_every_set():
    assert sorted(data.DATASETS) == sorted(NAMES)
    for name in NAMES:
        assert data.DATASETS[name] is getattr(data, name)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [2, 7, 200])
def test_shapes_dtypes_and_balance(name, n):
    x, y = data.DATASETS[name](n, 0.1, rng=0)
    assert x.shape == (n, 2) and x.dtype == np.float64
    assert y.shape == (n,) and np.issubdtype(y.dtype, np.integer)
    assert set(np.unique(y)) <= {0, 1}
    assert np.count_nonzero(y == 0) == n // 2 and np.count_nonzero(y == 1) == n - n // 2
    assert np.all(np.isfinite(x))


@pytest.mark.parametrize("name", NAMES)
def test_seed_gives_the_same_points(name):
    make = data.DATASETS[name]
    x1, y1 = make(50, 0.2, rng=3)
    x2, y2 = make(50, 0.2, rng=np.random.default_rng(3))
    x3, _ = make(50, 0.2, rng=4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(x1, x3)


@pytest.mark.parametrize("name", NAMES)
def test_classes_are_shuffled(name):
    _, y = data.DATASETS[name](200, 0.0, rng=0)
    assert 0 < np.count_nonzero(y[:100]) < 100, "the classes should be mixed, not sorted"


@pytest.mark.parametrize("name", NAMES)
def test_noise_is_gaussian_with_the_given_spread(name):
    # The same seed draws the same clean points, then the noise on top of them.
    clean, y0 = data.DATASETS[name](4000, 0.0, rng=1)
    noisy, y1 = data.DATASETS[name](4000, 0.3, rng=1)
    np.testing.assert_array_equal(y0, y1)
    shift = noisy - clean
    assert abs(shift.mean()) < 0.02
    assert shift.std() == pytest.approx(0.3, rel=0.05)


def test_circle_inner_class_inside_the_ring():
    x, y = data.circle(400, 0.0, rng=0)
    r = np.hypot(x[:, 0], x[:, 1])
    assert r[y == 1].max() <= 1.0 + 1e-12
    assert r[y == 0].min() >= 1.5 - 1e-12 and r[y == 0].max() <= 2.0 + 1e-12
    assert r[y == 1].max() < r[y == 0].min()


def test_xor_label_is_the_sign_rule():
    x, y = data.xor(400, 0.0, rng=0)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(int))
    assert np.abs(x).min() >= 0.2 - 1e-12 and np.abs(x).max() <= 2.0 + 1e-12
    # all four quadrants are used
    quadrants = {(a, b) for a, b in np.sign(x).astype(int)}
    assert quadrants == {(1, 1), (1, -1), (-1, 1), (-1, -1)}


def test_gaussian_blobs_are_separated_by_the_diagonal():
    x, y = data.gaussian(400, 0.0, rng=0)
    assert np.all((x[:, 0] + x[:, 1] > 0) == (y == 1))
    centre = np.where(y[:, None] == 1, [1.0, 1.0], [-1.0, -1.0])
    dist = np.hypot(*(x - centre).T)
    assert dist.max() <= 1.2 + 1e-12
    # a Gaussian of spread 0.5: most points near the centre, mean distance near
    # 0.5 * sqrt(pi / 2) = 0.627 (a little less after the cut at 1.2)
    assert 0.5 < dist.mean() < 0.63


def test_spiral_points_lie_on_their_arm():
    x, y = data.spiral(300, 0.0, rng=0)
    s = np.hypot(x[:, 0], x[:, 1]) / 2.0  # radius 2 s
    angle = 1.25 * 2 * np.pi * s + np.pi * y
    expected = 2 * s[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    np.testing.assert_allclose(x, expected, atol=1e-12)
    assert s.max() <= 1.0


def test_moons_points_lie_on_their_half_circles():
    x, y = data.moons(300, 0.0, rng=0)
    u = x / 1.3 - np.array([-0.5, -0.25])  # undo the scaling and the shift
    upper, lower = u[y == 0], u[y == 1] - np.array([1.0, 0.5])
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(*lower.T), 1.0, atol=1e-12)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 1e-12


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n, noise, match", [
    (1, 0.1, "at least 2"),
    (0, 0.1, "at least 2"),
    (2.5, 0.1, "whole number"),
    (True, 0.1, "whole number"),
    (10, -0.1, "noise"),
    (10, float("nan"), "noise"),
    (10, "a lot", "noise"),
])
def test_bad_arguments_are_explained(name, n, noise, match):
    with pytest.raises(ValueError, match=match):
        data.DATASETS[name](n, noise)


def test_digits_are_the_uci_test_set_as_documented():
    """1,797 images of 8 x 8 counts 0..16 (scaled to [0, 1]), ten classes of about 180."""
    from course_utils import data

    images, labels = data.digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.min() == 0.0 and images.max() == 1.0
    assert np.allclose(images * 16, np.round(images * 16))  # whole counts, divided by 16
    counts = np.bincount(labels)
    assert len(counts) == 10 and counts.min() > 170 and counts.max() < 190
    assert not images.flags.writeable and not labels.flags.writeable
    assert data.digits()[0] is images  # read once


def test_digits_look_like_their_labels():
    """A nearest-mean classifier, fitted on half the digits, gets most of the other half
    right: the labels belong to the images (a shuffled file would give about 10 %)."""
    from course_utils import data

    images, labels = data.digits()
    x = images.reshape(len(images), -1)
    means = np.stack([x[:900][labels[:900] == d].mean(axis=0) for d in range(10)])
    guess = np.argmin(((x[900:, None, :] - means) ** 2).sum(axis=2), axis=1)
    assert np.mean(guess == labels[900:]) > 0.85


@pytest.mark.parametrize("name", ["vertical bar", "horizontal bar", "cross", "diagonal", "edge", "square"])
def test_patterns_are_the_shapes_they_are_named_after(name):
    from course_utils import data

    image = data.pattern(name)
    assert image.shape == (8, 8) and set(np.unique(image)) <= {0.0, 1.0}
    rows, cols = image.sum(axis=1), image.sum(axis=0)
    if name == "vertical bar":
        assert np.all(rows == 2) and cols.max() == 8
    if name == "horizontal bar":
        assert np.all(cols == 2) and rows.max() == 8
    if name == "cross":
        assert image.sum() == 8 * 2 * 2 - 4  # two bars, crossing on 2 x 2 pixels
    if name == "diagonal":
        assert np.array_equal(image, np.eye(8))
    if name == "edge":
        assert np.all(image[:, :4] == 0) and np.all(image[:, 4:] == 1)
    if name == "square":
        assert image[1, 1] == 1 and image[3, 3] == 0 and image[0, 0] == 0


def test_pattern_rejects_unknown_names_and_sizes():
    from course_utils import data

    with pytest.raises(ValueError, match="pattern must be one of"):
        data.pattern("circle")
    with pytest.raises(ValueError, match="size"):
        data.pattern("cross", size=2)
