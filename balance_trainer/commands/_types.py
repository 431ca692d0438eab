"""Argument types for numbers on the command line: refused at parse time, in one line.

``float("inf")``, ``float("nan")`` and ``1e308`` are all floats to argparse; as a duration or
a mass they are garbage (``--seconds inf`` once ran forever). Each type here names the range it
accepts, so the parser's one-line error says what to type instead.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

MAX_SECONDS = 24 * 3600.0
"""The longest run a command accepts, s: a day. Longer is a typo, and would never end."""
MAX_SEED = 2**32 - 1


def bounded_float(
    lo: float, hi: float, unit: str, *, lo_open: bool = True
) -> Callable[[str], float]:
    """An argparse type: a finite number in (lo, hi] (or [lo, hi] with ``lo_open=False``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        low_ok = value > lo if lo_open else value >= lo
        if not (low_ok and value <= hi):  # NaN fails both
            bound = ">" if lo_open else ">="
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a number of {unit} {bound} {lo:g} and <= {hi:g}"
            )
        return value

    parse.__name__ = unit  # argparse names the type in some messages
    return parse


seconds = bounded_float(0.0, MAX_SECONDS, "seconds")
"""A duration in s: > 0, at most a day."""


def seed(text: str) -> int:
    """A simulator seed: a whole number from 0 to 2**32 - 1."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 0 to {MAX_SEED}")
    return value
