"""The dropout scenes: the masks drawn are the engine's, the scaling is inverted dropout's,
evaluation mode is the network without dropout, and the chapter's numbers hold.

The references are independent of the code under test: a training loop written here
(the five lines of a PyTorch step, with the engine's modules, reading each Dropout's
mask after every forward pass), and forward passes written from the formulas (tanh
layers, the mask, the 1/(1 - p) factor, the sigmoid, binary cross-entropy) with the
recorded weights.

Numbers the notebook can quote, each computed by the test named:

* the final validation loss after 1000 epochs falls as p grows, below 0.4 times the
  plain run's at p = 0.5 (``test_dropout_lowers_the_final_validation_loss``); the lowest
  validation loss of every run is within 2 % of the plain run's, and the final training
  loss grows with p (``test_dropout_keeps_the_lowest_validation_loss``).
* the average of n masks against evaluation mode, at p = 0.2, 0.5, 0.7
  (``test_ensemble_converges_to_a_limit_near_evaluation_mode``).
"""

import warnings

import numpy as np
from matplotlib.colors import to_rgb
import pytest

from course_utils import nn, overfitting, style
from course_utils.nn import optim
from course_utils.scenes import dropout as D
from course_utils.scenes import dropout_effect as E
from course_utils.scenes.dropout import DropoutScene
from course_utils.scenes.dropout_effect import DropoutEffectScene

# --------------------------------------------------------------------------------------
# references written here
# --------------------------------------------------------------------------------------


def engine_loop(p, updates=D.STEPS):
    """Train ``overfitting.network(p)`` with full-batch Adam and binary cross-entropy, the
    five lines of a step written out; return the keep-masks of every forward pass (per
    layer, (updates, 40, 32)), the loss of each, and the weights before each update."""
    x, y = overfitting.problem()[:2]
    model = overfitting.network(p)
    dropouts = [m for m in model if isinstance(m, nn.Dropout)]
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = optim.Adam(model.parameters(), lr=overfitting.LEARNING_RATE)
    model.train()
    masks, losses, weights = [[] for _ in dropouts], [], []
    for _ in range(updates):
        weights.append(model.state_dict())
        output = model(x)
        for kept, layer in zip(masks, dropouts):
            kept.append(layer.mask.copy())
        losses.append(loss_fn(output, y))
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    weights.append(model.state_dict())
    return [np.array(m) for m in masks], np.array(losses), weights


@pytest.fixture(scope="module")
def loops():
    return {p: engine_loop(p) for p in D.P_OPTIONS}


def linear_layers(state):
    """The (W, b) pairs of a state_dict, in layer order (keys "<index>.weight")."""
    indices = sorted({int(k.split(".")[0]) for k in state})
    return [(state[f"{i}.weight"], state[f"{i}.bias"]) for i in indices]


def forward(state, x, masks=None, p=0.0):
    """tanh hidden layers, each followed by ``a * m / (1 - p)`` when masks are given (one
    mask per layer, broadcast against the rows); returns (hidden activations, logit)."""
    layers = linear_layers(state)
    a, hidden = x, []
    for i, (w, b) in enumerate(layers[:-1]):
        a = np.tanh(a @ w.T + b)
        hidden.append(a)
        if masks is not None:
            a = a * masks[i] / (1 - p)
    w, b = layers[-1]
    return hidden, (a @ w.T + b)[:, 0]


def bce_logits(z, y):
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def bce_probs(q, y):
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def sig(z):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def segments(line):
    """The segments of a line drawn as pieces broken by NaN: ((x0, y0), (x1, y1)) each."""
    x, y = (np.asarray(v, float) for v in line.get_data())
    assert len(x) % 3 == 0 and np.all(np.isnan(x[2::3]))
    return [((a, b), (c, d)) for a, b, c, d in zip(x[0::3], y[0::3], x[1::3], y[1::3])]


def bar_heights(pair):
    """Heights of the 32 bars of a strip, drawn as a blue and a vermillion line of segments
    from (j, 0) to (j, height); a bar not drawn has height 0."""
    heights = np.zeros(32)
    for line, sign in zip(pair, (1, -1)):
        for (x0, y0), (x1, y1) in segments(line):
            assert x0 == x1 and y0 == 0 and np.sign(y1) == sign
            heights[int(x0)] = y1
    return heights


