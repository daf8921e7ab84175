"""The perceptron rule against a hand computation; what the scene draws; and every number
chapter 01 states about the perceptron, computed."""

import json
from pathlib import Path

import numpy as np
import pytest

from course_utils import chapters
from course_utils.scenes import perceptron as P
from course_utils.scenes.perceptron import PerceptronScene

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "01_neurons.ipynb"


def notebook_cells():
    return json.loads(NOTEBOOK.read_text())["cells"]


def notebook_markdown() -> str:
    return "\n".join("".join(c["source"]) for c in notebook_cells() if c["cell_type"] == "markdown")


@pytest.fixture(scope="module")
def scene():
    return PerceptronScene()


# ----------------------------------------------------------------------------- the rule

def test_the_first_epoch_of_and_by_hand():
    """w = (-0.4, 0.6), b = -0.15, eta = 0.5, worked out on paper:
    (0,0): z = -0.15 -> 0, right.  (0,1): z = 0.6 - 0.15 = 0.45 -> 1, wrong: w2 = 0.1, b = -0.65.
    (1,0): z = -0.4 - 0.65 = -1.05 -> 0, right.  (1,1): z = -0.4 + 0.1 - 0.65 = -0.95 -> 0,
    wrong: w = (0.1, 0.6), b = -0.15."""
    run = P.perceptron_updates(P.INPUTS, (0, 0, 0, 1), 0.5, 1, (-0.4, 0.6), -0.15)
    assert run.examples.tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(run.sums, [-0.15, 0.45, -1.05, -0.95])
    assert run.predictions.tolist() == [0, 1, 0, 0]
    assert run.errors.tolist() == [0, -1, 0, 1]
    np.testing.assert_allclose(run.weights, [[-0.4, 0.6], [-0.4, 0.6], [-0.4, 0.1], [-0.4, 0.1], [0.1, 0.6]])
    np.testing.assert_allclose(run.biases, [-0.15, -0.15, -0.65, -0.65, -0.15])
    assert run.corrections == 2


def test_three_inputs_and_two_epochs_by_hand():
    """x = (1, 2, 0) with y = 1, from w = 0, b = 0, eta = 1: z = 0 -> 0, wrong: w = (1, 2, 0),
    b = 1. Then z = 1 + 4 + 1 = 6 -> 1, right: nothing changes."""
    run = P.perceptron_updates([[1.0, 2.0, 0.0]], [1], 1.0, 2, np.zeros(3), 0.0)
    np.testing.assert_allclose(run.weights, [[0, 0, 0], [1, 2, 0], [1, 2, 0]])
    np.testing.assert_allclose(run.biases, [0, 1, 1])
    np.testing.assert_allclose(run.sums, [0, 6])
    assert run.errors.tolist() == [1, 0]


@pytest.mark.parametrize("gate", P.GATES)
@pytest.mark.parametrize("lr", P.RATES)
def test_a_mistake_moves_z_at_the_point_by_eta_times_x_squared_plus_one(gate, lr):
    run = P.gate_run(gate, lr)
    for k, i in enumerate(run.examples):
        x = P.INPUTS[i]
        after = run.weights[k + 1] @ x + run.biases[k + 1]
        assert after - run.sums[k] == pytest.approx(lr * run.errors[k] * (x @ x + 1))
        assert run.predictions[k] == (run.sums[k] > 0)


@pytest.mark.parametrize("gate", P.GATES)
@pytest.mark.parametrize("lr", P.RATES)
def test_no_prediction_is_a_tie_and_w_is_never_zero(gate, lr):
    """The start is chosen so that rounding can never decide a prediction."""
    run = P.gate_run(gate, lr)
    assert np.abs(run.sums).min() >= 0.05 - 1e-9
    assert np.abs(run.weights).min() >= 0.1 - 1e-9


@pytest.mark.parametrize("lr", P.RATES)
@pytest.mark.parametrize("gate", ["AND", "OR"])
def test_and_and_or_are_learnt_and_then_right_on_every_point(gate, lr):
    run = P.gate_run(gate, lr)
    k = P.learnt_at(run)
    assert k is not None and P.cycle(run) is None
    assert not run.errors[k:].any()
    z = P.INPUTS @ run.weights[k] + run.biases[k]
    assert (z > 0).astype(int).tolist() == list(P.GATES[gate])


