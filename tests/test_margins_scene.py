"""The margins scene: one network trained under MSE, cross-entropy and hinge.

The network's scores are recomputed here from the recorded weights with a forward pass
written from the formula (tanh hidden layer, linear output), and the losses from their
formulas; the recorded curves are also compared with the engine's own ``evaluate``."""

import warnings

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import AxesImage

from course_utils import data, nn, style
from course_utils.nn.training import evaluate
from course_utils.scenes import margins as M
from course_utils.scenes.margins import MarginsScene

LOSSES = ("mse", "bce", "hinge")


def output(snapshot, x):
    """o = W2 tanh(W1 x + b1) + b2 from a state_dict of Linear, Tanh, Linear: shape (n,)."""
    h = np.tanh(x @ snapshot["0.weight"].T + snapshot["0.bias"])
    return (h @ snapshot["2.weight"].T + snapshot["2.bias"])[:, 0]


def own_score(loss, epoch, x):
    o = output(M.train(loss).snapshots[epoch], x)
    return 2 * o - 1 if loss == "mse" else o


def own_loss(loss, o, y):
    """The three losses from their formulas; y in {0, 1}."""
    if loss == "mse":
        return float(np.mean((o - y) ** 2))
    if loss == "bce":
        return float(np.mean(np.logaddexp(0.0, o) - y * o))
    return float(np.mean(np.maximum(0.0, 1 - (2 * y - 1) * o)))


@pytest.fixture(scope="module")
def xy():
    return data.moons(30, 0.15, rng=0)


def own_margins(loss, epoch, xy):
    x, y = xy
    return (2 * y - 1) * own_score(loss, epoch, x)


def test_the_runs_share_data_start_and_length(xy):
    x, y = xy
    assert (len(x), int(y.sum())) == (30, 15)
    first = M.train("mse").snapshots[0]
    for loss in LOSSES:
        run = M.train(loss)
        assert run.moments == tuple(range(M.EPOCHS + 1)) and run.unit == "epoch"
        assert np.array_equal(run.data["x"], x)
        expected = 2.0 * y - 1 if loss == "hinge" else y.astype(float)
        assert np.array_equal(run.data["y"][:, 0], expected)
        for name, value in run.snapshots[0].items():
            assert np.array_equal(value, first[name])  # the same starting network


@pytest.mark.parametrize("loss", LOSSES)
def test_the_recorded_losses_are_the_engines_and_the_formulas_and_they_fall(loss, xy):
    x, y = xy
    run = M.train(loss)
    curve = run.curves["train_loss"]
    for epoch in (0, 37, 250, M.EPOCHS):
        o = output(run.snapshots[epoch], x)
        assert curve[epoch] == pytest.approx(own_loss(loss, o, y), rel=1e-9, abs=1e-15)
        engine, _ = evaluate(run.at(epoch), M.criterion(loss), x, M.targets(loss, y))
        assert curve[epoch] == pytest.approx(engine, rel=1e-12, abs=1e-15)
    assert curve[-1] < curve[0] / 80
    assert np.mean(np.diff(curve) <= 1e-12) > 0.9  # falling (nearly) every epoch


def test_every_network_ends_with_every_point_right(xy):
    for loss in LOSSES:
        assert np.all(own_margins(loss, M.EPOCHS, xy) > 0), loss
        assert M.MarginsScene().panels[loss]["stats"][1].get_text() == "100%"


def test_hinge_stops_once_every_point_is_outside_the_margin(xy):
    m = own_margins("hinge", M.EPOCHS, xy)
    assert np.all(m >= 1) and round(m.min(), 2) == 1.04  # every point outside |s| < 1
    curve = M.train("hinge").curves["train_loss"]
    zero = np.flatnonzero(curve == 0.0)
    assert zero[0] == 254  # the hinge loss first reaches 0 after 254 epochs
    last_positive = np.flatnonzero(curve > 0)[-1]
    assert last_positive < 300 and np.all(curve[last_positive + 1:] == 0)
    # with a zero gradient the network stops (but for Adam's fading momentum)
    snaps = M.train("hinge").snapshots
    change = max(np.abs(snaps[M.EPOCHS][k] - snaps[400][k]).max() for k in snaps[0])
    assert change < 1e-6
    np.testing.assert_allclose(own_margins("hinge", 400, xy), m, atol=1e-6)


