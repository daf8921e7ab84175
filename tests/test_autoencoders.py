"""The autoencoders chapter's core (course_utils.autoencoders): the models, the recorded
runs, PCA, the noisy digits and the non-digits. Errors are recomputed here from the
recorded weights with a forward pass written from the formulas."""

import numpy as np
import pytest

from course_utils import autoencoders as A, digits, nn


def forward(model, x):
    """The autoencoder's output from its Linear layers: tanh between the hidden layers of
    each half, a sigmoid at the end (for the non-linear model)."""
    out = x
    for half in model:
        layers = [m for m in half if isinstance(m, nn.Linear)]
        for i, layer in enumerate(layers):
            out = out @ layer.weight.data.T + layer.bias.data
            if i < len(layers) - 1:
                out = np.tanh(out)
    if isinstance(model[1][-1], nn.Sigmoid):
        out = 1 / (1 + np.exp(-out))
    return out


def test_images_are_the_split_as_rows_of_64_pixels():
    x, y, x_test, y_test = A.images()
    dx, dy, dxt, dyt = digits.split()
    assert x.shape == (1397, 64) and x_test.shape == (400, 64)
    assert np.array_equal(x, dx.reshape(-1, 64)) and np.array_equal(y_test, dyt)
    assert not x.flags.writeable and 0 <= x.min() and x.max() <= 1


def test_the_models_shapes():
    model = A.autoencoder(2)
    sizes = [(m.in_features, m.out_features) for half in model for m in half if isinstance(m, nn.Linear)]
    assert sizes == [(64, 32), (32, 2), (2, 32), (32, 64)]
    linear = A.autoencoder(4, linear=True)
    assert [(m.in_features, m.out_features) for half in linear for m in half] == [(64, 4), (4, 64)]
    out = model(A.images()[2])
    assert out.shape == (400, 64) and (0 < out).all() and (out < 1).all()
    assert np.allclose(A.decode(model, A.encode(model, A.images()[2])), out)


def test_the_recorded_loss_is_the_mean_squared_error_per_pixel():
    run = A.train(2)
    model = run.at(-1)
    x_test = A.images()[2]
    mine = np.mean((forward(model, x_test) - x_test) ** 2)
    assert run.curves["val_loss"][-1] == pytest.approx(mine, rel=1e-9)
    assert A.errors(model(x_test), x_test).mean() == pytest.approx(mine, rel=1e-9)
    assert run.curves["val_loss"][-1] < 0.5 * run.curves["val_loss"][0]  # it learned


def test_the_non_linear_autoencoder_beats_pca_and_the_linear_one_matches_it():
    """The chapter's acceptance claim at 2 codes, on held-out digits; and Baldi & Hornik's
    result that a linear autoencoder can at best match PCA (on the training digits, which
    both fit; within 1 %)."""
    x, _, x_test, _ = A.images()
    pca_test = A.errors(A.pca_rebuild(x_test, 2), x_test).mean()
    ae_test = A.errors(A.train(2).at(-1)(x_test), x_test).mean()
    assert ae_test < 0.75 * pca_test
    linear = A.train(2, linear=True).at(-1)
    pca_train = A.errors(A.pca_rebuild(x, 2), x).mean()
    assert A.errors(linear(x), x).mean() == pytest.approx(pca_train, rel=0.01)
    assert A.errors(linear(x), x).mean() >= pca_train * (1 - 1e-9)  # never below the optimum


def test_pca_is_the_eigenvectors_of_the_covariance():
    x = A.images()[0]
    mean, components = A.pca(3)
    assert np.allclose(mean, x.mean(axis=0))
    assert np.allclose(components @ components.T, np.eye(3), atol=1e-12)
    values, vectors = np.linalg.eigh(np.cov(x.T, bias=True))
    top = vectors[:, ::-1][:, :3].T
    assert np.allclose(np.abs(np.sum(top * components, axis=1)), 1.0, atol=1e-9)  # equal up to sign
    # the training error is the sum of the discarded eigenvalues, per pixel
    assert A.errors(A.pca_rebuild(x, 3), x).mean() == pytest.approx(values[:-3].sum() / 64, rel=1e-9)
    assert np.allclose(A.pca_rebuild(x, 64), x, atol=1e-12)


def test_noisy_digits_are_clipped_and_seeded():
    x_test = A.images()[2]
    noisy = A.noisy(x_test, 0.4)
    assert noisy.min() >= 0 and noisy.max() <= 1 and not np.array_equal(noisy, x_test)
    assert np.array_equal(A.noisy(x_test, 0.4), noisy)
    assert np.array_equal(A.noisy(x_test, 0.0), x_test)
    middle = (x_test > 0.45) & (x_test < 0.55)  # 2.5 standard deviations from the clip:
    assert (A.noisy(x_test, 0.2) - x_test)[middle].std() == pytest.approx(0.2, rel=0.1)  # kept


def test_the_denoising_autoencoder_trains_on_noisy_inputs_and_clean_targets():
    run = A.train(2, noise=0.4)
    assert np.array_equal(run.data["y"], A.images()[0])
    assert np.array_equal(run.data["x"], A.noisy(A.images()[0], 0.4))


def test_non_digits_are_patterns_turned_and_noise():
    images, kinds = A.non_digits()
    assert images.shape == (12 + A.NON_DIGIT_NOISE, 64) and len(kinds) == len(images)
    assert kinds.count("noise") == A.NON_DIGIT_NOISE
    assert images.min() >= 0 and images.max() <= 1
    assert len(np.unique(images, axis=0)) == len(images)  # no image twice


@pytest.mark.parametrize("bad, words", [(dict(code=3), "code must be one of"),
                                        (dict(linear=1), "linear must be True or False"),
                                        (dict(noise=0.3), "noise must be one of")])
def test_bad_settings_say_what_is_allowed(bad, words):
    with pytest.raises(ValueError, match=words):
        A.train(**bad)
    with pytest.raises(ValueError, match="k must be a whole number"):
        A.pca(0)
