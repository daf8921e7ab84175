"""Tests of Linear, Dropout and Flatten (course_utils/nn/linear.py)."""

import math

import numpy as np
import pytest

from course_utils import nn

try:
    from gradcheck import check_module, normal
except ImportError:  # tests/ imported as a package
    from tests.gradcheck import check_module, normal


# --------------------------------------------------------------------------- Linear


def test_linear_forward_by_hand():
    layer = nn.Linear(2, 3)
    layer.weight.data[...] = [[1, 2], [3, 4], [5, 6]]
    layer.bias.data[...] = [0.5, -1, 0]
    out = layer(np.array([[1.0, -1.0], [2.0, 0.5]]))
    np.testing.assert_allclose(out, [[-0.5, -2, -1], [3.5, 7, 13]])


def test_linear_shapes_and_init_bounds():
    layer = nn.Linear(100, 300, rng=0)
    assert layer.weight.shape == (300, 100) and layer.bias.shape == (300,)
    bound = 1 / math.sqrt(100)
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.95 * bound          # uses the whole range
    assert abs(layer.weight.data.mean()) < 0.01
    # uniform on [-k, k] has standard deviation k / sqrt(3)
    assert layer.weight.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert nn.Linear(4, 2, bias=False).bias is None
    assert len(list(nn.Linear(4, 2, bias=False).parameters())) == 1


def test_linear_rng_seed_and_generator():
    a, b = nn.Linear(4, 3, rng=7), nn.Linear(4, 3, rng=7)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    c = nn.Linear(4, 3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.weight.data, c.weight.data)
    assert not np.array_equal(a.weight.data, nn.Linear(4, 3, rng=8).weight.data)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradients(bias):
    check_module(nn.Linear(4, 3, bias=bias, rng=0), normal(5, 4))


def test_linear_gradients_with_extra_leading_dims():
    check_module(nn.Linear(4, 3, rng=0), normal(2, 5, 4))
    layer = nn.Linear(4, 3, rng=0)
    assert layer(normal(4)).shape == (3,)
    check_module(layer, normal(4))


def test_linear_shape_mismatch_names_both_shapes():
    layer = nn.Linear(2, 8)
    with pytest.raises(ValueError, match=r"\(10, 3\).*\(8, 2\)"):
        layer(np.zeros((10, 3)))
    layer(np.zeros((10, 2)))
    with pytest.raises(ValueError, match=r"\(10, 7\).*\(10, 8\)"):
        layer.backward(np.zeros((10, 7)))


@pytest.mark.parametrize("args", [(0, 3), (2, -1), (2.5, 3)])
def test_linear_bad_arguments(args):
    with pytest.raises(ValueError, match="features"):
        nn.Linear(*args)


# -------------------------------------------------------------------------- Dropout


def test_dropout_training_statistics():
    layer = nn.Dropout(0.25, rng=0)
    x = np.ones((200, 500))
    y = layer(x)
    dropped = (y == 0).mean()
    assert dropped == pytest.approx(0.25, abs=0.01)
    np.testing.assert_allclose(y[y != 0], 1 / 0.75)       # inverted scaling
    assert y.mean() == pytest.approx(1.0, abs=0.01)       # expectation preserved
    np.testing.assert_array_equal(layer.mask, y != 0)
    np.testing.assert_array_equal(layer.backward(np.full(x.shape, 2.0)), 2.0 * y)


def test_dropout_eval_is_identity_and_p_edges():
    layer = nn.Dropout(0.5, rng=0).eval()
    x = normal(4, 5)
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)
    np.testing.assert_array_equal(nn.Dropout(0.0)(x), x)
    np.testing.assert_array_equal(nn.Dropout(1.0)(x), np.zeros_like(x))
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="probability"):
            nn.Dropout(p)


def test_dropout_rng_reproducible():
    x = np.ones((10, 10))
    np.testing.assert_array_equal(nn.Dropout(0.5, rng=3)(x), nn.Dropout(0.5, rng=3)(x))


def test_dropout_gradient_with_fixed_mask():
    x = normal(4, 6)
    mask = np.random.default_rng(1).random(x.shape) > 0.4
    layer = nn.Dropout(0.4)
    out = layer(x, mask=mask)
    np.testing.assert_allclose(out, np.where(mask, x / 0.6, 0.0))
    check_module(layer, x, forward_kwargs={"mask": mask})
    with pytest.raises(ValueError, match=r"\(2, 2\).*\(4, 6\)"):
        layer(x, mask=np.ones((2, 2)))


# -------------------------------------------------------------------------- Flatten


def test_flatten_shapes_and_gradient():
    x = normal(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0)(x).shape == (120,)
    assert nn.Flatten(1, 2)(x).shape == (2, 12, 5)
    np.testing.assert_array_equal(nn.Flatten()(x)[1], x[1].ravel())
    check_module(nn.Flatten(), x)
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        nn.Flatten(2)(np.zeros((2, 3)))


def test_dropout_mask_is_cleared_when_nothing_is_dropped():
    from course_utils import nn

    drop = nn.Dropout(0.5, rng=0)
    drop(np.ones((2, 3)))
    assert drop.mask is not None
    drop.eval()
    drop(np.ones((2, 3)))
    assert drop.mask is None
