"""My pelvis over time: the pelvis sensor's drop of the lifted hip, per standing leg.

One plot per standing leg: the hold tests (hip stability, single-leg stance) in the order they
were done on x, the mean drop of the other hip over the holds on y, degrees, with the two
lines that give the numbers their meaning (see :mod:`balance_trainer.pelvis`): above 2 deg the
pelvis is said to drop, and 4 deg is the measurement error of a clinical pelvic angle (the
MDC, Youdas et al. 2007), so a drop above it is clear of measurement error.
"""

from __future__ import annotations

from typing import Any

import pygame

from balance_trainer.pelvis import (
    POSITIVE_DROP_DEG,
    SIDE_DIFFERENCE_MDC_DEG,
    DropPoint,
    drop_history,
)

from ..ui import Ui, panel
from ..widgets import Choice, icon_back
from .base import ChoiceScreen

FINISHED = ("finished", "done", "complete", "completed", "ok")
"""Trial statuses that count (aborted trials are not results)."""

Y_RANGE_DEG = (-2.0, 10.0)
"""The plot's fixed drop range, degrees: the same scale every time, so two visits compare at a
glance; a drop beyond it sits on the edge (its number is in the words below)."""

MAX_POINTS = 12
"""The latest tests shown per leg (more would crowd the 800 px screen)."""

DEG = "\N{DEGREE SIGN}"


def pelvis_history(trials: list[Any]) -> dict[str, list[DropPoint]]:
    """Per standing leg, the drop in each finished hold test with a pelvis sensor, oldest first.

    ``trials`` are the store's trial rows (``status``, ``started_at``, ``test_result``).
    """
    entries = []
    for tr in trials:
        if getattr(tr, "status", None) not in FINISHED:
            continue
        res = getattr(tr, "test_result", None)
        if res is not None:
            entries.append((tr.started_at, res))
    return drop_history(entries)


def history_words(history: dict[str, list[DropPoint]], *, short: bool = False) -> str:
    """Each leg's change since the test before, and whether it is beyond measurement error.

    A change is called real only above the MDC (:data:`SIDE_DIFFERENCE_MDC_DEG`, Youdas et
    al. 2007); '' when no leg has two tests yet. ``short`` (easy mode) gives the verdict
    alone.
    """
    parts, real = [], []
    for side, pts in history.items():
        if len(pts) < 2:
            continue
        d = pts[-1].mean_deg - pts[-2].mean_deg
        parts.append(f"{side} leg {d:+.1f}{DEG}")
        if abs(d) > SIDE_DIFFERENCE_MDC_DEG:
            real.append(side)
    if not parts:
        return ""
    verdict = (
        f"a real change on the {' and '.join(real)} leg"
        if real
        else f"within the {SIDE_DIFFERENCE_MDC_DEG:g}{DEG} of measurement error"
    )
    if short:  # easy mode: the verdict in the fewest words
        return "Since last time: " + (
            f"real change, {' and '.join(real)}." if real else "no real change."
        )
    return f"Since last time: {', '.join(parts)}: {verdict}."


def _when(dt: Any) -> str:
    return dt.strftime("%d %b") if dt is not None else ""


def _marker(surface: pygame.Surface, ui: Ui, side: str, c: tuple[int, int], colour: Any) -> None:
    """Left leg: a circle; right leg: a square (told apart without colour too)."""
    r = ui.px(8)
    edge = ui.theme.bg_top
    if side == "left":
        pygame.draw.circle(surface, colour, c, r)
        pygame.draw.circle(surface, edge, c, r, max(1, ui.px(2)))
    else:
        sq = pygame.Rect(0, 0, 2 * r, 2 * r)
        sq.center = c
        pygame.draw.rect(surface, colour, sq)
        pygame.draw.rect(surface, edge, sq, max(1, ui.px(2)))


SERIES = (("left", "text"), ("right", "accent"))
"""Each standing leg's series and its theme colour."""


