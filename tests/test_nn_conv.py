"""Tests of Conv2d and MaxPool2d (course_utils/nn/conv.py)."""

import math

import numpy as np
import pytest

from course_utils import nn

try:
    from gradcheck import check_module, normal
except ImportError:  # tests/ imported as a package
    from tests.gradcheck import check_module, normal


# --------------------------------------------------------------------------- Conv2d


def naive_conv2d(x, w, b, stride, padding):
    """Direct loops over the definition (independent of the layer's im2col)."""
    n, c, h, width = x.shape
    o, _, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * padding, width + 2 * padding))
    xp[:, :, padding:padding + h, padding:padding + width] = x
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (width + 2 * padding - kw) // stride + 1
    out = np.zeros((n, o, ho, wo))
    for i in range(n):
        for j in range(o):
            for r in range(ho):
                for s in range(wo):
                    patch = xp[i, :, r * stride:r * stride + kh, s * stride:s * stride + kw]
                    out[i, j, r, s] = np.sum(patch * w[j]) + (b[j] if b is not None else 0)
    return out


def test_conv2d_tiny_example_by_hand():
    layer = nn.Conv2d(1, 1, 2)
    layer.weight.data[...] = [[[[1, 2], [3, 4]]]]
    layer.bias.data[...] = [0.5]
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    np.testing.assert_allclose(layer(x), [[[[37.5, 47.5], [67.5, 77.5]]]])
    strided = nn.Conv2d(1, 1, 2, stride=2, padding=1, bias=False)
    strided.weight.data[...] = [[[[1, 2], [3, 4]]]]
    np.testing.assert_allclose(strided(x), [[[[4, 18], [36, 77]]]])


