"""Activation functions and their derivatives, as plain numpy functions.

The names and defaults follow ``torch.nn.functional``. Every function works
elementwise on an array of any shape (``softmax`` and ``log_softmax`` work along
one axis, ``dim``) and returns an array of the same shape.

Each activation ``f`` has a partner ``f_derivative(x)`` that returns the
elementwise derivative ``f'(x)``, evaluated at the *input* ``x``. Backpropagation
through an activation is then ``grad_input = grad_output * f_derivative(x)``.
Softmax mixes the entries of a row, so it has a vector-Jacobian product instead:
``softmax_backward(grad_output, output)``.

Everything is numerically stable by construction: no overflow, underflow or
invalid-value warnings, even for inputs of +-1e4. A NaN in the input gives NaN at
the same place in the output (it is never turned into a plausible number), and
integer or boolean inputs are computed in float64 (see :func:`to_float`).
"""

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = [
    "identity", "identity_derivative",
    "step", "step_derivative",
    "sigmoid", "sigmoid_derivative",
    "tanh", "tanh_derivative",
    "relu", "relu_derivative",
    "leaky_relu", "leaky_relu_derivative",
    "elu", "elu_derivative",
    "gelu", "gelu_derivative",
    "softplus", "softplus_derivative",
    "silu", "silu_derivative",
    "softmax", "softmax_backward", "log_softmax", "safe_exp", "to_float",
    "Activation", "ACTIVATIONS",
]

# exp(-700) is about 1e-304, the smallest size we bother to keep: anything smaller
# is returned as exactly 0, so that it cannot underflow later in a product.
_EXP_FLOOR = -700.0


def to_float(x, name="x"):
    """``x`` as a numpy array of floats, for computing with.

    Float arrays are returned as they are (no copy). Integers and booleans become
    float64, so that arithmetic cannot wrap around (``uint8`` 10 - 20 would be 246).
    Anything else (text, Python objects, complex numbers) raises a ``TypeError``
    that names the argument, instead of an error from deep inside numpy.
    """
    x = np.asarray(x)
    kind = x.dtype.kind
    if kind == "f":
        return x
    if kind in "biu":
        return x.astype(np.float64)
    example = f", e.g. {x.flat[0].item()!r}" if x.size else ""
    raise TypeError(f"{name} must be numbers (floats, integers or booleans); got an array "
                    f"of dtype {x.dtype}{example}")


def safe_exp(z):
    """``exp(z)``, with results below ``exp(-700)`` (about 1e-304) set to exactly 0.

    Used where ``z`` can be very negative (``z <= 0`` in all callers): plain
    ``np.exp(-1e4)`` raises numpy's "underflow" warning. NaN stays NaN.
    """
    z = np.asarray(z)
    if z.size and z.min() > _EXP_FLOOR:  # the usual case: nothing to set to 0 (NaN fails it)
        return np.exp(z, out=np.empty(z.shape))
    tiny = z <= _EXP_FLOOR  # False for NaN, so a NaN goes through exp and stays NaN
    return np.exp(z, out=np.zeros(z.shape), where=~tiny)


def _check_positive(name, value):
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")


def _nan_where_nan(x, values):
    """``values`` (an array or a number), with NaN wherever ``x`` is NaN: the slope of a
    function at "not a number" is not a number either."""
    return np.where(np.isnan(x), np.nan, values)


# --------------------------------------------------------------------------- identity


def identity(x):
    """Identity: ``f(x) = x``. The "no activation" of a linear layer."""
    return to_float(x)


def identity_derivative(x):
    """``f'(x) = 1``."""
    return _nan_where_nan(to_float(x), 1.0)


# ------------------------------------------------------------------------------- step


def step(x):
    """Heaviside step: ``f(x) = 1 if x > 0 else 0`` (the perceptron's activation).

    PyTorch has no step activation (``torch.heaviside(x, 0)`` computes the same values).
    """
    x = to_float(x)
    return _nan_where_nan(x, x > 0)


