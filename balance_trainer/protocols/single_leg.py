"""The single-leg tests: unipedal stance, the hip stability hold and single-leg squats.

Definitions (thresholds in :class:`~balance_trainer.protocols.engine.ProtocolSettings`):

* **false start** (single-leg stance, hip stability): a foot back down within
  ``false_start_s`` (1 s) of lift-off does not count as a trial; it is listed under
  ``false_starts`` and the person tries again. A hold of exactly ``false_start_s`` counts.
  After ``max_false_starts`` (2) in a row on a side, a short hold counts, so someone who
  cannot hold a second still gets a result.
* **stance-foot ML COP range** (squats): ``ml_range_mm`` of a repetition is the range of the
  ML COP under the stance foot, and ``ml_range_pct_span`` that range as a share of the ML span
  of the stance side's cells (the widest the foot's COP can read on this board), %. Lower is
  steadier. It is the load moving under the foot, not the pelvis: a pelvis that drops toward
  the lifted side and a trunk leaning over the stance leg to compensate move it in opposite
  directions, so a small range does not mean a level pelvis.
* **ML drift** (hip stability): mean ML COP under the stance foot over the last third of the
  hold minus that over the first third, signed positive toward the lifted side, after skipping
  the first ``drift_skip_s`` (the weight settling over the foot after lift-off); and the
  least-squares slope of the same series, mm/s, with the same sign.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..balance import BalanceBlock
from ..errors import AnalysisError
from ..events import OTHER_SIDE, SIDES, Event, SquatDetector
from ..pelvis import pelvis_fields
from ..results import TestResult
from ..stance import (
    END_MARGIN_S,
    MIN_SETTLE_S,
    MIN_STEADY_S,
    ml_time_to_boundary_s,
    steady_window,
    time_to_stabilise_s,
)
from .engine import EPS_S, OpenTrial, Phase, Protocol, asymmetry, measure, stance_ml
from .text import (
    SCALE_LIMITS,
    single_leg_sentences,
    single_leg_table,
    squat_sentences,
    squat_table,
)

STEADY_DEFINITION = (
    f"steady state: from lift-off + max(time to stabilise, {MIN_SETTLE_S:g} s) to "
    f"{END_MARGIN_S:g} s before the end"
)

__all__ = ["SingleLegStance", "HipStability", "SingleLegSquat", "drift"]


class _TouchWatch:
    """The strict touch rule: any touch of the lifted foot above the board's noise floor.

    After the detector confirms a lift-off (the foot below 10 % of body weight for 0.5 s), the
    foot is *armed* from the first frame its side reads at most ``touch_n``; from then on,
    two frames in a row above ``touch_n`` are a ``touch`` event at the first of them. A touch
    shorter than the detector's 50 ms brush rule, or lighter than 10 % of body weight, still
    ends the trial; the detector's brush and touchdown events are reported as before.
    """

    def __init__(self, touch_n: float) -> None:
        self.touch_n = touch_n
        self._up: dict[str, bool] = {"left": False, "right": False}
        self._armed = {"left": False, "right": False}
        self._prev_high: dict[str, float | None] = {"left": None, "right": None}

    def feed(self, block: BalanceBlock, events: list[Event], history: Any) -> list[Event]:
        out: list[Event] = []
        marks = sorted(
            (e for e in events if e.kind in ("lift_off", "touchdown") and e.side in SIDES),
            key=lambda e: e.known_s,
        )
        t = block.t_s
        for side in SIDES:
            load = block.left_n if side == "left" else block.right_n
            j = 0
            for i in range(len(t)):
                while j < len(marks) and marks[j].known_s <= t[i]:
                    ev = marks[j]
                    j += 1
                    if ev.side != side:
                        continue
                    if ev.kind == "touchdown":
                        self._up[side] = False
                    else:
                        self._up[side] = True
                        self._armed[side] = False
                        self._prev_high[side] = None
                        out += self._look_back(side, ev, history)
                if not self._up[side]:
                    continue
                out += self._step(side, float(t[i]), float(load[i]))
        return out

    def _look_back(self, side: str, lift: Event, history: Any) -> list[Event]:
        # The frames from the crossing to the confirmation were seen before the lift was known.
        past = history.slice(lift.t_s, lift.known_s)
        load = past.left_n if side == "left" else past.right_n
        out: list[Event] = []
        for tk, lk in zip(past.t_s[:-1], load[:-1], strict=True):
            out += self._step(side, float(tk), float(lk), known=lift.known_s)
        return out

    def _step(self, side: str, t: float, load: float, known: float | None = None) -> list[Event]:
        if not self._up[side]:
            return []
        if not self._armed[side]:
            self._armed[side] = load <= self.touch_n
            return []
        if load > self.touch_n:
            first = self._prev_high[side]
            if first is None:
                self._prev_high[side] = t
                return []
            self._up[side] = False  # one touch per lift
            return [Event("touch", first, t if known is None else known, side, {"load_n": load})]
        self._prev_high[side] = None
        return []


class _SingleLeg(Protocol):
    """Shared flow of the single-leg tests: ready, lift-off, hold, an ending, rest, next."""

    end_reasons: ClassVar[tuple[str, ...]] = ("touchdown", "step_off", "foot_shift", "max_time")
    trial_word: ClassVar[str] = "trial"
    false_starts_allowed: ClassVar[bool] = True
    strict_touch: ClassVar[bool] = False
    """Any touch of the lifted foot above ``touch_n`` ends the trial (:class:`_TouchWatch`)."""
    options: ClassVar[tuple[str, ...]] = ("side", "eyes", "trials", "max_time_s", "age")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.false_starts: list[dict[str, Any]] = []
        self._false_in_row = {"left": 0, "right": 0}
        self._plan: list[str] | None
        if self.side == "both":
            self._plan = ["left", "right"]
        elif self.side in SIDES:
            self._plan = [self.side]
        else:
            self._plan = None  # either side, in any order
        self._plan_i = 0
        self.trials_done = {"left": 0, "right": 0}
        self.records: list[dict[str, Any]] = []
        self._touch = _TouchWatch(self.settings.touch_n) if self.strict_touch else None

    def _block_events(self, block: BalanceBlock, events: list[Event]) -> list[Event]:
        if self._touch is None:
            return events
        touches = self._touch.feed(block, events, self._history)
        if not touches:
            return events
        # Touches sort after the detector's events known at the same frame (touchdown first).
        return sorted(events + touches, key=lambda e: (e.known_s, e.kind == "touch"))

    # -- which side now -------------------------------------------------------------------
    @property
    def expected_side(self) -> str | None:
        """The stance side the test asks for now (None: either)."""
        if self._plan is None or self._plan_i >= len(self._plan):
            return None
        return self._plan[self._plan_i]

    def _ready_text(self) -> str:
        side = self.expected_side
        if side is None:
            return "Stand on one leg: lift one foot and hold it off the board."
        return (
            f"Stand on your {side.upper()} leg: lift your {OTHER_SIDE[side]} foot and "
            "hold it off the board."
        )

    def _get_ready(self) -> None:
        self.phase = Phase.READY
        self._say(self._ready_text(), "both")
        self._start_countdown()

    def _countdown_done(self) -> None:
        side = self.expected_side
        self._say(f"Lift your {OTHER_SIDE[side]} foot now." if side else "Lift a foot now.", side)

    # -- events ---------------------------------------------------------------------------
    def _on_trial_event(self, ev: Event) -> None:
        k = ev.kind
        op = self._open
        if k == "lift_off":
            if op is None:
                self._maybe_start(ev)
        elif k == "touchdown":
            if op is not None and ev.side == OTHER_SIDE[op.stance_side or ""]:
                self._propose_end(ev.t_s, "touchdown")
            elif op is None and self.phase == Phase.BETWEEN_TRIALS:
                self._rest_then_ready()
        elif k == "touch":
            if op is not None and ev.side == OTHER_SIDE[op.stance_side or ""]:
                self._propose_end(ev.t_s, "touch")
        elif k == "brush":
            if op is not None:
                op.brushes += 1
        elif k == "foot_shift":
            if op is not None and "foot_shift" in self.end_reasons and ev.side == op.stance_side:
                self._propose_end(ev.t_s, "foot_shift")
        self._on_extra_event(ev)

    def _on_extra_event(self, ev: Event) -> None:
        """Hook for the squat test."""

    def _maybe_start(self, ev: Event) -> None:
        stance: str = ev.data["stance_side"]
        want = self.expected_side
        if self._plan is not None and want is None:
            return  # every side done
        if want is not None and stance != want:
            self._say(
                f"That was your {stance} leg. This {self.trial_word} is on your "
                f"{want.upper()} leg: put the foot down, then lift your "
                f"{OTHER_SIDE[want]} foot.",
                "both",
            )
            return
        if self._side_done(stance):
            return
        self._timers.pop("countdown", None)
        self._timers.pop("rest", None)
        self._open = OpenTrial(number=len(self.records) + 1, start=ev.t_s, stance_side=stance)
        self._pending_end = None
        self.phase = Phase.IN_TRIAL
        self._say(self._hold_text(stance), stance)
        self._emit(
            "trial_started",
            stance_side=stance,
            trial=self._open.number,
            start_s=self._rel(ev.t_s),
        )
        if self.max_time_s is not None:
            self._set_timer("max_time", ev.t_s + self.max_time_s)

    def _hold_text(self, stance: str) -> str:
        return f"Hold still on your {stance} leg."

    def _is_false_start(self, op: OpenTrial, t: float, reason: str) -> bool:
        """A foot back down sooner than ``false_start_s`` after lift-off (strictly sooner)."""
        st = self.settings
        stance = op.stance_side or ""
        return (
            self.false_starts_allowed
            and reason in ("touchdown", "touch")
            and t - op.start < st.false_start_s
            and self._false_in_row[stance] < st.max_false_starts
        )

    def _close_trial(self, t: float, reason: str) -> None:
        op = self._take_open()
        stance = op.stance_side or ""
        if self._is_false_start(op, t, reason):
            self._false_in_row[stance] += 1
            entry = {
                "stance_side": stance,
                "start_s": self._rel(op.start),
                "end_s": self._rel(t),
                "hold_s": t - op.start,
            }
            self.false_starts.append(entry)
            self._emit("false_start", **entry)
            self.phase = Phase.BETWEEN_TRIALS
            self._say("Too quick: that did not count. Put your foot down, then try again.", "both")
            if self.stance == "both":
                self._rest_then_ready()
            return
        self._false_in_row[stance] = 0
        rec = self._record(op, t, reason)
        self.records.append(rec)
        self.trials_done[stance] += 1
        self._emit("trial_ended", **rec)
        self._after_trial(stance, reason, rec)

    def _side_done(self, side: str) -> bool:
        """True when ``side`` has had all its trials."""
        return self.trials is not None and self.trials_done[side] >= self.trials

    def _after_trial(self, stance: str, reason: str, rec: dict[str, Any]) -> None:
        if self._plan is not None and self._side_done(stance):
            self._plan_i += 1
            if self._plan_i >= len(self._plan):
                self._say(self._end_text(reason, rec), "both")
                self._finish_test()
                return
        self.phase = Phase.BETWEEN_TRIALS
        self._say(self._end_text(reason, rec), "both")
        if self.stance == "both":
            self._rest_then_ready()

    def _end_text(self, reason: str, rec: dict[str, Any]) -> str:
        held = rec.get("hold_s")
        head = f"{held:.1f} s. " if held is not None else ""
        return head + {
            "touchdown": "Foot down. Rest on both feet.",
            "touch": "Your foot touched the board. Rest on both feet.",
            "step_off": "You stepped off. Step back on with both feet.",
            "foot_shift": "Your standing foot moved. Put the other foot down and rest.",
            "max_time": "Time is up. Put your foot down and rest.",
            "reps_done": "All repetitions done. Put your foot down and rest.",
            "end_of_data": "Stopped.",
        }.get(reason, "Rest on both feet.")

    # -- records --------------------------------------------------------------------------
    def _record(self, op: OpenTrial, end: float, reason: str) -> dict[str, Any]:
        stance = op.stance_side or ""
        frames = self._history.slice(op.start, end)
        metrics, window, whole = self._sway(frames, stance, op.start, end)
        return {
            "trial": op.number,
            "stance_side": stance,
            "start_s": self._rel(op.start),
            "end_s": self._rel(end),
            "hold_s": end - op.start,
            "stop_reason": reason,
            "brushes": op.brushes,
            "metrics": metrics,
            "steady_ml_rms_mm": metrics.get("ml_rms_mm") if window["steady"] else None,
            "time_to_stabilise_s": metrics.get("time_to_stabilise_s"),
            "ml_time_to_boundary_s": metrics.get("ml_time_to_boundary_s"),
            "sway_window": window,
            "whole_trial": whole,
            **{
                k: metrics[k]
                for k in ("pelvic_drop_mean_deg", "pelvic_drop_peak_deg", "pelvis_pattern")
                if k in metrics
            },
        }

    def _sway(
        self, frames: BalanceBlock, stance: str, start: float, end: float
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """Sway over the steady-state window (balance_trainer.stance), and the whole trial's.

        Returns the measures (with ``time_to_stabilise_s`` and the ML time-to-boundary), the
        window (``start_s``, ``end_s`` relative to the test's start, ``definition``) and the
        whole trial's ML range, RMS and velocity for comparison.
        """
        whole = measure(frames, stance, self.fs_hz)
        ml, source = stance_ml(frames, stance)
        tts = time_to_stabilise_s(frames.t_s, ml, start, end) if source == "stance foot" else None
        win = steady_window(start, end, tts)
        if win is None:
            metrics = dict(whole)
            window: dict[str, Any] = {
                "start_s": self._rel(start),
                "end_s": self._rel(end),
                "steady": False,
                "definition": f"whole trial: under {MIN_STEADY_S:g} s left for a steady state",
            }
            part = frames
        else:
            part = self._history.slice(*win)
            metrics = measure(part, stance, self.fs_hz)
            window = {
                "start_s": self._rel(win[0]),
                "end_s": self._rel(win[1]),
                "steady": True,
                "definition": STEADY_DEFINITION,
            }
        metrics["time_to_stabilise_s"] = tts
        metrics.update(self._ttb(part, stance))
        # With a pelvis sensor: the lifted side's drop over the same steady window.
        span = self.foot_span_mm.get(stance)
        metrics.update(pelvis_fields(part, stance, None if span is None else sum(span) / 2))
        keep = ("duration_s", "ml_range_mm", "ml_rms_mm", "ml_mean_velocity_mm_s")
        return metrics, window, {k: whole.get(k) for k in keep}

    def _ttb(self, frames: BalanceBlock, stance: str) -> dict[str, Any]:
        from ..signal import lowpass

        span = self.foot_span_mm.get(stance)
        ml, source = stance_ml(frames, stance)
        if span is None or source != "stance foot" or ml.size < 16:
            return {"ml_time_to_boundary_s": None, "ml_time_to_boundary_sd_s": None}
        try:
            x = lowpass(ml, self.fs_hz, 10.0) if self.fs_hz > 20.0 else ml
        except AnalysisError:
            x = ml
        out = ml_time_to_boundary_s(x, self.fs_hz, span)
        out.pop("ml_ttb_minima", None)
        return out

    def _side_summary(self, key: str = "hold_s") -> dict[str, Any]:
        per: dict[str, Any] = {}
        for side in SIDES:
            vals = [r[key] for r in self.records if r["stance_side"] == side]
            if vals:
                per[side] = {
                    "trials": len(vals),
                    f"best_{key}": max(vals),
                    f"mean_{key}": float(np.mean(vals)),
                }
        return per

    def _notes(self) -> list[str]:
        notes = super()._notes()
        if not notes and not self.records:
            if not self._ever_lifted:
                notes.append(
                    f"no single-leg trial: no foot stayed below "
                    f"{100 * self.settings.events.lift_fraction:g} % of body weight for "
                    f"{self.settings.events.lift_hold_s:g} s (both feet stayed down)"
                )
            else:
                notes.append("no trial on the side asked for")
        return notes

    def _result(self) -> dict[str, Any]:
        per = self._side_summary()
        left = per.get("left", {}).get("best_hold_s")
        right = per.get("right", {}).get("best_hold_s")
        summary: dict[str, Any] = {**per, "asymmetry_pct": asymmetry(left, right)}
        drops: dict[str, float] = {}
        for side in SIDES:
            got = [r.get("pelvic_drop_mean_deg") for r in self.records if r["stance_side"] == side]
            v = [x for x in got if x is not None]
            if v and side in per:
                drops[side] = float(np.mean(v))
                per[side]["mean_pelvic_drop_deg"] = drops[side]
        if len(drops) == 2:
            summary["pelvic_drop_difference_deg"] = drops["right"] - drops["left"]
        return {
            "trials": list(self.records),
            "false_starts": list(self.false_starts),
            "summary": summary,
        }


class SingleLegStance(_SingleLeg):
    """Unipedal stance test: hold time and sway under the stance foot, with age norms.

    Per side (the *stance* side: the leg stood on), eyes open or closed, ``trials`` trials
    (3 by default), up to ``max_time_s`` (45 s by default). A trial starts at lift-off and ends
    at touchdown, step-off, a foot shift of the stance foot, or the maximum time, whichever
    comes first (``stop_reason``).

    Result: ``trials`` (``stance_side``, ``start_s``, ``end_s``, ``hold_s``, ``stop_reason``,
    ``metrics``), ``summary`` (per side ``trials``, ``best_hold_s``, ``mean_hold_s``;
    ``asymmetry_pct`` of the best holds), ``norm`` (Bohannon 2006 for 60+, eyes open; None
    where no norm applies).
    """

    name = "single-leg-stance"
    title = "Single-leg stance"
    short_title = "One-leg stand"
    blurb = "How long can you stand on one leg?"
    default_side = "both"
    default_trials = 3
    default_max_time_s = 45.0
    end_reasons = ("touch", "touchdown", "step_off", "foot_shift", "max_time")
    strict_touch = True

    @classmethod
    def table_body(cls, result: TestResult) -> list[str]:
        return single_leg_table(result, drift=False)

    @classmethod
    def sentence_body(cls, result: TestResult, *, guest: bool = False) -> list[str]:
        return single_leg_sentences(result, drift=False, guest=guest)

    def _result(self) -> dict[str, Any]:
        from ..norms import compare_hold

        out = super()._result()
        holds = [r["hold_s"] for r in self.records]
        out["norm"] = compare_hold(max(holds) if holds else None, self.age, self.eyes)
        return out


class HipStability(_SingleLeg):
    """A 30 s single-leg hold per side: ML drift toward the lifted side and ML sway.

    The Trendelenburg idea on a scale. Result: ``trials`` as the stance test, with
    ``ml_drift_mm`` and ``ml_drift_rate_mm_s`` (positive toward the lifted side) in each
    trial's metrics; ``summary`` per side and the left/right asymmetry of the drift and of the
    ML RMS; ``scale_limits``: what a scale can and cannot see.
    """

    name = "hip-stability"
    title = "Hip stability hold"
    short_title = "Hip stability"
    blurb = "A 30 second hold on one leg"
    default_side = "both"
    default_trials = 1
    default_max_time_s = 30.0
    options = ("side", "trials", "max_time_s")

    @classmethod
    def table_body(cls, result: TestResult) -> list[str]:
        return single_leg_table(result, drift=True)

    @classmethod
    def sentence_body(cls, result: TestResult, *, guest: bool = False) -> list[str]:
        return single_leg_sentences(result, drift=True, guest=guest)

    def _hold_text(self, stance: str) -> str:
        return f"Hold still on your {stance} leg, hips level, for {self.max_time_s:g} s."

    def _record(self, op: OpenTrial, end: float, reason: str) -> dict[str, Any]:
        rec = super()._record(op, end, reason)
        stance = op.stance_side or ""
        frames = self._history.slice(op.start + self.settings.drift_skip_s, end)
        rec["metrics"].update(drift(frames, stance))
        return rec

    def _result(self) -> dict[str, Any]:
        out = super()._result()
        summary = out["summary"]
        for key in ("ml_drift_mm", "ml_rms_mm"):
            vals: dict[str, float] = {}
            for side in SIDES:
                got = [r["metrics"].get(key) for r in self.records if r["stance_side"] == side]
                v = [x for x in got if x is not None]
                if v:
                    vals[side] = float(np.mean(v))
                    summary.setdefault(side, {})[f"mean_{key}"] = vals[side]
            if key == "ml_rms_mm":
                summary["ml_rms_asymmetry_pct"] = asymmetry(vals.get("left"), vals.get("right"))
            else:
                summary["ml_drift_difference_mm"] = (
                    None if len(vals) < 2 else vals["left"] - vals["right"]
                )
        out["scale_limits"] = SCALE_LIMITS
        return out


def drift(frames: BalanceBlock, stance: str) -> dict[str, float | None]:
    """ML drift of the COP under the stance foot toward the lifted side.

    ``ml_drift_mm``: mean of the last third minus mean of the first third, mm;
    ``ml_drift_rate_mm_s``: least-squares slope, mm/s. Both positive toward the lifted side.
    None when fewer than 6 frames remain.
    """
    ml, _ = stance_ml(frames, stance)
    ok = np.isfinite(ml)
    t, x = frames.t_s[ok], ml[ok]
    if x.size < 6:
        return {"ml_drift_mm": None, "ml_drift_rate_mm_s": None}
    toward = 1.0 if OTHER_SIDE[stance] == "right" else -1.0
    third = x.size // 3
    shift = float(np.mean(x[-third:]) - np.mean(x[:third]))
    slope = float(np.polyfit(t - t[0], x, 1)[0])
    return {"ml_drift_mm": toward * shift, "ml_drift_rate_mm_s": toward * slope}


class SingleLegSquat(_SingleLeg):
    """Single-leg squats: repetitions with ML control under the stance foot.

    Result: ``reps`` (``stance_side``, ``start_s``, ``bottom_s``, ``end_s``, ``metrics``: the
    DESIGN.md measures over the repetition plus ``duration_s``, ``descent_s``, ``ascent_s``,
    ``descent_ml_range_mm``, ``descent_ml_path_mm``, ``ascent_ml_range_mm``,
    ``ascent_ml_path_mm``, ``com_depth_mm``, ``ml_range_pct_span``), ``sets`` (each stretch
    on one leg: ``stance_side``, ``start_s``, ``end_s``, ``stop_reason``, ``reps``) and
    ``summary`` per side with the left/right asymmetry.
    """

    name = "single-leg-squat"
    title = "Single-leg squat"
    short_title = "One-leg squat"
    blurb = "Five slow squats on one leg"
    default_side = "both"
    default_trials = 5
    default_max_time_s = None  # a set ends at the repetition count or when the foot comes down
    end_reasons = ("touchdown", "step_off", "max_time", "reps_done")
    trial_word = "set"
    false_starts_allowed = False  # repetitions count, not sets
    options = ("side", "trials", "max_time_s")

    @classmethod
    def table_body(cls, result: TestResult) -> list[str]:
        return squat_table(result)

    @classmethod
    def sentence_body(cls, result: TestResult, *, guest: bool = False) -> list[str]:
        return squat_sentences(result)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.reps: list[dict[str, Any]] = []
        self.reps_by_side = {"left": 0, "right": 0}
        # A set closes when the foot comes down, but not before the detector has had time to
        # report a repetition completed just before it: the count never depends on how soon
        # the foot lands.
        self._end_wait_s = max(
            self._end_wait_s, SquatDetector.latency_s(self.settings.events, self.fs_hz)
        )

    def _side_done(self, side: str) -> bool:
        """Squats: ``trials`` counts repetitions per side, over as many sets as it takes."""
        return self.trials is not None and self.reps_by_side[side] >= self.trials

    def _hold_text(self, stance: str) -> str:
        return self._squat_text(stance, self.reps_by_side[stance])

    def _squat_text(self, stance: str, done: int) -> str:
        total = f" of {self.trials}" if self.trials is not None else ""
        return (
            f"On your {stance} leg: squat down slowly and come back up "
            f"(repetition {done + 1}{total})."
        )

    def _on_extra_event(self, ev: Event) -> None:
        if ev.kind != "squat":
            return
        d = ev.data
        op = self._open
        if op is not None:
            side = op.stance_side or ""
            ok = (
                ev.side == side
                and d["start_s"] >= op.start - EPS_S
                and (self._pending_end is None or d["end_s"] <= self._pending_end[0])
            )
            if not ok:
                return
            self._add_rep(side, d, op.number)
            op.reps += 1
            if self._side_done(side):
                self._propose_end(d["end_s"], "reps_done")
            else:
                self._say(self._squat_text(side, self.reps_by_side[side]), side)
        elif self.records:
            # A repetition confirmed just after its set closed (the foot came down right away).
            last = self.records[-1]
            t_end = last["end_s"] + (self.t0 or 0.0)
            t_start = last["start_s"] + (self.t0 or 0.0)
            if (
                ev.side == last["stance_side"]
                and d["start_s"] >= t_start - EPS_S
                and d["end_s"] <= t_end + EPS_S
                and last["stop_reason"] != "reps_done"
            ):
                self._add_rep(last["stance_side"], d, last["trial"])
                last["reps"] += 1

    def _add_rep(self, stance: str, d: dict[str, float], set_no: int) -> None:
        self.reps_by_side[stance] += 1
        rep = {
            "rep": len(self.reps) + 1,
            "set": set_no,
            "stance_side": stance,
            "start_s": self._rel(d["start_s"]),
            "bottom_s": self._rel(d["bottom_s"]),
            "end_s": self._rel(d["end_s"]),
            "metrics": self._rep_metrics(stance, d),
        }
        self.reps.append(rep)
        self._emit("rep", **rep)

    def _rep_metrics(self, stance: str, d: dict[str, float]) -> dict[str, Any]:
        from ..signal import lowpass

        frames = self._history.slice(d["start_s"], d["end_s"], inclusive=True)
        m = measure(frames, stance, self.fs_hz)
        ml, _ = stance_ml(frames, stance)
        m["duration_s"] = d["end_s"] - d["start_s"]
        m["descent_s"] = d["bottom_s"] - d["start_s"]
        m["ascent_s"] = d["end_s"] - d["bottom_s"]
        m["com_depth_mm"] = d["depth_mm"]
        for key in (
            "descent_ml_range_mm",
            "descent_ml_path_mm",
            "ascent_ml_range_mm",
            "ascent_ml_path_mm",
        ):
            m[key] = None
        if ml.size >= 16 and np.all(np.isfinite(ml)):
            try:
                x = lowpass(ml, self.fs_hz, 10.0) if self.fs_hz > 20.0 else ml
            except AnalysisError:
                x = ml
            cut = int(np.searchsorted(frames.t_s, d["bottom_s"] - EPS_S))
            for phase, seg in (("descent", x[: cut + 1]), ("ascent", x[cut:])):
                if seg.size >= 2:
                    m[f"{phase}_ml_range_mm"] = float(seg.max() - seg.min())
                    m[f"{phase}_ml_path_mm"] = float(np.abs(np.diff(seg)).sum())
        rng = m.get("ml_range_mm")
        span = self.foot_span_mm.get(stance)
        m["ml_range_pct_span"] = (
            None if rng is None or span is None else 100.0 * rng / (span[1] - span[0])
        )
        # With a pelvis sensor: the lifted side's largest drop in this repetition.
        pf = pelvis_fields(frames, stance, None if span is None else sum(span) / 2)
        if pf:
            m["pelvic_drop_peak_deg"] = pf["pelvic_drop_peak_deg"]
            m["pelvic_drop_mean_deg"] = pf["pelvic_drop_mean_deg"]
        return m

    def _record(self, op: OpenTrial, end: float, reason: str) -> dict[str, Any]:
        return {
            "trial": op.number,
            "stance_side": op.stance_side,
            "start_s": self._rel(op.start),
            "end_s": self._rel(end),
            "duration_s": end - op.start,
            "stop_reason": reason,
            "reps": op.reps,
        }

    def _end_text(self, reason: str, rec: dict[str, Any]) -> str:
        head = f"{rec['reps']} repetition{'s' if rec['reps'] != 1 else ''}. "
        return head + super()._end_text(reason, {})

    def _notes(self) -> list[str]:
        notes = super()._notes()
        if not notes and self.records and not self.reps:
            notes.append("stood on one leg but no squat was found in the vertical force")
        return notes

    def _result(self) -> dict[str, Any]:
        per: dict[str, Any] = {}
        for side in SIDES:
            reps = [r for r in self.reps if r["stance_side"] == side]
            if not reps:
                continue

            def mean(key: str, reps: list[dict[str, Any]] = reps) -> float | None:
                got = [r["metrics"].get(key) for r in reps]
                v = [x for x in got if x is not None]
                return float(np.mean(v)) if v else None

            per[side] = {
                "reps": len(reps),
                "mean_duration_s": mean("duration_s"),
                "mean_ml_range_mm": mean("ml_range_mm"),
                "mean_ml_path_mm": mean("ml_path_mm"),
                "mean_ml_range_pct_span": mean("ml_range_pct_span"),
                "mean_com_depth_mm": mean("com_depth_mm"),
            }
        rng = {s: per[s]["mean_ml_range_mm"] for s in per}
        summary = {
            **per,
            "ml_range_asymmetry_pct": asymmetry(rng.get("left"), rng.get("right")),
        }
        return {
            "reps": list(self.reps),
            "sets": list(self.records),
            "summary": summary,
            "scale_limits": SCALE_LIMITS,
        }
