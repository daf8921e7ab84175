"""A notebook opened without running it shows a picture for every widget: each stored
widget output carries the scene's frame as a PNG of the scene's own size (nbval skips
PNGs, so this is checked here)."""

import base64
import json
import re
import struct
from pathlib import Path

import pytest

from course_utils import style
from course_utils.chapters import scene_classes

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
SCENES = {cls.__name__: cls for cls in scene_classes()}
WIDGET = "application/vnd.jupyter.widget-view+json"


def png_size(data: str) -> tuple[int, int]:
    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", raw[16:24])


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_widget_output_carries_its_picture(notebook):
    seen = 0
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET not in data:
                continue
            seen += 1
            name = re.match(r"<interactive (\w+):", "".join(data["text/plain"])).group(1)
            assert "image/png" in data, f"{notebook.stem}: the {name} widget has no picture"
            width, height = SCENES[name].size
            assert png_size(data["image/png"]) == (round(width * style.DPI), round(height * style.DPI))
    assert seen > 0
