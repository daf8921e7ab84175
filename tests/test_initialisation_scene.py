"""The initialisation scene: its networks are drawn as each recipe says, and the spreads
the notebook quotes are the ones it computes."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from course_utils import models, nn
from course_utils.scenes import initialisation as init
from course_utils.scenes.initialisation import InitialisationScene

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "03_layers.ipynb"


@pytest.mark.parametrize("kind, bound", [("default", 1 / math.sqrt(100)), ("glorot", math.sqrt(6 / 200)),
                                         ("he", math.sqrt(6 / 100))])
def test_weights_follow_the_recipe(kind, bound):
    net = init.deep_network("tanh", kind)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    assert len(linears) == init.DEPTH
    for m in linears:
        w = m.weight.data
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.97 * bound
        assert abs(w.var() - bound ** 2 / 3) < 0.05 * bound ** 2 / 3
        assert not m.bias.data.any()


def test_spread_is_the_rms_of_each_neurons_std():
    x = np.random.default_rng(init.SEED + 1).normal(size=(init.N_POINTS, init.WIDTH))
    net = init.deep_network("relu", "he")
    a = x
    for m in net:
        a = m(a)
    stds, shares = init.spread("relu", "he")
    assert stds[-1] == pytest.approx(np.sqrt(np.mean(a.var(axis=0))))
    assert stds[0] == pytest.approx(np.sqrt(np.mean(x.var(axis=0))))
    np.testing.assert_allclose(shares.sum(axis=1), 100.0)


def _prose() -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]).split()) for c in cells if c["cell_type"] == "markdown")


def test_the_numbers_the_notebook_quotes():
    last = {(a, k): init.spread(a, k)[0][-1] for a in init.ACTIVATION_CHOICES for _, k in init.INIT_CHOICES}
    assert f"{last['tanh', 'default']:.1g}" == "0.003"
    assert f"{last['tanh', 'glorot']:.2g}" == "0.23"
    assert f"{last['tanh', 'he']:.2g}" == "0.55"
    assert f"{last['relu', 'default']:.1g}" == "4e-05"
    assert f"{last['relu', 'glorot']:.1g}" == "0.01"
    assert f"{last['relu', 'he']:.1g}" == "0.3"
    prose = _prose()
    for text in ("spread falls to 0.003 by layer 10", "shrinks slowly (0.23)", "stays near 0.55",
                 "the default leaves 0.00004, Glorot 0.01, He 0.3"):
        assert text in prose
    # "every output sits in the first bin": ReLU with the default start, layer 10
    assert init.spread("relu", "default")[1][-1][0] == pytest.approx(100.0)


def test_the_layers_widget_starts_with_glorot_for_tanh_and_he_for_relu():
    for act, bound in (("tanh", lambda i, o: math.sqrt(6 / (i + o))), ("sigmoid", lambda i, o: math.sqrt(6 / (i + o))),
                       ("relu", lambda i, o: math.sqrt(6 / i))):
        net = models.mlp([2, 8, 8, 1], act, rng=1)
        for m in net:
            if isinstance(m, nn.Linear):
                w, b = m.weight.data, bound(m.in_features, m.out_features)
                assert np.abs(w).max() <= b and np.abs(w).max() > 1 / math.sqrt(m.in_features)


def test_scene_shows_the_chosen_layer():
    scene = InitialisationScene(activation="relu", init="default", layer=3)
    assert scene.hist_title.get_text() == f"layer 3, nn.Linear's default: spread {init.spread('relu', 'default')[0][3]:.2g}"
    assert scene.lines["default"].get_linewidth() > scene.lines["he"].get_linewidth()
