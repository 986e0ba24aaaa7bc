"""Fidelity measures of a synthetic table against a real one.

Columns are typed as the encoder types them: categorical for pandas
category, object, string and bool columns (and any named in
``discrete_columns``), continuous otherwise.
"""

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
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


def _detector(kind, categorical, continuous):
    columns = make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), continuous),
        (
            make_pipeline(
                SimpleImputer(strategy="constant", fill_value="<missing>"),
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            ),
            categorical,
        ),
    )
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
