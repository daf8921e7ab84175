"""Weight initialisation (course_utils.nn.init) against closed forms and PyTorch.

PyTorch's numbers come from tests/data/torch_reference.npz (see
tests/make_torch_reference.py): its gains, its fans, and the min, max, mean and
standard deviation of 100,000 numbers each of its init functions drew. The closed
forms below (Glorot & Bengio 2010, He et al. 2015) are checked against those
numbers, and the engine's own draws against the closed forms.
"""

import inspect
import math

import numpy as np
import pytest

from course_utils import nn
from course_utils.nn import init

try:
    from test_nn_torch_reference import META, arrays_of, case_ids, cases
except ImportError:  # tests/ imported as a package
    from tests.test_nn_torch_reference import META, arrays_of, case_ids, cases

#: How many numbers the engine draws per case (torch drew 100,000).
SAMPLES = 20_000


def closed_form_gain(nonlinearity, param):
    slope = 0.01 if param is None else param
    return {"tanh": 5 / 3, "relu": math.sqrt(2), "selu": 0.75,
            "leaky_relu": math.sqrt(2 / (1 + slope ** 2))}.get(nonlinearity, 1.0)


def expected(fn, kwargs, shape):
    """``('uniform', low, high)`` or ``('normal', mean, std)``: what ``fn`` draws from."""
    fan_in = shape[1] * math.prod(shape[2:])
    fan_out = shape[0] * math.prod(shape[2:])
    if fn.startswith("xavier"):
        gain = kwargs.get("gain", 1.0)
        bound, std = gain * math.sqrt(6 / (fan_in + fan_out)), gain * math.sqrt(2 / (fan_in + fan_out))
    elif fn.startswith("kaiming"):
        fan = fan_in if kwargs.get("mode", "fan_in") == "fan_in" else fan_out
        gain = closed_form_gain(kwargs.get("nonlinearity", "leaky_relu"), kwargs.get("a", 0))
        bound, std = gain * math.sqrt(3 / fan), gain / math.sqrt(fan)
    elif fn == "uniform_":
        return "uniform", kwargs.get("a", 0.0), kwargs.get("b", 1.0)
    else:
        return "normal", kwargs.get("mean", 0.0), kwargs.get("std", 1.0)
    return ("uniform", -bound, bound) if fn.endswith("uniform_") else ("normal", 0.0, std)


