"""Over-sampler plumbing for when imbalanced-learn is not installed.

Same contract as ``imblearn.over_sampling.base.BaseOverSampler``: the
subclass writes ``_fit_resample(X, y)`` and finds ``sampling_strategy_``
(``{class: rows to add}``) set; every ``sampling_strategy`` form has the
meaning imbalanced-learn gives it. With imbalanced-learn installed, augment
uses imbalanced-learn's own classes instead of these.
"""

from collections import Counter, OrderedDict
from collections.abc import Mapping
from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d


def check_sampling_strategy(sampling_strategy, y):
    """``{class: rows to add}`` for an over-sampler, as imbalanced-learn computes it."""
    counts = Counter(y)
    if len(counts) < 2:
        raise ValueError(f"The target 'y' needs to have more than 1 class. Got {len(counts)} class instead")
    majority_class, majority = max(counts.items(), key=lambda kv: kv[1])
    minority_class = min(counts.items(), key=lambda kv: kv[1])[0]
    if isinstance(sampling_strategy, str):
        targets = {
            "minority": [minority_class],
            "not minority": [c for c in counts if c != minority_class],
            "not majority": [c for c in counts if c != majority_class],
            "auto": [c for c in counts if c != majority_class],
            "all": list(counts),
        }[sampling_strategy]
        wanted = {c: majority - counts[c] for c in targets}
    elif isinstance(sampling_strategy, Real):
        if len(counts) != 2:
            raise ValueError('"sampling_strategy" can be a float only when the type of target is binary.')
        target = int(majority * sampling_strategy)
        if target < counts[minority_class]:
            raise ValueError(
                "The specified ratio required to remove samples from the minority class while trying to "
                "generate new samples. Please increase the ratio."
            )
        wanted = {minority_class: target - counts[minority_class]}
    else:
        asked = sampling_strategy(y) if callable(sampling_strategy) else sampling_strategy
        unknown = set(asked) - set(counts)
        if unknown:
            raise ValueError(f"The {unknown} target class is/are not present in the data.")
        fewer = {c: (n, counts[c]) for c, n in asked.items() if n < counts[c]}
        if fewer:
            raise ValueError(
                "With over-sampling methods, the number of samples in a class should be greater or equal "
                f"to the original number of samples. Asked (target, present) per class: {fewer}."
            )
        wanted = {c: n - counts[c] for c, n in asked.items()}
    return OrderedDict(sorted(wanted.items()))


class BaseOverSampler(BaseEstimator):
    """Minimal over-sampler base with imbalanced-learn's contract."""

    _sampling_type = "over-sampling"
    _parameter_constraints = {
        "sampling_strategy": [
            Interval(Real, 0, 1, closed="right"),
            StrOptions({"auto", "minority", "not minority", "not majority", "all"}),
            Mapping,
            callable,
        ],
        "random_state": ["random_state"],
    }

    def _check_X_y(self, X, y, accept_sparse=None):
        return X, column_or_1d(y), False

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y):
        """Resample ``X`` and ``y``; pandas in gives pandas out."""
        check_classification_targets(y)
        y_name = y.name if isinstance(y, pd.Series) else None
        X_checked, y_checked, _ = self._check_X_y(X, y)
        self.sampling_strategy_ = check_sampling_strategy(self.sampling_strategy, y_checked)
        X_res, y_res = self._fit_resample(X_checked, y_checked)
        if isinstance(X, pd.DataFrame):
            return X_res, pd.Series(np.asarray(y_res), name=y_name, index=X_res.index)
        return X_res, y_res

    def fit(self, X, y):
        """Check the inputs and compute ``sampling_strategy_``; use ``fit_resample`` to resample."""
        type_of_target(y)
        self.fit_resample(X, y)
        return self
