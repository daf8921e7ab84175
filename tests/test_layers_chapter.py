"""The Layers chapter: exercise checkers, and the scene's network against closed forms
(layer sizes, parameter count, heatmaps, the layer's view of the plane, XOR)."""

import numpy as np
import pytest

from course_utils import models, nn
from course_utils.exercises import layers as exercises
from course_utils.scenes import layers
from course_utils.scenes.layers import LayersScene

# ----------------------------------------------------------------------------- exercises


def test_parameter_count_checker():
    # 2-4-4-1: (2*4 + 4) + (4*4 + 4) + (4*1 + 1) = 12 + 20 + 5
    assert exercises.check_parameter_count(37)
    assert exercises.check_parameter_count(37.0)
    assert exercises.check_parameter_count(None).passed is None
    assert exercises.check_parameter_count(...).passed is None
    weights_only = exercises.check_parameter_count(32)
    assert weights_only.passed is False and "bias" in weights_only.message
    input_bias = exercises.check_parameter_count(39)
    assert input_bias.passed is False and "input" in input_bias.message
    other = exercises.check_parameter_count(40)
    assert other.passed is False and "n_in * n_out" in other.message
    assert exercises.check_parameter_count("lots").passed is False


def test_parameter_count_checker_other_sizes():
    # 3-5-2: (3*5 + 5) + (5*2 + 2) = 20 + 12
    assert exercises.check_parameter_count(32, sizes=(3, 5, 2))
    assert not exercises.check_parameter_count(37, sizes=(3, 5, 2))


def count_right(sizes):
    total = 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        total += n_in * n_out + n_out
    return total


@pytest.mark.parametrize("student, passed", [
    (count_right, True),
    (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])), False),  # forgot the biases
    (lambda sizes: sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:])), False),  # biases of the inputs
    (lambda sizes: None, None),
    (lambda sizes: ..., None),
])
def test_count_parameters_checker(student, passed):
    result = exercises.check_count_parameters(student)
    assert result.passed is passed
    if passed is False:
        assert "count_parameters(" in result.message and "zip" in result.message


def test_count_parameters_not_implemented_and_crash():
    def todo(sizes):
        raise NotImplementedError
    assert exercises.check_count_parameters(todo).passed is None
    crash = exercises.check_count_parameters(lambda sizes: sizes[1] * sizes[2])
    assert crash.passed is False and "IndexError" in crash.message


def forward_right(x, params):
    a = x
    for i, (w, b) in enumerate(params):
        z = a @ w.T + b
        a = np.tanh(z) if i < len(params) - 1 else z
    return a


@pytest.mark.parametrize("student, passed", [
    (forward_right, True),
    (lambda x, params: np.tanh(forward_right(x, params)), False),  # tanh after the output too
    (lambda x, params: forward_right(x, [(w, 0 * b) for w, b in params]), False),  # no biases
    (lambda x, params: None, None),
])
def test_forward_checker(student, passed):
    assert exercises.check_forward(student).passed is passed


def test_xor_depth_checker():
    assert exercises.check_xor_depth(1)
    assert exercises.check_xor_depth(0).passed is False
    assert exercises.check_xor_depth(None).passed is None


# ----------------------------------------------------------------------------- the scene


@pytest.fixture(scope="module")
def scene():
    return LayersScene()


@pytest.mark.parametrize("hidden, width", [(0, 3), (1, 1), (2, 4), (3, 8)])
def test_network_has_the_requested_architecture(scene, hidden, width):
    scene.set(hidden_layers=hidden, neurons=width, activation="relu", dataset="moons")
    model = scene.run.at(scene.values["step"])
    linears = [m for m in model if isinstance(m, nn.Linear)]
    sizes = [2] + [width] * hidden + [1]
    assert scene.sizes == sizes == models.layer_sizes(hidden, width)
    assert [(m.in_features, m.out_features) for m in linears] == list(zip(sizes[:-1], sizes[1:]))
    assert sum(isinstance(m, nn.ReLU) for m in model) == hidden  # none after the output
    expected = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    assert model.num_parameters() == expected == models.count_parameters(sizes)
    assert f"{expected} weights and biases" in scene.info.get_text()
    # one visible heatmap per neuron, inputs and output included
    visible = sum(im.get_visible() for column in scene.node_images for im in column)
    assert visible == sum(sizes)


