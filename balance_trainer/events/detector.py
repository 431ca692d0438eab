"""The event detector: every event of one board's stream, fed block by block."""

from __future__ import annotations

import math

import numpy as np

from ..balance import BalanceBlock
from ..errors import ProtocolError
from .base import _PRIORITY, OTHER_SIDE, Event, EventSettings, _next_true, _Tail
from .contact import BodyWeightEstimator, Debouncer, FootContact, _FootShift
from .squat import SquatDetector


class EventDetector:
    """All the events of one board's stream, fed block by block (live or from a recording).

    Parameters
    ----------
    settings : EventSettings, optional
        Thresholds; the defaults follow the module docstring.
    fs_hz : float
        Nominal frame rate, Hz; sets the lengths of the averaging windows in frames.
    body_weight_n : float, optional
        Use this body weight (N) instead of measuring it from the first bipedal stance.

    Attributes
    ----------
    stance : str
        After the last block: ``unknown`` (no body weight yet), ``off``, ``both``, ``left`` or
        ``right`` (the foot standing).
    body_weight_n : float or None
    """

    def __init__(
        self,
        settings: EventSettings | None = None,
        *,
        fs_hz: float = 80.0,
        body_weight_n: float | None = None,
    ) -> None:
        self.settings = settings or EventSettings()
        if not (math.isfinite(fs_hz) and fs_hz > 0):
            raise ProtocolError(f"frame rate {fs_hz!r} Hz: give a positive rate such as 80")
        self.fs_hz = float(fs_hz)
        self._fixed_bw = body_weight_n is not None
        if body_weight_n is not None and not (math.isfinite(body_weight_n) and body_weight_n > 0):
            raise ProtocolError(f"body weight {body_weight_n!r} N: give a positive weight")
        self.body_weight_n: float | None = None
        self._pending_bw = body_weight_n
        self._bw = BodyWeightEstimator(self.settings)
        self._rearm = False
        self.stance = "unknown"
        self.on_board = False
        self.down = {"left": True, "right": True}
        self.trial_t0 = math.nan
        self._presence = Debouncer(self.settings.step_hold_s, self.settings.step_hold_s, True)
        self._feet = {side: FootContact(side, self.settings) for side in ("left", "right")}
        self._shift = _FootShift(self.settings, self.fs_hz)
        self._squat = SquatDetector(self.settings, self.fs_hz)
        keep = self._shift.width + self._shift.lag + 2
        self._cop_tail = _Tail(("t", "left", "right", "net", "left_n", "right_n"), keep)

    # -- public ---------------------------------------------------------------------------
    def feed(self, block: BalanceBlock) -> list[Event]:
        """Events that became known in this block, in the order they became known."""
        n = len(block)
        if n == 0:
            return []
        out: list[tuple[int, int, Event]] = []
        start = 0
        while start < n:
            if self.body_weight_n is None:
                found = self._find_start(block, start)
                if found is None:
                    self._note_cop(block, start, n)
                    self.on_board = bool(block.total_n[n - 1] >= self.settings.on_board_n)
                    break
                k, bw = found
                self._note_cop(block, start, k + 1)
                self._begin(bw)
                out.append((k, 0, self._bw_event(block, k, bw)))
                start = k + 1
            elif self._rearm:
                # Measure body weight again, while the old one keeps the events going.
                sl = slice(start, n)
                found = self._bw.feed(block.t_s[sl], block.total_n[sl], block.left_share[sl])
                stop = start + found[0] + 1 if found else n
                nxt = self._segment(block, start, stop, out)
                if nxt < stop:  # stepped off again before the new weight was in: start over
                    start = nxt
                    continue
                if found:
                    self.body_weight_n = found[1]
                    self._rearm = False
                    out.append((stop - 1, 0, self._bw_event(block, stop - 1, found[1])))
                start = stop
            else:
                start = self._segment(block, start, n, out)
        out.sort(key=lambda e: (e[0], _PRIORITY[e[2].kind], e[2].t_s))
        return [e for _, _, e in out]

    # -- internals ------------------------------------------------------------------------
    def _find_start(self, block: BalanceBlock, start: int) -> tuple[int, float] | None:
        """The frame at which events can start: body weight known, both feet down."""
        sl = slice(start, block.t_s.shape[0])
        if self._pending_bw is None:
            found = self._bw.feed(block.t_s[sl], block.total_n[sl], block.left_share[sl])
            return None if found is None else (start + found[0], found[1])
        thr = self.settings.lift_fraction * self._pending_bw
        both = (block.left_n[sl] > thr) & (block.right_n[sl] > thr)
        i = _next_true(both, 0)
        return None if i is None else (start + i, float(self._pending_bw))

    def _bw_event(self, block: BalanceBlock, k: int, bw: float) -> Event:
        t = float(block.t_s[k])
        return Event("body_weight", t, t, None, {"body_weight_n": bw, "stance": self.stance})

    def _begin(self, bw: float) -> None:
        """Body weight known while standing on both feet: start watching for events."""
        self.body_weight_n = bw
        self._presence = Debouncer(self.settings.step_hold_s, self.settings.step_hold_s, True)
        for foot in self._feet.values():
            foot.reset(down=True)
        self.down = {"left": True, "right": True}
        self.on_board = True
        self.stance = "both"
        self._squat.reset()

    def _note_cop(self, block: BalanceBlock, lo: int, hi: int) -> None:
        self._cop_tail.keep_from(self._cop_joined(block, lo, hi))

    def _cop_joined(self, block: BalanceBlock, lo: int, hi: int) -> dict[str, np.ndarray]:
        return self._cop_tail.joined(
            {
                "t": block.t_s[lo:hi],
                "left": block.left_cop_ml_mm[lo:hi],
                "right": block.right_cop_ml_mm[lo:hi],
                "net": block.cop_ml_mm[lo:hi],
                "left_n": block.left_n[lo:hi],
                "right_n": block.right_n[lo:hi],
            }
        )

    def _stance_from_feet(self) -> str:
        if not self.on_board:
            return "off"
        left, right = self.down["left"], self.down["right"]
        if left and right:
            return "both"
        if left:
            return "left"
        if right:
            return "right"
        return "off"

    def _segment(
        self, block: BalanceBlock, lo: int, hi: int, out: list[tuple[int, int, Event]]
    ) -> int:
        """Frames ``lo:hi`` of ``block`` with a fixed body weight.

        Returns the index of the first frame not processed: ``hi``, or the frame after a
        step-off became known (body weight is then measured again from that frame on).
        """
        s = self.settings
        bw = float(self.body_weight_n)  # type: ignore[arg-type]
        on = block.total_n[lo:hi] >= s.step_off_fraction * bw
        if not self._fixed_bw:
            # After a step-off body weight is measured again from the next frame, so this
            # segment ends there (a trial copy of the step detector finds where).
            for k, _, state in self._presence.clone().feed(block.t_s[lo:hi], on):
                if not state:
                    hi = lo + k + 1
                    on = on[: k + 1]
                    break
        t = block.t_s[lo:hi]
        changes: list[tuple[int, Event]] = []
        for k, cross, state in self._presence.feed(t, on):
            changes.append((k, Event("step_on" if state else "step_off", cross, float(t[k]))))
        thr = s.lift_fraction * bw
        changes += self._feet["left"].feed(t, block.left_n[lo:hi] > thr)
        changes += self._feet["right"].feed(t, block.right_n[lo:hi] > thr)
        changes.sort(key=lambda c: (c[0], _PRIORITY[c[1].kind], c[1].t_s))

        # Apply the changes in the order they became known; note where the stance changes.
        spans: list[tuple[int, str, float]] = [(0, self.stance, self.trial_t0)]
        for k, ev in changes:
            emit = self._apply(ev)
            if emit is not None:
                out.append((lo + k, 0, emit))
            if self.stance != spans[-1][1] or self.trial_t0 != spans[-1][2]:
                if spans[-1][0] == k + 1:
                    spans[-1] = (k + 1, self.stance, self.trial_t0)
                else:
                    spans.append((k + 1, self.stance, self.trial_t0))

        # Foot shifts while on one foot, with look-back into earlier frames.
        tail_n = len(self._cop_tail)
        joined = self._cop_joined(block, lo, hi)
        bounds = [sp[0] for sp in spans[1:]] + [hi - lo]
        for (a, stance, t0), b in zip(spans, bounds, strict=True):
            if stance not in ("left", "right") or b <= a or not math.isfinite(t0):
                continue
            if t0 != self._shift.trial_t0:  # a new stretch on one foot
                self._shift.restart(t0)
            own = joined[stance]
            x = np.where(np.isfinite(own), own, joined["net"])
            loaded = (joined[OTHER_SIDE[stance] + "_n"] >= s.foot_shift_free_fraction * bw).astype(
                float
            )
            for k, ev in self._shift.feed(
                joined["t"], x, loaded, tail_n + a, tail_n + b, stance, tail_n
            ):
                out.append(
                    (lo + k, 0, Event(ev.kind, ev.t_s, ev.known_s, ev.side, {"stance": stance}))
                )
        self._cop_tail.keep_from(joined)

        # Squats while on the board.
        for (a, stance, _), b in zip(spans, bounds, strict=True):
            if b <= a:
                # An empty span (a change at the block's last frame) is no time off the board:
                # resetting here lost a repetition still pending when the foot came down,
                # depending on where the live stream's blocks happened to be cut.
                continue
            if stance in ("off", "unknown"):
                self._squat.reset()
                continue
            d = block.total_n[lo + a : lo + b] / bw - 1.0
            # Each repetition belongs to the stance it was done in (from the feet's loads over
            # the repetition), not the stance when it became known: the foot may come down
            # between the end of the last repetition and the frame that confirms it.
            feet = (block.left_n[lo + a : lo + b] > thr, block.right_n[lo + a : lo + b] > thr)
            for k, rep in self._squat.feed(t[a:b], d, *feet):
                done_on = rep.get("rep_stance")
                side = done_on if done_on in ("left", "right") else None
                out.append(
                    (
                        lo + a + k,
                        0,
                        Event(
                            "squat",
                            rep["start_s"],
                            float(t[a + k]),
                            side,
                            {**rep, "stance": stance},
                        ),
                    )
                )
        return hi

    def _apply(self, ev: Event) -> Event | None:
        """Update the stance for one change; the event to report, if any."""
        before = self.stance
        if ev.kind == "step_off":
            self.on_board = False
            self.stance = "off"
            if not self._fixed_bw:
                self._rearm = True
                self._bw.reset()
            return Event(ev.kind, ev.t_s, ev.known_s, None, {"stance": "off", "from": before})
        if ev.kind == "step_on":
            self.on_board = True
            self.stance = self._stance_from_feet()
            self.trial_t0 = math.nan  # one foot down while stepping on is no lift-off
            return Event(ev.kind, ev.t_s, ev.known_s, None, {"stance": self.stance})
        side = ev.side
        assert side is not None
        other = OTHER_SIDE[side]
        if ev.kind == "lift_off":
            self.down[side] = False
            if self.on_board and before == "both" and self.down[other]:
                self.stance = other
                self.trial_t0 = ev.t_s
                return Event(
                    ev.kind, ev.t_s, ev.known_s, side, {"stance": other, "stance_side": other}
                )
            self.stance = self._stance_from_feet()
            self.trial_t0 = math.nan
            return None
        if ev.kind == "touchdown":
            self.down[side] = True
            self.stance = self._stance_from_feet()
            lifted = before == other and math.isfinite(self.trial_t0)
            if self.stance != "both":
                self.trial_t0 = math.nan
            if lifted:  # the foot lifted at lift-off is down again
                return Event(
                    ev.kind, ev.t_s, ev.known_s, side, {"stance": self.stance, "stance_side": other}
                )
            return None
        if ev.kind == "brush":
            if before == other and math.isfinite(self.trial_t0):
                return Event(ev.kind, ev.t_s, ev.known_s, side, {**ev.data, "stance": before})
            return None
        raise AssertionError(ev.kind)


def detect_events(
    block: BalanceBlock,
    settings: EventSettings | None = None,
    *,
    fs_hz: float = 80.0,
    body_weight_n: float | None = None,
) -> list[Event]:
    """All events in a whole recording's balance block (the offline shortcut)."""
    return EventDetector(settings, fs_hz=fs_hz, body_weight_n=body_weight_n).feed(block)
