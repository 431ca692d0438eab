"""What the simulated person does: plans, moves and scenario timelines.

What the person does is a *plan*: per-sample channels (:data:`CHANNELS`) saying which feet are
down, how much weight the board carries, where the person means to hold the COM and how the
pelvis is held. A :class:`Script` strings :class:`Moves` together (weight shift, lift-off,
touchdown, squat, stepping on and off) into a scenario's timeline, with the ground-truth
:class:`SimEvent` list. The body that carries the plan out is :mod:`hardware.person_model`;
the hips that set the pelvis on one leg are :mod:`hardware.hip_model`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple, Protocol

import numpy as np

from .hip_model import HipModel, obliquity_sign
from .person_model import min_jerk


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
    "obliq",
    "weak",
    "c_nml",
    "c_rml",
    "c_nap",
    "c_rap",
)
"""Plan channels, one value per sample:

board      fraction of body weight the board carries (the rest is on the floor)
cap_l/_r   how much of the body weight each foot may take (1 down, 0 lifted)
floor_l/_r least share of the body weight each foot takes (a landing foot)
single     0 both-feet control, 1 single-leg control
ref_ml/_ap where the person means to hold the COM, mm
wobble     extra ML motor noise (squats)
z_acc      vertical COM acceleration, m/s²
obliq      the pelvis's held frontal-plane tilt, degrees, positive = the left side lower
           (from :class:`~hardware.hip_model.HipModel`; the sway adds its own motion)
