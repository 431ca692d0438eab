"""Spirit level: hold the bubble in the middle while standing on one leg.

The bubble follows the medio-lateral centre of pressure under the stance foot, measured from
where that foot settled in the second second on one leg (nobody stands exactly over the middle
of the plate). Time with the bubble inside the centre band fills the score bar.

A slow shift of the COP toward the lifted side (the load leaving the middle of the standing
foot; a scale cannot tell whether the pelvis dropped, and a trunk lean moves the COP the other
way) is averaged over a few seconds (so ordinary sway does not count), shown as a tilt, and
gently penalised: the bar fills more slowly while it lasts. The lifted foot touching
down pauses the game until it is lifted again; nothing is lost.

With a pelvis sensor (:meth:`SpiritLevel.update_pelvis`) the tube is a spirit level on the
pelvis itself: the bubble sits toward the higher side of the pelvis by the measured obliquity,
a level pelvis (within ``band_deg``) fills the bar, and a drop of the lifted side held over the
drift window is penalised. No resting position is learned there: level is the zeroed sensor.

Whether the foot is up is not decided here: the board feed's one
:class:`~balance_trainer.events.EventDetector` says so (its stance), with the same lift-off and
touchdown definitions the clinical tests use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from balance_trainer.pelvis import drop_series

from .stats import RunningSway


class Phase(StrEnum):
    """Where a spirit-level round is."""

    WAITING = "waiting"
    """On both feet (or off the board): waiting for the first lift-off."""
    SETTLING = "settling"
    """On one leg, learning where the stance foot rests."""
    PLAYING = "playing"
    """On one leg with a reference: the bubble moves and the bar fills."""
    FOOT_DOWN = "foot_down"
    """The lifted foot touched down while playing: paused until it lifts again."""
    DONE = "done"


STAR_FILLS = (0.33, 0.66, 1.0)
"""Bar fill at which the first, second and third star is won (the view draws them there)."""


@dataclass
class SpiritLevelConfig:
    """Difficulty of one spirit-level round.

    Attributes
    ----------
    band_mm : float
        Half-width of the centre band, mm of stance-foot ML COP.
    full_scale_mm : float
        Offset, mm, that puts the bubble at the end of the tube.
    fill_s : float
        Seconds in the band that fill the score bar.
    duration_s : float or None
        Round length, s, counted while on one leg; None for no time limit (easy mode ends
        when the bar is full or the person stops).
    drift_mm : float
        Mean offset toward the lifted side, mm, over ``drift_window_s`` that counts as drift.
    drift_window_s : float
        Averaging window for the drift, s.
    drift_penalty : float
        Fill-rate factor while drifting (1 = no penalty).
    steady_s : float
        Time on one leg, s, ignored before learning: the weight comes across and the stance
        foot's COP swings medially and back in the first second after lift-off.
    settle_s : float
        Time on one leg after ``steady_s``, s, over which the foot's resting position is learned.
    """

    band_mm: float = 10.0
    full_scale_mm: float = 40.0
    fill_s: float = 20.0
    duration_s: float | None = 45.0
    drift_mm: float = 6.0
    drift_window_s: float = 3.0
    drift_penalty: float = 0.5
    steady_s: float = 1.0
    settle_s: float = 1.0
    band_deg: float = 2.0
    """Pelvis mode: half-width of the level band, degrees of obliquity (one SEM of a clinical
    pelvic angle, Youdas et al. 2007; see :mod:`balance_trainer.pelvis`)."""
    full_scale_deg: float = 8.0
    """Pelvis mode: obliquity that puts the bubble at the end of the tube, degrees."""
    drift_deg: float = 3.0
    """Pelvis mode: mean drop of the lifted side over ``drift_window_s`` that counts as a drop."""

    @classmethod
    def easy(cls) -> SpiritLevelConfig:
        """Older adults: wider band, no clock, bar fills sooner."""
        return cls(
            band_mm=16.0,
            full_scale_mm=50.0,
            fill_s=15.0,
            duration_s=None,
            drift_mm=8.0,
            drift_penalty=0.75,
            band_deg=3.0,
            full_scale_deg=10.0,
            drift_deg=4.0,
        )


POINTS_PER_S = 10.0


class SpiritLevel:
    """One round on one leg.

    Parameters
    ----------
    stance_side : {"left", "right"}
        The leg the person stands on.
    config : SpiritLevelConfig
    """

    def __init__(self, stance_side: str, config: SpiritLevelConfig | None = None) -> None:
        if stance_side not in ("left", "right"):
            raise ValueError(f"stance side {stance_side!r}: use 'left' or 'right'")
        self.stance_side = stance_side
        self.lifted_side = "right" if stance_side == "left" else "left"
        # +1 when the lifted side is the person's right (positive ML).
        self.lifted_sign = 1.0 if self.lifted_side == "right" else -1.0
        self.config = config or SpiritLevelConfig()
        self.phase = Phase.WAITING
        self.reference_mm = math.nan
        self.offset_mm = 0.0
        self.bubble = 0.0
        self.in_band = False
        self.drift_mm = 0.0
        self.drifting = False
        self.fill = 0.0
        self.points = 0.0
        self.time_on_leg_s = 0.0
        self.time_in_band_s = 0.0
        self.touchdowns = 0
        self.sway = RunningSway()
        self._settle: list[float] = []
        self._t_prev: float | None = None
        self._drift_avg = 0.0
        self.pelvis = False
        """True once fed by :meth:`update_pelvis`: the round is on the pelvis sensor."""
        self.obliquity_deg = math.nan
        self.drop_deg = 0.0
        self._drop_sum = 0.0
        self._drop_n = 0

    # -- state read by the view -------------------------------------------------------------
    @property
    def score(self) -> int:
        return int(round(self.points))

    @property
    def stars(self) -> int:
        """0-3 stars for how full the bar got (:data:`STAR_FILLS`)."""
        return sum(1 for f in STAR_FILLS if self.fill >= f)

    @property
    def remaining_s(self) -> float | None:
        d = self.config.duration_s
        return None if d is None else max(0.0, d - self.time_on_leg_s)

    @property
    def done(self) -> bool:
        return self.phase is Phase.DONE

    def finish(self) -> None:
        """End the round now (the person asked to stop)."""
        self.phase = Phase.DONE

    # -- the rules ---------------------------------------------------------------------------
    def update(self, t_s: float, stance_cop_ml_mm: float, stance: str) -> list[str]:
        """Advance to ``t_s`` with the newest smoothed stance-foot ML COP and the board's stance.

        Parameters
        ----------
        t_s : float
            Time, s.
        stance_cop_ml_mm : float
            ML COP under the stance foot, mm (NaN when unknown).
        stance : str
            The event detector's stance (:attr:`games.feed.BoardFeed.stance`): the foot
            standing (``left``/``right``), or ``both``, ``off``, ``unknown``. The foot is up
            when this is the round's stance side.

        Returns
        -------
        list of str
            Events: ``lift_off``, ``touchdown``, ``enter_band``, ``leave_band``,
            ``drift_start``, ``drift_end``, ``star``, ``done``.
        """
        c = self.config
        dt = 0.0 if self._t_prev is None else max(0.0, t_s - self._t_prev)
        self._t_prev = t_s
        if self.phase is Phase.DONE:
            return []
        events: list[str] = []
        foot_up = stance == self.stance_side
        if self.phase is Phase.WAITING:
            if foot_up:
                self.phase = Phase.SETTLING
                self._settle = []
                events.append("lift_off")
            return events
        if self.phase is Phase.FOOT_DOWN:
            if foot_up:
                self.phase = Phase.PLAYING
                events.append("lift_off")
            return events
        if not foot_up:
            self.phase = Phase.FOOT_DOWN if self.phase is Phase.PLAYING else Phase.WAITING
            self.touchdowns += 1
            events.append("touchdown")
            if self.in_band:
                self.in_band = False
            return events
        self.time_on_leg_s += dt
        if not math.isfinite(stance_cop_ml_mm):
            return events
        if self.pelvis:
            return self._play_pelvis(stance_cop_ml_mm, dt, events)
        if self.phase is Phase.SETTLING:
            if self.time_on_leg_s >= c.steady_s:
                self._settle.append(stance_cop_ml_mm)
            if self.time_on_leg_s >= c.steady_s + c.settle_s and self._settle:
                self.reference_mm = sorted(self._settle)[len(self._settle) // 2]
                self.phase = Phase.PLAYING
                self._drift_avg = 0.0
            return events
        # playing
        off = stance_cop_ml_mm - self.reference_mm
        self.offset_mm = off
        self.sway.add(off)
        self.bubble = max(-1.0, min(1.0, off / c.full_scale_mm))
        if dt > 0:
            a = min(1.0, dt / c.drift_window_s)
            self._drift_avg += a * (off - self._drift_avg)
        self.drift_mm = self._drift_avg * self.lifted_sign
        was_drifting = self.drifting
        # Hysteresis: drift ends at 60 % of its threshold, so it does not flicker.
        self.drifting = self.drift_mm > (0.6 * c.drift_mm if was_drifting else c.drift_mm)
        if self.drifting != was_drifting:
            events.append("drift_start" if self.drifting else "drift_end")
        return self._score(abs(off) <= c.band_mm, dt, events)

    def update_pelvis(self, t_s: float, obliquity_deg: float, stance: str) -> list[str]:
        """Advance with the pelvis sensor's obliquity (degrees, positive = the left side lower)
        instead of the load under the foot; same events as :meth:`update`."""
        self.pelvis = True
        return self.update(t_s, obliquity_deg, stance)

    def _play_pelvis(self, obliquity_deg: float, dt: float, events: list[str]) -> list[str]:
        c = self.config
        if self.phase is Phase.SETTLING:
            if self.time_on_leg_s < c.steady_s:  # the weight coming across is not the game
                return events
            self.phase = Phase.PLAYING
            self._drift_avg = 0.0
        self.obliquity_deg = obliquity_deg
        # A real spirit level: the bubble sits toward the higher side (positive = right).
        self.bubble = max(-1.0, min(1.0, obliquity_deg / c.full_scale_deg))
        drop = float(drop_series(obliquity_deg, self.lifted_side))
        self.drop_deg = drop
        self._drop_sum += drop
        self._drop_n += 1
        self.sway.add(obliquity_deg)
        if dt > 0:
            a = min(1.0, dt / c.drift_window_s)
            self._drift_avg += a * (drop - self._drift_avg)
        was_drifting = self.drifting
        self.drifting = self._drift_avg > (0.6 * c.drift_deg if was_drifting else c.drift_deg)
        if self.drifting != was_drifting:
            events.append("drift_start" if self.drifting else "drift_end")
        return self._score(abs(obliquity_deg) <= c.band_deg, dt, events)

    @property
    def mean_drop_deg(self) -> float:
        """Mean drop of the lifted side over the round's play (pelvis mode), degrees."""
        return self._drop_sum / self._drop_n if self._drop_n else math.nan

    def _score(self, inside: bool, dt: float, events: list[str]) -> list[str]:
        c = self.config
        if inside != self.in_band:
            events.append("enter_band" if inside else "leave_band")
        self.in_band = inside
        if inside:
            rate = c.drift_penalty if self.drifting else 1.0
            stars_before = self.stars
            self.time_in_band_s += dt
            self.fill = min(1.0, self.fill + rate * dt / c.fill_s)
            self.points += rate * POINTS_PER_S * dt
            if self.stars > stars_before:
                events.append("star")
        if self.fill >= 1.0 or (c.duration_s is not None and self.time_on_leg_s >= c.duration_s):
            self.phase = Phase.DONE
            events.append("done")
        return events

    def details(self) -> dict[str, float | int | str | None]:
        """What is stored with the score."""
        if self.pelvis:
            return {
                "stance_side": self.stance_side,
                "measured_by": "pelvis sensor",
                "time_on_leg_s": round(self.time_on_leg_s, 2),
                "time_level_s": round(self.time_in_band_s, 2),
                "fill": round(self.fill, 3),
                "band_deg": self.config.band_deg,
                "obliquity_rms_deg": _round(self.sway.rms_mm),
                "mean_drop_deg": _round(self.mean_drop_deg),
                "touchdowns": self.touchdowns,
                "stars": self.stars,
            }
        return {
            "stance_side": self.stance_side,
            "time_on_leg_s": round(self.time_on_leg_s, 2),
            "time_in_band_s": round(self.time_in_band_s, 2),
            "fill": round(self.fill, 3),
            "band_mm": self.config.band_mm,
            "ml_rms_mm": _round(self.sway.rms_mm),
            "drift_mm": round(self.drift_mm, 2),
            "touchdowns": self.touchdowns,
            "stars": self.stars,
        }


def _round(v: float, nd: int = 2) -> float | None:
    return None if not math.isfinite(v) else round(v, nd)
