"""Tests of course_utils.nn.lr_scheduler against values worked out by hand.

(``tests/test_nn_torch_reference.py`` checks the same schedulers against numbers
recorded from PyTorch.) Bases such as 0.8 and factors such as 0.5 are chosen so
that many expected values are exact in floating point.
"""

import math

import numpy as np
import pytest

from course_utils import nn
from course_utils.nn import optim, training
from course_utils.nn.lr_scheduler import CosineAnnealingLR, LinearLR, LRScheduler, StepLR


class P:
    """A minimal parameter: the optimizers need only .data and .grad."""

    def __init__(self, data):
        self.data = np.array(data, dtype=float)
        self.grad = np.zeros_like(self.data)


def sgd(lr):
    return optim.SGD([P([0.0])], lr=lr)


def schedule(make, lr, steps):
    """The lr just after the scheduler is made, then after each of ``steps`` steps."""
    optimizer = sgd(lr)
    scheduler = make(optimizer)
    lrs = [optimizer.lr]
    for _ in range(steps):
        scheduler.step()
        lrs.append(optimizer.lr)
    return lrs


def test_reached_as_optim_lr_scheduler_like_torch():
    assert optim.lr_scheduler.StepLR is StepLR
    assert optim.lr_scheduler.CosineAnnealingLR is CosineAnnealingLR
    assert optim.lr_scheduler.LinearLR is LinearLR
    assert all(issubclass(cls, LRScheduler) for cls in (StepLR, CosineAnnealingLR, LinearLR))


# ------------------------------------------------------------------------------ StepLR

def test_step_lr_halves_exactly_at_multiples_of_step_size():
    lrs = schedule(lambda o: StepLR(o, step_size=3, gamma=0.5), 0.8, 9)
    assert lrs == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.1]


def test_step_lr_default_gamma_divides_by_ten():
    lrs = schedule(lambda o: StepLR(o, 2), 1.0, 5)
    assert lrs == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01, 0.01], rel=1e-12)


# ------------------------------------------------------------------- CosineAnnealingLR

def test_cosine_values_at_hand_computed_points():
    base, eta_min = 0.3, 0.1
    lrs = schedule(lambda o: CosineAnnealingLR(o, T_max=4, eta_min=eta_min), base, 8)
    assert lrs[0] == base
    # t = T_max / 4: cos(pi / 4) = sqrt(1/2)
    assert lrs[1] == pytest.approx(eta_min + (base - eta_min) * (1 + math.sqrt(0.5)) / 2,
                                   rel=1e-12)
    assert lrs[2] == pytest.approx((base + eta_min) / 2, rel=1e-12)   # t = T_max / 2
    assert lrs[4] == eta_min                                         # t = T_max: cos = -1
    # Past T_max the cosine goes back up, as in PyTorch: symmetric about T_max.
    assert lrs[5] == pytest.approx(lrs[3], rel=1e-12)
    assert lrs[6] == pytest.approx((base + eta_min) / 2, rel=1e-12)
    assert lrs[8] == pytest.approx(base, rel=1e-12)                  # t = 2 T_max


def test_cosine_falls_all_the_way_to_zero_by_default():
    lrs = schedule(lambda o: CosineAnnealingLR(o, T_max=10), 0.1, 10)
    assert all(a > b for a, b in zip(lrs, lrs[1:]))
    assert lrs[-1] == 0.0
    assert lrs[5] == pytest.approx(0.05, rel=1e-12)


# ---------------------------------------------------------------------------- LinearLR

def test_linear_lr_warms_up_from_the_start_factor_at_construction():
    optimizer = sgd(0.3)
    scheduler = LinearLR(optimizer)            # start_factor 1/3, end 1, 5 steps
    assert optimizer.lr == pytest.approx(0.1, rel=1e-12)
    assert scheduler.last_epoch == 0
    scheduler.step()                           # 0.3 * (1/3 + (2/3) * (1/5)) = 0.3 * 7/15
    assert optimizer.lr == pytest.approx(0.14, rel=1e-12)


