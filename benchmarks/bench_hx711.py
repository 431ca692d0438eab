"""Four fake HX711 chips at 80 conversions/s in real time: the parallel driver against a naive
chip-by-chip reader, both measured in the same run.

* parallel: the project's path. One shared SCK, every DOUT sampled on each of the 25 pulses,
  in the reader process (:mod:`hardware.reader`), frames handed to this process through the pipe.
* naive: what single-chip drivers do, one after the other: each chip on its own SCK, wait for
  its DOUT, clock 25 pulses, next chip. Run in a process of its own with the same priority.

Reported per reader: frames delivered per second, conversions dropped (produced by a chip and
never read), sweeps discarded by the driver (and why), pin operations per frame (clocking and
sampling; and counting the DOUT polling while waiting), microseconds spent clocking per frame,
and the time skew between the first and the last cell of a frame (0 when one sweep reads all).

The fake chips run in Python inside the reading process, so the microseconds here include the
fake's own work on each pin operation; on a Pi, lgpio pin operations cost about 1-2 µs each.
Compare the two readers with each other, not with a Pi.

    python benchmarks/bench_hx711.py [--seconds 60] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from typing import Any

DOUTS = ("GPIO5", "GPIO6", "GPIO13", "GPIO19")
SCK = "GPIO21"
NAIVE_SCKS = ("GPIO21", "GPIO26", "GPIO20", "GPIO16")
X_MM = (-190.0, -50.0, 50.0, 190.0)


def fake_spec() -> Any:
    from hardware.fake_hx711 import FakeBoardSpec

    return FakeBoardSpec.for_cells(
        DOUTS, SCK, X_MM, (0.0,) * 4, seed=1, load="person", step_on_s=1.0, noise_counts=40.0
    )


# --- the parallel reader (the project's path) --------------------------------------------------


def run_parallel(seconds: float) -> dict[str, Any]:
    from hardware.reader import ChipReader, ReaderSpec

    spec = ReaderSpec(DOUTS, SCK, tuple(f"cell {i}" for i in range(4)), fake=fake_spec())
    reader = ChipReader(spec).start()
    frames = 0
    t_first = t_last = None
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            f = reader.get(timeout=1.0)
            if f is None:
                continue
            frames += 1
            t_first = f.t if t_first is None else t_first
            t_last = f.t
    finally:
        reader.close()
    s = reader.stats()
    fake = s.get("fake", {})
    span = (t_last - t_first) if frames > 1 else float("nan")
    reasons = s.get("discard_reasons", {})
    return {
        "reader": "parallel (shared SCK, reader process)",
        "priority": s.get("priority"),
        "frames": frames,
        "frames_per_s": (frames - 1) / span if frames > 1 else 0.0,
        "conversions_per_chip": fake.get("conversions"),
        "dropped_conversions": max(fake.get("overruns", [0])),
        "dropped_between_processes": s.get("seq_gaps", 0) + s.get("dropped_app", 0),
        "discarded_sweeps": s.get("discarded", 0),
        "discard_reasons": reasons,
        "garbage_passed_on": 0,
        "chip_power_downs": max(fake.get("power_downs", [0])),
        "sweeps": s.get("sweeps", 0),
        "pin_ops_per_frame_clocking": s["pin_ops"] / s["sweeps"],
        "pin_ops_per_frame_with_polling": (s["pin_ops"] + s["poll_reads"]) / s["sweeps"],
        "us_clocking_per_frame": s["sweep_ns_total"] / s["sweeps"] / 1000.0,
        "max_high_us": s.get("max_high_ns", 0) / 1000.0,
        "skew_ms_mean": 0.0,
        "skew_ms_max": 0.0,
    }


# --- the naive reader -----------------------------------------------------------------------


class NaiveHX711:
    """One chip on its own SCK, read on its own: no timing checks, no discards."""

    def __init__(self, dout: str, sck: str, factory: Any) -> None:
        self.dout, self.sck = factory.pin(dout), factory.pin(sck)
        self.sck.function = "output"
        self.sck.state = False
        self.dout.function = "input"
        self.dout.pull = "up"
        self.pin_ops = self.poll_reads = 0
        self.clock_ns = 0

    def read(self, timeout: float = 1.0) -> tuple[float, int]:
        end = time.monotonic() + timeout
        while self.dout.state:
            self.poll_reads += 1
            if time.monotonic() > end:
                raise TimeoutError("chip not ready")
            time.sleep(0.0005)
        self.poll_reads += 1
        ready = time.monotonic()
        t0 = time.perf_counter_ns()
        word = 0
        for _ in range(24):
            self.sck.state = True
            self.sck.state = False
            word = (word << 1) | self.dout.state
        self.sck.state = True
        self.sck.state = False
        self.clock_ns += time.perf_counter_ns() - t0
        self.pin_ops += 2 * 25 + 24
        return ready, word - (1 << 24) if word & 0x800000 else word


def naive_main(seconds: float, conn: Any) -> None:
    from gpiozero.pins.mock import MockFactory

    from hardware.fake_hx711 import FakeHX711Bank
    from hardware.reader import raise_priority

    prio = raise_priority()
    spec = fake_spec()
    factory = MockFactory()
    values = spec.value_functions()  # the same loads as the parallel run
    t0 = time.perf_counter()
    banks = [
        FakeHX711Bank(
            [d],
            s,
            pin_factory=factory,
            clock=time.perf_counter,
            values=[_shifted(values[i], t0)],
            noise_counts=spec.noise_counts,
            seed=i,
        )
        for i, (d, s) in enumerate(zip(DOUTS, NAIVE_SCKS, strict=True))
    ]
    chips = [NaiveHX711(d, s, factory) for d, s in zip(DOUTS, NAIVE_SCKS, strict=True)]
    power_downs_before = [b.chips[0].power_downs for b in banks]
    frames = 0
    skews = []
    t_first = t_last = None
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        readies = [c.read()[0] for c in chips]
        frames += 1
        skews.append(readies[-1] - readies[0])
        t_first = readies[0] if t_first is None else t_first
        t_last = readies[0]
    downs = [b.chips[0].power_downs - p for b, p in zip(banks, power_downs_before, strict=True)]
    conn.send(
        {
            "reader": "naive (chip by chip, one SCK each)",
            "priority": prio[-1][1] if prio else None,
            "frames": frames,
            "frames_per_s": (frames - 1) / (t_last - t_first) if frames > 1 else 0.0,
            "conversions_per_chip": [b.chips[0].conversions for b in banks],
            "dropped_conversions": max(b.chips[0].overruns for b in banks),
            "dropped_between_processes": 0,
            "discarded_sweeps": 0,
            "discard_reasons": {},
            "garbage_passed_on": sum(downs),
            "chip_power_downs": max(downs),
            "sweeps": frames,
            "pin_ops_per_frame_clocking": sum(c.pin_ops for c in chips) / frames,
            "pin_ops_per_frame_with_polling": sum(c.pin_ops + c.poll_reads for c in chips) / frames,
            "us_clocking_per_frame": sum(c.clock_ns for c in chips) / frames / 1000.0,
            "max_high_us": float("nan"),
            "skew_ms_mean": 1000.0 * sum(skews) / len(skews),
            "skew_ms_max": 1000.0 * max(skews),
        }
    )
    conn.close()


def _shifted(f: Any, t0: float) -> Any:
    return (lambda t: f(t - t0)) if callable(f) else f


def run_naive(seconds: float) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=naive_main, args=(seconds, send), daemon=True)
    proc.start()
    send.close()
    out = recv.recv()
    proc.join(10)
    return out


# --- report -------------------------------------------------------------------------------

ROWS = [
    ("frames delivered per s", "frames_per_s", "{:.2f}"),
    ("frames delivered", "frames", "{}"),
    ("conversions dropped (never read)", "dropped_conversions", "{}"),
    ("frames lost between processes", "dropped_between_processes", "{}"),
    ("sweeps discarded by the driver", "discarded_sweeps", "{}"),
    ("  of which clock stretched > 60 us", None, None),
    ("chip power-downs (SCK high > 60 us)", "chip_power_downs", "{}"),
    ("readings from powered-down chips passed on", "garbage_passed_on", "{}"),
    ("pin ops per frame (clocking)", "pin_ops_per_frame_clocking", "{:.0f}"),
    ("pin ops per frame (with DOUT polling)", "pin_ops_per_frame_with_polling", "{:.0f}"),
    ("us clocking per frame", "us_clocking_per_frame", "{:.0f}"),
    ("longest SCK high phase, us", "max_high_us", "{:.0f}"),
    ("cell-to-cell skew in a frame, ms (mean)", "skew_ms_mean", "{:.2f}"),
    ("cell-to-cell skew in a frame, ms (max)", "skew_ms_max", "{:.2f}"),
]


def report(par: dict[str, Any], naive: dict[str, Any], seconds: float) -> str:
    lines = [
        f"four fake HX711 chips, 80 conversions/s each, {seconds:g} s per reader",
        f"priority: parallel {par['priority']!r}; naive {naive['priority']!r}",
        "",
    ]
    w = max(len(r[0]) for r in ROWS)
    lines.append(f"{'':{w}}  {'parallel':>12}  {'naive':>12}")
    for label, key, fmt in ROWS:
        if key is None:
            a = par["discard_reasons"].get("clock_stretch", 0)
            lines.append(f"{label:{w}}  {a:>12}  {'(unchecked)':>12}")
            continue
        lines.append(f"{label:{w}}  {fmt.format(par[key]):>12}  {fmt.format(naive[key]):>12}")
    lines.append("")
    lines.append(
        "parallel / naive: pin ops per frame x{:.2f}, clocking time per frame x{:.2f}, "
        "frame rate x{:.2f}".format(
            par["pin_ops_per_frame_clocking"] / naive["pin_ops_per_frame_clocking"],
            par["us_clocking_per_frame"] / naive["us_clocking_per_frame"],
            par["frames_per_s"] / max(naive["frames_per_s"], 1e-9),
        )
    )
    lines.append(f"parallel discard reasons: {par['discard_reasons']}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="per reader (default 60)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    args = ap.parse_args()
    par = run_parallel(args.seconds)
    naive = run_naive(args.seconds)
    print(report(par, naive, args.seconds))
    if args.json:
        print(json.dumps({"parallel": par, "naive": naive}, indent=2))


if __name__ == "__main__":
    main()
