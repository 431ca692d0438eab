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

What the person does (the plan this body follows) is :mod:`hardware.scenarios`.

Single-leg stance uses a stiffer, noisier, faster setting on both axes (higher-frequency
corrections over a narrow base). The two settings blend smoothly through a stance weight
``s`` (0 both feet, 1 one foot), so a lift-off is not a step change in the physics.

The constants below are the eyes-open settings of the control loop; how much noise and
rambling drive it, by age and condition, is fitted to published data in
:mod:`hardware.sway_calibration` (HBEDB quiet stance per age group, eyes open/closed, firm/foam;
one-leg stance against Oliveira et al. 2018). With a weak hip (:mod:`hardware.hip_model`) the
ML control on that leg is noisier and less active (``WEAK_HIP``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
from scipy.signal import lfilter

from balance_trainer.constants import STANDARD_GRAVITY
from balance_trainer.errors import UsageError

G_M_S2 = STANDARD_GRAVITY
"""Standard gravity, m/s² (the core's constant, named here for the models beside it)."""
G_MM_S2 = STANDARD_GRAVITY * 1000.0
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
    age_years : float
        Age, years (5-110): below 55 the person sways like HBEDB's young adults, from 65 like
        its older adults (see :mod:`hardware.sway_calibration`).
    """

    mass_kg: float = 70.0
    height_m: float = 1.70
    sway: float = 1.0
    delay_s: float = 0.12
    age_years: float = 30.0

    def __post_init__(self) -> None:
        checks = (
            ("mass_kg", self.mass_kg, 20.0, 250.0),
            ("height_m", self.height_m, 0.8, 2.3),
            ("sway", self.sway, 0.1, 10.0),
            ("delay_s", self.delay_s, 0.05, 0.25),
            ("age_years", self.age_years, 5.0, 110.0),
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
# Weak hip abductors: noisier, less active ML control on that leg (Trendelenburg).
WEAK_HIP = {"noise": 1.3, "ramble": 1.2, "active": 0.85}


@dataclass(frozen=True)
class Controls:
    """The four axis settings of one person in one condition (see ``sway_calibration``)."""

    both_ml: AxisControl = BOTH_ML
    both_ap: AxisControl = BOTH_AP
    single_ml: AxisControl = SINGLE_ML
    single_ap: AxisControl = SINGLE_AP


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
    ) -> tuple[np.ndarray, np.ndarray]:
        """Advance ``len(ref)`` steps; the COP and the COM, mm, shape (n,) each.

        ``ref``, ``ref_v``, ``ref_a`` are the reference position (mm), velocity (mm/s) and
        acceleration (mm/s²); the gains are per sample (they blend between stances);
        ``alpha`` = dt / T_m; ``lo``/``hi`` bound the COP to the base of support, mm.
        """
        # A plain scalar loop: the controller's delay makes each step depend on the last, and
        # at 80 Hz this costs a few microseconds per sample; everything else is vectorised.
        n = len(ref)
        out = [0.0] * n
        com = [0.0] * n
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
            com[i] = x
        self.x, self.v, self.p, self._i = x, v, p, i0 + n
        return np.array(out), np.array(com)


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
        controls: Controls | None = None,
        x0_mm: float = 0.0,
        y0_mm: float = 0.0,
    ) -> None:
        self.person = person
        self.fs = fs_hz
        c = controls if controls is not None else Controls()
        self.ml = (c.both_ml, c.single_ml)
        self.ap = (c.both_ap, c.single_ap)
        # Standing on a weak hip's leg: noisier, less active ML control (blended per sample).
        self.weak_ml = c.single_ml.scaled(**WEAK_HIP)
        self.axis_ml = SwayAxis(person, fs_hz, x0_mm)
        self.axis_ap = SwayAxis(person, fs_hz, y0_mm)
        self._noise = [
            (ColouredNoise(ctl.noise_tau_s, fs_hz), ColouredNoise(ctl.ramble_tau_s, fs_hz, 2))
            for ctl in (*self.ml, *self.ap)
        ]
        self._vertical = ColouredNoise(0.1, fs_hz)
        self._foot = ColouredNoise(0.5, fs_hz)
        # Order 2 (smooth): a body segment has an angular velocity, so its angle must be
        # differentiable; first-order noise gave the pelvis a white rate of 3-5 deg/s that a
        # gyroscope would read as a person moving (issue 16's zeroing refused standing still).
        self._pelvis = (ColouredNoise(0.3, fs_hz, 2), ColouredNoise(0.5, fs_hz, 2))

    def step(
        self,
        rng: np.random.Generator,
        single: np.ndarray,
        wobble: np.ndarray,
        ref_ml: tuple[np.ndarray, np.ndarray, np.ndarray],
        ref_ap: tuple[np.ndarray, np.ndarray, np.ndarray],
        bounds_ml: tuple[np.ndarray, np.ndarray],
        bounds_ap: tuple[np.ndarray, np.ndarray],
        weak: np.ndarray | None = None,
        condition: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> Sway:
        """One block of sway.

        Parameters
        ----------
        single : ndarray, shape (n,)
            Stance weight, 0 (both feet) to 1 (one foot).
        wobble : ndarray, shape (n,)
            Extra multiplier on ML motor noise (≥ 1 during single-leg squats).
        weak : ndarray, shape (n,), optional
            1 while standing on the leg of a weak hip (its ML control), else 0.
        condition : tuple of 4 ndarray, shape (n,), optional
            Multipliers on the ML noise, ML rambling, AP noise and AP rambling, per sample
            (eyes closing, a foam pad put down during a session; 1 = as constructed).
        ref_ml, ref_ap : tuple of ndarray
            Reference position (mm), velocity (mm/s), acceleration (mm/s²).
        bounds_ml, bounds_ap : tuple of ndarray
            Lowest and highest COP the base of support allows, mm.

        Returns
        -------
        Sway
            COP and COM per axis (mm), the vertical force fluctuation, each foot's own slow
            sway and the pelvis's own unit noise.
        """
        n = single.shape[0]
        draws = [(fast.draw(rng, n), slow.draw(rng, n)) for fast, slow in self._noise]
        vertical = self._vertical.draw(rng, n)
        foot = self._foot.draw(rng, n)
        pelvis = tuple(c.draw(rng, n) for c in self._pelvis)
        s = np.clip(single, 0.0, 1.0)
        w = np.zeros(n) if weak is None else np.clip(weak, 0.0, 1.0)
        sway = self.person.sway
        cops, coms = [], []
        one_ = np.ones(n)
        c_nml, c_rml, c_nap, c_rap = condition if condition is not None else (one_,) * 4
        for axis, controls, (fb, sb), (fs_, ss), ref, bounds, extra, wk, kn, kr in (
            (self.axis_ml, self.ml, draws[0], draws[1], ref_ml, bounds_ml, wobble, w, c_nml, c_rml),
            (
                self.axis_ap,
                self.ap,
                draws[2],
                draws[3],
                ref_ap,
                bounds_ap,
                1.0,
                0.0 * w,
                c_nap,
                c_rap,
            ),
        ):
            both, healthy = controls

            def one(
                name: str,
                wk: np.ndarray = wk,
                h: AxisControl = healthy,
                weak_c: AxisControl = self.weak_ml,
            ) -> np.ndarray:
                a: float = getattr(h, name)
                b: float = getattr(weak_c, name)
                return np.asarray(a + wk * (b - a), dtype=float)

            noise = kn * sway * extra * ((1 - s) * both.noise_mm * fb + s * one("noise_mm") * fs_)
            ramble = kr * sway * ((1 - s) * both.ramble_mm * sb + s * one("ramble_mm") * ss)

            def mix(a: float, b: float | np.ndarray, s: np.ndarray = s) -> np.ndarray:
                return a + s * (b - a)

            alpha = (1.0 / self.fs) / mix(both.activation_s, healthy.activation_s)
            cop, com = axis.run(
                ref[0] + ramble,
                ref[1],
                ref[2],
                mix(both.passive_gain, healthy.passive_gain),
                mix(both.active_gain, one("active_gain")),
                mix(both.damping_s, healthy.damping_s),
                alpha,
                noise,
                bounds[0],
                bounds[1],
            )
            cops.append(cop)
            coms.append(com)
        vertical_frac = vertical * (0.003 + 0.005 * s) * sway
        return Sway(cops[0], cops[1], coms[0], coms[1], vertical_frac, foot, *pelvis)


class Sway(NamedTuple):
    """One block of :meth:`PersonSway.step`: per-sample arrays."""

    cop_ml: np.ndarray
    """Whole-body COP, ML, mm."""
    cop_ap: np.ndarray
    """Whole-body COP, AP, mm."""
    com_ml: np.ndarray
    """Centre of mass, ML, mm."""
    com_ap: np.ndarray
    """Centre of mass, AP, mm."""
    vertical: np.ndarray
    """Fluctuation of the vertical force, fraction of body weight."""
    foot: np.ndarray
    """Unit-variance slow noise for each foot's own COP (the caller scales it)."""
    pelvis_obl: np.ndarray
    """Unit-variance noise of the pelvis's own small frontal-plane movements."""
    pelvis_rot: np.ndarray
    """Unit-variance noise of the pelvis's own small transverse-plane movements."""


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
