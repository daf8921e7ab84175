"""The numbers the Regularization chapter's prose states, each computed here from the
recorded runs (the printed tables are checked by nbval; these are the claims in the text
around them)."""

import math

import numpy as np
import pytest

from course_utils import digits, overfitting as O
from course_utils.scenes import dropout_effect as E
from course_utils.scenes.regularizers import TECHNIQUES, kept

PROSE = None


def prose():
    import json
    from pathlib import Path

    global PROSE
    if PROSE is None:
        nb = json.loads((Path(__file__).resolve().parent.parent / "notebooks" / "08_regularization.ipynb").read_text())
        PROSE = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return PROSE


def near_zero(penalty, strength):
    w = O.flat_weights(O.train(penalty, strength).at(-1))
    return int(np.sum(np.abs(w) < 0.01)), w


def test_the_plain_network_is_best_at_epoch_35_and_ends_three_and_a_half_times_worse():
    val = O.train().curves["val_loss"]
    assert int(np.argmin(val)) == 35 and "lowest after 35 epochs" in prose()
    assert val[-1] / val.min() > 3.5 and "more than\nthree and a half times" in prose()
    assert round(O.train().curves["val_accuracy"][-1], 2) == 0.80  # "about 80 %"
    assert 1185 / 40 == pytest.approx(30, abs=0.5)  # "about 30 for every training point"


def test_the_penalty_claims():
    count, w = near_zero("l1", 0.03)
    assert w.size - count == 6 and "all but 6 of the 1,120 weights" in prose()
    _, w = near_zero("l2", 0.03)
    assert np.abs(w).max() < 0.4 and "none is larger than 0.4" in prose()
    count, w = near_zero("l1", 0.1)
    assert count == w.size
    run = O.train("l1", 0.1)
    for name in ("train_loss", "val_loss"):
        assert run.curves[name][-1] == pytest.approx(math.log(2), abs=1e-3)
    assert run.curves["val_accuracy"][-1] == 0.5


def test_the_early_stopping_claims():
    stops = {k: len(O.train(patience=k).curves["val_loss"]) - 1 for k in (5, 200)}
    assert stops == {5: 40, 200: 235}
    assert "**Patience 5** stops at epoch 40, **patience 200** only at epoch 235" in prose()
    assert all(O.train(patience=k).moments[-1] == 35 for k in (5, 10, 20, 50, 100, 200))
    left = O.train(patience=200, restore=False)
    assert round(left.curves["val_loss"][left.moments[-1]], 3) == 0.466 and "0.466 at patience 200" in prose()
    restored = O.train(patience=20)
    assert round(100 * restored.curves["val_accuracy"][35], 1) == 80.5
    assert round(100 * O.train().curves["val_accuracy"][-1], 1) == 79.5


def test_the_dropout_claims():
    plain = O.train().curves["val_loss"]
    for p in E.EFFECT_P:
        val = O.train(dropout=p).curves["val_loss"]
        assert abs(val.min() - 0.40) < 0.01  # "about 0.40 for every p"
    half = O.train(dropout=0.5).curves["val_loss"][-1]
    assert (round(half, 2), round(plain[-1], 2)) == (0.50, 1.46) and "0.50 instead of 1.46" in prose()
    numbers = E.ensemble_numbers(0.5, 100)
    assert round(numbers["ensemble_loss"], 3) == 0.457 and round(numbers["eval_loss"], 3) == 0.495
    assert numbers["disagree"] == 3 and "(0.457) is a little lower than evaluation mode's (0.495)" in prose()


def test_the_augmentation_claims():
    acc = digits.augmentation_accuracy()
    assert (round(100 * acc[2, False]), round(100 * acc[2, True])) == (74, 80)
    assert (round(100 * acc[10, False]), round(100 * acc[10, True])) == (89, 92)
    assert acc[20, True] == acc[20, False]
    assert "from 74 % to 80 %; with 10, from 89 % to 92 %" in prose()


def test_every_fix_keeps_the_validation_loss_far_below_and_the_accuracy_near_80_percent():
    plain = kept("none")[0]
    for key in TECHNIQUES:
        loss, accuracy, _ = kept(key)
        assert 0.795 <= accuracy <= 0.82, key  # "between 79.5 and 82 %"
        if key != "none":
            assert loss < 0.4 * plain, key


def test_the_adamw_demo():
    """Adam's L2 term is lost next to large gradients and drives an idle weight to 0;
    AdamW shrinks both by (1 - lr * decay) per step."""
    from course_utils import nn
    from course_utils.nn import optim

    ends = {}
    for name, cls, decay in (("none", optim.Adam, 0.0), ("adam", optim.Adam, 0.1), ("adamw", optim.AdamW, 0.1)):
        w = nn.Parameter([1.0, 1.0])
        opt = cls([w], lr=0.01, weight_decay=decay)
        for step in range(200):
            w.grad[:] = [10.0 if step % 2 == 0 else -10.0, 0.0]
            opt.step()
        ends[name] = np.round(w.data, 3)
    assert list(ends["adam"]) == [0.963, 0.016] and ends["none"][0] == 0.982
    assert ends["adamw"][1] == round(0.999 ** 200, 3) == 0.819 and ends["adamw"][0] < 0.819
    assert "(0.963, against 0.982" in prose() and "to 0.016" in prose() and "$0.999^{200} = 0.819$" in prose()


def bayes(x):
    """P(class 1 | x) for the noisy moons, from the distribution the points are drawn from:
    a point of class c is a point of arc c (uniform in its angle) plus N(0, 0.5^2) noise."""
    from course_utils import data

    t = np.linspace(0, np.pi, 4001)
    arcs = [np.column_stack([np.cos(t), np.sin(t)]), np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])]
    arcs = [data.MOON_SCALE * (a + np.asarray(data.MOON_SHIFT)) for a in arcs]
    near = [np.exp(-((x[:, None] - a[None]) ** 2).sum(-1) / (2 * O.NOISE ** 2)).mean(axis=1) for a in arcs]
    return near[1] / (near[0] + near[1])


def test_the_best_possible_boundary():
    x_val, y_val = O.problem()[2:]
    p = bayes(x_val)
    y = y_val[:, 0]
    assert np.mean((p > 0.5) == y) == 0.855 and "only 85.5 % of these 400 right" in prose()
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert round(loss, 3) == 0.343 and "(validation loss 0.343)" in prose()
    assert all(kept(k)[0] > loss for k in TECHNIQUES)  # nothing beats the distribution itself


def test_ten_masks_are_noisier_than_evaluation_mode():
    numbers = E.ensemble_numbers(0.5, 10)
    assert round(numbers["ensemble_loss"], 3) == 0.532 > round(numbers["eval_loss"], 3) == 0.495
    assert "(validation loss\n0.532 against 0.495)" in prose()
