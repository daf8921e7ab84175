"""The early stopping scene: where it stops, what it keeps, and the picture of both.

The stop and best epochs are computed here from the plain run's validation curve with
a loop written from the definition (an improvement is ``v < best``; stop after
``patience`` epochs in a row without one), and the losses and regions from the recorded
weights with a tanh network's forward pass written here, not with the code under test.
"""

import warnings

import numpy as np
import pytest

from course_utils import nn, overfitting as O
from course_utils.nn import optim
from course_utils.nn.regularization import EarlyStopping
from course_utils.nn.training import fit
from course_utils.scenes import early_stopping as ES
from course_utils.scenes.early_stopping import EarlyStoppingScene

PATIENCES = (5, 10, 20, 50, 100, 200)

#: What the notebook may quote, per patience: (stop epoch, best epoch, validation loss and
#: accuracy (%) of the restored model, of the model at the stop). The final model (1,000
#: epochs) has validation loss 1.456 and accuracy 79.5 %. Checked by test_quoted_numbers.
QUOTED = {
    5: (40, 35, 0.399, 80.5, 0.401, 80.0),
    10: (45, 35, 0.399, 80.5, 0.406, 80.2),
    20: (55, 35, 0.399, 80.5, 0.413, 80.0),
    50: (85, 35, 0.399, 80.5, 0.420, 80.2),
    100: (135, 35, 0.399, 80.5, 0.427, 80.5),
    200: (235, 35, 0.399, 80.5, 0.466, 82.2),
}
FINAL = (1.456, 79.5)

# --------------------------------------------------------------------------------------
# helpers written from the definitions
# --------------------------------------------------------------------------------------


def stop_and_best(val_loss, patience):
    """(stop epoch, best epoch) of the rule on a validation curve (index = epoch; epoch 0,
    the untrained model, is not watched); (None, best) if it never stops."""
    best_loss, best, wait = float("inf"), 0, 0
    for epoch in range(1, len(val_loss)):
        if val_loss[epoch] < best_loss:
            best_loss, best, wait = val_loss[epoch], epoch, 0
        else:
            wait += 1
            if wait == patience:
                return epoch, best
    return None, best


def best_and_wait(val_loss, epoch):
    """The best epoch in 1..epoch (the first of equals) and the epochs since it."""
    best_loss, best = float("inf"), 0
    for e in range(1, epoch + 1):
        if val_loss[e] < best_loss:
            best_loss, best = val_loss[e], e
    return best, epoch - best


def logit(snapshot, points):
    """A 2-32-32-1 tanh network's output from a state_dict (keys "<i>.weight", "<i>.bias")."""
    a = points
    layers = sorted({int(key.split(".")[0]) for key in snapshot})
    for n, i in enumerate(layers):
        a = a @ snapshot[f"{i}.weight"].T + snapshot[f"{i}.bias"]
        if n < len(layers) - 1:
            a = np.tanh(a)
    return a[:, 0]


def val_loss_and_accuracy(snapshot):
    """Mean binary cross-entropy of the logits, log(1 + e^z) - y z, and the fraction right."""
    _, _, x_val, y_val = O.problem()
    z, y = logit(snapshot, x_val), y_val[:, 0]
    return float(np.mean(np.logaddexp(0.0, z) - y * z)), float(np.mean((z > 0) == (y == 1)))


def probability(snapshot, points):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-logit(snapshot, points)))


def grid():
    g = np.linspace(-ES.PLANE, ES.PLANE, ES.REGION_RES)
    g1, g2 = np.meshgrid(g, g)
    return np.column_stack([g1.ravel(), g2.ravel()])


@pytest.fixture(scope="module")
def plain():
    return O.train()


# --------------------------------------------------------------------------------------
# where early stopping stops, and what it leaves
# --------------------------------------------------------------------------------------


def test_the_scene_offers_the_patiences_tested_here():
    assert ES.PATIENCES == PATIENCES and ES.PATIENCE in PATIENCES


