"""One run of the nightly job as plain functions: discover -> fetch -> clean + extract ->
validate -> stage -> load.

The loop is written once here. `run_batches` takes a `Stages` object that performs each
step; the plain runner calls the functions directly, the Prefect flow (flows/nightly.py)
wraps the same functions in tasks. Pages travel in batches so memory is bounded by the
batch size, not by the night's page count; each validated batch is staged to Parquet
outside the warehouse, and the warehouse is written once, in one short transaction.
"""

from __future__ import annotations

import fcntl
import gc
import inspect
import logging
import os
import secrets
import shutil
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from contextvars import copy_context
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Protocol

import duckdb

from rasd.children import end_with_parent, idle_task
from rasd.downloads import DownloadProcess, can_start_process, download
from rasd.fetch import FetchSettings, PreviousFetch, make_client
from rasd.models import Article, Event, FetchedPage, PageRef
from rasd.progress import Progress
from rasd.rawstore import RawStore
from rasd.settings import Settings
from rasd.sources import discover, load_sources
from rasd.timestamps import parse_datetime
from rasd.validate import ValidatedBatch, build_validation_docs, suite_runner, validate_batch
from rasd.warehouse import Warehouse, WarehouseError

log = logging.getLogger("rasd")
PROGRESS_STAGES = ("fetch", "clean+extract", "validate")
SLICES_PER_WORKER = 4


@dataclass
class ProcessedBatch:
    """What clean + extract made of a batch of fetched pages."""

    pages: list[FetchedPage]
    articles: list[Article] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @classmethod
    def combine(cls, parts: Iterable[ProcessedBatch]) -> ProcessedBatch:
        """One batch of the parts' pages, articles and events, in order."""
        whole = cls(pages=[])
        for part in parts:
            whole.pages.extend(part.pages)
            whole.articles.extend(part.articles)
            whole.events.extend(part.events)
        return whole


