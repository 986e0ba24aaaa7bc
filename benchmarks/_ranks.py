"""Statistics for comparing methods over many tables: mean ranks, Friedman, Nemenyi, paired fold tests.

Demšar (JMLR 2006) is the reference for ranks, the Friedman test and the
critical difference; Nadeau & Bengio (Machine Learning 2003) for the paired
test over the folds of repeated cross-validation, whose training sets
overlap, so the plain t-test over folds is too confident.
"""

import numpy as np
from scipy import stats


def mean_ranks(scores):
    """Mean rank of each method over tables (1 is best) and the Friedman test's p-value.

    ``scores`` is a DataFrame with one row per table and one column per
    method (higher is better); ties share their mean rank.
    """
    ranks = scores.rank(axis=1, ascending=False)
    p = stats.friedmanchisquare(*scores.to_numpy().T).pvalue if scores.shape[1] > 2 else np.nan
    return ranks.mean().sort_values(), float(p)


def critical_difference(n_methods, n_tables, alpha=0.05):
    """Nemenyi's critical difference of mean ranks for ``n_methods`` compared on ``n_tables``."""
    q = stats.studentized_range.ppf(1 - alpha, n_methods, np.inf) / np.sqrt(2)
    return float(q * np.sqrt(n_methods * (n_methods + 1) / (6 * n_tables)))


def corrected_paired_t(a, b, test_share):
    """Two-sided p-value that ``a`` and ``b`` (scores on the same folds) differ, Nadeau-Bengio corrected.

    ``test_share`` is the test rows over the training rows of a fold
    (``1 / (k - 1)`` for k-fold); the variance of the differences is
    inflated by it, as overlapping training sets call for.
    """
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    n = diff.size
    variance = diff.var(ddof=1) if n > 1 else 0.0
    if variance == 0:
        return 1.0 if diff.mean() == 0 else 0.0
    t = diff.mean() / np.sqrt((1 / n + test_share) * variance)
    return float(2 * stats.t.sf(abs(t), df=n - 1))


def win_tie_loss(folds, method, against, test_share, alpha=0.05):
    """Tables where ``method`` is significantly above, level with, or below ``against``.

    ``folds`` holds one row per table and fold with a column per method.
    """
    counts = {"win": 0, "tie": 0, "loss": 0}
    for _, table in folds.groupby(level="table"):
        p = corrected_paired_t(table[method], table[against], test_share)
        if p >= alpha:
            counts["tie"] += 1
        else:
            counts["win" if table[method].mean() > table[against].mean() else "loss"] += 1
    return counts


def paired_across_tables(gain, alpha=0.05):
    """``(p, outcome)`` of per-table gains: Wilcoxon signed-rank p and ``"better"``, ``"worse"`` or ``"level"``."""
    gain = np.asarray(gain, dtype=float)
    p = float(stats.wilcoxon(gain).pvalue)
    if p >= alpha:
        return p, "level"
    return p, "better" if gain.mean() > 0 else "worse"


def cd_diagram(ranks, cd, title, path):
    """Draw a critical-difference diagram (Demšar 2006) of ``ranks`` (a Series, method -> mean rank) to ``path``.

    Methods whose mean ranks differ by less than ``cd`` are joined by a bar.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    ranks = ranks.sort_values()
    k = len(ranks)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.32 * k))
    ax.set_xlim(1, k)
    ax.set_ylim(0, 1)
    ax.invert_xaxis()
    ax.spines[["left", "right", "bottom"]].set_visible(False)
    ax.xaxis.set_ticks_position("top")
    ax.set_xticks(range(1, k + 1))
    ax.set_yticks([])
    ax.set_xlabel("mean rank (1 is best)")
    ax.xaxis.set_label_position("top")
    half = (k + 1) // 2
    step = 0.8 / max(half, 1)
    for i, (name, rank) in enumerate(ranks.items()):
        best = i < half
        y = 0.9 - step * (i if best else k - 1 - i) - step / 2
        end = 0.8 if best else k + 0.2
        ax.plot([rank, rank, end], [1, y, y], color="black", lw=0.8, clip_on=False)
        ax.text(end, y, f" {name} ({rank:.2f}) ", ha="left" if best else "right", va="center", fontsize=9)
    cliques = []
    values = ranks.to_numpy()
    for i in range(k):
        j = int(np.searchsorted(values, values[i] + cd, side="right")) - 1
        if j > i and not any(a <= i and j <= b for a, b in cliques):
            cliques.append((i, j))
    for n, (i, j) in enumerate(cliques):
        y = 0.97 - 0.03 * (n + 1)
        ax.plot([values[i] - 0.03, values[j] + 0.03], [y, y], color="tab:red", lw=3, solid_capstyle="round")
    ax.plot([1, 1 + cd], [0.03, 0.03], color="black", lw=1.5)
    ax.text(1 + cd / 2, 0.06, f"CD = {cd:.2f}", ha="center", fontsize=8)
    ax.set_title(title, fontsize=10, pad=28)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def summary_table(results, metric, classifier):
    """Per-table mean score of every method (table x method) for one metric and classifier."""
    rows = results[results["classifier"] == classifier]
    return rows.pivot_table(index="table", columns="method", values=metric, aggfunc="mean")


def fold_table(results, metric, classifier):
    """Score of every method on every fold (index table, repeat, fold; a column per method)."""
    rows = results[results["classifier"] == classifier]
    return rows.pivot_table(index=["table", "repeat", "fold"], columns="method", values=metric)


def wtl(counts):
    """``"w/t/l"`` of a win/tie/loss dict."""
    return f"{counts['win']}/{counts['tie']}/{counts['loss']}"
