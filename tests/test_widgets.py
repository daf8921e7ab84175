"""The widget presenter: controls from declared parameters, a new frame on every change."""

import ipywidgets as w

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
