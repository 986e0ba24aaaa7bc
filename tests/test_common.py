"""scikit-learn's conformance suite over every estimator, with fast settings."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from augment import GANGenerator, VAEGenerator, VQVAEGenerator

FAST = {"epochs": 2, "batch_size": 64, "random_state": 0, "device": "cpu"}
ESTIMATORS = [
    GANGenerator(**FAST, generator_dims=(32,), critic_dims=(32,), noise_dim=16),
    VAEGenerator(**FAST, latent_dim=8, hidden_dims=(32,)),
    VQVAEGenerator(**FAST, n_slots=2, codebook_size=8, code_dim=4, hidden_dims=(32,), prior_epochs=2),
]


def expected_failures(estimator):
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failures)
def test_sklearn_conformance(estimator, check):
    check(estimator)
