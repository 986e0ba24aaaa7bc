"""A one-call quality report: scores, a one-screen summary and a figure."""

import numpy as np
import pandas as pd

from ._files import atomic_write
from .metrics import _frames, column_shapes, contingency_difference, correlation_difference, coverage, detection_auc


class QualityReport:
    """Fidelity of a synthetic table against a real one; made by :func:`quality_report`.

    Attributes
    ----------
    columns : DataFrame
        Per-column distance (KS or total variation), from :func:`~augment.metrics.column_shapes`.
    scores : dict
        Overall scores: mean KS, mean total variation, correlation and
        contingency differences, mean coverage, and detection AUC of a
        logistic regression and of gradient boosting.
    """

    def __init__(self, real, synthetic, columns, scores, history=None, discrete_columns=None, generator_name=None):
        self.real, self.synthetic = real, synthetic
        self.columns, self.scores = columns, scores
        self.history = history
        self.discrete_columns = discrete_columns
        self.generator_name = generator_name

    def to_frame(self):
        """Per-column rows, then one row per overall score (``kind`` = ``"overall"``)."""
        overall = pd.DataFrame(
            [("overall", "overall", name, value) for name, value in self.scores.items()],
            columns=["column", "kind", "metric", "distance"],
        )
        return pd.concat([self.columns, overall], ignore_index=True).rename(columns={"distance": "value"})

    def summary(self):
        """A one-screen text table: overall scores with what is good, then the worst columns."""
        good = {
            "mean KS (continuous)": "0 is identical",
            "mean TVD (categorical)": "0 is identical",
            "correlation difference": "0 is identical",
            "contingency difference": "0 is identical",
            "coverage (mean)": "1 covers every category and the full range",
            "detection AUC, logistic": "0.5 is indistinguishable",
            "detection AUC, boosting": "0.5 is indistinguishable",
        }
        lines = [f"real rows: {len(self.real)}, synthetic rows: {len(self.synthetic)}", ""]
        lines += [f"{name:<26}{value:>8.3f}   ({good[name]})" for name, value in self.scores.items()]
        worst = self.columns.sort_values("distance", ascending=False).head(5)
        lines += ["", "columns furthest from the real data:"]
        lines += [f"  {row.column!s:<24}{row.metric:>4} {row.distance:>8.3f}" for row in worst.itertuples()]
        return "\n".join(lines)

    def figure(self):
        """The report as a matplotlib figure: one panel per column, both correlation matrices, the losses.

        The title names the generator and its headline scores; marginal
        panels are real against synthetic (densities, or shares of rows for
        categories), heatmaps are labelled with their columns, and the panels
        flow in one grid with no empty slot between them. Needs matplotlib
        (``pip install "augment[plot]"``).
        """
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError as error:
            raise ImportError('QualityReport.plot needs matplotlib: pip install "augment[plot]"') from error
        real, synthetic, categorical, continuous = _frames(self.real, self.synthetic, self.discrete_columns)
        names = list(real.columns)
        panels = [("column", name) for name in names]
        if len(continuous) >= 2:
            panels += [("correlations", "real"), ("correlations", "synthetic")]
        if self.history:
            panels.append(("losses", None))
        n_cols = min(4, len(panels))
        n_rows = -(-len(panels) // n_cols)
        fig, axes = plt.subplots(n_rows, n_cols, figsize=(max(4 * n_cols, 8), 3.2 * n_rows + 0.8), squeeze=False)
        for ax in axes.flat[len(panels) :]:
            ax.remove()
        for k, ((kind, what), ax) in enumerate(zip(panels, axes.flat, strict=False)):
            if kind == "column":
                self._marginal(ax, real, synthetic, what, what in categorical, legend=k == 0)
            elif kind == "correlations":
                frame = real if what == "real" else synthetic
                image = ax.imshow(frame[continuous].astype(float).corr().to_numpy(), vmin=-1, vmax=1, cmap="RdBu_r")
                step = -(-len(continuous) // 20)  # at most 20 names per axis, every step-th column
                ticks = np.arange(0, len(continuous), step)
                labels = [str(c) for c in continuous[::step]]
                ax.set_xticks(ticks, labels, rotation=90, fontsize=7)
                ax.set_yticks(ticks, labels, fontsize=7)
                ax.set_title(f"correlations, {what}", fontsize=9)
                fig.colorbar(image, ax=ax, fraction=0.046)
            else:
                self._losses(ax)
        fig.suptitle(self._title(), fontsize=11)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.8 / fig.get_figheight()))  # the title keeps its 0.8 inch
        return fig

    def _title(self):
        name = self.generator_name or "synthetic rows"
        headline = ", ".join(
            f"{label} {self.scores[key]:.3f}"
            for key, label in [
                ("detection AUC, boosting", "detection AUC (boosting)"),
                ("detection AUC, logistic", "(logistic)"),
                ("mean KS (continuous)", "mean KS"),
                ("mean TVD (categorical)", "mean TVD"),
            ]
            if key in self.scores
        )
        return f"{name} against {len(self.real):,} real rows\n{headline} (AUCs: 0.5 is ideal; KS, TVD: 0)"

    @staticmethod
    def _marginal(ax, real, synthetic, name, categorical, legend):
        if categorical:
            p = real[name].astype(object).fillna("<missing>").astype(str).value_counts(normalize=True)
            q = synthetic[name].astype(object).fillna("<missing>").astype(str).value_counts(normalize=True)
            both = pd.concat([p.rename("real"), q.rename("synthetic")], axis=1).fillna(0).head(12)
            both.plot.bar(ax=ax, width=0.8, legend=legend, xlabel="")
            ax.set_ylabel("share of rows", fontsize=8)
        else:
            a = pd.to_numeric(real[name]).dropna().to_numpy(dtype=float)
            b = pd.to_numeric(synthetic[name]).dropna().to_numpy(dtype=float)
            bins = np.histogram_bin_edges(np.r_[a, b], bins=30)
            ax.hist(a, bins=bins, alpha=0.5, density=True, label="real")
            ax.hist(b, bins=bins, alpha=0.5, density=True, label="synthetic")
            ax.set_ylabel("density", fontsize=8)
            if legend:
                ax.legend(fontsize=8)
        ax.set_title(str(name), fontsize=9)
        ax.tick_params(labelsize=7)

    def _losses(self, ax):
        curves = pd.DataFrame(self.history)
        for phase, part in curves.groupby("phase", sort=False):
            for key in part.columns.drop(["phase", "epoch"]):
                if part[key].notna().any():
                    label = phase if key in ("loss", phase) else f"{phase}, {key}"
                    ax.plot(part["epoch"], part[key], label=label)
        ax.set_xlabel("epoch", fontsize=8)
        ax.set_ylabel("loss", fontsize=8)
        ax.set_title("training losses", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=8)

    def plot(self, path):
        """Write :meth:`figure` to ``path`` (PNG, or the format its suffix names).

        Needs matplotlib (``pip install "augment[plot]"``). The file is
        replaced only once the figure is complete.
        """
        fig = self.figure()
        import matplotlib.pyplot as plt

        try:
            with atomic_write(path) as temporary:
                fig.savefig(temporary, dpi=80)
        finally:
            plt.close(fig)
        return path


