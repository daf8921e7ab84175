"""The gradient-through-depth scene: ||dL/dW_l|| for sigmoid, tanh and ReLU MLPs.

The drawn heights are checked against a forward and backward pass done here with the
engine's modules, and against central finite differences of a loss written here with
numpy (log(1 + e^-s) by np.logaddexp); the claims of the docstring and caption against
the numbers."""

import time

import numpy as np
import pytest

from course_utils import data, gif, nn
from course_utils.scenes import gradient_depth as G
from course_utils.scenes.gradient_depth import GradientDepthScene

INITS = ("default", "glorot", "he")
ACTS = G.ACTIVATION_CHOICES


def bce(scores, y):
    """mean of -y log sigmoid(s) - (1 - y) log(1 - sigmoid(s)) = mean log(1 + e^-(2y-1)s)."""
    return float(np.mean(np.logaddexp(0.0, -(2 * y - 1) * scores)))


def loss_of(model, x, y):
    return bce(model(x), y)


def drawn(scene, act):
    return np.asarray(scene.curves[act].get_ydata(), dtype=float)


@pytest.mark.parametrize("init, depth", [("he", 10), ("default", 20), ("glorot", 2), ("he", 7)])
def test_the_drawn_heights_are_the_norms_of_the_engines_weight_grads(init, depth):
    scene = GradientDepthScene(init=init, depth=depth)
    x, y = data.moons(G.N_POINTS, 0.1, rng=G.SEED)
    y = y[:, None].astype(float)
    for act in ACTS:
        model = G.gradient_network(act, init, depth)
        criterion = nn.BCEWithLogitsLoss()
        assert criterion(model(x), y) == pytest.approx(loss_of(model, x, y), rel=1e-12)
        model.zero_grad()
        model.backward(criterion.backward())
        linears = [m for m in model if isinstance(m, nn.Linear)]
        assert len(linears) == depth + 1
        expected = [np.sqrt(np.sum(m.weight.grad ** 2)) for m in linears]
        np.testing.assert_allclose(drawn(scene, act), expected, rtol=1e-12)
        np.testing.assert_array_equal(scene.curves[act].get_xdata(), np.arange(1, depth + 2))


@pytest.mark.parametrize("act", ACTS)
def test_the_gradients_are_those_of_finite_differences(act):
    """Every weight of the first and the last layer of a 3-hidden-layer net, by central
    differences of the loss written here."""
    x, y = data.moons(G.N_POINTS, 0.1, rng=G.SEED)
    y = y[:, None].astype(float)
    model = G.backward_once(act, "he", 3)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for index in (0, -1):
        w = linears[index].weight.data
        numeric = np.zeros_like(w)
        eps = 1e-6
        for ij in np.ndindex(w.shape):
            keep = w[ij]
            w[ij] = keep + eps
            plus = loss_of(model, x, y)
            w[ij] = keep - eps
            minus = loss_of(model, x, y)
            w[ij] = keep
            numeric[ij] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(linears[index].weight.grad, numeric, rtol=1e-5, atol=1e-10)
        assert G.gradient_norms(act, "he", 3)[index] == pytest.approx(np.linalg.norm(numeric), rel=1e-6)


def test_the_three_networks_share_their_starting_weights_and_each_init_its_size():
    for init in INITS:
        nets = [G.gradient_network(act, init, 4) for act in ACTS]
        for a, b in zip(nets[0], nets[1]):
            if isinstance(a, nn.Linear):
                np.testing.assert_array_equal(a.weight.data, b.weight.data)
                assert not a.bias.data.any()
    hidden = G.gradient_network("relu", "he", 4)[2].weight.data  # 16 x 16
    assert np.abs(hidden).max() <= np.sqrt(6 / 16) and np.abs(hidden).max() > 0.8 * np.sqrt(6 / 16)
    default = G.gradient_network("relu", "default", 4)[2].weight.data
    assert np.abs(default).max() <= 1 / 4 and np.abs(default).max() > 0.8 / 4
    glorot = G.gradient_network("relu", "glorot", 4)[2].weight.data
    assert np.abs(glorot).max() <= np.sqrt(6 / 32) and np.abs(glorot).max() > 0.8 * np.sqrt(6 / 32)


