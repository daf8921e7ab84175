"""The epochs scene: underfitting, a good fit and overfitting over the epochs.

Every number the scene draws is checked against a computation written here from the
formulas (a tanh network's forward pass from the recorded weights, binary
cross-entropy, accuracy), not against the code under test.
"""

import numpy as np
import pytest

from course_utils import runs
from course_utils.scenes import epochs as E
from course_utils.scenes.epochs import EpochsScene

# --------------------------------------------------------------------------------------
# helpers written from the formulas
# --------------------------------------------------------------------------------------


def layer_weights(snapshot):
    """The (W, b) pairs of a recorded ``state_dict`` of Linear, Tanh, ..., Linear,
    in layer order (keys ``"<index>.weight"``, ``"<index>.bias"``)."""
    indices = sorted({int(key.split(".")[0]) for key in snapshot})
    assert set(snapshot) == {f"{i}.{p}" for i in indices for p in ("weight", "bias")}
    return [(snapshot[f"{i}.weight"], snapshot[f"{i}.bias"]) for i in indices]


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


def labels(run, name):
    """The 0/1 labels of the run's data ``name`` ("y" or "y_val"), shape (n,)."""
    y = run.data[name]
    assert y.shape[1:] == (1,) and y.dtype == float
    return y[:, 0]


# --------------------------------------------------------------------------------------
# the runs
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_run():
    return E.train_epochs("circle", 32)


def test_data_sets_are_separate_and_sized(default_run):
    run = default_run
    x, x_val = run.data["x"], run.data["x_val"]
    assert x.shape == (E.N_TRAIN, 2) and x_val.shape == (E.N_VAL, 2)
    assert run.data["y"].shape == (E.N_TRAIN, 1) and run.data["y_val"].shape == (E.N_VAL, 1)
    assert set(np.unique(run.data["y"])) == {0.0, 1.0}
    assert E.N_VAL > E.N_TRAIN
    distances = np.linalg.norm(x[:, None, :] - x_val[None, :, :], axis=2)
    assert distances.min() > 0  # no validation point is a training point
    for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
        assert run.curves[name].shape == (E.EPOCHS + 1,), name
    assert len(run.snapshots) == E.SNAPSHOTS + 1
    assert run.moments == E.EPOCH_AT and run.unit == "epoch"


def test_snapshots_are_spaced_quadratically():
    assert E.EPOCH_AT[0] == 0 and E.EPOCH_AT[-1] == E.EPOCHS and len(E.EPOCH_AT) == E.SNAPSHOTS + 1
    expected = [round(E.EPOCHS * (k / E.SNAPSHOTS) ** 2) for k in range(E.SNAPSHOTS + 1)]
    assert list(E.EPOCH_AT) == expected


def test_recorded_losses_are_the_snapshots_cross_entropy(default_run):
    run = default_run
    x, y, x_val, y_val = run.data["x"], labels(run, "y"), run.data["x_val"], labels(run, "y_val")
    for k in (0, 5, 17, E.SNAPSHOTS):
        epoch = E.EPOCH_AT[k]
        weights = layer_weights(run.snapshots[k])
        assert [w.shape for w, _ in weights] == [(32, 2), (32, 32), (1, 32)]
        assert bce(mlp_logit(weights, x), y) == pytest.approx(run.curves["train_loss"][epoch], rel=1e-9)
        assert bce(mlp_logit(weights, x_val), y_val) == pytest.approx(run.curves["val_loss"][epoch], rel=1e-9)
        assert run.curve_at("val_loss", k) == run.curves["val_loss"][epoch]
    assert run.curves["train_loss"][0] == pytest.approx(bce(mlp_logit(layer_weights(run.snapshots[0]), x), y))


def test_probability_is_the_snapshots_sigmoid(default_run):
    run = default_run
    points = np.random.default_rng(0).uniform(-E.PLANE, E.PLANE, size=(50, 2))
    for k in (0, 9, E.SNAPSHOTS):
        expected = probability(mlp_logit(layer_weights(run.snapshots[k]), points))
        np.testing.assert_allclose(E.probability(run, k, points), expected, atol=1e-12)


def test_default_run_underfits_then_fits_then_overfits(default_run):
    train_loss, val_loss = default_run.curves["train_loss"], default_run.curves["val_loss"]
    best = int(np.argmin(val_loss))
    assert E.best_epoch(default_run) == best
    low = val_loss[best]
    assert 0 < best < E.EPOCHS // 2  # the minimum is strictly inside the run
    assert val_loss[0] > low + 0.1
    assert val_loss[-1] > 2.0 * low  # clearly above its minimum at the end
    assert np.all(np.diff(train_loss[best:]) < 0)  # ... while the training loss keeps falling
    assert train_loss[-1] < 0.05 * train_loss[best]


def test_phase_rule_on_made_up_curves():
    """The rule, checked on hand-made curves: v falls from 1.0 to 0.2 at epoch 4, then rises."""
    val = np.array([1.0, 0.8, 0.5, 0.27, 0.2, 0.25, 0.4, 0.7])
    run = runs.Run(model=None, unit="epoch", moments=(), snapshots=(),
                   curves={"train_loss": np.linspace(1, 0, 8), "val_loss": val}, data={})
    assert E.best_epoch(run) == 4
    # near = 0.2 + 0.1 * (1.0 - 0.2) = 0.28
    assert [E.phase(run, e) for e in range(8)] == ["under", "under", "under", "good", "good", "good",
                                                   "over", "over"]


