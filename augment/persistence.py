"""Saving and loading generators in a file that never runs code when read.

A file is a safetensors file: every numeric array (network weights, the
encoder's quantiles and mixtures, class counts) is a tensor, and everything
else is one JSON document in the header. The JSON names objects only from a
fixed list of augment, scikit-learn and dataclass types; loading builds those
and nothing else, so a crafted file can at worst be refused, never execute.
"""

import json
import math
from dataclasses import fields, is_dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import safetensors
import sklearn
import torch
from safetensors.numpy import save_file
from sklearn.mixture import BayesianGaussianMixture
from sklearn.preprocessing import QuantileTransformer

from ._files import atomic_write
from ._version import FORMAT, __version__
from .base import BaseGenerator
from .columns import CategoricalBlock, CategoricalColumn, MissingIndicator, ModeColumn, QuantileColumn
from .encoding import Layout, TabularEncoder, Whitening
from .generators import GANGenerator, VAEGenerator, VQVAEGenerator
from .images import PixelScaler
from .sampling import Kernel, SamplingStage

_HEADER = "augment"
_TYPES = {
    cls.__name__: cls
    for cls in (
        GANGenerator,
        VAEGenerator,
        VQVAEGenerator,
        TabularEncoder,
        Layout,
        CategoricalBlock,
        Kernel,
        SamplingStage,
        QuantileColumn,
        ModeColumn,
        MissingIndicator,
        CategoricalColumn,
        Whitening,
        PixelScaler,
        QuantileTransformer,
        BayesianGaussianMixture,
    )
}
_PICKLE_PROTOCOL = 0x80


class _Writer:
    """Turns an object into JSON, moving every numeric array into ``arrays``."""

    def __init__(self):
        self.arrays = {}

    def _array(self, array):
        key = str(len(self.arrays))
        self.arrays[key] = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("="))
        return key

    def encode(self, value, where):
        if value is None or isinstance(value, (bool, str)) or type(value) is int:
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"float": repr(value)}
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, tuple):
            return {"tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if isinstance(value, dict):
            return {"dict": [[self.encode(k, where), self.encode(v, f"{where}[{k!r}]")] for k, v in value.items()]}
        if isinstance(value, torch.Tensor):
            return {"tensor": self._array(value.detach().cpu().numpy())}
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "biuf":
                return {"array": self._array(value)}
            items = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value.ravel().tolist())]
            return {"values": [self.encode(value.dtype, where), list(value.shape), items]}
        if isinstance(value, np.generic):
            return {"scalar": [value.dtype.str, self.encode(value.item(), where)]}
        if isinstance(value, (np.dtype, pd.api.extensions.ExtensionDtype)):
            return self._dtype(value, where)
        if value is pd.NA or value is pd.NaT:
            return {"missing": str(value)}
        if isinstance(value, pd.Timestamp):
            return {"timestamp": [value.tz_localize(None).isoformat(), None if value.tz is None else str(value.tz)]}
        if isinstance(value, pd.Timedelta):
            return {"timedelta": value.value}
        if isinstance(value, bytes):
            return {"bytes": value.hex()}
        name = type(value).__name__
        if _TYPES.get(name) is type(value):
            if is_dataclass(value):
                state = {f.name: getattr(value, f.name) for f in fields(value)}
            else:
                state = value.__getstate__() if hasattr(value, "__setstate__") else vars(value)
            return {"object": [name, self.encode(state, where)]}
        raise TypeError(
            f"{where} holds a {type(value).__module__}.{name}, which augment.save cannot store; "
            "keep such a generator with joblib, and load it only where you trust the file."
        )

    def _dtype(self, dtype, where):
        if isinstance(dtype, np.dtype):
            return {"dtype": dtype.str}
        if isinstance(dtype, pd.CategoricalDtype):
            categories = dtype.categories
            values = self.encode(np.asarray(categories, dtype=object), where)
            return {"categorical": [values, self.encode(categories.dtype, where), bool(dtype.ordered)]}
        if isinstance(dtype, pd.StringDtype):
            return {"string": [dtype.storage, "NA" if getattr(dtype, "na_value", pd.NA) is pd.NA else "nan"]}
        if pd.api.types.pandas_dtype(dtype.name) != dtype:
            raise TypeError(f"{where} has the dtype {dtype!r}, which augment.save cannot store; use joblib.")
        return {"pandas_dtype": dtype.name}


