"""``balance-trainer analyze``: table, JSON, CSV, progress and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from balance_trainer.analysis import RESULT_NAMES, analyze_file
from balance_trainer.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"
BDS = [str(p) for p in sorted((DATA / "hbedb").glob("BDS*.txt"))]
PDS = [str(p) for p in sorted((DATA / "pds").glob("PDS*grf.txt"))]


def test_default_output_is_a_table_with_one_row_per_file_ml_first(capsys):
    assert main(["analyze", BDS[0], PDS[0]]) == 0
    out = capsys.readouterr().out.splitlines()
    header = out[0]
    assert header.index("ML range mm") < header.index("AP RMS mm") < header.index("area95 mm2")
    rows = [line for line in out if line.startswith(str(DATA))]
    assert len(rows) == 2
    assert any(line.startswith("processing: ") and "low-pass" in line for line in out)
    # HBEDB is one plate: no left/right share, shown as '-' not 0
    assert rows[0].split()[-1] == "-"


def test_json_gives_one_object_per_file_with_design_metric_names(capsys):
    assert main(["analyze", "--json", "--no-filter", *PDS[:2]]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for path, line in zip(PDS[:2], lines, strict=True):
        obj = json.loads(line)
        assert obj["file"] == path and obj["format"] == "pds"
        assert list(obj["metrics"]) == list(RESULT_NAMES)
        assert obj["processing"]["lowpass"] is None
        assert "no low-pass" in obj["processing"]["summary"]
        direct = analyze_file(path, filter=False)["metrics"]
        assert obj["metrics"]["ml_rms_mm"] == pytest.approx(direct["ml_rms_mm"], abs=1e-6)


def test_json_reports_missing_measures_as_null(tmp_path, capsys):
    from balance_trainer.config import load_board
    from balance_trainer.recording import RecordingWriter

    board = load_board("two-plate-4")
    p = tmp_path / "r.csv"
    with RecordingWriter(p, board) as w:
        for i in range(400):
            s = 0.05 * (i % 40) / 40
            w.write(i / 80.0, [170 - 100 * s, 170, 180, 180 + 100 * s])
    assert main(["analyze", "--json", str(p)]) == 0
    metrics = json.loads(capsys.readouterr().out)["metrics"]
    assert metrics["ap_rms_mm"] is None and metrics["ellipse_area_mm2"] is None
    assert metrics["ml_rms_mm"] > 0


def test_csv_is_a_summary_table_with_a_header(capsys):
    assert main(["analyze", "--csv", BDS[0], BDS[1]]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["file", "format", *RESULT_NAMES, "processing"]
    assert [r[0] for r in rows[1:]] == BDS[:2]
    assert float(rows[1][rows[0].index("ellipse_area_mm2")]) > 0


def test_many_files_show_progress_on_stderr(capsys):
    assert main(["analyze", "--json", *PDS]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4
    assert "analysed 4/4 files" in captured.err


def test_a_bad_file_gives_one_line_and_exit_status_2(tmp_path, capsys):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    assert main(["analyze", str(bad)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1
    assert "empty.txt" in err[0] and "empty file" in err[0]
    assert "Traceback" not in captured.err and captured.out == ""


def test_a_bad_file_among_good_ones_is_reported_and_the_rest_analysed(tmp_path, capsys):
    bad = tmp_path / "weird.txt"
    bad.write_text("hello world\n1 2\n")
    assert main(["analyze", "--json", PDS[0], str(bad), PDS[1]]) == 2
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2
    errors = [line for line in captured.err.splitlines() if "error" in line]
    assert len(errors) == 1 and "weird.txt" in errors[0] and "unknown format" in errors[0]


def test_analysis_errors_name_the_file(tmp_path, capsys):
    lines = Path(BDS[0]).read_text().splitlines()[:20]  # 19 samples: too few
    p = tmp_path / "short.txt"
    p.write_text("\n".join(lines) + "\n")
    assert main(["analyze", str(p)]) == 2
    err = capsys.readouterr().err
    assert "short.txt" in err and "19 samples" in err


def test_format_override_that_does_not_fit_is_a_clear_error(capsys):
    assert main(["analyze", "--format", "hbedb", PDS[0]]) == 2
    assert "looks like pds" in capsys.readouterr().err


def test_json_and_csv_together_are_a_usage_error():
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "--json", "--csv", BDS[0]])
    assert exc.value.code == 2


def test_test_option_runs_the_test_over_each_file(capsys):
    assert main(["analyze", "--json", "--test", "single-leg-stance", PDS[0], PDS[1]]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["file"] for r in lines] == [PDS[0], PDS[1]]
    assert all(r["test"] == "single-leg-stance" for r in lines)


def test_analyze_has_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--format", "--json", "--csv", "--no-filter", "--test"):
        assert option in out
