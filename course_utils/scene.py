"""Scenes: one drawing of a concept, updated in place from a few named parameters.

A scene builds its matplotlib figure and artists once (:meth:`Scene.build`) and
redraws them from its parameter values (:meth:`Scene.draw`). Two presenters show it:

* :func:`course_utils.widgets.interactive` turns the declared parameters into sliders
  and dropdowns and shows a new frame on every change;
* :func:`course_utils.gif.build` walks the scene's :meth:`Scene.storyboard` and writes
  an animated GIF.

So a GIF and a live widget are always the same picture.

Scenes that move through time (an optimizer's path, a network's training) share one
pattern: compute the whole run once for a setting (a network's training is a
:class:`course_utils.runs.Run`, an optimizer's path a :class:`course_utils.trajectory.Trajectory`;
both cached), then draw it up to the integer parameter ``step``. The widget gives ``step``
a Play button, and :meth:`Scene.step_max` tells it how far the current run goes.
"""

from __future__ import annotations

import itertools
import numbers
import struct
import zlib
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterator

import matplotlib
import numpy as np

from . import style


@dataclass(frozen=True)
class Param:
    """A parameter a scene can be driven by: its name, default and allowed values.

    Give ``low`` and ``high`` for a number (``integer=True`` for whole numbers) or
    ``options`` for a choice. ``options`` may hold plain values or ``(label, value)``
    pairs; the label is what a dropdown shows.

    ``text=True`` makes it text a student types (the widget gives it a text box). Its
    value is the text itself; ``parse``, if given, is the scene's own reading of it
    (:meth:`parsed`): it raises a ValueError in plain words for text it cannot read
    (``"give nine numbers separated by spaces; got 8"``), and :meth:`validate` passes
    that on with the parameter's label in front.

    ``slider=True`` shows a choice of numbers as a slider over its options (in order)
    instead of a dropdown: for a strength whose stops include 0, which a logarithmic
    range cannot.
    """

    name: str
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple = ()
    integer: bool = False
    label: str = ""
    log: bool = False
    text: bool = False
    parse: Callable[[str], Any] | None = None
    slider: bool = False

    def __post_init__(self):
        if self.text:
            if self.options or self.low is not None or self.high is not None or self.integer or self.log:
                raise ValueError(f"{self.name}: a text parameter takes no range or options")
            self.validate(self.default)
            return
        if self.slider and not self.options:
            raise ValueError(f"{self.name}: slider=True is for a choice: give options")
        if self.log and (self.options or self.integer or self.low is None or self.low <= 0):
            raise ValueError(f"{self.name}: a logarithmic range needs low > 0 (and no options)")
        if self.options:
            if self.default not in self.values():
                raise ValueError(f"{self.name}: default {self.default!r} is not one of {self.values()}")
        elif self.low is None or self.high is None or not self.low < self.high:
            raise ValueError(f"{self.name}: give options, or low < high (got low={self.low}, high={self.high})")
        else:
            self.validate(self.default)

    def values(self) -> tuple:
        """The allowed values of a choice, without their labels."""
        return tuple(o[1] if isinstance(o, tuple) else o for o in self.options)

    def corners(self) -> tuple:
        """The extreme values: both ends of a range, every option of a choice, or the
        default of a text."""
        if self.text:
            return (self.default,)
        return self.values() if self.options else (self.low, self.high)

    def parsed(self, value: str):
        """What a text value means to the scene: ``parse(value)``, or the text itself."""
        return self.parse(value) if self.parse else value

    def validate(self, value):
        """Return ``value`` if allowed (a choice: the option itself), else raise a
        ValueError or TypeError that says what is.

        A choice matches by kind as well as by value: ``True`` is not the option ``1``,
        nor ``64.0`` the option ``64`` (Python calls them equal; a scene would not).
        A text is returned as it was typed, once ``parse`` can read it.
        """
        if self.text:
            if not isinstance(value, str):
                raise TypeError(f"{self.label or self.name} must be text, got {type(value).__name__} {value!r}")
            try:
                self.parsed(value)
            except ValueError as exc:
                raise ValueError(f"{self.label or self.name}: {exc}") from None
            return value
        if self.options:
            for option in self.values():
                if _same_kind(option, value) and option == value:
                    return option
            raise ValueError(f"{self.name} must be one of {list(self.values())}, got "
                             f"{value!r} ({type(value).__name__})")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{self.name} must be a number, got {type(value).__name__} {value!r}")
        if not self.low <= value <= self.high:
            raise ValueError(f"{self.name} must lie in [{self.low}, {self.high}], got {value}")
        if self.integer and value != int(value):
            raise ValueError(f"{self.name} must be a whole number, got {value}")
        return int(value) if self.integer else float(value)