def step_derivative(x):
    """``f'(x) = 0`` everywhere (undefined at 0; we use 0): no gradient can flow,
    which is why networks of step units cannot be trained by gradient descent."""
    return _nan_where_nan(to_float(x), 0.0)


# ---------------------------------------------------------------------------- sigmoid


def sigmoid(x):
    """Logistic sigmoid: ``f(x) = 1 / (1 + exp(-x))``, values in (0, 1).

    Computed stably with ``e = exp(-|x|)``, which never overflows:
    ``f(x) = 1 / (1 + e)`` for ``x >= 0`` and ``e / (1 + e)`` for ``x < 0``.
    """
    x = to_float(x)
    e = safe_exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def sigmoid_derivative(x):
    """``f'(x) = f(x) * (1 - f(x))``, at most 1/4 (at x = 0)."""
    s = sigmoid(x)
    return s * (1.0 - s)


# ------------------------------------------------------------------------------- tanh


def tanh(x):
    """Hyperbolic tangent: ``f(x) = (e^x - e^-x) / (e^x + e^-x)``, values in (-1, 1).

    Equal to ``2 * sigmoid(2x) - 1``: a sigmoid centred on 0.
    """
    return np.tanh(to_float(x))


def tanh_derivative(x):
    """``f'(x) = 1 - tanh(x)^2``."""
    t = np.tanh(to_float(x))
    return 1.0 - t * t


# ------------------------------------------------------------------------------- relu


def relu(x):
    """Rectified linear unit: ``f(x) = max(0, x)`` (NaN stays NaN)."""
    return np.maximum(to_float(x), 0.0)


def relu_derivative(x):
    """``f'(x) = 1 if x > 0 else 0`` (at 0 we use 0, like PyTorch)."""
    x = to_float(x)
    return _nan_where_nan(x, x > 0)


# ------------------------------------------------------------------------- leaky relu


def leaky_relu(x, negative_slope=0.01):
    """Leaky ReLU: ``f(x) = x if x > 0 else negative_slope * x``."""
    x = to_float(x)
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_derivative(x, negative_slope=0.01):
    """``f'(x) = 1 if x > 0 else negative_slope``."""
    x = to_float(x)
    return _nan_where_nan(x, np.where(x > 0, 1.0, float(negative_slope)))


# -------------------------------------------------------------------------------- elu


def elu(x, alpha=1.0):
    """Exponential linear unit: ``f(x) = x if x > 0 else alpha * (exp(x) - 1)``.

    Smooth at 0 when ``alpha = 1``; tends to ``-alpha`` for very negative x.
    """
    x = to_float(x)
    # expm1 on min(x, 0): only the branch we keep is evaluated safely, no overflow.
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_derivative(x, alpha=1.0):
    """``f'(x) = 1 if x > 0 else alpha * exp(x)``."""
    x = to_float(x)
    return np.where(x > 0, 1.0, alpha * safe_exp(np.minimum(x, 0.0)))


# ------------------------------------------------------------------------------- gelu

_SQRT_2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_erf_object = np.frompyfunc(math.erf, 1, 1)


def _erf(x):
    """The error function elementwise, to full float64 precision.

    numpy has no ``erf``; we apply Python's ``math.erf`` to each element (fast
    enough for the sizes this course uses: about 0.1 microsecond per element).
    """
    return np.asarray(_erf_object(x), dtype=float)


def _normal_cdf(x):
    """Standard normal cumulative distribution ``Phi(x) = (1 + erf(x / sqrt 2)) / 2``."""
    return 0.5 * (1.0 + _erf(x / _SQRT_2))


def gelu(x):
    """Gaussian error linear unit: ``f(x) = x * Phi(x)``, with ``Phi`` the standard
    normal CDF, ``Phi(x) = (1 + erf(x / sqrt 2)) / 2``.

    This is the exact form, PyTorch's default (``approximate='none'``); the tanh
    approximation is not provided.
    """
    x = to_float(x)
    return x * _normal_cdf(x)


