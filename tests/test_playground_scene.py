"""The playground widget (course_utils/scenes/playground.py): what follows from a change,
where the epoch stops, the Step and Reset buttons, saving and loading, and what the
picture shows: the heading's numbers, the confusion matrix, the neurons' thumbnails and
the links, each computed here from the network's weights with a forward pass written in
this file."""

import json
import re
import warnings

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from course_utils import data, nn, style
from course_utils import playground as pg
from course_utils.scenes.playground import THUMB, PlaygroundScene, parse_hidden

CELL = THUMB  # a thumbnail is THUMB cells of the diagram on a side

EARLY = dict(data="xor", noise=0.3, hidden="8 8", optimizer="Adam", lr=0.03, patience=5)
BLOWS = dict(data="plane", activation="ReLU", lr=1.0)  # blows up in epoch 22 (see test_playground)


def layers(scene):
    return [m for m in scene.run.trainer.model if isinstance(m, nn.Linear)]


def weights(scene):
    return scene.run.trainer.model.state_dict()


def same_bits(a, b):
    return a.keys() == b.keys() and all(
        np.array_equal(a[k].view(np.uint64), b[k].view(np.uint64)) for k in a)


def forward(scene, points, activation=np.tanh):
    """[features, hidden layer 1, ..., output (linear)] for ``points``, from the weights."""
    names = [f for f in pg.FEATURES if f in scene.run.trainer.setting.features]
    mine = {"x₁": points[:, 0], "x₂": points[:, 1], "x₁²": points[:, 0] ** 2,
            "x₂²": points[:, 1] ** 2, "x₁x₂": points[:, 0] * points[:, 1],
            "sin x₁": np.sin(points[:, 0]), "sin x₂": np.sin(points[:, 1])}
    values = [np.column_stack([mine[n] for n in names])]
    linear = layers(scene)
    for i, layer in enumerate(linear):
        z = values[-1] @ layer.weight.data.T + layer.bias.data
        values.append(activation(z) if i < len(linear) - 1 else z)
    return values


def pixel_at(scene, pixels, ax, xy):
    x, y = ax.transData.transform(xy)
    return pixels[int(pixels.shape[0] - y), int(x)].astype(int)


def byte_colour(rgba):
    return np.round(np.asarray(rgba)[:3] * 255).astype(int)


@pytest.fixture(scope="module")
def scene():
    return PlaygroundScene()


# ----------------------------------------------------------------------------- what follows

def test_a_change_to_the_run_starts_it_again_and_a_change_to_the_view_does_not(scene):
    scene.set(step=20)
    scene.set(show_test=True)
    assert scene.values["step"] == 20
    scene.set(discretize=True, epochs=200)
    assert scene.values["step"] == 20
    scene.set(lr=0.1)
    assert scene.values["step"] == 0
    scene.set(lr=0.03, step=5)  # an epoch given with the change is kept
    assert scene.values["step"] == 5
    scene.set(f_x1sq=True)
    assert scene.values["step"] == 0
    scene.set(f_x1sq=False, show_test=False, discretize=False, epochs=500)


def test_a_data_set_of_another_kind_brings_a_loss_that_fits_it():
    scene = PlaygroundScene(loss="hinge", step=3)
    scene.set(data="plane")
    assert scene.values["loss"] == "squared error" and scene.values["step"] == 0
    scene.set(loss="Huber")
    scene.set(data="three blobs")
    assert scene.values["loss"] == "cross-entropy"
    scene.set(loss="squared error")
    scene.set(data="bumps")  # squared error fits regression too: it stays
    assert scene.values["loss"] == "squared error"
    scene.set(data="spiral")
    assert scene.values["loss"] == "squared error"
    scene.set(data="circle", loss="hinge")  # a loss given with the data is kept
    assert scene.values["loss"] == "hinge"


def test_a_loss_that_does_not_fit_is_refused_and_nothing_changes():
    scene = PlaygroundScene(data="three blobs", step=4)
    values, frame = dict(scene.values), scene.render()
    for changes in ({"loss": "hinge"}, {"loss": "Huber"}, {"data": "circle", "loss": "Huber"},
                    {"data": "plane", "loss": "hinge"}, {"data": "yours"}):
        with pytest.raises(ValueError) as info:
            scene.set(**changes)
        assert "Traceback" not in str(info.value)
        assert scene.values == values and np.array_equal(scene.render(), frame), changes
    with pytest.raises(ValueError, match="hinge loss does not fit classes data.*cross-entropy"):
        scene.set(loss="hinge")
    with pytest.raises(ValueError, match="no data of yours"):
        scene.set(data="yours")


