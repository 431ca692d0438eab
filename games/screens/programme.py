"""The clinician's programme screens, reached from Settings (behind the PIN).

``programme``: the person's current programme, adherence (sets done vs prescribed, streak, the
last four weeks) and the changes its rules propose, with Apply / Dismiss. ``programme-edit``:
which of the six exercises, their sides (left, right or both), sets, repetitions or hold time,
rest and notes, and the days per week; Save stores a new version (the old ones are kept, see
:mod:`balance_trainer.programme_store`). Notes are typed on the on-screen keyboard of "Add
person" (``programme-notes``, :class:`NotesScreen`); the draft waits in the editor meanwhile.

Input: left/right move, select takes or changes (in the editor: select starts changing a number,
left/right change it, select again ends; on a switch or the sides select changes it, on the
notes it opens the keyboard), back leaves; every control can be tapped.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from datetime import timedelta
from typing import Any

import pygame

from balance_trainer.programme import (
    EXERCISES,
    MAX_HOLD_S,
    MAX_REPS,
    MAX_SETS,
    Dose,
    Prescription,
    Programme,
)

from ..ui import panel
from ..widgets import Choice
from .base import ChoiceScreen, Screen
from .session import programme_store_for, today_for
from .settings import NameScreen

DEFAULT_DOSE: dict[str, tuple[int, int, float | None, float]] = {
    # sets, reps (holds per set for holds), hold_s, rest_s
    "side-lying-clam": (2, 12, None, 20.0),
    "side-lying-leg-raise": (2, 10, None, 20.0),
    "step-up-hold": (3, 1, 20.0, 30.0),
    "crab-walk": (2, 10, None, 30.0),
    "single-leg-squat": (2, 8, None, 45.0),
    "mirror-check": (1, 1, 15.0, 10.0),
}


class ProgrammeScreen(ChoiceScreen):
    """The programme at a glance, for the clinician."""

    name = "programme"
    title = "Programme"
    tile_w = 170
    tile_h = 64
    label_size = 22
    area = (40, 404, 720, 64)
    hands_free = False  # a clinician's screen: buttons and taps

    def build(self) -> list[Choice]:
        self.info: list[str] = []
        self.proposal: Any = None
        self.calendar: list[tuple[Any, str]] = []
        self.ps = programme_store_for(self.app)
        self.current: Any = None
        out: list[Choice] = []
        if self.ps is None:
            self.subtitle = "Choose a person first (Change player)"
            return [Choice("Back", None, self.back)]
        pid = self.app.person.id
        try:
            self.current = self.ps.current(pid)
            pending = self.ps.proposals(pid, "proposed")
            from balance_trainer.adherence import adherence

            a = adherence(self.ps.versions(pid), self.ps.sessions(pid), today_for(self.app))
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            self.subtitle = f"Cannot read the programme: {exc}"
            return [Choice("Back", None, self.back)]
        self.subtitle = f"{self.app.person.label}"
        if self.current is None:
            self.info = [
                "No programme yet.",
                "Edit makes one, or from a file:",
                f"balance-trainer programme set {pid} plan.toml",
            ]
        else:
            self.subtitle += f" - version {self.current.version}"
            prog = self.current.programme
            pct = "-" if a.pct is None else f"{a.pct:.0f} %"
            self.info = [
                f"Done {pct} of sets ({a.sets_done} of {a.sets_prescribed})",
                f"Streak {a.streak}, best {a.best_streak}",
                f"{prog.days_per_week} days a week from {prog.start:%d %b}",
            ] + [f"{e.info.title}: {e.dose_text()}" for e in prog.exercises]
            self.calendar = [(m.day, m.status) for m in a.calendar[-28:]]
        if pending:
            self.proposal = pending[-1]
            p = self.proposal.proposal
            self.info.append(f"Proposed: {p.reason} -> {p.field} {p.old:g} to {p.new:g}")
            out += [
                Choice("Apply", None, lambda: self._decide(True)),
                Choice("Dismiss", None, lambda: self._decide(False)),
            ]
        out += [
            Choice("Edit", None, lambda: self.app.show("programme-edit")),
            Choice("Done", None, self.back),
        ]
        return out

    def _decide(self, apply: bool) -> None:
        try:
            self.ps.decide(self.proposal.id, apply=apply, by="clinician")
        except Exception as exc:  # noqa: BLE001
            self.app.records.note = f"not changed: {exc}"
        self.enter()

    def back(self) -> None:
        self.app.show("settings")

    def draw(self, surface: pygame.Surface) -> None:
        Screen.draw(self, surface)
        ui = self.ui
        t = ui.theme
        top = self.draw_title(surface, self.title, self.subtitle)
        rects = self.rects()
        bottom = (min(r.top for r in rects) if rects else ui.h) - ui.px(8)
        box = pygame.Rect(ui.px(24), top + ui.px(8), ui.w - ui.px(48), 0)
        box.height = bottom - box.top
        panel(surface, ui, box)
        cal_w = self._calendar_width() if self.calendar else 0
        width = box.w - ui.px(28) - cal_w
        y = box.top + ui.px(8)
        size = 24
        for line in self.info:
            fsize, parts = ui.fit(line, size, width, 1)
            for part in parts:
                if y + ui.line_h(fsize) > box.bottom - ui.px(4):
                    break
                ui.blit_text(
                    surface, part, fsize, (box.left + ui.px(14), y), t.text, "topleft", box=box
                )
                y += ui.line_h(fsize)
        self._draw_calendar(surface, box)
        from ..widgets import draw_tile

        for i, (c, r) in enumerate(zip(self.choices, rects, strict=True)):
            draw_tile(surface, ui, r, c, selected=i == self.selected, label_size=self.label_size)

    def _calendar_width(self) -> int:
        ui = self.ui
        return 7 * (ui.px(16) + ui.px(4)) + ui.px(12)

    def _draw_calendar(self, surface: pygame.Surface, box: pygame.Rect) -> None:
        """The last four weeks, a row per week, a square per day (filled: trained)."""
        if not self.calendar:
            return
        ui = self.ui
        t = ui.theme
        col = {
            "done": t.good,
            "extra": t.good,
            "partial": t.accent,
            "skipped": t.warn,
            "missed": t.bad,
        }
        size = ui.px(16)
        x0 = box.right - self._calendar_width()
        y0 = box.top + ui.px(12)
        first = self.calendar[0][0]
        monday = first - timedelta(days=first.weekday())
        for day, st in self.calendar:
            w = (day - monday).days // 7
            r = pygame.Rect(
                x0 + day.weekday() * (size + ui.px(4)), y0 + w * (size + ui.px(4)), size, size
            )
            if st in col:
                pygame.draw.rect(surface, col[st], r, border_radius=ui.px(3))
            else:
                pygame.draw.rect(surface, t.panel_edge, r, 1, border_radius=ui.px(3))


class FieldKind(enum.Enum):
    """What a row of the editor holds, and so how it changes."""

    NUMBER = "number"  # select starts changing; left/right or -/+ step it
    SWITCH = "switch"  # on/off: select or -/+ flips it
    SIDES = "sides"  # both/left/right: select or + goes on, - goes back
    TEXT = "text"  # the notes: select or Edit opens the keyboard


SIDE_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("both", ("left", "right")),
    ("left", ("left",)),
    ("right", ("right",)),
)
"""The sides an exercise can be done on, in the order the editor steps through them."""


def sides_label(sides: tuple[str, ...]) -> str:
    """``both``, ``left`` or ``right`` for an exercise's sides."""
    return "both" if len(sides) > 1 else sides[0]


