"""Frames delivered by 4 and 8 HX711s on their own oscillators against one shared clock.

The build guide's option (hardware/README.md, "one clock for every chip"): every chip's XI fed
from one oscillator, so all convert together. Fake chips in virtual time, every pin operation
costing ``--pin-op-us``; reported per case: frames/s, the slowest chip's rate, the ratio, and
the discards by reason. The baseline is the same driver on chips with their own clocks.

    python benchmarks/bench_hx711_clocks.py [--frames 3000] [--pin-op-us 1.5]
"""

from __future__ import annotations

import argparse
from typing import Any

DOUTS = ("GPIO5", "GPIO6", "GPIO13", "GPIO19", "GPIO26", "GPIO20", "GPIO16", "GPIO12")
SCK = "GPIO21"


def run(n: int, shared: bool, frames: int, pin_op_us: float) -> dict[str, Any]:
    from gpiozero.pins.mock import MockFactory

    from hardware.fake_hx711 import FakeHX711Bank, VirtualClock
    from hardware.hx711 import HX711Array

    clock = VirtualClock()
    factory = MockFactory()
    if shared:
        rates, phases, wander = [80.0] * n, [0.004] * n, 0.0
    else:
        rates, phases, wander = [86.0 + 8.0 * i / (n - 1) for i in range(n)], None, 0.002
    bank = FakeHX711Bank(
        DOUTS[:n],
        SCK,
        pin_factory=factory,
        clock=clock.now,
        values=[1000 * (i + 1) for i in range(n)],
        rates=rates,
        phases=phases,
        wander=wander,
        pin_op_s=pin_op_us * 1e-6,
    )
    arr = HX711Array(
        DOUTS[:n], SCK, pin_factory=factory, clock=clock.now, sleep=clock.sleep, ticks=clock.ns
    )
    unclean = 0
    t0 = clock.now()
    for _ in range(frames):
        counts = arr.read()
        for chip, c in zip(bank.chips, counts, strict=True):
            if c not in {v for _, v, _ in chip.history} or chip.last_read_clean is not True:
                unclean += 1
    rate = frames / (clock.now() - t0)
    return {
        "chips": n,
        "clock": "one shared" if shared else "own (86-94/s)",
        "frames_per_s": rate,
        "slowest_hz": min(rates),
        "frames_vs_slowest_percent": 100.0 * rate / min(rates),
        "readings_not_clean": unclean,
        "discards": dict(arr.stats["discard_reasons"]),
    }


def main(argv: list[str] | None = None) -> int:
    from bench_hx711_path import format_row  # beside this file

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=3000)
    ap.add_argument("--pin-op-us", type=float, default=1.5)
    args = ap.parse_args(argv)
    for n in (4, 8):
        own = run(n, False, args.frames, args.pin_op_us)
        one = run(n, True, args.frames, args.pin_op_us)
        one["ratio_vs_own"] = one["frames_per_s"] / own["frames_per_s"]
        for row in (own, one):
            print(format_row(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
