"""``balance-trainer doctor``: is the board healthy?

With nobody on the board, it reads for a few seconds and checks that every cell answers, the
sample rate (about 10/s means a RATE pin is low), each cell's noise in counts and grams, drift
over the hold, saturation, and how many sweeps the driver had to discard. It prints a table and
exits with status 1 when something is wrong (0 when all is well; ``--strict`` counts warnings).

``--board mock-hx711 --fault stuck-high:left_outer`` shows what a fault looks like without any
hardware. This module is a face (a command), so it may wire the core's calibration in.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from balance_trainer import STANDARD_GRAVITY
from balance_trainer.errors import SensorError, UsageError

HOLD_S = 3.0
RATE_OK_FRACTION = 0.9
"""Below this fraction of the board's rate the rate is a warning..."""
RATE_MIN_HZ = 50.0
"""...and below this (the ISPGR recommendation for posturography) a failure."""
RATE_PIN_LOW_HZ = (7.0, 13.0)
"""A rate in this band is what HX711 boards give with the RATE pin low (10 samples/s)."""
NOISE_WARN_G, NOISE_WARN_COUNTS = 20.0, 2000.0
DRIFT_WARN_G, DRIFT_WARN_COUNTS = 50.0, 5000.0
SATURATION_COUNTS = int(0.98 * (1 << 23))
DISCARD_WARN, DISCARD_FAIL = 0.01, 0.10
BENIGN = {"settling", "unconfirmed"}
TIMING = {"unverified", "landed"}
"""Sweeps a chip may have converted during (chips on their own clocks): their words are
counted lost, not passed; a few in a hundred is the price of a shared SCK."""
TIMING_WARN = 0.10

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass
class CellReport:
    """One cell's figures over the hold (counts, and grams when a calibration is known)."""

    name: str
    pin: str
    answers: bool
    mean_counts: float | None = None
    noise_counts: float | None = None
    noise_g: float | None = None
    drift_counts: float | None = None
    drift_g: float | None = None
    min_counts: int | None = None
    max_counts: int | None = None
    status: str = OK
    notes: list[str] = field(default_factory=list)


@dataclass
class Check:
    name: str
    value: str
    status: str = OK
    note: str = ""


@dataclass
class Report:
    source: str
    seconds: float
    frames: int
    calibration: str
    cells: list[CellReport]
    checks: list[Check]

    @property
    def worst(self) -> str:
        statuses = [c.status for c in self.checks] + [c.status for c in self.cells]
        return FAIL if FAIL in statuses else WARN if WARN in statuses else OK

    def exit_status(self, strict: bool = False) -> int:
        return 1 if self.worst == FAIL or (strict and self.worst == WARN) else 0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["result"] = self.worst
        return out


def _grams(counts: float, scale: float | None) -> float | None:
    return None if scale is None else abs(counts) * scale / STANDARD_GRAVITY * 1000.0


