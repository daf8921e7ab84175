"""The playground's model (course_utils/playground.py) and the live run it trains in
(course_utils/live.py): data sets, features, your own points and CSV files, networks,
training by the epoch, early stopping, blow-ups, going back, and saving.

Expected values are computed here from the definitions (the docstrings' formulas, a
training loop written in plain numpy with the same random draws), never taken from the
code under test.
"""

import dataclasses
import json
import math
import warnings

import numpy as np
import pytest

from course_utils import data, labelled_points, live, nn
from course_utils import playground as pg

# ----------------------------------------------------------------------------- helpers

#: The seven features, written from the module docstring: x1, x2, x1², x2², x1x2, sin x1, sin x2.
MY_FEATURES = {
    "x₁": lambda p: p[:, 0], "x₂": lambda p: p[:, 1],
    "x₁²": lambda p: p[:, 0] * p[:, 0], "x₂²": lambda p: p[:, 1] * p[:, 1],
    "x₁x₂": lambda p: p[:, 0] * p[:, 1],
    "sin x₁": lambda p: np.sin(p[:, 0]), "sin x₂": lambda p: np.sin(p[:, 1]),
}
#: The engine's limits, from the docstring of course_utils.nn.training.fit.
WEIGHT_LIMIT, LOSS_GROWTH = 1e10, 100.0


def my_features(points, names):
    return np.column_stack([MY_FEATURES[n](points) for n in names])


def my_split(x, y, percent):
    n = min(len(x) - 1, max(1, round(len(x) * percent / 100)))
    return (x[:n], y[:n]), (x[n:], y[n:])


def my_init(sizes, seed):
    """PyTorch's default init, as course_utils.nn.Linear documents it, layer after layer
    from one generator: weight (out, in) then bias (out,), each U(-k, k), k = 1/sqrt(in)."""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        k = 1.0 / math.sqrt(fan_in)
        weights.append(rng.uniform(-k, k, size=(fan_out, fan_in)))
        biases.append(rng.uniform(-k, k, size=fan_out))
    return weights, biases


def my_forward(x, weights, biases, activation="tanh"):
    """Every layer's output: [x, h1, ..., output] (the output linear)."""
    act = {"tanh": np.tanh, "ReLU": lambda z: np.maximum(z, 0.0)}[activation]
    values = [x]
    for i, (w, b) in enumerate(zip(weights, biases)):
        z = values[-1] @ w.T
        z += b
        values.append(act(z) if i < len(weights) - 1 else z)
    return values


def my_bce(z, y):
    """Binary cross-entropy on logits z (N, 1) for labels y (N,) 0/1."""
    z, y = z[:, 0], y.astype(float)
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def my_mse(out, t):
    return float(np.mean((out[:, 0] - t) ** 2))


def my_train(setting, epochs, *, penalise_biases=False):
    """The playground's training written out: two-class data with the cross-entropy on the
    logit, or regression with the squared error; tanh or ReLU; plain SGD; an L1 or L2
    penalty on the weights. Returns the weights, biases, and the training loss after each
    epoch (index 0: before training), all in plain numpy."""
    kind = pg.kind_of(setting.data)
    x, y = pg.make_points(setting.data, setting.noise)
    (xt, yt), _ = my_split(x, y, setting.train_percent)
    inputs = my_features(xt, setting.features)
    target = yt.astype(float).reshape(-1, 1)
    n = len(inputs)
    weights, biases = my_init([len(setting.features), *setting.hidden, 1], setting.seed)
    rng = np.random.default_rng(setting.seed + 1)
    loss_of = my_bce if kind == "two classes" else (lambda o, t: my_mse(o, t))

    def full_loss():
        return loss_of(my_forward(inputs, weights, biases, setting.activation)[-1], yt)

    losses = [full_loss()]
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, setting.batch_size):
                batch = order[start:start + setting.batch_size]
                values = my_forward(inputs[batch], weights, biases, setting.activation)
                out, t = values[-1], target[batch]
                if kind == "two classes":  # d BCE / d logit = (sigmoid(z) - y) / n
                    e = np.exp(-np.abs(out))
                    g = (np.where(out >= 0, 1.0, e) / (1.0 + e) - t) * (1.0 / out.size)
                else:  # d mean (o - t)² / d o = 2 (o - t) / n
                    g = (2.0 * (out - t)) * (1.0 / out.size)
                grads_w, grads_b = [None] * len(weights), [None] * len(weights)
                for i in reversed(range(len(weights))):
                    grads_w[i] = g.T @ values[i]
                    grads_b[i] = g.sum(axis=0)
                    if i:
                        g = g @ weights[i]
                        h = values[i]
                        g = g * (1.0 - h * h) if setting.activation == "tanh" else g * (h > 0)
                for i in range(len(weights)):
                    pull = {"L1": np.sign, "L2": lambda w: w}.get(setting.penalty)
                    if pull is not None and setting.strength > 0:
                        grads_w[i] = grads_w[i] + setting.strength * pull(weights[i])
                        if penalise_biases:
                            grads_b[i] = grads_b[i] + setting.strength * pull(biases[i])
                    weights[i] -= setting.lr * grads_w[i]
                    biases[i] -= setting.lr * grads_b[i]
            losses.append(full_loss())
    return weights, biases, losses


def linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def weights_of(run):
    return run.trainer.model.state_dict()


def same_bits(a, b):
    """Two dicts of float arrays with the very same bits."""
    return a.keys() == b.keys() and all(
        a[k].shape == b[k].shape and np.array_equal(np.asarray(a[k]).view(np.uint64),
                                                     np.asarray(b[k]).view(np.uint64)) for k in a)


def run_of(epochs=0, **changes):
    setting = dataclasses.replace(pg.DEFAULTS, **changes)
    x, y = pg.make_points(setting.data, setting.noise)
    run = pg.Run(setting, x, y, pg.kind_of(setting.data))
    run.go(epochs)
    return run


# ----------------------------------------------------------------------------- data sets

@pytest.mark.parametrize("name", list(pg.DATASETS))
def test_each_data_set_is_500_points_of_its_kind(name):
    for noise in (0.0, 0.3):
        x, y = pg.make_points(name, noise)
        assert x.shape == (500, 2) and x.dtype == np.float64 and np.isfinite(x).all()
        assert y.shape == (500,) and np.isfinite(y).all()
        if pg.kind_of(name) == "regression":
            assert y.dtype.kind == "f"
        else:
            assert y.dtype.kind == "i"
    again = pg.make_points(name, 0.3)
    assert np.array_equal(again[0], x) and np.array_equal(again[1], y)  # seeded
    x0, y0 = pg.make_points(name, 0.0)
    if pg.kind_of(name) == "regression":  # the noise goes to the targets
        assert np.array_equal(x0, x) and not np.array_equal(y0, y)
    else:  # to the points
        assert not np.array_equal(x0, x) and np.array_equal(y0, y)


@pytest.mark.parametrize("name", pg.DATASETS)
def test_noiseless_points_lie_on_the_plane_but_the_gaussians_and_blobs(name):
    """The docstring says: a few points may lie outside the plane, the Gaussians' blobs
    reaching 6.6 (radius 1.2 around (±1, ±1), times 3) and the three blobs having no edge."""
    x, _ = pg.make_points(name, 0.0)
    outside = int((np.abs(x) > 6.0).any(axis=1).sum())
    if name == "gaussian":
        assert 0 < outside < 25 and np.hypot(*(np.abs(x) - 3).T).max() <= 3 * 1.2 + 1e-9
    elif name == "three blobs":
        assert 0 < outside < 10
    else:
        assert outside == 0
    assert "Gaussians' blobs reach 6.6" in " ".join(labelled_points.__doc__.split())


@pytest.mark.parametrize("name,classes", [("circle", 2), ("xor", 2), ("gaussian", 2), ("spiral", 2),
                                          ("three blobs", 3), ("four quadrants", 4)])
def test_class_labels_are_0_to_k_minus_1_and_balanced(name, classes):
    _, y = pg.make_points(name, 0.2)
    counts = np.bincount(y)
    assert len(counts) == classes and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", ["circle", "xor", "gaussian", "spiral"])
@pytest.mark.parametrize("noise", [0.0, 0.25])
def test_two_class_sets_are_the_course_sets_scaled_by_3(name, noise):
    x, y = pg.make_points(name, noise)
    x0, y0 = data.DATASETS[name](500, noise, np.random.default_rng(pg.DATA_SEED))
    np.testing.assert_array_equal(x, 3 * x0)
    np.testing.assert_array_equal(y, y0)


def test_the_plane_targets_follow_the_tilted_plane():
    x, y = pg.make_points("plane", 0.0)
    np.testing.assert_allclose(y, (x[:, 0] + x[:, 1]) / 12.0, rtol=0, atol=1e-15)
    assert np.abs(x).max() <= 5.5 and np.abs(y).max() <= 1  # uniform on [-5.5, 5.5]²


def bumps(x):
    """Two bumps up at (-2.5, 2.5) and (2.5, -2.5), two down at (2.5, 2.5) and (-2.5, -2.5),
    each exp(-|x - c|² / 4.5)."""
    def bump(cx, cy):
        return np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / 4.5)
    return bump(-2.5, 2.5) + bump(2.5, -2.5) - bump(2.5, 2.5) - bump(-2.5, -2.5)


