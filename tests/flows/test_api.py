"""The Prefect API of a `rasd run`: a temporary server started early, or the configured one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect import flow, get_client
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.api import (
    HEARTBEAT_VARIABLES,
    TemporaryServer,
    prefect_api,
    temporary_server,
    without_heartbeats,
)
from rasd.settings import REPO_ROOT
from tests.processes import alive, outlives_killed_parent, run_fresh


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


@pytest.mark.timeout(120)
def test_a_file_in_the_working_directory_cannot_replace_a_module_of_the_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The server imports the standard library's timeit; a scratch file of that name in the
    # folder `rasd run` is started from must not stand in for it.
    (tmp_path / "timeit.py").write_text("raise ImportError('not the standard timeit')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_server() as server:
        assert server is not None
        server.wait_ready()
        assert server.process.poll() is None


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


def test_runs_started_by_rasd_send_no_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.settings import get_current_settings

    for name in HEARTBEAT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert get_current_settings().flows.heartbeat_frequency == 180  # Prefect's default
    with without_heartbeats():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == 180


def test_an_operator_s_heartbeat_interval_is_kept() -> None:
    # Prefect reads its settings from the environment when the process starts.
    script = (
        "from prefect.settings import get_current_settings as s\n"
        "from flows.api import without_heartbeats\n"
        "with without_heartbeats():\n"
        "    print(s().flows.heartbeat_frequency)\n"
    )
    env = {**os.environ, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "60"}
    out = run_fresh(script, env=env, cwd=REPO_ROOT)  # fails the test unless it exits 0
    assert out.split() == ["60"]
