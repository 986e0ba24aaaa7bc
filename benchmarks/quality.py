"""Fidelity of each generator on bundled tables, against real-vs-real and a GaussianMixture.

Each table is split in two halves; generators fit on one half and are scored
against the other: mean KS statistic of continuous columns, mean total
variation distance of categorical columns, correlation-matrix difference, the
largest gap between a column's missing share in real and synthetic rows, and
detection AUC (logistic regression and gradient boosting, 5-fold), and the
share of synthetic rows closer to a training row than to any held-out one
(``privacy``'s closer_to_train: about 0.5 for rows of the distribution, 1 for
copies; real vs real scores 1, being the training rows). Tables:
breast_cancer, wine, load_mixed, breast_cancer with a column 70% missing (not
at random), and 2,000 rows of load_health.

    python benchmarks/quality.py                  # all tables, default epochs
    python benchmarks/quality.py --tables breast_cancer --epochs 100
    python benchmarks/quality.py --continuous-transform mode   # CTGAN's mode-specific normalization
    python benchmarks/quality.py --seeds 0 1 2    # mean of 3 splits; boosting spread, paired gap to the mixture
    python benchmarks/quality.py --draws 3        # every score the mean over 3 synthetic draws of one fit
    python benchmarks/quality.py --smoothing 0 0.2 0.3   # each fit's draws scored at each smoothing
    python benchmarks/quality.py --generators GAN --param pac=2 critic_steps=3   # any generator parameter
"""

import argparse
import copy
import time

import numpy as np
import pandas as pd
from _params import add_param_option, check_params, params_for
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from augment import GANGenerator, VAEGenerator, VQVAEGenerator
from augment.datasets import load_health, load_mixed
from augment.encoding import _is_categorical
from augment.metrics import column_shapes, correlation_difference, detection_auc, privacy


def mostly_missing():
    """breast_cancer's first 10 columns, ``mean area`` missing below its 70th percentile (not at random)."""
    table = load_breast_cancer(as_frame=True).data.iloc[:, :10]
    area = table["mean area"]
    table["mean area"] = area.where(area >= area.quantile(0.7))
    return table


TABLES = {
    "breast_cancer": lambda: load_breast_cancer(as_frame=True).data,
    "wine": lambda: load_wine(as_frame=True).data,
    "mixed": load_mixed,
    "mostly_missing": mostly_missing,
    "health": lambda: load_health()[0].sample(2000, random_state=0).reset_index(drop=True),
}
GENERATORS = {"GAN": GANGenerator, "VAE": VAEGenerator, "VQ-VAE": VQVAEGenerator}


def gaussian_mixture(train, seed):
    """Sampler ``n -> DataFrame``: 3 full-covariance components on standardized (one-hot) columns.

    Categories are the argmax of their one-hot block.
    """
    categorical = [c for c in train.columns if _is_categorical(train[c], False)]
    levels = {c: pd.unique(train[c].astype(object)) for c in categorical}
    onehot = [(train[c].astype(object).to_numpy()[:, None] == levels[c][None, :]).astype(float) for c in categorical]
    numeric = train.drop(columns=categorical).astype(float)
    numeric = numeric.fillna(numeric.mean())
    matrix = np.hstack([numeric.to_numpy(), *onehot])
    scaler = StandardScaler().fit(matrix)
    gm = GaussianMixture(3, covariance_type="full", random_state=seed).fit(scaler.transform(matrix))

    def sample(n):
        draws = scaler.inverse_transform(gm.sample(n)[0])
        out = pd.DataFrame(draws[:, : numeric.shape[1]], columns=numeric.columns)
        start = numeric.shape[1]
        for c in categorical:
            width = len(levels[c])
            out[c] = levels[c][draws[:, start : start + width].argmax(axis=1)]
            start += width
        for c in numeric.columns:
            if pd.api.types.is_integer_dtype(train[c]):
                out[c] = out[c].round().astype(train[c].dtype)
        return out[train.columns]

    return sample


def missing_gap(real, synthetic):
    """Largest absolute difference of a column's missing share, real against synthetic (nan if none missing)."""
    share = real.isna().mean()
    share = share[share > 0]
    return float((synthetic[share.index].isna().mean() - share).abs().max()) if len(share) else np.nan


def score(name, model, fit_seconds, real, draws, train):
    """Every metric of ``model``'s synthetic tables ``draws`` against ``real``, each the mean over the draws."""
    rows = pd.DataFrame([metrics(real, synthetic, train) for synthetic in draws])
    return {"table": name, "model": model, "fit s": fit_seconds, **rows.mean().to_dict()}


