"""The playground's model: its data sets, input features, networks, training by the epoch,
and settings saved as JSON. The picture is :class:`course_utils.scenes.playground.PlaygroundScene`.

It does what TensorFlow Playground (Smilkov, Carter et al., 2016) does, with the course's
engine, plus what its users have long asked for: more losses and optimizers, three or
four classes, dropout, early stopping, a seed, your own data, and settings you can save
and load back.

* **Data**: 500 points on the plane [-6, 6]²; a two-class set (circle, XOR, Gaussians,
  spiral: :mod:`course_utils.data`'s sets, scaled by 3), a set of three or four classes,
  or a regression set (a tilted plane, or bumps); or your own.
  ``train_percent`` of them (the first, after a seeded shuffle) train the network; the
  rest test it.
* **Features**: what the network is given of a point (x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂).
* **Network**: ``hidden`` layers (0 to 6, 1 to 8 neurons each) with one activation, then
  the output: one number for two classes or regression, one per class otherwise.
* **Training**: one epoch is a pass over the training points in shuffled batches
  (:meth:`Trainer.epoch`); an L1 or L2 penalty on the weights (not the biases), dropout
  after each hidden layer, and early stopping on the test loss.

Losses, and what the output means (its *score*, drawn from -1, orange, to +1, blue):

========================  ==================================  ======================
data                      loss                                score
========================  ==================================  ======================
two classes (labels 0/1)  cross-entropy on the logit z        2 sigmoid(z) - 1
                          squared error of tanh(z) vs -1/+1   tanh(z)
                          hinge on z vs -1/+1                 z clipped to [-1, 1]
three or four classes     cross-entropy on the logits         (class probabilities)
                          squared error of softmax vs one-hot
regression                squared error, or Huber             the output itself
========================  ==================================  ======================
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from . import data, live, nn

__all__ = ["PLANE", "POINTS", "DATASETS", "FEATURES", "ACTIVATIONS", "OPTIMIZERS", "LOSSES",
           "Setting", "DEFAULTS", "kind_of", "make_points", "own_points", "load_csv", "split",
           "features", "losses_for", "network", "Trainer", "Run", "scores", "count_weights",
           "export", "read_export"]

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
ACTIVATIONS = {"tanh": nn.Tanh, "ReLU": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity}
#: Optimizer name -> how it is made from the parameters and the learning rate.
OPTIMIZERS = {
    "SGD": lambda ps, lr: nn.optim.SGD(ps, lr=lr),
    "momentum": lambda ps, lr: nn.optim.SGD(ps, lr=lr, momentum=0.9),
    "Adam": lambda ps, lr: nn.optim.Adam(ps, lr=lr),
    "Adagrad": lambda ps, lr: nn.optim.Adagrad(ps, lr=lr),
    "RMSprop": lambda ps, lr: nn.optim.RMSprop(ps, lr=lr),
    "Adadelta": lambda ps, lr: nn.optim.Adadelta(ps, lr=lr),
}
#: Each kind of data and the losses that fit it (the first is its default).
LOSSES = {"two classes": ("cross-entropy", "squared error", "hinge"),
          "classes": ("cross-entropy", "squared error"),
          "regression": ("squared error", "Huber")}


@dataclasses.dataclass(frozen=True)
class Setting:
    """Everything a playground run depends on. ``patience`` 0 means no early stopping."""

    data: str = "circle"
    noise: float = 0.0
    train_percent: int = 50
    features: tuple = ("x₁", "x₂")
    hidden: tuple = (4, 2)
    activation: str = "tanh"
    loss: str = "cross-entropy"
    optimizer: str = "SGD"
    lr: float = 0.03
    batch_size: int = 10
    penalty: str = "none"
    strength: float = 0.0
    dropout: float = 0.0
    patience: int = 0
    seed: int = 0


#: TensorFlow Playground's defaults (its output is tanh with squared error; ours is the
#: cross-entropy a classifier is trained with today).
DEFAULTS = Setting()


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
    try:
        x = np.asarray(points, dtype=np.float64)
        y = np.asarray(labels, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("points and labels must be numbers: points an (N, 2) array, labels "
                         "N numbers") from None
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

    A first line that is not numbers is taken as a header; empty lines and lines starting
    with ``#`` are skipped. Labels written as whole numbers (``0``, ``1``, ``2``) are classes;
    any label with a decimal point makes it regression. A line that cannot be read raises
    a ValueError naming it."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"there is no file {str(path)!r}")
    rows, whole = [], True
    with path.open(newline="", encoding="utf-8-sig") as f:
        for number, row in enumerate(csv.reader(f), start=1):
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            try:
                values = [float(cell) for cell in row]
            except ValueError:
                if not rows and number == 1:
                    continue  # a header
                raise ValueError(f"{path.name}, line {number}: {','.join(row)!r} is not three "
                                 "numbers x1,x2,label") from None
            if len(values) != 3 or not all(math.isfinite(v) for v in values):
                raise ValueError(f"{path.name}, line {number}: expected three finite numbers "
                                 f"x1,x2,label, got {','.join(row)!r}")
            whole = whole and row[2].strip().lstrip("+-").isdigit()
            rows.append(values)
    if not rows:
        raise ValueError(f"{path.name} has no lines of data (x1,x2,label)")
    table = np.array(rows)
    labels = table[:, 2].astype(np.int64) if whole else table[:, 2]
    return table[:, :2], labels


def split(x, y, train_percent: int):
    """The first ``train_percent`` % of the points (at least one) train; the rest (at least
    one) test. The points are in a seeded random order already."""
    n_train = min(len(x) - 1, max(1, round(len(x) * train_percent / 100)))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def features(points, chosen) -> np.ndarray:
    """The network's inputs for ``points`` (N, 2): the ``chosen`` features, (N, len(chosen))."""
    return np.column_stack([FEATURES[name](points) for name in chosen])


