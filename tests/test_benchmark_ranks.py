"""The many-table benchmark's statistics (benchmarks/_ranks.py): ranks, Friedman, Nemenyi, paired fold tests."""

import numpy as np
import pandas as pd
import pytest
from _benchmarks import load
from scipy import stats

ranks = load("_ranks")


def per_table(n_tables=12, seed=0):
    """Scores of three methods on ``n_tables`` tables: ``good`` always ahead of ``mid`` ahead of ``bad``."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.5, 0.9, n_tables)
    return pd.DataFrame(
        {"bad": base, "good": base + rng.uniform(0.05, 0.1, n_tables), "mid": base + 0.01},
        index=pd.Index([f"t{i}" for i in range(n_tables)], name="table"),
    )


def test_mean_ranks_order_methods_and_friedman_sees_a_consistent_order():
    mean, p = ranks.mean_ranks(per_table())
    assert mean.to_dict() == {"good": 1.0, "mid": 2.0, "bad": 3.0}
    assert p < 1e-4
    shuffled = per_table().apply(lambda row: row.sample(frac=1, random_state=int(row.name[1:])).to_numpy(), axis=1)
    _, p_shuffled = ranks.mean_ranks(pd.DataFrame(shuffled.tolist(), columns=["a", "b", "c"]))
    assert p_shuffled > 0.05


def test_ties_share_their_mean_rank():
    scores = pd.DataFrame({"a": [0.7, 0.7], "b": [0.7, 0.6], "c": [0.1, 0.2]})
    mean, _ = ranks.mean_ranks(scores)
    assert mean["a"] == 1.25 and mean["b"] == 1.75 and mean["c"] == 3.0


@pytest.mark.parametrize(("k", "q"), [(2, 1.960), (4, 2.569), (10, 3.164)])
def test_critical_difference_matches_demsar_table(k, q):
    """Demšar (2006), Table 5(a): q_0.05 of the Nemenyi test for k classifiers."""
    assert ranks.critical_difference(k, 30) == pytest.approx(q * np.sqrt(k * (k + 1) / (6 * 30)), abs=2e-3)


def test_corrected_t_is_the_paired_t_without_overlap_and_wider_with_it():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0.7, 0.05, 10), rng.normal(0.68, 0.05, 10)
    assert ranks.corrected_paired_t(a, b, 0.0) == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert ranks.corrected_paired_t(a, b, 0.25) > stats.ttest_rel(a, b).pvalue
    assert ranks.corrected_paired_t(a, a, 0.25) == 1.0
    assert ranks.corrected_paired_t(a + 0.1, a, 0.25) == 0.0


def test_win_tie_loss_counts_tables_by_their_paired_test():
    rows = []
    for table, shift in (("up", 0.1), ("level", 0.0), ("down", -0.1)):
        for fold in range(10):
            noise = 0.01 * np.sin(fold)
            rows.append({"table": table, "fold": fold, "m": 0.7 + shift + noise, "base": 0.7 - noise})
    folds = pd.DataFrame(rows).set_index(["table", "fold"])
    counts = ranks.win_tie_loss(folds, "m", "base", 0.25)
    assert counts == {"win": 1, "tie": 1, "loss": 1}
    assert ranks.wtl(counts) == "1/1/1"


def test_a_gain_on_most_tables_is_better_and_a_coin_toss_is_level():
    rng = np.random.default_rng(2)
    steady = rng.uniform(0.001, 0.02, 15)
    assert ranks.paired_across_tables(steady)[1] == "better"
    assert ranks.paired_across_tables(-steady)[1] == "worse"
    p, outcome = ranks.paired_across_tables(steady * np.where(np.arange(15) % 2, 1, -1))
    assert outcome == "level" and p > 0.05


def test_cd_diagram_draws_every_method(tmp_path):
    mean, _ = ranks.mean_ranks(per_table())
    path = tmp_path / "cd.png"
    ranks.cd_diagram(mean, ranks.critical_difference(3, 12), "three methods", path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5_000
