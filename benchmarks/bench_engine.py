"""Speed of the numpy engine (course_utils.nn) on seven workloads, float64, side by side
with a hand-written numpy step and with PyTorch on the CPU.

For W1-W4 and W6 it times three versions of the same computation, from the same
starting weights:

* ``engine``: the lines of a training loop with ``course_utils.nn``, as ``fit`` runs
  them (``model.backward(..., input_grad=False)``: nothing needs dL/dx); for W4 a
  Conv2d's forward and backward, dL/dx included;
* ``numpy``: the same step written by hand in plain numpy, as fast as straightforward
  numpy goes (no modules, no checks, no accumulation into ``.grad``, work arrays kept
  between calls, the layout of its choice);
* ``torch``: the same step in PyTorch, float64, ``torch.set_num_threads(2)``.

It prints the median times and the ratios engine/torch, numpy/torch and engine/numpy
(below 1: faster), and whether engine/torch meets the goal (``GOALS``): a numpy/torch
ratio above a goal says that even hand-written numpy does not reach it here. Before
timing, it checks that the hand-written steps compute what the engine computes
(``check_same_step``: the weights, or for W4 the output and every gradient, to 1e-10).
W5 (LSTM) and W7 (RNN) are forward+backward passes, engine and torch only; W6 is a
whole training step of the digits chapter's CNN (``course_utils.digits.cnn``) on 32
real digits (torch from the engine's starting weights).

    python benchmarks/bench_engine.py                   # all workloads, torch if importable
    python benchmarks/bench_engine.py --repeat 500 --only W1 W2
    python benchmarks/bench_engine.py --no-torch
    PYTHONPATH=. /path/to/venv-with-torch/bin/python benchmarks/bench_engine.py

The three versions are timed in turns, round after round (``--repeat`` calls in all,
in runs of ``repeat / 10``), so that a change in the machine's load affects them alike.
Timings depend on the machine and its BLAS (OpenBLAS reads OPENBLAS_NUM_THREADS and
OPENBLAS_CORETYPE); on a loaded machine torch's two threads wait for each other and its
times (and so every ratio) swing widely.
"""

import argparse
import os
import platform
import statistics
import time

import numpy as np
from numpy.lib.stride_tricks import as_strided

from course_utils import digits, nn
from course_utils.nn.optim import SGD, Adam

#: engine time / torch time to reach: W1-W3 as fast as the hand-written numpy step,
#: the others at least as fast as torch (W4) or twice as fast (W5-W7).
GOALS = {"W1": 0.25, "W2": 0.33, "W3": 1.0, "W4": 1.0, "W5": 0.5, "W6": 0.5, "W7": 0.5}
DESCRIPTIONS = {
    "W1": "MLP 2-8-8-1 tanh, batch 10, BCEWithLogits, SGD",
    "W2": "MLP 64-128-10 ReLU, batch 32, CrossEntropy, Adam",
    "W3": "MLP 784-256-10 ReLU, batch 128, CrossEntropy, SGD momentum 0.9",
    "W4": "Conv2d 1->8 3x3 on 16x1x28x28, forward+backward with dL/dx",
    "W5": "LSTM 8->32, length 20, batch 16, forward+backward",
    "W6": "digits CNN (2 conv, 2 maxpool), batch 32 of 8x8, CE, Adam",
    "W7": "RNN 8->32 tanh, length 20, batch 16, forward+backward",
}
NAMES = sorted(DESCRIPTIONS)
MLPS = {  # sizes, activation, loss, optimizer, its settings
    "W1": ([2, 8, 8, 1], "tanh", "bce", "sgd", dict(lr=0.1)),
    "W2": ([64, 128, 10], "relu", "ce", "adam", dict(lr=1e-3)),
    "W3": ([784, 256, 10], "relu", "ce", "sgd", dict(lr=0.01, momentum=0.9)),
}


