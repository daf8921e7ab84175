"""Drawing the computation graph of a :class:`~course_utils.nn.autograd.Value` expression.

Every value is a box with its label, its data and (after ``backward()``) its grad; every
operation is a small marker with its symbol (``+``, ``×``, ``tanh`` ...) just left of the
value it makes; arrows run from each input to the operation that uses it, left to right.

The layout (:func:`layout`) is the classic layered drawing of a directed graph
(Sugiyama, Tagawa and Toda, "Methods for Visual Understanding of Hierarchical System
Structures", 1981), kept small:

1. layers: a computed value sits one layer right of its deepest input (the longest path
   from the inputs); an input sits just left of the first operation that uses it, so it
   is drawn next to where it is used rather than far away in layer 0;
2. an edge that jumps over layers gets a bend point in each layer it crosses, which
   takes a row there like a node, so no edge runs through a box;
3. crossings are reduced by barycentre sweeps: each layer is sorted by the mean row of
   its neighbours in the layer before (then after), and the order with the fewest
   crossings is kept.

Only matplotlib is used (no graphviz). Box texts are monospaced, so their widths are
known before drawing and the spacing is chosen so that no two boxes overlap.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from . import style
from .nn.autograd import Value, trace

__all__ = ["layout", "Layout", "draw_graph", "drawn_texts", "node_text", "op_symbol", "number"]

FONT = 9  # points, every text of the drawing
MONO = "DejaVu Sans Mono"
CHAR = 0.602 * FONT / 72  # inches: the advance of one DejaVu Sans Mono character
PAD = 0.3 * FONT / 72  # inches: a box's padding around its text (boxstyle pad 0.3)
ARROW = 0.25  # inches between an operation's marker and the boxes on either side
ROW_GAP = 0.16  # inches between two boxes of a layer
MARGIN = 0.12  # inches around the drawing
BOX_H = 1.25 * FONT / 72 + 2 * PAD  # a one-line box's height, a little generous

_SYMBOLS = {"*": "\u00d7", "-": "\u2212", "/": "\u00f7", "neg": "\u2212x"}


def op_symbol(op: str) -> str:
    """What an operation's marker shows: ``'*'`` is ``×``, ``'**2'`` is ``^2``, ``'tanh'`` itself."""
    if op.startswith("**"):
        return "^" + op[2:].replace("-", "\u2212")
    return _SYMBOLS.get(op, op)


def number(v: float) -> str:
    """A value or gradient as drawn: two decimals, a true minus sign, never ``−0.00``."""
    v = round(float(v), 2) + 0.0
    text = f"{v:.2f}" if abs(v) < 1e4 else f"{v:.2e}"
    return text.replace("-", "\u2212")


def node_text(node: Value, show_grad: bool = True) -> str:
    """A value's box text: ``"a | data 2.00 | grad −3.00"`` (no label part if it has none)."""
    parts = [node.label] if node.label else []
    parts.append(f"data {number(node.data)}")
    if show_grad:
        parts.append(f"grad {number(node.grad)}")
    return " | ".join(parts)


class Bend:
    """A point where an edge that skips layers crosses one: it takes a row in its layer."""

    def __init__(self, edge):
        self.edge = edge


@dataclass
class Layout:
    """Where everything goes, in grid units: ``position[value] = (layer, row)``, layer 0
    the leftmost, rows centred on 0 and growing downwards; ``bends[(child, parent)]`` the
    ``(layer, row)`` points an edge passes through on its way; ``layers`` and ``rows``
    (the most items in one layer) the grid's size; ``crossings`` how many pairs of edges
    cross."""

    position: dict
    bends: dict
    layers: int
    rows: int
    crossings: int

    def __getitem__(self, node: Value) -> tuple:
        return self.position[node]


def _check(root) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw a graph of a Value expression (from course_utils.nn.autograd), "
                        f"not of a {type(root).__name__}")


def layout(root: Value, sweeps: int = 4) -> Layout:
    """The layered layout of the graph under ``root`` (see the module's docstring)."""
    _check(root)
    nodes, edges = trace(root)
    layer = {}
    for n in nodes:  # inputs before the values made from them
        layer[n] = 1 + max(layer[c] for c in n.children) if n.children else 0
    users = {n: [p for c, p in edges if c is n] for n in nodes}
    for n in nodes:
        if not n.children and users[n]:
            layer[n] = min(layer[p] for p in users[n]) - 1

    count = max(layer.values()) + 1
    items = [[] for _ in range(count)]
    left, right = {}, {}
    for n in nodes:
        items[layer[n]].append(n)
        left.setdefault(n, [])
        right.setdefault(n, [])
    chains = {}
    for c, p in edges:
        chain = [c] + [Bend((c, p)) for _ in range(layer[c] + 1, layer[p])] + [p]
        for k, bend in enumerate(chain[1:-1]):
            items[layer[c] + 1 + k].append(bend)
            left[bend], right[bend] = [], []
        for a, b in zip(chain, chain[1:]):
            right[a].append(b)
            left[b].append(a)
        chains[c, p] = chain

    def crossings(order) -> int:
        index = {it: i for lay in order for i, it in enumerate(lay)}
        total = 0
        for lay in order:
            pairs = [(index[a], index[b]) for a in lay for b in right[a]]
            total += sum(1 for i, (a1, b1) in enumerate(pairs) for a2, b2 in pairs[i + 1:]
                         if (a1 - a2) * (b1 - b2) < 0)
        return total

    def sweep(order, neighbours, layers):
        index = {it: i for lay in order for i, it in enumerate(lay)}
        for k in layers:
            def key(pair):
                i, it = pair
                near = neighbours[it]
                return sum(index[n] for n in near) / len(near) if near else i
            order[k] = [it for _, it in sorted(enumerate(order[k]), key=key)]
            index.update({it: i for i, it in enumerate(order[k])})

    best, fewest = [list(lay) for lay in items], crossings(items)
    order = [list(lay) for lay in items]
    for _ in range(sweeps):
        sweep(order, left, range(1, count))
        sweep(order, right, range(count - 2, -1, -1))
        if crossings(order) < fewest:
            best, fewest = [list(lay) for lay in order], crossings(order)

    where = {it: (k, i - (len(lay) - 1) / 2) for k, lay in enumerate(best) for i, it in enumerate(lay)}
    return Layout(position={n: where[n] for n in nodes},
                  bends={e: [where[b] for b in chain[1:-1]] for e, chain in chains.items()},
                  layers=count, rows=max(map(len, best)), crossings=fewest)


