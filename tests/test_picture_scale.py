"""The projector option: every live picture can be drawn 1.5 times larger (style.PICTURE_SCALE),
all of it alike, while the GIFs and the stored outputs stay at scale 1."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from course_utils import gif, style
from course_utils.__main__ import PROJECTOR_SCALE, ROOT, projector_env
from course_utils.chapters import scene_classes
from course_utils.widgets import SceneWidget

SCENES = scene_classes()


def frame(cls, scale):
    with style.picture_scale(scale):
        scene = cls()
    try:
        return scene.render()
    finally:
        scene.fig.clear()


@pytest.mark.parametrize("cls", SCENES, ids=lambda c: c.__name__)
def test_a_larger_picture_is_the_same_picture(cls):
    small, large = frame(cls, 1.0), frame(cls, PROJECTOR_SCALE)
    if not cls.scalable:  # drawn pixel by pixel: the widget stretches it instead
        assert np.array_equal(small, large)
        return
    height, width = small.shape[:2]
    assert abs(large.shape[0] - PROJECTOR_SCALE * height) <= 1
    assert abs(large.shape[1] - PROJECTOR_SCALE * width) <= 1
    shrunk = np.asarray(Image.fromarray(large).resize((width, height), Image.LANCZOS), float)
    # Text and thin lines land on other pixels at another size (measured: 2.7 to 11.8 of 255
    # on average); a part laid out in pixels instead of inches is far off (33 for the
    # next-character grid, before it was marked not scalable).
    assert np.abs(shrunk - small).mean() < 15


def test_gifs_are_built_at_scale_1_whatever_the_scale():
    name = "neuron"
    cls = next(c for c in SCENES if c.gif_name == name)
    with style.picture_scale(PROJECTOR_SCALE):
        assert not gif.is_stale(cls)


@pytest.mark.parametrize("name, width", [("NeuronScene", 960), ("NextCharacterScene", 1200)])
def test_the_widget_shows_every_picture_at_the_larger_size(name, width):
    cls = next(c for c in SCENES if c.__name__ == name)
    with style.picture_scale(PROJECTOR_SCALE):
        widget = SceneWidget(cls())
    assert widget.image.layout.width == f"{width}px"


def test_the_projector_server_tells_its_kernels_the_scale():
    env = projector_env()
    assert env["COURSE_PICTURE_SCALE"] == str(PROJECTOR_SCALE)
    assert os.environ.get("COURSE_PICTURE_SCALE") is None  # this process is left alone
    printed = subprocess.run([sys.executable, "-c", "from course_utils import style; print(style.PICTURE_SCALE)"],
                             env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert float(printed) == PROJECTOR_SCALE
