"""The batch-size scene: stochastic, mini-batch and full-batch gradient descent on a line.

Every number the scene draws is checked against a computation written here from the
formulas (gradient descent on a line by hand, the least-squares solution, the spread
of batch gradients under sampling without replacement), not against the code under test.
"""

import itertools
import math

import numpy as np
import pytest

from course_utils import chapters, data
from course_utils.scenes import batch_size as B
from course_utils.scenes.batch_size import BatchSizeScene

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


def path_of(run):
    return B.weight_path(run)[0]


def batches(run, epoch, batch_size):
    """The index arrays of the mini-batches of epoch ``epoch + 1``, in order."""
    order = run.orders[epoch]
    return [order[s:s + batch_size] for s in range(0, B.N_LINE, batch_size)]


def total_updates(batch_size):
    """The run trains one epoch more than the scene shows."""
    return (B.LINE_EPOCHS + 1) * math.ceil(B.N_LINE / batch_size)


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


def test_scene_data_is_the_seeded_line_and_read_only():
    x, y = B.line_data()
    x0, y0 = data.line(B.N_LINE, B.LINE_SLOPE, B.LINE_INTERCEPT, B.LINE_NOISE, rng=B.LINE_SEED)
    assert np.array_equal(x, x0) and np.array_equal(y, y0)
    assert not x.flags.writeable and not y.flags.writeable


