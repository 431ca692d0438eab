"""Foot contact, body weight and foot shifts: the per-foot detectors.

Definitions are in the package docstring (:mod:`balance_trainer.events`).
"""

from __future__ import annotations

import math

import numpy as np

from .base import EPS_S, Event, EventSettings, _first_at_or_after, _RunTracker, _trailing_means


class Debouncer:
    """A yes/no state that changes only when the new value has lasted long enough.

    Parameters
    ----------
    on_s, off_s : float
        How long a run of True (False) must last before the state turns True (False), s.
    state : bool
        The state to start in.
    """

    def __init__(self, on_s: float, off_s: float, state: bool) -> None:
        self.on_s = float(on_s)
        self.off_s = float(off_s)
        self.state = bool(state)
        self._runs = _RunTracker()

    def clone(self) -> Debouncer:
        """An independent copy in the same state."""
        twin = Debouncer(self.on_s, self.off_s, self.state)
        twin._runs.value, twin._runs.start_t, twin._runs.last_t = (
            self._runs.value,
            self._runs.start_t,
            self._runs.last_t,
        )
        return twin

    def feed(self, t: np.ndarray, x: np.ndarray) -> list[tuple[int, float, bool]]:
        """Changes of state in this block: ``(known_index, crossing_t_s, new_state)``."""
        out: list[tuple[int, float, bool]] = []
        for v, r0, lo, hi, _ in self._runs.iterate(t, x):
            if v == self.state:
                continue
            k = _first_at_or_after(t, lo, hi, r0 + (self.on_s if v else self.off_s))
            if k < hi:
                self.state = bool(v)
                out.append((k, r0, bool(v)))
        return out


class FootContact:
    """Whether one foot is down, from that side's load: the lift-off and brush rules.

    States: ``down``; ``lifting`` (below threshold, waiting out ``lift_hold_s``); ``up``.
    """

    DOWN, LIFTING, UP = "down", "lifting", "up"

    def __init__(self, side: str, settings: EventSettings, *, down: bool = True) -> None:
        self.side = side
        self.settings = settings
        self.reset(down)

    def reset(self, down: bool) -> None:
        self.state = self.DOWN if down else self.UP
        self._lift_t = math.nan
        self._touch_t: float | None = None  # start of an unresolved touch while up
        self._touch_last_t = math.nan
        self._runs = _RunTracker()

    @property
    def is_down(self) -> bool:
        """True unless a lift-off has been confirmed (``lifting`` still counts as down)."""
        return self.state != self.UP

    def feed(self, t: np.ndarray, above: np.ndarray) -> list[tuple[int, Event]]:
        """Lift-offs, touchdowns and brushes in this block as ``(known_index, event)``.

        Parameters
        ----------
        t : ndarray, shape (n,)
            Frame times, s.
        above : ndarray of bool, shape (n,)
            The foot's load is above ``lift_fraction`` × body weight.
        """
        s = self.settings
        out: list[tuple[int, Event]] = []
        for v, r0, lo, hi, prev_t in self._runs.iterate(t, above):
            if self.state == self.DOWN:
                if not v:  # a drop below threshold: maybe a lift-off
                    self.state = self.LIFTING
                    self._lift_t = r0
                    self._confirm_lift(t, lo, hi, out)
            elif self.state == self.LIFTING:
                if v:
                    k = _first_at_or_after(t, lo, hi, r0 + s.brush_s)
                    if k < hi:  # a real contact: the foot never left
                        self.state = self.DOWN
                else:  # still below (any touch in between was a brush)
                    self._confirm_lift(t, lo, hi, out)
            else:  # UP
                if v:
                    k = _first_at_or_after(t, lo, hi, r0 + s.brush_s)
                    if k < hi:
                        self.state = self.DOWN
                        self._touch_t = None
                        out.append((k, Event("touchdown", r0, float(t[k]), self.side)))
                    else:
                        self._touch_t = r0
                        self._touch_last_t = float(t[hi - 1])
                elif self._touch_t is not None:
                    dur = (prev_t if math.isfinite(prev_t) else self._touch_last_t) - self._touch_t
                    out.append(
                        (
                            lo,
                            Event(
                                "brush",
                                self._touch_t,
                                float(t[lo]),
                                self.side,
                                {"duration_s": max(0.0, dur)},
                            ),
                        )
                    )
                    self._touch_t = None
        return out

    def _confirm_lift(self, t: np.ndarray, lo: int, hi: int, out: list[tuple[int, Event]]) -> None:
        k = _first_at_or_after(t, lo, hi, self._lift_t + self.settings.lift_hold_s)
        if k < hi:
            self.state = self.UP
            out.append((k, Event("lift_off", self._lift_t, float(t[k]), self.side)))


