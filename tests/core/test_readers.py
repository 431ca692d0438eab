"""Reading trials: our recordings, HBEDB/BDS and PDS files (balance_trainer.readers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from balance_trainer.balance import BalanceModel
from balance_trainer.config import load_board
from balance_trainer.errors import DataFormatError, RecordingError, UsageError
from balance_trainer.readers import FORMATS, combine_feet, detect_format, read_trial
from balance_trainer.recording import RecordingWriter

DATA = Path(__file__).resolve().parent.parent / "data"
HBEDB = sorted((DATA / "hbedb").glob("BDS*.txt"))
PDS = sorted((DATA / "pds").glob("PDS*grf.txt"))


def test_the_shipped_data_sets_are_all_there():
    assert len(HBEDB) == 20
    assert len(PDS) == 4


def write_recording(path, board_name="two-plate-4", n=200, fs=80.0, load=700.0):
    board = load_board(board_name)
    t = np.arange(n) / fs
    forces = np.tile(np.full(board.n_cells, load / board.n_cells), (n, 1))
    forces[:, 0] += 20 * np.sin(2 * np.pi * 0.5 * t)
    with RecordingWriter(path, board, {"person": "p1"}) as w:
        w.write_block(t, forces)
    return board, t, forces


# --- detection ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path,kind", [(HBEDB[0], "hbedb"), (PDS[0], "pds")])
def test_lab_formats_are_detected_from_their_header(path, kind):
    assert detect_format(path) == kind


def test_our_recording_is_detected_from_its_comment_header(tmp_path):
    p = tmp_path / "r.csv"
    write_recording(p)
    assert detect_format(p) == "balance-trainer"


def test_formats_are_the_three_documented_names():
    assert FORMATS == ("balance-trainer", "hbedb", "pds")


# --- HBEDB --------------------------------------------------------------------------------------


def test_hbedb_ml_is_copy_and_ap_is_copx_in_mm():
    raw = np.loadtxt(HBEDB[0], skiprows=1)
    trial = read_trial(HBEDB[0])
    assert trial.format == "hbedb"
    assert np.allclose(trial.cop_ml_mm, raw[:, 8] * 10)
    assert np.allclose(trial.cop_ap_mm, raw[:, 7] * 10)
    assert np.allclose(trial.load_n, raw[:, 3])
    assert np.allclose(trial.t_s, raw[:, 0])
    assert trial.left_share is None and not trial.two_sided


# --- PDS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PDS, ids=lambda p: p.stem)
def test_pds_ml_cop_from_the_two_feet_matches_the_lab_net_cop_at_every_sample(path):
    raw = np.genfromtxt(path, names=True)
    trial = read_trial(path)
    lab_ml_mm = raw["COPNET_Z"] * 1000.0
    assert trial.cop_ml_mm.shape == lab_ml_mm.shape == (6000,)
    assert np.max(np.abs(trial.cop_ml_mm - lab_ml_mm)) < 0.01
    assert np.max(np.abs(trial.cop_ap_mm - raw["COPNET_X"] * 1000.0)) < 0.01


def test_pds_gives_each_foot_its_load_and_its_own_ml_cop():
    raw = np.genfromtxt(PDS[0], names=True)
    trial = read_trial(PDS[0])
    assert trial.two_sided
    assert np.allclose(trial.left_n, raw["LGRF_Y"])
    assert np.allclose(trial.right_n, raw["RGRF_Y"])
    assert np.allclose(trial.left_share, raw["LGRF_Y"] / (raw["LGRF_Y"] + raw["RGRF_Y"]))
    assert np.allclose(trial.left_cop_ml_mm, raw["LCOP_Z"] * 1000)
    # Z is positive to the right: the right foot stands at larger ML than the left
    assert np.mean(trial.right_cop_ml_mm) > np.mean(trial.left_cop_ml_mm)


def test_combining_the_feet_is_the_computation_a_two_sided_board_makes():
    board = load_board("two-plate-4")
    model = BalanceModel(board)
    rng = np.random.default_rng(1)
    forces = rng.uniform(50, 300, size=(100, board.n_cells))
    block = model.compute(np.arange(100) / 80.0, forces)
    cop, total = combine_feet(
        block.left_n, block.left_cop_ml_mm, block.right_n, block.right_cop_ml_mm
    )
    assert np.allclose(cop, block.cop_ml_mm, rtol=0, atol=1e-9)
    assert np.allclose(total, block.total_n)


# --- our recordings -----------------------------------------------------------------------------


def test_our_recording_gives_cop_load_and_sides_from_the_board_in_its_header(tmp_path):
    p = tmp_path / "r.csv"
    board, t, forces = write_recording(p)
    trial = read_trial(p)
    expected = BalanceModel(board).compute(t, np.round(forces, 3))  # written to the mN
    assert trial.format == "balance-trainer"
    assert trial.sample_rate_hz == 80.0
    assert trial.meta["person"] == "p1"
    assert np.allclose(trial.cop_ml_mm, expected.cop_ml_mm)
    assert np.allclose(trial.load_n, expected.total_n)
    assert np.allclose(trial.left_share, expected.left_share)
    assert trial.cop_ap_mm is None  # two-plate-4 has no AP spacing
    assert trial.left_cop_ml_mm is not None


def test_a_board_with_ap_spacing_gives_ap_cop(tmp_path):
    p = tmp_path / "r.csv"
    write_recording(p, "corners-4")
    trial = read_trial(p)
    assert trial.cop_ap_mm is not None and np.all(np.isfinite(trial.cop_ap_mm))
    assert trial.left_cop_ml_mm is None  # one cell per side: no per-foot ML COP


def test_a_broken_recording_raises_the_recording_error_with_file_and_line(tmp_path):
    p = tmp_path / "r.csv"
    write_recording(p, n=10)
    lines = p.read_text().splitlines()
    lines[-1] = lines[-1].rsplit(",", 1)[0]  # truncated row
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordingError, match=rf"{p.name}:\d+: row has 4 values"):
        read_trial(p)


def test_a_comment_header_of_another_format_is_refused(tmp_path):
    p = tmp_path / "other.csv"
    p.write_text("# exported by something else\nt,a\n0,1\n")
    with pytest.raises(RecordingError, match=r"other\.csv:1: header line"):
        read_trial(p)


# --- bad input ----------------------------------------------------------------------------------


def lab_excerpt(tmp_path, src=HBEDB[0], rows=60, edit=None, name="x.txt"):
    lines = src.read_text().splitlines()[: rows + 1]
    if edit:
        edit(lines)
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_an_empty_file_is_refused(tmp_path, content):
    p = tmp_path / "empty.txt"
    p.write_text(content)
    with pytest.raises(DataFormatError, match="empty file"):
        read_trial(p)


def test_an_unknown_header_is_refused_naming_the_known_formats(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("time,weight\n0,1\n")
    with pytest.raises(DataFormatError, match="unknown format.*hbedb.*pds.*--format"):
        read_trial(p)


def test_a_missing_file_or_a_directory_is_refused(tmp_path):
    with pytest.raises(DataFormatError, match="cannot open"):
        read_trial(tmp_path / "nope.txt")
    with pytest.raises(DataFormatError, match="directory"):
        read_trial(tmp_path)


def test_binary_data_is_refused(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(DataFormatError, match="binary"):
        read_trial(p)


def test_a_missing_value_is_refused_with_its_line(tmp_path):
    def blank(lines):
        cells = lines[10].split("\t")
        cells[8] = ""
        lines[10] = "\t".join(cells)

    p = lab_excerpt(tmp_path, edit=blank)
    with pytest.raises(DataFormatError, match=r"x\.txt:11: COPy\[cm\] is empty"):
        read_trial(p)


def test_text_where_a_number_belongs_is_refused_with_its_line(tmp_path):
    def text(lines):
        cells = lines[5].split("\t")
        cells[1] = "abc"
        lines[5] = "\t".join(cells)

    p = lab_excerpt(tmp_path, edit=text)
    with pytest.raises(DataFormatError, match=r"x\.txt:6: 'abc' is not a number"):
        read_trial(p)


def test_nan_in_a_lab_file_is_refused_with_its_line_and_column(tmp_path):
    def nan(lines):
        cells = lines[20].split("\t")
        cells[7] = "nan"
        lines[20] = "\t".join(cells)

    p = lab_excerpt(tmp_path, edit=nan)
    with pytest.raises(DataFormatError, match=r"x\.txt:21: COPx\[cm\] is nan"):
        read_trial(p)


def test_time_going_backwards_is_refused_with_its_line(tmp_path):
    def swap(lines):
        lines[30], lines[31] = lines[31], lines[30]

    p = lab_excerpt(tmp_path, edit=swap)
    with pytest.raises(DataFormatError, match=r"x\.txt:32: time .* goes backwards"):
        read_trial(p)


def test_a_header_without_rows_is_refused(tmp_path):
    p = lab_excerpt(tmp_path, rows=0)
    with pytest.raises(DataFormatError, match="no data rows"):
        read_trial(p)


def test_forcing_the_wrong_format_names_the_one_it_looks_like(tmp_path):
    with pytest.raises(DataFormatError, match="not a hbedb file.*looks like pds"):
        read_trial(PDS[0], format="hbedb")


def test_format_names_accept_the_bds_alias_and_refuse_unknown_ones():
    assert read_trial(HBEDB[0], format="bds").format == "hbedb"
    with pytest.raises(UsageError, match="wii"):
        read_trial(HBEDB[0], format="wii")
