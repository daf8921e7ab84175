"""The mode-collapse lab (course_utils/scenes/mode_collapse.py): the coverage drawn for each
seed is the coverage of that run's snapshot, counted here again by hand; the summary is
the count of those; the step walks the snapshots; bad input leaves the scene as it was;
and the collapse and fix figures the module's docstring states.

The runs are cached within the pytest process: each setting here trains its 8 runs once
(about 5 s a setting)."""

import math
import warnings

import numpy as np
import pytest

from course_utils import gan, style
from course_utils.scenes import mode_collapse as M
from course_utils.scenes.mode_collapse import ModeCollapseScene

SEEDS, SNAPSHOTS, UPDATES = 8, 20, 1000
#: The lab's base setting, written out again: two layers of 16, both lrs 0.002, 1,000 updates.
BASE = dict(noise_dim=2, noise="gaussian", g_hidden=(16, 16), d_hidden=(16, 16),
            activation="leaky_relu", d_optimizer="adam", g_optimizer="adam", d_lr=0.002,
            g_lr=0.002, betas=(0.5, 0.999), d_steps=1, batch_size=64, loss="non-saturating",
            updates=UPDATES)
#: One corner of the lab: the eight Gaussians, with every other choice but d_steps away from the base.
FAR = dict(data="eight gaussians", d_steps=1, d_lr=0.001, g_lr=0.005, loss="minimax", width=8)


def setting(width=16, **changes):
    return gan.Settings(**dict(BASE, g_hidden=(width, width), d_hidden=(width, width), **changes))


def fakes(run, k):
    """The generator of snapshot k on the fixed evaluation noise (2,000 standard normal pairs)."""
    return run.at(k).generator(np.random.default_rng(gan.EVAL_SEED).standard_normal((2000, 2)))


