"""Vector quantizer with one EMA codebook per latent slot and dead-code restart."""

import torch
from torch import nn

from .data import one_hot


class EMAQuantizer(nn.Module):
    """Quantize ``(batch, n_slots, code_dim)`` latents against per-slot codebooks.

    Codebooks are updated by exponential moving averages of the latents
    assigned to them (no gradient); a code whose average use falls below
    ``dead_fraction`` of a uniform share is restarted at a random latent of
    the batch. The codebook state lives in buffers, so ``.to()``,
    ``state_dict`` and pickling carry it. :meth:`initialize` starts the
    codebooks before training; no step waits on the host.

    ``forward`` returns ``(quantized, indices, commitment)``: the quantized
    latents with a straight-through gradient, the chosen code per slot and
    the commitment loss.
    """

    def __init__(self, n_slots, codebook_size, code_dim, decay=0.99, dead_fraction=0.1, eps=1e-5):
        super().__init__()
        self.codebook_size = codebook_size
        self.decay = decay
        self.dead_fraction = dead_fraction
        self.eps = eps
        self.register_buffer("codebook", torch.zeros(n_slots, codebook_size, code_dim))
        self.register_buffer("cluster_size", torch.zeros(n_slots, codebook_size))
        self.register_buffer("embed_sum", torch.zeros(n_slots, codebook_size, code_dim))

    def indices(self, z):
        """Nearest code of every slot."""
        distance = (
            z.pow(2).sum(-1, keepdim=True)
            - 2 * torch.einsum("bsd,skd->bsk", z, self.codebook)
            + self.codebook.pow(2).sum(-1).unsqueeze(0)
        )
        return distance.argmin(dim=-1)

    def lookup(self, indices):
        """Code vectors of ``indices`` (batch, n_slots)."""
        slots = torch.arange(indices.shape[1], device=indices.device)
        return self.codebook[slots, indices]

    def _random_latents(self, flat, shape, rng):
        pick = torch.randint(flat.shape[0], shape, generator=rng, device=flat.device)
        slots = torch.arange(shape[0], device=flat.device).unsqueeze(1)
        return flat[pick, slots]

    @torch.no_grad()
    def initialize(self, z, rng):
        """Start every code at a random latent of ``z`` (batch, n_slots, code_dim), from its own slot."""
        self.codebook.copy_(self._random_latents(z, tuple(self.cluster_size.shape), rng))
        self.embed_sum.copy_(self.codebook)
        self.cluster_size.fill_(1.0)

    def usage(self, indices):
        """Share of each slot's codes that occur in ``indices`` (batch, n_slots)."""
        used = torch.zeros_like(self.cluster_size).scatter_(1, indices.T, 1.0)
        return used.mean(dim=1)

    @torch.no_grad()
    def _update(self, z, indices, rng):
        n_slots, size = self.cluster_size.shape
        assign = one_hot(indices, size, indices.shape[0], z)
        self.cluster_size.mul_(self.decay).add_(assign.sum(0), alpha=1 - self.decay)
        self.embed_sum.mul_(self.decay).add_(torch.einsum("bsk,bsd->skd", assign, z), alpha=1 - self.decay)
        total = self.cluster_size.sum(-1, keepdim=True)
        smoothed = (self.cluster_size + self.eps) / (total + size * self.eps) * total
        self.codebook.copy_(self.embed_sum / smoothed.unsqueeze(-1))
        dead = self.cluster_size < self.dead_fraction * z.shape[0] / size
        fresh = self._random_latents(z, (n_slots, size), rng)
        self.codebook.copy_(torch.where(dead.unsqueeze(-1), fresh, self.codebook))
        self.embed_sum.copy_(torch.where(dead.unsqueeze(-1), fresh, self.embed_sum))
        self.cluster_size.masked_fill_(dead, 1.0)

    def forward(self, z, rng=None):
        indices = self.indices(z)
        if self.training:
            self._update(z.detach(), indices, rng)
        quantized = self.lookup(indices)
        commitment = (z - quantized.detach()).pow(2).sum(-1).mean(-1)
        return z + (quantized - z).detach(), indices, commitment
