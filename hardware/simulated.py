"""The simulated board: a person on the board's load cells, read as HX711 counts.

Use it as any other source (``--board sim``, ``open_source("sim:corners-4")``)::

    sim = SimulatedBoard(load_board("two-plate-4"), "single-leg-left", seed=3, realtime=False)
    offsets, scales = sim.builtin_calibration()
    for frame in sim.frames(): ...

What is modelled, from the body down to the counts:

**Person** (:mod:`hardware.person_model`): an inverted pendulum per horizontal axis held by a
delayed, noisy PD controller, so the COP runs out past the COM to turn it back, quiet stance
sways a few mm at mostly < 1 Hz, and single-leg stance sways more and faster. The vertical
force is the body weight plus ``m·z''`` of the COM (squats, stepping) plus a small
fluctuation.

**Scenario** (also in :mod:`hardware.person_model`): a timeline built up front from the seed:
which feet touch the board, how much weight the board carries, where the person means to hold
their COM, squat depth. Events (``events``) give the ground truth. After the timeline the
person stays in its final state (quiet stance on both feet for every scenario but ``empty``)
for ever, unless ``duration_s`` ends the stream.

**Feet and cells**: each foot's load sits under its own plate. On two plates (both sides have
ML-spaced cells) the feet stand on the plate centres; on one plate (``corners-4``) at ±100 mm.
With both feet down, the whole-body COP ``p`` decides the split between the feet,
``w_right = (p - x_left) / (x_right - x_left)``, and anything the split cannot carry moves the
feet's own COPs, so the COP of all cell forces equals the modelled COP exactly. A lifted foot
carries nothing. Within a plate a foot's force goes to the cells by bilinear weights (two or
four cells on a rectangle: exact force and COP, never negative inside the cells), or by the
minimum-norm weights of a rigid plate on equal springs for any other layout.

**Cells and ADC**: counts = offset + force / scale + noise, rounded and clipped to the HX711's
24-bit signed range. Offsets are random 50 000-300 000 counts of either sign. The nominal
sensitivity is 20 000 counts/kg (±15 % per cell): a 50 kg, 1 mV/V half-bridge cell at ~4.3 V
excitation gives ~43 µV/kg, and at gain 128 one count is 2.33 nV (±19.5 mV over 2²⁴ counts),
so ~18 000 counts/kg. Noise is Gaussian, 20-40 counts RMS per cell (the datasheet's 90 nV RMS
at 80 SPS), i.e. 1-2 g. About one frame in 2000 has a spike: one cell's reading with one bit
from 17 to 22 flipped, as a sweep that lost clock sync returns (3-200 kg off).

**Time**: frames at the board's rate. Virtual time (``realtime=False``): ``t = k / fs`` from 0,
as fast as the consumer reads. Real time: ``t`` from the injected clock, paced by the injected
sleep to a fixed grid (no drift); if the consumer falls more than 0.5 s behind, the grid is
moved rather than bursting out the backlog. The person is simulated in blocks of 0.1 s with
numpy, which keeps the real-time simulator far below 5 % of one core.

**Calibration walkthrough**: ``place_mass`` puts a static known mass at a point (the person
steps off), ``clear_load`` empties the board, ``resume_person`` brings the person back; the
person's simulation goes on underneath, so the timeline keeps its clock.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from balance_trainer.config import Board
from balance_trainer.errors import UsageError
from balance_trainer.frames import Clock, RawFrame, Sleep, Source

from .hip_model import HipModel
from .person_model import G_M_S2, Person, PersonSway
from .scenarios import CHANNELS, Moves, Script, SimEvent, build_timeline
from .sim_geometry import Geometry
from .sway_calibration import EYES, SURFACES, condition_ratio, controls_for

SCENARIOS = (
    "quiet",
    "single-leg",
    "single-leg-left",
    "single-leg-right",
    "squats",
    "squats-left",
    "squats-right",
    "step-on-off",
    "weight-shift",
    "mctsib",
    "btracks",
    "empty",
    "interactive",
)
"""Scenario names the simulator knows."""
STANCES = ("both", "left", "right", "off")
"""Stances ``set_stance`` accepts in the interactive scenario."""

COUNTS_PER_KG = 20_000.0
"""Nominal cell sensitivity, counts per kg (see the module docstring)."""
SPIKE_RATE = 1.0 / 2000.0
"""Probability that a frame carries a spike on one cell."""
ADC_MIN, ADC_MAX = -(1 << 23), (1 << 23) - 1
BLOCK_S = 0.1
"""The person is simulated this many seconds at a time."""
WARM_UP_S = 15.0
"""Sway simulated before t = 0, so the first frames are already in steady sway."""
MAX_LAG_S = 0.5
"""In real time, a consumer this far behind the frame grid moves the grid instead."""
FOOT_OWN_SWAY_MM = 1.5
PELVIS_ML_DEG_PER_MM = 0.12
"""On one leg: pelvic tilt per mm of the COM off its reference, degrees (hip strategy)."""
PELVIS_ML_DEG_PER_MM_BOTH = 0.02
"""On both feet: the same, degrees per mm."""
PELVIS_AP_DEG_PER_MM = 0.03
"""Pelvic rotation per mm of AP COM sway, degrees."""
PELVIS_KEEP_BLOCKS = 6000
"""Blocks of pelvis ground truth kept (10 minutes at 0.1 s)."""

# --- the source -----------------------------------------------------------------------------


class SimulatedBoard(Source):
    """A simulated person on a board's load cells, as raw HX711 counts.

    Parameters
    ----------
    board : Board
        Geometry; frames carry one count per cell in the board's order.
    scenario : str
        One of :data:`SCENARIOS`.
    seed : int
        Seeds every random choice: the same seed gives the same frames.
    weak_hip : str or None
        ``"left"`` or ``"right"``: that hip's abductors are weak (:mod:`hardware.hip_model`).
        Standing on that leg the pelvis drops toward the lifted side (≈ 7°, growing with
        fatigue) and the COP under the foot drifts toward the lifted side (≈ 13-15 mm), with
        more ML sway; on the other leg the person is healthy.
    compensation : str
        ``"none"`` or ``"lean"``: on the weak leg the trunk leans over the stance leg; the
        pelvis still drops (≈ 3.5°) while the COP moves the other way (≈ 11 mm laterally).
    eyes, surface : str
        ``"open"``/``"closed"`` and ``"firm"``/``"foam"`` (a foam pad on the board): the
        person sways as HBEDB's people of that age do in that condition
        (:mod:`hardware.sway_calibration`).
    age_years : float, optional
        The person's age; overrides ``person.age_years``.
    realtime : bool
        Pace frames to the board's rate on ``clock`` (True) or yield them in virtual time.
    clock, sleep : callable
        Monotonic clock (s) and sleep (s), injected for tests.
    person : Person, optional
        Who stands on the board (default: 70 kg, 1.70 m).
    duration_s : float, optional
        Stop after this many seconds of frames; by default the stream never ends.
    counts_per_kg : float
        Nominal cell sensitivity; each cell differs by up to ±15 %.
    noise_counts : float, optional
        ADC noise RMS for every cell; by default 20-40 counts, drawn per cell.
    spike_rate : float
        Probability per frame of a one-cell spike.
    timeline : callable, optional
        ``timeline(moves, fs_hz) -> Script``: a scripted timeline written with the
        scenarios' moves, in place of the scenario's (a test's own sequence, e.g. a set of
        squats with the foot put down at a chosen moment).

    Attributes
    ----------
    events : list of SimEvent
        What happens when, in simulation seconds (frame ``t`` in virtual time; in real time
        add ``time_origin``). Built from the seed before the first frame; the interactive
        scenario appends as the person moves.
    script_duration_s : float
        Length of the scripted timeline, s (0 for ``quiet``, ``empty``, ``interactive``).
    time_origin : float or None
        ``t`` of the first frame.
    """

    kind = "sim"
    simulated = True

    def __init__(
        self,
        board: Board,
        scenario: str = "quiet",
        *,
        seed: int = 0,
        weak_hip: str | None = None,
        compensation: str = "none",
        eyes: str = "open",
        surface: str = "firm",
        age_years: float | None = None,
        realtime: bool = True,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        person: Person | None = None,
        duration_s: float | None = None,
        counts_per_kg: float = COUNTS_PER_KG,
        noise_counts: float | None = None,
        spike_rate: float = SPIKE_RATE,
        timeline: Callable[[Moves, float], Script] | None = None,
    ) -> None:
        super().__init__(board, realtime=realtime, clock=clock, sleep=sleep)
        if scenario not in SCENARIOS:
            raise UsageError(
                f"--scenario {scenario!r} is not a simulator scenario; use one of "
                f"{', '.join(SCENARIOS)}"
            )
        _check_positive("duration_s", duration_s, allow_none=True)
        _check_positive("counts_per_kg", counts_per_kg)
        _check_positive("noise_counts", noise_counts, allow_none=True, allow_zero=True)
        if not (isinstance(spike_rate, (int, float)) and 0.0 <= spike_rate <= 1.0):
            raise UsageError(f"simulator spike_rate is {spike_rate!r}; give a probability 0-1")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise UsageError(f"--seed {seed!r}: give a whole number ≥ 0")
        if weak_hip is False:
            weak_hip = None
        if eyes not in EYES:
            raise UsageError(f"--sim-eyes {eyes!r}: use open or closed")
        if surface not in SURFACES:
            raise UsageError(f"--sim-surface {surface!r}: use firm or foam")
        self.scenario = scenario
        self.seed = int(seed)
        self.person = person if person is not None else Person()
        if age_years is not None:
            self.person = replace(self.person, age_years=age_years)
        self.hip = HipModel(
            self.person.mass_kg,
            self.person.height_m,
            weak_side=weak_hip,  # type: ignore[arg-type]
            compensation=compensation,
        )
        self.weak_hip: str | None = self.hip.weak_side
        self.compensation = compensation
        self.eyes = eyes
        self.surface = surface
        self.fs = float(board.sample_rate_hz)
        self._limit = None if duration_s is None else int(round(duration_s * self.fs))
        self._block_n = max(1, int(round(BLOCK_S * self.fs)))
        seeds = np.random.SeedSequence(self.seed).spawn(4)
        rng_cells, rng_script, self._rng_person, self._rng_adc = (
            np.random.default_rng(s) for s in seeds
        )

        # Cells and ADC.
        n = board.n_cells
        sign = np.where(rng_cells.random(n) < 0.5, -1.0, 1.0)
        self._offset = np.round(sign * rng_cells.uniform(50_000, 300_000, n))
        per_kg = counts_per_kg * rng_cells.uniform(0.85, 1.15, n)
        self._scale = G_M_S2 / per_kg
        self._noise_sd = (
            rng_cells.uniform(20.0, 40.0, n)
            if noise_counts is None
            else np.full(n, float(noise_counts))
        )
        self._spike_rate = float(spike_rate)

        # Person and timeline.
        self._geo = Geometry(board)
        self._moves = Moves(
            self._geo,
            rng_script,
            self.hip,
            lambda e, f: condition_ratio(self.person.age_years, (eyes, surface), e, f),
        )
        script = (timeline or (lambda m, fs: build_timeline(scenario, m, fs)))(self._moves, self.fs)
        self._plan_arrays = script.build()
        self._script_n = script.n
        self.script_duration_s = script.n / self.fs
        self._tail = dict(script.state)
        self.events: list[SimEvent] = [
            SimEvent(k / self.fs, name, side) for k, name, side in script.events
        ]
        start = script.initial
        self._sway = PersonSway(
            self.person,
            self.fs,
            controls=controls_for(self.person.age_years, eyes, surface),
            x0_mm=start["ref_ml"],
            y0_mm=start["ref_ap"],
        )

        # Interactive control (used only by the interactive scenario).
        self._stance = "both"
        self._goal = "both"
        self._target = (start["ref_ml"], start["ref_ap"])
        self._idle = dict(start)
        self._ref_state = {"ml": (start["ref_ml"], 0.0), "ap": (start["ref_ap"], 0.0)}
        self._pending: dict[str, np.ndarray] | None = None
        self._pending_pos = 0
        self._pending_events: list[tuple[int, str, str | None]] = []

        # Stream state.
        self._lock = threading.Lock()  # the pelvis sensor may simulate ahead from its thread
        self._queue: deque[tuple[np.ndarray, np.ndarray, list[tuple[int, int, int]]]] = deque()
        self._pelvis_truth: deque[tuple[int, np.ndarray, np.ndarray]] = deque()
        self._last_pelvis = (np.zeros(0), np.zeros(0))
        self._k_gen = 0  # samples simulated so far (from t = 0)
        self._k = 0  # frames yielded
        self._row = 0
        self._blk_counts: list[tuple[int, ...]] = []
        self._blk_force = np.zeros((0, n))
        self._blk_noise = np.zeros((0, n))
        self._blk_spikes: list[tuple[int, int, int]] = []
        self._override: np.ndarray | None = None
        self._override_changed = False
        self._spikes = 0
        self._resyncs = 0
        self.time_origin: float | None = None
        self._warm_up(start)

    # -- public face ---------------------------------------------------------------------------
    @property
    def description(self) -> str:
        extra = ""
        if self.person.age_years != Person().age_years:
            extra += f", age {self.person.age_years:g}"
        if (self.eyes, self.surface) != ("open", "firm"):
            extra += f", eyes {self.eyes} on {self.surface}"
        if self.weak_hip:
            extra += f", weak {self.weak_hip} hip"
            if self.compensation != "none":
                extra += f" ({self.compensation})"
        return (
            f"simulated board {self.board.name} (scenario {self.scenario}, seed {self.seed}{extra})"
        )

    def builtin_calibration(self) -> tuple[list[float], list[float]]:
        """The true offsets (counts) and scales (N/count) of the simulated cells."""
        return [float(v) for v in self._offset], [float(v) for v in self._scale]

    def stats(self) -> dict[str, Any]:
        return {
            "frames": self._k,
            "spikes": self._spikes,
            "resyncs": self._resyncs,
            "scenario": self.scenario,
            "seed": self.seed,
        }

    def place_mass(self, mass_kg: float, x_mm: float, y_mm: float = 0.0) -> None:
        """Put a still, known mass at (x, y) mm on the board; the person steps off.

        Raises
        ------
        UsageError
            The mass is not a positive number or the point is off the cells.
        """
        if (
            isinstance(mass_kg, bool)
            or not isinstance(mass_kg, (int, float))
            or not math.isfinite(mass_kg)
            or mass_kg <= 0
        ):
            raise UsageError(f"simulated board: mass {mass_kg!r} kg; give a positive number")
        self._set_override(self._geo.static_load(mass_kg * G_M_S2, float(x_mm), float(y_mm)))

    def clear_load(self) -> None:
        """Empty the board: no person, no mass."""
        self._set_override(np.zeros(self.board.n_cells))

    def resume_person(self) -> None:
        """Take any mass off and let the simulated person back on."""
        self._set_override(None)

    def set_target(self, ml_mm: float, ap_mm: float = 0.0) -> None:
        """Interactive scenario: where the person should hold their COP, mm from the centre.

        Clamped to what the current stance allows; the body follows with pendulum dynamics.
        """
        self._need_interactive("set_target")
        self._target = (float(ml_mm), float(ap_mm))

    def set_stance(self, stance: str) -> None:
        """Interactive scenario: ``both``, ``left``/``right`` (stand on that foot) or ``off``.

        The person moves there the way the scenarios do (weight shift, lift-off, touchdown,
        stepping on or off) and then holds still at ease; the target resets to that stance's
        natural position.
        """
        self._need_interactive("set_stance")
        if stance not in STANCES:
            raise UsageError(f"stance {stance!r} is unknown; use one of {', '.join(STANCES)}")
        natural = self._moves.state(stance)
        self._target = (natural["ref_ml"], natural["ref_ap"])
        self._goal = stance

    @property
    def stance(self) -> str:
        """Interactive scenario: the stance the person is in or moving to."""
        return self._goal

    def squat(self) -> None:
        """Interactive scenario: one single-leg squat on the foot stood on.

        Does nothing unless the person stands settled on one foot (``left``/``right``).
        Added for the app's squat game and test (games/ steers the simulated person).
        """
        self._need_interactive("squat")
        if (
            self._stance not in ("left", "right")
            or self._goal != self._stance
            or self._pending is not None
        ):
            return
        state = dict(self._idle)
        state["ref_ml"] = self._ref_state["ml"][0]
        state["ref_ap"] = self._ref_state["ap"][0]
        sc = Script(self.fs, state)
        self._moves.squat(sc, self._stance)
        # The sampler thread reads _pending: give it a complete move in one assignment.
        self._pending_pos = 0
        self._pending_events = sc.events
        self._pending = sc.build()

    def frames(self) -> Iterator[RawFrame]:
        """Yield frames until closed or ``duration_s`` is reached."""
        period = 1.0 / self.fs
        anchor: float | None = None
        anchor_k = 0
        while not self.closed:
            if self._limit is not None and self._k >= self._limit:
                return
            if self._row >= len(self._blk_counts):
                self._next_block()
            elif self._override_changed:
                self._override_changed = False
                self._blk_counts[self._row :] = self._compose(self._row)
            counts = self._blk_counts[self._row]
            if self.realtime:
                now = self.clock()
                if anchor is None:
                    anchor, anchor_k = now, self._k
                due = anchor + (self._k - anchor_k) * period
                if now < due:
                    self.sleep(due - now)
                    now = self.clock()
                elif now - due > MAX_LAG_S:
                    anchor, anchor_k = now, self._k
                    self._resyncs += 1
                t = now
            else:
                t = self._k / self.fs
            if self.time_origin is None:
                self.time_origin = t
            self._row += 1
            self._k += 1
            yield RawFrame(t, counts)

    # -- internals -----------------------------------------------------------------------------
    def _need_interactive(self, what: str) -> None:
        if self.scenario != "interactive":
            raise UsageError(
                f"{what} needs the interactive scenario (this simulator runs {self.scenario!r});"
                " open it with --scenario interactive"
            )

    def _set_override(self, forces: np.ndarray | None) -> None:
        self._override = forces
        self._override_changed = True

    def _warm_up(self, start: dict[str, float]) -> None:
        n = int(round(WARM_UP_S * self.fs))
        plan = {c: np.full(n, start[c]) for c in CHANNELS}
        for axis in ("ml", "ap"):
            plan[f"ref_{axis}_v"] = np.zeros(n)
            plan[f"ref_{axis}_a"] = np.zeros(n)
        self._person_forces(plan)

    def _generate(self) -> None:
        """Simulate the next block of the person and the cells into the queue."""
        n = self._block_n
        plan = self._plan_block(self._k_gen, n)
        force = self._person_forces(plan)
        c = self.board.n_cells
        rng = self._rng_adc
        noise = rng.standard_normal((n, c)) * self._noise_sd
        hit = rng.random(n) < self._spike_rate
        cells = rng.integers(0, c, n)
        bits = rng.integers(17, 23, n)
        spikes = [(int(i), int(cells[i]), int(bits[i])) for i in np.flatnonzero(hit)]
        self._spikes += len(spikes)
        obl, rot = self._last_pelvis
        self._pelvis_truth.append((self._k_gen, obl, rot))
        while len(self._pelvis_truth) > PELVIS_KEEP_BLOCKS:
            self._pelvis_truth.popleft()
        self._k_gen += n
        self._queue.append((force, noise, spikes))

    def simulate_until(self, t_s: float) -> None:
        """Simulate ahead (if need be) until the person's state at ``t_s`` sim seconds is known.

        The pelvis sensor reads the same person; it may ask a little ahead of the frames.
        """
        k = int(math.ceil(t_s * self.fs)) + 1
        with self._lock:
            while self._k_gen < k:
                self._generate()

    def pelvis_truth(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The simulated pelvis (obliquity, rotation; degrees) at sim times ``t_s``, s.

        Obliquity is positive with the left side lower, rotation positive turned to the left
        (as :class:`~balance_trainer.frames.PelvisSample`). Linear between the 80 Hz samples;
        times before the kept history (the last ~10 minutes) give the oldest kept value.
        """
        t = np.asarray(t_s, dtype=float)
        if t.size:
            self.simulate_until(float(np.max(t)))
        with self._lock:
            first = self._pelvis_truth[0][0]
            last = self._k_gen - 1
            kf = np.clip(t * self.fs, first, last)
            j = np.minimum(np.floor(kf).astype(np.int64), last - 1 if last > first else last)
            frac = kf - j
            out = []
            for channel in (1, 2):
                at = [self._truth_at(jj, channel) for jj in (j, np.minimum(j + 1, last))]
                out.append(at[0] + frac * (at[1] - at[0]))
        return out[0], out[1]

    def _truth_at(self, k: np.ndarray, channel: int) -> np.ndarray:
        """Kept pelvis truth at sample indices ``k`` (within the kept blocks)."""
        first = self._pelvis_truth[0][0]
        rel = k - first
        blocks, offs = np.divmod(rel, self._block_n)
        keep = self._pelvis_truth
        return np.array(
            [
                (keep[int(b)][1] if channel == 1 else keep[int(b)][2])[int(o)]
                for b, o in zip(blocks.ravel(), offs.ravel(), strict=True)
            ]
        ).reshape(k.shape)

    def _next_block(self) -> None:
        with self._lock:
            if not self._queue:
                self._generate()
            self._blk_force, self._blk_noise, self._blk_spikes = self._queue.popleft()
        self._override_changed = False
        self._blk_counts = self._compose(0)
        self._row = 0

    def _compose(self, start: int) -> list[tuple[int, ...]]:
        """Counts for the current block's rows from ``start`` on."""
        forces = self._blk_force[start:] if self._override is None else self._override
        raw = self._offset + forces / self._scale + self._blk_noise[start:]
        counts = np.clip(np.rint(raw), ADC_MIN, ADC_MAX).astype(np.int64)
        for row, cell, bit in self._blk_spikes:
            if row >= start:
                counts[row - start, cell] ^= 1 << bit
        return list(map(tuple, counts.tolist()))

    def _person_forces(self, plan: dict[str, np.ndarray]) -> np.ndarray:
        """Simulate the person through ``plan``; cell forces, shape (n, n_cells), N."""
        geo = self._geo
        (x_l, x_r), (h_l, h_r) = geo.foot_x, geo.half_x
        cap_l, cap_r = plan["cap_l"], plan["cap_r"]
        only_l = (cap_l > 0) & (cap_r <= 0)
        only_r = (cap_r > 0) & (cap_l <= 0)
        lo_ml = np.where(only_r, x_r - h_r, x_l - h_l)
        hi_ml = np.where(only_l, x_l + h_l, x_r + h_r)
        y_lo = min(geo.foot_y[0] - geo.half_y[0], geo.foot_y[1] - geo.half_y[1])
        y_hi = max(geo.foot_y[0] + geo.half_y[0], geo.foot_y[1] + geo.half_y[1])
        n = cap_l.shape[0]
        sway = self._sway.step(
            self._rng_person,
            plan["single"],
            plan["wobble"],
            (plan["ref_ml"], plan["ref_ml_v"], plan["ref_ml_a"]),
            (plan["ref_ap"], plan["ref_ap_v"], plan["ref_ap_a"]),
            (lo_ml, hi_ml),
            (np.full(n, y_lo), np.full(n, y_hi)),
            plan["weak"],
            (plan["c_nml"], plan["c_rml"], plan["c_nap"], plan["c_rap"]),
        )
        cop_ml, cop_ap, vertical, foot = sway.cop_ml, sway.cop_ap, sway.vertical, sway.foot
        self._last_pelvis = self._pelvis_of(plan, sway)
        weight = self.person.weight_n * (1.0 + plan["z_acc"] / G_M_S2 + vertical)
        load = plan["board"] * weight
        # Share on the right foot: what the COP asks for, within what each foot may take.
        lo = np.maximum(1.0 - cap_l, plan["floor_r"])
        hi = np.minimum(cap_r, 1.0 - plan["floor_l"])
        w_r = np.minimum(np.maximum((cop_ml - x_l) / (x_r - x_l), lo), hi)
        w_l = 1.0 - w_r
        # Whatever the split cannot carry moves both feet's own COPs, which keeps the
        # whole-body COP exact; ``d`` moves them against each other and leaves it alone.
        e = cop_ml - (w_l * x_l + w_r * x_r)
        d = FOOT_OWN_SWAY_MM * self.person.sway * foot
        foot_l = np.clip(x_l + e + d * w_r, x_l - h_l, x_l + h_l)
        foot_r = np.clip(x_r + e - d * w_l, x_r - h_r, x_r + h_r)
        ap_l = np.clip(cop_ap, geo.foot_y[0] - geo.half_y[0], geo.foot_y[0] + geo.half_y[0])
        ap_r = np.clip(cop_ap, geo.foot_y[1] - geo.half_y[1], geo.foot_y[1] + geo.half_y[1])
        return geo.distribute(load * w_l, foot_l, ap_l, load * w_r, foot_r, ap_r)

    def _pelvis_of(self, plan: dict[str, np.ndarray], sway: Any) -> tuple[np.ndarray, np.ndarray]:
        """The pelvis from the same body: the held tilt plus the sway's own motion, degrees.

        On one leg the ML sway is partly a hip strategy about the stance hip (Winter 1995):
        the COM leaving its reference toward the left tilts the pelvis left side down
        (``PELVIS_ML_DEG_PER_MM``); on both feet the pelvis follows the body with little tilt.
        The transverse rotation follows the AP sway a little. Plus the pelvis's own small
        movements. These couplings are model settings, not fits (no data set here has them).
        """
        s = np.clip(plan["single"], 0.0, 1.0)
        k_ml = PELVIS_ML_DEG_PER_MM_BOTH + s * (PELVIS_ML_DEG_PER_MM - PELVIS_ML_DEG_PER_MM_BOTH)
        obl = (
            plan["obliq"]
            - k_ml * (sway.com_ml - plan["ref_ml"])
            + (0.15 + 0.35 * s) * sway.pelvis_obl
        )
        rot = PELVIS_AP_DEG_PER_MM * (sway.com_ap - plan["ref_ap"]) + (0.3 + 0.5 * s) * (
            sway.pelvis_rot
        )
        return obl, rot

    # -- plans -----------------------------------------------------------------------------------
    def _plan_block(self, k0: int, n: int) -> dict[str, np.ndarray]:
        if self.scenario == "interactive":
            return self._interactive_plan(n)
        arrays = self._plan_arrays
        end = self._script_n
        plan: dict[str, np.ndarray] = {}
        for name, arr in arrays.items():
            tail = 0.0 if name.endswith(("_v", "_a")) else self._tail[name]
            if k0 >= end:
                plan[name] = np.full(n, tail)
            elif k0 + n <= end:
                plan[name] = arr[k0 : k0 + n]
            else:
                plan[name] = np.concatenate([arr[k0:], np.full(k0 + n - end, tail)])
        return plan

    def _interactive_plan(self, n: int) -> dict[str, np.ndarray]:
        parts: list[dict[str, np.ndarray]] = []
        filled = 0
        while filled < n:
            if self._pending is None and self._goal != self._stance:
                self._start_transition()
            if self._pending is not None:
                pos = self._pending_pos
                total = self._pending["board"].shape[0]
                m = min(n - filled, total - pos)
                parts.append({k: v[pos : pos + m] for k, v in self._pending.items()})
                done = pos + m >= total
                for k, name, side in self._pending_events:
                    # an event at the very end of the move belongs to its last block
                    if pos <= k < pos + m or (done and k >= total):
                        t = (self._k_gen + filled + (k - pos)) / self.fs
                        self.events.append(SimEvent(t, name, side))
                self._pending_pos += m
                filled += m
                if done:
                    last = {c: float(self._pending[c][-1]) for c in CHANNELS}
                    self._idle = last
                    self._ref_state = {"ml": (last["ref_ml"], 0.0), "ap": (last["ref_ap"], 0.0)}
                    self._pending = None
                continue
            parts.append(self._idle_plan(n - filled))
            filled = n
        if len(parts) == 1:
            return parts[0]
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def _start_transition(self) -> None:
        state = dict(self._idle)
        state["ref_ml"] = self._ref_state["ml"][0]
        state["ref_ap"] = self._ref_state["ap"][0]
        sc = Script(self.fs, state)
        self._moves.transition(sc, self._stance, self._goal)
        self._stance = self._goal
        if sc.n == 0:
            return
        self._pending = sc.build()
        self._pending_pos = 0
        self._pending_events = sc.events

    def _idle_plan(self, n: int) -> dict[str, np.ndarray]:
        """Hold the stance; the reference follows the target, critically damped (τ 0.5 s)."""
        plan = {c: np.full(n, self._idle[c]) for c in CHANNELS}
        geo = self._geo
        ml, ap = self._target
        stance = self._stance
        if stance in ("left", "right"):
            i = 0 if stance == "left" else 1
            reach = 0.8 * geo.half_x[i]
            ml = min(max(ml, geo.foot_x[i] - reach), geo.foot_x[i] + reach)
        else:
            ml = min(max(ml, geo.foot_x[0] + 5.0), geo.foot_x[1] - 5.0)
        reach_ap = 0.8 * min(geo.half_y)
        ap = min(max(ap, geo.mid_y - reach_ap), geo.mid_y + reach_ap)
        tau = 0.5
        t = np.arange(1, n + 1) / self.fs
        decay = np.exp(-t / tau)
        for axis, goal in (("ml", ml), ("ap", ap)):
            r0, v0 = self._ref_state[axis]
            c1 = r0 - goal
            c2 = v0 + c1 / tau
            lin = c1 + c2 * t
            plan[f"ref_{axis}"] = goal + lin * decay
            plan[f"ref_{axis}_v"] = (c2 - lin / tau) * decay
            plan[f"ref_{axis}_a"] = (-2.0 * c2 / tau + lin / tau**2) * decay
            self._ref_state[axis] = (
                float(plan[f"ref_{axis}"][-1]),
                float(plan[f"ref_{axis}_v"][-1]),
            )
        return plan


def _check_positive(
    name: str, value: float | None, *, allow_none: bool = False, allow_zero: bool = False
) -> None:
    if value is None and allow_none:
        return
    ok = (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and (value >= 0 if allow_zero else value > 0)
    )
    if not ok:
        raise UsageError(f"simulator {name} is {value!r}; give a positive number")


# The simulated pelvis sensor reads this board's person; it lives in its own module.
from .sim_pelvis import SimulatedPelvis  # noqa: E402

__all__ = ["SCENARIOS", "STANCES", "SimEvent", "SimulatedBoard", "SimulatedPelvis"]
