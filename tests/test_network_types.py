"""The Types of networks chapter: the scene draws every family at every step, the step
moves the signal, what each diagram claims is what the engine computes, the GIF's
storyboard covers all six families, and the exercise checkers answer anything."""

import io
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import nn
from course_utils.exercises import Feedback
from course_utils.exercises import network_types as exercises
from course_utils.scenes import network_types as N
from course_utils.scenes.network_types import FAMILIES, LAST, NetworkTypesScene

#: a word each family's title and dropdown label must contain
NAMES = {"feedforward": "Feedforward", "convolutional": "Convolutional", "recurrent": "Recurrent",
         "lstm": "LSTM", "gan": "Generative adversarial", "autoencoder": "Autoencoder"}


@pytest.fixture(scope="module")
def scene():
    return NetworkTypesScene()


def dots(scene):
    return np.array(scene.families[scene.values["family"]].dots.get_data(), dtype=float)


# ----------------------------------------------------------------------------- the scene


def test_draws_every_family_at_every_step_and_each_step_changes_the_picture(scene):
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for family in FAMILIES:
            frames = [scene.set(family=family, step=k).render() for k in range(LAST + 1)]
            assert all(f.std() > 0 for f in frames), family
            same = [k for k in range(LAST) if np.array_equal(frames[k], frames[k + 1])]
            assert not same, f"{family}: steps {same} and the next one draw the same picture"


@pytest.mark.parametrize("family", FAMILIES)
def test_the_step_moves_the_dots_along_and_they_are_gone_at_the_end(scene, family):
    fam = scene.families[family]
    weights = [w for w, _, _ in fam.legs]
    seen = []
    for k in range(LAST):
        leg, t = N.progress(weights, k)
        scene.set(family=family, step=k)
        if fam.legs[leg][1]:  # a leg with paths (the CNN's window has none): a dot on each
            got = dots(scene)
            np.testing.assert_allclose(got, np.array([N.along(p, t) for p in fam.legs[leg][1]]).T)
            seen.append(got.tobytes())
    assert len(seen) > LAST // 3 and len(set(seen)) == len(seen), "every step moves the dots"
    scene.set(family=family, step=LAST)
    assert dots(scene).size == 0


def test_progress_walks_every_leg_in_order():
    for weights in ([1, 1, 1], [3, 1, 1], [1] * 6):
        seen = [N.progress(weights, k) for k in range(LAST + 1)]
        assert seen[0] == (0, 0.0) and seen[-1] == (len(weights) - 1, 1.0)
        assert seen == sorted(seen), "the signal never goes back"
        assert {leg for leg, _ in seen} == set(range(len(weights)))
        assert all(0 <= t <= 1 for _, t in seen)
    # the CNN's window gets three fifths of the steps
    assert N.progress([3, 1, 1], round(0.6 * LAST) - 1)[0] == 0


def test_along_measures_by_length():
    path = np.array([[0.0, 0.0], [3.0, 0.0], [3.0, 1.0]])
    np.testing.assert_allclose(N.along(path, 0.0), [0, 0])
    np.testing.assert_allclose(N.along(path, 0.5), [2, 0])
    np.testing.assert_allclose(N.along(path, 1.0), [3, 1])


def test_a_step_change_keeps_the_background(scene, monkeypatch):
    scene.set(family="lstm", step=0)
    scene.render()
    calls = []
    monkeypatch.setattr(scene, "draw_background", lambda: calls.append(1))
    for k in (1, 7, LAST):
        scene.set(step=k)
        scene.render()
    assert not calls and scene._background is not None


