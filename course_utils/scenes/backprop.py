"""Backpropagation, one node at a time, on the computation graph of one neuron's loss.

:class:`BackpropScene` (GIF ``imgs/backprop.gif``) builds, with the engine's
:class:`~course_utils.nn.autograd.Value`, the expression

    p1 = w1·x1,  p2 = w2·x2,  s = p1 + p2,  n = s + b,  o = tanh(n),  d = o − y,  L = d²

with the target y = 1 fixed, and draws its graph with the layout of
:func:`course_utils.graph.layout`. The ``step`` slider walks through it:

* the forward pass (steps 1 to 13): each node's value appears, left to right, in a
  topological order (every node after its inputs), with the sum, product, ... that makes it;
* the backward pass (steps 14 to 26): each node's gradient ``∂L/∂node`` appears, right to
  left, in the reverse order, as the chain rule writes it: the gradient of the node that
  uses it times the local derivative, ``∂L/∂w1 = ∂L/∂p1 · ∂p1/∂w1``. The local derivatives
  are the numbers each Value stored when it was made (``local_grads``).

Every number shown is the engine's: ``Value.data`` and, after ``L.backward()``, ``Value.grad``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch

from .. import style
from ..graph import layout, number, op_symbol
from ..nn.autograd import Value
from ..scene import Param, Scene
from ..stamps import StampedLine, stamped

INPUTS = ("x1", "x2", "w1", "w2", "b")
DEFAULTS = dict(x1=2.0, x2=-1.0, w1=0.5, w2=1.0, b=0.5)
TARGET = 1.0  # y
SPAN = 2.0  # every input slider runs over [-SPAN, SPAN]
NODES = 13  # values in the graph: 6 inputs (with y) and 7 results
STEPS = 2 * NODES  # step 0 shows the bare graph; then NODES forward and NODES backward steps

BOX_W, BOX_H = 0.98, 0.6  # inches: a value's box
ROW_PITCH = 0.76  # inches between two rows of a layer
LEFT, GRAPH_TOP = 0.12, 2.78  # inches: the graph's left edge and the centre of its top row


def expression(x1: float, x2: float, w1: float, w2: float, b: float, y: float = TARGET) -> dict:
    """The neuron's loss built from Values, after ``L.backward()``: ``{name: Value}``."""
    v = {name: Value(val, label=name) for name, val in dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, y=y).items()}
    v["p1"] = v["w1"] * v["x1"]
    v["p2"] = v["w2"] * v["x2"]
    v["s"] = v["p1"] + v["p2"]
    v["n"] = v["s"] + v["b"]
    v["o"] = v["n"].tanh()
    v["d"] = v["o"] - v["y"]
    v["L"] = v["d"] ** 2
    for name in ("p1", "p2", "s", "n", "o", "d", "L"):
        v[name].label = name
    v["L"].backward()
    return v


def _operand(v: float, first: bool) -> str:
    """A number inside a formula: a negative one after the first in parentheses."""
    text = number(v)
    return text if first or v >= 0 or text == "0.00" else f"({text})"


_RULES = {  # op -> (words after "∂p/∂c = " for child 0, for child 1)
    "*": ("{other}: a product's derivative is the other factor",) * 2,
    "+": ("1: a sum passes the gradient on unchanged",) * 2,
    "-": ("1: a difference passes the gradient on unchanged to its first term",
          "\u22121: a difference passes the gradient to its second term with its sign flipped"),
    "tanh": ("1 \u2212 {p}\u00b2: the slope of tanh",),
    "**2": ("2{c}: the slope of a square",),
}


def forward_caption(node: Value) -> tuple[str, tuple[str, ...]]:
    """The forward step at ``node``: ``(template, numbers)`` for a StampedLine."""
    a = node.children
    if not a:
        what = "the target, fixed" if node.label == "y" else "an input (a slider)"
        return f"{node.label} = {{}}: {what}", (number(node.data),)
    names, nums = [c.label for c in a], [_operand(c.data, i == 0) for i, c in enumerate(a)]
    result = number(node.data)
    if node.op == "tanh":
        return f"{node.label} = tanh({names[0]}) = tanh({{}}) = {{}}", (nums[0], result)
    if node.op == "**2":
        return f"{node.label} = {names[0]}\u00b2 = ({{}})\u00b2 = {{}}", (number(a[0].data), result)
    sign = {"*": "\u00b7", "+": " + ", "-": " \u2212 "}[node.op]
    shown = {"*": " \u00d7 ", "+": " + ", "-": " \u2212 "}[node.op]
    return f"{node.label} = {names[0]}{sign}{names[1]} = {{}}{shown}{{}} = {{}}", (nums[0], nums[1], result)