def _same_kind(a, b) -> bool:
    """True when ``a`` and ``b`` are both bools, both whole numbers, both other real
    numbers, or otherwise of the same type."""
    def kind(v):
        if isinstance(v, (bool, np.bool_)):
            return "bool"
        if isinstance(v, numbers.Integral):
            return "int"
        if isinstance(v, numbers.Real):
            return "real"
        return type(v)
    return kind(a) == kind(b)


class Scene:
    """Base class of every scene. Subclasses set :attr:`params` and write
    :meth:`build`, :meth:`draw` and, for a GIF, :meth:`storyboard`.

    >>> scene = SomeScene(weight=0.5)   # doctest: +SKIP
    >>> scene.set(weight=-1.0)          # redraws in place
    >>> png = scene.to_png()            # bytes of the current frame
    """

    #: The parameters, each declared once with its default and range or options.
    params: ClassVar[tuple[Param, ...]] = ()
    #: Figure size in inches (see :mod:`course_utils.style`).
    size: ClassVar[tuple[float, float]] = style.SIZE_WIDE
    #: File name of this scene's GIF in imgs/, without ".gif"; empty for none.
    gif_name: ClassVar[str] = ""
    #: Reduce every GIF frame to one shared palette (see :func:`course_utils.gif.encode`):
    #: for frames with many colours (text on coloured cells) whose still parts should not
    #: be stored again in every frame.
    gif_one_palette: ClassVar[bool] = False
    #: How the widget lays out the controls: a tuple of rows, each a tuple of parameter
    #: names; the parameters not named follow, two to a row (``step`` goes with Play).
    control_rows: ClassVar[tuple[tuple[str, ...], ...]] = ()
    #: The parameters that change the static part of the picture (axis limits, titles,
    #: anything not marked with :meth:`moving`). When one of them changes, the base class
    #: calls :meth:`draw_background` before :meth:`draw` and draws the background anew.
    background_params: ClassVar[tuple[str, ...]] = ()
    #: How many backgrounds (as pixels) a scene keeps, so that coming back to a setting
    #: does not draw its background again.
    backgrounds_kept: ClassVar[int] = 8
    #: Buttons: ``(label, method name)`` pairs. The widget shows a button for each; a click
    #: calls :meth:`act` with the method's name. For things a student *does* to a scene
    #: (one training step by hand) rather than a value they set.
    actions: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: False for a scene drawn pixel by pixel (not in inches): it is always drawn at
    #: :data:`style.DPI`, whatever :data:`style.PICTURE_SCALE` says (the widget stretches it).
    scalable: ClassVar[bool] = True
    #: Milliseconds between two frames of the widget's Play button.
    play_interval: ClassVar[int] = 120
    #: How far each of Play's frames moves ``step``: 0 for as far as makes a whole run about
    #: :data:`course_utils.widgets.PLAY_FRAMES` frames; 1 to show every step.
    play_step: ClassVar[int] = 0
    #: None, or a callable that a scene which trains for seconds gives a short message
    #: ("training seed 3 of 8 ...") while it does. The widget sets it, to show the message
    #: under its controls until the new picture comes.
    on_progress: Callable[[str], None] | None = None

    def __init__(self, **values):
        self.values = {p.name: p.default for p in self.params}
        self._check_and_store(values)
        self._movers: list = []  # artists draw() changes (see moving())
        self._background = None  # the rest, drawn once, as pixels
        self._background_for = None  # the background_key() it shows
        self._kept: dict = {}  # background_key() -> pixels, the last few backgrounds drawn
        self.fig = style.new_figure(self.size, scale=None if self.scalable else 1.0)
        with matplotlib.rc_context(style.RC):
            self.build()
            self._update()

    # --- what subclasses write -------------------------------------------------
    def build(self) -> None:
        """Create axes and artists on ``self.fig`` once."""
        raise NotImplementedError

    def draw(self) -> None:
        """Update the artists from ``self.values`` (in place: no new axes)."""
        raise NotImplementedError

    def draw_background(self) -> None:
        """Update the static artists from the :attr:`background_params` (none by default).

        Called before :meth:`draw` whenever :meth:`background_key` has changed; the
        background picture is then drawn anew (or taken from the last few kept).
        """

    def background_key(self) -> tuple:
        """What the static part of the picture depends on: by default the values of the
        :attr:`background_params`. A scene whose background depends on something derived
        (the layer a slider points to, say) returns that instead."""
        return tuple(self.values[name] for name in self.background_params)

    def storyboard(self) -> Iterator[tuple[dict, int]]:
        """Yield ``(changes, duration_ms)`` pairs, one per GIF frame."""
        raise NotImplementedError(f"{type(self).__name__} has no storyboard")

    # --- what presenters use ---------------------------------------------------
    @classmethod
    def param(cls, name: str) -> Param:
        for p in cls.params:
            if p.name == name:
                return p
        raise KeyError(f"{cls.__name__} has no parameter {name!r}; it has {[p.name for p in cls.params]}")

    def linked(self, changes: dict) -> dict:
        """Values of other parameters that follow from ``changes`` (none by default).

        A scene overrides this when one choice suggests others: picking a new loss
        surface, say, moves the start point and learning rates to ones that suit it.
        Parameters given in the same call keep the values given. ``self.values`` already
        holds the changes, ``self.values_before`` the values before them. The widget shows
        the new values on its controls.
        """
        return {}

    def limits(self) -> dict:
        """Upper ends that follow from the other parameters, ``{name: largest value}``
        (none by default): after every change a value above its limit is brought down to
        it, so a control never points past what the picture has (a layer the network does
        not have, say). The widget's slider follows."""
        return {}

    def step_max(self) -> int:
        """The last meaningful ``step`` of the current run (the widget's Play stops there).

        By default the upper end of the ``step`` parameter; a scene whose run length is
        itself a parameter returns the current length.
        """
        return int(self.param("step").high)

    def set(self, **changes) -> "Scene":
        """Change some parameters and redraw. Unknown names or bad values raise, and
        leave the scene exactly as it was."""
        before = dict(self.values)
        try:
            self._check_and_store(changes)
            with matplotlib.rc_context(style.RC):
                self._update()
        except Exception:
            self.values = before
            self._background_for = None  # a refused change may have left the background half-drawn
            with matplotlib.rc_context(style.RC):
                self._update()  # the picture of the values before
            raise
        return self

    def act(self, name: str) -> "Scene":
        """Call the action method ``name`` (one of :attr:`actions`) and redraw. The method
        may change ``self.values`` (the step a run is at, say). An action that makes no sense
        now raises a ValueError before it changes anything (the widget shows the message)."""
        if name not in dict((method, label) for label, method in self.actions):
            raise KeyError(f"{type(self).__name__} has no action {name!r}; it has "
                           f"{[method for _, method in self.actions]}")
        getattr(self, name)()
        for param, high in self.limits().items():  # as after set(): no value past its limit
            self.values[param] = min(self.values[param], high)
        with matplotlib.rc_context(style.RC):
            self._update()
        return self

    def _update(self) -> None:
        key = self.background_key()
        if key != self._background_for:
            self.draw_background()
            self._background_for = key
            self._background = self._kept.get(key)
        self.draw()

    def moving(self, *artists):
        """Mark artists that :meth:`draw` changes; returns them (one artist or a tuple).

        Drawing text is what costs most, and most of a scene's text (titles, ticks,
        labels) never changes. Once a scene marks its moving artists, everything else is
        drawn once and kept as a background picture; each :meth:`render` pastes that
        background and draws only the moving artists on it, in the order they were
        marked. Call :meth:`redraw_background` after changing something static (an
        axis limit, say).
        """
        for artist in artists:
            artist.set_animated(True)  # left out of the full draw that makes the background
            self._movers.append(artist)
        return artists[0] if len(artists) == 1 else artists

    def redraw_background(self) -> None:
        """Forget the backgrounds, so the next :meth:`render` draws everything again."""
        self._background = None
        self._kept.clear()

    def render(self) -> np.ndarray:
        """Draw the figure and return a copy of its pixels, shape (height, width, 3), uint8."""
        canvas = self.fig.canvas
        if not self._movers:
            canvas.draw()
        else:
            if self._background is None:
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.fig.bbox)
                self._kept[self._background_for] = self._background
                while len(self._kept) > self.backgrounds_kept:
                    self._kept.pop(next(iter(self._kept)))  # the oldest
            else:
                canvas.restore_region(self._background)
            renderer = canvas.get_renderer()
            for artist in self._movers:
                artist.draw(renderer)
        return np.asarray(canvas.buffer_rgba())[..., :3].copy()

    def to_png(self) -> bytes:
        """The current frame as PNG bytes, encoded fast (see :func:`png`)."""
        return png(self.render())

    def picture(self):
        """The current frame as a picture a notebook cell shows (an ``IPython.display.Image``
        of :meth:`to_png`): for a still view of a scene, without its controls."""
        from IPython.display import Image

        return Image(data=self.to_png(), format="png")

    @classmethod
    def corner_values(cls) -> Iterator[dict]:
        """Every combination of extreme parameter values (for tests)."""
        names = [p.name for p in cls.params]
        for combo in itertools.product(*(p.corners() for p in cls.params)):
            yield dict(zip(names, combo))

    def _check_and_store(self, changes: dict) -> None:
        known = {p.name: p for p in self.params}
        for name in changes:
            if name not in known:
                raise KeyError(f"{type(self).__name__} has no parameter {name!r}; it has {list(known)}")
        checked = {name: known[name].validate(value) for name, value in changes.items()}
        self.values_before = dict(self.values)  # what linked() may compare with
        self.values.update(checked)  # only once every value is known to be good
        follow = {k: v for k, v in self.linked(checked).items() if k not in checked}
        self.values.update({name: known[name].validate(value) for name, value in follow.items()})
        for name, high in self.limits().items():
            self.values[name] = min(self.values[name], high)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({shown})"


def png(pixels: np.ndarray) -> bytes:
    """An RGB image, shape (height, width, 3) uint8, as the bytes of a PNG file.

    Written here rather than with Pillow because a widget sends a new PNG for every frame:
    with no filter and zlib's fastest level, the course's frames encode three times faster
    than with Pillow's ``compress_level=1`` (8 ms against 25 ms for a 960 x 448 frame) and
    come out 7 % smaller. A PNG is a signature and chunks, each its length, a tag, the data
    and a CRC: IHDR (size, 8 bits per channel, colour type 2 = RGB), IDAT (the rows, each
    after a filter byte 0 = none, compressed) and IEND."""
    height, width, _ = pixels.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], axis=1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + chunk(b"IEND", b""))


def step_indices(last: int, frames: int) -> list[int]:
    """About ``frames`` steps from 0 to ``last``, evenly spaced, both ends included.

    For storyboards of runs that are longer than a GIF should be:
    ``step_indices(200, 5)`` is ``[0, 50, 100, 150, 200]``.
    """
    return sorted({int(round(k)) for k in np.linspace(0, last, max(2, frames))})
