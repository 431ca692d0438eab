"""Nothing lost: a recorder killed with SIGKILL mid-trial leaves a sound database.

Real subprocesses, real time (a couple of seconds each): the point is what the kernel and
SQLite do when a writer dies without any chance to clean up.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from balance_trainer.store import BLOCK_S, DB_FILENAME, Store

# Frames at 80/s in real time, four per call as a sampler hands them on; after each call the
# child prints the time of the last frame it gave the store.
WRITER = textwrap.dedent("""
    import sys, time
    import numpy as np
    from balance_trainer.config import load_board
    from balance_trainer.store import Store

    store = Store.open_path(sys.argv[1])
    store.add_person("crash")
    board = load_board("two-plate-4")
    rec = store.start_trial(store.start_session("crash", "record", board=board), "record",
                            {}, board)
    print("trial", rec.trial_id, flush=True)
    start = time.monotonic()
    k = 0
    while True:
        t = (k + np.arange(4)) / 80.0
        forces = np.round(300 + 50 * np.sin(np.outer(t, [1, 2, 3, 4])), 3)
        wait = start + t[-1] - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        rec.add_frames(t, forces)
        k += 4
        print(f"{t[-1]:.4f}", flush=True)
""")


def _integrity(path) -> str:
    with sqlite3.connect(path) as c:
        return c.execute("PRAGMA integrity_check").fetchone()[0]


def test_sigkill_mid_trial_loses_at_most_the_last_block(tmp_path):
    path = tmp_path / "crash.db"
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        trial_id = int(child.stdout.readline().split()[1])
        while True:
            line = child.stdout.readline()
            assert line, "the writer died on its own"
            if float(line) >= 2.0:
                break
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    handed = float(([line] + rest.split())[-1])  # the last frame time the writer handed over
    assert child.returncode == -signal.SIGKILL

    assert _integrity(path) == "ok"
    with Store.open_path(path) as store:
        assert store.recovered == [trial_id]
        row = store.get_trial(trial_id)
        t, f, _ = store.trial_frames(trial_id)
    assert row.status == "interrupted" and row.n_frames == t.size
    assert t[-1] >= handed - BLOCK_S - 4 / 80  # at most a block (and the chunk in hand) lost
    assert t[-1] >= handed - 1.0  # the promise: at most the last second
    assert np.allclose(np.diff(t), 1 / 80)  # what is there is whole, frame after frame
    want = np.round(300 + 50 * np.sin(np.outer(t, [1, 2, 3, 4])), 3)
    assert np.array_equal(f, want)
    assert row.duration_s == pytest.approx(t[-1] - t[0])


def test_sigkill_of_record_person_keeps_the_trial_as_interrupted(tmp_path):
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.add_person("k1")
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "balance_trainer.cli",
            "record",
            "--person",
            "k1",
            "--board",
            "sim",
            "--seconds",
            "30",
            "--data-dir",
            str(data),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = data / DB_FILENAME
    try:
        deadline = time.monotonic() + 30
        stored = 0
        while stored < 100 and time.monotonic() < deadline:  # ≥ 1.25 s of frames committed
            time.sleep(0.1)
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
                    row = c.execute("SELECT n_frames FROM trials").fetchone()
                c.close()
            except sqlite3.OperationalError:  # the writer is still creating its tables
                row = None
            stored = row[0] if row else 0
        assert stored >= 100, "record --person never committed frames"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert _integrity(db) == "ok"
    with Store.open(data) as store:
        (session,) = store.history("k1")
        (trial,) = session.trials
        t, f, board = store.trial_frames(trial.id)
    assert trial.status == "interrupted" and trial.protocol == "record"
    assert t.size == trial.n_frames >= stored
    assert (np.diff(t) > 0).all() and np.median(np.diff(t)) == pytest.approx(1 / 80, rel=0.02)
    assert board.name == "two-plate-4" and f.shape == (t.size, 4)
