"""The bottleneck scene: code size against reconstruction error, autoencoder and PCA.

Expected values are computed here, not by the code under test: PCA from numpy's eigh of
the covariance matrix (with its closed-form training error, the discarded eigenvalues),
the autoencoder's reconstructions from its recorded weights with a forward pass written
from the formulas (tanh, sigmoid).
"""

import warnings

import numpy as np
import pytest

from course_utils import autoencoders as A
from course_utils import gif
from course_utils.scenes import bottleneck as B
from course_utils.scenes.bottleneck import BottleneckScene

KS = (1, 2, 4, 8, 16)


# --------------------------------------------------------------------------------------
# independent computations
# --------------------------------------------------------------------------------------


def eigh_pca(x):
    """Mean, eigenvalues (descending) and eigenvectors (columns) of the covariance matrix
    of the rows of ``x``, divided by n (the mean over the images, as the error is)."""
    mean = x.mean(axis=0)
    centred = x - mean
    values, vectors = np.linalg.eigh(centred.T @ centred / len(x))
    order = np.argsort(values)[::-1]
    return mean, values[order], vectors[:, order]


@pytest.fixture(scope="module")
def pca_ref():
    x = A.images()[0]
    return eigh_pca(np.array(x))


def pca_rebuild_ref(pca_ref, x, k):
    mean, _, vectors = pca_ref
    v = vectors[:, :k]
    return mean + (x - mean) @ v @ v.T


def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))  # = 1 / (1 + e^-z), without overflow


def ae_rebuild_ref(snapshot, x):
    """64 -> 32 (tanh) -> k -> 32 (tanh) -> 64 (sigmoid), from the recorded state_dict."""
    def linear(name, a):
        return a @ snapshot[f"{name}.weight"].T + snapshot[f"{name}.bias"]
    code = linear("0.2", np.tanh(linear("0.0", x)))
    return sigmoid(linear("1.2", np.tanh(linear("1.0", code))))


def mse(a, b):
    return float(np.mean((a - b) ** 2))


@pytest.fixture(scope="module")
def expected(pca_ref):
    """Held-out errors per code size, by the formulas: {"ae": [...], "pca": [...]}."""
    x_test = np.array(A.images()[2])
    ae = [mse(ae_rebuild_ref(A.train(code=k).snapshots[-1], x_test), x_test) for k in KS]
    pca = [mse(pca_rebuild_ref(pca_ref, x_test, k), x_test) for k in KS]
    return {"ae": np.array(ae), "pca": np.array(pca)}


def shown_digits():
    """The first held-out digit of each class 0 to 7, found here by a loop."""
    _, _, x_test, y_test = A.images()
    found = []
    for d in range(8):
        for i, label in enumerate(y_test):
            if label == d:
                found.append(i)
                break
    return np.array(found), np.array(x_test)[found]


def tiles(mosaic, rows, columns=8):
    return np.array([mosaic[r * 9:r * 9 + 8, c * 9:c * 9 + 8].ravel()
                     for r in range(rows) for c in range(columns)]).reshape(rows, columns, 64)


# --------------------------------------------------------------------------------------
# PCA checked against eigh of the covariance matrix
# --------------------------------------------------------------------------------------


def test_pca_components_are_the_covariance_eigenvectors(pca_ref):
    mean, values, vectors = pca_ref
    # the first 17 eigenvalues are well apart, so each direction is defined up to its sign
    assert np.min(-np.diff(values[:17]) / values[0]) > 1e-4
    for k in KS:
        mean_k, components = A.pca(k)
        np.testing.assert_allclose(mean_k, mean, atol=1e-12)
        assert components.shape == (k, 64)
        np.testing.assert_allclose(components @ components.T, np.eye(k), atol=1e-10)
        for i in range(k):
            sign = np.sign(components[i] @ vectors[:, i])
            np.testing.assert_allclose(sign * components[i], vectors[:, i], atol=1e-7)


def test_pca_training_error_is_the_discarded_variance(pca_ref):
    """The closed form: rebuilt from k components, the training digits' mean squared error
    per pixel is the sum of the discarded eigenvalues of the covariance matrix, / 64."""
    _, values, _ = pca_ref
    x = A.images()[0]
    for k in (*KS, 32, 63):
        error = A.errors(A.pca_rebuild(x, k), x).mean()
        assert error == pytest.approx(values[k:].sum() / 64, rel=1e-9, abs=1e-15)
    np.testing.assert_allclose(A.pca_rebuild(x, 64), x, atol=1e-10)  # nothing discarded


# --------------------------------------------------------------------------------------
# the claims, on the recorded runs
# --------------------------------------------------------------------------------------


def test_error_falls_with_code_size_and_the_autoencoder_beats_pca(expected):
    """Held-out mean squared error per pixel, 400 digits (recorded runs, 60 epochs):

    ====  ===========  ======
    k     autoencoder  PCA
    ====  ===========  ======
    1     0.0489       0.0623
    2     0.0345       0.0526
    4     0.0251       0.0383
    8     0.0154       0.0241
    16    0.0085       0.0115
    ====  ===========  ======
    """
    ae, pca = expected["ae"], expected["pca"]
    assert np.all(np.diff(ae) < 0) and np.all(np.diff(pca) < 0)
    assert np.all(ae < pca)
    np.testing.assert_allclose(ae, [0.0489, 0.0345, 0.0251, 0.0154, 0.0085], atol=5e-4)
    np.testing.assert_allclose(pca, [0.0623, 0.0526, 0.0383, 0.0241, 0.0115], atol=5e-5)


