"""The benchmark's generated site: varied, deterministic pages, sitemaps and a fast server."""

from __future__ import annotations

import hashlib
import sys

import httpx
import pytest
from lxml import etree

from rasd.benchgen import (
    BenchSiteError,
    FastSiteServer,
    article_paths,
    generate_article,
    generate_site,
    serve_generated,
)

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _locs(body: bytes) -> list[str]:
    return etree.fromstring(body).xpath("//sm:loc/text()", namespaces=SITEMAP_NS)


def test_same_index_and_seed_give_the_same_article() -> None:
    assert generate_article(7, seed=3) == generate_article(7, seed=3)
    assert generate_article(7, seed=3) != generate_article(7, seed=4)


def test_an_article_does_not_depend_on_the_site_size() -> None:
    small, large = generate_site(20), generate_site(60)
    for path in article_paths(small):
        assert small[path] == large[path]


def test_pages_differ_and_only_some_report_events() -> None:
    articles = [generate_article(i) for i in range(200)]
    site = generate_site(200)
    bodies = [site[a.path] for a in articles]
    assert len({hashlib.sha256(b).hexdigest() for b in bodies}) == 200
    assert len({a.paragraphs[0] for a in articles}) == 200
    with_events = sum(a.has_event for a in articles)
    assert 60 < with_events < 140
    assert all(a.paragraphs[0] in site[a.path].decode() for a in articles[:20])


def test_event_articles_name_a_casualty_or_an_act_and_quiet_ones_do_not() -> None:
    articles = [generate_article(i) for i in range(100)]
    violent = ("مقتل", "قتلى", "قتل", "إصابة", "جرح", "أصيب", "اختطفوا", "تظاهروا")
    for article in articles:
        text = " ".join(article.paragraphs)
        assert any(word in text for word in violent) == article.has_event, article.path


def test_sitemaps_are_split_and_listed_in_one_index() -> None:
    site = generate_site(25, per_sitemap=10)
    index = _locs(site["/sitemap_index.xml"])
    assert index == [f"{{{{BASE_URL}}}}/sitemaps/sitemap-{n}.xml" for n in (1, 2, 3)]
    listed = [loc for n in (1, 2, 3) for loc in _locs(site[f"/sitemaps/sitemap-{n}.xml"])]
    assert len(_locs(site["/sitemaps/sitemap-3.xml"])) == 5
    assert sorted(loc.removeprefix("{{BASE_URL}}") for loc in listed) == article_paths(site)


def test_a_site_needs_pages() -> None:
    with pytest.raises(BenchSiteError, match="at least one page"):
        generate_site(0)


def test_server_sends_etags_answers_304_and_fills_in_its_address() -> None:
    site = generate_site(12, per_sitemap=5)
    path = article_paths(site)[0]
    with FastSiteServer(site) as server, httpx.Client(base_url=server.base_url) as client:
        page = client.get(path)
        assert page.status_code == 200
        assert page.content == site[path]
        assert page.headers["content-type"].startswith("text/html")
        again = client.get(path, headers={"If-None-Match": page.headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""
        other = client.get(path, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200
        index = client.get("/sitemap_index.xml").content
        assert _locs(index)[0] == f"{server.base_url}/sitemaps/sitemap-1.xml"
        assert client.get("/no/such/page.html").status_code == 404


def test_served_from_a_child_process() -> None:
    with serve_generated(30, seed=1) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        path = generate_article(29, seed=1).path
        response = httpx.get(base_url + path, timeout=10)
        assert response.status_code == 200
        assert generate_article(29, seed=1).paragraphs[0] in response.text


def _bench_script():
    """scripts/bench.py, loaded as a module (scripts/ is not a package)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"
    spec = importlib.util.spec_from_file_location("rasd_bench_script", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_bench_reads_the_run_summary_the_cli_prints() -> None:
    from rasd.pipeline import RunSummary

    bench = _bench_script()
    summary = RunSummary(
        run_id="20260101T000000Z-abcdef",
        status="completed",
        pages_attempted=40,
        pages_fetched=30,
        pages_unchanged=7,
        pages_failed=3,
        seconds=12.34,
    )
    output = "INFO something\n" + summary.render() + "\n"
    assert bench._summary_pages(output) == {
        "attempted": 40,
        "fetched": 30,
        "unchanged": 7,
        "failed": 3,
    }
    assert float(bench.SUMMARY_SECONDS.search(output).group(1)) == 12.3


def test_bench_marks_missed_targets_on_the_median_round() -> None:
    bench = _bench_script()

    def measured(floor: float, run: float, rerun: float, peak: float):
        return bench.Round(
            floor={"seconds": floor},
            run=bench.RunFigures(seconds=run, peak_rss_mb=peak, exit_code=0),
            rerun=bench.RunFigures(seconds=rerun, peak_rss_mb=peak / 2, exit_code=0),
            warehouse={},
        )

    rounds = [measured(10.0, 20.0, 1.0, 900.0), measured(10.0, 12.0, 2.4, 1000.0)]
    rounds.append(measured(12.0, 30.0, 1.5, 700.0))  # its run/floor, 2.5, is the highest
    report = bench.render(1000, rounds)
    assert "run_over_floor      2.00  target <= 1.3  MISSED  (median of 3 rounds)" in report
    assert "rerun_over_run      0.05  target <= 0.15  met  (median of 3 rounds)" in report
    assert "peak_memory_mb      1000  target <= 1536  met  (highest of the runs)" in report
    assert bench.summary_ratios(rounds[1:2])["run_over_floor"] == 1.2
    assert "(one round)" in bench.render(1000, rounds[1:2])
