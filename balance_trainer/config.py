"""Board files, settings and the data directory.

Board geometry is data: a TOML file lists the cells, each with a name, the side it is under
(``left``/``right``), its position in mm from the board centre (x medio-lateral, positive to the
person's right; y antero-posterior, positive forward) and the DOUT pin of its HX711. Presets ship
inside the package (``two-plate-4``, ``corners-4``, ``two-plate-8``); any other ``.toml`` path
works the same way. Everything is validated on load, and every complaint names the file, the
place in it and what to change.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .errors import BoardConfigError, SettingsError

SIDES = ("left", "right")
DEFAULT_PRESET = "two-plate-4"
AP_SPACING_MIN_MM = 1.0
"""Cells closer than this in y are treated as having no antero-posterior spacing."""
MAX_POSITION_MM = 2000.0
"""No cell sits further than this from the board centre: a larger x or y is a typo."""
SAMPLE_RATE_RANGE_HZ = (1.0, 10_000.0)
"""HX711s run at 10 or 80 Hz, a Wii board at 100 Hz, lab plates up to a few kHz."""
MAX_NESTING = 32
"""Deeper nesting than this in a TOML or JSON file is refused before the parser recurses."""


def check_nesting(text: str, where: str, error: type[Exception]) -> None:
    """Refuse ``text`` nested deeper than :data:`MAX_NESTING` brackets or braces.

    Python's TOML and JSON parsers recurse once per level and die with ``RecursionError``
    somewhere near 1000 levels; none of our files nests more than 3 deep. Brackets inside
    strings are counted too, which can only make the check stricter than needed, never let a
    deep file through.
    """
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    raise error(
                        f"{where}: nested more than {MAX_NESTING} levels deep ([ or {{); "
                        "this is not a balance-trainer file - replace it with a proper one"
                    )
        elif ch in "]}":
            depth = max(0, depth - 1)


def check_rate(rate: Any, where: str, what: str, error: type[Exception]) -> float:
    """A sample rate in Hz within :data:`SAMPLE_RATE_RANGE_HZ`, else ``error``."""
    lo, hi = SAMPLE_RATE_RANGE_HZ
    ok = isinstance(rate, (int, float)) and not isinstance(rate, bool)
    if not ok or not (lo <= float(rate) <= hi):
        raise error(
            f"{where}: {what} is {rate!r}; give the sample rate in Hz as a number from "
            f"{lo:g} to {hi:g} (80 for HX711 chips with RATE high)"
        )
    return float(rate)


@dataclass(frozen=True)
class Cell:
    """One load cell: its name, side, position (mm) and the HX711 DOUT pin it is read on."""

    name: str
    side: str
    x_mm: float
    y_mm: float
    dout: str | int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "side": self.side, "x_mm": self.x_mm, "y_mm": self.y_mm}


@dataclass(frozen=True)
class Board:
    """A board's geometry and wiring. Arrays are in cell order."""

    name: str
    cells: tuple[Cell, ...]
    sck: str | int | None = None
    sample_rate_hz: float = 80.0
    source: str = "hx711"
    description: str = ""
    controls: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None

    # -- derived geometry -------------------------------------------------------------------
    @property
    def n_cells(self) -> int:
        return len(self.cells)

    @property
    def cell_names(self) -> list[str]:
        return [c.name for c in self.cells]

    @property
    def x_mm(self) -> np.ndarray:
        """Cell ML positions, shape (n_cells,), mm."""
        return np.array([c.x_mm for c in self.cells], dtype=float)

    @property
    def y_mm(self) -> np.ndarray:
        """Cell AP positions, shape (n_cells,), mm."""
        return np.array([c.y_mm for c in self.cells], dtype=float)

    def side_mask(self, side: str) -> np.ndarray:
        """Boolean mask over cells on ``side`` ('left' or 'right')."""
        return np.array([c.side == side for c in self.cells], dtype=bool)

    @property
    def has_ap_spacing(self) -> bool:
        """True when the cells span the AP axis, so AP COP is measurable."""
        y = self.y_mm
        return bool(np.ptp(y) >= AP_SPACING_MIN_MM)

    def side_has_ml_spacing(self, side: str) -> bool:
        """True when ``side`` has ≥ 2 cells at different x: that foot's own ML COP is known."""
        x = self.x_mm[self.side_mask(side)]
        return x.size >= 2 and bool(np.ptp(x) >= AP_SPACING_MIN_MM)

    def side_centre_ml_mm(self, side: str) -> float:
        """Mean x of the side's cells (mm): the middle of that foot's plate."""
        return float(self.x_mm[self.side_mask(side)].mean())

    def to_dict(self) -> dict[str, Any]:
        """The board as a recording header stores it (DESIGN.md: name and cells)."""
        return {"name": self.name, "cells": [c.to_dict() for c in self.cells]}

    def with_name(self, name: str) -> Board:
        return Board(
            name,
            self.cells,
            self.sck,
            self.sample_rate_hz,
            self.source,
            self.description,
            self.controls,
            self.path,
        )


