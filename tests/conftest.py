"""Shared test setup: a headless matplotlib backend and the list of every scene class."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil

os.environ.setdefault("MPLBACKEND", "Agg")


def all_scene_classes():
    """Every Scene subclass defined in course_utils.scenes (imports each module)."""
    from course_utils import scenes
    from course_utils.scene import Scene

    found = []
    for info in pkgutil.iter_modules(scenes.__path__):
        module = importlib.import_module(f"{scenes.__name__}.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Scene) and obj is not Scene and obj.__module__ == module.__name__:
                found.append(obj)
    return sorted(found, key=lambda cls: cls.__name__)
