"""Adam over a group of parameters packed into one flat buffer."""

from contextlib import contextmanager

import torch
from torch import nn


@contextmanager
def frozen(parameters):
    """Within the block ``parameters`` do not require gradients, so a graph built there computes none for them."""
    parameters = list(parameters)
    for p in parameters:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in parameters:
            p.requires_grad_(True)


class FlatAdam:
    """Fused ``torch.optim.Adam`` on one contiguous buffer holding every parameter of a group.

    Each parameter becomes a view into one flat tensor and its gradient a
    view into another, so a step is one fused Adam kernel on one tensor and
    :meth:`zero_grad` one fill, instead of Python work per parameter (the
    flat-buffer layout of apex's ``FusedAdam`` and FSDP). Adam is elementwise,
    so the updates equal those of Adam stepping each parameter on its own.

    Parameters
    ----------
    parameters : iterable of Parameter
        The group, all of one dtype and device.
    **kwargs
        Passed to ``torch.optim.Adam`` (``lr``, ``betas``, ``weight_decay``).

    Examples
    --------
    >>> import torch
    >>> from augment.models.optim import FlatAdam
    >>> net = torch.nn.Linear(3, 1)
    >>> opt = FlatAdam(net.parameters(), lr=0.1)
    >>> opt.zero_grad()
    >>> net(torch.ones(2, 3)).sum().backward()
    >>> opt.step()
    >>> net.weight.grad.tolist()
    [[2.0, 2.0, 2.0]]
    """

    def __init__(self, parameters, **kwargs):
        self.parameters = list(parameters)
        self.flat = nn.Parameter(torch.cat([p.detach().reshape(-1) for p in self.parameters]))
        self.flat.grad = torch.zeros_like(self.flat)
        offset = 0
        for p in self.parameters:
            size = p.numel()
            p.data = self.flat.data[offset : offset + size].view_as(p)
            p.grad = self.flat.grad[offset : offset + size].view_as(p)
            offset += size
        self._adam = torch.optim.Adam([self.flat], fused=True, **kwargs)

    def zero_grad(self):
        """Zero every gradient in place (autograd then accumulates into the flat buffer)."""
        self.flat.grad.zero_()

    def step(self):
        self._adam.step()

    def release(self):
        """Give every parameter its own storage back and drop the gradients and the flat buffers.

        Without it each parameter stays a view of the flat buffer: a pickle
        of one weight would carry the whole group, gradients kept alive.
        """
        for p in self.parameters:
            p.data = p.data.clone()
            p.grad = None
        del self.flat, self._adam
