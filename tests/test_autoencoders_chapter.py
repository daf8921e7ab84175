"""The numbers the Autoencoders chapter's prose states, each computed here from the
recorded runs with plain numpy (the printed tables are checked by nbval)."""

import json
from pathlib import Path

import numpy as np
import pytest

from course_utils import autoencoders as A
from course_utils.scenes import code_map as C

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04d_autoencoders.ipynb"


@pytest.fixture(scope="module")
def prose():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def mean_error(rebuilt, x):
    return float(np.mean((np.asarray(rebuilt) - x) ** 2))


def nearest_centre_right(train_codes, y, test_codes, y_test):
    centres = np.array([train_codes[y == c].mean(axis=0) for c in range(10)])
    guess = np.argmin(((test_codes[:, None] - centres[None]) ** 2).sum(-1), axis=1)
    return int(np.sum(guess == y_test))


def test_the_code_map_sorts_the_digits_without_labels(prose):
    x, y, x_test, y_test = A.images()
    run = A.train(2)
    right = {k: nearest_centre_right(A.encode(run.at(k), x), y, A.encode(run.at(k), x_test), y_test)
             for k in (0, -1)}
    pca = nearest_centre_right(A.pca_codes(x, 2), y, A.pca_codes(x_test, 2), y_test)
    assert (right[-1], right[0], pca) == (277, 126, 247)
    assert "gets 277 of the 400\n  right (69 %)" in prose and "Before training it gets 126" in prose
    assert "gets 247 of the 400 right on PCA's" in prose


def test_which_digits_are_rebuilt_best_and_worst(prose):
    x_test, y_test = A.images()[2:]
    rebuilt = A.train(2).at(-1)(x_test)
    per_class = [mean_error(rebuilt[y_test == c], x_test[y_test == c]) for c in range(10)]
    assert [round(per_class[c], 3) for c in (0, 6, 8)] == [0.024, 0.023, 0.044]
    assert np.argmin(per_class) == 6 and np.argmax(per_class) == 8 and sorted(per_class)[1] == per_class[0]
    assert "(mean errors 0.023 and 0.024)" in prose and "worst (0.044)" in prose


def test_the_path_from_a_4_to_a_0_passes_the_6s(prose):
    x, y = A.images()[:2]
    model = A.train(2).at(-1)
    picture = A.decode(model, C.path_point(4, 0, 0.5))[0]
    nearest = np.argsort(((x - picture) ** 2).sum(-1))[:15]  # the training digits it looks most like
    assert np.all(y[nearest] == 6)
    assert "the middle decodes to a 6" in prose


def test_autoencoder_against_pca(prose):
    x, _, x_test, _ = A.images()
    ae, pca = [], []
    for k in A.CODE_SIZES:
        ae.append(mean_error(A.train(k).at(-1)(x_test), x_test))
        pca.append(mean_error(A.pca_rebuild(x_test, k), x_test))
    ratio = np.array(ae) / np.array(pca)
    assert np.all(np.diff(ae) < 0) and np.all(np.diff(pca) < 0)
    assert (round(100 * (1 - ratio.max())), round(100 * (1 - ratio.min()))) == (22, 36)
    assert "by 22 to 36 %" in prose
    assert 1 - ratio[1] == pytest.approx(1 / 3, abs=0.02) and "a third lower" in prose
    linear = A.train(2, linear=True).at(-1)
    gap = mean_error(linear(x), x) / mean_error(A.pca_rebuild(x, 2), x) - 1
    assert 0 <= gap < 0.004 and "within 0.3 % of PCA" in prose


def test_the_denoising_numbers(prose):
    x_test = A.images()[2]
    noisy = A.noisy(x_test, 0.4, A.NOISE_SEED + 1)
    plain, denoising = A.train(16).at(-1), A.train(16, noise=0.4).at(-1)
    found = [round(mean_error(v, x_test), 3) for v in (noisy, plain(noisy), denoising(noisy))]
    assert found == [0.084, 0.096, 0.034]
    assert "0.084 from the clean digits" in prose and "(0.096, even a\n  little worse)" in prose
    assert "gets to 0.034" in prose
    clean = [round(mean_error(m(x_test), x_test), 3) for m in (plain, denoising)]
    assert clean == [0.008, 0.023] and "(0.008 against\n  0.023)" in prose
    small = A.train(2).at(-1)
    assert mean_error(small(noisy), x_test) < mean_error(noisy, x_test)  # code 2 passes no noise on


def test_the_anomaly_numbers(prose):
    x_test = A.images()[2]
    images, kinds = A.non_digits()
    model = A.train(8).at(-1)
    digit_errors = np.mean((model(x_test) - x_test) ** 2, axis=1)
    other_errors = np.mean((model(images) - images) ** 2, axis=1)
    caught, flagged = int(np.sum(other_errors > 0.05)), int(np.sum(digit_errors > 0.05))
    assert (caught, len(images), flagged) == (35, 36, 1)
    assert "catches 35 of the 36\n  non-digits and flags 1 of the 400 digits" in prose
    missed = int(np.flatnonzero(other_errors <= 0.05)[0])
    assert kinds[missed] == "pattern: vertical bar" and other_errors[missed] < np.median(digit_errors)


def test_a_threshold_from_normal_data_alone(prose):
    x_test = A.images()[2]
    images = A.non_digits()[0]
    model = A.train(8).at(-1)
    digit_errors = np.mean((model(x_test) - x_test) ** 2, axis=1)
    other_errors = np.mean((model(images) - images) ** 2, axis=1)
    threshold = np.percentile(digit_errors, 99)
    assert round(threshold, 3) == 0.041 and "(0.041 here)" in prose
    assert (int(np.sum(other_errors > threshold)), int(np.sum(digit_errors > threshold))) == (35, 4)


def test_the_first_digit_of_each_class_and_exercise_3(prose):
    x_test, y_test = A.images()[2:]
    model = A.train(2).at(-1)
    errors = np.mean((model(x_test) - x_test) ** 2, axis=1)
    first = {c: errors[np.flatnonzero(y_test == c)[0]] for c in range(10)}
    assert (round(first[6], 3), round(first[8], 3)) == (0.005, 0.062)
    assert min(first, key=first.get) == 6 and max(first, key=first.get) == 8
    assert "(error 0.005), the 8 worst (0.062)" in prose
    from course_utils.exercises import autoencoders as ex
    pair = ex.unusual_pair("bar")
    pair_errors = np.mean((model(pair) - pair) ** 2, axis=1)
    assert round(pair_errors[1], 4) == 0.0456 and round(float(np.median(errors)), 3) == 0.031
    assert int(np.sum(errors > pair_errors[0])) == 1  # the second-worst of the 400
    linear = A.train(2, linear=True).at(-1)
    x = A.images()[0]
    found = (round(mean_error(linear(x), x), 5), round(mean_error(A.pca_rebuild(x, 2), x), 5))
    assert found == (0.05257, 0.05241) and "(0.05257\nagainst 0.05241)" in prose