def ring_sectors_covered(points):
    """Sectors of 30 degrees holding at least a third of their share (56 of 2,000) of the
    points between radius 0.85 and 1.15, counted by hand."""
    counts = [0] * 12
    for x1, x2 in points:
        r = math.hypot(x1, x2)
        if 0.85 <= r <= 1.15:
            counts[min(int(math.degrees(math.atan2(x2, x1)) % 360 // 30), 11)] += 1
    return sum(c >= math.ceil(len(points) / 12 / 3) for c in counts)


def gaussians_covered(points):
    """Of the eight Gaussians (std 0.05, on the unit circle every 45 degrees), those within
    3 standard deviations of which lie at least a third of their share (84 of 2,000)."""
    covered = 0
    for k in range(8):
        centre = np.array([math.cos(k * math.pi / 4), math.sin(k * math.pi / 4)])
        near = np.sum(np.linalg.norm((points - centre) / 0.05, axis=1) <= 3)
        covered += near >= math.ceil(len(points) / 8 / 3)
    return covered


def by_hand(data, points):
    return ring_sectors_covered(points) if data == "ring" else gaussians_covered(points)


def seeds_good(data, s, k=-1):
    """How many of the 8 seeds cover all modes but one at snapshot k, and each one's count."""
    covered = [by_hand(data, fakes(gan.train(data, s, seed, snapshots=SNAPSHOTS), k))
               for seed in range(SEEDS)]
    enough = 11 if data == "ring" else 7
    return sum(c >= enough for c in covered), covered


@pytest.fixture(scope="module")
def scene():
    return ModeCollapseScene()


def check_panels(scene, data, s, step):
    """Every panel shows its seed's fake points and coverage at ``step``."""
    modes, enough = (12, 11) if data == "ring" else (8, 7)
    good = 0
    for seed in range(SEEDS):
        run = gan.train(data, s, seed, snapshots=SNAPSHOTS)
        points = fakes(run, step)
        c = gan.coverage(points, data)
        assert c.covered == by_hand(data, points) == run.data["coverage"][step]
        assert scene.scores[seed].get_text() == f"{c.covered} / {modes}"
        colour = style.TEXT_GREEN if c.covered >= enough else style.TEXT_VERMILLION
        assert scene.scores[seed].get_color() == colour
        np.testing.assert_array_equal(np.column_stack(scene.fakes[seed].get_data()), points[:500])
        # one mark per covered mode, one per missed, each ended by a row of NaN
        marks = [np.isnan(np.asarray(line.get_xdata(), float)).sum()
                 for line in (scene.covered[seed], scene.missed[seed])]
        assert marks == [max(c.covered, 1), max(modes - c.covered, 1)]  # none: one NaN row
        good += c.covered >= enough
    word = "sectors" if data == "ring" else "modes"
    assert scene.summary.get_text() == f"{good} of 8 seeds cover {enough} or more of {modes} {word}"
    return good


# ------------------------------------------------------------------ what is drawn


def test_the_base_setting_is_the_one_written_here(scene):
    assert M.BASE == setting() and scene.setting() == setting()
    assert scene.values["step"] == SNAPSHOTS == scene.step_max()


@pytest.mark.parametrize("step", [0, 7, SNAPSHOTS])
def test_each_panel_shows_its_seeds_snapshot_and_coverage(scene, step):
    scene.set(step=step)
    check_panels(scene, "ring", setting(), step)


def test_the_step_walks_the_snapshots(scene):
    run = gan.train("ring", setting(), 0, snapshots=SNAPSHOTS)
    moments = [round(UPDATES * (k / SNAPSHOTS) ** 1.5) for k in range(SNAPSHOTS + 1)]
    assert list(run.moments) == moments and len(run.snapshots) == SNAPSHOTS + 1
    drawn = []
    for step in range(SNAPSHOTS + 1):
        scene.set(step=step)
        assert scene.when.get_text() == f"update {moments[step]:,} of 1,000 (snapshot {step} of 20)"
        drawn.append(np.column_stack(scene.fakes[0].get_data()))
        np.testing.assert_array_equal(drawn[-1], fakes(run, step)[:500])
    assert all(not np.array_equal(a, b) for a, b in zip(drawn, drawn[1:]))


def test_an_updated_frame_equals_a_fresh_scene(scene):
    scene.set(step=3)
    scene.render()
    scene.set(step=12)
    assert np.array_equal(scene.render(), ModeCollapseScene(step=12).render())


def test_the_far_corner_on_the_eight_gaussians_renders_quietly_and_is_drawn_right():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = ModeCollapseScene(**FAR)
        frame = scene.render()
        assert frame.std() > 0
        s = setting(width=8, d_steps=1, d_lr=0.001, g_lr=0.005, loss="minimax")
        assert scene.setting() == s
        for step in (0, SNAPSHOTS):
            scene.set(step=step)
            check_panels(scene, "eight gaussians", s, step)
            scene.render()


def test_the_corners_reach_every_option_and_are_few():
    corners = list(ModeCollapseScene.corner_values())
    for p in ModeCollapseScene.params:
        reached = {c[p.name] for c in corners}
        assert reached == (set(p.values()) if p.options else {0, SNAPSHOTS}), p.name
    assert FAR in [{k: v for k, v in c.items() if k != "step"} for c in corners]
    settings = {tuple(sorted((k, v) for k, v in c.items() if k != "step")) for c in corners}
    assert len(settings) == 3
    assert 2 * 2 * 3 * 3 * 3 * 3 == 324  # the settings a student can pick (the docstring's number)
    assert math.prod(len(p.options) for p in ModeCollapseScene.params if p.options) == 324


# ------------------------------------------------------------------ progress and bad input


def test_progress_hears_each_seed_while_a_setting_is_fetched(scene):
    heard = []
    scene.on_progress = heard.append
    try:
        scene.set(d_steps=2)
        assert heard == [f"training seed {i} of 8 ..." for i in range(1, 9)]
        heard.clear()
        scene.set(step=4)  # no new runs
        assert heard == []
    finally:
        scene.on_progress = None
        scene.set(d_steps=1, step=SNAPSHOTS)


@pytest.mark.parametrize("bad", [{"d_lr": 0.003}, {"g_lr": "0.002"}, {"width": 16.0}, {"width": 64},
                                 {"d_steps": True}, {"d_steps": 3}, {"loss": "wasserstein"},
                                 {"data": "moons"}, {"step": SNAPSHOTS + 1}, {"step": -1},
                                 {"step": 2.5}, {"step": "five"}, {"seed": 3}])
def test_bad_input_says_so_and_keeps_the_picture(scene, bad):
    scene.set(step=9)
    before, values = scene.render(), dict(scene.values)
    with pytest.raises((ValueError, TypeError, KeyError)) as raised:
        scene.set(**bad)
    assert next(iter(bad)) in str(raised.value)
    assert scene.values == values
    assert np.array_equal(scene.render(), before)


# ------------------------------------------------------------------ the docstring's figures


BASE_CHOICES = dict(data="ring", d_steps=1, d_lr=0.002, g_lr=0.002, loss="non-saturating", width=16)


@pytest.mark.parametrize("changes, good, stated", [
    ({}, 3, "at the base setting 3 of 8 seeds cover 11 or more of the 12 sectors"),
    ({"d_steps": 2}, 8, "with 2 D-steps per G-step, 8 of 8"),
    ({"d_lr": 0.005}, 8, "with D's learning rate 0.005, 8 of 8"),
    ({"g_lr": 0.005}, 0, "with G's learning rate 0.005 (G learning faster than D), 0 of 8"),
])
def test_the_measured_collapse_and_fixes(scene, changes, good, stated):
    """The figures of the module's docstring, counted by hand on the runs' last snapshots
    and read off the scene's summary."""
    assert stated in " ".join(M.__doc__.split())
    counted, covered = seeds_good("ring", setting(**changes))
    print(changes or "base", f"{counted} of 8:", covered)
    assert counted == good
    scene.set(**dict(BASE_CHOICES, **changes), step=SNAPSHOTS)
    assert scene.summary.get_text() == f"{good} of 8 seeds cover 11 or more of 12 sectors"
    scene.set(**BASE_CHOICES)