class _Reader:
    """Builds objects back from the JSON document and the file's arrays."""

    def __init__(self, handle):
        self.handle = handle

    def _array(self, key):
        if key not in self.handle.keys():
            raise ValueError(f"it names an array {key!r} that it does not hold")
        return self.handle.get_tensor(key)

    def decode(self, value):
        if value is None or isinstance(value, (bool, str, int, float)):
            return value
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict) or len(value) != 1:
            raise ValueError(f"it holds an unexpected entry {str(value)[:80]!r}")
        ((tag, body),) = value.items()
        if tag == "float":
            return float(body)
        if tag == "tuple":
            return tuple(self.decode(v) for v in body)
        if tag == "dict":
            return {self.decode(k): self.decode(v) for k, v in body}
        if tag == "tensor":
            return torch.from_numpy(self._array(body))
        if tag == "array":
            return self._array(body)
        if tag == "values":
            dtype, shape, items = body
            array = np.empty(len(items), dtype=self.decode(dtype))
            array[:] = [self.decode(v) for v in items] if array.dtype == object else items
            return array.reshape(shape)
        if tag == "scalar":
            return np.dtype(body[0]).type(self.decode(body[1]))
        if tag == "dtype":
            return np.dtype(body)
        if tag == "categorical":
            values, dtype, ordered = body
            return pd.CategoricalDtype(pd.Index(self.decode(values), dtype=self.decode(dtype)), ordered=ordered)
        if tag == "string":
            storage, missing = body
            return pd.StringDtype(storage) if missing == "NA" else pd.StringDtype(storage, na_value=np.nan)
        if tag == "pandas_dtype":
            return pd.api.types.pandas_dtype(body)
        if tag == "missing":
            return {"<NA>": pd.NA, "NaT": pd.NaT}[body]
        if tag == "timestamp":
            stamp = pd.Timestamp(body[0])
            return stamp if body[1] is None else stamp.tz_localize("UTC").tz_convert(body[1])
        if tag == "timedelta":
            return pd.Timedelta(body)
        if tag == "bytes":
            return bytes.fromhex(body)
        if tag == "object":
            return self._object(*body)
        raise ValueError(f"it holds an unknown entry kind {tag!r}")

    def _object(self, name, state):
        if name not in _TYPES:
            raise ValueError(f"it names the type {name!r}, which augment does not load")
        cls, state = _TYPES[name], self.decode(state)
        if is_dataclass(cls):
            return cls(**state)
        value = cls.__new__(cls)
        if hasattr(cls, "__setstate__"):
            value.__setstate__(state)
        else:
            value.__dict__.update(state)
        return value


