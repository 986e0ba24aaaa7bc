"""Building blocks shared by the models: MLPs, seeded noise and output heads."""

import itertools

import torch
from torch import nn


def mlp(sizes, activation=nn.ReLU):
    """Linear layers of ``sizes`` with ``activation`` between them, none last."""
    layers = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def dropout(x, p, rng, training):
    """Dropout drawing its mask from ``rng`` rather than the global generator."""
    if not training or p == 0:
        return x
    keep = torch.rand(x.shape, generator=rng, device=x.device) >= p
    return x * keep / (1 - p)


def gumbel(shape, rng, device):
    """Standard Gumbel noise from ``rng``."""
    u = torch.rand(shape, generator=rng, device=device).clamp_(1e-10, 1 - 1e-7)
    return -torch.log(-torch.log(u))


def draw(weights, uniform):
    """An index into non-negative ``weights`` (..., K), with probability proportional to its weight.

    Inverse CDF at ``uniform`` (..., 1) in [0, 1): the first index whose
    cumulative weight exceeds it, so an index of weight 0 is never drawn.
    """
    cdf = weights.cumsum(-1)
    return (cdf <= uniform * cdf[..., -1:]).sum(-1).clamp_(max=weights.shape[-1] - 1)


class Heads(nn.Module):
    """Reads a network's raw output through the encoder's :class:`Layout`.

    The one-hot blocks have different sizes and follow each other after the
    continuous slots. Training normalizes every block at once on the flat
    logits, without padding: each block's maximum is a scatter, its sum of
    exponentials one matmul with the block membership matrix. Sampling draws
    blocks of equal size together; :meth:`logits` pads blocks for argmax.
    """

    def __init__(self, layout):
        super().__init__()
        self.n_continuous = layout.n_continuous
        self.n_features = layout.n_features
        sizes = [b.size for b in layout.blocks]
        width = max(sizes, default=1)
        offsets = torch.as_tensor(layout.offsets, dtype=torch.long).reshape(-1, 1)
        steps = torch.arange(width).reshape(1, -1)
        self.register_buffer("index", (offsets + steps).clamp(max=max(self.n_features - 1, 0)))
        self.register_buffer("valid", steps < torch.as_tensor(sizes, dtype=torch.long).reshape(-1, 1))
        self.register_buffer("bounded", torch.as_tensor(layout.bounded, dtype=torch.bool))
        block_of = torch.repeat_interleave(torch.arange(len(sizes)), torch.as_tensor(sizes, dtype=torch.long))
        self.register_buffer("block_of", block_of)
        self.register_buffer("members", (block_of.reshape(-1, 1) == torch.arange(len(sizes))).float())
        self._sizes = sorted(set(sizes))

    @property
    def n_blocks(self):
        return self.index.shape[0]

    def logits(self, raw):
        """Padded block logits, ``-inf`` where a block is shorter than the widest."""
        return raw[:, self.index].masked_fill(~self.valid, float("-inf"))

    def continuous(self, raw):
        """Continuous slots: identity on the real line, ``tanh`` where bounded."""
        return self._squash(raw[:, : self.n_continuous])

    def _squash(self, values):
        return torch.where(self.bounded, torch.tanh(values), values)

    def split(self, raw):
        """Continuous slots (as :meth:`continuous`) and the flat block logits of ``raw``.

        One ``split`` rather than two slices, so the backward pass
        concatenates the two gradients instead of zero-filling two copies.
        """
        values, logits = raw.split([self.n_continuous, raw.shape[1] - self.n_continuous], dim=1)
        return self._squash(values), logits

    def _normalize(self, logits):
        """``exp(logits - block max)``, each block's sum of it and its max, for flat block logits.

        The max is a constant shift that cancels in every softmax and
        log-sum-exp, so it is taken without autograd.
        """
        block_of = self.block_of.expand(logits.shape[0], -1)
        shift = logits.detach().new_full((logits.shape[0], self.n_blocks), float("-inf"))
        shift.scatter_reduce_(1, block_of, logits.detach(), "amax")
        exp = (logits - shift.gather(1, block_of)).exp()
        return exp, exp @ self.members.to(exp.dtype), shift

    def log_normalizers(self, logits):
        """Log-sum-exp of every block of flat block ``logits``, shape ``(n, n_blocks)``."""
        _, total, shift = self._normalize(logits)
        return shift + total.log()

    def probabilities(self, logits):
        """Softmax within every block of flat block ``logits``: each category's probability, same shape."""
        exp, total, _ = self._normalize(logits)
        return exp / total[:, self.block_of]

    def gumbel_softmax(self, raw, tau, rng):
        """Continuous slots plus a Gumbel-softmax relaxation of every block (for the GAN)."""
        logits = raw[:, self.n_continuous :]
        if self.n_blocks == 0:
            return self.continuous(raw)
        relaxed = self.probabilities((logits + gumbel(logits.shape, rng, raw.device)) / tau)
        return torch.cat([self.continuous(raw), relaxed], dim=1)

    def sample_codes(self, raw, rng):
        """One category per block, drawn from its softmax by inverse CDF (one uniform per block)."""
        n = raw.shape[0]
        codes = torch.empty(n, self.n_blocks, dtype=torch.long, device=raw.device)
        uniform = torch.rand(n, self.n_blocks, 1, generator=rng, device=raw.device)
        sizes = self.valid.sum(dim=1)
        for size in self._sizes:
            blocks = sizes == size
            codes[:, blocks] = draw(torch.softmax(raw[:, self.index[blocks, :size]], dim=-1), uniform[:, blocks])
        return codes

    def argmax_codes(self, raw):
        """The most likely category of every block."""
        return self.logits(raw).argmax(dim=-1)

    def cross_entropy(self, logits, one_hot):
        """Per-row sum over blocks of the categorical cross-entropy of flat block ``logits``.

        ``one_hot`` is the encoded rows' block part; the chosen logits are a
        product with it rather than a gather, whose backward would scatter.
        """
        if self.n_blocks == 0:
            return logits.new_zeros(logits.shape[0])
        return self.log_normalizers(logits).sum(dim=1) - (logits * one_hot).sum(dim=1)


class GaussianContinuous(nn.Module):
    """Learned per-column standard deviation for continuous slots (as in TVAE)."""

    def __init__(self, n_continuous, init=0.1):
        super().__init__()
        self.log_sigma = nn.Parameter(torch.full((n_continuous,), float(init)).log())

    @property
    def sigma(self):
        return self.log_sigma.exp().clamp(0.01, 1.0)

    def nll(self, mean, target):
        """Per-row Gaussian negative log-likelihood, constant term included."""
        sigma = self.sigma
        z = (target - mean) / sigma
        return (0.5 * z.pow(2) + sigma.log() + 0.9189385332046727).sum(dim=1)

    def sample(self, mean, rng, bounded):
        """Draw ``mean + sigma * noise``; bounded slots are clamped to ``[-1, 1]``."""
        noise = torch.randn(mean.shape, generator=rng, device=mean.device)
        values = mean + self.sigma * noise
        return torch.where(bounded, values.clamp(-1, 1), values)


def reconstruction_nll(heads, gaussian, raw, x):
    """Per-row negative log-likelihood of encoded rows ``x`` under a decoder's ``raw`` output.

    Gaussian on the continuous slots, categorical on every one-hot block.
    """
    values, logits = heads.split(raw)
    target, one_hot = x.split([heads.n_continuous, x.shape[1] - heads.n_continuous], dim=1)
    return gaussian.nll(values, target) + heads.cross_entropy(logits, one_hot)
