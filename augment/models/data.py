"""The encoded training table as the models see it: tensors on the training device."""

from dataclasses import dataclass

import torch
from torch.nn import functional as F


@dataclass
class TrainingData:
    """Encoded rows, their block codes and class codes, all on one device.

    Attributes
    ----------
    x : Tensor of shape (n, n_features)
        The encoded matrix (continuous slots, then one-hot blocks).
    codes : LongTensor of shape (n, n_blocks)
        The category index of every one-hot block.
    y : LongTensor of shape (n,) or None
        Class codes when the generator is conditional on a label.
    n_classes : int
        Number of classes, 0 when unconditional.
    """

    x: torch.Tensor
    codes: torch.Tensor
    y: torch.Tensor
    n_classes: int

    @property
    def n_rows(self):
        return self.x.shape[0]

    def labels(self, index):
        """One-hot class condition of rows ``index``; width 0 when unconditional."""
        return one_hot(None if self.y is None else self.y[index], self.n_classes, index.shape[0], self.x)


def one_hot(classes, n_classes, n_rows, like):
    """One-hot of ``classes`` as float; an empty ``(n_rows, 0)`` tensor when unconditional."""
    if n_classes == 0 or classes is None:
        return like.new_zeros(n_rows, 0)
    return F.one_hot(classes, n_classes).to(like.dtype)
