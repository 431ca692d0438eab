"""The trainer's own settings (volume, easy mode, hands-free, clinician PIN), kept as JSON.

Stored in ``games.json`` in the data directory, written atomically and durably (temp file 0600,
fsync, rename, fsync of the folder). The clinician PIN guards the settings screen; it is kept
as a salted PBKDF2 hash, never in clear. The default PIN is **1234** (documented in the
README) and the settings screen asks for it to be changed.

Failing closed
    A missing ``games.json`` is a fresh install: defaults, PIN 1234. A file that is there but
    cannot be read, is empty, is not JSON or holds no valid PIN hash *locks* the settings
    (``GameSettings.locked``): no PIN opens them, the games still play. Recovery, done by
    someone with access to the Pi (documented in the README): ``balance-trainer play
    --reset-settings`` or delete ``games.json`` in the data directory; the PIN is then 1234
    again and should be changed at once.
Attempts
    :class:`PinGuard` allows :data:`FREE_ATTEMPTS` wrong PINs, then makes each next try wait
    :data:`FIRST_DELAY_S` seconds, doubling after every wrong PIN up to :data:`MAX_DELAY_S`.
    The count and the wall-clock time the next try may be made are kept in
    ``pin_attempts.json`` beside ``games.json`` (written the same way), so a restart or a
    power cut does not reset them. A damaged or unreadable attempts file fails closed: the
    next try waits :data:`MAX_DELAY_S` (counted afresh at every start) until a right PIN after
    the wait or the recovery above, which clears it too.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import math
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from balance_trainer import durable

DEFAULT_PIN = "1234"
FILE_NAME = "games.json"
ATTEMPTS_FILE_NAME = "pin_attempts.json"
_ITERATIONS = 50_000
FREE_ATTEMPTS = 3
FIRST_DELAY_S = 30.0
MAX_DELAY_S = 3600.0
RECOVERY = "run 'balance-trainer play --reset-settings' (or delete games.json in the data folder)"


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
    sound_card : str
        ALSA card id the sound goes to (``games.sound_cards``); '' = the installer's choice
        or ALSA's default.
    pin_hash : str
        Salted hash of the clinician PIN.
    """

    volume: int = 6
    easy_mode: bool = False
    hands_free: bool = True
    round_s: int = 45
    speech: bool = True
    sound_card: str = ""
    pin_hash: str = field(default_factory=_default_pin_hash)
    locked: str = field(default="", compare=False)
    """Why the settings are locked (a damaged file), or '' when a PIN can open them."""

    ROUND_CHOICES = (30, 45, 60, 90)

    def check_pin(self, pin: str) -> bool:
        if self.locked:
            return False  # fail closed: a damaged file must not fall back to PIN 1234
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
        d = asdict(self)
        d.pop("locked")
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GameSettings:
        s = cls()
        names = {f.name for f in fields(cls)} - {"locked"}
        for k, v in data.items():
            if k in names and isinstance(v, type(getattr(s, k))):
                setattr(s, k, v)
        s.volume = max(0, min(10, int(s.volume)))
        if s.round_s not in cls.ROUND_CHOICES:
            s.round_s = 45
        if not _valid_hash(data.get("pin_hash")):
            s.locked = "it holds no valid PIN"
        return s


