"""The whole pipeline against a hostile web, killed runs, readers during a run, run locking.

Real servers on 127.0.0.1, real DuckDB files, real `rasd` processes killed with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from rasd.fetch import FetchSettings, PreviousFetch, RobotsCache, fetch_pages
from rasd.models import FetchedPage, PageRef
from rasd.pipeline import PlainStages, fetch_settings, run_pipeline
from rasd.samplesite import render_article
from rasd.settings import REPO_ROOT, Settings
from tests.conftest import write_sources
from tests.hostile_server import HostileServer, Reply, Request

RASD = [sys.executable, "-m", "rasd.cli"]
TOWNS = ("إدلب", "حلب", "درعا", "الرقة", "دير الزور", "حماة", "حمص", "الحسكة")
CORE_TABLES = ("pages", "articles", "events", "quarantine")

# Limits a test can wait for: the production ones (30 s per request, two retries) would
# spend a minute and a half on one trickling page.
SHORT_FETCH = FetchSettings(
    user_agent="rasd-test",
    connect_timeout=2.0,
    read_timeout=2.0,
    total_timeout=3.0,
    max_retries=1,
    backoff_base=0.1,
    max_retry_after=2.0,
)

# Hostile route -> words its recorded error must contain.
HOSTILE_ERRORS = {
    "/slow": "too slow",
    "/slow-headers": "too slow",
    "/error500": "HTTP 500",
    "/missing404": "HTTP 404",
    "/gone410": "HTTP 410",
    "/huge": "body too large",
    "/gzip-bomb": "decompressed body too large",
    "/loop-a": "redirect loop",
    "/redirect-file": "non-http(s)",
    "/doc.pdf": "not HTML",
    "/garbage": "undecodable body",
    "/empty": "empty body",
    "/truncated": "truncated body",
    "/private/secret": "robots.txt",
}


def article_html(number: int, charset: str = "utf-8") -> str:
    """An article page of our own words, reporting one shelling with casualties."""
    town = TOWNS[number % len(TOWNS)]
    paragraphs = [
        f"قُتل {number + 2} مدنيين وأصيب {number + 3} آخرون يوم الثلاثاء في قصف مدفعي "
        f"استهدف حياً سكنياً في مدينة {town}، بحسب ما أفاد به مسعفون محليون.",
        f"وقال شهود عيان إن القذائف سقطت قرب سوق شعبي مزدحم في {town}، "
        "ما أدى إلى احتراق عدد من المحال التجارية.",
        "ولم تعلن أي جهة مسؤوليتها عن القصف حتى الآن، فيما نقلت فرق الإسعاف الجرحى "
        "إلى المستشفى الوطني.",
    ]
    return render_article(
        title=f"قتلى وجرحى في قصف على {town}",
        paragraphs=paragraphs,
        published="2026-03-10T08:00:00+00:00",
        template=("wordpress", "portal")[number % 2],
        url_path=f"/news/{number}.html",
        charset=charset,
    )


def add_slow_article(server: HostileServer, path: str, number: int, delay: float) -> None:
    """An article that answers only after `delay` seconds (within every fetch timeout)."""
    reply = Reply(article_html(number).encode(), 200, {"Content-Type": "text/html; charset=utf-8"})

    def handler(h, _req: Request) -> None:  # type: ignore[no-untyped-def]
        time.sleep(delay)
        h.send_reply(reply)

    server.add_route(path, handler)


def add_flaky_article(server: HostileServer, path: str, number: int) -> None:
    """503 with Retry-After on the first request, the article from then on."""
    page = article_html(number).encode()

    def handler(h, _req: Request) -> None:  # type: ignore[no-untyped-def]
        if h.owner.hit(path) == 1:
            h.send_reply(Reply(b"busy", 503, {"Retry-After": "1"}))
        else:
            h.send_reply(Reply(page, 200, {"Content-Type": "text/html; charset=utf-8"}))

    server.add_route(path, handler)


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def table_counts(warehouse: Path) -> dict[str, int]:
    return {t: rows(warehouse, f"SELECT count(*) FROM {t}")[0][0] for t in CORE_TABLES}


class ShortTimeoutStages(PlainStages):
    """The plain stages, fetching with SHORT_FETCH limits through the real fetcher."""

    use_download_process = False  # this class's own `fetch` must run

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.robots = RobotsCache()

    def fetch(self, refs: list[PageRef], previous: dict[str, PreviousFetch]) -> list[FetchedPage]:
        return fetch_pages(refs, SHORT_FETCH, previous, self.raw_store, robots=self.robots)


def cli_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "RASD_WORKERS": "1"}
    env.pop("RASD_DEBUG", None)
    return {**env, **extra}


def start_run(sources: Path, warehouse: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*RASD, "run", "--no-prefect", "--sources", str(sources), "--warehouse", str(warehouse)],
        cwd=REPO_ROOT,
        env=cli_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(predicate, proc: subprocess.Popen, what: str, limit: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not predicate():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"rasd exited ({proc.returncode}) before {what}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def slow_site() -> Iterator[tuple[HostileServer, list[str]]]:
    """Six article pages, each answering after a second: three batches of two."""
    with HostileServer(with_hostile_routes=False) as server:
        paths = [f"/news/slow-{i}.html" for i in range(6)]
        for i, path in enumerate(paths):
            add_slow_article(server, path, i, delay=1.0)
        yield server, [server.url(p) for p in paths]


# ------------------------------------------------------------------ 1. a hostile web


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp_path = tmp_path_factory.mktemp("hostile")
    with HostileServer() as server:
        good = {}
        for i in range(3):
            server.add_page(f"/news/good-{i}.html", article_html(i))
            good[server.url(f"/news/good-{i}.html")] = i
        legacy = article_html(3, charset="windows-1256").encode("windows-1256")
        server.add_page("/news/legacy.html", legacy, content_type="text/html")
        good[server.url("/news/legacy.html")] = 3
        add_flaky_article(server, "/news/busy.html", 4)
        good[server.url("/news/busy.html")] = 4
        hostile = {server.url(path): words for path, words in HOSTILE_ERRORS.items()}
        urls = [*hostile, *good]
        sources = write_sources(
            tmp_path / "sources.yaml", [{"name": "hostile", "kind": "urls", "urls": urls}]
        )
        settings = Settings(warehouse=tmp_path / "wh" / "w.duckdb", workers=1)
        summary = run_pipeline(sources, settings, ShortTimeoutStages(settings))
        yield server, sources, settings, summary, hostile, good


@pytest.mark.timeout(120)
def test_hostile_run_finishes_and_records_every_url(hostile_run) -> None:  # type: ignore[no-untyped-def]
    server, _sources, settings, summary, hostile, good = hostile_run
    assert summary.status == "completed", summary.render()
    pages = {
        url: (status, error)
        for url, status, error in rows(settings.warehouse, "SELECT url, status, error FROM pages")
    }
    assert set(pages) == set(hostile) | set(good)
    for url, words in hostile.items():
        status, error = pages[url]
        assert error, f"{url} has no error recorded"
        assert words in error, f"{url}: {error!r}"
        assert "Traceback" not in error and "internal error" not in error, error
    for url in good:
        assert pages[url] == (200, None), url
    assert server.count("/private/secret") == 0
    assert server.count("/news/busy.html") == 2  # the 503, then the page


@pytest.mark.timeout(120)
def test_hostile_run_loads_the_good_articles(hostile_run) -> None:  # type: ignore[no-untyped-def]
    _server, _sources, settings, summary, _hostile, good = hostile_run
    articles = dict(rows(settings.warehouse, "SELECT url, text FROM articles"))
    assert set(articles) == set(good)
    assert summary.articles == len(good)
    for url, number in good.items():
        assert TOWNS[number] in articles[url]  # also the windows-1256 page, decoded
        assert "مسعفون محليون" in articles[url]
    per_article = rows(
        settings.warehouse, "SELECT url, count(*) FROM events GROUP BY url ORDER BY url"
    )
    assert {url for url, _ in per_article} == set(good)


@pytest.mark.timeout(120)
def test_hostile_rerun_adds_no_rows(hostile_run) -> None:  # type: ignore[no-untyped-def]
    server, sources, settings, _summary, hostile, _good = hostile_run
    before = table_counts(settings.warehouse)
    again = run_pipeline(sources, settings, ShortTimeoutStages(settings))
    assert again.status == "completed", again.render()
    assert table_counts(settings.warehouse) == before
    assert server.count("/private/secret") == 0
    errors = dict(rows(settings.warehouse, "SELECT url, error FROM pages WHERE error IS NOT NULL"))
    assert set(errors) == set(hostile)


def test_fetch_limits_can_be_set_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASD_FETCH_TIMEOUT", "3")
    monkeypatch.setenv("RASD_FETCH_RETRIES", "1")
    limits = fetch_settings(Settings.from_env())
    assert (limits.total_timeout, limits.max_retries) == (3.0, 1)


# ------------------------------------------------------------------ 2. killed runs

LAST_BATCH = 3  # six pages in batches of two


def staged_batch(settings: Settings, run_id: str, number: int) -> bool:
    return (settings.staging_dir / run_id / f"batch_{number:06d}").is_dir()


def kill_after(
    proc: subprocess.Popen,
    settings: Settings,
    run_id_before: set[str],
    batch: int,
    hold: bool = False,
) -> str:
    """SIGKILL the run once its batch `batch` is staged; returns its run id.

    With `hold`, a read-only connection is opened once batch 1 is staged and kept until the
    kill: the run cannot open the warehouse for its load and is killed waiting for it.
    """

    def new_run() -> str | None:
        found = [p.name for p in settings.staging_dir.glob("*") if p.name not in run_id_before]
        return found[0] if found else None

    try:
        wait_for(lambda: new_run() is not None, proc, "the run to start staging")
        run_id = new_run()
        assert run_id is not None
        reader = None
        if hold:
            wait_for(lambda: staged_batch(settings, run_id, 1), proc, "batch 1")
            reader = duckdb.connect(str(settings.warehouse), read_only=True)
        wait_for(lambda: staged_batch(settings, run_id, batch), proc, f"batch {batch}")
        if reader is not None:
            time.sleep(0.5)  # the run goes on to its load and waits there for the file
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        if reader is not None:
            reader.close()
    finally:
        proc.kill()
    return run_id


def holds_run_lock(warehouse: Path) -> bool:
    """Whether a run holds the warehouse's run lock now (it is going). Read from the
    kernel's lock table: trying the lock here could refuse the very run it waits for."""
    lock = warehouse.parent / f".{warehouse.name}.run.lock"
    try:
        inode = lock.stat().st_ino
    except FileNotFoundError:
        return False
    with open("/proc/locks") as table:
        return any(
            line.split()[1] == "FLOCK" and line.split()[5].rsplit(":", 1)[-1] == str(inode)
            for line in table
        )


