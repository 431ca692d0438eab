"""The HX711 read path (issue 12): sweep time, reader CPU, and a long run of drifting chips.

Three measurements, each with its baseline measured in the same run:

``sweep``
    4 and 8 fake chips read in real time through (a) lgpio directly (SCK a claimed output,
    one ``group_read`` of every DOUT per falling edge: :class:`hardware.pins.LgpioPins`) and
    (b) today's gpiozero path (gpiozero's own ``LGPIOPin`` objects, whose every write also
    asks for the line's mode). Both run over the same stand-in lgpio module
    (:mod:`hardware.fake_lgpio`), so the kernel's ioctl time (about 1 µs a call on a Pi 4) is
    in neither; the fake chips' Python work on each edge is in both. Reported: sweep time
    p50/p99/max and SCK high phase p50/p99/max, and the ratio gpiozero / direct.
    Then the same two paths with no chips on the lines, over the stand-in ("bare lines"),
    over pin calls that cost nothing (the driver's floor), and through the **real lgpio
    library** (``benchmarks/real_lgpio.py``: lgpio built from its PyPI source by
    ``benchmarks/build_lgpio.sh``, every call making its real system call into a stub gpiochip
    ``benchmarks/gpiochip_stub.c``; skipped, saying so, where lgpio or cc is missing).
``cpu``
    The reader process with 4 fake chips in real time, for ``--cpu-seconds``: CPU time of the
    process per wall second, scheduled (sleep until shortly before each chip's next
    conversion) vs the old way (look every 0.5 ms, sweep when every chip is ready). The fake
    chips' own work (metered inside the stand-in lgpio) is taken out of both; the part spent
    inside ``time.sleep`` calls is shown beside. A third row runs the same driver and chips in
    virtual time (no sleeps): the reader's own work per frame, with no wake-up costs.
``soak``
    Fake chips at 86, 89, 91 and 94 Hz with oscillator wander, in virtual time, every SCK edge
    costing ``--pin-op-us`` (1.5 µs is roughly lgpio on a Pi 4), for ``--soak-minutes``:
    conversions made, read cleanly and lost per chip; readings passed on that no chip
    converted; frames/s delivered against the slowest chip's rate. Scheduled vs the old way.
    A virtual sleep wakes exactly on time, which no machine does: with ``--soak-jitter
    measured`` (the default) the soak first measures, at the reader's priority, how late
    ``time.sleep`` wakes here and how often a busy loop loses the processor for > 60 µs (and
    for how long), and replays both through :class:`hardware.fake_jitter.JitterClock`;
    ``none`` is the exact clock.

The fake-chip rows of ``sweep`` also give what the fake chips themselves add per rising edge,
falling edge and group read (ns, median of every pulse of 300 sweeps), against the same lines
with no chips on them.

    python benchmarks/bench_hx711_path.py [--sweep-seconds 5] [--cpu-seconds 20]
        [--soak-minutes 10] [--pin-op-us 1.5] [--soak-jitter measured|none]
        [--jitter-seconds 5] [--only sweep,cpu,soak] [--json] [--lgpio-dir .lgpio-build]
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

DOUTS = ("GPIO5", "GPIO6", "GPIO13", "GPIO19", "GPIO26", "GPIO20", "GPIO16", "GPIO12")
SCK = "GPIO21"
SOAK_RATES = (86.0, 89.0, 91.0, 94.0)


def pct(values: Any, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q))


# --- sweep ----------------------------------------------------------------------------------


def _bench_factory(fake_lgpio: Any) -> Any:
    """gpiozero's own lgpio factory and pins over the stand-in lgpio module, as on a Pi 4."""
    sys.modules["lgpio"] = fake_lgpio  # gpiozero.pins.lgpio imports it by this name
    import gpiozero.pins.lgpio as gz_lgpio
    from gpiozero.pins.lgpio import LGPIOFactory

    gz_lgpio.lgpio = fake_lgpio  # imported once: point it at this run's chips

    class Pi4LGPIOFactory(LGPIOFactory):
        def _get_revision(self) -> int:
            return 0xC03111  # a Raspberry Pi 4 Model B, 4 GB

    return Pi4LGPIOFactory(chip=0)


