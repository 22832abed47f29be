"""Backfill: rebuild articles and events from stored pages for a date range or URL list."""

from __future__ import annotations

from prefect import flow, get_run_logger

from rasd.pipeline import RunSummary
from rasd.reprocess import reprocess
from rasd.settings import Settings


@flow(name="backfill", log_prints=True)
def backfill(
    since: str | None = None,
    until: str | None = None,
    urls: list[str] | None = None,
    warehouse: str | None = None,
) -> RunSummary:
    """Reprocess the stored pages fetched between `since` and `until` (or just `urls`)."""
    summary = reprocess(Settings.from_env(warehouse), since=since, until=until, urls=urls)
    get_run_logger().info(summary.render())
    return summary
