"""Reusable pieces of screen: tiles with icons and a dwell ring, the lean gauge, badges, bars.

Everything draws into a rectangle it is given, in pixels, and takes sizes from the
:class:`~games.ui.Ui` so it scales with the screen. Icons are drawn from shapes (no image files):
they stay sharp at any size and need no licence.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pygame

from .ui import Color, Ui, arrow, lerp_color, panel, ring, star

# -- icons -----------------------------------------------------------------------------------

Icon = Callable[[pygame.Surface, Ui, pygame.Rect], None]


def icon_level(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """A spirit level: a tube with a bubble in the middle band."""
    t = ui.theme
    tube = pygame.Rect(0, 0, int(r.w * 0.9), int(r.h * 0.34))
    tube.center = r.center
    pygame.draw.rect(s, (196, 230, 90), tube, border_radius=tube.h // 2)
    pygame.draw.rect(s, (40, 60, 20), tube, max(2, tube.h // 10), border_radius=tube.h // 2)
    for dx in (-tube.h * 0.7, tube.h * 0.7):
        x = int(tube.centerx + dx)
        pygame.draw.line(
            s, (40, 60, 20), (x, tube.top + 3), (x, tube.bottom - 3), max(2, tube.h // 12)
        )
    pygame.draw.ellipse(
        s,
        (255, 255, 255),
        pygame.Rect(0, 0, int(tube.h * 1.1), int(tube.h * 0.6)).move(
            int(tube.centerx - tube.h * 0.55), int(tube.centery - tube.h * 0.3)
        ),
    )
    del t


def icon_raft(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """A raft with a sail on a wave."""
    t = ui.theme
    w, h = r.w, r.h
    water = pygame.Rect(r.left, int(r.top + h * 0.68), w, int(h * 0.32))
    pygame.draw.rect(s, t.water, water, border_radius=max(2, h // 10))
    deck = pygame.Rect(0, 0, int(w * 0.62), int(h * 0.16))
    deck.midbottom = (r.centerx, int(r.top + h * 0.76))
    pygame.draw.rect(s, (150, 98, 50), deck, border_radius=max(2, deck.h // 3))
    for i in range(1, 4):
        x = deck.left + deck.w * i // 4
        pygame.draw.line(s, (110, 70, 35), (x, deck.top), (x, deck.bottom), max(1, w // 60))
    mast_x = r.centerx
    pygame.draw.line(
        s, (110, 70, 35), (mast_x, deck.top), (mast_x, int(r.top + h * 0.1)), max(2, w // 40)
    )
    pygame.draw.polygon(
        s,
        (255, 240, 220),
        [
            (mast_x + 3, int(r.top + h * 0.12)),
            (mast_x + 3, int(r.top + h * 0.58)),
            (int(mast_x + w * 0.3), int(r.top + h * 0.58)),
        ],
    )
    pygame.draw.polygon(
        s,
        (255, 90, 95),
        [
            (mast_x - 3, int(r.top + h * 0.2)),
            (mast_x - 3, int(r.top + h * 0.58)),
            (int(mast_x - w * 0.22), int(r.top + h * 0.58)),
        ],
    )


def icon_rocket(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """A stack of blocks with a rocket on top."""
    t = ui.theme
    bw, bh = int(r.w * 0.42), max(4, int(r.h * 0.13))
    colors = [t.good, (90, 170, 255), t.accent]
    y = r.bottom
    for c in colors:
        b = pygame.Rect(0, 0, bw, bh)
        b.midbottom = (r.centerx, y)
        pygame.draw.rect(s, c, b, border_radius=max(2, bh // 4))
        y -= bh + max(1, bh // 6)
    draw_rocket(s, (r.centerx, y - int(r.h * 0.26)), int(r.h * 0.5), flame=0.0)


def icon_clock(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """A stopwatch."""
    t = ui.theme
    rad = int(min(r.w, r.h) * 0.4)
    c = (r.centerx, r.centery + rad // 8)
    pygame.draw.rect(
        s,
        t.dim,
        pygame.Rect(c[0] - rad // 5, c[1] - rad - rad // 3, 2 * rad // 5, rad // 4),
        border_radius=3,
    )
    pygame.draw.circle(s, (255, 255, 255), c, rad)
    pygame.draw.circle(s, (40, 40, 60), c, rad, max(2, rad // 8))
    ring(s, t.bad, c, int(rad * 0.8), int(rad * 0.8), 0.3)
    pygame.draw.line(s, (40, 40, 60), c, (c[0], c[1] - int(rad * 0.75)), max(2, rad // 9))


def icon_chart(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """Rising bars."""
    t = ui.theme
    n = 4
    gap = r.w * 0.06
    bw = (r.w * 0.8 - gap * (n - 1)) / n
    x0 = r.left + r.w * 0.1
    for i in range(n):
        h = r.h * (0.3 + 0.17 * i)
        rr = pygame.Rect(int(x0 + i * (bw + gap)), int(r.bottom - h), int(bw), int(h))
        pygame.draw.rect(
            s, [t.bad, t.warn, t.accent, t.good][i], rr, border_radius=max(2, int(bw) // 5)
        )


def icon_gear(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """A cog wheel with a small lock: the clinician's settings."""
    t = ui.theme
    c = r.center
    rad = int(min(r.w, r.h) * 0.36)
    pts = []
    for i in range(32):
        a = 2 * math.pi * i / 32
        rr = rad if (i // 2) % 2 == 0 else rad * 0.78
        pts.append((c[0] + rr * math.cos(a), c[1] + rr * math.sin(a)))
    pygame.draw.polygon(s, t.dim, pts)
    pygame.draw.circle(s, t.panel, c, int(rad * 0.38))
    lock = pygame.Rect(0, 0, int(rad * 0.7), int(rad * 0.55))
    lock.topleft = (c[0] + int(rad * 0.45), c[1] + int(rad * 0.35))
    pygame.draw.circle(s, t.accent, (lock.centerx, lock.top), int(lock.w * 0.32), max(2, rad // 10))
    pygame.draw.rect(s, t.accent, lock, border_radius=max(2, rad // 10))


def icon_person(s: pygame.Surface, ui: Ui, r: pygame.Rect, color: Color | None = None) -> None:
    """A head and shoulders."""
    col = color or ui.theme.dim
    rad = int(min(r.w, r.h) * 0.2)
    pygame.draw.circle(s, col, (r.centerx, int(r.top + r.h * 0.32)), rad)
    body = pygame.Rect(0, 0, int(rad * 3.4), int(rad * 2.4))
    body.midtop = (r.centerx, int(r.top + r.h * 0.32 + rad * 1.25))
    # Only the top half of the ellipse: clip rather than paint over (tiles differ in colour).
    old = s.get_clip()
    s.set_clip(pygame.Rect(body.left, body.top, body.w, body.h // 2).clip(old))
    pygame.draw.ellipse(s, col, body)
    s.set_clip(old)


def icon_back(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """A curved arrow pointing back."""
    t = ui.theme
    c = r.center
    rad = int(min(r.w, r.h) * 0.3)
    ring(s, t.dim, (c[0] + rad // 4, c[1]), rad, max(3, rad // 3), 0.55, start_deg=-90)
    arrow(s, t.dim, (c[0] + rad // 4 - rad // 6, c[1] - rad + rad // 7), max(4, rad // 2), -1)


def icon_foot(side: str) -> Icon:
    """A footprint of the ``side`` foot, seen from above (big toe on the inside)."""

    def draw(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
        col = ui.theme.accent
        h = int(min(r.h, r.w * 1.8) * 0.8)
        w = int(h * 0.4)
        inner = 1 if side == "left" else -1  # the big toe is toward the other foot
        top = r.centery - h // 2 + int(h * 0.2)
        ball = pygame.Rect(0, 0, w, int(h * 0.42))
        ball.midtop = (r.centerx, top)
        heel = pygame.Rect(0, 0, int(w * 0.72), int(h * 0.34))
        heel.midbottom = (r.centerx - inner * int(w * 0.08), r.centery + h // 2)
        # The outer edge carries the foot from ball to heel; the arch on the inside is open.
        strip = pygame.Rect(0, 0, int(w * 0.55), heel.centery - ball.centery)
        strip.midtop = (r.centerx - inner * int(w * 0.18), ball.centery)
        pygame.draw.ellipse(s, col, ball)
        pygame.draw.ellipse(s, col, heel)
        pygame.draw.rect(s, col, strip, border_radius=strip.w // 3)
        for i in range(5):
            tr = max(2, int(w * (0.19 - 0.025 * i)))
            x = r.centerx + inner * int(w * (0.32 - 0.165 * i))
            y = top - tr - max(1, h // 40) + int(i * i * h * 0.006)
            pygame.draw.circle(s, col, (x, y), tr)

    return draw


def icon_both_feet(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    half = r.w // 2
    icon_foot("left")(s, ui, pygame.Rect(r.left + r.w // 10, r.top, half, r.h))
    icon_foot("right")(s, ui, pygame.Rect(r.centerx - r.w // 10, r.top, half, r.h))


def _figure(
    s: pygame.Surface, col: Color, r: pygame.Rect, *, knee_up: bool = False, squat: float = 0.0
) -> None:
    """A stick figure, seen from the front: on one leg (``knee_up``) or squatting (0..1)."""
    lw = max(2, r.w // 14)
    cx = r.centerx
    head_r = max(3, r.h // 10)
    top = r.top + head_r
    hip_y = int(r.top + r.h * (0.55 + 0.12 * squat))
    pygame.draw.circle(s, col, (cx, top), head_r)
    pygame.draw.line(s, col, (cx, top + head_r), (cx, hip_y), lw)
    sh_y = top + head_r + r.h // 10
    arm = r.w // 3
    pygame.draw.line(s, col, (cx - arm, sh_y + r.h // 8), (cx, sh_y), lw)
    pygame.draw.line(s, col, (cx + arm, sh_y + r.h // 8), (cx, sh_y), lw)
    foot_y = r.bottom - lw
    knee_dx = int(r.w * 0.18 * (1 + squat))
    knee_y = (hip_y + foot_y) // 2
    # Stance leg (the person's left: drawn on the right, as a mirror would show it).
    pygame.draw.lines(
        s, col, False, [(cx, hip_y), (cx + knee_dx // 2, knee_y), (cx + r.w // 10, foot_y)], lw
    )
    if knee_up:
        pygame.draw.lines(
            s,
            col,
            False,
            [(cx, hip_y), (cx - r.w // 4, knee_y - r.h // 10), (cx - r.w // 6, knee_y + r.h // 12)],
            lw,
        )
    else:
        pygame.draw.lines(
            s, col, False, [(cx, hip_y), (cx - knee_dx // 2, knee_y), (cx - r.w // 10, foot_y)], lw
        )
    pygame.draw.line(
        s, col, (r.left + r.w // 6, r.bottom - 1), (r.right - r.w // 6, r.bottom - 1), lw
    )


def icon_one_leg(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """The one-leg stand: a figure on one leg."""
    side = min(r.w, r.h)
    fr = pygame.Rect(0, 0, int(side * 0.7), side)
    fr.center = r.center
    _figure(s, ui.theme.accent, fr, knee_up=True)


def icon_squat(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """The one-leg squat: a figure bending, with an arrow down and up."""
    side = min(r.w, r.h)
    fr = pygame.Rect(0, 0, int(side * 0.7), side)
    fr.center = (r.centerx - side // 8, r.centery)
    _figure(s, ui.theme.accent, fr, knee_up=True, squat=0.8)
    x = fr.right + side // 10
    h = side // 2
    pygame.draw.line(
        s, ui.theme.good, (x, r.centery - h // 2), (x, r.centery + h // 2), max(2, side // 20)
    )
    arrow_sz = max(3, side // 12)
    for d in (-1, 1):
        y = r.centery + d * h // 2
        pygame.draw.polygon(
            s,
            ui.theme.good,
            [
                (x - arrow_sz, y - d * arrow_sz),
                (x + arrow_sz, y - d * arrow_sz),
                (x, y + d * arrow_sz // 2),
            ],
        )


def icon_hold(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """Hip stability: a figure on one leg inside a timer ring (a 30 second hold)."""
    side = min(r.w, r.h)
    c = r.center
    rad = int(side * 0.48)
    pygame.draw.circle(s, ui.theme.panel_edge, c, rad, max(2, side // 18))
    ring(s, ui.theme.good, c, rad, max(2, side // 18), 0.5)
    fr = pygame.Rect(0, 0, int(side * 0.45), int(side * 0.62))
    fr.center = c
    _figure(s, ui.theme.accent, fr, knee_up=True)


def icon_eyes(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """The senses test: an open eye and a closed one."""
    t = ui.theme
    side = min(r.w // 2, r.h)
    for i, is_open in enumerate((True, False)):
        cx = r.centerx + (2 * i - 1) * int(side * 0.55)
        e = pygame.Rect(0, 0, int(side * 0.95), int(side * 0.5))
        e.center = (cx, r.centery)
        lw = max(2, side // 14)
        if is_open:
            pygame.draw.ellipse(s, (255, 255, 255), e)
            pygame.draw.circle(s, (60, 120, 220), e.center, e.h // 2 - lw)
            pygame.draw.circle(s, (20, 20, 30), e.center, max(2, e.h // 5))
            pygame.draw.ellipse(s, t.text, e, lw)
        else:
            pygame.draw.arc(s, t.text, e, math.pi, 2 * math.pi, lw)
            for k in range(-1, 2):
                x = e.centerx + k * e.w // 4
                pygame.draw.line(
                    s, t.text, (x, e.centery + e.h // 2 - lw), (x + k * lw, e.bottom + lw), lw
                )


def icon_scale(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    """Weight symmetry: two feet, each over a bar of its share."""
    t = ui.theme
    side = min(r.w, r.h)
    bw = side // 4
    for i, (col, frac) in enumerate(((t.good, 0.8), (t.accent, 0.62))):
        x = r.centerx + (2 * i - 1) * int(side * 0.3) - bw // 2
        h = int(r.h * 0.9 * frac)
        pygame.draw.rect(s, col, pygame.Rect(x, r.bottom - h, bw, h), border_radius=max(2, bw // 5))
    pygame.draw.line(s, t.text, (r.centerx, r.top), (r.centerx, r.bottom), max(2, side // 30))


def icon_play(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    t = ui.theme
    rad = int(min(r.w, r.h) * 0.4)
    pygame.draw.circle(s, t.good, r.center, rad)
    arrow(s, (255, 255, 255), (r.centerx + rad // 8, r.centery), int(rad * 0.55), 1)


def icon_home(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
    t = ui.theme
    w = int(min(r.w, r.h) * 0.7)
    c = r.center
    roof = [(c[0] - w // 2 - w // 10, c[1]), (c[0], c[1] - w // 2), (c[0] + w // 2 + w // 10, c[1])]
    pygame.draw.polygon(s, t.dim, roof)
    pygame.draw.rect(s, t.dim, pygame.Rect(c[0] - w // 2 + w // 10, c[1], w - w // 5, w // 2))
    pygame.draw.rect(s, t.panel, pygame.Rect(c[0] - w // 10, c[1] + w // 6, w // 5, w // 3))


def initials_icon(text: str, color: Color) -> Icon:
    """A coloured disc with initials: a person's avatar."""

    def draw(s: pygame.Surface, ui: Ui, r: pygame.Rect) -> None:
        rad = int(min(r.w, r.h) * 0.42)
        pygame.draw.circle(s, color, r.center, rad)
        size = rad / max(ui.u, 1e-6) * (0.9 if len(text) <= 2 else 0.7)
        ui.blit_text(s, text[:3], size, r.center, (255, 255, 255))

    return draw


def draw_rocket(
    s: pygame.Surface, centre: tuple[int, int], height: int, *, flame: float = 0.0
) -> None:
    """A red-and-white rocket, nose up, ``height`` px tall; ``flame`` 0..1 lights the engine."""
    cx, cy = centre
    w = max(4, height // 3)
    body = pygame.Rect(0, 0, w, int(height * 0.62))
    body.center = (cx, cy)
    pygame.draw.rect(s, (240, 240, 245), body, border_radius=max(2, w // 3))
    pygame.draw.polygon(
        s,
        (255, 90, 95),
        [(body.left, body.top + 2), (body.right, body.top + 2), (cx, cy - height // 2)],
    )
    for d in (-1, 1):
        pygame.draw.polygon(
            s,
            (255, 90, 95),
            [
                (cx + d * w // 2, body.bottom - body.h // 3),
                (cx + d * (w // 2 + w // 2), body.bottom + w // 4),
                (cx + d * w // 2, body.bottom),
            ],
        )
    pygame.draw.circle(s, (90, 170, 255), (cx, body.top + body.h // 3), max(2, w // 4))
    if flame > 0:
        fl = int(height * 0.35 * flame)
        pygame.draw.polygon(
            s,
            (255, 170, 0),
            [(cx - w // 3, body.bottom), (cx + w // 3, body.bottom), (cx, body.bottom + fl)],
        )
        pygame.draw.polygon(
            s,
            (255, 240, 120),
            [
                (cx - w // 6, body.bottom),
                (cx + w // 6, body.bottom),
                (cx, body.bottom + fl * 2 // 3),
            ],
        )


# -- tiles -----------------------------------------------------------------------------------


@dataclass
class Choice:
    """One selectable item: a label, an icon, an optional second line and what it does."""

    label: str
    icon: Icon | None = None
    action: Callable[[], None] | None = None
    sub: str = ""
    key: str = ""
    confirm: str = ""
    """When set, choosing asks this question first (anything that starts a game or a test,
    or records something, is confirmed: a visible second step with a way back)."""
    yes: str = "Start"
    """The confirming button's word."""


def draw_tile(
    s: pygame.Surface,
    ui: Ui,
    rect: pygame.Rect,
    choice: Choice,
    *,
    selected: bool,
    dwell: float = 0.0,
    label_size: float = 26,
) -> None:
    """A tile: panel, icon, caption; the selected one is outlined and shows the hold ring.

    The selected tile keeps its rectangle (a lifted tile would cover its neighbours and the
    title). The tile itself is drawn once and cached (icons are many small shapes); only the
    ring is drawn every frame. ``dwell`` (0..1) is how far a deliberate lean-and-hold has got.
    """
    t = ui.theme
    r = rect
    icon = choice.icon
    key = (
        "tile",
        choice.label,
        choice.sub,
        getattr(icon, "__qualname__", None),
        id(icon),
        rect.w,
        rect.h,
        selected,
        label_size,
    )
    img = ui.cache.get(key)
    m = ui.px(4)
    if img is None or ui.log is not None:
        img = pygame.Surface((r.w + 2 * m, r.h + 2 * m), pygame.SRCALPHA)
        local = pygame.Rect(m, m, r.w, r.h)
        saved = ui.log_offset
        ui.log_offset = (r.left - m, r.top - m)
        try:
            _render_tile(img, ui, local, choice, selected=selected, label_size=label_size)
        finally:
            ui.log_offset = saved
        ui.cache_put(key, img)
    s.blit(img, (r.left - m, r.top - m))
    if selected and dwell > 0:
        rad = ui.px(20)
        c = (r.right - rad - ui.px(10), r.top + rad + ui.px(10))
        pygame.draw.circle(s, t.bg_top, c, rad + ui.px(3))
        ring(s, t.good, c, rad, ui.px(8), dwell)


def _render_tile(
    s: pygame.Surface, ui: Ui, r: pygame.Rect, choice: Choice, *, selected: bool, label_size: float
) -> None:
    t = ui.theme
    panel(
        s,
        ui,
        r,
        color=lerp_color(t.panel, t.accent, 0.18) if selected else t.panel,
        edge=t.accent if selected else t.panel_edge,
        width=ui.px(t.line_w + 3) if selected else None,
        radius=16,
    )
    inner_w = r.w - ui.px(16 if choice.icon is not None else 6)
    room = r.h - ui.px(16)
    # Captions wrap (shrinking to the floor of the type scale), never cut; a sub that does
    # not fit whole goes first, then the icon.
    size, lines = ui.fit(choice.label, label_size, inner_w, 2)
    sub_size, sub_lines = (0.0, [])
    if choice.sub:
        sub_size, sub_lines = ui.fit(choice.sub, label_size * 0.85, inner_w, 2)
    lh = ui.line_h(size)
    sh = ui.line_h(sub_size) if sub_lines else 0
    if sub_lines and lh * len(lines) + sh * len(sub_lines) > room:
        sub_lines = []  # all of it or none: half a sub ("with a" of "with a name") misleads
    text_h = lh * len(lines) + sh * len(sub_lines)
    colour = t.accent if selected else t.text
    icon_h = room - text_h - ui.px(6)
    if choice.icon is None or icon_h < ui.px(28):
        y = r.centery - text_h // 2  # a key of a keypad, or no room: the label is the tile
    else:
        y = r.bottom - ui.px(8) - text_h
        icon_rect = pygame.Rect(r.left + ui.px(14), r.top + ui.px(10), r.w - ui.px(28), icon_h)
        choice.icon(s, ui, icon_rect)
    for line in lines:
        ui.blit_text(s, line, size, (r.centerx, y), colour, anchor="midtop", box=r)
        y += lh
    for line in sub_lines:
        ui.blit_text(s, line, sub_size, (r.centerx, y), t.dim, anchor="midtop", box=r)
        y += sh


def tile_rects(
    ui: Ui,
    n: int,
    area: pygame.Rect,
    *,
    columns: int | None = None,
    max_w: float = 190,
    max_h: float = 250,
    gap: float = 22,
) -> list[pygame.Rect]:
    """Lay ``n`` tiles out in a grid filling ``area`` (pixels), centred."""
    if n == 0:
        return []
    cols = columns or n
    rows = math.ceil(n / cols)
    g = ui.px(gap)
    w = min(ui.px(max_w), (area.w - g * (cols - 1)) // cols)
    h = min(ui.px(max_h), (area.h - g * (rows - 1)) // rows)
    total_h = rows * h + (rows - 1) * g
    out = []
    for i in range(n):
        row, col = divmod(i, cols)
        in_row = min(cols, n - row * cols)
        row_w = in_row * w + (in_row - 1) * g
        x = area.centerx - row_w // 2 + col * (w + g)
        y = area.centery - total_h // 2 + row * (h + g)
        out.append(pygame.Rect(x, y, w, h))
    return out


# -- gauges and badges -----------------------------------------------------------------------


def draw_lean_gauge(
    s: pygame.Surface, ui: Ui, centre: tuple[int, int], lean: float, active: bool
) -> None:
    """A small bar with a dot: how far the person leans toward a step (±1 = a step)."""
    t = ui.theme
    w, h = ui.px(150), ui.px(14)
    r = pygame.Rect(0, 0, w, h)
    r.center = centre
    pygame.draw.rect(s, t.panel, r, border_radius=h // 2)
    pygame.draw.rect(s, t.panel_edge, r, max(1, ui.px(2)), border_radius=h // 2)
    for d in (-1, 1):
        x = r.centerx + d * (w // 2 - ui.px(14))
        pygame.draw.line(
            s, t.accent, (x, r.top - ui.px(3)), (x, r.bottom + ui.px(3)), max(1, ui.px(2))
        )
        arrow(
            s,
            t.accent if active else t.dim,
            (r.centerx + d * (w // 2 + ui.px(16)), r.centery),
            ui.px(10),
            d,
        )
    if active:
        x = r.centerx + int(max(-1.1, min(1.1, lean)) * (w // 2 - ui.px(14)))
        pygame.draw.circle(s, t.good if abs(lean) < 1 else t.accent, (x, r.centery), ui.px(10))


def draw_badge(
    s: pygame.Surface,
    ui: Ui,
    text: str,
    color: Color,
    *,
    topright: bool = True,
    y: float = 8,
    small: bool = False,
) -> pygame.Rect:
    """A rounded label in a corner. ``small``: outside the type scale (the SIMULATED BOARD
    badge, a note for whoever set the app up, not for the person on the board)."""
    if small:
        img = ui.badge_font(15).render(text, True, (255, 255, 255))
    else:
        img = ui.text(text, 24, (255, 255, 255))
    r = img.get_rect()
    box = r.inflate(ui.px(16), ui.px(8))
    if topright:
        box.topright = (ui.w - ui.px(8), ui.px(y))
    else:
        box.topleft = (ui.px(8), ui.px(y))
    pygame.draw.rect(s, color, box, border_radius=box.h // 2)
    r.center = box.center
    s.blit(img, r)
    ui.note("text", r, text=text, px=img.get_height(), role="badge" if small else "")
    return box


def draw_stars(
    s: pygame.Surface, ui: Ui, centre: tuple[int, int], n: int, size: float = 34, total: int = 3
) -> None:
    t = ui.theme
    rad = ui.px(size)
    gap = int(rad * 2.3)
    x0 = centre[0] - gap * (total - 1) // 2
    for i in range(total):
        c = (x0 + i * gap, centre[1] - (ui.px(10) if i == 1 else 0))
        if i < n:
            star(s, t.accent, c, rad, outline=(120, 80, 0))
        else:
            star(s, t.panel, c, rad, outline=t.panel_edge)


def draw_fill_bar(
    s: pygame.Surface,
    ui: Ui,
    rect: pygame.Rect,
    fraction: float,
    color: Color,
    *,
    vertical: bool = False,
) -> None:
    """A progress bar filled ``fraction`` (0..1)."""
    t = ui.theme
    pygame.draw.rect(s, t.panel, rect, border_radius=ui.px(10))
    f = max(0.0, min(1.0, fraction))
    if f > 0:
        if vertical:
            fr = pygame.Rect(rect.left, rect.bottom - int(rect.h * f), rect.w, int(rect.h * f))
        else:
            fr = pygame.Rect(rect.left, rect.top, int(rect.w * f), rect.h)
        pygame.draw.rect(s, color, fr, border_radius=ui.px(10))
    pygame.draw.rect(s, t.panel_edge, rect, max(1, ui.px(2)), border_radius=ui.px(10))


def draw_message_box(
    s: pygame.Surface,
    ui: Ui,
    title: str,
    lines: list[str],
    *,
    color: Color | None = None,
    dim_background: bool = True,
) -> None:
    """A centred box over a darkened screen: pauses, warnings, prompts."""
    t = ui.theme
    if dim_background:
        shade = pygame.Surface((ui.w, ui.h), pygame.SRCALPHA)
        shade.fill((0, 0, 0, 170))
        s.blit(shade, (0, 0))
    box = ui.rect(90, 110, 620, 260)
    panel(s, ui, box, color=t.bg_top, edge=color or t.accent, width=ui.px(5), radius=22)
    ui.blit_text(s, title, 44, (box.centerx, box.top + ui.px(52)), color or t.accent)
    y = box.top + ui.px(112)
    for line in lines:
        for part in ui.wrap(line, 28, box.w - ui.px(50)):
            ui.blit_text(s, part, 28, (box.centerx, y), t.text)
            y += ui.px(34)
