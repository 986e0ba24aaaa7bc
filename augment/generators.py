"""The three generators: parameters, their model, and what ``transform`` returns."""

from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import logsumexp
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._threads import with_threads
from .base import BaseGenerator
from .images import check_image_shape
from .models.conv import widths
from .models.conv_gan import ConvGAN
from .models.gan import GAN
from .models.vae import VAE
from .models.vqvae import VQVAE

_positive = [Interval(Integral, 1, None, closed="left")]
_dims = ["array-like"]


def _widths(name, value):
    """``value`` as a tuple of layer widths; an error naming ``name`` unless it is one or more positive integers."""
    widths = tuple(value)
    if not widths or not all(isinstance(w, Integral) and not isinstance(w, bool) and w >= 1 for w in widths):
        raise ValueError(f"{name} must be one or more positive integer layer widths, got {value!r}.")
    return tuple(int(w) for w in widths)


class GANGenerator(BaseGenerator):
    """Conditional Wasserstein GAN for tables (the CTGAN recipe).

    A generator with residual blocks turns noise and a condition into rows;
    categorical blocks come out of a Gumbel-softmax. A critic scores packs of
    ``pac`` rows (PacGAN) with a gradient penalty (WGAN-GP). Conditions cover
    the class label and, by training-by-sampling, the categorical columns, so
    rare categories are learned. Sampling uses an exponential moving average
    of the generator's weights over training rather than its last iterate
    (docs: Benchmarks, Quality; over three splits of breast_cancer it lowers the
    logistic detection AUC from 0.683 to 0.550). The category shares of the
    blocks a row is not conditioned on are brought to the training table's
    by logit offsets fitted after training.

    Parameters
    ----------
    epochs : int, default=300
        Passes over the training table.
    batch_size : int or "auto", default="auto"
        Rows per step; shrinks to the table (rounded to a multiple of
        ``pac``). ``"auto"``: 500 for tables, 64 for images.
    learning_rate : float, default=2e-4
        Adam step size of generator and critic.
    noise_dim : int, default=128
        Size of the generator's noise input.
    generator_dims : tuple of int, default=(256, 256)
        Widths of the generator's residual blocks.
    critic_dims : tuple of int, default=(256, 256)
        Widths of the critic's layers over packed rows; the per-row
        embedding before packing has the width of the first.
    pac : int, default=10
        Rows per critic pack.
    critic_steps : int or "auto", default="auto"
        Critic updates per generator update. ``"auto"``: 5 for tables, as in
        WGAN-GP (CTGAN uses 1, which lowered the downstream scores of this
        generator's rows on 15 tables), 1 for images.
    discrete_columns : list, default=None
        {shared:discrete_columns}
    max_categories : int or None, default=1000
        {shared:max_categories}
    continuous_transform : {"quantile", "whitened", "mode"}, default="quantile"
        {shared:continuous_transform}
        Quantile here: whitened columns lowered this generator's boosting
        balanced accuracy on 15 tables (docs: Benchmarks, 50 tables, Which sampling layers earn their place).
    rows_per_quantile : int, default=4
        {shared:rows_per_quantile}
    calibrate_margins : bool, default=True
        {shared:calibrate_margins}
    smoothing : float, default=0.2
        {shared:smoothing}
    image_shape : tuple of int, default=None
        {shared:image_shape}
        A DCGAN generator and a spectrally normalized projection critic
        with the hinge loss (``generator_dims``, ``critic_dims`` and ``pac``
        apply to tables only).
    {shared:tail_parameters}

    Attributes
    ----------
    {shared:head_attributes}
    history_ : list of dict
        Mean critic and generator losses per epoch.
    {shared:sampling_attributes}
    {shared:tail_attributes}

    See Also
    --------
    VAEGenerator : Faster to train, usually closer to the data on small tables.

    References
    ----------
    Xu et al., "Modeling Tabular Data using Conditional GAN", NeurIPS 2019.
    Yazici et al., "The Unusual Effectiveness of Averaging in GAN Training", ICLR 2019.
    Menon et al., "Long-tail learning via logit adjustment", ICLR 2021.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from augment import GANGenerator
    >>> X, y = load_iris(return_X_y=True, as_frame=True)
    >>> gen = GANGenerator(epochs=2, random_state=0).fit(X, y)
    >>> X_new, y_new = gen.sample(y={0: 5, 2: 5})
    >>> X_new.shape, y_new.tolist()
    ((10, 4), [0, 0, 0, 0, 0, 2, 2, 2, 2, 2])
    >>> gen.transform(X).shape
    (150, 256)
    """

    _parameter_constraints = {
        **BaseGenerator._parameter_constraints,
        "noise_dim": _positive,
        "generator_dims": _dims,
        "critic_dims": _dims,
        "pac": _positive,
        "critic_steps": [*_positive, StrOptions({"auto"})],
    }

    _auto = {"batch_size": (500, 64), "critic_steps": (5, 1)}

    @property
    def _model_class(self):
        return GAN if self.image_shape is None else ConvGAN

    def __init__(
        self,
        epochs=300,
        batch_size="auto",
        learning_rate=2e-4,
        noise_dim=128,
        generator_dims=(256, 256),
        critic_dims=(256, 256),
        pac=10,
        critic_steps="auto",
        discrete_columns=None,
        max_categories=1000,
        continuous_transform="quantile",
        rows_per_quantile=4,
        calibrate_margins=True,
        smoothing=0.2,
        image_shape=None,
        device="auto",
        n_threads=None,
        random_state=None,
        verbose=False,
    ):
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.noise_dim = noise_dim
        self.generator_dims = generator_dims
        self.critic_dims = critic_dims
        self.pac = pac
        self.critic_steps = critic_steps
        self.discrete_columns = discrete_columns
        self.max_categories = max_categories
        self.continuous_transform = continuous_transform
        self.rows_per_quantile = rows_per_quantile
        self.calibrate_margins = calibrate_margins
        self.smoothing = smoothing
        self.image_shape = image_shape
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def _model_kwargs(self, n_rows):
        if self.image_shape is not None:
            shape = check_image_shape(self.image_shape)
            return {"image_shape": shape, "noise_dim": self.noise_dim, "critic_steps": self._resolved("critic_steps")}
        pac = min(self.pac, n_rows)
        return {
            "noise_dim": self.noise_dim,
            "generator_dims": _widths("generator_dims", self.generator_dims),
            "critic_dims": _widths("critic_dims", self.critic_dims),
            "pac": pac,
            "critic_steps": self._resolved("critic_steps"),
        }

    def _latent_dim(self):
        return self.critic_dims[0] if self.image_shape is None else widths(self.image_shape)[-1]


