"""The simulated person: body size, postural control, the noise that drives sway, and what the
person does in each scenario (the plan the simulated board follows).

Each horizontal axis (medio-lateral, antero-posterior) is an inverted pendulum: the centre of
mass (COM) at height ``h`` above the ankles topples away from the centre of pressure (COP)::

    x'' = ω² (x - p),   ω² = g / h                       (x COM, p COP, mm)

The person moves the COP to hold the COM near a reference ``r`` (where they mean to stand)::

    u = r - r''/ω²                      feed-forward: the COP that carries the COM along r
        + k_pas · e(t)                  intrinsic ankle stiffness, no delay (Loram & Lakie 2002)
        + k_act · e(t - τ)              active feedback after the sensorimotor delay τ
        + k_d · e'(t - τ)               delayed velocity feedback
        + n(t)                          motor noise (coloured)
    p' = (u - p) / T_m                  muscle activation lag, so the COP moves smoothly

with ``e = x - r``. The feed-forward part is led by ``T_m`` so the lagged COP lands on it, and a
COM that reaches the edge of the feet is caught there (a person would step or swing an arm).
The reference itself wanders slowly ("rambling", Zatsiorsky & Duarte 1999), which puts most of
the power of quiet stance below 1 Hz. ``p - x = -x''/ω²``: the COP runs out past the COM to
turn it back, so the COP sways more than the COM and carries the faster corrections (its
excursion ahead of the COM is what pushes the COM), as on a real force plate (Winter 1998).
In time the two are nearly in phase at sway frequencies.

What the person does is a *plan*: per-sample channels (:data:`CHANNELS`) saying which feet are
down, how much weight the board carries and where the person means to hold the COM. A
:class:`Script` strings :class:`Moves` together (weight shift, lift-off, touchdown, squat,
stepping on and off) into a scenario's timeline, with the ground-truth :class:`SimEvent` list.

Single-leg stance uses a stiffer, noisier, faster setting on both axes (higher-frequency
corrections over a narrow base). The two settings blend smoothly through a stance weight
``s`` (0 both feet, 1 one foot), so a lift-off is not a step change in the physics.

The constants were tuned by simulation so that a 70 kg, 1.70 m adult gives, over a minute of
quiet stance, ML RMS ≈ 3 mm (2.5-4), AP RMS ≈ 5.4 mm (4-7.5), planar mean velocity ≈ 13 mm/s,
a mean frequency of ≈ 0.25 Hz and ~97 % of the power below 1 Hz (cf. the young adults of
Santos & Duarte 2016, doi:10.7717/peerj.2648: ML RMS 1.7-2.7 mm, AP RMS 2.3-5.5 mm, planar
velocity 6-9 mm/s, mean frequency 0.25-0.4 Hz); and on one leg ML RMS ≈ 7 mm with ML mean
velocity ≈ 39 mm/s and a mean frequency of ≈ 0.8 Hz (≈ 10 mm and 60 mm/s with a weak hip,
before its drift toward the lifted side).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import NamedTuple, Protocol

import numpy as np
from scipy.signal import lfilter

from balance_trainer.constants import STANDARD_GRAVITY as G_M_S2
from balance_trainer.errors import UsageError

G_MM_S2 = 9806.65
"""Standard gravity, mm/s²."""
CATCH_MM = 5.0
"""A COM that reaches this close to the edge of the feet is caught there (see SwayAxis)."""


@dataclass(frozen=True)
class Person:
    """The person standing on the simulated board.

    Attributes
    ----------
    mass_kg : float
        Body mass, kg (20-250).
    height_m : float
        Standing height, m (0.8-2.3); sets the pendulum length.
    sway : float
        Multiplier on the sway-driving noise: 1 is a healthy adult, 1.5-2 an older or
        less steady person, < 1 a very steady one.
    delay_s : float
        Sensorimotor feedback delay, s (0.05-0.25).
    """

    mass_kg: float = 70.0
    height_m: float = 1.70
    sway: float = 1.0
    delay_s: float = 0.12

    def __post_init__(self) -> None:
        checks = (
            ("mass_kg", self.mass_kg, 20.0, 250.0),
            ("height_m", self.height_m, 0.8, 2.3),
            ("sway", self.sway, 0.1, 10.0),
            ("delay_s", self.delay_s, 0.05, 0.25),
        )
        for name, value, lo, hi in checks:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not ok or not math.isfinite(value) or not lo <= value <= hi:
                raise UsageError(
                    f"simulated person: {name} is {value!r}; give a number from {lo:g} to {hi:g}"
                )

    @property
    def weight_n(self) -> float:
        """Body weight, N."""
        return self.mass_kg * G_M_S2

    @property
    def com_height_mm(self) -> float:
        """Height of the centre of mass above the ankle joints, mm (≈ 0.52 of stature)."""
        return 520.0 * self.height_m


@dataclass(frozen=True)
class AxisControl:
    """Postural control of one axis in one stance (see the module docstring).

    Gains are dimensionless (COP shift per mm of COM error, relative to gravity's toppling
    stiffness, which is 1); ``damping_s`` in s; noise amplitudes are standard deviations, mm.
    """

    passive_gain: float
    active_gain: float
    damping_s: float
    activation_s: float
    noise_mm: float
    noise_tau_s: float
    ramble_mm: float
    ramble_tau_s: float

    def scaled(
        self, *, noise: float = 1.0, ramble: float = 1.0, active: float = 1.0
    ) -> AxisControl:
        """A copy with noise, rambling and active gain multiplied."""
        return replace(
            self,
            noise_mm=self.noise_mm * noise,
            ramble_mm=self.ramble_mm * ramble,
            active_gain=self.active_gain * active,
        )


# Both feet: most stiffness is intrinsic (undelayed); ML is held tighter than AP because the
# wide stance turns hip load/unload into ML COP shifts (Winter 1995).
BOTH_ML = AxisControl(0.9, 0.45, 0.32, 0.08, 0.65, 0.2, 2.7, 2.5)
BOTH_AP = AxisControl(0.9, 0.40, 0.32, 0.08, 1.15, 0.2, 4.4, 2.5)
# One foot: stiffer, faster and noisier; corrections at ~0.5-1.5 Hz.
SINGLE_ML = AxisControl(1.0, 0.8, 0.30, 0.05, 2.9, 0.08, 1.5, 2.0)
SINGLE_AP = AxisControl(1.0, 0.8, 0.30, 0.05, 3.0, 0.08, 2.5, 2.0)
# Weak hip abductors: noisier, less active ML control on one leg (Trendelenburg).
WEAK_HIP = {"noise": 1.6, "ramble": 1.5, "active": 0.8}


class ColouredNoise:
    """Unit-variance low-pass Gaussian noise drawn in blocks with continuous state.

    ``order`` 1 is an Ornstein-Uhlenbeck (AR(1)) process with correlation time ``tau_s``;
    order 2 cascades two such stages, which gives a smooth (differentiable) signal. Samples
    are filtered ``chunk`` at a time and handed out in whatever block sizes are asked for,
    because a filter call costs far more than the samples it makes.
    """

    def __init__(self, tau_s: float, fs_hz: float, order: int = 1, chunk: int = 256) -> None:
        a = math.exp(-1.0 / (tau_s * fs_hz))
        if order == 1:
            self._b = [math.sqrt(1.0 - a * a)]
            self._a = [1.0, -a]
        else:
            # variance of b / (1 - a z⁻¹)² driven by unit white noise is b²(1+a²)/(1-a²)³
            self._b = [math.sqrt((1.0 - a * a) ** 3 / (1.0 + a * a))]
            self._a = [1.0, -2.0 * a, a * a]
        self._zi = np.zeros(len(self._a) - 1)
        self._chunk = chunk
        self._buf = np.zeros(0)
        self._pos = 0

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """The next ``n`` samples."""
        if self._pos + n > self._buf.shape[0]:
            w = rng.standard_normal(max(self._chunk, n))
            fresh, self._zi = lfilter(self._b, self._a, w, zi=self._zi)
            self._buf = np.concatenate([self._buf[self._pos :], fresh])
            self._pos = 0
        out = self._buf[self._pos : self._pos + n]
        self._pos += n
        return out


class SwayAxis:
    """One axis of the inverted pendulum with its delayed controller, stepped at ``fs_hz``.

    Parameters
    ----------
    person : Person
    fs_hz : float
        Integration (and frame) rate, Hz.
    x0_mm : float
        Starting COM (and COP) position, mm.
    """

    def __init__(self, person: Person, fs_hz: float, x0_mm: float) -> None:
        self.dt = 1.0 / fs_hz
        self.w2 = G_MM_S2 / person.com_height_mm
        self.delay_n = max(1, round(person.delay_s * fs_hz))
        self.x = float(x0_mm)
        self.v = 0.0
        self.p = float(x0_mm)
        self._hist_e = [0.0] * self.delay_n
        self._hist_ev = [0.0] * self.delay_n
        self._i = 0
        self._ff_prev: float | None = None

    def run(
        self,
        ref: np.ndarray,
        ref_v: np.ndarray,
        ref_a: np.ndarray,
        k_pas: np.ndarray,
        k_act: np.ndarray,
        k_d: np.ndarray,
        alpha: np.ndarray,
        noise: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
    ) -> np.ndarray:
        """Advance ``len(ref)`` steps and return the COP, mm, shape (n,).

        ``ref``, ``ref_v``, ``ref_a`` are the reference position (mm), velocity (mm/s) and
        acceleration (mm/s²); the gains are per sample (they blend between stances);
        ``alpha`` = dt / T_m; ``lo``/``hi`` bound the COP to the base of support, mm.
        """
        # A plain scalar loop: the controller's delay makes each step depend on the last, and
        # at 80 Hz this costs a few microseconds per sample; everything else is vectorised.
        n = len(ref)
        out = [0.0] * n
        r, rv = ref.tolist(), ref_v.tolist()
        # Feed-forward COP, led by the activation lag so the lagged COP lands on it.
        ff = ref - ref_a / self.w2
        prev = np.concatenate(([self._ff_prev if self._ff_prev is not None else ff[0]], ff[:-1]))
        self._ff_prev = float(ff[-1])
        u_ff = (ff + (1.0 / alpha - 1.0) * (ff - prev) + noise).tolist()
        kp, ka, kd, al = k_pas.tolist(), k_act.tolist(), k_d.tolist(), alpha.tolist()
        lo_l, hi_l = lo.tolist(), hi.tolist()
        he, hv, d = self._hist_e, self._hist_ev, self.delay_n
        x, v, p, i0 = self.x, self.v, self.p, self._i
        w2, dt = self.w2, self.dt
        for i in range(n):
            j = (i0 + i) % d
            ed = he[j]
            evd = hv[j]
            e = x - r[i]
            he[j] = e
            hv[j] = v - rv[i]
            u = u_ff[i] + kp[i] * e + ka[i] * ed + kd[i] * evd
            p += (u - p) * al[i]
            if p < lo_l[i]:
                p = lo_l[i]
            elif p > hi_l[i]:
                p = hi_l[i]
            v += w2 * (x - p) * dt
            x += v * dt
            # A COM past the edge of the feet cannot be brought back by the COP alone; a
            # person would catch themselves (hip, arms, a step), so it stops at the edge.
            if x < lo_l[i] + CATCH_MM:
                x = lo_l[i] + CATCH_MM
                v = max(v, 0.0)
            elif x > hi_l[i] - CATCH_MM:
                x = hi_l[i] - CATCH_MM
                v = min(v, 0.0)
            out[i] = p
        self.x, self.v, self.p, self._i = x, v, p, i0 + n
        return np.array(out)


class PersonSway:
    """Both horizontal axes of a person, their noise sources and the vertical force noise.

    ``step`` takes the stance plan for a block and returns the whole-body COP (ML, AP) and
    the body's vertical force, drawing every random number from ``rng`` in a fixed order so
    the same seed always gives the same sway.
    """

    def __init__(
        self,
        person: Person,
        fs_hz: float,
        *,
        weak_hip: bool = False,
        x0_mm: float = 0.0,
        y0_mm: float = 0.0,
    ) -> None:
        self.person = person
        self.fs = fs_hz
        single_ml = SINGLE_ML.scaled(**WEAK_HIP) if weak_hip else SINGLE_ML
        self.ml = (BOTH_ML, single_ml)
        self.ap = (BOTH_AP, SINGLE_AP)
        self.axis_ml = SwayAxis(person, fs_hz, x0_mm)
        self.axis_ap = SwayAxis(person, fs_hz, y0_mm)
        self._noise = [
            (ColouredNoise(c.noise_tau_s, fs_hz), ColouredNoise(c.ramble_tau_s, fs_hz, 2))
            for c in (*self.ml, *self.ap)
        ]
        self._vertical = ColouredNoise(0.1, fs_hz)
        self._foot = ColouredNoise(0.5, fs_hz)

    def step(
        self,
        rng: np.random.Generator,
        single: np.ndarray,
        wobble: np.ndarray,
        ref_ml: tuple[np.ndarray, np.ndarray, np.ndarray],
        ref_ap: tuple[np.ndarray, np.ndarray, np.ndarray],
        bounds_ml: tuple[np.ndarray, np.ndarray],
        bounds_ap: tuple[np.ndarray, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """One block of sway.

        Parameters
        ----------
        single : ndarray, shape (n,)
            Stance weight, 0 (both feet) to 1 (one foot).
        wobble : ndarray, shape (n,)
            Extra multiplier on ML motor noise (≥ 1 during single-leg squats).
        ref_ml, ref_ap : tuple of ndarray
            Reference position (mm), velocity (mm/s), acceleration (mm/s²).
        bounds_ml, bounds_ap : tuple of ndarray
            Lowest and highest COP the base of support allows, mm.

        Returns
        -------
        cop_ml, cop_ap : ndarray, mm
        vertical_noise : ndarray
            Fluctuation of the vertical force as a fraction of body weight.
        foot_sway : ndarray
            Unit-variance slow noise for each foot's own COP (the caller scales it), mm.
        """
        n = single.shape[0]
        draws = [(fast.draw(rng, n), slow.draw(rng, n)) for fast, slow in self._noise]
        vertical = self._vertical.draw(rng, n)
        foot = self._foot.draw(rng, n)
        s = np.clip(single, 0.0, 1.0)
        sway = self.person.sway
        cops = []
        for axis, controls, (fb, sb), (fs_, ss), ref, bounds, extra in (
            (self.axis_ml, self.ml, draws[0], draws[1], ref_ml, bounds_ml, wobble),
            (self.axis_ap, self.ap, draws[2], draws[3], ref_ap, bounds_ap, 1.0),
        ):
            both, one = controls
            noise = sway * extra * ((1 - s) * both.noise_mm * fb + s * one.noise_mm * fs_)
            ramble = sway * ((1 - s) * both.ramble_mm * sb + s * one.ramble_mm * ss)

            def mix(a: float, b: float, s: np.ndarray = s) -> np.ndarray:
                return a + s * (b - a)

            alpha = (1.0 / self.fs) / mix(both.activation_s, one.activation_s)
            cops.append(
                axis.run(
                    ref[0] + ramble,
                    ref[1],
                    ref[2],
                    mix(both.passive_gain, one.passive_gain),
                    mix(both.active_gain, one.active_gain),
                    mix(both.damping_s, one.damping_s),
                    alpha,
                    noise,
                    bounds[0],
                    bounds[1],
                )
            )
        vertical_frac = vertical * (0.003 + 0.005 * s) * sway
        return cops[0], cops[1], vertical_frac, foot


def min_jerk(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimum-jerk profile over ``n`` samples ending at 1 (Flash & Hogan 1985).

    Returns position (0..1), and its first and second derivatives with respect to the
    normalised time τ ∈ (0, 1] (divide by T and T² for physical units).
    """
    tau = np.arange(1, n + 1) / n
    pos = tau**3 * (10 - 15 * tau + 6 * tau**2)
    vel = 30 * tau**2 * (1 - tau) ** 2
    acc = 60 * tau - 180 * tau**2 + 120 * tau**3
    return pos, vel, acc


