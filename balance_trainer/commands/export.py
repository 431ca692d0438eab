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
import sys
from typing import TYPE_CHECKING

from ..export import FORMATS, export_person
from ..store import Store

if TYPE_CHECKING:
    from ..cli import CommonOptions
    from . import Subparsers


def register(sub: Subparsers, common: CommonOptions) -> None:
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
        choices=FORMATS,
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


def run(args: argparse.Namespace) -> int:
    tty = sys.stderr.isatty()

    def progress(i: int, n: int) -> None:
        if tty or i == n or i % 20 == 0:
            print(
                ("\r" if tty else "") + f"export: trial {i}/{n}",
                end="" if tty and i < n else "\n",
                file=sys.stderr,
                flush=True,
            )

    with Store.open(args.data_dir) as store:
        done = export_person(
            store,
            args.id,
            args.output,
            fmt=args.format,
            frames=not args.no_frames,
            with_identity=args.with_identity,
            progress=progress,
        )
    print(
        f"exported {args.id}: {len(done.recordings)} recording(s) and "
        f"{', '.join(done.results)} to {done.directory}"
    )
    return 0
