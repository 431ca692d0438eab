"""The recording file format (DESIGN.md), written as it goes and read back strictly.

A recording is UTF-8 CSV. ``# key: value`` lines come first, each value JSON; ``format`` and
``board`` (with ``cells``) are required. Then the header ``t_s,<cell>,...`` and one row per frame:
time (s) and the force on each cell (N).

Forces are written with 3 decimals (1 mN) and times with 6 (1 µs), so a recording read back and
written again is byte-identical: the replay source hands them on as integer milli-newtons.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from .config import Board, cells_from_dicts
from .errors import BoardConfigError, RecordingError

FORMAT = "balance-trainer/1"
FORCE_DECIMALS = 3
TIME_DECIMALS = 6
FLUSH_INTERVAL_S = 0.5
"""Rows reach the disk (flush + fsync) at least this often: a power cut loses under a second."""


@dataclass
class Recording:
    """A recording read from disk. ``forces_n`` has shape (n_frames, n_cells)."""

    path: Path
    meta: dict[str, Any]
    board: Board
    t_s: np.ndarray
    forces_n: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return int(self.t_s.shape[0])


class RecordingWriter:
    """Write a recording row by row, flushing and syncing so nothing much is lost on a crash.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        board: Board,
        meta: Mapping[str, Any] | None = None,
        *,
        flush_interval_s: float = FLUSH_INTERVAL_S,
    ) -> None:
        self.path = Path(path)
        self.board = board
        self.flush_interval_s = flush_interval_s
        self.n_frames = 0
        self._last_sync_t: float | None = None
        try:
            self._fh: IO[str] = open(self.path, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot write recording ({exc.strerror})") from exc
        header: dict[str, Any] = {"format": FORMAT, "board": board.to_dict()}
        header["sample_rate_hz"] = board.sample_rate_hz
        for k, v in (meta or {}).items():
            if k not in ("format", "board"):
                header[k] = v
        for k, v in header.items():
            self._fh.write(f"# {k}: {json.dumps(v, separators=(', ', ': '))}\n")
        self._fh.write(",".join(["t_s", *board.cell_names]) + "\n")
        self._sync()

    def write(self, t_s: float, forces_n: Sequence[float] | np.ndarray) -> None:
        """Append one frame."""
        f = np.asarray(forces_n, dtype=float)
        row = [f"{t_s:.{TIME_DECIMALS}f}"] + [f"{v:.{FORCE_DECIMALS}f}" for v in f]
        self._fh.write(",".join(row) + "\n")
        self.n_frames += 1
        if self._last_sync_t is None:
            self._last_sync_t = t_s
        elif t_s - self._last_sync_t >= self.flush_interval_s:
            self._sync()
            self._last_sync_t = t_s

    def write_block(self, t_s: np.ndarray, forces_n: np.ndarray) -> None:
        """Append a block of frames, shape (n,) and (n, n_cells)."""
        for t, f in zip(t_s, forces_n, strict=True):
            self.write(float(t), f)

    def _sync(self) -> None:
        self._fh.flush()
        try:
            os.fsync(self._fh.fileno())
        except OSError:
            pass

    def close(self) -> None:
        if not self._fh.closed:
            self._sync()
            self._fh.close()

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
        try:
            meta[key.strip()] = json.loads(value.strip())
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
            rate = meta.get("sample_rate_hz", 80.0)
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate <= 0:
                raise RecordingError(f"{path}: sample_rate_hz is {rate!r}; give a number > 0")
            board = Board(
                str(board_meta.get("name", "recorded")),
                tuple(cells),
                sample_rate_hz=float(rate),
                source="replay",
            )
            expected = ["t_s", *board.cell_names]
            got = [h.strip() for h in header.split(",")] if header else []
            if got != expected:
                raise RecordingError(
                    f"{path}:{lineno}: column header is {','.join(got) or '(none)'}; "
                    f"expected {','.join(expected)} to match the board's cells"
                )
            ncol = len(expected)
            rows: list[list[float]] = []
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
        except UnicodeDecodeError as exc:
            raise RecordingError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    arr = np.array(rows, dtype=float).reshape(-1, ncol)
    return Recording(path, meta, board, arr[:, 0].copy(), arr[:, 1:].copy())


def _is_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True
