"""Typed results of the clinical tests: a trial, a repetition, a side's summary, a test.

Every face (the CLI's ``test`` and ``analyze --test``, the app's test and progress screens,
``history`` and the report) reads a stored or fresh result through :class:`TestResult` and
renders it one way: :meth:`TestResult.table` for the clinician's table and
:meth:`TestResult.sentences` for the person, both written by the test that made the result
(see :func:`register_renderer`).

Stored form
-----------
:meth:`TestResult.to_json` gives a JSON object with ``"schema": SCHEMA_VERSION`` and the keys
the tests have always written (so a consumer of the JSON output of ``test --json`` keeps
working): ``test``, ``params``, ``body_weight_n``, then per test

* single-leg stance and hip stability: ``trials``, ``false_starts``, ``summary`` (per side
  and the asymmetries), ``norm`` (stance), ``scale_limits`` (hip);
* single-leg squat: ``reps``, ``sets``, ``summary``, ``scale_limits``;
* mCTSIB (BTrackS): ``conditions``, ``complete`` and its own keys (``variant``, ``path_cm``,
  ``btracks_norms``, ...: :mod:`balance_trainer.protocols.btracks_text`); stored before it:
  ``velocity_measure``, ``velocities_mm_s``, ``composite_velocity_mm_s``, ``ratios``;
* BTrackS Balance Test: ``trials``, ``complete``, ``score_cm``, ``btracks_norm``;
* weight-bearing symmetry: ``trials``, ``summary`` (``left_share``, ``right_share``,
  ``asymmetry_pct``, ``more_on``),

and ``notes`` where there are any. Optional per-trial measures that a test has not filled in
are left out rather than stored as null. Schema 1 is the same layout without ``schema`` (what
the code up to commit 617c5fa stored); :meth:`TestResult.from_json` reads both.

Units: times in s from the start of the recording, lengths in mm, loads in N, shares 0..1,
asymmetries in %, angles in degrees.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Protocol

from .errors import DataFormatError

__all__ = [
    "SCHEMA_VERSION",
    "Trial",
    "Repetition",
    "FalseStart",
    "SideSummary",
    "NormComparison",
    "TestResult",
    "Renderer",
    "register_renderer",
]

SCHEMA_VERSION = 2
"""Version of the stored result layout; 1 is the unversioned form written before it."""

SIDES = ("left", "right")

Metrics = Mapping[str, Any]
"""DESIGN.md metric names to values (float, or None where not measurable; ``ml_source`` and
``note`` are text)."""


def _num(v: Any) -> float | None:
    """A finite float, else None (bools are not numbers here)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _int(v: Any) -> int | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return None
    return int(v)


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _obj(v: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise DataFormatError(
            f"stored result: {where} is {type(v).__name__}, not an object; "
            "the stored JSON is damaged (re-run the test or export the frames and analyse them)"
        )
    return v


def _list(v: Any) -> list[Any]:
    return list(v) if isinstance(v, (list, tuple)) else []


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _extra(d: Mapping[str, Any], known: Iterable[str]) -> dict[str, Any]:
    """What a stored object holds beyond the typed fields, kept as it is (nothing is lost when
    a newer test adds a key this version does not type yet)."""
    k = set(known)
    return {str(key): v for key, v in d.items() if key not in k}


@dataclass(frozen=True)
class Trial:
    """One trial: a single-leg hold, a set of squats on one leg, or a condition on both feet.

    Attributes
    ----------
    trial : int
        1-based, in the order recorded.
    start_s, end_s : float
        s from the start of the recording.
    stop_reason : str
        ``touchdown``, ``step_off``, ``foot_shift``, ``max_time``, ``reps_done``, ``foot_lift``
        or ``end_of_data``.
    stance_side : str or None
        The leg stood on (single-leg tests).
    hold_s : float or None
        Single-leg stance and hip stability: the hold, s.
    duration_s : float or None
        Squat sets and tests on both feet: the trial's length, s.
    brushes : int or None
        Brief touches of the lifted foot that did not end the hold.
    reps : int or None
        Squat sets: repetitions in the set.
    condition, eyes, surface : str or None
        Tests on both feet: the condition's key (``eo_firm`` ...), ``open``/``closed``,
        ``firm``/``foam``.
    left_share, right_share : float or None
        Weight-bearing symmetry: mean share of the load on each foot, 0..1.
    left_n, right_n : float or None
        Weight-bearing symmetry: mean load on each foot, N.
    asymmetry_pct : float or None
        Weight-bearing symmetry: 100 (L − R) / (L + R), %.
    metrics : mapping
        DESIGN.md sway measures of the trial (and the test's own, e.g. ``ml_drift_mm``).
    steady_ml_rms_mm : float or None
        ML RMS over the steady-state window of a single-leg hold, mm (issue 13).
    time_to_stabilise_s : float or None
        From lift-off to steady single-leg stance, s (issue 13).
    ml_time_to_boundary_s : float or None
        Mean ML time-to-boundary, s (Hertel et al. 2006; issue 13).
    pelvic_drop_mean_deg, pelvic_drop_peak_deg : float or None
        Pelvis sensor: drop of the lifted side, mean and peak, degrees (positive = the
        lifted side dropping; issue 13).
    norm_verdict : str or None
        How this trial compares with a published norm, in words (issue 13).
    """

    trial: int
    start_s: float
    end_s: float
    stop_reason: str
    stance_side: str | None = None
    hold_s: float | None = None
    duration_s: float | None = None
    brushes: int | None = None
    reps: int | None = None
    condition: str | None = None
    eyes: str | None = None
    surface: str | None = None
    left_share: float | None = None
    right_share: float | None = None
    left_n: float | None = None
    right_n: float | None = None
    asymmetry_pct: float | None = None
    metrics: Metrics = field(default_factory=dict)
    steady_ml_rms_mm: float | None = None
    time_to_stabilise_s: float | None = None
    ml_time_to_boundary_s: float | None = None
    pelvic_drop_mean_deg: float | None = None
    pelvic_drop_peak_deg: float | None = None
    norm_verdict: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Stored keys this version does not type, kept as they are."""

    # Stored in this order; a None value is left out, except for these keys, which the
    # tests have always written (a weight-bearing trial without frames has null shares).
    _ORDER: ClassVar[tuple[str, ...]] = (
        "trial",
        "condition",
        "eyes",
        "surface",
        "stance_side",
        "start_s",
        "end_s",
        "hold_s",
        "duration_s",
        "stop_reason",
        "brushes",
        "reps",
        "metrics",
        "left_share",
        "right_share",
        "left_n",
        "right_n",
        "asymmetry_pct",
        "steady_ml_rms_mm",
        "time_to_stabilise_s",
        "ml_time_to_boundary_s",
        "pelvic_drop_mean_deg",
        "pelvic_drop_peak_deg",
        "norm_verdict",
    )

    @property
    def seconds(self) -> float:
        """The hold (single-leg) or the trial's length, s."""
        if self.hold_s is not None:
            return self.hold_s
        if self.duration_s is not None:
            return self.duration_s
        return self.end_s - self.start_s

    def metric(self, name: str) -> float | None:
        """A measure by its DESIGN.md name (or a field of this trial), None if not measured."""
        if name in self.metrics:
            return _num(self.metrics[name])
        if name in {f.name for f in fields(self)} and name != "metrics":
            return _num(getattr(self, name))
        return None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        for key in self._ORDER:
            v = getattr(self, key)
            if key == "metrics":
                if self.hold_s is not None or self.condition is not None or v:
                    out[key] = dict(v)
            else:
                _put(out, key, v)
        return out

    @classmethod
    def from_json(cls, d: Any) -> Trial:
        d = _obj(d, "a trial")
        metrics = d.get("metrics")
        return cls(
            trial=_int(d.get("trial")) or 0,
            start_s=_num(d.get("start_s")) or 0.0,
            end_s=_num(d.get("end_s")) or 0.0,
            stop_reason=_str(d.get("stop_reason")) or "unknown",
            stance_side=_str(d.get("stance_side")),
            hold_s=_num(d.get("hold_s")),
            duration_s=_num(d.get("duration_s")),
            brushes=_int(d.get("brushes")),
            reps=_int(d.get("reps")),
            condition=_str(d.get("condition")),
            eyes=_str(d.get("eyes")),
            surface=_str(d.get("surface")),
            left_share=_num(d.get("left_share")),
            right_share=_num(d.get("right_share")),
            left_n=_num(d.get("left_n")),
            right_n=_num(d.get("right_n")),
            asymmetry_pct=_num(d.get("asymmetry_pct")),
            metrics=dict(metrics) if isinstance(metrics, Mapping) else {},
            steady_ml_rms_mm=_num(d.get("steady_ml_rms_mm")),
            time_to_stabilise_s=_num(d.get("time_to_stabilise_s")),
            ml_time_to_boundary_s=_num(d.get("ml_time_to_boundary_s")),
            pelvic_drop_mean_deg=_num(d.get("pelvic_drop_mean_deg")),
            pelvic_drop_peak_deg=_num(d.get("pelvic_drop_peak_deg")),
            norm_verdict=_str(d.get("norm_verdict")),
            extra=_extra(d, cls._ORDER),
        )


@dataclass(frozen=True)
class Repetition:
    """One single-leg squat: start, bottom (lowest centre of mass) and end, s; its measures.

    ``metrics`` adds to the DESIGN.md measures ``duration_s``, ``descent_s``, ``ascent_s``,
    ``descent_ml_range_mm``, ``descent_ml_path_mm``, ``ascent_ml_range_mm``,
    ``ascent_ml_path_mm``, ``com_depth_mm`` and ``pelvic_control_index``.
    """

    rep: int
    set: int
    stance_side: str
    start_s: float
    bottom_s: float
    end_s: float
    metrics: Metrics = field(default_factory=dict)
    pelvic_drop_mean_deg: float | None = None
    pelvic_drop_peak_deg: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def metric(self, name: str) -> float | None:
        return _num(self.metrics.get(name))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            **self.extra,
            "rep": self.rep,
            "set": self.set,
            "stance_side": self.stance_side,
            "start_s": self.start_s,
            "bottom_s": self.bottom_s,
            "end_s": self.end_s,
            "metrics": dict(self.metrics),
        }
        _put(out, "pelvic_drop_mean_deg", self.pelvic_drop_mean_deg)
        _put(out, "pelvic_drop_peak_deg", self.pelvic_drop_peak_deg)
        return out

    @classmethod
    def from_json(cls, d: Any) -> Repetition:
        d = _obj(d, "a repetition")
        m = d.get("metrics")
        return cls(
            rep=_int(d.get("rep")) or 0,
            set=_int(d.get("set")) or 0,
            stance_side=_str(d.get("stance_side")) or "unknown",
            start_s=_num(d.get("start_s")) or 0.0,
            bottom_s=_num(d.get("bottom_s")) or 0.0,
            end_s=_num(d.get("end_s")) or 0.0,
            metrics=dict(m) if isinstance(m, Mapping) else {},
            pelvic_drop_mean_deg=_num(d.get("pelvic_drop_mean_deg")),
            pelvic_drop_peak_deg=_num(d.get("pelvic_drop_peak_deg")),
            extra=_extra(d, (f.name for f in fields(cls) if f.name != "extra")),
        )


