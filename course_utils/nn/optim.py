"""Optimizers: the rules that turn gradients into weight updates.

The classes have the names, argument orders and defaults of ``torch.optim``
(``SGD``, ``Adam``, ``AdamW``, ``Adagrad``, ``RMSprop``, ``Adadelta``). Each holds a list of
``Parameter`` objects (each with ``.data`` and ``.grad``) and one state dict per
parameter. The base class :class:`Optimizer` does what all of them share: it
checks the arguments, skips parameters without a gradient, adds weight decay to
the gradient, creates the state and counts the steps. Each optimizer then only
writes its own rule, in a short ``_update`` method whose equations are in the
class docstring.

Notation in the docstrings: ``theta`` is a parameter, ``g`` its gradient, ``t`` the
step number counted from 1, ``lr`` the learning rate; operations on arrays are
element-wise.

Simplifications compared with PyTorch: no parameter groups (one set of
hyperparameters for all parameters; change them through attributes such as
``optimizer.lr``), no ``maximize``/``foreach``/``fused`` options (on a small network
``step()`` does what ``foreach`` does by itself: see :mod:`.foreach`), and
``zero_grad()`` fills the gradients with zeros instead of setting them to ``None``.
The update equations themselves are PyTorch's, option for option.

Learning-rate schedulers (``StepLR``, ``CosineAnnealingLR``, ``LinearLR``) are in
``optim.lr_scheduler``, as in PyTorch (module :mod:`course_utils.nn.lr_scheduler`).
"""

import math

import numpy as np

from .foreach import OneVector

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adadelta", "lr_scheduler"]


def _check_number(name, value, why, *, low=0.0, high=None, high_inclusive=False):
    """Raise a ValueError naming the argument unless ``low <= value (<|<=) high``."""
    try:
        ok = math.isfinite(value) and value >= low
    except TypeError:
        raise TypeError(f"{name} must be a number; got {value!r}") from None
    if ok and high is not None:
        ok = value <= high if high_inclusive else value < high
    if not ok:
        upper = "" if high is None else (f" and <= {high}" if high_inclusive else f" and < {high}")
        raise ValueError(f"{name} must be >= {low}{upper} ({why}); got {value!r}")


#: The hyperparameters that several optimizers share, each a number >= 0, and why.
_WHY = {"lr": "the learning rate is a step size",
        "weight_decay": "it is the strength of an L2 penalty",
        "eps": "it only keeps a division away from zero",
        "momentum": "it is the fraction of the velocity kept"}


