"""Tests of Parameter, Module and Sequential (course_utils/nn/module.py)."""

import numpy as np
import pytest

from course_utils import nn

try:
    from gradcheck import check_module, normal
except ImportError:  # tests/ imported as a package
    from tests.gradcheck import check_module, normal


# ------------------------------------------------------------------------ Parameter


def test_parameter_holds_data_and_zero_grad():
    p = nn.Parameter([[1, 2], [3, 4]])
    assert p.data.dtype == np.float64 and p.shape == (2, 2)
    np.testing.assert_array_equal(p.grad, np.zeros((2, 2)))
    p.grad += 1.0
    grad_array = p.grad
    p.zero_grad()
    assert grad_array is p.grad and not p.grad.any()   # zeroed in place


def test_parameter_copies_its_data():
    source = np.ones(3)
    p = nn.Parameter(source)
    p.data[0] = 5.0
    assert source[0] == 1.0


# --------------------------------------------------------------------------- Module


class TwoLayer(nn.Module):
    def __init__(self):
        self.scale = nn.Parameter(np.ones(2))
        self.first = nn.Linear(2, 3, rng=0)
        self.blocks = [nn.Tanh(), nn.Linear(3, 1, rng=1)]


def test_parameters_are_found_recursively_in_definition_order():
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["scale", "first.weight", "first.bias", "blocks.1.weight",
                     "blocks.1.bias"]
    params = list(model.parameters())
    assert params[1] is model.first.weight and params[4] is model.blocks[1].bias
    assert model.num_parameters() == 2 + 6 + 3 + 3 + 1


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2, rng=0)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2


def test_sequential_names_indexing_and_len():
    model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.Tanh(), nn.Linear(8, 1, rng=1))
    assert len(model) == 3
    assert isinstance(model[1], nn.Tanh)
    assert isinstance(model[-1], nn.Linear) and model[-1].out_features == 1
    assert isinstance(model[1:], nn.Sequential) and len(model[1:]) == 2
    assert [type(m) for m in model] == [nn.Linear, nn.Tanh, nn.Linear]
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                        "2.bias"]
    with pytest.raises(TypeError, match="argument 1"):
        nn.Sequential(nn.ReLU(), "relu")


def test_repr_is_like_pytorch():
    model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.ReLU(), nn.Linear(8, 1, bias=False))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=8, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=8, out_features=1, bias=False)\n"
        ")")
    nested = nn.Sequential(nn.Sequential(nn.Tanh()))
    assert repr(nested) == "Sequential(\n  (0): Sequential(\n    (0): Tanh()\n  )\n)"
    assert repr(nn.Conv2d(1, 8, 3)) == "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))"


def test_train_eval_recursive():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    assert model.training and model[1][0].training
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_call_is_forward_and_gradients_accumulate():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1))
    x = normal(5, 3)
    np.testing.assert_array_equal(model(x), model.forward(x))
    g = normal(5, 2, seed=1)
    model.zero_grad()
    model(x)
    model.backward(g)
    once = [p.grad.copy() for p in model.parameters()]
    model(x)
    model.backward(g)
    for p, first in zip(model.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * first)
    model.zero_grad()
    assert not any(p.grad.any() for p in model.parameters())


def test_state_dict_round_trip():
    a, b = nn.Linear(3, 2, rng=0), nn.Linear(3, 2, rng=1)
    state = a.state_dict()
    original = a.weight.data.copy()
    a.weight.data[...] = 0.0                  # the state is a copy
    b.load_state_dict(state)
    np.testing.assert_array_equal(b.weight.data, original)
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        nn.Linear(2, 2).load_state_dict(state)


def test_sequential_gradients():
    model = nn.Sequential(nn.Linear(3, 5, rng=0), nn.Tanh(), nn.Linear(5, 4, rng=1),
                          nn.Sigmoid(), nn.Linear(4, 2, rng=2))
    check_module(model, normal(6, 3))


def test_changing_an_output_in_place_does_not_change_the_gradient():
    """Forward outputs are the caller's to change: backward must use its own copy."""
    from course_utils import nn

    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 3, 2))
    for layer in (nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=-1), nn.RNN(2, 3, rng=0), nn.LSTM(2, 3, rng=0)):
        out = layer(x)
        out = out[0] if isinstance(out, tuple) else out
        g = rng.normal(size=out.shape)
        expected = layer.backward(g.copy())
        layer.zero_grad()
        out2 = layer(x)
        out2 = out2[0] if isinstance(out2, tuple) else out2
        out2 -= 100.0  # e.g. out -= target, done in place
        np.testing.assert_allclose(layer.backward(g.copy()), expected, err_msg=type(layer).__name__)


@pytest.mark.parametrize("make, shape", [
    (lambda: nn.Linear(3, 4, rng=0), (5, 3)),
    (lambda: nn.Linear(3, 4, rng=0), (2, 5, 3)),
    (lambda: nn.Conv2d(2, 3, 3, padding=1, rng=0), (2, 2, 5, 5)),
    (lambda: nn.Sequential(nn.Linear(3, 5, rng=0), nn.ReLU(), nn.Linear(5, 2, rng=1)), (4, 3)),
    (lambda: nn.Sequential(nn.Sequential(nn.Linear(3, 5, rng=0), nn.Tanh()),
                           nn.Linear(5, 2, rng=1)), (4, 3)),
    (lambda: nn.Sequential(nn.Tanh(), nn.Linear(3, 2, rng=1)), (4, 3)),  # first can't skip
    (lambda: nn.Sequential(), (4, 3)),
], ids=["linear", "linear-3d", "conv", "mlp", "nested", "activation-first", "empty"])
def test_backward_without_the_input_gradient_gives_the_same_parameter_gradients(make, shape):
    """input_grad=False (what fit asks for) skips dL/dx and returns None; dL/dW is the same,
    and the default still returns dL/dx."""
    x = normal(*shape)
    full, skipped = make(), make()
    g = normal(*np.shape(full(x)), seed=1)
    skipped(x)
    assert full.can_skip_input_grad
    assert full.backward(g).shape == x.shape
    assert skipped.backward(g, input_grad=False) is None
    for a, b in zip(full.parameters(), skipped.parameters()):
        np.testing.assert_array_equal(a.grad, b.grad)


def test_a_module_whose_backward_has_no_input_grad_is_never_asked_to_skip_it():
    """A student's layer written as ``backward(self, grad_output)`` still trains in fit."""
    from course_utils.nn.optim import SGD
    from course_utils.nn.training import fit

    class MyLinear(nn.Linear):
        def backward(self, grad_output):
            return super().backward(grad_output)

    assert not MyLinear(3, 2).can_skip_input_grad and nn.Linear(3, 2).can_skip_input_grad
    model = nn.Sequential(MyLinear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 1, rng=1))
    x = normal(5, 3)
    model(x)
    assert model.backward(np.ones((5, 1)), input_grad=False) is None
    history = fit(model, nn.MSELoss(), SGD(model.parameters(), lr=0.1), x, normal(5, 1),
                  epochs=2, verbose=0)
    assert history.epochs == 2 and not history.diverged
