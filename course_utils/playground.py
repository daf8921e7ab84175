"""The playground's model: its networks, training by the epoch, and settings saved as JSON.
The data and features are in :mod:`course_utils.labelled_points` (their names are here
too); the picture is :class:`course_utils.scenes.playground.PlaygroundScene`.

It does what TensorFlow Playground (Smilkov, Carter et al., 2016) does, with the course's
engine, plus what its users have long asked for: more losses and optimizers, three or
four classes, dropout, early stopping, a seed, your own data, and settings you can save
and load back.

* **Data**: 500 points on the plane [-6, 6]²; a two-class set (circle, XOR, Gaussians,
  spiral: :mod:`course_utils.data`'s sets, scaled by 3), sets of three and four classes,
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
three to six classes      cross-entropy on the logits         (class probabilities)
                          squared error of softmax vs one-hot
regression                squared error, or Huber             the output itself
========================  ==================================  ======================
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np

from . import live, nn
from .labelled_points import (DATA_SEED, DATASETS, FEATURES, PLANE, POINTS, SCALE, features, kind_of,
                              load_csv, make_points, own_points, split)

__all__ = ["PLANE", "POINTS", "SCALE", "DATA_SEED", "DATASETS", "FEATURES", "ACTIVATIONS", "OPTIMIZERS", "LOSSES",
           "Setting", "DEFAULTS", "kind_of", "make_points", "own_points", "load_csv", "split",
           "features", "losses_for", "network", "Trainer", "Run", "scores", "count_weights",
           "export", "read_export"]

#: Activation name -> its module.
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
                        f"learning rate; the picture shows epoch {self.epochs}")
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
    for k in ("features", "hidden"):
        if not isinstance(saved["setting"].get(k, []), list):
            raise ValueError(f"the saved setting's {k!r} must be a list; got {saved['setting'][k]!r}")
    setting = {k: tuple(v) if k in ("features", "hidden") else v for k, v in saved["setting"].items()}
    return {"setting": setting, "epoch": saved["epoch"], "view": saved["view"], "data": mine,
            "weights": weights}
