"""Why a network needs non-linearity: a stack of Linear layers stays a straight line,
the same stack with an activation between its layers bends to the data.

The references are written here: second differences of a straight line, the
least-squares line of the data (numpy's lstsq), the product of the layers' matrices.
"""

import numpy as np
import pytest

from course_utils import data, nn
from course_utils.scenes import nonlinearity as N
from course_utils.scenes.nonlinearity import NonlinearityScene


def least_squares_mse(x, y):
    """The mean squared error of the best straight line through (x, y) (shapes (n,))."""
    design = np.stack([x, np.ones_like(x)], axis=1)
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    return float(np.mean((design @ coef - y) ** 2))


def linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


@pytest.mark.parametrize("activation", N.STACK_ACTIVATIONS)
@pytest.mark.parametrize("hidden", [1, N.HIDDEN_MAX])
def test_linear_stack_is_a_straight_line_and_the_other_is_not(activation, hidden):
    linear, nonlinear = N.fit_stack(None, hidden), N.fit_stack(activation, hidden)
    spacing = N.GRID[1] - N.GRID[0]
    lines, bends = N.predictions(linear), N.predictions(nonlinear)
    assert lines.shape == bends.shape == (N.SNAPSHOTS + 1, len(N.GRID))
    # a straight line has zero second differences, at every snapshot of training
    curvature = np.abs(np.diff(lines, n=2, axis=1)) / spacing ** 2
    assert curvature.max() < 1e-9
    bent = np.abs(np.diff(bends[-1], n=2)) / spacing ** 2
    assert bent.max() > 0.5
    # the linear stack can do no better than the best straight line (least squares) ...
    x, y = linear.data["x"][:, 0], linear.data["y"][:, 0]
    best_line = least_squares_mse(x, y)
    linear_loss = linear.curves["train_loss"]
    assert linear_loss.shape == (N.EPOCHS + 1,)
    assert np.all(linear_loss >= best_line - 1e-9)
    assert linear_loss[-1] == pytest.approx(best_line, rel=0.02)
    # ... and the network with an activation does far better
    assert nonlinear.curves["train_loss"][-1] < best_line / 5


