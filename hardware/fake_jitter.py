"""A virtual clock that wakes late and is preempted, as a real machine is.

:class:`~hardware.virtual_clock.VirtualClock` wakes a sleeper exactly on time and never takes
the processor away, so a virtual-time soak of the HX711 path is kinder than any machine. This
clock replays what a machine was measured to do (``benchmarks/bench_hx711_path.py``
measures it at the start of its soak):

* every sleep wakes late by a value drawn from measured ``time.sleep`` overshoots;
* preemptions come as a Poisson process at the measured rate of gaps longer than 60 µs in a
  busy loop, each lasting a measured gap. One that starts during a sleep and ends before the
  wake-up costs nothing (the sleeper was not running); otherwise the clock is pushed to its
  end. Pin writes move the clock with :meth:`advance` (work, never late), so a preemption
  that starts in the write that lowers SCK leaves SCK high for its whole length, as on a Pi.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from .virtual_clock import VirtualClock

__all__ = ["JitterClock"]


class JitterClock(VirtualClock):
    """A :class:`VirtualClock` with late wake-ups and preemptions drawn from measurements.

    Parameters
    ----------
    lateness_s : sequence of float
        How late sleeps woke (s), one drawn per sleep; empty for none.
    preempt_rate_hz : float
        Preemptions per second of virtual time (0 for none).
    preempt_s : sequence of float
        How long preemptions lasted (s), one drawn per preemption.
    seed : int
    start : float
        Initial time (s).
    """

    def __init__(
        self,
        lateness_s: Sequence[float] = (),
        preempt_rate_hz: float = 0.0,
        preempt_s: Sequence[float] = (),
        *,
        seed: int = 0,
        start: float = 0.0,
    ) -> None:
        super().__init__(start)
        self.lateness_s = tuple(float(v) for v in lateness_s)
        self.preempt_s = tuple(float(v) for v in preempt_s)
        if any(v < 0 or not math.isfinite(v) for v in self.lateness_s + self.preempt_s):
            raise ValueError("lateness and preemption lengths are times >= 0 s")
        if preempt_rate_hz < 0 or (preempt_rate_hz > 0 and not self.preempt_s):
            raise ValueError(
                f"preempt_rate_hz {preempt_rate_hz!r}: give a rate >= 0 and, if > 0, the "
                "lengths preemptions last (preempt_s)"
            )
        self.preempt_rate_hz = float(preempt_rate_hz)
        self._rng = random.Random(seed)
        self._next = self.t + self._gap()
        self.sleeps = 0
        self.late_total_s = 0.0
        self.preemptions = 0
        """Preemptions that began so far (felt or not)."""
        self.preemptions_felt = 0
        """Those that pushed the clock on (in work, or past a sleeper's wake-up)."""

    def _gap(self) -> float:
        rate = self.preempt_rate_hz
        return self._rng.expovariate(rate) if rate > 0 else math.inf

    def sleep(self, dt: float) -> None:
        """Sleep ``dt`` s and wake late by a measured amount."""
        if dt > 0:
            late = self._rng.choice(self.lateness_s) if self.lateness_s else 0.0
            self.sleeps += 1
            self.late_total_s += late
            self._move(self.t + dt + late)

    def advance(self, dt: float) -> None:
        """Work for ``dt`` s (a pin write): never late, but a preemption may land in it."""
        if dt > 0:
            self._move(self.t + dt)

    def _move(self, target: float) -> None:
        while self._next <= target:
            end = self._next + self._rng.choice(self.preempt_s)
            self.preemptions += 1
            if end > target:
                self.preemptions_felt += 1
                target = end
            self._next = end + self._gap()
        self.t = target
