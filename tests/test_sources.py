from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rasd.fetch import FetchSettings, make_client
from rasd.models import Source
from rasd.sources import (
    DiscoveryLimits,
    SourceConfigError,
    discover,
    load_sources,
    parse_sitemap,
)
from tests.hostile_server import HostileServer

pytestmark = pytest.mark.timeout(60)

XML = "application/xml"


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as srv:
        yield srv


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0, headers={"User-Agent": "rasd-test"}) as c:
        yield c


def _urlset(*entries: tuple[str, str | None]) -> str:
    items = "".join(
        f"<url><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</url>"
        for loc, mod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>'
    )


def _index(*locs: str) -> str:
    items = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    )


# ------------------------------------------------------------------------ load_sources


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_sources_reads_every_kind(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
sources:
  - {name: site-a, kind: sitemap, url: "https://a.example/sitemap.xml"}
  - {name: site-b, kind: feed, url: "https://b.example/feed"}
  - name: site-c
    kind: urls
    urls: ["https://c.example/1", "http://c.example/2"]
""",
    )
    assert load_sources(path) == [
        Source("site-a", "sitemap", url="https://a.example/sitemap.xml"),
        Source("site-b", "feed", url="https://b.example/feed"),
        Source("site-c", "urls", urls=("https://c.example/1", "http://c.example/2")),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sources: [\n  - {name: a", "malformed YAML"),
        ("other: 1\n", "'sources:' list"),
        ("sources: {name: a}\n", "'sources:' list"),
        ("sources:\n  - {kind: feed, url: 'https://x.example/f'}\n", "missing 'name'"),
        ("sources:\n  - {name: a, kind: podcast, url: 'https://x.example/f'}\n", "unknown kind"),
        ("sources:\n  - {name: a, kind: sitemap}\n", "needs a 'url:'"),
        ("sources:\n  - {name: a, kind: feed}\n", "needs a 'url:'"),
        ("sources:\n  - {name: a, kind: urls, urls: []}\n", "non-empty 'urls:'"),
        ("sources:\n  - {name: a, kind: urls}\n", "non-empty 'urls:'"),
        ("sources:\n  - {name: a, kind: feed, url: 'ftp://x.example/f'}\n", "not an http(s) URL"),
        ("sources:\n  - {name: a, kind: urls, urls: ['file:///etc/passwd']}\n", "not an http(s)"),
        ("sources:\n  - {name: a, kind: urls, urls: ['https://']}\n", "not an http(s) URL"),
        ("sources:\n  - just-a-string\n", "expected a mapping"),
        (
            "sources:\n  - {name: a, kind: feed, url: 'https://x.example/f'}\n"
            "  - {name: a, kind: feed, url: 'https://y.example/f'}\n",
            "duplicate source name 'a'",
        ),
    ],
)
def test_load_sources_rejects_bad_config(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(SourceConfigError) as err:
        load_sources(_write(tmp_path, text))
    message = str(err.value)
    assert expected in message
    assert "\n" not in message
    assert str(tmp_path) in message


def test_load_sources_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceConfigError, match="not found"):
        load_sources(tmp_path / "nope.yaml")


def test_load_sources_unreadable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_bytes(b"sources:\n  - name: \xff\xfe\n")
    with pytest.raises(SourceConfigError, match="cannot read"):
        load_sources(path)


# --------------------------------------------------------------------------- sitemaps


def test_sitemap_index_with_gzip_child(server: HostileServer, client: httpx.Client) -> None:
    base = server.base_url
    server.add_page("/sitemap.xml", _index(f"{base}/news.xml", f"{base}/old.xml.gz"), XML)
    server.add_page(
        "/news.xml",
        _urlset(
            (f"{base}/news/1#comments", "2026-11-01"),
            (f"{base}/news/2?utm_source=rss", None),
            (f"{base}/news/1", "2026-11-01"),  # duplicate once normalised
            ("https://other.example/elsewhere", None),  # another host: dropped
        ),
        XML,
    )
    gz = gzip.compress(_urlset((f"{base}/archive/%D8%AE%D8%A8%D8%B1", "2025-01-02")).encode())
    server.add_page("/old.xml.gz", gz, "application/x-gzip")

    found = discover(Source("s", "sitemap", url=f"{base}/sitemap.xml"), client)

    assert found.failures == []
    assert [(r.url, r.lastmod) for r in found.refs] == [
        (f"{base}/news/1", "2026-11-01"),
        (f"{base}/news/2", None),
        (f"{base}/archive/%D8%AE%D8%A8%D8%B1", "2025-01-02"),
    ]
    assert {r.source for r in found.refs} == {"s"}


def test_sitemap_other_hosts_kept_when_allowed(server: HostileServer, client: httpx.Client) -> None:
    server.add_page("/sm.xml", _urlset(("https://other.example/a", None)), XML)
    limits = DiscoveryLimits(same_host_only=False)
    found = discover(Source("s", "sitemap", url=server.url("/sm.xml")), client, limits)
    assert [r.url for r in found.refs] == ["https://other.example/a"]


def test_sitemap_gzip_by_magic_and_content_encoding(
    server: HostileServer, client: httpx.Client
) -> None:
    body = gzip.compress(_urlset((server.url("/p"), None)).encode())
    server.add_page("/plain-name.xml", body, XML)  # gzip bytes without a .gz name
    server.add_page("/encoded.xml", body, XML, headers={"Content-Encoding": "gzip"})
    for path in ("/plain-name.xml", "/encoded.xml"):
        found = discover(Source("s", "sitemap", url=server.url(path)), client)
        assert [r.url for r in found.refs] == [server.url("/p")], path


def test_sitemap_gzip_bomb_is_refused(server: HostileServer, client: httpx.Client) -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    server.add_page("/bomb.xml.gz", bomb, "application/x-gzip")
    limits = DiscoveryLimits(max_decompressed_bytes=1_000_000)
    found = discover(Source("s", "sitemap", url=server.url("/bomb.xml.gz")), client, limits)
    assert found.refs == []
    assert "more than 1000000 bytes" in (found.failures[0].error or "")


def test_sitemap_failures_are_recorded(server: HostileServer, client: httpx.Client) -> None:
    base = server.base_url
    server.add_page(
        "/sitemap.xml",
        _index(f"{base}/missing404", f"{base}/not-xml", f"{base}/ok.xml"),
        XML,
    )
    server.add_page("/not-xml", "<html><body>hello</body></html>", "text/html")
    server.add_page("/ok.xml", _urlset((f"{base}/a", None)), XML)

    found = discover(Source("s", "sitemap", url=f"{base}/sitemap.xml"), client)

    assert [r.url for r in found.refs] == [f"{base}/a"]
    errors = {f.url: (f.status, f.error) for f in found.failures}
    assert errors[f"{base}/missing404"] == (404, "HTTP 404")
    assert "not a sitemap" in (errors[f"{base}/not-xml"][1] or "")


def test_sitemap_recursion_is_bounded(server: HostileServer, client: httpx.Client) -> None:
    server.add_page("/self.xml", _index(server.url("/self.xml"), server.url("/deeper.xml")), XML)
    server.add_page("/deeper.xml", _index(server.url("/deepest.xml")), XML)
    server.add_page("/deepest.xml", _index(server.url("/leaf.xml")), XML)
    server.add_page("/leaf.xml", _urlset((server.url("/a"), None)), XML)
    limits = DiscoveryLimits(max_depth=2)
    found = discover(Source("s", "sitemap", url=server.url("/self.xml")), client, limits)
    assert found.refs == []
    assert server.count("/self.xml") == 1  # a self-reference is read once
    assert server.count("/leaf.xml") == 0
    assert "too deep" in (found.failures[0].error or "")


def test_unreachable_sitemap_is_a_failure_not_a_crash(client: httpx.Client) -> None:
    server = HostileServer().start()
    url = server.url("/sitemap.xml")
    server.stop()  # nothing listens on that port any more
    found = discover(Source("s", "sitemap", url=url), client)
    assert found.refs == []
    assert found.failures[0].url == url
    assert found.failures[0].status is None
    assert "ConnectError" in (found.failures[0].error or "")


def test_parse_sitemap_ignores_entities() -> None:
    evil = (
        '<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<urlset><url><loc>https://a.example/&x;</loc></url></urlset>"
    )
    kind, entries = parse_sitemap(evil.encode())
    assert kind == "urlset"
    assert "root:" not in entries[0][0]


# ------------------------------------------------------------------------------ feeds

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>أخبار</title><link>{base}/</link>
<item><title>خبر أول</title><link>{base}/rss/1</link>
  <pubDate>Tue, 03 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>خبر ثان</title><link>{base}/rss/2#top</link></item>
<item><title>مكرر</title><link>{base}/rss/1</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>موجز</title><id>urn:x</id>
<updated>2026-11-03T09:00:00Z</updated>
<entry><title>أ</title><id>urn:1</id><link rel="alternate" href="{base}/atom/1"/>
  <updated>2026-11-03T09:00:00Z</updated></entry>
<entry><title>ب</title><id>urn:2</id><link href="{base}/atom/2"/>
  <published>2026-11-02T07:30:00Z</published></entry>
</feed>"""


def test_rss_feed(server: HostileServer, client: httpx.Client) -> None:
    server.add_page("/rss", RSS.format(base=server.base_url), "application/rss+xml")
    found = discover(Source("r", "feed", url=server.url("/rss")), client)
    assert found.failures == []
    assert [r.url for r in found.refs] == [server.url("/rss/1"), server.url("/rss/2")]
    assert found.refs[0].lastmod == "Tue, 03 Nov 2026 08:00:00 GMT"


def test_atom_feed(server: HostileServer, client: httpx.Client) -> None:
    server.add_page("/atom", ATOM.format(base=server.base_url), "application/atom+xml")
    found = discover(Source("a", "feed", url=server.url("/atom")), client)
    assert [(r.url, r.lastmod) for r in found.refs] == [
        (server.url("/atom/1"), "2026-11-03T09:00:00Z"),
        (server.url("/atom/2"), "2026-11-02T07:30:00Z"),
    ]


def test_feed_failures_are_recorded(server: HostileServer, client: httpx.Client) -> None:
    server.add_page("/not-a-feed", b"\x00\x01 binary", "application/octet-stream")
    for path, status in (("/gone410", 410), ("/error500", 500), ("/not-a-feed", 200)):
        found = discover(Source("f", "feed", url=server.url(path)), client)
        assert found.refs == []
        assert [(f.url, f.status) for f in found.failures] == [(server.url(path), status)]
        assert found.failures[0].error


def test_urls_source_is_normalised_and_deduplicated(client: httpx.Client) -> None:
    source = Source(
        "u",
        "urls",
        urls=("https://A.example/x#frag", "https://a.example/x", "https://a.example/y"),
    )
    found = discover(source, client)
    assert [r.url for r in found.refs] == ["https://a.example/x", "https://a.example/y"]


def test_trickling_sitemap_is_cut_off(server: HostileServer, client: httpx.Client) -> None:
    limits = DiscoveryLimits(total_timeout=0.5)
    found = discover(Source("s", "sitemap", url=server.url("/slow")), client, limits)
    assert found.refs == []
    assert "too slow" in (found.failures[0].error or "")


def test_sitemap_with_trickling_headers_is_cut_off(server: HostileServer) -> None:
    settings = FetchSettings(user_agent="rasd-test", read_timeout=1.0)
    limits = DiscoveryLimits(total_timeout=0.5)
    with make_client(settings, follow_redirects=True) as client:
        found = discover(Source("s", "sitemap", url=server.url("/slow-headers")), client, limits)
    assert found.refs == []
    assert "too slow" in (found.failures[0].error or "")
