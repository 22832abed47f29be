"""The DuckDB warehouse: schema, views, run records, and the one-transaction load.

DuckDB locks the whole file while a writer has it open, and an analyst's read-only
session must be able to open it between writes. So every method opens a connection,
does its work and closes it, and a night's work is written in one short transaction at
the end: batches are first staged as Parquet files outside the warehouse
(`rasd.staging`), then `load_staged` bulk-inserts all of them at once.

Every load is idempotent: ids are deterministic, pages and articles are upserted,
an article's events are replaced as a whole, quarantine rows are inserted once. A crash
before the commit leaves the warehouse as it was; the stage directory can be loaded
again later without doubling anything.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from rasd.settings import SQL_DIR
from rasd.timestamps import utc_naive

if TYPE_CHECKING:
    import pyarrow as pa

QUERIES_DIR = SQL_DIR / "queries"
VIEWS_DIR = SQL_DIR / "views"
SCHEMA_SQL = SQL_DIR / "schema.sql"
INSTALLED_SQL = SQL_DIR / "installed.sql"
RUN_COUNT_KEYS = (
    "pages_attempted",
    "pages_fetched",
    "pages_failed",
    "pages_unchanged",
    "articles",
    "events",
    "quarantined",
)


class WarehouseError(RuntimeError):
    """The warehouse could not be opened, set up or written; nothing was half-written."""


class WarehouseBusyError(WarehouseError):
    """Another process held the warehouse file for longer than we were willing to wait."""


@dataclass(frozen=True)
class LoadCounts:
    """What one load of a stage directory wrote."""

    batches: int = 0
    pages: int = 0
    articles: int = 0
    events: int = 0
    events_replaced: int = 0
    quarantined: int = 0  # new quarantine rows (already known ones are not counted)
    already_loaded: bool = False


def read_sql(name: str, folder: Path = QUERIES_DIR) -> str:
    """The text of sql/queries/<name>.sql (or another folder's file)."""
    path = folder / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WarehouseError(f"missing SQL file {path}: {exc}") from exc


def _fingerprint(sql_dir: Path, files: list[tuple[Path, str]]) -> str:
    """One hash of the setup files' names (relative to sql_dir) and texts, in install order."""
    digest = hashlib.sha256()
    for path, text in files:
        for part in (path.relative_to(sql_dir).as_posix(), text):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
    return digest.hexdigest()


# ---------------------------------------------------------------- the warehouse


class Warehouse:
    """One DuckDB file. Methods open and close their own connection.

    sql_dir is the folder of schema, view and query files the warehouse is built and
    queried with: the running version's sql/ unless another is named.
    """

    def __init__(self, path: Path, *, lock_timeout: float = 60.0, sql_dir: Path = SQL_DIR) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.sql_dir = Path(sql_dir)

    def _sql(self, query: str) -> str:
        return read_sql(query, self.sql_dir / "queries")

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one piece of work; waits while another process holds the file."""
        con = self._open(read_only)
        try:
            yield con
        finally:
            con.close()

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise WarehouseError(f"cannot open warehouse {self.path}: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise WarehouseBusyError(
                        f"warehouse {self.path} stayed locked by another process for "
                        f"{self.lock_timeout:.0f} s: {exc}"
                    ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    # ---------------------------------------------------------------- schema

    def init(self) -> None:
        """Create the tables and (re)install every view; safe to run any number of times.

        A warehouse last installed from these very sql/ files, whose tables and views are
        still what that install left, is only checked: re-creating them all on every run
        cost more than the rest of a quiet night's warehouse work.
        """
        files = self._setup_files()
        fingerprint = _fingerprint(self.sql_dir, files)
        with self.connect() as con:
            recorded = self._installed(con)
            if recorded is not None and recorded == (fingerprint, self._catalog_digest(con)):
                return
            self._install(con, files, fingerprint)

    def _setup_files(self) -> list[tuple[Path, str]]:
        """(path, text) of every file an install runs, in its order: the install record's
        table, the schema, then the views by name."""
        views = sorted((self.sql_dir / VIEWS_DIR.name).glob("*.sql"))
        paths = [self.sql_dir / INSTALLED_SQL.name, self.sql_dir / SCHEMA_SQL.name, *views]
        try:
            return [(path, path.read_text(encoding="utf-8")) for path in paths]
        except OSError as exc:
            raise WarehouseError(f"missing SQL file: {exc}") from exc

    def _installed(self, con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
        """(sql fingerprint, catalog digest) of the last complete install, if one is known."""
        try:
            found = con.execute(self._sql("installed")).fetchall()
        except duckdb.CatalogException:
            return None  # a warehouse made before installs were recorded
        return (found[0][0], found[0][1]) if len(found) == 1 else None

    def _catalog_digest(self, con: duckdb.DuckDBPyConnection) -> str:
        row = con.execute(self._sql("catalog_digest")).fetchone()
        return str(row[0]) if row else ""

    def _install(
        self, con: duckdb.DuckDBPyConnection, files: list[tuple[Path, str]], fingerprint: str
    ) -> None:
        """Every table and view, then the record that says so. The old record is dropped
        first, so an install that fails halfway is never taken for a complete one."""
        record_table, schema, *views = files
        self._run_file(con, record_table)
        con.execute(self._sql("forget_installed"))
        self._run_file(con, schema)
        self._install_views(con, views)
        params = {
            "sql_fingerprint": fingerprint,
            "catalog_digest": self._catalog_digest(con),
            "installed_at": utc_naive(datetime.now(UTC)),
        }
        con.execute(self._sql("record_installed"), params)

    @staticmethod
    def _run_file(con: duckdb.DuckDBPyConnection, file: tuple[Path, str]) -> None:
        path, text = file
        try:
            con.execute(text)
        except duckdb.Error as exc:
            raise WarehouseError(f"{path} failed: {exc}") from exc

    @staticmethod
    def _install_views(con: duckdb.DuckDBPyConnection, views: list[tuple[Path, str]]) -> None:
        """In filename order; a view that names one later in the order is retried after it."""
        pending = views
        while pending:
            failed: list[tuple[Path, str, duckdb.Error]] = []
            for path, text in pending:
                try:
                    con.execute(text)
                except duckdb.Error as exc:
                    failed.append((path, text, exc))
            if len(failed) == len(pending):
                path, _, exc = failed[0]
                raise WarehouseError(f"view {path.name} failed: {exc}") from exc
            pending = [(path, text) for path, text, _ in failed]

    # ---------------------------------------------------------------- runs

    def start_run(self, run_id: str, sources_file: str | Path, started_at: datetime) -> None:
        params = {
            "run_id": run_id,
            "started_at": utc_naive(started_at),
            "sources_file": str(sources_file),
        }
        with self.connect() as con:
            con.execute(self._sql("start_run"), params)

    def finish_run(
        self, run_id: str, status: str, counts: dict[str, int], message: str | None
    ) -> None:
        unknown = set(counts) - set(RUN_COUNT_KEYS)
        if unknown:
            raise WarehouseError(
                f"unknown run counts {sorted(unknown)}; expected some of {list(RUN_COUNT_KEYS)}"
            )
        params: dict[str, Any] = dict.fromkeys(RUN_COUNT_KEYS) | counts
        params |= {
            "run_id": run_id,
            "status": status,
            "message": message,
            "finished_at": utc_naive(datetime.now(UTC)),
        }
        with self.connect() as con:
            con.execute(self._sql("finish_run"), params)

    def unfinished_runs(self) -> list[str]:
        """Runs still marked running (their process died before recording an end)."""
        return [row[0] for row in self._fetch("unfinished_runs")]

    def previous_fetches(self) -> dict[str, tuple[str | None, str | None, str | None]]:
        """url -> (etag, last_modified, content_hash) of its last fetch with content."""
        return {
            url: (etag, modified, digest)
            for url, etag, modified, digest in self._fetch("previous_fetches")
        }

    def last_fetched(self) -> dict[str, datetime]:
        """url -> when its content was last confirmed (UTC, naive)."""
        return dict(self._fetch("last_fetched"))

    def counts(self) -> dict[str, int]:
        """Rows per core table."""
        return {name: int(n) for name, n in self._fetch("table_counts")}

    def _fetch(self, query: str) -> list[tuple[Any, ...]]:
        if not self.path.exists():
            raise WarehouseError(f"warehouse {self.path} does not exist; run init() first")
        with self.connect(read_only=True) as con:
            return con.execute(self._sql(query)).fetchall()

    # ---------------------------------------------------------------- load

    def load_staged(self, run_id: str, stage_dir: Path) -> LoadCounts:
        """Load every staged batch of stage_dir in one transaction, then mark it loaded.

        Loading a directory already marked loaded does nothing; loading one again whose
        mark was lost (a crash between commit and mark) rewrites the same rows.
        """
        if not Path(stage_dir).is_dir():
            return LoadCounts()  # a quiet night: nothing staged, nothing to write
        # Arrow and Parquet are imported only by a night that staged something.
        from rasd.staging import STAGED_TABLES, Stage

        stage = Stage(stage_dir)
        if stage.loaded:
            return LoadCounts(already_loaded=True)
        batches = stage.batches()
        if not batches:
            return LoadCounts()
        staged = {name: stage.read(name) for name in STAGED_TABLES}
        params = {"run_id": run_id, "loaded_at": utc_naive(datetime.now(UTC))}
        with self.connect() as con:
            # A night's load is thousands of rows: DuckDB's worker threads cost more CPU
            # (and time) handing them round than they save.
            con.execute("SET threads = 1")
            counts = self._load(con, staged, params, len(batches))
        if batches:
            stage.mark_loaded(run_id)
        return counts

    def _load(
        self,
        con: duckdb.DuckDBPyConnection,
        staged: dict[str, pa.Table],
        params: dict[str, Any],
        n_batches: int,
    ) -> LoadCounts:
        for name, table in staged.items():
            con.register(f"staged_{name}", table)

        def run(query: str, needs: tuple[str, ...] = ()) -> int:
            result = con.execute(self._sql(query), {k: params[k] for k in needs}).fetchone()
            return int(result[0]) if result else 0

        con.begin()
        try:
            pages = run("load_pages", ("run_id",))
            articles = run("load_articles", ("run_id", "loaded_at"))
            replaced = run("delete_replaced_events")
            events = run("load_events", ("run_id", "loaded_at"))
            quarantined = run("load_quarantine", ("run_id",))
            con.commit()
        except BaseException as exc:
            con.rollback()
            if isinstance(exc, duckdb.Error):
                raise WarehouseError(f"loading the staged batches failed: {exc}") from exc
            raise
        return LoadCounts(n_batches, pages, articles, events, replaced, quarantined)
