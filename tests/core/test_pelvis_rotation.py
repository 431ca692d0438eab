"""Pelvic rotation is recorded beside the obliquity: the optional ``pelvis_rotation_deg``
recording column and the store's schema 4 column; replay gives it back exactly; NaN (no
reference before zeroing) stays NaN; files and databases written before it read as before."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from balance_trainer.cli import main
from balance_trainer.config import load_board
from balance_trainer.migrations import LATEST_VERSION, applied_version
from balance_trainer.recording import RecordingWriter, read_recording
from balance_trainer.store import Store
from balance_trainer.wiring import open_board

DATA = Path(__file__).resolve().parents[1] / "data"
OLD_DB = DATA / "pelvis-aa4bb58.sqlite"
OLD_CSV = DATA / "pelvis-aa4bb58.csv"


def replayed(path: Path):
    """Every frame of a recording through the replay board and its pelvis, as one block."""
    with open_board(f"replay:{path}", realtime=False) as conn:
        block, _ = conn.converter.block(list(conn.source.frames()))
    return block


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A simulated weak right hip recorded live with the pelvis sensor: the file and the db."""
    d = tmp_path_factory.mktemp("live")
    assert main(["people", "add", "p01", "--data-dir", str(d)]) == 0
    out = d / "live.csv"
    argv = ["record", "--fast", "--seconds", "4", "--pelvis", "sim", "--person", "p01"]
    argv += ["--scenario", "single-leg-right", "--weak-hip", "right", "-o", str(out)]
    assert main([*argv, "--data-dir", str(d)]) == 0
    return out, d / "balance-trainer.db"


def test_a_live_recording_carries_the_rotation_and_replay_gives_it_back_exactly(live):
    path, _ = live
    header = next(ln for ln in path.read_text().splitlines() if ln.startswith("t_s,"))
    assert header.endswith(",pelvis_obliquity_deg,pelvis_rotation_deg")
    rec = read_recording(path)
    rot = rec.pelvis_rotation_deg
    assert rot is not None and np.isfinite(rot).mean() > 0.95
    assert 0.05 < np.nanstd(rot) < 10.0  # the simulated pelvis turns a little, not wildly
    block = replayed(path)
    assert np.array_equal(block.pelvis_rotation_deg, rot, equal_nan=True)
    assert np.array_equal(block.pelvis_obliquity_deg, rec.pelvis_obliquity_deg, equal_nan=True)


def test_the_store_keeps_the_same_rotation_as_the_recording(live):
    path, db = live
    rec = read_recording(path)
    store = Store(db)
    try:
        (trial,) = [t for s in store.history("p01") for t in s.trials]
        rot = store.trial_pelvis_rotation(trial.id)
        obl = store.trial_pelvis(trial.id)
    finally:
        store.close()
    assert rot is not None and rot.shape == rec.pelvis_rotation_deg.shape
    # Both keep hundredths of a degree (the file as text, the store as int16 centidegrees).
    assert np.allclose(rot, rec.pelvis_rotation_deg, atol=0.0051, equal_nan=True)
    assert np.allclose(obl, rec.pelvis_obliquity_deg, atol=0.0051, equal_nan=True)


def test_no_rotation_before_zeroing_stays_empty_in_the_file_and_nan_in_the_store(tmp_path):
    board = load_board("two-plate-4")
    t = np.arange(160) / 80
    forces = np.full((160, board.n_cells), 170.0)
    obl = np.full(160, 1.5)
    rot = np.where(t < 1.0, np.nan, 4.25)  # no reference until the sensor was zeroed at 1 s
    path = tmp_path / "z.csv"
    with RecordingWriter(path, board, pelvis=True) as w:
        w.write_block(t, forces, obl, rot)
    rows = [ln for ln in path.read_text().splitlines() if ln[:1].isdigit()]
    assert rows[0].endswith(",1.50,") and rows[-1].endswith(",1.50,4.25")
    back = read_recording(path).pelvis_rotation_deg
    assert np.array_equal(back, rot, equal_nan=True)
    assert np.array_equal(replayed(path).pelvis_rotation_deg, rot, equal_nan=True)
    store = Store(tmp_path / "db.sqlite")
    store.add_person("p01")
    sid = store.start_session("p01", "record", board=board)
    trial = store.start_trial(sid, "record", {}, board)
    trial.add_frames(t, forces, obl, rot)
    trial.finish()
    never = store.start_trial(sid, "record", {}, board)
    never.add_frames(t, forces, obl)  # a sensor that was never zeroed: no rotation at all
    never.finish()
    plain = store.start_trial(sid, "record", {}, board)
    plain.add_frames(t, forces)
    plain.finish()
    assert np.array_equal(store.trial_pelvis_rotation(trial.trial_id), rot, equal_nan=True)
    assert np.isnan(store.trial_pelvis_rotation(never.trial_id)).all()
    assert store.trial_pelvis_rotation(plain.trial_id) is None
    store.close()


def test_a_database_written_before_the_rotation_opens_and_keeps_its_obliquity(tmp_path):
    db = tmp_path / "balance-trainer.db"
    shutil.copy(OLD_DB, db)
    with sqlite3.connect(db) as conn:
        assert applied_version(conn) == 3
    store = Store(db)
    try:
        (trial,) = [t for s in store.history("p01") for t in s.trials]
        obl = store.trial_pelvis(trial.id)
        rot = store.trial_pelvis_rotation(trial.id)
    finally:
        store.close()
    with sqlite3.connect(db) as conn:
        assert applied_version(conn) == LATEST_VERSION == 4
    old = read_recording(OLD_CSV)  # the same frames, written by the same run
    assert np.allclose(obl, old.pelvis_obliquity_deg, atol=0.0051, equal_nan=True)
    assert rot is not None and np.isnan(rot).all() and rot.shape == obl.shape


def test_a_recording_written_before_the_rotation_reads_and_replays_as_before():
    rec = read_recording(OLD_CSV)
    assert rec.pelvis_rotation_deg is None and rec.n_frames == 240
    assert np.isfinite(rec.pelvis_obliquity_deg[1:]).all()  # none before the first sample
    block = replayed(OLD_CSV)
    assert np.array_equal(block.pelvis_obliquity_deg, rec.pelvis_obliquity_deg, equal_nan=True)
    assert np.isnan(block.pelvis_rotation_deg).all()


def test_paths_that_know_only_the_obliquity_read_a_new_file(live, capsys):
    path, _ = live
    assert main(["analyze", str(path), "--json"]) == 0
    assert '"ml_rms_mm"' in capsys.readouterr().out
