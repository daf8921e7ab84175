"""The GIF presenter: a scene's storyboard -> frames -> an animated GIF in imgs/.

Every GIF loops forever, gives each frame its own duration in milliseconds, and is
written atomically: the bytes go to a temporary file that replaces the old GIF only
when complete, so an interrupted build never leaves a broken picture. The same code
and library versions give the same bytes, which is how ``--check`` finds stale GIFs.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import imageio.v3 as iio
import numpy as np
from PIL import Image  # Pillow comes with matplotlib

from . import style
from .scene import Scene

#: Where the GIFs live: imgs/ at the top of the repository.
IMGS = Path(__file__).resolve().parent.parent / "imgs"
#: Largest GIF we accept, in bytes. Big GIFs load slowly on Binder and in the docs.
SIZE_BUDGET = 1_000_000


class GifTooLarge(RuntimeError):
    """Raised when a GIF would be larger than its size budget."""


def frames(scene: Scene, progress: Callable[[int], None] | None = None) -> tuple[list[np.ndarray], list[int]]:
    """Walk the scene's storyboard; return the frames (RGB arrays) and their durations in ms."""
    images, durations = [], []
    for changes, duration in scene.storyboard():
        if duration <= 0:
            raise ValueError(f"frame durations are milliseconds and must be positive, got {duration}")
        scene.set(**changes)
        images.append(scene.render())
        durations.append(int(duration))
        if progress:
            progress(len(images))
    if not images:
        raise ValueError(f"{type(scene).__name__}.storyboard() yielded no frames")
    return images, durations


def encode(images: Iterable[np.ndarray], durations: list[int], one_palette: bool = False) -> bytes:
    """Encode frames as the bytes of a GIF that loops forever (``loop=0``).

    A GIF frame holds at most 256 colours, so each frame is reduced to a palette of its
    own; frames of more colours get slightly different palettes, and then much of what
    did not move looks changed and is stored again. With ``one_palette``, every
    frame is reduced to the same palette (:func:`shared_palette`): the parts that do not
    move keep their colours exactly, and each frame stores only what moved.
    """
    images = list(images)
    if not one_palette:
        return iio.imwrite("<bytes>", images, extension=".gif", duration=durations, loop=0)
    frames = shared_palette(images)  # handed to Pillow as they are: converting again would change them
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return buffer.getvalue()


def shared_palette(images: list[np.ndarray], sample: int = 8) -> list[Image.Image]:
    """The frames as palette images ("P") that share one palette of 256 colours, found on
    every ``sample``-th frame and the last one: first every colour that covers at least
    0.1 % of their pixels (so flat areas, white above all, stay exact), then a median cut
    for the rest. Each pixel becomes the nearest colour of the palette, with no
    dithering. Same frames, same result."""
    chosen = np.concatenate([f.reshape(-1, 3) for f in images[::sample] + images[-1:]])
    colours, counts = np.unique(_codes(chosen), return_counts=True)
    order = np.argsort(-counts, kind="stable")[:128]
    flat = _rgb(colours[order[counts[order] >= 0.001 * len(chosen)]])
    rest = Image.fromarray(chosen[None]).quantize(256 - len(flat), method=Image.Quantize.MEDIANCUT,
                                                  dither=Image.Dither.NONE)
    palette = np.concatenate([flat, np.reshape(rest.getpalette()[:3 * (256 - len(flat))], (-1, 3))])
    frames = []
    for image in images:  # (Pillow's own mapping to a palette is approximate: white became 252)
        unique, inverse = np.unique(_codes(image.reshape(-1, 3)), return_inverse=True)
        rgb = _rgb(unique).astype(float)  # squared distances |c - p|^2 = |c|^2 - 2 c.p + |p|^2, exact
        distance = (rgb ** 2).sum(axis=1)[:, None] - 2 * rgb @ palette.T + (palette ** 2).sum(axis=1)
        frame = Image.fromarray(distance.argmin(axis=1).astype(np.uint8)[inverse].reshape(image.shape[:2]))
        frame.putpalette(np.resize(palette, (256, 3)).astype(np.uint8).tobytes())  # L -> P
        frames.append(frame)
    return frames


def _codes(rgb: np.ndarray) -> np.ndarray:
    """Colours (n, 3) of 0-255 as one integer each."""
    return rgb.astype(np.int64) @ np.array([65536, 256, 1])


def _rgb(codes: np.ndarray) -> np.ndarray:
    """The colours (n, 3) of integers made by :func:`_codes`."""
    return np.stack([codes // 65536, codes // 256 % 256, codes % 256], axis=1)


def write_atomic(path: Path, data: bytes, budget: int = SIZE_BUDGET) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Raises :class:`GifTooLarge` (and leaves any old file alone) when ``data`` exceeds
    ``budget`` bytes. Temporary files of this GIF that a killed build left behind are
    removed first.
    """
    path = Path(path)
    if len(data) > budget:
        raise GifTooLarge(f"{path.name} would be {len(data):,} bytes, over its budget of {budget:,}: "
                          "use fewer or smaller frames")
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.stem}.*.tmp.gif"):  # left by a build that was killed
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp.gif")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a GIF is for everyone
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def render(scene_cls: type[Scene], progress: Callable[[int], None] | None = None) -> bytes:
    """Build a fresh scene at its defaults and return its GIF's bytes (always at picture
    scale 1: the GIFs are the same whoever builds them)."""
    with style.picture_scale(1.0):
        scene = scene_cls()
    try:
        return encode(*frames(scene, progress), one_palette=scene_cls.gif_one_palette)
    finally:
        scene.fig.clear()


def build(scene_cls: type[Scene], folder: Path = IMGS,
          progress: Callable[[int], None] | None = None) -> Path:
    """Render a scene's GIF and write it to ``folder/<gif_name>.gif``."""
    return write_atomic(Path(folder) / f"{scene_cls.gif_name}.gif", render(scene_cls, progress))


def is_stale(scene_cls: type[Scene], folder: Path = IMGS) -> bool:
    """True when the committed GIF is missing or differs from what the code draws now."""
    path = Path(folder) / f"{scene_cls.gif_name}.gif"
    return not path.exists() or path.read_bytes() != render(scene_cls)
