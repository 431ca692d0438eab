"""The clinical tests on screen: pick a test and a side, then the board runs it.

The protocol engine (:func:`balance_trainer.protocols.make_protocol`) does the timing from the
load signal; this screen shows what it says, big: the prompt as a spoken-style sentence, a
large countdown with a beep per second, the elapsed time of the trial, and at the end the
result with its norm. Frames of the test are stored as a trial for a person from the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pygame

from balance_trainer.protocols import (
    PROTOCOLS,
    Protocol,
    ProtocolEvent,
    check_board_for,
    make_protocol,
    needs_ap,
)
from balance_trainer.results import TestResult
from balance_trainer.run import LiveRun, Sink, StoreSink

from ..feed import FeedUpdate
from ..ui import panel, ring
from ..widgets import (
    Choice,
    icon_back,
    icon_both_feet,
    icon_clock,
    icon_eyes,
    icon_foot,
    icon_hold,
    icon_home,
    icon_one_leg,
    icon_play,
    icon_scale,
    icon_squat,
)
from .base import ChoiceScreen, Confirm, Screen
from .pelvis_level import show_leveled

TESTS: dict[str, dict[str, Any]] = {
    # The look of each test on screen (its title, blurb and options are the protocol's own):
    # a distinct picture, and a longer line for the subtitle than a tile can hold.
    "single-leg-stance": {"icon": icon_one_leg},
    "single-leg-squat": {"icon": icon_squat},
    "hip-stability": {"icon": icon_hold, "blurb": "Hold still on one leg for 30 seconds"},
    "mctsib": {
        "icon": icon_eyes,
        "blurb": "Stand still 20 s, eyes open and closed, on the board and on foam",
    },
    "btracks-balance": {
        "icon": icon_both_feet,
        "blurb": "Four 20 s stands with your eyes closed: how much you sway",
    },
    "weight-bearing-symmetry": {
        "icon": icon_scale,
        "blurb": "Ten seconds on both feet: how your weight is shared",
    },
}


def _sided(name: str) -> bool:
    return "side" in PROTOCOLS[name].options


def _asks_eyes(name: str) -> bool:
    return "eyes" in PROTOCOLS[name].options


def _blurb(name: str) -> str:
    return TESTS.get(name, {}).get("blurb") or PROTOCOLS[name].blurb


SIDE_WORDS = {
    "both": "both legs, left then right",
    "left": "the left leg",
    "right": "the right leg",
}
SQUAT_DOWN_S = 2.0
"""The squat guide's pace: down this long, s, then up as long (a slow, controlled squat)."""
TIME_LEFT_SAY_S = 10
"""Eyes-closed trials say how long is left at this many seconds before the end."""


def available_tests(board: Any = None) -> list[str]:
    """Test names of the protocol registry, in its order; with ``board``, only those it can
    run (a test scored on total path length needs cells spaced front to back)."""
    has_ap = getattr(board, "has_ap_spacing", True)
    return [n for n in PROTOCOLS if has_ap or not needs_ap(n)]


def _title(name: str) -> str:
    cls = PROTOCOLS.get(name)
    return cls.short_title if cls is not None else name.replace("-", " ").capitalize()


def _question(test: str, side: str | None, eyes: str) -> str:
    """The confirm step's question: what will start, in words."""
    parts = [f"Start the {_title(test).lower()}"]
    if side:
        parts.append(f"on {SIDE_WORDS.get(side, side)}")
    if test in PROTOCOLS and _asks_eyes(test):
        parts.append("with your eyes closed" if eyes == "closed" else "with your eyes open")
    return " ".join(parts) + "?"


class TestsScreen(ChoiceScreen):
    """Which test? The highlighted test's one-line description is the subtitle."""

    name = "tests"
    title = "Balance tests"
    subtitle = "The board times the test by itself"
    columns = 3
    tile_w = 210
    tile_h = 150
    label_size = 26
    area = (40, 118, 720, 300)
    subs_in_subtitle = True

    def build(self) -> list[Choice]:
        out = []
        for n in available_tests(getattr(getattr(self.app, "feed", None), "board", None)):
            info = TESTS.get(n, {})
            sided = _sided(n)
            out.append(
                Choice(
                    _title(n),
                    info.get("icon", icon_clock),
                    lambda n=n: self._pick(n),
                    sub=_blurb(n),
                    key=n,
                    confirm="" if sided else _question(n, None, "open"),
                )
            )
        out.append(Choice("Back", icon_back, lambda: self.app.show("menu"), sub="to the menu"))
        return out

    def _pick(self, name: str) -> None:
        if _sided(name):
            self.app.show("test-setup", test=name)
        else:
            show_leveled(self.app, "test-run", test=name, side=None, eyes="open")


