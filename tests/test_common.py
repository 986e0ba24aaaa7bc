"""scikit-learn's and imbalanced-learn's conformance suites over every estimator, with fast settings."""

from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from augment import (
    AugmentedClassifier,
    AugmentedClassifierCV,
    AugmentedRegressor,
    AugmentedRegressorCV,
    GANGenerator,
    SyntheticOversampler,
    VAEGenerator,
    VQVAEGenerator,
)
from augment.image_features import ImageFeatures

from _device import DEVICE

FAST = {"epochs": 2, "batch_size": 64, "random_state": 0, "device": DEVICE}
GENERATORS = [
    GANGenerator(**FAST, generator_dims=(32,), critic_dims=(32,), noise_dim=16),
    VAEGenerator(**FAST, latent_dim=8, hidden_dims=(32,)),
    VQVAEGenerator(**FAST, n_slots=2, codebook_size=8, code_dim=4, hidden_dims=(32,), prior_epochs=2),
]
VAE = GENERATORS[1]
SAMPLER = SyntheticOversampler(VAE, random_state=0)
META = [
    AugmentedClassifier(LogisticRegression(), VAE, random_state=0),
    AugmentedRegressor(LinearRegression(), VAE, n_synthetic=0.5, random_state=0),
    AugmentedClassifierCV(LogisticRegression(), VAE, cv=2, random_state=0),
    AugmentedRegressorCV(LinearRegression(), VAE, cv=2, random_state=0),
]


def expected_failures(estimator):
    return {}


FEATURES = ImageFeatures(epochs=10, batch_size=32, device=DEVICE)


@parametrize_with_checks([*GENERATORS, SAMPLER, *META, FEATURES], expected_failed_checks=expected_failures)
def test_sklearn_conformance(estimator, check):
    check(estimator)


@imblearn_checks([SAMPLER], expected_failed_checks=expected_failures)
def test_imblearn_conformance(estimator, check):
    check(estimator)