def test_no_feature_is_a_plain_error_and_nothing_changes():
    scene = PlaygroundScene(step=2)
    values, frame = dict(scene.values), scene.render()
    with pytest.raises(ValueError, match="feature"):
        scene.set(f_x1=False, f_x2=False)
    assert scene.values == values and np.array_equal(scene.render(), frame)
    scene.set(step=3)  # and the widget goes on
    assert scene.run.at == 3


@pytest.mark.parametrize("text,sizes", [("4 2", (4, 2)), ("8, 8, 8", (8, 8, 8)), ("", ()),
                                        ("  3  ", (3,)), ("1,2", (1, 2)), ("1 2 3 4 5 6", (1, 2, 3, 4, 5, 6))])
def test_parse_hidden_reads_neurons_per_layer(text, sizes):
    assert parse_hidden(text) == sizes


@pytest.mark.parametrize("text,words", [
    ("9", "1 to 8 neurons.*9"), ("0", "1 to 8 neurons"), ("-1", "1 to 8 neurons"),
    ("4 two", "whole numbers.*'4 two'"), ("2.5", "whole numbers"), ("1 1 1 1 1 1 1", "at most 6.*7"),
    ("4;2", "whole numbers")])
def test_parse_hidden_says_what_is_wrong(text, words, scene):
    with pytest.raises(ValueError, match=words):
        parse_hidden(text)
    values = dict(scene.values)
    with pytest.raises(ValueError, match="hidden layers: "):
        scene.set(hidden=text)
    assert scene.values == values


def test_a_hidden_text_that_is_not_text_is_named(scene):
    with pytest.raises(TypeError, match="must be text"):
        scene.set(hidden=3)


# ----------------------------------------------------------------------------- where it stops

def test_the_epoch_stops_where_early_stopping_ended_the_run():
    scene = PlaygroundScene(**EARLY, step=300)
    end = scene.run.end
    assert end is not None and scene.values["step"] == end == scene.run.at == scene.step_max()
    scene.set(step=400)
    assert scene.values["step"] == end
    before = dict(scene.values)
    with pytest.raises(ValueError, match="at its end"):
        scene.act("step_once")
    assert scene.values == before
    assert scene.subheading.get_visible() and scene.subheading.get_text() == scene.run.end_message
    assert scene.run.end_message in scene.summary()
    scene.act("reset")
    assert scene.values["step"] == 0 and scene.run.at == 0 and not scene.subheading.get_visible()
    scene.act("step_once")
    assert scene.values["step"] == 1 and scene.run.at == 1
    scene.set(step=end - 1)
    scene.act("step_once")
    assert scene.values["step"] == end


def test_the_epoch_stops_at_stop_after():
    scene = PlaygroundScene(epochs=50, step=80)
    assert scene.values["step"] == 50 and scene.step_max() == 50
    with pytest.raises(ValueError, match="at its end"):
        scene.act("step_once")
    scene.set(epochs=100)
    scene.act("step_once")
    assert scene.values["step"] == 51 == scene.run.at


def test_a_run_that_blew_up_stops_before_it_and_says_why():
    scene = PlaygroundScene(**BLOWS, step=100)
    assert scene.values["step"] == 21 == scene.run.at == scene.step_max()
    assert scene.subheading.get_visible()
    assert scene.subheading.get_text().startswith("training blew up in epoch 22")
    assert scene.heading.get_text().startswith("epoch 21 ")


def test_stepping_into_a_blow_up_leaves_the_epoch_at_the_runs_end():
    scene = PlaygroundScene(**BLOWS, step=21)
    scene.act("step_once")
    assert scene.values["step"] == scene.run.at == scene.step_max() == 21


def test_unknown_action_is_named(scene):
    with pytest.raises(KeyError, match="step_once"):
        scene.act("train")


def test_the_corners_include_a_run_that_blows_up():
    corners = [c for c in PlaygroundScene.corner_values() if c["lr"] >= 1.0 and c["step"] == 40]
    assert corners
    setting_runs = []
    for values in corners:
        s = PlaygroundScene(**values)
        setting_runs.append(s.run.end_message)
    assert any("blew up" in m for m in setting_runs)


