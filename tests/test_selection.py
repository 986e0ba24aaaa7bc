"""AugmentedClassifierCV and AugmentedRegressorCV: augment as the training rows show it helps."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from augment import AugmentedClassifierCV, AugmentedRegressorCV, VAEGenerator
from augment.selection import balancing_needs, classifier_candidates, interpolating_samplers, over_the_generator

from _device import DEVICE

# The choice itself is under test here; a 5-epoch VAE with calibrated margins (each class's marginals
# on a dependence it has not learned yet) lost to random over-sampling on rare_cancer(45), so these
# fits leave their draws as they are.
SMALL = {"epochs": 5, "hidden_dims": (32,), "latent_dim": 8, "calibrate_margins": False, "device": DEVICE}
# A generator worth keeping: trained long enough, with its margins calibrated.
TRAINED = SMALL | {"epochs": 60, "calibrate_margins": True}


class CountingVAE(VAEGenerator):
    """A VAEGenerator that counts its fits (class-wide, since estimators are cloned)."""

    fits = 0

    def fit(self, X, y=None):
        CountingVAE.fits += 1
        return super().fit(X, y)


class ShuffledVAE(CountingVAE):
    """Useless on purpose: each column of its rows is shuffled on its own, so rows carry no class signal."""

    def sample(self, n_samples=None, y=None, **kwargs):
        X, labels = super().sample(n_samples, y, **kwargs)
        rng = np.random.default_rng(0)
        return np.column_stack([rng.permutation(column) for column in np.asarray(X).T]), labels


def rare_cancer(n_rare=30):
    """breast_cancer with 300 benign rows and ``n_rare`` malignant ones."""
    X, y = load_breast_cancer(return_X_y=True)
    keep = np.r_[np.flatnonzero(y == 1)[:300], np.flatnonzero(y == 0)[:n_rare]]
    return StandardScaler().fit_transform(X[keep]), y[keep]


def rare_wine():
    """wine with 8 of its 71 rows of class 1 (59, 8 and 48 rows), scaled; a 60-epoch VAE's rows win there."""
    X, y = load_wine(return_X_y=True)
    keep = np.r_[np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:8], np.flatnonzero(y == 2)]
    return StandardScaler().fit_transform(X[keep]), y[keep]


def auto(generator, C=0.01, **params):
    params = {"cv": 3, "scoring": "balanced_accuracy", "random_state": 0, **params}
    return AugmentedClassifierCV(LogisticRegression(C=C), generator, **params)


def test_the_choice_scores_within_noise_of_the_best_candidate_on_held_out_rows():
    X, y = rare_cancer(45)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
    clf = auto(VAEGenerator(**TRAINED, random_state=0)).fit(X_train, y_train)
    results = clf.cv_results_
    assert results["candidate"] == [
        "none",
        "random over-sampling",
        "ROSE",
        "SMOTE",
        "generator x1",
    ]
    assert clf.selected_ != "none" and (clf.generator_ is None) == (clf.selected_ != "generator x1")
    outer = {
        name: balanced_accuracy_score(y_test, LogisticRegression(C=0.01).fit(X_aug, y_aug).predict(X_test))
        for name, X_aug, y_aug in classifier_candidates(
            X_train, y_train, VAEGenerator(**TRAINED, random_state=0), np.random.default_rng(0)
        )
    }
    noise = np.median(results["std_test_score"])
    chosen = balanced_accuracy_score(y_test, clf.predict(X_test))
    assert chosen >= max(outer.values()) - noise and chosen > outer["none"] + noise, (outer, chosen, noise)
    assert clf.selected_ == "generator x1" or results["rank_test_score"][results["candidate"].index(clf.selected_)] == 1


def interpolated(X, y):
    """``{name: (X, y)}`` of the ROSE and SMOTE candidates that balance ``X, y``."""
    made = interpolating_samplers(X, y, balancing_needs(y), np.random.default_rng(0))
    return {name: (X_aug, y_aug) for name, X_aug, y_aug in made}


def test_rose_and_smote_balance_numeric_rows_and_stay_out_where_they_cannot_interpolate():
    X, y = rare_cancer(20)
    made = interpolated(X, y)
    assert list(made) == ["ROSE", "SMOTE"]
    for name in ("ROSE", "SMOTE"):
        X_aug, y_aug = made[name]
        np.testing.assert_array_equal(X_aug[: len(X)], X)
        assert np.bincount(y_aug).tolist() == [300, 300]
        new = X_aug[len(X) :]
        assert not (new[:, None, :] == X[None, :, :]).all(axis=2).any(), f"{name} copied a training row"
        minority = X[y == 0]
        assert np.all(new.min(axis=0) < minority.max(axis=0)) and np.all(new.max(axis=0) > minority.min(axis=0))
    frame = pd.DataFrame(X[:, :3], columns=["a", "b", "c"])
    frame["kind"] = pd.Categorical(np.where(X[:, 3] > 0, "high", "low"))
    holey = X.copy()
    holey[0, 0] = np.nan
    for table in (frame, holey):
        assert interpolated(table, y) == {}


