"""The command line: bad input gives one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import write_sources

RASD = [sys.executable, "-m", "rasd.cli"]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("RASD_DEBUG", None)
    return subprocess.run(
        [*RASD, *args], capture_output=True, text=True, timeout=300, env=env, cwd=cwd
    )


def assert_one_clear_line(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith("rasd:")]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def test_missing_sources_file(tmp_path: Path) -> None:
    result = run_cli("run", "--sources", str(tmp_path / "nope.yaml"), "--no-prefect")
    assert_one_clear_line(result, "nope.yaml")


def test_malformed_sources_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [ {name: x, kind: sitemap, url: ", encoding="utf-8")
    assert_one_clear_line(run_cli("run", "--sources", str(bad), "--no-prefect"), "bad.yaml")


def test_unknown_kind(tmp_path: Path) -> None:
    sources = write_sources(
        tmp_path / "s.yaml", [{"name": "x", "kind": "gopher", "url": "http://127.0.0.1:9/"}]
    )
    assert_one_clear_line(run_cli("run", "--sources", str(sources), "--no-prefect"), "gopher")


def test_unwritable_warehouse(sample_sources: Path) -> None:
    # /proc refuses new folders even to root, so this holds wherever the tests run.
    result = run_cli(
        "run",
        "--sources",
        str(sample_sources),
        "--warehouse",
        "/proc/rasd-test/w.duckdb",
        "--no-prefect",
    )
    assert_one_clear_line(result, "/proc/rasd-test", "writable")


def test_warehouse_path_under_a_file(tmp_path: Path, sample_sources: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli(
        "run",
        "--sources",
        str(sample_sources),
        "--warehouse",
        str(blocker / "w.duckdb"),
        "--no-prefect",
    )
    assert_one_clear_line(result, "warehouse")


def test_unreachable_feed_is_recorded_and_reported(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sources = write_sources(
        tmp_path / "s.yaml",
        [{"name": "gone", "kind": "feed", "url": f"http://127.0.0.1:{port}/rss"}],
    )
    warehouse = tmp_path / "w.duckdb"
    result = run_cli(
        "run", "--sources", str(sources), "--warehouse", str(warehouse), "--no-prefect"
    )
    assert_one_clear_line(result, f"127.0.0.1:{port}/rss")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("SELECT url, error FROM pages").fetchall()
    assert rows and rows[0][0].endswith("/rss") and rows[0][1]
