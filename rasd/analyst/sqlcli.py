"""`rasd sql`: run a query or show a view of the warehouse as a table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb

from rasd.analyst.db import connect_readonly, first_line, quote_identifier, view_names
from rasd.analyst.errors import AnalystError, QueryError, UnknownView

OutputFormat = Literal["table", "csv", "json"]
FORMATS: tuple[str, ...] = ("table", "csv", "json")
MAX_CELL_WIDTH = 60  # table cells only; csv and json always carry the full value


def run_sql(
    warehouse: Path,
    query: str | None = None,
    view: str | None = None,
    fmt: OutputFormat = "table",
    limit: int | None = None,
) -> str:
    """Run `query`, or select everything from `view`, on the warehouse opened read-only."""
    if (query is None) == (view is None):
        raise AnalystError("give either a SQL query or --view NAME, not both and not neither")
    if fmt not in FORMATS:
        raise AnalystError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if limit is not None and limit < 0:
        raise AnalystError(f"limit must be zero or more, not {limit}")
    con = connect_readonly(warehouse)
    try:
        if view is not None:
            query = _view_query(con, view)
        columns, rows = _fetch(con, query or "", limit)
    finally:
        con.close()
    return render(columns, rows, fmt)


def _view_query(con: duckdb.DuckDBPyConnection, view: str) -> str:
    available = view_names(con)
    if view not in available:
        listed = ", ".join(available) if available else "none (the warehouse has no views)"
        raise UnknownView(f"no view named {view!r}; available views: {listed}")
    return f"SELECT * FROM {quote_identifier(view)}"


def _fetch(
    con: duckdb.DuckDBPyConnection, query: str, limit: int | None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    if not query.strip():
        raise QueryError("the SQL query is empty")
    try:
        cursor = con.execute(query)
        if cursor.description is None:
            return [], []
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall() if limit is None else cursor.fetchmany(limit)
    except duckdb.Error as exc:
        raise QueryError(f"SQL error: {first_line(exc)}") from None
    return columns, rows


def render(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: OutputFormat) -> str:
    if fmt == "csv":
        return render_csv(columns, rows)
    if fmt == "json":
        return render_json(columns, rows)
    return render_table(columns, rows)


def render_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _plain(v) for v in row])
    return buffer.getvalue()


def render_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    records = [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def render_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An aligned text table. Widths count what a terminal shows: Arabic vowel marks take no
    column, wide East Asian characters take two."""
    if not columns:
        return "OK\n"
    cells = [[_cell(v) for v in row] for row in rows]
    numeric = [
        bool(rows) and all(isinstance(r[i], int | float | Decimal) or r[i] is None for r in rows)
        for i in range(len(columns))
    ]
    widths = [
        max([display_width(c)] + [display_width(row[i]) for row in cells])
        for i, c in enumerate(columns)
    ]
    lines = [_line(columns, widths, [False] * len(columns))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(_line(row, widths, numeric) for row in cells)
    count = len(rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _line(values: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> str:
    parts = []
    for value, width, align_right in zip(values, widths, right, strict=True):
        pad = " " * (width - display_width(value))
        parts.append(pad + value if align_right else value + pad)
    return "  ".join(parts)


def display_width(text: str) -> int:
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _cell(value: Any) -> str:
    text = "NULL" if value is None else _plain(value)
    text = " ".join(text.split())  # newlines and tabs would break the grid
    return _truncate(text, MAX_CELL_WIDTH)


def _truncate(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    kept = []
    used = 0
    for char in text:
        step = display_width(char)
        if used + step > width - 1:
            break
        kept.append(char)
        used += step
    return "".join(kept) + "…"


def _plain(value: Any) -> str:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)
