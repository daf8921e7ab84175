"""The Optimizers chapter: loss surfaces, recorded runs, the optimizer race and the
learning-rate scene, each checked against closed forms or an independent loop."""

import warnings

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
    assert "diverged" in label and f"step {run.diverged_at}" in label
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
