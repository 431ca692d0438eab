"""How am I doing? Each game's latest and best score with dates, and each test's latest result
with its value and unit, and whether the change since the time before is larger than the
test's minimal detectable change (so "better" is said only when it is real)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pygame

from balance_trainer.norms import PUBLISHED_MDC, change_verdict
from balance_trainer.protocols import PROTOCOLS

from ..catalog import GAMES
from ..ui import panel
from ..widgets import Choice, icon_back, icon_chart
from .base import ChoiceScreen
from .pelvis_progress import FINISHED, pelvis_history
from .tests import _title


@dataclass(frozen=True)
class TestLine:
    """One test's latest result for the progress screen."""

    title: str
    when: str
    value: str
    change: str


def _when(dt: Any) -> str:
    return dt.strftime("%d %b %Y") if dt is not None else ""


def key_values(result: dict[str, Any]) -> tuple[dict[str, float], str, str, bool]:
    """The one measure a person follows per test: {side or '': value}, unit, MDC key,
    higher-is-better."""
    name = result.get("test", "")
    s = result.get("summary") or {}
    out: dict[str, float] = {}
    if name in ("single-leg-stance", "hip-stability"):
        for side in ("left", "right"):
            v = (s.get(side) or {}).get("best_hold_s")
            if isinstance(v, (int, float)):
                out[side] = float(v)
        return out, "s", "hold_s", True
    if name == "single-leg-squat":
        for side in ("left", "right"):
            v = (s.get(side) or {}).get("mean_ml_range_mm")
            if isinstance(v, (int, float)):
                out[side] = float(v)
        return out, "mm sideways", "", False
    if name == "mctsib":
        # BTrackS path lengths, summed over the four conditions when all were scored; an
        # mCTSIB stored before (sway velocity) is a different measure and is not trended.
        paths = result.get("path_cm")
        if isinstance(paths, dict) and result.get("complete"):
            vals = [v for v in paths.values() if isinstance(v, (int, float))]
            if len(vals) == 4:
                out[""] = float(sum(vals))
        return out, "cm path, 4 parts", "", False
    if name == "btracks-balance":
        v = result.get("score_cm")
        if isinstance(v, (int, float)):
            out[""] = float(v)
        return out, "cm path", "", False
    if name == "weight-bearing-symmetry":
        v = s.get("left_share")
        if isinstance(v, (int, float)):
            out["left"] = 100.0 * float(v)
        return out, "% on the left", "", False
    return out, "", "", True


def _fmt(vals: dict[str, float], unit: str) -> str:
    if not vals:
        return "no result"
    spec = "{:.0f}" if unit.startswith(("mm", "%")) else "{:.1f}"
    if "" in vals:
        return f"{spec.format(vals[''])} {unit}"
    if unit.startswith("%"):
        return f"{spec.format(vals['left'])} {unit}"
    return ", ".join(f"{k} {spec.format(v)} {unit}" for k, v in vals.items())


def change_words(
    prev: dict[str, float], cur: dict[str, float], mdc_key: str, higher: bool, unit: str = ""
) -> str:
    """Since last time, in words: a change is called better or worse only beyond the MDC."""
    common = [k for k in cur if k in prev]
    if not common:
        return "first time" if not prev else ""
    mdc = PUBLISHED_MDC.get(mdc_key) if mdc_key else None
    parts = []
    for k in common:
        d = cur[k] - prev[k]
        side = f"{k}: " if k else ""
        if mdc is None or change_verdict is None:
            u = unit.split()[0] if unit else ""
            parts.append(f"{side}{d:+.1f} {u} since last time (no published MDC: no trend called)")
            continue
        v = change_verdict(prev[k], cur[k], mdc.mdc95, higher_is_better=higher)
        verdict = v["verdict"]
        word = "within measurement error" if verdict == "no detectable change" else verdict
        parts.append(f"{side}{d:+.1f} {mdc.unit} since last time, {word} (MDC {mdc.mdc95:g})")
    return "; ".join(parts)


def pelvis_words(prev: Any, cur: Any) -> str:
    """The pelvis sensor's mean drop of the lifted side per stance leg, and whether it changed
    beyond the 4 degree MDC (Youdas et al. 2007); '' when no sensor was fitted.

    ``prev`` and ``cur`` are typed test results (``TrialRow.test_result``; ``prev`` may be
    None); the drops come from the core's :func:`~balance_trainer.pelvis.side_drops`.
    """
    from balance_trainer.pelvis import DropPoint, drop_change_words, side_drops

    def drops(res: Any) -> dict[str, DropPoint]:
        if res is None:
            return {}
        return {
            side: DropPoint(None, float(d["mean_deg"]))
            for side, d in side_drops(res).items()
            if d["mean_deg"] is not None
        }

    now, before = drops(cur), drops(prev)
    if not now:
        return ""
    parts = [drop_change_words(before.get(side), v, side) for side, v in now.items()]
    return "Pelvis sensor: " + "; ".join(parts)


