"""Helpers for the neural-network course: scenes, presenters, datasets and a numpy engine.

Importing this package is cheap: the submodules load matplotlib or ipywidgets only
when a notebook uses them.
"""

__version__ = "0.1.0"
