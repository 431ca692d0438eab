"""Shared wiring for commands that read a board."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Generator
from typing import Any

import numpy as np

from ..balance import BalanceBlock
from ..wiring import BoardConnection, open_board

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


def connect(args: argparse.Namespace, **options: Any) -> BoardConnection:
    """Open the board named on the command line and say what it is on stderr."""
    conn = open_board(
        args.board,
        scenario=args.scenario,
        seed=args.seed,
        weak_hip=args.weak_hip,
        realtime=not getattr(args, "fast", False),
        data_dir=getattr(args, "data_dir", None),
        pelvis=getattr(args, "pelvis", None),
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
