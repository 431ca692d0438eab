"""One trial lifecycle for every clinical test: time from frames, prompts, countdowns, endings.

A :class:`Protocol` is fed the board's balance stream block by block and decides everything
from the frames' timestamps (never a wall clock). It moves through the :class:`Phase` values::

    WAITING_ON_BOARD -> BASELINE -> READY (countdown) -> IN_TRIAL -> BETWEEN_TRIALS -> READY ...
                                                                  `-> DONE

Stepping on and off the board is handled here, once, for every test; a test adds what its
trials are (when one starts, which foot events end it, what it measures) through the hooks
``_get_ready``, ``_on_trial_event``, ``_close_trial`` and ``_result``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..balance import BalanceBlock
from ..constants import FOOT_HALF_WIDTH_MM, asymmetry_pct
from ..errors import AnalysisError, ProtocolError, UsageError
from ..events import SIDES, Event, EventDetector, EventSettings
from ..results import SCHEMA_VERSION, TestResult
from .text import footer, header

__all__ = [
    "SIDES",
    "EPS_S",
    "Phase",
    "Condition",
    "OpenTrial",
    "ProtocolEvent",
    "ProtocolParams",
    "ProtocolSettings",
    "Protocol",
]

EPS_S = 1e-9
"""Slack when comparing frame times (k/80 − j/80 is not exact in binary)."""

STEP_ON = "Step onto the board and stand on both feet."
STAND_STILL = "Stand still on both feet."


class Phase(StrEnum):
    """Where a test is in its lifecycle (a ``str``, so ``phase == "in_trial"`` still works)."""

    WAITING_ON_BOARD = "waiting_on_board"
    """Nobody on the board (or they stepped off between trials)."""
    BASELINE = "baseline"
    """On the board, standing still on both feet while the body weight is measured."""
    READY = "ready"
    """Told what to do next; the countdown is running."""
    IN_TRIAL = "in_trial"
    BETWEEN_TRIALS = "between_trials"
    """A trial ended; resting (or stepping off to change the surface)."""
    DONE = "done"


class Condition(NamedTuple):
    """One condition of a test on both feet."""

    key: str
    eyes: str
    surface: str
    instruction: str


@dataclass
class OpenTrial:
    """The trial in progress (mutable: brushes and repetitions are counted while it runs)."""

    number: int
    """1-based, in the order trials were recorded."""
    start: float
    """When it started, in the frames' clock, s."""
    stance_side: str | None = None
    """Single-leg tests: the leg stood on."""
    condition: Condition | None = None
    """Tests on both feet: the condition being run."""
    brushes: int = 0
    reps: int = 0


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
    foot_half_width_mm: float = FOOT_HALF_WIDTH_MM
    """Half a typical adult foot's width, mm: the scale of the former pelvic-control index
    (ML range / this), which only results stored before issue 13 carry; no measure uses it."""
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
    touch_n: float = 10.0
    """Single-leg stance, strict touch rule: the lifted foot's side reading more than this
    (about 1 kg) for two frames in a row after it was off the board is a touch and ends the
    trial, as Springer et al. (2007) stop the clock at any touch. 10 N is above what an
    unloaded side reads from cell noise and tare drift (``analysis.SIDE_NOISE_N``)."""

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
        for name in (
            "rest_s",
            "foot_half_width_mm",
            "drift_skip_s",
            "history_s",
            "false_start_s",
            "touch_n",
        ):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise ProtocolError(f"protocol setting {name} is {v!r}; give a number ≥ 0")
        if self.foot_half_width_mm <= 0 or self.history_s < 2.0:
            raise ProtocolError("foot_half_width_mm must be > 0 and history_s at least 2 s")

    @classmethod
    def coerce(cls, value: Any) -> ProtocolSettings:
        """Settings from None, ProtocolSettings, EventSettings or a flat dict of either's fields."""
        if value is None:
            return cls()
        if isinstance(value, ProtocolSettings):
            return value
        if isinstance(value, EventSettings):
            return cls(events=value)
        if isinstance(value, Mapping):
            own = {f.name for f in fields(cls)} - {"events"}
            mine = {k: v for k, v in value.items() if k in own}
            ev = {k: v for k, v in value.items() if k not in own and k != "events"}
            base = value.get("events", EventSettings())
            if isinstance(base, Mapping):
                base = EventSettings().replace(**base)
            return cls(events=base.replace(**ev) if ev else base, **mine)
        raise ProtocolError(f"settings {value!r}: give ProtocolSettings, EventSettings or a dict")