def assert_nothing_loaded(settings: Settings) -> None:
    assert table_counts(settings.warehouse) == dict.fromkeys(CORE_TABLES, 0)


@pytest.mark.timeout(150)
def test_killed_runs_are_completed_by_the_next(
    tmp_path: Path, slow_site: tuple[HostileServer, list[str]]
) -> None:
    _server, urls = slow_site
    sources = write_sources(tmp_path / "s.yaml", [{"name": "slow", "kind": "urls", "urls": urls}])
    settings = Settings(
        warehouse=tmp_path / "wh" / "w.duckdb", batch_size=2, validate_rows=1, workers=1
    )

    # Killed while fetching: batch 1 staged, batches 2 and 3 not yet.
    proc = start_run(sources, settings.warehouse, RASD_BATCH_SIZE="2", RASD_VALIDATE_ROWS="1")
    in_fetch = kill_after(proc, settings, set(), batch=1)
    assert rows(settings.warehouse, "SELECT run_id, status FROM runs") == [(in_fetch, "running")]
    assert_nothing_loaded(settings)

    # Killed at the load: every batch staged, the warehouse held by a reader.
    proc = start_run(sources, settings.warehouse, RASD_BATCH_SIZE="2", RASD_VALIDATE_ROWS="1")
    at_load = kill_after(proc, settings, {in_fetch}, batch=LAST_BATCH, hold=True)
    runs = dict(rows(settings.warehouse, "SELECT run_id, status FROM runs"))
    assert runs == {in_fetch: "killed", at_load: "running"}
    assert_nothing_loaded(settings)
    assert not (settings.staging_dir / in_fetch).exists()

    summary = run_pipeline(sources, settings)
    assert summary.status == "completed", summary.render()
    loaded = rows(settings.warehouse, "SELECT url, count(*) FROM articles GROUP BY url")
    assert sorted(loaded) == sorted((url, 1) for url in urls)
    events = rows(
        settings.warehouse,
        "SELECT url, event_type, event_date, location, count(*) FROM events GROUP BY ALL",
    )
    assert sorted(e[0] for e in events) == sorted(urls)  # one event per article, once each
    assert all(e[-1] == 1 for e in events)
    runs = dict(rows(settings.warehouse, "SELECT run_id, status FROM runs"))
    assert runs == {in_fetch: "killed", at_load: "killed", summary.run_id: "completed"}
    assert [p.name for p in settings.staging_dir.iterdir()] == []