class Optimizer:
    """Base class: holds the parameters, the hyperparameters and one state dict per
    parameter, and runs the shared part of every step.

    ``params`` is an iterable of ``Parameter`` objects (anything with ``.data``, a
    float numpy array, and ``.grad``, an array of the same shape or ``None``), for
    example ``model.parameters()``. The keyword arguments become attributes
    (``optimizer.lr`` ...); those named in ``_WHY`` (``lr``, ``weight_decay``, ``eps``,
    ``momentum``) are checked here to be numbers >= 0.

    A subclass checks its other hyperparameters, creates its buffers in
    ``_init_state(state, param)`` and writes its rule in ``_update(param, g, state)``,
    which updates the array ``param`` in place from ``g = grad + weight_decay * param``;
    ``state["step"]`` is then ``t``. A subclass with ``decoupled_weight_decay = True``
    (``AdamW``) instead shrinks the parameter, ``param *= 1 - lr * weight_decay``, and
    passes ``g = grad``.

    ``optimizer.state[i]`` is the state dict of ``optimizer.params[i]``.
    """

    decoupled_weight_decay = False

    def __init__(self, params, **hyperparameters):
        if hasattr(params, "data") and hasattr(params, "grad"):
            raise TypeError("params must be an iterable of Parameters, e.g. model.parameters(); "
                            "got a single Parameter (wrap it in a list)")
        try:
            params = list(params)
        except TypeError:
            raise TypeError("params must be an iterable of Parameters, e.g. model.parameters(); "
                            f"got {type(params).__name__}") from None
        if not params:
            raise ValueError("the optimizer got an empty list of parameters: there is nothing "
                             "to train (does the model have any layers with weights?)")
        for i, p in enumerate(params):
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                hint = " (pass model.parameters())" if hasattr(p, "parameters") else ""
                raise TypeError(f"params[{i}] is a {type(p).__name__}, not a Parameter "
                                f"(an object with .data and .grad){hint}")
        self.params = params
        self.state = [{} for _ in params]
        for name, value in hyperparameters.items():
            if name in _WHY:
                _check_number(name, value, _WHY[name])
            setattr(self, name, value)

    def zero_grad(self):
        """Set every gradient to zero (in place), ready for the next backward pass.

        PyTorch sets them to ``None`` by default; filling with zeros is equivalent
        here because ``step()`` only reads the gradients.
        """
        for p in self.params:
            if p.grad is not None:
                p.grad.fill(0)

    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()`` if given.

        ``closure`` (optional) recomputes the loss, as in PyTorch.
        """
        loss = closure() if closure is not None else None
        todo = []
        for p, state in zip(self.params, self.state):
            grad, param = p.grad, p.data
            if grad is None:
                continue
            if getattr(grad, "shape", None) != param.shape:
                raise ValueError(f"a gradient has shape {np.shape(grad)} but its parameter has "
                                 f"shape {param.shape}; it must be a numpy array of that "
                                 f"shape (got a {type(grad).__name__})")
            todo.append((p, state))
        if self._one_vector is None:  # the first step decides (see OneVector)
            self._one_vector = OneVector.of(self.params, self.state, self.ALL_AT_ONCE_LIMIT)
        if self._one_vector and self._one_vector.fits(self.params):
            self._step_one_vector(self._one_vector)
        else:
            self._one_vector = False  # the states may now differ in step: never again
            for p, state in todo:
                self._step_one(p.data, p.grad, state)
        return loss

    #: Up to this many numbers in all, step() updates all parameters as one vector
    #: (see OneVector); on larger networks the copies cost more than the calls they save.
    ALL_AT_ONCE_LIMIT = 100_000
    _one_vector = None

    def _step_one(self, param, grad, state):
        """The shared part of a step for one parameter array, then the rule."""
        if not state:
            state["step"] = 0
            self._init_state(state, param)
        state["step"] += 1
        weight_decay = self.weight_decay
        if weight_decay != 0 and self.decoupled_weight_decay:
            param *= 1 - self.lr * weight_decay
            g = grad
        else:
            g = grad + weight_decay * param if weight_decay != 0 else grad
        self._update(param, g, state)

    def _step_one_vector(self, one):
        np.concatenate([p.data.ravel() for p in self.params], out=one.param)
        np.concatenate([p.grad.ravel() for p in self.params], out=one.grad)
        self._step_one(one.param, one.grad, one.state)
        for p, view in zip(self.params, one.parts(one.param)):
            p.data[...] = view
        for own in self.state:
            own["step"] = one.state["step"]
        if len(one.state) > len(self.state[0]):  # the rule made a buffer
            one.share(self.state)

    def __setstate__(self, attributes):  # (copy.deepcopy and pickle call it)
        self.__dict__.update(attributes)
        if self._one_vector:
            self._one_vector.share(self.state)

    def _init_state(self, state, param):
        """Create the rule's buffers in ``state`` before the first step (none here)."""

    def _update(self, param, g, state):  # pragma: no cover - overridden
        raise NotImplementedError

    def __repr__(self):
        settings = ", ".join(f"{k}={v!r}" for k, v in self._hyperparameters().items())
        return f"{type(self).__name__}({settings})"

    def _hyperparameters(self):
        return {k: v for k, v in vars(self).items()
                if k not in ("params", "state") and not k.startswith("_")}


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    ``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False)``,
    as ``torch.optim.SGD``::

        g = grad + weight_decay * theta
        if momentum != 0:
            b = g                                   at the first step (no dampening)
            b = momentum * b + (1 - dampening) * g  afterwards
            g = g + momentum * b   if nesterov else   g = b
        theta = theta - lr * g

    ``state`` holds ``step`` and ``momentum_buffer`` (the velocity ``b``). Nesterov
    momentum needs ``momentum > 0`` and ``dampening == 0``.
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False):
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening,
                         weight_decay=weight_decay, nesterov=nesterov)
        _check_number("dampening", dampening, "it scales down the new gradient", high=1,
                      high_inclusive=True)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0; "
                             f"got momentum={momentum!r}, dampening={dampening!r}")

    def _update(self, param, g, state):
        lr, momentum, dampening = self.lr, self.momentum, self.dampening
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(g, dtype=param.dtype, copy=True)
            else:
                buf *= momentum
                buf += (1 - dampening) * g
            g = g + momentum * buf if self.nesterov else buf
        param -= lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): momentum on the gradient, step size scaled by its
    running RMS.

    ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)``,
    as ``torch.optim.Adam``::

        g     = grad + weight_decay * theta
        m     = beta1 * m + (1 - beta1) * g          first moment, starts at 0
        v     = beta2 * v + (1 - beta2) * g**2       second moment, starts at 0
        m_hat = m / (1 - beta1**t)                   bias corrections
        v_hat = v / (1 - beta2**t)
        (amsgrad: v_max = max(v_max, v);  v_hat = v_max / (1 - beta2**t))
        theta = theta - lr * m_hat / (sqrt(v_hat) + eps)

    ``eps`` is added *after* the square root. Weight decay here is the classic L2
    term added to the gradient, so it is divided by ``sqrt(v_hat)`` like the rest of
    the gradient; :class:`AdamW` decouples it. ``state`` holds ``step``, ``exp_avg`` (m),
    ``exp_avg_sq`` (v) and, with amsgrad, ``max_exp_avg_sq`` (v_max).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):
        try:
            betas = tuple(betas)
        except TypeError:
            raise TypeError(f"betas must be a pair (beta1, beta2); got {betas!r}") from None
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2); got {betas!r}")
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)
        _check_number("betas[0]", betas[0], "it is the decay rate of the first moment", high=1)
        _check_number("betas[1]", betas[1], "it is the decay rate of the second moment", high=1)

    def _init_state(self, state, param):
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)

    def _update(self, param, g, state):
        lr, (beta1, beta2), eps, t = self.lr, self.betas, self.eps, state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * (g * g)
        if self.amsgrad:
            v_max = state["max_exp_avg_sq"]
            np.maximum(v_max, v, out=v_max)
            v = v_max
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        param -= lr * m_hat / (np.sqrt(v_hat) + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    ``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)``,
    as ``torch.optim.AdamW`` (note the default decay, 0.01)::

        theta = theta * (1 - lr * weight_decay)      shrink every weight, first
        then Adam's rule with g = grad               (no decay term in g)

    In :class:`Adam` the decay joins the gradient and is divided by ``sqrt(v_hat)``: a
    weight with large gradients is hardly pulled to 0. Here every weight shrinks alike.
    """

    decoupled_weight_decay = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011): each weight's step shrinks with the sum of its
    squared gradients.

    ``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10)``, as ``torch.optim.Adagrad``::

        g     = grad + weight_decay * theta
        clr   = lr / (1 + (t - 1) * lr_decay)       decayed learning rate
        s     = s + g**2                             s starts at initial_accumulator_value
        theta = theta - clr * g / (sqrt(s) + eps)

    ``state`` holds ``step`` and ``sum`` (s).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10):
        super().__init__(params, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                         initial_accumulator_value=initial_accumulator_value, eps=eps)
        _check_number("lr_decay", lr_decay, "it slows the learning rate down over time")
        _check_number("initial_accumulator_value", initial_accumulator_value,
                      "it is the starting sum of squared gradients")

    def _init_state(self, state, param):
        state["sum"] = np.full_like(param, self.initial_accumulator_value)

    def _update(self, param, g, state):
        lr, lr_decay, eps, t = self.lr, self.lr_decay, self.eps, state["step"]
        clr = lr / (1 + (t - 1) * lr_decay)
        s = state["sum"]
        s += g * g
        param -= clr * g / (np.sqrt(s) + eps)


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture notes, 2012): the step is divided by a running RMS of
    recent gradients.

    ``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False)``, as ``torch.optim.RMSprop``::

        g = grad + weight_decay * theta
        v = alpha * v + (1 - alpha) * g**2           v starts at 0
        if centered:                                 subtract the squared mean gradient
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v - g_avg**2
        else:
            v_tilde = v
        if momentum > 0:
            b = momentum * b + g / (sqrt(v_tilde) + eps)     b starts at 0
            theta = theta - lr * b
        else:
            theta = theta - lr * g / (sqrt(v_tilde) + eps)

    ``eps`` is added *outside* the square root. ``state`` holds ``step``,
    ``square_avg`` (v), and ``grad_avg`` / ``momentum_buffer`` when used.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                         momentum=momentum, centered=centered)
        _check_number("alpha", alpha, "it is the decay rate of the squared-gradient average",
                      high=1, high_inclusive=True)

    def _init_state(self, state, param):
        state["square_avg"] = np.zeros_like(param)
        if self.centered:
            state["grad_avg"] = np.zeros_like(param)
        if self.momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)

    def _update(self, param, g, state):
        lr, alpha, eps, momentum = self.lr, self.alpha, self.eps, self.momentum
        v = state["square_avg"]
        v *= alpha
        v += (1 - alpha) * (g * g)
        if self.centered:
            g_avg = state["grad_avg"]
            g_avg *= alpha
            g_avg += (1 - alpha) * g
            v = v - g_avg * g_avg
        denom = np.sqrt(v) + eps
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += g / denom
            param -= lr * buf
        else:
            param -= lr * g / denom


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): step sizes from running averages of squared gradients
    and of squared updates.

    ``Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0)``, as
    ``torch.optim.Adadelta``::

        g     = grad + weight_decay * theta
        v     = rho * v + (1 - rho) * g**2                    v starts at 0
        delta = sqrt(u + eps) / sqrt(v + eps) * g             u starts at 0
        u     = rho * u + (1 - rho) * delta**2
        theta = theta - lr * delta

    ``eps`` is *inside* both square roots. The original paper has no learning rate
    (it is 1.0, PyTorch's default). ``state`` holds ``step``, ``square_avg`` (v) and
    ``acc_delta`` (u).
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        super().__init__(params, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        _check_number("rho", rho, "it is the decay rate of the running averages", high=1,
                      high_inclusive=True)

    def _init_state(self, state, param):
        state["square_avg"] = np.zeros_like(param)
        state["acc_delta"] = np.zeros_like(param)

    def _update(self, param, g, state):
        lr, rho, eps = self.lr, self.rho, self.eps
        v, u = state["square_avg"], state["acc_delta"]
        v *= rho
        v += (1 - rho) * (g * g)
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u *= rho
        u += (1 - rho) * (delta * delta)
        param -= lr * delta


# The learning-rate schedulers, reached as optim.lr_scheduler like torch.optim.lr_scheduler.
# Imported last: lr_scheduler.py imports Optimizer from this module.
from . import lr_scheduler  # noqa: E402
