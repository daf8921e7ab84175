"""A character-level LSTM reads a prompt and guesses, after every character, the next one.

The network is :func:`course_utils.characters.train`'s: an ``nn.LSTM`` with 32 units and
a linear read-out, trained on the course's little rhyme (:data:`characters.TEXT`) to
predict the next character at every step. Each character ``x_t`` goes in one-hot (a
vector of ``V = 28`` zeros with a 1 at its place in the alphabet: space, full stop, a to
z); at every step the read-out gives ``V`` logits ``z_t``, and a softmax over the
alphabet turns them into the probability of each next character::

    h_t = LSTM(x_t, h_{t-1}),   z_t = W h_t + b                 (V logits)
    p(next = c | x_1 .. x_t) = exp(z_t,c) / sum_k exp(z_t,k)    (V probabilities, sum 1)

The picture: the prompt runs along the bottom, one character per column (a space is
``␣``). Above each character, the network's three likeliest guesses for the character
after it, each cell coloured by its probability (white 0 %, blue 100 %); the row "true
next" holds the character that really comes next (the prompt's own next character;
after the last one, what follows the prompt in the training text, if the prompt is in
it), coloured by the probability the network gave it. A guess that is the true next
character is framed in orange. Underneath, the network writes on: the prompt (grey)
continued by 60 characters, each fed back in as the next input.

Parameters: ``prompt`` (text you type: lowercase letters, spaces and full stops, 1 to 24
characters), ``snapshot`` (0 is the untrained network, the last one the end of training)
and ``temperature`` (0: always the likeliest character; 0.5 and 1: drawn at random from
``softmax(z_t / T)``, seeded, so the same every time).

The GIF (imgs/next_character.gif) reads the default prompt at every snapshot, from the
untrained network to the trained one.

Drawing: Agg draws text glyph by glyph (about 0.1 ms a character), and this picture holds
some 200 characters that change with every setting. So the grid and the written text are
composed as pixels (each glyph drawn once, each cell kept as a tile: :func:`cell_tile`)
and pasted one pixel per pixel (:class:`Pixels`); the lines of text above and below are
drawn once per distinct string (``lstm_cell.stamped``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .. import characters, style
from ..scene import Param, Scene
from ..stamps import stamped

MAX_PROMPT = characters.LENGTH   # the network was trained on stretches of 24 characters
MIN_COLUMNS = 12                 # a short prompt is drawn at the scale of 12 columns
WRITTEN = 60                     # characters the network writes after the prompt
TOP = 3
SNAPSHOTS = characters.SNAPSHOTS
TEMPERATURES = (("0: the likeliest", 0.0), ("0.5: sampled", 0.5), ("1: sampled", 1.0))
#: Probabilities in ten flat steps, white to blue (few colours: small frames).
SHADES = style.ACTIVITY.resampled(10)
MONO = "DejaVu Sans Mono"

# The layout, in pixels of the 800 x 320 frame (style.DPI = 80), measured from the top.
WIDTH, HEIGHT = 800, 320
GRID_LEFT, GRID_WIDTH, GRID_TOP = 92, 624, 58
ROW, GAP, PROMPT_ROW = 30, 8, 26             # guess rows, the gap above "true next", the prompt
GRID_HEIGHT = TOP * ROW + GAP + ROW + 4 + PROMPT_ROW
WRITE_TOP, WRITE_ROW, ADVANCE = 248, 20, 8   # the written text: one line, 8 px a character
LINE = np.array([208, 208, 208], np.uint8)   # between cells
FRAME = np.array([round(255 * c) for c in to_rgb(style.ORANGE)], np.uint8)
FRAME_WIDTH = 2


def shown(c: str) -> str:
    """A character as the picture writes it: a space is ``␣``."""
    return "\u2423" if c == " " else c


def parse_prompt(text: str) -> str:
    """The prompt if the network can read it, else a ValueError in plain words."""
    if not text:
        raise ValueError("type at least one character")
    unknown = characters.unknown_characters(text)
    if unknown:
        listed = " ".join(repr(c) for c in unknown)
        hint = " (try lowercase)" if any(c.isupper() for c in unknown) else ""
        raise ValueError(f"the network knows only lowercase letters a-z, spaces and full stops; "
                         f"not {listed}{hint}")
    if len(text) > MAX_PROMPT:
        raise ValueError(f"type at most {MAX_PROMPT} characters (the network learned on stretches "
                         f"of {MAX_PROMPT}); this has {len(text)}")
    return text


# ------------------------------------------------------------------ what the network says

@lru_cache(maxsize=256)
def reading(prompt: str, snapshot: int) -> dict:
    """What the network of ``snapshot`` makes of ``prompt``: ``probabilities`` (L, V), row
    ``t`` is ``softmax(z_t)`` after ``prompt[:t + 1]``; ``top`` (L, 3), the indices of the
    likeliest next characters, likeliest first; ``truth`` (L,), the index of the true next
    character, or -1 where there is none; ``followers``, what follows the whole prompt in
    the training text (:func:`characters.followers`)."""
    model = characters.train().at(snapshot)
    p = characters.next_probabilities(model, prompt)
    top = np.argsort(-p, axis=1, kind="stable")[:, :TOP]
    follow = characters.followers(prompt)
    truth = np.full(len(prompt), -1)
    truth[:-1] = characters.encode(prompt[1:])
    if follow:
        truth[-1] = characters.encode(next(iter(follow)))[0]  # the most frequent follower
    for a in (p, top, truth):
        a.setflags(write=False)
    return dict(probabilities=p, top=top, truth=truth, followers=follow)


@lru_cache(maxsize=256)
def writing(prompt: str, snapshot: int, temperature: float) -> str:
    """The prompt continued by :data:`WRITTEN` characters (sampled with seed 0 when T > 0)."""
    return characters.continue_text(characters.train().at(snapshot), prompt, WRITTEN, temperature, rng=0)


# ------------------------------------------------------------------ pixels

@lru_cache(maxsize=None)
def _glyph_canvas(size: float):
    side = int(round(2 * size * style.DPI / 72))
    fig = Figure(figsize=(side / style.DPI, side / style.DPI), dpi=style.DPI)
    canvas = FigureCanvasAgg(fig)
    text = fig.text(0.5, 0.3, "", ha="center", va="baseline", family=MONO, color="black")
    return canvas, text, side


@lru_cache(maxsize=None)
def glyph(c: str, size: float, bold: bool = False) -> tuple[np.ndarray, int, int]:
    """Character ``c`` in DejaVu Sans Mono at ``size`` points, drawn once: its coverage
    (an array of 0 .. 1, rows top-down), and the row of its baseline and the column of
    its centre in that array."""
    canvas, text, side = _glyph_canvas(size)
    text.set_text(c)
    text.set_fontsize(size)
    text.set_fontweight("bold" if bold else "normal")
    renderer = canvas.get_renderer()
    renderer.clear()
    text.draw(renderer)
    pixels = np.asarray(renderer.buffer_rgba())
    coverage = pixels[..., 3] / 255.0                 # black ink on a transparent canvas
    coverage.setflags(write=False)
    return coverage, side - int(round(0.3 * side)), side // 2


def _paste(image: np.ndarray, c: str, x: int, baseline: int, colour, size: float, bold: bool = False):
    """Ink ``c`` into ``image`` (H, W, 3, float) centred at column ``x``, on row ``baseline``."""
    coverage, base, centre = glyph(c, size, bold)
    top, left = baseline - base, x - centre
    h, w = coverage.shape
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + h, image.shape[0]), min(left + w, image.shape[1])
    if y0 >= y1 or x0 >= x1:
        return
    a = coverage[y0 - top:y1 - top, x0 - left:x1 - left, None]
    region = image[y0:y1, x0:x1]
    region *= 1.0 - a
    region += a * np.asarray(colour, float)


BLACK, WHITE, GREY = (0.0, 0.0, 0.0), (255.0, 255.0, 255.0), tuple(np.array(to_rgb(style.GREY)) * 255.0)


def shade(value: float) -> int:
    """The step of :data:`SHADES` a probability is drawn in: 0 .. 9."""
    return min(int(value * SHADES.N), SHADES.N - 1)


@lru_cache(maxsize=4096)
def cell_tile(c: str, level: int, width: int, framed: bool) -> np.ndarray:
    """One cell of the grid, uint8 (ROW + 1, width + 1, 3): a border, the colour of
    probability step ``level`` (-1: white, and ``c`` in grey), an orange frame if
    ``framed``, character ``c`` in the middle (white on dark cells)."""
    tile = np.empty((ROW + 1, width + 1, 3))
    tile[:] = LINE
    fill = np.array(SHADES(level)[:3]) * 255.0 if level >= 0 else np.full(3, 255.0)
    tile[1:ROW, 1:width] = FRAME if framed else fill
    f = FRAME_WIDTH if framed else 0
    tile[1 + f:ROW - f, 1 + f:width - f] = fill
    if c:
        ink = GREY if level < 0 else WHITE if level >= 6 else BLACK
        _paste(tile, shown(c), width // 2 + 1, ROW // 2 + 5, ink, 13)
    tile = np.round(tile).astype(np.uint8)
    tile.setflags(write=False)
    return tile


@lru_cache(maxsize=1024)
def letter_tile(c: str, width: int, height: int, baseline: int, size: float, bold: bool,
                colour: tuple) -> np.ndarray:
    """Character ``c`` on white, uint8 (height, width, 3), centred, on row ``baseline``."""
    tile = np.full((height, width, 3), 255.0)
    if c != " ":
        _paste(tile, c, width // 2, baseline, colour, size, bold)
    tile = np.round(tile).astype(np.uint8)
    tile.setflags(write=False)
    return tile


def grid_pixels(r: dict, prompt: str) -> tuple[np.ndarray, int]:
    """The grid of guesses, the true next characters and the prompt as an RGB image
    (GRID_HEIGHT, width, 3), uint8; and the width of a column in pixels."""
    length = len(prompt)
    columns = max(length, MIN_COLUMNS)
    cw = GRID_WIDTH // columns
    image = np.full((GRID_HEIGHT, cw * columns + 1, 3), 255, np.uint8)   # + 1: the last border
    p, top, truth = r["probabilities"], r["top"], r["truth"]
    truth_top = TOP * ROW + GAP
    prompt_top = truth_top + ROW + 4
    for t in range(length):
        x0 = t * cw
        for k in range(TOP):
            c = top[t, k]
            image[k * ROW:(k + 1) * ROW + 1, x0:x0 + cw + 1] = cell_tile(
                characters.ALPHABET[c], shade(p[t, c]), cw, bool(c == truth[t]))
        c = truth[t]                                   # -1: no true next character, a grey "?"
        tile = cell_tile(characters.ALPHABET[c], shade(p[t, c]), cw, False) if c >= 0 else \
            cell_tile("?", -1, cw, False)
        image[truth_top:truth_top + ROW + 1, x0:x0 + cw + 1] = tile
        ch = prompt[t]
        image[prompt_top:prompt_top + PROMPT_ROW, x0:x0 + cw] = letter_tile(
            shown(ch), cw, PROMPT_ROW, 19, 14, True, GREY if ch == " " else BLACK)
    return image, cw


def text_pixels(prompt: str, written: str) -> np.ndarray:
    """One line of mono text as an RGB image: the prompt in grey, then what was written."""
    image = np.full((WRITE_ROW, ADVANCE * (MAX_PROMPT + WRITTEN), 3), 255, np.uint8)
    for i, c in enumerate(prompt + written):
        if c != " ":
            image[:, i * ADVANCE:(i + 1) * ADVANCE] = letter_tile(
                c, ADVANCE, WRITE_ROW, 15, 12, False, GREY if i < len(prompt) else BLACK)
    return image


class Pixels(Artist):
    """An RGB image drawn one pixel per pixel at ``(left, top)`` pixels from the frame's top
    left corner: pasted as it is (no resampling, which ``figimage`` spends milliseconds on)."""

    def __init__(self, left: int, top: int):
        super().__init__()
        self.left, self.top = left, top
        self.pixels = np.zeros((0, 0, 4), np.uint8)

    def set_data(self, rgb: np.ndarray) -> None:
        rgba = np.empty(rgb.shape[:2] + (4,), np.uint8)
        rgba[..., :3], rgba[..., 3] = rgb, 255
        self.pixels = rgba[::-1].copy()          # Agg takes rows bottom-up
        self.stale = True

    def draw(self, renderer) -> None:
        if not self.get_visible() or not self.pixels.size:
            return
        gc = renderer.new_gc()
        renderer.draw_image(gc, self.left, renderer.height - self.top - self.pixels.shape[0], self.pixels)
        gc.restore()
        self.stale = False


# ------------------------------------------------------------------ the scene

class NextCharacterScene(Scene):
    """An LSTM's three likeliest next characters after every character of a prompt."""

    params = (
        Param("prompt", "the cat sat on the", text=True, parse=parse_prompt, label="prompt"),
        Param("snapshot", SNAPSHOTS, 0, SNAPSHOTS, 1, integer=True, label="snapshot"),
        Param("temperature", 0.0, options=TEMPERATURES, label="temperature"),
    )
    size = (WIDTH / style.DPI, HEIGHT / style.DPI)
    gif_name = "next_character"
    scalable = False  # the grid and its letters are laid out in pixels
    gif_one_palette = True  # flat cells, but anti-aliased letters: one palette keeps it at ~100 kB
    control_rows = (("prompt",), ("snapshot", "temperature"))

    def build(self) -> None:
        fig, moving = self.fig, self.moving

        def y(top_px):                     # a height in pixels from the top -> figure units
            return 1 - top_px / HEIGHT

        fig.text(0.015, y(8), "An LSTM guesses the next character after each one it reads", fontsize=11,
                 fontweight="bold", va="top")
        self.title = moving(stamped(fig, 0.985, y(9), "", fontsize=10, ha="right", va="top"))
        self.note = moving(stamped(fig, 0.015, y(30), "", fontsize=10, color=style.GREY, va="top"))
        labels = [(k * ROW + ROW / 2, f"{'1st 2nd 3rd'.split()[k]} guess") for k in range(TOP)]
        labels += [(TOP * ROW + GAP + ROW / 2, "true next"), (TOP * ROW + GAP + ROW + 4 + 13, "prompt")]
        for top_px, label in labels:
            fig.text((GRID_LEFT - 8) / WIDTH, y(GRID_TOP + top_px), label, ha="right", va="center", fontsize=10)
        self.grid = moving(Pixels(GRID_LEFT, GRID_TOP))
        fig.add_artist(self.grid)
        fig.text(GRID_LEFT / WIDTH, y(GRID_TOP + GRID_HEIGHT + 6), "the prompt, read one character at a "
                 "time; above each: the guesses for the character after it", fontsize=9, color=style.GREY,
                 va="top")
        bar = fig.add_axes([(GRID_LEFT + GRID_WIDTH + 20) / WIDTH, y(GRID_TOP + TOP * ROW + GAP + ROW),
                            10 / WIDTH, (TOP * ROW + GAP + ROW) / HEIGHT])
        bar.imshow(np.linspace(1, 0, 100)[:, None], cmap=SHADES, vmin=0, vmax=1, aspect="auto",
                   extent=(0, 1, 0, 1), interpolation="nearest")
        bar.set_xticks([])
        bar.yaxis.tick_right()
        bar.set_yticks([0, 0.5, 1], labels=["0 %", "50 %", "100 %"])
        bar.tick_params(labelsize=9, length=2, pad=2)
        bar.set_title("p", fontsize=10)
        fig.text(0.015, y(WRITE_TOP + 15), "it writes on:", fontsize=10, va="baseline")
        self.text_image = moving(Pixels(GRID_LEFT, WRITE_TOP))
        fig.add_artist(self.text_image)
        self.how = moving(stamped(fig, GRID_LEFT / WIDTH, y(WRITE_TOP + 38), "", fontsize=9, color=style.GREY,
                                   va="baseline"))

    def draw(self) -> None:
        v = self.values
        prompt, snapshot, temperature = v["prompt"], v["snapshot"], v["temperature"]
        r = self.now_reading = reading(prompt, snapshot)
        self.probabilities = r["probabilities"]
        #: What the grid shows, for tests: per column, the guessed characters and their probabilities.
        self.shown_guesses = ["".join(characters.ALPHABET[c] for c in row) for row in r["top"]]
        self.shown_probabilities = np.take_along_axis(r["probabilities"], r["top"], axis=1)
        pixels, self.column_width = grid_pixels(r, prompt)
        self.grid.set_data(pixels)
        self.continuation = writing(prompt, snapshot, temperature)[len(prompt):]
        self.text_image.set_data(text_pixels(prompt, self.continuation))

        run = characters.train()
        right = f"{100 * run.data['text_accuracy'][snapshot]:.0f} % of its guesses right"
        moment = "untrained" if snapshot == 0 else f"update {run.moments[snapshot]}"
        self.title.set_text(f"snapshot {snapshot} of {SNAPSHOTS}, {moment}: {right}")
        follow = r["followers"]
        if not follow:
            note = "The prompt is not in the training text, so its last character has no true next one (?)."
        elif len(follow) == 1:
            (c, n), = follow.items()
            name = {" ": "a space", ".": "a full stop"}.get(c, f"\u201c{c}\u201d")
            note = f"In the training text, the prompt is followed by {name}{'' if n == 1 else f' ({n} times)'}."
        else:
            listed = ", ".join(f"{shown(c)} {n}\u00d7" for c, n in follow.items())
            note = f"In the training text, the prompt is followed by {listed}; the most frequent is shown."
        self.note.set_text(note)
        self.how.set_text("temperature 0: always the likeliest character, fed back in as the next input"
                          if temperature == 0 else
                          f"temperature {temperature:g}: each character drawn at random from "
                          f"softmax(z / {temperature:g}) (seeded), then fed back in")

    def storyboard(self):
        """The default prompt, read by the network at every snapshot of its training: the
        guesses go from the same few letters everywhere to the text's own."""
        prompt = self.param("prompt").default
        for k in range(SNAPSHOTS + 1):
            yield dict(prompt=prompt, snapshot=k, temperature=0.0), 2000 if k in (0, SNAPSHOTS) else 500
