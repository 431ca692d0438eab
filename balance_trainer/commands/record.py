"""``balance-trainer record``: write what the board measures to a recording file or the store."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..balance import BalanceBlock
from ..errors import UsageError
from ..recording import RecordingWriter
from ..run import LiveRun, RecordingSink, Sink, StopReason, StoreSink, run_blocks
from . import _types
from ._board import add_speed_option, connect, timed_blocks
from ._person import open_person_store

if TYPE_CHECKING:
    from ..cli import CommonOptions
    from . import Subparsers


def register(sub: Subparsers, common: CommonOptions) -> None:
    p = sub.add_parser(
        "record",
        parents=[common.board, common.data],
        help="record the board to a CSV recording file and/or a person's records",
        description="Record per-cell forces to FILE.csv in the balance-trainer/1 format, "
        "flushed to disk as it goes; with --person ID the trial (frames and sway "
        "measures) is stored in the database as it goes, too.",
    )
    p.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE.csv",
        help="file to write (optional when --person is given)",
    )
    p.add_argument(
        "--person",
        default=None,
        metavar="ID",
        help="store the trial in the database for this person (see 'balance-trainer people add')",
    )
    p.add_argument(
        "--seconds", type=_types.seconds, required=True, metavar="N", help="how long to record"
    )
    add_speed_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not (args.seconds > 0):
        raise UsageError(f"--seconds {args.seconds}: give a duration > 0")
    if not args.output and not getattr(args, "person", None):
        raise UsageError("record: give -o FILE.csv, --person ID, or both")
    store = None
    if getattr(args, "person", None):
        store, _person = open_person_store(args.data_dir, args.person)
    try:
        return _record(args, store)
    finally:
        if store is not None:
            store.close()


class _Progress(Sink):
    """``recording 12/30 s, 960 frames`` on stderr (a line every 10 s when not a terminal)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.tty = sys.stderr.isatty()
        self.shown = -1
        self.done = False

    def on_block(self, run: LiveRun, block: BalanceBlock, forces_n: Any, missed: int) -> None:
        if missed:
            print(f"warning: {missed} frames lost (disk too slow?)", file=sys.stderr)
        if run.t0_s is not None and (len(block) or self.done):
            elapsed = int(self.seconds if self.done else float(block.t_s[-1]) - run.t0_s)
            if elapsed != self.shown and (self.tty or elapsed % 10 == 0):
                self.shown = elapsed
                msg = f"recording {elapsed:4d}/{self.seconds:g} s, {run.n_frames} frames"
                print(
                    ("\r" if self.tty else "") + msg,
                    end="" if self.tty else "\n",
                    file=sys.stderr,
                    flush=True,
                )

    def on_finish(self, run: LiveRun, outcome: Any) -> None:
        if self.tty:
            print(file=sys.stderr)


def _blocks(conn: Any, args: argparse.Namespace, progress: _Progress) -> Iterator[Any]:
    """The board's blocks up to ``--seconds``; the last one tells the progress line it is done."""
    for block, forces, missed, _t0, done in timed_blocks(
        conn, realtime=not args.fast, seconds=args.seconds
    ):
        progress.done = done
        yield block, forces, missed


def _record(args: argparse.Namespace, store: Any) -> int:
    with connect(args) as conn:
        board = conn.source.board
        meta: dict[str, Any] = {
            "started_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "source": conn.source.description,
            "calibration": conn.calibration_origin,
        }
        if conn.source.kind == "sim":
            meta["simulator"] = {
                "scenario": args.scenario,
                "seed": args.seed,
                "weak_hip": args.weak_hip,
            }
        sinks: list[Sink] = []
        writer = (
            RecordingWriter(args.output, board, meta, pelvis=conn.pelvis is not None)
            if args.output
            else None
        )
        if writer is not None:
            sinks.append(RecordingSink(writer))
        stored = None
        if store is not None:
            sid = store.start_session(
                args.person, "record", board=board, source=conn.source.description
            )
            params = {
                "seconds": args.seconds,
                **{k: v for k, v in meta.items() if k not in ("started_at",)},
            }
            stored = StoreSink(store.start_trial(sid, "record", params, board), board)
            sinks.append(stored)
        progress = _Progress(args.seconds)
        sinks.append(progress)
        # Ctrl-C or an error keeps what was stored, as 'aborted'.
        outcome = run_blocks(_blocks(conn, args, progress), None, sinks)
        if outcome.stopped is StopReason.INTERRUPTED:
            raise KeyboardInterrupt  # the CLI says so and exits 130, as before the loop was shared
        if writer is not None:
            print(f"wrote {writer.n_frames} frames to {args.output}", file=sys.stderr)
        if stored is not None:
            trial = stored.recorder
            print(
                f"stored {trial.n_stored} frames as trial {trial.trial_id} of person "
                f"{args.person}"
                + ("" if stored.metrics else " (too little on the board for sway measures)"),
                file=sys.stderr,
            )
    return 0