def test_linear_lr_reaches_base_times_end_factor_at_total_iters_and_stays():
    lrs = schedule(lambda o: LinearLR(o, start_factor=1.0, end_factor=0.25, total_iters=3),
                   0.8, 12)
    assert lrs[:4] == pytest.approx([0.8, 0.6, 0.4, 0.2], rel=1e-12)
    assert lrs[3:] == [0.2] * 10


def test_linear_lr_can_decay_to_zero():
    lrs = schedule(lambda o: LinearLR(o, start_factor=0.5, end_factor=0.0, total_iters=2),
                   1.0, 4)
    assert lrs == [0.5, 0.25, 0.0, 0.0, 0.0]


# ---------------------------------------------------- the schedule drives the updates

def test_stepping_the_scheduler_changes_the_step_sgd_takes():
    param = P([1.0])
    optimizer = optim.SGD([param], lr=0.5)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.5)
    positions = []
    for _ in range(3):
        param.grad[...] = 2.0                  # theta <- theta - lr * 2
        optimizer.step()
        positions.append(param.data[0])
        scheduler.step()
    # lr 0.5, 0.25, 0.125: moves of 1.0, 0.5, 0.25
    assert positions == [0.0, -0.5, -0.75]


def test_the_first_update_already_uses_the_scheduled_lr():
    param = P([0.0])
    optimizer = optim.SGD([param], lr=0.3)
    LinearLR(optimizer)                        # lr 0.3 / 3 from the start
    param.grad[...] = 1.0
    optimizer.step()
    assert param.data[0] == pytest.approx(-0.1, rel=1e-12)


def fit_data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(20, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.1 * rng.normal(size=(20, 1))
    return x, y


class LrLog:
    """A fit callback that records the optimizer's lr after every update."""

    def __init__(self, optimizer):
        self.optimizer, self.lrs = optimizer, []

    def __call__(self, epoch, history, model):
        return None

    def on_batch_end(self, update, indices, model):
        self.lrs.append(self.optimizer.lr)


def test_fit_steps_the_scheduler_once_per_epoch_from_a_callback():
    x, y = fit_data()
    model = nn.Linear(3, 1, rng=0)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
    log = LrLog(optimizer)
    history = training.fit(model, nn.MSELoss(), optimizer, x, y, epochs=6, batch_size=5,
                           shuffle=False, verbose=0,
                           callbacks=[log, lambda epoch, history, model: scheduler.step()])
    assert history.epochs == 6 and not history.stopped_early
    # 4 updates per epoch; the lr halves every 2 epochs.
    assert log.lrs == [0.1] * 8 + [0.05] * 8 + [0.025] * 8
    assert scheduler.last_epoch == 6 and optimizer.lr == 0.0125

    # The same training, one epoch at a time with the lr set by hand, ends with the
    # same weights: the scheduled lr is the one the updates used.
    by_hand = nn.Linear(3, 1, rng=0)
    optimizer = optim.SGD(by_hand.parameters(), lr=0.1)
    for lr in [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]:
        optimizer.lr = lr
        training.fit(by_hand, nn.MSELoss(), optimizer, x, y, epochs=1, batch_size=5,
                     shuffle=False, verbose=0)
    for a, b in zip(model.parameters(), by_hand.parameters()):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12)

    # History keeps no learning rate (the module docstring says to log it yourself);
    # if it gains one, check here that it records the scheduled values.
    assert not any("lr" in name for name in vars(history))


# ------------------------------------------------------------- the scheduler's state

def test_get_last_lr_is_a_one_element_copy():
    optimizer = sgd(0.8)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.5)
    scheduler.step()
    last = scheduler.get_last_lr()
    assert last == [0.4]
    last[0] = 99.0
    assert scheduler.get_last_lr() == [0.4] and optimizer.lr == 0.4