@pytest.mark.parametrize("lr", P.RATES)
def test_xor_is_never_learnt_every_epoch_makes_a_mistake_and_it_cycles(lr):
    run = P.gate_run("XOR", lr)
    assert P.learnt_at(run) is None
    assert all(run.errors[e * 4:e * 4 + 4].any() for e in range(P.EPOCHS))
    start, period = P.cycle(run)
    np.testing.assert_allclose(run.weights[start + period], run.weights[start])
    assert run.biases[start + period] == pytest.approx(run.biases[start])


def test_learnt_at_and_cycle_can_say_no():
    still_wrong = P.perceptron_updates(P.INPUTS, (0, 0, 0, 1), 0.5, 1, (-0.4, 0.6), -0.15)
    assert P.learnt_at(still_wrong) is None        # corrected at update 4: no clean epoch after it
    right_from_the_start = P.perceptron_updates(P.INPUTS, (0, 0, 0, 1), 0.5, 3, (1.0, 1.0), -1.5)
    assert P.learnt_at(right_from_the_start) == 0
    assert P.cycle(right_from_the_start) is None  # it stands still: no mistakes, no cycle


def test_no_line_separates_xor():
    """A brute-force check of the notebook's argument, on a grid of lines."""
    grid = np.linspace(-2, 2, 41)
    w1, w2, b = np.meshgrid(grid, grid, grid)
    outputs = [(w1 * x1 + w2 * x2 + b > 0) for x1, x2 in P.INPUTS]
    xor = ~outputs[0] & outputs[1] & outputs[2] & ~outputs[3]
    and_ = ~outputs[0] & ~outputs[1] & ~outputs[2] & outputs[3]
    assert not xor.any() and and_.any()


def test_half_plane_cuts_the_square():
    shaded, crossings = P.half_plane((1.0, 0.0), -0.5, 0.0, 1.0)  # x1 > 0.5
    assert sorted(map(tuple, np.round(shaded, 9))) == [(0.5, 0.0), (0.5, 1.0), (1.0, 0.0), (1.0, 1.0)]
    assert sorted(map(tuple, np.round(crossings, 9))) == [(0.5, 0.0), (0.5, 1.0)]
    shaded, crossings = P.half_plane((1.0, 1.0), -5.0, 0.0, 1.0)  # off the square
    assert shaded.shape == (0, 2) and crossings.shape == (0, 2)
    shaded, crossings = P.half_plane((1.0, 1.0), 5.0, 0.0, 1.0)
    assert len(shaded) == 4 and len(crossings) == 0


# ---------------------------------------------------------------------------- the scene

def test_registered_in_chapter_01_with_its_gif():
    assert PerceptronScene in chapters.scene_classes([chapters.chapter("01_neurons")])
    assert chapters.gif_scenes()["perceptron"] is PerceptronScene


def test_the_arrow_is_w_perpendicular_to_the_line_and_points_to_the_shaded_side(scene):
    scene.set(gate="AND", lr=0.5, step=1)
    run = P.gate_run("AND", 0.5)
    w, b = run.weights[1], run.biases[1]
    (x0, x1), (y0, y1) = scene.line.get_data()
    assert w @ (x1 - x0, y1 - y0) == pytest.approx(0, abs=1e-9)
    assert w @ (x0, y0) + b == pytest.approx(0, abs=1e-9)
    tail, head = map(np.array, scene.arrow._posA_posB)
    assert w @ tail + b == pytest.approx(0, abs=1e-9)  # it starts on the line
    direction = (head - tail) / np.linalg.norm(head - tail)
    np.testing.assert_allclose(direction, w / np.linalg.norm(w))
    assert all(w @ corner + b > -1e-9 for corner in scene.shade.get_xy())  # corners on the line give 0
    assert w @ head + b > 0


def test_each_update_rings_its_point_and_shows_the_arithmetic(scene):
    scene.set(gate="AND", lr=0.5, step=2)  # (0, 1): z = 0.45 -> 1, but AND says 0
    assert list(scene.ring.get_xdata()) == [0.0] and list(scene.ring.get_ydata()) == [1.0]
    texts = [t.get_text() for t in scene.lines]
    assert "= 0.45" in texts[1] and "step(0.45) = 1" in texts[1]
    assert texts[2].endswith("= (\u22120.40, 0.10)")
    assert texts[3].endswith("= \u22120.65")
    assert "\u2718" in scene.verdict.get_text()
    assert scene.before.get_xdata() != []  # the line before the correction is shown
    scene.set(step=3)  # (1, 0) is right: nothing moves
    assert "\u2714" in scene.verdict.get_text() and list(scene.before.get_xdata()) == []


