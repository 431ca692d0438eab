"""``balance-trainer record``: write what the board measures to a recording file or the store."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from datetime import datetime
from typing import Any

from ..balance import BalanceBlock
from ..errors import AnalysisError, UsageError
from ..recording import RecordingWriter
from . import _types
from ._board import add_speed_option, connect, timed_blocks
from ._person import open_person_store


def register(sub: argparse._SubParsersAction, common) -> None:
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


def _record(args: argparse.Namespace, store: Any) -> int:
    with connect(args) as conn:
        board = conn.source.board
        meta = {
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
        writer = RecordingWriter(args.output, board, meta) if args.output else None
        trial = None
        if store is not None:
            sid = store.start_session(
                args.person, "record", board=board, source=conn.source.description
            )
            params = {
                "seconds": args.seconds,
                **{k: v for k, v in meta.items() if k not in ("started_at",)},
            }
            trial = store.start_trial(sid, "record", params, board)
        kept: list[BalanceBlock] = []  # balance of the stored frames, for the sway measures
        shown = -1
        n_frames = 0
        tty = sys.stderr.isatty()
        # Leaving by an exception (Ctrl-C included) keeps what was stored, as 'aborted'.
        with trial if trial is not None else nullcontext():
            try:
                for block, forces, missed, t0, done in timed_blocks(
                    conn, realtime=not args.fast, seconds=args.seconds
                ):
                    if missed:
                        print(f"warning: {missed} frames lost (disk too slow?)", file=sys.stderr)
                    if len(block):
                        if writer is not None:
                            writer.write_block(block.t_s, forces)
                        n_frames += len(block)
                        if trial is not None:
                            trial.add_frames(block.t_s, forces)
                            kept.append(block)
                    if t0 is not None and (len(block) or done):
                        elapsed = int(args.seconds if done else float(block.t_s[-1]) - t0)
                        if elapsed != shown and (tty or elapsed % 10 == 0):
                            shown = elapsed
                            msg = f"recording {elapsed:4d}/{args.seconds:g} s, {n_frames} frames"
                            print(
                                ("\r" if tty else "") + msg,
                                end="" if tty else "\n",
                                file=sys.stderr,
                                flush=True,
                            )
            finally:
                if writer is not None:
                    writer.close()
            if tty:
                print(file=sys.stderr)
            if writer is not None:
                print(f"wrote {writer.n_frames} frames to {args.output}", file=sys.stderr)
            if trial is not None:
                metrics = _metrics(kept, board)
                trial.finish(metrics=metrics)
                print(
                    f"stored {trial.n_stored} frames as trial {trial.trial_id} of person "
                    f"{args.person}"
                    + ("" if metrics else " (too little on the board for sway measures)"),
                    file=sys.stderr,
                )
    return 0


def _metrics(kept: list[BalanceBlock], board: Any) -> dict[str, Any] | None:
    """DESIGN.md sway measures over the frames where someone stood on the board, or None."""
    if not kept:
        return None
    from ..analysis import analyze_trial, on_board_span

    b = BalanceBlock.concatenate(kept)
    # Like the analyser: the edges where nobody stands yet are cut; a gap inside is refused.
    span = on_board_span(b.total_n, b.cop_ml_mm)
    if span is None or span.stop - span.start < 2:
        return None
    try:
        return analyze_trial(
            b.t_s[span],
            b.cop_ml_mm[span],
            b.cop_ap_mm[span] if board.has_ap_spacing else None,
            load_n=b.total_n[span],
            left_share=b.left_share[span],
            fs_hz=board.sample_rate_hz,
        )
    except AnalysisError:
        return None