def test_parameter_count_of_the_chapter_example():
    assert models.count_parameters([2, 4, 4, 1]) == 37
    assert models.count_parameters([2, 1]) == 3
    assert models.mlp([2, 4, 4, 1], "tanh", rng=0).num_parameters() == 37


def _plane(res):
    g = np.linspace(-layers.PLANE, layers.PLANE, res)
    g1, g2 = np.meshgrid(g, g)  # rows: x2 grows upward (origin="lower")
    return np.column_stack([g1.ravel(), g2.ravel()])


@pytest.mark.parametrize("activation, f", [
    ("tanh", np.tanh),
    ("relu", lambda z: np.maximum(z, 0.0)),
    ("sigmoid", lambda z: 1.0 / (1.0 + np.exp(-z))),
])
def test_heatmap_is_the_neurons_activation_of_its_weighted_sum(scene, activation, f):
    scene.set(dataset="xor", hidden_layers=2, neurons=3, activation=activation, step=layers.STEPS)
    w1, w2, w3 = ([m.weight.data, m.bias.data] for m in scene.run.at(layers.STEPS)
                  if isinstance(m, nn.Linear))
    grid = _plane(layers.HEAT_RES)
    a1 = f(grid @ w1[0].T + w1[1])
    a2 = f(a1 @ w2[0].T + w2[1])
    prob = 1.0 / (1.0 + np.exp(-(a2 @ w3[0].T + w3[1])))
    res = (layers.HEAT_RES, layers.HEAT_RES)
    for j in range(3):
        np.testing.assert_allclose(scene.node_images[1][j].get_array(), a1[:, j].reshape(res), atol=1e-12)
        np.testing.assert_allclose(scene.node_images[2][j].get_array(), a2[:, j].reshape(res), atol=1e-12)
    np.testing.assert_allclose(scene.node_images[-1][0].get_array(), prob.reshape(res), atol=1e-12)
    # the input "neurons" show x1 and x2 themselves
    np.testing.assert_allclose(scene.node_images[0][0].get_array(), grid[:, 0].reshape(res))
    np.testing.assert_allclose(scene.node_images[0][1].get_array(), grid[:, 1].reshape(res))


def test_step_zero_shows_the_untrained_network(scene):
    scene.set(dataset="circle", hidden_layers=1, neurons=2, activation="tanh", step=0)
    fresh = models.mlp([2, 2, 1], "tanh", rng=layers.INIT_SEED)
    shown = [m for m in scene.run.at(0) if isinstance(m, nn.Linear)]
    new = [m for m in fresh if isinstance(m, nn.Linear)]
    assert len(shown) == len(new) == 2
    for a, m in zip(shown, new):
        np.testing.assert_array_equal(a.weight.data, m.weight.data)
        np.testing.assert_array_equal(a.bias.data, m.bias.data)
    assert scene.run.moments[0] == 0
    assert layers.EPOCH_AT[0] == 0 and layers.EPOCH_AT[-1] == layers.EPOCHS
    assert all(a < b for a, b in zip(layers.EPOCH_AT, layers.EPOCH_AT[1:]))


def test_layer_view_is_the_image_of_the_data(scene):
    scene.set(dataset="moons", hidden_layers=1, neurons=2, activation="tanh", layer=1, step=layers.STEPS)
    model = scene.run.at(layers.STEPS)
    w, b = model[0].weight.data, model[0].bias.data
    np.testing.assert_allclose(scene.space_points.get_offsets(), np.tanh(scene.x @ w.T + b),
                               atol=1e-12)
    # layer 0 is the input plane itself; a layer beyond the last shows the last
    scene.set(layer=0)
    np.testing.assert_allclose(scene.space_points.get_offsets(), scene.x)
    scene.set(layer=6)
    assert "layer 1" in scene.space_title.get_text()


def test_wide_layer_is_shown_through_its_two_most_varied_neurons(scene):
    scene.set(dataset="spiral", hidden_layers=2, neurons=6, activation="relu", layer=2, step=layers.STEPS)
    lin1, lin2 = (m for m in scene.run.at(layers.STEPS) if isinstance(m, nn.Linear) and m.out_features == 6)
    a2 = np.maximum(np.maximum(scene.x @ lin1.weight.data.T + lin1.bias.data, 0) @ lin2.weight.data.T
                    + lin2.bias.data, 0)
    top_two = sorted(np.argsort(-a2.std(axis=0))[:2])
    assert scene.shown_neurons[2] == tuple(top_two)
    np.testing.assert_allclose(scene.space_points.get_offsets(), a2[:, top_two], atol=1e-12)
    assert f"neuron {top_two[0] + 1} of layer 2" == scene.space_x.get_text()


