"""What the store promises about durability and deletion, read back from SQLite itself."""

from __future__ import annotations

import numpy as np
import pytest

from balance_trainer.config import load_board
from balance_trainer.store import Store

BOARD = load_board("two-plate-4")
SQLITE_SYNCHRONOUS_FULL = 2
"""``PRAGMA synchronous`` reads 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA (sqlite.org/pragma.html)."""


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "data")
    s.add_person("p01", name="Ann Example", birth_year=1950, dominant_side="right")
    yield s
    s.close()


def _trial_with_frames(store: Store, n: int = 400) -> int:
    sid = store.start_session("p01", "record", board=BOARD)
    rec = store.start_trial(sid, "record", {}, BOARD)
    t = np.arange(n) / 80.0
    rec.add_frames(t, np.full((n, BOARD.n_cells), 200.0))
    rec.finish()
    return rec.trial_id


def test_a_file_store_commits_with_synchronous_full_in_wal_mode(store):
    # NORMAL in WAL mode can lose the last commits on a power cut; a home Pi gets unplugged.
    conn = store._conn
    assert conn is not None
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == SQLITE_SYNCHRONOUS_FULL
    assert conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"


def test_deleting_a_trial_row_takes_its_frame_blocks_with_it(store):
    # Any delete of a trial (a clinic's admin tool, a later clean-up) must leave no orphaned
    # frames: the schema says ON DELETE CASCADE, not each caller.
    keep = _trial_with_frames(store)
    gone = _trial_with_frames(store)
    conn = store._conn
    assert conn is not None
    count = "SELECT COUNT(*) FROM frame_blocks WHERE trial_id = ?"
    assert conn.execute(count, (gone,)).fetchone()[0] > 0
    with conn:
        conn.execute("DELETE FROM trials WHERE id = ?", (gone,))
    assert conn.execute(count, (gone,)).fetchone()[0] == 0
    assert conn.execute(count, (keep,)).fetchone()[0] > 0
    assert len(store.trial_frames(keep)[0]) == 400
