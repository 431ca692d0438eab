"""balance_trainer.watchdog: the sd_notify protocol, the watchdog interval, and the proof that a
stuck app is killed and restarted.

There is no running systemd in CI, so :class:`NotifySupervisor` below plays its part for one
``Type=notify`` service with ``WatchdogSec=``, ``Restart=`` and ``StartLimitBurst=``: it owns a
notify socket, starts a real Python process that uses ``balance_trainer.watchdog``, accepts
messages only from that process (``NotifyAccess=main``, checked with SO_PASSCRED), starts the
watchdog clock at ``READY=1``, kills the process with SIGABRT when a ping is late, and starts it
again as the restart policy says. The watchdog interval is scaled down to keep the test fast.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from balance_trainer import watchdog
from balance_trainer.watchdog import Watchdog

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "systemd" / "balance-trainer.service"


@pytest.fixture(autouse=True)
def _outside_systemd(monkeypatch):
    """Each test starts outside systemd, whatever runs the test suite."""
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def listener(tmp_path):
    """A datagram socket bound where systemd's notify socket would be; yields (path, sock)."""
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2.0)
    yield str(path), sock
    sock.close()


# --- the protocol ------------------------------------------------------------------------------


def test_notify_outside_systemd_sends_nothing_and_says_so():
    assert watchdog.notify("READY=1") is False
    assert watchdog.ready() is False
    assert watchdog.watchdog_ping() is False
    assert watchdog.stopping() is False
    assert watchdog.status("playing") is False


def test_notify_delivers_the_exact_datagram_to_a_path_socket(listener, monkeypatch):
    path, sock = listener
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    assert watchdog.ready() is True
    assert sock.recv(4096) == b"READY=1"
    assert watchdog.watchdog_ping() is True
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert watchdog.stopping() is True
    assert sock.recv(4096) == b"STOPPING=1"


def test_notify_reaches_an_abstract_socket_named_with_at_sign():
    name = f"balance-trainer-test-{os.getpid()}-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        sock.settimeout(2.0)
        assert watchdog.notify("READY=1", env={"NOTIFY_SOCKET": "@" + name}) is True
        assert sock.recv(4096) == b"READY=1"


def test_status_is_kept_on_one_line(listener):
    path, sock = listener
    assert watchdog.status("calibrating\nstep 2", env={"NOTIFY_SOCKET": path}) is True
    assert sock.recv(4096) == b"STATUS=calibrating step 2"


def test_extend_timeout_is_sent_in_microseconds(listener):
    path, sock = listener
    assert watchdog.extend_timeout(2.5, env={"NOTIFY_SOCKET": path}) is True
    assert sock.recv(4096) == b"EXTEND_TIMEOUT_USEC=2500000"


@pytest.mark.parametrize("value", ["", "relative", "vsock:2:1234", "@"])
def test_notify_ignores_a_socket_address_it_cannot_use(value):
    assert watchdog.notify("READY=1", env={"NOTIFY_SOCKET": value}) is False


def test_notify_to_a_vanished_socket_returns_false_instead_of_raising(tmp_path):
    gone = tmp_path / "no-listener"
    assert watchdog.notify("WATCHDOG=1", env={"NOTIFY_SOCKET": str(gone)}) is False


# --- the interval ------------------------------------------------------------------------------


def test_watchdog_interval_is_read_from_microseconds():
    assert watchdog.watchdog_interval_s(env={"WATCHDOG_USEC": "15000000"}) == 15.0


@pytest.mark.parametrize("usec", ["", "0", "-5", "1.5e6", "soon"])
def test_watchdog_interval_is_none_without_a_positive_integer(usec):
    assert watchdog.watchdog_interval_s(env={"WATCHDOG_USEC": usec}) is None