def test_text_shown_for_each_family_names_it(scene):
    labels = dict((v, label) for label, v in NetworkTypesScene.param("family").options)
    renderer = scene.fig.canvas.get_renderer()
    width = scene.fig.bbox.width
    for family, word in NAMES.items():
        scene.set(family=family, step=LAST)
        assert word in scene.title.get_text() and word in labels[family]
        assert scene.good_for.get_text().startswith("Good for: ")
        assert not any(w in scene.title.get_text() for f, w in NAMES.items() if f != family), family
        for _, _, caption in scene.families[family].legs:  # every caption fits in the picture
            scene.caption.set_text(caption)
            assert scene.caption.get_window_extent(renderer).x1 < width - 4, caption
        for text in (scene.title, scene.good_for):
            assert text.get_window_extent(renderer).x1 < width - 4, text.get_text()


def test_only_the_chosen_family_is_drawn(scene):
    for family in FAMILIES:
        scene.set(family=family, step=LAST // 2)
        for name, fam in scene.families.items():
            assert fam.ax.get_visible() is (name == family)
            if name != family:
                assert not any(a.get_visible() for a in fam.movers), name


# ----------------------------------------------------------------------------- what each diagram claims


def test_the_feature_maps_are_a_convolution_of_the_image():
    maps = N.feature_maps()
    assert maps.shape == (3, 6, 6) and maps[0].size == exercises.feature_map_cells(8, 3) == 36
    for m, kernel in zip(maps, N.FILTERS):
        by_hand = [[np.sum(N.SEVEN[i:i + 3, j:j + 3] * kernel) for j in range(6)] for i in range(6)]
        np.testing.assert_allclose(m, by_hand, atol=1e-12)
    assert np.abs(maps[0]).max() > 0 and np.abs(maps[1]).max() > 0  # the 7 has both kinds of edge


def test_the_window_fills_the_maps_cell_by_cell(scene):
    scene.set(family="convolutional", step=0)
    filled = []
    for k in range(LAST + 1):
        scene.set(step=k)
        filled.append(np.isfinite(np.ma.filled(scene.map_images[0].get_array(), np.nan)).sum())
        if scene.window.get_visible():
            x, y = scene.window.get_xy()
            assert 0.6 - 1e-9 <= x <= 0.6 + 5 * 0.4 + 1e-9 and 1.8 - 1e-9 <= y <= 5.0 - 1.2 + 1e-9
    assert filled[0] == 1 and filled[-1] == 36 and filled == sorted(filled)
    assert not scene.window.get_visible()


@pytest.mark.parametrize("kind, layer", [("recurrent", nn.RNN), ("lstm", nn.LSTM)])
def test_the_bars_are_the_hidden_states_of_the_engine(scene, kind, layer):
    states = N.hidden_states(kind)
    np.testing.assert_array_equal(states, layer(1, 4, rng=0)(N.SEQUENCE)[0])
    assert states.shape == (4, 4) and np.all(np.abs(states) > 1e-3)
    scene.set(family=kind, step=LAST)
    bars = [a for a, _, _ in scene.families[kind].reveals]
    assert len(bars) == 4 and all(b.get_visible() for b in bars)
    for bar, h in zip(bars, states):
        heights = [seg[1, 1] - seg[0, 1] for seg in bar.get_segments()]
        np.testing.assert_allclose(heights / h, heights[0] / h[0])  # one scale for every bar
    scene.set(step=0)
    assert not any(b.get_visible() for b in bars)  # h_1 is not computed yet


@pytest.mark.parametrize("kind", ["recurrent", "lstm"])
def test_the_loop_carries_the_state_from_step_to_step(scene, kind):
    fam = scene.families[kind]
    assert len(fam.legs) == 4  # four time steps
    carried = 2 if kind == "lstm" else 1  # h, and for the LSTM c too
    for t, (_, paths, caption) in enumerate(fam.legs):
        assert f"Time step {t + 1}" in caption
        # x_t -> cell -> y_t, the state(s) from the step before, and from step 2 on the loop
        assert len(paths) == 1 + carried + (2 if t else 0)
    cells = fam.lights[0][0]  # the outlines of the unrolled cells that have computed their state

    def lit(step):
        scene.set(family=kind, step=step)
        return len(cells.get_xdata())

    assert lit(0) == 0 and 0 < lit(LAST // 2) < 4 and lit(LAST) == 4


def test_the_gan_and_the_autoencoder_show_their_output_only_at_the_end(scene):
    for family in ("gan", "autoencoder"):
        fam = scene.families[family]
        scene.set(family=family, step=0)
        assert not any(a.get_visible() for a, _, _ in fam.reveals)
        scene.set(step=LAST)
        assert all(a.get_visible() for a, _, _ in fam.reveals)
    captions = " ".join(c for _, _, c in scene.families["gan"].legs)
    for word in ("noise", "generator", "fake", "discriminator", "real", "verdict"):
        assert word in captions.lower()
    code = [pts for _, pts in scene.families["autoencoder"].lights]
    assert [len(p) for p in code] == [6, 4, 2, 4, 6]  # the code is the narrow middle: 2 numbers


def test_storyboard_covers_all_six_families_with_the_signal_moving():
    board = list(NetworkTypesScene().storyboard())
    families = [c["family"] for c, _ in board]
    assert list(dict.fromkeys(families)) == list(FAMILIES)  # each once, in order
    for family in FAMILIES:
        steps = [c["step"] for c, _ in board if c["family"] == family]
        assert steps[0] == 0 and steps[-1] == LAST and steps == sorted(set(steps)) and len(steps) > 10
    assert all(d > 0 for _, d in board) and sum(d for _, d in board) < 30_000


def test_picture_is_a_png_of_the_family(scene):
    from PIL import Image

    image = scene.picture("gan")
    assert scene.values == {"family": "gan", "step": LAST}
    assert Image.open(io.BytesIO(image.data)).size == (640, 320)


def test_the_exercises_name_the_scenes_families():
    assert exercises.FAMILIES == tuple(FAMILIES)
    for key, (label, _, _) in FAMILIES.items():
        assert exercises.family_name(key) == key
    assert exercises.family_name("CNN") == "convolutional" and exercises.family_name(" Rnn ") == "recurrent"


# ----------------------------------------------------------------------------- exercises

RIGHT = {"A": "convolutional", "B": "feedforward", "C": "recurrent", "D": "lstm", "E": "gan",
         "F": "autoencoder"}


def test_families_checker():
    assert exercises.check_families(RIGHT)
    assert exercises.check_families({**RIGHT, "C": "LSTM", "A": "cnn"})
    assert exercises.check_families(None).passed is None
    assert exercises.check_families({k: None for k in RIGHT}).passed is None
    partly = exercises.check_families({"A": "convolutional", "B": None})
    assert partly.passed is None and "A right" in partly.message and "B" in partly.message
    wrong = exercises.check_families({**RIGHT, "D": "recurrent"})
    assert wrong.passed is False and "problem D" in wrong.message and "gated" in wrong.message
    assert exercises.check_families({**RIGHT, "B": "transformer"}).passed is False
    assert "no problem 'G'" in exercises.check_families({"G": "gan"}).message
    assert exercises.check_families(["gan"]).passed is False
    for letter, (_, fits, hint) in exercises.PROBLEMS.items():
        for family in FAMILIES:
            result = exercises.check_families({**RIGHT, letter: family})
            assert result.passed is (family in fits), (letter, family)
            if family not in fits:
                assert hint in result.message


def test_feature_map_size_checker():
    assert exercises.check_feature_map_size(36) and exercises.check_feature_map_size(36.0)
    assert exercises.check_feature_map_size(np.int64(36))
    assert exercises.check_feature_map_size(None).passed is None
    for wrong, word in ((6, "one side"), (64, "pixels"), (25, "6 places"), (30, "squared")):
        result = exercises.check_feature_map_size(wrong)
        assert result.passed is False and word in result.message, wrong
    assert exercises.check_feature_map_size(16, image=6, window=3)
    assert exercises.check_feature_map_size("36").passed is False
    assert exercises.check_feature_map_size(True).passed is False


def test_carries_state_checker():
    assert exercises.check_carries_state(["recurrent", "lstm"])
    assert exercises.check_carries_state({"RNN", "lstm"})
    assert exercises.check_carries_state(None).passed is None
    missing = exercises.check_carries_state(["rnn"])
    assert missing.passed is False and "lstm" in missing.message
    extra = exercises.check_carries_state(["rnn", "lstm", "autoencoder"])
    assert extra.passed is False and "autoencoder" in extra.message
    assert exercises.check_carries_state("rnn").passed is False
    assert exercises.check_carries_state([]).passed is False
    assert exercises.check_carries_state([None]).passed is False


anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8),
    st.just(math.inf), st.just(10 ** 400), st.just({10 ** 5000: "cnn"}), st.just([10 ** 5000]),
    st.just(1 + 2j), st.just(b"cnn"), st.just(np.array(["cnn"])),
    st.just(np.array([36.0, 1.0])), st.lists(st.one_of(st.text(max_size=5), st.integers(), st.none()), max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=2), st.integers()), st.one_of(st.text(max_size=6), st.none(),
                                                                              st.integers()), max_size=4),
    st.sampled_from(list(FAMILIES) + ["CNN", "mlp"]), st.just({"A": ["cnn"]}), st.just(object()),
)


