"""Column transformers, each on its own: fit, transform, inverse_transform and what it adds to the layout."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kstest

from augment.columns import (
    NUMERIC_KINDS,
    CategoricalBlock,
    CategoricalColumn,
    MissingIndicator,
    ModeColumn,
    NumericColumn,
    QuantileColumn,
)
from augment.encoding import TabularEncoder


def _bimodal(n=2000, missing=0.0):
    rng = np.random.default_rng(0)
    values = np.round(np.where(rng.random(n) < 0.3, rng.normal(-20, 1, n), rng.normal(50, 5, n)), 3)
    values[rng.random(n) < missing] = np.nan
    return pd.Series(values, name="x")


def test_a_quantile_column_gives_a_standard_normal_slot_and_decodes_to_the_value():
    series = _bimodal()
    column = QuantileColumn("x").fit(series)
    assert column.block is None and column.bounded is False and column.decimals == 3
    slot, code = column.transform(series.to_numpy(), np.random.default_rng(0))
    assert code is None and kstest(slot, "norm").statistic < 0.02  # the two clumps made one normal
    np.testing.assert_allclose(column.rounded(column.inverse_transform(slot)), series, atol=1e-9)


def test_a_mode_column_gives_a_bounded_slot_and_a_component_block():
    series = _bimodal()
    column = ModeColumn("x").fit(series)
    assert column.bounded is True and column.block == CategoricalBlock("x", "mode", len(column.modes_))
    slot, code = column.transform(series.to_numpy())
    assert np.abs(slot).max() <= 0.99 and set(np.unique(code)) <= set(range(len(column.modes_)))
    # The two clumps fall into different components.
    assert set(code[series < 0]).isdisjoint(code[series > 20])
    np.testing.assert_allclose(column.rounded(column.inverse_transform(slot, code)), series, atol=1e-9)


def test_a_numeric_column_restores_its_dtype_and_marks_missing_cells():
    series = pd.Series([3, 5, 7, 9], dtype="int32", name="n")
    column = QuantileColumn("n").fit(series)
    assert column.integer and (column.low, column.high) == (3.0, 9.0)
    np.testing.assert_array_equal(column.rounded(np.array([2.4, 5.6, 12.0])), [3.0, 6.0, 9.0])
    restored = column.restore(np.array([3.0, 6.0, 9.0]), np.array([False, True, False]))
    assert restored.dtype == "Int64" and restored.isna().tolist() == [False, True, False]
    with pytest.raises(ValueError, match="'n' has missing values, but had none"):
        column.check(np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="'s' has unsupported dtype"):
        QuantileColumn("s").fit(pd.Series(pd.to_datetime(["2020-01-01", "2021-01-01"])))


def test_a_missing_indicator_is_a_two_category_block():
    indicator = MissingIndicator("x")
    values = np.array([1.0, np.nan, 2.0])
    code = indicator.transform(values)
    assert indicator.block == CategoricalBlock("x", "missing", 2) and code.tolist() == [0, 1, 0]
    assert indicator.inverse_transform(code).tolist() == [False, True, False]


def test_a_categorical_column_round_trips_its_categories_dtype_and_missing_value():
    series = pd.Series(["b", "a", None, "c", "a"], name="city")
    column = CategoricalColumn("city").fit(series)
    assert column.categories.tolist() == ["a", "b", "c"] and column.block.size == 4
    code = column.transform(series)
    assert code.tolist() == [1, 0, 3, 2, 0]
    back = pd.Series(column.inverse_transform(code))
    pd.testing.assert_series_equal(back, series.rename(None), check_dtype=True)
    with pytest.raises(ValueError, match=r"'city' holds categories \['z'\] not seen"):
        column.transform(pd.Series(["z"]))
    with pytest.raises(ValueError, match="'city' has 3 categories"):
        CategoricalColumn("city", max_categories=2).fit(series)


def test_the_encoder_lays_out_its_columns_transformers_in_block_order(mixed):
    encoder = TabularEncoder(continuous_transform="mode").fit(mixed)
    numeric = [column.name for column in encoder.numeric_]
    roles = [block.role for block in encoder.layout_.blocks]
    assert roles == ["mode"] * len(numeric) + ["missing"] * len(encoder.indicators_) + ["category"] * 2
    assert [b.column for b in encoder.layout_.blocks[: len(numeric)]] == numeric
    assert encoder.layout_.bounded == (True,) * len(numeric)
    assert set(NUMERIC_KINDS) == {"quantile", "mode"}
    with pytest.raises(ValueError, match="continuous_transform must be one of"):
        TabularEncoder(continuous_transform="zca").fit(mixed)


class _MinMaxColumn(NumericColumn):
    """A kind the library does not ship: its training range scaled onto a bounded slot, no block."""

    bounded = True

    @classmethod
    def for_encoder(cls, name, encoder):
        return cls(name)

    def transform(self, values, rng=None):
        return np.nan_to_num(2 * (values - self.low) / ((self.high - self.low) or 1.0) - 1, nan=-1.0), None

    def inverse_transform(self, slot, code=None):
        return (np.clip(slot, -1, 1) + 1) / 2 * ((self.high - self.low) or 1.0) + self.low


def test_a_new_numeric_kind_is_one_class_named_in_numeric_kinds(mixed, monkeypatch):
    monkeypatch.setitem(NUMERIC_KINDS, "minmax", _MinMaxColumn)
    encoder = TabularEncoder(continuous_transform="minmax").fit(mixed)
    continuous, codes = encoder.encode(mixed)
    assert np.abs(continuous).max() <= 1 and encoder.layout_.bounded == (True,) * len(encoder.numeric_)
    assert [block.role for block in encoder.layout_.blocks] == ["missing", "category", "category"]
    pd.testing.assert_frame_equal(encoder.inverse_transform(continuous, codes), mixed)
