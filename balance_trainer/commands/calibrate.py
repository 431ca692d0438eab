"""``balance-trainer calibrate``: tare and span every cell, step by step in the terminal.

The walkthrough: clear the board (tare), then put one known mass over each cell in turn (span).
Each placement gives one equation "the cells together carry the mass"; with one placement per
cell every cell gets its own scale (see :mod:`balance_trainer.calibration`). Against the
simulator the mass is placed for you, and the result is compared with the simulator's true cells.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from ..calibration import Calibration
from ..constants import STANDARD_GRAVITY
from ..errors import CalibrationError, UsageError
from ..frames import LoadAssist, RawFrame, Source
from ..wiring import open_board, saved_calibration_path
from . import _types

if TYPE_CHECKING:
    from ..cli import CommonOptions
    from . import Subparsers

SETTLE_S = 0.5
"""Frames in the first half second after a change are skipped: the load (and a hand) settles."""


def register(sub: Subparsers, common: CommonOptions) -> None:
    p = sub.add_parser(
        "calibrate",
        parents=[common.board, common.data],
        help="calibrate the load cells (empty board, then a known mass over each cell)",
        description="Walks you through calibration: tare with the board empty, then a known "
        "mass over each cell in turn. Saves the result for this board in the data "
        "directory.",
    )
    p.add_argument(
        "--mass",
        type=_types.bounded_float(0.0, 1000.0, "kilograms"),
        default=None,
        metavar="KG",
        help="the known mass in kg (asked for when not given)",
    )
    p.add_argument(
        "--seconds",
        type=_types.bounded_float(0.0, 600.0, "seconds"),
        default=2.0,
        metavar="S",
        help="how long to average each step (default 2 s)",
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help="do not wait for Enter between steps (for the simulator and scripts)",
    )
    p.add_argument(
        "--fast",
        action="store_true",
        help="simulator in virtual time (with --yes: finishes at once)",
    )
    p.set_defaults(func=run)


def _collect(frames: Iterator[RawFrame], source: Source, seconds: float) -> np.ndarray:
    """Counts for ``seconds`` after a settling pause, shape (n_frames, n_cells)."""
    fs = source.board.sample_rate_hz
    start = source.clock() if source.realtime else None
    skip = int(round(SETTLE_S * fs)) if start is None else 0
    rows: list[tuple[int, ...]] = []
    t_first = None
    for frame in frames:
        if start is not None and frame.t < start + SETTLE_S:
            continue  # queued before the step began, or still settling
        if skip:
            skip -= 1
            continue
        if t_first is None:
            t_first = frame.t
        if frame.t - t_first >= seconds:
            break
        rows.append(frame.counts)
    if len(rows) < 2:
        raise CalibrationError("the board stopped sending frames during calibration")
    return np.array(rows, dtype=float)


def _terminal_answer(prompt: str) -> str:
    return input(prompt)


def _ask(prompt: str, answer: Callable[[str], str]) -> str:
    try:
        return answer(prompt)
    except EOFError:
        raise UsageError(
            "calibration needs answers at the prompts; run it in a terminal, or pass "
            "--mass KG --yes"
        ) from None


def run(args: argparse.Namespace, answer: Callable[[str], str] | None = None) -> int:
    answer = answer or _terminal_answer
    if not (args.seconds > 0):
        raise UsageError(f"--seconds {args.seconds}: give a duration > 0")
    out = sys.stdout
    conn = open_board(
        args.board,
        scenario="empty" if not args.board or args.board.startswith("sim") else args.scenario,
        seed=args.seed,
        realtime=not args.fast,
        data_dir=args.data_dir,
        require_calibration=False,
    )
    with conn:
        source = conn.source
        board = source.board
        assist = source if isinstance(source, LoadAssist) else None
        print(
            f"Calibrating {conn.banner.split(';')[0]}: {board.n_cells} cells "
            f"({', '.join(board.cell_names)})",
            file=out,
        )
        if assist is not None:
            print("The simulator will place the loads for you.", file=out)
        frames = source.frames()

        def wait(text: str) -> None:
            if args.yes:
                print(text, file=out)
            else:
                _ask(text + " Press Enter when ready. ", answer)

        # Step 1: tare.
        if assist is not None:
            assist.clear_load()
        wait("Step 1: clear the board completely - nobody on it, nothing touching it.")
        print(f"  measuring the empty board for {args.seconds:g} s ...", file=out, flush=True)
        empty = _collect(frames, source, args.seconds)
        cal = Calibration(board.cell_names, key=source.calibration_key).fit_tare(empty)
        # Step 2: span.
        mass = args.mass
        while mass is None:
            text = _ask("Step 2: the known mass in kg (e.g. 20): ", answer).strip()
            try:
                mass = float(text)
            except ValueError:
                print(f"  {text!r} is not a number; type the mass in kg, e.g. 20", file=out)
                continue
        if not (math.isfinite(mass) and mass > 0):
            raise UsageError(f"--mass {mass}: give the known mass in kg, > 0")
        spans = []
        for i, cell in enumerate(board.cells, start=1):
            if assist is not None:
                assist.place_mass(mass, cell.x_mm, cell.y_mm)
            wait(
                f"Step 2.{i}: put the {mass:g} kg mass right over cell '{cell.name}' "
                f"({cell.side}, x {cell.x_mm:+.0f} mm, y {cell.y_mm:+.0f} mm)."
            )
            print(f"  measuring for {args.seconds:g} s ...", file=out, flush=True)
            spans.append((_collect(frames, source, args.seconds), mass))
        cal.fit_span(spans)
        if assist is not None:
            assist.clear_load()
        truth = source.builtin_calibration() if assist is not None else None
        print(
            f"\n{'cell':<20}{'offset (counts)':>18}{'scale (g/count)':>18}"
            + (f"{'true offset':>14}{'scale err %':>13}" if truth else ""),
            file=out,
        )
        for j, name in enumerate(board.cell_names):
            line = (
                f"{name:<20}{cal.offset_[j]:>18.1f}{cal.scale_[j] / STANDARD_GRAVITY * 1000:>18.5f}"
            )
            if truth:
                t_off, t_scale = truth
                err = 100.0 * (cal.scale_[j] - t_scale[j]) / t_scale[j]
                line += f"{t_off[j]:>14.1f}{err:>+13.2f}"
            print(line, file=out)
        path = cal.save(saved_calibration_path(source, args.data_dir))
        print(f"\nSaved to {path}", file=out)
    return 0
