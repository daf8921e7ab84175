"""Optimizers: the rules that turn gradients into weight updates.

The module has two layers, so the same maths serves two purposes:

1. **Update rules as plain functions** on numpy arrays (``sgd_update``,
   ``adam_update``, ``adagrad_update``, ``rmsprop_update``, ``adadelta_update``).
   Each takes the parameter array, its gradient and a ``state`` dict that the rule
   fills in on its first call (step count, moving averages ...). The parameter
   array is updated **in place** and also returned. A scene can race optimizers on
   a 2-D loss surface with nothing more than a point ``p = np.array([x, y])``:

       state = {}
       for _ in range(100):
           adam_update(p, grad_of_surface(p), state, lr=0.1)

2. **Classes** with the names, argument orders and defaults of ``torch.optim``
   (``SGD``, ``Adam``, ``Adagrad``, ``RMSprop``, ``Adadelta``). They hold a list of
   ``Parameter`` objects (each with ``.data`` and ``.grad``) and one state dict
   per parameter, and their ``step()`` calls the rule above on every parameter.

Notation in the docstrings: ``theta`` is a parameter, ``g`` its gradient, ``t`` the
step number counted from 1, ``lr`` the learning rate; operations on arrays are
element-wise.

Simplifications compared with PyTorch: no parameter groups (one set of
hyperparameters for all parameters; change them through attributes such as
``optimizer.lr``), no ``maximize``/``foreach``/``fused`` options, and
``zero_grad()`` fills the gradients with zeros instead of setting them to ``None``.
The update equations themselves are PyTorch's, option for option.
"""

import math

import numpy as np

__all__ = [
    "sgd_update",
    "adam_update",
    "adagrad_update",
    "rmsprop_update",
    "adadelta_update",
    "UPDATE_RULES",
    "Optimizer",
    "SGD",
    "Adam",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "OPTIMIZERS",
]


# --------------------------------------------------------------------------
# Argument checks shared by the functions and the classes
# --------------------------------------------------------------------------

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


def _check_lr(lr):
    _check_number("lr", lr, "the learning rate is a step size")


def _check_weight_decay(weight_decay):
    _check_number("weight_decay", weight_decay, "it is the strength of an L2 penalty")


def _check_eps(eps):
    _check_number("eps", eps, "it only keeps a division away from zero")


def _check_shapes(param, grad):
    if not isinstance(param, np.ndarray):
        raise TypeError(
            f"param must be a numpy array (it is updated in place); got {type(param).__name__}")
    if np.shape(grad) != param.shape:
        raise ValueError(
            f"grad has shape {np.shape(grad)} but param has shape {param.shape}; they must match")


def _with_weight_decay(param, grad, weight_decay):
    """``g + weight_decay * theta`` (a new array), or ``grad`` itself when there is no decay."""
    if weight_decay != 0:
        return grad + weight_decay * param
    return grad


# --------------------------------------------------------------------------
# 1. The update rules as plain functions
# --------------------------------------------------------------------------

