"""The denoising scene: clean, noisy, plain-rebuilt and denoised held-out digits.

Expected values are computed here: the noise drawn from its seed with numpy, the two
autoencoders' forward passes written from their recorded weights (tanh hidden layers, a
sigmoid output), and the errors as means of squared differences.
"""

import warnings

import numpy as np
import pytest

from course_utils import autoencoders as ae, digits
from course_utils.scenes import denoising as D
from course_utils.scenes.denoising import DenoisingScene

# --------------------------------------------------------------------------------------
# helpers written from the formulas
# --------------------------------------------------------------------------------------


def held_out():
    """The 400 held-out digits as rows of 64 pixels, and their labels, from the split."""
    x_test, y_test = digits.split()[2:]
    return x_test.reshape(len(x_test), 64), y_test


def rebuild(snapshot, x):
    """``64 -> 32 tanh -> code -> 32 tanh -> 64 sigmoid`` with the recorded weights."""
    def linear(a, name):
        return a @ snapshot[f"{name}.weight"].T + snapshot[f"{name}.bias"]
    code = linear(np.tanh(linear(x, "0.0")), "0.2")
    out = linear(np.tanh(linear(code, "1.0")), "1.2")
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-out))


def noisy(x, std):
    """clip(x + std * N(0, 1), 0, 1) with the draws of numpy's generator seeded 3, in order."""
    return np.clip(x + std * np.random.default_rng(3).normal(size=x.shape), 0.0, 1.0)


def expected(code, std):
    """``{row: images (400, 64)}`` and ``{row: errors (400,)}``, computed here."""
    x, _ = held_out()
    given = noisy(x, std)
    images = {"clean": x, "noisy": given,
              "plain": rebuild(ae.train(code).snapshots[-1], given),
              "denoising": rebuild(ae.train(code, noise=0.4).snapshots[-1], given)}
    errors = {row: np.mean((images[row] - x) ** 2, axis=1) for row in ("noisy", "plain", "denoising")}
    return images, errors


def tiles(image_artist):
    """The 8 x 8 pictures of a row mosaic: a 1-pixel frame, 1-pixel gaps."""
    shown = np.ma.getdata(image_artist.get_array())
    n = (shown.shape[1] - 1) // 9
    assert shown.shape == (10, 9 * n + 1)
    return np.array([shown[1:9, 1 + 9 * k:9 + 9 * k].reshape(64) for k in range(n)])


def shown_positions():
    _, y = held_out()
    return [int(np.flatnonzero(y == c)[0]) for c in D.SHOWN_CLASSES]


# --------------------------------------------------------------------------------------
# the noise and the claims on the recorded runs
# --------------------------------------------------------------------------------------


def test_held_out_noise_is_the_runs_validation_noise():
    # at 0.4 the scene's noisy digits are the denoising run's recorded validation inputs,
    # so its mean error there is the run's final validation loss
    x, _ = held_out()
    run = ae.train(16, noise=0.4)
    np.testing.assert_array_equal(noisy(x, 0.4), run.data["x_val"])
    np.testing.assert_array_equal(D.pictures(16, 0.4)["noisy"], run.data["x_val"])
    np.testing.assert_allclose(D.mean_errors(16, 0.4)["denoising"], run.curves["val_loss"][-1], rtol=1e-12)
    np.testing.assert_array_equal(D.pictures(16, 0.0)["noisy"], x)  # no noise: the digits themselves


@pytest.mark.parametrize("code", ae.CODE_SIZES)
def test_denoising_beats_plain_and_noisy_input_at_noise_04(code):
    """The chapter's claim, on the recorded runs at the noise the denoising autoencoder was
    trained at (0.4), mean error against the clean digits over the 400 held-out digits.
    Code 16 (the default): noisy input 0.0836, plain 0.0957, denoising 0.0335; code 8:
    0.0836, 0.0776, 0.0361; code 2: 0.0836, 0.0713, 0.0491."""
    _, errors = expected(code, 0.4)
    noisy_mean, plain, denoising = (errors[row].mean() for row in ("noisy", "plain", "denoising"))
    assert denoising < plain and denoising < noisy_mean, (code, noisy_mean, plain, denoising)
    recorded = {16: (0.0836, 0.0957, 0.0335), 8: (0.0836, 0.0776, 0.0361), 2: (0.0836, 0.0713, 0.0491)}
    if code in recorded:
        assert (round(noisy_mean, 4), round(plain, 4), round(denoising, 4)) == recorded[code]


def test_the_default_codes_story():
    """Code 16, as the docstring tells it: the plain autoencoder passes the noise on, so at
    every level up to 0.55 its output is further from the clean digits than the noisy
    input (0.096 against 0.084 at 0.4); without noise it beats the denoising one (0.008
    against 0.023); the denoising one beats the noisy input from 0.2 on and the plain one
    from 0.15 on. Means at noise 0, 0.1, ..., 0.6, in the test."""
    means = {}
    for k in range(13):
        std = round(0.05 * k, 2)
        means[std] = {row: e.mean() for row, e in expected(16, std)[1].items()}
    assert [s for s, m in means.items() if m["plain"] > m["noisy"]] == [s for s in means if s <= 0.55]
    assert f"{means[0.4]['plain']:.3f}" == "0.096" and f"{means[0.4]['noisy']:.3f}" == "0.084"
    assert f"{means[0.4]['denoising']:.3f}" == "0.034"
    assert f"{means[0.0]['plain']:.3f}" == "0.008" and f"{means[0.0]['denoising']:.3f}" == "0.023"
    assert [s for s, m in means.items() if m["denoising"] < m["noisy"]] == [s for s in means if s >= 0.2]
    assert [s for s, m in means.items() if m["denoising"] < m["plain"]] == [s for s in means if s >= 0.15]
    tenths = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
    table = {row: [round(float(means[s][row]), 4) for s in tenths] for row in ("noisy", "plain", "denoising")}
    assert table == {"noisy": [0.0, 0.0066, 0.0246, 0.0514, 0.0836, 0.1169, 0.1479],
                     "plain": [0.0085, 0.0169, 0.0387, 0.0668, 0.0957, 0.1219, 0.1437],
                     "denoising": [0.0227, 0.0226, 0.0242, 0.0277, 0.0335, 0.0411, 0.0491]}