def test_the_bumps_targets_follow_their_formula_and_noise_is_added_to_them():
    x, y = pg.make_points("bumps", 0.0)
    np.testing.assert_allclose(y, bumps(x), rtol=0, atol=1e-14)
    assert np.abs(y).max() <= 1 and y.max() > 0.9 and y.min() < -0.9  # each bump's top is there
    xn, yn = pg.make_points("bumps", 0.3)
    np.testing.assert_array_equal(xn, x)  # noise goes to the targets, not the points
    residual = yn - bumps(xn)
    assert abs(residual.std() - 0.3) < 0.03 and abs(residual.mean()) < 0.04


def test_three_blobs_and_four_quadrants_are_where_they_should_be():
    x, y = pg.make_points("three blobs", 0.0)
    for k, degrees in enumerate((90, 210, 330)):
        centre = 3.2 * np.array([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])
        assert np.linalg.norm(x[y == k].mean(axis=0) - centre) < 0.25, k
    x, y = pg.make_points("four quadrants", 0.0)
    signs = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    assert (np.sign(x) == signs[y]).all()
    assert np.abs(x).min() >= 0.6


def test_an_unknown_data_set_is_named_with_the_ones_there_are():
    with pytest.raises(ValueError, match="moons.*circle"):
        pg.make_points("moons")
    with pytest.raises(ValueError, match="no data set"):
        pg.kind_of("spam")


# ----------------------------------------------------------------------------- features

def test_features_are_the_seven_functions_of_the_point():
    points = np.random.default_rng(3).uniform(-6, 6, size=(50, 2))
    for name in MY_FEATURES:
        got = pg.features(points, (name,))
        assert got.shape == (50, 1)
        np.testing.assert_allclose(got[:, 0], MY_FEATURES[name](points), rtol=1e-15, atol=0)
    every = tuple(MY_FEATURES)
    assert tuple(pg.FEATURES) == every
    np.testing.assert_allclose(pg.features(points, every), my_features(points, every), rtol=1e-15)
    backwards = every[::-1]
    np.testing.assert_allclose(pg.features(points, backwards), my_features(points, backwards), rtol=1e-15)


# ----------------------------------------------------------------------------- your data

P = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 3.0], [-1.0, 4.0]])


def rows(x, y):
    """The (point, label) pairs as a set, to compare without their order."""
    return {(round(a, 12), round(b, 12), float(c)) for (a, b), c in zip(x, y)}


@pytest.mark.parametrize("labels,kind", [
    (np.array([0, 1, 0, 1, 1, 0]), "two classes"),
    (np.array([True, False, True, False, True, False]), "two classes"),
    (np.array([0, 1, 2, 2, 1, 0], dtype=np.uint8), "classes"),
    ([0, 1, 2, 3, 4, 5], "classes"),
    (np.array([0.1, -0.5, 2.0, 0.0, 1.0, 3.5]), "regression"),
    (np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0]), "regression"),  # floats, even whole ones
])
def test_your_points_are_shuffled_and_fitted_to_the_plane(labels, kind):
    x, y, got_kind = pg.own_points(P, labels)
    assert got_kind == kind
    assert y.dtype.kind == ("f" if kind == "regression" else "i")
    centre = (P.max(axis=0) + P.min(axis=0)) / 2
    scale = 5.0 / np.abs(P - centre).max()
    assert np.abs(x).max() == pytest.approx(5.0)
    np.testing.assert_allclose((x.max(axis=0) + x.min(axis=0)) / 2, 0, atol=1e-12)
    assert rows(x, y) == rows((P - centre) * scale, np.asarray(labels, dtype=float))
    assert not np.array_equal(x, (P - centre) * scale)  # shuffled: a sorted file still splits fairly
    again = pg.own_points(P, labels)
    assert np.array_equal(again[0], x) and np.array_equal(again[1], y)


def test_points_all_in_one_place_do_not_divide_by_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x, y, kind = pg.own_points(np.ones((5, 2)), [0, 1, 0, 1, 1])
    assert np.array_equal(x, np.zeros((5, 2))) and kind == "two classes"


