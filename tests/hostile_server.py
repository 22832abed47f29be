"""A real HTTP server on 127.0.0.1 that misbehaves on purpose, for fetch and pipeline tests.

Usage:

    with HostileServer() as server:
        server.add_page("/a.html", "<html>...</html>")
        url = server.url("/slow")  # a built-in hostile route, see ROUTES
        ...
        assert server.count("/private/secret") == 0

Every request is logged (method, path, host, headers), also when the server is used as an
HTTP proxy (absolute-form request lines): then `host` is the host the client asked for,
which lets a test give made-up host names to a client while only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import brotli

ARABIC_TEXT = "اشتباكات في البلدة وأنباء عن إصابات بين المدنيين"
HUGE_BYTES = 200_000_000  # what /huge claims and would stream if never cut off
BOMB_DECOMPRESSED = 100 * 1024 * 1024  # what /gzip-bomb and /brotli-bomb expand to
TRUNCATED_CLAIMED = 10_000
ETAG = '"v1-etag"'
LAST_MODIFIED = "Mon, 02 Nov 2026 10:00:00 GMT"
ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"


def arabic_page(title: str = "خبر", charset_meta: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    return (
        f"<!doctype html><html lang='ar' dir='rtl'><head>{meta}<title>{title}</title></head>"
        f"<body><article><h1>{title}</h1><p>{ARABIC_TEXT}</p></article></body></html>"
    )


@dataclass
class Request:
    """One request as the server saw it."""

    method: str
    path: str
    host: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


@dataclass
class Reply:
    """A complete canned answer."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["_RequestHandler", Request], None]