class ProgressScreen(ChoiceScreen):
    """How am I doing?"""

    name = "progress"
    title = "My progress"
    tile_w = 170
    tile_h = 64
    label_size = 26
    area = (315, 410, 170, 64)
    easy_page = 0

    def build(self) -> list[Choice]:
        person = self.app.person
        self.subtitle = (
            f"{person.label}: latest results"
            if not person.guest
            else "Guest: this session only (choose a name to keep results)"
        )
        rec = self.app.records
        self.games = []
        for name, info in GAMES.items():
            rs = rec.results(person, name)
            best = rec.best(person, name)
            if rs:
                last = rs[-1]
                self.games.append(
                    (
                        info.title,
                        f"{last.score:.0f} points" + (f" on {last.when}" if last.when else ""),
                        f"best {best:.0f}" if best is not None else "",
                    )
                )
            else:
                self.games.append((info.title, "not played yet", ""))
        trials = rec.tests(person)
        self.test_lines = self._tests(trials)
        back = Choice("Back", icon_back, lambda: self.app.show("menu"))
        if not pelvis_history(trials):
            self.area = type(self).area
            return [back]
        # With pelvis results, a second tile opens their plot over time.
        self.area = (205, 410, 390, 64)
        return [
            back,
            Choice("Pelvis", icon_chart, lambda: self.app.show("pelvis-progress"), key="pelvis"),
        ]

    def _tests(self, trials: list[Any]) -> list[TestLine]:
        by_test: dict[str, list[Any]] = {}
        for tr in trials:
            res = tr.result if isinstance(tr.result, dict) else None
            if tr.protocol not in PROTOCOLS or res is None or tr.status not in FINISHED:
                continue  # aborted or empty recordings are not results
            by_test.setdefault(tr.protocol, []).append(tr)
        out = []
        for name in PROTOCOLS:
            rows = by_test.get(name)
            if not rows:
                continue
            cur = rows[-1]
            vals, unit, mdc_key, higher = key_values({"test": name, **cur.result})
            prev_vals = key_values({"test": name, **rows[-2].result})[0] if len(rows) > 1 else {}
            change = change_words(prev_vals, vals, mdc_key, higher, unit) if len(rows) > 1 else ""
            pelvis = pelvis_words(rows[-2].test_result if len(rows) > 1 else None, cur.test_result)
            out.append(
                TestLine(
                    _title(name),
                    _when(cur.started_at),
                    _fmt(vals, unit),
                    ". ".join(p for p in (change, pelvis) if p),
                )
            )
        return out[-3:]

    def draw(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        surface.blit(ui.background(), (0, 0))
        self.draw_person(surface)
        y = self.draw_title(surface, self.title, self.subtitle) + ui.px(4)
        left = ui.px(16)
        width = ui.w - 2 * left
        lh = ui.line_h(24)
        box = pygame.Rect(left, y, width, lh * len(self.games) + ui.px(12))
        panel(surface, ui, box)
        cols = [box.left + ui.px(14), box.left + int(box.w * 0.34), box.left + int(box.w * 0.78)]
        yy = box.top + ui.px(6) - lh
        for title, last, best in self.games:
            yy += lh
            for x, text, col, w in (
                (cols[0], title, t.text, cols[1] - cols[0]),
                (cols[1], last, t.text, cols[2] - cols[1]),
                (cols[2], best, t.dim, box.right - cols[2]),
            ):
                if text:
                    size, lines = ui.fit(text, 24, w - ui.px(10), 1)
                    ui.blit_text(surface, lines[0], size, (x, yy), col, "topleft", box=box)
        y = box.bottom + ui.px(8)
        bottom = self.rects()[0].top - ui.px(8) if self.rects() else ui.h - ui.px(8)
        box = pygame.Rect(left, y, width, bottom - y)
        panel(surface, ui, box)
        yy = box.top + ui.px(6)
        ui.blit_text(surface, "Balance tests", 24, (cols[0], yy), t.accent, "topleft", box=box)
        yy += lh
        if not self.test_lines:
            ui.blit_text(surface, "No tests yet", 24, (cols[0], yy), t.dim, "topleft", box=box)
        for line in self.test_lines:
            text = f"{line.title}, {line.when}: {line.value}"
            for part in (text, line.change):
                if not part:
                    continue
                size, lines = ui.fit(part, 24, box.w - ui.px(28), 2)
                for ln in lines:
                    if yy + lh > box.bottom:
                        break
                    colour = t.text if part is text else t.dim
                    ui.blit_text(surface, ln, size, (cols[0], yy), colour, "topleft", box=box)
                    yy += lh
        self.draw_tiles(surface)