def test_runs_learn_from_the_images_alone():
    for k in KS:
        run = A.train(code=k)
        np.testing.assert_array_equal(run.data["y"], run.data["x"])  # the target is the input
        np.testing.assert_array_equal(run.data["y_val"], A.images()[2])
        assert run.snapshots[-1]["0.2.weight"].shape == (k, 32)  # the code has k numbers


# --------------------------------------------------------------------------------------
# the scene draws exactly those numbers and pictures
# --------------------------------------------------------------------------------------


def test_curves_are_the_independent_errors(expected):
    scene = BottleneckScene()
    np.testing.assert_array_equal(scene.ae_line.get_xdata(), KS)
    np.testing.assert_array_equal(scene.pca_line.get_xdata(), KS)
    np.testing.assert_allclose(scene.ae_line.get_ydata(), expected["ae"], rtol=1e-9)
    np.testing.assert_allclose(scene.pca_line.get_ydata(), expected["pca"], rtol=1e-9)
    # the recorded validation curve ends at the same number
    for k, value in zip(KS, expected["ae"]):
        assert A.train(code=k).curves["val_loss"][-1] == pytest.approx(value, rel=1e-9)


def test_grid_shows_the_digits_and_their_reconstructions(pca_ref):
    scene = BottleneckScene()
    _, originals = shown_digits()
    grid = np.ma.getdata(scene.grid.get_array())
    assert grid.shape == (6 * 9 - 1, 8 * 9 - 1)
    shown = tiles(grid, 6)
    np.testing.assert_array_equal(shown[0], originals)
    for r, k in enumerate(KS, start=1):
        np.testing.assert_allclose(shown[r], ae_rebuild_ref(A.train(code=k).snapshots[-1], originals),
                                   atol=1e-12)
    gaps = np.isnan(grid)
    assert gaps[8::9].all() and gaps[:, 8::9].all() and gaps.sum() == grid.size - 6 * 8 * 64
    for k in KS:
        scene.set(code=k)
        row = tiles(np.ma.getdata(scene.pca_row.get_array()), 1)[0]
        np.testing.assert_allclose(row, pca_rebuild_ref(pca_ref, originals, k), atol=1e-10)
        assert scene.pca_label.get_text() == f"PCA, {k} number" + ("s" if k > 1 else "")


@pytest.mark.parametrize("k", KS)
def test_marks_and_texts_follow_the_code_size(k, expected):
    scene = BottleneckScene(code=k)
    i = KS.index(k)
    ae, pca = expected["ae"][i], expected["pca"][i]
    np.testing.assert_array_equal(scene.now_line.get_xdata(), [k, k])
    np.testing.assert_array_equal(scene.now_dots.get_xdata(), [k, k])
    np.testing.assert_allclose(scene.now_dots.get_ydata(), [ae, pca], rtol=1e-9)
    ratio = {1: "64", 2: "32", 4: "16", 8: "8", 16: "4"}[k]
    numbers = "1 number" if k == 1 else f"{k} numbers"
    assert scene.ratio_text.get_text() == f"k = {k}: 64 pixels \u2192 {numbers}, {ratio}\u00d7 fewer"
    assert scene.error_text.get_text() == f"held-out error: autoencoder {ae:.4f}, PCA {pca:.4f}"
    # the frame goes round row i + 1 of the grid (row 0 is the originals), in its gaps
    x0, y0 = scene.frame.get_xy()
    assert y0 < (i + 1) * 9 - 0.5 and y0 + scene.frame.get_height() > (i + 1) * 9 + 7.5
    assert y0 > (i + 1) * 9 - 1.5 and y0 + scene.frame.get_height() < (i + 1) * 9 + 8.5
    assert x0 < -0.5 and x0 + scene.frame.get_width() > 8 * 9 - 1.5


def test_compression_ratio():
    assert [B.compression(k) for k in KS] == [64.0, 32.0, 16.0, 8.0, 4.0]


# --------------------------------------------------------------------------------------
# corners, bad input, storyboard, GIF
# --------------------------------------------------------------------------------------


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = BottleneckScene()
        frames = {}
        for corner in BottleneckScene.corner_values():
            scene.set(**corner)
            frames[corner["code"]] = scene.render()
            assert frames[corner["code"]].std() > 0
    assert len(frames) == len(KS)
    assert all(not np.array_equal(frames[1], frames[k]) for k in KS[1:])
    for k in (1, 16):
        assert np.array_equal(scene.set(code=k).render(), BottleneckScene(code=k).render())


@pytest.mark.parametrize("bad", [dict(code=3), dict(code=2.0), dict(code="2"), dict(code=True),
                                 dict(code=0), dict(size=2)])
def test_bad_input_keeps_the_picture(bad):
    scene = BottleneckScene(code=8)
    before = scene.render()
    with pytest.raises((ValueError, KeyError)):
        scene.set(**bad)
    assert scene.values["code"] == 8
    assert np.array_equal(scene.render(), before)


def test_storyboard_walks_every_size():
    board = list(BottleneckScene().storyboard())
    assert [c["code"] for c, _ in board] == list(KS)
    assert all(duration > 0 for _, duration in board)


def test_gif_is_fresh_small_and_loops():
    from PIL import Image

    path = gif.IMGS / f"{BottleneckScene.gif_name}.gif"
    assert not gif.is_stale(BottleneckScene), "run gif.build(BottleneckScene)"
    assert path.stat().st_size < 300_000
    image = Image.open(path)
    assert image.info.get("loop") == 0 and image.n_frames == len(KS)