def test_coming_back_to_a_setting_does_not_train_it_again():
    scene = PlaygroundScene(step=15)
    run = scene.run
    scene.set(lr=0.1, step=15)
    assert scene.run is not run
    scene.set(lr=0.03, step=15)
    assert scene.run is run and run.at == 15


# ----------------------------------------------------------------------------- the picture

NUMBER = r"(\d+\.\d+|-)"


def my_losses(scene):
    """Training and test loss (cross-entropy on the logit) and test accuracy, from the weights."""
    run = scene.run
    out = []
    for points, labels in (run.train, run.test):
        z = forward(scene, points)[-1][:, 0]
        loss = np.mean(np.maximum(z, 0) - z * labels + np.log1p(np.exp(-np.abs(z))))
        out.append((loss, np.mean((z > 0) == labels)))
    return out


def test_the_heading_shows_what_the_network_measures():
    scene = PlaygroundScene(step=17, hidden="5", seed=3)
    (train_loss, _), (test_loss, test_acc) = my_losses(scene)
    got = scene.run.trainer.measure()
    np.testing.assert_allclose(got, (train_loss, test_loss, my_losses(scene)[0][1], test_acc), rtol=1e-12)
    match = re.fullmatch(rf"epoch (\d+) · training loss {NUMBER} · test loss {NUMBER} · "
                         rf"test accuracy {NUMBER} %", scene.heading.get_text())
    assert match, scene.heading.get_text()
    assert int(match[1]) == 17
    assert abs(float(match[2]) - train_loss) <= 5e-4 + 1e-12
    assert abs(float(match[3]) - test_loss) <= 5e-4 + 1e-12
    assert abs(float(match[4]) - 100 * test_acc) <= 0.05 + 1e-9
    n_train, n_test = len(scene.run.train[0]), len(scene.run.test[0])
    assert (n_train, n_test) == (250, 250)
    assert scene.notes.get_text() == (f"{2 * 5 + 5 * 1} weights and {5 + 1} biases · "
                                      f"{n_train} training points, {n_test} test points")
    assert scene.summary().startswith(f"epoch 17: training loss {match[2]}, test loss {match[3]}")


def test_a_regression_heading_has_no_accuracy_and_its_panel_is_output_against_target():
    scene = PlaygroundScene(data="bumps", hidden="6 6", step=9)
    text = scene.heading.get_text()
    assert re.fullmatch(rf"epoch 9 · training loss {NUMBER} · test loss {NUMBER}", text), text
    test_points, targets = scene.run.test
    out = forward(scene, test_points)[-1][:, 0]
    xs, ys = scene.panels.scatter_fit.get_data()
    np.testing.assert_array_equal(xs, targets)
    np.testing.assert_allclose(ys, np.clip(out, -1.3, 1.3), rtol=1e-12)
    assert scene.panels.scatter_fit.get_visible() and not scene.panels.conf.get_visible()
    assert not any(t.get_visible() for t in scene.panels.conf_texts)


def confusion(true, predicted, classes):
    counts = np.zeros((classes, classes), int)
    for t, p in zip(true, predicted):
        counts[t, p] += 1
    return counts


@pytest.mark.parametrize("values,classes", [
    (dict(step=12), 2), (dict(data="three blobs", hidden="4", step=6), 3),
    (dict(data="four quadrants", loss="squared error", hidden="3", step=2, seed=8), 4)])
def test_the_confusion_matrix_counts_the_test_points(values, classes):
    scene = PlaygroundScene(**values)
    test_points, labels = scene.run.test
    out = forward(scene, test_points)[-1]
    predicted = (out[:, 0] > 0).astype(int) if classes == 2 else out.argmax(axis=1)
    counts = confusion(labels, predicted, classes)
    shown = [t for t in scene.panels.conf_texts if t.get_visible()]
    assert len(shown) == classes * classes
    grid = np.zeros((classes, classes), int)
    for t in shown:
        j, i = t.get_position()
        grid[int(i), int(j)] = int(t.get_text())
    np.testing.assert_array_equal(grid, counts)
    assert counts.sum() == len(labels) and counts.trace() < len(labels)  # a few wrong: a real test
    np.testing.assert_allclose(scene.panels.conf.get_array(), counts / counts.sum(axis=1, keepdims=True))


