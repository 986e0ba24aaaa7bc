"""The sampling stage: what ``sample`` does to a model's draws before they are a table.

One object, fitted once at the end of ``fit``, with one data flow: the
model's encoded draws go through the calibrated margins (in the encoder's
normal-score space), are decoded to numbers, smoothed, and typed. A
correction is one step of :meth:`SamplingStage.decode` and the statistics it
fits in :meth:`SamplingStage.fit`; its parameter is read at ``fit`` only.
"""

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri

MARGIN_DRAWS = 10_000
"""Rows drawn at the end of ``fit`` to learn a generator's own marginals (per class)."""
MIN_ROWS = 10
"""A class with fewer training rows keeps its draws' marginals and takes the whole table's smoothing kernel."""
ATOM_SHARE = 0.1
"""A value held by at least this share of a column's present training rows is a point mass that smoothing keeps."""
ROWS_PER_VALUE = 10
"""A column with at least this many present training rows per distinct value is few-valued: smoothing keeps all."""
N_LEVELS = 1001
_BOUND = 1e-7  # QuantileTransformer's clip on probabilities before the normal quantile


@dataclass
class Kernel:
    """The smoothing kernel of each group of rows (one group, or one per class).

    ``mean`` and ``spread`` of shape (n_groups, n_numeric) hold each numeric
    column's training mean and standard deviation in the group, ``factor``
    of shape (n_groups, n_numeric, n_numeric) a factor of the group's
    correlation matrix (:func:`kernel_factor`).
    """

    mean: np.ndarray
    spread: np.ndarray
    factor: np.ndarray


