import gzip
import socket
import xml.etree.ElementTree as ET
from email.utils import formatdate

import httpx
import pytest

from rasd.sample_server import SAMPLE_SITE, SampleServerError, SiteServer, serve_pages, serve_site

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CP1256_PAGE = "news/2015/06/2384139308e2c92b.html"


@pytest.fixture(scope="module")
def site():
    with serve_site(SAMPLE_SITE) as server:
        yield server


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10) as c:
        yield c


def test_serves_on_loopback_with_a_free_port(site):
    assert site.base_url == f"http://127.0.0.1:{site.port}"
    assert site.port > 0


def test_sitemap_index_has_absolute_urls_of_this_server(site, client):
    response = client.get(site.url("sitemap_index.xml"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert "{{BASE_URL}}" not in response.text
    locs = [e.text for e in ET.fromstring(response.content).iter(f"{SITEMAP_NS}loc")]
    assert locs == [site.url("sitemap-1.xml"), site.url("sitemap-2.xml.gz")]


def test_gzipped_sitemap_decompresses_to_valid_xml_with_reachable_pages(site, client):
    response = client.get(site.url("sitemap-2.xml.gz"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    assert response.content[:2] == b"\x1f\x8b"  # still compressed: not a transfer encoding
    root = ET.fromstring(gzip.decompress(response.content))
    locs = [e.text for e in root.iter(f"{SITEMAP_NS}loc")]
    assert len(locs) == 2
    for loc in locs:
        assert loc.startswith(site.base_url + "/news/")
        assert client.get(loc).status_code == 200


def test_gzip_is_byte_stable_so_its_etag_is_stable(site, client):
    first = client.get(site.url("sitemap-2.xml.gz"))
    second = client.get(site.url("sitemap-2.xml.gz"))
    assert first.content == second.content
    assert first.headers["etag"] == second.headers["etag"]


def test_feeds_are_substituted(site, client):
    for name in ("rss.xml", "atom.xml", "robots.txt"):
        text = client.get(site.url(name)).text
        assert "{{BASE_URL}}" not in text
        assert site.base_url + "/" in text


def test_windows_1256_page_is_sent_as_bytes_without_charset(site, client):
    response = client.get(site.url(CP1256_PAGE))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html"
    assert response.content == (SAMPLE_SITE / CP1256_PAGE).read_bytes()
    assert b'<meta charset="windows-1256">' in response.content
    assert "بنغازي" in response.content.decode("cp1256")


def test_utf8_page_declares_utf8(site, client):
    response = client.get(site.url("news/2016/06/92fbbfbc60ecd963.html"))
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "سرت" in response.text


def test_etag_revalidation_gives_304_without_body(site, client):
    first = client.get(site.url("sitemap-1.xml"))
    again = client.get(site.url("sitemap-1.xml"), headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    other = client.get(site.url("sitemap-1.xml"), headers={"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200


def test_if_modified_since_gives_304_only_when_not_newer(site, client):
    first = client.get(site.url("rss.xml"))
    since = first.headers["last-modified"]
    assert client.get(site.url("rss.xml"), headers={"If-Modified-Since": since}).status_code == 304
    long_ago = formatdate(0, usegmt=True)
    assert (
        client.get(site.url("rss.xml"), headers={"If-Modified-Since": long_ago}).status_code == 200
    )


def test_missing_paths_and_escapes_are_404(site, client):
    assert client.get(site.url("news/nothing-here.html")).status_code == 404
    with socket.create_connection(("127.0.0.1", site.port), timeout=5) as raw:
        raw.sendall(b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := raw.recv(4096):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 404")


def test_index_page_at_root(site, client):
    response = client.get(site.base_url + "/")
    assert response.status_code == 200
    assert "/news/2016/06/92fbbfbc60ecd963.html" in response.text


def test_head_request_has_headers_only(site, client):
    response = client.head(site.url("atom.xml"))
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 100
    assert response.content == b""


def test_in_memory_pages():
    pages = {
        "/a.html": "<html><body><p>نص تجريبي</p></body></html>".encode(),
        "feed/list.xml": b"<urlset><url><loc>{{BASE_URL}}/a.html</loc></url></urlset>",
    }
    with serve_pages(pages) as server, httpx.Client() as client:
        assert client.get(server.url("a.html")).text == pages["/a.html"].decode()
        listed = client.get(server.url("feed/list.xml")).text
        assert f"<loc>{server.base_url}/a.html</loc>" in listed
        zipped = client.get(server.url("feed/list.xml.gz")).content
        assert gzip.decompress(zipped).decode() == listed
        assert client.get(server.url("b.html")).status_code == 404


def test_stop_releases_the_port():
    server = serve_pages({"/x.txt": b"x"})
    port = server.port
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/x.txt", timeout=2)


def test_bad_setup_is_a_clear_error(tmp_path):
    with pytest.raises(SampleServerError, match="no such folder"):
        SiteServer(root=tmp_path / "absent")
    with pytest.raises(SampleServerError, match="either"):
        SiteServer()
