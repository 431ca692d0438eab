"""A physiotherapist's home programme: the exercises, their dose, the days, the progression.

The exercises are the gluteus medius programme the product came from (six of them, see
:data:`EXERCISES`). Two kinds of exercise exist for the board:

measured
    done standing on the board; the core's :class:`~balance_trainer.events.EventDetector`
    times each hold from lift-off of the free foot to its touchdown (step-up hold, mirror
    check) or counts single-leg squats with its squat detector;
guided
    done off the board (lying on one side, walking sideways); a timer paces them and the
    person confirms each set.

``side`` always names the working leg: the standing leg for the standing exercises, the top
leg for the side-lying ones and the leading leg (the direction of travel) for the crab walk.

A programme comes from a TOML file (:func:`parse_programme`) or the app's clinician screens;
the store keeps every version (:mod:`balance_trainer.programme_store`). The file::

    days_per_week = 5
    start = 2026-12-01
    review = 2027-01-12

    [[exercise]]
    name = "step-up-hold"
    sides = ["left", "right"]
    sets = 3
    hold_s = 20
    rest_s = 30

    [[rule]]
    exercise = "step-up-hold"
    when = "all-sets-steady"
    sessions = 2
    add_hold_s = 5
    max_hold_s = 45

A malformed file raises :class:`ProgrammeError` whose one-line message names the file, the line
and key, the bad value and the fix (exit status 2 on the command line).

References
----------
Distefano LJ, Blackburn JT, Marshall SW, Padua DA (2009). Gluteal muscle activation during
common therapeutic exercises. J Orthop Sports Phys Ther 39(7):532-540,
doi:10.2519/jospt.2009.2796 (side-lying abduction, clam, single-leg squat, lateral band walk).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import Enum
from typing import Any

from .programme_catalogue import (
    EXERCISES,
    FORMAT,
    GUIDED_REP_S,
    MAX_HOLD_S,
    MAX_REPS,
    MAX_REST_S,
    MAX_SETS,
    OTHER,
    SIDES,
    WEEKDAYS,
    Dose,
    ExerciseInfo,
    Measure,
    ProgrammeError,
)

# The catalogue and limits live in programme_catalogue; re-exported here.
__all__ = [
    "FORMAT",
    "SIDES",
    "WEEKDAYS",
    "OTHER",
    "MAX_SETS",
    "MAX_REPS",
    "MAX_HOLD_S",
    "MAX_REST_S",
    "GUIDED_REP_S",
    "ProgrammeError",
    "Measure",
    "Dose",
    "ExerciseInfo",
    "EXERCISES",
    "Prescription",
    "RuleWhen",
    "ProgressionRule",
    "Programme",
    "SetPlan",
    "default_days",
    "parse_programme",
    "load_programme",
    "Proposal",
    "SetOutcome",
    "propose",
    "apply_proposal",
    "week_of",
]


@dataclass(frozen=True)
class Prescription:
    """One exercise in a programme.

    Attributes
    ----------
    name : str
        A key of :data:`EXERCISES`.
    sides : tuple of str
        The working legs, ``left``/``right``, in the order they are done.
    sets : int
        Sets per side.
    reps : int
        Repetitions per set; for hold exercises the number of holds per set (default 1).
    hold_s : float or None
        Hold exercises: each hold's length, s. Guided exercises may give a pause at the top of
        each repetition, s. Squats: None.
    rest_s : float
        Rest after each set, s.
    notes : str
    """

    name: str
    sides: tuple[str, ...]
    sets: int
    reps: int
    hold_s: float | None
    rest_s: float
    notes: str = ""

    @property
    def info(self) -> ExerciseInfo:
        return EXERCISES[self.name]

    def dose_text(self) -> str:
        """``3 x 20 s hold`` or ``3 x 10``, per side."""
        if self.info.dose is Dose.HOLD:
            per = f"{self.reps} x " if self.reps > 1 else ""
            return f"{self.sets} x {per}{_num(self.hold_s)} s hold"
        pause = f", {_num(self.hold_s)} s at the top" if self.hold_s else ""
        return f"{self.sets} x {self.reps}{pause}"


class RuleWhen(Enum):
    """What a progression rule waits for, over its last ``sessions`` sessions."""

    ALL_STEADY = "all-sets-steady"
    ALL_DONE = "all-sets-done"


@dataclass(frozen=True)
class ProgressionRule:
    """Make an exercise harder after it went well for ``sessions`` sessions in a row.

    ``apply`` is ``propose`` (the app shows the change; a clinician applies it) or ``auto``
    (the app applies it itself at the end of the session that met it).
    """

    exercise: str
    when: RuleWhen
    sessions: int
    add_hold_s: float = 0.0
    add_reps: int = 0
    max_hold_s: float | None = None
    max_reps: int | None = None
    apply: str = "propose"

    def describe(self) -> str:
        what = f"hold +{_num(self.add_hold_s)} s" if self.add_hold_s else f"+{self.add_reps} reps"
        cap = self.max_hold_s if self.add_hold_s else self.max_reps
        limit = f" (up to {_num(cap)})" if cap is not None else ""
        cond = "all sets steady" if self.when is RuleWhen.ALL_STEADY else "all sets done"
        how = "applied by itself" if self.apply == "auto" else "proposed to the clinician"
        return (
            f"{EXERCISES[self.exercise].title}: {what}{limit} when {cond} on "
            f"{self.sessions} sessions in a row; {how}"
        )


@dataclass(frozen=True)
class Programme:
    """A person's programme: what to do, how often, from when, until the review."""

    exercises: tuple[Prescription, ...]
    days_per_week: int
    start: date
    review: date | None = None
    days: tuple[str, ...] = ()
    notes: str = ""
    rules: tuple[ProgressionRule, ...] = field(default=())

    @property
    def training_days(self) -> tuple[int, ...]:
        """Weekday numbers (Monday 0) the programme is done on."""
        if self.days:
            return tuple(WEEKDAYS.index(d) for d in self.days)
        return default_days(self.days_per_week)

    def is_training_day(self, day: date) -> bool:
        return day >= self.start and day.weekday() in self.training_days

    def steps(self) -> list[SetPlan]:
        """Today's sets in order: each exercise, set by set, the sides in turn."""
        out: list[SetPlan] = []
        for i, ex in enumerate(self.exercises):
            for s in range(1, ex.sets + 1):
                for side in ex.sides:
                    out.append(SetPlan(len(out), i, ex, side, s))
        return out

    def prescribed_sets(self) -> dict[str, int]:
        """Sets per session by exercise name (sides counted apart)."""
        out: dict[str, int] = {}
        for ex in self.exercises:
            out[ex.name] = out.get(ex.name, 0) + ex.sets * len(ex.sides)
        return out

    # -- plain data ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates ISO 8601, no nulls); :meth:`from_dict` reads it back."""
        out: dict[str, Any] = _drop_none(
            {
                "format": FORMAT,
                "days_per_week": self.days_per_week,
                "days": list(self.days),
                "start": self.start.isoformat(),
                "review": self.review.isoformat() if self.review else None,
                "notes": self.notes,
                "exercise": [
                    {
                        "name": e.name,
                        "sides": list(e.sides),
                        "sets": e.sets,
                        "reps": e.reps,
                        "hold_s": e.hold_s,
                        "rest_s": e.rest_s,
                        "notes": e.notes,
                    }
                    for e in self.exercises
                ],
                "rule": [
                    {
                        "exercise": r.exercise,
                        "when": r.when.value,
                        "sessions": r.sessions,
                        "add_hold_s": r.add_hold_s,
                        "add_reps": r.add_reps,
                        "max_hold_s": r.max_hold_s,
                        "max_reps": r.max_reps,
                        "apply": r.apply,
                    }
                    for r in self.rules
                ],
            }
        )
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "stored programme") -> Programme:
        """Validate and build from :meth:`to_dict`'s form (or a parsed TOML table)."""
        return _Validator(where, None).programme(d)

    def describe(self) -> list[str]:
        """The programme in plain lines, as ``programme show`` prints it."""
        days = ", ".join(WEEKDAYS[d].capitalize() for d in self.training_days)
        review = f", review {self.review.isoformat()}" if self.review else ""
        lines = [
            f"{self.days_per_week} days a week ({days}), from {self.start.isoformat()}{review}"
        ]
        if self.notes:
            lines.append(f"notes: {self.notes}")
        for e in self.exercises:
            board = "board counts" if e.info.on_board else "guided"
            lines.append(
                f"- {e.info.title}: {e.dose_text()} per side ({', '.join(e.sides)}), "
                f"rest {_num(e.rest_s)} s; {board}" + (f"; {e.notes}" if e.notes else "")
            )
        for r in self.rules:
            lines.append(f"  rule: {r.describe()}")
        return lines