@pytest.mark.parametrize("patience", PATIENCES)
def test_stop_and_best_match_a_plain_loop_and_the_engine(plain, patience):
    stop, best = stop_and_best(plain.curves["val_loss"], patience)
    assert stop == best + patience
    # the engine's own callback in a fit of its own
    x, y, x_val, y_val = O.problem()
    model, stopper = O.network(), EarlyStopping(patience=patience)
    fit(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=O.LEARNING_RATE), x, y,
        epochs=O.EPOCHS, batch_size=len(x), shuffle=False, validation_data=(x_val, y_val),
        callbacks=[stopper], verbose=0)
    assert (stopper.stopped_epoch, stopper.best_epoch) == (stop, best)
    # the recorded runs the scene reads
    for restore in (True, False):
        run = O.train(patience=patience, restore=restore)
        assert len(run.curves["val_loss"]) == stop + 1
        assert run.message.startswith(f"Early stopping at epoch {stop}:") and f"at epoch {best})" in run.message
        s = ES.stopping(patience, restore)
        assert (s.stop, s.best, s.left) == (stop, best, best if restore else stop)
        # ... and what the scene draws, at the stop and at the end
        scene = EarlyStoppingScene(patience=patience, restore=restore, step=s.frames.index(stop))
        for step in (s.frames.index(stop), len(s.frames) - 1):
            scene.set(step=step)
            assert list(scene.best_line.get_xdata()) == [best, best]
            assert list(scene.stop_line.get_xdata()) == [stop, stop] and scene.stop_line.get_visible()
            assert scene.window.get_x() == best and scene.window.get_width() == patience
            assert scene.waited.get_x() == best and scene.waited.get_width() == stop - best
            assert scene.best_text.get_text().strip() == f"best: epoch {best}"
            assert scene.stop_text.get_text().strip() == f"stop: epoch {stop}"


@pytest.mark.parametrize("patience", PATIENCES)
def test_the_run_stopped_early_is_the_plain_run_up_to_the_stop(plain, patience):
    stop, _ = stop_and_best(plain.curves["val_loss"], patience)
    for restore in (True, False):
        run = O.train(patience=patience, restore=restore)
        for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
            np.testing.assert_array_equal(run.curves[name], plain.curves[name][:stop + 1], err_msg=name)
        # the same weights at every moment both kept (the last one is the model it leaves)
        for k, moment in enumerate(run.moments[:-1]):
            assert moment <= stop
            theirs = plain.snapshots[plain.moments.index(moment)]
            assert all(np.array_equal(run.snapshots[k][key], theirs[key]) for key in theirs)


@pytest.mark.parametrize("patience", PATIENCES)
def test_the_restored_model_has_the_lowest_validation_loss_up_to_the_stop(plain, patience):
    val = plain.curves["val_loss"]
    stop, best = stop_and_best(val, patience)
    restored = O.train(patience=patience, restore=True).snapshots[-1]
    loss, _ = val_loss_and_accuracy(restored)
    assert loss == pytest.approx(val[1:stop + 1].min(), rel=1e-12)
    assert loss == pytest.approx(val[best], rel=1e-12)
    kept = O.train(patience=patience, restore=False).snapshots[-1]
    assert val_loss_and_accuracy(kept)[0] == pytest.approx(val[stop], rel=1e-12)


@pytest.mark.parametrize("patience", PATIENCES)
def test_early_stoppings_model_beats_the_final_one_on_validation_loss(plain, patience):
    """The chapter's claim, for every patience, restored or not."""
    final_loss, final_accuracy = val_loss_and_accuracy(plain.snapshots[-1])
    assert plain.moments[-1] == O.EPOCHS
    for restore in (True, False):
        loss, accuracy = val_loss_and_accuracy(O.train(patience=patience, restore=restore).snapshots[-1])
        print(f"patience {patience:3d} restore {restore!s:5}: validation loss {loss:.3f} "
              f"accuracy {100 * accuracy:.1f}%  (final: {final_loss:.3f}, {100 * final_accuracy:.1f}%)")
        assert loss < final_loss / 3


def test_quoted_numbers(plain):
    for patience, (stop, best, r_loss, r_acc, s_loss, s_acc) in QUOTED.items():
        assert stop_and_best(plain.curves["val_loss"], patience) == (stop, best)
        loss, accuracy = val_loss_and_accuracy(O.train(patience=patience, restore=True).snapshots[-1])
        assert (round(loss, 3), round(100 * accuracy, 1)) == (r_loss, r_acc)
        loss, accuracy = val_loss_and_accuracy(O.train(patience=patience, restore=False).snapshots[-1])
        assert (round(loss, 3), round(100 * accuracy, 1)) == (s_loss, s_acc)
    loss, accuracy = val_loss_and_accuracy(plain.snapshots[-1])
    assert (round(loss, 3), round(100 * accuracy, 1)) == FINAL


