from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from rasd.analyst.docs import (
    END_MARKER,
    START_MARKER,
    DocsError,
    data_dictionary_markdown,
    readme_section,
    replace_section,
)
from rasd.settings import REPO_ROOT, SQL_DIR
from rasd.warehouse import Warehouse

ANALYST_VIEWS = sorted(
    p.stem
    for p in (SQL_DIR / "views").glob("*.sql")
    if p.stem not in {"events_per_day", "fatalities_by_town_month", "event_clusters"}
    and "CREATE OR REPLACE VIEW" in p.read_text(encoding="utf-8")  # macros are not views
)


@pytest.fixture
def schema_only(tmp_path: Path) -> Path:
    path = tmp_path / "schema.duckdb"
    Warehouse(path).init()
    return path


def test_readme_dictionary_matches_the_schema(schema_only: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert START_MARKER in readme and END_MARKER in readme, "README lacks the dictionary markers"
    expected = data_dictionary_markdown(schema_only)
    assert readme_section(readme) == expected, (
        "README.md's data dictionary differs from the schema; "
        "run .venv/bin/python scripts/gen_data_dictionary.py"
    )


def test_dictionary_documents_every_table_and_view(schema_only: Path) -> None:
    text = data_dictionary_markdown(schema_only)
    for name in ["runs", "pages", "articles", "events", "quarantine", *ANALYST_VIEWS]:
        assert f"#### `{name}`" in text
    assert "| `event_id_cnty` | VARCHAR | ACLED: event id." in text


def test_every_analyst_view_column_has_a_comment(schema_only: Path) -> None:
    con = duckdb.connect(str(schema_only), read_only=True)
    try:
        missing = con.execute(
            "SELECT table_name || '.' || column_name FROM duckdb_columns()"
            " WHERE comment IS NULL AND list_contains(?, table_name)",
            [ANALYST_VIEWS],
        ).fetchall()
        uncommented_views = con.execute(
            "SELECT view_name FROM duckdb_views() WHERE comment IS NULL"
            " AND list_contains(?, view_name)",
            [ANALYST_VIEWS],
        ).fetchall()
    finally:
        con.close()
    assert missing == []
    assert uncommented_views == []


def test_replace_section_touches_only_the_marked_part() -> None:
    readme = f"# Title\n\nintro\n{START_MARKER}\nold\n{END_MARKER}\n\n## Next\n"
    updated = replace_section(readme, "### Tables\n\nnew\n")
    assert (
        updated == f"# Title\n\nintro\n{START_MARKER}\n### Tables\n\nnew\n{END_MARKER}\n\n## Next\n"
    )
    assert readme_section(updated) == "### Tables\n\nnew\n"
    assert replace_section(updated, "### Tables\n\nnew\n") == updated


def test_missing_markers_are_a_clear_error() -> None:
    with pytest.raises(DocsError, match="data-dictionary:start"):
        replace_section("# no markers here\n", "x")
