"""The data dictionary: generated from the warehouse's own comments (COMMENT ON in
sql/schema.sql and sql/views/*.sql), so the documentation cannot drift from the schema."""

from __future__ import annotations

import tempfile
from pathlib import Path

from rasd.analyst.db import connect_readonly
from rasd.analyst.errors import AnalystError
from rasd.settings import SQL_DIR

START_MARKER = "<!-- data-dictionary:start -->"
END_MARKER = "<!-- data-dictionary:end -->"
VIEWS_DIR = SQL_DIR / "views"


class DocsError(AnalystError):
    """The README has no place for the dictionary."""


def data_dictionary_markdown(warehouse: Path) -> str:
    """Markdown for every table and view of the warehouse: its meaning and its columns."""
    con = connect_readonly(warehouse)
    try:
        tables = con.execute(
            "SELECT table_name, comment FROM duckdb_tables() "
            "WHERE NOT internal AND schema_name = 'main' ORDER BY table_name"
        ).fetchall()
        views = con.execute(
            "SELECT view_name, comment FROM duckdb_views() "
            "WHERE NOT internal AND schema_name = 'main' ORDER BY view_name"
        ).fetchall()
        columns = con.execute(
            "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
            "WHERE NOT internal AND schema_name = 'main' ORDER BY table_name, column_index"
        ).fetchall()
    finally:
        con.close()
    by_object: dict[str, list[tuple[str, str, str | None]]] = {}
    for table, column, data_type, comment in columns:
        by_object.setdefault(table, []).append((column, data_type, comment))
    parts = ["### Tables", ""]
    for name, comment in tables:
        parts += _object_section(name, comment, by_object.get(name, []))
    parts += ["### Views", ""]
    for name, comment in views:
        parts += _object_section(name, comment or _header_comment(name), by_object.get(name, []))
    return "\n".join(parts).rstrip() + "\n"


def _object_section(
    name: str, comment: str | None, columns: list[tuple[str, str, str | None]]
) -> list[str]:
    lines = [f"#### `{name}`", ""]
    if comment:
        lines += [_cell(comment), ""]
    lines += ["| column | type | meaning |", "| --- | --- | --- |"]
    lines += [
        f"| `{col}` | {data_type} | {_cell(text or '')} |" for col, data_type, text in columns
    ]
    return [*lines, ""]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _header_comment(view: str) -> str:
    """Views without COMMENT ON are described by the first lines of their file's header."""
    path = VIEWS_DIR / f"{view}.sql"
    if not path.is_file():
        return ""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        text = line.lstrip("-").strip()
        if not text:
            break
        lines.append(text)
    return " ".join(lines)


def replace_section(readme_text: str, section: str) -> str:
    """The README with everything between the markers replaced by `section`."""
    start = readme_text.find(START_MARKER)
    end = readme_text.find(END_MARKER)
    if start < 0 or end < start:
        raise DocsError(
            f"README has no '{START_MARKER}' ... '{END_MARKER}' pair; add both where the "
            "data dictionary belongs"
        )
    head = readme_text[: start + len(START_MARKER)]
    return f"{head}\n{section.strip()}\n{readme_text[end:]}"


def readme_section(readme_text: str) -> str:
    """What the README currently holds between the markers."""
    start = readme_text.find(START_MARKER)
    end = readme_text.find(END_MARKER)
    if start < 0 or end < start:
        return ""
    return readme_text[start + len(START_MARKER) : end].strip() + "\n"


def fresh_dictionary() -> str:
    """The dictionary of a warehouse built now from sql/, independent of any data."""
    from rasd.warehouse import Warehouse

    with tempfile.TemporaryDirectory(prefix="rasd-docs-") as folder:
        path = Path(folder) / "schema.duckdb"
        Warehouse(path).init()
        return data_dictionary_markdown(path)
