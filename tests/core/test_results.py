"""Typed results: stored results of every age load, round-trip, and read the same everywhere."""

from __future__ import annotations

import json
import shutil

import pytest
from test_protocols import run, script, stand_on

from balance_trainer.cli import main
from balance_trainer.errors import DataFormatError
from balance_trainer.protocols import make_protocol
from balance_trainer.report import summarize_trial
from balance_trainer.results import SCHEMA_VERSION, TestResult, Trial
from balance_trainer.store import Store

OLD_DB = "tests/data/results-617c5fa.sqlite"
"""Written by commit 617c5fa's CLI (``test --person p01 --fast``), before results had a schema."""


@pytest.fixture
def old_store(tmp_path):
    shutil.copy(OLD_DB, tmp_path / "balance-trainer.db")
    with Store.open(tmp_path) as s:
        yield s


def _by_test(store):
    return {t.protocol: t for s in store.history("p01") for t in s.trials}


def test_results_stored_before_the_schema_load_as_typed_values(old_store):
    trials = _by_test(old_store)
    assert sorted(trials) == [
        "hip-stability",
        "single-leg-squat",
        "single-leg-stance",
        "weight-bearing-symmetry",
    ]
    stance = trials["single-leg-stance"].test_result
    assert stance.schema == 1 and stance.test == "single-leg-stance"
    (hold,) = stance.trials
    assert hold.stance_side == "left" and hold.hold_s == 27.4625 and hold.stop_reason == "touchdown"
    assert hold.metric("ml_rms_mm") == 11.3304 and hold.time_to_stabilise_s is None
    assert stance.side("left").best_hold_s == 27.4625 and stance.side("right") is None
    assert stance.norm.mean_s == 17.2 and stance.norm.comparison == "at or above mean"
    wbs = trials["weight-bearing-symmetry"].test_result
    assert wbs.left_share == pytest.approx(0.485, abs=0.001) and wbs.more_on == "right"
    squat = trials["single-leg-squat"].test_result
    assert len(squat.reps) == 3 and {r.stance_side for r in squat.reps} == {"right"}
    assert squat.trials[0].reps == 3 and squat.side("right").reps == 3
    hip = trials["hip-stability"].test_result
    assert hip.side("right").mean_ml_drift_mm == pytest.approx(4.0604)
    assert hip.scale_limits.startswith("What a scale can see")


def test_results_stored_before_the_schema_render_as_the_code_of_then_rendered_them(old_store):
    # The table lines below are what commit 617c5fa's ``test`` command printed for these trials.
    trials = _by_test(old_store)
    table = trials["single-leg-stance"].test_result.table()
    assert table[0] == ("Single-leg stance (eyes open, max 45 s, age 76, body weight 70.0 kg)")
    assert "1      left    27.5  touchdown       11.3         40.1" in table
    assert table[-1].startswith("norm: mean 17.2 s for ages 70-79, eyes open (Bohannon RW (2006))")
    wbs = trials["weight-bearing-symmetry"].test_result.table()
    assert wbs[-1] == "1      10.0    max_time    48.5     51.5    -3.0"


def test_storing_a_result_again_keeps_every_value_and_adds_the_schema(old_store):
    for trial in _by_test(old_store).values():
        typed = trial.test_result
        stored = typed.to_json()
        assert stored.pop("schema") == SCHEMA_VERSION
        assert stored == trial.result  # nothing lost, nothing renamed
        again = TestResult.from_json(typed.to_json())
        assert again == TestResult.from_json(typed.to_json()) and again.schema == SCHEMA_VERSION


def test_a_fresh_result_round_trips_through_its_json():
    steps = [(0, 0.5, 0.5), *stand_on("left", 3.0, 12.0), *stand_on("right", 16.0, 22.0)]
    proto = make_protocol("hip-stability", side="both")
    run(proto, script(steps + [(26, 0.5, 0.5)], 26))
    typed = proto.test_result()
    stored = json.loads(json.dumps(typed.to_json()))
    assert stored["schema"] == SCHEMA_VERSION
    assert TestResult.from_json(stored) == typed
    assert proto.result() == stored


