"""Tests of course_utils.nn.optim against the update equations written out by hand.

The references below loop over single Python floats with the math module,
independently of the vectorised code under test. Tiny gradients (1e-5) make the
placement of eps visible: putting it inside instead of outside a square root
changes the step by orders of magnitude.
"""

import inspect
import math

import numpy as np
import pytest

from course_utils.nn import optim
from course_utils.nn.optim import SGD, Adadelta, Adagrad, Adam, RMSprop

try:
    from test_nn_torch_reference import reference_signatures
except ImportError:  # tests/ imported as a package
    from tests.test_nn_torch_reference import reference_signatures


class P:
    """A minimal parameter: the optimizers need only .data and .grad."""

    def __init__(self, data):
        self.data = np.array(data, dtype=float)
        self.grad = np.zeros_like(self.data)


NAMES = ["SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adadelta"]
OPTIMIZERS = {name: getattr(optim, name) for name in NAMES}


P0 = [0.5, -1.5, 2.0]
GRADS = [[0.3, -0.2, 1.0], [0.1, 0.4, -0.5], [-0.2, 0.05, 0.7], [0.6, -0.3, 0.2]]
TINY = [[1e-5, -2e-5, 3e-5], [2e-5, 1e-5, -1e-5], [-1e-5, 3e-5, 2e-5]]


# ---------------------------------------------------------------- references

def ref_sgd(p0, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    out = []
    for i, p in enumerate(p0):
        b = None
        for gs in grads:
            g = gs[i] + weight_decay * p
            if momentum:
                b = g if b is None else momentum * b + (1 - dampening) * g
                g = g + momentum * b if nesterov else b
            p = p - lr * g
        out.append(p)
    return out


def ref_adam(p0, grads, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False):
    out = []
    for i, p in enumerate(p0):
        m = v = vmax = 0.0
        for t, gs in enumerate(grads, start=1):
            g = gs[i] + weight_decay * p
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            vmax = max(vmax, v)
            m_hat = m / (1 - beta1 ** t)
            v_hat = (vmax if amsgrad else v) / (1 - beta2 ** t)
            p = p - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(p)
    return out


def ref_adagrad(p0, grads, lr, lr_decay=0.0, weight_decay=0.0, init=0.0, eps=1e-10):
    out = []
    for i, p in enumerate(p0):
        s = init
        for t, gs in enumerate(grads, start=1):
            g = gs[i] + weight_decay * p
            clr = lr / (1 + (t - 1) * lr_decay)
            s = s + g * g
            p = p - clr * g / (math.sqrt(s) + eps)
        out.append(p)
    return out


def ref_rmsprop(p0, grads, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False):
    out = []
    for i, p in enumerate(p0):
        v = g_avg = b = 0.0
        for gs in grads:
            g = gs[i] + weight_decay * p
            v = alpha * v + (1 - alpha) * g * g
            v_tilde = v
            if centered:
                g_avg = alpha * g_avg + (1 - alpha) * g
                v_tilde = v - g_avg * g_avg
            if momentum > 0:
                b = momentum * b + g / (math.sqrt(v_tilde) + eps)
                p = p - lr * b
            else:
                p = p - lr * g / (math.sqrt(v_tilde) + eps)
        out.append(p)
    return out


def ref_adadelta(p0, grads, lr, rho=0.9, eps=1e-6, weight_decay=0.0):
    out = []
    for i, p in enumerate(p0):
        v = u = 0.0
        for gs in grads:
            g = gs[i] + weight_decay * p
            v = rho * v + (1 - rho) * g * g
            delta = math.sqrt(u + eps) / math.sqrt(v + eps) * g
            u = rho * u + (1 - rho) * delta * delta
            p = p - lr * delta
        out.append(p)
    return out


def run(cls, grads, p0=P0, **kw):
    """``(data, optimizer)`` after one ``step()`` per gradient in ``grads``."""
    param = P(p0)
    opt = cls([param], **kw)
    for g in grads:
        step(opt, g)
    return param.data, opt


def step(opt, g):
    """One step of ``opt`` (on one parameter) with gradient ``g``."""
    opt.zero_grad()
    opt.params[0].grad += np.array(g, dtype=float)
    opt.step()


# (class, reference, keyword arguments for the class, keywords for the reference)
CASES = [
    (SGD, ref_sgd, dict(lr=0.1), dict(lr=0.1)),
    (SGD, ref_sgd, dict(lr=0.1, momentum=0.9), dict(lr=0.1, momentum=0.9)),
    (SGD, ref_sgd, dict(lr=0.1, momentum=0.8, dampening=0.5),
     dict(lr=0.1, momentum=0.8, dampening=0.5)),
    (SGD, ref_sgd, dict(lr=0.1, momentum=0.9, nesterov=True),
     dict(lr=0.1, momentum=0.9, nesterov=True)),
    (SGD, ref_sgd, dict(lr=0.1, momentum=0.5, weight_decay=0.1),
     dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    (Adam, ref_adam, dict(lr=0.01), dict(lr=0.01)),
    (Adam, ref_adam, dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6),
     dict(lr=0.01, beta1=0.8, beta2=0.9, eps=1e-6)),
    (Adam, ref_adam, dict(lr=0.01, weight_decay=0.1),
     dict(lr=0.01, weight_decay=0.1)),
    (Adam, ref_adam, dict(lr=0.01, amsgrad=True), dict(lr=0.01, amsgrad=True)),
    (Adagrad, ref_adagrad, dict(lr=0.1), dict(lr=0.1)),
    (Adagrad, ref_adagrad, dict(lr=0.1, lr_decay=0.5),
     dict(lr=0.1, lr_decay=0.5)),
    (Adagrad, ref_adagrad,
     dict(lr=0.1, initial_accumulator_value=0.2, weight_decay=0.1),
     dict(lr=0.1, init=0.2, weight_decay=0.1)),
    (RMSprop, ref_rmsprop, dict(lr=0.01), dict(lr=0.01)),
    (RMSprop, ref_rmsprop, dict(lr=0.01, momentum=0.9),
     dict(lr=0.01, momentum=0.9)),
    (RMSprop, ref_rmsprop, dict(lr=0.01, centered=True, alpha=0.9),
     dict(lr=0.01, centered=True, alpha=0.9)),
    (RMSprop, ref_rmsprop,
     dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1),
     dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1)),
    (Adadelta, ref_adadelta, dict(), dict(lr=1.0)),
    (Adadelta, ref_adadelta, dict(lr=0.5, rho=0.8, weight_decay=0.1),
     dict(lr=0.5, rho=0.8, weight_decay=0.1)),
]
CASE_IDS = [f"{c[0].__name__}-{sorted(c[2].items())}" for c in CASES]


