"""Benchmark of the trainer app: frame cost, sample-to-screen latency and memory.

Run: ``python benchmarks/bench_games.py`` (headless; dummy video and audio drivers).

1. **Update + draw per frame** for every screen of the app at 800 × 480 and at 1280 × 720 (and
   the menu at 1920 × 1080), in virtual time on the simulated board: p50 / p95 / max in ms of
   this thread's processor time (so other work on a shared machine does not count), and the
   same in wall-clock time. The worst screen's p95 at each size is reported as a ratio to the
   **menu** at that size, measured in the same run. Target: worst p95 ≤ 4 ms on this machine
   (a Pi 4 is several times slower and must hold 60 frames/s, 16.7 ms).
   A second baseline, also in the same run: the cheapest possible frame at 800 × 480 (blit a
   background and one line of text), so the ratio says how much a real screen costs on top
   of merely putting pixels up.
1b. **Launch to first frame**: wall time from starting ``balance-trainer play --headless`` in a
   fresh process (interpreter, imports, fonts, board, store) to the end of its first frame,
   median of 3.
2. **Latency** from a sample's arrival (the sampler thread appends it to the ring buffer) to the
   end of the first frame that shows it, in real time with the simulator at 80 frames/s and the
   app at 60 frames/s. Target: ≤ one frame (16.7 ms) + the live smoother's delay.
3. **Memory**: resident set size of the process with the app, store, simulator and sounds
   loaded, after the runs. Target: < 150 MB.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pygame  # noqa: E402

from balance_trainer.wiring import open_board  # noqa: E402
from games.app import App  # noqa: E402
from games.feed import BoardFeed  # noqa: E402
from games.records import GUEST, Records  # noqa: E402
from games.settings import GameSettings  # noqa: E402
from games.sound import SoundBank  # noqa: E402
from games.ui import NORMAL, Ui  # noqa: E402

FPS = 60
WARMUP = 120


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(q / 100 * len(v))) - 1))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(pct(values, 50), 3),
        "p95": round(pct(values, 95), 3),
        "max": round(max(values), 3),
    }


def make_app(
    start: str,
    size=(800, 480),
    scenario="interactive",
    sounds=None,
    realtime=False,
    store=None,
    **opts,
) -> App:
    conn = open_board("sim", scenario=scenario, realtime=realtime, seed=1)
    feed = BoardFeed(conn, realtime=realtime)
    surface = pygame.display.set_mode(size)
    app = App(
        feed,
        settings=GameSettings(),
        records=Records(store),
        surface=surface,
        sounds=sounds or SoundBank(enabled=False),
        headless=not realtime,
        person=GUEST,
        start=start,
        start_options=opts,
    )
    app.begin()
    return app


def frame_cost(start: str, frames: int, size=(800, 480), **opts) -> dict[str, float]:
    """Update+draw per frame: wall-clock ms (as the app reports it) and this thread's
    processor ms (immune to the machine being busy with other work); the simulator's own
    frame-making is left out of both (in real time it is the sampler thread's work)."""
    app = make_app(start, size=size, **opts)
    # Measure the screen itself, not a string of screen changes chosen by standing still.
    app.nav.enabled = False
    wall, cpu = [], []
    for k in range(WARMUP + frames):
        c0, s0 = time.thread_time(), app.feed.source_cpu_s
        ms = app.step(1 / FPS)
        c_ms = (time.thread_time() - c0 - (app.feed.source_cpu_s - s0)) * 1000
        if k >= WARMUP:
            wall.append(ms)
            cpu.append(c_ms)
    app.close()
    out = summary(cpu)
    out["wall"] = summary(wall)
    return out


def baseline_frame(frames: int) -> dict[str, float]:
    """The cheapest frame: background and one line of cached text."""
    surface = pygame.display.set_mode((800, 480))
    ui = Ui((800, 480), NORMAL)
    times = []
    for k in range(WARMUP + frames):
        t0 = time.thread_time()
        surface.blit(ui.background(), (0, 0))
        ui.blit_text(surface, "Balance trainer", 40, (400, 240))
        if k >= WARMUP:
            times.append((time.thread_time() - t0) * 1000)
    return summary(times)


def latency(seconds: float) -> dict[str, float]:
    """Sample arrival → end of the frame showing it, real time, per sample."""
    app = make_app("spirit-level", realtime=True, side="left")
    feed = app.feed
    arrivals: list[tuple[int, float]] = []  # (frames in buffer after append, time)
    sampler = feed._sampler
    sampler.listeners.append(
        lambda block, forces: arrivals.append((sampler.buffer.seq, time.perf_counter()))
    )
    shown: list[tuple[int, float]] = []  # (frames read by this frame, end-of-frame time)
    tick = pygame.time.Clock()
    prev = time.monotonic()
    t_end = prev + seconds
    while time.monotonic() < t_end:
        now = time.monotonic()
        app.step(min(0.1, now - prev), pygame.event.get())
        pygame.display.flip()
        shown.append((feed._seq, time.perf_counter()))
        prev = now
        tick.tick(FPS)
    delay_ms = feed.delay_s * 1000
    app.close()
    lat = []
    j = 0
    for seq, t_arr in arrivals[FPS:]:
        while j < len(shown) and shown[j][0] < seq:
            j += 1
        if j == len(shown):
            break
        if shown[j][1] >= t_arr:
            lat.append((shown[j][1] - t_arr) * 1000)
    out = summary(lat)
    out["samples"] = len(lat)
    out["smoother_delay_ms"] = round(delay_ms, 1)
    out["limit_ms"] = round(1000 / FPS + delay_ms, 1)
    return out


MEMORY_SCRIPT = r"""
import os, sys
os.environ["SDL_VIDEODRIVER"] = "dummy"; os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
kind, folder = sys.argv[1], sys.argv[2]
import numpy as np, pygame
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
if kind == "bare":
    print(rss()); sys.exit(0)
from balance_trainer.config import load_board
from balance_trainer.recording import RecordingWriter
from balance_trainer.store import Store
from balance_trainer.wiring import open_board
from games.app import App
from games.feed import BoardFeed
from games.records import GUEST, Records
from games.settings import GameSettings
from games.sound import SoundBank
pygame.init()
if kind == "replay":
    # A real board's path without the simulator: a recording played back in real time.
    path = os.path.join(folder, "rec.csv")
    board = load_board("two-plate-4")
    with RecordingWriter(path, board) as w:
        t = np.arange(0, 60, 1 / 80)
        f = np.column_stack([170 + 5 * np.sin(t), 170 + 5 * np.cos(t), 170 - 5 * np.sin(t),
                             170 - 5 * np.cos(t)])
        w.write_block(t, f)
    conn = open_board("replay:" + path, realtime=True)
else:
    conn = open_board("sim", scenario="interactive", realtime=True)
store = Store.open(folder)
app = App(BoardFeed(conn, realtime=True), settings=GameSettings(), records=Records(store),
          surface=pygame.display.set_mode((800, 480)), sounds=SoundBank(6), person=GUEST,
          start="river", start_options={"side": "both"})
app.run(max_frames=180)
print(rss())
app.close()
"""


def memory_of(kind: str) -> float:
    """RSS (MB) of a fresh process running the app for 3 s on a replayed recording (the real
    board's path: no simulator), on the simulator, or of bare python + numpy + pygame."""
    import subprocess

    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_SCRIPT, kind, d],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
            check=True,
        )
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


