"""Convolutional encoders and decoders sized to an image shape ``(C, H, W)``."""

from itertools import pairwise

from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

_BASE_WIDTH = 32
_MAX_WIDTH = 256
_MAX_STAGES = 3


def grid(image_shape):
    """Stride-2 stages and the ``(height, width)`` of the smallest feature map.

    Height and width are halved while both are even and the halves at least
    4, at most three times: 8x8 gives one stage to 4x4, 28x28 two to 7x7,
    32x32 three to 4x4; an odd side gives none.
    """
    _, height, width = image_shape
    stages = 0
    while stages < _MAX_STAGES and height % 2 == 0 and width % 2 == 0 and min(height, width) // 2 >= 4:
        height, width, stages = height // 2, width // 2, stages + 1
    return stages, height, width


def widths(image_shape):
    """Channels after the first convolution and after each stage (doubling, at most 256)."""
    stages = grid(image_shape)[0]
    return [min(_BASE_WIDTH * 2**i, _MAX_WIDTH) for i in range(stages + 1)]


class ConvEncoder(nn.Sequential):
    """Flattened images to a feature map: a 3x3 convolution, then a strided 4x4 one per stage.

    ``spectral=True`` puts spectral normalization on every convolution (a
    GAN critic); otherwise each strided convolution is followed by batch
    normalization. Output: ``(batch, widths[-1], *grid[1:])``.
    """

    def __init__(self, image_shape, spectral=False):
        norm = spectral_norm if spectral else (lambda layer: layer)
        channels = widths(image_shape)
        layers = [nn.Unflatten(1, image_shape), norm(nn.Conv2d(image_shape[0], channels[0], 3, padding=1))]
        layers.append(nn.LeakyReLU(0.2))
        for fan_in, fan_out in pairwise(channels):
            layers.append(norm(nn.Conv2d(fan_in, fan_out, 4, stride=2, padding=1)))
            if not spectral:
                layers.append(nn.BatchNorm2d(fan_out))
            layers.append(nn.LeakyReLU(0.2))
        super().__init__(*layers)
        self.out_channels = channels[-1]
        self.out_shape = (channels[-1], *grid(image_shape)[1:])


def conv_decoder(in_channels, image_shape):
    """Layers from a ``(in_channels, h, w)`` feature map at the smallest grid to flattened raw pixels.

    A transposed 4x4 convolution with batch normalization per stage, then a
    3x3 convolution to the image's channels; the output is flattened and not
    squashed (the model applies ``tanh``).
    """
    channels = widths(image_shape)[::-1]
    layers = [nn.Conv2d(in_channels, channels[0], 3, padding=1), nn.BatchNorm2d(channels[0]), nn.ReLU()]
    for fan_in, fan_out in pairwise(channels):
        layers += [nn.ConvTranspose2d(fan_in, fan_out, 4, stride=2, padding=1), nn.BatchNorm2d(fan_out), nn.ReLU()]
    layers += [nn.Conv2d(channels[-1], image_shape[0], 3, padding=1), nn.Flatten()]
    return layers


def vector_decoder(in_features, image_shape):
    """A decoder from vectors: a linear layer to the smallest feature map, then :func:`conv_decoder`.

    The linear layer comes first, on its own, so a model can fold an affine
    map of its input into it (the VAE's fitted prior does).
    """
    _, height, width = grid(image_shape)
    channels = widths(image_shape)[-1]
    return nn.Sequential(
        nn.Linear(in_features, channels * height * width),
        nn.Unflatten(1, (channels, height, width)),
        nn.ReLU(),
        *conv_decoder(channels, image_shape),
    )