def data(rng):
    """The inputs and targets of every workload (the same for all three versions)."""
    x_digits, y_digits = digits.split()[:2]
    return {
        "W1": (rng.normal(size=(10, 2)), rng.integers(0, 2, size=(10, 1)).astype(float)),
        "W2": (rng.normal(size=(32, 64)), rng.integers(0, 10, size=32)),
        "W3": (rng.normal(size=(128, 784)), rng.integers(0, 10, size=128)),
        "W4": (rng.normal(size=(16, 1, 28, 28)), rng.normal(size=(16, 8, 26, 26))),
        "W5": (rng.normal(size=(20, 16, 8)), rng.normal(size=(20, 16, 32))),
        "W6": (x_digits[:32], y_digits[:32]),
        "W7": (rng.normal(size=(20, 16, 8)), rng.normal(size=(20, 16, 32))),
    }


def timed_rounds(steps, repeat, warmup=10, rounds=10):
    """Time of one call of each step in ``steps`` (name -> function), in ms: the median
    over ``rounds`` rounds of the mean of ``repeat / rounds`` calls in a row. Each round
    times every step in turn (after two calls to warm it up again), so that a change in
    the machine's load falls on all of them alike."""
    for step in steps.values():
        for _ in range(warmup):
            step()
    per_round = max(1, repeat // rounds)
    times = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            step()
            step()
            start = time.perf_counter()
            for _ in range(per_round):
                step()
            times[name].append((time.perf_counter() - start) / per_round)
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


# ------------------------------------------------------------------ numpy engine

def engine_mlp(name, x, y):
    """``(step, model)``: one training step of workload ``name`` with course_utils.nn."""
    sizes, activation, loss, optimizer, settings = MLPS[name]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out, rng=i))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh() if activation == "tanh" else nn.ReLU())
    model = nn.Sequential(*layers)
    loss_fn = nn.BCEWithLogitsLoss() if loss == "bce" else nn.CrossEntropyLoss()
    opt = (SGD if optimizer == "sgd" else Adam)(model.parameters(), **settings)

    def step():
        output = model(x)
        loss_fn(output, y)
        opt.zero_grad()
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
    return step, model


def engine_workloads(arrays):
    steps = {name: engine_mlp(name, *arrays[name])[0] for name in MLPS}
    def recurrent_step(layer, x, g):
        def step():
            layer.zero_grad()
            layer(x)
            layer.backward(g)
        return step

    steps.update(W4=engine_conv(*arrays["W4"])[0], W5=recurrent_step(nn.LSTM(8, 32, rng=0), *arrays["W5"]),
                 W6=engine_cnn(*arrays["W6"])[0], W7=recurrent_step(nn.RNN(8, 32, rng=0), *arrays["W7"]))
    return steps


def engine_conv(x, grad_output):
    """``(step, conv)``: forward and backward (dL/dx included) of a Conv2d(1, 8, 3);
    the step returns the output and dL/dx."""
    conv = nn.Conv2d(1, 8, 3, rng=0)

    def step():
        conv.zero_grad()
        y = conv(x)
        return y, conv.backward(grad_output)
    return step, conv


def engine_cnn(x, y):
    """``(step, model)``: one training step of the digits CNN, as ``fit`` runs it."""
    model = digits.cnn(8)
    loss_fn = nn.CrossEntropyLoss()
    opt = Adam(model.parameters(), lr=0.01)

    def step():
        output = model(x)
        loss_fn(output, y)
        opt.zero_grad()
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
    return step, model


# ------------------------------------------------------------------ hand-written numpy

def numpy_w1(weights, x, y, lr=0.1):
    """2-8-8-1 tanh MLP, BCE on logits, plain SGD: forward, gradients, update."""
    w1, b1, w2, b2, w3, b3 = weights
    n = len(x)

    def step():
        a1 = np.tanh(x @ w1.T + b1)
        a2 = np.tanh(a1 @ w2.T + b2)
        s = a2 @ w3.T + b3
        loss = np.mean(np.logaddexp(0.0, s) - s * y)  # noqa: F841 (computed, as in training)
        g = (1.0 / (1.0 + np.exp(-s)) - y) / n        # dL/ds = (sigmoid(s) - y) / n
        d2 = (g @ w3) * (1.0 - a2 * a2)
        d1 = (d2 @ w2) * (1.0 - a1 * a1)
        grads = (d1.T @ x, d1.sum(0), d2.T @ a1, d2.sum(0), g.T @ a2, g.sum(0))
        for w, dw in zip(weights, grads):
            w -= lr * dw
    return step