def diagnose(
    source: Any, *, seconds: float = HOLD_S, scales: Any = None, calibration: str = "none"
) -> Report:
    """Read ``source`` for ``seconds`` (by frame time) and judge what came in.

    Parameters
    ----------
    source : balance_trainer.frames.Source
    seconds : float
        Length of the hold, s.
    scales : array-like of float, optional
        N per count per cell, to give noise and drift in grams.
    calibration : str
        Where the scales came from, for the report.
    """
    board = source.board
    names = board.cell_names
    has_pins = getattr(source, "kind", "") in ("hx711", "mock-hx711")
    pins = [str(c.dout) if has_pins and c.dout is not None else "-" for c in board.cells]
    rows: list[tuple[float, tuple[int, ...]]] = []
    error: SensorError | None = None
    try:
        t0 = None
        for frame in source.frames():
            rows.append((frame.t, frame.counts))
            t0 = frame.t if t0 is None else t0
            if frame.t - t0 >= seconds:
                break
    except SensorError as exc:
        error = exc
    stats = source.stats() if hasattr(source, "stats") else {}
    t = np.array([r[0] for r in rows], dtype=float)
    c = np.array([r[1] for r in rows], dtype=float).reshape(len(rows), len(names))
    scale_arr = None if scales is None else np.asarray(scales, dtype=float)
    named = getattr(error, "cells", None)
    if named:
        failed = set(named)  # the others answered: their chips were read in the same sweeps
    else:
        failed = set(names) if (error is not None or not rows) else set()
    cells = []
    for i, name in enumerate(names):
        cr = CellReport(name, pins[i], answers=name not in failed)
        if not cr.answers:
            cr.status = FAIL
            cr.notes.append("no data" if error is None else "see below")
        if len(rows) >= 3:
            col = c[:, i]
            s = None if scale_arr is None else float(scale_arr[i])
            slope, icept = np.polyfit(t - t[0], col, 1)
            resid = col - (slope * (t - t[0]) + icept)
            cr.mean_counts = float(col.mean())
            cr.noise_counts = float(resid.std(ddof=2))
            cr.drift_counts = float(slope * (t[-1] - t[0]))
            cr.min_counts, cr.max_counts = int(col.min()), int(col.max())
            cr.noise_g, cr.drift_g = _grams(cr.noise_counts, s), _grams(cr.drift_counts, s)
            noisy = (
                (cr.noise_g > NOISE_WARN_G)
                if cr.noise_g is not None
                else cr.noise_counts > NOISE_WARN_COUNTS
            )
            drifty = (
                (cr.drift_g > DRIFT_WARN_G)
                if cr.drift_g is not None
                else abs(cr.drift_counts) > DRIFT_WARN_COUNTS
            )
            if noisy:
                cr.notes.append(
                    "noisy: check the cell's wires and solder joints, keep them "
                    "away from mains cables"
                )
            if drifty:
                cr.notes.append(
                    "drifting: let it warm up for 10 min; if it goes on, check the "
                    "cell is not touching the frame"
                )
            stuck = stuck_bits(col) if has_pins else []
            if stuck:
                cr.notes.append(
                    f"data bit{'s' if len(stuck) > 1 else ''} {', '.join(map(str, stuck))} "
                    f"never change{'' if len(stuck) > 1 else 's'} while higher bits do: a "
                    "stuck bit in the chip or on its DOUT line; replace the HX711 board"
                )
                cr.status = FAIL
            if max(abs(cr.min_counts), abs(cr.max_counts)) >= SATURATION_COUNTS:
                cr.notes.append("at full scale: overloaded, or a bridge wire is loose")
                cr.status = FAIL
            elif (noisy or drifty) and cr.status == OK:
                cr.status = WARN
        cells.append(cr)
    checks = [_answer_check(error, len(rows))]
    if len(rows) >= 3:
        checks.append(_rate_check(t, board.sample_rate_hz, stats.get("periods_s"), names))
    checks.extend(_stats_checks(stats, names))
    return Report(source.description, float(seconds), len(rows), calibration, cells, checks)


STUCK_MIN_FRAMES = 64
STUCK_TOGGLE_FRACTION = 0.05
"""A bit is stuck when it never changes between consecutive readings while a higher bit
changes in at least this fraction of them: a count cannot cross a multiple of 2^(k+1)
without every bit at or below k changing, so noise that moves bit j > k moves bit k too."""


def stuck_bits(counts: np.ndarray) -> list[int]:
    """Data bits (0 = LSB) of 24-bit HX711 words that are stuck while higher ones move.

    Parameters
    ----------
    counts : ndarray, shape (n,)
        Consecutive signed readings of one chip.
    """
    if counts.size < STUCK_MIN_FRAMES:
        return []
    words = np.asarray(counts, dtype=np.int64) & 0xFFFFFF
    flips = words[1:] ^ words[:-1]
    rate = np.array([np.mean((flips >> k) & 1) for k in range(24)])
    return [k for k in range(23) if rate[k] == 0 and rate[k + 1 :].max() >= STUCK_TOGGLE_FRACTION]


PRESS_MIN_N = 30.0
"""A press must add at least this much (N, about 3 kg) to one corner to count."""


