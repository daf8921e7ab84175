"""The outliers scene: lines fitted by MSE, MAE and Huber to fifteen points and one outlier.

Each fit (a real Adam run of the engine) is checked against a solution found another
way: least squares (numpy.linalg.lstsq) for MSE, the best of all lines through two of
the points for MAE (a line of least absolute deviations passes through two of the
points), and a dense, zooming grid search of the Huber loss written here with math.
The data are rebuilt here from their recipe."""

import itertools
import warnings

import numpy as np
import pytest

from course_utils import nn
from course_utils.scenes import outliers as O
from course_utils.scenes.outliers import OutliersScene

HEIGHTS = (-10.0, 0.0, 5.5, 12.0, 25.0, 30.0)


def points(outlier):
    """The recipe: x evenly spaced from 0 to 10, y = 0.5 x + 1 + N(0, 0.3²) with seed 4,
    and the outlier at x = 9."""
    x = np.linspace(0, 10, 15)
    y = 0.5 * x + 1 + np.random.default_rng(4).normal(0, 0.3, 15)
    return np.append(x, 9.0), np.append(y, outlier)


def least_squares(outlier):
    x, y = points(outlier)
    slope, intercept = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y, rcond=None)[0]
    return slope, intercept


def least_absolute(outlier):
    """``(mean |r|, slope, intercept)`` of the best line through two points, and the
    mean |r| of the second best."""
    x, y = points(outlier)
    lines = []
    for i, j in itertools.combinations(range(len(x)), 2):
        slope = (y[j] - y[i]) / (x[j] - x[i])
        intercept = y[i] - slope * x[i]
        lines.append((np.mean(np.abs(y - slope * x - intercept)), slope, intercept))
    lines.sort()
    return lines[0], lines[1][0]


def huber(slope, intercept, outlier, delta):
    """The mean Huber loss of the lines ``slope x + intercept`` (arrays broadcast)."""
    x, y = points(outlier)
    r = np.abs(np.asarray(slope)[..., None] * x + np.asarray(intercept)[..., None] - y)
    return np.where(r <= delta, r * r / 2, delta * (r - delta / 2)).mean(axis=-1)


def huber_grid(outlier, delta):
    """The minimum of the Huber loss by grid search: 201 x 201 lines around the least
    squares one, then 12 zooms by 0.2 (the loss is convex, so zooming cannot lose it)."""
    slope, intercept = least_squares(outlier)
    span_w, span_b = 2.0, 20.0
    for _ in range(12):
        w, b = np.meshgrid(np.linspace(slope - span_w, slope + span_w, 201),
                           np.linspace(intercept - span_b, intercept + span_b, 201))
        loss = huber(w, b, outlier, delta)
        k = np.unravel_index(np.argmin(loss), loss.shape)
        slope, intercept = w[k], b[k]
        span_w, span_b = span_w * 0.2, span_b * 0.2
    return slope, intercept


def test_the_points_are_the_recipe():
    x, y = O.data(25.0)
    ex, ey = points(25.0)
    np.testing.assert_array_equal(x, ex)
    np.testing.assert_allclose(y, ey, rtol=0, atol=1e-15)
    assert O.IN_LINE == 0.5 * 9 + 1


@pytest.mark.parametrize("outlier", HEIGHTS)
def test_the_mse_line_is_least_squares(outlier):
    line = O.fit("MSE", outlier)
    slope, intercept = least_squares(outlier)
    assert line.slope == pytest.approx(slope, abs=1e-6)
    assert line.intercept == pytest.approx(intercept, abs=1e-5)


@pytest.mark.parametrize("outlier", HEIGHTS)
def test_the_mae_line_is_the_best_line_through_two_points(outlier):
    (best, slope, intercept), second = least_absolute(outlier)
    line = O.fit("MAE", outlier)
    x, y = points(outlier)
    assert np.mean(np.abs(y - line(x))) == pytest.approx(best, abs=2e-4)  # as low as the best line
    if second - best > 1e-3:  # a unique best line: the fit is on it
        assert line.slope == pytest.approx(slope, abs=0.01)
        assert line.intercept == pytest.approx(intercept, abs=0.05)


