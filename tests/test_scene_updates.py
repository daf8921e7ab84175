"""Updating a scene in place (and redrawing only what moves) gives the same frame as a fresh
scene with the same values, for every registered scene."""

import numpy as np
import pytest

from course_utils import chapters

SCENES = chapters.scene_classes()


@pytest.mark.parametrize("scene_cls", SCENES, ids=lambda c: c.__name__)
def test_updated_frame_equals_a_fresh_scene(scene_cls):
    """Updating in place (and redrawing only what moves) leaves no trace of earlier frames."""
    corners = list(scene_cls.corner_values())
    for target in (corners[0], corners[-1]):
        scene = scene_cls()
        scene.render()
        for corner in corners[1:3]:
            scene.set(**corner)
            scene.render()
        scene.set(**target)
        assert np.array_equal(scene.render(), scene_cls(**target).render()), target
