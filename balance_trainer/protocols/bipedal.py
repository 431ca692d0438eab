"""The tests on both feet: the BTrackS mCTSIB, the BTrackS Balance Test, weight-bearing symmetry.

Each trial is started by a countdown and runs one condition; lifting a foot ends it
(``foot_lift``).

* **mCTSIB**, as the BTrackS defines it (Goble et al. 2019; :mod:`balance_trainer.btracks_norms`):
  four conditions, one 20 s trial each: eyes open on the firm board (*standard*), eyes closed
  (*proprioceptive*), eyes open on foam (*visual*), eyes closed on foam (*vestibular*). Each is
  scored as the BTrackS scores it: total COP path length over the trial, in cm, with that
  condition's percentile by sex (and age band) where a norm table is available. On a board
  that does not measure AP (the default two-plate board) the result is the **ML-only
  variant (no published norms)**: ML path length only, and no norm verdict. No ratios between
  conditions are given (the SOT's ratios are of equilibrium scores, where higher is better;
  over path lengths they would run the other way, and BTrackS publishes none).
* **BTrackS Balance Test** (Goble & Baweja 2018): four 20 s trials, eyes closed, feet
  shoulder-width apart, hands on hips; the first is practice; the score is the mean total COP
  path length of trials 2-4 in cm (the three scored trials of Goble et al. 2019, J Athl
  Train), with its percentile by age and sex. It needs AP: on an ML-only board it is refused
  (:data:`NEEDS_AP`).
* **weight-bearing asymmetry**: 100 × (left − right) / (left + right) of the mean loads, %.

Stance: the abstracts we could read state it for the BTrackS Balance Test only (feet
shoulder-width apart, hands on hips); the mCTSIB here uses the same. A trial that does not run
its full 20 s (a foot lifted, a step off) is kept but not scored.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..balance import BalanceBlock
from ..btracks_norms import (
    BBT_NORMS,
    MCTSIB_CONDITION_NAMES,
    MCTSIB_NORMS,
    mean_of,
    norm_verdict,
)
from ..errors import UsageError
from ..events import Event
from ..results import TestResult
from .btracks_text import (
    ML_ONLY_LABEL,
    bbt_sentences,
    bbt_table,
    mctsib_sentences,
    mctsib_table,
)
from .engine import Condition, OpenTrial, Phase, Protocol, ProtocolParams, measure
from .text import wbs_sentences, wbs_table

__all__ = ["Mctsib", "BtracksBalance", "WeightBearingSymmetry", "NEEDS_AP", "BTRACKS_TRIAL_S"]

BTRACKS_TRIAL_S = 20.0
"""Length of every BTrackS trial, s (Goble & Baweja 2018; Goble et al. 2019)."""
STANCE = "feet shoulder-width apart, hands on hips"
NEEDS_AP = frozenset({"btracks-balance"})
"""Tests that mean nothing without AP sensing (refused on ML-only boards)."""


class _Bipedal(Protocol):
    """Timed trials on both feet, each started by a countdown, one per condition."""

    sided = False
    default_side = None
    conditions: ClassVar[tuple[Condition, ...]] = ()
    rest_phases = (Phase.READY, Phase.BETWEEN_TRIALS)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.records: list[dict[str, Any]] = []
        self._cond_i = 0

    def _check(self, p: ProtocolParams) -> None:
        if p.side is not None:
            raise UsageError(f"--side {p.side}: {self.name} is done on both feet; leave --side out")

    def _conds(self) -> list[Condition]:
        return list(self.conditions)

    def _current(self) -> Condition | None:
        c = self._conds()
        return c[self._cond_i] if self._cond_i < len(c) else None

    def _get_ready(self) -> None:
        cond = self._current()
        if cond is None:
            return
        self.phase = Phase.READY
        self._say(cond.instruction, "both")
        self._start_countdown()

    def _countdown_done(self) -> None:
        cond = self._current()
        if cond is None or self.stance != "both":
            return
        self._open = OpenTrial(number=len(self.records) + 1, start=self.now, condition=cond)
        self._pending_end = None
        self.phase = Phase.IN_TRIAL
        self._say(f"Hold still for {self.max_time_s:g} s.", "both")
        self._emit(
            "trial_started",
            trial=self._open.number,
            condition=cond.key,
            start_s=self._rel(self.now),
        )
        if self.max_time_s is not None:
            self._set_timer("max_time", self.now + self.max_time_s)

    def _on_trial_event(self, ev: Event) -> None:
        k = ev.kind
        if k == "lift_off":
            if self._open is not None:
                self._propose_end(ev.t_s, "foot_lift")
            elif self.phase == Phase.READY:
                self._timers.pop("countdown", None)
                self._say("Keep both feet on the board.", "both")
        elif k == "touchdown":
            if (
                self._open is None
                and self.phase in (Phase.READY, Phase.BETWEEN_TRIALS)
                and not self._await_step_off
            ):
                self._rest_then_ready()

    def _close_trial(self, t: float, reason: str) -> None:
        op = self._take_open()
        cond = op.condition
        assert cond is not None
        frames = self._history.slice(op.start, t)
        rec = {
            "trial": op.number,
            "condition": cond.key,
            "eyes": cond.eyes,
            "surface": cond.surface,
            "start_s": self._rel(op.start),
            "end_s": self._rel(t),
            "duration_s": t - op.start,
            "stop_reason": reason,
            "metrics": measure(frames, None, self.fs_hz),
        }
        rec.update(self._extra(frames))
        self.records.append(rec)
        self._emit("trial_ended", **rec)
        self._cond_i += 1
        nxt = self._current()
        if nxt is None:
            self._finish_test()
            return
        self.phase = Phase.BETWEEN_TRIALS
        if nxt.surface != cond.surface:
            self._await_step_off = True
            self._say(
                "Done. Step off, put the foam pad on the board, then step back on."
                if nxt.surface == "foam"
                else "Done. Step off and take the foam pad away.",
                "off",
            )
        else:
            self._say("Done. Rest a moment on both feet.", "both")
            if self.stance == "both":
                self._rest_then_ready()

    def _extra(self, frames: BalanceBlock) -> dict[str, Any]:
        return {}

    def _notes(self) -> list[str]:
        notes = super()._notes()
        if not notes and not self.records:
            notes.append(
                "no trial: no countdown finished with the person standing on both "
                "feet before the data ended"
            )
        return notes


def _path_cm(metrics: dict[str, Any], key: str) -> float | None:
    v = metrics.get(key)
    return None if v is None else float(v) / 10.0


class _Btracks(_Bipedal):
    """Scoring shared by the BTrackS tests: total path length per trial, in cm."""

    default_trials = None
    default_max_time_s = BTRACKS_TRIAL_S
    options = ()
    takes_sex: ClassVar[bool] = True
    """The norms are split by sex: the faces pass the person's (``sex=``) when known."""

    def __init__(self, *, sex: str | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        if sex not in (None, "female", "male", "other"):
            raise UsageError(f"sex {sex!r}: use female, male or other, or leave it unknown")
        self.sex = sex

    def _check(self, p: ProtocolParams) -> None:
        super()._check(p)
        if p.trials is not None:
            raise UsageError(
                f"--trials {p.trials}: {self.name} has a fixed number of trials, as BTrackS "
                "defines it; leave --trials out"
            )
        if p.max_time_s != BTRACKS_TRIAL_S:
            raise UsageError(
                f"--max-time {p.max_time_s:g}: {self.name} trials last "
                f"{BTRACKS_TRIAL_S:g} s as BTrackS defines them; leave --max-time out"
            )

    def params(self) -> dict[str, Any]:
        return {"max_time_s": self.max_time_s, "age": self.age, "sex": self.sex}

    def _has_ap(self) -> bool:
        return bool(self.records) and all(
            r["metrics"].get("path_length_mm") is not None for r in self.records
        )

    def _extra(self, frames: BalanceBlock) -> dict[str, Any]:
        return {}

    def _score(self, rec: dict[str, Any], key: str) -> None:
        """Path length in cm of a trial that ran its full time; None (not scored) otherwise."""
        full = rec["stop_reason"] == "max_time"
        rec["path_cm"] = _path_cm(rec["metrics"], key) if full else None
        rec["scored"] = full and rec["path_cm"] is not None


class Mctsib(_Btracks):
    """mCTSIB as the BTrackS defines it: four conditions, one 20 s trial each, path length.

    Result: ``conditions`` (``condition``, ``eyes``, ``surface``, ``start_s``, ``end_s``,
    ``duration_s``, ``stop_reason``, ``metrics``, ``path_cm``, ``scored``), ``device``
    (``BTrackS``), ``variant`` (``btracks``, or ``ml-only`` on a board without AP),
    ``variant_label``, ``path_measure`` (the metric scored: ``path_length_mm`` or
    ``ml_path_mm``), ``path_cm`` per condition, ``btracks_norms`` per condition
    (:class:`~balance_trainer.btracks_norms.NormVerdict`; None for the ML-only variant) and
    ``complete`` (all four scored).
    """

    name = "mctsib"
    title = "mCTSIB (BTrackS)"
    short_title = "Senses test"
    blurb = "Eyes open and closed, firm and foam, 20 s each (mCTSIB)"

    @classmethod
    def table_body(cls, result: TestResult) -> list[str]:
        return mctsib_table(result)

    @classmethod
    def sentence_body(cls, result: TestResult, *, guest: bool = False) -> list[str]:
        return mctsib_sentences(result, guest=guest)

    conditions = (
        Condition(
            "eo_firm",
            "open",
            "firm",
            f"Condition 1 of 4 (standard): {STANCE}, eyes OPEN. Look straight ahead.",
        ),
        Condition(
            "ec_firm",
            "closed",
            "firm",
            f"Condition 2 of 4 (proprioceptive): {STANCE}, eyes CLOSED.",
        ),
        Condition(
            "eo_foam",
            "open",
            "foam",
            f"Condition 3 of 4 (visual): on the foam, {STANCE}, eyes OPEN.",
        ),
        Condition(
            "ec_foam",
            "closed",
            "foam",
            f"Condition 4 of 4 (vestibular): on the foam, {STANCE}, eyes CLOSED.",
        ),
    )

    def _result(self) -> dict[str, Any]:
        has_ap = self._has_ap()
        key = "path_length_mm" if has_ap else "ml_path_mm"
        paths: dict[str, float | None] = {c.key: None for c in self.conditions}
        for r in self.records:
            self._score(r, key)
            paths[r["condition"]] = r["path_cm"]
        complete = len(self.records) == len(self.conditions) and all(
            v is not None for v in paths.values()
        )
        norms: dict[str, Any] | None = None
        if has_ap:
            norms = {
                k: norm_verdict(MCTSIB_NORMS[k], v, self.age, self.sex).to_json()
                for k, v in paths.items()
            }
        return {
            "conditions": list(self.records),
            "device": "BTrackS",
            "variant": "btracks" if has_ap else "ml-only",
            "variant_label": (
                "BTrackS mCTSIB: 4 conditions x 20 s, total COP path length"
                if has_ap
                else ML_ONLY_LABEL
            ),
            "path_measure": key,
            "path_cm": paths,
            "condition_names": dict(MCTSIB_CONDITION_NAMES),
            "btracks_norms": norms,
            "complete": complete,
        }


class BtracksBalance(_Btracks):
    """The BTrackS Balance Test: 4 × 20 s eyes closed, the first practice; mean path of 2-4.

    Result: ``trials`` (as the mCTSIB's conditions, plus ``practice``), ``score_cm`` (mean
    total path length of trials 2-4, cm; None unless all three ran their full 20 s),
    ``btracks_norm`` (:class:`~balance_trainer.btracks_norms.NormVerdict`) and ``complete``.
    """

    name = "btracks-balance"
    title = "BTrackS-style Balance Test"
    short_title = "Sway test"
    blurb = "Four 20 s stands, eyes closed (BTrackS Balance Test)"
    practice_trials = 1
    scored_trials = 3

    @classmethod
    def table_body(cls, result: TestResult) -> list[str]:
        return bbt_table(result)

    @classmethod
    def sentence_body(cls, result: TestResult, *, guest: bool = False) -> list[str]:
        return bbt_sentences(result, guest=guest)

    def _conds(self) -> list[Condition]:
        n = self.practice_trials + self.scored_trials
        out = []
        for i in range(n):
            what = "practice" if i < self.practice_trials else f"scored {i} of {n - 1}"
            out.append(
                Condition(
                    "ec_firm",
                    "closed",
                    "firm",
                    f"Trial {i + 1} of {n} ({what}): {STANCE}, eyes CLOSED. Stand as still "
                    "as you can.",
                )
            )
        return out

    def _result(self) -> dict[str, Any]:
        has_ap = self._has_ap()
        for r in self.records:
            self._score(r, "path_length_mm")
            r["practice"] = r["trial"] <= self.practice_trials
        scored = [r for r in self.records if not r["practice"]]
        values = [r["path_cm"] for r in scored]
        score = mean_of(values) if len(scored) == self.scored_trials and has_ap else None
        return {
            "trials": list(self.records),
            "device": "BTrackS",
            "score_cm": score,
            "btracks_norm": norm_verdict(BBT_NORMS, score, self.age, self.sex).to_json(),
            "complete": score is not None,
        }

    def _notes(self) -> list[str]:
        notes = super()._notes()
        if self.records and not self._has_ap():
            notes.append(
                "this board does not measure front-back sway, so there is no total path "
                "length to score: use a board with cells spaced front to back (corners-4)"
            )
        return notes


class WeightBearingSymmetry(_Bipedal):
    """10 s on both feet: the share of body weight on each foot.

    Result: ``trials`` (``start_s``, ``end_s``, ``duration_s``, ``stop_reason``, ``left_share``,
    ``right_share``, ``asymmetry_pct`` = 100 (L − R)/(L + R), ``metrics``) and ``summary``.
    """

    name = "weight-bearing-symmetry"
    title = "Weight-bearing symmetry"
    short_title = "Weight symmetry"
    blurb = "10 s on both feet: left and right"
    options = ("trials",)

    @classmethod
    def table_body(cls, result: TestResult) -> list[str]:
        return wbs_table(result)

    @classmethod
    def sentence_body(cls, result: TestResult, *, guest: bool = False) -> list[str]:
        return wbs_sentences(result)

    default_trials = 1
    default_max_time_s = 10.0

    def _conds(self) -> list[Condition]:
        n = self.trials or 1
        return [
            Condition(
                "both_feet",
                "open",
                "firm",
                "Stand on both feet, weight as even as feels natural. Look ahead.",
            )
        ] * n

    def params(self) -> dict[str, Any]:
        return {"trials": self.trials, "max_time_s": self.max_time_s}

    def _extra(self, frames: BalanceBlock) -> dict[str, Any]:
        if len(frames) == 0:
            return {"left_share": None, "right_share": None, "asymmetry_pct": None}
        left = float(np.mean(frames.left_n))
        right = float(np.mean(frames.right_n))
        tot = left + right
        if tot <= 0:
            return {"left_share": None, "right_share": None, "asymmetry_pct": None}
        return {
            "left_share": left / tot,
            "right_share": right / tot,
            "left_n": left,
            "right_n": right,
            "asymmetry_pct": 100.0 * (left - right) / tot,
        }

    def _result(self) -> dict[str, Any]:
        shares = [r["left_share"] for r in self.records if r.get("left_share") is not None]
        summary = None
        if shares:
            ls = float(np.mean(shares))
            summary = {
                "left_share": ls,
                "right_share": 1.0 - ls,
                "asymmetry_pct": 100.0 * (2.0 * ls - 1.0),
                "more_on": "left" if ls > 0.5 else ("right" if ls < 0.5 else "neither"),
            }
        return {"trials": list(self.records), "summary": summary}
