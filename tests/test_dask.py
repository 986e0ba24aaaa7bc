"""Searches and cross-validation on a real Dask cluster (joblib's dask backend) match the local run."""

import dask
import joblib
import numpy as np
import pytest
import torch
from distributed import Client, LocalCluster, get_task_stream
from imblearn.pipeline import make_pipeline
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.preprocessing import StandardScaler

from augment import AugmentedClassifier, GANGenerator, SyntheticOversampler, VAEGenerator

from _device import DEVICE

WORKER_ENVIRON = {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1}
FAST = {"epochs": 2, "random_state": 0, "device": DEVICE}
CV = StratifiedKFold(3, shuffle=True, random_state=0)


@pytest.fixture(scope="module")
def client():
    """Two worker processes of one thread each, with the worker environment the Dask guide recommends."""
    with (
        dask.config.set({"distributed.nanny.pre-spawn-environ": WORKER_ENVIRON}),
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def rare():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    keep = np.r_[np.flatnonzero(y == 1)[:150], np.flatnonzero(y == 0)[:30]]
    return X.iloc[keep, :8].reset_index(drop=True), y.iloc[keep].reset_index(drop=True)


def search():
    grid = {
        "generator": [VAEGenerator(**FAST), GANGenerator(**FAST, generator_dims=(32,), critic_dims=(32,))],
        "sampling_strategy": [0.5, 1.0],
    }
    return GridSearchCV(AugmentedClassifier(LogisticRegression(max_iter=1000), random_state=0), grid, cv=CV, n_jobs=-1)


@pytest.mark.slow
def test_grid_search_on_dask_equals_the_local_run(client, torch_threads, rare):
    torch_threads(1)  # the local reference at the workers' thread count, as bit-for-bit equality needs
    X, y = rare
    assert set(client.run(torch.get_num_threads).values()) == {1}
    local = search().set_params(n_jobs=1).fit(X, y)
    with joblib.parallel_backend("dask"), get_task_stream(client) as tasks:
        remote = search().fit(X, y)
    assert len({task["worker"] for task in tasks.data}) == 2
    for key in ("mean_test_score", "split0_test_score", "split1_test_score", "split2_test_score"):
        assert np.array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_["sampling_strategy"] == local.best_params_["sampling_strategy"]
    shipped = client.submit(GridSearchCV.fit, search().set_params(n_jobs=1), X, y).result()
    fitted_local, fitted_remote = local.best_estimator_.sampler_.generator_, shipped.best_estimator_.sampler_.generator_
    assert fitted_remote.get_params() == fitted_local.get_params()
    assert fitted_remote.sample(50)[0].equals(fitted_local.sample(50)[0])


@pytest.mark.slow
def test_cross_val_score_of_an_imblearn_pipeline_on_dask_equals_the_local_run(client, torch_threads, rare):
    torch_threads(1)  # the local reference at the workers' thread count, as bit-for-bit equality needs
    X, y = rare
    pipe = make_pipeline(
        StandardScaler(), SyntheticOversampler(VAEGenerator(**FAST), random_state=0), LogisticRegression()
    )
    local = cross_val_score(pipe, X, y, cv=CV, scoring="balanced_accuracy", n_jobs=1)
    with joblib.parallel_backend("dask"):
        remote = cross_val_score(pipe, X, y, cv=CV, scoring="balanced_accuracy", n_jobs=-1)
    assert np.array_equal(local, remote)
    assert local.min() > 0.5
