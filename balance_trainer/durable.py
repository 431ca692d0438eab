"""Writing a small file so that a power cut leaves the old one or the new one, never half.

Used for the calibration (core) and the app's settings and PIN-attempt counter (games/): one
way to write, so both have the same guarantees.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX: the directory entry lives in the folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename itself has happened
    finally:
        os.close(fd)


def write_durably(path: Path, text: str, *, opener: Callable[..., int] = os.open) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically and durably, as a 0600 file.

    A temp file beside it (``<name>.tmp``) is written, fsynced and renamed over ``path``, then
    the folder is fsynced so the rename survives a power cut. The folder must exist (callers
    create it with the mode they need). ``opener`` stands in for :func:`os.open` in tests.

    Raises
    ------
    OSError
        The file could not be written; the temp file is removed and the old file kept.
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = opener(str(tmp), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)  # O_CREAT's mode is masked by the umask
            data = text.encode("utf-8")
            while data:
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