def test_larger_patience_never_stops_earlier(plain):
    stops = [stop_and_best(plain.curves["val_loss"], p)[0] for p in PATIENCES]
    assert all(a <= b for a, b in zip(stops, stops[1:]))
    assert [ES.stopping(p).stop for p in PATIENCES] == stops


def test_counter_is_the_engines_bookkeeping(plain):
    val = plain.curves["val_loss"]
    for epoch in (1, 10, 35, 36, 54):
        stopper = ES.counter(val, 20, epoch)
        assert (stopper.best_epoch, stopper.wait) == best_and_wait(val, epoch)
        assert stopper.stopped_epoch == 0
    assert ES.counter(val, 20, 55).stopped_epoch == 55


# --------------------------------------------------------------------------------------
# what the scene draws
# --------------------------------------------------------------------------------------


def test_frames_are_the_moments_with_the_best_and_stop_epochs(plain):
    for patience in PATIENCES:
        stop, best = stop_and_best(plain.curves["val_loss"], patience)
        frames = ES.stopping(patience).frames
        assert frames == tuple(sorted(set(O.MOMENTS) | {best, stop}))
        scene = EarlyStoppingScene(patience=patience)
        assert scene.values["step"] == scene.step_max() == len(frames) - 1 <= ES.STEPS
        assert scene.headings[ES.style.BLACK].get_text().startswith(
            f"snapshot {len(frames) - 1} of {len(frames) - 1}, epoch {O.EPOCHS}: stopped at epoch {stop}")


@pytest.mark.parametrize("step", [0, 5, 8, 10, 11, 20, 42])
def test_drawn_curves_follow_the_runs(plain, step):
    scene = EarlyStoppingScene(patience=20, step=step)
    val, train = plain.curves["val_loss"], plain.curves["train_loss"]
    stop, best = stop_and_best(val, 20)
    epoch = ES.stopping(20).frames[step]
    np.testing.assert_array_equal(scene.val_faint.get_data()[1], val)
    np.testing.assert_array_equal(scene.train_faint.get_data()[1], train)
    upto = min(epoch, stop)
    xs, ys = scene.val_curve.get_data()
    np.testing.assert_array_equal(xs, np.arange(upto + 1))
    np.testing.assert_array_equal(ys, val[:upto + 1])
    np.testing.assert_array_equal(scene.train_curve.get_data()[1], train[:upto + 1])
    after_x, after_y = scene.val_after.get_data()
    if epoch > stop:
        np.testing.assert_array_equal(after_x, np.arange(stop, epoch + 1))
        np.testing.assert_array_equal(after_y, val[stop:epoch + 1])
    else:
        assert len(after_x) == 0
    assert list(scene.now_line.get_xdata()) == [epoch, epoch]
    # the patience counter
    if epoch == 0:
        assert not scene.window.get_visible() and not scene.best_line.get_visible()
        return
    b, wait = best_and_wait(val, upto)
    assert list(scene.best_line.get_xdata()) == [b, b]
    assert scene.waited.get_width() == wait and scene.window.get_width() == 20
    assert [t.get_text().strip() for t in scene.window_texts] == ["patience 20", f"waited {wait}"]
    assert scene.stop_line.get_visible() == (epoch >= stop)
    heading = next(h for h in scene.headings.values() if h.get_visible()).get_text()
    assert heading.startswith(f"snapshot {step} of 42, epoch {epoch}: ")
    if epoch < stop and wait:
        assert heading.endswith(f"no improvement for {wait} of 20 epochs (best: epoch {b})")
    if epoch == stop:
        assert heading.endswith(f"restore the weights of epoch {best}")


@pytest.mark.parametrize("patience, restore, step", [(20, True, 42), (20, False, 42), (20, True, 10),
                                                     (200, False, 30), (5, True, 9), (50, True, 0)])
