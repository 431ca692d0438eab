"""The store library: people, trials and frames, recovery, privacy and bad databases."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from balance_trainer.config import load_board
from balance_trainer.errors import (
    StoreCorruptError,
    StoreError,
    StoreUnavailableError,
    StoreVersionError,
    UnknownPersonError,
    UsageError,
)
from balance_trainer.migrations import LATEST_VERSION, MIGRATIONS
from balance_trainer.store import BLOCK_S, DB_FILENAME, Store, decode_block, encode_block

BOARD = load_board("two-plate-4")


def frames(n: int, n_cells: int = 4, *, t0: float = 0.0, seed: int = 0):
    """n frames at 80/s with forces on the recording's 1 mN grid."""
    rng = np.random.default_rng(seed)
    t = t0 + np.arange(n) / 80.0
    f = np.round(rng.uniform(0, 400, size=(n, n_cells)), 3)
    return t, f


def fresh(path) -> sqlite3.Connection:
    """A connection that shares nothing with the store under test."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "data")
    s.add_person("p01", name="Ann Example", birth_year=1950, dominant_side="right")
    yield s
    s.close()


# --- people ----------------------------------------------------------------------------------


def test_person_round_trips_every_entered_field(store):
    store.add_person(
        "p-02_x",
        name="B",
        birth_year=1980,
        sex="male",
        height_cm=181.5,
        mass_kg=80.2,
        dominant_side="left",
        notes="knee op 2019",
    )
    p = store.get_person("p-02_x")
    assert (p.name, p.birth_year, p.sex, p.height_cm, p.mass_kg, p.dominant_side, p.notes) == (
        "B",
        1980,
        "male",
        181.5,
        80.2,
        "left",
        "knee op 2019",
    )
    assert [q.id for q in store.list_people()] == ["p-02_x", "p01"]


def test_person_repr_never_shows_name_or_notes(store):
    assert "Ann" not in repr(store.get_person("p01"))


@pytest.mark.parametrize("pid", ["", "has space", "x" * 33, "Zoë", "a/b", "p01;drop"])
def test_bad_person_ids_are_refused(store, pid):
    with pytest.raises(UsageError, match="person id"):
        store.add_person(pid)


@pytest.mark.parametrize(
    "field, value",
    [
        ("birth_year", 1800),
        ("sex", "f"),
        ("height_cm", 2.0),
        ("mass_kg", 900.0),
        ("dominant_side", "both"),
    ],
)
def test_impossible_person_fields_are_refused(store, field, value):
    with pytest.raises(UsageError):
        store.add_person("p09", **{field: value})
    with pytest.raises(UnknownPersonError):
        store.get_person("p09")


def test_adding_an_existing_id_is_refused(store):
    with pytest.raises(StoreError, match="already exists"):
        store.add_person("p01")


def test_unknown_person_error_names_the_id_and_the_fix(store):
    with pytest.raises(UnknownPersonError) as info:
        store.history("nobody")
    assert "'nobody'" in str(info.value) and "people add" in str(info.value)
    assert info.value.exit_status == 2
    with pytest.raises(UnknownPersonError):
        store.start_session("nobody", "record")


# --- frames ----------------------------------------------------------------------------------


def test_frames_round_trip_exactly_at_recording_resolution(store):
    t, f = frames(1000, seed=3)
    t = t + 12345.678901  # a monotonic clock far from zero
    sid = store.start_session("p01", "record", board=BOARD)
    rec = store.start_trial(sid, "record", {}, BOARD)
    for i in range(0, 1000, 7):  # chunks as a sampler delivers them
        rec.add_frames(t[i : i + 7], f[i : i + 7])
    rec.finish()
    got_t, got_f, board = store.trial_frames(rec.trial_id)
    assert np.array_equal(np.round(got_t, 6), np.round(t, 6))
    assert np.array_equal(got_f, f)
    assert board.cell_names == BOARD.cell_names and board.x_mm.tolist() == BOARD.x_mm.tolist()


def test_block_encoding_is_int32_little_endian():
    t0, tb, fb = encode_block(np.array([1.0, 1.0125]), np.array([[1.5, -2.0], [0.001, 3.0]]))
    assert t0 == 1_000_000 and len(tb) == 2 * 4 and len(fb) == 4 * 4
    assert np.frombuffer(fb, "<i4").tolist() == [1500, -2000, 1, 3000]
    t, f = decode_block(t0, 2, 2, tb, fb)
    assert t.tolist() == [1.0, 1.0125] and f.tolist() == [[1.5, -2.0], [0.001, 3.0]]


def test_frames_reach_the_database_in_blocks_of_at_most_block_s(store, tmp_path):
    t, f = frames(200)  # 2.5 s
    sid = store.start_session("p01", "record")
    rec = store.start_trial(sid, "record", {}, BOARD)
    for i in range(0, 200, 4):
        rec.add_frames(t[i : i + 4], f[i : i + 4])
    # Not finished: another connection already sees all but the last block_s of frames.
    with fresh(store.path) as other:
        rows = other.execute(
            "SELECT t0_us, n_frames, n_cells, t_us, forces_mn FROM "
            "frame_blocks WHERE trial_id = ? ORDER BY seq",
            (rec.trial_id,),
        ).fetchall()
        running = other.execute(
            "SELECT status, n_frames FROM trials WHERE id = ?", (rec.trial_id,)
        ).fetchone()
    stored_t = np.concatenate([decode_block(*r)[0] for r in rows])
    assert stored_t[-1] >= t[-1] - BLOCK_S
    assert running == ("running", stored_t.size)
    assert len(rows) < stored_t.size / 10  # blocks, not a row per frame
    for r in rows:
        bt = decode_block(*r)[0]
        assert bt[-1] - bt[0] < BLOCK_S
    rec.finish()
    assert store.get_trial(rec.trial_id).n_frames == 200


def test_bad_frames_are_refused_before_anything_is_stored(store):
    sid = store.start_session("p01", "record")
    rec = store.start_trial(sid, "record", {}, BOARD)
    with pytest.raises(ValueError, match="shape"):
        rec.add_frames(np.arange(3) / 80, np.zeros((3, 5)))
    with pytest.raises(ValueError, match="NaN"):
        rec.add_frames(np.arange(2) / 80, np.array([[1, 2, 3, np.nan], [1, 2, 3, 4]]))
    rec.finish()
    assert store.get_trial(rec.trial_id).n_frames == 0
    with pytest.raises(ValueError, match="finished"):
        rec.add_frames(np.arange(2) / 80, np.zeros((2, 4)))


# --- trials ----------------------------------------------------------------------------------


def test_finish_stores_result_metrics_and_status_with_nan_as_null(store):
    sid = store.start_session("p01", "test", board=BOARD, source="sim")
    rec = store.start_trial(sid, "single-leg-stance", {"side": "left", "max_s": 45}, BOARD)
    rec.add_frames(*frames(160))
    result = {
        "trials": [
            {
                "stance_side": "left",
                "hold_s": np.float64(12.5),
                "stop_reason": "touchdown",
                "metrics": {"ml_rms_mm": 3.25},
            }
        ],
        "norm": {"hold_s": 27.0},
    }
    rec.finish(result=result, metrics={"ml_rms_mm": 3.25, "ap_rms_mm": float("nan")})
    row = store.get_trial(rec.trial_id)
    assert row.status == "complete" and row.protocol == "single-leg-stance"
    assert row.params == {"side": "left", "max_s": 45}
    assert row.result["trials"][0]["hold_s"] == 12.5
    assert row.metrics == {"ml_rms_mm": 3.25, "ap_rms_mm": None}
    assert row.n_frames == 160 and row.duration_s == pytest.approx(159 / 80)
    with pytest.raises(ValueError, match="already finished"):
        rec.finish()


def test_an_error_while_recording_keeps_the_frames_as_aborted(store):
    sid = store.start_session("p01", "record")
    with pytest.raises(KeyboardInterrupt):
        with store.start_trial(sid, "record", {}, BOARD) as rec:
            rec.add_frames(*frames(50))
            raise KeyboardInterrupt
    row = store.get_trial(rec.trial_id)
    assert row.status == "aborted" and row.n_frames == 50


def test_closing_with_an_unfinished_trial_keeps_it_as_interrupted(tmp_path):
    s = Store.open_path(tmp_path / "x.db")
    s.add_person("p01")
    rec = s.start_trial(s.start_session("p01", "record"), "record", {}, BOARD)
    rec.add_frames(*frames(30))
    s.close()
    with Store.open_path(tmp_path / "x.db") as s2:
        row = s2.get_trial(rec.trial_id)
    assert (row.status, row.n_frames) == ("interrupted", 30)


def test_opening_marks_a_dead_writers_trial_interrupted_and_leaves_a_live_one(tmp_path):
    path = tmp_path / "x.db"
    a = Store.open_path(path)
    a.add_person("p01")
    sid = a.start_session("p01", "record")
    live = a.start_trial(sid, "record", {}, BOARD)
    live.add_frames(*frames(100))
    dead = a.start_trial(sid, "record", {}, BOARD)
    dead.add_frames(*frames(100))
    # Pretend a process that has exited wrote the second trial.
    gone = subprocess.Popen(["true"])
    gone.wait()
    token = a._conn.execute("SELECT owner FROM trials WHERE id = ?", (dead.trial_id,)).fetchone()[0]
    boot, pid, start = token.split(":")
    with a._tx() as cur:
        cur.execute(
            "UPDATE trials SET owner = ? WHERE id = ?",
            (f"{boot}:{gone.pid}:{start}", dead.trial_id),
        )
    b = Store.open_path(path)  # a second program (e.g. 'history') while 'a' records
    assert b.recovered == [dead.trial_id]
    assert b.get_trial(live.trial_id).status == "running"
    row = b.get_trial(dead.trial_id)
    assert row.status == "interrupted" and row.n_frames == 80  # the last block_s not committed
    assert row.duration_s == pytest.approx(79 / 80)
    b.close()
    live.finish()
    a.close()


def test_history_lists_sessions_oldest_first_with_trials_and_games(tmp_path):
    day = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    s = Store(clock=lambda: day)
    s.add_person("p01")
    s.add_person("other")
    late = s.start_session("p01", "game", started_at=day + timedelta(days=2))
    early = s.start_session("p01", "test", started_at=day)
    s.start_session("other", "test")
    s.start_trial(early, "single-leg-stance", {}, BOARD).finish(result={"trials": []})
    gid = s.add_game_result(
        late, "pelvis-pilot", 120.0, level=2, duration_s=60.0, details={"hits": 7}
    )
    h = s.history("p01")
    assert [x.id for x in h] == [early, late]
    assert [t.protocol for t in h[0].trials] == ["single-leg-stance"] and h[0].games == []
    g = h[1].games[0]
    assert (g.id, g.game, g.score, g.level, g.duration_s, g.details) == (
        gid,
        "pelvis-pilot",
        120.0,
        2,
        60.0,
        {"hits": 7},
    )
    with pytest.raises(UsageError):
        s.add_game_result(late, "pelvis-pilot", float("nan"))
    with pytest.raises(UsageError, match="kind"):
        s.start_session("p01", "holiday")
    with pytest.raises(StoreError, match="no session"):
        s.add_game_result(9999, "x", 1.0)


# --- privacy ---------------------------------------------------------------------------------


def test_a_new_store_is_private_to_its_owner(tmp_path):
    data = tmp_path / "new" / "data"
    with Store.open(data) as s:
        s.add_person("p01")
        assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
        for suffix in ("", "-wal", "-shm"):
            p = data / (DB_FILENAME + suffix)
            assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, p


def test_open_uses_the_configured_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BALANCE_TRAINER_DATA_DIR", str(tmp_path / "env"))
    with Store.open() as s:
        assert Path(s.path) == tmp_path / "env" / DB_FILENAME


def test_deleting_a_person_removes_their_data_from_the_files(tmp_path):
    data = tmp_path / "data"
    s = Store.open(data)
    name = "Zebediah Quixotic-Marchbanks"
    s.add_person("zq77", name=name, notes="private note XYZZY")
    s.add_person("keep", name="Kept Person")
    for pid in ("zq77", "keep"):
        sid = s.start_session(pid, "test")
        rec = s.start_trial(sid, "single-leg-stance", {"who": pid}, BOARD)
        rec.add_frames(*frames(400))
        rec.finish(result={"marker": f"RESULT-OF-{pid}"})
        s.add_game_result(sid, "pelvis-pilot", 5.0, details={"tag": f"GAME-OF-{pid}"})
    counts = s.delete_person("zq77")
    assert counts["people"] == 1 and counts["trials"] == 1 and counts["frame_blocks"] > 0
    with fresh(data / DB_FILENAME) as other:
        for table, where in (("people", "id = 'zq77'"), ("sessions", "person_id = 'zq77'")):
            assert other.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}").fetchone() == (0,)
        assert other.execute("SELECT COUNT(*) FROM trials").fetchone() == (1,)
        assert other.execute("SELECT COUNT(*) FROM game_results").fetchone() == (1,)
        n_blocks = other.execute("SELECT COUNT(*) FROM frame_blocks").fetchone()[0]
    assert n_blocks == counts["frame_blocks"]  # the other person's blocks are all still there
    s.close()
    raw = b"".join(p.read_bytes() for p in data.iterdir())
    for secret in (name, "XYZZY", "RESULT-OF-zq77", "GAME-OF-zq77", "zq77"):
        assert secret.encode() not in raw, secret
    assert b"RESULT-OF-keep" in raw  # the check above can see text when it is there
    with Store.open(data) as again:
        assert again.get_person("keep").name == "Kept Person"
        assert again.trial_frames(again.history("keep")[0].trials[0].id).t_s.size == 400


# --- bad databases ---------------------------------------------------------------------------


def _made(tmp_path) -> Path:
    path = tmp_path / "made.db"
    with Store.open_path(path) as s:
        s.add_person("p01")
        sid = s.start_session("p01", "record")
        rec = s.start_trial(sid, "record", {}, BOARD)
        rec.add_frames(*frames(8000))
        rec.finish()
    return path


def test_a_database_from_a_newer_version_is_refused_and_left_alone(tmp_path):
    path = _made(tmp_path)
    with sqlite3.connect(path) as c:
        c.execute("INSERT INTO schema_migrations VALUES (?, 'future', 'x')", (LATEST_VERSION + 1,))
    c.close()
    before = digest(path)
    with pytest.raises(StoreVersionError, match="upgrade") as info:
        Store.open_path(path)
    assert info.value.exit_status == 2
    assert digest(path) == before


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 20)
    before = digest(path)
    with pytest.raises(StoreCorruptError, match="not an SQLite database"):
        Store.open_path(path)
    assert digest(path) == before


def test_another_programs_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE contacts (name TEXT)")
    c.close()
    before = digest(path)
    with pytest.raises(StoreCorruptError, match="another program"):
        Store.open_path(path)
    assert digest(path) == before


def test_a_damaged_database_raises_corrupt_not_a_traceback(tmp_path):
    path = _made(tmp_path)
    raw = bytearray(path.read_bytes())
    page = 4096
    for start in range(page, len(raw), page):  # scribble over every page but the first
        raw[start : start + 64] = b"\xa5" * 64
    path.write_bytes(bytes(raw))
    with pytest.raises(StoreCorruptError, match="damaged"):
        with Store.open_path(path) as s:
            s.trial_frames(s.history("p01")[0].trials[0].id)


def test_migrations_are_recorded_one_row_each(tmp_path):
    with Store.open_path(tmp_path / "m.db") as s:
        rows = s._conn.execute("SELECT version, name FROM schema_migrations").fetchall()
    assert [r[0] for r in rows] == [m.version for m in MIGRATIONS]


def test_migration_sql_has_a_postgresql_rendering_without_sqlite_types():
    for m in MIGRATIONS:
        for stmt in m.sql("postgresql"):
            assert "BLOB" not in stmt and "INTEGER PRIMARY KEY" not in stmt
            assert "{" not in stmt


def test_a_full_disk_raises_unavailable_and_keeps_what_was_stored(store):
    sid = store.start_session("p01", "record")
    done = store.start_trial(sid, "record", {}, BOARD)
    done.add_frames(*frames(80))
    done.finish()
    # SQLite reports a page limit exactly as it reports a full disk (SQLITE_FULL).
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    rec = store.start_trial(sid, "record", {}, BOARD)
    with pytest.raises(StoreUnavailableError, match="full") as info:
        rec.add_frames(*frames(8000, seed=1))
    assert info.value.exit_status == 1
    assert store.trial_frames(done.trial_id).t_s.size == 80
    assert store.integrity_check() == []


def _make_read_only(paths: list[Path]) -> list[list[str]]:
    """Make paths read-only even for root (immutable flag), else by mode; undo commands."""
    if os.geteuid() != 0:
        for p in paths:
            p.chmod(0o500 if p.is_dir() else 0o400)
        return [["chmod", "700" if p.is_dir() else "600", str(p)] for p in paths]
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a file read-only")
    for p in paths:
        if subprocess.run(["chattr", "+i", str(p)], capture_output=True).returncode:
            pytest.skip("running as root on a file system without the immutable flag")
    return [["chattr", "-i", str(p)] for p in paths]


def test_a_read_only_store_raises_unavailable_and_keeps_its_data(tmp_path):
    path = _made(tmp_path)
    before = digest(path)
    undo = _make_read_only([path, path.parent])
    try:
        with pytest.raises(StoreUnavailableError) as info:
            with Store.open_path(path) as s:
                s.add_person("p02")
        assert info.value.exit_status == 1
    finally:
        for cmd in undo:
            subprocess.run(cmd, check=False)
    assert digest(path) == before


def test_a_read_only_database_file_can_be_read_but_not_written(tmp_path):
    path = _made(tmp_path)
    before = digest(path)
    undo = _make_read_only([path])
    try:
        with Store.open_path(path) as s:
            assert s.history("p01")[0].trials[0].n_frames == 8000
            with pytest.raises(StoreUnavailableError, match="read-only"):
                s.add_person("p02")
    finally:
        for cmd in undo:
            subprocess.run(cmd, check=False)
    assert digest(path) == before


def test_integrity_check_is_clean_on_a_sound_store(store):
    assert store.integrity_check() == []


def test_backup_is_a_complete_private_copy(store, tmp_path):
    sid = store.start_session("p01", "record")
    rec = store.start_trial(sid, "record", {}, BOARD)
    rec.add_frames(*frames(500))
    rec.finish()
    seen = []
    out = store.backup(tmp_path / "b.db", progress=lambda done, total: seen.append(total))
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600 and seen
    with Store.open_path(out) as copy:
        t, f, _ = copy.trial_frames(rec.trial_id)
        assert t.size == 500 and copy.get_person("p01").name == "Ann Example"
    with pytest.raises(UsageError, match="already exists"):
        store.backup(out)


def test_a_closed_store_says_so(tmp_path):
    s = Store.open_path(tmp_path / "c.db")
    s.close()
    with pytest.raises(StoreError, match="closed"):
        s.list_people()
