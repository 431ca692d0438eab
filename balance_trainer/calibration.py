"""Counts to newtons, per cell: tare (empty board) and span (known masses).

Each cell's force is ``F_i = scale_i * (counts_i - offset_i)`` in newtons. Estimator style::

    cal = Calibration(cell_names).fit(empty_counts, [(loaded_counts, 20.0), ...])
    cal.offset_   # counts, shape (n_cells,)
    cal.scale_    # N per count, shape (n_cells,)

Span: each placement of a known mass m_j gives one equation ``Σ_i scale_i · Δc_ji = m_j · g``
(the cells together carry the whole weight). With at least as many placements as cells, spread
so that each cell carries a different share (the walkthrough puts the mass over each cell in
turn), least squares gives every cell its own scale. With fewer placements one common scale is
fitted, which is right only when the cells are matched.
"""

from __future__ import annotations

import errno
import json
import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .config import check_nesting, ensure_private_dir
from .constants import STANDARD_GRAVITY
from .durable import write_durably
from .errors import CalibrationError, DiskFullError, EnvironmentFault

FORMAT = "balance-trainer-calibration/1"
MAX_SCALE_N_PER_COUNT = 1.0
"""No source counts in units coarser than 1 N (HX711 ~1e-4, Wii board 0.098, replay 0.001)."""
MAX_OFFSET_COUNTS = 2.0**31
"""Offsets beyond a 32-bit count are not from any chip we read."""
MIN_SPAN_SNR = 20.0
"""A span's total count change must exceed this many tare noise standard deviations."""


