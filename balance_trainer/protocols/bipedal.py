"""The tests on both feet: the modified CTSIB and weight-bearing symmetry.

Each trial is started by a countdown and runs one condition; lifting a foot ends it
(``foot_lift``).

* **mCTSIB**: the sway velocity of each condition is the planar mean COP velocity where the
  board measures AP, else the ML mean velocity (mm/s). Composite: the mean over the four
  conditions (reported only when all four ran their full time). Ratios of velocities to
  condition 1 (eyes open, firm): ``somatosensory`` = C2/C1 (eyes closed, firm: balance from
  the feet and inner ear), ``visual`` = C3/C1 (eyes open, foam: balance from vision and inner
  ear), ``vestibular`` = C4/C1 (eyes closed, foam: inner ear alone). 1 means no extra sway; the
  higher the ratio, the more sway when that system has to carry balance.
* **weight-bearing asymmetry**: 100 × (left − right) / (left + right) of the mean loads, %.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..balance import BalanceBlock
from ..errors import UsageError
from ..events import Event
from ..results import TestResult
from .engine import Condition, OpenTrial, Phase, Protocol, ProtocolParams, measure
from .text import mctsib_sentences, mctsib_table, wbs_sentences, wbs_table

__all__ = ["Mctsib", "WeightBearingSymmetry"]


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


class Mctsib(_Bipedal):
    """Modified CTSIB: eyes open/closed on firm ground and on foam, 30 s each.

    Result: ``conditions`` (``condition``, ``eyes``, ``surface``, ``start_s``, ``end_s``,
    ``duration_s``, ``stop_reason``, ``metrics``), ``velocity_measure`` (the metric used),
    ``velocities_mm_s`` per condition, ``composite_velocity_mm_s`` and ``ratios``
    (``somatosensory``, ``visual``, ``vestibular``; see the module docstring), ``complete``.
    """

    name = "mctsib"
    title = "mCTSIB"
    short_title = "Senses test"
    blurb = "Eyes open and closed, 30 s each (mCTSIB)"
    options = ()

    @classmethod
    def table_body(cls, result: TestResult) -> list[str]:
        return mctsib_table(result)

    @classmethod
    def sentence_body(cls, result: TestResult, *, guest: bool = False) -> list[str]:
        return mctsib_sentences(result)

    default_trials = None
    default_max_time_s = 30.0
    conditions = (
        Condition(
            "eo_firm",
            "open",
            "firm",
            "Condition 1 of 4: feet together, arms crossed, eyes OPEN. Look straight ahead.",
        ),
        Condition(
            "ec_firm",
            "closed",
            "firm",
            "Condition 2 of 4: feet together, arms crossed, eyes CLOSED.",
        ),
        Condition(
            "eo_foam", "open", "foam", "Condition 3 of 4: on the foam, feet together, eyes OPEN."
        ),
        Condition(
            "ec_foam",
            "closed",
            "foam",
            "Condition 4 of 4: on the foam, feet together, eyes CLOSED.",
        ),
    )

    def params(self) -> dict[str, Any]:
        return {"max_time_s": self.max_time_s}

    def _result(self) -> dict[str, Any]:
        has_ap = all(r["metrics"].get("mean_velocity_mm_s") is not None for r in self.records)
        key = "mean_velocity_mm_s" if (self.records and has_ap) else "ml_mean_velocity_mm_s"
        vel: dict[str, float | None] = {c.key: None for c in self.conditions}
        full = {c.key: False for c in self.conditions}
        for r in self.records:
            vel[r["condition"]] = r["metrics"].get(key)
            full[r["condition"]] = r["stop_reason"] == "max_time"
        complete = all(full.values()) and all(v is not None for v in vel.values())
        v1 = vel["eo_firm"]

        def ratio(k: str) -> float | None:
            v = vel[k]
            return None if v is None or not v1 else v / v1

        composite = None
        if complete:
            composite = float(np.mean([v for v in vel.values() if v is not None]))
        return {
            "conditions": list(self.records),
            "velocity_measure": key,
            "velocities_mm_s": vel,
            "composite_velocity_mm_s": composite,
            "ratios": {
                "somatosensory": ratio("ec_firm"),
                "visual": ratio("eo_foam"),
                "vestibular": ratio("ec_foam"),
            },
            "complete": complete,
        }


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
