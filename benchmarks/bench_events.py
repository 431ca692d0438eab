"""Benchmark: finding the events in a 10-minute recording of 8 cells at 80 frames/s.

Run ``python benchmarks/bench_events.py``. A simulated person on the ``two-plate-8`` board
stands, lifts one foot, squats and steps off and on for 10 minutes; the frames are written to a
recording and read back, then events are found three ways and timed in the same run:

* ``EventDetector`` on the whole recording in one call (offline analysis);
* ``EventDetector`` fed in 8-frame blocks (a live stream read ten times a second) and in
  1-frame blocks (the worst case);
* the baseline: a plain per-frame Python loop applying the same lift-off, touchdown, brush,
  step and body-weight rules (it skips foot shifts and squats, so the ratio understates the
  gain). Its events are checked against the detector's.

Figures are medians of a few repeats; ratios are against the baseline of this run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from balance_trainer.balance import BalanceBlock, BalanceModel  # noqa: E402
from balance_trainer.events import EventDetector, EventSettings  # noqa: E402
from balance_trainer.recording import RecordingWriter, read_recording  # noqa: E402

FS = 80.0


def simulate(minutes: float, path: Path) -> None:
    """Write ``minutes`` of a simulated session on two-plate-8 to ``path``."""
    from balance_trainer.stream import process_frames
    from balance_trainer.wiring import open_board

    conn = open_board("sim:two-plate-8", scenario="interactive", seed=7, realtime=False)
    sim = conn.source
    plan = [("both", 10), ("left", 20), ("both", 8), ("right", 15), ("both", 6), ("off", 6)]
    frames = sim.frames()
    total = int(minutes * 60 * FS)
    done = 0
    with RecordingWriter(path, sim.board, {"source": "benchmark"}) as w:
        i = 0
        while done < total:
            stance, seconds = plan[i % len(plan)]
            sim.set_stance(stance)
            n = min(int(seconds * FS), total - done)
            for block, forces in process_frames(
                frames, conn.converter, max_frames=n, block_size=800
            ):
                w.write_block(block.t_s, forces)
            done += n
            i += 1
    conn.close()


def naive_events(block: BalanceBlock, s: EventSettings) -> list[tuple[str, float, str | None]]:
    """The baseline: the contact rules applied frame by frame in plain Python."""
    t = block.t_s.tolist()
    total = block.total_n.tolist()
    share = block.left_share.tolist()
    loads = {"left": block.left_n.tolist(), "right": block.right_n.tolist()}
    out: list[tuple[str, float, str | None]] = []
    bw = None
    run_start = None
    window: list[float] = []
    on, off_since, on_since = True, None, None
    feet = {side: {"state": "down", "lift": 0.0, "touch": None} for side in loads}
    stance = "both"
    eps = 1e-9
    measuring = True
    for i in range(len(t)):
        ti = t[i]
        if measuring:  # body weight: the first long enough stretch on both feet
            both = (
                total[i] >= s.on_board_n
                and share[i] == share[i]
                and s.bipedal_min_share <= share[i] <= 1 - s.bipedal_min_share
            )
            if not both:
                run_start, window = None, []
            else:
                if run_start is None:
                    run_start = ti
                if ti >= run_start + s.baseline_settle_s - eps:
                    window.append(total[i])
                if ti >= run_start + s.baseline_settle_s + s.baseline_s - eps:
                    first = bw is None
                    bw = float(np.median(window))
                    measuring, run_start, window = False, None, []
                    out.append(("body_weight", ti, None))
                    if first:
                        stance = "both"
                        continue
            if bw is None:
                continue
        # Stepping off and on, held 0.1 s.
        present = total[i] >= s.step_off_fraction * bw
        if on:
            if present:
                off_since = None
            else:
                off_since = ti if off_since is None else off_since
                if ti - off_since >= s.step_hold_s - eps:
                    on, off_since = False, None
                    out.append(("step_off", ti, None))
                    stance = "off"
                    measuring, run_start, window = True, None, []
                    continue
        else:
            if not present:
                on_since = None
            else:
                on_since = ti if on_since is None else on_since
                if ti - on_since >= s.step_hold_s - eps:
                    on, on_since = True, None
                    out.append(("step_on", ti, None))
        # Each foot: lift-off held 0.5 s, touchdown held 50 ms, shorter touches are brushes.
        for side, f in feet.items():
            above = loads[side][i] > s.lift_fraction * bw
            if f["state"] == "down":
                if not above:
                    f["state"], f["lift"], f["touch"] = "lifting", ti, None
            elif f["state"] == "lifting":
                if above:
                    f["touch"] = ti if f["touch"] is None else f["touch"]
                    if ti - f["touch"] >= s.brush_s - eps:
                        f["state"], f["touch"] = "down", None
                else:
                    f["touch"] = None
                    if ti - f["lift"] >= s.lift_hold_s - eps:
                        f["state"] = "up"
                        other = "right" if side == "left" else "left"
                        if on and stance == "both" and feet[other]["state"] != "up":
                            out.append(("lift_off", ti, side))
                            stance = other
            else:
                if above:
                    f["touch"] = ti if f["touch"] is None else f["touch"]
                    if ti - f["touch"] >= s.brush_s - eps:
                        f["state"], f["touch"] = "down", None
                        other = "right" if side == "left" else "left"
                        if stance == other:
                            out.append(("touchdown", ti, side))
                            stance = "both"
                else:
                    f["touch"] = None  # a brush
        if on and stance == "off":
            # Back on the board: a single-leg stance counts only after a lift-off from both.
            stance = "both" if all(f["state"] != "up" for f in feet.values()) else "stepping"
        elif stance == "stepping" and all(f["state"] != "up" for f in feet.values()):
            stance = "both"
    return out


def timed(fn, repeat: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def in_blocks(block: BalanceBlock, size: int):
    det = EventDetector(fs_hz=FS)
    out = []
    n = len(block)
    for i in range(0, n, size):
        out += det.feed(
            BalanceBlock(*(getattr(block, f)[i : i + size] for f in BalanceBlock.FIELDS))
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "session.csv"
        t0 = time.perf_counter()
        simulate(args.minutes, path)
        sim_s = time.perf_counter() - t0
        read_s, rec = timed(lambda: read_recording(path), 1)
    conv_s, block = timed(
        lambda: BalanceModel(rec.board).compute(rec.t_s, rec.forces_n), args.repeat
    )
    n = len(block)
    print(
        f"recording: {n} frames x {rec.board.n_cells} cells ({n / FS / 60:.1f} min at "
        f"{FS:g}/s, {rec.board.name}); simulated in {sim_s:.1f} s, read in {read_s:.2f} s, "
        f"forces to balance in {conv_s * 1e3:.1f} ms"
    )
    base_s, base_ev = timed(lambda: naive_events(block, EventSettings()), args.repeat)
    whole_s, ev = timed(lambda: EventDetector(fs_hz=FS).feed(block), args.repeat)
    b8_s, ev8 = timed(lambda: in_blocks(block, 8), args.repeat)
    b1_s, ev1 = timed(lambda: in_blocks(block, 1), 1)

    contact = ("body_weight", "step_off", "step_on", "lift_off", "touchdown")
    mine = [(e.kind, round(e.known_s, 6), e.side) for e in ev if e.kind in contact]
    theirs = [(k, round(t, 6), s) for k, t, s in base_ev]
    same_blocks = (
        [(e.kind, e.t_s) for e in ev]
        == [(e.kind, e.t_s) for e in ev8]
        == [(e.kind, e.t_s) for e in ev1]
    )
    counts = {
        k: sum(e.kind == k for e in ev)
        for k in ("lift_off", "touchdown", "brush", "step_off", "foot_shift", "squat")
    }
    print(f"events: {counts}")
    print(
        f"baseline agrees on contact events: {mine == theirs} ({len(theirs)} events); "
        f"same events in every block size: {same_blocks}"
    )
    print()
    rows = [
        ("baseline: per-frame Python loop (contact rules only)", base_s),
        ("EventDetector, whole recording in one call", whole_s),
        ("EventDetector, 8-frame blocks (live, 10 reads/s)", b8_s),
        ("EventDetector, 1-frame blocks (worst case)", b1_s),
    ]
    width = max(len(r[0]) for r in rows)
    print(
        f"{'method':<{width}}  {'time ms':>9}  {'µs/frame':>9}  {'x real time':>11}  "
        f"{'vs baseline':>11}"
    )
    for label, secs in rows:
        print(
            f"{label:<{width}}  {secs * 1e3:9.1f}  {secs / n * 1e6:9.2f}  "
            f"{n / FS / secs:11.0f}  {base_s / secs:10.2f}x"
        )
    return 0 if (mine == theirs and same_blocks) else 1


if __name__ == "__main__":
    sys.exit(main())