def test_a_line_off_the_picture_says_so(scene):
    scene.set(gate="AND", lr=0.5, step=2)  # w = (-0.4, 0.1), b = -0.65: z < 0 on the whole view
    assert not scene.arrow.get_visible()
    assert "every point here is called 0" in scene.off_view.get_text()
    scene.set(step=1)
    assert scene.arrow.get_visible() and scene.off_view.get_text() == ""


def test_the_status_and_the_note_say_what_was_computed(scene):
    scene.set(gate="OR", lr=1.0, step=0)
    run = P.gate_run("OR", 1.0)
    assert f"learnt after {P.learnt_at(run)} updates ({run.corrections} of them" in scene.status.get_text()
    scene.set(gate="XOR", lr=0.5)
    start, _ = P.cycle(P.gate_run("XOR", 0.5))
    assert "never learnt" in scene.status.get_text()
    assert f"from update {start} on" in scene.mark_text.get_text() and "every epoch" in scene.mark_text.get_text()


def test_every_control_changes_the_picture():
    base = PerceptronScene(step=5).render()
    for change in (dict(gate="OR"), dict(gate="XOR"), dict(lr=0.25), dict(lr=1.0), dict(step=6), dict(step=0)):
        assert not np.array_equal(PerceptronScene(**dict(dict(step=5), **change)).render(), base), change


def test_the_storyboard_ends_each_learnt_gate_an_epoch_after_and_shows_xor_cycling():
    frames = list(PerceptronScene.__new__(PerceptronScene).storyboard())
    last = {}
    for changes, _ in frames:
        last[changes["gate"]] = changes["step"]
    assert last == {"AND": 14, "OR": 13, "XOR": 20}


# ---------------------------------------------------------------------- the notebook

def test_the_numbers_the_chapter_states_about_the_perceptron():
    text = notebook_markdown()
    assert P.W0 == (-0.4, 0.6) and P.B0 == -0.15
    assert "$\\mathbf{w} = (-0.4, 0.6)$, $b = -0.15$, with $\\eta = 0.5$" in text
    and_run, or_run = P.gate_run("AND", 0.5), P.gate_run("OR", 0.5)
    assert (P.learnt_at(and_run), and_run.corrections) == (10, 5)
    assert "**AND** is learnt after 10 updates. Only 5 of them corrected a mistake" in text
    assert (P.learnt_at(or_run), or_run.corrections) == (9, 4)
    assert "**OR** is learnt after 9 updates, 4 of them corrections." in text
    assert P.cycle(P.gate_run("XOR", 0.5)) == (8, 4)
    assert "From update 8 on, $\\mathbf{w}$ and $b$ are back at the same values at the end of every\n  epoch" in text
    assert P.learnt_at(P.gate_run("AND", 1.0)) == 18
    assert "Set $\\eta = 1$. Bigger steps are not always faster: AND now takes 18 updates." in text
    # "the first line that works, however close that line passes to a point": AND's line
    # passes 0.05 from (1, 0) and (1, 1) in z
    w, b = and_run.weights[-1], and_run.biases[-1]
    assert np.allclose(np.abs(P.INPUTS @ w + b)[2:], 0.05)


def test_the_code_cell_prints_what_the_rule_computes():
    cell = next(c for c in notebook_cells() if c["cell_type"] == "code"
                and "perceptron.perceptron_updates" in "".join(c["source"]))
    printed = "".join(cell["outputs"][0]["text"])
    run = P.gate_run("AND", 0.5)
    k = P.learnt_at(run)
    assert printed == (f"learnt after {k} updates ({run.corrections} corrections): "
                       f"w = {np.round(run.weights[k], 2)}, b = {run.biases[k]:.2f}\n")


def test_the_notebook_shows_the_gif_and_the_widget():
    source = "\n".join("".join(c["source"]) for c in notebook_cells())
    assert "../imgs/perceptron.gif" in source and "interactive(PerceptronScene())" in source


def test_every_exercise_shows_its_feedback_the_same_way():
    """As a Feedback's rich display (the last expression of the cell), never printed."""
    checks = [c for c in notebook_cells() if c["cell_type"] == "code" and "exercises.check_" in "".join(c["source"])]
    assert len(checks) == 4
    for cell in checks:
        source = "".join(cell["source"])
        assert "print(" not in source and source.count("exercises.check_") == 1
        assert source.strip().splitlines()[-1].startswith("exercises.check_")
        assert [o["output_type"] for o in cell["outputs"]] == ["execute_result"]
        assert "text/html" in cell["outputs"][0]["data"]
