"""Training-by-sampling (CTGAN): conditions on categorical columns, fully vectorized.

During training a categorical column is drawn uniformly, then one of its
categories with probability proportional to the log of its frequency, so rare
categories are seen often; the real row shown to the critic is drawn among the
rows holding that category. Index tables live on the training device and
every draw is a tensor gather: no Python loop over rows.
"""

import torch
from torch import nn

from .layers import draw


class ConditionSampler(nn.Module):
    """Draws condition vectors over the data's categorical columns.

    Parameters
    ----------
    sizes : list of int
        Size of every one-hot block of the layout.
    blocks : list of int
        Which blocks are categorical columns (conditioned on).
    """

    def __init__(self, sizes, blocks):
        super().__init__()
        self.blocks = list(blocks)
        block_sizes = [sizes[b] for b in self.blocks]
        self.width = max(block_sizes, default=1)
        self.dim = sum(block_sizes)
        starts = torch.tensor([0, *block_sizes], dtype=torch.long).cumsum(0)[: len(block_sizes)]
        self.register_buffer("starts", starts)
        self.register_buffer("block_index", torch.tensor(self.blocks, dtype=torch.long))
        self.register_buffer("frequency", torch.zeros(len(self.blocks), self.width))

    def fit(self, codes):
        """Count categories and build the training index tables.

        Parameters
        ----------
        codes : LongTensor of shape (n, n_blocks)
            Block codes of the training rows.
        """
        total = torch.zeros_like(self.frequency)
        ones = torch.ones(codes.shape[0], device=codes.device)
        for j, b in enumerate(self.blocks):
            total[j].index_add_(0, codes[:, b], ones)
        self.frequency.copy_(total / total.sum(-1, keepdim=True).clamp(min=1))
        self._log_frequency = torch.log1p(total)
        self._order = codes[:, self.blocks].argsort(dim=0, stable=True).T.contiguous()
        self._counts = total.long()
        self._offsets = self._counts.cumsum(-1) - self._counts
        return self

    @property
    def n_columns(self):
        return len(self.blocks)

    def vector(self, column, category):
        """One-hot condition vectors with ``category`` set in block ``column``."""
        out = torch.zeros(column.shape[0], self.dim, device=column.device)
        return out.scatter_(1, (self.starts[column] + category).unsqueeze(1), 1.0)

    def sample_training(self, n, rng):
        """Draw ``n`` (column, category, real row) triples for a training step."""
        device = self._order.device
        column = torch.randint(self.n_columns, (n,), generator=rng, device=device)
        category = draw(self._log_frequency[column], torch.rand(n, 1, generator=rng, device=device))
        pick = (torch.rand(n, generator=rng, device=device) * self._counts[column, category]).long()
        rows = self._order[column, self._offsets[column, category] + pick]
        return column, category, rows

    def sample(self, n, rng):
        """Draw ``n`` (column, category) pairs from the empirical frequencies."""
        device = self.frequency.device
        column = torch.randint(self.n_columns, (n,), generator=rng, device=device)
        return column, draw(self.frequency[column], torch.rand(n, 1, generator=rng, device=device))

    def drop_training_tables(self):
        """Forget the per-row tables once training is over; frequencies stay."""
        del self._order, self._counts, self._offsets, self._log_frequency
