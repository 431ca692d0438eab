"""Pelvis measures: the pelvis sensor's obliquity lined up with the board, drops and patterns.

The board says which leg is lifted and where the load falls under the stance foot; the pelvis
sensor says how the pelvis itself is tilted. This module joins them:

- :class:`PelvisAligner` gives each board frame the pelvis sample in force at its time (the
  latest sample at or before it, no older than :data:`HOLD_LIMIT_S`): causal, so the live run
  and a replay of its recording see the same values;
- :func:`pelvic_drop` is the drop of the lifted leg's side over a window (mean and peak);
- :func:`classify_pattern` names what board and pelvis show together, including the
  compensated pattern: the pelvis drops while the load under the stance foot stays over the
  foot or moves toward the stance side (the trunk leaning over the stance leg).

Thresholds and their sources
----------------------------
A positive Trendelenburg sign is the pelvis on the lifted side falling below level during
single-leg stance (Hardcastle & Nade 1985, J Bone Joint Surg Br 67(5):741-746). An angle
threshold is ours, set from the measurement error of a clinical pelvic angle: Youdas et al.
2007 (J Sport Rehabil 16(4):326-335) report an SEM of 2 deg and an MDC of 4 deg for the
pelvic-on-femoral angle in the Trendelenburg test. So a mean drop of the lifted side above
:data:`POSITIVE_DROP_DEG` (2 deg, one SEM below level) is called a drop, and a left/right
difference is called real above :data:`SIDE_DIFFERENCE_MDC_DEG` (4 deg). Both are settings a
clinician can change; neither is a validated diagnostic cut-off for this sensor.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np

from .events.base import OTHER_SIDE
from .frames import PelvisSample, PelvisSource, ZeroState, ZeroStatus

if TYPE_CHECKING:
    from .balance import BalanceBlock

PELVIS_COLUMN = "pelvis_obliquity_deg"
"""Optional recording column after the cells: the pelvis's obliquity at each frame, degrees
(positive = the left side lower), empty where no angle exists."""

ROTATION_COLUMN = "pelvis_rotation_deg"
"""Optional recording column after the obliquity: the pelvis's transverse rotation at each
frame, degrees (positive = counter-clockwise seen from above, from the pose at zeroing), empty
where no angle exists (before the sensor was zeroed, rotation has no reference)."""

HOLD_LIMIT_S = 0.05
"""A pelvis sample older than this (5 samples at 104 Hz) gives a frame no value."""

POSITIVE_DROP_DEG = 2.0
"""Mean drop of the lifted side above which the pelvis is said to drop (see module notes)."""

SIDE_DIFFERENCE_MDC_DEG = 4.0
"""Left/right difference in drop above which it is called real (Youdas et al. 2007 MDC)."""

MIN_COVERAGE = 0.8
"""Share of a window's frames that must carry an angle for a drop to be reported."""

STEADY_COP_MM = 5.0
"""Load under the stance foot less than this far toward the lifted side (from the foot's
centre, mm) counts as kept over the foot: with a dropping pelvis, the compensated pattern.
A healthy simulated stance sits within ±2 mm; a simulated weak hip 12-15 mm toward the lifted
side, and 11-14 mm the other way with a trunk lean (hardware/hip_model.py); a model estimate
until measured on people."""


