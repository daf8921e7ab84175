"""The scene abstraction: declared parameters, validation, in-place updates."""

import numpy as np
import pytest

from course_utils.scene import Param, Scene


class Dot(Scene):
    """A dot whose position is a parameter: the smallest useful scene."""

    params = (
        Param("x", 0.0, -1.0, 1.0, label="position"),
        Param("colour", "C0", options=(("blue", "C0"), ("orange", "C1"))),
        Param("step", 0, 0, 3, integer=True),
    )
    size = (2.0, 2.0)

    def build(self):
        self.ax = self.fig.add_axes([0, 0, 1, 1])
        self.ax.set_xlim(-1.2, 1.2)
        self.ax.set_ylim(-1.2, 1.2)
        self.dot, = self.ax.plot([], [], "o", ms=20)
        self.builds = getattr(self, "builds", 0) + 1

    def draw(self):
        self.dot.set_data([self.values["x"]], [self.values["step"] / 3])
        self.dot.set_color(self.values["colour"])


def test_defaults_and_overrides():
    scene = Dot(x=0.5)
    assert scene.values == {"x": 0.5, "colour": "C0", "step": 0}


def test_set_updates_in_place_without_rebuilding():
    scene = Dot()
    axes_before = list(scene.fig.axes)
    first = scene.render()
    scene.set(x=0.9)
    assert scene.fig.axes == axes_before and scene.builds == 1
    assert not np.array_equal(first, scene.render())


def test_render_shape_and_type():
    frame = Dot().render()
    assert frame.shape == (160, 160, 3) and frame.dtype == np.uint8


def test_png_is_png():
    assert Dot().to_png()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("changes, error, words", [
    ({"x": 2.0}, ValueError, "[-1.0, 1.0]"),
    ({"x": "big"}, TypeError, "number"),
    ({"colour": "red"}, ValueError, "one of"),
    ({"step": 1.5}, ValueError, "whole number"),
    ({"size": 1}, KeyError, "no parameter 'size'"),
])
def test_bad_values_say_what_is_allowed(changes, error, words):
    with pytest.raises(error, match=None) as info:
        Dot().set(**changes)
    assert words in str(info.value)


def test_param_declarations_are_checked():
    with pytest.raises(ValueError):
        Param("x", 5.0, 0.0, 1.0)
    with pytest.raises(ValueError):
        Param("x", 0.0, 1.0, 1.0)
    with pytest.raises(ValueError):
        Param("a", "z", options=("x", "y"))


def test_integer_values_come_back_as_int():
    assert isinstance(Dot(step=2.0).values["step"], int)


def test_corner_values_cover_every_extreme():
    corners = list(Dot.corner_values())
    assert len(corners) == 2 * 2 * 2
    assert {c["x"] for c in corners} == {-1.0, 1.0}
    assert {c["colour"] for c in corners} == {"C0", "C1"}


class TitledDot(Dot):
    """A dot whose title (static, in the background) follows the colour."""

    background_params = ("colour",)

    def build(self):
        super().build()
        self.moving(self.dot)
        self.backgrounds = 0

    def draw_background(self):
        self.backgrounds += 1
        self.ax.set_title(f"colour {self.values['colour']}")


def test_background_params_redraw_the_background_only_when_they_change():
    scene = TitledDot()
    assert scene.backgrounds == 1
    scene.render()
    scene.set(x=0.5)
    scene.render()
    assert scene.backgrounds == 1, "moving x must not redraw the background"
    scene.set(colour="C1")
    assert scene.backgrounds == 2 and scene.ax.get_title() == "colour C1"
    assert np.array_equal(scene.render(), TitledDot(x=0.5, colour="C1").render())
    scene.set(colour="C1", x=-0.5)
    assert scene.backgrounds == 2, "the same colour again keeps the background"


def test_control_rows_default_to_none():
    assert Scene.control_rows == () and Dot.control_rows == ()


class MovingDot(Dot):
    """The same picture, with the dot marked as the only moving artist."""

    def build(self):
        super().build()
        self.moving(self.dot)


def test_moving_artists_give_the_same_picture_as_a_full_draw():
    moved, full = MovingDot(), Dot()
    for changes in ({"x": 0.7}, {"colour": "C1", "step": 3}, {"x": -1.0}):
        moved.set(**changes)
        full.set(**changes)
        assert np.array_equal(moved.render(), full.render())


def test_static_changes_need_redraw_background():
    scene = MovingDot()
    scene.render()
    scene.ax.set_facecolor("black")  # static: not in the kept background yet
    stale = scene.render()
    scene.redraw_background()
    assert not np.array_equal(stale, scene.render())


def test_log_param_needs_a_positive_range():
    assert Param("lr", 0.01, 1e-4, 1.0, log=True).corners() == (1e-4, 1.0)
    with pytest.raises(ValueError, match="low > 0"):
        Param("lr", 0.01, 0.0, 1.0, log=True)


class Linked(Dot):
    """Choosing a colour moves the dot; a later step never passes the chosen x * 3."""

    def linked(self, changes):
        return {"x": -0.5} if changes.get("colour") == "C1" else {}


def test_linked_values_follow_unless_given():
    scene = Linked()
    scene.set(colour="C1")
    assert scene.values["x"] == -0.5
    scene.set(colour="C1", x=0.25)  # given in the same call: kept
    assert scene.values["x"] == 0.25
    assert Linked(colour="C1").values["x"] == -0.5  # the same rule when built


def test_a_bad_value_changes_nothing():
    scene = Dot()
    with pytest.raises(ValueError):
        scene.set(x=0.5, step=99)
    assert scene.values == {"x": 0.0, "colour": "C0", "step": 0}


def test_step_indices_are_even_and_include_both_ends():
    from course_utils.scene import step_indices

    assert step_indices(200, 5) == [0, 50, 100, 150, 200]
    assert step_indices(3, 10) == [0, 1, 2, 3]
    assert step_indices(7, 1) == [0, 7]
