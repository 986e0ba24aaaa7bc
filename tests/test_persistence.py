"""augment.save / augment.load: a file that never runs code, round trips exactly and is refused when foreign."""

import json
import pickle
import random
from decimal import Decimal

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from safetensors import safe_open
from safetensors.numpy import save_file
from sklearn.datasets import load_iris

import augment
from augment import GANGenerator, VAEGenerator, VQVAEGenerator
from augment._version import FORMAT
from augment.persistence import is_pickle

from _device import DEVICE

GENERATORS = [GANGenerator, VAEGenerator, VQVAEGenerator]
SMALL = {
    GANGenerator: {"generator_dims": (32,), "critic_dims": (32,), "pac": 2},
    VAEGenerator: {"hidden_dims": (32,), "latent_dim": 8},
    VQVAEGenerator: {"hidden_dims": (32,), "prior_epochs": 2},
}


def make(cls, **params):
    return cls(epochs=2, batch_size=64, random_state=0, device=DEVICE, **{**SMALL[cls], **params})


def typed_frame(mixed):
    """load_mixed plus every dtype the encoder restores: nullable, string, boolean, categorical, with gaps."""
    frame = mixed.head(200).copy()
    n = len(frame)
    frame["count"] = pd.array(np.where(np.arange(n) % 5 == 0, None, np.arange(n) % 7), dtype="Int64")
    frame["code"] = pd.array(np.where(np.arange(n) % 4 == 0, None, [f"c{i % 3}" for i in range(n)]), dtype="string")
    frame["flag"] = np.arange(n) % 3 == 0
    frame["grade"] = pd.Categorical(np.array(list("abc"))[np.arange(n) % 3], categories=list("dcba"), ordered=True)
    frame.loc[::6, "bmi"] = np.nan
    return frame


def saved(tmp_path, gen, name="gen.safetensors"):
    path = tmp_path / name
    augment.save(gen, path)
    return path


@pytest.mark.parametrize("transform", ["quantile", "whitened", "mode"])
@pytest.mark.parametrize("cls", GENERATORS)
def test_round_trip_continues_the_same_stream_with_every_dtype(cls, transform, tmp_path, mixed):
    frame = typed_frame(mixed)
    y = frame.pop("sex")
    gen = make(cls, continuous_transform=transform).fit(frame, y)
    gen.sample(10)
    loaded = augment.load(saved(tmp_path, gen))
    assert type(loaded) is cls and loaded.get_params() == gen.get_params()
    assert loaded.model_.training is False
    if transform == "mode" or not gen.calibrate_margins:
        assert gen.sampling_.margins_ is None and loaded.sampling_.margins_ is None
    else:
        np.testing.assert_array_equal(loaded.sampling_.margins_, gen.sampling_.margins_)
    assert loaded.sampling_.smoothing == gen.sampling_.smoothing
    (a, a_y), (b, b_y) = gen.sample(60), loaded.sample(60)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_series_equal(a_y, b_y)
    assert a.dtypes.to_dict() == frame.dtypes.to_dict()
    np.testing.assert_array_equal(gen.transform(frame), loaded.transform(frame))


@pytest.mark.parametrize("cls", GENERATORS)
def test_numpy_fit_round_trips_its_output_dtype(cls, tmp_path):
    X = load_iris().data.astype(np.float32)
    gen = make(cls).fit(X)
    out = augment.load(saved(tmp_path, gen)).sample(5)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_array_equal(out, gen.sample(5))


@pytest.mark.parametrize("cls", GENERATORS)
def test_a_file_holds_the_weights_once(cls, tmp_path, mixed):
    short = {"prior_epochs": 1} if cls is VQVAEGenerator else {}
    gen = cls(epochs=1, random_state=0, device=DEVICE, **short).fit(mixed.head(300))
    weights = sum(t.numel() * t.element_size() for t in gen.model_.state_dict().values())
    weights += 0 if gen.sampling_.margins_ is None else gen.sampling_.margins_.nbytes
    size = saved(tmp_path, gen).stat().st_size
    assert weights < size < 1.2 * weights


def test_loading_and_sampling_leave_global_random_state_untouched(tmp_path):
    path = saved(tmp_path, make(VAEGenerator).fit(load_iris().data))
    np_state = np.random.get_state()  # noqa: NPY002 (the legacy global state is what must stay untouched)
    torch_state, py_state = torch.get_rng_state(), random.getstate()
    augment.load(path).sample(5)
    assert np.array_equal(np.random.get_state()[1], np_state[1])  # noqa: NPY002
    assert torch.equal(torch.get_rng_state(), torch_state) and random.getstate() == py_state


