"""Programmes in the store: every version kept, sessions and sets stored as they happen.

Tables (migration 2 in :mod:`.migrations`): ``programmes`` (one row per version, never
updated: the history of changes), ``programme_sessions`` (one per session done or begun),
``programme_sets`` (one per set, written when the set starts and updated with every
repetition) and ``programme_proposals`` (changes the progression rules asked for, and what the
clinician decided).

Nothing lost
    Each repetition is committed as it is counted (``synchronous=FULL``, WAL: see
    :mod:`.store`), so a crash or a power cut loses at most the repetition in progress. A
    session still ``running`` whose writer process is gone is marked ``interrupted`` (with its
    running set) when the store is next used, and can be resumed that day where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .errors import StoreError, UsageError
from .programme import Programme, Proposal, SetOutcome, SetPlan, apply_proposal
from .records import ts_parse, ts_text
from .store import Store, _owner_token, owner_alive

SESSION_STATUSES = ("running", "complete", "interrupted", "abandoned")
SET_STATUSES = ("running", "done", "skipped", "interrupted")


@dataclass(frozen=True)
class StoredProgramme:
    """One version of a person's programme."""

    id: int
    person_id: str
    version: int
    created_at: datetime
    author: str
    reason: str | None
    programme: Programme


@dataclass
class SetRow:
    """A stored set: its plan, status and the repetitions recorded so far."""

    id: int
    session_id: int
    step: int
    exercise: str
    side: str
    set_no: int
    status: str
    target: dict[str, Any]
    reps_done: int
    reps: list[dict[str, Any]]
    steady: bool | None
    feedback: str | None
    started_at: datetime
    ended_at: datetime | None

    def outcome(self) -> SetOutcome:
        return SetOutcome(self.exercise, self.side, self.status == "done", self.steady)

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "exercise": self.exercise,
            "side": self.side,
            "set": self.set_no,
            "status": self.status,
            "target": self.target,
            "reps_done": self.reps_done,
            "reps": self.reps,
            "steady": self.steady,
            "feedback": self.feedback,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
        }


@dataclass
class SessionRow:
    """A stored programme session with its sets (in step order)."""

    id: int
    person_id: str
    programme_id: int
    day: date
    status: str
    started_at: datetime
    ended_at: datetime | None
    effort: int | None
    pain: int | None
    sets: list[SetRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "programme_id": self.programme_id,
            "day": self.day.isoformat(),
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "effort": self.effort,
            "pain": self.pain,
            "sets": [s.to_json() for s in self.sets],
        }


@dataclass(frozen=True)
class ProposalRow:
    """A stored proposal and what was decided."""

    id: int
    person_id: str
    programme_id: int
    created_at: datetime
    proposal: Proposal
    status: str
    decided_at: datetime | None
    decided_by: str | None


def _when(v: Any) -> datetime:
    got = ts_parse(v)
    assert got is not None
    return got


