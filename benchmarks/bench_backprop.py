"""One forward and backward pass of the same 2-16-1 tanh network on 100 moons points,
done with scalar Values (course_utils.micrograd, micrograd-style) and with the engine's
nn.Linear layers, from the same weights; prints the median times and their ratio.

    python benchmarks/bench_backprop.py [--repeat 20]

Before timing it checks that both compute the same gradients (to 1e-12).
"""

import argparse
import statistics
import time

import numpy as np

from course_utils import micrograd as M
from course_utils import nn

SIZES, N = (2, 16, 1), 100


def value_pass(model, points, y):
    loss = M.value_bce_with_logits([model(p) for p in points], y)
    model.zero_grad()
    loss.backward()
    return loss


def engine_pass(model, criterion, x, target):
    criterion(model(x), target)
    model.zero_grad()
    model.backward(criterion.backward())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    x, y = M.moons_set(N)
    points, target = [list(p) for p in x], y[:, None].astype(float)
    values = M.ValueMLP(SIZES)
    engine, criterion = M.to_engine(values), nn.BCEWithLogitsLoss()
    value_pass(values, points, y)
    engine_pass(engine, criterion, x, target)
    first = [m for m in engine if isinstance(m, nn.Linear)][0]
    np.testing.assert_allclose(first.weight.grad, [[w.grad for w in n.w] for n in values.layers[0].neurons],
                               rtol=1e-12, atol=1e-15)
    times = {"Value": [], "nn.Linear": []}
    for _ in range(args.repeat):  # in turns, so a change of load affects both alike
        start = time.perf_counter()
        value_pass(values, points, y)
        times["Value"].append(time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(100):
            engine_pass(engine, criterion, x, target)
        times["nn.Linear"].append((time.perf_counter() - start) / 100)
    medians = {k: statistics.median(v) for k, v in times.items()}
    nodes = len(M.value_bce_with_logits([values(p) for p in points], y).topological_order())
    print(f"forward + backward, {'-'.join(map(str, SIZES))} tanh, {N} points, BCE with logits")
    print(f"  Values ({nodes} nodes):  {medians['Value'] * 1e3:8.2f} ms")
    print(f"  nn.Linear layers:       {medians['nn.Linear'] * 1e3:8.3f} ms")
    print(f"  ratio Values / nn.Linear: {medians['Value'] / medians['nn.Linear']:.0f}x")


if __name__ == "__main__":
    main()
