"""Telling systemd how the app is doing: readiness, status and the watchdog.

A tiny implementation of the ``sd_notify`` protocol (systemd's ``sd_notify(3)``), with no
dependency: a service started with ``Type=notify`` finds the path of a datagram socket in
``$NOTIFY_SOCKET`` and sends newline-separated ``KEY=VALUE`` assignments to it, such as
``READY=1`` or ``WATCHDOG=1``. With ``WatchdogSec=`` in the unit, systemd also sets
``$WATCHDOG_USEC`` (and ``$WATCHDOG_PID``); a service that does not send ``WATCHDOG=1`` within
that time is killed and, with ``Restart=on-failure``, started again.

Everything here does nothing (and returns ``False``/``None``) when the process does not run
under systemd, so the app calls it unconditionally.

Examples
--------
>>> from balance_trainer import watchdog
>>> dog = watchdog.Watchdog()          # reads $WATCHDOG_USEC; disabled outside systemd
>>> watchdog.ready()                   # once the first frame is on screen
False
>>> dog.tick(now=12.5)                 # every frame, with the app's monotonic clock (s)
False
"""

from __future__ import annotations

import enum
import os
import socket
from collections.abc import Callable, Mapping

__all__ = [
    "FROM_ENVIRONMENT",
    "Watchdog",
    "extend_timeout",
    "notify",
    "ready",
    "status",
    "stopping",
    "watchdog_interval_s",
    "watchdog_ping",
]


def _socket_address(env: Mapping[str, str]) -> str | bytes | None:
    """The notify socket's address from ``$NOTIFY_SOCKET``, or None when there is none."""
    addr = env.get("NOTIFY_SOCKET", "")
    if addr.startswith("/"):
        return addr
    if addr.startswith("@") and len(addr) > 1:
        # A leading "@" names a socket in the abstract namespace: a NUL byte in the address.
        return b"\0" + addr[1:].encode()
    # Empty, or a form this module does not speak (vsock:...): behave as outside systemd.
    return None


def notify(state: str, *, env: Mapping[str, str] | None = None) -> bool:
    """Send ``state`` (e.g. ``"READY=1"``) to systemd's notify socket.

    Parameters
    ----------
    state : str
        One or more ``KEY=VALUE`` assignments separated by newlines (see ``sd_notify(3)``).
    env : mapping, optional
        Where to look up ``NOTIFY_SOCKET``; defaults to ``os.environ``.

    Returns
    -------
    bool
        True when the message was handed to the socket; False when there is no notify socket
        (not under systemd, or a ``Type=`` that does not listen) or it could not be reached.
        Never raises: the trainer must keep running even if its supervisor went away.
    """
    addr = _socket_address(os.environ if env is None else env)
    if addr is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(addr)
            sock.sendall(state.encode("utf-8"))
    except OSError:
        return False
    return True


def ready(*, env: Mapping[str, str] | None = None) -> bool:
    """Tell systemd that start-up is finished (``READY=1``); it starts the watchdog clock."""
    return notify("READY=1", env=env)


def watchdog_ping(*, env: Mapping[str, str] | None = None) -> bool:
    """Feed the watchdog (``WATCHDOG=1``): the app is alive and its loop is turning."""
    return notify("WATCHDOG=1", env=env)


def stopping(*, env: Mapping[str, str] | None = None) -> bool:
    """Tell systemd that the app is shutting down on purpose (``STOPPING=1``)."""
    return notify("STOPPING=1", env=env)


def status(text: str, *, env: Mapping[str, str] | None = None) -> bool:
    """Set the one-line status ``systemctl status`` shows (``STATUS=text``).

    Newlines in ``text`` would start a new assignment, so they are replaced by spaces.
    """
    one_line = " ".join(text.splitlines())
    return notify(f"STATUS={one_line}", env=env)