@pytest.mark.parametrize("outlier, delta", [(25.0, 1.0), (25.0, 0.1), (30.0, 10.0), (-10.0, 0.3),
                                            (12.0, 2.0), (5.5, 1.0), (15.0, 10.0), (-10.0, 10.0)])
def test_the_huber_line_is_the_grid_minimum(outlier, delta):
    line = O.fit("Huber", outlier, delta)
    slope, intercept = huber_grid(outlier, delta)
    assert line.slope == pytest.approx(slope, abs=2e-4)
    assert line.intercept == pytest.approx(intercept, abs=2e-3)
    assert float(huber(line.slope, line.intercept, outlier, delta)) == pytest.approx(
        float(huber(slope, intercept, outlier, delta)), abs=1e-7)


def test_huber_with_a_large_delta_is_mse_and_with_a_small_one_nearly_mae():
    # at 15 every residual of the least-squares line is within 10: Huber is MSE halved there
    x, y = points(15.0)
    slope, intercept = least_squares(15.0)
    assert np.abs(y - slope * x - intercept).max() < 10
    assert O.fit("Huber", 15.0, 10.0).slope == pytest.approx(slope, abs=1e-6)
    for outlier in (15.0, 25.0, -10.0):
        mae = least_absolute(outlier)[0][1]
        assert O.fit("Huber", outlier, 0.1).slope == pytest.approx(mae, abs=O.AGREE)


def test_the_numbers_the_notebook_can_quote():
    """With the outlier at 25 (the default): slopes 0.96 (MSE), 0.52 (MAE) and 0.53
    (Huber, δ = 1); the outlier's share of the pull 41 %, 6 % (1/16) and 23 %. At −10 the
    MSE slope falls to 0.13; at 15, δ = 10, Huber's line is MSE's (0.73)."""
    slope, _ = least_squares(25.0)
    assert round(slope, 2) == 0.96
    assert round(least_absolute(25.0)[0][1], 2) == 0.52
    assert round(float(huber_grid(25.0, 1.0)[0]), 2) == 0.53
    assert round(least_squares(-10.0)[0], 2) == 0.13
    assert round(least_squares(15.0)[0], 2) == 0.73
    x, y = points(25.0)
    r = np.abs(y - slope * x - least_squares(25.0)[1])
    assert round(100 * r[-1] / r.sum()) == 41                  # MSE pulls with 2|r|
    w, b = huber_grid(25.0, 1.0)
    h = np.minimum(np.abs(y - w * x - b), 1.0)                 # Huber with min(|r|, δ)
    assert round(100 * h[-1] / h.sum()) == 23
    scene = OutliersScene()
    assert scene.captions[0].get_text().startswith("slopes: MSE 0.96, MAE 0.52, Huber (δ = 1) 0.53")
    assert {n: t.get_text() for n, t in scene.share_labels.items()} == {
        "MSE": "MSE 41%", "MAE": "MAE 6%", "Huber": "Huber 23%"}


@pytest.mark.parametrize("outlier", (-10.0, 14.0, 30.0))
def test_the_mse_outlier_never_pulls_more_than_all_the_others_together(outlier):
    """At the least-squares line the residuals add up to 0, so the outlier's |r| is at
    most the sum of the others': at most half of the pull."""
    x, y = points(outlier)
    slope, intercept = least_squares(outlier)
    r = np.abs(y - slope * x - intercept)
    assert r[-1] / r.sum() <= 0.5
    assert O.shares("MSE", O.fit("MSE", outlier), outlier)[-1] == pytest.approx(r[-1] / r.sum(), abs=1e-5)


