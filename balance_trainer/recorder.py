"""Raw frames into the store as they come: compact blocks, committed at least every BLOCK_S.

A block is one database row holding up to :data:`BLOCK_S` seconds of frames: ``t0_us`` (the
first frame's time in integer microseconds), ``t_us`` (int32 little-endian microseconds after
``t0_us``) and ``forces_mn`` (int32 little-endian milli-newtons, row-major ``(n_frames,
n_cells)``). 1 µs and 1 mN are the recording file's own resolution, so a trial exported as a
recording is exactly what was measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .config import Board
from .errors import BalanceTrainerError
from .records import TRIAL_STATUSES

if TYPE_CHECKING:
    from .store import Store

BLOCK_S = 0.5
"""Frames are committed at least this often (s of frame time): the most a crash can lose."""
MAX_BLOCK_FRAMES = 4096
"""A block never holds more frames than this, whatever the timestamps say."""
_INT32_MAX = 2**31 - 1


def encode_block(t_s: np.ndarray, forces_n: np.ndarray) -> tuple[int, bytes, bytes]:
    """``(t0_us, t_us blob, forces_mn blob)`` for one block; int32 little endian, row-major."""
    t_us = np.rint(np.asarray(t_s, dtype=float) * 1e6).astype(np.int64)
    t0 = int(t_us[0])
    off = t_us - t0
    f_mn = np.rint(np.asarray(forces_n, dtype=float) * 1000.0)
    if np.abs(off).max(initial=0) > _INT32_MAX or np.abs(f_mn).max(initial=0) > _INT32_MAX:
        raise ValueError("frame block out of range: times within 35 min, forces within 2 MN")
    return (t0, off.astype("<i4").tobytes(), f_mn.astype("<i4").tobytes())


_NO_ANGLE = -32768


def encode_pelvis(obliquity_deg: np.ndarray | None) -> bytes | None:
    """int16 centidegrees (little endian; -32768 = no angle) for a block, None without any.

    Obliquity and rotation are stored alike (±327.67 degrees holds either)."""
    if obliquity_deg is None:
        return None
    a = np.asarray(obliquity_deg, dtype=float)
    if not np.isfinite(a).any():
        return None
    out = np.full(a.shape, _NO_ANGLE, dtype="<i2")
    ok = np.isfinite(a)
    out[ok] = np.clip(np.rint(a[ok] * 100.0), -32767, 32767).astype("<i2")
    return out.tobytes()


def decode_pelvis(blob: bytes | None, n_frames: int) -> np.ndarray:
    """Degrees per frame from :func:`encode_pelvis` (NaN where none)."""
    if blob is None:
        return np.full(n_frames, np.nan)
    raw = np.frombuffer(blob, dtype="<i2").astype(float)
    return np.where(raw == _NO_ANGLE, np.nan, raw / 100.0)


def decode_block(
    t0_us: int, n_frames: int, n_cells: int, t_blob: bytes, f_blob: bytes
) -> tuple[np.ndarray, np.ndarray]:
    """Times (n,) in s and forces (n, n_cells) in N from a stored block."""
    off = np.frombuffer(t_blob, dtype="<i4").astype(np.int64)
    t = (off + int(t0_us)) / 1e6
    f = np.frombuffer(f_blob, dtype="<i4").reshape(n_frames, n_cells) / 1000.0
    return t, f


class TrialRecorder:
    """Writes one trial's frames into the store as they come.

    Frames are buffered and committed as one block whenever the buffer spans ``block_s`` of
    frame time, so the database always holds all but the last ``block_s`` s. Use it as a
    context manager: leaving the block by an exception (Ctrl-C included) stores what was
    recorded with status ``aborted``.
    """

    def __init__(
        self, store: Store, trial_id: int, board: Board, *, block_s: float = BLOCK_S
    ) -> None:
        self.store = store
        self.trial_id = trial_id
        self.board = board
        self.block_s = float(block_s)
        self.n_stored = 0
        self.finished = False
        self._seq = 0
        self._t: list[np.ndarray] = []
        self._f: list[np.ndarray] = []
        self._p: list[np.ndarray] = []
        self._r: list[np.ndarray] = []
        self._n_buffered = 0
        self._first_t: float | None = None
        self._last_t: float | None = None

    @property
    def n_frames(self) -> int:
        """Frames received so far (stored plus buffered)."""
        return self.n_stored + self._n_buffered

    def add_frames(
        self,
        t_s: np.ndarray,
        forces_n: np.ndarray,
        pelvis_deg: np.ndarray | None = None,
        rotation_deg: np.ndarray | None = None,
    ) -> None:
        """Add frames: times shape (n,) in s, forces shape (n, n_cells) in N, and the pelvis
        sensor's obliquity and rotation, shape (n,) in degrees, when one is fitted (NaN: no
        angle).

        Raises
        ------
        ValueError
            Wrong shapes, NaN, or frames added after :meth:`finish`.
        """
        if self.finished:
            raise ValueError(f"trial {self.trial_id} is finished; start a new trial")
        t = np.asarray(t_s, dtype=float).reshape(-1)
        f = np.asarray(forces_n, dtype=float)
        if f.ndim == 1 and t.size == 1:
            f = f[None, :]
        if f.shape != (t.size, self.board.n_cells):
            raise ValueError(
                f"frames of shape {f.shape} for {t.size} times; expected "
                f"({t.size}, {self.board.n_cells}) for board {self.board.name}"
            )
        if t.size == 0:
            return
        if not (np.isfinite(t).all() and np.isfinite(f).all()):
            raise ValueError("frames contain NaN or infinity; only measured values are stored")
        self._t.append(t.copy())
        self._f.append(f.copy())
        p = np.full(t.size, np.nan) if pelvis_deg is None else np.asarray(pelvis_deg, float)
        if p.shape != t.shape:
            raise ValueError(f"pelvis angles of shape {p.shape} for {t.size} times")
        r = np.full(t.size, np.nan) if rotation_deg is None else np.asarray(rotation_deg, float)
        if r.shape != t.shape:
            raise ValueError(f"pelvis rotations of shape {r.shape} for {t.size} times")
        self._p.append(p.copy())
        self._r.append(r.copy())
        self._n_buffered += t.size
        if self._first_t is None:
            self._first_t = float(t[0])
        self._last_t = float(t[-1])
        if self._last_t - self._first_t >= self.block_s or self._n_buffered >= MAX_BLOCK_FRAMES:
            self._commit(final=False)

    def flush(self) -> None:
        """Commit every buffered frame now."""
        if self._n_buffered:
            self._commit(final=True)

    def _commit(self, *, final: bool) -> None:
        t = np.concatenate(self._t)
        f = np.concatenate(self._f)
        p = np.concatenate(self._p)
        r = np.concatenate(self._r)
        blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        start = 0
        while start < t.size:
            limit = t[start] + self.block_s
            end = int(np.searchsorted(t[start:], limit, side="left")) + start
            end = min(max(end, start + 1), start + MAX_BLOCK_FRAMES)
            if (
                end >= t.size
                and not final
                and t[-1] - t[start] < self.block_s
                and t.size - start < MAX_BLOCK_FRAMES
            ):
                break  # an incomplete last block waits for more frames
            blocks.append((t[start:end], f[start:end], p[start:end], r[start:end]))
            start = end
        if blocks:
            self._seq = self.store.write_blocks(
                self.trial_id, self._seq, blocks, self.n_stored + start
            )
            self.n_stored += start
        rest_t, rest_f, rest_p = t[start:], f[start:], p[start:]
        self._t, self._f = ([rest_t], [rest_f]) if rest_t.size else ([], [])
        self._p = [rest_p] if rest_t.size else []
        self._r = [r[start:]] if rest_t.size else []
        self._n_buffered = int(rest_t.size)
        self._first_t = float(rest_t[0]) if rest_t.size else None

    def finish(
        self,
        result: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Any] | None = None,
        status: str = "complete",
    ) -> None:
        """Store the remaining frames, the result and metrics (JSON objects) and the status.

        ``status`` is 'complete', 'aborted' or 'interrupted'. Calling it twice is an error.
        """
        if self.finished:
            raise ValueError(f"trial {self.trial_id} is already finished")
        if status not in TRIAL_STATUSES or status == "running":
            raise ValueError(f"status {status!r}: use complete, aborted or interrupted")
        self.flush()
        self.store.finish_trial(self.trial_id, status, result, metrics)
        self.finished = True

    def __enter__(self) -> TrialRecorder:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self.finished or self.store.closed:
            return
        if exc_type is None:
            self.finish()
            return
        try:
            self.finish(status="aborted")
        except BalanceTrainerError:
            pass  # the original error says more than a failed clean-up