def test_each_hidden_neurons_thumbnail_shows_its_value_in_the_diverging_colours():
    scene = PlaygroundScene(step=30, seed=1)
    pixels = scene.render()
    grid = data.grid(THUMB, pg.PLANE)
    values = forward(scene, grid)
    assert scene.diagram.columns == [2, 4, 2, 1]
    spread = []
    for column in (1, 2):
        for row, (x, y) in enumerate(scene.diagram.centres[column]):
            top, left = int(y - CELL / 2), int(x - CELL / 2)
            for gi, gj in ((8, 8), (2, 3), (13, 12), (0, 15)):  # grid row (x₂), grid column (x₁)
                value = values[column][gi * THUMB + gj, row]
                spread.append(value)
                centre = (left + gj + 0.5, top + (THUMB - 1 - gi) + 0.5)  # row 0 at the bottom
                got = pixel_at(scene, pixels, scene.diagram.ax, centre)
                want = byte_colour(style.DIVERGING(0.5 + 0.5 * value))
                assert np.abs(got - want).max() <= 2, (column, row, gi, gj, value, got, want)
    assert np.ptp(spread) > 1.0  # the neurons show different colours: the check means something
    # the features are drawn on their own scale: x₁ / 6 on the grid
    x, y = scene.diagram.centres[0][0]
    for gj in (0, 5, 15):
        centre = (int(x - CELL / 2) + gj + 0.5, int(y - CELL / 2) + 8 + 0.5)
        want = byte_colour(style.DIVERGING(0.5 + 0.5 * grid[gj, 0] / pg.PLANE))
        assert np.abs(pixel_at(scene, pixels, scene.diagram.ax, centre) - want).max() <= 2


def test_a_relu_neuron_is_white_where_it_is_off():
    scene = PlaygroundScene(step=5, activation="ReLU", hidden="6")
    pixels = scene.render()
    grid = data.grid(THUMB, pg.PLANE)
    values = forward(scene, grid, activation=lambda z: np.maximum(z, 0))[1]
    white = byte_colour(style.DIVERGING(0.5))
    seen = {True: 0, False: 0}
    for row, (x, y) in enumerate(scene.diagram.centres[1]):
        top, left = int(y - CELL / 2), int(x - CELL / 2)
        for gi in range(1, THUMB, 3):
            for gj in range(1, THUMB, 3):
                value = values[gi * THUMB + gj, row]
                got = pixel_at(scene, pixels, scene.diagram.ax, (left + gj + 0.5, top + THUMB - 1 - gi + 0.5))
                if value == 0:
                    assert np.abs(got - white).max() <= 2
                    seen[True] += 1
                elif value > 0.3 * values[:, row].max():
                    assert got[2] > got[0] + 10  # blue
                    seen[False] += 1
    assert seen[True] and seen[False]


@pytest.mark.parametrize("hidden,features", [("4 2", 2), ("", 3), ("8 8 8 8 8 8", 7), ("1 3", 1)])
def test_a_link_for_every_weight_coloured_by_its_sign(hidden, features):
    names = ["f_x1", "f_x2", "f_x1sq", "f_x2sq", "f_x1x2", "f_sin1", "f_sin2"]
    chosen = {n: i < features for i, n in enumerate(names)}
    scene = PlaygroundScene(hidden=hidden, step=3, **chosen)
    sizes = [features, *parse_hidden(hidden), 1]
    assert scene.diagram.columns == sizes
    segments = scene.diagram.links.get_segments()
    assert len(segments) == sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    all_weights = np.concatenate([m.weight.data.ravel() for m in layers(scene)])
    colours = [tuple(c) for c in scene.diagram.links.get_colors()]
    assert colours.count(to_rgba(style.POSITIVE)) == int((all_weights > 0).sum())
    assert colours.count(to_rgba(style.NEGATIVE)) == int((all_weights <= 0).sum())


