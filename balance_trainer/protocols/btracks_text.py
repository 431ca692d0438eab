"""The words of the BTrackS tests (mCTSIB and Balance Test): tables, sentences, typed views.

The BTrackS results keep their own keys at the top of the stored result (``variant``,
``path_cm``, ``btracks_norms``, ``score_cm``, ...), which :class:`TestResult` carries in
``extra``; :class:`MctsibScores` and :class:`BalanceTestScore` read them back typed. An
mCTSIB stored before the BTrackS definition (30 s trials scored by sway velocity, with
ratios) has none of them and is shown as it was measured, under its own heading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..btracks_norms import MCTSIB_CONDITION_NAMES, NormVerdict
from ..results import TestResult
from .text import _fmt, _grid

__all__ = [
    "ML_ONLY_LABEL",
    "MctsibScores",
    "BalanceTestScore",
    "mctsib_table",
    "mctsib_sentences",
    "bbt_table",
    "bbt_sentences",
]

ML_ONLY_LABEL = "ML-only variant (no published norms)"
"""What an mCTSIB on a board without AP sensing is called, everywhere it is shown."""
LEGACY_LABEL = (
    "stored by an earlier version: 30 s trials scored by sway velocity (not the BTrackS "
    "definition; not comparable with path lengths)"
)
SENSE_WORDS = {
    "eo_firm": "eyes open",
    "ec_firm": "eyes closed",
    "eo_foam": "on foam",
    "ec_foam": "on foam eyes closed",
}


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _verdict_words(v: NormVerdict | None) -> str:
    if v is None:
        return "-"
    if v.percentile is None:
        return v.reason or "-"
    where = {"below": " (below the lowest printed)", "above": " (above the highest printed)"}
    return f"{v.percentile:.0f}th percentile, {v.band}" + where.get(v.beyond or "", "")


@dataclass(frozen=True)
class MctsibScores:
    """The BTrackS mCTSIB part of a result (None for one stored before it)."""

    variant: str
    """``btracks`` (total path, norms apply) or ``ml-only``."""
    variant_label: str
    path_measure: str
    path_cm: Mapping[str, float | None]
    norms: Mapping[str, NormVerdict | None] | None
    complete: bool

    @property
    def ml_only(self) -> bool:
        return self.variant != "btracks"

    @classmethod
    def of(cls, r: TestResult) -> MctsibScores | None:
        e = r.extra
        paths = e.get("path_cm")
        if not isinstance(paths, Mapping) or not isinstance(e.get("variant"), str):
            return None
        norms = e.get("btracks_norms")
        return cls(
            variant=str(e["variant"]),
            variant_label=str(e.get("variant_label") or ""),
            path_measure=str(e.get("path_measure") or ""),
            path_cm={str(k): _num(v) for k, v in paths.items()},
            norms=(
                {str(k): NormVerdict.from_json(v) for k, v in norms.items()}
                if isinstance(norms, Mapping)
                else None
            ),
            complete=bool(r.complete),
        )


@dataclass(frozen=True)
class BalanceTestScore:
    """The BTrackS Balance Test part of a result."""

    score_cm: float | None
    norm: NormVerdict | None
    complete: bool

    @classmethod
    def of(cls, r: TestResult) -> BalanceTestScore:
        return cls(
            score_cm=_num(r.extra.get("score_cm")),
            norm=NormVerdict.from_json(r.extra.get("btracks_norm")),
            complete=bool(r.complete),
        )


# --- mCTSIB -----------------------------------------------------------------------------------


def _legacy_mctsib_table(r: TestResult) -> list[str]:
    key = r.velocity_measure or "ml_mean_velocity_mm_s"
    rows = [
        [
            c.condition or "",
            f"{c.eyes}/{c.surface}",
            _fmt(c.duration_s),
            c.stop_reason,
            _fmt(c.metric(key), "{:.2f}"),
        ]
        for c in r.trials
    ]
    out = [LEGACY_LABEL]
    out += _grid(["cond", "eyes/surface", "time s", "stop", "velocity mm/s"], rows)
    out.append(f"velocity: {key}; mean of the four: {_fmt(r.composite_velocity_mm_s, '{:.2f}')}")
    return out


def mctsib_table(r: TestResult) -> list[str]:
    """mCTSIB: the variant, then one row per condition: path (cm) and its percentile."""
    s = MctsibScores.of(r)
    if s is None:
        return _legacy_mctsib_table(r) if r.trials else ["no conditions completed"]
    if not r.trials:
        return [s.variant_label, "no conditions completed"]
    what = "total path cm" if not s.ml_only else "ML path cm"
    header = ["cond", "BTrackS name", "eyes/surface", "time s", "stop", what]
    if not s.ml_only:
        header.append("percentile")
    rows = []
    for c in r.trials:
        key = c.condition or ""
        row = [
            key,
            MCTSIB_CONDITION_NAMES.get(key, ""),
            f"{c.eyes}/{c.surface}",
            _fmt(c.duration_s),
            c.stop_reason,
            _fmt(s.path_cm.get(key), "{:.1f}") if c.stop_reason == "max_time" else "not scored",
        ]
        if not s.ml_only:
            v = (s.norms or {}).get(key)
            row.append("-" if v is None or v.percentile is None else f"{v.percentile:.0f}")
        rows.append(row)
    out = [s.variant_label, *_grid(header, rows)]
    if not s.complete:
        out.append("not all four conditions ran their full 20 s: those are not scored")
    if s.ml_only:
        out.append(
            "ML path only: this board does not measure front-back sway; the BTrackS norms are "
            "for total (ML and AP) path, so none is compared"
        )
    else:
        reasons = {v.reason for v in (s.norms or {}).values() if v is not None and v.reason}
        out += [x if x.startswith("norms") else f"norms: {x}" for x in sorted(reasons)]
        sources = {v.source for v in (s.norms or {}).values() if v is not None}
        out += [f"source: {x}" for x in sorted(sources)]
    return out


def mctsib_sentences(r: TestResult, *, guest: bool = False) -> list[str]:
    """In plain words: how far the body swayed in each condition, and the norm if any."""
    s = MctsibScores.of(r)
    if s is None:
        comp = r.composite_velocity_mm_s
        return [
            "An earlier version of this test (30 s, sway speed)"
            + (f": {comp:.1f} mm/s over all four parts" if comp is not None else "")
        ]
    out: list[str] = []
    parts = []
    for key, words in SENSE_WORDS.items():
        v = s.path_cm.get(key)
        if v is not None:
            parts.append(f"{v:.0f} cm {words}")
    side = " side to side" if s.ml_only else ""
    if parts:
        # one sentence, so a list of results (history, the report) shows all four
        out.append(f"Sway{side} in 20 s: " + ", ".join(parts))
    else:
        out.append("No part of the test ran its full 20 s")
    if s.ml_only:
        out.append(f"{ML_ONLY_LABEL}: this board measures side-to-side sway only")
    else:
        verdicts = [v for v in (s.norms or {}).values() if v is not None]
        placed = [v for v in verdicts if v.percentile is not None]
        if placed:
            out.append(
                "Percentiles: "
                + ", ".join(
                    f"{MCTSIB_CONDITION_NAMES.get(k, k)} {v.percentile:.0f}"
                    for k, v in (s.norms or {}).items()
                    if v is not None and v.percentile is not None
                )
            )
        elif verdicts and verdicts[0].reason:
            out.append(_person_reason(verdicts[0].reason, guest))
    return out


def _person_reason(reason: str, guest: bool) -> str:
    if reason.startswith("norms not available"):
        return "The published BTrackS averages are not in this version: nothing to compare with"
    if guest:
        return "Choose a person with a birth year and sex to compare with the averages"
    return reason[0].upper() + reason[1:]


# --- BTrackS Balance Test ---------------------------------------------------------------------


def bbt_table(r: TestResult) -> list[str]:
    """BTrackS Balance Test: one row per trial (the first is practice), the score, the norm."""
    if not r.trials:
        return ["no trial completed"]
    s = BalanceTestScore.of(r)
    rows = []
    for t in r.trials:
        practice = bool(t.extra.get("practice"))
        path = _num(t.extra.get("path_cm"))
        rows.append(
            [
                str(t.trial),
                "practice" if practice else "scored",
                _fmt(t.duration_s),
                t.stop_reason,
                _fmt(path, "{:.1f}") if t.stop_reason == "max_time" else "not scored",
            ]
        )
    out = _grid(["trial", "kind", "time s", "stop", "total path cm"], rows)
    out.append(
        f"score (mean path of trials 2-4): {_fmt(s.score_cm, '{:.1f}')} cm"
        + ("" if s.complete else " (needs trials 2-4 all run for their full 20 s)")
    )
    out.append(f"norm: {_verdict_words(s.norm)}")
    if s.norm is not None and s.norm.source:
        out.append(f"source: {s.norm.source}")
    return out


def bbt_sentences(r: TestResult, *, guest: bool = False) -> list[str]:
    """In plain words: the score, and where it falls for the person's age and sex."""
    s = BalanceTestScore.of(r)
    if s.score_cm is None:
        return ["Trials 2 to 4 did not all run their full 20 s, so there is no score"]
    out = [f"Your sway with eyes closed: {s.score_cm:.0f} cm in 20 s (less is steadier)"]
    v = s.norm
    if v is not None and v.percentile is not None:
        out.append(f"That is the {v.percentile:.0f}th percentile for {v.band}")
    elif v is not None and v.reason:
        out.append(_person_reason(v.reason, guest))
    return out
