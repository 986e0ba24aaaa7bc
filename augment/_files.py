"""Writing files so that a failure never leaves a partial file or destroys the old one."""

import os
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path


def check_folder_writable(path):
    """Raise ``OSError`` unless a file can be created in the folder that would hold ``path``.

    Made before long work (training) so that a missing or read-only folder is
    reported at once, not after it.
    """
    folder = Path(path).parent
    if not folder.is_dir():
        raise FileNotFoundError(2, "the folder does not exist", str(folder))
    with tempfile.TemporaryFile(dir=folder):
        pass


def _new_file_mode():
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_write(path):
    """Yield a temporary path beside ``path``; when the block ends without error it replaces ``path``.

    The temporary file is hidden (a leading dot), keeps ``path``'s suffix so
    that writers which read the format from it (joblib, matplotlib) still
    can, is flushed to disk and renamed onto ``path`` in one step. On any
    error or interrupt inside the block it is removed and ``path`` is left as
    it was; an ``OSError`` about the temporary file is raised as one about
    ``path``. A process killed outright (``kill -9``) cannot clean up: then
    ``path`` is still intact, and the hidden temporary file may remain.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from augment._files import atomic_write
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "rows.csv"
    >>> with atomic_write(target) as temporary:
    ...     _ = temporary.write_text("a,b\\n1,2\\n")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('a,b\\n1,2\\n', ['rows.csv'])
    """
    path = Path(path)
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, path.stat().st_mode if path.exists() else _new_file_mode())
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with suppress(OSError):
            temporary.unlink()
        if isinstance(error, OSError) and error.filename == str(temporary):
            raise type(error)(error.errno, error.strerror, str(path)) from error
        raise