def test_smaller_codes_shrink_the_difference():
    """The plain autoencoder's mean error over the denoising one's at noise 0.4 falls with
    the code size (16: 2.9, 8: 2.1, 4: 1.8, 2: 1.5, 1: 1.1), and at noise 0 both rebuild
    worse with a smaller code."""
    ratio, clean_plain, clean_denoising = [], [], []
    for code in sorted(ae.CODE_SIZES, reverse=True):
        errors = expected(code, 0.4)[1]
        ratio.append(errors["plain"].mean() / errors["denoising"].mean())
        at_zero = expected(code, 0.0)[1]
        clean_plain.append(at_zero["plain"].mean())
        clean_denoising.append(at_zero["denoising"].mean())
    assert ratio == sorted(ratio, reverse=True) and ratio[-1] > 1, ratio
    assert clean_plain == sorted(clean_plain) and clean_denoising == sorted(clean_denoising)


# --------------------------------------------------------------------------------------
# what the scene draws
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [dict(), dict(noise=0.0), dict(noise=0.6, code=8),
                                    dict(noise=0.25, code=2),
                                    dict(noise=0.37, code=1)])
def test_drawn_pictures_and_numbers_are_computed_here(values):
    scene = DenoisingScene(**values)
    code, std = scene.values["code"], scene.values["noise"]
    images, errors = expected(code, std)
    shown = shown_positions()
    for row in ("clean", "noisy", "plain", "denoising"):
        np.testing.assert_allclose(tiles(scene.tiles[row]), images[row][shown], atol=1e-12)
    for row in ("noisy", "plain", "denoising"):
        assert [line.get_text() for line in scene.numbers[row]] == [f"{e:.3f}" for e in errors[row][shown]]
        assert scene.means[row].get_text() == f"{errors[row].mean():.3f}"
        np.testing.assert_allclose(scene.now_dots[row].get_ydata(), [errors[row].mean()], rtol=1e-12)
        np.testing.assert_array_equal(scene.now_dots[row].get_xdata(), [std])
    assert list(scene.now_line.get_xdata()) == [std, std]
    np.testing.assert_allclose(scene.now_line.get_ydata(), [0, max(e.mean() for e in errors.values())])


@pytest.mark.parametrize("code", [16, 4])
def test_curves_are_the_mean_errors_computed_here(code):
    scene = DenoisingScene(code=code)
    for row, line in scene.curve_lines.items():
        np.testing.assert_allclose(line.get_xdata(), [0.05 * k for k in range(13)], atol=1e-12)
        want = [expected(code, round(0.05 * k, 2))[1][row].mean() for k in range(13)]
        np.testing.assert_allclose(line.get_ydata(), want, rtol=1e-12)
    top = max(max(line.get_ydata()) for line in scene.curve_lines.values())
    assert scene.ax_curve.get_ylim()[1] > top  # every curve inside the axes


def test_verdict_names_the_closest_row():
    assert "denoising autoencoder" in DenoisingScene(noise=0.4).verdict.get_text()
    assert "noisy input itself" in DenoisingScene(noise=0.05).verdict.get_text()  # 0.0017 beats both
    assert "plain autoencoder rebuilds it better" in DenoisingScene(noise=0.0).verdict.get_text()
    # at 0.6 the code-16 plain autoencoder (0.1437) is just below the noisy input (0.1479)
    # but far above the denoising one (0.0491)
    assert "denoising autoencoder" in DenoisingScene(noise=0.6, code=16).verdict.get_text()


def test_a_sliders_rounding_noise_draws_the_round_value():
    a, b = DenoisingScene(noise=0.35000000000000003), DenoisingScene(noise=0.35)
    assert np.array_equal(a.render(), b.render())


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = DenoisingScene()
        for corner in DenoisingScene.corner_values():
            scene.set(**corner)
            assert scene.render().std() > 0
    corners = list(DenoisingScene.corner_values())
    for target in (corners[0], corners[-1]):
        assert np.array_equal(scene.set(**target).render(), DenoisingScene(**target).render())


@pytest.mark.parametrize("bad", [dict(noise=-0.1), dict(noise=0.7), dict(noise="lots"), dict(noise=True),
                                 dict(code=3), dict(code=True), dict(code=16.0), dict(colour=1)])
def test_bad_input_keeps_the_picture(bad):
    scene = DenoisingScene(noise=0.3, code=8)
    before = scene.render()
    with pytest.raises((ValueError, TypeError, KeyError)):
        scene.set(**bad)
    assert scene.values == {"noise": 0.3, "code": 8}
    assert np.array_equal(scene.render(), before)


def test_storyboard_walks_the_noise_at_the_default_code():
    board = list(DenoisingScene().storyboard())
    assert [c["noise"] for c, _ in board] == sorted(c["noise"] for c, _ in board)
    assert board[0][0]["noise"] == 0 and board[-1][0]["noise"] == 0.6
    for changes, duration in board:
        assert duration > 0 and changes["code"] == DenoisingScene.param("code").default
        for name, value in changes.items():
            DenoisingScene.param(name).validate(value)
