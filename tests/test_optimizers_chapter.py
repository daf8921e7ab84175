"""The Optimizers chapter: loss surfaces, recorded runs, the optimizer race and the
learning-rate scene, each checked against closed forms or an independent loop."""

import inspect
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from course_utils import nn
from course_utils.nn import optim
from course_utils.scenes import learning_rate as lr_scene
from course_utils.scenes.learning_rate import LearningRateScene, descent, regime
from course_utils.scenes.optimizers import RACERS, OptimizerRaceScene, absolute_start, relative_start
from course_utils.surfaces import SURFACES
from course_utils.trajectory import descend
from course_utils.widgets import interactive
from gradcheck import numerical_gradient


# --- surfaces -------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SURFACES))
def test_surface_gradient_matches_finite_differences(name):
    s = SURFACES[name]
    rng = np.random.default_rng(0)
    for _ in range(5):
        p = np.array([rng.uniform(*s.xlim), rng.uniform(*s.ylim)])
        numeric = numerical_gradient(lambda: s.loss(p), p)
        np.testing.assert_allclose(s.gradient(p), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_surface_minimum_is_where_it_says(name):
    s = SURFACES[name]
    m = np.array(s.minimum)
    assert s.loss(m) == pytest.approx(s.lowest, abs=1e-12)
    np.testing.assert_allclose(s.gradient(m), 0, atol=1e-12)
    xs, ys = np.meshgrid(np.linspace(*s.xlim, 301), np.linspace(*s.ylim, 301))
    assert s.f(xs, ys).min() >= s.lowest - 1e-12  # nothing lower in the drawn region
    assert s.xlim[0] < m[0] < s.xlim[1] and s.ylim[0] < m[1] < s.ylim[1]


def test_surface_starts_sit_on_the_start_sliders_grid():
    for name, s in SURFACES.items():
        sx, sy = relative_start(name)
        assert absolute_start(name, sx, sy) == pytest.approx(s.start, abs=1e-12), name


# --- recorded runs ----------------------------------------------------------------
def test_descend_follows_gradient_descent_exactly():
    # f = c x^2 / 2, so SGD multiplies x by (1 - lr c) each step
    c, lr, x0 = 3.0, 0.1, 2.0
    run = descend(lambda p: 0.5 * c * p[0] ** 2, lambda p: c * p, [x0], lambda ps: optim.SGD(ps, lr=lr),
                  10, bound=100)
    np.testing.assert_allclose(run.points[:, 0], x0 * (1 - lr * c) ** np.arange(11))
    assert not run.diverged and len(run.loss) == 11


def test_descend_stops_a_diverging_run_where_it_leaves_the_bound():
    # factor (1 - lr c) = -2: |x_k| = 2^k, which first exceeds 1000 at k = 10
    run = descend(lambda p: 0.5 * p[0] ** 2, lambda p: p, [1.0], lambda ps: optim.SGD(ps, lr=3.0), 50,
                  bound=1000)
    assert run.diverged_at == 10
    assert len(run.points) == 11 and np.all(np.isfinite(run.loss))  # the escaping point is kept
    assert run.index(40) == 10 and len(run.upto(40)[0]) == 11


def test_descend_never_keeps_an_infinite_loss():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        run = descend(lambda p: float(np.exp(min(p[0], 800.0))) if p[0] < 700 else np.inf,
                      lambda p: np.array([-1.0]), [0.0], lambda ps: optim.SGD(ps, lr=600.0), 5, bound=1e6)
    assert run.diverged_at == 2 and np.all(np.isfinite(run.loss)) and len(run.points) == 2


def test_descend_rejects_bad_input():
    with pytest.raises(ValueError, match="steps"):
        descend(abs, abs, [0.0], optim.SGD, -1, bound=1)
    with pytest.raises(ValueError, match="inside the bound"):
        descend(abs, abs, [5.0], optim.SGD, 3, bound=1)


# --- the race -------------------------------------------------------------------------
def independent_run(surface, start, steps, make):
    """The plain training loop a student would write, with an optimizer class."""
    s = SURFACES[surface]
    p = nn.Parameter(np.array(start, dtype=float))
    opt = make([p])
    path = [p.data.copy()]
    for _ in range(steps):
        opt.zero_grad()
        p.grad[...] = s.gradient(p.data)
        opt.step()
        path.append(p.data.copy())
    return np.array(path)


CLASSES = {
    "sgd": lambda v: lambda ps: optim.SGD(ps, lr=v["lr_sgd"]),
    "momentum": lambda v: lambda ps: optim.SGD(ps, lr=v["lr_momentum"], momentum=v["momentum"]),
    "nesterov": lambda v: lambda ps: optim.SGD(ps, lr=v["lr_nesterov"], momentum=v["nesterov_momentum"],
                                               nesterov=True),
    "adagrad": lambda v: lambda ps: optim.Adagrad(ps, lr=v["lr_adagrad"]),
    "rmsprop": lambda v: lambda ps: optim.RMSprop(ps, lr=v["lr_rmsprop"], alpha=v["alpha"]),
    "adadelta": lambda v: lambda ps: optim.Adadelta(ps, lr=v["lr_adadelta"], rho=v["rho"]),
    "adam": lambda v: lambda ps: optim.Adam(ps, lr=v["lr_adam"], betas=(v["beta1"], 0.999)),
}


def test_every_optimizer_of_the_race_is_one_of_the_engine():
    assert {r.key for r in RACERS} == set(CLASSES)


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_trail_drawn_in_the_widget_is_the_optimizer_class_run(surface):
    ui = interactive(OptimizerRaceScene())
    ui.controls["surface"].value = surface
    ui.controls["steps"].value = 60
    ui.controls["lr_adam"].value = 0.02  # a control moved by hand, as a student would
    ui.controls["beta1"].value = 0.8
    scene, v = ui.scene, ui.scene.values
    for r in RACERS:
        want = independent_run(surface, scene.start(), 60, CLASSES[r.key](v))
        drawn = np.column_stack(scene.trails[r.key].get_data())
        n = len(drawn)
        assert n == 61 or scene.trajectory(r.key).diverged, r.key
        np.testing.assert_allclose(drawn, want[:n], rtol=1e-12, atol=1e-12, err_msg=r.key)


def test_choosing_a_surface_brings_its_start_and_learning_rates():
    scene = OptimizerRaceScene()
    scene.set(surface="saddle")
    s = SURFACES["saddle"]
    assert scene.start() == pytest.approx(s.start)
    assert {r.key: scene.values[f"lr_{r.key}"] for r in RACERS} == s.learning_rates
    scene.set(surface="valley", lr_sgd=0.5)  # given in the same call: kept
    assert scene.values["lr_sgd"] == 0.5
    assert scene.values["lr_adam"] == SURFACES["valley"].learning_rates["adam"]


def test_steps_bound_the_step_and_the_play_button():
    ui = interactive(OptimizerRaceScene())
    ui.controls["steps"].value = 50
    assert ui.scene.values["step"] == 50 and ui.controls["step"].max == 50 == ui.play.max
    ui.controls["step"].value = 20
    assert ui.scene.values["step"] == 20
    ui.controls["steps"].value = 30
    assert ui.scene.values["step"] == 30  # a new length shows the race to its end


def test_a_diverging_optimizer_is_named_in_the_legend_not_drawn_as_nan():
    scene = OptimizerRaceScene(surface="valley", lr_sgd=1.0, steps=100, step=100)
    run = scene.trajectory("sgd")
    # on the valley, SGD multiplies y by (1 - 10 lr) = -9 each step: it must diverge
    assert run.diverged
    label = scene.legend.get_texts()[[r.key for r in RACERS].index("sgd")].get_text()
    assert "diverged" in label and f"update {run.diverged_at}" in label
    for line in scene.trails.values():
        assert np.all(np.isfinite(np.asarray(line.get_data(), dtype=float)))


def test_hidden_optimizers_are_not_drawn():
    scene = OptimizerRaceScene(show_adam=False)
    assert not scene.trails["adam"].get_visible() and scene.trails["sgd"].get_visible()
    assert "hidden" in scene.legend.get_texts()[-1].get_text()


def test_corners_reach_every_setting_of_every_optimizer():
    corners = list(OptimizerRaceScene.corner_values())
    for p in OptimizerRaceScene.params:
        seen = {c[p.name] for c in corners}
        assert set(p.corners()) <= seen, p.name
    assert {c["surface"] for c in corners} == set(SURFACES)


def test_sgd_in_the_race_obeys_the_closed_form_limit_of_the_valley():
    """Closed form: on (x^2 + 10 y^2)/2, SGD converges iff lr < 2/10."""
    for lr, converges in ((0.19, True), (0.21, False)):
        scene = OptimizerRaceScene(surface="valley", lr_sgd=lr, steps=300, step=300)
        run = scene.trajectory("sgd")
        assert bool(abs(run.points[-1][1]) < 1e-3) is converges and run.diverged is not converges, lr


# --- the learning rate ------------------------------------------------------------------
@pytest.mark.parametrize("lr, word", [
    (0.001, "crawling"),   # lr c = 0.002: x shrinks by 0.2% per step
    (0.3, "converging"),   # lr c = 0.6: factor 0.4, no sign change
    (0.7, "overshooting"),  # lr c = 1.4: factor -0.4, sign flips but shrinks
    (0.995, "oscillating"),  # factor -0.99: flips, barely shrinks
    (1.05, "diverging"),   # factor -1.1: grows
    (2.0, "diverging"),
])
def test_regime_matches_the_closed_form_on_x_squared(lr, word):
    assert regime(descent(1, lr))[0] == word


def test_the_bowl_diverges_along_its_steep_direction_while_its_shallow_one_crawls():
    # steep curvature 2 (limit lr < 1), shallow 0.5
    run = descent(2, 0.9)
    np.testing.assert_allclose(run.points[1:, 1] / run.points[:-1, 1], 1 - 0.9 * 2.0)
    np.testing.assert_allclose(run.points[1:, 0] / run.points[:-1, 0], 1 - 0.9 * 0.5)
    assert regime(descent(2, 1.1))[0] == "diverging"
    assert regime(descent(2, 0.01))[0] == "crawling"


def test_learning_rate_scene_names_each_column_in_plain_words():
    scene = LearningRateScene(lr_left=0.002, lr_middle=0.4, lr_right=2.0)
    words = [c["word1"].get_text() for c in scene.columns]
    assert words[0].startswith("1-D: crawling")
    assert words[1].startswith("1-D: converging")
    assert words[2].startswith("1-D: diverging") and "nan" not in " ".join(words).lower()
    # a diverged run is drawn up to its last finite point, never as NaN
    x, y = scene.columns[2]["path1"].get_data()
    assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
    assert len(x) == descent(1, 2.0).diverged_at + 1


def test_learning_rate_runs_use_the_engines_sgd():
    lr = 0.3
    p = nn.Parameter(np.array(lr_scene.START_2D))
    opt = optim.SGD([p], lr=lr)
    for _ in range(lr_scene.STEPS):
        p.grad[...] = np.array(lr_scene.CURVATURES_2D) * p.data
        opt.step()
    np.testing.assert_allclose(descent(2, lr).points[-1], p.data, rtol=1e-12)


# --- the notebook quotes the engine's real code (checked line by line in test_notebook_quotes)
def test_the_chapter_quotes_every_optimizers_update():
    from pathlib import Path

    from test_notebook_quotes import quoted_blocks

    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "07_optimizers.ipynb"
    names = {name for name, _, _ in quoted_blocks(notebook)}
    assert names >= {f"course_utils/nn/optim: {cls}._update" for cls in (
        "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam")}


def test_suggested_learning_rates_sit_on_the_sliders_stops():
    """A value between two stops would be shown as its neighbour, and a student moving the
    slider back could never return to it."""
    from course_utils.chapters import scene_classes
    from course_utils.widgets import log_ladder

    for cls in scene_classes():
        for p in cls.params:
            if p.log:
                assert p.default in log_ladder(p.low, p.high), (cls.__name__, p.name)
    for s in SURFACES.values():
        for key, lr in s.learning_rates.items():
            p = OptimizerRaceScene.param(f"lr_{key}")
            assert lr in log_ladder(p.low, p.high), (s.name, key, lr)


# --- the chapter's claims, each computed ---------------------------------------------------
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "07_optimizers.ipynb"


def prose() -> str:
    """All the chapter's markdown, with line breaks as spaces (a claim may wrap)."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return " ".join(text.split())


def defaults(cls) -> dict:
    """The engine's own default hyperparameters of an optimizer class."""
    return {k: p.default for k, p in inspect.signature(cls).parameters.items()
            if p.default is not inspect.Parameter.empty}


def first_step(cls, g, **kwargs):
    """The move of the engine's optimizer on its first step, from 0 with gradient ``g``."""
    p = nn.Parameter(np.zeros_like(g))
    opt = cls([p], **kwargs)
    p.grad[...] = g
    opt.step()
    return -p.data, opt


G = np.array([3e-2, -2.0, 50.0])  # gradients of very different sizes, both signs
EPS_EFFECT = 1e-4  # eps changes a step this much (relative) for the smallest of them


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_loss_plot_has_a_grid_line_every_factor_of_100(surface):
    """The text: 'a curve that falls by one grid line means the loss shrank a hundred times'."""
    scene = OptimizerRaceScene(surface=surface)
    scene.render()
    ax = scene.ax_loss
    low, high = ax.get_ylim()
    ticks = np.array([t for t in ax.yaxis.get_majorticklocs() if low <= t <= high])
    assert len(ticks) >= 4
    np.testing.assert_allclose(ticks[1:] / ticks[:-1], 100.0, rtol=1e-9)
    lines = [line for line in ax.get_ygridlines() if line.get_visible()]
    assert len(lines) >= len(ticks)  # a visible grid line at every tick
    assert "one grid line means the loss shrank a hundred times" in prose()
    assert "shrank ten times" not in prose()


def test_adam_without_bias_correction_would_start_with_steps_of_3_16_lr():
    d = defaults(optim.Adam)
    beta1, beta2 = d["betas"]
    lr = 0.3
    step, opt = first_step(optim.Adam, G, lr=lr)
    np.testing.assert_allclose(step, lr * np.sign(G), rtol=EPS_EFFECT)  # corrected: lr in every weight
    state = opt.state[0]
    # the same step without the correction, by hand from the engine's own averages m and v
    uncorrected = lr * state["exp_avg"] / (np.sqrt(state["exp_avg_sq"]) + d["eps"])
    np.testing.assert_allclose(uncorrected / (lr * np.sign(G)), (1 - beta1) / np.sqrt(1 - beta2),
                               rtol=EPS_EFFECT)
    assert round((1 - beta1) / math.sqrt(1 - beta2), 2) == 3.16
    text = prose()
    assert "\\approx 3.16 \\, \\eta" in text and "too *large*, not too small" in text
    assert "much too small" not in text and "slow start" not in text.split("| Adam |")[1]
    assert "1 - \\beta_2^t" in text  # the correction of v, which Kingma and Ba stress
    assert 1 - beta2 ** 1000 < 0.7  # "v stays too small for thousands of steps"
    assert "Kingma and Ba, 2015, \"Adam: a method for stochastic optimization\"" in text


def test_adams_row_of_the_table_does_not_claim_to_fix_adadeltas_units():
    row = prose().split("| Adam |")[1].split("|")[0]
    assert "units" not in row and "all of the above" not in row
    assert "RMSprop's oversized first steps" in row


def test_rmsprop_starts_with_a_step_of_ten_lr_in_every_weight():
    d = defaults(optim.RMSprop)
    lr = 0.1
    step, _ = first_step(optim.RMSprop, G, lr=lr)
    np.testing.assert_allclose(step, lr / np.sqrt(1 - d["alpha"]) * np.sign(G), rtol=EPS_EFFECT)
    np.testing.assert_allclose(np.abs(step), 10 * lr, rtol=EPS_EFFECT)
    # in the race on Beale's function, at the race's own lr 0.1: a jump of 1.0 in x and in y
    s = SURFACES["beale"]
    assert s.learning_rates["rmsprop"] == lr
    scene = OptimizerRaceScene(surface="beale")
    jump = scene.trajectory("rmsprop").points[1] - scene.trajectory("rmsprop").points[0]
    np.testing.assert_allclose(np.abs(jump), 1.0, rtol=1e-6)
    # with a steady gradient the steps shrink as lr / sqrt(1 - alpha^t): 3.2 lr at 10, 1.26 lr at 100
    p = nn.Parameter(np.zeros(1))
    opt = optim.RMSprop([p], lr=lr)
    moves = []
    for _ in range(100):
        before = p.data.copy()
        p.grad[...] = 2.0
        opt.step()
        moves.append(float(before[0] - p.data[0]))
    assert round(moves[9] / lr, 1) == 3.2 and round(moves[99] / lr, 2) == 1.26
    text = prose()
    assert "the first step is $10 \\eta$ in every weight" in text
    assert "a jump of 1.0 in $x$ and in $y$" in text
    assert "still $3.2 \\eta$ at step 10 and $1.26 \\eta$ at step 100" in text
    assert "Tieleman and Hinton, 2012" in text


def test_adadelta_starts_with_steps_of_about_0_0032_and_needs_lr_5_in_the_race():
    d = defaults(optim.Adadelta)
    assert d["lr"] == 1.0  # PyTorch's default: Zeiler's method
    step, _ = first_step(optim.Adadelta, G)
    size = math.sqrt(d["eps"] / (1 - d["rho"]))
    np.testing.assert_allclose(np.abs(step), size, rtol=0.02)  # every weight, any gradient
    assert round(size, 4) == 0.0032
    # with lr 1 it hardly leaves the race's start on Beale's function; the race uses 5
    s = SURFACES["beale"]
    assert s.learning_rates["adadelta"] == 5.0
    run = descend(s.loss, s.gradient, s.start, optim.Adadelta, 200, bound=s.bound)
    assert round(float(np.linalg.norm(run.points[-1] - run.points[0])), 2) == 0.64
    assert round(run.loss[0]) == 41 and round(run.loss[-1]) == 14
    text = prose()
    assert "that is about 0.0032, whatever the gradient" in text
    assert "\\sqrt{\\epsilon / (1 - \\rho)}" in text and "about $\\sqrt{\\epsilon}$," not in text
    assert "moves only 0.64 in 200 steps" in text and "from 41 to 14" in text
    assert "the race gives it `lr=5`" in text and "no learning rate at all" not in text


def test_sgds_limit_on_a_valley_comes_from_its_curvature_not_from_the_ratio():
    """Curvature 10 across: lr < 2/10, whatever the curvature along (1, 10 or turned)."""
    for along in (1.0, 10.0):
        for lr, converges in ((0.19, True), (0.21, False)):
            run = descend(lambda p: 0.5 * (along * p[0] ** 2 + 10 * p[1] ** 2),
                          lambda p: np.array([along, 10.0]) * p, [-1.8, 1.2],
                          lambda ps: optim.SGD(ps, lr=lr), 300, bound=20)
            assert run.diverged is not converges, (along, lr)
    text = prose()
    assert "because the curvature across the valley is 10" in text
    assert "10 times steeper across than along" not in text


# --- the turned valley ---------------------------------------------------------------------
TURN = np.array([[np.cos(np.pi / 4), -np.sin(np.pi / 4)], [np.sin(np.pi / 4), np.cos(np.pi / 4)]])


def test_the_turned_valley_is_the_valley_turned_by_45_degrees():
    valley, turned = SURFACES["valley"], SURFACES["rotated_valley"]
    rng = np.random.default_rng(1)
    for p in rng.uniform(-2, 2, (20, 2)):
        assert turned.loss(TURN @ p) == pytest.approx(valley.loss(p), rel=1e-12)
        np.testing.assert_allclose(turned.gradient(TURN @ p), TURN @ valley.gradient(p), atol=1e-12)
    # its start is the valley's start turned, to within the start sliders' grid
    np.testing.assert_allclose(turned.start, TURN @ np.array(valley.start), atol=0.005)
    assert turned.learning_rates == valley.learning_rates
    assert "rotated_valley" in OptimizerRaceScene.param("surface").values()  # in the race's menu


@pytest.fixture(scope="module")
def both_valleys():
    """Each optimizer's loss after 100 steps of the race on both valleys, at the race's
    settings (each surface's own start and learning rates, the default knobs)."""
    out = {}
    for name in ("valley", "rotated_valley"):
        scene = OptimizerRaceScene(surface=name, steps=100, step=100)
        out[name] = {r.key: scene.trajectory(r.key).loss[-1] for r in RACERS}
    return out


def test_turning_the_valley_changes_nothing_for_sgd_and_momentum(both_valleys):
    for key in ("sgd", "momentum", "nesterov"):
        assert both_valleys["rotated_valley"][key] == pytest.approx(both_valleys["valley"][key], rel=0.02)


def test_turning_the_valley_slows_every_adaptive_optimizer_down(both_valleys):
    ratios = {k: both_valleys["rotated_valley"][k] / both_valleys["valley"][k]
              for k in ("adagrad", "rmsprop", "adadelta", "adam")}
    assert 150 < min(ratios.values()) < 250  # "between about 200 ..."
    assert round(max(ratios.values()) / 1e6) == 6  # "... and 6 million times higher"
    assert "between about 200 and 6 million times higher" in prose()


def test_the_notebooks_table_of_both_valleys_is_the_race(both_valleys):
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    cell = next(c for c in cells if c.get("id") == "optimizers-13b")
    printed = "".join("".join(o.get("text", [])) for o in cell["outputs"]).splitlines()[1:]
    assert len(printed) == len(RACERS)
    for r, line in zip(RACERS, printed):
        name, a, b = line.split()
        assert name == r.label
        assert a == f"{both_valleys['valley'][r.key]:.1e}" and b == f"{both_valleys['rotated_valley'][r.key]:.1e}"
    # the notebook's learning rates are the race's
    source = "".join(cell["source"])
    for r in RACERS:
        assert f"lr={SURFACES['valley'].learning_rates[r.key]}" in source.split(f'"{r.label}"')[1].split("\n")[0]


def test_pointers_follow_the_course_order():
    from course_utils.chapters import CHAPTERS

    text = prose()
    order = [c.number for c in CHAPTERS]
    assert text.rstrip().split("Next: ")[-1].startswith("[**Regularization**](08_regularization.ipynb)")
    assert "Coming next" not in text and "with backpropagation." not in text
    assert "coming soon" not in text
    assert "the next chapter, [*Regularization*](08_regularization.ipynb)" in text
    # every chapter it points to exists, in the registry's order
    for number, title in (("05", "backpropagation"), ("06", "loss_functions")):
        assert number in order and f"({number}_{title}.ipynb), chapter {number}" in text
    assert order.index("07") + 1 == order.index("08")
