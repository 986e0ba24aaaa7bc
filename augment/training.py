"""The training loop shared by every generator.

A model supplies only ``step(batch_index) -> dict of loss tensors``; the loop
owns the epochs, the shuffling, the loss bookkeeping and the progress bar.
"""

import math

import torch
from tqdm.auto import tqdm


def batch_plan(n_rows, batch_size, multiple_of=1):
    """Effective batch size and steps per epoch.

    A table smaller than ``batch_size`` trains on batches of the whole table;
    the batch is rounded down to a multiple of ``multiple_of`` (PacGAN packs).
    """
    batch = min(batch_size, n_rows)
    batch = max(multiple_of, batch // multiple_of * multiple_of)
    return batch, max(1, n_rows // batch)


def fit_loop(step, n_rows, *, epochs, batch_size, rng, name, verbose=False, multiple_of=1, phase="fit"):
    """Run ``epochs`` passes of ``step`` over shuffled batches of row indices.

    Parameters
    ----------
    step : callable
        ``step(index)`` takes a LongTensor of row indices on the training
        device, updates the model and returns a dict of scalar loss tensors.
    n_rows : int
        Rows in the training table.
    epochs, batch_size : int
        Passes over the table and rows per step.
    rng : torch.Generator
        Private generator on the training device; the only source of shuffling.
    name : str
        The generator's name, used in errors and the progress bar.
    verbose : bool
        Show a tqdm bar with the epoch's losses.
    multiple_of : int
        The batch is rounded down to a multiple of this.
    phase : str
        Recorded in each history entry.

    Returns
    -------
    history : list of dict
        One record per epoch: ``{"phase", "epoch", <loss name>: mean loss}``.
    """
    batch, steps = batch_plan(n_rows, batch_size, multiple_of)
    history = []
    bar = tqdm(range(epochs), desc=f"{name} {phase}", disable=not verbose, leave=False)
    for epoch in bar:
        order = torch.randperm(n_rows, generator=rng, device=rng.device)
        totals = {}
        for s in range(steps):
            losses = step(order[s * batch : (s + 1) * batch])
            for key, value in losses.items():
                totals[key] = totals.get(key, 0.0) + value.detach()
        record = {key: float(value) / steps for key, value in totals.items()}
        bad = [key for key, value in record.items() if not math.isfinite(value)]
        if bad:
            raise FloatingPointError(
                f"{name} diverged at epoch {epoch + 1} of {phase}: loss {bad[0]!r} is {record[bad[0]]}. "
                "Lower learning_rate or check the input for extreme values."
            )
        history.append({"phase": phase, "epoch": epoch + 1, **record})
        if verbose:
            bar.set_postfix({key: f"{value:.3f}" for key, value in record.items()})
    return history


def make_rng(seed, device):
    """A private ``torch.Generator`` on ``device`` seeded with ``seed``."""
    rng = torch.Generator(device=device)
    rng.manual_seed(int(seed))
    return rng
