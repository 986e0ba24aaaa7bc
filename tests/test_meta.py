import numpy as np
import pytest
from imblearn.pipeline import make_pipeline as make_imblearn_pipeline
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from augment import AugmentedClassifier, AugmentedRegressor, GANGenerator, SyntheticOversampler, VAEGenerator

from _device import DEVICE

FAST = {"epochs": 3, "random_state": 0, "device": DEVICE}
SEEN = []


class RecordingVAE(VAEGenerator):
    """A real VAEGenerator that records the row ids (column 0) it is fit on."""

    def fit(self, X, y=None):
        SEEN.append(np.asarray(X)[:, 0].copy())
        return super().fit(X, y)


@pytest.fixture
def ided_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X = np.column_stack([np.arange(len(X)), X])
    keep = np.r_[np.flatnonzero(y == 1), np.flatnonzero(y == 0)[:60]]
    return X[keep], y[keep]


def _check_generators_saw_training_folds_only(X, y, cv):
    assert len(SEEN) == cv.get_n_splits()
    for seen, (train, test) in zip(SEEN, cv.split(X, y), strict=True):
        assert len(seen) == len(train)
        assert set(seen) == set(X[train, 0])
        assert not set(seen) & set(X[test, 0])


@pytest.mark.parametrize("wrap", ["meta", "imblearn"])
def test_cross_validation_never_shows_validation_rows_to_the_generator(ided_cancer, wrap):
    X, y = ided_cancer
    SEEN.clear()
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    generator = RecordingVAE(**{**FAST, "epochs": 30})
    if wrap == "meta":
        model = AugmentedClassifier(make_pipeline(StandardScaler(), LogisticRegression()), generator, random_state=0)
    else:
        sampler = SyntheticOversampler(generator, random_state=0)
        model = make_imblearn_pipeline(sampler, make_pipeline(StandardScaler(), LogisticRegression()))
    scores = cross_val_score(model, X, y, cv=cv)
    _check_generators_saw_training_folds_only(X, y, cv)
    assert scores.min() > 0.9  # the majority class is 0.856 of the rows


def test_classifier_trains_on_balanced_rows_and_delegates(ided_cancer):
    X, y = ided_cancer
    clf = AugmentedClassifier(KNeighborsClassifier(), VAEGenerator(**FAST), random_state=0).fit(X, y)
    majority = np.bincount(y).max()
    assert clf.estimator_.n_samples_fit_ == 2 * majority
    assert clf.classes_.tolist() == [0, 1]
    proba = clf.predict_proba(X[:5])
    np.testing.assert_allclose(proba, clf.estimator_.predict_proba(X[:5]))
    assert clf.score(X, y) == pytest.approx(clf.estimator_.score(X, y))
    assert not hasattr(clf, "decision_function")


def test_nested_parameters_in_a_grid_search(ided_cancer):
    X, y = ided_cancer
    clf = AugmentedClassifier(LogisticRegression(), VAEGenerator(device=DEVICE), random_state=0)
    grid = GridSearchCV(
        make_pipeline(StandardScaler(), clf),
        {
            "augmentedclassifier__generator": [GANGenerator(**FAST), VAEGenerator(**FAST)],
            "augmentedclassifier__estimator__C": [0.1, 1.0],
            "augmentedclassifier__generator__epochs": [2],
        },
        cv=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_estimator_[-1].sampler_.generator_.epochs == 2


def test_classifier_refuses_a_continuous_target():
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(ValueError, match="Unknown label type"):
        AugmentedClassifier(LogisticRegression(), VAEGenerator(**FAST)).fit(X, y / 7)


def test_regressor_adds_rows_with_jointly_drawn_targets():
    X, y = load_diabetes(return_X_y=True)
    reg = AugmentedRegressor(KNeighborsRegressor(), VAEGenerator(epochs=100, random_state=0, device=DEVICE), 0.5)
    reg.fit(X, y)
    assert reg.estimator_.n_samples_fit_ == len(X) + round(0.5 * len(X))
    assert reg.generator_.n_features_in_ == X.shape[1] + 1
    X_new = reg.generator_.sample(2000)
    bmi_vs_target = np.corrcoef(X_new[:, 2], X_new[:, -1])[0, 1]
    assert bmi_vs_target > 0.35, bmi_vs_target
    reg = AugmentedRegressor(KNeighborsRegressor(), VAEGenerator(**FAST), n_synthetic=25).fit(X, y)
    assert reg.estimator_.n_samples_fit_ == len(X) + 25


def test_regressor_keeps_dataframe_columns():
    data = load_diabetes(as_frame=True)
    reg = AugmentedRegressor(KNeighborsRegressor(), VAEGenerator(**FAST), n_synthetic=10).fit(data.data, data.target)
    assert reg.feature_names_in_.tolist() == data.data.columns.tolist()
    assert reg.predict(data.data.iloc[:4]).shape == (4,)
