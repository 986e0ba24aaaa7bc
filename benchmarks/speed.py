"""Speed of augment's generators against ctgan's CTGAN and TVAE, side by side.

Every fit runs in a fresh process (so its peak resident memory is its own),
the models take turns within each repeat (so machine drift spreads over all
of them) and the table shows medians over repeats. Both libraries get the
same table, epochs, batch size (500) and hidden widths (the defaults of
both: 128-wide noise/latent, 256-wide GAN layers, 128-wide VAE layers).

    pip install torch==2.13.0 -e ".[bench]"      # ctgan, in its own environment
    python benchmarks/speed.py                   # 50,000-row mixed table + breast_cancer
    python benchmarks/speed.py --rows 5000 --repeats 1 --no-quality   # a quick look
    python benchmarks/speed.py --device cuda --output speed-cuda.md

Measured: fit time end to end and without the encoder (rows x epochs per
second), encoder fit + transform against ctgan's ``DataTransformer``,
sampling (unconditional and for the rarest class; the median of three
calls), peak resident memory of each fit, the machine's float32 matmul rate
and each network's training FLOPs per row (counted by
``torch.utils.flop_counter``), hence the fastest any implementation of that
network could train here, and time to quality: the wall time of the shortest
default fit whose logistic detection AUC is no worse than CTGAN's after its
default 300 epochs.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch.utils.flop_counter import FlopCounterMode

import augment.encoding
from augment import GANGenerator, VAEGenerator, VQVAEGenerator
from augment.metrics import detection_auc

OURS = {
    "GAN": lambda **kw: GANGenerator(**kw),
    "GAN, 1 critic step": lambda **kw: GANGenerator(critic_steps=1, **kw),
    "VAE": lambda **kw: VAEGenerator(**kw),
    "VQ-VAE": lambda **kw: VQVAEGenerator(prior_epochs=kw["epochs"], **kw),
}
THEIRS = ("CTGAN", "TVAE")
PAIRS = (("GAN", "CTGAN"), ("GAN, 1 critic step", "CTGAN"), ("VAE", "TVAE"))
CATEGORY_SIZES = (2, 3, 5, 8, 12, 20, 35, 50)
SAMPLE_ROWS = 100_000
QUALITY_SCHEDULE = (5, 10, 20, 40, 80, 150, 300)


# ------------------------------------------------------------------ tables
def mixed_table(n_rows, seed=0):
    """20 continuous columns (bimodal, log-normal, exponential, skewed mixtures), 8 categorical, a 5% label."""
    rng = np.random.default_rng(seed)
    columns = {}
    for i in range(20):
        kind = i % 4
        if kind == 0:
            values = np.where(rng.random(n_rows) < 0.5, rng.normal(-2, 0.5, n_rows), rng.normal(2, 1, n_rows))
        elif kind == 1:
            values = rng.lognormal(0, 1, n_rows)
        elif kind == 2:
            values = rng.exponential(3, n_rows).round(1)
        else:
            values = np.where(rng.random(n_rows) < 0.8, rng.gamma(2, 1, n_rows), rng.normal(15, 2, n_rows))
        columns[f"num_{i}"] = values
    for j, size in enumerate(CATEGORY_SIZES):
        weights = rng.dirichlet(np.ones(size))
        columns[f"cat_{j}"] = np.asarray([f"c{k}" for k in range(size)], dtype=object)[
            rng.choice(size, n_rows, p=weights)
        ]
    label = (rng.random(n_rows) < 0.05).astype(int)
    return pd.DataFrame(columns), label


def load_table(name, n_rows):
    if name == "mixed":
        return mixed_table(n_rows)
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


def discrete(X):
    return [c for c in X.columns if X[c].dtype == object]


# ---------------------------------------------------------------- workers
class EncoderClock:
    """Adds up the seconds spent in an encoder class's ``fit`` and ``transform`` while installed."""

    def __init__(self, cls):
        self.seconds = 0.0
        self._cls = cls
        self._originals = {name: getattr(cls, name) for name in ("fit", "transform")}
        for name, method in self._originals.items():
            setattr(cls, name, self._timed(method))

    def uninstall(self):
        for name, method in self._originals.items():
            setattr(self._cls, name, method)

    def _timed(self, method):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ctgan_model(model, epochs, device):
    from ctgan import CTGAN, TVAE

    cls = CTGAN if model == "CTGAN" else TVAE
    return cls(epochs=epochs, cuda=device == "cuda")


