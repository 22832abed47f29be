"""Checks on processes the tests start (Linux: reads /proc)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path


def alive(pid: int) -> bool:
    """Whether the process runs: it exists and is not a zombie (a zombie has ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def outlives_killed_parent(parent: subprocess.Popen, child: int, seconds: float) -> bool:
    """Kill `parent` with SIGKILL; whether `child` still runs `seconds` later."""
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + seconds
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive(child)


def spawned_children() -> set[int]:
    """This process's running children that multiprocessing started with spawn."""
    found = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for pid in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"spawn_main" in cmdline and alive(int(pid)):
                found.add(int(pid))
    return found


def run_fresh(code: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run `code` in a fresh interpreter (one that has imported and cached nothing of this
    test session's, and reads its settings from `env`) and return what it printed; its
    failure fails the test."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
