import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.preprocessing import QuantileTransformer

from augment import GANGenerator, VAEGenerator
from augment.columns import QuantileColumn, _quantile_inverse
from augment.datasets import load_health
from augment.encoding import TabularEncoder


@pytest.mark.parametrize(
    ("transform", "rows_per_quantile"),
    [("quantile", 1), ("quantile", 4), ("whitened", 1), ("whitened", 4), ("mode", 1)],
)
def test_round_trip_restores_values_dtypes_and_missing(mixed, transform, rows_per_quantile):
    enc = TabularEncoder(continuous_transform=transform, rows_per_quantile=rows_per_quantile)
    continuous, codes = enc.fit_encode(mixed)
    x, transformed_codes = enc.transform(mixed)
    assert x.shape == (len(mixed), enc.layout_.n_features)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(transformed_codes, codes)
    back = enc.inverse_transform(continuous, codes)
    assert list(back.columns) == list(mixed.columns)
    assert back.dtypes.tolist() == mixed.dtypes.tolist()
    pd.testing.assert_frame_equal(back.isna(), mixed.isna())
    for column in ["age", "tc", "progression"]:
        np.testing.assert_array_equal(back[column], mixed[column])
    np.testing.assert_allclose(back["bmi"].dropna(), mixed["bmi"].dropna(), atol=1e-9)
    assert (back["bp_level"].dropna() == mixed["bp_level"].dropna()).all()
    assert back["sex"].cat.categories.tolist() == mixed["sex"].cat.categories.tolist()


def test_layout_describes_blocks(mixed):
    enc = TabularEncoder().fit(mixed)
    roles = [(b.column, b.role, b.size) for b in enc.layout_.blocks]
    assert roles == [("bmi", "missing", 2), ("sex", "category", 2), ("bp_level", "category", 5)]
    assert enc.layout_.n_continuous == 8
    assert enc.layout_.offsets.tolist() == [8, 10, 12]
    assert enc.layout_.conditional_blocks() == [1, 2]


def test_decoding_clips_to_bounds_and_rounds_to_observed_decimals():
    df = pd.DataFrame({"price": [1.25, 2.5, 3.75, 10.0], "count": np.array([1, 5, 7, 9], dtype=np.int32)})
    enc = TabularEncoder().fit(df)
    wild = np.array([[-50.0, -50.0], [50.0, 50.0], [0.1234, 0.1234]])
    back = enc.inverse_transform(wild, np.empty((3, 0), dtype=np.int64))
    assert back["price"].between(1.25, 10.0).all() and back["count"].between(1, 9).all()
    np.testing.assert_array_equal(back["price"], back["price"].round(2))
    assert back["count"].dtype == np.int32


def test_discrete_columns_make_numbers_categorical():
    df = pd.DataFrame({"grade": [1, 2, 3, 2, 1], "x": [0.1, 0.2, 0.3, 0.4, 0.5]})
    enc = TabularEncoder(discrete_columns=["grade"]).fit(df)
    assert [(b.column, b.size) for b in enc.layout_.blocks] == [("grade", 3)]
    x, codes = enc.transform(df)
    back = enc.inverse_transform(x[:, :1], codes)
    assert back["grade"].dtype == np.int64
    np.testing.assert_array_equal(back["grade"], df["grade"])


@pytest.mark.parametrize(
    ("frame", "kwargs", "error", "match"),
    [
        (pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, np.nan]}), {}, ValueError, "'b' has only missing"),
        (pd.DataFrame({"a": [1.0, np.inf]}), {}, ValueError, "'a' contains infinity"),
        (pd.DataFrame({"a": [1.0, 2.0]}), {"discrete_columns": ["zip"]}, ValueError, "zip"),
        (pd.DataFrame({"a": [1.0, 2.0]}).iloc[:0], {}, ValueError, "0 rows"),
        (pd.DataFrame({"a": [1.0, 2.0]}), {"rows_per_quantile": 0}, ValueError, "rows_per_quantile .* got 0"),
        (pd.DataFrame({"a": [1.0, 2.0]}), {"rows_per_quantile": 2.5}, ValueError, "rows_per_quantile .* got 2.5"),
        (pd.DataFrame({"when": pd.to_datetime(["2020-01-01", "2021-01-01"])}), {}, TypeError, "'when'"),
    ],
)
def test_bad_tables_are_refused_by_name(frame, kwargs, error, match):
    with pytest.raises(error, match=match):
        TabularEncoder(**kwargs).fit(frame)


def test_too_many_categories_are_refused_with_the_count_before_encoding(monkeypatch):
    n = 1500
    df = pd.DataFrame({"id": [f"user{i}" for i in range(n)], "code": np.arange(n) % 1200, "x": np.arange(n) / n})
    monkeypatch.setattr(QuantileColumn, "fit", lambda *a: pytest.fail("went on past the refusal"))
    with pytest.raises(
        ValueError,
        match=r"'id' has 1,500 categories \(one per row, an identifier\), more than "
        r"max_categories=1,000; drop it",
    ):
        TabularEncoder(max_categories=1000).fit(df)
    with pytest.raises(ValueError, match=r"'code' has 1,200 categories \(distinct values\)"):
        TabularEncoder(discrete_columns=["code"], max_categories=1000).fit(df.drop(columns="id"))
    monkeypatch.undo()
    assert TabularEncoder(max_categories=1500).fit(df).layout_.blocks[0].size == 1500


