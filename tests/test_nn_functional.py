"""Tests of course_utils.nn.functional and the activation modules."""

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils import nn
from course_utils.nn import functional as F

try:
    from gradcheck import check_derivative, check_module
except ImportError:  # tests/ imported as a package
    from tests.gradcheck import check_derivative, check_module

NAMES = ["identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu",
         "softplus", "silu"]
EXTREMES = np.array([-1e4, -1e3, -750.0, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0,
                     750.0, 1e3, 1e4])
MODULES = {
    "identity": nn.Identity, "step": nn.Step, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
    "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "gelu": nn.GELU,
    "softplus": nn.Softplus, "silu": nn.SiLU,
}


def smooth_points(rng, size=40):
    """Random points in [-4, 4] kept away from the kink at 0 (relu, leaky relu, elu, step)."""
    x = rng.uniform(-4, 4, size=size)
    return np.where(np.abs(x) < 1e-2, 0.5, x)


def phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


# ---------------------------------------------------------------------------- catalogue


def test_catalogue_keys_and_labels():
    assert list(F.ACTIVATIONS) == NAMES
    labels = {name: a.label for name, a in F.ACTIVATIONS.items()}
    assert labels == {
        "identity": "Identity", "step": "Step (Heaviside)", "sigmoid": "Sigmoid", "tanh": "Tanh",
        "relu": "ReLU", "leaky_relu": "Leaky ReLU", "elu": "ELU", "gelu": "GELU",
        "softplus": "Softplus", "silu": "SiLU (swish)",
    }
    for name, a in F.ACTIVATIONS.items():
        assert isinstance(a, F.Activation) and a.name == name
        assert a.function is getattr(F, name)
        assert a.derivative is getattr(F, name + "_derivative")
        assert a.outputs and a.formula.startswith("f(x) = ")


@pytest.mark.parametrize("name", NAMES)
def test_catalogue_makes_the_module_it_names(name):
    a = F.ACTIVATIONS[name]
    assert a.module == MODULES[name].__name__
    assert getattr(nn, a.module) is MODULES[name]
    layer = a.make()
    assert type(layer) is MODULES[name]
    assert a.make() is not layer  # a new layer every time
    x = np.linspace(-6, 6, 243).reshape(3, -1)  # 0 included
    np.testing.assert_allclose(layer(x), a.function(x), rtol=1e-12, atol=1e-15)


def test_catalogue_make_passes_arguments_on():
    layer = F.ACTIVATIONS["leaky_relu"].make(negative_slope=0.2)
    assert isinstance(layer, nn.LeakyReLU)
    np.testing.assert_allclose(layer(np.array([[-1.0, 2.0]])), [[-0.2, 2.0]])


@pytest.mark.parametrize("name", NAMES)
def test_catalogue_bounds_contain_every_output(name):
    a = F.ACTIVATIONS[name]
    low, high = a.bounds
    assert low < high
    x = np.concatenate([np.linspace(-50, 50, 200001), EXTREMES])
    with np.errstate(over="ignore", under="ignore"):
        y = a.function(x)
    assert y.min() >= low and y.max() <= high, (name, y.min(), y.max())
    # an open end is really open: the outputs go past any number on that side
    if low == -math.inf:
        assert y.min() < -40
    if high == math.inf:
        assert y.max() > 40
    assert a.bounded == (math.isfinite(low) and math.isfinite(high))


@pytest.mark.parametrize("name, true_min", [
    # min over x of x * Phi(x), and of x * sigmoid(x), by a fine grid near the minimum
    ("gelu", min(v * phi(v) for v in np.linspace(-1.0, -0.5, 50001))),
    ("silu", min(v / (1 + math.exp(-v)) for v in np.linspace(-1.5, -1.1, 40001))),
])
def test_stated_lower_bounds_are_the_rounded_minimum(name, true_min):
    low = F.ACTIVATIONS[name].bounds[0]
    assert low == round(low, 2)  # stated with two decimals
    assert low <= true_min and abs(low - true_min) < 0.005
    assert F.ACTIVATIONS[name].outputs.startswith(f"[\u2212{-low:.2f}")


