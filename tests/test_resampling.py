import subprocess
import sys
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE
from imblearn.utils import check_sampling_strategy as imblearn_strategy
from sklearn.datasets import load_wine

from augment import GANGenerator, SyntheticOversampler, VAEGenerator, VQVAEGenerator
from augment._oversampling import check_sampling_strategy

from _device import DEVICE

FAST = {"epochs": 3, "random_state": 0, "device": DEVICE}


@pytest.fixture(scope="module")
def imbalanced_wine():
    X, y = load_wine(return_X_y=True, as_frame=True)
    keep = np.r_[np.flatnonzero(y == 0), np.flatnonzero(y == 1), np.flatnonzero(y == 2)[:12]]
    return X.iloc[keep].reset_index(drop=True), y.iloc[keep].reset_index(drop=True)


STRATEGIES = [
    "auto",
    "minority",
    "not minority",
    "not majority",
    "all",
    {0: 80, 1: 71, 2: 40},
    lambda y: {label: 75 for label in np.unique(y)},
]


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s if isinstance(s, str) else type(s).__name__)
def test_every_strategy_gives_the_counts_smote_gives(imbalanced_wine, strategy):
    X, y = imbalanced_wine
    X_res, y_res = SyntheticOversampler(VAEGenerator(**FAST), strategy, random_state=0).fit_resample(X, y)
    _, y_smote = SMOTE(sampling_strategy=strategy, k_neighbors=3, random_state=0).fit_resample(X, y)
    assert Counter(y_res) == Counter(y_smote)
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    assert X_res.dtypes.tolist() == X.dtypes.tolist() and y_res.name == y.name


def test_float_strategy_on_binary_target(imbalanced_wine):
    X, y = imbalanced_wine
    binary = (y == 2).astype(int)
    _, y_res = SyntheticOversampler(VAEGenerator(**FAST), sampling_strategy=0.5).fit_resample(X, binary)
    assert Counter(y_res) == {0: 130, 1: 65}


@pytest.mark.parametrize("strategy", [*STRATEGIES[:6], 0.5])
def test_fallback_parsing_matches_imbalanced_learn(strategy):
    y = np.array([0] * 50 + [1] * 30 + [2] * 10) if strategy != 0.5 else np.array([0] * 50 + [1] * 10)
    assert check_sampling_strategy(strategy, y) == imblearn_strategy(strategy, y, "over-sampling")


@pytest.mark.parametrize(
    ("strategy", "y", "match"),
    [
        ({0: 10, 1: 30}, [0] * 20 + [1] * 5, "greater or equal"),
        ({7: 30}, [0] * 20 + [1] * 5, "not present"),
        ("auto", [0] * 25, "more than 1 class"),
        (0.5, [0] * 10 + [1] * 10 + [2] * 5, "binary"),
    ],
)
def test_fallback_refuses_impossible_strategies(strategy, y, match):
    with pytest.raises(ValueError, match=match):
        check_sampling_strategy(strategy, np.asarray(y))


@pytest.mark.parametrize(
    ("kwargs", "y", "error", "match"),
    [
        ({"sampling_strategy": {0: 10}}, [0] * 20 + [1] * 5, ValueError, "greater or equal"),
        ({"sampling_strategy": {9: 30}}, [0] * 20 + [1] * 5, ValueError, "not present"),
        ({}, [0] * 25, ValueError, "1 class"),
        ({"generator": object()}, [0] * 20 + [1] * 5, ValueError, "'generator'"),
        ({}, np.linspace(0, 1, 25), ValueError, "Unknown label type"),
    ],
)
def test_bad_requests_are_named(kwargs, y, error, match):
    X = np.random.default_rng(0).normal(size=(25, 3))
    with pytest.raises(error, match=match):
        SyntheticOversampler(**{"generator": VAEGenerator(**FAST), **kwargs}).fit_resample(X, np.asarray(y))


def test_generator_is_cloned_and_mixed_types_round_trip(mixed):
    X, y = mixed.drop(columns="sex"), mixed["sex"]
    generator = VAEGenerator(**FAST)
    sampler = SyntheticOversampler(generator, sampling_strategy="all", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert not hasattr(generator, "model_") and hasattr(sampler.generator_, "model_")
    assert X_res.dtypes.tolist() == X.dtypes.tolist()
    assert Counter(y_res) == {"male": 235, "female": 235}
    assert X_res.iloc[len(X) :]["bp_level"].isna().any()


def test_n_synthetic_adds_rows_without_balancing(imbalanced_wine):
    X, y = imbalanced_wine
    _, y_res = SyntheticOversampler(VAEGenerator(**FAST), n_synthetic=0.5, random_state=0).fit_resample(X, y)
    assert len(y_res) == len(y) + round(0.5 * len(y))
    added = Counter(y_res[len(y) :])
    assert added[0] > added[2] and added[1] > added[2]
    _, y_res = SyntheticOversampler(VAEGenerator(**FAST), n_synthetic=40, random_state=0).fit_resample(X, y)
    assert len(y_res) == len(y) + 40


def test_n_synthetic_with_a_continuous_target_draws_it_jointly():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = 3 * X[:, 0] + rng.normal(scale=0.1, size=200)
    sampler = SyntheticOversampler(VAEGenerator(epochs=200, random_state=0, device=DEVICE), n_synthetic=300)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape == (500, 2) and y_res.shape == (500,)
    assert np.corrcoef(X_res[200:, 0], y_res[200:])[0, 1] > 0.8


@pytest.mark.parametrize("cls", [GANGenerator, VAEGenerator, VQVAEGenerator])
def test_each_generator_balances_inside_an_imblearn_pipeline(imbalanced_wine, cls):
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.preprocessing import StandardScaler

    X, y = imbalanced_wine
    short = {"prior_epochs": 10} if cls is VQVAEGenerator else {}
    pipe = make_pipeline(
        StandardScaler(), SyntheticOversampler(cls(**FAST, **short), random_state=0), LogisticRegression(max_iter=1000)
    )
    # Chance is 0.33; rows drawn for the wrong class by a 3-epoch generator would sink it.
    assert cross_val_score(pipe, X, y, cv=3, scoring="balanced_accuracy").mean() > 0.75


@pytest.mark.slow
def test_without_imbalanced_learn_the_fallback_base_is_used():
    code = (
        "import sys; sys.modules['imblearn'] = None\n"
        "import numpy as np, pandas as pd\n"
        "from collections import Counter\n"
        "from augment import SyntheticOversampler, VAEGenerator\n"
        "from augment._oversampling import BaseOverSampler\n"
        "assert issubclass(SyntheticOversampler, BaseOverSampler)\n"
        "X = pd.DataFrame({'a': np.arange(30.0), 'c': ['x', 'y', 'z'] * 10})\n"
        "y = pd.Series([0] * 22 + [1] * 8, name='t')\n"
        "s = SyntheticOversampler(VAEGenerator(epochs=2, random_state=0), 'minority')\n"
        "X_res, y_res = s.fit_resample(X, y)\n"
        "assert Counter(y_res) == {0: 22, 1: 22} and y_res.name == 't' and X_res.dtypes.equals(X.dtypes)\n"
        "print('fallback ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "fallback ok" in result.stdout


def test_labels_with_a_missing_value_are_named():
    X = pd.DataFrame({"a": np.arange(30.0)})
    y = pd.Series([0] * 20 + [1] * 8 + [None, 1], dtype=object)
    with pytest.raises(ValueError, match=r"y contains missing values \(at row 28\)"):
        SyntheticOversampler(VAEGenerator(**FAST)).fit_resample(X, y)