def test_revisiting_a_structure_does_not_retrain(scene):
    scene.set(dataset="gaussian", hidden_layers=1, neurons=3, activation="sigmoid")
    first = scene.run
    scene.set(dataset="circle")
    assert scene.run is not first
    scene.set(dataset="gaussian", step=3)
    assert scene.run is first
    assert layers.train("gaussian", 1, 3, "sigmoid") is first


def _best_linear_accuracy_bound(x, y):
    """An upper bound on the accuracy of any straight-line classifier on (x, y).

    Any best line can be slid and turned until it passes through two data points
    without changing how the other points are classified, so trying every line through
    two points, with both sides as class 1 and the points on the line counted as right,
    bounds the best accuracy from above.
    """
    best = 0
    is1 = (y == 1)[:, None]
    for i in range(len(x) - 1):
        d = x[i + 1:] - x[i]
        side = (x - x[i]) @ np.column_stack([-d[:, 1], d[:, 0]]).T
        on, pos, neg = np.abs(side) < 1e-12, side > 1e-12, side < -1e-12
        right1 = np.sum(on | (pos & is1) | (neg & ~is1), axis=0)
        right2 = np.sum(on | (neg & is1) | (pos & ~is1), axis=0)
        best = max(best, right1.max(), right2.max())
    return best / len(x)


def test_xor_needs_a_hidden_layer():
    deep = layers.train("xor", 1, 4, "tanh")
    deep_accuracy = deep.curves["train_accuracy"][list(deep.moments)]
    assert deep_accuracy[-1] >= 0.95
    flat = layers.train("xor", 0, 4, "tanh")
    x, y = flat.data["x"], flat.data["y"][:, 0].astype(int)
    bound = _best_linear_accuracy_bound(x, y)
    assert bound <= 0.76  # no straight line gets much more than 3 of the 4 quadrants right
    assert max(flat.curves["train_accuracy"][list(flat.moments)]) <= bound


# ----------------------------------------------------------------------------- the layer shown


def test_layer_control_stays_inside_the_network():
    scene = LayersScene(dataset="circle", hidden_layers=2, neurons=2, activation="tanh", layer=2)
    scene.set(layer=5)  # past the last hidden layer: back to the last
    assert scene.values["layer"] == 2 and scene.shown == 2
    assert "layer 2" in scene.space_title.get_text()
    scene.set(hidden_layers=4)  # the last layer was shown: the new last is shown
    assert scene.values["layer"] == 4
    scene.set(layer=1)
    scene.set(hidden_layers=3)  # an inner layer stays
    assert scene.values["layer"] == 1
    scene.set(hidden_layers=0)
    assert scene.values["layer"] == 0 and "input plane" in scene.space_title.get_text()
    assert LayersScene(hidden_layers=1, layer=6).values["layer"] == 1


# ----------------------------------------------------------------------------- deep sigmoid networks

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from course_utils import data  # noqa: E402
from course_utils.nn import optim, training  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "03_layers.ipynb"


def _prose() -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]).split()) for c in cells if c["cell_type"] == "markdown")


def _spiral():
    x, y = data.spiral(200, noise=0.1, rng=layers.DATA_SEED)
    return x, y[:, None].astype(float)


def _start(act):
    """The widget's 6 x 8 spiral network before training: spreads, gradient of layer 1."""
    x, t = _spiral()
    net = models.mlp(models.layer_sizes(6, 8), act, rng=layers.INIT_SEED)
    outputs = models.layer_activations(net, x)[:-1]
    loss_fn = nn.BCEWithLogitsLoss()
    loss_fn(net(x), t)
    net.zero_grad()
    net.backward(loss_fn.backward())
    return [a.std(axis=0).mean() for a in outputs], outputs, np.linalg.norm(net[0].weight.grad)


def test_the_widget_spiral_is_the_notebooks():
    x, t = _spiral()
    run = layers.train("spiral", 6, 8, "tanh")
    np.testing.assert_array_equal(run.data["x"], x)
    np.testing.assert_array_equal(run.data["y"], t)


