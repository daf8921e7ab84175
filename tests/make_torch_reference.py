"""Write ``tests/data/torch_reference.npz``: PyTorch's answers, for tests without PyTorch.

What it does
------------
The numpy engine ``course_utils.nn`` promises PyTorch's names, defaults and maths.
PyTorch is not a dependency of the course, so CI cannot ask it. This script asks
it once: it feeds PyTorch (float64 everywhere, one thread) small, deterministic
inputs made from fixed numpy seeds and records what comes out:

* every activation of ``course_utils.nn.functional``: value and derivative (by
  autograd) on a grid that includes large magnitudes (+-1e4) and the kinks;
* softmax and log_softmax along several dims, and the softmax vector-Jacobian
  product for a given upstream gradient;
* Linear, Conv2d (stride 2, padding 1, and a non-square kernel), MaxPool2d
  (kernel 2; kernel 3 stride 1; kernel 3 stride 2 padding 1; inputs with ties),
  RNN (tanh and relu) and LSTM: outputs, and the gradients with respect to the
  input, the initial states and every parameter for a given upstream gradient;
* every loss with a PyTorch equivalent (HingeLoss has none): value and gradient
  with respect to the input;
* every optimizer under several option sets: the parameter after each of 5 steps,
  for three fixed gradient sequences (ordinary, tiny 1e-5-scale, and mixed);
* the optimizers' constructor signatures (names, kinds, defaults), read with
  ``inspect.signature``;
* the learning-rate schedulers ``StepLR``, ``CosineAnnealingLR`` and ``LinearLR``
  under several option sets (each run past ``T_max`` / ``total_iters``): with
  ``torch.optim.SGD`` (lr 0.1) on one float64 parameter whose gradient is always 1,
  the lr after construction and after each of 25 ``step()`` calls, and the
  parameter after each optimizer step; which scheduler arguments torch refuses (and
  when: at construction or at the first steps) or accepts; the schedulers'
  constructor signatures;
* weight initialisation (``torch.nn.init``): ``calculate_gain`` for every
  nonlinearity; the fans ``_calculate_fan_in_and_fan_out`` finds for 2-D, 3-D and
  4-D weights (square and not); for every init function, option set and shape,
  the min, max, mean and standard deviation of at least 100,000 numbers it drew
  (the uniform ones reach their bound to a few parts in 10^5; a normal's std is
  within 1 % of the one torch aims for); which calls torch refuses, and the
  functions' signatures.

The parameters are made here with numpy and stored in the file, so the test can
copy the very same numbers into the engine. The script does not import the
engine: ``tests/test_nn_torch_reference.py`` reads the file and checks the engine
against it, ``tests/test_nn_optim.py`` reads the optimizer defaults from it and
``tests/test_nn_init.py`` the init entries.

Layout of the file: an ordinary ``.npz`` (``numpy.load(path)``, no pickle). The
entry ``meta`` is a JSON string that lists every case (its kind, id and
constructor arguments, which have the same names in torch and in the engine),
the optimizer, scheduler and init signatures, the refused init calls, the
scheduler arguments torch refuses or accepts, and the versions used;
every other entry is a float64 (or, for class indices, int64) array named
``<kind>/<case id>/<role>``, for example ``layer/conv2d_s2p1/grad/weight``.
The zip members carry a fixed date, so rerunning with the same versions gives
the same bytes.

How to rerun
------------
Only when a case is added or PyTorch's behaviour is to be re-recorded. Use a
scratch virtual environment: torch is *not* a course dependency, and the script
needs nothing but torch and numpy (it does not import the engine)::

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install torch==2.13.0 numpy==2.4.6   # the CPU wheel
    /tmp/torchenv/bin/python tests/make_torch_reference.py --keep-existing
    .venv/bin/pytest tests -k nn                               # engine vs the new file

Commit the new ``.npz``: it must stay well under 300 kB, so keep shapes small.
The torch and numpy versions used are stored in ``meta``. The committed file was
recorded with torch 2.13.0+cpu and numpy 2.4.6.

``--keep-existing`` keeps every array the file already has, byte for byte, after
checking that the new recording agrees with it (to 1e-10 relative, the tests'
tolerance; it stops if not), and adds only the new cases. Use it when adding
cases: torch's float64 kernels differ between CPUs by a unit in the last place,
so re-recording on another machine would rewrite every entry with no change in
meaning. Without it, everything is recorded anew (for a new torch version).
"""

import argparse
import inspect
import io
import json
import math
import pathlib
import sys
import zipfile

import numpy as np

try:
    import torch
except ImportError:  # pragma: no cover - the script's whole point is torch
    sys.exit("make_torch_reference.py needs PyTorch: pip install torch")

DEFAULT_OUTPUT = pathlib.Path(__file__).resolve().parent / "data" / "torch_reference.npz"
DTYPE = torch.float64


def rng(seed):
    return np.random.default_rng(seed)


