"""The Convolutional networks chapter's checkers: right answers pass, each common mistake
gets its own hint, and anything else gets an answer, never an exception."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.exercises import convolution as ex
from test_exercises_bad_input import answers

# ----------------------------------------------------------------------------- output size


def size_right(h, k, s, p):
    return (h + 2 * p - k) // s + 1


@pytest.mark.parametrize("student", [
    size_right,
    lambda h, k, s, p: math.floor((h + 2 * p - k) / s) + 1,
    lambda h, k, s, p: float(np.floor((h + 2 * p - k) / s) + 1),
])
def test_output_size_right_answers_pass(student):
    assert ex.check_output_size(student).passed is True


@pytest.mark.parametrize("student, words", [
    (lambda h, k, s, p: (h + 2 * p - k) / s + 1, "use // (floor division), not /"),
    (lambda h, k, s, p: math.ceil((h + 2 * p - k) / s) + 1, "round down, not up"),
    (lambda h, k, s, p: (h + 2 * p - k) // s, "add 1"),
    (lambda h, k, s, p: (h + 2 * p - k + 1) // s, "add the 1 after dividing"),
    (lambda h, k, s, p: (h + p - k) // s + 1, "padding goes on both sides"),
    (lambda h, k, s, p: (h - k) // s + 1, "the padding is missing"),
    (lambda h, k, s, p: h + 2 * p - k + 1, "divide by the stride"),
    (lambda h, k, s, p: (h + 2 * p + k) // s + 1, "the padded side is h + 2p"),  # no known mistake
])
def test_output_size_mistakes_get_their_hints(student, words):
    result = ex.check_output_size(student)
    assert result.passed is False and words in result.message, result.message
    assert "output_size(" in result.message  # names the input


def test_output_size_floor_matters_in_the_cases():
    floor_cases = [c for c in ex._SIZE_CASES if (c[0] + 2 * c[3] - c[1]) % c[2]]
    assert len(floor_cases) >= 4


# ----------------------------------------------------------------------------- conv2d


def conv_right(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def conv_vectorised(image, kernel):
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijuv,uv->ij", windows, kernel)


def conv_flipped(image, kernel):
    return conv_right(image, kernel[::-1, ::-1])


def conv_swapped(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[j:j + kh, i:i + kw] * kernel)
    return out


def conv_same(image, kernel):
    kh, kw = kernel.shape
    padded = np.pad(image, ((kh // 2, (kh - 1) // 2), (kw // 2, (kw - 1) // 2)))
    return conv_right(padded, kernel)


def conv_short(image, kernel):
    return conv_right(image, kernel)[:-1, :-1]


@pytest.mark.parametrize("student", [conv_right, conv_vectorised, lambda im, k: conv_right(im, k).tolist()])
def test_conv2d_right_answers_pass(student):
    result = ex.check_conv2d(student)
    assert result.passed is True, result.message


@pytest.mark.parametrize("student, words", [
    (conv_flipped, "flipped"),
    (conv_swapped, "rows and columns are swapped"),
    (lambda im, k: conv_right(im, k).T, "rows and columns are swapped"),
    (lambda im, k: conv_right(im, k.T), "rows and columns are swapped"),
    (conv_same, "as large as the image"),
    (conv_short, "one row and one column are missing"),
    (lambda im, k: conv_right(im, k)[:1], "should be (H - kh + 1) x (W - kw + 1) = 2 x 2"),
    (lambda im, k: conv_right(im, k) + 1, "slide the kernel over every place"),
    (lambda im, k: np.zeros((3, 1)), "should be (H - kh + 1)"),
])
def test_conv2d_mistakes_get_their_hints(student, words):
    result = ex.check_conv2d(student)
    assert result.passed is False and words in result.message, result.message
    assert "conv2d(" in result.message


def test_conv2d_checks_against_the_engine_on_several_shapes():
    cases = ex._conv2d_cases()
    assert len({(im.shape, k.shape) for im, k in cases}) == len(cases) >= 5
    assert any(im.shape[0] != im.shape[1] for im, _ in cases) and any(k.shape[0] != k.shape[1] for _, k in cases)
    for image, kernel in cases:
        np.testing.assert_allclose(ex._conv2d(image, kernel), conv_right(image, kernel), atol=1e-12)
        assert not np.allclose(conv_right(image, kernel), conv_flipped(image, kernel)) or kernel.size == 1


def test_conv2d_crash_and_not_attempted():
    def todo(image, kernel):
        raise NotImplementedError

    def crash(image, kernel):
        return image[10, 10]

    assert ex.check_conv2d(todo).passed is None
    assert ex.check_conv2d(lambda im, k: None).passed is None
    assert ex.check_conv2d(None).passed is None
    result = ex.check_conv2d(crash)
    assert result.passed is False and "raised IndexError" in result.message and "rows and columns" in result.message


# ----------------------------------------------------------------------------- parameter count


def test_conv_parameters_right_answers_pass():
    assert ex.conv_parameters(8, 16, 3) == 1168
    assert ex.check_conv_parameters(1168) and ex.check_conv_parameters(1168.0)
    assert ex.check_conv_parameters(np.int64(80), 1, 8, 3)
    assert ex.check_conv_parameters(None).passed is None


@pytest.mark.parametrize("answer, words", [
    (1152, "weights only"),
    (1153, "a bias of its own"),
    (1160, "one per output channel"),
    (160, "all 8 input channels"),
    (400, "3 x 3 = 9 weights"),
    (73, "that is one filter"),
    (1000, "in_channels * out_channels * k * k + out_channels"),
])
def test_conv_parameters_mistakes_get_their_hints(answer, words):
    result = ex.check_conv_parameters(answer)
    assert result.passed is False and words in result.message, result.message


def test_conv_parameters_of_a_first_layer():
    assert ex.check_conv_parameters(80, in_channels=1, out_channels=8, kernel_size=3)
    assert "weights only" in ex.check_conv_parameters(72, in_channels=1, out_channels=8, kernel_size=3).message
    with pytest.raises(ValueError):
        ex.check_conv_parameters(80, in_channels=0)


# ----------------------------------------------------------------------------- junk


junk = st.one_of(
    st.none(), st.just(...), st.booleans(), st.integers(), st.integers(min_value=10 ** 300),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8), st.complex_numbers(),
    st.lists(st.floats(allow_nan=False, width=32), max_size=4), st.just(np.zeros((2, 2))),
    st.just(np.array(["a"])), st.just({"x": 1}), st.just(object()), st.just(b"1"),
)


@settings(max_examples=60, deadline=None)
@given(value=junk)
def test_junk_answers_get_an_answer(value):
    answers(ex.check_conv_parameters, value)
    for checker in (ex.check_output_size, ex.check_conv2d):
        answers(checker, value)  # not a function
        answers(checker, lambda *args, _v=value: _v)  # a function that returns junk
        result = answers(checker, lambda *args, _v=value: (_ for _ in ()).throw(ValueError(repr(_v))))
        assert result.passed is False and "raised ValueError" in result.message
