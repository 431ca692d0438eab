"""analyze does no repeated work per file: one filter design per rate, one on-board scan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.signal

from balance_trainer import analysis
from balance_trainer import signal as bt_signal
from balance_trainer.analysis import analyze_file

HBEDB = sorted((Path(__file__).resolve().parents[1] / "data" / "hbedb").glob("BDS*.txt"))


def test_the_low_pass_is_designed_once_per_rate_and_filters_as_a_fresh_design(monkeypatch):
    bt_signal._butter_sos.cache_clear()
    designs = []
    real = scipy.signal.butter

    def counting(*args, **kwargs):
        designs.append((args, kwargs.get("fs")))
        return real(*args, **kwargs)

    monkeypatch.setattr(scipy.signal, "butter", counting)
    x = np.cumsum(np.random.default_rng(1).normal(size=3000))
    first = bt_signal.lowpass(x, 100.0)
    for _ in range(3):
        again = bt_signal.lowpass(x, 100.0)
    bt_signal.lowpass(x, 80.0)
    assert [fs for _, fs in designs] == [100.0, 80.0]
    fresh = scipy.signal.sosfiltfilt(real(4, 10.0, btype="low", fs=100.0, output="sos"), x)
    np.testing.assert_array_equal(first, fresh)
    np.testing.assert_array_equal(again, fresh)


def test_the_cached_design_cannot_be_changed_by_a_caller():
    sos = bt_signal._butter_sos(4, 10.0, 100.0)
    assert not sos.flags.writeable


def test_analyze_file_scans_the_board_load_once_per_file(monkeypatch):
    calls = []
    real = analysis.on_board_stretches

    def counting(load_n, cop_ml_mm):
        calls.append(len(load_n))
        return real(load_n, cop_ml_mm)

    monkeypatch.setattr(analysis, "on_board_stretches", counting)
    analyze_file(HBEDB[0])
    assert len(calls) == 1
