"""A clock that moves only when told: what tests and the fake chips' soaks run on."""

from __future__ import annotations

__all__ = ["VirtualClock"]


class VirtualClock:
    """A clock that moves only when told: ``now()`` in s, ``ns()`` in ns, ``sleep(dt)``."""

    def __init__(self, start: float = 0.0) -> None:
        self.t = float(start)

    def now(self) -> float:
        return self.t

    __call__ = now

    def ns(self) -> int:
        return int(round(self.t * 1e9))

    def sleep(self, dt: float) -> None:
        if dt > 0:
            self.t += dt

    def advance(self, dt: float) -> None:
        """Move on by ``dt`` s of work (a pin write): unlike a sleep, never late."""
        if dt > 0:
            self.t += dt