@pytest.mark.parametrize("grads", [GRADS, TINY], ids=["unit", "tiny"])
@pytest.mark.parametrize("cls, ref, kw, ref_kw", CASES, ids=CASE_IDS)
def test_optimizer_follows_the_equations(cls, ref, kw, ref_kw, grads):
    expected = ref(P0, grads, **ref_kw)
    data, opt = run(cls, grads, **kw)
    np.testing.assert_allclose(data, expected, rtol=1e-12, atol=1e-15)
    assert opt.state[0]["step"] == len(grads)


# ------------------------------------------------------- hand-computed numbers

def test_sgd_plain_steps_by_hand():
    p, _ = run(SGD, [[1.0, -2.0]] * 3, p0=[1.0, 1.0], lr=0.1)
    np.testing.assert_allclose(p, [1.0 - 0.3, 1.0 + 0.6], rtol=1e-14)


def test_sgd_momentum_buffer_starts_at_first_gradient_without_dampening():
    # step 1: b = g1 = 2 (not (1 - 0.5) * 2), p = 1 - 0.1 * 2 = 0.8
    # step 2: b = 0.9 * 2 + 0.5 * 1 = 2.3, p = 0.8 - 0.23 = 0.57
    p, opt = run(SGD, [[2.0]], p0=[1.0], lr=0.1, momentum=0.9, dampening=0.5)
    assert p[0] == pytest.approx(0.8, rel=1e-14)
    step(opt, [1.0])
    assert p[0] == pytest.approx(0.57, rel=1e-14)
    assert opt.state[0]["momentum_buffer"][0] == pytest.approx(2.3, rel=1e-14)


def test_sgd_nesterov_first_step_by_hand():
    # b = g = 1, g_nesterov = g + 0.9 * b = 1.9, p = 0 - 0.1 * 1.9
    p, _ = run(SGD, [[1.0]], p0=[0.0], lr=0.1, momentum=0.9, nesterov=True)
    assert p[0] == pytest.approx(-0.19, rel=1e-14)


