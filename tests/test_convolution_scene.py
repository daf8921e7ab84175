"""The convolution and pooling scenes against plain numpy: the feature map, the window's
arithmetic, the output size they print, bad typed kernels, and the pooled maps."""

import re
import warnings

import numpy as np
import pytest

from course_utils import data
from course_utils.scenes import convolution as conv
from course_utils.scenes import pooling
from course_utils.scenes.convolution import ConvolutionScene, feature_map, parse_kernel
from course_utils.scenes.pooling import PoolingScene
from course_utils.widgets import interactive


def conv_loop(image, kernel, stride=1, padding=0):
    """Cross-correlation, one output cell at a time."""
    x = np.pad(image, padding)
    kh, kw = kernel.shape
    out = np.zeros(((x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i * stride:i * stride + kh, j * stride:j * stride + kw] * kernel)
    return out


def pool_loop(x, reduce, size, stride):
    side = (x.shape[0] - size) // stride + 1
    return np.array([[reduce(x[i * stride:i * stride + size, j * stride:j * stride + size])
                      for j in range(side)] for i in range(side)])


def numbers_in(text):
    return [float(t.replace("\u2212", "-")) for t in re.findall(r"\u2212?\d+(?:\.\d+)?", text)]


KERNEL_NAMES = [k for k in conv.KERNELS]


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 0), (3, 0), (1, 1), (2, 1), (3, 2), (2, 2)])
@pytest.mark.parametrize("name", ["digit 2", "digit 7", "cross", "diagonal"])
def test_the_engine_map_equals_a_numpy_loop_and_the_formula(name, stride, padding):
    rng = np.random.default_rng(stride * 10 + padding)
    for kernel in [np.array(conv.KERNELS[k], float) for k in KERNEL_NAMES] + [rng.normal(size=(3, 3))]:
        got = feature_map(conv.image(name), kernel, stride, padding)
        np.testing.assert_allclose(got, conv_loop(conv.image(name), kernel, stride, padding), atol=1e-12)
        side = (8 + 2 * padding - 3) // stride + 1
        assert got.shape == (side, side) and conv.output_size(8, 3, stride, padding) == side


def test_the_images_are_the_digits_and_patterns_named():
    images, _ = data.digits()
    assert np.array_equal(conv.image("digit 0"), images[812])
    assert np.array_equal(conv.image("cross"), data.pattern("cross", 8))
    assert len({conv.image(n).tobytes() for n in conv.IMAGE_CHOICES}) == len(conv.IMAGE_CHOICES)


@pytest.mark.parametrize("settings", [
    dict(), dict(stride=2, step=7), dict(padding=2, step=57, kernel="sharpen"),
    dict(stride=3, padding=1, step=99, kernel="blur", image="cross"),  # past the last cell: the last
    dict(kernel="custom", custom="1 2 3 -4 -5 -6 0.5 0 -0.25", padding=1, step=30),
])
def test_the_scene_shows_its_map_its_arithmetic_and_the_output_size(settings):
    scene = ConvolutionScene(**settings)
    v = scene.values
    s, p = v["stride"], v["padding"]
    kernel = parse_kernel(v["custom"]) if v["kernel"] == "custom" else np.array(conv.KERNELS[v["kernel"]], float)
    want = conv_loop(conv.image(v["image"]), kernel, s, p)
    np.testing.assert_allclose(scene.map, want, atol=1e-12)
    side = (8 + 2 * p - 3) // s + 1
    assert scene.formula.get_text().endswith(f"= {side}, so the feature map is {side} \u00d7 {side}")
    assert f"\u230a(8 + 2\u00b7{p} \u2212 3) / {s}\u230b + 1 = \u230a{5 + 2 * p} / {s}\u230b" in scene.formula.get_text()
    assert scene.title_out.get_text() == f"feature map {side} \u00d7 {side}"
    # the arithmetic: the window's pixels and the kernel's weights, and their sum
    i, j = divmod(min(v["step"], side * side - 1), side)
    *rows, total = scene.sums.get_text().split("\n")
    pairs = np.array(numbers_in(" ".join(rows))).reshape(3, 3, 2)
    window = np.pad(conv.image(v["image"]), p)[i * s:i * s + 3, j * s:j * s + 3]
    np.testing.assert_allclose(pairs[..., 0], window.round(2), atol=1e-9)
    np.testing.assert_allclose(pairs[..., 1], kernel.round(2), atol=1e-9)
    assert numbers_in(total) == [round(want[i, j], 2) + 0.0]
    assert abs(np.sum(window * kernel) - want[i, j]) < 1e-12
    # the window and the current cell are boxed where they are
    assert scene.inputs.frame_box.get_bbox().bounds == (j * s - 0.5, i * s - 0.5, 3, 3)
    assert scene.outputs.frame_box.get_bbox().bounds == (j - 0.5, i - 0.5, 1, 1)


def test_the_step_range_follows_the_map_and_a_new_stride_keeps_the_cell_on_it():
    scene = ConvolutionScene(step=30)
    assert scene.step_max() == 35
    scene.set(stride=2)
    assert scene.values["step"] == 8 == scene.step_max()
    scene.set(padding=2, stride=1)
    assert scene.step_max() == 99 and scene.values["step"] == 8