def fit_job(job):
    """Fit one model on one table, then sample from it: seconds, peak memory, throughputs.

    A one-epoch fit on 500 rows first warms up the process (lazy imports,
    kernel selection), the same for both libraries.
    """
    X, y = load_table(job["table"], job["rows"])
    rare = int(np.bincount(y).argmin())
    if job["model"] in THEIRS:
        from ctgan.data_transformer import DataTransformer

        table = X.assign(label=y)
        ctgan_model(job["model"], 1, job["device"]).fit(table.iloc[:500], [*discrete(X), "label"])
        before = peak_mb()
        clock = EncoderClock(DataTransformer)
        model = ctgan_model(job["model"], job["epochs"], job["device"])
        start = time.perf_counter()
        model.fit(table, [*discrete(X), "label"])
        fit_s = time.perf_counter() - start
        peak = peak_mb()
        sample = lambda: model.sample(SAMPLE_ROWS)  # noqa: E731
        conditional = None
        if job["model"] == "CTGAN":
            conditional = lambda: model.sample(SAMPLE_ROWS // 5, "label", rare)  # noqa: E731
    else:
        OURS[job["model"]](epochs=1, device=job["device"], random_state=0).fit(X.iloc[:500], y[:500])
        before = peak_mb()
        clock = EncoderClock(augment.encoding.TabularEncoder)
        model = OURS[job["model"]](epochs=job["epochs"], device=job["device"], random_state=job["seed"])
        start = time.perf_counter()
        model.fit(X, y)
        fit_s = time.perf_counter() - start
        peak = peak_mb()
        sample = lambda: model.sample(SAMPLE_ROWS)  # noqa: E731
        conditional = lambda: model.sample(y={rare: SAMPLE_ROWS // 5})  # noqa: E731
    encoder_s = clock.seconds
    sample_s = sampling_seconds(sample)
    conditional_s = sampling_seconds(conditional) if conditional else None
    rows_epochs = len(X) * job["epochs"]
    return {
        "fit s": fit_s,
        "encoder s": encoder_s,
        "rows·epochs/s": rows_epochs / fit_s,
        "training rows·epochs/s": rows_epochs / (fit_s - encoder_s),
        "sample rows/s": SAMPLE_ROWS / sample_s,
        "rare-class rows/s": SAMPLE_ROWS // 5 / conditional_s if conditional else None,
        "peak MB": peak,
        "MB before fit": before,
    }


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def sampling_seconds(fn, calls=3):
    """Median seconds of ``calls`` calls of ``fn``: one call's time moved by up to 2x on 2 cores."""
    return statistics.median(timed(fn) for _ in range(calls))


def encoder_job(job):
    """Fit + transform of augment's encoder or ctgan's DataTransformer on the table (label included)."""
    X, y = load_table(job["table"], job["rows"])
    table = X.assign(label=y.astype(str))
    if job["model"] == "ctgan DataTransformer":
        from ctgan.data_transformer import DataTransformer

        def run():
            transformer = DataTransformer()
            transformer.fit(table, [*discrete(X), "label"])
            transformer.transform(table)

    else:

        def run():
            encoder = augment.encoding.TabularEncoder(random_state=0).fit(table)
            encoder.transform(table)

    return {"seconds": timed(run)}


def flops_job(job):
    """Training FLOPs per row per epoch and sampling FLOPs per row, as torch's counter sees them."""
    X, y = load_table(job["table"], job["rows"])
    n = len(X)
    with FlopCounterMode(display=False) as counter:
        if job["model"] in THEIRS:
            model = ctgan_model(job["model"], 1, "cpu")
            model.fit(X.assign(label=y), [*discrete(X), "label"])
        else:
            model = OURS[job["model"]](epochs=1, device="cpu", random_state=0).fit(X, y)
    train = counter.get_total_flops() / n
    with FlopCounterMode(display=False) as counter:
        model.sample(10_000)
    return {"train": train, "sample": counter.get_total_flops() / 10_000}


def quality_job(job):
    """Fit at the given epochs (defaults otherwise) on half of breast_cancer; detection AUC against the other half."""
    X, y = load_table("breast_cancer", 0)
    train, test, y_train, _ = train_test_split(X, y, test_size=0.5, stratify=y, random_state=job["seed"])
    start = time.perf_counter()
    if job["model"] in THEIRS:
        model = ctgan_model(job["model"], job["epochs"], job["device"])
        model.fit(train.assign(label=y_train), ["label"])
        fit_s = time.perf_counter() - start
        synthetic = model.sample(len(test)).drop(columns="label")
    else:
        model = OURS[job["model"]](epochs=job["epochs"], device=job["device"], random_state=job["seed"])
        model.fit(train, y_train)
        fit_s = time.perf_counter() - start
        synthetic = model.sample(len(test))[0]
    return {"fit s": fit_s, "auc": detection_auc(test, synthetic, model="logistic")}


def matmul_job(job):
    """float32 GFLOP/s of ``addmm`` at training shapes (batch x inputs x 256), best of the shapes."""
    device = torch.device(job["device"])
    rates = []
    for fan_in in (256, 512, 1024, 3910):
        a = torch.randn(500, fan_in, device=device)
        w = torch.randn(256, fan_in, device=device)
        bias = torch.randn(256, device=device)
        for _ in range(5):
            torch.addmm(bias, a, w.T)
        reps = 200
        sync(device)
        start = time.perf_counter()
        for _ in range(reps):
            torch.addmm(bias, a, w.T)
        sync(device)
        rates.append(2 * 500 * fan_in * 256 * reps / (time.perf_counter() - start) / 1e9)
    return {"gflops": max(rates)}


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


JOBS = {"fit": fit_job, "encoder": encoder_job, "flops": flops_job, "quality": quality_job, "matmul": matmul_job}


def run_worker(job):
    """Run ``job`` in a fresh interpreter; its JSON answer is the last line it prints."""
    done = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(job)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{job} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ report
def median(records, key):
    values = [r[key] for r in records if r.get(key) is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=0):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def interleave(jobs, repeats, progress):
    """Run every job ``repeats`` times, rotating their order each repeat; results grouped per job."""
    results = {i: [] for i in range(len(jobs))}
    for r in range(repeats):
        order = list(range(len(jobs)))
        order = order[r % len(order) :] + order[: r % len(order)]
        for i in order:
            job = {**jobs[i], "seed": r}
            progress(f"repeat {r + 1}/{repeats}: {job['task']} {job['model']} on {job.get('table', '')}")
            results[i].append(run_worker(job))
    return [results[i] for i in range(len(jobs))]


def speed_section(table, rows, epochs, device, repeats, models, progress, peak_rate):
    common = {"task": "fit", "table": table, "rows": rows, "epochs": epochs, "device": device}
    fits = [{**common, "model": m} for m in models]
    encoders = [
        {"task": "encoder", "model": name, "table": table, "rows": rows}
        for name in ("augment TabularEncoder", "ctgan DataTransformer")
        if name.startswith("augment") or any(m in THEIRS for m in models)
    ]
    outcome = interleave(fits + encoders, repeats, progress)
    fit_results = dict(zip(models, outcome[: len(fits)], strict=True))
    encoder_s = {job["model"]: median(res, "seconds") for job, res in zip(encoders, outcome[len(fits) :], strict=True)}
    flops = {m: run_worker({"task": "flops", "model": m, "table": table, "rows": min(rows, 2000)}) for m in models}

    n_rows = len(load_table(table, rows)[0])
    keys = ("fit s", "rows·epochs/s", "training rows·epochs/s", "sample rows/s", "rare-class rows/s", "peak MB")
    lines = [f"### {table}: {n_rows:,} rows, {epochs} epochs, {device}, median of {repeats}", ""]
    body = []
    for m in models:
        med = {k: median(fit_results[m], k) for k in keys}
        ceiling = peak_rate * 1e9 / flops[m]["train"]
        body.append(
            [
                m,
                fmt(med["fit s"], 1),
                fmt(med["rows·epochs/s"]),
                fmt(med["training rows·epochs/s"]),
                fmt(flops[m]["train"] / 1e6, 2),
                fmt(ceiling),
                fmt(100 * med["training rows·epochs/s"] / ceiling, 1) + "%",
                fmt(med["sample rows/s"]),
                fmt(med["rare-class rows/s"]),
                fmt(peak_rate * 1e9 / flops[m]["sample"]),
                fmt(med["peak MB"]),
            ]
        )
    header = [
        "model",
        "fit s",
        "rows·epochs/s",
        "training rows·epochs/s",
        "training MFLOP/row",
        "ceiling rows/s",
        "of ceiling",
        "sample rows/s",
        "rare-class rows/s",
        "sampling ceiling rows/s",
        "peak MB",
    ]
    lines += [markdown(header, body), ""]
    ratios = []
    for ours, theirs in PAIRS:
        if ours in fit_results and theirs in fit_results:
            ratio = [f"{ours} / {theirs}"]
            for k in keys:
                a, b = median(fit_results[ours], k), median(fit_results[theirs], k)
                ratio.append("n/a" if a is None or b is None else f"{a / b:.2f}x")
            ratios.append(ratio)
    if ratios:
        lines += [markdown(["ratio", *keys], ratios), ""]
    enc_rows = [[name, fmt(seconds, 2)] for name, seconds in encoder_s.items()]
    if len(encoder_s) == 2:
        enc_rows.append(
            ["ctgan / augment", f"{encoder_s['ctgan DataTransformer'] / encoder_s['augment TabularEncoder']:.1f}x"]
        )
    lines += [markdown(["encoder fit + transform", "seconds"], enc_rows), ""]
    return "\n".join(lines)


def quality_section(device, models, progress):
    """CTGAN at 300 epochs sets the AUC; each augment model climbs an epoch schedule until it is no worse."""
    progress("time to quality: CTGAN, 300 epochs")
    target = run_worker({"task": "quality", "model": "CTGAN", "epochs": 300, "device": device, "seed": 0})
    rows = [["CTGAN", 300, fmt(target["fit s"], 1), f"{target['auc']:.3f}", "1"]]
    for m in models:
        reached = None
        for epochs in QUALITY_SCHEDULE:
            progress(f"time to quality: {m}, {epochs} epochs")
            result = run_worker({"task": "quality", "model": m, "epochs": epochs, "device": device, "seed": 0})
            if result["auc"] <= target["auc"]:
                reached = (epochs, result)
                break
        if reached is None:
            rows.append([m, f"not within {QUALITY_SCHEDULE[-1]}", "n/a", f"{result['auc']:.3f}", "n/a"])
        else:
            epochs, result = reached
            rows.append(
                [m, epochs, fmt(result["fit s"], 1), f"{result['auc']:.3f}", f"{result['fit s'] / target['fit s']:.3f}"]
            )
    header = ["model", "epochs", "fit s", "detection AUC (logistic)", "time / CTGAN's"]
    text = (
        "### time to quality: breast_cancer, fit on one half, detection AUC against the other\n\n"
        f"Epochs climb {', '.join(map(str, QUALITY_SCHEDULE))} (each a fresh fit at defaults) until the AUC is "
        "no higher than CTGAN's after 300 epochs.\n\n" + markdown(header, rows) + "\n"
    )
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the mixed table")
    parser.add_argument("--epochs", type=int, default=2, help="epochs of every timed fit")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--tables", nargs="+", default=["mixed", "breast_cancer"], choices=("mixed", "breast_cancer"))
    parser.add_argument("--models", nargs="+", choices=(*OURS, *THEIRS), help="time only these models")
    parser.add_argument("--no-ctgan", action="store_true", help="time augment's generators only")
    parser.add_argument("--no-quality", action="store_true", help="skip the time-to-quality runs")
    parser.add_argument("--output", help="also write the tables as markdown to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        job = json.loads(args.worker)
        print(json.dumps(JOBS[job["task"]](job)))
        return

    def progress(message):
        print(message, file=sys.stderr, flush=True)

    models = [m for m in args.models or (*OURS, *THEIRS) if not (args.no_ctgan and m in THEIRS)]
    rate = run_worker({"task": "matmul", "device": args.device})["gflops"]
    sections = [
        f"float32 matmul at training shapes: {rate:,.0f} GFLOP/s on {args.device} "
        f"({torch.get_num_threads()} threads); ceiling = that rate / FLOPs per row.\n"
    ]
    for table in args.tables:
        sections.append(speed_section(table, args.rows, args.epochs, args.device, args.repeats, models, progress, rate))
    if not args.no_quality and "CTGAN" in models:
        sections.append(
            quality_section(args.device, [m for m in models if m in OURS and m != "GAN, 1 critic step"], progress)
        )
    report = "\n".join(sections)
    print(report)
    if args.output:
        with open(args.output, "w") as out:
            out.write(report)


if __name__ == "__main__":
    main()