@pytest.mark.parametrize("stride,padding,kernel", [(1, 0, 3), (2, 1, 3), (1, 2, 2), (3, 1, 2)])
def test_conv2d_matches_naive_loops(stride, padding, kernel):
    layer = nn.Conv2d(3, 4, kernel, stride=stride, padding=padding, rng=0)
    x = normal(2, 3, 7, 6)
    out = layer(x)
    expected = naive_conv2d(x, layer.weight.data, layer.bias.data, stride, padding)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_conv2d_output_shape_and_init():
    layer = nn.Conv2d(3, 16, (5, 3), stride=(2, 1), padding=(1, 0), rng=0)
    assert layer.weight.shape == (16, 3, 5, 3) and layer.bias.shape == (16,)
    assert layer(np.zeros((4, 3, 28, 20))).shape == (4, 16, (28 + 2 - 5) // 2 + 1, 18)
    bound = 1 / math.sqrt(3 * 5 * 3)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.9 * bound


def test_conv2d_gradients_stride2_padding1():
    check_module(nn.Conv2d(2, 3, 3, stride=2, padding=1, rng=0), normal(2, 2, 5, 6))


@pytest.mark.parametrize("kwargs", [{"kernel_size": 2}, {"kernel_size": (2, 3), "padding": (0, 1)},
                                    {"kernel_size": 3, "bias": False}])
def test_conv2d_gradients_other_settings(kwargs):
    check_module(nn.Conv2d(2, 2, rng=1, **kwargs), normal(1, 2, 5, 5, seed=1))


def test_conv2d_errors_name_shapes():
    layer = nn.Conv2d(3, 8, 3)
    with pytest.raises(ValueError, match=r"\(2, 1, 8, 8\).*\(8, 3, 3, 3\)"):
        layer(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"\(3, 8, 8\)"):
        layer(np.zeros((3, 8, 8)))
    with pytest.raises(ValueError, match="larger"):
        layer(np.zeros((1, 3, 2, 2)))
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2d(1, 1, 0)
    with pytest.raises(ValueError, match="stride"):
        nn.Conv2d(1, 1, 3, stride=(1, 0))


# ------------------------------------------------------------------------ MaxPool2d


def test_maxpool_by_hand():
    x = np.array([[1, 5, 2, 0],
                  [3, 4, 8, 1],
                  [0, -1, 6, 7],
                  [2, 9, 3, 3]], dtype=float).reshape(1, 1, 4, 4)
    pool = nn.MaxPool2d(2)
    np.testing.assert_array_equal(pool(x), [[[[5, 8], [9, 7]]]])
    grad = pool.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
    expected = np.zeros((4, 4))
    expected[0, 1], expected[1, 2], expected[3, 1], expected[2, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(grad[0, 0], expected)
    overlapping = nn.MaxPool2d(3, stride=1)
    np.testing.assert_array_equal(overlapping(x), [[[[8, 8], [9, 9]]]])
    grad = overlapping.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    # the 8 is the max of two windows, the 9 of two others: their gradients add up
    assert grad[0, 0, 1, 2] == 3 and grad[0, 0, 3, 1] == 7 and grad.sum() == 10


def test_maxpool_ties_go_to_the_first_maximum():
    """Like PyTorch: on a tie the gradient goes to the first maximum (row-major)."""
    x = np.array([[2.0, 2.0, 0.0, 1.0],
                  [2.0, 2.0, 1.0, 1.0]]).reshape(1, 1, 2, 4)
    pool = nn.MaxPool2d(2)
    pool(x)
    grad = pool.backward(np.array([[[[5.0, 7.0]]]]))
    np.testing.assert_array_equal(grad[0, 0], [[5, 0, 0, 7], [0, 0, 0, 0]])


def test_maxpool_shapes_and_padding():
    assert nn.MaxPool2d(2)(np.zeros((2, 3, 7, 9))).shape == (2, 3, 3, 4)
    assert nn.MaxPool2d(3, stride=2, padding=1)(np.zeros((1, 1, 8, 8))).shape == (1, 1, 4, 4)
    x = -np.ones((1, 1, 2, 2))           # padding is -inf, never the max
    np.testing.assert_array_equal(nn.MaxPool2d(2, padding=1)(x), -np.ones((1, 1, 2, 2)))


@pytest.mark.parametrize("kwargs", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2},
                                    {"kernel_size": 2, "stride": 1},
                                    {"kernel_size": 3, "stride": 2, "padding": 1}])
def test_maxpool_gradients(kwargs):
    x = np.random.default_rng(3).permutation(2 * 2 * 6 * 7).reshape(2, 2, 6, 7) * 0.1
    check_module(nn.MaxPool2d(**kwargs), x)  # distinct values: no ties within eps


def test_cnn_pipeline_gradients():
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(2 * 3 * 3, 3, rng=1))
    x = normal(2, 1, 6, 6, seed=4)
    assert model(x).shape == (2, 3)
    check_module(model, x)


def test_maxpool_takes_integer_images_with_padding():
    from course_utils import nn

    x = np.arange(16).reshape(1, 1, 4, 4)
    with np.errstate(all="raise"):
        y = nn.MaxPool2d(2, stride=2, padding=1)(x)
    assert y.dtype.kind == "f"
    np.testing.assert_array_equal(y[0, 0], [[0, 2, 3], [8, 10, 11], [12, 14, 15]])


# ------------------------------------------------- fast paths against plain formulations


def naive_conv2d_backward(x, w, g, stride, padding):
    """dL/dx and dL/dW of a convolution by direct loops over the definition (the
    gradient of each patch is added back onto the pixels it was taken from)."""
    n, c, h, width = x.shape
    o, _, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * padding, width + 2 * padding))
    xp[:, :, padding:padding + h, padding:padding + width] = x
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(n):
        for j in range(o):
            for r in range(g.shape[2]):
                for s in range(g.shape[3]):
                    rows = slice(r * stride, r * stride + kh)
                    cols = slice(s * stride, s * stride + kw)
                    dxp[i, :, rows, cols] += g[i, j, r, s] * w[j]
                    dw[j] += g[i, j, r, s] * xp[i, :, rows, cols]
    return dxp[:, :, padding:padding + h, padding:padding + width], dw


