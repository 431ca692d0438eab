"""Clinical tests found in a recording: the live engine replayed over a file's frames."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..balance import BalanceBlock, BalanceModel
from ..constants import ON_BOARD_N
from ..errors import AnalysisError
from .registry import check_board_for, protocol_class

__all__ = ["analyze_recording_for_test", "OFFLINE_BLOCK"]


def _block_from_file(
    path: str | os.PathLike[str],
) -> tuple[BalanceBlock, float, str, dict[str, tuple[float, float]]]:
    """The balance block of a recording or a two-plate lab file, its rate, format, foot spans."""
    from ..readers import detect_format, read_trial
    from ..recording import read_recording
    from ..stance import foot_spans

    kind = detect_format(path)
    if kind == "balance-trainer":
        rec = read_recording(path)
        block = BalanceModel(rec.board).compute(rec.t_s, rec.forces_n)
        return block, float(rec.board.sample_rate_hz), kind, foot_spans(rec.board)
    trial = read_trial(path, kind)
    if not trial.two_sided:
        raise AnalysisError(
            f"{path}: a {kind} file has one force plate for both feet; clinical tests need the "
            "load under each foot (our recordings or PDS two-plate *grf.txt files)"
        )
    # A two-sided trial carries both feet's loads (read_trial's contract).
    assert trial.left_n is not None and trial.right_n is not None
    t = trial.t_s
    nan = np.full(t.shape, np.nan)
    total = np.asarray(trial.load_n, dtype=float)
    block = BalanceBlock(
        t,
        total,
        trial.cop_ml_mm,
        trial.cop_ap_mm if trial.cop_ap_mm is not None else nan,
        trial.left_n,
        trial.right_n,
        trial.left_share if trial.left_share is not None else trial.left_n / total,
        trial.left_cop_ml_mm if trial.left_cop_ml_mm is not None else nan,
        trial.right_cop_ml_mm if trial.right_cop_ml_mm is not None else nan,
        total >= ON_BOARD_N,
    )
    rate = trial.sample_rate_hz or float((t.size - 1) / (t[-1] - t[0]))
    return block, rate, kind, {}  # a lab plate's COP is not bounded by cells


OFFLINE_BLOCK = 4096
"""Frames per block when a recording is fed to a protocol (any size gives the same result)."""


def analyze_recording_for_test(
    path: str | os.PathLike[str], name: str, **params: Any
) -> dict[str, Any]:
    """Find the trials of clinical test ``name`` in a recording and measure them.

    The recording is replayed through the same engine the live test uses. Unless ``params``
    say otherwise, trials on either side are found (``side=None``) and their number is not
    limited (``trials=None``); ``max_time_s`` and every threshold keep the test's defaults,
    so a recording of a live test gives the live result.

    Returns
    -------
    dict
        :meth:`Protocol.result`. A recording that holds no trial gives an empty list and a
        ``notes`` entry saying why (nobody on the board, never on both feet, no foot lifted).

    Raises
    ------
    UsageError
        Unknown test name or bad parameters.
    RecordingError, DataFormatError, AnalysisError
        The file cannot be read, or holds only one plate for both feet.
    """
    cls = protocol_class(name, option="--test")
    defaults: dict[str, Any] = {}
    if cls.sided:
        defaults = {"side": None, "trials": None}
    defaults.update(params)
    block, fs, _, spans = _block_from_file(path)
    check_board_for(name, bool(np.isfinite(block.cop_ap_mm).any()), f"recording {os.fspath(path)}")
    defaults.setdefault("foot_span_mm", spans)
    proto = cls(fs_hz=fs, **defaults)
    n = len(block)
    for i in range(0, n, OFFLINE_BLOCK):
        proto.feed(
            BalanceBlock(*(getattr(block, f)[i : i + OFFLINE_BLOCK] for f in BalanceBlock.FIELDS))
        )
        if proto.done:
            break
    proto.finish()
    return proto.result()
