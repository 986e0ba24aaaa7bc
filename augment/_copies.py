"""Rows equal to a training row, found by fingerprint and drawn again (``sample(reject_copies=True)``)."""

import numpy as np
import pandas as pd

_REDRAWS = 20


class CopiesMixin:
    """Copy rejection of a :class:`~augment.base.BaseGenerator`; needs ``_fingerprints`` and ``_draw``."""

    def _copies(self, frame):
        """Whether each row of ``frame`` equals a training row."""
        hashes = self.encoder_.fingerprints(frame)
        found = np.searchsorted(self._fingerprints, hashes).clip(max=self._fingerprints.size - 1)
        return self._fingerprints[found] == hashes

    def _replace_copies(self, frame, classes):
        """``frame`` with each row equal to a training row drawn again, in place, keeping its class."""
        if self._fingerprints is None:
            raise ValueError(
                f"reject_copies needs the training rows' fingerprints, which this {self._name} was saved without."
            )
        for _ in range(_REDRAWS):
            copies = np.flatnonzero(self._copies(frame))
            if not copies.size:
                return frame
            kept = np.setdiff1d(np.arange(len(frame)), copies)
            merged = pd.concat([frame.iloc[kept], self._draw(classes[copies])], ignore_index=True)
            frame = merged.iloc[np.argsort(np.concatenate([kept, copies]), kind="stable")].reset_index(drop=True)
        raise ValueError(
            f"{copies.size:,} of {len(frame):,} rows still equal training rows after {_REDRAWS} redraws: this "
            f"{self._name} reproduces its training table. Fit it with fewer epochs or on more rows."
        )