def corner_check(
    source: Any,
    *,
    say: Any = print,
    seconds_each: float = 4.0,
    scales: Any = None,
) -> tuple[Check, dict[str, str | None]]:
    """Guided "press each corner": asks for a press on each cell in turn and notes which
    cell's reading rises. Settles which sensor is which on a Wii Balance Board (the kernel's
    comment and builders disagree on HAT0Y/HAT1Y), or which wire is which on a built board.

    Parameters
    ----------
    say : callable(str)
        Tells the person what to do (the terminal; a fake press in tests).
    seconds_each : float
        How long each press is read (s).
    scales : array-like, optional
        N per count per cell; by default the source's built-in calibration.

    Returns
    -------
    (Check, {cell name: name of the cell that responded, or None})
    """
    board = source.board
    names = board.cell_names
    scale = np.abs(
        np.asarray(scales if scales is not None else source.builtin_calibration()[1], float)
    )
    frames = iter(source.frames())

    def collect(seconds: float) -> np.ndarray:
        rows, t0 = [], None
        for f in frames:
            rows.append(f.counts)
            t0 = f.t if t0 is None else t0
            if f.t - t0 >= seconds:
                break
        return np.asarray(rows, dtype=float).reshape(len(rows), len(names))

    say("corner check: step off the board; keep it empty...")
    base = np.median(collect(1.0), axis=0)
    found: dict[str, str | None] = {}
    for cell in board.cells:
        corner = f"{'front' if cell.y_mm > 0 else 'back'} {'left' if cell.x_mm < 0 else 'right'}"
        say(f"press down hard with one hand on the {corner} corner ({cell.name}) and hold...")
        rise = (collect(seconds_each) - base).max(axis=0, initial=0.0) * scale
        j = int(np.argmax(rise))
        found[cell.name] = names[j] if rise[j] >= PRESS_MIN_N else None
        say("let go")
        collect(1.0)
    missing = [n for n, got in found.items() if got is None]
    wrong = {n: got for n, got in found.items() if got is not None and got != n}
    mapping = ", ".join(f"{n} -> {got or 'nothing'}" for n, got in found.items())
    if not missing and not wrong:
        return Check("corners", "each where the board file says", OK), found
    notes = []
    codes = getattr(source, "codes", None)
    if wrong and codes is not None:
        from .wiiboard import AXIS_NAMES

        fixes = [
            f'cell {n}: dout = "{AXIS_NAMES.get(codes[names.index(got)], "?")}"'
            for n, got in wrong.items()
        ]
        notes.append(
            "the sensors are not where the board file puts them; in a copy of the board file "
            "write " + "; ".join(fixes)
        )
    elif wrong:
        notes.append("swap these cells' DOUT pins (or their entries) in the board file")
    if missing:
        notes.append(f"no press seen on {', '.join(missing)}: press harder, or check its cell")
    return Check("corners", mapping, FAIL, "; ".join(notes)), found


def _answer_check(error: SensorError | None, n: int) -> Check:
    if error is not None:
        return Check("cells answer", "no", FAIL, str(error))
    if n < 3:
        return Check("cells answer", "no", FAIL, f"only {n} frames came in")
    return Check("cells answer", "all", OK)


def _rate_check(
    t: np.ndarray, expected: float, periods: Any = None, names: Sequence[str] = ()
) -> Check:
    """The frame rate against the board file's, or against the slowest chip's own rate once
    the driver has learnt every chip's clock (HX711s run at 86-94/s with RATE high, not 80):
    a shared-SCK sweep can deliver at most the slowest chip's rate."""
    rate = (len(t) - 1) / max(t[-1] - t[0], 1e-9)
    value = f"{rate:.1f}/s (expected {expected:g})"
    note = ""
    if periods and all(p for p in periods):
        slowest = 1.0 / max(periods)
        value = f"{rate:.1f}/s (slowest chip converts at {slowest:.1f}/s)"
        expected = slowest
        low = [
            i for i, p in enumerate(periods) if RATE_PIN_LOW_HZ[0] <= 1.0 / p <= RATE_PIN_LOW_HZ[1]
        ]
        if low:
            note = (
                f"{_cells(names, low)} about 10 times a second: "
                f"{'its RATE pin is' if len(low) == 1 else 'their RATE pins are'} low; "
                "tie RATE to VCC (80/s), see hardware/README.md"
            )
    if not note and RATE_PIN_LOW_HZ[0] <= rate <= RATE_PIN_LOW_HZ[1]:
        note = (
            "about 10 samples/s: an HX711's RATE pin is low; tie RATE to VCC (80/s), see "
            "hardware/README.md"
        )
    if rate < RATE_MIN_HZ:
        return Check("sample rate", value, FAIL, note or "too slow for posturography (< 50/s)")
    if rate < RATE_OK_FRACTION * expected:
        return Check(
            "sample rate",
            value,
            WARN,
            note
            or "slower than the chips convert: the reader is missing conversions (see "
            "discarded sweeps)",
        )
    return Check("sample rate", value, OK)


