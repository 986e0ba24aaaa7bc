__version__ = "0.1.0"

FORMAT = 6
"""The format of saved generators (``augment.save`` files and pickles alike); other formats are refused."""
