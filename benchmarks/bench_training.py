"""How long the networks the chapters train in the notebooks take, from scratch, each
trained exactly as its chapter does (uncached), with the accuracy it reaches:

* the digits CNN (4, 8 and 16 filters) and its MLP (``course_utils.digits.train``);
* the recurrent networks of "remember the first bit", a plain RNN and an LSTM for every
  length T, and the wider RNNs and other forget biases the chapter tries
  (``course_utils.sequences.train_memory``), the sine RNN (``sequences.train_sine``) and
  the character-level LSTM (``characters.train``): with ``--only recurrent`` the sum is
  all the training the recurrent chapter does;
* the loss chapter's network trained under MSE, cross-entropy and hinge
  (``scenes.margins.train``): ``--only losses``.

    python benchmarks/bench_training.py [--repeat 3] [--only digits|recurrent|losses]
"""

from __future__ import annotations

import argparse
import statistics
import time

from course_utils import characters, digits, sequences
from course_utils.scenes import margins


def networks(only: str | None):
    """(name, function that trains it, what to print of the run), in chapter order."""
    if only in (None, "digits"):
        for kind, size, name in (("cnn", 4, "CNN, 4 filters"), ("cnn", 8, "CNN, 8 filters"),
                                 ("cnn", 16, "CNN, 16 filters"), ("mlp", 28, "MLP, 28 hidden")):
            yield (name, lambda kind=kind, size=size: digits.train.__wrapped__(kind, size),
                   lambda run: f"held-out accuracy {run.curves['val_accuracy'][-1]:.1%}")
    if only in (None, "recurrent"):
        for length in sequences.LENGTHS:
            for kind in ("rnn", "lstm"):
                yield (f"{kind.upper()}, memory T = {length}",
                       lambda kind=kind, length=length: sequences.train_memory.__wrapped__(kind, length),
                       lambda run: f"held-out accuracy {run.curves['val_accuracy'][-1]:.1%}")
        # the other networks the chapter trains: wider RNNs, and LSTMs with smaller forget biases
        for hidden in (32, 64):
            yield (f"RNN {hidden} units, T = 50",
                   lambda hidden=hidden: sequences.train_memory.__wrapped__("rnn", 50, hidden=hidden),
                   lambda run: f"held-out accuracy {run.curves['val_accuracy'][-1]:.1%}")
        for bias in (0.0, 1.0):
            yield (f"LSTM bias {bias:g}, T = 50",
                   lambda bias=bias: sequences.train_memory.__wrapped__("lstm", 50, forget_bias=bias),
                   lambda run: f"held-out accuracy {run.curves['val_accuracy'][-1]:.1%}")
        yield ("RNN, sine", sequences.train_sine.__wrapped__,
               lambda run: f"mean squared error {run.curves['train_loss'][-1]:.4f}")
        yield ("LSTM, characters", characters.train.__wrapped__,
               lambda run: f"next characters right {characters.accuracy(run.at(-1)):.1%}")
    if only in (None, "losses"):
        for loss in margins.LOSSES:
            yield (f"2-8-1 net, {loss}", lambda loss=loss: margins.train.__wrapped__(loss),
                   lambda run: f"training loss {run.curves['train_loss'][-1]:.4g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="trainings per network; the median is shown")
    parser.add_argument("--only", choices=("digits", "recurrent", "losses"), help="time only these networks")
    args = parser.parse_args()
    print(f"{'network':<24} {'median':>8} {'min':>8}   result")
    total = 0.0
    for name, train, result in networks(args.only):
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run = train()  # uncached: a real training every time
            times.append(time.perf_counter() - start)
        total += statistics.median(times)
        print(f"{name:<24} {statistics.median(times):>6.2f} s {min(times):>6.2f} s   {result(run)}")
    print(f"{'all of the above':<24} {total:>6.2f} s (sum of the medians)")


if __name__ == "__main__":
    main()
