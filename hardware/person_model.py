"""The simulated person: body size, postural control and the noise that drives sway.

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

with ``e = x - r``. The reference itself wanders slowly ("rambling", Zatsiorsky & Duarte 1999),
which puts most of the power of quiet stance below 1 Hz. Because the COP must lead the COM to
push it back, the COP sways more than the COM and leads it in time, as on a real force plate.

Single-leg stance uses a stiffer, noisier, faster setting on both axes (higher-frequency
corrections over a narrow base). The two settings blend smoothly through a stance weight
``s`` (0 both feet, 1 one foot), so a lift-off is not a step change in the physics.

The constants were tuned by simulation so that a 70 kg, 1.70 m adult gives, over a minute of
quiet stance, ML RMS ≈ 3 mm, AP RMS ≈ 5 mm, planar mean velocity ≈ 10-13 mm/s and a mean
frequency of ≈ 0.3 Hz (cf. the young adults of Santos & Duarte 2016, doi:10.7717/peerj.2648),
and on one leg ML RMS ≈ 6-8 mm with ML mean velocity ≈ 30-45 mm/s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.signal import lfilter

from balance_trainer.errors import UsageError

G_MM_S2 = 9806.65
"""Standard gravity, mm/s²."""
G_M_S2 = 9.80665
"""Standard gravity, m/s²."""


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

    def scaled(self, *, noise: float = 1.0, ramble: float = 1.0,
               active: float = 1.0) -> AxisControl:
        """A copy with noise, rambling and active gain multiplied."""
        return replace(self, noise_mm=self.noise_mm * noise, ramble_mm=self.ramble_mm * ramble,
                       active_gain=self.active_gain * active)


# Both feet: most stiffness is intrinsic (undelayed); ML is held tighter than AP because the
# wide stance turns hip load/unload into ML COP shifts (Winter 1995).
BOTH_ML = AxisControl(0.9, 0.45, 0.32, 0.08, 0.55, 0.2, 2.9, 2.5)
BOTH_AP = AxisControl(0.9, 0.40, 0.32, 0.08, 1.0, 0.2, 4.7, 2.5)
# One foot: stiffer, faster and noisier; corrections at ~0.5-1.5 Hz.
SINGLE_ML = AxisControl(1.0, 1.0, 0.30, 0.05, 2.4, 0.08, 1.5, 2.0)
SINGLE_AP = AxisControl(1.0, 0.9, 0.30, 0.05, 2.6, 0.08, 2.5, 2.0)
# Weak hip abductors: noisier, less active ML control on one leg (Trendelenburg).
WEAK_HIP = {"noise": 1.8, "ramble": 1.5, "active": 0.8}


class ColouredNoise:
    """Unit-variance low-pass Gaussian noise drawn in blocks with continuous state.

    ``order`` 1 is an Ornstein-Uhlenbeck (AR(1)) process with correlation time ``tau_s``;
    order 2 cascades two such stages, which gives a smooth (differentiable) signal.
    """

    def __init__(self, tau_s: float, fs_hz: float, order: int = 1) -> None:
        a = math.exp(-1.0 / (tau_s * fs_hz))
        self.order = order
        if order == 1:
            self._b = [math.sqrt(1.0 - a * a)]
            self._a = [1.0, -a]
        else:
            # variance of b / (1 - a z⁻¹)² driven by unit white noise is b²(1+a²)/(1-a²)³
            self._b = [math.sqrt((1.0 - a * a) ** 3 / (1.0 + a * a))]
            self._a = [1.0, -2.0 * a, a * a]
        self._zi: np.ndarray | None = None

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """The next ``n`` samples."""
        w = rng.standard_normal(n)
        if self._zi is None:
            self._zi = np.zeros(len(self._a) - 1)
        y, self._zi = lfilter(self._b, self._a, w, zi=self._zi)
        return y


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

    def run(self, ref: np.ndarray, ref_v: np.ndarray, ref_a: np.ndarray,
            k_pas: np.ndarray, k_act: np.ndarray, k_d: np.ndarray, alpha: np.ndarray,
            noise: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
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
        u_ff = (ref - ref_a / self.w2 + noise).tolist()
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
            out[i] = p
        self.x, self.v, self.p, self._i = x, v, p, i0 + n
        return np.array(out)


class PersonSway:
    """Both horizontal axes of a person, their noise sources and the vertical force noise.

    ``step`` takes the stance plan for a block and returns the whole-body COP (ML, AP) and
    the body's vertical force, drawing every random number from ``rng`` in a fixed order so
    the same seed always gives the same sway.
    """

    def __init__(self, person: Person, fs_hz: float, *, weak_hip: bool = False,
                 x0_mm: float = 0.0, y0_mm: float = 0.0) -> None:
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

    def step(self, rng: np.random.Generator, single: np.ndarray, wobble: np.ndarray,
             ref_ml: tuple[np.ndarray, np.ndarray, np.ndarray],
             ref_ap: tuple[np.ndarray, np.ndarray, np.ndarray],
             bounds_ml: tuple[np.ndarray, np.ndarray],
             bounds_ap: tuple[np.ndarray, np.ndarray]
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
            cops.append(axis.run(
                ref[0] + ramble, ref[1], ref[2],
                mix(both.passive_gain, one.passive_gain), mix(both.active_gain, one.active_gain),
                mix(both.damping_s, one.damping_s), alpha, noise, bounds[0], bounds[1],
            ))
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