class SamplingStage:
    """Calibrated margins and smoothing between a model's draws and the decoded table.

    Parameters
    ----------
    smoothing : float, default=0.0
        Bandwidth of the Gaussian kernel each decoded numeric value not at
        one of its column's point masses is smoothed with, in training
        standard deviations of its group's column, the noise correlated as
        the group's columns are and the result shrunk about the group's mean
        so that the variance is kept (a smoothed bootstrap); 0 turns it off.
    calibrate_margins : bool, default=False
        Learn each group's drawn and training quantiles at ``fit`` and map
        every drawn continuous slot from the one onto the other (quantile
        mapping), keeping the rows' ranks. Needs normal-score slots (the
        encoder's ``"quantile"`` or ``"whitened"`` transform).

    Attributes
    ----------
    margins_ : ndarray of shape (n_groups, 2, 1001, n_numeric) or None
        Per group, the drawn and the training normal-score quantiles;
        ``None`` when off.
    kernel_ : Kernel
        Per group, the training statistics smoothing takes (a group of fewer
        than ``MIN_ROWS`` rows the whole table's).
    atoms_ : list of ndarray
        Each numeric column's point masses, which smoothing leaves in place.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from augment.encoding import TabularEncoder
    >>> X = pd.DataFrame({"x": np.random.default_rng(0).normal(size=200)})
    >>> encoder = TabularEncoder().fit(X)
    >>> continuous, codes = encoder.fit_encode(X)
    >>> groups = np.zeros(len(X), dtype=np.int64)
    >>> stage = SamplingStage(smoothing=0.2).fit(encoder, X, continuous, codes, groups, 1, None)
    >>> stage.decode(encoder, continuous, codes, groups, random_state=0).shape
    (200, 1)
    """

    def __init__(self, smoothing=0.0, calibrate_margins=False):
        self.smoothing = smoothing
        self.calibrate_margins = calibrate_margins

    def fit(self, encoder, X, continuous, codes, groups, n_groups, draw):
        """Learn the margins and the kernels of a fitted generator.

        Parameters
        ----------
        encoder : TabularEncoder
            The generator's fitted encoder.
        X : DataFrame
            The training rows.
        continuous, codes : ndarray
            Their encoding as the model was trained on it.
        groups : ndarray of int of shape (n_rows,)
            Each training row's group: its class code, 0 without labels.
        n_groups : int
            Number of groups; with one, the margins map onto the standard
            normal, which the training rows' slots follow.
        draw : callable
            ``draw(groups)`` returns the continuous slots and block codes of
            rows the model draws for those groups.

        Returns
        -------
        self : SamplingStage
        """
        values = encoder.numeric_matrix(X)
        counts = np.bincount(groups, minlength=n_groups)
        self.atoms_ = [_atoms(column[~np.isnan(column)]) for column in values.T]
        self.kernel_ = kernels(values, groups, n_groups, MIN_ROWS)
        self.margins_ = None
        if self.calibrate_margins and values.shape[1] and not any(encoder.layout_.bounded):
            normal = _quantiles(np.empty((0, values.shape[1])), np.empty((0, values.shape[1]), dtype=bool))
            if n_groups == 1:
                self.margins_ = np.stack([[_margins(encoder, *draw(np.zeros(MARGIN_DRAWS, dtype=np.int64))), normal]])
                return self
            pairs = []
            for g in range(n_groups):
                if counts[g] < MIN_ROWS:
                    pairs.append([normal, normal])
                    continue
                drawn = _margins(encoder, *draw(np.full(MARGIN_DRAWS, g, dtype=np.int64)))
                rows = groups == g
                pairs.append([drawn, _margins(encoder, continuous[rows], codes[rows])])
            self.margins_ = np.stack(pairs)
        return self

    def decode(self, encoder, continuous, codes, groups, random_state=None):
        """Typed rows from drawn slots and codes: margins, decoding, smoothing.

        Parameters
        ----------
        encoder : TabularEncoder
            The encoder the stage was fit with.
        continuous, codes : ndarray
            Drawn continuous slots and block codes.
        groups : ndarray of int of shape (n_rows,)
            Each row's group (class code).
        random_state : int, default=None
            Seed of the smoothing noise.

        Returns
        -------
        X : DataFrame
        """
        scores = encoder.scores(continuous)
        groups = np.asarray(groups)
        if self.margins_ is not None and scores.shape[1]:
            mapped = scores.copy()
            for g, (source, target) in enumerate(self.margins_):
                rows = groups == g
                mapped[rows] = _through_margins(scores[rows], source, target)
            scores = mapped
        values = encoder.values_of_scores(scores, codes)
        if self.smoothing and values.shape[1]:
            values = encoder.rounded(self._smooth(values, groups, random_state))
        return encoder.to_frame(values, codes)

    def _smooth(self, values, groups, random_state):
        """Each value moved by ``smoothing`` times its group's deviation times correlated noise.

        Shrunk about the group's mean by ``1 / sqrt(1 + smoothing**2)``, so a
        column drawn with the training mean and variance keeps both; values
        at one of the column's point masses stay where they are.
        """
        kernel, bandwidth = self.kernel_, self.smoothing
        noise = np.random.default_rng(random_state).standard_normal(values.shape)
        for g in np.unique(groups):
            rows = groups == g
            noise[rows] = noise[rows] @ kernel.factor[g].T
        mean, spread = kernel.mean[groups], kernel.spread[groups]
        moved = mean + (values - mean + bandwidth * spread * noise) / np.sqrt(1 + bandwidth**2)
        kept = np.column_stack([_at(values[:, j], atoms) for j, atoms in enumerate(self.atoms_)])
        return np.where(kept, values, moved)

    def without(self, *layers):
        """A copy that draws with ``layers`` (``"margins"``, ``"smoothing"``) switched off, for ablations."""
        unknown = set(layers) - {"margins", "smoothing"}
        if unknown:
            raise ValueError(f"unknown layers {sorted(unknown)!r}; the stage has 'margins' and 'smoothing'.")
        off = copy.copy(self)
        if "margins" in layers:
            off.margins_ = None
        if "smoothing" in layers:
            off.smoothing = 0.0
        return off


def kernels(values, groups, n_groups, min_rows=2):
    """The smoothing :class:`Kernel` of each group of the numeric rows ``values`` (NaN for missing).

    A group with fewer than ``min_rows`` rows takes the whole table's
    kernel, and a column with fewer present values in a group the whole
    table's mean and deviation.
    """
    scale = np.nanmax(np.abs(values), axis=0, initial=0.0)
    scale = np.where(scale > 0, scale, 1.0)  # scaled: sums of values near the float limit stay finite
    values = values / scale
    table = _statistics(values)
    parts = [_statistics(values[groups == g], table, min_rows) for g in range(n_groups)]
    mean, spread, factor = (np.stack(part) for part in zip(*parts, strict=True))
    return Kernel(mean * scale, spread * scale, factor)