def _timings(arr: Any) -> dict[str, Any]:
    """Sweep and SCK-high-phase percentiles (µs) of an array run with ``record_highs``."""
    assert arr.highs_ns is not None and arr.sweeps_ns is not None
    sw = np.asarray(arr.sweeps_ns, dtype=float) / 1000.0
    hi = np.asarray(arr.highs_ns, dtype=float) / 1000.0
    return {
        "sweeps": int(sw.size),
        "sweep_us_p50": pct(sw, 50),
        "sweep_us_p99": pct(sw, 99),
        "high_us_p50": pct(hi, 50),
        "high_us_p99": pct(hi, 99),
        "high_us_max": float(hi.max()),
    }


def _real_time_bank(n: int, mock: Any) -> Any:
    """``n`` fake chips at 86-94 Hz on ``mock``'s pins, on the real clock."""
    from hardware.fake_hx711 import FakeHX711Bank

    return FakeHX711Bank(
        DOUTS[:n],
        SCK,
        pin_factory=mock,
        clock=time.perf_counter,
        values=[1000 * (i + 1) for i in range(n)],
        rates=[86.0 + 8.0 * i / max(n - 1, 1) for i in range(n)],
        noise_counts=40.0,
    )


def format_row(row: dict[str, Any]) -> str:
    """One result row as ``  key=value, ...`` with numbers to 3 significant figures."""
    return "  " + ", ".join(f"{k}={_fmt(v)}" for k, v in row.items())


def sweep_once(n: int, path: str, seconds: float) -> dict[str, Any]:
    from gpiozero.pins.mock import MockFactory

    from balance_trainer.errors import SensorError
    from hardware.fake_lgpio import FakeLgpio
    from hardware.hx711 import HX711Array

    mock = MockFactory()
    bank = _real_time_bank(n, mock)
    lg = FakeLgpio(mock)
    factory = _bench_factory(lg)
    if path == "direct":
        arr = HX711Array(DOUTS[:n], SCK, pin_factory=factory, lgpio=lg, record_highs=True)
    else:
        arr = HX711Array(DOUTS[:n], SCK, pin_factory=factory, backend="gpiozero", record_highs=True)
    faults = 0
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                arr.read()
            except SensorError:
                faults += 1  # a loaded machine: count it, power-cycle, go on
                arr.reset()
    finally:
        arr.close()
        bank.close()
        factory.close()
    times = _timings(arr)
    highs = np.asarray(arr.highs_ns, dtype=float) / 1000.0
    return {
        "chips": n,
        "path": path + " (fake chips)",
        "backend": arr.stats["backend"],
        **times,
        "sweep_us_max": float(np.max(arr.sweeps_ns)) / 1000.0,
        "over_50us": int((highs > 50).sum()),
        "faults": faults,
    }


def sweep_lines(n: int, path: str, sweeps: int, lg: Any, opened: Any = None) -> dict[str, Any]:
    """``sweeps`` sweeps back to back, the first pulse of each after a sleep as in use, over
    the lgpio module ``lg`` (the stand-in or the real one) with every DOUT reading low
    (``opened()``, called once the lines are claimed, makes them so where they are mock
    pins): sweep and high-phase percentiles."""
    from hardware.hx711 import HX711Array

    factory = _bench_factory(lg)
    kw: dict[str, Any] = {"lgpio": lg} if path == "direct" else {"backend": "gpiozero"}
    arr = HX711Array(DOUTS[:n], SCK, pin_factory=factory, record_highs=True, **kw)
    if opened is not None:
        opened()
    try:
        for _ in range(sweeps):
            assert arr._sweep() is not None  # every DOUT low: a word is ready
            time.sleep(0.0005)  # as between sweeps in use: the first pulse after a sleep
    finally:
        arr.close()
        factory.close()
    return _timings(arr)


