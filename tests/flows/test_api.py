"""The Prefect API of a `rasd run`: a temporary server started early, or the configured one."""

from __future__ import annotations

import pytest
from prefect import flow, get_client
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.api import TemporaryServer, prefect_api, start_temporary_server, temporary_server


@flow(name="api-check")
def add(a: int, b: int) -> int:
    return a + b


@pytest.mark.timeout(180)
def test_flow_runs_on_the_temporary_server_which_stops_afterwards() -> None:
    server = TemporaryServer()
    with prefect_api(server) as url:
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
    assert start_temporary_server() is None

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
