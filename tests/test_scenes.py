"""Every scene renders at its defaults and at every corner of its parameter ranges,
without an exception or a warning. (An updated frame equals a fresh scene's:
test_scene_updates.py; the GIFs: test_gif_files.py. Three files, so that the test
processes of `make test` share the work.)"""

import importlib
import inspect
import pkgutil
import warnings

import numpy as np
import pytest

from course_utils import chapters, scenes
from course_utils.chapters import load_gif_scene as load
from course_utils.scene import Scene

SCENES = chapters.scene_classes()


def test_every_scene_in_the_package_is_registered():
    """A scene module nobody registered would miss its GIF, benchmark and corner test."""
    found = set()
    for info in pkgutil.iter_modules(scenes.__path__):
        module = importlib.import_module(f"{scenes.__name__}.{info.name}")
        found |= {obj for _, obj in inspect.getmembers(module, inspect.isclass)
                  if issubclass(obj, Scene) and obj.__module__ == module.__name__}
    assert found == set(SCENES)
    assert len(SCENES) == len(set(SCENES)), "a scene is registered twice"


def test_unknown_gif_names_say_which_exist():
    with pytest.raises(KeyError, match="the GIFs are"):
        load("no_such_gif")


@pytest.mark.parametrize("scene_cls", SCENES, ids=lambda c: c.__name__)
def test_renders_at_defaults_and_every_corner(scene_cls):
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = scene_cls()
        first = scene.render()
        assert first.ndim == 3 and first.std() > 0, "the default frame is blank"
        count = 0
        for corner in scene_cls.corner_values():
            scene.set(**corner)
            scene.render()
            count += 1
    assert count == len(list(scene_cls.corner_values()))
