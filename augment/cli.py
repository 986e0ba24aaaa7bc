"""The ``augment`` command: fit, sample, report and a demo on bundled data.

Options of ``augment fit`` are made from the generators' own parameters and
docstrings, so the command line always offers what the estimators take.
"""

import argparse
import inspect
import re
import sys
from numbers import Integral
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval, StrOptions

from ._files import atomic_write, check_folder_writable
from .base import BaseGenerator
from .comparison import GENERATORS as DEMO_GENERATORS
from .generators import GANGenerator, VAEGenerator, VQVAEGenerator
from .persistence import is_pickle, load, save
from .report import quality_report

MODELS = {"gan": GANGenerator, "vae": VAEGenerator, "vqvae": VQVAEGenerator}
_SKIPPED = {"discrete_columns", "verbose"}


class CommandError(Exception):
    """A problem with the command's input, reported in one line."""


_ROLE = re.compile(r":\w+:`~?(?:[\w.]*\.)?([^`]+)`")


def _plain(text):
    """Docstring text without its reStructuredText markup: roles become their last name, literals plain."""
    return _ROLE.sub(r"\1", text).replace("``", "").replace("`", "")


def _parameter_docs(cls):
    """``{name: first sentence of its description}`` from a numpydoc Parameters section, as plain text."""
    doc = inspect.getdoc(cls) or ""
    section = doc.split("Parameters\n----------\n", 1)[-1].split("\n\n", 1)[0]
    docs = {}
    for match in re.finditer(r"^(\w+) : [^\n]*\n((?:    [^\n]*\n?)+)", section, flags=re.M):
        docs[match.group(1)] = _plain(" ".join(match.group(2).split()).split(". ")[0])
    return docs


def _integers(text):
    return tuple(int(v) for v in text.split(","))


_integers.__name__ = "comma-separated integers"  # argparse names it in its errors


def _nullable(cls, name):
    return None in cls._parameter_constraints.get(name, ())


def _count_or_auto(cls, name):
    """Whether parameter ``name`` of ``cls`` is a whole number or ``"auto"``."""
    constraints = cls._parameter_constraints.get(name, ())
    auto = any(isinstance(c, StrOptions) and "auto" in c.options for c in constraints)
    return auto and any(isinstance(c, Interval) and c.type is Integral for c in constraints)


def _int_or_auto(text):
    return text if text == "auto" else int(text)


_int_or_auto.__name__ = "integer or auto"  # argparse names it in its errors


def _value_type(cls, name, default):
    if any(_count_or_auto(model, name) for model in MODELS.values()):
        return _int_or_auto
    parse = _plain_type(name, default)
    if not _nullable(cls, name):
        return parse

    def parse_or_none(text):
        return None if text.lower() == "none" else parse(text)

    parse_or_none.__name__ = f"{parse.__name__} or none"  # argparse names it in its errors
    return parse_or_none


def _plain_type(name, default):
    if name == "image_shape":
        return _integers
    if default is None:
        return int
    if isinstance(default, bool):
        return lambda text: text.lower() in ("1", "true", "yes")
    if isinstance(default, tuple):
        return _integers
    if isinstance(default, (int, float)):
        return type(default)
    return str


def _shown(default):
    return ",".join(map(str, default)) if isinstance(default, tuple) else default


def _described(name, per_model, docs):
    """The description of parameter ``name``: one text, or each model's where the models describe it differently."""
    texts = {}
    for model, (cls, _) in per_model.items():
        texts.setdefault(docs[cls].get(name, "").rstrip("."), []).append(model)
    if len(texts) == 1:
        return next(iter(texts))
    return "; ".join(f"{', '.join(models)}: {text}" for text, models in texts.items())


def _add_generator_options(parser):
    """One ``--name`` option per generator parameter (the union over all three).

    The help shows the default, per model where the models differ. An
    option left out is absent from the parsed arguments, so ``none`` can
    set a parameter that allows it to ``None``.
    """
    defaults, docs = {}, {cls: _parameter_docs(cls) for cls in MODELS.values()}
    for model, cls in MODELS.items():
        for name, default in cls().get_params().items():
            if name not in _SKIPPED:
                defaults.setdefault(name, {})[model] = (cls, default)
    groups = {}
    for name, per_model in defaults.items():
        cls, default = next(iter(per_model.values()))
        shown = {_shown(d) for _, d in per_model.values()}
        if len(shown) > 1:
            shown = ", ".join(f"{model} {_shown(d)}" for model, (_, d) in per_model.items())
        else:
            shown = shown.pop()
        none = "; none for None" if _nullable(cls, name) else ""
        title = "options of every model" if len(per_model) == len(MODELS) else f"{' and '.join(per_model)} options"
        if title not in groups:
            groups[title] = parser.add_argument_group(title)
        groups[title].add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            type=_value_type(cls, name, default),
            default=argparse.SUPPRESS,
            help=f"{_described(name, per_model, docs)} (default {shown}{none})",
        )
    return {name: next(iter(per_model.values()))[0] for name, per_model in defaults.items()}


