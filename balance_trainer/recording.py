"""The recording file format (DESIGN.md), written as it goes and read back strictly.

A recording is UTF-8 CSV. ``# key: value`` lines come first, each value JSON; ``format`` and
``board`` (with ``cells``) are required. Then the header ``t_s,<cell>,...`` and one row per frame:
time (s) and the force on each cell (N).

Forces are written with 3 decimals (1 mN) and times with 6 (1 µs), so a recording read back and
written again is byte-identical: the replay source hands them on as integer milli-newtons.
"""

from __future__ import annotations

import errno
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from .config import Board, cells_from_dicts, check_nesting, check_rate
from .errors import BoardConfigError, DiskFullError, EnvironmentFault, RecordingError
from .pelvis import PELVIS_COLUMN, ROTATION_COLUMN

FORMAT = "balance-trainer/1"
FORCE_DECIMALS = 3
TIME_DECIMALS = 6
FLUSH_INTERVAL_S = 0.5
"""Rows reach the disk (flush + fsync) at least this often: a power cut loses under a second."""
MAX_FORCE_N = 100_000.0
"""No load cell under a person reads 10 tonnes: a larger force is a broken file."""
MAX_TIME_S = 1e9
"""Frame times are monotonic seconds since boot: 1e9 s is 31 years of uptime."""
MAX_GAP_S = 60.0
"""Frames more than this apart mean a broken clock, not a pause (the board sends all the time)."""


PELVIS_DECIMALS = 2
"""Pelvis angles to 0.01 degree: below the sensor's noise."""


@dataclass
class Recording:
    """A recording read from disk. ``forces_n`` has shape (n_frames, n_cells)."""

    path: Path
    meta: dict[str, Any]
    board: Board
    t_s: np.ndarray
    forces_n: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)
    pelvis_obliquity_deg: np.ndarray | None = None
    """The optional pelvis column (degrees, NaN where empty), or None without one."""
    pelvis_rotation_deg: np.ndarray | None = None
    """The optional rotation column after it (degrees, NaN where empty), or None without one
    (files written before the rotation was recorded)."""

    @property
    def n_frames(self) -> int:
        return int(self.t_s.shape[0])


