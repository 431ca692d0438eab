"""``balance-trainer live``: watch weight and lateral sway update live."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import TYPE_CHECKING

from ..balance import Balance
from ..errors import UsageError
from . import _types
from ._board import add_speed_option, connect, timed_blocks

if TYPE_CHECKING:
    from ..cli import CommonOptions
    from . import Subparsers

BAR_HALF_WIDTH_MM = 150.0


def register(sub: Subparsers, common: CommonOptions) -> None:
    p = sub.add_parser(
        "live",
        parents=[common.board, common.data],
        help="show total weight, left/right share and the ML COP live",
        description="Live view of the board: total kg, left/right %, a bar for the "
        "medio-lateral centre of pressure. --json prints one object per frame.",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per frame on stdout")
    p.add_argument(
        "--seconds",
        type=_types.seconds,
        default=None,
        metavar="N",
        help="stop after N seconds (default: until Ctrl-C)",
    )
    add_speed_option(p)
    p.set_defaults(func=run)


def ml_bar(cop_ml_mm: float, width: int = 41, half_range_mm: float = BAR_HALF_WIDTH_MM) -> str:
    """A text bar with a marker at the ML COP: '|' is the board centre, L and R the edges."""
    cells = [" "] * width
    mid = width // 2
    cells[mid] = "|"
    if math.isfinite(cop_ml_mm):
        pos = int(round(mid + cop_ml_mm / half_range_mm * mid))
        cells[min(width - 1, max(0, pos))] = "#"
    return "L[" + "".join(cells) + "]R"


def view_line(b: Balance, t0: float = 0.0) -> str:
    """One line of the terminal view; time is shown from ``t0`` (the first frame)."""
    t = b.t_s - t0
    if not b.on_board:
        return f"{t:7.1f} s   nobody on the board ({round(b.total_kg, 1) + 0.0:5.1f} kg)"
    left = 100.0 * b.left_share
    return (
        f"{t:7.1f} s  {b.total_kg:5.1f} kg  L {left:3.0f}% R {100 - left:3.0f}%  "
        f"ML {b.cop_ml_mm:+6.1f} mm {ml_bar(b.cop_ml_mm)}"
    )


def run(args: argparse.Namespace) -> int:
    if args.seconds is not None and not (args.seconds > 0):
        raise UsageError(f"--seconds {args.seconds}: give a duration > 0")
    with connect(args) as conn:
        tty = sys.stdout.isatty() and not args.json
        last_draw = 0.0
        try:
            for block, _forces, _missed, t0, done in timed_blocks(
                conn, realtime=not args.fast, seconds=args.seconds
            ):
                n = len(block)
                if args.json:
                    for i in range(n):
                        sys.stdout.write(json.dumps(block[i].to_json_dict()) + "\n")
                    sys.stdout.flush()
                elif n:
                    now = time.monotonic()
                    if now - last_draw >= 0.1 or done or args.fast:
                        line = view_line(block[n - 1], t0 or 0.0)
                        sys.stdout.write(("\r\x1b[2K" + line) if tty else line + "\n")
                        sys.stdout.flush()
                        last_draw = now
        finally:
            if tty:
                sys.stdout.write("\n")
    return 0
