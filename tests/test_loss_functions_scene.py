"""The loss-function scenes: six losses side by side, and one loss explained in words.

Every drawn curve is checked three ways: against the engine's criteria called here afresh,
against closed forms written below with ``math``, and (the gradients) against finite
differences of the engine's loss. The captions' numbers are checked against the closed
forms, and so are the numbers the chapter can quote."""

import math
import re
import warnings

import numpy as np
import pytest

from course_utils import gif, nn
from course_utils.scenes import loss_explorer as LE
from course_utils.scenes import loss_functions as LF
from course_utils.scenes.loss_explorer import LossExplorerScene
from course_utils.scenes.loss_functions import LossFunctionsScene
from course_utils.widgets import interactive

SCENES = (LossFunctionsScene, LossExplorerScene)


# --- closed forms, written from the textbook formulas --------------------------------

def sig(z):
    return 1 / (1 + math.exp(-z))


def mse(x, y):
    return (x - y) ** 2


def mae(x, y):
    return abs(x - y)


def huber(x, y, delta=1.0):
    d = abs(x - y)
    return 0.5 * d * d if d <= delta else delta * (d - delta / 2)


def bce(p, y):
    return -(y * math.log(p) + (1 - y) * math.log(1 - p))


def ce(z1, target):
    """Cross-entropy of softmax((0, z1, 0)); the true class is 1 for target 1, else 0."""
    logits = (0.0, z1, 0.0)
    true = 1 if target else 0
    return -math.log(math.exp(logits[true]) / sum(math.exp(v) for v in logits))


def hinge(s, label):
    """The SVM hinge, as nn.HingeLoss documents it: max(0, 1 − y s), y = ±1."""
    return max(0.0, 1 - label * s)


def kl(q1, p1):
    """KL(p ‖ q) = Σ p ln(p / q) for two outcomes."""
    return sum(p * math.log(p / q) for p, q in ((p1, q1), (1 - p1, 1 - q1)) if p > 0)


def closed_form(key, x, target):
    label = 1 if target else -1
    return {"mse": lambda: mse(x, target), "bce": lambda: bce(x, target), "ce": lambda: ce(x, target),
            "hinge": lambda: hinge(x, label), "kl": lambda: kl(x, LF.KL_TARGETS[target]),
            "huber": lambda: huber(x, target)}[key]()


def closed_gradient(key, x, target):
    """dL/d(prediction), differentiated by hand."""
    label = 1 if target else -1
    if key == "mse":
        return 2 * (x - target)
    if key == "bce":
        return (x - target) / (x * (1 - x))
    if key == "ce":
        p1 = math.exp(x) / (math.exp(x) + 2)
        return p1 - (1 if target else 0)
    if key == "hinge":
        return -label if label * x < 1 else 0.0
    if key == "kl":
        p1 = LF.KL_TARGETS[target]
        return -p1 / x + (1 - p1) / (1 - x)
    return max(-1.0, min(1.0, x - target))  # Huber, δ = 1


# --- the engine, called here afresh ----------------------------------------------------

def engine_loss(key, x, target, delta=1.0):
    """The engine's loss for one prediction of panel ``key`` (fresh criterion objects)."""
    a = np.array([x])
    if key == "mse":
        return nn.MSELoss()(a, np.array([float(target)]))
    if key == "mae":
        return nn.L1Loss()(a, np.array([float(target)]))
    if key == "huber":
        return nn.HuberLoss(delta=delta)(a, np.array([float(target)]))
    if key == "bce":
        return nn.BCELoss()(a, np.array([float(target)]))
    if key == "logits":
        return nn.BCEWithLogitsLoss()(a, np.array([float(target)]))
    if key == "hinge":
        return nn.HingeLoss()(a, np.array([1.0 if target else -1.0]))
    if key == "ce":
        return nn.CrossEntropyLoss()(np.array([[0.0, x, 0.0]]), np.array([1 if target else 0]))
    if key == "kl":
        p1 = LF.KL_TARGETS[target]
        return nn.KLDivLoss()(np.log([[x, 1 - x]]), np.array([[p1, 1 - p1]]))
    raise KeyError(key)


