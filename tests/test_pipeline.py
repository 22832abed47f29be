"""The whole nightly job without Prefect: sample site over HTTP -> DuckDB warehouse."""

from __future__ import annotations

import json
import math
import threading
import time
from pathlib import Path

import duckdb
import pytest

from rasd.models import FetchedPage
from rasd.pipeline import (
    PendingBatch,
    PlainStages,
    ProcessedBatch,
    RunInProgressError,
    exclusive_run,
    run_pipeline,
)
from rasd.samplesite import all_trap_texts
from rasd.settings import Settings
from rasd.validate import ValidatedBatch
from tests.processes import run_fresh

COVID_WORDS = ("covid19", "كورونا", "كوفيد", "[covid")


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _table_counts(warehouse: Path) -> dict[str, int]:
    return {
        table: _rows(warehouse, f"SELECT count(*) FROM {table}")[0][0]
        for table in ("pages", "articles", "events", "quarantine")
    }


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


@pytest.fixture
def sample_run(tmp_path: Path, sample_sources: Path) -> tuple[Settings, object]:
    settings = Settings(warehouse=tmp_path / "wh" / "warehouse.duckdb", workers=1)
    return settings, run_pipeline(sample_sources, settings)


def test_sample_run_loads_every_seed_article(sample_run) -> None:
    settings, summary = sample_run
    assert summary.status == "completed"
    assert summary.articles == 5
    assert summary.pages_failed == 0
    pages = _rows(settings.warehouse, "SELECT url, status, error FROM pages")
    assert len(pages) == summary.pages_attempted
    assert all(status == 200 and error is None for _, status, error in pages)
    runs = _rows(settings.warehouse, "SELECT status, articles FROM runs")
    assert runs == [("completed", 5)]


def test_article_text_has_no_boilerplate(sample_run) -> None:
    settings, _ = sample_run
    texts = [t for (t,) in _rows(settings.warehouse, "SELECT text FROM articles")]
    for text in texts:
        assert not any(word in text.lower() for word in COVID_WORDS)
        for trap in all_trap_texts():
            assert trap not in text


