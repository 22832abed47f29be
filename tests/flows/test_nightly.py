"""The real Prefect flow over the sample site gives the same warehouse as the plain run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from prefect.testing.utilities import prefect_test_harness

from flows.nightly import nightly
from rasd.pipeline import run_pipeline
from rasd.settings import Settings

CONTENT = "SELECT event_id, event_type, location, fatalities FROM events ORDER BY event_id"


@pytest.fixture(scope="module")
def prefect_server():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def _content(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(CONTENT).fetchall()


def test_flow_matches_plain_run(prefect_server, tmp_path: Path, sample_sources: Path) -> None:
    flow_wh = tmp_path / "flow" / "warehouse.duckdb"
    summary = nightly(str(sample_sources), str(flow_wh))
    assert summary.status == "completed"
    assert summary.articles == 5
    plain = run_pipeline(sample_sources, Settings(warehouse=tmp_path / "plain" / "w.duckdb"))
    assert plain.events == summary.events
    assert _content(flow_wh) == _content(tmp_path / "plain" / "w.duckdb")


@pytest.mark.timeout(180)
def test_the_flow_takes_over_the_head_start_of_rasd_run(
    prefect_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `rasd run` does: a head start, then the flow with the same sources and settings."""
    from rasd.pipeline import HeadStart
    from tests.hostile_server import HostileServer, news_site, site_sources

    monkeypatch.setenv("RASD_WORKERS", "2")
    monkeypatch.setenv("RASD_BATCH_SIZE", "4")
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    with HostileServer(with_hostile_routes=False) as server:
        paths = news_site(server, 20)
        sources = site_sources(tmp_path, server)
        head = HeadStart.begin(sources, Settings.from_env(str(warehouse)))
        assert head is not None and head.batches_in_hand >= HeadStart.BATCHES_AHEAD
        try:
            summary = nightly(str(sources), str(warehouse))
            assert head.batches_in_hand == 0
        finally:
            head.close()
        page_requests = [server.count(path) for path in paths]
        sitemap_requests = server.count("/sitemap.xml")
    assert summary.status == "completed" and summary.pages_fetched == 20
    assert page_requests == [1] * 20 and sitemap_requests == 1


def test_every_task_of_the_night_belongs_to_its_flow_run(
    prefect_server, tmp_path: Path, sample_sources: Path
) -> None:
    """Validation runs in a background thread of the run; its task still runs inside the
    flow run, and its log lines reach the flow run's log, where an operator looks."""
    import asyncio
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
    )

    state = nightly(str(sample_sources), str(tmp_path / "wh" / "w.duckdb"), return_state=True)
    assert state.is_completed()
    flow_run_id = state.state_details.flow_run_id

    async def task_runs_and_logged() -> tuple[dict[str, list[str]], set]:
        async with get_client() as client:
            runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            )
            logs = await client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
            )
        by_task: dict[str, list[str]] = {}
        for run in runs:
            by_task.setdefault(run.task_key.rsplit("-", 1)[0], []).append(run.state_name)
        logged = {log.task_run_id for log in logs} & {run.id for run in runs}
        return by_task, logged

    # Log lines reach the server in the background: wait a little for them.
    deadline = time.monotonic() + 20
    while True:
        by_task, logged = asyncio.run(task_runs_and_logged())
        if len(logged) == 3 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert by_task == {
        "discover_task": ["Completed"],
        "fetch_task": ["Completed"],
        "validate_task": ["Completed"],
    }
    assert len(logged) == 3  # each of the three task runs logged into this flow run
