"""Hands-free choosing: lean left or right to move the selection, stand still to choose.

The person's own resting centre is learned while they stand on the board (people rarely stand
exactly over the middle), and every lean is measured from it. A lean past ``lean_mm`` held for
``hold_s`` moves the selection one step; the person must come back inside ``release_mm`` before
the next step, so one lean is one step however long it is held. Standing still inside the
release band fills the dwell ring; when it is full the highlighted choice is taken.

Dwell does not start the moment someone steps on or a screen opens (``grace_s``), and any
movement empties the ring, so nobody chooses by accident while getting settled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class LeanSettings:
    """Thresholds for lean-to-move and hold-still-to-choose.

    Attributes
    ----------
    lean_mm : float
        ML COP offset from the resting centre that counts as a lean, mm.
    release_mm : float
        Back inside this offset, mm, the lean is over (and the dwell may fill).
    hold_s : float
        A lean must last this long, s, so a wobble is not a step.
    dwell_s : float
        Standing still this long, s, chooses the highlighted item.
    still_mm_s : float
        Above this ML COP speed, mm/s, the person is moving and the dwell empties.
    grace_s : float
        After stepping on or a screen change, s, before the dwell starts filling.
    centre_tau_s : float
        Time constant, s, with which the resting centre follows the person while not leaning.
    """

    lean_mm: float = 35.0
    release_mm: float = 15.0
    hold_s: float = 0.25
    dwell_s: float = 2.5
    still_mm_s: float = 40.0
    grace_s: float = 1.5
    centre_tau_s: float = 4.0

    @classmethod
    def easy(cls) -> LeanSettings:
        """Older adults: a smaller lean is enough, and more time to choose."""
        return cls(
            lean_mm=25.0, release_mm=12.0, hold_s=0.35, dwell_s=3.5, still_mm_s=50.0, grace_s=2.0
        )


class LeanNavigator:
    """Turns a stream of ML COP values into "left", "right" and "select" intents.

    Call :meth:`update` once per game frame with the newest smoothed ML COP (mm, NaN when
    nobody is on the board). Read :attr:`dwell_progress` (0..1) to draw the dwell ring and
    :attr:`lean` (-1..1) to show how far the person leans toward a step.
    """

    def __init__(self, settings: LeanSettings | None = None) -> None:
        self.settings = settings or LeanSettings()
        self.centre_mm: float = math.nan
        self.dwell_progress = 0.0
        self.lean = 0.0
        self.enabled = True
        self._t_prev: float | None = None
        self._ml_prev = math.nan
        self._lean_side = 0
        self._lean_since: float | None = None
        self._latched = False
        self._grace_until = 0.0
        self._settle_until = 0.0
        self._speed = 0.0

    def reset(self, t_s: float, grace_s: float | None = None) -> None:
        """Start afresh at ``t_s`` (a new screen): empty dwell, grace period, no latch.

        ``grace_s`` gives this screen a longer wait before the dwell starts (a result to read).
        """
        self.dwell_progress = 0.0
        self._grace_until = t_s + max(self.settings.grace_s, grace_s or 0.0)
        self._settle_until = t_s + self.settings.grace_s
        self._latched = True  # wait for the person to come back to the centre
        self._lean_since = None
        self._lean_side = 0

    @property
    def on_board(self) -> bool:
        return math.isfinite(self._ml_prev)

    def update(self, t_s: float, ml_mm: float) -> list[str]:
        """Feed the newest ML COP (mm) at time ``t_s`` (s); return the intents it produced."""
        s = self.settings
        dt = 0.0 if self._t_prev is None else max(0.0, t_s - self._t_prev)
        self._t_prev = t_s
        if not math.isfinite(ml_mm):
            # Nobody on the board: forget the centre, so it is learned again on stepping on.
            self.centre_mm = math.nan
            self._ml_prev = math.nan
            self.dwell_progress = 0.0
            self.lean = 0.0
            self._grace_until = t_s + s.grace_s
            self._latched = True
            self._lean_since = None
            return []
        if not math.isfinite(self.centre_mm):
            self.centre_mm = ml_mm
            self._ml_prev = ml_mm
            self._grace_until = max(self._grace_until, t_s + s.grace_s)
            self._settle_until = max(self._settle_until, t_s + s.grace_s)
        if dt > 0 and math.isfinite(self._ml_prev):
            inst = abs(ml_mm - self._ml_prev) / dt
            # Speed is smoothed over ~0.2 s so single-frame noise does not empty the ring.
            a = min(1.0, dt / 0.2)
            self._speed += a * (inst - self._speed)
        self._ml_prev = ml_mm
        if t_s < self._settle_until:
            # Just stepped on, or a new screen: the person is still settling. The centre
            # follows them closely and nothing is chosen yet.
            a = min(1.0, dt / 0.3) if dt > 0 else 0.0
            self.centre_mm += a * (ml_mm - self.centre_mm)
            self.lean = 0.0
            self.dwell_progress = 0.0
            self._latched = False
            return []
        off = ml_mm - self.centre_mm
        self.lean = max(-1.0, min(1.0, off / s.lean_mm))
        if not self.enabled:
            self.dwell_progress = 0.0
            return []
        out: list[str] = []
        side = 1 if off >= s.lean_mm else -1 if off <= -s.lean_mm else 0
        if abs(off) <= s.release_mm:
            self._latched = False
            self._lean_since = None
            self._lean_side = 0
            if dt > 0:
                a = min(1.0, dt / s.centre_tau_s)
                self.centre_mm += a * (ml_mm - self.centre_mm)
        if side != 0 and not self._latched:
            if side != self._lean_side:
                self._lean_side = side
                self._lean_since = t_s
            elif self._lean_since is not None and t_s - self._lean_since >= s.hold_s:
                out.append("right" if side > 0 else "left")
                self._latched = True
                self._lean_since = None
                self._grace_until = t_s + 0.5
        still = abs(off) <= s.release_mm and self._speed <= s.still_mm_s
        if still and t_s >= self._grace_until:
            self.dwell_progress = min(1.0, self.dwell_progress + dt / s.dwell_s)
            if self.dwell_progress >= 1.0:
                out.append("select")
                self.dwell_progress = 0.0
                self._grace_until = t_s + s.grace_s
        elif not still:
            self.dwell_progress = 0.0
        return out