def with_ratios(direct: dict[str, Any], gz: dict[str, Any]) -> list[dict[str, Any]]:
    """The two rows, the gpiozero one with its sweep and high-phase ratios to the direct one."""
    gz["ratio_sweep_p50_vs_direct"] = gz["sweep_us_p50"] / direct["sweep_us_p50"]
    gz["ratio_high_p50_vs_direct"] = gz["high_us_p50"] / direct["high_us_p50"]
    return [direct, gz]


def sweep_bare(n: int, path: str, sweeps: int) -> dict[str, Any]:
    """The path alone: no fake chips on the lines (every DOUT held low), sweeps back to back,
    as the issue's desk review measured it."""
    from gpiozero.pins.mock import MockFactory

    from hardware.fake_lgpio import FakeLgpio

    mock = MockFactory()
    lg = FakeLgpio(mock)

    def ready() -> None:
        for d in DOUTS[:n]:
            mock.pin(d).drive_low()  # a chip with its word ready, and all zeros in it

    times = sweep_lines(n, path, sweeps, lg, ready)
    return {
        "chips": n,
        "path": path + " (bare lines)",
        **times,
        "lgpio_calls_per_sweep": lg.calls / sweeps,
    }


class NullLgpio:
    """An lgpio whose calls cost next to nothing (C built-ins bound to constants): the same
    sweep over it measures the driver's own Python per sweep, without any pin."""

    error = RuntimeError
    SET_PULL_UP = 32

    def __init__(self, n: int) -> None:
        self._answer = {1: [n, 0]}  # group_read(1, leader) -> [n, 0]: every DOUT low
        self.group_read = self._answer.get
        self.gpio_write = max  # gpio_write(h, line, level): a C call, no Python frame

    def gpiochip_open(self, chip: int) -> int:
        return 1

    def gpio_claim_output(self, *a: Any) -> int:
        return 0

    def group_claim_input(self, *a: Any) -> int:
        return 0

    def gpio_free(self, *a: Any) -> int:
        return 0

    def group_free(self, *a: Any) -> int:
        return 0

    def gpiochip_close(self, *a: Any) -> int:
        return 0


def sweep_null(n: int, sweeps: int) -> dict[str, Any]:
    """The sweep loop with pin calls that cost nothing: the driver's floor on this machine."""
    from gpiozero.pins.mock import MockFactory

    from hardware.hx711 import HX711Array

    lg = NullLgpio(n)
    arr = HX711Array(DOUTS[:n], SCK, pin_factory=MockFactory(), lgpio=lg, record_highs=True)
    try:
        for _ in range(sweeps):
            assert arr._sweep() is not None
            time.sleep(0.0005)
    finally:
        arr.close()
    return {"chips": n, "path": "direct, null lgpio (no pin work)", **_timings(arr)}


def per_call_costs(n: int) -> dict[str, Any]:
    """What one call of the stand-in lgpio costs here (ns, best of 5), and time.perf_counter_ns."""
    import timeit

    from gpiozero.pins.mock import MockFactory

    from hardware.fake_lgpio import FakeLgpio
    from hardware.pins import LgpioPins

    mock = MockFactory()
    lg = FakeLgpio(mock)
    pins = LgpioPins(0, SCK, list(DOUTS[:n]), [str(i) for i in range(n)], lgpio=lg)
    for d in DOUTS[:n]:
        mock.pin(d).drive_low()
    k = 20000

    def best(f: Any) -> float:
        return min(timeit.repeat(f, number=k, repeat=5)) / k * 1e9

    toggle = [pins.high, pins.low]
    out = {
        "chips": n,
        "path": "per call (ns)",
        "fake_gpio_write_ns": best(lambda: (toggle[0](), toggle[1]())) / 2,
        "fake_group_read_ns": best(pins.read_raw),
        "perf_counter_ns_ns": best(time.perf_counter_ns),
        "lgpio_calls_per_sweep": 2 * 25 + 25 + 3,
    }
    pins.close()
    return out


