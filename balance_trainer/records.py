"""What the store holds, as Python values: people, sessions, trials and game results.

Also the conversions the store uses to keep them in portable columns: JSON text for parameters,
results and metrics (NaN and infinities become null, as DESIGN.md asks), ISO 8601 text in UTC
for times, and the board as the recording header stores it.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np

from .config import Board, cells_from_dicts
from .errors import DataFormatError, UsageError
from .results import TestResult

SESSION_KINDS = ("record", "test", "game")
TRIAL_STATUSES = ("running", "complete", "interrupted", "aborted")
SEXES = ("female", "male", "other")
SIDES = ("left", "right")
PERSON_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A person as entered. Only ``id`` (short, pseudonymous) is required.

    ``height_cm`` in cm, ``mass_kg`` in kg, ``dominant_side`` 'left'/'right'. ``name`` and
    ``notes`` are left out of the repr so that a logged object never carries them.
    """

    id: str
    name: str | None = field(default=None, repr=False)
    birth_year: int | None = None
    sex: str | None = None
    height_cm: float | None = None
    mass_kg: float | None = None
    dominant_side: str | None = None
    notes: str | None = field(default=None, repr=False)
    created_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat() if self.created_at else None
        return d

    def age_in(self, year: int) -> int | None:
        """Age reached in ``year`` (years), or None without a birth year."""
        return None if self.birth_year is None else year - self.birth_year


@dataclass(frozen=True)
class TrialRow:
    """One stored trial (without its frames). ``params``/``result``/``metrics`` are decoded JSON.

    ``duration_s`` is the time from the first to the last stored frame, s.
    """

    id: int
    session_id: int
    protocol: str
    params: dict[str, Any]
    board: dict[str, Any]
    status: str
    started_at: datetime
    ended_at: datetime | None
    n_frames: int
    duration_s: float | None
    result: dict[str, Any] | None
    metrics: dict[str, Any] | None

    @property
    def test_result(self) -> TestResult | None:
        """The stored clinical-test result as a typed value; None for a plain recording.

        Results stored before they carried a schema (and without a test name) load too: the
        trial's protocol names the test.
        """
        if not isinstance(self.result, dict):
            return None
        try:
            return TestResult.from_json({"test": self.protocol, **self.result})
        except DataFormatError:
            return None


@dataclass(frozen=True)
class GameRow:
    """One game result: ``score`` in the game's own points, ``duration_s`` in s."""

    id: int
    session_id: int
    game: str
    score: float
    level: int | None
    duration_s: float | None
    details: dict[str, Any] | None
    created_at: datetime


@dataclass
class SessionRecord:
    """A session with its trials and game results, oldest first."""

    id: int
    person_id: str
    kind: str
    started_at: datetime
    board: str | None
    source: str | None
    notes: str | None
    trials: list[TrialRow] = field(default_factory=list)
    games: list[GameRow] = field(default_factory=list)


class TrialFrames(NamedTuple):
    """A trial's raw frames: times (n,) s, forces (n, n_cells) N, and the board they came from."""

    t_s: np.ndarray
    forces_n: np.ndarray
    board: Board


# --- helpers -------------------------------------------------------------------------------


def jsonable(obj: Any) -> Any:
    """Plain JSON types; NaN and infinities become None (DESIGN.md: null, never made up)."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    raise TypeError(f"cannot store {type(obj).__name__} as JSON")


def dumps(obj: Any) -> str | None:
    if obj is None:
        return None
    return json.dumps(jsonable(obj), separators=(",", ":"), allow_nan=False)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


@functools.lru_cache(maxsize=64)
def decode_board(text: str | None) -> dict[str, Any]:
    # Every trial carries its board, and a person's trials share one or two: decode each once.
    # The dict is shared between rows, so treat TrialRow.board as read-only.
    return loads(text) or {}


def ts_text(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.astimezone()
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def ts_parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def utcnow() -> datetime:
    return datetime.now(UTC)


def board_from_dict(d: Mapping[str, Any], where: str = "stored trial") -> Board:
    """Rebuild a :class:`Board` from what a trial row stores (name, cells, sample rate)."""
    cells = cells_from_dicts(list(d["cells"]), where)
    return Board(
        str(d.get("name", "stored")),
        tuple(cells),
        sample_rate_hz=float(d.get("sample_rate_hz", 80.0)),
        source="store",
    )


def board_to_dict(board: Board) -> dict[str, Any]:
    d = board.to_dict()
    d["sample_rate_hz"] = board.sample_rate_hz
    return d


def validate_person_id(pid: str) -> str:
    """Return ``pid`` if it is 1-32 characters of letters, digits, '_' or '-'.

    Raises
    ------
    UsageError
        Anything else (spaces, accents, a name typed by mistake).
    """
    if not isinstance(pid, str) or not PERSON_ID_RE.fullmatch(pid):
        raise UsageError(
            f"person id {pid!r} is not valid; use 1-32 letters, digits, '_' or '-' "
            "(a short pseudonym such as p01, not a name)"
        )
    return pid


def session_json(s: SessionRecord) -> dict[str, Any]:
    """A session as plain JSON (times ISO 8601, UTC)."""
    d = asdict(s)
    d["started_at"] = s.started_at.isoformat()
    for t in d["trials"]:
        for k in ("started_at", "ended_at"):
            t[k] = t[k].isoformat() if t[k] else None
    for g in d["games"]:
        g["created_at"] = g["created_at"].isoformat()
    return d