def sgd_update(param, grad, state, lr=1e-3, momentum=0.0, dampening=0.0,
               weight_decay=0.0, nesterov=False):
    """One step of stochastic gradient descent (with optional momentum), in place.

    Equations (PyTorch's ``torch.optim.SGD``)::

        g = grad + weight_decay * theta
        if momentum != 0:
            b = g                                   at the first step (no dampening)
            b = momentum * b + (1 - dampening) * g  afterwards
            g = g + momentum * b   if nesterov else   g = b
        theta = theta - lr * g

    Parameters
    ----------
    param : ndarray, any shape; updated in place and returned.
    grad : ndarray, same shape as ``param``; not modified.
    state : dict, empty before the first step; holds ``step`` and
        ``momentum_buffer`` (the velocity ``b``) afterwards.
    lr, momentum, dampening, weight_decay : non-negative numbers.
    nesterov : bool, Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    """
    _check_shapes(param, grad)
    _check_lr(lr)
    _check_number("momentum", momentum, "it is the fraction of the velocity kept")
    _check_number("dampening", dampening, "it scales down the new gradient", high=1,
                  high_inclusive=True)
    _check_weight_decay(weight_decay)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("nesterov=True needs momentum > 0 and dampening = 0; "
                         f"got momentum={momentum!r}, dampening={dampening!r}")

    state["step"] = state.get("step", 0) + 1
    g = _with_weight_decay(param, grad, weight_decay)
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = np.array(g, dtype=param.dtype, copy=True)
        else:
            buf *= momentum
            buf += (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    param -= lr * g
    return param


def adam_update(param, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                weight_decay=0.0, amsgrad=False):
    """One step of Adam (Kingma & Ba, 2015), in place.

    Equations (PyTorch's ``torch.optim.Adam``)::

        g     = grad + weight_decay * theta
        m     = beta1 * m + (1 - beta1) * g          first moment, starts at 0
        v     = beta2 * v + (1 - beta2) * g**2       second moment, starts at 0
        m_hat = m / (1 - beta1**t)                   bias corrections
        v_hat = v / (1 - beta2**t)
        (amsgrad: v_max = max(v_max, v);  v_hat = v_max / (1 - beta2**t))
        theta = theta - lr * m_hat / (sqrt(v_hat) + eps)

    ``eps`` is added *after* the square root. Weight decay here is the classic L2
    term added to the gradient (decoupled weight decay is PyTorch's ``AdamW``,
    not implemented in the course).

    ``state`` holds ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with
    amsgrad, ``max_exp_avg_sq`` (v_max). Shapes as in :func:`sgd_update`.
    """
    _check_shapes(param, grad)
    _check_lr(lr)
    beta1, beta2 = betas
    _check_number("betas[0]", beta1, "it is the decay rate of the first moment", high=1)
    _check_number("betas[1]", beta2, "it is the decay rate of the second moment", high=1)
    _check_eps(eps)
    _check_weight_decay(weight_decay)

    if "step" not in state:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    state["step"] += 1
    t = state["step"]
    m, v = state["exp_avg"], state["exp_avg_sq"]

    g = _with_weight_decay(param, grad, weight_decay)
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * (g * g)
    if amsgrad:
        v_max = state.setdefault("max_exp_avg_sq", np.zeros_like(param))
        np.maximum(v_max, v, out=v_max)
        v = v_max
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    param -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return param


def adagrad_update(param, grad, state, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                   initial_accumulator_value=0.0, eps=1e-10):
    """One step of Adagrad (Duchi et al., 2011), in place.

    Equations (PyTorch's ``torch.optim.Adagrad``)::

        g     = grad + weight_decay * theta
        clr   = lr / (1 + (t - 1) * lr_decay)       decayed learning rate
        s     = s + g**2                             s starts at initial_accumulator_value
        theta = theta - clr * g / (sqrt(s) + eps)

    ``state`` holds ``step`` and ``sum`` (s). Shapes as in :func:`sgd_update`.
    """
    _check_shapes(param, grad)
    _check_lr(lr)
    _check_number("lr_decay", lr_decay, "it slows the learning rate down over time")
    _check_weight_decay(weight_decay)
    _check_number("initial_accumulator_value", initial_accumulator_value,
                  "it is the starting sum of squared gradients")
    _check_eps(eps)

    if "step" not in state:
        state["step"] = 0
        state["sum"] = np.full_like(param, initial_accumulator_value)
    state["step"] += 1
    t = state["step"]

    g = _with_weight_decay(param, grad, weight_decay)
    clr = lr / (1 + (t - 1) * lr_decay)
    s = state["sum"]
    s += g * g
    param -= clr * g / (np.sqrt(s) + eps)
    return param


def rmsprop_update(param, grad, state, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                   momentum=0.0, centered=False):
    """One step of RMSprop (Hinton's lecture notes, 2012), in place.

    Equations (PyTorch's ``torch.optim.RMSprop``)::

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
    Shapes as in :func:`sgd_update`.
    """
    _check_shapes(param, grad)
    _check_lr(lr)
    _check_number("alpha", alpha, "it is the decay rate of the squared-gradient average",
                  high=1, high_inclusive=True)
    _check_eps(eps)
    _check_weight_decay(weight_decay)
    _check_number("momentum", momentum, "it is the fraction of the velocity kept")

    if "step" not in state:
        state["step"] = 0
        state["square_avg"] = np.zeros_like(param)
    state["step"] += 1

    g = _with_weight_decay(param, grad, weight_decay)
    v = state["square_avg"]
    v *= alpha
    v += (1 - alpha) * (g * g)
    if centered:
        g_avg = state.setdefault("grad_avg", np.zeros_like(param))
        g_avg *= alpha
        g_avg += (1 - alpha) * g
        v = v - g_avg * g_avg
    denom = np.sqrt(v) + eps
    if momentum > 0:
        buf = state.setdefault("momentum_buffer", np.zeros_like(param))
        buf *= momentum
        buf += g / denom
        param -= lr * buf
    else:
        param -= lr * g / denom
    return param


def adadelta_update(param, grad, state, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    """One step of Adadelta (Zeiler, 2012), in place.

    Equations (PyTorch's ``torch.optim.Adadelta``)::

        g     = grad + weight_decay * theta
        v     = rho * v + (1 - rho) * g**2                    v starts at 0
        delta = sqrt(u + eps) / sqrt(v + eps) * g             u starts at 0
        u     = rho * u + (1 - rho) * delta**2
        theta = theta - lr * delta

    ``eps`` is *inside* both square roots. The original paper has no learning
    rate (it is 1.0, PyTorch's default). ``state`` holds ``step``, ``square_avg``
    (v) and ``acc_delta`` (u). Shapes as in :func:`sgd_update`.
    """
    _check_shapes(param, grad)
    _check_lr(lr)
    _check_number("rho", rho, "it is the decay rate of the running averages", high=1,
                  high_inclusive=True)
    _check_eps(eps)
    _check_weight_decay(weight_decay)

    if "step" not in state:
        state["step"] = 0
        state["square_avg"] = np.zeros_like(param)
        state["acc_delta"] = np.zeros_like(param)
    state["step"] += 1

    g = _with_weight_decay(param, grad, weight_decay)
    v, u = state["square_avg"], state["acc_delta"]
    v *= rho
    v += (1 - rho) * (g * g)
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u *= rho
    u += (1 - rho) * (delta * delta)
    param -= lr * delta
    return param


#: Name -> update function, for scenes that race optimizers on a surface.
UPDATE_RULES = {
    "SGD": sgd_update,
    "Adam": adam_update,
    "Adagrad": adagrad_update,
    "RMSprop": rmsprop_update,
    "Adadelta": adadelta_update,
}


# --------------------------------------------------------------------------
# 2. Classes with torch.optim's interface
# --------------------------------------------------------------------------

class Optimizer:
    """Base class: holds the parameters and one state dict per parameter.

    ``params`` is an iterable of ``Parameter`` objects (anything with ``.data``, a
    float numpy array, and ``.grad``, an array of the same shape or ``None``), for
    example ``model.parameters()``. Subclasses set their hyperparameters as
    attributes and implement ``_update(data, grad, state)``.

    ``optimizer.state[i]`` is the state dict of ``optimizer.params[i]``.
    """

    def __init__(self, params):
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

    def zero_grad(self):
        """Set every gradient to zero (in place), ready for the next backward pass.

        PyTorch sets them to ``None`` by default; filling with zeros is equivalent
        here because ``step()`` only reads the gradients.
        """
        for p in self.params:
            if p.grad is not None:
                p.grad[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()`` if given.

        ``closure`` (optional) recomputes the loss, as in PyTorch.
        """
        loss = closure() if closure is not None else None
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                self._update(p.data, p.grad, state)
        return loss

    def _update(self, data, grad, state):  # pragma: no cover - overridden
        raise NotImplementedError

    def __repr__(self):
        settings = ", ".join(f"{k}={v!r}" for k, v in self._hyperparameters().items())
        return f"{type(self).__name__}({settings})"

    def _hyperparameters(self):
        return {k: v for k, v in vars(self).items() if k not in ("params", "state")}


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    ``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False)``,
    as ``torch.optim.SGD``. The update equations are in :func:`sgd_update`.
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False):
        super().__init__(params)
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        # Check the arguments once, now, with the same messages as the rule.
        sgd_update(np.zeros(1), np.zeros(1), {}, **self._hyperparameters())

    def _update(self, data, grad, state):
        sgd_update(data, grad, state, self.lr, self.momentum, self.dampening,
                   self.weight_decay, self.nesterov)


class Adam(Optimizer):
    """Adam: momentum on the gradient, step size scaled by its running RMS.

    ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)``,
    as ``torch.optim.Adam``. The update equations are in :func:`adam_update`.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):
        super().__init__(params)
        try:
            betas = tuple(betas)
        except TypeError:
            raise TypeError(f"betas must be a pair (beta1, beta2); got {betas!r}") from None
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2); got {betas!r}")
        self.lr, self.betas, self.eps = lr, betas, eps
        self.weight_decay, self.amsgrad = weight_decay, amsgrad
        adam_update(np.zeros(1), np.zeros(1), {}, **self._hyperparameters())

    def _update(self, data, grad, state):
        adam_update(data, grad, state, self.lr, self.betas, self.eps, self.weight_decay,
                    self.amsgrad)


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients.

    ``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10)``, as ``torch.optim.Adagrad``. Equations in :func:`adagrad_update`.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10):
        super().__init__(params)
        self.lr, self.lr_decay, self.weight_decay = lr, lr_decay, weight_decay
        self.initial_accumulator_value, self.eps = initial_accumulator_value, eps
        adagrad_update(np.zeros(1), np.zeros(1), {}, **self._hyperparameters())

    def _update(self, data, grad, state):
        adagrad_update(data, grad, state, self.lr, self.lr_decay, self.weight_decay,
                       self.initial_accumulator_value, self.eps)


