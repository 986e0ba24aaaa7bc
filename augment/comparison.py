"""Does augmentation help this classifier on this table? Every method, several seeds, one held-out score.

Each seed draws a small stratified training set and keeps every other row as
the test set. Each method makes a training set from it (no augmentation,
random over-sampling, SMOTE or SMOTE-NC, each generator's rows for the rare
class, and ``"auto-cv"``: :class:`~augment.AugmentedClassifierCV`, which
chooses among those on the training rows alone), each classifier is fit on
it and scored on the test rows.
"""

import copy
import sys
import time
from contextlib import contextmanager

import joblib
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tqdm.auto import tqdm

from .generators import GANGenerator, VAEGenerator, VQVAEGenerator
from .meta_cv import AugmentedClassifierCV
from .selection import balancing_needs, oversample_randomly

GENERATORS = {
    "GAN": GANGenerator,
    "VAE": VAEGenerator,
    "VQ-VAE": lambda epochs, **params: VQVAEGenerator(epochs=epochs, prior_epochs=epochs, **params),
}
NO_AUGMENTATION = "no augmentation"


_SHARED = {}


class SharedFit(BaseEstimator):
    """A generator whose equal fits run once inside :func:`~augment.comparison.sharing_fits`.

    ``AugmentedClassifierCV`` fits its generator on the same inner folds for every
    classifier it is asked about; wrapped in this, the second classifier
    reuses the first one's fits (same parameters, same rows, same seed).
    Each gets its own copy of the fitted generator, so it draws the rows a
    fit of its own would have drawn.

    Parameters
    ----------
    generator : estimator with ``fit`` and ``sample``
    random_state : int or None, default=None
        Set on a clone of ``generator`` before it is fit.

    Examples
    --------
    >>> from augment import VAEGenerator
    >>> from augment.datasets import load_mixed
    >>> X = load_mixed().head(60)
    >>> with sharing_fits():
    ...     a = SharedFit(VAEGenerator(epochs=1), random_state=0).fit(X)
    ...     b = SharedFit(VAEGenerator(epochs=1), random_state=0).fit(X)
    >>> a.fitted_.sample(3).equals(b.fitted_.sample(3))
    True
    """

    def __init__(self, generator=None, random_state=None):
        self.generator = generator
        self.random_state = random_state

    def fit(self, X, y=None):
        generator = clone(self.generator).set_params(random_state=self.random_state)
        key = joblib.hash((type(generator).__name__, generator.get_params(), X, y))
        if key not in _SHARED:
            _SHARED[key] = generator.fit(X, y)
        self.fitted_ = copy.deepcopy(_SHARED[key])
        return self

    def sample(self, n_samples=None, y=None):
        return self.fitted_.sample(n_samples, y)


@contextmanager
def sharing_fits():
    """Keep the fits of :class:`~augment.comparison.SharedFit` until the block ends."""
    try:
        yield
    finally:
        _SHARED.clear()


def classifiers():
    """The two downstream models: scaled logistic regression and histogram gradient boosting."""
    return {
        "logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
        "boosting": HistGradientBoostingClassifier(random_state=0),
    }


def _smote(X, y, seed):
    """SMOTE, or SMOTE-NC when ``X`` has boolean or categorical columns; ``None`` without imbalanced-learn."""
    try:
        from imblearn.over_sampling import SMOTE, SMOTENC
    except ImportError:
        return None
    k = int(min(5, np.bincount(y).min() - 1))
    types = pd.api.types
    categorical = [i for i, d in enumerate(X.dtypes) if types.is_bool_dtype(d) or not types.is_numeric_dtype(d)]
    if categorical:
        return "SMOTE-NC", SMOTENC(categorical, k_neighbors=k, random_state=seed).fit_resample(X, y)
    return "SMOTE", SMOTE(k_neighbors=k, random_state=seed).fit_resample(X, y)


def training_sets(X, y, seed, epochs, generators=tuple(GENERATORS)):
    """``{method: (X, y)}`` for every method that needs no classifier, with each named generator's fit seconds."""
    needs = balancing_needs(y)
    sets = {
        NO_AUGMENTATION: (X, y),
        "random over-sampling": oversample_randomly(X, y, needs, np.random.default_rng(seed)),
    }
    smote = _smote(X, y, seed)
    if smote is not None:
        sets[smote[0]] = smote[1]
    fitted, seconds = {}, {}
    for name in generators:
        start = time.perf_counter()
        generator = GENERATORS[name](epochs=epochs, random_state=seed).fit(X, y)
        X_new, y_new = generator.sample(y=needs)
        seconds[f"augment {name}"] = time.perf_counter() - start
        sets[f"augment {name}"] = (pd.concat([X, X_new]), np.concatenate([y, np.asarray(y_new)]))
        fitted[name] = generator
    return sets, fitted, seconds


