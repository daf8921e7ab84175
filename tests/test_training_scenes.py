"""The training-process scenes: epochs (under- and overfitting) and the batch size.

Every number the scenes draw is checked against a computation written here from the
formulas (gradient descent on a line by hand, a tanh network's forward pass, binary
cross-entropy), not against the code under test.
"""

import itertools
import math

import numpy as np
import pytest

from course_utils import data
from course_utils.scenes import GIFS, load
from course_utils.scenes import training as T

# --------------------------------------------------------------------------------------
# helpers written from the formulas
# --------------------------------------------------------------------------------------


def design(x):
    """Rows (x_i, 1): the line's prediction is design(x) @ (w, b)."""
    return np.column_stack([x[:, 0], np.ones(len(x))])


def mse_gradient(p, x, y):
    """d/d(w, b) of mean((w x + b - y)^2) = 2 A^T (A p - y) / n."""
    a = design(x)
    return 2.0 * a.T @ (a @ p - y[:, 0]) / len(x)


def mse(p, x, y):
    return float(np.mean((design(x) @ p - y[:, 0]) ** 2))


def mlp_logit(weights, points):
    """tanh hidden layers, linear output: the logit, shape (n,)."""
    a = points
    for i, (w, b) in enumerate(weights):
        z = a @ w.T + b
        a = z if i == len(weights) - 1 else np.tanh(z)
    return a[:, 0]


def bce(logit, y):
    """Mean binary cross-entropy of logits: mean(log(1 + e^z) - y z), computed stably."""
    return float(np.mean(np.logaddexp(0.0, logit) - y * logit))


def probability(logit):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-logit))


# --------------------------------------------------------------------------------------
# the line data
# --------------------------------------------------------------------------------------


def test_line_data_shapes_range_and_seed():
    x, y = data.line(50, rng=3)
    assert x.shape == (50, 1) and y.shape == (50, 1)
    assert x.min() >= 0.0 and x.max() <= 2.0
    x2, y2 = data.line(50, rng=3)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(y, data.line(50, rng=4)[1])


def test_line_without_noise_is_the_line_and_noise_has_its_spread():
    x, y = data.line(100, slope=-0.5, intercept=3.0, noise=0.0, rng=1)
    np.testing.assert_allclose(y, -0.5 * x + 3.0, atol=1e-12)
    x, y = data.line(20000, slope=1.5, intercept=-2.0, noise=0.3, rng=2)
    residual = y[:, 0] - (1.5 * x[:, 0] - 2.0)
    assert abs(residual.std() - 0.3) < 0.01 and abs(residual.mean()) < 0.01


@pytest.mark.parametrize("n, noise", [(1, 0.1), (2.5, 0.1), (10, -1.0), (10, float("nan"))])
def test_line_rejects_bad_arguments(n, noise):
    with pytest.raises(ValueError):
        data.line(n, noise=noise)


