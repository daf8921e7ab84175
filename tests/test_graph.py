"""The computation-graph drawing: layout, shared nodes, no overlapping texts, bad input.
Expected gradients come from closed forms and finite differences, not from the drawing."""

import math
import warnings

import pytest
from matplotlib.figure import Figure

from course_utils import graph, style
from course_utils.graph import draw_graph, drawn_texts, layout
from course_utils.nn.autograd import Value, trace

WS, BS = ((0.3, -0.8), (1.1, 0.4), (-0.6, 0.9)), (0.1, -0.2, 0.05)
VS, C, X, Y = (0.7, -0.5, 0.2), 0.3, (0.5, -1.2), 1.0


def network_loss(x=X, ws=WS, bs=BS, vs=VS, c=C, y=Y, num=Value):
    """A 2-3-1 tanh network's squared error as Values (40 nodes); with ``num=float`` the same
    arithmetic on floats, for finite differences."""
    act = (lambda t: t.tanh()) if num is Value else math.tanh
    lbl = (lambda v, name: Value(v, label=name)) if num is Value else (lambda v, name: v)
    xs = [lbl(x[0], "x1"), lbl(x[1], "x2")]
    h = [act(lbl(ws[j][0], f"w{j + 1}1") * xs[0] + lbl(ws[j][1], f"w{j + 1}2") * xs[1] + lbl(bs[j], f"b{j + 1}"))
         for j in range(3)]
    v = [lbl(vs[j], f"v{j + 1}") for j in range(3)]
    out = act(v[0] * h[0] + v[1] * h[1] + v[2] * h[2] + lbl(c, "c"))
    return (out - lbl(y, "y")) ** 2


def boxes_of(drawing):
    """Window extents of every text and its box, with the renderer that drew them."""
    fig = drawing if isinstance(drawing, Figure) else drawing.figure
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    found = drawn_texts(drawing)
    texts = list(found.boxes.values()) + list(found.ops.values())
    return fig, [t.get_window_extent(renderer) for t in texts], \
        [t.get_bbox_patch().get_window_extent(renderer) for t in texts]


def test_a_shared_node_is_drawn_once_and_shows_the_summed_gradient():
    a = Value(2.0, label="a")
    b = a * a
    c = b + a
    c.backward()
    fig = draw_graph(c)
    found = drawn_texts(fig)
    assert len(found.boxes) == 3 and len(found.ops) == 2  # a, a*a, a*a + a; one × and one +
    expected = 2 * 2.0 + 1  # d(a² + a)/da
    h = 1e-6
    numeric = ((2.0 + h) ** 2 + (2.0 + h) - (2.0 - h) ** 2 - (2.0 - h)) / (2 * h)
    assert a.grad == pytest.approx(expected, rel=1e-12)
    assert numeric == pytest.approx(expected, rel=1e-8)
    assert found.boxes[a].get_text() == "a | data 2.00 | grad 5.00"
    assert found.boxes[c].get_text() == "data 6.00 | grad 1.00"
    assert [found.ops[n].get_text() for n in (b, c)] == ["\u00d7", "+"]
    lay = layout(c)
    assert lay[a][0] == 0 and lay[b][0] == 1 and lay[c][0] == 2
    assert len(lay.bends[a, c]) == 1  # the edge a -> c passes layer 1 beside a*a
    assert lay.bends[a, c][0][1] != lay[b][1]


def test_forty_nodes_draw_with_no_two_texts_overlapping_and_all_inside():
    loss = network_loss()
    loss.backward()
    assert len(trace(loss)[0]) == 40
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = draw_graph(loss)
        fig, texts, boxes = boxes_of(fig)
    assert len(texts) == 40 + 24  # 40 values, 24 operations
    frame = fig.bbox
    for i, box in enumerate(boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        for other in boxes[i + 1:]:
            assert not box.overlaps(other)
    lay = layout(loss)
    assert lay.crossings < layout(loss, sweeps=0).crossings  # the sweeps untangle it
    assert fig.get_figwidth() > fig.get_figheight()  # 12 layers across, at most 8 items down


def test_the_gradients_drawn_match_finite_differences_of_the_network():
    loss = network_loss()
    loss.backward()
    texts = drawn_texts(draw_graph(loss)).boxes
    shown = {n.label: n for n in texts if n.label}
    h = 1e-6
    for name in ("x1", "w21", "b3", "v1", "c"):
        def f(t, name=name):
            kw = dict(x=list(X), ws=[list(w) for w in WS], bs=list(BS), vs=list(VS), c=C)
            if name[0] == "x":
                kw["x"][int(name[1]) - 1] += t
            elif name[0] == "w":
                kw["ws"][int(name[1]) - 1][int(name[2]) - 1] += t
            elif name[0] == "b":
                kw["bs"][int(name[1]) - 1] += t
            elif name[0] == "v":
                kw["vs"][int(name[1]) - 1] += t
            else:
                kw["c"] += t
            return network_loss(**kw, num=float)
        numeric = (f(h) - f(-h)) / (2 * h)
        node = shown[name]
        assert node.grad == pytest.approx(numeric, rel=1e-6, abs=1e-9)
        assert texts[node].get_text().endswith(f"grad {graph.number(numeric)}")


def test_layers_follow_the_longest_path_and_inputs_sit_next_to_their_use():
    loss = network_loss()
    lay = layout(loss)
    nodes, edges = trace(loss)
    for child, parent in edges:
        assert lay[child][0] < lay[parent][0]
        assert len(lay.bends[child, parent]) == lay[parent][0] - lay[child][0] - 1
    for n in nodes:
        if n.children:
            assert lay[n][0] == 1 + max(lay[c][0] for c in n.children)
    assert lay[loss][0] == lay.layers - 1 == 11
    rows = {}
    for k, r in list(lay.position.values()) + [p for b in lay.bends.values() for p in b]:
        rows.setdefault(k, []).append(r)
    for k, rs in rows.items():  # one row per item in each layer, centred on 0
        assert sorted(rs) == [i - (len(rs) - 1) / 2 for i in range(len(rs))]


def test_a_single_value_draws_and_show_grad_off_hides_grads():
    v = Value(-0.5, label="v")
    fig = draw_graph(v)
    assert drawn_texts(fig).boxes[v].get_text() == "v | data \u22120.50 | grad 0.00"
    assert not drawn_texts(fig).ops
    fig.canvas.draw()
    ax = style.new_figure((3, 1)).add_subplot()
    assert draw_graph(v, ax, show_grad=False) is ax
    assert drawn_texts(ax).boxes[v].get_text() == "v | data \u22120.50"


def test_bad_input_says_what_is_needed():
    for bad in (3.0, "a + b", None, [Value(1.0)]):
        with pytest.raises(TypeError, match="draw a graph of a Value expression"):
            draw_graph(bad)
        with pytest.raises(TypeError, match="Value expression"):
            layout(bad)
    with pytest.raises(ValueError, match="no graph"):
        drawn_texts(style.new_figure((2, 2)))


def test_labels_of_operations_and_numbers():
    assert [graph.op_symbol(op) for op in ("+", "*", "**2", "**-1", "tanh", "neg")] == \
        ["+", "\u00d7", "^2", "^\u22121", "tanh", "\u2212x"]
    assert [graph.number(v) for v in (-0.004, 1.005e-3, -3.14159, 12345.0)] == \
        ["0.00", "0.00", "\u22123.14", "1.23e+04"]