def extend_timeout(seconds: float, *, env: Mapping[str, str] | None = None) -> bool:
    """Ask for ``seconds`` more before systemd gives up on a slow start or stop.

    Parameters
    ----------
    seconds : float
        Time from now, s, that the current start-up or shutdown step may still take.
    """
    usec = max(0, round(seconds * 1_000_000))
    return notify(f"EXTEND_TIMEOUT_USEC={usec}", env=env)


def watchdog_interval_s(
    *, env: Mapping[str, str] | None = None, pid: int | None = None
) -> float | None:
    """The watchdog timeout systemd asked for, s, or None when there is no watchdog.

    Parameters
    ----------
    env : mapping, optional
        Where to look up ``WATCHDOG_USEC`` and ``WATCHDOG_PID``; defaults to ``os.environ``.
    pid : int, optional
        This process's id; defaults to ``os.getpid()``.

    Returns
    -------
    float or None
        ``WATCHDOG_USEC`` / 1e6 when it is a positive integer and ``WATCHDOG_PID`` is unset or
        names this process. A child process (the chip reader) inherits the variables but not
        the duty, which is why the pid is checked.
    """
    env = os.environ if env is None else env
    raw = env.get("WATCHDOG_USEC", "").strip()
    if not raw.isdigit() or int(raw) <= 0:
        return None
    owner = env.get("WATCHDOG_PID", "").strip()
    if owner:
        if not owner.isdigit() or int(owner) != (os.getpid() if pid is None else pid):
            return None
    return int(raw) / 1_000_000


class _Default(enum.Enum):
    FROM_ENVIRONMENT = "from the environment"


FROM_ENVIRONMENT = _Default.FROM_ENVIRONMENT
"""Default for :class:`Watchdog`'s ``interval_s``: read it with :func:`watchdog_interval_s`."""


class Watchdog:
    """Feeds systemd's watchdog from a loop that calls :meth:`tick` often (every frame).

    Pings at half the watchdog interval, as ``sd_watchdog_enabled(3)`` recommends, so one late
    frame never costs a restart while a loop stuck for a whole interval does.

    Parameters
    ----------
    interval_s : float or None, optional
        Watchdog timeout, s. By default it is read from the environment with
        :func:`watchdog_interval_s`; None or <= 0 disables the watchdog, and :meth:`tick` then
        does nothing.
    send : callable, optional
        ``send(state) -> bool`` used to deliver ``WATCHDOG=1``; defaults to :func:`notify`.
        Injected in tests.
    """

    def __init__(
        self,
        interval_s: float | None | _Default = FROM_ENVIRONMENT,
        *,
        send: Callable[[str], bool] | None = None,
    ) -> None:
        if isinstance(interval_s, _Default):
            interval_s = watchdog_interval_s()
        self.interval_s: float | None = (
            float(interval_s) if interval_s is not None and interval_s > 0 else None
        )
        self._send = notify if send is None else send
        self._last_ping: float | None = None
        self.pings = 0
        """How many pings reached the notify socket."""

    @property
    def enabled(self) -> bool:
        """True when systemd expects pings from this process."""
        return self.interval_s is not None

    @property
    def period_s(self) -> float | None:
        """Time between pings, s: half the watchdog interval; None when disabled."""
        return None if self.interval_s is None else self.interval_s / 2

    def tick(self, now: float) -> bool:
        """Ping if half an interval has passed since the last ping.

        Parameters
        ----------
        now : float
            The caller's monotonic clock, s (e.g. ``time.monotonic()``).

        Returns
        -------
        bool
            True when a ping was due on this call and reached the notify socket.
        """
        period = self.period_s
        if period is None:
            return False
        if self._last_ping is not None and now - self._last_ping < period:
            return False
        # A failed send still counts as the attempt, so a vanished socket costs one syscall
        # per period rather than one per frame.
        self._last_ping = now
        sent = self._send("WATCHDOG=1")
        self.pings += int(sent)
        return sent