@pytest.mark.parametrize("points,labels,words", [
    (P[:3], [0, 1, 0], "at least 4 points"),
    (P[:, :1], [0, 1, 0, 1, 1, 0], r"shape \(N, 2\)"),
    (np.ones((6, 3)), [0, 1, 0, 1, 1, 0], r"shape \(N, 2\)"),
    ([1.0, 2.0, 3.0, 4.0], [0, 1, 0, 1], r"shape \(N, 2\)"),
    (None, None, r"shape \(N, 2\)"),
    (P, [0, 1, 0], "6 numbers"),
    (P, [[0], [1], [0], [1], [1], [0]], "6 numbers"),
    (np.vstack([P[:5], [np.nan, 0.0]]), [0, 1, 0, 1, 1, 0], "points must be finite.*row 5"),
    (np.vstack([P[:5], [np.inf, 0.0]]), [0, 1, 0, 1, 1, 0], "points must be finite.*row 5"),
    (P, [0.1, 0.2, np.inf, 0.4, 0.5, 0.6], "labels must be finite.*row 2"),
    (P, [1, 2, 1, 2, 2, 1], r"0, 1, \.\.\..*\[1, 2\]"),
    (P, [0, 0, 0, 0, 0, 0], r"two to six.*\[0\]"),
    (P, [0, 2, 0, 2, 2, 0], r"\[0, 2\]"),
    (P, [-1, 1, -1, 1, 1, -1], r"\[-1, 1\]"),
    (np.arange(14.0).reshape(7, 2), [0, 1, 2, 3, 4, 5, 6], "two to six"),
    (P, ["a", "b", "a", "b", "b", "a"], "must be numbers"),
    ([[0, 0], [1], [0, 1], [1, 1]], [0, 1, 0, 1], "must be numbers"),
])
def test_bad_points_or_labels_are_refused_in_plain_words(points, labels, words):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=words):
            pg.own_points(points, labels)


def test_labels_written_as_text_are_not_silently_regression():
    try:
        _, _, kind = pg.own_points(P, ["0", "1", "0", "1", "1", "0"])
    except ValueError:
        return
    assert kind == "two classes"


def test_complex_points_are_refused_without_a_numpy_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError):
            pg.own_points(P + 1j, [0, 1, 0, 1, 1, 0])


# ----------------------------------------------------------------------------- CSV files