def metrics(real, synthetic, train):
    shapes = column_shapes(real, synthetic)
    ks = shapes.loc[shapes.kind == "continuous", "distance"].mean()
    tvd = shapes.loc[shapes.kind == "categorical", "distance"].mean()
    return {
        "KS": ks,
        "TVD": tvd,
        "corr diff": correlation_difference(real, synthetic),
        "missing gap": missing_gap(real, synthetic),
        "AUC logistic": detection_auc(real, synthetic, "logistic"),
        "AUC boosting": detection_auc(real, synthetic, "boosting"),
        "closer to train": privacy(train, synthetic, real)["closer_to_train"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    parser.add_argument("--generators", nargs="+", default=list(GENERATORS), choices=list(GENERATORS))
    parser.add_argument("--epochs", type=int, default=None, help="override every generator's epochs")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="split and generator seeds")
    parser.add_argument(
        "--continuous-transform",
        choices=["quantile", "whitened", "mode"],
        default=None,
        help="override every generator's continuous_transform",
    )
    parser.add_argument("--draws", type=int, default=1, help="synthetic tables per fit; scores are their mean")
    parser.add_argument(
        "--smoothing",
        type=float,
        nargs="+",
        default=None,
        help="score each fit's draws at each of these smoothing values (drawn from the same fit)",
    )
    add_param_option(parser)
    args = parser.parse_args()
    check_params(parser, args.param, [GENERATORS[label] for label in args.generators])
    rows = []
    for seed in args.seeds:
        for name in args.tables:
            rows += table_rows(name, seed, args)
    frame = pd.DataFrame(rows)
    print()
    if len(args.seeds) == 1:
        print(frame.drop(columns="seed").to_markdown(index=False, floatfmt=".3f"))
        return
    mixture = frame[frame.model == "GaussianMixture"].set_index(["table", "seed"])["AUC boosting"]
    paired = mixture.reindex(pd.MultiIndex.from_frame(frame[["table", "seed"]])).to_numpy()
    frame["vs mixture"] = frame["AUC boosting"].to_numpy() - paired
    grouped = frame.drop(columns="seed").groupby(["table", "model"], sort=False)
    summary = grouped.mean()
    summary["boosting std"] = grouped["AUC boosting"].std()
    summary["vs mixture se"] = grouped["vs mixture"].std() / np.sqrt(len(args.seeds))
    print(
        f"mean over seeds {args.seeds}; boosting std: the spread of the boosting AUC over them; "
        "vs mixture: boosting AUC minus the mixture's on the same split, with its standard error"
    )
    print(summary.reset_index().to_markdown(index=False, floatfmt=".3f"))


def overrides(args):
    """Generator parameters set on the command line: the named options, then ``--param``."""
    named = {
        "continuous_transform": args.continuous_transform,
        "epochs": args.epochs,
    }
    return {**{k: v for k, v in named.items() if v}, **dict(args.param)}


def table_rows(name, seed, args):
    """Real-vs-real, the mixture and every generator on one half-split of table ``name``."""
    table = TABLES[name]()
    train, test = train_test_split(table, test_size=0.5, random_state=seed)
    rows = [score(name, "real vs real", 0.0, test, [train.iloc[: len(test)]], train)]
    start = time.perf_counter()
    mixture = gaussian_mixture(train, seed)
    seconds = time.perf_counter() - start
    rows.append(score(name, "GaussianMixture", seconds, test, [mixture(len(test)) for _ in range(args.draws)], train))
    for label in args.generators:
        params = {"random_state": seed, **params_for(GENERATORS[label], overrides(args))}
        start = time.perf_counter()
        generator = GENERATORS[label](**params).fit(train)
        seconds = time.perf_counter() - start
        stage = generator.sampling_
        for smoothing in args.smoothing or [None]:
            model = label
            if smoothing is not None:
                generator.sampling_ = copy.copy(stage)
                generator.sampling_.smoothing = smoothing
                model = f"{label} smoothing={smoothing:g}"
            draws = [generator.sample(len(test)) for _ in range(args.draws)]
            rows.append(score(name, model, seconds, test, draws, train))
            print(pd.DataFrame(rows[-1:]).assign(seed=seed).to_string(index=False, float_format="%.3f"), flush=True)
    return [{**row, "seed": seed} for row in rows]


if __name__ == "__main__":
    main()
