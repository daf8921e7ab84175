"""The convergence scene: the rate of momentum descent on a valley of condition number κ.

The rate map is checked against real runs of the engine's SGD, the best settings
against a brute-force search of the map, and the numbers the notebook quotes against
both."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from course_utils.scenes import convergence as C
from course_utils.scenes.convergence import ConvergenceScene

ROOT = Path(__file__).resolve().parent.parent


def measured_rate(kappa, lr, momentum, start=300, stop=500):
    """ρ from a real run: how much the distance to the minimum shrinks per update, on
    average from update ``start`` to ``stop`` (both brought forward so that the loss
    stays far above the smallest float)."""
    predicted = float(C.rate(lr, momentum, kappa))
    last = int(250 * math.log(10) / (-2 * math.log(predicted)))
    if stop > last:
        start, stop = start * last // stop, last
    run = C.run(kappa, lr, momentum, steps=stop)
    assert not run.diverged
    # sqrt of the loss in each direction's own units: the distance, weighted by curvature
    return (run.loss[stop] / run.loss[start]) ** (1 / (2 * (stop - start)))


@pytest.mark.parametrize("kappa, lr, momentum", [
    (100.0, 1.0, 0.0), (100.0, 0.3, 0.0), (100.0, 1.5, 0.5), (100.0, 2.6, 0.8), (10.0, 0.7, 0.3),
    (1000.0, 3.0, 0.9), (30.0, 1.2, 0.95), (3.0, 1.1, 0.1)])
def test_the_rate_is_what_real_runs_of_sgd_with_momentum_do(kappa, lr, momentum):
    predicted = float(C.rate(lr, momentum, kappa))
    assert predicted < 1
    # complex roots make the loss ring: average over many periods
    assert measured_rate(kappa, lr, momentum, 300, 700) == pytest.approx(predicted, rel=0.01)


@pytest.mark.parametrize("kappa, lr, momentum", [(100.0, 2.05, 0.0), (100.0, 3.5, 0.6), (10.0, 4.0, 0.9)])
def test_a_rate_above_one_is_a_run_that_diverges(kappa, lr, momentum):
    assert float(C.rate(lr, momentum, kappa)) > 1
    run = C.run(kappa, lr, momentum, steps=2000)
    assert run.diverged or run.loss[-1] > 1e3 * run.loss[0]


@pytest.mark.parametrize("kappa", [1.0, 2.0, 10.0, 100.0, 1000.0])
def test_the_closed_form_optima_are_the_minima_of_the_map(kappa):
    lrs, momenta = np.linspace(0.001, 4.0, 1200), np.linspace(0, 0.99, 700)
    rho = C.rate(lrs[None, :], momenta[:, None], kappa)
    lr_best, beta_best, rho_best = C.best_with_momentum(kappa)
    root = math.sqrt(kappa)
    assert rho_best == pytest.approx((root - 1) / (root + 1), abs=1e-15)
    assert rho.min() >= rho_best - 1e-9                       # nothing on the grid beats it
    assert rho.min() == pytest.approx(rho_best, abs=0.02)      # and the grid comes close
    assert float(C.rate(lr_best, beta_best, kappa)) == pytest.approx(rho_best, abs=1e-6)
    # without momentum: the best of the bottom row
    lr_gd, rho_gd = C.best_without_momentum(kappa)
    row = C.rate(lrs, 0.0, kappa)
    assert row.min() >= rho_gd - 1e-12
    assert lrs[row.argmin()] == pytest.approx(lr_gd, abs=0.01)
    assert rho_gd == pytest.approx((kappa - 1) / (kappa + 1), abs=1e-15)
    assert float(C.rate(lr_gd, 0.0, kappa)) == pytest.approx(rho_gd, abs=1e-12)


def test_without_momentum_the_best_learning_rate_shrinks_the_loss_by_exactly_rho_squared():
    kappa = 100.0
    lr, rho = C.best_without_momentum(kappa)
    run = C.run(kappa, lr, 0.0, steps=400)
    k = np.arange(401)
    np.testing.assert_allclose(run.loss / run.loss[0], rho ** (2 * k), rtol=1e-9)
    # so the first update below a millionth of the start is the count the scene says
    assert np.argmax(run.loss / run.loss[0] <= 1e-6) == math.ceil(C.updates_to_shrink(rho)) == 346


def test_the_best_point_sits_on_a_sharp_corner():
    """0.01 too far in learning rate and the rate jumps from 0.818 to 0.869; just below is fine."""
    lr, beta, rho = C.best_with_momentum(100.0)
    assert (round(lr, 2), round(beta, 2)) == (3.31, 0.67)
    assert float(C.rate(3.31, 0.67, 100.0)) == pytest.approx(0.869, abs=5e-4)
    assert float(C.rate(3.30, 0.67, 100.0)) == pytest.approx(rho, abs=1e-3)


def notebook_text() -> str:
    cells = json.loads((ROOT / "notebooks" / "07_optimizers.ipynb").read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown").split())


def first_below(kappa, lr, momentum, factor=1e-6, steps=4000):
    run = C.run(kappa, lr, momentum, steps=steps)
    return int(np.argmax(run.loss / run.loss[0] <= factor)), float(np.max(run.loss / run.loss[0]))


def test_the_numbers_the_notebook_quotes():
    text = notebook_text()
    # κ = 100: the rates, and the updates they promise
    lr_gd, rho_gd = C.best_without_momentum(100.0)
    lr_best, beta_best, rho_best = C.best_with_momentum(100.0)
    assert f"{lr_gd:.2f}" == "1.98" and f"{rho_gd:.3f}" == "0.980" and "1.98" in text and "0.980" in text
    assert (f"{lr_best:.2f}", f"{beta_best:.2f}", f"{rho_best:.3f}") == ("3.31", "0.67", "0.818")
    assert "3.31" in text and "0.818" in text
    assert math.ceil(C.updates_to_shrink(rho_gd)) == 346 and "346" in text
    assert math.ceil(C.updates_to_shrink(rho_best)) == 35 and "35 updates" in text
    # the real run with the best momentum: later than the rate says, after a jump up
    updates, peak = first_below(100.0, lr_best, beta_best)
    assert updates == 58 and "58" in text
    assert round(peak) == 14 and "14 times" in text
    # κ = 1000
    assert first_below(1000.0, *C.best_without_momentum(1000.0)[:1], 0.0)[0] == 3454 and "3,454" in text
    assert first_below(1000.0, *C.best_with_momentum(1000.0)[:2])[0] == 204 and "204" in text
    assert "0.869" in text
    assert f"{float(C.rate(3.30, 0.67, 100.0)):.3f}" == "0.819" and "0.819, almost the best" in text
    # just off the star is faster over the first updates (the double root's k r^k)
    off, _ = first_below(100.0, 3.00, 0.67)
    assert off < 45 < updates and float(C.rate(3.00, 0.67, 100.0)) > rho_best + 0.04
    assert "(try 3.00 and 0.67)" in text
    # momentum 0.9 is the best one for κ of about 1,440
    kappa = ((1 + math.sqrt(0.9)) / (1 - math.sqrt(0.9))) ** 2
    assert round(kappa, -1) == 1440 and "about 1,440" in text
    assert C.best_with_momentum(kappa)[1] == pytest.approx(0.9, abs=1e-12)


def test_the_picture_marks_the_setting_and_both_optima():
    scene = ConvergenceScene(kappa=30.0, lr=1.2, momentum=0.4)
    lr_best, beta_best, rho_best = C.best_with_momentum(30.0)
    lr_gd, _ = C.best_without_momentum(30.0)
    np.testing.assert_allclose(np.ravel(scene.best_mark.get_data()), [lr_best, beta_best])
    np.testing.assert_allclose(np.ravel(scene.gd_mark.get_data()), [lr_gd, 0.0])
    np.testing.assert_allclose(np.ravel(scene.you_mark.get_data()), [1.2, 0.4])
    rho = float(C.rate(1.2, 0.4, 30.0))
    assert f"r = {rho:.3f}" in scene.you_text.get_text()
    assert f"r = {rho_best:.3f}" in scene.best_text.get_text()
    _, loss = scene.you_line.get_data()
    run = C.run(30.0, 1.2, 0.4)
    np.testing.assert_allclose(loss, run.loss / run.loss[0])
    # at κ = 1 the best runs hit exactly 0 and are drawn at the bottom of the log scale
    scene.set(kappa=1.0)
    _, loss = scene.best_line.get_data()
    assert loss[0] == 1 and np.all(loss[1:] == 1e-20)


def test_the_map_colours_the_diverging_settings_apart():
    scene = ConvergenceScene(kappa=100.0)
    shown = np.asarray(scene.image.get_array())
    rho = C.rate(scene.lrs[None, :], scene.momenta[:, None], 100.0)
    top = math.log10(C._COUNT_RANGE[1])
    assert np.all((shown > top) == (rho >= 1))
    assert (rho >= 1).mean() > 0.2                     # a good part of the map diverges
    assert scene.diverges_label.get_visible()
    x, y = scene.diverges_label.get_position()
    assert float(C.rate(x, y, 100.0)) > 1              # and the word sits in it
    # κ = 1: every learning rate below 2(1 + β) converges, and one does it in one update
    scene.set(kappa=1.0, lr=1.0, momentum=0.0)
    assert "loss ÷ 10⁶ in 1 update;" in scene.you_text.get_text() or \
        scene.you_text.get_text().endswith("loss ÷ 10⁶ in 1 update")


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
def test_the_gif_reaches_the_best_setting_the_sliders_have(kappa):
    """The storyboard's last frame at each κ is the fastest point of the sliders' 0.01 grid
    (searched here over the whole grid), a few per cent from the exact optimum."""
    frames = [changes for changes, _ in ConvergenceScene().storyboard()]
    end = [f for f in frames if f["kappa"] == kappa][-1]
    lrs, betas = np.arange(1, 401) / 100, np.arange(0, 100) / 100
    grid_best = C.rate(lrs[None, :], betas[:, None], kappa).min()
    assert float(C.rate(end["lr"], end["momentum"], kappa)) == pytest.approx(grid_best, abs=1e-9)
    assert grid_best == pytest.approx(C.best_with_momentum(kappa)[2], rel=0.03)


def test_bad_condition_numbers_are_refused():
    for bad in (0.5, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="condition number"):
            C.curvatures(bad)
    with pytest.raises(ValueError, match="kappa"):
        ConvergenceScene(kappa=0.5)
