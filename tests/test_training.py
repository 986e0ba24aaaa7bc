from functools import partial

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris
from torch import nn

from augment.base import BaseGenerator
from augment.models.layers import Heads
from augment.training import Group, Phase, batch_plan, fit_loop, make_rng, train

from _device import DEVICE


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


class _TwoPart(nn.Module):
    """Records what the loop does: hooks, modes and optimizers, phase by phase."""

    def __init__(self):
        super().__init__()
        self.first, self.second = nn.Linear(2, 1), nn.Linear(2, 1)
        self.events = []

    def _step(self, part, index, optimizer):
        self.events.append((part, self.first.training, self.second.training, len(optimizer.parameters)))
        loss = getattr(self, part)(torch.ones(len(index), 2)).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {part: loss}

    def phases(self):
        def hook(name):
            return lambda: self.events.append((name, torch.is_grad_enabled()))

        return [
            Phase(
                "fit",
                partial(self._step, "first"),
                (Group(tuple(self.first.parameters())),),
                self.first,
                before=hook("before fit"),
                after=hook("after fit"),
            ),
            Phase("prior", partial(self._step, "second"), (Group(tuple(self.second.parameters())),), self.second),
        ]


def test_train_runs_each_phase_for_its_epochs_with_its_hooks_modes_and_optimizers():
    model = _TwoPart()
    before = model.first.weight.detach().clone()
    history = train(
        model,
        model.phases(),
        8,
        epochs={"fit": 2, "prior": 3},
        learning_rate=0.1,
        batch_size=4,
        rng=make_rng(0, "cpu"),
        name="Test",
    )
    assert [(h["phase"], h["epoch"]) for h in history] == [("fit", 1), ("fit", 2), *[("prior", e) for e in (1, 2, 3)]]
    assert model.events == [
        ("before fit", True),
        *[("first", True, False, 2)] * 4,
        ("after fit", False),
        *[("second", False, True, 2)] * 6,
    ]
    assert not model.training and not torch.equal(model.first.weight, before)
    for p in model.parameters():
        assert p.grad is None and p.data.untyped_storage().nbytes() == p.numel() * p.element_size()


class _CenterModel(nn.Module):
    """A fourth model in a few lines: one learned row, the centre of the encoded table."""

    def __init__(self, layout, n_classes, *, width):
        super().__init__()
        self.heads = Heads(layout)
        self.center = nn.Parameter(torch.full((layout.n_features,), 3.0))
        self.width = width

    def phases(self, data, rng):
        def step(index, optimizer):
            loss = (data.rows(index) - self.center).pow(2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return {"mse": loss}

        return [Phase("fit", step, (Group((self.center,)),), self)]

    def sample(self, classes, rng):
        raw = self.center.expand(classes.shape[0], -1)
        return self.heads.continuous(raw), self.heads.sample_codes(raw, rng)

    def transform(self, x):
        return x[:, : self.width]


class _CenterGenerator(BaseGenerator):
    _model_class = _CenterModel

    def __init__(
        self,
        epochs=60,
        batch_size=50,
        learning_rate=0.05,
        discrete_columns=None,
        max_categories=None,
        continuous_transform="quantile",
        rows_per_quantile=1,
        calibrate_margins=False,
        device="cpu",
        random_state=None,
        verbose=False,
    ):
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.discrete_columns = discrete_columns
        self.max_categories = max_categories
        self.continuous_transform = continuous_transform
        self.rows_per_quantile = rows_per_quantile
        self.calibrate_margins = calibrate_margins
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _model_kwargs(self, n_rows):
        return {"width": 2}

    def _latent_dim(self):
        return 2


def test_a_new_model_needs_only_its_phases_and_an_estimator_naming_it():
    X = load_iris(as_frame=True).data
    gen = _CenterGenerator(device=DEVICE, random_state=0).fit(X)
    losses = [h["mse"] for h in gen.history_]
    assert len(losses) == 60 and losses[-1] < 0.5 * losses[0]
    rows = gen.sample(4)
    assert list(rows.columns) == list(X.columns) and (rows.nunique() == 1).all()
    np.testing.assert_allclose(rows.iloc[0], X.median(), rtol=0.1)
    assert gen.transform(X).shape == (150, 2)
