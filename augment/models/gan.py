"""Conditional WGAN-GP with PacGAN packing and training-by-sampling (the CTGAN recipe)."""

from functools import partial

import torch
from torch import nn
from torch.nn import functional as F

from ..optim import frozen
from ..training import Group, Phase
from .adjust import ROWS, fit_logit_offsets
from .conditions import ConditionSampler
from .data import one_hot
from .layers import Heads, dropout

_TAU = 0.2
_PENALTY = 10.0
_CRITIC_DROPOUT = 0.5


class Residual(nn.Module):
    """``cat([relu(bn(linear(x))), x])``: CTGAN's generator block."""

    def __init__(self, fan_in, fan_out):
        super().__init__()
        self.linear = nn.Linear(fan_in, fan_out)
        self.norm = nn.BatchNorm1d(fan_out)

    def forward(self, x):
        return torch.cat([F.relu(self.norm(self.linear(x))), x], dim=1)


class ResidualGenerator(nn.Sequential):
    """Residual blocks, then a linear output layer.

    Without autograd (sampling), every block writes its output into one
    preallocated matrix laid out as the concatenations would be, so no
    block copies the growing input again.
    """

    def forward(self, x):
        if torch.is_grad_enabled():
            return super().forward(x)
        *blocks, out = self
        features = x.new_empty(x.shape[0], out.in_features)
        start = out.in_features - x.shape[1]
        features[:, start:] = x
        for block in blocks:
            size = block.linear.out_features
            features[:, start - size : start] = block.norm(block.linear(features[:, start:])).relu_()
            start -= size
        return out(features)


