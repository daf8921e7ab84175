"""Tests of the training loop (fit, History, divergence), regularization and EarlyStopping."""

import re
import warnings

import numpy as np
import pytest

from course_utils.nn.activation import Tanh
from course_utils.nn.linear import Dropout, Linear
from course_utils.nn.loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from course_utils.nn.module import Module, Parameter, Sequential
from course_utils.nn.optim import SGD, Adam
from course_utils.nn.regularization import EarlyStopping, l1_penalty, l2_penalty
from course_utils.nn.training import (
    History, TrainingDiverged, accuracy_from_outputs, evaluate, fit,
)


# ---------------------------------------------------------------- helpers

def blobs(n=80, seed=0):
    """Two well separated Gaussian blobs in 2-D, labels 0/1 of shape (n, 1)."""
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(float)
    x = rng.normal(scale=0.5, size=(n, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)
    return x, y[:, None]


def mlp(seed=0, hidden=8, out=1):
    return Sequential(Linear(2, hidden, rng=seed), Tanh(), Linear(hidden, out, rng=seed + 1))


def weights(model):
    return [p.data.copy() for p in model.parameters()]


class Recorder(Module):
    """y = x @ w (w of shape (1, 1)); remembers the first column of every batch."""

    def __init__(self):
        self.w = Parameter(np.ones((1, 1)))
        self.batches = []

    def forward(self, x):
        self._x = x
        if self.training:
            self.batches.append(x[:, 0].copy())
        return x @ self.w.data

    def backward(self, grad_output):
        self.w.grad += self._x.T @ grad_output
        return grad_output @ self.w.data.T


# ---------------------------------------------------------------- fit

def test_loss_decreases_on_a_separable_problem():
    x, y = blobs()
    model = mlp()
    history = fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.5), x, y,
                  epochs=15, batch_size=8, rng=0, verbose=0)
    assert isinstance(history, History)
    assert history.epochs == 15 and len(history.train_accuracy) == 15
    assert history.train_loss[-1] < 0.2 * history.train_loss[0]
    assert history.train_accuracy[-1] == 1.0
    assert not history.diverged and not history.stopped_early and history.message == ""
    assert len(history.batch_loss) == 15 * 10


def test_train_loss_is_the_batch_size_weighted_mean_of_batch_losses():
    x, y = blobs(n=20)
    model = mlp()
    h = fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.1), x, y, epochs=2,
            batch_size=8, rng=0, verbose=0)
    sizes = [8, 8, 4]
    for epoch in range(2):
        losses = h.batch_loss[3 * epoch:3 * epoch + 3]
        assert h.train_loss[epoch] == pytest.approx(np.dot(losses, sizes) / 20, rel=1e-12)


def test_every_example_once_per_epoch_in_batches():
    x = np.arange(10, dtype=float)[:, None]
    y = np.zeros((10, 1))
    model = Recorder()
    fit(model, MSELoss(), SGD(model.parameters(), lr=0.0), x, y, epochs=3, batch_size=4,
        rng=1, verbose=0)
    assert [len(b) for b in model.batches] == [4, 4, 2] * 3
    epochs = [np.concatenate(model.batches[3 * e:3 * e + 3]) for e in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(10))
    assert not np.array_equal(epochs[0], epochs[1])  # a new order each epoch


def test_no_shuffle_keeps_the_order():
    x = np.arange(7, dtype=float)[:, None]
    model = Recorder()
    fit(model, MSELoss(), SGD(model.parameters(), lr=0.0), x, np.zeros((7, 1)), epochs=2,
        batch_size=3, shuffle=False, verbose=0)
    assert [list(b) for b in model.batches] == [[0, 1, 2], [3, 4, 5], [6]] * 2


