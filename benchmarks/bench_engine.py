"""Speed of the numpy engine (course_utils.nn) on five workloads, float64.

Prints the median time of one training step (forward, loss, zero_grad,
backward, optimizer step) or one forward+backward pass, next to the target, and,
when PyTorch is importable, the time of the same workload in PyTorch (its default
number of threads) and the ratio ours / PyTorch (below 1: numpy is faster).

    python benchmarks/bench_engine.py                # all workloads
    python benchmarks/bench_engine.py --repeat 500 --only W1 W2
    python benchmarks/bench_engine.py --no-torch

Timings depend on the machine and its BLAS (OpenBLAS reads OPENBLAS_CORETYPE).
"""

import argparse
import os
import platform
import statistics
import time

import numpy as np

from course_utils import nn
from course_utils.nn.optim import SGD, Adam

TARGETS_MS = {"W1": 0.17, "W2": 0.30, "W3": 2.8, "W4": 0.9, "W5": 4.7}
DESCRIPTIONS = {
    "W1": "MLP 2-8-8-1 tanh, batch 10, BCEWithLogits, SGD",
    "W2": "MLP 64-128-10 ReLU, batch 32, CrossEntropy, Adam",
    "W3": "MLP 784-256-10 ReLU, batch 128, CrossEntropy, SGD momentum 0.9",
    "W4": "Conv2d 1->8 3x3 on 16x1x28x28, forward+backward",
    "W5": "LSTM 8->32, length 20, batch 16, forward+backward",
}


def median_ms(step, repeat, warmup=10):
    """Median wall time of ``step()`` in milliseconds over ``repeat`` calls."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


# ------------------------------------------------------------------ numpy engine

def _mlp_step(sizes, activation, loss_fn, optimizer_cls, opt_kwargs, x, y):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out, rng=i))
        if i < len(sizes) - 2:
            layers.append(activation())
    model = nn.Sequential(*layers)
    optimizer = optimizer_cls(model.parameters(), **opt_kwargs)

    def step():
        out = model(x)
        loss_fn(out, y)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    return step


def numpy_workloads(rng):
    x1, y1 = rng.normal(size=(10, 2)), rng.integers(0, 2, size=(10, 1)).astype(float)
    x2, y2 = rng.normal(size=(32, 64)), rng.integers(0, 10, size=32)
    x3, y3 = rng.normal(size=(128, 784)), rng.integers(0, 10, size=128)
    x4 = rng.normal(size=(16, 1, 28, 28))
    x5 = rng.normal(size=(20, 16, 8))

    conv = nn.Conv2d(1, 8, 3, rng=0)
    g4 = rng.normal(size=(16, 8, 26, 26))

    def conv_step():
        conv.zero_grad()
        conv(x4)
        conv.backward(g4)

    lstm = nn.LSTM(8, 32, rng=0)
    g5 = rng.normal(size=(20, 16, 32))

    def lstm_step():
        lstm.zero_grad()
        lstm(x5)
        lstm.backward(g5)

    return {
        "W1": _mlp_step([2, 8, 8, 1], nn.Tanh, nn.BCEWithLogitsLoss(), SGD, dict(lr=0.1), x1, y1),
        "W2": _mlp_step([64, 128, 10], nn.ReLU, nn.CrossEntropyLoss(), Adam, dict(lr=1e-3), x2, y2),
        "W3": _mlp_step([784, 256, 10], nn.ReLU, nn.CrossEntropyLoss(), SGD,
                        dict(lr=0.01, momentum=0.9), x3, y3),
        "W4": conv_step,
        "W5": lstm_step,
    }


# ------------------------------------------------------------------ PyTorch

def torch_workloads(torch, rng):
    tnn = torch.nn
    f64 = torch.float64

    def t(a):
        return torch.tensor(a, dtype=f64 if np.issubdtype(np.asarray(a).dtype, np.floating)
                            else torch.long)

    def mlp_step(sizes, activation, loss_fn, optimizer_cls, opt_kwargs, x, y):
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(tnn.Linear(n_in, n_out, dtype=f64))
            if i < len(sizes) - 2:
                layers.append(activation())
        model = tnn.Sequential(*layers)
        optimizer = optimizer_cls(model.parameters(), **opt_kwargs)
        x, y = t(x), t(y)

        def step():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        return step

    x4 = t(rng.normal(size=(16, 1, 28, 28)))
    g4 = t(rng.normal(size=(16, 8, 26, 26)))
    conv = tnn.Conv2d(1, 8, 3, dtype=f64)

    def conv_step():
        conv.zero_grad()
        conv(x4).backward(g4)

    x5 = t(rng.normal(size=(20, 16, 8)))
    g5 = t(rng.normal(size=(20, 16, 32)))
    lstm = tnn.LSTM(8, 32, dtype=f64)

    def lstm_step():
        lstm.zero_grad()
        lstm(x5)[0].backward(g5)

    return {
        "W1": mlp_step([2, 8, 8, 1], tnn.Tanh, tnn.BCEWithLogitsLoss(), torch.optim.SGD,
                       dict(lr=0.1), rng.normal(size=(10, 2)),
                       rng.integers(0, 2, size=(10, 1)).astype(float)),
        "W2": mlp_step([64, 128, 10], tnn.ReLU, tnn.CrossEntropyLoss(), torch.optim.Adam,
                       dict(lr=1e-3), rng.normal(size=(32, 64)), rng.integers(0, 10, size=32)),
        "W3": mlp_step([784, 256, 10], tnn.ReLU, tnn.CrossEntropyLoss(), torch.optim.SGD,
                       dict(lr=0.01, momentum=0.9), rng.normal(size=(128, 784)),
                       rng.integers(0, 10, size=128)),
        "W4": conv_step,
        "W5": lstm_step,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300,
                        help="timed steps per workload; the median is shown (default 300)")
    parser.add_argument("--only", nargs="+", choices=sorted(TARGETS_MS), metavar="W",
                        help="run only these workloads (W1 ... W5)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    names = args.only or sorted(TARGETS_MS)

    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            torch = None

    print(f"numpy {np.__version__}, python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    if torch is not None:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"median of {args.repeat} steps, float64, times in ms\n")

    ours = numpy_workloads(np.random.default_rng(0))
    theirs = torch_workloads(torch, np.random.default_rng(0)) if torch is not None else {}
    if torch is not None:
        torch.manual_seed(0)

    header = f"{'':3} {'workload':<62} {'numpy':>7} {'target':>7} {'ok':>3}"
    if torch is not None:
        header += f" {'torch':>7} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for name in names:
        ms = median_ms(ours[name], args.repeat)
        target = TARGETS_MS[name]
        line = (f"{name:3} {DESCRIPTIONS[name]:<62} {ms:7.3f} {target:7.2f} "
                f"{'yes' if ms <= target else 'NO':>3}")
        if torch is not None:
            tms = median_ms(theirs[name], args.repeat)
            line += f" {tms:7.3f} {ms / tms:6.2f}"
        print(line)


if __name__ == "__main__":
    main()
