"""Reversible encoding of a mixed-type table into a float matrix for the models.

The encoder is the one place that knows about column types. It describes the
matrix it produces once, as a :class:`Layout`, and every model reads that
description: continuous slots come first, then one-hot blocks, one per
categorical column, missing-value indicator or mode indicator.
"""

from dataclasses import dataclass
from numbers import Integral

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


@dataclass(frozen=True)
class Layout:
    """Description of the encoded matrix shared by all models.

    Columns ``[0, n_continuous)`` hold continuous values; the one-hot blocks
    follow in the order of ``blocks``. ``bounded[i]`` says whether continuous
    slot ``i`` lives in ``[-1, 1]`` (mode-normalized) rather than on the real
    line (quantile-normalized).
    """

    n_continuous: int
    bounded: tuple
    blocks: tuple

    @property
    def n_features(self):
        return self.n_continuous + sum(b.size for b in self.blocks)

    @property
    def offsets(self):
        """Start column of each one-hot block in the encoded matrix."""
        sizes = [b.size for b in self.blocks]
        return self.n_continuous + np.cumsum([0, *sizes], dtype=np.int64)[:-1]

    def conditional_blocks(self):
        """Indices of the blocks that hold a categorical column or the class label."""
        return [i for i, b in enumerate(self.blocks) if b.role in ("category", "label")]

    def with_label(self, n_classes):
        """This layout with a one-hot block for the class label appended (role ``"label"``)."""
        return Layout(self.n_continuous, self.bounded, (*self.blocks, CategoricalBlock(None, "label", n_classes)))


@dataclass
class _Numeric:
    name: object
    dtype: object
    integer: bool
    decimals: object
    low: float
    high: float
    has_missing: bool
    mixture: object = None


@dataclass
class _Categorical:
    name: object
    dtype: object
    categories: np.ndarray
    has_missing: bool
    missing_value: object