def test_a_useless_generator_is_not_chosen():
    X, y = rare_cancer(30)
    clf = auto(ShuffledVAE(**SMALL, random_state=0), C=1.0, scoring="roc_auc").fit(X, y)
    means = dict(zip(clf.cv_results_["candidate"], clf.cv_results_["mean_test_score"], strict=True))
    assert not clf.selected_.startswith("generator") and clf.generator_ is None
    assert means["generator x1"] < min(means[name] for name in means if name != "generator x1")


def test_the_generator_is_kept_unless_another_candidate_beats_it_by_one_standard_error():
    names = ["none", "ROSE", "generator x1"]
    generator = [0.80, 0.81, 0.79]
    clear = np.array([[0.5, 0.6, 0.7], [0.84, 0.85, 0.84], generator])  # ROSE ahead on every fold
    noisy = np.array([[0.5, 0.6, 0.7], [0.92, 0.76, 0.83], generator])  # ROSE's better mean is within noise
    assert over_the_generator(names, clear) == "ROSE"
    assert over_the_generator(names, noisy) == "generator x1"
    assert over_the_generator(["none"], np.array([[0.7, 0.8]])) == "none"  # balanced classes: no generator


def test_a_classifier_and_a_regressor_choose_by_their_rules_on_their_fold_scores():
    X, y = rare_cancer(12)
    clf = auto(VAEGenerator(**SMALL, random_state=0), cv=3).fit(X, y)
    scores = np.array([clf.cv_results_[f"split{k}_test_score"] for k in range(3)]).T
    assert scores.mean(axis=1).max() > scores[0].mean(), "the test needs a candidate above no augmentation"
    assert clf.selected_ == over_the_generator(clf.cv_results_["candidate"], scores)
    X, y = load_diabetes(return_X_y=True)
    reg = AugmentedRegressorCV(Ridge(), VAEGenerator(**SMALL, random_state=0), cv=3, random_state=0)
    results = reg.fit(StandardScaler().fit_transform(X), y).cv_results_
    scores = np.array([results[f"split{k}_test_score"] for k in range(3)]).T
    best = int(np.argmax(scores.mean(axis=1)))
    gain = scores[best] - scores[0]
    expected = results["candidate"][best] if gain.mean() > gain.std(ddof=1) / np.sqrt(3) else "none"
    assert reg.selected_ == expected


@pytest.mark.parametrize("wins", [False, True])
def test_the_cost_is_cv_generator_fits_plus_one_when_it_wins(wins):
    CountingVAE.fits = 0
    if wins:
        X, y = rare_wine()
        clf = auto(CountingVAE(**TRAINED, random_state=0)).fit(X, y)
    else:
        X, y = rare_cancer(30)
        clf = auto(ShuffledVAE(**SMALL, random_state=0), C=1.0, scoring="roc_auc").fit(X, y)
    assert (clf.selected_ == "generator x1") == wins and (clf.generator_ is not None) == wins
    assert CountingVAE.fits == (3 + 1 if wins else 3)


def test_the_choice_is_deterministic_and_shows_a_progress_bar(capsys):
    X, y = rare_cancer(30)
    first = auto(VAEGenerator(**SMALL, random_state=0), verbose=True).fit(X, y)
    assert "choosing augmentation" in capsys.readouterr().err
    second = auto(VAEGenerator(**SMALL, random_state=0)).fit(X, y)
    assert first.selected_ == second.selected_
    np.testing.assert_array_equal(first.cv_results_["mean_test_score"], second.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_the_regressor_chooses_among_amounts():
    X, y = load_diabetes(return_X_y=True)
    reg = make_pipeline(
        StandardScaler(),
        AugmentedRegressorCV(Ridge(), VAEGenerator(**SMALL, random_state=0), cv=3, random_state=0),
    ).fit(X, y)
    chosen = reg[-1]
    assert chosen.cv_results_["candidate"] == ["none", "generator x0.25", "generator x0.5", "generator x1"]
    np.testing.assert_allclose(chosen.cv_results_["n_synthetic"], np.array([0, 0.25, 0.5, 1]) * 442 * 2 / 3, atol=1)
    assert (chosen.generator_ is None) == (chosen.selected_ == "none")
    assert reg.predict(X[:4]).shape == (4,)
