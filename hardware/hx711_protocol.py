"""HX711 protocol facts the driver relies on: pulse counts, SCK timing limits, word decoding.

Everything here is from the Avia Semiconductor HX711 datasheet ("Serial Interface", Fig. 2 and
its T1-T4 table), plus the record of one sweep (:class:`Sweep`) and the names of the reasons a
sweep can be thrown away. :mod:`hardware.hx711` re-exports every name, so code written against
``hardware.hx711`` keeps working.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

BITS = 24
PULSES_PER_SWEEP = 25
"""24 data bits plus one pulse selecting channel A, gain 128 for the next conversion."""

# Two SCK-high limits, 10 µs apart, that mean different things (datasheet T3 and "power-down").
HIGH_LIMIT_NS = 50_000
"""Longest SCK high phase (ns) the driver trusts a word through: the datasheet's T3 maximum
(50 µs). A sweep with a longer high phase is discarded."""
POWER_DOWN_NS = 60_000
"""SCK held high longer than this (ns) powers the chips down (datasheet: "more than 60 µs"),
and taking it low again resets them. Between :data:`HIGH_LIMIT_NS` and this nothing is promised
but no power-down can have happened."""
RESET_HOLD_S = 100e-6
"""How long :meth:`HX711Array.reset` holds SCK high: comfortably past the 60 µs power-down."""
SETTLE_SWEEPS = 4
"""Sweeps dropped after a reset or power-down: the datasheet's settling time is 4 conversions
(50 ms at 80 SPS, 400 ms at 10 SPS), so counting sweeps works whatever the RATE pin says."""
WORD_POS_FULL = 0x7FFFFF
WORD_NEG_FULL = 0x800000
WORD_ALL_ONES = 0xFFFFFF

DISCARD_REASONS = (
    "clock_stretch",
    "landed",
    "unverified",
    "settling",
    "unconfirmed",
    "saturated",
    "all_ones",
    "stuck_low",
    "spike",
)
BENIGN_REASONS = frozenset({"settling", "unconfirmed"})
"""Discards that are part of normal start-up, not signs of a fault."""


def to_signed(word: int) -> int:
    """The 24-bit two's complement ``word`` as a Python int in [-2**23, 2**23 - 1]."""
    return word - (1 << BITS) if word & 0x800000 else word


def word_problem(word: int) -> str | None:
    """Why a raw 24-bit word cannot be a reading (``"saturated"``, ``"all_ones"``), or None.

    ``0x7FFFFF`` and ``0x800000`` are what the chip outputs when its input is out of range;
    ``0xFFFFFF`` is what a DOUT line that never went low during the sweep reads as.
    """
    if word in (WORD_POS_FULL, WORD_NEG_FULL):
        return "saturated"
    if word == WORD_ALL_ONES:
        return "all_ones"
    return None


@dataclass(slots=True)
class Sweep:
    """One sweep as clocked: the words, the longest high phase (ns), the DOUT levels right
    after the 25th pulse (bit i = chip i), its start and end (s), and each chip's look bounds
    (``high_at``, ``low_at``: see :func:`hardware.hx711_timing.verify`) from before it.

    Not frozen: one is made per sweep in the reader, and a frozen dataclass's ``__init__``
    costs about five times as much (1 µs); nothing changes a sweep once made."""

    words: list[int]
    longest_ns: int
    after: int
    start: float
    end: float
    high_at: list[float]
    low_at: list[float]


@functools.lru_cache(maxsize=8)
def _spread_tables(n: int) -> tuple[tuple[int, ...], ...]:
    """For each byte of an ``n``-chip sample (chips 8b..8b+7): every byte value with bit i
    moved to bit ``BITS * (8b + i)``, so one OR places each chip's bit in its own word."""
    tables = []
    for b in range((n + 7) // 8):
        chips = [c for c in range(8 * b, min(8 * b + 8, n))]
        tables.append(
            tuple(sum(1 << (BITS * c) for c in chips if v >> (c - 8 * b) & 1) for v in range(256))
        )
    return tuple(tables)


def words_of(samples: Sequence[int], n: int) -> list[int]:
    """Each chip's word from the DOUT samples of one sweep, MSB first.

    ``samples[k]`` is the group read after the k-th falling edge, bit i = chip i's DOUT.
    All chips' words are built at once in one integer, chip i's in bits ``24 i .. 24 i + 23``
    (a bit-slice transpose by table), instead of ``n`` times 24 bit operations.
    """
    tables = _spread_tables(n)
    acc = 0
    if len(tables) == 1:
        (t,) = tables
        for v in samples:
            acc = (acc << 1) | t[v & 0xFF]
    else:
        for v in samples:
            x = 0
            for b, t in enumerate(tables):
                x |= t[v >> (8 * b) & 0xFF]
            acc = (acc << 1) | x
    return [acc >> (BITS * i) & WORD_ALL_ONES for i in range(n)]
