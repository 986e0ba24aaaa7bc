"""Meta-estimators that augment their training data inside ``fit`` only.

Because the synthetic rows are made in ``fit``, plain scikit-learn tools
(``Pipeline``, ``cross_val_score``, ``GridSearchCV``) never let them reach a
validation fold.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, RegressorMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from . import selection
from ._seeds import seed_from
from ._validation import check_X
from .resampling import SyntheticOversampler, check_generator, draw_jointly, seed_generator, stack

_SELECTION = {
    "cv": ["cv_object"],
    "scoring": [str, callable, None],
    "verbose": ["verbose"],
}


def _delegates(method):
    return lambda self: hasattr(self.estimator, method)


class _AugmentedBase(MetaEstimatorMixin, BaseEstimator):
    def _check_X(self, X, reset):
        return check_X(self, X, reset=reset)

    def _fit_estimator(self, X, y):
        self.estimator_ = clone(self.estimator).fit(X, y)
        return self

    def _fit_chosen(self, X, y, candidates, classifier):
        """Cross-validate every way to augment, then fit ``estimator`` on the chosen one over all rows.

        ``candidates(X, y, generator, rng)`` yields ``(name, X, y)`` lazily.
        """
        seed = seed_from(self.random_state)
        cv = selection.splitter(self.cv, y, classifier, seed)

        def fresh(X_part, y_part):
            """A new seeded generator and the candidates it makes from these rows."""
            generator = seed_generator(check_generator(self.generator), seed)
            return generator, candidates(X_part, y_part, generator, np.random.default_rng(seed))

        names, scores, added = selection.cross_validate(
            lambda X_part, y_part: fresh(X_part, y_part)[1],
            self.estimator,
            X,
            y,
            cv,
            self.scoring,
            self.verbose,
            type(self).__name__,
        )
        rule = selection.best_mean if classifier else selection.one_standard_error
        self.cv_results_, self.selected_ = selection.choose(names, scores, added, rule)
        generator, on_all_rows = fresh(X, y)
        self.selected_, X_aug, y_aug = selection.refit_choice(on_all_rows, self.selected_)
        self.generator_ = generator if self.selected_.startswith("generator") else None
        return self._fit_estimator(X_aug, y_aug)

    @available_if(_delegates("predict"))
    def predict(self, X):
        """Predict with the estimator fitted on real plus synthetic rows."""
        check_is_fitted(self)
        return self.estimator_.predict(self._check_X(X, reset=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = get_tags(self.estimator).input_tags.allow_nan
        return tags


class AugmentedClassifier(ClassifierMixin, _AugmentedBase):
    """Classifier trained on its training rows plus synthetic rows per class.

    ``fit`` clones ``generator``, fits it conditional on the labels, draws
    rows for the classes ``sampling_strategy`` names (as
    :class:`SyntheticOversampler` does) and fits a clone of ``estimator`` on
    real plus synthetic rows. Prediction delegates to that clone.

    Parameters
    ----------
    estimator : classifier
        The model to train.
    generator : estimator with ``fit`` and ``sample``, default=None
        ``None`` means ``VAEGenerator()``.
    sampling_strategy : float, str, dict or callable, default="auto"
        Rows per class after augmentation, with imbalanced-learn's meaning.
        ``"auto-cv"`` chooses by cross-validation on the training rows
        among no augmentation, random over-sampling to balance, ROSE and
        SMOTE to balance (with imbalanced-learn installed, on numeric
        columns without missing values) and the generator's rows to
        balance; the best mean score wins. That costs ``cv`` generator fits,
        plus one on all rows if the generator wins, and up to ``5 * cv + 1``
        estimator fits.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator (and with ``"auto-cv"`` the folds).
    cv : int or cross-validation generator, default=5
        Folds for ``"auto-cv"``: an int means shuffled stratified K-fold.
    scoring : str or callable, default=None
        Score for ``"auto-cv"``, as in ``cross_val_score``; ``None`` is the
        estimator's ``score`` (accuracy). ``"balanced_accuracy"`` or
        ``"roc_auc"`` suit rare classes.
    verbose : bool, default=False
        Show a progress bar over the ``"auto-cv"`` folds.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    sampler_ : SyntheticOversampler or None
        The fitted sampler (its ``generator_`` is the fitted generator);
        ``None`` with ``"auto-cv"``.
    selected_ : str
        With ``"auto-cv"``: the chosen candidate, ``"none"``, ``"random
        over-sampling"``, ``"ROSE"``, ``"SMOTE"`` or ``"generator x1"``.
    cv_results_ : dict of ndarray
        With ``"auto-cv"``: per candidate its mean rows added, mean, spread,
        rank and per-fold scores, as ``GridSearchCV.cv_results_``.
    generator_ : estimator or None
        With ``"auto-cv"``: the generator fit on all rows when it won.
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
        "estimator": [HasMethods(["fit", "predict"])],
        "generator": [HasMethods(["fit", "sample"]), None],
        "sampling_strategy": [
            *SyntheticOversampler._parameter_constraints["sampling_strategy"],
            StrOptions({"auto-cv"}),
        ],
        "random_state": ["random_state"],
        **_SELECTION,
    }

    def __init__(
        self, estimator, generator=None, sampling_strategy="auto", random_state=None, cv=5, scoring=None, verbose=False
    ):
        self.estimator = estimator
        self.generator = generator
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.cv = cv
        self.scoring = scoring
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Augment ``X, y`` with synthetic rows, then fit a clone of ``estimator``."""
        X = self._check_X(X, reset=True)
        check_classification_targets(y)
        y = column_or_1d(y, warn=True)
        if self.sampling_strategy == "auto-cv":
            self.sampler_ = None
            self._fit_chosen(X, y, selection.classifier_candidates, classifier=True)
        else:
            self.sampler_ = SyntheticOversampler(self.generator, self.sampling_strategy, random_state=self.random_state)
            self._fit_estimator(*self.sampler_.fit_resample(X, y))
        self.classes_ = self.estimator_.classes_
        return self

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


class AugmentedRegressor(RegressorMixin, _AugmentedBase):
    """Regressor trained on its training rows plus synthetic rows with their targets.

    ``fit`` clones ``generator``, fits it on ``X`` with ``y`` as one more
    continuous column (so targets are drawn jointly with the features), draws
    ``n_synthetic`` rows and fits a clone of ``estimator`` on real plus
    synthetic rows.

    Parameters
    ----------
    estimator : regressor
        The model to train.
    generator : estimator with ``fit`` and ``sample``, default=None
        ``None`` means ``VAEGenerator()``; it is fit without labels.
    n_synthetic : int, float or "auto-cv", default=1.0
        Rows to add: a count (int) or a fraction of the training rows
        (float). ``"auto-cv"`` chooses by cross-validation on the training
        rows among no rows and 0.25, 0.5 and 1x the training rows; a
        generator amount wins only if it beats no augmentation by more than
        one standard error of the paired fold differences. That costs ``cv``
        generator fits, plus one on all rows if the generator wins, and
        ``4 * cv + 1`` estimator fits.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator (and with ``"auto-cv"`` the folds).
    cv : int or cross-validation generator, default=5
        Folds for ``"auto-cv"``: an int means shuffled K-fold.
    scoring : str or callable, default=None
        Score for ``"auto-cv"``; ``None`` is the estimator's ``score`` (R²).
    verbose : bool, default=False
        Show a progress bar over the ``"auto-cv"`` folds.

    Attributes
    ----------
    estimator_ : regressor
        The fitted clone of ``estimator``.
    generator_ : estimator or None
        The fitted generator (with ``"auto-cv"``, only when it won).
    selected_ : str
        With ``"auto-cv"``: ``"none"`` or ``"generator x<share>"``.
    cv_results_ : dict of ndarray
        With ``"auto-cv"``: per candidate its rows added, mean, spread,
        rank and per-fold scores.

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
        "estimator": [HasMethods(["fit", "predict"])],
        "generator": [HasMethods(["fit", "sample"]), None],
        "n_synthetic": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto-cv"}),
        ],
        "random_state": ["random_state"],
        **_SELECTION,
    }

    def __init__(
        self, estimator, generator=None, n_synthetic=1.0, random_state=None, cv=5, scoring=None, verbose=False
    ):
        self.estimator = estimator
        self.generator = generator
        self.n_synthetic = n_synthetic
        self.random_state = random_state
        self.cv = cv
        self.scoring = scoring
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the generator on ``[X, y]``, add synthetic rows, then fit a clone of ``estimator``."""
        X = self._check_X(X, reset=True)
        y = column_or_1d(y, warn=True, dtype=np.float64)
        if len(y) != len(X):
            raise ValueError(f"y has {len(y)} rows but X has {len(X)}; they must match.")
        if self.n_synthetic == "auto-cv":
            return self._fit_chosen(X, y, selection.regressor_candidates, classifier=False)
        generator = seed_generator(check_generator(self.generator), self.random_state)
        self.generator_, X_new, y_new = draw_jointly(generator, X, y, self.n_synthetic)
        return self._fit_estimator(stack(X, X_new), np.concatenate([y, y_new]))
