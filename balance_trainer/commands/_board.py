"""Shared wiring for commands that read a board."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Generator
from typing import Any

import numpy as np

from ..balance import BalanceBlock
from ..config import default_board_spec
from ..errors import UsageError
from ..wiring import BoardConnection, open_board
from . import _types

Blocks = Generator[tuple[BalanceBlock, np.ndarray, int], None, None]
"""``(block, forces_n, missed)`` from :func:`balance_blocks`."""
TimedBlocks = Generator[tuple[BalanceBlock, np.ndarray, int, float | None, bool], None, None]
"""``(block, forces_n, missed, t0_s, done)`` from :func:`timed_blocks`."""


def add_speed_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--fast",
        action="store_true",
        help="run simulated or replayed boards in virtual time, as fast as possible",
    )


SCENARIO_HELP = (
    "quiet, single-leg (3 trials on the left leg, then 3 on the right), single-leg-left, "
    "single-leg-right (3 trials on that leg), squats (a set of 5 on each leg), squats-left, "
    "squats-right (3 sets of 5), step-on-off, weight-shift, mctsib (the four 20 s conditions, "
    "stepping off for the foam pad), btracks (four 20 s stands, eyes closed), interactive, empty"
)
TEST_SCENARIOS = {
    "single-leg-stance": "single-leg",
    "hip-stability": "single-leg",
    "single-leg-squat": "squats",
    "mctsib": "mctsib",
    "btracks-balance": "btracks",
}
"""The simulated person's default script for a ``test``: it does what the test asks."""


def add_simulator_options(g: argparse._ArgumentGroup) -> None:
    """The simulated person's options, shared by every command that reads a board.

    ``--scenario`` has no argparse default on purpose: a subcommand's ``set_defaults`` would
    change the one action all commands share (``play`` wants ``interactive``), so each command
    resolves ``None`` itself (:func:`scenario_for`).
    """
    g.add_argument(
        "--scenario",
        default=None,
        metavar="NAME",
        help=f"simulated person's scenario: {SCENARIO_HELP} (default: quiet; for 'test' the "
        "script that test asks for; interactive for 'play')",
    )
    g.add_argument("--seed", type=_types.seed, default=0, help="simulator random seed (default 0)")
    g.add_argument(
        "--weak-hip",
        choices=("left", "right"),
        default=None,
        metavar="SIDE",
        help="simulated person with weak hip abductors on SIDE (left or right): standing on "
        "that leg the pelvis drops toward the lifted side",
    )
    g.add_argument(
        "--compensation",
        choices=("none", "lean"),
        default="none",
        help="with --weak-hip: 'lean' leans the trunk over the stance leg (the pelvis still "
        "drops, the load under the foot moves the other way); default none",
    )
    g.add_argument(
        "--sim-age",
        type=float,
        default=None,
        metavar="YEARS",
        help="simulated person's age: sways like HBEDB's young (< 60) or older adults (default 30)",
    )
    g.add_argument(
        "--sim-eyes",
        choices=("open", "closed"),
        default=None,
        help="simulated person's eyes (default open; for 'test' the test's --eyes)",
    )
    g.add_argument(
        "--sim-surface",
        choices=("firm", "foam"),
        default="firm",
        help="simulated person standing on the board or on a foam pad on it (default firm)",
    )


def scenario_for(args: argparse.Namespace, default: str = "quiet") -> str:
    """The scenario asked for, else the command's default (see :data:`TEST_SCENARIOS`)."""
    if getattr(args, "scenario", None) is not None:  # given, even empty: the source checks it
        return str(args.scenario)
    if getattr(args, "command", None) == "test":
        script = TEST_SCENARIOS.get(getattr(args, "name", ""), default)
        side = getattr(args, "side", None)
        sided = script in ("single-leg", "squats")
        return f"{script}-{side}" if sided and side in ("left", "right") else script
    return default


