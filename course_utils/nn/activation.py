"""Activation layers: a ``Module`` around each function of ``functional``.

``forward(x)`` applies the function elementwise (``Softmax`` along ``dim``) and
keeps ``x``; ``backward(grad_output)`` returns ``grad_output * f'(x)``.
None of them has parameters. Integer inputs are computed in float64.
"""

import numpy as np

from . import functional as F
from .module import Module

__all__ = ["Identity", "Step", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU",
           "GELU", "Softplus", "SiLU", "Softmax"]


def _check_grad(layer, grad_output, shape):
    if getattr(grad_output, "shape", None) != shape:
        raise ValueError(f"{type(layer).__name__}.backward: grad_output shape "
                         f"{np.shape(grad_output)} does not match output shape {shape} "
                         "(it must be a numpy array of that shape)")


class Identity(Module):
    """``y = x``. Handy as a placeholder layer."""

    def forward(self, x):
        x = F.to_float(x, "Identity: the input")
        self._shape = x.shape
        return x

    def backward(self, grad_output):
        _check_grad(self, grad_output, self._saved("_shape"))
        return grad_output


class Step(Module):
    """Heaviside step ``y = 1 if x > 0 else 0``. Its gradient is 0 everywhere.

    PyTorch has no step layer; the course uses it for the perceptron.
    """

    def forward(self, x):
        x = F.to_float(x, "Step: the input")
        self._shape = x.shape
        return F.step(x)

    def backward(self, grad_output):
        _check_grad(self, grad_output, self._saved("_shape"))
        return np.zeros(self._shape)


class Sigmoid(Module):
    """``y = 1 / (1 + exp(-x))``; backward uses ``dy/dx = y (1 - y)``."""

    def forward(self, x):
        self._y = F.sigmoid(F.to_float(x, "Sigmoid: the input"))
        return self._y.copy()  # backward needs _y unchanged

    def backward(self, grad_output):
        y = self._saved("_y")
        _check_grad(self, grad_output, y.shape)
        return grad_output * y * (1.0 - y)


class Tanh(Module):
    """``y = tanh(x)``; backward uses ``dy/dx = 1 - y^2``, which forward keeps."""

    def forward(self, x):
        y = np.tanh(F.to_float(x, "Tanh: the input"))
        self._slope = 1.0 - y * y
        return y

    def backward(self, grad_output):
        slope = self._saved("_slope")
        _check_grad(self, grad_output, slope.shape)
        return grad_output * slope


class ReLU(Module):
    """``y = max(0, x)``; backward lets the gradient through where ``x > 0``."""

    def forward(self, x):
        x = F.to_float(x, "ReLU: the input")
        self._positive = x > 0
        return np.maximum(x, 0.0)

    def backward(self, grad_output):
        positive = self._saved("_positive")
        _check_grad(self, grad_output, positive.shape)
        return grad_output * positive


class LeakyReLU(Module):
    """``y = x if x > 0 else negative_slope * x``."""

    def __init__(self, negative_slope=0.01):
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        self._x = F.to_float(x, "LeakyReLU: the input")
        return F.leaky_relu(self._x, self.negative_slope)

    def backward(self, grad_output):
        _check_grad(self, grad_output, self._saved("_x").shape)
        return grad_output * F.leaky_relu_derivative(self._x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """``y = x if x > 0 else alpha * (exp(x) - 1)``."""

    def __init__(self, alpha=1.0):
        self.alpha = float(alpha)

    def forward(self, x):
        self._x = F.to_float(x, "ELU: the input")
        return F.elu(self._x, self.alpha)

    def backward(self, grad_output):
        _check_grad(self, grad_output, self._saved("_x").shape)
        return grad_output * F.elu_derivative(self._x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class GELU(Module):
    """``y = x * Phi(x)``, ``Phi`` the standard normal CDF (exact erf form)."""

    def forward(self, x):
        self._x = F.to_float(x, "GELU: the input")
        return F.gelu(self._x)

    def backward(self, grad_output):
        _check_grad(self, grad_output, self._saved("_x").shape)
        return grad_output * F.gelu_derivative(self._x)


class Softplus(Module):
    """``y = log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``."""

    def __init__(self, beta=1.0, threshold=20.0):
        if not beta > 0:
            raise ValueError(f"beta must be positive, got {beta!r}")
        self.beta = beta
        self.threshold = threshold

    def forward(self, x):
        self._x = F.to_float(x, "Softplus: the input")
        return F.softplus(self._x, self.beta, self.threshold)

    def backward(self, grad_output):
        _check_grad(self, grad_output, self._saved("_x").shape)
        return grad_output * F.softplus_derivative(self._x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class SiLU(Module):
    """``y = x * sigmoid(x)`` (swish)."""

    def forward(self, x):
        self._x = F.to_float(x, "SiLU: the input")
        return F.silu(self._x)

    def backward(self, grad_output):
        _check_grad(self, grad_output, self._saved("_x").shape)
        return grad_output * F.silu_derivative(self._x)


class Softmax(Module):
    """``y_i = exp(x_i) / sum_j exp(x_j)`` along axis ``dim``.

    To train a classifier, do not put Softmax before a loss: give the logits to
    ``CrossEntropyLoss``, which is stabler and simpler.
    """

    def __init__(self, dim=-1):
        self.dim = dim

    def forward(self, x):
        self._y = F.softmax(x, self.dim)
        return self._y.copy()  # backward needs _y unchanged

    def backward(self, grad_output):
        return F.softmax_backward(grad_output, self._saved("_y"), self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