def test_sgd_momentum_buffer_is_a_copy_of_the_gradient():
    _, opt = run(SGD, [[2.0]], p0=[1.0], lr=0.1, momentum=0.9)
    opt.zero_grad()  # fills the gradient with 0 in place; the buffer must not change
    assert opt.state[0]["momentum_buffer"][0] == 2.0


def test_adam_eps_is_added_after_the_square_root():
    # first step: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps)
    g = 1e-5
    p, _ = run(Adam, [[g]], p0=[0.0], lr=0.1)
    assert p[0] == pytest.approx(-0.1 * g / (g + 1e-8), rel=1e-12)
    assert abs(p[0]) > 0.09  # eps inside the sqrt would give a step ten times smaller


def test_adam_bias_correction_makes_first_step_lr_sized():
    p, _ = run(Adam, [[3.0, -0.02]], p0=[0.0, 0.0], lr=0.01, eps=0.0)
    np.testing.assert_allclose(p, [-0.01, 0.01], rtol=1e-12)


def test_amsgrad_uses_the_largest_second_moment():
    grads = [[1.0], [1e-3], [1e-3]]
    plain, _ = run(Adam, grads, p0=[0.0], lr=0.1)
    ams, opt = run(Adam, grads, p0=[0.0], lr=0.1, amsgrad=True)
    v1 = 0.001  # v after step 1; it then decays, so the max stays v1
    assert opt.state[0]["max_exp_avg_sq"][0] == pytest.approx(v1, rel=1e-12)
    assert ams[0] != plain[0]
    np.testing.assert_allclose(ams, ref_adam([0.0], grads, 0.1, amsgrad=True), rtol=1e-12)


def test_adagrad_eps_after_sqrt_and_lr_decay_by_hand():
    g = 1e-5
    # step 1: s = g^2, p = -0.1 * g / (g + 1e-10)
    p, opt = run(Adagrad, [[g]], p0=[0.0], lr=0.1, lr_decay=1.0)
    first = -0.1 * g / (g + 1e-10)
    assert p[0] == pytest.approx(first, rel=1e-12)
    # step 2: clr = 0.1 / (1 + 1 * 1.0) = 0.05, s = 2 g^2
    step(opt, [g])
    assert p[0] == pytest.approx(first - 0.05 * g / (math.sqrt(2) * g + 1e-10), rel=1e-12)


def test_adagrad_initial_accumulator_value():
    p, _ = run(Adagrad, [[1.0]], p0=[0.0], lr=1.0, initial_accumulator_value=3.0, eps=0.0)
    assert p[0] == pytest.approx(-0.5, rel=1e-14)  # 1 / sqrt(3 + 1)


def test_rmsprop_eps_outside_the_square_root():
    g = 1e-5
    p, _ = run(RMSprop, [[g]], p0=[0.0], lr=0.01)
    # v = 0.01 g^2, sqrt(v) = 0.1 g = 1e-6
    assert p[0] == pytest.approx(-0.01 * g / (1e-6 + 1e-8), rel=1e-12)


def test_rmsprop_centered_subtracts_squared_mean():
    p, _ = run(RMSprop, [[2.0]], p0=[0.0], lr=1.0, alpha=0.5, eps=0.0, centered=True)
    # v = 0.5 * 4 = 2, g_avg = 1, v_tilde = 1, step = 2 / 1
    assert p[0] == pytest.approx(-2.0, rel=1e-14)


def test_adadelta_eps_inside_both_square_roots():
    g = 1e-5
    p, _ = run(Adadelta, [[g]], p0=[0.0])
    expected = -math.sqrt(1e-6) / math.sqrt(0.1 * g * g + 1e-6) * g
    assert p[0] == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------- the classes

