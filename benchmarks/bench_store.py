"""Store benchmark: frame storage, history and report speed, against baselines in the same run.

Run: ``python benchmarks/bench_store.py`` (about a minute). Targets (issue 6):

- storing frames ≥ 50 × faster than a board of 8 cells at 80 frames/s produces them;
- ``history`` of a person with 1,000 trials < 0.2 s;
- a report of 100 sessions < 5 s.

Baselines: a row per frame (one INSERT each, the same commit interval and durability) for
storage; one query per session (N + 1 queries) for history; a report of one session for the
report's fixed cost.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from balance_trainer.config import load_board  # noqa: E402
from balance_trainer.report import write_report  # noqa: E402
from balance_trainer.store import BLOCK_S, Store  # noqa: E402

RATE_HZ = 80.0
MINUTES = 10
CHUNK = 8  # frames per add_frames call: what the live sampler hands over every 0.1 s


def forces_for(n: int, n_cells: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / RATE_HZ
    return t, np.round(rng.uniform(50, 400, size=(n, n_cells)), 3)


def bench_frames(folder: Path, synchronous: str = "FULL") -> dict[str, float]:
    """Blocks through the store against a row per frame, both at ``synchronous``."""
    board = load_board("two-plate-8")
    n = int(MINUTES * 60 * RATE_HZ)
    t, f = forces_for(n, board.n_cells)
    for old in folder.glob("*frames.db*"):
        old.unlink()
    for old in folder.glob("rows.db*"):
        old.unlink()
    store = Store.open_path(folder / "frames.db")
    store._conn.execute(f"PRAGMA synchronous = {synchronous}")
    store.add_person("bench")
    rec = store.start_trial(store.start_session("bench", "record"), "record", {}, board)
    worst = 0.0
    start = time.perf_counter()
    for i in range(0, n, CHUNK):
        c0 = time.perf_counter()
        rec.add_frames(t[i : i + CHUNK], f[i : i + CHUNK])
        worst = max(worst, time.perf_counter() - c0)
    rec.finish()
    ours = time.perf_counter() - start
    store.close()
    size_ours = os.path.getsize(folder / "frames.db")

    # Baseline: one row per frame, one INSERT per frame, commit every BLOCK_S of frames.
    conn = sqlite3.connect(folder / "rows.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    cols = ", ".join(f"c{i} REAL" for i in range(board.n_cells))
    conn.execute(f"CREATE TABLE samples (trial_id INTEGER, t REAL, {cols})")
    marks = ", ".join("?" * (board.n_cells + 2))
    per_commit = int(BLOCK_S * RATE_HZ)
    start = time.perf_counter()
    conn.execute("BEGIN")
    for i in range(n):
        conn.execute(f"INSERT INTO samples VALUES ({marks})", (1, float(t[i]), *map(float, f[i])))
        if (i + 1) % per_commit == 0:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    base = time.perf_counter() - start
    conn.close()
    size_base = os.path.getsize(folder / "rows.db")
    return {
        "frames": n,
        "ours_s": ours,
        "base_s": base,
        "worst_call_s": worst,
        "ours_fps": n / ours,
        "base_fps": n / base,
        "ours_mb_per_h": size_ours / 1e6 * 60 / MINUTES,
        "base_mb_per_h": size_base / 1e6 * 60 / MINUTES,
    }


RESULT = {
    "trials": [
        {
            "stance_side": side,
            "start_s": 3.0,
            "end_s": 20.0,
            "hold_s": 17.0,
            "stop_reason": "touchdown",
            "metrics": {
                "ml_rms_mm": 4.2,
                "ml_range_mm": 20.0,
                "ml_path_mm": 300.0,
                "ml_mean_velocity_mm_s": 17.6,
            },
        }
        for side in ("left", "right", "left")
    ],
    "norm": {"hold_s": 27.0, "age_band": "60-69", "source": "Bohannon 2006"},
}
METRICS = {
    k: 1.0
    for k in (
        "duration_s",
        "sample_rate_hz",
        "mean_load_n",
        "ml_range_mm",
        "ml_rms_mm",
        "ml_path_mm",
        "ml_mean_velocity_mm_s",
        "path_length_mm",
        "mean_velocity_mm_s",
        "mean_frequency_hz",
        "ml_mean_frequency_hz",
        "ml_median_frequency_hz",
        "left_share",
    )
}


def bench_history(folder: Path) -> dict[str, float]:
    board = load_board("two-plate-4")
    store = Store.open_path(folder / "history.db")
    day = datetime(2024, 1, 1, tzinfo=UTC)
    t, f = forces_for(8, board.n_cells)
    for p in range(20):  # others' trials in the same tables, as in a clinic's database
        pid = f"p{p:02d}"
        store.add_person(pid)
        for k in range(1000 if p == 0 else 100):
            sid = store.start_session(pid, "test", started_at=day + timedelta(hours=k))
            rec = store.start_trial(sid, "single-leg-stance", {"max_s": 45}, board)
            rec.add_frames(t, f)
            rec.finish(result=RESULT, metrics=METRICS)
    conn = store._conn

    def ours() -> None:
        h = store.history("p00")
        assert sum(len(s.trials) for s in h) == 1000

    def baseline() -> None:  # the obvious loop: one trials query per session
        rows = conn.execute("SELECT id FROM sessions WHERE person_id = ?", ("p00",)).fetchall()
        for (sid,) in rows:
            for r in conn.execute("SELECT * FROM trials WHERE session_id = ?", (sid,)):
                store._trial(r[:12])

    times: dict[str, list[float]] = {"ours": [], "base": []}
    for _ in range(7):  # interleaved, so both see the same cache and machine state
        for name, fn in (("ours", ours), ("base", baseline)):
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    ours_s, base_s = statistics.median(times["ours"]), statistics.median(times["base"])
    store.close()
    return {"ours_s": ours_s, "base_s": base_s}


def bench_report(folder: Path) -> dict[str, float]:
    board = load_board("two-plate-4")
    day = datetime(2024, 1, 1, tzinfo=UTC)
    out: dict[str, float] = {}
    with Store(folder / "warm.db") as warm:  # import matplotlib and fill its font cache first
        warm.add_person("w")
        write_report(warm, "w", folder / "warm.pdf")
    for n_sessions in (1, 100):
        store = Store.open_path(folder / f"report{n_sessions}.db")
        store.add_person("r1", name="Report Bench", birth_year=1955)
        for k in range(n_sessions):
            sid = store.start_session("r1", "test", started_at=day + timedelta(days=k))
            rec = store.start_trial(
                sid, "single-leg-stance", {"max_s": 30}, board, started_at=day + timedelta(days=k)
            )
            rec.add_frames(*forces_for(int(30 * RATE_HZ), board.n_cells, seed=k))
            rec.finish(result=RESULT, metrics=METRICS)
            store.add_game_result(sid, "pelvis-pilot", 10.0 + k)
        for kind in ("pdf", "html"):
            start = time.perf_counter()
            write_report(store, "r1", folder / f"r{n_sessions}.{kind}")
            out[f"{kind}_{n_sessions}_s"] = time.perf_counter() - start
        store.close()
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        need = RATE_HZ  # frames per second a board produces
        cpu = bench_frames(folder, "OFF")
        print(
            f"frames, CPU cost only (synchronous=OFF): blocks {cpu['ours_fps']:.0f} frames/s, "
            f"row per frame {cpu['base_fps']:.0f} frames/s "
            f"(ratio {cpu['ours_fps'] / cpu['base_fps']:.1f} x)"
        )
        fr = bench_frames(folder)
        print(
            f"frames, as stored for real: {fr['frames']} frames of 8 cells ({MINUTES} min at "
            f"{RATE_HZ:g}/s), {CHUNK} frames per call, a durable commit (synchronous=FULL) "
            f"every {BLOCK_S:g} s of frames"
        )
        print(
            f"  blocks (ours)      {fr['ours_s']:7.3f} s  {fr['ours_fps']:9.0f} frames/s  "
            f"= {fr['ours_fps'] / need:6.0f} x real time (target >= 50 x)  "
            f"{fr['ours_mb_per_h']:6.1f} MB/h"
        )
        print(
            f"  row per frame      {fr['base_s']:7.3f} s  {fr['base_fps']:9.0f} frames/s  "
            f"= {fr['base_fps'] / need:6.0f} x real time  {fr['base_mb_per_h']:6.1f} MB/h"
        )
        print(
            f"  ratio blocks / rows: {fr['ours_fps'] / fr['base_fps']:.1f} x faster, "
            f"{fr['base_mb_per_h'] / fr['ours_mb_per_h']:.1f} x smaller; slowest add_frames "
            f"call {fr['worst_call_s'] * 1000:.1f} ms"
        )
        hi = bench_history(folder)
        print(
            f"history: 1000 trials of one person among 2900 "
            f"(median of 7): {hi['ours_s'] * 1000:.1f} ms (target < 200 ms); "
            f"N+1 query baseline {hi['base_s'] * 1000:.1f} ms "
            f"(ratio {hi['base_s'] / hi['ours_s']:.1f} x)"
        )
        rp = bench_report(folder)
        for kind in ("pdf", "html"):
            print(
                f"report {kind}: 100 sessions {rp[f'{kind}_100_s']:.2f} s (target < 5 s); "
                f"1 session {rp[f'{kind}_1_s']:.2f} s (fixed cost baseline)"
            )


if __name__ == "__main__":
    main()
