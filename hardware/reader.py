"""The chip reader: a process of its own that owns the HX711 chips and hands frames to the app.

Why a process: in a thread, a switch to another Python thread between the two clock writes can
hold SCK high for milliseconds, far past the chip's 60 µs power-down limit. In its own process
the reader has its own interpreter lock, and it asks the kernel for a real-time (or at least a
better) scheduling priority where the system allows it.

The child reads sweeps with :class:`~hardware.hx711.HX711Array`, restarts (power-cycles) the
chips after a fault, and sends each frame, timestamped with ``time.monotonic()`` (one clock for
every process on the machine), through a pipe. In the app a drain thread empties the pipe into a
bounded queue at once, so the child never blocks on a slow consumer. Errors cross the pipe as
(class name, message) and are raised again in the app as the same project exception.

The process is started with the ``spawn`` method (safe with threads in the parent, the only
method on some platforms); everything sent to it is a plain picklable :class:`ReaderSpec`.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from balance_trainer import errors
from balance_trainer.errors import BoardDisconnected, SensorError, SensorFault, SensorTimeout
from balance_trainer.frames import RawFrame

from .hx711 import HX711Array

log = logging.getLogger(__name__)

RT_PRIORITY = 10
"""SCHED_FIFO priority asked for: above every normal task, below the kernel's own threads."""
NICE = -10
"""Niceness tried when real-time scheduling is not allowed."""
STOP_POLL_S = 0.05
"""How often the reader looks whether the app asked it to stop (s)."""


def pin_off_cpu0(
    *,
    get_affinity: Callable[[int], set[int]] | None = None,
    set_affinity: Callable[[int, set[int]], None] | None = None,
) -> tuple[int, str]:
    """Keep the reader off CPU 0, where the kernel handles most interrupts (USB, network, the
    SD card): fewer preemptions in the middle of an SCK high phase.

    Returns
    -------
    (logging level, message)
    """
    get = get_affinity or getattr(os, "sched_getaffinity", None)
    put = set_affinity or getattr(os, "sched_setaffinity", None)
    if get is None or put is None:
        return logging.INFO, "CPU affinity not available here; the reader runs on any CPU"
    try:
        cpus = set(get(0))
        others = cpus - {0}
        if not others:
            return logging.INFO, f"only CPU {sorted(cpus)} available; the reader stays there"
        put(0, others)
        return logging.INFO, f"reader pinned to CPU {','.join(map(str, sorted(others)))}"
    except OSError as exc:
        return logging.INFO, f"could not pin the reader off CPU 0 ({exc.strerror or exc})"


def raise_priority(
    *,
    rt_priority: int = RT_PRIORITY,
    nice: int = NICE,
    set_scheduler: Callable[..., Any] | None = None,
    set_nice: Callable[[int], int] | None = None,
) -> list[tuple[int, str]]:
    """Ask for real-time scheduling, else a lower niceness; say what happened.

    Returns
    -------
    list of (logging level, message)
        What the reader should log; a warning when neither was allowed.
    """
    msgs: list[tuple[int, str]] = []
    sched = set_scheduler or getattr(os, "sched_setscheduler", None)
    if sched is not None and hasattr(os, "SCHED_FIFO"):
        try:
            sched(0, os.SCHED_FIFO, os.sched_param(rt_priority))
            return [(logging.INFO, f"running with real-time priority (SCHED_FIFO {rt_priority})")]
        except OSError as exc:
            msgs.append((logging.INFO, f"real-time priority not allowed ({exc.strerror or exc})"))
    try:
        now = (set_nice or os.nice)(nice)
        msgs.append((logging.INFO, f"running at nice {now}"))
    except OSError as exc:
        msgs.append(
            (
                logging.WARNING,
                f"could not raise the reader's priority ({exc.strerror or exc}); SCK "
                "timing will be less steady and more sweeps discarded. Allow it with "
                "LimitRTPRIO=10 (or CAP_SYS_NICE) in the systemd unit",
            )
        )
    return msgs


class MeteredSleep:
    """:func:`time.sleep` that adds up the CPU time its calls cost this thread
    (``cpu_ns``): the kernel's timer, the switch away and back, and whatever the machine
    charges for waking. Used with fake chips, so the cpu benchmark can say how much of the
    reader's time is waking up; the two clock reads (about 1 µs a sleep) are in it."""

    def __init__(self) -> None:
        self.cpu_ns = 0

    def __call__(self, seconds: float) -> None:
        t = time.thread_time_ns()
        time.sleep(seconds)
        self.cpu_ns += time.thread_time_ns() - t