# PyTorch's optimizers take options the course leaves out (the module docstring
# says so); all of them come after the hyperparameters the engine has.
OPTIONS_LEFT_OUT = {"foreach", "maximize", "capturable", "differentiable", "fused",
                    "decoupled_weight_decay"}  # decoupled weight decay is AdamW's


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_signatures_and_defaults_match_torch_reference(name):
    """Same argument names, order and defaults as torch.optim, as recorded from
    PyTorch in tests/data/torch_reference.npz (see tests/make_torch_reference.py)."""
    theirs = reference_signatures()[name]
    cls = OPTIMIZERS[name]
    ours = inspect.signature(cls).parameters
    assert [p["name"] for p in theirs[:len(ours)]] == list(ours)
    assert {p["name"] for p in theirs[len(ours):]} <= OPTIONS_LEFT_OUT
    opt = cls([P([1.0])])
    for p in theirs[:len(ours)]:
        assert p["kind"] == "POSITIONAL_OR_KEYWORD", p["name"]
        assert ours[p["name"]].kind == inspect.Parameter.POSITIONAL_OR_KEYWORD, p["name"]
        if p["name"] == "params":
            assert not p["has_default"] and ours["params"].default is inspect.Parameter.empty
            continue
        assert p["has_default"], p["name"]
        default = ours[p["name"]].default
        assert type(default) is type(p["default"]) or {type(default), type(p["default"])} \
            <= {int, float}, p["name"]
        assert default == p["default"], p["name"]
        assert getattr(opt, p["name"]) == p["default"], p["name"]


def test_the_module_offers_the_recorded_torch_optimizers_and_their_base():
    assert optim.__all__ == ["Optimizer"] + NAMES + ["lr_scheduler"]
    assert set(reference_signatures()) == set(NAMES)
    assert all(issubclass(cls, optim.Optimizer) for cls in OPTIMIZERS.values())


def test_step_updates_several_parameters_and_skips_missing_grads():
    a, b, c = P([1.0, 2.0]), P([[3.0]]), P([5.0])
    c.grad = None
    opt = SGD([a, b, c], lr=0.5)
    a.grad[...] = [1.0, -1.0]
    b.grad[...] = 2.0
    opt.step()
    np.testing.assert_array_equal(a.data, [0.5, 2.5])
    np.testing.assert_array_equal(b.data, [[2.0]])
    np.testing.assert_array_equal(c.data, [5.0])


def test_zero_grad_fills_with_zeros_in_place():
    p = P([1.0, 2.0])
    grad = p.grad
    grad += 3.0
    SGD([p], lr=0.1).zero_grad()
    assert p.grad is grad
    np.testing.assert_array_equal(p.grad, [0.0, 0.0])


def test_step_closure_returns_loss():
    p = P([1.0])
    opt = SGD([p], lr=0.1)
    assert opt.step(lambda: 42.0) == 42.0


def test_state_is_per_parameter_and_changing_lr_takes_effect():
    a, b = P([0.0]), P([0.0])
    opt = Adam([a, b], lr=0.1)
    a.grad[...] = 1.0
    b.grad[...] = -1.0
    opt.step()
    assert opt.state[0]["exp_avg"][0] == pytest.approx(0.1)
    assert opt.state[1]["exp_avg"][0] == pytest.approx(-0.1)
    opt.lr = 0.0
    before = a.data.copy()
    opt.step()
    np.testing.assert_array_equal(a.data, before)


def test_accepts_generator_of_parameters():
    params = [P([1.0]), P([2.0])]
    opt = SGD((p for p in params), lr=0.1)
    assert opt.params == params


@pytest.mark.parametrize("make, words", [
    (lambda ps: SGD(ps, lr=-0.1), "lr"),
    (lambda ps: SGD(ps, lr=float("nan")), "lr"),
    (lambda ps: SGD(ps, momentum=-0.5), "momentum"),
    (lambda ps: SGD(ps, weight_decay=-1), "weight_decay"),
    (lambda ps: SGD(ps, nesterov=True), "nesterov"),
    (lambda ps: SGD(ps, momentum=0.9, dampening=0.1, nesterov=True), "dampening"),
    (lambda ps: Adam(ps, betas=(1.0, 0.999)), "betas[0]"),
    (lambda ps: Adam(ps, betas=(0.9, -0.1)), "betas[1]"),
    (lambda ps: Adam(ps, betas=(0.9,)), "betas"),
    (lambda ps: Adam(ps, eps=-1e-8), "eps"),
    (lambda ps: Adagrad(ps, lr_decay=-1), "lr_decay"),
    (lambda ps: Adagrad(ps, initial_accumulator_value=-1), "initial_accumulator_value"),
    (lambda ps: RMSprop(ps, alpha=1.5), "alpha"),
    (lambda ps: RMSprop(ps, momentum=-1), "momentum"),
    (lambda ps: Adadelta(ps, rho=2.0), "rho"),
])
def test_bad_hyperparameters_are_named(make, words):
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        make([P([1.0])])