@dataclass
class RunSummary:
    """The counts an operator reads after a run."""

    run_id: str
    status: str = "running"
    pages_attempted: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    pages_unchanged: int = 0
    articles: int = 0
    events: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    message: str = ""
    failures: list[tuple[str, str]] = field(default_factory=list)
    listing_failures: list[tuple[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "pages_attempted": self.pages_attempted,
            "pages_fetched": self.pages_fetched,
            "pages_failed": self.pages_failed,
            "pages_unchanged": self.pages_unchanged,
            "articles": self.articles,
            "events": self.events,
            "quarantined": self.quarantined,
        }

    def add_pages(self, pages: Sequence[FetchedPage]) -> None:
        self.pages_attempted += len(pages)
        for page in pages:
            if page.unchanged:
                self.pages_unchanged += 1
            elif page.error is not None:
                self.pages_failed += 1
                self.failures.append((page.url, page.error))
            else:
                self.pages_fetched += 1

    def render(self) -> str:
        lines = [
            f"run {self.run_id}: {self.status} in {self.seconds:.1f} s",
            f"  pages:      {self.pages_attempted} attempted, {self.pages_fetched} fetched, "
            f"{self.pages_unchanged} unchanged, {self.pages_failed} failed",
            f"  articles:   {self.articles}",
            f"  events:     {self.events}",
            f"  quarantined: {self.quarantined}",
        ]
        for url, error in self.failures[:20]:
            lines.append(f"  failed: {url} -- {error}")
        if len(self.failures) > 20:
            lines.append(f"  ... and {len(self.failures) - 20} more failures (see the pages table)")
        if self.message:
            lines.append(f"  note: {self.message}")
        return "\n".join(lines)


def new_run_id(now: datetime | None = None) -> str:
    """Sortable and unique: the UTC start time plus a random suffix."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def fetch_settings(settings: Settings) -> FetchSettings:
    return FetchSettings(
        user_agent=settings.user_agent,
        threads=settings.fetch_threads,
        total_timeout=settings.fetch_timeout,
        read_timeout=min(10.0, settings.fetch_timeout),
        connect_timeout=min(5.0, settings.fetch_timeout),
        max_retries=settings.fetch_retries,
    )


def discover_pages(
    sources_file: Path, settings: Settings
) -> tuple[list[PageRef], list[FetchedPage]]:
    """All page URLs the configured sources list, and the outcome of every listing that failed."""
    sources = load_sources(sources_file)
    refs: list[PageRef] = []
    failures: list[FetchedPage] = []
    seen: set[str] = set()
    with make_client(fetch_settings(settings), follow_redirects=True) as client:
        for source in sources:
            found = discover(source, client)
            failures.extend(found.failures)
            for ref in found.refs:
                if ref.url not in seen:
                    seen.add(ref.url)
                    refs.append(ref)
    return refs, failures


def fetch_batch(
    refs: list[PageRef], previous: dict[str, PreviousFetch], settings: Settings
) -> list[FetchedPage]:
    """Download a batch of pages in this process, storing every raw body in the raw store."""
    return download(refs, fetch_settings(settings), previous, settings.raw_dir)


def process_pages(pages: Sequence[FetchedPage]) -> ProcessedBatch:
    """Clean every fetched page and extract its events. Pages that hold no article keep a
    readable error, so their outcome is recorded rather than lost."""
    # Imported on first use: a quiet night cleans nothing, and trafilatura and the
    # extractor's lexicons are a good part of a run's start-up.
    from rasd.clean import CleanError, clean_page
    from rasd.extract import extract_events

    out = ProcessedBatch(pages=list(pages))
    for i, page in enumerate(out.pages):
        if not page.ok:
            continue
        try:
            article = clean_page(page)
        except CleanError as exc:
            out.pages[i] = replace(page, error=f"no article: {exc}")
            continue
        if article.published_at is None:
            # No date in the page itself: the sitemap's or feed's date for it is the next
            # best anchor for اليوم / أمس / weekdays (the HTTP Last-Modified is not: static
            # servers report when the file was written, not when the article appeared).
            article.published_at = _lastmod(page.listed_lastmod)
        out.articles.append(article)
        out.events.extend(extract_events(article))
    for page in out.pages:
        page.html = None  # the raw page is in the raw store; do not carry it further
    return out


def _chunks(items: Sequence[FetchedPage], n: int) -> list[Sequence[FetchedPage]]:
    """n nearly equal slices, in order."""
    size = max(1, -(-len(items) // n))
    return [items[i : i + size] for i in range(0, len(items), size)]


def process_pages_parallel(
    pages: Sequence[FetchedPage], executor: Executor | None, parts: int
) -> ProcessedBatch:
    """process_pages over `parts` chunks on an executor (processes or a Dask client)."""
    if executor is None or parts <= 1 or len(pages) < 2 * parts:
        return process_pages(pages)
    # Several slices per worker, so no worker idles while another finishes a slow slice.
    slices = _chunks(pages, parts * SLICES_PER_WORKER)
    return ProcessedBatch.combine(executor.map(process_pages, slices))


class Stages(Protocol):
    """The steps a runner performs; the Prefect flow supplies task-backed versions."""

    def discover(self, sources_file: Path) -> tuple[list[PageRef], list[FetchedPage]]: ...

    def earlier_fetches(self, warehouse: Warehouse) -> EarlierFetches: ...

    def fetch(
        self, refs: list[PageRef], previous: dict[str, PreviousFetch]
    ) -> list[FetchedPage]: ...

    def prepare(self, pages: int) -> None: ...

    def process(self, pages: list[FetchedPage]) -> ProcessedBatch: ...

    def process_ahead(self, pages: list[FetchedPage]) -> PendingBatch: ...

    def validate(self, batch: ProcessedBatch, run_id: str) -> ValidatedBatch: ...

    def validate_ahead(self, batch: ProcessedBatch, run_id: str) -> Future[ValidatedBatch]: ...

    def close(self) -> None: ...


class PendingPages(Protocol):
    """A fetch under way (a concurrent.futures or Prefect future)."""

    def result(self) -> list[FetchedPage]: ...


class PendingBatch(Protocol):
    """Clean + extract under way."""

    def result(self) -> ProcessedBatch: ...


class Done:
    """An already finished step, for runners that cannot work ahead."""

    def __init__(self, value: ProcessedBatch) -> None:
        self.value = value

    def result(self) -> ProcessedBatch:
        return self.value


class PlainStages:
    """Runs each step in this process; clean + extract on a pool of worker processes and,
    with more than one worker, downloads in a process of their own."""

    # Subclasses whose `fetch` reads pages from elsewhere than the web set this False, so
    # their `fetch` is what runs ahead.
    use_download_process = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.raw_store = RawStore(settings.raw_dir)
        self._pool: ProcessPoolExecutor | None = None
        self._downloads: DownloadProcess | None = None
        self._head: HeadStart | None = None
        self._frozen = False
        self._fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rasd-fetch")
        self._processor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rasd-process")
        self._validator = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rasd-validate")

    def download_process(self) -> DownloadProcess | None:
        """The run's download process, started on first use; None where downloads stay in
        this process (one worker asked for, or no child processes allowed here)."""
        wanted = self.use_download_process and self.settings.download_apart
        if not wanted or not can_start_process():
            return None
        if self._downloads is None:
            self._downloads = DownloadProcess(fetch_settings(self.settings), self.settings.raw_dir)
        return self._downloads

    def fetch_ahead(self, refs: list[PageRef], previous: dict[str, PreviousFetch]) -> PendingPages:
        downloads = self.download_process()
        if downloads is not None:
            return downloads.submit(refs, previous)
        return self._fetcher.submit(self.fetch, refs, previous)

    def discover(self, sources_file: Path) -> tuple[list[PageRef], list[FetchedPage]]:
        found = self.adopt_head_start(sources_file)
        return found if found is not None else discover_pages(sources_file, self.settings)

    def adopt_head_start(
        self, sources_file: Path
    ) -> tuple[list[PageRef], list[FetchedPage]] | None:
        """Take over the head start `rasd run` began for this very run, if any: its
        download process, workers and first batches become this run's. Returns what it
        discovered, or None when there is none to take over."""
        head = take_head_start(sources_file, self.settings)
        if head is None or not self.use_download_process:
            return None
        self._head = head
        if self._downloads is None:
            self._downloads, head.downloads = head.downloads, None
        if self._pool is None and head.pool is not None:
            self._pool, head.pool = head.pool, None
            self._frozen, head.frozen = head.frozen, False
        return head.discovery

    def earlier_fetches(self, warehouse: Warehouse) -> EarlierFetches:
        """What earlier runs fetched; read once a night, by the head start if there was one."""
        if self._head is not None and self._head.earlier is not None:
            return self._head.earlier
        return EarlierFetches.read(warehouse)

    def fetch(self, refs: list[PageRef], previous: dict[str, PreviousFetch]) -> list[FetchedPage]:
        return fetch_batch(refs, previous, self.settings)

    def prepare(self, pages: int) -> None:
        """Start the worker processes for a night of `pages`, while its first batch
        downloads; a handful of pages is cleaned here."""
        if self._pool is None and self._parallel(pages):
            self._pool = start_worker_pool(self.settings.workers, self.settings.cache_dir)
            self._frozen = True

    def process(self, pages: list[FetchedPage]) -> ProcessedBatch:
        if not self._parallel(len(pages)):
            return process_pages(pages)
        self.prepare(len(pages))
        return process_pages_parallel(pages, self._pool, self.settings.workers)

    def _parallel(self, pages: int) -> bool:
        return parallel_for(self.settings, pages)

    def process_ahead(self, pages: list[FetchedPage]) -> PendingBatch:
        if self._head is not None:
            begun = self._head.take_processing([page.url for page in pages])
            if begun is not None:
                return begun
        return self._processor.submit(self.process, pages)

    def validate(self, batch: ProcessedBatch, run_id: str) -> ValidatedBatch:
        return validate_batch(
            batch.articles, batch.events, run_id=run_id, docs_dir=self.settings.validation_dir
        )

    def validate_ahead(self, batch: ProcessedBatch, run_id: str) -> Future[ValidatedBatch]:
        """`validate` in the background, one group after the other. The context goes along,
        so a validation that is an orchestrator's task still runs inside its flow run."""
        return self._validator.submit(copy_context().run, self.validate, batch, run_id)

    def close(self) -> None:
        self._fetcher.shutdown(cancel_futures=True)
        self._processor.shutdown(cancel_futures=True)
        self._validator.shutdown(cancel_futures=True)  # waits for one under way
        stop_children(self._downloads, self._pool, self._frozen)
        self._downloads, self._pool, self._frozen = None, None, False


def _load_processing(kept_in: Path | None = None) -> None:
    """What clean + extract need, loaded before the workers fork so that they share it:
    the modules, and the gazetteer, lexicons, rules and patterns those modules otherwise
    build from data/ on first use, which each worker would then build again for itself.
    With `kept_in`, the gazetteer is read from there when an earlier run kept it."""
    import rasd.clean
    import rasd.extract.events  # noqa: F401 - imports the rest of the extractor
    from rasd.extract.places import keep_default_gazetteer_in

    keep_default_gazetteer_in(kept_in)

    for name, module in list(sys.modules.items()):
        if name == rasd.clean.__name__ or name.startswith("rasd.extract."):
            for load in _cached_loaders(module):
                load()


def keep_reference_data(settings: Settings) -> None:
    """Build what the workers load and keep the gazetteer in `settings.cache_dir` now, so
    that the next run reads it instead of building it: after an upgrade, say."""
    _load_processing(settings.cache_dir)


def _cached_loaders(module: ModuleType) -> Iterator[Callable[[], object]]:
    """A module's own functions that take no argument and keep their result: its
    reference data, loaded on first use."""
    for value in vars(module).values():
        if (
            callable(value)
            and hasattr(value, "cache_info")
            and getattr(value, "__module__", None) == module.__name__
            and not inspect.signature(value).parameters
        ):
            yield value


def parallel_for(settings: Settings, pages: int) -> bool:
    """Whether `pages` are cleaned and extracted on worker processes."""
    return settings.workers > 1 and pages >= 4 * settings.workers


def start_worker_pool(workers: int, kept_in: Path | None = None) -> ProcessPoolExecutor:
    """The clean + extract worker processes, forked now.

    Loaded before the fork, the gazetteer is shared copy-on-write by the workers instead of
    being built again in each of them. Frozen, it and everything imported so far are
    skipped by the garbage collections of the run, here and in the workers, whose
    collections would otherwise also copy the shared pages; the caller unfreezes
    (`gc.unfreeze`) when the pool is done.
    """
    _load_processing(kept_in)
    gc.freeze()
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=end_with_parent, initargs=(os.getpid(),)
    )
    # Forked now, before any other thread of the run starts importing.
    for _ in pool.map(idle_task, range(workers)):
        pass
    return pool


