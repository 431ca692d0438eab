"""``balance-trainer export ID``: a person's raw frames as recording files, plus their results.

What is written into DIR (nothing else, and nothing of anyone else):

``trial-<id>-<protocol>.csv``
    each trial's raw frames in the DESIGN.md recording format (``person`` is the pseudonymous
    id), readable by ``analyze`` and ``--board replay:FILE``; left out with ``--no-frames``;
``results.json`` (``--format json``)
    the sessions with their trials (protocol, parameters, status, result, metrics, recording
    file name) and game results;
``results.csv`` and ``games.csv`` (``--format csv``)
    one row per trial (metrics as columns, the result as JSON text) and one per game result.

The name and other identity fields are exported only with ``--with-identity``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from ..errors import StoreUnavailableError, UsageError
from ..recording import RecordingWriter
from ..store import SessionRecord, Store, TrialRow
from .history import session_json


def register(sub: argparse._SubParsersAction, common) -> None:
    p = sub.add_parser(
        "export",
        parents=[common.data],
        help="export a person's frames and results to files",
        description="Write a person's raw frames as recording files (the balance-trainer/1 CSV "
        "format) and their results as JSON or CSV into DIR. Only that person's data "
        "is written, under their pseudonymous id; add --with-identity for the name "
        "and other entered details.",
    )
    p.add_argument("id", metavar="ID", help="person id")
    p.add_argument(
        "--format",
        choices=("csv", "json"),
        default="json",
        help="format of the results file(s) (default json); frames are always recording CSV files",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="directory to write into (created 0700 if missing)",
    )
    p.add_argument("--no-frames", action="store_true", help="results only, no recording files")
    p.add_argument(
        "--with-identity",
        action="store_true",
        help="include the name, birth year and other entered details",
    )
    p.set_defaults(func=run)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:40] or "trial"


def recording_name(trial: TrialRow) -> str:
    return f"trial-{trial.id}-{_safe(trial.protocol)}.csv"


def run(args: argparse.Namespace) -> int:
    out = Path(args.output)
    with Store.open(args.data_dir) as store:
        person = store.get_person(args.id)
        sessions = store.history(args.id)
        trials = [t for s in sessions for t in s.trials if t.n_frames and not args.no_frames]
        results = ["results.json"] if args.format == "json" else ["results.csv", "games.csv"]
        targets = [recording_name(t) for t in trials] + results
        if out.exists() and not out.is_dir():
            raise UsageError(f"-o {out}: is a file; give a directory")
        clash = [n for n in targets if (out / n).exists()]
        if clash:
            raise UsageError(
                f"{out / clash[0]} already exists; export into a new or empty directory"
            )
        try:
            if not out.exists():
                out.mkdir(parents=True, mode=0o700)
            tty = sys.stderr.isatty()
            for i, t in enumerate(trials, 1):
                if tty or i == len(trials) or i % 20 == 0:
                    print(
                        ("\r" if tty else "") + f"export: trial {i}/{len(trials)}",
                        end="" if tty else "\n",
                        file=sys.stderr,
                        flush=True,
                    )
                _write_recording(store, t, out / recording_name(t), args.id)
            if tty and trials:
                print(file=sys.stderr)
            identity = person.to_dict() if args.with_identity else {"id": person.id}
            files = {t.id: recording_name(t) for t in trials}
            if args.format == "json":
                _write_json(out / "results.json", identity, sessions, files)
            else:
                _write_csv(out / "results.csv", out / "games.csv", sessions, files)
        except OSError as exc:
            raise StoreUnavailableError(
                f"{out}: cannot write the export ({exc.strerror}); choose another directory"
            ) from exc
    print(f"exported {args.id}: {len(trials)} recording(s) and {', '.join(results)} to {out}")
    return 0


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


def _write_json(
    path: Path, identity: dict[str, Any], sessions: list[SessionRecord], files: dict[int, str]
) -> None:
    body = []
    for s in sessions:
        d = session_json(s)
        for t in d["trials"]:
            t["recording"] = files.get(t["id"])
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
                        json.dumps(t.result),
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