@dataclass(frozen=True)
class SetPlan:
    """One set of a session: which exercise, which leg, which set of how many."""

    step: int
    exercise_index: int
    exercise: Prescription
    side: str
    set_no: int

    @property
    def info(self) -> ExerciseInfo:
        return self.exercise.info

    def target(self) -> dict[str, Any]:
        """What the set asks, as stored with it."""
        return {"reps": self.exercise.reps, "hold_s": self.exercise.hold_s}


def _drop_none(d: Any) -> Any:
    """``d`` without None values at any depth (TOML has no null; the file form is the same)."""
    if isinstance(d, dict):
        return {k: _drop_none(v) for k, v in d.items() if v is not None}
    if isinstance(d, list):
        return [_drop_none(v) for v in d]
    return d


def default_days(n: int) -> tuple[int, ...]:
    """``n`` weekdays spread over the week from Monday (3: Mon, Wed, Sat; 7: every day)."""
    return tuple(sorted({int(round(i * 7 / n)) % 7 for i in range(n)}))


def _num(v: float | int | None) -> str:
    if v is None:
        return "-"
    return f"{v:g}"


# --- parsing and validation -------------------------------------------------------------------

_TOP_KEYS = ("format", "days_per_week", "days", "start", "review", "notes", "exercise", "rule")
_EX_KEYS = ("name", "side", "sides", "sets", "reps", "hold_s", "rest_s", "notes")
_RULE_KEYS = (
    "exercise",
    "when",
    "sessions",
    "add_hold_s",
    "add_reps",
    "max_hold_s",
    "max_reps",
    "apply",
)


