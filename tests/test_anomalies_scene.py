"""The anomaly scene: reconstruction errors of digits and non-digits, and a threshold.

Expected values are computed here: the autoencoder's forward pass written from its
recorded weights, the errors as means of squared differences, and every count by
comparing errors with the threshold (or with the bin edges).
"""

import warnings

import numpy as np
import pytest

from course_utils import autoencoders as ae, digits
from course_utils.scenes import anomalies as S
from course_utils.scenes.anomalies import AnomalyScene
from course_utils.widgets import log_ladder

STOPS = log_ladder(0.002, 0.5)  # the slider's thresholds


def rebuild(snapshot, x):
    """``64 -> 32 tanh -> code -> 32 tanh -> 64 sigmoid`` with the recorded weights."""
    def linear(a, name):
        return a @ snapshot[f"{name}.weight"].T + snapshot[f"{name}.bias"]
    code = linear(np.tanh(linear(x, "0.0")), "0.2")
    out = linear(np.tanh(linear(code, "1.0")), "1.2")
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-out))


def errors(code):
    """``(digits, non_digits, labels)``: the errors of the 400 held-out digits and of the
    36 non-digits, computed here, and the digits' labels."""
    x_test, y_test = digits.split()[2:]
    x = x_test.reshape(len(x_test), 64)
    odd = np.asarray(ae.non_digits()[0])
    snapshot = ae.train(code).snapshots[-1]
    return (np.mean((rebuild(snapshot, x) - x) ** 2, axis=1),
            np.mean((rebuild(snapshot, odd) - odd) ** 2, axis=1), y_test)


def tiles(image_artist):
    """The 8 x 8 pictures of a gallery (frame and gaps NaN, empty places above 1)."""
    shown = np.ma.getdata(image_artist.get_array())
    assert shown.shape == (10, 9 * S.SHOWN + 1)
    found = [shown[1:9, 1 + 9 * k:9 + 9 * k] for k in range(S.SHOWN)]
    return np.array([t.reshape(64) for t in found if (t <= 1).all()]).reshape(-1, 64)


def summary(scene):
    """The numbers of the summary line: caught, of, missed, false alarms."""
    words = scene.summary.get_text().replace(";", " ").replace(",", " ").split()
    return [int(w) for w in words if w.isdigit()][:4]


# --------------------------------------------------------------------------------------
# the claims
# --------------------------------------------------------------------------------------


def test_the_non_digits_are_36_different_images():
    odd, kinds = ae.non_digits()
    assert odd.shape == (36, 64) and len(kinds) == 36
    assert len({row.tobytes() for row in np.asarray(odd)}) == 36


def test_default_threshold_catches_most_and_flags_few():
    """Code 8 at the default threshold 0.05: 35 of 36 non-digits caught (1 missed, the
    vertical bar), 1 false alarm among the 400 digits. Median errors: digits 0.0132,
    non-digits 0.254."""
    d, odd, _ = errors(8)
    threshold = AnomalyScene.param("threshold").default
    caught, false_alarms = int(np.sum(odd > threshold)), int(np.sum(d > threshold))
    assert caught >= 0.9 * len(odd) and false_alarms <= 0.01 * len(d)
    assert (threshold, caught, false_alarms) == (0.05, 35, 1)
    assert ae.non_digits()[1][int(np.argmin(odd))] == "pattern: vertical bar"
    assert (round(float(np.median(d)), 4), round(float(np.median(odd)), 3)) == (0.0132, 0.254)
    assert summary(AnomalyScene()) == [35, 36, 1, 1]


def test_the_bar_is_rebuilt_better_than_most_digits():
    d, odd, _ = errors(8)
    bar = odd[list(ae.non_digits()[1]).index("pattern: vertical bar")]
    assert bar < np.median(d) and round(float(bar), 4) == 0.0075


def test_code_8_separates_best():
    """The gap between the worst-rebuilt digit and the non-digits but the lowest (the bar),
    as a factor: 1.20, 1.63, 2.15, 3.18, 2.72 for codes 1, 2, 4, 8, 16."""
    gaps = {}
    for code in ae.CODE_SIZES:
        d, odd, _ = errors(code)
        gaps[code] = np.sort(odd)[1] / d.max()
    assert max(gaps, key=gaps.get) == 8 == AnomalyScene.param("code").default
    assert {c: round(float(g), 2) for c, g in gaps.items()} == {1: 1.2, 2: 1.63, 4: 2.15, 8: 3.18, 16: 2.72}


@pytest.mark.parametrize("code", ae.CODE_SIZES)
def test_caught_never_decreases_as_the_threshold_falls(code):
    scene = AnomalyScene(code=code)
    drawn = []
    for threshold in sorted(STOPS, reverse=True):
        scene.set(threshold=threshold)
        drawn.append(summary(scene))
    caught = [c for c, _, _, _ in drawn]
    alarms = [f for _, _, _, f in drawn]
    assert caught == sorted(caught) and alarms == sorted(alarms)
    assert all(c + m == 36 for c, _, m, _ in drawn)
    assert caught[-1] == 36 and alarms[-1] == 400  # at 0.002 everything is flagged
    assert alarms[0] == 0  # at 0.5 no digit is


