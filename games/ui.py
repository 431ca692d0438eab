"""Look and scale: colours, fonts, cached text and drawing helpers for every screen.

Screens lay themselves out relative to the surface they are given, in *design units* of an
800 × 480 screen: :meth:`Ui.px` turns design units into pixels with one uniform factor
(``min(w / 800, h / 480)``), so text and shapes stay sharp at 1920 × 1080 instead of being a
blown-up 800 × 480 picture; the spare width of a wider screen goes to margins and backgrounds.

Text is the expensive part of a frame, so rendered strings are cached by (text, size, colour).

**Type scale by physical size.** The 7-inch Raspberry Pi touchscreen shows 800 × 480 pixels on
an active area of about 156 × 87 mm (0.195 mm per pixel), and it is read standing on the board,
an arm's length or more away. So no text is set below :data:`MIN_TEXT` design units (24 px there:
an em of 4.7 mm, capitals of 3.4 mm in DejaVu Sans Bold, whose cap height is 0.73 em), and easy
mode raises that floor 1.5 times, to :data:`EASY_MIN_TEXT` (36 px, 7 mm). Text is drawn in the
shipped DejaVu Sans Bold (``assets/fonts``, Bitstream Vera licence), whole strings at a time,
which has none of the letter-spacing gaps of pygame's default font.

**Layout log.** With :attr:`Ui.log` set to a list, every text drawn and every panel or tile is
recorded as a :class:`Drawn` (its rectangle, the box it must stay in, its size), so a test can lay
out every screen at several sizes and fail on clipped, overlapping or too small text.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygame

BASE_W, BASE_H = 800, 480

FONT_DIR = Path(__file__).resolve().parent / "assets" / "fonts"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"

MIN_TEXT = 24.0
"""The smallest text on any screen, design units (24 px at 800 × 480: 4.7 mm on a 7-inch Pi)."""
EASY_MIN_TEXT = 1.5 * MIN_TEXT
"""Easy mode's smallest text, design units (1.5 × :data:`MIN_TEXT`)."""
EASY_GROWTH = 1.2
"""Easy mode grows text already above its floor by this factor (titles stay on the screen)."""

Color = tuple[int, int, int]


@dataclass(frozen=True)
class Theme:
    """Colours of one look. ``easy`` is the high-contrast look for older adults."""

    name: str
    bg_top: Color
    bg_bottom: Color
    panel: Color
    panel_edge: Color
    text: Color
    dim: Color
    accent: Color
    good: Color
    warn: Color
    bad: Color
    water: Color
    water_deep: Color
    sim_badge: Color
    line_w: int = 3
    easy: bool = False


NORMAL = Theme(
    name="normal",
    bg_top=(16, 28, 58),
    bg_bottom=(30, 52, 96),
    panel=(34, 56, 102),
    panel_edge=(74, 108, 170),
    text=(255, 255, 255),
    dim=(176, 192, 222),
    accent=(255, 210, 63),
    good=(61, 220, 132),
    warn=(255, 159, 28),
    bad=(255, 90, 95),
    water=(30, 136, 229),
    water_deep=(21, 101, 192),
    sim_badge=(255, 120, 40),
)

EASY = Theme(
    name="easy",
    bg_top=(0, 0, 0),
    bg_bottom=(10, 10, 20),
    panel=(28, 28, 36),
    panel_edge=(255, 255, 255),
    text=(255, 255, 255),
    dim=(230, 230, 230),
    accent=(255, 230, 0),
    good=(0, 230, 118),
    warn=(255, 170, 0),
    bad=(255, 82, 82),
    water=(0, 110, 220),
    water_deep=(0, 70, 160),
    sim_badge=(255, 140, 0),
    line_w=5,
    easy=True,
)

TEXT_CACHE_SIZE = 400


