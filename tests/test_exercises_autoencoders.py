"""The Autoencoders chapter's checkers: right answers pass, the usual slips get their own
hint, the right answers are computed here again by hand (pixel loops, the trained model's
own output), and nothing a student types makes a checker raise."""

import numpy as np
import pytest
from hypothesis import given

from course_utils import autoencoders as A
from course_utils import data
from course_utils.exercises import autoencoders as ex

from test_exercises_bad_input import BIG, CHECK, answers, functions, values

# ----------------------------------------------------------------------------- compression ratio


def test_the_sizes_of_exercise_1():
    assert (ex.DIGIT_IMAGE, ex.DIGIT_CODE, ex.LARGE_IMAGE, ex.LARGE_CODE) == ((8, 8), 2, (28, 28), 16)
    assert A.images()[0].shape[1] == 8 * 8  # the chapter's digits really are 64 numbers


@pytest.mark.parametrize("answer", [32, 32.0, np.int64(32), np.float32(32), 64 / 2, np.array(32)])
def test_compression_ratio_of_a_digit_is_32(answer):
    result = ex.check_compression_ratio(answer)
    assert result.passed is True and "64 / 2 = 32 times smaller" in result.message


def test_compression_ratio_of_a_large_image_is_49():
    assert 28 * 28 / 16 == 49
    result = ex.check_compression_ratio(49, ex.LARGE_IMAGE, ex.LARGE_CODE)
    assert result.passed is True and "784 / 16 = 49" in result.message
    assert ex.check_compression_ratio(32, ex.LARGE_IMAGE, ex.LARGE_CODE).passed is False
    assert ex.check_compression_ratio(49).passed is False
    assert ex.check_compression_ratio(21.33, (8, 8), 3).passed is True  # 64 / 3, rounded


DIGIT_SLIPS = [
    (2 / 64, "the inverse"), (0.0312, "the inverse"), (62, "the difference"),
    (4, "8 is only one side"), (8, "adds the sides"), (0.25, "upside down"),
    (3.125, "as a percentage"), (0.96875, "share of the numbers that is dropped"),
    (96.875, "percentage of the numbers that is dropped"), (128, "that multiplies"),
    (64, "size of the image alone"), (2, "size of the code alone"),
    (33, "64 / 2"), (-32, "64 / 2"), (float("nan"), "64 / 2"), (float("inf"), "64 / 2"),
    ("32", "the text"), ("64/2", "the text"), ((64, 2), "shape (2,)"), (True, "truth value"),
    (BIG, "too large"), ({"ratio": 32}, "not a number"),
]


@pytest.mark.parametrize("answer, words", DIGIT_SLIPS)
def test_compression_ratio_names_each_slip(answer, words):
    result = answers(ex.check_compression_ratio, answer)
    assert result.passed is False and words in result.message, result.message


def test_each_compression_slip_has_its_own_message():
    hints = {ex.check_compression_ratio(a).message.split("Hint: ")[-1] for a, _ in DIGIT_SLIPS[:14]}
    assert len(hints) == 12  # 11 slips recognised (the inverse twice), and the rule for 33 and -32


@pytest.mark.parametrize("answer, words", [(16 / 784, "the inverse"), (768, "the difference"),
                                           (28 / 16, "28 is only one side"), (3.5, "adds the sides")])
def test_compression_slips_of_the_large_image(answer, words):
    result = ex.check_compression_ratio(answer, ex.LARGE_IMAGE, ex.LARGE_CODE)
    assert result.passed is False and words in result.message, result.message


@pytest.mark.parametrize("image, code", [((8,), 2), ((8, 8), 0), ((8, 8), True), ("8x8", 2),
                                         ((8, 8.0), 2), ((8, 8), 2.5)])
def test_a_notebooks_wrong_sizes_are_a_plain_value_error(image, code):
    with pytest.raises(ValueError, match="image must be"):
        ex.check_compression_ratio(32, image, code)


# ----------------------------------------------------------------------------- reconstruction error


def by_hand(x, rebuilt):
    """The mean over each row's pixels of the squared difference, written out as loops."""
    out = []
    for row, row_rebuilt in zip(np.asarray(x).tolist(), np.asarray(rebuilt).tolist()):
        out.append(sum((a - b) ** 2 for a, b in zip(row, row_rebuilt)) / len(row))
    return np.array(out)


def right(x, rebuilt):
    return np.mean((x - rebuilt) ** 2, axis=1)


