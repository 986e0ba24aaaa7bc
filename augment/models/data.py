"""The encoded training table as the models see it: tensors on the training device."""

from dataclasses import dataclass

import torch


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

    @property
    def classes(self):
        """Class code of every row: ``y``, or zeros on the data's device when unconditional."""
        if self.y is None:
            return self.x.new_zeros(self.n_rows, dtype=torch.long)
        return self.y

    def labels(self, index):
        """One-hot class condition of rows ``index``; width 0 when unconditional."""
        return one_hot(None if self.y is None else self.y[index], self.n_classes, index.shape[0], self.x)


def one_hot(classes, n_classes, n_rows, like):
    """One-hot of ``classes`` (any shape) along a new last axis, in ``like``'s dtype and device.

    An empty ``(n_rows, 0)`` tensor when unconditional. A scatter, not
    ``F.one_hot``, whose range check would make the host wait for the device.
    """
    if n_classes == 0 or classes is None:
        return like.new_zeros(n_rows, 0)
    return like.new_zeros(*classes.shape, n_classes).scatter_(-1, classes.unsqueeze(-1), 1.0)
