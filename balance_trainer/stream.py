"""The live stream: a sampler thread turning raw frames into balance, and a ring buffer.

The sampler is the only writer. It converts each frame (counts → newtons → balance) and appends
it to a :class:`RingBuffer`. Consumers (the terminal view, the games, the recorder, a protocol)
read from the buffer at their own pace without taking a lock the sampler waits on: each reader
keeps its own position (a sequence number) and copies out what is new. A reader that falls more
than a buffer's worth behind is told how many frames it missed instead of getting stale data.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .balance import Balance, BalanceBlock, BalanceModel
from .calibration import Calibration
from .frames import RawFrame
from .pelvis import PelvisAligner
from .spikes import SpikeGuard

_COLUMNS = BalanceBlock.FIELDS


class RingBuffer:
    """Fixed-size store of the latest balance frames and their forces.

    One writer (:meth:`append`), any number of readers. ``seq`` counts frames ever written;
    frame number ``k`` lives in slot ``k % capacity``.
    """

    def __init__(self, capacity: int, n_cells: int) -> None:
        if capacity < 2:
            raise ValueError("ring buffer capacity must be at least 2")
        self.capacity = int(capacity)
        self.n_cells = n_cells
        self._data = {
            name: np.zeros(capacity, dtype=bool if name == "on_board" else float)
            for name in _COLUMNS
        }
        self._forces = np.zeros((capacity, n_cells))
        self._pelvis = np.full(capacity, np.nan)
        self._rotation = np.full(capacity, np.nan)
        self._has_pelvis = False
        self._seq = 0
        self._cond = threading.Condition()

    @property
    def seq(self) -> int:
        """Number of frames ever appended."""
        return self._seq

    def append(self, block: BalanceBlock, forces_n: np.ndarray) -> None:
        """Append a block (the writer's only call)."""
        n = len(block)
        if n == 0:
            return
        if n > self.capacity:  # only the newest capacity frames can be kept
            cut = n - self.capacity
            block = block.take(slice(cut, None))
            forces_n = forces_n[cut:]
            self._seq += cut
            n = self.capacity
        start = self._seq % self.capacity
        idx = (start + np.arange(n)) % self.capacity
        for name in _COLUMNS:
            self._data[name][idx] = getattr(block, name)
        self._forces[idx] = forces_n
        if block.pelvis_obliquity_deg is not None:
            self._has_pelvis = True
            self._pelvis[idx] = block.pelvis_obliquity_deg
        else:
            self._pelvis[idx] = np.nan
        rot = block.pelvis_rotation_deg
        self._rotation[idx] = np.nan if rot is None else rot
        # Publishing the new count last means a reader never sees a slot before it is filled.
        with self._cond:
            self._seq += n
            self._cond.notify_all()

    def read_since(self, seq: int) -> tuple[BalanceBlock, np.ndarray, int, int]:
        """Frames after ``seq``: ``(block, forces, new_seq, missed)``.

        ``missed`` counts frames overwritten before this reader got to them.
        """
        end = self._seq
        missed = 0
        first = seq
        if end - first > self.capacity - 1:
            # Leave one slot of margin: the writer may be filling the oldest slot right now.
            new_first = end - (self.capacity - 1)
            missed = new_first - first
            first = new_first
        idx = np.arange(first, end) % self.capacity
        pelvis = self._pelvis[idx].copy() if self._has_pelvis else None
        rotation = self._rotation[idx].copy() if self._has_pelvis else None
        block = BalanceBlock.of(
            {name: self._data[name][idx].copy() for name in _COLUMNS}, pelvis, rotation
        )
        forces = self._forces[idx].copy()
        if self._seq - first > self.capacity:  # overtaken while copying: drop the oldest
            lost = self._seq - first - self.capacity
            block = block.take(slice(lost, None))
            forces = forces[lost:]
            missed += lost
        return block, forces, end, missed

    def latest(self) -> Balance | None:
        """The newest frame, or None before the first one."""
        end = self._seq
        if end == 0:
            return None
        i = (end - 1) % self.capacity
        values: list[Any] = [
            bool(self._data[n][i]) if n == "on_board" else float(self._data[n][i]) for n in _COLUMNS
        ]
        return Balance(*values)

    def last(self, n: int) -> BalanceBlock:
        """The newest ``n`` frames (fewer at the start)."""
        end = self._seq
        return self.read_since(max(0, end - n))[0]

    def wait(self, seq: int, timeout: float | None = None) -> bool:
        """Block until more than ``seq`` frames exist; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._seq > seq, timeout)


@dataclass
class Converter:
    """Counts → forces → balance for one board and calibration.

    Every block first passes the stream's one :class:`~balance_trainer.spikes.SpikeGuard`
    (stateful: use one converter per stream, so blocks of any size give the same result).
    ``spike_guard=False`` is for counts that already passed it (a recording's forces).
    """

    calibration: Calibration
    model: BalanceModel
    pelvis: PelvisAligner | None = None
    """With a pelvis sensor: its samples, fed as they arrive, give each block its obliquity."""
    spike_guard: bool = True
    guard: SpikeGuard | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.spike_guard:
            self.guard = SpikeGuard(self.calibration.scale_)

    def block(self, frames: list[RawFrame]) -> tuple[BalanceBlock, np.ndarray]:
        t = np.fromiter((f.t for f in frames), dtype=float, count=len(frames))
        return self.counts_block(t, np.array([f.counts for f in frames], dtype=float))

    def counts_block(self, t: np.ndarray, counts: np.ndarray) -> tuple[BalanceBlock, np.ndarray]:
        if self.spike_guard:
            guard = self.guard
            scale = np.abs(self.calibration.scale_)
            if guard is None or not np.array_equal(guard.scale_n_per_count, scale, equal_nan=True):
                guard = self.guard = SpikeGuard(scale)  # calibrated since: judge in newtons
            counts = guard.filter(t, counts)
        forces = self.calibration.forces(counts)
        block = self.model.compute(t, forces)
        if self.pelvis is not None:
            obliquity, rotation = self.pelvis.at(t)
            block = dataclasses.replace(
                block, pelvis_obliquity_deg=obliquity, pelvis_rotation_deg=rotation
            )
        return block, forces


class Sampler:
    """Reads a source in a background thread and fills a ring buffer.

    ``listeners`` are called in the sampler thread with ``(block, forces)`` after each append;
    keep them quick (the recorder writes a row; heavy work belongs in a reader).
    """

    def __init__(
        self,
        frames: Iterator[RawFrame],
        converter: Converter,
        *,
        capacity: int = 80 * 120,
        batch: int = 1,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._frames = frames
        self.converter = converter
        self.buffer = RingBuffer(capacity, converter.model.board.n_cells)
        self.batch = max(1, int(batch))
        self.listeners: list[Callable[[BalanceBlock, np.ndarray], None]] = []
        self.error: BaseException | None = None
        self.finished = threading.Event()
        self._stop = threading.Event()
        self._on_error = on_error
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        pending: list[RawFrame] = []
        try:
            for frame in self._frames:
                pending.append(frame)
                if len(pending) >= self.batch:
                    self._push(pending)
                    pending = []
                if self._stop.is_set():
                    break
            if pending:
                self._push(pending)
        except BaseException as exc:  # handed to the consumer, which decides what to say
            self.error = exc
            if self._on_error:
                self._on_error(exc)
        finally:
            self.finished.set()
            with self.buffer._cond:
                self.buffer._cond.notify_all()

    def _push(self, frames: list[RawFrame]) -> None:
        block, forces = self.converter.block(frames)
        self.buffer.append(block, forces)
        for listener in self.listeners:
            listener(block, forces)

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


def process_frames(
    frames: Iterator[RawFrame],
    converter: Converter,
    *,
    max_frames: int | None = None,
    block_size: int = 512,
) -> Iterator[tuple[BalanceBlock, np.ndarray]]:
    """Offline/virtual-time path: the same conversion in blocks, without a thread."""
    pending: list[RawFrame] = []
    count = 0
    for frame in frames:
        pending.append(frame)
        count += 1
        if len(pending) >= block_size:
            yield converter.block(pending)
            pending = []
        if max_frames is not None and count >= max_frames:
            break
    if pending:
        yield converter.block(pending)