def fake_edge_costs(n: int, sweeps: int = 300) -> dict[str, Any]:
    """What the fake chips add to one rising write, falling write and group read (ns): each
    pulse of ``sweeps`` direct sweeps timed in its three parts, with fake chips on the lines
    and with none (every DOUT held low), in the same run."""
    from gpiozero.pins.mock import MockFactory

    from hardware.fake_lgpio import FakeLgpio
    from hardware.pins import LgpioPins

    def parts(chips: bool) -> tuple[list[int], list[int], list[int]]:
        mock = MockFactory()
        if chips:
            bank = _real_time_bank(n, mock)
        pins = LgpioPins(0, SCK, list(DOUTS[:n]), [str(i) for i in range(n)], lgpio=FakeLgpio(mock))
        if not chips:
            for d in DOUTS[:n]:
                mock.pin(d).drive_low()
        hi, lo, rd, pc = pins.high, pins.low, pins.read_raw, time.perf_counter_ns
        rise: list[int] = []
        fall: list[int] = []
        read: list[int] = []
        done = 0
        while done < sweeps:
            if rd()[1]:
                time.sleep(0.0002)  # a chip still converting: wait, as the driver would
                continue
            for _ in range(25):
                a = pc()
                hi()
                b = pc()
                lo()
                c = pc()
                rd()
                d = pc()
                rise.append(b - a)
                fall.append(c - b)
                read.append(d - c)
            done += 1
        pins.close()
        if chips:
            bank.close()
        return rise, fall, read

    bare, fake = parts(False), parts(True)
    out: dict[str, Any] = {"chips": n, "path": "fake chips per edge (ns, p50)"}
    for name, b, f in zip(("rise", "fall", "group_read"), bare, fake, strict=True):
        out[f"{name}_bare_ns"] = pct(b, 50)
        out[f"{name}_fake_ns"] = pct(f, 50)
        out[f"{name}_fake_p99_ns"] = pct(f, 99)
        out[f"{name}_added_ns"] = pct(f, 50) - pct(b, 50)
    return out


def run_sweep(seconds: float, lgpio_dir: Any = None) -> list[dict[str, Any]]:
    import real_lgpio  # benchmarks/real_lgpio.py, beside this file

    from hardware.reader import raise_priority

    # Both paths under the same priority the reader process asks for.
    for _, text in raise_priority():
        print(f"sweep benchmark: {text}", file=sys.stderr)
    out = []
    for n in (4, 8):
        out.append(per_call_costs(n))
        out.append(sweep_null(n, 2000))
        out += with_ratios(sweep_bare(n, "direct", 2000), sweep_bare(n, "gpiozero", 2000))
    # The same bare-lines sweeps through the real lgpio library (its one system call a pin
    # operation made, on a stub gpiochip), in a child process that preloads the stub.
    out += real_lgpio.rows((4, 8), 2000, lgpio_dir or real_lgpio.DEFAULT_LGPIO_DIR)
    for n in (4, 8):
        out.append(fake_edge_costs(n))
        out += with_ratios(sweep_once(n, "direct", seconds), sweep_once(n, "gpiozero", seconds))
    return out


# --- cpu ------------------------------------------------------------------------------------


def _cpu_board() -> Any:
    from hardware.fake_hx711 import FakeBoardSpec

    return FakeBoardSpec.for_cells(
        DOUTS[:4], SCK, (-190.0, -50.0, 50.0, 190.0), (0.0,) * 4, seed=1, load="empty"
    )


