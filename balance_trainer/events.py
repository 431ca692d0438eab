"""Events in the load signal: stepping on and off, lift-off, touchdown, foot shifts, squats.

The detectors here are pure and streaming. They take :class:`~balance_trainer.balance.BalanceBlock`
values in time order, blocks of any size (one frame or a whole recording), and keep what they
need between blocks. Time comes only from the frames' timestamps, so a recording replayed in
virtual time gives the events the live run gave, and how the frames were cut into blocks makes
no difference to any event.

Definitions (every threshold is a field of :class:`EventSettings`):

body weight (BW)
    The median total load over ``baseline_s`` of standing on both feet (each foot carrying at
    least ``bipedal_min_share`` of the total), after ``baseline_settle_s`` of settling. It is
    fixed from then on, and measured again after the person steps off and on.
step-off / step-on
    The total load falls below ``step_off_fraction`` × BW (20 %) / rises above it again, and
    stays so for ``step_hold_s``; dated at the crossing. Before BW is known, "on the board"
    means a total of at least ``on_board_n``.
lift-off
    One foot's load falls below ``lift_fraction`` × BW (10 %) and stays below for at least
    ``lift_hold_s`` (0.5 s) while the other foot stays down; dated at the crossing (the first
    frame below). A touch shorter than ``brush_s`` during that half second does not restart it.
touchdown
    The lifted foot's load rises above ``lift_fraction`` × BW and stays above for at least
    ``brush_s`` (50 ms); dated at the crossing. A shorter touch is a **brush**: reported, but
    the foot counts as still lifted.
foot shift
    While on one foot: the stance foot's own ML centre of pressure (the net ML COP on boards
    that cannot resolve one foot), averaged over ``foot_shift_window_s``, differs by more than
    ``foot_shift_mm`` from the same average ``foot_shift_lag_s`` earlier, for at least
    ``foot_shift_hold_s``. Normal sway moves the average slowly; a foot sliding or pivoting to
    a new place moves it by tens of millimetres within a fraction of a second. Only windows
    that start ``foot_shift_settle_s`` or more after the lift-off count, so the weight shift
    onto the stance foot is not taken for a foot shift, and only while the lifted foot carries
    less than ``foot_shift_free_fraction`` of body weight (a foot being put down lightly
    shifts the load under the other one).
squat repetition
    One descent and return of the body's centre of mass, seen in the vertical force
    ``d = total / BW − 1`` smoothed over ``squat_smooth_s``: a dip below
    −``squat_force_fraction`` (the body accelerating down), a rise above
    +``squat_force_fraction`` (braking at the bottom and pushing up), and a second dip (slowing
    at the top). Start: the first frame after the force last sat within
    ±``squat_quiet_fraction`` of BW before the first dip. End: the force back within that band
    (or, when the next repetition follows without a pause, the lowest force of the shared dip,
    where the body turns at the top). Bottom: the lowest point of the centre of mass, from
    integrating the force twice over the repetition (Newton's second law; the repetition's own
    mean force is taken as BW, since it starts and ends at rest). A repetition counts when it
    lasts ``squat_min_s`` to ``squat_max_s`` and the centre of mass went down at least
    ``squat_min_depth_mm``.

A state "lasts" *d* seconds when its first and last frames are *d* apart. Each event carries
two times: ``t_s``, when it happened (the crossing), and ``known_s``, the frame at which the
detector became sure of it (``t_s`` plus the hold the definition asks for).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import STANDARD_GRAVITY
from .balance import BalanceBlock
from .errors import ProtocolError

__all__ = [
    "EventSettings",
    "Event",
    "EventDetector",
    "FootContact",
    "Debouncer",
    "BodyWeightEstimator",
    "SquatDetector",
    "detect_events",
    "OTHER_SIDE",
]

EPS_S = 1e-9
"""Slack when comparing times: k/80 − j/80 must reach 0.5 s even when rounding says 0.4999…"""

OTHER_SIDE = {"left": "right", "right": "left"}

# Ordering of events that become known at the same frame: the board first, then the feet.
_PRIORITY = {
    "body_weight": 0,
    "step_off": 1,
    "step_on": 2,
    "touchdown": 3,
    "lift_off": 4,
    "brush": 5,
    "foot_shift": 6,
    "squat": 7,
}


@dataclass(frozen=True)
class EventSettings:
    """Every threshold of the event definitions (see the module docstring). Units in names."""

    lift_fraction: float = 0.10
    """A foot carrying less than this share of body weight is off the board."""
    lift_hold_s: float = 0.5
    """A foot must stay off this long before it counts as lifted."""
    brush_s: float = 0.05
    """A touch of the lifted foot shorter than this is a brush, not a touchdown."""
    step_off_fraction: float = 0.20
    """Total load below this share of body weight: the person has stepped off."""
    step_hold_s: float = 0.1
    """Stepping off (or on) must last this long; shorter dips are spikes or dropouts."""
    on_board_n: float = 50.0
    """Before body weight is known, a total of at least this much means someone is on."""
    bipedal_min_share: float = 0.20
    """Both feet are down when each carries at least this share of the total."""
    baseline_settle_s: float = 0.5
    """Standing on both feet this long before the body-weight window opens."""
    baseline_s: float = 1.0
    """Length of the body-weight window (median of the total load)."""
    foot_shift_mm: float = 50.0
    """A jump of the stance foot's averaged ML COP larger than this is a foot shift. Set above
    the largest jump that vigorous single-leg sway gives (about 45 mm in the simulator with a
    weak hip), because a false stop shortens a hold unfairly; a foot moved by less than about
    5 cm goes unnoticed, and the person running the test remains the judge."""
    foot_shift_window_s: float = 0.2
    """Averaging window for the foot-shift test."""
    foot_shift_lag_s: float = 0.3
    """The averaged COP is compared with itself this much earlier."""
    foot_shift_hold_s: float = 0.1
    """The jump must persist this long (one wild sample is not a foot shift)."""
    foot_shift_settle_s: float = 0.5
    """Foot-shift windows start at least this long after lift-off."""
    foot_shift_free_fraction: float = 0.03
    """Foot shifts count only while the lifted foot carries less than this share of body
    weight throughout both windows: a foot being put down lightly moves the stance foot's
    COP too, and that is the start of a touchdown, not a foot shift."""
    squat_despike_s: float = 0.06
    """Running median of the vertical force first (5 frames at 80/s): removes one- and
    two-frame spikes and dropouts, which a moving average would smear into a dip or rise."""
    squat_smooth_s: float = 0.1
    """Moving average of the vertical force for squat detection."""
    squat_force_fraction: float = 0.03
    """Dip and rise of the vertical force, as a share of body weight (0.3 m/s² of the body)."""
    squat_quiet_fraction: float = 0.01
    """Force within this share of body weight: the body is at rest."""
    squat_top_wait_s: float = 0.3
    """After the last dip, wait this long for the next repetition before closing one."""
    squat_min_s: float = 0.5
    """Shortest repetition."""
    squat_max_s: float = 8.0
    """Longest repetition; a pattern that takes longer is abandoned."""
    squat_min_depth_mm: float = 20.0
    """The centre of mass must go down at least this far."""

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not (isinstance(v, (int, float)) and math.isfinite(v)) or v < 0:
                raise ProtocolError(f"event setting {f.name} is {v!r}; it must be a number ≥ 0")
        for name in (
            "lift_fraction",
            "step_off_fraction",
            "bipedal_min_share",
            "squat_force_fraction",
        ):
            v = getattr(self, name)
            if not 0 < v < 1:
                raise ProtocolError(
                    f"event setting {name} is {v}; give a fraction between 0 "
                    "and 1 (e.g. 0.1 for 10 % of body weight)"
                )
        if self.bipedal_min_share >= 0.5:
            raise ProtocolError(
                f"event setting bipedal_min_share is {self.bipedal_min_share}; "
                "it must be below 0.5 or nobody could stand on both feet"
            )
        if self.squat_quiet_fraction >= self.squat_force_fraction:
            raise ProtocolError(
                f"event setting squat_quiet_fraction ({self.squat_quiet_fraction}) must be "
                f"below squat_force_fraction ({self.squat_force_fraction})"
            )
        for name in ("baseline_s", "foot_shift_window_s", "squat_smooth_s", "squat_max_s"):
            if getattr(self, name) <= 0:
                raise ProtocolError(f"event setting {name} must be > 0")

    def replace(self, **changes: Any) -> EventSettings:
        """A copy with some settings changed (unknown names are a :class:`ProtocolError`)."""
        known = {f.name for f in fields(self)}
        bad = sorted(set(changes) - known)
        if bad:
            raise ProtocolError(
                f"unknown event setting {bad[0]!r}; known: {', '.join(sorted(known))}"
            )
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return EventSettings(**values)


@dataclass(frozen=True)
class Event:
    """Something that happened on the board.

    Attributes
    ----------
    kind : str
        ``body_weight``, ``step_on``, ``step_off``, ``lift_off``, ``touchdown``, ``brush``,
        ``foot_shift`` or ``squat``.
    t_s : float
        When it happened (the crossing), s, in the frames' clock.
    known_s : float
        The frame at which it became certain, s (``t_s`` plus the required hold).
    side : str or None
        ``lift_off``, ``touchdown``, ``brush``: the lifted foot; ``foot_shift``: the stance foot;
        ``squat``: the stance foot when on one leg, else None.
    data : dict
        Details: ``stance`` (after the event: ``off``, ``both``, ``left``, ``right``),
        ``body_weight_n``; for squats ``start_s``, ``bottom_s``, ``end_s``, ``depth_mm``.
    """

    kind: str
    t_s: float
    known_s: float
    side: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _runs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First index and end index (exclusive) of each run of equal values in ``x``."""
    n = x.shape[0]
    if n == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    change = np.flatnonzero(x[1:] != x[:-1]) + 1
    starts = np.concatenate(([0], change))
    stops = np.concatenate((change, [n]))
    return starts, stops


