"""The softmax scene: logits, a shift added to all of them and a temperature, turned into
weights and probabilities. The reference softmax is written here with math.exp; the
notebook's claims about the picture are checked against it."""

import itertools
import json
import math
from pathlib import Path

import ipywidgets
import numpy as np
import pytest

from course_utils import chapters, gif, style
from course_utils.scenes import softmax as S
from course_utils.scenes.softmax import SoftmaxScene
from course_utils.widgets import interactive

ROOT = Path(__file__).resolve().parent.parent
LOGITS = ("z0", "z1", "z2", "z3")


def reference(z, t=1.0):
    """exp(z_k / T) / sum_j exp(z_j / T), with the largest logit subtracted first."""
    top = max(z)
    e = [math.exp((v - top) / t) for v in z]
    return np.array([v / sum(e) for v in e])


def shown(scene, key):
    """The heights of one panel's bars."""
    return np.array([bar.get_height() for bar in scene.bars[key]])


def notebook_markdown() -> str:
    cells = json.loads((ROOT / "notebooks" / "02_activation_functions.ipynb").read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown").split())


@pytest.mark.parametrize("z, t", [((2.0, 1.0, 0.5, -1.0), 1.0), ((0.3, -2.2, 2.9, 2.9), 0.35),
                                  ((-3.0, 3.0, 0.0, 1.0), 50.0), ((1.0, 1.0, 1.0, 1.0), 0.05)])
def test_the_bars_are_softmax_of_the_logits_over_t(z, t):
    scene = SoftmaxScene(**dict(zip(LOGITS, z)), temperature=t)
    p = reference(z, t)
    np.testing.assert_allclose(S.probabilities(z, t), p, rtol=1e-12)
    np.testing.assert_allclose(shown(scene, "p"), p, rtol=1e-12)
    np.testing.assert_allclose(shown(scene, "w"), p / p.max(), rtol=1e-12)  # e^((z - max z) / T)
    np.testing.assert_allclose(shown(scene, "w"), [math.exp((v - max(z)) / t) for v in z], rtol=1e-9)
    assert shown(scene, "p").sum() == pytest.approx(1.0, abs=1e-12)
    assert scene.sum_text.get_text() == "sum = 1.000"
    np.testing.assert_allclose([b.get_y() + b.get_height() if v > 0 else b.get_y() for b, v in
                                zip(scene.bars["z"], z)], z, atol=1e-12)  # each logit bar ends at its logit


def test_adding_the_same_number_to_every_logit_changes_no_probability():
    scene = SoftmaxScene()
    before_p, before_z = shown(scene, "p"), [b.get_y() for b in scene.bars["z"]]
    for shift in (-S.SHIFT_MAX, -1.3, 0.7, S.SHIFT_MAX):
        scene.set(shift=shift)
        np.testing.assert_allclose(shown(scene, "p"), before_p, rtol=1e-12)
        assert [b.get_y() for b in scene.bars["z"]] != before_z  # the logits did move
        np.testing.assert_allclose(scene.logits(), np.array(S.DEFAULT_LOGITS) + shift)
        assert "changes no probability" in scene.caption.get_text()
        assert [t.get_text() for t in scene.labels["p"]] == ["61%", "22%", "14%", "3.0%"]


def test_one_below_the_largest_keeps_e_to_the_minus_one_of_its_weight():
    scene = SoftmaxScene()  # cat 2, dog 1: a gap of 1 at T = 1
    assert shown(scene, "w")[1] == pytest.approx(math.exp(-1), rel=1e-12)
    assert scene.labels["w"][1].get_text() == f"{math.exp(-1):.2f}" == "0.37"
    assert "$e^{-1} \\approx 0.37$" in notebook_markdown()


def test_cold_is_the_argmax_and_hot_is_uniform_over_the_whole_slider_range():
    corners = list(itertools.product((-S.LOGIT_MAX, S.LOGIT_MAX), repeat=4))
    gap = SoftmaxScene.param("z0").step  # the smallest gap the sliders make between two logits
    for z in corners + [S.DEFAULT_LOGITS]:
        hot = reference(z, S.T_MAX)
        assert np.all(np.abs(hot - 0.25) < 0.03), z  # "close to 1/4" even for the widest gaps
    # at the lowest temperature a gap of one slider step keeps e^(-0.1 / 0.05) = 13.5 %
    # of the weight; the default logits (gaps of 1 and more) give the argmax
    close = reference((1.0, 1.0 - gap, -3.0, -3.0), S.T_MIN)
    assert close[1] / close[0] == pytest.approx(math.exp(-2), rel=1e-9)
    cold = SoftmaxScene(temperature=S.T_MIN)
    assert shown(cold, "p")[0] > 1 - 1e-8 and np.argmax(shown(cold, "p")) == 0
    assert [t.get_text() for t in cold.labels["p"]] == ["100%", "<0.1%", "<0.1%", "<0.1%"]
    assert "argmax" in cold.caption.get_text()
    hot = SoftmaxScene(temperature=S.T_MAX)
    assert np.all(np.abs(shown(hot, "p") - 0.25) < 0.01)
    assert "close to 1/4" in hot.caption.get_text()


def test_the_caption_follows_the_state():
    assert SoftmaxScene().caption.get_text() == "T = 1: cat, the largest logit, gets the most, but not all"
    tie = SoftmaxScene(z2=2.0)
    assert tie.caption.get_text().startswith("T = 1: cat and bird tie for the largest logit")
    assert [b.get_linewidth() > 0 for b in tie.bars["p"]] == [True, False, True, False]  # both outlined
    equal = SoftmaxScene(z0=-3.0, z1=-3.0, z2=-3.0, z3=-3.0, temperature=0.05)
    assert "every class gets 1/4, whatever T is" in equal.caption.get_text()
    np.testing.assert_allclose(shown(equal, "p"), 0.25)


def test_labels():
    assert [style.percent(p) for p in (0.6112, 0.0952, 0.0304, 0.0009)] == ["61%", "10%", "3.0%", "<0.1%"]
    assert [style.signed(v) for v in (2.0, -1.5, -0.04, -0.0, 0.0)] == ["+2.0", "\u22121.5", "+0.0", "+0.0", "+0.0"]
    assert list(S.largest([1.0, 3.0, 3.0, -1.0])) == [1, 2]


def test_every_control_changes_the_picture_over_its_whole_range():
    for p in SoftmaxScene.params:
        scene = SoftmaxScene()
        scene.set(**{p.name: p.low})
        low = scene.render()
        scene.set(**{p.name: p.high})
        assert not np.array_equal(low, scene.render()), p.name


def test_bad_values_leave_the_picture_as_it_was():
    scene = SoftmaxScene()
    before = scene.render()
    for bad in (dict(temperature=0.0), dict(temperature=-1.0), dict(z0=7.0), dict(shift="one")):
        with pytest.raises((ValueError, TypeError)):
            scene.set(**bad)
        assert np.array_equal(scene.render(), before)


def test_widget_has_a_slider_per_logit_and_a_temperature_over_round_numbers():
    ui = interactive(SoftmaxScene())
    assert [ui.controls[name].description for name in LOGITS] == ["logit cat", "logit dog", "logit bird",
                                                                  "logit fish"]
    temperature = ui.controls["temperature"]
    assert isinstance(temperature, ipywidgets.SelectionSlider)
    stops = [v for _, v in temperature.options]
    assert stops[0] == S.T_MIN and stops[-1] == S.T_MAX and 1.0 in stops
    before = ui.image.value
    temperature.value = S.T_MIN
    assert ui.image.value != before


def test_registered_in_chapter_two_and_its_gif_is_small_and_loops():
    assert SoftmaxScene in chapters.scene_classes([chapters.chapter("02_activation_functions")])
    assert chapters.load_gif_scene("softmax") is SoftmaxScene
    data = (gif.IMGS / "softmax.gif").read_bytes()
    assert len(data) < 300_000
    frames = [changes for changes, _ in SoftmaxScene().storyboard()]
    temperatures = {f["temperature"] for f in frames}
    assert min(temperatures) == S.T_MIN and max(temperatures) == S.T_MAX
    assert {f["shift"] for f in frames} >= {-S.SHIFT_MAX, 0.0, S.SHIFT_MAX}
    assert frames[0] == dict(zip(LOGITS, S.DEFAULT_LOGITS), shift=0.0, temperature=1.0)
