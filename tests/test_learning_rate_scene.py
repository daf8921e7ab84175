"""The learning-rate scene speaks of updates: its slider is labelled "update", its header
says "update k of 25", a path drawn up to update k has k + 1 points, and a diverged run
says at which update it flew off. Its words are legible on white (WCAG AA, 4.5:1)."""

import numpy as np
import pytest

from course_utils import style
from course_utils.scenes import learning_rate as L
from course_utils.scenes.learning_rate import LearningRateScene, descent, regime
from course_utils.widgets import interactive
from test_widgets import contrast_with_white


@pytest.mark.parametrize("k", [0, 1, 7, L.STEPS])
def test_the_update_slider_and_the_picture_agree(k):
    ui = interactive(LearningRateScene(lr_left=0.02, lr_middle=0.4, lr_right=0.9, step=3))
    slider = ui.controls["step"]
    assert slider.description == "update" and (slider.min, slider.max) == (0, L.STEPS)
    slider.value = k
    assert ui.scene.header.get_text().startswith(f"update {slider.value} of {L.STEPS}")
    # none of these runs diverges: each path shows the start and one point per update
    for col in ui.scene.columns:
        for path in (col["path1"], col["path2"]):
            assert len(path.get_xdata()) == slider.value + 1


def test_a_diverged_run_says_at_which_update():
    run = descent(1, 2.0)
    # by hand: x <- (1 - 2 lr) x = -3 x from -2.5 leaves the bound 1e4 at update 8 (|x| = 16402)
    assert abs(L.START_1D * 3 ** 7) < L.BOUND < abs(L.START_1D * 3 ** 8)
    assert run.diverged_at == 8
    assert regime(run) == ("diverging", "flew off at update 8")
    scene = LearningRateScene(lr_right=2.0)
    assert scene.columns[2]["word1"].get_text() == "1-D: diverging\nflew off at update 8"
    assert not any("step" in c[k].get_text() for c in scene.columns for k in ("word1", "word2"))


@pytest.mark.parametrize("lr", [0.002, 0.3, 0.7, 0.995, 2.0])  # crawling ... diverging
def test_the_words_are_legible_on_white(lr):
    scene = LearningRateScene(lr_left=lr, lr_middle=lr, lr_right=lr)
    for col in scene.columns:
        for key in ("title", "word1", "word2"):
            assert contrast_with_white(col[key].get_color()) >= 4.5, (lr, col[key].get_text())
    assert contrast_with_white(scene.header.get_color()) >= 4.5


def test_crawling_is_no_longer_the_palettes_orange():
    scene = LearningRateScene(lr_left=0.002)
    word = scene.columns[0]["word1"]
    assert word.get_text().startswith("1-D: crawling")
    assert contrast_with_white(word.get_color()) >= 4.5
    assert contrast_with_white("#E69F00") < 2.5  # the orange it was drawn in: 2.2:1
    # every word keeps a colour of its own kind: warn, good, bad
    text_colours = (style.TEXT_ORANGE, style.TEXT_GREEN, style.TEXT_VERMILLION)
    assert len(set(text_colours)) == 3
    for colour in text_colours:
        assert contrast_with_white(colour) >= 4.5
    assert np.allclose(contrast_with_white("#000000"), 21) and np.allclose(contrast_with_white("#FFFFFF"), 1)