def tensor(a, grad=False):
    t = torch.tensor(np.asarray(a), dtype=DTYPE if np.asarray(a).dtype.kind == "f" else None)
    return t.requires_grad_(grad) if grad else t


def numpy(t):
    return t.detach().numpy().copy()


class Recorder:
    """Collects the arrays (``arrays``) and the case list (``cases``)."""

    def __init__(self):
        self.arrays = {}
        self.cases = []

    def case(self, kind, case_id, **info):
        if any(c["kind"] == kind and c["id"] == case_id for c in self.cases):
            raise ValueError(f"duplicate case {kind}/{case_id}")
        self.cases.append({"kind": kind, "id": case_id, **info})
        return f"{kind}/{case_id}/"

    def put(self, key, value):
        value = np.asarray(value)
        if value.dtype.kind == "f":
            value = value.astype(np.float64)
        elif value.dtype.kind in "iu":
            value = value.astype(np.int64)
        else:
            raise TypeError(f"{key}: unexpected dtype {value.dtype}")
        if key in self.arrays:
            raise ValueError(f"duplicate array {key}")
        self.arrays[key] = value


# ---------------------------------------------------------------------- activations

# Every point of the grid is exactly representable; it has the kinks (0), both
# sides of softplus's threshold (20), and large magnitudes where a naive exp()
# overflows or where exp(x) is below 1e-304 (-705 ... -1e4).
GRID = np.concatenate([
    np.linspace(-12.0, 12.0, 97),
    [-1e4, -1e3, -800.0, -750.0, -705.0, -100.0, -50.0, -30.0, -20.5, -2 ** -30,
     2 ** -30, 19.5, 20.0, 20.5, 25.0, 30.0, 50.0, 100.0, 705.0, 750.0, 800.0, 1e3, 1e4],
])
# For the parametrised cases: off the regular grid, plus softplus's threshold
# z = beta * x = 5 (x = 2.5) and its neighbours.
PARAM_GRID = np.concatenate([np.linspace(-6.0, 6.0, 49) + 0.01,
                             [0.0, 2.25, 2.5, 2.75, -1e4, -800.0, 800.0, 1e4]])

F = torch.nn.functional
ACTIVATIONS = [
    # (case id, engine name, keyword arguments, torch function of (tensor, **kwargs))
    ("identity", "identity", {}, lambda t: torch.nn.Identity()(t)),
    ("step", "step", {}, lambda t: torch.heaviside(t, torch.zeros((), dtype=DTYPE))),
    ("sigmoid", "sigmoid", {}, torch.sigmoid),
    ("tanh", "tanh", {}, torch.tanh),
    ("relu", "relu", {}, F.relu),
    ("leaky_relu", "leaky_relu", {}, F.leaky_relu),
    ("elu", "elu", {}, F.elu),
    ("gelu", "gelu", {}, F.gelu),
    ("softplus", "softplus", {}, F.softplus),
    ("silu", "silu", {}, F.silu),
    ("leaky_relu_slope0.2", "leaky_relu", {"negative_slope": 0.2}, F.leaky_relu),
    ("elu_alpha1.7", "elu", {"alpha": 1.7}, F.elu),
    ("softplus_beta2_threshold5", "softplus", {"beta": 2.0, "threshold": 5.0}, F.softplus),
    ("softplus_beta0.5", "softplus", {"beta": 0.5}, F.softplus),
]


def record_activations(rec):
    for case_id, name, kwargs, fn in ACTIVATIONS:
        x = PARAM_GRID if kwargs else GRID
        t = tensor(x, grad=True)
        y = fn(t, **kwargs)
        derivative = True
        try:
            y.backward(torch.ones_like(y))
        except RuntimeError:  # torch.heaviside has no derivative in autograd
            derivative = False
        prefix = rec.case("activation", case_id, name=name, kwargs=kwargs,
                          derivative=derivative)
        rec.put(prefix + "x", x)
        rec.put(prefix + "y", numpy(y))
        if derivative:
            rec.put(prefix + "dy_dx", numpy(t.grad))


def record_softmax(rec):
    r = rng(10)
    extreme = np.array([[1e4, -1e4, 0.0, 3.0, 1e4 - 1.0],
                        [-1e4, -1e4, -1e4, -1e4 + 2.0, -1e4 + 50.0],
                        [0.0, 0.0, 0.0, 0.0, 0.0],
                        [800.0, -800.0, 700.0, 30.0, -5.0]])
    cases = [
        ("rows", r.normal(size=(4, 5)) * 10, -1),
        ("columns", r.normal(size=(4, 5)) * 10, 0),
        ("extreme_rows", extreme, -1),
        ("extreme_columns", extreme, 0),
        ("3d_dim1", r.normal(size=(2, 3, 4)) * 3, 1),
    ]
    for case_id, x, dim in cases:
        g = r.normal(size=x.shape)
        t = tensor(x, grad=True)
        s = torch.softmax(t, dim=dim)
        s.backward(tensor(g))
        prefix = rec.case("softmax", case_id, dim=dim)
        rec.put(prefix + "x", x)
        rec.put(prefix + "g", g)
        rec.put(prefix + "softmax", numpy(s))
        rec.put(prefix + "log_softmax", numpy(torch.log_softmax(tensor(x), dim=dim)))
        rec.put(prefix + "grad_x", numpy(t.grad))