def _first_at_or_after(t: np.ndarray, lo: int, hi: int, when: float) -> int:
    """Index of the first frame in ``t[lo:hi]`` at or after ``when`` (``hi`` if none)."""
    return lo + int(np.searchsorted(t[lo:hi], when - EPS_S, side="left"))


class _RunTracker:
    """Remembers the run open at the end of a block, so a run keeps its first frame's time."""

    def __init__(self) -> None:
        self.value: Any = None
        self.start_t = math.nan
        self.last_t = math.nan

    def reset(self) -> None:
        self.value = None
        self.start_t = math.nan
        self.last_t = math.nan

    def iterate(self, t: np.ndarray, x: np.ndarray):
        """Yield ``(value, run_start_t, lo, hi, previous_frame_t)`` for each run of a block."""
        starts, stops = _runs(x)
        for lo, hi in zip(starts.tolist(), stops.tolist(), strict=True):
            v = x[lo].item()
            continuing = lo == 0 and self.value is not None and v == self.value
            r0 = self.start_t if continuing else float(t[lo])
            prev_t = float(t[lo - 1]) if lo > 0 else self.last_t
            self.value, self.start_t = v, r0
            yield v, r0, lo, hi, prev_t
        if t.shape[0]:
            self.last_t = float(t[-1])


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


