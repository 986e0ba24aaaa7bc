"""Writes never leave a partial file or destroy the old one, in the library and on the command line."""

import errno
import os
import signal
import subprocess
import sys
import tempfile
import textwrap

import pandas as pd
import pytest

from augment import persistence
from augment._files import atomic_write
from augment.base import BaseGenerator
from augment.cli import main
from augment.report import quality_report

OLD = b"the old model, which must survive"


def listing(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def table(tmp_path, mixed):
    path = tmp_path / "mixed.csv"
    mixed.to_csv(path, index=False)
    return path


def half_then_fail(path, *args, **kwargs):
    with open(path, "wb") as handle:
        handle.write(b"half a file")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "model.safetensors"
    target.write_bytes(OLD)
    with pytest.raises(OSError, match="No space left") as raised, atomic_write(target) as temporary:
        half_then_fail(temporary)
    assert target.read_bytes() == OLD and listing(tmp_path) == ["model.safetensors"]
    assert raised.value.filename == str(target) and raised.value.errno == errno.ENOSPC


def test_a_finished_write_replaces_the_file_with_ordinary_permissions(tmp_path):
    target = tmp_path / "new.csv"
    with atomic_write(target) as temporary:
        assert temporary.parent == tmp_path and temporary.name.startswith(".new.") and temporary.suffix == ".csv"
        temporary.write_text("x\n1\n")
    mask = os.umask(0)
    os.umask(mask)
    assert target.read_text() == "x\n1\n" and target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert listing(tmp_path) == ["new.csv"]


@pytest.mark.parametrize("command", ["fit", "sample"])
def test_a_full_disk_on_the_command_line_is_one_line_and_keeps_the_old_file(
    tmp_path, table, capsys, monkeypatch, command
):
    model = tmp_path / "m.safetensors"
    assert main(["fit", str(table), "--epochs", "1", "-o", str(model)]) == 0
    target = model if command == "fit" else tmp_path / "s.csv"
    if command == "sample":
        target.write_bytes(OLD)
    before = target.read_bytes()
    monkeypatch.setattr(persistence, "save_file", lambda arrays, path, **kw: half_then_fail(path))
    monkeypatch.setattr(pd.DataFrame, "to_csv", lambda self, path, **kw: half_then_fail(path))
    argv = ["fit", str(table), "--epochs", "1"] if command == "fit" else ["sample", str(model), "-n", "5"]
    capsys.readouterr()
    code = main([*argv, "-o", str(target), "--force"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.splitlines()[-1] == f"augment {command}: {target}: No space left on device"
    assert target.read_bytes() == before
    assert listing(tmp_path) == sorted({"mixed.csv", "m.safetensors", target.name})


def test_a_missing_or_unwritable_folder_is_refused_before_training(tmp_path, table, capsys, monkeypatch):
    monkeypatch.setattr(BaseGenerator, "fit", lambda *a, **k: pytest.fail("trained before checking the output"))
    assert main(["fit", str(table), "-o", str(tmp_path / "nowhere" / "m.safetensors")]) == 1
    assert "does not exist" in capsys.readouterr().err

    def read_only(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(tmp_path))

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    assert main(["fit", str(table), "-o", str(tmp_path / "m.safetensors")]) == 1
    err = capsys.readouterr().err
    assert err == f"augment fit: {tmp_path}: Permission denied\n"


def test_a_figure_that_fails_halfway_keeps_the_old_one(tmp_path, mixed, monkeypatch):
    import matplotlib.figure

    figure = tmp_path / "report.png"
    figure.write_bytes(OLD)
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda self, path, **kw: half_then_fail(path))
    with pytest.raises(OSError):
        quality_report(mixed, mixed).plot(figure)
    assert figure.read_bytes() == OLD and listing(tmp_path) == ["report.png"]


WRITER = textwrap.dedent(
    """
    import signal, sys, time
    from augment import persistence
    from augment.cli import main

    def slow_save(arrays, path, *args, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"half a model")
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)

    # A shell that runs the suite as a background job starts it with SIGINT ignored, and a child
    # inherits that; a user's terminal does not ignore Ctrl-C, so the writer takes it as they would.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    persistence.save_file = slow_save
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_a_writer_killed_halfway_leaves_the_old_model(tmp_path, table, how):
    model = tmp_path / "m.safetensors"
    model.write_bytes(OLD)
    argv = [sys.executable, "-c", WRITER, "fit", str(table), "--epochs", "1", "-o", str(model), "--force"]
    writer = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert writer.stdout.readline() == "writing\n"
    os.kill(writer.pid, getattr(signal, how))
    _, err = writer.communicate(timeout=60)
    assert model.read_bytes() == OLD
    others = [name for name in listing(tmp_path) if name not in ("m.safetensors", "mixed.csv")]
    if how == "SIGINT":
        assert writer.returncode == 130 and err.splitlines()[-1] == "augment fit: interrupted; nothing was written"
        assert others == []
    else:
        assert writer.returncode == -signal.SIGKILL
        assert all(name.startswith(".m.") and name.endswith(".tmp.safetensors") for name in others)