def test_cross_entropy_keeps_pushing_the_scores_up_on_separable_data(xy):
    """Every point is right by epoch 200, yet the smallest and the median y·s keep growing."""
    epochs = (200, 250, 300, 375, 450, M.EPOCHS)
    smallest = [own_margins("bce", e, xy).min() for e in epochs]
    median = [np.median(own_margins("bce", e, xy)) for e in epochs]
    assert smallest[0] > 0 and np.all(np.diff(smallest) > 0) and np.all(np.diff(median) > 0)
    assert [round(smallest[1], 2), round(smallest[-1], 2)] == [2.48, 4.18]
    assert round(median[-1], 1) == 6.9
    assert smallest[-1] > 4 * own_margins("hinge", M.EPOCHS, xy).min()
    snaps = M.train("bce").snapshots
    norm = [np.sqrt(sum((v ** 2).sum() for v in snaps[e].values())) for e in (250, M.EPOCHS)]
    assert norm[1] > 1.15 * norm[0]  # the weights keep growing: 13.4 -> 15.7
    curve = M.train("bce").curves["train_loss"]
    assert np.all(curve > 0) and np.all(np.diff(curve[200:]) < 0)  # never 0, always falling


def test_mse_pulls_each_output_to_its_target(xy):
    m = own_margins("mse", M.EPOCHS, xy)
    assert abs(np.median(m) - 1) < 0.02 and m.max() < 1.25  # not far beyond the target either
    assert round(m.min(), 2) == 0.24 and np.sum(np.abs(m) < 1) == 17  # but 17 points inside |s| < 1


def test_the_confidences_the_notes_say(xy):
    from math import exp
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    expected = {"bce": np.mean(sig(own_margins("bce", M.EPOCHS, xy))),
                "hinge": np.mean(sig(own_margins("hinge", M.EPOCHS, xy))),
                "mse": np.mean(np.clip((1 + own_margins("mse", M.EPOCHS, xy)) / 2, 0, 1))}
    for loss, value in expected.items():
        assert M.confidence(loss, M.EPOCHS) == pytest.approx(value, rel=1e-12)
    assert (round(expected["bce"], 3), round(expected["mse"], 2), round(expected["hinge"], 2)) == (0.998, 0.96, 0.85)
    scene = MarginsScene()
    assert [scene.panels[k]["note"].get_text() for k in LOSSES] == ["0.96", "0.998", "0.85)"]
    assert 1 / (1 + exp(1)) == pytest.approx(0.269, abs=1e-3)  # the band of BCE: P from 0.27 to 0.73


@pytest.mark.parametrize("epoch", [0, 61, 254, M.EPOCHS])
def test_the_drawn_regions_lines_and_histograms_are_the_networks(epoch, xy):
    x, y = xy
    scene = MarginsScene(step=epoch)
    gx, gy = np.meshgrid(scene.grid_x, scene.grid_y)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    step = scene.grid_x[1] - scene.grid_x[0]
    for loss in LOSSES:
        panel = scene.panels[loss]
        s = own_score(loss, epoch, grid).reshape(gx.shape)
        shade = np.asarray(panel["image"].get_array())
        assert np.array_equal(shade >= 2, s >= 0) and np.array_equal((shade == 1) | (shade == 2), np.abs(s) < 1)
        for line, levels in ((panel["boundary"], (0.0,)), (panel["band"], (-1.0, 1.0))):
            vx, vy = line.get_data()
            points = np.column_stack([vx, vy])
            points = points[np.isfinite(points[:, 0])]
            if not len(points):
                assert not np.any([np.any(np.diff(np.sign(s - v), axis=1)) for v in levels]), loss
                continue
            at = own_score(loss, epoch, points)
            # how far each vertex is from the true level set, to first order: |s - v| / |grad s|
            h = 1e-5
            grad = np.hypot(own_score(loss, epoch, points + [h, 0]) - at,
                            own_score(loss, epoch, points + [0, h]) - at) / h
            off = np.min([np.abs(at - v) for v in levels], axis=0) / grad
            assert off.max() < step, (loss, off.max())
        # the histogram: the scores of the training points, by class
        scores = np.clip(own_score(loss, epoch, x), -M.SCORE_MAX, M.SCORE_MAX - 1e-6)
        edges = np.arange(-M.SCORE_MAX, M.SCORE_MAX + 1e-9, M.SCORE_BIN)
        up, down = panel["up"].get_data().values, panel["down"].get_data().values
        assert np.array_equal(up, np.histogram(scores[y == 1], edges)[0])
        assert np.array_equal(-down, np.histogram(scores[y == 0], edges)[0])
        assert up.sum() == 15 and -down.sum() == 15
        m = own_margins(loss, epoch, xy)
        stats = [t.get_text() for t in panel["stats"]]
        assert stats[1] == f"{np.mean(m > 0):.0%}" and stats[2] == str(np.sum(np.abs(m) < 1))
        assert float(stats[3].replace("\u2212", "-")) == pytest.approx(m.min(), abs=0.006)
        assert float(stats[0]) == pytest.approx(M.train(loss).curves["train_loss"][epoch], rel=0.01, abs=1e-12)
    assert scene.header.get_text() == f"epoch {epoch} of {M.EPOCHS}"


