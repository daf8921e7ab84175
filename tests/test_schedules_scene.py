"""The learning-rate schedule scene: the same line fitted with a constant learning rate
and with each of the engine's schedulers. The learning rates are checked against the
schedules' formulas written out here, the runs against a hand-written SGD loop, and the
notebook's claims against the runs."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from course_utils.scenes import schedules as S
from course_utils.scenes.batch_size import START, least_squares, line_data, line_gradient, line_loss
from course_utils.scenes.schedules import ScheduleScene

ROOT = Path(__file__).resolve().parent.parent


def formula(schedule, lr, t):
    """The learning rate after ``t`` scheduler steps, from the formulas in the notebook's table."""
    if schedule == "constant":
        return lr
    if schedule == "step":
        return lr * 0.1 ** (t // 10)
    if schedule == "cosine":
        return lr * (1 + math.cos(math.pi * t / S.EPOCHS)) / 2
    return lr * (0.1 + 0.9 * min(t, 5) / 5)


@pytest.mark.parametrize("schedule", list(S.SCHEDULES))
def test_each_epochs_learning_rate_is_the_formula(schedule):
    rates = S.learning_rates(schedule, 0.1)
    np.testing.assert_allclose(rates, [formula(schedule, 0.1, t) for t in range(S.EPOCHS)], rtol=1e-12)


def sgd_by_hand(schedule, lr):
    """Plain mini-batch SGD on the line, written out: the same batches as ``fit`` draws
    (numpy's permutation with the seed, one per epoch), the scheduled lr per epoch."""
    x, y = line_data()
    w, b = START
    gen = np.random.default_rng(S.SHUFFLE_SEED)
    path = [(w, b)]
    for epoch in range(S.EPOCHS):
        rate = formula(schedule, lr, epoch)
        order = gen.permutation(len(x))
        for start in range(0, len(x), S.BATCH):
            idx = order[start:start + S.BATCH]
            gw, gb = line_gradient(w, b, x[idx], y[idx])
            w, b = w - rate * gw, b - rate * gb
            path.append((w, b))
    return np.array(path)


@pytest.mark.parametrize("schedule", ["constant", "cosine", "warmup"])
def test_the_runs_are_mini_batch_sgd_with_the_scheduled_learning_rate(schedule):
    path, excess = S.excess_loss(schedule, 0.1)
    assert path.shape == (S.EPOCHS * S.UPDATES + 1, 2)
    np.testing.assert_allclose(path, sgd_by_hand(schedule, 0.1), rtol=1e-9, atol=1e-12,
                               err_msg="not plain mini-batch SGD with the scheduled learning rate")
    lowest = float(line_loss(*least_squares()))
    np.testing.assert_allclose(excess, line_loss(path[:, 0], path[:, 1]) - lowest, rtol=1e-12)
    assert excess.min() > -1e-12  # nothing beats least squares


def last_epochs_mean(schedule, lr, epochs=5):
    """The geometric mean of the loss above the lowest over the last ``epochs`` epochs."""
    _, excess = S.excess_loss(schedule, lr)
    return float(np.exp(np.log(excess[-epochs * S.UPDATES:]).mean()))


def notebook_text() -> str:
    cells = json.loads((ROOT / "notebooks" / "07_optimizers.ipynb").read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown").split())


def test_what_the_notebook_says_the_schedules_do():
    text = notebook_text()
    step, _ = S.excess_loss("step", 0.1)
    constant, constant_loss = S.excess_loss("constant", 0.1)
    # "until epoch 10 the two runs are the same" (the weights, update by update)
    assert np.array_equal(step[:10 * S.UPDATES + 1], constant[:10 * S.UPDATES + 1])
    assert not np.array_equal(step[:10 * S.UPDATES + 2], constant[:10 * S.UPDATES + 2])
    assert "until epoch 10 the two runs are the same" in text
    # the cloud of the last epoch shrinks: its spread, constant against step decay
    spread = {k: np.std(S.excess_loss(k, 0.1)[0][-S.UPDATES:], axis=0).max() for k in ("constant", "step")}
    assert spread["constant"] > 50 * spread["step"]
    # typical values: the geometric mean over the last five epochs, about 70 and 280 times lower
    typical = {k: last_epochs_mean(k, 0.1) for k in ("constant", "step", "cosine")}
    assert [round(typical["constant"] / typical[k], -1) for k in ("step", "cosine")] == [70, 280]
    assert "about 70 times lower with step decay and 280 times lower" in text
    # at epoch 30 itself (the GIF's last frames): 11 and 93 times
    ends = {k: S.excess_loss(k, 0.1)[1][-1] for k in ("constant", "step", "cosine")}
    assert [round(ends["constant"] / ends[k]) for k in ("step", "cosine")] == [11, 93]
    assert "ends 11 and 93 times lower with step decay and cosine" in text
    # at base lr 0.01 a schedule only makes it slower
    assert last_epochs_mean("constant", 0.01) < min(last_epochs_mean(k, 0.01) for k in ("step", "cosine")) / 3
    assert "lower the **base lr** to 0.01" in text
    # warm-up: behind at first, caught up by epoch 10
    _, warm = S.excess_loss("warmup", 0.1)
    assert warm[5 * S.UPDATES] > 10 * constant_loss[5 * S.UPDATES]
    assert warm[16 * S.UPDATES] == pytest.approx(constant_loss[16 * S.UPDATES], rel=0.01)
    assert "it only costs a few epochs" in text and "by epoch 16 the warm-up run has caught up" in text


def test_the_notebooks_code_gives_the_scenes_numbers():
    """The notebook's fit-with-a-callback cell and the scene's recorded runs agree."""
    cells = json.loads((ROOT / "notebooks" / "07_optimizers.ipynb").read_text())["cells"]
    outputs = ["".join(o.get("text", "")) for c in cells if c["cell_type"] == "code"
               for o in c.get("outputs", []) if "loss above the lowest" in "".join(o.get("text", ""))]
    assert len(outputs) == 1
    for name, kind in (("constant", "constant"), ("StepLR", "step"), ("CosineAnnealingLR", "cosine")):
        _, excess = S.excess_loss(kind, 0.1)
        line = next(line for line in outputs[0].splitlines() if line.startswith(name + " "))
        assert line.endswith(f"{excess[-1]:.1e}"), line


def test_the_picture_shows_the_current_epoch():
    scene = ScheduleScene(schedule="cosine", lr=0.1, step=12)
    path, excess = S.excess_loss("cosine", 0.1)
    xs, ys = scene.cloud.get_data()
    np.testing.assert_allclose(np.column_stack([xs, ys]), path[11 * S.UPDATES:12 * S.UPDATES + 1])
    t, shown = scene.loss_line.get_data()
    assert t[-1] == 12 and len(shown) == 12 * S.UPDATES + 1
    np.testing.assert_allclose(shown, np.maximum(excess[:12 * S.UPDATES + 1], 1e-12))
    rate = formula("cosine", 0.1, 11)
    assert f"epoch 12 of {S.EPOCHS}, its lr {rate:.3g}" in scene.caption.get_text()
    assert "CosineAnnealingLR(optimizer, T_max=30)" in scene.header.get_text()
    _, lrs = scene.lr_line.get_data()
    np.testing.assert_allclose(lrs[:-1], [formula("cosine", 0.1, e) for e in range(S.EPOCHS)])
    scene.set(step=0)
    assert "before training (first lr 0.1)" in scene.caption.get_text()


def test_unknown_schedules_are_refused_by_name():
    with pytest.raises(ValueError, match="schedule must be one of"):
        S.train("exponential", 0.1)
    with pytest.raises(ValueError):
        ScheduleScene(schedule="exponential")