def test_exactly_step_sigmoid_and_tanh_are_bounded():
    assert {name for name, a in F.ACTIVATIONS.items() if a.bounded} == {"step", "sigmoid", "tanh"}
    assert F.ACTIVATIONS["sigmoid"].bounds == (0.0, 1.0)
    assert F.ACTIVATIONS["tanh"].bounds == (-1.0, 1.0)
    assert F.ACTIVATIONS["step"].bounds == (0.0, 1.0)
    assert F.ACTIVATIONS["relu"].bounds == (0.0, math.inf)
    assert F.ACTIVATIONS["elu"].bounds == (-1.0, math.inf)


def test_import_is_numpy_only():
    code = ("import sys, course_utils.nn; "
            "print(any(m.split('.')[0] in ('matplotlib', 'scipy', 'torch') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------------- closed forms


def test_known_values():
    assert F.sigmoid(0.0) == 0.5
    assert F.sigmoid(math.log(3)) == pytest.approx(0.75, rel=1e-15)
    assert F.sigmoid(-math.log(3)) == pytest.approx(0.25, rel=1e-15)
    assert F.sigmoid_derivative(0.0) == 0.25
    assert F.tanh(0.0) == 0.0 and F.tanh_derivative(0.0) == 1.0
    assert F.tanh(math.log(2)) == pytest.approx(0.6, rel=1e-15)  # (4 - 1) / (4 + 1)
    np.testing.assert_array_equal(F.relu(np.array([-2.0, 0.0, 3.0])), [0, 0, 3])
    np.testing.assert_array_equal(F.relu_derivative(np.array([-2.0, 0.0, 3.0])), [0, 0, 1])
    np.testing.assert_allclose(F.leaky_relu(np.array([-2.0, 3.0])), [-0.02, 3.0])
    np.testing.assert_allclose(F.leaky_relu(np.array([-2.0]), negative_slope=0.2), [-0.4])
    np.testing.assert_allclose(F.leaky_relu_derivative(np.array([-2.0, 3.0]), 0.2), [0.2, 1])
    assert F.elu(-1.0) == pytest.approx(math.exp(-1) - 1, rel=1e-15)
    assert F.elu(-1.0, alpha=2.0) == pytest.approx(2 * (math.exp(-1) - 1), rel=1e-15)
    assert F.elu(2.5) == 2.5
    assert F.elu_derivative(-1.0) == pytest.approx(math.exp(-1), rel=1e-15)
    assert F.gelu(0.0) == 0.0
    assert F.gelu(1.0) == pytest.approx(0.8413447460685429, rel=1e-14)   # Phi(1)
    assert F.gelu(-1.0) == pytest.approx(-0.15865525393145707, rel=1e-14)
    assert F.gelu_derivative(0.0) == pytest.approx(0.5, rel=1e-15)
    assert F.softplus(0.0) == pytest.approx(math.log(2), rel=1e-15)
    assert F.softplus(1.0, beta=2.0) == pytest.approx(math.log1p(math.exp(2)) / 2, rel=1e-15)
    assert F.softplus(30.0) == 30.0                     # linear above the threshold
    assert F.softplus(5.0, threshold=4.0) == 5.0
    assert F.softplus_derivative(0.0) == 0.5
    assert F.silu(1.0) == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-15)
    assert F.silu(0.0) == 0.0
    np.testing.assert_array_equal(F.step(np.array([-1.0, 0.0, 1e-9])), [0, 0, 1])
    np.testing.assert_array_equal(F.step_derivative(np.array([-1.0, 0.0, 1.0])), [0, 0, 0])
    np.testing.assert_array_equal(F.identity(np.array([-1.5, 2.0])), [-1.5, 2.0])
    np.testing.assert_array_equal(F.identity_derivative(np.array([-1.5, 2.0])), [1, 1])


def test_gelu_matches_math_erf_everywhere():
    x = np.linspace(-8, 8, 161)
    expected = [v * phi(v) for v in x]
    np.testing.assert_allclose(F.gelu(x), expected, rtol=1e-14, atol=1e-300)


def test_tanh_is_a_rescaled_sigmoid():
    x = np.linspace(-10, 10, 101)
    np.testing.assert_allclose(F.tanh(x), 2 * F.sigmoid(2 * x) - 1, atol=1e-15)


