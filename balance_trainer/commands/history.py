"""``balance-trainer history ID``: a person's sessions, trials and results as a table."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from ..records import session_json
from ..report import MEASURES, history_table
from ..store import Store
from ..trends import all_trends, trend_lines, trends_json

if TYPE_CHECKING:
    from ..cli import CommonOptions
    from . import Subparsers


def register(sub: Subparsers, common: CommonOptions) -> None:
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
    trends = all_trends([t for s in sessions for t in s.trials], MEASURES)
    if args.json:
        for s in sessions:
            d = session_json(s)
            for t in d["trials"]:
                # each measure of this test against the one before, with its MDC
                t["trend"] = trends_json(trends, t["id"])
            print(json.dumps(d, separators=(",", ":")))
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
        # Beside a programme line, "no sessions" alone would contradict it: say which kind.
        print(f"{args.id}: no {'test or game ' if programme else ''}sessions yet")
        return 0
    print("\n".join(history_table(sessions)))
    lines = trend_lines(trends, MEASURES)
    if lines:
        print()
        print("\n".join(lines))
    return 0
