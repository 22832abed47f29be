from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import certifi
import pytest

from rasd.fetch import (
    FetchSettings,
    PreviousFetch,
    RobotsCache,
    fetch_pages,
    make_client,
    shared_ssl_context,
)
from rasd.models import FetchedPage, PageRef, Source
from rasd.rawstore import RawStore
from rasd.sources import discover
from tests.hostile_server import (
    ARABIC_TEXT,
    ETAG,
    LAST_MODIFIED,
    ROUTES,
    HostileServer,
    Reply,
)

pytestmark = pytest.mark.timeout(60)

USER_AGENT = "rasd-test/1.0 (+https://rasd.example/about)"
FAST = FetchSettings(
    user_agent=USER_AGENT,
    connect_timeout=1.0,
    read_timeout=1.0,
    total_timeout=1.5,
    max_retries=2,
    backoff_base=0.01,
    max_retry_after=2.0,
    max_body_bytes=1_000_000,
    max_decompressed_bytes=2_000_000,
    threads=8,
)
PUBLIC_IP = "93.184.216.34"  # only ever classified, never contacted


def no_dns(host: str) -> list[str]:
    """A resolver for tests: made-up names resolve to nothing, and nothing is looked up."""
    return []


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as srv:
        yield srv


def fetch_one(
    server: HostileServer, path: str, settings: FetchSettings = FAST, **kw
) -> FetchedPage:
    kw.setdefault("resolver", no_dns)
    (page,) = fetch_pages([PageRef(server.url(path), "test")], settings, **kw)
    return page


def assert_good(page: FetchedPage) -> None:
    assert page.error is None, page.error
    assert page.status == 200
    assert page.ok
    assert ARABIC_TEXT in (page.html or "")


# ------------------------------------------------------------------------ good pages


def test_good_page_is_decoded_with_an_honest_user_agent(server: HostileServer) -> None:
    page = fetch_one(server, "/good")
    assert_good(page)
    assert page.encoding == "utf-8"
    assert page.content_type == "text/html; charset=utf-8"
    assert page.bytes > 0 and page.content_hash and len(page.content_hash) == 64
    assert page.final_url == server.url("/good")
    agents = {r.headers.get("User-Agent") for r in server.requests}
    assert agents == {USER_AGENT}


def test_gzip_encoded_page_is_decoded(server: HostileServer) -> None:
    assert_good(fetch_one(server, "/gzipped"))


@pytest.mark.parametrize("path", ["/arabic-1256", "/arabic-1256-header"])
def test_windows_1256_page_decodes(server: HostileServer, path: str) -> None:
    page = fetch_one(server, path)
    assert_good(page)
    assert page.encoding == "cp1256"
    assert "ترميز عربي" in (page.html or "")


# ------------------------------------------------------------------- timeouts, retries


def test_trickling_page_is_cut_at_total_timeout(server: HostileServer) -> None:
    page = fetch_one(server, "/slow", replace(FAST, max_retries=0))
    assert page.status == 200
    assert page.html is None
    assert page.error == "too slow: not complete within the total timeout, cut off"


@pytest.mark.timeout(20)
def test_trickling_headers_are_cut_at_total_timeout(server: HostileServer) -> None:
    page = fetch_one(server, "/slow-headers", replace(FAST, max_retries=0))
    assert page.status is None
    assert page.error == "too slow: not complete within the total timeout, cut off"


def test_500_is_retried_a_bounded_number_of_times(server: HostileServer) -> None:
    page = fetch_one(server, "/error500")
    assert page.status == 500
    assert page.error == "HTTP 500 (after 3 attempts)"
    assert server.count("/error500") == 3


@pytest.mark.parametrize("path", ["/flaky503", "/ratelimited429"])
def test_retry_after_is_honoured(server: HostileServer, path: str) -> None:
    page = fetch_one(server, path)
    assert_good(page)
    first, second = [r.at for r in server.requests if r.path == path]
    assert second - first >= 0.9  # the server asked for one second


def test_long_retry_after_is_capped(server: HostileServer) -> None:
    settings = replace(FAST, max_retries=1, max_retry_after=0.2)
    page = fetch_one(server, "/always429", settings)
    assert page.status == 429
    assert page.error == "HTTP 429 (after 2 attempts)"
    first, second = [r.at for r in server.requests if r.path == "/always429"]
    assert second - first < 60  # far below the 3600 s the server asked for