class BodyWeightEstimator:
    """Body weight from standing still on both feet (median total load, see module docs)."""

    def __init__(self, settings: EventSettings) -> None:
        self.settings = settings
        self._runs = _RunTracker()
        self._t: list[np.ndarray] = []
        self._w: list[np.ndarray] = []

    def reset(self) -> None:
        self._runs.reset()
        self._t.clear()
        self._w.clear()

    def feed(
        self, t: np.ndarray, total: np.ndarray, left_share: np.ndarray
    ) -> tuple[int, float] | None:
        """``(index, body_weight_n)`` of the frame at which body weight became known, or None."""
        s = self.settings
        with np.errstate(invalid="ignore"):
            both = (
                (total >= s.on_board_n)
                & (left_share >= s.bipedal_min_share)
                & (left_share <= 1.0 - s.bipedal_min_share)
            )
        for v, r0, lo, hi, _ in self._runs.iterate(t, both):
            if not v:
                self._t.clear()
                self._w.clear()
                continue
            open_t = r0 + s.baseline_settle_s
            close_t = open_t + s.baseline_s
            a = _first_at_or_after(t, lo, hi, open_t)
            k = _first_at_or_after(t, lo, hi, close_t)
            if k < hi:
                self._t.append(t[a : k + 1])
                self._w.append(total[a : k + 1])
                bw = float(np.median(np.concatenate(self._w)))
                self.reset()
                return k, bw
            self._t.append(t[a:hi])
            self._w.append(total[a:hi])
        return None


class _FootShift:
    """The foot-shift test for one stretch of single-leg stance."""

    def __init__(self, settings: EventSettings, fs_hz: float) -> None:
        self.settings = settings
        self.width = max(1, int(round(settings.foot_shift_window_s * fs_hz)))
        self.lag = max(1, int(round(settings.foot_shift_lag_s * fs_hz)))
        self.trial_t0 = math.nan
        self.debounce = Debouncer(settings.foot_shift_hold_s, 0.0, False)

    def restart(self, t0: float) -> None:
        self.trial_t0 = t0
        self.debounce = Debouncer(self.settings.foot_shift_hold_s, 0.0, False)

    def feed(
        self,
        t: np.ndarray,
        x: np.ndarray,
        loaded: np.ndarray,
        first: int,
        stop: int,
        side: str,
        base: int,
    ) -> list[tuple[int, Event]]:
        """Foot shifts among frames ``first:stop`` of the look-back series ``t``, ``x``.

        ``loaded`` (0/1 per frame) marks frames where the lifted foot carries too much for the
        test. ``base`` is the index in ``t`` of the block's first frame; known indices are
        returned relative to the block.
        """
        s = self.settings
        if stop <= first:
            return []
        lo = max(0, first - self.lag)
        means = _trailing_means(x[:stop], self.width, lo)
        idx = np.arange(first, stop)
        now = means[idx - lo]
        earlier = np.full(idx.size, np.nan)
        ok = idx - self.lag >= lo
        earlier[ok] = means[idx[ok] - self.lag - lo]
        oldest = idx - self.lag - self.width + 1
        valid = oldest >= 0
        valid[valid] = t[oldest[valid]] >= self.trial_t0 + s.foot_shift_settle_s - EPS_S
        # Frames in both windows where the lifted foot carried weight: counting 0/1 flags
        # with a cumulative sum is exact, so this stays identical however blocks are cut.
        span = self.lag + self.width
        counts = np.concatenate(([0.0], np.cumsum(loaded[:stop])))
        lo_idx = np.maximum(idx - span + 1, 0)
        valid &= (counts[idx + 1] - counts[lo_idx]) == 0.0
        with np.errstate(invalid="ignore"):
            jump = valid & (np.abs(now - earlier) > s.foot_shift_mm)
        out = []
        for k, cross, state in self.debounce.feed(t[first:stop], jump):
            if state:
                kk = first + k
                out.append((kk - base, Event("foot_shift", cross, float(t[kk]), side)))
        return out
