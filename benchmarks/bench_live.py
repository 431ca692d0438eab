"""CPU used by the simulated board plus the sampler at 80 frames/s in real time.

Target (issue 2): under 5 % of one core. A consumer reads the ring buffer every 50 ms, as the
terminal view does. For comparison the same frames are then produced in virtual time (as fast
as possible) to show the cost per frame without pacing.

    python benchmarks/bench_live.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import time

from balance_trainer.stream import Sampler, process_frames
from balance_trainer.wiring import open_board


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--scenario", default="single-leg-left")
    args = ap.parse_args()

    with open_board("sim", scenario=args.scenario, realtime=True) as conn:
        sampler = Sampler(conn.source.frames(), conn.converter).start()
        seq = 0
        got = 0
        c0, w0 = time.process_time(), time.monotonic()
        while time.monotonic() - w0 < args.seconds:
            time.sleep(0.05)
            block, _f, seq, missed = sampler.buffer.read_since(seq)
            got += len(block)
        cpu, wall = time.process_time() - c0, time.monotonic() - w0
        sampler.stop()
    rate = got / wall
    pct = 100 * cpu / wall

    with open_board("sim", scenario=args.scenario, realtime=False) as conn:
        n = int(80 * args.seconds)
        c1 = time.process_time()
        done = sum(
            len(b) for b, _ in process_frames(conn.source.frames(), conn.converter, max_frames=n)
        )
        fast = time.process_time() - c1
    print(
        f"real time, {wall:.1f} s: {got} frames ({rate:.1f}/s), CPU {cpu:.3f} s = "
        f"{pct:.2f} % of one core  (target < 5 %: {'PASS' if pct < 5 else 'FAIL'})"
    )
    print(
        f"virtual time: {done} frames in {fast * 1000:.0f} ms CPU = "
        f"{1e6 * fast / done:.1f} µs/frame; real-time pacing costs "
        f"{cpu / max(fast, 1e-9):.2f}x the bare generation+conversion CPU"
    )


if __name__ == "__main__":
    main()
