"""Downloads in a process of their own: same pages, same raw store, same robots rules."""

from __future__ import annotations

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
