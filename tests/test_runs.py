"""The training-run layer (course_utils.runs): record once, replay any moment.

The references are independent of the code under test: a twin of each model (built
from the same seeds) is trained with plain ``fit``, and its own callback captures the
live weights and outputs after every epoch; the two-model run is captured inside the
hand-written loop itself; the cache is compared with a small LRU model written here.
"""

import math
from collections import OrderedDict

import numpy as np
import pytest

from course_utils import models, nn, runs
from course_utils.nn import optim
from course_utils.nn.training import fit

try:
    from gradcheck import check_module
except ImportError:  # tests/ imported as a package
    from tests.gradcheck import check_module


# ----------------------------------------------------------------------------- helpers


def states_equal(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def module_outputs_by_hand(model, x):
    """Every module's output of a Sequential (nested ones opened up), computed here."""
    outs = []
    for module in model:
        if isinstance(module, nn.Sequential):
            inner = module_outputs_by_hand(module, x)
            outs += inner
            x = inner[-1]
        else:
            x = module(x)
            outs.append(np.array(x, copy=True))
    return outs


class Capture:
    """A ``fit`` callback keeping, at moment 0 (``on_train_begin``) and after every
    epoch, the live model's ``state_dict()``, its output for ``probe`` and (for a
    Sequential) every module's output for ``probe``."""

    def __init__(self, probe, layers=False):
        self.probe, self.layers = probe, layers
        self.states, self.outputs, self.layer_outs = {}, {}, {}

    def keep(self, moment, model):
        self.states[moment] = model.state_dict()
        self.outputs[moment] = np.array(model(self.probe), copy=True)
        if self.layers:
            self.layer_outs[moment] = module_outputs_by_hand(model, self.probe)

    def on_train_begin(self, model):
        self.keep(0, model)

    def __call__(self, epoch, history, model):
        self.keep(epoch, model)


def record_and_twin(make_model, make_loss, make_optimizer, x, y, at, probe, layers=False, **options):
    """Record ``make_model()`` with ``runs.record``; train an identical twin with plain
    ``fit`` and a :class:`Capture` callback. Returns ``(run, capture)``."""
    model = make_model()
    run = runs.record(model, make_loss(), make_optimizer(model), x, y, at=at, **options)
    twin = make_model()
    capture = Capture(probe, layers)
    batch_size = options.pop("batch_size", None) or len(x)  # record's defaults: full batch,
    shuffle = options.pop("shuffle", False)                   # in the data's order
    options.pop("validation_data", None)  # measuring does not change the training
    fit(twin, make_loss(), make_optimizer(twin), x, y, batch_size=batch_size, shuffle=shuffle,
        verbose=0, callbacks=[capture], **options)
    return run, capture


def bce_by_hand(logit, y):
    return float(np.mean(np.logaddexp(0.0, logit) - y * logit))


def cross_entropy_by_hand(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(labels)), labels]))


# ----------------------------------------------------------------------------- schedule


@pytest.mark.parametrize("last, count, power", [(500, 20, 2.0), (800, 40, 2.0), (300, 30, 1.0),
                                                (7, 10, 2.0), (1, 1, 3.0), (100, 3, 0.5)])
def test_schedule_runs_from_zero_to_last_and_never_decreases(last, count, power):
    moments = runs.schedule(last, count, power)
    assert isinstance(moments, tuple) and len(moments) == count + 1
    assert all(type(m) is int for m in moments)
    assert moments[0] == 0 and moments[-1] == last
    assert all(a <= b for a, b in zip(moments, moments[1:]))
    assert moments == tuple(round(last * (k / count) ** power) for k in range(count + 1))


def test_schedule_power_one_is_evenly_spaced_and_two_crowds_the_start():
    assert runs.schedule(300, 30, power=1) == tuple(range(0, 301, 10))
    assert runs.schedule(100, 4, power=1) == (0, 25, 50, 75, 100)
    quadratic = runs.schedule(400, 20)
    gaps = np.diff(quadratic)
    assert gaps[0] < gaps[-1] and np.all(np.diff(gaps) >= 0)
    assert quadratic[10] == 100  # (1/2)^2 of the way
    assert runs.schedule(400, 20) == runs.schedule(400, 20, 2.0)


@pytest.mark.parametrize("args", [(0, 5), (10, 0), (-3, 2), (10.0, 5), (10, 2.5), (True, 5), (10, True),
                                  ("10", 5), (10, 5, 0.0), (10, 5, -1.0), (10, 5, float("nan"))])
def test_schedule_rejects_bad_arguments(args):
    with pytest.raises(ValueError):
        runs.schedule(*args)


# ----------------------------------------------------------------------------- record: an MLP