class TestSetupScreen(ChoiceScreen):
    """Which leg (both, one after the other, by default), then eyes open or closed."""

    name = "test-setup"
    tile_w = 170
    tile_h = 200
    label_size = 26
    area = (30, 130, 740, 270)

    def __init__(self, app: Any, test: str, side: str | None = None) -> None:
        super().__init__(app)
        self.test = test
        self.side = side
        self.title = _title(test)

    def build(self) -> list[Choice]:
        eyes = _asks_eyes(self.test)
        if self.side is None:
            self.subtitle = "Which leg will you stand on?"

            def leg(side: str) -> Choice:
                labels = {"both": "Both legs", "left": "Left leg", "right": "Right leg"}
                icons = {"both": icon_both_feet, "left": icon_foot("left")}
                return Choice(
                    labels[side],
                    icons.get(side, icon_foot("right")),
                    lambda: self._side(side),
                    sub="left, then right" if side == "both" else "",
                    confirm="" if eyes else _question(self.test, side, "open"),
                )

            out = [leg("both"), leg("left"), leg("right")]
        else:
            self.subtitle = f"Standing on {SIDE_WORDS.get(self.side, self.side)}"
            out = [
                Choice(
                    "Eyes open",
                    icon_play,
                    lambda: self._go("open"),
                    confirm=_question(self.test, self.side, "open"),
                )
            ]
            if eyes:
                out.append(
                    Choice(
                        "Eyes closed",
                        icon_eyes,
                        lambda: self._go("closed"),
                        sub="someone close by",
                        confirm=_question(self.test, self.side, "closed")
                        + " Have someone stand close by.",
                    )
                )
        out.append(Choice("Back", icon_back, self.back))
        return out

    def _side(self, side: str) -> None:
        if _asks_eyes(self.test):
            self.app.show("test-setup", test=self.test, side=side)
        else:
            show_leveled(self.app, "test-run", test=self.test, side=side, eyes="open")

    def _go(self, eyes: str) -> None:
        show_leveled(self.app, "test-run", test=self.test, side=self.side, eyes=eyes)

    def back(self) -> None:
        if self.side is not None:
            self.app.show("test-setup", test=self.test)
        else:
            self.app.show("tests")


