"""Adherence to a programme: a calendar of sessions done and missed, streaks, sets per exercise,
hold times and steadiness per side over time, and the pain trend.

Definitions
    A **training day** is a day on or after the programme's start that falls on one of its
    weekdays (:attr:`Programme.training_days`), under the version of the programme in force on
    that day (the latest version created on or before it). Each calendar day is one of:
    ``done`` (a session with every prescribed set done), ``partial`` (some done), ``skipped``
    (a session begun but no set done), ``missed`` (a past training day without a session),
    ``due`` (today, a training day, nothing done yet), ``rest`` (not a training day, no session)
    or ``extra`` (a session on a rest day).
    **Adherence %** = sets done / sets prescribed × 100, over the training days up to
    yesterday plus today when a session was done today (so an unfinished today does not count
    against the person). **Sessions %** = training days ``done`` / training days, likewise.
    A **streak** is a run of training days with at least one set done; rest days neither break
    nor extend it, and today breaks it only once it is over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .programme import EXERCISES, Measure, Programme
from .programme_store import SessionRow, StoredProgramme

DAY_STATUSES = ("done", "partial", "skipped", "missed", "due", "rest", "extra")


@dataclass(frozen=True)
class DayMark:
    day: date
    status: str
    sets_done: int = 0
    sets_prescribed: int = 0


@dataclass
class Adherence:
    """Everything the calendar, the streak badge and the clinician's page show."""

    start: date | None
    today: date
    calendar: list[DayMark] = field(default_factory=list)
    sets_done: int = 0
    sets_prescribed: int = 0
    training_days: int = 0
    days_done: int = 0
    streak: int = 0
    best_streak: int = 0
    per_exercise: dict[str, dict[str, int]] = field(default_factory=dict)
    holds: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    """Per side: (day, mean hold, s) of the standing holds."""
    sway: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    """Per side: (day, mean ML sway RMS of the holds, mm)."""
    steady: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    """Per side: (day, share of the board's sets that were steady, 0..1)."""
    pain: list[tuple[date, int]] = field(default_factory=list)
    effort: list[tuple[date, int]] = field(default_factory=list)

    @property
    def pct(self) -> float | None:
        """Sets done / prescribed, %; None before the first training day."""
        if not self.sets_prescribed:
            return None
        return 100.0 * min(self.sets_done, self.sets_prescribed) / self.sets_prescribed

    @property
    def sessions_pct(self) -> float | None:
        if not self.training_days:
            return None
        return 100.0 * self.days_done / self.training_days

    def to_json(self) -> dict[str, Any]:
        def series(d: dict[str, list[tuple[date, float]]]) -> dict[str, list[list[Any]]]:
            return {k: [[x.isoformat(), round(v, 3)] for x, v in vs] for k, vs in d.items()}

        return {
            "start": self.start.isoformat() if self.start else None,
            "today": self.today.isoformat(),
            "adherence_pct": None if self.pct is None else round(self.pct, 1),
            "sessions_pct": None if self.sessions_pct is None else round(self.sessions_pct, 1),
            "sets_done": self.sets_done,
            "sets_prescribed": self.sets_prescribed,
            "training_days": self.training_days,
            "days_done": self.days_done,
            "streak": self.streak,
            "best_streak": self.best_streak,
            "per_exercise": self.per_exercise,
            "calendar": [[m.day.isoformat(), m.status] for m in self.calendar],
            "hold_s": series(self.holds),
            "ml_sway_mm": series(self.sway),
            "steady_share": series(self.steady),
            "pain": [[d.isoformat(), v] for d, v in self.pain],
            "effort": [[d.isoformat(), v] for d, v in self.effort],
        }


def _in_force(versions: Sequence[StoredProgramme], day: date) -> Programme | None:
    """The version in force on ``day``: the latest created on or before it (else the first)."""
    best: StoredProgramme | None = None
    for v in versions:
        if v.created_at.astimezone().date() <= day and (best is None or v.version > best.version):
            best = v
    if best is None and versions:
        best = min(versions, key=lambda v: v.version)
    return best.programme if best else None