def test_links_are_as_thick_as_their_weights_on_one_scale_for_all_layers():
    """An L2 penalty shrinks the weights: their links must look thinner than without it
    (a scale per layer would draw each layer's largest weight as thick as ever)."""
    plain = PlaygroundScene(step=100, data="circle", penalty="none")
    shrunk = PlaygroundScene(step=100, data="circle", penalty="L2", strength=0.1)
    for scene in (plain, shrunk):
        weights = np.concatenate([m.weight.data.ravel() for m in layers(scene)])
        np.testing.assert_allclose(scene.diagram.links.get_linewidths(),
                                   np.minimum(1.4 * np.abs(weights), 2.8))
    assert max(shrunk.diagram.links.get_linewidths()) < 0.6 * max(plain.diagram.links.get_linewidths())


def test_the_heatmap_is_blue_where_the_network_says_class_1():
    scene = PlaygroundScene(step=60, data="xor", hidden="4", optimizer="Adam", lr=0.03)
    pixels = scene.render()
    probe = np.random.default_rng(0).uniform(-5.8, 5.8, size=(200, 2))
    z = forward(scene, probe)[-1][:, 0]
    blue = red = 0
    for point, score in zip(probe, z):
        got = pixel_at(scene, pixels, scene.ax_out, point)
        if score > 1.5:
            assert got[2] > got[0] + 20, (point, score, got)
            blue += 1
        elif score < -1.5:
            assert got[0] > got[2] + 20, (point, score, got)
            red += 1
    assert blue > 20 and red > 20


@pytest.mark.parametrize("values,colours", [(dict(step=20, hidden="6"), 2),
                                           (dict(data="three blobs", step=10, hidden="4"), 3)])
def test_discretize_paints_one_colour_per_predicted_class(values, colours):
    scene = PlaygroundScene(**values)
    smooth = np.asarray(scene.heat.get_array()).reshape(-1, 4)
    scene.set(discretize=True)
    sharp = np.asarray(scene.heat.get_array()).reshape(-1, 4)
    assert len(np.unique(sharp, axis=0)) == colours < len(np.unique(smooth, axis=0))


def test_six_classes_of_your_own_fill_the_confusion_matrix():
    rng = np.random.default_rng(2)
    points = rng.uniform(-1, 1, size=(120, 2))
    labels = (np.floor((np.arctan2(points[:, 1], points[:, 0]) + np.pi) / (2 * np.pi) * 6) % 6).astype(int)
    scene = PlaygroundScene(points=points, labels=labels, step=3, hidden="8")
    assert scene.kind() == "classes" and scene.diagram.columns[-1] == 6
    assert sum(t.get_visible() for t in scene.panels.conf_texts) == 36
    assert sum(int(t.get_text()) for t in scene.panels.conf_texts if t.get_visible()) == len(scene.run.test[1])
    scene.render()


def test_the_points_drawn_are_the_training_and_test_points():
    scene = PlaygroundScene(step=1, train_percent=30)
    np.testing.assert_array_equal(scene.train_dots.get_offsets(), scene.run.train[0])
    np.testing.assert_array_equal(scene.test_dots.get_offsets(), scene.run.test[0])
    assert len(scene.run.train[0]) == 150 and not scene.test_dots.get_visible()
    scene.set(show_test=True)
    assert scene.test_dots.get_visible()


# ----------------------------------------------------------------------------- your data, saving

def own_data(kind, n=60):
    rng = np.random.default_rng(11)
    points = rng.normal(size=(n, 2)) * [20.0, 3.0] + [100.0, -7.0]
    if kind == "classes":
        return points, (points[:, 0] > 100).astype(int) + (points[:, 1] > -7).astype(int)
    if kind == "two classes":
        return points, points[:, 0] > 100
    return points, np.sin(points[:, 0] / 20.0)


@pytest.mark.parametrize("kind,loss", [("two classes", "cross-entropy"), ("classes", "cross-entropy"),
                                       ("regression", "squared error")])
def test_your_data_is_shown_with_a_loss_that_fits(kind, loss):
    points, labels = own_data(kind)
    scene = PlaygroundScene(points=points, labels=labels, step=4)
    assert scene.values["data"] == "yours" and scene.kind() == kind and scene.values["loss"] == loss
    x, y = scene.points()
    assert np.abs(x).max() == pytest.approx(5.0) and len(x) == 60
    assert scene.notes.get_text().endswith("30 training points, 30 test points")