class _Validator:
    """Checks one programme table, naming the place of the first fault (file:line: key)."""

    def __init__(self, where: str, text: str | None) -> None:
        self.where = where
        self.lines = text.splitlines() if text is not None else None

    # -- messages -----------------------------------------------------------------------------
    def _line(self, table: str | None, index: int | None, key: str | None) -> int | None:
        """The 1-based line of ``key`` (in the ``index``-th ``[[table]]`` when given)."""
        if self.lines is None:
            return None
        lo, hi = 0, len(self.lines)
        header = re.compile(r"^\s*\[")
        if table is not None and index is not None:
            pat = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
            starts = [i for i, ln in enumerate(self.lines) if pat.match(ln)]
            if index >= len(starts):
                return None
            lo = starts[index]
            hi = next(
                (i for i in range(lo + 1, len(self.lines)) if header.match(self.lines[i])),
                len(self.lines),
            )
            if key is None:
                return lo + 1
        else:
            hi = next((i for i, ln in enumerate(self.lines) if header.match(ln)), hi)
        if key is None:
            return None
        kp = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for i in range(lo, hi):
            if kp.match(self.lines[i]):
                return i + 1
        return lo + 1 if table is not None else None

    def fail(
        self,
        msg: str,
        *,
        table: str | None = None,
        index: int | None = None,
        key: str | None = None,
    ) -> ProgrammeError:
        line = self._line(table, index, key)
        place = f"{self.where}:{line}" if line else self.where
        if table is not None and index is not None:
            place += f": [[{table}]] {index + 1}"
        if key is not None:
            place += f": {key}"
        return ProgrammeError(f"{place}: {msg}")

    # -- values -------------------------------------------------------------------------------
    def _int(self, v: Any, lo: int, hi: int, what: str, **at: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.fail(f"{v!r} is not {what}; give a whole number from {lo} to {hi}", **at)
        return int(v)

    def _secs(self, v: Any, lo: float, hi: float, **at: Any) -> float:
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float))
            or not math.isfinite(v)
            or not lo <= v <= hi
        ):
            raise self.fail(f"{v!r} is not a time in seconds; give {lo:g} to {hi:g}", **at)
        return float(v)

    def _date(self, v: Any, **at: Any) -> date:
        if isinstance(v, date):
            return v if type(v) is date else date(v.year, v.month, v.day)
        if isinstance(v, str):
            try:
                return date.fromisoformat(v)
            except ValueError:
                pass
        raise self.fail(f"{v!r} is not a date; write it as 2026-12-01", **at)

    def _str(self, v: Any, **at: Any) -> str:
        if not isinstance(v, str):
            raise self.fail(f"{v!r} is not text; put it in quotes", **at)
        if len(v) > 2000:
            raise self.fail("the text is longer than 2000 characters; shorten it", **at)
        return v

    def _keys(self, d: Mapping[str, Any], allowed: Sequence[str], **at: Any) -> None:
        for k in d:
            if k not in allowed:
                raise self.fail(f"unknown key {k!r}; use {', '.join(allowed)}", key=str(k), **at)

    # -- tables -------------------------------------------------------------------------------
    def programme(self, d: Mapping[str, Any]) -> Programme:
        if not isinstance(d, Mapping):
            raise self.fail("a programme is a table of keys; see docs/programme.md")
        self._keys(d, _TOP_KEYS)
        fmt = d.get("format", FORMAT)
        if fmt != FORMAT:
            raise self.fail(f"format {fmt!r} is not known; use {FORMAT!r}", key="format")
        if "days_per_week" not in d:
            raise self.fail("missing; add days_per_week = 1 to 7", key="days_per_week")
        dpw = self._int(d["days_per_week"], 1, 7, "a number of days", key="days_per_week")
        days: tuple[str, ...] = ()
        raw_days = d.get("days") or []
        if raw_days:
            if not isinstance(raw_days, list) or not all(
                isinstance(x, str) and x.lower()[:3] in WEEKDAYS for x in raw_days
            ):
                raise self.fail(
                    f'{raw_days!r}: list weekdays such as ["mon", "wed", "fri"]', key="days"
                )
            days = tuple(dict.fromkeys(x.lower()[:3] for x in raw_days))
            if len(days) != dpw:
                raise self.fail(
                    f"{len(days)} day(s) listed but days_per_week = {dpw}; make them agree",
                    key="days",
                )
        if "start" not in d:
            raise self.fail("missing; add start = 2026-12-01 (the first day)", key="start")
        start = self._date(d["start"], key="start")
        review = self._date(d["review"], key="review") if d.get("review") else None
        if review is not None and review <= start:
            raise self.fail(
                f"{review.isoformat()} is not after start {start.isoformat()}; "
                "give a later review date",
                key="review",
            )
        notes = self._str(d.get("notes", ""), key="notes")
        raw_ex = d.get("exercise")
        if not isinstance(raw_ex, list) or not raw_ex:
            raise self.fail(
                "no exercises; add an [[exercise]] table with name, sides, sets and reps or hold_s",
                key="exercise",
            )
        exercises = tuple(self.exercise(e, i) for i, e in enumerate(raw_ex))
        raw_rules = d.get("rule") or []
        if not isinstance(raw_rules, list):
            raise self.fail("write each rule as a [[rule]] table", key="rule")
        rules = tuple(self.rule(r, i, exercises) for i, r in enumerate(raw_rules))
        return Programme(exercises, dpw, start, review, days, notes, rules)

    def exercise(self, e: Any, i: int) -> Prescription:
        at: dict[str, Any] = {"table": "exercise", "index": i}
        if not isinstance(e, Mapping):
            raise self.fail("write each exercise as an [[exercise]] table", **at)
        self._keys(e, _EX_KEYS, **at)
        name = e.get("name")
        if name not in EXERCISES:
            raise self.fail(
                f"{name!r} is not an exercise; use one of {', '.join(EXERCISES)}",
                key="name",
                **at,
            )
        info = EXERCISES[name]
        sides = self._sides(e, at)
        sets = self._int(e.get("sets", 1), 1, MAX_SETS, "a number of sets", key="sets", **at)
        hold: float | None = None
        if info.dose is Dose.HOLD:
            if "hold_s" not in e:
                raise self.fail(
                    f"{info.title} is a hold; add hold_s = seconds (e.g. 20)", key="hold_s", **at
                )
            hold = self._secs(e["hold_s"], 1.0, MAX_HOLD_S, key="hold_s", **at)
            reps = self._int(e.get("reps", 1), 1, MAX_REPS, "a number of holds", key="reps", **at)
        else:
            if "reps" not in e:
                raise self.fail(
                    f"{info.title} counts repetitions; add reps = a number (e.g. 10)",
                    key="reps",
                    **at,
                )
            reps = self._int(e["reps"], 1, MAX_REPS, "a number of repetitions", key="reps", **at)
            if "hold_s" in e:
                if info.measure is Measure.SQUAT:
                    raise self.fail(
                        "squats are counted, not held; remove hold_s", key="hold_s", **at
                    )
                hold = self._secs(e["hold_s"], 0.0, 30.0, key="hold_s", **at) or None
        rest = self._secs(e.get("rest_s", 30), 0.0, MAX_REST_S, key="rest_s", **at)
        notes = self._str(e.get("notes", ""), key="notes", **at)
        return Prescription(str(name), sides, sets, reps, hold, rest, notes)

    def _sides(self, e: Mapping[str, Any], at: dict[str, Any]) -> tuple[str, ...]:
        if "side" in e and "sides" in e:
            raise self.fail("give side or sides, not both", key="sides", **at)
        key = "sides" if "sides" in e else "side"
        raw = e.get(key, ["left", "right"])
        if raw == "both":
            raw = ["left", "right"]
        if isinstance(raw, str):
            raw = [raw]
        if (
            not isinstance(raw, list)
            or not raw
            or not all(isinstance(s, str) and s in SIDES for s in raw)
            or len(set(raw)) != len(raw)
        ):
            raise self.fail(
                f'{raw!r}: use "left", "right", "both" or ["left", "right"]',
                key=key,
                **at,
            )
        return tuple(raw)

    def rule(self, r: Any, i: int, exercises: tuple[Prescription, ...]) -> ProgressionRule:
        at: dict[str, Any] = {"table": "rule", "index": i}
        if not isinstance(r, Mapping):
            raise self.fail("write each rule as a [[rule]] table", **at)
        self._keys(r, _RULE_KEYS, **at)
        names = [e.name for e in exercises]
        ex = r.get("exercise")
        if ex not in names:
            raise self.fail(
                f"{ex!r} is not in this programme; use one of {', '.join(names)}",
                key="exercise",
                **at,
            )
        try:
            when = RuleWhen(r.get("when", RuleWhen.ALL_STEADY.value))
        except ValueError:
            raise self.fail(
                f"{r.get('when')!r}: use {', '.join(w.value for w in RuleWhen)}", key="when", **at
            ) from None
        if when is RuleWhen.ALL_STEADY and not EXERCISES[str(ex)].on_board:
            raise self.fail(
                f'the board cannot see whether {ex} was steady; use when = "all-sets-done"',
                key="when",
                **at,
            )
        sessions = self._int(
            r.get("sessions", 2), 1, 20, "a number of sessions", key="sessions", **at
        )
        add_hold = self._secs(r.get("add_hold_s", 0), 0.0, 60.0, key="add_hold_s", **at)
        add_reps = self._int(r.get("add_reps", 0), 0, 20, "a number of reps", key="add_reps", **at)
        if bool(add_hold) == bool(add_reps):
            raise self.fail(
                "a rule changes one thing; give add_hold_s or add_reps (not both, not neither)",
                key="add_hold_s",
                **at,
            )
        dose = EXERCISES[str(ex)].dose
        if add_hold and dose is not Dose.HOLD:
            raise self.fail(f"{ex} is not a hold; use add_reps", key="add_hold_s", **at)
        max_hold = (
            self._secs(r["max_hold_s"], 1.0, MAX_HOLD_S, key="max_hold_s", **at)
            if "max_hold_s" in r
            else None
        )
        max_reps = (
            self._int(r["max_reps"], 1, MAX_REPS, "a number of reps", key="max_reps", **at)
            if "max_reps" in r
            else None
        )
        apply = r.get("apply", "propose")
        if apply not in ("propose", "auto"):
            raise self.fail(f'{apply!r}: use "propose" or "auto"', key="apply", **at)
        return ProgressionRule(
            str(ex), when, sessions, add_hold, add_reps, max_hold, max_reps, str(apply)
        )


