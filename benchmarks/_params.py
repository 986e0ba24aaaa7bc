"""``--param NAME=VALUE`` for the benchmark scripts: any generator parameter from the command line."""

import argparse
import ast


def param(text):
    """``"pac=2"`` as ``("pac", 2)``, the value read as a Python literal."""
    name, _, value = text.partition("=")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE with a Python literal value") from None


def add_param_option(parser):
    """Add ``--param NAME=VALUE ...`` to ``parser``."""
    parser.add_argument(
        "--param",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        type=param,
        help="override a parameter of the generators that have it, e.g. pac=2 (VALUE read as a Python literal)",
    )


def check_params(parser, names, generators):
    """Exit with a usage error naming any ``--param`` that none of ``generators`` (classes) takes."""
    known = {name for generator in generators for name in generator().get_params()}
    unknown = sorted({name for name, _ in names} - known)
    if unknown:
        parser.error(f"--param {', '.join(unknown)}: no parameter of {', '.join(g.__name__ for g in generators)}")


def params_for(generator, params):
    """The entries of ``params`` that ``generator`` (a class) takes."""
    accepted = generator().get_params()
    return {name: value for name, value in params.items() if name in accepted}
