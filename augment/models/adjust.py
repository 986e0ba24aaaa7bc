"""Logit adjustment: sampled category shares brought to the training table's (Menon et al., ICLR 2021)."""

import torch

ROWS = 4096
_ROUNDS = 3
_FLOOR = 1e-4


@torch.no_grad()
def fit_logit_offsets(heads, offsets, data, generate):
    """Fit ``offsets``, one per flat block logit, in place, in three rounds.

    ``generate()`` returns the raw outputs of :data:`ROWS` new rows with the
    current ``offsets`` applied, and a mask of the flat block logits whose
    shares count (``None``: all of them). Each round adds to every offset
    the log ratio of its category's share of the training rows to its mean
    probability over the counted rows.
    """

    def shares():
        raw, counted = generate()
        probabilities = heads.probabilities(raw[:, heads.n_continuous :])
        if counted is None:
            return probabilities.mean(0)
        counted = counted.float()
        return (probabilities * counted).sum(0) / counted.sum(0).clamp(min=1)

    size = offsets.shape[0]
    flat = (data.codes + data.offsets - (data.n_features - size)).reshape(-1)
    target = torch.bincount(flat, minlength=size).float() / data.n_rows
    for _ in range(_ROUNDS):
        offsets += target.clamp(min=_FLOOR).log() - shares().clamp(min=_FLOOR).log()