# --------------------------------------------------------------------------------------
# the runs
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 3, 5, 8, 10, 64, 100])
def test_updates_per_epoch_and_path_length(batch_size):
    run = B.train_line(batch_size, 0.05)
    updates = -(-B.N_LINE // batch_size)  # ceiling division
    assert updates == B.updates_per_epoch(batch_size)
    path, loss = B.weight_path(run)
    assert run.unit == "update"
    assert path.shape == ((B.LINE_EPOCHS + 1) * updates + 1, 2) == (total_updates(batch_size) + 1, 2)
    assert loss.shape == (len(path),)
    assert run.moments == tuple(range(len(path)))
    # one order per epoch trained, the extra one included
    assert run.orders.shape == (B.LINE_EPOCHS + 1, B.N_LINE)
    for epoch in range(B.LINE_EPOCHS + 1):
        parts = batches(run, epoch, batch_size)
        assert len(parts) == updates
        # an epoch uses every example exactly once
        assert sorted(np.concatenate(parts).tolist()) == list(range(B.N_LINE))
        assert all(len(b) == batch_size for b in parts[:-1])


def test_path_starts_at_start_and_is_the_recorded_linear_layer():
    run = B.train_line(8, 0.1)
    path = path_of(run)
    np.testing.assert_array_equal(path[0], B.START)
    for k in (0, 1, 17, len(path) - 1):
        model = run.at(k)
        assert (float(model.weight.data[0, 0]), float(model.bias.data[0])) == tuple(path[k])


def test_full_batch_path_is_plain_gradient_descent():
    x, y = B.line_data()
    lr = 0.07
    p = np.array(B.START, dtype=float)
    expected = [p.copy()]
    for _ in range(B.LINE_EPOCHS + 1):
        p = p - lr * mse_gradient(p, x, y)
        expected.append(p.copy())
    run = B.train_line(B.N_LINE, lr)
    np.testing.assert_allclose(path_of(run), np.array(expected), rtol=0, atol=1e-12)


@pytest.mark.parametrize("batch_size", [1, 4, 16])
def test_mini_batch_path_follows_each_batch_gradient(batch_size):
    x, y = B.line_data()
    lr = 0.1
    run = B.train_line(batch_size, lr)
    path = path_of(run)
    j = 0
    for epoch in range(B.LINE_EPOCHS + 1):
        order = run.orders[epoch]
        assert sorted(order.tolist()) == list(range(B.N_LINE))
        for start in range(0, B.N_LINE, batch_size):
            idx = order[start:start + batch_size]
            step = path[j] - lr * mse_gradient(path[j], x[idx], y[idx])
            np.testing.assert_allclose(path[j + 1], step, rtol=0, atol=1e-12)
            j += 1
    assert j == len(path) - 1


@pytest.mark.parametrize("batch_size, lr", [(1, 0.02), (8, 0.1), (64, 0.15), (2, 0.005)])
def test_recorded_path_is_a_plain_sgd_loop_over_the_same_shuffles(batch_size, lr):
    """A plain SGD loop, written here: the same shuffles (a fresh generator seeded with
    SHUFFLE_SEED, one permutation per epoch) and the same updates
    ``w -= lr * 2/n sum(r x)``, ``b -= lr * 2/n sum(r)``, ``r = w x + b - y``, give
    exactly the recorded path, bit for bit."""
    x, y = B.line_data()
    run = B.train_line(batch_size, lr)
    gen = np.random.default_rng(B.SHUFFLE_SEED)
    w = np.array([[B.START[0]]])  # a (1, 1) weight and a (1,) bias, as nn.Linear(1, 1) has
    b = np.array([B.START[1]])
    expected = [(w[0, 0], b[0])]
    for epoch in range(B.LINE_EPOCHS + 1):
        order = gen.permutation(B.N_LINE)
        assert np.array_equal(run.orders[epoch], order)
        for start in range(0, B.N_LINE, batch_size):
            idx = order[start:start + batch_size]
            xb, yb = x[idx], y[idx]
            r = xb @ w.T + b - yb               # (n, 1) residuals
            g = 2.0 * r / len(idx)              # d mean(r^2) / d prediction
            w = w - lr * (g.T @ xb)
            b = b - lr * g.sum(axis=0)
            expected.append((w[0, 0], b[0]))
    np.testing.assert_array_equal(path_of(run), np.array(expected))


def test_shuffles_differ_between_epochs_and_are_seeded():
    run = B.train_line(8, 0.05)
    assert len({tuple(o) for o in run.orders}) == len(run.orders)
    again = B.train_line.__wrapped__(8, 0.05)  # trained anew, not taken from the cache
    assert again is not run
    assert np.array_equal(path_of(again), path_of(run))
    assert np.array_equal(again.orders, run.orders)
    assert B.train_line(8, 0.05) is run  # the cache still answers with the first


def test_loss_along_the_path_is_the_full_data_mse():
    x, y = B.line_data()
    run = B.train_line(4, 0.1)
    path, loss = B.weight_path(run)
    expected = [mse(p, x, y) for p in path]
    np.testing.assert_allclose(loss, expected, rtol=1e-10)
    # the per-epoch curve is the same loss, taken after each epoch's last update
    per_epoch = run.curves["train_loss"]
    assert per_epoch.shape == (B.LINE_EPOCHS + 2,)
    np.testing.assert_allclose(per_epoch, expected[::B.updates_per_epoch(4)], rtol=1e-10)
    a = design(x)
    w_b = np.linalg.lstsq(a, y[:, 0], rcond=None)[0]
    np.testing.assert_allclose(B.least_squares(), w_b, rtol=1e-10)
    assert loss.min() >= mse(w_b, x, y) - 1e-12  # nothing beats least squares
    np.testing.assert_allclose(B.line_loss(*w_b), mse(w_b, x, y), rtol=1e-10)


def test_line_gradient_is_the_mse_gradient():
    x, y = B.line_data()
    for p in ((0.3, -0.2), B.START, B.least_squares()):
        np.testing.assert_allclose(B.line_gradient(*p, x, y), mse_gradient(np.array(p), x, y), atol=1e-12)
        np.testing.assert_allclose(B.line_gradient(*p, x[5:9], y[5:9]),
                                   mse_gradient(np.array(p), x[5:9], y[5:9]), atol=1e-12)
    np.testing.assert_allclose(B.line_gradient(*B.least_squares(), x, y), 0.0, atol=1e-10)


def test_every_run_is_stable_and_stays_in_the_picture():
    x, _ = B.line_data()
    # a batch's Hessian is 2 mean((x, 1)(x, 1)^T); SGD is stable when lr * its top
    # eigenvalue < 2, for every batch: the largest is that of one example
    top = max(np.linalg.eigvalsh(2 * np.outer([xi, 1.0], [xi, 1.0]))[-1] for xi in x[:, 0])
    assert B.LR_RANGE[1] * top < 2
    for batch_size in B.BATCH_SIZES:
        for lr in np.geomspace(*B.LR_RANGE, 5):
            path, loss = B.weight_path(B.train_line(batch_size, float(lr)))
            assert np.all(np.isfinite(path))
            assert np.all((path[:, 0] >= B.W_RANGE[0]) & (path[:, 0] <= B.W_RANGE[1]))
            assert np.all((path[:, 1] >= B.B_RANGE[0]) & (path[:, 1] <= B.B_RANGE[1]))
            assert loss[-1] < loss[0]


def test_batch_gradients_average_to_the_full_gradient():
    x, y = B.line_data()
    for batch_size in (1, 2, 8, 32, 64):
        run = B.train_line(batch_size, 0.05)
        updates = math.ceil(B.N_LINE / batch_size)
        for epoch in (0, 7, B.LINE_EPOCHS):
            grads = B.batch_gradients(run, epoch, batch_size)
            p = path_of(run)[epoch * updates]
            assert grads.shape == (updates, 2)
            # equal-sized batches that partition the data average to the full gradient
            np.testing.assert_allclose(grads.mean(axis=0), mse_gradient(p, x, y), atol=1e-12)
            for g, idx in zip(grads, batches(run, epoch, batch_size)):
                np.testing.assert_allclose(g, mse_gradient(p, x[idx], y[idx]), atol=1e-12)


def test_gradient_noise_shrinks_as_the_batch_grows():
    """At one point, the spread of batch gradients around the full gradient follows
    sampling without replacement: E|g_B - g|^2 = s^2 (N - b) / (b (N - 1)), where s^2 is
    the mean squared deviation of single-example gradients."""
    x, y = B.line_data()
    n = B.N_LINE
    p = np.array(B.START)
    full = mse_gradient(p, x, y)
    singles = np.array([mse_gradient(p, x[i:i + 1], y[i:i + 1]) for i in range(n)])
    s2 = np.mean(np.sum((singles - full) ** 2, axis=1))
    spreads = []
    for batch_size in B.BATCH_SIZES:
        run = B.train_line(batch_size, 0.05)
        # the scene's batches (all its epochs' shuffles), each gradient taken at START
        dev = [np.sum((mse_gradient(p, x[idx], y[idx]) - full) ** 2)
               for epoch in range(B.LINE_EPOCHS + 1) for idx in batches(run, epoch, batch_size)]
        spreads.append(np.mean(dev))
        theory = s2 * (n - batch_size) / (batch_size * (n - 1))
        assert spreads[-1] == pytest.approx(theory, rel=0.35, abs=1e-12)
    assert all(a > b for a, b in itertools.pairwise(spreads))
    assert spreads[-1] == pytest.approx(0.0, abs=1e-20)


def test_bad_runs_are_refused():
    with pytest.raises(ValueError, match="batch_size"):
        B.train_line(0, 0.1)
    with pytest.raises(ValueError, match="batch_size"):
        B.updates_per_epoch(2.5)
    with pytest.raises(ValueError, match="lr"):
        B.train_line(8, 0.5)
    with pytest.raises(ValueError, match="lr"):
        B.train_line(8, -0.1)


# --------------------------------------------------------------------------------------
# what the scene draws
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch_scene():
    return BatchSizeScene()


@pytest.mark.parametrize("batch_size, lr, step", [(8, 0.1, 20), (1, 0.02, 3), (64, 0.15, 11), (2, 0.005, 0)])
def test_drawn_path_loss_and_gradients_match_the_run(batch_scene, batch_size, lr, step):
    scene = batch_scene.set(batch_size=batch_size, lr=lr, step=step)
    x, y = B.line_data()
    run = B.train_line(batch_size, lr)
    path = path_of(run)
    last = step * -(-B.N_LINE // batch_size)
    w, b = scene.path.get_data()
    np.testing.assert_array_equal(w, path[:last + 1, 0])
    np.testing.assert_array_equal(b, path[:last + 1, 1])
    np.testing.assert_array_equal(np.ravel(scene.point.get_data()), path[last])
    epochs, loss = scene.loss_curve.get_data()
    assert epochs[-1] == step and len(epochs) == last + 1
    np.testing.assert_allclose(loss, [mse(p, x, y) for p in path[:last + 1]], rtol=1e-10)
    # the full gradient is drawn from the origin to g, the batch gradients as points
    full = mse_gradient(path[last], x, y)
    np.testing.assert_allclose(np.ravel(scene.full_tip.get_data()), full, atol=1e-12)
    inside = np.column_stack(scene.grads.get_data())
    pinned = np.column_stack(scene.grads_out.get_data())
    drawn = np.concatenate([inside.reshape(-1, 2), pinned.reshape(-1, 2)])
    expected = np.array([mse_gradient(path[last], x[i], y[i]) for i in batches(run, step, batch_size)])
    expected = np.clip(expected, -B.GRAD_RANGE, B.GRAD_RANGE)
    assert len(drawn) == len(expected)
    np.testing.assert_allclose(np.sort(drawn, axis=0), np.sort(expected, axis=0), atol=1e-12)


@pytest.mark.parametrize("batch_size", B.BATCH_SIZES)
def test_texts_name_the_updates_per_epoch(batch_scene, batch_size):
    scene = batch_scene.set(batch_size=batch_size, lr=0.1, step=B.LINE_EPOCHS)
    updates = math.ceil(64 / batch_size)
    title = scene.loss_title.get_text()
    assert f"{updates} update" in title and f"ceil(64 / {batch_size})" in title
    assert f"{updates * B.LINE_EPOCHS} updates in {B.LINE_EPOCHS} epochs" in scene.header.get_text()


def test_drawn_spread_text_falls_with_the_batch(batch_scene):
    spreads = []
    for batch_size in (1, 8, 64):
        text = batch_scene.set(batch_size=batch_size, lr=0.1, step=0).grad_text.get_text()
        spreads.append(float(text.split(":")[-1]))
    assert spreads[0] > spreads[1] > spreads[2] == 0.0


def test_batch_scene_rejects_bad_values():
    with pytest.raises(ValueError, match="batch_size"):
        BatchSizeScene(batch_size=3)
    with pytest.raises(ValueError, match="lr"):
        BatchSizeScene(lr=1.0)
    with pytest.raises(ValueError, match="step"):
        BatchSizeScene(step=B.LINE_EPOCHS + 1)
    with pytest.raises(ValueError, match="step"):
        BatchSizeScene(step=1.5)
    with pytest.raises(KeyError, match="epochs"):
        BatchSizeScene(epochs=3)


def test_batch_size_labels_and_gif_registration():
    labels = dict(B.BATCH_CHOICES)
    assert labels["1 (stochastic)"] == 1 and labels["64 (full batch)"] == 64
    assert sorted(labels.values()) == [1, 2, 4, 8, 16, 32, 64]
    assert chapters.load_gif_scene("batch_size") is BatchSizeScene
    assert "batch_size:BatchSizeScene" in chapters.chapter("07_optimizers").scenes


def test_storyboard_plays_full_mini_and_stochastic_batches():
    frames = list(BatchSizeScene().storyboard())
    sizes = [changes["batch_size"] for changes, _ in frames]
    assert [b for i, b in enumerate(sizes) if i == 0 or b != sizes[i - 1]] == [64, 8, 1]
    for batch in (64, 8, 1):
        steps = [c["step"] for c, _ in frames if c["batch_size"] == batch]
        assert steps[0] == 0 and steps[-1] == B.LINE_EPOCHS and steps == sorted(steps)
    assert all(duration > 0 for _, duration in frames)


@pytest.mark.parametrize("k", [0, 1, 7, B.LINE_EPOCHS])
def test_the_epoch_slider_and_the_picture_agree(k):
    """The slider counts epochs and is labelled "epoch"; the header says as many epochs,
    and the updates they took, and the loss curve's dot sits at that epoch."""
    from course_utils.widgets import interactive

    ui = interactive(BatchSizeScene(batch_size=8, lr=0.1, step=3))
    slider = ui.controls["step"]
    assert slider.description == "epoch" and (slider.min, slider.max) == (0, B.LINE_EPOCHS)
    slider.value = k
    epochs = f"{slider.value} epoch{'' if k == 1 else 's'}"
    assert f": {8 * slider.value} updates in {epochs}, loss" in ui.scene.header.get_text()
    assert ui.scene.loss_dot.get_xdata()[0] == slider.value
    assert ui.scene.ax_loss.get_xlabel() == "epoch"


def test_the_batch_legend_is_legible_on_white():
    """Its words are small: the palette's orange (2.2:1 on white) is too light for them."""
    from test_widgets import contrast_with_white

    scene = BatchSizeScene(batch_size=8)
    assert scene.batch_legend.get_text().strip() == "\u25cf each batch of 8"
    assert contrast_with_white(scene.batch_legend.get_color()) >= 4.5
