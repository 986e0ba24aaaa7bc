"""Adam over a group of parameters packed into one flat buffer, optionally averaging its iterates."""

from contextlib import contextmanager

import torch
from torch import nn

_AVERAGE_DECAY = 0.999


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
    average : bool, default=False
        Keep an exponential moving average of the parameters, one ``lerp``
        on the flat buffer per step, and hand it to the parameters at
        :meth:`release`. The decay is ``min(0.999, (1 + t) / (10 + t))`` at
        step ``t`` (the warm-up of TensorFlow's ``ExponentialMovingAverage``),
        so a short run averages over roughly its last tenth of steps. Averaged
        iterates of a GAN's generator oscillate less than its last iterate
        (Yazici et al., ICLR 2019).
    **kwargs
        Passed to ``torch.optim.Adam`` (``lr``, ``betas``, ``weight_decay``).

    Examples
    --------
    >>> import torch
    >>> from augment.optim import FlatAdam
    >>> net = torch.nn.Linear(3, 1)
    >>> opt = FlatAdam(net.parameters(), lr=0.1)
    >>> opt.zero_grad()
    >>> net(torch.ones(2, 3)).sum().backward()
    >>> opt.step()
    >>> net.weight.grad.tolist()
    [[2.0, 2.0, 2.0]]
    """

    def __init__(self, parameters, *, average=False, **kwargs):
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
        self.average = self.flat.detach().clone() if average else None
        self._steps = 0

    def zero_grad(self):
        """Zero every gradient in place (autograd then accumulates into the flat buffer)."""
        self.flat.grad.zero_()

    def step(self):
        self._adam.step()
        if self.average is not None:
            self._steps += 1
            decay = min(_AVERAGE_DECAY, (1 + self._steps) / (10 + self._steps))
            self.average.lerp_(self.flat.detach(), 1 - decay)

    def release(self):
        """Give every parameter its own storage back and drop the gradients and the flat buffers.

        With ``average``, the parameters take the averaged values. Without
        this release each parameter stays a view of the flat buffer: a pickle
        of one weight would carry the whole group, gradients kept alive.
        """
        if self.average is not None:
            self.flat.data.copy_(self.average)
        for p in self.parameters:
            p.data = p.data.clone()
            p.grad = None
        del self.flat, self._adam, self.average