@dataclass(frozen=True)
class ReaderSpec:
    """What the reader process needs: pins, labels, limits, and (for mock-hx711) fake chips.

    dout_pins, sck_pin : pin names as gpiozero takes them.
    labels : what to call each chip in messages (``"cell 'left_outer'"``).
    timeout : s a read may wait (see :class:`~hardware.hx711.HX711Array`).
    max_restarts : consecutive failed reads (each followed by a chip power-cycle) tolerated
        before the reader gives up and reports the error.
    fake : a :class:`~hardware.fake_hx711.FakeBoardSpec` to build fake chips on mock pins in
        the child instead of using real pins.
    """

    dout_pins: tuple[str | int, ...]
    sck_pin: str | int
    labels: tuple[str, ...] = field(default_factory=tuple)
    timeout: float = 1.0
    max_restarts: int = 3
    raise_priority: bool = True
    stats_interval_s: float = 1.0
    fake: Any = None
    pin_cpu: bool = True
    schedule: bool = True
    """False: the old way (look every 0.5 ms, sweep when all are ready), for benchmarks."""


class ChipSession:
    """Reads frames from an array, power-cycling the chips after a fault.

    A fault (timeout, stuck or erratic chip) is logged and the chips are reset; after
    ``max_restarts`` faults in a row without a good frame between them the error is raised.
    """

    def __init__(
        self,
        array: HX711Array,
        *,
        max_restarts: int = 3,
        on_log: Callable[[int, str], None] | None = None,
    ) -> None:
        self.array = array
        self.max_restarts = int(max_restarts)
        self.on_log = on_log or (lambda level, text: log.log(level, "%s", text))
        self.consecutive = 0
        self.restarts = 0
        self.faults: dict[str, int] = {}

    def read(self) -> tuple[float, list[int]]:
        """``(t, counts)`` of the next good sweep; ``t`` is when every chip was ready.

        Raises
        ------
        SensorTimeout, SensorFault
            The same fault ``max_restarts + 1`` times in a row.
        """
        while True:
            try:
                counts = self.array.read()
            except (SensorTimeout, SensorFault) as exc:
                kind = type(exc).__name__
                self.faults[kind] = self.faults.get(kind, 0) + 1
                self.consecutive += 1
                if self.consecutive > self.max_restarts:
                    raise
                self.restarts += 1
                self.on_log(
                    logging.WARNING,
                    f"{exc}; restarting the chips ({self.consecutive}/{self.max_restarts})",
                )
                self.array.reset()
                continue
            self.consecutive = 0
            t = self.array.last_ready_time
            return (t if t is not None else time.monotonic()), counts

    def stats(self) -> dict[str, Any]:
        out = self.array.stats
        out["restarts"] = self.restarts
        out["faults"] = dict(self.faults)
        return out


def open_array(spec: ReaderSpec, *, pin_factory: Any = None, **kw: Any) -> HX711Array:
    """The array for ``spec`` on ``pin_factory`` (default: gpiozero's); ``kw`` go to
    :class:`~hardware.hx711.HX711Array` (e.g. ``lgpio``)."""
    if not spec.schedule:
        kw.setdefault("schedule", False)
        kw.setdefault("poll_interval", 0.0005)
    return HX711Array(
        spec.dout_pins,
        spec.sck_pin,
        pin_factory=pin_factory,
        timeout=spec.timeout,
        labels=spec.labels or None,
        **kw,
    )


