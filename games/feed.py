"""The app's window on the board: newest balance, smoothed for feedback, with fault states.

Real time: a :class:`~balance_trainer.stream.Sampler` thread fills a ring buffer; each game frame
takes whatever arrived since the last one, feeds it sample by sample through the causal live
smoother and draws with the newest value. Virtual time (headless runs, tests): there is no
thread; each game frame pulls from the source exactly the frames whose timestamps are due by
the frame's virtual time, then reads them back through the same ring buffer. Both paths give
the same values for the same source, so a headless run is a faithful, repeatable replay.

The feed owns the one :class:`~balance_trainer.events.EventDetector` of the session: every
new block goes through it, and the events that became known (step on/off, lift-off,
touchdown, squats...) come with the block in :class:`FeedUpdate`; :attr:`BoardFeed.stance` is
the detector's stance after the newest block. Games take lift-off and touchdown from there, so
they say "foot up" exactly when the clinical tests would.

Faults the app must ride out without crashing are states here, not exceptions:
``starting`` (no frame yet), ``ok``, ``stalled`` (no new frame for ``stall_s``; e.g. a cable
pulled) and ``lost`` (the source ended or raised; it is reopened every ``retry_s`` with the
``reopen`` callable until it comes back). This module does not import pygame.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from balance_trainer.balance import Balance, BalanceBlock
from balance_trainer.config import Board
from balance_trainer.constants import STANDARD_GRAVITY
from balance_trainer.events import OTHER_SIDE, Event, EventDetector
from balance_trainer.frames import RawFrame, Source
from balance_trainer.pelvis import drop_series
from balance_trainer.signal import LiveSmoother
from balance_trainer.stream import RingBuffer, Sampler

DEFAULT_CUTOFF_HZ = 4.0
STALL_S = 1.0
RETRY_S = 2.0
DETECT_EVERY_S = 0.1
"""The event detector is fed in blocks of at least this much signal, s: its cost is mostly per
call, and 0.1 s is small beside the 0.5 s a lift-off must last before it counts."""
MAX_TARE_KG = 8.0
"""A zeroing residual above this means someone (or something) is still on the board."""


class FeedStatus(StrEnum):
    """The feed's state (see the module docstring); the words are what logs and screens show."""

    STARTING = "starting"
    """No frame yet (just opened, or reopened)."""
    OK = "ok"
    STALLED = "stalled"
    """No new frame for ``stall_s``."""
    LOST = "lost"
    """The source ended or raised; reopened every ``retry_s``."""


def _smoother(fs_hz: float, cutoff_hz: float) -> LiveSmoother:
    return LiveSmoother(fs_hz, cutoff_hz=min(cutoff_hz, 0.45 * fs_hz))


@dataclass
class FeedUpdate:
    """What arrived for one game frame: the new block (maybe empty), its forces and events.

    Attributes
    ----------
    block : BalanceBlock
        The frames that arrived, oldest first.
    forces_n : ndarray, shape (n, n_cells)
        Their per-cell forces, N.
    missed : int
        Frames lost to a full ring buffer since the last update.
    events : list of Event
        What the feed's event detector learned, in the order it became known. It is fed every
        :data:`DETECT_EVERY_S` of signal, so these may be about frames of earlier updates.
    """

    block: BalanceBlock
    forces_n: np.ndarray
    missed: int = 0
    events: list[Event] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.block)


