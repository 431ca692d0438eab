"""How much CPU the simulated board costs, in real time and in virtual time.

Run: ``python benchmarks/bench_simulator.py [--seconds 10] [--scenario squats-left]``

1. Real time: the simulator paced at the board's 80 frames/s for ``--seconds`` of wall clock
   while a consumer reads every frame; process CPU time over wall time is the share of one
   core (the target is < 5 %). Baseline in the same run: a bare loop that only sleeps to the
   same 80 Hz grid, i.e. the floor any paced source pays for waking up 80 times a second.
2. Virtual time: frames per second of CPU when the person is simulated in 0.1 s blocks (as
   shipped) against one frame at a time (the naive per-sample design), same seed and scenario.
3. The simulated pelvis sensor (100 Hz) beside the board, in virtual time: CPU per pelvis
   sample on top of the board's frames (both read for the same simulated minute, against the
   board alone), and that cost as a share of one core at 100 Hz.
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from balance_trainer.config import load_board  # noqa: E402
from hardware.simulated import SimulatedBoard, SimulatedPelvis  # noqa: E402


def paced_baseline(seconds: float, fs: float) -> tuple[float, int]:
    """CPU share of a loop that sleeps to an ``fs`` grid and does nothing else."""
    period = 1.0 / fs
    start = time.monotonic()
    cpu0 = time.process_time()
    k = 0
    while True:
        due = start + k * period
        now = time.monotonic()
        if now - start >= seconds:
            break
        if now < due:
            time.sleep(due - now)
        k += 1
    wall = time.monotonic() - start
    return (time.process_time() - cpu0) / wall, k


def realtime_share(board: str, scenario: str, seconds: float) -> tuple[float, float, float]:
    """(CPU share of one core, frames per wall second, worst lateness s) in real time."""
    sim = SimulatedBoard(load_board(board), scenario, seed=1, realtime=True)
    start = time.monotonic()
    cpu0 = time.process_time()
    n = 0
    worst = 0.0
    for frame in sim.frames():
        n += 1
        worst = max(worst, time.monotonic() - frame.t)
        if frame.t - start >= seconds:
            break
    wall = time.monotonic() - start
    return (time.process_time() - cpu0) / wall, n / wall, worst


def virtual_rate(board: str, scenario: str, frames: int, *, per_frame: bool) -> float:
    """Frames generated per CPU second in virtual time."""
    sim = SimulatedBoard(load_board(board), scenario, seed=1, realtime=False)
    if per_frame:
        sim._block_n = 1  # the naive design: simulate and convert one frame at a time
    cpu0 = time.process_time()
    for _ in islice(sim.frames(), frames):
        pass
    return frames / (time.process_time() - cpu0)


def pelvis_cost(board: str, scenario: str, seconds: float) -> tuple[float, float]:
    """(CPU s for the board alone, CPU s for board + pelvis sensor) over ``seconds``."""
    out = []
    for with_pelvis in (False, True):
        sim = SimulatedBoard(load_board(board), scenario, seed=1, realtime=False)
        n = int(seconds * sim.fs)
        cpu0 = time.process_time()
        if with_pelvis:
            pel = SimulatedPelvis(sim)
            for _ in islice(pel.samples(), int(seconds * pel.rate_hz)):
                pass
        for _ in islice(sim.frames(), n):
            pass
        out.append(time.process_time() - cpu0)
    return out[0], out[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="real-time run length, s")
    parser.add_argument("--board", default="two-plate-4", help="board preset")
    parser.add_argument("--scenario", default="squats-left", help="simulator scenario")
    args = parser.parse_args()
    fs = load_board(args.board).sample_rate_hz

    print(f"simulated board {args.board}, scenario {args.scenario}, {fs:g} frames/s")
    base, _ = paced_baseline(min(args.seconds, 5.0), fs)
    share, rate, worst = realtime_share(args.board, args.scenario, args.seconds)
    print(f"real time, {args.seconds:g} s wall clock:")
    print(
        f"  simulator + consumer     {100 * share:6.2f} % of one core "
        f"({rate:.1f} frames/s, worst lateness {1000 * worst:.1f} ms)"
    )
    print(f"  baseline: paced no-op    {100 * base:6.2f} % of one core")
    print(
        f"  simulator above baseline {100 * (share - base):6.2f} % "
        f"(ratio {share / base if base > 0 else float('inf'):.1f}x)"
    )
    print(f"  target < 5 %: {'met' if share < 0.05 else 'NOT met'}")

    n = int(60 * fs)
    block = virtual_rate(args.board, args.scenario, n, per_frame=False)
    single = virtual_rate(args.board, args.scenario, n // 4, per_frame=True)
    print(f"virtual time, {n} frames:")
    print(
        f"  0.1 s blocks (shipped)   {block:10.0f} frames/s  ({1e6 / block:6.1f} µs/frame, "
        f"{block / fs:.0f}x real time)"
    )
    print(f"  one frame at a time      {single:10.0f} frames/s  ({1e6 / single:6.1f} µs/frame)")
    print(f"  blocks are {block / single:.1f}x faster than per-frame generation")

    alone, both = pelvis_cost(args.board, args.scenario, 60.0)
    per = (both - alone) / (60.0 * 100.0)
    print("pelvis sensor, 100 Hz, one simulated minute in virtual time:")
    print(f"  board alone {alone:.3f} s CPU; board + pelvis {both:.3f} s CPU")
    print(
        f"  pelvis adds {1e6 * per:.1f} µs per sample = {100 * per * 100.0:.2f} % of one core "
        f"at 100 Hz (ratio {both / alone:.2f}x the board alone)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