def mlp_data(seed=0, n=24):
    gen = np.random.default_rng(seed)
    x = gen.normal(size=(n, 2))
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)  # XOR-like labels, shape (n, 1)
    return x, y


@pytest.fixture(scope="module")
def mlp_run():
    x, y = mlp_data()
    x_val, y_val = mlp_data(seed=1, n=40)
    probe = np.random.default_rng(2).uniform(-2, 2, size=(9, 2))
    run, capture = record_and_twin(
        lambda: models.mlp([2, 6, 6, 1], "tanh", rng=0), nn.BCEWithLogitsLoss,
        lambda m: optim.Adam(m.parameters(), lr=0.05), x, y, at=runs.schedule(30, 6), probe=probe,
        epochs=30, validation_data=(x_val, y_val))
    return run, capture, probe


def test_record_keeps_the_weights_the_live_model_had(mlp_run):
    run, capture, probe = mlp_run
    assert run.moments == runs.schedule(30, 6) == (0, 1, 3, 8, 13, 21, 30)
    assert len(run.snapshots) == len(run.moments) and run.unit == "epoch"
    assert sorted(capture.states) == list(range(31))
    for k, moment in enumerate(run.moments):
        assert states_equal(run.snapshots[k], capture.states[moment]), moment
        np.testing.assert_array_equal(run.at(k)(probe), capture.outputs[moment])
    # and they are not all the same: the model did learn
    assert not states_equal(run.snapshots[0], run.snapshots[-1])
    assert not np.allclose(run.at(1)(probe), run.at(0)(probe))


def test_replay_in_any_order_and_the_last_with_minus_one(mlp_run):
    run, capture, probe = mlp_run
    for k in (5, 0, 5, 2, -1, 6, -7, 3):
        model = run.at(k)
        assert model is run.model and model.training is False
        np.testing.assert_array_equal(model(probe), capture.outputs[run.moments[k]])


def test_snapshots_are_copies_not_views_of_the_model(mlp_run):
    run, capture, probe = mlp_run
    kept = {key: value.copy() for key, value in run.snapshots[2].items()}
    model = run.at(2)
    for p in model.parameters():
        p.data += 1.0  # scribble on the live model ...
    assert states_equal(run.snapshots[2], kept)  # ... the record is untouched
    run.at(3)
    np.testing.assert_array_equal(run.at(2)(probe), capture.outputs[run.moments[2]])


def test_record_curves_have_one_value_per_epoch_from_the_untrained_model(mlp_run):
    run, capture, probe = mlp_run
    x, y = run.data["x"], run.data["y"]
    assert set(run.curves) == {"train_loss", "train_accuracy", "val_loss", "val_accuracy"}
    for name, curve in run.curves.items():
        assert curve.shape == (31,), name
        assert not curve.flags.writeable
    # the loss after epoch e is the loss of the weights the live model had then, on all the data
    twin = models.mlp([2, 6, 6, 1], "tanh", rng=0)
    for epoch in (0, 1, 2, 17, 30):
        twin.load_state_dict(capture.states[epoch])
        logit = twin(x)[:, 0]
        assert run.curves["train_loss"][epoch] == pytest.approx(bce_by_hand(logit, y[:, 0]), rel=1e-12)
        assert run.curves["train_accuracy"][epoch] == np.mean((logit > 0) == (y[:, 0] == 1))
        val_logit = twin(run.data["x_val"])[:, 0]
        assert run.curves["val_loss"][epoch] == pytest.approx(bce_by_hand(val_logit, run.data["y_val"][:, 0]),
                                                              rel=1e-12)
    # index 0 is the untrained model: the fresh network's loss
    fresh = models.mlp([2, 6, 6, 1], "tanh", rng=0)
    assert run.curves["train_loss"][0] == pytest.approx(bce_by_hand(fresh(x)[:, 0], y[:, 0]), rel=1e-12)
    assert run.curves["train_loss"][-1] < run.curves["train_loss"][0]
    for k, moment in enumerate(run.moments):
        assert run.curve_at("train_loss", k) == run.curves["train_loss"][moment]


def test_record_keeps_the_data_read_only(mlp_run):
    run, _, _ = mlp_run
    x, y = mlp_data()
    np.testing.assert_array_equal(run.data["x"], x)
    np.testing.assert_array_equal(run.data["y"], y)
    assert set(run.data) == {"x", "y", "x_val", "y_val"}
    for value in run.data.values():
        assert not value.flags.writeable
    assert run.orders is None and run.message == ""  # not shuffled, not stopped early


def test_a_loss_without_accuracy_records_no_accuracy_curve():
    x = np.linspace(-1, 1, 10)[:, None]
    model = nn.Linear(1, 1, rng=0)
    run = runs.record(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), x, 3 * x,
                      epochs=4, at=(0, 4))
    assert set(run.curves) == {"train_loss"} and run.curves["train_loss"].shape == (5,)
    assert run.data.keys() == {"x", "y"}


