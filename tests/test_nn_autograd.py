"""Tests of the scalar autograd Value: gradients vs finite differences and closed forms."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.nn.autograd import Value, trace


def numeric_grad(f, xs, h=1e-6):
    """Central differences of the float function f at the point xs."""
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((f(*up) - f(*down)) / (2 * h))
    return grads


def check_against_numeric(expr, point, rtol=1e-6, atol=1e-8):
    """expr works on Values and on floats alike; compare autograd with differences."""
    values = [Value(x) for x in point]
    out = expr(*values)
    assert out.data == pytest.approx(expr_float(expr, point), rel=1e-12, abs=1e-12)
    out.backward()
    expected = numeric_grad(lambda *xs: expr_float(expr, xs), point)
    for v, e in zip(values, expected):
        assert v.grad == pytest.approx(e, rel=rtol, abs=atol)


class F(float):
    """A float with the methods of Value, so one expression serves both."""

    def tanh(self):
        return F(math.tanh(self))

    def sigmoid(self):
        return F(1 / (1 + math.exp(-self)))

    def relu(self):
        return F(max(0.0, self))

    def exp(self):
        return F(math.exp(self))

    def log(self):
        return F(math.log(self))

    def __add__(self, o): return F(float(self) + o)
    def __radd__(self, o): return F(o + float(self))
    def __sub__(self, o): return F(float(self) - o)
    def __rsub__(self, o): return F(o - float(self))
    def __mul__(self, o): return F(float(self) * o)
    def __rmul__(self, o): return F(o * float(self))
    def __truediv__(self, o): return F(float(self) / o)
    def __rtruediv__(self, o): return F(o / float(self))
    def __pow__(self, o): return F(float(self) ** o)
    def __neg__(self): return F(-float(self))


def expr_float(expr, point):
    return float(expr(*[F(x) for x in point]))


EXPRESSIONS = {
    "neuron": lambda w1, w2, b: (w1 * 0.7 + w2 * -1.3 + b).tanh(),
    "poly": lambda a, b, c: a * b + b ** 3 - c / a + 2 * a - 1 / b,
    "reuse": lambda a, b, c: a * a * a + (a - b) * (a + c) - a / (b * c),
    "sigmoid_log": lambda a, b, c: (a.sigmoid() * b).exp().log() + (c * c + 1).log(),
    "relu_chain": lambda a, b, c: (a * b - c).relu() * 3 + (c - a).relu() ** 2,
    "radd_rsub": lambda a, b, c: 3 - a + 2 * b - (-c) + 5 / (1 + a * a),
    "mse_of_neuron": lambda w, b, x: ((w * x + b).sigmoid() - 0.25) ** 2,
}


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_gradients_match_finite_differences(name):
    check_against_numeric(EXPRESSIONS[name], [0.8, -1.1, 0.45])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=-2, max_value=2), min_size=3, max_size=3))
def test_neuron_gradients_anywhere(point):
    check_against_numeric(EXPRESSIONS["neuron"], point, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("x", [-2.0, -0.3, 0.0, 0.5, 3.0])
def test_closed_form_derivatives(x):
    v = Value(x)
    t = v.tanh()
    t.backward()
    assert v.grad == pytest.approx(1 - math.tanh(x) ** 2, rel=1e-12)

    v = Value(x)
    s = v.sigmoid()
    s.backward()
    sig = 1 / (1 + math.exp(-x))
    assert s.data == pytest.approx(sig, rel=1e-12)
    assert v.grad == pytest.approx(sig * (1 - sig), rel=1e-12)

    v = Value(x)
    v.exp().backward()
    assert v.grad == pytest.approx(math.exp(x), rel=1e-12)

    v = Value(x)
    v.relu().backward()
    assert v.grad == (1.0 if x > 0 else 0.0)

    v = Value(x)
    (v ** 3).backward()
    assert v.grad == pytest.approx(3 * x * x, rel=1e-12, abs=1e-15)


def test_log_and_division_closed_forms():
    a, b = Value(2.0), Value(-4.0)
    out = a.log() + a / b
    out.backward()
    assert a.grad == pytest.approx(1 / 2 + 1 / -4)
    assert b.grad == pytest.approx(-2.0 / 16)


def test_sigmoid_does_not_overflow():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


def test_reused_value_accumulates_gradient():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    b = Value(3.0)
    (b * b).backward()
    assert b.grad == 6.0


def test_gradients_accumulate_across_calls_until_zero_grad():
    a = Value(2.0)
    out = a * 5
    out.backward()
    out.backward()
    assert a.grad == 10.0
    out.zero_grad()
    assert a.grad == 0.0 and out.grad == 0.0
    out.backward()
    assert a.grad == 5.0


def test_deep_chain_has_no_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == pytest.approx(1.0)


def test_operations_record_op_children_and_label():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    assert c.op == "*" and c.children == (a, b) and c._prev == (a, b)
    assert (a + 1).op == "+" and (-a).op == "neg" and a.tanh().op == "tanh"
    assert a.label == "a" and "a" in repr(a)
    assert (a ** 2).op == "**2"


def test_trace_lists_nodes_and_edges_in_a_fixed_order():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    L = d.tanh()
    L.label = "L"
    nodes, edges = trace(L)
    assert [n.label for n in nodes] == ["a", "b", "c", "d", "L"]
    assert [(x.label, y.label) for x, y in edges] == [
        ("a", "c"), ("b", "c"), ("c", "d"), ("a", "d"), ("d", "L")]
    nodes2, edges2 = trace(L)
    assert nodes2 == nodes and edges2 == edges


def test_trace_order_is_depth_first_left_to_right():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    ab = a * b
    ab.label = "ab"
    e = ab + c
    e.label = "e"
    nodes, edges = trace(e)
    assert [n.label for n in nodes] == ["a", "b", "ab", "c", "e"]
    assert [(x.label, y.label) for x, y in edges] == [("a", "ab"), ("b", "ab"), ("ab", "e"),
                                                      ("c", "e")]


def test_trace_a_times_a_has_one_edge():
    a = Value(2.0, label="a")
    sq = a * a
    nodes, edges = trace(sq)
    assert nodes == [a, sq]
    assert edges == [(a, sq)]


def test_clear_errors():
    a = Value(1.0)
    with pytest.raises(TypeError, match="exponent"):
        a ** Value(2.0)
    with pytest.raises(ValueError, match="positive"):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError):
        a / 0
    with pytest.raises(TypeError, match="number"):
        a + "x"
    with pytest.raises(ValueError, match="fractional"):
        Value(-2.0) ** 0.5
    with pytest.raises(TypeError, match="Value"):
        trace(1.0)


def test_second_backward_counts_each_path_once():
    """d(a*a + a)/da = 2a + 1 = 5 at a = 2; a second backward adds 5 again, not more."""
    a = Value(2.0)
    loss = a * a + a
    loss.backward()
    assert a.grad == 5.0
    loss.backward()
    assert a.grad == 10.0


def test_exp_says_when_it_overflows_and_tanh_sigmoid_never_do():
    assert Value(709.0).exp().data == pytest.approx(math.exp(709.0))
    with pytest.raises(OverflowError, match="larger than the largest float"):
        Value(710.0).exp()
    for x in (-1000.0, 1000.0):
        t, s = Value(x).tanh(), Value(x).sigmoid()
        assert t.data == math.copysign(1.0, x) and s.data == (1.0 if x > 0 else 0.0)
        t.backward()
        s.backward()
