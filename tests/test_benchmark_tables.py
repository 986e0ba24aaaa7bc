"""benchmarks/tables.py: reading results from several CSVs for one report."""

import pandas as pd
from _benchmarks import load

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
