"""The backprop scene: one neuron's loss as a graph, forward then backward, one node a step.
Expected numbers are written here from the closed form L = (tanh(w1 x1 + w2 x2 + b) - y)^2,
with its derivatives and finite differences, and from a fresh run of the engine."""

import math
import re
import statistics
import time
import warnings

import numpy as np
import pytest

from course_utils import gif
from course_utils.graph import number
from course_utils.nn.autograd import Value
from course_utils.scenes import backprop as B
from course_utils.scenes.backprop import BackpropScene

NAMES = ("x1", "x2", "w1", "w2", "b")
POINTS = [B.DEFAULTS, dict(x1=-1.3, x2=0.7, w1=1.9, w2=-0.4, b=-2.0), dict(x1=2.0, x2=2.0, w1=-2.0, w2=-2.0, b=2.0)]


def loss(x1, x2, w1, w2, b, y=1.0):
    return (math.tanh(w1 * x1 + w2 * x2 + b) - y) ** 2


def closed_form(x1, x2, w1, w2, b, y=1.0):
    """dL/d(x1, x2, w1, w2, b) = 2 (o - y)(1 - o^2) * (w1, w2, x1, x2, 1)."""
    o = math.tanh(w1 * x1 + w2 * x2 + b)
    g = 2 * (o - y) * (1 - o * o)
    return dict(x1=g * w1, x2=g * w2, w1=g * x1, w2=g * x2, b=g)


def finite_differences(point, h=1e-6):
    out = {}
    for name in NAMES:
        up, down = dict(point), dict(point)
        up[name] += h
        down[name] -= h
        out[name] = (loss(**up) - loss(**down)) / (2 * h)
    return out


def engine(x1, x2, w1, w2, b):
    """The same expression built here with Values, and its backward pass: {name: Value}."""
    v = {k: Value(val) for k, val in dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, y=1.0).items()}
    v["p1"], v["p2"] = v["w1"] * v["x1"], v["w2"] * v["x2"]
    v["s"] = v["p1"] + v["p2"]
    v["n"] = v["s"] + v["b"]
    v["o"] = v["n"].tanh()
    v["d"] = v["o"] - v["y"]
    v["L"] = v["d"] ** 2
    v["L"].backward()
    return v


def minus(text):
    return float(text.replace("\u2212", "-").strip("()"))


@pytest.mark.parametrize("point", POINTS)
def test_every_step_shows_the_engines_numbers_for_visited_nodes_and_blanks_for_the_others(point):
    scene = BackpropScene(**point, step=0)
    truth = engine(**point)
    order = scene.order
    assert sorted(order) == sorted(truth) and len(order) == B.NODES == 13
    for step in range(B.STEPS + 1):
        scene.set(step=step)
        forward = order[:min(step, B.NODES)]
        backward = order[::-1][:max(0, step - B.NODES)]
        for name, (data, grad) in scene.shown().items():
            assert data == (number(truth[name].data) if name in forward else ""), (step, name)
            assert grad == (number(truth[name].grad) if name in backward else ""), (step, name)
        phase, at = scene.step_of()
        assert at == (None if step == 0 else forward[-1] if step <= B.NODES else backward[-1])


def test_the_forward_order_is_topological_and_goes_left_to_right():
    scene = BackpropScene()
    position = {name: i for i, name in enumerate(scene.order)}
    for name, node in scene.nodes.items():
        for child in node.children:
            assert position[child.label] < position[name]
    xs = [scene.centre[name][0] for name in scene.order]
    assert xs == sorted(xs) and scene.order[-1] == "L"


@pytest.mark.parametrize("point", POINTS)
def test_backward_captions_multiply_out_to_the_engines_gradients(point):
    scene = BackpropScene(**point)
    truth = engine(**point)
    users = {"x1": "p1", "w1": "p1", "x2": "p2", "w2": "p2", "p1": "s", "p2": "s", "s": "n", "b": "n",
             "n": "o", "o": "d", "y": "d", "d": "L"}
    for step in range(B.NODES + 1, B.STEPS + 1):
        scene.set(step=step)
        _, name = scene.step_of()
        text = scene.caption.get_text()
        if name == "L":
            assert text == "\u2202L/\u2202L = 1.00"
            continue
        user = users[name]
        assert text.startswith(f"\u2202L/\u2202{name} = \u2202L/\u2202{user} \u00b7 \u2202{user}/\u2202{name} = ")
        upstream, local, result = (minus(t) for t in re.findall(r"\(?\u2212?\d+\.\d\d\)?", text.split(" = ", 2)[2]))
        parent = truth[user]
        exact_local = parent.local_grads[[c is truth[name] for c in parent.children].index(True)]
        assert upstream == float(number(parent.grad).replace("\u2212", "-"))
        assert local == pytest.approx(exact_local, abs=0.005)
        assert result == float(number(truth[name].grad).replace("\u2212", "-"))
        assert parent.grad * exact_local == pytest.approx(truth[name].grad, rel=1e-12, abs=1e-15)
        assert upstream * local == pytest.approx(result, abs=0.03)  # the rounded numbers, multiplied


