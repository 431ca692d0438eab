"""Pelvis sensor cost and latency: read + fusion per sample, and sensor-to-app delay.

Run: ``python benchmarks/bench_pelvis.py [--seconds 10]``

1. In-process, virtual time, 60 s of samples at 104 Hz through the real driver and fusion on
   the register-level fake chip. Reported per sample: the fake chip alone (its register
   emulation: the part a real chip does for free), driver + fake (bus access + decoding),
   and the full path with imufusion. Ratios are against the fake-alone baseline of the same
   run; "% of a core at 100 Hz" is the full path minus the fake's own cost.
2. In real time: the reader process with a fake chip for ``--seconds``: its CPU use (from
   /proc, includes the fake chip's emulation, so an upper bound) and the delay from a sample's
   timestamp to its arrival in the app process (what the pipe and polling add before a frame
   is drawn; the display adds up to one frame, 16.7 ms at 60 Hz).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hardware.fake_lsm6dsox import FakeI2CBus, FakeLsm6dsox  # noqa: E402
from hardware.lsm6dsox import Lsm6dsox, Reg  # noqa: E402
from hardware.pelvis import PelvisSensor, parse_pelvis_spec  # noqa: E402
from hardware.pelvis_reader import FakeChipSpec, PelvisReader, PelvisReaderSpec  # noqa: E402


class VClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += s


def motion(t: float) -> tuple[float, float, float]:
    return (5 * np.sin(2.5 * t), 2 * np.sin(1.3 * t), 8 * np.sin(0.6 * t))


def per_sample(n: int) -> dict[str, float]:
    out: dict[str, float] = {}
    # Baseline: the fake chip alone, read the way the driver reads it.
    c = VClock()
    chip = FakeLsm6dsox(clock=c, motion=motion)
    bus = FakeI2CBus({0x6A: chip})
    Lsm6dsox(bus, clock=c).start(sleep=c.sleep)
    t0 = time.perf_counter()
    for _ in range(n):
        c.t += 0.01  # slower than the chip: every poll finds a new sample
        bus.read_byte_data(0x6A, Reg.STATUS_REG)
        bus.read_i2c_block_data(0x6A, Reg.OUTX_L_G, 12)
    out["fake chip alone"] = (time.perf_counter() - t0) / n
    # Driver + fake.
    c = VClock()
    bus = FakeI2CBus({0x6A: FakeLsm6dsox(clock=c, motion=motion)})
    dev = Lsm6dsox(bus, clock=c)
    dev.start(sleep=c.sleep)
    t0 = time.perf_counter()
    for _ in range(n):
        c.t += 0.01  # slower than the chip: every poll finds a new sample
        assert dev.poll() is not None
    out["driver + fake"] = (time.perf_counter() - t0) / n
    # Full path: driver + fusion.
    c = VClock()
    bus = FakeI2CBus({0x6A: FakeLsm6dsox(clock=c, motion=motion)})
    s = PelvisSensor(bus, clock=c, sleep=c.sleep)
    t0 = time.perf_counter()
    for _ in range(n):
        c.t += 0.01  # slower than the chip: every poll finds a new sample
        assert s.poll() is not None
    out["driver + fusion + fake"] = (time.perf_counter() - t0) / n
    return out


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def realtime(seconds: float) -> dict[str, float]:
    reader = PelvisReader(PelvisReaderSpec(parse_pelvis_spec("i2c"), fake=FakeChipSpec()))
    reader.start()
    time.sleep(1.0)
    reader.read()
    pid = reader._proc.pid
    assert pid is not None
    cpu0, wall0 = _cpu_s(pid), time.monotonic()
    delays: list[float] = []
    n = 0
    end = wall0 + seconds
    while time.monotonic() < end:
        got = reader.read()
        now = time.monotonic()
        delays += [now - p.t_s for p in got]
        n += len(got)
        time.sleep(0.001)
    cpu = _cpu_s(pid) - cpu0
    wall = time.monotonic() - wall0
    reader.close()
    d = np.array(delays) * 1e3
    return {
        "samples/s": n / wall,
        "reader CPU % of a core": 100 * cpu / wall,
        "delay p50 ms": float(np.percentile(d, 50)),
        "delay p95 ms": float(np.percentile(d, 95)),
        "delay max ms": float(d.max()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    n = 6240  # 60 s at 104 Hz
    runs = [per_sample(n) for _ in range(5)]
    res = {k: min(r[k] for r in runs) for k in runs[0]}  # least disturbed of 5 runs
    base = res["fake chip alone"]
    print(f"per sample, {n} samples (60 s at 104 Hz), in-process, best of 5:")
    for k, v in res.items():
        print(f"  {k:<26} {v * 1e6:8.1f} us   x{v / base:5.2f} of the fake-alone baseline")
    ours = res["driver + fusion + fake"] - base
    fusion = res["driver + fusion + fake"] - res["driver + fake"]
    print(
        f"  driver + fusion without the fake's emulation: {ours * 1e6:.1f} us/sample "
        f"= {100 * ours * 100:.2f} % of one core at 100 Hz (fusion alone {fusion * 1e6:.1f} us)"
    )
    print(f"real time, reader process with a fake chip, {args.seconds:g} s:")
    for k, v in realtime(args.seconds).items():
        print(f"  {k:<26} {v:8.2f}")


if __name__ == "__main__":
    main()