def test_required_seed_events_are_found(sample_run, shared_dir: Path) -> None:
    settings, _ = sample_run
    events = _rows(
        settings.warehouse,
        "SELECT a.url, e.event_type, e.latitude, e.longitude, e.event_date, e.fatalities "
        "FROM events e JOIN articles a USING (article_id)",
    )
    for line in (shared_dir / "gold" / "seeds.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        page_key = gold["id"].split("_", 1)[-1]  # pages are named by the seed hash
        mine = [e for e in events if page_key in e[0]]
        for want in (g for g in gold["events"] if not g["optional"]):
            types = {want["event_type"], *want["alt_types"]}
            near = [
                e
                for e in mine
                if e[1] in types and _km(e[2], e[3], want["latitude"], want["longitude"]) <= 25
            ]
            assert near, f"{gold['id']}: missing {want['event_type']} in {want['location']}"
            if gold["id"].startswith(("001", "002")) and want["event_date"]:
                assert any(
                    str(e[4]) == want["event_date"] and e[5] == want["fatalities"] for e in near
                ), f"{gold['id']}: wrong date or fatalities for {want['location']}"


def test_no_event_comes_from_boilerplate(sample_run) -> None:
    settings, _ = sample_run
    evidence = _rows(
        settings.warehouse,
        "SELECT e.notes, a.text FROM events e JOIN articles a USING (article_id)",
    )
    assert evidence
    for notes, text in evidence:
        for sentence in notes.split("\n"):
            assert sentence.strip()[:40] in text


def test_rerun_adds_nothing(sample_run, sample_sources: Path) -> None:
    settings, first = sample_run
    before = _table_counts(settings.warehouse)
    second = run_pipeline(sample_sources, settings)
    assert _table_counts(settings.warehouse) == before
    assert second.pages_unchanged == first.pages_fetched
    assert _rows(settings.warehouse, "SELECT count(*) FROM runs")[0][0] == 2


def test_second_run_on_same_warehouse_is_refused(tmp_path: Path) -> None:
    settings = Settings(warehouse=tmp_path / "warehouse.duckdb")
    with exclusive_run(settings), pytest.raises(RunInProgressError), exclusive_run(settings):
        pass


def test_pages_older_than_their_last_fetch_are_not_requested_again() -> None:
    from datetime import datetime

    from rasd.models import PageRef
    from rasd.pipeline import skip_unmodified

    fetched = {
        "http://127.0.0.1/a": datetime(2024, 5, 2, 3, 0),
        "http://127.0.0.1/b": datetime(2024, 5, 2, 3, 0),
    }
    refs = [
        PageRef("http://127.0.0.1/a", "s", lastmod="2024-05-01"),  # older: skipped
        PageRef("http://127.0.0.1/b", "s", lastmod="2024-05-02T05:00:00+02:00"),  # 03:00 UTC
        PageRef("http://127.0.0.1/c", "s", lastmod="2024-05-01"),  # never fetched
        PageRef("http://127.0.0.1/a", "s", lastmod=None),  # no lastmod: ask the site
    ]
    kept, skipped = skip_unmodified(refs, fetched)
    assert [r.url[-1] for r in kept] == ["c", "a"] and skipped == 2
    assert skip_unmodified(refs, fetched, trust_lastmod=False) == (refs, 0)


def test_validation_docs_are_written_once_per_run(sample_run) -> None:
    settings, _ = sample_run
    index = settings.validation_dir / "index.html"
    assert index.is_file()
    assert "articles" in index.read_text(encoding="utf-8")


def test_listing_date_stands_in_for_a_page_without_one() -> None:
    from datetime import UTC, datetime

    from rasd.pipeline import process_pages
    from rasd.samplesite import render_article

    html = render_article(
        title="قصف على حي سكني في بنغازي",
        paragraphs=["قتل خمسة أشخاص وأصيب عشرة آخرون أمس في قصف استهدف حيا سكنيا في مدينة بنغازي."]
        * 2,
        published="",
        template="portal",
        url_path="/news/1.html",
        site_name="موقع تجريبي",
    )
    page = FetchedPage(
        url="http://127.0.0.1/news/1.html",
        source="s",
        fetched_at=datetime.now(UTC),
        status=200,
        html=html,
        listed_lastmod="2016-06-25T08:00:00+00:00",
    )
    batch = process_pages([page])
    assert batch.articles[0].published_at == datetime(2016, 6, 25, 8, 0)
    assert [str(e.event_date) for e in batch.events] == ["2016-06-24"]


class _CountingStages(PlainStages):
    """The plain stages, remembering how many articles each validation saw."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.validated: list[int] = []

    def validate(self, batch: ProcessedBatch, run_id: str) -> ValidatedBatch:
        self.validated.append(len(batch.articles))
        return super().validate(batch, run_id)


@pytest.mark.parametrize(("validate_rows", "groups"), [(1, [1, 1, 1, 1, 1]), (2, [2, 2, 1])])
def test_batches_are_validated_in_groups_and_every_page_is_loaded(
    tmp_path: Path, sample_sources: Path, validate_rows: int, groups: list[int]
) -> None:
    settings = Settings(
        warehouse=tmp_path / "wh" / "w.duckdb", batch_size=1, validate_rows=validate_rows, workers=1
    )
    stages = _CountingStages(settings)
    summary = run_pipeline(sample_sources, settings, stages)
    assert summary.status == "completed", summary.render()
    assert stages.validated == groups
    assert _table_counts(settings.warehouse)["articles"] == 5
    assert summary.pages_fetched == _table_counts(settings.warehouse)["pages"] == 5


class _ValidationWaitingForTheLoop(PlainStages):
    """Validation that only goes on once the loop has handed a later batch to clean +
    extract: it passes only if the loop does not wait for validation."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.batches_handed = 0
        self.later_batch_handed = threading.Event()

    def process_ahead(self, pages: list[FetchedPage]) -> PendingBatch:
        self.batches_handed += 1
        if self.batches_handed >= 3:
            self.later_batch_handed.set()
        return super().process_ahead(pages)

    def validate(self, batch: ProcessedBatch, run_id: str) -> ValidatedBatch:
        if not self.later_batch_handed.wait(timeout=15):
            raise AssertionError("the loop waited for the validation of batch 1")
        return super().validate(batch, run_id)


def test_the_loop_goes_on_while_a_group_is_validated(tmp_path: Path, sample_sources: Path) -> None:
    settings = Settings(
        warehouse=tmp_path / "wh" / "w.duckdb", batch_size=1, validate_rows=1, workers=1
    )
    summary = run_pipeline(sample_sources, settings, _ValidationWaitingForTheLoop(settings))
    assert summary.status == "completed", summary.render()
    assert _table_counts(settings.warehouse)["articles"] == 5
    assert summary.pages_fetched == _table_counts(settings.warehouse)["pages"] == 5


def test_what_the_workers_need_is_loaded_before_they_fork() -> None:
    """After `_load_processing`, cleaning and extracting reads no file: a lexicon, rule set
    or gazetteer read later would be read again by every worker instead of shared."""
    out = run_fresh(
        """
        import builtins, io
        from datetime import UTC, datetime
        from rasd.models import FetchedPage
        from rasd.pipeline import _load_processing, process_pages
        from rasd.samplesite import render_article

        after = [
            "وقال شهود عيان إن سيارات الإسعاف نقلت المصابين إلى المستشفى المركزي في المدينة.",
            "ولم تعلن أي جهة مسؤوليتها عن الحادث حتى ساعة متأخرة من مساء اليوم نفسه.",
        ]
        stories = [
            ["قتل خمسة أشخاص وأصيب عشرة آخرون أمس في قصف استهدف حيا سكنيا في بنغازي.", *after],
            ["خطف مسلحون مجهولون ثلاثة عمال أجانب يوم الثلاثاء في مدينة سبها جنوب البلاد.", *after],
        ]
        pages = [
            FetchedPage(
                url=f"http://127.0.0.1/news/{n}.html", source="s", status=200,
                fetched_at=datetime(2016, 6, 25, tzinfo=UTC),
                html=render_article(
                    title=story[0][:40], paragraphs=story, published="2016-06-25",
                    template="portal", url_path=f"/news/{n}.html", site_name="موقع تجريبي",
                ),
            )
            for n, story in enumerate(stories)
        ]
        _load_processing()

        def refuse(file, *args, **kwargs):
            raise AssertionError(f"{file} read after the workers would have forked")

        builtins.open = io.open = refuse
        batch = process_pages(pages)
        print(len(batch.articles), sorted({e.location for e in batch.events}))
        """
    )
    assert out == "2 ['Benghazi', 'Sabha']"


@pytest.mark.timeout(120)
def test_a_listing_that_cannot_be_read_is_recorded_in_the_warehouse(tmp_path: Path) -> None:
    """Its failure is staged with the night's pages and loaded as a page row with the error,
    beside the pages of the listings that could be read."""
    from tests.conftest import write_sources
    from tests.hostile_server import HostileServer, news_site

    gone = "http://127.0.0.1:9/sitemap.xml"  # the discard port: nothing listens
    settings = Settings(warehouse=tmp_path / "wh" / "w.duckdb", workers=2, batch_size=4)
    with HostileServer(with_hostile_routes=False) as server:
        news_site(server, 10)
        sources = write_sources(
            tmp_path / "sources.yaml",
            [
                {"name": "news", "kind": "sitemap", "url": server.url("/sitemap.xml")},
                {"name": "gone", "kind": "sitemap", "url": gone},
            ],
        )
        summary = run_pipeline(sources, settings)
    assert summary.pages_fetched == 10 and summary.pages_failed == 1
    assert [url for url, _ in summary.listing_failures] == [gone]
    failed = _rows(
        settings.warehouse, "SELECT url, error IS NOT NULL FROM pages WHERE status IS NULL"
    )
    assert failed == [(gone, True)]
    assert _rows(settings.warehouse, "SELECT count(*) FROM pages") == [(11,)]


# ------------------------------------------------------------------ the head start


@pytest.mark.timeout(120)
def test_a_run_takes_over_its_head_start_and_asks_for_each_page_once(tmp_path: Path) -> None:
    from rasd.pipeline import HeadStart
    from tests.hostile_server import HostileServer, news_site, site_sources

    settings = Settings(warehouse=tmp_path / "wh" / "w.duckdb", workers=2, batch_size=4)
    with HostileServer(with_hostile_routes=False) as server:
        paths = news_site(server, 20)
        sources = site_sources(tmp_path, server)
        head = HeadStart.begin(sources, settings)
        assert head is not None and head.pool is not None and head.downloads is not None
        assert head.batches_in_hand >= HeadStart.BATCHES_AHEAD  # more as each is cleaned
        stages = PlainStages(settings)
        try:
            summary = run_pipeline(sources, settings, stages)
            assert head.batches_in_hand == 0  # the run took every batch over
        finally:
            head.close()
        page_requests = [server.count(path) for path in paths]
        sitemap_requests = server.count("/sitemap.xml")
    assert summary.status == "completed", summary.render()
    assert summary.pages_fetched == 20
    # The head start fetched the first four batches or all five, the run the rest: had the
    # run not taken them over, those pages and the sitemap would be asked for twice.
    assert page_requests == [1] * 20
    assert sitemap_requests == 1
    assert _rows(settings.warehouse, "SELECT count(*) FROM pages WHERE status = 200") == [(20,)]
    with exclusive_run(settings):  # closed with the run: the lock is free again
        pass


@pytest.mark.timeout(120)
def test_a_head_start_goes_on_until_the_run_takes_it_over(tmp_path: Path) -> None:
    """While the orchestrator starts (slowly, here), the head start begins batch after
    batch, up to its cap; the run takes all of them over and asks for each page once."""
    from rasd.pipeline import HeadStart
    from tests.hostile_server import HostileServer, news_site, site_sources

    settings = Settings(warehouse=tmp_path / "wh" / "w.duckdb", workers=2, batch_size=4)
    cap = HeadStart.BATCHES_BEFORE_TAKEOVER
    with HostileServer(with_hostile_routes=False) as server:
        paths = news_site(server, 4 * (cap + 2))  # two batches more than a head start begins

        def requested() -> int:
            return sum(server.count(path) for path in paths)

        sources = site_sources(tmp_path, server)
        head = HeadStart.begin(sources, settings)
        assert head is not None
        try:
            deadline = time.monotonic() + 60
            while requested() < 4 * cap and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.0)  # time enough to begin a batch past the cap, were one begun
            before_the_run = requested()
            in_hand = head.batches_in_hand
            summary = run_pipeline(sources, settings, PlainStages(settings))
            assert head.batches_in_hand == 0
        finally:
            head.close()
        page_requests = [server.count(path) for path in paths]
    assert before_the_run == 4 * cap and in_hand == cap
    assert summary.status == "completed" and summary.pages_fetched == len(paths)
    assert page_requests == [1] * len(paths)


