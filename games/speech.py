"""Spoken instructions: a local speech engine that runs on a Pi, never in the frame loop.

The app says every step of a test out loud ("Lift your right foot now", "Eyes closed... 10
seconds left", "Put your foot down") so a person can follow with their eyes on the horizon or
closed. Text and tones stay on for the hard of hearing; speech has its own off switch and
follows the app's volume.

The engine is `espeak-ng <https://github.com/espeak-ng/espeak-ng>`_ (``apt install espeak-ng``,
installed by ``install.sh``): offline, small, and on Raspberry Pi OS. It is run as a
subprocess from one worker thread, so :meth:`Speaker.say` only puts the text on a queue and
returns at once; the game's frame never waits for a process to start. A newer instruction
replaces one not yet spoken and cuts one being spoken short: the person hears what to do now,
not what they were told ten seconds ago.

Tests use :class:`FakeSpeaker`, which records what was said, and the app falls back to
:class:`Speaker` with no engine (silent, with a note) when espeak-ng is not installed.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from typing import Any

ENGINE = "espeak-ng"
WORDS_PER_MINUTE = 150
"""Slower than espeak-ng's 175 default: instructions for older adults and children."""
MAX_AMPLITUDE = 200
"""espeak-ng's ``-a`` at volume 10 (its range is 0-200; 100 is its default)."""


def espeak_command(text: str, volume: int, voice: str = "en") -> list[str]:
    """The espeak-ng command line that says ``text`` at app volume ``volume`` (0..10)."""
    amp = round(MAX_AMPLITUDE * max(0, min(10, int(volume))) / 10)
    return [ENGINE, "-v", voice, "-s", str(WORDS_PER_MINUTE), "-a", str(amp), "--", text]


class Speaker:
    """Says instructions through espeak-ng on its own thread.

    Parameters
    ----------
    engine : str or None
        Path of the espeak-ng executable; None: silent (no engine installed).
    volume : int
        0 (silent) to 10, the app's volume.
    enabled : bool
        The off switch (settings).
    popen : callable
        Starts a process (``subprocess.Popen``; injected in tests).
    """

    def __init__(
        self,
        engine: str | None,
        *,
        volume: int = 6,
        enabled: bool = True,
        popen: Callable[..., Any] = subprocess.Popen,
        device: str | None = None,
    ) -> None:
        self.engine = engine
        self.device = device
        """ALSA device (``plughw:CARD=...``) to speak on; None: espeak-ng's own output."""
        self.volume = volume
        self.enabled = enabled
        self.note = "" if engine else "speech off: espeak-ng is not installed"
        self._popen = popen
        self._q: queue.Queue[str | None] = queue.Queue()
        self._proc: Any = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.said: list[str] = []
        """Everything handed to the engine, oldest first (the last 200)."""

    @property
    def available(self) -> bool:
        return self.engine is not None

    def say(self, text: str) -> None:
        """Queue ``text``; returns at once. Replaces anything not yet spoken."""
        if not (self.enabled and self.available and text and self.volume > 0):
            return
        self._drain()
        self._cut()
        self._q.put(text)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop talking now (speech switched off, the app closing)."""
        self._drain()
        self._cut()

    def close(self) -> None:
        self.stop()
        if self._thread is not None:
            self._q.put(None)
            self._thread.join(timeout=1.0)
            self._thread = None

    def _drain(self) -> None:
        while True:
            try:
                self._q.get_nowait()
            except queue.Empty:
                return

    def _cut(self) -> None:
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                proc.terminate()
            except OSError:
                pass

    def _run(self) -> None:
        while True:
            text = self._q.get()
            if text is None:
                return
            cmd = espeak_command(text, self.volume)
            cmd[0] = self.engine or ENGINE
            try:
                proc = self._start(cmd)
            except OSError as exc:
                self.note = f"speech off: {exc}"
                self.engine = None
                return
            with self._lock:
                self._proc = proc
            self.said = [*self.said[-199:], text]
            try:
                proc.wait()
            except Exception:  # noqa: BLE001 - a failed wait only ends this sentence
                pass
            with self._lock:
                self._proc = None

    def _start(self, cmd: list[str]) -> Any:
        """espeak-ng on its own, or (a card chosen) its wave piped into ``aplay -D``; the
        process returned is the one that plays, so cutting it short stops the sound."""
        quiet = {"stderr": subprocess.DEVNULL, "close_fds": True}
        if self.device is None:
            return self._popen(cmd, stdout=subprocess.DEVNULL, **quiet)
        speak = self._popen([cmd[0], "--stdout", *cmd[1:]], stdout=subprocess.PIPE, **quiet)
        try:
            play = self._popen(
                ["aplay", "-q", "-D", self.device],
                stdin=speak.stdout,
                stdout=subprocess.DEVNULL,
                **quiet,
            )
        finally:
            if speak.stdout is not None:
                speak.stdout.close()  # aplay holds it now; espeak-ng sees it close if cut
        return play


class FakeSpeaker(Speaker):
    """Records what would be said, at once and in order (tests, headless runs)."""

    def __init__(self, *, volume: int = 6, enabled: bool = True) -> None:
        super().__init__("fake", volume=volume, enabled=enabled)
        self.said_at: list[tuple[str, int]] = []

    def say(self, text: str) -> None:
        if not (self.enabled and text and self.volume > 0):
            return
        self.said = [*self.said, text]
        self.said_at.append((text, self.volume))

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


def silent_speaker() -> Speaker:
    """A speaker with no engine: says nothing."""
    s = Speaker(None)
    s.note = ""
    return s


def open_speaker(
    *,
    volume: int = 6,
    enabled: bool = True,
    which: Callable[[str], str | None] = shutil.which,
    device: str | None = None,
) -> Speaker:
    """espeak-ng when it is installed, else a silent speaker with a note saying so.
    ``device``: the ALSA device of the chosen sound card (played through ``aplay``, which
    is in alsa-utils), or None for espeak-ng's own output."""
    if device is not None and which("aplay") is None:
        device = None  # no aplay: the default output rather than silence
    return Speaker(which(ENGINE), volume=volume, enabled=enabled, device=device)


def spoken(texts: Sequence[str]) -> str:
    """Several prompts as one utterance (a sentence each)."""
    out = []
    for t in texts:
        t = t.strip()
        if t and t[-1] not in ".!?":
            t += "."
        if t:
            out.append(t)
    return " ".join(out)