def stop_children(
    downloads: DownloadProcess | None, pool: ProcessPoolExecutor | None, frozen: bool
) -> None:
    """End a run's download process and workers; `frozen` when `start_worker_pool` froze
    the garbage collector's view, which a long-lived process must undo."""
    if downloads is not None:
        downloads.close()
    if pool is not None:
        pool.shutdown(cancel_futures=True)
    if frozen:
        gc.unfreeze()


@dataclass(frozen=True)
class EarlierFetches:
    """What earlier runs fetched: each URL's validators and content hash, for conditional
    requests (`previous`), and when its content was last confirmed, for skipping pages
    whose listing says they have not changed since (`last_fetched`)."""

    previous: dict[str, PreviousFetch]
    last_fetched: dict[str, datetime]

    @classmethod
    def read(cls, warehouse: Warehouse) -> EarlierFetches:
        previous = {
            url: PreviousFetch(etag=etag, last_modified=modified, content_hash=digest)
            for url, (etag, modified, digest) in warehouse.previous_fetches().items()
        }
        return cls(previous, warehouse.last_fetched())

    @classmethod
    def read_before_install(cls, warehouse: Warehouse) -> EarlierFetches:
        """The same, read before the run installs the warehouse's schema, which is on the
        way to the workers' start: a warehouse not made yet holds no earlier fetch, and one
        whose tables these queries cannot read yet is installed first."""
        if not warehouse.path.exists():
            return cls({}, {})
        try:
            return cls.read(warehouse)
        except (WarehouseError, duckdb.Error):
            warehouse.init()
            return cls.read(warehouse)