# --------------------------------------------------------------------------------------
# BatchSizeScene: the runs
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 3, 5, 8, 10, 64, 100])
def test_updates_per_epoch_and_path_length(batch_size):
    run = T.train_line(batch_size, 0.05)
    updates = -(-T.N_LINE // batch_size)  # ceiling division
    assert run.updates == updates == T.updates_per_epoch(batch_size)
    assert run.path.shape == (T.LINE_EPOCHS * updates + 1, 2)
    assert run.loss.shape == (len(run.path),)
    for epoch in range(T.LINE_EPOCHS + 1):
        batches = run.batches(epoch)
        assert len(batches) == updates
        # an epoch uses every example exactly once
        assert sorted(np.concatenate(batches).tolist()) == list(range(T.N_LINE))
        assert all(len(b) == batch_size for b in batches[:-1])


def test_full_batch_path_is_plain_gradient_descent():
    x, y = T.line_data()
    lr = 0.07
    p = np.array(T.START, dtype=float)
    expected = [p.copy()]
    for _ in range(T.LINE_EPOCHS):
        p = p - lr * mse_gradient(p, x, y)
        expected.append(p.copy())
    run = T.train_line(T.N_LINE, lr)
    np.testing.assert_allclose(run.path, np.array(expected), rtol=0, atol=1e-12)


@pytest.mark.parametrize("batch_size", [1, 4, 16])
def test_mini_batch_path_follows_each_batch_gradient(batch_size):
    x, y = T.line_data()
    lr = 0.1
    run = T.train_line(batch_size, lr)
    j = 0
    for epoch in range(T.LINE_EPOCHS):
        order = run.orders[epoch]
        assert sorted(order.tolist()) == list(range(T.N_LINE))
        for start in range(0, T.N_LINE, batch_size):
            idx = order[start:start + batch_size]
            step = run.path[j] - lr * mse_gradient(run.path[j], x[idx], y[idx])
            np.testing.assert_allclose(run.path[j + 1], step, rtol=0, atol=1e-12)
            j += 1
    assert j == len(run.path) - 1


def test_shuffles_differ_between_epochs_and_are_seeded():
    run = T.train_line(8, 0.05)
    assert len({tuple(o) for o in run.orders}) == len(run.orders)
    T.train_line.cache_clear()
    again = T.train_line(8, 0.05)
    assert again is not run and np.array_equal(again.path, run.path)


def test_loss_along_the_path_is_the_full_data_mse():
    x, y = T.line_data()
    run = T.train_line(4, 0.1)
    expected = [mse(p, x, y) for p in run.path]
    np.testing.assert_allclose(run.loss, expected, rtol=1e-10)
    a = design(x)
    w_b = np.linalg.lstsq(a, y[:, 0], rcond=None)[0]
    np.testing.assert_allclose(T.least_squares(), w_b, rtol=1e-10)
    assert run.loss.min() >= mse(w_b, x, y) - 1e-12  # nothing beats least squares


def test_every_run_is_stable_and_stays_in_the_picture():
    x, _ = T.line_data()
    # a batch's Hessian is 2 mean((x, 1)(x, 1)^T); SGD is stable when lr * its top
    # eigenvalue < 2, for every batch: the largest is that of one example
    top = max(np.linalg.eigvalsh(2 * np.outer([xi, 1.0], [xi, 1.0]))[-1] for xi in x[:, 0])
    assert T.LR_RANGE[1] * top < 2
    for batch_size in T.BATCH_SIZES:
        for lr in np.geomspace(*T.LR_RANGE, 5):
            run = T.train_line(batch_size, float(lr))
            assert np.all(np.isfinite(run.path))
            assert np.all((run.path[:, 0] >= T.W_RANGE[0]) & (run.path[:, 0] <= T.W_RANGE[1]))
            assert np.all((run.path[:, 1] >= T.B_RANGE[0]) & (run.path[:, 1] <= T.B_RANGE[1]))
            assert run.loss[-1] < run.loss[0]


def test_batch_gradients_average_to_the_full_gradient():
    x, y = T.line_data()
    for batch_size in (1, 2, 8, 32, 64):
        run = T.train_line(batch_size, 0.05)
        for epoch in (0, 7, T.LINE_EPOCHS):
            grads = run.batch_gradients(epoch)
            p = run.at(epoch)
            assert grads.shape == (run.updates, 2)
            # equal-sized batches that partition the data average to the full gradient
            np.testing.assert_allclose(grads.mean(axis=0), mse_gradient(p, x, y), atol=1e-12)
            for g, idx in zip(grads, run.batches(epoch)):
                np.testing.assert_allclose(g, mse_gradient(p, x[idx], y[idx]), atol=1e-12)


def test_gradient_noise_shrinks_as_the_batch_grows():
    """At one point, the spread of batch gradients around the full gradient follows
    sampling without replacement: E|g_B - g|^2 = s^2 (N - b) / (b (N - 1)), where s^2 is
    the mean squared deviation of single-example gradients."""
    x, y = T.line_data()
    n = T.N_LINE
    p = np.array(T.START)
    full = mse_gradient(p, x, y)
    singles = np.array([mse_gradient(p, x[i:i + 1], y[i:i + 1]) for i in range(n)])
    s2 = np.mean(np.sum((singles - full) ** 2, axis=1))
    spreads = []
    for batch_size in T.BATCH_SIZES:
        run = T.train_line(batch_size, 0.05)
        # the scene's batches (all its epochs' shuffles), each gradient taken at START
        dev = [np.sum((mse_gradient(p, x[idx], y[idx]) - full) ** 2)
               for epoch in range(T.LINE_EPOCHS + 1) for idx in run.batches(epoch)]
        spreads.append(np.mean(dev))
        theory = s2 * (n - batch_size) / (batch_size * (n - 1))
        assert spreads[-1] == pytest.approx(theory, rel=0.35, abs=1e-12)
    assert all(a > b for a, b in itertools.pairwise(spreads))
    assert spreads[-1] == pytest.approx(0.0, abs=1e-20)


def test_bad_runs_are_refused():
    with pytest.raises(ValueError, match="batch_size"):
        T.train_line(0, 0.1)
    with pytest.raises(ValueError, match="batch_size"):
        T.updates_per_epoch(2.5)
    with pytest.raises(ValueError, match="lr"):
        T.train_line(8, 0.5)
    with pytest.raises(ValueError, match="lr"):
        T.train_line(8, -0.1)


# --------------------------------------------------------------------------------------
# BatchSizeScene: what it draws
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch_scene():
    return T.BatchSizeScene()


@pytest.mark.parametrize("batch_size, lr, step", [(8, 0.1, 20), (1, 0.02, 3), (64, 0.15, 11), (2, 0.005, 0)])
def test_drawn_path_loss_and_gradients_match_the_run(batch_scene, batch_size, lr, step):
    scene = batch_scene.set(batch_size=batch_size, lr=lr, step=step)
    x, y = T.line_data()
    run = T.train_line(batch_size, lr)
    last = step * -(-T.N_LINE // batch_size)
    w, b = scene.path.get_data()
    np.testing.assert_array_equal(w, run.path[:last + 1, 0])
    np.testing.assert_array_equal(b, run.path[:last + 1, 1])
    np.testing.assert_array_equal(np.ravel(scene.point.get_data()), run.path[last])
    epochs, loss = scene.loss_curve.get_data()
    assert epochs[-1] == step and len(epochs) == last + 1
    np.testing.assert_allclose(loss, [mse(p, x, y) for p in run.path[:last + 1]], rtol=1e-10)
    # the full gradient is drawn from the origin to g, the batch gradients as points
    full = mse_gradient(run.path[last], x, y)
    np.testing.assert_allclose(np.ravel(scene.full_tip.get_data()), full, atol=1e-12)
    inside = np.column_stack(scene.grads.get_data())
    pinned = np.column_stack(scene.grads_out.get_data())
    drawn = np.concatenate([inside.reshape(-1, 2), pinned.reshape(-1, 2)])
    expected = np.array([mse_gradient(run.path[last], x[i], y[i]) for i in run.batches(step)])
    expected = np.clip(expected, -T.GRAD_RANGE, T.GRAD_RANGE)
    assert len(drawn) == len(expected)
    np.testing.assert_allclose(np.sort(drawn, axis=0), np.sort(expected, axis=0), atol=1e-12)


@pytest.mark.parametrize("batch_size", T.BATCH_SIZES)
def test_texts_name_the_updates_per_epoch(batch_scene, batch_size):
    scene = batch_scene.set(batch_size=batch_size, lr=0.1, step=T.LINE_EPOCHS)
    updates = math.ceil(64 / batch_size)
    title = scene.loss_title.get_text()
    assert f"{updates} update" in title and f"ceil(64 / {batch_size})" in title
    assert f"{updates * T.LINE_EPOCHS} updates in {T.LINE_EPOCHS} epochs" in scene.header.get_text()


def test_drawn_spread_text_falls_with_the_batch(batch_scene):
    spreads = []
    for batch_size in (1, 8, 64):
        text = batch_scene.set(batch_size=batch_size, lr=0.1, step=0).grad_text.get_text()
        spreads.append(float(text.split(":")[-1]))
    assert spreads[0] > spreads[1] > spreads[2] == 0.0


def test_batch_scene_rejects_bad_values():
    with pytest.raises(ValueError, match="batch_size"):
        T.BatchSizeScene(batch_size=3)
    with pytest.raises(ValueError, match="lr"):
        T.BatchSizeScene(lr=1.0)
    with pytest.raises(ValueError, match="step"):
        T.BatchSizeScene(step=T.LINE_EPOCHS + 1)
    with pytest.raises(ValueError, match="step"):
        T.BatchSizeScene(step=1.5)
    with pytest.raises(KeyError, match="epochs"):
        T.BatchSizeScene(epochs=3)


def test_batch_size_labels_and_gif_registration():
    labels = dict(T.BATCH_CHOICES)
    assert labels["1 (stochastic)"] == 1 and labels["64 (full batch)"] == 64
    assert sorted(labels.values()) == [1, 2, 4, 8, 16, 32, 64]
    assert load("batch_size") is T.BatchSizeScene and GIFS["batch_size"] == "training:BatchSizeScene"


def test_storyboard_plays_full_mini_and_stochastic_batches():
    frames = list(T.BatchSizeScene().storyboard())
    batches = [changes["batch_size"] for changes, _ in frames]
    assert [b for i, b in enumerate(batches) if i == 0 or b != batches[i - 1]] == [64, 8, 1]
    for batch in (64, 8, 1):
        steps = [c["step"] for c, _ in frames if c["batch_size"] == batch]
        assert steps[0] == 0 and steps[-1] == T.LINE_EPOCHS and steps == sorted(steps)
    assert all(duration > 0 for _, duration in frames)


# --------------------------------------------------------------------------------------
# EpochsScene
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_run():
    return T.train_epochs("circle", 32)


def test_data_sets_are_separate_and_sized(default_run):
    run = default_run
    assert run.x.shape == (T.N_TRAIN, 2) and run.x_val.shape == (T.N_VAL, 2)
    assert T.N_VAL > T.N_TRAIN
    distances = np.linalg.norm(run.x[:, None, :] - run.x_val[None, :, :], axis=2)
    assert distances.min() > 0  # no validation point is a training point
    assert run.train_loss.shape == run.val_loss.shape == (T.EPOCHS + 1,)
    assert len(run.snapshots) == T.SNAPSHOTS + 1


def test_recorded_losses_are_the_snapshots_cross_entropy(default_run):
    run = default_run
    for k in (0, 5, 17, T.SNAPSHOTS):
        epoch = T.EPOCH_AT[k]
        weights = run.snapshots[k]
        assert [w.shape for w, _ in weights] == [(32, 2), (32, 32), (1, 32)]
        assert bce(mlp_logit(weights, run.x), run.y) == pytest.approx(run.train_loss[epoch], rel=1e-9)
        assert bce(mlp_logit(weights, run.x_val), run.y_val) == pytest.approx(run.val_loss[epoch], rel=1e-9)
    assert run.train_loss[0] == pytest.approx(bce(mlp_logit(run.snapshots[0], run.x), run.y))


def test_default_run_underfits_then_fits_then_overfits(default_run):
    run = default_run
    best = int(np.argmin(run.val_loss))
    low = run.val_loss[best]
    assert 0 < best < T.EPOCHS // 2  # the minimum is strictly inside the run
    assert run.val_loss[0] > low + 0.1
    assert run.val_loss[-1] > 2.0 * low  # clearly above its minimum at the end
    assert np.all(np.diff(run.train_loss[best:]) < 0)  # ... while the training loss keeps falling
    assert run.train_loss[-1] < 0.05 * run.train_loss[best]


def test_phase_rule_on_made_up_curves():
    """The rule, checked on hand-made curves: v falls from 1.0 to 0.2 at epoch 4, then rises."""
    val = np.array([1.0, 0.8, 0.5, 0.27, 0.2, 0.25, 0.4, 0.7])
    run = T.EpochRun((2, 1), None, None, None, None, np.linspace(1, 0, 8), val, ())
    # near = 0.2 + 0.1 * (1.0 - 0.2) = 0.28
    assert [run.phase(e) for e in range(8)] == ["under", "under", "under", "good", "good", "good",
                                                "over", "over"]


def test_phase_label_on_the_scene():
    scene = T.EpochsScene(step=0)
    assert scene.phase_text.get_text().startswith("epoch 0: underfitting")
    scene.set(step=T.SNAPSHOTS)
    assert scene.phase_text.get_text().startswith(f"epoch {T.EPOCHS}: overfitting")
    run = T.train_epochs("circle", 32)
    nearest = int(np.argmin(np.abs(np.array(T.EPOCH_AT) - run.best_epoch)))
    scene.set(step=nearest)
    assert "good fit" in scene.phase_text.get_text()


@pytest.mark.parametrize("dataset", ["moons", "circle", "xor"])
@pytest.mark.parametrize("width", [8, 32])
def test_every_setting_goes_through_all_three_phases(dataset, width):
    run = T.train_epochs(dataset, width)
    phases = [run.phase(e) for e in T.EPOCH_AT]
    first = [p for i, p in enumerate(phases) if i == 0 or p != phases[i - 1]]
    assert first == ["under", "good", "over"]


@pytest.mark.parametrize("dataset, width, step", [("circle", 32, 40), ("moons", 8, 3), ("xor", 32, 12)])
def test_drawn_curves_region_and_accuracy_match(dataset, width, step):
    scene = T.EpochsScene(dataset=dataset, width=width, step=step)
    run = T.train_epochs(dataset, width)
    epoch = T.EPOCH_AT[step]
    xs, ys = scene.val_curve.get_data()
    np.testing.assert_array_equal(xs, np.arange(epoch + 1))
    np.testing.assert_array_equal(ys, run.val_loss[:epoch + 1])
    np.testing.assert_array_equal(scene.train_curve.get_data()[1], run.train_loss[:epoch + 1])
    assert list(scene.best_line.get_xdata()) == [run.best_epoch] * 2
    # the region is P(class 1) over a grid of the plane, row 0 at the bottom
    g = np.linspace(-T.PLANE, T.PLANE, T.REGION_RES)
    g1, g2 = np.meshgrid(g, g)
    logit = mlp_logit(run.snapshots[step], np.column_stack([g1.ravel(), g2.ravel()]))
    np.testing.assert_allclose(scene.region.get_array(), probability(logit).reshape(g1.shape), atol=1e-12)
    acc_train = np.mean((mlp_logit(run.snapshots[step], run.x) > 0) == (run.y == 1))
    acc_val = np.mean((mlp_logit(run.snapshots[step], run.x_val) > 0) == (run.y_val == 1))
    assert scene.accuracy_text.get_text() == (f"training {100 * acc_train:.0f}%\n"
                                              f"validation {100 * acc_val:.0f}%")


def test_epochs_scene_rejects_bad_values():
    with pytest.raises(ValueError, match="dataset"):
        T.EpochsScene(dataset="spiral")
    with pytest.raises(ValueError, match="width"):
        T.EpochsScene(width=16)
    with pytest.raises(ValueError, match="step"):
        T.EpochsScene(step=T.SNAPSHOTS + 1)
    with pytest.raises(ValueError, match="dataset"):
        T.train_epochs("spiral", 8)
    with pytest.raises(ValueError, match="width"):
        T.train_epochs("circle", 5)