def test_moments_never_reached_are_left_out_and_repeats_kept():
    x = np.linspace(-1, 1, 8)[:, None]
    model = nn.Linear(1, 1, rng=0)
    run = runs.record(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), x, 2 * x,
                      epochs=3, at=(0, 2, 5, 100))
    assert run.moments == (0, 2) and len(run.snapshots) == 2
    model = nn.Linear(1, 1, rng=0)
    repeats = runs.schedule(3, 6)  # (0, 0, 0, 1, 1, 2, 3): moments repeat near the start
    assert len(set(repeats)) < len(repeats)
    run = runs.record(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), x, 2 * x,
                      epochs=3, at=repeats)
    assert run.moments == repeats and len(run.snapshots) == len(repeats)
    assert states_equal(run.snapshots[0], run.snapshots[2])
    assert not states_equal(run.snapshots[0], run.snapshots[3])


def test_record_passes_callbacks_on_to_fit():
    """``record``'s other options go to ``fit``: a callback among them (early stopping,
    say) is called, and a stop it asks for ends the run with its message."""
    x = np.linspace(-1, 1, 8)[:, None]
    model = nn.Linear(1, 1, rng=0)
    seen = []

    def stop_at_three(epoch, history, model):
        seen.append(epoch)
        return epoch == 3

    stop_at_three.message = "stopped at epoch 3"
    run = runs.record(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), x, 2 * x,
                      epochs=10, at=(0, 2, 3, 5, 10), callbacks=[stop_at_three])
    assert seen == [1, 2, 3]
    assert run.message == "stopped at epoch 3"
    assert run.moments == (0, 2, 3) and run.curves["train_loss"].shape == (4,)


def test_record_lets_early_stopping_watch_the_validation_loss():
    """EarlyStopping reads ``history.val_loss``: ``record`` has ``fit`` measure it when a
    callback is given, and the stop matches the recorded validation curve."""
    from course_utils.nn.regularization import EarlyStopping

    gen = np.random.default_rng(0)
    x, x_val = gen.normal(size=(12, 1)), gen.normal(size=(50, 1))
    y, y_val = x + gen.normal(size=x.shape), x_val + gen.normal(size=x_val.shape)
    model = models.mlp([1, 16, 1], "tanh", rng=1)
    stopper = EarlyStopping(patience=5)
    run = runs.record(model, nn.MSELoss(), optim.Adam(model.parameters(), lr=0.05), x, y,
                      epochs=400, at=(0,), validation_data=(x_val, y_val), callbacks=[stopper])
    val = run.curves["val_loss"]
    assert stopper.stopped_epoch == len(val) - 1 < 400
    assert stopper.best_epoch == int(np.argmin(val[1:])) + 1
    assert stopper.best_loss == pytest.approx(val.min(), rel=1e-12)


# ----------------------------------------------------------------------------- at() and orders


def test_curve_at_refuses_a_run_recorded_by_update():
    x = np.linspace(-1, 1, 8)[:, None]
    model = nn.Linear(1, 1, rng=0)
    run = runs.record(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), x, 2 * x,
                      epochs=3, at=(0, 5, 10), unit="update", batch_size=2)
    with pytest.raises(ValueError, match="needs a run recorded by epoch"):
        run.curve_at("train_loss", 1)


def test_at_rejects_a_snapshot_that_does_not_exist(mlp_run):
    run, _, _ = mlp_run
    n = len(run.snapshots)
    for bad in (n, n + 5, -n - 1):
        with pytest.raises(IndexError, match="snapshot"):
            run.at(bad)
    run.at(n - 1), run.at(-n)  # the ends are fine


def test_orders_are_the_shuffles_fit_drew():
    x, y = mlp_data(n=12)
    model = models.mlp([2, 3, 1], "tanh", rng=0)
    run = runs.record(model, nn.BCEWithLogitsLoss(), optim.SGD(model.parameters(), lr=0.1), x, y,
                      epochs=5, at=(0, 5), batch_size=5, shuffle=True, rng=7)
    assert run.orders.shape == (5, 12) and not run.orders.flags.writeable
    gen = np.random.default_rng(7)
    for order in run.orders:
        assert sorted(order.tolist()) == list(range(12))  # a permutation
        np.testing.assert_array_equal(order, gen.permutation(12))
    assert len({tuple(o) for o in run.orders}) == 5


def test_unshuffled_runs_have_no_orders():
    x, y = mlp_data(n=12)
    model = models.mlp([2, 3, 1], "tanh", rng=0)
    run = runs.record(model, nn.BCEWithLogitsLoss(), optim.SGD(model.parameters(), lr=0.1), x, y,
                      epochs=2, at=(0, 2), batch_size=5)
    assert run.orders is None