class _Tail:
    """The last ``keep`` values of a few named series, for look-back across blocks."""

    def __init__(self, names: tuple[str, ...], keep: int) -> None:
        self.names = names
        self.keep = int(keep)
        self.data = {n: np.zeros(0) for n in names}

    def clear(self) -> None:
        self.data = {n: np.zeros(0) for n in self.names}

    def __len__(self) -> int:
        return int(self.data[self.names[0]].shape[0])

    def joined(self, new: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {
            n: np.concatenate((self.data[n], np.asarray(new[n], dtype=float))) for n in self.names
        }

    def keep_from(self, joined: dict[str, np.ndarray]) -> None:
        self.data = {n: a[-self.keep :].copy() if self.keep else a[:0] for n, a in joined.items()}


def _trailing_means(x: np.ndarray, width: int, first: int) -> np.ndarray:
    """Mean of ``x[i-width+1 : i+1]`` for every ``i ≥ first``; NaN where the window is short.

    The sums are built by adding the window's samples one offset at a time, a fixed order
    that does not depend on how many frames there are, so the result is bit-identical however
    the stream was cut into blocks (live and replay agree to the sample).
    """
    n = x.shape[0]
    out = np.full(max(0, n - first), np.nan)
    lo = max(first, width - 1)
    if lo < n:
        acc = np.zeros(n - lo)
        for j in range(width):
            acc += x[lo - width + 1 + j : n - width + 1 + j]
        out[lo - first :] = acc / width
    return out


def _trailing_medians(x: np.ndarray, width: int, first: int) -> np.ndarray:
    """Median of ``x[i-width+1 : i+1]`` (``width`` odd) for every ``i ≥ first``; NaN where the
    window is short."""
    n = x.shape[0]
    out = np.full(max(0, n - first), np.nan)
    lo = max(first, width - 1)
    if lo < n:
        # The middle of a partition is the median of an odd-sized window (and much cheaper
        # per call than np.median, which matters for live blocks of a frame or two).
        win = sliding_window_view(x[lo - width + 1 :], width)
        out[lo - first :] = np.partition(win, width // 2, axis=1)[:, width // 2]
    return out


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
        self._tail = _Tail(("t", "d", "m"), keep + self.width + self.median_width)
        self.reset()

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

    def feed(self, t: np.ndarray, d: np.ndarray) -> list[tuple[int, dict[str, float]]]:
        """Repetitions completed in this block as ``(known_index, rep)``.

        Parameters
        ----------
        t : ndarray, shape (n,)
            Frame times, s.
        d : ndarray, shape (n,)
            Vertical force relative to body weight, ``total / BW − 1`` (dimensionless).
        """
        s = self.settings
        n = t.shape[0]
        if n == 0:
            return []
        off = len(self._tail)
        joined = self._tail.joined({"t": t, "d": d, "m": np.zeros(n)})
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
        out: list[tuple[int, dict[str, float]]] = []
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
                    rep = self._finish(joined, end)
                    if rep:
                        out.append((i, rep))
                    self._start = end
                    self.state, pos = self.RISE, i
                else:
                    k = i if i is not None else limit
                    rep = self._finish(joined, self._top_end)
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

    def _finish(self, joined: dict[str, np.ndarray], end: float) -> dict[str, float] | None:
        s = self.settings
        start = self._start
        if not (s.squat_min_s - EPS_S <= end - start <= s.squat_max_s + EPS_S):
            return None
        tt, mm = joined["t"], joined["m"]
        # The running median trails by half its width; read it centred on each frame.
        half = (self.median_width - 1) // 2
        idx = np.flatnonzero((tt >= start - EPS_S) & (tt <= end + EPS_S))
        idx = idx[idx + half < tt.shape[0]]
        dd = mm[idx + half]
        ok = np.isfinite(dd)
        bottom, depth_mm = com_bottom(tt[idx][ok], dd[ok])
        if not depth_mm >= s.squat_min_depth_mm:
            return None
        return {"start_s": start, "bottom_s": bottom, "end_s": end, "depth_mm": depth_mm}


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


def _next_true(mask: np.ndarray, lo: int, hi: int | None = None) -> int | None:
    """Index of the first True in ``mask[lo:hi]``, or None."""
    seg = mask[lo:hi]
    if seg.size == 0:
        return None
    i = int(np.argmax(seg))
    return lo + i if seg[i] else None


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


class EventDetector:
    """All the events of one board's stream, fed block by block (live or from a recording).

    Parameters
    ----------
    settings : EventSettings, optional
        Thresholds; the defaults follow the module docstring.
    fs_hz : float
        Nominal frame rate, Hz; sets the lengths of the averaging windows in frames.
    body_weight_n : float, optional
        Use this body weight (N) instead of measuring it from the first bipedal stance.

    Attributes
    ----------
    stance : str
        After the last block: ``unknown`` (no body weight yet), ``off``, ``both``, ``left`` or
        ``right`` (the foot standing).
    body_weight_n : float or None
    """

    def __init__(
        self,
        settings: EventSettings | None = None,
        *,
        fs_hz: float = 80.0,
        body_weight_n: float | None = None,
    ) -> None:
        self.settings = settings or EventSettings()
        if not (math.isfinite(fs_hz) and fs_hz > 0):
            raise ProtocolError(f"frame rate {fs_hz!r} Hz: give a positive rate such as 80")
        self.fs_hz = float(fs_hz)
        self._fixed_bw = body_weight_n is not None
        if body_weight_n is not None and not (math.isfinite(body_weight_n) and body_weight_n > 0):
            raise ProtocolError(f"body weight {body_weight_n!r} N: give a positive weight")
        self.body_weight_n: float | None = None
        self._pending_bw = body_weight_n
        self._bw = BodyWeightEstimator(self.settings)
        self._rearm = False
        self.stance = "unknown"
        self.on_board = False
        self.down = {"left": True, "right": True}
        self.trial_t0 = math.nan
        self._presence = Debouncer(self.settings.step_hold_s, self.settings.step_hold_s, True)
        self._feet = {side: FootContact(side, self.settings) for side in ("left", "right")}
        self._shift = _FootShift(self.settings, self.fs_hz)
        self._squat = SquatDetector(self.settings, self.fs_hz)
        keep = self._shift.width + self._shift.lag + 2
        self._cop_tail = _Tail(("t", "left", "right", "net", "left_n", "right_n"), keep)

    # -- public ---------------------------------------------------------------------------
    def feed(self, block: BalanceBlock) -> list[Event]:
        """Events that became known in this block, in the order they became known."""
        n = len(block)
        if n == 0:
            return []
        out: list[tuple[int, int, Event]] = []
        start = 0
        while start < n:
            if self.body_weight_n is None:
                found = self._find_start(block, start)
                if found is None:
                    self._note_cop(block, start, n)
                    self.on_board = bool(block.total_n[n - 1] >= self.settings.on_board_n)
                    break
                k, bw = found
                self._note_cop(block, start, k + 1)
                self._begin(bw)
                out.append((k, 0, self._bw_event(block, k, bw)))
                start = k + 1
            elif self._rearm:
                # Measure body weight again, while the old one keeps the events going.
                sl = slice(start, n)
                found = self._bw.feed(block.t_s[sl], block.total_n[sl], block.left_share[sl])
                stop = start + found[0] + 1 if found else n
                nxt = self._segment(block, start, stop, out)
                if nxt < stop:  # stepped off again before the new weight was in: start over
                    start = nxt
                    continue
                if found:
                    self.body_weight_n = found[1]
                    self._rearm = False
                    out.append((stop - 1, 0, self._bw_event(block, stop - 1, found[1])))
                start = stop
            else:
                start = self._segment(block, start, n, out)
        out.sort(key=lambda e: (e[0], _PRIORITY[e[2].kind], e[2].t_s))
        return [e for _, _, e in out]

    # -- internals ------------------------------------------------------------------------
    def _find_start(self, block: BalanceBlock, start: int) -> tuple[int, float] | None:
        """The frame at which events can start: body weight known, both feet down."""
        sl = slice(start, block.t_s.shape[0])
        if self._pending_bw is None:
            found = self._bw.feed(block.t_s[sl], block.total_n[sl], block.left_share[sl])
            return None if found is None else (start + found[0], found[1])
        thr = self.settings.lift_fraction * self._pending_bw
        both = (block.left_n[sl] > thr) & (block.right_n[sl] > thr)
        i = _next_true(both, 0)
        return None if i is None else (start + i, float(self._pending_bw))

    def _bw_event(self, block: BalanceBlock, k: int, bw: float) -> Event:
        t = float(block.t_s[k])
        return Event("body_weight", t, t, None, {"body_weight_n": bw, "stance": self.stance})

    def _begin(self, bw: float) -> None:
        """Body weight known while standing on both feet: start watching for events."""
        self.body_weight_n = bw
        self._presence = Debouncer(self.settings.step_hold_s, self.settings.step_hold_s, True)
        for foot in self._feet.values():
            foot.reset(down=True)
        self.down = {"left": True, "right": True}
        self.on_board = True
        self.stance = "both"
        self._squat.reset()

    def _note_cop(self, block: BalanceBlock, lo: int, hi: int) -> None:
        self._cop_tail.keep_from(self._cop_joined(block, lo, hi))

    def _cop_joined(self, block: BalanceBlock, lo: int, hi: int) -> dict[str, np.ndarray]:
        return self._cop_tail.joined(
            {
                "t": block.t_s[lo:hi],
                "left": block.left_cop_ml_mm[lo:hi],
                "right": block.right_cop_ml_mm[lo:hi],
                "net": block.cop_ml_mm[lo:hi],
                "left_n": block.left_n[lo:hi],
                "right_n": block.right_n[lo:hi],
            }
        )

    def _stance_from_feet(self) -> str:
        if not self.on_board:
            return "off"
        left, right = self.down["left"], self.down["right"]
        if left and right:
            return "both"
        if left:
            return "left"
        if right:
            return "right"
        return "off"

    def _segment(
        self, block: BalanceBlock, lo: int, hi: int, out: list[tuple[int, int, Event]]
    ) -> int:
        """Frames ``lo:hi`` of ``block`` with a fixed body weight.

        Returns the index of the first frame not processed: ``hi``, or the frame after a
        step-off became known (body weight is then measured again from that frame on).
        """
        s = self.settings
        bw = float(self.body_weight_n)  # type: ignore[arg-type]
        on = block.total_n[lo:hi] >= s.step_off_fraction * bw
        if not self._fixed_bw:
            # After a step-off body weight is measured again from the next frame, so this
            # segment ends there (a trial copy of the step detector finds where).
            for k, _, state in self._presence.clone().feed(block.t_s[lo:hi], on):
                if not state:
                    hi = lo + k + 1
                    on = on[: k + 1]
                    break
        t = block.t_s[lo:hi]
        changes: list[tuple[int, Event]] = []
        for k, cross, state in self._presence.feed(t, on):
            changes.append((k, Event("step_on" if state else "step_off", cross, float(t[k]))))
        thr = s.lift_fraction * bw
        changes += self._feet["left"].feed(t, block.left_n[lo:hi] > thr)
        changes += self._feet["right"].feed(t, block.right_n[lo:hi] > thr)
        changes.sort(key=lambda c: (c[0], _PRIORITY[c[1].kind], c[1].t_s))

        # Apply the changes in the order they became known; note where the stance changes.
        spans: list[tuple[int, str, float]] = [(0, self.stance, self.trial_t0)]
        for k, ev in changes:
            emit = self._apply(ev)
            if emit is not None:
                out.append((lo + k, 0, emit))
            if self.stance != spans[-1][1] or self.trial_t0 != spans[-1][2]:
                if spans[-1][0] == k + 1:
                    spans[-1] = (k + 1, self.stance, self.trial_t0)
                else:
                    spans.append((k + 1, self.stance, self.trial_t0))

        # Foot shifts while on one foot, with look-back into earlier frames.
        tail_n = len(self._cop_tail)
        joined = self._cop_joined(block, lo, hi)
        bounds = [sp[0] for sp in spans[1:]] + [hi - lo]
        for (a, stance, t0), b in zip(spans, bounds, strict=True):
            if stance not in ("left", "right") or b <= a or not math.isfinite(t0):
                continue
            if t0 != self._shift.trial_t0:  # a new stretch on one foot
                self._shift.restart(t0)
            own = joined[stance]
            x = np.where(np.isfinite(own), own, joined["net"])
            loaded = (joined[OTHER_SIDE[stance] + "_n"] >= s.foot_shift_free_fraction * bw).astype(
                float
            )
            for k, ev in self._shift.feed(
                joined["t"], x, loaded, tail_n + a, tail_n + b, stance, tail_n
            ):
                out.append(
                    (lo + k, 0, Event(ev.kind, ev.t_s, ev.known_s, ev.side, {"stance": stance}))
                )
        self._cop_tail.keep_from(joined)

        # Squats while on the board.
        for (a, stance, _), b in zip(spans, bounds, strict=True):
            if stance in ("off", "unknown") or b <= a:
                self._squat.reset()
                continue
            d = block.total_n[lo + a : lo + b] / bw - 1.0
            for k, rep in self._squat.feed(t[a:b], d):
                side = stance if stance in ("left", "right") else None
                out.append(
                    (
                        lo + a + k,
                        0,
                        Event(
                            "squat",
                            rep["start_s"],
                            float(t[a + k]),
                            side,
                            {**rep, "stance": stance},
                        ),
                    )
                )
        return hi

    def _apply(self, ev: Event) -> Event | None:
        """Update the stance for one change; the event to report, if any."""
        before = self.stance
        if ev.kind == "step_off":
            self.on_board = False
            self.stance = "off"
            if not self._fixed_bw:
                self._rearm = True
                self._bw.reset()
            return Event(ev.kind, ev.t_s, ev.known_s, None, {"stance": "off", "from": before})
        if ev.kind == "step_on":
            self.on_board = True
            self.stance = self._stance_from_feet()
            self.trial_t0 = math.nan  # one foot down while stepping on is no lift-off
            return Event(ev.kind, ev.t_s, ev.known_s, None, {"stance": self.stance})
        side = ev.side
        assert side is not None
        other = OTHER_SIDE[side]
        if ev.kind == "lift_off":
            self.down[side] = False
            if self.on_board and before == "both" and self.down[other]:
                self.stance = other
                self.trial_t0 = ev.t_s
                return Event(
                    ev.kind, ev.t_s, ev.known_s, side, {"stance": other, "stance_side": other}
                )
            self.stance = self._stance_from_feet()
            self.trial_t0 = math.nan
            return None
        if ev.kind == "touchdown":
            self.down[side] = True
            self.stance = self._stance_from_feet()
            lifted = before == other and math.isfinite(self.trial_t0)
            if self.stance != "both":
                self.trial_t0 = math.nan
            if lifted:  # the foot lifted at lift-off is down again
                return Event(
                    ev.kind, ev.t_s, ev.known_s, side, {"stance": self.stance, "stance_side": other}
                )
            return None
        if ev.kind == "brush":
            if before == other and math.isfinite(self.trial_t0):
                return Event(ev.kind, ev.t_s, ev.known_s, side, {**ev.data, "stance": before})
            return None
        raise AssertionError(ev.kind)


def detect_events(
    block: BalanceBlock,
    settings: EventSettings | None = None,
    *,
    fs_hz: float = 80.0,
    body_weight_n: float | None = None,
) -> list[Event]:
    """All events in a whole recording's balance block (the offline shortcut)."""
    return EventDetector(settings, fs_hz=fs_hz, body_weight_n=body_weight_n).feed(block)
