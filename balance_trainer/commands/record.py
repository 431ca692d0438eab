"""``balance-trainer record``: write what the board measures to a recording file."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from ..errors import UsageError
from ..recording import RecordingWriter
from ._board import add_speed_option, balance_blocks, connect


def register(sub: argparse._SubParsersAction, common) -> None:
    p = sub.add_parser(
        "record", parents=[common.board, common.data],
        help="record the board to a CSV recording file",
        description="Record per-cell forces to FILE.csv in the balance-trainer/1 format, "
                    "flushed to disk as it goes.",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE.csv", help="file to write")
    p.add_argument("--seconds", type=float, required=True, metavar="N", help="how long to record")
    add_speed_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not (args.seconds > 0):
        raise UsageError(f"--seconds {args.seconds}: give a duration > 0")
    with connect(args) as conn:
        meta = {
            "started_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "source": conn.source.description,
            "calibration": conn.calibration_origin,
        }
        if conn.source.kind == "sim":
            meta["simulator"] = {"scenario": args.scenario, "seed": args.seed,
                                 "weak_hip": args.weak_hip}
        writer = RecordingWriter(args.output, conn.source.board, meta)
        t0 = None
        shown = -1
        tty = sys.stderr.isatty()
        with writer:
            for block, forces, missed in balance_blocks(conn, realtime=not args.fast):
                if missed:
                    print(f"warning: {missed} frames lost (disk too slow?)", file=sys.stderr)
                done = False
                for i in range(len(block)):
                    t = float(block.t_s[i])
                    if t0 is None:
                        t0 = t
                    if t - t0 >= args.seconds:
                        done = True
                        break
                    writer.write(t, forces[i])
                if t0 is not None and len(block):
                    elapsed = int(min(args.seconds, float(block.t_s[-1]) - t0))
                    if elapsed != shown and (tty or elapsed % 10 == 0):
                        shown = elapsed
                        msg = f"recording {elapsed:4d}/{args.seconds:g} s, {writer.n_frames} frames"
                        print(("\r" if tty else "") + msg, end="" if tty else "\n",
                              file=sys.stderr, flush=True)
                if done:
                    break
        if tty:
            print(file=sys.stderr)
        print(f"wrote {writer.n_frames} frames to {args.output}", file=sys.stderr)
    return 0
