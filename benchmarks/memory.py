"""Peak memory of fit and sample at a million rows and at a 20,000-category column.

Each case runs in a fresh process, so the peak resident memory it reports is
its own: after ``fit`` (encoder, model, one epoch) and after drawing as many
rows as it was fit on. The wide case lifts ``max_categories``, which by
default refuses a column of more than 1,000 categories.

    python benchmarks/memory.py                      # every case, 10 minutes each at most
    python benchmarks/memory.py --cases "VAE, 1M rows"
"""

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd
from speed import mixed_table
from tabulate import tabulate

from augment import GANGenerator, VAEGenerator, VQVAEGenerator

MODELS = {
    "GAN": lambda: GANGenerator(epochs=1, random_state=0, max_categories=None),
    "VAE": lambda: VAEGenerator(epochs=1, random_state=0, max_categories=None),
    "VQ-VAE": lambda: VQVAEGenerator(epochs=1, prior_epochs=1, random_state=0, max_categories=None),
}
TABLES = {"1M rows": "million", "20k categories": "wide"}


def table(kind):
    """``(X, y)``: the mixed table at 1,000,000 rows (28 columns and a label), or 20,000 rows with a
    column of 20,000 distinct strings and no label."""
    if kind == "million":
        return mixed_table(1_000_000)
    rng = np.random.default_rng(0)
    n = 20_000
    ids = [f"u{i:05d}" for i in range(n)]
    return pd.DataFrame({"id": ids, "x": rng.normal(size=n), "k": rng.integers(0, 5, n)}), None


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(model, kind):
    frame, y = table(kind)
    loaded = peak_mib()
    start = time.perf_counter()
    generator = MODELS[model]().fit(frame, y)
    fit_s, fit_peak = time.perf_counter() - start, peak_mib()
    start = time.perf_counter()
    generator.sample(len(frame))
    print(
        json.dumps(
            {
                "table": loaded,
                "fit": fit_peak,
                "fit_s": fit_s,
                "sample": peak_mib(),
                "sample_s": time.perf_counter() - start,
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", help='e.g. "VAE, 1M rows"; default: all')
    parser.add_argument("--timeout", type=float, default=600, help="seconds per case")
    parser.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_case(*args.case)
        return
    rows = []
    for name, kind in TABLES.items():
        for model in MODELS:
            label = f"{model}, {name}"
            if args.cases and label not in args.cases:
                continue
            command = [sys.executable, __file__, "--case", model, kind]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout, check=True)
                m = json.loads(done.stdout.strip().splitlines()[-1])
                rows.append(
                    [
                        label,
                        f"{m['table']:,.0f}",
                        f"{m['fit']:,.0f}",
                        f"{m['fit_s']:.0f}",
                        f"{m['sample']:,.0f}",
                        f"{m['sample_s']:.1f}",
                    ]
                )
            except subprocess.TimeoutExpired:
                rows.append([label, "", f"did not finish in {args.timeout:.0f} s", "", "", ""])
            print(tabulate(rows[-1:], tablefmt="plain"), flush=True)
    headers = ["case", "table loaded (MiB)", "peak after fit (MiB)", "fit (s)", "peak after sample (MiB)", "sample (s)"]
    print(tabulate(rows, headers=headers, tablefmt="github"))


if __name__ == "__main__":
    main()
