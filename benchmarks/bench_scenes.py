"""Speed of every scene: for each parameter, the median and largest time from a change
to a new frame ready to show (``scene.set(...)`` then ``scene.to_png()``, what the
widget does; for scenes that train, the largest is a fresh training), and the time and
size of each GIF build (built in memory; imgs/ is not touched).

    python benchmarks/bench_scenes.py [--changes 15] [--only neuron]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from course_utils import gif
from course_utils.chapters import gif_scenes, scene_classes


def random_value(p, rng: np.random.Generator, current):
    """A random allowed value of parameter ``p`` other than ``current``."""
    while True:
        if p.options:
            value = p.values()[rng.integers(len(p.options))]
        elif p.integer:
            value = int(rng.integers(int(p.low), int(p.high) + 1))
        elif p.log:  # evenly spread over the factors, as the slider moves
            value = float(f"{10 ** rng.uniform(np.log10(p.low), np.log10(p.high)):.3g}")
            value = min(max(value, p.low), p.high)
        else:
            value = round(float(rng.uniform(p.low, p.high)), 2)
        if value != current:
            return value


def update_times(scene_cls, changes: int) -> dict[str, list[float]]:
    """Per parameter: seconds from ``scene.set(name=value)`` to the PNG being ready."""
    rng = np.random.default_rng(0)
    scene = scene_cls()
    scene.to_png()
    times = {p.name: [] for p in scene_cls.params}
    for p in scene_cls.params:
        if len(p.corners()) < 2 and not p.options:
            continue
        for _ in range(changes):
            value = random_value(p, rng, scene.values[p.name])
            start = time.perf_counter()
            try:
                scene.set(**{p.name: value})
            except ValueError:  # a value this setting refuses (a loss that does not fit the
                continue        # data, say): the scene says so and keeps its picture
            scene.to_png()
            times[p.name].append(time.perf_counter() - start)
    return times


def race_times(repeats: int) -> tuple[list[float], list[float]]:
    """The optimizer race: seconds for a new race (a new start point: all 7 optimizers,
    200 steps each, computed afresh, then drawn) and for moving ``step`` through a race
    already computed."""
    from course_utils.scenes.optimizers import OptimizerRaceScene, race

    scene = OptimizerRaceScene(steps=200)
    scene.to_png()
    fresh, replay = [], []
    for i in range(repeats):
        race.cache_clear()
        start = time.perf_counter()
        scene.set(start_x=round(-0.9 + 0.01 * i, 2))
        scene.to_png()
        fresh.append(time.perf_counter() - start)
    for step in range(0, 201, 4):
        start = time.perf_counter()
        scene.set(step=step)
        scene.to_png()
        replay.append(time.perf_counter() - start)
    return fresh, replay


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=15, help="changes per parameter")
    parser.add_argument("--only", help="a scene class name or GIF name to time alone")
    args = parser.parse_args()

    print("Time from a parameter change to a new frame (scene.set + to_png), per parameter")
    print(f"{'scene':<18} {'parameter':<14} {'median':>9} {'max':>9}")
    for cls in scene_classes():
        if args.only and args.only not in (cls.__name__, cls.gif_name):
            continue
        every = []
        for name, times in update_times(cls, args.changes).items():
            if not times:  # a parameter with nothing to vary here (a text box)
                continue
            every += times
            print(f"{cls.__name__:<18} {name:<14} {statistics.median(times) * 1e3:>6.1f} ms "
                  f"{max(times) * 1e3:>6.1f} ms")
        print(f"{cls.__name__:<18} {'(all)':<14} {statistics.median(every) * 1e3:>6.1f} ms "
              f"{max(every) * 1e3:>6.1f} ms")

    if not args.only or args.only in ("OptimizerRaceScene", "optimizers"):
        fresh, replay = race_times(args.changes)
        print("\nOptimizer race, 7 optimizers x 200 steps (scene.set + to_png)")
        print(f"  new race, computed and drawn:      median {statistics.median(fresh) * 1e3:6.1f} ms, "
              f"max {max(fresh) * 1e3:6.1f} ms")
        print(f"  step moved, race already computed: median {statistics.median(replay) * 1e3:6.1f} ms, "
              f"max {max(replay) * 1e3:6.1f} ms")

    print(f"\n{'GIF':<22} {'build':>10} {'size':>10} {'frames':>7}")
    for name, scene_cls in sorted(gif_scenes().items()):
        if args.only and args.only != name:
            continue
        start = time.perf_counter()
        count = []
        data = gif.render(scene_cls, progress=count.append)
        print(f"{name + '.gif':<22} {time.perf_counter() - start:>8.1f} s {len(data) / 1e3:>7.0f} kB "
              f"{len(count):>7}")


if __name__ == "__main__":
    main()
