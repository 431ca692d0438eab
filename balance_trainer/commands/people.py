"""``balance-trainer people``: add, list, show and delete the people in the store."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..store import SEXES, SIDES, Store
from . import _types

if TYPE_CHECKING:
    from ..cli import CommonOptions
    from . import Subparsers


def register(sub: Subparsers, common: CommonOptions) -> None:
    p = sub.add_parser(
        "people",
        help="add, list, show or delete people (pseudonymous ids)",
        description="Manage the people whose trials are stored. A person is known by a short "
        "pseudonymous id (1-32 letters, digits, '_' or '-'); everything else is "
        "optional.",
    )
    acts = p.add_subparsers(dest="people_action", metavar="ACTION", required=True)
    add = acts.add_parser(
        "add",
        parents=[common.data],
        help="add a person",
        description="Add a person. Only the id is required.",
    )
    add.add_argument("id", metavar="ID", help="short pseudonymous id, e.g. p01")
    add.add_argument("--name", help="display name (kept in the database only)")
    add.add_argument("--birth-year", type=int, metavar="YEAR", help="year of birth (for norms)")
    add.add_argument("--sex", choices=SEXES)
    add.add_argument(
        "--height-cm",
        type=_types.bounded_float(40.0, 250.0, "cm", lo_open=False),
        metavar="CM",
        help="height, cm",
    )
    add.add_argument(
        "--mass-kg",
        type=_types.bounded_float(5.0, 300.0, "kg", lo_open=False),
        metavar="KG",
        help="body mass, kg",
    )
    add.add_argument("--dominant-side", choices=SIDES, help="dominant (kicking) leg")
    add.add_argument("--notes", help="free text")
    add.set_defaults(func=run_add)
    ls = acts.add_parser(
        "list",
        parents=[common.data],
        help="list everyone",
        description="List every person with their number of sessions.",
    )
    ls.add_argument("--json", action="store_true", help="one JSON object per person")
    ls.set_defaults(func=run_list)
    show = acts.add_parser(
        "show",
        parents=[common.data],
        help="show one person",
        description="Show what was entered for a person.",
    )
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=run_show)
    rm = acts.add_parser(
        "delete",
        parents=[common.data],
        help="delete a person and all their data",
        description="Delete a person with every session, trial, raw frame and "
        "game result, for real (freed space is zeroed). Asks for "
        "the id again unless --yes is given.",
    )
    rm.add_argument("id", metavar="ID")
    rm.add_argument("--yes", action="store_true", help="do not ask")
    rm.set_defaults(func=run_delete)


def run_add(args: argparse.Namespace) -> int:
    with Store.open(args.data_dir) as store:
        person = store.add_person(
            args.id,
            name=args.name,
            birth_year=args.birth_year,
            sex=args.sex,
            height_cm=args.height_cm,
            mass_kg=args.mass_kg,
            dominant_side=args.dominant_side,
            notes=args.notes,
        )
    print(f"added {person.id}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with Store.open(args.data_dir) as store:
        people = store.list_people()
        overview = store.people_overview()
    if args.json:
        for p in people:
            n, last = overview.get(p.id, (0, None))
            print(
                json.dumps(
                    {
                        **p.to_dict(),
                        "sessions": n,
                        "last_session": last.isoformat() if last else None,
                    }
                )
            )
        return 0
    if not people:
        print("nobody yet; add someone with 'balance-trainer people add ID'")
        return 0
    print(f"{'id':<12} {'name':<24} {'born':>5} {'sessions':>8}  last session")
    for p in people:
        n, last = overview.get(p.id, (0, None))
        when = last.astimezone().strftime("%Y-%m-%d %H:%M") if last else "-"
        print(f"{p.id:<12} {(p.name or '-')[:24]:<24} {p.birth_year or '-':>5} {n:>8}  {when}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    with Store.open(args.data_dir) as store:
        p = store.get_person(args.id)
        n, last = store.people_overview().get(p.id, (0, None))
    if args.json:
        print(
            json.dumps(
                {**p.to_dict(), "sessions": n, "last_session": last.isoformat() if last else None},
                indent=2,
            )
        )
        return 0
    rows = [
        ("id", p.id),
        ("name", p.name),
        ("birth year", p.birth_year),
        ("sex", p.sex),
        ("height", p.height_cm and f"{p.height_cm:g} cm"),
        ("mass", p.mass_kg and f"{p.mass_kg:g} kg"),
        ("dominant side", p.dominant_side),
        ("notes", p.notes),
        ("added", p.created_at and p.created_at.astimezone().strftime("%Y-%m-%d %H:%M")),
        ("sessions", n),
    ]
    for label, value in rows:
        print(f"{label + ':':<15}{'-' if value is None else value}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    with Store.open(args.data_dir) as store:
        store.get_person(args.id)  # unknown id: say so before asking anything
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError(f"people delete {args.id}: add --yes to delete without asking")
            answer = input(
                f"delete {args.id} and ALL their trials and frames? type the id again to confirm: "
            )
            if answer.strip() != args.id:
                print("not deleted", file=sys.stderr)
                return 1
        counts = store.delete_person(args.id)
    print(
        f"deleted {args.id}: {counts['sessions']} session(s), {counts['trials']} trial(s), "
        f"{counts['game_results']} game result(s)"
    )
    return 0