def _stats_checks(stats: dict[str, Any], names: list[str]) -> list[Check]:
    out = []
    reasons: dict[str, int] = stats.get("discard_reasons") or {}
    sweeps = int(stats.get("sweeps") or 0)
    per_chip: list[dict[str, int]] = stats.get("chip_discards") or []
    sat = [names[i] for i, d in enumerate(per_chip) if i < len(names) and d.get("saturated")]
    if "discard_reasons" in stats:
        if sat:
            out.append(
                Check(
                    "saturation",
                    ", ".join(sat),
                    FAIL,
                    "full-scale words from these cells: overload or a loose bridge wire",
                )
            )
        else:
            out.append(Check("saturation", "none", OK))
    if sweeps:
        bad = sum(v for k, v in reasons.items() if k not in BENIGN | TIMING)
        benign = sum(v for k, v in reasons.items() if k in BENIGN)
        timing = sum(v for k, v in reasons.items() if k in TIMING)
        frac = bad / sweeps
        status = FAIL if frac > DISCARD_FAIL else WARN if frac > DISCARD_WARN else OK
        if status == OK and timing / sweeps > TIMING_WARN:
            status = WARN
        detail = ", ".join(
            f"{k.replace('_', ' ')} {v}"
            for k, v in sorted(reasons.items())
            if k not in BENIGN | TIMING
        )
        if timing:
            detail = (detail + "; " if detail else "") + (
                f"{timing} a chip may have converted during (its word lost, not guessed)"
            )
        note = detail
        if reasons.get("clock_stretch") and status != OK:
            note += (
                "; SCK was held high past 50 µs: the system is busy or the reader lacks "
                f"real-time priority (reader: {stats.get('priority', 'unknown')})"
            )
        if benign:
            note = (note + "; " if note else "") + f"{benign} at start-up (settling)"
        # Every discard is counted in the value; the status weighs faults, timing losses
        # and start-up settling each by their own threshold.
        total = bad + timing + benign
        out.append(
            Check(
                "discarded sweeps",
                f"{total} of {sweeps} ({100 * total / sweeps:.1f} %)",
                status,
                note,
            )
        )
    if stats.get("sweeps") and "max_high_ns" in stats:
        high_us = float(stats["max_high_ns"]) / 1000.0
        sweep_us = float(stats.get("sweep_ns_total", 0)) / 1000.0 / int(stats["sweeps"])
        # The reset pulse (100 µs on purpose) is not a sweep: only sweeps set max_high_ns.
        out.append(
            Check(
                "SCK high phase",
                f"longest {high_us:.1f} µs (limit 50), sweep {sweep_us:.0f} µs on average",
                WARN if high_us > 50.0 else OK,
                _stretch_note(str(stats.get("priority", "")))
                if high_us > 50.0
                else f"pins through {stats.get('backend', '?')}",
            )
        )
    if "restarts" in stats:
        r = int(stats["restarts"])
        out.append(
            Check(
                "chip restarts",
                str(r),
                WARN if r else OK,
                "the reader power-cycled the chips after faults" if r else "",
            )
        )
    if stats.get("wall_since_ready_s"):
        share = 100.0 * stats["cpu_since_ready_s"] / stats["wall_since_ready_s"]
        fake = " (with the fake chips' own work)" if "fake" in stats else ""
        out.append(
            Check(
                "reader CPU",
                f"{share:.1f} % of one core{fake}",
                OK,
                "the HX711 reader process since it started reading, start-up learning included",
            )
        )
    clocks = _clocks_check(stats.get("periods_s"), names)
    if clocks is not None:
        out.append(clocks)
    if "zero_corner_frames" in stats:
        z = int(stats["zero_corner_frames"])
        out.append(
            Check(
                "corners at zero",
                str(z),
                OK,
                "hid-wiimote clamps below-zero corners to 0" if z else "",
            )
        )
    return out


