"""``balance-trainer test NAME``: run a clinical test live, with prompts and a countdown.

The board does the timing: a single-leg trial starts when the foot lifts and stops when it
touches down (or the person steps off, the standing foot moves, or time is up); tests on both
feet start when the countdown reaches zero. Prompts, the countdown, the elapsed time and a
terminal beep go to the terminal; the result table (or ``--json``) comes at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import UsageError
from ..protocols import (
    PROTOCOLS,
    ProtocolEvent,
    check_board_for,
    make_protocol,
    protocol_class,
)
from ..recording import RecordingWriter
from ..results import Trial
from ..run import LiveRun, RecordingSink, Sink, StopReason, StoreSink, run_blocks
from ._board import add_speed_option, balance_blocks, connect
from ._person import open_person_store

if TYPE_CHECKING:
    from ..cli import CommonOptions
    from . import Subparsers

MAX_TIMES = (30, 45, 60)
DEFAULT_SIM_TIMEOUT_S = 300.0
"""A simulated board in virtual time stops after this much board time unless told otherwise."""


def register(sub: Subparsers, common: CommonOptions) -> None:
    p = sub.add_parser(
        "test",
        parents=[common.board, common.data],
        help="run a clinical test live (single-leg stance, squat, hip stability, mCTSIB, ...)",
        description="Run a timed clinical test on the board. The trial starts when the foot "
        "lifts (single-leg tests) or when the countdown ends (tests on both feet) "
        "and stops by itself; prompts and the elapsed time are shown, and a result "
        "table with the published norm (where one exists) is printed at the end. "
        f"Tests: {', '.join(PROTOCOLS)}.",
    )
    p.add_argument("name", metavar="NAME", help=f"the test: {', '.join(PROTOCOLS)}")
    p.add_argument(
        "--side",
        default=None,
        help="left or right: the leg to STAND on (default: left, then right); "
        "single-leg tests only",
    )
    p.add_argument("--eyes", default="open", help="open or closed (default open)")
    p.add_argument(
        "--trials",
        type=int,
        default=None,
        metavar="N",
        help="trials per side (repetitions per side for the squat test); default: "
        "3 for single-leg stance, 5 squats, 1 otherwise",
    )
    p.add_argument(
        "--max-time",
        type=int,
        default=None,
        metavar="S",
        dest="max_time",
        help="longest single-leg hold: 30, 45 or 60 s (default 45; hip-stability 30)",
    )
    p.add_argument(
        "--age",
        type=float,
        default=None,
        metavar="YEARS",
        help="the person's age, to compare with published norms",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print the result as one JSON object (prompts go to stderr)",
    )
    p.add_argument(
        "--record",
        metavar="FILE.csv",
        default=None,
        help="also save the frames to a recording, to replay or analyse later",
    )
    p.add_argument(
        "--person",
        default=None,
        metavar="ID",
        help="store the test (frames and result) in this person's records; their "
        "birth year gives the age for the norms unless --age is given",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="give up after S seconds of board time (default: none; 300 s for a "
        "simulated board with --fast)",
    )
    add_speed_option(p)
    p.set_defaults(func=run)


def _protocol_params(args: argparse.Namespace) -> dict[str, Any]:
    name = args.name
    cls = protocol_class(name)
    params: dict[str, Any] = {"eyes": args.eyes, "age": args.age}
    if args.side is not None:
        if args.side not in ("left", "right"):
            raise UsageError(f"--side {args.side!r}: use left or right (the leg to stand on)")
        if "side" not in cls.options:
            raise UsageError(f"--side: {name} is done on both feet; leave --side out")
        params["side"] = args.side
    if args.trials is not None:
        params["trials"] = args.trials
    if args.max_time is not None:
        if "max_time_s" not in cls.options:
            raise UsageError(f"--max-time: {name} has fixed durations; leave --max-time out")
        if args.max_time not in MAX_TIMES:
            raise UsageError(f"--max-time {args.max_time}: use 30, 45 or 60")
        params["max_time_s"] = float(args.max_time)
    if args.timeout is not None and not args.timeout > 0:
        raise UsageError(f"--timeout {args.timeout}: give seconds > 0")
    return params


class _Terminal(Sink):
    """Prompts, countdown, beeps and the elapsed time on a text terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._status = False

    def _clear_status(self) -> None:
        if self._status:
            self.stream.write("\r\x1b[2K")
            self._status = False

    def line(self, text: str, beep: bool = False) -> None:
        self._clear_status()
        self.stream.write(("\a" if beep and self.tty else "") + text + "\n")
        self.stream.flush()

    def status(self, text: str) -> None:
        if not self.tty:
            return
        self.stream.write("\r\x1b[2K" + text)
        self.stream.flush()
        self._status = True

    # -- the run's sink ------------------------------------------------------------------
    def on_block(self, run: LiveRun, block: Any, forces_n: Any, missed: int) -> None:
        if missed:
            self.line(f"warning: {missed} frames lost; the result may be off")

    def on_events(self, run: LiveRun, events: list[ProtocolEvent]) -> None:
        for ev in events:
            self.show(ev, run.t0_s or 0.0)
        proto = run.protocol
        if proto is not None and proto.in_trial and not proto.done:
            self.status(f"   {proto.elapsed_s:5.1f} s")

    def on_stop(self, run: LiveRun, reason: StopReason) -> None:
        if reason is StopReason.TIMEOUT:
            self.line(f"stopped after {run.timeout_s:g} s of board time (--timeout)")
        elif reason is StopReason.INTERRUPTED:
            self.line("interrupted: the result so far")

    def on_finish(self, run: LiveRun, outcome: Any) -> None:
        self._clear_status()

    def show(self, ev: ProtocolEvent, t0: float) -> None:
        d = ev.data
        if ev.kind == "prompt":
            self.line(f">> {d['text']}")
        elif ev.kind == "countdown":
            left = d["remaining"]
            self.line(f"   {left}..." if left else "   GO", beep=True)
        elif ev.kind == "trial_started":
            what = d.get("stance_side") or d.get("condition", "")
            self.line(
                f"[{ev.t_s - t0:7.2f} s] trial {d['trial']} started ({what}, from "
                f"{d['start_s']:.2f} s)",
                beep=True,
            )
        elif ev.kind == "trial_ended":
            trial = Trial.from_json(d)
            extra = f", {trial.reps} reps" if trial.reps is not None else ""
            self.line(
                f"[{ev.t_s - t0:7.2f} s] trial {trial.trial} ended: {trial.seconds:.2f} s, "
                f"{trial.stop_reason}{extra}",
                beep=True,
            )
        elif ev.kind == "false_start":
            self.line(
                f"[{ev.t_s - t0:7.2f} s] false start ({d['hold_s']:.2f} s): not counted", beep=True
            )
        elif ev.kind == "rep":
            self.line(
                f"[{ev.t_s - t0:7.2f} s] repetition {d['rep']} ({d['stance_side']}): "
                f"{d['start_s']:.2f}-{d['end_s']:.2f} s, bottom {d['bottom_s']:.2f} s"
            )
        elif ev.kind == "done":
            self.line("test complete", beep=True)