def losses_for(kind: str) -> tuple[str, ...]:
    return LOSSES[kind]


def _outputs(kind: str, classes: int) -> int:
    return classes if kind == "classes" else 1


def network(setting: Setting, kind: str, classes: int = 2) -> nn.Sequential:
    """The network of ``setting``: hidden layers (Linear, activation, and Dropout if any),
    then the output layer (followed by tanh or softmax where its loss needs it). Seeded."""
    rng = np.random.default_rng(setting.seed)
    layers, width = [], len(setting.features)
    for size in setting.hidden:
        layers += [nn.Linear(width, size, rng=rng), ACTIVATIONS[setting.activation]()]
        if setting.dropout:
            layers.append(nn.Dropout(setting.dropout, rng=rng))
        width = size
    layers.append(nn.Linear(width, _outputs(kind, classes), rng=rng))
    if setting.loss == "squared error" and kind != "regression":
        layers.append(nn.Tanh() if kind == "two classes" else nn.Softmax(dim=1))
    return nn.Sequential(*layers)


def _loss_and_targets(setting: Setting, kind: str, y: np.ndarray, classes: int):
    """The engine's loss for ``setting.loss``, and the labels as that loss wants them."""
    name = setting.loss
    if name not in LOSSES[kind]:
        raise ValueError(f"the {name} loss does not fit {kind} data; use one of {list(LOSSES[kind])}")
    if kind == "regression":
        return (nn.MSELoss() if name == "squared error" else nn.HuberLoss()), y.reshape(-1, 1).astype(float)
    if kind == "classes":
        if name == "cross-entropy":
            return nn.CrossEntropyLoss(), y
        return nn.MSELoss(), np.eye(classes)[y]
    if name == "cross-entropy":
        return nn.BCEWithLogitsLoss(), y.reshape(-1, 1).astype(float)
    signs = (2.0 * y - 1.0).reshape(-1, 1)
    return (nn.MSELoss() if name == "squared error" else nn.HingeLoss()), signs


def scores(setting: Setting, kind: str, output: np.ndarray) -> np.ndarray:
    """What the output means, for the picture: (N,) scores in [-1, 1] for two classes
    (positive: class 1), (N, C) class probabilities for more, the output for regression."""
    if kind == "classes":
        return output if setting.loss == "squared error" else nn.functional.softmax(output, dim=1)
    z = output[:, 0]
    if kind == "regression" or setting.loss == "squared error":
        return z
    if setting.loss == "cross-entropy":
        return 2.0 * nn.functional.sigmoid(z) - 1.0
    return np.clip(z, -1.0, 1.0)


def predictions(kind: str, s: np.ndarray) -> np.ndarray:
    """Predicted classes from :func:`scores`."""
    return (s > 0).astype(np.int64) if kind == "two classes" else s.argmax(axis=1)


def count_weights(model: nn.Sequential) -> tuple[int, int]:
    """``(weights, biases)`` of a network's Linear layers."""
    layers = [m for m in model if isinstance(m, nn.Linear)]
    return sum(m.weight.data.size for m in layers), sum(m.bias.data.size for m in layers)


