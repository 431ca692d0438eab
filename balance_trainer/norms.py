"""Published reference values for the clinical tests, each with its source.

Only values whose source is certain are listed; a test without a norm says so instead of
inventing one.

Unipedal (single-leg) stance, eyes open, 60 years and older:
    Bohannon RW (2006). Single limb stance times: a descriptive meta-analysis of data from
    individuals at least 60 years of age. *Topics in Geriatric Rehabilitation* 22(1):70-77.
    Mean single-limb stance time 27.0 s (60-69 years), 17.2 s (70-79) and 8.5 s (80-99),
    pooled from 22 studies (3484 people). Those studies used various maximum times and
    trial counts; the mean is the reference, not a pass mark: a time below the mean of one's
    age group is common and is not by itself abnormal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import UsageError

__all__ = ["Norm", "UNIPEDAL_STANCE_EO", "unipedal_stance_norm", "compare_hold"]

BOHANNON_2006 = (
    "Bohannon RW (2006) Single limb stance times: a descriptive meta-analysis of data from "
    "individuals at least 60 years of age. Top Geriatr Rehabil 22(1):70-77"
)


@dataclass(frozen=True)
class Norm:
    """A published mean for one age band and condition.

    Attributes
    ----------
    age_min, age_max : int
        Age band, years, inclusive.
    eyes : str
        ``open`` or ``closed``.
    mean_s : float
        Published mean time, s.
    source : str
        The citation.
    """

    age_min: int
    age_max: int
    eyes: str
    mean_s: float
    source: str

    @property
    def age_band(self) -> str:
        return f"{self.age_min}-{self.age_max}"


UNIPEDAL_STANCE_EO: tuple[Norm, ...] = (
    Norm(60, 69, "open", 27.0, BOHANNON_2006),
    Norm(70, 79, "open", 17.2, BOHANNON_2006),
    Norm(80, 99, "open", 8.5, BOHANNON_2006),
)
"""Single-limb stance, eyes open (Bohannon 2006, see the module docstring)."""


def unipedal_stance_norm(age: float | None, eyes: str = "open") -> Norm | None:
    """The published mean single-leg stance time for a person's age, or None if none exists.

    Parameters
    ----------
    age : float or None
        Age in years; None means unknown.
    eyes : str
        ``open`` or ``closed``. No eyes-closed norm is listed (none is cited here).

    Raises
    ------
    UsageError
        ``age`` is negative or absurd, or ``eyes`` is not open/closed.
    """
    if eyes not in ("open", "closed"):
        raise UsageError(f"--eyes {eyes!r}: use open or closed")
    if age is None:
        return None
    if not (0 <= age <= 120):
        raise UsageError(f"--age {age!r}: give the person's age in years (0-120)")
    for norm in UNIPEDAL_STANCE_EO:
        if norm.eyes == eyes and norm.age_min <= age < norm.age_max + 1:
            return norm
    return None


def compare_hold(
    best_hold_s: float | None, age: float | None, eyes: str = "open"
) -> dict[str, Any] | None:
    """The norm for a single-leg stance result, and how the best hold compares with it.

    Returns None when there is no age or no published norm for it; otherwise a JSON-ready
    dict: ``mean_s``, ``age_band``, ``eyes``, ``source``, and, with a hold time,
    ``best_hold_s``, ``percent_of_mean`` and ``comparison`` (``at or above mean`` or
    ``below mean``).
    """
    norm = unipedal_stance_norm(age, eyes)
    if norm is None:
        return None
    out: dict[str, Any] = {
        "mean_s": norm.mean_s,
        "age_band": norm.age_band,
        "eyes": norm.eyes,
        "source": norm.source,
    }
    if best_hold_s is not None:
        out["best_hold_s"] = best_hold_s
        out["percent_of_mean"] = 100.0 * best_hold_s / norm.mean_s
        out["comparison"] = "at or above mean" if best_hold_s >= norm.mean_s else "below mean"
    return out