@pytest.mark.parametrize("outlier, delta", [(25.0, 1.0), (-10.0, 0.1), (30.0, 10.0), (5.5, 0.3)])
def test_the_drawn_lines_and_bars_are_the_engine(outlier, delta):
    scene = OutliersScene(outlier=outlier, delta=delta)
    x, y = points(outlier)
    for name, engine in (("MSE", nn.MSELoss()), ("MAE", nn.L1Loss()), ("Huber", nn.HuberLoss(delta=delta))):
        line = O.fit(name, outlier, delta)
        ends, heights = scene.lines[name].get_data()
        np.testing.assert_allclose(heights, line.slope * np.asarray(ends) + line.intercept, rtol=1e-12)
        engine(line.slope * x + line.intercept, y)
        pull = np.abs(engine.backward())
        shown = np.array([bar.get_height() for bar in scene.bars[name]])
        np.testing.assert_allclose(shown, pull / pull.sum(), rtol=1e-12)
        # and the engine's pull is the textbook one: 2|r|, 1 and min(|r|, δ), over n
        r = np.abs(y - line.slope * x - line.intercept)
        expected = {"MSE": 2 * r, "MAE": np.ones_like(r), "Huber": np.minimum(r, delta)}[name] / len(x)
        np.testing.assert_allclose(pull, expected, rtol=1e-9)
    assert np.ravel(scene.outlier_mark.get_data()).tolist() == [9.0, outlier]


def test_the_caption_follows_the_state():
    inline = OutliersScene(outlier=5.5)
    assert inline.captions[1].get_text().startswith("the outlier is nearly in line")
    assert "every residual is within δ" in inline.captions[2].get_text()
    far = OutliersScene(outlier=25.0, delta=1.0)
    assert "tilts toward the outlier" in far.captions[1].get_text()
    assert far.captions[2].get_text() == ("Huber (δ = 1): only the outlier lies beyond δ, where its pull is "
                                          "capped at δ: nearly MAE's line")
    big = OutliersScene(outlier=15.0, delta=10.0)
    assert "Huber is MSE halved: MSE's line" in big.captions[2].get_text()
    small = OutliersScene(outlier=15.0, delta=0.1)
    assert small.captions[2].get_text().endswith("nearly MAE's line")


def test_the_captions_fit_in_the_figure():
    scene = OutliersScene()
    width = scene.fig.bbox.width
    for outlier, delta in itertools.product(O.OUTLIER_RANGE + (15.0,), O.DELTA_RANGE + (1.0,)):
        scene.set(outlier=outlier, delta=delta)
        scene.render()
        renderer = scene.fig.canvas.get_renderer()
        for caption in scene.captions:
            assert caption.get_window_extent(renderer).x1 < width - 4, caption.get_text()


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = OutliersScene()
        for corner in OutliersScene.corner_values():
            scene.set(**corner)
            assert scene.render().std() > 0


def test_bad_input_is_refused_in_words_and_leaves_the_scene_as_it_was():
    scene = OutliersScene(outlier=12.0)
    before = scene.render()
    for bad in (dict(outlier=31.0), dict(outlier=float("nan")), dict(delta=0.0), dict(delta=11.0)):
        with pytest.raises(ValueError, match="must lie in"):
            scene.set(**bad)
        assert scene.values == {"outlier": 12.0, "delta": 1.0}
        assert np.array_equal(scene.render(), before)
    with pytest.raises(TypeError, match="must be a number"):
        scene.set(outlier="high")
    with pytest.raises(ValueError, match="finite"):
        O.fit("MSE", float("inf"))
    with pytest.raises(ValueError, match="the loss must be one of"):
        O.criterion("hinge")


def test_the_storyboard_shows_the_outlier_rise_and_delta_sweep():
    frames = [changes for changes, _ in OutliersScene().storyboard()]
    assert frames[0] == frames[-1] == {"outlier": O.IN_LINE, "delta": 1.0}  # the loop closes
    heights = [f["outlier"] for f in frames]
    assert max(heights) == O.OUTLIER_RANGE[1]
    deltas = [f["delta"] for f in frames]
    assert min(deltas) == 0.1 and max(deltas) == 10.0
    at_small = next(f for f in frames if f["delta"] == 0.1)
    at_large = next(f for f in frames if f["delta"] == 10.0)
    assert "nearly MAE's line" in OutliersScene(**at_small).captions[2].get_text()
    assert "MSE's line" in OutliersScene(**at_large).captions[2].get_text()
