"""Column transformers: one small class per kind of column the table encoder handles.

Each turns one column of a table into continuous slots and block codes and
back: :class:`QuantileColumn` and :class:`ModeColumn` for numbers (one
continuous slot each; the mode also a one-hot block), :class:`MissingIndicator`
for a numeric column with missing values (a present/missing block),
:class:`CategoricalColumn` for categories (a one-hot block).
:class:`~augment.encoding.TabularEncoder` composes them. A new kind is a class
with ``fit``, ``transform``, ``inverse_transform`` and the ``bounded`` and
``block`` it adds to the layout; a numeric one is named in
:data:`NUMERIC_KINDS`, which ``continuous_transform`` chooses from.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from scipy.special import ndtri
from sklearn.mixture import BayesianGaussianMixture
from sklearn.preprocessing import QuantileTransformer

_MAX_DECIMALS = 6
_MODE_WEIGHT_MIN = 0.005
_BOUND = 1e-7  # QuantileTransformer's clip on probabilities before the normal quantile


@dataclass(frozen=True)
class CategoricalBlock:
    """One one-hot block of the encoded matrix.

    ``role`` is ``"category"`` for a categorical column, ``"missing"`` for
    the present/missing indicator of a numeric column, ``"mode"`` for the
    mixture component of a mode-normalized continuous column and ``"label"``
    for a class label that a model generates alongside the row.
    """

    column: object
    role: str
    size: int


class NumericColumn:
    """A numeric column's dtype, precision and range: what decoding bounds, rounds and restores.

    The base of :class:`QuantileColumn` and :class:`ModeColumn`, which add
    the normalization of the values to a continuous slot.
    """

    bounded = False
    block = None

    def __init__(self, name):
        self.name = name

    def fit(self, series):
        """Record the dtype, the decimals every value shows, the range and whether values are missing."""
        if not pd.api.types.is_numeric_dtype(series.dtype):
            raise TypeError(f"column {self.name!r} has unsupported dtype {series.dtype}.")
        missing = series.isna().to_numpy()
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)[~missing]
        if not np.all(np.isfinite(values)):
            raise ValueError(f"column {self.name!r} contains infinity (inf); only finite values or NaN are accepted.")
        self.dtype = series.dtype
        self.integer = pd.api.types.is_integer_dtype(series.dtype)
        numpy_dtype = np.dtype(getattr(series.dtype, "numpy_dtype", series.dtype))
        self.decimals = 0 if self.integer else _decimals(values, numpy_dtype)
        self.low, self.high = float(values.min()), float(values.max())
        self.has_missing = bool(missing.any())
        self.scale = max(abs(self.low), abs(self.high)) or 1.0
        return self

    def check(self, values):
        """Refuse values this column cannot encode: missing where it had none, or infinite."""
        if np.isnan(values).any() and not self.has_missing:
            raise ValueError(f"column {self.name!r} has missing values, but had none when the encoder was fit.")
        if np.isinf(values).any():
            raise ValueError(f"column {self.name!r} contains infinity (inf); only finite values or NaN are accepted.")

    def rounded(self, values):
        """``values`` bounded to the training range and rounded to the column's decimals."""
        values = np.clip(values, self.low, self.high)
        return np.round(values, 0 if self.integer else self.decimals) if self.decimals is not None else values

    def restore(self, values, missing=None):
        """``values`` as a Series of the training dtype, NaN where ``missing`` (an integer column becomes Int64)."""
        series = pd.Series(values)
        dtype = self.dtype
        if missing is not None and missing.any():
            series[missing] = np.nan
            if self.integer and isinstance(dtype, np.dtype):
                dtype = pd.Int64Dtype()
        return series.astype(dtype)


