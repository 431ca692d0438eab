"""Generated bad inputs, every input class: no traceback, one line, the right exit, no changes.

Each test draws one bad (or doubtful) input of its class with hypothesis, runs the command line
on it in-process (:mod:`bad_input_harness`) and checks the promise of issue 17. Inputs are
mutations of real, valid files (the default board, a recording made by ``record``, a saved
calibration, the published HBEDB and PDS files), so each example is one fault away from
something that works. The runs are derandomised, so CI sees the same cases every time; the
whole module runs in well under a minute.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from bad_input_harness import base_env, fresh_data_dir, judge, record, run_cli, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DATA = Path(__file__).parent / "data"
SUITE = settings(
    max_examples=int(os.environ.get("BT_BAD_INPUT_EXAMPLES", "30")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BAD = frozenset({2})
ENV_OR_BAD = frozenset({1, 2})
MAYBE_OK = frozenset({0, 2})

# --- building blocks -------------------------------------------------------------------------


def deep(depth: int, kind: str) -> str:
    """Text of a value nested ``depth`` deep (TOML arrays/inline tables, JSON arrays/objects)."""
    if kind == "toml-array":
        return "[" * depth + "]" * depth
    if kind == "toml-table":
        return "{a = " * depth + "1" + "}" * depth
    if kind == "json-array":
        return "[" * depth + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v != v:
            return "nan"
        if v in (float("inf"), float("-inf")):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)  # a TOML basic string is JSON-escaped enough for these values
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, RawToml):
        return v.text
    raise TypeError(v)


class RawToml:
    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"<{len(self.text)} chars of TOML>"


def board_toml(head: dict[str, Any], cells: list[dict[str, Any]]) -> str:
    lines = ["[board]"] + [f"{k} = {toml_value(v)}" for k, v in head.items()]
    for c in cells:
        lines += ["", "[[cells]]"] + [f"{k} = {toml_value(v)}" for k, v in c.items()]
    return "\n".join(lines) + "\n"


def base_board() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    head = {"name": "gen", "sample_rate_hz": 80, "sck": "GPIO21"}
    cells = [
        {"name": "left_outer", "side": "left", "x_mm": -190.0, "y_mm": 0.0, "dout": "GPIO5"},
        {"name": "left_inner", "side": "left", "x_mm": -50.0, "y_mm": 0.0, "dout": "GPIO6"},
        {"name": "right_inner", "side": "right", "x_mm": 50.0, "y_mm": 0.0, "dout": "GPIO13"},
        {"name": "right_outer", "side": "right", "x_mm": 190.0, "y_mm": 0.0, "dout": "GPIO19"},
    ]
    return head, cells


class _Delete:
    def __repr__(self) -> str:
        return "<deleted>"


DELETE = _Delete()
BAD_NUMBERS = [float("nan"), float("inf"), float("-inf"), "80", True, [1], {"a": 1}, 1e300]
BAD_RATES = [0, -1, 1e-300, 1e9, float("nan"), float("inf"), "80", False, 1e-3]
BAD_NAMES = ["", " ", "a,b", "a\nb", 7, None, " left_outer ", "left_outer\n", "left_inner "]
BAD_PINS = ["GPIO99", -1, "3V3", "GND", "5V", 1000, 5, "BOARD29", "J8:29", "nosuch", 1.5, True]


@st.composite
def bad_boards(draw: st.DrawFn) -> tuple[str, str, bool]:
    """``(description, board TOML text, pins_only)``: one fault in the default board."""
    head, cells = base_board()
    kind = draw(
        st.sampled_from(
            ["cell", "head", "rate", "pin", "sck", "cells", "deep", "text", "same-x", "far"]
        )
    )
    pins_only = False
    if kind == "cell":
        i = draw(st.integers(0, 3))
        key = draw(st.sampled_from(["name", "side", "x_mm", "y_mm", "dout"]))
        pool = {"name": BAD_NAMES, "side": ["up", "", "LEFT", 1], "dout": [1.5, [5], {"a": 1}]}
        value = draw(st.sampled_from([DELETE, *pool.get(key, BAD_NUMBERS)]))
        if value is DELETE:
            if key == "dout":
                value = "GPIO26"
            else:
                del cells[i][key]
        elif value is None:
            del cells[i][key]
        if value is not DELETE and value is not None:
            cells[i][key] = value
        desc = f"cells[{i}].{key} = {value!r}"
    elif kind == "head":
        key = draw(st.sampled_from(["name", "source", "description"]))
        value = draw(st.sampled_from(["", 1, [1], {"a": 1}, RawToml(deep(3000, "toml-array"))]))
        head[key] = value
        desc = f"[board] {key} = {value!r}"
    elif kind == "rate":
        value = draw(st.sampled_from(BAD_RATES))
        head["sample_rate_hz"] = value
        desc = f"sample_rate_hz = {value!r}"
    elif kind in ("pin", "sck"):
        value = draw(st.sampled_from(BAD_PINS))
        if kind == "pin":
            i = draw(st.integers(0, 3))
            if value == 5 or value == "BOARD29" or value == "J8:29":
                i = 1  # the same pin as cells[0]'s GPIO5, under another name
            cells[i]["dout"] = value
            desc = f"cells[{i}].dout = {value!r}"
        else:
            head["sck"] = value
            desc = f"sck = {value!r}"
        pins_only = True
    elif kind == "cells":
        how = draw(st.sampled_from(["none", "one-side", "not-table", "dup", "empty"]))
        if how == "none":
            cells = []
        elif how == "one-side":
            cells = [c for c in cells if c["side"] == "left"]
        elif how == "dup":
            cells[1]["name"] = cells[0]["name"]
        text = board_toml(head, cells)
        if how == "not-table":
            text = text.replace("[[cells]]", "", 1).replace("[board]", "cells = [1, 2]\n[board]")
        if how == "empty":
            text = ""
        return f"cells: {how}", text, False
    elif kind == "deep":
        depth = draw(st.sampled_from([1000, 3000, 20000]))
        style = draw(st.sampled_from(["toml-array", "toml-table"]))
        cells[0]["x_mm"] = RawToml(deep(depth, style))
        desc = f"x_mm nested {depth} deep ({style})"
    elif kind == "same-x":
        x = draw(st.sampled_from([0.0, 50.0, -190.0]))
        for c in cells:
            c["x_mm"] = x
        desc = f"all cells at x = {x}"
    elif kind == "far":
        value = draw(st.sampled_from([1e20, -1e30, 1e12]))
        cells[draw(st.integers(0, 3))]["x_mm"] = value
        desc = f"a cell at x = {value!r} mm"
    else:
        text = board_toml(head, cells)
        how = draw(st.sampled_from(["cut", "nul", "latin1", "garbage"]))
        if how == "cut":
            n = draw(st.integers(1, len(text) - 40))
            text = text[:n]
        elif how == "nul":
            text = text.replace("left_inner", "left\0inner", 1)
        elif how == "latin1":
            return "not UTF-8", "\udcff" + text, False
        else:
            text = draw(st.text(min_size=1, max_size=60))
        return f"text {how}: {text[:30]!r}", text, False
    return desc, board_toml(head, cells), pins_only


def write_text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))


@pytest.mark.parametrize("prefix", ["sim", "mock-hx711"])
@SUITE
@given(case=bad_boards())
def test_a_bad_board_file_is_one_line_and_changes_nothing(prefix, case):
    desc, text, pins_only = case
    with fresh_data_dir() as data:
        board = data.parent / "board.toml"
        write_text(board, text)
        before = snapshot(data, board)
        argv = ["live", "--board", f"{prefix}:{board}", "--seconds", "0.05", "--fast", "--json"]
        o = run_cli(argv, base_env(data))
        # The simulator does not use pins: a pin fault is only wrong for the chips.
        expect = MAYBE_OK if (pins_only and prefix == "sim") else BAD
        verdict = judge(
            o,
            expect=expect,
            names=(str(board),),
            before=before,
            after=snapshot(data, board),
            json_out=True,
        )
    record("board", f"{prefix}: {desc}", verdict)


# --- recordings ------------------------------------------------------------------------------

_CELLS = [
    {"name": "left_outer", "side": "left", "x_mm": -190.0, "y_mm": 0.0},
    {"name": "left_inner", "side": "left", "x_mm": -50.0, "y_mm": 0.0},
    {"name": "right_inner", "side": "right", "x_mm": 50.0, "y_mm": 0.0},
    {"name": "right_outer", "side": "right", "x_mm": 190.0, "y_mm": 0.0},
]


def recording_text(
    header: dict[str, str], names: list[str], rows: list[list[str]], *, column_header: str | None
) -> str:
    lines = [f"# {k}: {v}" for k, v in header.items()]
    lines.append(column_header if column_header is not None else ",".join(["t_s", *names]))
    lines += [",".join(r) for r in rows]
    return "\n".join(lines) + "\n"


def base_recording() -> tuple[dict[str, str], list[str], list[list[str]]]:
    header = {
        "format": json.dumps("balance-trainer/1"),
        "board": json.dumps({"name": "gen", "cells": _CELLS}),
        "sample_rate_hz": "80.0",
    }
    rows = []
    for i in range(400):  # 5 s of a person standing a little to the left
        w = 0.5 + 0.01 * ((i * 7) % 11 - 5)
        f = [180.0 * w, 170.0 * w, 165.0 * (1 - w), 175.0 * (1 - w)]
        rows.append([f"{i / 80:.6f}"] + [f"{v:.3f}" for v in f])
    return header, [c["name"] for c in _CELLS], rows


@st.composite
def bad_recordings(draw: st.DrawFn) -> tuple[str, str]:
    header, names, rows = base_recording()
    column_header: str | None = None
    kind = draw(st.sampled_from(["header", "deep", "cells", "rows", "rate", "time", "force"]))
    if kind == "header":
        key = draw(st.sampled_from(["format", "board"]))
        value = draw(st.sampled_from(["", "1", "null", '"x"', "[", '{"cells": 1}', "NaN"]))
        header[key] = value
        desc = f"# {key}: {value}"
    elif kind == "deep":
        key = draw(st.sampled_from(["board", "person", "calibration", "protocol"]))
        style = draw(st.sampled_from(["json-array", "json-object"]))
        header[key] = deep(draw(st.sampled_from([1000, 5000, 100000])), style)
        desc = f"# {key}: nested ({style})"
    elif kind == "cells":
        cells = [dict(c) for c in _CELLS]
        how = draw(
            st.sampled_from(
                ["space-name", "newline-name", "same-x", "far-x", "no-right", "x-nan", "1000"]
            )
        )
        if how == "space-name":
            cells[1]["name"] = " left_outer "
        elif how == "newline-name":
            cells[1]["name"] = "left\ninner"
        elif how == "same-x":
            for c in cells:
                c["x_mm"] = 0.0
        elif how == "far-x":
            cells[0]["x_mm"] = 1e300
        elif how == "no-right":
            for c in cells:
                c["side"] = "left"
        elif how == "x-nan":
            header["board"] = json.dumps({"cells": cells}).replace("-190.0", "NaN")
            return "cells: x NaN", recording_text(header, names, rows, column_header=None)
        else:
            cells[0]["x_mm"] = 1e1000 if False else 1e308
        header["board"] = json.dumps({"name": "gen", "cells": cells})
        column_header = ",".join(["t_s", *(c["name"] for c in cells)])
        desc = f"cells: {how}"
    elif kind == "rate":
        value = draw(st.sampled_from(["0", "-80", "1e-300", "1e9", "NaN", "Infinity", '"80"']))
        header["sample_rate_hz"] = value
        desc = f"# sample_rate_hz: {value}"
    elif kind == "rows":
        i = draw(st.integers(0, len(rows) - 1))
        how = draw(st.sampled_from(["short", "long", "text", "nan", "backwards", "empty-value"]))
        if how == "short":
            rows[i] = rows[i][:-1]
        elif how == "long":
            rows[i] = [*rows[i], "1.0"]
        elif how == "text":
            rows[i][2] = "abc"
        elif how == "nan":
            rows[i][1] = draw(st.sampled_from(["nan", "inf", "-inf"]))
        elif how == "backwards":
            rows[i][0] = "-1.0"
            i = max(i, 1)
        else:
            rows[i][3] = ""
        desc = f"row {i}: {how}"
    elif kind == "time":
        value = draw(st.sampled_from(["1e9", "1e300", "86400000"]))
        i = draw(st.integers(1, len(rows) - 1))
        for r in rows[i:]:
            r[0] = f"{float(value) + float(r[0]):.6f}"
        desc = f"time jumps to {value} s at row {i}"
    else:
        value = draw(st.sampled_from(["1e20", "-1e20", "1e300", "9.3e15"]))
        i = draw(st.integers(0, len(rows) - 1))
        rows[i][1 + draw(st.integers(0, 3))] = value
        desc = f"row {i}: force {value} N"
    return desc, recording_text(header, names, rows, column_header=column_header)


@SUITE
@given(case=bad_recordings(), command=st.sampled_from(["analyze", "replay"]))
def test_a_bad_recording_is_one_line_and_changes_nothing(case, command):
    desc, text = case
    with fresh_data_dir() as data:
        rec = data.parent / "rec.csv"
        write_text(rec, text)
        before = snapshot(data, rec)
        if command == "analyze":
            argv = ["analyze", str(rec), "--json"]
        else:
            argv = ["live", "--board", f"replay:{rec}", "--fast", "--json", "--seconds", "10"]
        o = run_cli(argv, base_env(data))
        verdict = judge(o, expect=BAD, names=(str(rec),), before=before, after=snapshot(data, rec))
    record("recording", f"{command}: {desc}", verdict)


# --- calibration files -----------------------------------------------------------------------


@st.composite
def bad_calibrations(draw: st.DrawFn) -> tuple[str, str]:
    data = {
        "format": "balance-trainer-calibration/1",
        "key": "sim-two-plate-4",
        "cells": [
            {"name": n, "offset_counts": 8000.0, "scale_n_per_count": 0.001}
            for n in ("left_outer", "left_inner", "right_inner", "right_outer")
        ],
    }
    kind = draw(st.sampled_from(["value", "shape", "deep", "text"]))
    if kind == "value":
        i = draw(st.integers(0, 3))
        key = draw(st.sampled_from(["offset_counts", "scale_n_per_count", "name"]))
        value = draw(
            st.sampled_from([1e308, -1e308, 0, -0.001, "1", None, True, 1e30, float("nan")])
        )
        data["cells"][i][key] = value
        text = json.dumps(data)
        desc = f"cells[{i}].{key} = {value!r}"
    elif kind == "shape":
        how = draw(
            st.sampled_from(["format", "no-cells", "cells-dict", "three", "renamed", "list"])
        )
        if how == "format":
            data["format"] = "balance-trainer-calibration/9"
        elif how == "no-cells":
            del data["cells"]
        elif how == "cells-dict":
            data["cells"] = {"a": 1}
        elif how == "three":
            data["cells"] = data["cells"][:3]
        elif how == "renamed":
            data["cells"][2]["name"] = "nosuch"
        text = "[1, 2]" if how == "list" else json.dumps(data)
        desc = f"shape: {how}"
    elif kind == "deep":
        depth = draw(st.sampled_from([1000, 5000, 100000]))
        style = draw(st.sampled_from(["json-array", "json-object"]))
        text = json.dumps(data).replace('"key": "sim-two-plate-4"', f'"key": {deep(depth, style)}')
        desc = f"key nested {depth} deep ({style})"
    else:
        how = draw(st.sampled_from(["cut", "empty", "nul", "latin1"]))
        text = json.dumps(data)
        if how == "cut":
            text = text[: draw(st.integers(0, len(text) - 1))]
        elif how == "empty":
            text = ""
        elif how == "nul":
            text = "\0" * 10
        else:
            text = "\udcff" + text
        desc = f"text: {how}"
    return desc, text


@SUITE
@given(case=bad_calibrations(), command=st.sampled_from(["live", "record"]))
def test_a_bad_calibration_file_is_one_line_and_changes_nothing(case, command):
    desc, text = case
    with fresh_data_dir() as data:
        cal = data / "calibration" / "sim-two-plate-4.json"
        write_text(cal, text)
        before = snapshot(data)
        out = data.parent / "out.csv"
        if command == "live":
            argv = ["live", "--seconds", "0.05", "--fast", "--json"]
        else:
            argv = ["record", "-o", str(out), "--seconds", "0.05", "--fast"]
        o = run_cli(argv, base_env(data))
        verdict = judge(o, expect=BAD, names=(str(cal),), before=before, after=snapshot(data))
        if verdict is None and out.exists():
            verdict = "a recording was written from a bad calibration"
    record("calibration", f"{command}: {desc}", verdict)


# --- the settings file -----------------------------------------------------------------------


@st.composite
def bad_settings(draw: st.DrawFn) -> tuple[str, str, str]:
    """``(description, settings TOML, what the error must name besides the file)``."""
    kind = draw(st.sampled_from(["data_dir", "board", "deep", "text"]))
    if kind == "data_dir":
        value = draw(
            st.sampled_from([["a", "b"], 1, True, {"a": 1}, "~nosuchuser/x", "", "/dev/null/x"])
        )
        return f"data_dir = {value!r}", f"data_dir = {toml_value(value)}\n", "data_dir"
    if kind == "board":
        value = draw(st.sampled_from([1, ["sim"], "nosuch-board", "replay:", "/nonexistent.toml"]))
        # A board spec of the right type is only looked up by commands that open a board.
        used = "only-when-used" if isinstance(value, str) else "board"
        return f"board = {value!r}", f"board = {toml_value(value)}\n", used
    if kind == "deep":
        depth = draw(st.sampled_from([1000, 3000, 20000]))
        style = draw(st.sampled_from(["toml-array", "toml-table"]))
        return f"nested {depth} ({style})", f"data_dir = {deep(depth, style)}\n", ""
    how = draw(st.sampled_from(["syntax", "latin1", "nul"]))
    text = {"syntax": "data_dir = \n", "latin1": "\udcffboard = 'sim'\n", "nul": "board\0 = 1"}[how]
    return f"text: {how}", text, ""


@SUITE
@given(case=bad_settings(), command=st.sampled_from(["live", "history"]))
def test_a_bad_settings_file_is_one_line_and_changes_nothing(case, command):
    desc, text, _what = case
    with fresh_data_dir() as data:
        settings_file = data.parent / "settings.toml"
        write_text(settings_file, text)
        env = base_env(data)
        env["BALANCE_TRAINER_DATA_DIR"] = None  # let the settings file choose
        if "data_dir" not in text:
            env["BALANCE_TRAINER_DATA_DIR"] = str(data)
        before = snapshot(data, settings_file)
        if command == "live":
            argv = ["live", "--seconds", "0.05", "--fast", "--json"]
        else:
            argv = ["history", "p01", "--json"]
        cwd = os.getcwd()
        os.chdir(data.parent)  # a relative data_dir would land here, not in the repository
        try:
            o = run_cli(argv, env)
        finally:
            os.chdir(cwd)
        verdict = judge(
            o,
            expect=MAYBE_OK if (_what == "only-when-used" and command == "history") else BAD,
            names=(str(settings_file),),
            before=before,
            after=snapshot(data, settings_file),
        )
        strays = [p.name for p in data.parent.iterdir() if p.name.startswith(("[", "~", "1"))]
        if verdict is None and strays:
            verdict = f"made a folder from a bad data_dir: {strays}"
    record("settings", f"{command}: {desc}", verdict)


# --- lab files -------------------------------------------------------------------------------


_HBEDB_USED = ("Time[s]", "Fz[N]", "COPx[cm]", "COPy[cm]")
_PDS_USED = ("Time", "RGRF_Y", "LGRF_Y", "RCOP_X", "RCOP_Z", "LCOP_X", "LCOP_Z")


def _lab_base(kind: str) -> list[str]:
    path = DATA / ("hbedb/BDS00001.txt" if kind == "hbedb" else "pds/PDS13CF1grf.txt")
    return path.read_text(encoding="utf-8").splitlines()[:801]


@st.composite
def bad_lab_files(draw: st.DrawFn) -> tuple[str, str]:
    kind = draw(st.sampled_from(["hbedb", "pds"]))
    lines = _lab_base(kind)
    header = lines[0].split("\t")
    how = draw(
        st.sampled_from(
            ["column", "value", "short", "backwards", "gap", "header-only", "nul", "latin1"]
        )
    )
    i = draw(st.integers(1, len(lines) - 1))
    used = [header.index(c) for c in (_HBEDB_USED if kind == "hbedb" else _PDS_USED)]
    if how == "column":
        j = draw(st.sampled_from(used))
        header[j] = header[j] + "x"
        lines[0] = "\t".join(header)
        desc = f"column {j} renamed"
    elif how == "value":
        parts = lines[i].split("\t")
        j = draw(st.sampled_from(used))
        parts[j] = draw(st.sampled_from(["nan", "inf", "abc", "", "1e308", "-1e308", "1e400"]))
        lines[i] = "\t".join(parts)
        desc = f"line {i + 1} column {j} = {parts[j]!r}"
    elif how == "short":
        lines[i] = "\t".join(lines[i].split("\t")[:-2])
        desc = f"line {i + 1} cut short"
    elif how == "backwards":
        parts = lines[max(i, 2)].split("\t")
        parts[0] = "-5"
        lines[max(i, 2)] = "\t".join(parts)
        desc = f"time backwards at line {max(i, 2) + 1}"
    elif how == "gap":
        value = draw(st.sampled_from([1e9, 1e6, 1e300]))
        for k in range(max(i, 2), len(lines)):
            parts = lines[k].split("\t")
            parts[0] = f"{float(parts[0]) + value:.6f}"
            lines[k] = "\t".join(parts)
        desc = f"time jumps by {value:g} s at line {max(i, 2) + 1}"
    elif how == "header-only":
        lines = lines[:1]
        desc = "header only"
    elif how == "nul":
        lines[i] = lines[i][:5] + "\0" + lines[i][5:]
        desc = f"NUL on line {i + 1}"
    else:
        lines[i] = "\udcff" + lines[i]
        desc = f"not UTF-8 on line {i + 1}"
    return f"{kind}: {desc}", "\n".join(lines) + "\n"


@SUITE
@given(case=bad_lab_files())
def test_a_bad_lab_file_is_one_line_and_changes_nothing(case):
    desc, text = case
    with fresh_data_dir() as data:
        name = "BDS99999.txt" if desc.startswith("hbedb") else "PDS99X1grf.txt"
        lab = data.parent / name
        write_text(lab, text)
        before = snapshot(data, lab)
        o = run_cli(["analyze", str(lab), "--json"], base_env(data))
        verdict = judge(o, expect=BAD, names=(str(lab),), before=before, after=snapshot(data, lab))
    record("lab file", desc, verdict)


# --- command-line arguments ------------------------------------------------------------------

BAD_SECONDS = ["inf", "-inf", "nan", "-1", "0", "1e308", "x", "1e400", ""]


@st.composite
def bad_arguments(draw: st.DrawFn) -> tuple[str, list[str], tuple[str, ...]]:
    """``(description, argv with one bad value, what the error line must name)``."""
    fast = ["--fast"]
    kind = draw(
        st.sampled_from(
            ["seconds", "seed", "mass", "person", "board", "scenario", "format", "doctor", "people"]
        )
    )
    if kind == "seconds":
        cmd = draw(st.sampled_from(["live", "record", "calibrate", "doctor"]))
        v = draw(st.sampled_from(BAD_SECONDS))
        extra = {"record": ["-o", "{tmp}/out.csv"], "calibrate": ["--yes", "--mass", "20"]}
        return (
            f"{cmd} --seconds {v!r}",
            [cmd, *extra.get(cmd, []), "--seconds", v, *fast],
            ("--seconds",),
        )
    if kind == "seed":
        v = draw(st.sampled_from(["-1", "x", str(2**70), "1.5", ""]))
        argv = ["live", "--seed", v, "--seconds", "0.05", *fast]
        return f"--seed {v!r}", argv, ("--seed",)
    if kind == "mass":
        v = draw(st.sampled_from(["0", "-20", "nan", "inf", "1e308", "x", "1e-300"]))
        return (
            f"--mass {v!r}",
            ["calibrate", "--yes", "--mass", v, "--seconds", "0.2", *fast],
            (
                "--mass",
                "mass",
            ),
        )
    if kind == "person":
        v = draw(st.sampled_from(["", "a b", "../x", "x" * 100, "p\n01", "nosuch", "-p"]))
        cmd = draw(st.sampled_from(["history", "report", "export", "record"]))
        rest = {
            "history": ["history", v],
            "report": ["report", v, "-o", "{tmp}/r.html"],
            "export": ["export", v, "-o", "{tmp}/exp"],
            "record": ["record", "--person", v, "--seconds", "0.05", *fast],
        }[cmd]
        return f"{cmd} person {v!r}", rest, (repr(v), v.strip() or "person", "ID", "id")
    if kind == "board":
        v = draw(
            st.sampled_from(
                [
                    "nosuch",
                    "replay:",
                    "replay:/nonexistent.csv",
                    "sim:nosuch",
                    "mock-hx711:/",
                    "/",
                    "/dev/null",
                    "sim:/dev/null",
                    "replay:/dev/null",
                    "wii:x",
                    "sim:,",
                ]
            )
        )
        return (
            f"--board {v!r}",
            ["live", "--board", v, "--seconds", "0.05", *fast],
            (v.partition(":")[2] or v,),
        )
    if kind == "scenario":
        v = draw(st.sampled_from(["nosuch", "", "QUIET"]))
        return (
            f"--scenario {v!r}",
            ["live", "--scenario", v, "--seconds", "0.05", *fast],
            ("scenario",),
        )
    if kind == "format":
        v = draw(st.sampled_from(["nosuch", "", "csv"]))
        lab = str(DATA / "hbedb/BDS00001.txt")
        return f"analyze --format {v!r}", ["analyze", lab, "--format", v], ("format",)
    if kind == "doctor":
        v = draw(
            st.sampled_from(
                [
                    "noisy=nan",
                    "noisy=inf",
                    "late:left_outer=-1",
                    "late=1e308",
                    "stuck-high:nosuch",
                    "nosuch",
                    "",
                    "spike:left_outer=x",
                    "noisy=-5",
                ]
            )
        )
        argv = ["doctor", "--board", "mock-hx711", "--fault", v, "--seconds", "0.5", *fast]
        return f"doctor --fault {v!r}", argv, ("--fault", "fault")
    v = draw(st.sampled_from(["nan", "inf", "-1", "1e308", "x", "99999"]))
    opt = draw(st.sampled_from(["--birth-year", "--height-cm", "--mass-kg"]))
    return f"people add {opt} {v!r}", ["people", "add", "p02", opt, v], (opt, opt[2:].split("-")[0])


@SUITE
@given(case=bad_arguments())
def test_a_bad_argument_is_one_line_and_changes_nothing(case):
    desc, argv, names = case
    with fresh_data_dir() as data:
        argv = [a.replace("{tmp}", str(data.parent)) for a in argv]
        before = snapshot(data)
        o = run_cli(argv, base_env(data))
        verdict = judge(o, expect=BAD, names=names, before=before, after=snapshot(data))
        if verdict is None and any(
            p.name in ("out.csv", "r.html", "exp") for p in data.parent.iterdir()
        ):
            verdict = "wrote an output file though the arguments were refused"
    record("CLI arguments", desc, verdict)


# --- environment variables -------------------------------------------------------------------


@st.composite
def bad_environments(draw: st.DrawFn) -> tuple[str, dict[str, str | None], str]:
    """``(description, variables to set, the variable the error line must name)``."""
    var = draw(
        st.sampled_from(
            [
                "BALANCE_TRAINER_CONFIG",
                "BALANCE_TRAINER_BOARD",
                "BALANCE_TRAINER_DATA_DIR",
                "XDG_DATA_HOME",
                "XDG_CONFIG_HOME",
            ]
        )
    )
    pools: dict[str, list[str | None]] = {
        "BALANCE_TRAINER_CONFIG": ["{tmp}/nowhere.toml", "{tmp}", "/dev/null/x", "{tmp}/bin"],
        "BALANCE_TRAINER_BOARD": ["nosuch", "replay:", "sim:nosuch", "{tmp}/bin", "{tmp}/bad.toml"],
        "BALANCE_TRAINER_DATA_DIR": ["~nosuchuser/x", "{tmp}/bin", "/dev/null/x", "/proc/x"],
        "XDG_DATA_HOME": ["{tmp}/bin", "/dev/null/x"],
        "XDG_CONFIG_HOME": ["{tmp}/bin", "/dev/null/x"],
    }
    value = draw(st.sampled_from(pools[var]))
    env: dict[str, str | None] = {var: value}
    if var == "XDG_DATA_HOME":
        env["BALANCE_TRAINER_DATA_DIR"] = None
    if var == "XDG_CONFIG_HOME":
        env["BALANCE_TRAINER_CONFIG"] = None
    return f"{var}={value!r}", env, var


@SUITE
@given(case=bad_environments(), command=st.sampled_from(["live", "history"]))
def test_a_bad_environment_variable_is_one_line_and_changes_nothing(case, command):
    desc, extra, var = case
    with fresh_data_dir() as data:
        tmp = data.parent
        (tmp / "bin").write_bytes(b"\x00\xff\x00binary")
        (tmp / "bad.toml").write_text("[board]\nname = 1\n", encoding="utf-8")
        env = base_env(data)
        env.update(
            {k: (v.replace("{tmp}", str(tmp)) if v is not None else None) for k, v in extra.items()}
        )
        before = snapshot(data, tmp / "bin")
        argv = (
            ["live", "--seconds", "0.05", "--fast", "--json"]
            if command == "live"
            else ["history", "p01", "--json"]
        )
        o = run_cli(argv, env)
        expect = ENV_OR_BAD
        if var == "BALANCE_TRAINER_BOARD" and command == "history":
            expect = frozenset({0})  # history never opens a board: nothing to complain about
        if var.startswith("XDG") or (var.endswith("DATA_DIR") and command == "live"):
            expect = ENV_OR_BAD | {0}  # only used when nothing more specific is set / needed
        value = env[var] or ""
        verdict = judge(
            o,
            expect=expect,
            names=(var, value),
            before=before,
            after=snapshot(data, tmp / "bin"),
        )
    record("environment", f"{command}: {desc}", verdict)


# --- programme files -------------------------------------------------------------------------

PROGRAMME = Path(__file__).parent.parent / "examples" / "glute-med-programme.toml"


@st.composite
def bad_programmes(draw: st.DrawFn) -> tuple[str, str]:
    text = PROGRAMME.read_text(encoding="utf-8")
    kind = draw(st.sampled_from(["dose", "top", "deep", "text", "rule"]))
    if kind == "dose":
        key = draw(st.sampled_from(["sets = 3", "reps = 12", "hold_s = 20", "rest_s = 30"]))
        value = draw(st.sampled_from(["0", "-1", "1e9", "nan", "inf", '"3"', "true", "2.5"]))
        name = key.split(" = ")[0]
        return f"{name} = {value}", text.replace(key, f"{name} = {value}", 1)
    if kind == "top":
        old = draw(
            st.sampled_from(["days_per_week = 5", "start = 2026-12-01", 'name = "side-lying-clam"'])
        )
        new = draw(st.sampled_from(['"5"', "0", "99", "[1]", '"nosuch"', "1e400"]))
        key = old.split(" = ")[0]
        return f"{key} = {new}", text.replace(old, f"{key} = {new}", 1)
    if kind == "rule":
        old = draw(st.sampled_from(['when = "all-sets-steady"', "sessions = 2", "max_hold_s = 45"]))
        new = draw(st.sampled_from(['"never"', "-3", "1e12", "nan"]))
        key = old.split(" = ")[0]
        return f"rule {key} = {new}", text.replace(old, f"{key} = {new}", 1)
    if kind == "deep":
        depth = draw(st.sampled_from([1000, 3000, 20000]))
        style = draw(st.sampled_from(["toml-array", "toml-table"]))
        return f"notes nested {depth} ({style})", text.replace(
            'notes = "Right hip', f'notes = {deep(depth, style)}\nx = "Right hip', 1
        )
    how = draw(st.sampled_from(["cut", "latin1", "nul", "empty"]))
    if how == "cut":
        return "cut short", text[: draw(st.integers(1, len(text) // 3))]
    if how == "latin1":
        return "not UTF-8", "\udcff" + text
    if how == "nul":
        return "NUL byte", text.replace("sets = 2", "sets\0= 2", 1)
    return "empty file", ""


@SUITE
@given(case=bad_programmes())
def test_a_bad_programme_file_is_one_line_and_changes_nothing(case):
    desc, text = case
    with fresh_data_dir() as data:
        plan = data.parent / "plan.toml"
        write_text(plan, text)
        before = snapshot(data, plan)
        o = run_cli(["programme", "set", "p01", str(plan)], base_env(data))
        # A cut file can still be a valid programme (a prefix of whole exercises).
        expect = MAYBE_OK if desc == "cut short" else BAD
        verdict = judge(
            o, expect=expect, names=(str(plan),), before=before, after=snapshot(data, plan)
        )
    record("programme", desc, verdict)