def cpu_once(schedule: bool, seconds: float) -> dict[str, Any]:
    """The reader process over 4 fake chips in real time: its CPU per wall second, less the
    fake chips' own (metered inside the stand-in lgpio). ``of_which_sleep_calls_percent`` is
    the part spent inside ``time.sleep`` calls (the kernel's timer and the switches, metered
    per call in the child): what waking up costs on this machine, whatever the reader does."""
    from hardware.reader import ChipReader, ReaderSpec

    spec = ReaderSpec(
        DOUTS[:4], SCK, tuple(f"cell {i}" for i in range(4)), fake=_cpu_board(), schedule=schedule
    )
    reader = ChipReader(spec).start()
    frames = 0
    first: dict[str, Any] | None = None
    try:
        warm = time.monotonic() + 2.0
        while time.monotonic() < warm:  # past start-up, learning and the first stats
            reader.get(timeout=1.0)
        first = dict(reader.stats())
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if reader.get(timeout=1.0) is not None:
                frames += 1
        time.sleep(1.2)  # one more stats message
        last = dict(reader.stats())
    finally:
        reader.close()
    cpu = last["cpu_s"] - first["cpu_s"]
    wall = last["wall_s"] - first["wall_s"]
    emu = last["fake"]["emulation_s"] - first["fake"]["emulation_s"]
    slept = last.get("sleep_cpu_s", 0.0) - first.get("sleep_cpu_s", 0.0)
    child_frames = max(1, last["frames"] - first["frames"])
    slowest = min(last["fake"]["rates_hz"])
    reasons = {
        k: v - first["discard_reasons"].get(k, 0)
        for k, v in last["discard_reasons"].items()
        if v - first["discard_reasons"].get(k, 0)
    }
    return {
        "schedule": "planned looks" if schedule else "look every 0.5 ms",
        "frames": frames,
        "frames_per_s": frames / seconds,
        "slowest_chip_hz": slowest,
        "frames_vs_slowest_percent": 100.0 * frames / seconds / slowest,
        "process_cpu_percent": 100.0 * cpu / wall,
        "fake_emulation_percent": 100.0 * emu / wall,
        "reader_cpu_percent": 100.0 * (cpu - emu) / wall,
        "of_which_sleep_calls_percent": 100.0 * slept / wall,
        "reader_us_per_frame": 1e6 * (cpu - emu) / child_frames,
        "sleep_calls_us_per_wakeup": 1e6 * slept / max(1, last["wakeups"] - first["wakeups"]),
        "wakeups_per_frame": (last["wakeups"] - first["wakeups"]) / child_frames,
        "sweeps_per_frame": (last["sweeps"] - first["sweeps"]) / child_frames,
        "lgpio_calls_per_s": (
            last["pin_ops"] - first["pin_ops"] + last["poll_reads"] - first["poll_reads"]
        )
        / wall,
        "discard_reasons": reasons,
        "priority": last.get("priority"),
    }


def cpu_virtual(frames: int = 3000) -> dict[str, Any]:
    """The same driver and fake chips in virtual time, in this process: no sleeps, so no
    waking and no caches gone cold between wake-ups. What is left is the reader's own work
    per frame (the virtual clock's calls, Python functions where the real clock is C, are in
    it); against ``cpu_once``'s ``reader_us_per_frame`` it shows what waking up adds."""
    import gc

    from gpiozero.pins.mock import MockFactory

    from hardware.fake_hx711 import VirtualClock
    from hardware.fake_lgpio import MeteredFakeLgpio
    from hardware.reader import ChipSession, ReaderSpec, open_array

    clock = VirtualClock()
    factory = MockFactory()
    bank = _cpu_board().build(factory, clock=clock.now)
    lg = MeteredFakeLgpio(factory)
    spec = ReaderSpec(DOUTS[:4], SCK, tuple(f"cell {i}" for i in range(4)))
    arr = open_array(
        spec, pin_factory=factory, lgpio=lg, clock=clock.now, sleep=clock.sleep, ticks=clock.ns
    )
    session = ChipSession(arr)
    try:
        for _ in range(300):  # past start-up and learning
            session.read()
        gc.collect()
        enabled = gc.isenabled()
        gc.disable()  # as in the reader process
        cpu0, emu0, w0 = time.process_time(), lg.emulation_ns, arr.stats["wakeups"]
        for _ in range(frames):
            session.read()
        cpu, emu = time.process_time() - cpu0, (lg.emulation_ns - emu0) / 1e9
        if enabled:
            gc.enable()
    finally:
        arr.close()
        bank.close()
    return {
        "schedule": "planned looks, virtual time (no sleeps)",
        "frames": frames,
        "reader_us_per_frame": 1e6 * (cpu - emu) / frames,
        "fake_emulation_us_per_frame": 1e6 * emu / frames,
        "wakeups_per_frame": (arr.stats["wakeups"] - w0) / frames,
    }


