"""The embedded store: people, sessions, trials, raw frames and game scores in SQLite.

Open it with :meth:`Store.open` (the data directory) or :meth:`Store.open_path` / ``Store(path)``
(any file, ``":memory:"`` in tests)::

    store = Store.open()                                   # config.data_dir(), created 0700
    store.add_person("p01", birth_year=1950, dominant_side="right")
    sid = store.start_session("p01", "record", board=board, source="sim")
    with store.start_trial(sid, "record", {"seconds": 30}, board) as rec:
        rec.add_frames(t_s, forces_n)                      # as the frames come
        rec.finish(metrics={...})
    store.history("p01")                                   # sessions with their trials and games
    store.close()

Nothing lost
    Frames are buffered and committed as compact blocks (one row per block of at most
    :data:`BLOCK_S` seconds: int32 microsecond times and int32 milli-newton forces, little
    endian) with ``synchronous=FULL`` in WAL mode, so a kill -9 or a power cut loses at most the
    frames of the block being filled and never corrupts the file.
Interrupted trials
    A trial row remembers its writer (boot id, pid and process start time). When a store is
    opened, every trial still ``running`` whose writer is gone is marked ``interrupted`` and keeps
    its frames. A trial being recorded by a live process (the app while ``history`` runs) is
    left alone.
Privacy
    The directory is made 0700 and the database file 0600 (SQLite gives its -wal and -shm files
    the same mode). ``secure_delete`` is on, and :meth:`Store.delete_person` truncates the WAL
    afterwards, so deleted frames and names do not linger in the files. Nothing here logs a
    name; :class:`Person` leaves ``name`` and ``notes`` out of its repr.
Errors
    A database from a newer version raises :class:`StoreVersionError`; a file that is not SQLite,
    is another program's database or is damaged, :class:`StoreCorruptError`; a read-only or full
    disk, :class:`StoreUnavailableError`. In each case the existing data is left as it was.
Portability
    The queries are plain SQL with ``?`` parameters and ``RETURNING`` (SQLite ≥ 3.35 and
    PostgreSQL alike); the schema's dialect differences are confined to :mod:`.migrations`.
    Only the connection set-up (pragmas, ``BEGIN IMMEDIATE``) is SQLite's own.
Layout
    This module holds opening, sessions, trials, frames, reading and backup; the people and
    privacy methods come from :mod:`.store_people` (a mixin), and the helpers every part shares
    (the trial owner token, read-only media, :func:`translate_error`, the locked
    ``_guarded`` wrapper) from :mod:`.store_support`. Import everything from here.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from .config import Board, ensure_private_dir
from .config import data_dir as resolve_data_dir
from .errors import (
    BalanceTrainerError,
    StoreCorruptError,
    StoreError,
    StoreUnavailableError,
    StoreVersionError,
    UsageError,
)
from .migrations import LATEST_VERSION, applied_version, migrate
from .recorder import (
    BLOCK_S,
    MAX_BLOCK_FRAMES,
    TrialRecorder,
    decode_block,
    decode_pelvis,
    encode_block,
    encode_pelvis,
)
from .records import (
    SESSION_KINDS,
    SEXES,
    SIDES,
    TRIAL_STATUSES,
    GameRow,
    Person,
    SessionRecord,
    TrialFrames,
    TrialRow,
    board_from_dict,
    board_to_dict,
    decode_board,
    dumps,
    loads,
    ts_parse,
    ts_text,
    utcnow,
    validate_person_id,
)
from .store_people import WIPE_DELAY_S, WIPE_TRIES, PeopleMixin
from .store_support import (
    SQLITE_MAGIC,
    _guarded,
    _read_only_medium,
    _read_only_uri,
    _ts,
    owner_alive,
    translate_error,
)
from .store_support import _owner_token as _owner_token  # re-exported: programme_store uses it

__all__ = [
    "BLOCK_S",
    "DB_FILENAME",
    "MAX_BLOCK_FRAMES",
    "WIPE_DELAY_S",
    "WIPE_TRIES",
    "SESSION_KINDS",
    "SEXES",
    "SIDES",
    "TRIAL_STATUSES",
    "GameRow",
    "Person",
    "SessionRecord",
    "Store",
    "TrialFrames",
    "TrialRecorder",
    "TrialRow",
    "decode_block",
    "encode_block",
    "owner_alive",
    "translate_error",
    "validate_person_id",
]

log = logging.getLogger(__name__)

DB_FILENAME = "balance-trainer.db"


# --- the store -----------------------------------------------------------------------------


class Store(PeopleMixin):
    """The database of people, sessions, trials, frames and game results.

    Parameters
    ----------
    path : str or path-like
        The database file (created 0600 if missing) or ``":memory:"``.
    clock : callable, optional
        Returns the current time as an aware datetime (injected in tests).

    Raises
    ------
    StoreVersionError, StoreCorruptError, StoreUnavailableError
        See the module docstring; the file is left as it was.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.path = os.fspath(path)
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._recorders: list[TrialRecorder] = []
        self.recovered: list[int] = []
        """Trial ids marked 'interrupted' when this store was opened."""
        memory = self.path == ":memory:"
        self.read_only = False
        """True when the medium or the file is read-only: reads work, writes are refused."""
        self._inode: int | None = None
        try:
            if not memory:
                self._check_file()
                self.read_only = _read_only_medium(Path(self.path))
            if self.read_only:
                conn = sqlite3.connect(
                    _read_only_uri(Path(self.path)),
                    uri=True,
                    isolation_level=None,
                    check_same_thread=False,
                    timeout=5.0,
                )
            else:
                conn = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=5.0
                )
            if not memory:
                self._inode = os.stat(self.path).st_ino
        except (sqlite3.Error, OSError) as exc:
            raise translate_error(exc, self.path) from exc
        try:
            self._setup(conn, memory)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, (sqlite3.Error, OSError)):
                raise translate_error(exc, self.path) from exc
            raise
        self._conn = conn
        if not memory and not self.read_only:
            self._make_private()

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None, **kw: Any) -> Store:
        """Open (creating if needed) the store in the data directory.

        ``data_dir`` as for :func:`balance_trainer.config.data_dir` (``--data-dir``, then
        $BALANCE_TRAINER_DATA_DIR, the settings, XDG). The directory is made 0700.
        """
        folder = resolve_data_dir(data_dir)
        try:
            ensure_private_dir(folder)
        except OSError as exc:
            raise StoreUnavailableError(
                f"{folder}: cannot create the data directory ({exc.strerror}); "
                "choose another with --data-dir or fix its permissions"
            ) from exc
        return cls(folder / DB_FILENAME, **kw)

    @classmethod
    def open_path(cls, path: str | os.PathLike[str], **kw: Any) -> Store:
        """Open (creating if needed) the store in the file ``path``."""
        return cls(path, **kw)

    # -- opening --------------------------------------------------------------------------------
    def _check_file(self) -> None:
        p = Path(self.path)
        if p.is_dir():
            raise StoreUnavailableError(f"{p}: is a directory; give a database file")
        if not p.exists():
            fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.fchmod(fd, 0o600)  # the umask must not widen it
                # Write the header at once, so the file is never a 0-byte "database".
                boot = sqlite3.connect(p)
                try:
                    boot.execute("CREATE TABLE _bt_init (x)")
                    boot.execute("DROP TABLE _bt_init")
                    boot.commit()
                finally:
                    boot.close()
            finally:
                os.close(fd)
            return
        with open(p, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
        if not head and not Path(self.path + "-wal").exists():
            # SQLite would take an empty file for a new database and start afresh over what
            # was there (a failed copy, a power cut during a restore): say so instead.
            raise StoreCorruptError(
                f"{p}: the database file is empty (0 bytes), so its people and trials are not "
                "in it; restore it from a backup, or move it away to start a new database"
            )
        if head and head != SQLITE_MAGIC:
            raise StoreCorruptError(
                f"{p}: not an SQLite database, so not balance-trainer's; move it away or "
                "use --data-dir to point at the right directory"
            )

    def _setup(self, conn: sqlite3.Connection, memory: bool) -> None:
        cur = conn.cursor()
        cur.execute("PRAGMA busy_timeout = 5000")
        # Look before touching anything: a newer or foreign database must stay as it is.
        version = applied_version(conn)
        if version > LATEST_VERSION:
            raise StoreVersionError(
                f"{self.path}: the database has schema version {version}, newer than this "
                f"balance-trainer knows ({LATEST_VERSION}); upgrade balance-trainer "
                "(pip install -U balance-trainer) or open a backup made by this version"
            )
        if version == 0:
            n = cur.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
            if n:
                raise StoreCorruptError(
                    f"{self.path}: an SQLite database of another program (no balance-trainer "
                    "schema); move it away or use --data-dir"
                )
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA secure_delete = ON")
        if self.read_only:
            if version < LATEST_VERSION:
                raise StoreUnavailableError(
                    f"{self.path}: the database is on a read-only medium and was written by an "
                    f"older balance-trainer (schema {version}, this one needs {LATEST_VERSION}); "
                    "open it once where it can be written, or copy it to a writable disk"
                )
            return  # nothing to migrate, nothing to mark: reads only
        if not memory:
            mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreUnavailableError(
                    f"{self.path}: cannot switch the database to WAL mode (got {mode}); "
                    "the file system may not support it"
                )
        # FULL: each commit reaches the disk before it returns, so a power cut keeps it.
        cur.execute("PRAGMA synchronous = FULL")
        if version < LATEST_VERSION:
            applied = migrate(conn, begin="BEGIN IMMEDIATE")
            log.info("store %s migrated to version %s", self.path, applied[-1])
        self._conn = conn
        try:
            self.recovered = self._recover()
        except sqlite3.OperationalError as exc:
            # A read-only database can still be read (history, report, export): leave the
            # trials for the next writable open to mark.
            if "readonly" not in str(exc).lower():
                raise
            log.warning("store %s is read-only; interrupted trials not marked", self.path)
        finally:
            self._conn = None

    def _make_private(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            p = Path(self.path + suffix)
            try:
                if p.exists() and (p.stat().st_mode & 0o077):
                    p.chmod(0o600)
            except OSError:
                pass  # not ours to change (shared -shm on a read-only mount); not fatal

    def _recover(self) -> list[int]:
        conn = self._conn
        assert conn is not None
        rows = conn.execute("SELECT id, owner FROM trials WHERE status = 'running'").fetchall()
        dead = [tid for tid, owner in rows if not owner_alive(owner)]
        if not dead:
            return []
        now = ts_text(self.clock())
        with self._tx() as cur:
            for tid in dead:
                n, dur = self._stored_extent(cur, tid)
                cur.execute(
                    "UPDATE trials SET status = 'interrupted', ended_at = ?, n_frames = ?, "
                    "duration_s = ? WHERE id = ? AND status = 'running'",
                    (now, n, dur, tid),
                )
        log.warning("marked %d interrupted trial(s): %s", len(dead), dead)
        return dead

    @staticmethod
    def _stored_extent(cur: sqlite3.Cursor, trial_id: int) -> tuple[int, float | None]:
        n = cur.execute(
            "SELECT COALESCE(SUM(n_frames), 0) FROM frame_blocks WHERE trial_id = ?", (trial_id,)
        ).fetchone()[0]
        first = cur.execute(
            "SELECT t0_us FROM frame_blocks WHERE trial_id = ? ORDER BY seq LIMIT 1", (trial_id,)
        ).fetchone()
        last = cur.execute(
            "SELECT t0_us, n_frames, n_cells, t_us, forces_mn FROM frame_blocks "
            "WHERE trial_id = ? ORDER BY seq DESC LIMIT 1",
            (trial_id,),
        ).fetchone()
        if first is None or last is None:
            return int(n), None
        t_last, _ = decode_block(*last)
        return int(n), float(t_last[-1] - first[0] / 1e6)

    @_guarded
    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read-only statement (for modules that keep their own tables)."""
        return self._db.execute(sql, params).fetchall()

    # -- sessions and trials --------------------------------------------------------------------
    @_guarded
    def start_session(
        self,
        pid: str,
        kind: str,
        *,
        board: Board | str | None = None,
        source: str | None = None,
        notes: str | None = None,
        started_at: datetime | None = None,
    ) -> int:
        """Start a session ('record', 'test' or 'game') for ``pid``; returns its id."""
        if kind not in SESSION_KINDS:
            raise UsageError(f"session kind {kind!r}: use one of {', '.join(SESSION_KINDS)}")
        self.get_person(pid)
        board_name = board.name if isinstance(board, Board) else board
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO sessions (person_id, kind, started_at, board, source, notes) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (pid, kind, ts_text(started_at or self.clock()), board_name, source, notes),
            )
            return int(cur.fetchone()[0])

    def _session_exists(self, sid: int) -> None:
        if not self._db.execute("SELECT 1 FROM sessions WHERE id = ?", (sid,)).fetchone():
            raise StoreError(f"no session {sid} in {self.path}; start one with start_session")

    @_guarded
    def start_trial(
        self,
        sid: int,
        protocol: str,
        params: Mapping[str, Any] | None,
        board: Board,
        *,
        block_s: float = BLOCK_S,
        started_at: datetime | None = None,
    ) -> TrialRecorder:
        """Start a trial of ``protocol`` in session ``sid``; returns its recorder.

        The trial is 'running' (owned by this process) until the recorder finishes it.
        """
        self._session_exists(sid)
        if not protocol:
            raise UsageError("a trial needs a protocol name")
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO trials (session_id, protocol, params, board, status, started_at, "
                "owner) VALUES (?, ?, ?, ?, 'running', ?, ?) RETURNING id",
                (
                    sid,
                    protocol,
                    dumps(dict(params or {})),
                    dumps(board_to_dict(board)),
                    ts_text(started_at or self.clock()),
                    _owner_token(),
                ),
            )
            tid = int(cur.fetchone()[0])
        rec = TrialRecorder(self, tid, board, block_s=block_s)
        self._recorders.append(rec)
        return rec

    @_guarded
    def write_blocks(
        self,
        trial_id: int,
        seq: int,
        blocks: Sequence[tuple[np.ndarray, ...]],
        n_total: int,
    ) -> int:
        """Commit frame blocks (times s, forces N) numbered from ``seq``; the recorder's call.

        A block may carry the pelvis sensor's obliquity and then its rotation (degrees per
        frame, NaN: no angle) after the forces.

        ``n_total`` is the trial's frame count once they are in. Returns the next ``seq``.
        """
        self._check_still_there()
        rows = []
        for blk in blocks:
            t, f = blk[0], blk[1]
            t0, tb, fb = encode_block(t, f)
            pb = encode_pelvis(blk[2]) if len(blk) > 2 else None
            rb = encode_pelvis(blk[3]) if len(blk) > 3 else None
            rows.append((trial_id, seq, t0, int(t.size), int(f.shape[1]), tb, fb, pb, rb))
            seq += 1
        with self._tx() as cur:
            cur.executemany(
                "INSERT INTO frame_blocks (trial_id, seq, t0_us, n_frames, n_cells, t_us, "
                "forces_mn, pelvis_cdeg, pelvis_rot_cdeg) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            cur.execute("UPDATE trials SET n_frames = ? WHERE id = ?", (n_total, trial_id))
        return seq

    @_guarded
    def finish_trial(
        self,
        trial_id: int,
        status: str,
        result: Mapping[str, Any] | None,
        metrics: Mapping[str, Any] | None,
    ) -> None:
        """Close a trial with its status, result and metrics; use :meth:`TrialRecorder.finish`."""
        self._check_still_there()
        with self._tx() as cur:
            n, dur = self._stored_extent(cur, trial_id)
            cur.execute(
                "UPDATE trials SET status = ?, ended_at = ?, n_frames = ?, duration_s = ?, "
                "result = ?, metrics = ?, owner = NULL WHERE id = ?",
                (status, ts_text(self.clock()), n, dur, dumps(result), dumps(metrics), trial_id),
            )
        self._recorders = [r for r in self._recorders if r.trial_id != trial_id]

    @_guarded
    def add_game_result(
        self,
        sid: int,
        game: str,
        score: float,
        *,
        level: int | None = None,
        duration_s: float | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> int:
        """Store a game's score (points), level and duration (s) in session ``sid``."""
        self._session_exists(sid)
        if not game:
            raise UsageError("a game result needs the game's name")
        score_f = float(score)
        if not math.isfinite(score_f):
            raise UsageError(f"game score {score!r} is not a finite number")
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO game_results (session_id, game, score, level, duration_s, "
                "details, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (sid, game, score_f, level, duration_s, dumps(details), ts_text(self.clock())),
            )
            return int(cur.fetchone()[0])

    # -- reading --------------------------------------------------------------------------------
    _TRIAL_COLS = (
        "t.id, t.session_id, t.protocol, t.params, t.board, t.status, t.started_at, "
        "t.ended_at, t.n_frames, t.duration_s, t.result, t.metrics"
    )

    @staticmethod
    def _trial(r: tuple[Any, ...]) -> TrialRow:
        return TrialRow(
            r[0],
            r[1],
            r[2],
            loads(r[3]) or {},
            decode_board(r[4]),
            r[5],
            _ts(r[6]),
            ts_parse(r[7]),
            int(r[8]),
            r[9],
            loads(r[10]),
            loads(r[11]),
        )

    @_guarded
    def history(self, pid: str) -> list[SessionRecord]:
        """The person's sessions, oldest first, each with its trials and game results.

        Frames are not loaded (see :meth:`trial_frames`).
        """
        self.get_person(pid)
        sessions: dict[int, SessionRecord] = {}
        for r in self._db.execute(
            "SELECT id, person_id, kind, started_at, board, source, notes FROM sessions "
            "WHERE person_id = ? ORDER BY started_at, id",
            (pid,),
        ):
            sessions[r[0]] = SessionRecord(r[0], r[1], r[2], _ts(r[3]), r[4], r[5], r[6])
        for r in self._db.execute(
            f"SELECT {self._TRIAL_COLS} FROM trials t JOIN sessions s "
            "ON s.id = t.session_id WHERE s.person_id = ? ORDER BY t.started_at, t.id",
            (pid,),
        ):
            sessions[r[1]].trials.append(self._trial(r))
        for r in self._db.execute(
            "SELECT g.id, g.session_id, g.game, g.score, g.level, g.duration_s, g.details, "
            "g.created_at FROM game_results g JOIN sessions s ON s.id = g.session_id "
            "WHERE s.person_id = ? ORDER BY g.created_at, g.id",
            (pid,),
        ):
            sessions[r[1]].games.append(
                GameRow(r[0], r[1], r[2], r[3], r[4], r[5], loads(r[6]), _ts(r[7]))
            )
        return list(sessions.values())

    @_guarded
    def get_trial(self, trial_id: int) -> TrialRow:
        """One trial's row; raises :class:`StoreError` if there is none."""
        r = self._db.execute(
            f"SELECT {self._TRIAL_COLS} FROM trials t WHERE t.id = ?", (trial_id,)
        ).fetchone()
        if r is None:
            raise StoreError(f"no trial {trial_id} in {self.path}; see 'balance-trainer history'")
        return self._trial(r)

    @_guarded
    def trial_frames(self, trial_id: int) -> TrialFrames:
        """A trial's frames: ``(t_s (n,), forces_n (n, n_cells), board)``."""
        trial = self.get_trial(trial_id)
        board = board_from_dict(trial.board, f"trial {trial_id}")
        ts: list[np.ndarray] = []
        fs: list[np.ndarray] = []
        for row in self._db.execute(
            "SELECT t0_us, n_frames, n_cells, t_us, forces_mn FROM frame_blocks "
            "WHERE trial_id = ? ORDER BY seq",
            (trial_id,),
        ):
            t, f = decode_block(*row)
            ts.append(t)
            fs.append(f)
        if not ts:
            return TrialFrames(np.zeros(0), np.zeros((0, board.n_cells)), board)
        return TrialFrames(np.concatenate(ts), np.concatenate(fs), board)

    @_guarded
    def trial_pelvis(self, trial_id: int) -> np.ndarray | None:
        """The pelvis sensor's obliquity at each of a trial's frames (degrees, NaN: no angle),
        or None when the trial was recorded without a pelvis sensor."""
        ps: list[np.ndarray] = []
        any_pelvis = False
        for n, blob in self._db.execute(
            "SELECT n_frames, pelvis_cdeg FROM frame_blocks WHERE trial_id = ? ORDER BY seq",
            (trial_id,),
        ):
            any_pelvis = any_pelvis or blob is not None
            ps.append(decode_pelvis(blob, int(n)))
        return np.concatenate(ps) if any_pelvis and ps else None

    @_guarded
    def trial_pelvis_rotation(self, trial_id: int) -> np.ndarray | None:
        """The pelvis sensor's rotation at each of a trial's frames (degrees, NaN: no angle,
        as before the sensor was zeroed or in blocks stored before schema 4), or None when the
        trial was recorded without a pelvis sensor."""
        rs: list[np.ndarray] = []
        any_pelvis = False
        for n, obl, rot in self._db.execute(
            "SELECT n_frames, pelvis_cdeg, pelvis_rot_cdeg FROM frame_blocks "
            "WHERE trial_id = ? ORDER BY seq",
            (trial_id,),
        ):
            any_pelvis = any_pelvis or obl is not None or rot is not None
            rs.append(decode_pelvis(rot, int(n)))
        return np.concatenate(rs) if any_pelvis and rs else None

    @_guarded
    def integrity_check(self) -> list[str]:
        """SQLite's own check of every page; ``[]`` when the database is sound."""
        rows = [r[0] for r in self._db.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    # -- backup and closing ---------------------------------------------------------------------
    @_guarded
    def backup(
        self, target: str | os.PathLike[str], progress: Callable[[int, int], None] | None = None
    ) -> Path:
        """Copy the whole database to a new file ``target`` (0600) with SQLite's online backup.

        Safe while others write. ``progress(done_pages, total_pages)`` is called as it goes.
        The copy is written beside the target and renamed into place, so a failed backup never
        leaves a half-written file under the target's name.
        """
        dest = Path(target)
        if dest.exists():
            raise UsageError(f"{dest} already exists; give a new file name for the backup")
        problems = self.integrity_check()
        if problems:
            raise StoreCorruptError(
                f"{self.path}: the database is damaged ({problems[0]}), so no backup was made "
                "(it would be damaged too); keep your last good backup, and restore it with "
                f"'cp BACKUP {self.path}' after moving the damaged file away"
            )
        tmp = dest.with_name(f".{dest.name}.part-{os.getpid()}")
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        try:
            out = sqlite3.connect(tmp)
            try:

                def step(status: int, remaining: int, total: int) -> None:
                    if progress is not None:
                        progress(total - remaining, total)

                self._db.backup(out, pages=256, progress=step)
                out.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                copy_check = [r[0] for r in out.execute("PRAGMA integrity_check")]
            finally:
                out.close()
            if copy_check != ["ok"]:
                raise StoreUnavailableError(
                    f"{dest}: the copy failed its integrity check ({copy_check[0]}); the "
                    "backup medium may be faulty - try another disk"
                )
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return dest

    def _check_still_there(self) -> None:
        """Refuse to go on writing into a database file that was deleted or replaced.

        SQLite keeps writing to the open (unlinked) file, so without this a recording whose
        data directory was deleted reports success and its frames vanish on close.
        """
        if self._inode is None:
            return
        try:
            same = os.stat(self.path).st_ino == self._inode
        except OSError:
            same = False
        if not same:
            raise StoreUnavailableError(
                f"{self.path}: the database file was deleted or replaced while in use, so what "
                "was being stored cannot be kept; restore the data directory (or a backup) and "
                "record again"
            )

    @property
    def closed(self) -> bool:
        return self._conn is None

    def close(self) -> None:
        """Store what unfinished recorders hold (as 'interrupted') and close the database."""
        with self._lock:
            if self._conn is None:
                return
            for rec in list(self._recorders):
                try:
                    rec.finish(status="interrupted")
                except (BalanceTrainerError, ValueError):
                    pass
            self._recorders.clear()
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
