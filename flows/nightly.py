"""The nightly Prefect flow: thin tasks around rasd.pipeline's plain functions.

Tasks work on batches of pages, never one page each: Prefect's per-task overhead is
high, and a few dozen tasks a night keep the server's bookkeeping light. On one machine a
batch's pages, articles and events go to their task under `quote`: unquoted, Prefect walks
every field of every item twice per task, looking for futures among them, which cost more
CPU than the night's validation. (The order of these tasks is the loop's, not Prefect's.)
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from rasd import pipeline
from rasd.downloads import DownloadProcess
from rasd.fetch import PreviousFetch
from rasd.models import FetchedPage, PageRef
from rasd.pipeline import ProcessedBatch, RunSummary
from rasd.settings import DEFAULT_SOURCES, Settings
from rasd.validate import ValidatedBatch, validate_batch

TASK_OPTIONS = {"cache_policy": NO_CACHE, "persist_result": False}


@task(name="discover", **TASK_OPTIONS)
def discover_task(
    sources_file: Path,
    settings: Settings,
    found: tuple[list[PageRef], list[FetchedPage]] | None = None,
) -> tuple[list[PageRef], list[FetchedPage]]:
    """The listings' pages; `found` when `rasd run`'s head start has read them already."""
    return found if found is not None else pipeline.discover_pages(sources_file, settings)


@task(name="fetch", **TASK_OPTIONS)
def fetch_task(
    refs: list[PageRef],
    previous: dict[str, PreviousFetch],
    settings: Settings,
    downloads: DownloadProcess | None = None,
) -> list[FetchedPage]:
    if downloads is not None:
        return downloads.submit(refs, previous).result()
    return pipeline.fetch_batch(refs, previous, settings)


@task(name="clean-and-extract", **TASK_OPTIONS)
def process_task(pages: list[FetchedPage]) -> ProcessedBatch:
    return pipeline.process_pages(pages)


@task(name="validate", **TASK_OPTIONS)
def validate_task(batch: ProcessedBatch, run_id: str, docs_dir: Path) -> ValidatedBatch:
    return validate_batch(batch.articles, batch.events, run_id=run_id, docs_dir=docs_dir)


class TaskStages(pipeline.PlainStages):
    """Each step of rasd.pipeline.run_batches as a Prefect task run.

    Clean + extract is split into one task per worker so a Dask task runner spreads it
    over the cluster; without Dask, a process pool inside the run does the same.
    """

    def __init__(self, settings: Settings, distributed: bool) -> None:
        super().__init__(settings)
        self.distributed = distributed

    def discover(self, sources_file: Path) -> tuple[list[PageRef], list[FetchedPage]]:
        found = self.adopt_head_start(sources_file)
        return discover_task(sources_file, self.settings, quote(found))

    def fetch_ahead(self, refs: list[PageRef], previous: dict[str, PreviousFetch]):
        # On a cluster the task runs on a worker, which fetches in its own threads.
        if self.distributed:
            # Under Dask's task runner a quoted parameter reaches the task still wrapped.
            return fetch_task.submit(refs, previous, self.settings)
        batch = (quote(refs), quote(previous), self.settings)
        downloads = self.download_process()
        if downloads is None:
            return fetch_task.submit(*batch)
        return fetch_task.submit(*batch, quote(downloads))

    def prepare(self, pages: int) -> None:
        if not self.distributed:  # on a cluster, the cluster's workers do the work
            super().prepare(pages)

    def process(self, pages: list[FetchedPage]) -> ProcessedBatch:
        if not self.distributed:
            return super().process(pages)
        futures = [
            process_task.submit(list(part))
            for part in pipeline._chunks(pages, max(1, self.settings.workers))
        ]
        return ProcessedBatch.combine(future.result() for future in futures)

    def process_ahead(self, pages: list[FetchedPage]) -> pipeline.PendingBatch:
        if self.distributed:
            # Prefect submits from the flow's own thread only; the cluster works in parallel.
            return pipeline.Done(self.process(pages))
        return super().process_ahead(pages)

    def validate(self, batch: ProcessedBatch, run_id: str) -> ValidatedBatch:
        return validate_task(quote(batch), run_id, self.settings.validation_dir)


def run_nightly(sources_file: Path, settings: Settings, distributed: bool = False) -> RunSummary:
    """The body shared by the nightly flow and the Dask variant."""
    logger = get_run_logger()
    summary = pipeline.run_pipeline(
        sources_file, settings, TaskStages(settings, distributed), show_progress=True
    )
    logger.info(summary.render())
    return summary


@flow(name="nightly", log_prints=True)
def nightly(sources: str = str(DEFAULT_SOURCES), warehouse: str | None = None) -> RunSummary:
    """Fetch the configured sources, extract events, validate and load them."""
    settings = Settings.from_env(warehouse)
    if settings.dask_address:
        return dask_nightly(sources, warehouse, settings.dask_address)
    return run_nightly(Path(sources), settings)


def dask_nightly(sources: str, warehouse: str | None, address: str) -> RunSummary:
    """The nightly flow with its CPU stages on a Dask cluster at `address`."""
    from prefect_dask import DaskTaskRunner

    runner = DaskTaskRunner(address=address)
    distributed_flow = nightly_on_dask.with_options(task_runner=runner)
    return distributed_flow(sources, warehouse)


@flow(name="nightly-dask", log_prints=True)
def nightly_on_dask(sources: str, warehouse: str | None = None) -> RunSummary:
    settings = Settings.from_env(warehouse)
    return run_nightly(Path(sources), settings, distributed=True)


if __name__ == "__main__":
    nightly()
