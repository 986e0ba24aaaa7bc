import numpy as np
import pandas as pd
import pytest

from augment.metrics import (
    column_shapes,
    contingency_difference,
    correlation_difference,
    coverage,
    detection_auc,
    privacy,
    utility,
)


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


@pytest.fixture(scope="module")
def mixed_thirds(mixed):
    rng = np.random.default_rng(0)
    order = rng.permutation(len(mixed))
    return [mixed.iloc[part].reset_index(drop=True) for part in np.array_split(order, 3)]


def test_utility_separates_real_signal_from_shuffled_columns(mixed_thirds):
    train, fresh, test = mixed_thirds
    rng = np.random.default_rng(0)
    shuffled = train.apply(lambda col: pd.Series(rng.permutation(col.to_numpy()), dtype=col.dtype))
    good = utility(train, fresh, test, "progression")
    bad = utility(train, shuffled, test, "progression")
    assert list(good.index) == ["real", "synthetic", "real + synthetic"]
    assert good.loc["real", "R2"] > 0.15
    assert good.loc["synthetic", "R2"] > good.loc["real", "R2"] - 0.15
    assert bad.loc["synthetic", "R2"] < 0.05
    assert bad.loc["real + synthetic", "R2"] < good.loc["real + synthetic", "R2"]


def test_utility_scores_classification_targets(mixed_thirds):
    train, fresh, test = mixed_thirds
    scores = utility(train, fresh, test, "sex")
    assert set(scores.columns) == {"balanced accuracy", "ROC AUC"}
    assert scores.loc["real", "ROC AUC"] > 0.6 and scores.loc["synthetic", "ROC AUC"] > 0.6
    with pytest.raises(ValueError, match="'outcome'"):
        utility(train, fresh, test, "outcome")


def test_privacy_flags_copies_and_clears_unseen_real_rows(mixed_thirds):
    train, fresh, holdout = mixed_thirds
    copied = privacy(train, train.sample(frac=1.0, random_state=0), holdout)
    assert copied["exact_copy_rate"] == 1.0 and copied["closer_to_train"] == 1.0 and copied["dcr_train"] == 0.0
    unseen = privacy(train, fresh, holdout)
    assert unseen["exact_copy_rate"] == 0.0
    assert 0.35 < unseen["closer_to_train"] < 0.65
    assert unseen["dcr_train"] > 0 and unseen["dcr_holdout"] > 0


def test_contingency_and_coverage_catch_broken_pairs_and_lost_tails(mixed):
    broken = mixed.copy()
    broken["sex"] = np.random.default_rng(0).permutation(broken["sex"].to_numpy())
    broken.loc[broken["bp_level"] == "very high", "bp_level"] = "high"
    assert contingency_difference(mixed, mixed) == 0.0
    assert contingency_difference(mixed, broken) > 0.05
    full, lost = coverage(mixed, mixed).set_index("column"), coverage(mixed, broken).set_index("column")
    assert (full["coverage"] == 1.0).all()
    assert lost.loc["bp_level", "coverage"] == pytest.approx(4 / 5)  # 4 levels and missing, one lost
    clipped = mixed.assign(age=mixed["age"].clip(30, 60))
    assert coverage(mixed, clipped).set_index("column").loc["age", "coverage"] < 0.7