def test_update_unit_keeps_the_weights_after_every_chosen_update():
    x, y = mlp_data(n=10)
    model = models.mlp([2, 3, 1], "tanh", rng=0)
    at = (0, 1, 2, 5, 11, 12, 99)  # 3 epochs of ceil(10 / 4) = 3 updates: 9 in all
    run = runs.record(model, nn.BCEWithLogitsLoss(), optim.SGD(model.parameters(), lr=0.5), x, y,
                      epochs=3, at=at, unit="update", batch_size=4, shuffle=True, rng=0)
    assert run.unit == "update" and run.moments == (0, 1, 2, 5)
    # the same training by hand, the weights kept after every update
    twin = models.mlp([2, 3, 1], "tanh", rng=0)
    loss_fn, opt = nn.BCEWithLogitsLoss(), optim.SGD(twin.parameters(), lr=0.5)
    kept = [twin.state_dict()]
    gen = np.random.default_rng(0)
    for _ in range(3):
        order = gen.permutation(10)
        for s in range(0, 10, 4):
            idx = order[s:s + 4]
            loss_fn(twin(x[idx]), y[idx])
            opt.zero_grad()
            twin.backward(loss_fn.backward())
            opt.step()
            kept.append(twin.state_dict())
    assert len(kept) == 10
    for k, moment in enumerate(run.moments):
        assert states_equal(run.snapshots[k], kept[moment])
    assert run.curves["train_loss"].shape == (4,)  # the curves stay per epoch


# ----------------------------------------------------------------------------- a CNN


