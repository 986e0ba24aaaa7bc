"""Fidelity, utility and privacy measures of a synthetic table against real ones.

Columns are typed as the encoder types them: categorical for pandas
category, object, string and bool columns (and any named in
``discrete_columns``), continuous otherwise.
"""

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, r2_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .encoding import _is_categorical


def _frames(real, synthetic, discrete_columns):
    real = real if isinstance(real, pd.DataFrame) else pd.DataFrame(np.asarray(real))
    synthetic = synthetic if isinstance(synthetic, pd.DataFrame) else pd.DataFrame(np.asarray(synthetic))
    if list(real.columns) != list(synthetic.columns):
        raise ValueError("real and synthetic must have the same columns in the same order.")
    named = set(discrete_columns or ())
    categorical = [c for c in real.columns if _is_categorical(real[c], c in named)]
    continuous = [c for c in real.columns if c not in categorical]
    return real.reset_index(drop=True), synthetic.reset_index(drop=True), categorical, continuous


def column_shapes(real, synthetic, discrete_columns=None):
    """Per-column distance between real and synthetic marginals.

    The Kolmogorov-Smirnov statistic for continuous columns (missing values
    left out) and the total variation distance between category frequencies
    (missing counted as a category) for categorical ones. 0 is a perfect
    match, 1 disjoint; real-vs-real splits of a few hundred rows score about
    0.05 to 0.1.

    Returns
    -------
    DataFrame with columns ``column``, ``kind``, ``metric`` and ``distance``.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "b", "a", "b"]})
    >>> column_shapes(real, real)["distance"].tolist()
    [0.0, 0.0]
    """
    real, synthetic, categorical, _ = _frames(real, synthetic, discrete_columns)
    rows = []
    for c in real.columns:
        if c in categorical:
            p = real[c].astype(object).fillna("<missing>").value_counts(normalize=True)
            q = synthetic[c].astype(object).fillna("<missing>").value_counts(normalize=True)
            distance = 0.5 * p.subtract(q, fill_value=0).abs().sum()
            rows.append((c, "categorical", "TVD", float(distance)))
        else:
            a = pd.to_numeric(real[c]).dropna().to_numpy(dtype=float)
            b = pd.to_numeric(synthetic[c]).dropna().to_numpy(dtype=float)
            rows.append((c, "continuous", "KS", float(ks_2samp(a, b).statistic)))
    return pd.DataFrame(rows, columns=["column", "kind", "metric", "distance"])


def correlation_difference(real, synthetic, discrete_columns=None):
    """Mean absolute difference between the Pearson correlation matrices of the continuous columns.

    0 is a perfect match; the largest possible value is 2. Returns NaN with
    fewer than two continuous columns.
    """
    real, synthetic, _, continuous = _frames(real, synthetic, discrete_columns)
    if len(continuous) < 2:
        return float("nan")
    a = real[continuous].astype(float).corr().to_numpy()
    b = synthetic[continuous].astype(float).corr().to_numpy()
    upper = np.triu_indices(len(continuous), k=1)
    return float(np.nanmean(np.abs(a - b)[upper]))


def contingency_difference(real, synthetic, discrete_columns=None):
    """Mean total variation distance between the joint frequency tables of every pair of categorical columns.

    Missing values count as a category. 0 is a perfect match, 1 disjoint;
    returns NaN with fewer than two categorical columns.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"a": ["x", "y"] * 5, "b": ["u", "v"] * 5})
    >>> contingency_difference(real, real), contingency_difference(real, real.assign(b=["v", "u"] * 5))
    (0.0, 1.0)
    """
    real, synthetic, categorical, _ = _frames(real, synthetic, discrete_columns)
    if len(categorical) < 2:
        return float("nan")
    fill = {c: "<missing>" for c in categorical}
    a = real[categorical].astype(object).fillna(fill)
    b = synthetic[categorical].astype(object).fillna(fill)
    distances = []
    for i, first in enumerate(categorical):
        for second in categorical[i + 1 :]:
            p = a.groupby([first, second]).size() / len(a)
            q = b.groupby([first, second]).size() / len(b)
            distances.append(0.5 * p.subtract(q, fill_value=0).abs().sum())
    return float(np.mean(distances))


def coverage(real, synthetic, discrete_columns=None):
    """How much of each real column the synthetic rows reach.

    For a categorical column, the share of real categories (missing
    included) that appear in the synthetic rows; for a continuous one, the
    share of the real range ``[min, max]`` spanned by the synthetic range.
    1 is full coverage; low values mean rare categories or tails are lost.

    Returns
    -------
    DataFrame with columns ``column``, ``kind`` and ``coverage``.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [0.0, 10.0], "c": ["a", "b"]})
    >>> coverage(real, pd.DataFrame({"x": [0.0, 5.0], "c": ["a", "a"]}))["coverage"].tolist()
    [0.5, 0.5]
    """
    real, synthetic, categorical, _ = _frames(real, synthetic, discrete_columns)
    rows = []
    for c in real.columns:
        if c in categorical:
            seen = set(real[c].astype(object).fillna("<missing>"))
            drawn = set(synthetic[c].astype(object).fillna("<missing>"))
            rows.append((c, "categorical", len(seen & drawn) / len(seen)))
            continue
        a, b = pd.to_numeric(real[c]).dropna(), pd.to_numeric(synthetic[c]).dropna()
        span = a.max() - a.min()
        overlap = max(0.0, min(a.max(), b.max()) - max(a.min(), b.min())) if len(b) else 0.0
        rows.append((c, "continuous", float(overlap / span) if span > 0 else float(len(b) > 0)))
    return pd.DataFrame(rows, columns=["column", "kind", "coverage"])


