"""README's commands do what they say: its test command installs what the tests need, and CI runs what README says."""

import re
import shlex
from pathlib import Path

import pytest
from _markdown import fenced

tomllib = pytest.importorskip("tomllib", reason="reads pyproject.toml with Python 3.11's tomllib")

ROOT = Path(__file__).resolve().parents[1]
PROVISIONING = ("set ", "cd ", "if ", "fi")
"""Lines of .ci/run that prepare the machine rather than run a README command (the apt-get block among them)."""


def _readme_lines():
    return [line for block in fenced(ROOT / "README.md", "bash") for line in block.splitlines()]


def _readme_test_command():
    commands = [line for line in _readme_lines() if "pytest" in line]
    assert len(commands) == 1, f"README should name one test command, found {commands}"
    return [step.strip() for step in commands[0].split("&&")]


def _ci_commands():
    """The commands .ci/run runs, as argument lists, ``--quiet`` left out of pip's."""
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line for line in lines if line and not line.startswith((" ", *PROVISIONING))]
    return [words for line in commands if (words := shlex.split(line.replace("--quiet ", ""), comments=True))]


def _requirement_names(requirements):
    return {re.split(r"[<>=\[ ;]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def test_readme_test_command_installs_what_the_tests_need():
    steps = _readme_test_command()
    assert steps[0].startswith("python3 -m venv ") and steps[1].startswith(". "), steps
    (install,) = [step for step in steps if step.startswith("pip install")]
    extras = re.search(r'-e "\.\[([a-z,]+)\]"', install)
    assert extras, f"the install step {install!r} installs no extra of the checkout"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    installed = _requirement_names(project["dependencies"])
    for extra in extras.group(1).split(","):
        installed |= _requirement_names(project["optional-dependencies"][extra])
    options = pyproject["tool"]["pytest"]["ini_options"]["addopts"]
    needed = {"pytest", "torch"} | ({"pytest-xdist"} if "--numprocesses" in options else set())
    assert needed <= installed, f"missing from the install step: {needed - installed}"
    assert "torch==" in install, "the install step should pin the CPU wheel of torch"


def test_ci_runs_the_readme_test_command():
    ci = _ci_commands()
    missing = [step for step in _readme_test_command() if shlex.split(step) not in ci]
    assert not missing, f".ci/run does not run {missing}"


def test_readme_writes_every_command_ci_runs():
    readme = [shlex.split(step, comments=True) for line in _readme_lines() for step in line.split("&&")]
    missing = [shlex.join(command) for command in _ci_commands() if command not in readme]
    assert not missing, f"README does not write {missing}"
