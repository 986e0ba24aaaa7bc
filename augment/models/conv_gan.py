"""Conditional DCGAN for images: transposed-convolution generator, spectrally normalized projection critic."""

from functools import partial

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.parametrizations import spectral_norm

from ..optim import frozen
from ..training import Group, Phase
from .conv import ConvEncoder, vector_decoder
from .data import one_hot


class ConvGAN(nn.Module):
    """Generator ``G(noise, y)`` and critic ``D(x, y)`` over flattened images in ``[-1, 1]``.

    The generator is a DCGAN decoder from noise and the class one-hot; its
    output goes through ``tanh``. The critic is a strided convolutional
    network with spectral normalization (Miyato et al. 2018) whose
    spatially summed features are scored by a linear layer plus, when fit
    with labels, their inner product with a learned class embedding (the
    projection discriminator, Miyato and Koyama 2018). Both are trained with
    the hinge loss; each critic update after the first of a step draws its
    own real batch. Sampling uses the moving average of the generator's
    weights (``Group(average=True)``). The summed critic features are what
    ``GANGenerator.transform`` returns.
    """

    def __init__(self, layout, n_classes, *, image_shape, noise_dim, critic_steps):
        super().__init__()
        self.n_classes = n_classes
        self.noise_dim = noise_dim
        self.critic_steps = critic_steps
        self.generator = vector_decoder(noise_dim + n_classes, image_shape)
        self.features = ConvEncoder(image_shape, spectral=True)
        width = self.features.out_channels
        self.score = spectral_norm(nn.Linear(width, 1))
        self.projection = spectral_norm(nn.Embedding(max(n_classes, 1), width))

    def phases(self, data, rng):
        """The ``"fit"`` phase: ``critic_steps`` critic updates and one generator update per batch."""
        critic = (*self.features.parameters(), *self.score.parameters(), *self.projection.parameters())
        adam = {"betas": (0.5, 0.999)}
        return [
            Phase(
                "fit",
                partial(self.training_step, data=data, rng=rng),
                (Group(tuple(self.generator.parameters()), average=True, **adam), Group(critic, **adam)),
                self,
            )
        ]

    def transform(self, x):
        """Critic features summed over the feature map."""
        return self.features(x).sum(dim=(2, 3))

    def critic(self, x, classes):
        h = self.transform(x)
        scores = self.score(h).squeeze(1)
        if self.n_classes:
            scores = scores + (self.projection(classes) * h).sum(dim=1)
        return scores

    def generate(self, classes, rng):
        """Images in ``[-1, 1]`` for the class codes ``classes``."""
        noise = torch.randn(classes.shape[0], self.noise_dim, generator=rng, device=classes.device)
        labels = one_hot(classes, self.n_classes, classes.shape[0], noise)
        return torch.tanh(self.generator(torch.cat([noise, labels], dim=1)))

    def training_step(self, index, opt_g, opt_d, *, data, rng):
        """Hinge-loss critic updates, then one generator update."""
        rows = index
        for step in range(self.critic_steps):
            if step:
                rows = torch.randint(data.n_rows, index.shape, generator=rng, device=index.device)
            classes = data.classes[rows]
            with torch.no_grad():
                fake = self.generate(classes, rng)
            scores = self.critic(torch.cat([data.continuous[rows], fake]), torch.cat([classes, classes]))
            real_scores, fake_scores = scores.chunk(2)
            loss_d = F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
        classes = data.classes[index]
        with frozen(opt_d.parameters):
            loss_g = -self.critic(self.generate(classes, rng), classes).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        return {"critic": loss_d, "generator": loss_g}

    def sample(self, classes, rng):
        """Pixels of ``len(classes)`` new images and their (empty) block codes."""
        images = self.generate(classes, rng)
        return images, classes.new_empty(classes.shape[0], 0)
