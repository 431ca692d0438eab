"""Today's session of a programme, step by step: the state machine the app draws.

One :class:`SessionRunner` walks through :meth:`Programme.steps` (each exercise set by set, the
sides in turn). Each set goes through phases (:class:`Phase`): ``READY`` (the picture and the
instruction, spoken and written, for ``ready_s``), ``ACTIVE`` (the set itself), ``REST`` (a
rest timer) and, after the last set, ``CHECKIN`` (effort and pain, 0-10) and ``DONE``.

How a set is known to be done
    Standing holds (step-up hold, mirror check): the core's
    :class:`~balance_trainer.events.EventDetector` sees the free foot lift off and touch down;
    each hold is timed from lift-off to touchdown, the countdown runs from lift-off.
    Single-leg squats: its squat detector counts repetitions on the working leg.
    Guided exercises (off the board): a timer paces the repetitions and the person confirms
    the set (a button, leaning and holding still, or a touch: any ``select``).

Feedback in plain words (what a scale sees)
    The board sees the load under the feet and its centre of pressure (COP), not the pelvis.
    For each hold it reports whether the full time was held and the side-to-side (ML) sway of
    the stance foot's COP (RMS about its mean, after :data:`SETTLE_S` of settling, as
    ``time_to_stabilise_s`` is kept out of single-leg sway in :mod:`.metrics`). For each squat
    it reports whether the COP moved more than :data:`LEAN_MM` toward the lifted side during
    the repetition ("you leaned toward the lifted side on 3 of 8").

Stored as it goes
    With a :class:`~balance_trainer.programme_store.ProgrammeStore`, each set row is written
    when the set starts and each repetition is committed as it is counted, so a crash loses
    at most the repetition in progress; a resumed session starts at the first set not done.

Time is injected: :meth:`SessionRunner.tick` takes the seconds passed; the board's blocks
carry their own timestamps. Nothing here draws, speaks or reads a pin.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

import numpy as np

from .balance import BalanceBlock
from .events import Event, EventDetector
from .pelvis import pelvic_drop
from .programme import (
    EXERCISES,
    GUIDED_REP_S,
    OTHER,
    Dose,
    Measure,
    Programme,
    Proposal,
    SetPlan,
    apply_proposal,
    propose,
)
from .programme_store import ProgrammeStore, SessionRow, SetRow

READY_S = 6.0
"""Seconds the instruction is shown (and spoken) before a set starts; easy mode x1.5."""
EASY_FACTOR = 1.5
"""Easy mode: every timer this much longer."""
SETTLE_S = 1.0
"""Sway of a hold is measured from this long after lift-off (the weight coming across is not
sway; the simulator's person settles within about a second)."""
STEADY_RMS_MM = 9.0
"""A hold is steady when the stance foot's ML COP RMS stays at or below this, mm. Measured on
the simulator (20 s holds, 3 seeds x 2 sides, see benchmarks/bench_programme.py --calibrate):
5.4-9.7 mm (median 7.2) for the healthy person, 7.4-12.9 mm (median 9.8) with a weak hip. An
estimate to be replaced by one measured on patients' first sessions."""
LEAN_MM = 20.0
"""A squat "leaned toward the lifted side" when the COP went this far (mm) that way from
where the repetition started. On the simulator (30 squats each): median 16 mm for the healthy
person, 33 mm with a weak hip; an estimate like :data:`STEADY_RMS_MM`."""
HOLD_SLACK_S = 0.5
"""A hold this close to the target counts as the full time (the touchdown's own hold)."""


class Phase(Enum):
    READY = "ready"
    ACTIVE = "active"
    REST = "rest"
    CHECKIN = "checkin"
    DONE = "done"


@dataclass
class RepRecord:
    """One repetition or hold as stored: its timing and what the board saw."""

    n: int
    start_s: float | None = None
    end_s: float | None = None
    held_s: float | None = None
    full: bool | None = None
    ml_rms_mm: float | None = None
    lean_mm: float | None = None
    leaned: bool | None = None
    depth_mm: float | None = None
    confirmed: bool = False
    pelvic_drop_deg: float | None = None
    """With a pelvis sensor: the lifted side's drop, degrees (mean over a hold, peak in a squat)."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"n": self.n}
        for k in (
            "start_s",
            "end_s",
            "held_s",
            "ml_rms_mm",
            "lean_mm",
            "depth_mm",
            "pelvic_drop_deg",
        ):
            v = getattr(self, k)
            if v is not None and math.isfinite(v):
                out[k] = round(float(v), 3)
        for k in ("full", "leaned"):
            v = getattr(self, k)
            if v is not None:
                out[k] = bool(v)
        if self.confirmed:
            out["confirmed"] = True
        return out


@dataclass
class SetResult:
    """A finished set: its plan, status, repetitions and the words said about it."""

    plan: SetPlan
    status: str
    reps: list[RepRecord] = field(default_factory=list)
    steady: bool | None = None
    feedback: str = ""


def _fmt(v: float) -> str:
    return f"{v:.0f}"


def set_feedback(plan: SetPlan, reps: list[RepRecord]) -> tuple[str, bool | None]:
    """The words and the steadiness verdict for a finished set (``None``: not measured)."""
    info = plan.info
    want = plan.exercise.reps
    n = len(reps)
    if info.measure is Measure.GUIDED:
        return f"{n} of {want} done - thank you.", None
    if info.measure is Measure.HOLD:
        target = plan.exercise.hold_s or 0.0
        short = [r for r in reps if not r.full]
        rms = [r.ml_rms_mm for r in reps if r.ml_rms_mm is not None]
        wobbly = [x for x in rms if x > STEADY_RMS_MM]
        parts = []
        if not reps:
            return "No hold was seen - the board did not see your foot lift.", False
        if short:
            best = max((r.held_s or 0.0) for r in reps)
            parts.append(f"foot down early: best hold {_fmt(best)} s of {_fmt(target)}")
        else:
            parts.append(f"held the full {_fmt(target)} s")
        if wobbly:
            parts.append(
                f"some side-to-side wobble on {len(wobbly)} of {n}" if n > 1 else "some wobble"
            )
        dropped = _dropped(reps, HOLD_DROP_DEG)
        if dropped:
            parts.append(f"your {OTHER[plan.side]} hip dropped on {len(dropped)} of {n}")
        steady = not short and not wobbly and not dropped and n >= want
        if steady:
            parts.append("steady")
        text = ", ".join(parts)
        return text[0].upper() + text[1:] + ".", steady
    leaned = [r for r in reps if r.leaned]
    if not reps:
        return "No squats were seen - squat a little deeper and slower.", False
    dropped = _dropped(reps, SQUAT_DROP_DEG)
    if leaned:
        text = f"{n} of {want} squats. You leaned toward the lifted side on {len(leaned)} of {n}."
    elif not dropped:
        text = f"{n} of {want} squats, steady."
    else:
        text = f"{n} of {want} squats."
    if dropped:
        text += f" Your {OTHER[plan.side]} hip dropped on {len(dropped)} of {n} (pelvis sensor)."
    return text, not leaned and not dropped and n >= want


HOLD_DROP_DEG = 2.0
"""Pelvis sensor: a hold's mean drop of the lifted side above this counts as the hip dropping
(:data:`balance_trainer.pelvis.POSITIVE_DROP_DEG`)."""
SQUAT_DROP_DEG = 4.0
"""Pelvis sensor: a squat's peak drop above this counts (the squat builder's level band)."""


def _dropped(reps: list[RepRecord], limit: float) -> list[RepRecord]:
    return [r for r in reps if r.pelvic_drop_deg is not None and r.pelvic_drop_deg > limit]


class SessionRunner:
    """Runs one session of ``programme`` for ``pid``.

    Parameters
    ----------
    programme : Programme
    store : ProgrammeStore or None
        Where the session goes as it happens (None: a guest's, kept in memory only).
    pid : str
    day : date
        The calendar day the session counts for.
    easy : bool
        Easy mode: every timer :data:`EASY_FACTOR` longer.
    fs_hz : float
        The board's frame rate, Hz (for the event detector).
    resume : SessionRow, optional
        An interrupted session to carry on with: the sets it has done or skipped are kept and
        a set it was in the middle of is taken up with the repetitions it already had.
    on_say : callable, optional
        Told each sentence to speak (the app's speech), as it becomes current.
    """

    def __init__(
        self,
        programme: Programme,
        store: ProgrammeStore | None,
        pid: str,
        day: date,
        *,
        easy: bool = False,
        fs_hz: float = 80.0,
        resume: SessionRow | None = None,
        on_say: Callable[[str], Any] | None = None,
    ) -> None:
        self.programme = programme
        self.store = store
        self.pid = pid
        self.day = day
        self.easy = easy
        self.factor = EASY_FACTOR if easy else 1.0
        self.on_say = on_say
        self.steps = programme.steps()
        self.detector = EventDetector(fs_hz=fs_hz)
        self.results: list[SetResult] = []
        self.phase = Phase.READY
        self.index = 0
        self.paused = False
        self.phase_t = 0.0
        self.prompt = ""
        self.last_feedback = ""
        self.effort: int | None = None
        self.pain: int | None = None
        self.proposals: list[Proposal] = []
        self.applied: list[Proposal] = []
        self.session_id: int | None = None
        self._set_row: SetRow | None = None
        self._reps: list[RepRecord] = []
        self._lift_t: float | None = None
        self._hold_prompted = False
        self._t: list[np.ndarray] = []
        self._ml: list[np.ndarray] = []
        self._foot: list[np.ndarray] = []
        self._pelvis: list[np.ndarray] = []
        if store is not None:
            if resume is not None:
                self.session_id = store.resume_session(resume.id).id
                done = {s.step: s for s in resume.sets if s.status in ("done", "skipped")}
                for plan in self.steps:
                    if plan.step in done:
                        row = done[plan.step]
                        self.results.append(
                            SetResult(
                                plan, row.status, steady=row.steady, feedback=row.feedback or ""
                            )
                        )
                while self.index < len(self.steps) and self.index in done:
                    self.index += 1
            else:
                self.session_id = store.start_session(pid, day)
        self._enter(Phase.READY if self.index < len(self.steps) else Phase.CHECKIN)

    # -- what the screen shows -----------------------------------------------------------------
    @property
    def plan(self) -> SetPlan | None:
        return self.steps[self.index] if self.index < len(self.steps) else None

    @property
    def ready_s(self) -> float:
        return READY_S * self.factor

    @property
    def rest_s(self) -> float:
        plan = self.plan
        return (plan.exercise.rest_s if plan else 0.0) * self.factor

    @property
    def rep_s(self) -> float:
        """Guided exercises: seconds per repetition (the pace of the timer)."""
        plan = self.plan
        pause = (plan.exercise.hold_s or 0.0) if plan is not None else 0.0
        return GUIDED_REP_S * self.factor + pause

    @property
    def reps_done(self) -> int:
        return len(self._reps)

    @property
    def hold_left_s(self) -> float | None:
        """Standing holds: seconds left of the current hold, None when not holding."""
        plan = self.plan
        if plan is None or self._lift_t is None or plan.exercise.hold_s is None:
            return None
        return max(0.0, plan.exercise.hold_s - self._held_now())

    @property
    def time_left_s(self) -> float:
        """Seconds left in a timed phase (ready, rest, a guided set)."""
        if self.phase is Phase.READY:
            return max(0.0, self.ready_s - self.phase_t)
        if self.phase is Phase.REST:
            return max(0.0, self.rest_s_prev - self.phase_t)
        plan = self.plan
        if self.phase is Phase.ACTIVE and plan is not None and not plan.info.on_board:
            return max(0.0, plan.exercise.reps * self.rep_s - self.phase_t)
        return 0.0

    @property
    def awaiting_confirm(self) -> bool:
        """A guided set whose timer ran out: waiting for the person to say it is done."""
        plan = self.plan
        return (
            self.phase is Phase.ACTIVE
            and plan is not None
            and not plan.info.on_board
            and self.time_left_s <= 0.0
        )

    @property
    def wants_stance(self) -> str:
        """What the person should be doing on the board now: ``both``, ``left``, ``right`` or
        ``off`` (the simulated person follows it in headless runs)."""
        plan = self.plan
        if self.phase is not Phase.ACTIVE or plan is None:
            return "both"
        if not plan.info.on_board:
            return "off"
        if plan.info.measure is Measure.HOLD:
            if self._lift_t is not None and self.hold_left_s == 0.0:
                return "both"
            if self.reps_done >= plan.exercise.reps:
                return "both"
        return plan.side

    @property
    def guided_rep(self) -> int:
        """Guided sets: the repetition the timer is on (1-based)."""
        plan = self.plan
        if plan is None:
            return 0
        return min(plan.exercise.reps, int(self.phase_t // max(self.rep_s, 1e-9)) + 1)

    # -- driving it ---------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.prompt = text
        if self.on_say is not None:
            self.on_say(text)

    def _enter(self, phase: Phase) -> None:
        self.phase = phase
        self.phase_t = 0.0
        plan = self.plan
        if phase is Phase.READY and plan is not None:
            written, spoken = plan.info.words(plan.side)
            self._instruction = written
            # The physio's notes are read out before the exercise's first set (and shown on
            # every set's instruction by the app).
            notes = plan.exercise.notes
            first = plan.set_no == 1 and plan.side == plan.exercise.sides[0]
            self._say(
                f"{plan.info.title}, {plan.side} side, set {plan.set_no} of "
                f"{plan.exercise.sets}. {spoken}"
                + (f" Your physio says: {notes}" if notes and first else "")
            )
        elif phase is Phase.ACTIVE and plan is not None:
            self._begin_set(plan)
            if plan.info.measure is Measure.HOLD:
                self._say(f"Now lift your {OTHER[plan.side]} foot and hold.")
            elif plan.info.measure is Measure.SQUAT:
                self._say(f"On your {plan.side} leg: squat, {plan.exercise.reps} times.")
            else:
                # No voice is listened to: the person presses Done (a button, a tap).
                self._say(f"Go: {plan.exercise.reps} slowly. Press Done when you finish.")
        elif phase is Phase.REST:
            self._say(f"{self.last_feedback} Rest now.")
        elif phase is Phase.CHECKIN:
            self._say("Well done. How hard was that, from 0 to 10? And any pain, from 0 to 10?")
        elif phase is Phase.DONE:
            self._say("Session finished. See you next time.")

    @property
    def instruction(self) -> str:
        """The written instruction for the current exercise."""
        return getattr(self, "_instruction", "")

    def _begin_set(self, plan: SetPlan) -> None:
        self._reps = []
        self._lift_t = None
        self._hold_prompted = False
        self._t, self._ml, self._foot, self._pelvis = [], [], [], []
        self._set_row = None
        if self.store is not None and self.session_id is not None:
            self._set_row = self.store.begin_set(self.session_id, plan)
            for i, r in enumerate(self._set_row.reps):
                self._reps.append(
                    RepRecord(
                        i + 1,
                        held_s=r.get("held_s"),
                        full=r.get("full"),
                        ml_rms_mm=r.get("ml_rms_mm"),
                        lean_mm=r.get("lean_mm"),
                        leaned=r.get("leaned"),
                        depth_mm=r.get("depth_mm"),
                        confirmed=bool(r.get("confirmed", False)),
                    )
                )

    def tick(self, dt: float) -> None:
        """``dt`` seconds passed."""
        if self.paused or self.phase in (Phase.CHECKIN, Phase.DONE):
            return
        self.phase_t += dt
        if self.phase is Phase.READY and self.phase_t >= self.ready_s:
            self._enter(Phase.ACTIVE)
        elif self.phase is Phase.REST and self.phase_t >= self.rest_s_prev:
            self._enter(Phase.READY)

    rest_s_prev = 0.0
    """The rest timer's length (the rest of the set just done), s."""

    def feed(self, block: BalanceBlock) -> list[Event]:
        """The board's new frames; returns the events seen (for the screen's cues)."""
        if len(block) == 0:
            return []
        events = self.detector.feed(block)
        plan = self.plan
        if self.paused or self.phase is not Phase.ACTIVE or plan is None or not plan.info.on_board:
            return events
        self._t.append(block.t_s)
        self._ml.append(block.cop_ml_mm)
        self._foot.append(block.left_cop_ml_mm if plan.side == "left" else block.right_cop_ml_mm)
        p = block.pelvis_obliquity_deg
        self._pelvis.append(np.full(len(block), np.nan) if p is None else p)
        free = OTHER[plan.side]
        for ev in events:
            if plan.info.measure is Measure.HOLD:
                if ev.kind == "lift_off" and ev.side == free and self._lift_t is None:
                    self._lift_t = ev.t_s
                    self._hold_prompted = False
                    self._say("Good. Hold it there, standing tall.")
                elif ev.kind == "touchdown" and ev.side == free and self._lift_t is not None:
                    self._hold_done(plan, self._lift_t, ev.t_s)
                    self._lift_t = None
                elif ev.kind == "lift_off" and ev.side == plan.side:
                    self._say(f"That is your {plan.side} foot up: stand on your {plan.side} leg.")
            elif ev.kind == "squat" and ev.side == plan.side:
                self._squat_done(plan, ev)
        if (
            plan.info.measure is Measure.HOLD
            and self._lift_t is not None
            and not self._hold_prompted
            and self.hold_left_s == 0.0
        ):
            self._hold_prompted = True
            self._say("Time! Put your foot down.")
        if self.phase is Phase.ACTIVE and self.reps_done >= plan.exercise.reps:
            self._finish_set("done")
        return events

    def _held_now(self) -> float:
        if self._lift_t is None or not self._t:
            return 0.0
        return float(self._t[-1][-1] - self._lift_t)

    def _window(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        t = np.concatenate(self._t)
        m = (t >= t0) & (t <= t1)
        return t[m], np.concatenate(self._ml)[m], np.concatenate(self._foot)[m]

    def _drop(self, plan: SetPlan, t0: float, t1: float, peak: bool) -> float | None:
        """The lifted side's drop from the pelvis sensor over [t0, t1] (None without one)."""
        if not self._pelvis:
            return None
        t = np.concatenate(self._t)
        o = np.concatenate(self._pelvis)[(t >= t0) & (t <= t1)]
        d = pelvic_drop(o, OTHER[plan.side])
        if d is None:
            return None
        return d.peak_deg if peak else d.mean_deg

    def _hold_done(self, plan: SetPlan, lift: float, down: float) -> None:
        held = down - lift
        target = plan.exercise.hold_s or 0.0
        _, _, foot = self._window(lift + SETTLE_S, down)
        foot = foot[np.isfinite(foot)]
        rms = float(np.sqrt(np.mean((foot - foot.mean()) ** 2))) if foot.size >= 10 else None
        rep = RepRecord(
            self.reps_done + 1,
            start_s=lift,
            end_s=down,
            held_s=held,
            full=held >= target - HOLD_SLACK_S,
            ml_rms_mm=rms,
            pelvic_drop_deg=self._drop(plan, lift + SETTLE_S, down, peak=False),
        )
        self._add_rep(rep)
        if not rep.full and self.reps_done < plan.exercise.reps:
            self._say(f"Foot down at {held:.0f} s. Lift it again and hold.")

    def _squat_done(self, plan: SetPlan, ev: Event) -> None:
        start = float(ev.data.get("start_s", ev.t_s))
        end = float(ev.data.get("end_s", ev.t_s))
        t, ml, _ = self._window(start - 0.3, end)
        lean = None
        if t.size >= 5:
            base = float(np.median(ml[t <= start])) if np.any(t <= start) else float(ml[0])
            toward = 1.0 if OTHER[plan.side] == "right" else -1.0
            lean = float(np.max(toward * (ml[t >= start] - base))) if np.any(t >= start) else None
        rep = RepRecord(
            self.reps_done + 1,
            start_s=start,
            end_s=end,
            lean_mm=lean,
            leaned=None if lean is None else lean > LEAN_MM,
            depth_mm=float(ev.data.get("depth_mm", math.nan)),
            pelvic_drop_deg=self._drop(plan, start, end, peak=True),
        )
        self._add_rep(rep)

    def _add_rep(self, rep: RepRecord) -> None:
        self._reps.append(rep)
        if self.store is not None and self._set_row is not None:
            self.store.add_rep(self._set_row.id, rep.to_dict())

    def confirm(self) -> None:
        """The person says the set is done (guided sets) or starts it now (ready)."""
        plan = self.plan
        if self.paused or plan is None:
            return
        if self.phase is Phase.READY:
            self._enter(Phase.ACTIVE)
        elif self.phase is Phase.REST:
            self._enter(Phase.READY)
        elif self.phase is Phase.ACTIVE and not plan.info.on_board:
            n = max(self.guided_rep if not self.awaiting_confirm else plan.exercise.reps, 1)
            for _ in range(self.reps_done, n):
                self._add_rep(RepRecord(self.reps_done + 1, confirmed=True))
            self._finish_set("done")

    def skip(self) -> None:
        """Skip the current set: from its instruction, during it, or from the rest before it
        (resting, the set shown is the next one; ending the rest alone is :meth:`confirm`)."""
        if self.phase is Phase.REST:
            self.phase = Phase.READY  # no instruction is read out for a set being skipped
        plan = self.plan
        if plan is None or self.phase not in (Phase.READY, Phase.ACTIVE):
            return
        if self.phase is Phase.READY:
            self._begin_set(plan)
        self._finish_set("skipped")

    def pause(self) -> None:
        self.paused = True
        self._say("Paused. Take your time.")

    def resume(self) -> None:
        self.paused = False
        self._say("Carrying on.")

    def _finish_set(self, status: str) -> None:
        plan = self.plan
        assert plan is not None
        reps = list(self._reps)
        if status == "done":
            text, steady = set_feedback(plan, reps)
        else:
            text, steady = f"{plan.info.title} set skipped.", None
        self.results.append(SetResult(plan, status, reps, steady, text))
        self.last_feedback = text
        if self.store is not None and self._set_row is not None:
            self.store.finish_set(self._set_row.id, status, steady=steady, feedback=text)
        self._set_row = None
        self._lift_t = None
        self.rest_s_prev = plan.exercise.rest_s * self.factor if status == "done" else 0.0
        self.index += 1
        if self.index >= len(self.steps):
            self._enter(Phase.CHECKIN)
        elif self.rest_s_prev > 0:
            self._enter(Phase.REST)
        else:
            self._enter(Phase.READY)

    def check_in(self, effort: int | None, pain: int | None) -> None:
        """Effort and pain, 0-10 (None: not given); finishes the session."""
        self.effort, self.pain = effort, pain
        if self.store is not None and self.session_id is not None:
            self.store.check_in(self.session_id, effort=effort, pain=pain)
            self.store.finish_session(self.session_id, "complete")
            self._progress()
        self._enter(Phase.DONE)

    def _progress(self) -> None:
        """Run the programme's rules on the sessions of this version; store or apply."""
        store = self.store
        assert store is not None and self.session_id is not None
        cur = store.current(self.pid)
        if cur is None:
            return
        done = [
            [s.outcome() for s in sess.sets]
            for sess in store.sessions(self.pid)
            if sess.programme_id == cur.id and sess.status == "complete"
        ]
        found = propose(cur.programme, done)
        auto = [p for p in found if cur.programme.rules[p.rule_index].apply == "auto"]
        self.proposals = [p for p in found if p not in auto]
        if self.proposals:
            store.add_proposals(self.pid, cur.id, self.proposals)
        if auto:
            prog = cur.programme
            for p in auto:
                prog = apply_proposal(prog, p)
            store.set_programme(
                self.pid, prog, author="rule", reason="; ".join(p.reason for p in auto)
            )
            self.applied = auto

    def close(self) -> None:
        """Leaving before the end: the session stays resumable today (marked interrupted)."""
        if self.store is None or self.session_id is None or self.phase is Phase.DONE:
            return
        with self.store.store.transaction() as cur:
            cur.execute(
                "UPDATE programme_sessions SET status = 'interrupted', owner = NULL "
                "WHERE id = ? AND status = 'running'",
                (self.session_id,),
            )
            cur.execute(
                "UPDATE programme_sets SET status = 'interrupted' "
                "WHERE session_id = ? AND status = 'running'",
                (self.session_id,),
            )

    # -- summary -----------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Sets done, skipped and still to do."""
        done = sum(1 for r in self.results if r.status == "done")
        skipped = sum(1 for r in self.results if r.status == "skipped")
        return {"done": done, "skipped": skipped, "left": len(self.steps) - done - skipped}


def exercise_title(name: str) -> str:
    return EXERCISES[name].title if name in EXERCISES else name


__all__ = [
    "Dose",
    "Phase",
    "RepRecord",
    "SessionRunner",
    "SetResult",
    "exercise_title",
    "set_feedback",
]
