"""Every case of issue 17, one test each: the bad input, the full disk, the damaged file.

Each says what a person sees (one line naming the file, the place and the fix, exit status 2
for bad input and 1 for the environment) and checks that nothing was changed or lost. The
generated suite (test_bad_input_generated.py) covers the same ground at random; these pin the
cases the review found.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from balance_trainer.calibration import Calibration
from balance_trainer.cli import main as cli_main
from balance_trainer.config import load_board, load_settings
from balance_trainer.errors import (
    BoardConfigError,
    CalibrationError,
    DiskFullError,
    PinConfigError,
    RecordingError,
    SettingsError,
    StoreError,
    StoreUnavailableError,
)
from balance_trainer.recording import RecordingWriter, read_recording
from balance_trainer.store import DB_FILENAME, Store

BOARD = """[board]
name = "b"
sck = "GPIO21"
sample_rate_hz = {rate}

[[cells]]
name = "left_outer"
side = "left"
x_mm = {x0}
y_mm = 0.0
dout = {d0}

[[cells]]
name = "{n1}"
side = "left"
x_mm = -50.0
y_mm = 0.0
dout = {d1}

[[cells]]
name = "right_inner"
side = "right"
x_mm = 50.0
y_mm = 0.0
dout = "GPIO13"

[[cells]]
name = "right_outer"
side = "right"
x_mm = 190.0
y_mm = 0.0
dout = "GPIO19"
"""


def main(argv: list[str]) -> int:
    """The command line in-process; argparse's exit (bad option) becomes its status."""
    try:
        return cli_main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def board_file(tmp_path: Path, **kw: object) -> Path:
    values = {"rate": 80, "x0": -190.0, "d0": '"GPIO5"', "d1": '"GPIO6"', "n1": "left_inner"}
    values.update(kw)
    p = tmp_path / "board.toml"
    p.write_text(BOARD.format(**values), encoding="utf-8")
    return p


