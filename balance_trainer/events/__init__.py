"""Events in the load signal: stepping on and off, lift-off, touchdown, foot shifts, squats.

The detectors here are pure and streaming. They take :class:`~balance_trainer.balance.BalanceBlock`
values in time order, blocks of any size (one frame or a whole recording), and keep what they
need between blocks. Time comes only from the frames' timestamps, so a recording replayed in
virtual time gives the events the live run gave, and how the frames were cut into blocks makes
no difference to any event.

Definitions (every threshold is a field of :class:`EventSettings`):

body weight (BW)
    The median total load over ``baseline_s`` of standing on both feet (each foot carrying at
    least ``bipedal_min_share`` of the total), after ``baseline_settle_s`` of settling. It is
    fixed from then on, and measured again after the person steps off and on.
step-off / step-on
    The total load falls below ``step_off_fraction`` × BW (20 %) / rises above it again, and
    stays so for ``step_hold_s``; dated at the crossing. Before BW is known, "on the board"
    means a total of at least ``on_board_n``.
lift-off
    One foot's load falls below ``lift_fraction`` × BW (10 %) and stays below for at least
    ``lift_hold_s`` (0.5 s) while the other foot stays down; dated at the crossing (the first
    frame below). A touch shorter than ``brush_s`` during that half second does not restart it.
touchdown
    The lifted foot's load rises above ``lift_fraction`` × BW and stays above for at least
    ``brush_s`` (50 ms); dated at the crossing. A shorter touch is a **brush**: reported, but
    the foot counts as still lifted.
foot shift
    While on one foot: the stance foot's own ML centre of pressure (the net ML COP on boards
    that cannot resolve one foot), averaged over ``foot_shift_window_s``, differs by more than
    ``foot_shift_mm`` from the same average ``foot_shift_lag_s`` earlier, for at least
    ``foot_shift_hold_s``. Normal sway moves the average slowly; a foot sliding or pivoting to
    a new place moves it by tens of millimetres within a fraction of a second. Only windows
    that start ``foot_shift_settle_s`` or more after the lift-off count, so the weight shift
    onto the stance foot is not taken for a foot shift, and only while the lifted foot carries
    less than ``foot_shift_free_fraction`` of body weight (a foot being put down lightly
    shifts the load under the other one).
squat repetition
    One descent and return of the body's centre of mass, seen in the vertical force
    ``d = total / BW − 1`` smoothed over ``squat_smooth_s``: a dip below
    −``squat_force_fraction`` (the body accelerating down), a rise above
    +``squat_force_fraction`` (braking at the bottom and pushing up), and a second dip (slowing
    at the top). Start: the first frame after the force last sat within
    ±``squat_quiet_fraction`` of BW before the first dip. End: the force back within that band
    (or, when the next repetition follows without a pause, the lowest force of the shared dip,
    where the body turns at the top). Bottom: the lowest point of the centre of mass, from
    integrating the force twice over the repetition (Newton's second law; the repetition's own
    mean force is taken as BW, since it starts and ends at rest). A repetition counts when it
    lasts ``squat_min_s`` to ``squat_max_s`` and the centre of mass went down at least
    ``squat_min_depth_mm``. It belongs to the stance it was *done* in, from the feet's loads
    over the repetition (:func:`~balance_trainer.events.squat.rep_stance`): on one leg when
    the other foot stayed below ``lift_fraction`` × BW from its start to its end (brushes
    shorter than ``brush_s`` aside), on two when both stayed above; a repetition during
    which the lifted foot came down (or went up) is not reported. So a repetition completed
    just before the foot lands counts on that leg however soon the foot lands, and the count
    does not depend on how the stream was cut into blocks.

A state "lasts" *d* seconds when its first and last frames are *d* apart. Each event carries
two times: ``t_s``, when it happened (the crossing), and ``known_s``, the frame at which the
detector became sure of it (``t_s`` plus the hold the definition asks for).
"""

from __future__ import annotations

from .base import EPS_S, OTHER_SIDE, SIDES, Event, EventSettings
from .contact import BodyWeightEstimator, Debouncer, FootContact
from .detector import EventDetector, detect_events
from .squat import SquatDetector, com_bottom

__all__ = [
    "EPS_S",
    "com_bottom",
    "EventSettings",
    "Event",
    "EventDetector",
    "FootContact",
    "Debouncer",
    "BodyWeightEstimator",
    "SquatDetector",
    "detect_events",
    "OTHER_SIDE",
    "SIDES",
]
