"""The Prefect API of a `rasd run`: a temporary server started early, or the configured one."""

from __future__ import annotations

import subprocess
import sys

import pytest
from prefect import flow, get_client
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.api import TemporaryServer, prefect_api, temporary_server
from rasd.settings import REPO_ROOT
from tests.processes import alive, outlives_killed_parent


@flow(name="api-check")
def add(a: int, b: int) -> int:
    return a + b


@pytest.mark.timeout(180)
def test_flow_runs_on_the_temporary_server_which_stops_afterwards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_server() as server, prefect_api(server) as url:
        assert server is not None
        assert url == server.api_url and url.startswith("http://127.0.0.1:")
        state = add(2, 3, return_state=True)
        assert state.result() == 5
        with get_client(sync_client=True) as client:
            recorded = client.read_flow_run(state.state_details.flow_run_id)
        assert recorded.state_name == "Completed"
    assert server.process.poll() is not None  # stopped with the run


@pytest.mark.timeout(60)
def test_a_configured_api_is_used_and_no_server_is_left_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    with temporary_server() as server:
        assert server is None

    monkeypatch.delenv("PREFECT_API_URL")
    server = TemporaryServer()
    # A profile (here: the settings context) naming a server wins over the temporary one.
    configured = temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"})
    with configured, prefect_api(server) as url:
        assert url == "http://127.0.0.1:9/api"
    assert server.process.poll() is not None


@pytest.mark.timeout(60)
def test_the_temporary_server_stops_when_the_run_fails_before_its_flow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with pytest.raises(ImportError), temporary_server() as server:
        assert server is not None and server.process.poll() is None
        raise ImportError("the flow could not be imported")
    assert server.process.poll() is not None


@pytest.mark.timeout(120)
def test_the_temporary_server_ends_when_its_run_is_killed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "run.py"
    script.write_text(
        "import time\n"
        "from flows.api import TemporaryServer\n"
        "server = TemporaryServer()\n"
        "server.wait_ready()\n"
        "print(server.process.pid, flush=True)\n"
        "time.sleep(120)\n",
        encoding="utf-8",
    )
    run = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT
    )
    try:
        server_pid = int(run.stdout.readline())
        assert alive(server_pid)  # up and answering
        survived = outlives_killed_parent(run, server_pid, seconds=15)
        assert not survived, "the temporary server outlived its killed run"
    finally:
        run.kill()