# ------------------------------------------------------------- 3 and 5. readers, a second run


def read_with_retries(warehouse: Path, limit: float = 10.0) -> tuple[float, list[tuple]]:
    """Open the warehouse read-only until it works; returns (seconds waited, runs rows)."""
    started = time.monotonic()
    while True:
        try:
            with duckdb.connect(str(warehouse), read_only=True) as con:
                found = con.execute("SELECT status FROM runs").fetchall()
            return time.monotonic() - started, found
        except duckdb.Error as exc:
            if time.monotonic() - started > limit:
                raise AssertionError(f"warehouse unreadable for {limit} s: {exc}") from exc
            time.sleep(0.05)


def assert_refused(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("rasd:")]
    assert len(lines) == 1 and "another rasd run" in lines[0], result.stderr


@pytest.mark.timeout(120)
def test_readers_and_a_second_run_while_a_run_is_going(
    tmp_path: Path, slow_site: tuple[HostileServer, list[str]]
) -> None:
    _server, urls = slow_site
    sources = write_sources(tmp_path / "s.yaml", [{"name": "slow", "kind": "urls", "urls": urls}])
    warehouse = tmp_path / "wh" / "w.duckdb"
    proc = start_run(sources, warehouse, RASD_BATCH_SIZE="2")
    second: subprocess.Popen | None = None
    waits: list[float] = []
    seen_running = False
    try:
        wait_for(lambda: holds_run_lock(warehouse), proc, "the run to start")
        second = start_run(sources, warehouse)
        while proc.poll() is None:
            waited, found = read_with_retries(warehouse)
            waits.append(waited)
            seen_running |= ("running",) in found
            time.sleep(0.1)
        out, err = proc.communicate(timeout=60)
        second_out, second_err = second.communicate(timeout=60)
    finally:
        proc.kill()
        if second is not None:
            second.kill()
    refused = subprocess.CompletedProcess(second.args, second.returncode, second_out, second_err)
    assert proc.returncode == 0, out + err
    assert_refused(refused)
    assert seen_running and len(waits) >= 10
    print(f"{len(waits)} reads during the run, longest wait {max(waits):.2f} s")
    assert rows(warehouse, "SELECT status FROM runs") == [("completed",)]
    assert rows(warehouse, "SELECT count(*) FROM articles")[0][0] == len(urls)
