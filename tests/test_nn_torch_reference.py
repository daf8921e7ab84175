"""The numpy engine against PyTorch, without PyTorch: golden values in tests/data.

``tests/data/torch_reference.npz`` was written once by ``tests/make_torch_reference.py``
with real PyTorch (float64, CPU); see that script for what it records and how to
rerun it. These tests always run: they rebuild each case in ``course_utils.nn``
(same inputs, same weights copied into ``.data``, same upstream gradients) and
compare with PyTorch's numbers:

* activations (value, derivative, module backward) and softmax / log_softmax;
* Linear, Conv2d, MaxPool2d, RNN, LSTM: outputs and the gradients wrt the input,
  the initial states and every parameter;
* every loss with a PyTorch equivalent: value and input gradient;
* every optimizer, option set and gradient sequence: the parameter after each step;
* every learning-rate scheduler case: the lr after construction and after each
  step, and the parameter an SGD step moves with it; the schedulers' signatures;
  that the engine refuses every argument torch refuses (and more).

Tolerance: relative 1e-10 in float64 (PyTorch and numpy may sum in another order,
a few units in the last place). Where an absolute floor is needed, or a case is
looser, the reason is written next to it.
"""

import inspect
import json
import pathlib

import numpy as np
import pytest

from course_utils import nn
from course_utils.nn import functional as F
from course_utils.nn import lr_scheduler, optim

REFERENCE_PATH = pathlib.Path(__file__).resolve().parent / "data" / "torch_reference.npz"
RTOL = 1e-10