def test_phase_label_on_the_scene():
    scene = EpochsScene(step=0)
    assert scene.phase_text.get_text().startswith(f"snapshot 0 of {E.SNAPSHOTS}, epoch 0: underfitting")
    scene.set(step=E.SNAPSHOTS)
    assert scene.phase_text.get_text().startswith(
        f"snapshot {E.SNAPSHOTS} of {E.SNAPSHOTS}, epoch {E.EPOCHS}: overfitting")
    run = E.train_epochs("circle", 32)
    nearest = int(np.argmin(np.abs(np.array(E.EPOCH_AT) - E.best_epoch(run))))
    scene.set(step=nearest)
    assert "good fit" in scene.phase_text.get_text()


@pytest.mark.parametrize("dataset", ["moons", "circle", "xor"])
@pytest.mark.parametrize("width", [8, 32])
def test_every_setting_goes_through_all_three_phases(dataset, width):
    run = E.train_epochs(dataset, width)
    phases = [E.phase(run, e) for e in E.EPOCH_AT]
    first = [p for i, p in enumerate(phases) if i == 0 or p != phases[i - 1]]
    assert first == ["under", "good", "over"]


def test_runs_are_cached():
    assert E.train_epochs("moons", 8) is E.train_epochs("moons", 8)


# --------------------------------------------------------------------------------------
# what the scene draws
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset, width, step", [("circle", 32, 40), ("moons", 8, 3), ("xor", 32, 12)])
def test_drawn_curves_region_and_accuracy_match(dataset, width, step):
    scene = EpochsScene(dataset=dataset, width=width, step=step)
    run = E.train_epochs(dataset, width)
    epoch = E.EPOCH_AT[step]
    xs, ys = scene.val_curve.get_data()
    np.testing.assert_array_equal(xs, np.arange(epoch + 1))
    np.testing.assert_array_equal(ys, run.curves["val_loss"][:epoch + 1])
    np.testing.assert_array_equal(scene.train_curve.get_data()[1], run.curves["train_loss"][:epoch + 1])
    assert list(scene.best_line.get_xdata()) == [int(np.argmin(run.curves["val_loss"]))] * 2
    # the region is P(class 1) over a grid of the plane, row 0 at the bottom
    weights = layer_weights(run.snapshots[step])
    g = np.linspace(-E.PLANE, E.PLANE, E.REGION_RES)
    g1, g2 = np.meshgrid(g, g)
    logit = mlp_logit(weights, np.column_stack([g1.ravel(), g2.ravel()]))
    np.testing.assert_allclose(scene.region.get_array(), probability(logit).reshape(g1.shape), atol=1e-12)
    acc_train = np.mean((mlp_logit(weights, run.data["x"]) > 0) == (labels(run, "y") == 1))
    acc_val = np.mean((mlp_logit(weights, run.data["x_val"]) > 0) == (labels(run, "y_val") == 1))
    assert scene.accuracy_text.get_text() == (f"training {100 * acc_train:.0f}%\n"
                                              f"validation {100 * acc_val:.0f}%")
    # the points drawn are the run's data
    np.testing.assert_array_equal(scene.train_points.get_offsets(), run.data["x"])
    np.testing.assert_array_equal(scene.val_points.get_offsets(), run.data["x_val"])


def test_epochs_scene_rejects_bad_values():
    with pytest.raises(ValueError, match="dataset"):
        EpochsScene(dataset="spiral")
    with pytest.raises(ValueError, match="width"):
        EpochsScene(width=16)
    with pytest.raises(ValueError, match="step"):
        EpochsScene(step=E.SNAPSHOTS + 1)
    with pytest.raises(ValueError, match="dataset"):
        E.train_epochs("spiral", 8)
    with pytest.raises(ValueError, match="width"):
        E.train_epochs("circle", 5)


# --------------------------------------------------------------------------------------
# the GIF
# --------------------------------------------------------------------------------------


def test_gif_storyboard_walks_every_snapshot_of_the_default_setting():
    assert EpochsScene.gif_name == "epochs"
    board = list(EpochsScene().storyboard())
    assert [changes["step"] for changes, _ in board] == list(range(E.SNAPSHOTS + 1))
    defaults = {p.name: p.default for p in EpochsScene.params}
    assert all(changes["dataset"] == defaults["dataset"] and changes["width"] == defaults["width"]
               for changes, _ in board)
    run = E.train_epochs(defaults["dataset"], defaults["width"])
    best = E.best_snapshot(run)
    assert best == int(np.argmin(np.abs(np.array(E.EPOCH_AT) - int(np.argmin(run.curves["val_loss"])))))
    long = [k for k, (_, duration) in enumerate(board) if duration >= 1000]
    assert long == [0, best, E.SNAPSHOTS]  # it pauses at the start, the best fit and the end
    # the three acts all appear, in order
    phases = [E.phase(run, E.EPOCH_AT[c["step"]]) for c, _ in board]
    assert phases[0] == "under" and phases[best] == "good" and phases[-1] == "over"