@pytest.mark.parametrize(
    ("path", "status"), [("/missing404", 404), ("/gone410", 410), ("/forbidden403", 403)]
)
def test_client_errors_are_not_retried(server: HostileServer, path: str, status: int) -> None:
    page = fetch_one(server, path)
    assert (page.status, page.error, page.html) == (status, f"HTTP {status}", None)
    assert server.count(path) == 1


def test_unreachable_host_is_recorded() -> None:
    srv = HostileServer().start()
    url = srv.url("/good")
    srv.stop()
    (page,) = fetch_pages([PageRef(url, "t")], replace(FAST, max_retries=1), resolver=no_dns)
    assert page.status is None
    assert page.error and page.error.startswith("connection failed")
    assert page.error.endswith("(after 2 attempts)")


def test_non_http_ref_is_recorded_not_requested() -> None:
    (page,) = fetch_pages([PageRef("file:///etc/passwd", "t")], FAST, resolver=no_dns)
    assert page.error == "not an http(s) URL: file:///etc/passwd"


# ------------------------------------------------------------------------ size limits


def test_huge_page_with_content_length_is_refused(server: HostileServer) -> None:
    page = fetch_one(server, "/huge")
    assert page.html is None
    assert "body too large: Content-Length 200000000" in (page.error or "")


def test_huge_page_without_content_length_is_cut_while_streaming(server: HostileServer) -> None:
    page = fetch_one(server, "/huge-unannounced")
    assert page.html is None
    assert page.error == "body too large: over 1000000 bytes, cut off"


@pytest.mark.parametrize("path", ["/gzip-bomb", "/brotli-bomb"])
def test_compression_bombs_are_refused(server: HostileServer, path: str) -> None:
    page = fetch_one(server, path)
    assert page.html is None
    assert "decompressed body too large: over 2000000 bytes" in (page.error or "")


# ----------------------------------------------------------------------- bad content


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/doc.pdf", "not HTML: application/pdf"),
        ("/empty", "empty body"),
        ("/truncated", "truncated body"),
    ],
)
def test_bad_bodies_are_recorded(server: HostileServer, path: str, expected: str) -> None:
    page = fetch_one(server, path)
    assert page.status == 200
    assert page.html is None
    assert expected in (page.error or "")


def test_binary_garbage_is_recorded(server: HostileServer) -> None:
    page = fetch_one(server, "/garbage")
    assert page.status == 200 and page.html is None
    assert page.error and ("binary" in page.error or "undecodable" in page.error)


def test_html_without_content_type_is_sniffed(server: HostileServer) -> None:
    server.add_reply("/untyped", Reply(f"<html><body><p>{ARABIC_TEXT}</p></body></html>".encode()))
    server.add_reply("/untyped-binary", Reply(b"\x89PNG\r\n\x1a\n" + bytes(64)))
    assert_good(fetch_one(server, "/untyped"))
    assert "not HTML" in (fetch_one(server, "/untyped-binary").error or "")


# ---------------------------------------------------------------------------- redirects


def test_redirect_is_followed(server: HostileServer) -> None:
    page = fetch_one(server, "/redirect-good")
    assert_good(page)
    assert page.url == server.url("/redirect-good")
    assert page.final_url == server.url("/good")


def test_redirect_loop_is_detected(server: HostileServer) -> None:
    page = fetch_one(server, "/loop-a")
    assert page.error == f"redirect loop: {server.url('/loop-a')} was already visited"
    assert server.count("/loop-a") == 1 and server.count("/loop-b") == 1


def test_redirect_chain_is_bounded(server: HostileServer) -> None:
    page = fetch_one(server, "/chain", replace(FAST, max_redirects=3))
    assert page.error == "too many redirects (more than 3)"
    assert server.count("/chain") == 4


def test_redirect_to_file_is_refused(server: HostileServer) -> None:
    page = fetch_one(server, "/redirect-file")
    assert page.status == 302
    assert page.error == "redirect to a non-http(s) URL refused: file:///etc/passwd"


def test_cookie_set_on_a_redirect_goes_with_the_next_request(server: HostileServer) -> None:
    # A consent or bot check: set a cookie, send the client on, expect the cookie there.
    server.add_reply("/consent", Reply(b"", 302, {"Location": "/gated", "Set-Cookie": "ok=1"}))

    def gated(h, req) -> None:  # type: ignore[no-untyped-def]
        if "ok=1" in req.headers.get("Cookie", ""):
            ROUTES["/good"](h, req)
        else:
            h.send_reply(Reply(b"no cookie", 403, {"Content-Type": "text/plain"}))

    server.add_route("/gated", gated)
    assert_good(fetch_one(server, "/consent"))
    assert fetch_one(server, "/gated").error == "HTTP 403"  # a new batch starts without it


