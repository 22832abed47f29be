"""Each analyst view against a warehouse of known rows (see warehouse_rows)."""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.analyst.warehouse_rows import ANSAR, ARMY, IS, LOADED2, RUN1, RUN2


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_events_by_week_counts_iso_weeks_by_type_and_town(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "SELECT iso_year, iso_week, week_start, event_type, location, events, fatalities,"
        " injuries FROM events_by_week",
    )
    assert sum(r[5] for r in rows) == 9  # the undated event is left out
    assert rows[0] == (2016, 22, date(2016, 5, 30), "Battles", "Benghazi", 1, 5, 2)
    sirte_battles = [r for r in rows if r[3] == "Battles" and r[4] == "Sirte"]
    assert [(r[1], r[2], r[6]) for r in sirte_battles] == [
        (22, date(2016, 5, 30), 10),
        (24, date(2016, 6, 13), 2),
    ]
    assert {r[1] for r in rows} == {22, 23, 24, 25}


def test_events_by_month_sums_fatalities_and_injuries(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "SELECT month, event_type, location, events, fatalities, injuries FROM events_by_month",
    )
    assert ("2016-05", "Battles", "Benghazi", 1, 5, 2) in rows
    assert ("2016-06", "Battles", "Sirte", 2, 12, 5) in rows
    assert ("2016-06", "Protests", "Tripoli", 2, 0, 0) in rows
    assert sum(r[3] for r in rows if r[0] == "2016-06") == 8


def test_events_recent_measures_days_from_the_newest_event(warehouse: Path) -> None:
    rows = dict(query(warehouse, "SELECT event_id, days_before_newest FROM events_recent"))
    assert "ev09" not in rows  # undated
    assert rows["ev07"] == 0
    assert rows["ev01"] == 21


def test_hotspots_7d_ranks_towns_in_the_last_week_of_data(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "SELECT rank, location, events, fatalities, injuries, window_start, window_end"
        " FROM hotspots_7d",
    )
    window = (date(2016, 6, 14), date(2016, 6, 20))
    assert rows == [
        (1, "Aden", 2, 8, 12, *window),  # ties with Sirte on events, more fatalities
        (2, "Sirte", 2, 6, 1, *window),
        (3, "Tripoli", 1, 0, 0, *window),
    ]


def test_hotspots_30d_breaks_full_ties_by_name(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "SELECT rank, location, events, fatalities, event_types, first_date, window_start"
        " FROM hotspots_30d",
    )
    assert [r[:4] for r in rows] == [
        (1, "Sirte", 3, 16),
        (2, "Aden", 2, 8),
        (3, "Benghazi", 2, 8),
        (4, "Tripoli", 2, 0),
    ]
    assert rows[0][4] == "Battles, Explosions/Remote violence"
    assert rows[2][5] == date(2016, 5, 30)
    assert rows[0][6] == date(2016, 5, 22)


def test_hotspots_on_an_empty_warehouse_are_empty(empty_warehouse: Path) -> None:
    assert query(empty_warehouse, "SELECT * FROM hotspots_7d") == []


def test_actor_pairs_are_directed_with_their_period(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "SELECT actor1, actor2, events, fatalities, injuries, first_date, last_date"
        " FROM actor_pairs",
    )
    assert rows[0] == (ARMY, ANSAR, 3, 8, 2, date(2016, 5, 30), date(2016, 6, 1))
    by_pair = {(r[0], r[1]): r for r in rows}
    assert by_pair[(ARMY, IS)][2:5] == (2, 12, 5)
    assert by_pair[(ARMY, "")][2] == 1  # no second side
    assert by_pair[("Protesters (Libya)", "")][2] == 2
    assert sum(r[2] for r in rows) == 10


def test_page_errors_are_classed_per_run(warehouse: Path) -> None:
    rows = query(warehouse, "SELECT run_id, error_class, pages FROM page_errors_by_class")
    assert sorted(rows) == [
        (RUN1, "HTTP 404", 1),
        (RUN1, "timeout", 1),
        (RUN2, "connection refused", 1),
    ]


def test_quarantine_reasons_are_unnested(warehouse: Path) -> None:
    rows = query(warehouse, "SELECT run_id, kind, expectation, rows FROM quarantine_by_expectation")
    assert sorted(rows) == [
        (RUN1, "article", "text_not_empty", 1),
        (RUN1, "event", "event_type_known", 1),
        (RUN1, "event", "fatalities_in_range", 1),
        (RUN2, "event", "event_type_known", 1),
    ]


def test_run_quality_summarises_each_run_newest_first(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "SELECT run_id, duration_seconds, failure_rate, quarantined_articles, quarantined_events,"
        " page_errors, quarantine_reasons FROM run_quality",
    )
    assert rows[0] == (
        RUN2,
        150.0,
        0.25,
        0,
        1,
        "connection refused: 1",
        "event/event_type_known: 1",
    )
    assert rows[1][0] == RUN1
    assert rows[1][2] == pytest.approx(0.4)
    assert rows[1][5] == "HTTP 404: 1; timeout: 1"
    assert rows[1][6] == (
        "article/text_not_empty: 1; event/event_type_known: 1; event/fatalities_in_range: 1"
    )


def test_events_acled_uses_acled_names(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute("SELECT * FROM events_acled WHERE event_id_cnty = 'ev03'")
        columns = [d[0] for d in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
        total = con.execute("SELECT count(*) FROM events_acled").fetchone()[0]
    finally:
        con.close()
    acled = [
        "event_id_cnty",
        "event_date",
        "year",
        "time_precision",
        "event_type",
        "sub_event_type",
        "actor1",
        "actor2",
        "country",
        "admin1",
        "location",
        "latitude",
        "longitude",
        "geo_precision",
        "source",
        "notes",
        "fatalities",
        "timestamp",
    ]
    assert columns[: len(acled)] == acled
    assert total == 10
    assert row["year"] == 2016
    assert row["time_precision"] == 2  # the day was not stated for this event
    assert row["geo_precision"] == 1
    assert row["source"] == "news-a.example"
    assert row["location"] == "Sirte" and row["admin1"] == "Surt"
    assert row["injuries"] == 4 and row["location_as_written"] == "سرت"


def test_events_acled_timestamp_is_unix_seconds_of_loading(warehouse: Path) -> None:
    (stamp,) = query(warehouse, "SELECT timestamp FROM events_acled WHERE event_id_cnty='ev07'")[0]
    assert stamp == calendar.timegm(LOADED2.timetuple())  # loaded_at is UTC