def run(args: argparse.Namespace) -> int:
    params = _protocol_params(args)
    make_protocol(args.name, **params)  # bad combinations fail here, before the board opens
    store = None
    if getattr(args, "person", None):
        store, person = open_person_store(args.data_dir, args.person)
        if params.get("age") is None and person.birth_year is not None:
            params["age"] = float(person.age_in(datetime.now().year))
        if getattr(protocol_class(args.name), "takes_sex", False) and person.sex:
            params["sex"] = person.sex  # the BTrackS norms are split by sex
    try:
        return _run(args, params, store)
    finally:
        if store is not None:
            store.close()


def _run(args: argparse.Namespace, params: dict[str, Any], store: Any) -> int:
    ui = _Terminal(sys.stderr if args.json else sys.stdout)
    given = {k: v for k, v in params.items() if v is not None}
    with connect(args) as conn:
        board = conn.source.board
        check_board_for(args.name, board.has_ap_spacing, f"board {board.name!r}")
        from ..stance import foot_spans

        proto = make_protocol(
            args.name, fs_hz=float(board.sample_rate_hz), foot_span_mm=foot_spans(board), **params
        )
        timeout = args.timeout
        if timeout is None and conn.simulated and args.fast:
            timeout = DEFAULT_SIM_TIMEOUT_S
        sinks: list[Sink] = []
        if args.record:
            meta = {
                "started_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "source": conn.source.description,
                "calibration": conn.calibration_origin,
                "protocol": {"name": args.name, **given},
            }
            writer = RecordingWriter(args.record, board, meta, pelvis=conn.pelvis is not None)
            sinks.append(RecordingSink(writer))
        stored = None
        if store is not None:
            sid = store.start_session(
                args.person, "test", board=board, source=conn.source.description
            )
            stored = store.start_trial(sid, args.name, given, board)
            sinks.append(StoreSink(stored))
        sinks.append(ui)
        outcome = run_blocks(
            balance_blocks(conn, realtime=not args.fast), proto, sinks, timeout_s=timeout
        )
    if stored is not None:
        print(f"stored as trial {stored.trial_id} of person {args.person}", file=sys.stderr)
    result = outcome.result
    assert result is not None
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        print()
        print("\n".join(result.table()))
    return 130 if outcome.stopped is StopReason.INTERRUPTED else 0