def draw_drop_plot(
    surface: pygame.Surface, ui: Ui, box: pygame.Rect, history: dict[str, list[DropPoint]]
) -> None:
    """Both standing legs' drops over the tests in ``box``: a panel with a key (each leg's
    latest drop), the level line, the 2 and 4 deg lines labelled, the points and the dates.

    Text is drawn with the Ui, so the layout log sees every label inside ``box``.
    """
    t = ui.theme
    panel(surface, ui, box)
    pad = ui.px(12)
    # The key: a marker and "Left leg 0.6°" per leg, side by side.
    key_h = ui.line_h(24)
    x = box.left + pad + ui.px(10)
    ky = box.top + ui.px(6)
    for side, colour_name in SERIES:
        pts = history.get(side, [])
        colour = getattr(t, colour_name)
        text = f"{side.capitalize()} leg" + (f" {pts[-1].mean_deg:.1f}{DEG}" if pts else ": none")
        _marker(surface, ui, side, (x, ky + key_h // 2), colour)
        r = ui.blit_text(surface, text, 24, (x + ui.px(16), ky), colour, "topleft", box=box)
        x = r.right + ui.px(34)
    labels = (
        (SIDE_DIFFERENCE_MDC_DEG, f"{SIDE_DIFFERENCE_MDC_DEG:g}{DEG} clear drop", t.bad),
        (POSITIVE_DROP_DEG, f"{POSITIVE_DROP_DEG:g}{DEG} drop", t.warn),
    )
    gutter = max(ui.font(24).size(text)[0] for _, text, _ in labels) + ui.px(10)
    date_h = ui.line_h(24)
    plot = pygame.Rect(
        box.left + pad,
        ky + key_h + ui.px(8),
        box.w - 2 * pad - gutter,
        box.bottom - ui.px(6) - date_h - (ky + key_h + ui.px(8)),
    )
    lo, hi = Y_RANGE_DEG
    if plot.h < ui.px(40):
        return  # no room for a plot (never at the supported sizes: the layout test checks)

    def y_of(deg: float) -> int:
        deg = min(hi, max(lo, deg))
        return int(round(plot.bottom - (deg - lo) / (hi - lo) * plot.h))

    # Above the drop line is tinted: a glance says which side of it the points are.
    zone = pygame.Rect(plot.left, plot.top, plot.w, max(1, y_of(POSITIVE_DROP_DEG) - plot.top))
    shade = pygame.Surface(zone.size, pygame.SRCALPHA)
    shade.fill((*t.warn, 28))
    surface.blit(shade, zone.topleft)
    pygame.draw.line(surface, t.dim, (plot.left, y_of(0.0)), (plot.right, y_of(0.0)), 1)
    dash = ui.px(10)
    for deg, _, colour in labels:
        y = y_of(deg)
        for x0 in range(plot.left, plot.right + ui.px(4), 2 * dash):
            x1 = min(x0 + dash, plot.right + ui.px(4))
            pygame.draw.line(surface, colour, (x0, y), (x1, y), max(1, ui.px(2)))
    # Labels in the gutter right of the plot, on their lines; when the lines are closer than
    # a line of text, 4 deg moves up and 2 deg down by the same amount so they never touch.
    ink = int(ui.font(24).get_height() * 0.8)
    spacing = y_of(POSITIVE_DROP_DEG) - y_of(SIDE_DIFFERENCE_MDC_DEG)
    push = max(0, (ink - spacing) // 2 + ui.px(2))
    gx = plot.right + ui.px(8)
    for (deg, text, colour), dy in zip(labels, (-push, push), strict=True):
        ui.blit_text(surface, text, 24, (gx, y_of(deg) + dy), colour, "midleft", box=box)
    inner = plot.inflate(-2 * ui.px(18), 0)
    ends: list[Any] = []
    for side, colour_name in SERIES:
        pts = history.get(side, [])[-MAX_POINTS:]
        if not pts:
            continue
        colour = getattr(t, colour_name)
        n = len(pts)
        step = inner.w / max(1, n - 1)
        xs = [inner.centerx] if n == 1 else [int(inner.left + i * step) for i in range(n)]
        ys = [y_of(p.mean_deg) for p in pts]
        if n > 1:
            pygame.draw.lines(surface, colour, False, list(zip(xs, ys, strict=True)), ui.px(3))
        for xy in zip(xs, ys, strict=True):
            _marker(surface, ui, side, xy, colour)
        ends = (
            max(ends, [pts[0].when, pts[-1].when], key=len) if ends else [pts[0].when, pts[-1].when]
        )
    # Dates of the first and the latest test under the plot (all would crowd it).
    ly = plot.bottom + ui.px(4)
    if ends:
        first, last = _when(ends[0]), _when(ends[-1])
        if first:
            ui.blit_text(surface, first, 24, (plot.left, ly), t.dim, "topleft", box=box)
        if last and last != first:
            ui.blit_text(surface, last, 24, (plot.right, ly), t.dim, "topright", box=box)


class PelvisProgressScreen(ChoiceScreen):
    """The pelvis sensor's drop per standing leg over the hold tests (reached from progress)."""

    name = "pelvis-progress"
    title = "My pelvis"
    tile_w = 170
    tile_h = 64
    label_size = 26
    area = (315, 410, 170, 64)
    easy_page = 0

    def build(self) -> list[Choice]:
        easy = self.app.easy
        self.subtitle = "How far the other hip dropped" + ("" if easy else " in the hold tests")
        self.history = pelvis_history(self.app.records.tests(self.app.person))
        self.words = history_words(self.history, short=easy)
        return [Choice("Back", icon_back, lambda: self.app.show("progress"))]

    def back(self) -> None:
        self.app.show("progress")

    def draw(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        surface.blit(ui.background(), (0, 0))
        self.draw_person(surface)
        top = self.draw_title(surface, self.title, self.subtitle) + ui.px(6)
        bottom = self.rects()[0].top - ui.px(8)
        left = ui.px(16)
        width = ui.w - 2 * left
        if not self.history:
            box = pygame.Rect(left, top, width, bottom - top)
            panel(surface, ui, box)
            msg = (
                "No hold test with the pelvis sensor yet. Fit the sensor and run the "
                "hip stability test to see your pelvis here."
            )
            size, lines = ui.fit(msg, 26, box.w - ui.px(28), 4)
            y = box.top + ui.px(10)
            for ln in lines:
                ui.blit_text(
                    surface, ln, size, (box.left + ui.px(14), y), t.text, "topleft", box=box
                )
                y += ui.line_h(size)
            self.draw_tiles(surface)
            return
        wsize, wlines = ui.fit(self.words, 24, width - ui.px(8), 2) if self.words else (24, [])
        words_h = ui.line_h(wsize) * len(wlines)
        box = pygame.Rect(left, top, width, bottom - top - words_h - ui.px(6))
        draw_drop_plot(surface, ui, box, self.history)
        y = box.bottom + ui.px(4)
        for ln in wlines:
            ui.blit_text(surface, ln, wsize, (left + ui.px(4), y), t.dim, "topleft")
            y += ui.line_h(wsize)
        self.draw_tiles(surface)
