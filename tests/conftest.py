"""Test-wide settings: headless display and audio, gpiozero's mock pins, a private data dir."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory, monkeypatch):
    """Keep every test away from the user's real data, settings and board."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("BALANCE_TRAINER_DATA_DIR", str(home / "data"))
    # An empty settings file: a variable naming a missing file is an error (issue 17).
    (home / "no-settings.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("BALANCE_TRAINER_CONFIG", str(home / "no-settings.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("BALANCE_TRAINER_BOARD", raising=False)
    # An app under test must not talk to a real systemd (if pytest itself runs as a service).
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        monkeypatch.delenv(name, raising=False)
    yield
