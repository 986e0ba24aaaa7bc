"""The encoded training table as the models see it: tensors on the training device."""

from dataclasses import dataclass

import torch


@dataclass
class TrainingData:
    """The encoded table, kept compact, with its class codes, all on one device.

    One-hot blocks are held as one code per block and row, and expanded only
    for the rows a step asks for (:meth:`rows`), so memory grows with rows x
    columns, not rows x categories.

    Attributes
    ----------
    continuous : Tensor of shape (n, n_continuous)
        The continuous slots of the encoded matrix.
    codes : LongTensor of shape (n, n_blocks)
        The category index of every one-hot block.
    y : LongTensor of shape (n,) or None
        Class codes when the generator is conditional on a label.
    n_classes : int
        Number of classes, 0 when unconditional.
    offsets : LongTensor of shape (n_blocks,)
        Start column of every one-hot block in the encoded matrix.
    n_features : int
        Width of the encoded matrix.
    """

    continuous: torch.Tensor
    codes: torch.Tensor
    y: torch.Tensor
    n_classes: int
    offsets: torch.Tensor
    n_features: int

    @property
    def n_rows(self):
        return self.continuous.shape[0]

    @property
    def device(self):
        return self.codes.device

    def rows(self, index):
        """The encoded matrix's rows ``index``: continuous slots, then one-hot blocks."""
        out = self.continuous.new_zeros(index.shape[0], self.n_features)
        out[:, : self.continuous.shape[1]] = self.continuous.index_select(0, index)
        return out.scatter_(1, self.codes.index_select(0, index) + self.offsets, 1.0)

    def chunks(self, size):
        """Row indices ``0..n`` on the data's device in consecutive chunks of ``size``."""
        return torch.arange(self.n_rows, device=self.device).split(size)

    @property
    def classes(self):
        """Class code of every row: ``y``, or zeros on the data's device when unconditional."""
        if self.y is None:
            return self.codes.new_zeros(self.n_rows)
        return self.y

    def labels(self, index):
        """One-hot class condition of rows ``index``; width 0 when unconditional."""
        return one_hot(None if self.y is None else self.y[index], self.n_classes, index.shape[0], self.continuous)


def one_hot(classes, n_classes, n_rows, like):
    """One-hot of ``classes`` (any shape) along a new last axis, in ``like``'s dtype and device.

    An empty ``(n_rows, 0)`` tensor when unconditional. A scatter, not
    ``F.one_hot``, whose range check would make the host wait for the device.
    """
    if n_classes == 0 or classes is None:
        return like.new_zeros(n_rows, 0)
    return like.new_zeros(*classes.shape, n_classes).scatter_(-1, classes.unsqueeze(-1), 1.0)