@pytest.mark.parametrize("location", ["http://[::1/x", "//[::1/x"])
def test_redirect_to_an_invalid_url_is_refused(server: HostileServer, location: str) -> None:
    server.add_reply("/bad-location", Reply(b"", 302, {"Location": location}))
    page = fetch_one(server, "/bad-location")
    assert page.status == 302
    assert page.error == f"redirect to an invalid URL refused: {location}"
    assert server.count("/bad-location") == 1  # final: the same answer would come again


def test_redirect_to_unresolvable_host_is_refused(server: HostileServer) -> None:
    page = fetch_one(server, "/redirect-evil")
    assert "does not resolve" in (page.error or "")
    assert server.count("/secret") == 0


@pytest.fixture
def proxy(server: HostileServer, monkeypatch: pytest.MonkeyPatch) -> HostileServer:
    """Route plain-http traffic through the local server, so made-up host names can be used
    while only 127.0.0.1 is ever contacted; the log shows which host each request named."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.base_url)
    return server


RESOLVE = {
    "public.test": [PUBLIC_IP],
    "other-public.test": ["8.8.4.4"],
    "intranet.test": ["10.1.2.3"],
    "evil.test": ["127.0.0.1"],
    "sneaky.test": [PUBLIC_IP, "127.0.0.1"],  # one loopback address is enough to refuse
    "metadata.test": ["169.254.169.254"],
}


def fake_dns(host: str) -> list[str]:
    return RESOLVE.get(host, [])


@pytest.mark.parametrize(
    ("start", "target", "networks"),
    [
        ("public.test", "evil.test", "public address into a loopback"),
        ("public.test", "sneaky.test", "public address into a loopback"),
        ("public.test", "metadata.test", "public address into a private"),
        ("public.test", "intranet.test", "public address into a private"),
        ("intranet.test", "evil.test", "private address into a loopback"),
        ("public.test", "127.0.0.1", "public address into a loopback"),
    ],
)
def test_redirect_into_a_more_private_network_is_refused(
    proxy: HostileServer, start: str, target: str, networks: str
) -> None:
    location = f"http://{target}:{proxy.port}/secret"
    proxy.add_reply("/jump", Reply(b"", 302, {"Location": location}))
    (page,) = fetch_pages(
        [PageRef(f"http://{start}:{proxy.port}/jump", "t")], FAST, resolver=fake_dns
    )
    assert page.status == 302
    assert page.error == f"redirect from a {networks} one refused: {location}"
    assert proxy.count("/secret") == 0  # refused before any request
    assert set(proxy.hosts()) == {start}


@pytest.mark.parametrize(
    ("start", "target"),
    [("public.test", "other-public.test"), ("intranet.test", "public.test")],
)
def test_redirect_to_an_equal_or_more_public_network_is_followed(
    proxy: HostileServer, start: str, target: str
) -> None:
    proxy.add_reply("/jump", Reply(b"", 302, {"Location": f"http://{target}:{proxy.port}/good"}))
    (page,) = fetch_pages(
        [PageRef(f"http://{start}:{proxy.port}/jump", "t")], FAST, resolver=fake_dns
    )
    assert_good(page)
    assert page.final_url == f"http://{target}:{proxy.port}/good"
    assert (start, "/jump") in [(r.host, r.path) for r in proxy.requests]
    assert (target, "/good") in [(r.host, r.path) for r in proxy.requests]


def test_a_sitemap_redirect_into_a_more_private_network_is_refused(proxy: HostileServer) -> None:
    # Discovery's client follows redirects itself; the rule of page fetches still holds.
    secret = f"http://evil.test:{proxy.port}/secret.xml"
    proxy.add_reply("/sitemap.xml", Reply(b"", 302, {"Location": secret}))
    source = Source("s", "sitemap", url=f"http://public.test:{proxy.port}/sitemap.xml")
    with make_client(FAST, follow_redirects=True, resolver=fake_dns) as client:
        found = discover(source, client)
    (failure,) = found.failures
    assert found.refs == []
    assert failure.error == (
        f"RedirectRefused: redirect from a public address into a loopback one refused: {secret}"
    )
    assert proxy.count("/secret.xml") == 0
    assert set(proxy.hosts()) == {"public.test"}


@pytest.mark.parametrize(
    ("target", "asked"),
    [("evil.test", 0), ("intranet.test", 0), ("other-public.test", 1)],
)
def test_a_robots_redirect_keeps_the_network_rule(
    proxy: HostileServer, target: str, asked: int
) -> None:
    rules = f"http://{target}:{proxy.port}/rules.txt"
    proxy.add_reply("/robots.txt", Reply(b"", 302, {"Location": rules}))
    proxy.add_reply("/rules.txt", Reply(b"User-agent: *\nAllow: /\n", 200))
    (page,) = fetch_pages(
        [PageRef(f"http://public.test:{proxy.port}/good", "t")], FAST, resolver=fake_dns
    )
    assert_good(page)  # robots.txt not to be had counts as no rules
    assert proxy.count("/rules.txt") == asked
    assert (target in proxy.hosts()) == bool(asked)


@pytest.mark.timeout(20)
def test_total_timeout_holds_through_a_proxy(proxy: HostileServer) -> None:
    url = f"http://public.test:{proxy.port}/slow-headers"
    settings = replace(FAST, max_retries=0)
    (page,) = fetch_pages([PageRef(url, "t")], settings, resolver=fake_dns)
    assert page.error == "too slow: not complete within the total timeout, cut off"
    assert set(proxy.hosts()) == {"public.test"}


# ------------------------------------------------- what a listing leads to, DNS answers

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>أخبار</title>
<item><title>داخلي</title><link>{secret}</link></item>
<item><title>خبر</title><link>{good}</link></item>
</channel></rss>"""


