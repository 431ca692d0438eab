"""Small running statistics the games keep while they play."""

from __future__ import annotations

import math


class RunningSway:
    """Running mean and RMS about the mean of an ML COP offset (Welford's update).

    The games store the RMS with each score, and the next round's difficulty is set from it.
    """

    def __init__(self) -> None:
        self.n = 0
        self._mean = 0.0
        self._m2 = 0.0

    def add(self, x_mm: float) -> None:
        """Add one value, mm; NaN is skipped."""
        if not math.isfinite(x_mm):
            return
        self.n += 1
        d = x_mm - self._mean
        self._mean += d / self.n
        self._m2 += d * (x_mm - self._mean)

    @property
    def mean_mm(self) -> float:
        return self._mean if self.n else math.nan

    @property
    def rms_mm(self) -> float:
        """RMS about the mean, mm (NaN before two values)."""
        return math.sqrt(self._m2 / self.n) if self.n >= 2 else math.nan
