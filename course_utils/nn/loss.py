"""Loss functions: how far the network's output is from the target.

Each loss is a module: ``loss = criterion(input, target)`` returns a float, and
``criterion.backward()`` then returns ``dL/d input`` (same shape as ``input``),
from values kept by the forward pass. Start backpropagation with it:
``model.backward(criterion.backward())``.

``reduction`` is ``'mean'`` (the default, as in PyTorch: average over all
elements, or over the batch for ``CrossEntropyLoss``) or ``'sum'``. PyTorch's
``'none'`` (one loss per element) is not offered: here a loss is always a number.
All losses are computed stably: no overflow or log(0) for inputs of +-1e4; a NaN
in the input or the target gives a NaN loss.

Integer and boolean inputs and targets (``uint8`` images, ``0/1`` labels) are
computed in float64, so ``10 - 20`` is ``-10``, never a wrapped-around ``246``.
That is the course's choice: PyTorch refuses integer inputs to ``MSELoss`` and its
siblings; we convert them. Text or other non-numbers raise a ``TypeError``.
"""

import numpy as np

from .functional import safe_exp, to_float
from .module import Module

__all__ = ["MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "HingeLoss", "KLDivLoss", "HuberLoss"]

_LOG_CLAMP = -100.0            # BCELoss clamps log(p) at -100, like PyTorch
_MIN_PROB = np.exp(_LOG_CLAMP)  # log(max(p, e^-100)) >= -100, and never log(0)


def _check_not_empty(name, input):
    if input.size == 0:
        raise ValueError(f"{name}: input is empty (shape {input.shape}); a loss needs at "
                         "least one output to compare with its target")


class _Loss(Module):
    """Shared code: argument checks and the reduction."""

    _reductions = ("mean", "sum")

    def __init__(self, reduction="mean"):
        if reduction not in self._reductions:
            raise ValueError(f"{type(self).__name__}: reduction must be one of "
                             f"{self._reductions}, got {reduction!r}")
        self.reduction = reduction

    def __call__(self, input, target):
        return self.forward(input, target)

    def _inputs(self, input, target):
        """``input`` and ``target`` as float arrays of the same, non-empty shape."""
        name = type(self).__name__
        input = to_float(input, f"{name}: input")
        target = to_float(target, f"{name}: target")
        if input.shape != target.shape:
            raise ValueError(f"{name}: input shape {input.shape} and "
                             f"target shape {target.shape} must be the same")
        _check_not_empty(name, input)
        return input, target

    def _reduce(self, values):
        """Sum or mean of ``values``; keeps the factor ``d reduced / d value``."""
        if self.reduction == "sum":
            self._scale = 1.0
            return float(values.sum())
        self._scale = 1.0 / values.size
        return float(values.sum()) * self._scale

    def _grad(self, grad, grad_output):
        """Multiply the cached ``d loss_i / d input_i`` by the reduction factor."""
        return grad * (self._scale * grad_output)

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error: ``L = mean((x - y)^2)``; ``dL/dx = 2 (x - y) / n``.

    Integer inputs are computed in float64 (PyTorch refuses them; see the module).
    """

    def forward(self, input, target):
        input, target = self._inputs(input, target)
        self._diff = input - target
        return self._reduce(self._diff * self._diff)

    def backward(self, grad_output=1.0):
        return self._grad(2.0 * self._saved("_diff"), grad_output)


class L1Loss(_Loss):
    """Mean absolute error: ``L = mean(|x - y|)``; ``dL/dx = sign(x - y) / n``.

    Integer inputs are computed in float64 (PyTorch refuses them; see the module).
    """

    def forward(self, input, target):
        input, target = self._inputs(input, target)
        diff = input - target
        self._sign = np.sign(diff)
        return self._reduce(np.abs(diff))

    def backward(self, grad_output=1.0):
        return self._grad(self._saved("_sign"), grad_output)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities ``p`` in [0, 1] (e.g. after a sigmoid):
    ``L = -mean(y log p + (1 - y) log(1 - p))``, targets ``y`` in [0, 1].

    Like PyTorch, each log is clamped at -100, so ``p = 0`` or ``1`` gives a large
    but finite loss, and the gradient ``dL/dp = (p - y) / (p (1 - p)) / n`` uses
    ``max(p (1 - p), 1e-12)``. Prefer ``BCEWithLogitsLoss`` on the raw scores: it is
    exact where this one clamps.
    """

    def forward(self, input, target):
        p, y = self._inputs(input, target)
        if p.min() < 0.0 or p.max() > 1.0:
            raise ValueError(f"BCELoss: input must be probabilities in [0, 1], got "
                             f"values from {p.min():.4g} to {p.max():.4g} (use "
                             f"BCEWithLogitsLoss for raw scores)")
        log_p = np.log(np.maximum(p, _MIN_PROB))
        log_q = np.log(np.maximum(1.0 - p, _MIN_PROB))
        self._p, self._y = p, y
        return self._reduce(-(y * log_p + (1.0 - y) * log_q))

    def backward(self, grad_output=1.0):
        p, y = self._saved("_p"), self._y
        return self._grad((p - y) / np.maximum(p * (1.0 - p), 1e-12), grad_output)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on raw scores (logits) ``s``, with ``p = sigmoid(s)``:
    ``L = mean(-y log p - (1 - y) log(1 - p))``, computed stably as
    ``mean(max(s, 0) - s y + log(1 + exp(-|s|)))``.

    Gradient: ``dL/ds = (sigmoid(s) - y) / n``.
    """

    def forward(self, input, target):
        s, y = self._inputs(input, target)
        e = safe_exp(-np.abs(s))  # exp(-|s|), in [0, 1]: never overflows
        self._s, self._y, self._e = s, y, e
        return self._reduce(np.maximum(s, 0.0) - s * y + np.log1p(e))

    def backward(self, grad_output=1.0):
        s, e = self._saved("_s"), self._e
        p = np.where(s >= 0, 1.0, e) / (1.0 + e)  # sigmoid(s), as F.sigmoid computes it
        p -= self._y
        return self._grad(p, grad_output)


class CrossEntropyLoss(_Loss):
    """Cross-entropy of a softmax classifier, on the logits ``z`` (no softmax before!).

    ``input`` is ``(N, C)`` logits; ``target`` is either ``(N,)`` integer class
    indices in ``[0, C)`` or ``(N, C)`` float class probabilities (integer one-hot
    rows are refused, with the two ways to fix them). With
    ``log p = log_softmax(z)`` (log-sum-exp, stable):
    ``L = -mean_n log p[n, target_n]`` (or ``-mean_n sum_c t[n, c] log p[n, c]``).

    Gradient: ``dL/dz = (softmax(z) - onehot(target)) / N``.
    PyTorch also accepts a single ``(C,)`` sample, ``weight``, ``ignore_index`` and
    ``label_smoothing``; the course does without them.
    """

    def forward(self, input, target):
        z, target = to_float(input, "CrossEntropyLoss: input"), np.asarray(target)
        if z.ndim != 2:
            raise ValueError(f"CrossEntropyLoss: input must be logits of shape (N, C), "
                             f"got shape {z.shape}")
        _check_not_empty("CrossEntropyLoss", z)
        n, classes = z.shape
        probabilities = target.shape == z.shape
        if probabilities:
            if target.dtype.kind != "f":
                raise TypeError(
                    f"CrossEntropyLoss: target has the input's shape {z.shape} but dtype "
                    f"{target.dtype}: integer one-hot targets are not accepted. Give class "
                    f"indices of shape ({n},) (target.argmax(axis=1)) or float "
                    f"probabilities of shape {z.shape} (target.astype(float))")
        elif target.shape != (n,):
            raise ValueError(
                f"CrossEntropyLoss: target shape {target.shape} does not fit input "
                f"shape {z.shape}: give class indices of shape ({n},) or float "
                f"probabilities of shape {z.shape}")
        elif target.dtype.kind not in "iu":
            raise TypeError(f"CrossEntropyLoss: class indices must be integers, got "
                            f"dtype {target.dtype}")
        elif target.min() < 0 or target.max() >= classes:
            raise ValueError(f"CrossEntropyLoss: class indices must be in [0, "
                             f"{classes}), got values from {target.min()} to "
                             f"{target.max()}")
        shifted = z - z.max(axis=1, keepdims=True)  # <= 0, so exp cannot overflow
        e = safe_exp(shifted)
        total = e.sum(axis=1, keepdims=True)        # log p = shifted - log(total)
        self._e, self._total, self._target = e, total, target
        if probabilities:
            self._rows = None
            return self._reduce(-(target * (shifted - np.log(total))).sum(axis=1))
        self._rows = np.arange(n)
        return self._reduce(np.log(total[:, 0]) - shifted[self._rows, target])

    def backward(self, grad_output=1.0):
        grad = self._saved("_e") / self._total  # softmax(z)
        if self._rows is None:  # probabilities
            grad -= self._target
        else:
            grad[self._rows, self._target] -= 1.0
        return self._grad(grad, grad_output)


class HingeLoss(_Loss):
    """Binary hinge loss of a linear classifier / SVM: ``L = mean(max(0, 1 - y s))``
    for scores ``s`` and labels ``y`` in {-1, +1}.

    Gradient: ``dL/ds = -y / n`` where the margin ``y s`` is below 1, else 0.
    PyTorch has no exact equivalent (``HingeEmbeddingLoss`` and
    ``MultiMarginLoss`` are related but different); this is the SVM textbook form.
    """

    def forward(self, input, target):
        s, y = self._inputs(input, target)
        if not np.all((np.abs(y) == 1) | np.isnan(y)):  # a NaN label gives a NaN loss
            raise ValueError("HingeLoss: target labels must be -1 or +1 "
                             f"(got values {np.unique(y)[:5]})")
        margin = 1.0 - y * s
        self._active_y = np.where(margin > 0, y, 0.0)
        return self._reduce(np.maximum(margin, 0.0))

    def backward(self, grad_output=1.0):
        return self._grad(-self._saved("_active_y"), grad_output)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence ``KL(t || q) = sum t (log t - log q)``.

    As in PyTorch, ``input`` is ``log q`` (log-probabilities, e.g. from
    ``log_softmax``) and ``target`` is ``t`` (probabilities); terms with ``t = 0``
    count 0 (``0 log 0 = 0``). ``reduction='batchmean'`` (the default here, and the
    true KL per sample) divides the sum by the batch size ``input.shape[0]``;
    ``'sum'`` and ``'mean'`` (divides by the number of elements) are also offered.
    (PyTorch's default is ``'mean'``, which it warns is not the KL.)

    Gradient: ``dL/d input = -t / N``.
    """

    _reductions = ("batchmean", "sum", "mean")

    def __init__(self, reduction="batchmean"):
        super().__init__(reduction)

    def forward(self, input, target):
        log_q, t = self._inputs(input, target)
        if t.min() < 0:
            raise ValueError(f"KLDivLoss: target must be probabilities (>= 0), got a "
                             f"value {t.min():.4g}")
        t_log_t = np.zeros(t.shape)
        np.log(t, out=t_log_t, where=t > 0)
        t_log_t *= t
        self._t = t
        values = t_log_t - t * log_q
        if self.reduction == "batchmean":
            self._scale = 1.0 / (log_q.shape[0] if log_q.ndim else 1)
            return float(values.sum()) * self._scale
        return self._reduce(values)

    def backward(self, grad_output=1.0):
        return self._grad(-self._saved("_t"), grad_output)

    def extra_repr(self):
        return "" if self.reduction == "batchmean" else f"reduction={self.reduction!r}"


class HuberLoss(_Loss):
    """Huber loss: quadratic near 0, linear far away (robust to outliers).
    With ``d = x - y``:
    ``L = mean(0.5 d^2 if |d| <= delta else delta (|d| - 0.5 delta))``.

    Gradient: ``dL/dx = clip(d, -delta, delta) / n``. Integer inputs are computed in
    float64 (PyTorch refuses them; see the module).
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta!r}")
        self.delta = float(delta)

    def forward(self, input, target):
        input, target = self._inputs(input, target)
        d = input - target
        a = np.abs(d)
        self._d = d
        delta = self.delta
        return self._reduce(np.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta)))

    def backward(self, grad_output=1.0):
        return self._grad(np.clip(self._saved("_d"), -self.delta, self.delta), grad_output)

    def extra_repr(self):
        text = super().extra_repr()
        return text + ("" if self.delta == 1.0 else
                       (", " if text else "") + f"delta={self.delta}")