def gelu_derivative(x):
    """``f'(x) = Phi(x) + x * phi(x)``, with ``phi(x) = exp(-x^2 / 2) / sqrt(2 pi)``
    the standard normal density."""
    x = to_float(x)
    # safe_exp gives phi(x) = 0 beyond |x| = 37.4 anyway; clipping x at +-40 keeps x * x
    # from overflowing for huge x (1e300). NaN stays NaN.
    near = np.clip(x, -40.0, 40.0)
    return _normal_cdf(x) + x * _INV_SQRT_2PI * safe_exp(-0.5 * near * near)


# --------------------------------------------------------------------------- softplus


def softplus(x, beta=1.0, threshold=20.0):
    """Softplus, a smooth ReLU: ``f(x) = log(1 + exp(beta * x)) / beta``.

    Like PyTorch, it returns ``x`` itself where ``beta * x > threshold`` (there the
    two differ by less than ``exp(-threshold)``). Elsewhere it is computed stably as
    ``(max(z, 0) + log(1 + exp(-|z|))) / beta`` with ``z = beta * x``.
    """
    _check_positive("beta", beta)
    x = to_float(x)
    z = beta * x
    soft = (np.maximum(z, 0.0) + np.log1p(safe_exp(-np.abs(z)))) / beta
    return np.where(z > threshold, x, soft)


def softplus_derivative(x, beta=1.0, threshold=20.0):
    """``f'(x) = sigmoid(beta * x)``, and exactly 1 above the threshold."""
    _check_positive("beta", beta)
    z = beta * to_float(x)
    return np.where(z > threshold, 1.0, sigmoid(z))


# ------------------------------------------------------------------------------- silu


def silu(x):
    """Sigmoid linear unit, also called swish: ``f(x) = x * sigmoid(x)``."""
    x = to_float(x)
    return x * sigmoid(x)


def silu_derivative(x):
    """``f'(x) = s + x * s * (1 - s)`` with ``s = sigmoid(x)``, i.e. ``s * (1 + x * (1 - s))``."""
    x = to_float(x)
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


# ---------------------------------------------------------------------------- softmax


def _minus_max(x, dim, name):
    """``x - max(x)`` along ``dim``, after checking that there is something to take the
    maximum of. Entries more than about 1.8e308 below the maximum overflow to ``-inf``
    there, which is exactly right: ``exp(-inf) = 0``; so that overflow is not a warning."""
    x = to_float(x)
    if not -x.ndim <= dim < max(x.ndim, 1):
        raise ValueError(f"{name}: dim={dim!r} does not fit x of shape {x.shape} "
                         f"(dim counts the axes of x, from {-x.ndim} to {x.ndim - 1})")
    if x.ndim == 0 or x.shape[dim] == 0:
        raise ValueError(f"{name}: x must have at least one number along dim={dim} to turn "
                         f"into probabilities; got shape {x.shape}")
    with np.errstate(over="ignore"):
        return x - x.max(axis=dim, keepdims=True)


def softmax(x, dim=-1):
    """Softmax along axis ``dim``: ``f(x)_i = exp(x_i) / sum_j exp(x_j)``.

    The outputs are positive and sum to 1 along ``dim``: a probability
    distribution. Stable: the row maximum is subtracted first (softmax does not
    change when a constant is added to every ``x_i``), so ``exp`` never overflows.
    """
    e = safe_exp(_minus_max(x, dim, "softmax"))
    return e / e.sum(axis=dim, keepdims=True)


def log_softmax(x, dim=-1):
    """Logarithm of the softmax, computed with the log-sum-exp trick:
    ``f(x)_i = x_i - m - log(sum_j exp(x_j - m))`` with ``m = max_j x_j``.

    Never takes the log of 0, unlike ``np.log(softmax(x))``.
    """
    z = _minus_max(x, dim, "log_softmax")
    return z - np.log(safe_exp(z).sum(axis=dim, keepdims=True))


