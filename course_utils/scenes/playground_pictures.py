"""What the playground (:class:`course_utils.scenes.playground.PlaygroundScene`) draws of a
network on the plane: each column's values on a grid of points, each neuron's thumbnail,
and the colours of the output's map."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba

from .. import playground as pg, style

__all__ = ["CLASS_COLOURS", "RGBA_CLASSES", "layer_values", "colours", "pictures"]

#: Class colours (two classes: class 0 vermillion, class 1 blue, as in every chapter); the
#: sixth is dark grey, since the palette's sky blue looks too much like class 1's blue.
CLASS_COLOURS = (style.VERMILLION, style.BLUE, style.GREEN, style.ORANGE, style.PURPLE, "#505050")
RGBA_CLASSES = np.array([to_rgba(c) for c in CLASS_COLOURS])


def layer_values(trainer, points, kind: str) -> list[np.ndarray]:
    """Each column's values at ``points``: the features, each hidden layer's activations,
    and the output's scores (or class probabilities)."""
    setting, model = trainer.setting, trainer.model
    x = pg.features(points, setting.features)
    columns = [x]
    model.eval()
    try:
        h = x
        for module in model:
            h = module(h)
            if isinstance(module, tuple(pg.ACTIVATIONS.values())) and len(columns) <= len(setting.hidden):
                columns.append(h)
    finally:
        model.train()
    out = pg.scores(setting, kind, trainer.predict(x))
    columns.append(out.reshape(len(points), -1))
    return columns


def colours(values: np.ndarray, kind: str, discretize: bool) -> np.ndarray:
    """RGBA in [0, 1] for scores: two classes and regression on the diverging map
    (orange -1, white 0, blue +1); classes as their colours, paler where less sure."""
    if kind == "classes":
        p = np.nan_to_num(values, nan=1.0 / values.shape[1])
        if discretize:
            p = np.eye(p.shape[1])[p.argmax(axis=1)]
        mixed = p @ RGBA_CLASSES[:p.shape[1]]
        sure = (p.max(axis=1, keepdims=True) - 1 / p.shape[1]) / (1 - 1 / p.shape[1])
        out = 1 - 0.7 * sure * (1 - mixed)  # white where unsure, paler than the points where sure
        out[:, 3] = 1
        return out
    s = np.nan_to_num(np.clip(values.reshape(-1), -1, 1), nan=0.0)
    if discretize and kind != "regression":  # a number has no class to pick
        s = np.sign(s) * 0.6
    return 1 - 0.7 * (1 - style.DIVERGING(0.5 + 0.5 * s))  # paler, so the points show


def pictures(columns, setting, kind: str) -> list[np.ndarray]:
    """Each neuron's picture, RGBA (points, 4): its value at each point of the plane on
    the diverging map (for tanh and sigmoid neurons on their fixed scale, full colour at
    ±1; for features and for ReLU and linear neurons scaled to their largest value);
    the output's score as in the big map, or each class's probability from white to
    the class's colour."""
    bounded = setting.activation in ("tanh", "sigmoid")
    drawn = []
    for c, values in enumerate(columns[:-1]):
        if bounded and c > 0:
            scale = np.ones(values.shape[1])
        else:
            scale = np.nanmax(np.abs(values), axis=0)
            scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        drawn.append(style.DIVERGING(0.5 + 0.5 * np.nan_to_num(values / scale)).transpose(1, 0, 2))
    out = columns[-1]
    if kind == "classes":
        p = np.nan_to_num(out).T[:, :, None]  # (classes, points, 1)
        drawn.append(1 - p * (1 - RGBA_CLASSES[:out.shape[1], None, :]))
    else:
        drawn.append(colours(out, kind, False)[None])
    return drawn
