"""Squat builder: every controlled single-leg squat adds a block to the tower.

Repetitions come from the core's event detector (start, bottom and end times, found from the
vertical force). This module judges each one by the medio-lateral COP under the stance foot
during the repetition: if it stayed within ``band_mm`` of where the foot rested just before
the squat began, the load stayed over the foot, and a block goes on the tower. With a pelvis
sensor a block also needs a level pelvis: the lifted side's drop in the repetition within
``pelvis_band_deg``. When
the tower is ``target_blocks`` high, the rocket on top launches and the round is over. Whether
the foot is up comes from the same detector (the board feed's stance), not from a threshold
of this module's own.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from .stats import RunningSway


class Phase(StrEnum):
    """Where a squat-builder round is."""

    WAITING = "waiting"
    """Single-leg round, foot not (or no longer) lifted: repetitions do not count."""
    PLAYING = "playing"
    DONE = "done"


@dataclass
class SquatConfig:
    """Difficulty of one squat-builder round.

    Attributes
    ----------
    band_mm : float
        ML COP offset from the pre-squat position, mm, that counts as "over the foot".
    min_inside : float
        Share of the repetition's samples within the band for a controlled repetition.
    target_blocks : int
        Controlled repetitions that build the tower and launch the rocket.
    max_reps : int
        The round also ends after this many repetitions of any kind.
    min_rep_s : float
        A repetition quicker than this, s, is a bob, not a controlled squat.
    single_leg : bool
        True: squats on one leg (the other foot lifted). False (easy mode): both feet down.
    """

    band_mm: float = 15.0
    min_inside: float = 0.7
    target_blocks: int = 8
    max_reps: int = 16
    min_rep_s: float = 1.0
    single_leg: bool = True
    pelvis_band_deg: float = 4.0
    """With a pelvis sensor: the largest drop of the lifted side in a repetition, degrees, that
    still counts as a level pelvis (a game setting, not a clinical cut-off; the simulated
    healthy side peaks near 2-3 degrees, a weak hip near 14)."""

    @classmethod
    def easy(cls) -> SquatConfig:
        """Older adults: mini squats on both feet, a wide band and a short tower."""
        return cls(
            band_mm=20.0,
            min_inside=0.6,
            target_blocks=5,
            max_reps=12,
            min_rep_s=0.8,
            single_leg=False,
            pelvis_band_deg=6.0,
        )


@dataclass
class Block:
    """One repetition's block: whether it counted, how far the COP strayed (mm) and for how
    much of the repetition it stayed in the band (0..1)."""

    controlled: bool
    max_offset_mm: float
    duration_s: float
    inside: float = 0.0
    too_quick: bool = False
    peak_pelvic_drop_deg: float = math.nan


HISTORY_S = 20.0


class SquatBuilder:
    """One round of squats.

    Parameters
    ----------
    stance_side : {"left", "right", "both"}
        The leg squatted on ("both" for easy mode).
    config : SquatConfig
    """

    def __init__(self, stance_side: str, config: SquatConfig | None = None) -> None:
        if stance_side not in ("left", "right", "both"):
            raise ValueError(f"stance side {stance_side!r}: use 'left', 'right' or 'both'")
        self.stance_side = stance_side
        self.config = config or SquatConfig()
        self.phase = (
            Phase.WAITING if self.config.single_leg and stance_side != "both" else Phase.PLAYING
        )
        self.reference_mm = math.nan
        self.offset_mm = 0.0
        self.blocks: list[Block] = []
        self.reps = 0
        self.points = 0.0
        self.sway = RunningSway()
        self._history: deque[tuple[float, float]] = deque()
        self._pelvis: deque[tuple[float, float]] = deque()
        self.with_pelvis = False
        """True once fed by :meth:`pelvis`: a repetition also needs a level pelvis."""
        self._down_t: float | None = None  # when the lifted foot came down (single-leg)

    def pelvis(self, t_s: float, drop_deg: float) -> None:
        """Feed the pelvis sensor's drop of the lifted side (degrees) at ``t_s`` (s)."""
        self.with_pelvis = True
        if math.isfinite(drop_deg):
            self._pelvis.append((t_s, drop_deg))
        while self._pelvis and self._pelvis[0][0] < t_s - HISTORY_S:
            self._pelvis.popleft()

    @property
    def built(self) -> int:
        """Controlled repetitions so far: the tower's height in blocks."""
        return sum(1 for b in self.blocks if b.controlled)

    @property
    def launched(self) -> bool:
        return self.built >= self.config.target_blocks

    @property
    def score(self) -> int:
        return int(round(self.points))

    @property
    def stars(self) -> int:
        if not self.reps:
            return 0
        ratio = self.built / self.config.target_blocks
        return 3 if ratio >= 1.0 else 2 if ratio >= 0.6 else 1 if ratio >= 0.3 else 0

    @property
    def done(self) -> bool:
        return self.phase is Phase.DONE

    def finish(self) -> None:
        self.phase = Phase.DONE

    def update(self, t_s: float, stance_cop_ml_mm: float, stance: str) -> list[str]:
        """Feed the newest smoothed stance ML COP (mm) at ``t_s`` (s) and the board's stance.

        ``stance`` is the event detector's (:attr:`games.feed.BoardFeed.stance`): the foot
        standing, or ``both``/``off``/``unknown``. Returns ``lift_off`` / ``touchdown`` events
        for the single-leg version.
        """
        events: list[str] = []
        if self.phase is Phase.DONE:
            return events
        if self.config.single_leg and self.stance_side != "both":
            up = stance == self.stance_side
            if self.phase is Phase.WAITING and up:
                self.phase = Phase.PLAYING
                self._down_t = None
                events.append("lift_off")
            elif self.phase is Phase.PLAYING and not up:
                self.phase = Phase.WAITING
                self._down_t = t_s
                events.append("touchdown")
        if not math.isfinite(stance_cop_ml_mm):
            return events
        self._history.append((t_s, stance_cop_ml_mm))
        while self._history and self._history[0][0] < t_s - HISTORY_S:
            self._history.popleft()
        if self.phase is Phase.PLAYING:
            if not math.isfinite(self.reference_mm):
                self.reference_mm = stance_cop_ml_mm
            elif not self.reps and len(self._history) >= 2:
                # Until the first squat, the resting place is still settling after the
                # lift-off: follow it (time constant 1 s). Each squat then resets it to where
                # the foot rested just before that squat.
                dt = max(0.0, t_s - self._history[-2][0])
                self.reference_mm += min(1.0, dt) * (stance_cop_ml_mm - self.reference_mm)
            self.offset_mm = stance_cop_ml_mm - self.reference_mm
            self.sway.add(self.offset_mm)
        return events

    def _median_between(self, t0: float, t1: float) -> float:
        vals = sorted(v for t, v in self._history if t0 <= t <= t1)
        return vals[len(vals) // 2] if vals else math.nan

    def rep(self, start_s: float, bottom_s: float, end_s: float) -> list[str]:
        """Judge one repetition reported by the event detector; returns ``block`` or
        ``wobbly`` (or ``quick``), plus ``launch`` and ``done`` when the tower is complete."""
        # The detector confirms a repetition up to ~0.4 s after it ends; one completed on the
        # leg before the foot came down still counts, however soon the foot came down.
        finished_before_down = self._down_t is not None and end_s <= self._down_t
        if self.phase is not Phase.PLAYING and not (
            self.phase is Phase.WAITING and finished_before_down
        ):
            return []
        c = self.config
        ref = self._median_between(start_s - 1.0, start_s)
        if not math.isfinite(ref):
            ref = self.reference_mm
        during = [abs(v - ref) for t, v in self._history if start_s <= t <= end_s]
        max_off = max(during, default=math.nan)
        inside = (
            sum(1 for d in during if d <= c.band_mm) / len(during)
            if during and math.isfinite(ref)
            else 0.0
        )
        duration = end_s - start_s
        too_quick = duration < c.min_rep_s
        controlled = inside >= c.min_inside and not too_quick
        peak = math.nan
        hips_dropped = False
        if self.with_pelvis:
            drops = [d for t, d in self._pelvis if start_s <= t <= end_s]
            # No angle for the repetition (clipped, cable out): judged on the load alone.
            peak = max(drops) if drops else math.nan
            hips_dropped = math.isfinite(peak) and peak > c.pelvis_band_deg
            controlled = controlled and not hips_dropped
        self.blocks.append(Block(controlled, max_off, duration, inside, too_quick, peak))
        self.reps += 1
        if math.isfinite(ref):
            self.reference_mm = ref
        events = [
            "block"
            if controlled
            else "quick"
            if too_quick
            else "hips"
            if hips_dropped and inside >= c.min_inside
            else "wobbly"
        ]
        if controlled:
            # Steadier squats earn a bonus on top of the block itself.
            self.points += 10 + 10 * (inside - c.min_inside) / (1 - c.min_inside)
        if self.launched:
            events.append("launch")
        if self.launched or self.reps >= c.max_reps:
            self.phase = Phase.DONE
            events.append("done")
        return events

    def details(self) -> dict[str, float | int | str | None]:
        offs = [b.max_offset_mm for b in self.blocks if math.isfinite(b.max_offset_mm)]
        inside = [b.inside for b in self.blocks]
        rms = self.sway.rms_mm
        return {
            "stance_side": self.stance_side,
            "reps": self.reps,
            "controlled": self.built,
            "band_mm": self.config.band_mm,
            "mean_rep_offset_mm": round(sum(offs) / len(offs), 2) if offs else None,
            "mean_inside": round(sum(inside) / len(inside), 3) if inside else None,
            "ml_rms_mm": None if not math.isfinite(rms) else round(rms, 2),
            "stars": self.stars,
            **(
                {
                    "measured_by": "pelvis sensor and board",
                    "pelvis_band_deg": self.config.pelvis_band_deg,
                    "mean_peak_pelvic_drop_deg": round(sum(peaks) / len(peaks), 2)
                    if (
                        peaks := [
                            b.peak_pelvic_drop_deg
                            for b in self.blocks
                            if math.isfinite(b.peak_pelvic_drop_deg)
                        ]
                    )
                    else None,
                }
                if self.with_pelvis
                else {}
            ),
        }
