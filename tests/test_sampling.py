"""The sampling stage: calibrated margins and smoothing between a model's draws and the table."""

import copy

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp, norm
from sklearn.datasets import load_breast_cancer, load_wine

from augment import GANGenerator, VAEGenerator, VQVAEGenerator
from augment.encoding import TabularEncoder
from augment.sampling import SamplingStage, _at, _quantiles, _through_margins, kernels


def _fit(encoder, X, stage, groups=None, n_groups=1, draw=None):
    continuous, codes = encoder.fit_encode(X)
    groups = np.zeros(len(X), dtype=np.int64) if groups is None else groups
    return stage.fit(encoder, X, continuous, codes, groups, n_groups, draw)


@pytest.mark.parametrize("transform", ["quantile", "whitened"])
def test_margins_map_a_distorted_draw_onto_the_training_marginals_and_keep_its_ranks(transform):
    # A "model" whose normal scores are skewed and too wide: decoded as they are, its columns are
    # far from the training ones; through the margins learned from a draw of it, they match them.
    X = load_breast_cancer(as_frame=True).data.iloc[:, :4]
    encoder = TabularEncoder(continuous_transform=transform, rows_per_quantile=4)
    rng = np.random.default_rng(0)

    def draw(groups):
        return np.exp(rng.standard_normal((len(groups), 4))) * 2 - 1, np.empty((len(groups), 0), dtype=np.int64)

    stage = _fit(encoder, X, SamplingStage(calibrate_margins=True), draw=draw)
    assert stage.margins_.shape == (1, 2, 1001, 4) and np.all(np.diff(stage.margins_, axis=2) >= 0)
    drawn, empty = draw(np.zeros(20_000))
    plain = encoder.inverse_transform(drawn, empty)
    mapped = stage.decode(encoder, drawn, empty, np.zeros(20_000, dtype=np.int64))
    for column in X.columns:
        assert ks_2samp(plain[column], X[column]).statistic > 0.15, column
        assert ks_2samp(mapped[column], X[column]).statistic < 0.05, column
    if transform == "quantile":
        order = np.argsort(drawn[:, 0])
        assert np.all(np.diff(mapped.iloc[order, 0].to_numpy()) >= 0)
    pd.testing.assert_frame_equal(stage.without("margins").decode(encoder, drawn, empty, np.zeros(20_000)), plain)
    with pytest.raises(ValueError, match="unknown layers"):
        stage.without("ratio")


def test_quantile_mapping_interpolates_and_sends_a_tied_run_to_its_middle():
    source = np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [2.0, 4.0]])
    target = np.array([[0.0, 0.0], [10.0, 10.0], [20.0, 20.0], [30.0, 30.0], [40.0, 40.0]])
    z = np.array([[-1.0, 0.5], [0.5, 1.0], [1.0, 1.5], [1.5, 4.0], [3.0, 9.0]])
    mapped = _through_margins(z, source, target)
    np.testing.assert_allclose(mapped[:, 0], [0.0, 5.0, 20.0, 35.0, 40.0])  # flat beyond the ends
    np.testing.assert_allclose(mapped[:, 1], [0.0, 5.0, 15.0, 40.0, 40.0])  # a run of ties at the lowest knot


def test_point_masses_are_found_as_isin_finds_them():
    rng = np.random.default_rng(0)
    column = rng.integers(0, 50, 1000).astype(float)
    column[:5] = np.nan
    for atoms in (np.array([]), np.array([3.0]), np.unique(rng.integers(0, 60, 30)).astype(float)):
        np.testing.assert_array_equal(_at(column, atoms), np.isin(column, atoms))


def test_margins_leave_out_missing_cells_and_need_quantile_columns(mixed):
    encoder = TabularEncoder().fit(mixed)
    rng = np.random.default_rng(0)
    continuous, codes = encoder.encode(mixed.sample(2000, replace=True, random_state=0))
    bmi = [column.name for column in encoder.numeric_].index("bmi")
    gone = encoder.missing(codes)[:, bmi]
    assert 0 < gone.sum() < len(gone)
    noisy = continuous.astype(np.float64)
    noisy[gone, bmi] = rng.normal(8.0, 1.0, gone.sum())
    missing = encoder.missing(codes)
    expected = np.quantile(noisy[~gone, bmi], np.linspace(0, 1, 1001))
    np.testing.assert_array_equal(_quantiles(noisy, missing)[:, bmi], expected)
    for n in (1, 2, 7):  # numpy's "linear" quantiles, to the last bit, down to one row
        x = rng.normal(size=(n, 1))
        np.testing.assert_array_equal(_quantiles(x, x < -9)[:, 0], np.quantile(x[:, 0], np.linspace(0, 1, 1001)))
    missing[:, bmi] = True
    np.testing.assert_allclose(_quantiles(noisy, missing)[[1, 500, 999], bmi], norm.ppf([0.001, 0.5, 0.999]))
    mode = _fit(TabularEncoder(continuous_transform="mode"), mixed, SamplingStage(calibrate_margins=True))
    assert mode.margins_ is None


