"""The Loss functions chapter: every number its prose quotes, recomputed here from the
engine and the chapter's scenes (each scene's own tests check the scene against closed
forms; these check that the notebook says what the code gives)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from course_utils import nn
from course_utils.scenes import kl_directions as K
from course_utils.scenes import margins as M
from course_utils.scenes import outliers as O
from course_utils.scenes.loss_functions import LossFunctionsScene

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def text():
    cells = json.loads((ROOT / "notebooks" / "06_loss_functions.ipynb").read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown").split())


def loss_and_grad(criterion, prediction, target):
    value = criterion(np.array([prediction]), np.array([target]))
    return value, float(criterion.backward()[0])


def test_the_six_panels_values_at_the_middle_of_the_sweep(text):
    scene = LossFunctionsScene(sweep=0.5, target=1)
    shown = [scene.texts[key][0].get_text().split("=")[1].strip() for key in scene.texts]
    assert shown == ["0.25", "0.69", "1.10", "1.00", "0.19", "0.12"]
    assert "the values 0.25, 0.69 ($= \\ln 2$), 1.10 ($= \\ln 3$), 1.00, 0.19 and 0.12 (exactly 0.125)" in text
    assert nn.HuberLoss()(np.array([0.5]), np.array([1.0])) == 0.125


def test_the_explorers_numbers(text):
    assert loss_and_grad(nn.MSELoss(), 3.0, 1.0) == (4.0, 4.0) and "costs 4.00" in text
    assert loss_and_grad(nn.MSELoss(), -4.0, 1.0) == (25.0, -10.0)
    assert loss_and_grad(nn.L1Loss(), -4.0, 1.0) == (5.0, -1.0)
    assert loss_and_grad(nn.HuberLoss(delta=1.0), -4.0, 1.0) == (4.5, -1.0)
    assert "costs 25 there with gradient $-10$" in text and "(5 and $-1$)" in text
    assert "(4.5 and $-1$)" in text
    loss, grad = loss_and_grad(nn.BCEWithLogitsLoss(), -2.2, 1.0)
    p = 1 / (1 + math.exp(2.2))
    assert f"{p:.0%}" == "10%" and f"{loss:.2f}" == "2.31" and f"{grad:.2f}" == "-0.90"
    on_p = nn.BCELoss()
    on_p(np.array([p]), np.array([1.0]))
    assert f"{float(on_p.backward()[0]):.2f}" == "-10.03"
    assert "the loss is 2.31" in text and "$\\sigma(z) - y = -0.90$" in text and "$-10.03$" in text
    assert loss_and_grad(nn.HingeLoss(), 1.3, 1.0) == (0.0, -0.0)
    # and the text before: a shrug costs ln 2, 10 % for the truth costs 2.30
    assert f"{math.log(2):.2f}" == "0.69" and f"{-math.log(0.1):.2f}" == "2.30"
    assert "0.69 ($= \\ln 2$) for a shrug" in text and "2.30 for giving the truth only 10 %" in text


def test_the_outliers_numbers(text):
    lines = {loss: O.fit(loss, 25.0, 1.0) for loss in O.LOSSES}
    assert [f"{lines[k].slope:.2f}" for k in ("MSE", "MAE", "Huber")] == ["0.96", "0.52", "0.53"]
    assert "slopes come out as 0.96 for mean squared error, 0.52 for mean absolute error and 0.53 for Huber" in text
    share = {k: O.shares(k, lines[k], 25.0, 1.0) for k in O.LOSSES}
    top = {k: float(v.max()) for k, v in share.items()}   # the outlier has the largest share
    assert [round(100 * top[k]) for k in ("MSE", "MAE", "Huber")] == [41, 6, 23]
    assert "it has 41 % of the squared error's pull, 6 % of the absolute error's" in text and "23 % of Huber's" in text
    x, y = (np.ravel(a) for a in O.data(25.0))
    error = float(lines["MSE"](x[-1]) - y[-1])                  # the outlier is the last point
    assert x[-1] == O.OUTLIER_X and f"{-error:.1f}" == "16.6" and round(2 * abs(error)) == 33
    assert "the outlier is 16.6 above the fitted line, so it pulls with 33" in text
    n = len(x)
    np.testing.assert_allclose(O.pull("MSE", lines["MSE"], 25.0)[-1], 2 * abs(error) / n)
    assert O.pull("Huber", lines["Huber"], 25.0, 1.0).max() <= 1.0 / n + 1e-12
    np.testing.assert_allclose(O.pull("MAE", lines["MAE"], 25.0), 1.0 / n)
    assert f"{O.fit('MSE', -10.0).slope:.2f}" == "0.13" and "at $-10$ the squared error's slope drops to 0.13" in text
    assert f"{O.fit('Huber', 15.0, 10.0).slope:.2f}" == f"{O.fit('MSE', 15.0).slope:.2f}" == "0.73"
    assert "(slope 0.73)" in text
    assert abs(O.fit("Huber", 25.0, 0.1).slope - O.fit("MAE", 25.0).slope) <= 0.02
    assert O.IN_LINE == 5.5 and "back in line (5.5)" in text


def test_the_margins_numbers(text):
    hinge = np.asarray(M.train("hinge").curves["train_loss"])
    assert int(np.argmax(hinge == 0)) == 254 and "exactly 0 at epoch 254" in text
    assert int(np.flatnonzero(hinge > 0).max()) == 275 and "0 for good from epoch 276" in text
    run = M.train("hinge")
    moved = max(float(np.abs(run.snapshots[500][k] - run.snapshots[400][k]).max()) for k in run.snapshots[500])
    assert moved < 1e-6 and "no weight moves by even $10^{-6}$" in text
    ends = {loss: M.margins(loss, M.EPOCHS) for loss in M.LOSSES}
    assert f"{ends['hinge'].min():.2f}" == "1.04" and "ends at 1.04" in text
    assert [f"{M.margins('bce', e).min():.2f}" for e in (250, 500)] == ["2.48", "4.18"]
    assert "2.48 at epoch 250 to 4.18 at epoch 500, four times hinge's" in text
    assert 4 <= ends["bce"].min() / ends["hinge"].min() < 4.5
    assert int(np.sum(np.abs(ends["mse"]) < 1)) == 17 and "17 of the 30 points end inside the band" in text
    assert int(np.sum((ends["mse"] >= 0.73) & (ends["mse"] < 1))) == 16
    assert "16 of them close to its edge ($0.73 \\le y s < 1$)" in text
    assert all(np.all(m > 0) for m in ends.values())  # every training point right


def test_the_cross_entropy_numbers(text):
    def ce(logits, target):
        criterion = nn.CrossEntropyLoss()
        loss = criterion(np.array([logits], dtype=float), np.array([target]))
        return loss, criterion.backward()[0]

    loss, grad = ce([1.0, 0.0, -1.0], 1)
    p = np.exp([1.0, 0.0, -1.0]) / np.exp([1.0, 0.0, -1.0]).sum()
    assert [f"{v:.0%}" for v in p[:2]] + [f"{p[2]:.1%}"] == ["67%", "24%", "9.0%"]
    assert f"{loss:.2f}" == "1.41" and [f"{g:+.2f}" for g in grad] == ["+0.67", "-0.76", "+0.09"]
    assert "67 %, 24 % and 9.0 %" in text and "$-\\ln 0.24 = 1.41$" in text
    assert "$(+0.67, -0.76, +0.09)$" in text and abs(grad.sum()) < 1e-12
    assert f"{ce([1.0, 4.0, -1.0], 1)[0]:.3f}" == "0.055" and "falls to 0.055" in text
    gaps = [ce([g / 2, -g / 2, -4.0], 1)[0] for g in (2, 4, 8)]
    assert [f"{v:.2f}" for v in gaps] == ["2.13", "4.02", "8.00"]
    assert all(g <= v <= g + math.log(3) for g, v in zip((2, 4, 8), gaps))
    assert "gaps of 2, 4 and 8 cost 2.13, 4.02 and 8.00" in text
    assert f"{ce([2.0, 2.0, 2.0], 0)[0]:.2f}" == f"{math.log(3):.2f}" == "1.10"


def test_the_kl_numbers(text):
    far = {d: K.fit(d, 8.0) for d in K.DIRECTIONS}
    assert f"{far['forward'].sigma:.2f}" == f"{math.sqrt(17):.2f}" == "4.12" and "$\\sigma = \\sqrt{17} = 4.12$" in text
    assert abs(far["forward"].mu) < 1e-3
    reverse = far["reverse"]
    assert (f"{abs(reverse.mu):.2f}", f"{reverse.sigma:.2f}", f"{reverse.kl:.3f}") == ("4.00", "1.00", "0.693")
    assert reverse.kl < math.log(2) and "divergence of 0.693, just below $\\ln 2$" in text
    mid = {d: K.fit(d, 4.0) for d in K.DIRECTIONS}
    assert abs(mid["reverse"].mu) < 1e-3 and f"{mid['reverse'].sigma:.2f}" == "2.05"
    assert f"{mid['forward'].sigma:.2f}" == f"{math.sqrt(5):.2f}" == "2.24"
    assert "$\\sigma = 2.05$ (the forward fit has $\\sqrt 5 = 2.24$)" in text
    assert abs(K.fit("reverse", 5.5).mu) < 0.1 and abs(K.fit("reverse", 5.7).mu) > 2
    assert "Between 5.5 and 5.7 it jumps" in text

    def valleys(d):
        prof = K.fit("reverse", d).profile
        return [(K.MUS[i], prof[i]) for i in range(1, len(prof) - 1) if prof[i - 1] > prof[i] < prof[i + 1]]
    assert len(valleys(4.0)) == 1 and len(valleys(5.0)) == 3
    assert valleys(5.5)[1][1] < valleys(5.5)[0][1]                # at 5.5 the middle is lower
    assert valleys(6.0)[0][1] < valleys(6.0)[1][1]                # at 6 the sides are
    assert "beyond 5.6 the side valleys are the lower ones" in text


def test_the_stable_form_numbers(text):
    assert 1 / (1 + math.exp(-40.0)) == 1.0                     # sigma(40) rounds to 1
    assert f"{math.exp(-40.0):.0e}" == "4e-18" and "$\\sigma(40) = 1 - 4 \\cdot 10^{-18}$" in text
    assert "which reports 100" in text and "the gradient is exactly 0" in text
    sigmoid, bce = nn.Sigmoid(), nn.BCELoss()
    bce(sigmoid(np.array([-40.0])), np.array([1.0]))
    assert round(-1 / float(sigmoid.backward(bce.backward())[0]), -3) == 235_000
    assert "about 235,000 times too small" in text
    model = nn.Sequential(nn.Linear(20, 64, rng=1), nn.ReLU(), nn.Linear(64, 10, rng=2))
    rng = np.random.default_rng(0)  # the notebook's: its first draws are these
    x = rng.normal(size=(500, 20))
    labels = rng.integers(0, 10, size=500)
    assert f"{nn.CrossEntropyLoss()(10 * model(x), labels):.2f}" == "4.95"
    assert "the loss is 4.95" in text
    one = nn.KLDivLoss()
    p, q = np.array([0.8, 0.2]), np.array([0.5, 0.5])
    assert one(np.log(q), p) == pytest.approx(one(np.log(q)[None], p[None]) / 2)  # the 1-D trap
    assert "give it the shape $(1, C)$" in text
