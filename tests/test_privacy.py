"""sample(..., reject_copies=True): no drawn row equals a training row."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

import augment
from augment import VAEGenerator, VQVAEGenerator
from augment.cli import main

from _device import DEVICE


@pytest.fixture(scope="module")
def memorizing():
    """A VQ-VAE trained long on 30 iris rows, unsmoothed: it reproduces many of them exactly."""
    iris = load_iris(as_frame=True)
    X, y = iris.data.iloc[::5].reset_index(drop=True), iris.target.iloc[::5].reset_index(drop=True)
    return VQVAEGenerator(epochs=300, smoothing=0.0, random_state=0, device=DEVICE).fit(X, y), X


def copies_of(training, drawn):
    rows = set(map(tuple, training.to_numpy()))
    return sum(tuple(row) in rows for row in drawn.to_numpy())


def test_an_over_trained_model_copies_rows_and_the_guard_replaces_them(memorizing):
    gen, X = memorizing
    drawn, _ = gen.sample(1000)
    assert copies_of(X, drawn) > 50
    asked = {0: 300, 1: 300, 2: 400}
    guarded, labels = gen.sample(y=asked, reject_copies=True)
    assert copies_of(X, guarded) == 0 and len(guarded) == 1000
    assert labels.tolist() == [0] * 300 + [1] * 300 + [2] * 400
    assert guarded.dtypes.to_dict() == X.dtypes.to_dict()


def test_the_guard_is_deterministic_and_survives_saving(memorizing, tmp_path):
    gen, _ = memorizing
    path = tmp_path / "gen.safetensors"
    augment.save(gen, path)
    first, second = (augment.load(path).sample(200, reject_copies=True) for _ in range(2))
    pd.testing.assert_frame_equal(first[0], second[0])
    augment.save(gen, path, fingerprints=False)
    with pytest.raises(ValueError, match="saved without"):
        augment.load(path).sample(5, reject_copies=True)
    assert augment.load(path).sample(5)[0].shape == (5, 4)


def test_a_table_with_nothing_new_to_draw_is_refused():
    X = np.tile([[1.0, 2.0]], (20, 1))
    gen = VAEGenerator(epochs=2, random_state=0, device=DEVICE).fit(X)
    with pytest.raises(ValueError, match="rows still equal training rows after 20 redraws"):
        gen.sample(5, reject_copies=True)


def test_numbers_are_compared_at_the_decimals_the_decoder_rounds_to():
    frame = pd.DataFrame({"x": [0.1 + 0.2, 1.15, 2.0, 3.3], "c": ["a", "b", "a", "b"]})
    gen = VAEGenerator(epochs=1, random_state=0, device=DEVICE).fit(frame)
    assert gen._copies(pd.DataFrame({"x": [0.3, 1.15, 2.0, 2.5], "c": ["a", "b", "b", "a"]})).tolist() == [
        True,
        True,
        False,
        False,
    ]


def test_the_command_line_rejects_copies(memorizing, tmp_path, capsys):
    gen, X = memorizing
    model = tmp_path / "gen.safetensors"
    augment.save(gen, model)
    assert main(["sample", str(model), "-n", "500", "--reject-copies", "-o", str(tmp_path / "s.csv")]) == 0
    drawn = pd.read_csv(tmp_path / "s.csv").drop(columns="target")
    assert len(drawn) == 500 and copies_of(X, drawn) == 0
