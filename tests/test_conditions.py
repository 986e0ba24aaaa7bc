import numpy as np
import torch

from augment.models.conditions import ConditionSampler

# block 0: 3 categories, block 1 (not conditioned on): 2, block 2: 4 categories with one unseen
COUNTS = ([700, 250, 50], [500, 500], [900, 90, 0, 10])


def _fitted():
    columns = [torch.repeat_interleave(torch.arange(len(c)), torch.tensor(c)) for c in COUNTS]
    codes = torch.stack(
        [c[torch.randperm(1000, generator=torch.Generator().manual_seed(i))] for i, c in enumerate(columns)], 1
    )
    return ConditionSampler([3, 2, 4], [0, 2]).fit(codes), codes


def test_training_draws_follow_log_frequencies_and_return_matching_rows():
    sampler, codes = _fitted()
    n = 200_000
    column, category, rows = sampler.sample_training(n, torch.Generator().manual_seed(0))
    np.testing.assert_allclose(torch.bincount(column).numpy() / n, [0.5, 0.5], atol=4 * np.sqrt(0.25 / n))
    for j, block in enumerate([0, 2]):
        weights = np.log1p(COUNTS[block])
        drawn = torch.bincount(category[column == j], minlength=len(weights)).numpy()
        np.testing.assert_allclose(drawn / drawn.sum(), weights / weights.sum(), atol=4 * np.sqrt(0.25 / drawn.sum()))
        assert drawn[weights == 0].sum() == 0
        assert torch.equal(codes[rows[column == j], block], category[column == j])


def test_generation_draws_follow_the_training_frequencies():
    sampler, _ = _fitted()
    n = 200_000
    column, category = sampler.sample(n, torch.Generator().manual_seed(1))
    for j, block in enumerate([0, 2]):
        drawn = torch.bincount(category[column == j], minlength=len(COUNTS[block])).numpy()
        expected = np.asarray(COUNTS[block]) / 1000
        np.testing.assert_allclose(drawn / drawn.sum(), expected, atol=4 * np.sqrt(0.25 / drawn.sum()))
    vectors = sampler.vector(column, category)
    assert vectors.shape == (n, 7)
    assert torch.equal(vectors.sum(1), torch.ones(n))