def test_drawn_regions_and_numbers_are_the_models(plain, patience, restore, step):
    scene = EarlyStoppingScene(patience=patience, restore=restore, step=step)
    stop, best = stop_and_best(plain.curves["val_loss"], patience)
    epoch = ES.stopping(patience).frames[step]

    def weights_at(e):  # after e epochs of training: the plain run's, or the stopped runs' last
        if e in plain.moments:
            return plain.snapshots[plain.moments.index(e)]
        return O.train(patience=patience, restore=e == best).snapshots[-1]

    if epoch < stop:
        left = weights_at(epoch)
    else:
        left = O.train(patience=patience, restore=restore).snapshots[-1]
        # it is the model of the best (restored) or the stop epoch
        expected = weights_at(best if restore else stop)
        assert all(np.allclose(left[key], expected[key], rtol=0, atol=0) for key in left)
    for i, weights in enumerate((left, weights_at(epoch))):
        p = probability(weights, grid()).reshape(ES.REGION_RES, ES.REGION_RES)
        np.testing.assert_allclose(scene.probabilities[i], p, atol=1e-12)
        loss, accuracy = val_loss_and_accuracy(weights)
        _, _, loss_text, accuracy_text = scene.panels[i]
        assert loss_text.get_text() == f"validation loss {loss:.3f}"
        assert accuracy_text.get_text() == f"accuracy {100 * accuracy:.1f}%"
    when = scene.panels[0][1].get_text()
    if epoch >= stop:
        assert when == (f"epoch {best}: the best, restored" if restore else f"epoch {stop}: where it stopped")
    else:
        assert when.startswith(f"epoch {epoch}: ")


def test_a_new_patience_keeps_the_epoch_nearest():
    scene = EarlyStoppingScene(patience=20, step=10)  # epoch 51
    assert ES.stopping(20).frames[10] == 51
    scene.set(patience=200)
    assert ES.stopping(200).frames[scene.values["step"]] == 51
    scene.set(patience=5, step=41)
    scene.set(patience=100)
    assert scene.values["step"] == scene.step_max()  # the end stays the end
    assert EarlyStoppingScene(patience=5, step=42).values["step"] == 41  # brought down to the last


def test_every_corner_renders_without_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        scene = EarlyStoppingScene()
        for corner in EarlyStoppingScene.corner_values():
            scene.set(**corner)
            frame = scene.render()
            assert frame.std() > 0
            fresh = EarlyStoppingScene(**corner).render()
            assert np.array_equal(frame, fresh), corner


def test_bad_input_keeps_the_picture():
    scene = EarlyStoppingScene(patience=50, step=12)
    before, values = scene.render(), dict(scene.values)
    for bad in ({"patience": 7}, {"patience": 0}, {"restore": "yes"}, {"step": -1}, {"step": ES.STEPS + 1},
                {"step": 2.5}):
        with pytest.raises(ValueError):
            scene.set(**bad)
        assert scene.values == values
        assert np.array_equal(scene.render(), before)
    with pytest.raises(TypeError):
        scene.set(step="ten")
    with pytest.raises(ValueError, match="patience"):
        ES.stopping(7)
    with pytest.raises(ValueError, match="no weights"):
        ES.snapshot_at(20, 37)


# --------------------------------------------------------------------------------------
# the GIF
# --------------------------------------------------------------------------------------


def test_gif_storyboard_runs_the_default_and_pauses_at_the_best_epoch_and_the_stop(plain):
    assert EarlyStoppingScene.gif_name == "early_stopping"
    board = list(EarlyStoppingScene().storyboard())
    assert all(c["patience"] == ES.PATIENCE and c["restore"] is True for c, _ in board)
    frames = ES.stopping(ES.PATIENCE).frames
    stop, best = stop_and_best(plain.curves["val_loss"], ES.PATIENCE)
    epochs = [frames[c["step"]] for c, _ in board]
    assert epochs == sorted(set(epochs)) and epochs[0] == 0 and epochs[-1] == O.EPOCHS
    assert [e for e in frames if e <= stop] == [e for e in epochs if e <= stop]  # every snapshot to the stop
    long = [e for e, (_, duration) in zip(epochs, board) if duration >= 1000]
    assert long == [0, best, stop, O.EPOCHS]
    assert len(board) <= 25
