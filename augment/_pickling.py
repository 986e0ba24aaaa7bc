"""Pickling of a fitted generator: its weights on the host, its format checked on load."""

import copy
import warnings

import torch

from ._seeds import seeded
from ._version import FORMAT, __version__


class PicklingMixin:
    """``__getstate__`` / ``__setstate__`` of a :class:`~augment.base.BaseGenerator`."""

    def __getstate__(self):
        state = dict(super().__getstate__())
        model = state.pop("model_", None)
        if model is not None:
            state["_model_state"] = {k: v.detach().cpu() for k, v in model.state_dict().items()}
            state["_device"] = str(self._device)
            state["_format"] = {"format": FORMAT, "augment": __version__, "torch": torch.__version__}
        return state

    def __setstate__(self, state):
        state = copy.copy(state)
        weights = state.pop("_model_state", None)
        super().__setstate__(state)
        if weights is None:
            return
        saved = state.get("_format", {})
        if saved.get("format") != FORMAT:
            raise ValueError(
                f"This {self._name} was saved by augment {saved.get('augment', 'before 0.1')} in model format "
                f"{saved.get('format', 0)}; augment {__version__} reads format {FORMAT} only. "
                "Refit it with this version, or load it with the version that saved it."
            )
        device = torch.device(state["_device"])
        if device.type == "cuda" and not torch.cuda.is_available():
            warnings.warn(
                f"This {self._name} was fit on {device}, but CUDA is not available; it is loaded on the CPU.",
                UserWarning,
                stacklevel=2,
            )
            device = torch.device("cpu")
        self._device = device
        with seeded(0, device):
            model = self._build_model(self._n_classes, device)
        model.load_state_dict(weights)
        self.model_ = model.eval()
