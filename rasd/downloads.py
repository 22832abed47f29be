"""Downloads in a process of their own.

Sixteen download threads spend much of their time in Python (HTTP parsing, the raw store),
and in the run process they would share one interpreter lock with validation, staging and
the hand-over of pages to the clean + extract workers: the run process became the stage
every other one waited for. In a process of their own they run beside it.

The process is started with `spawn`, so it imports only this module and the fetcher, not
what the run process has loaded (Prefect, GX, the gazetteer): it stays small and starts in
well under a second. It lives for one run.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from rasd.children import end_with_parent, idle_task
from rasd.fetch import FetchSettings, PreviousFetch, RobotsCache, fetch_pages
from rasd.models import FetchedPage, PageRef
from rasd.rawstore import RawStore


@lru_cache(maxsize=2)
def robots_rules(day: date) -> RobotsCache:
    """This process's robots.txt answers: each site's file is read once a night, also in
    a long-lived `serve` process."""
    return RobotsCache()


def download(
    refs: list[PageRef],
    settings: FetchSettings,
    previous: Mapping[str, PreviousFetch],
    raw_dir: Path,
) -> list[FetchedPage]:
    """Fetch refs, storing every raw body in the raw store; in whatever process calls it."""
    robots = robots_rules(datetime.now(UTC).date())
    return fetch_pages(refs, settings, previous, RawStore(raw_dir), robots=robots)


def can_start_process() -> bool:
    """Daemonic processes (a Dask worker's, a pool worker's) may not start children."""
    return not multiprocessing.current_process().daemon


class DownloadProcess:
    """One process that fetches batch after batch for a run."""

    def __init__(self, settings: FetchSettings, raw_dir: Path) -> None:
        self.settings = settings
        self.raw_dir = raw_dir
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=end_with_parent,
            initargs=(os.getpid(),),
        )
        # Started now, not with the first batch: its start-up (a new interpreter importing
        # the fetcher) overlaps whatever the run does next.
        self._pool.submit(idle_task)
        self._ahead: dict[tuple[str, ...], Future[list[FetchedPage]]] = {}

    def submit(
        self, refs: list[PageRef], previous: Mapping[str, PreviousFetch]
    ) -> Future[list[FetchedPage]]:
        ahead = self._ahead.pop(tuple(ref.url for ref in refs), None)
        if ahead is not None:
            return ahead  # already asked for by submit_ahead: not downloaded twice
        # Only this batch's part of what earlier runs saw crosses to the process.
        known = {ref.url: previous[ref.url] for ref in refs if ref.url in previous}
        return self._pool.submit(download, refs, self.settings, known, self.raw_dir)

    def submit_ahead(
        self, refs: list[PageRef], previous: Mapping[str, PreviousFetch]
    ) -> Future[list[FetchedPage]]:
        """Submit now; a later `submit` of the same pages gets this download."""
        future = self.submit(refs, previous)
        self._ahead[tuple(ref.url for ref in refs)] = future
        return future

    def close(self, wait: bool = True) -> None:
        """End the process; without `wait`, it ends on its own once started up."""
        self._pool.shutdown(wait=wait, cancel_futures=True)
