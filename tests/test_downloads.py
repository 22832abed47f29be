"""Downloads in a process of their own: same pages, same raw store, same robots rules."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from rasd.downloads import DownloadProcess, can_start_process
from rasd.fetch import FetchSettings
from rasd.models import PageRef
from rasd.pipeline import PlainStages, run_pipeline
from rasd.rawstore import RawStore
from rasd.settings import Settings
from tests.hostile_server import ROBOTS_TXT, HostileServer, arabic_page
from tests.processes import alive, spawned_children

FETCH = FetchSettings(user_agent="rasd-test", total_timeout=10.0, max_retries=0)


@pytest.mark.timeout(60)
def test_download_process_stores_pages_and_keeps_robots_rules(tmp_path: Path) -> None:
    with HostileServer(with_hostile_routes=False) as server:
        server.add_page("/news/a.html", arabic_page("خبر أول"))
        server.add_page("/news/b.html", arabic_page("خبر ثان"))
        server.add_page("/private/secret", arabic_page("سر"))
        server.add_page("/robots.txt", ROBOTS_TXT, content_type="text/plain")
        refs = [PageRef(server.url(p), "test") for p in ("/news/a.html", "/news/b.html")]
        refs.append(PageRef(server.url("/private/secret"), "test"))
        downloads = DownloadProcess(FETCH, tmp_path / "raw")
        try:
            first = downloads.submit(refs[:1], {}).result()
            rest = downloads.submit(refs[1:], {}).result()
        finally:
            downloads.close()
        robots_reads = server.count("/robots.txt")
        secret_reads = server.count("/private/secret")
    pages = first + rest
    assert [page.url for page in pages] == [ref.url for ref in refs]
    a, b, secret = pages
    assert a.status == b.status == 200 and "خبر أول" in (a.html or "")
    raw = RawStore(tmp_path / "raw")
    assert raw.has(a.content_hash) and raw.has(b.content_hash)
    assert secret.error and "robots" in secret.error
    assert secret_reads == 0
    assert robots_reads == 1  # read once for both batches: the process keeps its answers


def test_only_a_process_that_may_have_children_starts_one() -> None:
    assert can_start_process()  # pytest's own process


@pytest.mark.timeout(120)
def test_a_run_with_two_workers_downloads_in_its_own_process(
    tmp_path: Path, sample_sources: Path
) -> None:
    settings = Settings(warehouse=tmp_path / "wh" / "w.duckdb", workers=2)
    stages = PlainStages(settings)
    assert stages.download_process() is not None
    summary = run_pipeline(sample_sources, settings, stages)
    assert summary.status == "completed", summary.render()
    assert stages._downloads is None  # closed with the run
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        hashes = [h for (h,) in con.execute("SELECT content_hash FROM pages").fetchall()]
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert len(hashes) == 5 and articles == 5
    assert all(RawStore(settings.raw_dir).has(h) for h in hashes)


def wait_for_child(before: set[int]) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = spawned_children() - before
        if new:
            (pid,) = new
            return pid
        time.sleep(0.05)
    raise AssertionError("no download process started")


@pytest.mark.timeout(60)
def test_the_process_starts_at_once_and_is_the_one_that_downloads(tmp_path: Path) -> None:
    before = spawned_children()
    with HostileServer(with_hostile_routes=False) as server:
        server.add_page("/news/a.html", arabic_page("خبر أول"))
        process = DownloadProcess(FETCH, tmp_path / "raw")
        early = wait_for_child(before)  # started before any batch was asked for
        try:
            (page,) = process.submit([PageRef(server.url("/news/a.html"), "t")], {}).result()
            assert spawned_children() - before == {early}
        finally:
            process.close()
    assert page.status == 200 and "خبر أول" in (page.html or "")
    assert not alive(early)


@pytest.mark.timeout(60)
def test_a_process_never_used_is_stopped(tmp_path: Path) -> None:
    before = spawned_children()
    process = DownloadProcess(FETCH, tmp_path / "raw")
    early = wait_for_child(before)
    process.close()
    deadline = time.monotonic() + 10
    while alive(early) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(early)