def parse_programme(text: str, where: str = "programme") -> Programme:
    """A programme from TOML text; ``where`` (the file name) starts every error message.

    Raises
    ------
    ProgrammeError
        Not TOML, an unknown key, a missing or out-of-range value: one line naming
        ``where:line: key``, the value and the fix.
    """
    from .config import check_nesting

    check_nesting(text, where, ProgrammeError)  # tomllib would die of RecursionError
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        place = f"{where}:{m.group(1)}:{m.group(2)}" if m else where
        raise ProgrammeError(
            f"{place}: not valid TOML ({msg}); check quotes, brackets and '=' on that line"
        ) from None
    return _Validator(where, text).programme(data)


def load_programme(path: str) -> Programme:
    """Read and parse a programme file; errors name the file."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise ProgrammeError(f"{path}: no such file; give the path of a programme .toml") from None
    except IsADirectoryError:
        raise ProgrammeError(f"{path}: is a directory; give a programme .toml file") from None
    except OSError as exc:
        raise ProgrammeError(f"{path}: cannot read it ({exc.strerror}); check the path") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProgrammeError(
            f"{path}: byte {exc.start} is not UTF-8; save the file as UTF-8 text"
        ) from None
    return parse_programme(text, path)


# --- progression ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """A change a rule asks for: exercise ``index``'s hold or reps from ``old`` to ``new``."""

    rule_index: int
    exercise_index: int
    field: str
    old: float
    new: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_index": self.rule_index,
            "exercise_index": self.exercise_index,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Proposal:
        return cls(
            int(d["rule_index"]),
            int(d["exercise_index"]),
            str(d["field"]),
            float(d["old"]),
            float(d["new"]),
            str(d["reason"]),
        )


