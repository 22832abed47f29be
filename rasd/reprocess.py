"""Rebuild articles and events from stored raw pages, without fetching anything.

Raw pages are kept content-addressed in the raw store, so any night can be reprocessed
after the cleaner or the extractor changes. The same batch loop as a nightly run is used;
only discovery (stored pages instead of sources) and fetch (the raw store instead of
HTTP) differ.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

from rasd.fetch import PreviousFetch
from rasd.models import FetchedPage, PageRef
from rasd.pipeline import PlainStages, RunSummary, run_pipeline
from rasd.rawstore import RawStoreError, UndecodableBody
from rasd.settings import SQL_DIR, Settings

STORED_PAGES_SQL = SQL_DIR / "queries" / "stored_pages.sql"


def stored_pages(
    warehouse: Path, since: date | None, until: date | None, urls: list[str] | None
) -> list[FetchedPage]:
    """The last successful fetch of every stored page in the window, as records."""
    params = {"since": since, "until": until, "urls": urls}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(STORED_PAGES_SQL.read_text(encoding="utf-8"), params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return [FetchedPage(**row) for row in rows]


class StoredPageStages(PlainStages):
    """Discovery lists stored pages; fetch reads them back from the raw store."""

    use_download_process = False

    def __init__(self, settings: Settings, pages: list[FetchedPage]) -> None:
        super().__init__(settings)
        self.pages = {page.url: page for page in pages}

    def discover(self, sources_file: Path) -> tuple[list[PageRef], list[FetchedPage]]:
        refs = [PageRef(url=page.url, source=page.source) for page in self.pages.values()]
        return refs, []

    def fetch(self, refs: list[PageRef], previous: dict[str, PreviousFetch]) -> list[FetchedPage]:
        return [self._read(self.pages[ref.url]) for ref in refs]

    def _read(self, page: FetchedPage) -> FetchedPage:
        try:
            body = self.raw_store.get_html(page.content_hash or "")
        except (RawStoreError, UndecodableBody) as exc:
            return replace(page, error=f"stored page unreadable: {exc}")
        return replace(page, html=body.html, encoding=body.encoding)


def _day(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def reprocess(
    settings: Settings,
    since: str | date | None = None,
    until: str | date | None = None,
    urls: list[str] | None = None,
    show_progress: bool = False,
) -> RunSummary:
    pages = stored_pages(settings.warehouse, _day(since), _day(until), urls)
    label = Path(f"reprocess:{since or ''}..{until or ''}")
    return run_pipeline(label, settings, StoredPageStages(settings, pages), show_progress)
