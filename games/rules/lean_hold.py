"""Choosing by leaning: a clear lean toward a choice, held, is the one hands-free way to choose.

Standing still never chooses (the old dwell-to-choose made the app run itself: a person
pausing to read, or nobody touching anything, started games and tests). A lean past the step
threshold of :class:`~games.rules.lean_nav.LeanNavigator` moves the highlight one step toward
the lean, as before; keeping that lean, on both feet, for :attr:`LeanHoldSettings.hold_s`
chooses the highlighted choice, i.e. the one leaned toward. The ring on the tile fills while the
lean is held, so the person sees it coming and can let go. One hold is one choice: the lean must
come back toward the middle before another can start.

Stepping onto one leg shifts the centre of pressure by a whole foot's distance: that is a change
of stance, not a lean, so it never counts (both feet must carry at least ``min_share`` of the
load).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class LeanHoldSettings:
    """How long and how clearly a lean must be held to choose.

    Attributes
    ----------
    hold_s : float
        The lean, past the step threshold, held this long (s) chooses.
    release : float
        Back inside this fraction of the step threshold, the hold is over (and may start
        again).
    min_share : float
        Each foot must carry at least this share of the load (0..1) for a lean to count.
    """

    hold_s: float = 2.0
    release: float = 0.5
    min_share: float = 0.1

    @classmethod
    def easy(cls) -> LeanHoldSettings:
        """Older adults: more time to see the ring fill and to let go."""
        return cls(hold_s=3.0)


class LeanHold:
    """Turns the navigator's lean (-1..1, ±1 past the step threshold) into a held choice.

    Call :meth:`update` each frame; it returns the side (-1 left, +1 right) when a hold
    completes, else 0. :attr:`progress` (0..1) is drawn as the ring.
    """

    def __init__(self, settings: LeanHoldSettings | None = None) -> None:
        self.settings = settings or LeanHoldSettings()
        self.progress = 0.0
        self.side = 0
        self._t_prev: float | None = None
        self._latched = True

    def reset(self, t_s: float) -> None:
        """A new screen or a choice made: empty ring; the person must first come back."""
        self.progress = 0.0
        self.side = 0
        self._t_prev = t_s
        self._latched = True

    def update(self, t_s: float, lean: float, both_feet: bool) -> int:
        """Feed the lean at ``t_s`` (s); the side chosen (-1/+1) when a hold completes, else 0."""
        s = self.settings
        dt = 0.0 if self._t_prev is None else max(0.0, t_s - self._t_prev)
        self._t_prev = t_s
        if not math.isfinite(lean) or not both_feet:
            self.progress = 0.0
            self.side = 0
            self._latched = True
            return 0
        if abs(lean) <= s.release:
            self._latched = False
            self.progress = 0.0
            self.side = 0
            return 0
        side = 1 if lean >= 1.0 else -1 if lean <= -1.0 else 0
        if self._latched or side == 0:
            # In between, or still holding the lean that made the last choice: nothing fills.
            if side != self.side:
                self.progress = 0.0
            return 0
        if side != self.side:
            self.side = side
            self.progress = 0.0
        self.progress = min(1.0, self.progress + dt / s.hold_s)
        if self.progress >= 1.0:
            self.progress = 0.0
            self._latched = True
            return side
        return 0
