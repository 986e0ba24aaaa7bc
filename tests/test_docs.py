"""Every Python snippet of the docs runs as written, a page's in order in one namespace; README's are the docs'."""

from pathlib import Path

import pytest
from _markdown import fenced

ROOT = Path(__file__).resolve().parents[1]
GETTING_STARTED = ROOT / "docs" / "getting_started.md"
PAGES = [GETTING_STARTED, *sorted((ROOT / "docs" / "user_guide").glob("*.md"))]
WITH_SNIPPETS = [page for page in PAGES if fenced(page, "python")]


def test_the_pages_that_teach_have_snippets():
    names = {page.name for page in WITH_SNIPPETS}
    assert {"getting_started.md", "generators.md", "pipelines.md", "images.md", "dask.md"} <= names


def test_readme_shows_getting_started_snippets_word_for_word():
    """README's snippets run where getting started runs them, so each must be one of that page's, whole."""
    readme = fenced(ROOT / "README.md", "python")
    assert readme and set(readme) <= set(fenced(GETTING_STARTED, "python"))


@pytest.mark.slow  # the snippets fit generators at their defaults
@pytest.mark.parametrize("page", WITH_SNIPPETS, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_snippets_run_as_written(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # snippets that save write here
    namespace = {"__name__": "__main__"}
    for number, code in enumerate(fenced(page, "python"), 1):
        exec(compile(code, f"{page.name}, snippet {number}", "exec"), namespace)
