"""The one spike guard every source's counts pass before they become newtons.

A load cell's force cannot jump: a foot loading a cell is a ramp of tens of milliseconds, a
landing from a hop a few tens. A corrupted ADC word is one reading far from its neighbours:
an HX711 whose conversion landed while its word was being shifted out (builders report words
such as 2^k - 1, bogde/HX711 issues #28 and #83), a simulated bit flip, a Wii board report
garbled on the radio. The guard tells the two apart causally, one reading at a time:

* a reading within the **slew limit** of the last accepted one passes
  (``step_n + slew_n_per_s * dt`` newtons, converted to counts by the cell's scale);
* a reading beyond it is **held**: the cell keeps its last accepted value for that frame, and
  the reading becomes a candidate;
* the **next** reading decides: if it stays near the candidate, or carries the move further in
  the same direction, the step was real and that reading passes (one frame late); if it falls
  back, the candidate was a spike and is dropped;
* once a step is confirmed, further readings moving the same way pass at once while the move
  lasts (a person stepping on is a ramp, not a staircase of held frames).

Everything depends only on the readings before it, so a recording replayed in virtual time,
in blocks of any size, gives exactly what the live run gave.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

STEP_N = 15.0
"""Change (N per cell) always allowed between two readings: noise and vibration of a standing
person stay far below it; a single corrupted high bit does not."""
SLEW_N_PER_S = 1000.0
"""Further change allowed per second between readings (N/s per cell). At 80 SPS the limit is
27.5 N per reading (about 2.8 kg); at 10 SPS (RATE low) 115 N."""
TREND_FACTOR = 2.0
"""During a confirmed move, a reading may move on by up to this many times the previous move
(plus the step) and still pass at once."""

FloatArray = NDArray[np.float64]


class SpikeGuard:
    """Streaming spike rejection for counts, shape ``(frames, cells)``.

    Parameters
    ----------
    scale_n_per_count : sequence of float, shape (cells,)
        Each cell's calibration scale (N/count), to express the limits in counts. A cell with
        a scale that is not finite and positive is not guarded (nothing to judge it by).
    step_n : float
        Change always allowed between two readings (N).
    slew_n_per_s : float
        Extra change allowed per second since the last accepted reading (N/s).

    Attributes
    ----------
    held_ : ndarray of int, shape (cells,)
        Readings held back for confirmation.
    spikes_ : ndarray of int, shape (cells,)
        Held readings that the next one did not confirm: rejected as spikes.
    confirmed_ : ndarray of int, shape (cells,)
        Held readings confirmed as real steps.
    """

    def __init__(
        self,
        scale_n_per_count: Sequence[float] | FloatArray,
        *,
        step_n: float = STEP_N,
        slew_n_per_s: float = SLEW_N_PER_S,
    ) -> None:
        scale = np.abs(np.asarray(scale_n_per_count, dtype=float))
        self.scale_n_per_count = scale.copy()
        usable = np.isfinite(scale) & (scale > 0)
        safe = np.where(usable, scale, 1.0)
        self.n_cells = int(scale.size)
        self.step_counts = np.where(usable, step_n / safe, np.inf)
        self.slew_counts_per_s = np.where(usable, slew_n_per_s / safe, 0.0)
        n = self.n_cells
        self._acc = np.full(n, np.nan)
        self._acc_t = np.full(n, np.nan)
        self._cand = np.full(n, np.nan)
        self._trend = np.zeros(n)  # +1 / -1 while a confirmed move lasts, else 0
        self._trend_move = np.zeros(n)
        self.held_ = np.zeros(n, dtype=np.int64)
        self.spikes_ = np.zeros(n, dtype=np.int64)
        self.confirmed_ = np.zeros(n, dtype=np.int64)

    def reset(self) -> None:
        """Forget the history (a new stream); the counters are kept."""
        for a in (self._acc, self._acc_t, self._cand):
            a.fill(np.nan)
        self._trend.fill(0.0)
        self._trend_move.fill(0.0)

    def _limit(self, i: int, t: float) -> float:
        dt = t - self._acc_t[i]
        if not dt > 0:
            dt = 0.0
        return float(self.step_counts[i] + self.slew_counts_per_s[i] * dt)

    def filter(self, t: FloatArray, counts: FloatArray) -> FloatArray:
        """The counts with every held or rejected reading replaced by its cell's last
        accepted value.

        Parameters
        ----------
        t : ndarray, shape (frames,), s
        counts : ndarray, shape (frames, cells)

        Returns
        -------
        ndarray, shape (frames, cells), float
            A new array; ``counts`` is not changed.
        """
        c = np.array(counts, dtype=float)
        if c.ndim != 2 or c.shape[1] != self.n_cells:
            raise ValueError(f"spike guard for {self.n_cells} cells got counts {c.shape}")
        if c.shape[0] == 0:
            return c
        tt = np.asarray(t, dtype=float)
        if self._quiet(tt, c):
            self._acc = c[-1].copy()
            self._acc_t.fill(tt[-1])
            self._trend.fill(0.0)
            return c
        for k in range(c.shape[0]):
            tk = float(tt[k])
            row = c[k]
            for i in range(self.n_cells):
                row[i] = self._one(i, tk, float(row[i]))
        return c

    def _quiet(self, t: FloatArray, c: FloatArray) -> bool:
        """True when every reading is within the limit of the one before: the common case,
        checked for the whole block at once."""
        if np.isnan(self._acc).any() or not np.isnan(self._cand).all():
            return False
        prev = np.vstack([self._acc[None, :], c[:-1]])
        prev_t = np.concatenate([[float(np.nanmax(self._acc_t))], t[:-1]])
        if not np.allclose(self._acc_t, prev_t[0]):
            return False
        dt = np.maximum(t - prev_t, 0.0)[:, None]
        limit = self.step_counts[None, :] + self.slew_counts_per_s[None, :] * dt
        return bool(np.all(np.abs(c - prev) <= limit))

    def _accept(self, i: int, t: float, v: float) -> float:
        self._acc[i] = v
        self._acc_t[i] = t
        self._cand[i] = np.nan
        return v

    def _one(self, i: int, t: float, v: float) -> float:
        acc = self._acc[i]
        if np.isnan(acc):
            return self._accept(i, t, v)
        cand = self._cand[i]
        limit = self._limit(i, t)
        if not np.isnan(cand):
            move = cand - acc
            onward = v - cand
            near = abs(onward) <= limit
            further = onward * move > 0 and abs(onward) <= TREND_FACTOR * abs(move) + limit
            if near or further:
                self.confirmed_[i] += 1
                self._trend[i] = 1.0 if (v - acc) > 0 else -1.0
                self._trend_move[i] = abs(v - cand) if further else abs(move)
                return self._accept(i, t, v)
            self.spikes_[i] += 1
            self._cand[i] = np.nan
        jump = v - acc
        if abs(jump) <= limit:
            self._trend[i] = 0.0
            return self._accept(i, t, v)
        trend = self._trend[i]
        if trend and jump * trend > 0 and abs(jump) <= TREND_FACTOR * self._trend_move[i] + limit:
            self._trend_move[i] = abs(jump)
            return self._accept(i, t, v)
        self._trend[i] = 0.0
        self._cand[i] = v
        self.held_[i] += 1
        return float(acc)

    def stats(self) -> dict[str, list[int]]:
        """``held``, ``spikes`` and ``confirmed`` per cell."""
        return {
            "held": [int(v) for v in self.held_],
            "spikes": [int(v) for v in self.spikes_],
            "confirmed": [int(v) for v in self.confirmed_],
        }