@dataclass(frozen=True)
class FalseStart:
    """A foot back down within ``false_start_s`` of lift-off: not counted as a trial."""

    stance_side: str
    start_s: float
    end_s: float
    hold_s: float

    def to_json(self) -> dict[str, Any]:
        return {
            "stance_side": self.stance_side,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "hold_s": self.hold_s,
        }

    @classmethod
    def from_json(cls, d: Any) -> FalseStart:
        d = _obj(d, "a false start")
        return cls(
            stance_side=_str(d.get("stance_side")) or "unknown",
            start_s=_num(d.get("start_s")) or 0.0,
            end_s=_num(d.get("end_s")) or 0.0,
            hold_s=_num(d.get("hold_s")) or 0.0,
        )


@dataclass(frozen=True)
class SideSummary:
    """One side's summary (the stance side: the leg stood on). Unused measures are None.

    ``trials`` counts holds (single-leg stance, hip stability), ``reps`` squats.
    """

    side: str
    trials: int | None = None
    best_hold_s: float | None = None
    mean_hold_s: float | None = None
    mean_ml_drift_mm: float | None = None
    mean_ml_rms_mm: float | None = None
    reps: int | None = None
    mean_duration_s: float | None = None
    mean_ml_range_mm: float | None = None
    mean_ml_path_mm: float | None = None
    mean_pelvic_control_index: float | None = None
    mean_com_depth_mm: float | None = None
    mean_steady_ml_rms_mm: float | None = None
    mean_time_to_stabilise_s: float | None = None
    mean_pelvic_drop_deg: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    _SQUAT: ClassVar[tuple[str, ...]] = (
        "mean_duration_s",
        "mean_ml_range_mm",
        "mean_ml_path_mm",
        "mean_pelvic_control_index",
        "mean_com_depth_mm",
    )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        for f in fields(self):
            if f.name in ("side", "extra"):
                continue
            v = getattr(self, f.name)
            # A squat side always lists its means, measured or not (what the test wrote).
            if v is not None or (self.reps is not None and f.name in self._SQUAT):
                out[f.name] = v
        return out

    @classmethod
    def from_json(cls, side: str, d: Any) -> SideSummary:
        d = _obj(d, f"the {side} side's summary")
        kw: dict[str, Any] = {}
        names = [f.name for f in fields(cls) if f.name not in ("side", "extra")]
        for name in names:
            v = d.get(name)
            kw[name] = _int(v) if name in ("trials", "reps") else _num(v)
        return cls(side=side, extra=_extra(d, names), **kw)