def test_a_csv_file_makes_your_data(tmp_path):
    points, labels = own_data("classes", 12)
    path = tmp_path / "mine.csv"
    path.write_text("x1,x2,label\n" + "".join(f"{float(a)!r},{float(b)!r},{c}\n" for (a, b), c in zip(points, labels)))
    scene = PlaygroundScene(csv=path, step=2)
    direct = PlaygroundScene(points=points, labels=labels, step=2)
    assert scene.kind() == "classes" and same_bits(weights(scene), weights(direct))
    path.write_text("1,2,1\n3,4,2\n5,6,1\n7,8,2\n")
    with pytest.raises(ValueError, match="mine.csv: no line has class 0"):
        PlaygroundScene(csv=path)


def round_trip(scene, tmp_path):
    path = scene.save(tmp_path / "run.json")
    loaded = PlaygroundScene.load(path)
    from_text = PlaygroundScene.load(path.read_text(encoding="utf-8"))
    for other in (loaded, from_text):
        assert other.values == scene.values
        assert same_bits(weights(other), weights(scene))
        assert other.run.at == scene.run.at
    return loaded, json.loads(path.read_text(encoding="utf-8"))


def test_a_saved_run_loads_back_bit_for_bit(tmp_path):
    scene = PlaygroundScene(step=23, hidden="3 3", seed=4, optimizer="momentum", dropout=0.1,
                            penalty="L1", strength=0.001, show_test=True, epochs=100)
    _, saved = round_trip(scene, tmp_path)
    assert saved["epoch"] == 23 and saved["data"] is None
    assert saved["view"] == {"epochs": 100, "show_test": True, "discretize": False}


@pytest.mark.parametrize("kind", ["two classes", "classes", "regression"])
def test_a_saved_run_on_your_data_keeps_the_data_as_given(kind, tmp_path):
    points, labels = own_data(kind, 30)
    scene = PlaygroundScene(points=points, labels=labels, step=7, hidden="2")
    loaded, saved = round_trip(scene, tmp_path)
    assert np.array_equal(np.array(saved["data"]["points"]), points)  # as given, not fitted
    assert saved["data"]["classes"] == (kind != "regression")
    assert loaded.kind() == kind


def test_an_early_stopped_run_loads_back_at_its_end(tmp_path):
    scene = PlaygroundScene(**EARLY, step=300)
    loaded, saved = round_trip(scene, tmp_path)
    assert saved["epoch"] == scene.run.end and loaded.run.end == scene.run.end
    assert loaded.run.end_message == scene.run.end_message


def test_a_saved_file_with_other_weights_keeps_them_with_a_warning(tmp_path):
    saved = json.loads(PlaygroundScene(step=3).to_json())
    saved["weights"][0]["values"][0] += 1e-12
    with pytest.warns(UserWarning, match="does not give the saved weights"):
        loaded = PlaygroundScene.load(json.dumps(saved))
    got = loaded.run.trainer.model.state_dict()
    assert got["0.weight"].ravel()[0] == saved["weights"][0]["values"][0]  # the file's own weights
    assert loaded.run.trainer.measure() == pytest.approx(PlaygroundScene(step=3).run.trainer.measure(), abs=1e-9)
    with pytest.raises(ValueError, match="no file"):
        PlaygroundScene.load(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="not a saved playground"):
        PlaygroundScene.load("{ not json")


def edited(change):
    saved = json.loads(PlaygroundScene().to_json())
    change(saved)
    return json.dumps(saved)


@pytest.mark.parametrize("change,words", [
    (lambda s: s["setting"].update(lr=0.05), "lr"),
    (lambda s: s["setting"].update(data="moons"), "data"),
    (lambda s: s["setting"].update(hidden=[9]), "hidden"),
    (lambda s: s["setting"].update(loss="Huber"), "Huber"),
    (lambda s: s["setting"].update(data="yours"), "no data of yours"),
    (lambda s: s.update(epoch=-3), "step"),
])
def test_a_saved_file_with_a_setting_the_playground_has_not_is_refused(change, words):
    with pytest.raises(ValueError, match=words):
        PlaygroundScene.load(edited(change))


