"""Generated mixed-type tables with missing values: fit, sample and save never crash and keep the table's form."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import augment
from augment import GANGenerator, VAEGenerator, VQVAEGenerator

from _device import DEVICE

SMALL = {
    GANGenerator: {"generator_dims": (16,), "critic_dims": (16,), "pac": 2, "critic_steps": 1},
    VAEGenerator: {"hidden_dims": (16,), "latent_dim": 4},
    VQVAEGenerator: {"hidden_dims": (16,), "n_slots": 2, "codebook_size": 4, "prior_epochs": 1},
}
KINDS = ("float", "int", "nullable int", "bool", "object", "category", "string")
WORDS = st.sampled_from(["a", "b", "c", "long value", "ü", ""])


@st.composite
def columns(draw, n, kind):
    """One column of ``n`` rows of ``kind``, with missing values where the kind allows them."""
    if kind in ("float", "int", "nullable int"):
        low, high = (-1e300, 1e300) if kind == "float" else (-(2**40), 2**40)
        numbers = st.floats(low, high) if kind == "float" else st.integers(low, high)
        values = draw(st.lists(numbers, min_size=n, max_size=n))
    elif kind == "bool":
        values = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    else:
        values = draw(st.lists(WORDS, min_size=n, max_size=n))
    missing = draw(st.lists(st.booleans(), min_size=n, max_size=n)) if kind not in ("int", "bool") else [False] * n
    if all(missing):
        missing[0] = False
    if kind == "float":
        return pd.Series(np.where(missing, np.nan, values), dtype="float64")
    if kind == "int":
        return pd.Series(values, dtype="int64")
    if kind == "nullable int":
        return pd.Series(pd.array([None if m else v for v, m in zip(values, missing, strict=True)], dtype="Int64"))
    if kind == "bool":
        return pd.Series(values, dtype=bool)
    present = [None if m else v for v, m in zip(values, missing, strict=True)]
    if kind == "category":
        return pd.Series(pd.Categorical(present))
    return pd.Series(present, dtype="string" if kind == "string" else object)


@st.composite
def tables(draw):
    n = draw(st.integers(2, 30))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4))
    return pd.DataFrame({f"{kind} {i}": draw(columns(n, kind)) for i, kind in enumerate(kinds)})


def assert_same_form(real, synthetic):
    """Columns, dtypes, bounds, category sets and where values may be missing."""
    assert list(synthetic.columns) == list(real.columns)
    assert synthetic.dtypes.to_dict() == real.dtypes.to_dict()
    for name in real.columns:
        column, drawn = real[name], synthetic[name]
        assert drawn.isna().any() <= column.isna().any(), f"{name}: missing values that training never had"
        present = drawn.dropna()
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            assert present.between(column.min(), column.max()).all(), f"{name}: values outside the training bounds"
            assert np.isfinite(present.to_numpy(dtype=float)).all()
        else:
            assert set(present) <= set(column.dropna()), f"{name}: categories never seen in training"


@pytest.mark.parametrize("cls", [GANGenerator, VAEGenerator, VQVAEGenerator])
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(frame=tables())
def test_generated_tables_fit_sample_and_save_in_form(cls, frame, tmp_path_factory):
    gen = cls(epochs=1, batch_size=16, random_state=0, device=DEVICE, **SMALL[cls]).fit(frame)
    drawn = gen.sample(25)
    assert len(drawn) == 25
    assert_same_form(frame, drawn)
    path = tmp_path_factory.mktemp("saved") / "gen.safetensors"
    augment.save(gen, path)
    pd.testing.assert_frame_equal(augment.load(path).sample(10), gen.sample(10))
