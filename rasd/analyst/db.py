"""Read-only access to the warehouse, with readable errors instead of DuckDB tracebacks."""

from __future__ import annotations

from pathlib import Path

import duckdb

from rasd.analyst.errors import QueryError, WarehouseBusy, WarehouseNotFound


def connect_readonly(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only, so analysts can never change it by accident."""
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise WarehouseNotFound(
            f"no warehouse at {warehouse}; run `rasd run` first or pass --warehouse FILE"
        )
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(
                f"warehouse {warehouse} is being written by another process (a run in progress?); "
                "try again when it has finished"
            ) from None
        raise QueryError(f"cannot open warehouse {warehouse}: {first_line(exc)}") from None
    except duckdb.Error as exc:
        raise QueryError(f"cannot open warehouse {warehouse}: {first_line(exc)}") from None


def first_line(exc: BaseException) -> str:
    """DuckDB messages carry a caret diagram after the first line; keep the sentence."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def view_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' "
        "ORDER BY view_name"
    ).fetchall()
    return [name for (name,) in rows]


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