def softmax_backward(grad_output, output, dim=-1):
    """Vector-Jacobian product of softmax: gradient wrt the softmax *input*.

    With ``s = softmax(x)`` (pass it as ``output``) and ``g = grad_output``, the
    Jacobian is ``ds_i/dx_j = s_i * (delta_ij - s_j)``, so
    ``grad_input_j = s_j * (g_j - sum_i g_i * s_i)``, along axis ``dim``.
    """
    s = np.asarray(output)
    g = np.asarray(grad_output)
    if g.shape != s.shape:
        raise ValueError(
            f"softmax_backward: grad_output shape {g.shape} does not match "
            f"output shape {s.shape}")
    return s * (g - (g * s).sum(axis=dim, keepdims=True))


# -------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Activation:
    """Everything the course knows about one activation, in one row.

    ``function(x)`` and ``derivative(x)`` take only ``x`` (the parametrised ones use
    their defaults); ``module`` names the layer class of :mod:`course_utils.nn.activation`
    (:meth:`make` builds one); ``bounds`` is the interval the outputs lie in, with
    ``-inf`` / ``inf`` for an open end; ``outputs`` and ``formula`` are the same facts as
    plain text for pictures (no mathtext: it is slow to draw).
    """

    name: str
    label: str
    function: Callable
    derivative: Callable
    module: str
    bounds: tuple
    outputs: str
    formula: str

    @property
    def bounded(self) -> bool:
        """True when both ends of the output range are finite (step, sigmoid, tanh)."""
        return all(math.isfinite(b) for b in self.bounds)

    def make(self, **kwargs):
        """A new layer of this activation, e.g. ``ACTIVATIONS["tanh"].make()`` is ``nn.Tanh()``."""
        from . import activation  # the layers import this module, so not at the top

        return getattr(activation, self.module)(**kwargs)


_INF = math.inf

#: name -> :class:`Activation`, in the order the course shows them.
ACTIVATIONS = {a.name: a for a in (
    Activation("identity", "Identity", identity, identity_derivative, "Identity",
               (-_INF, _INF), "any number", "f(x) = x"),
    Activation("step", "Step (Heaviside)", step, step_derivative, "Step",
               (0.0, 1.0), "0 or 1", "f(x) = 1 if x > 0, else 0"),
    Activation("sigmoid", "Sigmoid", sigmoid, sigmoid_derivative, "Sigmoid",
               (0.0, 1.0), "(0, 1)", "f(x) = 1 / (1 + e\u207b\u02e3)"),
    Activation("tanh", "Tanh", tanh, tanh_derivative, "Tanh",
               (-1.0, 1.0), "(\u22121, 1)", "f(x) = tanh(x)"),
    Activation("relu", "ReLU", relu, relu_derivative, "ReLU",
               (0.0, _INF), "[0, \u221e)", "f(x) = max(0, x)"),
    Activation("leaky_relu", "Leaky ReLU", leaky_relu, leaky_relu_derivative, "LeakyReLU",
               (-_INF, _INF), "any number", "f(x) = x if x > 0, else 0.01x"),
    Activation("elu", "ELU", elu, elu_derivative, "ELU",
               (-1.0, _INF), "(\u22121, \u221e)", "f(x) = x if x > 0, else e\u02e3 \u2212 1"),
    Activation("gelu", "GELU", gelu, gelu_derivative, "GELU",
               (-0.17, _INF), "[\u22120.17, \u221e)", "f(x) = x \u00b7 \u03a6(x)"),
    Activation("softplus", "Softplus", softplus, softplus_derivative, "Softplus",
               (0.0, _INF), "(0, \u221e)", "f(x) = log(1 + e\u02e3)"),
    Activation("silu", "SiLU (swish)", silu, silu_derivative, "SiLU",
               (-0.28, _INF), "[\u22120.28, \u221e)", "f(x) = x \u00b7 sigmoid(x)"),
)}
