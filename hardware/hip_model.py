"""The simulated person's pelvis in the frontal plane: a moment balance about the stance hip.

Standing on one leg, the hip abductors of the stance side hold the pelvis level against the
weight of everything above and beside that hip (Inman 1947; Neumann 2010, doi:10.2519/
jospt.2010.3337). In the frontal plane, about the stance hip joint centre::

    M_need(ψ) = g [ m_t (a + h_t sin ψ) + m_l · 2a ]           (N m)
    M_abd + k_p θ = M_need(ψ),      M_abd = min(M_need, M_cap)

``m_t`` is the head-arms-trunk mass, ``m_l`` the lifted leg's (Winter 2009's segment
fractions 0.678 and 0.161 of body mass), ``a`` half the distance between the hip joint
centres, ``h_t`` the height of the trunk's centre of mass above the hips, ``ψ`` the trunk's
tilt from vertical (positive toward the lifted side) and ``θ`` the pelvic drop toward the
lifted side. Whatever the abductors cannot give (``M_cap`` below ``M_need``) is taken by
passive tissue (iliotibial band, capsule, stretched adductors) with stiffness ``k_p`` once
the pelvis has dropped by ``θ``:

* **Uncompensated (Trendelenburg)**: the trunk rights itself only in part, ``ψ = (1 - r) θ``,
  so the drop carries the trunk, and with it the body's centre of mass, toward the lifted
  side: ``θ = (M_need(0) - M_cap) / (k_p - g m_t h_t (1 - r))`` (small angles) and the centre
  of mass moves ``m_t h_t sin ψ / m`` toward the lifted side. A scale sees that: the load
  under the stance foot drifts toward the lifted side.
* **Compensated (trunk lean, "Duchenne")**: the person leans the trunk over the stance leg by
  ``φ`` (``ψ = -φ``). That lowers ``M_need`` by ``g m_t h_t sin φ``; what is still missing drops
  the pelvis, ``θ = max(0, M_need(-φ) - M_cap) / k_p``, and the centre of mass moves
  ``m_t h_t sin φ / m`` toward the stance side. The pelvis drops while the load under the
  foot stays steady (it even moves the other way): a scale alone cannot see this one.

Healthy abductors have capacity to spare (``M_cap > M_need``): the pelvis stays level apart
from the sway. A weak side's capacity also fades over a long hold (fatigue), so its drop grows.

The numbers (``HipModel``) are set so that a 70 kg, 1.70 m person needs ≈ 58 N m (0.83 N m/kg)
on one leg, and a weak side (55 % of that) drops ≈ 7° uncompensated and ≈ 3.5° with a 3°
lean. Clinically a contralateral drop of more than about 2° on one leg is taken as a positive
sign; healthy adults hold within about ±2°. These are model settings in the range clinicians
describe, not fits to data; measure them with the pelvis sensor (issue 16) to fit them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from balance_trainer.constants import STANDARD_GRAVITY as G_M_S2
from balance_trainer.errors import UsageError

SIDES = ("left", "right")
COMPENSATIONS = ("none", "lean")


@dataclass(frozen=True)
class HipModel:
    """One person's hips: geometry, abductor capacity per side and the compensation used.

    Attributes
    ----------
    mass_kg, height_m : float
        Body mass (kg) and stature (m).
    weak_side : str or None
        ``"left"`` or ``"right"``: that side's abductors are weak; None: both healthy.
    compensation : str
        ``"none"`` (the pelvis drops, the trunk goes with it) or ``"lean"`` (the trunk leans
        over the stance leg when standing on the weak side).
    strength : float
        Weak side's sustained abductor capacity as a fraction of what one-leg stance needs.
    healthy_reserve : float
        Healthy side's capacity as a multiple of what one-leg stance needs.
    fatigue : float
        Fraction of the weak side's capacity lost over a long hold (time constant
        ``fatigue_tau_s``).
    lean_deg : float
        Trunk lean over the stance leg in the compensated pattern, degrees.
    righting : float
        Share of the pelvic drop the trunk takes back in the uncompensated pattern (0-1).
    passive_nm_per_deg_kg : float
        Passive frontal-plane hip stiffness per kg of body mass, N m/deg/kg.
    """

    mass_kg: float = 70.0
    height_m: float = 1.70
    weak_side: str | None = None
    compensation: str = "none"
    strength: float = 0.55
    healthy_reserve: float = 1.6
    fatigue: float = 0.15
    fatigue_tau_s: float = 20.0
    lean_deg: float = 3.0
    righting: float = 0.5
    passive_nm_per_deg_kg: float = 0.075

    TRUNK_FRACTION = 0.678
    """Head, arms and trunk, share of body mass (Winter 2009, Table 4.1)."""
    LEG_FRACTION = 0.161
    """One whole leg, share of body mass (Winter 2009, Table 4.1)."""
    HALF_HIP_FRACTION = 0.05
    """Half the distance between the hip joint centres, share of stature (≈ 85 mm at 1.70 m)."""
    TRUNK_COM_FRACTION = 0.19
    """Trunk centre of mass above the hip joints, share of stature (≈ 0.32 m at 1.70 m)."""

    def __post_init__(self) -> None:
        if self.weak_side not in (None, *SIDES):
            raise UsageError(
                f"--weak-hip {self.weak_side!r}: give left or right (the side whose hip "
                "abductors are weak)"
            )
        if self.compensation not in COMPENSATIONS:
            raise UsageError(
                f"--compensation {self.compensation!r}: use none or lean (the trunk leaning "
                "over the stance leg)"
            )

    # -- geometry ----------------------------------------------------------------------------
    @property
    def half_hip_m(self) -> float:
        return self.HALF_HIP_FRACTION * self.height_m

    @property
    def trunk_com_m(self) -> float:
        return self.TRUNK_COM_FRACTION * self.height_m

    @property
    def need_nm(self) -> float:
        """Abductor moment one-leg stance needs with a level pelvis and upright trunk, N m."""
        m, a = self.mass_kg, self.half_hip_m
        return G_M_S2 * m * a * (self.TRUNK_FRACTION + 2.0 * self.LEG_FRACTION)

    @property
    def passive_nm_per_deg(self) -> float:
        return self.passive_nm_per_deg_kg * self.mass_kg

    def is_weak(self, stance: str) -> bool:
        """Whether standing on ``stance`` loads the weak abductors."""
        return self.weak_side == stance

    # -- the moment balance ------------------------------------------------------------------
    def hold(self, stance: str, t_s: np.ndarray, demand: np.ndarray | float = 1.0) -> HipState:
        """Pelvic drop and the centre-of-mass shift over a one-leg hold on ``stance``.

        Parameters
        ----------
        stance : str
            The leg stood on.
        t_s : ndarray, shape (n,)
            Seconds since the foot left the ground (for the weak side's fatigue).
        demand : float or ndarray, shape (n,)
            Multiplier on the moment needed (1 standing; more at the bottom of a squat).

        Returns
        -------
        HipState
            ``drop_deg`` (toward the lifted side, degrees), ``com_shift_mm`` (positive toward
            the lifted side, mm) and ``lean_deg`` (trunk over the stance leg, degrees).
        """
        t = np.asarray(t_s, dtype=float)
        need = self.need_nm * np.broadcast_to(np.asarray(demand, dtype=float), t.shape)
        m_t = self.TRUNK_FRACTION * self.mass_kg
        h_t = self.trunk_com_m
        k_p = self.passive_nm_per_deg
        toppling = G_M_S2 * m_t * h_t * math.pi / 180.0  # N m per degree of trunk tilt
        if not self.is_weak(stance):
            cap = self.healthy_reserve * self.need_nm
            drop = np.maximum(0.0, need - cap) / k_p
            lean = np.zeros_like(t)
        else:
            cap = (
                self.strength
                * self.need_nm
                * (1.0 - self.fatigue * (1.0 - np.exp(-np.maximum(t, 0.0) / self.fatigue_tau_s)))
            )
            if self.compensation == "lean":
                lean = np.full_like(t, self.lean_deg)
                relief = G_M_S2 * m_t * h_t * math.sin(math.radians(self.lean_deg))
                drop = np.maximum(0.0, need - relief - cap) / k_p
            else:
                lean = np.zeros_like(t)
                drop = np.maximum(0.0, need - cap) / (k_p - toppling * (1.0 - self.righting))
        trunk_tilt = np.where(lean > 0, -lean, (1.0 - self.righting) * drop)
        com_shift = self.TRUNK_FRACTION * h_t * 1000.0 * np.sin(np.radians(trunk_tilt))
        return HipState(drop, com_shift, lean)


@dataclass(frozen=True)
class HipState:
    """What :meth:`HipModel.hold` found, per sample."""

    drop_deg: np.ndarray
    """Pelvic drop toward the lifted side, degrees."""
    com_shift_mm: np.ndarray
    """Whole-body centre of mass shift, mm, positive toward the lifted side."""
    lean_deg: np.ndarray
    """Trunk lean over the stance leg, degrees."""


def obliquity_sign(lifted: str) -> float:
    """+1 when the ``lifted`` side dropping is a positive obliquity (the left side lower)."""
    return 1.0 if lifted == "left" else -1.0