def test_sigmoid_layers_shrink_the_spread_and_the_gradient():
    sig, sig_out, sig_grad = _start("sigmoid")
    tanh, _, tanh_grad = _start("tanh")
    ratios = np.array(sig[:-1]) / np.array(sig[1:])
    assert np.all(ratios > 3) and 4 < np.median(ratios) < 6  # "about five-fold"
    assert sig[-1] < 1e-4 and min(tanh) > 0.09
    assert 1500 < tanh_grad / sig_grad < 2500  # "about 2,000 times smaller"
    assert abs(sig_out[-1].mean() - 0.5) < 0.1  # "around 0.5"
    assert "shrinks the differences between points about five-fold" in _prose()
    assert "about 2,000 times smaller" in _prose()


def _sgd(act):
    x, t = _spiral()
    net = models.mlp(models.layer_sizes(6, 8), act, rng=layers.INIT_SEED)
    loss_fn = nn.BCEWithLogitsLoss()
    training.fit(net, loss_fn, optim.SGD(net.parameters(), lr=0.1), x, t, epochs=500, batch_size=200,
                 shuffle=False, verbose=0)
    return training.evaluate(net, loss_fn, x, t)


def test_with_plain_sgd_the_sigmoid_network_does_not_learn():
    loss, accuracy = _sgd("sigmoid")
    assert accuracy <= 0.55 and loss > 0.69  # a coin toss: log 2 = 0.693
    loss, accuracy = _sgd("tanh")
    assert accuracy >= 0.95


def test_with_adam_the_sigmoid_weights_move_further_but_saturate():
    moved, final = {}, {}
    for act in ("sigmoid", "tanh"):
        run = layers.train("spiral", 6, 8, act)
        moved[act] = np.linalg.norm(run.snapshots[-1]["0.weight"] - run.snapshots[0]["0.weight"])
        final[act] = run.curves["train_accuracy"][-1]
    assert moved["sigmoid"] > moved["tanh"]
    assert (round(moved["sigmoid"], 1), round(moved["tanh"], 1)) == (4.4, 3.1)
    assert (round(100 * final["sigmoid"]), round(100 * final["tanh"])) in {(64, 98), (65, 98), (64, 99)}
    run = layers.train("spiral", 6, 8, "sigmoid")
    outs = models.layer_activations(run.at(-1), run.data["x"])[:-1]
    for a in outs[1:5]:  # layers 2 to 5
        assert np.mean((a < 0.05) | (a > 0.95)) > 0.5
    prose = _prose()
    assert "by 4.4 against 3.1" in prose
    assert "most outputs of layers 2 to 5 lie within 0.05 of 0 or 1" in prose
    assert "stalls at 64%" in prose and "reaches 98%" in prose


# ------------------------------------------------------- the slider and the picture agree

@pytest.mark.parametrize("k", [0, 1, 12, layers.STEPS])
def test_the_snapshot_slider_and_the_picture_agree(k):
    """The slider picks one of the recorded moments, so it is labelled "snapshot"; the
    picture names the same snapshot and the epoch the run recorded it after."""
    from course_utils.widgets import interactive

    ui = interactive(LayersScene())
    slider = ui.controls["step"]
    assert slider.description == "snapshot" and (slider.min, slider.max) == (0, layers.STEPS)
    slider.value = k
    run = ui.scene.run
    assert run.unit == "epoch"
    loss = run.curves["train_loss"][run.moments[k]]
    assert ui.scene.progress.get_text() == (f"snapshot {slider.value} of {layers.STEPS}: "
                                            f"epoch {run.moments[k]}, loss {loss:.3f}")


def test_the_chapter_names_the_snapshot_slider():
    """The prose names the slider by its label, and the browser test moves it."""
    import json
    from pathlib import Path

    from course_utils import chapters

    nb = json.loads((Path(__file__).parent.parent / "notebooks" / "03_layers.ipynb").read_text())
    prose = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "**snapshot**" in prose and "training step" not in prose
    # the numbers it states about the slider
    assert f"one of {layers.STEPS + 1} recorded moments, from the start to epoch {layers.EPOCHS}" \
        in " ".join(prose.split())
    assert layers.EPOCH_AT[0] == 0 and layers.EPOCH_AT[-1] == layers.EPOCHS
    assert chapters.chapter("03_layers").control == "snapshot" == LayersScene.param("step").label