class _AutoencoderMixin:
    """``inverse_transform`` for generators with a decoder."""

    @with_threads
    def inverse_transform(self, X, y=None):
        """Decode latent rows back into the data space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out)
            Latent rows, as returned by ``transform``.
        y : array-like of shape (n_samples,), default=None
            Labels to decode with; required when the generator was fit with ``y``.

        Returns
        -------
        X_original : DataFrame or ndarray
            The most likely row for each latent.
        """
        check_is_fitted(self)
        Z = np.asarray(X, dtype=np.float32)
        if Z.ndim != 2 or Z.shape[1] != self._n_features_out:
            raise ValueError(f"X must have shape (n_samples, {self._n_features_out}), got {Z.shape}.")
        if self._n_classes and y is None:
            raise ValueError(f"{self._name} was fit with y; inverse_transform needs y to decode.")
        z = torch.as_tensor(Z, device=self._device)
        continuous, codes = self._batched("inverse_transform", z, self._row_classes(y, len(Z)))
        return self._to_output(self.encoder_.inverse_transform(continuous, codes))


class VAEGenerator(_AutoencoderMixin, BaseGenerator):
    """Conditional variational autoencoder for tables (the TVAE recipe).

    Continuous columns get a Gaussian likelihood with a learned standard
    deviation, categorical blocks a categorical likelihood; the decoder is
    conditioned on the class label when fit with ``y``. Offsets added to the
    sampled category logits, fitted after training, bring the category and
    missing-value shares of sampled rows to the training table's.

    Parameters
    ----------
    epochs : int, default=300
        Passes over the training table.
    batch_size : int or "auto", default="auto"
        Rows per step; shrinks to the table when it is smaller. ``"auto"``:
        500, for tables and images.
    learning_rate : float, default=1e-3
        Adam step size.
    latent_dim : int, default=128
        Size of the latent space.
    hidden_dims : tuple of int, default=(128, 128)
        Widths of the encoder's hidden layers (the decoder mirrors them).
    prior : {"fitted", "standard"}, default="fitted"
        Where ``sample`` draws latents from. ``"fitted"``: a Gaussian per
        class fitted after training to the posterior means of the training
        rows (ex-post density estimation, Ghosh et al. 2020), which follows
        the data far more closely on small tables. ``"standard"``: ``N(0, I)``.
    discrete_columns : list, default=None
        {shared:discrete_columns}
    max_categories : int or None, default=1000
        {shared:max_categories}
    continuous_transform : {"quantile", "whitened", "mode"}, default="quantile"
        {shared:continuous_transform}
    rows_per_quantile : int, default=1
        {shared:rows_per_quantile}
        Here 1: 4 lowered this generator's detection AUC on the mixed table
        but also the balanced accuracy of classifiers trained on its rows.
    calibrate_margins : bool, default=True
        {shared:calibrate_margins}
    smoothing : float, default=0.2
        {shared:smoothing}
    image_shape : tuple of int, default=None
        {shared:image_shape}
        ``hidden_dims`` applies to tables only.
    {shared:tail_parameters}

    Attributes
    ----------
    {shared:head_attributes}
    history_ : list of dict
        Mean loss per epoch.
    {shared:sampling_attributes}
    {shared:tail_attributes}

    See Also
    --------
    VQVAEGenerator : Discrete latent codes with a learned prior.

    References
    ----------
    Xu et al., "Modeling Tabular Data using Conditional GAN", NeurIPS 2019 (TVAE).

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from augment import VAEGenerator
    >>> X, _ = load_wine(return_X_y=True, as_frame=True)
    >>> gen = VAEGenerator(epochs=2, random_state=0).fit(X)
    >>> gen.sample(3).shape
    (3, 13)
    >>> gen.transform(X).shape, gen.score_samples(X).shape
    ((178, 128), (178,))
    """

    _parameter_constraints = {
        **BaseGenerator._parameter_constraints,
        "latent_dim": _positive,
        "hidden_dims": _dims,
        "prior": [StrOptions({"fitted", "standard"})],
    }
    _model_class = VAE

    def __init__(
        self,
        epochs=300,
        batch_size="auto",
        learning_rate=1e-3,
        latent_dim=128,
        hidden_dims=(128, 128),
        prior="fitted",
        discrete_columns=None,
        max_categories=1000,
        continuous_transform="quantile",
        rows_per_quantile=1,
        calibrate_margins=True,
        smoothing=0.2,
        image_shape=None,
        device="auto",
        n_threads=None,
        random_state=None,
        verbose=False,
    ):
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.latent_dim = latent_dim
        self.hidden_dims = hidden_dims
        self.prior = prior
        self.discrete_columns = discrete_columns
        self.max_categories = max_categories
        self.continuous_transform = continuous_transform
        self.rows_per_quantile = rows_per_quantile
        self.calibrate_margins = calibrate_margins
        self.smoothing = smoothing
        self.image_shape = image_shape
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def _model_kwargs(self, n_rows):
        return {
            "latent_dim": self.latent_dim,
            "hidden_dims": _widths("hidden_dims", self.hidden_dims),
            "prior": self.prior,
            "image_shape": None if self.image_shape is None else check_image_shape(self.image_shape),
        }

    def _latent_dim(self):
        return self.latent_dim

    @with_threads
    def score_samples(self, X, y=None):
        """Evidence lower bound of each row (higher means more typical).

        The latent is taken at its posterior mean, so scores are deterministic.
        For a generator fit with ``y`` and scored without it, the class is
        marginalized: ``log sum_c p(c) exp(ELBO(x | c))``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features_in_)
        y : array-like of shape (n_samples,), default=None
            Labels of the rows, to score ``x`` given its label.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        x = self._encode(X)
        if not self._n_classes or y is not None:
            return self._batched("score", x, self._row_classes(y, len(x)))
        log_prior = np.log(self._class_counts / self._class_counts.sum())
        per_class = [
            self._batched("score", x, torch.full((len(x),), c, device=self._device)) + log_prior[c]
            for c in range(self._n_classes)
        ]
        return logsumexp(np.column_stack(per_class), axis=1)


class VQVAEGenerator(_AutoencoderMixin, BaseGenerator):
    """Vector-quantized autoencoder for tables, sampled through a learned prior.

    The encoder maps a row to ``n_slots`` latents, each replaced by its
    nearest code in the slot's codebook (updated by moving averages, with
    unused codes restarted). A causal transformer learns the distribution of
    code sequences, conditional on the class; sampling draws codes from it
    and decodes them.

    Parameters
    ----------
    epochs : int or "auto", default="auto"
        Passes over the table to train the autoencoder. ``"auto"``: 300 for
        tables, 100 for images.
    batch_size : int or "auto", default="auto"
        Rows per step; shrinks to the table when it is smaller. ``"auto"``:
        500 for tables, 128 for images.
    learning_rate : float, default=1e-3
        Adam step size of autoencoder and prior.
    n_slots : int, default=8
        Latent slots per row.
    codebook_size : int, default=64
        Codes per slot.
    code_dim : int, default=16
        Size of each code vector.
    hidden_dims : tuple of int, default=(128, 128)
        Widths of the encoder's hidden layers (the decoder mirrors them).
    commitment : float, default=0.25
        Weight of the commitment loss.
    prior_epochs : int or "auto", default="auto"
        Passes over the table to train the prior on the learned codes.
        ``"auto"``: 300 for tables, 600 for images.
    prior_temperature : float, default=1.0
        Divides the prior's logits when sampling codes (fixed at fit, as
        is ``prior_copies_``). Above 1 the drawn code sequences spread
        beyond the training rows' own, so fewer rows are training rows
        redrawn; 1.5 is worth it when the rows are shared, 2 is too far
        (five-split measurements in docs: Benchmarks, Quality).
    discrete_columns : list, default=None
        {shared:discrete_columns}
    max_categories : int or None, default=1000
        {shared:max_categories}
    continuous_transform : {"quantile", "whitened", "mode"}, default="whitened"
        {shared:continuous_transform}
        Whitened here: on 50 tables it lowered this generator's detection
        AUC and raised boosting average precision (docs: Benchmarks, 50 tables, Which sampling layers earn their place).
    rows_per_quantile : int, default=1
        {shared:rows_per_quantile}
        Here 1: 4 left this generator's detection AUC level.
    calibrate_margins : bool, default=False
        {shared:calibrate_margins}
        Off here: this generator redraws training rows' codes, so its
        marginals are the training ones already, and mapping raised its
        detection AUC on one table of two.
    smoothing : float, default=0.0
        {shared:smoothing}
        Off here: on 50 tables it left detection level and lowered the
        logistic regression's balanced accuracy (docs: Benchmarks, 50 tables, Which sampling layers earn their place).
    image_shape : tuple of int, default=None
        {shared:image_shape}
        The encoder's last feature map is a grid of slots, one codebook each (``n_slots`` and
        ``hidden_dims`` apply to tables only).
    {shared:tail_parameters}

    Attributes
    ----------
    {shared:head_attributes}
    history_ : list of dict
        Mean losses per epoch, autoencoder phase then prior phase.
    {shared:sampling_attributes}
    codebook_usage_ : ndarray of shape (n_slots,)
        Share of each slot's codes used by the training rows.
    prior_copies_ : float
        Share of 1,024 code sequences drawn from the fitted prior (classes
        at their training frequencies) that are exactly a training row's
        sequence. Near 1, ``sample`` mostly redraws training rows through
        the decoder: on tables of a few hundred rows it is about 0.85 at
        the defaults (docs: Benchmarks, Quality); check ``augment.metrics.privacy``
        before sharing such rows.
    {shared:tail_attributes}

    References
    ----------
    van den Oord et al., "Neural Discrete Representation Learning", NeurIPS 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from augment import VQVAEGenerator
    >>> X, y = load_iris(return_X_y=True)
    >>> gen = VQVAEGenerator(epochs=2, prior_epochs=2, random_state=0).fit(X, y)
    >>> X_new, y_new = gen.sample(6)
    >>> X_new.shape, y_new.shape, gen.transform(X).shape
    ((6, 4), (6,), (150, 128))
    """

    _parameter_constraints = {
        **BaseGenerator._parameter_constraints,
        "n_slots": _positive,
        "codebook_size": [Interval(Integral, 2, None, closed="left")],
        "code_dim": _positive,
        "hidden_dims": _dims,
        "commitment": [Interval(Real, 0, None, closed="left")],
        "epochs": [*_positive, StrOptions({"auto"})],
        "prior_epochs": [*_positive, StrOptions({"auto"})],
        "prior_temperature": [Interval(Real, 0, None, closed="neither")],
    }
    _model_class = VQVAE
    _auto = {"batch_size": (500, 128), "epochs": (300, 100), "prior_epochs": (300, 600)}

    def __init__(
        self,
        epochs="auto",
        batch_size="auto",
        learning_rate=1e-3,
        n_slots=8,
        codebook_size=64,
        code_dim=16,
        hidden_dims=(128, 128),
        commitment=0.25,
        prior_epochs="auto",
        prior_temperature=1.0,
        discrete_columns=None,
        max_categories=1000,
        continuous_transform="whitened",
        rows_per_quantile=1,
        calibrate_margins=False,
        smoothing=0.0,
        image_shape=None,
        device="auto",
        n_threads=None,
        random_state=None,
        verbose=False,
    ):
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.n_slots = n_slots
        self.codebook_size = codebook_size
        self.code_dim = code_dim
        self.hidden_dims = hidden_dims
        self.commitment = commitment
        self.prior_epochs = prior_epochs
        self.prior_temperature = prior_temperature
        self.discrete_columns = discrete_columns
        self.max_categories = max_categories
        self.continuous_transform = continuous_transform
        self.rows_per_quantile = rows_per_quantile
        self.calibrate_margins = calibrate_margins
        self.smoothing = smoothing
        self.image_shape = image_shape
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def _model_kwargs(self, n_rows):
        return {
            "n_slots": self.n_slots,
            "codebook_size": self.codebook_size,
            "code_dim": self.code_dim,
            "hidden_dims": _widths("hidden_dims", self.hidden_dims),
            "commitment": self.commitment,
            "prior_temperature": self.prior_temperature,
            "image_shape": None if self.image_shape is None else check_image_shape(self.image_shape),
        }

    def _fitted(self, model):
        self.codebook_usage_ = model.codebook_usage.cpu().numpy()
        self.prior_copies_ = float(model.prior_copies)

    def _latent_dim(self):
        return self.model_.n_slots * self.code_dim
