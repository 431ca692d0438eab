"""The sensing-core commands end to end: live, record, calibrate, and their bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from balance_trainer.calibration import Calibration
from balance_trainer.cli import build_parser, main
from balance_trainer.recording import read_recording


def cli(*args):
    """Run the real console entry point in a subprocess; returns (status, stdout, stderr)."""
    p = subprocess.run(
        [sys.executable, "-m", "balance_trainer.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return p.returncode, p.stdout, p.stderr


def test_live_json_prints_one_object_per_frame(capsys):
    assert main(["live", "--board", "sim", "--fast", "--seconds", "2", "--json"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 160  # 2 s at 80 frames/s
    first = json.loads(lines[0])
    for key in ("t_s", "total_kg", "cop_ml_mm", "cop_ap_mm", "left_share"):
        assert key in first
    assert first["cop_ap_mm"] is None  # the default board has no AP spacing
    assert 40 < first["total_kg"] < 120
    assert "SIMULATED BOARD" in err


def test_live_view_shows_weight_share_and_bar(capsys):
    assert main(["live", "--fast", "--seconds", "1"]) == 0
    out, err = capsys.readouterr()
    assert "kg" in out and "L[" in out and "]R" in out
    assert "no hardware configured" in err  # the default is the simulator, and it says so


def test_live_in_real_time_uses_the_sampler_thread(capsys):
    assert main(["live", "--board", "sim", "--seconds", "0.3", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert 20 <= len(lines) <= 25


def test_record_then_replay_gives_identical_frames(tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert (
        main(
            [
                "record",
                "-o",
                str(out),
                "--seconds",
                "3",
                "--fast",
                "--scenario",
                "single-leg-left",
                "--seed",
                "3",
            ]
        )
        == 0
    )
    rec = read_recording(out)
    assert rec.n_frames == 240 and rec.meta["simulator"]["scenario"] == "single-leg-left"
    again = tmp_path / "again.csv"
    assert (
        main(["record", "-o", str(again), "--seconds", "3", "--fast", "--board", f"replay:{out}"])
        == 0
    )
    body = [ln for ln in out.read_text().splitlines() if not ln.startswith("# ")]
    body2 = [ln for ln in again.read_text().splitlines() if not ln.startswith("# ")]
    assert body == body2


def test_calibrate_against_the_simulator_recovers_true_cells(tmp_path, capsys):
    data = tmp_path / "data"
    assert (
        main(
            [
                "calibrate",
                "--board",
                "sim",
                "--mass",
                "20",
                "--yes",
                "--fast",
                "--data-dir",
                str(data),
            ]
        )
        == 0
    )
    saved = list((data / "calibration").glob("*.json"))
    assert len(saved) == 1
    from balance_trainer.wiring import open_source

    truth_off, truth_scale = open_source("sim", realtime=False).builtin_calibration()
    cal = Calibration.load(saved[0])
    assert np.allclose(cal.scale_, truth_scale, rtol=0.01)
    assert np.allclose(cal.offset_, truth_off, atol=20)
    # and live now uses the saved calibration
    assert main(["live", "--fast", "--seconds", "0.1", "--data-dir", str(data)]) == 0


def test_calibrate_walks_through_prompts(tmp_path, capsys, monkeypatch):
    answers = iter(["", "twenty", "20", "", "", "", ""])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert main(["calibrate", "--fast", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "not a number" in out and "left_outer" in out and "Saved to" in out


def test_every_command_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    assert {"live", "record", "calibrate"} <= set(sub.choices)
    for name, p in sub.choices.items():
        assert p.description or p.format_help(), name
        helps = {a.dest: a.help for a in sub._choices_actions}
        assert helps.get(name), f"command {name} has no help line"


# --- bad input: one line on stderr, exit status 2, no traceback ------------------------------


def _one_line_error(status, err, *fragments):
    assert status == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("balance-trainer: error")]
    assert len(lines) == 1, err
    for f in fragments:
        assert f in lines[0], lines[0]


def test_bad_board_file_is_one_line_exit_2(tmp_path):
    p = tmp_path / "b.toml"
    p.write_text('[[cells]]\nname = "a"\nside = "left"\nx_mm = "ten"\ny_mm = 0\n')
    status, _out, err = cli("live", "--board", str(p), "--seconds", "1")
    _one_line_error(status, err, str(p), "x_mm", "number")


def test_bad_recording_is_one_line_exit_2(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text(
        '# format: "balance-trainer/1"\n# board: {"cells": [{"name": "a", "side": '
        '"left", "x_mm": -1, "y_mm": 0}, {"name": "b", "side": "right", "x_mm": 1, '
        '"y_mm": 0}]}\nt_s,a,b\n0,1,2\n0.1,1\n'
    )
    status, _out, err = cli("live", "--board", f"replay:{p}", "--fast")
    _one_line_error(status, err, f"{p}:5", "row has 2 values")


def test_corrupt_calibration_is_one_line_exit_2(tmp_path):
    data = tmp_path / "data"
    (data / "calibration").mkdir(parents=True)
    (data / "calibration" / "sim-two-plate-4.json").write_text("{oops")
    status, _out, err = cli("live", "--fast", "--seconds", "1", "--data-dir", str(data))
    _one_line_error(status, err, "sim-two-plate-4.json", "not valid JSON")


def test_unknown_scenario_is_one_line_exit_2():
    status, _out, err = cli("live", "--scenario", "moonwalk", "--fast", "--seconds", "1")
    _one_line_error(status, err, "moonwalk")


def test_bad_duration_is_one_line_exit_2(tmp_path):
    status, _out, err = cli("record", "-o", str(tmp_path / "x.csv"), "--seconds", "-3")
    _one_line_error(status, err, "--seconds")


def test_uncalibrated_real_board_says_how_to_calibrate(tmp_path):
    from balance_trainer.errors import CalibrationError
    from balance_trainer.wiring import find_calibration

    class Chips:
        kind = "hx711"
        calibration_key = "hx711-two-plate-4"

        class board:  # noqa: N801 - a stand-in with the one attribute used
            name = "two-plate-4"
            path = None
            cell_names = ["a", "b"]

        def builtin_calibration(self):
            return None

    with pytest.raises(CalibrationError, match="balance-trainer calibrate --board two-plate-4"):
        find_calibration(Chips(), tmp_path)