class RMSprop(Optimizer):
    """RMSprop: the step is divided by a running RMS of recent gradients.

    ``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False)``, as ``torch.optim.RMSprop``. Equations in :func:`rmsprop_update`.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        super().__init__(params)
        self.lr, self.alpha, self.eps, self.weight_decay = lr, alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered
        rmsprop_update(np.zeros(1), np.zeros(1), {}, **self._hyperparameters())

    def _update(self, data, grad, state):
        rmsprop_update(data, grad, state, self.lr, self.alpha, self.eps, self.weight_decay,
                       self.momentum, self.centered)


class Adadelta(Optimizer):
    """Adadelta: step sizes from running averages of squared gradients and updates.

    ``Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0)``, as
    ``torch.optim.Adadelta``. Equations in :func:`adadelta_update`.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        super().__init__(params)
        self.lr, self.rho, self.eps, self.weight_decay = lr, rho, eps, weight_decay
        adadelta_update(np.zeros(1), np.zeros(1), {}, **self._hyperparameters())

    def _update(self, data, grad, state):
        adadelta_update(data, grad, state, self.lr, self.rho, self.eps, self.weight_decay)


#: Name -> optimizer class, for dropdown widgets.
OPTIMIZERS = {
    "SGD": SGD,
    "Adam": Adam,
    "Adagrad": Adagrad,
    "RMSprop": RMSprop,
    "Adadelta": Adadelta,
}
