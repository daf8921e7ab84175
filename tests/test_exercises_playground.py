"""The Playground chapter's challenges (course_utils/exercises/playground.py): each is checked
on the playground as it is, names the rule a setting breaks, and passes a setting that
meets it once trained, the test accuracy computed here from the network's weights."""

import re
import warnings

import numpy as np
import pytest

from course_utils import nn
from course_utils.exercises import Feedback
from course_utils.exercises import playground as ex
from course_utils.scenes.playground import PlaygroundScene
from course_utils.scenes.perceptron import PerceptronScene

CHECKERS = {"xor": ex.check_xor, "xor_no_hidden": ex.check_xor_no_hidden, "spiral": ex.check_spiral}
SIN = dict(f_sin1=True, f_sin2=True)


def answer(checker, value) -> Feedback:
    """The checker's Feedback: never an exception, never a warning, always words."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = checker(value)
    assert isinstance(result, Feedback) and result.passed in (True, False, None)
    assert isinstance(result.message, str) and result.message.strip()
    assert "Traceback" not in result.message
    return result


def my_accuracy(scene, points="test"):
    """Test (or training) accuracy of the network shown, from its weights (tanh hidden
    layers, logit out)."""
    test_points, labels = scene.run.test if points == "test" else scene.run.train
    mine = {"x₁": test_points[:, 0], "x₂": test_points[:, 1], "x₁²": test_points[:, 0] ** 2,
            "x₂²": test_points[:, 1] ** 2, "x₁x₂": test_points[:, 0] * test_points[:, 1],
            "sin x₁": np.sin(test_points[:, 0]), "sin x₂": np.sin(test_points[:, 1])}
    h = np.column_stack([mine[n] for n in scene.run.trainer.setting.features])
    linear = [m for m in scene.run.trainer.model if isinstance(m, nn.Linear)]
    for i, layer in enumerate(linear):
        h = h @ layer.weight.data.T + layer.bias.data
        if i < len(linear) - 1:
            h = np.tanh(h)
    return float(np.mean((h[:, 0] > 0) == labels))


def weights_by_formula(features, hidden):
    sizes = [features, *hidden, 1]
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


@pytest.mark.parametrize("name", list(CHECKERS))
@pytest.mark.parametrize("value", [None, ...])
def test_nothing_given_is_not_attempted(name, value):
    result = answer(CHECKERS[name], value)
    assert result.passed is None and f"check_{name}(playground)" in result.message


class Broken:
    def __repr__(self):
        raise RuntimeError("no repr")


@pytest.mark.parametrize("name", list(CHECKERS))
@pytest.mark.parametrize("value", [3, "the playground", [1, 2], {"data": "xor"}, Broken(), np.zeros(3),
                                   PlaygroundScene])
def test_something_that_is_not_a_playground_is_named_plainly(name, value):
    result = answer(CHECKERS[name], value)
    assert result.passed is False and "give the playground widget (or its scene)" in result.message


def test_another_scene_is_not_a_playground():
    result = answer(ex.check_xor, PerceptronScene())
    assert result.passed is False and "PerceptronScene" in result.message


@pytest.mark.parametrize("name,shown", [("xor", "circle"), ("xor_no_hidden", "spiral"), ("spiral", "three blobs")])
def test_the_wrong_data_set_is_named(name, shown):
    scene = PlaygroundScene(data=shown)
    result = answer(CHECKERS[name], scene)
    assert result.passed is False
    data_set = ex.CHALLENGES[name][0]
    assert f"on the {data_set} data" in result.message and f"shows {shown}" in result.message


def test_your_own_data_is_the_wrong_data_set():
    scene = PlaygroundScene(points=np.random.default_rng(0).normal(size=(20, 2)), labels=np.arange(20) % 2)
    result = answer(ex.check_xor_no_hidden, scene)
    assert result.passed is False and "shows yours" in result.message


def test_xor_with_more_than_x1_and_x2_names_the_extra_features():
    result = answer(ex.check_xor, PlaygroundScene(data="xor", hidden="2", f_x1x2=True, f_sin2=True))
    assert result.passed is False
    assert re.search(r"switch off x₁x₂, sin x₂\b", result.message) and "Hint:" in result.message


@pytest.mark.parametrize("off", ["f_x1", "f_x2"])
def test_xor_without_x1_or_x2_asks_for_both(off):
    result = answer(ex.check_xor, PlaygroundScene(data="xor", hidden="3", **{off: False}))
    assert result.passed is False and "switch on both x₁ and x₂" in result.message


@pytest.mark.parametrize("hidden,total", [("4 2", 6), ("5", 5), ("1 1 1 1 1", 5)])
def test_xor_with_too_many_hidden_neurons_names_how_many(hidden, total):
    result = answer(ex.check_xor, PlaygroundScene(data="xor", hidden=hidden))
    assert result.passed is False and f"have {total} neurons" in result.message
    assert "at most 4 hidden neurons" in result.message


@pytest.mark.parametrize("hidden", ["4", "2 2", "1 1 1 1", ""])
def test_xor_with_at_most_4_hidden_neurons_breaks_no_rule(hidden):
    result = answer(ex.check_xor, PlaygroundScene(data="xor", hidden=hidden))  # at epoch 0
    assert result.passed is False and "the setting fits the challenge" in result.message


@pytest.mark.parametrize("hidden", ["1", "4 2"])
def test_xor_no_hidden_with_hidden_layers_names_them(hidden):
    result = answer(ex.check_xor_no_hidden, PlaygroundScene(data="xor", hidden=hidden))
    assert result.passed is False
    assert f"hidden layers ({hidden})" in result.message and "no hidden layer" in result.message
    assert "must do it alone" in result.message and "same sign" not in result.message  # the rule's hint


def test_xor_no_hidden_with_x1_and_x2_gets_the_feature_hint():
    scene = PlaygroundScene(data="xor", hidden="", step=100)
    assert my_accuracy(scene) < 0.95  # one straight line cannot split XOR
    result = answer(ex.check_xor_no_hidden, scene)
    assert result.passed is False and "the setting fits the challenge" in result.message
    assert "same sign" in result.message and "must do it alone" not in result.message


@pytest.mark.parametrize("hidden,features", [("8 8", 2), ("8", 7), ("5", 2), ("4", 2), ("2", 4), ("3", 4)])
def test_the_spiral_with_too_many_weights_names_how_many(hidden, features):
    names = ["f_x1", "f_x2", "f_x1sq", "f_x2sq", "f_x1x2", "f_sin1", "f_sin2"]
    chosen = {n: i < features for i, n in enumerate(names)}
    count = weights_by_formula(features, [int(h) for h in hidden.split()])
    result = answer(ex.check_spiral, PlaygroundScene(data="spiral", hidden=hidden, **chosen))
    if count > 10:
        assert result.passed is False and f"has {count} weights" in result.message
        assert "at most 10 weights" in result.message and "inputs times neurons" in result.message
    else:
        assert "the setting fits the challenge" in result.message and "sin x₁" in result.message


def test_the_spiral_with_exactly_10_weights_breaks_no_rule_but_x1_and_x2_are_not_enough():
    scene = PlaygroundScene(data="spiral", hidden="3 1", optimizer="Adam", lr=0.03, step=300)  # 2*3 + 3 + 1
    assert my_accuracy(scene) < 0.95
    result = answer(ex.check_spiral, scene)
    assert "the setting fits the challenge" in result.message


def test_a_setting_that_fits_but_is_not_trained_enough_shows_the_accuracy():
    scene = PlaygroundScene(data="xor", hidden="3", step=2)
    accuracy = my_accuracy(scene)
    assert accuracy < 0.95
    result = answer(ex.check_xor, scene)
    assert result.passed is False
    train = my_accuracy(scene, "train")
    assert (f"at epoch 2 the training accuracy is {100 * train:.1f} % and the test accuracy "
            f"{100 * accuracy:.1f} %") in result.message
    assert "95 % is needed on both" in result.message


@pytest.mark.parametrize("name", ["xor", "spiral"])
def test_a_challenge_needs_half_the_points_or_more_to_test(name):
    settings = dict(PASSING[name], train_percent=90)
    result = answer(CHECKERS[name], PlaygroundScene(**settings))
    assert result.passed is False and "90 % of the points train" in result.message
    assert "50 or less" in result.message


def test_a_lucky_test_accuracy_is_not_enough_without_the_training_accuracy():
    scene = PlaygroundScene(**PASSING["spiral"])
    assert my_accuracy(scene) >= 0.95 and my_accuracy(scene, "train") >= 0.95
    early = PlaygroundScene(**dict(PASSING["spiral"], step=60))  # on its way: one of the two still low
    train, test = my_accuracy(early, "train"), my_accuracy(early)
    result = answer(ex.check_spiral, early)
    assert (min(train, test) >= 0.95) == result.passed


def test_a_setting_the_playground_cannot_train_is_reported():
    scene = PlaygroundScene(data="xor", hidden="2")
    scene.values.update(f_x1=False, f_x2=False)  # as if the last feature were switched off
    result = answer(ex.check_xor, scene)
    assert result.passed is False and "feature" in result.message


PASSING = {
    "xor": dict(data="xor", hidden="3", optimizer="Adam", lr=0.03, step=200),
    "xor_no_hidden": dict(data="xor", hidden="", f_x1=False, f_x2=False, f_x1x2=True, step=100),
    "spiral": dict(data="spiral", hidden="2", optimizer="Adam", lr=0.01, seed=2, step=300, **SIN),
}


@pytest.mark.parametrize("name", list(PASSING))
def test_a_setting_that_meets_the_challenge_passes_once_trained(name):
    scene = PlaygroundScene(**PASSING[name])
    accuracy = my_accuracy(scene)
    assert accuracy >= 0.95
    before = (dict(scene.values), scene.run.at)
    result = answer(CHECKERS[name], scene)
    assert result.passed is True, result.message
    setting = scene.run.trainer.setting
    count = weights_by_formula(len(setting.features), setting.hidden)
    assert result.message == (f"test accuracy {100 * accuracy:.1f} % at epoch {scene.values['step']}, "
                              f"with {sum(setting.hidden)} hidden neurons and {count} weights")
    assert (dict(scene.values), scene.run.at) == before  # checking trains nothing
    for other, checker in CHECKERS.items():  # and it is this challenge's data only
        if other != name:
            assert answer(checker, scene).passed is False


def test_the_widget_is_checked_as_its_scene():
    from course_utils.widgets import interactive

    widget = interactive(PlaygroundScene(**PASSING["xor_no_hidden"]))
    assert answer(ex.check_xor_no_hidden, widget).passed is True
    widget.scene.set(hidden="2")
    result = answer(ex.check_xor_no_hidden, widget)
    assert result.passed is False and "hidden layers (2)" in result.message