def _is_count(v: object, lo: int, hi: int) -> bool:
    return not isinstance(v, bool) and isinstance(v, int) and lo <= v <= hi


@dataclass(frozen=True)
class ProtocolParams:
    """What a person chooses for one run of a test, checked once (messages name the option).

    Attributes
    ----------
    side : str or None
        Stance side ``left`` or ``right``; ``both`` for left then right; None for either side,
        in any order (what offline analysis uses to find every trial).
    eyes : str
        ``open`` or ``closed`` (recorded with the result; the board cannot tell).
    trials : int or None
        Trials (repetitions for squats) per side, 1-100; None for no limit.
    max_time_s : float or None
        Longest trial, 1-600 s; None for no limit.
    age : float or None
        The person's age in years (0-120), for the norms.
    fs_hz : float
        Nominal frame rate, Hz.

    Raises
    ------
    UsageError
        A value a person could have mistyped.
    ProtocolError
        A frame rate that is not a positive number.
    """

    side: str | None = None
    eyes: str = "open"
    trials: int | None = 1
    max_time_s: float | None = 45.0
    age: float | None = None
    fs_hz: float = 80.0

    def __post_init__(self) -> None:
        if self.side not in (None, "left", "right", "both"):
            raise UsageError(f"--side {self.side!r}: use left or right (the leg to stand on)")
        if self.eyes not in ("open", "closed"):
            raise UsageError(f"--eyes {self.eyes!r}: use open or closed")
        if self.trials is not None and not _is_count(self.trials, 1, 100):
            raise UsageError(f"--trials {self.trials!r}: give a whole number from 1 to 100")
        mt = self.max_time_s
        if mt is not None:
            if not (isinstance(mt, (int, float)) and math.isfinite(mt) and 1.0 <= mt <= 600.0):
                raise UsageError(f"--max-time {mt!r}: give seconds from 1 to 600")
            object.__setattr__(self, "max_time_s", float(mt))
        age = self.age
        if age is not None and not (isinstance(age, (int, float)) and 0 <= age <= 120):
            raise UsageError(f"--age {age!r}: give the person's age in years (0-120)")
        fs = self.fs_hz
        if not (isinstance(fs, (int, float)) and math.isfinite(fs) and fs > 0):
            raise ProtocolError(f"frame rate {fs!r} Hz: give a positive rate such as 80")
        object.__setattr__(self, "fs_hz", float(fs))


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
                parts.append(b.take(mask))  # keeps the pelvis column too
        if not parts:
            return BalanceBlock(
                *(
                    np.zeros(0, dtype=bool if f == "on_board" else float)
                    for f in BalanceBlock.FIELDS
                )
            )
        return parts[0] if len(parts) == 1 else BalanceBlock.concatenate(parts)


def stance_ml(b: BalanceBlock, stance: str | None) -> tuple[NDArray[np.float64], str]:
    """ML COP under the stance foot where the board resolves it, else the whole board's (mm)."""
    if stance in SIDES:
        own = b.left_cop_ml_mm if stance == "left" else b.right_cop_ml_mm
        if own.size and np.all(np.isfinite(own)):
            return np.asarray(own, dtype=float), "stance foot"
    return np.asarray(b.cop_ml_mm, dtype=float), "whole board"


