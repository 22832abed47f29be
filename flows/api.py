"""The Prefect API a `rasd run` talks to: the configured server, or a temporary one.

Without a configured API, Prefect starts a temporary server itself, but only when the flow
is first called: the run then waits for the server's start-up (seconds of imports in a new
process) after its own imports, and imports the whole server application in the run
process too, only to launch it. Here the same server (Prefect's ASGI app under uvicorn,
as Prefect launches it) is started before rasd imports anything heavy, so both start-ups
overlap on separate cores, and the run process never imports the server code.

A long-lived `prefect server start` named in PREFECT_API_URL is still the right set-up for
a scheduled deployment: it saves the temporary server's start-up and memory on every run.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

log = logging.getLogger("rasd")
STARTUP_TIMEOUT = 90.0  # seconds; a first start creates Prefect's database
UVICORN_PORT_IN_USE = 3  # uvicorn's exit code when it cannot bind
# uvicorn's command line, in a process that also ends when the run that started it is
# killed (rasd.children); the run's pid is the first argument.
SERVER_BOOT = (
    "import sys; from rasd.children import end_with_parent; "
    "end_with_parent(int(sys.argv.pop(1))); "
    "from uvicorn.main import main; main()"
)


class PrefectServerError(RuntimeError):
    """The temporary Prefect server did not start; the message says why."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_package_dir() -> Path:
    """Where the `prefect` package lives, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise PrefectServerError("the prefect package is not installed")
    return Path(spec.origin).parent


class TemporaryServer:
    """A Prefect server on 127.0.0.1 for the life of one run."""

    def __init__(self) -> None:
        self.port = free_port()
        # A file, not a pipe: a pipe nobody reads would stall a server that writes much.
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = self._launch()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _launch(self) -> subprocess.Popen[bytes]:
        # The same server, options and environment Prefect uses for its temporary server.
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        command = [
            sys.executable,
            # -P: the working directory stays off the server's import path, so a file there
            # named like a module the server imports (timeit.py, say) cannot replace it.
            "-P",
            "-c",
            SERVER_BOOT,
            str(os.getpid()),
            "--app-dir",
            str(_server_package_dir().parent),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]
        return subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.errors,
        )

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code == UVICORN_PORT_IN_USE:  # the port was taken meanwhile: try another
                self.port = free_port()
                self.process = self._launch()
                continue
            if code is not None:
                raise PrefectServerError(
                    f"the temporary Prefect server exited with code {code}: {self._stderr()}"
                )
            if self._healthy():
                return
            time.sleep(0.05)
        self.stop()
        raise PrefectServerError(
            f"the temporary Prefect server did not answer within {timeout:.0f} s; "
            "set PREFECT_API_URL to a running `prefect server start`"
        )

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _stderr(self) -> str:
        self.errors.seek(0)
        text = self.errors.read().decode("utf-8", "replace").strip()
        return text.splitlines()[-1] if text else "(no output)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.errors.close()


@contextmanager
def temporary_server() -> Iterator[TemporaryServer | None]:
    """A temporary server launched at once, unless the environment names an API (a profile
    may still name one: `prefect_api` checks once Prefect is imported); stopped on the way
    out, whatever happened meanwhile."""
    server = None if os.environ.get("PREFECT_API_URL") else TemporaryServer()
    try:
        yield server
    finally:
        if server is not None:
            server.stop()


@contextmanager
def prefect_api(server: TemporaryServer | None) -> Iterator[str | None]:
    """Flows called inside talk to the configured API, else to `server`."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    configured = get_current_settings().api.url
    if configured or server is None:
        if server is not None:
            server.stop()  # not needed after all: free it before the run
        yield configured
        return
    server.wait_ready()
    log.info("no Prefect API configured: temporary server on %s", server.api_url)
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        try:
            yield server.api_url
        finally:
            _drain_prefect_workers()


def _drain_prefect_workers() -> None:
    """Send the run's queued logs and events while the server is still there, as
    prefect_test_harness does before it stops its server; at process exit it is too late."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    with suppress(RuntimeError):  # no log was ever queued
        APILogWorker.instance().drain()
    EventsWorker.drain_all()


# Either name sets the heartbeat interval (the second is Prefect's older one).
HEARTBEAT_VARIABLES = ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """Flow runs started inside send no heartbeats, unless the operator set an interval.

    Prefect's heartbeat thread sleeps in one-second steps and the flow run joins it when
    its work is done, so every run ends up to a second later than it need: on a quiet
    night, a sixth of the run. Heartbeats let a server notice crashed runs; rasd records
    its own (a killed run is marked `killed` by the next), and flow runs that a Prefect
    worker starts from a deployment keep Prefect's setting.
    """
    if any(name in os.environ for name in HEARTBEAT_VARIABLES):
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
