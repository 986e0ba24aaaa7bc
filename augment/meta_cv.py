"""Meta-estimators that choose by cross-validation on their training rows whether and how to augment.

As ``LogisticRegressionCV`` chooses its penalty inside ``fit``, these choose
the augmentation there: each fold's training part is augmented in every
candidate way (:mod:`augment.selection`), a clone of the estimator is fit on
each and scored on the fold's held-out part, and the chosen way is then
applied to all training rows. The choice sees the training rows only, so
cross-validating or grid-searching these estimators stays honest.
"""

import numpy as np
from sklearn.base import _fit_context

from . import selection
from ._seeds import seed_from
from .meta import _MODELS, _ClassifierBase, _RegressorBase
from .resampling import check_generator, seed_generator

_CHOICE = {
    **_MODELS,
    "cv": ["cv_object"],
    "scoring": [str, callable, None],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


class _ChoosingBase:
    def __init__(self, estimator, generator=None, *, cv=5, scoring=None, random_state=None, verbose=False):
        self.estimator = estimator
        self.generator = generator
        self.cv = cv
        self.scoring = scoring
        self.random_state = random_state
        self.verbose = verbose

    def _fit_chosen(self, X, y, candidates, rule, classifier):
        """Cross-validate every candidate, choose by ``rule``, then fit ``estimator`` on the choice over all rows.

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
        self.cv_results_, chosen = selection.choose(names, scores, added, rule)
        generator, on_all_rows = fresh(X, y)
        self.selected_, X_aug, y_aug = selection.refit_choice(on_all_rows, chosen)
        self.generator_ = generator if self.selected_.startswith("generator") else None
        return self._fit_estimator(X_aug, y_aug)


class AugmentedClassifierCV(_ChoosingBase, _ClassifierBase):
    """Classifier trained on the augmentation that cross-validation on its training rows chose.

    The candidates are no augmentation, random over-sampling, ROSE and
    SMOTE (with imbalanced-learn installed, on numeric columns without
    missing values) and the generator's rows, each to balance. The
    generator's rows are kept unless another candidate's mean score beats
    theirs by more than one standard error of the paired fold differences
    (``augment.selection.over_the_generator``). Then ``estimator`` is
    fit on the chosen candidate built from all training rows.

    That costs ``cv`` generator fits, plus one on all rows if the generator
    wins, and up to ``5 * cv + 1`` estimator fits.

    Parameters
    ----------
    estimator : classifier
        The model to train.
    generator : estimator with ``fit`` and ``sample``, default=None
        ``None`` means ``VAEGenerator()``.
    cv : int or cross-validation generator, default=5
        Folds: an int means shuffled stratified K-fold.
    scoring : str or callable, default=None
        Score to choose by, as in ``cross_val_score``; ``None`` is the
        estimator's ``score`` (accuracy). ``"balanced_accuracy"``,
        ``"roc_auc"`` or ``"average_precision"`` suit rare classes.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the samplers and the generator.
    verbose : bool, default=False
        Show a progress bar over the folds.

    Attributes
    ----------
    estimator_ : classifier
        The clone of ``estimator`` fitted on the chosen training set.
    selected_ : str
        The chosen candidate: ``"none"``, ``"random over-sampling"``,
        ``"ROSE"``, ``"SMOTE"`` or ``"generator x1"``.
    cv_results_ : dict of ndarray
        Per candidate its mean rows added, mean, spread, rank and per-fold
        scores, as ``GridSearchCV.cv_results_``.
    generator_ : estimator or None
        The generator fit on all rows when it won.
    classes_ : ndarray
        Class labels.

    See Also
    --------
    AugmentedClassifier : augments with the generator's rows, no choice.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from augment import AugmentedClassifierCV, VAEGenerator
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X, y = StandardScaler().fit_transform(X[40:]), y[40:]
    >>> clf = AugmentedClassifierCV(
    ...     LogisticRegression(), VAEGenerator(epochs=5), cv=3, scoring="balanced_accuracy", random_state=0
    ... ).fit(X, y)
    >>> clf.cv_results_["candidate"]
    ['none', 'random over-sampling', 'ROSE', 'SMOTE', 'generator x1']
    >>> clf.selected_ in clf.cv_results_["candidate"]
    True
    """

    _parameter_constraints = _CHOICE

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Choose the augmentation by cross-validation, then fit a clone of ``estimator`` on it over all rows."""
        X, y = self._check_Xy(X, y)
        self._fit_chosen(X, y, selection.classifier_candidates, selection.over_the_generator, classifier=True)
        self.classes_ = self.estimator_.classes_
        return self


class AugmentedRegressorCV(_ChoosingBase, _RegressorBase):
    """Regressor trained on the amount of synthetic rows that cross-validation on its training rows chose.

    The candidates are no rows and the generator's joint rows (features and
    target drawn together) at 0.25, 0.5 and 1x the training rows, from one
    generator fit per fold; an amount wins only if it beats no rows by more
    than one standard error of the paired fold differences
    (``augment.selection.one_standard_error``).

    That costs ``cv`` generator fits, plus one on all rows if the generator
    wins, and ``4 * cv + 1`` estimator fits.

    Parameters
    ----------
    estimator : regressor
        The model to train.
    generator : estimator with ``fit`` and ``sample``, default=None
        ``None`` means ``VAEGenerator()``; it is fit without labels.
    cv : int or cross-validation generator, default=5
        Folds: an int means shuffled K-fold.
    scoring : str or callable, default=None
        Score to choose by; ``None`` is the estimator's ``score`` (R²).
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the generator.
    verbose : bool, default=False
        Show a progress bar over the folds.

    Attributes
    ----------
    estimator_ : regressor
        The clone of ``estimator`` fitted on the chosen training set.
    selected_ : str
        ``"none"`` or ``"generator x<share>"``.
    cv_results_ : dict of ndarray
        Per candidate its rows added, mean, spread, rank and per-fold scores.
    generator_ : estimator or None
        The generator fit on all rows when it won.

    See Also
    --------
    AugmentedRegressor : adds a fixed amount of the generator's rows.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from augment import AugmentedRegressorCV, VAEGenerator
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = AugmentedRegressorCV(Ridge(), VAEGenerator(epochs=5), cv=3, random_state=0).fit(X, y)
    >>> reg.cv_results_["candidate"]
    ['none', 'generator x0.25', 'generator x0.5', 'generator x1']
    """

    _parameter_constraints = _CHOICE

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Choose the amount by cross-validation, then fit a clone of ``estimator`` on it over all rows."""
        X, y = self._check_Xy(X, y)
        return self._fit_chosen(X, y, selection.regressor_candidates, selection.one_standard_error, classifier=False)
