"""Learned generators that make small and imbalanced tables bigger."""

from ._version import __version__
from .encoding import TabularEncoder
from .generators import GANGenerator, VAEGenerator, VQVAEGenerator
from .meta import AugmentedClassifier, AugmentedRegressor
from .persistence import load, save
from .report import QualityReport, quality_report
from .resampling import SyntheticOversampler

__all__ = [
    "AugmentedClassifier",
    "AugmentedRegressor",
    "GANGenerator",
    "QualityReport",
    "SyntheticOversampler",
    "TabularEncoder",
    "VAEGenerator",
    "VQVAEGenerator",
    "__version__",
    "load",
    "quality_report",
    "save",
]
