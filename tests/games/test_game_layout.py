"""Every screen is laid out at 800x480, 1280x720 and 1920x1080 with nothing clipped or
overlapping and no text under the type scale's floor (in easy mode too, at 800x480); on the
game screens, the heads-up line clears the person's badge and the simulated-board badge."""

from __future__ import annotations

import pygame
import pytest
from game_helpers import run
from layout_check import broken_words, draw_logged, layout_faults
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
    faults = layout_faults(log, size, app.ui.u, easy=False) + broken_words(log, tile_texts(app))
    assert not faults, "\n".join(faults)


def tile_texts(app) -> list[str]:
    """The labels and subs the screen's tiles were given (none on a screen without tiles)."""
    choices = getattr(app.screen, "choices", None) or []
    return [t for c in choices for t in (c.label, c.sub) if t]


@pytest.mark.parametrize("name", MENU_SCREENS)
def test_every_screen_lays_out_in_easy_mode_at_800x480(app_factory, name):
    app = app_factory(name, size=(800, 480), easy=True, **options_for(name))
    run(app, 0.5)
    log = draw_logged(app)
    faults = layout_faults(log, (800, 480), app.ui.u, easy=True) + broken_words(
        log, tile_texts(app)
    )
    assert not faults, "\n".join(faults)


def test_no_settings_page_breaks_a_word_in_easy_mode(app_factory):
    # Easy mode shows three tiles a page: look at every page, not just the first.
    app = app_factory("settings", size=(800, 480), easy=True)
    run(app, 0.5)
    screen = app.screen
    _, _, pages = screen.page
    assert pages > 1, "easy mode pages the settings"
    for k in range(pages):
        screen.selected = k * screen.easy_page
        log = draw_logged(app)
        faults = layout_faults(log, (800, 480), app.ui.u, easy=True)
        faults += broken_words(log, tile_texts(app))
        assert not faults, f"page {k + 1}: " + "\n".join(faults)


def test_the_word_check_tells_a_cut_word_from_a_hyphenated_one():
    tile = pygame.Rect(0, 0, 100, 100)
    log = [
        Drawn("text", pygame.Rect(10, 10, 80, 30), box=tile, text="Progra-", px=24),
        Drawn("text", pygame.Rect(10, 40, 80, 30), box=tile, text="Hands-", px=24),
    ]
    faults = broken_words(log, ["Programme", "Hands-free"])
    assert len(faults) == 1 and "'Progra-' breaks a word" in faults[0]


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


GAME_RUNS = {
    "spirit-level": (dict(side="left"), 9.0),
    "river": (dict(side="both"), 9.0),
    "squat-builder": (dict(side="left", scenario="squats-left"), 14.0),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", sorted(GAME_RUNS))
def test_the_game_hud_clears_the_person_badge_and_the_simulated_badge(app_factory, name, size):
    opts, seconds = GAME_RUNS[name]
    app = app_factory(name, size=size, **opts)
    run(app, seconds)
    assert app.screen.phase == "play"
    log = draw_logged(app)
    hud = [h for h in app.screen.hud() if h]
    hud_drawn = [d for d in log if d.kind == "text" and d.text in hud]
    assert len(hud_drawn) == len(hud) == 2, "the score and the right-hand HUD text are drawn"
    # The person's pill is painted, not logged: lay it into the log as a block, and check
    # the HUD against it and against the other badge texts with the common layout rules.
    pill = Drawn("block", app.screen._person_badge())
    label = app.screen._badge_label
    top_line = [
        d
        for d in log
        if d.kind == "text" and (d.text in hud or d.text == label or d.role == "badge")
    ]
    assert any(d.text == label for d in top_line), "the person's badge is drawn"
    faults = layout_faults([pill, *top_line], size, app.ui.u, easy=False)
    assert not faults, "\n".join(faults)
    for d in hud_drawn:
        assert not d.rect.colliderect(pill.rect), f"{d.text!r} runs under the person's badge"
        if app.badge_rect is not None:
            assert not d.rect.colliderect(app.badge_rect), f"{d.text!r} under SIMULATED"
