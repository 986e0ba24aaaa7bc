"""SyntheticOversampler: an imbalanced-learn sampler that draws new rows from a generator."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

from ._seeds import seed_from
from ._validation import check_X
from .generators import VAEGenerator

try:
    from imblearn.over_sampling.base import BaseOverSampler
    from imblearn.utils import check_target_type
except ImportError:  # imbalanced-learn is optional; the fallback keeps its contract
    from ._oversampling import BaseOverSampler

    def check_target_type(y, indicate_one_vs_all=False):
        return column_or_1d(y), False


def check_generator(generator):
    """A clone of ``generator``, or ``VAEGenerator()`` when None.

    That it has ``fit`` and ``sample`` is checked with the other parameters.
    """
    return VAEGenerator() if generator is None else clone(generator)


def seed_generator(generator, random_state):
    """Set the generator's ``random_state`` from ``random_state`` when it has one and it is given."""
    if random_state is not None and "random_state" in generator.get_params():
        generator.set_params(random_state=seed_from(random_state))
    return generator


def stack(X, X_new):
    """Real rows first, then new rows; pandas stays pandas with its dtypes."""
    if isinstance(X, pd.DataFrame):
        return pd.concat([X, X_new], ignore_index=True)
    return np.concatenate([np.asarray(X), np.asarray(X_new, dtype=np.asarray(X).dtype)])


def count_of(n_synthetic, n_rows):
    """Rows to add: ``n_synthetic`` itself when an int, else that fraction of ``n_rows``."""
    return n_synthetic if isinstance(n_synthetic, Integral) else round(n_synthetic * n_rows)


def draw_jointly(generator, X, y, n_synthetic):
    """Fit ``generator`` on ``X`` with the continuous target ``y`` as one more column; draw rows and targets.

    Returns the fitted generator, the new rows (same type and columns as ``X``) and their targets.
    """
    n_new = count_of(n_synthetic, len(y))
    if isinstance(X, pd.DataFrame):
        joint = X.set_axis(range(X.shape[1]), axis=1).reset_index(drop=True)
        joint[X.shape[1]] = y
        generator.fit(joint)
        drawn = generator.sample(n_new) if n_new else joint.iloc[:0]
        return generator, drawn.iloc[:, :-1].set_axis(X.columns, axis=1), drawn.iloc[:, -1].to_numpy()
    generator.fit(np.column_stack([X, y]))
    drawn = generator.sample(n_new) if n_new else np.empty((0, X.shape[1] + 1))
    return generator, drawn[:, :-1], drawn[:, -1]


class SyntheticOversampler(BaseOverSampler):
    """Over-sample classes with rows drawn from a learned generator.

    One conditional generator is fit on all classes; each class's missing rows
    are drawn from it conditioned on that class. Real rows come first,
    unchanged, then the synthetic rows grouped by class. Inside an
    imbalanced-learn ``Pipeline`` this happens on the training folds only.

    Parameters
    ----------
    generator : estimator with ``fit(X, y)`` and ``sample(y=...)``, default=None
        Cloned, never fitted in place. ``None`` means ``VAEGenerator()``.
    sampling_strategy : float, str, dict or callable, default="auto"
        How many rows each class should have after resampling, with
        imbalanced-learn's meaning: ``"auto"`` / ``"not majority"``,
        ``"minority"``, ``"not minority"``, ``"all"``, a minority/majority
        ratio (binary), ``{class: total rows}``, or a callable of ``y``.
    n_synthetic : int or float, default=None
        Instead of balancing, add this many rows (int) or this fraction of the
        table (float). Class labels are drawn at their training frequencies;
        a continuous ``y`` (regression) is learned as one more column and
        drawn jointly with the features.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator's ``random_state`` when given.

    Attributes
    ----------
    sampling_strategy_ : dict
        Rows added per class.
    generator_ : estimator
        The fitted generator (absent when no rows were needed).

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import load_breast_cancer
    >>> from augment import SyntheticOversampler, VAEGenerator
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> sampler = SyntheticOversampler(VAEGenerator(epochs=5), random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items()), X_res.shape
    ([(0, 357), (1, 357)], (714, 30))
    """

    _parameter_constraints = {
        **BaseOverSampler._parameter_constraints,
        "generator": [HasMethods(["fit", "sample"]), None],
        "n_synthetic": [Interval(Integral, 1, None, closed="left"), Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(self, generator=None, sampling_strategy="auto", n_synthetic=None, random_state=None):
        self.generator = generator
        self.sampling_strategy = sampling_strategy
        self.n_synthetic = n_synthetic
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = True
        return tags

    def _check_X(self, X, n_rows):
        """A DataFrame stays a DataFrame (sparse columns made dense); anything else becomes a numeric array."""
        X = check_X(self, X, reset=True)
        if isinstance(X, pd.DataFrame):
            X = X.apply(lambda c: c.sparse.to_dense() if isinstance(c.dtype, pd.SparseDtype) else c)
        if len(X) != n_rows:
            raise ValueError(f"y has {n_rows} rows but X has {len(X)}; they must match.")
        return X

    def _check_X_y(self, X, y, accept_sparse=None):
        """Labels as imbalanced-learn reads them, rows as :meth:`_check_X` keeps them."""
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        return self._check_X(X, len(y)), np.asarray(y), binarize_y

    def _rows_to_add(self, y):
        if self.n_synthetic is None:
            return {label: n for label, n in self.sampling_strategy_.items() if n > 0}
        total = count_of(self.n_synthetic, len(y))
        labels, counts = np.unique(y, return_counts=True)
        drawn = check_random_state(self.random_state).multinomial(total, counts / counts.sum())
        return {label: int(n) for label, n in zip(labels, drawn, strict=True) if n > 0}

    def fit_resample(self, X, y):
        """Resample ``X, y``: real rows first, then synthetic rows.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels, or with ``n_synthetic`` a continuous target.

        Returns
        -------
        X_resampled, y_resampled
            Of the types given.
        """
        missing = np.flatnonzero(pd.isna(np.asarray(y, dtype=object).ravel()))
        if missing.size:
            raise ValueError(f"y contains missing values (at row {missing[0]}); every row needs a label.")
        if self.n_synthetic is None or type_of_target(y) != "continuous":
            return super().fit_resample(X, y)
        self._validate_params()
        y_name = getattr(y, "name", None)
        y_checked = column_or_1d(y, dtype=np.float64)
        X_checked = self._check_X(X, len(y_checked))
        generator = seed_generator(check_generator(self.generator), self.random_state)
        self.sampling_strategy_ = {}
        self.generator_, X_new, y_new = draw_jointly(generator, X_checked, y_checked, self.n_synthetic)
        X_res, y_res = stack(X_checked, X_new), np.concatenate([y_checked, y_new])
        if isinstance(X, pd.DataFrame):
            return X_res, pd.Series(y_res, name=y_name)
        return X_res, y_res

    def _fit_resample(self, X, y):
        generator = seed_generator(check_generator(self.generator), self.random_state)
        wanted = self._rows_to_add(y)
        if not wanted:
            return X, y
        self.generator_ = generator.fit(X, y)
        X_new, y_new = self.generator_.sample(y=wanted)
        return stack(X, X_new), np.concatenate([y, np.asarray(y_new, dtype=y.dtype)])
