"""Conditional VAE with per-block likelihoods (the TVAE recipe)."""

import math
from functools import partial

import torch
from torch import nn
from torch.nn import functional as F

from ..training import Group, Phase
from .adjust import ROWS, fit_logit_offsets
from .conv import ConvEncoder, vector_decoder
from .data import one_hot
from .layers import GaussianContinuous, Heads, mlp, reconstruction_nll

_LOSS_FACTOR = 2.0
_PRIOR_CHUNK = 8192


def ledoit_wolf(x):
    """Ledoit-Wolf shrunk covariance of the rows of ``x`` (n, p), as scikit-learn's ``ledoit_wolf``.

    ``(1 - s) S + s mu I`` with ``S`` the empirical covariance, ``mu`` its
    mean eigenvalue and ``s`` the shrinkage that minimizes the expected
    squared error (Ledoit and Wolf, 2004). The Gram matrix and row norms are
    taken in ``x``'s dtype on its device, the rest in float64, which is
    what comes back.
    """
    n, p = x.shape
    centered = x - x.mean(dim=0)
    covariance = (centered.T @ centered).double() / n
    mu = covariance.diagonal().mean()
    target = mu * torch.eye(p, dtype=covariance.dtype, device=x.device)
    delta = (covariance - target).pow(2).sum() / p
    fourth = torch.linalg.vector_norm(centered, dim=1).double().pow(4).sum() / n
    beta = (fourth - covariance.pow(2).sum()) / (n * p)
    shrinkage = torch.where(delta > 0, torch.minimum(beta, delta) / delta, 0.0)
    return (1 - shrinkage) * covariance + shrinkage * target