@pytest.mark.parametrize("epoch", [0, 61, M.EPOCHS])
def test_the_shading_is_pixel_for_pixel_what_imshow_draws(epoch):
    scene = MarginsScene(step=epoch)
    renderer = scene.fig.canvas.get_renderer()
    for loss in LOSSES:
        image = scene.panels[loss]["image"]
        ours, x0, y0, _ = image.make_image(renderer)
        theirs, x1, y1, _ = AxesImage.make_image(image, renderer)  # matplotlib's own resampling
        assert (x0, y0) == (x1, y1) and np.array_equal(ours, theirs), loss


def test_the_pasted_points_are_the_points_drawn():
    scene = MarginsScene(step=61)
    pasted = scene.render().astype(int)
    for artist in scene._movers:
        if isinstance(artist, M.Pasted):
            artist.draw = artist.artist.draw  # draw the scatter itself instead
    drawn = scene.render().astype(int)
    assert np.abs(pasted - drawn).max() <= 2  # on the points' blended edges
    # and the points are there, in their class colours
    x, y = M.points()
    colours = np.array([to_rgb(c) for c in style.class_colours(y)]) * 255
    height = pasted.shape[0]
    for loss in LOSSES:
        centres = scene.panels[loss]["ax"].transData.transform(x)
        seen = pasted[(height - centres[:, 1]).astype(int), centres[:, 0].astype(int)]
        assert np.sum(np.abs(seen - colours).max(axis=1) < 20) >= 25, loss  # a few points overlap


def test_a_run_is_seeded():
    """Trained again outside the cache, a run ends exactly where the cached one did (the
    time it takes is measured by benchmarks/bench_training.py, not asserted here)."""
    for loss in LOSSES:
        run = M.train.__wrapped__(loss)  # not from the cache
        assert run.curves["train_loss"][-1] == M.train(loss).curves["train_loss"][-1]


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = MarginsScene(step=0)
        scene.render()
        for corner in MarginsScene.corner_values():
            scene.set(**corner)
            assert np.array_equal(scene.render(), MarginsScene(**corner).render())


@pytest.mark.parametrize("bad", [-1, M.EPOCHS + 1, 2.5, "ten", None, True, float("nan")])
def test_bad_epochs_are_refused_and_the_picture_stays(bad):
    scene = MarginsScene(step=80)
    before = scene.render()
    with pytest.raises((ValueError, TypeError)):
        scene.set(step=bad)
    assert scene.values["step"] == 80 and np.array_equal(scene.render(), before)


def test_the_helpers_refuse_nonsense():
    with pytest.raises(ValueError, match="loss must be one of"):
        M.criterion("l1")
    with pytest.raises(ValueError, match="loss must be one of"):
        M.train("l1")
    with pytest.raises(ValueError, match="shape"):
        M.score("bce", 10, np.zeros(3))
    for epoch in (-1, M.EPOCHS + 1, 1.5, True):
        with pytest.raises(ValueError, match="epoch"):
            M.score("bce", epoch, np.zeros((1, 2)))
    assert M.level_lines(np.arange(3.0), np.arange(3.0), np.zeros((3, 3)) + 5, 0.0).shape == (0, 2)


def test_the_storyboard_walks_the_epochs():
    frames = list(MarginsScene().storyboard())
    epochs = [f["step"] for f, _ in frames]
    assert epochs[0] == 0 and epochs[-1] == M.EPOCHS and epochs == sorted(set(epochs))
    assert 15 <= len(frames) <= 25  # few frames: a small GIF
    assert frames[-1][1] >= 2000  # a hold on the end


def test_the_losses_are_the_engines():
    assert [type(M.criterion(k)) for k in LOSSES] == [nn.MSELoss, nn.BCEWithLogitsLoss, nn.HingeLoss]
