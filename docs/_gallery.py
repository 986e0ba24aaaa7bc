"""What the docs' gallery passes each example on its command line: short runs, so the build stays under 5 minutes."""

from pathlib import Path

ARGV = {
    "quickstart.py": ["--epochs", "30"],
    "imbalanced_classification.py": ["--seeds", "2", "--epochs", "30"],
    "small_data_regression.py": ["--epochs", "30"],
    "generator_grid_search.py": ["--epochs", "30"],
    "dask_grid_search.py": ["--epochs", "10"],
}


def argv(gallery_conf, script_vars):
    """The arguments of one example, by its file name."""
    return ARGV[Path(script_vars["src_file"]).name]