def _name(names: Sequence[str], i: int) -> str:
    return names[i] if i < len(names) else f"chip {i}"


def _cells(names: Sequence[str], chips: Sequence[int]) -> str:
    """``"left_inner converts"`` or ``"left_inner, right_inner convert"``."""
    return f"{', '.join(_name(names, i) for i in chips)} convert{'s' if len(chips) == 1 else ''}"


def _stretch_note(priority: str) -> str:
    if "real-time priority (SCHED_FIFO" in priority:
        return (
            "some sweeps held SCK high past the datasheet's 50 µs although the reader runs at "
            "real-time priority: something preempts it (a virtual machine, interrupts on its "
            "core); those sweeps are discarded, never passed on"
        )
    return (
        "some sweeps held SCK high past the datasheet's 50 µs: give the reader real-time "
        "priority (LimitRTPRIO=10)"
    )


SHARED_CLOCK_SPREAD = 0.001
"""Chips whose learnt rates agree within this fraction run on one clock: independent internal
oscillators differ by percent (measured 86-94/s), not by a tenth of one."""


def _clocks_check(periods: Any, names: Sequence[str] = ()) -> Check | None:
    """Each chip's learnt conversion rate, and whether they share one clock (every XI fed from
    one oscillator, see hardware/README.md) or run on their own; a chip left out of a shared
    clock (its XI still grounded) is named."""
    if not periods or len(periods) < 2 or not all(periods):
        return None
    each = [1.0 / float(p) for p in periods]
    rates = sorted(each)
    spread = rates[-1] / rates[0] - 1.0
    if spread <= SHARED_CLOCK_SPREAD:
        return Check("chip clocks", f"shared: {rates[0]:.1f}/s", OK, "every chip converts together")
    # The largest group agreeing within the spread: a shared clock with some chips left out.
    group = max(
        ([r for r in each if abs(r / ref - 1.0) <= SHARED_CLOCK_SPREAD] for ref in each), key=len
    )
    if len(group) >= 2 and len(group) > len(each) / 2:
        odd = [i for i, r in enumerate(each) if abs(r / group[0] - 1.0) > SHARED_CLOCK_SPREAD]
        return Check(
            "chip clocks",
            f"shared: {group[0]:.1f}/s, except {', '.join(_name(names, i) for i in odd)}",
            WARN,
            f"{_cells(names, odd)} on "
            f"{'its' if len(odd) == 1 else 'their'} own oscillator while the others share "
            "one clock: XI still grounded, or its clock wire or 20 pF capacitor is loose "
            "(see hardware/README.md)",
        )
    return Check(
        "chip clocks",
        f"own: {rates[0]:.1f}-{rates[-1]:.1f}/s",
        OK,
        "each chip on its own oscillator: frames come at most at the slowest chip's rate, "
        "and a word that may have met a conversion is lost, not guessed",
    )


