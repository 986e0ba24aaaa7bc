"""Docstring text shared by the three generators, written once and filled in where a docstring asks for it.

A line holding only ``{shared:NAME}`` is replaced by ``SHARED[NAME]``,
indented as the line was; an unknown name fails at import.
"""

import re
import textwrap

SHARED = {
    "discrete_columns": "Columns to treat as categorical whatever their dtype.",
    "max_categories": """\
Most distinct values a categorical column may have; a column with
more is refused at fit, naming its count, before anything is
encoded. ``None`` lifts the limit (the networks grow with the categories).""",
    "continuous_transform": """\
How continuous columns are normalized; see :class:`~augment.encoding.TabularEncoder`.""",
    "rows_per_quantile": """\
Training rows per knot of the encoder's quantile functions. With 1,
decoding passes through every training value, so drawn rows repeat
the sample's clumps and ties, which a classifier learns to spot
(docs: Benchmarks, Quality, Calibrated margins).""",
    "calibrate_margins": """\
At the end of ``fit``, draw 10,000 rows (per class, when fit with
``y``) and record each continuous column's quantiles; ``sample`` maps
every drawn column through them onto the training column's marginal
(that class's, for a class of 10 rows or more), keeping the rows'
ranks (quantile mapping). Tables with ``continuous_transform="quantile"``
only; ``transform`` and ``inverse_transform`` are left as they are.""",
    "smoothing": """\
Bandwidth of a Gaussian kernel that ``sample`` smooths each drawn
numeric value with, in training standard deviations of its column
and correlated across columns as the training columns are, shrunk
about the column's mean so that the covariance is kept (a smoothed
bootstrap); the row's class's statistics, for a class of 10 rows or
more. Values held by 10% of the training rows or more (a
zero-inflated column's zeros) and every value of a few-valued column
(10 or more training rows per distinct value: counts, scores) are
kept as drawn. It blurs the training rows' clumps that a generator
reproduces and that a classifier spots; ``0`` turns it off. Tables
only (docs: Benchmarks, Quality, Smoothing).""",
    "image_shape": """\
``(channels, height, width)`` of flattened images: each row of ``X``
holds ``channels * height * width`` numeric pixels. The tabular
encoder gives way to :class:`~augment.images.PixelScaler` and the
networks are convolutional, sized to the shape.""",
    "tail_parameters": """\
device : {"auto", "cpu", "cuda"}, default="auto"
    Where to train; ``"auto"`` takes CUDA when present.
n_threads : int, default=None
    CPU threads of ``fit``, ``sample`` and ``transform`` (torch's and the
    BLAS/OpenMP libraries'), restored after each call. ``None`` takes
    the CPUs that are free when the call starts (on Linux; all of them
    elsewhere), at most ``torch.get_num_threads()``, so that a fit beside
    another busy process does not fight it for cores (``n_threads_``
    records the fit's count).
random_state : int, RandomState instance or None, default=None
    Seed of every random draw; the same seed gives the same samples.
verbose : bool, default=False
    Show a progress bar with the losses.""",
    "head_attributes": """\
encoder_ : TabularEncoder or PixelScaler
    The fitted table encoder (the pixel scaler for images).
model_ : torch.nn.Module
    The trained networks.
n_threads_ : int
    CPU threads the fit ran on. Training sums split by thread, so the
    GAN and VQ-VAE repeat a fit bit for bit only at the same count:
    pass ``n_threads=n_threads_`` for that; sampling does not depend on it.""",
    "sampling_attributes": """\
sampling_ : SamplingStage or None
    What ``sample`` does to the model's draws, fit at the end of
    ``fit``: the calibrated margins (``sampling_.margins_``, per class)
    and the smoothing kernels (``sampling_.kernel_``, per class); see
    :class:`~augment.sampling.SamplingStage`. ``None`` for images.""",
    "tail_attributes": """\
classes_ : ndarray
    Class labels, when fit with ``y``.
n_features_in_ : int
    Number of columns seen in ``fit``.
feature_names_in_ : ndarray of str
    Column names seen in ``fit``, when they are all strings.""",
}

_PLACEHOLDER = re.compile(r"^( *)\{shared:(\w+)\}$", re.MULTILINE)


def fill(docstring):
    """``docstring`` with every ``{shared:NAME}`` line replaced by the shared text, indented as the line was.

    Examples
    --------
    >>> from augment._docstrings import fill
    >>> print(fill("x : int\\n    {shared:discrete_columns}"))
    x : int
        Columns to treat as categorical whatever their dtype.
    """
    return _PLACEHOLDER.sub(lambda m: textwrap.indent(SHARED[m.group(2)], m.group(1)), docstring)
