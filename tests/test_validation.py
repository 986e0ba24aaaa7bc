"""The one check of X shared by the generators, the augmented estimators and the oversampler."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from augment import AugmentedClassifier, SyntheticOversampler, VAEGenerator
from augment._validation import check_X

from _device import DEVICE

FAST = {"epochs": 2, "random_state": 0, "device": DEVICE}


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True, as_frame=True)
    return X, y


@pytest.mark.parametrize(
    "fit",
    [
        lambda X, y: VAEGenerator(**FAST).fit(X, y),
        lambda X, y: AugmentedClassifier(LogisticRegression(), VAEGenerator(**FAST), random_state=0).fit(X, y),
        lambda X, y: SyntheticOversampler(VAEGenerator(**FAST), random_state=0).fit_resample(X, y),
    ],
    ids=["generator", "augmented classifier", "oversampler"],
)
def test_every_estimator_refuses_duplicated_column_names(iris, fit):
    X, y = iris
    X = X.set_axis(["a", "b", "a", "c"], axis=1)
    with pytest.raises(ValueError, match=r"unique column names, got:\n- 'a' 2 times"):
        fit(X, y)


def test_the_index_is_renumbered_and_sparse_columns_are_refused_by_generators_but_resampled(iris):
    X, y = iris
    X = X.astype({"petal width (cm)": pd.SparseDtype(float, 0.0)}).set_axis(np.arange(len(X)) * 7 + 3)
    checked = check_X(VAEGenerator(), X, reset=True)
    assert checked.index.equals(pd.RangeIndex(len(X)))
    np.testing.assert_array_equal(checked.to_numpy(dtype=float), X.to_numpy(dtype=float))
    with pytest.raises(TypeError, match="'petal width \\(cm\\)' is sparse"):
        VAEGenerator(**FAST).fit(X, y)
    rare = slice(0, 110)  # 50, 50 and 10 rows of the three classes
    X_res, y_res = SyntheticOversampler(VAEGenerator(**FAST), random_state=0).fit_resample(
        X.iloc[rare], y.set_axis(X.index).iloc[rare]
    )
    assert len(X_res) == len(y_res) == 150 and np.isfinite(X_res["petal width (cm)"].to_numpy(dtype=float)).all()


def test_arrays_become_numeric_with_missing_values_kept_and_rows_counted():
    X = np.array([[1, np.nan], [2, 3.0]], dtype=object)
    checked = check_X(VAEGenerator(), X, reset=True)
    assert checked.dtype == np.float64 and np.isnan(checked[0, 1])
    with pytest.raises(ValueError, match="minimum of 3"):
        check_X(VAEGenerator(), X, reset=True, min_rows=3)
