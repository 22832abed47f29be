"""Reprocess and backfill: articles and events rebuilt from the raw store, with no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from rasd.pipeline import run_pipeline
from rasd.reprocess import reprocess
from rasd.sample_server import serve_site
from rasd.settings import DATA_DIR, REPO_ROOT, Settings
from tests.conftest import write_sources

ARTICLE_COLUMNS = "article_id, url, source, site, title, published_at, language, text, content_hash"
EVENT_COLUMNS = (
    "event_id, article_id, url, event_date, date_explicit, event_type, sub_event_type, "
    "actor1, actor2, location, location_as_written, admin1, country, latitude, longitude, "
    "geonameid, fatalities, injuries, notes, confidence"
)


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Articles and events without the columns that name the run that loaded them."""
    return {
        "articles": rows(warehouse, f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY 1"),
        "events": rows(warehouse, f"SELECT {EVENT_COLUMNS} FROM events ORDER BY 1"),
    }


def forget_articles_and_events(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("DELETE FROM events")
        con.execute("DELETE FROM articles")


def latest_run(warehouse: Path) -> tuple:
    return rows(
        warehouse,
        "SELECT run_id, status, pages_attempted, articles FROM runs ORDER BY started_at DESC",
    )[0]


@pytest.fixture(scope="module")
def fetched_offline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict]:
    """The sample site fetched once; its server is stopped before any test runs."""
    tmp_path = tmp_path_factory.mktemp("reprocess")
    settings = Settings(warehouse=tmp_path / "wh" / "w.duckdb", workers=1)
    with serve_site(DATA_DIR / "sample_site") as site:
        sources = write_sources(
            tmp_path / "sources.yaml",
            [{"name": "sample", "kind": "sitemap", "url": site.url("sitemap_index.xml")}],
        )
        summary = run_pipeline(sources, settings)
    assert summary.status == "completed" and summary.articles == 5, summary.render()
    before = snapshot(settings.warehouse)
    assert before["events"], "the sample run found no events to compare"
    return settings, before


def fresh_copy(fetched_offline: tuple[Settings, dict], tmp_path: Path) -> Settings:
    """A private copy of the fetched warehouse and raw store, so tests do not interfere."""
    settings, _ = fetched_offline
    home = tmp_path / "wh"
    home.mkdir()
    shutil.copytree(settings.raw_dir, home / "raw")
    shutil.copy2(settings.warehouse, home / "w.duckdb")
    return Settings(warehouse=home / "w.duckdb", workers=1)


@pytest.mark.timeout(120)
def test_reprocess_rebuilds_the_same_articles_and_events(fetched_offline, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, before = fetched_offline
    settings = fresh_copy(fetched_offline, tmp_path)
    forget_articles_and_events(settings.warehouse)
    summary = reprocess(settings)
    assert summary.status == "completed", summary.render()
    assert summary.pages_failed == 0  # the site is down: every page came from the raw store
    assert snapshot(settings.warehouse) == before
    loaded_by = rows(settings.warehouse, "SELECT DISTINCT run_id FROM articles")
    assert loaded_by == [(summary.run_id,)]


@pytest.mark.timeout(120)
def test_reprocess_one_url_from_the_command_line(fetched_offline, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, before = fetched_offline
    settings = fresh_copy(fetched_offline, tmp_path)
    url = before["articles"][0][1]
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "RASD_WORKERS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "rasd.cli", "reprocess"]
        + ["--warehouse", str(settings.warehouse), "--url", url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    run_id, status, attempted, articles = latest_run(settings.warehouse)
    assert (status, attempted, articles) == ("completed", 1, 1)
    reloaded = rows(settings.warehouse, f"SELECT url FROM articles WHERE run_id = '{run_id}'")
    assert reloaded == [(url,)]
    after = snapshot(settings.warehouse)
    assert after["articles"] == before["articles"]
    # Events of the other pages are untouched. (This page's events are compared in-process
    # above: a new process would read the extractor as it is on disk at that moment.)
    others = [e for e in after["events"] if e[2] != url]
    assert others == [e for e in before["events"] if e[2] != url]
    stale = rows(
        settings.warehouse,
        f"SELECT count(*) FROM events WHERE url = '{url}' AND run_id <> '{run_id}'",
    )
    assert stale == [(0,)]


@pytest.mark.timeout(120)
def test_reprocess_since_a_future_day_does_nothing(fetched_offline, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, before = fetched_offline
    settings = fresh_copy(fetched_offline, tmp_path)
    summary = reprocess(settings, since="2999-01-01")
    assert summary.status == "completed", summary.render()
    assert (summary.pages_attempted, summary.articles, summary.events) == (0, 0, 0)
    assert snapshot(settings.warehouse) == before
    changed = rows(
        settings.warehouse, f"SELECT count(*) FROM pages WHERE run_id = '{summary.run_id}'"
    )
    assert changed == [(0,)]


@pytest.mark.timeout(180)
def test_backfill_flow_rebuilds_one_page(fetched_offline, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from prefect.testing.utilities import prefect_test_harness

    from flows.backfill import backfill

    _, before = fetched_offline
    settings = fresh_copy(fetched_offline, tmp_path)
    forget_articles_and_events(settings.warehouse)
    url = before["events"][0][2]  # a page with events
    with prefect_test_harness():
        summary = backfill(urls=[url], warehouse=str(settings.warehouse))
    assert summary.status == "completed", summary.render()
    assert rows(settings.warehouse, "SELECT url FROM articles") == [(url,)]
    want_events = [e for e in before["events"] if e[2] == url]
    assert snapshot(settings.warehouse)["events"] == want_events