def wake_floor(wakes_per_frame: int, seconds: float, rate_hz: float) -> dict[str, Any]:
    """What waking alone costs here: a process at the reader's priority that does nothing but
    sleep to ``wakes_per_frame`` deadlines a frame at ``rate_hz``, in a child process of its
    own (its priority stays there). No reader that sleeps between conversions can cost less
    than this on this machine."""
    code = (
        "import sys, time\n"
        "from hardware.reader import raise_priority\n"
        "list(raise_priority())\n"
        "w, seconds, rate = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])\n"
        "c0, t0 = time.process_time(), time.monotonic()\n"
        "nxt, n = t0, 0\n"
        "while nxt < t0 + seconds:\n"
        "    nxt += 1.0 / rate / w\n"
        "    d = nxt - time.monotonic()\n"
        "    if d > 0:\n"
        "        time.sleep(d)\n"
        "    n += 1\n"
        "print(time.process_time() - c0, time.monotonic() - t0, n)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(wakes_per_frame), str(seconds), str(rate_hz)],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu, wall, n = (float(x) for x in done.stdout.split())
    return {
        "schedule": f"sleep only, {wakes_per_frame} wake-up(s) a frame at {rate_hz:.1f}/s",
        "process_cpu_percent": 100.0 * cpu / wall,
        "us_per_wakeup": 1e6 * cpu / n,
    }


def run_cpu(seconds: float, lgpio_dir: Any = None) -> list[dict[str, Any]]:
    import real_lgpio  # benchmarks/real_lgpio.py, beside this file

    new = cpu_once(True, seconds)
    old = cpu_once(False, seconds)
    new["ratio_reader_cpu_vs_old"] = new["reader_cpu_percent"] / old["reader_cpu_percent"]
    new["budget_us_per_frame_for_2_percent"] = 0.02e6 / new["slowest_chip_hz"]
    # The stand-in lgpio's calls are the fake's work, metered and subtracted; on a Pi each is
    # a real lgpio call (its C and one system call). Added back at what a real lgpio call
    # costs on this machine (real_lgpio.py): an upper estimate, since the stand-in's own call
    # overhead (about 0.2 µs) stays on the reader's side as well.
    costs = real_lgpio.rows((4,), 0, lgpio_dir or real_lgpio.DEFAULT_LGPIO_DIR)
    call = next((r for r in costs if "gpio_write_ns" in r), None)
    if call is not None:
        ns = (call["gpio_write_ns"] + call["group_read_ns"]) / 2
        for row in (new, old):
            row["real_lgpio_call_ns"] = ns
            row["reader_cpu_with_real_lgpio_percent"] = (
                row["reader_cpu_percent"] + 100.0 * row["lgpio_calls_per_s"] * ns / 1e9
            )
    floors = [wake_floor(w, min(seconds, 10.0), new["slowest_chip_hz"]) for w in (1, 2)]
    return [new, old, cpu_virtual(), *floors]


# --- soak -----------------------------------------------------------------------------------


def measure_jitter(seconds: float) -> dict[str, Any]:
    """How this machine wakes and loses the processor, at the reader's priority.

    Lateness: 400 ``time.sleep`` calls of 0.2-5 ms (the reader's sleeps until a chip is due),
    each one's overshoot. Preemptions: a busy loop reading ``perf_counter_ns`` for ``seconds``
    in all, in 40 ms bursts; every gap > 60 µs between two reads (the loop's own step is
    < 1 µs) is one, with its length.
    """
    import random

    from hardware.reader import raise_priority

    priority = "; ".join(text for _, text in raise_priority())
    rng = random.Random(0)
    late = []
    for _ in range(400):
        d = rng.uniform(0.0002, 0.005)
        t = time.perf_counter()
        time.sleep(d)
        late.append(max(0.0, time.perf_counter() - t - d))
    # The busy loop runs in 40 ms bursts with 10 ms sleeps between: a real-time task that
    # never sleeps is throttled by the kernel for 50 ms of every second
    # (sched_rt_runtime_us = 950000 of 1000000 by default), a gap the reader, which sleeps
    # between sweeps, never meets.
    gaps = []
    pc = time.perf_counter_ns
    busy_ns = 0
    while busy_ns < seconds * 1e9:
        start = last = pc()
        end = start + 40_000_000
        while last < end:
            now = pc()
            if now - last > 60_000:
                gaps.append((now - last) / 1e9)
            last = now
        busy_ns += last - start
        time.sleep(0.010)
    return {
        "priority": priority,
        "lateness_s": late,
        "preempt_rate_hz": len(gaps) / seconds,
        "preempt_s": gaps,
        "busy_seconds": seconds,
    }


def _jitter_summary(j: dict[str, Any]) -> dict[str, Any]:
    late = np.asarray(j["lateness_s"]) * 1e6
    gaps = np.asarray(j["preempt_s"]) * 1e6
    return {
        "what": "this machine, measured",
        "priority": j["priority"],
        "sleep_late_us_p50": pct(late, 50),
        "sleep_late_us_p90": pct(late, 90),
        "sleep_late_us_p99": pct(late, 99),
        "sleep_late_us_max": float(late.max()),
        "gaps_over_60us_per_s": j["preempt_rate_hz"],
        "gap_us_p50": pct(gaps, 50) if gaps.size else 0.0,
        "gap_us_max": float(gaps.max()) if gaps.size else 0.0,
        "busy_seconds": j["busy_seconds"],
    }


def soak_once(
    schedule: bool, minutes: float, pin_op_us: float, jitter: dict[str, Any] | None = None
) -> dict[str, Any]:
    from gpiozero.pins.mock import MockFactory

    from hardware.fake_hx711 import FakeHX711Bank, VirtualClock
    from hardware.fake_jitter import JitterClock
    from hardware.hx711 import HX711Array

    clock: VirtualClock
    if jitter is None:
        clock = VirtualClock()
    else:
        clock = JitterClock(
            jitter["lateness_s"], jitter["preempt_rate_hz"], jitter["preempt_s"], seed=5
        )
    factory = MockFactory()
    n = len(SOAK_RATES)
    bank = FakeHX711Bank(
        DOUTS[:n],
        SCK,
        pin_factory=factory,
        clock=clock.now,
        values=[100_000 + 1000 * i for i in range(n)],
        rates=SOAK_RATES,
        wander=0.002,
        noise_counts=40.0,
        pin_op_s=pin_op_us * 1e-6,
        seed=5,
    )
    arr = HX711Array(
        DOUTS[:n],
        SCK,
        pin_factory=factory,
        clock=clock.now,
        sleep=clock.sleep,
        ticks=clock.ns,
        schedule=schedule,
        poll_interval=100e-6 if schedule else 0.0005,
    )
    arr.read()
    t_start = clock.now()
    made0 = bank.stats()["conversions"]
    frames = foreign = corrupt_passed = 0
    wall = time.perf_counter()
    while clock.now() - t_start < minutes * 60.0:
        counts = arr.read()
        frames += 1
        for chip, c in zip(bank.chips, counts, strict=True):
            if all(v != c for _, v, _ in itertools.islice(reversed(chip.history), 8)):
                foreign += 1
            if chip.last_read_clean is not True:
                corrupt_passed += 1
    span = clock.now() - t_start
    s = bank.stats()
    made = [a - b for a, b in zip(s["conversions"], made0, strict=True)]
    felt = (
        {
            "sleeps_late_us_mean": 1e6 * clock.late_total_s / max(1, clock.sleeps),
            "preemptions": clock.preemptions,
            "preemptions_felt": clock.preemptions_felt,
        }
        if isinstance(clock, JitterClock)
        else {}
    )
    return {
        "schedule": "planned looks" if schedule else "look every 0.5 ms",
        "clock": "measured lateness + preemptions" if jitter is not None else "exact (virtual)",
        **felt,
        "wakeups_per_frame": arr.stats["wakeups"] / max(1, arr.stats["frames"]),
        "virtual_minutes": span / 60.0,
        "wall_s": time.perf_counter() - wall,
        "conversions_made": made,
        "read_cleanly": s["clean_reads"],
        "read_corrupt": s["corrupt_reads"],
        "lost": [m - c for m, c in zip(s["conversions"], s["clean_reads"], strict=True)],
        "driver_counted_lost": arr.stats["lost"],
        "frames": frames,
        "readings_passed_that_no_chip_converted": foreign,
        "corrupted_words_passed": corrupt_passed,
        "frames_per_s": frames / span,
        "slowest_chip_hz": min(SOAK_RATES),
        "frames_vs_slowest_percent": 100.0 * frames / span / min(SOAK_RATES),
        "power_downs": s["power_downs"],
        "discard_reasons": arr.stats["discard_reasons"],
    }


def _normal_priority() -> None:
    """Back to the ordinary scheduler: the soak runs in virtual time and, at real-time
    priority, would only take a shared core from everyone else for minutes."""
    import os

    if hasattr(os, "sched_setscheduler") and os.sched_getscheduler(0) != os.SCHED_OTHER:
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))