# --- what the person does: plans, moves and scenario timelines ------------------------------


class FeetLayout(Protocol):
    """Where the feet stand on the board (the simulator's geometry provides this)."""

    foot_x: tuple[float, float]
    """Left and right foot centres, ML, mm."""
    mid_x: float
    mid_y: float

    def foot(self, side: str) -> float:
        """ML centre of the ``side`` foot, mm."""
        ...


CHANNELS = (
    "board",
    "cap_l",
    "cap_r",
    "floor_l",
    "floor_r",
    "single",
    "ref_ml",
    "ref_ap",
    "wobble",
    "z_acc",
)
"""Plan channels, one value per sample:

board      fraction of body weight the board carries (the rest is on the floor)
cap_l/_r   how much of the body weight each foot may take (1 down, 0 lifted)
floor_l/_r least share of the body weight each foot takes (a landing foot)
single     0 both-feet control, 1 single-leg control
ref_ml/_ap where the person means to hold the COM, mm
wobble     extra ML motor noise (squats)
z_acc      vertical COM acceleration, m/s²
"""


class SimEvent(NamedTuple):
    """Ground truth: at ``t_s`` (simulation seconds) ``name`` happened to foot ``side``.

    Names: ``step_on`` (first foot touches the empty board), ``step_off`` (last foot leaves),
    ``lift_off`` / ``touchdown`` (``side`` is the foot that leaves / lands: the lifted
    foot), ``squat_start`` / ``squat_bottom`` / ``squat_end`` (``side`` is the stance foot),
    ``shift_start`` / ``shift_end`` (weight shift toward ``side`` begins / is back in the
    middle).
    """

    t_s: float
    name: str
    side: str | None


