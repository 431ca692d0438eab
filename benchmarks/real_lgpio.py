"""The sweep timed through the real lgpio library, on a machine without a gpiochip.

``bench_hx711_path.py --only sweep`` times the sweep over :mod:`hardware.fake_lgpio`, a
Python stand-in. This adds rows through the real thing: lgpio's own Python module and C
library (built from its PyPI source, see ``benchmarks/build_lgpio.sh``), with only the kernel's
gpiochip replaced by ``benchmarks/gpiochip_stub.c`` (loaded with ``LD_PRELOAD``). Every lgpio
call still makes its one real system call; what is left out is gpiolib's work in the kernel
and the pin controller's register write, so these rows are a floor for this machine. On a
Raspberry Pi, ``doctor`` measures the real figures.

Run by ``bench_hx711_path.py`` (``--lgpio-dir DIR``, default ``.lgpio-build`` in the
repository); alone: ``python benchmarks/real_lgpio.py --lgpio-dir DIR``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STUB_SOURCE = HERE / "gpiochip_stub.c"
DEFAULT_LGPIO_DIR = ROOT / ".lgpio-build"


def _lgpio_importable(lgpio_dir: Path | None) -> bool:
    env = dict(os.environ)
    if lgpio_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(lgpio_dir), env.get("PYTHONPATH", "")])
    probe = subprocess.run(
        [sys.executable, "-c", "import lgpio"], env=env, capture_output=True, check=False
    )
    return probe.returncode == 0


def build_stub(dest: Path) -> Path:
    """Compile the gpiochip stub into ``dest``; raises RuntimeError with the reason."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise RuntimeError("no C compiler (cc) to build benchmarks/gpiochip_stub.c")
    out = dest / "gpiochip_stub.so"
    done = subprocess.run(
        [cc, "-O2", "-Wall", "-shared", "-fPIC", "-o", str(out), str(STUB_SOURCE), "-ldl"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"cc failed on gpiochip_stub.c: {done.stderr.strip()[:300]}")
    return out


def rows(chips: tuple[int, ...], sweeps: int, lgpio_dir: Path | None) -> list[dict[str, Any]]:
    """The real-lgpio rows, or one row saying why they could not be made."""
    if lgpio_dir is not None and not lgpio_dir.is_dir():
        lgpio_dir = None
    if not _lgpio_importable(lgpio_dir):
        return [
            {
                "path": "real lgpio",
                "skipped": "lgpio is not importable; build it with "
                "`bash benchmarks/build_lgpio.sh` (needs cc and PyPI), or pass --lgpio-dir",
            }
        ]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            stub = build_stub(Path(tmp))
        except RuntimeError as exc:
            return [{"path": "real lgpio", "skipped": str(exc)}]
        env = dict(os.environ, LD_PRELOAD=str(stub))
        path = [str(ROOT)] + ([str(lgpio_dir)] if lgpio_dir is not None else [])
        env["PYTHONPATH"] = os.pathsep.join(path + [env.get("PYTHONPATH", "")])
        done = subprocess.run(
            [sys.executable, str(Path(__file__)), "--child", "--sweeps", str(sweeps)]
            + ["--chips", ",".join(str(n) for n in chips)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        return [{"path": "real lgpio", "skipped": f"child failed: {done.stderr.strip()[-400:]}"}]
    for line in done.stderr.splitlines():
        print(f"real lgpio: {line}", file=sys.stderr)
    out: list[dict[str, Any]] = json.loads(done.stdout)
    return out


# --- in the child, with the stub preloaded ------------------------------------------------------


def _sweep_rows(n: int, sweeps: int) -> list[dict[str, Any]]:
    import lgpio

    sys.path.insert(0, str(HERE))
    from bench_hx711_path import sweep_lines, with_ratios

    rows = [
        {"chips": n, "path": f"{path} (real lgpio, stub gpiochip)"}
        | sweep_lines(n, path, sweeps, lgpio)  # the stub's inputs all read low
        for path in ("direct", "gpiozero")
    ]
    return with_ratios(*rows)


def _call_costs(n: int) -> dict[str, Any]:
    import lgpio

    from hardware.pins import LgpioPins

    sys.path.insert(0, str(HERE))
    from bench_hx711_path import DOUTS, SCK

    pins = LgpioPins(0, SCK, list(DOUTS[:n]), [str(i) for i in range(n)], lgpio=lgpio)
    k = 20000

    def best(f: Any) -> float:
        return min(timeit.repeat(f, number=k, repeat=5)) / k * 1e9

    try:
        write = best(lambda: (pins.high(), pins.low())) / 2
        read = best(pins.read_raw)
    finally:
        pins.close()
    return {
        "chips": n,
        "path": "per real lgpio call (ns)",
        "gpio_write_ns": write,
        "group_read_ns": read,
    }


def child(chips: tuple[int, ...], sweeps: int) -> None:
    from hardware.reader import raise_priority

    for _, text in raise_priority():
        print(text, file=sys.stderr)
    out: list[dict[str, Any]] = []
    for n in chips:
        out.append(_call_costs(n))
        if sweeps:  # 0: the call costs alone
            out += _sweep_rows(n, sweeps)
    print(json.dumps(out))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lgpio-dir", type=Path, default=DEFAULT_LGPIO_DIR)
    ap.add_argument("--sweeps", type=int, default=2000)
    ap.add_argument("--chips", default="4,8")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    chips = tuple(int(c) for c in args.chips.split(","))
    if args.child:
        child(chips, args.sweeps)
        return 0
    sys.path.insert(0, str(HERE))
    from bench_hx711_path import format_row

    for row in rows(chips, args.sweeps, args.lgpio_dir):
        print(format_row(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