def test_softmax_closed_forms():
    np.testing.assert_allclose(F.softmax(np.zeros((2, 5))), np.full((2, 5), 0.2))
    np.testing.assert_allclose(F.softmax(np.array([0.0, math.log(2)])), [1 / 3, 2 / 3])
    np.testing.assert_allclose(F.log_softmax(np.array([0.0, math.log(2)])),
                               [math.log(1 / 3), math.log(2 / 3)])
    # along another axis
    x = np.array([[0.0, 5.0], [math.log(3), -1.0]])
    np.testing.assert_allclose(F.softmax(x, dim=0)[:, 0], [0.25, 0.75])
    np.testing.assert_allclose(F.softmax(x, dim=0).sum(axis=0), [1, 1])


def test_activations_keep_shape_and_accept_lists():
    x = np.random.default_rng(0).normal(size=(3, 4, 5))
    for name, a in F.ACTIVATIONS.items():
        assert a.function(x).shape == x.shape, name
        assert a.derivative(x).shape == x.shape, name
    np.testing.assert_allclose(F.sigmoid([0.0, 0.0]), [0.5, 0.5])
    np.testing.assert_allclose(F.relu([-1.0, 2.0]), [0.0, 2.0])


# ----------------------------------------------------------------------- derivatives


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(name):
    f, d = F.ACTIVATIONS[name].function, F.ACTIVATIONS[name].derivative
    check_derivative(f, d, smooth_points(np.random.default_rng(1)))


@pytest.mark.parametrize("kwargs", [{"negative_slope": 0.2}, {"negative_slope": 0.0}])
def test_leaky_relu_derivative_with_slope(kwargs):
    check_derivative(lambda x: F.leaky_relu(x, **kwargs),
                     lambda x: F.leaky_relu_derivative(x, **kwargs),
                     smooth_points(np.random.default_rng(2)))


def test_elu_and_softplus_derivatives_with_parameters():
    x = smooth_points(np.random.default_rng(3))
    check_derivative(lambda v: F.elu(v, 1.7), lambda v: F.elu_derivative(v, 1.7), x)
    check_derivative(lambda v: F.softplus(v, beta=2.5, threshold=5),
                     lambda v: F.softplus_derivative(v, beta=2.5, threshold=5),
                     np.where(np.abs(2.5 * x - 5) < 1e-2, 0.3, x))


def test_softmax_backward_is_the_jacobian_product():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 4))
    g = rng.normal(size=(3, 4))
    s = F.softmax(x)
    for n in range(3):  # explicit Jacobian J_ij = s_i (delta_ij - s_j)
        jac = np.diag(s[n]) - np.outer(s[n], s[n])
        np.testing.assert_allclose(F.softmax_backward(g, s)[n], g[n] @ jac, atol=1e-15)
    # along axis 0
    s0 = F.softmax(x, dim=0)
    for k in range(4):
        jac = np.diag(s0[:, k]) - np.outer(s0[:, k], s0[:, k])
        np.testing.assert_allclose(F.softmax_backward(g, s0, dim=0)[:, k], g[:, k] @ jac,
                                   atol=1e-15)


def test_softmax_backward_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        F.softmax_backward(np.zeros((2, 3)), np.zeros((3, 2)))


# ------------------------------------------------------------------------- modules


@pytest.mark.parametrize("name", NAMES)
def test_module_forward_is_the_function(name):
    x = np.random.default_rng(5).normal(size=(4, 3))
    np.testing.assert_allclose(MODULES[name]()(x), F.ACTIVATIONS[name].function(x))


@pytest.mark.parametrize("name", NAMES)
def test_module_backward_matches_finite_differences(name):
    x = smooth_points(np.random.default_rng(6), size=24).reshape(4, 6)
    check_module(MODULES[name](), x)


@pytest.mark.parametrize("module", [nn.LeakyReLU(0.3), nn.ELU(alpha=0.5),
                                    nn.Softplus(beta=2.0, threshold=3.0)],
                         ids=repr)
def test_parametrised_module_backward(module):
    x = smooth_points(np.random.default_rng(7), size=24).reshape(4, 6)
    x = np.where(np.abs(x - 1.5) < 1e-2, 1.3, x)  # away from the softplus threshold
    check_module(module, x)


@pytest.mark.parametrize("dim", [-1, 0])
def test_softmax_module_backward(dim):
    x = np.random.default_rng(8).normal(size=(3, 5))
    layer = nn.Softmax(dim=dim)
    np.testing.assert_allclose(layer(x).sum(axis=dim), 1.0)
    check_module(layer, x)


