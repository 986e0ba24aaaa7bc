import os

# One BLAS/OpenMP thread per test process, set before numpy, torch or scikit-learn load their
# libraries: pytest-xdist runs a worker per core, and a second thread per worker only spins
# against the other worker (fast tier 89 s -> 77 s on 2 cores). A value set outside is kept.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import pytest
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from augment.datasets import load_mixed

import _device


def pytest_addoption(parser):
    parser.addoption(
        "--device",
        default="cpu",
        choices=["cpu", "cuda"],
        help="device every test fits its generators on (default cpu); tests marked cpu_only are skipped on cuda",
    )


def pytest_configure(config):
    torch.set_num_threads(1)
    _device.DEVICE = config.getoption("--device")
    if _device.DEVICE == "cuda" and not torch.cuda.is_available():
        raise pytest.UsageError("--device cuda was given, but torch sees no CUDA device on this machine.")


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # the long tests start first
    if _device.DEVICE == "cpu":
        return
    for item in items:
        marker = item.get_closest_marker("cpu_only")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=f"CPU only: {marker.kwargs['reason']}"))


@pytest.fixture
def torch_threads():
    """``torch_threads(n)`` sets torch's thread count for one test; the count before is restored after."""
    before = torch.get_num_threads()
    yield torch.set_num_threads
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def mixed():
    return load_mixed()


@pytest.fixture(scope="session")
def cancer_halves():
    X = load_breast_cancer(as_frame=True).data
    return train_test_split(X, test_size=0.5, random_state=0)
