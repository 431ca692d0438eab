"""Adaptive difficulty: start each round where the person's recent sway says they are.

Each finished round stores the RMS of the ML COP the person produced (``ml_rms_mm``). The next
round of the same game takes the median of the last few (a median, so one bad day does not
swing it) and scales the target band to it: a steadier person gets a narrower band. A staircase
inside the river game then fine-tunes from success and misses as it goes.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable


def recent_sway_mm(values: Iterable[float | None], last: int = 5) -> float | None:
    """Median of the last ``last`` finite sway values (mm), or None when there are none."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return None
    return statistics.median(finite[-last:])


def band_from_sway(
    sway_mm: float | None,
    default_mm: float,
    *,
    factor: float = 1.6,
    lo_mm: float = 5.0,
    hi_mm: float = 25.0,
) -> float:
    """A target band half-width, mm: ``factor`` × recent sway, kept within [lo, hi].

    About 1.6 × RMS keeps a person inside the band roughly 80-90 % of the time when the sway
    is near normal: hard enough to need attention, easy enough to be rewarding.
    """
    if sway_mm is None or not math.isfinite(sway_mm) or sway_mm <= 0:
        return default_mm
    return max(lo_mm, min(hi_mm, factor * sway_mm))


class Staircase:
    """Up after ``up_after`` successes in a row, down after one miss: a 1-down/N-up staircase.

    ``level`` runs from 0 (easiest) to 1 (hardest) in steps of ``step``.
    """

    def __init__(self, level: float = 0.3, *, step: float = 0.08, up_after: int = 3) -> None:
        self.level = max(0.0, min(1.0, level))
        self.step = step
        self.up_after = up_after
        self.streak = 0

    def success(self) -> bool:
        """Record a success; True when the level went up."""
        self.streak += 1
        if self.streak >= self.up_after and self.level < 1.0:
            self.streak = 0
            self.level = min(1.0, self.level + self.step)
            return True
        return False

    def miss(self) -> bool:
        """Record a miss; True when the level went down."""
        self.streak = 0
        if self.level > 0.0:
            self.level = max(0.0, self.level - self.step)
            return True
        return False


def lerp(a: float, b: float, t: float) -> float:
    """``a`` at t = 0 to ``b`` at t = 1."""
    return a + (b - a) * t


def level_from_sway(
    sway_mm: float | None,
    *,
    steady_mm: float = 3.0,
    wobbly_mm: float = 12.0,
    default: float = 0.3,
    top: float = 0.6,
) -> float:
    """Starting level 0..``top`` from recent sway: ``top`` at ``steady_mm`` or less, 0 at
    ``wobbly_mm`` or more, linear between; ``default`` when nothing is known yet.

    The start never goes above ``top``, so a round always begins with some room to climb.
    """
    if sway_mm is None or not math.isfinite(sway_mm):
        return default
    t = (wobbly_mm - sway_mm) / (wobbly_mm - steady_mm)
    return max(0.0, min(1.0, t)) * top