@settings(max_examples=150, deadline=None)
@given(value=anything)
def test_checkers_answer_anything_without_raising(value):
    for checker in (exercises.check_families, exercises.check_feature_map_size, exercises.check_carries_state):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = checker(value)
        assert isinstance(result, Feedback) and result.passed in (True, False, None)
        assert result.message.strip() and len(result.message) < 600


def test_feature_map_checker_for_the_notebooks_question():
    # the notebook asks for a 5 x 5 filter on a 28 x 28 image: 24 places per side
    assert exercises.feature_map_cells(28, 5) == 576
    assert exercises.check_feature_map_size(576, image=28, window=5)
    for wrong, word in ((24, "one side"), (784, "pixels"), (529, "24 places")):
        result = exercises.check_feature_map_size(wrong, image=28, window=5)
        assert result.passed is False and word in result.message, wrong


# ----------------------------------------------------------------------------- the notebook

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_network_types.ipynb"


def notebook_markdown() -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def test_the_notebook_lists_the_checkers_problems_and_states_computed_numbers():
    text = notebook_markdown()
    for letter, (problem, _, _) in exercises.PROBLEMS.items():
        assert f"**{letter}.** {problem}" in text
    assert f"64 × 36 = {64 * 36:,}" in text and "same 9 weights" in text and N.KERNEL ** 2 == 9
    maps = N.feature_maps()
    assert f"8 × 8 image into three\n{maps.shape[1]} × {maps.shape[2]} maps" in text
    assert f"{maps.shape[1]} × {maps.shape[2]} = {maps[0].size} positions" in text
    sequence = ", ".join(f"{v:g}" for v in N.SEQUENCE[:, 0]).replace("-", "\u2212")
    assert f"reading the sequence {sequence}." in text
    code = [len(points) for _, points in NetworkTypesScene().families["autoencoder"].lights]
    assert "(2 numbers in the picture)" in text and min(code) == 2
    assert "$28 - 5 + 1 = 24$" in text and f"{exercises.feature_map_cells(28, 5)} numbers" in text


def test_the_notebook_points_to_each_familys_chapter_and_to_the_next():
    text = notebook_markdown()
    assert "[03_layers](03_layers.ipynb)" in text
    for name in ("04a_convolutional_networks", "04b_recurrent_networks",
                 "04c_generative_adversarial_networks", "04d_autoencoders"):
        # named, and linked only once the notebook exists (the link test checks every link)
        linked = f"]({name}.ipynb)" in text
        assert name in text and linked is (NOTEBOOK.parent / f"{name}.ipynb").exists()
    assert text.rstrip().endswith("Next: **Convolutional networks**.")
