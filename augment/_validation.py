"""The one check of ``X`` that every estimator in augment makes."""

import pandas as pd
from sklearn.utils.validation import validate_data


def check_X(estimator, X, *, reset, min_rows=1):
    """``X`` checked as scikit-learn checks it, a DataFrame kept a DataFrame.

    A DataFrame keeps its columns' dtypes (the index renumbered) after
    scikit-learn's checks of its column names and count; anything else
    becomes a numeric array, missing values allowed.

    Parameters
    ----------
    estimator : BaseEstimator
        Records the columns at ``reset`` and checks them otherwise.
    X : DataFrame or array-like of shape (n_samples, n_features)
    reset : bool
        Whether this is ``fit``.
    min_rows : int, default=1
        Fewest rows accepted.

    Returns
    -------
    X : DataFrame or ndarray

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.base import BaseEstimator
    >>> from augment._validation import check_X
    >>> X = pd.DataFrame({"n": [1, 2], "s": ["x", "y"]}, index=[5, 9])
    >>> checked = check_X(BaseEstimator(), X, reset=True)
    >>> checked.index.tolist(), checked["s"].tolist()
    ([0, 1], ['x', 'y'])
    """
    if not isinstance(X, pd.DataFrame):
        return validate_data(
            estimator, X, reset=reset, dtype="numeric", ensure_all_finite=False, ensure_min_samples=min_rows
        )
    validate_data(estimator, X, skip_check_array=True, reset=reset)
    name = type(estimator).__name__
    if X.shape[1] == 0:
        raise ValueError(f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
    if X.shape[0] < min_rows:
        raise ValueError(f"X has {X.shape[0]} rows; {name} needs at least {min_rows}.")
    return X.reset_index(drop=True)