def other_side(side: str) -> str:
    return "right" if side == "left" else "left"


def cap_channel(side: str) -> str:
    return f"cap_{side[0]}"


def floor_channel(side: str) -> str:
    return f"floor_{side[0]}"


class Script:
    """Builds plan channels segment by segment, and the events between segments."""

    def __init__(self, fs: float, state: dict[str, float]) -> None:
        self.fs = fs
        self.initial = dict(state)
        self.state = dict(state)
        self._parts: dict[str, list[np.ndarray]] = {c: [] for c in CHANNELS}
        self.n = 0
        self.events: list[tuple[int, str, str | None]] = []

    def samples(self, seconds: float) -> int:
        return max(1, int(round(seconds * self.fs)))

    def event(self, name: str, side: str | None) -> None:
        self.events.append((self.n, name, side))

    def set(self, **values: float) -> None:
        """Change channels from the next sample on, without a ramp."""
        self.state.update(values)

    def hold(self, seconds: float) -> None:
        self.shape(self.samples(seconds))

    def move(self, seconds: float, **goals: float | tuple[float, float]) -> None:
        """Minimum-jerk ramps of the named channels; ``(value, seconds)`` for a shorter ramp."""
        n = self.samples(seconds)
        arrays = {}
        for name, goal in goals.items():
            value, dur = goal if isinstance(goal, tuple) else (goal, seconds)
            m = min(n, self.samples(dur))
            arr = np.full(n, float(value))
            arr[:m] = self.state[name] + (value - self.state[name]) * min_jerk(m)[0]
            arrays[name] = arr
        self.shape(n, **arrays)

    def shape(self, n: int, **arrays: np.ndarray) -> None:
        """``n`` samples: the named channels follow the given arrays, the rest hold."""
        for name in CHANNELS:
            arr = arrays.get(name)
            if arr is None:
                arr = np.full(n, self.state[name])
            else:
                self.state[name] = float(arr[-1])
            self._parts[name].append(np.asarray(arr, dtype=float))
        self.n += n

    def build(self) -> dict[str, np.ndarray]:
        """Channel arrays, plus the reference velocities and accelerations."""
        out = {c: (np.concatenate(p) if p else np.zeros(0)) for c, p in self._parts.items()}
        dt = 1.0 / self.fs
        for axis in ("ml", "ap"):
            r = out[f"ref_{axis}"]
            if r.size >= 2:
                v = np.gradient(r, dt)
                a = np.gradient(v, dt)
            else:
                v = a = np.zeros_like(r)
            out[f"ref_{axis}_v"] = v
            out[f"ref_{axis}_a"] = a
        return out


