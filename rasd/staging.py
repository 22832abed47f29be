"""A night's validated batches, staged as Parquet files outside the warehouse.

`Warehouse.load_staged` inserts a stage directory's batches in one short transaction at
the end of the night; until then they wait here, so a run killed before it leaves the
warehouse as it was. A module of its own because it needs Arrow, which a quiet night
(nothing staged) does not import.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from rasd.models import Article, Event, FetchedPage
from rasd.timestamps import utc_naive
from rasd.validate import QuarantineRow

LOADED_MARKER = "_LOADED"
STAGED_TABLES = ("pages", "articles", "events", "quarantine")

_TS = pa.timestamp("us")
PAGE_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("source", pa.string()),
        ("fetched_at", _TS),
        ("status", pa.int32()),
        ("error", pa.string()),
        ("final_url", pa.string()),
        ("content_type", pa.string()),
        ("encoding", pa.string()),
        ("content_hash", pa.string()),
        ("bytes", pa.int64()),
        ("etag", pa.string()),
        ("last_modified", pa.string()),
        ("unchanged", pa.bool_()),
    ]
)
ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("source", pa.string()),
        ("site", pa.string()),
        ("title", pa.string()),
        ("published_at", _TS),
        ("language", pa.string()),
        ("text", pa.string()),
        ("content_hash", pa.string()),
    ]
)
EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("event_date", pa.date32()),
        ("date_explicit", pa.bool_()),
        ("event_type", pa.string()),
        ("sub_event_type", pa.string()),
        ("actor1", pa.string()),
        ("actor2", pa.string()),
        ("location", pa.string()),
        ("location_as_written", pa.string()),
        ("admin1", pa.string()),
        ("country", pa.string()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("geonameid", pa.int64()),
        ("fatalities", pa.int32()),
        ("injuries", pa.int32()),
        ("notes", pa.string()),
        ("confidence", pa.float64()),
    ]
)
QUARANTINE_SCHEMA = pa.schema(
    [
        ("quarantine_id", pa.string()),
        ("kind", pa.string()),
        ("record_id", pa.string()),
        ("url", pa.string()),
        ("failed_expectations", pa.string()),
        ("record", pa.string()),
        ("quarantined_at", _TS),
    ]
)
SCHEMAS = {
    "pages": PAGE_SCHEMA,
    "articles": ARTICLE_SCHEMA,
    "events": EVENT_SCHEMA,
    "quarantine": QUARANTINE_SCHEMA,
}


def _columns(items: Sequence[Any], schema: pa.Schema, **converted: list[Any]) -> pa.Table:
    """The items' attributes named by the schema, column by column (`converted` gives the
    columns that need more than reading the attribute): Arrow converts a list per column
    several times faster than a dict per row, which cost more than writing the Parquet."""
    columns = {
        name: converted[name] if name in converted else list(map(attrgetter(name), items))
        for name in schema.names
    }
    return pa.Table.from_pydict(columns, schema=schema)


def _page_table(pages: Sequence[FetchedPage]) -> pa.Table:
    return _columns(pages, PAGE_SCHEMA, fetched_at=[utc_naive(p.fetched_at) for p in pages])


def _article_table(articles: Sequence[Article]) -> pa.Table:
    published = [utc_naive(a.published_at) for a in articles]
    return _columns(articles, ARTICLE_SCHEMA, published_at=published)


def _event_table(events: Sequence[Event]) -> pa.Table:
    days = [
        e.event_date.date() if isinstance(e.event_date, datetime) else e.event_date for e in events
    ]
    return _columns(events, EVENT_SCHEMA, event_date=days)


def _quarantine_table(rows: Sequence[QuarantineRow], staged_at: datetime) -> pa.Table:
    return _columns(
        rows,
        QUARANTINE_SCHEMA,
        failed_expectations=[",".join(q.failed_expectations) for q in rows],
        record=[q.record_json for q in rows],
        quarantined_at=[staged_at] * len(rows),
    )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Stage:
    """A run's staged batches: stage_dir/batch_NNNNNN/{pages,articles,events,quarantine}.parquet.

    A batch directory appears whole or not at all (written under a temporary name, then
    renamed), so a crash mid-write never leaves a half batch to be loaded.
    """

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)

    def batch_dir(self, batch_no: int) -> Path:
        return self.dir / f"batch_{batch_no:06d}"

    def write_batch(
        self,
        batch_no: int,
        pages: Sequence[FetchedPage],
        articles: Sequence[Article],
        events: Sequence[Event],
        quarantine: Sequence[QuarantineRow],
    ) -> Path:
        staged_at = utc_naive(datetime.now(UTC))
        tables = {
            "pages": _page_table(pages),
            "articles": _article_table(articles),
            "events": _event_table(events),
            "quarantine": _quarantine_table(quarantine, staged_at),
        }
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".tmp-{batch_no:06d}-{os.getpid()}-{secrets.token_hex(4)}"
        tmp.mkdir()
        try:
            for name, table in tables.items():
                target = tmp / f"{name}.parquet"
                pq.write_table(table, target)
                _fsync(target)
            self._publish(tmp, self.batch_dir(batch_no))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return self.batch_dir(batch_no)

    def _publish(self, tmp: Path, final: Path) -> None:
        """Swap the finished temporary directory in; a re-staged batch replaces the old one."""
        old = None
        if final.exists():
            old = self.dir / f".old-{final.name}-{secrets.token_hex(4)}"
            final.rename(old)
        tmp.rename(final)
        _fsync(self.dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def batches(self) -> list[tuple[int, Path]]:
        """The complete batches, in batch order."""
        if not self.dir.is_dir():
            return []
        found = []
        for path in self.dir.glob("batch_*"):
            number = path.name.removeprefix("batch_")
            if path.is_dir() and number.isdigit():
                found.append((int(number), path))
        return sorted(found)

    @property
    def loaded(self) -> bool:
        return (self.dir / LOADED_MARKER).exists()

    def mark_loaded(self, run_id: str) -> None:
        marker = self.dir / LOADED_MARKER
        tmp = self.dir / f".{LOADED_MARKER}.tmp"
        tmp.write_text(f"{run_id}\n", encoding="utf-8")
        tmp.replace(marker)

    def read(self, table: str) -> pa.Table:
        """All batches of one staged table, with a batch_no column (later batches win)."""
        schema = SCHEMAS[table].append(pa.field("batch_no", pa.int32()))
        parts = [pa.Table.from_pylist([], schema=schema)]
        for number, path in self.batches():
            part = pq.read_table(path / f"{table}.parquet", schema=SCHEMAS[table])
            batch_col = pa.array([number] * part.num_rows, type=pa.int32())
            parts.append(part.append_column("batch_no", batch_col))
        return pa.concat_tables(parts)


def stage_batch(
    stage_dir: Path,
    batch_no: int,
    pages: Sequence[FetchedPage],
    articles: Sequence[Article],
    events: Sequence[Event],
    quarantine: Sequence[QuarantineRow],
) -> Path:
    """Write one validated batch as Parquet under stage_dir; returns the batch folder."""
    return Stage(stage_dir).write_batch(batch_no, pages, articles, events, quarantine)


def pending_stages(staging_root: Path) -> list[Path]:
    """Stage directories under staging_root that hold batches never loaded."""
    if not staging_root.is_dir():
        return []
    return sorted(
        path
        for path in staging_root.iterdir()
        if path.is_dir() and not Stage(path).loaded and Stage(path).batches()
    )
