"""Wiring a board source to the core: the one place the faces (CLI, games) open a board.

This module is the core's only door to ``hardware/``: it asks ``hardware.sources`` for a source
by name, finds the calibration, and returns a :class:`~balance_trainer.stream.Converter`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .balance import BalanceModel
from .calibration import Calibration, calibration_path
from .config import data_dir as resolve_data_dir
from .config import default_board_spec
from .errors import CalibrationError
from .stream import Converter


@dataclass
class BoardConnection:
    """An open source plus everything needed to turn its frames into balance."""

    source: Any  # hardware.sources.Source
    calibration: Calibration
    calibration_origin: str
    model: BalanceModel
    spec: str

    @property
    def converter(self) -> Converter:
        return Converter(self.calibration, self.model)

    @property
    def simulated(self) -> bool:
        return bool(getattr(self.source, "simulated", False))

    @property
    def banner(self) -> str:
        """One line saying what is being read, e.g. for the top of a screen."""
        what = self.source.description
        if self.source.kind == "sim":
            return (
                f"SIMULATED BOARD ({what}; no hardware configured)"
                if self.spec == "sim"
                else f"SIMULATED BOARD ({what})"
            )
        return f"{what}; calibration: {self.calibration_origin}"

    def close(self) -> None:
        self.source.close()

    def __enter__(self) -> BoardConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_board(
    spec: str | None = None,
    *,
    scenario: str = "quiet",
    seed: int = 0,
    weak_hip: str | None = None,
    realtime: bool = True,
    data_dir: str | os.PathLike[str] | None = None,
    clock: Any = time.monotonic,
    sleep: Any = time.sleep,
    require_calibration: bool = True,
    **options: Any,
) -> BoardConnection:
    """Open the board named by ``spec`` (default: settings, else the simulator).

    The calibration is the one saved for this source in the data directory if there is one,
    else the source's own (the simulator's true cells, a replay's milli-newtons).

    Raises
    ------
    CalibrationError
        Real hardware that was never calibrated (and ``require_calibration``).
    """
    from hardware.sources import open_source

    spec = spec or default_board_spec()
    source = open_source(
        spec,
        scenario=scenario,
        seed=seed,
        weak_hip=weak_hip,
        realtime=realtime,
        clock=clock,
        sleep=sleep,
        **options,
    )
    try:
        cal, origin = find_calibration(source, data_dir, required=require_calibration)
    except BaseException:
        source.close()
        raise
    return BoardConnection(source, cal, origin, BalanceModel(source.board), spec)


def find_calibration(
    source: Any, data_dir: str | os.PathLike[str] | None = None, *, required: bool = True
) -> tuple[Calibration, str]:
    """The calibration to use for ``source`` and where it came from."""
    names = source.board.cell_names
    key = source.calibration_key
    if source.kind != "replay":
        path = calibration_path(resolve_data_dir(data_dir), key)
        if path.is_file():
            return Calibration.load(path, names), str(path)
    builtin = source.builtin_calibration()
    if builtin is not None:
        off, scale = builtin
        return Calibration(names, off, scale, key=key), "built in"
    if required:
        raise CalibrationError(
            f"board {source.board.name} ({source.kind}) has no calibration; run "
            f"'balance-trainer calibrate --board {source.board.path or source.board.name}'"
        )
    return Calibration(names, key=key), "none"


def saved_calibration_path(source: Any, data_dir: str | os.PathLike[str] | None = None) -> Path:
    return calibration_path(resolve_data_dir(data_dir), source.calibration_key)
