"""Finite-difference gradient checks shared by the engine's tests.

Central differences in float64: ``df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``,
whose error is about ``eps^2`` (truncation) plus ``1e-16 / eps`` (rounding).
"""

import numpy as np

EPS = 1e-6
RTOL = 1e-6
ATOL = 1e-8


def normal(*shape, seed=0):
    """A float64 array of the given shape, standard normal, from ``seed``."""
    return np.random.default_rng(seed).normal(size=shape)


def numerical_gradient(f, x, eps=EPS):
    """Gradient of the scalar function ``f()`` wrt the array ``x``, which ``f``
    reads and which is perturbed in place (and restored) one element at a time."""
    grad = np.zeros(x.shape)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    assert np.shares_memory(flat_x, x), "x must be contiguous to be perturbed in place"
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + eps
        plus = f()
        flat_x[i] = original - eps
        minus = f()
        flat_x[i] = original
        flat_grad[i] = (plus - minus) / (2 * eps)
    return grad


def assert_close(actual, expected, what, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol,
                               err_msg=f"gradient mismatch: {what}")


def check_module(module, x, *, rng=0, forward_kwargs=None, extra_grads=()):
    """Check ``module.backward`` against finite differences.

    The scalar tested is ``L = sum(R * module(x))`` with a fixed random ``R``, so
    ``dL/d output = R``. Checks ``dL/dx`` (the return value of backward) and
    ``dL/dp`` for every parameter ``p`` (accumulated into ``p.grad``).
    ``forward_kwargs`` are passed to every forward call. Returns the analytic
    input gradient.
    """
    rng = np.random.default_rng(rng)
    kwargs = forward_kwargs or {}
    x = np.array(x, dtype=np.float64)
    out = module(x, **kwargs)
    weights = rng.normal(size=np.shape(out))

    def loss():
        return float(np.sum(weights * module(x, **kwargs)))

    module.zero_grad()
    module(x, **kwargs)
    grad_x = module.backward(weights)
    assert grad_x.shape == x.shape
    analytic = {name: p.grad.copy() for name, p in module.named_parameters()}
    assert_close(grad_x, numerical_gradient(loss, x), f"{type(module).__name__} input")
    for name, param in module.named_parameters():
        assert_close(analytic[name], numerical_gradient(loss, param.data),
                     f"{type(module).__name__}.{name}")
    return grad_x


def check_loss(criterion, x, target):
    """Check ``criterion.backward()`` (``dL/d input``) against finite differences."""
    x = np.array(x, dtype=np.float64)
    criterion(x, target)
    analytic = criterion.backward()
    assert analytic.shape == x.shape
    numeric = numerical_gradient(lambda: criterion(x, target), x)
    assert_close(analytic, numeric, type(criterion).__name__)
    return analytic


def check_derivative(f, derivative, x, eps=EPS):
    """Check an elementwise derivative ``derivative(x)`` of ``f`` at every ``x``."""
    x = np.asarray(x, dtype=np.float64)
    numeric = (f(x + eps) - f(x - eps)) / (2 * eps)
    assert_close(derivative(x), numeric, getattr(f, "__name__", str(f)))
