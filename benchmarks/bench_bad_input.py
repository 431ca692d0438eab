"""What the bad-input checks of issue 17 cost, against baselines measured in the same run.

Run: ``python benchmarks/bench_bad_input.py`` (about half a minute). Reported as ratios:

- the nesting pre-scan of a file (``check_nesting``) against parsing it (``tomllib.loads``),
  for the default board preset and the example programme: the scan must stay a small share;
- reading a 10-minute, 8-cell recording (``read_recording``) against the plain parse of the
  same rows (``np.loadtxt``), and the share of that read spent in the value checks added for
  issue 17 (clock jumps, absurd times and forces): the checks must not make reading slow;
- saving the games settings durably (temp file, fsync of the file and the folder, rename)
  against a plain ``write_text``: the price of a settings file that survives a power cut.

No timed assertions anywhere: the numbers are for the reader (and the issue's closing note).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from balance_trainer.config import BoardConfigError, check_nesting, load_board  # noqa: E402
from balance_trainer.recording import RecordingWriter, _check_values, read_recording  # noqa: E402
from games.settings import GameSettings, save_settings  # noqa: E402


def best_of(fn: Callable[[], object], repeat: int = 7, number: int = 1) -> float:
    """Median seconds per call over ``repeat`` rounds of ``number`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def nesting_vs_parse() -> list[tuple[str, float, float]]:
    files = {
        "board preset two-plate-4": (ROOT / "balance_trainer/boards/two-plate-4.toml"),
        "example programme": ROOT / "examples/glute-med-programme.toml",
    }
    out = []
    for label, path in files.items():
        text = path.read_text(encoding="utf-8")
        scan = best_of(lambda t=text: check_nesting(t, "x", BoardConfigError), number=200)
        parse = best_of(lambda t=text: tomllib.loads(t), number=200)
        out.append((label, scan, parse))
    return out


def recording_read(folder: Path) -> tuple[float, float, float, int]:
    board = load_board("two-plate-8")
    n = int(10 * 60 * board.sample_rate_hz)
    rng = np.random.default_rng(0)
    t = np.arange(n) / board.sample_rate_hz
    f = 90.0 + rng.normal(0.0, 2.0, (n, board.n_cells))
    path = folder / "ten-minutes.csv"
    with RecordingWriter(path, board) as w:
        w.write_block(t, f)
    ours = best_of(lambda: read_recording(path), repeat=3)
    skip = sum(1 for line in path.open() if line.startswith("#")) + 1
    plain = best_of(lambda: np.loadtxt(path, delimiter=",", skiprows=skip), repeat=3)
    arr = np.column_stack([t, f])
    lines = list(range(n))
    checks = best_of(lambda: _check_values(path, arr, lines), repeat=5)
    return ours, plain, checks, n


def settings_save(folder: Path) -> tuple[float, float]:
    s = GameSettings()
    durable = best_of(lambda: save_settings(s, folder), number=20)
    plain_path = folder / "plain.json"
    text = (folder / "games.json").read_text()
    plain = best_of(lambda: plain_path.write_text(text), number=20)
    return durable, plain


def main() -> None:
    print("bad-input checks, medians; ratio = checked / baseline")
    for label, scan, parse in nesting_vs_parse():
        print(
            f"  nesting scan of {label}: {scan * 1e6:.1f} us vs tomllib {parse * 1e6:.1f} us "
            f"= {scan / parse:.2f} x"
        )
    with tempfile.TemporaryDirectory() as tmp:
        ours, plain, checks, n = recording_read(Path(tmp))
        print(
            f"  read_recording of {n} frames x 8 cells: {ours:.3f} s vs np.loadtxt {plain:.3f} s "
            f"= {ours / plain:.2f} x"
        )
        print(
            f"  of which the issue-17 value checks (gap, time, force): {checks * 1e3:.2f} ms "
            f"= {checks / ours:.3f} of the read"
        )
        durable, plainw = settings_save(Path(tmp))
        print(
            f"  durable save_settings: {durable * 1e3:.2f} ms vs write_text {plainw * 1e3:.3f} ms "
            f"= {durable / plainw:.0f} x"
        )


if __name__ == "__main__":
    main()
