from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from rasd.analyst.errors import AnalystError, WarehouseNotFound
from rasd.analyst.export import export


def read_back(pattern: Path, fmt: str) -> list[tuple]:
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    con = duckdb.connect()
    try:
        return con.execute(
            f"SELECT month, count(*), sum(fatalities) FROM {reader}('{pattern}', "
            "hive_partitioning = true) GROUP BY month ORDER BY month"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_events_are_partitioned_by_month(warehouse: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    result = export(warehouse, out, fmt=fmt)
    assert (out / "events" / "month=2016-06" / f"part-0.{fmt}").is_file()
    assert read_back(out / "events" / "*" / f"*.{fmt}", fmt) == [
        ("2016-05", 1, 5),
        ("2016-06", 8, 27),
        ("undated", 1, 0),
    ]
    assert result.rows == {"events": 10, "articles": 5}
    assert result.months["events"] == ["2016-05", "2016-06", "undated"]
    assert result.months["articles"] == ["2016-05", "2016-06", "undated"]


def test_exported_events_carry_acled_names(warehouse: Path, tmp_path: Path) -> None:
    export(warehouse, tmp_path, fmt="parquet")
    con = duckdb.connect()
    try:
        cursor = con.execute(
            f"SELECT * FROM read_parquet('{tmp_path}/events/*/*.parquet', hive_partitioning=true)"
            " WHERE event_id_cnty = 'ev04'"
        )
        columns = [d[0] for d in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
    finally:
        con.close()
    assert {"event_id_cnty", "event_date", "sub_event_type", "geo_precision"} <= set(columns)
    assert row["location"] == "Aden" and row["notes"].startswith("فجر")


def test_date_range_and_rerun_replace_the_previous_export(warehouse: Path, tmp_path: Path) -> None:
    export(warehouse, tmp_path, fmt="parquet")
    result = export(warehouse, tmp_path, fmt="parquet", since=date(2016, 6, 14))
    assert result.rows["events"] == 5
    assert result.months["events"] == ["2016-06"]
    assert not (tmp_path / "events" / "month=2016-05").exists()
    assert read_back(tmp_path / "events" / "*" / "*.parquet", "parquet") == [("2016-06", 5, 14)]
    again = export(warehouse, tmp_path, fmt="parquet", since=date(2016, 6, 14))
    assert again.files == result.files


def test_until_before_any_event_exports_nothing(warehouse: Path, tmp_path: Path) -> None:
    result = export(warehouse, tmp_path, fmt="csv", until=date(2000, 1, 1))
    assert result.rows == {"events": 0, "articles": 0}
    assert result.files == {"events": [], "articles": []}


def test_bad_arguments(warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(AnalystError, match="after"):
        export(warehouse, tmp_path, since=date(2016, 7, 1), until=date(2016, 6, 1))
    with pytest.raises(AnalystError, match="parquet or csv"):
        export(warehouse, tmp_path, fmt="xlsx")  # type: ignore[arg-type]
    with pytest.raises(WarehouseNotFound):
        export(tmp_path / "missing.duckdb", tmp_path)