class Calibration:
    """Per-cell offsets (counts) and scales (N/count)."""

    def __init__(
        self,
        cell_names: Sequence[str],
        offset: Sequence[float] | None = None,
        scale: Sequence[float] | None = None,
        *,
        key: str = "",
    ) -> None:
        self.cell_names = list(cell_names)
        self.key = key
        n = len(self.cell_names)
        self.offset_ = np.zeros(n) if offset is None else np.asarray(offset, dtype=float)
        self.scale_ = np.full(n, np.nan) if scale is None else np.asarray(scale, dtype=float)
        self.tare_noise_: np.ndarray | None = None
        if self.offset_.shape != (n,) or self.scale_.shape != (n,):
            raise CalibrationError(
                f"calibration for {n} cells got {self.offset_.size} offsets and "
                f"{self.scale_.size} scales; give one of each per cell"
            )

    # -- fitting -----------------------------------------------------------------------------
    def fit_tare(self, empty_counts: np.ndarray) -> Calibration:
        """Learn offsets from counts recorded on the empty board, shape (n_frames, n_cells)."""
        c = self._check_block(empty_counts, "tare")
        self.offset_ = np.median(c, axis=0)
        # Median absolute deviation, scaled to a standard deviation: one HX711 spike in a long
        # tare must not raise the noise floor above a real span's count change.
        self.tare_noise_ = 1.4826 * np.median(np.abs(c - self.offset_), axis=0)
        return self

    def fit_span(self, spans: Sequence[tuple[np.ndarray, float]]) -> Calibration:
        """Learn scales from ``(counts (n_frames, n_cells), mass_kg)`` placements."""
        if not spans:
            raise CalibrationError("span: no placements given; put a known mass on the board")
        n = len(self.cell_names)
        rows, rhs = [], []
        noise = self.tare_noise_ if self.tare_noise_ is not None else np.zeros(n)
        noise_total = float(np.sqrt(np.sum(noise**2)))
        for j, (counts, mass_kg) in enumerate(spans):
            if not (isinstance(mass_kg, (int, float)) and math.isfinite(mass_kg) and mass_kg > 0):
                raise CalibrationError(
                    f"span step {j + 1}: mass {mass_kg!r} kg; give the known mass in kg (> 0)"
                )
            c = self._check_block(counts, f"span step {j + 1}")
            delta = np.median(c, axis=0) - self.offset_
            total = float(delta.sum())
            floor = max(MIN_SPAN_SNR * noise_total, 50.0 * n)
            if abs(total) < floor:
                raise CalibrationError(
                    f"span step {j + 1}: no load seen on the board (count change {total:.0f}, "
                    f"noise floor {floor:.0f}); place the {mass_kg:g} kg mass and try again"
                )
            rows.append(delta)
            rhs.append(mass_kg * STANDARD_GRAVITY)
        a = np.array(rows)
        b = np.array(rhs)
        if a.shape[0] >= n and np.linalg.matrix_rank(a) == n:
            scale, *_ = np.linalg.lstsq(a, b, rcond=None)
        else:
            scale = np.full(n, float(np.sum(b) / np.sum(a.sum(axis=1))))
        for name, s in zip(self.cell_names, scale, strict=True):
            if not (math.isfinite(s) and s > 0):
                raise CalibrationError(
                    f"cell '{name}': scale came out {s:.3g} N/count (must be finite and "
                    "positive); check its wiring (swap the signal wires if the count falls "
                    "under load) and redo the span with the mass over each cell in turn"
                )
        self.scale_ = np.asarray(scale, dtype=float)
        return self

    def fit(
        self, empty_counts: np.ndarray, spans: Sequence[tuple[np.ndarray, float]]
    ) -> Calibration:
        """Tare then span; returns self."""
        return self.fit_tare(empty_counts).fit_span(spans)

    def _check_block(self, counts: np.ndarray, what: str) -> np.ndarray:
        c = np.asarray(counts, dtype=float)
        if c.ndim == 1:
            c = c[None, :]
        if c.ndim != 2 or c.shape[1] != len(self.cell_names) or c.shape[0] == 0:
            raise CalibrationError(
                f"{what}: expected counts of shape (frames, {len(self.cell_names)}), "
                f"got {np.shape(counts)}"
            )
        if not np.all(np.isfinite(c)):
            raise CalibrationError(f"{what}: counts contain NaN or infinity")
        return c

    # -- use ---------------------------------------------------------------------------------
    @property
    def is_fitted(self) -> bool:
        return bool(np.all(np.isfinite(self.scale_)) and np.all(self.scale_ > 0))

    def forces(self, counts: np.ndarray) -> np.ndarray:
        """Newtons per cell; ``counts`` shape (n_cells,) or (n_frames, n_cells)."""
        forces: np.ndarray = (np.asarray(counts, dtype=float) - self.offset_) * self.scale_
        return forces

    # -- files -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "key": self.key,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "cells": [
                {"name": n, "offset_counts": float(o), "scale_n_per_count": float(s)}
                for n, o, s in zip(self.cell_names, self.offset_, self.scale_, strict=True)
            ],
        }

    def save(self, path: str | os.PathLike[str], *, opener: Any = os.open) -> Path:
        """Write JSON atomically and durably; the file is 0600 in a 0700 folder.

        Temp file, fsync, rename, fsync of the folder: a power cut keeps the old calibration or
        the new one, never half of one. A full disk (or any write error) leaves the old file
        as it was and no ``.tmp`` behind. ``opener`` stands in for :func:`os.open` in tests
        (to fake ENOSPC at the OS boundary).

        Raises
        ------
        DiskFullError, EnvironmentFault
            The file could not be written; the message names it.
        """
        path = Path(path)
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"
        try:
            ensure_private_dir(path.parent)
            write_durably(path, text, opener=opener)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DiskFullError(
                    f"{path}: the disk is full, so the calibration was not saved (the old one, "
                    "if any, is kept); free some space and calibrate again"
                ) from exc
            raise EnvironmentFault(
                f"{path}: cannot save the calibration ({exc.strerror or exc}); check that the "
                "data directory is writable, or choose another with --data-dir"
            ) from exc
        return path

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], cell_names: Sequence[str] | None = None
    ) -> Calibration:
        """Read a calibration file; check it matches ``cell_names`` when given."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
            check_nesting(text, str(path), CalibrationError)
            data = json.loads(text, parse_constant=_refuse_constant)
        except OSError as exc:
            raise CalibrationError(f"{path}: cannot read calibration ({exc})") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CalibrationError(
                f"{path}: not valid JSON ({exc}); run balance-trainer calibrate again"
            ) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise CalibrationError(f"{path}: 'format' must be {FORMAT!r}; is this a calibration?")
        cells = data.get("cells")
        if not isinstance(cells, list) or not cells:
            raise CalibrationError(f"{path}: 'cells' must be a non-empty list")
        names, offs, scales = [], [], []
        for i, c in enumerate(cells):
            if not isinstance(c, dict):
                raise CalibrationError(f"{path}: cells[{i}] must be an object")
            for k in ("name", "offset_counts", "scale_n_per_count"):
                if k not in c:
                    raise CalibrationError(f"{path}: cells[{i}] has no '{k}'")
            o, s = c["offset_counts"], c["scale_n_per_count"]
            if not isinstance(c["name"], str):
                raise CalibrationError(
                    f"{path}: cells[{i}] name is {c['name']!r}; must be the cell's name in quotes"
                )
            for k, v in (("offset_counts", o), ("scale_n_per_count", s)):
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                    raise CalibrationError(f"{path}: cells[{i}] {k} is {v!r}; must be a number")
            if not 0 < s <= MAX_SCALE_N_PER_COUNT:
                raise CalibrationError(
                    f"{path}: cells[{i}] '{c['name']}' scale {s!r} N/count must be positive and "
                    f"at most {MAX_SCALE_N_PER_COUNT:g}; run balance-trainer calibrate again"
                )
            if abs(o) > MAX_OFFSET_COUNTS:
                raise CalibrationError(
                    f"{path}: cells[{i}] '{c['name']}' offset {o!r} counts is beyond any chip's "
                    "range; run balance-trainer calibrate again"
                )
            names.append(c["name"])
            offs.append(float(o))
            scales.append(float(s))
        if cell_names is not None and list(cell_names) != names:
            raise CalibrationError(
                f"{path}: made for cells {names}, but the board has {list(cell_names)}; "
                "run balance-trainer calibrate for this board"
            )
        return cls(names, offs, scales, key=str(data.get("key", "")))


def _refuse_constant(name: str) -> Any:
    # json.loads takes NaN and Infinity, which are not JSON; a calibration never holds them.
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


def calibration_path(data_dir: Path, key: str) -> Path:
    """Where the calibration for ``key`` (a source's calibration key) is kept."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)
    return data_dir / "calibration" / f"{safe}.json"