def dropped_in_picture(scene):
    """From the diagram's crosses: per hidden layer, the set of neurons drawn as dropped."""
    xs, ys = scene.crosses.get_data()
    found = [set(), set()]
    for x, y in zip(xs, ys):
        for layer in range(2):
            for j, point in enumerate(scene.cols[layer + 1]):
                if np.allclose((x, y), point):
                    found[layer].add(j)
    return found


# --------------------------------------------------------------------------------------
# the masks
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.2, 0.5, 0.7])
@pytest.mark.parametrize("step", [1, 7, D.STEPS])
def test_drawn_mask_is_the_engines(loops, p, step):
    masks = loops[p][0]
    scene = DropoutScene(p=p, step=step)
    expected = [set(np.flatnonzero(~masks[i][step - 1, D.EXAMPLE]).tolist()) for i in range(2)]
    assert dropped_in_picture(scene) == expected
    for i in range(2):
        kept = int(masks[i][step - 1, D.EXAMPLE].sum())
        assert scene.counts[i].get_text() == f"{kept} of 32 kept"
        # the strips' crosses sit where the mask drops, in rows 2 and 3, not in row 1
        assert len(scene.strip_crosses[3 * i].get_xdata()) == 0
        for r in (1, 2):
            assert set(scene.strip_crosses[3 * i + r].get_xdata().tolist()) == expected[i]
        # dropped neurons greyed out, kept ones in colour
        faces = scene.nodes.get_facecolors()[2 + 32 * i: 2 + 32 * (i + 1)]
        grey = np.array([np.allclose(f[:3], to_rgb(style.LIGHT)) for f in faces])
        assert set(np.flatnonzero(grey).tolist()) == expected[i]


def test_recorded_masks_are_the_engines_for_every_example_and_update(loops):
    for p in D.P_OPTIONS:
        run = D.record_masks(p)
        for i in range(2):
            recorded = run.data[f"mask_{i + 1}"]
            assert recorded.shape == (D.STEPS, overfitting.N_TRAIN, 32) and recorded.dtype == bool
            np.testing.assert_array_equal(recorded, loops[p][0][i])


def test_recorded_weights_are_the_loops_and_the_chapters_run(loops):
    """The mask run is the start of ``overfitting.train(dropout=p)``, bit for bit: same
    weights at the chapter run's moments, same training loss."""
    for p in (0.1, 0.5):
        run, chapter = D.record_masks(p), overfitting.train(dropout=p)
        weights = loops[p][2]
        for k in (0, 1, 9, D.STEPS):
            for key, value in weights[k].items():
                np.testing.assert_array_equal(run.snapshots[k][key], value)
        shared = [i for i, m in enumerate(chapter.moments) if m <= D.STEPS]
        assert len(shared) >= 6
        for i in shared:
            for key, value in chapter.snapshots[i].items():
                np.testing.assert_array_equal(run.snapshots[chapter.moments[i]][key], value)
        np.testing.assert_array_equal(run.curves["train_loss"], chapter.curves["train_loss"][:D.STEPS + 1])


def test_replay_is_the_forward_pass_of_that_update(loops):
    """With the weights before update k and its masks, the replayed training-mode output
    gives the loss the training loop computed at update k."""
    y = overfitting.problem()[1][:, 0]
    for p in (0.3, 0.5):
        masks, losses, _ = loops[p]
        for k in (1, 2, 20, D.STEPS):
            logit = D.replay(p, k).logit
            assert bce_logits(logit, y) == pytest.approx(losses[k - 1], rel=1e-12)
            state = D.record_masks(p).snapshots[k - 1]
            _, expected = forward(state, overfitting.problem()[0], [m[k - 1] for m in masks], p)
            np.testing.assert_allclose(logit, expected, rtol=1e-12, atol=1e-12)


def test_kept_fraction_is_near_one_minus_p():
    """Each mask entry is kept with probability 1 - p, independently. Over the N = 40
    updates x 40 examples x 32 neurons = 51,200 entries of a layer, the kept fraction has
    standard deviation sqrt(p (1 - p) / N) (0.0022 at p = 0.5); it must lie within 4 of
    them of 1 - p (a true rule fails this by chance with probability 6e-5). The same for
    the 100 x 32 = 3,200 entries per layer of the ensemble's masks."""
    for p in D.P_OPTIONS:
        run = D.record_masks(p)
        for i in (1, 2):
            m = run.data[f"mask_{i}"]
            sd = np.sqrt(p * (1 - p) / m.size)
            assert abs(m.mean() - (1 - p)) < 4 * sd, (p, i, m.mean())
        for m in E.ensemble_masks(p, 100):
            assert abs(m.mean() - (1 - p)) < 4 * np.sqrt(p * (1 - p) / m.size), (p, m.mean())