def test_the_printed_pair_has_errors_0_0675_and_0_06():
    assert ex.X.shape == ex.REBUILT.shape == (2, 4)
    # row 1: differences 0.1, -0.3, -0.1, 0.4 -> squares 0.01 + 0.09 + 0.01 + 0.16 = 0.27, / 4
    # row 2: -0.2, -0.4, 0.2, 0.0 -> 0.04 + 0.16 + 0.04 + 0 = 0.24, / 4
    np.testing.assert_allclose(by_hand(ex.X, ex.REBUILT), [0.0675, 0.06], rtol=1e-12)
    np.testing.assert_allclose(A.errors(ex.REBUILT, ex.X), [0.0675, 0.06], rtol=1e-12)
    assert not ex.X.flags.writeable and not ex.REBUILT.flags.writeable


def test_the_checkers_cases_and_answers_agree_with_loops_and_the_trained_model():
    cases = ex._error_cases()
    model = A.train(2).at(-1)
    digits = A.images()[2][:3]
    np.testing.assert_array_equal(cases[2][0], digits)
    np.testing.assert_allclose(cases[2][1], model(digits), rtol=1e-12)  # the autoencoder's rebuilt
    shapes = [len(x) for x, _ in cases]
    assert shapes == [2, 1, 3, 2]  # a batch of one among them
    for x, rebuilt in cases:
        np.testing.assert_allclose(A.errors(rebuilt, x), by_hand(x, rebuilt), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(by_hand(*cases[3]), [0, 0])  # a perfect copy


@pytest.mark.parametrize("student", [
    right,
    lambda x, r: np.mean((r - x) ** 2, axis=1),  # either order
    lambda x, r: ((x - r) ** 2).sum(axis=1) / x.shape[1],
    lambda x, r: np.mean(np.square(x - r), axis=-1).tolist(),
    lambda x, r: A.errors(r, x),
    by_hand,
])
def test_reconstruction_error_accepts_the_mean_of_squares_per_row(student):
    result = ex.check_reconstruction_error(student)
    assert result.passed is True and "all 4 inputs" in result.message


def test_reconstruction_error_may_change_its_inputs():
    def in_place(x, rebuilt):
        x -= rebuilt
        x **= 2
        return x.mean(axis=1)
    assert ex.check_reconstruction_error(in_place).passed is True
    np.testing.assert_array_equal(ex.X, [[0, 1, 1, 0], [1, 1, 0, 0]])  # unchanged


ERROR_SLIPS = [
    (lambda x, r: np.sum((x - r) ** 2, axis=1), "the sum over the pixels"),
    (lambda x, r: np.mean(x - r, axis=1), "square the differences"),
    (lambda x, r: np.mean(r - x, axis=1), "square the differences"),
    (lambda x, r: np.mean(np.abs(x - r), axis=1), "mean absolute error"),
    (lambda x, r: np.sqrt(np.mean((x - r) ** 2, axis=1)), "leave out the square root"),
    (lambda x, r: np.mean(x - r, axis=1) ** 2, "squares the mean difference"),
    (lambda x, r: np.mean((x - r) ** 2), "one number for the whole batch"),
    (lambda x, r: [np.mean((x - r) ** 2)], "one number for the whole batch"),
    (lambda x, r: np.sum((x - r) ** 2), "one sum for the whole batch"),
    (lambda x, r: np.mean((x - r) ** 2, axis=0), "averages over the images"),
    (lambda x, r: (x - r) ** 2, "squared differences of every pixel"),
    (lambda x, r: np.mean((x - r) ** 2, axis=1, keepdims=True), "shaped (n, 1)"),
]


@pytest.mark.parametrize("slip, words", ERROR_SLIPS)
def test_reconstruction_error_names_each_slip(slip, words):
    result = answers(ex.check_reconstruction_error, slip)
    assert result.passed is False and words in result.message, result.message
    assert "reconstruction_error([[0.0, 1.0, 1.0, 0.0]" in result.message  # names the input


def test_each_error_slip_has_its_own_message():
    hints = [ex.check_reconstruction_error(s).message.split("Hint: ")[-1] for s, _ in ERROR_SLIPS]
    assert len(set(hints)) == len(hints) - 2  # the two signs of the difference, the two scalars


def test_the_numbers_of_a_wrong_answer_are_shown():
    message = ex.check_reconstruction_error(ERROR_SLIPS[0][0]).message
    assert "returned [0.27, 0.24], expected [0.0675, 0.06]" in message


def test_a_slip_found_only_on_the_digits_is_named_there():
    def right_on_small_images(x, r):
        return right(x, r) if x.shape[1] < 64 else np.sum((x - r) ** 2, axis=1)
    result = ex.check_reconstruction_error(right_on_small_images)
    assert result.passed is False and "on 3 held-out digits" in result.message
    assert "the sum over the pixels" in result.message

    def one_image_only(x, r):  # right for a batch of two, wrong for the single image
        return right(x, r)[0] if len(x) == 1 else right(x, r)
    result = ex.check_reconstruction_error(one_image_only)
    assert "shape (1,) is expected" in result.message


def test_reconstruction_error_with_bad_functions():
    assert ex.check_reconstruction_error(None).passed is None
    assert ex.check_reconstruction_error(...).passed is None
    assert ex.check_reconstruction_error(lambda x, r: None).passed is None
    assert ex.check_reconstruction_error(lambda x, r: ...).passed is None

    def not_yet(x, rebuilt):
        raise NotImplementedError
    assert ex.check_reconstruction_error(not_yet).passed is None
    text = ex.check_reconstruction_error("np.mean((x - rebuilt) ** 2)")
    assert text.passed is False and "should be a function" in text.message
    crash = ex.check_reconstruction_error(lambda x, r: x @ r)  # (2, 4) @ (2, 4)
    assert crash.passed is False and "raised ValueError" in crash.message
    assert "too large" in ex.check_reconstruction_error(lambda x, r: BIG).message
    assert "the text" in ex.check_reconstruction_error(lambda x, r: "0.0675").message
    assert ex.check_reconstruction_error(lambda: 0).passed is False  # takes no arguments


# ----------------------------------------------------------------------------- unusual inputs


def errors_by_hand(images):
    model = A.train(2).at(-1)
    return np.array([np.mean((model(img[None])[0] - img) ** 2) for img in images])


def test_the_pairs_show_what_their_comments_say():
    x_test, y_test = A.images()[2:]
    found, kinds = A.non_digits()
    assert y_test[345] == 7 and y_test[377] == 2
    assert kinds[0] == "pattern: vertical bar" and kinds[12] == "noise"
    np.testing.assert_array_equal(found[0], data.pattern("vertical bar").ravel())
    np.testing.assert_array_equal(ex.unusual_pair("noise"), [x_test[345], found[12]])
    np.testing.assert_array_equal(ex.unusual_pair("bar"), [x_test[377], found[0]])
    assert ex.unusual_pair().shape == (2, 64)
    # the bar is "close to a 1": its code lies among the 1s' codes
    model = A.train(2).at(-1)
    x, y = A.images()[:2]
    codes, bar = model[0](x), model[0](found[:1])
    nearest = np.argsort(np.linalg.norm(codes - bar, axis=1))[:15]
    assert np.sum(y[nearest] == 1) >= 12


def test_the_unusual_images_and_their_errors():
    noise, bar = errors_by_hand(ex.unusual_pair("noise")), errors_by_hand(ex.unusual_pair("bar"))
    np.testing.assert_allclose(noise, [0.0310, 0.1998], atol=5e-5)
    np.testing.assert_allclose(bar, [0.1068, 0.0456], atol=5e-5)
    assert noise[1] > 5 * noise[0] and bar[0] > 2 * bar[1]  # clear answers, not coin flips
    held_out = errors_by_hand(A.images()[2])
    others = lambda i: np.delete(held_out, i)  # noqa: E731 - a held-out image is not compared with itself
    # numbers the pass messages state
    assert np.sum(held_out > noise[1]) == 0 and np.sum(others(345) > noise[0]) == 199
    assert np.sum(others(377) > bar[0]) == 1 and np.sum(held_out > bar[1]) == 88
    assert np.median(held_out) == pytest.approx(0.0310, abs=5e-4)  # a is a typical 7


@pytest.mark.parametrize("pair, side", [("noise", "b"), ("bar", "a")])
def test_unusual_accepts_the_higher_error_and_its_reason(pair, side):
    images = ex.unusual_pair(pair)
    assert side == "ab"[int(np.argmax(errors_by_hand(images)))]
    for answer in (side, side.upper(), f" image {side} ", np.str_(side)):
        for reason in ("higher reconstruction error", "Higher error", " larger reconstruction error"):
            result = ex.check_unusual(answer, reason, pair=pair)
            assert result.passed is True and "higher reconstruction error" in result.message
    assert ex.check_unusual(side, pair=pair).passed is None  # the reason is still to come
    assert "now choose the reason" in ex.check_unusual(side, None, pair=pair).message


def test_unusual_default_pair_is_the_bar():
    assert ex.check_unusual("a", ex.REASONS[0]).passed is True
    bar = ex.check_unusual("a", ex.REASONS[0]).message
    assert "1 of the other 399 held-out digits is rebuilt worse than a; 88 of the 400" in bar
    noise = ex.check_unusual("b", ex.REASONS[0], pair="noise").message
    assert "None of the 400 held-out digits is rebuilt worse than b; 199 of the other 399" in noise


@pytest.mark.parametrize("pair, wrong", [("noise", "a"), ("bar", "b")])
def test_unusual_names_the_lower_error(pair, wrong):
    for reason in (None, ex.REASONS[0], ex.REASONS[2]):
        result = ex.check_unusual(wrong, reason, pair=pair)
        assert result.passed is False and "rebuilds better" in result.message
        assert ("To your eye b is no digit" in result.message) is (pair == "bar")


@pytest.mark.parametrize("reason, words", [
    ("lower reconstruction error", "its error is the higher one"), ("lower error", "the higher one"),
    ("it is not a digit", "no idea what a digit is"), ("not a digit", "no idea what a digit is"),
    ("more ink", "ink is not what the autoencoder measures"),
    ("it looks odd", "is not one of the options"), (1, "is not one of the options"),
    (True, "is not one of the options"), (BIG, "is not one of the options"),
])
def test_unusual_names_each_wrong_reason(reason, words):
    for pair, side in (("noise", "b"), ("bar", "a")):
        result = answers(lambda r: ex.check_unusual(side, r, pair=pair), reason)
        assert result.passed is False and words in result.message, result.message
        assert f"'{side}' is right" in result.message


@pytest.mark.parametrize("answer, words", [
    ("c", "not one of the options"), ("both", "not one of the options"), (0, "not one of the options"),
    (["a"], "not one of the options"), (BIG, "not one of the options"),
])
def test_unusual_names_answers_that_are_no_option(answer, words):
    result = answers(lambda v: ex.check_unusual(v, ex.REASONS[0]), answer)
    assert result.passed is False and words in result.message, result.message


def test_unusual_with_the_arguments_swapped():
    result = ex.check_unusual("higher reconstruction error", "a")
    assert result.passed is False and "swapped" in result.message


def test_an_unknown_pair_is_the_notebooks_bug_and_raises():
    for pair in ("zebra", None, 1):
        with pytest.raises(ValueError, match="pair must be one of"):
            ex.check_unusual("a", ex.REASONS[0], pair=pair)
    with pytest.raises(ValueError, match="pair must be one of"):
        ex.unusual_pair("zebra")


# ----------------------------------------------------------------------------- any Python value

CHECKERS = {
    "compression_ratio": ex.check_compression_ratio,
    "compression_ratio(large)": lambda v: ex.check_compression_ratio(v, ex.LARGE_IMAGE, ex.LARGE_CODE),
    "unusual(answer)": lambda v: ex.check_unusual(v, ex.REASONS[0]),
    "unusual(reason)": lambda v: ex.check_unusual("a", v),
    "unusual(noise, both)": lambda v: ex.check_unusual(v, v, pair="noise"),
    "reconstruction_error": ex.check_reconstruction_error,
}


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("nothing", [None, ...])
def test_none_means_not_attempted(name, nothing):
    result = answers(CHECKERS[name], nothing)
    assert result.passed is None and "run this cell again" in result.message


@pytest.mark.parametrize("name", CHECKERS)
def test_a_huge_integer_gets_an_answer(name):
    for value in (BIG, (BIG, BIG), lambda *args: BIG, np.zeros((3, 3)), np.zeros(0)):
        result = answers(CHECKERS[name], value)
        assert result.passed is False and len(result.message) < 600


@pytest.mark.parametrize("name", CHECKERS)
@CHECK
@given(value=values)
def test_every_checker_answers_any_value(name, value):
    answers(CHECKERS[name], value)


@CHECK
@given(student=functions)
def test_reconstruction_error_answers_any_function(student):
    answers(ex.check_reconstruction_error, student)
