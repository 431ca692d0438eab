"""``balance-trainer programme``: set a person's home programme from a file, show it, decide
on the changes its progression rules propose."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Subparsers


def register(sub: Subparsers, common: Any) -> None:
    p = sub.add_parser(
        "programme",
        help="a person's home exercise programme (set from a TOML file, show, progress)",
        description="A physiotherapist's home programme: exercises with sides, sets, reps or "
        "hold time, rest, days per week, start and review dates, notes and progression rules. "
        "Every change is kept as a new version. See examples/glute-med-programme.toml.",
    )
    ps = p.add_subparsers(dest="programme_command", metavar="ACTION")
    s = ps.add_parser(
        "set",
        parents=[common.data],
        help="set the person's programme from a TOML file (a new version)",
        description="Read a programme file, check it and store it as the person's next version.",
    )
    s.add_argument("id", metavar="ID", help="person id")
    s.add_argument("file", metavar="PLAN.toml", help="the programme file")
    s.add_argument("--reason", default=None, help="why it changed (kept with the version)")
    s.set_defaults(func=run_set)
    sh = ps.add_parser(
        "show",
        parents=[common.data],
        help="show the current programme, its history, proposals and adherence",
        description="Show the person's current programme, the history of its versions, "
        "pending proposals and adherence (sets done vs prescribed, streaks).",
    )
    sh.add_argument("id", metavar="ID", help="person id")
    sh.add_argument("--json", action="store_true", help="one JSON object")
    sh.set_defaults(func=run_show)
    for verb, helptext in (("apply", "apply a proposed change"), ("dismiss", "dismiss one")):
        a = ps.add_parser(verb, parents=[common.data], help=helptext, description=helptext + ".")
        a.add_argument("id", metavar="ID", help="person id")
        a.add_argument("proposal", metavar="N", type=int, help="proposal number (see show)")
        a.set_defaults(func=run_decide, apply=verb == "apply")

    def usage(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=usage)


def run_set(args: argparse.Namespace) -> int:
    from ..programme import load_programme
    from ..programme_store import ProgrammeStore
    from ..store import Store

    programme = load_programme(args.file)  # a bad file fails before the store is opened
    with Store.open(args.data_dir) as store:
        got = ProgrammeStore(store).set_programme(
            args.id, programme, author="file", reason=args.reason or f"from {args.file}"
        )
    print(f"{args.id}: programme version {got.version} set from {args.file}")
    for line in programme.describe():
        print(f"  {line}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from ..adherence import programme_overview
    from ..programme import Programme
    from ..store import Store

    with Store.open(args.data_dir) as store:
        data = programme_overview(store, args.id)
    if args.json:
        print(json.dumps(data, separators=(",", ":")))
        return 0
    if data["programme"] is None:
        print(
            f"{args.id}: no programme; set one with 'balance-trainer programme set {args.id} "
            "PLAN.toml'"
        )
        return 0
    prog = Programme.from_dict(data["programme"])
    print(f"{args.id}: programme version {data['version']}")
    for line in prog.describe():
        print(f"  {line}")
    print("history:")
    for h in data["history"]:
        print(f"  v{h['version']}  {h['created_at'][:16]}  by {h['author']}  {h['reason'] or ''}")
    for pr in data["proposals"]:
        print(
            f"proposal {pr['id']}: {pr['reason']}: {pr['field']} {pr['old']:g} -> {pr['new']:g}"
            f"  ('balance-trainer programme apply {args.id} {pr['id']}')"
        )
    a = data["adherence"]
    pct = "-" if a["adherence_pct"] is None else f"{a['adherence_pct']:.0f} %"
    print(
        f"adherence: {pct} of sets ({a['sets_done']} of {a['sets_prescribed']}), "
        f"{a['days_done']} of {a['training_days']} training days done; streak {a['streak']} "
        f"(best {a['best_streak']})"
    )
    return 0


def run_decide(args: argparse.Namespace) -> int:
    from ..programme_store import ProgrammeStore
    from ..store import Store

    with Store.open(args.data_dir) as store:
        ps = ProgrammeStore(store)
        mine = [p for p in ps.proposals(args.id, "proposed") if p.id == args.proposal]
        if not mine:
            from ..errors import UsageError

            raise UsageError(
                f"proposal {args.proposal}: {args.id} has no such pending proposal; see "
                f"'balance-trainer programme show {args.id}'"
            )
        new = ps.decide(args.proposal, apply=args.apply, by="clinician")
    if new is not None:
        print(f"{args.id}: applied; programme version {new.version}")
    else:
        print(f"{args.id}: proposal {args.proposal} dismissed")
    return 0
