"""README's commands do what they say: its test command installs what the tests need, and CI runs it."""

import re
import shlex
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reads pyproject.toml with Python 3.11's tomllib")

ROOT = Path(__file__).resolve().parents[1]


def _readme_test_command():
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    commands = [line for block in blocks for line in block.splitlines() if "pytest" in line]
    assert len(commands) == 1, f"README should name one test command, found {commands}"
    return [step.strip() for step in commands[0].split("&&")]


def _requirement_names(requirements):
    return {re.split(r"[<>=\[ ;]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def test_readme_test_command_installs_what_the_tests_need():
    steps = _readme_test_command()
    assert steps[0].startswith("python3 -m venv ") and steps[1].startswith(". "), steps
    (install,) = [step for step in steps if step.startswith("pip install")]
    extras = re.search(r'-e "\.\[([a-z,]+)\]"', install)
    assert extras, f"the install step {install!r} installs no extra of the checkout"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    installed = _requirement_names(project["dependencies"])
    for extra in extras.group(1).split(","):
        installed |= _requirement_names(project["optional-dependencies"][extra])
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    needed = {"pytest", "torch"} | ({"pytest-xdist"} if "--numprocesses" in options else set())
    assert needed <= installed, f"missing from the install step: {needed - installed}"
    assert "torch==" in install, "the install step should pin the CPU wheel of torch"


def test_ci_runs_the_readme_test_command():
    ci = [shlex.split(line.replace("--quiet ", "")) for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    missing = [step for step in _readme_test_command() if shlex.split(step) not in ci]
    assert not missing, f".ci/run does not run {missing}"
