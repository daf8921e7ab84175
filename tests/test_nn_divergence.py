"""fit never passes bad input or a blown-up run silently (issue 10): data with NaN or inf
is named before training, a run that blows up without NaN is stopped, and the model keeps
its last good weights."""

import re

import numpy as np
import pytest

from course_utils import data, nn
from course_utils.nn import optim
from course_utils.nn.regularization import EarlyStopping
from course_utils.nn.training import LOSS_GROWTH_LIMIT, WEIGHT_LIMIT, TrainingDiverged, fit


def xor(n=200, seed=0):
    """Not separable by a line: a net at a huge learning rate is thrown about, not done."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    return x, (x[:, :1] * x[:, 1:] > 0).astype(float)


def mlp(seed=0, hidden=8, out=1):
    return nn.Sequential(nn.Linear(2, hidden, rng=seed), nn.Tanh(),
                         nn.Linear(hidden, out, rng=seed + 1))


class Snapshots:
    """A callback keeping a copy of the weights at the end of every epoch."""

    def __init__(self):
        self.weights = []

    def __call__(self, epoch, history, model):
        self.weights.append([p.data.copy() for p in model.parameters()])


def assert_weights(model, expected):
    for p, w in zip(model.parameters(), expected):
        np.testing.assert_array_equal(p.data, w)


# ---------------------------------------------------------------- blowing up

@pytest.mark.parametrize("make_optimizer, batch_size", [
    (lambda ps: optim.SGD(ps, lr=1e3), 200), (lambda ps: optim.SGD(ps, lr=1e3), 16),
    (lambda ps: optim.Adam(ps, lr=1e3), 200), (lambda ps: optim.Adam(ps, lr=1e3), 16),
])
def test_a_run_that_blows_up_without_nan_is_stopped_and_keeps_its_last_good_weights(
        make_optimizer, batch_size, capsys):
    x, y = xor()
    model = mlp()
    start = [p.data.copy() for p in model.parameters()]
    snapshots = Snapshots()
    history = fit(model, nn.BCEWithLogitsLoss(), make_optimizer(model.parameters()), x, y,
                  epochs=100, batch_size=batch_size, rng=0, callbacks=[snapshots])
    assert history.diverged and not history.stopped_early and history.epochs < 100
    assert re.fullmatch(
        r"Training stopped at the end of epoch (\d+): the loss blew up to [\d.e+]+ \(it was "
        r"0\.7011 before training(, [\d.e+-]+ at best)?\)\. The learning rate \(lr=1000\) is "
        r"probably too high; try a smaller one\. The model keeps (its weights from the end of "
        r"epoch \d+, the last finished one|the weights it had before training)\.",
        history.message), history.message
    assert history.message in capsys.readouterr().out
    stopped = int(re.search(r"epoch (\d+)", history.message).group(1))
    assert history.epochs == stopped - 1 == len(snapshots.weights)
    assert_weights(model, snapshots.weights[-1] if snapshots.weights else start)
    assert np.all(np.isfinite(history.train_loss))


def test_weights_beyond_any_sane_size_stop_training():
    class Explodes(optim.SGD):
        def step(self, closure=None):
            super().step()
            self.params[0].data *= 1e4  # the loss hardly notices (tanh saturates)

    x, y = xor(n=40)
    model = mlp()
    snapshots = Snapshots()
    history = fit(model, nn.BCEWithLogitsLoss(), Explodes(model.parameters(), lr=0.01), x, y,
                  epochs=10, batch_size=40, verbose=0, callbacks=[snapshots])
    assert history.diverged and history.epochs == 2  # 1e-1 * 1e4**3 passes 1e10
    assert re.fullmatch(r"Training stopped at the end of epoch 3: a weight blew up to "
                        r"-?[\d.]+e\+1\d\. The learning rate \(lr=0\.01\) is probably too "
                        r"high; try a smaller one\. The model keeps its weights from the end "
                        r"of epoch 2, the last finished one\.", history.message), history.message
    assert_weights(model, snapshots.weights[-1])
    assert max(np.abs(p.data).max() for p in model.parameters()) <= WEIGHT_LIMIT


def test_after_a_nan_the_model_has_finite_weights_and_the_message_says_whose():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]])
    model = nn.Linear(3, 1, rng=0)
    snapshots = Snapshots()
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=1000), x, y,
                  epochs=100, batch_size=10, rng=0, verbose=0, callbacks=[snapshots])
    assert history.diverged
    assert all(np.isfinite(p.data).all() for p in model.parameters())
    expected = snapshots.weights[-1] if snapshots.weights else None
    if expected is not None:
        assert_weights(model, expected)
        assert history.message.endswith(f"The model keeps its weights from the end of epoch "
                                        f"{history.epochs}, the last finished one.")
    else:
        assert history.message.endswith("The model keeps the weights it had before training.")


def test_the_raised_error_leaves_the_same_weights():
    x, y = xor()
    model = mlp()
    start = [p.data.copy() for p in model.parameters()]
    with pytest.raises(TrainingDiverged, match="blew up") as info:
        fit(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=1e3), x, y,
            epochs=50, batch_size=16, rng=0, verbose=0, on_divergence="raise")
    assert info.value.epoch == 1 and info.value.loss > LOSS_GROWTH_LIMIT * 0.7
    assert_weights(model, start)


# -------------------------------------------------------------- healthy runs train on

def test_the_course_runs_are_not_taken_for_blow_ups():
    """The notebooks' own fits (chapters 3 and 7) and an EarlyStopping run: none stops.
    (Every setting of every training scene was also run once: 1,033 runs, none stopped.)"""
    rng = np.random.default_rng(0)
    for make in (data.circle, data.moons, data.xor):
        x, label = make(200, noise=0.1, rng=rng)
        target = label[:, None].astype(float)
        for model in (mlp(seed=1, hidden=4), nn.Sequential(nn.Linear(2, 1, rng=2))):
            history = fit(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.02),
                          x, target, epochs=100, batch_size=50, rng=rng, verbose=0)
            assert not history.diverged and history.epochs == 100
        for batch_size in (200, 20, 1):
            model = mlp(seed=1)
            history = fit(model, nn.BCEWithLogitsLoss(), optim.SGD(model.parameters(), lr=0.1),
                          x, target, epochs=20, batch_size=batch_size, rng=3, verbose=0)
            assert not history.diverged and history.epochs == 20
    x, label = data.moons(120, noise=0.3, rng=1)
    model = mlp(seed=3, hidden=16, out=2)
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1,
                                                          momentum=0.9),
                  x[:80], label[:80], epochs=300, batch_size=8, rng=0, verbose=0,
                  validation_data=(x[80:], label[80:]), callbacks=[EarlyStopping(patience=20)])
    assert not history.diverged


# ------------------------------------------------------------------ data checked first

@pytest.mark.parametrize("where, value, message", [
    ("x", np.nan, "x has 1 NaN value (row 17)"),
    ("y", np.inf, "y has 1 inf value (row 17)"),
    ("x_val", -np.inf, "x_val has 1 inf value (row 17)"),
    ("y_val", np.nan, "y_val has 1 NaN value (row 17)"),
])
def test_nan_or_inf_in_the_data_is_named_before_any_update(where, value, message):
    x, y = xor(n=40)
    arrays = {"x": x.copy(), "y": y.copy(), "x_val": x[:20].copy(), "y_val": y[:20].copy()}
    arrays[where][17, 0] = value
    model = mlp()
    start = [p.data.copy() for p in model.parameters()]
    with pytest.raises(ValueError) as info:
        fit(model, nn.BCEWithLogitsLoss(), optim.SGD(model.parameters(), lr=0.1),
            arrays["x"], arrays["y"], validation_data=(arrays["x_val"], arrays["y_val"]),
            verbose=0)
    assert str(info.value).startswith(message + ": training needs finite numbers")
    assert "learning rate" not in str(info.value)
    assert_weights(model, start)


def test_several_bad_values_are_counted_and_their_rows_listed():
    x, y = xor(n=40)
    x[[3, 3, 8, 9, 11, 30, 31], [0, 1, 0, 1, 0, 0, 1]] = [np.nan, np.inf, np.nan, np.nan,
                                                          -np.inf, np.nan, np.nan]
    with pytest.raises(ValueError, match=re.escape(
            "x has 5 NaN values and 2 inf values (rows 3, 8, 9, 11, 30, ...)")):
        fit(mlp(), nn.BCEWithLogitsLoss(), optim.SGD(mlp().parameters()), x, y, verbose=0)


def test_a_nan_weight_before_training_is_named():
    model = mlp()
    model[2].bias.data[0] = np.nan
    with pytest.raises(ValueError, match=r"parameter 3 \(shape \(1,\)\) holds NaN or inf "
                                         r"before training"):
        fit(model, nn.BCEWithLogitsLoss(), optim.SGD(model.parameters()), *xor(n=20), verbose=0)


@pytest.mark.parametrize("x, y, name", [
    (np.float64(1.0), np.float64(1.0), "x"), (np.ones((3, 2)), 1.0, "y"),
])
def test_a_single_number_is_not_a_data_set(x, y, name):
    model = nn.Linear(2, 1)
    with pytest.raises(ValueError, match=rf"^{name} must be an array with one example per "
                                         r"row; got a single value 1\.0$"):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters()), x, y)


def test_validation_data_must_be_a_pair():
    model = nn.Linear(2, 1)
    for bad in (np.ones((3, 2)), 5, (np.ones((3, 2)),)):
        with pytest.raises(ValueError, match=r"validation_data must be a pair"):
            fit(model, nn.MSELoss(), optim.SGD(model.parameters()), np.ones((3, 2)),
                np.ones((3, 1)), validation_data=bad)


# ------------------------------------------------------------- no dL/dx for the data

def test_fit_asks_the_model_not_to_compute_the_gradient_of_the_data():
    asked = []

    class Watched(nn.Linear):
        def backward(self, grad_output, input_grad=True):
            asked.append(input_grad)
            return super().backward(grad_output, input_grad)

    x, y = xor(n=20)
    model = nn.Sequential(Watched(2, 4, rng=0), nn.Tanh(), nn.Linear(4, 1, rng=1))
    twin = nn.Sequential(nn.Linear(2, 4, rng=0), nn.Tanh(), nn.Linear(4, 1, rng=1))
    for m in (model, twin):
        fit(m, nn.BCEWithLogitsLoss(), optim.SGD(m.parameters(), lr=0.5), x, y, epochs=3,
            batch_size=5, rng=0, verbose=0)
    assert asked == [False] * 12
    for a, b in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
