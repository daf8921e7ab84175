"""Labelled points in the plane, for the playground (:mod:`course_utils.playground`): its
made-up data sets, your own points and CSV files, the split into training and test
points, and the input features a network is given of each point.

* **Data sets**: 500 points on the plane [-6, 6]²; the two-class sets of
  :mod:`course_utils.data` (circle, XOR, Gaussians, spiral) scaled by 3, so that the
  features sin x₁ and sin x₂ have room to wave; three blobs and four quadrants (three and
  four classes); and two regression sets, a tilted plane and four bumps.
* **Features**: x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂, TensorFlow Playground's seven.

A few points may lie outside the plane: the Gaussians' blobs reach 6.6 from the centre,
the three blobs have no edge, and noise spreads every set. They train and test like the
others; the picture shows the plane only.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from . import data

__all__ = ["PLANE", "POINTS", "SCALE", "DATA_SEED", "DATASETS", "FEATURES", "kind_of", "make_points",
           "own_points", "load_csv", "split", "features"]

#: The plane's half width, and the number of points of a made-up data set.
PLANE, POINTS = 6.0, 500
#: The made-up sets live in about [-2, 2]²; the playground's plane is 3 times larger.
SCALE = 3.0
#: The seed of the points (the ``seed`` setting is the network's start and its batches).
DATA_SEED = 0

#: Data set name -> its kind: "two classes", "classes" (three or four) or "regression".
DATASETS = {"circle": "two classes", "xor": "two classes", "gaussian": "two classes",
            "spiral": "two classes", "three blobs": "classes", "four quadrants": "classes",
            "plane": "regression", "bumps": "regression"}

#: The input features: name -> function of the points (N, 2) -> (N,).
FEATURES = {
    "x₁": lambda p: p[:, 0], "x₂": lambda p: p[:, 1],
    "x₁²": lambda p: p[:, 0] ** 2, "x₂²": lambda p: p[:, 1] ** 2,
    "x₁x₂": lambda p: p[:, 0] * p[:, 1],
    "sin x₁": lambda p: np.sin(p[:, 0]), "sin x₂": lambda p: np.sin(p[:, 1]),
}

def kind_of(name: str) -> str:
    """The kind of a data set: "two classes", "classes" or "regression"."""
    if name not in DATASETS:
        raise ValueError(f"no data set {name!r}; the data sets are {list(DATASETS)}")
    return DATASETS[name]


def make_points(name: str, noise: float = 0.0, n: int = POINTS) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points of the data set ``name`` on the plane [-6, 6]², seeded: ``(x, y)`` with
    ``x`` (n, 2), and ``y`` (n,) class labels (integers) or regression targets in [-1, 1].

    ``noise`` is the spread of the Gaussian noise added: to the points of a classification
    set, in the units of :mod:`course_utils.data` (before the scaling by 3), and to the
    targets of a regression set."""
    kind = kind_of(name)
    gen = np.random.default_rng(DATA_SEED)
    if name in data.DATASETS:
        x, y = data.DATASETS[name](n, noise, gen)
        return SCALE * x, y
    if kind == "classes":
        y = np.arange(n) % (3 if name == "three blobs" else 4)
        if name == "three blobs":  # three round blobs at 90, 210 and 330 degrees
            angle = np.pi / 2 + 2 * np.pi * y / 3
            x = 3.2 * np.column_stack([np.cos(angle), np.sin(angle)]) + 1.1 * gen.normal(size=(n, 2))
        else:  # a class per quadrant, each coordinate at least 0.6 away from the axes
            signs = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]])[y]
            x = signs * gen.uniform(0.6, PLANE - 0.5, size=(n, 2))
        x = x + SCALE * noise * gen.normal(size=(n, 2))
    else:
        x = gen.uniform(-PLANE + 0.5, PLANE - 0.5, size=(n, 2))
        if name == "plane":
            y = (x[:, 0] + x[:, 1]) / (2 * PLANE)
        else:  # two bumps up and two down
            y = sum(s * np.exp(-((x - c) ** 2).sum(axis=1) / 4.5) for s, c in
                    ((1, (-2.5, 2.5)), (1, (2.5, -2.5)), (-1, (2.5, 2.5)), (-1, (-2.5, -2.5))))
        y = y + noise * gen.normal(size=n)
    order = gen.permutation(n)
    return x[order].astype(np.float64), y[order]


