import numpy as np
import pandas as pd
import pytest

from augment.metrics import column_shapes, correlation_difference, detection_auc


def test_real_halves_look_alike_and_noise_does_not(cancer_halves):
    train, test = cancer_halves
    noise = pd.DataFrame(np.random.default_rng(0).normal(size=test.shape), columns=test.columns)
    noise = noise * test.std() + test.mean()
    assert detection_auc(test, train.iloc[: len(test)]) < 0.6
    assert detection_auc(test, noise, model="boosting") > 0.9
    assert detection_auc(test, noise + test.std()) > 0.9
    assert column_shapes(test, train)["distance"].max() < 0.2
    assert correlation_difference(test, train) < 0.1
    assert correlation_difference(test, noise) > 0.3


def test_shuffled_columns_keep_marginals_but_lose_correlations(cancer_halves):
    _, test = cancer_halves
    rng = np.random.default_rng(0)
    shuffled = test.apply(lambda col: rng.permutation(col.to_numpy()))
    assert column_shapes(test, shuffled)["distance"].max() == 0.0
    assert correlation_difference(test, shuffled) > 0.3
    assert detection_auc(test, shuffled, model="boosting") > 0.8


def test_categorical_columns_use_total_variation(mixed):
    other = mixed.copy()
    other["sex"] = "male"
    shapes = column_shapes(mixed, other).set_index("column")
    assert shapes.loc["sex", "metric"] == "TVD"
    assert shapes.loc["sex", "distance"] == pytest.approx((mixed["sex"] == "female").mean())
    assert shapes.loc["age", "distance"] == 0.0
    assert detection_auc(mixed, other) > 0.7


def test_mismatched_columns_are_refused(mixed):
    with pytest.raises(ValueError, match="same columns"):
        column_shapes(mixed, mixed.drop(columns="age"))
    with pytest.raises(ValueError, match="model must be"):
        detection_auc(mixed, mixed, model="forest")
