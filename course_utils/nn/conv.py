"""2-D convolution and max pooling on images shaped ``(N, C, H, W)``.

Conv2d uses the *im2col* idea: every ``kh x kw`` patch the kernel visits is
copied into one column of a matrix, so the whole convolution becomes a single
matrix product. Inside, the padded images are kept *batch last*, ``(C, H, W, N)``:
the pixels that kernel offset ``(u, v)`` sees, for every patch of every image at
once, are then one slice of it (``_seen``): with stride 1, runs of ``W_out * N``
numbers in a row. numpy copies and adds such long runs many times faster than the millions of
short ones that small images in ``(N, C, H, W)`` order would give.

MaxPool2d compares, for every window at once, its ``kh * kw`` positions in turn.
"""

import math

import numpy as np

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


def _seen(a, u, v, rows, cols, stride):
    """The pixels of ``a`` (C, H_pad, W_pad, N) that kernel offset ``(u, v)`` sees, as a
    view ``(C, rows, cols, N)``: ``[c, i, j]`` is padded pixel ``(i * sh + u, j * sw + v)``
    of channel ``c``, for all N images (batch last)."""
    sh, sw = stride
    return a[:, u:u + sh * (rows - 1) + 1:sh, v:v + sw * (cols - 1) + 1:sw]


def _first_max(candidates):
    """The elementwise maximum of the arrays ``candidates`` and, for each element, the
    index of the first array that holds it (the first one, if several are equal).

    With two candidates the index is the boolean array "the second one is larger"
    (True is 1): one numpy operation fewer in forward and two in backward
    (:func:`_route`). With one candidate there is no choice: the index is None.
    """
    best, index = candidates[0], None
    for k, candidate in enumerate(candidates[1:], start=1):
        better = candidate > best
        best = np.maximum(best, candidate)
        # index = k where better: k is larger than any index so far, so a maximum
        # does it (a masked assignment index[better] = k is 5x slower)
        index = better if index is None else np.maximum(index, better * k)
    return best, index


