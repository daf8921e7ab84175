"""Saving a playground run to JSON and loading it back
(:meth:`course_utils.scenes.playground.PlaygroundScene.save` and ``.load``): the setting,
the epoch, every weight, the view, and the student's own data if used. Loading trains the
run again and checks it comes out the same, bit for bit."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .. import playground as pg

__all__ = ["to_json", "load", "values_of"]

#: The scene's parameters that a saved setting holds as they are.
SETTING = ("data", "noise", "train_percent", "activation", "loss", "optimizer", "lr", "batch_size",
           "penalty", "strength", "dropout", "patience", "seed")
VIEW = ("epochs", "show_test", "discretize")


def to_json(scene) -> str:
    """``scene``'s current run as JSON (see the module)."""
    run = scene.run
    own = scene._given if scene.values["data"] == "yours" else None
    view = {k: scene.values[k] for k in VIEW}
    return pg.export(run.trainer.setting, run.at, run.trainer.model, own, view)


def load(cls, source):
    """A ``cls`` scene from a saved run (a path, or the JSON text itself), trained again to
    its epoch; the saved weights, with a warning, if training here does not give them."""
    text = str(source)
    if not text.lstrip().startswith("{"):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"there is no file {str(path)!r}")
        text = path.read_text(encoding="utf-8")
    saved = pg.read_export(text)
    try:
        values = values_of(saved)
        points, labels = saved["data"] or (None, None)
        scene = cls(points=points, labels=labels, **values)
    except (KeyError, TypeError, ValueError) as exc:
        why = f"it has no {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ValueError(f"the saved setting is not one the playground can take: {why}") from None
    model = scene.run.trainer.model
    got = model.state_dict()
    if set(got) != set(saved["weights"]) or any(got[k].shape != saved["weights"][k].shape for k in got):
        raise ValueError("the saved weights do not fit the saved setting's network")
    if not all(np.array_equal(got[k], saved["weights"][k]) for k in got):
        # Same code, other last bits: another CPU's maths library (or another version of
        # the course, or an edited file). The file's own weights are what was shared.
        model.load_state_dict(saved["weights"])
        warnings.warn("training this setting again here does not give the saved weights bit for "
                      "bit (another kind of computer rounds differently, or the file was made by "
                      "another version of the course): the network now has the saved weights; "
                      "earlier epochs show this computer's own run", stacklevel=3)
        scene.set(step=scene.values["step"])  # draw the saved weights
    return scene


def values_of(saved: dict) -> dict:
    """The scene's parameter values from a saved run (KeyError, TypeError or ValueError
    for a setting that is not one)."""
    s, view = saved["setting"], saved["view"]
    features, hidden = s["features"], s["hidden"]
    if not isinstance(features, (list, tuple)) or not set(features) <= set(pg.FEATURES):
        raise ValueError(f"features must be a list of {list(pg.FEATURES)}; got {features!r}")
    if not isinstance(hidden, (list, tuple)) or not all(isinstance(h, int) for h in hidden):
        raise ValueError(f"hidden must be a list of neurons per layer, like [4, 2]; got {hidden!r}")
    if not isinstance(view, dict) or not set(view) <= set(VIEW):
        raise ValueError(f"view must hold epochs, show_test and discretize; got {view!r}")
    from .playground import FEATURE_PARAMS  # (that module imports this one)

    values = {name: feature in features for name, feature in FEATURE_PARAMS.items()}
    values.update({k: s[k] for k in SETTING})
    values.update(hidden=" ".join(map(str, hidden)), step=saved["epoch"], **view)
    return values