def test_module_reprs():
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"


def test_module_backward_rejects_wrong_shape():
    layer = nn.Tanh()
    layer(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        layer.backward(np.zeros((3, 2)))


def test_bad_arguments():
    with pytest.raises(ValueError, match="beta"):
        F.softplus(1.0, beta=0)
    with pytest.raises(ValueError, match="beta"):
        nn.Softplus(beta=-1)


# ------------------------------------------------------------------------ stability


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", NAMES)
def test_extreme_inputs_are_finite_without_warnings(name):
    f, d = F.ACTIVATIONS[name].function, F.ACTIVATIONS[name].derivative
    with np.errstate(all="raise"):
        y, dy = f(EXTREMES), d(EXTREMES)
        layer = MODULES[name]()
        out = layer(EXTREMES.reshape(1, -1))
        grad = layer.backward(np.ones_like(out))
    for values in (y, dy, out, grad):
        assert np.all(np.isfinite(values)), (name, values)


@pytest.mark.filterwarnings("error")
def test_extreme_limits_are_right():
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(F.sigmoid(np.array([-1e4, 1e4])), [0.0, 1.0])
        np.testing.assert_array_equal(F.sigmoid_derivative(np.array([-1e4, 1e4])), [0, 0])
        np.testing.assert_allclose(F.softplus(np.array([-1e4, 1e4])), [0.0, 1e4])
        np.testing.assert_allclose(F.elu(np.array([-1e4])), [-1.0])
        np.testing.assert_allclose(F.gelu(np.array([-1e4, 1e4])), [0.0, 1e4])
        np.testing.assert_allclose(F.silu(np.array([-1e4, 1e4])), [0.0, 1e4])
        np.testing.assert_allclose(F.silu_derivative(np.array([-1e4, 1e4])), [0.0, 1.0])
        # sigmoid keeps its relative precision far into the negative tail
        for x in (-30.0, -300.0):
            assert F.sigmoid(x) == pytest.approx(math.exp(x) / (1 + math.exp(x)),
                                                 rel=1e-14, abs=0)
            assert F.softplus(x) == pytest.approx(math.log1p(math.exp(x)), rel=1e-14, abs=0)


@pytest.mark.filterwarnings("error")
def test_softmax_extremes():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])
    with np.errstate(all="raise"):
        s = F.softmax(x)
        ls = F.log_softmax(x)
        back = F.softmax_backward(np.ones_like(s), s)
        layer = nn.Softmax()
        layer(x)
        layer.backward(np.ones_like(x))
    np.testing.assert_allclose(s, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]])
    np.testing.assert_allclose(ls[0], [0.0, -2e4, -1e4])
    assert np.all(np.isfinite(ls)) and np.all(np.isfinite(back))


# ----------------------------------------------------------------------- properties

finite = st.floats(-1e4, 1e4, allow_nan=False, allow_subnormal=False)
rows = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
                  elements=finite)


@settings(max_examples=60, deadline=None)
@given(rows)
def test_softmax_is_a_distribution(x):
    s = F.softmax(x)
    assert np.all(s >= 0) and np.all(s <= 1)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.exp(F.log_softmax(x)), s, atol=1e-12)
    assert np.all(F.log_softmax(x) <= 0)


@settings(max_examples=60, deadline=None)
@given(rows, st.floats(-100, 100, allow_subnormal=False))
def test_softmax_is_shift_invariant(x, shift):
    np.testing.assert_allclose(F.softmax(x + shift), F.softmax(x), atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 20), elements=finite))
def test_sigmoid_properties(x):
    s = F.sigmoid(x)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(F.sigmoid(-x), 1 - s, atol=1e-15)
    assert np.all(np.diff(F.sigmoid(np.sort(x))) >= 0)  # non-decreasing
    assert np.all(F.sigmoid_derivative(x) <= 0.25)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 20), elements=finite))
def test_relu_family_properties(x):
    assert np.all(F.relu(x) >= 0)
    np.testing.assert_allclose(F.relu(x) - F.relu(-x), x)
    assert np.all(F.softplus(x) >= F.relu(x))           # softplus is above relu
    assert np.all(F.softplus(x) - F.relu(x) <= math.log(2) + 1e-15)
    assert np.all(F.elu(x) >= -1.0)
