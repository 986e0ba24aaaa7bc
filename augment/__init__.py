"""Learned generators that make small and imbalanced tables bigger."""

from ._version import __version__
from .encoding import TabularEncoder
from .generators import GANGenerator, VAEGenerator, VQVAEGenerator
from .meta import AugmentedClassifier, AugmentedRegressor
from .meta_cv import AugmentedClassifierCV, AugmentedRegressorCV
from .persistence import load, save
from .report import QualityReport, quality_report
from .resampling import SyntheticOversampler

__all__ = [
    "AugmentedClassifier",
    "AugmentedClassifierCV",
    "AugmentedRegressor",
    "AugmentedRegressorCV",
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