def test_the_two_layers_draw_different_masks():
    run = D.record_masks(0.5)
    assert not np.array_equal(run.data["mask_1"], run.data["mask_2"])


# --------------------------------------------------------------------------------------
# the scaling, and evaluation mode
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", D.P_OPTIONS)
def test_training_mode_output_is_activation_times_mask_over_keep_probability(p):
    """Exactly ``a * m * (1 / (1 - p))``; ``a * m / (1 - p)`` rounds differently by at most
    one unit in the last place (and is exactly equal at p = 0.5, where 1 / (1 - p) = 2)."""
    for k in (1, 13, D.STEPS):
        shown = D.replay(p, k)
        for a, m, after in zip(shown.before, shown.masks, shown.after):
            np.testing.assert_array_equal(after, a * (m * (1.0 / (1.0 - p))))
            np.testing.assert_array_max_ulp(after, a * m / (1 - p), maxulp=1)
            if p == 0.5:
                np.testing.assert_array_equal(after, a * m / (1 - p))
            assert np.all(after[~m] == 0)


def test_strips_show_before_after_mask_and_after_scaling():
    scene = DropoutScene(p=0.3, step=5)
    shown = D.replay(0.3, 5)
    for i in range(2):
        a, m = shown.before[i][D.EXAMPLE], shown.masks[i][D.EXAMPLE]
        for r, expected in enumerate((a, np.where(m, a, 0.0), np.where(m, a / 0.7, 0.0))):
            np.testing.assert_allclose(bar_heights(scene.bars[3 * i + r]), expected, rtol=1e-12, atol=1e-15)


def test_evaluation_mode_is_the_network_without_dropout():
    x = overfitting.problem()[0]
    for p in (0.2, 0.7):
        for k in (1, 30):
            state = D.record_masks(p).snapshots[k - 1]
            hidden, logit = forward(state, x)  # no mask, no scaling
            shown = D.replay(p, k, "evaluation")
            np.testing.assert_allclose(shown.logit, logit, rtol=1e-12, atol=1e-12)
            for before, after, h in zip(shown.before, shown.after, hidden):
                np.testing.assert_array_equal(before, after)
                np.testing.assert_allclose(after, h, rtol=1e-12, atol=1e-15)
            # the engine's own no-dropout network, given the same weights
            plain = overfitting.network(0.0)
            plain.load_state_dict({f"{2 * (int(key[0]) // 3)}.{key.split('.')[1]}": v
                                   for key, v in state.items()})
            np.testing.assert_allclose(plain.eval()(x)[:, 0], shown.logit, rtol=1e-12, atol=1e-12)


def test_evaluation_picture_drops_nothing_and_states_both_outputs():
    scene = DropoutScene(p=0.5, step=3, mode="evaluation")
    assert dropped_in_picture(scene) == [set(), set()]
    assert [c.get_text() for c in scene.counts] == ["32 of 32 used"] * 2
    assert all(len(c.get_xdata()) == 0 for c in scene.strip_crosses)
    assert scene.all_edges.get_visible() and len(segments(scene.edges)) == 0
    assert len(segments(scene.all_edges)) == 2 * 32 + 32 * 32 + 32
    x = overfitting.problem()[0]
    state = D.record_masks(0.5).snapshots[2]
    masks = [m[2] for m in engine_loop(0.5, 3)[0]]
    q_train = sig(forward(state, x, masks, 0.5)[1][D.EXAMPLE])
    q_eval = sig(forward(state, x)[1][D.EXAMPLE])
    texts = [line.get_text() for line in scene.output_lines]
    assert f"= {q_train:.3f} in training mode" in texts[0] and "mask" in texts[0]
    assert f"= {q_eval:.3f} in evaluation mode" in texts[1]
    assert abs(q_train - q_eval) > 0.005  # the two are different numbers here


def test_no_connection_touches_a_dropped_neuron():
    scene = DropoutScene(p=0.7, step=12)
    dropped = dropped_in_picture(scene)
    points = {tuple(scene.cols[i + 1][j]) for i in range(2) for j in dropped[i]}
    drawn = segments(scene.edges)
    kept = [32 - len(d) for d in dropped]
    assert not scene.all_edges.get_visible()
    assert len(drawn) == 2 * kept[0] + kept[0] * kept[1] + kept[1]
    for a, b in drawn:
        assert not {a, b} & points


