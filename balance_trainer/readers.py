"""Read a balance trial from a file: our recordings and two published lab force-plate formats.

Every reader returns a :class:`Trial` in the project's units and axes: COP in mm with ML
positive to the person's right (as published where the source does not say), time in s, force
in N. Formats (:data:`FORMATS`), told apart by their first line:

``balance-trainer``
    Our recording (DESIGN.md): ``# key: value`` header lines, then per-cell forces. Read by
    :func:`balance_trainer.recording.read_recording`; COP, load and the left/right split come
    from the board geometry in the header through :class:`balance_trainer.balance.BalanceModel`.
``hbedb``
    The BDS files of Santos & Duarte (2016), doi:10.7717/peerj.2648: one force plate, header
    ``Time[s] Fx[N] Fy[N] Fz[N] Mx[Nm] My[Nm] Mz[Nm] COPx[cm] COPy[cm]``. COPx is AP and COPy
    is ML, both in cm; load is Fz.
``pds``
    The ``*grf.txt`` files of dos Santos et al. (2017), doi:10.7717/peerj.3626: one force
    plate under each foot, forces in N and COPs in m, Y vertical, X AP, Z ML (positive to the
    right). The net COP is computed from the two feet (:func:`combine_feet`), exactly as a
    two-sided board does; the file's own net COP is not used.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataFormatError, UsageError

FORMATS: tuple[str, ...] = ("balance-trainer", "hbedb", "pds")
"""Names accepted by :func:`read_trial` and ``--format``."""

_ALIASES = {"bds": "hbedb", "recording": "balance-trainer"}

_HBEDB_COLUMNS = ("Time[s]", "Fz[N]", "COPx[cm]", "COPy[cm]")
_PDS_COLUMNS = ("Time", "RGRF_Y", "LGRF_Y", "RCOP_X", "RCOP_Z", "LCOP_X", "LCOP_Z")
_SNIFF_BYTES = 4096


@dataclass
class Trial:
    """One balance trial as read from a file.

    Attributes
    ----------
    t_s : ndarray, shape (n,)
        Sample times, s.
    cop_ml_mm : ndarray, shape (n,)
        Medio-lateral COP, mm (NaN where nobody is on the board, in our recordings).
    cop_ap_mm : ndarray, shape (n,) or None
        Antero-posterior COP, mm; None when the board cannot measure it.
    load_n : ndarray, shape (n,)
        Total vertical load, N.
    format : str
        One of :data:`FORMATS`.
    meta : dict
        What the file says about itself (our header keys; the column names for lab files).
    path : Path or None
        Where the trial was read from.
    sample_rate_hz : float or None
        The nominal rate the file states, Hz; None when only the sample times tell.
    left_share : ndarray, shape (n,) or None
        Share of the total load on the left foot, 0..1 (two-sided data only).
    left_n, right_n : ndarray, shape (n,) or None
        Load under each foot, N (two-sided data only).
    left_cop_ml_mm, right_cop_ml_mm : ndarray, shape (n,) or None
        Each foot's own ML COP, mm, when the data resolves it.
    """

    t_s: np.ndarray
    cop_ml_mm: np.ndarray
    cop_ap_mm: np.ndarray | None
    load_n: np.ndarray
    format: str
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    sample_rate_hz: float | None = None
    left_share: np.ndarray | None = None
    left_n: np.ndarray | None = None
    right_n: np.ndarray | None = None
    left_cop_ml_mm: np.ndarray | None = None
    right_cop_ml_mm: np.ndarray | None = None

    @property
    def n_samples(self) -> int:
        return int(self.t_s.shape[0])

    @property
    def two_sided(self) -> bool:
        """True when the loads under the left and right foot are known separately."""
        return self.left_n is not None and self.right_n is not None


def combine_feet(
    left_n: np.ndarray, left_cop_mm: np.ndarray, right_n: np.ndarray, right_cop_mm: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Net COP from each foot's vertical load and own COP: what a two-sided board computes.

    ``cop = (F_L · cop_L + F_R · cop_R) / (F_L + F_R)``. On our board each foot's own COP is
    ``Σ_side F_i x_i / F_side``, so this is the same ``Σ F_i x_i / Σ F_i`` that
    :class:`balance_trainer.balance.BalanceModel` forms from the cells.

    Parameters
    ----------
    left_n, right_n : ndarray, shape (n,)
        Vertical load under each foot, N.
    left_cop_mm, right_cop_mm : ndarray, shape (n,)
        Each foot's COP along one axis, mm (any length unit works; the result has it too).

    Returns
    -------
    cop : ndarray, shape (n,)
        Net COP, same unit as the inputs; NaN where the total load is not positive.
    total_n : ndarray, shape (n,)
        Total vertical load, N.
    """
    total = left_n + right_n
    with np.errstate(divide="ignore", invalid="ignore"):
        cop = (left_n * left_cop_mm + right_n * right_cop_mm) / np.where(total > 0, total, np.nan)
    return cop, total