def own_points(points, labels) -> tuple[np.ndarray, np.ndarray, str]:
    """Your data, checked and fitted to the plane: ``(x, y, kind)``.

    ``points`` is (N, 2) numbers; ``labels`` has N entries: an array of integers (or
    booleans) holds classes 0, 1, ... (two to six, each used); an array of floats is a
    regression target. The points are shuffled (seeded), and moved and scaled to fill the
    plane (centred, the largest coordinate 5), since the features and the picture live on
    [-6, 6]²."""
    for name, values in (("points", points), ("labels", labels)):
        try:
            arr = np.asarray(values)
            kind, ndim = arr.dtype.kind, arr.ndim
        except Exception:  # noqa: BLE001 - ragged lists and other things that are no array
            kind, ndim = "O", 1
        if kind not in "biuf" and ndim == 0 and name == "points":
            raise ValueError(f"points must have shape (N, 2), one row per point; got {values!r}")
        if kind not in "biuf":
            what = "text" if kind in "US" else "complex numbers" if kind == "c" else "not only numbers"
            raise ValueError(f"{name} must be numbers (real numbers; for classes, whole numbers "
                             f"0, 1, ...); these are {what}")
    x = np.asarray(points, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), one row per point; got {x.shape}")
    if y.shape != (len(x),):
        raise ValueError(f"labels must be {len(x)} numbers, one per point; got shape {y.shape}")
    if len(x) < 4:
        raise ValueError(f"give at least 4 points (some to train on, some to test); got {len(x)}")
    for name, values in (("points", x), ("labels", y)):
        bad = np.flatnonzero(~np.isfinite(values).reshape(len(values), -1).all(axis=1))
        if bad.size:
            raise ValueError(f"{name} must be finite numbers; row {bad[0]} is not")
    kind = "regression"
    if np.asarray(labels).dtype.kind in "biu":  # whole numbers: classes
        classes = np.unique(y)
        if not np.array_equal(classes, np.arange(len(classes))) or not 2 <= len(classes) <= 6:
            raise ValueError(f"class labels must be 0, 1, ... with each class used (two to six "
                             f"classes); got {classes.astype(int).tolist()}")
        kind, y = ("two classes" if len(classes) == 2 else "classes"), y.astype(np.int64)
    order = np.random.default_rng(DATA_SEED).permutation(len(x))  # a file sorted by class
    x, y = x[order], y[order]                                     # still splits fairly
    centre = (x.max(axis=0) + x.min(axis=0)) / 2
    reach = np.abs(x - centre).max()
    return (x - centre) * (5.0 / reach if reach > 0 else 1.0), y, kind


def load_csv(path) -> tuple[np.ndarray, np.ndarray]:
    """Read ``x1,x2,label`` lines from a CSV file: ``(points (N, 2), labels (N,))``.

    The first line that is not a comment may be a header (words, not numbers); empty lines
    and lines starting with ``#`` are skipped. Labels written as whole numbers (``0``, ``1``, ``2``) are classes;
    any label with a decimal point makes it regression. A line that cannot be read raises
    a ValueError naming it."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"there is no file {str(path)!r}")
    rows, lines, whole = [], [], True
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not a text file: save it as CSV (comma-separated "
                         "values), one line x1,x2,label per point") from None
    header_allowed = True
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        try:
            values = [float(cell) for cell in row]
        except ValueError:
            if header_allowed:
                header_allowed = False
                continue  # a header
            raise ValueError(f"{path.name}, line {number}: {','.join(row)!r} is not three "
                             "numbers x1,x2,label") from None
        if len(values) != 3 or not all(math.isfinite(v) for v in values):
            raise ValueError(f"{path.name}, line {number}: expected three finite numbers "
                             f"x1,x2,label, got {','.join(row)!r}")
        whole = whole and row[2].strip().lstrip("+-").isdigit()
        rows.append(values)
        lines.append(number)
        header_allowed = False
    if not rows:
        raise ValueError(f"{path.name} has no lines of data (x1,x2,label)")
    table = np.array(rows)
    labels = table[:, 2].astype(np.int64) if whole else table[:, 2]
    if whole:
        _check_classes(path.name, labels, lines)
    return table[:, :2], labels


def _check_classes(name: str, labels: np.ndarray, lines: list[int]) -> None:
    """A ValueError naming the line (or the class) that breaks the rule for class labels:
    0, 1, ... with each class used, two to six classes."""
    bad = np.flatnonzero((labels < 0) | (labels > 5))
    if bad.size:
        raise ValueError(f"{name}, line {lines[bad[0]]}: class label {labels[bad[0]]}; class labels "
                         "are 0, 1, ... up to 5 (two to six classes)")
    used = set(labels.tolist())
    if len(used) < 2:
        raise ValueError(f"{name}: every line has class {labels[0]}; give at least two classes")
    unused = min(set(range(labels.max() + 1)) - used, default=None)
    if unused is not None:
        top = lines[int(np.argmax(labels))]
        raise ValueError(f"{name}: no line has class {unused}, but line {top} has class "
                         f"{labels.max()}; class labels are 0, 1, ... with each class used")


def split(x, y, train_percent: int):
    """The first ``train_percent`` % of the points (at least one) train; the rest (at least
    one) test. The points are in a seeded random order already."""
    n_train = min(len(x) - 1, max(1, round(len(x) * train_percent / 100)))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def features(points, chosen) -> np.ndarray:
    """The network's inputs for ``points`` (N, 2): the ``chosen`` features, (N, len(chosen))."""
    return np.column_stack([FEATURES[name](points) for name in chosen])
