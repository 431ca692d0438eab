"""The words of the clinical tests: prompts shared by every test and the result tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..events import SIDES

__all__ = ["SCALE_LIMITS", "render"]

SCALE_LIMITS = (
    "What a scale can see: where the load falls under the stance foot and how it moves. "
    "What it cannot see: the pelvis itself. A hip drop (Trendelenburg sign) shows here only "
    "as the load drifting toward the lifted side or swaying more; a person can keep the load "
    "steady while the pelvis drops, or lean the trunk to compensate. Confirm by watching."
)


def _fmt(v: Any, spec: str = "{:.1f}") -> str:
    return "-" if v is None else spec.format(v)


# --- the readable table -----------------------------------------------------------------------


def render(result: Mapping[str, Any], title: str | None = None) -> list[str]:
    """A result (as :meth:`Protocol.result` gives it) as readable lines under ``title``."""
    name = result.get("test", "")
    lines = [title or str(name)]
    p = result.get("params", {})
    bits = []
    if p.get("eyes"):
        bits.append(f"eyes {p['eyes']}")
    if p.get("max_time_s"):
        bits.append(f"max {p['max_time_s']:g} s")
    if p.get("age") is not None:
        bits.append(f"age {p['age']:g}")
    if result.get("body_weight_n"):
        bits.append(f"body weight {result['body_weight_n'] / 9.80665:.1f} kg")
    if bits:
        lines[0] += " (" + ", ".join(bits) + ")"
    if name in ("single-leg-stance", "hip-stability"):
        lines += _table_single(result, drift=name == "hip-stability")
    elif name == "single-leg-squat":
        lines += _table_squat(result)
    elif name == "mctsib":
        lines += _table_mctsib(result)
    elif name == "weight-bearing-symmetry":
        lines += _table_wbs(result)
    if result.get("scale_limits"):
        lines.append("")
        lines.append("Note: " + result["scale_limits"])
    for note in result.get("notes", []):
        lines.append(f"note: {note}")
    return lines


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    fmt = "  ".join(f"{{:<{w}}}" if i < 2 else f"{{:>{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*header).rstrip(), fmt.format(*("-" * w for w in widths)).rstrip()]
    out += [fmt.format(*r).rstrip() for r in rows]
    return out


def _table_single(r: Mapping[str, Any], drift: bool) -> list[str]:
    trials = r.get("trials", [])
    if not trials:
        return ["no trials found"]
    header = ["trial", "side", "hold s", "stop", "ML RMS mm", "ML vel mm/s"]
    if drift:
        header += ["drift mm", "drift mm/s"]
    rows = []
    for t in trials:
        m = t.get("metrics", {})
        row = [
            str(t.get("trial", "")),
            t["stance_side"],
            _fmt(t["hold_s"]),
            t["stop_reason"],
            _fmt(m.get("ml_rms_mm")),
            _fmt(m.get("ml_mean_velocity_mm_s")),
        ]
        if drift:
            row += [
                _fmt(m.get("ml_drift_mm"), "{:+.1f}"),
                _fmt(m.get("ml_drift_rate_mm_s"), "{:+.2f}"),
            ]
        rows.append(row)
    out = _grid(header, rows)
    s = r.get("summary", {})
    for side in SIDES:
        if side in s:
            x = s[side]
            out.append(
                f"{side}: best {x['best_hold_s']:.1f} s, mean {x['mean_hold_s']:.1f} s "
                f"({x['trials']} trial{'s' if x['trials'] != 1 else ''})"
            )
    fs = r.get("false_starts") or []
    if fs:
        out.append(f"false starts (foot down within a second, not counted): {len(fs)}")
    a = s.get("asymmetry_pct")
    if a is not None:
        longer = "left" if a > 0 else "right"
        out.append(
            f"asymmetry of best holds: {abs(a):.0f} %"
            + (f" (longer on the {longer})" if abs(a) >= 0.5 else "")
        )
    if drift and s.get("ml_drift_difference_mm") is not None:
        out.append(
            f"drift toward the lifted side, left minus right stance: "
            f"{s['ml_drift_difference_mm']:+.1f} mm"
        )
    norm = r.get("norm")
    if norm:
        short = norm.get("short_source") or str(norm["source"]).split(" (")[0]
        stat = f", {norm['statistic']}" if norm.get("statistic") not in (None, "mean") else ""
        line = (
            f"norm: mean {norm['mean_s']:g} s for ages {norm['age_band']}, eyes "
            f"{norm['eyes']} ({short}{stat})"
        )
        if norm.get("comparison"):
            line += f"; best hold {norm['best_hold_s']:.1f} s is {norm['comparison']}"
        out.append(line)
        for entry in norm.get("norms", []):
            if entry.get("verdict"):
                out.append(f"  {entry.get('short_source', '')}: {entry['verdict']}")
        if norm.get("below_fall_risk_cutoff"):
            out.append(
                f"fall risk: a hold under {norm['fall_risk_cutoff_s']:g} s about doubles the risk "
                f"of an injurious fall ({norm.get('fall_risk_short_source', 'Vellas et al. 1997')})"
            )
    elif r.get("params", {}).get("age") is not None and not drift:
        out.append("norm: no published norm cited here for this age and condition")
    return out


def _table_squat(r: Mapping[str, Any]) -> list[str]:
    reps = r.get("reps", [])
    if not reps:
        return ["no repetitions found"]
    header = [
        "rep",
        "side",
        "start s",
        "bottom s",
        "end s",
        "ML range mm",
        "ML path mm",
        "PCI",
        "depth mm",
    ]
    rows = []
    for x in reps:
        m = x["metrics"]
        rows.append(
            [
                str(x["rep"]),
                x["stance_side"],
                _fmt(x["start_s"], "{:.2f}"),
                _fmt(x["bottom_s"], "{:.2f}"),
                _fmt(x["end_s"], "{:.2f}"),
                _fmt(m.get("ml_range_mm")),
                _fmt(m.get("ml_path_mm")),
                _fmt(m.get("pelvic_control_index"), "{:.2f}"),
                _fmt(m.get("com_depth_mm"), "{:.0f}"),
            ]
        )
    out = _grid(header, rows)
    s = r.get("summary", {})
    for side in SIDES:
        if side in s:
            x = s[side]
            out.append(
                f"{side}: {x['reps']} reps, mean ML range {_fmt(x['mean_ml_range_mm'])} mm,"
                f" mean PCI {_fmt(x['mean_pelvic_control_index'], '{:.2f}')}"
            )
    a = s.get("pelvic_control_asymmetry_pct")
    if a is not None:
        out.append(f"pelvic-control index asymmetry: {a:+.0f} % (positive: more sway on left)")
    out.append(
        "PCI: ML COP range under the stance foot / half a foot's width (45 mm); lower is steadier"
    )
    return out


def _table_mctsib(r: Mapping[str, Any]) -> list[str]:
    conds = r.get("conditions", [])
    if not conds:
        return ["no conditions completed"]
    key = r.get("velocity_measure", "ml_mean_velocity_mm_s")
    header = ["cond", "eyes/surface", "time s", "stop", "velocity mm/s", "ML RMS mm"]
    rows = [
        [
            c["condition"],
            f"{c['eyes']}/{c['surface']}",
            _fmt(c["duration_s"]),
            c["stop_reason"],
            _fmt(c["metrics"].get(key), "{:.2f}"),
            _fmt(c["metrics"].get("ml_rms_mm"), "{:.2f}"),
        ]
        for c in conds
    ]
    out = _grid(header, rows)
    out.append(f"velocity: {key}")
    comp = r.get("composite_velocity_mm_s")
    out.append(
        f"composite: {_fmt(comp, '{:.2f}')} mm/s"
        + ("" if r.get("complete") else " (not all four conditions ran their full time)")
    )
    ratios = r.get("ratios", {})
    out.append(
        "ratios to eyes open/firm: "
        + ", ".join(f"{k} {_fmt(v, '{:.2f}')}" for k, v in ratios.items())
    )
    return out


def _table_wbs(r: Mapping[str, Any]) -> list[str]:
    trials = r.get("trials", [])
    if not trials:
        return ["no trial completed"]
    header = ["trial", "time s", "stop", "left %", "right %", "asym %"]
    rows = [
        [
            str(t["trial"]),
            _fmt(t["duration_s"]),
            t["stop_reason"],
            _fmt(None if t["left_share"] is None else 100 * t["left_share"]),
            _fmt(None if t["right_share"] is None else 100 * t["right_share"]),
            _fmt(t["asymmetry_pct"], "{:+.1f}"),
        ]
        for t in trials
    ]
    out = _grid(["trial", "time s"] + header[2:], rows)
    return out
