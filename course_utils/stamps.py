"""Text drawn once and then pasted as pixels: for scenes whose moving text would cost
most of a frame (:class:`StampedText` for a text that comes back, :class:`StampedLine`
for a line whose numbers change every frame).

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
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform, ScaledTranslation

__all__ = ["StampedText", "stamped", "StampedLine"]


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


class StampedLine(Artist):
    """A line of words and numbers that costs almost nothing to redraw when only its
    numbers change (a moving artist: mark it with ``scene.moving``).

    The words come from a few templates (``{}`` where each number goes): each piece of
    words is a :class:`StampedText`, drawn once per distinct piece and place. The numbers
    are monospaced (DejaVu Sans Mono), and each character is one stamp drawn at a fixed
    place and pasted wherever it goes, on whole pixels: each character is drawn once in
    all (per look), not once per place, so even the first frames draw almost no text. The
    pieces follow one another at the widths Agg gives them (whole pixels).

    ``(x, y)`` is in ``parent``'s coordinates (figure fractions, or data for an Axes)
    unless ``transform`` says otherwise; ``ha`` says whether the line begins
    (``"left"``), is centred or ends there; ``pieces`` is how many pieces of words the
    longest template has (0 for a number alone). The other keywords are the text's
    (``fontsize``, ``va``, ``color``, ...).
    """

    MONO = "DejaVu Sans Mono"
    ORIGIN = 64.0  # where, in pixels, a character is drawn for its stamp

    def __init__(self, parent, x: float, y: float, pieces: int = 1, ha: str = "left", **kwargs):
        super().__init__()
        fig = parent.figure if isinstance(parent, Axes) else parent
        self.set_transform(kwargs.pop("transform", parent.transData if isinstance(parent, Axes)
                                      else parent.transSubfigure))
        self.set_figure(fig)
        self.position, self.ha, self.text = (x, y), ha, ""
        self.words = [StampedText(x, y, "", **kwargs) for _ in range(pieces)]
        self.glyph = StampedText(self.ORIGIN, self.ORIGIN, "", transform=IdentityTransform(),
                                 **dict(kwargs, family=self.MONO, ha="left"))
        for text in (*self.words, self.glyph):
            text.set_figure(fig)
        self._chars: list = []  # (offset in pixels, character) of the numbers
        self._widths: dict = {}  # (text, its look) -> width in pixels
        self._shifts: dict = {}  # offset in pixels -> the transform of a piece of words there
        self.set_clip_on(False)
        parent.add_artist(self)

    def _width(self, text: str, look: StampedText) -> float:
        key = (text, look is self.glyph)
        if key not in self._widths:
            renderer = self.figure.canvas.get_renderer()
            self._widths[key] = renderer.get_text_width_height_descent(
                text, look.get_fontproperties(), ismath=False)[0] if text else 0.0
        return self._widths[key]

    def set_position(self, xy) -> None:
        """Move the line's anchor (shown at the next :meth:`set`)."""
        self.position = tuple(xy)

    def set(self, template: str, *numbers: str) -> None:
        """Show ``template`` with its ``{}`` replaced by ``numbers`` in order."""
        pieces = template.split("{}")
        if len(pieces) != len(numbers) + 1:
            raise ValueError(f"{template!r} has room for {len(pieces) - 1} numbers, not {len(numbers)}")
        if any(pieces[len(self.words):]):
            raise ValueError(f"{template!r} has more pieces of words than the line's {len(self.words)}")
        pitch = self._width("0" * 10, self.glyph) / 10  # every character's advance, in pixels
        total = sum(self._width(p, w) for w, p in zip(self.words, pieces)) + pitch * sum(map(len, numbers))
        offset = {"left": 0.0, "center": -round(total / 2), "right": -total}[self.ha]
        self._chars = []
        for i, piece in enumerate(pieces):
            if i < len(self.words):
                word = self.words[i]
                shift = self._shifts.get(offset)
                if shift is None:
                    shift = self._shifts[offset] = self.get_transform() + ScaledTranslation(
                        offset / self.figure.dpi, 0, self.figure.dpi_scale_trans)
                word.set_transform(shift)
                word.set_position(self.position)
                word.set_text(piece)
                offset += self._width(piece, word)
            for char in numbers[i] if i < len(numbers) else "":
                if not char.isspace():
                    self._chars.append((offset, char))
                offset += pitch
        for word in self.words[len(pieces):]:
            word.set_text("")
        self.text = "".join(p + n for p, n in zip(pieces, (*numbers, "")))
        self.stale = True

    def get_text(self) -> str:
        """The line as one string."""
        return self.text

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        for word in self.words:
            word.draw(renderer)
        if self._chars:
            x, y = self.get_transform().transform(self.position)
            x, y = np.floor(x + 0.5), np.floor(y + 0.5)  # on whole pixels, as Agg puts text
            gc = renderer.new_gc()
            for offset, char in self._chars:
                self.glyph.set_text(char)
                if not isinstance(renderer, RendererAgg):  # drawn as text
                    self.glyph.set_position((x + offset, y))
                    Text.draw(self.glyph, renderer)
                    self.glyph.set_position((self.ORIGIN, self.ORIGIN))
                    continue
                pixels, x0, y0 = self.glyph.stamp(renderer)
                if pixels.size:
                    renderer.draw_image(gc, x + offset + x0 - self.ORIGIN, y + y0 - self.ORIGIN, pixels)
            gc.restore()
        self.stale = False