class Payload:
    """Unpickling this writes a marker file: what a planted payload would do, harmlessly."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_pickle_with_a_payload_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "payload-ran"
    evil = tmp_path / "evil.safetensors"
    evil.write_bytes(pickle.dumps(Payload(marker), protocol=4))
    joblib.dump(Payload(marker), tmp_path / "evil.joblib")
    for path in (evil, tmp_path / "evil.joblib"):
        with pytest.raises(ValueError, match="is a pickle \\(joblib\\) file, which runs code when loaded"):
            augment.load(path)
    assert not marker.exists()


def rewrite_header(path, change):
    """Write the file at ``path`` back with its JSON header passed through ``change``."""
    with safe_open(path, "np") as handle:
        arrays = {key: handle.get_tensor(key) for key in handle.keys()}
        document = json.loads(handle.metadata()["augment"])
    save_file(arrays, path, metadata={"augment": json.dumps(change(document))})


def test_a_header_naming_any_other_type_is_refused(tmp_path):
    path = saved(tmp_path, make(VAEGenerator).fit(load_iris().data))
    rewrite_header(path, lambda doc: {**doc, "object": {"object": ["system", {"dict": [["command", "id"]]}]}})
    with pytest.raises(ValueError, match="names the type 'system', which augment does not load"):
        augment.load(path)


def test_weights_that_do_not_fit_the_model_are_refused(tmp_path):
    path = saved(tmp_path, make(VAEGenerator).fit(load_iris().data))

    def widen(doc):
        text = json.dumps(doc).replace('"hidden_dims", {"tuple": [32]}', '"hidden_dims", {"tuple": [33]}')
        return json.loads(text)

    rewrite_header(path, widen)
    with pytest.raises(ValueError, match=r"is not an augment model file: .*size mismatch"):
        augment.load(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda doc: {**doc, "format": FORMAT + 1, "augment": "9.0"}, rf"9.0 in file format {FORMAT + 1}.*Upgrade"),
        (lambda doc: {**doc, "format": 0}, r"in file format 0.*Refit"),
        (lambda doc: {"format": FORMAT}, "header is damaged"),
    ],
)
def test_other_formats_are_refused_by_rule(tmp_path, change, message):
    path = saved(tmp_path, make(VAEGenerator).fit(load_iris().data))
    rewrite_header(path, change)
    with pytest.raises(ValueError, match=message):
        augment.load(path)


def test_truncated_and_foreign_files_are_refused(tmp_path):
    path = saved(tmp_path, make(VAEGenerator).fit(load_iris().data))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="not a safetensors file"):
        augment.load(path)
    save_file({"w": np.zeros(3)}, path)
    with pytest.raises(ValueError, match="a safetensors file without augment's header"):
        augment.load(path)


def test_what_cannot_be_stored_is_refused_at_save_naming_it(tmp_path):
    frame = pd.DataFrame({"price": [Decimal("1.5"), Decimal("2.5")] * 10, "x": np.arange(20.0)})
    gen = make(VAEGenerator).fit(frame)
    with pytest.raises(TypeError, match=r"\['categories'\]\[0\] holds a decimal.Decimal, which augment.save cannot"):
        augment.save(gen, tmp_path / "gen.safetensors")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(TypeError, match="not a Pipeline"):
        augment.save(__import__("sklearn.pipeline").pipeline.make_pipeline(VAEGenerator()), tmp_path / "p")
    with pytest.raises(ValueError, match="not fitted yet"):
        augment.save(VAEGenerator(), tmp_path / "p")


def test_a_generator_fit_on_cuda_loads_on_the_cpu_with_a_warning(tmp_path, monkeypatch):
    gen = make(VAEGenerator).fit(load_iris().data)
    gen._device = torch.device("cuda:0")
    path = saved(tmp_path, gen)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="CUDA is not available; it is loaded on the CPU"):
        loaded = augment.load(path)
    assert loaded._device.type == "cpu" and loaded.sample(4).shape == (4, 4)


def test_a_safetensors_header_length_that_starts_like_a_pickle_is_not_taken_for_one(tmp_path):
    path, pickled = tmp_path / "x.safetensors", tmp_path / "x.joblib"
    pad = 0
    while True:
        save_file({"w": np.zeros(1)}, path, metadata={"pad": "x" * pad})
        head = path.read_bytes()[:2]
        if head[0] == 0x80 and 2 <= head[1] <= 5:
            break
        pad += 1
    joblib.dump({"w": 1}, pickled)
    assert not is_pickle(path) and is_pickle(pickled)


def test_a_pickle_of_another_format_is_refused():
    state = make(VAEGenerator).fit(load_iris().data).__getstate__()
    state["_format"] = {**state["_format"], "format": FORMAT - 1, "augment": "0.0.9"}
    refused = rf"saved by augment 0\.0\.9 in model format {FORMAT - 1}.*format {FORMAT} only"
    with pytest.raises(ValueError, match=refused):
        VAEGenerator.__new__(VAEGenerator).__setstate__(state)
