"""The exercise catalogue and the limits of a home programme, below :mod:`.programme`.

Split out of :mod:`.programme`, which re-exports every name here; this module imports nothing
of the programme itself, so the programme's types, TOML reading and progression sit above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import UsageError

__all__ = [
    "FORMAT",
    "SIDES",
    "WEEKDAYS",
    "OTHER",
    "MAX_SETS",
    "MAX_REPS",
    "MAX_HOLD_S",
    "MAX_REST_S",
    "GUIDED_REP_S",
    "ProgrammeError",
    "Measure",
    "Dose",
    "ExerciseInfo",
    "EXERCISES",
]

FORMAT = "balance-trainer-programme/1"
SIDES = ("left", "right")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OTHER = {"left": "right", "right": "left"}

MAX_SETS = 10
MAX_REPS = 50
MAX_HOLD_S = 300.0
MAX_REST_S = 600.0
GUIDED_REP_S = 3.0
"""Seconds the timer gives each guided repetition (up and down, slowly); easy mode x1.5."""


class ProgrammeError(UsageError):
    """A programme (file or edit) that cannot be used; the message names the place and fix."""


class Measure(Enum):
    """How the session knows a set was done."""

    HOLD = "hold"
    """On the board: each hold timed from the free foot's lift-off to its touchdown."""
    SQUAT = "squat"
    """On the board: repetitions counted by the squat detector."""
    GUIDED = "guided"
    """Off the board: paced by a timer, confirmed by the person."""


class Dose(Enum):
    """What a set prescribes."""

    HOLD = "hold"
    """``reps`` holds of ``hold_s`` each."""
    REPS = "reps"
    """``reps`` repetitions."""


@dataclass(frozen=True)
class ExerciseInfo:
    """One exercise of the catalogue: its words, how it is measured and its picture's name.

    ``instruction`` and ``spoken`` are templates with ``{side}`` (the working leg) and
    ``{other}`` (the other leg).
    """

    name: str
    title: str
    measure: Measure
    dose: Dose
    instruction: str
    spoken: str
    check: str
    """What to watch for (the physio's cue), shown under the instruction."""

    @property
    def on_board(self) -> bool:
        return self.measure is not Measure.GUIDED

    def words(self, side: str) -> tuple[str, str]:
        """(written, spoken) instruction for the working leg ``side``."""
        other = OTHER.get(side, "other")
        return (
            self.instruction.format(side=side, other=other),
            self.spoken.format(side=side, other=other),
        )


EXERCISES: dict[str, ExerciseInfo] = {
    e.name: e
    for e in (
        ExerciseInfo(
            "side-lying-clam",
            "Side-lying clam",
            Measure.GUIDED,
            Dose.REPS,
            "Lie on your {other} side, knees bent, feet together. Lift your top ({side}) knee "
            "and lower it slowly. Keep your feet touching.",
            "Lie on your {other} side with your knees bent and your feet together. "
            "Lift your top knee, then lower it slowly.",
            "Do not let your hips roll back.",
        ),
        ExerciseInfo(
            "side-lying-leg-raise",
            "Side-lying leg raise",
            Measure.GUIDED,
            Dose.REPS,
            "Lie on your {other} side. Keep your top ({side}) leg straight, lift it and lower "
            "it slowly.",
            "Lie on your {other} side. Keep your top leg straight, lift it, then lower it slowly.",
            "Lead with the heel; do not let the leg drift forward.",
        ),
        ExerciseInfo(
            "step-up-hold",
            "Step-up hold",
            Measure.HOLD,
            Dose.HOLD,
            "Stand on your {side} leg. Lift your {other} knee as if stepping onto a step. "
            "Keep the standing leg tight and your pelvis level.",
            "Stand on your {side} leg. Lift your other knee as if stepping onto a step, and hold.",
            "Do not let the lifted side of the pelvis drop.",
        ),
        ExerciseInfo(
            "crab-walk",
            "Crab walk",
            Measure.GUIDED,
            Dose.REPS,
            "Band around your hips, knees a little bent. Step sideways to your {side}, "
            "keeping the band tight. Count your steps.",
            "Band around your hips, knees a little bent. Step sideways to your {side}.",
            "Keep your toes pointing forward and the band tight.",
        ),
        ExerciseInfo(
            "single-leg-squat",
            "Single-leg squat",
            Measure.SQUAT,
            Dose.REPS,
            "Stand on your {side} leg. Push into your heel and squat a little, then stand up.",
            "Stand on your {side} leg. Push into your heel and squat a little, then stand up.",
            "Pelvis level; knee over the foot, not falling inwards.",
        ),
        ExerciseInfo(
            "mirror-check",
            "Mirror check",
            Measure.HOLD,
            Dose.HOLD,
            "Face a mirror and stand on your {side} leg. Look: does your {other} hip drop? "
            "Keep it level.",
            "Face a mirror and stand on your {side} leg. Does your other hip drop? Keep it level.",
            "The board times the stand; only the mirror shows the hip.",
        ),
    )
}
