"""A minimal detectable change beside every trend (issue 13): better/worse only beyond it."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from feet_helpers import BOARD

from balance_trainer.cli import main
from balance_trainer.report import MEASURES
from balance_trainer.results import SCHEMA_VERSION
from balance_trainer.store import Store
from balance_trainer.trends import (
    Direction,
    Mdc,
    MdcBasis,
    all_trends,
    judge_change,
    measure_mdc,
    trend_lines,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def own(value: float) -> Mdc:
    return Mdc(value, "mm", MdcBasis.OWN_TRIALS, "test")


@pytest.mark.parametrize(
    "prev, cur, higher, want",
    [
        (5.0, 5.9, False, Direction.NO_REAL_CHANGE),  # 0.9 within 1.0
        (5.0, 4.0, False, Direction.NO_REAL_CHANGE),  # exactly the MDC is not beyond it
        (5.0, 3.9, False, Direction.BETTER),  # less sway, beyond the MDC
        (5.0, 6.2, False, Direction.WORSE),
        (5.0, 6.2, True, Direction.BETTER),  # a longer hold
    ],
)
def test_a_change_is_called_only_beyond_the_mdc(prev, cur, higher, want):
    d, text = judge_change(prev, cur, own(1.0), higher_is_better=higher, unit="mm")
    assert d is want
    if want is Direction.NO_REAL_CHANGE:
        assert "no real change (within MDC 1 mm)" in text
    else:
        assert f"{want} than last time" in text


def test_without_an_mdc_no_direction_is_called():
    d, text = judge_change(5.0, 1.0, None, higher_is_better=False, unit="mm")
    assert d is Direction.UNKNOWN and "not judged" in text
    assert "better" not in text and "worse" not in text


def test_hold_time_uses_goldbergs_published_mdc():
    mdc = measure_mdc("hold_s", "s", [[10.0, 30.0, 20.0]])
    assert mdc is not None and mdc.basis is MdcBasis.PUBLISHED
    assert mdc.value == 24.1 and "Goldberg" in mdc.source and "60-89" in mdc.source


def test_own_trials_mdc_is_1_96_root2_times_the_pooled_within_session_sd():
    sessions = [[3.0, 4.0, 5.0], [6.0, 6.5], [9.0]]  # a single trial adds nothing
    mdc = measure_mdc("ml_rms_mm", "mm", sessions)
    ss = sum(float(np.sum((np.array(s) - np.mean(s)) ** 2)) for s in sessions)
    sem = math.sqrt(ss / (2 + 1))
    assert mdc is not None and mdc.basis is MdcBasis.OWN_TRIALS
    assert mdc.value == pytest.approx(1.96 * math.sqrt(2) * sem, rel=1e-12)
    assert (mdc.sessions, mdc.dof) == (2, 3)
    assert measure_mdc("ml_rms_mm", "mm", [[3.0], [4.0]]) is None


def stance_result(holds_rms: list[tuple[str, float, float]]) -> dict:
    trials = [
        {
            "trial": i + 1,
            "stance_side": side,
            "start_s": 0.0,
            "end_s": hold,
            "hold_s": hold,
            "stop_reason": "touch",
            "metrics": {"ml_rms_mm": rms},
        }
        for i, (side, hold, rms) in enumerate(holds_rms)
    ]
    return {
        "schema": SCHEMA_VERSION,
        "test": "single-leg-stance",
        "params": {"eyes": "open"},
        "trials": trials,
        "summary": {},
    }


def store_tests(data_dir, results):
    with Store.open(data_dir) as s:
        s.add_person("p01")
        for day, res in enumerate(results):
            when = T0 + timedelta(days=day)
            sid = s.start_session("p01", "test", started_at=when)
            rec = s.start_trial(sid, "single-leg-stance", {}, BOARD, started_at=when)
            rec.add_frames(np.arange(4) / 80.0, np.full((4, BOARD.n_cells), 150.0))
            rec.finish(result=res)


# Three sessions of a steady person (RMS spread ~0.3 mm within a session), then one 2 mm worse.
SESSIONS = [
    [("left", 20.0, 4.0), ("left", 22.0, 4.3), ("left", 21.0, 3.8)],
    [("left", 24.0, 4.1), ("left", 23.0, 4.4), ("left", 25.0, 3.9)],
    [("left", 26.0, 6.2), ("left", 25.0, 6.4), ("left", 27.0, 6.0)],
]


def test_history_says_worse_only_where_the_change_exceeds_the_mdc(tmp_path, capsys):
    store_tests(tmp_path, [stance_result(s) for s in SESSIONS])
    assert main(["history", "p01", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    hold = next(x for x in out.splitlines() if x.strip().startswith("best hold, left"))
    sway = next(x for x in out.splitlines() if x.strip().startswith("ML RMS, left"))
    # best hold 25 -> 27 s: within Goldberg's 24.1 s
    assert "+2 s: no real change (within MDC 24.1 s)" in hold and "Goldberg" in hold
    # mean RMS 4.13 -> 6.2 mm, beyond the own-trials MDC (~0.6 mm)
    assert "worse than last time" in sway and "own trials" in sway and "3 sessions, 6 df" in sway

    assert main(["history", "p01", "--json", "--data-dir", str(tmp_path)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    first, last = lines[0]["trials"][0]["trend"], lines[-1]["trials"][0]["trend"]
    assert first["hold"]["left"]["verdict"] is None  # nothing to compare with
    assert last["hold"]["left"]["verdict"] == "no real change"
    assert last["hold"]["left"]["mdc"]["basis"] == "published"
    assert last["sway"]["left"]["verdict"] == "worse"
    assert last["sway"]["left"]["mdc"]["basis"] == "own trials"
    rms = [np.array([x[2] for x in s]) for s in SESSIONS]
    sem = math.sqrt(sum(float(np.sum((r - r.mean()) ** 2)) for r in rms) / 6)
    assert last["sway"]["left"]["mdc"]["value"] == pytest.approx(1.96 * math.sqrt(2) * sem)


def test_a_change_within_the_persons_own_mdc_is_no_real_change(tmp_path):
    steady = [
        [("left", 20.0, 4.0), ("left", 21.0, 4.6)],
        [("left", 20.0, 4.5), ("left", 21.0, 3.9)],  # mean 4.3 -> 4.2
    ]
    store_tests(tmp_path, [stance_result(s) for s in steady])
    with Store.open(tmp_path) as s:
        trials = [t for ss in s.history("p01") for t in ss.trials]
    trends = all_trends(trials, MEASURES)
    mdc, steps, _ = trends["sway"]["left"]
    assert mdc is not None and mdc.value > 1.0
    assert steps[-1].direction is Direction.NO_REAL_CHANGE
    text = "\n".join(trend_lines(trends, MEASURES))
    assert "better" not in text.split("MDC95")[1] and "worse" not in text.split("MDC95")[1]


def test_the_report_shows_each_trend_with_its_mdc_and_verdict(tmp_path, capsys):
    store_tests(tmp_path, [stance_result(s) for s in SESSIONS])
    out = tmp_path / "r.html"
    assert main(["report", "p01", "-o", str(out), "--data-dir", str(tmp_path)]) == 0
    page = out.read_text()
    assert "<h2>Changes since last time</h2>" in page
    assert "+2 s: no real change (within MDC 24.1 s)" in page and "Goldberg et al. 2011" in page
    assert "worse than last time" in page and "own trials" in page


def test_a_measure_without_a_better_direction_is_never_called_better_or_worse():
    d, text = judge_change(5.0, 9.0, own(1.0), higher_is_better=None, unit="mm")
    assert d is Direction.REAL_CHANGE and "better" not in text.split(";")[0]
    assert "which way is better is not set" in text
