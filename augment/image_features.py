"""ImageFeatures: a small convolutional classifier whose last hidden layer embeds images for FID."""

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .base import _seeded, resolve_device, to_numpy
from .images import PixelScaler, check_image_shape
from .models.conv import ConvEncoder
from .training import make_rng

_HIDDEN = 128


class ImageFeatures(ClassifierMixin, TransformerMixin, BaseEstimator):
    """Convolutional classifier trained on real labelled images; ``transform`` gives its last hidden layer.

    The Fréchet Inception Distance compares images in the feature space of
    a network trained to classify them; no pretrained Inception network can
    be downloaded here, and 8x8 digits are not its domain anyway, so this
    trains a small one on the real images (strided convolutions sized to
    ``image_shape``, global average pooling, a 128-unit hidden layer).

    Parameters
    ----------
    image_shape : tuple of int
        ``(channels, height, width)`` of the flattened images.
    epochs : int, default=30
        Passes over the training images.
    batch_size : int, default=64
        Images per step.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where to train.
    random_state : int, default=0
        Seed of initialization and shuffling.

    Attributes
    ----------
    classes_ : ndarray
        Class labels seen in ``fit``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> net = ImageFeatures((1, 8, 8), epochs=2).fit(X, y)
    >>> net.transform(X[:5]).shape
    (5, 128)
    """

    def __init__(self, image_shape, epochs=30, batch_size=64, device="auto", random_state=0):
        self.image_shape = image_shape
        self.epochs = epochs
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state

    def _pixels(self, X):
        return torch.as_tensor(self.scaler_.encode(pd.DataFrame(np.asarray(X)))[0], device=self._device)

    def fit(self, X, y):
        """Train the classifier on images ``X`` with labels ``y``."""
        shape = check_image_shape(self.image_shape)
        self._device = resolve_device(self.device)
        self.scaler_ = PixelScaler(shape).fit(pd.DataFrame(np.asarray(X)))
        self.classes_, codes = np.unique(column_or_1d(y), return_inverse=True)
        x = self._pixels(X)
        targets = torch.as_tensor(codes, device=self._device)
        rng = make_rng(self.random_state, self._device)
        with _seeded(self.random_state, self._device), torch.device(self._device):
            features = ConvEncoder(shape)
            self.network_ = torch.nn.Sequential(
                features,
                torch.nn.AdaptiveAvgPool2d(1),
                torch.nn.Flatten(),
                torch.nn.Linear(features.out_channels, _HIDDEN),
                torch.nn.ReLU(),
                torch.nn.Linear(_HIDDEN, len(self.classes_)),
            )
        optimizer = torch.optim.Adam(self.network_.parameters(), lr=1e-3)
        self.network_.train()
        for _ in range(self.epochs):
            order = torch.randperm(len(x), generator=rng, device=self._device)
            for index in order.split(self.batch_size):
                loss = torch.nn.functional.cross_entropy(self.network_(x[index]), targets[index])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        self.network_.eval()
        return self

    def _forward(self, X, layers):
        check_is_fitted(self)
        with torch.inference_mode():
            return to_numpy(self.network_[:layers](self._pixels(X)))

    def transform(self, X):
        """Activations of the hidden layer, ``(n_samples, 128)``."""
        return self._forward(X, -1)

    def predict(self, X):
        """Most likely class of each image."""
        return self.classes_[self._forward(X, len(self.network_)).argmax(axis=1)]