def test_bad_params_are_explained():
    with pytest.raises(ValueError, match="empty"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="single Parameter"):
        SGD(P([1.0]), lr=0.1)
    with pytest.raises(TypeError, match=r"params\[1\]"):
        SGD([P([1.0]), np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="iterable"):
        SGD(3, lr=0.1)
    with pytest.raises(TypeError, match=r"model\.parameters\(\)"):
        from course_utils.nn.linear import Linear
        SGD([Linear(2, 1)], lr=0.1)


def test_step_names_a_gradient_of_the_wrong_shape():
    p = P([0.0, 0.0])
    opt = Adam([p], lr=0.1)
    p.grad = np.zeros(3)
    with pytest.raises(ValueError, match=r"shape \(3,\) but its parameter has shape \(2,\)"):
        opt.step()
    np.testing.assert_array_equal(p.data, [0.0, 0.0])


def test_optimizers_race_on_a_2d_surface():
    # f(x, y) = x^2 + 10 y^2: every optimizer should get closer to the minimum at 0.
    settings = {"SGD": dict(lr=0.05, momentum=0.5), "Adam": dict(lr=0.1), "AdamW": dict(lr=0.1),
                "Adagrad": dict(lr=0.5), "RMSprop": dict(lr=0.05), "Adadelta": dict(lr=1.0)}
    for name, cls in OPTIMIZERS.items():
        param = P([1.5, 1.0])
        opt, p = cls([param], **settings[name]), param.data
        for _ in range(300):
            param.grad = np.array([2 * p[0], 20 * p[1]])
            opt.step()
        f = p[0] ** 2 + 10 * p[1] ** 2
        assert f < 0.5 * (1.5 ** 2 + 10.0), name


def test_module_has_no_matplotlib_import():
    source = inspect.getsource(optim)
    assert "matplotlib" not in source


def test_adamw_shrinks_every_weight_by_the_same_fraction_and_adam_does_not():
    """With no gradient from the data, AdamW's decoupled decay multiplies every weight by
    (1 - lr * weight_decay) per step, whatever its size; Adam's L2 term is divided by
    its own RMS, so each weight moves by about lr per step instead (Loshchilov & Hutter)."""
    start = np.array([3.0, 0.01])
    lr, decay, steps = 0.01, 0.1, 20
    decoupled, coupled = P(start), P(start)
    opt_w = optim.AdamW([decoupled], lr=lr, weight_decay=decay)
    opt_a = optim.Adam([coupled], lr=lr, weight_decay=decay)
    for _ in range(steps):
        for p_, opt in ((decoupled, opt_w), (coupled, opt_a)):
            p_.grad = np.zeros(2)
            opt.step()
    assert np.allclose(decoupled.data, start * (1 - lr * decay) ** steps, rtol=1e-12)
    assert coupled.data[0] == pytest.approx(3.0 - steps * lr, abs=2e-3)  # m_hat/sqrt(v_hat) near 1
    assert abs(coupled.data[1]) < 0.01  # the small weight is pushed through 0 and back


def test_adamw_defaults_are_torchs():
    opt = optim.AdamW([P([1.0])])
    assert (opt.lr, opt.betas, opt.eps, opt.weight_decay, opt.amsgrad) == (1e-3, (0.9, 0.999), 1e-8, 1e-2, False)


# ------------------------------------------- all parameters at once (one vector)

SHAPES = [(3, 2), (2,), (1, 1, 4), (5,)]


def several(seed=0, dtype=float):
    rng = np.random.default_rng(seed)
    params = [P(rng.normal(size=shape)) for shape in SHAPES]
    for p in params:
        p.data = p.data.astype(dtype)
        p.grad = np.zeros_like(p.data)
    return params


def train(cls, kw, one_vector, steps=6, seed=0, between=None, dtype=float):
    """``steps`` steps on four parameters of different shapes, with gradients that change;
    ``one_vector=False`` forces the parameter-by-parameter path."""
    params = several(seed, dtype)
    opt = cls(params, **kw)
    if not one_vector:
        opt.ALL_AT_ONCE_LIMIT = 0
    rng = np.random.default_rng(seed + 1)
    for t in range(steps):
        for p in params:
            if p.grad is not None:
                p.grad[...] = rng.normal(size=p.data.shape) * (1e-5 if t % 2 else 1.0)
        if between is not None:
            between(t, params, opt)
        opt.step()
    return params, opt


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("cls, ref, kw, ref_kw", CASES, ids=CASE_IDS)
def test_all_at_once_gives_the_same_bits_as_one_by_one(cls, ref, kw, ref_kw):
    fast, fast_opt = train(cls, kw, one_vector=True)
    slow, slow_opt = train(cls, kw, one_vector=False)
    assert fast_opt._one_vector and not slow_opt._one_vector  # each path really ran
    for p, q, s, t in zip(fast, slow, fast_opt.state, slow_opt.state):
        assert same_bits(p.data, q.data)
        assert s.keys() == t.keys() and s["step"] == t["step"] == 6
        for key in s.keys() - {"step"}:
            assert same_bits(s[key], t[key]), key


def test_the_state_of_each_parameter_is_a_view_that_can_be_changed():
    def halve_the_first_moment(t, params, opt):
        if t == 3:
            opt.state[1]["exp_avg"] *= 0.5
    fast, fast_opt = train(Adam, dict(lr=0.1), True, between=halve_the_first_moment)
    slow, _ = train(Adam, dict(lr=0.1), False, between=halve_the_first_moment)
    assert fast_opt._one_vector
    assert all(same_bits(p.data, q.data) for p, q in zip(fast, slow))


@pytest.mark.parametrize("change", ["no grad", "new data array", "float32 grad"])
def test_a_parameter_that_changes_between_steps_is_still_updated_right(change):
    def changes(t, params, opt):
        if t == 2 and change == "no grad":
            params[2].grad = None  # skipped from now on: the states fall out of step
        if t == 2 and change == "new data array":
            params[0].data = params[0].data * 2.0
        if t == 2 and change == "float32 grad":
            params[3].grad = params[3].grad.astype(np.float32)
    fast, fast_opt = train(Adam, dict(lr=0.1), True, between=changes)
    slow, slow_opt = train(Adam, dict(lr=0.1), False, between=changes)
    assert all(same_bits(p.data, q.data) for p, q in zip(fast, slow))
    assert [s["step"] for s in fast_opt.state] == [s["step"] for s in slow_opt.state]
    if change == "no grad":
        assert fast_opt.state[2]["step"] == 2 and fast_opt.state[0]["step"] == 6
    if change == "new data array":  # the new array is the one updated
        assert fast_opt._one_vector and fast[0].data is not None


def test_one_vector_is_not_used_when_it_cannot_help_or_would_mix_dtypes():
    _, opt = train(Adam, dict(lr=0.1), True, dtype=np.float32)
    assert opt._one_vector  # one dtype, float32: fine
    params = several()
    params[1].data = params[1].data.astype(np.float32)
    params[1].grad = np.zeros_like(params[1].data)
    opt = Adam(params, lr=0.1)
    opt.step()
    assert opt._one_vector is False and params[1].data.dtype == np.float32
    params = several()
    opt = Adam(params, lr=0.1)
    opt.ALL_AT_ONCE_LIMIT = sum(p.data.size for p in params) - 1
    opt.step()
    assert opt._one_vector is False
    opt = Adam([P([1.0, 2.0])], lr=0.1)  # a single parameter: nothing to gain
    opt.step()
    assert opt._one_vector is False


def test_repr_shows_only_the_hyperparameters():
    params = several()
    opt = Adam(params, lr=0.1)
    opt.step()
    assert "_one_vector" not in repr(opt) and "lr=0.1" in repr(opt)


def test_a_copied_optimizer_goes_on_as_the_original_does_and_alone():
    import copy
    import pickle

    params, opt = train(Adam, dict(lr=0.1), True, steps=3)
    twins = [copy.deepcopy((params, opt)), pickle.loads(pickle.dumps((params, opt)))]
    rng = np.random.default_rng(7)
    for _ in range(3):
        grads = [rng.normal(size=p.data.shape) for p in params]
        for ps, o in [(params, opt)] + twins:
            for p, g in zip(ps, grads):
                p.grad[...] = g
            o.step()
    for ps, o in twins:
        assert o._one_vector and all(same_bits(p.data, q.data) for p, q in zip(ps, params))
        for s, t in zip(o.state, opt.state):
            assert all(same_bits(s[k], t[k]) for k in s.keys() - {"step"}) and s["step"] == 6
    copied_params, copied = twins[0]
    copied.state[0]["exp_avg"][...] = 0.0  # the copy's state, not the original's
    assert not np.all(opt.state[0]["exp_avg"] == 0.0)
    assert np.all(copied._one_vector.parts(copied._one_vector.state["exp_avg"])[0] == 0.0)
