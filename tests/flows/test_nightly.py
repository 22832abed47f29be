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
