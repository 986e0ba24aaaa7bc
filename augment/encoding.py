"""Reversible encoding of a mixed-type table into a float matrix for the models.

The encoder is the one place that knows about column types. It describes the
matrix it produces once, as a :class:`Layout`, and every model reads that
description: continuous slots come first, then one-hot blocks, one per mode
indicator, missing-value indicator or categorical column. Each column is
handled by a column transformer of :mod:`augment.columns`; the encoder
composes them.
"""

import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.preprocessing import QuantileTransformer

from .columns import (
    NUMERIC_KINDS,
    CategoricalBlock,
    CategoricalColumn,
    MissingIndicator,
    _n_quantiles,
    _quantile_inverse,
)


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


def _is_categorical(series, named):
    dtype = series.dtype
    return (
        named
        or isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


MOSTLY_NUMBERS = 0.9
"""A text column whose present values parse as numbers at least this often is warned about."""


def _warn_if_mostly_numbers(series, name):
    """Warn when a text column is numbers but for a few values, which make it categorical."""
    if not (pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)):
        return
    present = series.dropna()
    if present.empty or present.map(lambda v: isinstance(v, bool)).any():
        return
    parsed = pd.to_numeric(present.astype(str), errors="coerce")
    numbers = int(parsed.notna().sum())
    if numbers == len(present) or numbers < MOSTLY_NUMBERS * len(present):
        return
    others = list(dict.fromkeys(present[parsed.isna()].tolist()))
    warnings.warn(
        f"column {name!r} is text, but {numbers:,} of its {len(present):,} values are numbers (not: "
        f"{', '.join(map(repr, others[:3]))}{', ...' if len(others) > 3 else ''}); it is learned as a categorical "
        f"column with {present.nunique():,} categories. Make those values numbers or missing "
        "(pd.to_numeric(X[column], errors='coerce')) to learn it as numbers, or name it in discrete_columns "
        "to keep it categorical.",
        UserWarning,
        stacklevel=4,
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


TRANSFORMS = {*NUMERIC_KINDS, "whitened"}
"""The values of ``continuous_transform``: a numeric column kind, or ``"whitened"`` (quantile columns, whitened)."""


class Whitening:
    """Decorrelate standard-normal columns, then make each decorrelated one standard normal again.

    A ZCA rotation to unit variance (eigenvalues floored at 1e-6 of the
    largest, so exactly collinear columns give a large but finite scale),
    then a quantile transform of each rotated column, whose marginal is
    rarely normal: one step of rotation-based iterative Gaussianization.
    The encoder's step after its quantile columns for
    ``continuous_transform="whitened"``.
    """

    def __init__(self, rows_per_quantile, random_state):
        self.rows_per_quantile = rows_per_quantile
        self.random_state = random_state

    def fit(self, z):
        self.mean = z.mean(axis=0)
        covariance = np.atleast_2d(np.cov(z, rowvar=False)) if z.shape[0] > 1 else np.eye(z.shape[1])
        values, vectors = np.linalg.eigh(covariance)
        values = np.maximum(values, 1e-6 * max(values.max(), 1e-12))
        self.forward = (vectors / np.sqrt(values)) @ vectors.T
        self.inverse = (vectors * np.sqrt(values)) @ vectors.T
        rotated = _rowwise_product(z - self.mean, self.forward)
        self.quantile = QuantileTransformer(
            n_quantiles=_n_quantiles(z.shape[0], self.rows_per_quantile),
            output_distribution="normal",
            subsample=100_000,
            random_state=self.random_state,
        ).fit(rotated)
        return self

    def transform(self, z):
        return self.quantile.transform(_rowwise_product(z - self.mean, self.forward))

    def inverse_transform(self, w):
        return _rowwise_product(_quantile_inverse(self.quantile.quantiles_, w), self.inverse) + self.mean


def _rowwise_product(a, b):
    """``a @ b`` with each row's result independent of the other rows (BLAS blocks differ by batch size).

    The quantile transform after the rotation jumps at tied training
    values, so a last-bit difference between a row alone and in a batch
    could move it by a quantile step.
    """
    return np.einsum("ij,jk->ik", a, b, optimize=False)


class TabularEncoder:
    """Encode a DataFrame into a float matrix and decode it back exactly typed.

    Parameters
    ----------
    discrete_columns : list, default=()
        Names of columns to treat as categorical whatever their dtype.
    continuous_transform : {"quantile", "whitened", "mode"}, default="quantile"
        ``"quantile"`` maps each continuous column through its empirical
        quantiles onto a standard normal. ``"whitened"`` does the same, then
        decorrelates the columns to unit variance (ZCA whitening of the
        training rows) and maps each rotated column onto a standard normal
        again (:class:`~augment.encoding.Whitening`), so that a generator's errors are scaled
        by the spread of each direction and near-deterministic relations
        between columns (a radius, its perimeter and its area) survive
        decoding. ``"mode"`` is CTGAN's mode-specific
        normalization: a Bayesian Gaussian mixture per column, a one-hot of the
        component and the value scaled within it.
    rows_per_quantile : int, default=1
        Training rows per knot of each empirical quantile function (at most
        1,000 knots) for ``"quantile"`` and ``"whitened"``. With 1, decoding
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
        """Learn each column's kind and fit its transformer."""
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
        self.numeric_, self.categorical_ = [], []
        for name in self.columns_:
            series = df[name]
            _check_cells(series, name)
            if series.isna().all():
                raise ValueError(f"column {name!r} has only missing values.")
            if _is_categorical(series, name in named):
                if name not in named:
                    _warn_if_mostly_numbers(series, name)
                self.categorical_.append(CategoricalColumn(name, self.max_categories).fit(series))
            else:
                self.numeric_.append(self._numeric_column(name).fit(series))
        self.indicators_ = [MissingIndicator(column.name) for column in self.numeric_ if column.has_missing]
        self.whitening_ = None
        if self.continuous_transform == "whitened" and self.numeric_:
            values = self.numeric_matrix(df)
            rng = np.random.default_rng(self.random_state)
            spread = np.column_stack([c.transform(values[:, j], rng)[0] for j, c in enumerate(self.numeric_)])
            self.whitening_ = Whitening(self.rows_per_quantile, self.random_state).fit(spread)
        blocks = tuple(transformer.block for transformer in self._block_transformers())
        self.layout_ = Layout(len(self.numeric_), tuple(column.bounded for column in self.numeric_), blocks)
        return self

    def _numeric_column(self, name):
        kind = "quantile" if self.continuous_transform == "whitened" else self.continuous_transform
        if kind not in NUMERIC_KINDS:
            raise ValueError(
                f"continuous_transform must be one of {sorted(TRANSFORMS)}, got {self.continuous_transform!r}."
            )
        return NUMERIC_KINDS[kind].for_encoder(name, self)

    def _block_transformers(self):
        """The transformers that own a block, in block order: modes, missing indicators, categories."""
        modes = [column for column in self.numeric_ if column.block is not None]
        return [*modes, *self.indicators_, *self.categorical_]

    def _positions(self):
        """Each numeric column's index among the numeric columns, by name."""
        return {column.name: j for j, column in enumerate(self.numeric_)}

    def numeric_matrix(self, df):
        """The numeric columns of ``df`` as float64, NaN where missing, in fit order."""
        cols = [df[column.name].to_numpy(dtype=np.float64, na_value=np.nan) for column in self.numeric_]
        return np.column_stack(cols) if cols else np.empty((len(df), 0))

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
        for j, column in enumerate(self.numeric_):
            column.check(values[:, j])
        continuous = np.zeros_like(values)
        mode_codes = []
        for j, column in enumerate(self.numeric_):
            continuous[:, j], code = column.transform(values[:, j], rng)
            if code is not None:
                mode_codes.append(code)
        if self.whitening_ is not None:
            continuous = self.whitening_.transform(continuous)
        positions = self._positions()
        missing_codes = [indicator.transform(values[:, positions[indicator.name]]) for indicator in self.indicators_]
        cat_codes = [column.transform(df[column.name]) for column in self.categorical_]
        codes = mode_codes + missing_codes + cat_codes
        codes = np.column_stack(codes).astype(np.int64) if codes else np.empty((len(df), 0), dtype=np.int64)
        return continuous.astype(np.float32), codes

    def fingerprints(self, df):
        """A 64-bit hash of each row of ``df``, its numbers rounded as decoding rounds them.

        A decoded row and a training row hash alike when they hold the same
        values (numbers compared as float64 at the column's decimals).
        """
        columns = {}
        for column in self.numeric_:
            values = df[column.name].to_numpy(dtype=np.float64, na_value=np.nan)
            columns[column.name] = values if column.decimals is None else np.round(values, column.decimals)
        for column in self.categorical_:
            columns[column.name] = df[column.name]
        frame = pd.DataFrame(columns, columns=self.columns_)
        return pd.util.hash_pandas_object(frame, index=False).to_numpy()

    def _split_codes(self, codes):
        """Block ``codes`` by owner: the numeric columns' own, the missing indicators', the categories'."""
        codes = np.asarray(codes)
        own = len(self.layout_.blocks) - len(self.indicators_) - len(self.categorical_)
        indicated = own + len(self.indicators_)
        return codes[:, :own], codes[:, own:indicated], codes[:, indicated:]

    def missing(self, codes):
        """Whether each numeric cell is missing, from the present/missing blocks of ``codes``."""
        _, indicated, _ = self._split_codes(codes)
        missing = np.zeros((indicated.shape[0], len(self.numeric_)), dtype=bool)
        positions = self._positions()
        for indicator, code in zip(self.indicators_, indicated.T, strict=True):
            missing[:, positions[indicator.name]] = indicator.inverse_transform(code)
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
        return self.values_of_scores(self.scores(continuous), codes)

    def scores(self, continuous):
        """Each numeric column's own slot value (its normal score): ``continuous`` with any whitening undone."""
        continuous = np.asarray(continuous, dtype=np.float64)
        if self.whitening_ is None or continuous.shape[1] == 0:
            return continuous
        return self.whitening_.inverse_transform(continuous)

    def values_of_scores(self, scores, codes):
        """The numeric columns decoded from their own slot values :meth:`scores`, bounded and rounded."""
        own = iter(self._split_codes(codes)[0].T)
        values = np.empty_like(scores)
        for j, column in enumerate(self.numeric_):
            values[:, j] = column.inverse_transform(scores[:, j], None if column.block is None else next(own))
        return self.rounded(values)

    def rounded(self, values):
        """``values`` of the numeric columns bounded to each column's training range and rounded to its decimals."""
        out = np.empty_like(values)
        for j, column in enumerate(self.numeric_):
            out[:, j] = column.rounded(values[:, j])
        return out

    def to_frame(self, values, codes):
        """A DataFrame typed like the training table from decoded numeric ``values`` and block ``codes``."""
        missing = self.missing(codes)
        out = {}
        for j, column in enumerate(self.numeric_):
            out[column.name] = column.restore(values[:, j], missing[:, j] if column.has_missing else None)
        for column, code in zip(self.categorical_, self._split_codes(codes)[2].T, strict=True):
            out[column.name] = column.inverse_transform(code)
        return pd.DataFrame(out, columns=self.columns_)
