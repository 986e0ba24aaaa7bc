"""The labels a generator is fit with, and the classes and number of rows ``sample`` is asked for."""

import os
from numbers import Integral

import numpy as np
import pandas as pd
import torch
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d


def available_memory():
    """Bytes of memory free on this machine, or ``None`` where the system does not say."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _size(n_bytes):
    return f"{n_bytes / 2**30:,.1f} GiB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:,.1f} MiB"


class LabelsMixin:
    """Class labels of a :class:`~augment.base.BaseGenerator`: ``classes_`` at fit, the rows asked of ``sample``."""

    def _validate_y(self, y, n_rows):
        if y is None:
            self._target_name = None
            return None
        y_in = y
        y = column_or_1d(y, warn=True)
        if y.shape[0] != n_rows:
            raise ValueError(f"y has {y.shape[0]} rows but X has {n_rows}; they must match.")
        if pd.isna(y).any():
            raise ValueError("y contains missing values; every row needs a label.")
        kind = type_of_target(y, input_name="y")
        if kind not in ("binary", "multiclass"):
            if kind == "unknown":
                raise ValueError(f"Unknown label type for y: {y.dtype}.")
            raise ValueError(
                f"y is {kind}; generators condition on class labels. "
                "To learn a continuous target jointly, pass it as a column of X."
            )
        self.classes_, codes = np.unique(y, return_inverse=True)
        self._target_name = y_in.name if isinstance(y_in, pd.Series) else None
        return codes

    @property
    def _n_classes(self):
        return len(self.classes_) if hasattr(self, "classes_") else 0

    def _class_codes(self, n_samples, y):
        """Class code of each row to draw, or zeros when fit without ``y``."""
        if y is None:
            if n_samples is None:
                raise ValueError("sample needs n_samples, or y with the labels to draw.")
            n = self._check_memory(self._check_count(n_samples, "n_samples"))
            if not self._n_classes:
                return np.zeros(n, dtype=np.int64)
            rng = np.random.default_rng(self._next_seed())
            return rng.choice(self._n_classes, size=n, p=self._class_counts / self._class_counts.sum())
        if not self._n_classes:
            raise ValueError(f"y was given to sample, but {self._name} was fit without y.")
        if isinstance(y, dict):
            unknown = [label for label in y if label not in set(self.classes_.tolist())]
            if unknown:
                raise ValueError(
                    f"y names labels {unknown!r} that were not seen during fit; known: {self.classes_.tolist()!r}."
                )
            counts = {label: self._check_count(count, f"y[{label!r}]", allow_zero=True) for label, count in y.items()}
            self._check_memory(sum(counts.values()))
            labels = np.concatenate(
                [np.repeat(np.asarray([label], dtype=self.classes_.dtype), c) for label, c in counts.items()]
            )
        else:
            labels = column_or_1d(y)
            unknown = sorted(set(np.unique(labels).tolist()) - set(self.classes_.tolist()), key=str)
            if unknown:
                raise ValueError(
                    f"y holds labels {unknown!r} that were not seen during fit; known: {self.classes_.tolist()!r}."
                )
        if labels.size == 0:
            raise ValueError("y asks for 0 rows; ask for at least 1.")
        if n_samples is not None and n_samples != labels.size:
            raise ValueError(f"n_samples={n_samples} but y asks for {labels.size} rows; give one or make them agree.")
        return np.searchsorted(self.classes_, labels)

    def _row_classes(self, y, n_rows):
        """Class code of each of ``n_rows`` given rows: from ``y`` when fit with labels, else zeros."""
        if not self._n_classes:
            return torch.zeros(n_rows, dtype=torch.long, device=self._device)
        classes = self._class_codes(None, y)
        if classes.size != n_rows:
            raise ValueError(f"y has {classes.size} labels but X has {n_rows} rows.")
        return torch.as_tensor(classes, device=self._device)

    def _check_memory(self, n_rows):
        """``n_rows``, or an error when drawing them would need more memory than the machine has free.

        A row costs its encoded slots and block codes, the decoded values and
        the output table, each a few times over while they are converted.
        """
        per_row = 8 * (2 * self.encoder_.layout_.n_features + 4 * len(self.encoder_.columns_) + 2)
        available = available_memory()
        if available is not None and n_rows * per_row > available:
            raise MemoryError(
                f"sample({n_rows:,}) needs about {_size(n_rows * per_row)}, more than the {_size(available)} "
                f"of memory free; draw at most {available // per_row:,} rows per call."
            )
        return n_rows

    @staticmethod
    def _check_count(value, name, allow_zero=False):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Integral, np.integer)):
            raise TypeError(f"{name} must be an integer, got {value!r}.")
        if value < (0 if allow_zero else 1):
            raise ValueError(f"{name} must be {'>= 0' if allow_zero else '>= 1'}, got {value}.")
        return int(value)