# --------------------------------------------------------------------------- layers

RECURRENT_NAMES = {"weight_ih": "weight_ih_l0", "weight_hh": "weight_hh_l0",
                   "bias_ih": "bias_ih_l0", "bias_hh": "bias_hh_l0"}


def uniform_params(seed, shapes, bound):
    r = rng(seed)
    return {name: r.uniform(-bound, bound, size=shape) for name, shape in shapes.items()}


def layer_cases():
    """(case id, engine class, engine kwargs, torch module, parameters by engine
    name, torch names, inputs)."""
    r = rng(20)
    tnn = torch.nn
    cases = []

    def linear(case_id, in_f, out_f, x_shape, bias=True):
        shapes = {"weight": (out_f, in_f)}
        if bias:
            shapes["bias"] = (out_f,)
        params = uniform_params(len(cases) + 100, shapes, 1 / np.sqrt(in_f))
        cases.append((case_id, "Linear", {"in_features": in_f, "out_features": out_f,
                                          "bias": bias},
                      tnn.Linear(in_f, out_f, bias=bias), params, {n: n for n in params},
                      {"x": r.normal(size=x_shape)}))

    linear("linear", 5, 3, (4, 5))
    linear("linear_3d_input", 5, 3, (2, 4, 5))
    linear("linear_no_bias", 5, 3, (4, 5), bias=False)

    def conv(case_id, c_in, c_out, kernel, stride, padding, x_shape):
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        params = uniform_params(len(cases) + 100, {"weight": (c_out, c_in, kh, kw),
                                                   "bias": (c_out,)},
                                1 / np.sqrt(c_in * kh * kw))
        cases.append((case_id, "Conv2d", {"in_channels": c_in, "out_channels": c_out,
                                          "kernel_size": kernel, "stride": stride,
                                          "padding": padding},
                      tnn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding),
                      params, {n: n for n in params}, {"x": r.normal(size=x_shape)}))

    conv("conv2d_s2p1", 2, 3, 3, 2, 1, (2, 2, 7, 6))
    conv("conv2d_k3x2", 2, 3, [3, 2], 1, 0, (2, 2, 5, 6))

    def pool(case_id, kernel, stride, padding, x):
        kwargs = {"kernel_size": kernel, "stride": stride, "padding": padding}
        cases.append((case_id, "MaxPool2d", kwargs, tnn.MaxPool2d(kernel, stride, padding),
                      {}, {}, {"x": x}))

    pool("maxpool_k2", 2, None, 0, r.normal(size=(2, 3, 7, 6)))
    pool("maxpool_k3_s1", 3, 1, 0, r.normal(size=(2, 3, 7, 6)))
    pool("maxpool_k3_s2_p1", 3, 2, 1, r.normal(size=(2, 3, 7, 6)))
    # Small integers: many ties inside a window. PyTorch sends the gradient to the
    # first maximum in row-major order, and so must the engine.
    pool("maxpool_k2_ties", 2, None, 0, r.integers(0, 3, size=(2, 2, 6, 6)).astype(float))
    pool("maxpool_k3_s2_p1_ties", 3, 2, 1,
         r.integers(0, 3, size=(2, 2, 7, 6)).astype(float))

    def recurrent(case_id, cls, input_size, hidden, x_shape, batch_first=False,
                  nonlinearity=None, state=True):
        gates = 4 if cls == "LSTM" else 1
        params = uniform_params(len(cases) + 100, {
            "weight_ih": (gates * hidden, input_size), "weight_hh": (gates * hidden, hidden),
            "bias_ih": (gates * hidden,), "bias_hh": (gates * hidden,)}, 1 / np.sqrt(hidden))
        kwargs = {"input_size": input_size, "hidden_size": hidden, "batch_first": batch_first}
        if nonlinearity is not None:
            kwargs["nonlinearity"] = nonlinearity
        module = getattr(tnn, cls)(**kwargs)
        inputs = {"x": r.normal(size=x_shape)}
        batch = x_shape[0] if batch_first else x_shape[1]
        if state:
            inputs["h0"] = r.normal(size=(1, batch, hidden))
            if cls == "LSTM":
                inputs["c0"] = r.normal(size=(1, batch, hidden))
        cases.append((case_id, cls, kwargs, module, params, RECURRENT_NAMES, inputs))

    recurrent("rnn_tanh", "RNN", 3, 4, (5, 2, 3), nonlinearity="tanh")
    recurrent("rnn_relu", "RNN", 3, 4, (5, 2, 3), nonlinearity="relu")
    recurrent("rnn_relu_batch_first_no_state", "RNN", 3, 4, (2, 5, 3), batch_first=True,
              nonlinearity="relu", state=False)
    recurrent("lstm_batch_first", "LSTM", 3, 4, (2, 5, 3), batch_first=True)
    recurrent("lstm_no_state", "LSTM", 3, 4, (5, 2, 3), state=False)
    return cases