class VAE(nn.Module):
    """Encoder ``q(z | x)``, decoder ``p(x | z, y)`` and a Gaussian sampling prior per class.

    The sampling prior starts as the standard normal; :meth:`fit_prior`
    replaces it by a Gaussian fitted to the posterior means of the training
    rows (ex-post density estimation), which closes the gap between the
    aggregate posterior and ``N(0, I)`` that makes plain VAE samples blurry.

    Continuous slots get a Gaussian likelihood with a learned standard
    deviation per column, one-hot blocks a categorical likelihood. The
    reconstruction term is weighted by 2, as in TVAE.

    With ``image_shape`` the encoder and decoder are convolutional
    (:mod:`.conv`), every slot is a pixel in ``[-1, 1]`` and ``sample``
    returns the decoder's mean image, not a draw with per-pixel noise.

    Training is one phase, ``"fit"``, followed by :meth:`fit_prior` when
    ``prior="fitted"`` and by the fit of an offset per category added to
    the sampled block logits, so that the category shares of rows drawn
    from the sampling prior match the training table's (logit adjustment,
    as in the GAN; the prior is only an approximation of where the
    training rows' latents lie).
    """

    def __init__(self, layout, n_classes, *, latent_dim, hidden_dims, prior, image_shape=None):
        super().__init__()
        self.heads = Heads(layout)
        self.n_classes = n_classes
        self.latent_dim = latent_dim
        self.fitted_prior = prior == "fitted"
        self.image_shape = image_shape
        if image_shape is None:
            self.encoder = nn.Sequential(mlp([layout.n_features, *hidden_dims]), nn.ReLU())
            width = hidden_dims[-1]
        else:
            features = ConvEncoder(image_shape)
            self.encoder = nn.Sequential(features, nn.Flatten())
            width = math.prod(features.out_shape)
        self.to_latent = nn.Linear(width, 2 * latent_dim)
        if image_shape is None:
            self.decoder = mlp([latent_dim + n_classes, *reversed(hidden_dims), layout.n_features])
        else:
            self.decoder = vector_decoder(latent_dim + n_classes, image_shape)
        self.gaussian = GaussianContinuous(layout.n_continuous)
        groups = max(n_classes, 1)
        self.register_buffer("prior_mean", torch.zeros(groups, latent_dim))
        self.register_buffer("prior_scale", torch.eye(latent_dim).repeat(groups, 1, 1))
        if layout.blocks:
            self.register_buffer("block_offsets", torch.zeros(layout.n_features - layout.n_continuous))

    def phases(self, data, rng):
        """The ``"fit"`` phase on ``data``, then :meth:`finish`."""
        step = partial(self.training_step, data=data, rng=rng)
        group = Group(tuple(self.parameters()), weight_decay=1e-5)
        return [Phase("fit", step, (group,), self, after=partial(self.finish, data, rng))]

    def finish(self, data, rng):
        """Fit the sampling prior when asked for, then the block logits' offsets to the training shares."""
        if self.fitted_prior:
            self.fit_prior(data.rows, data.classes)
        if self.heads.n_blocks:
            frequencies = torch.bincount(data.classes, minlength=max(self.n_classes, 1)).float()
            fit_logit_offsets(self.heads, self.block_offsets, data, partial(self._adjustment_rows, frequencies, rng))

    def _adjustment_rows(self, frequencies, rng):
        """Raw outputs of rows of classes drawn at their training frequencies; every logit counts."""
        return self._raw(torch.multinomial(frequencies, ROWS, replacement=True, generator=rng), rng), None

    def encode(self, x):
        """Posterior mean and log-variance."""
        mean, log_var = self.to_latent(self.encoder(x)).chunk(2, dim=1)
        return mean, log_var.clamp(-20, 10)

    def posterior_mean(self, x):
        """The posterior mean alone (half of the last encoder layer)."""
        rows = slice(0, self.latent_dim)
        return F.linear(self.encoder(x), self.to_latent.weight[rows], self.to_latent.bias[rows])

    def decode(self, z, labels):
        return self.decoder(torch.cat([z, labels], dim=1))

    def negative_elbo(self, x, labels, z, mean, log_var, reconstruction_weight=1.0):
        """Per-row negative ELBO for latent draw ``z``."""
        reconstruction = reconstruction_nll(self.heads, self.gaussian, self.decode(z, labels), x)
        kl = -0.5 * (1 + log_var - mean.pow(2) - log_var.exp()).sum(dim=1)
        return reconstruction_weight * reconstruction + kl

    def training_step(self, index, optimizer, *, data, rng):
        x = data.rows(index)
        mean, log_var = self.encode(x)
        z = mean + (0.5 * log_var).exp() * torch.randn(mean.shape, generator=rng, device=x.device)
        loss = self.negative_elbo(x, data.labels(index), z, mean, log_var, _LOSS_FACTOR).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"loss": loss}

    def score(self, x, classes):
        """Per-row ELBO with the latent at its posterior mean (deterministic)."""
        mean, log_var = self.encode(x)
        labels = one_hot(classes, self.n_classes, x.shape[0], x)
        return -self.negative_elbo(x, labels, mean, mean, log_var)

    @torch.no_grad()
    def fit_prior(self, rows, classes):
        """Fit a Gaussian per class to the posterior means of the training rows.

        ``rows(index)`` gives the encoded rows ``index``.

        Rows are encoded in class order, so each class's means are one
        contiguous slice. Covariances are Ledoit-Wolf shrunk; a class of one
        row borrows the covariance pooled over all rows.
        """
        order = torch.argsort(classes, stable=True)
        means = torch.cat([self.posterior_mean(rows(index)) for index in order.split(_PRIOR_CHUNK)])
        counts = torch.bincount(classes, minlength=self.prior_mean.shape[0]).tolist()
        identity = torch.eye(self.latent_dim, dtype=torch.float64, device=means.device)
        pooled = None
        for c, rows in enumerate(means.split(counts)):
            if len(rows) > 1:
                covariance = ledoit_wolf(rows)
            else:
                pooled = ledoit_wolf(means) if pooled is None else pooled
                covariance = pooled
            self.prior_mean[c] = rows.mean(dim=0)
            self.prior_scale[c] = torch.linalg.cholesky(covariance + 1e-6 * identity)

    def sample(self, classes, rng):
        """Continuous slots and block codes of ``len(classes)`` new rows."""
        raw = self._raw(classes, rng)
        if self.image_shape is not None:
            return self.heads.continuous(raw), self.heads.argmax_codes(raw)
        continuous = self.gaussian.sample(self.heads.continuous(raw), rng, self.heads.bounded)
        return continuous, self.heads.sample_codes(raw, rng)

    def _raw(self, classes, rng):
        """Decoder outputs at latents from the sampling prior, the block offsets added to the logits."""
        noise = torch.randn(classes.shape[0], self.latent_dim, generator=rng, device=classes.device)
        raw = self.decoder[1:](self._first_layer_on_prior(noise, classes))
        if not self.heads.n_blocks:
            return raw
        start = self.heads.n_continuous
        return torch.cat([raw[:, :start], raw[:, start:] + self.block_offsets], dim=1)

    def _first_layer_on_prior(self, noise, classes):
        """The decoder's first layer at ``z = mean_c + scale_c @ noise`` and class ``c``.

        The prior's affine map and the class one-hot are folded into the
        layer's weight and bias per class, so a row costs one product.
        """
        first = self.decoder[0]
        w_latent, w_label = first.weight.split([self.latent_dim, self.n_classes], dim=1)
        weights = w_latent @ self.prior_scale
        biases = self.prior_mean @ w_latent.T + first.bias + (w_label.T if self.n_classes else 0)
        present = classes.unique()
        if len(present) == 1:
            return torch.addmm(biases[present[0]], noise, weights[present[0]].T)
        out = noise.new_empty(noise.shape[0], first.out_features)
        for c in present:
            rows = classes == c
            out[rows] = torch.addmm(biases[c], noise[rows], weights[c].T)
        return out

    def transform(self, x):
        """Posterior mean."""
        return self.posterior_mean(x)

    def inverse_transform(self, z, classes):
        """Most likely row for each latent: means and argmax categories."""
        raw = self.decode(z, one_hot(classes, self.n_classes, z.shape[0], z))
        return self.heads.continuous(raw), self.heads.argmax_codes(raw)
