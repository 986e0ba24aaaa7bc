"""Seeds: one 31-bit integer from any ``random_state``, and torch's global generators kept out of reach."""

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import check_random_state


def seed_from(random_state):
    """A 31-bit seed drawn from ``random_state``.

    Parameters
    ----------
    random_state : int, RandomState instance, numpy Generator or None
        ``None`` draws fresh OS entropy and leaves numpy's global state alone.

    Returns
    -------
    seed : int

    Examples
    --------
    >>> from augment._seeds import seed_from
    >>> seed_from(0) == seed_from(0), 0 <= seed_from(None) < 2**31
    (True, True)
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] >> 1)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**31 - 1))
    return int(check_random_state(random_state).randint(2**31 - 1))


@contextmanager
def seeded(seed, device):
    """Fork torch's global generators, seed them, and restore them on exit.

    The private ``torch.Generator`` drives every random draw the library makes;
    forking guards the global state against anything inside torch that still
    reads it (weight initialization), so user code sees it untouched. Only
    the generators of the CPU and of ``device`` are seeded (``torch.manual_seed``
    would also queue a seed for every other accelerator, with a stack trace each).
    """
    cuda = device.type == "cuda"
    with torch.random.fork_rng(devices=[device] if cuda else []):
        torch.default_generator.manual_seed(seed)
        if cuda:
            with torch.cuda.device(device):
                torch.cuda.manual_seed(seed)
        yield