class Moves:
    """The movements scenarios are made of, written into a :class:`Script`."""

    def __init__(self, geo: FeetLayout, rng: np.random.Generator, weak_hip: bool) -> None:
        self.geo = geo
        self.rng = rng
        self.weak_hip = weak_hip
        # Where this person stands when at ease: a little off the middle, as people do.
        self.bias_ml = float(rng.uniform(-6.0, 6.0))
        self.bias_ap = float(rng.uniform(-10.0, 10.0))

    def natural_ml(self, stance: str) -> float:
        """Reference COM ML position (mm) at ease in ``stance``."""
        if stance in ("left", "right"):
            return self.geo.foot(stance)
        return self.geo.mid_x + self.bias_ml

    def state(self, stance: str) -> dict[str, float]:
        """Plan channel values for being settled in ``stance``."""
        on = stance != "off"
        return {
            "board": 1.0 if on else 0.0,
            "cap_l": 1.0 if stance in ("both", "left") else 0.0,
            "cap_r": 1.0 if stance in ("both", "right") else 0.0,
            "floor_l": 0.0,
            "floor_r": 0.0,
            "single": 1.0 if stance in ("left", "right") else 0.0,
            "ref_ml": self.natural_ml(stance),
            "ref_ap": self.geo.mid_y + self.bias_ap,
            "wobble": 1.0,
            "z_acc": 0.0,
        }

    def lift_off(self, sc: Script, stance: str) -> None:
        """From both feet to standing on ``stance``: shift over it, unload, lift the other."""
        lifted = other_side(stance)
        xs, xl = self.geo.foot(stance), self.geo.foot(lifted)
        # Weight shift first (the anticipatory adjustment), leaving ~18 % on the foot about to
        # lift; that last share goes to the stance foot in a quick unloading as the foot
        # leaves (its COP takes it, medially), and the COM settles over the foot during the
        # hold (``hold_single``). People unload that last share of the weight in a tenth of a
        # second or so, which is why a 10 % threshold finds lift-off to within ~0.1 s.
        sc.move(
            float(self.rng.uniform(1.1, 1.5)),
            ref_ml=xs + 0.18 * (xl - xs),
            **{floor_channel(lifted): 0.04},
        )
        sc.set(**{cap_channel(lifted): 0.3})
        sc.move(0.15, **{cap_channel(lifted): 0.0, floor_channel(lifted): 0.0, "single": 1.0})
        sc.event("lift_off", lifted)

    def hold_single(self, sc: Script, stance: str, seconds: float) -> None:
        """Stand on ``stance``; with a weak hip the pelvis sags toward the lifted side."""
        n = sc.samples(seconds)
        xs = self.geo.foot(stance)
        toward = math.copysign(1.0, self.geo.foot(other_side(stance)) - xs)
        t = np.arange(1, n + 1) / sc.fs
        # Settle over the foot (from wherever the lift-off left the COM) within ~1.5 s.
        settle = np.ones(n)
        m = min(n, sc.samples(1.5))
        settle[:m] = min_jerk(m)[0]
        ref = xs + (sc.state["ref_ml"] - xs) * (1.0 - settle)
        if self.weak_hip:
            drift = float(self.rng.uniform(10.0, 15.0))
            ref = ref + toward * drift * (1.0 - np.exp(-t / (seconds / 3.0)))
        sc.shape(n, ref_ml=ref)

    def touch_down(self, sc: Script, stance: str) -> None:
        """The lifted foot lands and the weight moves back to the middle."""
        lifted = other_side(stance)
        sc.event("touchdown", lifted)
        # A landing foot takes a good share of the weight at once (~15 % within 0.1 s).
        sc.move(
            1.6,
            **{
                cap_channel(lifted): (1.0, 0.08),
                floor_channel(lifted): (0.15, 0.1),
                "single": (0.0, 0.4),
                "ref_ml": self.natural_ml("both"),
            },
        )
        sc.move(0.5, **{floor_channel(lifted): 0.0})

    def squat(self, sc: Script, stance: str) -> None:
        """One single-leg squat on ``stance``: down and up with minimum jerk."""
        period = float(self.rng.uniform(2.0, 3.0))
        depth_m = float(self.rng.uniform(0.15, 0.25))
        n = sc.samples(period)
        half = n // 2
        toward = math.copysign(1.0, self.geo.foot(other_side(stance)) - self.geo.foot(stance))
        # The knee drifts in and the pelvis drops toward the free side at depth; more so
        # with weak hip abductors.
        shift_mm = 10.0 if self.weak_hip else 3.0
        wobble = 1.2 if self.weak_hip else 0.6
        base = sc.state["ref_ml"]
        sc.event("squat_start", stance)
        for m, down in ((half, True), (n - half, False)):
            pos, _, acc = min_jerk(m)
            frac = pos if down else 1.0 - pos
            t_half = m / sc.fs
            z_acc = (-1.0 if down else 1.0) * depth_m * acc / t_half**2
            sc.shape(
                m, ref_ml=base + toward * shift_mm * frac, wobble=1.0 + wobble * frac, z_acc=z_acc
            )
            if down:
                sc.event("squat_bottom", stance)
        sc.event("squat_end", stance)

    def step_on(self, sc: Script, lead: str) -> None:
        """From off the board: ``lead`` foot on, step up onto it, the other foot lands."""
        trail = other_side(lead)
        sc.move(1.0, ref_ml=self.geo.foot(lead))
        sc.event("step_on", lead)
        sc.set(**{cap_channel(lead): 1.0})
        m = sc.samples(0.7)
        pos, _, acc = min_jerk(m)
        # Stepping up ~4 cm: the COM is pushed up, then slowed.
        sc.shape(
            m,
            board=sc.state["board"] + (1.0 - sc.state["board"]) * pos,
            z_acc=0.04 * acc / (m / sc.fs) ** 2,
        )
        sc.move(
            1.6,
            **{
                cap_channel(trail): (1.0, 0.1),
                floor_channel(trail): (0.06, 0.12),
                "ref_ml": self.natural_ml("both"),
            },
        )
        sc.move(0.5, **{floor_channel(trail): 0.0})

    def step_off(self, sc: Script, last: str) -> None:
        """From both feet: the other foot steps off, then ``last`` steps down."""
        first = other_side(last)
        xl, xf = self.geo.foot(last), self.geo.foot(first)
        sc.move(1.3, ref_ml=xl + 0.10 * (xf - xl), **{floor_channel(first): 0.04})
        sc.set(**{cap_channel(first): 0.25})
        sc.move(0.3, **{cap_channel(first): 0.0, floor_channel(first): 0.0})
        sc.move(0.8, ref_ml=xl)
        m = sc.samples(0.6)
        pos, _, acc = min_jerk(m)
        sc.shape(m, board=sc.state["board"] * (1.0 - pos), z_acc=-0.04 * acc / (m / sc.fs) ** 2)
        sc.event("step_off", last)
        sc.set(**{cap_channel(last): 0.0})
        sc.move(1.0, ref_ml=self.natural_ml("both"))

    def transition(self, sc: Script, start: str, goal: str) -> None:
        """Whatever moves take a person settled in ``start`` to ``goal``."""
        if start == goal:
            return
        if start in ("left", "right"):
            self.touch_down(sc, start)
            start = "both"
            if goal == "both":
                return
            sc.hold(1.0)
        if start == "off":
            lead = goal if goal in ("left", "right") else str(self.rng.choice(["left", "right"]))
            self.step_on(sc, lead)
            start = "both"
            if goal == "both":
                return
            sc.hold(1.0)
        if goal == "off":
            self.step_off(sc, str(self.rng.choice(["left", "right"])))
        else:
            self.lift_off(sc, goal)