def test_same_seed_same_training_other_seed_different():
    x, y = blobs()

    def run(seed):
        model = mlp()
        h = fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.3), x, y, epochs=3,
                batch_size=8, rng=seed, verbose=0)
        return h.batch_loss, weights(model)

    losses_a, w_a = run(5)
    losses_b, w_b = run(np.random.default_rng(5))
    losses_c, _ = run(6)
    assert losses_a == losses_b
    assert all(np.array_equal(a, b) for a, b in zip(w_a, w_b))
    assert losses_a != losses_c


def test_validation_and_multiclass_accuracy():
    rng = np.random.default_rng(0)
    centers = np.array([[0, 3], [3, -2], [-3, -2]])
    labels = rng.integers(0, 3, size=120)
    x = centers[labels] + rng.normal(scale=0.4, size=(120, 2))
    model = mlp(hidden=16, out=3)
    h = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.05), x[:90], labels[:90],
            epochs=10, batch_size=16, rng=0, validation_data=(x[90:], labels[90:]), verbose=0)
    assert len(h.val_loss) == len(h.val_accuracy) == 10
    assert h.val_accuracy[-1] == 1.0
    assert h.val_loss[-1] < h.val_loss[0]
    # the recorded validation figures are those of the final model
    loss, acc = evaluate(model, CrossEntropyLoss(), x[90:], labels[90:])
    assert loss == pytest.approx(h.val_loss[-1], rel=1e-12) and acc == h.val_accuracy[-1]


def test_no_accuracy_for_regression_and_explicit_choice():
    x = np.linspace(-1, 1, 20)[:, None]
    y = 3 * x
    model = Linear(1, 1, rng=0)
    h = fit(model, MSELoss(), SGD(model.parameters(), lr=0.1), x, y, epochs=2, verbose=0)
    assert h.train_accuracy == [] and h.val_accuracy == []
    h = fit(model, MSELoss(), SGD(model.parameters(), lr=0.1), x, (y > 0).astype(float),
            epochs=1, verbose=0, accuracy="binary_probs")
    assert len(h.train_accuracy) == 1


def test_accuracy_from_outputs_by_hand():
    logits = np.array([[2.0], [-0.5], [0.1], [-3.0]])
    target = np.array([1.0, 1.0, 0.0, 0.0])
    assert accuracy_from_outputs(logits, target, "binary_logits") == (2, 4)
    probs = np.array([0.9, 0.4, 0.6, 0.45])
    assert accuracy_from_outputs(probs, target, "binary_probs") == (2, 4)
    scores = np.array([[0.1, 0.9, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    assert accuracy_from_outputs(scores, np.array([1, 1, 2]), "multiclass") == (2, 3)
    assert accuracy_from_outputs(scores, np.eye(3)[[1, 0, 0]], "multiclass") == (2, 3)
    with pytest.raises(ValueError, match="kind"):
        accuracy_from_outputs(scores, target, "top5")


def test_divergence_stops_in_plain_words_without_nan_or_warnings(capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]])
    model = Linear(3, 1, rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any numpy overflow warning would fail the test
        h = fit(model, MSELoss(), SGD(model.parameters(), lr=1000), x, y, epochs=100,
                batch_size=10, rng=0)
    out = capsys.readouterr().out
    assert h.diverged and not h.stopped_early
    assert re.fullmatch(r"Training stopped at (epoch \d+, batch \d+: the loss became "
                        r"(inf|nan \(not a number\))|the end of epoch \d+: a weight blew up "
                        r"to -?[\d.]+e\+\d+)\. The learning rate \(lr=1000\) is "
                        r"probably too high; try a smaller one\. The model keeps (its "
                        r"weights from the end of epoch \d+, the last finished one|the "
                        r"weights it had before training)\.", h.message)
    assert h.message in out
    assert h.epochs < 100
    for values in (h.train_loss, h.val_loss, h.batch_loss):
        assert np.all(np.isfinite(values))


def test_divergence_can_raise():
    x = np.random.default_rng(0).normal(size=(50, 2))
    model = Linear(2, 1, rng=0)
    with pytest.raises(TrainingDiverged, match="lr=1e\\+04") as info:
        fit(model, MSELoss(), SGD(model.parameters(), lr=1e4), x, x[:, :1] * 5, epochs=200,
            batch_size=5, rng=0, verbose=0, on_divergence="raise")
    err = info.value
    assert err.epoch >= 1 and err.lr == 1e4 and err.history.diverged
    assert err.history.epochs == err.epoch - 1
    assert np.all(np.isfinite(err.history.train_loss))


def test_weights_that_become_nan_are_reported():
    class Breaks(SGD):
        def step(self, closure=None):
            super().step()
            if len(calls) == 1:
                self.params[0].data[0, 0] = np.nan
            calls.append(1)

    calls = []
    x, y = blobs(n=8)
    model = mlp()
    h = fit(model, BCEWithLogitsLoss(), Breaks(model.parameters(), lr=0.5), x, y, epochs=5,
            batch_size=4, verbose=0)
    assert h.diverged and h.epochs == 0
    assert h.message == ("Training stopped at the end of epoch 1: a weight became nan (not a "
                         "number). The learning rate (lr=0.5) is probably too high; try a "
                         "smaller one. The model keeps the weights it had before training.")
    assert all(np.isfinite(p.data).all() for p in model.parameters())


def test_callbacks_are_called_every_epoch_and_can_stop(capsys):
    x, y = blobs(n=16)
    model = mlp()
    calls = []

    def record(epoch, history, m):
        calls.append((epoch, history.epochs, m is model))

    class StopAtThree:
        message = "enough for today"

        def __call__(self, epoch, history, m):
            return epoch == 3

    h = fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.1), x, y, epochs=10,
            callbacks=[record, StopAtThree()], print_every=2)
    assert calls == [(1, 1, True), (2, 2, True), (3, 3, True)]
    assert h.epochs == 3 and h.stopped_early and h.message == "enough for today"
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines[:-1]] == ["1/10", "2/10", "3/10"]
    assert lines[-1] == "enough for today"


