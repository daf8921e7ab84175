"""Accuracy: the fraction of examples a model gets right, for :func:`training.fit`.

``fit`` and ``evaluate`` pick the kind of accuracy from the loss (``accuracy="auto"``):
one logit per example for ``BCEWithLogitsLoss``, one probability for ``BCELoss``,
class scores for ``CrossEntropyLoss``.
"""

import numpy as np

__all__ = ["accuracy_from_outputs", "resolve_accuracy", "batch_accuracy"]

_ACCURACY_KINDS = ("binary_logits", "binary_probs", "multiclass")

#: Which accuracy ``accuracy="auto"`` uses for each loss (by class name).
_AUTO_ACCURACY = {
    "BCEWithLogitsLoss": "binary_logits",
    "BCELoss": "binary_probs",
    "CrossEntropyLoss": "multiclass",
    "NLLLoss": "multiclass",
}


def accuracy_from_outputs(output, target, kind):
    """Return ``(number correct, number counted)`` for one batch of model outputs.

    kind
        ``"binary_logits"``: one output per example is a logit; predict class 1
        when it is > 0 (that is, sigmoid(output) > 0.5). Targets are 0/1.
        ``"binary_probs"``: outputs are probabilities; predict 1 when > 0.5.
        ``"multiclass"``: ``output`` has shape (N, C) (class scores or
        probabilities); the prediction is the argmax over axis 1. ``target`` is
        either class indices of shape (N,) or one-hot/probabilities of shape (N, C).
    """
    output = np.asarray(output)
    target = np.asarray(target)
    if kind in ("binary_logits", "binary_probs"):
        threshold = 0.0 if kind == "binary_logits" else 0.5
        if target.size != output.size:
            raise ValueError(f"binary accuracy needs one output per target; got outputs of "
                             f"shape {output.shape} and targets of shape {target.shape}")
        predicted = output.reshape(-1) > threshold
        truth = target.reshape(-1) > 0.5
    elif kind == "multiclass":
        if output.ndim < 2:
            raise ValueError("multiclass accuracy needs outputs of shape (N, C); "
                             f"got shape {output.shape}")
        predicted = output.argmax(axis=1)
        truth = target.argmax(axis=1) if target.shape == output.shape else target
        if truth.shape != predicted.shape:
            raise ValueError(f"multiclass accuracy: targets of shape {target.shape} do not fit "
                             f"outputs of shape {output.shape} (expected class indices of "
                             f"shape {predicted.shape})")
    else:
        raise ValueError(f"accuracy kind must be one of {_ACCURACY_KINDS}; got {kind!r}")
    return int(np.count_nonzero(predicted == truth)), int(predicted.size)


def resolve_accuracy(accuracy, loss_fn):
    """The kind of accuracy ``fit`` measures for its ``accuracy`` argument (None: none)."""
    if accuracy == "auto":
        return _AUTO_ACCURACY.get(type(loss_fn).__name__)
    if accuracy is None or callable(accuracy) or accuracy in _ACCURACY_KINDS:
        return accuracy
    raise ValueError(f"accuracy must be 'auto', None, a function (output, target) -> fraction, "
                     f"or one of {_ACCURACY_KINDS}; got {accuracy!r}")


def batch_accuracy(kind, output, target):
    """(correct, counted) for a batch; a function metric counts as fraction * batch size."""
    if callable(kind):
        n = len(target)
        return float(kind(output, target)) * n, n
    return accuracy_from_outputs(output, target, kind)
