"""The widget presenter: controls from declared parameters, a new frame on every change."""

import ipywidgets as w
import numpy as np

from course_utils.scene import Param
from course_utils.widgets import interactive
from test_scene import Dot


def test_one_control_per_parameter_of_the_right_kind():
    ui = interactive(Dot())
    assert set(ui.controls) == {"x", "colour", "step"}
    assert isinstance(ui.controls["x"], w.FloatSlider)
    assert isinstance(ui.controls["colour"], w.Dropdown)
    assert isinstance(ui.controls["step"], w.IntSlider)
    assert ui.controls["x"].description == "position"
    assert (ui.controls["x"].min, ui.controls["x"].max) == (-1.0, 1.0)
    assert ui.controls["colour"].options == (("blue", "C0"), ("orange", "C1"))


def test_changing_a_control_redraws_the_picture():
    ui = interactive(Dot())
    before = ui.image.value
    ui.controls["x"].value = 0.8
    assert ui.scene.values["x"] == 0.8
    assert ui.image.value != before
    assert ui.image.value == ui.scene.to_png()


def test_step_parameter_gets_a_play_button_and_others_do_not():
    def plays(ui):
        found = []
        stack = [ui]
        while stack:
            item = stack.pop()
            found += [item] if isinstance(item, w.Play) else []
            stack += list(getattr(item, "children", ()))
        return found

    ui = interactive(Dot())
    (play,) = plays(ui)
    assert (play.min, play.max) == (0, 3)

    class Still(Dot):
        params = Dot.params[:2]

        def draw(self):
            self.dot.set_data([self.values["x"]], [0])

    assert plays(interactive(Still())) == []


def test_repr_is_short_and_stable():
    text = repr(interactive(Dot()))
    assert text == "<interactive Dot: 3 controls>"


class Run(Dot):
    """A run whose length is the parameter ``length``; ``step`` never passes it."""

    params = Dot.params[:2] + (
        Param("step", 0, 0, 10, integer=True), Param("length", 10, 2, 10, integer=True),
        Param("lr", 0.1, 1e-3, 1.0, log=True), Param("on", True, options=(False, True)))

    def linked(self, changes):
        if "length" in changes:
            return {"step": min(self.values["step"], changes["length"])}
        return {"lr": 0.5} if changes.get("colour") == "C1" else {}

    def step_max(self):
        return self.values["length"]

    def draw(self):
        self.dot.set_data([self.values["x"]], [self.values["step"] / 10])


def test_log_and_switch_parameters_get_their_own_controls():
    ui = interactive(Run())
    lr = ui.controls["lr"]
    assert isinstance(lr, w.SelectionSlider)
    stops = [v for _, v in lr.options]
    assert stops[0] == 1e-3 and stops[-1] == 1.0 and 0.1 in stops and 0.3 in stops and 0.05 in stops
    ratios = np.array(stops[1:]) / np.array(stops[:-1])
    assert ratios.min() > 1.05 and ratios.max() < 1.35  # evenly spread over the factors
    assert isinstance(ui.controls["on"], w.Checkbox)
    lr.value = 0.3
    assert ui.scene.values["lr"] == 0.3
    ui.scene.set(lr=0.31)  # between two stops: the slider shows the nearest
    ui._sync_controls()
    assert lr.value == 0.3


def test_controls_follow_linked_values_and_play_follows_the_run():
    ui = interactive(Run(step=8))
    ui.controls["colour"].value = "C1"
    assert ui.controls["lr"].value == 0.5 == ui.scene.values["lr"]
    ui.controls["length"].value = 4
    assert ui.scene.values["step"] == 4 == ui.controls["step"].value
    assert ui.controls["step"].max == 4 == ui.play.max
    assert ui.image.value == ui.scene.to_png()
