"""The live-run loop and typed results: their cost against the protocol alone, same run.

* loop: :func:`balance_trainer.run.run_blocks` over a recorded single-leg stance test with a
  recording file and a store trial as sinks, against a bare ``protocol.feed`` loop with the
  same writes done inline (the code the commands had before the loop was shared). The ratio
  is the loop's own overhead; live, 64-frame blocks arrive every 0.8 s.
* result: ``TestResult.from_json`` + ``to_json`` + ``table`` + ``sentences`` of the finished
  test, against building the protocol's result dict alone.

    python benchmarks/bench_run.py [--seconds S] [--block N] [--repeat R]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from balance_trainer.balance import BalanceModel
from balance_trainer.config import load_board
from balance_trainer.protocols import make_protocol
from balance_trainer.recording import RecordingWriter
from balance_trainer.run import RecordingSink, StoreSink, run_blocks
from balance_trainer.store import Store

FS = 80.0


def stance_forces(seconds: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Cell forces (N) of: both feet, a 10 s hold on the left leg, both feet; repeated."""
    t = np.arange(int(seconds * FS)) / FS
    phase = t % 20.0
    up = (phase > 4.0) & (phase < 14.0)
    left = np.where(up, 700.0, 350.0) + rng.normal(0, 2, t.size)
    right = np.where(up, 0.0, 350.0) + np.abs(rng.normal(0, 0.5, t.size))
    sway = 3.0 * np.sin(2 * np.pi * 0.7 * t)
    u = (sway + 70.0) / 140.0  # the left foot's COP between its two cells
    forces = np.column_stack([left * (1 - u), left * u, right / 2, right / 2])
    return t, forces


def blocks(t, forces, model, size):
    for i in range(0, t.size, size):
        yield model.compute(t[i : i + size], forces[i : i + size]), forces[i : i + size], 0


def best_of(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--block", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    board = load_board("two-plate-4")
    model = BalanceModel(board)
    t, forces = stance_forces(args.seconds, np.random.default_rng(0))
    pre = list(blocks(t, forces, model, args.block))
    tmp = Path(tempfile.mkdtemp())
    counter = iter(range(10**6))

    def fresh():
        k = next(counter)
        store = Store(tmp / f"s{k}.db")
        store.add_person("p01")
        sid = store.start_session("p01", "test", board=board)
        rec = store.start_trial(sid, "single-leg-stance", {}, board)
        writer = RecordingWriter(tmp / f"r{k}.csv", board, {})
        proto = make_protocol("single-leg-stance", side="left", trials=None, max_time_s=60.0)
        return store, rec, writer, proto

    def inline():
        store, rec, writer, proto = fresh()
        for block, f, _ in pre:
            writer.write_block(block.t_s, f)
            rec.add_frames(block.t_s, f)
            proto.feed(block)
        proto.finish()
        res = proto.result()
        writer.close()
        rec.finish(result=res)
        store.close()

    def looped():
        store, rec, writer, proto = fresh()
        run_blocks(iter(pre), proto, [RecordingSink(writer), StoreSink(rec)])
        store.close()

    base = best_of(inline, args.repeat)
    loop = best_of(looped, args.repeat)
    n = t.size
    print(f"{n} frames in blocks of {args.block}, single-leg stance, recording + store sinks")
    print(
        f"  inline writes + protocol.feed: {base * 1e3:8.1f} ms  ({base / n * 1e6:6.1f} µs/frame)"
    )
    print(
        f"  run_blocks with sinks:         {loop * 1e3:8.1f} ms  ({loop / n * 1e6:6.1f} µs/frame)"
    )
    print(f"  ratio loop / inline:           {loop / base:8.3f}")

    proto = make_protocol("single-leg-stance", side="left", trials=None, max_time_s=60.0)
    for block, _, _ in pre:
        proto.feed(block)
    proto.finish()
    n_trials = len(proto.test_result().trials)
    raw = best_of(lambda: [proto._raw_result() for _ in range(20)], args.repeat) / 20

    def typed():
        r = proto.test_result()
        r.to_json()
        r.table()
        r.sentences()

    full = best_of(lambda: [typed() for _ in range(20)], args.repeat) / 20
    print(f"result of {n_trials} trials")
    print(f"  raw result dict:               {raw * 1e3:8.3f} ms")
    print(f"  typed + json + table + words:  {full * 1e3:8.3f} ms")
    print(f"  ratio typed / raw:             {full / raw:8.3f}")


if __name__ == "__main__":
    main()
