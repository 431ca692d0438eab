"""Wiring a board source to the core: the one place the faces (CLI, games) open a board.

Sources are found by name among the factories registered under the entry-point group
``balance_trainer.sources`` (:data:`~balance_trainer.frames.SOURCE_GROUP`); the core imports
nothing from ``hardware/``. :func:`open_board` adds the calibration and the balance model.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from .balance import BalanceModel
from .calibration import Calibration, calibration_path
from .config import board_spec_origin, load_board
from .config import data_dir as resolve_data_dir
from .errors import BalanceTrainerError, CalibrationError, EnvironmentFault, UsageError
from .frames import (
    PELVIS_GROUP,
    SOURCE_GROUP,
    Clock,
    PelvisRequest,
    PelvisSource,
    Sleep,
    Source,
    SourceFactory,
    SourceRequest,
)
from .pelvis import PelvisAligner, PelvisFeed
from .stream import Converter


def source_kinds() -> list[str]:
    """Names of the registered sources, sorted (``mock-hx711``, ``replay``, ``sim``, ...).

    Raises
    ------
    EnvironmentFault
        No source is registered at all: the package metadata is missing or stale.
    """
    kinds = sorted({ep.name for ep in entry_points(group=SOURCE_GROUP)})
    if not kinds:
        raise EnvironmentFault(
            f"no board sources are registered (entry points {SOURCE_GROUP!r}); "
            "reinstall the package: pip install -e ."
        )
    return kinds


def source_factory(kind: str) -> SourceFactory:
    """The factory registered as ``kind`` under ``balance_trainer.sources``.

    Raises
    ------
    UsageError
        No source of that name is registered.
    EnvironmentFault
        No source is registered at all (see :func:`source_kinds`).
    """
    found = [ep for ep in entry_points(group=SOURCE_GROUP) if ep.name == kind]
    if found:
        factory: SourceFactory = found[0].load()
        return factory
    raise UsageError(f"source {kind!r} is unknown; use one of {', '.join(source_kinds())}")


def open_source(
    spec: str,
    *,
    scenario: str = "quiet",
    seed: int = 0,
    weak_hip: str | None = None,
    realtime: bool = True,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    **options: Any,
) -> Source:
    """Open the source named by ``spec``: ``KIND``, ``KIND:ARG``, a preset or a board file.

    ``KIND`` is a registered source name (``sim``, ``replay:FILE``, ``mock-hx711:PRESET``,
    ``wii``...). Anything else is a board preset or ``.toml`` path, read with the source its
    file names (``source = "hx711"`` by default).

    Raises
    ------
    UsageError
        The spec names no known source.
    BoardConfigError, RecordingError, SensorError
        From the board file, the recording or the hardware.
    """
    kind, sep, arg = spec.partition(":")
    kinds = source_kinds()
    board = None
    if kind not in kinds:
        if sep and not Path(spec).exists():
            raise UsageError(
                f"--board {spec!r}: no source named {kind!r}; use one of "
                f"{', '.join(kinds)}, or a board preset or .toml file"
            )
        board = load_board(spec)
        kind, arg = board.source, ""
        if kind not in kinds:
            raise UsageError(
                f"board {board.name}: source {kind!r} is unknown; use one of {', '.join(kinds)}"
            )
    request = SourceRequest(
        arg=arg,
        board=board,
        scenario=scenario,
        seed=seed,
        weak_hip=weak_hip,
        realtime=realtime,
        clock=clock,
        sleep=sleep,
        options=options,
    )
    return source_factory(kind)(request)


@dataclass
class BoardConnection:
    """An open source plus everything needed to turn its frames into balance.

    With a pelvis sensor (``pelvis``), the converter gives every block the pelvis's obliquity
    at its frames (see :mod:`balance_trainer.pelvis`).
    """

    source: Source
    calibration: Calibration
    calibration_origin: str
    model: BalanceModel
    spec: str
    pelvis: PelvisFeed | None = None
    _converter: Converter | None = None

    @property
    def converter(self) -> Converter:
        if self._converter is None:
            aligner = None if self.pelvis is None else PelvisAligner(feed=self.pelvis)
            # One per connection: its spike guard carries state from block to block. A
            # recording's forces passed the guard when they were recorded; guarding them
            # again would delay each confirmed step once more on every replay.
            guarded = bool(getattr(self.source, "spike_guarded", False))
            self._converter = Converter(
                self.calibration, self.model, aligner, spike_guard=not guarded
            )
        return self._converter

    @property
    def simulated(self) -> bool:
        return self.source.simulated

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
        if self.pelvis is not None:
            self.pelvis.close()
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
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    require_calibration: bool = True,
    pelvis: str | None = None,
    **options: Any,
) -> BoardConnection:
    """Open the board named by ``spec`` (default: settings, else the simulator).

    ``pelvis`` names a pelvis sensor to read beside the board (``sim``, ``i2c``,
    ``i2c:BUS:ADDR``; ``none`` or None for none), found under the entry-point group
    ``balance_trainer.pelvis``.

    The calibration is the one saved for this source in the data directory if there is one,
    else the source's own (the simulator's true cells, a replay's milli-newtons).

    Raises
    ------
    CalibrationError
        Real hardware that was never calibrated (and ``require_calibration``).
    """
    spec_origin = None
    if not spec:
        spec, spec_origin = board_spec_origin()
    try:
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
    except BalanceTrainerError as exc:
        # A board nobody typed must say where it was set (issue 17).
        if spec_origin is None or exc.exit_status != 2:
            raise
        raise type(exc)(f"{spec_origin} = {spec!r}: {exc}") from exc
    try:
        cal, origin = find_calibration(source, data_dir, required=require_calibration)
        feed = open_pelvis(pelvis, source, realtime=realtime, clock=clock, sleep=sleep)
    except BaseException:
        source.close()
        raise
    return BoardConnection(source, cal, origin, BalanceModel(source.board), spec, feed)


def open_pelvis(
    spec: str | None,
    board_source: Source,
    *,
    realtime: bool = True,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
) -> PelvisFeed | None:
    """Open the pelvis sensor named by ``spec`` beside ``board_source``, or None for none.

    Raises
    ------
    UsageError
        An unknown sensor name.
    """
    if (
        spec is None
        and getattr(getattr(board_source, "recording", None), "pelvis_obliquity_deg", None)
        is not None
    ):
        spec = "replay"  # a recording made with a pelvis sensor plays its pelvis back too
    text = (spec or "none").strip()
    kind = text.split(":", 1)[0].lower()
    if kind in ("", "none"):
        return None
    eps = [ep for ep in entry_points(group=PELVIS_GROUP) if ep.name == kind]
    if not eps:
        names = sorted({ep.name for ep in entry_points(group=PELVIS_GROUP)}) or ["(none)"]
        raise UsageError(
            f"--pelvis {text!r} is unknown; use none or one of {', '.join(names)} (e.g. i2c:1:0x6A)"
        )
    factory: Callable[[PelvisRequest], PelvisSource] = eps[0].load()
    source = factory(PelvisRequest(text, board_source, realtime, clock, sleep))
    return PelvisFeed(source)


def find_calibration(
    source: Source, data_dir: str | os.PathLike[str] | None = None, *, required: bool = True
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


def saved_calibration_path(source: Source, data_dir: str | os.PathLike[str] | None = None) -> Path:
    return calibration_path(resolve_data_dir(data_dir), source.calibration_key)
