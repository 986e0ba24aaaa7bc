import numpy as np
import torch
from torch import nn

from augment.encoding import CategoricalBlock, Layout
from augment.models.gan import Residual, ResidualGenerator
from augment.models.layers import Heads

PROBABILITIES = ([0.7, 0.2, 0.1], [0.01, 0.04, 0.05, 0.4, 0.5], [0.5, 0.3, 0.2], [0.9, 0.1])


def _heads_and_raw(n):
    sizes = [len(p) for p in PROBABILITIES]
    layout = Layout(1, (False,), tuple(CategoricalBlock(f"c{i}", "category", s) for i, s in enumerate(sizes)))
    raw = torch.cat([torch.zeros(n, 1), *(torch.tensor(p).log().expand(n, -1) for p in PROBABILITIES)], dim=1)
    return Heads(layout), raw


def test_sample_codes_follow_each_block_softmax():
    n = 100_000
    heads, raw = _heads_and_raw(n)
    codes = heads.sample_codes(raw, torch.Generator().manual_seed(0))
    assert codes.shape == (n, len(PROBABILITIES))
    for block, p in enumerate(PROBABILITIES):
        observed = torch.bincount(codes[:, block], minlength=len(p)).numpy() / n
        assert observed.shape == (len(p),)
        # four standard errors of a binomial proportion
        np.testing.assert_allclose(observed, p, atol=4 * np.sqrt(0.25 / n))


def test_sample_codes_are_seeded_and_take_a_certain_category():
    heads, raw = _heads_and_raw(1000)
    raw[:, 4:9] = torch.tensor([0.0, -80.0, 80.0, 0.0, -80.0])
    first = heads.sample_codes(raw, torch.Generator().manual_seed(3))
    again = heads.sample_codes(raw, torch.Generator().manual_seed(3))
    other = heads.sample_codes(raw, torch.Generator().manual_seed(4))
    assert torch.equal(first, again)
    assert not torch.equal(first, other)
    assert (first[:, 1] == 2).all()


def test_residual_generator_without_autograd_matches_the_concatenating_path():
    torch.manual_seed(0)
    generator = ResidualGenerator(Residual(10, 8), Residual(18, 6), nn.Linear(24, 5)).eval()
    x = torch.randn(64, 10)
    expected = generator(x)
    assert expected.requires_grad
    with torch.inference_mode():
        got = generator(x)
    torch.testing.assert_close(got, expected.detach())