def engine_gradient(key, x, target, delta=1.0):
    """The engine's backward() for the same call, as dL/d(prediction) (KL: chain rule)."""
    a = np.array([x])
    y = np.array([float(target)])
    criterion = {"mse": nn.MSELoss(), "mae": nn.L1Loss(), "huber": nn.HuberLoss(delta=delta),
                 "bce": nn.BCELoss(), "logits": nn.BCEWithLogitsLoss()}.get(key)
    if criterion is not None:
        criterion(a, y)
        return float(criterion.backward()[0])
    if key == "hinge":
        criterion = nn.HingeLoss()
        criterion(a, np.array([1.0 if target else -1.0]))
        return float(criterion.backward()[0])
    if key == "ce":
        criterion = nn.CrossEntropyLoss()
        criterion(np.array([[0.0, x, 0.0]]), np.array([1 if target else 0]))
        return float(criterion.backward()[0, 1])
    p1 = LF.KL_TARGETS[target]
    criterion = nn.KLDivLoss()
    criterion(np.log([[x, 1 - x]]), np.array([[p1, 1 - p1]]))
    g = criterion.backward()[0]  # dL/d ln q
    return g[0] / x - g[1] / (1 - x)


def finite_difference(key, x, target, delta=1.0, h=1e-6):
    return (engine_loss(key, x + h, target, delta) - engine_loss(key, x - h, target, delta)) / (2 * h)


def kink(key, x, target, delta=1.0):
    """Points where the loss has no derivative (a finite difference straddles a corner)."""
    label = 1 if target else -1
    return (key == "hinge" and abs(label * x - 1) < 1e-4) or (key == "mae" and abs(x - target) < 1e-4)


def numbers(text):
    """The numbers in a caption, with its minus signs read as minus."""
    return [float(v) for v in re.findall(r"-?\d+\.?\d*", text.replace("\u2212", "-"))]


# --- the six panels ----------------------------------------------------------------------

