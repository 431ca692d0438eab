"""When to sweep HX711 chips on their own clocks, and when to look at their DOUTs before it.

A plan only: the check after the sweep (:func:`hardware.hx711_timing.verify`) does not trust
it. :func:`plan_cycle` puts the sweep just after every chip's next conversion and off any
conversion that could fall inside it, and picks the few looks at the DOUTs the check will need
(usually one, shortly before the first chip's conversion). It runs once or twice per frame in
the reader process, so it is written for speed: every chip's next three conversion windows,
its period band and its shortest period are worked out once per plan, not once per question.
"""

from __future__ import annotations

from collections.abc import Sequence

from .hx711_timing import PREDICT_UNC_PER_PERIOD, V2_GUARD, ChipClock

PROBE_UNC_S = 400e-6
"""A chip whose predicted edge is vaguer than this (s, half-width) is watched closely through
its next edge, which pins its phase down again; otherwise one look after every chip's
expected edge is all a cycle needs."""
MAX_PLAN_S = 8e-3
"""Longest a sweep is put off past the last chip's conversion for chips due inside it (s):
past it, chips taking turns would cost a whole period."""
REFRESH_MARGIN_S = 300e-6
"""Kept between a planned sweep's end and the V1 bound (s)."""
AHEAD = 3
"""Conversions of each chip considered: the next one and the two after it."""


def plan_cycle(
    chips: Sequence[ChipClock],
    now: float,
    high: int,
    high_at: Sequence[float],
    low_at: Sequence[float],
    budget: float,
    lead: float,
    poll: float,
) -> tuple[float, list[float], bool] | None:
    """When to sweep, and when to look before it, so that the check will hold for every chip.

    Per chip: if the word read will be the one that chip is about to make (or has made), V1
    needs a sighting of its DOUT high less than ``p_min`` before the sweep ends; if the chip
    will have converted once more by then (a fast chip), V2 needs its DOUT seen low soon after
    the first conversion. Looks are chosen to serve as many chips as possible (fewest points
    stabbing every chip's window).

    Parameters
    ----------
    chips : sequence of ChipClock
        What is known of each chip's oscillator.
    now : float
        The time (s).
    high : int
        DOUT levels at the last look, bit i = chip i (1 = no word ready).
    high_at, low_at : sequence of float
        Per chip, the V1 and V2 bounds so far (s; see :func:`~hardware.hx711_timing.verify`).
    budget : float
        How long a sweep is taken to last, with its margin (s).
    lead : float
        How long before a conversion a look must come (s): how late wake-ups are.
    poll : float
        The interval between close looks (s).

    Returns
    -------
    (sweep time, look times, probing) or None
        None while some chip's clock is not known; ``probing`` when a chip's phase is vague
        and each of its looks needs a new plan.
    """
    quarter = 0.25 * poll
    los: list[list[float]] = []
    his: list[list[float]] = []
    for c in chips:
        nxt = c.next_conv(now)
        p = c.period
        if nxt is None or p is None:
            return None
        lo, hi = nxt[0] - nxt[1], nxt[0] + nxt[1]
        step = PREDICT_UNC_PER_PERIOD * p
        # The k-th conversion after the next one: its window widens by ``step`` each period.
        los.append([lo + k * p - k * step for k in range(AHEAD)])
        his.append([hi + k * p + k * step for k in range(AHEAD)])
    n = len(chips)
    is_high = [bool(high >> i & 1) for i in range(n)]
    p_his = [c.band_hi() for c in chips]
    p_mins = [c.p_min() for c in chips]

    def word_index(i: int, s: float) -> int:
        """Which conversion of chip ``i`` a sweep at ``s`` reads: 0 = the next one (or, if
        its DOUT is low now, the one waiting), 1 = the one after that, 2 = later still."""
        h = his[i]
        j = 1 if is_high[i] else 0
        word = 0
        while j < AHEAD and h[j] < s:
            word += 1
            j += 1
        return word

    # The sweep: after every pending conversion of a chip still high, off every other.
    s = max([now] + [his[i][0] + quarter for i in range(n) if is_high[i]])
    base = s
    for _ in range(4 * n):
        bump = s
        for i in range(n):
            lo_i, hi_i = los[i], his[i]
            for k in range(AHEAD):
                if lo_i[k] > s + budget:
                    break
                if hi_i[k] >= s:
                    bump = max(bump, hi_i[k] + quarter)
            word = word_index(i, s)
            p_hi = p_his[i]
            if word == 0:
                v1_end = s + budget + REFRESH_MARGIN_S - p_mins[i]
                ok = v1_end < high_at[i] or (is_high[i] and v1_end <= lo_i[0] - lead)
                if not ok and p_hi is not None:
                    # Neither a sighting nor V1 can cover this word: read the next one (V2).
                    bump = max(bump, hi_i[1 if is_high[i] else 0] + quarter)
            elif word == 1 and p_hi is not None:
                seen_low = hi_i[0] + 0.5 * poll if is_high[i] else low_at[i]
                bump = max(bump, seen_low + V2_GUARD * p_hi + quarter)
        if bump == s or bump - base > MAX_PLAN_S:
            break
        s = bump
    end = s + budget
    probing = False
    windows: list[tuple[float, float]] = []
    for i in range(n):
        if not is_high[i]:
            continue  # its edge is behind us: the check has what it needs, or it never will
        lo0, hi0 = los[i][0], his[i][0]
        word = word_index(i, s)
        p_min = p_mins[i]
        if word == 0 and end >= high_at[i] + p_min - REFRESH_MARGIN_S:
            a, b = end - p_min + REFRESH_MARGIN_S, lo0 - lead
            if a <= b:
                windows.append((a, b))
        elif word == 1:
            p_hi = p_his[i] or 0.0
            a, b = hi0 + quarter, s - V2_GUARD * p_hi - quarter
            if a <= b:
                windows.append((a, b))
        if chips[i].unc > PROBE_UNC_S and word == 0:
            # Its phase is getting vague: bracket this edge (a look just before, then
            # halving what is left) to pin it down again.
            seen = high_at[i]
            t = lo0 - lead if seen < lo0 - lead else (seen + hi0) / 2
            if hi0 - seen <= 2 * poll:
                t = hi0 + quarter  # bracketed: the look that closes the bracket
            windows.append((max(t, now), max(t, now)))
            probing = True
    looks: list[float] = []
    for a, b in sorted(windows, key=lambda w: w[1]):
        if looks and a <= looks[-1] <= b:
            continue
        looks.append(max(b, now))
    return s, sorted(looks), probing