def measure(b: BalanceBlock, stance: str | None, fs_hz: float) -> dict[str, Any]:
    """DESIGN.md sway measures of a stretch of frames (``None`` where it cannot be measured)."""
    from ..analysis import RESULT_NAMES, analyze_trial

    ml, source = stance_ml(b, stance)
    ap = b.cop_ap_mm if b.cop_ap_mm.size and np.all(np.isfinite(b.cop_ap_mm)) else None
    m: dict[str, Any]
    try:
        # Cell noise can make an unloaded side read a few newtons below zero; a share a hair
        # outside 0..1 is that noise, not an error in the data.
        share = np.clip(b.left_share, 0.0, 1.0)
        m = dict(analyze_trial(b.t_s, ml, ap, load_n=b.total_n, left_share=share, fs_hz=fs_hz))
    except AnalysisError as exc:
        m = {name: None for name in RESULT_NAMES}
        m["duration_s"] = float(len(b) / fs_hz)
        m["note"] = str(exc)
    m.pop("processing", None)
    m["ml_source"] = source
    return m


def asymmetry(left: float | None, right: float | None) -> float | None:
    """100 × (left − right) / max(left, right), % (None without both, or both zero)."""
    return asymmetry_pct(left, right)


def clean(v: Any, nd: int = 4) -> Any:
    """JSON-ready: floats rounded, NaN and infinity as None, numpy scalars as Python."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return round(f, nd) if math.isfinite(f) else None
    if isinstance(v, Mapping):
        return {str(k): clean(x, nd) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x, nd) for x in v]
    return v


# --- the engine -------------------------------------------------------------------------------


class Protocol:
    """The common engine: time from frames, prompts, countdowns, timers, trial endings.

    Parameters
    ----------
    side, eyes, trials, max_time_s, age
        As :class:`ProtocolParams`; ``side`` and ``trials`` default to the test's own
        (``"default"``), ``max_time_s`` None means the test's default; ``side="any"`` is None.
    settings : ProtocolSettings, EventSettings, dict or None
    fs_hz : float
        Nominal frame rate, Hz.
    body_weight_n : float or None
        Body weight to use instead of measuring it (N).
    foot_span_mm : mapping of side to (float, float), optional
        ML extent of each side's cells, mm (:func:`balance_trainer.stance.foot_spans`), for
        the measures that need the board's geometry (time-to-boundary, the squat's ML range
        as a share of the span); None leaves those measures None.
    """

    name: ClassVar[str] = "protocol"
    title: ClassVar[str] = "Protocol"
    short_title: ClassVar[str] = "Protocol"
    """A few plain words for a menu tile (the app's tests menu)."""
    blurb: ClassVar[str] = ""
    """One short line saying what the test asks of the person, under the menu tile."""
    options: ClassVar[tuple[str, ...]] = ()
    """The choices a face should offer for this test (names of :class:`ProtocolParams`):
    ``side`` (which leg to stand on), ``eyes``, ``trials``, ``max_time_s``, ``age``."""
    default_side: ClassVar[str | None] = None
    default_trials: ClassVar[int | None] = 1
    default_max_time_s: ClassVar[float | None] = 45.0
    sided: ClassVar[bool] = True
    rest_phases: ClassVar[tuple[Phase, ...]] = (Phase.BETWEEN_TRIALS,)
    """Phases in which the end of a rest starts the next countdown."""

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
        foot_span_mm: Mapping[str, tuple[float, float]] | None = None,
    ) -> None:
        self.foot_span_mm = dict(foot_span_mm) if foot_span_mm else {}
        if side == "default":
            side = self.default_side
        elif side == "any":
            side = None
        if trials == "default":
            trials = self.default_trials
        p = ProtocolParams(
            side=side,
            eyes=eyes,
            trials=trials,  # type: ignore[arg-type]  # a str other than "default" is refused
            max_time_s=self.default_max_time_s if max_time_s is None else max_time_s,
            age=age,
            fs_hz=fs_hz,
        )
        self.settings = ProtocolSettings.coerce(settings)
        self._check(p)
        self.parameters = p
        self.side = p.side
        self.eyes = p.eyes
        self.trials = p.trials
        self.max_time_s = p.max_time_s
        self.age = p.age
        self.fs_hz = p.fs_hz
        self.detector = EventDetector(
            self.settings.events, fs_hz=self.fs_hz, body_weight_n=body_weight_n
        )
        ev = self.settings.events
        # A trial's end waits this long for an ending that happened earlier but is confirmed
        # later (a step-off needs 0.1 s to be sure, a touchdown 50 ms).
        self._end_wait_s = max(ev.brush_s, ev.step_hold_s, ev.foot_shift_hold_s) + 2.0 / self.fs_hz
        self._history = _History()
        self.phase = Phase.WAITING_ON_BOARD
        self.prompt = STEP_ON
        self.done = False
        self.t0: float | None = None
        self.now: float = math.nan
        self.stance = "unknown"
        self.body_weight_n: float | None = None
        self._timers: dict[str, float] = {}
        self._out: list[ProtocolEvent] = []
        self._open: OpenTrial | None = None
        self._pending_end: tuple[float, str] | None = None
        self._cd_left = 0
        # Tests on both feet that change the surface wait for the person to step off first.
        self._await_step_off = False
        self._max_total = 0.0
        self._ever_bipedal = False
        self._ever_lifted = False
        self._finished = False

    def _check(self, p: ProtocolParams) -> None:
        """Hook: refuse parameters that do not fit this test (UsageError)."""

    def _block_events(self, block: BalanceBlock, events: list[Event]) -> list[Event]:
        """Hook: the detector's events of a block, with any a test detects itself merged in
        (in ``known_s`` order, so live and replayed runs see them at the same moment)."""
        return events

    # -- public face ------------------------------------------------------------------------
    @property
    def elapsed_s(self) -> float:
        """Time in the current trial, s (0 between trials)."""
        if self._open is None or self.t0 is None:
            return 0.0
        return max(0.0, self.now - self._open.start)

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
        events = self._block_events(block, self.detector.feed(block))
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
            keep = min(keep, self._open.start - 1.0)
        self._history.trim(keep)
        return self._out

    def finish(self) -> list[ProtocolEvent]:
        """The data has ended: close a trial still open (``stop_reason`` ``end_of_data``)."""
        self._out = []
        if self._finished or self.done or self.t0 is None:
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
        """The test's result in its stored JSON form (:meth:`TestResult.to_json`)."""
        return self.test_result().to_json()

    def test_result(self) -> TestResult:
        """The test's result as a typed value (what the faces show and the store keeps)."""
        return TestResult.from_json(self._raw_result())

    def _raw_result(self) -> dict[str, Any]:
        """The result as the tests build it (see each test's docstring for its keys)."""
        out: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "test": self.name,
            "params": self.params(),
        }
        out["body_weight_n"] = self.body_weight_n
        out.update(self._result())
        notes = self._notes()
        if notes:
            out["notes"] = notes
        cleaned: dict[str, Any] = clean(out)
        return cleaned

    def summary_lines(self) -> list[str]:
        """The result as a readable table."""
        return self.table(self.test_result())

    # -- how this test's results read (the same in every face) ----------------------------
    @classmethod
    def table(cls, result: TestResult) -> list[str]:
        """The clinician's table: a title line, the test's rows, the notes."""
        return [header(result, cls.title), *cls.table_body(result), *footer(result)]

    @classmethod
    def table_body(cls, result: TestResult) -> list[str]:
        """Hook: the test's own rows and summary lines."""
        return []

    @classmethod
    def sentences(cls, result: TestResult, *, guest: bool = False) -> list[str]:
        """Plain sentences for the person: the test's few numbers, then up to two notes."""
        return [*cls.sentence_body(result, guest=guest), *result.notes[:2]]

    @classmethod
    def sentence_body(cls, result: TestResult, *, guest: bool = False) -> list[str]:
        """Hook: the test's own sentences."""
        return []

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

    def _emit(self, kind: str, t: float | None = None, /, **data: Any) -> None:
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

    def _next_timer(self, t: NDArray[np.float64]) -> tuple[float, str] | None:
        """The earliest timer that falls due within this block: (frame time, name)."""
        if not self._timers:
            return None
        name = min(self._timers, key=lambda k: (self._timers[k], k))
        at = max(self._timers[name], self.now if math.isfinite(self.now) else -math.inf)
        k = int(np.searchsorted(t, at - EPS_S, side="left"))
        if k >= t.shape[0]:
            return None
        return float(t[k]), name

    def _start_countdown(self) -> None:
        self._cd_left = self.settings.countdown_s
        self._set_timer("countdown", self.now)

    def _tick_countdown(self) -> None:
        if self.phase != Phase.READY:
            return
        left = self._cd_left
        self._emit("countdown", remaining=left)
        if left > 0:
            self._cd_left = left - 1
            self._set_timer("countdown", self.now + 1.0)
        else:
            self._countdown_done()

    def _countdown_done(self) -> None:
        """Hook: the countdown reached zero."""

    def _get_ready(self) -> None:
        """Hook: say what the next trial asks and start its countdown."""

    def _propose_end(self, t: float, reason: str) -> None:
        """An ending of the open trial at ``t``; the earliest one wins."""
        if self._open is None or t < self._open.start - EPS_S:
            return
        if self._pending_end is None or t < self._pending_end[0]:
            self._pending_end = (t, reason)
            self._set_timer("close", t + self._end_wait_s)

    def _take_open(self) -> OpenTrial:
        """Close the bookkeeping of the open trial and hand it over."""
        op = self._open
        assert op is not None
        self._open = None
        self._pending_end = None
        for name in ("max_time", "close"):
            self._timers.pop(name, None)
        return op

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
        """The board's events, the same for every test; the rest go to ``_on_trial_event``."""
        k = ev.kind
        if k == "body_weight":
            if (
                self._open is None
                and self.phase in (Phase.WAITING_ON_BOARD, Phase.BASELINE)
                and not self._await_step_off
            ):
                self._get_ready()
        elif k == "step_on":
            if self._open is None:
                self.phase = Phase.BASELINE
                self._say(STAND_STILL, "both")
        elif k == "step_off":
            if self._open is not None:
                self._propose_end(ev.t_s, "step_off")
            else:
                self._timers.pop("rest", None)
                self._timers.pop("countdown", None)
                self._await_step_off = False
                self.phase = Phase.WAITING_ON_BOARD
                if not self.done:
                    self._say(STEP_ON, "both")
        self._on_trial_event(ev)

    def _on_trial_event(self, ev: Event) -> None:
        """Hook: a detector event (every kind, after the board's own handling)."""

    def _on_timer(self, name: str) -> None:
        if name == "countdown":
            self._tick_countdown()
        elif name == "close":
            if self._pending_end is not None and self._open is not None:
                t, reason = self._pending_end
                self._close_trial(t, reason)
        elif name == "max_time":
            if self._open is not None and self.max_time_s is not None:
                self._propose_end(self._open.start + self.max_time_s, "max_time")
        elif name == "rest":
            if (
                self._open is None
                and not self.done
                and not self._await_step_off
                and self.phase in self.rest_phases
                and self.stance == "both"
            ):
                self._get_ready()

    def _rest_then_ready(self) -> None:
        """Between trials: the next countdown starts after ``rest_s`` on both feet."""
        self._set_timer("rest", self.now + self.settings.rest_s)

    def _after_block(self) -> None:
        """Between body weight and the first events, say whether someone is on the board."""
        if self.detector.body_weight_n is None:
            on = self.detector.on_board
            self.phase = Phase.BASELINE if on else Phase.WAITING_ON_BOARD
            self._say(STAND_STILL if on else STEP_ON, "both")

    def _finish_test(self) -> None:
        self.phase = Phase.DONE
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
