"""``balance-trainer test``: live clinical tests on the command line, and their bad input."""

from __future__ import annotations

import json
import re

import pytest

from balance_trainer.cli import main
from balance_trainer.protocols import PROTOCOLS


def run_json(capsys, *args):
    status = main(["test", *args, "--fast", "--json"])
    out, err = capsys.readouterr()
    return status, json.loads(out), err


def test_single_leg_stance_on_the_simulator_gives_one_timed_trial(capsys):
    status, res, err = run_json(
        capsys,
        "single-leg-stance",
        "--side",
        "left",
        "--trials",
        "1",
        "--scenario",
        "single-leg-left",
        "--seed",
        "1",
        "--age",
        "72",
    )
    assert status == 0
    (trial,) = res["trials"]
    assert trial["stance_side"] == "left" and trial["stop_reason"] == "touch"
    assert 15.0 <= trial["hold_s"] <= 31.0  # the scenario holds 15-30 s
    assert res["norm"]["mean_s"] == 21.5  # Springer 2007, best of 3, 70-79
    # Prompts and the countdown go to stderr when stdout carries the JSON.
    assert "Stand on your LEFT leg" in err and "GO" in err and "trial 1 ended" in err


def test_the_table_shows_holds_and_the_norm(capsys):
    status = main(
        [
            "test",
            "single-leg-stance",
            "--side",
            "left",
            "--trials",
            "1",
            "--fast",
            "--scenario",
            "single-leg-left",
            "--seed",
            "1",
            "--age",
            "65",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "hold s" in out and "touch" in out
    assert "norm: mean 32.1 s for ages 60-69, eyes open (Springer et al. 2007, best of 3)" in out
    assert "Bohannon 2006: " in out and "of the 27 s mean of healthy people aged 60-69" in out


def test_a_live_run_recorded_and_analysed_offline_gives_the_same_trial(tmp_path, capsys):
    rec = tmp_path / "live.csv"
    status, live, _ = run_json(
        capsys,
        "single-leg-squat",
        "--side",
        "right",
        "--trials",
        "5",
        "--scenario",
        "squats-right",
        "--seed",
        "1",
        "--record",
        str(rec),
    )
    assert status == 0 and len(live["reps"]) == 5
    assert main(["analyze", str(rec), "--test", "single-leg-squat", "--json"]) == 0
    offline = json.loads(capsys.readouterr().out)
    assert [(r["start_s"], r["bottom_s"], r["end_s"]) for r in offline["reps"]] == [
        (r["start_s"], r["bottom_s"], r["end_s"]) for r in live["reps"]
    ]
    for a, b in zip(offline["reps"], live["reps"], strict=True):
        assert a["metrics"]["ml_range_mm"] == pytest.approx(b["metrics"]["ml_range_mm"], abs=1e-3)


def test_nobody_lifting_a_foot_ends_at_the_timeout_with_an_empty_result(capsys):
    status, res, err = run_json(capsys, "hip-stability", "--timeout", "15", "--scenario", "quiet")
    assert status == 0
    assert res["trials"] == [] and "both feet stayed down" in res["notes"][0]
    assert "--timeout" in err


def test_weight_bearing_symmetry_runs_on_both_feet(capsys):
    status, res, _ = run_json(capsys, "weight-bearing-symmetry", "--scenario", "quiet")
    assert status == 0
    (trial,) = res["trials"]
    assert trial["duration_s"] == pytest.approx(10.0)
    assert 0.3 < trial["left_share"] < 0.7


@pytest.mark.parametrize(
    "args, message",
    [
        (["stork"], "test 'stork' does not exist"),
        (["single-leg-stance", "--side", "middle"], "--side 'middle'"),
        (["single-leg-stance", "--max-time", "50"], "--max-time 50: use 30, 45 or 60"),
        (["single-leg-stance", "--eyes", "shut"], "--eyes 'shut'"),
        (["single-leg-stance", "--trials", "0"], "--trials 0"),
        (["mctsib", "--side", "left"], "done on both feet"),
        (["single-leg-stance", "--timeout", "0"], "--timeout 0"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(capsys, args, message):
    assert main(["test", *args, "--fast"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_analyze_with_an_unknown_test_is_exit_status_2(capsys):
    assert main(["analyze", "tests/data/pds/PDS13OR1grf.txt", "--test", "stork"]) == 2
    assert "no such test" in capsys.readouterr().err


def test_test_has_help_naming_every_test_and_option(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["test", "--help"])
    assert exc.value.code == 0
    # argparse wraps long names at their hyphens ("weight-\n  bearing"): join them again
    out = re.sub(r"-\n\s*", "-", capsys.readouterr().out)
    for text in (
        *PROTOCOLS,
        "--side",
        "--eyes",
        "--trials",
        "--max-time",
        "--age",
        "--json",
        "--record",
        "--board",
        "--scenario",
    ):
        assert text in out


def test_a_test_for_a_person_is_stored_with_its_result(tmp_path, capsys):
    from balance_trainer.cli import main as cli_main
    from balance_trainer.store import Store

    data = str(tmp_path / "data")
    assert cli_main(["people", "add", "p07", "--birth-year", "1950", "--data-dir", data]) == 0
    assert (
        cli_main(
            [
                "test",
                "single-leg-stance",
                "--side",
                "left",
                "--trials",
                "1",
                "--scenario",
                "single-leg-left",
                "--fast",
                "--person",
                "p07",
                "--data-dir",
                data,
                "--json",
            ]
        )
        == 0
    )
    capsys.readouterr()
    store = Store.open(data)
    try:
        sessions = store.history("p07")
        trials = [t for s in sessions for t in s.trials]
        assert len(trials) == 1
        tr = trials[0]
        assert tr.protocol == "single-leg-stance" and tr.status == "complete"
        assert tr.result["trials"][0]["stance_side"] == "left"
        assert tr.params["age"] >= 70  # from the birth year, for the norm
        assert tr.metrics and "ml_rms_mm" in tr.metrics
        t_s, forces, _board = store.trial_frames(tr.id)
        assert len(t_s) > 80 * 15
    finally:
        store.close()


def test_a_test_for_an_unknown_person_fails_before_the_board_opens(tmp_path, capsys):
    from balance_trainer.cli import main as cli_main

    status = cli_main(
        ["test", "single-leg-stance", "--fast", "--person", "nobody", "--data-dir", str(tmp_path)]
    )
    assert status == 2
    assert "nobody" in capsys.readouterr().err
