"""Configured sources and URL discovery: sitemaps, RSS/Atom feeds and plain URL lists.

`load_sources` reads and checks the sources file; `discover` turns one source into the page
URLs to fetch. Every sitemap or feed URL that was tried and failed is kept as a FetchedPage,
so a run report can show it next to the pages themselves.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import feedparser
import httpx
import yaml
from courlan import normalize_url
from lxml import etree

from rasd.fetch import network_floor, request_deadline
from rasd.models import FetchedPage, PageRef, Source
from rasd.yamlfile import parse_yaml

KINDS = ("sitemap", "feed", "urls")
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024


class SourceConfigError(ValueError):
    """The sources file cannot be used; the message says what is wrong and what to do."""


class DocumentTooLarge(Exception):
    """A sitemap or feed grew past its size or time limit while being read."""


@dataclass(frozen=True)
class DiscoveryLimits:
    """Bounds that keep a hostile or broken sitemap from eating the run."""

    max_depth: int = 3  # nesting of sitemap indexes
    max_sitemaps: int = 200  # sitemap documents read per source
    max_urls: int = 100_000  # page URLs kept per source
    max_bytes: int = 50_000_000  # bytes read from the wire per document
    max_decompressed_bytes: int = 100_000_000  # after gunzip
    total_timeout: float = 120.0  # seconds per document: a trickling server is cut off
    same_host_only: bool = True  # sitemaps: keep only URLs on the sitemap's own host


@dataclass
class Discovery:
    """What discovery found for one source: pages to fetch, and documents that failed."""

    refs: list[PageRef] = field(default_factory=list)
    failures: list[FetchedPage] = field(default_factory=list)


# ----------------------------------------------------------------------------- config


def load_sources(path: Path) -> list[Source]:
    """Read the sources YAML file and check every entry."""
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise SourceConfigError(
            f"{path}: expected a top-level 'sources:' list; "
            "add 'sources:' followed by entries like '- {name: x, kind: feed, url: ...}'"
        )
    sources = [_parse_entry(path, i, entry) for i, entry in enumerate(data["sources"], 1)]
    _check_unique_names(path, sources)
    return sources


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise SourceConfigError(f"{path}: sources file not found; create it or pass --sources")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{path}: cannot read the sources file ({exc})") from exc
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise SourceConfigError(f"{path}: malformed YAML{line}; fix the syntax there") from exc


def _parse_entry(path: Path, index: int, entry: object) -> Source:
    where = f"{path}: source #{index}"
    if not isinstance(entry, dict):
        raise SourceConfigError(f"{where}: expected a mapping with name, kind and url/urls")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourceConfigError(f"{where}: missing 'name'; give every source a unique name")
    where = f"{path}: source '{name}'"
    kind = entry.get("kind")
    if kind not in KINDS:
        raise SourceConfigError(f"{where}: unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
    if kind == "urls":
        urls = entry.get("urls")
        if not isinstance(urls, list) or not urls:
            raise SourceConfigError(f"{where}: kind 'urls' needs a non-empty 'urls:' list")
        for url in urls:
            _check_http_url(where, url)
        return Source(name=name.strip(), kind=kind, urls=tuple(u.strip() for u in urls))
    url = entry.get("url")
    if not url:
        raise SourceConfigError(f"{where}: kind '{kind}' needs a 'url:' pointing at the {kind}")
    _check_http_url(where, url)
    return Source(name=name.strip(), kind=kind, url=url.strip())


def _check_http_url(where: str, url: object) -> None:
    if not isinstance(url, str) or not _is_http_url(url.strip()):
        raise SourceConfigError(
            f"{where}: {url!r} is not an http(s) URL; write it as https://host/path"
        )


def _check_unique_names(path: Path, sources: list[Source]) -> None:
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            raise SourceConfigError(
                f"{path}: duplicate source name '{source.name}'; names must be unique"
            )
        seen.add(source.name)


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# -------------------------------------------------------------------------- discovery


def discover(
    source: Source, client: httpx.Client, limits: DiscoveryLimits | None = None
) -> Discovery:
    """Find the page URLs of one source, de-duplicated and normalised.

    Sitemaps and feeds are fetched with `client` (best made by `rasd.fetch.make_client`,
    whose clients also honour the whole-document time limit while waiting for headers,
    and send nothing into a more private network than the source's URL: a sitemap that an
    index lists there is refused); failures are recorded, never raised.
    """
    limits = limits or DiscoveryLimits()
    with network_floor(source.url):
        if source.kind == "urls":
            found = Discovery(refs=[PageRef(url=u, source=source.name) for u in source.urls])
        elif source.kind == "sitemap":
            found = _discover_sitemap(source, client, limits)
        elif source.kind == "feed":
            found = _discover_feed(source, client, limits)
        else:
            raise SourceConfigError(f"source '{source.name}': unknown kind {source.kind!r}")
    found.refs = _dedupe(found.refs, limits.max_urls)
    return found


def normalise_url(url: str) -> str | None:
    """A canonical form of an http(s) URL (no fragment, no tracking parameters), or None."""
    url = urldefrag(url.strip())[0]
    if not _is_http_url(url):
        return None
    try:
        return normalize_url(url)
    except ValueError:
        return None


def _dedupe(refs: list[PageRef], max_urls: int) -> list[PageRef]:
    kept: dict[str, PageRef] = {}
    for ref in refs:
        url = normalise_url(ref.url)
        if url is None or url in kept:
            continue
        kept[url] = replace(ref, url=url)
        if len(kept) >= max_urls:
            break
    return list(kept.values())


def _discover_sitemap(source: Source, client: httpx.Client, limits: DiscoveryLimits) -> Discovery:
    assert source.url is not None
    found = Discovery()
    home = _host(source.url)
    pending: list[tuple[str, int]] = [(source.url, 0)]
    seen: set[str] = set()
    while pending and len(seen) < limits.max_sitemaps and len(found.refs) < limits.max_urls:
        url, depth = pending.pop(0)
        if url in seen:
            continue
        seen.add(url)
        body, failure = _get_document(client, url, source.name, limits)
        if failure is not None:
            found.failures.append(failure)
            continue
        try:
            kind, entries = parse_sitemap(body)
        except ValueError as exc:
            found.failures.append(_failure(url, source.name, None, f"not a sitemap: {exc}"))
            continue
        if kind == "sitemapindex":
            if depth + 1 > limits.max_depth:
                found.failures.append(
                    _failure(url, source.name, 200, "sitemap index nested too deep; not followed")
                )
                continue
            pending.extend((loc, depth + 1) for loc, _ in entries if _is_http_url(loc))
            continue
        for loc, lastmod in entries:
            if limits.same_host_only and _host(loc) != home:
                continue
            found.refs.append(PageRef(loc, source.name, lastmod, source_url=source.url))
    return found


def parse_sitemap(body: bytes) -> tuple[str, list[tuple[str, str | None]]]:
    """Parse a sitemap document: ("urlset" | "sitemapindex", [(loc, lastmod), ...])."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"malformed XML ({exc})") from exc
    if root is None:
        raise ValueError("empty or unparseable XML")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise ValueError(f"root element is <{kind}>, expected <urlset> or <sitemapindex>")
    return kind, list(_sitemap_entries(root))


