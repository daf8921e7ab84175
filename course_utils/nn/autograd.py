"""A scalar automatic-differentiation engine: how ``loss.backward()`` works inside.

Every arithmetic operation on :class:`Value` objects creates a new ``Value`` that
remembers its inputs and the *local* derivative of its result with respect to
each input. Together they form a graph that ends in the final result (the loss).
``backward()`` then applies the chain rule from the end to the start::

    dL/d input  +=  dL/d result  *  d result/d input

visiting every node after all the nodes that use it (reverse topological order),
so each ``grad`` is complete before it is passed on. The ``+=`` matters: a value
used twice (``a * a``) receives a contribution from each use.

Example::

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    L = (a * b + a).tanh()
    L.backward()
    a.grad                    # dL/da = (1 - L.data**2) * (b.data + 1)

The idea comes from Andrej Karpathy's *micrograd*, a tiny autograd engine built
for teaching. This version is written for the course: instead of storing a
backward closure per node, each node stores its local derivatives as numbers
(``local_grads``), which makes the chain rule above the whole of ``backward``.
PyTorch does the same thing with tensors instead of single numbers.
"""

import math

__all__ = ["Value", "trace"]


class Value:
    """A number that records how it was computed, so gradients can flow back.

    Attributes
    ----------
    data : float, the value.
    grad : float, ``d(root)/d(this value)`` after ``root.backward()`` (starts at 0).
    op : str, the operation that produced it ('+', '*', 'tanh', ... or '' for an input).
    children : tuple of Value, its inputs (also available as ``_prev``).
    local_grads : tuple of float, ``d(this)/d(child)`` for each child, in order.
    label : str, an optional name for drawings.

    Supported: ``+ - * /`` with Values or numbers (either side), ``**`` with a
    number exponent, unary ``-``, and the methods ``tanh``, ``sigmoid``, ``relu``,
    ``exp``, ``log``.
    """

    def __init__(self, data, children=(), op="", local_grads=(), label=""):
        if isinstance(data, Value):
            raise TypeError("Value(data) takes a number, not another Value")
        self.data = float(data)
        self.grad = 0.0
        self.op = op
        self.children = tuple(children)
        self.local_grads = tuple(float(g) for g in local_grads)
        self.label = label

    @property
    def _prev(self):
        """The inputs of this node (micrograd's name for ``children``)."""
        return self.children

    def __repr__(self):
        name = f"label={self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data:.4g}, grad={self.grad:.4g})"

    # ---------------------------------------------------------------- arithmetic

    @staticmethod
    def _wrap(other):
        if isinstance(other, Value):
            return other
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return Value(other)
        try:  # numpy scalars and other real numbers
            return Value(float(other))
        except (TypeError, ValueError):
            raise TypeError(f"a Value can be combined with a Value or a number, "
                            f"not {type(other).__name__}") from None

    def __add__(self, other):
        other = self._wrap(other)
        # d(a+b)/da = 1, d(a+b)/db = 1
        return Value(self.data + other.data, (self, other), "+", (1.0, 1.0))

    def __mul__(self, other):
        other = self._wrap(other)
        # d(ab)/da = b, d(ab)/db = a
        return Value(self.data * other.data, (self, other), "*", (other.data, self.data))

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            raise TypeError("Value ** Value is not supported: the exponent must be a number")
        if not isinstance(exponent, (int, float)):
            raise TypeError(f"the exponent must be a number, not {type(exponent).__name__}")
        x = self.data
        if x == 0 and exponent < 0:
            raise ZeroDivisionError(f"0 ** {exponent:g} is undefined")
        if x < 0 and exponent != int(exponent):
            raise ValueError(f"a negative number to a fractional power is not real: "
                             f"({x:g}) ** {exponent:g}")
        # d(x^n)/dx = n x^(n-1)  (0 for n = 0; infinite at x = 0 when 0 < n < 1)
        if exponent == 0:
            local = 0.0
        elif x == 0 and exponent < 1:
            local = math.inf
        else:
            local = exponent * x ** (exponent - 1)
        return Value(x ** exponent, (self,), f"**{exponent:g}", (local,))

    def __neg__(self):
        return Value(-self.data, (self,), "neg", (-1.0,))

    def __sub__(self, other):
        other = self._wrap(other)
        return Value(self.data - other.data, (self, other), "-", (1.0, -1.0))

    def __truediv__(self, other):
        other = self._wrap(other)
        if other.data == 0:
            raise ZeroDivisionError("division of a Value by zero")
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        return Value(self.data / other.data, (self, other), "/",
                     (1.0 / other.data, -self.data / other.data ** 2))

    def __radd__(self, other):   # number + Value
        return self._wrap(other) + self

    def __rsub__(self, other):   # number - Value
        return self._wrap(other) - self

    def __rmul__(self, other):   # number * Value
        return self._wrap(other) * self

    def __rtruediv__(self, other):  # number / Value
        return self._wrap(other) / self

    # ---------------------------------------------------------------- functions

    def tanh(self):
        """``tanh(x)``; derivative ``1 - tanh(x)^2``."""
        t = math.tanh(self.data)
        return Value(t, (self,), "tanh", (1.0 - t * t,))

    def sigmoid(self):
        """``1 / (1 + exp(-x))``; derivative ``s (1 - s)``."""
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:  # same value, written so exp never overflows
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value(s, (self,), "sigmoid", (s * (1.0 - s),))

    def relu(self):
        """``max(0, x)``; derivative 1 for x > 0, else 0 (0 at x = 0, like PyTorch)."""
        x = self.data
        return Value(x if x > 0 else 0.0, (self,), "relu", (1.0 if x > 0 else 0.0,))

    def exp(self):
        """``e^x``; derivative ``e^x``. Above x = 709.78, e^x is larger than the largest
        float: an OverflowError then says so (``math.exp`` would only say "math range
        error"). For a sigmoid or a tanh use the methods, which never overflow."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data:g}) is larger than the largest float (about "
                                f"1.8e308): e^x overflows once x > 709.78. Use .sigmoid() or "
                                f".tanh(), which never overflow, or keep x smaller") from None
        return Value(e, (self,), "exp", (e,))

    def log(self):
        """Natural logarithm, for x > 0; derivative ``1 / x``."""
        x = self.data
        if x <= 0:
            raise ValueError(f"log is only defined for positive numbers; got {x:g}")
        return Value(math.log(x), (self,), "log", (1.0 / x,))

    # ---------------------------------------------------------------- backward

    def topological_order(self):
        """All nodes this value depends on (itself included), each after its inputs.

        Depth-first from this node, children in the order they were given, so the
        order is the same every run.
        """
        order, visited = [], set()
        stack = [(self, False)]
        while stack:  # an explicit stack: deep graphs do not hit Python's recursion limit
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for child in reversed(node.children):
                if id(child) not in visited:
                    stack.append((child, False))
        return order

    def backward(self):
        """Fill ``grad`` of every node in the graph with ``d(self)/d(node)``.

        Sets ``self.grad = 1`` and applies the chain rule in reverse topological
        order. The inputs (leaves) accumulate gradients across calls, as in PyTorch:
        call :meth:`zero_grad` first to start again. The values computed in between
        are reset first, so they hold this call's gradients only and are not counted
        twice.
        """
        order = self.topological_order()
        for node in order:
            if node.children:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for child, local in zip(node.children, node.local_grads):
                child.grad += local * node.grad

    def zero_grad(self):
        """Set ``grad`` to 0 for this node and everything it depends on."""
        for node in self.topological_order():
            node.grad = 0.0


def trace(root):
    """List the graph under ``root`` for drawing: ``(nodes, edges)``.

    ``nodes`` is a list of every Value ``root`` depends on (itself included),
    inputs before the results computed from them. ``edges`` is a list of
    ``(child, parent)`` pairs, one per input of each node (a value used twice by
    the same operation, as in ``a * a``, gives one edge). The order is the same
    every run, so drawings are reproducible.
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace needs a Value, not {type(root).__name__}")
    nodes = root.topological_order()
    edges, seen = [], set()
    for node in nodes:
        for child in node.children:
            key = (id(child), id(node))
            if key not in seen:
                seen.add(key)
                edges.append((child, node))
    return nodes, edges
