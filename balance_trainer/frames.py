"""The raw frame every source yields: one timestamp and one integer count per cell."""

from __future__ import annotations

from typing import NamedTuple


class RawFrame(NamedTuple):
    """One reading of every cell at the same instant.

    t : float
        Monotonic time in seconds (virtual time for simulated and replayed sources).
    counts : tuple of int
        Signed ADC counts, one per cell, in the board file's cell order.
    """

    t: float
    counts: tuple[int, ...]
