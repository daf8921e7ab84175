"""The GAN chapter's core (course_utils.gan): the data sets, the two networks, the
losses and their gradients (checked against finite differences of the formulas written
here again), the training steps, the measures (coverage, JS) and a short run."""

import copy
import dataclasses
import math
import warnings

import numpy as np
import pytest

from course_utils import gan as G
from course_utils import nn, runs
from gradcheck import numerical_gradient


def sigmoid(s):
    return 1 / (1 + np.exp(-s))


def generator_loss_formula(s, loss):
    """The three generator losses, from the papers' formulas."""
    if loss == "minimax":
        return np.mean(np.log(1 - sigmoid(s)))
    if loss == "non-saturating":
        return np.mean(-np.log(sigmoid(s)))
    return np.mean((s - 1) ** 2) / 2


def discriminator_loss_formula(s_real, s_fake, loss):
    if loss == "least squares":
        return np.mean((s_real - 1) ** 2) / 2 + np.mean(s_fake ** 2) / 2
    return np.mean(-np.log(sigmoid(s_real))) + np.mean(-np.log(1 - sigmoid(s_fake)))


def small_trainer(loss, seed=0, **changes):
    """A small GAN (tanh, so every finite difference is smooth) trained by plain SGD with
    lr 1: a step then moves each weight by exactly minus its gradient."""
    settings = G.Settings(g_hidden=(5, 4), d_hidden=(6, 3), activation="tanh",
                          d_optimizer="sgd", g_optimizer="sgd", d_lr=1.0, g_lr=1.0,
                          batch_size=7, loss=loss, **changes)
    return G.Trainer(G.sample("ring", 50, 0), settings, seed)


def flat(module):
    return {name: p.data.copy() for name, p in module.named_parameters()}


# ------------------------------------------------------------------------ data sets

@pytest.mark.parametrize("name", G.DATASETS)
def test_every_data_set_is_seeded_2d_and_inside_the_square(name):
    a, b, c = G.sample(name, 500, 1), G.sample(name, 500, 1), G.sample(name, 500, 2)
    assert a.shape == (500, 2) and a.dtype == np.float64
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.abs(a).max() < G.HALF_WIDTH
    assert G.sample(name, 7).shape == (7, 2)


def test_the_data_sets_have_their_stated_shapes():
    r = np.hypot(*G.ring(4000, 0).T)
    assert r.mean() == pytest.approx(G.RING_RADIUS, abs=0.01)
    assert np.mean(np.abs(r - G.RING_RADIUS) <= G.RING_TOLERANCE) > 0.99
    for name in G.MIXTURES:  # almost every point in a mode, the modes in their proportions
        x = G.sample(name, 6000, 0)
        index = G.mode_of(x, name)
        assert np.mean(index >= 0) > 0.97
        shares = np.bincount(index[index >= 0], minlength=len(G.modes(name))) / len(x)
        assert np.allclose(shares, G.modes(name), atol=0.03)
    on_line = G.mode_of(G.line(3000, 0), "line")
    assert np.mean(on_line >= 0) > 0.97
    assert np.allclose(np.bincount(on_line[on_line >= 0]) / 3000, 1 / G.LINE_PARTS, atol=0.03)


def test_own_points_are_checked_with_plain_errors():
    good = G.ring(30, 0)
    x = G.own_points(good.tolist())
    assert x.shape == (30, 2) and np.array_equal(x, good)
    assert x is not good
    with pytest.raises(ValueError, match=r"\(N, 2\) array.*shape \(30, 3\)"):
        G.own_points(np.zeros((30, 3)))
    with pytest.raises(ValueError, match=r"shape \(20,\)"):
        G.own_points(np.zeros(20))
    with pytest.raises(ValueError, match="too few points.*at least 10.*got 3"):
        G.own_points(good[:3])
    bad = good.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN: row 4"):
        G.own_points(bad)
    bad[4, 1] = np.inf
    with pytest.raises(ValueError, match="infinite value: row 4"):
        G.own_points(bad)
    with pytest.raises(ValueError, match="square.*row 2"):
        G.own_points(np.vstack([good[:2], [[100.0, 200.0]], good]))
    with pytest.raises(ValueError, match="numbers"):
        G.own_points([["a", "b"]] * 20)
    with pytest.raises(ValueError, match="unknown data set 'spiral'"):
        G.sample("spiral")
    drawn = G.sample(good, 100, 3)  # batches of own points come from those points
    assert drawn.shape == (100, 2) and all((good == p).all(axis=1).any() for p in drawn)


