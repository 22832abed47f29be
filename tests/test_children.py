"""A run's child processes end when the run is killed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.processes import alive, outlives_killed_parent

PARENT = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from rasd.children import end_with_parent

def pid_then_sleep():
    return os.getpid()

if __name__ == "__main__":
    method = sys.argv[1]
    pool = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context(method),
        initializer=end_with_parent,
        initargs=(os.getpid(),),
    )
    print(pool.submit(pid_then_sleep).result(), flush=True)
    time.sleep(120)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.timeout(60)
def test_pool_children_exit_when_their_parent_is_killed(tmp_path, method: str) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "parent.py"
    script.write_text(PARENT, encoding="utf-8")
    parent = subprocess.Popen(
        [sys.executable, str(script), method], stdout=subprocess.PIPE, text=True
    )
    try:
        child = int(parent.stdout.readline())
        assert alive(child)
        survived = outlives_killed_parent(parent, child, seconds=10)
        assert not survived, "the pool's child outlived its killed parent"
    finally:
        parent.kill()
