"""A small warehouse with known rows, built the way the pipeline builds one.

Newest event day is 2016-06-20. The numbers the tests expect follow from these rows:
the 7-day window is 2016-06-14..20, the 30-day window 2016-05-22..06-20.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from rasd.settings import SQL_DIR

RUN1, RUN2 = "20160610T030000Z-aaaa", "20160620T030000Z-bbbb"
LOADED1, LOADED2 = datetime(2016, 6, 10, 3, 4), datetime(2016, 6, 20, 3, 2)

RUNS = [
    # run_id, started, finished, status, pages attempted/fetched/failed/unchanged,
    # articles, events, quarantined, message
    (RUN1, datetime(2016, 6, 10, 3, 0), datetime(2016, 6, 10, 3, 5), "completed",
     5, 3, 2, 0, 3, 6, 2, "ok"),
    (RUN2, datetime(2016, 6, 20, 3, 0), datetime(2016, 6, 20, 3, 2, 30), "completed",
     4, 2, 1, 1, 2, 4, 1, "ok"),
]  # fmt: skip

PAGES = [
    # url, source, status, error, run_id
    ("http://127.0.0.1/a/1", "site-a", 200, None, RUN1),
    ("http://127.0.0.1/a/2", "site-a", 200, None, RUN1),
    ("http://127.0.0.1/b/3", "site-b", 200, None, RUN1),
    ("http://127.0.0.1/a/404", "site-a", 404, "HTTP 404 Not Found", RUN1),
    ("http://127.0.0.1/b/slow", "site-b", None, "timeout: read timed out after 20 s", RUN1),
    ("http://127.0.0.1/a/4", "site-a", 200, None, RUN2),
    ("http://127.0.0.1/b/5", "site-b", 200, None, RUN2),
    ("http://127.0.0.1:9/x", "site-b", None, "connection refused (127.0.0.1:9)", RUN2),
    ("http://127.0.0.1/a/same", "site-a", 304, None, RUN2),
]

ARTICLES = [
    # article_id, url, source, site, title, published_at, run_id
    ("art1", "http://127.0.0.1/a/1", "site-a", "news-a.example", "اشتباكات في بنغازي",
     datetime(2016, 5, 31, 9, 0), RUN1),
    ("art2", "http://127.0.0.1/a/2", "site-a", "news-a.example", "غارات على سرت",
     datetime(2016, 6, 2, 10, 0), RUN1),
    ("art3", "http://127.0.0.1/b/3", "site-b", "news-b.example", "تظاهرة في طرابلس",
     datetime(2016, 6, 8, 12, 0), RUN1),
    ("art4", "http://127.0.0.1/a/4", "site-a", "news-a.example", "تفجير في عدن",
     datetime(2016, 6, 15, 8, 0), RUN2),
    ("art5", "http://127.0.0.1/b/5", "site-b", "news-b.example", "<b>Sirte</b> & Aden",
     None, RUN2),
]  # fmt: skip

BENGHAZI = ("Benghazi", "بنغازي", "Benghazi", "Libya", 32.1167, 20.0667)
SIRTE = ("Sirte", "سرت", "Surt", "Libya", 31.2089, 16.5887)
TRIPOLI = ("Tripoli", "طرابلس", "Tripoli", "Libya", 32.8872, 13.1913)
ADEN = ("Aden", "عدن", "Aden", "Yemen", 12.7794, 45.0367)
ARMY, ANSAR, IS = "Military Forces of Libya", "Ansar al-Sharia", "Islamic State"

EVENTS = [
    # event_id, article, date, explicit, type, sub, actor1, actor2, place, fat, inj, notes
    ("ev01", "art1", date(2016, 5, 30), True, "Battles", "Armed clash", ARMY, ANSAR, BENGHAZI,
     5, 2, "قتل خمسة مسلحين في اشتباكات مع الجيش في بنغازي."),
    ("ev02", "art2", date(2016, 6, 1), True, "Explosions/Remote violence", "Air/drone strike",
     ARMY, ANSAR, BENGHAZI, 3, 0, "قصفت الطائرات مواقع في بنغازي فقتل ثلاثة."),
    ("ev03", "art2", date(2016, 6, 1), False, "Battles", "Armed clash", ARMY, IS, SIRTE,
     10, 4, "قتل عشرة وجرح أربعة في معارك قرب سرت."),
    ("ev04", "art4", date(2016, 6, 14), True, "Explosions/Remote violence", "Suicide bomb",
     IS, "Civilians (Yemen)", ADEN, 7, 12, "فجر انتحاري نفسه في عدن فقتل سبعة."),
    ("ev05", "art3", date(2016, 6, 15), True, "Protests", "Peaceful protest", "Protesters (Libya)",
     None, TRIPOLI, 0, 0, "تظاهر المئات في طرابلس سلميا."),
    ("ev06", "art5", date(2016, 6, 19), True, "Battles", "Armed clash", ARMY, IS, SIRTE,
     2, 1, "<script>alert('x')</script> قتل اثنان في سرت & جرح واحد"),
    ("ev07", "art5", date(2016, 6, 20), True, "Explosions/Remote violence", "Air/drone strike",
     ARMY, None, SIRTE, 4, 0, "Four killed in an air strike on Sirte."),
    ("ev08", "art4", date(2016, 6, 20), False, "Violence against civilians", "Attack",
     "Unidentified Armed Group (Yemen)", "Civilians (Yemen)", ADEN, 1, 0,
     "قتل مسلحون مجهولون مدنيا في عدن."),
    ("ev09", "art1", None, False, "Battles", "Armed clash", ARMY, ANSAR, BENGHAZI,
     0, 0, "تدور اشتباكات متقطعة في بنغازي."),
    ("ev10", "art3", date(2016, 6, 7), True, "Protests", "Peaceful protest", "Protesters (Libya)",
     None, TRIPOLI, 0, 0, "خرجت مسيرة في طرابلس."),
]  # fmt: skip

QUARANTINE = [
    # quarantine_id, run_id, kind, record_id, failed_expectations
    ("q1", RUN1, "event", "bad-ev-1", "fatalities_in_range,event_type_known"),
    ("q2", RUN1, "article", "bad-art-1", "text_not_empty"),
    ("q3", RUN2, "event", "bad-ev-2", "event_type_known"),
]


def create_warehouse(path: Path) -> None:
    """The schema and every view, through Warehouse when the package has it."""
    try:
        from rasd.warehouse import Warehouse
    except ImportError:
        Warehouse = None  # noqa: N806
    if Warehouse is not None:
        Warehouse(path).init()
        return
    con = duckdb.connect(str(path))
    try:
        con.execute((SQL_DIR / "schema.sql").read_text(encoding="utf-8"))
        for view in sorted((SQL_DIR / "views").glob("*.sql")):
            con.execute(view.read_text(encoding="utf-8"))
    finally:
        con.close()


def fill_warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        con.executemany(
            "INSERT INTO runs (run_id, started_at, finished_at, status, pages_attempted,"
            " pages_fetched, pages_failed, pages_unchanged, articles, events, quarantined, message)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            RUNS,
        )
        con.executemany(
            "INSERT INTO pages (url, source, status, error, fetched_at, run_id) "
            "VALUES (?, ?, ?, ?, TIMESTAMP '2016-06-20 03:01:00', ?)",
            PAGES,
        )
        con.executemany(
            "INSERT INTO articles (article_id, url, source, site, title, published_at, language,"
            " text, run_id, loaded_at) VALUES (?, ?, ?, ?, ?, ?, 'ar', ?, ?, ?)",
            [(*a[:6], f"نص المقال {a[0]}", a[6], LOADED1 if a[6] == RUN1 else LOADED2)
             for a in ARTICLES],
        )  # fmt: skip
        con.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " 0.9, ?, ?)",
            [_event_row(e) for e in EVENTS],
        )
        con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, NULL, ?, '{}', TIMESTAMP '2016-06-20')",
            QUARANTINE,
        )
    finally:
        con.close()


def _event_row(event: tuple) -> tuple:
    eid, art, day, explicit, etype, sub, a1, a2, place, fat, inj, notes = event
    town, as_written, admin1, country, lat, lon = place
    url = next(a[1] for a in ARTICLES if a[0] == art)
    run = next(a[6] for a in ARTICLES if a[0] == art)
    loaded = LOADED1 if run == RUN1 else LOADED2
    return (eid, art, url, day, explicit, etype, sub, a1, a2, town, as_written, admin1, country,
            lat, lon, None, fat, inj, notes, run, loaded)  # fmt: skip
