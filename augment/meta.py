"""Meta-estimators that augment their training data inside ``fit`` only.

Because the synthetic rows are made in ``fit``, plain scikit-learn tools
(``Pipeline``, ``cross_val_score``, ``GridSearchCV``) never let them reach a
validation fold.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, RegressorMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._validation import check_X
from .resampling import SyntheticOversampler, check_generator, draw_jointly, seed_generator, stack

_MODELS = {
    "estimator": [HasMethods(["fit", "predict"])],
    "generator": [HasMethods(["fit", "sample"]), None],
}


def _delegates(method):
    return lambda self: hasattr(self.estimator, method)


class _AugmentedBase(MetaEstimatorMixin, BaseEstimator):
    def _check_X(self, X, reset):
        return check_X(self, X, reset=reset)

    def _fit_estimator(self, X, y):
        self.estimator_ = clone(self.estimator).fit(X, y)
        return self

    @available_if(_delegates("predict"))
    def predict(self, X):
        """Predict with the estimator fitted on real plus synthetic rows."""
        check_is_fitted(self)
        return self.estimator_.predict(self._check_X(X, reset=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = get_tags(self.estimator).input_tags.allow_nan
        return tags


class _ClassifierBase(ClassifierMixin, _AugmentedBase):
    def _check_Xy(self, X, y):
        X = self._check_X(X, reset=True)
        check_classification_targets(y)
        return X, column_or_1d(y, warn=True)

    @available_if(_delegates("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.predict_proba(self._check_X(X, reset=False))

    @available_if(_delegates("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(self._check_X(X, reset=False))

    @available_if(_delegates("decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.decision_function(self._check_X(X, reset=False))


class _RegressorBase(RegressorMixin, _AugmentedBase):
    def _check_Xy(self, X, y):
        X = self._check_X(X, reset=True)
        y = column_or_1d(y, warn=True, dtype=np.float64)
        if len(y) != len(X):
            raise ValueError(f"y has {len(y)} rows but X has {len(X)}; they must match.")
        return X, y


class AugmentedClassifier(_ClassifierBase):
    """Classifier trained on its training rows plus synthetic rows per class.

    ``fit`` clones ``generator``, fits it conditional on the labels, draws
    rows for the classes ``sampling_strategy`` names (as
    :class:`SyntheticOversampler` does) and fits a clone of ``estimator`` on
    real plus synthetic rows. Prediction delegates to that clone. To let
    cross-validation on the training rows choose whether and how to
    augment, use :class:`AugmentedClassifierCV`.

    Parameters
    ----------
    estimator : classifier
        The model to train.
    generator : estimator with ``fit`` and ``sample``, default=None
        ``None`` means ``VAEGenerator()``.
    sampling_strategy : float, str, dict or callable, default="auto"
        Rows per class after augmentation, with imbalanced-learn's meaning.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    sampler_ : SyntheticOversampler
        The fitted sampler (its ``generator_`` is the fitted generator).
    classes_ : ndarray
        Class labels.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from augment import AugmentedClassifier, VAEGenerator
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = AugmentedClassifier(LogisticRegression(), VAEGenerator(epochs=5), random_state=0)
    >>> scores = cross_val_score(make_pipeline(StandardScaler(), clf), X, y, cv=3)
    >>> bool(scores.mean() > 0.9)
    True
    """

    _parameter_constraints = {
        **_MODELS,
        "sampling_strategy": SyntheticOversampler._parameter_constraints["sampling_strategy"],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator, generator=None, sampling_strategy="auto", random_state=None):
        self.estimator = estimator
        self.generator = generator
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Augment ``X, y`` with synthetic rows, then fit a clone of ``estimator``."""
        X, y = self._check_Xy(X, y)
        self.sampler_ = SyntheticOversampler(self.generator, self.sampling_strategy, random_state=self.random_state)
        self._fit_estimator(*self.sampler_.fit_resample(X, y))
        self.classes_ = self.estimator_.classes_
        return self


class AugmentedRegressor(_RegressorBase):
    """Regressor trained on its training rows plus synthetic rows with their targets.

    ``fit`` clones ``generator``, fits it on ``X`` with ``y`` as one more
    continuous column (so targets are drawn jointly with the features), draws
    ``n_synthetic`` rows and fits a clone of ``estimator`` on real plus
    synthetic rows. To let cross-validation choose the amount, use
    :class:`AugmentedRegressorCV`.

    Parameters
    ----------
    estimator : regressor
        The model to train.
    generator : estimator with ``fit`` and ``sample``, default=None
        ``None`` means ``VAEGenerator()``; it is fit without labels.
    n_synthetic : int or float, default=1.0
        Rows to add: a count (int) or a fraction of the training rows
        (float).
    random_state : int, RandomState instance or None, default=None
        Seeds the generator.

    Attributes
    ----------
    estimator_ : regressor
        The fitted clone of ``estimator``.
    generator_ : estimator
        The fitted generator.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from augment import AugmentedRegressor, VAEGenerator
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = AugmentedRegressor(Ridge(), VAEGenerator(epochs=5), n_synthetic=0.5, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        **_MODELS,
        "n_synthetic": [Interval(Integral, 1, None, closed="left"), Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator, generator=None, n_synthetic=1.0, random_state=None):
        self.estimator = estimator
        self.generator = generator
        self.n_synthetic = n_synthetic
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the generator on ``[X, y]``, add synthetic rows, then fit a clone of ``estimator``."""
        X, y = self._check_Xy(X, y)
        generator = seed_generator(check_generator(self.generator), self.random_state)
        self.generator_, X_new, y_new = draw_jointly(generator, X, y, self.n_synthetic)
        return self._fit_estimator(stack(X, X_new), np.concatenate([y, y_new]))
