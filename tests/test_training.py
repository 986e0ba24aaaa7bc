import pytest
import torch

from augment.training import batch_plan, fit_loop, make_rng


@pytest.mark.parametrize(
    ("n_rows", "batch_size", "multiple_of", "expected"),
    [(1000, 500, 1, (500, 2)), (13, 500, 1, (13, 1)), (13, 500, 10, (10, 1)), (1005, 100, 10, (100, 10))],
)
def test_batch_plan(n_rows, batch_size, multiple_of, expected):
    assert batch_plan(n_rows, batch_size, multiple_of) == expected


def test_every_row_is_visited_once_per_epoch_in_shuffled_order():
    seen = []
    history = fit_loop(
        lambda index: seen.append(index.clone()) or {"loss": index.float().mean()},
        12,
        epochs=2,
        batch_size=4,
        rng=make_rng(0, "cpu"),
        name="Test",
    )
    first, second = torch.cat(seen[:3]), torch.cat(seen[3:])
    assert sorted(first.tolist()) == list(range(12)) == sorted(second.tolist())
    assert not torch.equal(first, second)
    assert [h["epoch"] for h in history] == [1, 2]
    assert history[0]["loss"] == pytest.approx(5.5)


def test_non_finite_loss_names_the_generator_and_epoch():
    losses = iter([1.0, 2.0, float("nan")])
    with pytest.raises(FloatingPointError, match="Test diverged at epoch 3 of fit: loss 'loss' is nan"):
        fit_loop(
            lambda index: {"loss": torch.tensor(next(losses))},
            4,
            epochs=5,
            batch_size=4,
            rng=make_rng(0, "cpu"),
            name="Test",
        )