def record_layers(rec):
    r = rng(30)
    for case_id, cls, kwargs, module, params, torch_names, inputs in layer_cases():
        module = module.double()
        with torch.no_grad():
            for name, value in params.items():
                getattr(module, torch_names[name]).copy_(tensor(value))
        tin = {k: tensor(v, grad=True) for k, v in inputs.items()}
        if cls == "RNN":
            out, h_n = module(tin["x"], tin.get("h0"))
            outputs = {"out": out, "h_n": h_n}
        elif cls == "LSTM":
            state = (tin["h0"], tin["c0"]) if "h0" in tin else None
            out, (h_n, c_n) = module(tin["x"], state)
            outputs = {"out": out, "h_n": h_n, "c_n": c_n}
        else:
            outputs = {"out": module(tin["x"])}
        # Upstream gradients: dL/d output, and for recurrent layers with a given
        # initial state also dL/d h_n (and dL/d c_n), as if the loss used them too.
        upstream = {"out": r.normal(size=outputs["out"].shape)}
        if "h0" in inputs:
            for k in ("h_n", "c_n"):
                if k in outputs:
                    upstream[k] = r.normal(size=outputs[k].shape)
        torch.autograd.backward([outputs[k] for k in upstream],
                                [tensor(v) for v in upstream.values()])
        prefix = rec.case("layer", case_id, cls=cls, kwargs=kwargs,
                          params=sorted(params), inputs=sorted(inputs),
                          outputs=sorted(outputs), upstream=sorted(upstream))
        for name, value in params.items():
            rec.put(prefix + "param/" + name, value)
            rec.put(prefix + "grad/" + name, numpy(getattr(module, torch_names[name]).grad))
        for name, value in inputs.items():
            rec.put(prefix + "input/" + name, value)
            rec.put(prefix + "grad_input/" + name, numpy(tin[name].grad))
        for name, value in outputs.items():
            rec.put(prefix + "output/" + name, numpy(value))
        for name, value in upstream.items():
            rec.put(prefix + "upstream/" + name, value)


# --------------------------------------------------------------------------- losses

def probabilities(r, n, c):
    p = r.random((n, c)) + 0.1
    return p / p.sum(axis=1, keepdims=True)


def loss_cases():
    """(case id, class name, kwargs (same for torch and the engine), input, target)."""
    r = rng(40)
    logits = r.normal(size=(6, 4)) * 5
    kl_target = probabilities(r, 6, 4)
    kl_target[kl_target > 0.3] = 0.0          # zeros: 0 log 0 counts 0
    x_l1, y_l1 = r.normal(size=7), r.normal(size=7)
    y_l1[3] = x_l1[3]                          # a zero difference: sign(0) = 0
    huber_y = r.normal(size=10)
    huber_x = huber_y + np.concatenate([3 * r.normal(size=6), [1.0, -1.0, 0.5, -0.5]])
    return [
        ("mse", "MSELoss", {}, r.normal(size=(3, 4)), r.normal(size=(3, 4))),
        ("mse_sum", "MSELoss", {"reduction": "sum"}, r.normal(size=5), r.normal(size=5)),
        ("l1", "L1Loss", {}, x_l1, y_l1),
        ("l1_sum", "L1Loss", {"reduction": "sum"}, r.normal(size=(2, 3)),
         r.normal(size=(2, 3))),
        ("bce", "BCELoss", {}, r.uniform(0.02, 0.98, size=(3, 4)), r.random((3, 4))),
        # p = 0 and 1 (logs clamped at -100) and p = 1e-50 (p (1 - p) clamped).
        ("bce_clamped", "BCELoss", {}, np.array([0.0, 1.0, 0.3, 0.9, 1e-50, 1.0]),
         np.array([1.0, 1.0, 0.2, 0.0, 1.0, 0.0])),
        ("bce_with_logits", "BCEWithLogitsLoss", {},
         np.array([-1e4, -800.0, -30.0, -1.0, 0.0, 2.0, 40.0, 800.0, 1e4]), r.random(9)),
        ("bce_with_logits_sum", "BCEWithLogitsLoss", {"reduction": "sum"},
         r.normal(size=(3, 4)) * 4, (r.random((3, 4)) > 0.5).astype(float)),
        ("cross_entropy_indices", "CrossEntropyLoss", {}, logits,
         np.array([0, 1, 2, 3, 3, 1])),
        ("cross_entropy_probabilities", "CrossEntropyLoss", {}, logits,
         probabilities(r, 6, 4)),
        ("cross_entropy_extreme_sum", "CrossEntropyLoss", {"reduction": "sum"},
         np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [800.0, -800.0, 799.0]]),
         np.array([2, 0, 1])),
        ("kl_div_batchmean", "KLDivLoss", {"reduction": "batchmean"},
         np.log(probabilities(r, 6, 4)), kl_target),
        ("kl_div_mean", "KLDivLoss", {"reduction": "mean"},
         np.log(probabilities(r, 6, 4)), probabilities(r, 6, 4)),
        ("kl_div_sum", "KLDivLoss", {"reduction": "sum"},
         np.log(probabilities(r, 3, 5)), probabilities(r, 3, 5)),
        ("huber", "HuberLoss", {}, huber_x, huber_y),
        ("huber_delta0.5", "HuberLoss", {"delta": 0.5}, huber_x, huber_y),
        ("huber_delta0.5_sum", "HuberLoss", {"delta": 0.5, "reduction": "sum"},
         3 * r.normal(size=(2, 3)), r.normal(size=(2, 3))),
    ]


