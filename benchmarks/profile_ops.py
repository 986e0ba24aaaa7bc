"""Where a fit's and a sampling call's time goes on the CPU, by kind of work, for each generator.

Each model fits once on the table under ``torch.profiler`` (after a one-epoch
warm-up on 500 rows), then samples. The wall time of each phase is split into
matrix products, random numbers, the optimizer's update, other torch
operators, the table encoder's fit and transform, and the rest of what ran
outside torch's operators (Python, numpy, pandas), then the operators that
took the most time are listed. Shares
come from the profiler's own clock, which adds a few microseconds per
operator, so the phases run somewhat slower here than in ``speed.py``.

    python benchmarks/profile_ops.py                         # GAN, VAE, VQ-VAE on 50,000 mixed rows
    python benchmarks/profile_ops.py --models VAE TVAE --epochs 2   # ctgan's models need the bench extra
"""

import argparse
import time
from collections import defaultdict

import torch
from speed import OURS, THEIRS, EncoderClock, ctgan_model, discrete, load_table
from torch.profiler import ProfilerActivity, profile

from augment.encoding import TabularEncoder

KINDS = {
    "matrix products": {"aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm", "aten::matmul"},
    "random numbers": {
        "aten::normal_",
        "aten::uniform_",
        "aten::bernoulli_",
        "aten::exponential_",
        "aten::randperm",
        "aten::random_",
        "aten::multinomial",
    },
    "optimizer update": {"aten::_fused_adam_", "aten::_foreach_add_", "aten::_foreach_mul_", "aten::_foreach_addcmul_"},
}


def kind_of(name):
    if name.startswith("Optimizer."):
        return "optimizer update"
    return next((kind for kind, names in KINDS.items() if name in names), "other torch operators")


def profiled(fn, encoder):
    """Run ``fn`` under the profiler: wall seconds, table encoder seconds, (name, self seconds) per operator."""
    clock = EncoderClock(encoder)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        fn()
        wall = time.perf_counter() - start
    clock.uninstall()
    return wall, clock.seconds, [(e.key, e.self_cpu_time_total / 1e6) for e in prof.key_averages()]


def breakdown(wall, encoder_s, ops, top):
    """Rows of (what, seconds, share of wall time): kinds of work first, then the top operators."""
    seconds = defaultdict(float)
    for name, s in ops:
        seconds[kind_of(name)] += s
    inside = sum(seconds.values())
    rows = [(kind, seconds[kind]) for kind in (*KINDS, "other torch operators")]
    rows.append(("table encoder's fit and transform", encoder_s))
    rows.append(("other work outside torch operators", max(wall - inside - encoder_s, 0.0)))
    rows += [(f"`{name}`", s) for name, s in sorted(ops, key=lambda op: -op[1])[:top]]
    return [(what, s, s / wall) for what, s in rows]


def fit_and_sample(name, X, y, epochs):
    """The two phases to profile for a warmed-up model (its fit, a 100,000-row sample) and its encoder class."""
    if name in THEIRS:
        from ctgan.data_transformer import DataTransformer

        columns = [*discrete(X), "label"]
        table = X.assign(label=y)
        ctgan_model(name, 1, "cpu").fit(table.iloc[:500], columns)
        model = ctgan_model(name, epochs, "cpu")
        return (lambda: model.fit(table, columns)), (lambda: model.sample(100_000)), DataTransformer
    OURS[name](epochs=1, device="cpu", random_state=0).fit(X.iloc[:500], y[:500])
    model = OURS[name](epochs=epochs, device="cpu", random_state=0)
    return (lambda: model.fit(X, y)), (lambda: model.sample(100_000)), TabularEncoder


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", default="mixed", choices=("mixed", "breast_cancer"))
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the mixed table")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--models", nargs="+", default=["GAN", "VAE", "VQ-VAE"], choices=(*OURS, *THEIRS))
    parser.add_argument("--top", type=int, default=6, help="operators listed after the kinds of work")
    args = parser.parse_args(argv)
    X, y = load_table(args.table, args.rows)
    print(f"{args.table}: {len(X):,} rows, {args.epochs} epoch(s), cpu, {torch.get_num_threads()} threads\n")
    for name in args.models:
        fit, sample, encoder = fit_and_sample(name, X, y, args.epochs)
        for phase, fn in (("fit", fit), ("sample 100,000 rows", sample)):
            wall, encoder_s, ops = profiled(fn, encoder)
            print(f"#### {name}, {phase}: {wall:.2f} s\n\n| where | seconds | share |\n|---|---|---|")
            for what, s, share in breakdown(wall, encoder_s, ops, args.top):
                print(f"| {what} | {s:.3f} | {share:.1%} |")
            print()


if __name__ == "__main__":
    main()