STDIO = "-"
"""The file name that means standard input (a table to fit) or standard output (drawn rows), as in most tools."""


def read_table(path):
    """A DataFrame from a CSV or Parquet file, or CSV from standard input for ``-``."""
    if str(path) == STDIO:
        try:
            return pd.read_csv(sys.stdin)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
            raise CommandError(f"standard input is not a readable CSV table: {error}") from error
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    if path.suffix.lower() == ".parquet":
        try:
            return pd.read_parquet(path)
        except ImportError as error:
            raise CommandError("reading Parquet needs pyarrow: pip install pyarrow") from error
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise CommandError(f"{path} is not a readable CSV file: {error}") from error


def write_table(frame, path, force):
    """Write ``frame`` as CSV, or Parquet by the suffix, replacing ``path`` only once it is complete."""
    path = Path(path)
    _check_writable(path, force)
    with atomic_write(path) as temporary:
        if path.suffix.lower() == ".parquet":
            try:
                frame.to_parquet(temporary, index=False)
            except ImportError as error:
                raise CommandError("writing Parquet needs pyarrow: pip install pyarrow") from error
        else:
            frame.to_csv(temporary, index=False)


def _check_writable(path, force):
    if Path(path).exists() and not force:
        raise CommandError(f"{path} exists; pass --force to overwrite it")
    if Path(path).is_dir():
        raise CommandError(f"{path} is a folder; name a file")
    check_folder_writable(path)


def _describe_types(frame, discrete):
    kinds = []
    for name in frame.columns:
        series = frame[name]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        kind = (
            "categorical"
            if name in discrete or not numeric
            else "integer"
            if series.dtype.kind in "iu"
            else "continuous"
        )
        kinds.append(f"{name}: {kind} ({series.dtype})")
    return "columns: " + "; ".join(kinds)


def cmd_fit(args):
    table = read_table(args.data)
    known = set(table.columns)
    for name in [*(args.discrete or []), *([args.target] if args.target else [])]:
        if name not in known:
            raise CommandError(f"column {name!r} is not in {args.data}; columns: {', '.join(map(str, table.columns))}")
    _check_writable(args.output, args.force)
    y = table.pop(args.target) if args.target else None
    print(_describe_types(table, set(args.discrete or [])), file=sys.stderr)
    cls = MODELS[args.model]
    given = {k: v for k, v in vars(args).items() if k in args.generator_options}
    params = {k: v for k, v in given.items() if k in cls().get_params()}
    unused = sorted(given.keys() - params.keys())
    if unused:
        raise CommandError(
            f"--model {args.model} has no option {', '.join('--' + u.replace('_', '-') for u in unused)}"
        )
    generator = cls(discrete_columns=args.discrete, verbose=not args.quiet, **params)
    try:
        generator.fit(table, y)
    except (ValueError, TypeError) as error:
        raise CommandError(str(error)) from error
    save(generator, args.output)
    args.written.append(args.output)
    print(f"saved {type(generator).__name__} fit on {len(table)} rows to {args.output}")


def _load_model(path, trust_pickle):
    if not Path(path).is_file():
        raise CommandError(f"no such file: {path}")
    if not (trust_pickle and is_pickle(path)):
        try:
            return load(path)
        except ValueError as error:
            raise CommandError(f"{error}{' --trust-pickle reads it.' if is_pickle(path) else ''}") from error
    try:
        model = joblib.load(path)
    except Exception as error:  # any unpickling failure means "not a model file"
        raise CommandError(f"{path} is not an augment model file ({type(error).__name__})") from error
    if not isinstance(model, BaseGenerator):
        raise CommandError(f"{path} holds a {type(model).__name__}, not an augment generator")
    return model


def _class_counts(pairs, model):
    counts = {}
    classes = {str(c): c for c in getattr(model, "classes_", [])}
    for pair in pairs:
        label, _, count = pair.rpartition("=")
        if not label or not count.strip().lstrip("-").isdigit():
            raise CommandError(f"--class takes LABEL=COUNT with a whole number, got {pair!r}")
        if not classes:
            raise CommandError("--class needs a model fit with --target")
        if label not in classes:
            raise CommandError(f"unknown class {label!r}; the model knows {', '.join(classes)}")
        counts[classes[label]] = int(count)
    return counts


def cmd_sample(args):
    model = _load_model(args.model, args.trust_pickle)
    _check_writable(args.output, args.force)
    counts = _class_counts(args.klass or [], model)
    try:
        drawn = model.sample(None if counts else args.n, y=counts or None, reject_copies=args.reject_copies)
    except (ValueError, TypeError, MemoryError) as error:
        raise CommandError(str(error)) from error
    if isinstance(drawn, tuple):
        X, y = drawn
        frame = pd.DataFrame(X).assign(**{str(y.name or "target"): np.asarray(y)})
    else:
        frame = pd.DataFrame(drawn)
    if args.output == STDIO:
        frame.to_csv(sys.stdout, index=False)
        print(f"wrote {len(frame)} rows to standard output", file=sys.stderr)
        return
    write_table(frame, args.output, args.force)
    args.written.append(args.output)
    print(f"wrote {len(frame)} rows to {args.output}")