@pytest.mark.timeout(120)
def test_a_head_start_holds_the_run_lock_until_it_is_closed(tmp_path: Path) -> None:
    from rasd.pipeline import HeadStart
    from tests.hostile_server import HostileServer, news_site, site_sources

    settings = Settings(warehouse=tmp_path / "w.duckdb", workers=2)
    with HostileServer(with_hostile_routes=False) as server:
        news_site(server, 2)
        sources = site_sources(tmp_path, server)
        head = HeadStart.begin(sources, settings)
        assert head is not None
        try:
            with pytest.raises(RunInProgressError), exclusive_run(settings):
                pass
            assert HeadStart.begin(sources, settings) is None  # a second one cannot begin
        finally:
            head.close()
    with exclusive_run(settings):
        pass


@pytest.mark.timeout(120)
def test_what_earlier_runs_fetched_is_read_once_a_night(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The head start reads it and the run takes it over with the rest: on a warehouse of
    years, reading it is seconds."""
    from rasd.pipeline import HeadStart
    from rasd.warehouse import Warehouse
    from tests.hostile_server import HostileServer, news_site, site_sources

    reads: list[Path] = []
    read = Warehouse.previous_fetches

    def counted(self: Warehouse) -> dict:
        reads.append(self.path)
        return read(self)

    monkeypatch.setattr(Warehouse, "previous_fetches", counted)
    settings = Settings(warehouse=tmp_path / "wh" / "w.duckdb", workers=2, batch_size=4)
    with HostileServer(with_hostile_routes=False) as server:
        news_site(server, 10)
        sources = site_sources(tmp_path, server)
        assert run_pipeline(sources, settings).pages_fetched == 10
        assert len(reads) == 1  # a run without a head start reads it itself
        head = HeadStart.begin(sources, settings)
        assert head is not None
        try:
            second = run_pipeline(sources, settings)
        finally:
            head.close()
    assert second.status == "completed", second.render()
    assert reads == [settings.warehouse] * 2


@pytest.mark.timeout(120)
def test_a_head_start_reads_the_warehouse_without_installing_it(tmp_path: Path) -> None:
    """Installing the schema is the run's step, off the way to the workers' start: a head
    start leaves a warehouse not made yet unmade, and installs one only when its earlier
    fetches cannot be read otherwise."""
    import duckdb

    from rasd.pipeline import HeadStart
    from tests.hostile_server import HostileServer, news_site, site_sources

    fresh = Settings(warehouse=tmp_path / "fresh" / "w.duckdb", workers=2, batch_size=4)
    bare = Settings(warehouse=tmp_path / "bare" / "w.duckdb", workers=2, batch_size=4)
    bare.warehouse.parent.mkdir()
    duckdb.connect(str(bare.warehouse)).close()  # a DuckDB file without rasd's tables
    with HostileServer(with_hostile_routes=False) as server:
        news_site(server, 10)
        sources = site_sources(tmp_path, server)
        for settings in (fresh, bare):
            head = HeadStart.begin(sources, settings)
            assert head is not None and head.earlier is not None
            try:
                assert head.earlier.previous == {}
                made = settings.warehouse.exists()
                summary = run_pipeline(sources, settings)
            finally:
                head.close()
            assert summary.status == "completed" and summary.pages_fetched == 10
            assert _rows(settings.warehouse, "SELECT count(*) FROM pages") == [(10,)]
            assert made == (settings is bare)


@pytest.mark.timeout(120)
def test_a_quiet_night_imports_neither_processing_nor_validation_nor_staging(
    tmp_path: Path,
) -> None:
    """Nothing new to fetch: trafilatura, GX (and pandas with it) and Arrow stay unloaded,
    seconds of imports that such a night does not need."""
    from tests.hostile_server import HostileServer, news_site, site_sources

    settings = Settings(warehouse=tmp_path / "wh" / "w.duckdb", workers=2, batch_size=4)
    with HostileServer(with_hostile_routes=False) as server:
        news_site(server, 10, lastmod="2020-01-01")  # listed before the first run
        sources = site_sources(tmp_path, server)
        assert run_pipeline(sources, settings).pages_fetched == 10
        out = run_fresh(
            f"""
            import sys
            from pathlib import Path
            from rasd.pipeline import run_pipeline
            from rasd.settings import Settings
            warehouse = Path({str(settings.warehouse)!r})
            settings = Settings(warehouse=warehouse, workers=2, batch_size=4)
            summary = run_pipeline(Path({str(sources)!r}), settings)
            print(summary.status, summary.pages_unchanged)
            heavy = ("trafilatura", "great_expectations", "pandas", "pyarrow")
            print([name for name in heavy if name in sys.modules])
            """
        )
    assert out.splitlines() == ["completed 10", "[]"]


@pytest.mark.timeout(120)
def test_a_quiet_night_head_start_starts_no_downloads_or_workers(tmp_path: Path) -> None:
    from rasd.pipeline import HeadStart
    from tests.hostile_server import HostileServer, news_site, site_sources

    settings = Settings(warehouse=tmp_path / "wh" / "w.duckdb", workers=2, batch_size=4)
    with HostileServer(with_hostile_routes=False) as server:
        # Listed with a date before the first run: the second run may skip every page.
        paths = news_site(server, 10, lastmod="2020-01-01")
        sources = site_sources(tmp_path, server)
        assert run_pipeline(sources, settings).pages_fetched == 10
        head = HeadStart.begin(sources, settings)
        assert head is not None
        try:
            assert head.downloads is None and head.pool is None
            second = run_pipeline(sources, settings)
        finally:
            head.close()
        page_requests = [server.count(path) for path in paths]
    assert second.status == "completed" and second.pages_unchanged == 10
    assert page_requests == [1] * 10
