"""Key screens compared with reference pictures, within a tolerance.

Each screen is drawn headless in virtual time on the seeded simulator, so the same code draws
the same picture. Small differences (a font hinting change between SDL_ttf builds, a pixel of
anti-aliasing) are tolerated; a moved panel, a missing bubble or a wrong colour is not.

On a mismatch the test writes the actual frame and an amplified difference picture to a
temporary folder and names them in the failure. After a deliberate change of the look, write
new references with ``BT_UPDATE_REFERENCE=1 pytest tests/games/test_reference_images.py``
and look at them before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pygame
import pytest
from game_helpers import REFERENCE, make_app, run

MAX_CHANGED = 0.015
"""Largest share of pixels allowed to differ by more than :data:`PIXEL_STEP`."""
PIXEL_STEP = 48
MAX_MEAN_DIFF = 3.0
"""Largest mean absolute difference per channel (0-255)."""

CASES = {
    "menu_800x480": dict(start="menu", seconds=0.5),
    "menu_1920x1080": dict(start="menu", seconds=0.5, size=(1920, 1080)),
    "menu_easy": dict(start="menu", seconds=0.5, easy=True),
    "spirit_level": dict(start="spirit-level", seconds=9.0, side="left"),
    "river": dict(start="river", seconds=9.0, side="both"),
    "squat_builder": dict(start="squat-builder", seconds=14.0, side="left", scenario="squats-left"),
}


def compare(actual: np.ndarray, expected: np.ndarray) -> tuple[float, float]:
    """(share of pixels changed by more than PIXEL_STEP, mean absolute difference)."""
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    changed = float((diff.max(axis=2) > PIXEL_STEP).mean())
    return changed, float(diff.mean())


@pytest.mark.parametrize("name", sorted(CASES))
def test_screen_matches_its_reference_picture(name, tmp_path_factory):
    case = dict(CASES[name])
    seconds = case.pop("seconds")
    start = case.pop("start")
    app = make_app(start, **case)
    try:
        run(app, seconds)
        actual = pygame.surfarray.array3d(app.surface)
        ref_path = REFERENCE / f"{name}.png"
        if os.environ.get("BT_UPDATE_REFERENCE"):
            REFERENCE.mkdir(parents=True, exist_ok=True)
            pygame.image.save(app.surface, str(ref_path))
            pytest.skip(f"wrote {ref_path}")
        assert ref_path.is_file(), f"no reference {ref_path}; see this module's docstring"
        expected = pygame.surfarray.array3d(pygame.image.load(str(ref_path)))
        assert expected.shape == actual.shape, f"{name}: size {actual.shape} vs {expected.shape}"
        changed, mean = compare(actual, expected)
        if changed > MAX_CHANGED or mean > MAX_MEAN_DIFF:
            out = Path(tmp_path_factory.mktemp(f"diff-{name}"))
            pygame.image.save(app.surface, str(out / f"{name}-actual.png"))
            amp = np.clip(np.abs(actual.astype(np.int16) - expected) * 4, 0, 255).astype(np.uint8)
            pygame.image.save(pygame.surfarray.make_surface(amp), str(out / f"{name}-diff.png"))
            pytest.fail(
                f"{name}: {changed:.1%} of pixels changed (mean diff {mean:.2f}); see {out}"
            )
    finally:
        app.close()


def test_the_comparison_catches_a_moved_panel_and_forgives_a_faint_change():
    base = np.zeros((200, 100, 3), dtype=np.uint8)
    base[50:90, 20:60] = 200
    faint = base.copy()
    faint[50:90, 20:60] = 210
    moved = np.zeros_like(base)
    moved[60:100, 30:70] = 200
    assert compare(faint, base)[0] == 0.0
    changed, _ = compare(moved, base)
    assert changed > MAX_CHANGED
