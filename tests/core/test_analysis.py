"""Trial analysis (balance_trainer.analysis), proven on published force-plate data."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from balance_trainer.analysis import RESULT_NAMES, analyze_file, analyze_trial
from balance_trainer.config import load_board
from balance_trainer.errors import AnalysisError, InsufficientDataError
from balance_trainer.metrics import METRIC_NAMES
from balance_trainer.recording import RecordingWriter

DATA = Path(__file__).resolve().parent.parent / "data"
HBEDB_DIR = DATA / "hbedb"
with open(HBEDB_DIR / "reference.tsv", encoding="utf-8") as _fh:
    REFERENCE = {row["Trial"]: row for row in csv.DictReader(_fh, delimiter="\t")}


# --- proof on real data: Santos & Duarte (2016), doi:10.7717/peerj.2648 ---------------------------


def test_every_hbedb_trial_has_a_reference_row():
    files = sorted(p.stem for p in HBEDB_DIR.glob("BDS*.txt"))
    assert files == sorted(REFERENCE) and len(files) == 20


@pytest.mark.parametrize("trial", sorted(REFERENCE))
def test_hbedb_trial_reproduces_the_authors_area_velocity_and_frequency(trial):
    ref = REFERENCE[trial]
    result = analyze_file(HBEDB_DIR / f"{trial}.txt", filter=False)  # analysed as published
    m = result["metrics"]
    assert m["ellipse_area_mm2"] == pytest.approx(float(ref["COParea"]) * 100, rel=0.005)
    assert m["mean_velocity_mm_s"] == pytest.approx(float(ref["COPvelo"]) * 10, rel=0.005)
    assert m["mean_frequency_hz"] == pytest.approx(float(ref["COPmfreq"]), rel=0.10)
    assert m["duration_s"] == pytest.approx(60.0)
    assert m["sample_rate_hz"] == pytest.approx(100.0)


def test_filtering_lab_data_again_is_reported_and_changes_little():
    path = HBEDB_DIR / "BDS00001.txt"
    raw = analyze_file(path, filter=False)
    filtered = analyze_file(path)
    assert raw["processing"]["lowpass"] is None
    assert filtered["processing"]["lowpass"] == {
        "filter": "butterworth",
        "order": 4,
        "cutoff_hz": 10.0,
        "zero_phase": True,
    }
    assert "low-pass" in filtered["processing"]["summary"]
    assert filtered["metrics"]["ml_rms_mm"] == pytest.approx(raw["metrics"]["ml_rms_mm"], rel=1e-3)


def test_analyze_file_reports_file_format_processing_and_every_metric():
    result = analyze_file(DATA / "pds" / "PDS13OR1grf.txt")
    assert list(result) == ["file", "format", "processing", "metrics"]
    assert result["format"] == "pds"
    assert list(result["metrics"]) == list(RESULT_NAMES)
    assert 0.4 < result["metrics"]["left_share"] < 0.6


# --- the pipeline -------------------------------------------------------------------------------


def sway(n=3000, fs=100.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    ml = 5 * np.sin(2 * np.pi * 0.4 * t) + np.cumsum(rng.normal(0, 0.05, n))
    ap = 3 * np.cos(2 * np.pi * 0.25 * t) + np.cumsum(rng.normal(0, 0.05, n))
    return t, ml, ap


def test_result_keys_are_the_design_names_in_order_plus_processing():
    t, ml, ap = sway()
    r = analyze_trial(t, ml, ap, load_n=np.full(t.size, 700.0), left_share=0.45)
    assert list(r) == [*RESULT_NAMES, "processing"]
    assert RESULT_NAMES[:3] == ("duration_s", "sample_rate_hz", "mean_load_n")
    assert RESULT_NAMES[3:-1] == METRIC_NAMES
    assert r["duration_s"] == pytest.approx(30.0)
    assert r["mean_load_n"] == pytest.approx(700.0)
    assert r["left_share"] == pytest.approx(0.45)


def test_without_ap_load_or_sides_those_are_none_and_ml_is_measured():
    t, ml, _ = sway()
    r = analyze_trial(t, ml)
    assert r["ml_rms_mm"] > 0
    for name in (
        "ap_rms_mm",
        "ellipse_area_mm2",
        "mean_velocity_mm_s",
        "mean_load_n",
        "left_share",
    ):
        assert r[name] is None, name


def test_uniform_data_is_not_resampled():
    t, ml, ap = sway()
    r = analyze_trial(t, ml, ap, filter=False)
    assert r["processing"]["resampled_to_hz"] is None
    assert "not resampled" in r["processing"]["summary"]


def test_jittered_data_with_dropped_frames_is_window_averaged_at_the_nominal_rate():
    fs = 80.0
    rng = np.random.default_rng(2)
    n = 80 * 30
    t = np.sort(np.arange(n) / fs + rng.normal(0, 0.003, n))
    keep = rng.random(n) > 0.05
    keep[[0, -1]] = True
    ml_true = 8 * np.sin(2 * np.pi * 0.3 * t)
    r = analyze_trial(t[keep], ml_true[keep], fs_hz=fs, filter=True)
    assert r["processing"]["resampled_to_hz"] == fs
    assert r["sample_rate_hz"] == fs
    assert any("window-averaged" in note for note in r["processing"]["notes"])
    assert "resampled to 80 Hz" in r["processing"]["summary"]
    # the true path of the sinusoid over the trial: 4·A·f·T
    assert r["ml_path_mm"] == pytest.approx(4 * 8 * 0.3 * (t[-1] - t[0]), rel=0.02)
    assert r["ml_rms_mm"] == pytest.approx(8 / np.sqrt(2), rel=0.02)


def test_a_stated_rate_that_the_sample_times_contradict_is_not_used():
    t, ml, _ = sway(fs=100.0)
    r = analyze_trial(t, ml, fs_hz=50.0)
    assert r["sample_rate_hz"] == pytest.approx(100.0)
    assert any("stated rate 50 Hz ignored" in note for note in r["processing"]["notes"])


def test_slow_data_skips_the_low_pass_and_says_so():
    t, ml, _ = sway(n=600, fs=16.0)
    r = analyze_trial(t, ml)
    assert r["processing"]["lowpass"] is None
    assert any("low-pass skipped" in note for note in r["processing"]["notes"])


def test_filter_false_reproduces_compute_metrics_exactly():
    from balance_trainer.metrics import compute_metrics

    t, ml, ap = sway()
    r = analyze_trial(t, ml, ap, filter=False)
    direct = compute_metrics(ml, ap, 100.0)
    for name, value in direct.items():
        assert r[name] == pytest.approx(value, rel=1e-12), name


# --- bad input -----------------------------------------------------------------------------------


def test_nan_in_the_cop_is_refused_with_time_and_sample():
    t, ml, ap = sway()
    ml[100] = np.nan
    with pytest.raises(AnalysisError, match=r"ML COP is nan at 1\.000 s \(sample 100\)"):
        analyze_trial(t, ml, ap)


def test_time_going_backwards_is_refused():
    t, ml, _ = sway()
    t[50] = t[48]
    with pytest.raises(AnalysisError, match="backwards at sample 50"):
        analyze_trial(t, ml)


def test_too_few_samples_is_insufficient_data():
    with pytest.raises(InsufficientDataError, match="10 samples"):
        analyze_trial(np.arange(10) / 100.0, np.arange(10.0))
    with pytest.raises(InsufficientDataError, match="no samples"):
        analyze_trial(np.array([]), np.array([]))


def test_zero_total_load_is_refused_naming_where():
    t, ml, _ = sway()
    load = np.full(t.size, 650.0)
    load[2000:] = 0.0
    with pytest.raises(AnalysisError, match=r"total load is 0\.0 N at 20\.000 s.*nobody"):
        analyze_trial(t, ml, load_n=load)


def test_samples_all_at_one_time_and_bad_shares_are_refused():
    with pytest.raises(AnalysisError, match="same time"):
        analyze_trial(np.zeros(100), np.arange(100.0))
    t, ml, _ = sway()
    with pytest.raises(AnalysisError, match="left share is 1.5"):
        analyze_trial(t, ml, left_share=1.5)
    with pytest.raises(AnalysisError, match="left share is 1.5"):
        analyze_trial(t, ml, left_share=1.5, load_n=np.full(t.size, 700.0))


def test_an_empty_side_reading_a_hair_below_zero_is_noise_and_clipped():
    # One foot lifted: its cells read zero plus noise, so the share strays past 1 by ~1e-6.
    t, ml, _ = sway()
    load = np.full(t.size, 700.0)
    share = np.ones(t.size)
    share[::7] = 1.0 + 0.06 / 700.0  # the right foot reading -0.06 N, as the simulator's do
    r = analyze_trial(t, ml, load_n=load, left_share=share)
    assert r["left_share"] == 1.0
    assert any("clipped" in n for n in r["processing"]["notes"])
    share[::7] = -5.0 / 700.0  # the left foot reading -5 N: still within the noise allowance
    assert analyze_trial(t, ml, load_n=load, left_share=share)["left_share"] >= 0.0


def test_a_side_far_below_zero_is_refused_as_a_wiring_or_tare_fault():
    t, ml, _ = sway()
    load = np.full(t.size, 700.0)
    share = np.full(t.size, 0.5)
    share[123] = 1.0 + 40.0 / 700.0  # the right foot reading -40 N: no cell noise does that
    with pytest.raises(AnalysisError, match=r"sample 123: the right foot reads -40\.0 N.*re-tare"):
        analyze_trial(t, ml, load_n=load, left_share=share)


def test_processing_names_the_band_of_every_frequency_measure_and_why_one_is_null():
    t, ml, ap = sway()
    r = analyze_trial(t, ml, ap)
    bands = r["processing"]["spectral_band_hz"]
    assert bands["ml_f50_hz"] == [0.15, 5.0] and bands["f95_hz"] == [0.15, 5.0]
    assert bands["ml_mean_frequency_hz"] == [0.0, r["sample_rate_hz"] / 2]
    assert bands["ml_power_mid_pct"] == [0.5, 2.0]
    short = analyze_trial(t[:500], ml[:500], ap[:500])  # 5 s
    assert short["ml_f50_hz"] is None and short["mean_frequency_hz"] is None
    assert short["ml_rms_mm"] is not None
    assert "20 s" in short["processing"]["null_reasons"]["ml_f50_hz"]
    with pytest.raises(AnalysisError, match="must match"):
        analyze_trial(t, ml[:-1])


# --- our recordings through analyze_file -------------------------------------------------------


def record(path, loads, fs=80.0, board="two-plate-4"):
    """A recording whose total load follows ``loads`` and whose ML COP sways."""
    b = load_board(board)
    n = len(loads)
    t = np.arange(n) / fs
    share_right = 0.5 + 0.05 * np.sin(2 * np.pi * 0.5 * t)
    forces = np.zeros((n, b.n_cells))
    right = b.side_mask("right")
    forces[:, right] = (np.asarray(loads) * share_right)[:, None] / right.sum()
    forces[:, ~right] = (np.asarray(loads) * (1 - share_right))[:, None] / (~right).sum()
    with RecordingWriter(path, b) as w:
        w.write_block(t, forces)


def test_off_board_edges_of_our_recording_are_cut_and_reported(tmp_path):
    p = tmp_path / "r.csv"
    loads = np.r_[np.zeros(40), np.full(800, 700.0), np.zeros(80)]
    record(p, loads)
    r = analyze_file(p)
    assert r["format"] == "balance-trainer"
    assert r["metrics"]["duration_s"] == pytest.approx(10.0)
    assert r["processing"]["trimmed_s"]["start"] == pytest.approx(0.5)
    assert r["processing"]["trimmed_s"]["end"] == pytest.approx(1.0)
    assert r["metrics"]["ap_rms_mm"] is None  # the two-plate board has no AP spacing
    assert r["metrics"]["left_share"] == pytest.approx(0.5, abs=0.01)


def test_stepping_off_in_the_middle_analyses_the_longest_stance_and_says_so(tmp_path):
    p = tmp_path / "gap.csv"
    loads = np.full(800, 700.0)
    loads[300:320] = 0.0  # 3.75 s on, 0.25 s off, 6 s on
    record(p, loads)
    r = analyze_file(p)
    assert r["metrics"]["duration_s"] == pytest.approx(6.0)
    assert r["processing"]["trimmed_s"]["start"] == pytest.approx(4.0)
    note = next(n for n in r["processing"]["notes"] if "stepped off" in n)
    assert "2 stretches" in note and "4.00-9.99 s" in note


def test_a_moment_on_the_board_is_not_a_trial(tmp_path):
    p = tmp_path / "blip.csv"
    loads = np.full(400, 3.0)
    loads[100:110] = 700.0  # 0.125 s: a bump, not a stance
    record(p, loads)
    with pytest.raises(AnalysisError, match=r"blip\.csv: nobody stands on the board for 1 s"):
        analyze_file(p)


def test_a_recording_with_nobody_on_the_board_is_refused(tmp_path):
    p = tmp_path / "empty-board.csv"
    record(p, np.full(400, 3.0))
    with pytest.raises(AnalysisError, match="nobody is on the board at any time"):
        analyze_file(p)


def test_a_recording_with_no_frames_is_insufficient_data(tmp_path):
    p = tmp_path / "none.csv"
    record(p, np.zeros(0))
    with pytest.raises(InsufficientDataError, match=r"none\.csv: .*no samples"):
        analyze_file(p)
