"""Every screen is laid out at 800x480, 1280x720 and 1920x1080 with nothing clipped or
overlapping and no text under the type scale's floor (in easy mode too, at 800x480)."""

from __future__ import annotations

import pygame
import pytest
from game_helpers import run
from layout_check import draw_logged, layout_faults
from test_game_screens import options_for

from games.screens import SCREEN_NAMES
from games.ui import Drawn

SIZES = [(800, 480), (1280, 720), (1920, 1080)]
MENU_SCREENS = [n for n in SCREEN_NAMES if n not in ("spirit-level", "river", "squat-builder")]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", MENU_SCREENS)
def test_every_screen_lays_out_without_clipped_or_overlapping_text(app_factory, name, size):
    app = app_factory(name, size=size, **options_for(name))
    run(app, 0.5)
    log = draw_logged(app)
    assert any(d.kind == "text" for d in log), "nothing was logged: is the screen drawn?"
    faults = layout_faults(log, size, app.ui.u, easy=False)
    assert not faults, "\n".join(faults)


@pytest.mark.parametrize("name", MENU_SCREENS)
def test_every_screen_lays_out_in_easy_mode_at_800x480(app_factory, name):
    app = app_factory(name, size=(800, 480), easy=True, **options_for(name))
    run(app, 0.5)
    faults = layout_faults(draw_logged(app), (800, 480), app.ui.u, easy=True)
    assert not faults, "\n".join(faults)


def test_the_layout_check_catches_a_cut_caption_an_overlap_and_small_text():
    tile = pygame.Rect(0, 0, 100, 100)
    log = [
        Drawn("block", tile),
        Drawn("text", pygame.Rect(10, 10, 150, 30), box=tile, text="How long can you", px=24),
        Drawn("text", pygame.Rect(10, 200, 80, 30), text="Title", px=24),
        Drawn("text", pygame.Rect(40, 210, 80, 30), text="Subtitle", px=24),
        Drawn("text", pygame.Rect(300, 300, 80, 12), text="tiny", px=12),
    ]
    faults = "\n".join(layout_faults(log, (800, 480), 1.0, easy=False))
    assert "spills out of its box" in faults
    assert "'Title' overlaps 'Subtitle'" in faults
    assert "'tiny' is 12 px" in faults