@dataclass(frozen=True)
class NormComparison:
    """A published norm for the person's age and how the best hold compares with it."""

    mean_s: float
    age_band: str
    eyes: str
    source: str
    best_hold_s: float | None = None
    percent_of_mean: float | None = None
    comparison: str | None = None
    """``at or above mean`` or ``below mean``."""
    norms: tuple[Mapping[str, Any], ...] | None = None
    """Every published norm that matches (with its ``verdict`` sentence), as norms wrote it."""
    fall_risk_cutoff_s: float | None = None
    fall_risk_source: str | None = None
    below_fall_risk_cutoff: bool | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    _KNOWN: ClassVar[tuple[str, ...]] = (
        "mean_s",
        "age_band",
        "eyes",
        "source",
        "best_hold_s",
        "percent_of_mean",
        "comparison",
        "norms",
        "fall_risk_cutoff_s",
        "fall_risk_source",
        "below_fall_risk_cutoff",
    )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            **self.extra,
            "mean_s": self.mean_s,
            "age_band": self.age_band,
            "eyes": self.eyes,
            "source": self.source,
        }
        _put(out, "best_hold_s", self.best_hold_s)
        _put(out, "percent_of_mean", self.percent_of_mean)
        _put(out, "comparison", self.comparison)
        if self.norms is not None:
            out["norms"] = [dict(n) for n in self.norms]
        _put(out, "fall_risk_cutoff_s", self.fall_risk_cutoff_s)
        _put(out, "fall_risk_source", self.fall_risk_source)
        _put(out, "below_fall_risk_cutoff", self.below_fall_risk_cutoff)
        return out

    @classmethod
    def from_json(cls, d: Any) -> NormComparison | None:
        if not isinstance(d, Mapping) or _num(d.get("mean_s")) is None:
            return None
        return cls(
            mean_s=_num(d.get("mean_s")) or 0.0,
            age_band=str(d.get("age_band", "")),
            eyes=str(d.get("eyes", "")),
            source=str(d.get("source", "")),
            best_hold_s=_num(d.get("best_hold_s")),
            percent_of_mean=_num(d.get("percent_of_mean")),
            comparison=_str(d.get("comparison")),
            norms=(
                tuple(dict(n) for n in d["norms"] if isinstance(n, Mapping))
                if isinstance(d.get("norms"), list)
                else None
            ),
            fall_risk_cutoff_s=_num(d.get("fall_risk_cutoff_s")),
            fall_risk_source=_str(d.get("fall_risk_source")),
            below_fall_risk_cutoff=(
                d["below_fall_risk_cutoff"]
                if isinstance(d.get("below_fall_risk_cutoff"), bool)
                else None
            ),
            extra=_extra(d, cls._KNOWN),
        )


