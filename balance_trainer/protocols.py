"""Clinical tests that run themselves: the protocol engine, live and offline alike.

A protocol is fed the board's balance stream block by block and decides everything from the
frames' timestamps (never a wall clock), so a recording replayed in virtual time gives the
result the live run gave, to the sample::

    proto = make_protocol("single-leg-stance", side="left", eyes="open", trials=3)
    for block in stream:
        for event in proto.feed(block):   # ProtocolEvent(kind, t_s, data)
            ...                           # "prompt", "countdown", "trial_started", ...
        if proto.done:
            break
    proto.finish()
    proto.result()                        # JSON-ready dict
    proto.summary_lines()                 # a readable table

Tests (the registry :data:`PROTOCOLS`):

``single-leg-stance``
    Unipedal stance test. Per side (the *stance* side: the leg stood on), eyes open or closed,
    ``trials`` trials (3 by default), up to ``max_time_s`` (45 s by default; 30/45/60 on the
    command line). A trial starts at lift-off and ends at touchdown, step-off, a foot shift of
    the stance foot, or the maximum time, whichever comes first (``stop_reason``). Result per
    trial: hold time and the sway measures under the stance foot; per side the best and mean
    hold; left/right asymmetry; the published norm for the person's age where one exists.
``single-leg-squat``
    ``trials`` repetitions (5 by default) per side while standing on one leg. Per repetition:
    start, bottom and end, and the ML COP range and path under the stance foot during descent
    and ascent, its duration and the pelvic-control index (below).
``hip-stability``
    The Trendelenburg idea on a scale: a 30 s single-leg hold per side, with the ML drift of the
    COP toward the lifted side and the ML sway.
``mctsib``
    Modified Clinical Test of Sensory Interaction in Balance: standing on both feet, eyes open
    and closed, on the firm board and on a foam pad, 30 s each, with a composite and ratios.
``weight-bearing-symmetry``
    10 s on both feet: the share of the weight on each foot.

Definitions the tests add to those of :mod:`balance_trainer.events`:

* **pelvic-control index** (squats): the ML COP range under the stance foot during the
  repetition divided by half a typical foot width (``foot_half_width_mm``, 45 mm). 0 means the
  load stayed on one line under the foot; 1 means it swept as far as from the middle of the foot
  to its edge. Lower is better. It measures the load under the foot, not the pelvis.
* **ML drift** (hip stability): mean ML COP under the stance foot over the last third of the
  hold minus that over the first third, signed positive toward the lifted side, after skipping
  the first ``drift_skip_s`` (the weight settling over the foot after lift-off); and the
  least-squares slope of the same series, mm/s, with the same sign.
* **mCTSIB**: the sway velocity of each condition is the planar mean COP velocity where the
  board measures AP, else the ML mean velocity (mm/s). Composite: the mean over the four
  conditions (reported only when all four ran their full time). Ratios of velocities to
  condition 1 (eyes open, firm): ``somatosensory`` = C2/C1 (eyes closed, firm: balance from
  the feet and inner ear), ``visual`` = C3/C1 (eyes open, foam: balance from vision and inner
  ear), ``vestibular`` = C4/C1 (eyes closed, foam: inner ear alone). 1 means no extra sway; the
  higher the ratio, the more sway when that system has to carry balance.
* **false start** (single-leg stance, hip stability): a foot back down within
  ``false_start_s`` (1 s) of lift-off does not count as a trial; it is listed under
  ``false_starts`` and the person tries again. After ``max_false_starts`` (2) in a row on a
  side, a short hold counts, so someone who cannot hold a second still gets a result.
* **asymmetry** (per side results): 100 × (left − right) / max(left, right), %; positive when
  the left value is larger. Weight-bearing asymmetry: 100 × (left − right) / (left + right) of
  the loads.

Times in results are seconds from the first frame fed (the recording's start); times in
:class:`ProtocolEvent` are in the frames' own clock.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .balance import BalanceBlock, BalanceModel
from .errors import AnalysisError, ProtocolError, UsageError
from .events import OTHER_SIDE, Event, EventDetector, EventSettings

__all__ = [
    "PROTOCOLS",
    "ProtocolEvent",
    "ProtocolSettings",
    "Protocol",
    "make_protocol",
    "protocol_names",
    "analyze_recording_for_test",
    "format_result",
    "SIDES",
]

SIDES = ("left", "right")
EPS_S = 1e-9

STEP_ON = "Step onto the board and stand on both feet."
STAND_STILL = "Stand still on both feet."
SCALE_LIMITS = (
    "What a scale can see: where the load falls under the stance foot and how it moves. "
    "What it cannot see: the pelvis itself. A hip drop (Trendelenburg sign) shows here only "
    "as the load drifting toward the lifted side or swaying more; a person can keep the load "
    "steady while the pelvis drops, or lean the trunk to compensate. Confirm by watching."
)


@dataclass(frozen=True)
class ProtocolEvent:
    """Something a face should show or say.

    Attributes
    ----------
    kind : str
        ``prompt`` (``data["text"]``; ``data["stance"]`` where the prompt asks for a stance:
        ``both``, ``left``, ``right``, ``off``), ``countdown`` (``data["remaining"]``, s),
        ``trial_started`` (``data["stance_side"]``, ``data["trial"]``), ``trial_ended``
        (``data`` is the trial's result entry), ``false_start`` (a hold under a second that
        does not count), ``rep`` (the repetition's entry), ``done``.
    t_s : float
        When, in the frames' clock, s.
    data : dict
    """

    kind: str
    t_s: float
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProtocolSettings:
    """Settings of the tests themselves (the event thresholds are in ``events``)."""

    events: EventSettings = field(default_factory=EventSettings)
    countdown_s: int = 3
    """Seconds counted down before a trial (bipedal tests start when it reaches zero)."""
    rest_s: float = 3.0
    """Rest on both feet between trials before the next countdown."""
    foot_half_width_mm: float = 45.0
    """Half a typical adult foot's width: the scale of the pelvic-control index."""
    drift_skip_s: float = 2.0
    """Hip stability: seconds after lift-off left out of the drift (weight settling)."""
    false_start_s: float = 1.0
    """Single-leg stance and hip stability: a foot back down sooner than this after lift-off
    is a false start, not a trial; the person is asked to try again."""
    max_false_starts: int = 2
    """False starts in a row allowed per side; after that a short hold counts as a trial, so
    someone who really cannot hold a second still gets a result."""
    history_s: float = 12.0
    """Frames kept for look-back besides the current trial, s."""

    def __post_init__(self) -> None:
        if not isinstance(self.events, EventSettings):
            raise ProtocolError("ProtocolSettings.events must be an EventSettings")
        if (
            isinstance(self.countdown_s, bool)
            or not isinstance(self.countdown_s, int)
            or not 0 <= self.countdown_s <= 60
        ):
            raise ProtocolError(f"countdown_s is {self.countdown_s!r}; give whole seconds 0-60")
        if (
            isinstance(self.max_false_starts, bool)
            or not isinstance(self.max_false_starts, int)
            or self.max_false_starts < 0
        ):
            raise ProtocolError(
                f"max_false_starts is {self.max_false_starts!r}; give a whole number ≥ 0"
            )
        for name in ("rest_s", "foot_half_width_mm", "drift_skip_s", "history_s", "false_start_s"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise ProtocolError(f"protocol setting {name} is {v!r}; give a number ≥ 0")
        if self.foot_half_width_mm <= 0 or self.history_s < 2.0:
            raise ProtocolError("foot_half_width_mm must be > 0 and history_s at least 2 s")


def _settings(value: Any) -> ProtocolSettings:
    if value is None:
        return ProtocolSettings()
    if isinstance(value, ProtocolSettings):
        return value
    if isinstance(value, EventSettings):
        return ProtocolSettings(events=value)
    if isinstance(value, Mapping):
        own = {f.name for f in fields(ProtocolSettings)} - {"events"}
        mine = {k: v for k, v in value.items() if k in own}
        ev = {k: v for k, v in value.items() if k not in own and k != "events"}
        base = value.get("events", EventSettings())
        if isinstance(base, Mapping):
            base = EventSettings().replace(**base)
        return ProtocolSettings(events=base.replace(**ev) if ev else base, **mine)
    raise ProtocolError(f"settings {value!r}: give ProtocolSettings, EventSettings or a dict")


# --- frames kept for measuring trials ---------------------------------------------------------


class _History:
    """Balance frames kept for computing a trial's measures once it is over."""

    def __init__(self) -> None:
        self._blocks: list[BalanceBlock] = []

    def append(self, block: BalanceBlock) -> None:
        if len(block):
            self._blocks.append(block)

    def trim(self, before_s: float) -> None:
        """Forget blocks that end before ``before_s``."""
        while self._blocks and self._blocks[0].t_s[-1] < before_s:
            self._blocks.pop(0)

    def slice(self, t0: float, t1: float, *, inclusive: bool = False) -> BalanceBlock:
        """Frames with ``t0 ≤ t < t1`` (``≤ t1`` with ``inclusive``)."""
        parts = []
        for b in self._blocks:
            if b.t_s[-1] < t0 - EPS_S or b.t_s[0] > t1 + EPS_S:
                continue
            mask = (b.t_s >= t0 - EPS_S) & (
                (b.t_s <= t1 + EPS_S) if inclusive else (b.t_s < t1 - EPS_S)
            )
            if mask.any():
                parts.append(BalanceBlock(*(getattr(b, f)[mask] for f in BalanceBlock.FIELDS)))
        if not parts:
            return BalanceBlock(
                *(
                    np.zeros(0, dtype=bool if f == "on_board" else float)
                    for f in BalanceBlock.FIELDS
                )
            )
        return parts[0] if len(parts) == 1 else BalanceBlock.concatenate(parts)


def _stance_ml(b: BalanceBlock, stance: str | None) -> tuple[np.ndarray, str]:
    """ML COP under the stance foot where the board resolves it, else the whole board's."""
    if stance in SIDES:
        own = b.left_cop_ml_mm if stance == "left" else b.right_cop_ml_mm
        if own.size and np.all(np.isfinite(own)):
            return own, "stance foot"
    return b.cop_ml_mm, "whole board"


def _measure(b: BalanceBlock, stance: str | None, fs_hz: float) -> dict[str, Any]:
    """DESIGN.md sway measures of a stretch of frames (``None`` where it cannot be measured)."""
    from .analysis import RESULT_NAMES, analyze_trial

    ml, source = _stance_ml(b, stance)
    ap = b.cop_ap_mm if b.cop_ap_mm.size and np.all(np.isfinite(b.cop_ap_mm)) else None
    try:
        # Cell noise can make an unloaded side read a few newtons below zero; a share a hair
        # outside 0..1 is that noise, not an error in the data.
        share = np.clip(b.left_share, 0.0, 1.0)
        m = analyze_trial(b.t_s, ml, ap, load_n=b.total_n, left_share=share, fs_hz=fs_hz)
    except AnalysisError as exc:
        m = {name: None for name in RESULT_NAMES}
        m["duration_s"] = float(len(b) / fs_hz)
        m["note"] = str(exc)
    m.pop("processing", None)
    m["ml_source"] = source
    return m


def _asymmetry(left: float | None, right: float | None) -> float | None:
    """100 × (left − right) / max(left, right), % (None without both, or both zero)."""
    if left is None or right is None:
        return None
    big = max(left, right)
    return None if big <= 0 else 100.0 * (left - right) / big


def _clean(v: Any, nd: int = 4) -> Any:
    """JSON-ready: floats rounded, NaN and infinity as None, numpy scalars as Python."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return round(f, nd) if math.isfinite(f) else None
    if isinstance(v, Mapping):
        return {str(k): _clean(x, nd) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x, nd) for x in v]
    return v


def _fmt(v: Any, spec: str = "{:.1f}") -> str:
    return "-" if v is None else spec.format(v)


# --- the engine -------------------------------------------------------------------------------


class Protocol:
    """The common engine: time from frames, prompts, countdowns, timers, trial endings.

    Parameters
    ----------
    side : str or None
        Stance side ``left`` or ``right``; ``both`` for left then right; None for either side,
        in any order (what offline analysis uses to find every trial).
    eyes : str
        ``open`` or ``closed`` (recorded with the result; the board cannot tell).
    trials : int or None
        Trials (repetitions for squats) per side; None for no limit.
    max_time_s : float or None
        Longest trial, s; None for the test's default.
    age : float or None
        The person's age in years, for the norms.
    settings : ProtocolSettings, EventSettings, dict or None
    fs_hz : float
        Nominal frame rate, Hz.
    body_weight_n : float or None
        Body weight to use instead of measuring it (N).
    """

    name = "protocol"
    title = "Protocol"
    default_side: str | None = None
    default_trials: int | None = 1
    default_max_time_s: float | None = 45.0
    sided = True

    def __init__(
        self,
        *,
        side: str | None = "default",
        eyes: str = "open",
        trials: int | None | str = "default",
        max_time_s: float | None = None,
        age: float | None = None,
        settings: Any = None,
        fs_hz: float = 80.0,
        body_weight_n: float | None = None,
    ) -> None:
        if side == "default":
            side = self.default_side
        if side not in (None, "left", "right", "both", "any"):
            raise UsageError(f"--side {side!r}: use left or right (the leg to stand on)")
        self.side = None if side == "any" else side
        if eyes not in ("open", "closed"):
            raise UsageError(f"--eyes {eyes!r}: use open or closed")
        self.eyes = eyes
        if trials == "default":
            trials = self.default_trials
        if trials is not None and (
            isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= 100
        ):
            raise UsageError(f"--trials {trials!r}: give a whole number from 1 to 100")
        self.trials = trials
        mt = self.default_max_time_s if max_time_s is None else max_time_s
        if mt is not None and not (
            isinstance(mt, (int, float)) and math.isfinite(mt) and 1.0 <= mt <= 600.0
        ):
            raise UsageError(f"--max-time {max_time_s!r}: give seconds from 1 to 600")
        self.max_time_s = None if mt is None else float(mt)
        if age is not None and not (isinstance(age, (int, float)) and 0 <= age <= 120):
            raise UsageError(f"--age {age!r}: give the person's age in years (0-120)")
        self.age = age
        self.settings = _settings(settings)
        if not (isinstance(fs_hz, (int, float)) and math.isfinite(fs_hz) and fs_hz > 0):
            raise ProtocolError(f"frame rate {fs_hz!r} Hz: give a positive rate such as 80")
        self.fs_hz = float(fs_hz)
        self.detector = EventDetector(
            self.settings.events, fs_hz=self.fs_hz, body_weight_n=body_weight_n
        )
        ev = self.settings.events
        # A trial's end waits this long for an ending that happened earlier but is confirmed
        # later (a step-off needs 0.1 s to be sure, a touchdown 50 ms).
        self._end_wait_s = max(ev.brush_s, ev.step_hold_s, ev.foot_shift_hold_s) + 2.0 / self.fs_hz
        self._history = _History()
        self.phase = "waiting_on_board"
        self.prompt = STEP_ON
        self.done = False
        self.t0: float | None = None
        self.now: float | None = None
        self.stance = "unknown"
        self.body_weight_n: float | None = None
        self._timers: dict[str, float] = {}
        self._out: list[ProtocolEvent] = []
        self._open: dict[str, Any] | None = None  # the trial in progress
        self._pending_end: tuple[float, str] | None = None
        self._max_total = 0.0
        self._ever_bipedal = False
        self._ever_lifted = False
        self._finished = False

    # -- public face ------------------------------------------------------------------------
    @property
    def elapsed_s(self) -> float:
        """Time in the current trial, s (0 between trials)."""
        if self._open is None or self.now is None:
            return 0.0
        return max(0.0, self.now - self._open["start"])

    @property
    def in_trial(self) -> bool:
        return self._open is not None

    def feed(self, block: BalanceBlock) -> list[ProtocolEvent]:
        """Advance through a block of frames; the events a face should show, in time order."""
        self._out = []
        n = len(block)
        if n == 0 or self.done or self._finished:
            return self._out
        t = block.t_s
        if self.t0 is None:
            self.t0 = float(t[0])
            self.now = self.t0
            self._out.append(ProtocolEvent("prompt", self.t0, {"text": self.prompt}))
        self._max_total = max(self._max_total, float(np.max(block.total_n)))
        self._history.append(block)
        events = self.detector.feed(block)
        i = 0
        while not self.done:
            ev = events[i] if i < len(events) else None
            due = self._next_timer(t)
            if ev is None and due is None:
                break
            if ev is not None and (due is None or ev.known_s <= due[0]):
                self.now = max(self.now, ev.known_s)
                self._on_detector(ev)
                i += 1
            else:
                assert due is not None
                self.now = max(self.now, due[0])
                del self._timers[due[1]]
                self._on_timer(due[1])
        if not self.done:
            self.now = float(t[-1])
            self._after_block()
        keep = self.now - self.settings.history_s
        if self._open is not None:
            keep = min(keep, self._open["start"] - 1.0)
        self._history.trim(keep)
        return self._out

    def finish(self) -> list[ProtocolEvent]:
        """The data has ended: close a trial still open (``stop_reason`` ``end_of_data``)."""
        self._out = []
        if self._finished or self.done or self.now is None:
            self._finished = True
            return self._out
        if self._open is not None:
            if self._pending_end is not None:
                t, reason = self._pending_end
            else:
                t, reason = self.now, "end_of_data"
            self._close_trial(t, reason)
        self._finished = True
        return self._out

    def result(self) -> dict[str, Any]:
        """The test's result, JSON-ready (see each test's docstring for its keys)."""
        out: dict[str, Any] = {"test": self.name, "params": self.params()}
        out["body_weight_n"] = self.body_weight_n
        out.update(self._result())
        notes = self._notes()
        if notes:
            out["notes"] = notes
        return _clean(out)

    def summary_lines(self) -> list[str]:
        """The result as a readable table."""
        return format_result(self.result())

    def params(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "eyes": self.eyes,
            "trials": self.trials,
            "max_time_s": self.max_time_s,
            "age": self.age,
        }

    # -- helpers for the tests --------------------------------------------------------------
    def _rel(self, t: float) -> float:
        return t - (self.t0 or 0.0)

    def _emit(self, kind: str, t: float | None = None, **data: Any) -> None:
        self._out.append(ProtocolEvent(kind, self.now if t is None else t, data))

    def _say(self, text: str, stance: str | None = None) -> None:
        """Show ``text``; ``stance`` is what it asks of the body (for a simulated person)."""
        if text != self.prompt:
            self.prompt = text
            if stance is None:
                self._emit("prompt", text=text)
            else:
                self._emit("prompt", text=text, stance=stance)

    def _set_timer(self, name: str, at: float) -> None:
        self._timers[name] = at

    def _next_timer(self, t: np.ndarray) -> tuple[float, str] | None:
        """The earliest timer that falls due within this block: (frame time, name)."""
        if not self._timers:
            return None
        name = min(self._timers, key=lambda k: (self._timers[k], k))
        at = max(self._timers[name], self.now if self.now is not None else -math.inf)
        k = int(np.searchsorted(t, at - EPS_S, side="left"))
        if k >= t.shape[0]:
            return None
        return float(t[k]), name

    def _start_countdown(self) -> None:
        self._cd_left = self.settings.countdown_s
        self._set_timer("countdown", self.now)  # type: ignore[arg-type]

    def _tick_countdown(self) -> None:
        left = self._cd_left
        self._emit("countdown", remaining=left)
        if left > 0:
            self._cd_left = left - 1
            self._set_timer("countdown", self.now + 1.0)  # type: ignore[operator]
        else:
            self._countdown_done()

    def _countdown_done(self) -> None:
        """Hook: the countdown reached zero."""

    def _propose_end(self, t: float, reason: str) -> None:
        """An ending of the open trial at ``t``; the earliest one wins."""
        if self._open is None or t < self._open["start"] - EPS_S:
            return
        if self._pending_end is None or t < self._pending_end[0]:
            self._pending_end = (t, reason)
            self._set_timer("close", t + self._end_wait_s)

    def _close_trial(self, t: float, reason: str) -> None:
        """Hook: end the open trial at ``t`` for ``reason``."""
        raise NotImplementedError

    def _on_detector(self, ev: Event) -> None:
        self.stance = ev.data.get("stance", self.stance)
        if ev.kind == "body_weight":
            self.body_weight_n = ev.data["body_weight_n"]
            self._ever_bipedal = True
        elif ev.kind == "lift_off":
            self._ever_lifted = True
        self._on_event(ev)

    def _on_event(self, ev: Event) -> None:
        """Hook: a detector event."""

    def _on_timer(self, name: str) -> None:
        if name == "countdown":
            self._tick_countdown()
        elif name == "close":
            if self._pending_end is not None and self._open is not None:
                t, reason = self._pending_end
                self._close_trial(t, reason)
        elif name == "max_time":
            if self._open is not None and self.max_time_s is not None:
                self._propose_end(self._open["start"] + self.max_time_s, "max_time")
        else:
            self._on_other_timer(name)

    def _on_other_timer(self, name: str) -> None:
        """Hook: a test's own timer."""

    def _after_block(self) -> None:
        """Between body weight and the first events, say whether someone is on the board."""
        if self.detector.body_weight_n is None:
            on = self.detector.on_board
            self.phase = "baseline" if on else "waiting_on_board"
            self._say(STAND_STILL if on else STEP_ON, "both")

    def _finish_test(self) -> None:
        self.phase = "done"
        self.done = True
        self._timers.clear()
        self._say("Test complete. You can step off the board.")
        self._emit("done")

    def _notes(self) -> list[str]:
        ev = self.settings.events
        notes = []
        if self.t0 is None:
            notes.append("no frames: nothing to analyse")
        elif self._max_total < ev.on_board_n:
            notes.append(
                f"nobody stood on the board: the total load never reached "
                f"{ev.on_board_n:g} N (highest {self._max_total:.1f} N)"
            )
        elif not self._ever_bipedal:
            notes.append(
                f"body weight was never measured: nobody stood still on both feet for "
                f"{ev.baseline_settle_s + ev.baseline_s:g} s (each foot carrying at least "
                f"{100 * ev.bipedal_min_share:g} % of the load)"
            )
        return notes

    def _result(self) -> dict[str, Any]:
        raise NotImplementedError


# --- single-leg tests ------------------------------------------------------------------------


class _SingleLeg(Protocol):
    """Shared flow of the single-leg tests: ready, lift-off, hold, an ending, rest, next."""

    end_reasons = ("touchdown", "step_off", "foot_shift", "max_time")
    trial_word = "trial"
    false_starts_allowed = True

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.false_starts: list[dict[str, Any]] = []
        self._false_in_row = {"left": 0, "right": 0}
        if self.side == "both":
            self._plan: list[str] | None = ["left", "right"]
        elif self.side in SIDES:
            self._plan = [self.side]
        else:
            self._plan = None  # either side, in any order
        self._plan_i = 0
        self.trials_done = {"left": 0, "right": 0}
        self.records: list[dict[str, Any]] = []

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
        self.phase = "ready"
        self._say(self._ready_text(), "both")
        self._start_countdown()

    def _tick_countdown(self) -> None:
        if self.phase != "ready":
            return
        left = self._cd_left
        super()._tick_countdown()
        if left == 0:
            side = self.expected_side
            self._say(
                f"Lift your {OTHER_SIDE[side]} foot now." if side else "Lift a foot now.", side
            )

    # -- events ---------------------------------------------------------------------------
    def _on_event(self, ev: Event) -> None:
        k = ev.kind
        if k == "body_weight":
            if self._open is None and self.phase in ("waiting_on_board", "baseline"):
                self._get_ready()
        elif k == "step_on":
            if self._open is None:
                self.phase = "baseline"
                self._say(STAND_STILL, "both")
        elif k == "step_off":
            if self._open is not None:
                self._propose_end(ev.t_s, "step_off")
            else:
                self._timers.pop("rest", None)
                self._timers.pop("countdown", None)
                self.phase = "waiting_on_board"
                self._say(STEP_ON, "both")
        elif k == "lift_off":
            if self._open is None:
                self._maybe_start(ev)
        elif k == "touchdown":
            if self._open is not None and ev.side == OTHER_SIDE[self._open["stance_side"]]:
                self._propose_end(ev.t_s, "touchdown")
            elif self._open is None and self.phase == "between_trials":
                self._set_timer("rest", self.now + self.settings.rest_s)  # type: ignore
        elif k == "brush":
            if self._open is not None:
                self._open["brushes"] += 1
        elif k == "foot_shift":
            if (
                self._open is not None
                and "foot_shift" in self.end_reasons
                and ev.side == self._open["stance_side"]
            ):
                self._propose_end(ev.t_s, "foot_shift")
        self._on_extra_event(ev)

    def _on_extra_event(self, ev: Event) -> None:
        """Hook for the squat test."""

    def _maybe_start(self, ev: Event) -> None:
        stance = ev.data["stance_side"]
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
        self._open = {
            "stance_side": stance,
            "start": ev.t_s,
            "brushes": 0,
            "number": len(self.records) + 1,
        }
        self._pending_end = None
        self.phase = "in_trial"
        self._say(self._hold_text(stance), stance)
        self._emit(
            "trial_started",
            stance_side=stance,
            trial=self._open["number"],
            start_s=self._rel(ev.t_s),
        )
        if self.max_time_s is not None:
            self._set_timer("max_time", ev.t_s + self.max_time_s)
        self._on_started()

    def _hold_text(self, stance: str) -> str:
        return f"Hold still on your {stance} leg."

    def _on_started(self) -> None:
        """Hook: a trial has started."""

    def _close_trial(self, t: float, reason: str) -> None:
        op = self._open
        assert op is not None
        self._open = None
        self._pending_end = None
        for name in ("max_time", "close"):
            self._timers.pop(name, None)
        stance = op["stance_side"]
        st = self.settings
        if (
            self.false_starts_allowed
            and reason == "touchdown"
            and t - op["start"] < st.false_start_s
            and self._false_in_row[stance] < st.max_false_starts
        ):
            self._false_in_row[stance] += 1
            entry = {
                "stance_side": stance,
                "start_s": self._rel(op["start"]),
                "end_s": self._rel(t),
                "hold_s": t - op["start"],
            }
            self.false_starts.append(entry)
            self._emit("false_start", **entry)
            self.phase = "between_trials"
            self._say("Too quick: that did not count. Put your foot down, then try again.", "both")
            if self.stance == "both":
                self._set_timer("rest", self.now + st.rest_s)  # type: ignore[operator]
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
        self.phase = "between_trials"
        self._say(self._end_text(reason, rec), "both")
        if self.stance == "both":
            self._set_timer("rest", self.now + self.settings.rest_s)  # type: ignore[operator]

    def _end_text(self, reason: str, rec: dict[str, Any]) -> str:
        held = rec.get("hold_s")
        head = f"{held:.1f} s. " if held is not None else ""
        return head + {
            "touchdown": "Foot down. Rest on both feet.",
            "step_off": "You stepped off. Step back on with both feet.",
            "foot_shift": "Your standing foot moved. Put the other foot down and rest.",
            "max_time": "Time is up. Put your foot down and rest.",
            "reps_done": "All repetitions done. Put your foot down and rest.",
            "end_of_data": "Stopped.",
        }.get(reason, "Rest on both feet.")

    def _on_other_timer(self, name: str) -> None:
        if (
            name == "rest"
            and self._open is None
            and not self.done
            and self.phase == "between_trials"
            and self.stance == "both"
        ):
            self._get_ready()

    # -- records --------------------------------------------------------------------------
    def _record(self, op: dict[str, Any], end: float, reason: str) -> dict[str, Any]:
        stance = op["stance_side"]
        start = op["start"]
        frames = self._history.slice(start, end)
        return {
            "trial": op["number"],
            "stance_side": stance,
            "start_s": self._rel(start),
            "end_s": self._rel(end),
            "hold_s": end - start,
            "stop_reason": reason,
            "brushes": op["brushes"],
            "metrics": _measure(frames, stance, self.fs_hz),
        }

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
        return {
            "trials": list(self.records),
            "false_starts": list(self.false_starts),
            "summary": {**per, "asymmetry_pct": _asymmetry(left, right)},
        }


class SingleLegStance(_SingleLeg):
    """Unipedal stance test: hold time and sway under the stance foot, with age norms.

    Result: ``trials`` (``stance_side``, ``start_s``, ``end_s``, ``hold_s``, ``stop_reason``,
    ``metrics``), ``summary`` (per side ``trials``, ``best_hold_s``, ``mean_hold_s``;
    ``asymmetry_pct`` of the best holds), ``norm`` (Bohannon 2006 for 60+, eyes open; None
    where no norm applies).
    """

    name = "single-leg-stance"
    title = "Single-leg stance"
    default_side = "both"
    default_trials = 3
    default_max_time_s = 45.0

    def _result(self) -> dict[str, Any]:
        from .norms import compare_hold

        out = super()._result()
        holds = [r["hold_s"] for r in self.records]
        out["norm"] = compare_hold(max(holds) if holds else None, self.age, self.eyes)
        return out


class HipStability(_SingleLeg):
    """A 30 s single-leg hold per side: ML drift toward the lifted side and ML sway.

    Result: ``trials`` as the stance test, with ``ml_drift_mm`` and ``ml_drift_rate_mm_s``
    (positive toward the lifted side) in each trial's metrics; ``summary`` per side and the
    left/right asymmetry of the drift and of the ML RMS; ``scale_limits``: what a scale can
    and cannot see.
    """

    name = "hip-stability"
    title = "Hip stability hold"
    default_side = "both"
    default_trials = 1
    default_max_time_s = 30.0

    def _hold_text(self, stance: str) -> str:
        return f"Hold still on your {stance} leg, hips level, for {self.max_time_s:g} s."

    def _record(self, op: dict[str, Any], end: float, reason: str) -> dict[str, Any]:
        rec = super()._record(op, end, reason)
        stance = op["stance_side"]
        frames = self._history.slice(op["start"] + self.settings.drift_skip_s, end)
        rec["metrics"].update(drift(frames, stance))
        return rec

    def _result(self) -> dict[str, Any]:
        out = super()._result()
        summary = out["summary"]
        for key in ("ml_drift_mm", "ml_rms_mm"):
            vals = {}
            for side in SIDES:
                v = [r["metrics"].get(key) for r in self.records if r["stance_side"] == side]
                v = [x for x in v if x is not None]
                if v:
                    vals[side] = float(np.mean(v))
                    summary.setdefault(side, {})[f"mean_{key}"] = vals[side]
            if key == "ml_rms_mm":
                summary["ml_rms_asymmetry_pct"] = _asymmetry(vals.get("left"), vals.get("right"))
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
    ml, _ = _stance_ml(frames, stance)
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
    ``ascent_ml_path_mm``, ``com_depth_mm``, ``pelvic_control_index``), ``sets`` (each stretch
    on one leg: ``stance_side``, ``start_s``, ``end_s``, ``stop_reason``, ``reps``) and
    ``summary`` per side with the left/right asymmetry.
    """

    name = "single-leg-squat"
    title = "Single-leg squat"
    default_side = "both"
    default_trials = 5
    default_max_time_s = None  # a set ends at the repetition count or when the foot comes down
    end_reasons = ("touchdown", "step_off", "max_time", "reps_done")
    trial_word = "set"
    false_starts_allowed = False  # repetitions count, not sets

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.reps: list[dict[str, Any]] = []
        self.reps_by_side = {"left": 0, "right": 0}

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

    def _on_started(self) -> None:
        assert self._open is not None
        self._open["reps"] = 0

    def _on_extra_event(self, ev: Event) -> None:
        if ev.kind != "squat":
            return
        d = ev.data
        op = self._open
        if op is not None:
            ok = (
                ev.side == op["stance_side"]
                and d["start_s"] >= op["start"] - EPS_S
                and (self._pending_end is None or d["end_s"] <= self._pending_end[0])
            )
            if not ok:
                return
            side = op["stance_side"]
            self._add_rep(side, d, op["number"])
            op["reps"] += 1
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
        from .signal import lowpass

        frames = self._history.slice(d["start_s"], d["end_s"], inclusive=True)
        m = _measure(frames, stance, self.fs_hz)
        ml, _ = _stance_ml(frames, stance)
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
        m["pelvic_control_index"] = None if rng is None else rng / self.settings.foot_half_width_mm
        return m

    def _record(self, op: dict[str, Any], end: float, reason: str) -> dict[str, Any]:
        return {
            "trial": op["number"],
            "stance_side": op["stance_side"],
            "start_s": self._rel(op["start"]),
            "end_s": self._rel(end),
            "duration_s": end - op["start"],
            "stop_reason": reason,
            "reps": op.get("reps", 0),
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
                v = [r["metrics"].get(key) for r in reps]
                v = [x for x in v if x is not None]
                return float(np.mean(v)) if v else None

            per[side] = {
                "reps": len(reps),
                "mean_duration_s": mean("duration_s"),
                "mean_ml_range_mm": mean("ml_range_mm"),
                "mean_ml_path_mm": mean("ml_path_mm"),
                "mean_pelvic_control_index": mean("pelvic_control_index"),
                "mean_com_depth_mm": mean("com_depth_mm"),
            }
        pci = {s: per[s]["mean_pelvic_control_index"] for s in per}
        summary = {
            **per,
            "pelvic_control_asymmetry_pct": _asymmetry(pci.get("left"), pci.get("right")),
        }
        return {
            "reps": list(self.reps),
            "sets": list(self.records),
            "summary": summary,
            "scale_limits": SCALE_LIMITS,
        }


# --- tests on both feet -----------------------------------------------------------------------


class _Bipedal(Protocol):
    """Timed trials on both feet, each started by a countdown, one per condition."""

    sided = False
    default_side = None
    conditions: tuple[tuple[str, str, str, str], ...] = ()
    """(key, eyes, surface, instruction)"""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        if self.side is not None:
            raise UsageError(
                f"--side {self.side}: {self.name} is done on both feet; leave --side out"
            )
        self.records: list[dict[str, Any]] = []
        self._cond_i = 0
        self._need_step_off = False

    @property
    def _conds(self) -> list[tuple[str, str, str, str]]:
        return list(self.conditions)

    def _current(self) -> tuple[str, str, str, str] | None:
        c = self._conds
        return c[self._cond_i] if self._cond_i < len(c) else None

    def _get_ready(self) -> None:
        cond = self._current()
        if cond is None:
            return
        self.phase = "ready"
        self._say(cond[3], "both")
        self._start_countdown()

    def _tick_countdown(self) -> None:
        if self.phase == "ready":
            super()._tick_countdown()

    def _countdown_done(self) -> None:
        cond = self._current()
        if cond is None or self.stance != "both":
            return
        self._open = {"start": self.now, "condition": cond, "number": len(self.records) + 1}
        self._pending_end = None
        self.phase = "in_trial"
        self._say(f"Hold still for {self.max_time_s:g} s.", "both")
        self._emit(
            "trial_started",
            trial=self._open["number"],
            condition=cond[0],
            start_s=self._rel(self.now),
        )  # type: ignore[arg-type]
        if self.max_time_s is not None:
            self._set_timer("max_time", self.now + self.max_time_s)  # type: ignore[operator]

    def _on_event(self, ev: Event) -> None:
        k = ev.kind
        if k == "body_weight":
            if (
                self._open is None
                and self.phase in ("waiting_on_board", "baseline")
                and not self._need_step_off
            ):
                self._get_ready()
        elif k == "step_off":
            if self._open is not None:
                self._propose_end(ev.t_s, "step_off")
            else:
                self._timers.pop("countdown", None)
                self._timers.pop("rest", None)
                self._need_step_off = False
                self.phase = "waiting_on_board"
                if not self.done:
                    self._say(STEP_ON, "both")
        elif k == "step_on":
            if self._open is None:
                self.phase = "baseline"
                self._say(STAND_STILL, "both")
        elif k == "lift_off":
            if self._open is not None:
                self._propose_end(ev.t_s, "foot_lift")
            elif self.phase == "ready":
                self._timers.pop("countdown", None)
                self._say("Keep both feet on the board.", "both")
        elif k == "touchdown":
            if (
                self._open is None
                and self.phase in ("ready", "between_trials")
                and not self._need_step_off
            ):
                self._set_timer("rest", self.now + self.settings.rest_s)  # type: ignore

    def _on_other_timer(self, name: str) -> None:
        if (
            name == "rest"
            and self._open is None
            and not self._need_step_off
            and self.stance == "both"
            and not self.done
        ):
            self._get_ready()

    def _close_trial(self, t: float, reason: str) -> None:
        op = self._open
        assert op is not None
        self._open = None
        self._pending_end = None
        for name in ("max_time", "close"):
            self._timers.pop(name, None)
        frames = self._history.slice(op["start"], t)
        key, eyes, surface, _ = op["condition"]
        rec = {
            "trial": op["number"],
            "condition": key,
            "eyes": eyes,
            "surface": surface,
            "start_s": self._rel(op["start"]),
            "end_s": self._rel(t),
            "duration_s": t - op["start"],
            "stop_reason": reason,
            "metrics": _measure(frames, None, self.fs_hz),
        }
        rec.update(self._extra(frames))
        self.records.append(rec)
        self._emit("trial_ended", **rec)
        self._cond_i += 1
        nxt = self._current()
        if nxt is None:
            self._finish_test()
            return
        self.phase = "between_trials"
        if nxt[2] != op["condition"][2]:
            self._need_step_off = True
            self._say(
                "Done. Step off, put the foam pad on the board, then step back on."
                if nxt[2] == "foam"
                else "Done. Step off and take the foam pad away.",
                "off",
            )
        else:
            self._say("Done. Rest a moment on both feet.", "both")
            if self.stance == "both":
                self._set_timer("rest", self.now + self.settings.rest_s)  # type: ignore

    def _extra(self, frames: BalanceBlock) -> dict[str, Any]:
        return {}

    def _notes(self) -> list[str]:
        notes = super()._notes()
        if not notes and not self.records:
            notes.append(
                "no trial: no countdown finished with the person standing on both "
                "feet before the data ended"
            )
        return notes


class Mctsib(_Bipedal):
    """Modified CTSIB: eyes open/closed on firm ground and on foam, 30 s each.

    Result: ``conditions`` (``condition``, ``eyes``, ``surface``, ``start_s``, ``end_s``,
    ``duration_s``, ``stop_reason``, ``metrics``), ``velocity_measure`` (the metric used),
    ``velocities_mm_s`` per condition, ``composite_velocity_mm_s`` and ``ratios``
    (``somatosensory``, ``visual``, ``vestibular``; see the module docstring), ``complete``.
    """

    name = "mctsib"
    title = "mCTSIB"
    default_trials = None
    default_max_time_s = 30.0
    conditions = (
        (
            "eo_firm",
            "open",
            "firm",
            "Condition 1 of 4: feet together, arms crossed, eyes OPEN. Look straight ahead.",
        ),
        (
            "ec_firm",
            "closed",
            "firm",
            "Condition 2 of 4: feet together, arms crossed, eyes CLOSED.",
        ),
        ("eo_foam", "open", "foam", "Condition 3 of 4: on the foam, feet together, eyes OPEN."),
        ("ec_foam", "closed", "foam", "Condition 4 of 4: on the foam, feet together, eyes CLOSED."),
    )

    def params(self) -> dict[str, Any]:
        return {"max_time_s": self.max_time_s}

    def _result(self) -> dict[str, Any]:
        has_ap = all(r["metrics"].get("mean_velocity_mm_s") is not None for r in self.records)
        key = "mean_velocity_mm_s" if (self.records and has_ap) else "ml_mean_velocity_mm_s"
        vel: dict[str, float | None] = {c[0]: None for c in self.conditions}
        full = {c[0]: False for c in self.conditions}
        for r in self.records:
            vel[r["condition"]] = r["metrics"].get(key)
            full[r["condition"]] = r["stop_reason"] == "max_time"
        complete = all(full.values()) and all(v is not None for v in vel.values())
        v1 = vel["eo_firm"]

        def ratio(k: str) -> float | None:
            v = vel[k]
            return None if v is None or not v1 else v / v1

        return {
            "conditions": list(self.records),
            "velocity_measure": key,
            "velocities_mm_s": vel,
            "composite_velocity_mm_s": (float(np.mean(list(vel.values()))) if complete else None),
            "ratios": {
                "somatosensory": ratio("ec_firm"),
                "visual": ratio("eo_foam"),
                "vestibular": ratio("ec_foam"),
            },
            "complete": complete,
        }


class WeightBearingSymmetry(_Bipedal):
    """10 s on both feet: the share of body weight on each foot.

    Result: ``trials`` (``start_s``, ``end_s``, ``duration_s``, ``stop_reason``, ``left_share``,
    ``right_share``, ``asymmetry_pct`` = 100 (L − R)/(L + R), ``metrics``) and ``summary``.
    """

    name = "weight-bearing-symmetry"
    title = "Weight-bearing symmetry"
    default_trials = 1
    default_max_time_s = 10.0

    @property
    def _conds(self) -> list[tuple[str, str, str, str]]:
        n = self.trials or 1
        return [
            (
                "both_feet",
                "open",
                "firm",
                "Stand on both feet, weight as even as feels natural. Look ahead.",
            )
        ] * n

    def _current(self) -> tuple[str, str, str, str] | None:
        c = self._conds
        return c[self._cond_i] if self._cond_i < len(c) else None

    def params(self) -> dict[str, Any]:
        return {"trials": self.trials, "max_time_s": self.max_time_s}

    def _extra(self, frames: BalanceBlock) -> dict[str, Any]:
        if len(frames) == 0:
            return {"left_share": None, "right_share": None, "asymmetry_pct": None}
        left = float(np.mean(frames.left_n))
        right = float(np.mean(frames.right_n))
        tot = left + right
        if tot <= 0:
            return {"left_share": None, "right_share": None, "asymmetry_pct": None}
        return {
            "left_share": left / tot,
            "right_share": right / tot,
            "left_n": left,
            "right_n": right,
            "asymmetry_pct": 100.0 * (left - right) / tot,
        }

    def _result(self) -> dict[str, Any]:
        shares = [r["left_share"] for r in self.records if r.get("left_share") is not None]
        summary = None
        if shares:
            ls = float(np.mean(shares))
            summary = {
                "left_share": ls,
                "right_share": 1.0 - ls,
                "asymmetry_pct": 100.0 * (2.0 * ls - 1.0),
                "more_on": "left" if ls > 0.5 else ("right" if ls < 0.5 else "neither"),
            }
        return {"trials": list(self.records), "summary": summary}


PROTOCOLS: dict[str, type[Protocol]] = {
    cls.name: cls
    for cls in (SingleLegStance, SingleLegSquat, HipStability, Mctsib, WeightBearingSymmetry)
}
"""Every test by name."""


def protocol_names() -> list[str]:
    return list(PROTOCOLS)


def make_protocol(name: str, **params: Any) -> Protocol:
    """A fresh protocol by name; ``params`` as :class:`Protocol` takes them.

    Raises
    ------
    UsageError
        Unknown test name, or a parameter a person could have mistyped (side, eyes, trials,
        max time, age).
    ProtocolError
        Settings that make no sense.
    """
    cls = PROTOCOLS.get(name)
    if cls is None:
        raise UsageError(f"test {name!r} does not exist; use one of {', '.join(PROTOCOLS)}")
    return cls(**params)


# --- offline ----------------------------------------------------------------------------------


def _block_from_file(path: str | os.PathLike[str]) -> tuple[BalanceBlock, float, str]:
    """The balance block of a recording or a two-plate lab file, its rate and format."""
    from .readers import detect_format, read_trial
    from .recording import read_recording

    kind = detect_format(path)
    if kind == "balance-trainer":
        rec = read_recording(path)
        block = BalanceModel(rec.board).compute(rec.t_s, rec.forces_n)
        return block, float(rec.board.sample_rate_hz), kind
    trial = read_trial(path, kind)
    if not trial.two_sided:
        raise AnalysisError(
            f"{path}: a {kind} file has one force plate for both feet; clinical tests need the "
            "load under each foot (our recordings or PDS two-plate *grf.txt files)"
        )
    t = trial.t_s
    nan = np.full(t.shape, np.nan)
    total = np.asarray(trial.load_n, dtype=float)
    block = BalanceBlock(
        t,
        total,
        trial.cop_ml_mm,
        trial.cop_ap_mm if trial.cop_ap_mm is not None else nan,
        trial.left_n,
        trial.right_n,
        trial.left_share if trial.left_share is not None else trial.left_n / total,
        trial.left_cop_ml_mm if trial.left_cop_ml_mm is not None else nan,
        trial.right_cop_ml_mm if trial.right_cop_ml_mm is not None else nan,
        total >= 50.0,
    )
    rate = trial.sample_rate_hz or float((t.size - 1) / (t[-1] - t[0]))
    return block, rate, kind


OFFLINE_BLOCK = 4096
"""Frames per block when a recording is fed to a protocol (any size gives the same result)."""


def analyze_recording_for_test(
    path: str | os.PathLike[str], name: str, **params: Any
) -> dict[str, Any]:
    """Find the trials of clinical test ``name`` in a recording and measure them.

    The recording is replayed through the same engine the live test uses. Unless ``params``
    say otherwise, trials on either side are found (``side=None``) and their number is not
    limited (``trials=None``); ``max_time_s`` and every threshold keep the test's defaults,
    so a recording of a live test gives the live result.

    Returns
    -------
    dict
        :meth:`Protocol.result`. A recording that holds no trial gives an empty list and a
        ``notes`` entry saying why (nobody on the board, never on both feet, no foot lifted).

    Raises
    ------
    UsageError
        Unknown test name or bad parameters.
    RecordingError, DataFormatError, AnalysisError
        The file cannot be read, or holds only one plate for both feet.
    """
    cls = PROTOCOLS.get(name)
    if cls is None:
        raise UsageError(f"--test {name!r}: no such test; use one of {', '.join(PROTOCOLS)}")
    defaults: dict[str, Any] = {}
    if issubclass(cls, _SingleLeg):
        defaults = {"side": None, "trials": None}
    defaults.update(params)
    block, fs, _ = _block_from_file(path)
    proto = cls(fs_hz=fs, **defaults)
    n = len(block)
    for i in range(0, n, OFFLINE_BLOCK):
        proto.feed(
            BalanceBlock(*(getattr(block, f)[i : i + OFFLINE_BLOCK] for f in BalanceBlock.FIELDS))
        )
        if proto.done:
            break
    proto.finish()
    return proto.result()


# --- the readable table -----------------------------------------------------------------------


def format_result(result: Mapping[str, Any]) -> list[str]:
    """A result (as :meth:`Protocol.result` gives it) as readable lines."""
    name = result.get("test", "")
    cls = PROTOCOLS.get(name)
    lines = [cls.title if cls else str(name)]
    p = result.get("params", {})
    bits = []
    if p.get("eyes"):
        bits.append(f"eyes {p['eyes']}")
    if p.get("max_time_s"):
        bits.append(f"max {p['max_time_s']:g} s")
    if p.get("age") is not None:
        bits.append(f"age {p['age']:g}")
    if result.get("body_weight_n"):
        bits.append(f"body weight {result['body_weight_n'] / 9.80665:.1f} kg")
    if bits:
        lines[0] += " (" + ", ".join(bits) + ")"
    if name in ("single-leg-stance", "hip-stability"):
        lines += _table_single(result, drift=name == "hip-stability")
    elif name == "single-leg-squat":
        lines += _table_squat(result)
    elif name == "mctsib":
        lines += _table_mctsib(result)
    elif name == "weight-bearing-symmetry":
        lines += _table_wbs(result)
    if result.get("scale_limits"):
        lines.append("")
        lines.append("Note: " + result["scale_limits"])
    for note in result.get("notes", []):
        lines.append(f"note: {note}")
    return lines


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    fmt = "  ".join(f"{{:<{w}}}" if i < 2 else f"{{:>{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*header).rstrip(), fmt.format(*("-" * w for w in widths)).rstrip()]
    out += [fmt.format(*r).rstrip() for r in rows]
    return out


def _table_single(r: Mapping[str, Any], drift: bool) -> list[str]:
    trials = r.get("trials", [])
    if not trials:
        return ["no trials found"]
    header = ["trial", "side", "hold s", "stop", "ML RMS mm", "ML vel mm/s"]
    if drift:
        header += ["drift mm", "drift mm/s"]
    rows = []
    for t in trials:
        m = t.get("metrics", {})
        row = [
            str(t.get("trial", "")),
            t["stance_side"],
            _fmt(t["hold_s"]),
            t["stop_reason"],
            _fmt(m.get("ml_rms_mm")),
            _fmt(m.get("ml_mean_velocity_mm_s")),
        ]
        if drift:
            row += [
                _fmt(m.get("ml_drift_mm"), "{:+.1f}"),
                _fmt(m.get("ml_drift_rate_mm_s"), "{:+.2f}"),
            ]
        rows.append(row)
    out = _grid(header, rows)
    s = r.get("summary", {})
    for side in SIDES:
        if side in s:
            x = s[side]
            out.append(
                f"{side}: best {x['best_hold_s']:.1f} s, mean {x['mean_hold_s']:.1f} s "
                f"({x['trials']} trial{'s' if x['trials'] != 1 else ''})"
            )
    fs = r.get("false_starts") or []
    if fs:
        out.append(f"false starts (foot down within a second, not counted): {len(fs)}")
    a = s.get("asymmetry_pct")
    if a is not None:
        longer = "left" if a > 0 else "right"
        out.append(
            f"asymmetry of best holds: {abs(a):.0f} %"
            + (f" (longer on the {longer})" if abs(a) >= 0.5 else "")
        )
    if drift and s.get("ml_drift_difference_mm") is not None:
        out.append(
            f"drift toward the lifted side, left minus right stance: "
            f"{s['ml_drift_difference_mm']:+.1f} mm"
        )
    norm = r.get("norm")
    if norm:
        line = (
            f"norm: mean {norm['mean_s']:g} s for ages {norm['age_band']}, eyes "
            f"{norm['eyes']} ({norm['source'].split(' Single')[0]})"
        )
        if norm.get("comparison"):
            line += f"; best hold {norm['best_hold_s']:.1f} s is {norm['comparison']}"
        out.append(line)
    elif r.get("params", {}).get("age") is not None and not drift:
        out.append("norm: no published norm cited here for this age and condition")
    return out


def _table_squat(r: Mapping[str, Any]) -> list[str]:
    reps = r.get("reps", [])
    if not reps:
        return ["no repetitions found"]
    header = [
        "rep",
        "side",
        "start s",
        "bottom s",
        "end s",
        "ML range mm",
        "ML path mm",
        "PCI",
        "depth mm",
    ]
    rows = []
    for x in reps:
        m = x["metrics"]
        rows.append(
            [
                str(x["rep"]),
                x["stance_side"],
                _fmt(x["start_s"], "{:.2f}"),
                _fmt(x["bottom_s"], "{:.2f}"),
                _fmt(x["end_s"], "{:.2f}"),
                _fmt(m.get("ml_range_mm")),
                _fmt(m.get("ml_path_mm")),
                _fmt(m.get("pelvic_control_index"), "{:.2f}"),
                _fmt(m.get("com_depth_mm"), "{:.0f}"),
            ]
        )
    out = _grid(header, rows)
    s = r.get("summary", {})
    for side in SIDES:
        if side in s:
            x = s[side]
            out.append(
                f"{side}: {x['reps']} reps, mean ML range {_fmt(x['mean_ml_range_mm'])} mm,"
                f" mean PCI {_fmt(x['mean_pelvic_control_index'], '{:.2f}')}"
            )
    a = s.get("pelvic_control_asymmetry_pct")
    if a is not None:
        out.append(f"pelvic-control index asymmetry: {a:+.0f} % (positive: more sway on left)")
    out.append(
        "PCI: ML COP range under the stance foot / half a foot's width (45 mm); lower is steadier"
    )
    return out


def _table_mctsib(r: Mapping[str, Any]) -> list[str]:
    conds = r.get("conditions", [])
    if not conds:
        return ["no conditions completed"]
    key = r.get("velocity_measure", "ml_mean_velocity_mm_s")
    header = ["cond", "eyes/surface", "time s", "stop", "velocity mm/s", "ML RMS mm"]
    rows = [
        [
            c["condition"],
            f"{c['eyes']}/{c['surface']}",
            _fmt(c["duration_s"]),
            c["stop_reason"],
            _fmt(c["metrics"].get(key), "{:.2f}"),
            _fmt(c["metrics"].get("ml_rms_mm"), "{:.2f}"),
        ]
        for c in conds
    ]
    out = _grid(header, rows)
    out.append(f"velocity: {key}")
    comp = r.get("composite_velocity_mm_s")
    out.append(
        f"composite: {_fmt(comp, '{:.2f}')} mm/s"
        + ("" if r.get("complete") else " (not all four conditions ran their full time)")
    )
    ratios = r.get("ratios", {})
    out.append(
        "ratios to eyes open/firm: "
        + ", ".join(f"{k} {_fmt(v, '{:.2f}')}" for k, v in ratios.items())
    )
    return out


def _table_wbs(r: Mapping[str, Any]) -> list[str]:
    trials = r.get("trials", [])
    if not trials:
        return ["no trial completed"]
    header = ["trial", "time s", "stop", "left %", "right %", "asym %"]
    rows = [
        [
            str(t["trial"]),
            _fmt(t["duration_s"]),
            t["stop_reason"],
            _fmt(None if t["left_share"] is None else 100 * t["left_share"]),
            _fmt(None if t["right_share"] is None else 100 * t["right_share"]),
            _fmt(t["asymmetry_pct"], "{:+.1f}"),
        ]
        for t in trials
    ]
    out = _grid(["trial", "time s"] + header[2:], rows)
    return out
