"""BaseGenerator: the scikit-learn plumbing every generator shares.

Fit (validation, the encoder, the model's training, the sampling stage),
chunked sampling and transforms live here; labels (``_labels``), copy
rejection (``_copies``) and pickling (``_pickling``) are mixed in from their
own modules. A concrete generator names its model and its parameters, and
:func:`augment.training.train` runs the model's phases.
"""

import copy
from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._copies import CopiesMixin
from ._devices import chunk_rows, resolve_device, to_numpy
from ._docstrings import fill
from ._labels import LabelsMixin
from ._pickling import PicklingMixin
from ._seeds import seed_from, seeded
from ._threads import with_threads
from ._validation import check_X
from .encoding import TRANSFORMS, TabularEncoder
from .images import PixelScaler, check_image_shape
from .models.data import TrainingData
from .sampling import SamplingStage
from .training import make_rng, train


class BaseGenerator(
    PicklingMixin, CopiesMixin, LabelsMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Shared base of the generators (:class:`~augment.GANGenerator`, :class:`~augment.VAEGenerator`,
    :class:`~augment.VQVAEGenerator`).

    Subclasses set ``_model_class`` and implement ``_model_kwargs(n_rows)``
    and ``_latent_dim()`` (called once ``model_`` is set); ``_fitted(model)`` may read fitted attributes off
    the trained model. A model's phase ``"fit"`` runs for ``epochs``, any
    other phase ``<name>`` for the parameter ``<name>_epochs``. A line
    ``{shared:NAME}`` in a subclass's docstring takes the shared text of
    ``augment._docstrings``.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__doc__:
            cls.__doc__ = fill(cls.__doc__)

    _parameter_constraints = {
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "discrete_columns": ["array-like", None],
        "max_categories": [Interval(Integral, 2, None, closed="left"), None],
        "continuous_transform": [StrOptions(TRANSFORMS)],
        "rows_per_quantile": [Interval(Integral, 1, None, closed="left")],
        "calibrate_margins": ["boolean"],
        "smoothing": [Interval(Real, 0, None, closed="left")],
        "image_shape": ["array-like", None],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    image_shape = None
    """Overridden by the ``image_shape`` parameter of generators with a convolutional path."""

    smoothing = 0.0
    """Overridden by the ``smoothing`` parameter; a generator without it draws unsmoothed."""

    n_threads = None
    """Overridden by the ``n_threads`` parameter; a generator without it runs on the free CPUs."""

    _auto = {"batch_size": (500, 500)}
    """``{parameter: (value for tables, value for images)}``: what ``"auto"`` means, by ``image_shape``."""

    def _resolved(self, name):
        """The value of parameter ``name``, with ``"auto"`` read from ``_auto`` for tables or images."""
        value = getattr(self, name)
        if isinstance(value, str) and value == "auto":
            return self._auto[name][self.image_shape is not None]
        return value

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.target_tags.required = False
        return tags

    @property
    def _name(self):
        return type(self).__name__

    # ----------------------------------------------------------------- input
    def _validate_X(self, X, reset):
        """``X`` as a DataFrame; at fit, the dtype ``sample`` returns (``None``: a DataFrame)."""
        checked = check_X(self, X, reset=reset, min_rows=2 if reset else 1)
        if isinstance(checked, pd.DataFrame):
            if reset:
                self._output_dtype = None
            return checked
        if reset:
            self._output_dtype = checked.dtype
        return pd.DataFrame(checked)

    # ------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    @with_threads
    def fit(self, X, y=None):
        """Learn the joint distribution of ``X`` (conditional on class labels ``y``).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training table. Missing values are learned and reproduced.
        y : array-like of shape (n_samples,), default=None
            Class labels to condition on; ``sample`` then returns ``(X, y)``.

        Returns
        -------
        self : object
        """
        frame = self._validate_X(X, reset=True)
        labels = self._validate_y(y, len(frame))
        if hasattr(self, "classes_") and labels is None:
            del self.classes_
        self._device = resolve_device(self.device)
        self._seed = seed_from(self.random_state)
        self._sample_calls = 0
        self.encoder_ = self._make_encoder()
        continuous, codes = self.encoder_.fit_encode(frame)
        self._fingerprints = np.unique(self.encoder_.fingerprints(frame))
        n_classes = 0 if labels is None else len(self.classes_)
        self._class_counts = None if labels is None else np.bincount(labels, minlength=n_classes)
        layout = self.encoder_.layout_
        data = TrainingData(
            torch.as_tensor(continuous, device=self._device),
            torch.as_tensor(codes, device=self._device),
            None if labels is None else torch.as_tensor(labels, device=self._device),
            n_classes,
            torch.as_tensor(layout.offsets, device=self._device),
            layout.n_features,
        )
        self._model_config = self._model_kwargs(len(frame))
        rng = make_rng(self._seed, self._device)
        with seeded(self._seed, self._device):
            model = self._build_model(n_classes, self._device)
            self.history_ = train(
                model,
                model.phases(data, rng),
                data.n_rows,
                epochs=self._phase_epochs(),
                learning_rate=self.learning_rate,
                batch_size=self._resolved("batch_size"),
                rng=rng,
                name=self._name,
                verbose=self.verbose,
            )
        self._fitted(model)
        self.model_ = model
        self._n_features_out = self._latent_dim()
        self.sampling_ = self._fit_sampling(frame, continuous, codes, labels)
        return self

    def _fit_sampling(self, frame, continuous, codes, labels):
        """The :class:`~augment.sampling.SamplingStage` of a table, fit on the model's own draws; ``None`` for images.

        Parameters are read here: ``set_params`` after ``fit`` leaves the
        fitted generator's samples as they are.
        """
        if self.image_shape is not None:
            return None
        groups = np.zeros(len(frame), dtype=np.int64) if labels is None else labels
        stage = SamplingStage(self.smoothing, self.calibrate_margins)
        return stage.fit(self.encoder_, frame, continuous, codes, groups, max(self._n_classes, 1), self._draw_encoded)

    def _make_encoder(self):
        """A :class:`PixelScaler` for images (``image_shape``), else a :class:`TabularEncoder`."""
        if self.image_shape is None:
            discrete = [] if self.discrete_columns is None else list(self.discrete_columns)
            return TabularEncoder(
                discrete,
                self.continuous_transform,
                self.rows_per_quantile,
                max_categories=self.max_categories,
                random_state=self._seed,
            )
        if self.discrete_columns is not None:
            raise ValueError("discrete_columns applies to tables; with image_shape every column is a pixel.")
        return PixelScaler(check_image_shape(self.image_shape))

    def _phase_epochs(self):
        """Epochs of each training phase: ``epochs`` for ``"fit"``, ``<name>_epochs`` for phase ``<name>``."""
        suffix = "_epochs"
        params = self.get_params(deep=False)
        phases = {"fit": "epochs", **{k[: -len(suffix)]: k for k in params if k.endswith(suffix)}}
        return {phase: self._resolved(name) for phase, name in phases.items()}

    def _fitted(self, model):
        """Read fitted attributes off the trained ``model``; none by default."""

    def _build_model(self, n_classes, device):
        """The model with its parameters and buffers created on ``device``."""
        with torch.device(device):
            return self._model_class(self.encoder_.layout_, n_classes, **self._model_config)

    # ---------------------------------------------------------------- sample
    def _next_seed(self):
        seed = np.random.SeedSequence(self._seed, spawn_key=(self._sample_calls,)).generate_state(1)[0]
        self._sample_calls += 1
        return int(seed >> 1)

    @with_threads
    def sample(self, n_samples=None, y=None, *, reject_copies=False):
        """Draw new rows.

        Parameters
        ----------
        n_samples : int, default=None
            Number of rows. May be left out when ``y`` says how many.
        y : dict or array-like, default=None
            Only for a generator fit with ``y``: ``{label: count}`` or one
            label per row to draw. By default labels follow their training
            frequencies.
        reject_copies : bool, default=False
            Replace every drawn row whose values equal a training row's (all
            columns, compared by a 64-bit fingerprint of each training row)
            with a fresh draw of the same class, up to 20 rounds; a
            ``ValueError`` if copies remain after that.

        Returns
        -------
        X : DataFrame or ndarray
            New rows with the training columns, dtypes and categories.
        y : ndarray or Series
            Their labels; returned only when the generator was fit with ``y``.
            Rows come grouped in the order the labels were asked for.
        """
        check_is_fitted(self)
        classes = self._class_codes(n_samples, y)
        frame = self._draw(classes)
        if reject_copies:
            frame = self._replace_copies(frame, classes)
        X = self._to_output(frame)
        if not self._n_classes:
            return X
        labels = self.classes_[classes]
        if isinstance(X, pd.DataFrame):
            return X, pd.Series(labels, name=self._target_name)
        return X, labels

    def _draw(self, classes):
        """Decoded rows for the class codes ``classes``, as a DataFrame typed like the training table."""
        continuous, codes = self._draw_encoded(classes)
        if self.sampling_ is None:
            return self.encoder_.inverse_transform(continuous, codes)
        seed = self._next_seed() if self.sampling_.smoothing else None
        return self.sampling_.decode(self.encoder_, continuous, codes, np.asarray(classes), seed)

    def _draw_encoded(self, classes):
        """Continuous slots and block codes of rows drawn for the class codes ``classes``."""
        seed = self._next_seed()
        rng = make_rng(seed, self._device)
        with seeded(seed, self._device), torch.inference_mode():
            chunks = torch.as_tensor(classes, device=self._device).split(chunk_rows(self._device))
            values, codes = zip(*(self.model_.sample(chunk, rng) for chunk in chunks), strict=True)
            return to_numpy(torch.cat(values).float()), to_numpy(torch.cat(codes))

    def _to_output(self, frame):
        if self._output_dtype is None:
            return frame
        return frame.to_numpy(dtype=self._output_dtype)

    # ------------------------------------------------------------- transform
    def _encode(self, X):
        check_is_fitted(self)
        frame = self._validate_X(X, reset=False)
        frame.columns = self.encoder_.columns_
        return torch.as_tensor(self.encoder_.transform(frame)[0], device=self._device)

    def _batched(self, method, *tensors):
        """Run ``model_.<method>`` in float64 over chunks, back as numpy.

        Float64 makes each row's result independent of the batch it is
        computed in (float32 matrix products are not), as scikit-learn's
        invariance checks and users comparing row by row expect.
        """
        model = copy.deepcopy(self.model_).double()
        fn = getattr(model, method)
        tensors = [t.double() if t.is_floating_point() else t for t in tensors]
        with torch.inference_mode():
            step = chunk_rows(self._device)
            parts = [fn(*(t[i : i + step] for t in tensors)) for i in range(0, tensors[0].shape[0], step)]
        if isinstance(parts[0], tuple):
            return tuple(to_numpy(torch.cat(p)) for p in zip(*parts, strict=True))
        return to_numpy(torch.cat(parts))

    @with_threads
    def transform(self, X):
        """Learned per-row representation of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_features_out)
        """
        x = self._encode(X)
        return self._batched("transform", x)