def backward_caption(node: Value, user: Value | None) -> tuple[str, tuple[str, ...], str]:
    """The backward step at ``node``, whose gradient comes from ``user`` (None for the loss):
    ``(template, numbers, rule)``, the rule in words with the local derivative."""
    if user is None:
        return (f"\u2202L/\u2202{node.label} = {{}}", (number(node.grad),),
                "backward pass: it starts at the loss, then goes right to left by the chain rule")
    c, p = node.label, user.label
    k = user.children.index(node)
    local = user.local_grads[k]
    shown = (number(user.grad), _operand(local, False), number(node.grad))
    # the factors are rounded: "≈" where their product, rounded, is not the result shown
    factors = [float(t.strip("()").replace("\u2212", "-")) for t in shown[:2]]
    equal = "=" if number(factors[0] * factors[1]) == shown[2] else "\u2248"
    template = (f"\u2202L/\u2202{c} = \u2202L/\u2202{p} \u00b7 \u2202{p}/\u2202{c} = {{}} \u00d7 {{}} "
                f"{equal} {{}}")
    rules = _RULES[user.op]
    other = user.children[1 - k].label if user.op == "*" else ""
    rule = f"local derivative \u2202{p}/\u2202{c} = " + rules[min(k, len(rules) - 1)].format(other=other, p=p, c=c)
    return template, shown, rule


