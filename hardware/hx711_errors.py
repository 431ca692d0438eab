"""The errors an :class:`~hardware.hx711.HX711Array` raises when it cannot read, worded for the
person at the board: which chip, what it looks like, and what to check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from balance_trainer.errors import SensorFault, SensorTimeout

if TYPE_CHECKING:
    from .hx711 import HX711Array

RATE_LOW_WAIT_S = 20e-3
"""A chip seen still converting this long after a sweep read it is slower than 50/s: its
RATE pin is low (s)."""


def timeout_error(arr: HX711Array, waiting: list[int]) -> SensorTimeout:
    where = ", ".join(arr._where(i) for i in waiting)
    exc = SensorTimeout(
        f"{where}: no data ready within {arr.timeout:g} s (DOUT stayed high); check the "
        "chip's wiring (DOUT, SCK, VCC, GND) and that it has power: an unplugged or "
        "unpowered HX711 looks like this"
    )
    exc.chips = list(waiting)  # type: ignore[attr-defined]
    return exc


def gave_up_error(arr: HX711Array) -> SensorFault:
    recent = {r: c for r, c in arr.discards.items() if c}
    if recent.get("clock_stretch") and not any(
        recent.get(r) for r in ("saturated", "all_ones", "spike", "stuck_low")
    ):
        exc = SensorFault(
            f"every HX711 sweep for {arr.timeout:g} s held SCK high past 50 µs (longest "
            f"{arr._stats['max_high_ns'] / 1000:.0f} µs): the system is too busy for "
            "bit-banging; let the reader run at a higher priority (see hardware/README.md)"
        )
        exc.chips = []  # type: ignore[attr-defined]
        return exc
    slow = slow_chips(arr)
    if slow and arr._last_reason == "unverified":
        exc = SensorFault(
            "; ".join(
                f"{arr._where(i)} {_slow_rate(arr, i)}, "
                "the others many times as often: its RATE pin is low (tie RATE to "
                "VCC, see hardware/README.md)"
                for i in slow
            )
            + "; while it is, no word of the faster chips can be shown clear of their "
            "own next conversion, so none is passed on"
        )
        exc.chips = slow  # type: ignore[attr-defined]
        return exc
    per_chip = []
    chips = []
    for i, c in enumerate(arr.chip_discards):
        if c:
            chips.append(i)
            reasons = ", ".join(f"{k.replace('_', ' ')} x{v}" for k, v in c.most_common())
            per_chip.append(f"{arr._where(i)}: {reasons}")
    hint = ""
    if recent.get("saturated"):
        hint = (
            "; a saturated chip reads full scale: its load cell is overloaded, or a wire "
            "(E+, E-, A+, A-) is loose or swapped"
        )
    exc = SensorFault(
        f"no usable HX711 reading for {arr.timeout:g} s; discarded sweeps: "
        f"{'; '.join(per_chip) or dict(recent)}{hint}"
    )
    exc.chips = chips  # type: ignore[attr-defined]
    return exc


def slow_chips(arr: HX711Array) -> list[int]:
    """Chips converting at a fraction of the others' rate (a RATE pin low among high).

    Either from the learnt periods, or, when the slow chip was slow from the start (the
    fast chips, read only at its pace, then show no period of their own), from a sure
    bound: a chip seen still converting ``w`` s after a sweep read it has a period of at
    least ``w``, and past 20 ms no chip with RATE high can be (80/s nominal, 86-94
    measured)."""
    periods = [c.period for c in arr.chips]
    if all(p is not None for p in periods):
        fastest = min(p for p in periods if p is not None)
        slow = [i for i, p in enumerate(periods) if p is not None and p > 3.0 * fastest]
        if slow:
            return slow
    slow = [i for i, w in enumerate(arr._waited) if w > RATE_LOW_WAIT_S]
    return slow if len(slow) < arr.n_chips else []


def _slow_rate(arr: HX711Array, i: int) -> str:
    """How fast a slow chip converts: its learnt period, unless that is older than what was
    just seen (a chip that dropped to RATE low: it was seen converting for longer after a read
    than that period allows), then the bound that sighting gives."""
    period, waited = arr.chips[i].period, arr._waited[i]
    if period is not None and period >= waited:
        return f"converts at {1.0 / period:.0f}/s"
    return f"converts at most {1.0 / waited:.0f} times a second"