class QuantileColumn(NumericColumn):
    """A continuous column mapped through its empirical quantiles onto a standard normal slot.

    Parameters
    ----------
    name : object
        The column's name.
    rows_per_quantile : int, default=1
        Training rows per knot of the quantile function (at most 1,000 knots).
    random_state : int, default=0
        Seed of the quantile subsampling (above 100,000 rows).
    """

    def __init__(self, name, rows_per_quantile=1, random_state=0):
        super().__init__(name)
        self.rows_per_quantile = rows_per_quantile
        self.random_state = random_state

    @classmethod
    def for_encoder(cls, name, encoder):
        """The transformer of column ``name`` with the encoder's settings."""
        return cls(name, encoder.rows_per_quantile, encoder.random_state)

    def fit(self, series):
        super().fit(series)
        values = series.to_numpy(dtype=np.float64, na_value=np.nan).reshape(-1, 1) / self.scale
        self.quantile_ = QuantileTransformer(
            n_quantiles=_n_quantiles(len(values), self.rows_per_quantile),
            output_distribution="normal",
            subsample=100_000,
            random_state=self.random_state,
        ).fit(values)
        return self

    def transform(self, values, rng=None):
        """The normal score of each value (0 where missing) and no block code.

        A value held by several training rows spans several quantiles: it
        goes to the middle of their range, or with ``rng`` to a uniform draw
        in it (:func:`_quantile_normal`).
        """
        scores = _quantile_normal(self.quantile_, values.reshape(-1, 1) / self.scale, rng)[:, 0]
        return np.nan_to_num(scores, nan=0.0), None

    def inverse_transform(self, slot, code=None):
        """Values at the normal scores ``slot``."""
        return _quantile_inverse(self.quantile_.quantiles_, slot.reshape(-1, 1))[:, 0] * self.scale


class ModeColumn(NumericColumn):
    """CTGAN's mode-specific normalization: a Bayesian Gaussian mixture's component and the value within it.

    Parameters
    ----------
    name : object
        The column's name.
    max_modes : int, default=10
        Mixture components to start from; those with a weight of 0.5% or
        more are kept.
    random_state : int, default=0
        Seed of the mixture.
    """

    bounded = True

    def __init__(self, name, max_modes=10, random_state=0):
        super().__init__(name)
        self.max_modes = max_modes
        self.random_state = random_state

    @classmethod
    def for_encoder(cls, name, encoder):
        """The transformer of column ``name`` with the encoder's settings."""
        return cls(name, encoder.max_modes, encoder.random_state)

    def fit(self, series):
        super().fit(series)
        column = series.to_numpy(dtype=np.float64, na_value=np.nan) / self.scale
        column = column[~np.isnan(column)].reshape(-1, 1)
        mixture = BayesianGaussianMixture(
            n_components=int(min(self.max_modes, np.unique(column).size)),
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=0.001,
            max_iter=100,
            n_init=1,
            random_state=self.random_state,
        ).fit(column)
        self.mixture_ = mixture
        self.modes_ = np.flatnonzero(mixture.weights_ > _MODE_WEIGHT_MIN)
        self.means_ = mixture.means_.ravel()[self.modes_]
        self.stds_ = np.maximum(np.sqrt(mixture.covariances_.ravel()[self.modes_]), 1e-6)
        return self

    @property
    def block(self):
        return CategoricalBlock(self.name, "mode", len(self.modes_))

    def transform(self, values, rng=None):
        """Each value's most likely component and its offset from that mean in 4 deviations, within ±0.99."""
        column = np.nan_to_num(values, nan=self.low) / self.scale
        code = self.mixture_.predict_proba(column.reshape(-1, 1))[:, self.modes_].argmax(axis=1)
        return np.clip((column - self.means_[code]) / (4 * self.stds_[code]), -0.99, 0.99), code

    def inverse_transform(self, slot, code):
        """Values from the offsets ``slot`` within the components ``code``."""
        return (np.clip(slot, -1, 1) * 4 * self.stds_[code] + self.means_[code]) * self.scale


NUMERIC_KINDS = {"quantile": QuantileColumn, "mode": ModeColumn}
"""The numeric column transformers by their ``continuous_transform`` name."""


class MissingIndicator:
    """Whether a numeric column's value is missing, as a two-category block (0 present, 1 missing)."""

    def __init__(self, name):
        self.name = name

    @property
    def block(self):
        return CategoricalBlock(self.name, "missing", 2)

    def transform(self, values):
        return np.isnan(values).astype(np.int64)

    def inverse_transform(self, code):
        return code == 1