# --------------------------------------------------------------------------------------
# the effect on the overfitting network
# --------------------------------------------------------------------------------------


def test_dropout_lowers_the_final_validation_loss():
    """The chapter's claim, on the recorded runs, recomputed from the last weights."""
    x_val, y_val = overfitting.problem()[2:]
    found = {}
    for p in E.EFFECT_P:
        run = overfitting.train(dropout=p)
        state = run.snapshots[-1]
        assert run.moments[-1] == overfitting.EPOCHS
        found[p] = bce_logits(forward(state, x_val)[1], y_val[:, 0])
        assert found[p] == pytest.approx(run.curves["val_loss"][-1], rel=1e-9)
    assert found[0.5] < 0.4 * found[0.0]
    assert all(found[a] > found[b] for a, b in zip(E.EFFECT_P, E.EFFECT_P[1:]))  # falls as p grows


def test_dropout_keeps_the_lowest_validation_loss():
    """Dropout does not reach a lower best: every run's lowest validation loss is within
    2 % of the plain run's, and comes no earlier; what it does is keep the loss from
    climbing after the best epoch, and the training loss (measured in evaluation mode)
    from going to 0: the larger p, the higher it stays."""
    plain = overfitting.train().curves["val_loss"]
    final_train = []
    for p in E.EFFECT_P:
        curves = overfitting.train(dropout=p).curves
        val = curves["val_loss"]
        assert val.min() == pytest.approx(plain.min(), rel=0.02), (p, val.min())
        assert int(np.argmin(val)) >= int(np.argmin(plain))
        final_train.append(curves["train_loss"][-1])
    assert final_train == sorted(final_train) and final_train[-1] > 50 * final_train[0]


def test_ensemble_prediction_is_the_average_of_thinned_networks():
    x = E.points()
    for p, n in ((0.5, 5), (0.2, 2)):
        state = overfitting.train(dropout=p).snapshots[-1]
        masks = E.ensemble_masks(p, n)
        expected = np.mean([sig(forward(state, x, [m[k] for m in masks], p)[1]) for k in range(n)], axis=0)
        np.testing.assert_allclose(E.ensemble_prediction(p, n), expected, rtol=1e-10, atol=1e-13)
    assert E.ensemble_prediction(0.5, 5) is E.ensemble_prediction(0.5, 5)  # cached
    np.testing.assert_array_equal(E.ensemble_masks(0.5, 10)[0], E.ensemble_masks(0.5, 100)[0][:10])
    np.testing.assert_array_equal(E.ensemble_prediction(0.0, 10), E.evaluation_prediction(0.0))