SCREEN_OPTIONS: dict[str, dict[str, object]] = {
    "intro": {"game": "river"},
    "result": {"game": "river", "stars": 2, "lines": ["Gates: 3 of 4"], "best_before": None},
    "test-setup": {"test": "single-leg-stance"},
    "test-run": {"test": "single-leg-stance", "side": "both"},
    "spirit-level": {"side": "left"},
    "river": {"side": "both"},
    "squat-builder": {"side": "left", "scenario": "squats-left"},
}


def all_screens() -> dict[str, dict[str, object]]:
    """Every screen of the app with the options it needs (programme screens excepted: they
    need a programme in the store)."""
    from games.records import GameResult
    from games.screens import SCREEN_NAMES

    out = {}
    for name in SCREEN_NAMES:
        if name in ("session",):
            continue
        opts = dict(SCREEN_OPTIONS.get(name, {}))
        if name == "result":
            opts["result"] = GameResult("river", 42.0)
        out[name] = opts
    return out


FIRST_FRAME_SCRIPT = r"""
import os, sys, time
os.environ["SDL_VIDEODRIVER"] = "dummy"; os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
import games.app as ga
real_after = ga.App._after_frame
def after(self, ms):
    if self.frame == 0:
        print("FIRST", flush=True)
    real_after(self, ms)
ga.App._after_frame = after
from balance_trainer.cli import main
sys.exit(main(["play", "--headless", "--frames", "2", "--data-dir", sys.argv[1]]))
"""