@dataclass
class Drawn:
    """The texts of a drawn graph: ``boxes[value]`` its box text, ``ops[value]`` the marker
    of the operation that made it. Each text's box is ``text.get_bbox_patch()``."""

    boxes: dict
    ops: dict


_DRAWN: "weakref.WeakKeyDictionary[Axes, Drawn]" = weakref.WeakKeyDictionary()


def drawn_texts(drawing) -> Drawn:
    """The texts :func:`draw_graph` drew on ``drawing`` (the Figure or Axes it returned)."""
    axes = drawing if isinstance(drawing, Axes) else next((a for a in drawing.axes if a in _DRAWN), None)
    if axes not in _DRAWN:
        raise ValueError("this figure holds no graph drawn by draw_graph")
    return _DRAWN[axes]


def draw_graph(root: Value, ax: Axes | None = None, *, show_grad: bool = True):
    """Draw the computation graph of ``root``; return the new Figure (``ax`` None) or ``ax``.

    Without ``ax`` the figure is made just big enough: its width follows the number of
    layers, its height the fullest layer, and no two texts overlap. With ``ax`` the graph
    fills it (the same picture, scaled; texts keep their size, so a small ``ax`` crowds them).
    The grads shown are whatever the nodes hold: call ``root.backward()`` first.
    """
    _check(root)
    lay = layout(root)
    texts = {n: node_text(n, show_grad) for n in lay.position}
    symbols = {n: op_symbol(n.op) for n in lay.position if n.op}
    box_w = max(map(len, texts.values())) * CHAR + 2 * PAD
    op_w = max(map(len, symbols.values()), default=0) * CHAR + 2 * PAD + 0.1
    pitch_x, pitch_y = op_w + 2 * ARROW + box_w, BOX_H + ROW_GAP
    width = 2 * MARGIN + lay.layers * pitch_x - op_w - 2 * ARROW
    height = 2 * MARGIN + lay.rows * pitch_y - ROW_GAP

    def centre(layer, row):  # of the box in (layer, row), in inches
        return MARGIN + box_w / 2 + layer * pitch_x, height / 2 - row * pitch_y

    if ax is None:
        fig = style.new_figure((width, height))
        ax = fig.add_axes((0, 0, 1, 1))
        result = fig
    else:
        result = ax
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()

    look = dict(family=MONO, fontsize=FONT, ha="center", va="center")
    boxes, ops = {}, {}
    for n, (k, r) in lay.position.items():
        x, y = centre(k, r)
        boxes[n] = ax.text(x, y, texts[n], zorder=3, **look,
                           bbox=dict(boxstyle="round,pad=0.3", fc=style.LIGHT, ec=style.GREY, lw=0.8))
        if n.op:
            shape = "circle,pad=0.2" if len(symbols[n]) == 1 else "round,pad=0.3"
            ops[n] = ax.text(x - box_w / 2 - ARROW - op_w / 2, y, symbols[n], zorder=3, **look,
                             bbox=dict(boxstyle=shape, fc="white", ec=style.BLACK, lw=0.8))
            ax.annotate("", xy=(x - box_w / 2, y), xytext=(x - box_w / 2 - ARROW, y), zorder=2,
                        arrowprops=dict(arrowstyle="-|>", color=style.GREY, lw=1, shrinkA=0, shrinkB=0))
    for (c, p), bends in lay.bends.items():
        start = centre(*lay[c])
        points = [(start[0] + box_w / 2, start[1])]
        for k, r in bends:
            x, y = centre(k, r)
            points += [(x - box_w / 2 - ARROW - op_w, y), (x + box_w / 2, y)]
        x, y = centre(*lay[p])
        end = (x - box_w / 2 - ARROW - op_w / 2 - len(symbols[p]) * CHAR / 2 - 0.06, y)
        if len(points) > 1:
            ax.add_line(Line2D(*zip(*points), color=style.GREY, lw=1, zorder=1))
        ax.annotate("", xy=end, xytext=points[-1], zorder=1,
                    arrowprops=dict(arrowstyle="-|>", color=style.GREY, lw=1, shrinkA=0, shrinkB=0))
    _DRAWN[ax] = Drawn(boxes, ops)
    return result
