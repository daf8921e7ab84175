"""Every scene renders at its defaults and at every corner of its parameter ranges,
without an exception or a warning; every GIF in imgs/ is fresh, loops and fits its budget."""

import importlib
import inspect
import io
import pkgutil
import warnings

import numpy as np
import pytest
from PIL import Image

from course_utils import chapters, gif, scenes
from course_utils.chapters import gif_scenes, load_gif_scene as load
from course_utils.scene import Scene

SCENES = chapters.scene_classes()
GIFS = gif_scenes()


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


@pytest.mark.parametrize("name", sorted(GIFS))
def test_gif_is_fresh(name):
    assert not gif.is_stale(load(name)), f"imgs/{name}.gif is stale: run `python -m course_utils gifs {name}`"


@pytest.mark.parametrize("name", sorted(GIFS))
def test_gif_loops_and_fits_budget(name):
    path = gif.IMGS / f"{name}.gif"
    data = path.read_bytes()
    assert len(data) <= gif.SIZE_BUDGET
    im = Image.open(io.BytesIO(data))
    assert im.info.get("loop") == 0 and im.n_frames > 1


def test_every_gif_in_imgs_is_built_by_code():
    on_disk = {p.stem for p in gif.IMGS.glob("*.gif")}
    assert on_disk == set(GIFS), f"GIFs without a scene: {on_disk - set(GIFS)}; missing: {set(GIFS) - on_disk}"
