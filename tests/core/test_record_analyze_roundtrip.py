"""Every simulator scenario recorded with ``record`` analyses with ``analyze`` (issue 13).

The board's own recordings hold what a real board gives: an unloaded cell reads zero plus
noise, so a lifted foot's side reads a hair below zero and the left share strays past 1 by
~1e-6. That must analyse; only a scenario with nobody on the board is refused.
"""

from __future__ import annotations

import json

import pytest

from balance_trainer.cli import main
from balance_trainer.store import Store
from hardware.simulated import SCENARIOS

WITH_SOMEONE = [s for s in SCENARIOS if s != "empty"]
CASES = [(s, False) for s in WITH_SOMEONE] + [("single-leg-left", True), ("squats-right", True)]


def _record(path, scenario, *extra):
    args = ["record", "-o", str(path), "--seconds", "40", "--scenario", scenario, "--fast"]
    return main([*args, *extra])


@pytest.mark.parametrize("scenario,weak_hip", CASES)
def test_every_scenario_recorded_for_40_s_analyses(tmp_path, capsys, scenario, weak_hip):
    path = tmp_path / f"{scenario}.csv"
    # --weak-hip takes the weak side: here the leg stood on
    weak = ["--weak-hip", scenario.rsplit("-", 1)[1]] if weak_hip else []
    assert _record(path, scenario, *weak) == 0
    capsys.readouterr()
    assert main(["analyze", "--json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    m = out["metrics"]
    assert 0.0 <= m["left_share"] <= 1.0
    assert m["ml_rms_mm"] > 0 and m["duration_s"] > 1.0
    if m["duration_s"] >= 20.0:
        assert m["ml_f50_hz"] is not None


def test_an_empty_board_is_refused_in_one_line_with_status_2(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    assert _record(path, "empty") == 0
    capsys.readouterr()
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "empty.csv" in err and "nobody" in err


def test_record_person_stores_sway_measures_for_a_40_s_single_leg_stand(tmp_path, capsys):
    data = str(tmp_path / "data")
    assert main(["people", "add", "p01", "--data-dir", data]) == 0
    args = ["record", "--person", "p01", "--seconds", "40", "--fast"]
    assert main([*args, "--scenario", "single-leg-right", "--data-dir", data]) == 0
    err = capsys.readouterr().err
    assert "too little on the board" not in err
    with Store.open(data) as s:
        (session,) = s.history("p01")
        (trial,) = session.trials
    assert trial.metrics is not None and trial.metrics["ml_rms_mm"] > 0