class PelvisFeed:
    """Pelvis samples up to a board time, from a pelvis source's sample stream.

    In virtual time the stream is pulled until a sample lies beyond the time asked for
    (deterministic: the same every run). In real time a thread drains the stream as samples
    arrive and :meth:`until` hands over what has come. A fault of the sensor stops the feed
    (no more angles: frames then carry NaN) and is kept in :attr:`error` for the face to show.
    """

    def __init__(self, source: PelvisSource) -> None:
        self.source = source
        self.error: BaseException | None = None
        self._it = source.samples()
        self._pending: PelvisSample | None = None
        self._queue: deque[PelvisSample] = deque()
        self._thread: threading.Thread | None = None
        if source.realtime:
            self._thread = threading.Thread(target=self._drain, name="pelvis", daemon=True)
            self._thread.start()

    def _drain(self) -> None:
        try:
            for s in self._it:
                self._queue.append(s)
        except Exception as exc:  # the sensor failed: no made-up angles from here on
            self.error = exc

    def until(self, t_s: float) -> list[PelvisSample]:
        """Samples not yet handed over, up to ``t_s`` in virtual time; all arrived in real time."""
        if self._thread is not None:
            out = []
            while self._queue:
                out.append(self._queue.popleft())
            return out
        out = []
        if self.error is not None:
            return out
        try:
            if self._pending is not None:
                if self._pending.t_s > t_s:
                    return out
                out.append(self._pending)
                self._pending = None
            for s in self._it:
                if s.t_s > t_s:
                    self._pending = s
                    break
                out.append(s)
        except Exception as exc:
            self.error = exc
        return out

    @property
    def can_zero(self) -> bool:
        """True when the sensor can be zeroed while the session runs (real and simulated)."""
        return callable(getattr(self.source, "start_zero", None))

    def start_zero(self) -> None:
        """Begin zeroing: the person stands level and still on both feet for ~2 s.

        Follow it with :meth:`zero_status`; a refused zeroing (movement) changes nothing and
        can simply be started again.
        """
        if not self.can_zero:
            raise ValueError(f"{self.source.description} cannot be zeroed during a session")
        self.source.start_zero()  # type: ignore[attr-defined]

    def zero_status(self) -> ZeroStatus:
        """The zeroing's state; FAILED with the sensor's message once the sensor stopped."""
        if self.error is not None:
            return ZeroStatus(ZeroState.FAILED, 0.0, str(self.error))
        if not self.can_zero:
            return ZeroStatus(ZeroState.IDLE)
        status: ZeroStatus = self.source.zero_status()  # type: ignore[attr-defined]
        return status

    def close(self) -> None:
        self.source.close()