def save(generator, path, *, fingerprints=True):
    """Write a fitted generator to ``path`` in a format that runs no code when loaded.

    The file is a safetensors file: weights and the encoder's arrays as
    tensors, everything else as JSON in its header, with the file format and
    the augment, torch and scikit-learn versions that wrote it. It replaces
    ``path`` only once complete.

    Parameters
    ----------
    generator : GANGenerator, VAEGenerator or VQVAEGenerator
        A fitted generator.
    path : str or path-like
        Where to write; by convention ending in ``.safetensors``.
    fingerprints : bool, default=True
        Keep the 64-bit hash of each training row that ``sample(...,
        reject_copies=True)`` compares against. Whoever holds the file can
        test with them whether a given row was in the training table; pass
        ``False`` to leave them out (``reject_copies`` is then refused).

    Examples
    --------
    >>> import tempfile, pathlib, augment
    >>> from sklearn.datasets import load_iris
    >>> gen = augment.VAEGenerator(epochs=2, random_state=0).fit(load_iris().data)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "iris.safetensors"
    >>> augment.save(gen, path)
    >>> augment.load(path).sample(3).shape
    (3, 4)
    """
    if not isinstance(generator, BaseGenerator):
        raise TypeError(
            f"augment.save stores a fitted GANGenerator, VAEGenerator or VQVAEGenerator, not a "
            f"{type(generator).__name__}; keep pipelines with joblib."
        )
    if not hasattr(generator, "model_"):
        raise ValueError(f"This {type(generator).__name__} is not fitted yet; fit it before saving.")
    writer = _Writer()
    state = generator.__getstate__()
    if not fingerprints:
        state["_fingerprints"] = None
    document = {
        "format": FORMAT,
        "augment": __version__,
        "torch": torch.__version__,
        "sklearn": sklearn.__version__,
        "object": {"object": [type(generator).__name__, writer.encode(state, type(generator).__name__)]},
    }
    header = {_HEADER: json.dumps(document, allow_nan=False, separators=(",", ":"))}
    with atomic_write(path) as temporary:
        save_file(writer.arrays, temporary, metadata=header)


def _refuse(path, reason):
    reason = " ".join(str(reason).split())
    return ValueError(f"{path} is not an augment model file: {reason if len(reason) < 300 else reason[:297] + '...'}.")


def is_pickle(path):
    """Whether the file at ``path`` is a pickle (protocol 2 or later, as joblib writes) rather than a safetensors file.

    A safetensors file starts with its header's length (8 bytes, little
    endian, under 2**32) and the header's opening brace; a pickle with the
    protocol opcode ``0x80`` and its number.
    """
    with open(path, "rb") as file:
        head = file.read(9)
    safetensors_like = len(head) == 9 and head[4:8] == bytes(4) and head[8:9] == b"{"
    return len(head) >= 2 and head[0] == _PICKLE_PROTOCOL and 2 <= head[1] <= 5 and not safetensors_like


def load(path):
    """Read a generator written by :func:`save`, without unpickling anything.

    A file in a format newer than this augment reads is refused with the
    version that wrote it; so is anything that is not such a file, a pickle
    (joblib) file included, without running it.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    generator : GANGenerator, VAEGenerator or VQVAEGenerator
        On the device it was fit on when present, else on the CPU with a
        warning; its ``sample`` stream continues where it was saved.
    """
    path = Path(path)
    if is_pickle(path):
        raise _refuse(
            path,
            "it is a pickle (joblib) file, which runs code when loaded; load it with joblib only if "
            "you trust where it came from",
        )
    try:
        handle = safetensors.safe_open(path, "np")
    except safetensors.SafetensorError as error:
        raise _refuse(path, f"not a safetensors file ({error})") from error
    with handle:
        metadata = handle.metadata() or {}
        if _HEADER not in metadata:
            raise _refuse(path, "a safetensors file without augment's header")
        try:
            document = json.loads(metadata[_HEADER])
            version, written_by = document["format"], document["augment"]
        except (ValueError, TypeError, KeyError) as error:
            raise _refuse(path, f"its header is damaged ({error})") from error
        if version != FORMAT:
            newer = isinstance(version, int) and version > FORMAT
            raise ValueError(
                f"{path} was written by augment {written_by} in file format {version}; augment {__version__} "
                f"reads format {FORMAT} only. "
                + ("Upgrade augment to load it." if newer else "Refit the generator with this version.")
            )
        try:
            generator = _Reader(handle).decode(document["object"])
        except (ValueError, TypeError, KeyError, RuntimeError) as error:
            raise _refuse(path, error) from error
    if not isinstance(generator, BaseGenerator):
        raise _refuse(path, f"it holds a {type(generator).__name__}, not a generator")
    return generator