def record_losses(rec):
    import warnings

    for case_id, cls, kwargs, x, target in loss_cases():
        tx = tensor(x, grad=True)
        with warnings.catch_warnings():  # KLDivLoss 'mean' warns that it is not the KL
            warnings.simplefilter("ignore")
            value = getattr(torch.nn, cls)(**kwargs)(tx, tensor(target))
        value.backward()
        prefix = rec.case("loss", case_id, cls=cls, kwargs=kwargs)
        rec.put(prefix + "input", x)
        rec.put(prefix + "target", target)
        rec.put(prefix + "value", numpy(value))
        rec.put(prefix + "grad_input", numpy(tx.grad))


# ----------------------------------------------------------------------- optimizers

OPTIMIZER_CASES = [
    ("SGD", "defaults", {}),
    ("SGD", "lr", {"lr": 0.1}),
    ("SGD", "momentum", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", "momentum_dampening_decay", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3,
                                         "weight_decay": 0.01}),
    ("SGD", "nesterov", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", "nesterov_decay", {"lr": 0.05, "momentum": 0.5, "nesterov": True,
                               "weight_decay": 0.1}),
    ("Adam", "defaults", {}),
    ("Adam", "lr", {"lr": 0.01}),
    ("Adam", "amsgrad", {"lr": 0.01, "amsgrad": True}),
    ("Adam", "decay", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", "betas_decay_amsgrad", {"lr": 0.01, "betas": [0.8, 0.95], "weight_decay": 0.1,
                                     "amsgrad": True}),
    ("Adam", "eps", {"lr": 0.01, "eps": 1e-6}),
    ("AdamW", "defaults", {}),
    ("AdamW", "lr_decay", {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamW", "betas_decay_amsgrad", {"lr": 0.01, "betas": [0.8, 0.95], "weight_decay": 0.5,
                                      "amsgrad": True}),
    ("Adagrad", "defaults", {}),
    ("Adagrad", "lr_decay", {"lr": 0.1, "lr_decay": 0.3}),
    ("Adagrad", "initial_accumulator", {"lr": 0.1, "initial_accumulator_value": 0.1}),
    ("Adagrad", "all", {"lr": 0.1, "lr_decay": 0.3, "initial_accumulator_value": 0.1,
                        "weight_decay": 0.05}),
    ("Adagrad", "eps", {"lr": 0.1, "eps": 1e-6}),
    ("RMSprop", "defaults", {}),
    ("RMSprop", "lr", {"lr": 0.01}),
    ("RMSprop", "alpha_eps", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}),
    ("RMSprop", "centered", {"lr": 0.01, "centered": True}),
    ("RMSprop", "momentum", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", "centered_momentum_decay", {"lr": 0.01, "momentum": 0.9, "centered": True,
                                            "weight_decay": 0.1}),
    ("Adadelta", "defaults", {}),
    ("Adadelta", "lr_rho_decay", {"lr": 0.5, "rho": 0.7, "weight_decay": 0.1}),
    ("Adadelta", "eps", {"rho": 0.95, "eps": 1e-4}),
]

STEPS = 5


def gradient_sequences():
    """Three fixed sequences of 5 gradients for a (3, 4) parameter: ordinary size,
    tiny (1e-5: where eps decides the step size) and a mix of both."""
    r = rng(50)
    p0 = r.normal(size=(3, 4))
    base = r.normal(size=(STEPS, 3, 4))
    scales = {"ordinary": [1.0] * STEPS, "tiny": [1e-5] * STEPS,
              "mixed": [1.0, 1e-5, 1e-5, 1.0, 1e-5]}
    return p0, {name: base * np.array(s)[:, None, None] for name, s in scales.items()}


def record_optimizers(rec):
    p0, sequences = gradient_sequences()
    rec.put("optim_input/p0", p0)
    for name, grads in sequences.items():
        rec.put(f"optim_input/grads/{name}", grads)
    for cls, case_id, kwargs in OPTIMIZER_CASES:
        prefix = rec.case("optim", f"{cls}-{case_id}", cls=cls, kwargs=kwargs,
                          sequences=sorted(sequences))
        torch_kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
        for seq, grads in sequences.items():
            param = torch.nn.Parameter(tensor(p0))
            optimizer = getattr(torch.optim, cls)([param], **torch_kwargs)
            trajectory = []
            for g in grads:
                param.grad = tensor(g)
                optimizer.step()
                trajectory.append(numpy(param))
            rec.put(prefix + seq, np.array(trajectory))


