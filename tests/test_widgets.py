"""The widget presenter: controls from declared parameters, a new frame on every change."""

import ipywidgets as w
import numpy as np
import pytest

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


class Strength(Dot):
    params = Dot.params + (Param("strength", 0.01, options=(0.0, 0.001, 0.01, 0.1), slider=True),)


def test_a_choice_of_numbers_can_be_a_slider_over_its_options():
    ui = interactive(Strength())
    control = ui.controls["strength"]
    assert isinstance(control, w.SelectionSlider)
    assert [label for label, _ in control.options] == ["0", "0.001", "0.01", "0.1"]
    control.value = 0.0
    assert ui.scene.values["strength"] == 0.0
    with pytest.raises(ValueError, match="slider=True is for a choice"):
        Param("s", 0.1, 0.0, 1.0, slider=True)


def test_controls_follow_linked_values_and_play_follows_the_run():
    ui = interactive(Run(step=8))
    ui.controls["colour"].value = "C1"
    assert ui.controls["lr"].value == 0.5 == ui.scene.values["lr"]
    ui.controls["length"].value = 4
    assert ui.scene.values["step"] == 4 == ui.controls["step"].value
    assert ui.controls["step"].max == 4 == ui.play.max
    assert ui.image.value == ui.scene.to_png()


def test_a_text_param_gets_a_text_box_read_on_enter():
    from test_scene import Typed

    box = interactive(Typed()).controls["where"]
    assert isinstance(box, w.Text)
    assert box.continuous_update is False and box.description == "your point"
    assert box.value == "0.5 -0.5"


def test_a_refused_text_shows_a_plain_message_and_keeps_the_picture():
    from test_scene import Typed

    ui = interactive(Typed())
    assert ui.message in ui.children and ui.message.value == ""
    picture = ui.image.value
    ui.controls["where"].value = "0.1 0.2 0.3"
    assert "your point: give two numbers separated by a space; got 3" in ui.message.value
    assert "Traceback" not in ui.message.value
    assert ui.image.value == picture and ui.scene.values["where"] == "0.5 -0.5"
    assert ui.controls["where"].value == "0.1 0.2 0.3"  # left to be corrected
    ui.controls["where"].value = "0.1 0.2"  # the next good change clears the message
    assert ui.message.value == "" and ui.image.value != picture
    assert ui.image.value == ui.scene.to_png()


class Picky(Dot):
    """A dot that refuses, in its draw, one position its range allows."""

    def draw(self):
        if self.values["x"] > 0.9:
            raise ValueError("position: too close to the edge for this <picture>")
        super().draw()


def test_a_change_the_scene_refuses_puts_its_control_back_and_says_why():
    ui = interactive(Picky())
    picture = ui.image.value
    ui.controls["x"].value = 0.95
    assert ui.controls["x"].value == 0.0 == ui.scene.values["x"]
    assert "too close to the edge for this &lt;picture&gt;" in ui.message.value  # shown as text
    assert ui.image.value == picture
    ui.controls["colour"].value = "C1"
    assert ui.message.value == ""


def contrast_with_white(colour) -> float:
    """The WCAG contrast ratio of a colour against white (21 for black, 1 for white)."""
    from matplotlib.colors import to_rgb

    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in to_rgb(colour))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_play_says_what_its_buttons_do():
    import re

    from course_utils import widgets

    ui = interactive(Dot())
    play = ui.play
    # the browser shows a widget's tooltip only when its description is empty
    assert play.description == "" and play.tooltip == widgets.PLAY_TOOLTIP
    for word in ("play", "pause", "stop", "repeat: start again at the end"):
        assert word in play.tooltip
    assert play.show_repeat and not play.repeat  # the repeat toggle is shown, and off
    # the same words beside it, for a screen without a pointer to hover with
    row = next(r for r in ui.children if play in getattr(r, "children", ()))
    assert row.children == (play, ui.controls["step"], ui.play_help)
    assert isinstance(ui.play_help, w.HTML)
    for word in ("play / pause", "stop", "repeat: start again at the end"):
        assert word in ui.play_help.value
    (colour,) = re.findall(r"color: (#[0-9A-Fa-f]{6})", ui.play_help.value)
    assert contrast_with_white(colour) >= 4.5


def test_a_scene_without_step_gets_no_play_help():
    class Still(Dot):
        params = Dot.params[:2]

        def draw(self):
            self.dot.set_data([self.values["x"]], [0])

    ui = interactive(Still())
    assert ui.play is None and ui.play_help is None
    assert not any(isinstance(c, w.HTML) and "repeat" in c.value for c in ui.children)


#: The units a Play slider may count in: one optimizer step, one pass over the data, or
#: a recorded moment of a run (whose picture then says which epoch or update it is).
UNITS = ("update", "epoch", "snapshot")


def test_play_sliders_count_in_the_course_units():
    from course_utils.scenes.batch_size import BatchSizeScene
    from course_utils.scenes.layers import LayersScene
    from course_utils.scenes.learning_rate import LearningRateScene
    from course_utils.scenes.nonlinearity import NonlinearityScene

    labels = {cls.__name__: cls.param("step").label
              for cls in (LayersScene, NonlinearityScene, BatchSizeScene, LearningRateScene)}
    assert labels == {"LayersScene": "snapshot", "NonlinearityScene": "snapshot",
                      "BatchSizeScene": "epoch", "LearningRateScene": "update"}
    assert set(labels.values()) <= set(UNITS)


class Stepper(Dot):
    """A scene with buttons: "Nudge" moves the dot one step on; "Refuse" cannot be done."""

    actions = (("Nudge", "nudge"), ("Refuse", "refuse"))

    def nudge(self):
        self.values["step"] = min(self.values["step"] + 1, 3)

    def refuse(self):
        raise ValueError("not now: the dot is tired")

    def train(self):
        self.on_progress("training 1 of 2 ...")
        self.on_progress("training 2 of 2 ...")


def test_actions_become_buttons_that_redraw_and_move_the_controls():
    ui = interactive(Stepper())
    assert [b.description for b in ui.buttons.values()] == ["Nudge", "Refuse"]
    before = ui.image.value
    ui.buttons["nudge"].click()
    assert ui.scene.values["step"] == 1 == ui.controls["step"].value
    assert ui.image.value != before and ui.image.value == ui.scene.to_png()
    picture = ui.image.value
    ui.buttons["refuse"].click()
    assert "not now: the dot is tired" in ui.message.value and ui.image.value == picture
    ui.buttons["nudge"].click()
    assert ui.message.value == "" and ui.scene.values["step"] == 2
    assert interactive(Dot()).buttons == {}


def test_progress_messages_show_under_the_controls():
    ui = interactive(Stepper())
    seen = []
    ui.message.observe(lambda change: seen.append(change["new"]), names="value")
    ui.scene.train()
    assert len(seen) == 2 and "training 1 of 2 ..." in seen[0] and "training 2 of 2 ..." in seen[1]
    ui.scene.on_progress("")
    assert ui.message.value == ""


def test_play_moves_about_play_frames_a_run_unless_the_scene_shows_every_step():
    from course_utils.scenes.playground import PlaygroundScene
    from course_utils.widgets import PLAY_FRAMES

    ui = interactive(Run(step=8))
    assert ui.play.step == max(1, round(ui.scene.step_max() / PLAY_FRAMES))
    playground = interactive(PlaygroundScene(epochs=500))
    assert playground.play.max == 500 and playground.play.step == 1  # every epoch, as in TF Playground