def preset_names() -> list[str]:
    """Names of the board presets shipped in the package."""
    folder = resources.files("balance_trainer") / "boards"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_board(spec: str | os.PathLike[str]) -> Board:
    """Load a board by preset name or from a TOML file path, validating it.

    Raises
    ------
    BoardConfigError
        The file is missing, not TOML, or inconsistent; the message names file, place and fix.
    """
    spec_s = os.fspath(spec)
    if spec_s in preset_names():
        res = resources.files("balance_trainer") / "boards" / f"{spec_s}.toml"
        return parse_board(res.read_text(encoding="utf-8"), f"preset {spec_s}")
    path = Path(spec_s)
    if not path.exists():
        raise BoardConfigError(
            f"board {spec_s!r}: no such preset or file; use one of "
            f"{', '.join(preset_names())} or the path to a board .toml file"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BoardConfigError(f"{path}: cannot read board file ({exc})") from exc
    return parse_board(text, str(path), path=path)


def parse_board(text: str, where: str, *, path: Path | None = None) -> Board:
    """Parse and validate board TOML ``text``; ``where`` names it in error messages."""
    check_nesting(text, where, BoardConfigError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BoardConfigError(f"{where}: not valid TOML ({exc}); fix the syntax there") from exc
    head = data.get("board", {})
    if not isinstance(head, dict):
        raise BoardConfigError(f"{where}: [board] must be a table")
    name = head.get("name", path.stem if path else "board")
    if not isinstance(name, str) or not name.strip():
        raise BoardConfigError(f"{where}: [board] name must be a non-empty string")
    rate = check_rate(
        head.get("sample_rate_hz", 80), where, "[board] sample_rate_hz", BoardConfigError
    )
    description = head.get("description", "")
    if not isinstance(description, str):
        raise BoardConfigError(f"{where}: [board] description must be a string")
    source = head.get("source", "hx711")
    if not isinstance(source, str):
        raise BoardConfigError(f"{where}: [board] source must be a string such as 'hx711'")
    raw_cells = data.get("cells")
    if not isinstance(raw_cells, list) or not raw_cells:
        raise BoardConfigError(
            f"{where}: no [[cells]] entries; list each load cell with name, side, x_mm, y_mm"
        )
    cells = cells_from_dicts(raw_cells, where, need_pins=False)
    dout_seen: dict[Any, str] = {}
    for i, c in enumerate(cells):
        if c.dout is None:
            continue
        key = str(c.dout).upper()
        if key in dout_seen:
            raise BoardConfigError(
                f"{where}: cells[{i}] '{c.name}' uses dout {c.dout!r}, already used by "
                f"'{dout_seen[key]}'; each HX711 needs its own DOUT pin"
            )
        dout_seen[key] = c.name
    sck = head.get("sck")
    if sck is not None and str(sck).upper() in dout_seen:
        raise BoardConfigError(
            f"{where}: [board] sck {sck!r} is also a cell's dout; give SCK a pin of its own"
        )
    controls = data.get("controls", {})
    if not isinstance(controls, dict):
        raise BoardConfigError(f"{where}: [controls] must be a table of pin names")
    return Board(
        name=name.strip(),
        cells=tuple(cells),
        sck=sck,
        sample_rate_hz=rate,
        source=source,
        description=description,
        controls=dict(controls),
        path=path,
    )


def cells_from_dicts(raw: Sequence[Any], where: str, *, need_pins: bool = False) -> list[Cell]:
    """Validate a list of cell tables/objects (board file or recording header)."""
    cells: list[Cell] = []
    names: dict[str, int] = {}
    for i, rc in enumerate(raw):
        place = f"cells[{i}]"
        if not isinstance(rc, dict):
            raise BoardConfigError(f"{where}: {place} must be a table with name, side, x_mm, y_mm")
        for key in ("name", "side", "x_mm", "y_mm"):
            if key not in rc:
                raise BoardConfigError(f"{where}: {place} has no '{key}'; add it")
        name = rc["name"]
        if (
            not isinstance(name, str)
            or not name.strip()
            or "," in name
            or not name.strip().isprintable()
        ):
            raise BoardConfigError(
                f"{where}: {place} name {name!r} must be a non-empty string without commas, "
                "line breaks or other control characters"
            )
        # Names are stored stripped, so " left_outer " and "left_outer" are the same cell.
        name = name.strip()
        if name in names:
            raise BoardConfigError(
                f"{where}: {place} duplicate cell name {name!r} (also cells[{names[name]}]); "
                "give each cell its own name"
            )
        names[name] = i
        side = rc["side"]
        if side not in SIDES:
            raise BoardConfigError(
                f"{where}: {place} '{name}' side is {side!r}; it must be 'left' or 'right'"
            )
        x = _number(rc["x_mm"], where, f"{place} '{name}' x_mm")
        y = _number(rc["y_mm"], where, f"{place} '{name}' y_mm")
        dout = rc.get("dout")
        if dout is not None and not isinstance(dout, (str, int)):
            raise BoardConfigError(f"{where}: {place} '{name}' dout must be a pin name or number")
        if need_pins and dout is None:
            raise BoardConfigError(f"{where}: {place} '{name}' has no dout pin")
        for axis, v in (("x_mm", x), ("y_mm", y)):
            if abs(v) > MAX_POSITION_MM:
                raise BoardConfigError(
                    f"{where}: {place} '{name}' {axis} is {v:g} mm, further than "
                    f"{MAX_POSITION_MM:g} mm from the board centre; give the position in mm"
                )
        cells.append(Cell(name, side, x, y, dout))
    for side in SIDES:
        if not any(c.side == side for c in cells):
            raise BoardConfigError(
                f"{where}: no cell on the {side} side; a two-sided board needs cells under "
                "both feet (set side = 'left' or 'right' on each cell)"
            )
    xs = [c.x_mm for c in cells]
    if max(xs) - min(xs) < AP_SPACING_MIN_MM:
        raise BoardConfigError(
            f"{where}: every cell is at x = {xs[0]:g} mm, so the medio-lateral centre of "
            "pressure cannot be measured; give each cell its real x_mm (left cells negative, "
            "right cells positive)"
        )
    return cells


def _number(value: Any, where: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BoardConfigError(f"{where}: {what} is {value!r}; it must be a number")
    v = float(value)
    if not math.isfinite(v):
        raise BoardConfigError(f"{where}: {what} is {value!r}; it must be a finite number")
    return v


# --- settings and directories -------------------------------------------------------------

SETTINGS_PATHS = (Path("/etc/balance-trainer/balance-trainer.toml"),)


def settings_path() -> Path | None:
    """The settings file in use: $BALANCE_TRAINER_CONFIG, the user's, or the system's."""
    env = os.environ.get("BALANCE_TRAINER_CONFIG")
    if env:
        return Path(env)
    user = Path(os.environ.get("XDG_CONFIG_HOME") or _home("XDG_CONFIG_HOME") / ".config")
    candidates = [user / "balance-trainer" / "balance-trainer.toml", *SETTINGS_PATHS]
    for p in candidates:
        if p.is_file():
            return p
    return None


def _home(instead: str) -> Path:
    try:
        return Path.home()
    except RuntimeError:
        raise SettingsError(
            f"no home directory (HOME is not set and this user has none); set {instead} "
            "or HOME to a folder"
        ) from None


_SETTINGS_TYPES: dict[str, str] = {
    "board": "a board spec such as 'sim' or a .toml path",
    "data_dir": "the path of a folder",
}


def load_settings() -> dict[str, Any]:
    """Read and check the settings file (``board``, ``data_dir``, ...); {} when there is none.

    A settings file named by $BALANCE_TRAINER_CONFIG must exist: a variable pointing nowhere
    is a mistake to report, not a reason to fall back to the defaults.

    Raises
    ------
    SettingsError
        The file is missing (when named by the variable), unreadable, not TOML, or ``board`` or
        ``data_dir`` is not a non-empty string. The message names the file and the key.
    """
    env = os.environ.get("BALANCE_TRAINER_CONFIG")
    p = settings_path()
    if p is None:
        return {}
    if env and not p.is_file():
        what = "is a directory" if p.is_dir() else "does not exist"
        raise SettingsError(
            f"BALANCE_TRAINER_CONFIG={env}: the settings file {what}; create it (it may be "
            "empty) or unset BALANCE_TRAINER_CONFIG"
        )
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{p}: cannot read settings ({exc}); fix or remove it") from exc
    check_nesting(text, str(p), SettingsError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{p}: cannot read settings ({exc}); fix or remove it") from exc
    for key, what in _SETTINGS_TYPES.items():
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            raise SettingsError(
                f"{p}: {key} is {data[key]!r}; it must be {what} in quotes (or remove the line)"
            )
    return data


def expand_path(value: str, origin: str) -> Path:
    """``value`` with ``~`` expanded; ``origin`` (option, variable or file) names it in errors."""
    try:
        return Path(value).expanduser()
    except RuntimeError:
        user = value[1:].split("/", 1)[0]
        raise SettingsError(
            f"{origin} {value!r}: "
            + (f"there is no user {user!r} on this machine" if user else "no home directory")
            + ", so '~' cannot be expanded; give the full path of the folder"
        ) from None


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where calibrations, recordings and the database live.

    Order: the ``override`` (``--data-dir``), $BALANCE_TRAINER_DATA_DIR, the settings file's
    ``data_dir``, then $XDG_DATA_HOME/balance-trainer (~/.local/share/balance-trainer).
    """
    if override:
        return expand_path(os.fspath(override), "--data-dir")
    env = os.environ.get("BALANCE_TRAINER_DATA_DIR")
    if env:
        return expand_path(env, "BALANCE_TRAINER_DATA_DIR")
    configured = load_settings().get("data_dir")
    if configured:
        return expand_path(str(configured), f"{settings_path()}: data_dir")
    xdg = os.environ.get("XDG_DATA_HOME") or str(_home("XDG_DATA_HOME") / ".local" / "share")
    return Path(xdg) / "balance-trainer"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and any missing parents) with mode 0700: it holds health data.

    Every folder created here is 0700 whatever the umask (``mkdir(parents=True)`` would give
    the parents the umask's mode); an existing ``path`` is narrowed to 0700 when we own it.
    """
    missing: list[Path] = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
        try:
            folder.chmod(0o700)
        except OSError:
            pass
    if not path.is_dir():
        path.mkdir(mode=0o700)  # raises the right OSError (a file is in the way, ...)
    try:
        path.chmod(0o700)
    except OSError:
        pass
    return path


def default_board_spec() -> str:
    """The board to use when none is named: the settings file's ``board``, else the simulator."""
    return board_spec_origin()[0]


def board_spec_origin() -> tuple[str, str | None]:
    """``(spec, where it was set)``: $BALANCE_TRAINER_BOARD, the settings file, else ``sim``.

    The origin (None for the built-in default) goes in front of any complaint about the board,
    so a bad board nobody typed on the command line still says where it came from.
    """
    env = os.environ.get("BALANCE_TRAINER_BOARD")
    if env:
        return env, "BALANCE_TRAINER_BOARD"
    configured = load_settings().get("board")
    if configured:
        return str(configured), f"{settings_path()}: board"
    return "sim", None
