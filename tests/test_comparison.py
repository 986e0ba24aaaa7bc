"""The demo's comparison: the health table, the summary over seeds and the one-sentence pick."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from augment import AugmentedClassifierCV, VAEGenerator, comparison
from augment.comparison import SharedFit, classifiers, compare, recommendation, sharing_fits, summary, training_sets
from augment.datasets import load_health
from augment.demo import run_demo


def scores(gains, base=0.6):
    """Scores over seeds for no augmentation and one method that gains ``gains`` per seed, logistic only."""
    rows = []
    for seed, gain in enumerate(gains):
        for method, value in (("no augmentation", base), ("augment VAE", base + gain)):
            rows.append(
                {
                    "seed": seed,
                    "classifier": "logistic",
                    "method": method,
                    "balanced accuracy": value,
                    "ROC AUC": value,
                    "seconds": 1.0,
                    "chose": "",
                }
            )
    return pd.DataFrame(rows)


def test_a_steady_gain_is_picked_and_a_noisy_one_is_not():
    picked = recommendation(scores([0.05, 0.06, 0.04, 0.05, 0.05]))
    assert picked.startswith("On this data I would pick augment VAE with the logistic classifier")
    assert "ahead in 5 of 5 seeds by 0.050" in picked
    refused = recommendation(scores([0.2, -0.15, 0.1, -0.1, 0.0]))
    assert refused.startswith("On this data I would not augment") and "(augment VAE, 0.610)" in refused


def test_the_summary_keeps_method_order_and_shows_the_spread():
    table = summary(scores([0.05, 0.07]))
    assert list(table.index.get_level_values("method")) == ["no augmentation", "augment VAE"]
    assert table.loc[("logistic", "augment VAE"), "balanced accuracy"] == "0.660 ± 0.010"


def test_the_health_table_is_mixed_rare_and_complete():
    X, y = load_health()
    assert X.shape == (20190, 7) and y.name == "fair_or_poor_health"
    assert X["individual_deductible"].dtype == bool and X["visits"].dtype == np.int64
    assert round(float(y.mean()), 4) == 0.0922 and not X.isna().any().any()


def test_every_method_balances_the_rare_class():
    X, y = load_health()
    X, y = X.iloc[:200].reset_index(drop=True), y.to_numpy()[:200]
    sets, fitted, seconds = training_sets(X, y, seed=0, epochs=1)
    assert list(sets) == [
        "no augmentation",
        "random over-sampling",
        "SMOTE-NC",
        "augment GAN",
        "augment VAE",
        "augment VQ-VAE",
    ]
    for name, (X_set, y_set) in sets.items():
        counts = np.bincount(y_set)
        assert name == "no augmentation" or counts[0] == counts[1], name
        assert list(X_set.columns) == list(X.columns) and X_set.dtypes.equals(X.dtypes), name
    assert set(fitted) == {"GAN", "VAE", "VQ-VAE"} and all(s > 0 for s in seconds.values())


def test_a_missing_statsmodels_is_named(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_statsmodels(name, *args, **kwargs):
        if name.startswith("statsmodels"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_statsmodels)
    with pytest.raises(ImportError, match="pip install statsmodels"):
        load_health()


def test_compare_scores_every_method_and_shows_its_progress(capsys):
    X, y = load_health()
    scores, fitted = compare(X.iloc[:1000], y.iloc[:1000], n_train=120, seeds=1, epochs=1, cv=2)
    err = capsys.readouterr().err
    assert "demo: 100%" in err and "seed 1 of 1" in err
    assert set(fitted) == {"GAN", "VAE", "VQ-VAE"}
    assert scores.groupby("classifier")["method"].nunique().eq(scores["method"].nunique()).all()
    assert scores[["balanced accuracy", "ROC AUC"]].apply(lambda s: s.between(0, 1)).all().all()


def test_compare_takes_the_generators_it_is_given_and_names_an_unknown_one():
    X, y = load_health()
    scores, fitted = compare(X.iloc[:600], y.iloc[:600], n_train=100, seeds=1, epochs=1, cv=2, generators=["VAE"])
    assert set(fitted) == {"VAE"}
    assert {m for m in scores["method"] if m.startswith("augment")} == {"augment VAE", "augment auto-cv (VAE)"}
    with pytest.raises(ValueError, match="generators: 'CTGAN' is not one of GAN, VAE, VQ-VAE"):
        compare(X, y, generators=["VAE", "CTGAN"])


def test_the_demo_needs_a_generator(tmp_path):
    with pytest.raises(ValueError, match="generators: name at least one of GAN, VAE, VQ-VAE"):
        run_demo(tmp_path / "demo.png", generators=())


def test_shared_fits_run_once_and_score_as_fits_of_their_own():
    X, y = load_health()
    X, y = X.iloc[:120].reset_index(drop=True), np.array(y)[:120]
    y[:12] = 1  # a label rare enough to balance, with rows in every fold

    def auto(clf, generator):
        return AugmentedClassifierCV(clf, generator, cv=2, scoring="balanced_accuracy", random_state=0).fit(X, y)

    alone = auto(clone(classifiers()["boosting"]), VAEGenerator(epochs=3))
    with sharing_fits():
        auto(clone(classifiers()["logistic"]), SharedFit(VAEGenerator(epochs=3)))
        fits = len(comparison._SHARED)
        shared = auto(clone(classifiers()["boosting"]), SharedFit(VAEGenerator(epochs=3)))
        assert len(comparison._SHARED) == fits > 0  # the second classifier fit nothing new
    assert not comparison._SHARED
    assert shared.selected_ == alone.selected_
    np.testing.assert_array_equal(shared.cv_results_["mean_test_score"], alone.cv_results_["mean_test_score"])
