"""Speed of the numpy engine (course_utils.nn) on seven workloads, float64, side by side
with a hand-written numpy step and with PyTorch on the CPU.

For W1-W3 (training steps of small MLPs) it times three versions of the same step,
from the same starting weights:

* ``engine``: the five lines of a training loop with ``course_utils.nn``, as ``fit``
  runs them (``model.backward(..., input_grad=False)``: nothing needs dL/dx);
* ``numpy``: the same step written by hand in plain numpy, as fast as straightforward
  numpy goes (no modules, no checks, no accumulation into ``.grad``);
* ``torch``: the same step in PyTorch, float64, ``torch.set_num_threads(2)``.

It prints the median times and the ratios engine/torch, numpy/torch and engine/numpy
(below 1: faster), and whether engine/torch meets the goal (``GOALS``). Before timing,
it checks that one engine step and one hand-written step give the same weights.
W4 (Conv2d, including dL/dx), W5 (LSTM) and W7 (RNN) are forward+backward passes, W6
a whole training step of the digits chapter's CNN (``course_utils.digits.cnn``) on 32
real digits: engine and torch only (torch from the engine's starting weights).

    python benchmarks/bench_engine.py                   # all workloads, torch if importable
    python benchmarks/bench_engine.py --repeat 500 --only W1 W2
    python benchmarks/bench_engine.py --no-torch
    PYTHONPATH=. /path/to/venv-with-torch/bin/python benchmarks/bench_engine.py

The three versions are timed in turns, round after round (``--repeat`` calls in all,
in runs of ``repeat / 10``), so that a change in the machine's load affects them alike. Timings depend on the machine and its BLAS
(OpenBLAS reads OPENBLAS_NUM_THREADS and OPENBLAS_CORETYPE).
"""

import argparse
import os
import platform
import statistics
import time

import numpy as np

from course_utils import digits, nn
from course_utils.nn.optim import SGD, Adam

#: engine time / torch time to reach: W1-W3 as fast as the hand-written numpy step,
#: the others at least as fast as torch (W4) or twice as fast (W5-W7).
GOALS = {"W1": 0.25, "W2": 0.33, "W3": 1.0, "W4": 1.0, "W5": 0.5, "W6": 0.5, "W7": 0.5}
DESCRIPTIONS = {
    "W1": "MLP 2-8-8-1 tanh, batch 10, BCEWithLogits, SGD",
    "W2": "MLP 64-128-10 ReLU, batch 32, CrossEntropy, Adam",
    "W3": "MLP 784-256-10 ReLU, batch 128, CrossEntropy, SGD momentum 0.9",
    "W4": "Conv2d 1->8 3x3 on 16x1x28x28, forward+backward with dL/dx",
    "W5": "LSTM 8->32, length 20, batch 16, forward+backward",
    "W6": "digits CNN (2 conv, 2 maxpool), batch 32 of 8x8, CE, Adam",
    "W7": "RNN 8->32 tanh, length 20, batch 16, forward+backward",
}
NAMES = sorted(DESCRIPTIONS)
MLPS = {  # sizes, activation, loss, optimizer, its settings
    "W1": ([2, 8, 8, 1], "tanh", "bce", "sgd", dict(lr=0.1)),
    "W2": ([64, 128, 10], "relu", "ce", "adam", dict(lr=1e-3)),
    "W3": ([784, 256, 10], "relu", "ce", "sgd", dict(lr=0.01, momentum=0.9)),
}


def data(rng):
    """The inputs and targets of every workload (the same for all three versions)."""
    x_digits, y_digits = digits.split()[:2]
    return {
        "W1": (rng.normal(size=(10, 2)), rng.integers(0, 2, size=(10, 1)).astype(float)),
        "W2": (rng.normal(size=(32, 64)), rng.integers(0, 10, size=32)),
        "W3": (rng.normal(size=(128, 784)), rng.integers(0, 10, size=128)),
        "W4": (rng.normal(size=(16, 1, 28, 28)), rng.normal(size=(16, 8, 26, 26))),
        "W5": (rng.normal(size=(20, 16, 8)), rng.normal(size=(20, 16, 32))),
        "W6": (x_digits[:32], y_digits[:32]),
        "W7": (rng.normal(size=(20, 16, 8)), rng.normal(size=(20, 16, 32))),
    }


def timed_rounds(steps, repeat, warmup=10, rounds=10):
    """Time of one call of each step in ``steps`` (name -> function), in ms: the median
    over ``rounds`` rounds of the mean of ``repeat / rounds`` calls in a row. Each round
    times every step in turn (after two calls to warm it up again), so that a change in
    the machine's load falls on all of them alike."""
    for step in steps.values():
        for _ in range(warmup):
            step()
    per_round = max(1, repeat // rounds)
    times = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            step()
            step()
            start = time.perf_counter()
            for _ in range(per_round):
                step()
            times[name].append((time.perf_counter() - start) / per_round)
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


# ------------------------------------------------------------------ numpy engine

def engine_mlp(name, x, y):
    """``(step, model)``: one training step of workload ``name`` with course_utils.nn."""
    sizes, activation, loss, optimizer, settings = MLPS[name]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out, rng=i))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh() if activation == "tanh" else nn.ReLU())
    model = nn.Sequential(*layers)
    loss_fn = nn.BCEWithLogitsLoss() if loss == "bce" else nn.CrossEntropyLoss()
    opt = (SGD if optimizer == "sgd" else Adam)(model.parameters(), **settings)

    def step():
        output = model(x)
        loss_fn(output, y)
        opt.zero_grad()
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
    return step, model