def next_sides(sides: tuple[str, ...], direction: int) -> tuple[str, ...]:
    """The sides one step on (``direction`` +1) or back (-1) from ``sides``."""
    labels = [k for k, _ in SIDE_CHOICES]
    i = (labels.index(sides_label(sides)) + direction) % len(SIDE_CHOICES)
    return SIDE_CHOICES[i][1]


@dataclasses.dataclass
class _Field:
    label: str
    get: Any
    set: Any
    lo: float
    hi: float
    step: float
    kind: FieldKind = FieldKind.NUMBER
    exercise: str = ""


class ProgrammeEditScreen(Screen):
    """Change the programme: one value per row; Save makes a new version."""

    name = "programme-edit"
    hands_free = False
    rows_visible = 7

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.ps = programme_store_for(app)
        self.error = ""
        self.sel = 0
        self.editing = False
        self.top = 0
        self.buttons: list[tuple[pygame.Rect, Any]] = []
        self.saved_version: int | None = None
        self.days = 5
        self.dose: dict[str, list[Any]] = {}
        """name -> [on, sets, reps, hold_s, rest_s, sides, notes] (see :data:`_D`)."""
        self.base: Programme | None = None
        self.fields: list[_Field] = []
        self.loaded = False

    def enter(self) -> None:
        # Back from the notes keyboard the draft is kept: only the first entry reads the store.
        if self.loaded:
            return
        if self.ps is None:
            self.error = "Choose a person first."
            return
        self.loaded = True
        cur = self.ps.current(self.app.person.id)
        self.base = cur.programme if cur else None
        if self.base is not None:
            self.days = self.base.days_per_week
        have = {e.name: e for e in (self.base.exercises if self.base else ())}
        for name in EXERCISES:
            e = have.get(name)
            if e is not None:
                self.dose[name] = [True, e.sets, e.reps, e.hold_s, e.rest_s, e.sides, e.notes]
            else:
                s, r, h, rest = DEFAULT_DOSE[name]
                self.dose[name] = [self.base is None, s, r, h, rest, ("left", "right"), ""]
        self.fields = self._fields()

    def _fields(self) -> list[_Field]:
        out = [_Field("Days per week", lambda: self.days, self._set_days, 1, 7, 1)]
        for name, info in EXERCISES.items():
            d = self.dose[name]
            out.append(
                _Field(
                    info.title,
                    lambda d=d: "on" if d[0] else "off",
                    lambda v, d=d: d.__setitem__(0, not d[0]),
                    0,
                    1,
                    1,
                    FieldKind.SWITCH,
                    name,
                )
            )
            out.append(
                _Field(
                    "   sides",
                    lambda d=d: sides_label(d[_D.SIDES]),
                    lambda v, d=d: d.__setitem__(_D.SIDES, next_sides(d[_D.SIDES], int(v))),
                    -1,
                    1,
                    1,
                    FieldKind.SIDES,
                    name,
                )
            )
            out.append(
                _Field(
                    "   sets", lambda d=d: d[1], lambda v, d=d: d.__setitem__(1, v), 1, MAX_SETS, 1
                )
            )
            if info.dose is Dose.HOLD:
                out.append(
                    _Field(
                        "   hold s",
                        lambda d=d: d[3],
                        lambda v, d=d: d.__setitem__(3, v),
                        5,
                        MAX_HOLD_S,
                        5,
                    )
                )
            else:
                out.append(
                    _Field(
                        "   reps",
                        lambda d=d: d[2],
                        lambda v, d=d: d.__setitem__(2, v),
                        1,
                        MAX_REPS,
                        1,
                    )
                )
            out.append(
                _Field("   rest s", lambda d=d: d[4], lambda v, d=d: d.__setitem__(4, v), 0, 300, 5)
            )
            out.append(
                _Field(
                    "   notes",
                    lambda d=d: d[_D.NOTES],
                    lambda v, d=d: d.__setitem__(_D.NOTES, str(v)),
                    0,
                    0,
                    0,
                    FieldKind.TEXT,
                    name,
                )
            )
        return out

    def _set_days(self, v: float) -> None:
        self.days = int(v)

    def change(self, i: int, direction: int) -> None:
        f = self.fields[i]
        if f.kind is FieldKind.TEXT:
            self.edit_notes(f)
            return
        if f.kind is FieldKind.SWITCH:
            f.set(None)
        elif f.kind is FieldKind.SIDES:
            f.set(direction)
        else:
            v = f.get()
            f.set(type(v)(max(f.lo, min(f.hi, v + direction * f.step))))
        self.app.play("move")

    def edit_notes(self, f: _Field) -> None:
        """The keyboard for ``f``'s exercise's notes; it comes back here with the draft."""
        self.app.play("select")
        self.app.switch(NotesScreen(self.app, editor=self, exercise=f.exercise))

    def set_notes(self, exercise: str, text: str) -> None:
        """The keyboard's OK: ``exercise``'s notes in the draft (stored by Save)."""
        self.dose[exercise][_D.NOTES] = text

    def intent(self, name: str) -> None:
        if self.error:
            self.app.show("programme")
            return
        n = len(self.fields) + 2  # the rows, then Save and Cancel
        if self.editing and name in ("left", "right"):
            self.change(self.sel, 1 if name == "right" else -1)
        elif name in ("left", "right"):
            self.sel = (self.sel + (1 if name == "right" else -1)) % n
            self.app.play("move")
        elif name == "select":
            if self.sel == len(self.fields):
                self.save()
            elif self.sel == len(self.fields) + 1:
                self.app.show("programme")
            elif self.fields[self.sel].kind is not FieldKind.NUMBER:
                self.change(self.sel, 1)
            else:
                self.editing = not self.editing
        elif name == "back":
            if self.editing:
                self.editing = False
            else:
                self.app.show("programme")

    def save(self) -> None:
        ex = []
        for name, (on, sets, reps, hold, rest, sides, notes) in self.dose.items():
            if not on:
                continue
            ex.append(
                Prescription(
                    name,
                    tuple(sides),
                    int(sets),
                    int(reps),
                    None if hold is None else float(hold),
                    float(rest),
                    " ".join(str(notes).split()),
                )
            )
        if not ex:
            self.error = "Switch on at least one exercise."
            return
        today = today_for(self.app)
        if self.base is not None:
            days = self.base.days if len(self.base.days) == self.days else ()
            prog = dataclasses.replace(
                self.base, exercises=tuple(ex), days_per_week=self.days, days=days
            )
            rules = tuple(r for r in prog.rules if r.exercise in {e.name for e in ex})
            prog = dataclasses.replace(prog, rules=rules)
        else:
            prog = Programme(tuple(ex), self.days, today, today + timedelta(weeks=6))
        try:
            prog = Programme.from_dict(prog.to_dict(), "the edited programme")
            got = self.ps.set_programme(
                self.app.person.id, prog, author="clinician", reason="changed in the app"
            )
        except Exception as exc:  # noqa: BLE001
            self.error = f"Not saved: {exc}"
            return
        self.saved_version = got.version
        self.app.play("done")
        self.app.show("programme")

    def handle_event(self, event: pygame.event.Event) -> None:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for rect, action in list(self.buttons):
                if rect.collidepoint(event.pos):
                    action()
                    return

    def _draw_text_row(
        self, surface: pygame.Surface, row: pygame.Rect, f: _Field, i: int, btn_w: int
    ) -> None:
        """A notes row: the label, the start of the notes (one line), an Edit button."""
        ui = self.ui
        t = ui.theme
        edit = pygame.Rect(0, row.top + ui.px(3), 2 * btn_w + ui.px(114), row.h - ui.px(6))
        edit.right = row.right - ui.px(4)
        panel(surface, ui, edit, radius=6)
        ui.blit_text(surface, "Edit", 24, edit.center, t.text, box=edit)
        self.buttons.append((edit, lambda: self.edit_notes(f)))
        label_left = row.left + ui.px(30)
        img = ui.text("notes", 24)
        ui.blit_text(surface, "notes", 24, (label_left, row.centery), t.text, "midleft", box=row)
        note = str(f.get()) or "none"
        room = pygame.Rect(label_left + img.get_width() + ui.px(16), row.top, 0, row.h)
        room.width = edit.left - ui.px(10) - room.left
        shown = _one_line(ui, note, 22, room.w)
        ui.blit_text(surface, shown, 22, (room.left, row.centery), t.dim, "midleft", box=room)

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        self.buttons = []
        self.row_rects: dict[int, pygame.Rect] = {}  # the rows shown, by field (for taps)
        ui = self.ui
        t = ui.theme
        top = self.draw_title(surface, "Change the programme", self.app.person.label)
        if self.error:
            box = pygame.Rect(ui.px(40), top + ui.px(20), ui.w - ui.px(80), ui.px(200))
            size, lines = ui.fit(self.error, 26, box.w, 3)
            y = box.top
            for line in lines:
                ui.blit_text(surface, line, size, (ui.w // 2, y), t.warn, "midtop")
                y += ui.line_h(size)
            return
        row_h = ui.line_h(24) + ui.px(10)
        gap = ui.px(4)
        area_top = top + ui.px(8)
        area_bottom = ui.h - ui.px(84)
        visible = max(1, (area_bottom - area_top) // (row_h + gap))
        if self.sel < len(self.fields):
            self.top = max(0, min(self.sel - visible // 2, len(self.fields) - visible))
        btn_w = ui.px(64)
        for k in range(visible):
            i = self.top + k
            if i >= len(self.fields):
                break
            f = self.fields[i]
            row = pygame.Rect(ui.px(40), area_top + k * (row_h + gap), ui.w - ui.px(80), row_h)
            self.row_rects[i] = row
            on = i == self.sel
            panel(
                surface,
                ui,
                row,
                color=t.accent if on and self.editing else t.panel,
                edge=t.text if on else t.panel_edge,
                radius=8,
            )
            fg = (20, 20, 30) if on and self.editing else t.text
            if f.kind is FieldKind.TEXT:
                self._draw_text_row(surface, row, f, i, btn_w)
                continue
            plus = pygame.Rect(
                row.right - ui.px(4) - btn_w, row.top + ui.px(3), btn_w, row.h - ui.px(6)
            )
            value = pygame.Rect(plus.left - ui.px(110), row.top, ui.px(106), row.h)
            minus = pygame.Rect(value.left - ui.px(4) - btn_w, plus.top, btn_w, plus.h)
            label_w = minus.left - row.left - ui.px(20)
            size, lines = ui.fit(f.label.strip(), 24, label_w, 1)
            indent = ui.px(30) if f.label.startswith(" ") else ui.px(12)
            ui.blit_text(
                surface,
                lines[0],
                size,
                (row.left + indent, row.centery),
                fg,
                anchor="midleft",
                box=row,
            )
            v = f.get()
            text = v if isinstance(v, str) else f"{v:g}"
            vsize, vlines = ui.fit(text, 24, value.w, 1)
            ui.blit_text(surface, vlines[0], vsize, value.center, fg, box=value)
            for rect, label, d in ((minus, "-", -1), (plus, "+", 1)):
                panel(surface, ui, rect, radius=6)
                ui.blit_text(surface, label, 24, rect.center, t.text, box=rect)
                self.buttons.append((rect, lambda i=i, d=d: self.change(i, d)))
        for j, (label, action) in enumerate(
            (("Save", self.save), ("Cancel", lambda: self.app.show("programme")))
        ):
            rect = pygame.Rect(0, ui.h - ui.px(72), ui.px(200), ui.px(64))
            rect.centerx = ui.w // 2 + (j * 2 - 1) * ui.px(115)
            on = self.sel == len(self.fields) + j
            panel(
                surface,
                ui,
                rect,
                color=t.accent if on else t.panel,
                edge=t.text if on else t.panel_edge,
            )
            ui.blit_text(surface, label, 26, rect.center, (20, 20, 30) if on else t.text, box=rect)
            self.buttons.append((rect, action))


class _D:
    """Indices into :attr:`ProgrammeEditScreen.dose`'s lists."""

    ON, SETS, REPS, HOLD, REST, SIDES, NOTES = range(7)


def _one_line(ui: Any, text: str, size: float, width: int) -> str:
    """``text`` cut at a word to fit ``width`` pixels on one line, with "..." when cut."""
    f = ui.font(size)
    if f.size(text)[0] <= width:
        return text
    words = text.split()
    while words and f.size(" ".join(words) + " ...")[0] > width:
        words.pop()
    return (" ".join(words) + " ...") if words else "..."


# --- the notes keyboard ----------------------------------------------------------------------

LETTER_KEYS = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "123", "Space", "Del", "OK"]
SIGN_KEYS = [*"1234567890", *".,-'?!():/", "ABC", "Space", "Del", "OK"]
TYPED = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890 .,-'?!():/%+")
"""What a real keyboard may type here (the TOML file allows any text; the screen keeps to
what its keys can also write, plus % and +)."""


class NotesScreen(NameScreen):
    """Type an exercise's notes; OK hands them to the editor, Back returns to it.

    Opened from the programme editor (:class:`ProgrammeEditScreen`) with the editor itself, so
    OK and Back return to the same draft: nothing is stored until the editor's Save, which makes
    a new version like every other change.

    The keyboard has two pages: letters (``123`` turns to digits and punctuation, ``ABC`` back),
    then Space, Del and OK. Notes are written as sentences: a letter is a capital at the start and
    after a full stop, lower case elsewhere. Back deletes a letter while there is text; on an empty
    entry it leaves without changing the notes (OK on an empty entry clears them).
    """

    name = "programme-notes"
    MAX = 200
    """Characters; the file allows 2,000, a note read before a set should be short."""

    def __init__(self, app: Any, editor: Any = None, exercise: str = "") -> None:
        # NameScreen.__init__ would reserve a person id; only the keyboard is wanted.
        super(NameScreen, self).__init__(app)
        if editor is None:  # opened on its own (the layout tests): edit the first exercise
            editor = ProgrammeEditScreen(app)
            editor.enter()
        self.editor = editor
        names = [n for n, d in editor.dose.items() if d[0]] or list(editor.dose) or [""]
        self.exercise = exercise or names[0]
        info = EXERCISES.get(self.exercise)
        self.what = info.title if info else "the exercise"
        self.entry = editor.dose[self.exercise][6] if self.exercise in editor.dose else ""
        self.signs = False

    @property
    def keys(self) -> list[str]:
        return SIGN_KEYS if self.signs else LETTER_KEYS

    def build(self) -> list[Choice]:
        return [
            Choice("_" if k == "Space" else k, None, functools.partial(self.key, k))
            for k in self.keys
        ]

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Notes: {self.what}"

    @property
    def subtitle(self) -> str:  # type: ignore[override]
        return "Shown before each set"

    def key(self, k: str) -> None:
        if k in ("123", "ABC"):
            self.signs = k == "123"
            self.choices = self.build()
            self._rect_key = ()
            self.selected = min(self.selected, len(self.choices) - 1)
        elif k == "Del":
            self.entry = self.entry[:-1]
        elif k == "OK":
            self.submit()
        elif len(self.entry) < self.MAX:
            ch = " " if k == "Space" else k
            if ch.isalnum() and self.entry[-1:] in (".", ",", "?", "!", ":"):
                self.entry += " "  # typing on after a note's last sentence
            self.entry += ch.upper() if self._sentence_start() else ch.lower()

    def _sentence_start(self) -> bool:
        before = self.entry.rstrip()
        return not before or before[-1] in ".?!"

    def type_char(self, ch: str) -> bool:
        if ch == "\n":
            self.submit()
            return True
        if ch in TYPED:
            if len(self.entry) < self.MAX:
                self.entry += ch
            return True
        return False

    def choose(self, i: int) -> None:
        self.app.play("move")
        self.key(self.keys[i])

    @property
    def area(self) -> tuple[int, int, int, int]:  # type: ignore[override]
        """The keys sit lower than the name keyboard's, so the entry shows two lines of notes;
        easy mode's four rows of larger keys need the room, so it shows one."""
        return NameScreen.area if self.app.easy else (16, 236, 768, 190)

    def draw(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        surface.blit(ui.background(), (0, 0))
        self.draw_title(surface, self.title, self.subtitle)
        top = self.rects()[0].top
        lh = ui.line_h(26)
        rows = 1 if self.app.easy else 2
        box = pygame.Rect(ui.x(60), 0, ui.px(680), rows * lh + ui.px(12))
        box.bottom = top - ui.px(8)
        panel(surface, ui, box, color=t.bg_top, edge=t.accent, width=ui.px(3), radius=10)
        size, lines = ui.fit(self.entry + "|", 26, box.w - ui.px(20), rows)
        y = box.top + ui.px(6)
        for line in lines[-rows:]:  # the end of a long note, where the typing is
            ui.blit_text(surface, line, size, (box.left + ui.px(10), y), t.text, "topleft", box=box)
            y += lh
        self.draw_tiles(surface)
        self.draw_footer(surface, "Letters: keys or taps.  OK: done.  Back: leave")
        self.draw_confirm(surface)

    def submit(self) -> None:
        """OK: the notes go into the editor's draft; the editor is shown again."""
        if self.exercise in self.editor.dose:
            self.editor.set_notes(self.exercise, " ".join(self.entry.split()))
        self.app.play("good")
        self.app.switch(self.editor)

    def back(self) -> None:
        self.app.switch(self.editor)
