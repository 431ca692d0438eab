"""The store's people and privacy: adding, reading and deleting a person, and wiping what a
deletion leaves in the WAL file.

A mixin of :class:`~balance_trainer.store.Store` (import it from there); see the privacy notes
in :mod:`.store`'s docstring.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import StoreError, StoreUnavailableError, UnknownPersonError, UsageError
from .records import SEXES, SIDES, Person, ts_parse, ts_text, validate_person_id
from .store_support import StoreBase, _guarded, owner_alive

__all__ = ["WIPE_DELAY_S", "WIPE_TRIES", "PeopleMixin"]

log = logging.getLogger("balance_trainer.store")

WIPE_TRIES = 6
WIPE_DELAY_S = 0.5
"""Deleting a person retries the WAL wipe this often, waiting 0.5, 1, 1.5 ... s (7.5 s)."""


class PeopleMixin(StoreBase):
    """People: add, get, list, overview and delete (with the WAL wiped after)."""

    @_guarded
    def add_person(
        self,
        pid: str,
        *,
        name: str | None = None,
        birth_year: int | None = None,
        sex: str | None = None,
        height_cm: float | None = None,
        mass_kg: float | None = None,
        dominant_side: str | None = None,
        notes: str | None = None,
    ) -> Person:
        """Add a person. Only the pseudonymous ``pid`` is required.

        Raises
        ------
        UsageError
            A bad id or field value (birth year, sex, height cm, mass kg, side).
        StoreError
            The id is taken.
        """
        validate_person_id(pid)
        year = self.clock().year
        if birth_year is not None and not (1900 <= int(birth_year) <= year):
            raise UsageError(f"birth year {birth_year}: give a year between 1900 and {year}")
        if sex is not None and sex not in SEXES:
            raise UsageError(f"sex {sex!r}: use one of {', '.join(SEXES)} or leave it out")
        if height_cm is not None and not (40.0 <= float(height_cm) <= 250.0):
            raise UsageError(f"height {height_cm} cm: give centimetres between 40 and 250")
        if mass_kg is not None and not (5.0 <= float(mass_kg) <= 300.0):
            raise UsageError(f"mass {mass_kg} kg: give kilograms between 5 and 300")
        if dominant_side is not None and dominant_side not in SIDES:
            raise UsageError(f"dominant side {dominant_side!r}: use left or right")
        person = Person(
            pid,
            name or None,
            None if birth_year is None else int(birth_year),
            sex,
            None if height_cm is None else float(height_cm),
            None if mass_kg is None else float(mass_kg),
            dominant_side,
            notes or None,
            created := self.clock(),
        )
        with self._tx() as cur:
            if cur.execute("SELECT 1 FROM people WHERE id = ?", (pid,)).fetchone():
                raise StoreError(f"person {pid!r} already exists; choose another id")
            cur.execute(
                "INSERT INTO people (id, name, birth_year, sex, height_cm, mass_kg, "
                "dominant_side, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    pid,
                    person.name,
                    person.birth_year,
                    sex,
                    person.height_cm,
                    person.mass_kg,
                    dominant_side,
                    person.notes,
                    ts_text(created),
                ),
            )
        log.info("added person %s", pid)
        return person

    _PERSON_COLS = "id, name, birth_year, sex, height_cm, mass_kg, dominant_side, notes, created_at"

    @staticmethod
    def _person(row: tuple[Any, ...]) -> Person:
        pid, name, birth_year, sex, height_cm, mass_kg, side, notes, created = row
        return Person(
            pid, name, birth_year, sex, height_cm, mass_kg, side, notes, ts_parse(created)
        )

    @_guarded
    def get_person(self, pid: str) -> Person:
        """The person with id ``pid``; raises :class:`UnknownPersonError` if there is none."""
        validate_person_id(pid)  # a malformed id is named as such, never echoed raw
        row = self._db.execute(
            f"SELECT {self._PERSON_COLS} FROM people WHERE id = ?", (pid,)
        ).fetchone()
        if row is None:
            raise UnknownPersonError(
                f"no person {pid!r} in {self.path}; see 'balance-trainer people list' or add "
                f"them with 'balance-trainer people add {pid}'"
            )
        return self._person(row)

    @_guarded
    def list_people(self) -> list[Person]:
        """Everyone, by id."""
        rows = self._db.execute(f"SELECT {self._PERSON_COLS} FROM people ORDER BY id")
        return [self._person(r) for r in rows]

    @_guarded
    def people_overview(self) -> dict[str, tuple[int, datetime | None]]:
        """``{person id: (number of sessions, start of the latest)}`` for people with sessions."""
        rows = self._db.execute(
            "SELECT person_id, COUNT(*), MAX(started_at) FROM sessions GROUP BY person_id"
        )
        return {pid: (int(n), ts_parse(last)) for pid, n, last in rows}

    @_guarded
    def delete_person(self, pid: str) -> dict[str, int]:
        """Delete a person with every session, trial, frame and game result; return counts.

        With ``secure_delete`` the freed pages are zeroed, and the WAL is truncated after, so
        the data is gone from the files, not only from the queries.
        """
        self.get_person(pid)
        sessions = "SELECT id FROM sessions WHERE person_id = ?"
        trials = f"SELECT id FROM trials WHERE session_id IN ({sessions})"
        running = self._db.execute(
            f"SELECT id, owner FROM trials WHERE status = 'running' AND id IN ({trials})", (pid,)
        ).fetchall()
        live = [tid for tid, owner in running if owner_alive(owner)]
        if live:
            raise StoreError(
                f"{pid} is being recorded right now (trial {live[0]}); stop that recording "
                f"(or the app) first, then delete {pid}"
            )
        with self._tx() as cur:
            counts = {
                "frame_blocks": cur.execute(
                    f"DELETE FROM frame_blocks WHERE trial_id IN ({trials})", (pid,)
                ).rowcount,
                "trials": cur.execute(
                    f"DELETE FROM trials WHERE session_id IN ({sessions})", (pid,)
                ).rowcount,
                "game_results": cur.execute(
                    f"DELETE FROM game_results WHERE session_id IN ({sessions})", (pid,)
                ).rowcount,
                "sessions": cur.execute(
                    "DELETE FROM sessions WHERE person_id = ?", (pid,)
                ).rowcount,
                "people": cur.execute("DELETE FROM people WHERE id = ?", (pid,)).rowcount,
            }
        self._wipe_wal(pid)
        log.info("deleted person %s", pid)
        return counts

    def _wipe_wal(self, pid: str) -> None:
        """Checkpoint the WAL into the (zeroing) main file and truncate it; check it worked.

        A checkpoint cannot finish while another connection holds an older read snapshot; it
        is retried for :data:`WIPE_TRIES` tries, then the person is gone from every query but
        their bytes would stay in the -wal file, which is said in one line (exit status 1).
        """
        conn = self._db
        if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            return
        for attempt in range(WIPE_TRIES):
            busy, log_pages, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            wal = Path(self.path + "-wal")
            size = wal.stat().st_size if wal.exists() else 0
            if not busy and log_pages == done and size == 0:
                return
            self.sleep(WIPE_DELAY_S * (attempt + 1))
        raise StoreUnavailableError(
            f"{self.path}: {pid} is deleted, but another program is reading the database, so "
            f"the deleted data is still in {self.path}-wal; close the other balance-trainer "
            "(the app, a report) and it is wiped when it closes - or run 'balance-trainer "
            "backup' after closing it to be sure"
        )