def significant_digits(text):
    mantissa = text.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mantissa)


def test_progress_lines_are_short_and_rounded(capsys):
    x, y = blobs(n=40)
    model = mlp()
    h = fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.2), x, y, epochs=25,
            validation_data=blobs(n=10, seed=1), rng=0)
    lines = capsys.readouterr().out.splitlines()
    # about ten lines: the first epoch, every third one, and the last
    shown = [int(line.split()[1].split("/")[0]) for line in lines]
    assert shown == [1, 3, 6, 9, 12, 15, 18, 21, 24, 25]
    for epoch, line in zip(shown, lines):
        words = line.split()
        assert words[0] == "epoch" and words[2::2] == ["loss", "accuracy", "val_loss",
                                                        "val_accuracy"]
        numbers = words[3::2]
        assert all(significant_digits(s) <= 4 for s in numbers), line
        exact = [h.train_loss[epoch - 1], h.train_accuracy[epoch - 1], h.val_loss[epoch - 1],
                 h.val_accuracy[epoch - 1]]
        for s, value in zip(numbers, exact):
            assert float(s) == pytest.approx(value, rel=5e-4), line
    # the same run prints the same text
    model = mlp()
    fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.2), x, y, epochs=25,
        validation_data=blobs(n=10, seed=1), rng=0)
    assert capsys.readouterr().out.splitlines() == lines


def test_verbose_zero_is_silent(capsys):
    x, y = blobs(n=16)
    model = mlp()
    fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.1), x, y, epochs=3, verbose=0)
    assert capsys.readouterr().out == ""


def test_fit_uses_train_mode_and_evaluate_eval_mode():
    x, y = blobs(n=32)
    model = Sequential(Linear(2, 16, rng=0), Dropout(0.5), Tanh(), Linear(16, 1, rng=1))
    seen = []
    model.forward = lambda inp, f=model.forward: (seen.append(model.layers[1].training), f(inp))[1]
    fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.1), x, y, epochs=1,
        batch_size=16, validation_data=(x, y), verbose=0)
    # the loss before training (eval), two batches (train), the validation data (eval)
    assert seen == [False, True, True, False]
    assert model.training and model.layers[1].training


