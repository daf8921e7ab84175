"""The code map scene: decoding any code, and the straight path between two digits' codes.

Expected values come from a forward pass written here from the recorded weights of the
trained 2-number autoencoder (tanh hidden layers, a sigmoid output) and the held-out
digits of ``course_utils.digits.split``; the engine's own ``autoencoders.decode`` is
compared too, where the brief says "exactly".
"""

import warnings

import numpy as np
import pytest

from course_utils import autoencoders, digits
from course_utils.scenes import code_map as M
from course_utils.scenes.code_map import CodeMapScene


def encode(snapshot, x):
    hidden = np.tanh(x @ snapshot["0.0.weight"].T + snapshot["0.0.bias"])
    return hidden @ snapshot["0.2.weight"].T + snapshot["0.2.bias"]


def decode(snapshot, z):
    hidden = np.tanh(np.atleast_2d(z) @ snapshot["1.0.weight"].T + snapshot["1.0.bias"])
    return 1 / (1 + np.exp(-(hidden @ snapshot["1.2.weight"].T + snapshot["1.2.bias"])))


@pytest.fixture(scope="module")
def run():
    return autoencoders.train(code=2)


@pytest.fixture(scope="module")
def final(run):
    return run.snapshots[-1]


def held_out():
    _, _, x_test, y_test = digits.split()
    return x_test.reshape(len(x_test), 64), y_test


def first(digit):
    x, y = held_out()
    return x[list(y).index(digit)]


def marker_at(scene):
    return np.array([scene.marker.get_xdata()[0], scene.marker.get_ydata()[0]])


# --------------------------------------------------------------------------------------
# decoding where the marker is
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("z1, z2", [(0.0, 0.0), (8.3, -1.2), (-6.0, 6.0), (14.0, -14.0), (2.5, 4.0)])
def test_free_marker_shows_the_decoded_code(final, run, z1, z2):
    scene = CodeMapScene(z1=z1, z2=z2)
    assert scene.values["mode"] == "free"  # moving z1, z2 frees the marker
    np.testing.assert_array_equal(marker_at(scene), [z1, z2])
    expected = decode(final, np.array([z1, z2]))[0]
    np.testing.assert_allclose(scene.big.get_array().ravel(), expected, atol=1e-12)
    with np.errstate(under="ignore"):
        engine = autoencoders.decode(run.at(-1), [z1, z2])[0]
    np.testing.assert_array_equal(scene.big.get_array().ravel(), engine)
    assert scene.code_text.get_text() == "z = ({}, {})".format(
        *(f"{round(v, 2) + 0.0:+.2f}".replace("-", "\u2212") for v in (z1, z2)))
    assert scene.caption.get_text().startswith("free: the sliders put the marker at")
    assert len(scene.pointer.get_xdata()) == 0  # no place on the path to point at


@pytest.mark.parametrize("a, b, t", [(4, 0, 0.5), (7, 3, 0.0), (0, 7, 1.0), (3, 4, 0.35), (0, 0, 0.8)])
def test_path_marker_lies_on_the_straight_line(final, a, b, t):
    scene = CodeMapScene(from_digit=a, to_digit=b, t=t)
    assert scene.values["mode"] == "path"
    za, zb = encode(final, first(a)[None])[0], encode(final, first(b)[None])[0]
    z = (1 - t) * za + t * zb
    np.testing.assert_allclose(marker_at(scene), z, atol=1e-12)
    np.testing.assert_allclose(scene.big.get_array().ravel(), decode(final, z)[0], atol=1e-12)
    # the dashed line joins the two codes; the squares mark them
    np.testing.assert_allclose(np.column_stack(scene.path_line.get_data()), [za, zb], atol=1e-12)
    np.testing.assert_allclose(np.column_stack(scene.ends.get_data()), [za, zb], atol=1e-12)
    # the two digits themselves, as they are
    np.testing.assert_array_equal(scene.end_images[0].get_array(), first(a).reshape(8, 8))
    np.testing.assert_array_equal(scene.end_images[1].get_array(), first(b).reshape(8, 8))
    assert scene.caption.get_text() == (f"path: the marker is t = {t:.2f} of the way from the {a}'s "
                                        f"code to the {b}'s")
    assert scene.pointer.get_xdata()[0] == pytest.approx(3.5 + t * 8 * 9)


def test_strip_decodes_nine_points_of_the_path(final):
    scene = CodeMapScene(from_digit=7, to_digit=0)
    shown = np.ma.getdata(scene.strip_image.get_array())
    assert shown.shape == (8, 9 * 9 - 1)
    za, zb = encode(final, first(7)[None])[0], encode(final, first(0)[None])[0]
    for i in range(9):
        t = i / 8
        np.testing.assert_allclose(shown[:, i * 9:i * 9 + 8].ravel(), decode(final, (1 - t) * za + t * zb)[0],
                                   atol=1e-12)
        if i < 8:
            assert np.isnan(shown[:, i * 9 + 8]).all()  # the gaps


