"""The nightly flow on a Dask cluster gives the same warehouse as the plain run.

A real two-process LocalCluster on 127.0.0.1 runs the clean + extract tasks; the flow is
pointed at it the way an operator does, through RASD_DASK_ADDRESS. Tearing the cluster down
may print a CommClosedError traceback: the scheduler closing its comms, not a failure.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from distributed import Client, LocalCluster
from prefect.testing.utilities import prefect_test_harness

from flows.nightly import nightly
from rasd.pipeline import run_pipeline
from rasd.settings import Settings

pytestmark = pytest.mark.timeout(600)

EVENTS = "SELECT event_id, event_type, location, fatalities, injuries FROM events ORDER BY event_id"
ARTICLES = "SELECT article_id, url, title, published_at, text FROM articles ORDER BY article_id"


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster


def _rows(warehouse: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(query).fetchall()


def _workers_that_cleaned(cluster: LocalCluster) -> int:
    """Workers start empty; one that ran a clean + extract task has imported rasd.clean."""
    with Client(cluster.scheduler_address) as client:
        found = client.run(lambda: "rasd.clean" in sys.modules)
    return sum(found.values())


def test_dask_flow_matches_plain_run(
    prefect_server: None,
    dask_cluster: LocalCluster,
    sample_sources: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RASD_DASK_ADDRESS", dask_cluster.scheduler_address)
    monkeypatch.setenv("RASD_WORKERS", "2")
    dask_wh = tmp_path / "dask" / "warehouse.duckdb"

    summary = nightly(str(sample_sources), str(dask_wh))

    assert summary.status == "completed"
    assert summary.articles == 5
    assert _workers_that_cleaned(dask_cluster) >= 1
    plain_wh = tmp_path / "plain" / "warehouse.duckdb"
    plain = run_pipeline(sample_sources, Settings(warehouse=plain_wh, workers=1))
    assert plain.status == "completed"
    assert (summary.articles, summary.events) == (plain.articles, plain.events)
    plain_events = _rows(plain_wh, EVENTS)
    assert plain_events, "the sample site reports events; an empty warehouse proves nothing"
    assert _rows(dask_wh, EVENTS) == plain_events
    assert _rows(dask_wh, ARTICLES) == _rows(plain_wh, ARTICLES)