class Trainer:
    """The whole training state of one playground run: the network, its optimizer, the
    random numbers of the batches, and early stopping's memory. :meth:`epoch` trains one
    epoch and returns ``(train loss, test loss, train accuracy, test accuracy)`` (the
    accuracies NaN for regression), or None if training blew up in it (the weights are
    then those before it, and :attr:`message` says what happened)."""

    def __init__(self, setting: Setting, train, test, kind: str, classes: int):
        self.setting, self.kind, self.classes = setting, kind, classes
        self.loss, t_train = _loss_and_targets(setting, kind, train[1], classes)
        _, t_test = _loss_and_targets(setting, kind, test[1], classes)
        self.train_x, self.test_x = features(train[0], setting.features), features(test[0], setting.features)
        self.train_t, self.test_t = t_train, t_test
        self.train_y, self.test_y = train[1], test[1]
        self.model = network(setting, kind, classes)
        self.optimizer = OPTIMIZERS[setting.optimizer](self.model.parameters(), setting.lr)
        self.rng = np.random.default_rng(setting.seed + 1)
        self.weights = [m.weight for m in self.model if isinstance(m, nn.Linear)]
        self.best = (math.inf, 0, None)  # early stopping: lowest test loss, its epoch, weights
        self.epochs, self.message = 0, ""
        self.first = self.lowest = self.measure()[0]  # the training loss before training, lowest

    def shared(self) -> tuple:
        """The arrays training never changes (kept once, not in every copy)."""
        return (self.train_x, self.test_x, self.train_t, self.test_t, self.train_y, self.test_y)

    def measure(self) -> tuple[float, float, float, float]:
        """Losses (without the penalty) and accuracies on the training and test points."""
        out = []
        for x, t, y in ((self.train_x, self.train_t, self.train_y), (self.test_x, self.test_t, self.test_y)):
            output = self.predict(x)
            loss = float(self.loss(output, t))
            right = math.nan if self.kind == "regression" else \
                float(np.mean(predictions(self.kind, scores(self.setting, self.kind, output)) == y))
            out.append((loss, right))
        return out[0][0], out[1][0], out[0][1], out[1][1]

    def predict(self, x) -> np.ndarray:
        """The network's output for inputs ``x`` (features), in evaluation mode."""
        self.model.eval()
        try:
            with np.errstate(all="ignore"):
                return self.model(x)
        finally:
            self.model.train()

    def epoch(self):
        """Train one epoch: the training points in a new random order, in batches of
        ``batch_size``, one optimizer step per batch (the five lines of
        :mod:`course_utils.nn.training`). Then measure, and check that training has not
        blown up, as :func:`~course_utils.nn.training.fit` does, but against the whole run
        so far: a loss that is not a number, a weight beyond ``WEIGHT_LIMIT``, or a
        training loss ``LOSS_GROWTH_LIMIT`` times its lowest and above its start."""
        s, model, optimizer, loss_fn = self.setting, self.model, self.optimizer, self.loss
        params = list(self.model.parameters())
        before = [p.data.copy() for p in params]
        penalty = {"L1": nn.regularization.l1_penalty, "L2": nn.regularization.l2_penalty}.get(s.penalty)
        order = self.rng.permutation(len(self.train_x))
        with np.errstate(all="ignore"):  # a run that blows up is reported in words
            for start in range(0, len(order), s.batch_size):
                batch = order[start:start + s.batch_size]
                loss = loss_fn(model(self.train_x[batch]), self.train_t[batch])
                optimizer.zero_grad()
                model.backward(loss_fn.backward(), input_grad=False)  # nothing needs d loss / d x
                if penalty is not None and s.strength > 0:
                    penalty(self.weights, s.strength)  # adds its gradient to the weights'
                optimizer.step()
                if not math.isfinite(loss):
                    return self._blew_up(before, f"the loss became {loss}")
            record = self.measure()
        biggest = max(float(np.max(np.abs(p.data))) for p in params)
        if not biggest <= nn.training.WEIGHT_LIMIT:
            return self._blew_up(before, f"a weight grew to {biggest:.3g}")
        if not math.isfinite(record[0]) or record[0] > max(self.first, nn.training.LOSS_GROWTH_LIMIT * self.lowest):
            return self._blew_up(before, f"the training loss grew to {record[0]:.3g}, from "
                                         f"{self.lowest:.3g} at its lowest")
        self.epochs += 1
        self.lowest = min(self.lowest, record[0])
        if s.patience:
            low, at, _ = self.best
            if record[1] < low:
                self.best = (record[1], self.epochs, [p.data.copy() for p in params])
            elif self.epochs - at >= s.patience:
                for p, saved in zip(params, self.best[2]):
                    p.data[...] = saved
                self.message = (f"stopped early at epoch {self.epochs}: the test loss has not gone "
                                f"below {_short(low)} (epoch {at}) for {s.patience} epochs; "
                                f"the weights of epoch {at} are back")
        return record

    def _blew_up(self, before, what: str) -> None:
        for p, saved in zip(self.model.parameters(), before):
            p.data[...] = saved
        self.message = (f"training blew up in epoch {self.epochs + 1}: {what}. Try a smaller "
                        f"learning rate (the picture shows epoch {self.epochs})")
        return None

    @property
    def stopped(self) -> bool:
        """True once early stopping has ended the run."""
        return self.message.startswith("stopped")


