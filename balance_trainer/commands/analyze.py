"""``balance-trainer analyze FILE...``: sway measures of recorded trials, ours or a lab's."""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import BalanceTrainerError
from ..readers import FORMATS

if TYPE_CHECKING:
    from ..cli import CommonOptions
    from . import Subparsers

PROGRESS_MIN_FILES = 4
"""Show a progress counter on stderr from this many files on."""

# The readable table: key ML measures first, then the planar ones (DESIGN.md names).
TABLE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("duration_s", "dur s", "{:.1f}"),
    ("ml_range_mm", "ML range mm", "{:.1f}"),
    ("ml_rms_mm", "ML RMS mm", "{:.2f}"),
    ("ml_mean_velocity_mm_s", "ML vel mm/s", "{:.2f}"),
    ("ml_mean_frequency_hz", "ML fmean Hz", "{:.3f}"),
    ("ap_rms_mm", "AP RMS mm", "{:.2f}"),
    ("mean_velocity_mm_s", "vel mm/s", "{:.2f}"),
    ("ellipse_area_mm2", "area95 mm2", "{:.1f}"),
    ("left_share", "left %", "{:.1%}"),
)


def register(sub: Subparsers, common: CommonOptions) -> None:
    p = sub.add_parser(
        "analyze",
        help="sway measures (ML first) of recordings and lab force-plate files",
        description="Compute the posturography measures of each FILE: our recordings, "
        "HBEDB/BDS force-plate files and PDS two-plate *grf.txt files (detected "
        "from the header). By default samples are put on a uniform grid if needed "
        "and low-pass filtered (4th-order zero-phase Butterworth, 10 Hz). "
        "COP in mm, time in s.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="data file(s) to analyse")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="read every FILE as this format instead of detecting it",
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per file and line: file, format, processing, metrics",
    )
    out.add_argument("--csv", action="store_true", help="a CSV summary table, one row per file")
    p.add_argument(
        "--no-filter",
        action="store_true",
        help="skip the 10 Hz low-pass (for lab data published already filtered)",
    )
    p.add_argument(
        "--test",
        metavar="NAME",
        default=None,
        help="find the trials of a clinical test (e.g. single-leg-stance) in each "
        "recording and report them instead",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.test is not None:
        return _run_test(args)
    # Imported here, not at the top: the CLI builds every command's parser on each start.
    from ..analysis import analyze_file

    files: list[str] = args.files
    many = len(files) >= PROGRESS_MIN_FILES
    results: list[dict[str, Any]] = []
    status = 0
    for i, path in enumerate(files, start=1):
        try:
            result = analyze_file(path, format=args.format, filter=not args.no_filter)
        except BalanceTrainerError as exc:
            if len(files) == 1:
                raise
            _clear_progress(many)
            print(f"balance-trainer: error: {exc}", file=sys.stderr)
            status = max(status, exc.exit_status)
            continue
        finally:
            if many:
                _progress(i, len(files))
        results.append(result)
        if args.json:
            print(json.dumps(_json_ready(result)), flush=True)
    _clear_progress(many)
    if args.csv:
        write_csv(results, sys.stdout)
    elif not args.json and results:
        print(format_table(results))
    return status


def _progress(i: int, n: int) -> None:
    err = sys.stderr
    if err.isatty():
        print(f"\ranalysed {i}/{n} files", end="", file=err, flush=True)
    elif i == n or i % 10 == 0:
        print(f"analysed {i}/{n} files", file=err, flush=True)


def _clear_progress(many: bool) -> None:
    if many and sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def _clean(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 6) if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def _json_ready(result: dict[str, Any]) -> dict[str, Any]:
    """The result with floats rounded to 6 decimals (1 nm, 1 µs) and NaN as null."""
    return {
        "file": result["file"],
        "format": result["format"],
        "metrics": _clean(result["metrics"]),
        "processing": _clean(result["processing"]),
    }


def format_table(results: list[dict[str, Any]]) -> str:
    """A readable fixed-width table, one row per file, then the processing that ran."""
    header = ["file", "format", *(label for _, label, _ in TABLE_COLUMNS)]
    rows = []
    for r in results:
        m = r["metrics"]
        cells = [r["file"], r["format"]]
        for key, _, fmt in TABLE_COLUMNS:
            v = m.get(key)
            cells.append("-" if v is None else fmt.format(v))
        rows.append(cells)
    widths = [max(len(h), *(len(row[j]) for row in rows)) for j, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        left = [c.ljust(w) for c, w in zip(cells[:2], widths[:2], strict=True)]
        right = [c.rjust(w) for c, w in zip(cells[2:], widths[2:], strict=True)]
        return "  ".join(left + right).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    summaries = sorted({r["processing"]["summary"] for r in results})
    out.append("")
    out += [f"processing: {s}" for s in summaries]
    for r in results:
        for note in r["processing"].get("notes", []):
            out.append(f"note: {r['file']}: {note}")
    if any(r["metrics"].get(k) is None for r in results for k, _, _ in TABLE_COLUMNS):
        out.append("'-': not measured (no AP spacing on the board, or a single plate)")
    return "\n".join(out)


def write_csv(results: list[dict[str, Any]], fh: TextIO) -> None:
    """CSV summary: file, format, every metric (DESIGN.md names), the processing summary."""
    from ..analysis import RESULT_NAMES

    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["file", "format", *RESULT_NAMES, "processing"])
    for r in results:
        m = r["metrics"]
        vals = []
        for key in RESULT_NAMES:
            v = m.get(key)
            vals.append("" if v is None else f"{v:.6g}")
        w.writerow([r["file"], r["format"], *vals, r["processing"]["summary"]])


def _run_test(args: argparse.Namespace) -> int:
    # Imported here, not at the top: analyze without --test never loads the protocols.
    from ..protocols import analyze_recording_for_test
    from ..results import TestResult

    for path in args.files:
        result = TestResult.from_json(
            {"test": args.test, **analyze_recording_for_test(path, args.test)}
        )
        if args.json:
            print(json.dumps(_clean({"file": path, **result.to_json()})), flush=True)
        else:
            print(f"{path}: {args.test}")
            print("\n".join(result.table()))
    return 0