def launch_to_first_frame(runs: int = 3) -> dict[str, float]:
    """Wall ms from starting a fresh ``play --headless`` process to its first frame's end."""
    import statistics
    import subprocess

    times = []
    with tempfile.TemporaryDirectory() as d:
        for _ in range(runs):
            t0 = time.perf_counter()
            p = subprocess.Popen(
                [sys.executable, "-c", FIRST_FRAME_SCRIPT, d],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                cwd=Path(__file__).resolve().parents[1],
            )
            assert p.stdout is not None
            for line in p.stdout:
                if line.startswith("FIRST"):
                    times.append((time.perf_counter() - t0) * 1000)
                    break
            p.wait()
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def main() -> int:
    pygame.init()
    frames = int(os.environ.get("BT_BENCH_FRAMES", "600"))
    print(
        f"frames per screen: {frames} (after {WARMUP} warm-up), {FPS} frames/s virtual time",
        file=sys.stderr,
    )
    base = baseline_frame(frames)
    report: dict[str, object] = {"baseline_minimal_frame_ms": base}
    per_size: dict[str, object] = {}
    worst_by_size: dict[str, object] = {}
    for size in ((800, 480), (1280, 720)):
        tag = f"{size[0]}x{size[1]}"
        results = {}
        for name, opts in all_screens().items():
            opts = dict(opts)
            r = frame_cost(name, frames, size=size, **opts)
            r["p95_ratio_to_baseline"] = round(r["p95"] / base["p95"], 1)
            results[name] = r
        menu_p95 = results["menu"]["p95"]
        worst_name = max(results, key=lambda k: results[k]["p95"])
        worst_by_size[tag] = {
            "screen": worst_name,
            "p95_ms": results[worst_name]["p95"],
            "menu_p95_ms": menu_p95,
            "ratio_to_menu": round(results[worst_name]["p95"] / menu_p95, 2),
        }
        per_size[f"update_draw_ms_{tag}"] = results
    big = frame_cost("menu", frames, size=(1920, 1080))
    big["p95_ratio_to_baseline"] = round(big["p95"] / base["p95"], 1)
    report.update(per_size)
    report["menu@1920x1080"] = big
    report["worst_screen"] = worst_by_size
    worst = max(float(w["p95_ms"]) for w in worst_by_size.values())  # type: ignore[index]
    report["worst_p95_ms"] = worst
    report["p95_target_ms"] = 4.0
    report["p95_ok"] = worst <= 4.0
    report["launch_to_first_frame"] = launch_to_first_frame()
    lat = latency(float(os.environ.get("BT_BENCH_LATENCY_S", "6")))
    report["arrival_to_frame_ms"] = lat
    report["latency_ok"] = lat["p95"] <= lat["limit_ms"]
    mem = {kind: memory_of(kind) for kind in ("replay", "sim")}
    report["rss_mb"] = mem
    report["rss_limit_mb"] = 150
    report["rss_ratio_to_limit"] = {k: round(v / 150, 2) for k, v in mem.items()}
    report["rss_bare_python_numpy_pygame_mb"] = memory_of("bare")
    report["host_load_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2))
    pygame.quit()
    ok = report["p95_ok"] and report["latency_ok"] and mem["replay"] < 150
    print("PASS" if ok else "OVER TARGET", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
