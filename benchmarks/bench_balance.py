"""Counts → Balance: the block path against a plain per-frame Python loop, same run.

Target (issue 2): ≤ 20 µs per frame amortised for a block of frames.

    python benchmarks/bench_balance.py [--frames N] [--board PRESET]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from balance_trainer.balance import BalanceModel
from balance_trainer.calibration import Calibration
from balance_trainer.config import load_board
from balance_trainer.frames import RawFrame
from balance_trainer.stream import Converter


def plain_python(frames, board, offset, scale):
    """The obvious loop: one frame at a time, Python floats."""
    xs = [c.x_mm for c in board.cells]
    ys = [c.y_mm for c in board.cells]
    left = [c.side == "left" for c in board.cells]
    out = []
    for fr in frames:
        f = [(c - o) * s for c, o, s in zip(fr.counts, offset, scale, strict=True)]
        total = sum(f)
        ml = sum(fi * x for fi, x in zip(f, xs, strict=True)) / total
        ap = sum(fi * y for fi, y in zip(f, ys, strict=True)) / total
        ln = sum(fi for fi, lf in zip(f, left, strict=True) if lf)
        out.append((fr.t, total, ml, ap, ln / total))
    return out


def best_of(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--frames", type=int, default=80 * 60)
    ap.add_argument("--board", default="two-plate-8")
    args = ap.parse_args()
    board = load_board(args.board)
    n, c = args.frames, board.n_cells
    rng = np.random.default_rng(0)
    offset = rng.uniform(1e5, 3e5, c)
    scale = np.full(c, 0.0045)
    counts = (offset + rng.uniform(1000, 40000, (n, c))).astype(np.int64)
    frames = [RawFrame(k / 80, tuple(int(v) for v in row)) for k, row in enumerate(counts)]
    conv = Converter(Calibration(board.cell_names, offset, scale), BalanceModel(board))
    t = np.arange(n) / 80

    block_arr = best_of(lambda: conv.counts_block(t, counts))
    block_frames = best_of(lambda: conv.block(frames))
    single = best_of(lambda: [conv.block([f]) for f in frames[:800]], repeat=3) * n / 800
    plain = best_of(lambda: plain_python(frames, board, offset.tolist(), scale.tolist()))

    def us(x):
        return 1e6 * x / n

    print(f"board {board.name}: {c} cells, {n} frames")
    print(f"  plain per-frame Python loop (baseline)  {us(plain):8.2f} µs/frame")
    print(
        f"  block of RawFrames → Balance            {us(block_frames):8.2f} µs/frame"
        f"   ratio {plain / block_frames:6.1f}x faster"
    )
    print(
        f"  block of count arrays → Balance          {us(block_arr):8.2f} µs/frame"
        f"   ratio {plain / block_arr:6.1f}x faster"
    )
    print(
        f"  one frame at a time (live sampler path)  {us(single):8.2f} µs/frame"
        f"   = {100 * us(single) * 80 / 1e6:.2f} % of a core at 80 frames/s"
    )
    print(f"  target ≤ 20 µs/frame amortised: {'PASS' if us(block_frames) <= 20 else 'FAIL'}")


if __name__ == "__main__":
    main()
