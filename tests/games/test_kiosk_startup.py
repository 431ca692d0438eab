"""Kiosk start-up on a Pi: slow imports before READY, full screen drawn at 1280x720 at most."""

from __future__ import annotations

import subprocess
import sys

import pytest

from games.command import fullscreen_render_size, preload_slow_modules


@pytest.mark.parametrize(
    "screen, render",
    [
        ((3840, 2160), (1280, 720)),  # a 4K TV: draw at 720p, SDL scales it up
        ((1920, 1080), (1280, 720)),
        ((800, 480), (800, 480)),  # the official 7-inch touch screen: its own size
        ((1024, 768), (1024, 720)),
        (None, (1280, 720)),
        ((0, 0), (1280, 720)),
    ],
)
def test_full_screen_draws_at_720p_or_the_screen_if_smaller(screen, render):
    assert fullscreen_render_size(screen) == render


def test_the_app_imports_scipy_before_it_reports_ready():
    # In a fresh interpreter: scipy must be loaded by the time the app is up, so the first
    # clinical test does not import it (10-17 s on a Pi 4) inside the frame loop.
    code = (
        "import sys\n"
        "from balance_trainer.cli import main\n"
        "import balance_trainer.watchdog as wd\n"
        "seen = []\n"
        "orig = wd.ready\n"
        "def ready(*a, **k):\n"
        "    seen.append('scipy.signal' in sys.modules)\n"
        "    return orig(*a, **k)\n"
        "wd.ready = ready\n"
        "main(['play', '--headless', '--frames', '3', '--no-sound', '--board', 'mock-hx711'])\n"
        "print('READY-SAW-SCIPY', seen)\n"
    )
    env = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("READY-SAW-SCIPY"))
    assert "True" in line and "False" not in line


def test_preload_returns_the_time_it_took():
    assert preload_slow_modules() >= 0.0
    assert "scipy.signal" in sys.modules
