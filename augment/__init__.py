"""Learned generators that make small and imbalanced tables bigger."""

from ._version import __version__
from .encoding import TabularEncoder
from .generators import GANGenerator, VAEGenerator, VQVAEGenerator

__all__ = ["GANGenerator", "TabularEncoder", "VAEGenerator", "VQVAEGenerator", "__version__"]