def _fmt(v: float | None, digits: int = 1) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def format_report(report: Report) -> str:
    """The report as the table the command prints."""
    lines = [
        f"balance-trainer doctor: {report.source}",
        f"hold {report.seconds:g} s, {report.frames} frames; calibration: {report.calibration}",
        "",
    ]
    head = (
        "cell",
        "pin",
        "answers",
        "mean counts",
        "noise counts",
        "noise g",
        "drift counts",
        "drift g",
        "status",
    )
    rows = [head]
    for c in report.cells:
        rows.append(
            (
                c.name,
                c.pin,
                "yes" if c.answers else "NO",
                _fmt(c.mean_counts),
                _fmt(c.noise_counts),
                _fmt(c.noise_g, 2),
                _fmt(c.drift_counts),
                _fmt(c.drift_g, 2),
                c.status,
            )
        )
    widths = [max(len(r[k]) for r in rows) for k in range(len(head))]
    for r in rows:
        lines.append(
            "  ".join(
                s.ljust(w) if k < 3 or k == 8 else s.rjust(w)
                for k, (s, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    for c in report.cells:
        for note in c.notes:
            if note != "see below":
                lines.append(f"  {c.name}: {note}")
    lines.append("")
    crow = [("check", "value", "status", "note")]
    crow += [(k.name, k.value, k.status, k.note) for k in report.checks]
    cw = [max(len(r[k]) for r in crow) for k in range(3)]
    for r in crow:
        lines.append(
            "  ".join([r[0].ljust(cw[0]), r[1].ljust(cw[1]), r[2].ljust(cw[2]), r[3]]).rstrip()
        )
    lines.append("")
    lines.append(
        {
            OK: "result: OK",
            WARN: "result: warnings (see above)",
            FAIL: "result: PROBLEMS FOUND (see above)",
        }[report.worst]
    )
    return "\n".join(lines)


# --- the command ------------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction, common: Any) -> None:
    """Add ``doctor`` to the command line (entry point ``balance_trainer.commands``)."""
    p = sub.add_parser(
        "doctor",
        parents=[common.board, common.data],
        help="check the board: every cell answers, sample rate, noise, drift, saturation",
        description="Reads the empty board for a few seconds and checks that every cell "
        "answers, the sample rate (about 10/s means a RATE pin is low), noise "
        "and drift per cell in counts and grams, saturation and discarded sweeps. "
        "Exit status 1 when something is wrong. Step off the board first.",
    )
    p.add_argument(
        "--seconds",
        type=float,
        default=HOLD_S,
        metavar="S",
        help=f"how long to hold still and read (default {HOLD_S:g} s)",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:CELL][=VALUE]",
        help="with --board mock-hx711: give a fake chip a fault, e.g. "
        "stuck-high:left_outer, saturate:right_inner, rate-low, spike:left_inner, "
        "noisy:right_outer, drift:left_inner, late:left_outer=0.005, garbage, "
        "stuck-bit:left_inner=4 "
        "(repeatable)",
    )
    p.add_argument(
        "--fast",
        action="store_true",
        help="fake or simulated boards in virtual time (finishes at once)",
    )
    p.add_argument(
        "--corners",
        action="store_true",
        help="guided check: press each corner in turn, to settle which sensor is which "
        "(for a Wii Balance Board: --board wii --corners)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the board, diagnose it, print the table; 1 when something is wrong."""
    from balance_trainer.config import board_spec_origin
    from balance_trainer.errors import BalanceTrainerError
    from balance_trainer.wiring import find_calibration, open_source

    if not (0 < args.seconds <= 600):  # NaN and inf fail too
        raise UsageError(f"--seconds {args.seconds!r}: give a hold time > 0 and <= 600 s")
    spec = getattr(args, "board", None)
    spec_origin = None
    if not spec:
        spec, spec_origin = board_spec_origin()
    options: dict[str, Any] = {}
    if spec.split(":")[0] == "mock-hx711":
        options = {"load": "empty", "faults": list(args.fault)}
    elif args.fault:
        raise UsageError(f"--fault works only with --board mock-hx711 (not {spec!r})")
    try:
        source = open_source(spec, seed=getattr(args, "seed", 0), realtime=not args.fast, **options)
    except BalanceTrainerError as exc:
        # A board nobody typed must say where it was set (issue 17), as open_board does.
        if spec_origin is None or exc.exit_status != 2:
            raise
        raise type(exc)(f"{spec_origin} = {spec!r}: {exc}") from exc
    if not args.json:
        print("doctor: keep the board empty and still while it reads...", file=sys.stderr)
    try:
        cal, origin = find_calibration(source, getattr(args, "data_dir", None), required=False)
        scales = cal.scale_ if cal.is_fitted else None
        if scales is None:
            origin = "none (grams need: balance-trainer calibrate)"
        report = diagnose(source, seconds=args.seconds, scales=scales, calibration=origin)
        if getattr(args, "corners", False):
            check, _ = corner_check(
                source, say=lambda text: print(text, file=sys.stderr), scales=scales
            )
            report.checks.append(check)
    finally:
        source.close()
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(format_report(report))
    return report.exit_status(args.strict)
