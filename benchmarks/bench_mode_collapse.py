"""The mode-collapse lab's measured figures (``course_utils.scenes.mode_collapse``): for
the lab's base setting and for single changes of it, each trained from scratch with
seeds 0 to 7 (uncached, as a new setting in the widget is), it prints

* how many seeds cover enough modes after the run's last update (11 or more of the
  ring's 12 sectors, 7 or more of the eight Gaussians), and each seed's coverage;
* the time the 8 runs take in all (what a student waits for a new setting);

and then the median time of a change that does not retrain (``step``: ``set`` and
``render``, over 42 calls, after a first pass that draws every text once).

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_mode_collapse.py [--only ring|gaussians|healthy|redraw]

Times depend on the machine and its load; the seed counts do not.
"""

from __future__ import annotations

import argparse
import statistics
import time

from course_utils import gan
from course_utils.scenes import mode_collapse as M

#: (what changed, data, the lab's choices)
RING = [
    ("base", "ring", {}),
    ("2 D-steps", "ring", {"d_steps": 2}),
    ("D's lr 0.005", "ring", {"d_lr": 0.005}),
    ("D's lr 0.001", "ring", {"d_lr": 0.001}),
    ("G's lr 0.005", "ring", {"g_lr": 0.005}),
    ("G's lr 0.001", "ring", {"g_lr": 0.001}),
    ("minimax loss", "ring", {"loss": "minimax"}),
    ("least squares loss", "ring", {"loss": "least squares"}),
    ("width 8", "ring", {"width": 8}),
    ("width 32", "ring", {"width": 32}),
]
GAUSSIANS = [(name, "eight gaussians", changes) for name, _, changes in RING
             if name in ("base", "2 D-steps", "D's lr 0.005", "G's lr 0.005", "width 32")]
#: A healthy setting (the chapter's learning rates and width, in the lab's 1,000 updates)
#: and single changes of it.
HEALTHY = [
    ("chapter's lrs and width", "ring", {"d_lr": 0.002, "g_lr": 0.001, "width": 32}),
    ("... with G's lr 0.005", "ring", {"d_lr": 0.002, "g_lr": 0.005, "width": 32}),
    ("... with width 8", "ring", {"d_lr": 0.002, "g_lr": 0.001, "width": 8}),
]


def measure(name: str, data: str, changes: dict) -> None:
    setting = M.settings(**changes)
    start = time.perf_counter()
    covered = [int(gan.record(data, setting, seed, snapshots=M.SNAPSHOTS).data["coverage"][-1])
               for seed in range(M.SEEDS)]
    seconds = time.perf_counter() - start
    good = sum(c >= M.ENOUGH[data] for c in covered)
    print(f"  {name:26s} {data:15s} {good} of {M.SEEDS}   coverage {' '.join(f'{c:2d}' for c in covered)}"
          f"   {seconds:.1f} s for the {M.SEEDS} runs", flush=True)


def redraw() -> None:
    scene = M.ModeCollapseScene()
    for step in range(M.SNAPSHOTS + 1):  # every text drawn once
        scene.set(step=step)
        scene.render()
    times = []
    for _ in range(2):
        for step in range(M.SNAPSHOTS + 1):
            start = time.perf_counter()
            scene.set(step=step)
            scene.render()
            times.append(time.perf_counter() - start)
    print(f"  a new step (set + render): median {statistics.median(times) * 1e3:.1f} ms, "
          f"slowest {max(times) * 1e3:.1f} ms, over {len(times)} calls")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("ring", "gaussians", "healthy", "redraw"))
    args = parser.parse_args()
    print(f"base: {M.BASE}")
    print(f"seeds covering enough modes after {M.BASE.updates:,} updates:")
    for group, rows in (("ring", RING), ("gaussians", GAUSSIANS), ("healthy", HEALTHY)):
        if args.only in (None, group):
            for row in rows:
                measure(*row)
    if args.only in (None, "redraw"):
        redraw()


if __name__ == "__main__":
    main()