class RecordingWriter:
    """Write a recording row by row, flushing and syncing so nothing much is lost on a crash.

    Use as a context manager, or call :meth:`close`. The file is 0600 whatever the umask.
    ``opener`` stands in for :func:`os.open` (tests hand it one that returns /dev/full, to
    meet a full disk at the OS boundary). A write error is one :class:`DiskFullError` or
    :class:`EnvironmentFault` naming the file; a file deleted while written is reported by
    :meth:`close`.

    With ``pelvis`` the rows end with the pelvis sensor's obliquity and rotation
    (:data:`~balance_trainer.pelvis.PELVIS_COLUMN`, then
    :data:`~balance_trainer.pelvis.ROTATION_COLUMN`); an empty value is no angle.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        board: Board,
        meta: Mapping[str, Any] | None = None,
        *,
        flush_interval_s: float = FLUSH_INTERVAL_S,
        opener: Callable[[str, int, int], int] = os.open,
        pelvis: bool = False,
    ) -> None:
        self.path = Path(path)
        self.pelvis = pelvis
        self.board = board
        self.flush_interval_s = flush_interval_s
        self.n_frames = 0
        self._last_sync_t: float | None = None
        try:
            # 0600 whatever the umask: a recording is health data.
            fd = opener(str(self.path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            self._fh: IO[str] = open(fd, "w", encoding="utf-8", newline="\n")
            self._inode = os.stat(self.path).st_ino
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot write recording ({exc.strerror})") from exc
        header: dict[str, Any] = {"format": FORMAT, "board": board.to_dict()}
        header["sample_rate_hz"] = board.sample_rate_hz
        for k, v in (meta or {}).items():
            if k not in ("format", "board"):
                header[k] = v
        if pelvis:
            header["pelvis"] = {
                "column": PELVIS_COLUMN,
                "unit": "deg",
                "sign": "positive = the left side of the pelvis lower",
                "empty": "no angle (no sample, or the sensor clipped)",
                "rotation_column": ROTATION_COLUMN,
                "rotation_sign": "positive = counter-clockwise seen from above, from the pose "
                "at zeroing (empty before zeroing)",
            }
        with self._disk():
            for k, v in header.items():
                self._fh.write(f"# {k}: {json.dumps(v, separators=(', ', ': '))}\n")
            pcols = [PELVIS_COLUMN, ROTATION_COLUMN] if pelvis else []
            cols = ["t_s", *board.cell_names, *pcols]
            self._fh.write(",".join(cols) + "\n")
        self._sync()

    def write(
        self,
        t_s: float,
        forces_n: Sequence[float] | np.ndarray,
        pelvis_deg: float = math.nan,
        rotation_deg: float = math.nan,
    ) -> None:
        """Append one frame (with the pelvis angles when the file has the pelvis columns)."""
        f = np.asarray(forces_n, dtype=float)
        row = [f"{t_s:.{TIME_DECIMALS}f}"] + [f"{v:.{FORCE_DECIMALS}f}" for v in f]
        if self.pelvis:
            for a in (pelvis_deg, rotation_deg):
                row.append(f"{a:.{PELVIS_DECIMALS}f}" if math.isfinite(a) else "")
        with self._disk():
            self._fh.write(",".join(row) + "\n")
        self.n_frames += 1
        if self._last_sync_t is None:
            self._last_sync_t = t_s
        elif t_s - self._last_sync_t >= self.flush_interval_s:
            self._sync()
            self._last_sync_t = t_s

    def write_block(
        self,
        t_s: np.ndarray,
        forces_n: np.ndarray,
        pelvis_deg: np.ndarray | None = None,
        rotation_deg: np.ndarray | None = None,
    ) -> None:
        """Append a block of frames, shape (n,) and (n, n_cells) (and (n,) pelvis angles)."""
        p = np.full(len(t_s), math.nan) if pelvis_deg is None else pelvis_deg
        r = np.full(len(t_s), math.nan) if rotation_deg is None else rotation_deg
        for t, f, a, b in zip(t_s, forces_n, p, r, strict=True):
            self.write(float(t), f, float(a), float(b))

    @contextmanager
    def _disk(self) -> Iterator[None]:
        """Turn a write error (a full disk) into one line naming the file and what is kept."""
        try:
            yield
        except OSError as exc:
            self._abandon()
            if exc.errno == errno.ENOSPC:
                raise DiskFullError(
                    f"{self.path}: the disk is full after {self.n_frames} frames; the frames "
                    "synced before it are in the file - free some space and record again"
                ) from exc
            raise EnvironmentFault(
                f"{self.path}: cannot write the recording ({exc.strerror or exc}) after "
                f"{self.n_frames} frames; check the disk"
            ) from exc

    def _abandon(self) -> None:
        try:
            self._fh.close()
        except OSError:
            pass  # the buffered tail cannot be written either; what was synced stays

    def _sync(self) -> None:
        with self._disk():
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Sync and close; raises if the file was deleted or moved away while recording."""
        if not self._fh.closed:
            self._sync()
            self._fh.close()
            try:
                same = os.stat(self.path).st_ino == self._inode
            except OSError:
                same = False
            if not same:
                raise EnvironmentFault(
                    f"{self.path}: the recording was deleted or moved while it was written, so "
                    f"its {self.n_frames} frames are lost; record again to a folder that stays"
                )

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _header_lines(fh: Iterable[str], path: Path) -> tuple[dict[str, Any], str, int]:
    meta: dict[str, Any] = {}
    lineno = 0
    for line in fh:
        lineno += 1
        s = line.rstrip("\r\n")
        if not s.strip():
            continue
        if not s.startswith("#"):
            return meta, s, lineno
        body = s[1:].strip()
        key, sep, value = body.partition(":")
        if not sep or not key.strip():
            raise RecordingError(f"{path}:{lineno}: header line must be '# key: value'")
        check_nesting(value, f"{path}:{lineno}: value of '{key.strip()}'", RecordingError)
        try:
            meta[key.strip()] = json.loads(value.strip(), parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise RecordingError(
                f"{path}:{lineno}: value of '{key.strip()}' is not JSON ({exc.msg})"
            ) from exc
    return meta, "", lineno


def read_recording(path: str | os.PathLike[str]) -> Recording:
    """Read a recording, checking every line.

    Raises
    ------
    RecordingError
        Missing or wrong header keys, a bad board, a header that does not match the cells,
        a truncated row, text where a number belongs, time going backwards. The message is
        ``FILE:LINE: what is wrong; what to do``.
    """
    path = Path(path)
    try:
        fh = open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise RecordingError(f"{path}: cannot open recording ({exc.strerror})") from exc
    with fh:
        try:
            meta, header, lineno = _header_lines(fh, path)
            if not meta and not header:
                raise RecordingError(f"{path}: empty file; not a recording")
            if meta.get("format") != FORMAT:
                raise RecordingError(
                    f"{path}: header key 'format' is {meta.get('format')!r}; "
                    f"a recording starts with '# format: \"{FORMAT}\"'"
                )
            board_meta = meta.get("board")
            if not isinstance(board_meta, dict) or "cells" not in board_meta:
                raise RecordingError(
                    f"{path}: header key 'board' with a 'cells' list is missing; "
                    "add '# board: {\"cells\": [...]}'"
                )
            try:
                cells = cells_from_dicts(board_meta["cells"], f"{path}: board", need_pins=False)
            except BoardConfigError as exc:
                raise RecordingError(str(exc)) from exc
            rate = check_rate(
                meta.get("sample_rate_hz", 80.0), str(path), "sample_rate_hz", RecordingError
            )
            board = Board(
                str(board_meta.get("name", "recorded")),
                tuple(cells),
                sample_rate_hz=float(rate),
                source="replay",
            )
            expected = ["t_s", *board.cell_names]
            got = [h.strip() for h in header.split(",")] if header else []
            # Older files end at the obliquity; newer ones carry the rotation after it.
            has_rotation = got == [*expected, PELVIS_COLUMN, ROTATION_COLUMN]
            has_pelvis = has_rotation or got == [*expected, PELVIS_COLUMN]
            if got != expected and not has_pelvis:
                raise RecordingError(
                    f"{path}:{lineno}: column header is {','.join(got) or '(none)'}; "
                    f"expected {','.join(expected)} to match the board's cells "
                    f"(optionally followed by {PELVIS_COLUMN}, or by {PELVIS_COLUMN},"
                    f"{ROTATION_COLUMN})"
                )
            ncol = len(got)
            pelvis_rows: list[float] = []
            rotation_rows: list[float] = []
            rows: list[list[float]] = []
            linenos: list[int] = []
            last_t = -math.inf
            for line in fh:
                lineno += 1
                s = line.strip()
                if not s:
                    continue
                parts = s.split(",")
                if len(parts) != ncol:
                    raise RecordingError(
                        f"{path}:{lineno}: row has {len(parts)} values, expected {ncol} "
                        "(truncated or extra columns); cut the row or repair it"
                    )
                if has_rotation:
                    rotation_rows.append(
                        _angle(parts.pop(), 180.0, path, lineno, "pelvis rotation")
                    )
                if has_pelvis:  # the pelvis angle may be empty: no angle for that frame
                    pelvis_rows.append(_angle(parts.pop(), 90.0, path, lineno, "pelvis angle"))
                try:
                    vals = [float(p) for p in parts]
                except ValueError:
                    bad = next(p for p in parts if not _is_float(p))
                    raise RecordingError(
                        f"{path}:{lineno}: {bad!r} is not a number; every value after the "
                        "header must be numeric"
                    ) from None
                if not all(math.isfinite(v) for v in vals):
                    raise RecordingError(f"{path}:{lineno}: NaN or infinity in the row")
                if vals[0] < last_t:
                    raise RecordingError(
                        f"{path}:{lineno}: time {vals[0]} s goes backwards (previous {last_t})"
                    )
                last_t = vals[0]
                rows.append(vals)
                linenos.append(lineno)
        except UnicodeDecodeError as exc:
            raise RecordingError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    arr = np.array(rows, dtype=float).reshape(-1, len(expected))
    _check_values(path, arr, linenos)
    pelvis = np.array(pelvis_rows, dtype=float) if has_pelvis else None
    rotation = np.array(rotation_rows, dtype=float) if has_rotation else None
    return Recording(
        path,
        meta,
        board,
        arr[:, 0].copy(),
        arr[:, 1:].copy(),
        pelvis_obliquity_deg=pelvis,
        pelvis_rotation_deg=rotation,
    )


def _angle(text: str, limit: float, path: Path, lineno: int, what: str) -> float:
    """A pelvis angle cell: degrees within ±``limit``, or NaN when empty (no angle)."""
    s = text.strip()
    try:
        angle = float(s) if s else math.nan
    except ValueError:
        angle = math.inf
    if not (math.isnan(angle) and not s) and not abs(angle) <= limit:
        raise RecordingError(
            f"{path}:{lineno}: {what} {s!r} is not an angle within ±{limit:g} degrees; "
            "leave it empty for no angle"
        )
    return angle


def _check_values(path: Path, arr: np.ndarray, linenos: list[int]) -> None:
    """Refuse what no board records: a clock jump, an absurd time or force (issue 17).

    Checked on the whole array at once, so the cost per row stays a few array operations.
    """
    if not arr.shape[0]:
        return
    t = arr[:, 0]
    gaps = np.flatnonzero(np.diff(t) > MAX_GAP_S)
    if gaps.size:
        i = int(gaps[0]) + 1
        raise RecordingError(
            f"{path}:{linenos[i]}: time jumps from {t[i - 1]:g} s to {t[i]:g} s (more than "
            f"{MAX_GAP_S:g} s without a frame); the clock in the file is broken - cut the "
            "recording there"
        )
    bad = np.abs(arr) > np.array([MAX_TIME_S] + [MAX_FORCE_N] * (arr.shape[1] - 1))
    if bad.any():
        r, c = (int(v[0]) for v in np.nonzero(bad))
        what = f"force {arr[r, c]:g} N" if c else f"time {arr[r, c]:g} s"
        raise RecordingError(
            f"{path}:{linenos[r]}: {what} is beyond anything a board measures (forces up to "
            f"{MAX_FORCE_N:g} N, times up to {MAX_TIME_S:g} s); repair or cut the row"
        )


def _no_constant(name: str) -> Any:
    # json.loads accepts NaN and Infinity, which are not JSON and not a sample rate.
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


def _is_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True