def _sitemap_entries(root: etree._Element) -> Iterator[tuple[str, str | None]]:
    for entry in root:
        if not isinstance(entry.tag, str):
            continue
        fields: dict[str, str] = {}
        for child in entry.iter():
            if isinstance(child.tag, str) and child.text and child.text.strip():
                fields.setdefault(etree.QName(child).localname, child.text.strip())
        loc = fields.get("loc")
        if loc:
            # Google News sitemaps carry the date as news:publication_date.
            yield loc, fields.get("lastmod") or fields.get("publication_date")


def _discover_feed(source: Source, client: httpx.Client, limits: DiscoveryLimits) -> Discovery:
    assert source.url is not None
    body, failure = _get_document(client, source.url, source.name, limits)
    if failure is not None:
        return Discovery(failures=[failure])
    # Parse bytes we fetched ourselves, so feedparser never opens a URL of its own.
    parsed = feedparser.parse(body, resolve_relative_uris=False, sanitize_html=False)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = getattr(parsed, "bozo_exception", None) or "no entries"
        return Discovery(failures=[_failure(source.url, source.name, 200, f"not a feed: {reason}")])
    refs = []
    for entry in parsed.entries:
        link = _entry_link(entry)
        if link:
            refs.append(PageRef(link, source.name, _entry_date(entry), source_url=source.url))
    return Discovery(refs=refs)


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    for candidate in entry.get("links", []):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"])
    return None


def _entry_date(entry: Any) -> str | None:
    for key in ("published", "updated", "created"):
        if entry.get(key):
            return str(entry[key])
    return None


# --------------------------------------------------------------------- document fetch


def _get_document(
    client: httpx.Client, url: str, source: str, limits: DiscoveryLimits
) -> tuple[bytes, FetchedPage | None]:
    """Fetch a sitemap or feed with size limits; a failure comes back as a record."""
    try:
        with (
            request_deadline(limits.total_timeout) as deadline,
            client.stream(
                "GET", url, headers={"Accept-Encoding": "gzip"}, follow_redirects=True
            ) as response,
        ):
            if response.status_code != 200:
                return b"", _failure(
                    url, source, response.status_code, f"HTTP {response.status_code}"
                )
            raw = _read_capped(response.iter_raw(), limits.max_bytes, deadline)
            encoding = response.headers.get("content-encoding", "").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            raw = gunzip_capped(raw, limits.max_decompressed_bytes)
        if raw.startswith(GZIP_MAGIC):  # a .gz sitemap served as a plain file
            raw = gunzip_capped(raw, limits.max_decompressed_bytes)
    except DocumentTooLarge as exc:
        return b"", _failure(url, source, 200, str(exc))
    except (httpx.HTTPError, zlib.error) as exc:
        return b"", _failure(url, source, None, f"{type(exc).__name__}: {exc}")
    if not raw.strip():
        return b"", _failure(url, source, 200, "empty body")
    return raw, None


def _read_capped(chunks: Iterator[bytes], limit: int, deadline: float) -> bytes:
    parts: list[bytes] = []
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise DocumentTooLarge(f"document larger than {limit} bytes; not read further")
        if time.monotonic() > deadline:
            raise DocumentTooLarge("too slow: document not complete in time, cut off")
        parts.append(chunk)
    return b"".join(parts)


def gunzip_capped(data: bytes, limit: int) -> bytes:
    """Gunzip (all members) without ever holding more than `limit` decompressed bytes."""
    parts: list[bytes] = []
    total = 0
    while data:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = data
        while True:
            out = inflater.decompress(pending, _CHUNK)
            total += len(out)
            if total > limit:
                raise DocumentTooLarge(f"decompresses to more than {limit} bytes; refused")
            parts.append(out)
            pending = inflater.unconsumed_tail
            # A full output chunk may leave output buffered inside zlib: ask again.
            if inflater.eof or (not pending and len(out) < _CHUNK):
                break
        data = inflater.unused_data if inflater.eof else b""
    return b"".join(parts)


def _failure(url: str, source: str, status: int | None, error: str) -> FetchedPage:
    return FetchedPage(
        url=url, source=source, fetched_at=datetime.now(UTC), status=status, error=error
    )


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
