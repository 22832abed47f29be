"""A generated news site for the benchmark: thousands of different articles, sitemaps.

Articles are recombined from the sentence pieces in data/bench/pieces.yaml with a seeded
random generator, so the same (index, seed) always gives the same page and every page
differs in text and hash. About half the articles report a violent event; the others hold
only neutral local news. Pages are rendered with the sample site's templates
(rasd.samplesite), boilerplate traps included, and listed in sitemaps under one index.

`serve_generated` serves such a site from a separate process, so the server never competes
for the interpreter lock with the client being measured. The server (`FastSiteServer`)
keeps every response ready-made, with its ETag, and answers If-None-Match with 304; it sets
TCP_NODELAY, because headers and body go out in two writes and Nagle's algorithm would
otherwise hold the body back for the client's delayed ACK (about 40 ms per request).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection

import yaml

from rasd.samplesite import render_eval_page
from rasd.settings import DATA_DIR
from rasd.yamlfile import parse_yaml

PIECES_FILE = DATA_DIR / "bench" / "pieces.yaml"
URLS_PER_SITEMAP = 1000  # the protocol allows 50,000; smaller files exercise the index
EVENT_SHARE = 0.5
FIRST_DAY = datetime(2015, 1, 1, 6, 0)
SERVER_START_TIMEOUT = 60.0


class BenchSiteError(RuntimeError):
    """The generated site could not be built or served."""


@dataclass(frozen=True)
class GeneratedArticle:
    path: str  # "/news/2015/03/0001234.html"
    title: str
    paragraphs: tuple[str, ...]
    published: str  # ISO datetime
    has_event: bool


@cache
def _pieces() -> dict:
    try:
        return parse_yaml(PIECES_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BenchSiteError(f"cannot read the sentence pieces in {PIECES_FILE}: {exc}") from exc


def _fill(template: str, rng: random.Random, when: datetime) -> str:
    p = _pieces()
    town, town2 = rng.sample(p["towns"], 2)
    date_text = f"{when.day} {p['months'][when.month - 1]} {when.year}"
    return template.format(
        town=town,
        town2=town2,
        n=rng.randint(2, 19),
        m=rng.randint(2, 40),
        k=rng.randint(20, 900),
        people=rng.choice(p["people"]),
        day=rng.choice(p["days"]),
        date=date_text,
        month=rng.choice(p["months"]),
    )


def _event_paragraph(rng: random.Random, when: datetime) -> str:
    p = _pieces()
    lead = f"{rng.choice(p['openers'])} {_fill(rng.choice(p['events']), rng, when)}."
    details = [_fill(d, rng, when) + "." for d in rng.sample(p["details"], rng.randint(1, 3))]
    return " ".join([lead, *details])


def _filler_paragraph(rng: random.Random, when: datetime) -> str:
    chosen = rng.sample(_pieces()["fillers"], rng.randint(2, 4))
    return " ".join(_fill(f, rng, when) + "." for f in chosen)


def generate_article(index: int, seed: int = 0) -> GeneratedArticle:
    """Article number `index`; independent of how many others are generated."""
    rng = random.Random(f"{seed}:{index}")
    when = FIRST_DAY + timedelta(days=rng.randint(0, 729), minutes=rng.randint(0, 900))
    has_event = rng.random() < EVENT_SHARE
    paragraphs = [_filler_paragraph(rng, when) for _ in range(rng.randint(2, 5))]
    if has_event:
        paragraphs.insert(0, _event_paragraph(rng, when))
    title_source = paragraphs[0].split(".")[0]
    title = " ".join(title_source.split()[:10])
    return GeneratedArticle(
        path=f"/news/{when:%Y/%m}/{seed:02d}{index:07d}.html",
        title=title,
        paragraphs=tuple(paragraphs),
        published=when.isoformat(),
        has_event=has_event,
    )


def render_generated(article: GeneratedArticle, index: int) -> bytes:
    html = render_eval_page(
        title=article.title,
        paragraphs=list(article.paragraphs),
        published=article.published,
        index=index,
        url_path=article.path,
    )
    return html.encode("utf-8")


def _sitemap(articles: list[GeneratedArticle]) -> bytes:
    rows = "\n".join(
        f"  <url><loc>{{{{BASE_URL}}}}{escape(a.path)}</loc><lastmod>{a.published}Z</lastmod></url>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{rows}\n</urlset>\n"
    ).encode()


def _sitemap_index(names: list[str]) -> bytes:
    rows = "\n".join(f"  <sitemap><loc>{{{{BASE_URL}}}}/{n}</loc></sitemap>" for n in names)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{rows}\n</sitemapindex>\n"
    ).encode()


def generate_site(
    n_pages: int, seed: int = 0, per_sitemap: int = URLS_PER_SITEMAP
) -> dict[str, bytes]:
    """{path: body} for `n_pages` articles, their sitemaps, the index and robots.txt."""
    if n_pages < 1 or per_sitemap < 1:
        raise BenchSiteError(f"need at least one page and one URL per sitemap, got {n_pages}")
    articles = [generate_article(i, seed) for i in range(n_pages)]
    site = {a.path: render_generated(a, i) for i, a in enumerate(articles)}
    names = []
    for number, start in enumerate(range(0, n_pages, per_sitemap), start=1):
        name = f"sitemaps/sitemap-{number}.xml"
        site["/" + name] = _sitemap(articles[start : start + per_sitemap])
        names.append(name)
    site["/sitemap_index.xml"] = _sitemap_index(names)
    site["/robots.txt"] = b"User-agent: *\nAllow: /\n"
    return site


def article_paths(site: dict[str, bytes]) -> list[str]:
    return sorted(p for p in site if p.endswith(".html"))


def _serve_forever(n_pages: int, seed: int, conn: Connection) -> None:
    try:
        server = FastSiteServer(generate_site(n_pages, seed))
    except Exception as exc:  # reported to the parent, which raises a readable error
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    with server:
        conn.send(("ok", server.base_url))
        with suppress(EOFError):
            conn.recv()  # blocks until the parent says stop or goes away


@contextmanager
def serve_generated(n_pages: int, seed: int = 0) -> Iterator[str]:
    """Serve a generated site on 127.0.0.1 from a child process; yields its base URL."""
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(
        target=_serve_forever, args=(n_pages, seed, child), daemon=True, name="rasd-bench-site"
    )
    process.start()
    try:
        if not parent.poll(SERVER_START_TIMEOUT):
            raise BenchSiteError(f"the bench site did not start within {SERVER_START_TIMEOUT} s")
        status, value = parent.recv()
        if status != "ok":
            raise BenchSiteError(f"the bench site failed to start: {value}")
        yield value
    finally:
        with suppress(OSError):
            parent.send("stop")
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml; charset=utf-8"}
BASE_URL_MARK = b"{{BASE_URL}}"


@dataclass(frozen=True)
class _Response:
    body: bytes
    content_type: str
    etag: str


class _FastHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    responses_by_path: dict[str, _Response]  # set on the bound subclass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        found = self.responses_by_path.get(self.path.split("?", 1)[0])
        if found is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", None)
        elif found.etag in (self.headers.get("If-None-Match") or ""):
            self._send(HTTPStatus.NOT_MODIFIED, b"", None, found.etag)
        else:
            self._send(HTTPStatus.OK, found.body, found.content_type, found.etag)

    def _send(self, status: HTTPStatus, body: bytes, kind: str | None, etag: str | None) -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up mid-response are normal in a benchmark


class FastSiteServer:
    """Serve a {path: bytes} mapping on 127.0.0.1 with ETags and 304s; a context manager.

    `{{BASE_URL}}` in .xml and .txt bodies is replaced by the server's own address.
    """

    def __init__(self, pages: dict[str, bytes], port: int = 0) -> None:
        self._httpd = _QuietServer(("127.0.0.1", port), BaseHTTPRequestHandler)
        base = self.base_url.encode("ascii")
        responses = {
            path: _response(path, body.replace(BASE_URL_MARK, base)) for path, body in pages.items()
        }
        self._httpd.RequestHandlerClass = type(
            "BoundFastHandler", (_FastHandler,), {"responses_by_path": responses}
        )
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FastSiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _response(path: str, body: bytes) -> _Response:
    kind = CONTENT_TYPES.get(path[path.rfind(".") :], "text/plain; charset=utf-8")
    return _Response(body, kind, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def main(argv: list[str] | None = None) -> int:
    """Serve a generated site by hand, e.g. to profile `rasd run` against it."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(description="Serve a generated bench site on 127.0.0.1.")
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args(argv)
    try:
        server = FastSiteServer(generate_site(args.pages, args.seed), port=args.port)
    except (BenchSiteError, OSError) as exc:
        parser.exit(2, f"error: {exc}\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with server:
        print(f"serving {args.pages} pages; sitemap: {server.base_url}/sitemap_index.xml")
        with suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