def _features(categorical, continuous):
    """Standardized continuous columns (median-imputed, with missing indicators) and one-hot categoricals."""
    return make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), continuous),
        (
            make_pipeline(
                SimpleImputer(strategy="constant", fill_value="<missing>"),
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            ),
            categorical,
        ),
    )


def _detector(kind, categorical, continuous):
    columns = _features(categorical, continuous)
    if kind == "logistic":
        model = LogisticRegression(max_iter=2000)
    elif kind == "boosting":
        model = HistGradientBoostingClassifier(random_state=0)
    else:
        raise ValueError(f"model must be 'logistic' or 'boosting', got {kind!r}.")
    return make_pipeline(columns, model)


def detection_auc(real, synthetic, model="logistic", cv=5, discrete_columns=None, random_state=0):
    """Cross-validated ROC AUC of a classifier telling real rows from synthetic ones.

    0.5 means the classifier cannot tell them apart (ideal); 1.0 means every
    synthetic row is recognised. Compare with real-vs-real: a held-out half of
    the real data against the half the generator was fit on.

    Parameters
    ----------
    real, synthetic : DataFrame or ndarray
        Equal-sized tables are best; ``real`` should be rows the generator did not see.
    model : {"logistic", "boosting"}, default="logistic"
        Logistic regression on standardized and one-hot columns, or
        histogram gradient boosting.
    cv : int, default=5
        Stratified folds.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> real, fake = rng.normal(size=(200, 3)), rng.normal(3, 1, size=(200, 3))
    >>> detection_auc(real, fake) > 0.95
    True
    """
    real, synthetic, categorical, continuous = _frames(real, synthetic, discrete_columns)
    both = pd.concat([real, synthetic], ignore_index=True)
    for c in categorical:
        both[c] = both[c].astype(object).where(both[c].notna(), None)
    is_synthetic = np.r_[np.zeros(len(real)), np.ones(len(synthetic))]
    folds = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    detector = _detector(model, categorical, continuous)
    return float(cross_val_score(detector, both, is_synthetic, cv=folds, scoring="roc_auc").mean())


def _as_objects(frame, categorical):
    frame = frame.copy()
    for c in categorical:
        frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    return frame


def utility(real_train, synthetic, real_test, target, discrete_columns=None, random_state=0):
    """How well a model trained on synthetic rows does on real ones, and whether adding them helps.

    Rows with a missing target are left out. Gradient boosting is trained three times (on the real training rows, on
    the synthetic rows, on both) and scored on held-out real rows:
    train-on-synthetic-test-on-real next to train-on-real-test-on-real, and
    the augmentation uplift. Classification targets (categorical columns or
    integer columns with at most 20 values) are scored by balanced accuracy
    and, when binary, ROC AUC; others by R².

    Good values: "synthetic" close to "real" (the synthetic rows carry the
    signal); "real + synthetic" above "real" (augmentation helps).

    Parameters
    ----------
    real_train, synthetic, real_test : DataFrame
        Tables with the same columns, ``target`` among them.
    target : column name
        The column to predict.

    Returns
    -------
    DataFrame indexed by training data (``real``, ``synthetic``, ``real + synthetic``)
    with one column per score.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> df = load_iris(as_frame=True).frame.astype({"target": "category"})
    >>> utility(df.iloc[::2], df.iloc[1::4], df.iloc[3::4], "target").index.tolist()
    ['real', 'synthetic', 'real + synthetic']
    """
    real_train, synthetic, categorical, continuous = _frames(real_train, synthetic, discrete_columns)
    if target not in real_train.columns:
        raise ValueError(f"target {target!r} is not a column of the tables.")
    real_test = real_test[real_test[target].notna()].reset_index(drop=True)
    y_test = real_test[target]
    classify = target in categorical or (
        pd.api.types.is_integer_dtype(real_train[target]) and real_train[target].nunique() <= 20
    )
    features = [c for c in real_train.columns if c != target]
    cat = [c for c in categorical if c != target]
    cont = [c for c in continuous if c != target]
    rows = {}
    for name, train in {
        "real": real_train,
        "synthetic": synthetic,
        "real + synthetic": pd.concat([real_train, synthetic], ignore_index=True),
    }.items():
        train = train[train[target].notna()]
        head = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        model = make_pipeline(_features(cat, cont), head(random_state=random_state))
        X_train, X_test = _as_objects(train[features], cat), _as_objects(real_test[features], cat)
        y_train = train[target].astype(str) if classify else train[target].astype(float)
        model.fit(X_train, y_train)
        if not classify:
            rows[name] = {"R2": r2_score(y_test.astype(float), model.predict(X_test))}
            continue
        scores = {"balanced accuracy": balanced_accuracy_score(y_test.astype(str), model.predict(X_test))}
        if y_test.nunique() == 2 and len(model.classes_) == 2:
            positive = model.predict_proba(X_test)[:, 1]
            scores["ROC AUC"] = roc_auc_score(y_test.astype(str) == model.classes_[1], positive)
        rows[name] = scores
    return pd.DataFrame.from_dict(rows, orient="index")