def load_reference(path=REFERENCE_PATH):
    """``(meta, arrays)``: the JSON description and a dict name -> array."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    meta = json.loads(str(arrays.pop("meta")))
    return meta, arrays


META, ARRAYS = load_reference()


def reference_signatures():
    """PyTorch's optimizer signatures, as recorded: name -> list of parameter dicts
    (``name``, ``kind``, ``has_default``, ``default``; tuples were stored as lists)."""
    signatures = {}
    for name, params in META["optimizer_signatures"].items():
        signatures[name] = [dict(p, default=tuple(p["default"]) if p["default_is_tuple"]
                                 else p["default"]) for p in params]
    return signatures


def cases(kind):
    return [c for c in META["cases"] if c["kind"] == kind]


def case_ids(kind):
    return [c["id"] for c in cases(kind)]


def arrays_of(case):
    """The arrays of one case, by role: ``{'x': ..., 'grad/weight': ...}``."""
    prefix = f"{case['kind']}/{case['id']}/"
    return {key[len(prefix):]: value for key, value in ARRAYS.items()
            if key.startswith(prefix)}


def assert_matches(actual, expected, what, rtol=RTOL, atol=0.0):
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, torch {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol,
                               err_msg=f"{what} differs from PyTorch")


# ------------------------------------------------------------------- the file itself


def test_reference_file_is_small_float64_and_covers_the_engine():
    assert REFERENCE_PATH.stat().st_size < 300_000
    for key, value in ARRAYS.items():
        assert value.dtype in (np.float64, np.int64), key
    assert {c["name"] for c in cases("activation")} == set(F.ACTIVATIONS)
    assert {c["cls"] for c in cases("layer")} == {"Linear", "Conv2d", "MaxPool2d", "RNN",
                                                   "LSTM"}
    # HingeLoss is the only loss without a PyTorch equivalent.
    assert {c["cls"] for c in cases("loss")} == set(nn.loss.__all__) - {"HingeLoss"}
    optimizers = set(optim.__all__) - {"Optimizer", "lr_scheduler"}  # lr_scheduler: the module
    assert {c["cls"] for c in cases("optim")} == optimizers
    assert set(META["optimizer_signatures"]) == optimizers
    assert {c["cls"] for c in cases("scheduler")} == set(lr_scheduler.__all__) - {"LRScheduler"}
    assert set(META["scheduler_signatures"]) == set(lr_scheduler.__all__)
    assert len(cases("softmax")) >= 4


# ------------------------------------------------------------------------ activations

MODULES = {"identity": nn.Identity, "step": nn.Step, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
           "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "gelu": nn.GELU,
           "softplus": nn.Softplus, "silu": nn.SiLU}

# The engine returns exactly 0 where a result would be below exp(-700) ~ 1e-304
# (functional._EXP_FLOOR, to avoid underflow warnings); PyTorch keeps such numbers
# (e.g. sigmoid(-705) = 1e-306). Differences below 1e-300 are allowed for that.
ACTIVATION_ATOL = 1e-300
# tanh'(x) = 1 - tanh(x)^2 cancels for |x| > 5: numpy's and PyTorch's tanh differ
# by one unit in the last place on some points (16 of 120 here; 1e-16 near +-1), and
# 1 - t^2 turns that into an absolute difference of up to 2.8e-16 (relative 1e-6 on
# values like 2.5e-10). Neither is more right: both derivatives carry that error.
DERIVATIVE_ATOL = {"tanh": 1e-15}


@pytest.mark.parametrize("case", cases("activation"), ids=case_ids("activation"))
def test_activation_matches_torch(case):
    a, name, kwargs = arrays_of(case), case["name"], case["kwargs"]
    x = a["x"]
    assert_matches(getattr(F, name)(x, **kwargs), a["y"], f"{name} value",
                   atol=ACTIVATION_ATOL)
    module = MODULES[name](**kwargs)
    assert_matches(module(x), a["y"], f"{name} module output", atol=ACTIVATION_ATOL)
    if not case["derivative"]:
        # Only the step function: torch.heaviside has no derivative in autograd.
        assert name == "step"
        return
    atol = DERIVATIVE_ATOL.get(name, ACTIVATION_ATOL)
    assert_matches(getattr(F, name + "_derivative")(x, **kwargs), a["dy_dx"],
                   f"{name} derivative", atol=atol)
    g = np.random.default_rng(0).normal(size=x.shape)
    assert_matches(module.backward(g), g * a["dy_dx"], f"{name} module backward",
                   atol=4 * atol)  # |g| < 4


@pytest.mark.parametrize("case", cases("softmax"), ids=case_ids("softmax"))
def test_softmax_matches_torch(case):
    a, dim = arrays_of(case), case["dim"]
    x, g = a["x"], a["g"]
    s = F.softmax(x, dim)
    # Probabilities can be as small as exp(-2e4) (PyTorch: exactly 0 or ~1e-304;
    # the engine: 0 below 1e-304, see ACTIVATION_ATOL).
    assert_matches(s, a["softmax"], "softmax", atol=ACTIVATION_ATOL)
    assert_matches(F.log_softmax(x, dim), a["log_softmax"], "log_softmax")
    assert_matches(F.softmax_backward(g, s, dim), a["grad_x"], "softmax backward",
                   atol=1e-15)  # s_j (g_j - sum_i g_i s_i): a difference of O(1) terms
    module = nn.Softmax(dim=dim)
    assert_matches(module(x), a["softmax"], "Softmax module", atol=ACTIVATION_ATOL)
    assert_matches(module.backward(g), a["grad_x"], "Softmax module backward", atol=1e-15)


# ----------------------------------------------------------------------------- layers

# Outputs and gradients are sums of O(1) products; numpy's BLAS (which may change
# with the CPU) and PyTorch can sum them in another order, so an entry that nearly
# cancels to 0 can differ by a few units of 1e-16. (Measured here: at most 5e-15.)
LAYER_ATOL = 1e-14


@pytest.mark.parametrize("case", cases("layer"), ids=case_ids("layer"))
def test_layer_matches_torch(case):
    a, cls = arrays_of(case), case["cls"]
    layer = getattr(nn, cls)(**case["kwargs"])
    # Same parameter names as PyTorch (without its "_l0" suffix), same weights.
    assert sorted(name for name, _ in layer.named_parameters()) == case["params"]
    for name, param in layer.named_parameters():
        assert param.data.shape == a["param/" + name].shape, name
        param.data[...] = a["param/" + name]
    x = a["input/x"]
    up = {name: a["upstream/" + name] for name in case["upstream"]}
    if cls == "RNN":
        out, h_n = layer(x, a.get("input/h0"))
        outputs = {"out": out, "h_n": h_n}
    elif cls == "LSTM":
        state = (a["input/h0"], a["input/c0"]) if "h0" in case["inputs"] else None
        out, (h_n, c_n) = layer(x, state)
        outputs = {"out": out, "h_n": h_n, "c_n": c_n}
    else:
        outputs = {"out": layer(x)}
    assert sorted(outputs) == case["outputs"]
    for name, value in outputs.items():
        assert_matches(value, a["output/" + name], f"{cls} output {name}", atol=LAYER_ATOL)

    layer.zero_grad()
    grad_x = layer.backward(up["out"], *[up[k] for k in ("h_n", "c_n") if k in up])
    grads = {"x": grad_x}
    if "h0" in case["inputs"]:
        grads["h0"] = layer.grad_h0
    if "c0" in case["inputs"]:
        grads["c0"] = layer.grad_c0
    assert sorted(grads) == case["inputs"]
    for name, value in grads.items():
        assert_matches(value, a["grad_input/" + name], f"{cls} gradient wrt {name}",
                       atol=LAYER_ATOL)
    for name, param in layer.named_parameters():
        assert_matches(param.grad, a["grad/" + name], f"{cls} gradient wrt {name}",
                       atol=LAYER_ATOL)


# ----------------------------------------------------------------------------- losses

# PyTorch's BCELoss gradient divides by max(p (1 - p), EPSILON) with EPSILON the
# float32 number nearest 1e-12 (9.99999996e-13); the engine uses 1e-12 exactly. So
# where that clamp acts (p = 0, p = 1, p = 1e-50) the two differ by 4e-9, relative.
LOSS_RTOL = {"bce_clamped": 1e-8}


@pytest.mark.parametrize("case", cases("loss"), ids=case_ids("loss"))
def test_loss_matches_torch(case):
    a = arrays_of(case)
    criterion = getattr(nn, case["cls"])(**case["kwargs"])
    value = criterion(a["input"], a["target"])
    assert isinstance(value, float)
    assert_matches(value, a["value"], f"{case['cls']} value")
    grad = criterion.backward()
    assert_matches(grad, a["grad_input"], f"{case['cls']} gradient",
                   rtol=LOSS_RTOL.get(case["id"], RTOL), atol=1e-300)


# ------------------------------------------------------------------------- optimizers


class P:
    """A minimal parameter: the optimizers need only ``.data`` and ``.grad``."""

    def __init__(self, data):
        self.data = np.array(data, dtype=float)
        self.grad = np.zeros_like(self.data)


OPTIM_CASES = [(case, seq) for case in cases("optim") for seq in case["sequences"]]

# Compared: the displacement p_t - p_0, to a relative 1e-10, so that a wrong update
# shows even when it is tiny next to p (lr 1e-3 times a gradient of 1e-5 moves p by
# 1e-8). Plus 5e-15 absolute: PyTorch and numpy may round p itself differently,
# by a unit in the last place of p (|p| < 4: at most 4.4e-16) at each of 5 steps.
OPTIM_ATOL = 5e-15


@pytest.mark.parametrize("case, seq", OPTIM_CASES,
                         ids=[f"{case['id']}-{seq}" for case, seq in OPTIM_CASES])
def test_optimizer_trajectory_matches_torch(case, seq):
    p0 = ARRAYS["optim_input/p0"]
    grads = ARRAYS[f"optim_input/grads/{seq}"]
    expected = arrays_of(case)[seq]
    name, kwargs = case["cls"], case["kwargs"]
    param = P(p0)
    optimizer = getattr(optim, name)([param], **kwargs)
    for t, g in enumerate(grads):
        optimizer.zero_grad()
        param.grad += g
        optimizer.step()
        assert_matches(param.data - p0, expected[t] - p0,
                       f"{name}({kwargs}), {seq} gradients, after step {t + 1}", atol=OPTIM_ATOL)


# ---------------------------------------------------------------------- lr schedulers

# No absolute floor is needed: where torch's lr is exactly 0 (cosine at t = T_max,
# 3 T_max; LinearLR at end_factor 0) the engine's closed form is exactly 0 too,
# because 1 + cos(pi) and end_factor are exactly 0. Elsewhere torch's step-by-step
# updates and the closed form differ by at most 1e-14, relative (measured: 9e-15).


@pytest.mark.parametrize("case", cases("scheduler"), ids=case_ids("scheduler"))
def test_scheduler_matches_torch(case):
    a, name, kwargs = arrays_of(case), case["cls"], case["kwargs"]
    param = P([0.0])
    param.grad[...] = 1.0  # so each SGD step moves the parameter by -lr
    optimizer = optim.SGD([param], lr=case["lr"])
    scheduler = getattr(optim.lr_scheduler, name)(optimizer, **kwargs)
    lrs, params = [optimizer.lr], []
    for _ in range(case["steps"]):
        optimizer.step()
        params.append(param.data[0])
        scheduler.step()
        assert scheduler.get_last_lr() == [optimizer.lr]
        lrs.append(optimizer.lr)
    assert_matches(lrs, a["lr"], f"{name}({kwargs}) learning rates")
    assert_matches(params, a["param"], f"{name}({kwargs}) parameter after each SGD step")


@pytest.mark.parametrize("name", sorted(META["scheduler_signatures"]))
def test_scheduler_signature_matches_torch(name):
    theirs = META["scheduler_signatures"][name]
    ours = inspect.signature(getattr(lr_scheduler, name)).parameters
    assert [p["name"] for p in theirs] == list(ours)
    for p in theirs:
        mine = ours[p["name"]]
        assert mine.kind.name == p["kind"], p["name"]
        assert (mine.default is not inspect.Parameter.empty) == p["has_default"], p["name"]
        if p["has_default"]:
            assert type(mine.default) is type(p["default"]), p["name"]
            assert mine.default == p["default"], p["name"]


@pytest.mark.parametrize("case", cases("scheduler_error"), ids=case_ids("scheduler_error"))
def test_scheduler_refuses_what_torch_refuses_and_more(case):
    """Where torch refuses an argument when the scheduler is made, the engine raises
    the same type of error; where torch accepts it (or fails only at a later step,
    with a ZeroDivisionError), the engine refuses it at once with a ValueError."""
    param = P([0.0])
    optimizer = [param] if case["optimizer"] == "list" else optim.SGD([param], lr=0.1)
    refused_by_torch = case["when"] == "construction"
    expected = case["torch_error"] if refused_by_torch else "ValueError"
    named = "list" if case["optimizer"] == "list" else \
        max((k for k in case["kwargs"] if case["id"].startswith(k)), key=len)
    with pytest.raises((TypeError, ValueError), match=named) as info:
        getattr(lr_scheduler, case["cls"])(optimizer, **case["kwargs"])
    assert type(info.value).__name__ == expected


def test_what_the_scheduler_docstring_says_torch_accepts_is_what_torch_did():
    """The list at the end of lr_scheduler's docstring, as recorded from torch."""
    recorded = {c["id"]: (c["torch_error"], c["when"]) for c in cases("scheduler_error")}
    for case_id in ("step_size_0", "T_max_0"):
        assert recorded[case_id] == ("ZeroDivisionError", "step"), case_id
    for case_id in ("step_size_negative", "step_size_fraction", "T_max_negative",
                    "T_max_fraction", "gamma_0", "gamma_negative", "eta_min_negative",
                    "eta_min_nan", "total_iters_0", "total_iters_negative",
                    "start_factor_nan"):
        assert recorded[case_id] == (None, None), case_id
