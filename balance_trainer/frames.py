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
    """One reading of the pelvis's orientation, from a pelvis sensor beside the board.

    t_s : float
        Monotonic time in seconds, on the same clock as the board's :class:`RawFrame` values
        (virtual time for simulated and replayed sources): when the reading was taken.
    obliquity_deg : float
        Frontal-plane tilt, degrees, zeroed standing level on both feet. Positive = the
        person's LEFT side lower. Standing on the right leg (left foot lifted) that is the
        lifted side dropping, the Trendelenburg sign; standing on the left leg the lifted
        side dropping is a negative value (see :meth:`drop_deg`).
    rotation_deg : float
        Transverse-plane rotation, degrees, zeroed at the same moment. Positive = the pelvis
        turned to the person's left (counter-clockwise seen from above, the right side forward).
    """

    t_s: float
    obliquity_deg: float
    rotation_deg: float

    def drop_deg(self, lifted: str) -> float:
        """Pelvic drop toward the ``lifted`` side (``"left"``/``"right"``), degrees.

        Positive when the side of the lifted leg is lower, whichever leg is lifted.
        """
        return self.obliquity_deg if lifted == "left" else -self.obliquity_deg