class Run(live.LiveRun):
    """A playground run, trained epoch by epoch as the widget asks, able to go back
    (:class:`course_utils.live.LiveRun`). ``records[e - 1]`` is :meth:`Trainer.epoch`'s
    record of epoch ``e``. When early stopping ends the run, or training blows up,
    :attr:`end` is the last epoch and :attr:`end_message` says why."""

    check_every = 10
    default_move = "epoch"
    end_message = ""

    def __init__(self, setting: Setting, points, labels, kind: str):
        classes = int(labels.max()) + 1 if kind != "regression" else 0
        train, test = split(points, labels, setting.train_percent)
        trainer = Trainer(setting, train, test, kind, classes)
        self.train, self.test = train, test
        super().__init__(trainer, shared=trainer.shared())

    def play(self, move):
        record = self.trainer.epoch()
        if record is None or self.trainer.stopped:
            self.end = self.at if record is None else self.at + 1
            self.end_message = self.trainer.message
        return record


def _short(x: float) -> str:
    return f"{x:.3g}"


# ----------------------------------------------------------------------------- saving

FORMAT = "course_utils playground, version 1"


def export(setting: Setting, epoch: int, model: nn.Sequential, own=None, view=None) -> str:
    """The JSON text of a run: its setting, the epoch it is at, its weights (every number
    written exactly: JSON keeps a float's shortest repr, which reads back bit for bit),
    ``view`` (what the picture shows, a dict), and, for your own data ``own = (points,
    labels)``, the points and labels."""
    weights = [{"name": name, "shape": list(value.shape), "values": value.ravel().tolist()}
               for name, value in model.state_dict().items()]
    mine = None
    if own is not None:
        labels = np.asarray(own[1])
        mine = {"points": np.asarray(own[0]).tolist(), "labels": labels.tolist(),
                "classes": labels.dtype.kind in "biu"}
    return json.dumps({"format": FORMAT, "setting": dataclasses.asdict(setting), "epoch": epoch,
                       "view": view or {}, "data": mine, "weights": weights}, ensure_ascii=False, indent=1)


def read_export(text: str) -> dict:
    """The parts of an :func:`export`: ``setting`` (a dict), ``epoch``, ``view``, ``data``
    (None or ``(points, labels)``, the labels integers for classes) and ``weights`` (name ->
    array). A text that is not one raises a ValueError saying what is wrong."""
    try:
        saved = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"this is not a saved playground (not JSON: {exc.msg}, line {exc.lineno})") from None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise ValueError(f"this is not a saved playground (its 'format' is not {FORMAT!r})")
    missing = [k for k in ("setting", "epoch", "view", "data", "weights") if k not in saved]
    if missing or not isinstance(saved["setting"], dict):
        raise ValueError(f"the saved playground lacks {missing or ['a setting']}")
    fields = {f.name for f in dataclasses.fields(Setting)}
    unknown = set(saved["setting"]) - fields
    if unknown:
        raise ValueError(f"the saved setting has unknown entries {sorted(unknown)}")
    try:
        weights = {w["name"]: np.array(w["values"], dtype=np.float64).reshape(w["shape"])
                   for w in saved["weights"]}
    except (KeyError, TypeError, ValueError):
        raise ValueError("the saved weights are not lists of numbers of their shapes") from None
    mine = saved["data"]
    if mine is not None:
        try:
            mine = (np.asarray(mine["points"], dtype=np.float64),
                    np.asarray(mine["labels"], dtype=np.int64 if mine["classes"] else np.float64))
        except (KeyError, TypeError, ValueError):
            raise ValueError("the saved data are not points, labels and whether they are classes") from None
    setting = dict(saved["setting"], features=tuple(saved["setting"].get("features", ())),
                   hidden=tuple(saved["setting"].get("hidden", ())))
    return {"setting": setting, "epoch": saved["epoch"], "view": saved["view"], "data": mine,
            "weights": weights}
