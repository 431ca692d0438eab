"""The ALSA sound cards of this machine, and sending the app's sound to the chosen one.

A Pi 4 may send sound to HDMI (a monitor without speakers) and a Pi 5 has no headphone jack,
so the card a person hears must be chosen. ``install.sh`` picks one at install time (a USB
card, else the jack, never HDMI); the clinician can change it on the settings screen, and the
choice is kept in the app's settings (``sound_card``: an ALSA card id such as
``"Headphones"``, or ``""`` for the installer's / ALSA's default).

Cards are listed from ``/proc/asound/cards`` (what ``aplay -l`` prints from), whose lines look
like ``" 0 [Headphones     ]: bcm2835_headpho - bcm2835 Headphones"``. SDL's ALSA output
(pygame's mixer) takes the device from the ``AUDIODEV`` environment variable when the mixer
opens; espeak-ng's audio is piped into ``aplay -D`` for the same device.
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

CARDS_FILE = Path("/proc/asound/cards")
_LINE = re.compile(r"^\s*(\d+)\s+\[([A-Za-z0-9_]+)\s*\]:\s*(.*)$")


@dataclass(frozen=True)
class SoundCard:
    """One ALSA card: its number, its id (stable across reboots) and its description."""

    index: int
    id: str
    name: str

    @property
    def is_hdmi(self) -> bool:
        return "hdmi" in self.id.lower() or "hdmi" in self.name.lower()

    @property
    def label(self) -> str:
        """What the settings screen shows: short and plain."""
        kind = "HDMI (screen)" if self.is_hdmi else "USB" if "usb" in self.name.lower() else ""
        return f"{self.id} - {kind}" if kind else self.id


def list_cards(path: str | os.PathLike[str] = CARDS_FILE) -> list[SoundCard]:
    """The cards listed in ``path`` (``/proc/asound/cards``); [] when there is none or the
    file cannot be read (no sound support)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    cards = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            cards.append(SoundCard(int(m.group(1)), m.group(2), m.group(3).strip()))
    return cards


def alsa_device(card_id: str) -> str:
    """The ALSA device name for a card id (``plughw`` converts rate and format as needed)."""
    return f"plughw:CARD={card_id}"


def device_for(card_id: str, cards: list[SoundCard] | None = None) -> str | None:
    """The ALSA device to use for the setting ``card_id``: None for the default (``""``) or
    for a card that is not there now (unplugged: the default plays rather than nothing)."""
    if not card_id:
        return None
    if cards is not None and card_id not in {c.id for c in cards}:
        return None
    return alsa_device(card_id)


def apply_to_environment(
    card_id: str,
    environ: MutableMapping[str, str] | None = None,
    cards: list[SoundCard] | None = None,
) -> str | None:
    """Point SDL's ALSA output at the chosen card (``AUDIODEV``) before the mixer opens.

    With the default (``""``) an ``AUDIODEV`` set by the installer's unit drop-in is kept.
    Returns the device now in force, or None for ALSA's default.
    """
    env = os.environ if environ is None else environ
    dev = device_for(card_id, cards)
    if dev is not None:
        env["AUDIODEV"] = dev
    return env.get("AUDIODEV") or None


def next_choice(current: str, cards: list[SoundCard]) -> str:
    """The setting after ``current`` when the clinician presses "Sound card": the default,
    then each card in turn, then the default again."""
    options = ["", *[c.id for c in cards]]
    if current not in options:
        return options[0]
    return options[(options.index(current) + 1) % len(options)]