def test_margins_map_each_group_of_rows_onto_its_own_target():
    # Two groups drawn alike, one mapped onto the lower half of the training rows and one onto the
    # upper half: each group's decoded column follows its own half, not the marginal of all rows.
    X = load_breast_cancer(as_frame=True).data.iloc[:, :3]
    encoder = TabularEncoder(rows_per_quantile=1)
    low = (X["mean radius"] <= X["mean radius"].median()).to_numpy()
    rng = np.random.default_rng(0)

    def draw(groups):
        return rng.standard_normal((len(groups), 3)), np.empty((len(groups), 0), dtype=np.int64)

    stage = _fit(encoder, X, SamplingStage(calibrate_margins=True), (~low).astype(np.int64), 2, draw)
    assert stage.margins_.shape == (2, 2, 1001, 3)
    groups = np.repeat([0, 1], 2000)
    mapped = stage.decode(encoder, *draw(groups), groups)
    for group, rows in [(0, low), (1, ~low)]:
        radius = mapped["mean radius"][groups == group]
        assert ks_2samp(radius, X["mean radius"][rows]).statistic < 0.06, group
        assert ks_2samp(radius, X["mean radius"]).statistic > 0.4, group


def test_a_group_too_small_to_calibrate_against_maps_through_the_identity():
    X = load_breast_cancer(as_frame=True).data.iloc[:, :3]
    groups = np.r_[np.zeros(len(X) - 9, dtype=np.int64), np.ones(9, dtype=np.int64)]
    rng = np.random.default_rng(0)

    def draw(groups):
        return 2 * rng.standard_normal((len(groups), 3)), np.empty((len(groups), 0), dtype=np.int64)

    encoder = TabularEncoder()
    stage = _fit(encoder, X, SamplingStage(calibrate_margins=True), groups, 2, draw)
    np.testing.assert_array_equal(stage.margins_[1, 0], stage.margins_[1, 1])
    assert not np.allclose(stage.margins_[0, 0], stage.margins_[0, 1])
    drawn, empty = draw(np.ones(500))
    pd.testing.assert_frame_equal(
        stage.decode(encoder, drawn, empty, np.ones(500, dtype=np.int64)), encoder.inverse_transform(drawn, empty)
    )


def test_kernels_are_each_groups_own_statistics_with_the_tables_where_a_group_has_too_few_values():
    rng = np.random.default_rng(0)
    n = 600
    group = np.repeat([0, 1, 2], [300, 296, 4])
    a = rng.normal(0, 1, n) + 5 * group
    b = np.where(group == 0, 2 * a, -a) + rng.normal(0, 0.5, n)
    c = np.where((group == 1) & (np.arange(n) % 100 != 0), np.nan, rng.normal(10, 3, n))
    X = pd.DataFrame({"a": a, "b": b, "c": c})
    kernel = kernels(X.to_numpy(), group, 3, min_rows=10)
    table = kernels(X.to_numpy(), np.zeros(n, dtype=np.int64), 1)
    assert kernel.mean.shape == (3, 3) and kernel.factor.shape == (3, 3, 3) and table.mean.shape == (1, 3)
    np.testing.assert_allclose(table.mean[0], X.mean())
    np.testing.assert_allclose(table.spread[0], X.std(ddof=0))
    np.testing.assert_allclose(kernel.mean[0], X[group == 0].mean())
    np.testing.assert_allclose(kernel.spread[0], X[group == 0].std(ddof=0))
    # Within group 0 a and b rise together, within group 1 against each other: the factors say so.
    correlation = kernel.factor @ kernel.factor.transpose(0, 2, 1)
    assert correlation[0, 0, 1] > 0.85 and correlation[1, 0, 1] < -0.85
    np.testing.assert_allclose(np.diagonal(correlation, axis1=1, axis2=2), 1.0)
    # Group 1 has 3 present values of c: c takes the table's mean and spread, a and b their own.
    np.testing.assert_allclose(kernel.mean[1, 2], table.mean[0, 2])
    np.testing.assert_allclose(kernel.spread[1, :2], X[group == 1][["a", "b"]].std(ddof=0))
    # Group 2 has 4 rows: the whole table's kernel.
    for part in ("mean", "spread", "factor"):
        np.testing.assert_allclose(getattr(kernel, part)[2], getattr(table, part)[0], rtol=1e-12)