def mc_limit(p, masks_per_point=4000, seed=123):
    """The limit of the average over masks, at the validation points, estimated with
    ``masks_per_point`` masks per point drawn here (numpy's generator, independent of the
    engine's), ``forward`` written from the formulas."""
    x_val = overfitting.problem()[2]
    state = overfitting.train(dropout=p).snapshots[-1]
    gen = np.random.default_rng(seed)
    chunk, total = 500, np.zeros(len(x_val))
    rows = np.repeat(x_val, chunk, axis=0)
    for _ in range(masks_per_point // chunk):
        masks = [gen.random((len(rows), 32)) >= p for _ in range(2)]
        total += sig(forward(state, rows, masks, p)[1]).reshape(len(x_val), chunk).mean(axis=1)
    return total / (masks_per_point // chunk), sig(forward(state, x_val)[1])


#: The dropout probabilities whose average over masks is compared with evaluation mode.
ENSEMBLE_P = (0.2, 0.5, 0.7)


@pytest.mark.parametrize("p", ENSEMBLE_P)
def test_ensemble_converges_to_a_limit_near_evaluation_mode(p):
    """The average of n masks converges (to the limit estimated with 4,000 masks per
    point), and its decisions towards evaluation mode's: at n = 100 it puts at most 10 of
    the 400 validation points on the other side of 0.5. But the limit is not the
    evaluation-mode prediction: the weight scaling rule is an approximation for a
    non-linear network, and the probabilities stay more than 0.01 apart on average, the
    average being the better one (lower validation loss than evaluation mode at n = 100,
    and in the limit)."""
    y = overfitting.problem()[3][:, 0]
    limit, q_eval = mc_limit(p)
    to_limit, to_eval, losses, disagree = [], [], [], []
    for n in E.N_MASKS:
        q = E.ensemble_prediction(p, n)[:400]
        to_limit.append(np.mean(np.abs(q - limit)))
        to_eval.append(np.mean(np.abs(q - q_eval)))
        losses.append(bce_probs(q, y))
        disagree.append(int(np.sum((q > 0.5) != (q_eval > 0.5))))
        numbers = E.ensemble_numbers(p, n)
        assert numbers["gap"] == pytest.approx(to_eval[-1], rel=1e-9)
        assert numbers["ensemble_loss"] == pytest.approx(losses[-1], rel=1e-9)
        assert numbers["eval_loss"] == pytest.approx(bce_probs(q_eval, y), rel=1e-9)
        assert numbers["disagree"] == disagree[-1]
    # converges: closest to the limit at n = 100, and at most 10 of 400 decisions apart
    assert to_limit[-1] == min(to_limit) and to_limit[-1] < 0.02
    assert disagree[-1] <= min(disagree[0], 10)
    floor = np.mean(np.abs(limit - q_eval))
    assert floor > 0.01  # the limit is not evaluation mode (4,000 masks: a standard error near 0.003) ...
    assert losses[-1] < bce_probs(q_eval, y) and bce_probs(limit, y) < bce_probs(q_eval, y)


def test_effect_scene_states_the_computed_numbers():
    scene = DropoutEffectScene(p=0.5, n_masks=100)
    x_val, y_val = overfitting.problem()[2:]
    q = E.ensemble_prediction(0.5, 100)[:400]
    line = scene.numbers.get_text()
    final = {p: overfitting.train(dropout=p).curves["val_loss"][-1] for p in (0.0, 0.5)}
    assert line.startswith(f"final validation loss {final[0.5]:.3f} (p = 0: {final[0.0]:.3f})")
    assert f"average of 100 masks {bce_probs(q, y_val[:, 0]):.3f}" in scene.numbers_2.get_text()
    np.testing.assert_allclose(scene.val_curve.get_ydata(), overfitting.train(dropout=0.5).curves["val_loss"])
    region = np.asarray(scene.images[1].get_array())
    np.testing.assert_allclose(region.ravel(), E.ensemble_prediction(0.5, 100)[400:])
    scene.set(p=0.0)
    assert "nothing is dropped" in scene.numbers_2.get_text()


# --------------------------------------------------------------------------------------
# corners, bad input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [DropoutScene, DropoutEffectScene])
def test_every_corner_renders_without_warnings(cls):
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = cls()
        assert scene.render().std() > 0
        for corner in cls.corner_values():
            scene.set(**corner)
            scene.render()


@pytest.mark.parametrize("cls", [DropoutScene, DropoutEffectScene])
def test_updated_frame_equals_a_fresh_scene(cls):
    corners = list(cls.corner_values())
    scene = cls()
    scene.render()
    for corner in corners[:3]:
        scene.set(**corner)
        scene.render()
    scene.set(**corners[-1])
    assert np.array_equal(scene.render(), cls(**corners[-1]).render())


@pytest.mark.parametrize("cls, bad", [
    (DropoutScene, {"p": 0.4}), (DropoutScene, {"p": 0.0}), (DropoutScene, {"step": 0}),
    (DropoutScene, {"step": D.STEPS + 1}), (DropoutScene, {"step": 2.5}), (DropoutScene, {"mode": "test"}),
    (DropoutEffectScene, {"p": 1.0}), (DropoutEffectScene, {"n_masks": 3}),
    (DropoutEffectScene, {"n_masks": True}),
])
def test_bad_input_keeps_the_picture(cls, bad):
    scene = cls(**({"p": 0.3} if cls is DropoutScene else {"n_masks": 2}))
    before, values = scene.render(), dict(scene.values)
    with pytest.raises(ValueError):
        scene.set(**bad)
    assert scene.values == values
    assert np.array_equal(scene.render(), before)


def test_functions_refuse_bad_arguments_in_words():
    with pytest.raises(ValueError, match="one of"):
        D.record_masks(0.45)
    with pytest.raises(ValueError, match="step must be"):
        D.replay(0.5, 0)
    with pytest.raises(ValueError, match="mode must be"):
        D.replay(0.5, 1, "eval")
    with pytest.raises(ValueError, match="n_masks"):
        E.ensemble_prediction(0.5, 7)