def _plot(report, path):
    try:
        report.plot(path)
    except ImportError as error:
        raise CommandError(str(error)) from error


def cmd_report(args):
    real, synthetic = read_table(args.real), read_table(args.synthetic)
    if list(real.columns) != list(synthetic.columns):
        raise CommandError(f"{args.real} and {args.synthetic} have different columns")
    if args.plot:
        _check_writable(args.plot, args.force)
    report = quality_report(real, synthetic, discrete_columns=args.discrete)
    print(report.summary())
    if args.plot:
        _plot(report, args.plot)
        args.written.append(args.plot)
        print(f"figure written to {args.plot}")


def cmd_demo(args):
    from .demo import run_demo

    _check_writable(args.plot, args.force)
    try:
        run_demo(args.plot, epochs=args.epochs, seeds=args.seeds, generators=args.generators, verbose=not args.quiet)
    except ImportError as error:
        raise CommandError(str(error)) from error
    args.written.append(args.plot)


def build_parser():
    parser = argparse.ArgumentParser(prog="augment", description="Learned generators for small and imbalanced tables.")
    commands = parser.add_subparsers(dest="command", required=True)

    fit = commands.add_parser("fit", help="fit a generator on a CSV or Parquet table and save it")
    fit.add_argument("data", help="CSV or Parquet file; - for CSV on standard input")
    fit.add_argument("--model", choices=sorted(MODELS), default="vae", help="the generator to fit (default vae)")
    fit.add_argument("--target", help="class label column to condition on")
    fit.add_argument("--discrete", nargs="+", metavar="COL", help="columns to treat as categorical")
    fit.add_argument("-o", "--output", default="model.safetensors", help="where to save (augment.save's format)")
    fit.add_argument("--force", action="store_true", help="overwrite the output file")
    fit.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    fit.set_defaults(generator_options=_add_generator_options(fit), run=cmd_fit)

    sample = commands.add_parser("sample", help="draw rows from a saved generator")
    sample.add_argument("model", help="a file written by augment fit")
    sample.add_argument("-n", type=int, default=1000, help="rows to draw (default 1000)")
    sample.add_argument("--class", dest="klass", nargs="+", metavar="LABEL=COUNT", help="rows per class instead of -n")
    sample.add_argument(
        "-o", "--output", default="synthetic.csv", help="CSV or .parquet file; - for CSV on standard output"
    )
    sample.add_argument("--force", action="store_true", help="overwrite the output file")
    sample.add_argument("--reject-copies", action="store_true", help="draw again every row that equals a training row")
    sample.add_argument(
        "--trust-pickle",
        action="store_true",
        help="also read a joblib (pickle) model file; it runs code when read, so only one from a source you trust",
    )
    sample.set_defaults(run=cmd_sample)

    report = commands.add_parser("report", help="score a synthetic table against a real one")
    report.add_argument("real")
    report.add_argument("synthetic")
    report.add_argument("--discrete", nargs="+", metavar="COL", help="columns to treat as categorical")
    report.add_argument("--plot", help="write the report figure to this PNG file")
    report.add_argument("--force", action="store_true", help="overwrite the figure")
    report.set_defaults(run=cmd_report)

    demo = commands.add_parser("demo", help="does augmentation help? every method on the RAND health table")
    demo.add_argument("--plot", default="augment-demo.png", help="where to write the report figure")
    demo.add_argument("--epochs", type=int, default=300, help="epochs of every generator (default 300)")
    demo.add_argument("--seeds", type=int, default=5, help="train/test draws of 300 training rows (default 5)")
    demo.add_argument(
        "--generators",
        nargs="+",
        choices=tuple(DEMO_GENERATORS),
        default=["VAE"],
        help="generators to compare (default VAE; --generators GAN VAE VQ-VAE for all three, about 5 minutes)",
    )
    demo.add_argument("--force", action="store_true", help="overwrite the figure")
    demo.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(run=cmd_demo)
    return parser


def _os_message(error):
    return f"{error.filename}: {error.strerror}" if error.filename else str(error)


def main(argv=None):
    """Entry point of the ``augment`` console script; returns the exit code.

    Every expected failure prints one line and returns non-zero: bad input,
    a file that cannot be written, a diverged fit (1), Ctrl-C (130). A file
    being written when it fails is left as it was.
    """
    args = build_parser().parse_args(argv)
    args.written = []
    try:
        args.run(args)
    except KeyboardInterrupt:
        done = f"{', '.join(map(str, args.written))} had been written" if args.written else "nothing was written"
        print(f"augment {args.command}: interrupted; {done}", file=sys.stderr)
        return 130
    except (CommandError, FloatingPointError) as error:
        print(f"augment {args.command}: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"augment {args.command}: {_os_message(error)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
