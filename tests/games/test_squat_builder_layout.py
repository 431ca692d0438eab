"""The squat builder's whole frame is laid out at every size (and in easy mode): its prompt
stays in its box, its caption on the screen, and no text runs onto the waiting rocket, with
and without the pelvis sensor."""

from __future__ import annotations

import pytest
from game_helpers import run
from layout_check import draw_logged, layout_faults

from balance_trainer.wiring import open_board

CASES = [
    ((800, 480), False),
    ((800, 480), True),
    ((1280, 720), False),
    ((1920, 1080), False),
]


@pytest.mark.parametrize("pelvis", [False, True], ids=["load", "pelvis"])
@pytest.mark.parametrize(
    "size,easy", CASES, ids=["800x480", "800x480-easy", "1280x720", "1920x1080"]
)
def test_the_squat_builder_frame_lays_out(app_factory, size, easy, pelvis):
    conn = open_board(
        "sim",
        scenario="squats-right",
        realtime=False,
        pelvis="sim" if pelvis else None,
        weak_hip="right" if pelvis else None,  # its hip drops: the "hips level" banner shows
    )
    app = app_factory("squat-builder", conn=conn, size=size, easy=easy, side="right")
    run(app, 8.0)
    faults: list[str] = []
    seen: set[str] = set()
    # Every second through the round: the score grows to two digits, the praise banner
    # comes and goes, the verdict changes; each frame must lay out.
    for _ in range(16):
        run(app, 1.0)
        if app.screen.name != "squat-builder" or app.screen.phase != "play":
            break
        log = draw_logged(app)
        texts = [d.text for d in log if d.kind == "text"]
        seen.update(texts)
        faults += [
            f"at {app.screen.t:.0f} s: {f}" for f in layout_faults(log, size, app.ui.u, easy)
        ]
    assert easy or any(t.startswith("Judged by") for t in seen)
    if not pelvis:
        assert any("points" in t and not t.startswith("0 ") for t in seen), "a score was made"
    elif not easy:  # on one weak leg the hip drops: the longest banner is laid out too
        assert "Keep your hips level" in seen
    assert not faults, "\n".join(faults)