class TestRunScreen(Screen):
    """The test running: trial n of N, the maximum time, the prompt (spoken too), a big clock,
    a short result between trials, the squat guide; then the result in plain words."""

    name = "test-run"
    needs_board = True

    def __init__(self, app: Any, test: str, side: str | None, eyes: str = "open") -> None:
        super().__init__(app)
        self.test = test
        self.side = side
        self.eyes = eyes
        self.proto: Protocol | None = None
        self.run: LiveRun | None = None
        self.result: TestResult | None = None
        self.error = ""
        self.prompt = "Stand still on both feet"
        self.countdown: int | None = None
        self.countdown_t = -10.0
        self.in_trial = False
        self.trial_t0 = 0.0
        self.trial_no = 0
        self.trial_eyes = eyes
        self.last_trial = ""
        self.lines: list[str] = []
        self.friendly: list[str] = []
        self.finished = False
        self._stance = "both"
        self._next_squat = 0.0
        self._said_left = False
        self.spoken: list[str] = []
        self.choices = [
            Choice(
                "Again",
                icon_play,
                self._again,
                confirm=_question(test, side, eyes),
            ),
            Choice("Tests", icon_home, lambda: self.app.show("tests")),
        ]
        self.selected = 1
        self.confirming: Confirm | None = None

    @property
    def sim_stance(self) -> str:  # type: ignore[override]
        return self._stance

    @property
    def hands_free(self) -> bool:  # type: ignore[override]
        return self.finished or bool(self.error)

    @property
    def n_trials(self) -> int | None:
        """Trials per side (repetitions for the squat), or conditions for the bipedal tests."""
        conds = getattr(self.proto, "conditions", None)
        if conds:
            return len(conds)
        n = getattr(self.proto, "trials", None)
        return n if isinstance(n, int) else None

    def enter(self) -> None:
        kwargs: dict[str, Any] = {}
        if self.side:
            kwargs["side"] = self.side
        if _asks_eyes(self.test):
            kwargs["eyes"] = self.eyes
        age = self._age()
        if age is not None:
            kwargs["age"] = age  # for the published norms
        sex = self._sex()
        if sex is not None and getattr(PROTOCOLS.get(self.test), "takes_sex", False):
            kwargs["sex"] = sex  # the BTrackS norms are split by sex
        board = getattr(getattr(self.app, "feed", None), "board", None)
        if board is not None:  # each foot's cells: time-to-boundary and the pelvis pattern
            from balance_trainer.stance import foot_spans

            kwargs["foot_span_mm"] = foot_spans(board)
        try:
            if board is not None:
                check_board_for(self.test, board.has_ap_spacing, "this board")
            self.proto = make_protocol(self.test, **kwargs)
        except Exception as exc:  # noqa: BLE001 - shown on screen, never a crash
            self.error = f"This test cannot start: {exc}"
            return
        self.run = LiveRun(self.proto, self._sinks(kwargs), on_sink_error=self._sink_failed)

    def _age(self) -> int | None:
        rec = self.app.records
        person = self.app.person
        if person.guest or rec.store is None:
            return None
        try:
            p = rec.store.get_person(person.id)
            return p.age_in(datetime.now().year)
        except Exception:  # noqa: BLE001 - no age, no norm: the test still runs
            return None

    def _sex(self) -> str | None:
        rec = self.app.records
        person = self.app.person
        if person.guest or rec.store is None:
            return None
        try:
            sex = rec.store.get_person(person.id).sex
        except Exception:  # noqa: BLE001 - no sex, no norm row: the test still runs
            return None
        return sex if sex in ("female", "male", "other") else None

    def _sinks(self, params: dict[str, Any]) -> list[Sink]:
        """The store's trial for a chosen person (a guest's test is not kept)."""
        rec = self.app.records
        person = self.app.person
        if person.guest or rec.store is None:
            return []
        sid = rec.session(person, "test")
        if sid is None:
            return []
        try:
            return [StoreSink(rec.store.start_trial(sid, self.test, params, self.app.feed.board))]
        except Exception as exc:  # noqa: BLE001
            rec.note = f"test not saved: {exc}"
            return []

    def _sink_failed(self, sink: Sink, exc: BaseException) -> None:
        # The test goes on without the store; the person is told it was not saved.
        self.app.records.note = f"test not saved: {exc}"

    def leave(self) -> None:
        if self.run is not None and not self.run.done:
            self.run.abort()

    def feed(self, update: FeedUpdate) -> None:
        if self.run is None or self.proto is None or self.finished or len(update) == 0:
            return
        try:
            events = self.run.feed(update.block, update.forces_n)
        except Exception as exc:  # noqa: BLE001
            self.error = f"The test stopped: {exc}"
            self.finished = True
            self.run.abort()
            return
        for ev in events:
            self._event(ev)
        if self.proto.prompt and self.proto.prompt != self.prompt:
            self._prompt(self.proto.prompt)
        if self.run.done and not self.finished:
            self._done()

    def _say(self, text: str) -> None:
        """Speak ``text`` (once per change: the engine's thread does the talking)."""
        if text and (not self.spoken or self.spoken[-1] != text):
            self.spoken.append(text)
            self.app.say(text)

    def _prompt(self, text: str) -> None:
        self.prompt = text
        self._say(text)

    def _event(self, ev: ProtocolEvent) -> None:
        kind = ev.kind
        data = ev.data
        if kind == "prompt":
            text = str(data["text"])
            if text != self.prompt:
                self._prompt(text)
            wants = data.get("stance")  # only prompts that ask for a stance carry one
            if wants in ("both", "left", "right", "off"):
                self._stance = wants
        elif kind == "countdown":
            self.countdown = int(data["remaining"])
            self.countdown_t = self.t
            self.app.play("go" if self.countdown == 0 else "tick")
        elif kind == "trial_started":
            self.in_trial = True
            self.trial_t0 = self.t
            self.trial_no = int(data.get("trial") or self.trial_no + 1)
            self._said_left = False
            cond = data.get("condition")
            closed = self.eyes == "closed" or str(cond or "").startswith("ec")
            self.trial_eyes = "closed" if closed else "open"
            self.app.play("go")
            if closed:
                self._say("Eyes closed now. Hold still.")
        elif kind == "trial_ended":
            self.in_trial = False
            self.app.play("alert")
            self.last_trial = _trial_words(data)
            if self.trial_eyes == "closed":
                self._say("Open your eyes.")
        elif kind == "rep":
            self.app.play("block")
        elif kind == "done":
            self._done()

    def _done(self) -> None:
        if self.finished:
            return
        self.finished = True
        self.in_trial = False
        self._stance = "both"
        self.selected = 1  # the highlight rests on "Tests": nothing starts by itself
        self.app.hold.reset(self.app.now)
        self.app.play("done")
        assert self.run is not None
        try:
            self.result = self.run.finish().result
        except Exception as exc:  # noqa: BLE001 - shown on screen, never a crash
            self.lines = [f"(no summary: {exc})"]
            return
        assert self.result is not None
        self.lines = self.result.table()
        self.friendly = self.result.sentences(guest=self.app.person.guest)
        self.result_summary = {"test": self.test, "lines": self.lines, "plain": self.friendly}
        if self.friendly:
            self._say("Test finished. " + self.friendly[0])

    def update(self, dt: float) -> None:
        super().update(dt)
        # "10 seconds left" for a trial with the eyes closed: the person cannot see the clock.
        max_s = getattr(self.proto, "max_time_s", None)
        if self.in_trial and self.trial_eyes == "closed" and isinstance(max_s, (int, float)):
            left = max_s - float(getattr(self.proto, "elapsed_s", 0.0) or 0.0)
            if left <= TIME_LEFT_SAY_S and not self._said_left and max_s > TIME_LEFT_SAY_S:
                self._said_left = True
                self._say(f"Eyes closed. {TIME_LEFT_SAY_S} seconds left.")
        # A simulated person that can squat does so during the squat test (headless demos;
        # with a keyboard, S squats).
        sim = self.app.feed.sim
        if (
            self.app.autopilot
            and sim is not None
            and hasattr(sim, "squat")
            and self.in_trial
            and self.test == "single-leg-squat"
            and self.t >= self._next_squat
        ):
            self._next_squat = self.t + 4.5
            sim.squat()

    def autopilot(self, t_s: float) -> float | None:
        return 0.0

    # -- input -------------------------------------------------------------------------------
    def intent(self, name: str) -> None:
        if self.confirming is not None:
            ChoiceScreen._confirm_intent(self, name)  # type: ignore[arg-type]
            return
        if name == "back":
            self.app.show("tests")
        elif self.finished or self.error:
            if name in ("left", "right"):
                self.selected = 1 - self.selected
                self.app.play("move")
            elif name == "select":
                ChoiceScreen.choose(self, self.selected)  # type: ignore[arg-type]

    def lean_choose(self, side: int) -> None:
        ChoiceScreen.lean_choose(self, side)  # type: ignore[arg-type]

    def choose(self, i: int) -> None:
        ChoiceScreen.choose(self, i)  # type: ignore[arg-type]

    def handle_event(self, event: pygame.event.Event) -> None:
        if not (event.type == pygame.MOUSEBUTTONDOWN and event.button == 1):
            return
        if self.confirming is not None:
            for i, r in enumerate(ChoiceScreen._confirm_rects(self)):  # type: ignore[arg-type]
                if r.collidepoint(event.pos):
                    self.confirming.selected = i
                    ChoiceScreen._confirm_intent(self, "select")  # type: ignore[arg-type]
            return
        if self.finished or self.error:
            for i, r in enumerate(self._choice_rects()):
                if r.collidepoint(event.pos):
                    self.selected = i
                    self.choose(i)

    def _again(self) -> None:
        show_leveled(self.app, "test-run", test=self.test, side=self.side, eyes=self.eyes)

    # -- picture -----------------------------------------------------------------------------
    def _choice_rects(self) -> list[pygame.Rect]:
        ui = self.ui
        return [ui.rect(220, 392, 170, 76), ui.rect(410, 392, 170, 76)]

    def header(self) -> str:
        side = {"both": "both legs", "left": "left leg", "right": "right leg"}.get(
            self.side or "", ""
        )
        eyes = "eyes closed" if self.eyes == "closed" else ""
        return " - ".join(x for x in (_title(self.test), side, eyes) if x)

    def status_line(self) -> str:
        """Trial n of N, the leg, and the maximum time: what a person wants to know."""
        n = self.n_trials
        word = "Squat set" if self.test == "single-leg-squat" else "Trial"
        if getattr(self.proto, "conditions", None):
            word = "Part"
        no = max(1, self.trial_no) if self.in_trial else self._next_trial_no()
        parts = [f"{word} {no} of {n}" if n else f"{word} {no}"]
        side = getattr(self.proto, "expected_side", None)
        if side and self.test != "single-leg-squat":
            parts.append(f"{side} leg")
        max_s = getattr(self.proto, "max_time_s", None)
        if isinstance(max_s, (int, float)):
            parts.append(f"up to {max_s:g} s")
        return "  -  ".join(parts)

    def _next_trial_no(self) -> int:
        done = getattr(self.proto, "trials_done", None)
        side = getattr(self.proto, "expected_side", None)
        if isinstance(done, dict) and side in done:
            return int(done[side]) + 1
        recs = getattr(self.proto, "records", None)
        return (len(recs) if isinstance(recs, list) else 0) + 1

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        ui = self.ui
        t = ui.theme
        self.draw_person(surface)
        y = self.draw_title(surface, self.header())
        if self.error:
            self._draw_lines(surface, "Sorry", [self.error])
            self._draw_choices(surface)
            ChoiceScreen.draw_confirm(self, surface)  # type: ignore[arg-type]
            return
        if self.finished:
            self._draw_result(surface, y)
            self._draw_choices(surface)
            ChoiceScreen.draw_confirm(self, surface)  # type: ignore[arg-type]
            return
        status = self.status_line()
        r = ui.blit_text(surface, status, 26, (ui.w // 2, y + ui.px(2)), t.accent, "midtop")
        y = r.bottom + ui.px(6)
        # The prompt, large, as a sentence someone would say (and does: it is spoken too).
        size, lines = ui.fit(self.prompt, 38, ui.w - ui.px(60), 2)
        for line in lines:
            ui.blit_text(surface, line, size, (ui.w // 2, y), t.text, "midtop", shadow=True)
            y += ui.line_h(size)
        rad = ui.px(92)
        c = (ui.w // 2, max(y + rad + ui.px(6), ui.y(282)))
        if self.test == "single-leg-squat" and self.in_trial:
            self._draw_squat_guide(surface, (c[0] + ui.px(190), c[1]), rad)
        if self.countdown is not None and self.t - self.countdown_t < 1.2:
            frac = min(1.0, (self.t - self.countdown_t))
            pygame.draw.circle(surface, t.panel, c, rad)
            ring(surface, t.accent, c, rad, ui.px(14), 1 - frac)
            label = "GO" if self.countdown == 0 else str(self.countdown)
            ui.blit_text(surface, label, 110, c, t.accent, shadow=True)
        else:
            elapsed = float(getattr(self.proto, "elapsed_s", 0.0) or 0.0)
            pygame.draw.circle(surface, t.panel, c, rad)
            max_s = getattr(self.proto, "max_time_s", None)
            if self.in_trial and isinstance(max_s, (int, float)) and max_s > 0:
                ring(surface, t.good, c, rad, ui.px(14), elapsed / max_s)
            num = ui.blit_text(
                surface,
                f"{elapsed:.1f}",
                64,
                (c[0], c[1] + ui.px(10)),
                t.good if self.in_trial else t.text,
                "midbottom",
            )
            ui.blit_text(surface, "seconds", 24, (c[0], num.bottom), t.dim, "midtop")
        if self.last_trial and not self.in_trial:
            # A short result between trials, left of the clock.
            box = pygame.Rect(ui.px(16), c[1] - ui.px(60), c[0] - rad - ui.px(36), ui.px(120))
            panel(surface, ui, box)
            ui.blit_text(
                surface,
                "Last trial",
                24,
                (box.centerx, box.top + ui.px(8)),
                t.dim,
                "midtop",
                box=box,
            )
            ls, ll = ui.fit(self.last_trial, 30, box.w - ui.px(16), 2)
            yy = box.top + ui.px(44)
            for line in ll:
                ui.blit_text(surface, line, ls, (box.centerx, yy), t.text, "midtop", box=box)
                yy += ui.line_h(ls)
        ui.blit_text(
            surface,
            "Back button: stop the test",
            24,
            (ui.w // 2, ui.h - ui.px(6)),
            t.dim,
            "midbottom",
        )

    def _draw_squat_guide(self, surface: pygame.Surface, centre: tuple[int, int], rad: int) -> None:
        """The pace and depth of a squat: a marker going down for 2 s and up for 2 s beside a
        bar from standing to the target depth (about a quarter squat, knee over the toes).
        A guide to follow, not a measurement: the board does not see the knee."""
        ui = self.ui
        t = ui.theme
        h = 2 * rad
        bar = pygame.Rect(0, 0, ui.px(26), h)
        bar.center = centre
        pygame.draw.rect(surface, t.panel, bar, border_radius=ui.px(8))
        ui.note("block", bar)
        phase = ((self.t - self.trial_t0) % (2 * SQUAT_DOWN_S)) / SQUAT_DOWN_S
        down = phase < 1.0
        f = phase if down else 2.0 - phase
        y = bar.top + int(f * (bar.h - ui.px(8)))
        pygame.draw.rect(
            surface, t.accent, pygame.Rect(bar.left - ui.px(6), y, bar.w + ui.px(12), ui.px(8))
        )
        word = "down" if down else "up"
        ui.blit_text(surface, word, 28, (bar.right + ui.px(10), y + ui.px(4)), t.accent, "midleft")

    def _draw_lines(self, surface: pygame.Surface, title: str, lines: list[str]) -> None:
        ui = self.ui
        t = ui.theme
        box = ui.rect(60, 90, 680, 280)
        panel(surface, ui, box)
        ui.blit_text(
            surface, title, 36, (box.centerx, box.top + ui.px(12)), t.accent, "midtop", box=box
        )
        y = box.top + ui.px(64)
        for line in lines:
            size, parts = ui.fit(line, 28, box.w - ui.px(40), 3)
            for part in parts:
                ui.blit_text(
                    surface, part, size, (box.left + ui.px(20), y), t.text, "topleft", box=box
                )
                y += ui.line_h(size)

    def _draw_result(self, surface: pygame.Surface, top: int) -> None:
        """The result as a few sentences, large (the clinician's table is in the report and
        in ``balance-trainer history``; a screen read standing is no place for it)."""
        ui = self.ui
        t = ui.theme
        box = pygame.Rect(ui.px(24), top + ui.px(6), ui.w - ui.px(48), ui.y(382) - top - ui.px(6))
        panel(surface, ui, box)
        lines = self.friendly or ["Test complete"]
        # The largest size at which every sentence fits the panel.
        size = 32.0
        while True:
            wrapped = [ui.wrap(line, size, box.w - ui.px(36)) for line in lines]
            need = sum(len(w) for w in wrapped) * ui.line_h(size) + ui.px(6) * len(lines)
            if need <= box.h - ui.px(24) or size <= 24:
                break
            size -= 2
        y = box.top + ui.px(12)
        for k, parts in enumerate(wrapped):
            for part in parts:
                if y + ui.line_h(size) > box.bottom:
                    return
                colour = t.accent if k == 0 else t.text
                ui.blit_text(
                    surface, part, size, (box.left + ui.px(18), y), colour, "topleft", box=box
                )
                y += ui.line_h(size)
            y += ui.px(6)

    def _draw_choices(self, surface: pygame.Surface) -> None:
        from ..widgets import draw_tile

        hold = self.app.choose_progress if self.confirming is None else 0.0
        for i, (c, r) in enumerate(zip(self.choices, self._choice_rects(), strict=True)):
            draw_tile(
                surface,
                self.ui,
                r,
                c,
                selected=i == self.selected,
                dwell=hold if i == self.selected else 0.0,
                label_size=26,
            )


def _trial_words(rec: dict[str, Any]) -> str:
    """One trial in a few words ("12.3 s on the left leg")."""
    held = rec.get("hold_s")
    side = rec.get("stance_side")
    out = f"{held:.1f} s" if isinstance(held, (int, float)) else "done"
    if side in ("left", "right"):
        out += f" on the {side} leg"
    return out
