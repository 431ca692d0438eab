"""``balance-trainer play``: headless runs, statistics, and every kind of bad input."""

from __future__ import annotations

import json

import pygame
import pytest

from balance_trainer.cli import build_parser, main
from balance_trainer.store import Store


@pytest.fixture(autouse=True)
def _pygame_again():
    """The command quits pygame when it ends; the other tests need it running."""
    yield
    pygame.init()


def play(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["play", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_headless_run_prints_frame_time_statistics_as_json(capsys, tmp_path):
    shot = tmp_path / "river.png"
    code, out, err = play(
        capsys,
        "river",
        "--headless",
        "--frames",
        "240",
        "--json",
        "--no-sound",
        "--screenshot",
        str(shot),
        "--data-dir",
        str(tmp_path),
    )
    assert code == 0, err
    stats = json.loads(out)
    assert stats["frames"] == 240 and stats["screen"] == "river" and stats["simulated"]
    ud = stats["update_draw_ms"]
    assert 0 < ud["p50"] <= ud["p95"] <= ud["max"]
    assert stats["virtual_time_s"] == pytest.approx(4.0)
    assert pygame.image.load(str(shot)).get_size() == (800, 480)
    assert "SIMULATED BOARD" in err


def test_headless_run_without_json_prints_one_line_and_honours_size(capsys, tmp_path):
    shot = tmp_path / "menu.png"
    code, out, _ = play(
        capsys,
        "--headless",
        "--frames",
        "30",
        "--size",
        "1024x600",
        "--screenshot",
        str(shot),
        "--no-sound",
        "--data-dir",
        str(tmp_path),
    )
    assert code == 0 and out.startswith("30 frames on screen 'people'")
    assert pygame.image.load(str(shot)).get_size() == (1024, 600)


def test_an_unknown_game_is_a_usage_error_that_lists_the_games(capsys):
    code, _, err = play(capsys, "chess", "--headless")
    assert code == 2
    assert "no game called 'chess'" in err
    for name in ("spirit-level", "river", "squat-builder"):
        assert name in err


@pytest.mark.parametrize(
    "args, words",
    [
        (["--frames", "10"], "--headless"),
        (["--headless", "--frames", "0"], "> 0"),
        (["--headless", "--size", "huge"], "800x480"),
    ],
)
def test_bad_options_are_usage_errors(capsys, args, words):
    code, _, err = play(capsys, *args)
    assert code == 2 and words in err and "Traceback" not in err


def test_no_display_says_how_to_get_one_or_use_headless(capsys, monkeypatch):
    pygame.quit()  # this process has a (dummy) display open already; start from none
    monkeypatch.setenv("SDL_VIDEODRIVER", "no-such-video-driver")
    code, _, err = play(capsys, "river", "--windowed", "--no-sound")
    assert code == 1
    assert "no display" in err and "--headless" in err and "KMSDRM" in err


@pytest.mark.parametrize("driver", ["offscreen", "dummy"])
def test_a_driver_that_draws_nowhere_is_no_display(capsys, monkeypatch, driver):
    # With no screen at all SDL falls back to "offscreen": the app must not run unseen.
    pygame.quit()
    monkeypatch.setenv("SDL_VIDEODRIVER", driver)
    code, _, err = play(capsys, "river", "--windowed", "--no-sound")
    assert code == 1
    assert "no display" in err and driver in err and "--headless" in err


def test_an_unknown_person_is_a_usage_error_naming_the_fix(capsys, tmp_path):
    code, _, err = play(
        capsys,
        "river",
        "--headless",
        "--frames",
        "5",
        "--person",
        "zz9",
        "--data-dir",
        str(tmp_path),
    )
    assert code == 2 and "zz9" in err and "people add" in err


def test_a_known_person_gets_the_round_saved(capsys, tmp_path):
    with Store.open(tmp_path) as store:
        store.add_person("p07")
    code, out, err = play(
        capsys,
        "river",
        "--headless",
        "--frames",
        "60",
        "--person",
        "p07",
        "--data-dir",
        str(tmp_path),
        "--no-sound",
        "--json",
    )
    assert code == 0, err
    with Store.open(tmp_path) as store:
        assert [s.kind for s in store.history("p07")] == []  # nothing finished in 1 s
    # A 45 s round after a 3 s countdown, then the result screen saves it.
    code, out, err = play(
        capsys,
        "river",
        "--headless",
        "--frames",
        "3200",
        "--person",
        "p07",
        "--data-dir",
        str(tmp_path),
        "--no-sound",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["screen"] in ("result", "menu", "intro", "river")
    with Store.open(tmp_path) as store:
        games = [g.game for s in store.history("p07") for g in s.games]
    assert games and set(games) <= {"river"}


def test_without_an_audio_device_the_app_carries_on_silently(capsys, monkeypatch, tmp_path):
    def no_audio(*a, **k):
        raise pygame.error("no audio device")

    monkeypatch.setattr(pygame.mixer, "init", no_audio)
    monkeypatch.setattr(pygame.mixer, "get_init", lambda: None)
    code, out, err = play(
        capsys,
        "spirit-level",
        "--headless",
        "--frames",
        "60",
        "--json",
        "--data-dir",
        str(tmp_path),
    )
    assert code == 0
    assert "no audio device" in err
    assert any("no audio device" in n for n in json.loads(out)["notes"])


def test_play_has_help_for_every_option():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    play_parser = sub.choices["play"]
    text = play_parser.format_help()
    for opt in (
        "--fullscreen",
        "--windowed",
        "--headless",
        "--frames",
        "--screenshot",
        "--json",
        "--easy",
        "--person",
        "--board",
        "--data-dir",
    ):
        assert opt in text
    # play resolves a missing --scenario to "interactive" when it connects; a set_defaults
    # here would change the --scenario action every command shares.
    assert play_parser.get_default("scenario") is None


def test_the_boards_buttons_become_intents_and_its_led_follows_the_app(app_factory):
    import time
    from types import SimpleNamespace

    from balance_trainer.config import load_board
    from games.app import InputQueue
    from games.command import _board_controls

    inputs = InputQueue()
    conn = SimpleNamespace(simulated=False, model=SimpleNamespace(board=load_board("two-plate-4")))
    ctl = _board_controls(conn, inputs, print)
    try:
        assert ctl is not None
        for name in ("next", "start", "back"):
            pin = ctl.buttons[name].pin
            pin.drive_low()
            pin.drive_high()
        deadline = time.monotonic() + 2.0
        got: list[str] = []
        while len(got) < 3 and time.monotonic() < deadline:
            got += inputs.poll()
            time.sleep(0.01)
        assert got == ["right", "select", "back"]
    finally:
        ctl.close()
    # A simulated board has no buttons to open.
    assert _board_controls(SimpleNamespace(simulated=True), inputs, print) is None


def test_the_app_reports_cues_and_status_for_a_buzzer_and_led(app_factory):
    app = app_factory("menu")
    cues: list[str] = []
    states: list[str] = []
    app.on_cue = cues.append
    app.on_status = states.append
    app.step(1 / 60)
    app.show("river", side="both")
    for _ in range(int(4 * 60)):
        app.step(1 / 60)
    assert states == ["ready", "busy"]
    assert cues[:4] == ["tick", "tick", "tick", "go"]