def test_both_stacks_learn_the_same_data():
    linear, nonlinear = N.fit_stack(None, 2), N.fit_stack("relu", 2)
    x, y = data.wave(40, 0.1, rng=0)
    for run in (linear, nonlinear):
        np.testing.assert_array_equal(run.data["x"], x)
        np.testing.assert_array_equal(run.data["y"], y)
        assert run.moments == N.EPOCH_AT
    assert list(N.EPOCH_AT) == list(range(0, N.EPOCHS + 1, N.EPOCHS // N.SNAPSHOTS))


def test_recorded_loss_is_the_snapshots_mse():
    run = N.fit_stack("tanh", 2)
    x, y = run.data["x"], run.data["y"]
    for k in (0, 7, N.SNAPSHOTS):
        model = run.at(k)
        a = x
        for layer in linears(model)[:-1]:  # Linear, tanh, Linear, tanh, Linear by hand
            a = np.tanh(a @ layer.weight.data.T + layer.bias.data)
        out = a @ linears(model)[-1].weight.data.T + linears(model)[-1].bias.data
        assert float(np.mean((out - y) ** 2)) == pytest.approx(run.curve_at("train_loss", k), rel=1e-9)


def test_linear_layers_multiply_out_to_one_linear_map():
    model = N.build_stack(3, None)
    weight, bias = N.collapse_linear(model)
    x = np.linspace(-2, 2, 7)[:, None]
    np.testing.assert_allclose(model(x), x @ weight.T + bias, atol=1e-12)
    # by hand: the product of the four matrices, and the biases carried through them
    (w1, b1), (w2, b2), (w3, b3), (w4, b4) = ((m.weight.data, m.bias.data) for m in model)
    np.testing.assert_allclose(weight, w4 @ w3 @ w2 @ w1, atol=1e-12)
    np.testing.assert_allclose(bias, w4 @ (w3 @ (w2 @ b1 + b2) + b3) + b4, atol=1e-12)
    # the trained linear stack, multiplied out at its last snapshot, is its prediction
    run = N.fit_stack(None, 2)
    weight, bias = N.collapse_linear(run.at(-1))
    np.testing.assert_allclose(N.predictions(run)[-1], weight[0, 0] * N.GRID + bias[0], atol=1e-9)


def test_both_stacks_start_from_the_same_weights():
    plain, with_act = N.build_stack(2, None), N.build_stack(2, "tanh")
    assert len(linears(with_act)) == len(plain) == 3
    assert sum(isinstance(m, nn.Tanh) for m in with_act) == 2
    for a, b in zip(plain, linears(with_act)):
        assert np.array_equal(a.weight.data, b.weight.data) and np.array_equal(a.bias.data, b.bias.data)
    # and the recorded runs start there too
    for hidden in (1, N.HIDDEN_MAX):
        start_plain, start_act = N.fit_stack(None, hidden).snapshots[0], N.fit_stack("relu", hidden).snapshots[0]
        act_values = [start_act[k] for k in sorted(start_act, key=lambda k: (int(k.split(".")[0]), k))]
        plain_values = [start_plain[k] for k in sorted(start_plain, key=lambda k: (int(k.split(".")[0]), k))]
        assert len(plain_values) == len(act_values) == 2 * (hidden + 1)
        for a, b in zip(plain_values, act_values):
            np.testing.assert_array_equal(a, b)


def test_training_is_seeded_and_cached():
    first = N.fit_stack.__wrapped__("sigmoid", N.HIDDEN_MAX)  # trained anew, not cached
    again = N.fit_stack.__wrapped__("sigmoid", N.HIDDEN_MAX)
    assert first is not again
    np.testing.assert_array_equal(N.predictions(first), N.predictions(again))
    np.testing.assert_array_equal(first.curves["train_loss"], again.curves["train_loss"])
    assert N.fit_stack("tanh", 1) is N.fit_stack("tanh", 1)
    assert N.predictions(N.fit_stack("tanh", 1)) is N.predictions(N.fit_stack("tanh", 1))
    preds = N.predictions(N.fit_stack("tanh", 1))
    assert not preds.flags.writeable
    with pytest.raises(ValueError):
        preds[0, 0] = 1.0


def test_bad_activation_is_refused():
    with pytest.raises(ValueError, match="activation"):
        N.fit_stack("gelu", 1)


def test_nonlinearity_scene_shows_the_fit_of_its_step():
    scene = NonlinearityScene(activation="tanh", layers=1, step=0)
    linear, nonlinear = N.fit_stack(None, 1), N.fit_stack("tanh", 1)
    np.testing.assert_array_equal(scene.fits[1].get_ydata(), N.predictions(nonlinear)[0])
    np.testing.assert_array_equal(scene.fits[0].get_ydata(), N.predictions(linear)[0])
    assert scene.loss_texts[1].get_text() == f"snapshot 0 of 30: epoch 0, MSE {nonlinear.curves['train_loss'][0]:.3f}"
    scene.set(step=N.SNAPSHOTS)
    np.testing.assert_array_equal(scene.fits[0].get_ydata(), N.predictions(linear)[-1])
    np.testing.assert_array_equal(scene.fits[1].get_ydata(), N.predictions(nonlinear)[-1])
    end = f"snapshot 30 of 30: epoch {N.EPOCHS}, MSE"
    assert scene.loss_texts[1].get_text() == f"{end} {nonlinear.curves['train_loss'][-1]:.3f}"
    assert scene.loss_texts[0].get_text() == f"{end} {linear.curves['train_loss'][-1]:.3f}"
    assert scene.titles[0].get_text() == "2 Linear layers, no activation"
    # the formula is the linear stack multiplied out
    weight, bias = N.collapse_linear(linear.at(-1))
    sign = "+" if bias[0] >= 0 else "\u2212"
    assert scene.formula.get_text() == f"= one line: y = {weight[0, 0]:.2f}x {sign} {abs(bias[0]):.2f}"
    np.testing.assert_array_equal(scene.point_sets[0].get_xdata(), linear.data["x"][:, 0])


@pytest.mark.parametrize("k", [0, 1, 12, N.SNAPSHOTS])
def test_the_snapshot_slider_and_the_picture_agree(k):
    """The slider picks a recorded moment and is labelled "snapshot"; both panels say
    which snapshot it is and the epoch the run recorded it after."""
    from course_utils.widgets import interactive

    ui = interactive(NonlinearityScene(activation="tanh", layers=2, step=0 if k else 5))
    slider = ui.controls["step"]
    assert slider.description == "snapshot" and (slider.min, slider.max) == (0, N.SNAPSHOTS)
    slider.value = k
    epoch = N.fit_stack("tanh", 2).moments[k]  # as recorded: every 10 epochs
    assert epoch == 10 * k
    for text in ui.scene.loss_texts:
        assert text.get_text().startswith(f"snapshot {slider.value} of {N.SNAPSHOTS}: epoch {epoch}, MSE ")