class HostileServer:
    """A threaded HTTP server on a random free port of 127.0.0.1."""

    def __init__(self, with_hostile_routes: bool = True) -> None:
        self.requests: list[Request] = []
        self._routes: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._hits: dict[str, int] = {}
        self.stopping = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0  # the most /hold requests served at once
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _RequestHandler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        if with_hostile_routes:
            for path, handler in ROUTES.items():
                self._routes[path] = handler

    # -- lifecycle
    def start(self) -> HostileServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- routes
    def add_route(self, path: str, handler: Handler) -> None:
        self._routes[path] = handler

    def add_reply(self, path: str, reply: Reply) -> None:
        self.add_route(path, lambda h, _req: h.send_reply(reply))

    def add_page(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        self.add_reply(path, Reply(raw, status, {"Content-Type": content_type, **(headers or {})}))

    # -- request log
    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def hosts(self) -> list[str]:
        with self._lock:
            return [r.host for r in self.requests]

    def hit(self, key: str) -> int:
        """How many times `key` was hit before, counting this one (for stateful routes)."""
        with self._lock:
            self._hits[key] = self._hits.get(key, 0) + 1
            return self._hits[key]

    def _record(self, request: Request) -> Handler | None:
        with self._lock:
            self.requests.append(request)
        return self._routes.get(request.path)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "hostile/1.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the request log is kept in HostileServer.requests

    @property
    def owner(self) -> HostileServer:
        return self.server.owner  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        host = parts.netloc or self.headers.get("Host", "")
        path = parts.path or "/"
        request = Request("GET", path, host.split(":")[0], dict(self.headers.items()))
        handler = self.owner._record(request)
        try:
            if handler is None:
                self.send_reply(Reply(b"not here", 404, {"Content-Type": "text/plain"}))
            else:
                handler(self, request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, which is what many tests want

    def send_reply(self, reply: Reply, content_length: int | None = None) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        length = len(reply.body) if content_length is None else content_length
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(reply.body)

    def send_stream(self, headers: dict[str, str], chunks: Iterator[bytes]) -> None:
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        for chunk in chunks:
            if self.owner.stopping.is_set():
                return
            self.wfile.write(chunk)
            self.wfile.flush()


# ------------------------------------------------------------------------ hostile routes

_HTML = {"Content-Type": "text/html; charset=utf-8"}


def _good(h: _RequestHandler, _req: Request) -> None:
    h.send_reply(Reply(arabic_page("صفحة سليمة").encode(), 200, _HTML))


def _slow(h: _RequestHandler, _req: Request) -> None:
    def trickle() -> Iterator[bytes]:
        yield b"<html><body>"
        for _ in range(600):
            time.sleep(0.1)
            yield b"."

    h.send_stream(_HTML, trickle())


def _slow_headers(h: _RequestHandler, _req: Request) -> None:
    """Dribbles the response headers, one byte at a time, for a minute."""
    h.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nX-Padding: ")
    for _ in range(600):
        if h.owner.stopping.is_set():
            return
        time.sleep(0.1)
        h.wfile.write(b"a")
        h.wfile.flush()


def _always_500(h: _RequestHandler, _req: Request) -> None:
    h.send_reply(Reply(b"server error", 500, {"Content-Type": "text/plain"}))


def _once_then_ok(status: int, retry_after: str, key: str) -> Handler:
    def handler(h: _RequestHandler, _req: Request) -> None:
        if h.owner.hit(key) == 1:
            h.send_reply(Reply(b"busy", status, {"Retry-After": retry_after}))
        else:
            h.send_reply(Reply(arabic_page("بعد الانتظار").encode(), 200, _HTML))

    return handler


def _always_429_long(h: _RequestHandler, _req: Request) -> None:
    h.send_reply(Reply(b"slow down", 429, {"Retry-After": "3600"}))


def _status(code: int) -> Handler:
    return lambda h, _req: h.send_reply(Reply(b"nope", code, {"Content-Type": "text/html"}))


def _huge(h: _RequestHandler, _req: Request) -> None:
    block = b"<p>" + b"x" * 65_530 + b"</p>"

    def stream() -> Iterator[bytes]:
        for _ in range(HUGE_BYTES // len(block)):
            yield block

    h.send_stream({**_HTML, "Content-Length": str(HUGE_BYTES)}, stream())


def _huge_unannounced(h: _RequestHandler, _req: Request) -> None:
    """Like /huge, without a Content-Length: only counting while reading can stop it."""
    block = b"<p>" + b"y" * 65_530 + b"</p>"
    h.send_stream(_HTML, (block for _ in range(HUGE_BYTES // len(block))))


def _hold(h: _RequestHandler, _req: Request) -> None:
    """Answers after 0.2 s, recording how many /hold requests were in flight at once."""
    owner = h.owner
    with owner._lock:
        owner.in_flight += 1
        owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
    try:
        time.sleep(0.2)
        h.send_reply(Reply(arabic_page("انتظار").encode(), 200, _HTML))
    finally:
        with owner._lock:
            owner.in_flight -= 1


_bomb_cache: dict[str, bytes] = {}
_bomb_lock = threading.Lock()


def _bomb_bytes(encoding: str) -> bytes:
    with _bomb_lock:
        if encoding not in _bomb_cache:
            zeros = bytes(1 << 20)
            if encoding == "gzip":
                packer = zlib.compressobj(9, zlib.DEFLATED, 31)
                body = b"".join(packer.compress(zeros) for _ in range(BOMB_DECOMPRESSED >> 20))
                _bomb_cache[encoding] = body + packer.flush()
            else:
                packer = brotli.Compressor(quality=5)
                body = b"".join(packer.process(zeros) for _ in range(BOMB_DECOMPRESSED >> 20))
                _bomb_cache[encoding] = body + packer.finish()
        return _bomb_cache[encoding]


def _bomb(encoding: str) -> Handler:
    def handler(h: _RequestHandler, _req: Request) -> None:
        headers = {**_HTML, "Content-Encoding": encoding}
        h.send_reply(Reply(_bomb_bytes(encoding), 200, headers))

    return handler


def _gzipped_page(h: _RequestHandler, _req: Request) -> None:
    body = gzip.compress(arabic_page("مضغوطة").encode())
    h.send_reply(Reply(body, 200, {**_HTML, "Content-Encoding": "gzip"}))


def _redirect(location: str) -> Handler:
    def handler(h: _RequestHandler, _req: Request) -> None:
        target = location.replace("{port}", str(h.owner.port))
        h.send_reply(Reply(b"", 302, {"Location": target}))

    return handler


def _redirect_chain(h: _RequestHandler, req: Request) -> None:
    step = int(h.owner.hit("chain"))
    h.send_reply(Reply(b"", 302, {"Location": f"/chain?step={step}"}))


def _pdf(h: _RequestHandler, _req: Request) -> None:
    h.send_reply(
        Reply(b"%PDF-1.4\n" + bytes(range(256)) * 4, 200, {"Content-Type": "application/pdf"})
    )


def _garbage(h: _RequestHandler, _req: Request) -> None:
    noise = bytes((i * 7919 + 13) % 256 for i in range(4096))
    h.send_reply(Reply(b"\x00\x01\x02" + noise, 200, {"Content-Type": "text/html"}))


def _empty(h: _RequestHandler, _req: Request) -> None:
    h.send_reply(Reply(b"", 200, _HTML))


def _truncated(h: _RequestHandler, _req: Request) -> None:
    body = arabic_page("مبتورة").encode()[:100]
    h.send_reply(Reply(body, 200, _HTML), content_length=TRUNCATED_CLAIMED)


def _windows_1256(meta: bool) -> Handler:
    def handler(h: _RequestHandler, _req: Request) -> None:
        page = arabic_page("ترميز عربي", charset_meta="windows-1256" if meta else None)
        content_type = "text/html" if meta else "text/html; charset=windows-1256"
        h.send_reply(Reply(page.encode("windows-1256"), 200, {"Content-Type": content_type}))

    return handler


def _robots(h: _RequestHandler, _req: Request) -> None:
    h.send_reply(Reply(ROBOTS_TXT.encode(), 200, {"Content-Type": "text/plain"}))


def _cached(h: _RequestHandler, req: Request) -> None:
    headers = {req_key.lower(): v for req_key, v in req.headers.items()}
    if headers.get("if-none-match") == ETAG or headers.get("if-modified-since") == LAST_MODIFIED:
        h.send_reply(Reply(b"", 304, {"ETag": ETAG}))
        return
    body = arabic_page("صفحة محفوظة").encode()
    h.send_reply(Reply(body, 200, {**_HTML, "ETag": ETAG, "Last-Modified": LAST_MODIFIED}))


ROUTES: dict[str, Handler] = {
    "/good": _good,
    "/slow": _slow,
    "/slow-headers": _slow_headers,
    "/error500": _always_500,
    "/flaky503": _once_then_ok(503, "1", "flaky503"),
    "/ratelimited429": _once_then_ok(429, "1", "ratelimited429"),
    "/always429": _always_429_long,
    "/missing404": _status(404),
    "/gone410": _status(410),
    "/forbidden403": _status(403),
    "/huge": _huge,
    "/huge-unannounced": _huge_unannounced,
    "/hold": _hold,
    "/gzip-bomb": _bomb("gzip"),
    "/brotli-bomb": _bomb("br"),
    "/gzipped": _gzipped_page,
    "/loop-a": _redirect("/loop-b"),
    "/loop-b": _redirect("/loop-a"),
    "/chain": _redirect_chain,
    "/redirect-good": _redirect("/good"),
    "/redirect-file": _redirect("file:///etc/passwd"),
    "/redirect-evil": _redirect("http://evil.test:{port}/secret"),
    "/redirect-private": _redirect("/private/secret"),
    "/doc.pdf": _pdf,
    "/garbage": _garbage,
    "/empty": _empty,
    "/truncated": _truncated,
    "/arabic-1256": _windows_1256(meta=True),
    "/arabic-1256-header": _windows_1256(meta=False),
    "/robots.txt": _robots,
    "/private/secret": _good,
    "/secret": _good,
    "/cached": _cached,
}


# ------------------------------------------------------------ a small news site


def news_site(server: HostileServer, pages: int, lastmod: str | None = None) -> list[str]:
    """`pages` article pages on `server` (a few lines on clashes in a Libyan town) and
    /sitemap.xml listing them; returns their paths."""
    from rasd.samplesite import render_article

    paths = [f"/news/{n}.html" for n in range(pages)]
    for number, path in enumerate(paths):
        page = render_article(
            title=f"اشتباكات مسلحة في مدينة سرت رقم {number}",
            paragraphs=[
                f"أصيب {number + 2} أشخاص أمس في اشتباكات مسلحة بين مجموعتين في مدينة سرت.",
                "وقال مصدر محلي إن الاشتباكات استمرت ساعات قبل أن يعود الهدوء إلى المدينة.",
            ],
            published="2016-03-02",
            template="portal",
            url_path=path,
            site_name="موقع تجريبي",
        )
        server.add_page(path, page)
    dated = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    urls = "".join(f"<url><loc>{server.url(path)}</loc>{dated}</url>" for path in paths)
    sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    server.add_page("/sitemap.xml", sitemap, content_type="application/xml")
    return paths


def site_sources(folder: Path, server: HostileServer) -> Path:
    from tests.conftest import write_sources

    entry = {"name": "news", "kind": "sitemap", "url": server.url("/sitemap.xml")}
    return write_sources(folder / "sources.yaml", [entry])
