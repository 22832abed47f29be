"""Child processes of a run end when the run does.

A run killed with SIGKILL cannot stop its worker and download processes, and a pool's
children never notice on their own (each holds both ends of the pipes it reads from). Each
child therefore watches its parent and exits when it is gone, rather than download or
extract on for nobody. A watching thread, not the kernel's parent-death signal: that signal
follows the thread that started the child, and pools start children from worker threads.
"""

from __future__ import annotations

import os
import threading
import time

WATCH_SECONDS = 1.0


def end_with_parent(parent_pid: int) -> None:
    """Pool initializer: exit this process once `parent_pid` is no longer its parent."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="rasd-parent-watch", daemon=True).start()


def idle_task(*_: object) -> None:
    """A no-op task: submitted to a new pool, it makes the pool start its processes now
    rather than with the first real task."""