def build_timeline(scenario: str, moves: Moves, fs: float) -> Script:
    """The scripted part of ``scenario`` at ``fs`` Hz; random choices come from ``moves.rng``.

    After the script the person stays in its final state (quiet stance on both feet, or off
    the board for ``empty``); ``quiet`` and ``interactive`` have no script at all.
    """
    rng = moves.rng
    geo = moves.geo
    start = "off" if scenario in ("empty", "step-on-off") else "both"
    sc = Script(fs, moves.state(start))
    if scenario.startswith("single-leg-") or scenario.startswith("squats-"):
        stance = scenario.rsplit("-", 1)[1]
        sc.hold(float(rng.uniform(3.0, 5.0)))
        moves.lift_off(sc, stance)
        if scenario.startswith("single-leg-"):
            moves.hold_single(sc, stance, float(rng.uniform(15.0, 30.0)))
        else:
            moves.hold_single(sc, stance, 2.0)
            for _ in range(5):
                moves.squat(sc, stance)
                sc.hold(float(rng.uniform(0.6, 1.2)))
            sc.hold(1.0)
        moves.touch_down(sc, stance)
        sc.hold(3.0)
    elif scenario == "step-on-off":
        sc.hold(2.5)
        for _ in range(3):
            moves.step_on(sc, str(rng.choice(["left", "right"])))
            sc.hold(float(rng.uniform(8.0, 12.0)))
            moves.step_off(sc, str(rng.choice(["left", "right"])))
            sc.hold(float(rng.uniform(3.0, 4.0)))
        moves.step_on(sc, str(rng.choice(["left", "right"])))
        sc.hold(3.0)
    elif scenario == "weight-shift":
        sc.hold(3.0)
        half = (geo.foot_x[1] - geo.foot_x[0]) / 2
        side = str(rng.choice(["left", "right"]))
        for _ in range(4):
            amp = float(rng.uniform(0.5, 0.7)) * half
            sc.event("shift_start", side)
            sc.move(2.0, ref_ml=moves.natural_ml("both") + (-amp if side == "left" else amp))
            sc.hold(float(rng.uniform(2.0, 4.0)))
            sc.move(2.0, ref_ml=moves.natural_ml("both"))
            sc.event("shift_end", side)
            sc.hold(float(rng.uniform(1.5, 3.0)))
            side = other_side(side)
    return sc