def test_the_measures_still_to_come_are_optional_and_kept_when_filled_in():
    t = Trial(1, 2.0, 12.0, "touchdown", stance_side="left", hold_s=10.0)
    assert t.steady_ml_rms_mm is None and t.norm_verdict is None
    assert "time_to_stabilise_s" not in t.to_json()  # not filled in: not stored as null
    filled = Trial(
        1,
        2.0,
        12.0,
        "touchdown",
        stance_side="left",
        hold_s=10.0,
        steady_ml_rms_mm=4.2,
        time_to_stabilise_s=1.3,
        ml_time_to_boundary_s=2.5,
        pelvic_drop_mean_deg=3.0,
        pelvic_drop_peak_deg=6.5,
        norm_verdict="within the norm",
    )
    back = Trial.from_json(json.loads(json.dumps(filled.to_json())))
    assert back == filled and back.metric("time_to_stabilise_s") == 1.3


@pytest.mark.parametrize(
    "stored, words",
    [
        ({"schema": 99, "test": "mctsib"}, "schema 99"),
        ({"schema": 2}, "no test name"),
        ([1, 2], "not an object"),
        ({"test": "mctsib", "conditions": ["x"]}, "a trial is str"),
    ],
)
def test_a_result_that_cannot_be_read_says_why(stored, words):
    with pytest.raises(DataFormatError, match=words):
        TestResult.from_json(stored)


def test_history_the_app_and_the_cli_say_the_same_thing(old_store, tmp_path, capsys):
    wbs = _by_test(old_store)["weight-bearing-symmetry"]
    first = wbs.test_result.sentences()[0]
    assert first == "Left foot 48 %, right foot 52 % of your weight"
    assert summarize_trial(wbs) == first
    old_store.close()
    assert main(["history", "p01", "--data-dir", str(tmp_path)]) == 0
    assert first in capsys.readouterr().out


def test_the_test_command_prints_the_table_of_the_result_it_stores(tmp_path, capsys):
    data = str(tmp_path)
    assert main(["people", "add", "p9", "--birth-year", "1950", "--data-dir", data]) == 0
    args = ["test", "weight-bearing-symmetry", "--fast", "--person", "p9", "--data-dir", data]
    assert main(args) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    with Store.open(data) as s:
        (trial,) = [t for x in s.history("p9") for t in x.trials]
    assert trial.result["schema"] == SCHEMA_VERSION
    table = trial.test_result.table()
    assert printed[-len(table) :] == table


def test_keys_a_newer_test_adds_are_kept_when_a_result_is_stored_again():
    stored = {
        "schema": SCHEMA_VERSION,
        "test": "single-leg-stance",
        "params": {"side": "left"},
        "body_weight_n": 700.0,
        "trials": [
            {
                "trial": 1,
                "stance_side": "left",
                "start_s": 1.0,
                "end_s": 9.0,
                "hold_s": 8.0,
                "stop_reason": "touchdown",
                "brushes": 0,
                "metrics": {"ml_rms_mm": 3.0},
                "sway_band": "steady",
            }
        ],
        "false_starts": [],
        "summary": {
            "left": {"trials": 1, "best_hold_s": 8.0, "mean_hold_s": 8.0, "cv": 0.1},
            "asymmetry_pct": None,
            "mdc95_s": 2.5,
        },
        "norm": {
            "mean_s": 17.2,
            "age_band": "70-79",
            "eyes": "open",
            "source": "x",
            "norms": [{"mean_s": 17.2, "verdict": "below"}],
            "sd_s": 9.0,
        },
        "programme_week": 3,
    }
    again = TestResult.from_json(stored).to_json()
    assert again == stored
