"""benchmarks/tables.py: reading results from several CSVs for one report; auto-cv's inner folds and scores."""

import json

import numpy as np
import pandas as pd
import pytest
from _benchmarks import load
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold, cross_val_score

from augment._seeds import seed_from
from augment.selection import over_the_generator, splitter

tables = load("tables")


def rows(method, score, folds=(0, 1)):
    return pd.DataFrame(
        [
            {"table": "t", "repeat": 0, "fold": f, "method": method, "classifier": c, "balanced accuracy": score}
            for f in folds
            for c in ("logistic", "boosting")
        ]
    )


def test_a_later_csv_replaces_the_same_rows_and_adds_the_others(tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    pd.concat([rows("none", 0.7), rows("GAN", 0.6)]).to_csv(first, index=False)
    rows("GAN", 0.9, folds=(1, 2)).to_csv(second, index=False)
    merged = tables.read_results(first, second, tmp_path / "absent.csv")
    gan = merged[merged["method"] == "GAN"].set_index(["fold", "classifier"])["balanced accuracy"]
    assert gan.to_dict() == {
        (0, "logistic"): 0.6,
        (0, "boosting"): 0.6,
        (1, "logistic"): 0.9,
        (1, "boosting"): 0.9,
        (2, "logistic"): 0.9,
        (2, "boosting"): 0.9,
    }
    assert (merged[merged["method"] == "none"]["balanced accuracy"] == 0.7).sum() == 4
    assert tables.read_results(tmp_path / "absent.csv").empty


@pytest.fixture
def cancer(monkeypatch):
    """A 175-row breast_cancer table (25 rare rows) served as every table; ``X, y, train, test`` of its first fold."""
    X, y = load_breast_cancer(return_X_y=True)
    keep = np.r_[np.flatnonzero(y == 1)[:150], np.flatnonzero(y == 0)[:25]]
    X, y = X[keep], 1 - y[keep]
    monkeypatch.setattr(tables, "load", lambda name: (X, y))
    train, test = next(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
    return X, y, train, test


def test_auto_cv_2x5_chooses_on_ten_inner_folds_and_both_by_the_estimators_rule(cancer):
    _, _, train, test = cancer
    methods = ["auto-cv", "auto-cv 2x5"]
    made = tables.run_fold("cancer", 0, 0, train, test, methods, ["logistic"], 0, {"epochs": 2})
    assert [row["method"] for row in made] == methods
    for row, folds in zip(made, (5, 10), strict=True):
        inner = json.loads(row["cv scores"])
        assert list(inner) == ["none", "random over-sampling", "ROSE", "SMOTE", "generator x1"]
        assert {len(scores) for scores in inner.values()} == {folds}
        assert row["chose"] == over_the_generator(list(inner), np.array(list(inner.values())))


def test_auto_cv_chooses_by_the_score_its_name_gives(cancer):
    X, y, train, test = cancer
    methods = ["auto-cv", "auto-cv roc_auc", "auto-cv average_precision"]
    made = tables.run_fold("cancer", 0, 0, train, test, methods, ["boosting"], 0, {"epochs": 2})
    inner_folds = splitter(5, y[train], True, seed_from(tables.unit_seed("cancer", 0, 0)))
    clf = tables.classifiers()["boosting"]
    for row, scoring in zip(made, ("balanced_accuracy", "roc_auc", "average_precision"), strict=True):
        inner = json.loads(row["cv scores"])
        expected = cross_val_score(clone(clf), X[train], y[train], cv=inner_folds, scoring=scoring)
        np.testing.assert_allclose(inner["none"], expected)
        assert row["chose"] == over_the_generator(list(inner), np.array(list(inner.values())))


def test_auto_cv_by_metric_takes_each_metric_from_the_auto_cv_that_chose_by_it():
    frames = []
    for method, shift in (("auto-cv", 0.0), ("auto-cv roc_auc", 0.1), ("auto-cv average_precision", 0.2)):
        frame = rows(method, 0.5 + shift, folds=(0, 1, 2))
        frames.append(frame.assign(**{"ROC AUC": 0.6 + shift, "average precision": 0.3 + shift}))
    frames[1] = frames[1][frames[1]["fold"] < 2]
    merged = tables.by_metric(pd.concat(frames))
    matched = merged[merged["method"] == tables.BY_METRIC]
    assert sorted(set(matched["fold"])) == [0, 1]
    assert len(matched) == 4
    np.testing.assert_allclose(matched["balanced accuracy"], 0.5)
    np.testing.assert_allclose(matched["ROC AUC"], 0.7)
    np.testing.assert_allclose(matched["average precision"], 0.5)
    assert tables.by_metric(rows("none", 0.7)).equals(rows("none", 0.7))


def test_only_generator_variants_are_reported_as_ablations(capsys):
    results = pd.concat(
        [
            rows(method, score).assign(table=table, **{"detection AUC": auc})
            for table, shift in (("a", 0.0), ("b", 0.01), ("c", 0.02))
            for method, score, auc in (
                ("VAE", 0.8 + shift, 0.55),
                ("VAE -smoothing", 0.7 + shift, 0.6 + shift),
                ("auto-cv", 0.75 + shift, np.nan),
                ("auto-cv 2x5", 0.76 + shift, np.nan),
            )
        ]
    )
    tables.ablation_report(results, ["VAE", "VAE -smoothing", "auto-cv", "auto-cv 2x5"], 0.25)
    out = capsys.readouterr().out
    assert "VAE against VAE -smoothing (3 tables)" in out and "auto-cv against" not in out