def make_cnn():
    # 6x6 -> conv 3x3 -> 2 x 4x4 -> pool 2 -> 2 x 2x2 -> 8 -> 3 classes
    return nn.Sequential(nn.Conv2d(1, 2, 3, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(8, 3, rng=1))


@pytest.fixture(scope="module")
def cnn_run():
    gen = np.random.default_rng(3)
    x = gen.normal(size=(24, 1, 6, 6))
    y = gen.integers(0, 3, size=24)
    probe = gen.normal(size=(5, 1, 6, 6))
    run, capture = record_and_twin(make_cnn, nn.CrossEntropyLoss, lambda m: optim.Adam(m.parameters(), lr=0.05),
                                   x, y, at=(0, 1, 3, 6), probe=probe, layers=True, epochs=6, batch_size=8,
                                   shuffle=True, rng=0)
    return run, capture, probe


def test_cnn_replay_gives_the_outputs_the_live_model_had(cnn_run):
    run, capture, probe = cnn_run
    assert run.moments == (0, 1, 3, 6)
    for k in (2, 0, 3, 1):
        moment = run.moments[k]
        assert states_equal(run.snapshots[k], capture.states[moment])
        np.testing.assert_array_equal(run.at(k)(probe), capture.outputs[moment])
        replayed = runs.layer_outputs(run.at(k), probe)
        assert [o.shape for o in replayed] == [(5, 2, 4, 4), (5, 2, 4, 4), (5, 2, 2, 2), (5, 8), (5, 3)]
        assert len(replayed) == len(capture.layer_outs[moment]) == 5
        for got, live in zip(replayed, capture.layer_outs[moment]):
            np.testing.assert_array_equal(got, live)
    assert not np.allclose(capture.outputs[6], capture.outputs[0])


def test_cnn_curves_are_the_cross_entropy_and_accuracy_of_the_snapshots(cnn_run):
    run, capture, _ = cnn_run
    x, y = run.data["x"], run.data["y"]
    for k, moment in enumerate(run.moments):
        logits = run.at(k)(x)
        assert run.curve_at("train_loss", k) == pytest.approx(cross_entropy_by_hand(logits, y), rel=1e-12)
        assert run.curve_at("train_accuracy", k) == np.mean(logits.argmax(axis=1) == y)
    assert run.orders.shape == (6, 24)


# ----------------------------------------------------------------------------- an LSTM


class LastStep(nn.Module):
    """An LSTM over the sequence, then a Linear on its last hidden state: (N, L, 2) -> (N, 1)."""

    def __init__(self, seed=0):
        self.lstm = nn.LSTM(2, 5, batch_first=True, rng=seed)
        self.head = nn.Linear(5, 1, rng=seed + 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        self._out_shape = out.shape
        return self.head(out[:, -1, :])

    def backward(self, grad_output):
        grad_last = self.head.backward(grad_output)
        grad_out = np.zeros(self._out_shape)  # only the last step reached the loss
        grad_out[:, -1, :] = grad_last
        return self.lstm.backward(grad_out)


def test_the_lstm_models_backward_is_its_gradient():
    x = np.random.default_rng(4).normal(size=(3, 4, 2))
    check_module(LastStep(), x)


@pytest.fixture(scope="module")
def lstm_run():
    gen = np.random.default_rng(5)
    x = gen.normal(size=(16, 4, 2))
    y = x[:, :, :1].sum(axis=1) * 0.5  # a target the last state can learn, shape (16, 1)
    probe = gen.normal(size=(6, 4, 2))
    run, capture = record_and_twin(LastStep, nn.MSELoss, lambda m: optim.Adam(m.parameters(), lr=0.05),
                                   x, y, at=(0, 1, 3, 5), probe=probe, epochs=5, batch_size=4,
                                   shuffle=True, rng=1)
    return run, capture, probe


def test_lstm_replay_gives_the_outputs_the_live_model_had(lstm_run):
    run, capture, probe = lstm_run
    assert run.moments == (0, 1, 3, 5)
    assert set(run.snapshots[0]) == {"lstm.weight_ih", "lstm.weight_hh", "lstm.bias_ih", "lstm.bias_hh",
                                     "head.weight", "head.bias"}
    for k in (3, 1, 0, 2):
        moment = run.moments[k]
        assert states_equal(run.snapshots[k], capture.states[moment])
        np.testing.assert_array_equal(run.at(k)(probe), capture.outputs[moment])
        # a model that is not a Sequential gives one output, its own
        (only,) = runs.layer_outputs(run.at(k), probe)
        np.testing.assert_array_equal(only, capture.outputs[moment])
    assert run.curves["train_loss"][-1] < run.curves["train_loss"][0]  # it learned
    assert "train_accuracy" not in run.curves


def test_layer_outputs_passes_the_sequence_of_a_recurrent_layer_at_the_end_of_an_inner_sequential():
    """An encoder whose last layer is an LSTM, nested in a Sequential: its pair is listed,
    and its sequence of hidden states flows on to the next module, as at the top level."""
    lstm, flat, head = nn.LSTM(2, 3, batch_first=True, rng=0), nn.Flatten(), nn.Linear(12, 1, rng=1)
    x = np.random.default_rng(6).normal(size=(5, 4, 2))
    got = runs.layer_outputs(nn.Sequential(nn.Sequential(lstm), nn.Sequential(flat, head)), x)
    out, _ = lstm(x)
    assert len(got) == 3 and isinstance(got[0], tuple)
    np.testing.assert_array_equal(got[0][0], out)
    np.testing.assert_array_equal(got[1], out.reshape(5, 12))


def test_layer_outputs_lists_a_recurrent_layers_pair_and_passes_its_sequence_on():
    lstm, flat, head = nn.LSTM(2, 3, batch_first=True, rng=0), nn.Flatten(), nn.Linear(12, 1, rng=1)
    x = np.random.default_rng(6).normal(size=(5, 4, 2))
    got = runs.layer_outputs(nn.Sequential(lstm, flat, head), x)
    out, (h_n, c_n) = lstm(x)
    assert len(got) == 3 and isinstance(got[0], tuple)
    np.testing.assert_array_equal(got[0][0], out)
    np.testing.assert_array_equal(got[0][1][0], h_n)
    np.testing.assert_array_equal(got[0][1][1], c_n)
    np.testing.assert_array_equal(got[1], out.reshape(5, 12))
    np.testing.assert_array_equal(got[2], out.reshape(5, 12) @ head.weight.data.T + head.bias.data)


# ----------------------------------------------------------------------------- nested Sequentials


def test_layer_outputs_opens_an_encoder_and_a_decoder():
    encoder = nn.Sequential(nn.Linear(4, 3, rng=0), nn.Tanh(), nn.Linear(3, 2, rng=1))
    decoder = nn.Sequential(nn.Linear(2, 3, rng=2), nn.ReLU(), nn.Linear(3, 4, rng=3))
    autoencoder = nn.Sequential(encoder, decoder)
    x = np.random.default_rng(7).normal(size=(6, 4))
    got = runs.layer_outputs(autoencoder, x)
    # by hand, module after module
    (w1, b1), (w2, b2) = ((m.weight.data, m.bias.data) for m in encoder if isinstance(m, nn.Linear))
    (w3, b3), (w4, b4) = ((m.weight.data, m.bias.data) for m in decoder if isinstance(m, nn.Linear))
    z1 = x @ w1.T + b1
    a1 = np.tanh(z1)
    code = a1 @ w2.T + b2
    z3 = code @ w3.T + b3
    a3 = np.maximum(z3, 0)
    out = a3 @ w4.T + b4
    expected = [z1, a1, code, z3, a3, out]
    assert len(got) == 6
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(got[-1], autoencoder(x))
    # deeper nesting is opened up too, and an empty Sequential passes its input on
    deeper = nn.Sequential(nn.Sequential(encoder, nn.Sequential()), decoder)
    assert len(runs.layer_outputs(deeper, x)) == 6
    for g, e in zip(runs.layer_outputs(deeper, x), expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14)


def test_an_autoencoder_run_replays_every_inner_module():
    encoder = nn.Sequential(nn.Linear(4, 3, rng=0), nn.Tanh(), nn.Linear(3, 2, rng=1))
    decoder = nn.Sequential(nn.Linear(2, 3, rng=2), nn.Tanh(), nn.Linear(3, 4, rng=3))
    x = np.random.default_rng(8).normal(size=(20, 4))
    probe = x[:5]

    def make():
        return nn.Sequential(nn.Sequential(nn.Linear(4, 3, rng=0), nn.Tanh(), nn.Linear(3, 2, rng=1)),
                             nn.Sequential(nn.Linear(2, 3, rng=2), nn.Tanh(), nn.Linear(3, 4, rng=3)))

    assert states_equal(make().state_dict(), nn.Sequential(encoder, decoder).state_dict())
    run, capture = record_and_twin(make, nn.MSELoss, lambda m: optim.Adam(m.parameters(), lr=0.05), x, x,
                                   at=(0, 2, 4), probe=probe, layers=True, epochs=4)
    assert set(run.snapshots[0]) == {f"{i}.{j}.{p}" for i in (0, 1) for j in (0, 2) for p in ("weight", "bias")}
    for k, moment in enumerate(run.moments):
        replayed = runs.layer_outputs(run.at(k), probe)
        assert len(replayed) == 6
        for got, live in zip(replayed, capture.layer_outs[moment]):
            np.testing.assert_array_equal(got, live)


# ----------------------------------------------------------------------------- two models, one run


class Pair(nn.Module):
    """A generator of 2-D points from 1-D noise and a critic that scores points."""

    def __init__(self):
        self.generator = nn.Sequential(nn.Linear(1, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1))
        self.critic = nn.Sequential(nn.Linear(2, 4, rng=2), nn.Tanh(), nn.Linear(4, 1, rng=3))


def test_two_models_trained_in_turns_are_recorded_in_one_run_and_replayed():
    gen = np.random.default_rng(9)
    real = gen.normal(loc=(1.0, -1.0), scale=0.3, size=(32, 2))
    noise = gen.normal(size=(32, 1))
    z_probe, p_probe = gen.normal(size=(7, 1)), gen.normal(size=(7, 2))
    pair = Pair()
    bce = nn.BCEWithLogitsLoss()
    opt_c = optim.Adam(pair.critic.parameters(), lr=0.02)
    opt_g = optim.Adam(pair.generator.parameters(), lr=0.02)
    updates = 40
    at = runs.schedule(updates, 8)
    recorder = runs.Recorder(pair, at=at, unit="update")
    live = {}

    def keep(update):
        live[update] = (pair.state_dict(), np.array(pair.generator(z_probe), copy=True),
                        np.array(pair.critic(p_probe), copy=True))

    recorder.snapshot(0)
    keep(0)
    for update in range(1, updates + 1):
        fake = pair.generator(noise)
        if update % 2:  # the critic's turn: real points are 1, made ones 0
            both = np.concatenate([real, fake])
            labels = np.concatenate([np.ones((32, 1)), np.zeros((32, 1))])
            d_loss = bce(pair.critic(both), labels)
            opt_c.zero_grad()
            pair.critic.backward(bce.backward())
            opt_c.step()
            g_loss = None
        else:  # the generator's turn: fool the critic, through the critic's backward
            g_loss = bce(pair.critic(fake), np.ones((32, 1)))
            opt_g.zero_grad()
            opt_c.zero_grad()
            pair.generator.backward(pair.critic.backward(bce.backward()))
            opt_g.step()
            d_loss = None
        recorder.snapshot(update)
        recorder.log(d_loss=d_loss, g_loss=g_loss)
        keep(update)
    run = recorder.run(real=real, noise=noise)

    assert isinstance(run, runs.Run) and run.unit == "update" and run.model is pair
    assert run.moments == at and len(run.snapshots) == len(at)
    assert set(run.snapshots[0]) == {f"{m}.{i}.{p}" for m in ("generator", "critic") for i in (0, 2)
                                     for p in ("weight", "bias")}
    assert run.curves["d_loss"].shape == run.curves["g_loss"].shape == (updates // 2,)
    np.testing.assert_array_equal(run.data["real"], real)
    assert not run.data["real"].flags.writeable and run.orders is None
    for k in (len(at) - 1, 0, 4, 2):
        moment = at[k]
        state, gen_out, critic_out = live[moment]
        assert states_equal(run.snapshots[k], state)
        model = run.at(k)
        np.testing.assert_array_equal(model.generator(z_probe), gen_out)
        np.testing.assert_array_equal(model.critic(p_probe), critic_out)
    # both models changed, each in its own turns
    first, last = run.snapshots[0], run.snapshots[-1]
    assert not np.array_equal(first["generator.0.weight"], last["generator.0.weight"])
    assert not np.array_equal(first["critic.0.weight"], last["critic.0.weight"])
    assert at[1] == 1  # update 1 was the critic's alone
    assert np.array_equal(run.snapshots[1]["generator.0.weight"], first["generator.0.weight"])
    assert not np.array_equal(run.snapshots[1]["critic.0.weight"], first["critic.0.weight"])


def test_recorder_rejects_an_unknown_unit():
    with pytest.raises(ValueError, match="unit"):
        runs.Recorder(nn.Linear(1, 1, rng=0), at=(0,), unit="batch")


# ----------------------------------------------------------------------------- nbytes and the cache


def small_run(n_data, n_snapshots=1):
    model = nn.Linear(1, 1, rng=0)
    recorder = runs.Recorder(model, at=range(n_snapshots))
    for moment in range(n_snapshots):
        recorder.snapshot(moment)
    return recorder.run(x=np.zeros(n_data))


def test_nbytes_is_positive_and_grows_with_the_snapshots():
    x, y = mlp_data()
    sizes = []
    for at in ((0,), (0, 1), (0, 1, 2, 3)):
        model = models.mlp([2, 6, 1], "tanh", rng=0)
        run = runs.record(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.05), x, y,
                          epochs=3, at=at)
        sizes.append(run.nbytes)
    one = 8 * models.count_parameters([2, 6, 1])  # one snapshot's float64 numbers
    assert sizes[0] > 0
    assert sizes[1] - sizes[0] >= one  # at least the numbers, perhaps some bookkeeping
    assert sizes[2] - sizes[0] == 3 * (sizes[1] - sizes[0])  # every snapshot costs the same
    # the data counts too, at least 8 bytes per float, and so do the snapshots
    assert small_run(1000).nbytes - small_run(0).nbytes >= 8000
    assert small_run(0, n_snapshots=4).nbytes - small_run(0).nbytes >= 3 * 16
    assert small_run(0).nbytes >= 16 + 16  # the model's weight and bias, and their snapshot


class CountingFactory:
    """Run-making functions under one RunCache, counting how often each really runs:
    ``make(n)`` holds ``n`` floats of data; ``keyed(key)`` always 50, whatever the key."""

    def __init__(self, cache):
        self.calls = []
        self.make = cache(self._make)
        self.keyed = cache(self._keyed)

    def _make(self, n_data):
        self.calls.append(n_data)
        return small_run(n_data)

    def _keyed(self, key):
        self.calls.append(key)
        return small_run(50)


def test_cache_returns_the_same_run_for_the_same_arguments():
    cache = runs.RunCache(10 ** 6)
    factory = CountingFactory(cache)
    a = factory.make(10)
    assert factory.make(10) is a and factory.calls == [10]
    b = factory.make(20)
    assert b is not a and factory.calls == [10, 20]
    assert len(cache) == 2 and cache.nbytes == a.nbytes + b.nbytes
    assert factory.make.__wrapped__ == factory._make


def test_cache_knows_a_call_however_its_arguments_are_written():
    cache = runs.RunCache(10 ** 6)
    calls = []

    @cache
    def make(n_data, scale=1.0, verbose=0):
        calls.append((n_data, scale))
        return small_run(n_data)

    a = make(10)
    assert make(n_data=10) is a and make(10, 1.0) is a and make(10, scale=1.0, verbose=1) is a
    assert calls == [(10, 1.0)]
    assert make(10, 2.0) is not a and len(calls) == 2


def test_cache_forgets_the_least_recently_used_first_and_stays_in_budget():
    size = small_run(50).nbytes  # every run below has the same size
    cache = runs.RunCache(3 * size)  # room for three
    factory = CountingFactory(cache)
    model = OrderedDict()  # the LRU rule written here: key -> None, oldest first
    gen = np.random.default_rng(0)
    keys = [int(k) for k in gen.integers(0, 6, size=60)]
    for key in keys:
        before = len(factory.calls)
        run = factory.keyed(key)
        computed = len(factory.calls) > before
        assert computed == (key not in model), key
        if key in model:
            model.move_to_end(key)
        else:
            model[key] = None
            while len(model) > 3:
                model.popitem(last=False)
        assert len(cache) == len(model)
        assert cache.nbytes == len(model) * size <= cache.max_bytes
        assert run.nbytes == size


def test_cache_never_holds_more_than_its_budget_except_one_oversized_run():
    cache = runs.RunCache(5000)
    factory = CountingFactory(cache)
    for n in (100, 200, 300, 150, 50, 400):
        factory.make(n)
        assert cache.nbytes <= cache.max_bytes
    huge = factory.make(10_000)  # 80 kB: more than the whole budget
    assert len(cache) == 1 and cache.nbytes == huge.nbytes > cache.max_bytes
    assert factory.make(10_000) is huge
    factory.make(10)  # the next run pushes the oversized one out
    assert len(cache) == 1 and cache.nbytes == small_run(10).nbytes


def test_cache_counts_every_run_of_a_tuple():
    cache = runs.RunCache(10 ** 6)

    @cache
    def both(n):
        return small_run(n), small_run(2 * n)

    a, b = both(10)
    assert both(10)[0] is a and cache.nbytes == a.nbytes + b.nbytes


def test_cache_clear_forgets_everything_and_errors_are_not_kept():
    cache = runs.RunCache(10 ** 6)
    factory = CountingFactory(cache)
    a = factory.make(10)
    factory.make(20)
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0
    assert factory.make(10) is not a and factory.calls == [10, 20, 10]
    factory.make.cache_clear()  # the same, from the decorated function
    assert len(cache) == 0 and cache.nbytes == 0

    @cache
    def refuse(n):
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            refuse(1)
    assert len(cache) == 0


def test_the_shared_cache_has_a_budget():
    assert isinstance(runs.cache, runs.RunCache)
    assert 0 < runs.cache.max_bytes <= 2 ** 30
    assert runs.cache.nbytes <= runs.cache.max_bytes or len(runs.cache) == 1


# ----------------------------------------------------------------------------- fit's on_batch_end


class BatchLog:
    """A fit callback that logs every update: (update, indices, weights after it)."""

    def __init__(self):
        self.log, self.epochs = [], []

    def on_batch_end(self, update, indices, model):
        self.log.append((update, np.array(indices, copy=True), model.weight.data.copy(), model))

    def __call__(self, epoch, history, model):
        self.epochs.append((epoch, len(self.log)))


@pytest.mark.parametrize("n, batch_size, shuffle", [(10, 3, True), (10, 3, False), (8, 8, True), (7, 1, True)])
def test_on_batch_end_is_called_once_per_update_with_its_examples(n, batch_size, shuffle):
    x = np.linspace(-1, 1, n)[:, None]
    y = 2 * x + 0.5
    model = nn.Linear(1, 1, rng=0)
    lr = 0.1
    start_w, start_b = model.weight.data.copy(), model.bias.data.copy()
    log = BatchLog()
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=lr), x, y, epochs=3,
                  batch_size=batch_size, shuffle=shuffle, rng=4, verbose=0, callbacks=[log])
    per_epoch = math.ceil(n / batch_size)
    assert [u for u, *_ in log.log] == list(range(1, 3 * per_epoch + 1))  # counted over the whole run
    assert log.epochs == [(e, e * per_epoch) for e in (1, 2, 3)]  # all of an epoch's, before its end
    assert len(history.batch_loss) == len(log.log)
    assert all(m is model for *_, m in log.log)
    gen = np.random.default_rng(4)
    for epoch in range(3):
        order = gen.permutation(n) if shuffle else np.arange(n)
        batches = [idx for _, idx, *_ in log.log[epoch * per_epoch:(epoch + 1) * per_epoch]]
        np.testing.assert_array_equal(np.concatenate(batches), order)
        assert [len(b) for b in batches] == [len(order[s:s + batch_size]) for s in range(0, n, batch_size)]
    # called after the update: the weights it sees are one SGD step on its batch, by hand
    w, b = start_w[0, 0], start_b[0]
    for _, idx, weight, _ in log.log:
        r = w * x[idx, 0] + b - y[idx, 0]
        w, b = w - lr * 2 * np.mean(r * x[idx, 0]), b - lr * 2 * np.mean(r)
        assert weight[0, 0] == pytest.approx(w, rel=1e-12, abs=1e-15)


def test_on_batch_end_is_not_called_for_a_batch_that_diverged():
    x = np.linspace(0, 10, 20)[:, None]
    model = nn.Linear(1, 1, rng=0)
    log = BatchLog()
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=1e3), x, 3 * x, epochs=50,
                  batch_size=4, shuffle=False, verbose=0, callbacks=[log])
    assert history.diverged
    assert len(log.log) == len(history.batch_loss) > 0
    assert [u for u, *_ in log.log] == list(range(1, len(log.log) + 1))


def test_a_plain_function_callback_needs_no_on_batch_end():
    x = np.linspace(-1, 1, 6)[:, None]
    model = nn.Linear(1, 1, rng=0)
    epochs = []
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), x, x, epochs=2, batch_size=2,
        verbose=0, callbacks=[lambda epoch, history, m: epochs.append(epoch)])
    assert epochs == [1, 2]
