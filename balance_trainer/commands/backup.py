"""``balance-trainer backup FILE``: a consistent copy of the database, safe while it is in use."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..errors import StoreCorruptError
from ..store import Store

if TYPE_CHECKING:
    from ..cli import CommonOptions
    from . import Subparsers


def register(sub: Subparsers, common: CommonOptions) -> None:
    p = sub.add_parser(
        "backup",
        parents=[common.data],
        help="copy the database to a new file",
        description="Copy the whole database (people, trials, frames, results) to FILE with "
        "SQLite's online backup: consistent even while the trainer records. FILE "
        "must not exist; it is created readable by you only.",
    )
    p.add_argument("file", metavar="FILE", help="new file to write, e.g. backup-2025-01-31.db")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty and total:
            print(f"\rbackup {100 * done // total:3d} %", end="", file=sys.stderr, flush=True)

    try:
        with Store.open(args.data_dir) as store:
            out = store.backup(args.file, progress=progress)
    except StoreCorruptError as exc:
        if "no backup was made" in str(exc):
            raise
        # The store's own advice ("restore it from a backup") is for the other commands.
        path = str(exc).split(": ", 1)[0]
        raise StoreCorruptError(
            f"{path}: the database is damaged, so no backup was made (it would be damaged "
            "too); keep your last good backup, move the damaged file away and copy that "
            "backup in its place"
        ) from exc
    if tty:
        print(file=sys.stderr)
    print(f"backed up {store.path} to {out}")
    return 0