@pytest.mark.parametrize("a, b", [(4, 0), (3, 7)])
def test_path_ends_are_the_two_digits_reconstructions(run, a, b):
    """At t = 0 and t = 1 the picture is exactly decode(encode(x)) of the two digits."""
    model = run.at(-1)
    for t, digit in ((0.0, a), (1.0, b)):
        scene = CodeMapScene(from_digit=a, to_digit=b, t=t)
        with np.errstate(under="ignore"):
            rebuilt = autoencoders.decode(model, autoencoders.encode(model, first(digit)[None]))[0]
        np.testing.assert_array_equal(scene.big.get_array().ravel(), rebuilt)
        strip = np.ma.getdata(scene.strip_image.get_array())
        end = strip[:, :8] if t == 0 else strip[:, -8:]
        np.testing.assert_allclose(end.ravel(), rebuilt, atol=1e-12)
        # and the reconstruction looks like the digit: nearer to it than to the other end
        other = first(b if digit == a else a)
        assert np.mean((rebuilt - first(digit)) ** 2) < np.mean((rebuilt - other) ** 2)


# --------------------------------------------------------------------------------------
# the map
# --------------------------------------------------------------------------------------


def test_map_points_are_the_trained_codes_of_the_held_out_digits(final):
    scene = CodeMapScene()
    x, y = held_out()
    codes = encode(final, x)
    assert sum(len(m.get_offsets()) for m in scene.markers) == 400
    for d, marker in enumerate(scene.markers):
        np.testing.assert_allclose(marker.get_offsets(), codes[y == d], atol=1e-12)


def test_code_range_holds_every_code_and_matches_the_autoencoder_scene(run):
    """The sliders cover the map, and the map is the AutoencoderScene's (same axes)."""
    x, _ = held_out()
    every = np.concatenate([encode(s, x) for s in run.snapshots])
    low, high = every.min(axis=0), every.max(axis=0)
    pad = 0.05 * (high - low)
    expected = tuple((float(np.floor(lo)), float(np.ceil(hi))) for lo, hi in zip(low - pad, high + pad))
    assert M.CODE_RANGE == expected
    scene = CodeMapScene()
    assert (scene.ax_map.get_xlim(), scene.ax_map.get_ylim()) == expected
    for name, (lo, hi) in zip(("z1", "z2"), expected):
        assert (CodeMapScene.param(name).low, CodeMapScene.param(name).high) == (lo, hi)


# --------------------------------------------------------------------------------------
# which controls move the marker
# --------------------------------------------------------------------------------------


def test_the_control_moved_last_moves_the_marker(final):
    scene = CodeMapScene(from_digit=4, to_digit=0, t=0.25)
    on_path = marker_at(scene)
    scene.set(z1=1.0)
    assert scene.values["mode"] == "free"
    np.testing.assert_array_equal(marker_at(scene), [1.0, scene.values["z2"]])
    scene.set(t=0.25)
    assert scene.values["mode"] == "path"
    np.testing.assert_array_equal(marker_at(scene), on_path)
    scene.set(to_digit=3)
    za, zb = encode(final, first(4)[None])[0], encode(final, first(3)[None])[0]
    np.testing.assert_allclose(marker_at(scene), 0.75 * za + 0.25 * zb, atol=1e-12)
    # a mode given in the same call wins
    scene.set(mode="path", z1=-3.0, z2=2.0)
    assert scene.values["mode"] == "path" and scene.values["z1"] == -3.0
    np.testing.assert_allclose(marker_at(scene), 0.75 * za + 0.25 * zb, atol=1e-12)
    scene.set(mode="free")
    np.testing.assert_array_equal(marker_at(scene), [-3.0, 2.0])


# --------------------------------------------------------------------------------------
# corners and bad input
# --------------------------------------------------------------------------------------


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = CodeMapScene()
        for corner in CodeMapScene.corner_values():
            scene.set(**corner)
            assert scene.render().std() > 0
    corners = list(CodeMapScene.corner_values())
    for target in (corners[0], corners[-1]):
        assert np.array_equal(scene.set(**target).render(), CodeMapScene(**target).render())


@pytest.mark.parametrize("bad", [dict(z1=20.0), dict(z2=-15.0), dict(t=1.5), dict(t="half"),
                                 dict(from_digit=5), dict(to_digit=3.0), dict(mode="fast"),
                                 dict(z1=float("nan"))])
def test_bad_input_keeps_the_picture(bad):
    scene = CodeMapScene(from_digit=7, to_digit=3, t=0.3)
    before, values = scene.render(), dict(scene.values)
    with pytest.raises((ValueError, TypeError)):
        scene.set(**bad)
    assert scene.values == values
    assert np.array_equal(scene.render(), before)