def adherence(
    versions: Sequence[StoredProgramme], sessions: Sequence[SessionRow], today: date
) -> Adherence:
    """Adherence from a person's programme versions and sessions, as of ``today``."""
    out = Adherence(None, today)
    if not versions:
        return out
    by_day: dict[date, list[SessionRow]] = {}
    for s in sessions:
        by_day.setdefault(s.day, []).append(s)
    first = min(v.programme.start for v in versions)
    start = min([first, *by_day]) if by_day else first
    out.start = first
    # The programme in force changes only at a version's creation: look it up per version.
    ordered = sorted(versions, key=lambda v: v.version)
    prescribed_cache: dict[int, dict[str, int]] = {}
    run = 0
    day = start
    while day <= today:
        prog = _in_force(ordered, day) if len(ordered) > 1 else ordered[0].programme
        assert prog is not None
        key = id(prog)
        if key not in prescribed_cache:
            prescribed_cache[key] = prog.prescribed_sets()
        presc = prescribed_cache[key]
        n_presc = sum(presc.values())
        todays = by_day.get(day, [])
        done_sets = [x for s in todays for x in s.sets if x.status == "done"]
        n_done = len(done_sets)
        training = prog.is_training_day(day)
        if training:
            status = (
                "done"
                if n_done >= n_presc
                else "partial"
                if n_done
                else "skipped"
                if todays
                else "due"
                if day == today
                else "missed"
            )
        else:
            status = "extra" if n_done else "rest"
        counted = training and (day < today or n_done > 0)
        if counted:
            out.training_days += 1
            out.sets_prescribed += n_presc
            out.sets_done += min(n_done, n_presc)
            out.days_done += status == "done"
            for name, n in presc.items():
                pe = out.per_exercise.setdefault(name, {"prescribed": 0, "done": 0, "skipped": 0})
                pe["prescribed"] += n
        for s in todays:
            for x in s.sets:
                pe = out.per_exercise.setdefault(
                    x.exercise, {"prescribed": 0, "done": 0, "skipped": 0}
                )
                if x.status == "done":
                    pe["done"] += 1
                elif x.status == "skipped":
                    pe["skipped"] += 1
        if training and day >= first:
            if n_done:
                run += 1
                out.best_streak = max(out.best_streak, run)
            elif day < today:
                run = 0
        elif n_done:  # a session on a rest day counts toward the streak too
            run += 1
            out.best_streak = max(out.best_streak, run)
        out.calendar.append(DayMark(day, status, n_done, n_presc if training else 0))
        _measures(out, day, todays)
        day += timedelta(days=1)
    out.streak = run
    return out


def _measures(out: Adherence, day: date, todays: Sequence[SessionRow]) -> None:
    holds: dict[str, list[float]] = {}
    sway: dict[str, list[float]] = {}
    steady: dict[str, list[bool]] = {}
    for s in todays:
        for x in s.sets:
            info = EXERCISES.get(x.exercise)
            if info is None or not info.on_board or x.status != "done":
                continue
            if x.steady is not None:
                steady.setdefault(x.side, []).append(bool(x.steady))
            if info.measure is Measure.HOLD:
                for r in x.reps:
                    if isinstance(r.get("held_s"), (int, float)):
                        holds.setdefault(x.side, []).append(float(r["held_s"]))
                    if isinstance(r.get("ml_rms_mm"), (int, float)):
                        sway.setdefault(x.side, []).append(float(r["ml_rms_mm"]))
        if s.pain is not None:
            out.pain.append((day, int(s.pain)))
        if s.effort is not None:
            out.effort.append((day, int(s.effort)))
    for side, v in holds.items():
        out.holds.setdefault(side, []).append((day, sum(v) / len(v)))
    for side, v in sway.items():
        out.sway.setdefault(side, []).append((day, sum(v) / len(v)))
    for side, b in steady.items():
        out.steady.setdefault(side, []).append((day, sum(b) / len(b)))


def programme_overview(store: Any, pid: str, today: date | None = None) -> dict[str, Any]:
    """Everything ``programme show`` prints: the current version, its history, pending
    proposals and adherence, as plain JSON. ``store`` is an open Store."""
    from .programme_store import ProgrammeStore

    ps = ProgrammeStore(store)
    store.get_person(pid)
    versions = ps.versions(pid)
    day = today or store.clock().astimezone().date()
    cur = versions[-1] if versions else None
    return {
        "person": pid,
        "programme": cur.programme.to_dict() if cur else None,
        "version": cur.version if cur else None,
        "history": [
            {
                "version": v.version,
                "created_at": v.created_at.isoformat(),
                "author": v.author,
                "reason": v.reason,
            }
            for v in versions
        ],
        "proposals": [
            {"id": p.id, "version": _version_of(versions, p.programme_id), **p.proposal.to_dict()}
            for p in ps.proposals(pid, "proposed")
        ],
        "adherence": adherence(versions, ps.sessions(pid), day).to_json() if cur else None,
    }


def _version_of(versions: Sequence[StoredProgramme], programme_id: int) -> int | None:
    return next((v.version for v in versions if v.id == programme_id), None)


def history_lines(store: Any, pid: str, today: date | None = None) -> list[dict[str, Any]]:
    """What ``history --json`` adds for a person with a programme: one object per programme
    session (``"kind": "programme"``, with its sets) and a last ``"kind": "adherence"`` one.
    Empty for a person who never had a programme."""
    from .programme_store import ProgrammeStore

    ps = ProgrammeStore(store)
    versions = ps.versions(pid)
    if not versions:
        return []
    sessions = ps.sessions(pid)
    day = today or store.clock().astimezone().date()
    out: list[dict[str, Any]] = [{"kind": "programme", **s.to_json()} for s in sessions]
    out.append(
        {
            "kind": "adherence",
            "programme_version": versions[-1].version,
            **adherence(versions, sessions, day).to_json(),
        }
    )
    return out