def reader_main(spec: ReaderSpec, conn: Any, stop: Any) -> None:
    """The reader process's body (module level, so ``spawn`` can find it).

    Messages sent: ``("log", level, text)``, ``("ready", info)``,
    ``("frame", seq, t, counts)``, ``("stats", dict)``,
    ``("error", class name, message, chip indices)``.
    """

    # Pickled here and sent as bytes: the pipe's framing and the app's ``recv`` are the same,
    # but multiprocessing's own pickler (for handles and sockets, which never cross here)
    # costs a few µs more per frame.
    send_bytes, dumps, protocol = conn.send_bytes, pickle.dumps, pickle.HIGHEST_PROTOCOL

    def send(msg: tuple[Any, ...]) -> None:
        send_bytes(dumps(msg, protocol))

    array = bank = lg = slept = None
    priority = "normal (not asked to raise it)"
    try:
        if spec.pin_cpu:
            send(("log", *pin_off_cpu0()))
        for level, text in raise_priority() if spec.raise_priority else []:
            send(("log", level, text))
            priority = text
        try:
            factory = lg = None
            if spec.fake is not None:
                from gpiozero.pins.mock import MockFactory

                from .fake_lgpio import MeteredFakeLgpio

                factory = MockFactory()
                bank = spec.fake.build(factory, clock=time.perf_counter)
                # The fake chips read through the same direct lgpio path as real ones, over a
                # stand-in lgpio that meters its own (emulation) time.
                lg = MeteredFakeLgpio(factory)
                slept = MeteredSleep()
            extra = {} if slept is None else {"sleep": slept}
            array = open_array(spec, pin_factory=factory, lgpio=lg, **extra)
        except errors.BalanceTrainerError as exc:
            send(("error", type(exc).__name__, str(exc), getattr(exc, "chips", [])))
            return
        except Exception as exc:  # noqa: BLE001 - must reach the app as a message
            send(("error", "SensorError", f"HX711 reader could not start: {exc!r}", []))
            return
        # Everything made so far lives as long as the process: keep the cyclic garbage
        # collector from walking it again, and off during sweeps altogether (a collection
        # inside an SCK high phase would stretch it); it runs once per stats message instead,
        # between sweeps. The frame loop makes no reference cycles.
        gc.freeze()
        gc.disable()
        session = ChipSession(
            array,
            max_restarts=spec.max_restarts,
            on_log=lambda level, text: send(("log", level, text)),
        )
        ready_cpu, ready_wall = time.process_time(), time.monotonic()
        send(
            (
                "ready",
                {"pid": os.getpid(), "dout_pins": array.dout_names, "sck_pin": array.sck_name},
            )
        )

        def stats() -> dict[str, Any]:
            gc.collect(0)
            out = session.stats()
            out["priority"] = priority
            if bank is not None:
                t0 = time.perf_counter_ns()
                out["fake"] = bank.stats()
                if lg is not None:  # the fake chips' own bookkeeping is emulation too
                    lg.emulation_ns += time.perf_counter_ns() - t0
                out["fake"]["emulation_s"] = getattr(lg, "emulation_ns", 0) / 1e9
            if slept is not None:
                out["sleep_cpu_s"] = slept.cpu_ns / 1e9
            # Read last, so the CPU time and the emulation time cover the same work.
            out["cpu_s"] = time.process_time()
            out["wall_s"] = time.monotonic()
            out["cpu_since_ready_s"] = out["cpu_s"] - ready_cpu
            out["wall_since_ready_s"] = out["wall_s"] - ready_wall
            return out

        seq = 0
        now = time.monotonic()
        next_stats = now + spec.stats_interval_s
        next_stop = now
        while True:
            if now >= next_stop:
                # Asked to stop? An Event is a lock and a semaphore: looked at every
                # STOP_POLL_S, not every frame (closing waits a read's timeout anyway).
                if stop.is_set():
                    break
                next_stop = now + STOP_POLL_S
            try:
                t, counts = session.read()
            except SensorError as exc:
                send(("stats", stats()))
                send(("error", type(exc).__name__, str(exc), getattr(exc, "chips", [])))
                return
            seq += 1
            send(("frame", seq, t, tuple(counts)))
            now = time.monotonic()
            if now >= next_stats:
                send(("stats", stats()))
                next_stats = now + spec.stats_interval_s
        send(("stats", stats()))
    except (BrokenPipeError, EOFError, ConnectionError):
        pass  # the app went away; nothing left to tell it
    finally:
        if array is not None:
            array.close()
        if bank is not None:
            bank.close()
        try:
            conn.close()
        except OSError:
            pass


def _error_from(name: str, message: str, chips: Sequence[int]) -> SensorError:
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, SensorError)):
        cls = SensorError
    exc = cls(message)
    exc.chips = list(chips)  # type: ignore[attr-defined]
    return exc