def _statistics(values, fallback=None, min_rows=2):
    """Each column's mean and standard deviation over its present values, and :func:`kernel_factor`.

    With ``fallback`` (the whole table's), a column with fewer than
    ``min_rows`` present values takes its mean and deviation, and so do all
    columns and the factor when ``values`` has fewer than ``min_rows`` rows.
    """
    if fallback is not None and len(values) < min_rows:
        return fallback
    present = ~np.isnan(values)
    count = present.sum(axis=0)
    mean = np.where(present, values, 0.0).sum(axis=0) / np.maximum(count, 1)
    spread = np.sqrt(np.square(np.where(present, values - mean, 0.0)).sum(axis=0) / np.maximum(count, 1))
    if fallback is not None:
        few = count < min_rows
        mean, spread = np.where(few, fallback[0], mean), np.where(few, fallback[1], spread)
    return mean, spread, kernel_factor(values)


def kernel_factor(values):
    """A factor ``L`` of the numeric columns' correlation matrix, ``L @ L.T``, with a unit diagonal.

    Correlations are taken over the rows where both columns are present
    (0 for a constant column); negative eigenvalues of the result are
    dropped. Smoothing noise ``standard_normal @ L.T`` is then correlated
    like the columns, so a kernel step moves correlated columns together
    (Silverman's multivariate kernel with the data's covariance shape).
    """
    corr = np.nan_to_num(pd.DataFrame(values).corr().to_numpy(), nan=0.0)
    np.fill_diagonal(corr, 1.0)
    eigenvalues, vectors = np.linalg.eigh(corr)
    factor = vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
    return factor / np.linalg.norm(factor, axis=1, keepdims=True)


def _atoms(values):
    """The point masses of ``values``, sorted: every value of a few-valued column, else those held by a large share.

    A column is few-valued when it has :data:`ROWS_PER_VALUE` rows or more
    per distinct value (counts, scores, levels): its sample already shows
    the distribution's support, which smoothing would blur. Otherwise a
    value is a point mass when :data:`ATOM_SHARE` of the rows hold it.
    """
    uniques, counts = np.unique(values, return_counts=True)
    if values.size >= ROWS_PER_VALUE * uniques.size:
        return uniques
    return uniques[counts >= ATOM_SHARE * values.size]


def _at(column, atoms):
    """Whether each value of ``column`` is one of the sorted ``atoms`` (``np.isin`` by one binary search each)."""
    if atoms.size == 0:
        return np.zeros(column.shape, dtype=bool)
    return atoms[np.searchsorted(atoms, column).clip(max=atoms.size - 1)] == column


def _margins(encoder, continuous, codes):
    """:func:`_quantiles` of encoded rows' numeric columns, in each column's own score space (whitening undone)."""
    return _quantiles(encoder.scores(continuous), encoder.missing(codes))


def _quantiles(scores, missing):
    """Each column's normal scores at :data:`N_LEVELS` evenly spaced probabilities, missing cells left out.

    A column missing in every row gets the standard normal's.
    """
    scores = np.asarray(scores, dtype=np.float64)
    levels = np.linspace(0.0, 1.0, N_LEVELS)
    out = np.tile(ndtri(np.clip(levels, _BOUND, 1 - _BOUND))[:, None], (1, scores.shape[1]))
    for j in np.flatnonzero((~missing).any(axis=0)):
        column = np.sort(scores[~missing[:, j], j])  # np.quantile's "linear" method, from one sort
        at = (column.size - 1) * levels
        below = np.floor(at)
        gamma = at - below
        low = column[below.astype(np.intp)]
        high = column[np.minimum(below.astype(np.intp) + 1, column.size - 1)]
        out[:, j] = np.where(gamma >= 0.5, high - (high - low) * (1 - gamma), low + (high - low) * gamma)
    return out


def _through_margins(z, source, target):
    """Map each column of ``z`` from the quantiles ``source`` onto the quantiles ``target`` (same probabilities).

    Quantile mapping: ``source`` holds a generator's drawn normal scores and
    ``target`` the training rows' at evenly spaced probabilities, so each
    column of the result follows the training marginal when ``z`` follows
    the generator, and keeps the ranks of ``z``. A value at a run of tied
    source quantiles maps to the middle of its target run.
    """
    out = np.empty_like(z)
    for j in range(z.shape[1]):
        out[:, j] = np.interp(z[:, j], source[:, j], target[:, j])
        values, first, counts = np.unique(source[:, j], return_index=True, return_counts=True)
        tied = counts > 1
        for value, start, count in zip(values[tied], first[tied], counts[tied], strict=True):
            out[z[:, j] == value, j] = 0.5 * (target[start, j] + target[start + count - 1, j])
    return out
