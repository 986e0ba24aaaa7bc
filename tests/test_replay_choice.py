"""benchmarks/replay_choice.py: other auto-cv rules replayed on the inner-fold scores the benchmark saved."""

import json

import numpy as np
import pandas as pd
import pytest
from _benchmarks import BENCHMARKS, load

replay_choice = load("replay_choice")


@pytest.mark.parametrize(
    ("name", "method", "folds", "rule"),
    [
        ("tables.csv", "auto-cv", 75, "today"),
        ("autocv-2x5.csv", "auto-cv", 500, "today"),
        ("autocv-2x5-best-mean.csv", "auto-cv", 500, "best_mean_of_five"),
        ("autocv-2x5-2026-12-07.csv", "auto-cv", 500, "until_7_december"),
        ("autocv-metrics-2x5.csv", "auto-cv roc_auc", 500, "today"),
        ("autocv-metrics-2x5.csv", "auto-cv average_precision", 500, "today"),
    ],
)
def test_the_rule_of_the_day_replayed_makes_every_choice_the_benchmark_recorded(name, method, folds, rule):
    rows = pd.read_csv(BENCHMARKS / "results" / name)
    auto = rows[rows["method"] == method]
    assert len(auto) == 2 * folds
    replayed = [getattr(replay_choice, rule)(json.loads(scores)) for scores in auto["cv scores"]]
    assert replayed == auto["chose"].tolist()


def replayed(inner, chose, fixed):
    """Every rule's score on one fold: auto-cv chose ``chose`` (ROC AUC 0.55), the fixed methods score ``fixed``."""
    where = {"table": "t", "repeat": 0, "fold": 0, "classifier": "logistic"}
    auto = {**where, "method": "auto-cv", "ROC AUC": 0.55, "chose": chose, "cv scores": json.dumps(inner)}
    rows = pd.DataFrame([auto, *({**where, "method": m, "ROC AUC": s} for m, s in fixed.items())])
    return replay_choice.replay(rows, "ROC AUC").iloc[0]


def test_a_pick_is_scored_by_the_fixed_method_that_builds_the_same_rows():
    inner = {
        "none": [0.60, 0.62, 0.61],
        "random over-sampling": [0.70, 0.71, 0.69],
        "ROSE": [0.50, 0.50, 0.50],
        "SMOTE": [0.80, 0.81, 0.79],
        "generator x0.25": [0.90, 0.92, 0.91],
        "generator x1": [0.75, 0.74, 0.76],
    }
    picked = replayed(inner, "generator x0.25", {"none": 0.1, "ROS": 0.2, "ROSE": 0.3, "SMOTE": 0.4, "VAE": 0.5})
    assert picked[replay_choice.BEFORE] == 0.55  # its own choice: auto-cv's row
    assert picked[replay_choice.BEST_MEAN] == 0.4  # SMOTE
    assert picked[replay_choice.TODAY] == 0.4  # SMOTE beats the generator by more than one standard error
    assert picked["VAE"] == 0.5 and picked["none"] == 0.1


def test_a_pick_no_fixed_method_scores_is_left_out():
    inner = {
        "none": [0.6, 0.6, 0.6],
        "generator x0.25": [0.7, 0.71, 0.7],
        "generator x0.5": [0.9, 0.91, 0.9],
        "generator x1": [0.65, 0.66, 0.65],
    }
    picked = replayed(inner, "generator x0.25", {"none": 0.5, "VAE": 0.5})
    assert np.isnan(picked["best mean, all amounts"])  # generator x0.5: neither auto-cv's choice nor a fixed method
    assert picked[replay_choice.BEST_MEAN] == 0.5  # generator x1: the VAE's row
