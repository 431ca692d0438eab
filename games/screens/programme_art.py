"""Drawn pictures of the programme's exercises: a stick figure per exercise, the working leg in
the accent colour, moving slowly so the movement itself is shown.

Figures are described in a unit box (x right, y down, 0..1) and mapped into the picture's
rectangle; the standing figures face the viewer, so the person's left leg is on the picture's
right (as in a mirror, which is how people copy a demonstration).
"""

from __future__ import annotations

import math

import pygame

from ..ui import Ui, panel

Point = tuple[float, float]


def _map(r: pygame.Rect, p: Point, flip: bool) -> tuple[int, int]:
    x = 1.0 - p[0] if flip else p[0]
    return int(r.left + x * r.w), int(r.top + p[1] * r.h)


class _Pen:
    def __init__(self, s: pygame.Surface, ui: Ui, r: pygame.Rect, flip: bool) -> None:
        self.s, self.ui, self.r, self.flip = s, ui, r, flip
        self.w = max(3, ui.px(9))

    def line(self, pts: list[Point], color: tuple[int, int, int], width: int | None = None) -> None:
        w = width or self.w
        mapped = [_map(self.r, p, self.flip) for p in pts]
        pygame.draw.lines(self.s, color, False, mapped, w)
        for m in mapped:
            pygame.draw.circle(self.s, color, m, w // 2)

    def head(self, p: Point, color: tuple[int, int, int]) -> None:
        pygame.draw.circle(self.s, color, _map(self.r, p, self.flip), max(6, int(self.r.h * 0.07)))

    def floor(self, y: float, color: tuple[int, int, int]) -> None:
        a, b = _map(self.r, (0.04, y), False), _map(self.r, (0.96, y), False)
        pygame.draw.line(self.s, color, a, b, max(2, self.ui.px(3)))


def _wave(t: float, period: float = 3.0) -> float:
    """0 → 1 → 0 smoothly over ``period`` seconds."""
    return 0.5 - 0.5 * math.cos(2 * math.pi * (t % period) / period)


def draw_exercise(
    s: pygame.Surface, ui: Ui, rect: pygame.Rect, name: str, side: str, t: float = 0.0
) -> None:
    """The picture of exercise ``name`` for the working leg ``side`` at time ``t`` (s)."""
    th = ui.theme
    panel(s, ui, rect, color=th.panel, edge=th.panel_edge)
    # The figure stays above the "left leg" label (easy mode's type is larger).
    label_h = ui.line_h(20) + ui.px(4)
    inner = pygame.Rect(
        rect.left + ui.px(12),
        rect.top + ui.px(12),
        rect.w - ui.px(24),
        rect.h - ui.px(16) - label_h,
    )
    body, work = th.text, th.accent
    k = _wave(t)
    # Standing figures face the viewer: the person's left is the picture's right.
    flip = side == "right"
    pen = _Pen(s, ui, inner, flip)
    if name in ("side-lying-clam", "side-lying-leg-raise"):
        # Lying on the other side, head to the left; the top leg is the working one.
        pen = _Pen(s, ui, inner, False)
        pen.floor(0.86, th.dim)
        pen.head((0.12, 0.68), body)
        hip = (0.52, 0.74)
        pen.line([(0.18, 0.72), hip], body)  # trunk
        pen.line([(0.22, 0.72), (0.30, 0.84)], body)  # arm on the floor
        if name == "side-lying-clam":
            pen.line([hip, (0.70, 0.60), (0.86, 0.80)], th.dim)  # bottom leg, knee bent
            knee = (0.70 - 0.05 * k, 0.60 - 0.30 * k)
            pen.line([hip, knee, (0.86, 0.78)], work)  # top knee opens, feet together
        else:
            pen.line([hip, (0.95, 0.80)], th.dim)
            pen.line([hip, (0.94, 0.74 - 0.38 * k)], work)  # straight top leg lifts
    elif name == "crab-walk":
        dx = 0.10 * k
        pen.floor(0.92, th.dim)
        hip_l, hip_r = (0.44 + dx, 0.55), (0.56 + dx, 0.55)
        pen.head((0.50 + dx, 0.12), body)
        pen.line([(0.50 + dx, 0.20), (0.50 + dx, 0.55)], body)
        pen.line([(0.50 + dx, 0.30), (0.36 + dx, 0.45)], body)
        pen.line([(0.50 + dx, 0.30), (0.64 + dx, 0.45)], body)
        pen.line([hip_l, (0.34 + dx, 0.73), (0.30 + dx, 0.92)], body)
        pen.line([hip_r, (0.66 + dx * 2, 0.73), (0.72 + dx * 2, 0.92)], work)
        band = pygame.Rect(0, 0, int(inner.w * 0.42), int(inner.h * 0.10))
        band.center = _map(inner, (0.50 + dx * 1.5, 0.70), flip)
        pygame.draw.ellipse(s, th.good, band, max(2, ui.px(4)))
        a = _map(inner, (0.80, 0.30), flip)
        b = _map(inner, (0.96, 0.30), flip)
        pygame.draw.line(s, work, a, b, max(2, ui.px(5)))
        pygame.draw.polygon(
            s,
            work,
            [
                b,
                (a[0] + (b[0] - a[0]) * 0.6, b[1] - ui.px(12)),
                (a[0] + (b[0] - a[0]) * 0.6, b[1] + ui.px(12)),
            ],
        )
    else:
        # Standing on the working leg (on the picture's right for the left leg).
        squat = name == "single-leg-squat"
        dip = 0.10 * k if squat else 0.0
        pen.floor(0.94, th.dim)
        if name == "mirror-check":
            m = pygame.Rect(0, 0, int(inner.w * 0.22), int(inner.h * 0.80))
            m.midleft = (inner.left, inner.centery)
            pygame.draw.rect(s, th.water, m, max(2, ui.px(3)), border_radius=ui.px(6))
        pen.head((0.50, 0.12 + dip), body)
        hip_c = (0.50, 0.50 + dip)
        pen.line([(0.50, 0.20 + dip), hip_c], body)
        pen.line([(0.50, 0.30 + dip), (0.34, 0.44 + dip)], body)
        pen.line([(0.50, 0.30 + dip), (0.66, 0.44 + dip)], body)
        stance_hip, free_hip = (0.57, 0.50 + dip), (0.43, 0.50 + dip)
        pen.line([free_hip, stance_hip], body)
        if squat:
            pen.line([stance_hip, (0.66, 0.72), (0.58, 0.94)], work)
            pen.line([free_hip, (0.36, 0.62 + dip), (0.30, 0.76 + dip)], th.dim)
        else:
            pen.line([stance_hip, (0.58, 0.72), (0.58, 0.94)], work)
            lift = 0.6 + 0.4 * k if name == "step-up-hold" else 1.0
            # Seen from the front, the knee lifted toward hip height: a short thigh.
            knee = (0.36, 0.64 - 0.14 * lift)
            pen.line([free_hip, knee, (0.39, knee[1] + 0.22)], th.dim)
        # The level-pelvis cue: a dashed line across the hips.
        y = 0.50 + dip
        for i in range(6):
            a = _map(inner, (0.28 + i * 0.08, y), flip)
            b = _map(inner, (0.32 + i * 0.08, y), flip)
            pygame.draw.line(s, th.good, a, b, max(2, ui.px(3)))
    label = f"{side} leg" if name not in ("crab-walk",) else f"to your {side}"
    size, lines = ui.fit(label, 20, rect.w - ui.px(12), 1)
    ui.blit_text(
        s,
        lines[0],
        size,
        (rect.centerx, rect.bottom - ui.px(6) - label_h // 2),
        th.accent,
        box=rect,
    )