weak       1 while standing on the leg of a weak hip (its ML control), else 0
c_nml ...  condition multipliers on ML noise, ML rambling, AP noise, AP rambling (the eyes
           closing or a foam pad during a scripted session; 1 = the simulator's own condition)
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
    """The movements scenarios are made of, written into a :class:`Script`.

    ``hip`` is the person's frontal-plane hip model: standing on one leg it sets the pelvis's
    held tilt (channel ``obliq``) and moves the body's centre of mass (``ref_ml``) as the
    abductors of that side allow (see :mod:`hardware.hip_model`).
    """

    def __init__(
        self,
        geo: FeetLayout,
        rng: np.random.Generator,
        hip: HipModel | None = None,
        condition_ratio: Callable[[str, str], tuple[float, ...]] | None = None,
    ) -> None:
        self.geo = geo
        self.rng = rng
        self.hip = hip if hip is not None else HipModel()
        # (eyes, surface) -> multipliers relative to the simulator's own condition (mctsib)
        self.condition_ratio = condition_ratio or (lambda eyes, surface: (1.0,) * 4)
        # Where this person stands when at ease: a little off the middle, as people do.
        self.bias_ml = float(rng.uniform(-6.0, 6.0))
        self.bias_ap = float(rng.uniform(-10.0, 10.0))
        # A healthy pelvis on one leg is held within about ±2° (positive: lifted side lower).
        self.level_deg = {side: float(rng.uniform(-1.0, 1.5)) for side in ("left", "right")}

    def natural_ml(self, stance: str) -> float:
        """Reference COM ML position (mm) at ease in ``stance``."""
        if stance in ("left", "right"):
            return self.geo.foot(stance)
        return self.geo.mid_x + self.bias_ml

    def state(self, stance: str) -> dict[str, float]:
        """Plan channel values for being settled in ``stance``."""
        on = stance != "off"
        one = stance in ("left", "right")
        return {
            "board": 1.0 if on else 0.0,
            "cap_l": 1.0 if stance in ("both", "left") else 0.0,
            "cap_r": 1.0 if stance in ("both", "right") else 0.0,
            "floor_l": 0.0,
            "floor_r": 0.0,
            "single": 1.0 if one else 0.0,
            "ref_ml": self.natural_ml(stance),
            "ref_ap": self.geo.mid_y + self.bias_ap,
            "wobble": 1.0,
            "z_acc": 0.0,
            "obliq": self._held(stance, np.zeros(1))[0][0] if one else 0.0,
            "weak": 1.0 if one and self.hip.is_weak(stance) else 0.0,
            **dict.fromkeys(CONDITION_CHANNELS, 1.0),
        }

    def _held(
        self, stance: str, t_s: np.ndarray, demand: np.ndarray | float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """(obliquity in degrees, + = left lower; COM shift in board x, mm) on ``stance``."""
        lifted = other_side(stance)
        st = self.hip.hold(stance, t_s, demand)
        drop = st.drop_deg + self.level_deg[stance]
        toward = math.copysign(1.0, self.geo.foot(lifted) - self.geo.foot(stance))
        return obliquity_sign(lifted) * drop, toward * st.com_shift_mm

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
        sc.move(
            0.15,
            **{
                cap_channel(lifted): 0.0,
                floor_channel(lifted): 0.0,
                "single": 1.0,
                "weak": 1.0 if self.hip.is_weak(stance) else 0.0,
            },
        )
        sc.event("lift_off", lifted)

    def hold_single(self, sc: Script, stance: str, seconds: float) -> None:
        """Stand on ``stance`` for ``seconds``; the hip model sets the pelvis and the COM."""
        n = sc.samples(seconds)
        xs = self.geo.foot(stance)
        t = np.arange(1, n + 1) / sc.fs
        # Settle over the foot (from wherever the lift-off left the COM) within ~1.5 s, and
        # let the pelvis take its held tilt as the load comes onto the one hip (~0.5 s).
        settle = np.ones(n)
        m = min(n, sc.samples(1.5))
        settle[:m] = min_jerk(m)[0]
        load = np.ones(n)
        m = min(n, sc.samples(0.5))
        load[:m] = min_jerk(m)[0]
        obliq, shift = self._held(stance, t)
        ref = xs + (sc.state["ref_ml"] - xs) * (1.0 - settle) + shift * settle
        obliq = sc.state["obliq"] + (obliq - sc.state["obliq"]) * load
        sc.shape(n, ref_ml=ref, obliq=obliq)

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
                "weak": (0.0, 0.4),
                "obliq": (0.0, 0.4),
                "ref_ml": self.natural_ml("both"),
            },
        )
        sc.move(0.5, **{floor_channel(lifted): 0.0})

    def squat(self, sc: Script, stance: str) -> None:
        """One single-leg squat on ``stance``: down and up with minimum jerk.

        At depth the abductors work harder (the hip flexes under the load): the moment needed
        rises by ``SQUAT_DEMAND`` at the bottom, so a weak hip's pelvis drops further and its
        knee and trunk carry the COM toward the free side.
        """
        period = float(self.rng.uniform(2.0, 3.0))
        depth_m = float(self.rng.uniform(0.15, 0.25))
        n = sc.samples(period)
        half = n // 2
        weak = self.hip.is_weak(stance)
        wobble = 1.2 if weak else 0.6
        base = sc.state["ref_ml"]
        base_obliq = sc.state["obliq"]
        obliq0, shift0 = self._held(stance, np.zeros(1))
        lifted = other_side(stance)
        toward = math.copysign(1.0, self.geo.foot(lifted) - self.geo.foot(stance))
        sc.event("squat_start", stance)
        for m, down in ((half, True), (n - half, False)):
            pos, _, acc = min_jerk(m)
            frac = pos if down else 1.0 - pos
            t_half = m / sc.fs
            z_acc = (-1.0 if down else 1.0) * depth_m * acc / t_half**2
            obliq, shift = self._held(stance, np.zeros(m), 1.0 + SQUAT_DEMAND * frac)
            # the healthy knee-in / pelvis-drop at depth (a few degrees, a few mm)
            extra = obliquity_sign(lifted) * SQUAT_HEALTHY_DROP_DEG * frac
            sc.shape(
                m,
                ref_ml=base + (shift - shift0[0]) + toward * 3.0 * frac,
                wobble=1.0 + wobble * frac,
                z_acc=z_acc,
                obliq=base_obliq + (obliq - obliq0[0]) + extra,
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


SQUAT_DEMAND = 0.35
"""Extra abductor moment needed at the bottom of a single-leg squat, share of standing."""
SQUAT_HEALTHY_DROP_DEG = 2.0
"""Contralateral pelvic drop a healthy hip allows at the bottom of a squat, degrees."""
TRIALS_PER_SIDE = 3
"""Single-leg holds per side in the scripted scenarios (the stance test's 3 trials)."""
SETS_PER_SIDE = 3
"""Sets of squats per side in ``squats-left`` / ``squats-right``."""
REPS_PER_SET = 5
"""Squats per set (the squat test's 5 repetitions)."""


CONDITION_CHANNELS = ("c_nml", "c_rml", "c_nap", "c_rap")
BTRACKS_TRIAL_S = 20.0
"""The BTrackS tests' trial length, s (the protocols' ``BTRACKS_TRIAL_S``)."""
WEIGH_S = 1.5
"""The protocol weighs a person standing still on both feet in about this long, s."""
COUNTDOWN_S = 3.0
REST_S = 3.0
"""The protocols' countdown before each trial and rest after it, s (``ProtocolSettings``)."""
TRIAL_1_END_S = WEIGH_S + COUNTDOWN_S + BTRACKS_TRIAL_S
"""When the first trial of a test on both feet ends, s from stepping on (~24.5 s)."""
CYCLE_S = REST_S + COUNTDOWN_S + BTRACKS_TRIAL_S
"""From one trial's end to the next one's (~26 s)."""
MCTSIB_SWITCH_S = (TRIAL_1_END_S + REST_S / 2 + 1.5, TRIAL_1_END_S + CYCLE_S + 1.5)
"""mctsib: the eyes close in the pause before the protocol's 2nd condition (trial 1 runs
~4.5-24.5 s, the 2nd from ~30.5 s after a 3 s rest and a 3 s countdown) and the person steps
off for the foam pad 1.5 s after it ends (~50.5 s)."""


def _condition(sc: Script, ratios: tuple[float, ...]) -> None:
    sc.set(**dict(zip(CONDITION_CHANNELS, ratios, strict=True)))


def mctsib_script(sc: Script, moves: Moves, ratio: Callable[[str, str], tuple[float, ...]]) -> None:
    """The four mCTSIB conditions as the protocol runs them, for a person on the board.

    ``ratio(eyes, surface)`` gives the condition multipliers relative to the simulator's own
    condition. The eyes close in the pauses between the protocol's 20 s trials; between the
    2nd and 3rd the person steps off, the foam pad goes down, and they step back on.
    """
    rng = moves.rng
    sc.hold(MCTSIB_SWITCH_S[0])
    _condition(sc, ratio("closed", "firm"))
    sc.hold(MCTSIB_SWITCH_S[1] - MCTSIB_SWITCH_S[0])
    _condition(sc, ratio("open", "firm"))
    moves.step_off(sc, str(rng.choice(["left", "right"])))
    sc.hold(float(rng.uniform(5.0, 8.0)))
    _condition(sc, ratio("open", "foam"))
    moves.step_on(sc, str(rng.choice(["left", "right"])))
    # the protocol weighs the person again, counts down, runs 20 s, rests 3 s and counts
    # down again: the eyes close in the middle of that pause
    sc.hold(TRIAL_1_END_S + REST_S)
    _condition(sc, ratio("closed", "foam"))
    sc.hold(CYCLE_S + 10.0)


def btracks_script(
    sc: Script, moves: Moves, ratio: Callable[[str, str], tuple[float, ...]]
) -> None:
    """The BTrackS Balance Test: on the firm board with the eyes closed for all four trials.

    The person closes their eyes as the first instruction comes (about 1 s in) and keeps them
    closed for the four 20 s trials and the rests between (~110 s), then opens them.
    """
    sc.hold(1.0)
    _condition(sc, ratio("closed", "firm"))
    sc.hold(TRIAL_1_END_S + 3 * CYCLE_S + 3.0)
    _condition(sc, ratio("open", "firm"))


def _stances(scenario: str) -> list[str]:
    tail = scenario.rsplit("-", 1)[-1]
    return [tail] if tail in ("left", "right") else ["left", "right"]


def build_timeline(scenario: str, moves: Moves, fs: float) -> Script:
    """The scripted part of ``scenario`` at ``fs`` Hz; random choices come from ``moves.rng``.

    ``single-leg-SIDE`` stands on SIDE :data:`TRIALS_PER_SIDE` times (lift, hold 15-30 s, put
    the foot down, rest 5-8 s); ``single-leg`` does that on the left, then on the right.
    ``squats-SIDE`` does :data:`SETS_PER_SIDE` sets of :data:`REPS_PER_SET` squats on SIDE
    (the foot down and a rest between sets); ``squats`` one set on the left, then one on the
    right. After the script the person stays in its final state (quiet stance on both feet,
    or off the board for ``empty``); ``quiet`` and ``interactive`` have no script at all.
    """
    rng = moves.rng
    geo = moves.geo
    start = "off" if scenario in ("empty", "step-on-off") else "both"
    sc = Script(fs, moves.state(start))
    if scenario.startswith("single-leg"):
        sc.hold(float(rng.uniform(3.0, 5.0)))
        for stance in _stances(scenario):
            for _ in range(TRIALS_PER_SIDE):
                moves.lift_off(sc, stance)
                moves.hold_single(sc, stance, float(rng.uniform(15.0, 30.0)))
                moves.touch_down(sc, stance)
                sc.hold(float(rng.uniform(5.0, 8.0)))
    elif scenario.startswith("squats"):
        sc.hold(float(rng.uniform(3.0, 5.0)))
        stances = _stances(scenario)
        sets = SETS_PER_SIDE if len(stances) == 1 else 1
        for stance in stances:
            for _ in range(sets):
                moves.lift_off(sc, stance)
                moves.hold_single(sc, stance, 2.0)
                for _ in range(REPS_PER_SET):
                    moves.squat(sc, stance)
                    sc.hold(float(rng.uniform(0.6, 1.2)))
                sc.hold(1.0)
                moves.touch_down(sc, stance)
                sc.hold(float(rng.uniform(6.0, 10.0)))
    elif scenario == "mctsib":
        mctsib_script(sc, moves, moves.condition_ratio)
    elif scenario == "btracks":
        btracks_script(sc, moves, moves.condition_ratio)
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
