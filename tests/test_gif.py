"""The GIF presenter: frames, durations, looping, atomic writes, budget and staleness."""

import io

import numpy as np
import pytest
from PIL import Image

from course_utils import gif
from test_scene import Dot


class DotMovie(Dot):
    gif_name = "dot"

    def storyboard(self):
        for k in range(4):
            yield {"step": k, "x": -0.5 + k / 3}, 100 + 10 * k


def read(data):
    im = Image.open(io.BytesIO(data))
    durations = []
    for i in range(im.n_frames):
        im.seek(i)
        durations.append(im.info["duration"])
    return im, durations


def test_frames_follow_the_storyboard():
    images, durations = gif.frames(DotMovie())
    assert len(images) == 4 and durations == [100, 110, 120, 130]
    assert all(f.shape == images[0].shape for f in images)
    assert not np.array_equal(images[0], images[1])


def test_gif_loops_forever_with_ms_durations():
    im, durations = read(gif.render(DotMovie))
    assert im.n_frames == 4
    assert im.info["loop"] == 0
    assert durations == [100, 110, 120, 130]


def test_same_code_same_bytes():
    assert gif.render(DotMovie) == gif.render(DotMovie)


def test_build_then_fresh_then_stale(tmp_path):
    path = gif.build(DotMovie, folder=tmp_path)
    assert path == tmp_path / "dot.gif"
    assert not gif.is_stale(DotMovie, folder=tmp_path)
    path.write_bytes(path.read_bytes()[:-10])
    assert gif.is_stale(DotMovie, folder=tmp_path)
    path.unlink()
    assert gif.is_stale(DotMovie, folder=tmp_path)


def test_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "dot.gif"
    target.write_bytes(b"old")

    def crash(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(gif.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        gif.write_atomic(target, b"new bytes")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["dot.gif"]  # no temporary left behind


def test_over_budget_is_refused(tmp_path):
    with pytest.raises(gif.GifTooLarge, match="budget"):
        gif.write_atomic(tmp_path / "big.gif", b"x" * 101, budget=100)
    assert not (tmp_path / "big.gif").exists()


def test_storyboard_errors_are_clear():
    class Empty(Dot):
        def storyboard(self):
            return iter(())

    class ZeroDuration(Dot):
        def storyboard(self):
            yield {}, 0

    with pytest.raises(ValueError, match="no frames"):
        gif.frames(Empty())
    with pytest.raises(ValueError, match="milliseconds"):
        gif.frames(ZeroDuration())


def test_a_build_removes_temporary_files_a_killed_build_left(tmp_path):
    left = tmp_path / ".dot.abc123.tmp.gif"
    left.write_bytes(b"half a GIF")
    other = tmp_path / ".neuron.xyz.tmp.gif"  # another GIF's: not ours to remove
    other.write_bytes(b"x")
    path = gif.build(DotMovie, folder=tmp_path)
    assert path.exists() and not left.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".neuron.xyz.tmp.gif", "dot.gif"])


class ColourfulMovie(DotMovie):
    """A small dot moving over a still picture of thousands of colours."""

    gif_one_palette = True

    def build(self):
        super().build()
        ramp = np.linspace(0, 1, 40)
        picture = np.dstack([ramp[None, :] * np.ones((40, 1)), ramp[:, None] * np.ones((1, 40)),
                             np.full((40, 40), 0.5)])
        picture[15:25, 15:25] = (0.9, 0.3, 0.1)  # and a flat patch in the middle
        self.ax.imshow(picture, extent=(-1.2, 1.2, -1.2, 1.2), interpolation="nearest")
        self.dot.set_markersize(6)


def test_one_palette_stores_only_what_moves():
    images, durations = gif.frames(ColourfulMovie())
    assert len(np.unique(images[0].reshape(-1, 3), axis=0)) > 1000  # more than a GIF frame holds
    one = gif.encode(images, durations, one_palette=True)
    assert len(one) < 0.7 * len(gif.encode(images, durations))
    assert gif.render(ColourfulMovie) == one == gif.render(ColourfulMovie)  # the scene asks for it
    reduced = [np.asarray(f.convert("RGB")) for f in gif.shared_palette(images)]
    assert max(np.abs(f.astype(int) - g).mean() for f, g in zip(reduced, images)) < 3
    flat = images[0][80, 80]  # a colour that covers many pixels stays exact
    assert np.all(images[0] == flat, axis=2).mean() > 0.01 and all(np.array_equal(f[80, 80], flat) for f in reduced)
    im, read_durations = read(one)
    assert im.n_frames == 4 and im.info["loop"] == 0 and read_durations == durations