class BackpropScene(Scene):
    """One neuron's loss as a graph: the forward pass fills in the values, the backward
    pass the gradients, one node per step."""

    params = (
        *(Param(name, DEFAULTS[name], -SPAN, SPAN, 0.1, label=name) for name in INPUTS),
        Param("step", STEPS, 0, STEPS, 1, integer=True, label="step"),
    )
    gif_name = "backprop"
    gif_one_palette = True  # few colours: each frame stores only what changed
    size = (10.5, 4.1)
    control_rows = (("x1", "x2"), ("w1", "w2"), ("b",))

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        width, height = self.size
        ax = self.ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.set_axis_off()
        ax.text(LEFT, height - 0.12, f"backpropagation:  o = tanh(w1\u00b7x1 + w2\u00b7x2 + b),  "
                f"L = (o \u2212 y)\u00b2,  y = {TARGET:g}", fontsize=11, weight="bold", va="top")
        self.caption = moving(StampedLine(ax, LEFT, height - 0.5, pieces=4, fontsize=11, va="top"))
        self.rule = moving(stamped(ax, LEFT, height - 0.82, "", fontsize=10, va="top"))

        names = expression(**DEFAULTS)
        self.lay = layout(names["L"])
        by_node = {node: name for name, node in names.items()}
        pitch = (width - 2 * LEFT - BOX_W) / (self.lay.layers - 1)
        self.centre = {by_node[n]: (LEFT + BOX_W / 2 + k * pitch, GRAPH_TOP - (r + (self.lay.rows - 1) / 2) * ROW_PITCH)
                       for n, (k, r) in self.lay.position.items()}
        #: the nodes in the order the forward pass visits them: by layer, then row (a
        #: topological order, since every edge goes one or more layers right)
        self.order = [by_node[n] for n in sorted(self.lay.position, key=lambda n: self.lay[n])]
        self.users = {name: [by_node[p] for p in names.values() if names[name] in p.children] for name in names}
        gap = pitch - BOX_W  # room for an operation's marker between two columns

        self.data_text, self.grad_text, self.edges = {}, {}, {}
        for name, node in names.items():
            x, y = self.centre[name]
            ax.add_patch(FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, fc=style.LIGHT,
                                        ec=style.GREY, lw=0.8, boxstyle="round,pad=0,rounding_size=0.06"))
            ax.text(x, y + 0.17, name, ha="center", va="center", fontsize=10, weight="bold")
            for row, word, store in ((0.0, "data", self.data_text), (-0.17, "grad", self.grad_text)):
                ax.text(x - BOX_W / 2 + 0.06, y + row, word, ha="left", va="center", fontsize=9, color=style.GREY)
                store[name] = moving(StampedLine(ax, x + BOX_W / 2 - 0.06, y + row, pieces=0, ha="right",
                                                 fontsize=9, va="center"))
            if node.op:  # the operation's marker, left of its box, and the arrows into it
                mx = x - BOX_W / 2 - gap / 2
                symbol = op_symbol(node.op)
                ax.text(mx, y, symbol, ha="center", va="center", fontsize=9, family="DejaVu Sans Mono", zorder=3,
                        bbox=dict(boxstyle="circle,pad=0.2" if len(symbol) == 1 else "round,pad=0.25",
                                  fc="white", ec=style.BLACK, lw=0.8))
                half = 0.1 if len(symbol) == 1 else 0.05 + 0.045 * len(symbol)
                self._arrow((mx + half, y), (x - BOX_W / 2, y))
                for child in node.children:
                    cname = by_node[child]
                    cx, cy = self.centre[cname]
                    start, end = (cx + BOX_W / 2, cy), (mx - half, y)
                    self._arrow(start, end)
                    self.edges[cname, name] = ([start[0], end[0], np.nan, mx + half, x - BOX_W / 2],
                                               [start[1], end[1], np.nan, y, y])

        self.glow = moving(ax.add_line(Line2D([], [], color=style.ORANGE, lw=3.2, alpha=0.8, zorder=4)))
        self.frame = moving(ax.add_patch(FancyBboxPatch((0, 0), BOX_W, BOX_H, fc="none", ec=style.ORANGE,
                                                        lw=2.6, boxstyle="round,pad=0,rounding_size=0.06")))

    def _arrow(self, start, end) -> None:
        self.ax.annotate("", xy=end, xytext=start, zorder=2, arrowprops=dict(
            arrowstyle="-|>", color=style.GREY, lw=1, shrinkA=0, shrinkB=0, mutation_scale=10))

    def step_of(self) -> tuple[str, str | None]:
        """``(phase, node)`` at the current step: ``("start", None)``, ``("forward", name)``
        or ``("backward", name)``."""
        step = self.values["step"]
        if step == 0:
            return "start", None
        if step <= NODES:
            return "forward", self.order[step - 1]
        return "backward", self.order[STEPS - step]

    def visited(self) -> tuple[set, set]:
        """The names of the nodes whose value, and whose gradient, are shown."""
        step = self.values["step"]
        return set(self.order[:min(step, NODES)]), set(self.order[len(self.order) - max(0, step - NODES):])

    def draw(self) -> None:
        v = self.values
        self.nodes = names = expression(*(v[name] for name in INPUTS))
        with_data, with_grad = self.visited()
        for name, node in names.items():
            self.data_text[name].set("{}", number(node.data) if name in with_data else "")
            self.grad_text[name].set("{}", number(node.grad) if name in with_grad else "")

        phase, name = self.step_of()
        edges = []
        if phase == "start":
            self.caption.set("press Play: the forward pass computes every value, then the backward pass every gradient")
            self.rule.set_text("")
        elif phase == "forward":
            template, numbers = forward_caption(names[name])
            self.caption.set(template, *numbers)
            self.rule.set_text(f"forward pass, step {v['step']} of {NODES}: each value is computed from its "
                               "inputs, left to right")
            edges = [(c, name) for c in self.users if (c, name) in self.edges]
        else:
            users = self.users[name]
            user = names[users[0]] if users else None  # in this graph each value is used once
            template, numbers, rule = backward_caption(names[name], user)
            self.caption.set(template, *numbers)
            self.rule.set_text(rule)
            edges = [(name, u) for u in users]
        xs, ys = [], []
        for e in edges:
            xs += [*self.edges[e][0], np.nan]
            ys += [*self.edges[e][1], np.nan]
        self.glow.set_data(xs, ys)
        self.frame.set_visible(name is not None)
        if name is not None:
            x, y = self.centre[name]
            self.frame.set_bounds(x - BOX_W / 2, y - BOX_H / 2, BOX_W, BOX_H)

    def shown(self) -> dict:
        """What each box shows now: ``{name: (data text, grad text)}``, ``""`` when blank."""
        return {name: (self.data_text[name].get_text(), self.grad_text[name].get_text()) for name in self.nodes}

    def storyboard(self):
        for step in range(STEPS + 1):
            pause = {0: 1600, NODES: 1600, STEPS: 2800}.get(step, 900)
            yield dict(DEFAULTS, step=step), pause

