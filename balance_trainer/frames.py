"""The raw frame every source yields: one timestamp and one integer count per cell."""

from __future__ import annotations

from typing import NamedTuple


class RawFrame(NamedTuple):
    """One reading of every cell at the same instant.

    t : float
        Monotonic time in seconds (virtual time for simulated and replayed sources).
    counts : tuple of int
        Signed ADC counts, one per cell, in the board file's cell order.
    """

    t: float
    counts: tuple[int, ...]


class PelvisSample(NamedTuple):
    """One reading of the pelvis sensor, on the same monotonic clock as :class:`RawFrame`.

    t : float
        Monotonic time in seconds.
    obliquity_deg : float
        Frontal-plane tilt of the pelvis in degrees, zeroed standing level on both feet;
        positive = the right side lower than the left. NaN when no trustworthy angle exists
        (clipped readings, the filter re-converging).
    rotation_deg : float
        Transverse-plane rotation in degrees from the zeroed heading; positive = counter-
        clockwise seen from above (the right side coming forward). NaN as above.
    """

    t: float
    obliquity_deg: float
    rotation_deg: float


def lifted_side_drop_deg(obliquity_deg: float, stance: str) -> float:
    """Pelvic drop of the lifted leg's side (degrees; positive = the lifted side dropping).

    Standing on the left leg the right leg is lifted, so a right-side-down obliquity is a drop
    of the lifted side (the Trendelenburg sign); standing on the right leg it is the reverse.
    """
    if stance == "left":
        return obliquity_deg
    if stance == "right":
        return -obliquity_deg
    raise ValueError(f"stance must be 'left' or 'right', not {stance!r}")