def _route(grad, index, parts):
    """Backward of :func:`_first_max`: ``parts[k] = grad`` where ``index == k``, else 0
    (``parts`` are the arrays to write, one per candidate)."""
    if index is None:
        parts[0][...] = grad
    elif index.dtype == bool:  # two candidates: True where the second one won
        np.multiply(grad, index, out=parts[1])
        np.subtract(grad, parts[1], out=parts[0])  # grad where the first one won, else 0
    else:
        for k, part in enumerate(parts):
            np.multiply(grad, index == k, out=part)


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
    ``(C_in*kh*kw, H_out*W_out*N)`` (one column per patch) and ``W`` reshaped to
    ``(C_out, C_in*kh*kw)``, ``y = W cols + b``. Backward, with ``g`` the output
    gradient as a ``(C_out, H_out*W_out*N)`` matrix: ``dL/dW = g cols^T``,
    ``dL/db = sum of g over patches``, and ``dL/dcols = W^T g``, whose rows are added
    back onto the pixels they were copied from (col2im), through the same slices.
    ``backward(g, input_grad=False)`` skips that (and returns None): nothing needs it
    for the first layer of a network.
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

    def _sizes(self, h, w):
        """``(H_pad, W_pad, H_out, W_out)`` for an input of ``h x w`` pixels."""
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        hp, wp = h + 2 * ph, w + 2 * pw
        return hp, wp, (hp - kh) // sh + 1, (wp - kw) // sw + 1

    def forward(self, x):
        x = to_float(x, "Conv2d: the input")
        _check_image("Conv2d", x)
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2d: input of shape {x.shape} does not fit weight of shape "
                f"{self.weight.data.shape}: the input must have "
                f"in_channels={self.in_channels} channels (axis 1)")
        n, c, h, w = x.shape
        (kh, kw), (ph, pw) = self.kernel_size, self.padding
        hp, wp, ho, wo = self._sizes(h, w)
        if hp < kh or wp < kw:
            raise ValueError(f"Conv2d: kernel {self.kernel_size} is larger than the "
                             f"padded input {(hp, wp)} (input shape {x.shape})")
        xp = np.zeros((c, hp, wp, n), dtype=x.dtype)   # zero-padded, batch last
        xp[:, ph:ph + h, pw:pw + w] = x.transpose(1, 2, 3, 0)
        # im2col: one row per (channel, u, v) of the kernel, one column per patch.
        cols = self._buffer("_cols", (c, kh, kw, ho, wo, n), x.dtype)
        for u in range(kh):
            for v in range(kw):
                cols[:, u, v] = _seen(xp, u, v, ho, wo, self.stride)
        y = self.weight.data.reshape(self.out_channels, -1) @ cols.reshape(c * kh * kw, -1)
        if self.bias is not None:
            y += self.bias.data[:, None]
        self._x_shape = x.shape
        return y.reshape(self.out_channels, ho, wo, n).transpose(3, 0, 1, 2)  # (N, C_out, Ho, Wo)

    def _buffer(self, name, shape, dtype):
        """A work array kept between calls, made of zeros the first time: allocating
        a fresh megabyte each call costs more (page faults) than the computation that
        fills it. (Forward writes all of it each time.)"""
        buffer = getattr(self, name, None)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
            buffer = np.zeros(shape, dtype=dtype)
            setattr(self, name, buffer)
        return buffer

    def backward(self, grad_output, input_grad=True):
        n, c, h, w = self._saved("_x_shape")
        (kh, kw), (ph, pw) = self.kernel_size, self.padding
        hp, wp, ho, wo = self._sizes(h, w)
        if grad_output.shape != (n, self.out_channels, ho, wo):
            raise ValueError(f"Conv2d.backward: grad_output shape {grad_output.shape} "
                             f"does not match output shape {(n, self.out_channels, ho, wo)}")
        # As a matrix (C_out, H_out*W_out*N): a copy, unless grad_output is laid out batch
        # last already (as the gradient of this layer's own output usually is).
        g = grad_output.transpose(1, 2, 3, 0).reshape(self.out_channels, -1)
        w_mat = self.weight.data.reshape(self.out_channels, -1)
        self.weight.grad += (g @ self._cols.reshape(c * kh * kw, -1).T).reshape(
            self.weight.data.shape)
        if self.bias is not None:
            self.bias.grad += g.sum(axis=1)
        if not input_grad:
            return None
        # col2im: add each row of dL/dcols back onto the pixels it was copied from.
        dcols = (w_mat.T @ g).reshape(c, kh, kw, ho, wo, n)
        dxp = np.zeros((c, hp, wp, n), dtype=dcols.dtype)
        for u in range(kh):
            for v in range(kw):
                _seen(dxp, u, v, ho, wo, self.stride)[...] += dcols[:, u, v]
        return dxp[:, ph:ph + h, pw:pw + w].transpose(3, 0, 1, 2)

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

    When the windows tile the image (stride = kernel size, no padding, sizes divisible:
    the usual ``MaxPool2d(2)``), the image is reshaped into its windows instead, and
    the maximum taken along each window row, then across the rows: the same maximum
    and the same first position, in fewer, larger numpy operations.
    """

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size = _pair("kernel_size", kernel_size, 1)
        self.stride = self.kernel_size if stride is None else _pair("stride", stride, 1)
        self.padding = _pair("padding", padding, 0)
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"padding {self.padding} must be at most half of "
                             f"kernel_size {self.kernel_size}")

    def _tiles(self, h, w):
        """True if the windows cover an ``h x w`` image exactly once (see the class)."""
        kh, kw = self.kernel_size
        return (self.stride == self.kernel_size and self.padding == (0, 0)
                and h % kh == 0 and w % kw == 0)

    def forward(self, x):
        x = to_float(x, "MaxPool2d: the input")  # floats, for the -inf padding
        _check_image("MaxPool2d", x)
        n, c, h, w = x.shape
        kh, kw = self.kernel_size
        self._x, self._tiled = x, self._tiles(h, w)
        if self._tiled:
            # windows[n, c, i, u, j, v] = x[n, c, i*kh + u, j*kw + v] (a view)
            windows = x.reshape(n, c, h // kh, kh, w // kw, kw)
            rows, self._col = _first_max([windows[..., v] for v in range(kw)])
            out, self._row = _first_max([rows[:, :, :, u] for u in range(kh)])
            self._out_shape = out.shape
            return out.copy() if kh * kw == 1 else out  # a 1 x 1 window: out is a view of x
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
        self._xp_shape, self._out_shape = xp.shape, out.shape
        return out

    def backward(self, grad_output):
        x = self._saved("_x")
        n, c, h, w = x.shape
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        if grad_output.shape != self._out_shape:
            raise ValueError(f"MaxPool2d.backward: grad_output shape {grad_output.shape} "
                             f"does not match output shape {self._out_shape}")
        if self._tiled:
            # Back the way forward chose: to the row of the window that held the max, then
            # to the column in that row. Every pixel is written once (0 or the gradient).
            dx = np.empty_like(x, dtype=grad_output.dtype)  # laid out in memory as x is
            windows = dx.reshape(n, c, h // kh, kh, w // kw, kw)
            to_rows = np.empty_like(windows[..., 0])  # laid out as the rows forward compared
            _route(grad_output, self._row, [to_rows[:, :, :, u] for u in range(kh)])
            _route(to_rows, self._col, [windows[..., v] for v in range(kw)])
            return dx
        hp, wp = self._xp_shape[2:]
        ho, wo = self._argmax.shape[2:]
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
