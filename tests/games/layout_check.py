"""Lays a drawn frame out from the Ui's log and lists what a person could not read."""

from __future__ import annotations

from typing import Any

import pygame

from games.ui import EASY_MIN_TEXT, MIN_TEXT, Drawn

TOLERANCE_PX = 1
"""Antialiasing and rounding: a pixel's overlap or overhang is not a fault."""


def _overlap(a: pygame.Rect, b: pygame.Rect) -> bool:
    c = a.clip(b)
    return c.w > TOLERANCE_PX and c.h > TOLERANCE_PX


def _inside(inner: pygame.Rect, outer: pygame.Rect) -> bool:
    return outer.inflate(2 * TOLERANCE_PX, 2 * TOLERANCE_PX).contains(inner)


def draw_logged(app: Any) -> list[Drawn]:
    """Draw ``app``'s current frame afresh (no cached pieces) and return the log."""
    ui = app.ui
    ui.cache.clear()
    ui.log = []
    try:
        app.draw()
        return list(ui.log)
    finally:
        ui.log = None


def layout_faults(log: list[Drawn], size: tuple[int, int], u: float, easy: bool) -> list[str]:
    """Every clipped, overlapping or too small text in one frame's log, one line each."""
    screen = pygame.Rect(0, 0, *size)
    texts = [d for d in log if d.kind == "text" and d.text.strip()]
    blocks = [d for d in log if d.kind == "block"]
    out: list[str] = []
    floor = (EASY_MIN_TEXT if easy else MIN_TEXT) * u
    for d in texts:
        if d.role != "badge" and d.px + 1 < floor:
            out.append(f"{d.text!r} is {d.px} px, under the floor of {floor:.0f} px")
        if not _inside(d.rect, screen):
            out.append(f"{d.text!r} at {tuple(d.rect)} runs off the screen")
        if d.box is not None and not _inside(d.rect, d.box):
            out.append(f"{d.text!r} at {tuple(d.rect)} spills out of its box {tuple(d.box)}")
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if _overlap(a.rect, b.rect):
                out.append(f"{a.text!r} overlaps {b.text!r}")
    for d in texts:
        for b in blocks:
            if _overlap(d.rect, b.rect) and not _inside(d.rect, b.rect):
                out.append(f"{d.text!r} at {tuple(d.rect)} overlaps the edge of {tuple(b.rect)}")
    for i, a in enumerate(blocks):
        for b in blocks[i + 1 :]:
            if _overlap(a.rect, b.rect) and not (
                _inside(a.rect, b.rect) or _inside(b.rect, a.rect)
            ):
                out.append(f"panel {tuple(a.rect)} overlaps panel {tuple(b.rect)}")
    return out


def broken_words(log: list[Drawn], texts: list[str]) -> list[str]:
    """Boxed lines (tile captions) that end in a word broken mid-word, one line each.

    ``texts`` are what the boxes were given (the tiles' labels and subs): a line ending in
    ``"Hands-"`` from ``"Hands-free"`` breaks at the word's own hyphen and is fine; one ending
    in ``"Progra-"`` from ``"Programme"`` is a word cut in two.
    """
    words = {w for t in texts for w in t.split()}
    faults = []
    for d in log:
        if d.kind != "text" or d.box is None or not d.text.split():
            continue
        last = d.text.split()[-1]
        if len(last) > 1 and last.endswith("-") and not any(w.startswith(last) for w in words):
            faults.append(f"{d.text!r} breaks a word mid-word in its box {tuple(d.box)}")
    return faults
