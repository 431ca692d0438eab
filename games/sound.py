"""Cues and rewards, synthesised in code (no sound files, nothing to license).

Every sound is a short numpy waveform: soft sine tones with a quick fade in and out (a hard
edge clicks), chords and arpeggios for rewards, filtered noise for a splash. They are made once
when the mixer opens. Without an audio device the bank stays silent and says so once in
:attr:`SoundBank.note`; the app carries on.

Volume is 0-10 (a setting); 0 is silent.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

import numpy as np
import pygame

from .sound_cards import apply_to_environment, list_cards

RATE_HZ = 44100


def tone(
    freq_hz: float,
    dur_s: float,
    *,
    rate: int = RATE_HZ,
    amp: float = 0.5,
    fade_s: float = 0.01,
    harmonics: tuple[float, ...] = (1.0, 0.25, 0.08),
) -> np.ndarray:
    """A mono tone, float in -1..1: a few harmonics under a fade-in/fade-out envelope."""
    n = max(1, int(rate * dur_s))
    t = np.arange(n) / rate
    y = np.zeros(n)
    for k, a in enumerate(harmonics, start=1):
        y += a * np.sin(2 * np.pi * freq_hz * k * t)
    y /= max(1e-9, sum(harmonics))
    env = np.ones(n)
    nf = min(n // 2, max(1, int(rate * fade_s)))
    env[:nf] = np.linspace(0.0, 1.0, nf)
    # An exponential tail sounds like a struck bell rather than a switched-off buzzer.
    env *= np.exp(-3.0 * t / max(dur_s, 1e-3))
    env[-nf:] *= np.linspace(1.0, 0.0, nf)
    return amp * y * env


def sequence(parts: list[np.ndarray], gap_s: float = 0.0, rate: int = RATE_HZ) -> np.ndarray:
    gap = np.zeros(int(rate * gap_s))
    out: list[np.ndarray] = []
    for p in parts:
        out += [p, gap]
    return np.concatenate(out) if out else np.zeros(1)


def splash(dur_s: float = 0.35, rate: int = RATE_HZ, seed: int = 7) -> np.ndarray:
    """Low-passed noise with a fast decay: water."""
    rng = np.random.default_rng(seed)
    n = int(rate * dur_s)
    noise = rng.standard_normal(n)
    # A running mean is a cheap low-pass; two passes soften the hiss.
    k = 24
    kern = np.ones(k) / k
    y = np.convolve(np.convolve(noise, kern, "same"), kern, "same")
    env = np.exp(-np.arange(n) / (rate * dur_s / 4))
    return 0.9 * y / max(1e-9, np.abs(y).max()) * env


def waveforms(rate: int = RATE_HZ) -> dict[str, np.ndarray]:
    """Every named sound, mono float -1..1."""
    c5, e5, g5, c6 = 523.25, 659.25, 783.99, 1046.5
    return {
        "tick": tone(660, 0.12, rate=rate, amp=0.45),
        "go": tone(1046.5, 0.45, rate=rate, amp=0.55),
        "select": sequence([tone(e5, 0.08, rate=rate), tone(g5, 0.14, rate=rate)]),
        "move": tone(440, 0.06, rate=rate, amp=0.3),
        "star": sequence(
            [tone(c6, 0.09, rate=rate, amp=0.4), tone(c6 * 1.5, 0.2, rate=rate, amp=0.4)]
        ),
        "good": sequence(
            [tone(c5, 0.09, rate=rate), tone(e5, 0.09, rate=rate), tone(g5, 0.22, rate=rate)]
        ),
        "perfect": sequence(
            [tone(e5, 0.08, rate=rate), tone(g5, 0.08, rate=rate), tone(c6, 0.28, rate=rate)]
        ),
        "soft_miss": sequence(
            [tone(392, 0.12, rate=rate, amp=0.35), tone(330, 0.22, rate=rate, amp=0.35)]
        ),
        "splash": splash(rate=rate),
        "block": tone(196, 0.18, rate=rate, amp=0.6, harmonics=(1.0, 0.6, 0.3, 0.15)),
        "launch": sequence(
            [tone(f, 0.06, rate=rate, amp=0.4) for f in np.geomspace(220, 1760, 14)]
        ),
        "done": sequence(
            [
                tone(c5, 0.14, rate=rate),
                tone(e5, 0.14, rate=rate),
                tone(g5, 0.14, rate=rate),
                tone(c6, 0.5, rate=rate),
            ]
        ),
        "alert": sequence([tone(880, 0.15, rate=rate), tone(880, 0.15, rate=rate)], 0.08),
    }


class SoundBank:
    """Named sounds at a shared volume; silent (with a note) when there is no audio device.

    Parameters
    ----------
    volume : int
        0 (silent) to 10.
    enabled : bool
        False makes a silent bank without touching the audio device (tests, benchmarks).
    card : str
        ALSA card id to play on (see :mod:`games.sound_cards`); '' for the default.
    environ : mapping, optional
        Where ``AUDIODEV`` is set for SDL (``os.environ``; injected in tests).
    """

    def __init__(
        self,
        volume: int = 6,
        *,
        enabled: bool = True,
        card: str = "",
        environ: MutableMapping[str, str] | None = None,
    ) -> None:
        self.sounds: dict[str, pygame.mixer.Sound] = {}
        self.note = ""
        self.card = card
        self.environ = os.environ if environ is None else environ
        self._installed = self.environ.get("AUDIODEV")  # the installer's choice, if any
        self.device = apply_to_environment(card, self.environ, list_cards()) if enabled else None
        self.played: list[str] = []
        """Names played, newest last (kept short): lets headless tests hear the game."""
        self._volume = max(0, min(10, int(volume)))
        if not enabled:
            self.note = "sound off"
            return
        self._open()

    def _open(self) -> None:
        try:
            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=RATE_HZ, size=-16, channels=2, buffer=512)
            rate, size, channels = pygame.mixer.get_init()
            for name, wave in waveforms(rate).items():
                pcm = np.clip(wave * 32767, -32768, 32767).astype(np.int16)
                if size > 0:  # an unsigned mixer format: shift to unsigned
                    pcm = (pcm.astype(np.int32) + 32768).astype(np.uint16)
                arr = np.repeat(pcm[:, None], channels, axis=1) if channels > 1 else pcm
                self.sounds[name] = pygame.sndarray.make_sound(np.ascontiguousarray(arr))
        except (pygame.error, ValueError, TypeError, NotImplementedError) as exc:
            self.sounds = {}
            self.note = f"no audio device ({exc}); carrying on without sound"
        self.volume = self._volume

    def use_card(self, card: str) -> None:
        """Send sound to ``card`` from now on ('' = the default): the mixer is closed and
        opened again on it. A silent bank (tests, ``--no-sound``) stays silent."""
        self.card = card
        if self.note == "sound off":
            return
        if not card:
            if self._installed:
                self.environ["AUDIODEV"] = self._installed
            else:
                self.environ.pop("AUDIODEV", None)
        try:
            pygame.mixer.quit()
        except pygame.error:
            pass
        self.sounds = {}
        self.note = ""
        self.device = apply_to_environment(card, self.environ, list_cards())
        self._open()

    @property
    def available(self) -> bool:
        return bool(self.sounds)

    @property
    def volume(self) -> int:
        return self._volume

    @volume.setter
    def volume(self, v: int) -> None:
        self._volume = max(0, min(10, int(v)))
        for s in self.sounds.values():
            s.set_volume(self._volume / 10)

    def play(self, name: str) -> None:
        """Play ``name`` if there is sound and volume; unknown names are ignored."""
        self.played.append(name)
        if len(self.played) > 64:
            del self.played[:32]
        if self._volume == 0:
            return
        s = self.sounds.get(name)
        if s is not None:
            try:
                s.play()
            except pygame.error:
                pass
