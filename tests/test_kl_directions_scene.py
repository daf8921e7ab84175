"""The KL directions scene: one Gaussian q fitted to a two-peaked p by KL(p‖q) and KL(q‖p).

The engine's divergences are checked against the closed form for two Gaussians; the
forward fit against moment matching (exact for a Gaussian q); the reverse fit against
an independent search written here (its own finer grid, plain numpy sums), which also
finds where the reverse fit jumps from the middle onto a peak."""

import math
import warnings

import numpy as np
import pytest

from course_utils.scenes import kl_directions as K
from course_utils.scenes.kl_directions import KLDirectionsScene

FINE = np.linspace(-25, 25, 1251)  # the tests' own grid, finer and wider than the scene's
FINE_DX = FINE[1] - FINE[0]


def gaussian(x, mu, sigma):
    return np.exp(-((x - mu) / sigma) ** 2 / 2) / (sigma * math.sqrt(2 * math.pi))


def mixture(x, d):
    return (gaussian(x, -d / 2, 1.0) + gaussian(x, d / 2, 1.0)) / 2


def log_mixture(x, d):
    """log p, stably: log((e^a + e^b) / 2) with the larger exponent taken out."""
    a, b = -(x + d / 2) ** 2 / 2, -(x - d / 2) ** 2 / 2
    top = np.maximum(a, b)
    return top + np.log((np.exp(a - top) + np.exp(b - top)) / 2) - math.log(math.sqrt(2 * math.pi))


def reverse_kl(d, mu, sigma):
    """KL(q‖p) = Σ q (log q − log p) dx on the fine grid; ``mu`` and ``sigma`` broadcast."""
    mu, sigma = np.asarray(mu, dtype=float)[..., None], np.asarray(sigma, dtype=float)[..., None]
    log_q = -((FINE - mu) / sigma) ** 2 / 2 - np.log(sigma * math.sqrt(2 * math.pi))
    return np.sum(np.exp(log_q) * (log_q - log_mixture(FINE, d)), axis=-1) * FINE_DX


def best_reverse(d, mus, sigmas, zooms=6):
    """The smallest KL(q‖p) over μ in ``mus`` (a range to search) and σ in ``sigmas``:
    a dense grid, then zooms around its best point."""
    mu_lo, mu_hi = mus
    s_lo, s_hi = math.log(sigmas[0]), math.log(sigmas[1])
    best = None
    for _ in range(zooms):
        m, s = np.meshgrid(np.linspace(mu_lo, mu_hi, 41 if mu_hi > mu_lo else 1),
                           np.exp(np.linspace(s_lo, s_hi, 41)), indexing="ij")
        kl = reverse_kl(d, m, s)
        i, j = np.unravel_index(np.argmin(kl), kl.shape)
        best = (float(m[i, j]), float(s[i, j]), float(kl[i, j]))
        dm, ds = (mu_hi - mu_lo) / 40, (s_hi - s_lo) / 40
        mu_lo, mu_hi = max(mus[0], best[0] - 2 * dm), min(mus[1], best[0] + 2 * dm)
        s_lo, s_hi = math.log(best[1]) - 2 * ds, math.log(best[1]) + 2 * ds
    return best


def centre_and_peak(d):
    """The best reverse q with μ = 0, and the best with μ >= 1 (on a peak)."""
    return best_reverse(d, (0.0, 0.0), (0.5, 6.0)), best_reverse(d, (1.0, 5.0), (0.5, 3.0))


@pytest.mark.parametrize("mu1, s1, mu2, s2", [(0.0, 1.0, 1.0, 2.0), (2.0, 0.7, -1.5, 1.3), (0.5, 3.0, 0.0, 1.0)])
def test_the_engine_divergences_are_the_closed_form(mu1, s1, mu2, s2):
    """KL(N₁‖N₂) = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²) / (2σ₂²) − 1/2, in both directions."""
    def closed(m1, a, m2, b):
        return math.log(b / a) + (a * a + (m1 - m2) ** 2) / (2 * b * b) - 0.5
    one, two = K.log_normal(K.X, mu1, s1), K.log_normal(K.X, mu2, s2)
    # (to 1e-7: the grid ends at ±20, 6.5 σ from the mean of the widest one)
    assert K.divergence("forward", one, two) == pytest.approx(closed(mu1, s1, mu2, s2), abs=1e-7)
    assert K.divergence("reverse", one, two) == pytest.approx(closed(mu2, s2, mu1, s1), abs=1e-7)


