"""Autoregressive prior over the code indices of a VQ-VAE, conditional on the class."""

import torch
from torch import nn
from torch.nn import functional as F

from .layers import gumbel


class CodePrior(nn.Module):
    """Causal transformer over the slots: ``p(c_1 | y) p(c_2 | c_1, y) ...``.

    The sequence starts with a learned token per class, so the first slot is
    conditioned on the class and every later slot on the class and the codes
    before it. Each (slot, code) pair has its own token embedding, since the
    slots have their own codebooks.
    """

    def __init__(self, n_slots, codebook_size, n_classes, dim=64, layers=2, heads=4):
        super().__init__()
        self.n_slots = n_slots
        self.codebook_size = codebook_size
        self.token = nn.Embedding(n_slots * codebook_size, dim)
        self.start = nn.Embedding(max(n_classes, 1), dim)
        self.position = nn.Parameter(torch.randn(n_slots, dim) * 0.02)
        layer = nn.TransformerEncoderLayer(dim, heads, 4 * dim, dropout=0.0, batch_first=True, norm_first=True)
        self.body = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.out = nn.Linear(dim, codebook_size)

    def logits(self, codes, classes):
        """Next-code logits at every position given the codes before it, ``(batch, length, K)``."""
        length = codes.shape[1] + 1
        offsets = torch.arange(codes.shape[1], device=codes.device) * self.codebook_size
        sequence = torch.cat([self.start(classes).unsqueeze(1), self.token(codes + offsets)], dim=1)
        sequence = sequence + self.position[:length]
        mask = nn.Transformer.generate_square_subsequent_mask(length, device=codes.device)
        return self.out(self.norm(self.body(sequence, mask=mask, is_causal=True)))

    def loss(self, codes, classes):
        """Mean negative log-likelihood per slot of ``codes``."""
        logits = self.logits(codes[:, :-1], classes)
        return F.cross_entropy(logits.reshape(-1, self.codebook_size), codes.reshape(-1))

    def sample(self, classes, rng):
        """Draw a code for every slot, one slot at a time."""
        codes = classes.new_zeros(classes.shape[0], 0)
        for _ in range(self.n_slots):
            logits = self.logits(codes, classes)[:, -1]
            pick = (logits + gumbel(logits.shape, rng, logits.device)).argmax(dim=-1)
            codes = torch.cat([codes, pick.unsqueeze(1)], dim=1)
        return codes