class GAN(nn.Module):
    """Conditional generator and packed critic over an encoder :class:`Layout`.

    The condition of a row is its class (one-hot, when fit with a label) and a
    training-by-sampling vector over the categorical columns. For drawing
    real rows the label counts as one more categorical column, so rare
    classes are shown as often as rare categories; a row drawn for its label
    has an all-zero column vector, which is the condition ``sample`` uses.
    The critic embeds each row with its class through a shared network
    (``embed``), joins the column condition, packs ``pac`` rows and scores the
    pack. The per-row embedding is what ``GANGenerator.transform`` returns,
    with the class set to the class frequencies.

    Training is one phase, ``"fit"``, with the generator's and the critic's
    optimizers; the generator ends on the moving average of its iterates
    (``Group(average=True)``). The condition sampler's tables are built
    before the phase and dropped after it.

    A sampled row is conditioned on its class, or without a label on one
    category of one categorical column, which it then holds; its other
    blocks are free, and there the generator over-draws the rare categories
    it was shown at log frequency during training. After training, an offset per category is
    added to the free blocks' logits so that their category shares, over
    classes drawn at their training frequencies, match the training
    table's (logit adjustment, fitted in three rounds on 4,096 draws).
    """

    def __init__(self, layout, n_classes, *, noise_dim, generator_dims, critic_dims, pac, critic_steps):
        super().__init__()
        self.n_classes = n_classes
        self.heads = Heads(layout)
        sampling = layout.with_label(n_classes) if n_classes else layout
        self.conditions = ConditionSampler([b.size for b in sampling.blocks], sampling.conditional_blocks())
        self.columns_dim = self.conditions.dim - n_classes
        self.noise_dim = noise_dim
        self.pac = pac
        self.critic_steps = critic_steps
        width = noise_dim + n_classes + self.columns_dim
        blocks = []
        for size in generator_dims:
            blocks.append(Residual(width, size))
            width += size
        self.generator = ResidualGenerator(*blocks, nn.Linear(width, layout.n_features))
        self.embed = nn.Sequential(nn.Linear(layout.n_features + n_classes, critic_dims[0]), nn.LeakyReLU(0.2))
        self.register_buffer("label_prior", torch.zeros(n_classes))
        self.register_buffer("free_offsets", torch.zeros(layout.n_features - layout.n_continuous))
        layers = []
        width = pac * (critic_dims[0] + self.columns_dim)
        for size in critic_dims:
            layers += [nn.Linear(width, size), nn.LeakyReLU(0.2)]
            width = size
        self.critic_hidden = nn.ModuleList(layers)
        self.critic_out = nn.Linear(width, 1)

    def phases(self, data, rng):
        """The ``"fit"`` phase on ``data``: generator and critic updates on packs of ``pac`` rows."""
        critic = (*self.embed.parameters(), *self.critic_hidden.parameters(), *self.critic_out.parameters())
        adam = {"betas": (0.5, 0.9), "weight_decay": 1e-6}
        return [
            Phase(
                "fit",
                partial(self.training_step, data=data, rng=rng),
                (Group(tuple(self.generator.parameters()), average=True, **adam), Group(critic, **adam)),
                self,
                multiple_of=self.pac,
                before=partial(self.fit_conditions, data),
                after=partial(self.finish, data, rng),
            )
        ]

    def fit_conditions(self, data):
        """Build the sampling tables; the label, if any, counts as a categorical column."""
        codes = data.codes
        if self.n_classes:
            self.label_prior.copy_(torch.bincount(data.y, minlength=self.n_classes) / data.n_rows)
            codes = torch.cat([codes, data.y.unsqueeze(1)], dim=1)
        self.conditions.fit(codes)

    def finish(self, data, rng):
        """Drop the sampling tables; fit the free blocks' logit offsets to the training shares."""
        self.conditions.drop_training_tables()
        if self.heads.n_blocks:
            fit_logit_offsets(self.heads, self.free_offsets, data, partial(self._adjustment_rows, rng))

    def _adjustment_rows(self, rng):
        """Raw outputs and free logits of rows of classes drawn at their training frequencies."""
        classes = torch.zeros(ROWS, dtype=torch.long, device=self.free_offsets.device)
        if self.n_classes:
            classes = torch.multinomial(self.label_prior, ROWS, replacement=True, generator=rng)
        return self._generate(classes, rng)

    def _generate(self, classes, rng):
        """Raw outputs of rows of ``classes`` with the free-block offsets, and which flat block logits are free.

        With a label a row is conditioned on its class and every block is
        free; without, on one category drawn at its training frequency,
        whose block is then not free and holds that category: its other
        logits are ``-inf``, since the generator obeys its condition only
        mostly and would otherwise over-draw rare categories there too.
        """
        n = classes.shape[0]
        labels = one_hot(classes, self.n_classes, n, self.label_prior)
        columns = labels.new_zeros(n, self.columns_dim)
        start = self.heads.n_continuous
        conditioned, chosen = classes.new_full((n,), -1), classes.new_full((n, 1), -1)
        if not self.n_classes and self.conditions.n_columns:
            column, category = self.conditions.sample(n, rng)
            columns, conditioned = self.conditions.vector(column, category), self.conditions.block_index[column]
            chosen = self.heads.index[conditioned, category].unsqueeze(1) - start
        raw = self._raw(labels, columns, rng)
        free = conditioned.unsqueeze(1) != self.heads.block_of
        logits = raw[:, start:] + self.free_offsets * free
        other = torch.arange(logits.shape[1], device=raw.device) != chosen
        return torch.cat([raw[:, :start], logits.masked_fill(~free & other, float("-inf"))], dim=1), free

    def critic(self, x, labels, columns, rng):
        h = dropout(self.embed(torch.cat([x, labels], dim=1)), _CRITIC_DROPOUT, rng, self.training)
        h = torch.cat([h, columns], dim=1).reshape(x.shape[0] // self.pac, -1)
        for layer in self.critic_hidden:
            h = layer(h)
            if isinstance(layer, nn.LeakyReLU):
                h = dropout(h, _CRITIC_DROPOUT, rng, self.training)
        return self.critic_out(h)

    def _condition(self, index, data, rng):
        """Real rows, their class one-hots and column conditions, and the drawn (column, category)."""
        if self.conditions.n_columns == 0:
            return index, data.labels(index), data.continuous.new_zeros(index.shape[0], 0), None, None
        column, category, rows = self.conditions.sample_training(index.shape[0], rng)
        columns = self.conditions.vector(column, category)[:, : self.columns_dim]
        return rows, data.labels(rows), columns, column, category

    def _raw(self, labels, columns, rng):
        noise = torch.randn(labels.shape[0], self.noise_dim, generator=rng, device=labels.device)
        return self.generator(torch.cat([noise, labels, columns], dim=1))

    def _penalty(self, real, fake, labels, columns, rng):
        packs = real.shape[0] // self.pac
        alpha = torch.rand(packs, 1, 1, generator=rng, device=real.device).expand(-1, self.pac, 1).reshape(-1, 1)
        mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(self.critic(mixed, labels, columns, rng).sum(), mixed, create_graph=True)
        return (grad.reshape(packs, -1).norm(dim=1) - 1).pow(2).mean()

    def _condition_loss(self, raw, column, category):
        """Cross-entropy of the generated category in the drawn column (rows drawn for their label excluded)."""
        if column is None or self.heads.n_blocks == 0:
            return raw.new_zeros(())
        on_column = column < self.conditions.n_columns - (self.n_classes > 0)
        block = self.conditions.block_index[column].clamp(max=self.heads.n_blocks - 1).unsqueeze(1)
        chosen = self.heads.index[block, 0] + category.unsqueeze(1)
        log_normalizer = self.heads.log_normalizers(raw[:, self.heads.n_continuous :]).gather(1, block)
        loss = log_normalizer - raw.gather(1, chosen.clamp(max=raw.shape[1] - 1))
        return (loss.squeeze(1) * on_column).sum() / on_column.sum().clamp(min=1)

    def training_step(self, index, opt_g, opt_d, *, data, rng):
        """``critic_steps`` critic updates, then one generator update."""
        for _ in range(self.critic_steps):
            rows, labels, columns, _, _ = self._condition(index, data, rng)
            with torch.no_grad():
                fake = self.heads.gumbel_softmax(self._raw(labels, columns, rng), _TAU, rng)
            real = data.rows(rows)
            scores = self.critic(
                torch.cat([fake, real]), torch.cat([labels, labels]), torch.cat([columns, columns]), rng
            ).reshape(2, -1)
            loss_d = scores[0].mean() - scores[1].mean() + _PENALTY * self._penalty(real, fake, labels, columns, rng)
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()

        _, labels, columns, column, category = self._condition(index, data, rng)
        raw = self._raw(labels, columns, rng)
        fake = self.heads.gumbel_softmax(raw, _TAU, rng)
        with frozen(opt_d.parameters):
            loss_g = -self.critic(fake, labels, columns, rng).mean() + self._condition_loss(raw, column, category)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        return {"critic": loss_d, "generator": loss_g}

    def sample(self, classes, rng):
        """Continuous slots and block codes of ``len(classes)`` new rows.

        With a label, each row is conditioned on its class in ``classes`` and
        on no column; without, on categories drawn at their training frequencies.
        """
        raw, _ = self._generate(classes, rng)
        return self.heads.continuous(raw), self.heads.sample_codes(raw, rng)

    def transform(self, x):
        """Per-row critic embedding, with the class one-hot set to the class frequencies."""
        return self.embed(torch.cat([x, self.label_prior.to(x.dtype).expand(x.shape[0], -1)], dim=1))
