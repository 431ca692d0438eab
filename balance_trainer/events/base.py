"""The event vocabulary: thresholds, the event record, and series helpers the detectors share."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..constants import ON_BOARD_N
from ..errors import ProtocolError

EPS_S = 1e-9
"""Slack when comparing times: k/80 − j/80 must reach 0.5 s even when rounding says 0.4999…"""

SIDES = ("left", "right")
"""The two sides of the board (and of the body), in the order results list them."""

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
    on_board_n: float = ON_BOARD_N
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
        ``body_weight_n``; for squats ``start_s``, ``bottom_s``, ``end_s``, ``depth_mm``,
        ``rep_stance`` (the stance the repetition was done in).
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

    def iterate(self, t: np.ndarray, x: np.ndarray) -> Iterator[tuple[Any, float, int, int, float]]:
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


def _next_true(mask: np.ndarray, lo: int, hi: int | None = None) -> int | None:
    """Index of the first True in ``mask[lo:hi]``, or None."""
    seg = mask[lo:hi]
    if seg.size == 0:
        return None
    i = int(np.argmax(seg))
    return lo + i if seg[i] else None
