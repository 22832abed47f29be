"""The records passed between stages.

Each stage takes and returns these plain data classes, so a stage can be run and
tested on its own: sources -> fetch (FetchedPage) -> clean (Article) -> extract (Event)
-> validate -> load.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any


def stable_id(*parts: object, length: int = 16) -> str:
    """A deterministic id from its parts: the same input always gives the same id."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]


@dataclass(frozen=True)
class Source:
    """One configured site: a sitemap, a feed or a plain list of URLs."""

    name: str
    kind: str  # "sitemap" | "feed" | "urls"
    url: str | None = None
    urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageRef:
    """A URL to fetch, with the source it was discovered in."""

    url: str
    source: str
    lastmod: str | None = None
    # The configured feed or sitemap that listed it (None for a URL configured itself):
    # the fetch goes into no more private a network than this URL's.
    source_url: str | None = None


@dataclass
class FetchedPage:
    """The outcome of one attempted URL. Every URL attempted yields exactly one."""

    url: str
    source: str
    fetched_at: datetime
    status: int | None = None  # HTTP status, None when no response was had
    error: str | None = None  # None when the page was fetched and usable
    final_url: str | None = None
    content_type: str | None = None
    encoding: str | None = None
    content_hash: str | None = None  # sha256 of the raw body bytes
    bytes: int = 0
    etag: str | None = None
    last_modified: str | None = None
    unchanged: bool = False  # 304 or same content hash as last time: nothing to redo
    listed_lastmod: str | None = None  # the date the sitemap or feed gave for the page
    html: str | None = None  # the decoded body; None on failure or when unchanged

    @property
    def ok(self) -> bool:
        return self.error is None and self.html is not None


@dataclass
class Article:
    """A cleaned news article: main text without boilerplate."""

    article_id: str
    url: str
    source: str
    site: str
    title: str
    published_at: datetime | None
    language: str | None
    text: str  # paragraphs separated by a blank line
    content_hash: str | None = None

    @staticmethod
    def id_for(url: str) -> str:
        return stable_id("article", url)

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p.strip()]


@dataclass
class Event:
    """One conflict event coded from one article (ACLED taxonomy)."""

    event_id: str
    article_id: str
    url: str
    event_date: date | None
    date_explicit: bool
    event_type: str
    sub_event_type: str
    actor1: str
    actor2: str
    location: str  # the resolved town, as the gazetteer names it
    location_as_written: str  # the place as the article wrote it
    admin1: str
    country: str
    latitude: float | None
    longitude: float | None
    fatalities: int
    injuries: int
    notes: str  # the evidence sentences
    confidence: float
    geonameid: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row.pop("extra")
        return row
