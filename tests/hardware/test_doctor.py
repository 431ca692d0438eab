"""``balance-trainer doctor`` against fake chips with scripted faults."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from balance_trainer.calibration import Calibration, calibration_path
from balance_trainer.cli import main
from balance_trainer.wiring import open_source
from hardware.doctor import FAIL, OK, WARN, diagnose, format_report

CELLS = ["left_outer", "left_inner", "right_inner", "right_outer"]


def doctor(capsys, *extra):
    code = main(["doctor", "--board", "mock-hx711", "--fast", "--seconds", "2", *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def doctor_json(capsys, *extra):
    code, out, err = doctor(capsys, "--json", *extra)
    return code, json.loads(out)


def test_doctor_is_a_command_with_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["doctor", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "RATE pin" in out and "--fault" in out


def test_a_healthy_board_passes_with_a_row_per_cell(capsys):
    code, out, err = doctor(capsys)
    assert code == 0
    assert "result: OK" in out
    for name, pin in zip(CELLS, ("GPIO5", "GPIO6", "GPIO13", "GPIO19"), strict=True):
        line = next(x for x in out.splitlines() if x.startswith(name))
        assert pin in line and "yes" in line and line.rstrip().endswith("ok")
    # The fake chips run on their own oscillators (86-94 Hz): frames come at the slowest's.
    assert re.search(r"sample rate\s+(8[6-9]|9[0-4])\.\d/s", out)
    assert "empty" in err  # tells the user to step off first


def test_a_dead_chip_fails_naming_its_cell_and_pin_while_the_others_answer(capsys):
    code, out, _ = doctor(capsys, "--fault", "stuck-high:left_outer")
    assert code == 1
    rows = {x.split()[0]: x for x in out.splitlines() if x.split() and x.split()[0] in CELLS}
    assert "NO" in rows["left_outer"] and "FAIL" in rows["left_outer"]
    assert all("yes" in rows[n] for n in CELLS[1:])
    assert "cell 'left_outer' (DOUT GPIO5)" in out and "result: PROBLEMS FOUND" in out


def test_ten_samples_a_second_blames_the_rate_pin(capsys):
    code, report = doctor_json(capsys, "--fault", "rate-low")
    assert code == 1
    rate = next(c for c in report["checks"] if c["name"] == "sample rate")
    assert rate["status"] == FAIL and "RATE pins are low" in rate["note"]
    assert all(name in rate["note"] for name in CELLS)  # each chip's own rate, learnt
    assert "slowest chip converts at 10." in rate["value"]
    # About 10/s: a word the driver cannot show clear of a conversion is lost, not guessed.
    assert 8.5 <= float(rate["value"].split("/")[0]) <= 10.5


def test_saturation_fails_naming_the_cell(capsys):
    code, report = doctor_json(capsys, "--fault", "saturate:right_inner")
    assert code == 1
    sat = next(c for c in report["checks"] if c["name"] == "saturation")
    assert sat["status"] == FAIL and sat["value"] == "right_inner"


def test_noise_is_reported_in_counts_and_grams_and_warns_when_high(capsys):
    code, report = doctor_json(capsys, "--fault", "noisy:right_outer")
    assert code == 0 and report["result"] == WARN
    cells = {c["name"]: c for c in report["cells"]}
    quiet, noisy = cells["left_outer"], cells["right_outer"]
    assert quiet["status"] == OK and noisy["status"] == WARN
    assert 30 < quiet["noise_counts"] < 50  # the fake's 40-count noise
    assert noisy["noise_counts"] > 1000
    assert quiet["noise_g"] == pytest.approx(
        quiet["noise_counts"] * 2.5e-4 / 9.80665 * 1000, rel=0.06
    )
    assert doctor(capsys, "--fault", "noisy:right_outer", "--strict")[0] == 1


def test_drift_over_the_hold_warns(capsys):
    code, report = doctor_json(capsys, "--fault", "drift:left_inner=3000")
    cells = {c["name"]: c for c in report["cells"]}
    assert cells["left_inner"]["drift_counts"] == pytest.approx(6000, rel=0.05)  # 3000/s x 2 s
    assert cells["left_inner"]["status"] == WARN and "drifting" in " ".join(
        cells["left_inner"]["notes"]
    )


def test_spikes_show_up_as_discarded_sweeps(capsys):
    code, report = doctor_json(capsys, "--fault", "spike:left_inner=5")
    disc = next(c for c in report["checks"] if c["name"] == "discarded sweeps")
    assert disc["status"] in (WARN, FAIL) and "spike" in disc["note"]


def test_a_saved_calibration_gives_the_grams(capsys):
    key = "mock-hx711-two-plate-4"
    path = calibration_path(Path(os.environ["BALANCE_TRAINER_DATA_DIR"]), key)
    Calibration(CELLS, [0.0] * 4, [0.001] * 4, key=key).save(path)
    code, report = doctor_json(capsys)
    assert report["calibration"] == str(path)
    cell = report["cells"][0]
    assert cell["noise_g"] == pytest.approx(cell["noise_counts"] * 0.001 / 9.80665 * 1000)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--board", "sim", "--fault", "stuck-high"], "only with --board mock-hx711"),
        (["--board", "mock-hx711", "--fault", "explode"], "unknown fault"),
        (["--board", "mock-hx711", "--seconds", "0"], "hold time"),
    ],
)
def test_bad_options_are_one_line_errors_with_status_2(capsys, argv, message):
    assert main(["doctor", "--fast", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_diagnose_without_calibration_leaves_grams_empty():
    source = open_source("mock-hx711", realtime=False, load="empty")
    try:
        report = diagnose(source, seconds=1.0)
    finally:
        source.close()
    assert report.worst == OK
    assert all(c.noise_g is None and c.noise_counts > 0 for c in report.cells)
    text = format_report(report)
    assert "result: OK" in text and text.count(" - ") >= 4


def test_the_real_time_path_reads_through_the_reader_process(capsys):
    code = main(["doctor", "--board", "mock-hx711", "--seconds", "0.5", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert all(c["answers"] for c in report["cells"])
    assert report["frames"] > 10
    assert "fake chips" in report["source"] and "virtual" not in report["source"]
    assert code in (0, 1)  # a busy test machine may stretch SCK; the table says so
    assert np.isfinite([c["noise_counts"] for c in report["cells"]]).all()


@pytest.mark.parametrize("bit", [0, 4])
def test_a_stuck_data_bit_fails_naming_the_cell_and_the_bit(capsys, bit):
    code, out, _ = doctor(capsys, "--fault", f"stuck-bit:left_inner={bit}")
    assert code == 1
    row = next(x for x in out.splitlines() if x.startswith("left_inner"))
    assert "FAIL" in row
    assert f"left_inner: data bit {bit} never changes" in out
    others = [x for x in out.splitlines() if x.split()[:1] in (["left_outer"], ["right_inner"])]
    assert all("FAIL" not in x for x in others)


def test_stuck_bits_are_found_only_below_bits_that_move():
    from hardware.doctor import stuck_bits

    rng = np.random.default_rng(0)
    quiet = np.rint(50_000 + rng.normal(0, 40, 400))
    assert stuck_bits(quiet) == []
    assert stuck_bits(quiet.astype(np.int64) | 0b100) == [2]


def test_the_discarded_sweeps_value_counts_every_discard_whatever_its_reason(capsys):
    # A chip with RATE low: every sweep is lost (settling, then words no check can clear);
    # the value must not read "0 of N" while nothing got through.
    code, report = doctor_json(capsys, "--fault", "rate-low:left_inner")
    assert code == 1
    disc = next(c for c in report["checks"] if c["name"] == "discarded sweeps")
    n_lost, n_sweeps = (int(x) for x in disc["value"].split(" (")[0].split(" of "))
    assert n_sweeps > 0 and n_lost == n_sweeps
    answer = next(c for c in report["checks"] if c["name"] == "cells answer")
    assert "left_inner" in answer["note"] and "RATE pin is low" in answer["note"]


def test_chip_clocks_read_shared_only_when_every_rate_agrees_within_a_tenth_of_a_percent():
    from hardware.doctor import _clocks_check

    shared = _clocks_check([1 / 80.0, 1 / 80.02, 1 / 80.05])
    assert shared is not None and shared.value.startswith("shared: 80.0/s")
    own = _clocks_check([1 / 86.0, 1 / 91.0, 1 / 94.0, 1 / 89.0])
    assert own is not None and own.value == "own: 86.0-94.0/s" and own.status == OK
    assert _clocks_check([1 / 86.0, None]) is None  # not learnt yet: nothing to say


def test_a_stretched_sweep_at_real_time_priority_blames_preemption_not_the_priority():
    from hardware.doctor import _stretch_note

    assert "LimitRTPRIO" in _stretch_note("no real-time priority (not permitted)")
    granted = _stretch_note("running with real-time priority (SCHED_FIFO 10)")
    assert "LimitRTPRIO" not in granted and "preempts" in granted and "discarded" in granted