# ------------------------------------------------------------------------ networks

def test_the_builders_shapes_and_the_pair_in_one_state_dict():
    g = G.generator(1, (8, 4), "relu", rng=0)
    d = G.discriminator((16,), "tanh", rng=0)
    sizes = [(m.in_features, m.out_features) for m in g if isinstance(m, nn.Linear)]
    assert sizes == [(1, 8), (8, 4), (4, 2)]
    assert [type(m) for m in d] == [nn.Linear, nn.Tanh, nn.Linear]
    assert d[-1].out_features == 1
    gan = G.GAN(g, d)
    assert gan(G.noise(5, 1, rng=0)).shape == (5, 2)
    state = gan.state_dict()
    assert {"generator.0.weight", "discriminator.2.bias"} <= state.keys()
    assert len(state) == 6 + 4
    with pytest.raises(ValueError, match="noise_dim must be 1 or 2"):
        G.generator(3)
    with pytest.raises(ValueError, match="activation"):
        G.discriminator((4,), "sigmoid")
    with pytest.raises(ValueError, match="hidden layer sizes"):
        G.generator(2, (8, 0))


def test_noise_kinds():
    z = G.noise(4000, 2, "uniform", rng=0)
    assert z.shape == (4000, 2) and -1 <= z.min() and z.max() <= 1
    assert G.noise(4000, 1, "gaussian", rng=0).std() == pytest.approx(1, abs=0.05)
    with pytest.raises(ValueError, match="noise kind"):
        G.noise(3, 2, "poisson")


# ------------------------------------------------------------------------ losses and gradients