def test_a_page_a_public_feed_lists_on_a_loopback_address_is_not_asked_for(
    proxy: HostileServer,
) -> None:
    secret = f"http://evil.test:{proxy.port}/secret"
    good = f"http://other-public.test:{proxy.port}/good"
    proxy.add_page("/feed.xml", FEED.format(secret=secret, good=good), "application/rss+xml")
    source = Source("s", "feed", url=f"http://public.test:{proxy.port}/feed.xml")
    with make_client(FAST, follow_redirects=True, resolver=fake_dns) as client:
        found = discover(source, client)
    assert {ref.source_url for ref in found.refs} == {source.url}
    refused, fetched = fetch_pages(found.refs, FAST, resolver=fake_dns)
    assert refused.error == f"link from a public address into a loopback one refused: {secret}"
    assert refused.status is None
    assert_good(fetched)
    assert proxy.count("/secret") == 0
    assert "evil.test" not in proxy.hosts()


def test_a_sitemap_a_public_index_lists_on_a_private_address_is_not_asked_for(
    proxy: HostileServer,
) -> None:
    inner = f"http://intranet.test:{proxy.port}/inner.xml"
    proxy.add_page(
        "/index.xml",
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{inner}</loc></sitemap></sitemapindex>",
        "application/xml",
    )
    source = Source("s", "sitemap", url=f"http://public.test:{proxy.port}/index.xml")
    with make_client(FAST, follow_redirects=True, resolver=fake_dns) as client:
        found = discover(source, client)
    (failure,) = found.failures
    assert failure.url == inner
    assert failure.error == (
        f"NetworkRefused: link from a public address into a private one refused: {inner}"
    )
    assert proxy.count("/inner.xml") == 0


def test_a_loopback_source_may_list_pages_on_its_own_network(server: HostileServer) -> None:
    refs = [PageRef(server.url("/good"), "s", source_url=server.url("/feed.xml"))]
    (page,) = fetch_pages(refs, FAST, resolver=no_dns)
    assert_good(page)