# ------------------------------------------------------------------- lr schedulers

SCHEDULER_CASES = [  # (class, case id, kwargs); "defaults": only the required arguments
    ("StepLR", "defaults", {"step_size": 5}),
    ("StepLR", "step3_gamma0.5", {"step_size": 3, "gamma": 0.5}),
    ("CosineAnnealingLR", "defaults", {"T_max": 10}),
    ("CosineAnnealingLR", "eta_min", {"T_max": 10, "eta_min": 0.01}),
    # Odd T_max: 25 steps reach 3 T_max (lr back at eta_min twice) and pass the steps
    # t = T_max + 1 + 2k T_max where torch's recursion switches to another formula.
    ("CosineAnnealingLR", "odd_T_max", {"T_max": 7}),
    ("LinearLR", "defaults", {}),
    ("LinearLR", "warmup", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 8}),
    ("LinearLR", "decay", {"start_factor": 1.0, "end_factor": 0.2}),
    ("LinearLR", "decay_to_zero", {"start_factor": 0.5, "end_factor": 0.0, "total_iters": 6}),
]
SCHEDULER_STEPS = 25
SCHEDULER_LR = 0.1
SCHEDULER_ERRORS = [  # (case id, class, kwargs, what is passed as the optimizer)
    ("not_an_optimizer", "StepLR", {"step_size": 3}, "list"),
    ("step_size_0", "StepLR", {"step_size": 0}, "SGD"),
    ("step_size_negative", "StepLR", {"step_size": -1}, "SGD"),
    ("step_size_fraction", "StepLR", {"step_size": 2.5}, "SGD"),
    ("gamma_0", "StepLR", {"step_size": 2, "gamma": 0.0}, "SGD"),
    ("gamma_negative", "StepLR", {"step_size": 2, "gamma": -1.0}, "SGD"),
    ("T_max_0", "CosineAnnealingLR", {"T_max": 0}, "SGD"),
    ("T_max_negative", "CosineAnnealingLR", {"T_max": -3}, "SGD"),
    ("T_max_fraction", "CosineAnnealingLR", {"T_max": 2.5}, "SGD"),
    ("eta_min_negative", "CosineAnnealingLR", {"T_max": 3, "eta_min": -1.0}, "SGD"),
    ("eta_min_nan", "CosineAnnealingLR", {"T_max": 3, "eta_min": math.nan}, "SGD"),
    ("start_factor_0", "LinearLR", {"start_factor": 0.0}, "SGD"),
    ("start_factor_above_1", "LinearLR", {"start_factor": 1.5}, "SGD"),
    ("start_factor_nan", "LinearLR", {"start_factor": math.nan}, "SGD"),
    ("start_factor_str", "LinearLR", {"start_factor": "0.5"}, "SGD"),
    ("end_factor_negative", "LinearLR", {"end_factor": -0.1}, "SGD"),
    ("end_factor_above_1", "LinearLR", {"end_factor": 1.5}, "SGD"),
    ("total_iters_0", "LinearLR", {"total_iters": 0}, "SGD"),
    ("total_iters_negative", "LinearLR", {"total_iters": -2}, "SGD"),
]
SCHEDULERS = ("LRScheduler", "StepLR", "CosineAnnealingLR", "LinearLR")


def scheduler_sgd():
    """torch.optim.SGD, lr 0.1, on one float64 parameter (0.0) whose gradient is 1."""
    param = torch.nn.Parameter(tensor([0.0]))
    param.grad = tensor([1.0])
    return param, torch.optim.SGD([param], lr=SCHEDULER_LR)


def record_schedulers(rec):
    import warnings

    lr_scheduler = torch.optim.lr_scheduler
    for cls, case_id, kwargs in SCHEDULER_CASES:
        param, optimizer = scheduler_sgd()
        scheduler = getattr(lr_scheduler, cls)(optimizer, **kwargs)
        lrs, params = [scheduler.get_last_lr()[0]], []
        for _ in range(SCHEDULER_STEPS):
            optimizer.step()            # uses the lr in lrs[-1]
            params.append(numpy(param)[0])
            scheduler.step()
            lrs.append(scheduler.get_last_lr()[0])
            assert optimizer.param_groups[0]["lr"] == lrs[-1]
        prefix = rec.case("scheduler", f"{cls}-{case_id}", cls=cls, kwargs=kwargs,
                          lr=SCHEDULER_LR, steps=SCHEDULER_STEPS)
        rec.put(prefix + "lr", lrs)
        rec.put(prefix + "param", params)
    for case_id, cls, kwargs, passed in SCHEDULER_ERRORS:
        optimizer = [torch.zeros(1)] if passed == "list" else scheduler_sgd()[1]
        error, when = None, None
        with warnings.catch_warnings():   # "lr_scheduler.step() before optimizer.step()"
            warnings.simplefilter("ignore")
            try:
                when = "construction"
                scheduler = getattr(lr_scheduler, cls)(optimizer, **kwargs)
                when = "step"
                for _ in range(3):
                    scheduler.step()
                when = None
            except Exception as exc:  # noqa: BLE001 - what torch raises is what is recorded
                error = type(exc).__name__
        rec.case("scheduler_error", case_id, cls=cls, kwargs=kwargs, optimizer=passed,
                 torch_error=error, when=when)


