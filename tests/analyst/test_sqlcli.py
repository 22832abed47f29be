from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from rasd.analyst.errors import QueryError, UnknownView, WarehouseNotFound
from rasd.analyst.sqlcli import display_width, run_sql


def test_view_as_aligned_table(warehouse: Path) -> None:
    out = run_sql(warehouse, view="hotspots_7d")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["rank", "location", "admin1"]
    assert lines[-1] == "(3 rows)"
    assert lines[2].split()[:2] == ["1", "Aden"]
    # every grid line has the same columns at the same places
    starts = [line.index("Aden") for line in lines if "Aden" in line]
    assert starts and lines[0].index("location") == starts[0]


def test_arabic_cells_keep_columns_aligned(warehouse: Path) -> None:
    out = run_sql(
        warehouse,
        "SELECT location_as_written AS town, event_id FROM events ORDER BY event_id LIMIT 3",
    )
    lines = out.splitlines()[2:5]
    widths = {display_width(line[: line.index("ev0")]) for line in lines}
    assert len(widths) == 1
    assert "بنغازي" in out


def test_vowel_marks_take_no_column() -> None:
    assert display_width("قُتِلَ") == 3
    assert display_width("abc") == 3


def test_csv_has_header_and_full_values(warehouse: Path) -> None:
    out = run_sql(warehouse, "SELECT event_id, notes FROM events ORDER BY event_id", fmt="csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["event_id", "notes"]
    assert len(rows) == 11
    assert rows[6][1].startswith("<script>")


def test_json_keeps_types_and_arabic(warehouse: Path) -> None:
    out = run_sql(warehouse, view="events_acled", fmt="json", limit=2)
    records = json.loads(out)
    assert len(records) == 2
    assert records[0]["event_id_cnty"] == "ev01"
    assert records[0]["event_date"] == "2016-05-30"
    assert records[0]["fatalities"] == 5
    assert "بنغازي" in out  # not escaped as \\u sequences


def test_limit_applies_to_queries(warehouse: Path) -> None:
    out = run_sql(warehouse, "SELECT * FROM events", fmt="csv", limit=4)
    assert len(out.splitlines()) == 5


def test_unknown_view_lists_the_available_ones(warehouse: Path) -> None:
    with pytest.raises(UnknownView) as err:
        run_sql(warehouse, view="hotspot")
    assert "hotspots_7d" in str(err.value) and "events_acled" in str(err.value)


def test_bad_sql_is_one_readable_line(warehouse: Path) -> None:
    with pytest.raises(QueryError) as err:
        run_sql(warehouse, "SELEC 1")
    assert str(err.value).startswith("SQL error: Parser Error")
    assert "\n" not in str(err.value)


def test_writes_are_refused(warehouse: Path) -> None:
    with pytest.raises(QueryError, match="read-only"):
        run_sql(warehouse, "DELETE FROM events")
    assert "(10 rows)" in run_sql(warehouse, "SELECT * FROM events")


def test_missing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(WarehouseNotFound, match="rasd run"):
        run_sql(tmp_path / "nope.duckdb", "SELECT 1")


def test_busy_warehouse(warehouse: Path) -> None:
    # DuckDB locks per process, so the reader runs in another process while a writer holds
    # the file, as during a run.
    code = (
        "import sys; from pathlib import Path; from rasd.analyst.sqlcli import run_sql\n"
        "from rasd.analyst.errors import WarehouseBusy\n"
        "try: run_sql(Path(sys.argv[1]), 'SELECT 1')\n"
        "except WarehouseBusy as e: print('BUSY', e)\n"
    )
    con = duckdb.connect(str(warehouse))
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, str(warehouse)], capture_output=True, text=True
        )
    finally:
        con.close()
    assert out.stdout.startswith("BUSY"), out.stderr
    assert "another process" in out.stdout