def one_line(capsys: pytest.CaptureFixture[str], *fragments: str) -> str:
    """The one error line on stderr, checked to contain every fragment."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("balance-trainer: error")]
    others = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("board: ")]
    assert len(lines) == 1 and len(others) == 1, err
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


def deep(n: int) -> str:
    return "[" * n + "]" * n


@pytest.fixture
def data(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("BALANCE_TRAINER_DATA_DIR", str(d))
    return d


def seed_person(data: Path, pid: str = "p01") -> None:
    with Store.open(data) as s:
        s.add_person(pid, name="Ada")


# --- deeply nested files (RecursionError) ----------------------------------------------------


def test_deeply_nested_settings_file_is_one_line(tmp_path, monkeypatch, capsys):
    p = tmp_path / "settings.toml"
    p.write_text(f"data_dir = {deep(5000)}\n", encoding="utf-8")
    monkeypatch.setenv("BALANCE_TRAINER_CONFIG", str(p))
    with pytest.raises(SettingsError, match="nested more than"):
        load_settings()
    assert main(["live", "--fast", "--seconds", "0.1"]) == 2
    one_line(capsys, str(p), "nested")


def test_deeply_nested_board_file_is_one_line(tmp_path, capsys):
    p = board_file(tmp_path, x0=deep(3000))
    with pytest.raises(BoardConfigError, match="nested"):
        load_board(p)
    assert main(["live", "--board", f"sim:{p}", "--fast", "--seconds", "0.1"]) == 2
    one_line(capsys, str(p), "nested")


def test_deeply_nested_calibration_file_is_one_line(tmp_path):
    p = tmp_path / "cal.json"
    p.write_text('{"format": ' + deep(100_000) + "}", encoding="utf-8")
    with pytest.raises(CalibrationError, match="nested"):
        Calibration.load(p)


def test_deeply_nested_recording_header_is_one_line(tmp_path, capsys):
    p = tmp_path / "r.csv"
    p.write_text('# format: "balance-trainer/1"\n# person: ' + deep(5000) + "\n", "utf-8")
    with pytest.raises(RecordingError, match=r"r\.csv:2: value of 'person': nested"):
        read_recording(p)
    assert main(["analyze", str(p)]) == 2
    one_line(capsys, str(p))


# --- pins for the fake chips -----------------------------------------------------------------


@pytest.mark.parametrize(
    "d1, says",
    [
        ('"GPIO99"', "does not exist"),
        ('"3V3"', "not a GPIO"),
        ("-1", "does not exist"),
        ("5", "same pin as cell 'left_outer'"),
        ('"BOARD29"', "same pin as cell 'left_outer'"),
    ],
)
def test_mock_hx711_refuses_bad_pins_as_the_real_driver_does(tmp_path, capsys, d1, says):
    p = board_file(tmp_path, d1=d1)
    assert main(["live", "--board", f"mock-hx711:{p}", "--fast", "--seconds", "0.1"]) == 2
    one_line(capsys, str(p), "left_inner", says)


def test_pin_errors_are_pin_config_errors(tmp_path):
    from balance_trainer.wiring import open_source

    with pytest.raises(PinConfigError):
        open_source(f"mock-hx711:{board_file(tmp_path, d0='5', d1=chr(34) + 'GPIO5' + chr(34))}")


# --- absurd numbers --------------------------------------------------------------------------


@pytest.mark.parametrize("rate", ["1e-300", "1e9", "0", "nan", "inf"])
def test_absurd_sample_rate_is_refused(tmp_path, capsys, rate):
    p = board_file(tmp_path, rate=rate)
    assert main(["live", "--board", f"sim:{p}", "--fast", "--seconds", "0.1"]) == 2
    one_line(capsys, str(p), "sample_rate_hz", "from 1 to 10000")


@pytest.mark.parametrize("value", ["noisy=nan", "noisy=inf", "late=1e308", "noisy=-5"])
def test_doctor_fault_with_an_absurd_value_is_one_line(capsys, value):
    argv = ["doctor", "--board", "mock-hx711", "--fault", value, "--fast", "--seconds", "0.5"]
    assert main(argv) == 2
    one_line(capsys, "--fault", value)


@pytest.mark.parametrize("seconds", ["inf", "nan", "1e308", "-1", "0"])
@pytest.mark.parametrize("command", ["live", "record"])
def test_endless_or_empty_durations_are_refused(tmp_path, capsys, command, seconds):
    out = tmp_path / "x.csv"
    argv = [command, "--fast", "--seconds", seconds] + (
        ["-o", str(out)] if command == "record" else []
    )
    assert main(argv) == 2
    one_line(capsys, "--seconds", seconds)
    assert not out.exists()


def test_all_cells_at_one_x_are_refused_not_simulated(tmp_path, capsys):
    text = board_file(tmp_path).read_text().replace("-190.0", "0.0").replace("-50.0", "0.0")
    p = tmp_path / "same-x.toml"
    p.write_text(text.replace("50.0", "0.0").replace("190.0", "0.0"))
    assert main(["live", "--board", f"sim:{p}", "--fast", "--seconds", "0.1", "--json"]) == 2
    one_line(capsys, str(p), "every cell is at x = 0 mm")


def rec_text(rows: list[str], cells: list[dict] | None = None) -> str:
    cells = cells or [
        {"name": "l", "side": "left", "x_mm": -100.0, "y_mm": 0.0},
        {"name": "r", "side": "right", "x_mm": 100.0, "y_mm": 0.0},
    ]
    names = ",".join(c["name"] for c in cells)
    return (
        '# format: "balance-trainer/1"\n'
        f"# board: {json.dumps({'cells': cells})}\n"
        f"t_s,{names}\n" + "\n".join(rows) + "\n"
    )


def test_a_time_of_1e9_s_in_a_recording_is_refused(tmp_path, capsys):
    rows = [f"{i / 80:.6f},300.0,300.0" for i in range(80)] + ["1000000000.0,300.0,300.0"]
    p = tmp_path / "t.csv"
    p.write_text(rec_text(rows))
    assert main(["analyze", str(p), "--json"]) == 2
    one_line(capsys, f"{p}:84", "time jumps")


@pytest.mark.parametrize("force", ["1e20", "-1e20"])
def test_forces_of_1e20_are_refused_before_they_overflow_the_replay(tmp_path, capsys, force):
    rows = [f"{i / 80:.6f},300.0,300.0" for i in range(80)]
    rows[40] = f"0.500000,{force},300.0"
    p = tmp_path / "f.csv"
    p.write_text(rec_text(rows))
    assert main(["live", "--board", f"replay:{p}", "--fast", "--json"]) == 2
    one_line(capsys, f"{p}:44", "beyond anything a board measures")


def test_calibration_scale_of_1e308_is_refused_and_json_stays_json(data, capsys):
    d = data / "calibration"
    d.mkdir(parents=True)
    cells = [
        {"name": n, "offset_counts": 0.0, "scale_n_per_count": 1e308}
        for n in ("left_outer", "left_inner", "right_inner", "right_outer")
    ]
    p = d / "sim-two-plate-4.json"
    p.write_text(json.dumps({"format": "balance-trainer-calibration/1", "cells": cells}))
    before = p.read_bytes()
    assert main(["live", "--fast", "--seconds", "0.1", "--json"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and f"{p}: cells[0] 'left_outer' scale 1e+308" in out.err
    assert p.read_bytes() == before


def test_live_json_is_strict_json(capsys):
    assert main(["live", "--fast", "--seconds", "0.5", "--json"]) == 0

    def refuse(name):
        raise AssertionError(f"{name} in the JSON output")

    for line in capsys.readouterr().out.splitlines():
        json.loads(line, parse_constant=refuse)


# --- names and settings ----------------------------------------------------------------------


def test_a_cell_name_with_spaces_is_the_same_cell_and_caught_as_a_duplicate(tmp_path):
    with pytest.raises(BoardConfigError, match="duplicate cell name 'left_outer'"):
        load_board(board_file(tmp_path, n1=" left_outer "))


def test_a_cell_name_with_a_newline_is_refused(tmp_path):
    with pytest.raises(BoardConfigError, match="line breaks"):
        load_board(board_file(tmp_path, n1="left\\ninner"))


@pytest.mark.parametrize("value", ["['a', 'b']", "1", "true", '""'])
def test_settings_data_dir_must_be_a_string(tmp_path, monkeypatch, capsys, value):
    monkeypatch.delenv("BALANCE_TRAINER_DATA_DIR")
    p = tmp_path / "settings.toml"
    p.write_text(f"data_dir = {value}\n")
    monkeypatch.setenv("BALANCE_TRAINER_CONFIG", str(p))
    monkeypatch.chdir(tmp_path)
    assert main(["history", "p01"]) == 2
    one_line(capsys, str(p), "data_dir")
    assert sorted(q.name for q in tmp_path.iterdir()) == ["settings.toml"]  # no folder made


@pytest.mark.parametrize("where", ["--data-dir", "BALANCE_TRAINER_DATA_DIR", "settings"])
def test_a_data_dir_of_an_unknown_user_is_one_line(tmp_path, monkeypatch, capsys, where):
    argv = ["history", "p01"]
    if where == "--data-dir":
        argv += ["--data-dir", "~nosuchuser/x"]
    elif where == "BALANCE_TRAINER_DATA_DIR":
        monkeypatch.setenv("BALANCE_TRAINER_DATA_DIR", "~nosuchuser/x")
    else:
        monkeypatch.delenv("BALANCE_TRAINER_DATA_DIR")
        p = tmp_path / "s.toml"
        p.write_text('data_dir = "~nosuchuser/x"\n')
        monkeypatch.setenv("BALANCE_TRAINER_CONFIG", str(p))
    assert main(argv) == 2
    one_line(
        capsys, "no user 'nosuchuser'", "full path", "data_dir" if where == "settings" else where
    )


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_balance_trainer_config_pointing_nowhere_is_an_error(tmp_path, monkeypatch, capsys, kind):
    target = tmp_path / ("nowhere.toml" if kind == "missing" else "")
    monkeypatch.setenv("BALANCE_TRAINER_CONFIG", str(target))
    assert main(["live", "--fast", "--seconds", "0.1"]) == 2
    one_line(capsys, "BALANCE_TRAINER_CONFIG=", "unset BALANCE_TRAINER_CONFIG")


def test_a_bad_board_from_the_environment_says_so(monkeypatch, capsys):
    monkeypatch.setenv("BALANCE_TRAINER_BOARD", "sim:nosuch")
    assert main(["live", "--fast", "--seconds", "0.1"]) == 2
    one_line(capsys, "BALANCE_TRAINER_BOARD = 'sim:nosuch'", "no such preset or file")


def test_a_bad_board_from_the_settings_file_says_so(tmp_path, monkeypatch, capsys):
    p = tmp_path / "s.toml"
    p.write_text('board = "nosuch"\n')
    monkeypatch.setenv("BALANCE_TRAINER_CONFIG", str(p))
    assert main(["live", "--fast", "--seconds", "0.1"]) == 2
    one_line(capsys, f"{p}: board = 'nosuch'")


# --- the store ---------------------------------------------------------------------------------


def test_a_zero_length_database_is_not_taken_for_a_new_one(data, capsys):
    data.mkdir()
    db = data / DB_FILENAME
    db.touch()
    assert main(["people", "list"]) == 2
    one_line(capsys, str(db), "empty (0 bytes)", "restore it from a backup")
    assert db.stat().st_size == 0 and sorted(p.name for p in data.iterdir()) == [DB_FILENAME]


def damage(db: Path) -> None:
    """Overwrite the middle of the file (b-tree pages, not the header) with junk."""
    size = db.stat().st_size
    with open(db, "r+b") as fh:
        fh.seek(size // 2)
        fh.write(b"\xa5" * 4096)


def test_backup_refuses_a_damaged_database(data, tmp_path, capsys):
    seed_person(data)
    assert main(["record", "--person", "p01", "--fast", "--seconds", "20"]) == 0
    capsys.readouterr()
    damage(data / DB_FILENAME)
    target = tmp_path / "backup.db"
    assert main(["backup", str(target)]) in (1, 2)
    one_line(capsys, "damaged", "no backup was made")
    assert not target.exists() and not list(tmp_path.glob(".backup.db.part-*"))


def test_backup_of_a_sound_database_passes_its_own_check(data, tmp_path, capsys):
    seed_person(data)
    target = tmp_path / "b.db"
    assert main(["backup", str(target)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    con = sqlite3.connect(target)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_delete_person_checks_the_wal_wipe_and_says_when_a_reader_holds_it(data):
    seed_person(data)
    waits: list[float] = []
    store = Store.open(data, sleep=waits.append)
    reader = sqlite3.connect(data / DB_FILENAME)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM people").fetchone()  # holds a read snapshot
    try:
        with pytest.raises(StoreUnavailableError, match="still in .*-wal"):
            store.delete_person("p01")
        assert len(waits) == 6  # retried, with a growing wait
        assert waits == sorted(waits)
    finally:
        reader.close()
    assert store.list_people() == []  # deleted from every query all the same
    store.close()


def test_delete_person_leaves_an_empty_wal(data):
    seed_person(data)
    with Store.open(data) as store:
        store.delete_person("p01")
        wal = Path(store.path + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
    assert b"Ada" not in (data / DB_FILENAME).read_bytes()


def test_people_delete_during_that_persons_recording_is_refused(data):
    seed_person(data)
    with Store.open(data) as rec_store, Store.open(data) as other:
        sid = rec_store.start_session("p01", "record")
        board = load_board("two-plate-4")
        rec = rec_store.start_trial(sid, "record", {}, board)
        rec.add_frames(np.arange(10) / 80, np.full((10, 4), 100.0))
        with pytest.raises(StoreError, match="being recorded right now"):
            other.delete_person("p01")
        rec.finish()
        other.delete_person("p01")  # once the recording has ended


def test_a_database_deleted_mid_recording_does_not_report_success(data):
    seed_person(data)
    store = Store.open(data)
    sid = store.start_session("p01", "record")
    rec = store.start_trial(sid, "record", {}, load_board("two-plate-4"))
    rec.add_frames(np.arange(40) / 80, np.full((40, 4), 100.0))
    for p in data.iterdir():
        p.unlink()
    with pytest.raises(StoreUnavailableError, match="deleted or replaced"):
        rec.add_frames(np.arange(40, 200) / 80, np.full((160, 4), 100.0))
        rec.finish()
    store.close()


def _read_commands(tmp_path: Path) -> list[list[str]]:
    return [
        ["history", "p01"],
        ["report", "p01", "-o", str(tmp_path / "out" / "r.html")],
        ["export", "p01", "-o", str(tmp_path / "out" / "exp")],
        ["backup", str(tmp_path / "out" / "b.db")],
    ]


def _prepare_read_only(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed_person(data)
    assert main(["record", "--person", "p01", "--fast", "--seconds", "3"]) == 0
    capsys.readouterr()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_reads_work_on_a_read_only_data_dir(data, tmp_path, capsys):
    _prepare_read_only(data, capsys)
    (tmp_path / "out").mkdir()
    before = tree(data)
    for p in [*data.rglob("*"), data]:
        p.chmod(0o500 if p.is_dir() else 0o400)
    try:
        for argv in _read_commands(tmp_path):
            assert main(argv) == 0, (argv, capsys.readouterr().err)
    finally:
        for p in [data, *data.rglob("*")]:
            p.chmod(0o700 if p.is_dir() else 0o600)
    assert tree(data) == before


@contextlib.contextmanager
def tmpfs(where: Path, size: str):
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
    )
    if r.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({r.stderr.decode().strip()})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")


@needs_root
def test_reads_work_on_a_read_only_mount(tmp_path, monkeypatch, capsys):
    with tmpfs(tmp_path / "ro", "8m") as mnt:
        data = mnt / "data"
        monkeypatch.setenv("BALANCE_TRAINER_DATA_DIR", str(data))
        _prepare_read_only(data, capsys)
        (tmp_path / "out").mkdir()
        before = tree(data)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        for argv in _read_commands(tmp_path):
            assert main(argv) == 0, (argv, capsys.readouterr().err)
        capsys.readouterr()
        assert main(["people", "add", "p02"]) == 1
        one_line(capsys, "read-only")
        assert tree(data) == before


# --- full disks --------------------------------------------------------------------------------


def full_opener(path: str, flags: int, mode: int) -> int:
    """Creates the file as asked, but hands back /dev/full: every write meets ENOSPC."""
    os.close(os.open(path, flags, mode))
    return os.open("/dev/full", os.O_WRONLY)


def test_recording_writer_on_a_full_disk_raises_disk_full(tmp_path):
    board = load_board("two-plate-4")
    with pytest.raises(DiskFullError, match=r"x\.csv: the disk is full after 0 frames"):
        RecordingWriter(tmp_path / "x.csv", board, opener=full_opener)


def test_calibration_save_on_a_full_disk_keeps_the_old_file_and_no_tmp(tmp_path):
    cal = Calibration(["a", "b"], [1.0, 2.0], [0.001, 0.001])
    p = cal.save(tmp_path / "cal" / "c.json")
    old = p.read_bytes()
    with pytest.raises(DiskFullError, match="the disk is full, so the calibration was not saved"):
        Calibration(["a", "b"], [5.0, 6.0], [0.002, 0.002]).save(p, opener=full_opener)
    assert p.read_bytes() == old
    assert sorted(q.name for q in p.parent.iterdir()) == ["c.json"]


@needs_root
def test_record_and_calibrate_on_a_really_full_tmpfs(tmp_path, monkeypatch, capsys):
    with tmpfs(tmp_path / "small", "64k") as mnt:
        data = mnt / "data"
        monkeypatch.setenv("BALANCE_TRAINER_DATA_DIR", str(data))
        assert main(["calibrate", "--fast", "--yes", "--mass", "20", "--seconds", "0.5"]) == 0
        capsys.readouterr()
        cal = next((data / "calibration").iterdir())
        old = cal.read_bytes()
        filler = mnt / "filler"
        with open(filler, "wb", buffering=0) as fh, contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 1024)
                fh.flush()
        assert main(["record", "-o", str(mnt / "x.csv"), "--fast", "--seconds", "60"]) == 1
        one_line(capsys, str(mnt / "x.csv"), "disk is full")
        assert main(["calibrate", "--fast", "--yes", "--mass", "20", "--seconds", "0.5"]) == 1
        one_line(capsys, str(cal), "disk is full")
        assert cal.read_bytes() == old
        assert not list(cal.parent.glob("*.tmp"))


# --- file modes --------------------------------------------------------------------------------


@pytest.fixture
def loose_umask():
    old = os.umask(0o000)
    yield
    os.umask(old)


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_record_output_is_0600_whatever_the_umask(tmp_path, loose_umask, capsys):
    out = tmp_path / "x.csv"
    assert main(["record", "-o", str(out), "--fast", "--seconds", "0.5"]) == 0
    assert mode(out) == 0o600


def test_test_record_is_0600_whatever_the_umask(tmp_path, loose_umask, capsys):
    out = tmp_path / "t.csv"
    argv = [
        "test",
        "single-leg-stance",
        "--side",
        "left",
        "--trials",
        "1",
        "--fast",
        "--scenario",
        "single-leg-left",
        "--record",
        str(out),
    ]
    main(argv)
    assert out.exists() and mode(out) == 0o600


def test_calibrate_on_a_fresh_data_dir_is_0700_and_0600(tmp_path, monkeypatch, loose_umask, capsys):
    data = tmp_path / "fresh" / "deeper" / "data"
    monkeypatch.setenv("BALANCE_TRAINER_DATA_DIR", str(data))
    assert main(["calibrate", "--fast", "--yes", "--mass", "20", "--seconds", "0.5"]) == 0
    for folder in (tmp_path / "fresh", tmp_path / "fresh" / "deeper", data, data / "calibration"):
        assert mode(folder) == 0o700, folder
    (cal,) = (data / "calibration").iterdir()
    assert mode(cal) == 0o600


def test_store_file_is_0600_whatever_the_umask(data, loose_umask):
    seed_person(data)
    assert mode(data / DB_FILENAME) == 0o600 and mode(data) == 0o700


# --- no GPIO -----------------------------------------------------------------------------------


def test_running_without_gpio_prints_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "GPIOZERO_PIN_FACTORY"}
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "balance_trainer.cli",
            "live",
            "--board",
            "two-plate-4",
            "--seconds",
            "1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    if p.returncode == 0:
        pytest.skip("this machine has GPIO")
    assert p.returncode == 1
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "no GPIO pin library works here" in lines[0], p.stderr


# --- the clinician PIN fails closed -----------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"\xff\xfe", b"[1, 2]", b'{"volume": 3}', b'{"pin_hash": "00$zz"}', b"null"],
)
def test_a_damaged_settings_file_locks_the_settings(tmp_path, content):
    from games.settings import DEFAULT_PIN, load_settings, save_settings

    p = tmp_path / "games.json"
    p.write_bytes(content)
    s = load_settings(tmp_path)
    assert s.locked and not s.check_pin(DEFAULT_PIN)
    assert save_settings(s, tmp_path) is False  # the damaged file is kept as it is
    assert p.read_bytes() == content


def test_an_unreadable_settings_file_locks_the_settings(tmp_path):
    from games.settings import load_settings

    (tmp_path / "games.json").mkdir()  # reading it fails, even for root
    assert "cannot be read" in load_settings(tmp_path).locked


def test_no_settings_file_yet_is_a_fresh_install_with_the_default_pin(tmp_path):
    from games.settings import DEFAULT_PIN, load_settings

    s = load_settings(tmp_path)
    assert not s.locked and s.check_pin(DEFAULT_PIN)


def test_the_documented_recovery_unlocks_with_the_default_pin(tmp_path, monkeypatch, capsys):
    from games.settings import DEFAULT_PIN, load_settings

    (tmp_path / "games.json").write_text("{")
    monkeypatch.setenv("BALANCE_TRAINER_DATA_DIR", str(tmp_path))
    assert main(["play", "--reset-settings"]) == 0
    assert "PIN is 1234" in capsys.readouterr().out
    s = load_settings(tmp_path)
    assert not s.locked and s.check_pin(DEFAULT_PIN)


def test_wrong_pins_make_the_next_try_wait_longer_and_longer():
    from games.settings import FIRST_DELAY_S, GameSettings, PinGuard, PinVerdict

    now = [0.0]
    guard = PinGuard(lambda: now[0])
    s = GameSettings()
    s.set_pin("4321")
    assert [guard.attempt(s, "0000") for _ in range(2)] == [PinVerdict.WRONG] * 2
    assert guard.wait_s() == 0
    assert guard.attempt(s, "0000") is PinVerdict.WRONG
    assert guard.wait_s() == FIRST_DELAY_S
    assert guard.attempt(s, "4321") is PinVerdict.WAIT  # even the right PIN waits
    now[0] += FIRST_DELAY_S
    assert guard.attempt(s, "1111") is PinVerdict.WRONG
    assert guard.wait_s() == 2 * FIRST_DELAY_S
    now[0] += 2 * FIRST_DELAY_S
    assert guard.attempt(s, "4321") is PinVerdict.OPEN
    assert guard.failures == 0


def test_a_locked_settings_file_never_opens():
    from games.settings import PinGuard, PinVerdict, load_settings

    s = load_settings(None)
    s.locked = "damaged"
    assert PinGuard(lambda: 0.0).attempt(s, "1234") is PinVerdict.LOCKED


def _three_wrong_pins(folder, now):
    from games.settings import GameSettings, PinGuard, PinVerdict

    s = GameSettings()
    s.set_pin("4321")
    guard = PinGuard(lambda: now[0], folder)
    assert [guard.attempt(s, "0000") for _ in range(3)] == [PinVerdict.WRONG] * 3
    return s


def test_wrong_pins_still_count_after_a_restart(tmp_path, loose_umask):
    from games.settings import ATTEMPTS_FILE_NAME, FIRST_DELAY_S, PinGuard, PinVerdict

    now = [1_000_000.0]
    s = _three_wrong_pins(tmp_path, now)
    assert stat.S_IMODE((tmp_path / ATTEMPTS_FILE_NAME).stat().st_mode) == 0o600
    now[0] += 10.0
    again = PinGuard(lambda: now[0], tmp_path)  # a new app start reads the file
    assert again.failures == 3
    assert again.wait_s() == FIRST_DELAY_S - 10.0
    assert again.attempt(s, "4321") is PinVerdict.WAIT
    now[0] += FIRST_DELAY_S
    assert again.attempt(s, "0000") is PinVerdict.WRONG
    assert PinGuard(lambda: now[0], tmp_path).wait_s() == 2 * FIRST_DELAY_S


def test_the_pin_screens_guard_keeps_its_count_in_the_data_folder(tmp_path):
    from types import SimpleNamespace

    from games.screens.settings import pin_guard

    _three_wrong_pins(tmp_path, [time.time()])
    assert pin_guard(SimpleNamespace(data_dir=tmp_path, clock=lambda: 0.0)).wait_s() > 0


def test_a_right_pin_clears_the_kept_count(tmp_path):
    from games.settings import FIRST_DELAY_S, PinGuard, PinVerdict

    now = [1_000_000.0]
    s = _three_wrong_pins(tmp_path, now)
    now[0] += FIRST_DELAY_S
    assert PinGuard(lambda: now[0], tmp_path).attempt(s, "4321") is PinVerdict.OPEN
    after = PinGuard(lambda: now[0], tmp_path)
    assert after.failures == 0 and after.wait_s() == 0


@pytest.mark.parametrize(
    "content", ["", "{", "[]", '{"failures": -1, "not_before": 0}', '{"failures": 2}', "\xff"]
)
def test_a_damaged_attempts_file_waits_the_longest(tmp_path, content):
    from games.settings import ATTEMPTS_FILE_NAME, MAX_DELAY_S, GameSettings, PinGuard, PinVerdict

    (tmp_path / ATTEMPTS_FILE_NAME).write_bytes(content.encode("latin-1"))
    guard = PinGuard(lambda: 0.0, tmp_path)
    assert guard.damaged and guard.wait_s() == MAX_DELAY_S
    assert guard.attempt(GameSettings(), "1234") is PinVerdict.WAIT  # even the right PIN


def test_an_unreadable_attempts_file_waits_the_longest(tmp_path):
    from games.settings import ATTEMPTS_FILE_NAME, MAX_DELAY_S, PinGuard

    (tmp_path / ATTEMPTS_FILE_NAME).mkdir()  # reading it fails, even for root
    guard = PinGuard(lambda: 0.0, tmp_path)
    assert "cannot be read" in guard.damaged and guard.wait_s() == MAX_DELAY_S


def test_a_clock_set_back_waits_no_longer_than_the_longest(tmp_path):
    from games.settings import ATTEMPTS_FILE_NAME, MAX_DELAY_S, PinGuard

    (tmp_path / ATTEMPTS_FILE_NAME).write_text('{"failures": 9, "not_before": 1e12}')
    assert PinGuard(lambda: 0.0, tmp_path).wait_s() == MAX_DELAY_S


def test_the_documented_recovery_clears_the_wrong_pins(tmp_path, monkeypatch, capsys):
    from games.settings import ATTEMPTS_FILE_NAME, DEFAULT_PIN, PinGuard, PinVerdict, load_settings

    now = [time.time()]
    _three_wrong_pins(tmp_path, now)
    monkeypatch.setenv("BALANCE_TRAINER_DATA_DIR", str(tmp_path))
    assert main(["play", "--reset-settings"]) == 0
    guard = PinGuard(lambda: now[0], tmp_path)
    assert guard.failures == 0 and guard.wait_s() == 0
    assert guard.attempt(load_settings(tmp_path), DEFAULT_PIN) is PinVerdict.OPEN
    (tmp_path / ATTEMPTS_FILE_NAME).write_text("{")  # and a damaged one
    assert main(["play", "--reset-settings"]) == 0
    assert not PinGuard(lambda: now[0], tmp_path).damaged


def test_settings_are_written_atomically_and_durably(tmp_path, monkeypatch, loose_umask):
    import games.settings as gs

    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(stat.S_IFMT(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(gs.os, "fsync", fsync)
    s = gs.GameSettings()
    s.set_pin("2468")
    assert gs.save_settings(s, tmp_path)
    assert synced == [stat.S_IFREG, stat.S_IFDIR]  # the file, then the folder's rename
    p = tmp_path / "games.json"
    assert mode(p) == 0o600 and gs.load_settings(tmp_path).check_pin("2468")
    assert sorted(q.name for q in tmp_path.iterdir()) == ["games.json"]


def test_a_failed_settings_write_keeps_the_old_file(tmp_path, monkeypatch):
    import games.settings as gs

    s = gs.GameSettings()
    assert gs.save_settings(s, tmp_path)
    old = (tmp_path / "games.json").read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gs.os, "fsync", no_space)
    s.set_pin("9999")
    assert gs.save_settings(s, tmp_path) is False
    assert (tmp_path / "games.json").read_bytes() == old
    assert sorted(q.name for q in tmp_path.iterdir()) == ["games.json"]


def test_record_whose_database_is_deleted_midway_fails_instead_of_reporting_success(
    data, monkeypatch, capsys
):
    import balance_trainer.run as run

    seed_person(data)
    real = run.StoreSink.on_block
    calls = []

    def deleting(self, live, block, forces, missed):
        calls.append(1)
        if len(calls) == 3:  # the data directory goes away while the frames come
            for p in data.iterdir():
                p.unlink()
        return real(self, live, block, forces, missed)

    monkeypatch.setattr(run.StoreSink, "on_block", deleting)
    assert main(["record", "--person", "p01", "--fast", "--seconds", "20"]) == 1
    err = capsys.readouterr().err
    assert "deleted or replaced" in err and "frames as trial" not in err  # no success line
