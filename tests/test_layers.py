import numpy as np
import torch
from sklearn.covariance import ledoit_wolf as sklearn_ledoit_wolf
from torch import nn
from torch.nn import functional as F

from augment.encoding import CategoricalBlock, Layout
from augment.models.gan import Residual, ResidualGenerator
from augment.models.layers import GaussianContinuous, Heads, gumbel, reconstruction_nll
from augment.models.prior import CodePrior
from augment.models.vae import ledoit_wolf

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


def _padded_cross_entropy(heads, raw, codes):
    logits = heads.logits(raw)
    nll = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), codes.reshape(-1), reduction="none")
    return nll.reshape(codes.shape).sum(dim=1)


def test_cross_entropy_on_flat_blocks_matches_padded_softmax_with_gradients():
    sizes = [2, 3, 1, 50, 12]
    layout = Layout(2, (False, True), tuple(CategoricalBlock(f"c{i}", "category", s) for i, s in enumerate(sizes)))
    heads = Heads(layout).double()
    generator = torch.Generator().manual_seed(0)
    # logits 200 apart across blocks: a shared shift would underflow the smaller blocks
    raw = (torch.randn(64, layout.n_features, generator=generator, dtype=torch.float64) * 100).requires_grad_()
    codes = torch.stack([torch.randint(s, (64,), generator=generator) for s in sizes], dim=1)
    expected = _padded_cross_entropy(heads, raw, codes)
    one_hot = torch.cat([F.one_hot(codes[:, i], s) for i, s in enumerate(sizes)], dim=1).double()
    got = heads.cross_entropy(heads.split(raw)[1], one_hot)
    torch.testing.assert_close(got, expected)
    (grad_expected,) = torch.autograd.grad(expected.sum(), raw)
    (grad_got,) = torch.autograd.grad(got.sum(), raw)
    torch.testing.assert_close(grad_got, grad_expected)


def test_gumbel_softmax_normalizes_each_block_of_the_perturbed_logits():
    heads, raw = _heads_and_raw(32)
    raw = raw + torch.randn(raw.shape, generator=torch.Generator().manual_seed(1))
    soft = heads.gumbel_softmax(raw, 0.2, torch.Generator().manual_seed(2))
    noise = gumbel((32, raw.shape[1] - 1), torch.Generator().manual_seed(2), "cpu")
    assert soft.shape == raw.shape
    start = 1
    for p in PROBABILITIES:
        block = slice(start, start + len(p))
        expected = torch.softmax((raw[:, block] + noise[:, block.start - 1 : block.stop - 1]) / 0.2, dim=1)
        torch.testing.assert_close(soft[:, block], expected)
        start += len(p)
    torch.testing.assert_close(soft[:, :1], raw[:, :1])


def test_code_prior_sampling_with_cached_keys_matches_the_full_forward():
    torch.manual_seed(0)
    prior = CodePrior(n_slots=5, codebook_size=7, n_classes=3, dim=16, layers=2, heads=4).eval()
    classes = torch.tensor([0, 1, 2, 1])
    codes = prior.sample(classes, torch.Generator().manual_seed(0))
    assert codes.shape == (4, 5)
    assert ((codes >= 0) & (codes < 7)).all()
    with torch.no_grad():
        expected = prior.logits(codes[:, :-1], classes)
    keys, values = prior.cache(4)
    h = prior.start(classes)
    with torch.no_grad():
        for slot in range(5):
            got = prior._step(h + prior.position[slot], slot, keys, values)
            torch.testing.assert_close(got, expected[:, slot])
            h = prior.token(codes[:, slot] + slot * 7)


def test_code_prior_samples_follow_a_learned_sequence():
    # slot 0 is the class; every later slot copies the one before it
    torch.manual_seed(0)
    prior = CodePrior(n_slots=3, codebook_size=4, n_classes=2, dim=32, layers=1, heads=2)
    classes = torch.arange(512) % 2
    codes = classes.unsqueeze(1).expand(-1, 3)
    optimizer = torch.optim.Adam(prior.parameters(), lr=1e-2)
    for _ in range(150):
        optimizer.zero_grad()
        prior.loss(codes, classes).backward()
        optimizer.step()
    with torch.no_grad():
        drawn = prior.sample(classes, torch.Generator().manual_seed(1))
    assert (drawn == codes).float().mean() > 0.98


def test_reconstruction_nll_is_gaussian_on_slots_plus_categorical_on_blocks():
    sizes = [3, 1, 4]
    layout = Layout(2, (False, True), tuple(CategoricalBlock(f"c{i}", "category", s) for i, s in enumerate(sizes)))
    heads, gaussian = Heads(layout).double(), GaussianContinuous(2).double()
    generator = torch.Generator().manual_seed(0)
    raw = torch.randn(16, layout.n_features, generator=generator, dtype=torch.float64)
    codes = torch.stack([torch.randint(s, (16,), generator=generator) for s in sizes], dim=1)
    target = torch.randn(16, 2, generator=generator, dtype=torch.float64).clamp(-0.9, 0.9)
    x = torch.cat([target, *(F.one_hot(codes[:, i], s).double() for i, s in enumerate(sizes))], dim=1)
    mean = torch.stack([raw[:, 0], torch.tanh(raw[:, 1])], dim=1)
    expected = -torch.distributions.Normal(mean, gaussian.sigma).log_prob(target).sum(dim=1)
    start = 2
    for i, s in enumerate(sizes):
        expected = expected + F.cross_entropy(raw[:, start : start + s], codes[:, i], reduction="none")
        start += s
    torch.testing.assert_close(reconstruction_nll(heads, gaussian, raw, x), expected)
    torch.testing.assert_close(heads.split(raw)[0], heads.continuous(raw))


def test_ledoit_wolf_matches_scikit_learn():
    rng = np.random.default_rng(0)
    for n, p in [(500, 20), (3, 10), (40, 1)]:
        x = rng.normal(size=(n, p)) @ rng.normal(size=(p, p))
        np.testing.assert_allclose(ledoit_wolf(torch.as_tensor(x)).numpy(), sklearn_ledoit_wolf(x)[0], atol=1e-10)
        single = ledoit_wolf(torch.as_tensor(x, dtype=torch.float32))
        assert single.dtype == torch.float64
        np.testing.assert_allclose(single.numpy(), sklearn_ledoit_wolf(x)[0], rtol=1e-4, atol=1e-5)