def _valid_hash(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    salt, sep, digest = value.partition("$")
    try:
        return bool(sep) and len(bytes.fromhex(salt)) >= 8 and len(bytes.fromhex(digest)) == 32
    except ValueError:
        return False


class PinVerdict(enum.Enum):
    """What :meth:`PinGuard.attempt` says about a PIN."""

    OPEN = "open"
    WRONG = "wrong"
    WAIT = "wait"
    LOCKED = "locked"


class PinGuard:
    """Counts wrong PINs and makes each try after :data:`FREE_ATTEMPTS` wait longer.

    ``clock`` gives wall-clock seconds (``time.time``, so a wait survives a reboot; injected
    in tests). The delay after the n-th wrong PIN (n > FREE_ATTEMPTS) is
    ``FIRST_DELAY_S * 2 ** (n - FREE_ATTEMPTS - 1)``, at most :data:`MAX_DELAY_S`; a right
    PIN clears the count. With a ``folder`` the count and the wait are read from, and kept
    in, ``folder/pin_attempts.json``; without one they live in memory only.

    Attributes
    ----------
    damaged : str
        Why the attempts file could not be trusted (the guard then waits the longest), or ''.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        folder: str | os.PathLike[str] | None = None,
    ) -> None:
        self.clock = clock
        self.path = None if folder is None else Path(folder) / ATTEMPTS_FILE_NAME
        self.failures = 0
        self.not_before = 0.0
        self.damaged = ""
        if self.path is not None:
            self._load(self.path)

    def _load(self, path: Path) -> None:
        now = self.clock()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            return self._fail_closed(f"{path} cannot be read ({exc})", now)
        try:
            data = json.loads(text) if len(text) < 1000 else None
        except ValueError:
            data = None
        failures = data.get("failures") if isinstance(data, dict) else None
        not_before = data.get("not_before") if isinstance(data, dict) else None
        if (
            not isinstance(failures, int)
            or isinstance(failures, bool)
            or failures < 0
            or not isinstance(not_before, (int, float))
            or isinstance(not_before, bool)
            or math.isnan(not_before)
        ):
            return self._fail_closed(f"{path} is damaged", now)
        self.failures = failures
        # a clock set back must not stretch the wait beyond the longest one
        self.not_before = min(float(not_before), now + MAX_DELAY_S)

    def _fail_closed(self, reason: str, now: float) -> None:
        self.damaged = reason
        self.failures = FREE_ATTEMPTS + 32  # every next wrong PIN waits the longest too
        self.not_before = now + MAX_DELAY_S

    def _save(self) -> None:
        if self.path is None:
            return
        state = {"failures": self.failures, "not_before": self.not_before}
        try:
            write_durably(self.path, json.dumps(state) + "\n")
        except OSError:
            pass  # best effort: the count still holds in memory until the app stops
        else:
            self.damaged = ""

    def wait_s(self) -> float:
        """Seconds until the next try is taken (0 when it may be tried now)."""
        return max(0.0, self.not_before - self.clock())

    def attempt(self, settings: GameSettings, pin: str) -> PinVerdict:
        if settings.locked:
            return PinVerdict.LOCKED
        if self.wait_s() > 0:
            return PinVerdict.WAIT  # not even checked: a guess made now costs nothing
        if settings.check_pin(pin):
            if self.failures or self.not_before or self.damaged:
                self.failures = 0
                self.not_before = 0.0
                self._save()
            return PinVerdict.OPEN
        self.failures += 1
        if self.failures >= FREE_ATTEMPTS:
            n = min(self.failures - FREE_ATTEMPTS, 32)
            self.not_before = self.clock() + min(MAX_DELAY_S, FIRST_DELAY_S * 2.0**n)
        self._save()
        return PinVerdict.WRONG


def load_settings(folder: str | os.PathLike[str] | None) -> GameSettings:
    """Settings from ``folder/games.json``: defaults when there is no file yet, *locked*
    settings (see the module docstring) when the file is there but damaged."""
    if folder is None:
        return GameSettings()
    p = Path(folder) / FILE_NAME
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return GameSettings()
    except (OSError, UnicodeDecodeError) as exc:
        return _locked(f"{p} cannot be read ({exc})")
    if len(text) > 100_000 or text.count("[") + text.count("{") > 64:
        return _locked(f"{p} is not a settings file")
    try:
        data = json.loads(text)
    except ValueError:
        return _locked(f"{p} is empty or damaged" if text.strip() else f"{p} is empty")
    if not isinstance(data, dict):
        return _locked(f"{p} is damaged")
    s = GameSettings.from_dict(data)
    if s.locked:
        s.locked = f"{p}: {s.locked}"
    return s


def _locked(reason: str) -> GameSettings:
    s = GameSettings()
    s.locked = reason
    return s


def reset_settings(folder: str | os.PathLike[str]) -> Path:
    """The documented recovery: write fresh default settings (PIN 1234) over a damaged file,
    and clear the count of wrong PINs (``pin_attempts.json``).

    Raises
    ------
    OSError
        The file could not be written (the old one is kept).
    """
    p = Path(folder) / FILE_NAME
    write_durably(p, json.dumps(GameSettings().to_dict(), indent=2) + "\n")
    write_durably(p.with_name(ATTEMPTS_FILE_NAME), '{"failures": 0, "not_before": 0.0}\n')
    return p


def write_durably(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically and durably, 0600 in a 0700 folder (the core's
    :func:`balance_trainer.durable.write_durably`: the old file or the new one after a power
    cut, never half; on any error the old file is kept)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    durable.write_durably(path, text)


def save_settings(settings: GameSettings, folder: str | os.PathLike[str] | None) -> bool:
    """Write atomically and durably; False (and the old file kept) when the disk refuses.

    Locked settings are never written: that would replace the damaged file (the evidence, and
    the reason for the lock) with defaults, which is the recovery step's job.
    """
    if folder is None or settings.locked:
        return False
    try:
        write_durably(Path(folder) / FILE_NAME, json.dumps(settings.to_dict(), indent=2) + "\n")
    except OSError:
        return False
    return True