@pytest.mark.parametrize("stride,padding,kernel", [(1, 0, 3), (1, 1, 3), (2, 1, 3), (3, 1, 2),
                                                   (2, 0, (2, 3))])
def test_conv2d_backward_matches_naive_loops(stride, padding, kernel):
    layer = nn.Conv2d(3, 4, kernel, stride=stride, padding=padding, rng=0)
    x = normal(2, 3, 7, 8).transpose(0, 1, 3, 2)  # a non-contiguous input, (2, 3, 8, 7)
    out = layer(x)
    g = normal(*out.shape, seed=1)
    dx = layer.backward(g)
    expected_dx, expected_dw = naive_conv2d_backward(x, layer.weight.data, g, stride, padding)
    np.testing.assert_allclose(dx, expected_dx, atol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, expected_dw, atol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, g.sum(axis=(0, 2, 3)), atol=1e-12)


def general_maxpool(kernel_size):
    """A MaxPool2d that always takes the general path (windows visited position by position)."""
    pool = nn.MaxPool2d(kernel_size)
    pool._tiles = lambda h, w: False
    return pool


@pytest.mark.parametrize("kernel,shape", [(2, (2, 3, 8, 8)), (3, (1, 2, 6, 9)),
                                          ((2, 3), (2, 2, 4, 9)), ((1, 2), (1, 2, 3, 4)),
                                          ((2, 1), (1, 2, 4, 3)), (1, (1, 2, 3, 3))])
def test_tiled_maxpool_matches_the_general_path_with_ties(kernel, shape):
    """Small integers, many of them 0 (as after a ReLU): windows with tied maxima are
    common, and both paths must send each gradient to the same (first) maximum."""
    x = np.maximum(np.random.default_rng(5).integers(-2, 3, size=shape), 0).astype(float)
    conv_layout = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    for image in (x, conv_layout):  # as a Conv2d output is laid out in memory, too
        fast, general = nn.MaxPool2d(kernel), general_maxpool(kernel)
        assert fast._tiles(*shape[2:])
        np.testing.assert_array_equal(fast(image), general(image))
        g = normal(*fast(image).shape, seed=2)
        np.testing.assert_array_equal(fast.backward(g), general.backward(g))


def test_tiled_maxpool_gradients_by_finite_differences():
    x = np.random.default_rng(3).permutation(2 * 2 * 6 * 8).reshape(2, 2, 6, 8) * 0.1
    check_module(nn.MaxPool2d(2), x)  # distinct values: no ties within eps
    check_module(nn.MaxPool2d((3, 2)), x[:, :, :, :6].copy())


def test_tiled_maxpool_output_is_not_a_view_of_the_input():
    x = normal(1, 1, 2, 2)
    y = nn.MaxPool2d(1)(x)
    y += 1.0
    assert not np.shares_memory(x, y)


def test_conv2d_work_arrays_kept_between_calls_hold_no_stale_values():
    """Conv2d keeps its work arrays (the padded gradient, dL/dcols) between calls; a second
    backward, with another gradient, another batch size or a stride that leaves columns
    unwritten, must still match the direct formula."""
    layer = nn.Conv2d(2, 3, 3, stride=2, padding=1, rng=0)
    for n, seed in ((4, 1), (4, 2), (3, 3), (4, 4)):
        x = normal(n, 2, 7, 6, seed=seed)
        layer.zero_grad()
        y = layer(x)
        g = normal(*y.shape, seed=seed + 10)
        dx = layer.backward(g)
        expected_dx, expected_dw = naive_conv2d_backward(x, layer.weight.data, g, 2, 1)
        np.testing.assert_allclose(dx, expected_dx, atol=1e-12)
        np.testing.assert_allclose(layer.weight.grad, expected_dw, atol=1e-12)