@pytest.mark.parametrize("kwargs, words", [
    (dict(epochs=-1), "epochs"),
    (dict(batch_size=0), "batch_size"),
    (dict(on_divergence="ignore"), "on_divergence"),
    (dict(accuracy="top5"), "accuracy"),
    (dict(validation_data=(np.zeros((3, 2)), np.zeros(4))), "x_val"),
    (dict(callbacks=[3]), "callback"),
])
def test_fit_argument_errors(kwargs, words):
    x, y = blobs(n=8)
    model = mlp()
    with pytest.raises((ValueError, TypeError), match=words):
        fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.1), x, y, verbose=0,
            **kwargs)


def test_fit_rejects_mismatched_data():
    model = mlp()
    with pytest.raises(ValueError, match="same number of examples"):
        fit(model, MSELoss(), SGD(model.parameters()), np.zeros((5, 2)), np.zeros((4, 1)))


# ---------------------------------------------------------------- regularization

def params_of(*arrays):
    return [Parameter(np.array(a, dtype=float)) for a in arrays]


def finite_difference(value_of, params, h=1e-6):
    grads = []
    for p in params:
        g = np.zeros_like(p.data)
        for i in np.ndindex(p.data.shape):
            old = p.data[i]
            p.data[i] = old + h
            up = value_of()
            p.data[i] = old - h
            down = value_of()
            p.data[i] = old
            g[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads


@pytest.mark.parametrize("penalty", [l1_penalty, l2_penalty])
def test_penalty_gradients_match_finite_differences(penalty):
    ps = params_of([[0.5, -1.2], [2.0, 0.3]], [-0.7, 0.05])
    for p in ps:
        p.grad += 1.0  # the penalty adds to what backward already put there
    value = penalty(ps, 0.3)
    numeric = finite_difference(lambda: penalty(ps, 0.3, add_grad=False), ps)
    for p, g in zip(ps, numeric):
        np.testing.assert_allclose(p.grad - 1.0, g, rtol=1e-6, atol=1e-9)
    assert value == penalty(ps, 0.3, add_grad=False)


def test_penalty_values_by_hand():
    ps = params_of([1.0, -2.0], [[3.0]])
    assert l1_penalty(ps, 0.5, add_grad=False) == pytest.approx(0.5 * 6)
    assert l2_penalty(ps, 0.5, add_grad=False) == pytest.approx(0.25 * 14)
    l1_penalty(ps, 0.5)
    np.testing.assert_array_equal(ps[0].grad, [0.5, -0.5])
    with pytest.raises(ValueError, match="strength"):
        l2_penalty(ps, -1.0)


def test_l2_penalty_equals_weight_decay_for_sgd():
    x, y = blobs(n=24)
    a, b = mlp(), mlp()
    fit(a, BCEWithLogitsLoss(), SGD(a.parameters(), lr=0.2, weight_decay=0.05), x, y,
        epochs=3, batch_size=6, rng=2, verbose=0)
    fit(b, BCEWithLogitsLoss(), SGD(b.parameters(), lr=0.2), x, y, epochs=3, batch_size=6,
        rng=2, verbose=0, penalty=lambda ps: l2_penalty(ps, 0.05))
    for wa, wb in zip(weights(a), weights(b)):
        np.testing.assert_allclose(wa, wb, rtol=1e-12, atol=1e-14)
    c = mlp()
    fit(c, BCEWithLogitsLoss(), SGD(c.parameters(), lr=0.2), x, y, epochs=3, batch_size=6,
        rng=2, verbose=0)
    assert not np.allclose(weights(a)[0], weights(c)[0])


# ---------------------------------------------------------------- EarlyStopping

class Box:
    """A model with one parameter, set by hand to the epoch number."""

    def __init__(self):
        self.p = Parameter(np.zeros(2))

    def parameters(self):
        return iter([self.p])


def test_early_stopping_patience_and_min_delta_on_a_script():
    es = EarlyStopping(patience=2, min_delta=0.1)
    box = Box()
    # 0.95 is not better than 1.0 by more than 0.1; 0.85 is; then two epochs without.
    script = [1.0, 0.95, 0.85, 0.8, 0.78, 0.1]
    stops = []
    for epoch, loss in enumerate(script, start=1):
        box.p.data[...] = epoch
        stops.append(es.update(loss, box))
        if stops[-1]:
            break
    assert stops == [False, False, False, False, True]
    assert es.best_epoch == 3 and es.best_loss == 0.85 and es.stopped_epoch == 5
    np.testing.assert_array_equal(box.p.data, [3.0, 3.0])  # restored
    assert "epoch 3" in es.message and "restored" in es.message


def test_early_stopping_waits_for_patience_and_can_keep_last_weights():
    es = EarlyStopping(patience=3, restore_best_weights=False)
    box = Box()
    results = []
    for epoch, loss in enumerate([0.5, 0.6, 0.7, 0.4, 0.6, 0.6, 0.6], start=1):
        box.p.data[...] = epoch
        results.append(es.update(loss, box))
    assert results == [False, False, False, False, False, False, True]
    np.testing.assert_array_equal(box.p.data, [7.0, 7.0])
    assert es.best_epoch == 4


def test_early_stopping_in_fit_restores_the_best_weights():
    x, y = blobs(n=40)
    x_val, y_val = x[:10], 1.0 - y[:10]  # flipped labels: validation loss gets worse
    model = mlp()
    snapshots = {}

    def snapshot(epoch, history, m):
        snapshots[epoch] = weights(m)

    es = EarlyStopping(patience=2)
    h = fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.5), x, y, epochs=30,
            rng=0, validation_data=(x_val, y_val), callbacks=[snapshot, es], verbose=0)
    assert h.stopped_early and h.epochs == es.stopped_epoch < 30
    assert es.best_epoch == int(np.argmin(h.val_loss)) + 1
    assert h.message == es.message
    for w, best in zip(weights(model), snapshots[es.best_epoch]):
        np.testing.assert_array_equal(w, best)
    # used again, it starts afresh
    h2 = fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.5), x, y, epochs=1,
             rng=0, validation_data=(x_val, y_val), callbacks=[es], verbose=0)
    assert es.epochs_seen == 1 and not h2.stopped_early


