"""Weight initialisation: fill a parameter with random numbers of the right size.

The functions have the names, argument orders and defaults of ``torch.nn.init``.
Each takes a ``Parameter`` (or a float numpy array), fills it **in place** and
returns it::

    from course_utils import nn
    layer = nn.Linear(256, 128)
    nn.init.kaiming_normal_(layer.weight, nonlinearity="relu", rng=0)
    nn.init.zeros_(layer.bias)

Why the size matters: a layer ``y = W x`` with ``fan_in`` inputs adds up
``fan_in`` products, so the variance of ``y`` is ``fan_in * Var(W) * Var(x)``.
Weights with ``Var(W) = 1 / fan_in`` keep the signal's size from layer to layer;
larger weights make it explode, smaller ones make it vanish. Xavier (Glorot)
initialisation balances the forward and the backward pass for tanh or sigmoid
layers; Kaiming (He) initialisation makes up for ReLU zeroing half the signal.

Fans are counted as PyTorch does, from the weight's shape ``(out, in, *kernel)``:
``fan_in = in * receptive field`` and ``fan_out = out * receptive field``, where the
receptive field is the product of the kernel sizes (1 for a ``Linear`` weight).

Where PyTorch takes a ``generator``, these functions take ``rng``: a seed or a
``numpy.random.Generator`` (keyword only, as everywhere in the course). A tensor
with no elements is returned as it is (PyTorch warns that this is a no-op).
"""

import math
import numbers

import numpy as np

__all__ = ["calculate_gain", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_", "zeros_", "ones_", "normal_", "uniform_"]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "sigmoid")
_GAINS = {"tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}


def calculate_gain(nonlinearity, param=None):
    """The recommended gain (a factor on the weights' standard deviation) for a
    nonlinearity, as ``torch.nn.init.calculate_gain``:

    ========================  ==================================
    linear, conv*, sigmoid    1
    tanh                      5 / 3
    relu                      sqrt(2)
    leaky_relu                sqrt(2 / (1 + negative_slope**2))
    selu                      3 / 4
    ========================  ==================================

    ``param`` is leaky_relu's negative slope (default 0.01); the others ignore it.
    ReLU's sqrt(2) makes up for the half of its inputs that it sets to zero (He et
    al., 2015).
    """
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity in _GAINS:
        return _GAINS[nonlinearity]
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, numbers.Real):
            raise ValueError(f"negative_slope {param!r} not a valid number (leaky_relu's "
                             "param is its negative slope, e.g. 0.01)")
        return math.sqrt(2.0 / (1 + slope ** 2))
    names = ", ".join(_LINEAR + tuple(_GAINS) + ("leaky_relu",))
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}; use one of {names}")


def _array(tensor):
    """The float numpy array to fill: ``tensor`` itself or a Parameter's ``.data``."""
    array = tensor if isinstance(tensor, np.ndarray) else getattr(tensor, "data", None)
    if not isinstance(array, np.ndarray) or not np.issubdtype(array.dtype, np.floating):
        raise TypeError("init functions fill a Parameter or a float numpy array in place; "
                        f"got {type(tensor).__name__}"
                        + (f" of dtype {array.dtype}" if isinstance(array, np.ndarray) else ""))
    return array


