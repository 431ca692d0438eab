"""A person's raw frames as recording files, plus their results: the library behind ``export``.

What is written into the directory (nothing else, and nothing of anyone else):

``trial-<id>-<protocol>.csv``
    each trial's raw frames in the DESIGN.md recording format (``person`` is the pseudonymous
    id), readable by ``analyze`` and ``--board replay:FILE``; left out with ``frames=False``;
``results.json`` (``fmt="json"``)
    the sessions with their trials (protocol, parameters, status, result, metrics, recording
    file name) and game results;
``results.csv`` and ``games.csv`` (``fmt="csv"``)
    one row per trial (metrics as columns, the result as JSON text) and one per game result.

The name and other identity fields are exported only with ``with_identity``. Every file is
created 0600 and the directory 0700: it is health data.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import StoreUnavailableError, UsageError
from .recording import RecordingWriter
from .records import SessionRecord, TrialRow, session_json
from .store import Store

__all__ = ["ExportSummary", "export_person", "recording_name", "FORMATS"]

FORMATS = ("json", "csv")

Progress = Callable[[int, int], None]
"""``(done, total)`` recordings written."""


@dataclass(frozen=True)
class ExportSummary:
    """What :func:`export_person` wrote: the directory and the file names in it."""

    directory: Path
    recordings: tuple[str, ...]
    results: tuple[str, ...]


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:40] or "trial"


def recording_name(trial: TrialRow) -> str:
    return f"trial-{trial.id}-{_safe(trial.protocol)}.csv"


def export_person(
    store: Store,
    pid: str,
    directory: str | os.PathLike[str],
    *,
    fmt: str = "json",
    frames: bool = True,
    with_identity: bool = False,
    progress: Progress | None = None,
) -> ExportSummary:
    """Write ``pid``'s recordings and results into ``directory`` (created 0700 if missing).

    Raises
    ------
    UsageError
        An unknown format, ``directory`` is a file, or a file to write already exists there.
    UnknownPersonError
        No such person.
    StoreUnavailableError
        The files cannot be written.
    """
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: use json or csv")
    out = Path(directory)
    person = store.get_person(pid)
    sessions = store.history(pid)
    trials = [t for s in sessions for t in s.trials if t.n_frames and frames]
    results = ("results.json",) if fmt == "json" else ("results.csv", "games.csv")
    targets = [recording_name(t) for t in trials] + list(results)
    if out.exists() and not out.is_dir():
        raise UsageError(f"-o {out}: is a file; give a directory")
    clash = [n for n in targets if (out / n).exists()]
    if clash:
        raise UsageError(f"{out / clash[0]} already exists; export into a new or empty directory")
    try:
        if not out.exists():
            out.mkdir(parents=True, mode=0o700)
        for i, t in enumerate(trials, 1):
            _write_recording(store, t, out / recording_name(t), pid)
            if progress is not None:
                progress(i, len(trials))
        identity = person.to_dict() if with_identity else {"id": person.id}
        files = {t.id: recording_name(t) for t in trials}
        if fmt == "json":
            _write_json(out / "results.json", identity, sessions, files)
        else:
            _write_csv(out / "results.csv", out / "games.csv", sessions, files)
    except OSError as exc:
        raise StoreUnavailableError(
            f"{out}: cannot write the export ({exc.strerror}); choose another directory"
        ) from exc
    return ExportSummary(out, tuple(recording_name(t) for t in trials), results)


def _private(path: Path) -> None:
    os.chmod(path, 0o600)


def _write_recording(store: Store, trial: TrialRow, path: Path, pid: str) -> None:
    t, f, board = store.trial_frames(trial.id)
    meta = {
        "started_at": trial.started_at.isoformat(),
        "person": pid,
        "protocol": trial.protocol,
        "params": trial.params,
        "status": trial.status,
        "trial_id": trial.id,
    }
    with RecordingWriter(path, board, meta) as w:
        _private(path)
        w.write_block(t, f)


def _result_json(trial: TrialRow) -> Any:
    """A test's result in the current schema (older stored forms are read and rewritten)."""
    typed = trial.test_result
    return typed.to_json() if typed is not None else trial.result


def _write_json(
    path: Path, identity: dict[str, Any], sessions: list[SessionRecord], files: dict[int, str]
) -> None:
    body = []
    for s in sessions:
        d = session_json(s)
        for t, row in zip(d["trials"], s.trials, strict=True):
            t["recording"] = files.get(t["id"])
            t["result"] = _result_json(row)
        body.append(d)
    doc = {"format": "balance-trainer-export/1", "person": identity, "sessions": body}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")


def _write_csv(
    trials_path: Path, games_path: Path, sessions: list[SessionRecord], files: dict[int, str]
) -> None:
    metric_keys: list[str] = []
    for s in sessions:
        for t in s.trials:
            for k, v in (t.metrics or {}).items():
                if k not in metric_keys and not isinstance(v, (dict, list)):
                    metric_keys.append(k)
    head = [
        "session_id",
        "session_kind",
        "session_started_at",
        "trial_id",
        "protocol",
        "status",
        "started_at",
        "trial_duration_s",
        "n_frames",
        "recording",
        *metric_keys,
        "params_json",
        "result_json",
    ]
    fd = os.open(trials_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        for s in sessions:
            for t in s.trials:
                m = t.metrics or {}
                w.writerow(
                    [
                        s.id,
                        s.kind,
                        s.started_at.isoformat(),
                        t.id,
                        t.protocol,
                        t.status,
                        t.started_at.isoformat(),
                        _cell(t.duration_s),
                        t.n_frames,
                        files.get(t.id, ""),
                        *(_cell(m.get(k)) for k in metric_keys),
                        json.dumps(t.params),
                        json.dumps(_result_json(t)),
                    ]
                )
    fd = os.open(games_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["session_id", "game", "score", "level", "duration_s", "created_at", "details_json"]
        )
        for s in sessions:
            for g in s.games:
                w.writerow(
                    [
                        s.id,
                        g.game,
                        _cell(g.score),
                        _cell(g.level),
                        _cell(g.duration_s),
                        g.created_at.isoformat(),
                        json.dumps(g.details),
                    ]
                )


def _cell(v: Any) -> str:
    return "" if v is None else str(v)