def test_generators_refuse_too_many_categories_by_default():
    df = pd.DataFrame({"id": [f"user{i}" for i in range(1001)], "x": np.arange(1001.0)})
    with pytest.raises(ValueError, match="'id' has 1,001 categories"):
        VAEGenerator(epochs=1).fit(df)
    assert VAEGenerator(epochs=1, max_categories=None, random_state=0).fit(df).sample(3)["id"].isin(df["id"]).all()


def test_transform_refuses_unseen_categories_and_missing():
    enc = TabularEncoder().fit(pd.DataFrame({"c": ["a", "b", "a"], "x": [1.0, 2.0, 3.0]}))
    with pytest.raises(ValueError, match=r"column 'c' holds categories \['z'\]"):
        enc.transform(pd.DataFrame({"c": ["z"], "x": [1.0]}))
    with pytest.raises(ValueError, match="column 'x' has missing values"):
        enc.transform(pd.DataFrame({"c": ["a"], "x": [np.nan]}))


def test_quantile_inverse_matches_scikit_learn():
    rng = np.random.default_rng(0)
    values = np.c_[rng.lognormal(size=2000), rng.integers(0, 5, 2000), rng.normal(size=2000)]
    quantile = QuantileTransformer(n_quantiles=500, output_distribution="normal").fit(values)
    z = rng.normal(scale=1.5, size=(5000, 3))
    expected = quantile.inverse_transform(z)
    got = _quantile_inverse(quantile.quantiles_, z)
    assert got.shape == expected.shape
    # scikit-learn snaps probabilities within 1e-7 of 0 or 1 (|z| > 5.2) to the end quantiles
    inner = np.abs(z) < 5
    assert inner.mean() > 0.99
    np.testing.assert_allclose(got[inner], expected[inner], rtol=1e-6, atol=1e-9)
    assert np.all((got >= quantile.quantiles_[0]) & (got <= quantile.quantiles_[-1]))


def test_a_column_of_distinct_strings_encodes_in_one_matrix_of_memory():
    n = 3000
    df = pd.DataFrame({"id": [f"user{i}" for i in range(n)], "x": np.linspace(0, 1, n)})
    encoder = TabularEncoder().fit(df)
    tracemalloc.start()
    x, codes = encoder.transform(df)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert x.shape == (n, n + 1) and (x[:, 1:].sum(axis=1) == 1).all()
    assert peak < 1.5 * x.nbytes, f"transform peaked at {peak / x.nbytes:.1f}x its output"
    np.testing.assert_array_equal(encoder.inverse_transform(x[:, :1], codes)["id"], df["id"])


@pytest.mark.parametrize("transform", ["quantile", "whitened", "mode"])
def test_extreme_magnitudes_round_trip_finite_and_unrounded(transform):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "huge": np.r_[-1.7e308, 1.7e308, rng.uniform(-0.8, 0.8, 98) * 1e308],
            "tiny": rng.uniform(1e-300, 9e-300, 100),
        }
    )
    encoder = TabularEncoder(continuous_transform=transform).fit(df)
    x, codes = encoder.transform(df)
    back = encoder.inverse_transform(x[:, :2], codes)
    np.testing.assert_allclose(back["tiny"], df["tiny"], rtol=1e-3)
    grid = np.repeat(np.linspace(-6, 6, 241)[:, None], 2, axis=1) * (0.99 / 6 if transform == "mode" else 1)
    decoded = encoder.inverse_transform(grid, np.zeros((241, codes.shape[1]), dtype=np.int64))
    assert np.isfinite(decoded.to_numpy()).all() and (decoded["tiny"] > 0).all()
    assert decoded["huge"].between(-1.7e308, 1.7e308).all()


def test_whitened_slots_are_normal_and_decode_to_the_columns_dependence():
    X = load_breast_cancer(as_frame=True).data.iloc[:, :4]
    encoder = TabularEncoder(continuous_transform="whitened").fit(X)
    z, _ = encoder.encode(X)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=0.05)
    np.testing.assert_allclose(z.std(axis=0), 1, atol=0.1)
    noise = np.random.default_rng(0).standard_normal((2000, 4))
    empty = np.zeros((2000, 0), dtype=np.int64)
    whitened = encoder.inverse_transform(noise, empty).corr().loc["mean radius", "mean perimeter"]
    plain = TabularEncoder().fit(X).inverse_transform(noise, empty).corr().loc["mean radius", "mean perimeter"]
    assert X.corr().loc["mean radius", "mean perimeter"] > 0.99
    assert whitened > 0.95 and abs(plain) < 0.1