@dataclass(frozen=True)
class Drawn:
    """One thing drawn this frame, for layout checks (see :attr:`Ui.log`).

    Attributes
    ----------
    kind : str
        ``text`` or ``block`` (a panel, tile or bar that text must not spill onto).
    rect : pygame.Rect
        Where it was drawn, pixels.
    box : pygame.Rect or None
        The box it must stay inside (a tile for its caption), pixels; None: the screen.
    text : str
        The text ('' for a block).
    px : int
        The font size, pixels (0 for a block).
    role : str
        ``badge`` for the simulated-board badge (exempt from the size floor), else ''.
    """

    kind: str
    rect: pygame.Rect
    box: pygame.Rect | None = None
    text: str = ""
    px: int = 0
    role: str = ""


class Ui:
    """Scaling, fonts and cached text for one surface size and theme."""

    def __init__(self, size: tuple[int, int], theme: Theme = NORMAL) -> None:
        self.theme = theme
        self._fonts: dict[tuple[int, str], pygame.font.Font] = {}
        self._text: OrderedDict[tuple[Any, ...], pygame.Surface] = OrderedDict()
        self._bg: pygame.Surface | None = None
        self.cache: OrderedDict[tuple[Any, ...], pygame.Surface] = OrderedDict()
        """Pre-drawn pieces (tiles, panels), cleared when the size or the look changes."""
        self.log: list[Drawn] | None = None
        """When a list: every text and block drawn is appended (layout tests)."""
        self.log_offset = (0, 0)
        """Added to logged rects while drawing into an off-screen piece (a cached tile)."""
        self.resize(size)

    def resize(self, size: tuple[int, int]) -> None:
        self.w, self.h = int(size[0]), int(size[1])
        self.u = min(self.w / BASE_W, self.h / BASE_H)
        # The 800 × 480 design area, centred: layouts that must keep their shape use it.
        self.ox = (self.w - BASE_W * self.u) / 2
        self.oy = (self.h - BASE_H * self.u) / 2
        self._bg = None
        if hasattr(self, "cache"):
            self.cache.clear()

    def set_theme(self, theme: Theme) -> None:
        if theme is not self.theme:
            self.theme = theme
            self._text.clear()
            self.cache.clear()
            self._bg = None

    # -- scale -------------------------------------------------------------------------------
    def px(self, v: float) -> int:
        """Design units → pixels."""
        return int(round(v * self.u))

    def x(self, v: float) -> int:
        """Design x (0..800) → pixel x inside the centred design area."""
        return int(round(self.ox + v * self.u))

    def y(self, v: float) -> int:
        """Design y (0..480) → pixel y inside the centred design area."""
        return int(round(self.oy + v * self.u))

    def rect(self, x: float, y: float, w: float, h: float) -> pygame.Rect:
        """A design-unit rectangle in pixels."""
        return pygame.Rect(self.x(x), self.y(y), self.px(w), self.px(h))

    def cache_put(self, key: tuple[Any, ...], surface: pygame.Surface) -> None:
        self.cache[key] = surface
        if len(self.cache) > 128:
            self.cache.popitem(last=False)

    # -- text --------------------------------------------------------------------------------
    def text_px(self, size: float) -> int:
        """Pixels of text of ``size`` design units, after the floor and easy mode's growth."""
        size = max(size, MIN_TEXT)
        if self.theme.easy:
            size = max(EASY_MIN_TEXT, size * EASY_GROWTH)
        return max(8, self.px(size))

    def font(self, size: float) -> pygame.font.Font:
        """The app's font (DejaVu Sans Bold) at ``size`` design units (see :meth:`text_px`)."""
        return self._font_px(self.text_px(size))

    def _font_px(self, px: int, role: str = "") -> pygame.font.Font:
        key = (px, role)
        f = self._fonts.get(key)
        if f is None:
            path = FONT_BOLD if FONT_BOLD.exists() else None
            f = pygame.font.Font(path, px)
            self._fonts[key] = f
        return f

    def badge_font(self, size: float) -> pygame.font.Font:
        """A small label outside the type scale (the simulated-board badge), ``size`` units."""
        return self._font_px(max(8, self.px(size)), "badge")

    def text(self, s: str, size: float, color: Color | None = None) -> pygame.Surface:
        """Rendered text, cached."""
        color = color or self.theme.text
        key = (s, size, color, self.u, self.theme.easy)
        surf = self._text.get(key)
        if surf is not None:
            self._text.move_to_end(key)
            return surf
        surf = self.font(size).render(s, True, color)
        self._text[key] = surf
        if len(self._text) > TEXT_CACHE_SIZE:
            self._text.popitem(last=False)
        return surf

    def note(
        self,
        kind: str,
        rect: pygame.Rect,
        *,
        box: pygame.Rect | None = None,
        text: str = "",
        px: int = 0,
        role: str = "",
    ) -> None:
        """Log something drawn (only while :attr:`log` is a list)."""
        if self.log is None:
            return
        dx, dy = self.log_offset
        moved = rect.move(dx, dy)
        self.log.append(
            Drawn(kind, moved, box.move(dx, dy) if box is not None else None, text, px, role)
        )

    def blit_text(
        self,
        surface: pygame.Surface,
        s: str,
        size: float,
        pos: tuple[int, int],
        color: Color | None = None,
        anchor: str = "center",
        shadow: bool = False,
        box: pygame.Rect | None = None,
    ) -> pygame.Rect:
        """Draw text with ``pos`` (pixels) at the rect point named by ``anchor``.

        ``box`` is where the text belongs (a tile, a panel), for the layout log.
        """
        img = self.text(s, size, color)
        r = img.get_rect(**{anchor: pos})
        self.note("text", self._ink(s, size, r), box=box, text=s, px=self.text_px(size))
        if shadow:
            sh = self.text(s, size, (0, 0, 0))
            surface.blit(sh, r.move(max(1, self.px(2)), max(1, self.px(2))))
        surface.blit(img, r)
        return r

    def _ink(self, s: str, size: float, r: pygame.Rect) -> pygame.Rect:
        """The part of a text's rect that holds glyphs: the line box less the leading, so two
        lines set at the font's line height do not count as overlapping."""
        f = self.font(size)
        top = max(0, f.get_ascent() - int(f.get_height() * 0.80))
        h = int(f.get_height() * 0.80) + max(0, -f.get_descent()) // 2
        del s
        return pygame.Rect(r.left, r.top + top, r.w, max(1, min(r.h - top, h)))

    def line_h(self, size: float) -> int:
        """Line spacing for ``size`` text, pixels."""
        return int(self.font(size).get_linesize() * 1.02)

    def fit(
        self, s: str, size: float, width_px: int, max_lines: int, min_size: float = 0
    ) -> tuple[float, list[str]]:
        """The largest size from ``size`` down to ``min_size`` (default :data:`MIN_TEXT`)
        at which ``s`` wraps into ``max_lines`` lines no wider than ``width_px``; the lines.

        When even the smallest size needs more lines, all the lines are returned (the caller
        must make room): text is wrapped, never cut.
        """
        floor = min_size or MIN_TEXT
        sz = size
        words = len(s.split())
        while True:
            lines = self.wrap(s, sz, width_px)
            broken = any(ln.endswith("-") for ln in lines) and len(lines) > words
            fits = len(lines) <= max_lines and not broken
            if fits or sz <= floor:
                return sz, lines
            sz = max(floor, sz - 2)

    def wrap(self, s: str, size: float, width_px: int) -> list[str]:
        """Split ``s`` into lines no wider than ``width_px`` in this font.

        A word wider than the whole line is broken with a hyphen rather than left to run out.
        """
        f = self.font(size)
        out: list[str] = []
        for para in s.split("\n"):
            line = ""
            for word in para.split():
                while f.size(word)[0] > width_px and len(word) > 2:
                    # At a hyphen the word has when one fits ("Hands-" / "free"), else where
                    # the line ends, with a hyphen added.
                    cuts = [i + 1 for i, c in enumerate(word[:-1]) if c == "-"]
                    fit = [k for k in cuts if f.size(word[:k])[0] <= width_px]
                    if fit:
                        head, word = word[: fit[-1]], word[fit[-1] :]
                    else:
                        k = len(word) - 1
                        while k > 1 and f.size(word[:k] + "-")[0] > width_px:
                            k -= 1
                        head, word = word[:k] + "-", word[k:]
                    if line:
                        out.append(line)
                        line = ""
                    out.append(head)
                trial = f"{line} {word}".strip()
                if f.size(trial)[0] <= width_px or not line:
                    line = trial
                else:
                    out.append(line)
                    line = word
            out.append(line)
        return out

    # -- backgrounds -------------------------------------------------------------------------
    def background(self) -> pygame.Surface:
        """The theme's vertical gradient at the full surface size (made once per size)."""
        if self._bg is None:
            t = self.theme
            bg = pygame.Surface((self.w, self.h))
            for yy in range(self.h):
                a = yy / max(1, self.h - 1)
                c = tuple(int(t.bg_top[i] + (t.bg_bottom[i] - t.bg_top[i]) * a) for i in range(3))
                pygame.draw.line(bg, c, (0, yy), (self.w, yy))
            self._bg = bg.convert() if pygame.display.get_surface() else bg
        return self._bg


