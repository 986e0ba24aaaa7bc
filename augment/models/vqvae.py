"""VQ-VAE over several latent slots, sampled through a learned autoregressive prior."""

import math
from functools import partial

import torch
from torch import nn

from ..training import Group, Phase
from .conv import ConvEncoder, conv_decoder
from .data import one_hot
from .layers import GaussianContinuous, Heads, mlp, reconstruction_nll
from .prior import CodePrior
from .quantizer import EMAQuantizer

_START_ROWS = 1024
COPY_DRAWS = 1024  #: prior draws that measure ``prior_copies`` (a share within about 0.03 at 95%)
_CODE_CHUNK = 16_384


class VQVAE(nn.Module):
    """Encoder into ``n_slots`` latents, EMA quantizer, decoder ``p(x | codes, y)``, prior ``p(codes | y)``.

    Training has two phases: ``"fit"``, the autoencoder (reconstruction plus
    commitment) with codebooks started at latents of a random batch, then
    ``"prior"``, the prior on the codes of the trained encoder, after which
    ``prior_copies`` holds the share of the prior's draws that are exactly a
    training row's code sequence.

    With ``image_shape`` the encoder is convolutional and its last feature
    map is the grid of slots (``n_slots`` is ignored: one slot per grid
    cell, each with its own codebook, read in raster order by the prior);
    the decoder maps the quantized grid, with the class one-hot as constant
    channels, back to pixels, and ``sample`` returns the decoder's mean image.
    """

    def __init__(
        self,
        layout,
        n_classes,
        *,
        n_slots,
        codebook_size,
        code_dim,
        hidden_dims,
        commitment,
        prior_dim=64,
        prior_layers=2,
        prior_temperature=1.0,
        image_shape=None,
    ):
        super().__init__()
        self.heads = Heads(layout)
        self.n_classes = n_classes
        self.code_dim = code_dim
        self.commitment = commitment
        self.prior_temperature = prior_temperature
        self.image_shape = image_shape
        if image_shape is None:
            self.n_slots = n_slots
            self.encoder = mlp([layout.n_features, *hidden_dims, n_slots * code_dim])
        else:
            features = ConvEncoder(image_shape)
            self.grid = features.out_shape[1:]
            self.n_slots = math.prod(self.grid)
            self.encoder = nn.Sequential(features, nn.Conv2d(features.out_channels, code_dim, 1))
        self.quantizer = EMAQuantizer(self.n_slots, codebook_size, code_dim)
        if image_shape is None:
            self.decoder = mlp([n_slots * code_dim + n_classes, *reversed(hidden_dims), layout.n_features])
        else:
            self.decoder = nn.Sequential(*conv_decoder(code_dim + n_classes, image_shape))
        self.gaussian = GaussianContinuous(layout.n_continuous)
        self.prior = CodePrior(self.n_slots, codebook_size, n_classes, dim=prior_dim, layers=prior_layers)

    def phases(self, data, rng):
        """The autoencoder's ``"fit"`` phase, then the ``"prior"`` phase on its codes of ``data``."""
        autoencoder = Group((*self.encoder.parameters(), *self.decoder.parameters(), *self.gaussian.parameters()))
        return [
            Phase(
                "fit",
                partial(self.training_step, data=data, rng=rng),
                (autoencoder,),
                self,
                before=partial(self._start_codebooks, data, rng),
                after=partial(self._encode_training_rows, data),
            ),
            Phase(
                "prior",
                partial(self.prior_step, classes=data.classes),
                (Group(tuple(self.prior.parameters())),),
                self.prior,
                after=partial(self._measure_prior_copies, data, rng),
            ),
        ]

    @torch.no_grad()
    def _start_codebooks(self, data, rng):
        """Every codebook starts at latents of random training rows."""
        rows = torch.randperm(data.n_rows, generator=rng, device=data.device)[:_START_ROWS]
        self.quantizer.initialize(self._latents(data.rows(rows)), rng)

    def _encode_training_rows(self, data):
        """Codes of the training rows for the prior phase, and the share of each codebook they use."""
        self._training_codes = torch.cat([self.codes(data.rows(index)) for index in data.chunks(_CODE_CHUNK)])
        self.codebook_usage = self.quantizer.usage(self._training_codes)

    def _measure_prior_copies(self, data, rng):
        """Share of :data:`COPY_DRAWS` sequences drawn from the prior that are a training row's; then drop the codes.

        Classes are drawn at their training frequencies. The draws use their
        own generator, seeded from ``rng``'s seed, so that measuring leaves
        ``rng`` where it was.
        """
        draws = torch.Generator(device=data.device).manual_seed(rng.initial_seed())
        classes = data.classes[torch.randint(data.n_rows, (COPY_DRAWS,), generator=draws, device=data.device)]
        drawn = self.prior.sample(classes, draws, self.prior_temperature)
        _, ids = torch.unique(torch.cat([self._training_codes, drawn]), dim=0, return_inverse=True)
        seen = torch.isin(ids[data.n_rows :], ids[: data.n_rows])
        self.prior_copies = seen.float().mean()
        del self._training_codes

    def _latents(self, x):
        """Latents of rows ``x``, ``(batch, n_slots, code_dim)``; grid cells in raster order for images."""
        if self.image_shape is None:
            return self.encoder(x).reshape(x.shape[0], self.n_slots, self.code_dim)
        return self.encoder(x).flatten(2).transpose(1, 2)

    def decode(self, quantized, labels):
        if self.image_shape is None:
            return self.decoder(torch.cat([quantized.flatten(1), labels], dim=1))
        grid = quantized.transpose(1, 2).reshape(quantized.shape[0], self.code_dim, *self.grid)
        channels = labels[:, :, None, None].expand(-1, -1, *self.grid)
        return self.decoder(torch.cat([grid, channels], dim=1))

    def training_step(self, index, optimizer, *, data, rng):
        """Autoencoder update: reconstruction likelihood plus commitment."""
        x = data.rows(index)
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

    def prior_step(self, index, optimizer, *, classes):
        """Prior update on the training rows' code indices."""
        loss = self.prior.loss(self._training_codes[index], classes[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"prior": loss}

    def sample(self, classes, rng):
        """Codes from the prior at ``prior_temperature``, then a draw from the decoder's likelihood."""
        codes = self.prior.sample(classes, rng, self.prior_temperature)
        labels = one_hot(classes, self.n_classes, classes.shape[0], self.quantizer.codebook)
        raw = self.decode(self.quantizer.lookup(codes), labels)
        if self.image_shape is not None:
            return self.heads.continuous(raw), self.heads.argmax_codes(raw)
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