def batched(items: Sequence[PageRef], size: int) -> Iterator[list[PageRef]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _lastmod(value: str | None) -> datetime | None:
    """A listing's date as naive UTC, read like the page dates the clean stage reads."""
    return parse_datetime(value) if value else None


def skip_unmodified(
    refs: list[PageRef], last_fetched: dict[str, datetime], trust_lastmod: bool = True
) -> tuple[list[PageRef], int]:
    """Drop the pages whose sitemap/feed lastmod is older than our last fetch of them:
    on a quiet night that spares every request. Returns the refs to fetch and how many
    were skipped."""
    if not trust_lastmod:
        return refs, 0
    keep = []
    for ref in refs:
        modified, fetched = _lastmod(ref.lastmod), last_fetched.get(ref.url)
        if modified is not None and fetched is not None and modified <= fetched:
            continue
        keep.append(ref)
    return keep, len(refs) - len(keep)


def _advance(progress: Progress | None, stage: str, n: int) -> None:
    if progress is not None:
        progress.advance(stage, n)


def _downloads(
    stages: Stages, refs: list[PageRef], previous: dict[str, PreviousFetch], settings: Settings
) -> Iterator[list[FetchedPage]]:
    """The fetched batches in order, each next one already downloading."""
    batches = list(batched(refs, settings.batch_size))
    pending = stages.fetch_ahead(batches[0], previous) if batches else None
    if batches:
        stages.prepare(len(refs))  # the workers start while the first batch downloads
    for number in range(len(batches)):
        assert pending is not None
        pages = pending.result()
        more = number + 1 < len(batches)
        pending = stages.fetch_ahead(batches[number + 1], previous) if more else None
        yield pages


@dataclass
class _ValidationGroup:
    """Processed batches waiting to be validated together.

    A GX validation costs about 0.3 s whatever the row count (it builds a metric graph for
    every expectation), so a night validates a few groups of thousands of rows instead of
    every batch on its own. The pages' HTML is gone by now, so waiting rows are small.
    """

    first_batch: int = 0
    batches: list[ProcessedBatch] = field(default_factory=list)

    @property
    def articles(self) -> int:
        return sum(len(batch.articles) for batch in self.batches)

    def add(self, number: int, batch: ProcessedBatch) -> None:
        if not self.batches:
            self.first_batch = number
        self.batches.append(batch)

    def take(self) -> tuple[int, ProcessedBatch] | None:
        """The group's first batch number and its batches as one, leaving it empty."""
        if not self.batches:
            return None
        taken = (self.first_batch, ProcessedBatch.combine(self.batches))
        self.batches = []
        return taken


@dataclass
class _Validations:
    """Groups validated in the background and staged as each validation ends.

    A validation holds a core for a second or so. Waited for in the loop, it would leave
    the download process and the workers without their next batch meanwhile.
    """

    stages: Stages
    stage_dir: Path
    summary: RunSummary
    progress: Progress | None
    pending: deque[tuple[int, ProcessedBatch, Future[ValidatedBatch]]] = field(
        default_factory=deque
    )

    def submit(self, group: _ValidationGroup) -> None:
        taken = group.take()
        if taken is not None:
            first_batch, processed = taken
            validating = self.stages.validate_ahead(processed, self.summary.run_id)
            self.pending.append((first_batch, processed, validating))

    def stage_finished(self, wait: bool = False) -> None:
        """Stage the validated groups, in order; with `wait`, every one submitted."""
        while self.pending and (wait or self.pending[0][2].done()):
            first_batch, processed, validating = self.pending.popleft()
            validated = validating.result()
            _advance(self.progress, "validate", len(processed.pages))
            self.stage(first_batch, processed.pages, validated)
            self.summary.add_pages(processed.pages)
            self.summary.quarantined += len(validated.quarantine)

    def stage(self, first_batch: int, pages: list[FetchedPage], validated: ValidatedBatch) -> None:
        """Write the pages and their validated rows to the night's stage directory."""
        # Arrow is imported with the first batch staged: a quiet night stages nothing.
        from rasd.staging import stage_batch

        stage_batch(
            self.stage_dir,
            first_batch,
            pages,
            validated.articles,
            validated.events,
            validated.quarantine,
        )


def run_batches(
    refs: list[PageRef],
    discovery_failures: list[FetchedPage],
    stages: Stages,
    warehouse: Warehouse,
    summary: RunSummary,
    settings: Settings,
    progress: Progress | None = None,
) -> None:
    """Fetch, process, validate and stage every batch, then load them all at once and
    draw the night's Data Docs."""
    stage_dir = settings.staging_dir / summary.run_id
    earlier = stages.earlier_fetches(warehouse)
    previous = earlier.previous
    refs, skipped = skip_unmodified(refs, earlier.last_fetched, settings.trust_lastmod)
    summary.pages_unchanged += skipped
    summary.add_pages(discovery_failures)
    summary.listing_failures = [(p.url, p.error or "") for p in discovery_failures]
    validations = _Validations(stages, stage_dir, summary, progress)
    if discovery_failures:
        validations.stage(0, discovery_failures, ValidatedBatch())
    # Batches move at once: batch n+1 downloads while batch n is cleaned and extracted on
    # the worker processes, and the groups before it are validated in the background.
    in_hand: tuple[int, list[FetchedPage], PendingBatch] | None = None
    group = _ValidationGroup()

    def collect(number: int, pages: list[FetchedPage], processing: PendingBatch) -> None:
        group.add(number, processing.result())
        _advance(progress, "clean+extract", len(pages))
        if group.articles >= settings.validate_rows:
            validations.submit(group)
        validations.stage_finished()

    for number, pages in enumerate(_downloads(stages, refs, previous, settings), start=1):
        _advance(progress, "fetch", len(pages))
        if number == 1 and any(page.ok for page in pages):
            # The suites' first use costs seconds of imports: pay them while this batch is
            # cleaned. A night whose pages all answer "not modified" never imports them.
            threading.Thread(target=suite_runner, name="rasd-gx-warmup", daemon=True).start()
        processing = stages.process_ahead(pages)
        if in_hand is not None:
            collect(*in_hand)
        in_hand = (number, pages, processing)
    if in_hand is not None:
        collect(*in_hand)
    validations.submit(group)
    validations.stage_finished(wait=True)
    # The Data Docs are drawn from the stored results while the warehouse loads. The load's
    # DuckDB calls wait for the interpreter lock while GX renders, but the two together
    # still end sooner than one after the other (docs/performance.md, finding 9).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rasd-docs") as docs:
        drawn = docs.submit(build_validation_docs, settings.validation_dir)
        loaded = warehouse.load_staged(summary.run_id, stage_dir)
        drawn.result()
    summary.articles = loaded.articles
    summary.events = loaded.events
    shutil.rmtree(stage_dir, ignore_errors=True)


class RunInProgressError(RuntimeError):
    """Another run holds the warehouse; two runs at once would race on the same pages."""


@contextmanager
def exclusive_run(settings: Settings) -> Iterator[None]:
    """One run per warehouse at a time, enforced with an OS lock that dies with its process
    (a run killed with -9 never leaves a stale lock behind)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    lock_path = settings.home / f".{settings.warehouse.name}.run.lock"
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgressError(
                f"another rasd run is writing {settings.warehouse}; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _forget_unfinished_runs(warehouse: Warehouse, settings: Settings) -> None:
    """A run that was killed loaded nothing (the load is one transaction at the end), so
    its staged batches are dropped and this run fetches those pages again."""
    for run_id in warehouse.unfinished_runs():
        warehouse.finish_run(
            run_id, "killed", {}, "did not finish; its work was redone by a later run"
        )
        shutil.rmtree(settings.staging_dir / run_id, ignore_errors=True)


def run_pipeline(
    sources_file: Path,
    settings: Settings,
    stages: Stages | None = None,
    show_progress: bool = False,
) -> RunSummary:
    """One complete run, recorded in the runs table whatever happens."""
    with _run_lock(sources_file, settings):
        return _run_locked(sources_file, settings, stages or PlainStages(settings), show_progress)


@contextmanager
def _run_lock(sources_file: Path, settings: Settings) -> Iterator[None]:
    """The run lock, unless this process's head start took it for this very run."""
    if _head_start is not None and _head_start.serves(sources_file, settings):
        yield
    else:
        with exclusive_run(settings):
            yield


def _run_locked(
    sources_file: Path, settings: Settings, stages: Stages, show_progress: bool
) -> RunSummary:
    started = time.monotonic()
    warehouse = Warehouse(settings.warehouse)
    warehouse.init()
    summary = RunSummary(run_id=new_run_id())
    _forget_unfinished_runs(warehouse, settings)
    warehouse.start_run(summary.run_id, str(sources_file), datetime.now(UTC))
    try:
        refs, failures = stages.discover(sources_file)
        if show_progress:
            with Progress(PROGRESS_STAGES, total=len(refs)) as progress:
                run_batches(refs, failures, stages, warehouse, summary, settings, progress)
        else:
            run_batches(refs, failures, stages, warehouse, summary, settings)
        summary.status = "completed"
    except BaseException as exc:
        summary.status = "failed"
        summary.message = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        stages.close()
        summary.seconds = time.monotonic() - started
        warehouse.finish_run(summary.run_id, summary.status, summary.counts(), summary.message)
    return summary


class HeadStart:
    """A run's first steps, begun before the orchestrator is loaded.

    `rasd run` spends its first seconds importing Prefect and creating the flow run, with
    one core working and the other idle, and only then reads the listings. Begun before
    that, a head start takes the run lock, reads the listings and what earlier runs
    fetched (`EarlierFetches`, read once a night), downloads the first batches in the
    download process and cleans and extracts them on the workers. The run's stages take
    each piece over (`PlainStages.adopt_head_start`), so nothing is read, fetched or
    processed twice; `close` stops whatever was not taken over and releases the lock.

    A head start is only ever a shortcut: when any step fails, it stops, and the run does
    every step itself and reports what went wrong. Pages it fetched for a run that then
    never started are in the raw store only; the next run asks for them again.

    It goes on until the run takes it over: each batch cleaned begins the download of the
    next, so a slow start of the orchestrator (a temporary Prefect server takes seconds of
    both cores) leaves neither the download process nor the workers idle.
    """

    # Batches downloading or waiting for the workers at once: their pages' HTML is what a
    # head start holds. With a long-lived Prefect server the flow asks for its first batch
    # 4-5 s after the start; two batches kept the workers busy until about 4 s only.
    BATCHES_AHEAD = 4
    # Batches a head start may begin before the run takes it over. What it keeps of a
    # cleaned batch is small (articles and events, no HTML), and this bounds it.
    BATCHES_BEFORE_TAKEOVER = 16

    def __init__(self, sources_file: Path, settings: Settings) -> None:
        self.sources_file = Path(sources_file).resolve()
        self.settings = settings
        self.discovery: tuple[list[PageRef], list[FetchedPage]] | None = None
        self.earlier: EarlierFetches | None = None
        self.downloads: DownloadProcess | None = None
        self.pool: ProcessPoolExecutor | None = None
        self.frozen = False
        self._processing: dict[tuple[str, ...], Future[ProcessedBatch]] = {}
        self._thread: ThreadPoolExecutor | None = None
        self._held = ExitStack()
        self._batches: list[list[PageRef]] = []  # the batches it may begin, in order
        self._begun = 0
        self._going = threading.Lock()  # held while a batch is begun, and to stop for good
        self._stopped = False

    @classmethod
    def begin(cls, sources_file: Path, settings: Settings) -> HeadStart | None:
        """Begin a run's first steps; None when they could not be begun (another run holds
        the warehouse, say), which the run itself will then report."""
        global _head_start
        head = cls(sources_file, settings)
        try:
            head._begin()
        except Exception as exc:  # noqa: BLE001 - the run repeats the step and reports it
            log.debug("no head start: %s: %s", type(exc).__name__, exc)
            head.close()
            return None
        _head_start = head
        return head

    def _begin(self) -> None:
        settings = self.settings
        self._held.enter_context(exclusive_run(settings))
        if settings.download_apart and can_start_process():
            # Its start-up overlaps the warehouse's opening and the listings' download.
            self.downloads = DownloadProcess(fetch_settings(settings), settings.raw_dir)
        # The run installs the schema; on the way to the workers' start it is only read.
        self.earlier = EarlierFetches.read_before_install(Warehouse(settings.warehouse))
        self.discovery = discover_pages(self.sources_file, settings)
        refs, _ = skip_unmodified(
            self.discovery[0], self.earlier.last_fetched, settings.trust_lastmod
        )
        if self.downloads is None:
            return
        if not refs:  # a quiet night: the process is not needed, nor waited for
            self.downloads.close(wait=False)
            self.downloads = None
            return
        self._batches = list(batched(refs, settings.batch_size))[: self.BATCHES_BEFORE_TAKEOVER]
        first = self._batches[: self.BATCHES_AHEAD]
        previous = self.earlier.previous
        downloading = [self.downloads.submit_ahead(batch, previous) for batch in first]
        self._begun = len(first)
        if not parallel_for(settings, len(refs)):
            return
        # The gazetteer is loaded (kept or built) and the workers fork while the first
        # batch downloads.
        self.pool = start_worker_pool(settings.workers, settings.cache_dir)
        self.frozen = True
        # One batch after the other, as the run's own clean + extract goes.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rasd-head-start")
        with self._going:
            for batch, fetching in zip(first, downloading, strict=True):
                self._queue(batch, fetching)

    def _queue(self, batch: list[PageRef], fetching: Future[list[FetchedPage]]) -> None:
        assert self._thread is not None and self.pool is not None
        urls = tuple(ref.url for ref in batch)
        self._processing[urls] = self._thread.submit(self._process, fetching, self.pool)

    def _process(
        self, fetching: Future[list[FetchedPage]], pool: ProcessPoolExecutor
    ) -> ProcessedBatch:
        processed = process_pages_parallel(fetching.result(), pool, self.settings.workers)
        self._go_on()
        return processed

    def _go_on(self) -> None:
        """Begin the next batch (its download, then its clean + extract), unless the run
        has taken over or the head start was stopped."""
        with self._going:
            if self._stopped or self._begun >= len(self._batches):
                return
            assert self.downloads is not None and self.earlier is not None
            batch = self._batches[self._begun]
            self._begun += 1
            self._queue(batch, self.downloads.submit_ahead(batch, self.earlier.previous))

    def stop(self) -> None:
        """Begin no more batches: from now on the run asks for them, and what was begun
        is all in `take_processing` and the download process's batches ahead."""
        with self._going:
            self._stopped = True

    def serves(self, sources_file: Path, settings: Settings) -> bool:
        return Path(sources_file).resolve() == self.sources_file and settings == self.settings

    @property
    def batches_in_hand(self) -> int:
        """Batches whose clean + extract was begun and no run has taken over yet."""
        return len(self._processing)

    def take_processing(self, urls: list[str]) -> Future[ProcessedBatch] | None:
        """The clean + extract begun for these very pages, once."""
        return self._processing.pop(tuple(urls), None)

    def close(self) -> None:
        """Stop what no run took over, then release the run lock."""
        global _head_start
        if _head_start is self:
            _head_start = None
        self.stop()
        if self._thread is not None:
            self._thread.shutdown(cancel_futures=True)
        stop_children(self.downloads, self.pool, self.frozen)
        self.downloads, self.pool, self.frozen = None, None, False
        self._held.close()


_head_start: HeadStart | None = None


def take_head_start(sources_file: Path, settings: Settings) -> HeadStart | None:
    """This process's head start, if it was begun for this run; a run takes it once."""
    global _head_start
    head = _head_start
    if head is None or not head.serves(sources_file, settings):
        return None
    _head_start = None
    head.stop()
    return head