def _relu_mlp_grads(w1, b1, w2, b2, x, y, rows):
    """Forward and backward of a 1-hidden-layer ReLU MLP with cross-entropy on labels ``y``."""
    h = x @ w1.T
    h += b1
    np.maximum(h, 0.0, out=h)
    z = h @ w2.T
    z += b2
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    total = e.sum(axis=1, keepdims=True)
    loss = np.log(total).mean() - z[rows, y].mean()  # noqa: F841 (computed, as in training)
    g = e / total                                    # softmax
    g[rows, y] -= 1.0
    g /= len(x)
    dh = g @ w2
    dh *= h > 0
    return dh.T @ x, dh.sum(0), g.T @ h, g.sum(0)


def numpy_w2(weights, x, y, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """64-128-10 ReLU MLP, cross-entropy, Adam."""
    rows = np.arange(len(x))
    m = [np.zeros_like(w) for w in weights]
    v = [np.zeros_like(w) for w in weights]
    t = [0]

    def step():
        t[0] += 1
        c1, c2 = 1 - beta1 ** t[0], 1 - beta2 ** t[0]
        for w, mw, vw, dw in zip(weights, m, v, _relu_mlp_grads(*weights, x, y, rows)):
            mw *= beta1
            mw += (1 - beta1) * dw
            vw *= beta2
            vw += (1 - beta2) * (dw * dw)
            w -= lr * (mw / c1) / (np.sqrt(vw / c2) + eps)
    return step


def numpy_w3(weights, x, y, lr=0.01, momentum=0.9):
    """784-256-10 ReLU MLP, cross-entropy, SGD with momentum."""
    rows = np.arange(len(x))
    velocity = [None] * len(weights)

    def step():
        for i, (w, dw) in enumerate(zip(weights, _relu_mlp_grads(*weights, x, y, rows))):
            if velocity[i] is None:
                velocity[i] = dw
            else:
                velocity[i] *= momentum
                velocity[i] += dw
            w -= lr * velocity[i]
    return step


def numpy_w4(weights, x, grad_output):
    """Conv2d(1 -> 8, 3x3) on ``x`` (16, 1, 28, 28), forward and backward:
    ``y = W * x + b``, then from ``g = dL/dy``: ``dL/dW``, ``dL/db`` and ``dL/dx``.
    The step returns ``(y, dW, db, dx)``.

    im2col, batch last: the image as ``xp[h, w, n]`` (one row of all 16 images is one
    run of memory, plus one row of zeros below). The pixels that kernel offset ``(u, v)``
    sees, for every output pixel at once, are then one contiguous slice of ``xp``, of
    ``26 * 28 * 16`` values: 26 output rows of 28 columns each (the last 2 of a row
    run into the next row: not patches, thrown away). ``cols`` holds the 9 slices and a
    row of ones, ``P = [W | b]`` (8 x 10), so ``y = P @ cols`` (the bias comes with the
    product) and, with ``g`` laid out as ``cols`` (0 in the thrown-away columns),
    ``[dW | db] = g @ cols.T``; ``dL/dcols = W.T @ g`` is added back onto the pixels
    its rows came from (col2im), 9 slices again. Work arrays are made once, the output
    and dL/dx included: the next call overwrites them (a layer cannot do that; the
    engine returns fresh ones).

    Tried (the median of 10 rounds, relative to this one): cols batch first
    (9, N, 26, 26) filled by 9 slice copies, 1.3x; the same filled by one as_strided
    copy, 1.35x; per-image batched matmuls with no transposes ((N, 9, 676) columns),
    1.5x; per image with rows running on ((N, 9, 26 * 28)), 1.3x; sliding_window_view
    with tensordot, 5.5x; no im2col (9 broadcast multiply-adds), 4.9x; this layout with
    fresh arrays each call instead of kept ones, 2.5x (page faults of arrays of a few
    hundred kB: 380 page faults a call); a bias add and a sum instead of the row of
    ones, 1.1x; the engine (this layout, the bias apart, a fresh output and dL/dx),
    1.2x.
    """
    w, b = weights
    n, _, h, wd = x.shape
    o, (kh, kw) = len(w), w.shape[2:]
    ho, wo = h - kh + 1, wd - kw + 1
    run = ho * wd * n                            # columns of cols: every column of ho rows
    P = np.concatenate([w.reshape(o, -1), b[:, None]], axis=1)   # [W | b]
    xp = np.zeros((h + 1, wd, n))
    cols = np.ones((kh * kw + 1, run))           # the last row stays ones
    y = np.empty((o, run))
    g = np.zeros((o, ho, wd, n))                 # 0 in the columns that are not patches
    dPb = np.empty((o, kh * kw + 1))
    dcols = np.empty((kh * kw, run))
    dxp = np.empty((h + 1) * wd * n)
    starts = [(u * wd + v) * n for u in range(kh) for v in range(kw)]

    def step():
        xp[:h] = x[:, 0].transpose(1, 2, 0)
        flat = xp.reshape(-1)
        for k, s in enumerate(starts):
            cols[k] = flat[s:s + run]
        np.matmul(P, cols, out=y)
        out = y.reshape(o, ho, wd, n)[:, :, :wo].transpose(3, 0, 1, 2)   # (N, 8, 26, 26)
        g[:, :, :wo] = grad_output.transpose(1, 2, 3, 0)
        g2 = g.reshape(o, -1)
        np.matmul(g2, cols.T, out=dPb)
        np.matmul(P[:, :-1].T, g2, out=dcols)
        dxp[:] = 0.0
        for k, s in enumerate(starts):
            dxp[s:s + run] += dcols[k]
        dx = dxp.reshape(h + 1, wd, n)[:h].transpose(2, 0, 1)[:, None]
        return out, dPb[:, :-1].reshape(w.shape), dPb[:, -1], dx
    return step


def _patches(xp, out):
    """im2col of a 3x3 convolution, batch last, in one copy:
    ``out[c, u, v, i, j, n] = xp[c, i + u, j + v, n]`` for the padded input ``xp``
    (C, H + 2, W + 2, N)."""
    c, hp, wp, n = xp.shape
    sc, sh, sw, sn = xp.strides
    out[...] = as_strided(xp, (c, 3, 3, hp - 2, wp - 2, n), (sc, sh, sw, sh, sw, sn))


def _maxpool2(y, out):
    """MaxPool2d(2) of ``y`` (C, H, W, N) into ``out`` (C, H/2, W/2, N): the larger of the
    two columns of each window row, then of the two rows. Returns, for backward, the
    three boolean arrays "the second one was larger" (on ties the first wins, as in
    the engine)."""
    c, h, w, n = y.shape
    win = y.reshape(c, h // 2, 2, w // 2, 2, n)       # win[c, i, du, j, dv, n]
    which, rows = [], []
    for du in range(2):
        left, right = win[:, :, du, :, 0], win[:, :, du, :, 1]
        which.append(right > left)
        rows.append(np.maximum(left, right))
    which.append(rows[1] > rows[0])
    np.maximum(rows[0], rows[1], out=out)
    return which


def _maxpool2_backward(grad, which, out):
    """Backward of :func:`_maxpool2`: ``grad`` (C, H/2, W/2, N) to the place of each
    window's maximum in ``out`` (C, H, W, N), 0 elsewhere."""
    c, h, w, n = out.shape
    win = out.reshape(c, h // 2, 2, w // 2, 2, n)
    to_row1 = grad * which[2]
    for du, to_row in enumerate((grad - to_row1, to_row1)):
        np.multiply(to_row, which[du], out=win[:, :, du, :, 1])
        np.subtract(to_row, win[:, :, du, :, 1], out=win[:, :, du, :, 0])


def numpy_w6(weights, x, y, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
    """The digits CNN (``digits.cnn(8)``), one training step: Conv(1 -> 8, 3x3, pad 1),
    ReLU, MaxPool 2, Conv(8 -> 16, 3x3, pad 1), ReLU, MaxPool 2, Flatten,
    Linear(64 -> 10), cross-entropy on labels ``y``, Adam; no dL/dx for the input.
    ``step.parameters()`` and ``step.gradients()`` give views in the engine's order.

    Everything is kept batch last, ``(C, H, W, N)``. Each convolution is an im2col
    (:func:`_patches`, one copy) with a row of ones, and one product
    ``y = [W | b] @ cols``; max pooling compares the window's four pixels as strided
    views and keeps three booleans for backward, and ReLU comes after it
    (``max(relu) = relu(max)``: four times fewer values); the pooled 16 x 2 x 2 maps are
    Flatten's 64 rows as they lie. Backward is the same in reverse: ``[dW | db] =
    g @ cols.T``, col2im of ``W.T @ g`` through 9 slice adds. All parameters are views
    of one flat vector ``theta`` (each layer's ``[W | b]``), so Adam is one update of
    1,898 numbers; its gradients are written straight into ``grad``, a flat vector of
    the same layout. Work arrays are made once.

    Tried (relative to this one, the median of 10 rounds): the first conv's columns
    grouped by pooling position (so that the four candidates are whole blocks) with
    the second conv as the engine does it (rows running on, 9 slices), 1.05-1.15x;
    columns grouped by pooling position in both convs, with ``argmax`` over the four,
    1.3-1.4x (argmax along a middle axis is slow); the engine itself, 1.2-1.45x (it was
    1.8-2x while its optimizers went parameter by parameter, about 14 numpy operations
    each, and its im2col kept the columns past each row's last patch). What the engine
    still does differently, each put alone into this step: ReLU before pooling, on the
    full maps, in passes of its own, 1.1-1.15x; the bias apart (an add, and a sum for
    dL/db), 1.0-1.1x.
    """
    n = len(x)
    shapes = [(8, 10), (16, 73), (10, 65)]          # [W | b] of conv1, conv2, linear
    sizes = [r * c for r, c in shapes]
    theta, grad = np.empty(sum(sizes)), np.empty(sum(sizes))
    exp_avg, exp_avg_sq = np.zeros_like(theta), np.zeros_like(theta)   # Adam's m and v

    def blocks(flat):
        ends = np.cumsum(sizes)
        return [flat[e - s:e].reshape(shape) for e, s, shape in zip(ends, sizes, shapes)]
    P1, P2, P3 = blocks(theta)
    G1, G2, G3 = blocks(grad)
    for P, w, b in zip((P1, P2, P3), weights[::2], weights[1::2]):
        P[:, :-1], P[:, -1] = w.reshape(len(w), -1), b
    xp1, xp2 = np.zeros((1, 10, 10, n)), np.zeros((8, 6, 6, n))   # padded inputs
    cols1, cols2 = np.ones((10, 64 * n)), np.ones((73, 16 * n))   # last row: ones
    y1, y2 = np.empty((8, 8, 8, n)), np.empty((16, 4, 4, n))
    dy1, dy2 = np.empty_like(y1), np.empty_like(y2)
    m1 = np.empty((8, 4, 4, n))
    a2 = np.ones((65, n))                  # Flatten's 64 rows, and ones for the bias
    m2 = a2[:64].reshape(16, 2, 2, n)
    dy2_flat = dy2.reshape(16, -1)
    dcols2, dxp2 = np.empty((72, 16 * n)), np.empty((8, 6, 6, n))
    rows, t = np.arange(n), [0]

    def step():
        # forward
        xp1[0, 1:9, 1:9] = x[:, 0].transpose(1, 2, 0)
        _patches(xp1, cols1[:9].reshape(1, 3, 3, 8, 8, n))
        np.matmul(P1, cols1, out=y1.reshape(8, -1))
        which1 = _maxpool2(y1, m1)
        a1 = xp2[:, 1:5, 1:5]
        np.maximum(m1, 0.0, out=a1)                       # ReLU, into conv2's padded input
        _patches(xp2, cols2[:72].reshape(8, 3, 3, 4, 4, n))
        np.matmul(P2, cols2, out=y2.reshape(16, -1))
        which2 = _maxpool2(y2, m2)
        np.maximum(m2, 0.0, out=m2)                       # a2[:64], rows c*4 + h*2 + w
        z = P3 @ a2                                       # (10, N) logits
        z -= z.max(axis=0)
        e = np.exp(z)
        total = e.sum(axis=0)
        loss = np.log(total).mean() - z[y, rows].mean()  # noqa: F841 (computed, as in training)
        gz = e / total                                    # softmax
        gz[y, rows] -= 1.0
        gz /= n
        # backward
        np.matmul(gz, a2.T, out=G3)
        da2 = (P3[:, :-1].T @ gz).reshape(m2.shape)
        da2 *= m2 > 0
        _maxpool2_backward(da2, which2, dy2)
        np.matmul(dy2_flat, cols2.T, out=G2)
        np.matmul(P2[:, :-1].T, dy2_flat, out=dcols2)
        dxp2[...] = 0.0                                   # col2im
        d = dcols2.reshape(8, 3, 3, 4, 4, n)
        for u in range(3):
            for v in range(3):
                dxp2[:, u:u + 4, v:v + 4] += d[:, u, v]
        da1 = dxp2[:, 1:5, 1:5] * (a1 > 0)
        _maxpool2_backward(da1, which1, dy1)
        np.matmul(dy1.reshape(8, -1), cols1.T, out=G1)
        # Adam, all parameters at once
        t[0] += 1
        exp_avg[:] = beta1 * exp_avg + (1 - beta1) * grad
        exp_avg_sq[:] = beta2 * exp_avg_sq + (1 - beta2) * (grad * grad)
        theta[:] -= ((lr / (1 - beta1 ** t[0])) * exp_avg
                     / (np.sqrt(exp_avg_sq / (1 - beta2 ** t[0])) + eps))

    def in_engine_order(blocks_):
        return [part for block, w in zip(blocks_, weights[::2])
                for part in (block[:, :-1].reshape(w.shape), block[:, -1])]
    step.parameters = lambda: in_engine_order((P1, P2, P3))
    step.gradients = lambda: in_engine_order((G1, G2, G3))
    return step


NUMPY_STEPS = {"W1": numpy_w1, "W2": numpy_w2, "W3": numpy_w3, "W4": numpy_w4, "W6": numpy_w6}


def engine_model(name, arrays):
    """``(step, model)`` of the engine for workload ``name`` (one with a hand-written step)."""
    if name == "W4":
        return engine_conv(*arrays[name])
    if name == "W6":
        return engine_cnn(*arrays[name])
    return engine_mlp(name, *arrays[name])


def numpy_workloads(arrays):
    """The hand-written steps, each from the engine model's starting weights."""
    steps = {}
    for name, make in NUMPY_STEPS.items():
        weights = [p.data.copy() for p in engine_model(name, arrays)[1].parameters()]
        steps[name] = make(weights, *arrays[name])
    return steps


def check_same_step(arrays):
    """Fail loudly unless the hand-written steps compute what the engine computes, to
    1e-10: the weights after one step (W1-W3); the output, dL/dW, dL/db and dL/dx (W4);
    the gradients of the first step and the weights after three (W6: Adam's first step
    is about lr * sign(gradient), the later ones depend on the gradients' sizes)."""
    def same(actual, expected, what):
        np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-13,
                                   err_msg=f"{what}: the hand-written step differs")

    for name, make in NUMPY_STEPS.items():
        step, model = engine_model(name, arrays)
        weights = [p.data.copy() for p in model.parameters()]
        hand = make(weights, *arrays[name])
        if name == "W4":
            (y, dx), (hy, dw, db, hdx) = step(), hand()
            for actual, expected, what in ((hy, y, "output"), (hdx, dx, "dL/dx"),
                                           (dw, model.weight.grad, "dL/dW"),
                                           (db, model.bias.grad, "dL/db")):
                same(actual, expected, f"W4 {what}")
            continue
        steps = 3 if name == "W6" else 1
        for i in range(steps):
            step()
            hand()
            if name == "W6" and i == 0:
                for p, g in zip(model.parameters(), hand.gradients()):
                    same(g, p.grad, "W6 gradients")
        hand_weights = hand.parameters() if name == "W6" else weights
        for p, w in zip(model.parameters(), hand_weights):
            same(w, p.data, f"{name} weights")


# ------------------------------------------------------------------ PyTorch

def torch_workloads(torch, arrays):
    tnn = torch.nn
    f64 = torch.float64

    def t(a):
        return torch.tensor(a, dtype=f64 if np.issubdtype(np.asarray(a).dtype, np.floating)
                            else torch.long)

    def mlp_step(name):
        sizes, activation, loss, optimizer, settings = MLPS[name]
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(tnn.Linear(n_in, n_out, dtype=f64))
            if i < len(sizes) - 2:
                layers.append(tnn.Tanh() if activation == "tanh" else tnn.ReLU())
        model = tnn.Sequential(*layers)
        loss_fn = tnn.BCEWithLogitsLoss() if loss == "bce" else tnn.CrossEntropyLoss()
        opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(
            model.parameters(), **settings)
        x, y = (t(a) for a in arrays[name])

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        return step

    x4, g4 = (t(a) for a in arrays["W4"])
    x4.requires_grad_(True)  # dL/dx too, as the engine and the hand-written step compute it
    conv = tnn.Conv2d(1, 8, 3, dtype=f64)

    def conv_step():
        conv.zero_grad()
        x4.grad = None
        conv(x4).backward(g4)

    x5, g5 = (t(a) for a in arrays["W5"])
    lstm = tnn.LSTM(8, 32, dtype=f64)

    def lstm_step():
        lstm.zero_grad()
        lstm(x5)[0].backward(g5)

    def cnn_step():
        """The digits CNN, with the engine model's starting weights."""
        weights = [torch.tensor(p.data) for p in engine_cnn(*arrays["W6"])[1].parameters()]
        model = tnn.Sequential(
            tnn.Conv2d(1, 8, 3, padding=1, dtype=f64), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Conv2d(8, 16, 3, padding=1, dtype=f64), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Flatten(), tnn.Linear(64, 10, dtype=f64))
        with torch.no_grad():
            for p, w in zip(model.parameters(), weights):
                p.copy_(w)
        loss_fn = tnn.CrossEntropyLoss()
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        x, y = (t(a) for a in arrays["W6"])

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        return step

    x7, g7 = (t(a) for a in arrays["W7"])
    rnn = tnn.RNN(8, 32, dtype=f64)

    def rnn_step():
        rnn.zero_grad()
        rnn(x7)[0].backward(g7)

    steps = {name: mlp_step(name) for name in MLPS}
    steps.update(W4=conv_step, W5=lstm_step, W6=cnn_step(), W7=rnn_step)
    return steps


# ------------------------------------------------------------------ report

def _ratio(a, b):
    return f"{a / b:6.2f}" if a is not None and b is not None else f"{'-':>6}"


def _ms(value):
    return f"{value:8.3f}" if value is not None else f"{'-':>8}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300,
                        help="timed steps per workload and version; the median is shown "
                             "(default 300)")
    parser.add_argument("--only", nargs="+", choices=NAMES, metavar="W",
                        help="run only these workloads (W1 ... W7)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    names = args.only or NAMES

    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            torch = None
    if torch is not None:
        torch.set_num_threads(2)
        torch.manual_seed(0)

    print(f"numpy {np.__version__}, python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads" if torch is not None
          else "torch: not installed here (or --no-torch): no torch column")
    print(f"median of {args.repeat} steps, float64, times in ms\n")

    arrays = data(np.random.default_rng(0))
    check_same_step(arrays)
    versions = {"engine": engine_workloads(arrays), "numpy": numpy_workloads(arrays)}
    if torch is not None:
        versions["torch"] = torch_workloads(torch, arrays)

    header = (f"{'':3} {'workload':<62} {'engine':>8} {'numpy':>8} {'torch':>8} "
              f"{'e/torch':>7} {'n/torch':>7} {'e/numpy':>7} {'goal':>12}")
    print(header)
    print("-" * len(header))
    for name in names:
        steps = {v: s[name] for v, s in versions.items() if name in s}
        ms = timed_rounds(steps, args.repeat)
        engine, hand, theirs = ms["engine"], ms.get("numpy"), ms.get("torch")
        goal = GOALS[name]
        verdict = "?" if theirs is None else ("yes" if engine / theirs <= goal else "NO")
        goal_text = f"<={goal:.2f}x {verdict:>3}"
        print(f"{name:3} {DESCRIPTIONS[name]:<62} {_ms(engine)} {_ms(hand)} {_ms(theirs)} "
              f"{_ratio(engine, theirs):>7} {_ratio(hand, theirs):>7} {_ratio(engine, hand):>7} "
              f"{goal_text:>12}")


if __name__ == "__main__":
    main()