def write(tmp_path, text, name="points.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_file_with_header_comments_and_blank_lines(tmp_path):
    path = write(tmp_path, "x1,x2,label\n# my points\n\n1,2,0\n 3 , 4 , 1\n  # indented comment\n"
                           "\n-5.5,6e-1,2\n")
    x, y = pg.load_csv(path)
    np.testing.assert_array_equal(x, [[1, 2], [3, 4], [-5.5, 0.6]])
    assert y.dtype.kind == "i" and y.tolist() == [0, 1, 2]


def test_a_csv_file_without_header_with_windows_line_ends_and_a_bom(tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes("\ufeff1,2,1\r\n3,4,0\r\n".encode("utf-8"))
    x, y = pg.load_csv(path)
    assert x.tolist() == [[1, 2], [3, 4]] and y.tolist() == [1, 0] and y.dtype.kind == "i"


def test_a_label_with_a_decimal_point_makes_it_regression(tmp_path):
    x, y = pg.load_csv(write(tmp_path, "1,2,1\n3,4,0.5\n5,6,-2\n"))
    assert y.dtype.kind == "f" and y.tolist() == [1.0, 0.5, -2.0]


@pytest.mark.parametrize("text,line", [
    ("x1,x2,label\n1,2,0\n3,a,1\n", 3),
    ("1,2,0\n3,a,1\n", 2),
    ("1,2,0\n\n# c\n1,2\n", 4),
    ("1,2,0\n1,2,0,3\n", 2),
    ("1,2,0\n1,nan,0\n", 2),
    ("1,2,inf\n", 1),
    ("1,2\n", 1),
])
def test_a_bad_line_is_named_by_its_number(tmp_path, text, line):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=rf"points\.csv, line {line}\b"):
        pg.load_csv(path)


@pytest.mark.parametrize("text", ["", "x1,x2,label\n", "# only a comment\n\n"])
def test_a_csv_file_without_data_says_so(tmp_path, text):
    with pytest.raises(ValueError, match="no lines of data"):
        pg.load_csv(write(tmp_path, text))


def test_a_missing_file_or_a_folder_is_named(tmp_path):
    with pytest.raises(ValueError, match="no file.*nothing.csv"):
        pg.load_csv(tmp_path / "nothing.csv")
    with pytest.raises(ValueError, match="no file"):
        pg.load_csv(tmp_path)


@pytest.mark.parametrize("text, message", [
    ("1,2,1\n3,4,2\n5,6,1\n7,8,2\n", "no line has class 0, but line 2 has class 2"),
    ("x1,x2,c\n1,2,0\n3,4,1\n5,6,-1\n", "line 4: class label -1"),
    ("1,2,0\n3,4,1\n" + "".join(f"{k},{k},{k}\n" for k in range(2, 7)), "line 7: class label 6"),
    ("1,2,3\n3,4,3\n5,6,3\n7,8,3\n", "every line has class 3"),
])
def test_a_class_label_the_playground_cannot_take_is_named_by_its_line(tmp_path, text, message):
    with pytest.raises(ValueError, match=f"points.csv(, |: ){message}"):
        pg.load_csv(write(tmp_path, text))


def test_what_a_csv_file_holds_is_checked_as_your_points(tmp_path):
    x, y = pg.load_csv(write(tmp_path, "1,2,1\n3,4,0\n5,6,1\n"))
    with pytest.raises(ValueError, match="at least 4 points"):
        pg.own_points(x, y)


def test_a_header_after_a_comment_is_a_header(tmp_path):
    x, y = pg.load_csv(write(tmp_path, "# my data\nx1,x2,label\n1,2,0\n3,4,1\n"))
    assert y.tolist() == [0, 1]


def test_a_file_that_is_not_text_is_named(tmp_path):
    path = tmp_path / "points.xlsx"
    path.write_bytes(b"PK\x03\x04\xff\xfe\x00\x01")
    with pytest.raises(ValueError, match="points.xlsx"):
        pg.load_csv(path)


# ----------------------------------------------------------------------------- split

@pytest.mark.parametrize("n,percent,train", [(500, 50, 250), (500, 10, 50), (500, 90, 450),
                                              (4, 10, 1), (4, 90, 3), (40, 30, 12), (9, 30, 3)])
def test_split_takes_the_first_points_to_train(n, percent, train):
    x, y = np.arange(2 * n).reshape(n, 2), np.arange(n)
    (xt, yt), (xs, ys) = pg.split(x, y, percent)
    assert len(xt) == train and len(xs) == n - train
    assert yt.tolist() == list(range(train)) and ys.tolist() == list(range(train, n))


# ----------------------------------------------------------------------------- networks

@pytest.mark.parametrize("kind,classes,loss,last", [
    ("two classes", 2, "cross-entropy", nn.Linear), ("two classes", 2, "squared error", nn.Tanh),
    ("two classes", 2, "hinge", nn.Linear), ("classes", 3, "cross-entropy", nn.Linear),
    ("classes", 4, "squared error", nn.Softmax), ("regression", 0, "squared error", nn.Linear),
    ("regression", 0, "Huber", nn.Linear)])
@pytest.mark.parametrize("hidden,features", [((4, 2), ("x₁", "x₂")), ((), ("x₁", "x₂", "x₁²")),
                                             ((8, 8, 8, 8, 8, 8), tuple(MY_FEATURES)), ((1,), ("sin x₂",))])
def test_network_sizes_and_output_module(kind, classes, loss, last, hidden, features):
    setting = dataclasses.replace(pg.DEFAULTS, loss=loss, hidden=hidden, features=features,
                                  activation="ReLU")
    model = pg.network(setting, kind, classes)
    outputs = classes if kind == "classes" else 1
    sizes = [len(features), *hidden, outputs]
    layers = linears(model)
    assert [(m.in_features, m.out_features) for m in layers] == list(zip(sizes[:-1], sizes[1:]))
    assert isinstance(list(model)[-1], last)
    assert sum(isinstance(m, nn.ReLU) for m in model) == len(hidden)
    assert not any(isinstance(m, nn.Dropout) for m in model)
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    assert pg.count_weights(model) == (weights, sum(sizes[1:]))


def test_dropout_follows_each_hidden_layer_and_the_start_is_pytorch_init():
    setting = dataclasses.replace(pg.DEFAULTS, hidden=(3, 5), dropout=0.3, seed=7,
                                  features=("x₁", "x₂", "x₁x₂"))
    model = pg.network(setting, "two classes")
    kinds = [type(m) for m in model]
    assert kinds == [nn.Linear, nn.Tanh, nn.Dropout, nn.Linear, nn.Tanh, nn.Dropout, nn.Linear]
    assert all(m.p == 0.3 for m in model if isinstance(m, nn.Dropout))
    no_dropout = pg.network(dataclasses.replace(setting, dropout=0.0), "two classes")
    ws, bs = my_init([3, 3, 5, 1], 7)
    for layer, w, b in zip(linears(no_dropout), ws, bs):
        assert np.array_equal(layer.weight.data, w) and np.array_equal(layer.bias.data, b)


# ----------------------------------------------------------------------------- training

@pytest.mark.parametrize("changes", [
    {}, {"penalty": "L2", "strength": 0.01}, {"penalty": "L1", "strength": 0.003},
    {"hidden": (3,), "features": ("x₁", "x₂", "sin x₁"), "batch_size": 7, "seed": 5, "lr": 0.1,
     "train_percent": 30},
    {"data": "plane", "loss": "squared error", "activation": "ReLU", "penalty": "L2", "strength": 0.1},
])
def test_an_epoch_is_the_hand_written_loop_bit_for_bit(changes):
    setting = dataclasses.replace(pg.DEFAULTS, **changes)
    run = run_of(6, **changes)
    ws, bs, losses = my_train(setting, 6)
    for layer, w, b in zip(linears(run.trainer.model), ws, bs):
        assert np.array_equal(layer.weight.data, w) and np.array_equal(layer.bias.data, b)
    np.testing.assert_allclose([r[0] for r in run.records], losses[1:], rtol=1e-12)
    if setting.penalty != "none":  # a penalty on the biases too would be another run
        ws2, bs2, _ = my_train(setting, 6, penalise_biases=True)
        assert not all(np.array_equal(b, b2) for b, b2 in zip(bs, bs2))


def test_the_record_is_losses_without_the_penalty_and_accuracies():
    setting = dataclasses.replace(pg.DEFAULTS, penalty="L2", strength=1.0, data="xor", seed=2)
    run = run_of(3, **dataclasses.asdict(setting))
    ws = [m.weight.data for m in linears(run.trainer.model)]
    bs = [m.bias.data for m in linears(run.trainer.model)]
    x, y = pg.make_points("xor")
    (xt, yt), (xs, ys) = my_split(x, y, 50)
    expected = []
    for points, labels in ((xt, yt), (xs, ys)):
        z = my_forward(my_features(points, setting.features), ws, bs)[-1]
        expected.append((my_bce(z, labels), np.mean((z[:, 0] > 0) == labels)))
    (tl, ta), (sl, sa) = expected
    np.testing.assert_allclose(run.trainer.measure(), (tl, sl, ta, sa), rtol=1e-12)
    np.testing.assert_allclose(run.records[-1], (tl, sl, ta, sa), rtol=1e-12)


def test_three_classes_measure_the_cross_entropy_and_regression_has_no_accuracy():
    run = run_of(4, data="three blobs", hidden=(5,))
    model = run.trainer.model
    ws = [m.weight.data for m in linears(model)]
    bs = [m.bias.data for m in linears(model)]
    (xs, ys) = run.test
    z = my_forward(my_features(xs, ("x₁", "x₂")), ws, bs)[-1]
    top = z.max(axis=1, keepdims=True)
    log_p = z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    _, test_loss, _, test_acc = run.trainer.measure()
    assert test_loss == pytest.approx(-log_p[np.arange(len(ys)), ys].mean(), rel=1e-12)
    assert test_acc == pytest.approx(np.mean(z.argmax(axis=1) == ys))
    regression = run_of(2, data="bumps", loss="Huber")
    assert all(math.isnan(r[2]) and math.isnan(r[3]) for r in regression.records)
    assert all(math.isfinite(r[0]) and math.isfinite(r[1]) for r in regression.records)


def test_dropout_is_off_when_measuring_and_predicting():
    run = run_of(5, hidden=(6, 6), dropout=0.5, seed=3)
    trainer = run.trainer
    ws = [m.weight.data for m in linears(trainer.model)]
    bs = [m.bias.data for m in linears(trainer.model)]
    expected = my_forward(trainer.test_x, ws, bs)[-1]
    first = trainer.predict(trainer.test_x)
    np.testing.assert_allclose(first, expected, rtol=1e-13, atol=1e-15)
    assert np.array_equal(trainer.predict(trainer.test_x), first)
    assert trainer.measure() == trainer.measure()
    assert trainer.model.training  # back in training mode for the next epoch
    # and it does drop in training: the same start without dropout trains otherwise
    plain = run_of(5, hidden=(6, 6), seed=3)
    assert not same_bits(weights_of(run), weights_of(plain))


# ----------------------------------------------------------------------------- early stopping

def stop_epoch(test_losses, patience):
    """From the definition: an epoch improves when its test loss is below every one before;
    the run stops at the first epoch ``patience`` epochs after the last improvement."""
    best, best_at = math.inf, 0
    for epoch, loss in enumerate(test_losses, start=1):
        if loss < best:
            best, best_at = loss, epoch
        elif epoch - best_at >= patience:
            return epoch, best_at
    return None, best_at


@pytest.mark.parametrize("changes", [
    {"data": "xor", "noise": 0.3, "hidden": (8, 8), "optimizer": "Adam", "lr": 0.03, "patience": 5},
    {"data": "circle", "noise": 0.3, "optimizer": "Adam", "lr": 0.1, "patience": 5},
    {"data": "gaussian", "noise": 0.5, "patience": 10},
])
def test_early_stopping_stops_where_the_test_losses_say_and_brings_the_best_weights_back(changes):
    run = run_of(300, **changes)
    stop, best = stop_epoch([r[1] for r in run.records], changes["patience"])
    assert stop is not None and run.end == stop == run.at == len(run.records)
    assert run.trainer.stopped
    message = run.end_message
    assert f"epoch {stop}" in message and f"epoch {best}" in message and "Traceback" not in message
    plain = run_of(best, **dict(changes, patience=0))  # the same run without early stopping
    assert same_bits(weights_of(run), weights_of(plain))
    assert run.trainer.measure() == plain.trainer.measure()
    longer = run_of(stop, **dict(changes, patience=0))  # patience changes nothing before the stop
    np.testing.assert_array_equal(np.array(run.records), np.array(longer.records))
    run.go(stop + 50)
    assert run.at == stop


def test_a_patience_that_never_runs_out_changes_nothing():
    a, b = run_of(30, patience=50), run_of(30)
    assert a.end is None and same_bits(weights_of(a), weights_of(b))


# ----------------------------------------------------------------------------- blowing up

BLOWS = {"data": "plane", "loss": "squared error", "activation": "ReLU", "lr": 1.0}


def test_a_run_that_blows_up_ends_with_the_weights_of_the_epoch_before():
    setting = dataclasses.replace(pg.DEFAULTS, **BLOWS)
    ws, bs, losses = my_train(setting, 40)
    # where it blows up, found from the definition: the training loss more than 100 times
    # its lowest so far and above its start, or a weight beyond 1e10, or not a number
    bad = next(e for e in range(1, len(losses)) if not math.isfinite(losses[e])
               or losses[e] > max(losses[0], LOSS_GROWTH * min(losses[:e])))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said in words, not by numpy
        run = run_of(100, **BLOWS)
    assert run.end == run.at == bad - 1 == len(run.records)
    assert all(np.isfinite(v).all() for v in weights_of(run).values())
    before = run_of(bad - 1, **BLOWS)  # trained to the last good epoch, never past it
    assert before.end is None and same_bits(weights_of(run), weights_of(before))
    hand, _, _ = my_train(setting, bad - 1)
    for layer, w in zip(linears(run.trainer.model), hand):
        assert np.array_equal(layer.weight.data, w)
    message = run.end_message
    assert message.startswith(f"training blew up in epoch {bad}:") and "smaller learning rate" in message
    assert "nan" not in message.lower() and "overflow" not in message
    run.go(5)
    run.go(100)
    assert run.at == bad - 1 and same_bits(weights_of(run), weights_of(before))


def test_a_run_that_blows_up_at_once_keeps_its_start():
    run = run_of(20, data="plane", loss="squared error", lr=10.0)
    assert run.end == run.at == 0 and run.records == []
    assert "epoch 1" in run.end_message and "weight grew" in run.end_message
    ws, bs = my_init([2, 4, 2, 1], 0)
    for layer, w, b in zip(linears(run.trainer.model), ws, bs):
        assert np.array_equal(layer.weight.data, w) and np.array_equal(layer.bias.data, b)


# ----------------------------------------------------------------------------- going back

def test_going_back_and_forth_gives_the_straight_run_bit_for_bit():
    changes = {"optimizer": "Adam", "lr": 0.01, "dropout": 0.2, "penalty": "L2", "strength": 0.003,
               "hidden": (5, 3), "data": "spiral", "noise": 0.1}
    straight13, straight37 = run_of(13, **changes), run_of(37, **changes)
    wandering = run_of(37, **changes)
    wandering.go(13)
    assert wandering.at == 13 and same_bits(weights_of(wandering), weights_of(straight13))
    assert wandering.trainer.rng.bit_generator.state == straight13.trainer.rng.bit_generator.state
    wandering.go(37)
    assert same_bits(weights_of(wandering), weights_of(straight37))
    np.testing.assert_array_equal(np.array(wandering.records), np.array(straight37.records))
    assert sorted(wandering.copies) == [0, 10, 20, 30]
    for epoch in (0, 6, 30, 22, 37):
        wandering.go(epoch)
        assert wandering.at == epoch
    assert same_bits(weights_of(wandering), weights_of(straight37))
    # the copies share the data, and do not share the model
    assert all(c.train_x is wandering.trainer.train_x for c in wandering.copies.values())
    assert len({id(c.model) for c in wandering.copies.values()} | {id(wandering.trainer.model)}) == 5


class Counter:
    """A toy training state: a list of moves and a random generator."""

    def __init__(self, data):
        self.data, self.made, self.rng = data, [], np.random.default_rng(0)


class CountingRun(live.LiveRun):
    """Each move draws a random number; the move "stop" ends the run after it, "boom"
    cannot be made (as a blow-up)."""

    check_every = 4

    def play(self, move):
        if move == "boom":
            self.end = self.at
            return None
        self.trainer.made.append((move, float(self.trainer.rng.random())))
        if move == "stop":
            self.end = self.at + 1
        return len(self.trainer.made)

    def measure(self):
        return list(self.trainer.made)


def test_live_run_keeps_copies_and_measures_and_replays_the_recorded_moves():
    shared = ["the data"]
    run = CountingRun(Counter(shared), shared=(shared,))
    run.go(10)
    straight = list(run.trainer.made)
    assert run.at == 10 and run.moves == ["u"] * 10 and run.records == list(range(1, 11))
    assert sorted(run.copies) == [0, 4, 8] and run.measures[8] == straight[:8]
    assert all(c.data is shared for c in run.copies.values())  # shared, not copied
    run.go(3)
    assert run.trainer.made == straight[:3] and run.trainer.data is shared
    run.go(10)
    assert run.trainer.made == straight


def test_live_run_by_hand_forgets_the_future():
    run = CountingRun(Counter([]))
    run.go(10)
    run.go(5)
    run.hand("h")
    assert run.at == 6 and run.moves == ["u"] * 5 + ["h"] and len(run.records) == 6
    assert sorted(run.copies) == [0, 4] and sorted(run.measures) == [0, 4]
    run.go(9)
    assert run.moves == ["u"] * 5 + ["h"] + ["u"] * 3 and sorted(run.copies) == [0, 4, 8]
    made = list(run.trainer.made)
    run.go(2)
    run.go(9)  # the hand move is replayed from the record, the same as before
    assert run.trainer.made == made and made[5][0] == "h"


def test_live_run_stops_at_its_end_and_a_hand_move_lifts_it():
    run = CountingRun(Counter([]))
    run.go(3)
    run.hand("stop")
    assert run.end == 4 == run.at
    run.go(20)
    assert run.at == 4 and run.end == 4
    run.go(1)
    run.go(20)
    assert run.at == 4
    run.hand("u")  # at the end: a move by hand starts a new future
    assert run.end is None and run.at == 5
    run.go(7)
    assert run.at == 7
    run.hand("boom")  # a move that cannot be made is not counted
    assert run.end == 7 == run.at and len(run.moves) == 7
    run.go(30)
    assert run.at == 7


# ----------------------------------------------------------------------------- saving

def saved_round_trip(setting, model, own=None):
    text = pg.export(setting, 12, model, own, {"epochs": 100})
    json.loads(text)  # it is JSON
    return pg.read_export(text)


@pytest.mark.parametrize("changes", [{}, {"hidden": (), "features": ("x₁²", "sin x₂"), "seed": 4},
                                     {"hidden": (8, 8, 8), "dropout": 0.1, "patience": 5}])
def test_export_and_read_export_keep_every_bit(changes):
    setting = dataclasses.replace(pg.DEFAULTS, **changes)
    run = run_of(3, **changes)
    back = saved_round_trip(setting, run.trainer.model)
    assert back["setting"] == dataclasses.asdict(setting) and back["epoch"] == 12
    assert back["view"] == {"epochs": 100} and back["data"] is None
    assert same_bits(back["weights"], weights_of(run))


def test_export_keeps_your_points_and_whether_labels_are_classes():
    model = run_of().trainer.model
    points = np.random.default_rng(1).normal(size=(9, 2)) * 1e-7 + 1 / 3
    for labels in (np.arange(9) % 3, np.linspace(-1, 1, 9) / 7):
        back = saved_round_trip(pg.DEFAULTS, model, (points, labels))
        got_points, got_labels = back["data"]
        assert np.array_equal(got_points.view(np.uint64), points.view(np.uint64))
        assert got_labels.dtype.kind == labels.dtype.kind
        assert np.array_equal(got_labels, labels)


def good():
    return json.loads(pg.export(pg.DEFAULTS, 0, run_of().trainer.model))


def changed(change):
    saved = good()
    change(saved)
    return json.dumps(saved)


BAD_TEXTS = {
    "empty": ("", "not JSON"),
    "words": ("my playground", "not JSON"),
    "truncated": (pg.export(pg.DEFAULTS, 0, run_of().trainer.model)[:200], "not JSON"),
    "a list": ("[1, 2]", "format"),
    "other format": ('{"format": "something else"}', "format"),
    "no weights": (changed(lambda s: s.pop("weights")), "weights"),
    "no setting": (changed(lambda s: s.pop("setting")), "setting"),
    "unknown entry": (changed(lambda s: s["setting"].update(spam=1)), "spam"),
    "short weights": (changed(lambda s: s["weights"][0]["values"].pop()), "weights"),
    "text weights": (changed(lambda s: s["weights"][0].update(values="0.1 0.2")), "weights"),
    "weights not a list": (changed(lambda s: s.update(weights=5)), "weights"),
    "data without labels": (changed(lambda s: s.update(data={"points": [[0, 0]]})), "data"),
    "data a number": (changed(lambda s: s.update(data=7)), "data"),
}


@pytest.mark.parametrize("name", list(BAD_TEXTS))
def test_a_text_that_is_not_a_saved_playground_says_what_is_wrong(name):
    text, words = BAD_TEXTS[name]
    with pytest.raises(ValueError, match=words) as info:
        pg.read_export(text)
    assert "Traceback" not in str(info.value) and len(str(info.value)) < 300


def test_a_setting_with_a_number_for_hidden_is_refused_in_words():
    with pytest.raises(ValueError, match="hidden"):
        pg.read_export(changed(lambda s: s["setting"].update(hidden=5)))