class PelvisAligner:
    """Pelvis samples on the board's frame times, by zero-order hold (causal).

    Feed samples as they arrive (:meth:`feed`), or give a :class:`PelvisFeed` that
    :meth:`at` pulls from; ask for the values at frame times (:meth:`at`). Samples must come in
    time order; older ones are dropped once used.
    """

    def __init__(self, hold_limit_s: float = HOLD_LIMIT_S, feed: PelvisFeed | None = None) -> None:
        self.hold_limit_s = hold_limit_s
        self.source_feed = feed
        self._t: list[float] = []
        self._o: list[float] = []
        self._r: list[float] = []

    def feed(self, samples: Iterable[PelvisSample]) -> None:
        for s in samples:
            if self._t and s.t_s < self._t[-1]:
                continue  # out of order: keep the stream monotonic
            self._t.append(float(s.t_s))
            self._o.append(float(s.obliquity_deg))
            self._r.append(float(s.rotation_deg))

    def at(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Obliquity and rotation (degrees) in force at each time in ``t_s``; NaN if none."""
        t_s = np.asarray(t_s, dtype=float)
        if self.source_feed is not None and t_s.size:
            self.feed(self.source_feed.until(float(t_s.max())))
        obl = np.full(t_s.shape, np.nan)
        rot = np.full(t_s.shape, np.nan)
        if not self._t or t_s.size == 0:
            return obl, rot
        ts = np.asarray(self._t)
        idx = np.searchsorted(ts, t_s, side="right") - 1
        ok = (idx >= 0) & (t_s - ts[np.clip(idx, 0, None)] <= self.hold_limit_s)
        obl[ok] = np.asarray(self._o)[idx[ok]]
        rot[ok] = np.asarray(self._r)[idx[ok]]
        # Keep the last sample (it may still hold for the next frames), drop the rest used.
        keep = max(0, int(idx.max()))
        del self._t[:keep], self._o[:keep], self._r[:keep]
        return obl, rot


@dataclass(frozen=True)
class PelvicDrop:
    """Drop of the lifted leg's side over a window, degrees (positive = the lifted side lower).

    mean_deg, peak_deg : float
        Mean and largest drop over the frames that carry an angle.
    coverage : float
        Share of the window's frames that carried an angle (0..1).
    """

    mean_deg: float
    peak_deg: float
    coverage: float

    def to_json(self) -> dict[str, float]:
        return {
            "mean_deg": round(self.mean_deg, 2),
            "peak_deg": round(self.peak_deg, 2),
            "coverage": round(self.coverage, 3),
        }


def drop_series(obliquity_deg: np.ndarray, lifted: str) -> np.ndarray:
    """Per-frame drop of the ``lifted`` side (see :meth:`PelvisSample.drop_deg`)."""
    if lifted not in ("left", "right"):
        raise ValueError(f"lifted must be 'left' or 'right', not {lifted!r}")
    o = np.asarray(obliquity_deg, dtype=float)
    return o if lifted == "left" else -o


def pelvic_drop(obliquity_deg: np.ndarray, lifted: str) -> PelvicDrop | None:
    """Mean and peak drop of the lifted side over the given frames.

    Returns None when fewer than :data:`MIN_COVERAGE` of the frames carry an angle (no
    sensor, clipped readings): a drop is never estimated from a few samples.
    """
    d = drop_series(obliquity_deg, lifted)
    if d.size == 0:
        return None
    ok = np.isfinite(d)
    coverage = float(ok.mean())
    if coverage < MIN_COVERAGE:
        return None
    return PelvicDrop(float(d[ok].mean()), float(d[ok].max()), coverage)


class PelvisPattern(Enum):
    """What the board and the pelvis sensor show together during single-leg stance."""

    LEVEL = "level"
    DROP = "drop"
    COMPENSATED = "compensated"

    @property
    def sentence(self) -> str:
        return {
            PelvisPattern.LEVEL: "The pelvis stayed level.",
            PelvisPattern.DROP: "The pelvis dropped on the lifted side (a Trendelenburg sign).",
            PelvisPattern.COMPENSATED: (
                "The pelvis dropped on the lifted side while the load stayed over the standing "
                "foot or moved toward the standing side: the trunk leaned over the standing "
                "leg to make up for it (a compensated Trendelenburg pattern)."
            ),
        }[self]


def classify_pattern(
    drop: PelvicDrop | None,
    cop_toward_lifted_mm: float | None,
    *,
    positive_drop_deg: float = POSITIVE_DROP_DEG,
    steady_cop_mm: float = STEADY_COP_MM,
) -> PelvisPattern | None:
    """Name the pattern, or None without a trustworthy drop.

    Parameters
    ----------
    drop : PelvicDrop or None
        From :func:`pelvic_drop` over the steady hold.
    cop_toward_lifted_mm : float or None
        Where the load sat under the stance foot: mean ML COP minus the foot's centre, mm,
        positive toward the lifted side. A falling pelvis without compensation carries the load
        toward the lifted side; a trunk lean over the stance leg keeps it central or moves it
        to the stance side.
    """
    if drop is None:
        return None
    if drop.mean_deg <= positive_drop_deg:
        return PelvisPattern.LEVEL
    if cop_toward_lifted_mm is None or not math.isfinite(cop_toward_lifted_mm):
        return PelvisPattern.DROP
    return (
        PelvisPattern.COMPENSATED if cop_toward_lifted_mm < steady_cop_mm else (PelvisPattern.DROP)
    )


def side_difference(left: PelvicDrop | None, right: PelvicDrop | None) -> float | None:
    """Right-stance minus left-stance mean drop (degrees), or None if either is missing."""
    if left is None or right is None:
        return None
    return right.mean_deg - left.mean_deg


def difference_is_real(diff_deg: float | None) -> bool | None:
    """True when a left/right difference exceeds :data:`SIDE_DIFFERENCE_MDC_DEG`."""
    return None if diff_deg is None else abs(diff_deg) > SIDE_DIFFERENCE_MDC_DEG


@dataclass(frozen=True)
class TrialPelvis:
    """What the pelvis sensor saw over one single-leg trial's window.

    drop : PelvicDrop
        Drop of the lifted side over the window.
    pattern : PelvisPattern
        Level, drop, or compensated (see :func:`classify_pattern`).
    cop_toward_lifted_mm : float or None
        Where the load sat under the stance foot over the window: the mean ML COP minus the
        foot's centre (the middle of its cells), positive toward the lifted side, mm.
    """

    drop: PelvicDrop
    pattern: PelvisPattern
    cop_toward_lifted_mm: float | None


def trial_pelvis(
    obliquity_deg: np.ndarray | None,
    stance_cop_ml_mm: np.ndarray,
    stance: str,
    foot_centre_mm: float | None,
) -> TrialPelvis | None:
    """Pelvic drop and pattern over a single-leg window; None without enough angles.

    A pelvis dropping on the lifted side carries the body's weight that way, so the load under
    the stance foot sits toward the lifted side (medially); a trunk leaning over the stance leg
    to make up for it carries the load the other way (laterally). Where the load sits on the
    foot over the window tells the two apart.

    Parameters
    ----------
    obliquity_deg : ndarray, shape (n,), or None
        The blocks' pelvis column (None: no sensor).
    stance_cop_ml_mm : ndarray, shape (n,)
        ML COP under the stance foot, mm, x positive to the person's right.
    stance : str
        ``"left"`` or ``"right"``: the leg stood on (the other is lifted).
    foot_centre_mm : float or None
        ML position of the middle of the stance foot's cells, mm (None: unknown, and a drop is
        then called a drop without telling whether it was compensated).
    """
    if obliquity_deg is None or len(obliquity_deg) == 0:
        return None
    lifted = OTHER_SIDE[stance]
    drop = pelvic_drop(obliquity_deg, lifted)
    if drop is None:
        return None
    cop = np.asarray(stance_cop_ml_mm, dtype=float)
    cop = cop[np.isfinite(cop)]
    offset: float | None = None
    if cop.size and foot_centre_mm is not None:
        toward_right = float(cop.mean()) - foot_centre_mm
        offset = toward_right if lifted == "right" else -toward_right
    pattern = classify_pattern(drop, offset)
    assert pattern is not None  # drop is not None
    return TrialPelvis(drop, pattern, offset)


def pelvis_fields(
    frames: BalanceBlock, stance: str, foot_centre_mm: float | None = None
) -> dict[str, Any]:
    """A single-leg window's pelvis measures as trial fields (empty without a sensor).

    Keys: ``pelvic_drop_mean_deg``, ``pelvic_drop_peak_deg`` (the lifted side's drop),
    ``pelvis_pattern`` (``level``, ``drop`` or ``compensated``) and ``cop_toward_lifted_mm``.
    """
    if frames.pelvis_obliquity_deg is None or stance not in ("left", "right"):
        return {}
    cop = frames.left_cop_ml_mm if stance == "left" else frames.right_cop_ml_mm
    tp = trial_pelvis(frames.pelvis_obliquity_deg, cop, stance, foot_centre_mm)
    if tp is None:
        return {}
    return {
        "pelvic_drop_mean_deg": round(tp.drop.mean_deg, 2),
        "pelvic_drop_peak_deg": round(tp.drop.peak_deg, 2),
        "pelvis_pattern": tp.pattern.value,
        "cop_toward_lifted_mm": None
        if tp.cop_toward_lifted_mm is None
        else round(tp.cop_toward_lifted_mm, 1),
    }


def _pattern_of(entry: Any) -> str | None:
    """The ``pelvis_pattern`` a trial or repetition stored (in its fields or its metrics)."""
    for d in (getattr(entry, "extra", None) or {}, getattr(entry, "metrics", None) or {}):
        if d.get("pelvis_pattern"):
            return str(d["pelvis_pattern"])
    return None


def side_drops(result: Any) -> dict[str, dict[str, Any]]:
    """Per stance side of a typed test result: mean and peak drop and the commonest pattern.

    ``result`` is a :class:`~balance_trainer.results.TestResult`; its trials (holds) or
    repetitions (squats) carry ``pelvic_drop_mean_deg`` / ``pelvic_drop_peak_deg`` when a
    pelvis sensor was fitted. Sides without any are left out.
    """
    out: dict[str, dict[str, Any]] = {}
    reps = list(getattr(result, "reps", ()))
    # Squats carry the drop per repetition; holds per trial.
    if any(e.metric("pelvic_drop_peak_deg") is not None for e in reps):
        entries = reps
    else:
        entries = list(getattr(result, "trials", ()))
    for side in ("left", "right"):
        mine = [e for e in entries if getattr(e, "stance_side", None) == side]
        means = [e.metric("pelvic_drop_mean_deg") for e in mine]
        peaks = [e.metric("pelvic_drop_peak_deg") for e in mine]
        m = [v for v in means if v is not None]
        p = [v for v in peaks if v is not None]
        if not m and not p:
            continue
        patterns = [p for p in map(_pattern_of, mine) if p]
        common = max(set(patterns), key=patterns.count) if patterns else None
        out[side] = {
            "mean_deg": float(np.mean(m)) if m else None,
            "peak_deg": float(np.max(p)) if p else None,
            "pattern": common,
            "n": len(mine),
        }
    return out


def pelvis_sentences(result: Any) -> list[str]:
    """Plain sentences about what the pelvis sensor saw in a test (empty without one)."""
    drops = side_drops(result)
    lines: list[str] = []
    for side, d in drops.items():
        lifted = OTHER_SIDE[side]
        mean, peak = d["mean_deg"], d["peak_deg"]
        if mean is None and peak is not None:  # squats: the peak per repetition
            what = f"dropped by up to {peak:.1f}\N{DEGREE SIGN} in a repetition"
        elif mean is not None and mean > POSITIVE_DROP_DEG:
            what = f"dropped {mean:.1f}\N{DEGREE SIGN} on average (peak {peak:.1f}\N{DEGREE SIGN})"
        else:
            what = f"stayed level ({(mean or 0.0):.1f}\N{DEGREE SIGN} on average)"
        line = f"Pelvis sensor, standing on the {side} leg: the {lifted} side of the pelvis {what}."
        pattern = d["pattern"]
        if pattern == PelvisPattern.COMPENSATED.value:
            line += (
                " The load stayed over the standing foot while the pelvis dropped: the trunk "
                "leaned over the standing leg (a compensated Trendelenburg pattern)."
            )
        elif pattern == PelvisPattern.DROP.value:
            line += " That is a Trendelenburg sign."
        lines.append(line)
    left, right = drops.get("left", {}).get("mean_deg"), drops.get("right", {}).get("mean_deg")
    if left is not None and right is not None:
        diff = right - left
        real = abs(diff) > SIDE_DIFFERENCE_MDC_DEG
        more = "right" if diff > 0 else "left"
        lines.append(
            f"The drop is {abs(diff):.1f}\N{DEGREE SIGN} larger standing on the {more} leg: "
            + (
                f"more than the {SIDE_DIFFERENCE_MDC_DEG:g}\N{DEGREE SIGN} that counts as a real "
                "difference (Youdas et al. 2007)."
                if real
                else f"within the {SIDE_DIFFERENCE_MDC_DEG:g}\N{DEGREE SIGN} of measurement "
                "error (Youdas et al. 2007), so not a real difference."
            )
        )
    return lines


HOLD_TESTS = ("hip-stability", "single-leg-stance")
"""Tests whose pelvis measure is the mean drop over a steady single-leg hold (the trend that
progress follows: a squat's drop is a peak during motion, not comparable with a hold's)."""


@dataclass(frozen=True)
class DropPoint:
    """One test's mean drop of the lifted side for one stance leg.

    when : object
        When the test ran (a ``datetime`` from the store; None if unknown).
    mean_deg : float
        Mean drop of the lifted side over the test's holds on this leg, degrees.
    """

    when: Any
    mean_deg: float


def drop_history(entries: Iterable[tuple[Any, Any]]) -> dict[str, list[DropPoint]]:
    """Per stance leg, the mean drop of the lifted side in each hold test, oldest first.

    Parameters
    ----------
    entries : iterable of (when, TestResult)
        Test results in time order; only :data:`HOLD_TESTS` with pelvis measures count
        (:func:`side_drops`), others are skipped.

    Returns
    -------
    dict
        ``{"left": [...], "right": [...]}`` (a leg without any point is left out).
    """
    out: dict[str, list[DropPoint]] = {}
    for when, result in entries:
        if getattr(result, "test", None) not in HOLD_TESTS:
            continue
        for side, d in side_drops(result).items():
            if d["mean_deg"] is not None:
                out.setdefault(side, []).append(DropPoint(when, float(d["mean_deg"])))
    return out


def drop_change_words(before: DropPoint | None, now: DropPoint, stance: str) -> str:
    """One leg's latest drop in words, and whether it changed beyond the MDC since before.

    A change is called real only above :data:`SIDE_DIFFERENCE_MDC_DEG` (Youdas et al. 2007).
    """
    deg = "\N{DEGREE SIGN}"
    text = f"on the {stance} leg the {OTHER_SIDE[stance]} hip dropped {now.mean_deg:.1f}{deg}"
    if before is not None:
        d = now.mean_deg - before.mean_deg
        real = abs(d) > SIDE_DIFFERENCE_MDC_DEG
        text += f" ({d:+.1f}{deg}, {'a real change' if real else 'within measurement error'})"
    return text
