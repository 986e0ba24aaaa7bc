"""Flattened images: the pixel scaler, the convolutional generators, ImageFeatures and the Fréchet distance."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

import augment
from augment import GANGenerator, VAEGenerator, VQVAEGenerator
from augment.image_features import ImageFeatures
from augment.images import PixelScaler
from augment.metrics import frechet_distance

from _device import DEVICE

GENERATORS = [GANGenerator, VAEGenerator, VQVAEGenerator]
DIGITS = (1, 8, 8)


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


def large(X):
    """8x8 digits as 28x28 images: each pixel tripled, then a 2-pixel border."""
    images = np.kron(X.reshape(-1, 8, 8), np.ones((3, 3)))
    return np.pad(images, ((0, 0), (2, 2), (2, 2))).reshape(len(X), -1)


def test_pixel_scaler_round_trips_and_keeps_dtype(digits):
    X = pd.DataFrame(digits[0].astype(np.uint8))
    scaler = PixelScaler(DIGITS).fit(X)
    pixels, codes = scaler.encode(X)
    assert pixels.dtype == np.float32 and codes.shape == (len(X), 0)
    assert pixels.min() == -1 and pixels.max() == 1
    assert scaler.inverse_transform(pixels, codes).equals(X)


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((1, 8, 0), "must be positive"),
        ((1, -8, 8), "must be positive"),
        ((8, 8), "three integers"),
        (64, "image_shape. parameter of VAEGenerator must be an array-like"),
    ],
)
def test_bad_image_shape_is_named(digits, shape, message):
    with pytest.raises(ValueError, match=message):
        VAEGenerator(image_shape=shape, epochs=1).fit(digits[0])


def test_row_length_must_match_image_shape(digits):
    with pytest.raises(ValueError, match=r"X has 64 values per row, but image_shape=\(1, 8, 9\) needs 72"):
        GANGenerator(image_shape=(1, 8, 9), epochs=1).fit(digits[0])


def test_non_numeric_and_missing_pixels_are_refused(digits):
    X = pd.DataFrame(digits[0])
    with pytest.raises(ValueError, match="row 3, column 5 holds nan"):
        VAEGenerator(image_shape=DIGITS, epochs=1).fit(X.mask((X.index == 3)[:, None] & (X.columns == 5)))
    with pytest.raises(ValueError, match="column 0 is object"):
        VAEGenerator(image_shape=DIGITS, epochs=1).fit(X.astype({0: object}))
    with pytest.raises(ValueError, match="discrete_columns applies to tables"):
        VAEGenerator(image_shape=DIGITS, discrete_columns=[0], epochs=1).fit(X)


def test_transform_refuses_pixels_outside_the_fitted_range(digits):
    gen = VAEGenerator(image_shape=DIGITS, epochs=1, device=DEVICE, random_state=0).fit(digits[0])
    X = digits[0][:4].copy()
    X[2, 10] = 17.0
    with pytest.raises(ValueError, match=r"row 2, column 10 holds 17.0, outside the pixel range \[0.0, 16.0\]"):
        gen.transform(X)


@pytest.mark.parametrize("Generator", GENERATORS)
@pytest.mark.parametrize("size", ["8x8", "28x28"])
def test_generators_sample_images_like_their_input(Generator, size, digits):
    X, y = digits
    X, y, shape = (X, y, DIGITS) if size == "8x8" else (large(X[:100]), y[:100], (1, 28, 28))
    params = {"prior_epochs": 1} if Generator is VQVAEGenerator else {}
    params |= {"critic_steps": 1} if Generator is GANGenerator else {}
    gen = Generator(image_shape=shape, epochs=2, random_state=0, device=DEVICE, **params).fit(X, y)
    images, labels = gen.sample(y={3: 4, 7: 2})
    assert images.shape == (6, X.shape[1]) and images.dtype == X.dtype
    assert labels.tolist() == [3, 3, 3, 3, 7, 7]
    assert images.min() >= 0 and images.max() <= 16
    assert np.array_equal(images, np.round(images))
    Z = gen.transform(X[:5])
    assert Z.shape == (5, gen.get_feature_names_out().size)
    assert np.isfinite(Z).all()


@pytest.mark.parametrize("Generator", GENERATORS)
def test_image_generators_save_and_load(Generator, digits, tmp_path):
    params = {"prior_epochs": 1} if Generator is VQVAEGenerator else {}
    gen = Generator(image_shape=DIGITS, epochs=1, random_state=0, device=DEVICE, **params)
    gen.fit(digits[0][:200], digits[1][:200])
    augment.save(gen, tmp_path / "digits.safetensors")
    loaded = augment.load(tmp_path / "digits.safetensors")
    assert np.array_equal(gen.sample(20)[0], loaded.sample(20)[0])


@pytest.mark.slow
def test_frechet_distance_ranks_real_halves_below_noise(digits):
    X, y = digits
    features = ImageFeatures(DIGITS, device=DEVICE).fit(X[::2], y[::2])
    assert (features.predict(X[1::2]) == y[1::2]).mean() > 0.9
    noise = np.random.default_rng(0).uniform(0, 16, size=X[1::2].shape)
    real = frechet_distance(X[::2], X[1::2], features)
    assert real < 0.1 * frechet_distance(X[::2], noise, features)
    assert frechet_distance(X[::2], X[::2], features) == pytest.approx(0, abs=1e-6)


def test_frechet_distance_checks_its_input():
    with pytest.raises(ValueError, match="same width"):
        frechet_distance(np.zeros((5, 2)), np.zeros((5, 3)))


@pytest.mark.slow  # a fit at the default epochs
def test_vae_digits_train_a_classifier_and_keep_their_labels(digits):
    X_train, X_test, y_train, y_test = train_test_split(*digits, test_size=0.4, stratify=digits[1], random_state=0)
    gen = VAEGenerator(image_shape=DIGITS, random_state=0, device=DEVICE).fit(X_train, y_train)
    images, labels = gen.sample(y={k: 100 for k in range(10)})
    assert SVC(gamma=0.001).fit(images, labels).score(X_test, y_test) >= 0.95
    judge = SVC(gamma=0.001).fit(X_train, y_train)
    assert judge.score(images, labels) >= 0.95


@pytest.mark.parametrize("Generator", GENERATORS)
def test_unconditional_images_decode_and_a_list_shape_is_taken(Generator, digits):
    params = {"prior_epochs": 1} if Generator is VQVAEGenerator else {}
    gen = Generator(image_shape=[1, 8, 8], epochs=1, random_state=0, device=DEVICE, **params).fit(digits[0][:200])
    images = gen.sample(7)
    assert images.shape == (7, 64) and images.min() >= 0 and images.max() <= 16
    if Generator is not GANGenerator:
        assert gen.inverse_transform(gen.transform(digits[0][:4])).shape == (4, 64)


def test_image_features_train_in_whole_batches(digits):
    """65 images in batches of 64: no batch of one image reaches batch normalization."""
    features = ImageFeatures(DIGITS, epochs=3, batch_size=64, device=DEVICE).fit(digits[0][:65], digits[1][:65])
    assert [h["epoch"] for h in features.history_] == [1, 2, 3]
    assert features.transform(digits[0][:3]).shape == (3, 128)


@pytest.mark.parametrize(
    "Generator, tables, images",
    [
        (GANGenerator, {"batch_size": 500, "critic_steps": 5}, {"batch_size": 64, "critic_steps": 1}),
        (VAEGenerator, {"batch_size": 500}, {"batch_size": 500}),
        (
            VQVAEGenerator,
            {"batch_size": 500, "epochs": 300, "prior_epochs": 300},
            {"batch_size": 128, "epochs": 100, "prior_epochs": 600},
        ),
    ],
)
def test_auto_settings_follow_image_shape_and_give_way_to_a_value(Generator, tables, images):
    for gen, expected in [(Generator(), tables), (Generator(image_shape=DIGITS), images)]:
        assert {name: gen._resolved(name) for name in expected} == expected
        assert gen._phase_epochs()["fit"] == expected.get("epochs", 300)
    assert Generator(image_shape=DIGITS, batch_size=32)._resolved("batch_size") == 32


def test_the_image_gan_trains_with_one_critic_step_unless_told(digits):
    X, y = digits[0][:64], digits[1][:64]
    gen = GANGenerator(image_shape=DIGITS, epochs=1, random_state=0, device=DEVICE).fit(X, y)
    assert gen.model_.critic_steps == 1 and len(gen.history_) == 1
    gen = GANGenerator(image_shape=DIGITS, epochs=1, critic_steps=2, random_state=0, device=DEVICE).fit(X, y)
    assert gen.model_.critic_steps == 2