class CategoricalColumn:
    """A categorical column as a one-hot block: its categories, then one for missing when it had any.

    Parameters
    ----------
    name : object
        The column's name.
    max_categories : int or None, default=None
        Most distinct values it may have; more is refused at ``fit``.
    """

    def __init__(self, name, max_categories=None):
        self.name = name
        self.max_categories = max_categories

    def fit(self, series):
        """Learn the categories (sorted where they compare), the dtype and the missing value's form."""
        missing = series.isna().to_numpy()
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = np.asarray(series.dtype.categories[np.unique(series.cat.codes[~missing])], dtype=object)
        else:
            uniques = pd.unique(series[~missing].to_numpy(dtype=object))
            try:
                categories = np.asarray(sorted(uniques), dtype=object)
            except TypeError:
                categories = np.asarray(uniques, dtype=object)
        if self.max_categories is not None and len(categories) > self.max_categories:
            kind = "one per row, an identifier" if len(categories) == len(series) else "distinct values"
            raise ValueError(
                f"column {self.name!r} has {len(categories):,} categories ({kind}), more than "
                f"max_categories={self.max_categories:,}; drop it, or raise max_categories "
                f"(one-hot blocks and the networks' widths then grow by {len(categories):,})."
            )
        self.dtype = series.dtype
        self.categories = categories
        self.has_missing = bool(missing.any())
        self.missing_value = series[missing].iloc[0] if missing.any() else None
        return self

    @property
    def block(self):
        return CategoricalBlock(self.name, "category", len(self.categories) + self.has_missing)

    def transform(self, series):
        """Each value's category index; missing values take the last one."""
        missing = series.isna().to_numpy()
        codes = pd.Index(self.categories, dtype=object).get_indexer(series.to_numpy(dtype=object)[~missing])
        if (codes < 0).any():
            unknown = series[~missing].to_numpy(dtype=object)[codes < 0][:3].tolist()
            raise ValueError(f"column {self.name!r} holds categories {unknown!r} not seen during fit.")
        if missing.any() and not self.has_missing:
            raise ValueError(f"column {self.name!r} has missing values, but had none when the encoder was fit.")
        out = np.full(len(series), len(self.categories), dtype=np.int64)
        out[~missing] = codes
        return out

    def inverse_transform(self, code):
        """The values of category indices ``code``, in the training dtype."""
        values = np.empty(len(code), dtype=object)
        present = code < len(self.categories)
        values[present] = self.categories[code[present]]
        values[~present] = self.missing_value
        if isinstance(self.dtype, pd.CategoricalDtype):
            return pd.Categorical(values, dtype=self.dtype)
        if isinstance(self.dtype, np.dtype):
            return pd.Series(values.astype(self.dtype), dtype=self.dtype)
        return pd.array(values, dtype=self.dtype)


def _quantile_inverse(quantiles, z):
    """Map standard-normal values back through per-column quantiles.

    The same result as ``QuantileTransformer.inverse_transform`` with a normal
    output (interpolation between quantiles at evenly spaced probabilities),
    computed as one gather per value instead of a search per column, with
    torch's multi-threaded normal CDF. A weighted sum of the two neighbouring
    quantiles rather than ``torch.lerp``, whose gap between them overflows
    near ±1.7e308, so the result is finite for every finite quantile table.
    """
    steps = quantiles.shape[0] - 1
    position = torch.special.ndtr(torch.from_numpy(z)).mul_(steps).clamp_(0, steps)
    low = position.floor().clamp_(max=steps - 1)
    index = low.long()
    table = torch.from_numpy(quantiles)
    weight = position.sub_(low)
    return (table.gather(0, index) * (1 - weight) + table.gather(0, index + 1) * weight).numpy()


def _quantile_normal(quantile, values, rng=None):
    """``quantile.transform(values)``, a tied value placed in the quantile range it holds.

    A value held by many training rows (the zeros of a zero-inflated column,
    an integer) spans several quantiles. ``QuantileTransformer`` sends it to
    the middle of their range, or to ±5.2 when it is the column's lowest or
    highest value: a point mass that generators with smooth outputs cannot
    reproduce. Here it goes to the middle of its range, or with ``rng`` to
    a uniform draw in it (dequantization), so that the training column is
    standard normal; decoding maps every point of the range back to the value.
    """
    out = quantile.transform(values)
    for j in range(values.shape[1]):
        table = quantile.quantiles_[:, j]
        left = np.searchsorted(table, values[:, j], "left")
        right = np.searchsorted(table, values[:, j], "right")
        tied = np.flatnonzero(right - left > 1)
        low, high = quantile.references_[left[tied]], quantile.references_[right[tied] - 1]
        share = 0.5 if rng is None else rng.random(tied.size)
        out[tied, j] = ndtri(np.clip(low + (high - low) * share, _BOUND, 1 - _BOUND))
    return out


def _decimals(values, dtype):
    """Fewest decimals (up to 6) that reproduce every value to the column's precision, else None."""
    precision = np.finfo(dtype).eps * 8 if np.issubdtype(dtype, np.floating) else 1e-12
    scale = np.abs(values)
    for d in range(_MAX_DECIMALS + 1):
        if np.all(np.abs(np.round(values, d) - values) <= precision * scale):
            return d
    return None


def _n_quantiles(n_rows, rows_per_quantile):
    """Knots of an empirical quantile function: one per ``rows_per_quantile`` rows, between 2 and 1000."""
    return int(min(1000, max(2, n_rows // rows_per_quantile)))