@pytest.mark.parametrize("d", [0.0, 1.0, 2.5, 4.0, 5.6, 6.3, 8.0])
def test_the_forward_fit_matches_the_mean_and_variance_of_p(d):
    best = K.fit("forward", d)
    assert best.mu == pytest.approx(0.0, abs=1e-4)
    assert best.sigma ** 2 == pytest.approx(1 + d * d / 4, rel=1e-4)
    # and its divergence is KL(p‖q) = −H(p) + log(σ √(2π e)), with H(p) from the fine grid
    p = mixture(FINE, d)
    entropy = -np.sum(p * log_mixture(FINE, d)) * FINE_DX
    assert best.kl == pytest.approx(-entropy + math.log(math.sqrt((1 + d * d / 4) * 2 * math.pi * math.e)),
                                    abs=1e-6)


def test_the_reverse_fit_sits_on_one_peak_when_they_are_far_apart():
    best = K.fit("reverse", 8.0)
    assert best.mu == pytest.approx(4.0, abs=0.01)
    assert best.sigma == pytest.approx(1.0, abs=0.01)
    assert best.kl == pytest.approx(math.log(2), abs=1e-3)  # q covers half of p's mass: log 2
    assert best.kl < math.log(2)


@pytest.mark.parametrize("d", [1.0, 3.0, 4.5, 5.5, 5.7, 6.5, 8.0])
def test_the_reverse_fit_is_the_independent_minimum(d):
    centre, peak = centre_and_peak(d)
    best = K.fit("reverse", d)
    lowest = min(centre, peak, key=lambda f: f[2])
    assert best.kl == pytest.approx(lowest[2], abs=2e-6)
    assert best.mu == pytest.approx(lowest[0], abs=2e-3)
    assert best.sigma == pytest.approx(lowest[1], abs=2e-3)


def test_the_reverse_fit_jumps_onto_a_peak_at_a_distance_of_5_6():
    """Below the jump the best reverse q is centred (and narrower than the forward one),
    above it sits on a peak. The distance where both are equally good, by bisection."""
    low, high = 5.5, 5.7
    for _ in range(6):
        mid = (low + high) / 2
        centre, peak = centre_and_peak(mid)
        low, high = (mid, high) if centre[2] < peak[2] else (low, mid)
    assert round(low, 1) == 5.6 and 5.58 < low < 5.62
    assert K.fit("reverse", 5.5).mu == 0.0 and K.fit("reverse", 5.7).mu > 2.5
    assert K.fit("reverse", 5.5).sigma < K.fit("forward", 5.5).sigma
    assert "in the middle, narrower" in KLDirectionsScene(distance=5.5).captions["reverse"].get_text()
    assert "on one peak" in KLDirectionsScene(distance=5.7).captions["reverse"].get_text()


@pytest.mark.parametrize("d", [0.0, 3.3, 8.0])
def test_the_drawn_curves_are_p_the_fits_and_the_engine_profile(d):
    scene = KLDirectionsScene(distance=d)
    xs = scene.p_line.get_xdata()
    assert xs[0] == pytest.approx(-8) and xs[-1] == pytest.approx(8)
    np.testing.assert_allclose(scene.p_line.get_ydata(), mixture(xs, d), rtol=1e-12, atol=1e-300)
    for direction in K.DIRECTIONS:
        best = K.fit(direction, d)
        np.testing.assert_allclose(scene.q_lines[direction].get_ydata(), gaussian(xs, best.mu, best.sigma),
                                   rtol=1e-12, atol=1e-300)
        assert np.ravel(scene.best_marks[direction].get_data()).tolist() == [best.mu, best.kl]
        profile = scene.profiles[direction].get_ydata()
        np.testing.assert_array_equal(profile, best.profile)
        assert np.all(profile >= -1e-12)  # a divergence is never negative
        # the coarse σ grid (steps of 0.12 in log σ) comes within half a pixel of the picture
        assert profile.min() == pytest.approx(best.kl, abs=5e-3)
        assert profile.min() >= best.kl - 1e-12  # and the zoomed search beats it
    # the reverse profile, independently: the smallest KL(q‖p) over the same σ grid, per μ
    sigmas = np.exp(K.LOG_SIGMAS)
    expected = reverse_kl(d, K.MUS[:, None], sigmas[None, :]).min(axis=1)
    # (to 1e-5: the widest q of the grid, σ = 6, has 0.1 % of its mass beyond the scene's ±20)
    np.testing.assert_allclose(scene.profiles["reverse"].get_ydata(), expected, rtol=1e-5, atol=1e-9)