def test_smoothing_keeps_mean_variance_and_point_masses_and_moves_the_rest():
    # A zero-inflated amount (40% zeros), a count (few values, each held by many rows) and two
    # correlated continuous columns, decoded from their own encoding: smoothing leaves the zeros
    # and the count as they are, keeps each column's mean and spread and the correlation, and
    # moves the other values off the training values by about the bandwidth, the correlated
    # columns together.
    rng = np.random.default_rng(0)
    n = 4000
    bmi = rng.normal(27, 4, n)
    X = pd.DataFrame(
        {
            "spend": np.where(rng.random(n) < 0.4, 0.0, np.round(rng.lognormal(3, 0.5, n), 2)),
            "visits": rng.poisson(6, n),
            "bmi": np.round(bmi, 2),
            "weight": np.round(3 * bmi + rng.normal(0, 4, n), 2),
        }
    )
    encoder = TabularEncoder(rows_per_quantile=1)
    stage = _fit(encoder, X, SamplingStage(smoothing=0.3))
    assert stage.margins_ is None
    continuous, codes = encoder.encode(X)
    zeros = np.zeros(n, dtype=np.int64)
    plain = encoder.inverse_transform(continuous, codes)
    smoothed = stage.decode(encoder, continuous, codes, zeros, random_state=0)
    assert np.allclose(plain["spend"], X["spend"], rtol=0, atol=0.011)  # round-trips to the cent
    pd.testing.assert_frame_equal(plain.drop(columns="spend"), X.drop(columns="spend"))
    assert smoothed.dtypes.tolist() == X.dtypes.tolist()
    pd.testing.assert_series_equal(smoothed["visits"], X["visits"])
    spent = plain["spend"] == 0
    assert (smoothed["spend"][spent] == 0).all()
    assert abs((smoothed["spend"] == 0).mean() - spent.mean()) < 0.02
    assert (smoothed["spend"][~spent] != plain["spend"][~spent]).mean() > 0.9
    for column in X.columns:
        assert abs(smoothed[column].mean() - X[column].mean()) < 0.05 * X[column].std(), column
        assert abs(smoothed[column].std() / X[column].std() - 1) < 0.03, column
    shift = (smoothed["bmi"] - X["bmi"]) / X["bmi"].std()
    assert 0.25 < shift.std() < 0.35
    weight_shift = (smoothed["weight"] - X["weight"]) / X["weight"].std()
    assert abs(np.corrcoef(shift, weight_shift)[0, 1] - X["bmi"].corr(X["weight"])) < 0.05
    assert abs(smoothed["bmi"].corr(smoothed["weight"]) - X["bmi"].corr(X["weight"])) < 0.01
    assert (smoothed["bmi"] == np.round(smoothed["bmi"], 2)).all()
    pd.testing.assert_frame_equal(stage.decode(encoder, continuous, codes, zeros, random_state=0), smoothed)
    pd.testing.assert_frame_equal(stage.without("smoothing").decode(encoder, continuous, codes, zeros), plain)


@pytest.mark.parametrize("cls", [GANGenerator, VAEGenerator, VQVAEGenerator], ids=lambda c: c.__name__)
def test_sampling_parameters_take_effect_at_fit(cls):
    X, y = load_wine(return_X_y=True, as_frame=True)
    gen = cls(epochs=2, prior_epochs=2, random_state=0) if cls is VQVAEGenerator else cls(epochs=2, random_state=0)
    gen.set_params(smoothing=0.3, calibrate_margins=True).fit(X, y)
    assert gen.sampling_.smoothing == 0.3 and gen.sampling_.margins_.shape == (3, 2, 1001, X.shape[1])
    twin = copy.deepcopy(gen)
    twin.set_params(smoothing=0.0, calibrate_margins=False)
    pd.testing.assert_frame_equal(twin.sample(500)[0], gen.sample(500)[0])
