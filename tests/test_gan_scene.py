"""The live GAN widget (scenes/gan.py): its run is the engine's recorded run, going back
and forth gives the same weights, hand steps change one network only, and what it draws
is what the networks compute."""

import dataclasses
import math

import numpy as np
import pytest

from course_utils import gan as G
from course_utils.live_gan import CHECK_EVERY, LiveRun
from course_utils.scenes.gan import BUDGET, GANScene, example_points


def weights(trainer):
    return {name: p.data.copy() for name, p in trainer.gan.named_parameters()}


def same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


SHORT = dataclasses.replace(G.DEFAULTS, updates=90)


def test_a_live_run_without_hand_steps_is_the_recorded_run():
    run = G.record("ring", SHORT, seed=2, snapshots=3)
    live = LiveRun("ring", SHORT, 2)
    for moment, state in zip(run.moments, run.snapshots):
        live.go(moment)
        assert same(weights(live.trainer), dict(state)), moment
    live.go(90)
    np.testing.assert_array_equal([d for d, _ in live.losses], run.curves["d_loss"])
    np.testing.assert_array_equal([g for _, g in live.losses], run.curves["g_loss"])


def test_going_back_and_forth_gives_the_same_weights():
    straight = LiveRun("ring", SHORT, 5)
    straight.go(77)
    wandering = LiveRun("ring", SHORT, 5)
    for k in (50, 13, 90, 3, 77):
        wandering.go(k)
    assert same(weights(straight.trainer), weights(wandering.trainer))
    assert sorted(wandering.copies) == list(range(0, 91, CHECK_EVERY))


def test_hand_steps_move_one_network_and_forget_what_came_after():
    live = LiveRun("ring", SHORT, 1)
    live.go(40)
    live.go(30)
    before = weights(live.trainer)
    live.hand("d")
    after = weights(live.trainer)
    changed = {k for k in before if not np.array_equal(before[k], after[k])}
    assert changed and all(k.startswith("discriminator.") for k in changed)
    assert live.at == 31 and live.moves == ["u"] * 30 + ["d"] and 40 not in live.copies
    assert math.isnan(live.losses[-1][1]) and math.isfinite(live.losses[-1][0])
    before = weights(live.trainer)
    live.hand("g")
    after = weights(live.trainer)
    changed = {k for k in before if not np.array_equal(before[k], after[k])}
    assert changed and all(k.startswith("generator.") for k in changed)
    # the hand steps are part of the run now: going back and forth replays them
    live.go(45)
    kept = weights(live.trainer)
    live.go(10)
    live.go(45)
    assert same(kept, weights(live.trainer)) and live.moves[30:32] == ["d", "g"]


def test_the_scene_draws_what_the_networks_compute():
    scene = GANScene(step=60, seed=3)
    pair = scene.run.trainer.gan
    fake = pair.generator(scene.fixed_noise)
    np.testing.assert_array_equal(np.column_stack(scene.fake.get_data()), fake)
    c, js = G.evaluate(pair, "ring", scene.settings())
    assert scene.measures == (c.covered, c.modes, js)
    verdict = G.verdict(pair, scene._heat_points).reshape(60, 60)
    # the picture's colour in each cell is the verdict's level (ten flat levels)
    from course_utils import style
    np.testing.assert_array_equal(scene.verdict.get_array(), style.VERDICT(verdict, bytes=True))
    assert np.array_equal(style.VERDICT(0.5, bytes=True), (255, 255, 255, 255))  # "cannot tell" is white
    assert scene.heading.text.startswith("update 60 of 1500")


def test_the_arrows_point_down_the_generators_loss():
    scene = GANScene(step=30)
    pair = scene.run.trainer.gan
    at = np.asarray(scene.arrows.get_offsets())
    u, v = scene.arrows.U, scene.arrows.V
    grad = G.fake_gradients(pair, at)
    # each arrow is -dl/dx scaled by one positive number
    scale = np.hypot(u, v).max() / np.hypot(grad[:, 0], grad[:, 1]).max()
    np.testing.assert_allclose(np.column_stack([u, v]), -grad * scale, atol=1e-12)
    assert np.isclose(np.hypot(u, v).max(), 0.3)


def test_a_change_to_the_run_starts_it_again_and_a_view_does_not():
    scene = GANScene(step=40)
    scene.set(d_lr=1e-3)
    assert scene.values["step"] == 0
    scene.set(step=25)
    scene.set(show_grid=False)
    assert scene.values["step"] == 25 and not scene.grid.get_visible()
    scene.set(g_lr=3e-3, step=10)
    assert scene.values["step"] == 10


def test_buttons_step_by_hand_and_refuse_at_the_end():
    scene = GANScene(step=20)
    scene.act("step_d")
    scene.act("step_g")
    assert scene.values["step"] == 22 and scene.run.moves[20:] == ["d", "g"]
    assert scene.heading.text == "move 22 of 1500: 20 updates, and by hand 1 D-step and 1 G-step"
    scene.set(step=BUDGET)
    with pytest.raises(ValueError, match="at its end"):
        scene.act("step_both")
    assert scene.values["step"] == BUDGET
    with pytest.raises(KeyError, match="no action"):
        scene.act("step_x")


def test_a_diverging_run_is_said_to_diverge():
    scene = GANScene(d_optimizer="sgd", g_optimizer="sgd", d_lr=1.0, g_lr=1.0, step=300)
    first = scene.run.diverged()
    assert first is not None and first <= 300
    assert scene.subheading.get_visible() and f"diverged at update {first}" in scene.subheading.text
    assert GANScene(step=300).run.diverged() is None


def test_your_own_points():
    mine = np.array([[0.5, 0.5], [-0.5, -0.5]] * 10) + np.linspace(0, 0.05, 20)[:, None]
    scene = GANScene(points=mine, data="own", step=5)
    np.testing.assert_array_equal(scene.run.trainer.real, mine)
    assert GANScene(data="own").run.trainer.real.shape == example_points().shape
    with pytest.raises(ValueError, match=r"\(N, 2\) array"):
        GANScene(points=np.zeros((20, 3)))