def test_early_stopping_without_validation_data_explains():
    x, y = blobs(n=8)
    model = mlp()
    with pytest.raises(ValueError, match="validation_data"):
        fit(model, BCEWithLogitsLoss(), SGD(model.parameters()), x, y, epochs=2,
            callbacks=[EarlyStopping()], verbose=0)


@pytest.mark.parametrize("kwargs, words", [
    (dict(patience=0), "patience"), (dict(patience=1.5), "patience"),
    (dict(min_delta=-0.1), "min_delta"), (dict(monitor="accuracy"), "monitor"),
])
def test_early_stopping_argument_errors(kwargs, words):
    with pytest.raises(ValueError, match=words):
        EarlyStopping(**kwargs)


def test_verbose_accepts_booleans(capsys):
    from course_utils import nn
    from course_utils.nn import optim, training

    model = nn.Linear(2, 1, rng=0)
    x = np.random.default_rng(0).normal(size=(8, 2))
    y = (x[:, :1] > 0).astype(float)
    for verbose, printed in ((False, False), (True, True)):
        training.fit(model, nn.BCEWithLogitsLoss(), optim.SGD(model.parameters(), lr=0.1), x, y,
                     epochs=2, batch_size=4, rng=0, verbose=verbose)
        assert bool(capsys.readouterr().out) is printed
