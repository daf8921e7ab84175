"""A plain RNN and an LSTM trained on the same task that needs memory, for several lengths.

The task (:func:`course_utils.sequences.memory_task`): step 1 carries a bit (+1 or -1) and a
marker, the next T - 1 steps only noise; at the end the network must say what the bit
was. Both networks have 16 units and a linear read-out of the last hidden state, and get
the same training: binary cross-entropy, Adam (lr 0.01), 8 epochs of 32 batches of 32
sequences, 256 updates in all (:func:`course_utils.sequences.train_memory`). Guessing
gives 50 %.

Left: the held-out accuracy each network ends with, against T. Right: for the chosen T,
the held-out accuracy after every epoch, up to ``step``.

Parameters: ``length`` (T), ``forget_bias`` (the LSTM's forget gates start at
sigmoid(3) = 0.95, or at PyTorch's default bias 0, sigmoid(0) = 0.5) and ``step`` (the
epoch: Play replays training). A forget bias not seen before trains the LSTMs once (a few
seconds); everything else is replayed.
"""

from __future__ import annotations

import numpy as np

from .. import sequences, style
from ..scene import Param, Scene

LENGTHS = sequences.LENGTHS
EPOCHS = sequences.EPOCHS
UPDATES_PER_EPOCH = sequences.TRAIN // sequences.BATCH_SIZE
COLOURS = {"rnn": style.ORANGE, "lstm": style.BLUE}
NAMES = {"rnn": "plain RNN", "lstm": "LSTM"}


def final_accuracies(kind: str, forget_bias: float) -> list[float]:
    """The held-out accuracy of ``kind`` after training, for every length in LENGTHS."""
    return [float(sequences.train_memory(kind, n, *(() if kind == "rnn" else (forget_bias,)))
                  .curves["val_accuracy"][-1]) for n in LENGTHS]


def curve(kind: str, length: int, forget_bias: float) -> np.ndarray:
    """The held-out accuracy of ``kind`` on ``length`` after every epoch (index 0: untrained)."""
    args = () if kind == "rnn" else (forget_bias,)
    return sequences.train_memory(kind, length, *args).curves["val_accuracy"]


class MemoryScene(Scene):
    """Accuracy on "remember the first bit": a plain RNN against an LSTM, for several lengths."""

    params = (
        Param("length", 50, options=LENGTHS, label="sequence length T"),
        Param("forget_bias", 3.0, options=(("3 (f starts near 0.95)", 3.0), ("0 (PyTorch's default)", 0.0)),
              label="LSTM forget bias"),
        Param("step", EPOCHS, 0, EPOCHS, 1, integer=True, label="epoch"),
    )
    size = (10.5, 4.0)
    gif_name = "memory"
    control_rows = (("length", "forget_bias"),)
    background_params = ("forget_bias",)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fig.text(0.01, 0.96, "Remember the first bit: a plain RNN against an LSTM (16 units each, the same "
                 "256 updates)", fontsize=11, fontweight="bold", va="top")
        positions = np.array(LENGTHS)  # on a log scale: each length about twice the last

        ax = self.ax_lengths = fig.add_axes([0.07, 0.2, 0.38, 0.62])
        self.final = {kind: ax.plot(positions, np.zeros(len(LENGTHS)), "o-", color=COLOURS[kind],
                                    label=NAMES[kind])[0] for kind in COLOURS}
        self.chosen = moving(ax.plot([], [], "o", ms=13, mfc="none", mec=style.BLACK, mew=1.5)[0])
        ax.axhline(0.5, color=style.GREY, lw=1, ls=":")
        ax.text(LENGTHS[0] / 1.3, 0.515, "guessing", color=style.GREY, fontsize=9, ha="left")
        ax.set_xscale("log")
        ax.set_xticks(positions, labels=[str(n) for n in LENGTHS])
        ax.minorticks_off()
        ax.set_xlim(LENGTHS[0] / 1.4, LENGTHS[-1] * 1.4)
        ax.set_xlabel("sequence length T (log scale)", labelpad=1)
        _percent_axis(ax)
        ax.set_title("held-out accuracy at the end of training", fontsize=10)
        ax.legend(loc="center left", fontsize=9, frameon=False)

        ax = self.ax_epochs = fig.add_axes([0.55, 0.2, 0.42, 0.62])
        self.lines = {kind: moving(ax.plot([], [], "o-", color=COLOURS[kind], label=NAMES[kind])[0])
                      for kind in COLOURS}
        ax.axhline(0.5, color=style.GREY, lw=1, ls=":")
        ax.set_xlim(-0.3, EPOCHS + 0.3)
        ax.set_xticks(range(0, EPOCHS + 1, 2),
                      labels=[f"{e}\n({e * UPDATES_PER_EPOCH})" for e in range(0, EPOCHS + 1, 2)])
        ax.set_xlabel("epoch (updates)", labelpad=1)
        _percent_axis(ax)
        self.epochs_title = moving(ax.set_title("", fontsize=10))
        self.scores = moving(ax.text(EPOCHS, 0.62, "", fontsize=10, ha="right", va="bottom"))

    def draw_background(self) -> None:
        for kind, line in self.final.items():
            line.set_ydata(final_accuracies(kind, self.values["forget_bias"]))

    def draw(self) -> None:
        v = self.values
        k = LENGTHS.index(v["length"])
        self.chosen.set_data([v["length"]] * 2, [line.get_ydata()[k] for line in self.final.values()])
        text = []
        for kind, line in self.lines.items():
            acc = curve(kind, v["length"], v["forget_bias"])[:v["step"] + 1]
            line.set_data(np.arange(len(acc)), acc)
            text.append(f"{NAMES[kind]}: {acc[-1]:.0%}")
        self.epochs_title.set_text(f"T = {v['length']}: held-out accuracy while training")
        self.scores.set_text("\n".join(text))

    def storyboard(self):
        """Training replayed epoch by epoch for each length, shortest first."""
        for length in LENGTHS:
            for step in range(EPOCHS + 1):
                yield dict(length=length, forget_bias=3.0, step=step), 1600 if step == EPOCHS else 250


def _percent_axis(ax) -> None:
    ax.set_ylim(0.4, 1.03)
    ax.set_yticks([0.5, 0.75, 1.0], labels=["50%", "75%", "100%"])
