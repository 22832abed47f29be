"""The warehouse on real DuckDB files: init, staging, the one-transaction load, views."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from rasd.models import Article, Event, FetchedPage, stable_id
from rasd.settings import SQL_DIR
from rasd.staging import LOADED_MARKER, Stage, pending_stages, stage_batch
from rasd.validate import QuarantineRow
from rasd.warehouse import Warehouse, WarehouseBusyError, WarehouseError

T0 = datetime(2024, 3, 2, 3, 0, tzinfo=UTC)
NASTY = (
    "قال 'المصدر' \"إنّ\" القصف\\ استمر;\n\r\t'); DROP TABLE articles; --\x00 بعد NUL "
    "\u200f\u200e\u200d 🚀 %s $1 ? :name {} [x]"
)


def page(url: str, **changes: object) -> FetchedPage:
    base = FetchedPage(
        url=url,
        source="sample",
        fetched_at=T0,
        status=200,
        final_url=url,
        content_type="text/html; charset=utf-8",
        encoding="utf-8",
        content_hash=stable_id("body", url, length=64),
        bytes=2048,
        etag=f'"{stable_id("etag", url)}"',
        last_modified="Sat, 02 Mar 2024 01:00:00 GMT",
        html="<html></html>",
    )
    return replace(base, **changes)


def article(url: str, site: str = "site-a", **changes: object) -> Article:
    base = Article(
        article_id=Article.id_for(url),
        url=url,
        source=site,
        site=site,
        title="اشتباكات في سرت",
        published_at=T0,
        language="ar",
        text="اندلعت اشتباكات في مدينة سرت صباح اليوم.",
        content_hash=stable_id("body", url, length=64),
    )
    return replace(base, **changes)


def event(art: Article, n: int = 1, **changes: object) -> Event:
    base = Event(
        event_id=stable_id("event", art.article_id, n),
        article_id=art.article_id,
        url=art.url,
        event_date=date(2024, 3, 2),
        date_explicit=True,
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1="Military Forces of Libya",
        actor2="Unidentified armed group",
        location="Sirte",
        location_as_written="سرت",
        admin1="Surt",
        country="Libya",
        latitude=31.20892,
        longitude=16.58866,
        fatalities=3,
        injuries=2,
        notes="اندلعت اشتباكات في مدينة سرت",
        confidence=0.8,
        geonameid=2210554,
    )
    return replace(base, **changes)


def quarantined(art: Article, reason: str = "text_not_empty") -> QuarantineRow:
    return QuarantineRow("article", art.article_id, art.url, [reason], {"text": art.text})


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    warehouse = Warehouse(tmp_path / "warehouse.duckdb", lock_timeout=10)
    warehouse.init()
    return warehouse


def rows(wh: Warehouse, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(wh.path), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def stage_one(stage_dir: Path, arts: list[Article], evs: list[Event], batch_no: int = 1) -> None:
    stage_batch(stage_dir, batch_no, [page(a.url) for a in arts], arts, evs, [])


def test_init_twice_creates_tables_and_views(wh: Warehouse) -> None:
    wh.init()
    assert wh.counts() == {"runs": 0, "pages": 0, "articles": 0, "events": 0, "quarantine": 0}
    views = {r[0] for r in rows(wh, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert {"events_per_day", "fatalities_by_town_month", "event_clusters"} <= views


def test_runs_are_recorded(wh: Warehouse) -> None:
    wh.start_run("r1", Path("data/sources.yaml"), T0)
    wh.start_run("r1", Path("data/sources.yaml"), T0 + timedelta(hours=1))
    assert wh.unfinished_runs() == ["r1"]
    wh.finish_run("r1", "completed", {"pages_attempted": 7, "events": 2}, "done")
    wh.finish_run("r1", "completed", {}, "done again")
    assert rows(wh, "SELECT started_at, status, pages_attempted, events, message FROM runs") == [
        (datetime(2024, 3, 2, 3, 0), "completed", 7, 2, "done again")
    ]
    assert wh.unfinished_runs() == []
    with pytest.raises(WarehouseError, match="unknown run counts"):
        wh.finish_run("r1", "completed", {"pages": 1}, None)


def test_load_staged_twice_adds_nothing(wh: Warehouse, tmp_path: Path) -> None:
    arts = [article("http://127.0.0.1/a/1"), article("http://127.0.0.1/a/2")]
    stage_dir = tmp_path / "staging" / "r1"
    stage_one(stage_dir, arts, [event(arts[0], 1), event(arts[0], 2, location="Derna")])
    stage_batch(stage_dir, 2, [], [], [], [quarantined(arts[1])])
    copy = tmp_path / "staging" / "copy"
    shutil.copytree(stage_dir, copy)

    first = wh.load_staged("r1", stage_dir)
    assert (first.batches, first.pages, first.articles, first.events, first.quarantined) == (
        2,
        2,
        2,
        2,
        1,
    )
    after_first = wh.counts()
    assert wh.load_staged("r1", stage_dir).already_loaded
    # The same batches again (a mark lost to a crash after the commit): nothing doubles.
    again = wh.load_staged("r2", copy)
    assert again.quarantined == 0
    assert wh.counts() == after_first


def test_reextraction_replaces_an_articles_events(wh: Warehouse, tmp_path: Path) -> None:
    art = article("http://127.0.0.1/a/1")
    other = article("http://127.0.0.1/a/2")
    stage_one(tmp_path / "r1", [art, other], [event(art, 1), event(art, 2), event(other, 1)])
    wh.load_staged("r1", tmp_path / "r1")
    better = event(art, 3, fatalities=4)
    stage_one(tmp_path / "r2", [replace(art, title="عنوان جديد")], [better])
    loaded = wh.load_staged("r2", tmp_path / "r2")
    assert loaded.events_replaced == 2
    assert rows(
        wh, "SELECT event_id, fatalities, run_id FROM events WHERE article_id = ?", [art.article_id]
    ) == [(better.event_id, 4, "r2")]
    assert len(rows(wh, "SELECT * FROM events WHERE article_id = ?", [other.article_id])) == 1
    assert rows(wh, "SELECT title FROM articles WHERE article_id = ?", [art.article_id]) == [
        ("عنوان جديد",)
    ]


def test_crashed_runs_stage_loads_later_without_doubling(wh: Warehouse, tmp_path: Path) -> None:
    root = tmp_path / "staging"
    arts = [article(f"http://127.0.0.1/a/{n}") for n in range(4)]
    stage_one(root / "crashed", arts[:2], [event(arts[0])], batch_no=1)
    stage_one(root / "crashed", arts[2:], [event(arts[2])], batch_no=2)
    # a batch being written when the process died: only its temporary folder exists
    (root / "crashed" / ".tmp-000003-999-dead").mkdir()
    assert pending_stages(root) == [root / "crashed"]
    assert wh.counts()["articles"] == 0

    later = wh.load_staged("next-night", root / "crashed")
    assert (later.batches, later.articles, later.events) == (2, 4, 2)
    assert pending_stages(root) == []
    (root / "crashed" / LOADED_MARKER).unlink()  # as if the crash came after the commit
    wh.load_staged("next-night", root / "crashed")
    assert wh.counts() == {"runs": 0, "pages": 4, "articles": 4, "events": 2, "quarantine": 0}


def test_failed_load_leaves_the_warehouse_unchanged(wh: Warehouse, tmp_path: Path) -> None:
    good = article("http://127.0.0.1/a/1")
    stage_one(tmp_path / "r1", [good], [event(good)])
    wh.load_staged("r1", tmp_path / "r1")
    before = wh.counts()
    art = article("http://127.0.0.1/a/2")
    broken = event(art, notes=None)  # events.notes is NOT NULL: the insert fails mid-load
    stage_one(tmp_path / "r2", [art, replace(good, title="changed")], [broken])
    with pytest.raises(WarehouseError, match="loading the staged batches failed"):
        wh.load_staged("r2", tmp_path / "r2")
    assert wh.counts() == before
    assert rows(wh, "SELECT title FROM articles") == [(good.title,)]
    assert not Stage(tmp_path / "r2").loaded


def test_restaging_a_batch_replaces_it(tmp_path: Path) -> None:
    art = article("http://127.0.0.1/a/1")
    stage_one(tmp_path / "s", [art], [event(art, 1), event(art, 2)])
    stage_one(tmp_path / "s", [art], [event(art, 1)])
    stage = Stage(tmp_path / "s")
    assert [n for n, _ in stage.batches()] == [1]
    assert stage.read("events").num_rows == 1
    assert [p.name for p in (tmp_path / "s").iterdir()] == ["batch_000001"]


def test_pages_keep_their_content_through_unchanged_and_failed_fetches(
    wh: Warehouse, tmp_path: Path
) -> None:
    url = "http://127.0.0.1/a/1"
    first = page(url)
    stage_batch(tmp_path / "r1", 1, [first], [], [], [])
    wh.load_staged("r1", tmp_path / "r1")

    unchanged = page(
        url,
        fetched_at=T0 + timedelta(days=1),
        status=304,
        unchanged=True,
        content_hash=None,
        bytes=0,
        etag=None,
        html=None,
    )
    stage_batch(tmp_path / "r2", 1, [unchanged], [], [], [])
    wh.load_staged("r2", tmp_path / "r2")
    query = "SELECT status, error, fetched_at, content_hash, bytes, etag, run_id FROM pages"
    assert rows(wh, query) == [
        (304, None, datetime(2024, 3, 3, 3, 0), first.content_hash, 2048, first.etag, "r2")
    ]

    failed = page(
        url,
        fetched_at=T0 + timedelta(days=2),
        status=None,
        error="timed out after 20 s",
        content_hash=None,
        bytes=0,
        etag=None,
        last_modified=None,
        html=None,
    )
    changed = page(url, fetched_at=T0 + timedelta(days=3), content_hash="f" * 64, etag='"v2"')
    stage_batch(tmp_path / "r3", 1, [failed], [], [], [])
    wh.load_staged("r3", tmp_path / "r3")
    assert rows(wh, query)[0][:5] == (
        None,
        "timed out after 20 s",
        datetime(2024, 3, 4, 3, 0),
        first.content_hash,
        2048,
    )
    assert wh.previous_fetches() == {url: (first.etag, first.last_modified, first.content_hash)}

    # two batches of one run: the later batch is the latest outcome, the earlier one
    # still brought the latest content
    stage_batch(tmp_path / "r4", 1, [changed], [], [], [])
    stage_batch(
        tmp_path / "r4", 2, [replace(failed, fetched_at=T0 + timedelta(days=4))], [], [], []
    )
    wh.load_staged("r4", tmp_path / "r4")
    assert rows(wh, query)[0][1:4] == ("timed out after 20 s", datetime(2024, 3, 6, 3, 0), "f" * 64)
    assert wh.previous_fetches()[url] == ('"v2"', first.last_modified, "f" * 64)


def test_nasty_text_round_trips(wh: Warehouse, tmp_path: Path) -> None:
    art = article("http://127.0.0.1/a/'quoted'?q=\"x\"&y=1", title=NASTY, text=NASTY * 3)
    ev = event(art, notes=NASTY, actor1=NASTY, location_as_written="ال'حي")
    q = QuarantineRow("event", "e-nasty", art.url, ["notes_not_empty"], {"notes": NASTY})
    stage_batch(tmp_path / "r1", 1, [page(art.url, error=None)], [art], [ev], [q])
    wh.load_staged("r1", tmp_path / "r1")
    assert rows(wh, "SELECT url, title, text FROM articles") == [(art.url, NASTY, NASTY * 3)]
    assert rows(wh, "SELECT notes, actor1, location_as_written FROM events") == [
        (NASTY, NASTY, "ال'حي")
    ]
    (record,) = rows(wh, "SELECT record FROM quarantine")[0]
    assert json.loads(record) == {"notes": NASTY}


def test_times_are_stored_in_utc_and_event_days_as_dates(wh: Warehouse, tmp_path: Path) -> None:
    riyadh = timezone(timedelta(hours=3))
    art = article(
        "http://127.0.0.1/a/zoned", published_at=datetime(2024, 3, 2, 1, 30, tzinfo=riyadh)
    )
    naive = article("http://127.0.0.1/a/naive", published_at=datetime(2024, 3, 2, 8, 0))
    undated = article("http://127.0.0.1/a/undated", published_at=None)
    fetched = page(art.url, fetched_at=datetime(2024, 3, 2, 6, 15, tzinfo=riyadh))
    pages = [fetched, page(naive.url), page(undated.url, bytes=0, status=None)]
    ev = event(art, event_date=datetime(2024, 3, 1, 23, 0))
    stage_batch(tmp_path / "r1", 1, pages, [art, naive, undated], [ev], [])
    wh.load_staged("r1", tmp_path / "r1")
    assert rows(wh, "SELECT url, published_at FROM articles ORDER BY url") == [
        (naive.url, datetime(2024, 3, 2, 8, 0)),
        (undated.url, None),
        (art.url, datetime(2024, 3, 1, 22, 30)),
    ]
    assert rows(wh, "SELECT url, fetched_at, status FROM pages ORDER BY url") == [
        (naive.url, datetime(2024, 3, 2, 3, 0), 200),
        (undated.url, datetime(2024, 3, 2, 3, 0), None),
        (art.url, datetime(2024, 3, 2, 3, 15), 200),
    ]
    assert rows(wh, "SELECT event_date FROM events") == [(date(2024, 3, 1),)]


def test_reader_in_another_process_between_writes(wh: Warehouse, tmp_path: Path) -> None:
    reader = (
        "import sys, duckdb\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(con.execute('SELECT count(*) FROM articles').fetchone()[0])\n"
    )

    def read_count() -> int:
        done = subprocess.run(
            [sys.executable, "-c", reader, str(wh.path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return int(done.stdout)

    wh.start_run("r1", "sources.yaml", T0)
    assert read_count() == 0
    art = article("http://127.0.0.1/a/1")
    stage_one(tmp_path / "r1", [art], [event(art)])
    wh.load_staged("r1", tmp_path / "r1")
    assert read_count() == 1
    wh.finish_run("r1", "completed", {"articles": 1}, "")
    assert read_count() == 1


def test_writer_waits_for_a_reader_in_another_process(wh: Warehouse) -> None:
    holder = (
        "import sys, time, duckdb\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print('open', flush=True)\n"
        "time.sleep(float(sys.argv[2]))\n"
        "con.close()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, str(wh.path), "1.5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
        impatient = Warehouse(wh.path, lock_timeout=0.2)
        with pytest.raises(WarehouseBusyError, match="locked by another process"):
            impatient.start_run("r0", "sources.yaml", T0)
        started = time.monotonic()
        wh.start_run("r1", "sources.yaml", T0)  # waits for the reader, then writes
        assert time.monotonic() - started > 0.1
    finally:
        proc.wait(timeout=60)
    assert wh.unfinished_runs() == ["r1"]


def test_quarantine_rows_are_kept_once(wh: Warehouse, tmp_path: Path) -> None:
    art = article("http://127.0.0.1/a/1", text="")
    q = quarantined(art)
    stage_batch(tmp_path / "r1", 1, [], [], [], [q])
    stage_batch(tmp_path / "r1", 2, [], [], [], [q])
    assert wh.load_staged("r1", tmp_path / "r1").quarantined == 1
    stage_batch(tmp_path / "r2", 1, [], [], [], [q, quarantined(art, "title_present")])
    assert wh.load_staged("r2", tmp_path / "r2").quarantined == 1
    assert rows(wh, "SELECT failed_expectations, run_id FROM quarantine ORDER BY 1") == [
        ("text_not_empty", "r1"),
        ("title_present", "r2"),
    ]


def test_views_aggregate_known_rows_and_cluster_across_sources(
    wh: Warehouse, tmp_path: Path
) -> None:
    a1 = article("http://127.0.0.1/site-a/1", site="site-a")
    a2 = article("http://127.0.0.1/site-a/2", site="site-a")
    b1 = article("http://127.0.0.1/site-b/1", site="site-b")
    sirte = [
        event(a1, fatalities=5, injuries=7),
        event(a2, fatalities=4, injuries=9, sub_event_type="Government regains territory"),
        event(b1, fatalities=6, injuries=3),
    ]
    others = [
        event(a1, 2, location="Benghazi", latitude=32.11486, longitude=20.06859, fatalities=1),
        event(b1, 2, event_date=date(2024, 3, 20), fatalities=10, injuries=0),
        event(b1, 3, event_date=date(2024, 4, 1), fatalities=2, injuries=1),
    ]
    stage_one(tmp_path / "r1", [a1, a2, b1], sirte + others)
    wh.load_staged("r1", tmp_path / "r1")

    clusters = rows(
        wh,
        "SELECT cluster_id, sub_event_type, latitude, fatalities, injuries, n_events, "
        "n_reports, n_sources, event_ids, urls FROM event_clusters "
        "WHERE location = 'Sirte' AND event_date = DATE '2024-03-02'",
    )
    key = "2024-03-02|Libya|Sirte|Battles"
    assert clusters == [
        (
            hashlib.md5(key.encode()).hexdigest(),
            "Armed clash",
            31.20892,
            4,
            3,
            1,
            3,
            2,
            sorted(e.event_id for e in sirte),
            sorted(a.url for a in (a1, a2, b1)),
        )
    ]
    assert rows(wh, "SELECT count(*) FROM event_clusters") == [(4,)]

    per_day = rows(
        wh,
        "SELECT event_date, location, events, fatalities, injuries, reports "
        "FROM events_per_day ORDER BY event_date, location",
    )
    assert per_day == [
        (date(2024, 3, 2), "Benghazi", 1, 1, 2, 1),
        (date(2024, 3, 2), "Sirte", 1, 4, 3, 3),
        (date(2024, 3, 20), "Sirte", 1, 10, 0, 1),
        (date(2024, 4, 1), "Sirte", 1, 2, 1, 1),
    ]
    by_month = rows(
        wh,
        "SELECT month, location, country, events, fatalities, injuries "
        "FROM fatalities_by_town_month ORDER BY month, location",
    )
    assert by_month == [
        (date(2024, 3, 1), "Benghazi", "Libya", 1, 1, 2),
        (date(2024, 3, 1), "Sirte", "Libya", 2, 14, 3),
        (date(2024, 4, 1), "Sirte", "Libya", 1, 2, 1),
    ]


def test_one_article_with_two_events_at_one_place_and_day(wh: Warehouse, tmp_path: Path) -> None:
    a1 = article("http://127.0.0.1/site-a/1", site="site-a")
    b1 = article("http://127.0.0.1/site-b/1", site="site-b")
    evs = [
        event(a1, 1, fatalities=2),
        event(a1, 2, actor2="Islamic State (Libya)", fatalities=3),
        event(b1, 1, fatalities=4),
    ]
    stage_one(tmp_path / "r1", [a1, b1], evs)
    wh.load_staged("r1", tmp_path / "r1")
    # a1 reports 5 dead over two events, b1 reports 4: the lowest report wins
    assert rows(wh, "SELECT events, fatalities, reports FROM events_per_day") == [(2, 4, 2)]


def test_missing_warehouse_reads_are_refused(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="does not exist"):
        Warehouse(tmp_path / "nowhere.duckdb").counts()


# ---------------------------------------------------------------- opening an installed warehouse

INSTALL_RECORD = "SELECT sql_fingerprint, catalog_digest, installed_at FROM rasd_internal.installed"
EVENTS_PER_DAY = "SELECT column_name FROM duckdb_columns() WHERE table_name = 'events_per_day'"


def sql_copy(tmp_path: Path, name: str = "sql") -> Path:
    return Path(shutil.copytree(SQL_DIR, tmp_path / name))


def add_view(sql_dir: Path, name: str, select: str) -> None:
    """A view file of its own in a copy of sql/."""
    (sql_dir / "views" / f"{name}.sql").write_text(
        f"CREATE OR REPLACE VIEW {name} AS {select};\n", encoding="utf-8"
    )


def newer_sql(tmp_path: Path, view: str, select: str) -> Path:
    """A copy of sql/ as a later version might ship it: events_per_day with one more
    column, and one more view."""
    newer = sql_copy(tmp_path)
    add_outlets_column(newer)
    add_view(newer, view, select)
    return newer


def add_outlets_column(sql_dir: Path) -> None:
    """A newer version of the events_per_day view: one more column."""
    view = sql_dir / "views" / "events_per_day.sql"
    text = view.read_text(encoding="utf-8")
    assert "n_reports AS reports\n" in text
    view.write_text(
        text.replace("n_reports AS reports\n", "n_reports AS reports,\n    n_sources AS outlets\n"),
        encoding="utf-8",
    )


def build_unrecorded(path: Path, sql_dir: Path) -> None:
    """A warehouse as rasd built it before installs were recorded: the schema, then every
    view, retrying those that name a later one."""
    con = duckdb.connect(str(path))
    try:
        con.execute((sql_dir / "schema.sql").read_text(encoding="utf-8"))
        pending = sorted((sql_dir / "views").glob("*.sql"))
        while pending:
            failed = []
            for view in pending:
                try:
                    con.execute(view.read_text(encoding="utf-8"))
                except duckdb.Error:
                    failed.append(view)
            assert len(failed) < len(pending)
            pending = failed
    finally:
        con.close()


def test_reopening_an_up_to_date_warehouse_writes_nothing(wh: Warehouse, tmp_path: Path) -> None:
    (record,) = rows(wh, INSTALL_RECORD)
    before = wh.path.read_bytes()
    wh.init()
    # Re-creating even one view rewrites the file; an untouched file means none was.
    assert wh.path.read_bytes() == before
    assert rows(wh, INSTALL_RECORD) == [record]

    # Rows loaded since do not make the warehouse look out of date.
    art = article("http://127.0.0.1/a/1")
    stage_one(tmp_path / "r1", [art], [event(art)])
    wh.load_staged("r1", tmp_path / "r1")
    wh.start_run("r1", "sources.yaml", T0)
    loaded = wh.path.read_bytes()
    Warehouse(wh.path, sql_dir=sql_copy(tmp_path)).init()  # the same files, elsewhere
    assert wh.path.read_bytes() == loaded
    assert rows(wh, INSTALL_RECORD) == [record]
    assert wh.counts()["events"] == 1


def test_changed_view_sql_replaces_the_view(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    Warehouse(path).init()
    newer = newer_sql(tmp_path, "zz_outlets", "SELECT DISTINCT site FROM articles")
    with duckdb.connect(str(path), read_only=True) as con:
        old_record = con.execute(INSTALL_RECORD).fetchall()
        assert "outlets" not in {c for (c,) in con.execute(EVENTS_PER_DAY).fetchall()}

    Warehouse(path, sql_dir=newer).init()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(EVENTS_PER_DAY).fetchall()[-2:] == [("reports",), ("outlets",)]
        assert con.execute("SELECT count(*) FROM zz_outlets").fetchone() == (0,)
        (record,) = con.execute(INSTALL_RECORD).fetchall()
        assert record[0] != old_record[0][0]

    # Back on the repository's files, the view is theirs again.
    Warehouse(path).init()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(EVENTS_PER_DAY).fetchall()[-1] == ("reports",)


def test_warehouse_made_before_installs_were_recorded_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    older = sql_copy(tmp_path)
    add_outlets_column(older)  # the older version's view differs from today's
    build_unrecorded(path, older)
    wh = Warehouse(path, lock_timeout=10)
    wh.start_run("r-old", "sources.yaml", T0)
    art = article("http://127.0.0.1/a/1")
    stage_one(tmp_path / "r-old", [art], [event(art)])
    wh.load_staged("r-old", tmp_path / "r-old")
    with pytest.raises(duckdb.CatalogException):
        rows(wh, INSTALL_RECORD)

    wh.init()
    assert len(rows(wh, INSTALL_RECORD)) == 1
    assert rows(wh, EVENTS_PER_DAY)[-1] == ("reports",)
    assert wh.unfinished_runs() == ["r-old"]
    assert wh.counts() == {"runs": 1, "pages": 1, "articles": 1, "events": 1, "quarantine": 0}
    upgraded = path.read_bytes()
    wh.init()
    assert path.read_bytes() == upgraded


def test_views_changed_by_hand_are_put_back(wh: Warehouse) -> None:
    with duckdb.connect(str(wh.path)) as con:
        con.execute("DROP VIEW hotspots_7d")
        con.execute("CREATE OR REPLACE VIEW events_per_day AS SELECT 1 AS one")
    wh.init()
    assert rows(wh, EVENTS_PER_DAY)[-1] == ("reports",)
    assert rows(wh, "SELECT count(*) FROM hotspots_7d") == [(0,)]


def test_an_install_that_failed_halfway_is_redone(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    Warehouse(path).init()
    broken = newer_sql(tmp_path, "zz_broken", "SELECT * FROM no_such_table")
    with pytest.raises(WarehouseError, match="view zz_broken.sql failed"):
        Warehouse(path, sql_dir=broken).init()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(INSTALL_RECORD).fetchall() == []
        assert con.execute(EVENTS_PER_DAY).fetchall()[-1] == ("outlets",)  # half installed

    Warehouse(path).init()
    with duckdb.connect(str(path), read_only=True) as con:
        assert len(con.execute(INSTALL_RECORD).fetchall()) == 1
        assert con.execute(EVENTS_PER_DAY).fetchall()[-1] == ("reports",)
