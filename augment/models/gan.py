"""Conditional WGAN-GP with PacGAN packing and training-by-sampling (the CTGAN recipe)."""

import torch
from torch import nn
from torch.nn import functional as F

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


class GAN(nn.Module):
    """Generator and packed critic over an encoder :class:`Layout`.

    The critic embeds each row with a shared network (``embed``), then packs
    ``pac`` embedded rows with their conditions and scores the pack. The
    per-row embedding is what ``GANGenerator.transform`` returns.
    """

    def __init__(self, layout, n_classes, noise_dim=128, generator_dims=(256, 256), critic_dims=(256, 256), pac=10):
        super().__init__()
        self.heads = Heads(layout)
        self.conditions = ConditionSampler([b.size for b in layout.blocks], layout.conditional_blocks(), n_classes)
        self.n_classes = n_classes
        self.noise_dim = noise_dim
        self.pac = pac
        cond_dim = n_classes + self.conditions.dim
        width = noise_dim + cond_dim
        blocks = []
        for size in generator_dims:
            blocks.append(Residual(width, size))
            width += size
        self.generator = nn.Sequential(*blocks, nn.Linear(width, layout.n_features))
        self.embed = nn.Sequential(nn.Linear(layout.n_features, critic_dims[0]), nn.LeakyReLU(0.2))
        layers = []
        width = pac * (critic_dims[0] + cond_dim)
        for size in critic_dims[1:]:
            layers += [nn.Linear(width, size), nn.LeakyReLU(0.2)]
            width = size
        self.critic_hidden = nn.ModuleList(layers)
        self.critic_out = nn.Linear(width, 1)

    def configure_optimizers(self, learning_rate):
        kwargs = {"lr": learning_rate, "betas": (0.5, 0.9), "weight_decay": 1e-6}
        critic = [*self.embed.parameters(), *self.critic_hidden.parameters(), *self.critic_out.parameters()]
        self._optimizers = (torch.optim.Adam(self.generator.parameters(), **kwargs), torch.optim.Adam(critic, **kwargs))

    def critic(self, x, cond, rng):
        h = dropout(self.embed(x), _CRITIC_DROPOUT, rng, self.training)
        h = torch.cat([h, cond], dim=1).reshape(x.shape[0] // self.pac, -1)
        for layer in self.critic_hidden:
            h = layer(h)
            if isinstance(layer, nn.LeakyReLU):
                h = dropout(h, _CRITIC_DROPOUT, rng, self.training)
        return self.critic_out(h)

    def _condition(self, index, data, rng):
        """Real rows and their condition vectors; with ``column``/``category`` for the loss."""
        if self.conditions.n_columns == 0:
            return index, data.labels(index), None, None
        column, category, rows = self.conditions.sample_training(index.shape[0], rng)
        cond = torch.cat([data.labels(rows), self.conditions.vector(column, category)], dim=1)
        return rows, cond, column, category

    def _raw(self, cond, rng):
        noise = torch.randn(cond.shape[0], self.noise_dim, generator=rng, device=cond.device)
        return self.generator(torch.cat([noise, cond], dim=1))

    def _penalty(self, real, fake, cond, rng):
        packs = real.shape[0] // self.pac
        alpha = torch.rand(packs, 1, 1, generator=rng, device=real.device).expand(-1, self.pac, 1).reshape(-1, 1)
        mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(self.critic(mixed, cond, rng).sum(), mixed, create_graph=True)
        return (grad.reshape(packs, -1).norm(dim=1) - 1).pow(2).mean()

    def _condition_loss(self, raw, column, category):
        if column is None:
            return raw.new_zeros(())
        logits = self.heads.logits(raw)[
            torch.arange(raw.shape[0], device=raw.device), self.conditions.block_index[column]
        ]
        return F.cross_entropy(logits, category)

    def training_step(self, index, data, rng):
        """One critic update and one generator update."""
        opt_g, opt_d = self._optimizers
        rows, cond, _, _ = self._condition(index, data, rng)
        with torch.no_grad():
            fake = self.heads.gumbel_softmax(self._raw(cond, rng), _TAU, rng)
        real = data.x[rows]
        loss_d = self.critic(fake, cond, rng).mean() - self.critic(real, cond, rng).mean()
        loss_d = loss_d + _PENALTY * self._penalty(real, fake, cond, rng)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()

        _, cond, column, category = self._condition(index, data, rng)
        raw = self._raw(cond, rng)
        fake = self.heads.gumbel_softmax(raw, _TAU, rng)
        loss_g = -self.critic(fake, cond, rng).mean() + self._condition_loss(raw, column, category)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        return {"critic": loss_d, "generator": loss_g}

    def sample(self, classes, rng):
        """Continuous slots and block codes of ``len(classes)`` new rows.

        ``classes`` holds a class code per row (zeros when unconditional).
        """
        cond = one_hot(classes, self.n_classes, classes.shape[0], self.conditions.frequency)
        if self.conditions.n_columns:
            column, category = self.conditions.sample(classes, rng)
            cond = torch.cat([cond, self.conditions.vector(column, category)], dim=1)
        raw = self._raw(cond, rng)
        return self.heads.continuous(raw), self.heads.sample_codes(raw, rng)

    def transform(self, x):
        """Per-row critic embedding."""
        return self.embed(x)
