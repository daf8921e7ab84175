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
