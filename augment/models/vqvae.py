"""VQ-VAE over several latent slots, sampled through a learned autoregressive prior."""

import torch
from torch import nn

from .data import one_hot
from .layers import GaussianContinuous, Heads, mlp, reconstruction_nll
from .optim import FlatAdam
from .prior import CodePrior
from .quantizer import EMAQuantizer


class VQVAE(nn.Module):
    """Encoder into ``n_slots`` latents, EMA quantizer, decoder ``p(x | codes, y)``, prior ``p(codes | y)``.

    Training has two phases sharing the loop: the autoencoder (reconstruction
    plus commitment), then the prior on the codes of the trained encoder.
    """

    def __init__(
        self,
        layout,
        n_classes,
        n_slots=8,
        codebook_size=64,
        code_dim=16,
        hidden_dims=(128, 128),
        commitment=0.25,
        prior_dim=64,
        prior_layers=2,
    ):
        super().__init__()
        self.heads = Heads(layout)
        self.n_classes = n_classes
        self.n_slots = n_slots
        self.code_dim = code_dim
        self.commitment = commitment
        self.encoder = mlp([layout.n_features, *hidden_dims, n_slots * code_dim])
        self.quantizer = EMAQuantizer(n_slots, codebook_size, code_dim)
        self.decoder = mlp([n_slots * code_dim + n_classes, *reversed(hidden_dims), layout.n_features])
        self.gaussian = GaussianContinuous(layout.n_continuous)
        self.prior = CodePrior(n_slots, codebook_size, n_classes, dim=prior_dim, layers=prior_layers)

    def configure_optimizers(self, learning_rate):
        autoencoder = [*self.encoder.parameters(), *self.decoder.parameters(), *self.gaussian.parameters()]
        self._optimizers = (
            FlatAdam(autoencoder, lr=learning_rate),
            FlatAdam(self.prior.parameters(), lr=learning_rate),
        )

    def _latents(self, x):
        return self.encoder(x).reshape(x.shape[0], self.n_slots, self.code_dim)

    def decode(self, quantized, labels):
        return self.decoder(torch.cat([quantized.flatten(1), labels], dim=1))

    def training_step(self, index, data, rng):
        """Autoencoder update: reconstruction likelihood plus commitment."""
        optimizer = self._optimizers[0]
        x = data.x.index_select(0, index)
        quantized, _, commitment = self.quantizer(self._latents(x), rng)
        reconstruction = reconstruction_nll(self.heads, self.gaussian, self.decode(quantized, data.labels(index)), x)
        loss = (reconstruction + self.commitment * commitment).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"loss": loss}

    def codes(self, x):
        """Code index of every slot for rows ``x``."""
        return self.quantizer.indices(self._latents(x))

    def prior_step(self, index, codes, classes, rng):
        """Prior update on fixed code indices."""
        optimizer = self._optimizers[1]
        loss = self.prior.loss(codes[index], classes[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"prior": loss}

    def sample(self, classes, rng):
        """Codes from the prior, then a draw from the decoder's likelihood."""
        codes = self.prior.sample(classes, rng)
        labels = one_hot(classes, self.n_classes, classes.shape[0], self.quantizer.codebook)
        raw = self.decode(self.quantizer.lookup(codes), labels)
        continuous = self.gaussian.sample(self.heads.continuous(raw), rng, self.heads.bounded)
        return continuous, self.heads.sample_codes(raw, rng)

    def transform(self, x):
        """Quantized latent, flattened over the slots."""
        return self.quantizer.lookup(self.codes(x)).flatten(1)

    def inverse_transform(self, z, classes):
        """Most likely row for each quantized latent."""
        raw = self.decode(
            z.reshape(z.shape[0], self.n_slots, self.code_dim), one_hot(classes, self.n_classes, z.shape[0], z)
        )
        return self.heads.continuous(raw), self.heads.argmax_codes(raw)
