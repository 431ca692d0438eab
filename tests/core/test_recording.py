"""The recording format: written as it goes, read back strictly, every defect named."""

from __future__ import annotations

import numpy as np
import pytest

from balance_trainer.config import load_board
from balance_trainer.errors import RecordingError
from balance_trainer.recording import RecordingWriter, read_recording


def write_sample(path, n=20):
    board = load_board("two-plate-4")
    rng = np.random.default_rng(0)
    t = np.arange(n) / 80.0
    f = rng.uniform(0, 300, size=(n, 4))
    with RecordingWriter(path, board, {"person": "p1", "protocol": None}) as w:
        w.write_block(t, f)
    return t, f


def test_round_trip_keeps_header_and_values(tmp_path):
    p = tmp_path / "r.csv"
    t, f = write_sample(p)
    rec = read_recording(p)
    assert rec.meta["format"] == "balance-trainer/1"
    assert rec.meta["person"] == "p1"
    assert rec.board.cell_names == ["left_outer", "left_inner", "right_inner", "right_outer"]
    assert rec.board.cells[0].x_mm == -190.0
    assert np.allclose(rec.t_s, t, atol=1e-6)
    assert np.allclose(rec.forces_n, f, atol=5e-4)


def test_written_text_is_the_designed_format(tmp_path):
    p = tmp_path / "r.csv"
    write_sample(p, n=2)
    lines = p.read_text().splitlines()
    assert lines[0] == '# format: "balance-trainer/1"'
    assert lines[1].startswith('# board: {"name": "two-plate-4", "cells": [')
    header = [ln for ln in lines if not ln.startswith("#")][0]
    assert header == "t_s,left_outer,left_inner,right_inner,right_outer"


def test_rows_reach_the_disk_while_recording(tmp_path):
    p = tmp_path / "r.csv"
    board = load_board("two-plate-4")
    w = RecordingWriter(p, board, flush_interval_s=0.5)
    for k in range(100):  # 1.25 s at 80/s
        w.write(k / 80, [1.0, 2.0, 3.0, 4.0])
    # Not closed: a crash now would still leave all but the last half second on disk.
    rows = [ln for ln in p.read_text().splitlines() if ln and not ln.startswith(("#", "t_s"))]
    assert len(rows) >= 80
    w.close()


GOOD_HEAD = (
    '# format: "balance-trainer/1"\n'
    '# board: {"cells": [{"name": "l", "side": "left", "x_mm": -100, "y_mm": 0}, '
    '{"name": "r", "side": "right", "x_mm": 100, "y_mm": 0}]}\n'
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "empty file"),
        ('# board: {"cells": []}\nt_s,a\n', "'format'"),
        ('# format: "balance-trainer/1"\nt_s,l,r\n0,1,2\n', "'board'"),
        (GOOD_HEAD + "t_s,l,r\n0,1,2\n0.0125,1\n", ":5: row has 2 values"),
        (GOOD_HEAD + "t_s,l,r\n0,1,2\n0.0125,1,abc\n", ":5: 'abc' is not a number"),
        (GOOD_HEAD + "t_s,l,r\n0.5,1,2\n0.25,1,2\n", "goes backwards"),
        (GOOD_HEAD + "t_s,l,x\n0,1,2\n", "expected t_s,l,r"),
        (GOOD_HEAD.replace('"side": "left"', '"side": "up"') + "t_s,l,r\n", "side is 'up'"),
        (GOOD_HEAD.replace('"name": "r"', '"name": "l"') + "t_s,l,l\n", "duplicate cell name"),
        (GOOD_HEAD.replace('"x_mm": 100', '"x_mm": "far"') + "t_s,l,r\n", "must be a number"),
        ('# format: "balance-trainer/1\n', ":1: value of 'format' is not JSON"),
        (GOOD_HEAD + "t_s,l,r\n0,nan,2\n", "NaN"),
    ],
)
def test_malformed_recording_is_refused_with_file_and_line(tmp_path, text, expected):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(RecordingError) as err:
        read_recording(p)
    assert expected in str(err.value)
    assert str(p) in str(err.value)


def test_binary_file_is_refused(tmp_path):
    p = tmp_path / "bin.csv"
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(RecordingError, match="UTF-8"):
        read_recording(p)
