"""The trainer's own settings (volume, easy mode, hands-free, clinician PIN), kept as JSON.

Stored in ``games.json`` in the data directory, written atomically. The clinician PIN guards
the settings screen; it is kept as a salted PBKDF2 hash, never in clear. The default PIN is
**1234** (documented in the README) and the settings screen asks for it to be changed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

DEFAULT_PIN = "1234"
FILE_NAME = "games.json"
_ITERATIONS = 50_000


def hash_pin(pin: str, salt: str | None = None) -> str:
    """``salt$hexdigest`` for a PIN."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), _ITERATIONS)
    return f"{salt}${digest.hex()}"


def _default_pin_hash() -> str:
    return hash_pin(DEFAULT_PIN, "00" * 8)


@dataclass
class GameSettings:
    """What the clinician can change on the settings screen.

    Attributes
    ----------
    volume : int
        0 (silent) to 10.
    easy_mode : bool
        Slow, large, high contrast, no clock; the default for everyone when set.
    hands_free : bool
        Lean to move and stand still to choose.
    round_s : int
        Length of a timed round (spirit level, river), s.
    speech : bool
        Spoken instructions (espeak-ng) on or off.
    pin_hash : str
        Salted hash of the clinician PIN.
    """

    volume: int = 6
    easy_mode: bool = False
    hands_free: bool = True
    round_s: int = 45
    speech: bool = True
    pin_hash: str = field(default_factory=_default_pin_hash)

    ROUND_CHOICES = (30, 45, 60, 90)

    def check_pin(self, pin: str) -> bool:
        salt, _, _ = self.pin_hash.partition("$")
        try:
            return hmac.compare_digest(hash_pin(pin, salt), self.pin_hash)
        except ValueError:
            return False

    def set_pin(self, pin: str) -> None:
        if not (pin.isdigit() and 4 <= len(pin) <= 8):
            raise ValueError("a PIN is 4 to 8 digits")
        self.pin_hash = hash_pin(pin)

    @property
    def pin_is_default(self) -> bool:
        return self.check_pin(DEFAULT_PIN)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GameSettings:
        s = cls()
        names = {f.name for f in fields(cls)}
        for k, v in data.items():
            if k in names and isinstance(v, type(getattr(s, k))):
                setattr(s, k, v)
        s.volume = max(0, min(10, int(s.volume)))
        if s.round_s not in cls.ROUND_CHOICES:
            s.round_s = 45
        return s


def load_settings(folder: str | os.PathLike[str] | None) -> GameSettings:
    """Settings from ``folder/games.json``; defaults when missing or unreadable."""
    if folder is None:
        return GameSettings()
    p = Path(folder) / FILE_NAME
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return GameSettings()
    return GameSettings.from_dict(data) if isinstance(data, dict) else GameSettings()


def save_settings(settings: GameSettings, folder: str | os.PathLike[str] | None) -> bool:
    """Write atomically; False (and the old file kept) when the disk refuses."""
    if folder is None:
        return False
    p = Path(folder) / FILE_NAME
    try:
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = p.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(settings.to_dict(), indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, p)
    except OSError:
        return False
    return True