class ChipReader:
    """The app's end of the reader process.

    Parameters
    ----------
    spec : ReaderSpec
    start_timeout : float
        Seconds to wait for the process to open the chips (spawning Python takes a while).
    max_queue : int
        Frames kept for the app; when it falls further behind, the oldest are dropped (and
        counted) rather than stalling the reader.
    """

    def __init__(
        self, spec: ReaderSpec, *, start_timeout: float = 30.0, max_queue: int = 4096
    ) -> None:
        self.spec = spec
        self.start_timeout = start_timeout
        self._frames: deque[RawFrame] = deque()
        self._max_queue = max_queue
        self._cond = threading.Condition()
        self._ready = threading.Event()
        self._error: SensorError | None = None
        self._eof = False
        self._child_stats: dict[str, Any] = {}
        self._last_seq = 0
        self.frames_received = 0
        self.seq_gaps = 0
        self.dropped_app = 0
        self.info: dict[str, Any] = {}
        self._proc: Any = None
        self._exitcode: int | None = None
        self._conn: Any = None
        self._stop: Any = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> ChipReader:
        """Start the process and wait until the chips are open.

        Raises
        ------
        PinConfigError, SensorError
            As raised in the reader process (bad pins, no GPIO library...).
        BoardDisconnected
            The process died or did not report back within ``start_timeout``.
        """
        ctx = multiprocessing.get_context("spawn")
        recv_end, send_end = ctx.Pipe(duplex=False)
        self._stop = ctx.Event()
        self._proc = ctx.Process(
            target=reader_main,
            args=(self.spec, send_end, self._stop),
            name="hx711-reader",
            daemon=True,
        )
        self._proc.start()
        send_end.close()  # so the pipe reports EOF when the child exits
        self._conn = recv_end
        self._thread = threading.Thread(target=self._drain, name="hx711-drain", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout
        with self._cond:
            self._cond.wait_for(
                lambda: self._ready.is_set() or self._error is not None or self._eof,
                timeout=max(0.0, deadline - time.monotonic()),
            )
            error, ready = self._error, self._ready.is_set()
        if not ready:
            died = self._eof or not self._proc.is_alive()
            self.close()  # forgets the process; its exit code is kept
            if error is not None:
                raise error
            what = "stopped before it was ready" if died else "did not start"
            raise BoardDisconnected(
                f"the HX711 reader process {what} within {self.start_timeout:g} s "
                f"(exit code {self.exitcode}); run 'balance-trainer doctor' for details"
            )
        return self

    def _drain(self) -> None:
        conn = self._conn
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                with self._cond:
                    self._eof = True
                    self._cond.notify_all()
                return
            kind = msg[0]
            if kind == "frame":
                _, seq, t, counts = msg
                with self._cond:
                    if seq != self._last_seq + 1:
                        self.seq_gaps += seq - self._last_seq - 1
                    self._last_seq = seq
                    self.frames_received += 1
                    if len(self._frames) >= self._max_queue:
                        self._frames.popleft()
                        self.dropped_app += 1
                    self._frames.append(RawFrame(t, counts))
                    self._cond.notify_all()
            elif kind == "log":
                log.log(msg[1], "HX711 reader: %s", msg[2])
            elif kind == "stats":
                self._child_stats = msg[1]
            elif kind == "ready":
                self.info = msg[1]
                with self._cond:
                    self._ready.set()
                    self._cond.notify_all()
            elif kind == "error":
                err = _error_from(msg[1], msg[2], msg[3])
                # Raised to the caller, which reports it once; logging it too doubled the line.
                log.debug("HX711 reader: %s", err)
                with self._cond:
                    self._error = err
                    self._cond.notify_all()

    def get(self, timeout: float | None = None) -> RawFrame | None:
        """The next frame, waiting up to ``timeout`` s; None if none came in that time.

        Raises
        ------
        SensorError
            The reader gave up (the message names the cell and pin).
        BoardDisconnected
            The reader process ended without saying why.
        """
        with self._cond:
            if not self._frames:
                self._cond.wait_for(
                    lambda: self._frames or self._error is not None or self._eof, timeout=timeout
                )
            if self._frames:
                return self._frames.popleft()
            if self._error is not None:
                raise self._error
            if self._eof:
                code = self.exitcode
                raise BoardDisconnected(
                    f"the HX711 reader process stopped (exit code {code}); check the logs, "
                    "then run 'balance-trainer doctor'"
                )
            return None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def close(self) -> None:
        """Stop the process (politely, then firmly) and wait for it. Safe to call twice."""
        proc = self._proc
        if proc is None:
            return
        if self._stop is not None:
            self._stop.set()
        proc.join(self.spec.timeout + 3.0)
        if proc.is_alive():
            log.warning("HX711 reader did not stop; terminating it")
            proc.terminate()
            proc.join(2.0)
        if proc.is_alive():
            proc.kill()
            proc.join(2.0)
        if self._thread is not None:
            self._thread.join(2.0)
        if self._conn is not None:
            self._conn.close()
        self._exitcode = proc.exitcode
        self._proc = None

    def __enter__(self) -> ChipReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def exitcode(self) -> int | None:
        return self._exitcode if self._proc is None else self._proc.exitcode

    def stats(self) -> dict[str, Any]:
        """The reader's counters (see :attr:`HX711Array.stats`) plus the app side's:
        ``frames_received``, ``seq_gaps`` (frames lost between the processes, always 0 unless
        something is badly wrong) and ``dropped_app`` (frames the app was too slow to take)."""
        out = dict(self._child_stats)
        out.update(
            frames_received=self.frames_received,
            seq_gaps=self.seq_gaps,
            dropped_app=self.dropped_app,
        )
        return out
