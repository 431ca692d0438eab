"""Who is playing, and keeping their scores: the app's side of the store.

A thin wrapper over :class:`balance_trainer.store.Store` that the screens can use without
caring whether there is a store at all. A guest plays without a store entry; their results
live only as long as the app runs. A store that fails mid-session (disk full, unplugged USB
stick) turns into a note on screen, never a crash: the game goes on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

GUEST_ID = ""


@dataclass(frozen=True)
class PersonRef:
    """A person as the app shows them: the pseudonymous id and an optional display name."""

    id: str
    name: str = ""

    @property
    def guest(self) -> bool:
        return self.id == GUEST_ID

    @property
    def label(self) -> str:
        if self.guest:
            return "Guest"
        return self.name or self.id


GUEST = PersonRef(GUEST_ID, "Guest")


@dataclass
class GameResult:
    """One finished round, as shown on the results and progress screens."""

    game: str
    score: float
    level: int | None = None
    duration_s: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    when: str = ""


class Records:
    """People and scores, from a store when there is one.

    Parameters
    ----------
    store : Store or None
        An open store; None runs with guests only.
    board_name : str
        Saved with each session.
    source : str
        The source kind, saved with each session (``sim``, ``hx711``...).
    """

    def __init__(
        self, store: Any = None, *, board_name: str | None = None, source: str | None = None
    ) -> None:
        self.store = store
        self.board_name = board_name
        self.source = source
        self.note = ""
        self._sessions: dict[tuple[str, str], int] = {}
        self._guest_results: list[GameResult] = []

    @property
    def available(self) -> bool:
        return self.store is not None

    def _fail(self, exc: BaseException) -> None:
        self.note = f"scores not saved: {exc}"

    # -- people ------------------------------------------------------------------------------
    def people(self) -> list[PersonRef]:
        """Everyone in the store (empty without one)."""
        if self.store is None:
            return []
        try:
            return [PersonRef(p.id, p.name or "") for p in self.store.list_people()]
        except Exception as exc:  # noqa: BLE001 - any store failure leaves guest mode working
            self._fail(exc)
            return []

    def next_id(self) -> str:
        """The next free pseudonymous id (p01, p02, ...), free in any letter case."""
        taken = {p.id.casefold() for p in self.people()}
        n = 1
        while f"p{n:02d}" in taken:
            n += 1
        return f"p{n:02d}"

    def add_person(self, name: str = "") -> PersonRef | None:
        """Add a person with the next free id and ``name``; None without a store."""
        if self.store is None:
            return None
        pid = self.next_id()
        name = " ".join(name.split())
        try:
            if name:
                self.store.add_person(pid, name=name)
            else:
                self.store.add_person(pid)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)
            return None
        return PersonRef(pid, name)

    def find(self, pid: str) -> PersonRef | None:
        """The person whose id is ``pid`` in any letter case (``P01`` finds ``p01``)."""
        want = pid.casefold()
        for p in self.people():
            if p.id.casefold() == want:
                return p
        return None

    # -- sessions and results ----------------------------------------------------------------
    def session(self, person: PersonRef, kind: str = "game") -> int | None:
        """The session id for ``person`` this run (started on first use); None for a guest."""
        if person.guest or self.store is None:
            return None
        key = (person.id, kind)
        if key not in self._sessions:
            try:
                self._sessions[key] = self.store.start_session(
                    person.id, kind, board=self.board_name, source=self.source
                )
            except Exception as exc:  # noqa: BLE001
                self._fail(exc)
                return None
        return self._sessions[key]

    def save_game(self, person: PersonRef, result: GameResult) -> bool:
        """Store a finished round; guests' rounds are kept in memory only."""
        if person.guest or self.store is None:
            self._guest_results.append(result)
            return False
        sid = self.session(person)
        if sid is None:
            self._guest_results.append(result)
            return False
        try:
            self.store.add_game_result(
                sid,
                result.game,
                result.score,
                level=result.level,
                duration_s=result.duration_s,
                details=result.details,
            )
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)
            return False
        return True

    def results(self, person: PersonRef, game: str | None = None) -> list[GameResult]:
        """The person's results, oldest first (this run's only, for a guest)."""
        if person.guest or self.store is None:
            out = list(self._guest_results)
        else:
            try:
                sessions = self.store.history(person.id)
            except Exception as exc:  # noqa: BLE001
                self._fail(exc)
                sessions = []
            out = []
            for s in sessions:
                for g in s.games:
                    when = g.created_at.strftime("%d %b") if g.created_at else ""
                    out.append(
                        GameResult(
                            g.game, g.score, g.level, g.duration_s, dict(g.details or {}), when
                        )
                    )
        return [r for r in out if game is None or r.game == game]

    def tests(self, person: PersonRef) -> list[Any]:
        """The person's stored clinical-test trials (store TrialRow objects), oldest first."""
        if person.guest or self.store is None:
            return []
        try:
            return [t for s in self.store.history(person.id) for t in s.trials]
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)
            return []

    def recent_sway(self, person: PersonRef, game: str, last: int = 5) -> list[float]:
        """``ml_rms_mm`` of the person's last rounds of ``game`` (for adaptive difficulty)."""
        vals = []
        for r in self.results(person, game)[-last:]:
            v = r.details.get("ml_rms_mm") if r.details else None
            if isinstance(v, (int, float)) and math.isfinite(v):
                vals.append(float(v))
        return vals

    def best(self, person: PersonRef, game: str) -> float | None:
        scores = [r.score for r in self.results(person, game)]
        return max(scores) if scores else None

    def close(self) -> None:
        if self.store is not None:
            try:
                self.store.close()
            except Exception:  # noqa: BLE001
                pass