def run_soak(
    minutes: float, pin_op_us: float, jitter: str = "measured", jitter_seconds: float = 5.0
) -> list[dict[str, Any]]:
    if jitter == "none":
        _normal_priority()
        return [soak_once(True, minutes, pin_op_us), soak_once(False, minutes, pin_op_us)]
    measured = measure_jitter(jitter_seconds)
    _normal_priority()
    return [
        _jitter_summary(measured),
        soak_once(True, minutes, pin_op_us, measured),
        soak_once(False, minutes, pin_op_us, measured),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweep-seconds", type=float, default=5.0)
    ap.add_argument("--cpu-seconds", type=float, default=20.0)
    ap.add_argument("--soak-minutes", type=float, default=10.0)
    ap.add_argument("--pin-op-us", type=float, default=1.5)
    ap.add_argument("--soak-jitter", choices=("measured", "none"), default="measured")
    ap.add_argument("--jitter-seconds", type=float, default=5.0)
    ap.add_argument("--only", default="sweep,cpu,soak")
    ap.add_argument(
        "--lgpio-dir",
        default=None,
        help="where benchmarks/build_lgpio.sh built the real lgpio (default .lgpio-build)",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    parts = set(args.only.split(","))
    result: dict[str, Any] = {}
    if "sweep" in parts:
        result["sweep"] = run_sweep(
            args.sweep_seconds, Path(args.lgpio_dir) if args.lgpio_dir else None
        )
    if "cpu" in parts:
        result["cpu"] = run_cpu(args.cpu_seconds, Path(args.lgpio_dir) if args.lgpio_dir else None)
    if "soak" in parts:
        result["soak"] = run_soak(
            args.soak_minutes, args.pin_op_us, args.soak_jitter, args.jitter_seconds
        )
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for part, rows in result.items():
        print(f"== {part}")
        for row in rows:
            print(format_row(row))
    return 0


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"
    return str(v)


if __name__ == "__main__":
    raise SystemExit(main())