def compare(X, y, n_train=300, seeds=5, epochs=300, cv=5, generators=tuple(GENERATORS), verbose=True):
    """Score every method with every classifier over ``seeds`` train/test draws.

    Parameters
    ----------
    X : DataFrame
        Numeric and boolean columns.
    y : Series of int
        Binary class labels.
    n_train : int, default=300
        Training rows per seed (stratified); the rest are the test set.
    seeds : int, default=5
    epochs : int, default=300
        Epochs of every generator.
    cv : int, default=5
        Folds of the ``"auto-cv"`` choice (``AugmentedClassifierCV``'s ``cv``).
    generators : sequence of {"GAN", "VAE", "VQ-VAE"}, default=("GAN", "VAE", "VQ-VAE")
        The generators whose rows are a method of their own (``"auto-cv"`` always weighs the VAE's).
    verbose : bool, default=True
        Show a progress bar on standard error: seed, the step it is on, time left.

    Returns
    -------
    scores : DataFrame
        One row per seed, classifier and method: balanced accuracy, ROC AUC, seconds.
    fitted : dict
        The generators fit on the first seed's training rows, by name.
    """
    unknown = [name for name in generators if name not in GENERATORS]
    if unknown:
        raise ValueError(f"generators: {unknown[0]!r} is not one of {', '.join(GENERATORS)}")
    rows, first = [], None
    bar = tqdm(total=seeds, desc="demo", unit="step", disable=not verbose, file=sys.stderr)
    for seed in range(seeds):
        bar.set_postfix_str(f"seed {seed + 1} of {seeds}: fitting the generators")
        X_train, X_test, y_train, y_test = train_test_split(
            X, np.asarray(y), train_size=n_train, stratify=y, random_state=seed
        )
        X_train, X_test = X_train.reset_index(drop=True), X_test.reset_index(drop=True)
        sets, fitted, seconds = training_sets(X_train, y_train, seed, epochs, generators)
        first = first or fitted
        if seed == 0:
            bar.total = seeds * (1 + len(classifiers()) * (len(sets) + 1))
            bar.refresh()
        bar.update(1)
        with sharing_fits():
            for clf_name, model, method, (X_fit, y_fit) in _models(sets, X_train, y_train, seed, epochs, cv):
                bar.set_postfix_str(f"seed {seed + 1} of {seeds}: {clf_name}, {method}")
                start = time.perf_counter()
                model.fit(X_fit, y_fit)
                rows.append(
                    {
                        "seed": seed,
                        "classifier": clf_name,
                        "method": method,
                        "balanced accuracy": balanced_accuracy_score(y_test, model.predict(X_test)),
                        "ROC AUC": roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]),
                        "seconds": time.perf_counter() - start + seconds.get(method, 0.0),
                        "chose": getattr(model, "selected_", ""),
                    }
                )
                bar.update(1)
    bar.close()
    return pd.DataFrame(rows), first


def _models(sets, X_train, y_train, seed, epochs, cv):
    """Yield ``(classifier name, unfitted model, method, (X, y) to fit it on)`` for one seed.

    Every classifier on every training set, then on ``"auto-cv"``'s choice,
    whose VAE fits on the inner folds the classifiers share.
    """
    for clf_name, clf in classifiers().items():
        for method, data in sets.items():
            yield clf_name, clone(clf), method, data
        vae = SharedFit(VAEGenerator(epochs=epochs))
        auto = AugmentedClassifierCV(clone(clf), vae, cv=cv, scoring="balanced_accuracy", random_state=seed)
        yield clf_name, auto, "augment auto-cv (VAE)", (X_train, y_train)


def summary(scores):
    """Mean ± standard deviation over seeds per classifier and method, in the order the methods ran."""
    order = list(dict.fromkeys(scores["method"]))
    grouped = scores.groupby(["classifier", "method"], sort=False)
    spread = {
        metric: grouped[metric].mean().map("{:.3f}".format) + " ± " + grouped[metric].std(ddof=0).map("{:.3f}".format)
        for metric in ("balanced accuracy", "ROC AUC")
    }
    table = pd.DataFrame(spread)
    table["seconds"] = grouped["seconds"].mean().map("{:.1f}".format)
    return table.reindex(order, level="method")


def choices(scores):
    """What ``"auto-cv"`` chose, counted over seeds per classifier, as one line."""
    chosen = scores.loc[scores["chose"] != "", ["classifier", "chose"]].value_counts()
    return "auto-cv chose: " + "; ".join(f"{clf} {choice} x{n}" for (clf, choice), n in chosen.items())


def recommendation(scores):
    """One sentence: the method and classifier with the best mean balanced accuracy, and whether it beats
    no augmentation by more than the seed-to-seed spread of the difference."""
    means = scores.groupby(["classifier", "method"])["balanced accuracy"].mean()
    clf, method = means.idxmax()
    per_seed = scores[scores["classifier"] == clf].pivot(index="seed", columns="method", values="balanced accuracy")
    gain = per_seed[method] - per_seed[NO_AUGMENTATION]
    wins = int((gain > 0).sum())
    if method == NO_AUGMENTATION or gain.mean() <= gain.std(ddof=0):
        best = means[clf].drop(NO_AUGMENTATION).idxmax()
        return (
            f"On this data I would not augment: with the {clf} classifier the best augmentation ({best}, "
            f"{means[clf, best]:.3f}) does not beat no augmentation ({means[clf, NO_AUGMENTATION]:.3f}) "
            "by more than the seed-to-seed spread of the difference."
        )
    return (
        f"On this data I would pick {method} with the {clf} classifier: the highest mean balanced accuracy "
        f"({means[clf, method]:.3f} against {means[clf, NO_AUGMENTATION]:.3f} without augmentation), "
        f"ahead in {wins} of {len(gain)} seeds by {gain.mean():.3f} ± {gain.std(ddof=0):.3f}."
    )