def engine_draws(fn, kwargs, shape, seed=0):
    """SAMPLES (or a few more) numbers drawn by the engine's ``fn`` on ``shape``."""
    rng = np.random.default_rng(seed)
    weight = np.empty(shape)
    draws = [getattr(init, fn)(weight, **kwargs, rng=rng).copy()
             for _ in range(-(-SAMPLES // weight.size))]
    return np.concatenate([d.ravel() for d in draws])


# ----------------------------------------------------------------- gains and fans

@pytest.mark.parametrize("case", cases("init_gain"), ids=case_ids("init_gain"))
def test_gain_is_torchs_exactly(case):
    torch_gain = arrays_of(case)["gain"]
    assert init.calculate_gain(case["nonlinearity"], case["param"]) == torch_gain
    assert torch_gain == pytest.approx(closed_form_gain(case["nonlinearity"], case["param"]),
                                       rel=1e-15)


@pytest.mark.parametrize("case", cases("init_fan"), ids=case_ids("init_fan"))
def test_fans_are_torchs(case):
    fans = init._calculate_fan_in_and_fan_out(np.empty(case["shape"]))
    assert fans == tuple(arrays_of(case)["fans"])


# ------------------------------------------------------------- the distributions

@pytest.mark.parametrize("case", cases("init"), ids=case_ids("init"))
def test_closed_form_describes_what_torch_draws(case):
    low_min, high_max, mean, std = arrays_of(case)["min_max_mean_std"]
    kind, a, b = expected(case["fn"], case["kwargs"], case["shape"])
    n = case["samples"]
    if kind == "uniform":
        assert a <= low_min and high_max < b
        assert low_min < a + 1e-4 * (b - a) and high_max > b - 1e-4 * (b - a)  # reaches the bound
        assert std == pytest.approx((b - a) / math.sqrt(12), rel=0.01)
    else:
        assert mean == pytest.approx(a, abs=5 * b / math.sqrt(n))
        assert std == pytest.approx(b, rel=0.01)


@pytest.mark.parametrize("case", cases("init"), ids=case_ids("init"))
def test_engine_draws_what_torch_draws(case):
    values = engine_draws(case["fn"], case["kwargs"], tuple(case["shape"]))
    torch_min, torch_max, torch_mean, torch_std = arrays_of(case)["min_max_mean_std"]
    kind, a, b = expected(case["fn"], case["kwargs"], case["shape"])
    if kind == "uniform":
        assert values.min() >= a and values.max() < b  # every number within the bound
        assert values.min() < a + 1e-3 * (b - a) and values.max() > b - 1e-3 * (b - a)
        assert values.max() == pytest.approx(torch_max, rel=2e-3)
    else:
        assert values.mean() == pytest.approx(a, abs=5 * b / math.sqrt(values.size))
    # standard error of a std over 20,000 draws: 0.5 % (normal), 0.3 % (uniform)
    assert values.std() == pytest.approx(torch_std, rel=0.03)


def test_kaiming_with_a_sqrt5_gives_the_bound_of_linear_and_conv2d():
    for shape, layer in (((5, 3), nn.Linear(3, 5, rng=0)), ((8, 4, 3, 3), nn.Conv2d(4, 8, 3, rng=0))):
        _, low, high = expected("kaiming_uniform_", {"a": math.sqrt(5)}, shape)
        fan_in = math.prod(shape[1:])
        assert high == pytest.approx(1 / math.sqrt(fan_in), rel=1e-15)
        assert np.abs(layer.weight.data).max() < high
        values = engine_draws("kaiming_uniform_", {"a": math.sqrt(5)}, shape)
        assert high * 0.999 < values.max() < high


# ------------------------------------------------------- in place, seeds, shapes

@pytest.mark.parametrize("fn", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                                "kaiming_normal_", "normal_", "uniform_"])
def test_fills_a_parameter_or_an_array_in_place_and_returns_it(fn):
    p = nn.Parameter(np.zeros((4, 3)))
    data, grad = p.data, p.grad
    assert getattr(init, fn)(p, rng=0) is p
    assert p.data is data and p.grad is grad and np.all(p.grad == 0)
    assert np.all(data != 0)
    array = np.zeros((4, 3), dtype=np.float32)
    assert getattr(init, fn)(array, rng=0) is array
    assert array.dtype == np.float32 and np.all(array != 0)


def test_zeros_and_ones_fill_in_place():
    p = nn.Parameter(np.full((2, 3), 7.0))
    assert init.zeros_(p) is p and np.array_equal(p.data, np.zeros((2, 3)))
    array = np.zeros(4)
    assert init.ones_(array) is array and np.array_equal(array, np.ones(4))


def test_a_seed_gives_the_same_numbers_and_a_generator_moves_on():
    first = init.kaiming_normal_(np.empty((6, 4)), rng=3)
    assert np.array_equal(init.kaiming_normal_(np.empty((6, 4)), rng=3), first)
    assert not np.array_equal(init.kaiming_normal_(np.empty((6, 4)), rng=4), first)
    gen = np.random.default_rng(3)
    a = init.kaiming_normal_(np.empty((6, 4)), rng=gen).copy()
    b = init.kaiming_normal_(np.empty((6, 4)), rng=gen)
    assert np.array_equal(a, first) and not np.array_equal(a, b)


def test_an_empty_weight_is_returned_as_it_is():
    for fn in ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"):
        weight = np.empty((0, 3))
        assert getattr(init, fn)(weight, rng=0) is weight


# ---------------------------------------------------------------------- errors

@pytest.mark.parametrize("case", cases("init_error"), ids=case_ids("init_error"))
def test_refuses_what_torch_refuses_and_says_why(case):
    kwargs = dict(case["kwargs"])
    args = () if case["shape"] is None else (np.empty(case["shape"]),)
    if case["fn"] == "calculate_gain":
        words = "negative_slope" if "param" in kwargs else "Unsupported nonlinearity"
    elif "mode" in kwargs:
        words = "Mode 'fan_avg' not supported"
    elif "nonlinearity" in kwargs:
        words = "Unsupported nonlinearity 'softmax'"
    else:
        words = "fewer than 2 dimensions"
    assert case["error"] == "ValueError"
    with pytest.raises(ValueError, match=words):
        getattr(init, case["fn"])(*args, **kwargs)


@pytest.mark.parametrize("bad", [np.zeros((3, 2), dtype=int), [[0.0, 0.0]], None])
def test_only_float_arrays_and_parameters_are_filled(bad):
    with pytest.raises(TypeError, match="float numpy array"):
        init.normal_(bad)


# ------------------------------------------------------------------ signatures

def test_signatures_are_torchs_with_rng_for_generator():
    """Same names, order and defaults as torch.nn.init; torch's ``generator`` is the
    course's keyword-only ``rng``."""
    assert set(META["init_signatures"]) == set(init.__all__)
    for name, theirs in META["init_signatures"].items():
        ours = list(inspect.signature(getattr(init, name)).parameters.values())
        assert [p.name for p in ours] == [
            "rng" if p["name"] == "generator" else p["name"] for p in theirs], name
        for mine, p in zip(ours, theirs):
            want_kind = "KEYWORD_ONLY" if p["name"] == "generator" else p["kind"]
            assert mine.kind.name == want_kind, (name, p["name"])
            assert (mine.default is not inspect.Parameter.empty) == p["has_default"]
            if p["has_default"]:
                assert mine.default == p["default"], (name, p["name"])