# -- shapes ----------------------------------------------------------------------------------


def panel(
    surface: pygame.Surface,
    ui: Ui,
    rect: pygame.Rect,
    *,
    color: Color | None = None,
    edge: Color | None = None,
    width: int | None = None,
    radius: float = 14,
) -> None:
    """A rounded panel with an edge line."""
    t = ui.theme
    r = ui.px(radius)
    ui.note("block", rect)
    pygame.draw.rect(surface, color or t.panel, rect, border_radius=r)
    lw = width if width is not None else max(1, ui.px(t.line_w * 0.7))
    if lw:
        pygame.draw.rect(surface, edge or t.panel_edge, rect, lw, border_radius=r)


def ring(
    surface: pygame.Surface,
    color: Color,
    centre: tuple[int, int],
    radius: int,
    width: int,
    fraction: float,
    start_deg: float = -90.0,
) -> None:
    """A thick arc from the top clockwise, ``fraction`` (0..1) of a full ring.

    Drawn as one polygon: ``pygame.draw.arc`` leaves gaps in thick arcs.
    """
    fraction = max(0.0, min(1.0, fraction))
    if fraction <= 0 or radius <= 0:
        return
    n = max(8, int(64 * fraction))
    a0 = math.radians(start_deg)
    span = 2 * math.pi * fraction
    r_in = max(1, radius - width)
    outer = [
        (
            centre[0] + radius * math.cos(a0 + span * i / n),
            centre[1] + radius * math.sin(a0 + span * i / n),
        )
        for i in range(n + 1)
    ]
    inner = [
        (
            centre[0] + r_in * math.cos(a0 + span * i / n),
            centre[1] + r_in * math.sin(a0 + span * i / n),
        )
        for i in range(n, -1, -1)
    ]
    pygame.draw.polygon(surface, color, outer + inner)


def star(
    surface: pygame.Surface,
    color: Color,
    centre: tuple[int, int],
    radius: int,
    *,
    outline: Color | None = None,
    width: int = 0,
) -> None:
    """A five-pointed star."""
    pts = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.45
        a = math.radians(-90 + 36 * i)
        pts.append((centre[0] + r * math.cos(a), centre[1] + r * math.sin(a)))
    pygame.draw.polygon(surface, color, pts, width)
    if outline is not None:
        pygame.draw.polygon(surface, outline, pts, max(1, radius // 8))


def arrow(
    surface: pygame.Surface, color: Color, centre: tuple[int, int], size: int, direction: int
) -> None:
    """A solid triangle pointing left (``direction`` -1) or right (+1)."""
    cx, cy = centre
    d = direction
    pygame.draw.polygon(
        surface,
        color,
        [(cx + d * size, cy), (cx - d * size * 0.6, cy - size), (cx - d * size * 0.6, cy + size)],
    )


def lerp_color(a: Color, b: Color, t: float) -> Color:
    t = max(0.0, min(1.0, t))
    return (
        int(a[0] + (b[0] - a[0]) * t),
        int(a[1] + (b[1] - a[1]) * t),
        int(a[2] + (b[2] - a[2]) * t),
    )