def engine_workloads(arrays):
    steps = {name: engine_mlp(name, *arrays[name])[0] for name in MLPS}
    x4, g4 = arrays["W4"]
    conv = nn.Conv2d(1, 8, 3, rng=0)

    def conv_step():
        conv.zero_grad()
        conv(x4)
        conv.backward(g4)

    x5, g5 = arrays["W5"]
    lstm = nn.LSTM(8, 32, rng=0)

    def lstm_step():
        lstm.zero_grad()
        lstm(x5)
        lstm.backward(g5)

    x7, g7 = arrays["W7"]
    rnn = nn.RNN(8, 32, rng=0)

    def rnn_step():
        rnn.zero_grad()
        rnn(x7)
        rnn.backward(g7)

    steps.update(W4=conv_step, W5=lstm_step, W6=engine_cnn(*arrays["W6"])[0], W7=rnn_step)
    return steps


def engine_cnn(x, y):
    """``(step, model)``: one training step of the digits CNN, as ``fit`` runs it."""
    model = digits.cnn(8)
    loss_fn = nn.CrossEntropyLoss()
    opt = Adam(model.parameters(), lr=0.01)

    def step():
        output = model(x)
        loss_fn(output, y)
        opt.zero_grad()
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
    return step, model


# ------------------------------------------------------------------ hand-written numpy

def numpy_w1(weights, x, y, lr=0.1):
    """2-8-8-1 tanh MLP, BCE on logits, plain SGD: forward, gradients, update."""
    w1, b1, w2, b2, w3, b3 = weights
    n = len(x)

    def step():
        a1 = np.tanh(x @ w1.T + b1)
        a2 = np.tanh(a1 @ w2.T + b2)
        s = a2 @ w3.T + b3
        loss = np.mean(np.logaddexp(0.0, s) - s * y)  # noqa: F841 (computed, as in training)
        g = (1.0 / (1.0 + np.exp(-s)) - y) / n        # dL/ds = (sigmoid(s) - y) / n
        d2 = (g @ w3) * (1.0 - a2 * a2)
        d1 = (d2 @ w2) * (1.0 - a1 * a1)
        grads = (d1.T @ x, d1.sum(0), d2.T @ a1, d2.sum(0), g.T @ a2, g.sum(0))
        for w, dw in zip(weights, grads):
            w -= lr * dw
    return step


def _relu_mlp_grads(w1, b1, w2, b2, x, y, rows):
    """Forward and backward of a 1-hidden-layer ReLU MLP with cross-entropy on labels ``y``."""
    h = x @ w1.T
    h += b1
    np.maximum(h, 0.0, out=h)
    z = h @ w2.T
    z += b2
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    total = e.sum(axis=1, keepdims=True)
    loss = np.log(total).mean() - z[rows, y].mean()  # noqa: F841 (computed, as in training)
    g = e / total                                    # softmax
    g[rows, y] -= 1.0
    g /= len(x)
    dh = g @ w2
    dh *= h > 0
    return dh.T @ x, dh.sum(0), g.T @ h, g.sum(0)


