"""Each fit, sample and transform runs on the threads chosen for it, and gives torch's count back."""

import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris
from threadpoolctl import threadpool_info

import augment.base
from augment import GANGenerator, VAEGenerator, VQVAEGenerator, _threads
from augment._threads import choose_threads, others_running

from _device import DEVICE

SMALL = {"epochs": 2, "batch_size": 50, "random_state": 0, "device": DEVICE}


@pytest.mark.parametrize("cls", [GANGenerator, VAEGenerator, VQVAEGenerator], ids=lambda c: c.__name__)
def test_fit_sample_and_transform_run_on_n_threads_and_restore_torchs_count(cls, torch_threads, monkeypatch):
    seen = []
    train = augment.base.train

    def recording(*args, **kwargs):
        blas = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
        seen.append((torch.get_num_threads(), blas))
        return train(*args, **kwargs)

    torch_threads(2)
    monkeypatch.setattr(augment.base, "train", recording)
    X, y = load_iris(return_X_y=True)
    prior = {"prior_epochs": 2} if cls is VQVAEGenerator else {}
    gen = cls(**SMALL, **prior, n_threads=1).fit(X, y)
    assert seen == [(1, {1})] and torch.get_num_threads() == 2 and gen.n_threads_ == 1
    gen.sample(10)
    gen.transform(X[:5])
    assert torch.get_num_threads() == 2


def test_the_choice_takes_free_cpus_up_to_torchs_count(monkeypatch, torch_threads):
    torch_threads(2)
    monkeypatch.setattr(_threads, "_cpus", lambda: 4)
    for others, expected in [(0, 2), (2, 2), (3, 1), (9, 1)]:
        monkeypatch.setattr(_threads, "others_running", lambda n=others: n)
        assert choose_threads(None) == expected, others
    torch.set_num_threads(8)
    monkeypatch.setattr(_threads, "others_running", lambda: 1)
    assert choose_threads(None) == 3
    assert choose_threads(5) == 5  # given, it is taken as it is


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/loadavg, which only Linux has")
def test_a_busy_process_is_counted_and_this_ones_threads_are_not():
    assert _threads._own_running() >= 1  # the thread asking
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        assert others_running() >= 1
    finally:
        spinner.kill()
        spinner.wait()


def test_n_threads_is_checked():
    with pytest.raises(ValueError, match="'n_threads' parameter of VAEGenerator must be"):
        VAEGenerator(n_threads=0).fit(np.zeros((5, 2)))
