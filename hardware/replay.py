"""Replay a recording file as a board source, in real or virtual time.

Recordings store forces in newtons with 1 mN resolution; the player hands them on as integer
milli-newtons with a built-in calibration of offset 0 and scale 0.001 N/count, so a replayed
recording recorded again is identical to the original.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import numpy as np

from balance_trainer.frames import Clock, RawFrame, Sleep, Source
from balance_trainer.recording import read_recording

MN_PER_COUNT = 0.001


class ReplaySource(Source):
    """Frames from a recording. Virtual time keeps the file's timestamps; real time paces them."""

    kind = "replay"
    simulated = True
    spike_guarded = True
    """The forces were recorded after the core's spike guard: it is not applied twice."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        realtime: bool = True,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        loop: bool = False,
    ) -> None:
        self.recording = read_recording(path)
        super().__init__(self.recording.board, realtime=realtime, clock=clock, sleep=sleep)
        self.loop = loop
        self._counts = np.rint(self.recording.forces_n * 1000.0).astype(np.int64)

    @property
    def description(self) -> str:
        return f"recording {self.recording.path.name}"

    @property
    def calibration_key(self) -> str:
        return "replay"

    def builtin_calibration(self) -> tuple[list[float], list[float]]:
        n = self.board.n_cells
        return [0.0] * n, [MN_PER_COUNT] * n

    def frames(self) -> Iterator[RawFrame]:
        t_file = self.recording.t_s
        if t_file.size == 0:
            return
        while True:
            start_wall = self.clock()
            t0 = float(t_file[0])
            for t, row in zip(t_file, self._counts, strict=True):
                if self.closed:
                    return
                if self.realtime:
                    due = start_wall + (float(t) - t0)
                    wait = due - self.clock()
                    if wait > 0:
                        self.sleep(wait)
                yield RawFrame(float(t), tuple(int(v) for v in row))
            if not self.loop:
                return
