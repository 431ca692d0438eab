"""The driver's own health check on raw counts: jumps too big for a load, and erratic chips.

Every source's counts pass the core's spike guard (:mod:`balance_trainer.spikes`), which
judges in newtons and holds a suspicious reading back. This one stays in the driver because it
does two things the core's cannot: it works in raw counts, before the board is calibrated
(``calibrate`` and ``doctor`` read raw counts, and the core guard has no scale then), and it
declares a chip faulty after :data:`ERRATIC_LIMIT` jumps in :data:`ERRATIC_WINDOW` sweeps, so
the reader power-cycles that chip and the error names its cell and pin.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

DEFAULT_MAX_STEP = 1 << 20
"""Largest change (counts) between consecutive readings of one chip taken without confirmation.
About 1/8 of full scale: a flipped high bit or a slipped clock jumps further, a person stepping
on a cell in 12.5 ms does not (and a real step is confirmed by the very next reading)."""
STUCK_LOW_SWEEPS = 3
ERRATIC_WINDOW = 16
ERRATIC_LIMIT = 4
"""A chip with this many spikes in the last ``ERRATIC_WINDOW`` sweeps is returning garbage."""


class SpikeGuard:
    """Rejects a reading that jumps further than ``max_step`` from the last accepted one,
    unless the reading before it (itself rejected) agrees with it: a real step shows up in two
    readings in a row, a spike in one. After a reset the first reading is only a candidate.
    """

    def __init__(self, n: int, max_step: int | None) -> None:
        self.max_step = max_step
        self.accepted: list[int | None] = [None] * n
        self.candidate: list[int | None] = [None] * n
        self.history: list[deque[bool]] = [deque(maxlen=ERRATIC_WINDOW) for _ in range(n)]

    def reset(self) -> None:
        n = len(self.accepted)
        self.accepted = [None] * n
        self.candidate = [None] * n

    def check(self, counts: Sequence[int]) -> tuple[list[int], list[int]]:
        """Update with one sweep; returns ``(spiked, unconfirmed)`` chip indices."""
        spiked: list[int] = []
        unconfirmed: list[int] = []
        step = self.max_step
        for i, c in enumerate(counts):
            acc, cand = self.accepted[i], self.candidate[i]
            if step is None:
                ok = True
            else:
                ok = (acc is not None and abs(c - acc) <= step) or (
                    cand is not None and abs(c - cand) <= step
                )
            if ok:
                self.accepted[i], self.candidate[i] = c, None
                self.history[i].append(False)
            else:
                self.candidate[i] = c
                if acc is None:
                    unconfirmed.append(i)
                else:
                    spiked.append(i)
                    self.history[i].append(True)
        return spiked, unconfirmed

    def erratic(self) -> list[int]:
        """Chips with too many spikes in the recent window."""
        return [i for i, h in enumerate(self.history) if sum(h) >= ERRATIC_LIMIT]
