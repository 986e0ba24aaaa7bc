import subprocess
import sys

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
