"""Text drawn once and then pasted as pixels: for scenes whose moving text would cost
most of a frame.

Agg draws text glyph by glyph, about 0.1 ms a character, so a scene whose moving texts
hold a few hundred characters spends most of a frame on them, even when the same few
strings come back again and again (a caption per step, a value per setting).
:func:`stamped` makes a text that is drawn only the first time each string is shown in
its place, and pasted after that.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import ClassVar

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.text import Text
from matplotlib.transforms import ScaledTranslation

__all__ = ["StampedText", "stamped", "Readout"]


class StampedText(Text):
    """A text drawn once per distinct string (in its look and place) and then pasted as
    pixels: a stamp.

    Agg draws text glyph by glyph, about 0.1 ms a character, so a scene whose moving texts
    hold a few hundred characters spends most of a frame on them. A stamp is the text
    drawn alone on a transparent canvas of the same size, cropped to its box; pasting it
    (``draw_image``) takes microseconds and gives the same pixels as drawing the text
    (measured: at most 1 of 255 apart, on 2 pixels of 50,000). The stamps live in one
    cache for every StampedText, the least recently used dropped beyond ``BUDGET`` bytes.
    A text with a box around it (``bbox=``) is drawn as usual.
    """

    BUDGET: ClassVar[int] = 48_000_000
    _stamps: ClassVar[OrderedDict] = OrderedDict()
    _bytes: ClassVar[list] = [0]
    _canvases: ClassVar[dict] = {}  # (width, height, dpi) -> a transparent RendererAgg to draw on

    def _key(self, renderer) -> tuple:
        anchor = tuple(self.get_transform().transform(self.get_unitless_position()))
        return (self.get_text(), to_rgba(self.get_color(), self.get_alpha()), hash(self.get_fontproperties()),
                self.get_horizontalalignment(), self.get_verticalalignment(), self.get_rotation(),
                self.get_linespacing(), self._multialignment, anchor, renderer.width, renderer.height,
                renderer.dpi)

    def stamp(self, renderer) -> tuple:
        """The stamp of this text as it is now, ``(rgba rows bottom-up, left, bottom)``:
        from the cache, or drawn and kept."""
        key = self._key(renderer)
        found = self._stamps.get(key)
        if found is not None:
            self._stamps.move_to_end(key)
            return found
        width, height = int(renderer.width), int(renderer.height)
        alone = self._canvases.get((width, height, renderer.dpi))
        if alone is None:
            alone = self._canvases[width, height, renderer.dpi] = RendererAgg(width, height, renderer.dpi)
        alone.clear()
        super().draw(alone)
        box = self.get_window_extent(alone)
        x0, y0 = max(int(np.floor(box.x0)) - 2, 0), max(int(np.floor(box.y0)) - 2, 0)
        x1, y1 = min(int(np.ceil(box.x1)) + 2, width), min(int(np.ceil(box.y1)) + 2, height)
        pixels = np.asarray(alone.buffer_rgba())[height - y1:height - y0, x0:x1][::-1].copy()
        found = self._stamps[key] = (pixels, x0, y0)
        self._bytes[0] += pixels.nbytes
        while self._bytes[0] > self.BUDGET and len(self._stamps) > 1:
            self._bytes[0] -= self._stamps.popitem(last=False)[1][0].nbytes
        return found

    def draw(self, renderer) -> None:
        if not self.get_visible() or not self.get_text():
            return
        if self.get_bbox_patch() is not None or not isinstance(renderer, RendererAgg):
            return super().draw(renderer)
        pixels, x0, y0 = self.stamp(renderer)
        if pixels.size:
            gc = renderer.new_gc()
            renderer.draw_image(gc, x0, y0, pixels)
            gc.restore()
        self.stale = False


def stamped(parent, x: float, y: float, text: str = "", **kwargs) -> StampedText:
    """A :class:`StampedText` at ``(x, y)`` on ``parent``: a Figure (figure fractions) or an
    Axes (data coordinates), unless ``transform`` says otherwise; like ``fig.text`` or
    ``ax.text``."""
    if isinstance(parent, Axes):
        kwargs.setdefault("transform", parent.transData)
        artist = StampedText(x, y, text, **kwargs)
        artist.set_clip_path(parent.patch)
    else:
        kwargs.setdefault("transform", parent.transSubfigure)
        artist = StampedText(x, y, text, **kwargs)
    parent.add_artist(artist)
    return artist


class Readout:
    """A value like ``L = 2.25`` in a monospaced font: the ``prefix`` is drawn once with the
    background, the number one stamp per character place, so each character in each place
    is drawn once and pasted after that: a number that changes every frame draws no new
    text. ``(x, y)`` in axes fractions is where the readout begins (``ha="left"``) or ends
    (``"right"``); ``scene`` is the :class:`~course_utils.scene.Scene` whose moving
    artists the character places join."""

    ADVANCE = 0.6021  # DejaVu Sans Mono's width of every character, in em

    def __init__(self, scene, ax, x: float, y: float, prefix: str, places: int, ha: str = "left",
                 **kwargs):
        kwargs.update(family="DejaVu Sans Mono", transform=ax.transAxes, clip_on=False)
        step = self.ADVANCE * kwargs.get("fontsize", 10) / 72  # inches
        start = 0.0 if ha == "left" else -(len(prefix) + places) * step
        ax.text(x, y, prefix, **dict(kwargs, transform=ax.transAxes + self._shift(ax, start)))
        self.ha, self.prefix, self.slots = ha, prefix, []
        for i in range(len(prefix), len(prefix) + places):
            slot = stamped(ax, x, y, "", **dict(kwargs, transform=ax.transAxes + self._shift(ax, start + i * step)))
            slot.set_clip_on(False)
            self.slots.append(scene.moving(slot))

    @staticmethod
    def _shift(ax, inches: float):
        return ScaledTranslation(inches, 0, ax.figure.dpi_scale_trans)

    def set_text(self, number: str) -> None:
        """Show ``number`` after the prefix (left-aligned, or right-aligned with ``ha="right"``)."""
        if len(number) > len(self.slots):
            raise ValueError(f"{number!r} is longer than the {len(self.slots)} places of its readout")
        number = number.ljust(len(self.slots)) if self.ha == "left" else number.rjust(len(self.slots))
        for slot, char in zip(self.slots, number):
            slot.set_text(char.strip())

    def get_text(self) -> str:
        """The prefix and the number, as one string: ``"L = 2.25"``."""
        return self.prefix + "".join(slot.get_text() or " " for slot in self.slots).strip()
