"""PixelScaler: flattened images to ``[-1, 1]`` and back, in place of the tabular encoder."""

import numpy as np
import pandas as pd

from .encoding import Layout


def check_image_shape(image_shape):
    """``image_shape`` as a tuple of three positive ints ``(C, H, W)``, or a ValueError saying what is wrong."""
    try:
        shape = tuple(image_shape)
    except TypeError:
        raise ValueError(f"image_shape must be a tuple (channels, height, width), got {image_shape!r}.") from None
    if len(shape) != 3 or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in shape):
        raise ValueError(f"image_shape must be three integers (channels, height, width), got {image_shape!r}.")
    if min(shape) < 1:
        raise ValueError(f"image_shape entries must be positive, got {image_shape!r}.")
    return tuple(int(s) for s in shape)


class PixelScaler:
    """Map flattened images linearly from their training range onto ``[-1, 1]``, and back.

    One range for all pixels, as images are stored (0-16 for scikit-learn's
    digits, 0-255 for 8-bit images). Decoding clips to the training range
    and rounds to whole numbers when every training pixel was one, so
    samples have the input's value range and granularity.

    Parameters
    ----------
    image_shape : tuple of int
        ``(channels, height, width)``; a row holds ``channels * height * width`` pixels
        in that (C-contiguous) order.

    Attributes
    ----------
    layout_ : Layout
        One bounded continuous slot per pixel, no one-hot blocks.
    columns_ : list
        Column names in input order.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.datasets import load_digits
    >>> X = pd.DataFrame(load_digits().data)
    >>> scaler = PixelScaler((1, 8, 8)).fit(X)
    >>> pixels, _ = scaler.encode(X)
    >>> float(pixels.min()), float(pixels.max())
    (-1.0, 1.0)
    >>> scaler.inverse_transform(pixels, None).equals(X)
    True
    """

    def __init__(self, image_shape):
        self.image_shape = image_shape

    def fit(self, df):
        """Learn the pixel range, integer-ness and column names of ``df``."""
        self.image_shape = check_image_shape(self.image_shape)
        values = self._pixels(df)
        self.columns_ = list(df.columns)
        self.dtypes_ = list(df.dtypes)
        self.low_, self.high_ = float(values.min()), float(values.max())
        self.integer_ = bool(np.all(values == np.round(values)))
        self.layout_ = Layout(values.shape[1], (True,) * values.shape[1], ())
        return self

    def _pixels(self, df):
        expected = int(np.prod(self.image_shape))
        if df.shape[1] != expected:
            raise ValueError(
                f"X has {df.shape[1]} values per row, but image_shape={self.image_shape} needs "
                f"{expected} (channels x height x width)."
            )
        kinds = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c].dtype)]
        if kinds:
            raise ValueError(f"image pixels must be numeric; column {kinds[0]!r} is {df[kinds[0]].dtype}.")
        values = df.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(values)
        if bad.any():
            row, column = np.argwhere(bad)[0]
            name = df.columns.tolist()[column]
            raise ValueError(f"image pixels must be finite; row {row}, column {name!r} holds {values[row, column]}.")
        return values

    @property
    def _span(self):
        return (self.high_ - self.low_) or 1.0

    def encode(self, df):
        """``(pixels, codes)``: float32 pixels in ``[-1, 1]`` and an empty code matrix.

        Values outside the training range are an error naming the first one.
        """
        values = self._pixels(df)
        outside = (values < self.low_) | (values > self.high_)
        if outside.any():
            row, column = np.argwhere(outside)[0]
            name = df.columns.tolist()[column]
            raise ValueError(
                f"row {row}, column {name!r} holds {values[row, column]}, outside the pixel range "
                f"[{self.low_}, {self.high_}] seen during fit."
            )
        pixels = (2 * (values - self.low_) / self._span - 1).astype(np.float32)
        return pixels, np.empty((len(df), 0), dtype=np.int64)

    def fit_encode(self, df):
        """Fit on ``df`` and encode it: pixels are training rows as they are."""
        return self.fit(df).encode(df)

    def transform(self, df):
        """The same as :meth:`encode`: pixels are already their own dense encoding."""
        return self.encode(df)

    def inverse_transform(self, pixels, codes):
        """Pixels in ``[-1, 1]`` back to the training range, dtype and granularity, as a DataFrame."""
        values = (np.clip(np.asarray(pixels, dtype=np.float64), -1, 1) + 1) / 2 * self._span + self.low_
        values = np.clip(values, self.low_, self.high_)
        if self.integer_:
            values = np.round(values)
        frame = pd.DataFrame(values, columns=self.columns_)
        return frame.astype(dict(zip(self.columns_, self.dtypes_, strict=True)))

    def fingerprints(self, df):
        """A 64-bit hash of each image (all pixels as float64)."""
        return pd.util.hash_pandas_object(df.astype(np.float64), index=False).to_numpy()
