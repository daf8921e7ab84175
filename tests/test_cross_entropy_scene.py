"""The cross-entropy scene: three logits and a true class; softmax, the loss -ln p_true and
its gradient. The reference here is written with math.exp and math.log from the
formulas; the drawn bars are also checked against the engine's own CrossEntropyLoss."""

import math
import warnings

import numpy as np
import pytest

from matplotlib.transforms import IdentityTransform

from course_utils import nn, style
from course_utils.scenes import cross_entropy as C
from course_utils.scenes.cross_entropy import CrossEntropyScene
from course_utils.stamps import StampedLine, StampedText

LOGITS = ("z0", "z1", "z2")


def reference(z, t):
    """(L, dL/dz, p) from the formulas: p_k = e^z_k / sum e^z_j, L = -ln p_t, dL/dz = p - onehot."""
    top = max(z)
    e = [math.exp(v - top) for v in z]
    p = [v / sum(e) for v in e]
    loss = -math.log(p[t])
    grad = [pk - (1.0 if k == t else 0.0) for k, pk in enumerate(p)]
    return loss, np.array(grad), np.array(p)


def heights(scene, key):
    """The signed heights of one panel's bars (a bar below 0 starts at its value)."""
    return np.array([b.get_y() if b.get_y() < 0 else b.get_height() for b in scene.bars[key]])


def scene_at(z, t):
    return CrossEntropyScene(**dict(zip(LOGITS, z)), target=t)


CASES = [((1.0, 0.0, -1.0), 1), ((4.0, -4.0, 4.0), 1), ((-4.0, 4.0, -4.0), 1), ((0.3, -2.2, 2.9), 2),
         ((0.0, 0.0, 0.0), 0), ((-4.0, -4.0, -4.0), 2), ((2.5, 2.5, -0.5), 0)]


