"""How long the networks the chapters train in the notebooks take, from scratch: the
digits CNN (4, 8 and 16 filters) and its MLP, each trained exactly as its chapter does
(``course_utils.digits.train``, uncached), with the held-out accuracy reached.

    python benchmarks/bench_training.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from course_utils import digits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="trainings per network; the median is shown")
    args = parser.parse_args()
    print(f"{'network':<22} {'median':>8} {'min':>8} {'held-out accuracy':>18}")
    for kind, size, name in (("cnn", 4, "CNN, 4 filters"), ("cnn", 8, "CNN, 8 filters"),
                             ("cnn", 16, "CNN, 16 filters"), ("mlp", 28, "MLP, 28 hidden")):
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run = digits.train.__wrapped__(kind, size)  # uncached: a real training every time
            times.append(time.perf_counter() - start)
        print(f"{name:<22} {statistics.median(times):>6.2f} s {min(times):>6.2f} s "
              f"{run.curves['val_accuracy'][-1]:>17.1%}")


if __name__ == "__main__":
    main()
