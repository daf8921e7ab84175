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


class Counted(Scene):
    """A choice of whole numbers, like a batch size, and a checkbox."""

    params = (Param("size", 8, options=(1, 8, 64)), Param("flag", False, options=(False, True)))
    size = (1.0, 1.0)

    def build(self):
        self.ax = self.fig.add_axes([0, 0, 1, 1])

    def draw(self):
        if not isinstance(self.values["size"], int) or isinstance(self.values["size"], bool):
            raise TypeError("draw() got a size that is not a whole number")
        self.ax.set_title(str(self.values["size"]))


@pytest.mark.parametrize("bad", [True, 64.0, "8", None, np.float64(8.0)])
def test_a_choice_matches_by_kind_as_well_as_value(bad):
    scene = Counted()
    with pytest.raises(ValueError, match="size must be one of"):
        scene.set(size=bad)
    assert scene.values["size"] == 8 and type(scene.values["size"]) is int
    scene.set(size=64)  # and the scene still works
    assert scene.ax.get_title() == "64"


def test_a_choice_given_as_a_numpy_integer_stores_the_option_itself():
    scene = Counted().set(size=np.int64(1))
    assert scene.values["size"] == 1 and type(scene.values["size"]) is int
    with pytest.raises(ValueError):
        Counted().set(flag=1)  # 1 is not True for a checkbox


class Fragile(Dot):
    """A dot whose draw fails for one position that validation allows."""

    def draw(self):
        if self.values["x"] == 0.5:
            raise RuntimeError("cannot draw at 0.5")
        super().draw()


def test_a_failed_set_leaves_the_scene_exactly_as_it_was():
    scene = Fragile(x=-0.25, colour="C1")
    before, frame = dict(scene.values), scene.render()
    for changes in ({"x": 0.5}, {"x": 0.5, "colour": "C0"}, {"x": 2.0}, {"nope": 1}, {"step": 1.5}):
        with pytest.raises((RuntimeError, ValueError, KeyError)):
            scene.set(**changes)
        assert scene.values == before
        assert np.array_equal(scene.render(), frame), changes
    scene.set(x=0.0)  # later sets work as usual
    assert scene.values["x"] == 0.0


def two_numbers(text: str) -> list[float]:
    """The parse of a typed point: two numbers separated by spaces."""
    parts = text.split()
    if len(parts) != 2:
        raise ValueError(f"give two numbers separated by a space; got {len(parts)}")
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{text!r} holds something that is not a number") from None


class Typed(Dot):
    """A dot at a point the student types."""

    params = Dot.params + (Param("where", "0.5 -0.5", text=True, parse=two_numbers, label="your point"),)

    def draw(self):
        x, y = self.param("where").parsed(self.values["where"])
        self.dot.set_data([x], [y])


def test_a_text_param_is_checked_by_its_parse_and_keeps_the_text():
    p = Typed.param("where")
    assert p.validate(" 1  2 ") == " 1  2 "  # the text as typed
    assert p.parsed(" 1  2 ") == [1.0, 2.0]
    assert p.corners() == ("0.5 -0.5",)
    with pytest.raises(ValueError, match=r"^your point: give two numbers separated by a space; got 3$"):
        p.validate("1 2 3")
    with pytest.raises(TypeError, match="your point must be text, got int"):
        p.validate(12)
    assert Param("note", "anything", text=True).validate("") == ""  # no parse: any text
    with pytest.raises(ValueError, match="your point"):
        Param("where", "1", text=True, parse=two_numbers, label="your point")  # a bad default
    with pytest.raises(ValueError, match="no range or options"):
        Param("where", "1 2", 0.0, 1.0, text=True)


def test_a_bad_text_leaves_the_scene_and_its_picture_as_they_were():
    scene = Typed()
    frame = scene.render()
    for bad in ("1", "a b", "", 3.0, None):
        with pytest.raises((ValueError, TypeError)):
            scene.set(where=bad)
        assert scene.values["where"] == "0.5 -0.5"
        assert np.array_equal(scene.render(), frame)
    scene.set(where="-0.5 0.5")
    assert not np.array_equal(scene.render(), frame)
    corners = list(Typed.corner_values())
    assert len(corners) == 8 and {c["where"] for c in corners} == {"0.5 -0.5"}


def test_png_decodes_to_the_same_pixels():
    import io

    from PIL import Image

    from course_utils.scene import png

    rng = np.random.default_rng(0)
    for shape in ((1, 1, 3), (7, 13, 3), (64, 48, 3)):
        pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
        decoded = Image.open(io.BytesIO(png(pixels)))
        assert decoded.mode == "RGB" and decoded.size == (shape[1], shape[0])
        np.testing.assert_array_equal(np.asarray(decoded), pixels)
