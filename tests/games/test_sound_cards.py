"""Choosing the sound card in the app: listed from /proc/asound/cards, kept in the settings,
used by the mixer (AUDIODEV) and by speech (espeak-ng piped into aplay -D)."""

from __future__ import annotations

import json
import subprocess

from games import sound_cards
from games.settings import GameSettings
from games.sound import SoundBank
from games.sound_cards import alsa_device, apply_to_environment, list_cards, next_choice
from games.speech import Speaker, open_speaker

# What a Pi 4 with a USB speaker shows (cat /proc/asound/cards).
PI4_CARDS = """\
 0 [Headphones     ]: bcm2835_headpho - bcm2835 Headphones
                      bcm2835 Headphones
 1 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0
                      vc4-hdmi-0
 2 [Speaker        ]: USB-Audio - USB Speaker
                      Generic USB Speaker at usb-0000:01:00.0-1.3, full speed
"""


def cards_file(tmp_path, text=PI4_CARDS):
    p = tmp_path / "cards"
    p.write_text(text)
    return p


def test_cards_are_listed_with_ids_and_hdmi_and_usb_told_apart(tmp_path):
    cards = list_cards(cards_file(tmp_path))
    assert [(c.index, c.id) for c in cards] == [(0, "Headphones"), (1, "vc4hdmi0"), (2, "Speaker")]
    assert [c.is_hdmi for c in cards] == [False, True, False]
    assert cards[1].label == "vc4hdmi0 - HDMI (screen)" and cards[2].label == "Speaker - USB"


def test_no_cards_file_means_no_cards(tmp_path):
    assert list_cards(tmp_path / "missing") == []
    assert list_cards(cards_file(tmp_path, "--- no soundcards ---\n")) == []


def test_pressing_sound_card_cycles_default_then_each_card(tmp_path):
    cards = list_cards(cards_file(tmp_path))
    seen = [""]
    for _ in range(4):
        seen.append(next_choice(seen[-1], cards))
    assert seen == ["", "Headphones", "vc4hdmi0", "Speaker", ""]
    assert next_choice("Gone", cards) == ""  # a card since unplugged: back to the default


def test_the_chosen_card_goes_to_sdl_through_audiodev_and_the_default_keeps_the_installers(
    tmp_path,
):
    cards = list_cards(cards_file(tmp_path))
    env = {"AUDIODEV": "plughw:CARD=Headphones"}  # from the installer's drop-in
    assert apply_to_environment("", env, cards) == "plughw:CARD=Headphones"
    assert apply_to_environment("Speaker", env, cards) == "plughw:CARD=Speaker"
    assert env["AUDIODEV"] == alsa_device("Speaker")
    env = {}
    assert apply_to_environment("Gone", env, cards) is None and "AUDIODEV" not in env


def test_the_sound_bank_opens_on_the_chosen_card(tmp_path, monkeypatch):
    monkeypatch.setattr(sound_cards, "CARDS_FILE", cards_file(tmp_path))
    monkeypatch.setattr("games.sound.list_cards", lambda: list_cards(cards_file(tmp_path)))
    env: dict[str, str] = {}
    bank = SoundBank(5, card="Speaker", environ=env)
    try:
        assert env["AUDIODEV"] == "plughw:CARD=Speaker" and bank.device == env["AUDIODEV"]
        bank.use_card("Headphones")
        assert env["AUDIODEV"] == "plughw:CARD=Headphones" and bank.card == "Headphones"
        bank.use_card("")
        assert "AUDIODEV" not in env and bank.device is None
    finally:
        import pygame

        pygame.mixer.quit()


class Proc:
    def __init__(self, cmd, kw):
        self.cmd, self.kw = cmd, kw
        self.stdout = _Pipe() if kw.get("stdout") is subprocess.PIPE else None

    def wait(self):
        return 0

    def poll(self):
        return 0


class _Pipe:
    closed = False

    def close(self):
        self.closed = True


def test_speech_on_a_chosen_card_pipes_espeak_into_aplay_on_that_device():
    started = []

    def popen(cmd, **kw):
        started.append(Proc(cmd, kw))
        return started[-1]

    sp = Speaker("/usr/bin/espeak-ng", popen=popen, device="plughw:CARD=Speaker")
    sp.say("Lift your right foot now")
    sp.close()
    speak, play = started
    assert speak.cmd[:2] == ["/usr/bin/espeak-ng", "--stdout"] and speak.cmd[-1].startswith("Lift")
    assert play.cmd == ["aplay", "-q", "-D", "plughw:CARD=Speaker"]
    assert play.kw["stdin"] is speak.stdout and speak.stdout.closed


def test_without_aplay_speech_uses_espeaks_own_output():
    def which(name):
        return "/usr/bin/espeak-ng" if name == "espeak-ng" else None

    assert open_speaker(which=which, device="plughw:CARD=Speaker").device is None


def test_the_card_is_kept_in_the_settings():
    s = GameSettings(sound_card="Speaker")
    assert GameSettings.from_dict(json.loads(json.dumps(s.to_dict()))).sound_card == "Speaker"
    assert GameSettings.from_dict({"sound_card": 3}).sound_card == ""  # wrong type: default


def test_the_settings_screen_chooses_the_card_and_saves_it(app_factory, tmp_path, monkeypatch):
    cards = list_cards(cards_file(tmp_path))
    monkeypatch.setattr("games.screens.settings.list_cards", lambda: cards)
    app = app_factory("settings", data_dir=tmp_path)
    labels = [c.label for c in app.screen.choices]
    i = labels.index("Sound card")
    assert app.screen.choices[i].sub == "default"
    app.screen.choose(i)
    assert json.loads((tmp_path / "games.json").read_text())["sound_card"] == "Headphones"
    assert app.sounds.card == "Headphones"
    assert app.screen.choices[i].sub == "Headphones"
