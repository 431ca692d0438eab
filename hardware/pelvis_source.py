"""The face every pelvis sensor has: a stream of :class:`~balance_trainer.frames.PelvisSample`.

A pelvis source (the simulated one in :mod:`hardware.simulated`, later the I2C inertial sensor)
yields samples at its own rate (~100 Hz) with timestamps on the same monotonic clock as the
board's frames, so a consumer can line the two up by time. It knows nothing of COP or games.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from balance_trainer.frames import Clock, PelvisSample, Sleep


class PelvisSource(ABC):
    """A stream of pelvis orientation samples.

    A backend must override :meth:`samples`; it may override :meth:`stats` and
    :meth:`close` (call the base class's). ``kind`` names it (``sim``, ``i2c``).

    Attributes
    ----------
    rate_hz : float
        Nominal output rate, Hz.
    realtime : bool
        True when samples arrive in wall-clock time; False in virtual time (tests, --fast).
    """

    kind: str = "pelvis"
    simulated: bool = False

    def __init__(
        self,
        rate_hz: float,
        *,
        realtime: bool = True,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.rate_hz = float(rate_hz)
        self.realtime = realtime
        self.clock = clock
        self.sleep = sleep
        self.closed = False

    @abstractmethod
    def samples(self) -> Iterator[PelvisSample]:
        """Yield samples until closed (or the source ends)."""

    @property
    def description(self) -> str:
        return f"{self.kind} pelvis sensor at {self.rate_hz:g} Hz"

    def stats(self) -> dict[str, Any]:
        """Counters for doctor and logs."""
        return {}

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> PelvisSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
