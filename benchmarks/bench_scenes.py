"""Speed of every scene: the median time from a parameter change to a new frame ready to
show (``scene.set(...)`` then ``scene.to_png()``, what the widget does), and the time and
size of each GIF build (built in memory; imgs/ is not touched).

    python benchmarks/bench_scenes.py [--changes 30] [--only neuron]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from course_utils import gif
from course_utils.scenes import GIFS, all_scenes, load


def random_changes(scene_cls, count: int, rng: np.random.Generator):
    """``count`` single-parameter changes, each to a random allowed value."""
    for _ in range(count):
        p = scene_cls.params[rng.integers(len(scene_cls.params))]
        if p.options:
            value = p.values()[rng.integers(len(p.options))]
        elif p.integer:
            value = int(rng.integers(int(p.low), int(p.high) + 1))
        else:
            value = float(rng.uniform(p.low, p.high))
        yield {p.name: value}


def update_times(scene_cls, count: int) -> list[float]:
    scene = scene_cls()
    scene.to_png()
    times = []
    for change in random_changes(scene_cls, count, np.random.default_rng(0)):
        start = time.perf_counter()
        scene.set(**change)
        scene.to_png()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=30, help="parameter changes per scene")
    parser.add_argument("--only", help="a scene class name or GIF name to time alone")
    args = parser.parse_args()

    print(f"{'scene':<22} {'median update':>14} {'90th pct':>10}")
    for cls in all_scenes():
        if args.only and args.only not in (cls.__name__, cls.gif_name):
            continue
        times = sorted(update_times(cls, args.changes))
        print(f"{cls.__name__:<22} {statistics.median(times) * 1e3:>11.1f} ms "
              f"{times[int(0.9 * (len(times) - 1))] * 1e3:>7.1f} ms")

    print(f"\n{'GIF':<22} {'build':>10} {'size':>10} {'frames':>7}")
    for name in sorted(GIFS):
        if args.only and args.only != name:
            continue
        start = time.perf_counter()
        count = []
        data = gif.render(load(name), progress=count.append)
        print(f"{name + '.gif':<22} {time.perf_counter() - start:>8.1f} s {len(data) / 1e3:>7.0f} kB "
              f"{len(count):>7}")


if __name__ == "__main__":
    main()
