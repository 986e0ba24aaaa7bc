"""BaseGenerator: the scikit-learn plumbing every generator shares.

Validation, the encoder, device placement, seeding, chunked sampling and
persistence live here; a concrete generator names its model and its
parameters, and :func:`augment.training.train` runs the model's phases.
"""

import copy
import os
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._docstrings import fill
from ._seeds import seed_from, seeded
from ._validation import check_X
from ._version import FORMAT, __version__
from .encoding import TabularEncoder
from .images import PixelScaler, check_image_shape
from .models.data import TrainingData
from .sampling import SamplingStage
from .training import make_rng, train

_REDRAWS = 20


def chunk_rows(device):
    """Rows per forward pass when sampling, transforming or scoring on ``device``.

    4,096 on the CPU, where a chunk's activations stay in cache (100,000 GAN
    rows sampled 1.3x as fast as in chunks of 16,384), 16,384 elsewhere.
    """
    return 4096 if device.type == "cpu" else 16_384


def available_memory():
    """Bytes of memory free on this machine, or ``None`` where the system does not say."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _size(n_bytes):
    return f"{n_bytes / 2**30:,.1f} GiB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:,.1f} MiB"


def to_numpy(tensor):
    """``tensor`` as a numpy array: one copy from an accelerator, into pinned host memory."""
    if tensor.device.type == "cpu":
        return tensor.numpy()
    host = torch.empty(tensor.shape, dtype=tensor.dtype, device="cpu", pin_memory=True)
    return host.copy_(tensor).numpy()


def resolve_device(device):
    """``torch.device`` for ``'auto'``, ``'cpu'`` or ``'cuda'``; an error if CUDA is asked for and absent."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested, but CUDA is not available on this machine.")
    return torch.device(device)


class BaseGenerator(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Shared base of :class:`GANGenerator`, :class:`VAEGenerator` and :class:`VQVAEGenerator`.

    Subclasses set ``_model_class`` and implement ``_model_kwargs(n_rows)``
    and ``_latent_dim()`` (called once ``model_`` is set); ``_fitted(model)`` may read fitted attributes off
    the trained model. A model's phase ``"fit"`` runs for ``epochs``, any
    other phase ``<name>`` for the parameter ``<name>_epochs``. A line
    ``{shared:NAME}`` in a subclass's docstring takes the shared text of
    :mod:`augment._docstrings`.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__doc__:
            cls.__doc__ = fill(cls.__doc__)

    _parameter_constraints = {
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "discrete_columns": ["array-like", None],
        "max_categories": [Interval(Integral, 2, None, closed="left"), None],
        "continuous_transform": [StrOptions({"quantile", "mode"})],
        "rows_per_quantile": [Interval(Integral, 1, None, closed="left")],
        "calibrate_margins": ["boolean"],
        "smoothing": [Interval(Real, 0, None, closed="left")],
        "image_shape": ["array-like", None],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    image_shape = None
    """Overridden by the ``image_shape`` parameter of generators with a convolutional path."""

    smoothing = 0.0
    """Overridden by the ``smoothing`` parameter; a generator without it draws unsmoothed."""

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

    # ------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
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
                batch_size=self.batch_size,
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
        return {"fit": self.epochs, **{k[: -len(suffix)]: v for k, v in params.items() if k.endswith(suffix)}}

    def _fitted(self, model):
        """Read fitted attributes off the trained ``model``; none by default."""

    def _build_model(self, n_classes, device):
        """The model with its parameters and buffers created on ``device``."""
        with torch.device(device):
            return self._model_class(self.encoder_.layout_, n_classes, **self._model_config)

    @property
    def _n_classes(self):
        return len(self.classes_) if hasattr(self, "classes_") else 0

    # ---------------------------------------------------------------- sample
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

    def _next_seed(self):
        seed = np.random.SeedSequence(self._seed, spawn_key=(self._sample_calls,)).generate_state(1)[0]
        self._sample_calls += 1
        return int(seed >> 1)

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

    # ----------------------------------------------------------- persistence
    def __getstate__(self):
        state = dict(super().__getstate__())
        model = state.pop("model_", None)
        if model is not None:
            state["_model_state"] = {k: v.detach().cpu() for k, v in model.state_dict().items()}
            state["_device"] = str(self._device)
            state["_format"] = {"format": FORMAT, "augment": __version__, "torch": torch.__version__}
        return state

    def __setstate__(self, state):
        state = copy.copy(state)
        weights = state.pop("_model_state", None)
        super().__setstate__(state)
        if weights is None:
            return
        saved = state.get("_format", {})
        if saved.get("format") != FORMAT:
            raise ValueError(
                f"This {self._name} was saved by augment {saved.get('augment', 'before 0.1')} in model format "
                f"{saved.get('format', 0)}; augment {__version__} reads format {FORMAT} only. "
                "Refit it with this version, or load it with the version that saved it."
            )
        device = torch.device(state["_device"])
        if device.type == "cuda" and not torch.cuda.is_available():
            warnings.warn(
                f"This {self._name} was fit on {device}, but CUDA is not available; it is loaded on the CPU.",
                UserWarning,
                stacklevel=2,
            )
            device = torch.device("cpu")
        self._device = device
        with seeded(0, device):
            model = self._build_model(self._n_classes, device)
        model.load_state_dict(weights)
        self.model_ = model.eval()
