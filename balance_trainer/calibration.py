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

import json
import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .constants import STANDARD_GRAVITY
from .errors import CalibrationError

FORMAT = "balance-trainer-calibration/1"
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

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write JSON atomically (temp file, fsync, rename) so a power cut keeps the old one."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return path

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], cell_names: Sequence[str] | None = None
    ) -> Calibration:
        """Read a calibration file; check it matches ``cell_names`` when given."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
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
            for k, v in (("offset_counts", o), ("scale_n_per_count", s)):
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                    raise CalibrationError(f"{path}: cells[{i}] {k} is {v!r}; must be a number")
            if s <= 0:
                raise CalibrationError(
                    f"{path}: cells[{i}] '{c['name']}' scale {s!r} must be positive; recalibrate"
                )
            names.append(str(c["name"]))
            offs.append(float(o))
            scales.append(float(s))
        if cell_names is not None and list(cell_names) != names:
            raise CalibrationError(
                f"{path}: made for cells {names}, but the board has {list(cell_names)}; "
                "run balance-trainer calibrate for this board"
            )
        return cls(names, offs, scales, key=str(data.get("key", "")))


def calibration_path(data_dir: Path, key: str) -> Path:
    """Where the calibration for ``key`` (a source's calibration key) is kept."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)
    return data_dir / "calibration" / f"{safe}.json"