def test_forward_captions_compute_each_value():
    scene = BackpropScene(step=5)  # p1 = w1·x1
    assert scene.step_of() == ("forward", "p1")
    assert scene.caption.get_text() == "p1 = w1\u00b7x1 = 0.50 \u00d7 2.00 = 1.00"
    scene.set(step=6)
    assert scene.caption.get_text() == "p2 = w2\u00b7x2 = 1.00 \u00d7 (\u22121.00) = \u22121.00"
    scene.set(step=10)
    assert scene.caption.get_text() == f"o = tanh(n) = tanh(0.50) = {math.tanh(0.5):.2f}"


@pytest.mark.parametrize("point", POINTS)
def test_gradients_match_finite_differences_and_the_closed_form(point):
    scene = BackpropScene(**point)  # the last step: every gradient shown
    numeric, exact = finite_differences(point), closed_form(**point)
    for name in NAMES:
        assert scene.nodes[name].grad == pytest.approx(exact[name], rel=1e-9, abs=1e-12)
        assert numeric[name] == pytest.approx(exact[name], rel=1e-5, abs=1e-8)
        assert scene.shown()[name][1] == number(exact[name])
    assert scene.nodes["L"].data == pytest.approx(loss(**point), rel=1e-12)


def test_the_numbers_the_notebook_can_quote():
    """At the default sliders (x1 = 2, x2 = −1, w1 = 0.5, w2 = 1, b = 0.5): n = 0.5,
    o = 0.46, L = 0.29; ∂L/∂w1 = −1.69, ∂L/∂w2 = 0.85, ∂L/∂b = −0.85, ∂L/∂x1 = −0.42,
    ∂L/∂x2 = −0.85."""
    d = B.DEFAULTS
    assert d == dict(x1=2.0, x2=-1.0, w1=0.5, w2=1.0, b=0.5)
    o = math.tanh(0.5)
    assert f"{o:.2f}" == "0.46" and f"{loss(**d):.2f}" == "0.29"
    g = closed_form(**d)
    assert {k: f"{v:.2f}" for k, v in g.items()} == dict(w1="-1.69", w2="0.85", b="-0.85", x1="-0.42", x2="-0.85")
    shown = BackpropScene().shown()
    assert shown["L"] == ("0.29", "1.00") and shown["w1"][1] == "\u22121.69"


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = BackpropScene()
        for corner in BackpropScene.corner_values():
            scene.set(**corner)
            assert scene.render().std() > 0


def test_an_updated_frame_equals_a_fresh_scene():
    scene = BackpropScene()
    scene.render()
    for changes in (dict(step=3), dict(x1=-2.0, step=20), dict(w2=2.0, b=-2.0, step=9)):
        scene.set(**changes)
        scene.render()
    assert np.array_equal(scene.render(), BackpropScene(**dict(scene.values)).render())


def test_bad_input_is_refused_and_the_picture_stays():
    scene = BackpropScene(step=8)
    before = scene.render()
    for bad in (dict(x1=2.5), dict(w1="one"), dict(step=B.STEPS + 1), dict(step=1.5), dict(b=float("nan"))):
        with pytest.raises((ValueError, TypeError)):
            scene.set(**bad)
        assert np.array_equal(scene.render(), before)
        assert scene.values["step"] == 8


def test_a_step_or_a_slider_answers_in_40_ms():
    scene = BackpropScene()
    for step in range(B.STEPS + 1):  # first visit of every step
        scene.set(step=step)
        scene.to_png()
    times = []
    for step in range(B.STEPS + 1):
        start = time.perf_counter()
        scene.set(step=step)
        scene.to_png()
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.040
    times = []
    for k in range(20):
        start = time.perf_counter()
        scene.set(w1=round(-2.0 + 0.2 * k, 1))
        scene.to_png()
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.040


def test_the_gif_walks_forward_then_backward_and_is_small():
    frames = [changes for changes, _ in BackpropScene().storyboard()]
    assert [f["step"] for f in frames] == list(range(B.STEPS + 1))
    assert all({k: f[k] for k in NAMES} == B.DEFAULTS for f in frames)
    path = gif.IMGS / "backprop.gif"
    assert path.exists() and len(path.read_bytes()) < 300_000
    assert not gif.is_stale(BackpropScene)
