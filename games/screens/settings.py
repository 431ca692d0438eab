"""Settings for the clinician, behind a PIN: volume, easy mode, hands-free, round length,
the PIN itself, adding a person, zeroing the board.

The PIN pad works with taps, the number keys, or the board's three buttons (left/right move,
the middle one presses). The default PIN is 1234; the settings screen says so until it is
changed.
"""

from __future__ import annotations

import time
from typing import Any

import pygame

from ..settings import DEFAULT_PIN, RECOVERY, GameSettings, PinGuard, PinVerdict
from ..sound_cards import list_cards, next_choice
from ..ui import panel
from ..widgets import (
    Choice,
    icon_back,
    icon_both_feet,
    icon_chart,
    icon_clock,
    icon_gear,
    icon_person,
)
from .base import ChoiceScreen, Confirm

KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "Del", "0", "OK"]


def pin_guard(app: Any) -> PinGuard:
    """The app's one :class:`PinGuard` (wrong PINs count across visits to the PIN pad, and
    across restarts: kept in the data folder on the wall clock)."""
    guard = getattr(app, "pin_guard", None)
    if guard is None:
        guard = PinGuard(time.time, getattr(app, "data_dir", None))
        app.pin_guard = guard
    return guard


class PinScreen(ChoiceScreen):
    """Enter the clinician PIN (or a new one, twice)."""

    name = "pin"
    columns = 3
    tile_w = 120
    tile_h = 64
    label_size = 34
    area = (220, 124, 360, 292)
    hands_free = False
    takes_text = True  # the digit keys type the PIN (Ctrl+digit drives the simulated person)
    easy_page = 0

    def __init__(self, app: Any, mode: str = "enter") -> None:
        super().__init__(app)
        self.mode = mode  # "enter" unlocks settings; "new" sets a new PIN
        self.entry = ""
        self.first = ""
        self.message = ""
        self._titles()

    def _titles(self) -> None:
        if self.mode == "enter":
            self.title = "Clinician PIN"
        else:
            self.title = "New PIN (4-8 digits)" if not self.first else "The new PIN again"
        self.subtitle = ""

    def build(self) -> list[Choice]:
        return [Choice(k, None, lambda k=k: self.key(k)) for k in KEYS]

    def key(self, k: str) -> None:
        if k == "Del":
            self.entry = self.entry[:-1]
        elif k == "OK":
            self.submit()
        elif k.isdigit() and len(self.entry) < 8:
            self.entry += k
            self.message = ""

    def submit(self) -> None:
        s: GameSettings = self.app.settings
        if self.mode == "enter":
            verdict = pin_guard(self.app).attempt(s, self.entry)
            self.entry = ""
            if verdict is PinVerdict.OPEN:
                self.app.show("settings")
                return
            if verdict is PinVerdict.LOCKED:
                self.message = f"Settings locked: {s.locked}; to unlock, {RECOVERY}"
            else:
                wait = pin_guard(self.app).wait_s()
                self.message = (
                    "That PIN is not right"
                    + (f"; wait {wait:.0f} s before the next try" if wait > 0 else "")
                    if verdict is PinVerdict.WRONG
                    else f"Too many wrong PINs: wait {wait:.0f} s"
                )
            self.app.play("soft_miss")
            return
        if not self.first:
            if not (self.entry.isdigit() and 4 <= len(self.entry) <= 8):
                self.message = "Use 4 to 8 digits"
                self.entry = ""
                return
            self.first, self.entry = self.entry, ""
            self._titles()
            return
        if self.entry != self.first:
            self.message = "The two PINs differ; start again"
            self.first = self.entry = ""
            self._titles()
            return
        s.set_pin(self.entry)
        self.app.save_settings()
        self.app.play("good")
        self.app.show("settings", note="PIN changed")

    def type_char(self, ch: str) -> bool:
        if ch == "\n":
            self.submit()
            return True
        if ch.isdigit() and len(ch) == 1:
            self.key(ch)
            return True
        return False

    def intent(self, name: str) -> None:
        if name == "back" and self.entry:
            self.key("Del")  # Backspace deletes a digit before it leaves
            return
        super().intent(name)

    def choose(self, i: int) -> None:
        self.app.play("move")
        self.key(KEYS[i])

    def back(self) -> None:
        self.app.show("settings" if self.mode == "new" else "menu")

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        ui = self.ui
        t = ui.theme
        n = max(4, len(self.entry))
        gap = ui.px(30)
        x0 = ui.w // 2 - gap * (n - 1) // 2
        for i in range(n):
            c = (x0 + i * gap, ui.y(96))
            if i < len(self.entry):
                pygame.draw.circle(surface, t.accent, c, ui.px(9))
            else:
                pygame.draw.circle(surface, t.panel_edge, c, ui.px(9), max(1, ui.px(2)))
        if self.message:
            for i, line in enumerate(ui.wrap(self.message, 24, ui.px(170))):
                ui.blit_text(surface, line, 24, (ui.x(690), ui.y(230 + 28 * i)), t.warn)