def test_sigmoid_shrinks_towards_the_input_and_relu_with_he_stays_level():
    # at 10 hidden layers sigmoid's first layer gets a millionth of the last's, or less
    ratios = {init: G.first_over_last("sigmoid", init, 10) for init in INITS}
    assert [f"{ratios[i]:.1e}" for i in INITS] == ["3.7e-09", "3.6e-07", "4.2e-06"]
    assert G.first_over_last("sigmoid", "he", 20) < 1e-10
    for init in INITS:
        for depth in range(G.DEPTH_MIN, G.DEPTH_MAX + 1):
            g = G.gradient_norms("sigmoid", init, depth)
            hidden = g[1:]  # every 16-wide weight and the output layer
            if init != "he":  # smaller every layer back (He's larger weights make up a little, at times)
                assert np.all(np.diff(hidden) > 0), (init, depth)
            if depth >= 5:  # on average, each hidden layer back keeps less than half
                assert (g[1] / g[-2]) ** (1 / (depth - 2)) < 0.5, (init, depth)
    factors = [(g[1] / g[-2]) ** (1 / 18) for g in (G.gradient_norms("sigmoid", i, 20) for i in INITS)]
    assert [f"{f:.2f}" for f in factors] == ["0.15", "0.24", "0.32"]  # per layer back, as the docstring says
    # ReLU with He: within a factor 20 from first to last layer, at every depth
    spreads = [G.gradient_norms("relu", "he", d).max() / G.gradient_norms("relu", "he", d).min()
               for d in range(G.DEPTH_MIN, G.DEPTH_MAX + 1)]
    assert max(spreads) < 20 and f"{max(spreads):.0f}" == "19"
    assert 0.1 < G.first_over_last("relu", "he", 20) < 1  # 0.28
    sigmoid_spread = G.gradient_norms("sigmoid", "he", 20).max() / G.gradient_norms("sigmoid", "he", 20).min()
    assert sigmoid_spread > 1e10
    # the default weights: level, but tiny, for ReLU at 20 layers
    assert G.gradient_norms("relu", "default", 20).max() < 1e-8 < G.gradient_norms("relu", "he", 20).min()


def test_every_setting_fits_the_axis():
    for init in INITS:
        for act in ACTS:
            for depth in range(G.DEPTH_MIN, G.DEPTH_MAX + 1):
                g = G.gradient_norms(act, init, depth)
                assert G.Y_LIMITS[0] < g.min() and g.max() < G.Y_LIMITS[1], (init, act, depth)


def test_the_texts_say_what_is_drawn():
    scene = GradientDepthScene(init="default", depth=20)
    numbers = [[t.get_text() for t in scene.numbers[a]] for a in ACTS]
    assert numbers == [["0.073", "6.5\u00d710\u207b\u00b9\u2077"], ["8.0\u00d710\u207b\u2076", "0.71"],
                       ["6.2\u00d710\u207b\u00b9\u2070", "0.7"]]
    assert scene.output_text.get_text() == "L = 21" and list(scene.output_line.get_xdata()) == [21, 21]
    assert "nn.Linear's default" in scene.title.get_text()


def test_corners_render_and_every_control_changes_the_picture():
    scene = GradientDepthScene()
    frames = set()
    for corner in GradientDepthScene.corner_values():
        scene.set(**corner)
        frames.add(scene.render().tobytes())
    assert len(frames) == 6


def test_bad_input_says_so_and_leaves_the_picture():
    scene = GradientDepthScene(init="glorot", depth=5)
    before = scene.render()
    for bad in (dict(depth=1), dict(depth=21), dict(depth=2.5), dict(init="xavier"), dict(depth="ten")):
        with pytest.raises((ValueError, TypeError)):
            scene.set(**bad)
        assert np.array_equal(scene.render(), before)
    for args in (("swish", "he", 3), ("relu", "lecun", 3), ("relu", "he", 0), ("relu", "he", 2.0)):
        with pytest.raises(ValueError):
            G.gradient_network(*args)


def test_a_change_redraws_fast():
    scene = GradientDepthScene()
    settings = [dict(init=i, depth=d) for i in INITS for d in (2, 10, 20)]
    for s in settings:  # computed and stamped once
        scene.set(**s)
        scene.to_png()
    times = []
    for k in range(21):
        start = time.perf_counter()
        scene.set(**settings[k % len(settings)])
        scene.to_png()
        times.append(time.perf_counter() - start)
    assert np.median(times) < 0.08  # 40 ms on a quiet machine; generous for a loaded one


def test_the_gif_is_small_and_the_storyboard_reaches_both_ends():
    frames = [c for c, _ in GradientDepthScene().storyboard()]
    assert {f["depth"] for f in frames} >= {G.DEPTH_MIN, G.DEPTH_MAX}
    assert {f["init"] for f in frames} == set(INITS)
    path = gif.IMGS / "gradient_depth.gif"
    if path.exists():
        assert len(path.read_bytes()) < 300_000
