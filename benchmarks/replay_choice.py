"""Replay ``auto-cv``'s choice under other rules, from the inner-fold scores ``benchmarks/tables.py`` saved.

Each ``auto-cv`` row of the CSV holds every candidate's balanced accuracy on
each inner fold (``cv scores``). A rule picks a candidate from them; the pick
is scored on the outer test fold by the fixed method that builds the same
kind of training set (no augmentation, ROS, ROSE, SMOTE, the VAE's rows at
balance; drawn with the benchmark's seeds, not ``auto-cv``'s, so a replay
guides and a rerun measures), or by ``auto-cv``'s own row where the pick is
the choice it made (the generator's 0.25 and 0.5 amounts, candidates until
7 December 2026, have no fixed method; a rule that picks one of them
elsewhere leaves that fold unscored). Every rule, today's included, is
scored the same way, so two rules differ only on the folds where their
picks differ. Per classifier: the mean over tables, the gain over today's
rule and over the VAE at balance, with Wilcoxon's signed-rank p across
tables. On rows recorded since those amounts left, the rules that differ
only in them pick alike.

    python benchmarks/replay_choice.py                              # benchmarks/results/tables.csv
    python benchmarks/replay_choice.py --also benchmarks/results/autocv-2x5.csv   # another run's rows too
    python benchmarks/replay_choice.py --metric "average precision"  # picks on balanced accuracy, scored on AP
"""

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from tables import read_results

from augment.selection import NONE, best_mean, one_standard_error, over_the_generator

KEY = ["table", "repeat", "fold", "classifier"]
FIXED = {NONE: "none", "random over-sampling": "ROS", "ROSE": "ROSE", "SMOTE": "SMOTE", "generator x1": "VAE"}
TODAY = "today: generator at balance, unless 1 SE below the best"
BEST_MEAN = "7 December: best mean, generator at balance only"
BEFORE = "until 7 December: best mean, if 1 SE above none"


def pick(rule, scores, names, *reference):
    """``rule`` (of :mod:`augment.selection`) among ``names`` of the ``{name: fold scores}`` dict."""
    return rule(names, np.array([scores[n] for n in names]), *reference)


def fixed_only(scores):
    """The candidates a fixed method also builds (the generator's smaller amounts left out)."""
    return [n for n in scores if n in FIXED]


def today(scores):
    """The rule ``AugmentedClassifierCV`` uses."""
    return pick(over_the_generator, scores, fixed_only(scores))


def best_mean_of_five(scores):
    """The rule of the evening of 7 December 2026: the best mean among the five candidates."""
    return pick(best_mean, scores, fixed_only(scores))


def until_7_december(scores):
    """The rule ``auto-cv`` used until 7 December 2026: every candidate, against no augmentation."""
    return pick(one_standard_error, scores, list(scores), NONE)


RULES = {
    TODAY: today,
    BEST_MEAN: best_mean_of_five,
    BEFORE: until_7_december,
    "best mean, all amounts": lambda s: pick(best_mean, s, list(s)),
    "generator at balance only, 1 SE above none": lambda s: pick(one_standard_error, s, fixed_only(s), NONE),
}


def replay(rows, metric):
    """Outer ``metric`` of every rule's pick, one row per fold and classifier (NaN where it cannot be scored)."""
    auto = rows[rows["method"] == "auto-cv"].set_index(KEY)
    fixed = rows[rows["method"].isin(FIXED.values())].pivot_table(index=KEY, columns="method", values=metric)
    scored = {}
    for key, row in auto.iterrows():
        inner = json.loads(row["cv scores"])
        for name, rule in RULES.items():
            pick = rule(inner)
            if pick in FIXED:
                scored[(name, *key)] = fixed.loc[key, FIXED[pick]]
            else:
                scored[(name, *key)] = row[metric] if pick == row["chose"] else np.nan
    table = pd.Series(scored).unstack(0)[list(RULES)]
    table.index.names = KEY
    return table.join(fixed[["VAE", "none"]])


def report(table, metric):
    for classifier in ("logistic", "boosting"):
        means = table.xs(classifier, level="classifier").groupby(level="table").mean()
        print(f"\n{classifier}, {metric}, {len(means)} tables (mean; gain over today's rule and over the VAE, p):")
        for name in RULES:
            line = f"  {name:52s} {means[name].mean():.4f}"
            for other in (TODAY, "VAE"):
                gain = (means[name] - means[other]).dropna()
                p = stats.wilcoxon(gain).pvalue if gain.any() else 1.0
                line += f"   {gain.mean():+.4f} (p={p:.3f})"
            print(line)
    unscored = table[list(RULES)].isna().sum()
    print("\nfolds a rule could not score:", unscored[unscored > 0].to_dict() or "none")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "tables.csv")
    metrics = ["balanced accuracy", "ROC AUC", "average precision"]
    parser.add_argument("--metric", default=metrics[0], choices=metrics, help="outer score of the picks")
    parser.add_argument(
        "--also", nargs="+", type=Path, default=[], metavar="CSV", help="these CSVs' rows too, over --out's"
    )
    args = parser.parse_args()
    report(replay(read_results(args.out, *args.also), args.metric), args.metric)


if __name__ == "__main__":
    main()
