"""One module per concept; each holds a scene (see :mod:`course_utils.scene`).

:data:`GIFS` lists every scene that has a GIF in imgs/, by GIF name, as
``"module:Class"`` so that listing them imports nothing heavy.
"""

from __future__ import annotations

import importlib

GIFS = {
    "neuron": "neuron:NeuronScene",
}


def load(name: str):
    """Return the scene class whose GIF is ``imgs/<name>.gif``."""
    if name not in GIFS:
        raise KeyError(f"no GIF named {name!r}; the GIFs are {sorted(GIFS)}")
    module, cls = GIFS[name].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)
