"""How reliably, and how fast, a GAN learns the ring from a cold start
(``course_utils.gan``): for the chapter's defaults (``gan.DEFAULTS``) and for GAN Lab's
interface defaults (``gan.GAN_LAB``), each trained from scratch with seeds 0 to 19
(uncached), it prints

* the number of seeds whose generator covers 11 or more of the ring's 12 sectors after
  the run's last update (``gan.coverage`` of 2,000 fake points), and the spread of
  coverage over the seeds;
* the mean Jensen-Shannon divergence between real and fake points (``gan.js_divergence``,
  nats; two samples of the real ring differ by the "floor" printed first);
* the median time per run (the whole run: training, snapshots and measures), and the
  time of one update of both networks (``Trainer.update``), at the run's batch size
  and at a batch of 128;
* for the live widget (``scenes.gan.GANScene``, ``--only play``): the median time of one
  Play frame (the updates Play advances by, then the picture drawn and encoded as the
  widget's PNG), and of a change that only switches a view.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_gan.py [--seeds 20] [--only defaults|ganlab|play]

One BLAS thread is what ``make`` uses (see the Makefile). Times depend on the machine
and its load; the seed counts do not (the same seeds give the same runs).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import numpy as np

from course_utils import gan


def update_time(settings: gan.Settings, repeat: int = 300) -> float:
    """Median seconds per ``Trainer.update()`` (``d_steps`` D-steps and one G-step), in
    runs of 50 updates."""
    trainer = gan.Trainer(gan.sample("ring", gan.POOL, gan.DATA_SEED), settings, seed=0)
    trainer.update()
    times = []
    for _ in range(repeat // 50):
        start = time.perf_counter()
        for _ in range(50):
            trainer.update()
        times.append((time.perf_counter() - start) / 50)
    return statistics.median(times)


def measure(name: str, settings: gan.Settings, seeds: int) -> None:
    covered, js, seconds = [], [], []
    for seed in range(seeds):
        start = time.perf_counter()
        run = gan.record("ring", settings, seed=seed)
        seconds.append(time.perf_counter() - start)
        covered.append(int(run.data["coverage"][-1]))
        js.append(float(run.data["js"][-1]))
    good = sum(c >= 11 for c in covered)
    print(f"{name}: {settings}")
    print(f"  seeds covering >= 11 of 12 sectors after {settings.updates:,} updates: "
          f"{good} of {seeds}")
    print(f"  sectors covered, seed by seed: {' '.join(map(str, covered))}")
    print(f"  mean JS {np.mean(js):.3f} nats (median {np.median(js):.3f})")
    print(f"  time per run {statistics.median(seconds):.2f} s (median of {seeds}; "
          f"{sum(seconds):.1f} s in all)")
    per_update = update_time(settings)
    at_128 = update_time(dataclasses.replace(settings, batch_size=128))
    print(f"  one update: {per_update * 1e3:.2f} ms at batch {settings.batch_size}, "
          f"{at_128 * 1e3:.2f} ms at batch 128 (d_steps = {settings.d_steps})", flush=True)


def play_frames(frames: int = 60) -> None:
    """What the widget does on each tick of Play: ``scene.set(step=k)`` (training the
    updates from the last frame) and ``scene.to_png()``."""
    from course_utils.scenes.gan import BUDGET, GANScene
    from course_utils.widgets import PLAY_FRAMES

    scene = GANScene()
    stride = max(1, round(BUDGET / PLAY_FRAMES))
    times = []
    for k in range(stride, stride * (frames + 1), stride):
        start = time.perf_counter()
        scene.set(step=min(k, BUDGET))
        scene.to_png()
        times.append(time.perf_counter() - start)
    views = []
    for i in range(20):
        start = time.perf_counter()
        scene.set(show_grid=bool(i % 2))
        scene.to_png()
        views.append(time.perf_counter() - start)
    print(f"live widget (GANScene, defaults): one Play frame = {stride} updates + the picture: "
          f"median {statistics.median(times) * 1e3:.0f} ms, slowest {max(times) * 1e3:.0f} ms "
          f"({frames} frames, updates {stride} to {stride * frames}); a view switched: median "
          f"{statistics.median(views) * 1e3:.0f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0 to N-1 (default 20)")
    parser.add_argument("--only", choices=("defaults", "ganlab", "play"), default=None)
    args = parser.parse_args()
    if args.only == "play":
        return play_frames()
    floor = gan.js_divergence(gan.sample("ring", gan.EVAL_POINTS, 1),
                              gan.sample("ring", gan.EVAL_POINTS, 2))
    print(f"JS floor: two samples of {gan.EVAL_POINTS:,} real ring points differ by "
          f"{floor:.3f} nats")
    if args.only in (None, "defaults"):
        measure("chapter defaults (gan.DEFAULTS)", gan.DEFAULTS, args.seeds)
    if args.only in (None, "ganlab"):
        measure("GAN Lab's defaults (gan.GAN_LAB)", gan.GAN_LAB, args.seeds)
    if args.only is None:
        play_frames()


if __name__ == "__main__":
    main()
