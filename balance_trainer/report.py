"""One person's progress report for a clinician and the patient: PDF or self-contained HTML.

Contents, in order:

1. **Identity**: what was entered for the person (the pseudonymous id always; name, birth
   year, sex, height, mass, dominant side and notes only where entered).
2. **Latest result of each test** against its norm, as the test stored it (``result["norm"]``).
3. **Trends over sessions**: hold time, ML sway under the stance foot and squat control, each
   per side; game scores.
4. **Left/right comparison** of the latest values, with the asymmetry 100 (L − R) / max(L, R).
5. **Stabilogram** (ML and AP COP against time; AP left out when the board cannot measure it)
   and **statokinesigram** with its 95 % prediction ellipse (Schubert & Kirchner 2014,
   doi:10.1016/j.gaitpost.2013.09.001) for the latest trials with frames. Without AP the second
   panel shows the load on each foot instead.

Results are read as typed values (:attr:`TrialRow.test_result`, results of any schema the
store holds), and nothing is assumed to be there: whatever is missing is left out of the
report, never shown as zero.

Plots use matplotlib's Agg back end (no display needed) and stay readable printed in black and
white: the left side is a solid black line with filled circles, the right a dashed grey line
with open squares, bars of the right side are hatched.

Layout: this module writes the pages (PDF cover page, self-contained HTML);
:mod:`.report_text` reads measures from results and words them, :mod:`.report_data` gathers
what the report shows from the store, :mod:`.report_plots` draws the figures, and
:mod:`.report_programme` adds the home programme's page. Their public names are re-exported
here, so ``from balance_trainer.report import ...`` keeps working.
"""

from __future__ import annotations

import base64
import html
import io
import os
import textwrap
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from .constants import asymmetry_pct as asymmetry_pct
from .errors import StoreUnavailableError, UsageError
from .plotstyle import pyplot as _plt
from .report_data import LatestRow, ReportData, Trace, gather
from .report_data import _trace as _trace  # re-exported: tests draw one trial's trace
from .report_plots import (
    MAX_PLOT_POINTS,
    comparison_figure,
    ellipse_geometry,
    trace_figure,
    trends_figure,
)
from .report_text import (
    MEASURES,
    ONE_LEG_TESTS,
    SIDES,
    Measure,
    _local,
    history_table,
    identity_rows,
    measure_by_side,
    norm_text,
    summarize_trial,
    trace_label,
    verdict_for,
)
from .store import Store
from .trends import TREND_HEADING

__all__ = [
    "MAX_PLOT_POINTS",
    "MEASURES",
    "ONE_LEG_TESTS",
    "SIDES",
    "LatestRow",
    "Measure",
    "Progress",
    "ReportData",
    "Trace",
    "asymmetry_pct",
    "comparison_figure",
    "ellipse_geometry",
    "gather",
    "history_table",
    "identity_rows",
    "measure_by_side",
    "norm_text",
    "summarize_trial",
    "trace_figure",
    "trace_label",
    "trends_figure",
    "verdict_for",
    "write_report",
]

Progress = Callable[[int, int, str], None]


def _overview(data: ReportData) -> str:
    n_s = len(data.sessions)
    n_t = len(data.trials)
    if not n_s:
        return "No sessions recorded yet."
    first = _local(data.sessions[0].started_at)
    last = _local(data.sessions[-1].started_at)
    return f"{n_s} session(s) with {n_t} trial(s) from {first:%Y-%m-%d} to {last:%Y-%m-%d}."


def _figures(data: ReportData, progress: Progress | None) -> list[tuple[str, Any]]:
    steps = 2 + len(data.traces)
    out: list[tuple[str, Any]] = []
    _tick(progress, 1, steps, "trends")
    out.append(("Trends over sessions", trends_figure(data)))
    _tick(progress, 2, steps, "left/right comparison")
    comp = comparison_figure(data)
    if comp is not None:
        out.append(("Left / right comparison", comp))
    for i, tr in enumerate(data.traces):
        _tick(progress, 3 + i, steps, f"trial {tr.trial.id}")
        out.append((f"Stabilogram: {trace_label(tr.trial)}", trace_figure(tr)))
    return out


def _tick(progress: Progress | None, i: int, n: int, what: str) -> None:
    if progress is not None:
        progress(i, n, what)


