"""The regularization chapter's overfitting problem and its fixes (course_utils.overfitting).

The claims the chapter makes about the recorded runs are checked here: the plain network
overfits (training loss near 0, validation loss rising far above its lowest point), and
every fix ends with a lower validation loss than the plain run. Losses are recomputed
from the recorded weights with a forward pass written here.
"""

import numpy as np
import pytest

from course_utils import nn, overfitting as O
from course_utils.nn.regularization import EarlyStopping


def forward_logit(model, x):
    """The network's logit from its Linear layers' weights, tanh between (no dropout)."""
    layers = [m for m in model if isinstance(m, nn.Linear)]
    a = x
    for i, layer in enumerate(layers):
        z = a @ layer.weight.data.T + layer.bias.data
        a = z if i == len(layers) - 1 else np.tanh(z)
    return a[:, 0]


def bce(logit, y):
    return float(np.mean(np.logaddexp(0.0, logit) - y * logit))


def val_loss(model):
    x_val, y_val = O.problem()[2:]
    return bce(forward_logit(model, x_val), y_val[:, 0])


def test_the_problem_is_few_noisy_points_and_many_new_ones():
    x, y, x_val, y_val = O.problem()
    assert x.shape == (40, 2) and y.shape == (40, 1)
    assert x_val.shape == (400, 2) and y_val.shape == (400, 1)
    assert set(np.unique(y)) == {0.0, 1.0} and y.sum() == 20
    assert not x.flags.writeable
    assert not np.allclose(x[:5], x_val[:5])  # different seeds, different points


def test_the_network_is_far_too_big():
    model = O.network()
    counted = sum(p.data.size for p in model.parameters())
    assert counted == (2 * 32 + 32) + (32 * 32 + 32) + (32 + 1) == 1185
    assert sum(w.data.size for w in O.weights(model)) == 1120
    assert O.flat_weights(model).size == 1120


def test_dropout_follows_each_hidden_activation_and_keeps_the_start_weights():
    plain, dropped = O.network(), O.network(0.5)
    kinds = [type(m).__name__ for m in dropped]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]
    for a, b in zip(O.weights(plain), O.weights(dropped)):
        assert np.array_equal(a.data, b.data)


def test_the_plain_network_overfits():
    run = O.train()
    train, val = run.curves["train_loss"], run.curves["val_loss"]
    assert train[-1] < 0.01  # learned by heart
    best = int(np.argmin(val))
    assert best < 100  # the validation loss turns up early ...
    assert val[-1] > 3 * val[best]  # ... and ends far above its lowest point
    assert val_loss(run.at(-1)) == pytest.approx(val[-1], rel=1e-9)


@pytest.mark.parametrize("fix", [dict(penalty="l2", strength=0.03), dict(penalty="l1", strength=0.01),
                                 dict(dropout=0.5), dict(augment=9), dict(patience=20)])
def test_every_fix_ends_with_a_lower_validation_loss(fix):
    plain = O.train().curves["val_loss"][-1]
    run = O.train(**fix)
    ended = val_loss(run.at(-1))  # the model the run leaves (restored, for early stopping)
    assert ended < 0.6 * plain


def test_early_stopping_is_the_engines_and_keeps_the_model_it_leaves():
    plain = O.train().curves["val_loss"]
    run = O.train(patience=20)
    stopper = EarlyStopping(patience=20)
    stopped = next(e for e, v in enumerate(plain[1:], start=1) if stopper.update(v))
    assert len(run.curves["val_loss"]) == stopped + 1
    assert run.moments[-1] == stopper.best_epoch
    assert val_loss(run.at(-1)) == pytest.approx(plain[stopper.best_epoch], rel=1e-9)
    kept = O.train(patience=20, restore=False)
    assert kept.moments[-1] == stopped
    assert val_loss(kept.at(-1)) == pytest.approx(plain[stopped], rel=1e-9)


def test_jittered_copies_keep_the_points_first_and_their_labels():
    x, y = O.problem()[:2]
    xa, ya = O.jittered(9)
    assert xa.shape == (400, 2) and ya.shape == (400, 1)
    assert np.array_equal(xa[:40], x)
    assert np.array_equal(ya, np.tile(y, (10, 1)))
    moved = (xa[40:] - np.tile(x, (9, 1))).ravel()
    assert moved.std() == pytest.approx(O.JITTER, rel=0.1)  # 720 draws: 10 % is 3.8 sigma
    assert np.array_equal(O.jittered(9)[0], xa)  # seeded


def test_weight_penalties_leave_the_biases_alone():
    run = O.train("l1", 0.1)  # strong enough to zero every weight
    model = run.at(-1)
    assert np.abs(O.flat_weights(model)).max() < O.LEARNING_RATE * 3
    biases = [m.bias.data for m in model if isinstance(m, nn.Linear)]
    assert max(np.abs(b).max() for b in biases) > 0.05


@pytest.mark.parametrize("bad, words", [
    (dict(penalty="l3", strength=0.1), "penalty must be one of"),
    (dict(penalty="l2"), "give a strength > 0"),
    (dict(strength=0.1), "give a strength > 0"),
    (dict(penalty="l2", strength=-1.0), "strength must be a number >= 0"),
    (dict(dropout=1.0), "dropout must be a probability"),
    (dict(patience=2.5), "patience must be a whole number"),
    (dict(augment=True), "augment must be a whole number"),
])
def test_bad_settings_say_what_is_allowed(bad, words):
    with pytest.raises(ValueError, match=words):
        O.train(**bad)