def json_default(value):
    """A JSON form of a signature default that the test can compare exactly."""
    if value is inspect.Parameter.empty:
        return None
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, tuple):
        return [json_default(v) for v in value]
    raise TypeError(f"cannot record default {value!r}")


def signatures(module, names):
    """name -> the parameters of ``module.name``'s signature (name, kind, default)."""
    return {
        name: [{"name": p.name, "kind": p.kind.name,
                "has_default": p.default is not inspect.Parameter.empty,
                "default": json_default(p.default),
                "default_is_tuple": isinstance(p.default, tuple)}
               for p in inspect.signature(getattr(module, name)).parameters.values()]
        for name in names
    }


# --------------------------------------------------------------------- initialisation

# Weight shapes (out, in, *kernel): a Linear(3, 5) weight, a non-square Linear(12, 4)
# weight, Conv1d, Conv2d with a square and with a non-square kernel.
INIT_SHAPES = {
    "linear_5x3": (5, 3),
    "linear_4x12": (4, 12),
    "conv1d_6x2x5": (6, 2, 5),
    "conv2d_8x4x3x3": (8, 4, 3, 3),
    "conv2d_3x6x5x2": (3, 6, 5, 2),
}
GAIN_CASES = [  # (case id, nonlinearity, param)
    *[(name, name, None) for name in ("linear", "conv1d", "conv2d", "conv3d",
                                      "conv_transpose1d", "conv_transpose2d",
                                      "conv_transpose3d", "sigmoid", "tanh", "relu", "selu")],
    ("leaky_relu", "leaky_relu", None),
    ("leaky_relu_0", "leaky_relu", 0),
    ("leaky_relu_0.2", "leaky_relu", 0.2),
    ("leaky_relu_sqrt5", "leaky_relu", math.sqrt(5)),
    ("tanh_param_ignored", "tanh", 0.5),
]
INIT_CASES = [  # (case id, function, kwargs: the same names in torch and the engine)
    ("xavier_uniform", "xavier_uniform_", {}),
    ("xavier_uniform_tanh", "xavier_uniform_", {"gain": 5.0 / 3}),
    ("xavier_normal", "xavier_normal_", {}),
    ("xavier_normal_relu", "xavier_normal_", {"gain": math.sqrt(2.0)}),
    ("kaiming_uniform", "kaiming_uniform_", {}),
    ("kaiming_uniform_sqrt5", "kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_leaky0.2", "kaiming_uniform_", {"a": 0.2}),
    ("kaiming_uniform_fan_out_relu", "kaiming_uniform_", {"mode": "fan_out",
                                                          "nonlinearity": "relu"}),
    ("kaiming_normal_relu", "kaiming_normal_", {"nonlinearity": "relu"}),
    ("kaiming_normal_fan_out_relu", "kaiming_normal_", {"mode": "fan_out",
                                                        "nonlinearity": "relu"}),
    ("kaiming_normal_fan_out_leaky0.1", "kaiming_normal_", {"a": 0.1, "mode": "fan_out"}),
    ("kaiming_normal_tanh", "kaiming_normal_", {"nonlinearity": "tanh"}),
]
PLAIN_INIT_CASES = [  # without fans: one shape is enough
    ("uniform", "uniform_", {}),
    ("uniform_-0.5_2", "uniform_", {"a": -0.5, "b": 2.0}),
    ("normal", "normal_", {}),
    ("normal_1_0.3", "normal_", {"mean": 1.0, "std": 0.3}),
]
INIT_SAMPLES = 100_000
INIT_ERRORS = [  # (case id, function, shape or None, kwargs): calls torch refuses
    ("xavier_uniform_1d", "xavier_uniform_", (5,), {}),
    ("xavier_normal_1d", "xavier_normal_", (5,), {}),
    ("kaiming_uniform_1d", "kaiming_uniform_", (5,), {}),
    ("kaiming_normal_0d", "kaiming_normal_", (), {}),
    ("kaiming_uniform_mode_fan_avg", "kaiming_uniform_", (4, 3), {"mode": "fan_avg"}),
    ("kaiming_normal_softmax", "kaiming_normal_", (4, 3), {"nonlinearity": "softmax"}),
    ("gain_softmax", "calculate_gain", None, {"nonlinearity": "softmax"}),
    ("gain_leaky_relu_bool", "calculate_gain", None, {"nonlinearity": "leaky_relu",
                                                       "param": True}),
    ("gain_leaky_relu_str", "calculate_gain", None, {"nonlinearity": "leaky_relu",
                                                      "param": "0.1"}),
]


