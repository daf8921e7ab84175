"""What ``fit`` reports: a :class:`History` of the epochs, or :class:`TrainingDiverged`."""

__all__ = ["History", "TrainingDiverged"]


class TrainingDiverged(RuntimeError):
    """Raised by ``fit(..., on_divergence="raise")`` when training blows up.

    Attributes: ``epoch`` and ``batch`` (counted from 1; ``batch`` is None when the
    problem showed up on the validation data or in the weights), ``loss`` (the
    offending value), ``lr`` (the optimizer's learning rate, if it has one) and
    ``history`` (the epochs completed before it happened, all finite).
    """

    def __init__(self, message, *, epoch, batch=None, loss=None, lr=None, history=None):
        super().__init__(message)
        self.epoch, self.batch, self.loss, self.lr, self.history = epoch, batch, loss, lr, history


class History:
    """What happened during ``fit``, one entry per completed epoch.

    Attributes
    ----------
    train_loss : list of float, mean loss over the epoch's mini-batches (the weights
        change during the epoch, so this is a running average, as in Keras).
    val_loss : list of float, loss on the validation data after the epoch (empty
        without validation data).
    train_accuracy, val_accuracy : lists of float in [0, 1] (empty when accuracy
        is not measured). Training accuracy is counted on the mini-batches as they
        are trained, like the training loss.
    batch_loss : list of float, the loss of every mini-batch, in order (including
        the finite ones of an epoch that was cut short).
    diverged : True if training stopped because it blew up: the loss or a weight became
        inf or NaN, or grew far too large (see :func:`fit`).
    stopped_early : True if a callback asked to stop.
    message : why training stopped before the last epoch ("" if it did not).

    Only finished epochs are recorded, so the lists never contain inf or NaN.
    """

    def __init__(self):
        self.train_loss = []
        self.val_loss = []
        self.train_accuracy = []
        self.val_accuracy = []
        self.batch_loss = []
        self.diverged = False
        self.stopped_early = False
        self.message = ""

    @property
    def epochs(self):
        """Number of completed epochs."""
        return len(self.train_loss)

    def as_dict(self):
        """The per-epoch lists as a dict (only the non-empty ones)."""
        names = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
        return {name: list(getattr(self, name)) for name in names if getattr(self, name)}

    def __repr__(self):
        parts = [f"epochs={self.epochs}"]
        for name, values in self.as_dict().items():
            parts.append(f"{name}=[{', '.join(four_digits(v) for v in values)}]")
        if self.diverged:
            parts.append("diverged=True")
        if self.stopped_early:
            parts.append("stopped_early=True")
        return f"History({', '.join(parts)})"


def four_digits(value):
    """A float with 4 significant digits, so printed outputs are the same everywhere."""
    return f"{value:.4g}"
