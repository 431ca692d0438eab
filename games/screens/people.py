"""Who is training? The people in the store, and a guest who plays without being saved."""

from __future__ import annotations

import zlib

from ..records import GUEST, PersonRef
from ..widgets import Choice, icon_person, initials_icon
from .base import ChoiceScreen

AVATAR_COLOURS = [
    (233, 87, 87),
    (64, 156, 255),
    (60, 200, 120),
    (245, 166, 35),
    (170, 110, 230),
    (30, 190, 200),
    (240, 110, 180),
    (140, 160, 60),
]
MAX_TILES = 7


def _initials(p: PersonRef) -> str:
    words = p.label.split()
    if len(words) >= 2:
        return (words[0][0] + words[-1][0]).upper()
    return p.label[:3]


class PeopleScreen(ChoiceScreen):
    """Pick a person (or Guest); then the board is zeroed."""

    name = "people"
    title = "Who is training?"
    subtitle = "Choose your name, or play as a guest"
    tile_w = 160
    tile_h = 220
    sim_stance = "both"

    def build(self) -> list[Choice]:
        people = self.app.records.people()
        # The most recent people would be best; the store lists by id, so keep the first few.
        out = []
        for p in people[:MAX_TILES]:
            colour = AVATAR_COLOURS[zlib.crc32(p.id.encode()) % len(AVATAR_COLOURS)]
            out.append(
                Choice(
                    p.label,
                    initials_icon(_initials(p), colour),
                    lambda p=p: self.pick(p),
                    sub=p.id if p.name else "",
                )
            )
        out.append(Choice("Guest", icon_person, lambda: self.pick(GUEST), sub="not saved"))
        if not people:
            self.subtitle = "Play as a guest (add people in Settings)"
        # Start on the person who trained last in this run, if any.
        for i, p in enumerate([*people[:MAX_TILES], GUEST]):
            if p.id == self.app.person.id and not self.app.person.guest:
                self.selected = i
        return out

    def pick(self, person: PersonRef) -> None:
        self.app.person = person
        from .session import first_screen_for  # a person with a programme starts with it

        self.app.show("zero", next_screen=first_screen_for(self.app))

    def back(self) -> None:
        """Already the first screen."""
