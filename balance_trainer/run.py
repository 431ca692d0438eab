"""The one live-run loop: a protocol fed a stream of blocks, fanned out to sinks, closed once.

``test``, ``record`` and the app's test screen all run this way::

    live = LiveRun(make_protocol("single-leg-stance"), [RecordingSink(writer), StoreSink(rec)])
    for block, forces, missed in blocks:
        live.feed(block, forces, missed)      # every sink gets the frames, then the events
        if live.done:
            break
    outcome = live.finish()                   # the protocol's result; every sink closed once

or, with a finite iterable, ``outcome = run_blocks(blocks, protocol, sinks)``, which also
turns Ctrl-C into an interrupted run and any other error into an aborted one (the frames
stored so far are kept, marked ``aborted``).

A sink sees, in order: :meth:`Sink.on_block` for every block (frames first, so what is stored
never lags what was measured), :meth:`Sink.on_events` with the protocol's events of that block
(an empty list between events, for elapsed-time displays), :meth:`Sink.on_stop` once when the
run stops early, and :meth:`Sink.on_finish` exactly once with the :class:`RunOutcome`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .balance import BalanceBlock
from .errors import AnalysisError
from .results import TestResult

if TYPE_CHECKING:
    from .config import Board
    from .protocols import Protocol, ProtocolEvent
    from .recorder import TrialRecorder
    from .recording import RecordingWriter

__all__ = [
    "RunStatus",
    "StopReason",
    "RunOutcome",
    "Sink",
    "RecordingSink",
    "StoreSink",
    "LiveRun",
    "run_blocks",
    "sway_metrics",
]

Forces = NDArray[np.float64]
"""Per-cell forces of a block, shape (n, n_cells), N."""


class RunStatus(StrEnum):
    """How a run ended (the store's trial status)."""

    COMPLETE = "complete"
    ABORTED = "aborted"
    """Left early by the person or an error: what was measured is kept."""


class StopReason(StrEnum):
    """Why the frames stopped being read."""

    DONE = "done"
    """The protocol finished its test."""
    END_OF_DATA = "end_of_data"
    """The source (or the recording's time cut) ended."""
    TIMEOUT = "timeout"
    """``timeout_s`` of board time passed."""
    INTERRUPTED = "interrupted"
    """Ctrl-C, or the person left the screen."""
    ERROR = "error"


@dataclass(frozen=True)
class RunOutcome:
    """What a finished run gives back.

    Attributes
    ----------
    status : RunStatus
    stopped : StopReason
    result : TestResult or None
        The protocol's result (None for a run without a protocol).
    n_frames : int
        Frames fed.
    t0_s : float or None
        The first frame's time in the source's clock, s.
    """

    status: RunStatus
    stopped: StopReason
    result: TestResult | None
    n_frames: int
    t0_s: float | None


class Sink:
    """Something a run fans out to. Override what you need; every method does nothing here."""

    def on_block(self, run: LiveRun, block: BalanceBlock, forces_n: Forces, missed: int) -> None:
        """Frames arrived (``missed``: frames the source lost before these)."""

    def on_events(self, run: LiveRun, events: list[ProtocolEvent]) -> None:
        """The protocol's events of the block just fed (often none)."""

    def on_stop(self, run: LiveRun, reason: StopReason) -> None:
        """The run stops before the protocol finished (timeout, Ctrl-C, end of data)."""

    def on_finish(self, run: LiveRun, outcome: RunOutcome) -> None:
        """The run is over: close files, store the result. Called exactly once."""


class RecordingSink(Sink):
    """Writes every frame to a recording file and closes it at the end."""

    def __init__(self, writer: RecordingWriter) -> None:
        self.writer = writer

    def on_block(self, run: LiveRun, block: BalanceBlock, forces_n: Forces, missed: int) -> None:
        if len(block):
            self.writer.write_block(
                block.t_s, forces_n, block.pelvis_obliquity_deg, block.pelvis_rotation_deg
            )

    def on_finish(self, run: LiveRun, outcome: RunOutcome) -> None:
        self.writer.close()


class StoreSink(Sink):
    """Stores every frame in a trial of the store, then its result, metrics and status.

    Parameters
    ----------
    recorder : TrialRecorder
    board : Board or None
        With a board and no protocol, the trial's metrics are the DESIGN.md sway measures over
        the frames where someone stood on the board (:func:`sway_metrics`); with a protocol
        they are the best trial's measures.
    """

    def __init__(self, recorder: TrialRecorder, board: Board | None = None) -> None:
        self.recorder = recorder
        self.board = board
        self.metrics: dict[str, Any] | None = None
        self._kept: list[BalanceBlock] = []

    def on_block(self, run: LiveRun, block: BalanceBlock, forces_n: Forces, missed: int) -> None:
        if len(block):
            self.recorder.add_frames(
                block.t_s, forces_n, block.pelvis_obliquity_deg, block.pelvis_rotation_deg
            )
            if self.board is not None and run.protocol is None:
                self._kept.append(block)

    def on_finish(self, run: LiveRun, outcome: RunOutcome) -> None:
        if self.recorder.finished:
            return
        result = outcome.result
        if result is not None:
            best = result.best_trial
            self.metrics = dict(best.metrics) if best is not None else None
        elif self.board is not None:
            self.metrics = sway_metrics(self._kept, self.board)
        self.recorder.finish(
            result=result.to_json() if result is not None else None,
            metrics=self.metrics,
            status=str(outcome.status),
        )


SinkError = Callable[[Sink, BaseException], None]


class LiveRun:
    """One run: blocks in, fanned out to ``sinks`` and fed to ``protocol``; finished once.

    Parameters
    ----------
    protocol : Protocol or None
        The test to run; None to only fan frames out (a recording).
    sinks : sequence of Sink
    timeout_s : float or None
        Stop after this much board time from the first frame, s.
    on_sink_error : callable or None
        ``(sink, exc)`` when a sink raises; the sink is dropped and the run goes on. Without
        it the error propagates (and the caller aborts the run).
    """

    def __init__(
        self,
        protocol: Protocol | None,
        sinks: Sequence[Sink] = (),
        *,
        timeout_s: float | None = None,
        on_sink_error: SinkError | None = None,
    ) -> None:
        self.protocol = protocol
        self.sinks = list(sinks)
        self.timeout_s = timeout_s
        self.on_sink_error = on_sink_error
        self.t0_s: float | None = None
        self.n_frames = 0
        self.stopped: StopReason | None = None
        self.outcome: RunOutcome | None = None

    @property
    def done(self) -> bool:
        """No more frames are wanted: the protocol finished, time ran out, or it was stopped."""
        return self.stopped is not None or self.outcome is not None

    def _each(self, call: Callable[[Sink], None]) -> None:
        for sink in list(self.sinks):
            try:
                call(sink)
            except Exception as exc:
                if self.on_sink_error is None:
                    raise
                self.sinks.remove(sink)
                self.on_sink_error(sink, exc)

    def feed(self, block: BalanceBlock, forces_n: Forces, missed: int = 0) -> list[ProtocolEvent]:
        """One block: to every sink, then to the protocol; its events to every sink."""
        if self.done:
            return []
        if self.t0_s is None and len(block):
            self.t0_s = float(block.t_s[0])
        self.n_frames += len(block)
        self._each(lambda s: s.on_block(self, block, forces_n, missed))
        events: list[ProtocolEvent] = []
        if self.protocol is not None and len(block):
            events = self.protocol.feed(block)
        self._each(lambda s: s.on_events(self, events))
        if self.protocol is not None and self.protocol.done:
            self.stopped = StopReason.DONE
        elif (
            self.timeout_s is not None
            and self.t0_s is not None
            and len(block)
            and float(block.t_s[-1]) - self.t0_s >= self.timeout_s
        ):
            self.stop(StopReason.TIMEOUT)
        return events

    def stop(self, reason: StopReason) -> None:
        """Stop reading frames (the result so far stands); the sinks hear why, once."""
        if self.done:
            return
        self.stopped = reason
        self._each(lambda s: s.on_stop(self, reason))

    def finish(self, status: RunStatus = RunStatus.COMPLETE) -> RunOutcome:
        """Close the protocol and every sink, once; later calls return the same outcome."""
        if self.outcome is not None:
            return self.outcome
        if self.stopped is None:
            self.stop(StopReason.END_OF_DATA)
        result = None
        if self.protocol is not None:
            events = self.protocol.finish()
            if events:
                self._each(lambda s: s.on_events(self, events))
            result = self.protocol.test_result()
        stopped = self.stopped if self.stopped is not None else StopReason.END_OF_DATA
        self.outcome = RunOutcome(status, stopped, result, self.n_frames, self.t0_s)
        outcome = self.outcome
        self._each(lambda s: s.on_finish(self, outcome))
        return outcome

    def abort(self, reason: StopReason = StopReason.INTERRUPTED) -> RunOutcome:
        """Stop and finish as ``aborted``: the frames so far are kept, marked so."""
        self.stop(reason)
        return self.finish(RunStatus.ABORTED)


def run_blocks(
    blocks: Iterable[tuple[BalanceBlock, Forces, int]],
    protocol: Protocol | None,
    sinks: Sequence[Sink] = (),
    *,
    timeout_s: float | None = None,
) -> RunOutcome:
    """Run ``protocol`` over ``(block, forces, missed)`` until it is done or the blocks end.

    Ctrl-C stops the run with the result so far, stored as ``aborted``
    (``stopped`` is ``INTERRUPTED``); any other error aborts the run, closes every sink and
    propagates.
    """
    live = LiveRun(protocol, sinks, timeout_s=timeout_s)
    it = iter(blocks)
    try:
        for block, forces, missed in it:
            live.feed(block, forces, missed)
            if live.done:
                break
    except KeyboardInterrupt:
        return live.abort(StopReason.INTERRUPTED)
    except BaseException:
        try:
            live.abort(StopReason.ERROR)
        except Exception:  # noqa: BLE001, S110 - the original error says more
            pass
        raise
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()  # a generator over a sampler thread stops it at once
    return live.finish()


def sway_metrics(blocks: list[BalanceBlock], board: Board) -> dict[str, Any] | None:
    """DESIGN.md sway measures over the frames where someone stood on the board, or None.

    Like the analyser, the edges where nobody stands yet are cut; a gap inside is refused.
    """
    if not blocks:
        return None
    from .analysis import analyze_trial, on_board_span

    b = BalanceBlock.concatenate(blocks)
    span = on_board_span(b.total_n, b.cop_ml_mm)
    if span is None or span.stop - span.start < 2:
        return None
    try:
        return dict(
            analyze_trial(
                b.t_s[span],
                b.cop_ml_mm[span],
                b.cop_ap_mm[span] if board.has_ap_spacing else None,
                load_n=b.total_n[span],
                left_share=b.left_share[span],
                fs_hz=board.sample_rate_hz,
            )
        )
    except AnalysisError:
        return None