@dataclass(frozen=True)
class SetOutcome:
    """What one stored set says, as the progression rules and adherence read it."""

    exercise: str
    side: str
    done: bool
    steady: bool | None


def propose(programme: Programme, sessions: Sequence[Sequence[SetOutcome]]) -> list[Proposal]:
    """Changes the programme's rules ask for, given its sessions' sets (oldest first).

    A rule is met when each of the last ``rule.sessions`` sessions did every prescribed set
    of its exercise (and, for ``all-sets-steady``, every one was steady). Only sessions done
    with this version of the programme should be passed, so a change is proposed once.
    """
    out: list[Proposal] = []
    prescribed = programme.prescribed_sets()
    for ri, rule in enumerate(programme.rules):
        recent = list(sessions)[-rule.sessions :]
        if len(recent) < rule.sessions:
            continue
        ok = True
        for sets in recent:
            mine = [s for s in sets if s.exercise == rule.exercise and s.done]
            if len(mine) < prescribed.get(rule.exercise, 0):
                ok = False
            elif rule.when is RuleWhen.ALL_STEADY and not all(s.steady for s in mine):
                ok = False
        if not ok:
            continue
        for ei, ex in enumerate(programme.exercises):
            if ex.name != rule.exercise:
                continue
            if rule.add_hold_s and ex.hold_s is not None:
                new = ex.hold_s + rule.add_hold_s
                if rule.max_hold_s is not None:
                    new = min(new, rule.max_hold_s)
                if new > ex.hold_s:
                    out.append(
                        Proposal(ri, ei, "hold_s", ex.hold_s, new, _reason(rule, ex, "hold"))
                    )
            elif rule.add_reps:
                new_r = ex.reps + rule.add_reps
                if rule.max_reps is not None:
                    new_r = min(new_r, rule.max_reps)
                if new_r > ex.reps:
                    out.append(Proposal(ri, ei, "reps", ex.reps, new_r, _reason(rule, ex, "reps")))
    return out


def _reason(rule: ProgressionRule, ex: Prescription, what: str) -> str:
    cond = "steady" if rule.when is RuleWhen.ALL_STEADY else "done"
    return f"{ex.info.title}: all sets {cond} on the last {rule.sessions} sessions"


def apply_proposal(programme: Programme, p: Proposal) -> Programme:
    """The programme with proposal ``p`` applied (a new value; the old one is unchanged)."""
    if not 0 <= p.exercise_index < len(programme.exercises):
        raise ProgrammeError(
            f"proposal for exercise {p.exercise_index + 1}: the programme has "
            f"{len(programme.exercises)}; it was made for another version, propose again"
        )
    ex = programme.exercises[p.exercise_index]
    if p.field == "hold_s":
        ex = replace(ex, hold_s=float(p.new))
    elif p.field == "reps":
        ex = replace(ex, reps=int(p.new))
    else:
        raise ProgrammeError(f"proposal field {p.field!r}: only hold_s and reps change")
    exercises = list(programme.exercises)
    exercises[p.exercise_index] = ex
    return replace(programme, exercises=tuple(exercises))


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())