def quality_report(real, synthetic, generator=None, discrete_columns=None):
    """Score ``synthetic`` against ``real`` and bundle the results.

    Parameters
    ----------
    real : DataFrame or ndarray
        Real rows, best ones the generator did not see.
    synthetic : DataFrame or ndarray
        Synthetic rows with the same columns.
    generator : fitted generator, default=None
        Named in the figure's title; its ``history_`` is drawn as loss curves by ``plot``.
    discrete_columns : list, default=None
        Columns to treat as categorical whatever their dtype.

    Returns
    -------
    QualityReport

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> X = load_wine(as_frame=True).data
    >>> report = quality_report(X.iloc[::2], X.iloc[1::2])
    >>> report.to_frame().shape
    (18, 4)
    >>> print(report.summary().splitlines()[0])
    real rows: 89, synthetic rows: 89
    """
    real, synthetic, categorical, continuous = _frames(real, synthetic, discrete_columns)
    columns = column_shapes(real, synthetic, discrete_columns)
    scores = {}
    if continuous:
        scores["mean KS (continuous)"] = float(columns.loc[columns.kind == "continuous", "distance"].mean())
    if categorical:
        scores["mean TVD (categorical)"] = float(columns.loc[columns.kind == "categorical", "distance"].mean())
    if len(continuous) >= 2:
        scores["correlation difference"] = correlation_difference(real, synthetic, discrete_columns)
    if len(categorical) >= 2:
        scores["contingency difference"] = contingency_difference(real, synthetic, discrete_columns)
    scores["coverage (mean)"] = float(coverage(real, synthetic, discrete_columns)["coverage"].mean())
    scores["detection AUC, logistic"] = detection_auc(real, synthetic, "logistic", discrete_columns=discrete_columns)
    scores["detection AUC, boosting"] = detection_auc(real, synthetic, "boosting", discrete_columns=discrete_columns)
    history = getattr(generator, "history_", None)
    name = None if generator is None else type(generator).__name__
    return QualityReport(real, synthetic, columns, scores, history, discrete_columns, name)
