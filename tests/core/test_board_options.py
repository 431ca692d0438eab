"""The simulated person's command-line options, shared by every command that reads a board."""

from __future__ import annotations

import json

import pytest

from balance_trainer.cli import build_parser, main
from balance_trainer.commands._board import scenario_for, simulator_options


def parse(*argv: str):
    return build_parser().parse_args(list(argv))


@pytest.mark.parametrize("command", [["live"], ["record", "--seconds", "1", "-o", "x.csv"]])
def test_the_scenario_defaults_to_quiet_outside_play(command):
    args = parse(*command)
    assert args.scenario is None  # resolved per command, never by a shared default
    assert scenario_for(args) == "quiet"


def test_play_does_not_change_the_other_commands_default_scenario():
    parser = build_parser()
    play = parser.parse_args(["play"])
    live = parser.parse_args(["live"])
    assert scenario_for(play, "interactive") == "interactive"
    assert scenario_for(live) == "quiet"


@pytest.mark.parametrize(
    ("argv", "want"),
    [
        (["test", "single-leg-stance"], "single-leg"),
        (["test", "single-leg-stance", "--side", "right"], "single-leg-right"),
        (["test", "hip-stability", "--side", "left"], "single-leg-left"),
        (["test", "single-leg-squat"], "squats"),
        (["test", "mctsib"], "mctsib"),
        (["test", "single-leg-stance", "--scenario", "quiet"], "quiet"),
    ],
)
def test_a_test_on_the_simulator_gets_the_script_the_test_asks_for(argv, want):
    assert scenario_for(parse(*argv)) == want


def test_a_default_single_leg_stance_test_runs_three_trials_per_side_and_ends(capsys):
    status = main(["test", "single-leg-stance", "--fast", "--json", "--seed", "2"])
    res = json.loads(capsys.readouterr().out)
    assert status == 0
    assert [t["stance_side"] for t in res["trials"]] == ["left"] * 3 + ["right"] * 3
    # The strict touch rule (issue 13) ends a trial at the lifted foot's first touch.
    assert all(t["stop_reason"] in ("touch", "touchdown") for t in res["trials"])


def test_weak_hip_takes_a_side_and_compensation_a_pattern():
    args = parse("live", "--weak-hip", "right", "--compensation", "lean", "--sim-age", "70")
    assert (args.weak_hip, args.compensation, args.sim_age) == ("right", "lean", 70.0)
    opts = simulator_options(args, "sim")
    assert opts["compensation"] == "lean" and opts["age_years"] == 70.0


def test_a_weak_hip_without_a_side_is_rejected(capsys):
    with pytest.raises(SystemExit) as info:
        parse("live", "--weak-hip", "both")
    assert info.value.code == 2
    assert "--weak-hip" in capsys.readouterr().err


def test_a_simulated_person_option_on_a_real_board_is_a_usage_error_naming_it():
    from balance_trainer.errors import UsageError

    args = parse("live", "--sim-age", "70", "--board", "two-plate-4")
    with pytest.raises(UsageError, match="--sim-age.*--board sim"):
        simulator_options(args, args.board)


def test_the_test_commands_eyes_close_the_simulated_persons_eyes():
    args = parse("test", "mctsib", "--eyes", "closed")
    assert simulator_options(args, "sim")["eyes"] == "closed"


def test_record_writes_the_scenario_that_ran(tmp_path, capsys):
    out = tmp_path / "q.csv"
    assert main(["record", "-o", str(out), "--seconds", "2", "--fast", "--weak-hip", "left"]) == 0
    header = out.read_text().splitlines()[:12]
    sim = next(line for line in header if line.startswith("# simulator:"))
    meta = json.loads(sim.split(":", 1)[1])
    assert meta["scenario"] == "quiet" and meta["weak_hip"] == "left"


def test_a_default_mctsib_on_the_simulator_runs_all_four_conditions(capsys):
    status = main(["test", "mctsib", "--fast", "--json", "--seed", "1"])
    res = json.loads(capsys.readouterr().out)
    assert status == 0
    conds = {c["condition"]: c for c in res["conditions"]}
    assert set(conds) == {"eo_firm", "ec_firm", "eo_foam", "ec_foam"}
    assert all(c["stop_reason"] == "max_time" for c in conds.values())
    rms = {k: c["metrics"]["ml_rms_mm"] for k, c in conds.items()}
    assert rms["eo_foam"] > 1.5 * rms["eo_firm"] and rms["ec_foam"] > rms["eo_foam"]
