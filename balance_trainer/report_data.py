"""What a report shows, gathered from the store: the latest result of each test, per-side
trends, game scores and the COP traces of the latest one-leg trials.

Part of :mod:`.report` (import from there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from .balance import BalanceModel
from .report_text import (
    MEASURES,
    ONE_LEG_TESTS,
    SIDES,
    _stance_sides,
    measure_by_side,
    norm_text,
    summarize_trial,
    verdict_for,
)
from .store import Person, SessionRecord, Store, TrialRow
from .trends import TrendRow, all_trends, trend_rows


@dataclass
class Trace:
    """COP of one stored trial, ready to draw. Times from the trial's start, s; COP in mm."""

    trial: TrialRow
    t_s: np.ndarray
    ml_mm: np.ndarray
    ap_mm: np.ndarray | None
    left_n: np.ndarray
    right_n: np.ndarray


@dataclass
class LatestRow:
    protocol: str
    when: datetime
    summary: str
    norm: str
    verdict: str


@dataclass
class ReportData:
    """Everything a report shows, gathered from the store."""

    person: Person
    generated_at: datetime
    sessions: list[SessionRecord]
    latest: list[LatestRow] = field(default_factory=list)
    trends: dict[str, dict[str, list[tuple[datetime, float]]]] = field(default_factory=dict)
    games: dict[str, list[tuple[datetime, float]]] = field(default_factory=dict)
    latest_by_side: dict[str, dict[str, float]] = field(default_factory=dict)
    traces: list[Trace] = field(default_factory=list)
    changes: list[TrendRow] = field(default_factory=list)
    """Each trend's last change against its minimal detectable change (:mod:`.trends`)."""

    @property
    def trials(self) -> list[TrialRow]:
        return [t for s in self.sessions for t in s.trials]


def gather(store: Store, pid: str, *, n_traces: int = 3, now: datetime | None = None) -> ReportData:
    """Read what the report needs: the history, and frames of the ``n_traces`` latest trials."""
    person = store.get_person(pid)
    data = ReportData(person, now or datetime.now().astimezone(), store.history(pid))
    trials = sorted(data.trials, key=lambda t: (t.started_at, t.id))
    latest: dict[str, TrialRow] = {}
    for t in trials:
        if t.status == "complete" or t.protocol not in latest:
            latest[t.protocol] = t
    for proto, t in sorted(latest.items()):
        data.latest.append(
            LatestRow(proto, t.started_at, summarize_trial(t), norm_text(t.result), verdict_for(t))
        )
    for key, m in MEASURES.items():
        series: dict[str, list[tuple[datetime, float]]] = {}
        for t in trials:
            if t.status != "complete" or t.protocol not in m.protocols:
                continue
            for side, v in measure_by_side(t, m).items():
                series.setdefault(side, []).append((t.started_at, v))
                data.latest_by_side.setdefault(key, {})[side] = v
        if series:
            data.trends[key] = series
    data.changes = trend_rows(all_trends(trials, MEASURES), MEASURES)
    for s in data.sessions:
        for g in s.games:
            data.games.setdefault(g.game, []).append((g.created_at, g.score))
    data.traces = [_trace(store, t) for t in _trace_trials(trials, n_traces)]
    return data


def _trace_trials(trials: list[TrialRow], n: int) -> list[TrialRow]:
    """The one-leg trials, the latest complete one per stance side, newest first (a trial of
    both legs serves both); without any, the latest trials with frames, one per protocol."""
    with_frames = [t for t in reversed(trials) if t.n_frames > 1]
    chosen: list[TrialRow] = []
    for side in SIDES:
        for t in with_frames:
            if t.protocol in ONE_LEG_TESTS and t.status == "complete" and side in _stance_sides(t):
                if t not in chosen:
                    chosen.append(t)
                break
    if chosen:
        return chosen[:n]
    seen: set[str] = set()
    for t in with_frames:
        if len(chosen) < n and t.protocol not in seen:
            chosen.append(t)
            seen.add(t.protocol)
    for t in with_frames:
        if len(chosen) < n and t not in chosen:
            chosen.append(t)
    return chosen


def _trace(store: Store, trial: TrialRow) -> Trace:
    t, f, board = store.trial_frames(trial.id)
    b = BalanceModel(board).compute(t, f)
    ap = b.cop_ap_mm if board.has_ap_spacing and np.isfinite(b.cop_ap_mm).any() else None
    return Trace(trial, t - t[0], b.cop_ml_mm, ap, b.left_n, b.right_n)