@pytest.fixture
def direct(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy from the environment: connections go where rasd resolves the names."""
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


class AnswersOnce:
    """A resolver that answers its first question with 127.0.0.1 and every later one with
    nothing: a fetch reaches the server only if it asked once and kept the answer."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        return ["127.0.0.1"] if len(self.asked) == 1 else []


@pytest.mark.usefixtures("direct")
def test_a_host_is_resolved_once_and_connected_to_at_the_address_judged(
    server: HostileServer,
) -> None:
    # Every page of the batch, its robots.txt and the redirect between two of its paths
    # reach the server only if the connections use the answer the checks were made on,
    # not a second one (DNS rebinding).
    resolver = AnswersOnce()
    server.add_reply("/moved", Reply(b"", 302, {"Location": "/good"}))
    site = f"http://news.test:{server.port}"
    refs = [PageRef(f"{site}/good", "s"), PageRef(f"{site}/moved", "s")]
    pages = fetch_pages(refs, replace(FAST, per_host_concurrency=1), resolver=resolver)
    for page in pages:
        assert_good(page)
    assert pages[1].final_url == f"{site}/good"
    assert resolver.asked == ["news.test"]
    assert set(server.hosts()) == {"news.test"}
    assert server.count("/robots.txt") == 1


@pytest.mark.usefixtures("direct")
def test_a_host_named_in_arabic_script_is_judged_and_connected_under_one_name(
    server: HostileServer,
) -> None:
    # Listed by a feed on another host, the page's network is checked before it is asked.
    ref = PageRef(f"http://أخبار.test:{server.port}/good", "s", source_url=server.url("/feed"))
    resolver = AnswersOnce()
    (page,) = fetch_pages([ref], FAST, resolver=resolver)
    assert_good(page)
    assert resolver.asked == ["xn--igbicxr.test"]  # for the check and the connection alike


@pytest.mark.usefixtures("direct")
def test_a_host_that_does_not_resolve_is_not_looked_up_elsewhere(server: HostileServer) -> None:
    url = f"http://nowhere.test:{server.port}/good"
    (page,) = fetch_pages([PageRef(url, "s")], replace(FAST, max_retries=0), resolver=no_dns)
    assert page.error == "connection failed: nowhere.test does not resolve"
    assert server.requests == []


# -------------------------------------------------------------------------- robots.txt


def test_robots_disallowed_url_is_never_requested(server: HostileServer) -> None:
    refs = [PageRef(server.url(p), "t") for p in ("/good", "/private/secret", "/redirect-private")]
    refs += [PageRef(server.url(f"/good?n={i}"), "t") for i in range(6)]
    pages = fetch_pages(refs, FAST, resolver=no_dns)
    assert pages[1].error == "disallowed by robots.txt"
    assert pages[1].status is None
    assert pages[2].error == "disallowed by robots.txt"  # also as a redirect target
    assert server.count("/private/secret") == 0
    assert server.count("/robots.txt") == 1  # once per host per run
    assert all(p.ok for i, p in enumerate(pages) if i not in (1, 2))


def test_robots_cache_spans_calls(server: HostileServer) -> None:
    cache = RobotsCache()
    for path in ("/good", "/private/secret", "/gzipped"):
        fetch_one(server, path, robots=cache)
    assert server.count("/robots.txt") == 1
    assert server.count("/private/secret") == 0
    fetch_one(server, "/good")  # no cache given: read afresh
    assert server.count("/robots.txt") == 2


def test_missing_robots_allows_all() -> None:
    with HostileServer(with_hostile_routes=False) as srv:
        srv.add_page("/private/page", f"<p>{ARABIC_TEXT}</p>")
        page = fetch_one(srv, "/private/page")
        assert_good(page)
        assert srv.paths() == ["/robots.txt", "/private/page"]


def test_robots_rules_for_our_user_agent() -> None:
    with HostileServer(with_hostile_routes=False) as srv:
        rules = "User-agent: rasd-test\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
        srv.add_page("/robots.txt", rules, "text/plain")
        srv.add_page("/page", f"<p>{ARABIC_TEXT}</p>")
        assert fetch_one(srv, "/page").error == "disallowed by robots.txt"
        other = replace(FAST, user_agent="otherbot/2.0")
        assert_good(fetch_one(srv, "/page", other))


# ----------------------------------------------------------------- politeness, limits


def test_per_host_concurrency_is_limited(server: HostileServer) -> None:
    refs = [PageRef(server.url(f"/hold?n={i}"), "t") for i in range(8)]
    pages = fetch_pages(refs, replace(FAST, per_host_concurrency=2, threads=8), resolver=no_dns)
    assert all(p.ok for p in pages)
    assert server.max_in_flight == 2


def test_politeness_delay_spaces_requests(server: HostileServer) -> None:
    refs = [PageRef(server.url(f"/good?n={i}"), "t") for i in range(3)]
    settings = replace(FAST, politeness_delay=0.4, threads=3)
    assert all(p.ok for p in fetch_pages(refs, settings, resolver=no_dns))
    starts = sorted(r.at for r in server.requests if r.path == "/good")
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.3


def test_crawl_delay_from_robots_is_honoured() -> None:
    with HostileServer(with_hostile_routes=False) as srv:
        srv.add_page("/robots.txt", "User-agent: *\nCrawl-delay: 0.4\n", "text/plain")
        srv.add_page("/page", f"<p>{ARABIC_TEXT}</p>")
        refs = [PageRef(srv.url(f"/page?n={i}"), "t") for i in range(3)]
        assert all(p.ok for p in fetch_pages(refs, FAST, resolver=no_dns))
        starts = sorted(r.at for r in srv.requests if r.path == "/page")
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        assert min(gaps) >= 0.3


# ------------------------------------------------------------- conditional, raw store


def test_etag_answered_with_304_is_unchanged(server: HostileServer) -> None:
    url = server.url("/cached")
    first = fetch_one(server, "/cached")
    assert_good(first)
    assert (first.etag, first.last_modified) == (ETAG, LAST_MODIFIED)
    previous = {url: PreviousFetch(etag=first.etag, last_modified=None, content_hash=None)}
    second = fetch_one(server, "/cached", previous=previous)
    assert (second.status, second.unchanged, second.html, second.error) == (304, True, None, None)
    sent = [r.headers for r in server.requests if r.path == "/cached"]
    assert sent[1].get("If-None-Match") == ETAG


def test_last_modified_answered_with_304_is_unchanged(server: HostileServer) -> None:
    previous = {server.url("/cached"): PreviousFetch(None, LAST_MODIFIED, None)}
    page = fetch_one(server, "/cached", previous=previous)
    assert (page.status, page.unchanged, page.error) == (304, True, None)


def test_same_content_hash_is_unchanged(server: HostileServer) -> None:
    first = fetch_one(server, "/good")
    previous = {server.url("/good"): PreviousFetch(None, None, first.content_hash)}
    again = fetch_one(server, "/good", previous=previous)
    assert (again.status, again.unchanged, again.html, again.error) == (200, True, None, None)
    changed = {server.url("/good"): PreviousFetch(None, None, "0" * 64)}
    assert fetch_one(server, "/good", previous=changed).unchanged is False


def test_raw_store_keeps_every_good_body(server: HostileServer, tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    refs = [PageRef(server.url(p), "t") for p in ("/good", "/arabic-1256", "/doc.pdf")]
    pages = fetch_pages(refs, FAST, raw_store=store, resolver=no_dns)
    good, arabic, pdf = pages
    for page in (good, arabic):
        assert page.content_hash and store.has(page.content_hash)
        assert store.get_html(page.content_hash).html == page.html
    assert store.meta(arabic.content_hash or "")["encoding"] == "cp1256"
    assert pdf.content_hash is None
    # one pack for the call, listing the two good bodies and nothing else
    (index,) = (tmp_path / "raw" / "packs").glob("*/*.idx")
    listed = {line.split()[0] for line in index.read_text().splitlines()}
    assert listed == {good.content_hash, arabic.content_hash}


# ------------------------------------------------------------------ the whole hostile web


@pytest.mark.timeout(45)
def test_whole_hostile_set_in_one_call(server: HostileServer) -> None:
    paths = [p for p in ROUTES if p != "/robots.txt"]
    refs = [PageRef(server.url(p), "hostile") for p in paths]
    settings = replace(FAST, max_retries=1)
    pages = fetch_pages(refs, settings, resolver=no_dns)

    assert [p.url for p in pages] == [r.url for r in refs]
    by_path = dict(zip(paths, pages, strict=True))
    for path, page in by_path.items():
        assert page.source == "hostile"
        assert page.ok or page.error or page.unchanged, path
    good = ["/good", "/gzipped", "/flaky503", "/ratelimited429", "/redirect-good", "/hold"]
    for path in good + ["/arabic-1256", "/arabic-1256-header", "/cached", "/secret"]:
        assert by_path[path].ok, (path, by_path[path].error)
    assert ARABIC_TEXT in (by_path["/arabic-1256"].html or "")
    failed = set(paths) - set(good) - {"/arabic-1256", "/arabic-1256-header", "/cached", "/secret"}
    for path in failed:
        assert by_path[path].error, path
    assert server.count("/private/secret") == 0


# --------------------------------------------------------------------------------- TLS


def test_clients_share_one_verifying_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    first = shared_ssl_context()
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname
    with make_client(FAST) as one, make_client(FAST) as two:
        pools = [client._transport._pool for client in (one, two)]  # type: ignore[attr-defined]
        assert all(pool._ssl_context is first for pool in pools)
    # A CA bundle named in the environment is honoured, as httpx itself would.
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    assert shared_ssl_context() is not first
