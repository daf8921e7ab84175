"""The PCA codes scene: PCA's 2-number map of the held-out digits beside a 2-code
autoencoder's, and the linear autoencoder that can only tie with PCA.

Expected values are computed here: PCA from numpy's eigh of the covariance matrix, the
autoencoders' codes and reconstructions from their recorded weights with forward passes
written from the formulas.
"""

import warnings

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from course_utils import autoencoders as A
from course_utils.scenes import pca_codes as P
from course_utils.scenes.autoencoder import DIGIT_COLOURS
from course_utils.scenes.pca_codes import PCACodesScene


# --------------------------------------------------------------------------------------
# independent computations
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pca_ref():
    """Mean and the top two eigenvectors (columns) of the training digits' covariance."""
    x = np.array(A.images()[0])
    mean = x.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(x, rowvar=False, bias=True))
    order = np.argsort(values)[::-1]
    assert (values[order[1]] - values[order[2]]) / values[order[0]] > 1e-3  # well apart
    return mean, vectors[:, order[:2]]


def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


def linear(snapshot, name, a):
    return a @ snapshot[f"{name}.weight"].T + snapshot[f"{name}.bias"]


def encode_ref(method, x):
    s = A.train(code=2, linear=method == "linear").snapshots[-1]
    if method == "linear":
        return linear(s, "0.0", x)
    return linear(s, "0.2", np.tanh(linear(s, "0.0", x)))


def rebuild_ref(method, x):
    s = A.train(code=2, linear=method == "linear").snapshots[-1]
    code = encode_ref(method, x)
    if method == "linear":
        return linear(s, "1.0", code)
    return sigmoid(linear(s, "1.2", np.tanh(linear(s, "1.0", code))))


def pca_codes_ref(pca_ref, x):
    mean, v = pca_ref
    return (x - mean) @ v


def pca_rebuild_ref(pca_ref, x):
    mean, v = pca_ref
    return mean + (x - mean) @ v @ v.T


def mse(a, b):
    return float(np.mean((a - b) ** 2))


@pytest.fixture(scope="module")
def errors(pca_ref):
    """{method: (held-out error, training error)} by the formulas."""
    x, x_test = np.array(A.images()[0]), np.array(A.images()[2])
    out = {"pca": (mse(pca_rebuild_ref(pca_ref, x_test), x_test), mse(pca_rebuild_ref(pca_ref, x), x))}
    for method in ("linear", "nonlinear"):
        out[method] = (mse(rebuild_ref(method, x_test), x_test), mse(rebuild_ref(method, x), x))
    return out


def same_up_to_sign(a, b):
    """Columns of ``a`` equal those of ``b``, each possibly negated."""
    signs = np.sign(np.sum(a * b, axis=0))
    np.testing.assert_allclose(a * signs, b, atol=1e-9)


def drawn(collections):
    """The points of the ten per-class scatters, put back in held-out order."""
    y_test = A.images()[3]
    out = np.full((len(y_test), 2), np.nan)
    for d, points in enumerate(collections):
        out[y_test == d] = points.get_offsets()
    return out


# --------------------------------------------------------------------------------------
# the claims, on the recorded runs
# --------------------------------------------------------------------------------------


def test_the_non_linear_autoencoder_rebuilds_better_than_pca(errors):
    """Held-out mean squared error per pixel at 2 codes: non-linear autoencoder 0.0345,
    PCA 0.0526 (training digits: 0.0308 and 0.0524)."""
    assert errors["nonlinear"][0] < errors["pca"][0]
    assert errors["nonlinear"][0] == pytest.approx(0.0345, abs=5e-4)
    assert errors["pca"][0] == pytest.approx(0.0526, abs=5e-5)


def test_the_linear_autoencoder_ties_with_pca(errors):
    """Within 2 % of PCA on both sets: held-out 0.05297 against 0.05261 (+0.7 %), training
    0.05257 against 0.05241 (+0.3 %). On the training digits it cannot do better than PCA
    (Eckart-Young: PCA's is the best rank-2 affine reconstruction of those digits)."""
    for which in (0, 1):  # held-out, training
        lin, pca = errors["linear"][which], errors["pca"][which]
        assert abs(lin / pca - 1) < 0.02, (which, lin, pca)
    assert errors["linear"][1] >= errors["pca"][1] * (1 - 1e-9)
    assert errors["linear"][0] == pytest.approx(0.05297, abs=2e-4)
    assert errors["linear"][1] == pytest.approx(0.05257, abs=2e-4)
    assert errors["pca"][1] == pytest.approx(0.05241, abs=5e-5)


def r_squared(target, source):
    """Share of each column's variance of ``target`` explained by an affine function of ``source``."""
    design = np.c_[source, np.ones(len(source))]
    fitted = design @ np.linalg.lstsq(design, target, rcond=None)[0]
    return 1 - ((target - fitted) ** 2).sum(axis=0) / ((target - target.mean(axis=0)) ** 2).sum(axis=0)


