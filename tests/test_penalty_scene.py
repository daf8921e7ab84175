"""The L1/L2 scene: the penalised network's numbers, and the two-weight geometry.

The geometry's optima are checked against a brute-force search of the penalised loss on
a fine grid (and against its gradient for L2); the network's histogram and counts
against the recorded weights, counted here.
"""

import numpy as np
import pytest

from course_utils import overfitting as O
from course_utils.scenes import penalties as P
from course_utils.scenes.penalties import PenaltyScene


def brute_force(penalty, strength, half=1.6, n=1601):
    """The lowest point of the penalised two-weight loss on a grid of spacing 0.002."""
    g = np.linspace(-half, half, n)
    w1, w2 = np.meshgrid(g, g)
    d1, d2 = w1 - P.A[0], w2 - P.A[1]
    loss = 0.5 * (P.H[0, 0] * d1 ** 2 + 2 * P.H[0, 1] * d1 * d2 + P.H[1, 1] * d2 ** 2)
    if penalty == "l1":
        loss += strength * (np.abs(w1) + np.abs(w2))
    else:
        loss += strength / 2 * (w1 ** 2 + w2 ** 2)
    i = np.unravel_index(np.argmin(loss), loss.shape)
    return np.array([w1[i], w2[i]])


@pytest.mark.parametrize("penalty", ["l1", "l2"])
@pytest.mark.parametrize("strength", P.STRENGTHS + (0.05, 0.2))
def test_the_geometrys_optimum_is_the_lowest_point_of_the_penalised_loss(penalty, strength):
    assert np.allclose(P.OPTIMA[penalty](strength), brute_force(penalty, strength), atol=0.003)


def test_l2s_optimum_zeroes_the_penalised_gradient():
    for strength in (0.001, 0.03, 0.1):
        w = P.l2_optimum(strength)
        assert np.allclose(P.H @ (w - P.A) + strength * w, 0.0, atol=1e-12)


def test_l1_lands_on_an_axis_and_l2_never_does():
    assert P.l1_optimum(0.03)[1] == 0.0 and P.l1_optimum(0.03)[0] > 0.5  # on the w1 axis
    assert np.all(P.l1_optimum(0.1) == 0.0)  # strong enough: both weights 0
    assert np.all(P.l1_optimum(0.01) != 0.0)  # weak: inside the quadrant
    assert np.all(P.path("l2")[:, 1] > 0.1) and np.all(P.path("l2")[:, 0] > 0.1)


def test_the_touching_contour_is_a_level_set_of_the_loss():
    for level in (0.001, 0.02, 0.1):
        assert np.allclose(P.quadratic(P.level_curve(level)), level, rtol=1e-12)


def test_l1_gives_more_zero_weights_than_l2_at_every_strength():
    for strength in P.STRENGTHS[1:]:
        near = {k: np.sum(np.abs(P.final_weights(k, strength)) < P.NEAR_ZERO) for k in ("l1", "l2")}
        assert near["l1"] > near["l2"], strength


def test_the_histogram_and_counts_are_the_networks_weights():
    scene = PenaltyScene(penalty="l1", strength=0.003)
    model = O.train("l1", 0.003).at(-1)
    w = np.concatenate([m.weight.data.ravel() for m in model if hasattr(m, "weight")])
    heights = np.array([bar.get_height() for bar in scene.bars.patches])
    heights[heights < 1] = 0  # an empty bar is drawn 0.001 high on the log axis
    clipped = np.clip(w, -1.5, 1.5)
    middle = len(heights) // 2
    assert heights[middle] == np.sum(np.abs(w) < 0.01)
    assert heights.sum() == w.size
    assert heights[:middle].sum() == np.sum(clipped <= -0.01)
    near = int(np.sum(np.abs(w) < 0.01))
    assert f"{near:,} of 1,120" in scene.zero_text.get_text()
    val = O.train("l1", 0.003).curves["val_loss"][-1]
    assert f"validation loss {val:.2f}" in scene.loss_text.get_text()


def test_no_penalty_is_the_plain_run_and_says_so():
    scene = PenaltyScene(penalty="l1", strength=0.0)
    assert "no penalty" in scene.title.get_text()
    plain = O.train()
    assert np.array_equal(scene.val_curve.get_ydata(), plain.curves["val_loss"])


def test_bad_strength_keeps_the_picture():
    scene = PenaltyScene()
    before = scene.render()
    with pytest.raises(ValueError, match="strength must be one of"):
        scene.set(strength=0.02)
    assert np.array_equal(scene.render(), before)


def test_where_l1_reaches_the_axis_and_the_origin():
    """The strengths the chapter names. On the axis w2 = 0, L1's optimum has
    w1 = a1 + (H12 a2 - lam) / H11, and w2 = 0 stays optimal while |dL/dw2| <= lam there:
    H22 a2 - H12 (H12 a2 - lam) / H11 <= lam. Both give lam = 0.0175 here; w1 reaches 0
    at lam = H11 a1 + H12 a2 = 0.0725."""
    (h11, h12), (_, h22) = P.H
    a1, a2 = P.A
    on_axis = (h22 * a2 - h12 * h12 * a2 / h11) / (1 - h12 / h11)
    at_origin = h11 * a1 + h12 * a2
    def first_zero(index):
        low, high = 1e-4, 0.2
        for _ in range(60):  # bisection on "that weight is exactly 0"
            mid = (low + high) / 2
            low, high = (low, mid) if P.l1_optimum(mid)[index] == 0 else (mid, high)
        return high
    assert first_zero(1) == pytest.approx(on_axis, abs=1e-9) == pytest.approx(0.0175, abs=1e-12)
    assert first_zero(0) == pytest.approx(at_origin, abs=1e-9) == pytest.approx(0.0725, abs=1e-12)
    assert np.allclose(brute_force("l1", 0.019)[1], 0.0, atol=0.002)
