"""Decoding by hand: pick any point of the code map and see the picture the decoder makes.

:class:`CodeMapScene` uses the trained 2-number autoencoder of
:mod:`course_utils.autoencoders` (the last snapshot of ``train(code=2)``). Left: the codes
of the 400 held-out digits, each drawn as its own digit in its class colour (as in
:mod:`course_utils.scenes.autoencoder`), and a marker. Middle: ``decode(z)`` of the
marker's code ``z``, big. The decoder turns *any* two numbers into 64 pixels, also codes
no digit has: between the classes it draws blends, far outside it draws shapes of its own.

Two ways to move the marker, and ``mode`` says which one is in force:

* ``"free"``: the sliders ``z1`` and ``z2`` put it anywhere on the map;
* ``"path"``: it lies on the straight line from the code of one held-out digit
  (``from_digit``) to that of another (``to_digit``), ``t`` of the way along:
  ``z = (1 - t) z_from + t z_to``. The strip at the bottom decodes nine evenly spaced
  points of that line, from the first digit's reconstruction (``t = 0``) to the second's.

Moving ``z1`` or ``z2`` switches to ``"free"``; moving ``t`` or picking a digit switches
to ``"path"`` (:meth:`CodeMapScene.linked`).
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.patches import Rectangle

from .. import autoencoders, style
from ..scene import Param, Scene
from ..stamps import StampedLine, stamped
from .autoencoder import (_INK, codes_at, digit_markers, first_of, held_out, place_markers,
                          trained)

#: The sliders' ranges and the map's axes: ``(z1 low, high), (z2 low, high)``, round numbers
#: that hold every held-out code of every snapshot (a test checks them against
#: :func:`course_utils.scenes.autoencoder.map_limits`).
CODE_RANGE = ((-6.0, 14.0), (-14.0, 6.0))
#: The held-out digits the path can start and end at (the first of each of these classes).
PATH_DIGITS = (0, 3, 4, 7)
STRIP = 9  # decoded images along the path
MODES = (("free: z\u2081, z\u2082 move it", "free"), ("path: from, to, t move it", "path"))


def model():
    """The trained autoencoder (its last snapshot)."""
    return trained().at(-1)


def decoded(z) -> np.ndarray:
    """``autoencoders.decode`` of the codes ``z`` with the trained weights: (n, 64)."""
    with np.errstate(under="ignore"):
        return autoencoders.decode(model(), z)


@functools.lru_cache(maxsize=10)
def code_of(digit: int) -> np.ndarray:
    """The trained code of the first held-out ``digit``, ``encode`` of it alone: (2,)."""
    i = first_of(digit)
    out = autoencoders.encode(model(), held_out()[0][i:i + 1])[0]
    out.setflags(write=False)
    return out


def path_point(from_digit: int, to_digit: int, t: float) -> np.ndarray:
    """``(1 - t) z_from + t z_to``: the point ``t`` of the way from one digit's code to the other's."""
    return (1 - t) * code_of(from_digit) + t * code_of(to_digit)


@functools.lru_cache(maxsize=len(PATH_DIGITS) ** 2)
def strip(from_digit: int, to_digit: int) -> np.ndarray:
    """The decoded images at ``t = 0, 1/8, ..., 1`` along the path: (9, 8, 8)."""
    ts = np.linspace(0, 1, STRIP)
    points = np.array([path_point(from_digit, to_digit, t) for t in ts])
    out = decoded(points).reshape(STRIP, 8, 8)
    out.setflags(write=False)
    return out


class CodeMapScene(Scene):
    """The code map with a marker, the decoded image of the marker's code, and a strip of
    decoded images along the path between two held-out digits.

    Parameters: ``mode`` (which controls move the marker), ``z1`` and ``z2`` (its code
    in ``"free"`` mode), ``from_digit``, ``to_digit`` and ``t`` (its place on the path in
    ``"path"`` mode).
    """

    params = (
        Param("mode", "path", options=MODES, label="marker"),
        Param("z1", 0.0, *CODE_RANGE[0], 0.1, label="z\u2081"),
        Param("z2", 0.0, *CODE_RANGE[1], 0.1, label="z\u2082"),
        Param("from_digit", 4, options=tuple((f"a {d}", d) for d in PATH_DIGITS), label="from"),
        Param("to_digit", 0, options=tuple((f"a {d}", d) for d in PATH_DIGITS), label="to"),
        Param("t", 0.5, 0.0, 1.0, 0.05, label="t (along the path)"),
    )
    size = (10.0, 4.6)
    control_rows = (("mode",), ("z1", "z2"), ("from_digit", "to_digit"), ("t",))

    def linked(self, changes: dict) -> dict:
        """Moving ``z1`` or ``z2`` frees the marker; moving ``t`` or picking a digit puts it
        on the path. A ``mode`` given in the same call wins."""
        if "mode" in changes:
            return {}
        if {"z1", "z2"} & set(changes):
            return {"mode": "free"}
        if {"from_digit", "to_digit", "t"} & set(changes):
            return {"mode": "path"}
        return {}

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        fig.text(0.012, 0.95, "Decoding: every point of the code map gives a picture",
                 fontsize=12, fontweight="bold", va="center")
        self.caption = moving(StampedLine(fig, 0.012, 0.885, pieces=3, fontsize=10, va="center"))

        # the map: the held-out digits' codes, the path and the marker
        ax = self.ax_map = fig.add_axes([0.6 / fw, 0.5 / fh, 3.15 / fw, 3.15 / fh])
        (x0, x1), (y0, y1) = CODE_RANGE
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xticks(*style.round_ticks(x0, x1))
        ax.set_yticks(*style.round_ticks(y0, y1))
        ax.tick_params(labelsize=8)
        ax.set_xlabel("z\u2081", labelpad=1)
        ax.set_ylabel("z\u2082", labelpad=1)
        ax.set_title("codes of the 400 held-out digits", fontsize=10)
        self.markers = digit_markers(ax, size=24.0)
        for marker in self.markers:
            marker.set_alpha(0.55)  # the marker and the path stay in front
        place_markers(self.markers, codes_at(len(trained().snapshots) - 1), held_out()[1])
        # what depends on the two digits moves too (drawn on the background, not with it):
        # a new pair then costs no more than any other change
        self.path_line = moving(ax.plot([], [], "--", color=style.BLACK, lw=1.2)[0])
        self.ends = moving(ax.plot([], [], "s", ms=9, mfc="none", mec=style.BLACK, mew=1.4)[0])
        self.end_labels = [moving(stamped(ax, 0, 0, name, fontsize=8, ha="center", va="bottom",
                                          fontweight="bold")) for name in ("from", "to")]
        # not clipped: at a corner of the range the whole marker shows
        self.marker = moving(ax.plot([], [], "o", ms=14, mfc="none", mec=style.BLACK, mew=2.2,
                                     clip_on=False)[0])
        self.marker_dot = moving(ax.plot([], [], "o", ms=3.5, color=style.BLACK, clip_on=False)[0])

        # the decoded image of the marker's code, big
        side = 2.1
        ax = self.ax_big = fig.add_axes([4.45 / fw, 1.55 / fh, side / fw, side / fh])
        self.big = moving(ax.imshow(np.zeros((8, 8)), cmap=style.INK, vmin=0, vmax=1,
                                    interpolation="nearest"))
        style.picture_axes(ax)
        moving(ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, lw=1,
                                      ec=style.GREY, clip_on=False)))
        fig.text((4.45 + side / 2) / fw, (1.55 + side + 0.08) / fh, "decode(z)", fontsize=10,
                 ha="center", va="bottom")
        self.code_text = moving(StampedLine(fig, (4.45 + side / 2) / fw, 1.42 / fh, pieces=3,
                                            ha="center", fontsize=10, va="top"))

        # the two digits the path joins, as they are (not rebuilt)
        self.end_images, self.end_titles = [], []
        for i, x in enumerate((7.0, 8.55)):
            ax = fig.add_axes([x / fw, 2.0 / fh, 1.15 / fw, 1.15 / fh])
            self.end_images.append(moving(ax.imshow(np.zeros((8, 8)), cmap=style.INK, vmin=0, vmax=1,
                                                    interpolation="nearest")))
            style.picture_axes(ax)
            moving(ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, lw=1,
                                          ec=style.GREY, clip_on=False)))
            self.end_titles.append(moving(stamped(fig, (x + 1.15 / 2) / fw, 3.2 / fh, "", fontsize=9,
                                                  ha="center", va="bottom")))
        fig.text(8.3 / fw, 1.83 / fh, "the two held-out digits the path joins", fontsize=8,
                 ha="center", va="top", color=style.GREY)

        # the strip: decoded images along the path
        tile = 0.55
        ax = self.ax_strip = fig.add_axes([4.45 / fw, 0.35 / fh, tile * STRIP / fw, tile / fh])
        self.strip_image = moving(ax.imshow(style.mosaic(np.zeros((STRIP, 8, 8)), STRIP), cmap=_INK,
                                            vmin=0, vmax=1, interpolation="nearest"))
        style.picture_axes(ax)
        self.strip_title = moving(stamped(ax, 0.0, 1.06, "", fontsize=9, transform=ax.transAxes,
                                          va="bottom"))
        self.strip_title.set_clip_on(False)  # above the strip, outside its axes
        self.pointer = moving(ax.plot([], [], "^", ms=7, color=style.BLACK, clip_on=False)[0])

    def draw_path(self) -> None:
        """The path, its ends and the strip: what depends on the two digits."""
        v = self.values
        a, b = code_of(v["from_digit"]), code_of(v["to_digit"])
        self.path_line.set_data([a[0], b[0]], [a[1], b[1]])
        self.ends.set_data([a[0], b[0]], [a[1], b[1]])
        for label, end in zip(self.end_labels, (a, b)):
            label.set_position((end[0], end[1] + 0.6))
        x = held_out()[0]
        for image, title, digit, name in zip(self.end_images, self.end_titles,
                                             (v["from_digit"], v["to_digit"]), ("from", "to")):
            image.set_data(x[first_of(digit)].reshape(8, 8))
            title.set_text(f"{name}: a held-out {digit}")
        self.strip_image.set_data(style.mosaic(strip(v["from_digit"], v["to_digit"]), STRIP))
        self.strip_title.set_text(f"decoded along the path from the {v['from_digit']} to the "
                                  f"{v['to_digit']}: t = 0, 1/8, \u2026, 1")

    def marker_code(self) -> np.ndarray:
        """The code the marker is at: ``(z1, z2)``, or the path's point at ``t``."""
        v = self.values
        if v["mode"] == "free":
            return np.array([v["z1"], v["z2"]])
        return path_point(v["from_digit"], v["to_digit"], v["t"])

    def draw(self) -> None:
        v = self.values
        self.draw_path()
        z = self.marker_code()
        self.marker.set_data([z[0]], [z[1]])
        self.marker_dot.set_data([z[0]], [z[1]])
        self.big.set_data(decoded(z)[0].reshape(8, 8))
        self.code_text.set("z = ({}, {})", style.signed(z[0], 2), style.signed(z[1], 2))
        if v["mode"] == "free":
            self.caption.set("free: the sliders put the marker at z\u2081 = {}, z\u2082 = {}",
                             style.signed(z[0], 1), style.signed(z[1], 1))
            self.pointer.set_data([], [])
        else:
            self.caption.set(f"path: the marker is t = {{}} of the way from the {v['from_digit']}'s "
                             f"code to the {v['to_digit']}'s", f"{v['t']:.2f}")
            self.pointer.set_data([3.5 + v["t"] * (STRIP - 1) * 9], [9.3])
