"""``balance-trainer history ID``: a person's sessions, trials and results as a table."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from ..report import summarize_trial
from ..store import SessionRecord, Store


def register(sub: argparse._SubParsersAction, common) -> None:
    p = sub.add_parser(
        "history",
        parents=[common.data],
        help="a person's sessions and results",
        description="List a person's sessions, oldest first: each trial with its test, status, "
        "duration and result, and each game score.",
    )
    p.add_argument("id", metavar="ID", help="person id")
    p.add_argument(
        "--json", action="store_true", help="one JSON object per session, with its trials and games"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..adherence import history_lines

    with Store.open(args.data_dir) as store:
        sessions = store.history(args.id)
        programme = history_lines(store, args.id)  # programme sessions, then adherence
    if args.json:
        for s in sessions:
            print(json.dumps(session_json(s), separators=(",", ":")))
        for line in programme:
            print(json.dumps(line, separators=(",", ":")))
        return 0
    if programme:
        a = programme[-1]
        pct = "-" if a["adherence_pct"] is None else f"{a['adherence_pct']:.0f} %"
        print(
            f"programme: {len(programme) - 1} session(s); adherence {pct} of sets, "
            f"streak {a['streak']} (best {a['best_streak']})"
        )
    if not sessions:
        print(f"{args.id}: no sessions yet")
        return 0
    print(
        f"{'date':<16}  {'kind':<6} {'trial':>6}  {'test / game':<22} {'status':<11} "
        f"{'s':>6}  result"
    )
    for s in sessions:
        when = s.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if not s.trials and not s.games:
            print(f"{when:<16}  {s.kind:<6} {'-':>6}  {'(empty session)':<22}")
        for t in s.trials:
            dur = f"{t.duration_s:.1f}" if t.duration_s is not None else "-"
            print(
                f"{when:<16}  {s.kind:<6} {t.id:>6}  {t.protocol[:22]:<22} {t.status:<11} "
                f"{dur:>6}  {summarize_trial(t)}"
            )
            when = ""
        for g in s.games:
            dur = f"{g.duration_s:.1f}" if g.duration_s is not None else "-"
            level = f" (level {g.level})" if g.level is not None else ""
            print(
                f"{when:<16}  {s.kind:<6} {'-':>6}  {g.game[:22]:<22} {'':<11} {dur:>6}  "
                f"score {g.score:g}{level}"
            )
            when = ""
    return 0


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