def record_init(rec):
    init = torch.nn.init
    for case_id, nonlinearity, param in GAIN_CASES:
        prefix = rec.case("init_gain", case_id, nonlinearity=nonlinearity, param=param)
        rec.put(prefix + "gain", float(init.calculate_gain(nonlinearity, param)))
    for shape_id, shape in INIT_SHAPES.items():
        prefix = rec.case("init_fan", shape_id, shape=list(shape))
        rec.put(prefix + "fans", init._calculate_fan_in_and_fan_out(torch.empty(shape)))
    cases = [(f"{case_id}-{shape_id}", fn, kwargs, shape) for case_id, fn, kwargs in INIT_CASES
             for shape_id, shape in INIT_SHAPES.items()]
    cases += [(case_id, fn, kwargs, (5, 3)) for case_id, fn, kwargs in PLAIN_INIT_CASES]
    for seed, (case_id, fn, kwargs, shape) in enumerate(cases):
        torch.manual_seed(seed)
        weight = torch.empty(shape)
        draws = [numpy(getattr(init, fn)(weight, **kwargs))
                 for _ in range(-(-INIT_SAMPLES // weight.numel()))]
        values = np.concatenate([d.ravel() for d in draws])
        prefix = rec.case("init", case_id, fn=fn, kwargs=kwargs, shape=list(shape),
                          samples=values.size)
        rec.put(prefix + "min_max_mean_std",
                [values.min(), values.max(), values.mean(), values.std()])
    for case_id, fn, shape, kwargs in INIT_ERRORS:
        args = () if shape is None else (torch.empty(shape),)
        try:
            getattr(init, fn)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - what torch raises is what is recorded
            error = type(exc).__name__
        else:
            raise AssertionError(f"torch accepted {case_id}")
        rec.case("init_error", case_id, fn=fn, shape=None if shape is None else list(shape),
                 kwargs=kwargs, error=error)


INIT_FUNCTIONS = ("calculate_gain", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                  "kaiming_normal_", "zeros_", "ones_", "normal_", "uniform_")


# ---------------------------------------------------------------------------- write

def write_npz(path, arrays):
    """Like ``numpy.savez_compressed``, but with a fixed date on every zip member,
    so the same arrays always give the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buffer.getvalue(), compresslevel=9)


def keep_existing(path, arrays):
    """``arrays`` with every entry that ``path`` already has replaced by the stored
    bytes, after checking that the two agree (the tests' tolerance); stops if not."""
    with np.load(path, allow_pickle=False) as old:
        stored = {key: old[key] for key in old.files if key != "meta"}
    for key, value in stored.items():
        if key not in arrays:
            sys.exit(f"{key} is in {path} but no longer recorded: rerun without --keep-existing")
        if not np.allclose(arrays[key], value, rtol=1e-10, atol=1e-14):
            sys.exit(f"{key} differs from {path}: rerun without --keep-existing")
    return dict(arrays, **stored)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=pathlib.Path, default=DEFAULT_OUTPUT,
                        help=f"where to write the file (default: {DEFAULT_OUTPUT})")
    parser.add_argument("--keep-existing", action="store_true",
                        help="keep the arrays the output file already has (see the docstring)")
    args = parser.parse_args(argv)

    torch.set_num_threads(1)               # one summation order
    torch.set_default_dtype(torch.float64)
    rec = Recorder()
    record_activations(rec)
    record_softmax(rec)
    record_layers(rec)
    record_losses(rec)
    record_optimizers(rec)
    record_schedulers(rec)
    record_init(rec)
    meta = {
        "about": "PyTorch reference values for course_utils.nn; written by "
                 "tests/make_torch_reference.py, checked by tests/test_nn_torch_reference.py",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "optimizer_signatures": signatures(torch.optim, ("SGD", "Adam", "AdamW", "Adagrad", "RMSprop",
                                                         "Adadelta")),
        "init_signatures": signatures(torch.nn.init, INIT_FUNCTIONS),
        "scheduler_signatures": signatures(torch.optim.lr_scheduler, SCHEDULERS),
        "cases": rec.cases,
    }
    arrays = keep_existing(args.output, rec.arrays) if args.keep_existing else rec.arrays
    arrays = dict(arrays, meta=np.array(json.dumps(meta, indent=1, sort_keys=True)))
    write_npz(args.output, arrays)
    counts = {}
    for case in rec.cases:
        counts[case["kind"]] = counts.get(case["kind"], 0) + 1
    print(f"wrote {args.output} ({args.output.stat().st_size / 1024:.1f} kB): "
          f"{len(rec.cases)} cases {counts}, {len(rec.arrays)} arrays, "
          f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