def write_report(
    store: Store,
    pid: str,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    n_traces: int = 3,
    now: datetime | None = None,
) -> Path:
    """Write ``pid``'s report to ``path``: ``.pdf``, or ``.html``/``.htm`` (self-contained).

    ``progress(step, steps, what)`` is called as figures are drawn.

    Raises
    ------
    UsageError
        Any other file suffix.
    UnknownPersonError
        No such person.
    StoreUnavailableError
        The file cannot be written.
    """
    out = Path(path)
    kind = out.suffix.lower()
    if kind not in (".pdf", ".html", ".htm"):
        raise UsageError(f"report file {out}: name it FILE.pdf or FILE.html")
    data = gather(store, pid, n_traces=n_traces, now=now)
    figs = _figures(data, progress)
    from .report_programme import programme_figures  # the home programme's page, if any

    figs.extend(programme_figures(store, pid, now=now))
    plt = _plt()
    tmp = out.with_name(f".{out.name}.part-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # health data
        with os.fdopen(fd, "wb") as fh:
            if kind == ".pdf":
                _write_pdf(fh, data, figs)
            else:
                fh.write(_html(data, figs).encode("utf-8"))
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreUnavailableError(
            f"{out}: cannot write the report ({exc.strerror}); choose another place"
        ) from exc
    finally:
        for _, f in figs:
            plt.close(f)
    return out


def _write_pdf(fh: Any, data: ReportData, figs: list[tuple[str, Any]]) -> None:
    from matplotlib.backends.backend_pdf import PdfPages

    plt = _plt()
    with PdfPages(
        fh, metadata={"Title": f"Balance report {data.person.id}", "Creator": "balance-trainer"}
    ) as pdf:
        cover = _cover_page(plt, data)
        pdf.savefig(cover)
        plt.close(cover)
        for _, f in figs:
            pdf.savefig(f)


def _cover_page(plt: Any, data: ReportData) -> Any:
    fig = plt.figure(figsize=(8.27, 11.69))  # A4

    def put(x: float, y: float, text: str, size: float, **kw: Any) -> None:
        # parse_math off: a '$' typed into a name or note must print as itself
        fig.text(x, y, text, fontsize=size, parse_math=False, **kw)

    y = 0.95
    put(0.07, y, "Balance trainer: progress report", 17, weight="bold")
    y -= 0.03
    put(0.07, y, f"Made {data.generated_at:%Y-%m-%d %H:%M}. {_overview(data)}", 9)
    y -= 0.045
    put(0.07, y, "Identity (as entered)", 12, weight="bold")
    for label, value in identity_rows(data.person, data.generated_at):
        for j, line in enumerate(textwrap.wrap(value, 70) or [""]):
            y -= 0.022
            put(0.09, y, label if j == 0 else "", 9, weight="bold")
            put(0.32, y, line, 9)
    y -= 0.045
    put(0.07, y, "Latest result of each test", 12, weight="bold")
    if not data.latest:
        y -= 0.025
        put(0.09, y, "No trials yet.", 9)
    for row in data.latest:
        y -= 0.027
        if y < 0.06:
            put(0.09, y, "(more in the HTML report)", 8, style="italic")
            break
        put(0.09, y, f"{row.protocol}  ({_local(row.when):%Y-%m-%d})", 10, weight="bold")
        for text in (row.summary, row.norm and f"norm: {row.norm}", row.verdict):
            for line in textwrap.wrap(text or "", 90):
                y -= 0.019
                put(0.11, y, line, 8.5)
    if data.changes and y > 0.12:
        y -= 0.04
        put(0.07, y, "Changes since last time (beyond the MDC95 only)", 12, weight="bold")
        for c in data.changes:
            text = f"{c.measure}, {c.side}: {c.last}. {c.mdc}"
            for j, line in enumerate(textwrap.wrap(text, 100)):
                y -= 0.019
                if y < 0.04:
                    put(0.09, y, "(more in the HTML report)", 8, style="italic")
                    return fig
                put(0.09 if j == 0 else 0.11, y, line, 8.5)
    return fig


def _png_b64(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return base64.b64encode(buf.getvalue()).decode("ascii")


_CSS = """body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#000}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #444;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#eee}img{max-width:100%;height:auto}
figure{margin:1.5em 0;page-break-inside:avoid}.small{font-size:.85em;color:#333}"""


def _html(data: ReportData, figs: list[tuple[str, Any]]) -> str:
    e = html.escape
    p = data.person
    ident = "".join(
        f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in identity_rows(p, data.generated_at)
    )
    latest = "".join(
        f"<tr><td>{e(r.protocol)}</td><td>{_local(r.when):%Y-%m-%d %H:%M}</td>"
        f"<td>{e(r.summary)}</td><td>{e(r.norm)}</td><td>{e(r.verdict)}</td></tr>"
        for r in data.latest
    )
    latest_table = (
        "<table><tr><th>test</th><th>date</th><th>result</th><th>norm</th><th>vs norm</th>"
        f"</tr>{latest}</table>"
        if latest
        else "<p>No trials yet.</p>"
    )
    changes = "".join(
        f"<tr><td>{e(c.measure)} ({e(c.unit)})</td><td>{e(c.side)}</td><td>{e(c.values)}</td>"
        f"<td>{e(c.last)}</td><td>{e(c.mdc)}</td></tr>"
        for c in data.changes
    )
    changes_table = (
        f'<h2>Changes since last time</h2><p class="small">{e(TREND_HEADING)}</p>'
        "<table><tr><th>measure</th><th>side</th><th>values, oldest first</th>"
        f"<th>last change</th><th>MDC and its source</th></tr>{changes}</table>"
        if changes
        else ""
    )
    figures = "".join(
        f'<figure><img alt="{e(title)}" src="data:image/png;base64,{_png_b64(f)}">'
        f"<figcaption>{e(title)}</figcaption></figure>"
        for title, f in figs
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Balance report {e(p.id)}</title><style>{_CSS}</style></head><body>"
        "<h1>Balance trainer: progress report</h1>"
        f'<p class="small">Made {data.generated_at:%Y-%m-%d %H:%M}. {e(_overview(data))}</p>'
        f"<h2>Identity (as entered)</h2><table>{ident}</table>"
        f"<h2>Latest result of each test</h2>{latest_table}{changes_table}"
        f"<h2>Progress</h2>{figures}"
        '<p class="small">Left: solid line, filled circles, plain bars. Right: dashed line, '
        "open squares, hatched bars. ML = medio-lateral (side to side), AP = antero-posterior. "
        "95 % prediction ellipse after Schubert &amp; Kirchner 2014.</p></body></html>\n"
    )
