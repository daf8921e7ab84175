"""Every GIF in imgs/ is built by a registered scene's code, is fresh (the code would make the
same frames), loops and fits its size budget."""

import io

import pytest
from PIL import Image

from course_utils import gif
from course_utils.chapters import gif_scenes, load_gif_scene as load

GIFS = gif_scenes()


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
