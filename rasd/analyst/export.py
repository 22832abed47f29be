"""`rasd export`: events (under ACLED column names) and articles as Parquet or CSV files,
partitioned by month in Hive style (events/month=2016-06/part-0.parquet), so any tool that
reads a folder of Parquet files reads the export. Each export replaces the previous one."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import duckdb

from rasd.analyst.db import connect_readonly, first_line
from rasd.analyst.errors import AnalystError, QueryError

ExportFormat = Literal["parquet", "csv"]
EXPORT_FORMATS: tuple[str, ...] = ("parquet", "csv")
UNDATED = "undated"  # the month partition of rows without a date

# table name -> (source relation, the date column that decides the month)
EXPORTED: dict[str, tuple[str, str]] = {
    "events": ("events_acled", "event_date"),
    "articles": ("articles", "published_at"),
}


@dataclass
class ExportResult:
    """What an export wrote: per table, its row count, its months and its files."""

    out_dir: Path
    fmt: str
    rows: dict[str, int] = field(default_factory=dict)
    months: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)

    def render(self) -> str:
        lines = [f"exported to {self.out_dir} ({self.fmt}):"]
        for table, count in self.rows.items():
            months = self.months.get(table, [])
            span = f"{months[0]} .. {months[-1]}" if months else "no months"
            lines.append(
                f"  {table}: {count} rows in {len(self.files.get(table, []))} files ({span})"
            )
        return "\n".join(lines)


def export(
    warehouse: Path,
    out_dir: Path,
    fmt: ExportFormat = "parquet",
    since: date | None = None,
    until: date | None = None,
) -> ExportResult:
    """Write out_dir/events and out_dir/articles, one folder per month; rows without a date
    go to month=undated unless a date range is asked for."""
    if fmt not in EXPORT_FORMATS:
        raise AnalystError(f"unknown export format {fmt!r}; choose parquet or csv")
    if since and until and since > until:
        raise AnalystError(f"--since {since} is after --until {until}; nothing to export")
    out_dir = Path(out_dir)
    con = connect_readonly(warehouse)
    try:
        _prepare(out_dir)
        result = ExportResult(out_dir=out_dir, fmt=fmt)
        for table, (relation, date_column) in EXPORTED.items():
            target = out_dir / table
            _replace_folder(target)
            count = _copy(con, relation, date_column, target, fmt, since, until)
            result.rows[table] = count
            result.files[table] = sorted(target.rglob(f"*.{fmt}"))
            result.months[table] = sorted(
                p.name.split("=", 1)[1] for p in target.glob("month=*") if p.is_dir()
            )
    finally:
        con.close()
    return result


def _prepare(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise AnalystError(f"export target {out_dir} is a file; give a folder with --out")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AnalystError(f"cannot create export folder {out_dir}: {exc.strerror}") from None


def _replace_folder(target: Path) -> None:
    # Old months must not survive a narrower re-export, so the folder is emptied first.
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)


def _copy(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    date_column: str,
    target: Path,
    fmt: str,
    since: date | None,
    until: date | None,
) -> int:
    day = f"CAST({date_column} AS DATE)"
    conditions = []
    if since:
        conditions.append(f"{day} >= DATE '{since.isoformat()}'")
    if until:
        conditions.append(f"{day} <= DATE '{until.isoformat()}'")
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    select = (
        f"SELECT *, coalesce(strftime({day}, '%Y-%m'), '{UNDATED}') AS month "
        f"FROM {relation} {where}"
    )
    options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
    path = str(target).replace("'", "''")
    try:
        count = con.execute(f"SELECT count(*) FROM ({select})").fetchone()[0]
        if count:
            con.execute(
                f"COPY ({select}) TO '{path}' "
                f"({options}, PARTITION_BY (month), OVERWRITE true, FILENAME_PATTERN 'part-{{i}}')"
            )
    except duckdb.Error as exc:
        raise QueryError(f"export of {relation} failed: {first_line(exc)}") from None
    return int(count)