@pytest.mark.parametrize("change", [
    pytest.param(lambda s: s["setting"].pop("lr"), id="no lr"),
    pytest.param(lambda s: s["setting"].update(features=[]), id="no features"),
    pytest.param(lambda s: s["setting"].update(features=["x3"]), id="unknown feature"),
    pytest.param(lambda s: s["view"].update(spam=1), id="unknown view"),
    pytest.param(lambda s: s.update(view=[]), id="view a list"),
    pytest.param(lambda s: s.update(epoch="ten"), id="epoch text"),
])
def test_a_broken_saved_file_is_a_plain_value_error(change):
    with pytest.raises(ValueError, match="not one the playground can take|lacks|not a saved"):
        PlaygroundScene.load(edited(change))


def test_loading_warns_about_nothing(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PlaygroundScene.load(PlaygroundScene(**BLOWS, step=30).to_json())


@pytest.mark.parametrize("loss, shown", [(0.6931, "0.693"), (0.0012, "0.001"), (0.00004, "4.0e-05"),
                                         (0.0, "0.000"), (float("nan"), "-")])
def test_a_loss_near_zero_is_not_shown_as_zero(loss, shown):
    from course_utils.scenes.playground import _number

    assert _number(loss) == shown


@pytest.mark.parametrize("start, change", [
    (dict(penalty="none"), dict(strength=0.3)),          # no penalty: its strength does nothing
    (dict(penalty="L2", strength=0.0), dict(penalty="L1")),  # strength 0: neither penalty does anything
    (dict(hidden=""), dict(dropout=0.3)),                 # no hidden layer to drop neurons from
    (dict(hidden=""), dict(activation="ReLU")),
])
def test_a_control_that_does_nothing_keeps_the_run_where_it_is(start, change):
    scene = PlaygroundScene(step=30, **start)
    run, weights = scene.run, [p.data.copy() for p in scene.run.trainer.model.parameters()]
    scene.set(**change)
    assert scene.values["step"] == 30 and scene.run is run
    assert all(np.array_equal(a, p.data) for a, p in zip(weights, scene.run.trainer.model.parameters()))


def test_noise_does_nothing_to_your_own_data_and_restarts_nothing():
    rng = np.random.default_rng(0)
    scene = PlaygroundScene(points=rng.normal(size=(60, 2)), labels=np.arange(60) % 2, step=20)
    run = scene.run
    scene.set(noise=0.4)
    assert scene.values["step"] == 20 and scene.run is run


@pytest.mark.parametrize("start, change", [(dict(penalty="L2", strength=0.01), dict(strength=0.1)),
                                           (dict(), dict(dropout=0.3)), (dict(), dict(activation="ReLU"))])
def test_a_control_that_changes_the_run_starts_it_again(start, change):
    scene = PlaygroundScene(step=30, **start)
    run = scene.run
    scene.set(**change)
    assert scene.values["step"] == 0 and scene.run is not run


def test_every_neuron_has_a_grey_frame_so_a_dead_one_still_shows():
    from course_utils.network_diagram import _FRAME

    scene = PlaygroundScene(step=50, data="three blobs", hidden="8 8 8", activation="ReLU")
    canvas, cell = scene.diagram.canvas, scene.diagram.side
    for column in scene.diagram.centres:
        for x, y in column:
            top, left = int(y - cell / 2), int(x - cell / 2)
            ring = np.concatenate([canvas[top - 1, left - 1:left + cell + 1], canvas[top + cell, left - 1:left + cell + 1],
                                   canvas[top:top + cell, left - 1], canvas[top:top + cell, left + cell]])
            assert np.array_equal(ring, np.broadcast_to(_FRAME, ring.shape))


def test_picking_adadelta_brings_its_learning_rate_of_1_and_leaving_it_the_default():
    scene = PlaygroundScene(step=200)
    scene.set(optimizer="Adadelta")
    assert scene.values["lr"] == 1.0 and scene.values["step"] == 0
    assert scene.set(step=200).run.trainer.measure()[3] == 1.0
    assert PlaygroundScene(optimizer="Adadelta", lr=0.03, step=200).run.trainer.measure()[3] < 0.75
    scene.set(optimizer="Adam")
    assert scene.values["lr"] == 0.03
    scene.set(optimizer="Adadelta", lr=0.3)  # a rate given with it is kept
    assert scene.values["lr"] == 0.3


def test_discretize_leaves_a_regression_map_as_it_is():
    plain, flat = (PlaygroundScene(data="bumps", step=30, discretize=d) for d in (False, True))
    assert np.array_equal(plain.render(), flat.render())