@pytest.mark.parametrize("loss", G.LOSSES)
def test_the_losses_and_their_gradients_against_the_formulas(loss):
    rng = np.random.default_rng(1)
    s_real, s_fake = rng.normal(size=(6, 1)) * 2, rng.normal(size=(6, 1)) * 2
    value, grad = G.generator_loss(s_fake, loss)
    assert value == pytest.approx(generator_loss_formula(s_fake, loss), rel=1e-12)
    numeric = numerical_gradient(lambda: generator_loss_formula(s_fake, loss), s_fake)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    value, g_real, g_fake = G.discriminator_loss(s_real, s_fake, loss)
    assert value == pytest.approx(discriminator_loss_formula(s_real, s_fake, loss), rel=1e-12)
    f = lambda: discriminator_loss_formula(s_real, s_fake, loss)  # noqa: E731
    np.testing.assert_allclose(g_real, numerical_gradient(f, s_real), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(g_fake, numerical_gradient(f, s_fake), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("loss", G.LOSSES)
def test_a_generator_step_follows_the_gradient_through_d_and_leaves_d_alone(loss):
    """With SGD at lr 1, the step moves G's weights by minus dL_G/dtheta, which is checked
    against finite differences of L_G(theta) = loss(D(G(z))) for the noise the step drew."""
    trainer = small_trainer(loss)
    gan = trainer.gan
    z = G.noise(7, 2, "gaussian", copy.deepcopy(trainer.rng))  # the noise the step will draw
    d_before, g_before = flat(gan.discriminator), flat(gan.generator)
    value = trainer.step_generator()
    g_after = flat(gan.generator)
    for name, d in flat(gan.discriminator).items():
        assert np.array_equal(d, d_before[name]), f"the generator step changed D's {name}"
    assert all(not p.grad.any() for p in gan.discriminator.parameters())

    gan.generator.load_state_dict(g_before)
    assert value == pytest.approx(generator_loss_formula(gan.discriminator(gan.generator(z)), loss))
    for name, param in gan.generator.named_parameters():
        numeric = numerical_gradient(
            lambda: generator_loss_formula(gan.discriminator(gan.generator(z)), loss), param.data)
        np.testing.assert_allclose(g_before[name] - g_after[name], numeric, rtol=1e-5, atol=1e-8,
                                   err_msg=f"{loss}: G's {name}")


@pytest.mark.parametrize("loss", G.LOSSES)
def test_the_gradient_on_the_fake_points_is_dl_dx(loss):
    gan = small_trainer(loss).gan
    x = G.ring(5, 3)
    grad = G.fake_gradients(gan, x, loss)
    assert all(not p.grad.any() for p in gan.discriminator.parameters())
    for i in range(len(x)):  # the loss of one point alone
        point = x[i:i + 1].copy()
        numeric = numerical_gradient(
            lambda: generator_loss_formula(gan.discriminator(point), loss), point)
        np.testing.assert_allclose(grad[i:i + 1], numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("loss", G.LOSSES)
def test_a_discriminator_step_follows_its_gradient_and_leaves_g_alone(loss):
    trainer = small_trainer(loss)
    gan, rng = trainer.gan, copy.deepcopy(trainer.rng)
    real = trainer.real[rng.integers(0, len(trainer.real), size=7)]  # the batches it will draw
    fake = gan.generator(G.noise(7, 2, "gaussian", rng))
    d_before, g_before = flat(gan.discriminator), flat(gan.generator)
    trainer.step_discriminator()
    assert all(np.array_equal(v, g_before[k]) for k, v in flat(gan.generator).items())
    d_after = flat(gan.discriminator)
    gan.discriminator.load_state_dict(d_before)
    D = gan.discriminator
    for name, param in D.named_parameters():
        numeric = numerical_gradient(
            lambda: discriminator_loss_formula(D(real), D(fake), loss), param.data)
        np.testing.assert_allclose(d_before[name] - d_after[name], numeric, rtol=1e-5, atol=1e-8,
                                   err_msg=f"{loss}: D's {name}")


def test_adam_generator_steps_leave_d_unchanged_too():
    trainer = G.Trainer(G.ring(200, 0), dataclasses.replace(G.DEFAULTS, d_steps=2), seed=3)
    for _ in range(3):
        trainer.update()
    before = flat(trainer.gan.discriminator)
    for _ in range(5):
        trainer.step_generator()
    assert all(np.array_equal(v, before[k]) for k, v in flat(trainer.gan.discriminator).items())
    assert trainer.updates == 3


def test_the_verdict_is_a_probability():
    gan = small_trainer("non-saturating").gan
    x = G.ring(20, 0)
    p = G.verdict(gan, x)
    assert p.shape == (20,) and np.allclose(p, sigmoid(gan.discriminator(x)[:, 0]))
    q = G.verdict(gan, x * 50, "least squares")
    assert (0 <= q).all() and (q <= 1).all()


# ------------------------------------------------------------------------ measures

def on_sectors(sectors, per_sector, radius=G.RING_RADIUS):
    """``per_sector`` points at the middle angle of each listed sector."""
    angles = (np.repeat(np.asarray(sectors), per_sector) + 0.5) * 2 * np.pi / G.RING_SECTORS
    return radius * np.column_stack([np.cos(angles), np.sin(angles)])


def test_ring_coverage_of_points_placed_on_sectors():
    full = G.coverage(on_sectors(range(12), 10))
    assert (full.covered, full.modes) == (12, 12) and str(full) == "12 of 12 modes covered"
    assert np.array_equal(full.counts, np.full(12, 10))
    assert G.coverage(on_sectors([0, 3, 4, 11], 10)).covered == 4
    assert G.coverage(on_sectors(range(12), 10, radius=0.5)).covered == 0  # inside the ring
    edge = 1 + G.RING_TOLERANCE - 1e-9
    assert G.coverage(on_sectors(range(12), 10, radius=edge)).covered == 12
    assert G.coverage(on_sectors(range(12), 10, radius=edge + 2e-9)).covered == 0
    assert np.array_equal(G.mode_of(on_sectors(range(12), 1), "ring"), np.arange(12))


def test_a_sector_needs_a_third_of_its_share():
    """With 2,000 points a sector needs ceil(2000 / 12 / 3) = 56 of them."""
    crowd = on_sectors([0], 2000 - 56 * 11 - 55)
    just = np.vstack([crowd, on_sectors(range(1, 12), 56), on_sectors([5], 55, radius=0.3)])
    result = G.coverage(just)
    assert len(just) == 2000 - 56 * 11 - 55 + 56 * 11 + 55
    assert result.needed.tolist() == [math.ceil(len(just) / 36)] * 12
    assert result.covered == 12
    short = np.vstack([crowd, on_sectors(range(1, 11), 56), on_sectors([11], 55),
                       on_sectors([5], 56, radius=0.3)])
    assert G.coverage(short).covered == 11 and not G.coverage(short).mask[11]


def test_coverage_of_the_mixtures_line_and_own_points():
    for name, parts in MODES.items():
        assert G.coverage(G.sample(name, 3000, 5), name).covered == parts
    centres = np.array([c for _, c, _ in G.MIXTURES["eight gaussians"]])
    assert G.coverage(np.repeat(centres[:5], 10, axis=0), "eight gaussians").covered == 5
    assert G.coverage(np.zeros((100, 2)), "eight gaussians").covered == 0
    mine = G.three_clusters(60, 0)
    assert G.coverage(mine, mine).covered == len(G.modes(mine)) >= 3
    assert G.coverage(mine[:1].repeat(60, axis=0), mine).covered == 1
    with pytest.raises(ValueError, match="unknown data set"):
        G.coverage(mine, "moons")


MODES = {"ring": 12, "eight gaussians": 8, "two gaussians": 2, "three clusters": 3, "line": 6}


def test_the_histogram_sums_to_one_and_keeps_points_off_the_grid():
    x = np.random.default_rng(0).normal(size=(500, 2)) * 2  # some fall outside the square
    h = G.histogram(x, bins=10)
    assert h.shape == (10, 10) and h.sum() == pytest.approx(1.0)
    assert h[0, 0] > 0 and h[9, 9] > 0  # the corners hold what lies beyond them
    one = G.histogram(np.array([[-1.4, 1.4]]), bins=3)
    assert one[2, 0] == 1.0  # row = x2 (top), column = x1 (left)


def test_js_closed_forms_and_bounds():
    assert G.js_from_histograms([0.3, 0.7], [0.3, 0.7]) == 0.0
    assert G.js_from_histograms([1, 0, 0], [0, 0.5, 0.5]) == pytest.approx(math.log(2))
    assert G.js_from_histograms([1, 0], [0.5, 0.5]) == pytest.approx(0.75 * math.log(4 / 3))
    rng = np.random.default_rng(0)
    for _ in range(20):
        p, q = rng.dirichlet(np.ones(9)), rng.dirichlet(np.ones(9) * 0.3)
        js = G.js_from_histograms(p, q)
        assert 0 <= js <= math.log(2) and js == pytest.approx(G.js_from_histograms(q, p))
    x = G.ring(1000, 0)
    assert G.js_divergence(x, x.copy()) == 0.0
    assert G.js_divergence(x, x + 10) == pytest.approx(math.log(2))  # piled in a corner cell
    left, right = x[x[:, 0] < -0.2], x[x[:, 0] > 0.2]
    assert G.js_divergence(left, right) == pytest.approx(math.log(2))
    assert G.js_divergence(x, G.ring(1000, 1)) < 0.1  # two samples of one ring


def test_a_diverged_generators_nan_points_are_measured_quietly():
    nan = np.full((30, 2), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in (*G.DATASETS, G.ring(40, 0)):
            assert G.coverage(nan, name).covered == 0
        assert G.histogram(nan).sum() == 0
        assert G.js_divergence(G.ring(100, 0), nan) == pytest.approx(math.log(2))
        half = np.vstack([G.ring(50, 1), nan[:50]])
        assert G.histogram(half).sum() == pytest.approx(50 / 80)


# ------------------------------------------------------------------------ settings and runs

def test_settings_are_checked_and_hashable():
    assert hash(G.DEFAULTS) == hash(G.Settings())
    assert dataclasses.replace(G.DEFAULTS, g_hidden=[8, 8]).g_hidden == (8, 8)
    for bad, match in (({"loss": "wasserstein"}, "loss must be"), ({"d_lr": 0}, "d_lr"),
                       ({"d_steps": 0}, "d_steps"), ({"betas": (0.5,)}, "betas"),
                       ({"g_optimizer": "rmsprop"}, "g_optimizer"), ({"noise_dim": 3}, "noise_dim"),
                       ({"batch_size": 2.5}, "batch_size"), ({"activation": "step"}, "activation")):
        with pytest.raises(ValueError, match=match):
            dataclasses.replace(G.DEFAULTS, **bad)
    assert G.GAN_LAB.g_hidden == (8, 8) and G.GAN_LAB.d_steps == 2 and G.GAN_LAB.batch_size == 150


def test_a_short_run_with_the_defaults_improves_coverage():
    """700 of the defaults' 1,500 updates: the untrained generator's points sit in a small
    blob (no sector); by then seed 0 covers the ring (all 20 seeds do from about 700 on)."""
    settings = dataclasses.replace(G.DEFAULTS, updates=700)
    run = G.record("ring", settings, seed=0, snapshots=3)
    assert run.unit == "update" and run.moments[0] == 0 and run.moments[-1] == 700
    assert len(run.curves["d_loss"]) == len(run.curves["g_loss"]) == 700
    assert len(run.data["coverage"]) == len(run.data["js"]) == len(run.moments)
    assert run.data["coverage"][0] <= 1 and run.data["coverage"][-1] >= 11
    assert run.message == ""
    assert run.data["js"][-1] < run.data["js"][0]
    again = G.evaluate(run.at(-1), "ring", settings)  # the recorded measure, from the snapshot
    assert again[0].covered == run.data["coverage"][-1] and again[1] == run.data["js"][-1]
    assert np.array_equal(run.data["x"], G.sample("ring", G.POOL, G.DATA_SEED))


def test_a_diverging_run_stops_and_says_so():
    settings = dataclasses.replace(G.DEFAULTS, d_optimizer="sgd", g_optimizer="sgd", d_lr=10.0,
                                   g_lr=10.0, loss="least squares", updates=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = G.record("ring", settings, seed=0, snapshots=5)
    assert run.message.startswith("training diverged at update ")
    assert run.moments[-1] < 50 and len(run.data["coverage"]) == len(run.moments)
    assert not math.isfinite(run.curves["g_loss"][-1] + run.curves["d_loss"][-1])


def test_train_is_cached_and_takes_own_points():
    runs.cache.clear()
    settings = dataclasses.replace(G.DEFAULTS, updates=5, g_hidden=(4,), d_hidden=(4,))
    first = G.train("ring", settings, seed=1, snapshots=2)
    assert G.train("ring", settings, 1, 2) is first
    assert G.train("ring", settings, 2, 2) is not first
    mine = G.ring(40, 0)
    own = G.train(mine, settings, 1, 2)
    assert G.train(mine.tolist(), settings, 1, 2) is own
    assert np.array_equal(own.data["x"], mine)
    with pytest.raises(ValueError, match="too few"):
        G.train(mine[:4], settings)
    runs.cache.clear()
