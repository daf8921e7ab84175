"""Challenges of the Playground chapter, checked on the playground as it is now.

Each checker takes the playground widget (or its scene), reads its setting and the run
at the epoch it shows, and says which condition is not met yet, with a hint. Nothing is
trained by the checker: what counts is what the student's own run reached.
"""

from __future__ import annotations

import math

from .. import playground as pg
from .check import Feedback, brief, unattempted

__all__ = ["CHALLENGES", "check_xor", "check_xor_no_hidden", "check_spiral"]

#: The training and the test accuracy every challenge asks for, with at most
#: MAX_TRAIN_PERCENT % of the points training (so that a lucky epoch on a few test points
#: does not count).
GOAL, MAX_TRAIN_PERCENT = 0.95, 50
#: The spiral challenge's largest number of weights: with x₁ and x₂ alone, 9 or 10 weights
#: reach at most 86 % on both sets (3 networks, 6 runs of 1000 epochs each, any epoch);
#: x₁, x₂, sin x₁ and sin x₂ into 2 neurons, 10 weights, reach 99.6 %.
SPIRAL_WEIGHTS = 10

#: name -> (data set, what the challenge asks, a hint for a setting that breaks the
#: rule, a hint for one that keeps it but is not accurate enough yet)
CHALLENGES = {
    "xor": ("xor", "x₁ and x₂ as the only features and at most 4 hidden neurons in all",
            "one hidden layer is enough: each neuron draws one line, and XOR needs a few of them",
            "if a run gets stuck, try another seed or the Adam optimizer"),
    "xor_no_hidden": ("xor", "no hidden layer at all",
                      "clear the hidden layers box: the output neuron must do it alone",
                      "with no hidden layer the output draws one straight line through the features, "
                      "and no line through x₁ and x₂ splits XOR's four quadrants. Class 1 is where x₁ "
                      "and x₂ have the same sign: which feature is positive exactly there?"),
    "spiral": ("spiral", f"at most {SPIRAL_WEIGHTS} weights (biases not counted)",
               "count the weights layer by layer (inputs times neurons): fewer or smaller layers, or "
               "fewer features, bring the count down",
               "with so few weights, x₁ and x₂ alone are not enough: look at the sin x₁ and sin x₂ "
               "thumbnails, which already wind like the arms; and try a few seeds"),
}


def _scene(playground):
    from ..scenes.playground import PlaygroundScene

    scene = getattr(playground, "scene", playground)
    return scene if isinstance(scene, PlaygroundScene) else None


def _check(name: str, playground, rule) -> Feedback:
    if unattempted(playground):
        return Feedback(None, "give the playground: check_{}(playground)".format(name))
    scene = _scene(playground)
    if scene is None:
        made = " (a class: make one, PlaygroundScene(...))" if isinstance(playground, type) else ""
        return Feedback(False, f"give the playground widget (or its scene); got {brief(playground)}{made}")
    data_name, asked, rule_hint, accuracy_hint = CHALLENGES[name]
    v = scene.values
    if v["data"] != data_name:
        return Feedback(False, f"this challenge is on the {data_name} data; the playground shows "
                               f"{v['data']}: pick {data_name} in the data menu")
    try:
        run = scene.run
        setting = run.trainer.setting
    except ValueError as exc:  # a setting the scene refuses (no features ...)
        return Feedback(False, f"the playground cannot train this setting: {exc}")
    if setting.train_percent > MAX_TRAIN_PERCENT:
        return Feedback(False, f"{setting.train_percent} % of the points train; set training points % "
                               f"to {MAX_TRAIN_PERCENT} or less, so that enough points test the network")
    broken = rule(setting, run)
    if broken:
        return Feedback(False, f"{broken}. The challenge: {asked}. Hint: {rule_hint}")
    _, _, train_accuracy, accuracy = run.trainer.measure()
    if not min(train_accuracy, accuracy) >= GOAL:
        shown = ["-" if not math.isfinite(a) else f"{100 * a:.1f} %" for a in (train_accuracy, accuracy)]
        return Feedback(False, f"the setting fits the challenge, and at epoch {run.at} the training "
                               f"accuracy is {shown[0]} and the test accuracy {shown[1]}; "
                               f"{100 * GOAL:.0f} % is needed on both. Press Play to train further, or "
                               f"change the learning rate, optimizer or seed. Hint: {accuracy_hint}")
    weights, _ = pg.count_weights(run.trainer.model)
    return Feedback(True, f"test accuracy {100 * accuracy:.1f} % at epoch {run.at}, with "
                          f"{sum(setting.hidden)} hidden neurons and {weights} weights")


def _xor_rule(setting, run) -> str:
    extra = [f for f in setting.features if f not in ("x₁", "x₂")]
    if extra:
        return f"switch off {', '.join(extra)}: only x₁ and x₂ may be on"
    if len(setting.features) < 2:
        return "switch on both x₁ and x₂"
    if sum(setting.hidden) > 4:
        return f"the hidden layers ({' '.join(map(str, setting.hidden))}) have {sum(setting.hidden)} neurons"
    return ""


def _no_hidden_rule(setting, run) -> str:
    if setting.hidden:
        return f"the network has hidden layers ({' '.join(map(str, setting.hidden))}): clear the hidden layers box"
    return ""


def _spiral_rule(setting, run) -> str:
    weights, _ = pg.count_weights(run.trainer.model)
    if weights > SPIRAL_WEIGHTS:
        return f"the network has {weights} weights"
    return ""


def check_xor(playground) -> Feedback:
    """XOR with only x₁ and x₂ as features and at most 4 hidden neurons: 95 % training and
    test accuracy."""
    return _check("xor", playground, _xor_rule)


def check_xor_no_hidden(playground) -> Feedback:
    """XOR with no hidden layer (any features): 95 % training and test accuracy."""
    return _check("xor_no_hidden", playground, _no_hidden_rule)


def check_spiral(playground) -> Feedback:
    """The spiral with at most SPIRAL_WEIGHTS (10) weights: 95 % training and test accuracy."""
    return _check("spiral", playground, _spiral_rule)