def numpy_w2(weights, x, y, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """64-128-10 ReLU MLP, cross-entropy, Adam."""
    rows = np.arange(len(x))
    m = [np.zeros_like(w) for w in weights]
    v = [np.zeros_like(w) for w in weights]
    t = [0]

    def step():
        t[0] += 1
        c1, c2 = 1 - beta1 ** t[0], 1 - beta2 ** t[0]
        for w, mw, vw, dw in zip(weights, m, v, _relu_mlp_grads(*weights, x, y, rows)):
            mw *= beta1
            mw += (1 - beta1) * dw
            vw *= beta2
            vw += (1 - beta2) * (dw * dw)
            w -= lr * (mw / c1) / (np.sqrt(vw / c2) + eps)
    return step


def numpy_w3(weights, x, y, lr=0.01, momentum=0.9):
    """784-256-10 ReLU MLP, cross-entropy, SGD with momentum."""
    rows = np.arange(len(x))
    velocity = [None] * len(weights)

    def step():
        for i, (w, dw) in enumerate(zip(weights, _relu_mlp_grads(*weights, x, y, rows))):
            if velocity[i] is None:
                velocity[i] = dw
            else:
                velocity[i] *= momentum
                velocity[i] += dw
            w -= lr * velocity[i]
    return step


NUMPY_STEPS = {"W1": numpy_w1, "W2": numpy_w2, "W3": numpy_w3}


def numpy_workloads(arrays):
    """The hand-written steps, each from the engine model's starting weights."""
    steps = {}
    for name, make in NUMPY_STEPS.items():
        weights = [p.data.copy() for p in engine_mlp(name, *arrays[name])[1].parameters()]
        steps[name] = make(weights, *arrays[name])
    return steps


def check_same_step(arrays):
    """Fail loudly unless one hand-written step gives the engine's weights."""
    for name, make in NUMPY_STEPS.items():
        step, model = engine_mlp(name, *arrays[name])
        weights = [p.data.copy() for p in model.parameters()]
        make(weights, *arrays[name])()
        step()
        for p, w in zip(model.parameters(), weights):
            np.testing.assert_allclose(p.data, w, rtol=1e-10, atol=1e-13,
                                       err_msg=f"{name}: the hand-written step differs")


# ------------------------------------------------------------------ PyTorch

def torch_workloads(torch, arrays):
    tnn = torch.nn
    f64 = torch.float64

    def t(a):
        return torch.tensor(a, dtype=f64 if np.issubdtype(np.asarray(a).dtype, np.floating)
                            else torch.long)

    def mlp_step(name):
        sizes, activation, loss, optimizer, settings = MLPS[name]
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(tnn.Linear(n_in, n_out, dtype=f64))
            if i < len(sizes) - 2:
                layers.append(tnn.Tanh() if activation == "tanh" else tnn.ReLU())
        model = tnn.Sequential(*layers)
        loss_fn = tnn.BCEWithLogitsLoss() if loss == "bce" else tnn.CrossEntropyLoss()
        opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(
            model.parameters(), **settings)
        x, y = (t(a) for a in arrays[name])

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        return step

    x4, g4 = (t(a) for a in arrays["W4"])
    conv = tnn.Conv2d(1, 8, 3, dtype=f64)

    def conv_step():
        conv.zero_grad()
        conv(x4).backward(g4)

    x5, g5 = (t(a) for a in arrays["W5"])
    lstm = tnn.LSTM(8, 32, dtype=f64)

    def lstm_step():
        lstm.zero_grad()
        lstm(x5)[0].backward(g5)

    def cnn_step():
        """The digits CNN, with the engine model's starting weights."""
        weights = [torch.tensor(p.data) for p in engine_cnn(*arrays["W6"])[1].parameters()]
        model = tnn.Sequential(
            tnn.Conv2d(1, 8, 3, padding=1, dtype=f64), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Conv2d(8, 16, 3, padding=1, dtype=f64), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Flatten(), tnn.Linear(64, 10, dtype=f64))
        with torch.no_grad():
            for p, w in zip(model.parameters(), weights):
                p.copy_(w)
        loss_fn = tnn.CrossEntropyLoss()
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        x, y = (t(a) for a in arrays["W6"])

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        return step

    x7, g7 = (t(a) for a in arrays["W7"])
    rnn = tnn.RNN(8, 32, dtype=f64)

    def rnn_step():
        rnn.zero_grad()
        rnn(x7)[0].backward(g7)

    steps = {name: mlp_step(name) for name in MLPS}
    steps.update(W4=conv_step, W5=lstm_step, W6=cnn_step(), W7=rnn_step)
    return steps


# ------------------------------------------------------------------ report

def _ratio(a, b):
    return f"{a / b:6.2f}" if a is not None and b is not None else f"{'-':>6}"


def _ms(value):
    return f"{value:8.3f}" if value is not None else f"{'-':>8}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300,
                        help="timed steps per workload and version; the median is shown "
                             "(default 300)")
    parser.add_argument("--only", nargs="+", choices=NAMES, metavar="W",
                        help="run only these workloads (W1 ... W7)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    names = args.only or NAMES

    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            torch = None
    if torch is not None:
        torch.set_num_threads(2)
        torch.manual_seed(0)

    print(f"numpy {np.__version__}, python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads" if torch is not None
          else "torch: not installed here (or --no-torch): no torch column")
    print(f"median of {args.repeat} steps, float64, times in ms\n")

    arrays = data(np.random.default_rng(0))
    check_same_step(arrays)
    versions = {"engine": engine_workloads(arrays), "numpy": numpy_workloads(arrays)}
    if torch is not None:
        versions["torch"] = torch_workloads(torch, arrays)

    header = (f"{'':3} {'workload':<62} {'engine':>8} {'numpy':>8} {'torch':>8} "
              f"{'e/torch':>7} {'n/torch':>7} {'e/numpy':>7} {'goal':>12}")
    print(header)
    print("-" * len(header))
    for name in names:
        steps = {v: s[name] for v, s in versions.items() if name in s}
        ms = timed_rounds(steps, args.repeat)
        engine, hand, theirs = ms["engine"], ms.get("numpy"), ms.get("torch")
        goal = GOALS[name]
        verdict = "?" if theirs is None else ("yes" if engine / theirs <= goal else "NO")
        goal_text = f"<={goal:.2f}x {verdict:>3}"
        print(f"{name:3} {DESCRIPTIONS[name]:<62} {_ms(engine)} {_ms(hand)} {_ms(theirs)} "
              f"{_ratio(engine, theirs):>7} {_ratio(hand, theirs):>7} {_ratio(engine, hand):>7} "
              f"{goal_text:>12}")


if __name__ == "__main__":
    main()