def test_base_is_the_initial_lr_kept_on_the_optimizer_as_in_torch():
    optimizer = sgd(0.1)
    scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
    for _ in range(3):
        scheduler.step()
    assert optimizer.lr == pytest.approx(0.05) and optimizer.initial_lr == 0.1
    # Resuming after 3 steps: the next step is t = 4, from the initial lr 0.1.
    resumed = StepLR(optimizer, step_size=2, gamma=0.5, last_epoch=3)
    assert resumed.last_epoch == 4 and resumed.base_lrs == [0.1]
    assert optimizer.lr == pytest.approx(0.025, rel=1e-12)
    # A new schedule on the same optimizer starts from the initial lr too (like torch's
    # group.setdefault("initial_lr", lr)), not from the lr the last one left.
    LinearLR(optimizer, start_factor=0.5)
    assert optimizer.lr == pytest.approx(0.05, rel=1e-12)


def test_state_dict_round_trip():
    optimizer = sgd(0.8)
    scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
    for _ in range(3):
        scheduler.step()
    state = scheduler.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 3
    other = StepLR(sgd(0.8), step_size=5, gamma=0.1)
    other.load_state_dict(state)
    assert other.get_last_lr() == [0.4] and other.step_size == 2
    other.step()
    assert other.get_last_lr() == [0.2]


def test_repr_names_the_settings():
    assert repr(StepLR(sgd(0.1), 3, gamma=0.5)) == "StepLR(step_size=3, gamma=0.5, last_epoch=0)"


# ---------------------------------------------------------------------------- errors

@pytest.mark.parametrize("make, error, words", [
    (lambda o: StepLR(o, 0), ValueError, "step_size must be a whole number >= 1"),
    (lambda o: StepLR(o, 2.5), ValueError, "step_size"),
    (lambda o: StepLR(o, True), ValueError, "step_size"),
    (lambda o: StepLR(o, 3, gamma=0), ValueError, "gamma must be > 0"),
    (lambda o: StepLR(o, 3, gamma=-0.5), ValueError, "gamma must be > 0"),
    (lambda o: StepLR(o, 3, gamma=math.inf), ValueError, "gamma"),
    (lambda o: StepLR(o, 3, gamma="0.5"), TypeError, "gamma must be a number"),
    (lambda o: CosineAnnealingLR(o, 0), ValueError, "T_max must be a whole number >= 1"),
    (lambda o: CosineAnnealingLR(o, 10.0), ValueError, "T_max"),
    (lambda o: CosineAnnealingLR(o, 10, eta_min=-0.01), ValueError, "eta_min must be >= 0"),
    (lambda o: CosineAnnealingLR(o, 10, eta_min=math.nan), ValueError, "eta_min"),
    (lambda o: CosineAnnealingLR(o, 10, eta_min=math.inf), ValueError, "eta_min"),
    (lambda o: LinearLR(o, start_factor=0), ValueError, r"start_factor must be > 0 and <= 1"),
    (lambda o: LinearLR(o, start_factor=1.01), ValueError, "start_factor"),
    (lambda o: LinearLR(o, start_factor=math.nan), ValueError, "start_factor"),
    (lambda o: LinearLR(o, end_factor=-0.1), ValueError, r"end_factor must be >= 0.0 and <= 1"),
    (lambda o: LinearLR(o, end_factor=1.5), ValueError, "end_factor"),
    (lambda o: LinearLR(o, total_iters=0), ValueError, "total_iters must be a whole number"),
    (lambda o: StepLR(o, 3, last_epoch=-2), ValueError, "last_epoch"),
    (lambda o: StepLR(o, 3, last_epoch=4), ValueError, "no initial_lr"),
])
def test_bad_arguments_are_named(make, error, words):
    optimizer = sgd(0.1)
    with pytest.raises(error, match=words):
        make(optimizer)
    assert optimizer.lr == 0.1                 # a refused scheduler changes nothing


@pytest.mark.parametrize("not_an_optimizer, name", [
    ([P([0.0])], "list"), (None, "NoneType"), (nn.Linear(2, 1, rng=0), "Linear"),
])
def test_the_optimizer_must_be_an_engine_optimizer(not_an_optimizer, name):
    with pytest.raises(TypeError, match=f"optimizer must be an optimizer .*got {name}"):
        StepLR(not_an_optimizer, 3)
