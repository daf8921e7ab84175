"""One module per concept; each holds a scene (see :mod:`course_utils.scene`).

:data:`GIFS` lists every scene that has a GIF in imgs/, by GIF name, as
``"module:Class"`` so that listing them imports nothing heavy.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

GIFS = {
    "neuron": "neuron:NeuronScene",
    "activation": "activations:ActivationScene",
    "layers": "layers:LayersScene",
    "optimizers": "optimizers:OptimizerRaceScene",
    "learning_rate": "learning_rate:LearningRateScene",
    "batch_size": "training:BatchSizeScene",
}


def load(name: str):
    """Return the scene class whose GIF is ``imgs/<name>.gif``."""
    if name not in GIFS:
        raise KeyError(f"no GIF named {name!r}; the GIFs are {sorted(GIFS)}")
    module, cls = GIFS[name].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)


def all_scenes() -> list[type]:
    """Every Scene subclass defined in this package, by name (imports each module)."""
    from ..scene import Scene

    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Scene) and obj.__module__ == module.__name__:
                found.append(obj)
    return sorted(found, key=lambda cls: cls.__name__)