def test_the_linear_map_is_nearly_pcas_map_turned_and_stretched(pca_ref):
    """An affine function of PCA's two numbers explains at least 96 % of the variance of
    each linear code (0.965 and 0.975), and only about 75 % of each non-linear code."""
    x_test = np.array(A.images()[2])
    pca = pca_codes_ref(pca_ref, x_test)
    assert np.all(r_squared(encode_ref("linear", x_test), pca) > 0.96)
    assert np.all(r_squared(encode_ref("nonlinear", x_test), pca) < 0.8)


def test_neither_method_sees_a_label():
    for lin in (False, True):
        run = A.train(code=2, linear=lin)
        np.testing.assert_array_equal(run.data["y"], run.data["x"])
        np.testing.assert_array_equal(run.data["y_val"], A.images()[2])


# --------------------------------------------------------------------------------------
# the scene draws exactly those points, pictures and numbers
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["nonlinear", "linear"])
def test_maps_show_the_independent_codes(method, pca_ref, errors):
    scene = PCACodesScene(right=method)
    x_test = np.array(A.images()[2])
    same_up_to_sign(drawn(scene.points[0]), pca_codes_ref(pca_ref, x_test))
    np.testing.assert_allclose(drawn(scene.points[1]), encode_ref(method, x_test), atol=1e-10)
    for points, colour in zip(scene.points[0] + scene.points[1], 2 * list(DIGIT_COLOURS)):
        assert tuple(points.get_facecolor()[0][:3]) == pytest.approx(to_rgb(colour))
    assert len({to_rgb(c) for c in DIGIT_COLOURS}) == 10  # the chapter's class colours
    for text, name in zip(scene.error_texts, ("pca", method)):
        assert text.get_text() == f"held-out reconstruction error {errors[name][0]:.4f}"
    assert scene.maps[1].get_title() == P._NAMES[method]
    # every point inside its axes
    for ax, points in zip(scene.maps, (drawn(scene.points[0]), drawn(scene.points[1]))):
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        assert x0 < points[:, 0].min() and points[:, 0].max() < x1
        assert y0 < points[:, 1].min() and points[:, 1].max() < y1


@pytest.mark.parametrize("digit, method", [(0, "nonlinear"), (3, "linear"), (9, "nonlinear")])
def test_the_chosen_digit_is_ringed_and_rebuilt_three_ways(digit, method, pca_ref):
    scene = PCACodesScene(right=method, digit=digit)
    _, _, x_test, y_test = A.images()
    i = list(y_test).index(digit)
    x = np.array(x_test[i:i + 1])
    ring_pca = np.c_[scene.rings[0].get_xdata(), scene.rings[0].get_ydata()]
    same_up_to_sign(ring_pca, pca_codes_ref(pca_ref, x))
    ring_ae = np.c_[scene.rings[1].get_xdata(), scene.rings[1].get_ydata()]
    np.testing.assert_allclose(ring_ae, encode_ref(method, x), atol=1e-10)
    np.testing.assert_array_equal(scene.tiles[0].get_array(), x.reshape(8, 8))
    for tile, text, rebuilt in zip(scene.tiles[1:], scene.tile_errors[1:],
                                   (pca_rebuild_ref(pca_ref, x), rebuild_ref("linear", x),
                                    rebuild_ref("nonlinear", x))):
        np.testing.assert_allclose(tile.get_array(), rebuilt.reshape(8, 8), atol=1e-10)
        assert text.get_text() == f"{mse(rebuilt, x):.3f}"
    assert scene.tiles_title.get_text() == f"A held-out {digit}, rebuilt from 2 numbers"


def test_the_why_text_quotes_the_errors(errors):
    scene = PCACodesScene()
    texts = " ".join(t.get_text() for t in scene.fig.texts)
    lin, pca = errors["linear"][0], errors["pca"][0]
    assert f"held-out error {lin:.4f} against {pca:.4f}, +{100 * (lin / pca - 1):.1f} %" in texts
    assert "Baldi & Hornik" in texts


# --------------------------------------------------------------------------------------
# corners, bad input
# --------------------------------------------------------------------------------------


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = PCACodesScene()
        for corner in PCACodesScene.corner_values():
            scene.set(**corner)
            assert scene.render().std() > 0
    corners = list(PCACodesScene.corner_values())
    for target in (corners[0], corners[-1]):
        assert np.array_equal(scene.set(**target).render(), PCACodesScene(**target).render())


@pytest.mark.parametrize("bad", [dict(right="pca"), dict(right=True), dict(digit=10), dict(digit=3.0),
                                 dict(digit="3"), dict(colour="red")])
def test_bad_input_keeps_the_picture(bad):
    scene = PCACodesScene(right="linear", digit=7)
    before = scene.render()
    with pytest.raises((ValueError, KeyError)):
        scene.set(**bad)
    assert scene.values == {"right": "linear", "digit": 7}
    assert np.array_equal(scene.render(), before)
