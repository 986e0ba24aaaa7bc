import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from augment import VAEGenerator
from augment.report import quality_report

from _device import DEVICE


@pytest.fixture(scope="module")
def report(mixed):
    train, test = train_test_split(mixed, test_size=0.5, random_state=0)
    generator = VAEGenerator(epochs=30, random_state=0, device=DEVICE).fit(train)
    return quality_report(test, generator.sample(len(test)), generator=generator)


def test_scores_and_frame(report, mixed):
    assert set(report.scores) == {
        "mean KS (continuous)",
        "mean TVD (categorical)",
        "correlation difference",
        "contingency difference",
        "coverage (mean)",
        "detection AUC, logistic",
        "detection AUC, boosting",
    }
    frame = report.to_frame()
    assert frame["column"].tolist()[: mixed.shape[1]] == list(mixed.columns)
    assert (frame["kind"] == "overall").sum() == 7
    assert 0.4 < report.scores["detection AUC, logistic"] < 1.0


def test_summary_fits_a_screen_and_names_the_worst_column(report):
    text = report.summary()
    assert len(text.splitlines()) <= 20
    worst = report.columns.sort_values("distance").iloc[-1]["column"]
    assert f"  {worst}" in text and "0.5 is indistinguishable" in text


def test_plot_writes_a_png_with_every_panel(report, tmp_path):
    path = report.plot(tmp_path / "report.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_real_against_itself_scores_perfect_shapes(mixed):
    report = quality_report(mixed, mixed)
    assert report.scores["mean KS (continuous)"] == 0.0 and report.scores["correlation difference"] == 0.0


@pytest.mark.slow
def test_plot_without_matplotlib_says_how_to_get_it():
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import pandas as pd\n"
        "from augment.report import quality_report\n"
        "df = pd.DataFrame({'x': [float(i) for i in range(40)], 'y': [float(i % 7) for i in range(40)]})\n"
        "r = quality_report(df.iloc[::2], df.iloc[1::2])\n"
        "try:\n"
        "    r.plot('x.png')\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert 'pip install "augment[plot]"' in result.stdout, result.stderr


@pytest.mark.parametrize("n_columns", [1, 7, 40])
def test_the_figure_reads_on_its_own_for_narrow_and_wide_tables(n_columns):
    rng = np.random.default_rng(0)
    real = pd.DataFrame(rng.normal(size=(200, n_columns)), columns=[f"c{j}" for j in range(n_columns)])
    if n_columns > 1:
        real["c1"] = rng.choice(["low", "mid", "high"], 200)
    generator = VAEGenerator(epochs=2, random_state=0, device=DEVICE).fit(real)
    report = quality_report(real, generator.sample(200), generator=generator)
    fig = report.figure()
    title = fig._suptitle.get_text()
    assert title.startswith("VAEGenerator against 200 real rows\ndetection AUC (boosting) 0.")
    marginals = [ax for ax in fig.axes if ax.get_title() in real.columns]
    assert len(marginals) == n_columns and all(ax.get_ylabel() in ("density", "share of rows") for ax in marginals)
    heatmaps = [ax for ax in fig.axes if ax.get_title().startswith("correlations")]
    numeric = [c for c in real.columns if c != "c1"]
    assert len(heatmaps) == (2 if len(numeric) >= 2 else 0)
    for ax in heatmaps:  # every column named, or every second one of 39
        assert [label.get_text() for label in ax.get_xticklabels()] == numeric[:: -(-len(numeric) // 20)]
    losses = [ax for ax in fig.axes if ax.get_title() == "training losses"]
    assert len(losses) == 1 and [t.get_text() for t in losses[0].get_legend().get_texts()] == ["fit"]
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(panels) == n_columns + len(heatmaps) + 1  # no empty panel
    assert all(ax.has_data() for ax in panels)
    plt.close(fig)