class SettingsScreen(ChoiceScreen):
    """The settings themselves; each tile changes one thing when chosen."""

    name = "settings"
    title = "Settings"
    # Four to a row, not five: eleven tiles at five a row were 134 px wide at 800x480, too
    # narrow for "Programme" (157 px at this size), which came out as "Progra-" / "mme".
    columns = 4
    tile_h = 148
    label_size = 22
    area = (20, 100, 760, 320)
    gap = 14.0
    hands_free = False
    # Easy mode: two tiles a page, 280 wide. "Programme" at easy mode's smallest text (36 px)
    # is about 236 px; three tiles a page are at most 238 wide (216 inside), so it was cut.
    easy_page = 2

    @property
    def tile_w(self) -> float:  # type: ignore[override]
        return 280.0 if self.app.easy else 180.0

    def __init__(self, app: Any, note: str = "") -> None:
        super().__init__(app)
        self.note = note

    def build(self) -> list[Choice]:
        s: GameSettings = self.app.settings
        self.subtitle = (
            f"The PIN is still {DEFAULT_PIN}: please change it"
            if s.pin_is_default
            else self.note or "Choose a setting to change it"
        )
        snd = self.app.sounds
        vol_sub = f"{s.volume} of 10"
        if not snd.available and not self.note and not s.pin_is_default:
            self.subtitle = "No sound device: volume and speech are silent"
        return [
            Choice("Volume", _volume_icon(s.volume), self._volume, sub=vol_sub),
            Choice(
                "Easy mode",
                _switch_icon(s.easy_mode),
                self._easy,
                sub="on" if s.easy_mode else "off",
            ),
            Choice(
                "Hands-free",
                _switch_icon(s.hands_free),
                self._hands_free,
                sub="on" if s.hands_free else "off",
            ),
            Choice(
                "Speech",
                _switch_icon(s.speech),
                self._speech,
                sub=("on" if s.speech else "off"),
            ),
            Choice("Sound card", _volume_icon(s.volume), self._sound_card, sub=self._card_sub()),
            Choice("Round length", icon_clock, self._round, sub=f"{s.round_s} s"),
            Choice("Change PIN", icon_gear, lambda: self.app.show("pin", mode="new")),
            Choice(
                "Add person",
                icon_person,
                self._add_person,
                sub="with a name" if self.app.records.available else "no store",
            ),
            Choice(
                "Zero board", icon_both_feet, lambda: self.app.show("zero", next_screen="settings")
            ),
            Choice(
                "Programme",
                icon_chart,
                lambda: self.app.show("programme"),
                sub=self.app.person.label,
            ),
            Choice("Done", icon_back, lambda: self.app.show("menu")),
        ]

    def _rebuild(self) -> None:
        sel = self.selected
        self.choices = self.build()
        self.selected = sel

    def _volume(self) -> None:
        s = self.app.settings
        s.volume = 0 if s.volume >= 10 else min(10, s.volume + 2)
        self.app.sounds.volume = s.volume
        self.app.save_settings()
        self.app.play("good")
        self._rebuild()

    def _easy(self) -> None:
        self.app.set_easy(not self.app.settings.easy_mode)
        self._rect_key = ()
        self._rebuild()

    def _speech(self) -> None:
        self.app.set_speech(not self.app.settings.speech)
        if self.app.settings.speech:
            self.app.say("Speech is on.")
        self._rebuild()

    def _card_sub(self) -> str:
        card = self.app.settings.sound_card
        if not card:
            return "default"
        found = [c for c in list_cards() if c.id == card]
        return found[0].label if found else f"{card} (not plugged in)"

    def _sound_card(self) -> None:
        # The default, then each card in /proc/asound/cards in turn: press until you hear it.
        s = self.app.settings
        s.sound_card = next_choice(s.sound_card, list_cards())
        self.app.save_settings()
        self.app.sounds.use_card(s.sound_card)
        if hasattr(self.app.speech, "device"):
            self.app.speech.device = self.app.sounds.device
        self.app.play("good")
        self._rebuild()

    def _hands_free(self) -> None:
        self.app.set_hands_free(not self.app.settings.hands_free)
        self._rebuild()

    def _round(self) -> None:
        s = self.app.settings
        opts = list(GameSettings.ROUND_CHOICES)
        s.round_s = opts[(opts.index(s.round_s) + 1) % len(opts)] if s.round_s in opts else 45
        self.app.save_settings()
        self._rebuild()

    def _add_person(self) -> None:
        if not self.app.records.available:
            self.note = "No store here: people are added with 'balance-trainer people add'"
            self._rebuild()
            return
        self.app.show("name")

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        if self.app.records.note:
            ui = self.ui
            ui.blit_text(surface, self.app.records.note, 18, (ui.w // 2, ui.y(98)), ui.theme.warn)

    def back(self) -> None:
        self.app.show("menu")


LETTERS = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "-", "Space", "Del", "OK"]


class NameScreen(ChoiceScreen):
    """A new person's name, typed on an on-screen keyboard (or a real one), then confirmed."""

    name = "name"
    title = "Name of the new person"
    tile_w = 90
    tile_h = 72
    label_size = 26
    area = (16, 196, 768, 214)
    gap = 8.0

    @property
    def columns(self) -> int:  # type: ignore[override]
        return 8 if self.app.easy else 10

    hands_free = False
    takes_text = True
    easy_page = 0
    MAX = 24

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.entry = ""
        self.pid = app.records.next_id() if app.records.available else ""

    def build(self) -> list[Choice]:
        return [Choice("_" if k == "Space" else k, None, lambda k=k: self.key(k)) for k in LETTERS]

    @property
    def subtitle(self) -> str:  # type: ignore[override]
        return f"Saved as {self.pid}: type the name, then OK"

    def key(self, k: str) -> None:
        if k == "Del":
            self.entry = self.entry[:-1]
        elif k == "OK":
            self.submit()
        elif len(self.entry) < self.MAX:
            ch = " " if k == "Space" else k
            self.entry += ch if not self.entry or self.entry.endswith(" ") else ch.lower()

    def type_char(self, ch: str) -> bool:
        if ch == "\n":
            self.submit()
            return True
        if ch.isprintable() and (ch.isalpha() or ch in " -'."):
            if len(self.entry) < self.MAX:
                self.entry += ch
            return True
        return False

    def intent(self, name: str) -> None:
        if name == "back" and self.entry and self.confirming is None:
            self.key("Del")
            return
        super().intent(name)

    def choose(self, i: int) -> None:
        self.app.play("move")
        self.key(LETTERS[i])

    def submit(self) -> None:
        name = " ".join(self.entry.split())
        if not name:
            self.app.play("soft_miss")
            return
        self.confirming = Confirm(f"Add {name} as {self.pid}?", "Add", lambda: self._add(name))
        self.app.hold.reset(self.app.now)

    def _add(self, name: str) -> None:
        p = self.app.records.add_person(name)
        note = f"Added {p.name} ({p.id})" if p else self.app.records.note or "Not added"
        self.app.play("good" if p else "soft_miss")
        self.app.show("settings", note=note)

    def back(self) -> None:
        self.app.show("settings")

    def draw(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        surface.blit(ui.background(), (0, 0))
        self.draw_title(surface, self.title, self.subtitle)
        top = self.rects()[0].top
        h = ui.font(30).get_height() + ui.px(8)
        box = pygame.Rect(ui.x(120), top - h - ui.px(8), ui.px(560), h)
        panel(surface, ui, box, color=t.bg_top, edge=t.accent, width=ui.px(3), radius=10)
        shown = self.entry + "|"
        size, lines = ui.fit(shown, 30, box.w - ui.px(20), 1)
        ui.blit_text(
            surface,
            lines[-1],
            size,
            (box.left + ui.px(10), box.centery),
            t.text,
            "midleft",
            box=box,
        )
        self.draw_tiles(surface)
        self.draw_footer(surface, "Letters: keys or taps.  OK: done.  Back: leave")
        self.draw_confirm(surface)


def _volume_icon(volume: int):
    def draw(s: pygame.Surface, ui: Any, r: pygame.Rect) -> None:
        t = ui.theme
        n = 5
        bw = r.w // (n * 2)
        for i in range(n):
            h = int(r.h * (0.25 + 0.15 * i))
            rr = pygame.Rect(r.left + r.w // 5 + i * bw * 3 // 2, r.bottom - h, bw, h)
            on = volume >= (i + 1) * 2
            pygame.draw.rect(s, t.good if on else t.panel_edge, rr, border_radius=max(2, bw // 4))

    return draw


def _switch_icon(on: bool):
    def draw(s: pygame.Surface, ui: Any, r: pygame.Rect) -> None:
        t = ui.theme
        w, h = int(r.w * 0.6), int(r.h * 0.45)
        box = pygame.Rect(0, 0, w, h)
        box.center = r.center
        pygame.draw.rect(s, t.good if on else t.panel_edge, box, border_radius=h // 2)
        knob = (box.right - h // 2, box.centery) if on else (box.left + h // 2, box.centery)
        pygame.draw.circle(s, (255, 255, 255), knob, h // 2 - max(2, h // 10))

    return draw
