"""Fully connected layer, dropout and flatten."""

import math

import numpy as np

from .functional import to_float
from .module import Module, Parameter, positive_int

__all__ = ["Linear", "Dropout", "Flatten"]


class Linear(Module):
    """Fully connected layer: ``y = x W^T + b``.

    Shapes: input ``(*, in_features)``, output ``(*, out_features)``, where ``*``
    is any number of leading dimensions (usually one: the batch ``N``);
    ``weight`` is ``(out_features, in_features)`` and ``bias`` ``(out_features,)``,
    as in PyTorch.

    Initialisation (PyTorch's default): every weight and bias is drawn uniformly
    from ``U(-k, k)`` with ``k = 1 / sqrt(in_features)``.

    Backward, with ``g = dL/dy`` of shape ``(N, out)``:
    ``dL/dW = g^T x``, ``dL/db = sum over the batch of g``, ``dL/dx = g W``.
    ``backward(g, input_grad=False)`` skips ``dL/dx`` (and returns None): nothing
    needs it for the first layer of a network, and it costs as much as ``dL/dW``.

    Integer inputs (``uint8`` pixels, say) are computed in float64. ``rng`` is a seed
    or a ``numpy.random.Generator``.
    """

    def __init__(self, in_features, out_features, bias=True, *, rng=None):
        self.in_features = positive_int("in_features", in_features)
        self.out_features = positive_int("out_features", out_features)
        rng = np.random.default_rng(rng)
        k = 1.0 / math.sqrt(self.in_features)
        self.weight = Parameter(rng.uniform(-k, k, size=(self.out_features, self.in_features)))
        self.bias = Parameter(rng.uniform(-k, k, size=self.out_features)) if bias else None

    def forward(self, x):
        x = to_float(x, "Linear: the input")
        try:
            y = x @ self.weight.data.T
        except ValueError:  # numpy refuses shapes that do not fit: say why in words
            raise ValueError(
                f"Linear: input of shape {x.shape} does not fit weight of shape "
                f"{self.weight.data.shape}: the last input dimension must be "
                f"in_features={self.in_features}") from None
        if self.bias is not None:
            y += self.bias.data
        self._x = x
        return y

    def backward(self, grad_output, input_grad=True):
        x = self._saved("_x")
        g = np.asarray(grad_output)
        if g.shape != x.shape[:-1] + (self.out_features,):
            raise ValueError(
                f"Linear.backward: grad_output shape {g.shape} does not match output "
                f"shape {x.shape[:-1] + (self.out_features,)}")
        if x.ndim != 2:  # flatten the leading dimensions into one batch dimension
            x = x.reshape(-1, self.in_features)
            g2 = g.reshape(-1, self.out_features)
        else:
            g2 = g
        self.weight.grad += g2.T @ x
        if self.bias is not None:
            self.bias.grad += g2.sum(axis=0)
        return g @ self.weight.data if input_grad else None

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Dropout(Module):
    """Dropout (inverted): in training mode each input is zeroed with probability
    ``p`` and the survivors are scaled by ``1 / (1 - p)``, so the expected output
    equals the input: ``y = x * m / (1 - p)`` with ``m_i ~ Bernoulli(1 - p)``.
    In evaluation mode (``model.eval()``) it is the identity.

    The keep-mask used by the last forward pass is ``self.mask`` (boolean, True =
    kept; None when nothing was dropped). To reuse a mask, pass it:
    ``forward(x, mask=...)``.
    Backward: ``dL/dx = g * m / (1 - p)``.
    """

    def __init__(self, p=0.5, *, rng=None):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability p must be in [0, 1], got {p!r}")
        self.p = float(p)
        self.rng = np.random.default_rng(rng)
        self.mask = None

    def forward(self, x, mask=None):
        x = to_float(x, "Dropout: the input")
        self._shape = x.shape
        if not self.training or self.p == 0.0:
            self.mask = self._scaled_mask = None  # nothing dropped this time
            return x
        if mask is None:
            mask = self.rng.random(x.shape) >= self.p
        else:
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != x.shape:
                raise ValueError(f"Dropout: mask shape {mask.shape} does not match "
                                 f"input shape {x.shape}")
        self.mask = mask
        scale = 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)
        self._scaled_mask = mask * scale
        return x * self._scaled_mask

    def backward(self, grad_output):
        self._saved("_shape")
        if self._scaled_mask is None:  # evaluation mode: identity
            return grad_output
        if grad_output.shape != self._scaled_mask.shape:
            raise ValueError(f"Dropout.backward: grad_output shape {grad_output.shape} "
                             f"does not match output shape {self._scaled_mask.shape}")
        return grad_output * self._scaled_mask

    def extra_repr(self):
        return f"p={self.p}"


class Flatten(Module):
    """Flattens dimensions ``start_dim`` .. ``end_dim`` into one, e.g.
    ``(N, C, H, W) -> (N, C*H*W)`` with the default ``start_dim=1``.
    Backward reshapes the gradient back to the input shape."""

    def __init__(self, start_dim=1, end_dim=-1):
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x):
        x = np.asarray(x)
        ndim = x.ndim
        start = self.start_dim + ndim if self.start_dim < 0 else self.start_dim
        end = self.end_dim + ndim if self.end_dim < 0 else self.end_dim
        if not 0 <= start <= end < ndim:
            raise ValueError(f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}) "
                             f"does not fit an input of shape {x.shape}")
        self._shape = x.shape
        return x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1:])

    def backward(self, grad_output):
        return grad_output.reshape(self._saved("_shape"))

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