def _is_categorical(series, named):
    dtype = series.dtype
    return (
        named
        or isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def _check_cells(series, name):
    """Refuse a column whose values the encoder would change or lose: sparse, complex, or non-scalar cells."""
    if isinstance(series.dtype, pd.SparseDtype):
        raise TypeError(f"column {name!r} is sparse ({series.dtype}); pass X.sparse.to_dense() to make it dense.")
    if pd.api.types.is_complex_dtype(series.dtype):
        raise TypeError(f"column {name!r} is complex; split it into a real and an imaginary column.")
    if pd.api.types.is_object_dtype(series.dtype):
        for row, value in enumerate(series.to_numpy()):
            if not pd.api.types.is_scalar(value):
                raise TypeError(
                    f"column {name!r} holds a {type(value).__name__} at row {row}; "
                    "cells must be single values (numbers, strings, booleans)."
                )


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


class TabularEncoder:
    """Encode a DataFrame into a float matrix and decode it back exactly typed.

    Parameters
    ----------
    discrete_columns : list, default=()
        Names of columns to treat as categorical whatever their dtype.
    continuous_transform : {"quantile", "mode"}, default="quantile"
        ``"quantile"`` maps each continuous column through its empirical
        quantiles onto a standard normal. ``"mode"`` is CTGAN's mode-specific
        normalization: a Bayesian Gaussian mixture per column, a one-hot of the
        component and the value scaled within it.
    rows_per_quantile : int, default=1
        Training rows per knot of each empirical quantile function (at most
        1,000 knots) for ``"quantile"``. With 1, decoding
        passes through every training value, so a generator's rows repeat
        the sample's own clumps and ties, which a classifier learns to spot;
        with 4, a value held by fewer rows than a knot is interpolated over
        and only values shared by many rows (a zero-inflated column's zeros,
        a small count) stay point masses.
    max_modes : int, default=10
        Mixture components per column for ``"mode"``.
    max_categories : int or None, default=None
        Most distinct values a categorical column may have; more is an
        error naming the column and its count, raised before the one-hot
        matrix is allocated.
    random_state : int, default=0
        Seed of the mixtures and the quantile subsampling.

    Attributes
    ----------
    layout_ : Layout
        The encoded matrix's description.
    columns_ : list
        Column names in input order.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"age": [23, 35, 41, 52], "city": ["a", "b", "a", "c"]})
    >>> enc = TabularEncoder().fit(df)
    >>> x, codes = enc.transform(df)
    >>> x.shape, codes.shape
    ((4, 4), (4, 1))
    >>> enc.inverse_transform(x[:, :1], codes).equals(df)
    True
    """

    def __init__(
        self,
        discrete_columns=(),
        continuous_transform="quantile",
        rows_per_quantile=1,
        max_modes=10,
        max_categories=None,
        random_state=0,
    ):
        self.discrete_columns = discrete_columns
        self.continuous_transform = continuous_transform
        self.rows_per_quantile = rows_per_quantile
        self.max_modes = max_modes
        self.max_categories = max_categories
        self.random_state = random_state

    def fit(self, df):
        """Learn column kinds, categories, bounds and continuous transforms."""
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"TabularEncoder expects a pandas DataFrame, got {type(df).__name__}.")
        if df.shape[0] == 0:
            raise ValueError("X has 0 rows; at least 2 are required.")
        if df.shape[1] == 0:
            raise ValueError("X has 0 columns; at least 1 is required.")
        step = self.rows_per_quantile
        if not isinstance(step, Integral) or isinstance(step, bool) or step < 1:
            raise ValueError(f"rows_per_quantile must be a whole number of at least 1, got {step!r}.")
        unknown = [c for c in self.discrete_columns if c not in df.columns]
        if unknown:
            raise ValueError(f"discrete_columns names {unknown!r}, which are not columns of X.")
        named = set(self.discrete_columns)
        self.columns_ = list(df.columns)
        self._numeric, self._categorical, self._order = [], [], []
        for name in self.columns_:
            series = df[name]
            _check_cells(series, name)
            missing = series.isna().to_numpy()
            if missing.all():
                raise ValueError(f"column {name!r} has only missing values.")
            if _is_categorical(series, name in named):
                self._order.append(("cat", len(self._categorical)))
                self._categorical.append(self._fit_categorical(series, name, missing))
            else:
                self._order.append(("num", len(self._numeric)))
                self._numeric.append(self._fit_numeric(series, name, missing))
        self._scale = np.array([max(abs(n.low), abs(n.high)) or 1.0 for n in self._numeric])
        self._fit_continuous(df)
        self.layout_ = self._make_layout()
        return self

    def _fit_categorical(self, series, name, missing):
        observed = series[~missing]
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = np.asarray(series.dtype.categories[np.unique(series.cat.codes[~missing])], dtype=object)
        else:
            uniques = pd.unique(observed.to_numpy(dtype=object))
            try:
                categories = np.asarray(sorted(uniques), dtype=object)
            except TypeError:
                categories = np.asarray(uniques, dtype=object)
        if self.max_categories is not None and len(categories) > self.max_categories:
            kind = "one per row, an identifier" if len(categories) == len(series) else "distinct values"
            raise ValueError(
                f"column {name!r} has {len(categories):,} categories ({kind}), more than "
                f"max_categories={self.max_categories:,}; drop it, or raise max_categories "
                f"(one-hot blocks and the networks' widths then grow by {len(categories):,})."
            )
        missing_value = series[missing].iloc[0] if missing.any() else None
        return _Categorical(name, series.dtype, categories, bool(missing.any()), missing_value)

    def _fit_numeric(self, series, name, missing):
        if not pd.api.types.is_numeric_dtype(series.dtype):
            raise TypeError(f"column {name!r} has unsupported dtype {series.dtype}.")
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)[~missing]
        if not np.all(np.isfinite(values)):
            raise ValueError(f"column {name!r} contains infinity (inf); only finite values or NaN are accepted.")
        integer = pd.api.types.is_integer_dtype(series.dtype)
        return _Numeric(
            name,
            series.dtype,
            integer,
            0
            if integer
            else _decimals(
                values, np.dtype(series.dtype.numpy_dtype if hasattr(series.dtype, "numpy_dtype") else series.dtype)
            ),
            float(values.min()),
            float(values.max()),
            bool(missing.any()),
        )

    def numeric_matrix(self, df):
        """The numeric columns of ``df`` as float64, NaN where missing, in fit order."""
        cols = [df[n.name].to_numpy(dtype=np.float64, na_value=np.nan) for n in self._numeric]
        return np.column_stack(cols) if cols else np.empty((len(df), 0))

    def _fit_continuous(self, df):
        values = self.numeric_matrix(df) / self._scale
        if self.continuous_transform != "mode":
            self._quantile = None
            if values.shape[1]:
                self._quantile = QuantileTransformer(
                    n_quantiles=_n_quantiles(values.shape[0], self.rows_per_quantile),
                    output_distribution="normal",
                    subsample=100_000,
                    random_state=self.random_state,
                ).fit(values)
            return
        for j, num in enumerate(self._numeric):
            column = values[:, j]
            column = column[~np.isnan(column)].reshape(-1, 1)
            n_components = int(min(self.max_modes, np.unique(column).size))
            mixture = BayesianGaussianMixture(
                n_components=n_components,
                weight_concentration_prior_type="dirichlet_process",
                weight_concentration_prior=0.001,
                max_iter=100,
                n_init=1,
                random_state=self.random_state,
            ).fit(column)
            keep = mixture.weights_ > _MODE_WEIGHT_MIN
            means = mixture.means_.ravel()[keep]
            stds = np.sqrt(mixture.covariances_.ravel()[keep])
            num.mixture = (mixture, np.flatnonzero(keep), means, np.maximum(stds, 1e-6))

    def _make_layout(self):
        bounded, blocks = [], []
        for num in self._numeric:
            bounded.append(self.continuous_transform == "mode")
            if num.mixture is not None:
                blocks.append(CategoricalBlock(num.name, "mode", len(num.mixture[1])))
        for num in self._numeric:
            if num.has_missing:
                blocks.append(CategoricalBlock(num.name, "missing", 2))
        for cat in self._categorical:
            blocks.append(CategoricalBlock(cat.name, "category", len(cat.categories) + cat.has_missing))
        return Layout(len(self._numeric), tuple(bounded), tuple(blocks))

    def transform(self, df):
        """Encode ``df`` into ``(x, codes)``.

        ``x`` is float32 of shape ``(n, layout_.n_features)``; ``codes`` holds
        the category index of every one-hot block, shape ``(n, n_blocks)``.
        """
        continuous, codes = self.encode(df)
        x = np.zeros((len(df), self.layout_.n_features), dtype=np.float32)
        x[:, : continuous.shape[1]] = continuous
        np.put_along_axis(x, codes + self.layout_.offsets, 1.0, axis=1)
        return x, codes

    def fit_encode(self, df):
        """Fit on ``df`` and encode it as training rows: :meth:`encode`, ties spread.

        A continuous value held by several training rows is drawn uniformly
        in the quantile range it holds rather than put at its middle, with
        the draws seeded by ``random_state``, so each continuous slot of the
        training rows is standard normal without point masses.
        """
        return self.fit(df)._encode(df, np.random.default_rng(self.random_state))

    def encode(self, df):
        """Encode ``df`` compactly into ``(continuous, codes)``: no one-hot matrix.

        ``continuous`` is float32 of shape ``(n, layout_.n_continuous)``,
        ``codes`` the category index of every one-hot block; memory grows
        with rows x columns, whatever the number of categories.
        """
        return self._encode(df)

    def _encode(self, df, rng=None):
        values = self.numeric_matrix(df)
        n = len(df)
        continuous = np.zeros_like(values)
        mode_codes, missing_codes = [], []
        for j, num in enumerate(self._numeric):
            missing = np.isnan(values[:, j])
            if missing.any() and not num.has_missing:
                raise ValueError(f"column {num.name!r} has missing values, but had none when the encoder was fit.")
            if np.isinf(values[:, j]).any():
                raise ValueError(
                    f"column {num.name!r} contains infinity (inf); only finite values or NaN are accepted."
                )
            if num.has_missing:
                missing_codes.append(missing.astype(np.int64))
        if self.continuous_transform != "mode":
            if values.shape[1]:
                continuous = np.nan_to_num(_quantile_normal(self._quantile, values / self._scale, rng), nan=0.0)
        else:
            for j, num in enumerate(self._numeric):
                column = np.nan_to_num(values[:, j], nan=num.low) / self._scale[j]
                continuous[:, j], code = self._mode_encode(num, column)
                mode_codes.append(code)
        cat_codes = [self._category_codes(cat, df[cat.name]) for cat in self._categorical]
        codes = mode_codes + missing_codes + cat_codes
        codes = np.column_stack(codes).astype(np.int64) if codes else np.empty((n, 0), dtype=np.int64)
        return continuous.astype(np.float32), codes

    def fingerprints(self, df):
        """A 64-bit hash of each row of ``df``, its numbers rounded as decoding rounds them.

        A decoded row and a training row hash alike when they hold the same
        values (numbers compared as float64 at the column's decimals).
        """
        columns = {}
        for num in self._numeric:
            values = df[num.name].to_numpy(dtype=np.float64, na_value=np.nan)
            columns[num.name] = values if num.decimals is None else np.round(values, num.decimals)
        for cat in self._categorical:
            columns[cat.name] = df[cat.name]
        frame = pd.DataFrame(columns, columns=self.columns_)
        return pd.util.hash_pandas_object(frame, index=False).to_numpy()

    @staticmethod
    def _mode_encode(num, column):
        mixture, keep, means, stds = num.mixture
        proba = mixture.predict_proba(column.reshape(-1, 1))[:, keep]
        code = proba.argmax(axis=1)
        scaled = (column - means[code]) / (4 * stds[code])
        return np.clip(scaled, -0.99, 0.99), code

    @staticmethod
    def _category_codes(cat, series):
        missing = series.isna().to_numpy()
        codes = pd.Index(cat.categories, dtype=object).get_indexer(series.to_numpy(dtype=object)[~missing])
        if (codes < 0).any():
            unknown = series[~missing].to_numpy(dtype=object)[codes < 0][:3].tolist()
            raise ValueError(f"column {cat.name!r} holds categories {unknown!r} not seen during fit.")
        if missing.any() and not cat.has_missing:
            raise ValueError(f"column {cat.name!r} has missing values, but had none when the encoder was fit.")
        out = np.full(len(series), len(cat.categories), dtype=np.int64)
        out[~missing] = codes
        return out

    def missing(self, codes):
        """Whether each numeric cell is missing, from the present/missing blocks of ``codes``."""
        codes = np.asarray(codes)
        missing = np.zeros((codes.shape[0], len(self._numeric)), dtype=bool)
        column = sum(b.role == "mode" for b in self.layout_.blocks)
        for j, num in enumerate(self._numeric):
            if num.has_missing:
                missing[:, j] = codes[:, column] == 1
                column += 1
        return missing

    def inverse_transform(self, continuous, codes):
        """Decode continuous slots and block codes back into a typed DataFrame.

        Parameters
        ----------
        continuous : ndarray of shape (n, layout_.n_continuous)
        codes : ndarray of int of shape (n, n_blocks)

        Returns
        -------
        X : DataFrame
        """
        return self.to_frame(self.numeric_values(continuous, codes), codes)

    def numeric_values(self, continuous, codes):
        """The numeric columns decoded from ``continuous`` (and, for ``"mode"``, the codes), bounded and rounded."""
        continuous = np.asarray(continuous, dtype=np.float64)
        return self.rounded(self._decode_continuous(continuous, np.asarray(codes)))

    def rounded(self, values):
        """``values`` of the numeric columns bounded to each column's training range and rounded to its decimals."""
        out = np.empty_like(values)
        for j, num in enumerate(self._numeric):
            out[:, j] = self._rounded(num, values[:, j])
        return out

    def to_frame(self, values, codes):
        """A DataFrame typed like the training table from decoded numeric ``values`` and block ``codes``."""
        codes = np.asarray(codes)
        n = codes.shape[0]
        missing = self.missing(codes)
        out = {}
        for j, num in enumerate(self._numeric):
            out[num.name] = self._restore_numeric(num, values[:, j], missing[:, j] if num.has_missing else None)
        first_cat = len(self.layout_.blocks) - len(self._categorical)
        for i, cat in enumerate(self._categorical):
            out[cat.name] = self._restore_categorical(cat, codes[:, first_cat + i], n)
        return pd.DataFrame(out, columns=self.columns_)

    def _decode_continuous(self, continuous, codes):
        if self.continuous_transform != "mode":
            if continuous.shape[1] == 0:
                return continuous
            return _quantile_inverse(self._quantile.quantiles_, continuous) * self._scale
        values = np.empty_like(continuous)
        for j, num in enumerate(self._numeric):
            _, _, means, stds = num.mixture
            code = codes[:, j]
            values[:, j] = (np.clip(continuous[:, j], -1, 1) * 4 * stds[code] + means[code]) * self._scale[j]
        return values

    @staticmethod
    def _rounded(num, column):
        """``column`` bounded to the training range and rounded to the column's decimals."""
        column = np.clip(column, num.low, num.high)
        return np.round(column, 0 if num.integer else num.decimals) if num.decimals is not None else column

    @staticmethod
    def _restore_numeric(num, column, missing):
        series = pd.Series(column)
        dtype = num.dtype
        if missing is not None and missing.any():
            series[missing] = np.nan
            if num.integer and isinstance(dtype, np.dtype):
                dtype = pd.Int64Dtype()
        return series.astype(dtype)

    @staticmethod
    def _restore_categorical(cat, code, n):
        values = np.empty(n, dtype=object)
        present = code < len(cat.categories)
        values[present] = cat.categories[code[present]]
        values[~present] = cat.missing_value
        if isinstance(cat.dtype, pd.CategoricalDtype):
            return pd.Categorical(values, dtype=cat.dtype)
        if isinstance(cat.dtype, np.dtype):
            return pd.Series(values.astype(cat.dtype), dtype=cat.dtype)
        return pd.array(values, dtype=cat.dtype)
