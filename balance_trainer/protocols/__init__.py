"""Clinical tests that run themselves: the protocol engine, live and offline alike.

A protocol is fed the board's balance stream block by block and decides everything from the
frames' timestamps (never a wall clock), so a recording replayed in virtual time gives the
result the live run gave, to the sample::

    proto = make_protocol("single-leg-stance", side="left", eyes="open", trials=3)
    for block in stream:
        for event in proto.feed(block):   # ProtocolEvent(kind, t_s, data)
            ...                           # "prompt", "countdown", "trial_started", ...
        if proto.done:
            break
    proto.finish()
    proto.result()                        # JSON-ready dict
    proto.summary_lines()                 # a readable table

Tests (the registry :data:`PROTOCOLS`):

``single-leg-stance``
    Unipedal stance test. Per side (the *stance* side: the leg stood on), eyes open or closed,
    ``trials`` trials (3 by default), up to ``max_time_s`` (45 s by default; 30/45/60 on the
    command line). A trial starts at lift-off and ends at any touch of the lifted foot (the
    strict rule), touchdown, step-off, a foot shift of the stance foot, or the maximum time,
    whichever comes first (``stop_reason``). Result per
    trial: hold time and the sway measures under the stance foot; per side the best and mean
    hold; left/right asymmetry; the published norm for the person's age where one exists.
``single-leg-squat``
    ``trials`` repetitions (5 by default) per side while standing on one leg. Per repetition:
    start, bottom and end, and the ML COP range and path under the stance foot during descent
    and ascent, its duration, and that range as a share of the stance side's cell span
    (``ml_range_pct_span``).
``hip-stability``
    A 30 s single-leg hold per side, with the ML drift of the COP under the stance foot toward
    the lifted side and the ML sway. A drift of the load is not a measured hip drop (see
    :data:`~balance_trainer.protocols.text.SCALE_LIMITS`); the pelvis sensor measures that.
``mctsib``
    Modified Clinical Test of Sensory Interaction in Balance as the BTrackS defines it: on both
    feet, eyes open and closed, on the firm board and on a foam pad, one 20 s trial each,
    scored as total COP path length (cm) with BTrackS percentiles where a table is available;
    on a board without AP sensing, the ML-only variant (no published norms).
``btracks-balance``
    The BTrackS Balance Test: four 20 s trials eyes closed, the first practice; the score is
    the mean total path length of trials 2-4 (cm), with its percentile by age and sex. Boards
    with AP sensing only (:func:`check_board_for`).
``weight-bearing-symmetry``
    10 s on both feet: the share of the weight on each foot.

Definitions the tests add to those of :mod:`balance_trainer.events` are in the modules that
compute them: false starts, the strict touch rule, the steady-state window and ML drift in
:mod:`~balance_trainer.protocols.single_leg`; the BTrackS scoring and weight-bearing asymmetry in
:mod:`~balance_trainer.protocols.bipedal`. **Asymmetry** of per-side results is
100 × (left − right) / max(left, right), %; positive when the left value is larger.

The package: :mod:`.engine` (one trial lifecycle), :mod:`.single_leg`, :mod:`.bipedal`,
:mod:`.registry` (tests by name), :mod:`.offline` (a recording replayed through a test),
:mod:`.text` (the result tables) and :mod:`.btracks_text` (the BTrackS tests' tables,
sentences and typed views of their result keys).

Times in results are seconds from the first frame fed (the recording's start); times in
:class:`ProtocolEvent` are in the frames' own clock.
"""

from __future__ import annotations

from .bipedal import BtracksBalance, Mctsib, WeightBearingSymmetry
from .engine import (
    SIDES,
    Condition,
    OpenTrial,
    Phase,
    Protocol,
    ProtocolEvent,
    ProtocolParams,
    ProtocolSettings,
)
from .offline import OFFLINE_BLOCK, analyze_recording_for_test
from .registry import (
    PROTOCOLS,
    check_board_for,
    format_result,
    make_protocol,
    needs_ap,
    protocol_class,
    protocol_names,
)
from .single_leg import HipStability, SingleLegSquat, SingleLegStance, drift
from .text import SCALE_LIMITS

__all__ = [
    "PROTOCOLS",
    "OFFLINE_BLOCK",
    "SCALE_LIMITS",
    "SIDES",
    "Condition",
    "OpenTrial",
    "Phase",
    "Protocol",
    "ProtocolEvent",
    "ProtocolParams",
    "ProtocolSettings",
    "SingleLegStance",
    "SingleLegSquat",
    "HipStability",
    "Mctsib",
    "BtracksBalance",
    "WeightBearingSymmetry",
    "analyze_recording_for_test",
    "check_board_for",
    "needs_ap",
    "drift",
    "format_result",
    "make_protocol",
    "protocol_class",
    "protocol_names",
]
