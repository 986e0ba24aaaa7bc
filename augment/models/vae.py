"""Conditional VAE with per-block likelihoods (the TVAE recipe)."""

import numpy as np
import torch
from sklearn.covariance import ledoit_wolf
from torch import nn

from .data import one_hot
from .layers import GaussianContinuous, Heads, mlp

_LOSS_FACTOR = 2.0


class VAE(nn.Module):
    """Encoder ``q(z | x)``, decoder ``p(x | z, y)`` and a Gaussian sampling prior per class.

    The sampling prior starts as the standard normal; :meth:`fit_prior`
    replaces it by a Gaussian fitted to the posterior means of the training
    rows (ex-post density estimation), which closes the gap between the
    aggregate posterior and ``N(0, I)`` that makes plain VAE samples blurry.

    Continuous slots get a Gaussian likelihood with a learned standard
    deviation per column, one-hot blocks a categorical likelihood. The
    reconstruction term is weighted by 2, as in TVAE.
    """

    def __init__(self, layout, n_classes, latent_dim=128, hidden_dims=(128, 128)):
        super().__init__()
        self.heads = Heads(layout)
        self.n_classes = n_classes
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(mlp([layout.n_features, *hidden_dims]), nn.ReLU())
        self.to_latent = nn.Linear(hidden_dims[-1], 2 * latent_dim)
        self.decoder = mlp([latent_dim + n_classes, *reversed(hidden_dims), layout.n_features])
        self.gaussian = GaussianContinuous(layout.n_continuous)
        groups = max(n_classes, 1)
        self.register_buffer("prior_mean", torch.zeros(groups, latent_dim))
        self.register_buffer("prior_scale", torch.eye(latent_dim).repeat(groups, 1, 1))

    def configure_optimizers(self, learning_rate):
        self._optimizers = (torch.optim.Adam(self.parameters(), lr=learning_rate, weight_decay=1e-5, fused=True),)

    def encode(self, x):
        """Posterior mean and log-variance."""
        mean, log_var = self.to_latent(self.encoder(x)).chunk(2, dim=1)
        return mean, log_var.clamp(-20, 10)

    def decode(self, z, labels):
        return self.decoder(torch.cat([z, labels], dim=1))

    def negative_elbo(self, x, codes, labels, z, mean, log_var, reconstruction_weight=1.0):
        """Per-row negative ELBO for latent draw ``z``."""
        raw = self.decode(z, labels)
        n_cont = self.heads.n_continuous
        reconstruction = self.gaussian.nll(self.heads.continuous(raw), x[:, :n_cont]) + self.heads.cross_entropy(
            raw, codes
        )
        kl = -0.5 * (1 + log_var - mean.pow(2) - log_var.exp()).sum(dim=1)
        return reconstruction_weight * reconstruction + kl

    def training_step(self, index, data, rng):
        (optimizer,) = self._optimizers
        x = data.x[index]
        mean, log_var = self.encode(x)
        z = mean + (0.5 * log_var).exp() * torch.randn(mean.shape, generator=rng, device=x.device)
        loss = self.negative_elbo(x, data.codes[index], data.labels(index), z, mean, log_var, _LOSS_FACTOR).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss}

    def score(self, x, codes, classes):
        """Per-row ELBO with the latent at its posterior mean (deterministic)."""
        mean, log_var = self.encode(x)
        labels = one_hot(classes, self.n_classes, x.shape[0], x)
        return -self.negative_elbo(x, codes, labels, mean, mean, log_var)

    @torch.no_grad()
    def fit_prior(self, x, classes):
        """Fit a Gaussian per class to the posterior means of rows ``x``.

        Covariances are Ledoit-Wolf shrunk; a class of one row borrows the
        covariance pooled over all rows.
        """
        means = self.encode(x)[0].double().cpu().numpy()
        classes = classes.cpu().numpy()
        pooled = ledoit_wolf(means)[0]
        for c in range(self.prior_mean.shape[0]):
            rows = means[classes == c]
            covariance = ledoit_wolf(rows)[0] if len(rows) > 1 else pooled
            covariance = covariance + 1e-6 * np.eye(len(covariance))
            self.prior_mean[c] = torch.as_tensor(rows.mean(axis=0))
            self.prior_scale[c] = torch.as_tensor(np.linalg.cholesky(covariance))

    def sample(self, classes, rng):
        """Continuous slots and block codes of ``len(classes)`` new rows."""
        labels = one_hot(classes, self.n_classes, classes.shape[0], self.gaussian.log_sigma)
        noise = torch.randn(classes.shape[0], self.latent_dim, generator=rng, device=classes.device)
        z = torch.empty_like(noise)
        for c in range(self.prior_mean.shape[0]):
            rows = classes == c
            z[rows] = self.prior_mean[c] + noise[rows] @ self.prior_scale[c].T
        raw = self.decode(z, labels)
        continuous = self.gaussian.sample(self.heads.continuous(raw), rng, self.heads.bounded)
        return continuous, self.heads.sample_codes(raw, rng)

    def transform(self, x):
        """Posterior mean."""
        return self.encode(x)[0]

    def inverse_transform(self, z, classes):
        """Most likely row for each latent: means and argmax categories."""
        raw = self.decode(z, one_hot(classes, self.n_classes, z.shape[0], z))
        return self.heads.continuous(raw), self.heads.argmax_codes(raw)
