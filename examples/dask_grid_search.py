"""
A grid search over generators on a Dask cluster
===============================================

Every (generator, amount, fold) fit of GridSearchCV becomes one task on a
Dask worker. The script times the search run locally (n_jobs=1, torch on one
thread), then on a LocalCluster of 2 worker processes with one thread each; give --scheduler to
send the tasks to a running cluster instead. The scores equal those of a
local n_jobs=1 run with torch on one thread (Dask's workers set
OMP_NUM_THREADS=1), and the search ships the best fitted generator back.

.. code-block:: bash

    pip install "augment[dask]"
    python examples/dask_grid_search.py                          # local, then a LocalCluster of 2
    python examples/dask_grid_search.py --scheduler tcp://10.0.0.5:8786
"""

import argparse
import time

import dask
import joblib
import numpy as np
import pandas as pd
import torch
from distributed import Client, LocalCluster
from generator_grid_search import rare_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from augment import AugmentedClassifier, GANGenerator, VAEGenerator, VQVAEGenerator

# Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536 besides the thread limits; setting
# it turns off glibc's adaptive mmap threshold, so torch's short-lived CPU tensors are mapped and
# unmapped at every step and a fit takes about twice as long (a VQ-VAE fit: 7.7 s -> 14.9 s here).
# Keep the thread limits, leave malloc alone. Workers started with `dask worker` read the same
# setting from their own Dask configuration.
WORKER_ENVIRON = {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1}


def search(epochs):
    pipe = make_pipeline(StandardScaler(), AugmentedClassifier(LogisticRegression(max_iter=5000), random_state=0))
    generators = [
        GANGenerator(epochs=epochs, random_state=0),
        VAEGenerator(epochs=epochs, random_state=0),
        VQVAEGenerator(epochs=epochs, prior_epochs=epochs, random_state=0),
    ]
    grid = {"augmentedclassifier__generator": generators, "augmentedclassifier__sampling_strategy": [0.5, 1.0]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    return GridSearchCV(pipe, grid, scoring="balanced_accuracy", cv=cv, n_jobs=-1)


def run(X, y, epochs):
    """Fit the search with every task on the current Dask client's workers; wall seconds and the fitted search."""
    start = time.perf_counter()
    with joblib.parallel_backend("dask"):
        fitted = search(epochs).fit(X, y)
    return time.perf_counter() - start, fitted


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the LocalCluster")
    parser.add_argument("--epochs", type=int, default=100, help="every generator's epochs (the VQ-VAE's prior too)")
    args = parser.parse_args()
    X, y = rare_cancer()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as on the workers, so that the scores can be compared bit for bit
    start = time.perf_counter()
    local = search(args.epochs).set_params(n_jobs=1).fit(X, y)
    timings = [{"where": "this process, n_jobs=1, 1 torch thread", "workers": 0, "s": time.perf_counter() - start}]
    torch.set_num_threads(threads)
    if args.scheduler:
        with Client(args.scheduler) as client:
            seconds, fitted = run(X, y, args.epochs)
            workers = len(client.scheduler_info()["workers"])
            timings.append({"where": args.scheduler, "workers": workers, "s": seconds})
    else:
        with (
            dask.config.set({"distributed.nanny.pre-spawn-environ": WORKER_ENVIRON}),
            LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None) as cluster,
            Client(cluster),
        ):
            seconds, fitted = run(X, y, args.epochs)
        timings.append({"where": "LocalCluster", "workers": args.workers, "s": seconds})
    print(pd.DataFrame(timings).to_string(index=False, float_format="%.1f"))
    results = pd.DataFrame(fitted.cv_results_)
    results["generator"] = results["param_augmentedclassifier__generator"].map(lambda g: type(g).__name__)
    columns = ["generator", "param_augmentedclassifier__sampling_strategy", "mean_test_score", "std_test_score"]
    print(results[columns].sort_values("mean_test_score", ascending=False).to_string(index=False))
    same = np.array_equal(fitted.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"])
    print(f"scores equal to this process's run: {same}")
    best = fitted.best_estimator_[-1].sampler_.generator_
    print(f"best: {type(best).__name__}, fitted on a worker and shipped back; 3 sampled rows (scaled), 5 columns:")
    print(np.round(best.sample(3)[0][:, :5], 3))


if __name__ == "__main__":
    main()