def test_whitened_encoding_of_a_row_does_not_depend_on_its_batch():
    X = pd.DataFrame(np.random.default_rng(0).integers(0, 3, size=(20, 3)).astype(float))
    encoder = TabularEncoder(continuous_transform="whitened").fit(X)
    alone = np.vstack([encoder.encode(X.iloc[[i]])[0] for i in range(len(X))])
    np.testing.assert_array_equal(alone, encoder.encode(X)[0])


def test_whitened_encoder_of_a_table_without_numbers_round_trips():
    df = pd.DataFrame({"a": list("xyzxyzxy"), "b": list("pqpqpqpq")})
    encoder = TabularEncoder(continuous_transform="whitened").fit(df)
    continuous, codes = encoder.encode(df)
    assert continuous.shape == (8, 0)
    assert encoder.inverse_transform(continuous, codes).equals(df)


@pytest.mark.parametrize("transform", ["quantile", "whitened"])
def test_training_encoding_spreads_tied_values_and_decodes_them_back(transform):
    # 41% of log_max_deductible and 55% of log_coinsurance are zeros, and visits is a count: their
    # ties span many quantiles. QuantileTransformer puts a column's lowest value at -5.2 (a point
    # mass); fit_encode draws each tied value uniformly in the quantile range it holds instead.
    X = load_health()[0].iloc[:5000, [0, 1, 4]]
    encoder = TabularEncoder(continuous_transform=transform, random_state=0)
    spread, codes = encoder.fit_encode(X)
    np.testing.assert_allclose(spread.mean(axis=0), 0, atol=0.05)
    np.testing.assert_allclose(spread.std(axis=0), 1, atol=0.05)
    for j in range(3):
        assert np.unique(spread[:, j], return_counts=True)[1].max() < 0.01 * len(X)
    back = encoder.inverse_transform(spread, codes)
    for column in X.columns:
        zeros = X[column] == 0
        assert (back.loc[zeros, column] == 0).all(), column
        np.testing.assert_allclose(back[column], X[column], rtol=1e-5, err_msg=column)
    np.testing.assert_array_equal(TabularEncoder(continuous_transform=transform).fit_encode(X)[0], spread)


def test_encode_puts_a_tied_value_at_the_middle_of_its_quantile_range():
    X = load_health()[0].iloc[:5000, [1, 4]]
    encoder = TabularEncoder().fit(X)
    middle, _ = encoder.encode(X)
    for j, column in enumerate(X.columns):
        zeros = (X[column] == 0).to_numpy()
        share = zeros.mean()
        assert share > 0.4
        np.testing.assert_allclose(middle[zeros, j], norm.ppf(share / 2), atol=0.01, err_msg=column)


def test_coarser_quantile_knots_smooth_rare_ties_and_keep_common_ones():
    # 400 rows: 160 zeros (a point mass), a value held by 3 rows, the rest distinct. Decoding
    # standard-normal draws through one knot per row puts 2 of the 399 knot intervals on the
    # rare value; with a knot every 4 rows none of them is tied, while the zeros keep their 40%.
    rng = np.random.default_rng(0)
    values = np.concatenate([np.zeros(160), np.full(3, 1.2345678901), rng.gamma(2.0, size=237) + 0.01])
    X = pd.DataFrame({"x": rng.permutation(values)})
    draws = rng.standard_normal((200_000, 1))
    empty = np.empty((len(draws), 0), dtype=np.int64)
    shares = {}
    for rows in (1, 4):
        encoder = TabularEncoder(rows_per_quantile=rows).fit(X)
        assert encoder.numeric_[0].quantile_.n_quantiles_ == len(X) // rows
        back = encoder.inverse_transform(draws, empty)["x"]
        shares[rows] = np.isclose(back, 1.2345678901, rtol=1e-12, atol=0).mean(), (back == 0).mean()
    assert shares[1][0] > 0.002 and shares[4][0] == 0
    assert shares[1][1] == pytest.approx(0.4, abs=0.01) and shares[4][1] == pytest.approx(0.4, abs=0.01)


@pytest.mark.parametrize(("cls", "rows"), [(GANGenerator, 4), (VAEGenerator, 1)])
def test_generators_encode_with_their_rows_per_knot(cls, rows):
    X = load_breast_cancer(as_frame=True).data
    encoder = cls(epochs=1, random_state=0).fit(X).encoder_
    assert encoder.rows_per_quantile == rows and encoder.numeric_[0].quantile_.n_quantiles_ == len(X) // rows


def test_a_text_column_of_numbers_but_two_is_warned_about_by_name():
    X = load_wine(as_frame=True).data
    X["alcohol"] = X["alcohol"].astype(object)
    X.loc[[3, 50], "alcohol"] = ["n/a", "?"]
    with pytest.warns(
        UserWarning, match=r"'alcohol' is text, but 176 of its 178 values are numbers \(not: 'n/a', '\?'\)"
    ):
        encoder = TabularEncoder().fit(X)
    assert [column.name for column in encoder.categorical_] == ["alcohol"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TabularEncoder(discrete_columns=["alcohol"]).fit(X)
        TabularEncoder().fit(pd.DataFrame({"city": ["a", "b", "1"] * 10, "zip": ["01", "02", "03"] * 10}))