class Renderer(Protocol):
    """What a test provides to show its results (the protocol classes do)."""

    title: str

    def table(self, result: TestResult) -> list[str]: ...

    def sentences(self, result: TestResult, *, guest: bool = False) -> list[str]: ...


_RENDERERS: dict[str, Renderer] = {}


def register_renderer(name: str, renderer: Renderer) -> None:
    """Let ``renderer`` show the results of test ``name`` (the protocols register here)."""
    _RENDERERS[name] = renderer


def _renderer(name: str) -> Renderer | None:
    if not _RENDERERS:
        # The tests register themselves when the protocols package is imported; a result read
        # from the store may come before that. Found by name, as commands and sources are, so
        # this leaf module never imports the package that imports it.
        importlib.import_module("balance_trainer.protocols")
    return _RENDERERS.get(name)


_TRIALS_KEY = {"single-leg-squat": "sets", "mctsib": "conditions"}
"""Where each test keeps its trials in the stored form (the rest: ``trials``)."""


@dataclass(frozen=True)
class TestResult:
    """A clinical test's result. See the module docstring for the stored form.

    Test-level measures that a test does not produce are None: ``asymmetry_pct`` (of the
    best holds, single-leg; of the loads, weight-bearing), ``ml_rms_asymmetry_pct`` and
    ``ml_drift_difference_mm`` (hip stability), ``pelvic_control_asymmetry_pct`` (squats),
    ``left_share``/``right_share``/``more_on`` (weight-bearing), and the mCTSIB's
    ``velocity_measure``, ``velocities_mm_s``, ``composite_velocity_mm_s``, ``ratios`` and
    ``complete``.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class, whatever its name says

    test: str
    params: Mapping[str, Any] = field(default_factory=dict)
    body_weight_n: float | None = None
    trials: tuple[Trial, ...] = ()
    reps: tuple[Repetition, ...] = ()
    false_starts: tuple[FalseStart, ...] | None = None
    sides: tuple[SideSummary, ...] = ()
    asymmetry_pct: float | None = None
    ml_rms_asymmetry_pct: float | None = None
    ml_drift_difference_mm: float | None = None
    pelvic_control_asymmetry_pct: float | None = None
    left_share: float | None = None
    right_share: float | None = None
    more_on: str | None = None
    velocity_measure: str | None = None
    velocities_mm_s: Mapping[str, float | None] | None = None
    composite_velocity_mm_s: float | None = None
    ratios: Mapping[str, float | None] | None = None
    complete: bool | None = None
    norm: NormComparison | None = None
    has_norm_field: bool = False
    """The test compares with norms (single-leg stance), so ``norm`` is stored even when None."""
    scale_limits: str | None = None
    notes: tuple[str, ...] = ()
    schema: int = SCHEMA_VERSION
    """The layout this result was read from (1: stored before results were versioned)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Stored top-level keys this version does not type, kept as they are."""
    summary_extra: Mapping[str, Any] = field(default_factory=dict)
    """The same inside ``summary``."""

    _KNOWN: ClassVar[tuple[str, ...]] = (
        "schema",
        "test",
        "params",
        "body_weight_n",
        "trials",
        "sets",
        "conditions",
        "reps",
        "false_starts",
        "summary",
        "velocity_measure",
        "velocities_mm_s",
        "composite_velocity_mm_s",
        "ratios",
        "complete",
        "norm",
        "scale_limits",
        "notes",
    )
    _SUMMARY: ClassVar[tuple[str, ...]] = (
        *SIDES,
        "asymmetry_pct",
        "ml_rms_asymmetry_pct",
        "ml_drift_difference_mm",
        "pelvic_control_asymmetry_pct",
        "left_share",
        "right_share",
        "more_on",
    )

    # -- reading -----------------------------------------------------------------------------
    def side(self, side: str) -> SideSummary | None:
        """The summary of one stance side, None if that side has no trial."""
        for s in self.sides:
            if s.side == side:
                return s
        return None

    def trials_on(self, side: str) -> list[Trial]:
        return [t for t in self.trials if t.stance_side == side]

    @property
    def best_trial(self) -> Trial | None:
        """The longest completed hold (or trial), for history lists."""
        with_metrics = [t for t in self.trials if t.metrics]
        if not with_metrics:
            return None
        return max(with_metrics, key=lambda t: t.seconds)

    # -- showing -----------------------------------------------------------------------------
    @property
    def title(self) -> str:
        r = _renderer(self.test)
        return r.title if r is not None else self.test

    def table(self) -> list[str]:
        """The clinician's table, as the test writes it (a title line first)."""
        r = _renderer(self.test)
        if r is None:
            return [self.test, *(f"note: {n}" for n in self.notes)]
        return r.table(self)

    def sentences(self, *, guest: bool = False) -> list[str]:
        """The few numbers a person wants to hear, as plain sentences.

        ``guest``: nobody chosen, so no age is known (the sentences say how to get a norm).
        """
        r = _renderer(self.test)
        return r.sentences(self, guest=guest) if r is not None else list(self.notes[:2])

    # -- storing -----------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The stored form (module docstring), ``schema`` first."""
        out: dict[str, Any] = {
            **self.extra,
            "schema": SCHEMA_VERSION,
            "test": self.test,
            "params": dict(self.params),
            "body_weight_n": self.body_weight_n,
        }
        trials = [t.to_json() for t in self.trials]
        if self.test == "single-leg-squat":
            out["reps"] = [r.to_json() for r in self.reps]
            out["sets"] = trials
        else:
            out[_TRIALS_KEY.get(self.test, "trials")] = trials
        if self.false_starts is not None:
            out["false_starts"] = [f.to_json() for f in self.false_starts]
        summary = self._summary_json()
        if summary is not None or self.test == "weight-bearing-symmetry":
            out["summary"] = summary
        if self.velocity_measure is not None:
            out["velocity_measure"] = self.velocity_measure
            out["velocities_mm_s"] = dict(self.velocities_mm_s or {})
            out["composite_velocity_mm_s"] = self.composite_velocity_mm_s
            out["ratios"] = dict(self.ratios or {})
        if self.complete is not None:
            out["complete"] = bool(self.complete)
        if self.has_norm_field or self.norm is not None:
            out["norm"] = self.norm.to_json() if self.norm is not None else None
        _put(out, "scale_limits", self.scale_limits)
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def _summary_json(self) -> dict[str, Any] | None:
        if self.test == "weight-bearing-symmetry":
            if self.left_share is None:
                return None
            return {
                **self.summary_extra,
                "left_share": self.left_share,
                "right_share": self.right_share,
                "asymmetry_pct": self.asymmetry_pct,
                "more_on": self.more_on,
            }
        if self.test in ("mctsib", "btracks-balance"):
            return None  # per-condition scores at the top level (protocols.btracks_text)
        out: dict[str, Any] = dict(self.summary_extra)
        out.update({s.side: s.to_json() for s in self.sides})
        if self.test == "single-leg-squat":
            out["pelvic_control_asymmetry_pct"] = self.pelvic_control_asymmetry_pct
            return out
        out["asymmetry_pct"] = self.asymmetry_pct
        if self.test == "hip-stability":
            out["ml_drift_difference_mm"] = self.ml_drift_difference_mm
            out["ml_rms_asymmetry_pct"] = self.ml_rms_asymmetry_pct
        return out

    @classmethod
    def from_json(cls, d: Any) -> TestResult:
        """A result from its stored form, schema 1 (unversioned) or 2.

        Raises
        ------
        DataFormatError
            Not an object, no test name, or a schema newer than this code knows.
        """
        d = _obj(d, "the result")
        schema = d.get("schema", 1)
        if not isinstance(schema, int) or not 1 <= schema <= SCHEMA_VERSION:
            raise DataFormatError(
                f"stored result schema {schema!r}: this version reads 1 to {SCHEMA_VERSION}; "
                "update balance-trainer to read it"
            )
        test = d.get("test")
        if not isinstance(test, str) or not test:
            raise DataFormatError(
                "stored result has no test name; it was not written by a clinical test"
            )
        key = _TRIALS_KEY.get(test, "trials")
        summary = d.get("summary")
        summary = summary if isinstance(summary, Mapping) else {}
        sides = tuple(
            SideSummary.from_json(s, summary[s])
            for s in SIDES
            if isinstance(summary.get(s), Mapping)
        )
        fs = d.get("false_starts")
        vel = d.get("velocities_mm_s")
        ratios = d.get("ratios")
        notes = tuple(str(n) for n in _list(d.get("notes")))
        params = d.get("params")
        return cls(
            test=test,
            params=dict(params) if isinstance(params, Mapping) else {},
            body_weight_n=_num(d.get("body_weight_n")),
            trials=tuple(Trial.from_json(t) for t in _list(d.get(key))),
            reps=tuple(Repetition.from_json(r) for r in _list(d.get("reps"))),
            false_starts=None if fs is None else tuple(FalseStart.from_json(x) for x in _list(fs)),
            sides=sides,
            asymmetry_pct=_num(summary.get("asymmetry_pct")),
            ml_rms_asymmetry_pct=_num(summary.get("ml_rms_asymmetry_pct")),
            ml_drift_difference_mm=_num(summary.get("ml_drift_difference_mm")),
            pelvic_control_asymmetry_pct=_num(summary.get("pelvic_control_asymmetry_pct")),
            left_share=_num(summary.get("left_share")),
            right_share=_num(summary.get("right_share")),
            more_on=_str(summary.get("more_on")),
            velocity_measure=_str(d.get("velocity_measure")),
            velocities_mm_s=(
                {str(k): _num(v) for k, v in vel.items()} if isinstance(vel, Mapping) else None
            ),
            composite_velocity_mm_s=_num(d.get("composite_velocity_mm_s")),
            ratios=(
                {str(k): _num(v) for k, v in ratios.items()}
                if isinstance(ratios, Mapping)
                else None
            ),
            complete=d["complete"] if isinstance(d.get("complete"), bool) else None,
            norm=NormComparison.from_json(d.get("norm")),
            has_norm_field="norm" in d,
            scale_limits=_str(d.get("scale_limits")),
            notes=notes,
            schema=schema,
            extra=_extra(d, cls._KNOWN),
            summary_extra=_extra(summary, cls._SUMMARY),
        )