# --------------------------------------------------------------------------------------
# what the scene draws
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [dict(), dict(threshold=0.002), dict(threshold=0.5, code=2),
                                    dict(threshold=0.15, code=16), dict(threshold=0.03, code=4)])
def test_drawn_numbers_and_pictures_are_computed_here(values):
    scene = AnomalyScene(**values)
    code, threshold = scene.values["code"], scene.values["threshold"]
    d, odd, labels = errors(code)
    caught, false_alarms = int(np.sum(odd > threshold)), int(np.sum(d > threshold))
    assert summary(scene) == [caught, 36, 36 - caught, false_alarms]
    assert scene.summary.get_text() == (f"caught {caught} of 36 non-digits, missed {36 - caught}; "
                                        f"false alarms: {false_alarms} of 400 digits")
    # the histograms: counts per bin by comparison, errors outside the axis in its end bins
    for stairs, e in zip(scene.stairs, (d, odd)):
        heights, edges = stairs.get_data().values, stairs.get_data().edges
        np.testing.assert_allclose(edges, np.geomspace(1e-3, 1, 37), rtol=1e-12)
        e = np.clip(e, 1e-3, 1)
        want = [np.sum((e >= lo) & ((e < hi) | (i == 35)))  # the last bin holds its right edge
                for i, (lo, hi) in enumerate(zip(edges, edges[1:]))]
        assert list(heights) == want and sum(want) == len(e)
    assert all(list(cut.get_xdata()) == [threshold, threshold] for cut in scene.cuts)
    # the worst digits, highest error first; framed when flagged
    image, _, names, numbers, frames = scene.galleries[0]
    worst = np.argsort(-d)[:6]
    assert list(d[worst]) == sorted(d, reverse=True)[:6]
    x_test = digits.split()[2].reshape(400, 64)
    np.testing.assert_array_equal(tiles(image), x_test[worst])
    assert [n.get_text() for n in names] == [f"a {labels[i]}" for i in worst]
    assert [n.get_text() for n in numbers] == [f"{d[i]:.3f}" for i in worst]
    assert [f.get_visible() for f in frames] == [bool(d[i] > threshold) for i in worst]
    # the non-digits that pass, lowest error first
    image, title, names, numbers, _ = scene.galleries[1]
    passing = [i for i in np.argsort(odd) if odd[i] <= threshold]
    assert len(passing) == 36 - caught
    np.testing.assert_array_equal(tiles(image), np.asarray(ae.non_digits()[0])[passing[:6]].reshape(-1, 64))
    assert [n.get_text() for n in numbers][:len(passing[:6])] == [f"{odd[i]:.3f}" for i in passing[:6]]
    assert title.get_text().startswith("non-digits that pass: " + (str(len(passing)) if passing else "none"))
    kinds = ae.non_digits()[1]
    assert [n.get_text() for n in names][:len(passing[:6])] == [
        kinds[i].removeprefix("pattern: ").replace("vertical", "vert.").replace("horizontal", "horiz.")
        if kinds[i].startswith("pattern")
        else "inverted" if kinds[i].startswith("inverted") else "noise" for i in passing[:6]]


def test_threshold_label_stays_inside_and_says_the_value():
    for threshold in (0.002, 0.05, 0.07, 0.08, 0.5):
        scene = AnomalyScene(threshold=threshold)
        shown = [label for label in scene.cut_labels.values() if label.get_visible()]
        assert len(shown) == 1 and f"threshold {threshold:g}" in shown[0].get_text()
        scene.render()
        for word in shown[0].words:
            if word.get_text():
                box = word.get_window_extent(scene.fig.canvas.get_renderer())
                assert 0 <= box.x0 and box.x1 <= 0.53 * scene.fig.bbox.width  # left of the pictures


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = AnomalyScene()
        for corner in AnomalyScene.corner_values():
            scene.set(**corner)
            assert scene.render().std() > 0
    corners = list(AnomalyScene.corner_values())
    for target in (corners[0], corners[-1]):
        assert np.array_equal(scene.set(**target).render(), AnomalyScene(**target).render())


@pytest.mark.parametrize("bad", [dict(threshold=0.0), dict(threshold=0.001), dict(threshold=0.9),
                                 dict(threshold="high"), dict(code=3), dict(code=8.0), dict(cutoff=1)])
def test_bad_input_keeps_the_picture(bad):
    scene = AnomalyScene(threshold=0.02, code=4)
    before = scene.render()
    with pytest.raises((ValueError, TypeError, KeyError)):
        scene.set(**bad)
    assert scene.values == {"threshold": 0.02, "code": 4}
    assert np.array_equal(scene.render(), before)


def test_storyboard_lowers_the_threshold_at_the_default_code():
    board = list(AnomalyScene().storyboard())
    assert board[0][0]["threshold"] == 0.5 and board[-1][0]["threshold"] == 0.05
    for changes, duration in board:
        assert duration > 0 and changes["code"] == 8
        for name, value in changes.items():
            AnomalyScene.param(name).validate(value)
