"""The generators' docstrings: shared text filled in, every parameter documented once."""

import inspect
import re

import pytest

from augment import GANGenerator, VAEGenerator, VQVAEGenerator
from augment._docstrings import SHARED, fill

GENERATORS = [GANGenerator, VAEGenerator, VQVAEGenerator]


def documented(cls, section):
    """Names documented in a numpydoc section of ``cls``'s docstring, in order."""
    body = cls.__doc__.split(f"\n    {section}\n    {'-' * len(section)}\n")[1].split("\n\n")[0]
    return re.findall(r"^    (\w+) :", body, flags=re.MULTILINE)


@pytest.mark.parametrize("cls", GENERATORS, ids=lambda c: c.__name__)
def test_every_parameter_is_documented_once_in_signature_order(cls):
    assert "{shared:" not in cls.__doc__
    assert documented(cls, "Parameters") == list(inspect.signature(cls).parameters)


@pytest.mark.parametrize(
    ("name", "indent"),
    [("smoothing", 8), ("calibrate_margins", 8), ("rows_per_quantile", 8), ("sampling_attributes", 4)],
)
def test_shared_text_reads_the_same_in_every_generator(name, indent):
    text = fill(" " * indent + "{shared:" + name + "}")
    assert all(text in cls.__doc__ for cls in GENERATORS)
    assert {"sampling_", "classes_"} <= set(documented(GANGenerator, "Attributes"))


def test_an_unknown_shared_name_fails_loudly():
    with pytest.raises(KeyError, match="nothing"):
        fill("    {shared:nothing}")
    assert set(SHARED) >= {"discrete_columns", "smoothing", "tail_parameters"}
