"""A small HTTP server on 127.0.0.1 for the sample site and for evaluation pages.

It serves either a folder (`serve_site`) or an in-memory mapping of paths to bytes
(`serve_pages`), in a background thread. Like a real news site it:

- replaces `{{BASE_URL}}` in .xml and .txt files with its own address, because absolute
  URLs in sitemaps and feeds cannot be known before the port is;
- answers `/x.xml.gz` by gzipping `/x.xml` when no such .gz file exists;
- sends HTML whose <meta charset> is not UTF-8 as plain `text/html` without a charset,
  so a client must find the encoding in the page itself;
- sends ETag and Last-Modified and answers 304 to If-None-Match / If-Modified-Since.

Run by hand: python -m rasd.sample_server --port 8765 [--root data/sample_site]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import posixpath
import re
import signal
import sys
import threading
import time
from collections.abc import Mapping
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rasd.settings import DATA_DIR

SAMPLE_SITE = DATA_DIR / "sample_site"
BASE_URL_MARK = b"{{BASE_URL}}"
SUBSTITUTED_SUFFIXES = (".xml", ".txt")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".gz": "application/gzip",
    ".css": "text/css; charset=utf-8",
}
META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


class SampleServerError(RuntimeError):
    """The server could not be set up (missing folder, nothing to serve, port in use)."""


class _Resource:
    """One response body with the headers that describe it."""

    __slots__ = ("body", "content_type", "etag", "modified")

    def __init__(self, body: bytes, content_type: str, modified: float) -> None:
        self.body = body
        self.content_type = content_type
        self.etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        self.modified = int(modified)  # HTTP dates have whole seconds


def _content_type(path: str, body: bytes) -> str:
    suffix = posixpath.splitext(path)[1].lower()
    content_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
    if content_type.startswith("text/html"):
        declared = META_CHARSET.search(body[:4096])
        if declared and declared.group(1).decode("ascii").lower() not in ("utf-8", "utf8"):
            return "text/html"  # as such sites do: the charset is only in the page
    return content_type


class _QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client that hangs up early is normal traffic, not a server fault
        super().handle_error(request, client_address)


class SiteServer:
    """Serve a folder or a {path: bytes} mapping on 127.0.0.1; a context manager.

    Give exactly one of `root` or `pages`. Paths in `pages` start with "/"
    ("/news/1.html"); "/" and paths ending in "/" map to their index.html.
    """

    def __init__(
        self,
        root: Path | None = None,
        pages: Mapping[str, bytes] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if (root is None) == (pages is None):
            raise SampleServerError("give either a folder (root) or a mapping (pages)")
        if root is not None and not Path(root).is_dir():
            raise SampleServerError(f"no such folder to serve: {root}")
        self.root = Path(root).resolve() if root is not None else None
        self.pages = {"/" + k.lstrip("/"): bytes(v) for k, v in (pages or {}).items()}
        self.started_at = time.time()
        self._httpd: _QuietHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.host, self._requested_port = host, port

    # lifecycle -------------------------------------------------------------------
    def start(self) -> SiteServer:
        if self._httpd is not None:
            return self
        handler = type("BoundHandler", (_Handler,), {"site": self})
        try:
            self._httpd = _QuietHTTPServer((self.host, self._requested_port), handler)
        except OSError as exc:
            raise SampleServerError(
                f"cannot listen on {self.host}:{self._requested_port}: {exc}"
            ) from exc
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="rasd-sample-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise SampleServerError("the server is not running")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of a path on this server."""
        return self.base_url + "/" + path.lstrip("/")

    # content ---------------------------------------------------------------------
    def _raw(self, path: str) -> tuple[bytes, float] | None:
        """The stored bytes of a path and their modification time, or None."""
        if self.root is None:
            body = self.pages.get(path)
            return None if body is None else (body, self.started_at)
        file = (self.root / path.lstrip("/")).resolve()
        if not file.is_relative_to(self.root) or not file.is_file():
            return None
        return file.read_bytes(), file.stat().st_mtime

    def _substituted(self, path: str) -> tuple[bytes, float] | None:
        found = self._raw(path)
        if found is None or not path.endswith(SUBSTITUTED_SUFFIXES):
            return found
        body, modified = found
        return body.replace(BASE_URL_MARK, self.base_url.encode("ascii")), modified

    def resource(self, path: str) -> _Resource | None:
        """What a GET of `path` returns (None for 404)."""
        if path.endswith("/"):
            path += "index.html"
        found = self._substituted(path)
        if found is None and path.endswith(".gz"):
            source = self._substituted(path[: -len(".gz")])
            if source is not None:
                found = (gzip.compress(source[0], mtime=0), source[1])
        if found is None:
            return None
        body, modified = found
        return _Resource(body, _content_type(path, body), modified)


class _Handler(BaseHTTPRequestHandler):
    # Headers and body go out in separate writes; without this, Nagle holds the body back.
    disable_nagle_algorithm = True
    site: SiteServer  # set on the bound subclass
    protocol_version = "HTTP/1.1"
    server_version = "rasd-sample"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: tests and benchmarks would drown in access lines

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(send_body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._respond(send_body=True)

    def _request_path(self) -> str | None:
        path = unquote(urlsplit(self.path).path)
        normal = posixpath.normpath(path)
        if ".." in path.split("/") or not normal.startswith("/"):
            return None
        return normal + ("/" if path.endswith("/") and normal != "/" else "")

    def _respond(self, send_body: bool) -> None:
        path = self._request_path()
        resource = self.site.resource(path) if path else None
        if resource is None:
            self._send_plain(HTTPStatus.NOT_FOUND, b"not found\n", send_body)
            return
        headers = {
            "ETag": resource.etag,
            "Last-Modified": formatdate(resource.modified, usegmt=True),
        }
        if self._not_modified(resource):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(resource.body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(resource.body)

    def _not_modified(self, resource: _Resource) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:  # takes precedence over the date (RFC 9110)
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or resource.etag in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return resource.modified <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _send_plain(self, status: HTTPStatus, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def serve_site(root: Path = SAMPLE_SITE, host: str = "127.0.0.1", port: int = 0) -> SiteServer:
    """Start serving a folder; stop it with .stop() or use it in a `with` block."""
    return SiteServer(root=root, host=host, port=port).start()


def serve_pages(pages: Mapping[str, bytes], host: str = "127.0.0.1", port: int = 0) -> SiteServer:
    """Start serving an in-memory {path: bytes} mapping."""
    return SiteServer(pages=pages, host=host, port=port).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the rasd sample site on 127.0.0.1.")
    parser.add_argument("--root", type=Path, default=SAMPLE_SITE)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    try:
        server = serve_site(args.root, args.host, args.port)
    except SampleServerError as exc:
        parser.exit(2, f"error: {exc}\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"serving {args.root} at {server.base_url}/ (Ctrl-C to stop)", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
