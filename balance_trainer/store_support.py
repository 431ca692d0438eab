"""What the store's parts share: the process that owns a trial, read-only media, error
translation, and the base class with the lock, the connection and transactions.

:mod:`.store` is the public face (:class:`~balance_trainer.store.Store`); the people and
privacy methods are in :mod:`.store_people`. Everything public here is re-exported by
:mod:`.store`, so ``from balance_trainer.store import owner_alive`` keeps working.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from .errors import (
    BalanceTrainerError,
    StoreCorruptError,
    StoreError,
    StoreUnavailableError,
)

__all__ = ["StoreBase", "owner_alive", "translate_error"]

SQLITE_MAGIC = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""


# Which process owns a running trial. Linux gives a boot id and a process start time, which
# together with the pid tell a live writer from a dead one even after pid reuse or a reboot.


def _proc_stat(pid: int) -> tuple[str, str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = text[text.rfind(")") + 2 :].split()
    return rest[0], rest[19]  # state, starttime (clock ticks after boot)


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _owner_token() -> str:
    stat = _proc_stat(os.getpid())
    return f"{_boot_id()}:{os.getpid()}:{stat[1] if stat else ''}"


def owner_alive(token: str | None) -> bool:
    """True when the process that wrote ``token`` (see trials.owner) is still running."""
    if not token:
        return False
    boot, _, rest = token.partition(":")
    pid_s, _, start = rest.partition(":")
    try:
        pid = int(pid_s)
    except ValueError:
        return False
    if boot and boot != _boot_id():
        return False
    if start:
        stat = _proc_stat(pid)
        return stat is not None and stat[0] not in ("Z", "X") and stat[1] == start
    try:  # no /proc: the best a portable program can do
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_only_medium(path: Path) -> bool:
    """True when ``path`` (an existing database) cannot be written: a read-only mount, or no
    write permission on the file or its folder (SQLite needs both for its -wal and -shm)."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return True
    except (OSError, AttributeError):
        pass
    return not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _read_only_uri(path: Path) -> str:
    """An SQLite URI opening ``path`` read-only; ``immutable`` on a read-only mount, where no
    one can be writing it and SQLite could not make the -shm file it otherwise needs."""
    from urllib.parse import quote

    immutable = False
    try:
        immutable = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        pass
    if not immutable and not Path(str(path) + "-shm").exists():
        immutable = not os.access(path.parent, os.W_OK)
    return f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")


def translate_error(exc: BaseException, path: str | os.PathLike[str]) -> BalanceTrainerError:
    """The named store error for an sqlite3 or OS error on the database at ``path``."""
    msg = str(exc)
    low = msg.lower()
    if isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in low or "malformed" in low or "corrupt" in low
    ):
        return StoreCorruptError(
            f"{path}: the database is damaged ({msg}); restore it from a backup "
            "('balance-trainer backup' makes one) or move it away to start a new one"
        )
    if "readonly" in low or "read-only" in low:
        return StoreUnavailableError(
            f"{path}: the database is read-only ({msg}); check the file's and the directory's "
            "permissions and that the disk is mounted read-write"
        )
    if "full" in low or "no space" in low:
        return StoreUnavailableError(
            f"{path}: the disk is full ({msg}); free some space and try again"
        )
    if "locked" in low or "busy" in low:
        return StoreUnavailableError(
            f"{path}: the database is busy ({msg}); another balance-trainer is writing, "
            "try again in a moment"
        )
    if "unable to open" in low:
        return StoreUnavailableError(
            f"{path}: cannot open the database ({msg}); the file and its directory must be "
            "writable (read-only disk? wrong owner?) - fix that or choose --data-dir"
        )
    return StoreUnavailableError(f"{path}: cannot use the database ({msg}); check the disk")


def _ts(text: str) -> datetime:
    """A timestamp from a NOT NULL column (:func:`ts_parse` allows NULL)."""
    return datetime.fromisoformat(text)


# --- the base the store's method groups share -------------------------------------------------


class StoreBase:
    """The state every group of store methods uses: the file, the lock, the connection.

    :class:`~balance_trainer.store.Store` sets these in its ``__init__``; the mixins
    (:class:`~balance_trainer.store_people.PeopleMixin`) only read them.
    """

    path: str
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]
    _lock: threading.RLock
    _conn: sqlite3.Connection | None

    class _Tx:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def __enter__(self) -> sqlite3.Cursor:
            self.cur = self.conn.cursor()
            self.cur.execute("BEGIN IMMEDIATE")
            return self.cur

        def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
            if exc_type is None:
                self.cur.execute("COMMIT")
            else:
                try:
                    self.cur.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite already rolled back (disk full, I/O error)

    def _tx(self) -> StoreBase._Tx:
        assert self._conn is not None
        return StoreBase._Tx(self._conn)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """A write transaction under the store's lock, for modules that keep their own tables
        (:mod:`.programme_store`); driver and OS errors become store errors."""
        with self._lock:
            if self._conn is None:
                raise StoreError(f"{self.path}: the store is closed; open it again")
            try:
                with self._tx() as cur:
                    yield cur
            except (sqlite3.Error, OSError) as exc:
                raise translate_error(exc, self.path) from exc

    @property
    def _db(self) -> sqlite3.Connection:
        """The open connection, in a guarded method (:func:`_guarded` has checked it is open)."""
        assert self._conn is not None
        return self._conn


_P = ParamSpec("_P")
_R = TypeVar("_R")
_S = TypeVar("_S", bound=StoreBase)


def _guarded(method: Callable[Concatenate[_S, _P], _R]) -> Callable[Concatenate[_S, _P], _R]:
    """Run a store method under its lock, turning driver and OS errors into store errors.

    Typed with a ParamSpec, so each method keeps its own signature for callers and mypy.
    """

    @functools.wraps(method)
    def wrapper(self: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            if self._conn is None:
                raise StoreError(f"{self.path}: the store is closed; open it again")
            try:
                return method(self, *args, **kwargs)
            except BalanceTrainerError:
                raise
            except (sqlite3.Error, OSError) as exc:
                raise translate_error(exc, self.path) from exc

    return wrapper
