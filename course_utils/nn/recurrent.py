"""Recurrent layers: a plain (Elman) RNN and an LSTM, one layer each.

Shapes follow PyTorch: the input is ``(L, N, input_size)`` (sequence length
first) or, with ``batch_first=True``, ``(N, L, input_size)``; a 2-D input
``(L, input_size)`` is one unbatched sequence. The hidden state ``h`` is
``(1, N, hidden_size)`` (the 1 is PyTorch's ``num_layers``; only one layer here).

``backward(grad_output, grad_h_n=None)`` is backpropagation through time: it
takes ``dL/d output`` (same shape as ``output``) and, if the loss also used the
final state, ``dL/d h_n`` (and for the LSTM ``dL/d c_n``); it adds the
parameter gradients, stores ``dL/d h0`` in ``self.grad_h0`` and returns
``dL/d input``.
"""

import math

import numpy as np

from .functional import to_float
from .module import Module, Parameter, positive_int

__all__ = ["RNN", "LSTM"]


class _Recurrent(Module):
    """Shared bookkeeping: parameters, shapes, batch_first and unbatched input."""

    def __init__(self, input_size, hidden_size, gates, batch_first, rng):
        self.input_size = positive_int("input_size", input_size)
        self.hidden_size = positive_int("hidden_size", hidden_size)
        self.batch_first = bool(batch_first)
        rng = np.random.default_rng(rng)
        k = 1.0 / math.sqrt(hidden_size)
        rows = gates * hidden_size
        self.weight_ih = Parameter(rng.uniform(-k, k, size=(rows, input_size)))
        self.weight_hh = Parameter(rng.uniform(-k, k, size=(rows, hidden_size)))
        self.bias_ih = Parameter(rng.uniform(-k, k, size=rows))
        self.bias_hh = Parameter(rng.uniform(-k, k, size=rows))

    def _to_time_major(self, x, what="input"):
        """``x`` as ``(L, N, features)`` whatever the layout the user gave."""
        x = np.asarray(x)
        if x.ndim == 2:
            return x[:, None, :]
        if x.ndim != 3:
            raise ValueError(f"{type(self).__name__}: {what} must be 3-D (L, N, features) "
                             f"or 2-D (L, features), got shape {x.shape}")
        return x.swapaxes(0, 1) if self.batch_first else x

    def _from_time_major(self, y):
        """Undo ``_to_time_major`` on an output ``(L, N, features)``."""
        if self._unbatched:
            return y[:, 0, :]
        return y.swapaxes(0, 1) if self.batch_first else y

    def _prepare(self, x):
        x_in = to_float(x, f"{type(self).__name__}: the input")
        self._unbatched = x_in.ndim == 2
        x = self._to_time_major(x_in)
        if x.shape[2] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}: input of shape {x_in.shape} does not fit "
                f"weight_ih of shape {self.weight_ih.data.shape}: the last input "
                f"dimension must be input_size={self.input_size}")
        return x

    def _state(self, state, name, batch):
        """An initial state given as ``(1, N, H)`` (or ``(1, H)`` unbatched) ->
        ``(N, H)``; ``None`` -> zeros."""
        if state is None:
            return np.zeros((batch, self.hidden_size))
        state = to_float(state, f"{type(self).__name__}: {name}")
        expected = (1, self.hidden_size) if self._unbatched else (1, batch, self.hidden_size)
        if state.shape != expected:
            raise ValueError(f"{type(self).__name__}: {name} has shape {state.shape}, "
                             f"expected {expected}")
        return state.reshape(batch, self.hidden_size)

    def _grad_state(self, grad, name, batch):
        if grad is None:
            return np.zeros((batch, self.hidden_size))
        return self._state(grad, name, batch).copy()

    def _check_grad_output(self, grad_output):
        expected = self._saved("_x").shape[:2] + (self.hidden_size,)
        g = self._to_time_major(grad_output, "grad_output")
        if g.shape != expected:
            raise ValueError(f"{type(self).__name__}.backward: grad_output shape "
                             f"{np.shape(grad_output)} does not match output shape "
                             f"{self._from_time_major(np.empty(expected)).shape}")
        return g

    def _weight_grads_and_input_grad(self, dz, x, hs):
        """Accumulate the parameter gradients from ``dz`` (L, N, gates*H), the gradient of
        every step's pre-activations, and return the gradient of the input.

        ``z_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh``, so summed over all steps:
        ``dW_ih = dz^T x``, ``dW_hh = dz^T h_{t-1}``, ``db_ih = db_hh = sum dz`` and
        ``dx_t = dz_t W_ih``.
        """
        dz2 = dz.reshape(-1, dz.shape[-1])
        self.weight_ih.grad += dz2.T @ x.reshape(-1, self.input_size)
        self.weight_hh.grad += dz2.T @ hs[:-1].reshape(-1, self.hidden_size)
        db = dz2.sum(axis=0)
        self.bias_ih.grad += db
        self.bias_hh.grad += db
        return self._from_time_major(dz @ self.weight_ih.data)

    def _state_out(self, h):
        """``(N, H)`` -> ``(1, N, H)`` (``(1, H)`` unbatched), PyTorch's h_n shape."""
        return h[None, 0] if self._unbatched else h[None]

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.batch_first:
            text += ", batch_first=True"
        return text