@pytest.mark.parametrize("bad, words", [
    ("0 0 0 0 1 0 0 0", "your kernel: give nine numbers separated by spaces; got 8"),
    ("", "got none"),
    ("1 2 3 4 five 6 7 8 9", "'five' is not a number"),
    ("1 0 0 0 0 0 0 0 1e6", "between \u2212100 and 100"),
    ("nan 0 0 0 0 0 0 0 0", "not a number you can compute with"),
])
def test_a_bad_typed_kernel_says_so_plainly_and_leaves_the_picture(bad, words):
    for kernel in ("custom", "blur"):
        scene = ConvolutionScene(kernel=kernel, custom="1 0 -1 1 0 -1 1 0 -1")
        before, frame = dict(scene.values), scene.render()
        with pytest.raises(ValueError) as info:
            scene.set(custom=bad)
        assert words in str(info.value) and "Traceback" not in str(info.value)
        assert scene.values == before
        assert np.array_equal(scene.render(), frame)


def test_typing_a_kernel_picks_it_and_the_widget_says_when_it_cannot():
    ui = interactive(ConvolutionScene())
    box = ui.controls["custom"]
    box.value = "0 0 0 0 2 0 0 0 0"
    assert ui.controls["kernel"].value == "custom" == ui.scene.values["kernel"]
    np.testing.assert_allclose(ui.scene.map, 2 * conv.image("digit 2")[1:-1, 1:-1])
    picture = ui.image.value
    box.value = "0 0 0 0 2 0 0 0"
    assert "your kernel: give nine numbers separated by spaces; got 8" in ui.message.value
    assert ui.image.value == picture and box.value == "0 0 0 0 2 0 0 0"
    ui.controls["step"].value = 3
    assert ui.message.value == "" and ui.image.value != picture


@pytest.mark.parametrize("scene_cls, changes", [
    (ConvolutionScene, dict(image="cross", kernel="sharpen", stride=3, padding=2, step=20)),
    (PoolingScene, dict(image="digit 7", mode="average", size=3, stride=1, step=40)),
])
def test_every_control_changes_the_picture_over_its_whole_range(scene_cls, changes):
    scene = scene_cls()
    for p in scene_cls.params:
        values = p.values() if p.options else range(int(p.low), int(p.high) + 1) if p.integer else ()
        frames = []
        for value in values:
            if p.name == "step" and value > scene.step_max():
                break
            scene.set(**{p.name: value})
            frames.append(scene.render().tobytes())
        assert len(set(frames)) == len(frames), p.name
    typed = ConvolutionScene(kernel="custom")
    before = typed.render()
    assert not np.array_equal(typed.set(custom="1 1 1 0 0 0 -1 -1 -1").render(), before)
    assert not np.array_equal(scene_cls().render(), scene_cls(**changes).render())


@pytest.mark.parametrize("scene_cls", [ConvolutionScene, PoolingScene])
def test_corners_render_without_warnings_and_like_a_fresh_scene(scene_cls):
    corners = list(scene_cls.corner_values())
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = scene_cls()
        for corner in corners[::7] + corners[-1:]:
            scene.set(**corner)
            frame = scene.render()
        assert np.array_equal(frame, scene_cls(**corners[-1]).render())


def test_the_gif_slides_over_every_cell_then_with_stride_2_and_padding_1():
    frames = [changes for changes, _ in ConvolutionScene().storyboard()]
    passes = [(f["stride"], f["padding"]) for f in frames]
    assert passes == [(1, 0)] * 36 + [(2, 0)] * 9 + [(1, 1)] * 64
    assert [f["step"] for f in frames] == list(range(36)) + list(range(9)) + list(range(64))


# ----------------------------------------------------------------------------- pooling


@pytest.mark.parametrize("size, stride", [(2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3)])
def test_pooling_equals_numpy_max_and_mean(size, stride):
    x = pooling.edge_map("digit 0")
    np.testing.assert_allclose(x, conv_loop(conv.image("digit 0"), np.array(conv.KERNELS["edges in x"]), 1, 1))
    assert x.shape == (8, 8)
    np.testing.assert_array_equal(pooling.pool(x, "max", size, stride), pool_loop(x, np.max, size, stride))
    np.testing.assert_allclose(pooling.pool(x, "average", size, stride), pool_loop(x, np.mean, size, stride))


@pytest.mark.parametrize("settings", [dict(), dict(mode="average", size=3, stride=1, step=20),
                                      dict(mode="max", size=3, stride=3, step=40, image="digit 7")])
def test_the_pooling_scene_shows_the_window_the_value_kept_and_the_size(settings):
    scene = PoolingScene(**settings)
    v = scene.values
    k, s = v["size"], v["stride"]
    x = pooling.edge_map(v["image"])
    reduce = np.max if v["mode"] == "max" else np.mean
    np.testing.assert_allclose(scene.pooled, pool_loop(x, reduce, k, s))
    side = (8 - k) // s + 1
    assert scene.formula.get_text().endswith(f"= {side}, so the pooled map is {side} \u00d7 {side}")
    i, j = divmod(min(v["step"], side * side - 1), side)
    window = x[i * s:i * s + k, j * s:j * s + k]
    *rows, _, kept = scene.kept.get_text().split("\n")
    np.testing.assert_allclose(np.reshape(numbers_in(" ".join(rows)), (k, k)), window.round(2) + 0.0)
    assert numbers_in(kept)[-1] == round(reduce(window), 2) + 0.0
    assert scene.winner.get_visible() == (v["mode"] == "max")
    if v["mode"] == "max":
        u, w = np.unravel_index(np.argmax(window), window.shape)
        assert scene.winner.get_bbox().bounds == (j * s + w - 0.5, i * s + u - 0.5, 1, 1)
        assert window[u, w] == window.max()