@pytest.mark.parametrize("z, t", CASES)
def test_the_bars_are_softmax_the_loss_and_p_minus_onehot(z, t):
    scene = scene_at(z, t)
    loss, grad, p = reference(z, t)
    np.testing.assert_allclose(heights(scene, "z"), z, atol=1e-12)
    np.testing.assert_allclose(heights(scene, "p"), p, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(heights(scene, "g"), grad, rtol=1e-9, atol=1e-15)
    assert scene.loss_bar.get_height() == pytest.approx(loss, rel=1e-12)
    # and the engine gives the same, forward and backward
    criterion = nn.CrossEntropyLoss()
    assert criterion(np.array([z]), np.array([t])) == pytest.approx(scene.loss_bar.get_height(), rel=1e-12)
    np.testing.assert_allclose(criterion.backward()[0], heights(scene, "g"), rtol=1e-9, atol=1e-15)
    assert heights(scene, "g").sum() == pytest.approx(0.0, abs=1e-12)  # the gradient adds up to 0
    assert heights(scene, "g")[t] <= 0 and all(heights(scene, "g")[k] >= 0 for k in range(3) if k != t)
    assert scene.loss_label.get_text() == f"{loss:.2f}"
    # the true class is outlined in every panel
    for key in "zpg":
        assert [b.get_linewidth() > 0 for b in scene.bars[key]] == [k == t for k in range(3)]


def test_the_formula_line_says_the_numbers():
    scene = CrossEntropyScene()  # (1, 0, -1), dog
    loss, grad, p = reference((1.0, 0.0, -1.0), 1)
    assert (round(p[1], 2), round(loss, 2), round(grad[1], 2)) == (0.24, 1.41, -0.76)
    assert scene.formula.get_text().startswith("L = \u2212ln p_dog = \u2212ln 0.24 = 1.41")
    assert "\u22120.76 for dog" in scene.formula.get_text()
    assert [t.get_text() for t in scene.labels["p"]] == ["67%", "24%", "9.0%"]
    assert [t.get_text() for t in scene.labels["g"]] == ["+0.67", "\u22120.76", "+0.09"]
    sure = scene_at((-4.0, 4.0, -4.0), 1)  # p_dog = 1 - 2e^-8 / (1 + 2e^-8)
    assert f"{reference((-4.0, 4.0, -4.0), 1)[0]:.1e}" == "6.7e-04"
    assert "= \u2212ln 0.9993 = 6.7e\u221204" in sure.formula.get_text()


def test_a_line_puts_words_and_numbers_end_to_end_and_draws_each_character_once():
    fig = style.new_figure((4.0, 1.0))
    renderer = fig.canvas.get_renderer()
    line = StampedLine(fig, 0.1, 0.5, pieces=2, fontsize=10, va="center")
    line.set("L = {} and more", "1.25")
    assert line.get_text() == "L = 1.25 and more"
    offsets = [offset for offset, _ in line._chars]
    pitch = line._width("0", line.glyph)
    assert pitch == round(pitch) and np.all(np.diff(offsets) == pitch)  # whole pixels, monospaced
    assert offsets[0] == line._width("L = ", line.words[0])  # the number follows its words
    after = line.words[1].get_transform().transform(line.words[1].get_position())[0]
    start = line.get_transform().transform(line.position)[0]
    assert after - start == offsets[-1] + pitch  # and the words follow the number
    line.draw(renderer)
    stamps = len(StampedText._stamps)
    line.set("L = {} and more", "5.21")  # the same characters, elsewhere
    line.draw(renderer)
    assert len(StampedText._stamps) == stamps and line.get_text() == "L = 5.21 and more"
    with pytest.raises(ValueError, match="room for 1 numbers"):
        line.set("L = {}", "1", "2")
    with pytest.raises(ValueError, match="more pieces"):
        line.set("{} and {} and {}", "1", "2", "3")


def test_a_pasted_character_is_the_character_drawn_there():
    """Each character is drawn once at one place and pasted on whole pixels elsewhere: the
    same pixels as Agg drawing it there."""
    drawn = style.new_figure((2.0, 1.0))
    drawn.text(40, 30, "7", family=StampedLine.MONO, fontsize=10, transform=IdentityTransform())
    drawn.canvas.draw()
    pasted = style.new_figure((2.0, 1.0))
    line = StampedLine(pasted, 40, 30, pieces=0, fontsize=10, transform=IdentityTransform())
    line.set("{}", "7")
    pasted.canvas.draw()  # the line is one of the figure's artists
    a, b = (np.asarray(f.canvas.buffer_rgba()).astype(int) for f in (drawn, pasted))
    assert (a < 200).any() and np.abs(a - b).max() <= 1


def test_a_centred_number_is_centred():
    scene = CrossEntropyScene()
    for labels in scene.labels.values():
        for label in labels:
            widths = len(label.get_text()) * label._width("0", label.glyph)
            first = label._chars[0][0]
            assert abs(first + widths / 2) <= 0.5  # from -width/2 to +width/2 around the bar's middle


@pytest.mark.parametrize("level", [-4.0, -1.3, 0.0, 2.0, 4.0])
@pytest.mark.parametrize("t", [0, 1, 2])
def test_equal_logits_give_ln_3_whatever_their_value_and_the_true_class(level, t):
    scene = scene_at((level,) * 3, t)
    assert scene.loss_bar.get_height() == pytest.approx(math.log(3), rel=1e-12)
    assert f"{math.log(3):.2f}" == "1.10" and C.LN_C == pytest.approx(math.log(3))
    np.testing.assert_allclose(heights(scene, "p"), 1 / 3, rtol=1e-12)
    assert heights(scene, "g")[t] == pytest.approx(-2 / 3)
    assert "L = ln 3 \u2248 1.10" in scene.caption.get_text()


def test_a_confident_right_answer_has_a_loss_and_a_gradient_near_zero():
    """The true class's logit rising, as in the GIF: the loss and every gradient entry shrink."""
    losses, sizes = [], []
    for z1 in np.arange(0.0, 4.01, 0.5):
        loss, grad, _ = reference((1.0, z1, -1.0), 1)
        scene = scene_at((1.0, float(z1), -1.0), 1)
        assert scene.loss_bar.get_height() == pytest.approx(loss, rel=1e-12)
        losses.append(loss)
        sizes.append(np.abs(heights(scene, "g")).max())
    assert np.all(np.diff(losses) < 0) and np.all(np.diff(sizes) < 0)
    assert losses[-1] == pytest.approx(math.log(1 + math.exp(-3) + math.exp(-5)))
    assert round(losses[0], 2) == 1.41 and round(losses[-1], 3) == 0.055  # at z_dog = 0 and 4
    assert "right: dog leads by 3.0" in scene.caption.get_text()


@pytest.mark.parametrize("gap", [2.0, 3.0, 5.0, 8.0])
def test_confidently_wrong_costs_about_the_gap(gap):
    """L = ln(1 + sum_j e^(z_j - z_t)) lies between the gap and the gap + ln 3."""
    z = (4.0, 4.0 - gap, -4.0)  # cat leads dog (true) by the gap
    loss = reference(z, 1)[0]
    assert gap <= loss <= gap + math.log(3)
    # here L = ln(1 + e^gap + e^(gap - 8)), so L - gap = ln(1 + e^-gap + e^-8): it shrinks as the gap grows
    assert loss - gap == pytest.approx(math.log(1 + math.exp(-gap) + math.exp(-8)), rel=1e-9)
    scene = scene_at(z, 1)
    assert scene.loss_bar.get_height() == pytest.approx(loss, rel=1e-12)
    assert heights(scene, "g")[1] < -0.5  # the true class still gets a big push
    assert f"cat leads dog by {gap:.1f}" in scene.caption.get_text()
    assert "confidently wrong" in scene.caption.get_text()


def test_the_loss_grows_linearly_with_the_gap_slope_one():
    """dL/d(gap) -> 1: one more unit of lead for the wrong class costs about one more unit of loss."""
    def loss(gap):
        return reference((gap / 2, -gap / 2, -4.0), 1)[0]
    slopes = [loss(g + 1) - loss(g) for g in (2.0, 4.0, 6.0)]
    assert slopes[0] < slopes[1] < slopes[2] < 1
    assert slopes[-1] == pytest.approx(1.0, abs=0.01)
    assert [round(loss(g), 2) for g in (2.0, 4.0, 8.0)] == [2.13, 4.02, 8.00]
    # the sliders' worst case: true at -4, both others at +4
    assert reference((4.0, -4.0, 4.0), 1)[0] == pytest.approx(C.LOSS_MAX, rel=1e-12)
    assert round(C.LOSS_MAX, 2) == 8.69


def test_captions():
    assert scene_at((1.0, 1.0, -1.0), 1).caption.get_text() == "a tie: dog and cat share the largest logit"
    assert scene_at((1.0, 0.0, -1.0), 1).caption.get_text() == "wrong: cat leads dog by 1.0"
    assert scene_at((1.0, 0.0, 2.5), 0).caption.get_text().startswith("wrong: bird leads cat by 1.5")


def test_the_true_class_is_named_on_the_axis():
    scene = CrossEntropyScene(target=2)
    labels = [t.get_text() for t in scene.axes["p"].get_xticklabels()]
    assert labels == ["cat", "dog", "bird\n(true)"]
    scene.set(target=0)
    assert [t.get_text() for t in scene.axes["g"].get_xticklabels()] == ["cat\n(true)", "dog", "bird"]
    assert np.array_equal(scene.render(), CrossEntropyScene(target=0).render())


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = CrossEntropyScene()
        for corner in CrossEntropyScene.corner_values():
            scene.set(**corner)
            scene.render()
            assert np.array_equal(scene.render(), CrossEntropyScene(**corner).render())


@pytest.mark.parametrize("bad", [dict(z0=4.5), dict(z1=-5.0), dict(z2=float("nan")), dict(target=3),
                                 dict(target="dog"), dict(target=1.0), dict(z0="1")])
def test_bad_input_is_refused_and_the_picture_stays(bad):
    scene = CrossEntropyScene(z0=2.0, target=2)
    before, values = scene.render(), dict(scene.values)
    with pytest.raises((ValueError, TypeError)):
        scene.set(**bad)
    assert scene.values == values
    assert np.array_equal(scene.render(), before)


def test_loss_and_gradient_refuses_nonsense():
    for logits, target in (([1.0], 0), ([[1.0, 2.0]], 0), ([1.0, float("inf")], 0), ([1.0, 2.0], 2),
                           ([1.0, 2.0], True), ([1.0, 2.0], 0.5)):
        with pytest.raises(ValueError, match="logits|true class"):
            C.loss_and_gradient(logits, target)


def test_storyboard_goes_right_then_wrong_then_equal():
    frames = [changes for changes, _ in CrossEntropyScene().storyboard()]
    losses = [reference([f[k] for k in LOGITS], f["target"])[0] for f in frames]
    first_low = int(np.argmin(losses[:12]))
    assert frames[first_low]["z1"] == C.LOGIT_MAX and losses[first_low] < 0.06  # the true class at its top
    assert np.all(np.diff(losses[:first_low + 1]) < 0)
    peak = int(np.argmax(losses))
    assert losses[peak] > 7.9  # confidently wrong by 8
    assert frames[-1] == dict(z0=0.0, z1=0.0, z2=0.0, target=1)
    assert losses[-1] == pytest.approx(math.log(3))
    for f in frames:
        for name in LOGITS:
            assert abs(f[name] * 10 - round(f[name] * 10)) < 1e-9  # on the sliders' 0.1 grid
