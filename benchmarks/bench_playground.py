"""How fast the playground (``course_utils.scenes.playground``) answers, for a 2-8-8-1
network (features x₁ and x₂, two hidden layers of 8 tanh neurons) on the circle's 500
points (250 train), batch 10, SGD, with a thumbnail for every neuron. It prints

* one epoch of training (25 updates, then the losses and accuracies measured on all
  training and test points);
* **Play**: the median and slowest time of one Play frame (the widget's Play moves the
  epoch by 5 when the run is 500 epochs: 5 epochs, then the picture drawn and encoded as
  the widget's PNG), and the frames per second that gives (the goal: 10 or more);
* a change that trains nothing: a view switch, and the epoch slider moved to an epoch
  trained before (a copy of the state is kept every 10 epochs, so at most 9 epochs are
  trained again);
* a change of the setting, which starts a new run at epoch 0 and draws a new background.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_playground.py

Times depend on the machine and its load; run it on a quiet machine.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from course_utils import playground as pg
from course_utils.scenes.playground import PlaygroundScene
from course_utils.widgets import PLAY_FRAMES

SETTING = dict(hidden="8 8", epochs=500)


def frame(scene: PlaygroundScene, **changes) -> float:
    start = time.perf_counter()
    scene.set(**changes)
    scene.to_png()
    return time.perf_counter() - start


def ms(seconds: list[float]) -> str:
    return f"median {1000 * statistics.median(seconds):.1f} ms, slowest {1000 * max(seconds):.1f} ms"


def main() -> None:
    x, y = pg.make_points("circle")
    run = pg.Run(pg.Setting(hidden=(8, 8)), x, y, "two classes")
    start = time.perf_counter()
    run.go(500)
    print(f"one epoch of a 2-8-8-1 network, batch 10, 250 points: "
          f"{1000 * (time.perf_counter() - start) / 500:.2f} ms")

    scene = PlaygroundScene(**SETTING)
    scene.to_png()
    step = max(1, round(SETTING["epochs"] / PLAY_FRAMES))
    play = [frame(scene, step=k) for k in range(step, SETTING["epochs"] + 1, step)]
    print(f"Play frame ({step} epochs, then the picture and its PNG): {ms(play)}; "
          f"{1 / statistics.median(play):.1f} frames per second")
    views = [frame(scene, show_test=bool(k % 2)) for k in range(40)]
    print(f"switching a view: {ms(views)}")
    rng = np.random.default_rng(0)
    jumps = [frame(scene, step=int(k)) for k in rng.integers(0, SETTING["epochs"], 40)]
    print(f"moving the epoch slider to an epoch trained before: {ms(jumps)}")
    changes = [frame(scene, activation=a) for a in ("ReLU", "tanh", "sigmoid", "linear") * 3]
    print(f"changing the setting (a run kept from before, or a new one at epoch 0): {ms(changes)}")


if __name__ == "__main__":
    main()
