"""Scripted faults of the fake HX711 chips: :class:`ChipFaults` and the ``--fault`` specs.

Split out of :mod:`.fake_hx711`, which re-exports every name here; this module knows nothing
of the fake chips themselves, only what misbehaviour they are told to show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from balance_trainer.errors import UsageError

__all__ = ["ChipFaults", "FAULT_KINDS", "parse_fault"]


@dataclass(frozen=True)
class ChipFaults:
    """Scripted misbehaviour of one fake chip.

    stuck : 'high', 'low' or None
        DOUT held at that level whatever happens (an unpowered chip, a short to GND).
    saturate : 'high', 'low' or None
        Every word is full scale (0x7FFFFF / 0x800000): an overloaded or open bridge.
    spike_every : int
        Every n-th conversion has bit 22 flipped (a jump of 4 194 304 counts); 0 for never.
    garbage : bool
        Every word is random, including all ones.
    late_s : float
        Each conversion is ready this many seconds late (relative to the other chips).
    rate : float or None
        Conversions per second, overriding the bank's (10 = RATE pin low).
    noise_factor, drift_counts_per_s : float
        Multiply the noise; add a ramp (counts/s).
    stuck_bit : int or None
        This data bit (0 = LSB) always reads 1: a cracked solder joint inside the chip's
        output stage, or a DOUT trace bridged for that bit's time.
    """

    stuck: str | None = None
    saturate: str | None = None
    spike_every: int = 0
    garbage: bool = False
    late_s: float = 0.0
    rate: float | None = None
    noise_factor: float = 1.0
    drift_counts_per_s: float = 0.0
    stuck_bit: int | None = None


FAULT_KINDS = {
    "stuck-high": ("DOUT stuck high (no data ever)", lambda f, v: replace(f, stuck="high")),
    "stuck-low": ("DOUT stuck low (reads all zeros)", lambda f, v: replace(f, stuck="low")),
    "saturate": (
        "words at full scale (=high or =low)",
        lambda f, v: replace(f, saturate=v or "high"),
    ),
    "spike": (
        "a flipped high bit every N conversions (=N, default 20)",
        lambda f, v: replace(f, spike_every=int(v or 20)),
    ),
    "garbage": ("random words", lambda f, v: replace(f, garbage=True)),
    "late": (
        "data ready late by S seconds (=S, default 0.005)",
        lambda f, v: replace(f, late_s=float(v or 0.005)),
    ),
    "rate-low": ("RATE pin low: 10 conversions/s", lambda f, v: replace(f, rate=10.0)),
    "noisy": (
        "noise times F (=F, default 50)",
        lambda f, v: replace(f, noise_factor=float(v or 50)),
    ),
    "drift": (
        "a ramp of C counts/s (=C, default 2000)",
        lambda f, v: replace(f, drift_counts_per_s=float(v or 2000)),
    ),
    "stuck-bit": (
        "data bit N always reads 1 (=N, 0-23, default 4)",
        lambda f, v: replace(f, stuck_bit=_bit(v)),
    ),
}


_FAULT_RANGES = {
    "spike": (1, 1e6),
    "late": (0.0, 1.0),
    "noisy": (0.0, 1e4),
    "drift": (-1e7, 1e7),
}
"""Values a fault can take; outside them the fake chip's arithmetic overflows (NaN, 1e308)."""


def _bit(v: str) -> int:
    b = int(v or 4)
    if not 0 <= b <= 23:
        raise ValueError(v)
    return b


def parse_fault(
    spec: str, cell_names: Sequence[str], faults: dict[int, ChipFaults] | None = None
) -> dict[int, ChipFaults]:
    """Apply one fault spec ``KIND[:CELL][=VALUE]`` (e.g. ``stuck-high:left_outer``).

    CELL is a cell name, a cell index, or ``*``/omitted for every cell.

    Raises
    ------
    UsageError
        Unknown kind or cell, or a value that is not a number where one is needed.
    """
    out = dict(faults or {})
    head, _, value = spec.partition("=")
    kind, _, cell = head.partition(":")
    kind, cell, value = kind.strip(), cell.strip(), value.strip()
    if kind not in FAULT_KINDS:
        kinds = ", ".join(FAULT_KINDS)
        raise UsageError(f"--fault {spec!r}: unknown fault {kind!r}; use one of {kinds}")
    names = list(cell_names)
    if cell in ("", "*"):
        targets = list(range(len(names)))
    elif cell in names:
        targets = [names.index(cell)]
    elif cell.isdigit() and int(cell) < len(names):
        targets = [int(cell)]
    else:
        raise UsageError(
            f"--fault {spec!r}: no cell {cell!r} on this board; use one of {', '.join(names)}"
        )
    if kind == "saturate" and value not in ("", "high", "low"):
        raise UsageError(f"--fault {spec!r}: saturate takes =high or =low")
    if value and kind in _FAULT_RANGES:
        lo, hi = _FAULT_RANGES[kind]
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not (lo <= number <= hi):  # NaN fails too
            what = "is not a number" if math.isnan(number) else "is out of range"
            raise UsageError(
                f"--fault {spec!r}: {value!r} {what}; {kind} takes a number from {lo:g} to {hi:g}"
            )
    for i in targets:
        try:
            out[i] = FAULT_KINDS[kind][1](out.get(i, ChipFaults()), value)
        except ValueError as exc:
            raise UsageError(f"--fault {spec!r}: {value!r} is not a number") from exc
    return out
