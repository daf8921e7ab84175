"""The numbers the Playground chapter's prose states, each computed here from the runs
(the printed lines are checked by nbval; these are the claims in the text around them)."""

import json
from pathlib import Path

import numpy as np
import pytest

from course_utils.scenes.playground import PlaygroundScene

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "09_playground.ipynb"


@pytest.fixture(scope="module")
def prose():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown").split())


def accuracy(**setting):
    return PlaygroundScene(**setting).run.trainer.measure()[3]


def test_the_gif_goes_from_61_to_96_percent(prose):
    gif = PlaygroundScene()
    changes = [c for c, _ in gif.storyboard()]
    gif.set(**changes[0])
    first = gif.set(step=1).run.trainer.measure()[3]
    last = gif.set(step=changes[-1]["step"]).run.trainer.measure()[3]
    assert (round(100 * first), round(100 * last)) == (61, 96)
    assert "61 % after the first epoch, 96 % at the end" in PlaygroundScene.storyboard.__doc__.replace("\n        ", " ")


def test_the_learning_rate_stop(prose):
    runs = {lr: PlaygroundScene(lr=lr, step=200).run for lr in (0.003, 0.03, 0.3, 3.0)}
    test_loss = {lr: np.array(run.records)[:, 1] for lr, run in runs.items()}
    acc = {lr: run.trainer.measure()[3] for lr, run in runs.items()}
    assert acc[0.003] < 0.75 and acc[0.03] == 1.0 and acc[0.3] > 0.95 and acc[3.0] < 0.65
    jumps = np.diff(test_loss[0.3])
    assert (jumps > 0.01).sum() >= 5 and test_loss[0.3][-1] > 2 * test_loss[0.3].min()  # "jumps about"
    assert "at 0.03 it is perfect" in prose and "at 3 it is lost" in prose


def test_the_overfitting_stop(prose):
    noisy = dict(data="spiral", noise=0.3, train_percent=20, hidden="8 8", optimizer="Adam", lr=0.01, step=500)
    runs = {name: PlaygroundScene(**noisy, **cure).run.trainer.measure() for name, cure in
            {"none": {}, "l2": dict(penalty="L2", strength=0.01), "dropout": dict(dropout=0.3),
             "early": dict(patience=20)}.items()}
    assert runs["none"][1] > 9 * runs["none"][0] and "more than nine times its training loss" in prose
    test_losses = {name: m[1] for name, m in runs.items()}
    assert min(test_losses, key=test_losses.get) == "l2" and "the best test loss of the four" in prose
    assert test_losses["dropout"] > test_losses["early"] > test_losses["l2"]  # "dropout helps less"
    assert test_losses["dropout"] < test_losses["none"]
    assert "only 20 % of the points train (100 of them)" in prose
    assert len(PlaygroundScene(**dict(noisy, step=0)).run.train[0]) == 100


def test_the_solutions_reach_what_they_say(prose):
    assert accuracy(data="xor", hidden="4", step=300) == pytest.approx(0.98, abs=0.01)
    assert "reaches about 98 % by epoch 300" in prose
    assert accuracy(data="xor", hidden="3", optimizer="Adam", step=200) == pytest.approx(0.97, abs=0.01)
    assert "about 97 % after 200 epochs" in prose
    two = [accuracy(data="xor", hidden="2", optimizer="Adam", lr=0.03, seed=s, step=300) for s in range(10)]
    assert max(two) < 0.95 and round(100 * max(two)) == 93 and "none of the seeds 0 to 9" in prose
    no_hidden = dict(data="xor", hidden="", f_x1=False, f_x2=False, f_x1x2=True)
    assert accuracy(**no_hidden, step=100) == 1.0 and "100 epochs of the default SGD give 100 %" in prose
    assert PlaygroundScene(**no_hidden).run.trainer.model[0].weight.data.size == 1 and "needs one weight" in prose
    sin = dict(data="spiral", hidden="2", f_sin1=True, f_sin2=True, optimizer="Adam", lr=0.01, seed=2)
    assert accuracy(**sin, step=100) >= 0.95 and round(1000 * accuracy(**sin, step=300)) == 996
    assert "passes 95 % by epoch 100 and reaches 99.6 % at epoch 300" in prose
    scene = PlaygroundScene(**sin)
    assert sum(m.weight.data.size for m in scene.run.trainer.model if hasattr(m, "weight")) == 4 * 2 + 2 == 10
    for hidden in ("3", "3 1"):  # 9 and 10 weights
        runs = [PlaygroundScene(data="spiral", hidden=hidden, optimizer="Adam", lr=lr, seed=seed, epochs=1000,
                                step=1000).run for seed in range(3) for lr in (0.01, 0.03)]
        assert max(np.array(run.records)[:, 3].max() for run in runs) < 0.88  # any epoch
    assert "stay below 88 % (6 runs of 1000 epochs each)" in prose


def test_huber_is_half_the_squared_error_only_without_noise(prose):
    def worst_error(data, noise):
        scene, worst = PlaygroundScene(data=data, noise=noise, loss="Huber"), 0.0
        for epoch in (0, 1, 10, 100):
            trainer = scene.set(step=epoch).run.trainer
            worst = max(worst, np.abs(trainer.predict(trainer.train_x).ravel() - trainer.train_t.ravel()).max())
        return worst
    for data in ("plane", "bumps"):
        assert worst_error(data, 0.0) < 1.15 and worst_error(data, 0.5) > 1.5
    assert "errors stay about 1 or below, where Huber's loss is just half the squared error" in prose