def test_the_captions_say_the_numbers():
    scene = KLDirectionsScene(distance=8.0)
    assert scene.captions["forward"].get_text() == (
        "forward: min KL(p\u2016q) = 0.724 at \u03bc = 0.00, \u03c3 = 4.12: p's mean and variance, "
        "\u03c3\u00b2 = 1 + d\u00b2/4")
    assert round(math.sqrt(17), 2) == 4.12
    assert scene.captions["reverse"].get_text().startswith(
        f"reverse: min KL(q\u2016p) = {math.log(2):.3f} at \u03bc = 4.00, \u03c3 = 1.00: on one peak")
    same = KLDirectionsScene(distance=0.0)
    for direction in K.DIRECTIONS:
        assert same.captions[direction].get_text().endswith("p is one Gaussian, so q = p")
        assert K.fit(direction, 0.0).kl == pytest.approx(0.0, abs=1e-9)


def test_the_captions_fit_in_the_figure():
    scene = KLDirectionsScene()
    for d in (0.0, 2.0, 5.5, 5.7, 8.0):
        scene.set(distance=d)
        scene.render()
        renderer = scene.fig.canvas.get_renderer()
        for caption in scene.captions.values():
            assert caption.get_window_extent(renderer).x1 < scene.fig.bbox.width - 4, caption.get_text()


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = KLDirectionsScene()
        for corner in KLDirectionsScene.corner_values():
            scene.set(**corner)
            assert scene.render().std() > 0


def test_bad_input_is_refused_in_words_and_leaves_the_scene_as_it_was():
    scene = KLDirectionsScene(distance=3.0)
    before = scene.render()
    for bad in (-0.5, 8.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="must lie in"):
            scene.set(distance=bad)
        assert scene.values == {"distance": 3.0}
        assert np.array_equal(scene.render(), before)
    with pytest.raises(TypeError, match="must be a number"):
        scene.set(distance="far")
    for bad in (-1.0, 9.0, float("nan"), True, "far"):
        with pytest.raises(ValueError, match="distance between the peaks"):
            K.log_target(bad)
    with pytest.raises(ValueError, match="the direction must be one of"):
        K.divergence("sideways", K.log_target(1.0), K.log_target(1.0))


def test_the_storyboard_goes_apart_and_back_across_the_jump():
    frames = [changes["distance"] for changes, _ in KLDirectionsScene().storyboard()]
    assert frames[0] == 0.0 and max(frames) == K.DISTANCE_MAX
    assert frames.index(K.DISTANCE_MAX) < len(frames) - 1 and frames[-1] < 2  # and back
    assert 5.5 in frames and 5.7 in frames  # both sides of the jump


def test_the_numbers_the_notebook_can_quote():
    """d = 4: the forward q has σ = √5 = 2.24, the reverse one stays centred with σ = 2.05;
    d = 8: forward KL(p‖q) = 0.724 at σ = √17 = 4.12, reverse KL(q‖p) = 0.693 ≈ log 2
    at μ = 4.00, σ = 1.00; the reverse q jumps at d ≈ 5.6 (tested above)."""
    centre, peak = centre_and_peak(4.0)
    assert centre[2] < peak[2] and round(centre[1], 2) == 2.05
    assert (round(K.fit("reverse", 4.0).mu, 2), round(K.fit("reverse", 4.0).sigma, 2)) == (0.0, 2.05)
    assert round(math.sqrt(5), 2) == round(K.fit("forward", 4.0).sigma, 2) == 2.24
    p = mixture(FINE, 8.0)
    forward = -(-np.sum(p * log_mixture(FINE, 8.0)) * FINE_DX) + math.log(math.sqrt(17 * 2 * math.pi * math.e))
    assert round(forward, 3) == round(K.fit("forward", 8.0).kl, 3) == 0.724
    mu, sigma, kl = best_reverse(8.0, (1.0, 5.0), (0.5, 3.0))
    assert (round(mu, 2), round(sigma, 2), round(kl, 3)) == (4.0, 1.0, 0.693)