def simulator_options(args: argparse.Namespace, spec: str | None) -> dict[str, Any]:
    """Keyword options for the simulated person, or ``{}`` for any other board.

    Raises
    ------
    UsageError
        A simulated-person option given for a board that is not the simulator.
    """
    eyes = getattr(args, "sim_eyes", None) or getattr(args, "eyes", None) or "open"
    opts: dict[str, Any] = {
        "compensation": getattr(args, "compensation", "none"),
        "eyes": eyes if eyes in ("open", "closed") else "open",
        "surface": getattr(args, "sim_surface", "firm"),
    }
    age = getattr(args, "sim_age", None)
    if (spec or default_board_spec()).partition(":")[0] == "sim":
        if age is not None:
            opts["age_years"] = age
        return opts
    given = [
        flag
        for flag, value, unset in (
            ("--compensation", opts["compensation"], "none"),
            ("--sim-age", age, None),
            ("--sim-eyes", getattr(args, "sim_eyes", None), None),
            ("--sim-surface", opts["surface"], "firm"),
        )
        if value != unset
    ]
    if given:
        raise UsageError(
            f"{given[0]} is an option of the simulated person, but --board is "
            f"{spec or default_board_spec()!r}; use --board sim or leave {given[0]} out"
        )
    return {}


def connect(args: argparse.Namespace, **options: Any) -> BoardConnection:
    """Open the board named on the command line and say what it is on stderr.

    The resolved scenario is written back to ``args.scenario``, so what a command records
    about the simulator is what ran.
    """
    args.scenario = scenario_for(args)
    conn = open_board(
        args.board,
        scenario=args.scenario,
        seed=args.seed,
        weak_hip=args.weak_hip,
        realtime=not getattr(args, "fast", False),
        data_dir=getattr(args, "data_dir", None),
        pelvis=getattr(args, "pelvis", None),
        **simulator_options(args, args.board),
        **options,
    )
    if conn.simulated or not getattr(args, "quiet_banner", False):
        print(f"board: {conn.banner}", file=sys.stderr)
    if conn.pelvis is not None:
        print(f"pelvis: {conn.pelvis.source.description}", file=sys.stderr)
        zero = getattr(conn.pelvis.source, "zero", None)
        if zero is not None:  # a real sensor: level it on the person standing still
            print("pelvis: stand level and still on both feet for 2 s...", file=sys.stderr)
            zero()
    return conn


def balance_blocks(conn: BoardConnection, *, realtime: bool) -> Blocks:
    """Yield ``(block, forces, missed)`` from the board.

    In real time a sampler thread fills the ring buffer and this reads it without blocking the
    sampler; in virtual time the same conversion runs inline, so a fast source can never outrun
    the reader and lose frames.
    """
    from ..stream import Sampler, process_frames

    if not realtime:
        for block, forces in process_frames(conn.source.frames(), conn.converter, block_size=64):
            yield block, forces, 0
        return
    sampler = Sampler(conn.source.frames(), conn.converter).start()
    buf = sampler.buffer
    seq = 0
    try:
        while True:
            buf.wait(seq, timeout=0.1)
            block, forces, seq, missed = buf.read_since(seq)
            if len(block) or missed:
                yield block, forces, missed
            if sampler.finished.is_set() and buf.seq == seq:
                if sampler.error is not None:
                    raise sampler.error
                return
    finally:
        sampler.stop()


def timed_blocks(
    conn: BoardConnection, *, realtime: bool, seconds: float | None = None
) -> TimedBlocks:
    """:func:`balance_blocks` cut at ``seconds`` of board time after the first frame.

    Yields ``(block, forces, missed, t0, done)``: ``t0`` is the first frame's time (None
    before any frame). The block with ``done`` set holds only the frames before the cut, and
    nothing follows it. Without ``seconds`` it runs until the source ends.
    """
    blocks = balance_blocks(conn, realtime=realtime)
    t0: float | None = None
    try:
        for block, forces, missed in blocks:
            if t0 is None and len(block):
                t0 = float(block.t_s[0])
            done = False
            if seconds is not None and t0 is not None:
                over = np.flatnonzero(block.t_s - t0 >= seconds)
                if over.size:
                    n = int(over[0])
                    block, forces, done = block.take(slice(0, n)), forces[:n], True
            yield block, forces, missed, t0, done
            if done:
                return
    finally:
        blocks.close()  # stops the sampler thread at once