def _calculate_fan_in_and_fan_out(array):
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``:
    ``(in * k, out * k)`` with ``k`` the product of the kernel sizes (1 for 2-D)."""
    if array.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for a tensor with fewer "
                         f"than 2 dimensions (got shape {array.shape}); a weight has shape "
                         "(out, in, *kernel)")
    receptive_field = math.prod(array.shape[2:])
    return array.shape[1] * receptive_field, array.shape[0] * receptive_field


def _calculate_correct_fan(array, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode!r} not supported, please use one of 'fan_in' (keeps the "
                         "forward pass's size) or 'fan_out' (keeps the backward pass's size)")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(array)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, *, rng=None):
    """Fill with numbers drawn uniformly from ``[a, b)``."""
    array = _array(tensor)
    array[...] = np.random.default_rng(rng).uniform(a, b, size=array.shape)
    return tensor


def normal_(tensor, mean=0.0, std=1.0, *, rng=None):
    """Fill with numbers drawn from the normal distribution ``N(mean, std**2)``."""
    array = _array(tensor)
    array[...] = np.random.default_rng(rng).normal(mean, std, size=array.shape)
    return tensor


def zeros_(tensor):
    """Fill with 0 (the usual start for biases)."""
    _array(tensor)[...] = 0.0
    return tensor


def ones_(tensor):
    """Fill with 1."""
    _array(tensor)[...] = 1.0
    return tensor


def _xavier_std(tensor, gain):
    """``gain * sqrt(2 / (fan_in + fan_out))``: the std both Xavier inits give."""
    array = _array(tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(array)
    return gain * math.sqrt(2.0 / (fan_in + fan_out)) if array.size else 0.0


def _kaiming_std(tensor, a, mode, nonlinearity):
    """``calculate_gain(nonlinearity, a) / sqrt(fan)``: the std both Kaiming inits give."""
    array = _array(tensor)
    fan = _calculate_correct_fan(array, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan) if array.size else 0.0


def _uniform_with_std(tensor, std, rng):
    """Fill with ``U(-bound, bound)``, ``bound = sqrt(3) * std``: its std is ``std``."""
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, rng=rng)


def xavier_uniform_(tensor, gain=1.0, *, rng=None):
    """Xavier (Glorot) uniform initialisation (Glorot & Bengio, 2010): fill with
    ``U(-bound, bound)``, where

        bound = gain * sqrt(6 / (fan_in + fan_out))

    so that ``Var(W) = bound**2 / 3 = gain**2 * 2 / (fan_in + fan_out)``: the average of
    what keeps the forward pass (``1 / fan_in``) and the backward pass (``1 / fan_out``)
    steady. ``tensor`` has shape ``(out, in, *kernel)``, at least 2-D.
    """
    return _uniform_with_std(tensor, _xavier_std(tensor, gain), rng)


def xavier_normal_(tensor, gain=1.0, *, rng=None):
    """Xavier (Glorot) normal initialisation (Glorot & Bengio, 2010): fill with
    ``N(0, std**2)``, where

        std = gain * sqrt(2 / (fan_in + fan_out))

    ``tensor`` has shape ``(out, in, *kernel)``, at least 2-D.
    """
    return normal_(tensor, 0.0, _xavier_std(tensor, gain), rng=rng)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", *, rng=None):
    """Kaiming (He) uniform initialisation (He et al., 2015): fill with
    ``U(-bound, bound)``, where

        gain  = calculate_gain(nonlinearity, a)
        bound = gain * sqrt(3 / fan)

    and ``fan`` is ``fan_in`` (``mode='fan_in'``: keeps the size of the forward
    pass) or ``fan_out`` (``'fan_out'``: of the backward pass). ``a`` is the
    negative slope of a leaky ReLU (0: a ReLU, gain sqrt(2)). With ``a = sqrt(5)``
    the bound is ``1 / sqrt(fan_in)``, the default of ``Linear`` and ``Conv2d``.
    ``tensor`` has shape ``(out, in, *kernel)``, at least 2-D.
    """
    return _uniform_with_std(tensor, _kaiming_std(tensor, a, mode, nonlinearity), rng)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", *, rng=None):
    """Kaiming (He) normal initialisation (He et al., 2015): fill with
    ``N(0, std**2)``, where

        std = calculate_gain(nonlinearity, a) / sqrt(fan)

    with ``fan`` and ``a`` as in :func:`kaiming_uniform_`. For a ReLU network,
    ``std = sqrt(2 / fan_in)``. ``tensor`` has shape ``(out, in, *kernel)``, at least 2-D.
    """
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), rng=rng)
