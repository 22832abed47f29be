"""The analyst subcommands of `rasd`: sql, export and report. The main command line calls
`register`; every handler prints one clear line to stderr and returns 2 on bad input."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from rasd.analyst.errors import AnalystError
from rasd.settings import Settings

EXIT_OK, EXIT_BAD_INPUT = 0, 2
WAREHOUSE_HELP = "DuckDB file (default: data/warehouse.duckdb or $RASD_WAREHOUSE)"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sql`, `export` and `report` to the `rasd` command line."""
    _add_sql(subparsers)
    _add_export(subparsers)
    _add_report(subparsers)


def _add_sql(subparsers: argparse._SubParsersAction) -> None:
    sql = subparsers.add_parser(
        "sql", help="query the warehouse read-only, or show one of its views"
    )
    sql.add_argument("query", nargs="?", help='SQL to run, e.g. "SELECT * FROM hotspots_7d"')
    sql.add_argument("--view", help="show this view (a wrong name lists the available ones)")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.add_argument("--limit", type=int, default=None, help="at most this many rows")
    sql.add_argument("--warehouse", default=None, help=WAREHOUSE_HELP)
    sql.set_defaults(func=handle_sql)


def _add_export(subparsers: argparse._SubParsersAction) -> None:
    exp = subparsers.add_parser(
        "export", help="write events (ACLED column names) and articles as files, by month"
    )
    exp.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    exp.add_argument("--out", required=True, help="folder to write events/ and articles/ into")
    exp.add_argument("--since", type=_day, default=None, help="first day (YYYY-MM-DD)")
    exp.add_argument("--until", type=_day, default=None, help="last day (YYYY-MM-DD)")
    exp.add_argument("--warehouse", default=None, help=WAREHOUSE_HELP)
    exp.set_defaults(func=handle_export)


def _add_report(subparsers: argparse._SubParsersAction) -> None:
    rep = subparsers.add_parser("report", help="write a self-contained HTML report of a run")
    rep.add_argument("--out", required=True, help="HTML file to write")
    rep.add_argument("--run", default=None, help="run id (default: the latest run)")
    rep.add_argument(
        "--validation-docs",
        default=None,
        help="folder or index.html of the validation Data Docs (default: validation/ beside "
        "the warehouse)",
    )
    rep.add_argument("--warehouse", default=None, help=WAREHOUSE_HELP)
    rep.set_defaults(func=handle_report)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def _warehouse(args: argparse.Namespace) -> Path:
    return Settings.from_env(args.warehouse).warehouse


def _fail(exc: AnalystError) -> int:
    print(f"rasd: {exc}", file=sys.stderr)
    return EXIT_BAD_INPUT


def handle_sql(args: argparse.Namespace) -> int:
    from rasd.analyst.sqlcli import run_sql

    try:
        output = run_sql(
            _warehouse(args), query=args.query, view=args.view, fmt=args.format, limit=args.limit
        )
    except AnalystError as exc:
        return _fail(exc)
    sys.stdout.write(output)
    return EXIT_OK


def handle_export(args: argparse.Namespace) -> int:
    from rasd.analyst.export import export

    try:
        result = export(_warehouse(args), Path(args.out), args.format, args.since, args.until)
    except AnalystError as exc:
        return _fail(exc)
    print(result.render())
    return EXIT_OK


def handle_report(args: argparse.Namespace) -> int:
    from rasd.analyst.report import write_report

    docs = Path(args.validation_docs) if args.validation_docs else None
    try:
        out = write_report(_warehouse(args), Path(args.out), run_id=args.run, validation_docs=docs)
    except AnalystError as exc:
        return _fail(exc)
    print(f"report written to {out}")
    return EXIT_OK
