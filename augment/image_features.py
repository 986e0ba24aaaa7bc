"""ImageFeatures: a small convolutional classifier whose last hidden layer embeds images for FID."""

import copy
from numbers import Integral

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._devices import resolve_device, to_numpy
from ._seeds import seed_from, seeded
from .images import PixelScaler, check_image_shape
from .models.conv import ConvEncoder
from .training import Group, Phase, make_rng, train

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
    image_shape : tuple of int, default=None
        ``(channels, height, width)`` of the flattened images; ``None``
        reads each row as a one-pixel-high image ``(1, 1, n_features)``.
    epochs : int, default=30
        Passes over the training images.
    batch_size : int, default=64
        Images per step.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where to train.
    random_state : int, RandomState instance or None, default=0
        Seed of initialization and shuffling.

    Attributes
    ----------
    classes_ : ndarray
        Class labels seen in ``fit``.
    image_shape_ : tuple of int
        The image shape used.
    history_ : list of dict
        Mean cross-entropy per epoch.
    n_features_in_ : int
        Pixels per image.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> net = ImageFeatures((1, 8, 8), epochs=2).fit(X, y)
    >>> net.transform(X[:5]).shape
    (5, 128)
    """

    _parameter_constraints = {
        "image_shape": ["array-like", None],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "random_state": ["random_state"],
    }

    def __init__(self, image_shape=None, epochs=30, batch_size=64, device="auto", random_state=0):
        self.image_shape = image_shape
        self.epochs = epochs
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state

    def _encode(self, X):
        return torch.as_tensor(self.scaler_.encode(pd.DataFrame(X))[0], device=self._device)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the classifier on images ``X`` with labels ``y``."""
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_min_samples=2)
        check_classification_targets(y)
        shape = (1, 1, X.shape[1]) if self.image_shape is None else check_image_shape(self.image_shape)
        self.image_shape_ = shape
        self._device = resolve_device(self.device)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"ImageFeatures needs at least 2 classes to learn features, got 1 class: {self.classes_}.")
        self.scaler_ = PixelScaler(shape).fit(pd.DataFrame(X))
        x = self._encode(X)
        targets = torch.as_tensor(codes, device=self._device)
        seed = seed_from(self.random_state)
        rng = make_rng(seed, self._device)
        with seeded(seed, self._device):
            with torch.device(self._device):
                features = ConvEncoder(shape)
                self.network_ = torch.nn.Sequential(
                    features,
                    torch.nn.AdaptiveAvgPool2d(1),
                    torch.nn.Flatten(),
                    torch.nn.Linear(features.out_channels, _HIDDEN),
                    torch.nn.ReLU(),
                    torch.nn.Linear(_HIDDEN, len(self.classes_)),
                )

            def step(index, optimizer):
                loss = torch.nn.functional.cross_entropy(self.network_(x[index]), targets[index])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                return {"cross-entropy": loss}

            phase = Phase("fit", step, (Group(tuple(self.network_.parameters())),), self.network_)
            settings = {"learning_rate": 1e-3, "batch_size": self.batch_size, "rng": rng, "name": "ImageFeatures"}
            self.history_ = train(self.network_, [phase], len(x), epochs={"fit": self.epochs}, **settings)
        return self

    def _forward(self, X, layers):
        """The first ``layers`` layers on ``X``, in float64 so a row's result does not depend on its batch."""
        check_is_fitted(self)
        network = copy.deepcopy(self.network_[:layers]).double()
        with torch.inference_mode():
            return to_numpy(network(self._encode(validate_data(self, X, reset=False, dtype=np.float64)).double()))

    def transform(self, X):
        """Activations of the hidden layer, ``(n_samples, 128)``."""
        return self._forward(X, -1)

    def predict(self, X):
        """Most likely class of each image."""
        check_is_fitted(self)
        return self.classes_[self._forward(X, len(self.network_)).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags
