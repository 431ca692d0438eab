"""Squat repetitions from the vertical force (definitions in the package docstring)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import STANDARD_GRAVITY
from .base import (
    EPS_S,
    EventSettings,
    _first_at_or_after,
    _next_true,
    _runs,
    _Tail,
    _trailing_means,
    _trailing_medians,
)


class SquatDetector:
    """Squat repetitions from the vertical force (see the module docstring)."""

    IDLE, DIP1, RISE, DIP2, TOP = "idle", "dip1", "rise", "dip2", "top"

    def __init__(self, settings: EventSettings, fs_hz: float) -> None:
        self.settings = settings
        self.fs_hz = float(fs_hz)
        self.width = max(1, int(round(settings.squat_smooth_s * fs_hz)))
        self.median_width = max(1, int(round(settings.squat_despike_s * fs_hz)) | 1)  # odd
        self.lag = int(round((self.width - 1) / 2 + (self.median_width - 1) / 2))
        keep = int(math.ceil((settings.squat_max_s + settings.squat_top_wait_s + 1.0) * fs_hz))
        # ``feet``: 1 · left foot down + 2 · right foot down, one series for both feet.
        self._tail = _Tail(("t", "d", "m", "feet"), keep + self.width + self.median_width)
        self.reset()

    @staticmethod
    def latency_s(settings: EventSettings, fs_hz: float) -> float:
        """Longest wait from a repetition's end to the frame that reports it, s.

        The smoothing delays the force by ``lag`` frames, and a repetition followed by a
        pause is closed only after ``squat_top_wait_s`` without a next one. A consumer that
        closes a set when the lifted foot comes down waits this long after the touchdown so
        that a repetition completed just before it is counted in the set.
        """
        width = max(1, int(round(settings.squat_smooth_s * fs_hz)))
        median = max(1, int(round(settings.squat_despike_s * fs_hz)) | 1)
        lag = int(round((width - 1) / 2 + (median - 1) / 2))
        return settings.squat_top_wait_s + (lag + 2) / fs_hz

    def reset(self) -> None:
        self.state = self.IDLE
        self._tail.clear()
        self._after_quiet: float | None = None  # first frame after the latest quiet frame
        self._quiet_at_end = False
        self._start = math.nan
        self._dip_min = math.inf
        self._dip_min_t = math.nan
        self._top_end = math.nan
        self._top_seen = math.nan
        self._feet = False

    def feed(
        self,
        t: np.ndarray,
        d: np.ndarray,
        left_on: np.ndarray | None = None,
        right_on: np.ndarray | None = None,
    ) -> list[tuple[int, dict[str, Any]]]:
        """Repetitions completed in this block as ``(known_index, rep)``.

        Parameters
        ----------
        t : ndarray, shape (n,)
            Frame times, s.
        d : ndarray, shape (n,)
            Vertical force relative to body weight, ``total / BW − 1`` (dimensionless).
        left_on, right_on : ndarray of bool, shape (n,), optional
            The foot's load is above ``lift_fraction`` × body weight. With both, each
            repetition carries ``rep_stance`` (``left``, ``right``: the foot stood on from its
            start to its end; ``both``) and one done partly on one leg and partly on two is
            not reported (see :func:`rep_stance`). Without them every foot counts as down.
        """
        s = self.settings
        n = t.shape[0]
        if n == 0:
            return []
        off = len(self._tail)
        if left_on is not None and right_on is not None:
            feet = True
            code = np.add(left_on, 2.0 * np.asarray(right_on), dtype=float)
        else:
            feet, code = False, np.full(n, 3.0)
        joined = self._tail.joined({"t": t, "d": d, "m": np.zeros(n), "feet": code})
        self._feet = feet
        joined["m"][off:] = _trailing_medians(joined["d"], self.median_width, off)
        ds = _trailing_means(joined["m"], self.width, off)
        # The median and the average delay the force by ``lag`` frames; events found in the
        # smoothed force are dated that much earlier, on the frames' own times.
        src = off + np.arange(n) - self.lag
        tl = np.where(src >= 0, joined["t"][np.maximum(src, 0)], t - self.lag / self.fs_hz)
        th, q = s.squat_force_fraction, s.squat_quiet_fraction
        with np.errstate(invalid="ignore"):
            below = ds < -th
            above = ds > th
            quiet = np.abs(ds) <= q
            rested = ds >= -q
        quiet_idx = np.flatnonzero(quiet)
        out: list[tuple[int, dict[str, Any]]] = []
        pos = 0
        while pos < n:
            if self.state == self.IDLE:
                i = _next_true(below, pos)
                if i is None:
                    break
                j = int(np.searchsorted(quiet_idx, i)) - 1
                if j >= 0:
                    start = float(tl[quiet_idx[j] + 1])
                elif self._quiet_at_end:
                    start = float(tl[0])
                elif self._after_quiet is not None:
                    start = self._after_quiet
                else:
                    start = float(tl[i])
                if tl[i] - start > s.squat_max_s / 2:  # never at rest: date it from the dip
                    start = float(tl[i])
                self._start = start
                self.state = self.DIP1
                pos = i
                continue
            deadline = _first_at_or_after(t, pos, n, self._start + s.squat_max_s + EPS_S * 2)
            if self.state == self.DIP1:
                i = _next_true(above, pos, deadline)
                if i is None:
                    pos = self._abandon(deadline, n)
                    continue
                self.state, pos = self.RISE, i
            elif self.state == self.RISE:
                i = _next_true(below, pos, deadline)
                if i is None:
                    pos = self._abandon(deadline, n)
                    continue
                self.state, pos = self.DIP2, i
                self._dip_min, self._dip_min_t = math.inf, math.nan
            elif self.state == self.DIP2:
                i = _next_true(rested, pos, deadline)
                stop = i if i is not None else deadline
                if stop > pos:
                    k = pos + int(np.argmin(ds[pos:stop]))
                    if ds[k] < self._dip_min:
                        self._dip_min, self._dip_min_t = float(ds[k]), float(tl[k])
                if i is None:
                    pos = self._abandon(deadline, n)
                    continue
                self.state, pos = self.TOP, i
                self._top_end = float(tl[i])
                self._top_seen = float(t[i])
            else:  # TOP: does the next repetition follow straight on?
                limit = _first_at_or_after(t, pos, n, self._top_seen + s.squat_top_wait_s)
                i = _next_true(above | below, pos, limit)
                if i is None and limit >= n:
                    break
                if i is not None and above[i]:
                    end = self._dip_min_t
                    rep = self._finish(joined, end, off + i)
                    if rep:
                        out.append((i, rep))
                    self._start = end
                    self.state, pos = self.RISE, i
                else:
                    k = i if i is not None else limit
                    rep = self._finish(joined, self._top_end, off + min(k, n - 1))
                    if rep:
                        out.append((k, rep))
                    self.state, pos = self.IDLE, k
        if quiet_idx.size:
            last = int(quiet_idx[-1])
            self._quiet_at_end = last == n - 1
            self._after_quiet = None if self._quiet_at_end else float(tl[last + 1])
        elif self._quiet_at_end:
            self._quiet_at_end = False
            self._after_quiet = float(tl[0])
        self._tail.keep_from(joined)
        return out

    def _abandon(self, deadline: int, n: int) -> int:
        if deadline < n:
            self.state = self.IDLE
            return deadline
        return n

    def _finish(self, joined: dict[str, np.ndarray], end: float, now: int) -> dict[str, Any] | None:
        """The repetition from ``self._start`` to ``end``, decided at joined frame ``now``."""
        s = self.settings
        start = self._start
        if not (s.squat_min_s - EPS_S <= end - start <= s.squat_max_s + EPS_S):
            return None
        tt, mm = joined["t"], joined["m"]
        # Only frames within a brush's length of the repetition can change its stance (a
        # longer touch is decided inside that margin), and only frames seen by ``now``.
        lo = int(np.searchsorted(tt, start - s.brush_s - 2 * EPS_S, side="left"))
        hi = min(now + 1, int(np.searchsorted(tt, end + s.brush_s + 2 * EPS_S, side="right")))
        code = joined["feet"][lo:hi]
        stance = rep_stance(tt[lo:hi], code % 2.0 == 1.0, code >= 2.0, start, end, s.brush_s)
        if stance is None:
            return None
        # The running median trails by half its width; read it centred on each frame.
        half = (self.median_width - 1) // 2
        idx = np.flatnonzero((tt >= start - EPS_S) & (tt <= end + EPS_S))
        idx = idx[idx + half < tt.shape[0]]
        dd = mm[idx + half]
        ok = np.isfinite(dd)
        bottom, depth_mm = com_bottom(tt[idx][ok], dd[ok])
        if not depth_mm >= s.squat_min_depth_mm:
            return None
        rep: dict[str, Any] = {"start_s": start, "bottom_s": bottom, "end_s": end}
        rep["depth_mm"] = depth_mm
        if self._feet:
            rep["rep_stance"] = stance
        return rep


def rep_stance(
    t: np.ndarray,
    left_on: np.ndarray,
    right_on: np.ndarray,
    start_s: float,
    end_s: float,
    brush_s: float,
) -> str | None:
    """The stance a repetition from ``start_s`` to ``end_s`` was done in, or None.

    ``left`` (``right``): the right (left) foot was off the board at every frame of the
    repetition, apart from touches shorter than ``brush_s`` (brushes); the foot's lift-off
    and touchdown are dated at their crossings, so such a repetition lies between them.
    ``both``: both feet down at every frame. None: anything else — the lifted foot came down
    (or went up) during the repetition, so it was done neither on one leg nor on two.

    A repetition completed just before the foot comes down is on one leg however soon the
    foot lands after it; one whose ascent the landing interrupts is not a single-leg
    repetition.

    Parameters
    ----------
    t : ndarray, shape (n,)
        Frame times, s (every frame known so far: touches are measured to their full length
        where it is known).
    left_on, right_on : ndarray of bool, shape (n,)
        The foot carries more than the lift-off threshold.
    start_s, end_s : float
        The repetition, s.
    brush_s : float
        Touches of the lifted foot shorter than this do not end single-leg stance, s.
    """
    inside = (t >= start_s - EPS_S) & (t <= end_s + EPS_S)
    if not np.any(inside):
        return None
    if np.all(left_on[inside]) and np.all(right_on[inside]):
        return "both"
    for stance, lifted in (("left", right_on), ("right", left_on)):
        own = left_on if stance == "left" else right_on
        if not np.any(own[inside]):
            continue
        if _off_throughout(t, lifted, inside, brush_s):
            return stance
    return None


def _off_throughout(t: np.ndarray, on: np.ndarray, inside: np.ndarray, brush_s: float) -> bool:
    """No run of ``on`` that overlaps ``inside`` lasts ``brush_s`` or more."""
    starts, stops = _runs(on)
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        if not on[a] or not np.any(inside[a:b]):
            continue
        if t[b - 1] - t[a] >= brush_s - EPS_S:
            return False
    return True


def com_bottom(t_s: np.ndarray, d: np.ndarray) -> tuple[float, float]:
    """Lowest point of the centre of mass over a movement that starts and ends at rest.

    The vertical acceleration is ``a = g (d − d̄)``, with ``d = F / BW − 1`` and ``d̄`` its
    time average over the movement (a movement from rest to rest has zero net impulse, so
    this removes any error in BW). Velocity and position follow by trapezoidal integration.

    Parameters
    ----------
    t_s : ndarray, shape (n,)
        Times, s.
    d : ndarray, shape (n,)
        Vertical force relative to body weight, minus one.

    Returns
    -------
    bottom_s : float
        Time of the lowest point, s.
    depth_mm : float
        How far below the start it is, mm (≥ 0).
    """
    t = np.asarray(t_s, dtype=float)
    x = np.asarray(d, dtype=float)
    if t.size < 3 or not t[-1] > t[0]:
        return (float(t[0]) if t.size else math.nan), 0.0
    dt = np.diff(t)
    mean = float(np.sum(0.5 * (x[1:] + x[:-1]) * dt) / (t[-1] - t[0]))
    a = STANDARD_GRAVITY * (x - mean)
    v = np.concatenate(([0.0], np.cumsum(0.5 * (a[1:] + a[:-1]) * dt)))
    y = np.concatenate(([0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * dt)))
    k = int(np.argmin(y))
    return float(t[k]), max(0.0, -float(y[k]) * 1000.0)
