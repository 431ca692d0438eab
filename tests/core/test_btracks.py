"""The BTrackS tests: mCTSIB and Balance Test scored as path length, norms lookup, ML-only."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from feet_helpers import BW, FS, feet_block
from test_protocols import run

from balance_trainer.balance import BalanceModel
from balance_trainer.btracks_norms import (
    BBT_NORMS,
    MCTSIB_NORMS,
    NormTable,
    PercentileBand,
    Sex,
    find_band,
    norm_verdict,
    percentile_of,
)
from balance_trainer.cli import main
from balance_trainer.config import load_board
from balance_trainer.errors import UsageError
from balance_trainer.protocols import check_board_for, make_protocol
from balance_trainer.protocols.btracks_text import ML_ONLY_LABEL, MctsibScores
from balance_trainer.recording import RecordingWriter
from balance_trainer.results import TestResult

CORNERS = load_board("corners-4")
HX, HY = 216.5, 119.0  # corners-4 cell positions, mm


def corners_block(t, x_mm, y_mm, load_n):
    """Balance on the 4-corner board for a COP path ``(x, y)`` and total load (bilinear)."""
    u = (np.asarray(x_mm) + HX) / (2 * HX)
    v = (np.asarray(y_mm) + HY) / (2 * HY)
    f = np.asarray(load_n, dtype=float)
    # cell order of corners-4.toml: front_left, front_right, back_left, back_right
    forces = np.column_stack([f * (1 - u) * v, f * u * v, f * (1 - u) * (1 - v), f * u * (1 - v)])
    return BalanceModel(CORNERS).compute(np.asarray(t, dtype=float), forces)


def circling(total_s, radius, freq=0.5, off=()):
    """A person circling the COP at ``radius(t)`` mm and ``freq`` Hz; ``off``: (t0, t1)
    stretches with nobody on the board."""
    t = np.arange(int(round(total_s * FS))) / FS
    r = radius(t) if callable(radius) else np.full(t.shape, float(radius))
    x = r * np.cos(2 * np.pi * freq * t)
    y = r * np.sin(2 * np.pi * freq * t)
    load = np.full(t.shape, BW)
    for t0, t1 in off:
        load[(t >= t0) & (t < t1)] = 0.0
    return corners_block(t, x, y, load)


def circle_path_cm(radius, freq=0.5, secs=20.0):
    return 2 * math.pi * radius * freq * secs / 10.0


# --- the norms lookup ---------------------------------------------------------------------------

TABLE = NormTable(
    name="test-table",
    source="made up for this test",
    bands=(
        PercentileBand(20, 29, Sex.FEMALE, ((10, 30.0), (50, 20.0), (90, 12.0)), "T1"),
        PercentileBand(30, 39, Sex.FEMALE, ((10, 34.0), (50, 24.0), (90, 14.0)), "T1"),
        PercentileBand(20, 29, Sex.MALE, ((10, 36.0), (50, 26.0), (90, 16.0)), "T2"),
    ),
)


@pytest.mark.parametrize(
    ("age", "sex", "band"),
    [
        (20.0, "female", (20, 29)),
        (29.99, "female", (20, 29)),  # the last day of the band
        (30.0, "female", (30, 39)),  # the first day of the next
        (39.9, "female", (30, 39)),
        (25.0, "male", (20, 29)),
    ],
)
def test_a_band_holds_every_age_from_its_first_to_its_last_whole_year(age, sex, band):
    b = find_band(TABLE, age, sex)
    assert b is not None and (b.age_lo, b.age_hi) == band and b.sex == sex


@pytest.mark.parametrize(("age", "sex"), [(19.99, "female"), (40.0, "female"), (30.0, "male")])
def test_an_age_outside_the_table_has_no_row_and_says_what_the_table_covers(age, sex):
    assert find_band(TABLE, age, sex) is None
    v = norm_verdict(TABLE, 20.0, age, sex)
    assert v.percentile is None and f"no row for age {age:g}" in (v.reason or "")
    assert "20-39" in (v.reason or "")


def test_the_percentile_is_linear_in_path_between_the_printed_points():
    b = TABLE.bands[0]
    assert percentile_of(b, 25.0) == (pytest.approx(30.0), None)  # halfway 30 cm -> 20 cm
    assert percentile_of(b, 16.0) == (pytest.approx(70.0), None)
    assert percentile_of(b, 20.0) == (pytest.approx(50.0), None)
    v = norm_verdict(TABLE, 25.0, 24, "female")
    assert v.percentile == pytest.approx(30.0) and v.band == "women aged 20-29"
    assert v.source.endswith("T1") and v.reason is None


def test_a_path_beyond_the_printed_points_takes_the_nearest_and_says_so():
    b = TABLE.bands[0]
    assert percentile_of(b, 45.0) == (pytest.approx(10.0), "above")
    assert percentile_of(b, 5.0) == (pytest.approx(90.0), "below")


def test_without_age_or_sex_there_is_a_reason_not_a_percentile():
    assert "age unknown" in (norm_verdict(TABLE, 20.0, None, "female").reason or "")
    assert "sex unknown" in (norm_verdict(TABLE, 20.0, 25, None).reason or "")
    assert "women and men only" in (norm_verdict(TABLE, 20.0, 25, "other").reason or "")
    with pytest.raises(UsageError, match="sex 'x'"):
        norm_verdict(TABLE, 20.0, 25, "x")
    with pytest.raises(UsageError, match="age 130"):
        find_band(TABLE, 130, "female")


def test_a_band_whose_paths_do_not_change_one_way_is_refused():
    with pytest.raises(ValueError, match="monotonically"):
        PercentileBand(20, 29, Sex.MALE, ((10, 30.0), (50, 35.0), (90, 12.0)), "T")


def test_this_build_has_no_btracks_table_and_every_verdict_says_why():
    for table in (BBT_NORMS, *MCTSIB_NORMS.values()):
        assert table.bands == ()
        v = norm_verdict(table, 20.0, 25, "female")
        assert v.percentile is None
        assert (v.reason or "").startswith("norms not available in this build: only the abstract")


# --- BTrackS Balance Test -----------------------------------------------------------------------


def test_the_balance_test_scores_the_mean_path_of_trials_2_to_4_not_the_practice():
    # trial 1 (4.5-24.5 s) circles at 10 mm, the rest at 5 mm: the practice must not count
    blk = circling(110, lambda t: np.where(t < 26.0, 10.0, 5.0))
    proto = make_protocol("btracks-balance", age=40, sex="female")
    run(proto, blk)
    res = proto.result()
    trials = res["trials"]
    assert [t["practice"] for t in trials] == [True, False, False, False]
    assert all(t["stop_reason"] == "max_time" for t in trials)
    assert trials[0]["path_cm"] == pytest.approx(circle_path_cm(10.0), rel=0.01)
    for t in trials[1:]:
        assert t["path_cm"] == pytest.approx(circle_path_cm(5.0), rel=0.01)
    assert res["score_cm"] == pytest.approx(np.mean([t["path_cm"] for t in trials[1:]]), 1e-3)
    assert res["complete"] and proto.done
    assert res["params"] == {"max_time_s": 20.0, "age": 40, "sex": "female"}
    r = TestResult.from_json(res)
    table = "\n".join(r.table())
    assert "score (mean path of trials 2-4): 31.4 cm" in table
    assert "norms not available in this build" in table and "Goble & Baweja 2018" in table
    assert r.sentences()[0].startswith("Your sway with eyes closed: 31 cm in 20 s")


def test_a_scored_trial_cut_short_leaves_the_balance_test_without_a_score():
    # the person steps off in the middle of trial 3 (~56.6-76.6 s) and comes back
    blk = circling(150, 5.0, off=[(65.0, 70.0)])
    proto = make_protocol("btracks-balance")
    run(proto, blk)
    res = proto.result()
    cut = [t for t in res["trials"] if t["stop_reason"] != "max_time"]
    assert cut and cut[0]["path_cm"] is None and not cut[0]["scored"]
    assert res["score_cm"] is None and not res["complete"]
    assert "no score" in TestResult.from_json(res).sentences()[0]


def test_the_balance_test_is_refused_on_a_board_without_ap():
    with pytest.raises(UsageError, match="side-to-side sway only"):
        check_board_for("btracks-balance", False, "board 'two-plate-4'")
    check_board_for("btracks-balance", True, "board 'corners-4'")
    check_board_for("mctsib", False, "board 'two-plate-4'")  # mCTSIB has its ML-only variant


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["btracks-balance", "--trials", "2"], "--trials 2: btracks-balance has a fixed"),
        (["mctsib", "--trials", "3"], "--trials 3: mctsib has a fixed number"),
        (["mctsib", "--max-time", "30"], "--max-time: mctsib has fixed durations"),
        (["btracks-balance", "--side", "left"], "done on both feet"),
    ],
)
def test_options_the_btracks_tests_fix_are_refused_in_one_line(capsys, args, message):
    assert main(["test", *args, "--fast", "--board", "sim:corners-4"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_the_cli_refuses_the_balance_test_on_the_default_board_in_one_line(capsys):
    assert main(["test", "btracks-balance", "--fast"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len([x for x in err if "error" in x]) == 1
    assert "two-plate-4" in err[-1] and "corners-4" in err[-1]


def test_analyze_refuses_the_balance_test_on_an_ml_only_recording(tmp_path, capsys):
    path = tmp_path / "ml.csv"
    board = load_board("two-plate-4")
    t = np.arange(800) / FS
    with RecordingWriter(path, board, {}) as w:
        for ti in t:
            w.write(float(ti), np.full(4, BW / 4))
    assert main(["analyze", str(path), "--test", "btracks-balance"]) == 2
    assert "side-to-side sway only" in capsys.readouterr().err


# --- mCTSIB -------------------------------------------------------------------------------------


def test_the_mctsib_on_an_ap_board_scores_total_path_per_condition():
    # off the board at 52-57 s to put the foam pad down, as the protocol asks
    blk = circling(120, 5.0, off=[(52.0, 57.0)])
    proto = make_protocol("mctsib", age=24, sex="male")
    run(proto, blk)
    res = proto.result()
    assert [c["condition"] for c in res["conditions"]] == [
        "eo_firm",
        "ec_firm",
        "eo_foam",
        "ec_foam",
    ]
    assert all(c["duration_s"] == pytest.approx(20.0) for c in res["conditions"])
    assert res["variant"] == "btracks" and res["path_measure"] == "path_length_mm"
    for v in res["path_cm"].values():
        assert v == pytest.approx(circle_path_cm(5.0), rel=0.01)
    assert res["complete"] and set(res["btracks_norms"]) == set(res["path_cm"])
    assert "ratios" not in res and "composite_velocity_mm_s" not in res
    r = TestResult.from_json(res)
    table = r.table()
    assert table[1] == "BTrackS mCTSIB: 4 conditions x 20 s, total COP path length"
    assert any("vestibular" in x and "31.4" in x for x in table)
    assert r.sentences()[0] == (
        "Sway in 20 s: 31 cm eyes open, 31 cm eyes closed, 31 cm on foam, 31 cm on foam eyes closed"
    )
    assert TestResult.from_json(r.to_json()).to_json() == r.to_json()


def test_the_mctsib_on_the_ml_only_board_is_the_labelled_variant_with_ml_path_only():
    t = np.arange(int(120 * FS)) / FS
    load = np.where((t >= 52.0) & (t < 57.0), 0.0, BW / 2)
    sway = 3.0 * np.sin(2 * np.pi * 0.7 * t)  # both feet's COP together: the board's ML COP
    blk = feet_block(load, load, -120.0 + sway, 120.0 + sway)
    proto = make_protocol("mctsib", age=24, sex="female")
    run(proto, blk)
    res = proto.result()
    assert res["variant"] == "ml-only" and res["variant_label"] == ML_ONLY_LABEL
    assert res["path_measure"] == "ml_path_mm" and res["btracks_norms"] is None
    for v in res["path_cm"].values():  # 4 × amplitude × frequency × 20 s
        assert v == pytest.approx(4 * 3.0 * 0.7 * 20.0 / 10.0, rel=0.01)
    r = TestResult.from_json(res)
    s = MctsibScores.of(r)
    assert s is not None and s.ml_only and s.complete
    table = r.table()
    assert table[1] == ML_ONLY_LABEL and not any("percentile" in x for x in table)
    assert r.sentences()[0].startswith("Sway side to side in 20 s: 17 cm eyes open, 17 cm")
    assert any(ML_ONLY_LABEL in x for x in r.sentences())


def test_an_mctsib_stored_before_btracks_still_loads_and_shows_what_it_measured():
    old = {
        "schema": 2,
        "test": "mctsib",
        "params": {"max_time_s": 30.0},
        "body_weight_n": 700.0,
        "conditions": [
            {
                "trial": i + 1,
                "condition": c,
                "eyes": "open" if c.startswith("eo") else "closed",
                "surface": c[3:],
                "start_s": 4.5 + 36 * i,
                "end_s": 34.5 + 36 * i,
                "duration_s": 30.0,
                "stop_reason": "max_time",
                "metrics": {"ml_mean_velocity_mm_s": 5.0 + i},
            }
            for i, c in enumerate(("eo_firm", "ec_firm", "eo_foam", "ec_foam"))
        ],
        "velocity_measure": "ml_mean_velocity_mm_s",
        "velocities_mm_s": {"eo_firm": 5.0, "ec_firm": 6.0, "eo_foam": 7.0, "ec_foam": 8.0},
        "composite_velocity_mm_s": 6.5,
        "ratios": {"somatosensory": 1.2, "visual": 1.4, "vestibular": 1.6},
        "complete": True,
    }
    r = TestResult.from_json(json.loads(json.dumps(old)))
    assert MctsibScores.of(r) is None
    table = "\n".join(r.table())
    assert "stored by an earlier version" in table and "8.00" in table and "6.50" in table
    assert "somatosensory" not in table  # the wrong-way ratio names are not shown again
    assert "6.5 mm/s" in r.sentences()[0]
    assert r.to_json()["ratios"] == old["ratios"]  # kept as stored


# --- on the simulator, end to end ---------------------------------------------------------------


def test_the_simulated_mctsib_on_a_four_corner_board_scores_all_four(capsys):
    args = ["test", "mctsib", "--fast", "--json", "--seed", "1", "--board", "sim:corners-4"]
    assert main(args) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["variant"] == "btracks" and res["complete"]
    p = res["path_cm"]
    assert all(c["stop_reason"] == "max_time" for c in res["conditions"])
    assert p["eo_foam"] > 1.5 * p["eo_firm"] and p["ec_foam"] > p["eo_foam"]


def test_the_simulated_mctsib_on_the_default_board_is_the_ml_only_variant(capsys):
    assert main(["test", "mctsib", "--fast", "--json", "--seed", "1"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["variant"] == "ml-only" and res["complete"]


def test_the_simulated_balance_test_runs_four_trials_with_its_eyes_closed(capsys):
    args = ["test", "btracks-balance", "--fast", "--json", "--seed", "2", "--board"]
    assert main([*args, "sim:corners-4", "--age", "40"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert len(res["trials"]) == 4 and res["complete"] and res["score_cm"] > 0
    assert all(t["eyes"] == "closed" for t in res["trials"])
