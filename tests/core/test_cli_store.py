"""The store's commands end to end: people, record --person, history, export, backup, report."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import stat

import numpy as np
import pytest

from balance_trainer.cli import build_parser, main
from balance_trainer.recording import read_recording
from balance_trainer.store import DB_FILENAME, Store

STORE_COMMANDS = ("people", "record", "history", "export", "backup", "report")


@pytest.fixture
def data(tmp_path):
    return str(tmp_path / "data")


def run(*args):
    return main([str(a) for a in args])


@pytest.fixture
def recorded(data, capsys):
    """p01 with one 3 s simulated single-leg recording stored in the database."""
    assert (
        run(
            "people",
            "add",
            "p01",
            "--name",
            "Ann Secretname",
            "--birth-year",
            "1950",
            "--data-dir",
            data,
        )
        == 0
    )
    assert (
        run(
            "record",
            "--person",
            "p01",
            "--seconds",
            "3",
            "--fast",
            "--scenario",
            "single-leg-left",
            "--data-dir",
            data,
        )
        == 0
    )
    capsys.readouterr()
    return data


def test_every_store_command_has_help_and_takes_data_dir():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name in STORE_COMMANDS:
        p = sub.choices[name]
        assert p.description, name
        if name == "people":
            acts = next(a for a in p._actions if a.__class__.__name__ == "_SubParsersAction")
            for act in ("add", "list", "show", "delete"):
                text = acts.choices[act].format_help()
                assert "--data-dir" in text and acts.choices[act].description, act
        else:
            assert "--data-dir" in p.format_help(), name


def test_people_add_list_show(data, capsys):
    assert (
        run(
            "people",
            "add",
            "p01",
            "--name",
            "Ann",
            "--birth-year",
            "1950",
            "--sex",
            "female",
            "--height-cm",
            "165",
            "--mass-kg",
            "60",
            "--dominant-side",
            "right",
            "--notes",
            "hip",
            "--data-dir",
            data,
        )
        == 0
    )
    assert run("people", "add", "p02", "--data-dir", data) == 0
    capsys.readouterr()
    assert run("people", "list", "--data-dir", data) == 0
    out = capsys.readouterr().out
    assert "p01" in out and "Ann" in out and "p02" in out
    assert run("people", "show", "p01", "--json", "--data-dir", data) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["height_cm"] == 165 and shown["dominant_side"] == "right"
    assert shown["sessions"] == 0


def test_people_add_refuses_bad_input_with_status_2(data, capsys):
    assert run("people", "add", "not ok", "--data-dir", data) == 2
    assert run("people", "add", "p01", "--birth-year", "1700", "--data-dir", data) == 2
    assert run("people", "add", "p01", "--data-dir", data) == 0
    assert run("people", "add", "p01", "--data-dir", data) == 2
    err = capsys.readouterr().err
    assert err.count("balance-trainer: error:") == 3 and "Traceback" not in err


def test_unknown_person_is_one_line_and_status_2_everywhere(data, capsys, tmp_path):
    for args in (
        ("people", "show", "ghost"),
        ("people", "delete", "ghost", "--yes"),
        ("history", "ghost"),
        ("export", "ghost", "-o", tmp_path / "x"),
        ("report", "ghost", "-o", tmp_path / "r.pdf"),
        ("record", "--person", "ghost", "--seconds", "1", "--fast"),
    ):
        assert run(*args, "--data-dir", data) == 2, args
        err = capsys.readouterr().err
        assert err.strip().count("\n") == 0 and "'ghost'" in err, args
        assert "board:" not in err  # record checks the person before opening a board


def test_people_delete_asks_unless_yes(recorded, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert run("people", "delete", "p01", "--data-dir", recorded) == 2
    assert "--yes" in capsys.readouterr().err
    assert run("people", "delete", "p01", "--yes", "--data-dir", recorded) == 0
    assert "1 trial(s)" in capsys.readouterr().out
    with sqlite3.connect(os.path.join(recorded, DB_FILENAME)) as c:
        assert c.execute("SELECT COUNT(*) FROM frame_blocks").fetchone() == (0,)
        assert c.execute("SELECT COUNT(*) FROM people").fetchone() == (0,)
    c.close()


def test_record_person_stores_frames_and_sway_measures(recorded):
    with Store.open(recorded) as s:
        (session,) = s.history("p01")
        (trial,) = session.trials
        t, f, board = s.trial_frames(trial.id)
    assert session.kind == "record" and trial.status == "complete"
    assert t.size == trial.n_frames == 240 and f.shape == (240, 4)
    assert (
        trial.params["seconds"] == 3 and trial.params["simulator"]["scenario"] == "single-leg-left"
    )
    for key in (
        "duration_s",
        "ml_rms_mm",
        "ml_mean_velocity_mm_s",
        "ellipse_area_mm2",
        "left_share",
    ):
        assert key in trial.metrics
    assert trial.metrics["ap_rms_mm"] is None  # the default board has no AP spacing


def test_record_to_file_and_person_writes_the_same_frames(data, tmp_path, capsys):
    run("people", "add", "p01", "--data-dir", data)
    out = tmp_path / "r.csv"
    assert (
        run("record", "-o", out, "--person", "p01", "--seconds", "2", "--fast", "--data-dir", data)
        == 0
    )
    rec = read_recording(out)
    with Store.open(data) as s:
        t, f, _ = s.trial_frames(s.history("p01")[0].trials[0].id)
    assert np.array_equal(np.round(t, 6), rec.t_s) and np.array_equal(f, rec.forces_n)


def test_record_needs_a_file_or_a_person(data, capsys):
    assert run("record", "--seconds", "1", "--fast", "--data-dir", data) == 2
    assert "-o FILE.csv, --person ID" in capsys.readouterr().err


def test_history_table_and_json(recorded, capsys):
    with Store.open(recorded) as s:
        sid = s.start_session("p01", "game")
        s.add_game_result(sid, "pelvis-pilot", 42.0, level=3, duration_s=60.0)
    assert run("history", "p01", "--data-dir", recorded) == 0
    out = capsys.readouterr().out
    assert "record" in out and "complete" in out and "ML RMS" in out
    assert "pelvis-pilot" in out and "score 42 (level 3)" in out
    assert run("history", "p01", "--json", "--data-dir", recorded) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["kind"] for x in lines] == ["record", "game"]
    assert lines[0]["trials"][0]["n_frames"] == 240 and lines[1]["games"][0]["score"] == 42.0


def test_export_csv_writes_recordings_and_results_of_that_person_only(recorded, tmp_path, capsys):
    run("people", "add", "other", "--name", "Other Person", "--data-dir", recorded)
    run("record", "--person", "other", "--seconds", "1", "--fast", "--data-dir", recorded)
    out = tmp_path / "exp"
    assert run("export", "p01", "--format", "csv", "-o", out, "--data-dir", recorded) == 0
    names = sorted(os.listdir(out))
    assert names == ["games.csv", "results.csv", "trial-1-record.csv"]
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o700
    assert all(stat.S_IMODE(os.stat(out / n).st_mode) == 0o600 for n in names)
    rec = read_recording(out / "trial-1-record.csv")
    with Store.open(recorded) as s:
        t, f, _ = s.trial_frames(1)
    assert np.array_equal(rec.forces_n, f) and rec.meta["person"] == "p01"
    rows = list(csv.DictReader(open(out / "results.csv", encoding="utf-8")))
    assert len(rows) == 1 and rows[0]["recording"] == "trial-1-record.csv"
    assert float(rows[0]["ml_rms_mm"]) > 0
    blob = b"".join((out / n).read_bytes() for n in names)
    assert b"Secretname" not in blob  # no name unless asked for
    assert b"Other Person" not in blob and b'"other"' not in blob  # nobody else's data


def test_export_json_carries_identity_only_when_asked(recorded, tmp_path, capsys):
    plain, full = tmp_path / "a", tmp_path / "b"
    assert run("export", "p01", "-o", plain, "--no-frames", "--data-dir", recorded) == 0
    assert os.listdir(plain) == ["results.json"]
    doc = json.loads((plain / "results.json").read_text())
    assert doc["person"] == {"id": "p01"} and "Secretname" not in json.dumps(doc)
    assert doc["sessions"][0]["trials"][0]["metrics"]["ml_rms_mm"] > 0
    assert run("export", "p01", "-o", full, "--with-identity", "--data-dir", recorded) == 0
    doc = json.loads((full / "results.json").read_text())
    assert doc["person"]["name"] == "Ann Secretname"
    assert doc["sessions"][0]["trials"][0]["recording"] == "trial-1-record.csv"


def test_export_never_overwrites(recorded, tmp_path, capsys):
    out = tmp_path / "exp"
    assert run("export", "p01", "-o", out, "--data-dir", recorded) == 0
    before = (out / "results.json").read_bytes()
    assert run("export", "p01", "-o", out, "--data-dir", recorded) == 2
    assert "already exists" in capsys.readouterr().err
    assert (out / "results.json").read_bytes() == before


def test_backup_copies_everything_and_refuses_to_overwrite(recorded, tmp_path, capsys):
    dest = tmp_path / "backup.db"
    assert run("backup", dest, "--data-dir", recorded) == 0
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    with Store.open_path(dest) as copy:
        assert copy.get_person("p01").name == "Ann Secretname"
        assert copy.trial_frames(1).t_s.size == 240
        assert copy.integrity_check() == []
    assert run("backup", dest, "--data-dir", recorded) == 2


def test_report_writes_pdf_and_html(recorded, tmp_path, capsys):
    assert run("report", "p01", "-o", tmp_path / "r.pdf", "--data-dir", recorded) == 0
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert "report: drawing" in capsys.readouterr().err  # progress
    assert run("report", "p01", "-o", tmp_path / "r.html", "--data-dir", recorded) == 0
    assert "Ann Secretname" in (tmp_path / "r.html").read_text()
    assert run("report", "p01", "-o", tmp_path / "r.txt", "--data-dir", recorded) == 2


def test_bad_databases_give_one_line_and_the_right_status(data, tmp_path, capsys):
    os.makedirs(data, mode=0o700)
    db = os.path.join(data, DB_FILENAME)
    with open(db, "w") as fh:
        fh.write("not a database at all\n" * 10)
    assert run("people", "list", "--data-dir", data) == 2
    assert "not an SQLite database" in capsys.readouterr().err
    os.unlink(db)
    with Store.open(data) as s:
        s.add_person("p01")
    with sqlite3.connect(db) as c:
        c.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')")
    c.close()
    assert run("history", "p01", "--data-dir", data) == 2
    err = capsys.readouterr().err
    assert "newer" in err and err.count("\n") == 1


def test_an_unwritable_data_dir_is_an_environment_fault(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run("people", "list", "--data-dir", blocker / "sub") == 1
    assert "cannot create the data directory" in capsys.readouterr().err
