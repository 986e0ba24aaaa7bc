import torch
from torch import nn

from augment.optim import FlatAdam, frozen


def _net(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3))


def _train(net, optimizer, steps=5):
    generator = torch.Generator().manual_seed(1)
    for _ in range(steps):
        optimizer.zero_grad()
        net(torch.randn(16, 5, generator=generator)).pow(2).sum().backward()
        optimizer.step()


def test_flat_adam_updates_equal_adam_stepping_each_parameter():
    kwargs = {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 1e-3}
    flat, plain = _net(0), _net(0)
    _train(flat, FlatAdam(flat.parameters(), **kwargs))
    _train(plain, torch.optim.Adam(plain.parameters(), **kwargs))
    for (name, got), expected in zip(flat.named_parameters(), plain.parameters(), strict=True):
        torch.testing.assert_close(got, expected, msg=name)
        torch.testing.assert_close(got.grad, expected.grad, msg=name)
    assert not torch.equal(flat[0].weight, _net(0)[0].weight)


def test_flat_adam_zero_grad_clears_every_parameter_gradient():
    net = _net(0)
    optimizer = FlatAdam(net.parameters(), lr=0.1)
    net(torch.ones(2, 5)).sum().backward()
    assert net[0].weight.grad.abs().sum() > 0
    optimizer.zero_grad()
    assert all(torch.count_nonzero(p.grad) == 0 for p in net.parameters())


def test_frozen_parameters_get_no_gradient_and_thaw_after_the_block():
    net = _net(0)
    FlatAdam(net.parameters(), lr=0.1)
    x = torch.ones(2, 5, requires_grad=True)
    with frozen(net[2].parameters()):
        out = net(x).sum()
    out.backward()
    assert torch.count_nonzero(net[2].weight.grad) == 0
    assert torch.count_nonzero(net[0].weight.grad) > 0
    assert x.grad is not None
    assert all(p.requires_grad for p in net.parameters())


def test_flat_adam_average_hands_the_parameters_the_moving_average_of_the_iterates():
    kwargs = {"lr": 0.05, "betas": (0.5, 0.9)}
    flat, plain = _net(0), _net(0)
    optimizer = FlatAdam(flat.parameters(), average=True, **kwargs)
    _train(flat, optimizer, steps=30)
    last = [p.detach().clone() for p in flat.parameters()]
    optimizer.release()
    reference = torch.optim.Adam(plain.parameters(), **kwargs)
    average = [p.detach().clone() for p in plain.parameters()]
    generator = torch.Generator().manual_seed(1)
    for t in range(1, 31):
        reference.zero_grad()
        plain(torch.randn(16, 5, generator=generator)).pow(2).sum().backward()
        reference.step()
        weight = 1 - min(0.999, (1 + t) / (10 + t))
        average = [a + weight * (p.detach() - a) for a, p in zip(average, plain.parameters(), strict=True)]
    for got, expected, final in zip(flat.parameters(), average, last, strict=True):
        torch.testing.assert_close(got, expected)
        assert not torch.allclose(got, final)
        assert got.grad is None