# --- detection --------------------------------------------------------------------------------


def _first_line(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except IsADirectoryError:
        raise DataFormatError(f"{path}: is a directory; give a data file") from None
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot open ({exc.strerror}); check the path") from exc
    if not head.strip():
        raise DataFormatError(f"{path}: empty file; nothing to analyse")
    if b"\0" in head:
        raise DataFormatError(f"{path}: binary data, not a text recording")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _kind_of(line: str) -> str | None:
    if line.startswith("#"):
        return "balance-trainer"
    cols = line.split()
    if all(c in cols for c in _HBEDB_COLUMNS):
        return "hbedb"
    if all(c in cols for c in _PDS_COLUMNS):
        return "pds"
    return None


def detect_format(path: str | os.PathLike[str]) -> str:
    """Name the format of a data file from its first non-empty line.

    Raises
    ------
    DataFormatError
        The file is missing, empty, binary, or its first line matches no known format.
    """
    p = Path(path)
    line = _first_line(p)
    kind = _kind_of(line)
    if kind is None:
        raise DataFormatError(
            f"{p}: unknown format (first line {line[:60]!r}); known formats: "
            "balance-trainer ('# format: ...' header), hbedb ('Time[s] ... COPx[cm] COPy[cm]'), "
            "pds ('Time RGRF_X ...'); name one with --format if the header is unusual"
        )
    return kind


def normalise_format(name: str) -> str:
    """The canonical format name for ``name`` (accepts the aliases 'bds' and 'recording')."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        raise UsageError(f"format {name!r} is unknown; use one of {', '.join(FORMATS)}")
    return key


def read_trial(path: str | os.PathLike[str], format: str | None = None) -> Trial:
    """Read one trial from ``path``.

    Parameters
    ----------
    path : path-like
        The data file.
    format : str, optional
        One of :data:`FORMATS`; detected from the first line when omitted.

    Raises
    ------
    DataFormatError
        Unknown or mismatching format, missing columns, non-numeric or missing values, NaN,
        no data rows, time going backwards. Messages are ``FILE[:LINE]: problem; fix``.
    RecordingError
        Our own recording is malformed (see
        :func:`~balance_trainer.recording.read_recording`).
    UsageError
        ``format`` is not a known name.
    """
    p = Path(path)
    kind = detect_format(p) if format is None else normalise_format(format)
    if kind == "balance-trainer":
        return _read_ours(p)
    if kind == "hbedb":
        return _read_hbedb(p)
    return _read_pds(p)


# --- our recordings -------------------------------------------------------------------------


def _read_ours(path: Path) -> Trial:
    from .balance import BalanceModel
    from .recording import read_recording

    rec = read_recording(path)  # raises RecordingError with FILE:LINE messages
    block = BalanceModel(rec.board).compute(rec.t_s, rec.forces_n)
    board = rec.board
    rate = rec.meta.get("sample_rate_hz")
    return Trial(
        t_s=rec.t_s,
        cop_ml_mm=block.cop_ml_mm,
        cop_ap_mm=block.cop_ap_mm if board.has_ap_spacing else None,
        load_n=block.total_n,
        format="balance-trainer",
        meta=dict(rec.meta),
        path=path,
        sample_rate_hz=float(rate) if isinstance(rate, (int, float)) else None,
        left_share=block.left_share,
        left_n=block.left_n,
        right_n=block.right_n,
        left_cop_ml_mm=block.left_cop_ml_mm if board.side_has_ml_spacing("left") else None,
        right_cop_ml_mm=block.right_cop_ml_mm if board.side_has_ml_spacing("right") else None,
    )


# --- lab text tables ---------------------------------------------------------------------------


def _read_table(path: Path, kind: str, needed: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Header names and the numeric rows of a one-header-line text table, strictly checked."""
    line = _first_line(path)
    header = line.split()
    missing = [c for c in needed if c not in header]
    if missing:
        found = _kind_of(line)
        hint = f" (it looks like {found})" if found and found != kind else ""
        raise DataFormatError(
            f"{path}:1: column {missing[0]!r} is missing, so this is not a {kind} file{hint}; "
            f"a {kind} header has {' '.join(needed)}"
        )
    delimiter = "\t" if "\t" in line else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "no data": reported below as ours
            data = np.loadtxt(path, delimiter=delimiter, skiprows=1, ndmin=2, encoding="utf-8")
    except (ValueError, UnicodeDecodeError):
        _raise_row_problem(path, header, delimiter)
        raise  # _raise_row_problem always raises; this keeps type checkers content
    if data.shape[0] == 0:
        raise DataFormatError(f"{path}: header but no data rows; the file is truncated")
    if data.shape[1] != len(header):
        raise DataFormatError(
            f"{path}:2: rows have {data.shape[1]} values but the header names {len(header)} "
            "columns; repair the header or the rows"
        )
    bad = ~np.isfinite(data)
    if bad.any():
        r, c = (int(v[0]) for v in np.nonzero(bad))
        raise DataFormatError(
            f"{path}:{r + 2}: {header[c]} is {data[r, c]}; a missing value cannot be analysed - "
            "cut the trial before it or fill it"
        )
    return header, data


def _raise_row_problem(path: Path, header: list[str], delimiter: str | None) -> None:
    # The slow, exact scan only runs after the fast parser failed, to name the line.
    try:
        with open(path, encoding="utf-8") as fh:
            next(fh, None)
            for lineno, line in enumerate(fh, start=2):
                if not line.strip():
                    continue
                parts = line.rstrip("\r\n").split(delimiter)
                ncol = len(header)
                if len(parts) != ncol:
                    raise DataFormatError(
                        f"{path}:{lineno}: row has {len(parts)} values, expected {ncol} "
                        "(a missing value or a truncated row); repair or cut it"
                    )
                for name, part in zip(header, parts, strict=True):
                    if not part.strip():
                        raise DataFormatError(
                            f"{path}:{lineno}: {name} is empty (a missing value); fill it or "
                            "cut the trial before it"
                        )
                    try:
                        float(part)
                    except ValueError:
                        raise DataFormatError(
                            f"{path}:{lineno}: {part.strip()!r} is not a number; every value "
                            "after the header must be numeric"
                        ) from None
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    raise DataFormatError(f"{path}: rows cannot be read as numbers; check the file")


MAX_GAP_S = 60.0
"""Samples further apart than this mean a broken time column (lab plates sample at 100 Hz+)."""
_MAX_ABS = 1e7
"""No time (s), force (N) or COP (cm, m) in a lab file is this large; beyond it is garbage."""


def _check_time(path: Path, t: np.ndarray) -> None:
    dt = np.diff(t)
    if np.any(dt < 0):
        i = int(np.flatnonzero(dt < 0)[0]) + 1
        raise DataFormatError(
            f"{path}:{i + 2}: time {t[i]:g} s goes backwards (previous {t[i - 1]:g} s); "
            "rows must be in time order"
        )
    if np.any(dt > MAX_GAP_S):
        i = int(np.flatnonzero(dt > MAX_GAP_S)[0]) + 1
        raise DataFormatError(
            f"{path}:{i + 2}: time jumps from {t[i - 1]:g} s to {t[i]:g} s (more than "
            f"{MAX_GAP_S:g} s between samples); the time column is broken - cut the trial there"
        )


def _check_magnitudes(path: Path, header: list[str], data: np.ndarray, used: Sequence[str]) -> None:
    """Refuse absurd values (1e308) in the columns the analysis uses: they overflow later."""
    for name in used:
        col = data[:, header.index(name)]
        big = np.flatnonzero(np.abs(col) > _MAX_ABS)
        if big.size:
            r = int(big[0])
            raise DataFormatError(
                f"{path}:{r + 2}: {name} is {col[r]:g}, beyond anything a force plate "
                "measures; repair the value or cut the trial before it"
            )


def _col(header: list[str], data: np.ndarray, name: str) -> np.ndarray:
    return data[:, header.index(name)]


def _read_hbedb(path: Path) -> Trial:
    header, data = _read_table(path, "hbedb", _HBEDB_COLUMNS)
    _check_magnitudes(path, header, data, _HBEDB_COLUMNS)
    t = _col(header, data, "Time[s]").copy()
    _check_time(path, t)
    return Trial(
        t_s=t,
        cop_ml_mm=_col(header, data, "COPy[cm]") * 10.0,
        cop_ap_mm=_col(header, data, "COPx[cm]") * 10.0,
        load_n=_col(header, data, "Fz[N]").copy(),
        format="hbedb",
        meta={"columns": header, "trial": path.stem},
        path=path,
    )


def _read_pds(path: Path) -> Trial:
    header, data = _read_table(path, "pds", _PDS_COLUMNS)
    _check_magnitudes(path, header, data, _PDS_COLUMNS)
    t = _col(header, data, "Time").copy()
    _check_time(path, t)
    right_n = _col(header, data, "RGRF_Y").copy()
    left_n = _col(header, data, "LGRF_Y").copy()
    right_ml = _col(header, data, "RCOP_Z") * 1000.0
    left_ml = _col(header, data, "LCOP_Z") * 1000.0
    cop_ml, total = combine_feet(left_n, left_ml, right_n, right_ml)
    cop_ap, _ = combine_feet(
        left_n,
        _col(header, data, "LCOP_X") * 1000.0,
        right_n,
        _col(header, data, "RCOP_X") * 1000.0,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        share = left_n / np.where(total > 0, total, math.nan)
    return Trial(
        t_s=t,
        cop_ml_mm=cop_ml,
        cop_ap_mm=cop_ap,
        load_n=total,
        format="pds",
        meta={"columns": header, "trial": path.stem.removesuffix("grf")},
        path=path,
        left_share=share,
        left_n=left_n,
        right_n=right_n,
        left_cop_ml_mm=left_ml,
        right_cop_ml_mm=right_ml,
    )
