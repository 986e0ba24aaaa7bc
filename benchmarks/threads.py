"""Torch threads against the work: 1 thread, 2 threads and augment's own choice, quiet and beside a busy process.

Each cell is one fit (at fixed epochs), one ``sample`` and one ``transform``
in a fresh process; "busy" runs one other process spinning on a core for the
whole cell, as a notebook beside another job or ``cross_val_score(n_jobs=2)``
does. The table shows seconds per cell (fit + sample + transform, the mean
of ``--repeats`` runs, settings taking turns within each repeat), the
threads augment chose in its calls, and augment's time against the faster
of 1 and 2 threads.

    python benchmarks/threads.py                     # breast_cancer and 50,000 mixed rows, 3 generators
    python benchmarks/threads.py --rows 5000         # a quicker look
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

SETTINGS = ("1", "2", "augment")
GENERATORS = ("GAN", "VAE", "VQ-VAE")


def job(spec):
    """Run one cell in this process and print its timings as JSON."""
    import numpy as np
    from sklearn.datasets import load_breast_cancer
    from speed import mixed_table

    from augment import GANGenerator, VAEGenerator, VQVAEGenerator, _threads

    chosen = []
    choose = _threads.choose_threads
    _threads.choose_threads = lambda n: chosen.append(choose(n)) or chosen[-1]

    classes = {"GAN": GANGenerator, "VAE": VAEGenerator, "VQ-VAE": VQVAEGenerator}
    if spec["table"] == "breast_cancer":
        X, y = load_breast_cancer(return_X_y=True, as_frame=True)
        epochs = 30
    else:
        X, y = mixed_table(spec["rows"])
        epochs = 1
    params = {"epochs": epochs, "random_state": 0}
    if spec["generator"] == "VQ-VAE":
        params["prior_epochs"] = epochs
    if spec["threads"] != "augment":
        params["n_threads"] = int(spec["threads"])
    generator = classes[spec["generator"]](**params)
    times = {}
    start = time.perf_counter()
    generator.fit(X, np.asarray(y))
    times["fit"] = time.perf_counter() - start
    start = time.perf_counter()
    generator.sample(20_000)
    times["sample"] = time.perf_counter() - start
    start = time.perf_counter()
    generator.transform(X.iloc[:20_000])
    times["transform"] = time.perf_counter() - start
    print(json.dumps({"seconds": sum(times.values()), "chosen": sorted(set(chosen))}))


def cell(spec, busy):
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--job", json.dumps(spec)], capture_output=True, text=True, check=True
        ).stdout
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the large mixed table")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each cell (default 2)")
    parser.add_argument("--job", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.job:
        job(json.loads(args.job))
        return
    print("| generator | table | machine | 1 thread | 2 threads | augment | augment chose | augment / best |")
    print("|:--|:--|:--|--:|--:|--:|--:|--:|")
    for table in ("breast_cancer", f"mixed {args.rows:,}"):
        for generator in GENERATORS:
            for busy in (False, True):
                runs = {setting: [] for setting in SETTINGS}
                chose = set()
                for _ in range(args.repeats):
                    for setting in SETTINGS:
                        spec = {"generator": generator, "table": table.split()[0], "rows": args.rows}
                        result = cell({**spec, "threads": setting}, busy)
                        runs[setting].append(result["seconds"])
                        chose.update(result["chosen"] if setting == "augment" else [])
                seconds = {setting: statistics.mean(values) for setting, values in runs.items()}
                best = min(seconds["1"], seconds["2"])
                row = " | ".join(f"{seconds[s]:.2f}" for s in SETTINGS)
                machine = "busy" if busy else "quiet"
                picked = ", ".join(map(str, sorted(chose)))
                ratio = seconds["augment"] / best
                print(f"| {generator} | {table} | {machine} | {row} | {picked} | {ratio:.2f} |", flush=True)


if __name__ == "__main__":
    main()