class BoardFeed:
    """Newest smoothed balance for the app, from a :class:`~balance_trainer.wiring.BoardConnection`.

    Parameters
    ----------
    conn : BoardConnection
        An open board (``conn.source.frames()``, ``conn.converter``).
    realtime : bool
        True: a sampler thread reads the source. False: frames are pulled by virtual time in
        :meth:`pump` (the source must be a virtual-time one).
    reopen : callable, optional
        Returns a fresh connection after the board was lost; without it, lost stays lost.
    cutoff_hz : float
        Live smoother cutoff, Hz.
    stall_s : float
        No new frame for this long, s, and the feed is ``stalled``.
    retry_s : float
        Seconds between reopen attempts while ``lost``.
    clock : callable
        Monotonic clock, s, for real-time arrival stamps (``time.perf_counter``).
    """

    def __init__(
        self,
        conn: Any,
        *,
        realtime: bool,
        reopen: Callable[[], Any] | None = None,
        cutoff_hz: float = DEFAULT_CUTOFF_HZ,
        stall_s: float = STALL_S,
        retry_s: float = RETRY_S,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.conn = conn
        self.realtime = realtime
        self.reopen = reopen
        self.cutoff_hz = cutoff_hz
        self.stall_s = stall_s
        self.retry_s = retry_s
        self.clock = clock
        board = conn.model.board
        self.board = board
        self.fs_hz = float(board.sample_rate_hz)
        self.status = FeedStatus.STARTING
        self.error: BaseException | None = None
        self.latest: Balance | None = None
        self.ml_mm = math.nan
        self.foot_ml_mm = {"left": math.nan, "right": math.nan}
        self.pelvis_obliquity_deg = math.nan
        """Newest pelvic obliquity from the pelvis sensor, degrees (positive = the left side
        lower; NaN without a sensor or a trustworthy angle). Already fused: not smoothed again."""
        self._sm_ml = _smoother(self.fs_hz, cutoff_hz)
        self._sm_foot = {s: _smoother(self.fs_hz, cutoff_hz) for s in ("left", "right")}
        self.detector = EventDetector(fs_hz=self.fs_hz)
        """The session's one event detector; its events come with each :class:`FeedUpdate`."""
        self.frames_seen = 0
        self.source_s = 0.0
        """Time spent waiting for the source to make frames in virtual time, s (the simulator
        computing its person: in real time that work is the sampler thread's, not a frame's)."""
        self.source_cpu_s = 0.0
        """The same as processor time of this thread, s (benchmarks on a busy machine)."""
        self.arrival_s = math.nan
        """Clock time at which the newest sample was appended (real time only)."""
        self._sampler: Sampler | None = None
        self._buffer: RingBuffer | None = None
        self._frames: Iterator[Any] | None = None
        self._peek: Any = None
        self._t_origin: float | None = None
        self._v_start = 0.0
        self._seq = 0
        self._det_seq = 0
        self._last_new: float | None = None
        self._next_retry = 0.0
        self._reopening: threading.Thread | None = None
        self._pending_conn: Any = None
        self._start()

    # -- plumbing ----------------------------------------------------------------------------
    @property
    def delay_s(self) -> float:
        """Group delay of the live smoother, s."""
        return float(self._sm_ml.delay_s)

    @property
    def simulated(self) -> bool:
        return bool(getattr(self.conn, "simulated", False))

    @property
    def sim(self) -> Any:
        """The simulated person's controls (``set_target``/``set_stance``), or None."""
        src = getattr(self.conn, "source", None)
        if not hasattr(src, "set_target"):
            return None
        # Only the interactive scenario takes orders; the scripted ones play their script.
        return src if getattr(src, "scenario", "interactive") == "interactive" else None

    @property
    def banner(self) -> str:
        return str(getattr(self.conn, "banner", ""))

    def _start(self, now_s: float = 0.0) -> None:
        self._t_origin = None
        self._v_start = now_s
        self._buffer = RingBuffer(int(self.fs_hz * 30), self.board.n_cells)
        self._seq = 0
        self._det_seq = 0
        self._peek = None
        if self.realtime:
            self._sampler = Sampler(
                self.conn.source.frames(), self.conn.converter, capacity=int(self.fs_hz * 30)
            )
            self._buffer = self._sampler.buffer
            self._sampler.listeners.append(self._stamp)
            self._sampler.start()
        else:
            self._frames = iter(self.conn.source.frames())

    def _stamp(self, block: BalanceBlock, forces: np.ndarray) -> None:
        # Runs in the sampler thread: only a float store, so the sampler is never held up.
        self.arrival_s = self.clock()

    def close(self) -> None:
        """Stop the sampler and close the board."""
        if self._sampler is not None:
            self._sampler.stop()
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 - closing a broken board must not crash the exit
            pass

    # -- per frame ---------------------------------------------------------------------------
    def pump(self, now_s: float) -> FeedUpdate:
        """Take in everything that arrived up to ``now_s`` (s; virtual time when not real time).

        Returns the new frames (possibly none); :attr:`latest`, :attr:`ml_mm` and
        :attr:`foot_ml_mm` then hold the newest values.
        """
        if self._last_new is None:
            self._last_new = now_s  # a board that never sends a frame stalls too
        if self.status is FeedStatus.LOST:
            self._try_reopen(now_s)
            if self.status is FeedStatus.LOST:
                return self._empty()
        if not self.realtime:
            self._pull_due(now_s)
        assert self._buffer is not None
        block, forces, self._seq, missed = self._buffer.read_since(self._seq)
        n = len(block)
        events: list[Event] = []
        if n:
            self._last_new = now_s
            self.frames_seen += n
            self._smooth(block)
            events = self._detect()
            self.latest = block[n - 1]
            if self.status is not FeedStatus.LOST:  # the last frames before a fault still count
                self.status = FeedStatus.OK
        elif self._sampler is not None and self._sampler.finished.is_set():
            self._lose(self._sampler.error, now_s)
        elif self._last_new is not None and now_s - self._last_new > self.stall_s:
            self.status = FeedStatus.STALLED
        return FeedUpdate(block, forces, missed, events)

    def _detect(self) -> list[Event]:
        """Feed the detector everything since its last block, once there is enough of it."""
        assert self._buffer is not None
        if self._seq - self._det_seq < DETECT_EVERY_S * self.fs_hz:
            return []
        block, _, self._det_seq, _ = self._buffer.read_since(self._det_seq)
        return self.detector.feed(block)

    def _empty(self) -> FeedUpdate:
        assert self._buffer is not None
        return FeedUpdate(self._buffer.last(0), np.zeros((0, self.board.n_cells)))

    def _pull_due(self, now_s: float) -> None:
        """Virtual time: append every frame with ``t <= now_s`` to the buffer."""
        assert self._frames is not None and self._buffer is not None
        due = []
        t_enter = time.perf_counter()
        c_enter = time.thread_time()
        try:
            while True:
                frame = self._peek if self._peek is not None else next(self._frames)
                self._peek = None
                if self._t_origin is None:
                    # Virtual time starts at the source's first frame (a recording may not
                    # start at 0 s).
                    self._t_origin = float(frame.t) - self._v_start
                if frame.t - self._t_origin > now_s + 1e-9:
                    self._peek = frame
                    break
                due.append(frame)
        except StopIteration:
            self.source_s += time.perf_counter() - t_enter
            self.source_cpu_s += time.thread_time() - c_enter
            if due:
                self._append(due)
            self._lose(None, now_s)
            return
        except Exception as exc:  # noqa: BLE001 - a failing source is a state, not a crash
            self.source_s += time.perf_counter() - t_enter
            self.source_cpu_s += time.thread_time() - c_enter
            if due:
                self._append(due)
            self._lose(exc, now_s)
            return
        self.source_s += time.perf_counter() - t_enter
        self.source_cpu_s += time.thread_time() - c_enter
        if due:
            self._append(due)

    def _append(self, frames: list[Any]) -> None:
        assert self._buffer is not None
        block, forces = self.conn.converter.block(frames)
        self._buffer.append(block, forces)

    def _smooth(self, block: BalanceBlock) -> None:
        sm = self._sm_ml.update
        sl = self._sm_foot["left"].update
        sr = self._sm_foot["right"].update
        ml = block.cop_ml_mm
        lml = block.left_cop_ml_mm
        rml = block.right_cop_ml_mm
        for i in range(len(block)):
            self.ml_mm = sm(ml[i])
            self.foot_ml_mm["left"] = sl(lml[i])
            self.foot_ml_mm["right"] = sr(rml[i])
        if block.pelvis_obliquity_deg is not None and len(block):
            self.pelvis_obliquity_deg = float(block.pelvis_obliquity_deg[-1])

    @property
    def has_pelvis(self) -> bool:
        """True when a pelvis sensor is read beside the board."""
        return getattr(self.conn, "pelvis", None) is not None

    def pelvic_drop_deg(self, stance_side: str) -> float:
        """Drop of the lifted leg's side while standing on ``stance_side``, degrees (NaN if
        unknown); positive = the lifted side lower."""
        if stance_side not in ("left", "right"):
            return math.nan
        return float(drop_series(self.pelvis_obliquity_deg, OTHER_SIDE[stance_side]))

    def _lose(self, exc: BaseException | None, now_s: float) -> None:
        if self.status is not FeedStatus.LOST:
            self.status = FeedStatus.LOST
            self.error = exc
            self._next_retry = now_s + self.retry_s
            self.ml_mm = math.nan
            for s in self._sm_foot.values():
                s.reset()
            self._sm_ml.reset()
            if self._sampler is not None:
                self._sampler.stop(timeout=0.2)

    def _try_reopen(self, now_s: float) -> None:
        if self.reopen is None:
            return
        if self._pending_conn is not None:
            self._adopt(self._pending_conn, now_s)
            return
        if now_s < self._next_retry or (self._reopening and self._reopening.is_alive()):
            return
        self._next_retry = now_s + self.retry_s
        if self.realtime:
            # Opening real hardware can take a while; never let it freeze the screen.
            self._reopening = threading.Thread(target=self._reopen_worker, daemon=True)
            self._reopening.start()
        else:
            try:
                conn = self.reopen()
            except Exception as exc:  # noqa: BLE001 - still unplugged: try again later
                self.error = exc
                return
            self._adopt(conn, now_s)

    def _reopen_worker(self) -> None:
        try:
            self._pending_conn = self.reopen() if self.reopen else None
        except Exception as exc:  # noqa: BLE001 - still unplugged: try again later
            self.error = exc

    def _adopt(self, conn: Any, now_s: float) -> None:
        self._pending_conn = None
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001
            pass
        # Keep the zeroing done earlier in this session: same board, same offsets.
        old_cal = getattr(self.conn, "calibration", None)
        if old_cal is not None and getattr(conn, "calibration", None) is not None:
            if list(old_cal.cell_names) == list(conn.calibration.cell_names):
                conn.calibration.offset_ = old_cal.offset_.copy()
        self.conn = conn
        self.error = None
        # Frames start again after a gap: the detector starts afresh but keeps the person's
        # body weight, so a game in progress need not wait for a new bipedal baseline.
        self.detector = EventDetector(fs_hz=self.fs_hz, body_weight_n=self.detector.body_weight_n)
        self._start(now_s)
        self.status = FeedStatus.STARTING
        self._last_new = now_s

    # -- derived values the screens use ------------------------------------------------------
    @property
    def stance(self) -> str:
        """The event detector's stance after the newest frame: ``unknown`` (no body weight
        yet), ``off``, ``both``, ``left`` or ``right`` (the foot standing)."""
        return self.detector.stance if self.status is not FeedStatus.LOST else "unknown"

    @property
    def on_board(self) -> bool:
        b = self.latest
        return bool(b is not None and b.on_board and self.status is FeedStatus.OK)

    def lifted_share(self, stance_side: str) -> float:
        """Share of the load on the side opposite ``stance_side`` (0..1; NaN off the board)."""
        b = self.latest
        if b is None or not b.on_board or b.total_n <= 0:
            return math.nan
        lifted = b.right_n if stance_side == "left" else b.left_n
        return max(0.0, lifted / b.total_n)

    def stance_ml_mm(self, stance_side: str) -> float:
        """Smoothed ML COP under the stance foot, mm; the whole-board COP when the board
        cannot see each foot's own COP (a single-plate board), or for ``"both"``."""
        if stance_side in ("left", "right") and self.board.side_has_ml_spacing(stance_side):
            return self.foot_ml_mm[stance_side]
        return self.ml_mm

    def tare(self, forces_n: np.ndarray) -> float:
        """Zero the board on readings taken while it was empty, shape (n, n_cells) in N.

        Returns the total residual load removed, kg. Raises ValueError when the residual is
        more than :data:`MAX_TARE_KG` (someone is still on the board) or nothing is known.
        """
        f = np.asarray(forces_n, dtype=float)
        if f.ndim != 2 or f.shape[0] == 0 or f.shape[1] != self.board.n_cells:
            raise ValueError("zeroing needs at least one frame of forces from every cell")
        residual = np.median(f, axis=0)
        kg = float(abs(residual.sum()) / STANDARD_GRAVITY)
        if kg > MAX_TARE_KG:
            raise ValueError(f"{kg:.1f} kg still on the board; step off to zero it")
        cal = self.conn.calibration
        scale = np.where(np.isfinite(cal.scale_) & (cal.scale_ != 0), cal.scale_, 1.0)
        # A new array, not an in-place edit: the sampler thread may be converting right now.
        cal.offset_ = cal.offset_ + residual / scale
        return kg


class OfflineSource(Source):
    """Stands in for a board that could not be opened at start: it has the board's geometry
    and no frames (its stream fails at once), so the app starts, says the board is not
    connected, and keeps trying to open the real one."""

    kind = "offline"
    scenario = None

    def __init__(self, board: Board, error: BaseException) -> None:
        super().__init__(board, realtime=False)
        self.error = error

    @property
    def description(self) -> str:
        return f"board {self.board.name} (not connected: {self.error})"

    def frames(self) -> Iterator[RawFrame]:
        raise self.error
        yield  # pragma: no cover - makes this a generator


def offline_connection(board: Board, error: BaseException) -> Any:
    """A :class:`~balance_trainer.wiring.BoardConnection` with no frames, for ``board``."""
    from balance_trainer.balance import BalanceModel
    from balance_trainer.calibration import Calibration
    from balance_trainer.wiring import BoardConnection

    return BoardConnection(
        OfflineSource(board, error),
        Calibration(board.cell_names),
        "none",
        BalanceModel(board),
        "offline",
    )