class ProgrammeStore:
    """The programme tables of an open :class:`~balance_trainer.store.Store`.

    Opening one marks sessions left running by a dead process as interrupted.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.recovered = self._recover()

    def _now(self) -> str:
        return ts_text(self.store.clock())

    def _recover(self) -> list[int]:
        rows = self.store.query("SELECT id, owner FROM programme_sessions WHERE status = 'running'")
        dead = [int(sid) for sid, owner in rows if not owner_alive(owner)]
        if not dead:
            return []
        try:
            with self.store.transaction() as cur:
                for sid in dead:
                    cur.execute(
                        "UPDATE programme_sessions SET status = 'interrupted', owner = NULL "
                        "WHERE id = ? AND status = 'running'",
                        (sid,),
                    )
                    cur.execute(
                        "UPDATE programme_sets SET status = 'interrupted' "
                        "WHERE session_id = ? AND status = 'running'",
                        (sid,),
                    )
        except StoreError:
            return []  # read-only: the next writable open marks them
        return dead

    # -- programmes ---------------------------------------------------------------------------
    def set_programme(
        self, pid: str, programme: Programme, *, author: str = "file", reason: str | None = None
    ) -> StoredProgramme:
        """Store ``programme`` as the person's next version; returns it."""
        self.store.get_person(pid)
        body = json.dumps(programme.to_dict(), separators=(",", ":"))
        with self.store.transaction() as cur:
            row = cur.execute(
                "SELECT COALESCE(MAX(version), 0) FROM programmes WHERE person_id = ?", (pid,)
            ).fetchone()
            version = int(row[0]) + 1
            now = self._now()
            cur.execute(
                "INSERT INTO programmes (person_id, version, created_at, author, reason, body) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (pid, version, now, author, reason, body),
            )
            pg_id = int(cur.fetchone()[0])
        return StoredProgramme(pg_id, pid, version, _when(now), author, reason, programme)

    _PG_COLS = "id, person_id, version, created_at, author, reason, body"

    def _programme(self, r: tuple[Any, ...]) -> StoredProgramme:
        prog = Programme.from_dict(json.loads(r[6]), f"stored programme {r[1]} v{r[2]}")
        return StoredProgramme(int(r[0]), r[1], int(r[2]), _when(r[3]), r[4], r[5], prog)

    def current(self, pid: str) -> StoredProgramme | None:
        """The person's latest programme version, None without one."""
        rows = self.store.query(
            f"SELECT {self._PG_COLS} FROM programmes WHERE person_id = ? "
            "ORDER BY version DESC LIMIT 1",
            (pid,),
        )
        return self._programme(rows[0]) if rows else None

    def versions(self, pid: str) -> list[StoredProgramme]:
        """Every version, oldest first (the history of changes)."""
        rows = self.store.query(
            f"SELECT {self._PG_COLS} FROM programmes WHERE person_id = ? ORDER BY version",
            (pid,),
        )
        return [self._programme(r) for r in rows]

    def get_version(self, programme_id: int) -> StoredProgramme:
        rows = self.store.query(
            f"SELECT {self._PG_COLS} FROM programmes WHERE id = ?", (programme_id,)
        )
        if not rows:
            raise StoreError(f"no programme {programme_id} in {self.store.path}")
        return self._programme(rows[0])

    # -- sessions -----------------------------------------------------------------------------
    def start_session(self, pid: str, day: date) -> int:
        """A new running session of the person's current programme for ``day``."""
        cur_pg = self.current(pid)
        if cur_pg is None:
            raise UsageError(
                f"{pid} has no programme; set one with 'balance-trainer programme set {pid} "
                "plan.toml'"
            )
        with self.store.transaction() as cur:
            cur.execute(
                "INSERT INTO programme_sessions (person_id, programme_id, day, status, "
                "started_at, owner) VALUES (?, ?, ?, 'running', ?, ?) RETURNING id",
                (pid, cur_pg.id, day.isoformat(), self._now(), _owner_token()),
            )
            return int(cur.fetchone()[0])

    def resumable(self, pid: str, day: date) -> SessionRow | None:
        """The day's interrupted session, if there is one to carry on with."""
        rows = self.store.query(
            "SELECT id FROM programme_sessions WHERE person_id = ? AND day = ? "
            "AND status = 'interrupted' ORDER BY id DESC LIMIT 1",
            (pid, day.isoformat()),
        )
        return self.session(int(rows[0][0])) if rows else None

    def resume_session(self, sid: int) -> SessionRow:
        """Take an interrupted session up again in this process."""
        with self.store.transaction() as cur:
            cur.execute(
                "UPDATE programme_sessions SET status = 'running', owner = ? WHERE id = ?",
                (_owner_token(), sid),
            )
        return self.session(sid)

    def begin_set(self, sid: int, plan: SetPlan) -> SetRow:
        """The set's row, created running; an interrupted one of this step is taken up again
        with the repetitions it already has."""
        with self.store.transaction() as cur:
            old = cur.execute(
                "SELECT id, status FROM programme_sets WHERE session_id = ? AND step = ?",
                (sid, plan.step),
            ).fetchone()
            if old is not None:
                if old[1] in ("done", "skipped"):
                    raise StoreError(f"set {plan.step + 1} of session {sid} is already {old[1]}")
                cur.execute("UPDATE programme_sets SET status = 'running' WHERE id = ?", (old[0],))
            else:
                cur.execute(
                    "INSERT INTO programme_sets (session_id, step, exercise, side, set_no, "
                    "status, target, reps, started_at) VALUES (?, ?, ?, ?, ?, 'running', ?, "
                    "'[]', ?)",
                    (
                        sid,
                        plan.step,
                        plan.exercise.name,
                        plan.side,
                        plan.set_no,
                        json.dumps(plan.target()),
                        self._now(),
                    ),
                )
        got = [s for s in self.session(sid).sets if s.step == plan.step]
        return got[0]

    def add_rep(self, set_id: int, rep: Mapping[str, Any]) -> int:
        """Append one repetition (committed at once); returns the set's count."""
        with self.store.transaction() as cur:
            row = cur.execute("SELECT reps FROM programme_sets WHERE id = ?", (set_id,)).fetchone()
            if row is None:
                raise StoreError(f"no programme set {set_id} in {self.store.path}")
            reps = json.loads(row[0] or "[]")
            reps.append(dict(rep))
            cur.execute(
                "UPDATE programme_sets SET reps = ?, reps_done = ? WHERE id = ?",
                (json.dumps(reps, separators=(",", ":"), allow_nan=False), len(reps), set_id),
            )
        return len(reps)

    def finish_set(
        self, set_id: int, status: str, *, steady: bool | None = None, feedback: str | None = None
    ) -> None:
        if status not in ("done", "skipped"):
            raise UsageError(f"set status {status!r}: use done or skipped")
        with self.store.transaction() as cur:
            cur.execute(
                "UPDATE programme_sets SET status = ?, steady = ?, feedback = ?, ended_at = ? "
                "WHERE id = ?",
                (status, None if steady is None else int(steady), feedback, self._now(), set_id),
            )

    def finish_session(self, sid: int, status: str = "complete") -> None:
        if status not in ("complete", "abandoned"):
            raise UsageError(f"session status {status!r}: use complete or abandoned")
        with self.store.transaction() as cur:
            cur.execute(
                "UPDATE programme_sessions SET status = ?, ended_at = ?, owner = NULL WHERE id = ?",
                (status, self._now(), sid),
            )

    def check_in(self, sid: int, *, effort: int | None, pain: int | None) -> None:
        """Store the effort and pain scores (0-10) given after the session."""
        for what, v in (("effort", effort), ("pain", pain)):
            if v is not None and not (isinstance(v, int) and 0 <= v <= 10):
                raise UsageError(f"{what} {v!r}: give a whole number from 0 to 10")
        with self.store.transaction() as cur:
            cur.execute(
                "UPDATE programme_sessions SET effort = ?, pain = ? WHERE id = ?",
                (effort, pain, sid),
            )

    _S_COLS = "id, person_id, programme_id, day, status, started_at, ended_at, effort, pain"
    _SET_COLS = (
        "id, session_id, step, exercise, side, set_no, status, target, reps_done, reps, "
        "steady, feedback, started_at, ended_at"
    )

    @staticmethod
    def _session(r: tuple[Any, ...]) -> SessionRow:
        return SessionRow(
            int(r[0]),
            r[1],
            int(r[2]),
            date.fromisoformat(r[3]),
            r[4],
            _when(r[5]),
            ts_parse(r[6]),
            r[7],
            r[8],
        )

    @staticmethod
    def _set(r: tuple[Any, ...]) -> SetRow:
        return SetRow(
            int(r[0]),
            int(r[1]),
            int(r[2]),
            r[3],
            r[4],
            int(r[5]),
            r[6],
            json.loads(r[7]),
            int(r[8]),
            json.loads(r[9] or "[]"),
            None if r[10] is None else bool(r[10]),
            r[11],
            _when(r[12]),
            ts_parse(r[13]),
        )

    def session(self, sid: int) -> SessionRow:
        rows = self.store.query(
            f"SELECT {self._S_COLS} FROM programme_sessions WHERE id = ?", (sid,)
        )
        if not rows:
            raise StoreError(f"no programme session {sid} in {self.store.path}")
        s = self._session(rows[0])
        s.sets = [
            self._set(r)
            for r in self.store.query(
                f"SELECT {self._SET_COLS} FROM programme_sets WHERE session_id = ? ORDER BY step",
                (sid,),
            )
        ]
        return s

    def sessions(self, pid: str) -> list[SessionRow]:
        """The person's programme sessions, oldest first, with their sets."""
        out: dict[int, SessionRow] = {}
        for r in self.store.query(
            f"SELECT {self._S_COLS} FROM programme_sessions WHERE person_id = ? ORDER BY day, id",
            (pid,),
        ):
            out[int(r[0])] = self._session(r)
        if not out:
            return []
        cols = ", ".join(f"x.{c.strip()}" for c in self._SET_COLS.split(","))
        for r in self.store.query(
            f"SELECT {cols} FROM programme_sets x JOIN programme_sessions s "
            "ON s.id = x.session_id WHERE s.person_id = ? ORDER BY x.session_id, x.step",
            (pid,),
        ):
            out[int(r[1])].sets.append(self._set(r))
        return list(out.values())

    # -- progression --------------------------------------------------------------------------
    def add_proposals(
        self, pid: str, programme_id: int, proposals: Sequence[Proposal]
    ) -> list[int]:
        """Store new proposals (one already pending for the same change is not repeated)."""
        pending = {
            (p.proposal.exercise_index, p.proposal.field, p.proposal.new)
            for p in self.proposals(pid, "proposed")
            if p.programme_id == programme_id
        }
        ids: list[int] = []
        with self.store.transaction() as cur:
            for p in proposals:
                if (p.exercise_index, p.field, p.new) in pending:
                    continue
                cur.execute(
                    "INSERT INTO programme_proposals (person_id, programme_id, created_at, "
                    "change, status) VALUES (?, ?, ?, ?, 'proposed') RETURNING id",
                    (pid, programme_id, self._now(), json.dumps(p.to_dict())),
                )
                ids.append(int(cur.fetchone()[0]))
        return ids

    def proposals(self, pid: str, status: str | None = None) -> list[ProposalRow]:
        sql = (
            "SELECT id, person_id, programme_id, created_at, change, status, decided_at, "
            "decided_by FROM programme_proposals WHERE person_id = ?"
        )
        params: tuple[Any, ...] = (pid,)
        if status is not None:
            sql += " AND status = ?"
            params = (pid, status)
        return [
            ProposalRow(
                int(r[0]),
                r[1],
                int(r[2]),
                _when(r[3]),
                Proposal.from_dict(json.loads(r[4])),
                r[5],
                ts_parse(r[6]),
                r[7],
            )
            for r in self.store.query(sql + " ORDER BY id", params)
        ]

    def decide(self, proposal_id: int, *, apply: bool, by: str) -> StoredProgramme | None:
        """Apply (a new programme version) or dismiss a pending proposal."""
        rows = [p for p in self._all_pending() if p.id == proposal_id]
        if not rows:
            raise UsageError(
                f"no pending proposal {proposal_id}; see 'balance-trainer programme show ID'"
            )
        row = rows[0]
        new: StoredProgramme | None = None
        if apply:
            base = self.get_version(row.programme_id)
            cur_pg = self.current(row.person_id)
            if cur_pg is None or cur_pg.id != base.id:
                raise UsageError(
                    f"proposal {proposal_id} was made for version {base.version}, but the "
                    "programme has changed since; dismiss it"
                )
            changed = apply_proposal(base.programme, row.proposal)
            new = self.set_programme(row.person_id, changed, author=by, reason=row.proposal.reason)
        with self.store.transaction() as cur:
            cur.execute(
                "UPDATE programme_proposals SET status = ?, decided_at = ?, decided_by = ? "
                "WHERE id = ?",
                ("applied" if apply else "dismissed", self._now(), by, proposal_id),
            )
        return new

    def _all_pending(self) -> list[ProposalRow]:
        pids = self.store.query(
            "SELECT DISTINCT person_id FROM programme_proposals WHERE status = 'proposed'"
        )
        return [p for (pid,) in pids for p in self.proposals(pid, "proposed")]