class RNN(_Recurrent):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``
    (``nonlinearity='relu'`` uses ReLU instead of tanh).

    Parameters (PyTorch's names, without the ``_l0`` suffix): ``weight_ih``
    ``(H, input_size)``, ``weight_hh`` ``(H, H)``, ``bias_ih`` and ``bias_hh`` ``(H,)``,
    all initialised ``~ U(-k, k)`` with ``k = 1 / sqrt(H)``.

    ``forward(x, h0=None)`` returns ``(output, h_n)``: ``output`` holds ``h_t`` for
    every step, ``(L, N, H)``; ``h_n`` is the last one, ``(1, N, H)``. ``h0``
    (PyTorch calls it ``hx``) is the initial state, ``(1, N, H)``, zeros if omitted.

    Backward through time, with ``a_t`` the pre-activation and ``g_t = dL/dh_t``
    (from ``output`` plus what flows back from step ``t + 1``):
    ``dL/da_t = g_t * f'(a_t)``, ``dL/dh_{t-1} = dL/da_t W_hh``,
    ``dL/dx_t = dL/da_t W_ih``, ``dL/dW_hh = sum_t dL/da_t^T h_{t-1}``,
    ``dL/dW_ih = sum_t dL/da_t^T x_t``, ``dL/db = sum_t dL/da_t``.
    """

    def __init__(self, input_size, hidden_size, nonlinearity="tanh", batch_first=False,
                 *, rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, 1, batch_first, rng)

    def forward(self, x, h0=None):
        x = self._prepare(x)
        length, batch = x.shape[:2]
        hs = np.empty((length + 1, batch, self.hidden_size))  # hs[t + 1] = h_t
        hs[0] = self._state(h0, "h0", batch)
        # The input part of every step at once: one big matrix product.
        xw = x @ self.weight_ih.data.T
        xw += self.bias_ih.data + self.bias_hh.data
        w_hh_t = self.weight_hh.data.T
        tanh = self.nonlinearity == "tanh"
        for t in range(length):
            a = xw[t] + hs[t] @ w_hh_t
            if tanh:
                np.tanh(a, out=hs[t + 1])
            else:
                np.maximum(a, 0.0, out=hs[t + 1])
        self._x, self._hs = x, hs
        # copies: backward needs hs unchanged, whatever the caller does to the outputs
        return self._from_time_major(hs[1:].copy()), self._state_out(hs[-1].copy())

    def backward(self, grad_output, grad_h_n=None):
        """Backpropagation through time; see the class docstring.

        ``grad_output`` is ``dL/d output``; ``grad_h_n`` (optional) is ``dL/d h_n``.
        Returns ``dL/d input``; ``dL/d h0`` is stored in ``self.grad_h0``.
        """
        g = self._check_grad_output(grad_output)
        x, hs = self._x, self._hs
        length, batch = x.shape[:2]
        # f'(a_t) for every step, from the outputs h_t = f(a_t).
        h = hs[1:]
        fprime = 1.0 - h * h if self.nonlinearity == "tanh" else (h > 0).astype(float)
        da = np.empty_like(h)
        dh = self._grad_state(grad_h_n, "grad_h_n", batch)
        w_hh = self.weight_hh.data
        for t in range(length - 1, -1, -1):
            dh += g[t]
            np.multiply(dh, fprime[t], out=da[t])
            dh = da[t] @ w_hh
        self.grad_h0 = self._state_out(dh)
        return self._weight_grads_and_input_grad(da, x, hs)

    def extra_repr(self):
        text = super().extra_repr()
        if self.nonlinearity != "tanh":
            text += f", nonlinearity={self.nonlinearity!r}"
        return text


class LSTM(_Recurrent):
    """Long short-term memory, PyTorch's equations and gate order (i, f, g, o):

    ``[i, f, g, o] = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh`` (then split in 4),
    ``i, f, o = sigmoid(.)`` (input, forget, output gates), ``g = tanh(.)`` (cell
    candidate), ``c_t = f * c_{t-1} + i * g``, ``h_t = o * tanh(c_t)``.

    Parameters: ``weight_ih`` ``(4H, input_size)``, ``weight_hh`` ``(4H, H)``,
    ``bias_ih`` and ``bias_hh`` ``(4H,)``, rows in the order i, f, g, o, all
    ``~ U(-k, k)`` with ``k = 1 / sqrt(H)``.

    ``forward(x, hx=None)`` with ``hx = (h0, c0)`` (each ``(1, N, H)``, zeros if
    omitted) returns ``(output, (h_n, c_n))``; ``output`` is ``(L, N, H)``.

    Backward through time, per step (``dh`` from ``output`` and from step t+1):
    ``dc = dc_next + dh * o * (1 - tanh(c_t)^2)``, ``do = dh * tanh(c_t)``,
    ``di = dc * g``, ``df = dc * c_{t-1}``, ``dg = dc * i``, ``dc_next = dc * f``;
    each gate's gradient times its activation's derivative gives ``dz``, then
    ``dh_next = dz W_hh`` and the weight gradients as for the RNN.
    """

    def __init__(self, input_size, hidden_size, batch_first=False, *, rng=None):
        super().__init__(input_size, hidden_size, 4, batch_first, rng)
        hidden = self.hidden_size
        # sigmoid(z) = (1 + tanh(z / 2)) / 2, so all four gates come from one tanh:
        # act = tanh(z * scale) * scale + shift (scale 1/2 and shift 1/2 on i, f, o;
        # scale 1 and shift 0 on g).
        self._scale = np.full(4 * hidden, 0.5)
        self._scale[2 * hidden:3 * hidden] = 1.0
        self._shift = np.full(4 * hidden, 0.5)
        self._shift[2 * hidden:3 * hidden] = 0.0

    def forward(self, x, hx=None):
        x = self._prepare(x)
        length, batch = x.shape[:2]
        hidden = self.hidden_size
        h0, c0 = (None, None) if hx is None else self._pair(hx)
        hs = np.empty((length + 1, batch, hidden))   # hs[t + 1] = h_t
        cs = np.empty((length + 1, batch, hidden))   # cs[t + 1] = c_t
        hs[0] = self._state(h0, "h0", batch)
        cs[0] = self._state(c0, "c0", batch)
        gates = x @ self.weight_ih.data.T             # (L, N, 4H): i, f, g, o
        gates += self.bias_ih.data + self.bias_hh.data
        w_hh_t = self.weight_hh.data.T
        scale, shift = self._scale, self._shift
        for t in range(length):
            z = gates[t]
            z += hs[t] @ w_hh_t
            z *= scale
            np.tanh(z, out=z)
            z *= scale
            z += shift                                # z now holds the activations
            i, f, g, o = (z[:, k * hidden:(k + 1) * hidden] for k in range(4))
            c = cs[t + 1]
            np.multiply(f, cs[t], out=c)
            c += i * g
            np.multiply(o, np.tanh(c), out=hs[t + 1])
        self._x, self._hs, self._cs, self._acts = x, hs, cs, gates
        # copies: backward needs hs and cs unchanged, whatever the caller does to the outputs
        return (self._from_time_major(hs[1:].copy()),
                (self._state_out(hs[-1].copy()), self._state_out(cs[-1].copy())))

    def _pair(self, hx):
        """``hx`` as ``(h0, c0)``, or a plain error saying what ``hx`` should be."""
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            got = (f"an array of shape {np.shape(hx)}" if isinstance(hx, np.ndarray)
                   else f"a {type(hx).__name__} of length {len(hx)}"
                   if isinstance(hx, (tuple, list)) else repr(hx))
            raise TypeError(f"LSTM: hx must be a pair (h0, c0) of states of shape "
                            f"(1, N, {self.hidden_size}), or None for zeros; got {got}")
        return hx

    def backward(self, grad_output, grad_h_n=None, grad_c_n=None):
        """Backpropagation through time; see the class docstring.

        ``grad_output`` is ``dL/d output``; ``grad_h_n`` and ``grad_c_n``
        (optional) are ``dL/d h_n`` and ``dL/d c_n``. Returns ``dL/d input``;
        ``dL/d h0`` and ``dL/d c0`` are stored in ``self.grad_h0``, ``self.grad_c0``.
        """
        g_out = self._check_grad_output(grad_output)
        x, hs, cs, acts = self._x, self._hs, self._cs, self._acts
        length, batch = x.shape[:2]
        hidden = self.hidden_size
        sl = [slice(k * hidden, (k + 1) * hidden) for k in range(4)]
        # Derivative of each gate's activation, for all steps at once:
        # sigmoid' = s (1 - s) for i, f, o; tanh' = 1 - g^2 for g.
        dact = acts * (1.0 - acts)
        gg = acts[:, :, sl[2]]
        dact[:, :, sl[2]] = 1.0 - gg * gg
        tanh_c = np.tanh(cs[1:])
        dz = np.empty_like(acts)
        dh = self._grad_state(grad_h_n, "grad_h_n", batch)
        dc = self._grad_state(grad_c_n, "grad_c_n", batch)
        w_hh = self.weight_hh.data
        for t in range(length - 1, -1, -1):
            a, d, tc = acts[t], dz[t], tanh_c[t]
            dh += g_out[t]
            o = a[:, sl[3]]
            dc += dh * o * (1.0 - tc * tc)
            np.multiply(dc, a[:, sl[2]], out=d[:, sl[0]])   # di = dc * g
            np.multiply(dc, cs[t], out=d[:, sl[1]])         # df = dc * c_{t-1}
            np.multiply(dc, a[:, sl[0]], out=d[:, sl[2]])   # dg = dc * i
            np.multiply(dh, tc, out=d[:, sl[3]])            # do = dh * tanh(c_t)
            d *= dact[t]                                    # through the activations
            dc *= a[:, sl[1]]                               # dc_{t-1} = dc * f
            dh = d @ w_hh
        self.grad_h0 = self._state_out(dh)
        self.grad_c0 = self._state_out(dc)
        return self._weight_grads_and_input_grad(dz, x, hs)