@pytest.mark.parametrize("target", [1, 0])
@pytest.mark.parametrize("key", [p.key for p in LF.PANELS])
def test_each_panel_draws_the_engines_loss_and_gradient_and_they_are_the_closed_forms(key, target):
    scene = LossFunctionsScene(target=target)
    loss_line, grad_line = scene.lines[key]
    x, drawn_loss = (np.asarray(v) for v in loss_line.get_data())
    x2, drawn_grad = (np.asarray(v) for v in grad_line.get_data())
    np.testing.assert_array_equal(x, x2)
    panel = LF.PANEL[key]
    assert x[0] == panel.low and x[-1] == panel.high and len(x) >= 200
    np.testing.assert_allclose(drawn_loss, [engine_loss(key, v, target) for v in x], rtol=0, atol=1e-12)
    np.testing.assert_allclose(drawn_grad, [engine_gradient(key, v, target) for v in x], rtol=0, atol=1e-12)
    np.testing.assert_allclose(drawn_loss, [closed_form(key, v, target) for v in x], rtol=1e-9, atol=1e-12)
    smooth = [i for i, v in enumerate(x) if not kink(key, v, target)]
    np.testing.assert_allclose(drawn_grad[smooth], [closed_gradient(key, x[i], target) for i in smooth],
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(drawn_grad[smooth], [finite_difference(key, x[i], target) for i in smooth],
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("sweep, target", [(0.0, 1), (0.25, 1), (0.5, 0), (0.73, 0), (1.0, 1), (1.0, 0)])
def test_the_dots_and_their_values_sit_at_the_swept_prediction(sweep, target):
    scene = LossFunctionsScene(sweep=sweep, target=target)
    for panel in LF.PANELS:
        x = panel.low + sweep * (panel.high - panel.low)
        loss, grad = closed_form(panel.key, x, target), closed_gradient(panel.key, x, target)
        dot_l, dot_g = scene.dots[panel.key]
        low, high = panel.ylim
        assert dot_l.get_xdata()[0] == pytest.approx(x, abs=1e-12)
        assert dot_l.get_ydata()[0] == pytest.approx(min(max(loss, low), high), abs=1e-9)
        assert dot_g.get_ydata()[0] == pytest.approx(min(max(grad, low), high), abs=1e-9)
        # a value off the scale is a triangle on the edge, pointing the way it went
        assert dot_g.get_marker() == ("^" if grad > high else "v" if grad < low else "o")
        text_l, text_g = (t.get_text() for t in scene.texts[panel.key])
        assert text_l.startswith("L = ") and text_g.startswith(panel.grad + " = ")
        assert numbers(text_l)[-1] == pytest.approx(loss, abs=0.0051 if abs(loss) < 10 else 0.051)
        assert numbers(text_g.split("=")[-1])[0] == pytest.approx(grad, abs=0.0051 if abs(grad) < 10 else 0.051)


def test_the_readouts_say_the_numbers_a_reader_checks_by_hand():
    scene = LossFunctionsScene(sweep=0.5, target=1)  # ŷ = 0.5, p = 0.5, z₁ = 0, s = 0, q₁ = 0.5
    read = {key: tuple(t.get_text() for t in scene.texts[key]) for key in scene.texts}
    assert read["mse"] == ("L = 0.25", "dL/dŷ = \u22121.00")
    assert read["bce"] == ("L = 0.69", "dL/dp = \u22122.00")      # ln 2, and −1/p
    assert read["ce"] == ("L = 1.10", "dL/dz\u2081 = \u22120.67")  # ln 3, and 1/3 − 1
    assert read["hinge"] == ("L = 1.00", "dL/ds = \u22121.00")
    assert read["kl"] == ("L = 0.19", "dL/dq\u2081 = \u22121.20")  # 0.8 ln 1.6 + 0.2 ln 0.4
    assert read["huber"] == ("L = 0.12", "dL/dŷ = \u22120.50")
    scene.set(sweep=0.0)  # BCE at p = 0.01 with y = 1: the gradient −1/p = −100 needs the short form
    assert scene.texts["bce"][1].get_text() == "dL/dp = \u2212100.0"


def test_numbers_the_chapter_can_quote():
    # BCE of an undecided classifier (p = 0.5) is ln 2, whatever the class
    assert LF.bce_at(0.5, 1)[0] == pytest.approx(math.log(2), abs=1e-15) == pytest.approx(0.693, abs=5e-4)
    assert LF.bce_at(0.5, 0)[0] == pytest.approx(math.log(2), abs=1e-15)
    # three equal logits: cross-entropy ln 3 = 1.10, the first loss of an untrained 3-class net
    assert LF.ce_at(0.0, 1)[0] == pytest.approx(math.log(3), abs=1e-15) == pytest.approx(1.099, abs=5e-4)
    # 10 % for the true class costs −ln 0.1 = 2.30; 1 % costs 4.61; with a gradient of −1/p on p
    assert LF.bce_at(0.1, 1)[0] == pytest.approx(2.303, abs=5e-4)
    assert LF.bce_at(0.01, 1) == pytest.approx((4.605, -100.0), abs=5e-4)
    # ... but on the logit BCE's gradient σ(z) − y never exceeds 1 in size
    point = LE.explorer_point("bce", 1, 1.0, -LE.X_MAX)
    assert point["grad"] == pytest.approx(sig(-4) - 1, abs=1e-12) and -1 < point["grad"] < -0.98
    # 5 away from the target (ŷ = −4, y = 1): MSE 25 with gradient −10, MAE 5 with −1, Huber 4.5 with −1
    assert LF.mse_at(-4.0, 1) == pytest.approx((25.0, -10.0), abs=1e-12)
    assert LF.mae_at(-4.0, 1) == pytest.approx((5.0, -1.0), abs=1e-12)
    assert LF.huber_at(-4.0, 1, 1.0) == pytest.approx((4.5, -1.0), abs=1e-12)
    # MSE's gradient grows with the error, MAE's stays ±1, Huber's is capped at δ
    errors = np.linspace(0.1, 5, 50)
    assert np.all(np.diff([LF.mse_at(1 + e, 1)[1] for e in errors]) > 0)
    assert {LF.mae_at(1 + e, 1)[1] for e in errors} == {1.0} and {LF.mae_at(1 - e, 1)[1] for e in errors} == {-1.0}
    for delta in (0.1, 0.5, 1.0, 2.0):
        grads = [LF.huber_at(1 + e, 1, delta)[1] for e in errors]
        assert max(grads) == pytest.approx(delta) and min(abs(g) for g in grads) > 0
    # hinge: 1 at the boundary z = 0 for either label; 0 (and no gradient) from the margin y·z = 1 on
    assert LF.hinge_at(0.0, 1) == (1.0, -1.0) and LF.hinge_at(0.0, 0) == (1.0, 1.0)
    assert LF.hinge_at(1.0, 1) == (0.0, 0.0) and LF.hinge_at(-1.3, 0) == (0.0, 0.0)
    # KL is 0 where q = p and positive elsewhere; at q = (0.5, 0.5) against p = (0.8, 0.2) it is 0.19
    assert LF.kl_at(0.8, 1) == pytest.approx((0.0, 0.0), abs=1e-12)
    assert LF.kl_at(0.5, 1)[0] == pytest.approx(0.8 * math.log(1.6) + 0.2 * math.log(0.4), abs=1e-12)
    assert LF.kl_at(0.5, 1)[0] == pytest.approx(0.193, abs=5e-4)
    x, loss, _ = LF.curve("kl", 1)
    assert loss.min() >= -1e-15 and x[loss.argmin()] == pytest.approx(0.8, abs=0.0051)
    # Huber meets ½δ² at |d| = δ from both sides (it is smooth there), and the engine agrees
    for delta in (0.5, 1.0, 2.0):
        assert LF.huber_at(1 + delta, 1, delta)[0] == pytest.approx(0.5 * delta * delta, abs=1e-12)


def test_cross_entropy_and_kl_are_read_with_pytorchs_conventions():
    # KLDivLoss takes log-probabilities; for one distribution of shape (1, 2) 'batchmean' is the KL
    q, p = np.array([[0.3, 0.7]]), np.array([[0.8, 0.2]])
    assert nn.KLDivLoss()(np.log(q), p) == pytest.approx(kl(0.3, 0.8), abs=1e-12)
    # a 1-D input is a batch of 2 for 'batchmean' (as in PyTorch): half the KL. The scene uses (1, 2).
    assert nn.KLDivLoss()(np.log(q[0]), p[0]) == pytest.approx(kl(0.3, 0.8) / 2, abs=1e-12)
    # the CE panel with target 0 is the same logit, now belonging to a wrong class
    assert LF.ce_at(2.0, 0)[0] == pytest.approx(math.log(2 + math.exp(2)), abs=1e-12)
    assert LF.ce_at(2.0, 0)[1] == pytest.approx(math.exp(2) / (2 + math.exp(2)), abs=1e-12)


# --- the explorer ------------------------------------------------------------------------

def drawn(line):
    x, y = line.get_data()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


@pytest.mark.parametrize("target", [1, 0])
@pytest.mark.parametrize("loss, delta", [("mse", 1.0), ("mae", 1.0), ("huber", 1.0), ("huber", 0.3),
                                         ("huber", 2.0)])
def test_explorer_regression_curves_are_the_engines_and_the_closed_forms(loss, delta, target):
    scene = LossExplorerScene(loss=loss, target=target, delta=delta)
    forms = {"mse": (mse, lambda x, y: 2 * (x - y)), "mae": (mae, lambda x, y: float(np.sign(x - y))),
             "huber": (lambda x, y: huber(x, y, delta), lambda x, y: max(-delta, min(delta, x - y)))}
    x, loss_y = drawn(scene.main[0][0])
    x2, grad_y = drawn(scene.main[1][1])
    np.testing.assert_array_equal(x, x2)
    assert x[0] == -LE.X_MAX and x[-1] == LE.X_MAX
    np.testing.assert_allclose(loss_y, [engine_loss(loss, v, target, delta) for v in x], atol=1e-12, rtol=0)
    np.testing.assert_allclose(grad_y, [engine_gradient(loss, v, target, delta) for v in x], atol=1e-12, rtol=0)
    np.testing.assert_allclose(loss_y, [forms[loss][0](v, target) for v in x], atol=1e-12)
    np.testing.assert_allclose(grad_y, [forms[loss][1](v, target) for v in x], atol=1e-12)
    smooth = [i for i, v in enumerate(x) if not kink(loss, v, target)]
    np.testing.assert_allclose(grad_y[smooth], [finite_difference(loss, x[i], target, delta) for i in smooth],
                               atol=1e-5)
    # the other two regression losses, thin and grey, are the engine's too
    others = [k for k in LE.REGRESSION if k != loss]
    for k, line_l, line_g in zip(others, scene.grey[0], scene.grey[1]):
        gx, gl = drawn(line_l)
        np.testing.assert_allclose(gl, [engine_loss(k, v, target, delta) for v in gx], atol=1e-12)
        np.testing.assert_allclose(drawn(line_g)[1], [engine_gradient(k, v, target, delta) for v in gx], atol=1e-12)
        assert line_l.get_color() == LF.style.GREY and line_l.get_linewidth() < scene.main[0][0].get_linewidth()
    assert not len(drawn(scene.main[0][1])[0]) and not len(drawn(scene.main[1][0])[0])


@pytest.mark.parametrize("target", [1, 0])
@pytest.mark.parametrize("loss", ["bce", "hinge"])
def test_explorer_classification_against_z_and_against_p(loss, target):
    scene = LossExplorerScene(loss=loss, target=target)
    label = 1 if target else -1
    z, lz = drawn(scene.main[0][0])
    _, gz = drawn(scene.main[0][1])
    p, lp = drawn(scene.main[1][0])
    _, gp = drawn(scene.main[1][1])
    np.testing.assert_allclose(p, [sig(v) for v in z], atol=1e-15)
    key = "logits" if loss == "bce" else "hinge"
    np.testing.assert_allclose(lz, [engine_loss(key, v, target) for v in z], atol=1e-12)
    np.testing.assert_allclose(gz, [engine_gradient(key, v, target) for v in z], atol=1e-12)
    if loss == "bce":
        # against p: nn.BCELoss on p itself, the same numbers as on the logit
        np.testing.assert_allclose(lp, [engine_loss("bce", v, target) for v in p], atol=1e-12)
        np.testing.assert_allclose(gp, [engine_gradient("bce", v, target) for v in p], atol=1e-9, rtol=1e-9)
        np.testing.assert_allclose(lz, [bce(sig(v), target) for v in z], atol=1e-9)
        np.testing.assert_allclose(gz, [sig(v) - target for v in z], atol=1e-12)
        np.testing.assert_allclose(gp, [(sig(v) - target) / (sig(v) * (1 - sig(v))) for v in z], rtol=1e-9)
    else:
        np.testing.assert_allclose(lz, [hinge(v, label) for v in z], atol=1e-12)
        np.testing.assert_allclose(lp, lz, atol=0)
        smooth = [i for i, v in enumerate(z) if not kink("hinge", v, target)]
        np.testing.assert_allclose(gz[smooth], [-label if label * z[i] < 1 else 0.0 for i in smooth], atol=0)
        # dL/dp by the chain rule, checked by a finite difference in p: L(p) = hinge(logit p)
        h = 1e-7
        fd = [(hinge(math.log((q + h) / (1 - q - h)), label) - hinge(math.log((q - h) / (1 - q + h)), label))
              / (2 * h) for q in p[smooth]]
        np.testing.assert_allclose(gp[smooth], fd, rtol=1e-4, atol=1e-6)
    smooth = [i for i, v in enumerate(z) if not kink(key, v, target)]
    np.testing.assert_allclose(gz[smooth], [finite_difference(key, z[i], target) for i in smooth], atol=1e-5)
    # the other classification loss, grey, on the logit panel only
    other = "hinge" if loss == "bce" else "logits"
    gx, gl = drawn(scene.grey[0][0])
    np.testing.assert_allclose(gl, [engine_loss(other, v, target) for v in gx], atol=1e-12)
    assert not len(drawn(scene.grey[0][1])[0]) and not len(drawn(scene.grey[1][0])[0])


def caption(**values):
    scene = LossExplorerScene(**values)
    return tuple(t.get_text() for t in scene.lines_text)


def test_the_captions_say_the_examples_of_the_chapter():
    assert caption(loss="mse", target=1, prediction=3.0)[:2] == (
        "MSE 4.00: the prediction is 2.00 away, squared",
        "gradient dL/dŷ = 4.00: lowering the prediction lowers the loss")
    assert caption(loss="hinge", target=1, prediction=1.3)[:2] == (
        "hinge 0: the margin y·z = 1.30 is past 1, nothing to learn",
        "gradient 0: a small change of z changes nothing; against p, dL/dp = 0.00")
    assert caption(loss="hinge", target=1, prediction=1.0)[0].startswith("hinge 0: the margin y·z = 1.00 is exactly 1")
    assert caption(loss="mae", target=0, prediction=0.0)[1] == "gradient 0: the prediction is on target"
    first, second, note = caption(loss="bce", target=1, prediction=-2.2)
    q = sig(-2.2)
    assert first == f"BCE {-math.log(q):.2f} = \u2212ln {q:.3g}: the model gave the true class 10 %"
    assert first.startswith("BCE 2.31 = \u2212ln 0.0998")
    assert second == (f"gradient dL/dz = \u2212{1 - q:.2f}: raising z lowers the loss; against p, "
                      f"dL/dp = \u2212{1 / q:.2f}")
    assert note == LE.NOTES["bce"]


@pytest.mark.parametrize("loss, target, prediction, delta", [
    ("mse", 0, -3.55, 1.0), ("mse", 1, 1.0, 1.0), ("mae", 1, -4.0, 1.0), ("mae", 0, 2.35, 0.4),
    ("huber", 1, 1.5, 1.0), ("huber", 0, -4.0, 2.0), ("huber", 1, 3.2, 0.1), ("huber", 0, 0.7, 0.7),
    ("bce", 0, 3.0, 1.0), ("bce", 1, 4.0, 1.0), ("bce", 0, -0.05, 1.0),
    ("hinge", 1, -2.5, 1.0), ("hinge", 0, 0.4, 1.0), ("hinge", 0, -3.1, 1.0)])
def test_the_captions_numbers_are_the_closed_forms(loss, target, prediction, delta):
    first, second, note = caption(loss=loss, target=target, prediction=prediction, delta=delta)
    assert note == LE.NOTES[loss]
    label = 1 if target else -1
    d = abs(prediction - target)
    if loss in LE.REGRESSION:
        value = {"mse": mse, "mae": mae, "huber": lambda x, y: huber(x, y, delta)}[loss](prediction, target)
        grad = {"mse": 2 * (prediction - target), "mae": float(np.sign(prediction - target)),
                "huber": max(-delta, min(delta, prediction - target))}[loss]
        said = numbers(first)
        assert said[0] == pytest.approx(value, abs=0.0051)
        if loss != "huber":
            assert said[1] == pytest.approx(d, abs=0.0051)
        elif d <= delta:  # ½·d², within δ
            assert said[1] == pytest.approx(d, abs=0.0051) and said[2] == pytest.approx(delta, abs=0.05)
        else:  # δ·(d − δ/2), beyond δ
            assert said[1:4] == pytest.approx([delta, d, delta / 2], abs=0.05)
        symbol = "dL/dŷ"
    else:
        z = prediction
        if loss == "bce":
            q = sig(z) if target else 1 - sig(z)
            value, grad, grad_p = bce(sig(z), target), sig(z) - target, (sig(z) - target) / (sig(z) * (1 - sig(z)))
            said = numbers(first)
            assert said[:2] == pytest.approx([value, q], rel=0.005, abs=0.0051)
            assert first.endswith(f"{100 * q:.0f} %" if q >= 0.095 else f"{100 * q:.1f} %")
        else:
            value, grad = hinge(z, label), (-label if label * z < 1 else 0.0)
            grad_p = grad / (sig(z) * (1 - sig(z)))
            assert numbers(first)[0] == pytest.approx(value, abs=0.0051)
            assert numbers(first.split("margin")[1])[0] == pytest.approx(label * z, abs=0.0051)
        assert numbers(second.split("dL/dp")[1])[0] == pytest.approx(grad_p, abs=0.0051)
        symbol = "dL/dz"
    if grad == 0:
        assert second.startswith("gradient 0:")
    else:
        assert second.startswith(f"gradient {symbol} = ")
        assert numbers(second.split("=")[1])[0] == pytest.approx(grad, abs=0.0051)
        assert ("raising" if grad < 0 else "lowering") in second


def test_the_explorer_dots_sit_on_the_curves():
    scene = LossExplorerScene(loss="bce", target=0, prediction=1.5)
    p = sig(1.5)
    assert scene.dots[0][0].get_xydata()[0] == pytest.approx([1.5, bce(p, 0)], abs=1e-12)
    assert scene.dots[0][1].get_xydata()[0] == pytest.approx([1.5, p], abs=1e-12)          # σ(z) − 0
    assert scene.dots[1][0].get_xydata()[0] == pytest.approx([p, bce(p, 0)], abs=1e-12)
    assert scene.dots[1][1].get_xydata()[0] == pytest.approx([p, 1 / (1 - p)], abs=1e-9)
    scene.set(loss="mse", target=1, prediction=-4.0)  # MSE 25, off the scale: a triangle on the top edge
    assert scene.dots[0][0].get_xydata()[0] == pytest.approx([-4.0, LE._YLIM["regression"][0][1]])
    assert scene.dots[0][0].get_marker() == "^"
    assert scene.dots[1][1].get_xydata()[0] == pytest.approx([-4.0, -10.0]) and scene.dots[1][1].get_marker() == "o"


# --- both scenes: corners, bad input, GIFs -------------------------------------------------

@pytest.mark.parametrize("cls", SCENES, ids=lambda c: c.__name__)
def test_every_corner_renders_without_a_warning_and_equals_a_fresh_scene(cls):
    corners = list(cls.corner_values())
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = cls()
        for corner in corners:
            scene.set(**corner)
            assert np.array_equal(scene.render(), cls(**corner).render()), corner


def test_every_control_changes_the_picture():
    for cls, changes in ((LossFunctionsScene, dict(sweep=0.9, target=0)),
                         (LossExplorerScene, dict(loss="bce", target=0, prediction=-1.0))):
        for name, value in changes.items():
            scene = cls()
            before = scene.render()
            scene.set(**{name: value})
            assert not np.array_equal(before, scene.render()), name
    scene = LossExplorerScene(loss="huber")  # δ changes the Huber curve, and the grey one beside MSE
    before = scene.render()
    scene.set(delta=0.3)
    assert not np.array_equal(before, scene.render())


@pytest.mark.parametrize("cls, bad", [
    (LossFunctionsScene, dict(sweep=1.5)), (LossFunctionsScene, dict(sweep=-0.1)),
    (LossFunctionsScene, dict(target=2)), (LossFunctionsScene, dict(target=True)),
    (LossFunctionsScene, dict(sweep="half")), (LossExplorerScene, dict(loss="l2")),
    (LossExplorerScene, dict(prediction=4.5)), (LossExplorerScene, dict(prediction=float("nan"))),
    (LossExplorerScene, dict(delta=0.0)), (LossExplorerScene, dict(target=-1)),
    (LossExplorerScene, dict(loss="bce", prediction="z"))])
def test_bad_values_are_refused_and_the_picture_stays(cls, bad):
    scene = cls()
    before, values = scene.render(), dict(scene.values)
    with pytest.raises((ValueError, TypeError)):
        scene.set(**bad)
    assert scene.values == values and np.array_equal(scene.render(), before)
    with pytest.raises(ValueError, match="unknown loss"):
        LE.explorer_point("l2", 1, 1.0, 0.0)


def test_widget_controls():
    ui = interactive(LossExplorerScene())
    assert [label for label, _ in ui.controls["loss"].options][:2] == ["mean squared error (MSE)",
                                                                      "mean absolute error (MAE)"]
    before = ui.image.value
    ui.controls["loss"].value = "hinge"
    assert ui.image.value != before and ui.scene.values["loss"] == "hinge"
    ui = interactive(LossFunctionsScene())
    before = ui.image.value
    ui.controls["sweep"].value = 0.8
    assert ui.image.value != before


def test_storyboards_sweep_there_and_back_and_the_gifs_are_fresh_small_and_loop():
    frames = [changes for changes, _ in LossFunctionsScene().storyboard()]
    for target in (1, 0):
        sweeps = [f["sweep"] for f in frames if f["target"] == target]
        top = sweeps.index(1.0)
        assert sweeps[0] == 0.0 and sweeps[:top + 1] == sorted(sweeps[:top + 1])
        assert sweeps[top:] == sorted(sweeps[top:], reverse=True) and len(sweeps) > 2 * top - 2
    visits = [changes for changes, _ in LossExplorerScene().storyboard()]
    assert {f["loss"] for f in visits} == set(LE.NAMES)
    assert min(f["prediction"] for f in visits) <= -3 and max(f["prediction"] for f in visits) >= 3
    for cls in SCENES:
        assert not gif.is_stale(cls), f"imgs/{cls.gif_name}.gif is stale"
        data = (gif.IMGS / f"{cls.gif_name}.gif").read_bytes()
        assert len(data) < 300_000
        from PIL import Image
        import io
        im = Image.open(io.BytesIO(data))
        assert im.info.get("loop") == 0 and im.n_frames > 20