def test_watchdog_interval_belongs_only_to_the_pid_systemd_named():
    env = {"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "4242"}
    assert watchdog.watchdog_interval_s(env=env, pid=4242) == 4.0
    # The chip-reader child inherits the variables but must not think it is watched.
    assert watchdog.watchdog_interval_s(env=env, pid=4243) is None
    assert watchdog.watchdog_interval_s(env={**env, "WATCHDOG_PID": "x"}, pid=4242) is None


def test_watchdog_reads_its_interval_from_the_environment(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "8000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    dog = Watchdog()
    assert dog.enabled and dog.interval_s == 8.0 and dog.period_s == 4.0


# --- the per-frame helper, in virtual time ----------------------------------------------------


def test_tick_pings_at_half_the_interval_in_virtual_time():
    sent: list[tuple[float, str]] = []
    clock = {"t": 100.0}

    def send(state: str) -> bool:
        sent.append((clock["t"], state))
        return True

    dog = Watchdog(10.0, send=send)
    for frame in range(0, 1201):  # 20 s of frames at 60 Hz, both ends included
        clock["t"] = 100.0 + frame / 60
        dog.tick(clock["t"])
    times = [t for t, _ in sent]
    assert {s for _, s in sent} == {"WATCHDOG=1"}
    assert times[0] == 100.0  # the first frame pings at once
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # Each gap is the half interval rounded up to the next frame, never more than a frame late.
    assert all(5.0 <= g < 5.0 + 1 / 60 + 1e-9 for g in gaps)
    assert dog.pings == len(sent) == 5  # t = 0, 5, 10, 15, 20 s


def test_tick_waits_a_full_half_interval_before_the_next_ping():
    sent: list[str] = []
    dog = Watchdog(10.0, send=lambda s: sent.append(s) is None)
    assert dog.tick(0.0) is True
    assert dog.tick(4.999) is False
    assert dog.tick(5.0) is True
    assert len(sent) == 2


def test_disabled_watchdog_never_sends():
    sent: list[str] = []
    for dog in (Watchdog(None, send=sent.append), Watchdog(0.0, send=sent.append), Watchdog()):
        assert not dog.enabled
        assert [dog.tick(t) for t in (0.0, 10.0, 1e6)] == [False, False, False]
    assert sent == []


def test_failed_ping_is_not_retried_every_frame():
    calls: list[str] = []

    def send(state: str) -> bool:
        calls.append(state)
        return False

    dog = Watchdog(2.0, send=send)
    assert dog.tick(0.0) is False
    assert dog.tick(0.5) is False
    assert dog.tick(1.0) is False
    assert len(calls) == 2 and dog.pings == 0  # at t=0 and t=1, not on every frame


# --- the supervisor path: a stuck app is restarted ---------------------------------------------

# The app under supervision. TEST_APP_STUCK_AFTER lists, per run, after how many pings the
# frame loop hangs; 0 means that run stays healthy and quits on its own after a few pings.
APP = """
import os, resource, sys, time
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGABRT must not leave a core file
from balance_trainer import watchdog
dog = watchdog.Watchdog()
if not dog.enabled:
    sys.exit(3)
watchdog.ready()
plan = [int(n) for n in os.environ["TEST_APP_STUCK_AFTER"].split(",")]
stuck_after = plan[int(os.environ["TEST_APP_RUN"])]
healthy_pings = 5
while True:
    dog.tick(time.monotonic())
    if stuck_after and dog.pings >= stuck_after:
        watchdog.status("frame loop stuck")
        time.sleep(120)  # a frame loop that stopped turning: no more pings
    if not stuck_after and dog.pings >= healthy_pings:
        watchdog.stopping()
        sys.exit(0)
    time.sleep(0.01)
"""


@dataclass
class Run:
    """One start of the service, as the supervisor saw it."""

    pid: int
    ready: bool = False
    pings: int = 0
    messages: list[str] = field(default_factory=list)
    result: str = ""
    returncode: int | None = None


class NotifySupervisor:
    """systemd's part for one Type=notify service with a watchdog, restart policy and limit.

    Parameters
    ----------
    argv : list of str
        The service's command line.
    socket_path : Path
        Where to bind the notify socket.
    watchdog_s : float
        WatchdogSec, s: the longest gap after READY=1 between two WATCHDOG=1 messages.
    restart : str
        Restart=, ``"no"`` or ``"on-failure"``.
    start_limit_burst : int
        StartLimitBurst: starts allowed before the unit is left failed.
    start_timeout_s : float
        TimeoutStartSec: how long READY=1 may take.
    env : dict
        Extra environment; ``TEST_APP_RUN`` is set to the run's index.
    """

    def __init__(
        self,
        argv,
        socket_path,
        *,
        watchdog_s,
        restart,
        start_limit_burst,
        start_timeout_s,
        env,
        cwd,
    ):
        self.argv = argv
        self.watchdog_s = watchdog_s
        self.restart = restart
        self.burst = start_limit_burst
        self.start_timeout_s = start_timeout_s
        self.env = env
        self.cwd = cwd
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(socket_path))
        # Like systemd, learn each sender's pid from the kernel, not from the message.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.settimeout(0.02)
        self.socket_path = str(socket_path)
        self.runs: list[Run] = []
        self.state = "inactive"

    def _receive(self) -> tuple[int | None, str] | None:
        try:
            data, anc, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except TimeoutError:
            return None
        pid = None
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", payload[:12])[0]
        return pid, data.decode()

    def _run_once(self, index: int) -> Run:
        env = {
            **os.environ,
            **self.env,
            "TEST_APP_RUN": str(index),
            "NOTIFY_SOCKET": self.socket_path,
            "WATCHDOG_USEC": str(round(self.watchdog_s * 1e6)),
        }
        proc = subprocess.Popen(self.argv, env=env, cwd=self.cwd)
        run = Run(pid=proc.pid)
        deadline = time.monotonic() + self.start_timeout_s
        try:
            while True:
                got = self._receive()
                now = time.monotonic()
                if got is not None:
                    pid, text = got
                    if pid != proc.pid:  # NotifyAccess=main
                        continue
                    for line in text.split("\n"):
                        run.messages.append(line)
                        if line == "READY=1" and not run.ready:
                            run.ready = True  # the watchdog clock starts here
                            deadline = now + self.watchdog_s
                        elif line == "WATCHDOG=1" and run.ready:
                            run.pings += 1
                            deadline = now + self.watchdog_s
                code = proc.poll()
                if code is not None:
                    run.returncode = code
                    run.result = "success" if code == 0 else "exit-code"
                    return run
                if now > deadline:
                    run.result = "watchdog" if run.ready else "timeout"
                    proc.send_signal(signal.SIGABRT)  # systemd's WatchdogSignal= default
                    run.returncode = proc.wait(timeout=10)
                    return run
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    def run(self) -> list[Run]:
        """Start the service and follow it until it stays down; returns every run."""
        while True:
            if len(self.runs) >= self.burst:
                self.state = "failed (start-limit-hit)"
                return self.runs
            run = self._run_once(len(self.runs))
            self.runs.append(run)
            if run.result == "success" or self.restart == "no":
                self.state = "inactive" if run.result == "success" else "failed"
                return self.runs

    def close(self) -> None:
        self.sock.close()


def _unit_setting(key: str) -> str:
    values = [
        line.split("=", 1)[1].strip()
        for line in UNIT.read_text().splitlines()
        if line.startswith(key + "=")
    ]
    assert values, f"{UNIT.name} sets no {key}="
    return values[-1]


@pytest.fixture
def supervisor(tmp_path):
    made: list[NotifySupervisor] = []

    def make(stuck_after: str, burst: int) -> NotifySupervisor:
        sup = NotifySupervisor(
            [sys.executable, "-c", APP],
            tmp_path / f"notify-{len(made)}",
            # Scaled down from the unit's WatchdogSec: a ping every 0.25 s, late after 0.5 s.
            watchdog_s=0.5,
            restart=_unit_setting("Restart"),
            start_limit_burst=burst,
            start_timeout_s=30.0,
            env={"TEST_APP_STUCK_AFTER": stuck_after},
            cwd=tmp_path,
        )
        made.append(sup)
        return sup

    yield make
    for sup in made:
        sup.close()


def test_unit_is_supervised_the_way_the_harness_emulates():
    assert _unit_setting("Type") == "notify"
    assert _unit_setting("NotifyAccess") == "main"
    assert _unit_setting("Restart") == "on-failure"
    assert _unit_setting("WatchdogSec").rstrip("s").isdigit()
    assert int(_unit_setting("StartLimitBurst")) >= 2


def test_app_that_stops_feeding_the_watchdog_is_killed_and_restarted(supervisor):
    # Run 0 pings twice and then hangs; run 1, the restart, feeds the watchdog and exits cleanly.
    sup = supervisor(stuck_after="2,0", burst=5)
    runs = sup.run()
    assert [r.result for r in runs] == ["watchdog", "success"]
    stuck, restarted = runs
    assert stuck.ready and stuck.pings >= 2
    assert stuck.messages[-1] == "STATUS=frame loop stuck"  # killed only after it hung
    assert stuck.returncode == -signal.SIGABRT
    assert restarted.pid != stuck.pid
    assert restarted.ready and restarted.pings >= 5 and restarted.returncode == 0
    assert sup.state == "inactive"


def test_app_that_keeps_hanging_stops_at_the_start_limit(supervisor):
    sup = supervisor(stuck_after="1,1", burst=2)
    runs = sup.run()
    assert [r.result for r in runs] == ["watchdog", "watchdog"]
    assert all(r.ready and r.messages[-1] == "STATUS=frame loop stuck" for r in runs)
    assert sup.state == "failed (start-limit-hit)"


def test_pings_from_other_processes_do_not_feed_the_watchdog(supervisor):
    # Only the main process counts (NotifyAccess=main). Another process that knows the socket
    # keeps pinging while the app hangs; the harness must still see the app go quiet.
    sup = supervisor(stuck_after="1", burst=1)
    done = threading.Event()

    def impostor() -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.connect(sup.socket_path)
            end = time.monotonic() + 20.0  # bounded even if the harness were fooled
            while not done.is_set() and time.monotonic() < end:
                s.send(b"WATCHDOG=1")
                done.wait(0.05)

    thread = threading.Thread(target=impostor, daemon=True)
    thread.start()
    try:
        runs = sup.run()
    finally:
        done.set()
        thread.join()
    assert [r.result for r in runs] == ["watchdog"]
    assert runs[0].pings == 1
