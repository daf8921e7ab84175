"""2-D convolution and max pooling on images shaped ``(N, C, H, W)``.

Conv2d uses the *im2col* idea: every ``kh x kw`` patch the kernel visits is
copied into one column of a matrix, so the whole convolution becomes a single
matrix product. ``numpy.lib.stride_tricks.sliding_window_view`` gives the
patches without copying; one copy lays them out as that matrix.

MaxPool2d compares, for every window at once, its ``kh * kw`` positions in turn.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .functional import to_float
from .module import Module, Parameter, positive_int

__all__ = ["Conv2d", "MaxPool2d"]


def _pair(name, value, minimum):
    """``3 -> (3, 3)``; ``(3, 2)`` stays; checks that both are integers >= minimum."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v >= minimum
                                 for v in pair):
        raise ValueError(f"{name} must be an integer >= {minimum} or a pair of them, "
                         f"got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_image(layer, x):
    if x.ndim != 4:
        raise ValueError(f"{layer}: expected input of shape (N, C, H, W), got shape "
                         f"{x.shape}")


def _pad(x, padding, value):
    """``x`` (N, C, H, W) with ``padding = (ph, pw)`` rows and columns of ``value`` on each side."""
    ph, pw = padding
    if not (ph or pw):
        return x
    n, c, h, w = x.shape
    xp = np.full((n, c, h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    return xp


def _patches(xp, kernel, stride):
    """All ``kh x kw`` windows of ``xp`` ``(N, C, Hp, Wp)`` taken every ``stride``
    pixels: a view of shape ``(N, C, H_out, W_out, kh, kw)`` (nothing is copied)."""
    windows = sliding_window_view(xp, kernel, axis=(2, 3))
    return windows[:, :, ::stride[0], ::stride[1]]


class Conv2d(Module):
    """2-D convolution (strictly, cross-correlation, like every deep-learning library):

    ``y[n, o, i, j] = b[o] + sum_{c, u, v} W[o, c, u, v] * x_pad[n, c, i*s + u, j*s + v]``

    Shapes: input ``(N, C_in, H, W)``, weight ``(C_out, C_in, kh, kw)``, bias
    ``(C_out,)``, output ``(N, C_out, H_out, W_out)`` with
    ``H_out = (H + 2 * padding - kh) // stride + 1`` (same for W).
    Zero padding; no dilation or groups (PyTorch has both).

    Initialisation (PyTorch's default): weights and biases ``~ U(-k, k)`` with
    ``k = 1 / sqrt(C_in * kh * kw)``.

    Forward as one matrix product: with ``cols`` the im2col matrix
    ``(C_in*kh*kw, N*H_out*W_out)`` (one column per patch) and ``W`` reshaped to
    ``(C_out, C_in*kh*kw)``, ``y = W cols + b``.
    Backward, with ``g`` the output gradient as a ``(C_out, N*H_out*W_out)`` matrix:
    ``dL/dW = g cols^T``, ``dL/db = sum of g over patches``, and
    ``dL/dcols = W^T g``, whose columns are added back onto the pixels each patch
    came from (col2im). ``backward(g, input_grad=False)`` skips that (and returns
    None): nothing needs it for the first layer of a network.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 bias=True, *, rng=None):
        self.in_channels = positive_int("in_channels", in_channels)
        self.out_channels = positive_int("out_channels", out_channels)
        self.kernel_size = _pair("kernel_size", kernel_size, 1)
        self.stride = _pair("stride", stride, 1)
        self.padding = _pair("padding", padding, 0)
        rng = np.random.default_rng(rng)
        kh, kw = self.kernel_size
        k = 1.0 / math.sqrt(in_channels * kh * kw)
        self.weight = Parameter(rng.uniform(-k, k, size=(out_channels, in_channels, kh, kw)))
        self.bias = Parameter(rng.uniform(-k, k, size=out_channels)) if bias else None

    def forward(self, x):
        x = to_float(x, "Conv2d: the input")
        _check_image("Conv2d", x)
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2d: input of shape {x.shape} does not fit weight of shape "
                f"{self.weight.data.shape}: the input must have "
                f"in_channels={self.in_channels} channels (axis 1)")
        n, c, h, w = x.shape
        kh, kw = self.kernel_size
        xp = _pad(x, self.padding, 0.0)
        if xp.shape[2] < kh or xp.shape[3] < kw:
            raise ValueError(f"Conv2d: kernel {self.kernel_size} is larger than the "
                             f"padded input {xp.shape[2:]} (input shape {x.shape})")
        patches = _patches(xp, self.kernel_size, self.stride)  # (N, C, Ho, Wo, kh, kw)
        ho, wo = patches.shape[2:4]
        # im2col: one column per patch, one row per (channel, u, v) of the kernel.
        cols = self._buffer("_cols", (c * kh * kw, n * ho * wo), x.dtype)
        np.copyto(cols.reshape(c, kh, kw, n, ho, wo), patches.transpose(1, 4, 5, 0, 2, 3))
        y = self.weight.data.reshape(self.out_channels, -1) @ cols  # (C_out, N*Ho*Wo)
        if self.bias is not None:
            y += self.bias.data[:, None]
        self._xp_shape, self._x_shape = xp.shape, x.shape
        return y.reshape(self.out_channels, n, ho, wo).transpose(1, 0, 2, 3)

    def _buffer(self, name, shape, dtype):
        """A work array kept between calls: allocating a fresh megabyte each call
        costs more (page faults) than the computation that fills it."""
        buffer = getattr(self, name, None)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
            buffer = np.empty(shape, dtype=dtype)
            setattr(self, name, buffer)
        return buffer

    def backward(self, grad_output, input_grad=True):
        n, c, h, w = self._saved("_x_shape")
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        ho = (self._xp_shape[2] - kh) // sh + 1
        wo = (self._xp_shape[3] - kw) // sw + 1
        if grad_output.shape != (n, self.out_channels, ho, wo):
            raise ValueError(f"Conv2d.backward: grad_output shape {grad_output.shape} "
                             f"does not match output shape {(n, self.out_channels, ho, wo)}")
        g = grad_output.transpose(1, 0, 2, 3).reshape(self.out_channels, -1)
        w_mat = self.weight.data.reshape(self.out_channels, -1)
        self.weight.grad += (g @ self._cols.T).reshape(self.weight.data.shape)
        if self.bias is not None:
            self.bias.grad += g.sum(axis=1)
        if not input_grad:
            return None
        # col2im: add each patch's gradient back onto the pixels it was taken from.
        dcols = self._buffer("_dcols", self._cols.shape, np.result_type(g, w_mat))
        np.matmul(w_mat.T, g, out=dcols)
        dcols = dcols.reshape(c, kh, kw, n, ho, wo)
        dxp = np.zeros(self._xp_shape, dtype=dcols.dtype)
        for u in range(kh):
            for v in range(kw):
                dxp[:, :, u:u + sh * (ho - 1) + 1:sh, v:v + sw * (wo - 1) + 1:sw] += \
                    dcols[:, u, v].transpose(1, 0, 2, 3)
        return dxp[:, :, ph:ph + h, pw:pw + w]

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.bias is None:
            text += ", bias=False"
        return text


class MaxPool2d(Module):
    """Max pooling: ``y[n, c, i, j] = max_{u, v} x_pad[n, c, i*s + u, j*s + v]``
    over each ``kh x kw`` window, moved by ``stride`` (default: ``kernel_size``,
    so the windows do not overlap). Padding, if any, is with ``-inf``.

    Shapes: ``(N, C, H, W) -> (N, C, H_out, W_out)`` with
    ``H_out = (H + 2 * padding - kh) // stride + 1``.

    Backward: each output gradient goes to the input pixel that was the maximum
    of its window (the first one, if several are equal); pixels that were never
    a maximum get 0.
    """

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size = _pair("kernel_size", kernel_size, 1)
        self.stride = self.kernel_size if stride is None else _pair("stride", stride, 1)
        self.padding = _pair("padding", padding, 0)
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"padding {self.padding} must be at most half of "
                             f"kernel_size {self.kernel_size}")

    def forward(self, x):
        x = to_float(x, "MaxPool2d: the input")  # floats, for the -inf padding
        _check_image("MaxPool2d", x)
        n, c, h, w = x.shape
        kh, kw = self.kernel_size
        xp = _pad(x, self.padding, -np.inf)  # padding never wins a maximum
        if xp.shape[2] < kh or xp.shape[3] < kw:
            raise ValueError(f"MaxPool2d: kernel {self.kernel_size} is larger than the "
                             f"input {xp.shape[2:]} (input shape {x.shape})")
        (sh, sw) = self.stride
        ho, wo = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
        # Visit the kh*kw positions k = u*kw + v of the window in turn, keeping the
        # running maximum and the position it came from (the first one, on ties).
        out = xp[:, :, :sh * (ho - 1) + 1:sh, :sw * (wo - 1) + 1:sw].copy()  # k = 0
        argmax = np.zeros(out.shape, dtype=np.uint8 if kh * kw < 256 else np.intp)
        for k in range(1, kh * kw):
            u, v = divmod(k, kw)
            candidate = xp[:, :, u:u + sh * (ho - 1) + 1:sh, v:v + sw * (wo - 1) + 1:sw]
            better = candidate > out
            np.maximum(out, candidate, out=out)
            # argmax = where(better, k, argmax), written without branches (3x faster)
            argmax += better * (k - argmax)
        self._argmax = argmax  # position of the max inside each window
        self._x_shape, self._xp_shape = x.shape, xp.shape
        return out

    def backward(self, grad_output):
        n, c, h, w = self._saved("_x_shape")
        hp, wp = self._xp_shape[2:]
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        ho, wo = self._argmax.shape[2:]
        if grad_output.shape != self._argmax.shape:
            raise ValueError(f"MaxPool2d.backward: grad_output shape {grad_output.shape} "
                             f"does not match output shape {self._argmax.shape}")
        # Flat index, in the padded input, of the pixel each output took its max from.
        row = np.arange(ho)[:, None] * sh + self._argmax // kw  # (N, C, Ho, Wo)
        col = np.arange(wo) * sw + self._argmax % kw
        index = (np.arange(n * c).reshape(n, c, 1, 1) * hp + row) * wp + col
        if sh >= kh and sw >= kw:  # windows do not overlap: every index is distinct
            dxp = np.zeros(n * c * hp * wp, dtype=grad_output.dtype)
            dxp[index.ravel()] = grad_output.ravel()
        else:  # a pixel can be the max of several windows: add up their gradients
            dxp = np.bincount(index.ravel(), weights=grad_output.ravel(),
                              minlength=n * c * hp * wp)
        return dxp.reshape(n, c, hp, wp)[:, :, ph:ph + h, pw:pw + w]

    def extra_repr(self):
        text = f"kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        return text
