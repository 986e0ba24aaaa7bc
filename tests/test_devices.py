"""Device discipline, checked on any machine: no tensor made on the host, no step waiting on it."""

import os
import pickle
import traceback
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, load_iris
from torch.overrides import TorchFunctionMode
from torch.utils._device import _device_constructors
from torch.utils._python_dispatch import TorchDispatchMode

import augment
from augment import GANGenerator, VAEGenerator, VQVAEGenerator

from _device import DEVICE

PACKAGE = str(Path(augment.__file__).parent) + os.sep
"""The library's own files: a call site is the library's when its file lies here, wherever the checkout is."""

SMALL = {
    GANGenerator: {"generator_dims": (32,), "critic_dims": (32,), "noise_dim": 16},
    VAEGenerator: {"latent_dim": 8, "hidden_dims": (32,)},
    VQVAEGenerator: {"n_slots": 2, "codebook_size": 8, "code_dim": 4, "hidden_dims": (32,), "prior_epochs": 2},
}


def make(cls, **params):
    return cls(**{"epochs": 2, "batch_size": 50, "random_state": 0, "device": DEVICE, **SMALL[cls], **params})


def data(kind):
    """iris as a table, or the first 150 digits as 8x8 images (with the parameter that says so)."""
    if kind == "table":
        return *load_iris(return_X_y=True), {}
    X, y = load_digits(return_X_y=True)
    return X[:150], y[:150], {"image_shape": (1, 8, 8)}


KINDS = pytest.mark.parametrize("kind", ["table", "images"])


class HostFactories(TorchFunctionMode):
    """Records every tensor factory called without a device (``torch.zeros(n)``, ``torch.as_tensor(a)``).

    Such a tensor lands on the CPU whatever device the model is on. A call
    inside a ``torch.device`` context has its device filled in before it
    reaches this mode and is not recorded.
    """

    def __init__(self):
        super().__init__()
        self.calls = []
        self._factories = _device_constructors()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in self._factories and kwargs.get("device") is None:
            frames = [f for f in traceback.extract_stack()[:-1] if f.filename.startswith(PACKAGE)]
            where = f"{frames[-1].filename[len(PACKAGE) :]}:{frames[-1].lineno}" if frames else "outside augment"
            self.calls.append(f"torch.{func.__name__} at {where}")
        return func(*args, **kwargs)


class HostSyncs(TorchDispatchMode):
    """Counts the operators that make the host wait for the device: reading a value, or a data-dependent size.

    Indexing with a boolean mask counts too (its kernel finds the mask's
    nonzero entries before it can size the result).
    """

    SYNCING = {"_local_scalar_dense", "nonzero", "masked_select", "_unique2", "unique_dim", "unique_consecutive"}
    INDEXING = {"index", "index_put", "index_put_", "_index_put_impl_"}

    def __init__(self):
        super().__init__()
        self.counts = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if name in self.SYNCING:
            self.counts[name] += 1
        elif name in self.INDEXING and any(i is not None and i.dtype == torch.bool for i in args[1]):
            self.counts[f"{name} by mask"] += 1
        return func(*args, **(kwargs or {}))


@KINDS
@pytest.mark.parametrize("cls", list(SMALL), ids=lambda c: c.__name__)
@pytest.mark.parametrize("labelled", [False, True], ids=["no y", "y"])
def test_no_tensor_is_made_on_the_host_in_fit_sample_transform_or_score(cls, labelled, kind):
    X, y, params = data(kind)
    y = y if labelled else None
    gen = make(cls, **params)
    with HostFactories() as mode:
        gen.fit(X, y)
        gen.sample(20)
        Z = gen.transform(X)
        if hasattr(gen, "inverse_transform"):
            gen.inverse_transform(Z, y)
        if hasattr(gen, "score_samples"):
            gen.score_samples(X, y)
            gen.score_samples(X)
    assert mode.calls == [], f"{cls.__name__} made tensors without a device: {sorted(set(mode.calls))}"


def test_the_detector_catches_a_host_tensor():
    with HostFactories() as mode:
        torch.zeros(3)
        torch.zeros(3, device=DEVICE)
        with torch.device(DEVICE):
            torch.ones(2)
    assert mode.calls == ["torch.zeros at outside augment"]


@KINDS
@pytest.mark.parametrize("cls", list(SMALL), ids=lambda c: c.__name__)
def test_training_steps_never_wait_on_the_host(cls, kind):
    """A fit's host waits do not grow with the steps per epoch: none happens inside a step."""
    X, y, params = data(kind)
    counts = {}
    for batch_size in (150, 30):
        with HostSyncs() as mode:
            make(cls, batch_size=batch_size, **params).fit(X, y)
        counts[batch_size] = mode.counts
    assert counts[30] == counts[150], f"{cls.__name__}: 1 step per epoch {counts[150]}, 5 steps {counts[30]}"


def test_the_sync_counter_sees_a_read_and_a_mask():
    x = torch.arange(4.0, device=DEVICE)
    with HostSyncs() as mode:
        float(x.sum())
        x[x > 1]
        x * 2
    assert mode.counts == {"_local_scalar_dense": 1, "index by mask": 1}


@pytest.mark.parametrize("cls", list(SMALL), ids=lambda c: c.__name__)
def test_fitted_weights_own_their_storage_and_pickle_at_their_size(cls):
    X, y = load_iris(return_X_y=True)
    gen = make(cls).fit(X, y)
    assert all(p.grad is None for p in gen.model_.parameters())
    weights = gen.__getstate__()["_model_state"]
    size = sum(t.numel() * t.element_size() for t in weights.values())
    assert len(pickle.dumps(weights)) < 1.2 * size + 4096
    first, second = pickle.loads(pickle.dumps(gen)), pickle.loads(pickle.dumps(gen))
    np.testing.assert_array_equal(first.sample(5)[0], second.sample(5)[0])
