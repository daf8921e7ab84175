"""The Backpropagation chapter: every number its prose quotes, recomputed here from the
engine and the chapter's modules (the scenes' own tests check them against closed forms
and finite differences)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from course_utils import micrograd
from course_utils.nn.autograd import Value
from course_utils.scenes import gradient_depth as G

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def text():
    cells = json.loads((ROOT / "notebooks" / "05_backpropagation.ipynb").read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown").split())


def neuron():
    x1, x2, w1, w2, b = Value(2.0), Value(-1.0), Value(0.5), Value(1.0), Value(0.5)
    n = w1 * x1 + w2 * x2 + b
    o = n.tanh()
    loss = (o - 1.0) ** 2
    loss.backward()
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, n=n, o=o, L=loss)


def test_the_neurons_numbers(text):
    v = neuron()
    assert (f"{v['n'].data:.1f}", f"{v['o'].data:.2f}", f"{v['L'].data:.2f}") == ("0.5", "0.46", "0.29")
    assert "$n = 0.5$, $o = \\tanh(0.5) = 0.46$, $L = 0.29$" in text
    assert f"{v['o'].grad:.2f}" == "-1.08" and "$\\partial L / \\partial o = 2 (o - y) = -1.08$" in text
    assert f"{v['n'].grad:.3f}" == "-0.846" and "(1 - o^2) = -0.846$" in text
    assert f"{v['w1'].grad:.2f}" == "-1.69" and "\\partial L / \\partial w_1 = -0.846 \\cdot x_1 = -1.69$" in text
    # b = -2: badly wrong, yet a smaller gradient at n
    x1, x2, w1, w2, b = (Value(z) for z in (2.0, -1.0, 0.5, 1.0, -2.0))
    n = w1 * x1 + w2 * x2 + b
    o = n.tanh()
    loss = (o - 1.0) ** 2
    loss.backward()
    assert (f"{loss.data:.2f}", f"{o.grad:.2f}", f"{1 - o.data ** 2:.2f}", f"{n.grad:.2f}") == \
        ("3.86", "-3.93", "0.07", "-0.28")
    assert "($L = 3.86$, $\\partial L / \\partial o = -3.93$)" in text and "is $-0.28$" in text
    assert v["w1"].grad == pytest.approx(v["n"].grad * 2.0)          # times x1
    o = math.tanh(0.5)
    assert v["n"].grad == pytest.approx(2 * (o - 1) * (1 - o * o))   # the closed form
    # "x2's gradient depends on w2": dL/dx2 = dL/dn * w2
    assert v["x2"].grad == pytest.approx(v["n"].grad * 1.0)


def test_the_shared_value_and_the_twice_trap(text):
    a = Value(3.0)
    c = a * a + a
    c.backward()
    assert a.grad == 7.0 and "$2a + 1 = 7$" in text
    v = neuron()
    once = v["w1"].grad
    v["L"].backward()
    assert v["w1"].grad == pytest.approx(2 * once)                   # twice: doubled
    v["L"].zero_grad()
    v["L"].backward()
    assert v["w1"].grad == pytest.approx(once)


def test_the_depth_numbers(text):
    assert f"{G.first_over_last('sigmoid', 'he', 10):.1e}" == "4.2e-06" and "$4.2 \\cdot 10^{-6}$" in text
    assert f"{G.first_over_last('sigmoid', 'default', 10):.1e}" == "3.7e-09" and "$3.7 \\cdot 10^{-9}$" in text
    norms = G.gradient_norms("sigmoid", "he", 20)
    kept = np.exp(np.log(norms[:-1] / norms[1:]).mean())   # per layer back, on average
    assert 0.28 < kept < 0.36 and "each layer keeps about a third" in text
    spread = max(G.gradient_norms("relu", "he", d).max() / G.gradient_norms("relu", "he", d).min()
                 for d in range(G.DEPTH_MIN, G.DEPTH_MAX + 1))
    assert spread <= 19.5 and round(spread) == 19 and "at most about 19 times apart" in text


def test_the_value_training_numbers(text):
    _, losses = micrograd.train_value_mlp(steps=50)
    assert (f"{losses[0]:.3f}", f"{losses[-1]:.3f}") == ("0.673", "0.288")
    model = micrograd.ValueMLP((2, 8, 1), rng=micrograd.SEED)
    x, y = micrograd.moons_set()
    loss = micrograd.value_bce_with_logits([model(list(p)) for p in x], y)
    assert len(loss.topological_order()) == 3170 and "a graph of 3,170 nodes for every step" in text
