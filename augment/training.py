"""The training loop shared by every generator.

A model declares its training phases (:class:`Phase`): the step run on every
batch, the parameter groups it updates and what runs before and after it.
The loop owns the rest: optimizers, epochs, shuffling on the training device,
train and eval modes, loss bookkeeping, divergence checks and progress.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch
from torch import nn
from tqdm.auto import tqdm

from .optim import FlatAdam


@dataclass(frozen=True)
class Group:
    """Parameters updated by one Adam optimizer; the loop adds the learning rate.

    Attributes
    ----------
    parameters : tuple of Parameter
        All of one dtype and device.
    betas : tuple of float
        Adam's moment decay rates.
    weight_decay : float
        L2 penalty.
    average : bool
        End the phase on an exponential moving average of the parameters'
        iterates instead of the last one (``augment.optim.FlatAdam``).
    """

    parameters: tuple
    betas: tuple = (0.9, 0.999)
    weight_decay: float = 0.0
    average: bool = False


@dataclass(frozen=True)
class Phase:
    """One training phase of a model.

    Attributes
    ----------
    name : str
        ``"fit"`` runs for the estimator's ``epochs``; any other name for its
        ``<name>_epochs`` parameter. Recorded in every history entry.
    step : callable
        ``step(index, *optimizers)`` takes a LongTensor of row indices on the
        training device and one optimizer per group, updates the model and
        returns a dict of scalar loss tensors. It must not wait on the host.
    groups : tuple of Group
        What the phase's optimizers update, in the order ``step`` gets them.
    module : nn.Module
        The part of the model in train mode during the phase; the rest is in eval mode.
    multiple_of : int
        The batch is rounded down to a multiple of this (PacGAN packs).
    before, after : callable or None
        Run before the first epoch, and after the last one in eval mode
        without gradients (for example fitting a prior to the trained encoder).
    """

    name: str
    step: Callable
    groups: tuple
    module: nn.Module
    multiple_of: int = 1
    before: Callable | None = None
    after: Callable | None = None


def batch_plan(n_rows, batch_size, multiple_of=1):
    """Effective batch size and steps per epoch.

    A table smaller than ``batch_size`` trains on batches of the whole table;
    the batch is rounded down to a multiple of ``multiple_of`` (PacGAN packs).
    """
    batch = min(batch_size, n_rows)
    batch = max(multiple_of, batch // multiple_of * multiple_of)
    return batch, max(1, n_rows // batch)


def train(model, phases, n_rows, *, epochs, learning_rate, batch_size, rng, name, verbose=False):
    """Run every phase of ``model`` in order and return the joined history.

    Parameters
    ----------
    model : nn.Module
        The model whose ``phases`` are given; left in eval mode.
    phases : list of Phase
        What to train, in order.
    n_rows : int
        Rows in the training table.
    epochs : dict
        Epochs of each phase, by phase name.
    learning_rate : float
        Adam step size of every group.
    batch_size : int
        Rows per step.
    rng : torch.Generator
        Private generator on the training device; the only source of shuffling.
    name : str
        The generator's name, used in errors and the progress bar.
    verbose : bool
        Show a tqdm bar per phase with the epoch's losses.

    Returns
    -------
    history : list of dict
        One record per epoch of every phase, as :func:`fit_loop` returns.

    Examples
    --------
    >>> import torch
    >>> from augment.training import Group, Phase, make_rng, train
    >>> net = torch.nn.Linear(1, 1)
    >>> x = torch.linspace(-1, 1, 8).unsqueeze(1)
    >>> def step(index, opt):
    ...     loss = (net(x[index]) - 3 * x[index]).pow(2).mean()
    ...     opt.zero_grad(); loss.backward(); opt.step()
    ...     return {"mse": loss}
    >>> phases = [Phase("fit", step, (Group(tuple(net.parameters())),), net)]
    >>> history = train(net, phases, 8, epochs={"fit": 200}, learning_rate=0.05,
    ...                 batch_size=4, rng=make_rng(0, "cpu"), name="Line")
    >>> len(history), history[-1]["mse"] < 0.01
    (200, True)
    """
    history = []
    for phase in phases:
        model.eval()
        phase.module.train()
        if phase.before is not None:
            phase.before()
        optimizers = tuple(
            FlatAdam(g.parameters, average=g.average, lr=learning_rate, betas=g.betas, weight_decay=g.weight_decay)
            for g in phase.groups
        )
        try:
            history += fit_loop(
                partial(_run_step, phase.step, optimizers),
                n_rows,
                epochs=epochs[phase.name],
                batch_size=batch_size,
                rng=rng,
                name=name,
                verbose=verbose,
                multiple_of=phase.multiple_of,
                phase=phase.name,
            )
        finally:
            for optimizer in optimizers:
                optimizer.release()
        model.eval()
        if phase.after is not None:
            with torch.no_grad():
                phase.after()
    return history


def _run_step(step, optimizers, index):
    return step(index, *optimizers)


def fit_loop(step, n_rows, *, epochs, batch_size, rng, name, verbose=False, multiple_of=1, phase="fit"):
    """Run ``epochs`` passes of ``step`` over shuffled batches of row indices.

    Losses are summed on the device and read once per epoch, so no step waits
    on the host.

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