def privacy(train, synthetic, holdout, discrete_columns=None):
    """Whether synthetic rows sit closer to the rows the generator saw than to unseen real rows.

    Rows are compared in a shared space (standardized continuous columns,
    one-hot categoricals) fitted on ``train``.

    Returns
    -------
    dict with
        ``exact_copy_rate``: share of synthetic rows identical to a training
        row (good: near 0);
        ``dcr_train`` and ``dcr_holdout``: median distance from a synthetic
        row to its closest training row and to its closest holdout row;
        ``closer_to_train``: share of synthetic rows whose closest training
        row is nearer than their closest holdout row. With ``train`` and
        ``holdout`` of the same size, a generator that learned the
        distribution rather than the rows scores near 0.5; near 1 means it
        memorized its training rows.

    Examples
    --------
    >>> import pandas as pd
    >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> holdout = pd.DataFrame({"x": [0.4, 1.4, 2.4, 3.4]})
    >>> scores = privacy(train, train, holdout)
    >>> scores["exact_copy_rate"], scores["closer_to_train"]
    (1.0, 1.0)
    """
    train, synthetic, categorical, continuous = _frames(train, synthetic, discrete_columns)
    holdout = holdout.reset_index(drop=True)
    space = _features(categorical, continuous).fit(_as_objects(train, categorical))
    embed = [space.transform(_as_objects(t, categorical)) for t in (train, holdout, synthetic)]
    to_train = NearestNeighbors(n_neighbors=1).fit(embed[0]).kneighbors(embed[2])[0].ravel()
    to_holdout = NearestNeighbors(n_neighbors=1).fit(embed[1]).kneighbors(embed[2])[0].ravel()
    copies = synthetic.merge(train.drop_duplicates(), how="inner")
    return {
        "exact_copy_rate": len(copies) / len(synthetic),
        "dcr_train": float(np.median(to_train)),
        "dcr_holdout": float(np.median(to_holdout)),
        "closer_to_train": float(np.mean(to_train < to_holdout)),
    }


def frechet_distance(real, synthetic, features=None):
    """Fréchet distance between Gaussians fitted to the feature rows of two sets.

    ``||mu_r - mu_s||^2 + Tr(S_r + S_s - 2 (S_r S_s)^(1/2))``: with the
    features of a network trained on real images (``features`` a fitted
    :class:`~augment.image_features.ImageFeatures`, or any object with
    ``transform``), this is the image field's FID. 0 for identical sets;
    lower is closer.

    Parameters
    ----------
    real, synthetic : array-like of shape (n_samples, n_features)
        Rows to compare (images, flattened).
    features : object with ``transform``, default=None
        Maps rows to feature rows first; ``None`` compares the rows as given.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(500, 3)), rng.normal(size=(500, 3))
    >>> frechet_distance(a, b) < frechet_distance(a, b + 1)
    True
    """
    if features is not None:
        real, synthetic = features.transform(real), features.transform(synthetic)
    real, synthetic = np.asarray(real, dtype=np.float64), np.asarray(synthetic, dtype=np.float64)
    if real.ndim != 2 or synthetic.ndim != 2 or real.shape[1] != synthetic.shape[1]:
        raise ValueError(f"real and synthetic must be 2-D with the same width, got {real.shape} and {synthetic.shape}.")
    if min(len(real), len(synthetic)) < 2:
        raise ValueError("real and synthetic need at least 2 rows each to estimate a covariance.")
    mean = real.mean(axis=0) - synthetic.mean(axis=0)
    cov_r = np.atleast_2d(np.cov(real, rowvar=False))
    cov_s = np.atleast_2d(np.cov(synthetic, rowvar=False))
    root_r = _psd_sqrt(cov_r)
    cross = np.linalg.eigvalsh(root_r @ cov_s @ root_r).clip(min=0)
    return float(mean @ mean + np.trace(cov_r) + np.trace(cov_s) - 2 * np.sqrt(cross).sum())


def _psd_sqrt(matrix):
    """Symmetric square root of a positive semi-definite matrix."""
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(values.clip(min=0))) @ vectors.T
