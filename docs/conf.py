"""Sphinx configuration of augment's documentation: ``sphinx-build -W --keep-going -n docs docs/_build/html``."""

import sys
from pathlib import Path

import augment

DOCS = Path(__file__).resolve().parent
EXAMPLES = DOCS.parent / "examples"
sys.path[:0] = [str(DOCS), str(EXAMPLES)]  # _gallery.py; the examples import each other

project = "augment"
author = "the augment developers"
copyright = "2026, the augment developers"
release = version = augment.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_parts", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

autosummary_generate = True
templates_path = ["_templates"]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
nitpick_ignore_regex = [(r"py:.*", r"(torch|sklearn|pandas|numpy|matplotlib|scipy|dask|distributed|joblib)\..*")]

sphinx_gallery_conf = {
    "examples_dirs": str(EXAMPLES),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/",
    "download_all_examples": False,
    "remove_config_comments": True,
    "reset_argv": "_gallery.argv",
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
}

html_theme = "pydata_sphinx_theme"
html_title = f"augment {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path = []
autodoc_typehints = "none"
