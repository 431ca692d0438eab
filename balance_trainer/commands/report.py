"""``balance-trainer report ID -o FILE.pdf|FILE.html``: a person's progress report."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..store import Store

if TYPE_CHECKING:
    from ..cli import CommonOptions
    from . import Subparsers


def register(sub: Subparsers, common: CommonOptions) -> None:
    p = sub.add_parser(
        "report",
        parents=[common.data],
        help="write a person's progress report (PDF or HTML)",
        description="Write one person's progress report: identity as entered, latest result "
        "of each test against its norm, trends per side over sessions, left/right "
        "comparison, stabilogram and statokinesigram of the latest trials. "
        "Readable printed in black and white. The HTML file is self-contained.",
    )
    p.add_argument("id", metavar="ID", help="person id")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE.pdf|FILE.html",
        help="file to write; the suffix picks the format",
    )
    p.add_argument(
        "--traces",
        type=int,
        default=3,
        metavar="N",
        help="latest trials to draw stabilograms for (default 3)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..report import write_report

    if args.traces < 0:
        raise UsageError(f"--traces {args.traces}: give 0 or more")

    def progress(i: int, n: int, what: str) -> None:
        print(f"report: drawing {i}/{n} ({what})", file=sys.stderr, flush=True)

    with Store.open(args.data_dir) as store:
        out = write_report(store, args.id, args.output, progress=progress, n_traces=args.traces)
    print(f"wrote {out}")
    return 0
