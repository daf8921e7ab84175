"""The GIF presenter: a scene's storyboard -> frames -> an animated GIF in imgs/.

Every GIF loops forever, gives each frame its own duration in milliseconds, and is
written atomically: the bytes go to a temporary file that replaces the old GIF only
when complete, so an interrupted build never leaves a broken picture. The same code
and library versions give the same bytes, which is how ``--check`` finds stale GIFs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import imageio.v3 as iio
import numpy as np

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


def encode(images: Iterable[np.ndarray], durations: list[int]) -> bytes:
    """Encode frames as the bytes of a GIF that loops forever (``loop=0``)."""
    return iio.imwrite("<bytes>", list(images), extension=".gif", duration=durations, loop=0)


def write_atomic(path: Path, data: bytes, budget: int = SIZE_BUDGET) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Raises :class:`GifTooLarge` (and leaves any old file alone) when ``data`` exceeds
    ``budget`` bytes.
    """
    path = Path(path)
    if len(data) > budget:
        raise GifTooLarge(f"{path.name} would be {len(data):,} bytes, over its budget of {budget:,}: "
                          "use fewer or smaller frames")
    path.parent.mkdir(parents=True, exist_ok=True)
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
    """Build a fresh scene at its defaults and return its GIF's bytes."""
    scene = scene_cls()
    try:
        return encode(*frames(scene, progress))
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
